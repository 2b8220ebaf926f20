# The web check-in station as a proctor's browser shows and drives it:
# headless Chromium, driven over the DevTools protocol on a pipe
# (tests/tools/cdp_pipe.py, standard library only), signs in by typing into
# the focused field, chooses the station, scans a ticket into the scan field
# (which has the focus without any script), types the passport's last four
# and presses Enter (admitted), refuses the next candidate, scans the first
# ticket again (ALREADY CHECKED IN), switches to Japanese, and signs out.
# Screenshots of the sign-in page, the candidate (English and Japanese), the
# admission and the refusal are checked with Pillow: the size, the photo
# drawn, the green and red bands. The database says what happened. Set
# SHIKEN_SCREENSHOTS=DIR to keep the pictures for a person to look at.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
[[ -x "${TICKET_CODES:-}" ]] || fail "TICKET_CODES must name the ticket_codes tool (tests/CMakeLists.txt sets it)"
PY=/usr/bin/python3 # Debian's, with python3-pil
BROWSER=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$BROWSER" ]] || ! "$BROWSER" --headless --no-sandbox --disable-gpu --dump-dom about:blank >/dev/null 2>&1; then
	echo "SKIP: chromium cannot run here (scripts/setup installs the Debian package chromium)"
	exit 0
fi
"$PY" -c 'import PIL' 2>/dev/null || fail "Pillow missing for $PY (scripts/setup installs python3-pil)"
SHOTS=${SHIKEN_SCREENSHOTS:-$WORK/shots}
mkdir -p "$SHOTS"

fresh_db
mkdir -p "$WORK/gen"
sk generate candidates --count 6 --seed 7 --year 2026 --photos 3 --out "$WORK/gen/c.csv" >/dev/null
sk candidate import "$WORK/gen/c.csv" >/dev/null
sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city Hanoi --address "12 Tran Hung Dao" \
	--room A:2x4 --room B:2x4 >/dev/null
sk sitting create --code S1 --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 --fee 600000 --currency VND >/dev/null
mapfile -t REF < <(sqlite3 :memory: ".import --csv $WORK/gen/c.csv c" "SELECT reference FROM c ORDER BY reference")
{
	echo "reference,sitting,test,room"
	for i in "${!REF[@]}"; do echo "${REF[$i]},S1,MM1,A"; done
} >"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null
{
	echo "reference,sitting,amount,currency,paid_at,method,receipt,kind"
	for i in "${!REF[@]}"; do echo "${REF[$i]},S1,600000,VND,2026-11-01,cash,R$i,payment"; done
} >"$WORK/fees.csv"
sk fee import "$WORK/fees.csv" >/dev/null
sk keys generate >/dev/null
sk config set cert.issuer https://shiken.example.jp >/dev/null
printf '%s\n' 'correct horse battery' | sk staff add sato --role proctor --password-stdin >/dev/null
"$TICKET_CODES" "$DB" S1 >"$WORK/codes"
field() { awk -F'\t' -v r="$1" -v f="$2" '$4 == r { print $f }' "$WORK/codes"; }
last4() { sqlite3 :memory: ".import --csv $WORK/gen/c.csv c" \
	"SELECT substr(replace(passport_number, ' ', ''), -4) FROM c WHERE reference = '${REF[$1]}'"; }
# Candidates with a photo, in order: the first three the browser meets.
mapfile -t WITH < <(for i in "${!REF[@]}"; do
	[[ -n $(count "SELECT photo_id FROM candidate WHERE reference = '${REF[$i]}'") ]] && echo "$i"; done)
