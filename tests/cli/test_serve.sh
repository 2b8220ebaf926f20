# shiken serve, through curl and raw sockets against the real binary: the
# verification page and JSON API for valid, altered, revoked, foreign and
# garbage tokens; languages (Accept-Language, ?lang=); the security headers
# and a CSP whose hash matches the page's style sheet; a page that loads
# nothing from elsewhere and escapes what a token says; the public keys; bad
# methods, unknown paths, huge URLs and headers, a slow client, too many
# connections, the rate limit; the access log (tokens shortened, reopened on
# SIGHUP); a mount prefix; and SIGTERM answering the request in progress
# before exiting 0. Certificates are minted by tests/tools/mint_cert.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
: "${MINT_CERT:?set MINT_CERT to the mint_cert test tool}"
command -v curl >/dev/null || fail "curl missing (scripts/setup installs it)"
command -v openssl >/dev/null || fail "openssl missing"

KEY="$DB.key"
ISS=https://shiken.example.jp
SIT=2026-12-HAN
claims() { # NUMBER [GIVEN_NAME] [ISSUER]
	printf '{"iss":"%s","cert":"%s","family_name":"TRAN","given_name":"%s","birthdate":"1995-04-01",' \
		"${3:-$ISS}" "$1" "${2:-VAN AN}"
	printf '"test":{"code":"MM1","category_ja":"機械金属加工","category_en":"Machining and Metalworking","level":1},'
	printf '"sitting_date":"2026-12-13","iat":1797238800}\n'
}
mint() { claims "$1" "${3:-VAN AN}" | "$MINT_CERT" "$DB" "$KEY" ${2:+"$2"}; }
flip() { # TOKEN POS: one character changed
	local t=$1 p=$2 r=A
	[[ ${t:$p:1} == A ]] && r=B
	printf '%s%s%s' "${t:0:$p}" "$r" "${t:$((p + 1))}"
}

