# The verification page as a phone shows it: headless Chromium takes a
# screenshot at 390x844 of VALID, REVOKED and NOT VALID in Japanese and
# English, and Pillow looks at each: the size, the verdict band's colour, a
# verdict word drawn in it, and the details below it for the two verdicts
# that have them. Every character the pages use must be in an installed
# font (fontconfig), so nothing is drawn as an empty box. Set
# SHIKEN_SCREENSHOTS=DIR to keep the pictures for a person to look at.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
: "${MINT_CERT:?set MINT_CERT to the mint_cert test tool}"
PY=/usr/bin/python3 # Debian's, with python3-pil
BROWSER=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$BROWSER" ]] || ! "$BROWSER" --headless --no-sandbox --disable-gpu --dump-dom about:blank >/dev/null 2>&1; then
	echo "SKIP: chromium cannot run here (scripts/setup installs the Debian package chromium)"
	exit 0
fi
"$PY" -c 'import PIL' 2>/dev/null || fail "Pillow missing for $PY (scripts/setup installs python3-pil)"
command -v fc-list >/dev/null || fail "fc-list missing (fontconfig)"
SHOTS=${SHIKEN_SCREENSHOTS:-$WORK/shots}
mkdir -p "$SHOTS"

KEY="$DB.key"
ISS=https://shiken.example.jp
claims() {
	printf '{"iss":"%s","cert":"%s","family_name":"NGUYỄN","given_name":"THỊ MINH ANH","birthdate":"1998-11-30",' "$ISS" "$1"
	printf '"test":{"code":"EE1","category_ja":"電気電子機器組立て","category_en":"Electrical and Electronic Equipment Assembly","level":1},'
	printf '"sitting_date":"2026-12-13","iat":1797238800}\n'
}
registry_db
run 0 register add --candidate T-VN01 --sitting 2026-12-HAN --test EE1
E1=$(examno_of)
run 0 register add --candidate T-VN02 --sitting 2026-12-HAN --test EE1
E2=$(examno_of)
run 0 config set cert.issuer "$ISS"
run 0 keys generate
VALID=$(claims 2026-000001-5 | "$MINT_CERT" "$DB" "$KEY" "$E1")
REVOKED=$(claims 2026-000002-8 | "$MINT_CERT" "$DB" "$KEY" "$E2")
run 0 cert revoke 2026-000002-8 --reason "issued in error"
INVALID="${VALID:0:200}$([[ ${VALID:200:1} == A ]] && echo B || echo A)${VALID:201}"

SERVER=
trap '[[ -n "$SERVER" ]] && kill -KILL "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
"$SHIKEN" --db "$DB" serve --base-url https://verify.example.jp --listen 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
for i in $(seq 1 200); do
	grep -q "listening on" "$WORK/serve.err" && break
	kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/serve.err" >&2; fail "serve did not start"; }
	sleep 0.05
done
URL="http://$(sed -n 's/^shiken serve: listening on \([0-9.]*:[0-9]*\),.*/\1/p' "$WORK/serve.err")"

# Every character of the pages is in some installed font.
for lang in ja en; do
	for tok in "$VALID" "$REVOKED" "$INVALID"; do
		curl -sS --max-time 10 "$URL/c/$tok?lang=$lang" >>"$WORK/pages.html" || fail "curl"
	done
done
chars=$("$PY" -c '
import html, re, sys
text = html.unescape(re.sub(r"<style>.*?</style>|<[^>]*>", " ", open(sys.argv[1], encoding="utf-8").read(), flags=re.S))
print(" ".join(sorted({"%x" % ord(c) for c in text if ord(c) > 0x7e})))' "$WORK/pages.html")
[[ -n "$chars" ]] || fail "no non-ASCII characters found in the pages"
[[ -n "$(fc-list ":lang=ja")" ]] || fail "no Japanese font installed (scripts/setup installs fonts-ipaexfont)"
for c in $chars; do
	[[ -n "$(fc-list ":charset=$c" family | head -1)" ]] || fail "no installed font has U+$c: it would be drawn as a box"
done

# name verdict-colour has-details
shoot() {
	local name=$1 tok=$2 lang=$3
	timeout 120 "$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
		--window-size=390,844 --screenshot="$SHOTS/$name-$lang.png" "$URL/c/$tok?lang=$lang" >/dev/null 2>&1 ||
		fail "chromium could not take $name-$lang"
	[[ -s "$SHOTS/$name-$lang.png" ]] || fail "no screenshot $name-$lang"
}
for lang in ja en; do
	shoot valid "$VALID" $lang
	shoot revoked "$REVOKED" $lang
	shoot invalid "$INVALID" $lang
done

"$PY" - "$SHOTS" <<'EOF' || fail "the screenshots are not what a reader should see"
import sys
from PIL import Image

shots = sys.argv[1]
band = {"valid": (0x0b, 0x6b, 0x2f), "revoked": (0x8f, 0x3a, 0x0c), "invalid": (0xa4, 0x00, 0x1d)}
details = {"valid": True, "revoked": True, "invalid": False}
ok = True
def bad(msg):
    global ok
    print(msg, file=sys.stderr)
    ok = False
for name, colour in band.items():
    for lang in ("ja", "en"):
        im = Image.open(f"{shots}/{name}-{lang}.png").convert("RGB")
        if im.size != (390, 844):
            bad(f"{name}-{lang}: size {im.size}")
            continue
        px = im.load()
        # The band at the top is the verdict's colour...
        if max(abs(a - b) for a, b in zip(px[5, 5], colour)) > 6:
            bad(f"{name}-{lang}: the band is {px[5, 5]}, not {colour}")
        # ...from edge to edge, and holds the icon and the word in white.
        height = 0
        while height < 400 and max(abs(a - b) for a, b in zip(px[2, height], colour)) <= 6:
            height += 1
        if not 150 <= height <= 330:
            bad(f"{name}-{lang}: the band is {height} px high")
        white = sum(1 for y in range(height) for x in range(0, 390, 2) if min(px[x, y]) > 235)
        if white < 1500:
            bad(f"{name}-{lang}: only {white} white pixels in the band: no verdict drawn?")
        # Below: the details card (white) only for valid and revoked.
        card = sum(1 for y in range(height + 200, 840, 4) if px[195, y] == (255, 255, 255))
        if details[name] and card < 60:
            bad(f"{name}-{lang}: no details below the verdict ({card})")
        if not details[name] and card > 20:
            bad(f"{name}-{lang}: details shown for a certificate that is not valid ({card})")
        # Text is drawn below the band (dark pixels), not an empty page.
        dark = sum(1 for y in range(height, 844, 2) for x in range(0, 390, 2) if max(px[x, y]) < 90)
        if dark < 800:
            bad(f"{name}-{lang}: only {dark} dark pixels below the band: no text?")
    a = Image.open(f"{shots}/{name}-ja.png").convert("RGB").tobytes()
    b = Image.open(f"{shots}/{name}-en.png").convert("RGB").tobytes()
    if a == b:
        bad(f"{name}: the Japanese and English pages look the same")
sys.exit(0 if ok else 1)
EOF
kill -TERM "$SERVER"
wait "$SERVER" || fail "serve did not exit 0"
SERVER=
echo ok
