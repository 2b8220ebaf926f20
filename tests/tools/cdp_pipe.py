"""Drive headless Chromium through the DevTools protocol over a pipe
(--remote-debugging-pipe: requests on fd 3, answers on fd 4, each a JSON
message ended by NUL), with Python's standard library only: no websocket,
no extra package. The check-in page test types into the page the way a
proctor does (the focused field, Tab, Enter) and takes screenshots."""
import base64
import fcntl
import json
import os
import select
import subprocess


class Browser:
    def __init__(self, binary, width, height, profile):
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()

        def child():
            # Out of the way first (either could be 3 or 4), then into place;
            # dup2 makes 3 and 4 survive exec, everything else is close-on-exec.
            r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "about:blank"],
            close_fds=False, preexec_fn=child,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.page("Page.enable")
        self.page("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)

    def _read(self):
        while b"\0" not in self._buf:
            if not select.select([self._r], [], [], 30)[0]:
                raise RuntimeError("chromium said nothing for 30 seconds")
            chunk = os.read(self._r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium went away")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=None, **params):
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self._id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def page(self, method, **params):
        return self.call(method, self.session, **params)

    def wait_load(self):
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == "Page.loadEventFired":
                    del self.events[: i + 1]
                    return
            self.events.append(self._read())

    def goto(self, url):
        self.events.clear()
        self.page("Page.navigate", url=url)
        self.wait_load()

    def type(self, text):
        self.page("Input.insertText", text=text)

    def key(self, name, code, text=""):
        for kind in ("keyDown", "keyUp"):
            self.page("Input.dispatchKeyEvent", type=kind, key=name, code=code,
                      windowsVirtualKeyCode={"Enter": 13, "Tab": 9}[name], text=text if kind == "keyDown" else "")

    def tab(self):
        self.key("Tab", "Tab")

    def enter_and_wait(self):
        self.events.clear()
        self.key("Enter", "Enter", "\r")
        self.wait_load()

    def focus(self, selector):
        root = self.page("DOM.getDocument")["root"]["nodeId"]
        node = self.page("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not node:
            raise RuntimeError(f"no {selector} on the page")
        self.page("DOM.focus", nodeId=node)

    def focused(self):
        """The id of the element that has the focus (read through the DOM
        domain: the page's own CSP allows no script)."""
        r = self.page("Runtime.evaluate", expression="document.activeElement && document.activeElement.id")
        return r.get("result", {}).get("value")

    def html(self):
        root = self.page("DOM.getDocument")["root"]["nodeId"]
        return self.page("DOM.getOuterHTML", nodeId=root)["outerHTML"]

    def screenshot(self, path):
        data = self.page("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close")
        except RuntimeError:
            pass
        self.proc.wait(timeout=30)
