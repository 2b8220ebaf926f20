# A pass certificate from end to end, as an employer meets it: the demo's
# registry (candidates, papers, check-in, grading, certificates issued and
# printed), the certificate page rendered at 150 dpi, its QR code read with
# zbarimg, the URL opened on a running 'shiken serve': VALID. The same token
# with one character changed: NOT VALID (bad_signature). Revoked: REVOKED.
# A token signed by a key this registry does not know: unknown key. Then a
# graceful stop.
source "$(dirname "$0")/lib.sh"
for tool in pdftoppm zbarimg curl; do
	command -v "$tool" >/dev/null || fail "$tool missing (scripts/setup installs it)"
done

DEMO=$WORK/demo
"$SHIKEN" demo --out "$DEMO" --count 60 --assets "$TESTS_DIR/../assets" >"$WORK/demo.log" 2>&1 ||
	{ tail -30 "$WORK/demo.log" >&2; fail "the demo failed"; }
DB=$DEMO/shiken.db
BASE=$(sqlite3 "$DB" "SELECT value FROM meta WHERE key = 'cert.base_url'")
[[ -n "$BASE" ]] || fail "the demo set no cert.base_url"

# The first certificate the demo printed, as a phone camera sees it.
pdf=$(ls "$DEMO"/print/*/certificates/*.pdf | head -1)
[[ -f "$pdf" ]] || fail "the demo printed no certificate"
number=$(basename "$pdf" .pdf)
pdftoppm -r 150 -png -singlefile "$pdf" "$WORK/page"
url=$(zbarimg -q --raw "$WORK/page.png" 2>/dev/null) || fail "no QR code read from $pdf at 150 dpi"
[[ "$url" == "$BASE/c/"* ]] || fail "the QR code holds '$url', not $BASE/c/TOKEN"
token=${url#"$BASE/c/"}
[[ "$token" == "$(sqlite3 "$DB" "SELECT token FROM certificate WHERE number = '$number'")" ]] ||
	fail "the QR code's token is not certificate $number's"

# The service, on a free port; the URL's path is what the phone asks for.
"$SHIKEN" --db "$DB" serve --listen 127.0.0.1:0 --base-url "$BASE" --rate-limit 0 \
	>"$WORK/serve.out" 2>"$WORK/serve.err" &
PID=$!
trap 'kill -KILL $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 200); do
	grep -q "listening on" "$WORK/serve.err" && break
	kill -0 $PID 2>/dev/null || { cat "$WORK/serve.err" >&2; fail "serve did not start"; }
	sleep 0.05
done
addr=$(sed -n 's/^shiken serve: listening on \([0-9.]*:[0-9]*\),.*/\1/p' "$WORK/serve.err")
[[ -n "$addr" ]] || fail "serve printed no address"
path=${url#http*://*/}
open() { curl -sS --max-time 10 -H 'Accept-Language: en' -o "$WORK/page.html" -w '%{http_code}' "http://$addr/$1"; }
api() { curl -sS --max-time 10 -G --data-urlencode "token=$1" "http://$addr/api/v1/verify" >"$WORK/verdict.json"; }
verdict() { sqlite3 :memory: "SELECT json_extract(CAST(readfile('$WORK/verdict.json') AS TEXT), '\$.verdict')"; }

[[ $(open "$path") == 200 ]] || fail "the certificate page did not answer 200"
contains "$WORK/page.html" '<main class="v-valid">'
contains "$WORK/page.html" "<h1>Valid</h1>"
contains "$WORK/page.html" "$number"
api "$url"
[[ $(verdict) == valid ]] || fail "the API says $(cat "$WORK/verdict.json"), not valid"

# One character of the signed part changed, as a forger would.
pos=$(( $(expr index "$token" .) + 5 ))
c=${token:$pos:1}; r=A; [[ $c == A ]] && r=B
forged=${token:0:$pos}$r${token:$((pos + 1))}
[[ $(open "c/$forged") == 200 ]] || fail "the forged certificate's page did not answer"
contains "$WORK/page.html" '<main class="v-invalid">'
contains "$WORK/page.html" "<h1>Not valid</h1>"
lacks "$WORK/page.html" "$number"
api "$forged"
[[ $(verdict) == bad_signature ]] || fail "a changed token: $(cat "$WORK/verdict.json")"

# Signed by a key this registry never had: another registry's certificate.
OTHER=$WORK/other
"$SHIKEN" --db "$OTHER.db" init >/dev/null
"$SHIKEN" --db "$OTHER.db" keys generate >/dev/null
other_token=$(printf '{"iss":"%s","cert":"2026-000001-5","family_name":"X","given_name":"Y","birthdate":"1990-01-01","test":{"code":"MM1","category_ja":"機械金属加工","category_en":"Machining and Metalworking","level":1},"sitting_date":"2026-12-13","iat":1797238800}' "$BASE" |
	"$MINT_CERT" "$OTHER.db" "$OTHER.db.key")
[[ -n "$other_token" ]] || fail "could not sign a stranger's token"
api "$other_token"
[[ $(verdict) == unknown_key ]] || fail "another registry's key: $(cat "$WORK/verdict.json")"

# Revoked: the page says so at once, without a restart.
"$SHIKEN" --db "$DB" cert revoke "$number" --reason "end-to-end test" >/dev/null
[[ $(open "$path") == 200 ]] || fail "the revoked certificate's page did not answer"
contains "$WORK/page.html" '<main class="v-revoked">'
contains "$WORK/page.html" "<h1>Revoked</h1>"
api "$url"
[[ $(verdict) == revoked ]] || fail "a revoked certificate: $(cat "$WORK/verdict.json")"

kill -TERM $PID
timeout 20 tail --pid=$PID -f /dev/null || fail "serve did not stop after SIGTERM"
rc=0
wait $PID || rc=$?
[[ $rc == 0 ]] || fail "serve exited $rc after SIGTERM"
echo ok