# ---- servers ----
# Servers still running when the test ends (a failure) are stopped by pid.
SERVERS=()
trap 'for p in "${SERVERS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
# start NAME ARGS...: run shiken serve on a free loopback port; sets PID, URL.
start() {
	local name=$1; shift
	"$SHIKEN" --db "$DB" serve --listen 127.0.0.1:0 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	PID=$!
	SERVERS+=("$PID")
	local i
	for i in $(seq 1 200); do
		grep -q "listening on" "$WORK/$name.err" && break
		kill -0 "$PID" 2>/dev/null || { cat "$WORK/$name.err" >&2; fail "serve $name did not start"; }
		sleep 0.05
	done
	local addr
	addr=$(sed -n 's/^shiken serve: listening on \([0-9.]*:[0-9]*\),.*/\1/p' "$WORK/$name.err")
	[[ -n "$addr" ]] || { cat "$WORK/$name.err" >&2; fail "serve $name printed no address"; }
	URL="http://$addr"
	PORT=${addr##*:}
}
# stop: SIGTERM; the server must exit 0 within a few seconds.
stop() {
	kill -TERM "$PID"
	local rc=0
	timeout 20 tail --pid="$PID" -f /dev/null || fail "serve did not stop after SIGTERM"
	wait "$PID" || rc=$?
	[[ $rc == 0 ]] || fail "serve exited $rc after SIGTERM"
}

# get PATH [CURL ARGS]: body in $WORK/body, headers in $WORK/hdr, $STATUS.
get() {
	local path=$1; shift
	STATUS=$(curl -sS --max-time 10 -o "$WORK/body" -D "$WORK/hdr" -w '%{http_code}' "$@" "$URL$path") ||
		fail "curl $path failed"
}
status_is() { [[ "$STATUS" == "$1" ]] || { head -c 600 "$WORK/body" >&2; fail "status $STATUS, expected $1 ($2)"; }; }
header() { grep -i "^$1:" "$WORK/hdr" | head -1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
jbody() { json "$WORK/body" "$1"; }

# ---- a registry with certificates ----
registry_db
run 0 register add --candidate T-VN01 --sitting $SIT --test MM1
E1=$(examno_of)
run 0 register add --candidate T-VN02 --sitting $SIT --test MM1
E2=$(examno_of)

# Refusals before anything listens: no keys, no issuer.
run 1 serve --base-url https://verify.example.jp --listen 127.0.0.1:0
same_text "$WORK/err" "shiken: no certificate signing keys: run 'shiken keys generate'"
run 0 keys generate
run 1 serve --base-url https://verify.example.jp --listen 127.0.0.1:0
same_text "$WORK/err" "shiken: no certificate issuer set: run 'shiken config set cert.issuer URL'"
run 0 config set cert.issuer "$ISS"
OLD=$(mint 2026-000009-0)
run 0 keys generate
N1=2026-000001-5
N2=2026-000002-8
N3=2026-000003-1
T1=$(mint $N1 "$E1")
T2=$(mint $N2 "$E2")
T3=$(mint $N3 "" "<script>alert('x')</script> & co")
WRONG_ISS=$(claims 2026-000004-4 "VAN AN" https://other.example.org | "$MINT_CERT" "$DB" "$KEY")
"$SHIKEN" --db "$WORK/other.db" init >/dev/null
"$SHIKEN" --db "$WORK/other.db" keys generate >/dev/null
FOREIGN=$(claims $N1 | "$MINT_CERT" "$WORK/other.db" "$WORK/other.db.key")

run 2 serve
contains "$WORK/err" "give the public address: --base-url https://HOST"
run 2 serve --base-url ftp://verify.example.jp
contains "$WORK/err" "'ftp://verify.example.jp' is not a base URL"
run 2 serve --base-url "https://verify.example.jp/?x=1"
run 2 serve --base-url https://verify.example.jp --threads 0
contains "$WORK/err" "--threads takes a whole number from 1 to 256, not '0'"
run 2 serve --base-url https://verify.example.jp --rate-limit -1
run 2 serve --base-url https://verify.example.jp --listen nonsense
contains "$WORK/err" "--listen takes ADDR:PORT"
run 2 serve --base-url https://verify.example.jp extra
contains "$WORK/err" "unexpected argument 'extra'"
run 1 serve --base-url https://verify.example.jp --access-log "$WORK/no/such/dir/log"
contains "$WORK/err" "cannot open the access log '$WORK/no/such/dir/log'"

# ---- the main server ----
start main --base-url https://verify.example.jp --access-log "$WORK/access.log" --timeout 2 --rate-limit 0
# The same port again: a clear error, not a second server.
run 1 serve --base-url https://verify.example.jp --listen "127.0.0.1:$PORT"
contains "$WORK/err" "cannot listen on '127.0.0.1:$PORT': Address already in use"

# A valid certificate, in English.
get "/c/$T1" -H 'Accept-Language: en-GB,en;q=0.9'
status_is 200 "valid page"
for text in '<html lang="en">' '<h1>Valid</h1>' 'The certificate is genuine and valid.' \
	"Compare the surname, given names and date of birth with the holder&#39;s passport." \
	">$N1<" '>TRAN<' '>VAN AN<' '1995-04-01<small>01 APR 1995</small>' 'Machining and Metalworking' \
	'機械金属加工' 'Level 1 · MM1' '2026-12-13' '>2026-12-14<' "$ISS" 'Checked at 2026-11-22 09:00 UTC'; do
	contains "$WORK/body" "$text"
done
lacks "$WORK/body" "Revoked on"
[[ $(header Content-Type) == "text/html; charset=utf-8" ]] || fail "page content type: $(header Content-Type)"
[[ $(header Cache-Control) == no-store ]] || fail "a verdict must not be cached: $(header Cache-Control)"
[[ $(header X-Content-Type-Options) == nosniff ]] || fail "nosniff"
[[ $(header Referrer-Policy) == no-referrer ]] || fail "referrer policy"
[[ $(header X-Frame-Options) == DENY ]] || fail "frame options"
[[ $(header Vary) == Accept-Language ]] || fail "vary"
# The CSP allows exactly the page's own style sheet, by its hash.
style=$(sed -n 's/.*<style>\(.*\)<\/style>.*/\1/p' "$WORK/body")
[[ -n "$style" ]] || fail "no inline style sheet"
hash=$(printf '%s' "$style" | openssl dgst -sha256 -binary | base64)
[[ $(header Content-Security-Policy) == "default-src 'none'; style-src 'sha256-$hash'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" ]] ||
	fail "CSP: $(header Content-Security-Policy) (style hash $hash)"
# Nothing from elsewhere: no script, no link, no image, no URL in the CSS;
# the only links are to this page in another language.
for bad in '<script' '<link' '<img' '<iframe' '<object' 'src=' 'url(' '@import' 'http://' '//fonts'; do
	lacks "$WORK/body" "$bad"
done
grep -o 'href="[^"]*"' "$WORK/body" | grep -v '^href="?lang=[a-z]*"$' && fail "a link that leaves the page"
[[ $(grep -c '<style>' "$WORK/body") == 1 ]] || fail "one style sheet"

# Japanese: from Accept-Language (q-values), and ?lang= over the header.
get "/c/$T1" -H 'Accept-Language: ja-JP,ja;q=0.9,en;q=0.8'
status_is 200 "ja page"
for text in '<html lang="ja">' '<h1>有効</h1>' 'この合格証明書は本物で、有効です。' \
	'姓・名・生年月日を、本人のパスポートと照らし合わせてください。' '証明書番号' '1号 · MM1' '確認日時'; do
	contains "$WORK/body" "$text"
done
lacks "$WORK/body" 'Machining and Metalworking'
get "/c/$T1" -H 'Accept-Language: fr-CH, fr;q=0.9, ja;q=0.5, en;q=0.1'
contains "$WORK/body" '<html lang="ja">'
get "/c/$T1?lang=en" -H 'Accept-Language: ja'
contains "$WORK/body" '<html lang="en">'
get "/c/$T1?lang=ja"
contains "$WORK/body" '<h1>有効</h1>'
get "/c/$T1?lang=xx" -H 'Accept-Language: ja'
contains "$WORK/body" '<html lang="ja">'
# The language links say which one is shown.
contains "$WORK/body" '<a href="?lang=ja" hreflang="ja" lang="ja" aria-current="page">日本語</a>'
contains "$WORK/body" '<a href="?lang=en" hreflang="en" lang="en">English</a>'

# The address typed by hand: what to do.
get / -H 'Accept-Language: ja'
status_is 200 "home"
contains "$WORK/body" '<h1>合格証明書の確認</h1>'
contains "$WORK/body" 'QR コードをスマートフォンのカメラで読み取ってください。'
[[ $(header Content-Security-Policy) == "default-src 'none'; style-src 'sha256-$hash'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'" ]] ||
	fail "home CSP"

# The retired key still verifies what it signed.
get "/c/$OLD"
contains "$WORK/body" '<h1>Valid</h1>'

# HEAD: the headers without the page.
get "/c/$T1" -I
status_is 200 HEAD
lacks "$WORK/body" "<!DOCTYPE" # curl -I writes the headers where the body would go

# What a token says is escaped, though its signature verified.
get "/c/$T3"
contains "$WORK/body" '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co'
lacks "$WORK/body" "<script>"

# ---- the JSON API ----
get "/api/v1/verify?token=$T1"
status_is 200 "api valid"
[[ $(header Content-Type) == application/json && $(header Cache-Control) == no-store ]] || fail "api headers"
[[ $(jbody '$.verdict') == valid && $(jbody '$.reason') == "The certificate is genuine and valid." ]] ||
	fail "api valid: $(cat "$WORK/body")"
[[ $(jbody '$.certificate.cert') == "$N1" && $(jbody '$.certificate.birthdate') == 1995-04-01 &&
	$(jbody '$.certificate.test.level') == 1 && -z $(jbody '$.detail') ]] || fail "api claims: $(cat "$WORK/body")"
get "/api/v1/verify?token=$T1&lang=ja"
[[ $(jbody '$.reason') == "この合格証明書は本物で、有効です。" ]] || fail "api in Japanese: $(cat "$WORK/body")"
# The URL a QR code holds works as the token.
get "/api/v1/verify" -G --data-urlencode "token=https://verify.example.jp/c/$T1?lang=ja"
[[ $(jbody '$.verdict') == valid ]] || fail "api with a URL: $(cat "$WORK/body")"
get "/api/v1/verify"
status_is 400 "api without a token"
[[ $(jbody '$.error') == "give the token: /api/v1/verify?token=TOKEN" ]] || fail "api error: $(cat "$WORK/body")"

# ---- not valid ----
BAD=$(flip "$T1" 200)
get "/c/$BAD"
status_is 200 "a verdict, not an error"
contains "$WORK/body" '<h1>Not valid</h1>'
contains "$WORK/body" 'The signature does not match: the certificate was altered or forged.'
contains "$WORK/body" 'Do not accept this certificate.'
contains "$WORK/body" '(bad_signature)'
lacks "$WORK/body" '>TRAN<'
get "/api/v1/verify?token=$BAD"
[[ $(jbody '$.verdict') == bad_signature && -z $(jbody '$.certificate') ]] || fail "api bad signature: $(cat "$WORK/body")"
get "/c/$BAD?lang=ja"
contains "$WORK/body" '<h1>無効</h1>'
contains "$WORK/body" '署名が一致しません。'

get "/c/$FOREIGN"
contains "$WORK/body" 'The certificate was signed with a key this verifier does not know.'
get "/api/v1/verify?token=$FOREIGN"
[[ $(jbody '$.verdict') == unknown_key ]] || fail "api unknown key: $(cat "$WORK/body")"
get "/api/v1/verify?token=$WRONG_ISS"
[[ $(jbody '$.verdict') == wrong_issuer && $(jbody '$.certificate.iss') == https://other.example.org ]] ||
	fail "api wrong issuer: $(cat "$WORK/body")"
get "/c/$WRONG_ISS"
contains "$WORK/body" '<h1>Not valid</h1>'
lacks "$WORK/body" '>TRAN<'

for garbage in garbage "a.b.c" "%ff%fe" "$(printf 'x%.0s' {1..5000})"; do
	get "/c/$garbage"
	status_is 200 "garbage page"
	contains "$WORK/body" 'This is not a certificate code: it is damaged or incomplete.'
	get "/api/v1/verify?token=$garbage"
	status_is 200 "garbage api"
	[[ $(jbody '$.verdict') == malformed ]] || fail "api garbage: $(cat "$WORK/body")"
done
get "/c/"
contains "$WORK/body" '<h1>Not valid</h1>'
get "/c/%00%ff"
contains "$WORK/body" '<h1>Not valid</h1>'
get "/api/v1/verify?token=%00%ff"
status_is 400 "a token that ends before it starts"

# ---- revocation, as the registry says at the time of the request ----
get "/c/$T2"
contains "$WORK/body" '<h1>Valid</h1>'
run 0 cert revoke $N2 --reason "issued in error"
get "/c/$T2"
status_is 200 "revoked page"
for text in '<h1>Revoked</h1>' 'The certificate was genuine but has been revoked.' \
	'Do not accept this certificate: it no longer proves a pass.' '>Revoked on<' '>2026-11-22<' ">$N2<"; do
	contains "$WORK/body" "$text"
done
get "/api/v1/verify?token=$T2"
[[ $(jbody '$.verdict') == revoked && $(jbody '$.revoked_at') == 2026-11-22T09:00:00Z &&
	$(jbody '$.certificate.cert') == "$N2" ]] || fail "api revoked: $(cat "$WORK/body")"
get "/c/$T2?lang=ja"
contains "$WORK/body" '<h1>失効</h1>'
get "/c/$T1"
contains "$WORK/body" '<h1>Valid</h1>'

# ---- keys and health ----
get /.well-known/jwks.json
status_is 200 jwks
[[ $(header Content-Type) == application/jwk-set+json ]] || fail "jwks type"
[[ $(jbody '$.keys[0].kty') == OKP && $(jbody '$.keys[1].crv') == Ed25519 && -z $(jbody '$.keys[2]') ]] ||
	fail "jwks: two keys, active and retired: $(cat "$WORK/body")"
sk keys export-jwks --out "$WORK/exported.json" >/dev/null
cmp -s <(tr -d '\n' <"$WORK/body") <(tr -d '\n ' <"$WORK/exported.json") ||
	[[ $(json "$WORK/body" '$.keys') == $(json "$WORK/exported.json" '$.keys') ]] || fail "jwks differs from keys export-jwks"
get /healthz -H 'X-Forwarded-For: 203.0.113.99'
status_is 200 healthz
same_text "$WORK/body" ok

# ---- bad requests ----
get "/c/$T1" -X POST -d 'x=1'
status_is 405 POST
[[ $(header Allow) == "GET, HEAD" ]] || fail "405 without Allow"
get /api/v1/verify -X PUT
status_is 405 PUT
[[ $(jbody '$.error') == "method not allowed" ]] || fail "an API error is JSON"
get /api/v1/verify -X DELETE
status_is 405 DELETE
get /nope
status_is 404 "unknown path"
get /api/v2/verify
status_is 404 "unknown API path"
[[ $(jbody '$.error') == "not found" ]] || fail "API 404 is JSON"
get "/c/$(printf 'A%.0s' {1..10000})"
status_is 414 "a long URL"
# Longer than a connection's memory: libmicrohttpd answers it itself.
get "/c/$(printf 'A%.0s' {1..100000})"
[[ $STATUS == 414 || $STATUS == 431 ]] || fail "a very long URL: $STATUS"
get /healthz -H "X-Junk: $(printf 'j%.0s' {1..40000})"
[[ $STATUS == 431 || $STATUS == 413 || $STATUS == 400 ]] || fail "huge headers: $STATUS"
get /healthz
status_is 200 "still serving after bad requests"

# A slow client (half a request, then nothing) is cut off after --timeout,
# and others are served meanwhile.
exec 5<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&5
get /healthz
status_is 200 "served while a slow client dawdles"
t0=$(date +%s%N)
timeout 10 cat <&5 >"$WORK/slow" || fail "the slow client was never cut off"
elapsed=$((($(date +%s%N) - t0) / 1000000))
exec 5<&-
((elapsed < 6000)) || fail "the slow client took ${elapsed} ms to be cut off (--timeout 2)"
[[ ! -s "$WORK/slow" ]] || fail "the slow client got an answer: $(cat "$WORK/slow")"

# Garbage on the wire: each connection is answered or closed (at the latest
# by --timeout 2), and the server goes on.
for junk in '\x00\x01\x02\xff\xfe\r\n\r\n' 'GET / HTTP/9.9\r\n\r\n' 'GARBAGE\r\n\r\n' '\r\n\r\n\r\n' \
	'GET /healthz HTTP/1.1\r\nHost x\r\n\r\n' 'GET /c/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n' \
	'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n' 'GET http://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n'; do
	exec 5<>"/dev/tcp/127.0.0.1/$PORT"
	printf "$junk" >&5 2>/dev/null || true
	timeout 6 cat <&5 >"$WORK/junk" 2>/dev/null || fail "garbage left a connection hanging: $junk"
	exec 5<&-
	kill -0 "$PID" 2>/dev/null || fail "the server died of: $junk"
done
get /healthz
status_is 200 "still serving after garbage"

# ---- the access log ----
lines=$(wc -l <"$WORK/access.log")
((lines > 40)) || fail "only $lines access log lines"
grep -vE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z 127\.0\.0\.1 "[A-Z-]+ [^" ]*" ([0-9]{3}|-) [0-9]+ [0-9]+$' \
	"$WORK/access.log" && fail "access log lines not in the documented format"
contains "$WORK/access.log" "\"GET /c/...${T1: -8}?lang=ja\" 200 "
contains "$WORK/access.log" "\"GET /api/v1/verify?token=...${T1: -8}&lang=ja\" 200 "
contains "$WORK/access.log" '"POST /c/...'
contains "$WORK/access.log" '"GET /nope" 404 10 '
contains "$WORK/access.log" '"HEAD /c/...'
# No token, no payload (a name and a date of birth) in the log.
payload=$(cut -d. -f2 <<<"$T1")
lacks "$WORK/access.log" "${payload:0:24}"
lacks "$WORK/access.log" "$T1"
# The slow client: no response, so no status.
grep -qE '"- /healthz" - 0 [0-9]+$|"GET /healthz" - 0 [0-9]+$' "$WORK/access.log" ||
	fail "the slow client's line: $(tail -3 "$WORK/access.log")"
# SIGHUP reopens it (logrotate moved the old one away).
mv "$WORK/access.log" "$WORK/access.log.1"
kill -HUP "$PID"
for i in $(seq 1 50); do
	get /healthz
	[[ -s "$WORK/access.log" ]] && break
	sleep 0.1
done
contains "$WORK/access.log" '"GET /healthz" 200 3 '
kill -0 "$PID" || fail "SIGHUP stopped the server"

# ---- SIGTERM: a request in progress is answered, then exit 0 ----
exec 5<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /api/v1/verify?token=%s HTTP/1.1\r\nHost: x\r\n' "$T1" >&5
sleep 0.3
kill -TERM "$PID"
# New connections are refused once the stop has begun (a client that got in
# just before is still answered).
code=0
for i in $(seq 1 50); do
	code=0
	curl -sS --max-time 3 "$URL/healthz" >/dev/null 2>&1 || code=$?
	[[ $code == 7 ]] && break
	sleep 0.1
done
[[ $code == 7 ]] || fail "a new connection while stopping: curl exit $code (expected refused)"
kill -0 "$PID" 2>/dev/null || fail "serve exited with a request in progress"
printf 'Accept: */*\r\n\r\n' >&5
timeout 10 cat <&5 >"$WORK/last" || fail "no answer to the request in progress"
exec 5<&-
head -1 "$WORK/last" | grep -q '^HTTP/1.1 200' || fail "the request in progress: $(head -1 "$WORK/last")"
grep -qi '^Connection: close' "$WORK/last" || fail "no Connection: close while stopping"
grep -q '"verdict":"valid"' "$WORK/last" || fail "the request in progress got: $(cat "$WORK/last")"
rc=0
timeout 20 tail --pid="$PID" -f /dev/null || fail "serve did not stop"
wait "$PID" || rc=$?
[[ $rc == 0 ]] || fail "serve exited $rc"
contains "$WORK/main.err" "shiken serve: stopping (SIGTERM): answering the requests in progress"
contains "$WORK/main.err" "shiken serve: stopped after"

# ---- the rate limit, a mount prefix, too many connections ----
start limited --base-url https://example.jp/cert/ --rate-limit 1 --burst 3 --max-connections 4 --max-per-client 3 \
	--timeout 5
get "/cert/c/$T1"
status_is 200 "below the mount prefix"
contains "$WORK/body" '<h1>Valid</h1>'
get "/cert/api/v1/verify?token=$T1"
status_is 200 "API below the mount prefix"
get "/cert/.well-known/jwks.json"
status_is 200 "the third request of a burst of three"
get "/cert/api/v1/verify?token=$T1"
status_is 429 "the fourth request of a burst of three"
[[ $(header Retry-After) == 1 ]] || fail "Retry-After: $(header Retry-After)"
[[ $(jbody '$.error') == "too many requests: try again later" ]] || fail "429 from the API is JSON"
get /cert/healthz
status_is 200 "the health check is not limited"
sleep 1.1
get "/cert/c/$T1"
status_is 200 "a token came back after a second"
get "/c/$T1"
status_is 404 "outside the mount prefix"
sleep 1.1 # a token for it
get /cert
status_is 200 "the mount prefix itself is the home page"
contains "$WORK/body" 'To check a pass certificate, scan the QR code'
get /
status_is 404 "above the mount prefix"
get "/certificate/c/$T1"
status_is 404 "a path that only starts like the prefix"
# Connections: three idle ones from 127.0.0.1 fill --max-per-client 3, so
# a fourth from there is turned away at once; another address is served.
for fd in 5 6 7; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/$PORT"
done
sleep 0.2
t0=$(date +%s%N)
code=0
curl -sS --max-time 5 -o /dev/null "$URL/cert/healthz" 2>/dev/null || code=$?
elapsed=$((($(date +%s%N) - t0) / 1000000))
[[ $code != 0 ]] || fail "a fourth connection from one address was served beyond --max-per-client 3"
((elapsed < 3000)) || fail "the fourth connection hung for ${elapsed} ms instead of being turned away"
get /cert/healthz --interface 127.0.0.2
status_is 200 "another address is served"
# A fourth idle one, from 127.0.0.2, fills --max-connections 4: a fifth is
# turned away at once too (a thread per connection: accepted and closed).
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.2", 0)); s.connect(("127.0.0.1", int(sys.argv[1])))
time.sleep(float(sys.argv[2]))' "$PORT" 2 &
holder=$!
sleep 0.3
t0=$(date +%s%N)
code=0
curl -sS --max-time 5 -o /dev/null --interface 127.0.0.3 "$URL/cert/healthz" 2>/dev/null || code=$?
elapsed=$((($(date +%s%N) - t0) / 1000000))
[[ $code != 0 ]] || fail "a fifth connection was served beyond --max-connections 4"
((elapsed < 3000)) || fail "the fifth connection hung for ${elapsed} ms instead of being turned away"
for fd in 5 6 7; do
	eval "exec $fd<&-"
done
wait "$holder"
sleep 0.2
get /cert/healthz
status_is 200 "served again once the connections closed"
stop

# ---- the registry gone: 503, the reason on standard error, back when it is ----
# (With a pool of event loops this time: the same answers.)
start gone --base-url https://verify.example.jp --threads 3
mv "$DB" "$WORK/moved.db"
get /healthz
status_is 503 "health without a registry"
get "/c/$T1"
status_is 503 "a page without a registry"
lacks "$WORK/body" "<h1>" # no verdict it could not make
get "/api/v1/verify?token=$T1"
status_is 503 "the API without a registry"
[[ $(jbody '$.error') == "service unavailable: try again later" ]] || fail "API 503 is JSON"
contains "$WORK/gone.err" "shiken serve: no database at '$DB'"
mv "$WORK/moved.db" "$DB"
get "/c/$T1"
status_is 200 "the registry is back"
contains "$WORK/body" '<h1>Valid</h1>'
stop

# ---- behind a reverse proxy on this machine ----
start proxied --base-url https://verify.example.jp --behind-proxy --rate-limit 1 --burst 2 --threads 2 \
	--access-log "$WORK/proxied.log"
for i in 1 2; do
	get /.well-known/jwks.json -H 'X-Forwarded-For: 192.0.2.1, 203.0.113.5'
	status_is 200 "forwarded for 203.0.113.5, request $i"
done
get /.well-known/jwks.json -H 'X-Forwarded-For: 203.0.113.5'
status_is 429 "203.0.113.5 is limited, whatever it claims before"
get /.well-known/jwks.json -H 'X-Forwarded-For: 203.0.113.6'
status_is 200 "another client behind the same proxy has its own bucket"
get /.well-known/jwks.json -H 'X-Forwarded-For: nonsense'
status_is 200 "no address forwarded: the proxy's own"
stop
contains "$WORK/proxied.log" ' 203.0.113.5 "GET /.well-known/jwks.json" 429 '
contains "$WORK/proxied.log" ' 203.0.113.6 "GET /.well-known/jwks.json" 200 '
contains "$WORK/proxied.log" ' 127.0.0.1 "GET /.well-known/jwks.json" 200 '
# Without --behind-proxy the header is a client's claim and means nothing.
grep -q '203.0.113' "$WORK/access.log.1" "$WORK/access.log" && fail "X-Forwarded-For trusted without --behind-proxy"
echo ok