((${#WITH[@]} >= 3)) || fail "three candidates with photos expected"

SERVER=
trap '[[ -n "$SERVER" ]] && kill -KILL "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
"$SHIKEN" --db "$DB" serve --base-url https://verify.example.jp --listen 127.0.0.1:0 --rate-limit 0 \
	>"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
addr=
for i in $(seq 1 400); do
	# The whole line, not just its start: it may be written in pieces.
	addr=$(sed -n 's/^shiken serve: listening on \([0-9.]*:[0-9]*\),.*/\1/p' "$WORK/serve.err")
	[[ -n "$addr" ]] && break
	kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.err" >&2; fail "serve did not start"; }
	sleep 0.05
done
[[ -n "$addr" ]] || { cat "$WORK/serve.err" >&2; fail "serve printed no address"; }
URL="http://$addr"

{
	for k in 0 1 2; do
		i=${WITH[$k]}
		printf '%s\t%s\t%s\n' "$(field "${REF[$i]}" 5)" "$(last4 "$i")" "$(field "${REF[$i]}" 1)"
	done
} >"$WORK/people"

timeout 300 "$PY" - "$BROWSER" "$URL" "$SHOTS" "$WORK/people" "$WORK/profile" "$TESTS_DIR/tools" <<'PYEOF' ||
import sys
sys.path.insert(0, sys.argv[6])
from cdp_pipe import Browser

browser, url, shots, people, profile = sys.argv[1:6]
people = [line.rstrip("\n").split("\t") for line in open(people)]
b = Browser(browser, 1024, 900, profile)
def expect(text, what):
    html = b.html()
    if text not in html:
        sys.exit(f"{what}: the page lacks {text!r}:\n{html[:3000]}")
def focus_is(ident, what):
    # autofocus lands once the page has loaded: give it a moment, under load too
    import time
    deadline = time.monotonic() + 5
    got = b.focused()
    while got != ident and time.monotonic() < deadline:
        time.sleep(0.05)
        got = b.focused()
    if got != ident:
        sys.exit(f"{what}: the focus is on {got!r}, not {ident!r}")

b.goto(url + "/checkin?lang=en")
expect('name="password"', "sign-in page")
focus_is("name", "sign-in page")
b.screenshot(f"{shots}/login-en.png")
b.type("sato"); b.tab(); b.type("correct horse battery"); b.enter_and_wait()
expect("Where is this station?", "after sign-in")
focus_is("sitting", "station choice")
b.type("S1"); b.tab(); b.type("A"); b.tab(); b.type("door-A"); b.enter_and_wait()
expect("station door-A", "station")
focus_is("line", "station")
b.screenshot(f"{shots}/station-en.png")

code, last4, exam = people[0]
b.type(code); b.enter_and_wait()
expect(exam, "scan")
expect("/checkin/photo/", "scan: photo")
focus_is("line", "candidate")
b.screenshot(f"{shots}/candidate-en.png")
b.focus("#last4"); b.type(last4); b.enter_and_wait()
expect("ADMITTED", "admit")
b.screenshot(f"{shots}/admitted-en.png")

code1, _, exam1 = people[1]
b.type(code1); b.enter_and_wait()
expect(exam1, "second scan")
b.focus("button.no"); b.enter_and_wait()
expect("not admitted: the proctor declined", "refuse")

b.type(code); b.enter_and_wait()
expect("ALREADY CHECKED IN", "scan again")
b.screenshot(f"{shots}/already-en.png")

b.goto(url + "/checkin?lang=ja")
focus_is("line", "station (ja)")
code2, _, exam2 = people[2]
b.type(code2); b.enter_and_wait()
expect('<html lang="ja">', "Japanese")
expect(exam2, "scan (ja)")
expect("受付する", "scan (ja): admit button")
b.screenshot(f"{shots}/candidate-ja.png")
b.type(code); b.enter_and_wait()
expect("受付済み", "scan again (ja)")
b.screenshot(f"{shots}/already-ja.png")

b.focus("header button[formaction]"); b.enter_and_wait()
expect('name="password"', "after sign-out")
b.screenshot(f"{shots}/login-ja.png")
b.close()
PYEOF
	fail "the browser could not check a candidate in"

# What the browser did is in the database.
[[ $(count "SELECT count(*) FROM checkin WHERE status = 'present' AND station = 'door-A' AND proctor = 'sato'") == 1 ]] ||
	fail "one admission expected"
[[ $(count "SELECT group_concat(reason, ' ') FROM (SELECT reason FROM checkin_refusal ORDER BY id)") == "declined already already" ]] ||
	fail "refusals: $(count 'SELECT group_concat(reason) FROM checkin_refusal')"
[[ $(count "SELECT count(*) FROM staff_session") == 0 ]] || fail "the session outlived the sign-out"
[[ $(count "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE entity = 'staff' AND actor = 'sato' ORDER BY seq)") == \
	"login station logout" ]] || fail "staff audit records"

"$PY" - "$SHOTS" <<'EOF' || fail "the screenshots are not what a proctor should see"
import sys
from PIL import Image
shots = sys.argv[1]
ok = True
def bad(msg):
    global ok
    print(msg, file=sys.stderr)
    ok = False
def near(a, b, tol=8):
    return max(abs(x - y) for x, y in zip(a, b)) <= tol
def count(im, colour, box=None):
    px = im.load()
    x0, y0, x1, y1 = box or (0, 0) + im.size
    return sum(1 for y in range(y0, y1, 2) for x in range(x0, x1, 2) if near(px[x, y], colour))
header = (0x1f, 0x3a, 0x5f)
for name in ("login-en", "station-en", "candidate-en", "admitted-en", "already-en", "candidate-ja", "already-ja",
             "login-ja"):
    im = Image.open(f"{shots}/{name}.png").convert("RGB")
    if im.size != (1024, 900):
        bad(f"{name}: size {im.size}")
        continue
    dark = sum(1 for y in range(0, 900, 2) for x in range(0, 1024, 2) if max(im.getpixel((x, y))) < 90)
    if dark < (200 if name.startswith("login") else 600):
        bad(f"{name}: hardly any text drawn ({dark})")
    if not name.startswith("login") and count(im, header, (0, 0, 1024, 40)) < 2000:
        bad(f"{name}: no header bar")
    if name.startswith("candidate"):
        # The photo: a 9rem x 12rem picture of many colours, left of the details.
        region = im.crop((0, 250, 400, 800))
        colours = len(set(region.getdata()))
        if colours < 200:
            bad(f"{name}: no photo drawn ({colours} colours)")
    if name.startswith("admitted") and count(im, (0x0b, 0x6b, 0x2f)) < 3000:
        bad(f"{name}: no green ADMITTED band")
    if name.startswith("already") and count(im, (0xa4, 0x00, 0x1d)) < 3000:
        bad(f"{name}: no red REFUSED band")
sys.exit(0 if ok else 1)
EOF
echo ok
