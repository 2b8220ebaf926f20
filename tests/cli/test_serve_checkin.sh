# The web check-in station (shiken serve, /checkin) through curl with a
# cookie jar, against the real binary: staff accounts (shiken staff), a
# failed sign-in, the lockout and its end, sign-in (the cookie's flags),
# choosing the station, a scan, admitting by the passport's last four
# (checked in the database and by `shiken checkin counts`), a refusal by the
# proctor, a second scan of a used ticket (ALREADY CHECKED IN, when, where,
# by whom), a forged ticket; anonymous requests (the sign-in page or a
# redirect, never data, no photo), a grader (403), a wrong or missing CSRF
# token (403, nothing changed), a body too large (413) or without a length
# (411); idle expiry; sign-out (the session gone); Japanese; and at the end
# an audit log that verifies and names the accounts.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
[[ -x "${TICKET_CODES:-}" ]] || fail "TICKET_CODES must name the ticket_codes tool (tests/CMakeLists.txt sets it)"
command -v curl >/dev/null || fail "curl missing (scripts/setup installs it)"

# ---- a registry: the check-in test's sitting, with keys for serve ----
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
	for i in "${!REF[@]}"; do echo "${REF[$i]},S1,MM1,$( ((i < 4)) && echo A || echo B)"; done
} >"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null
{
	echo "reference,sitting,amount,currency,paid_at,method,receipt,kind"
	for i in "${!REF[@]}"; do echo "${REF[$i]},S1,600000,VND,2026-11-01,cash,R$i,payment"; done
} >"$WORK/fees.csv"
sk fee import "$WORK/fees.csv" >/dev/null
sk keys generate >/dev/null
sk config set cert.issuer https://shiken.example.jp >/dev/null
"$TICKET_CODES" "$DB" S1 >"$WORK/codes"
field() { awk -F'\t' -v r="$1" -v f="$2" '$4 == r { print $f }' "$WORK/codes"; }
exam() { field "${REF[$1]}" 1; }
seat() { field "${REF[$1]}" 3; }
code() { field "${REF[$1]}" 5; }
name() { sqlite3 "$DB" "SELECT family_name || CASE given_name WHEN '' THEN '' ELSE ' ' || given_name END
	FROM candidate WHERE reference = '${REF[$1]}'"; }
last4() { sqlite3 :memory: ".import --csv $WORK/gen/c.csv c" \
	"SELECT substr(replace(passport_number, ' ', ''), -4) FROM c WHERE reference = '${REF[$1]}'"; }
photo_of() { count "SELECT photo_id FROM candidate WHERE reference = '${REF[$1]}'"; }
[[ -n "$(photo_of 0)" ]] || fail "candidate 0 should have a photo"

# ---- shiken staff ----
PW='correct horse battery'
run 0 staff --help
contains "$WORK/out" "usage: shiken staff add|list|disable"
printf '%s\n' "$PW" | run 0 staff add sato --role proctor --password-stdin
same_text "$WORK/out" "account sato added (proctor)"
printf '%s\n' "grader pass 1" | run 0 staff add kimura --role grader --password-stdin
printf '%s\n' "admin pass 12" | run 0 staff add root --role admin --password-stdin
snapshot staff
printf 'short\n' | run 1 staff add tanaka --role proctor --password-stdin
same_text "$WORK/err" "shiken: the password is too short: at least 10 characters"
printf '%s\n' "$PW" | run 1 staff add sato --role proctor --password-stdin
same_text "$WORK/err" "shiken: the account 'sato' exists already"
printf '%s\n' "$PW" | run 2 staff add sato --role boss --password-stdin
contains "$WORK/err" "the role is admin, proctor or grader, not 'boss'"
printf '%s\n' "$PW" | run 2 staff add "Sato Yui" --role proctor --password-stdin
run 2 staff add noterm --role proctor </dev/null
: | run 1 staff add tanaka --role proctor --password-stdin
same_text "$WORK/err" "shiken: no password given"
unchanged_since staff
# Only an Argon2id hash is kept, never the password.
[[ $(count "SELECT password_hash FROM staff WHERE name = 'sato'") == '$argon2id$v=19$m=65536,t=2,p=1$'* ]] ||
	fail "the password is not kept as an Argon2id hash"
[[ $(count "SELECT count(*) FROM staff WHERE password_hash LIKE '%horse%'") == 0 ]] || fail "a password in clear"
run 0 staff list
contains "$WORK/out" "sato"
contains "$WORK/out" "grader"
run 0 staff list --json
[[ $(json "$WORK/out" '$[2].name') == sato && $(json "$WORK/out" '$[2].status') == active ]] || fail "staff list --json"
consistent

# ---- the server ----
SERVERS=()
trap 'for p in "${SERVERS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
start() {
	# The old server's lines must be gone before the new one starts: the
	# shell truncates the file in the child, which may come too late.
	rm -f "$WORK/serve.err"
	"$SHIKEN" --db "$DB" serve --listen 127.0.0.1:0 --base-url https://verify.example.jp --rate-limit 0 \
		>"$WORK/serve.out" 2>"$WORK/serve.err" &
	PID=$!
	SERVERS+=("$PID")
	local i addr
	URL=
	for i in $(seq 1 400); do
		# The whole line, not just its start: it may be written in pieces.
		addr=$(sed -n 's/^shiken serve: listening on \([0-9.]*:[0-9]*\),.*/\1/p' "$WORK/serve.err" 2>/dev/null)
		[[ -n "$addr" ]] && break
		kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.err" >&2; fail "serve did not start"; }
		sleep 0.05
	done
	[[ -n "$addr" ]] || { cat "$WORK/serve.err" >&2; fail "serve printed no address"; }
	URL="http://$addr"
}
stop() {
	kill -TERM "$PID"
	wait "$PID" || fail "serve exited $? after SIGTERM"
}
JAR="$WORK/jar"
# req METHOD PATH [CURL ARGS]: body in $WORK/body, headers in $WORK/hdr,
# $STATUS; cookies from and to the jar ($JAR).
req() {
	local method=$1 path=$2; shift 2
	STATUS=$(curl -sS --max-time 20 -X "$method" -b "$JAR" -c "$JAR" -o "$WORK/body" -D "$WORK/hdr" \
		-w '%{http_code}' "$@" "$URL$path") || fail "curl $method $path failed"
}
status_is() { [[ "$STATUS" == "$1" ]] || { head -c 1500 "$WORK/body" >&2; fail "status $STATUS, expected $1 ($2)"; }; }
header() { grep -i "^$1:" "$WORK/hdr" | head -1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
# The form's token on the page just fetched.
csrf() { sed -n 's/.*name="csrf" value="\([A-Za-z0-9_-]*\)".*/\1/p' "$WORK/body" | head -1; }
post() { # PATH FIELD=VALUE...: a form post with the page's token
	local path=$1; shift
	local args=(--data-urlencode "csrf=$TOKEN") f
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	req POST "$path" "${args[@]}"
}
login_page() { req GET /checkin?lang=en; status_is 200 "sign-in page"; TOKEN=$(csrf); contains "$WORK/body" 'name="password"'; }

start

# Anonymous: the sign-in page, or a redirect to it; never data.
login_page
[[ ${#TOKEN} == 43 ]] || fail "no token on the sign-in form"
[[ $(header Set-Cookie) == "shiken_login=$TOKEN; Path=/checkin; HttpOnly; Secure; SameSite=Strict; Max-Age=3600" ]] ||
	fail "the sign-in form's cookie: $(header Set-Cookie)"
[[ $(header Cache-Control) == no-store ]] || fail "pages are not to be cached"
csp=$(header Content-Security-Policy)
[[ $csp == "default-src 'none'; style-src 'sha256-"*"'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" ]] ||
	fail "CSP: $csp"
lacks "$WORK/body" "<script"
for path in /checkin/photo/$(photo_of 0) /checkin/anything; do
	STATUS=$(curl -sS -o "$WORK/body" -D "$WORK/hdr" -w '%{http_code}' "$URL$path")
	status_is 303 "anonymous $path"
	[[ $(header Location) == "/checkin?lang=en" ]] || fail "anonymous $path goes to $(header Location)"
	[[ $(header Content-Type) == "text/plain; charset=utf-8" ]] || fail "anonymous $path: $(header Content-Type)"
	lacks "$WORK/body" "PNG"
done
snapshot anon
STATUS=$(curl -sS -o "$WORK/body" -D "$WORK/hdr" -w '%{http_code}' --data-urlencode "line=$(code 0)" -d csrf=x "$URL/checkin/scan")
status_is 303 "anonymous scan"
lacks "$WORK/body" "$(name 0)"
unchanged_since anon

# A sign-in form posted without its cookie's token: 403, nothing written.
req POST /checkin/login -d name=sato --data-urlencode "password=$PW" -d csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
status_is 403 "sign-in without the token"
unchanged_since anon

# Wrong password: the page says so, the failure is kept and audited.
post /checkin/login name=sato "password=wrong password"
status_is 200 "wrong password"
contains "$WORK/body" "Wrong account name or password."
[[ $(count "SELECT count(*) FROM staff_login_failure") == 1 ]] || fail "the failure is not kept"
# An unknown name reads the same, and the name is not kept.
login_page
post /checkin/login name=nobody "password=whatever it is"
contains "$WORK/body" "Wrong account name or password."
[[ $(count "SELECT count(*) FROM staff_login_failure WHERE staff_id IS NULL") == 1 ]] || fail "unknown name"
[[ $(count "SELECT count(*) FROM audit WHERE action = 'login-failed' AND actor = '-' AND entity_key = '-'") == 1 ]] ||
	fail "the failure of an unknown name is not audited anonymously"

# Lockout: five failures of an account lock it, even for the right password.
for i in 2 3 4 5; do
	login_page
	post /checkin/login name=sato "password=wrong $i"
	status_is 200 "failure $i"
done
login_page
post /checkin/login name=sato "password=$PW"
status_is 429 "locked"
contains "$WORK/body" "Too many failed sign-ins: try again after 2026-11-22 09:15 UTC."
[[ $(header Retry-After) == 900 ]] || fail "Retry-After $(header Retry-After)"
[[ $(count "SELECT count(*) FROM staff_login_failure WHERE staff_id IS NOT NULL") == 5 ]] || fail "a locked try was counted"
[[ $(count "SELECT count(*) FROM audit WHERE action = 'login-locked' AND entity_key = 'sato'") == 1 ]] ||
	fail "the locked try is not audited"
[[ $(count "SELECT count(*) FROM staff_session") == 0 ]] || fail "a session while locked"
stop

# Sixteen minutes later the lock has passed.
export SHIKEN_NOW=2026-11-22T09:16:00Z
start
login_page
post /checkin/login name=sato "password=$PW"
status_is 303 "sign-in"
[[ $(header Location) == "/checkin?lang=en" ]] || fail "after sign-in: $(header Location)"
cookie=$(grep -i '^Set-Cookie: shiken_session=' "$WORK/hdr" | tr -d '\r')
[[ $cookie =~ ^Set-Cookie:\ shiken_session=([A-Za-z0-9_-]{43})\;\ Path=/checkin\;\ HttpOnly\;\ Secure\;\ SameSite=Strict$ ]] ||
	fail "the session cookie: $cookie"
SESSION=${BASH_REMATCH[1]}
# Only the session id's hash is kept.
[[ $(count "SELECT count(*) FROM staff_session") == 1 ]] || fail "no session row"
[[ $(count "SELECT count(*) FROM staff_session WHERE instr(hex(id_hash), hex('$SESSION'))") == 0 ]] ||
	fail "the session id is kept in clear"

# No station yet: the choice.
req GET /checkin?lang=en
status_is 200 "station choice"
contains "$WORK/body" "Where is this station?"
TOKEN=$(csrf)
post /checkin/station sitting=NOPE station=door-A
contains "$WORK/body" "No such sitting, or no such room at its venue."
post /checkin/station sitting=S1 room=A station=door-A
status_is 303 "station chosen"
req GET /checkin?lang=en
status_is 200 "station"
for text in 'S1 · 2026-12-13 · HAN1 · room A' 'station door-A' 'sato (proctor)' 'autofocus' \
	'<meta http-equiv="refresh" content="30; url=/checkin?lang=en">' '<td>A</td><td>4</td><td>0</td>'; do
	contains "$WORK/body" "$text"
done

# A wrong or missing CSRF token: 403, nothing changed.
snapshot csrf
TOKEN_OK=$TOKEN
TOKEN=${TOKEN_OK:0:42}x
post /checkin/admit "line=$(code 0)" sight=1
status_is 403 "wrong CSRF token"
req POST /checkin/admit --data-urlencode "line=$(code 0)" -d sight=1
status_is 403 "no CSRF token"
TOKEN=$TOKEN_OK
unchanged_since csrf
# Bodies: too large (413), without a length (411); malformed (400).
head -c 9000 /dev/zero | tr '\0' a >"$WORK/big"
req POST /checkin/scan --data-binary "@$WORK/big"
status_is 413 "a body too large"
req POST /checkin/scan -H 'Transfer-Encoding: chunked' --data-binary "csrf=$TOKEN"
status_is 411 "a body without a length"
req POST /checkin/scan --data-binary "csrf=$TOKEN&line=%zz"
status_is 400 "a malformed form"
unchanged_since csrf

# Scan: the candidate as the terminal shows them, with the photo.
post /checkin/scan "line=$(code 0)"
status_is 200 "scan"
for text in "$(exam 0) $(name 0)" "room A, seat $(seat 0)" '<dd>paid</dd>' "src=\"/checkin/photo/$(photo_of 0)\"" \
	'MM1 Machining and Metalworking, level 1 (機械金属加工 1号)' 'name="last4"' 'name="sight"' \
	"value=\"$(code 0)\""; do
	contains "$WORK/body" "$text"
done
lacks "$WORK/body" 'http-equiv="refresh"'
# The photo, to this session only, never cached.
req GET "/checkin/photo/$(photo_of 0)"
status_is 200 "photo"
[[ $(header Content-Type) == image/png && $(header Cache-Control) == no-store ]] || fail "photo headers"
cmp -s "$WORK/body" "$WORK/gen/photos/${REF[0]}.png" || fail "not the candidate's photo"

# Admit with the wrong last four: refused, kept; then the right ones.
post /checkin/admit "line=$(code 0)" last4=ZZZZ
contains "$WORK/body" "REFUSED — THE PASSPORT DOES NOT MATCH"
[[ $(count "SELECT count(*) FROM checkin") == 0 ]] || fail "admitted with a wrong passport"
post /checkin/admit "line=$(code 0)"
contains "$WORK/body" 'Type the passport&#39;s last 4 letters or digits'
post /checkin/admit "line=$(code 0)" "last4=$(last4 0)"
status_is 200 "admit"
contains "$WORK/body" "ADMITTED"
contains "$WORK/body" "$(exam 0) $(name 0) → room A, seat $(seat 0) (passport: last 4 characters match)"
[[ $(count "SELECT status || ' ' || station || ' ' || proctor || ' ' || identity || ' ' || source FROM checkin") == \
	"present door-A sato passport ticket" ]] || fail "check-in row: $(count 'SELECT * FROM checkin')"
contains "$WORK/body" '<td>A</td><td>4</td><td>1</td>'
run 0 checkin counts --sitting S1 --room A --json
[[ $(json "$WORK/out" '$.rooms[0].present') == 1 ]] || { cat "$WORK/out" >&2; fail "checkin counts"; }

# The same ticket again: ALREADY CHECKED IN, when, where, by whom.
post /checkin/scan "line=$(code 0)"
contains "$WORK/body" "REFUSED — ALREADY CHECKED IN"
contains "$WORK/body" "checked in at 2026-11-22 09:16 UTC, station door-A, by sato"
[[ $(count "SELECT count(*) FROM checkin_refusal WHERE reason = 'already'") == 1 ]] || fail "the refusal is not kept"

# The proctor does not admit candidate 1.
post /checkin/scan "line=$(code 1)"
contains "$WORK/body" "$(name 1)"
post /checkin/refuse "line=$(code 1)"
contains "$WORK/body" "not admitted: the proctor declined"
[[ $(count "SELECT count(*) FROM checkin_refusal WHERE reason = 'declined' AND proctor = 'sato'") == 1 ]] ||
	fail "the declined refusal"
[[ $(count "SELECT count(*) FROM checkin WHERE status = 'present'") == 1 ]] || fail "candidate 1 admitted"

# A forged ticket: refused, nothing from it shown; another room's candidate.
forged=$(code 2)
forged="${forged:0:20}$([[ ${forged:20:1} == A ]] && echo B || echo A)${forged:21}"
post /checkin/scan "line=$forged"
contains "$WORK/body" "REFUSED — FORGED OR ALTERED TICKET"
lacks "$WORK/body" "$(name 2)"
post /checkin/scan "line=$(code 5)"
contains "$WORK/body" "REFUSED — the seat is in another room"
# Everything a page shows is escaped.
post /checkin/scan 'line=<b>x</b>'
contains "$WORK/body" "&lt;b&gt;x&lt;/b&gt;"
lacks "$WORK/body" "<b>x</b>"

# Japanese.
post "/checkin/scan?lang=ja" "line=$(code 2)"
contains "$WORK/body" '<html lang="ja">'
contains "$WORK/body" "$(exam 2) $(name 2)"
contains "$WORK/body" "機械金属加工 1号"

# A grader signs in and gets 403; an admin may check in.
JAR_P=$JAR
JAR="$WORK/jar.grader"
login_page
post /checkin/login name=kimura "password=grader pass 1"
status_is 303 "grader sign-in"
req GET /checkin
status_is 403 "grader"
lacks "$WORK/body" "Where is this station?"
req GET "/checkin/photo/$(photo_of 0)"
status_is 403 "grader photo"
lacks "$WORK/body" "PNG"
JAR="$WORK/jar.admin"
login_page
post /checkin/login name=root "password=admin pass 12"
req GET /checkin
status_is 200 "admin"
contains "$WORK/body" "Where is this station?"

# Disabling an account ends its sessions at once.
run 0 staff disable root
req GET /checkin?lang=en
contains "$WORK/body" 'name="password"'
lacks "$WORK/body" "Where is this station?"
stop

# Idle for more than 30 minutes: the session has ended.
JAR=$JAR_P
export SHIKEN_NOW=2026-11-22T09:40:00Z
start
req GET /checkin?lang=en
contains "$WORK/body" "station door-A"
TOKEN=$(csrf)
stop
export SHIKEN_NOW=2026-11-22T10:11:00Z
start
req GET /checkin?lang=en
contains "$WORK/body" 'name="password"'
stop
export SHIKEN_NOW=2026-11-22T10:12:00Z
start
# Sign out: the session row goes, the cookie is cleared, the old cookie is nothing.
login_page
post /checkin/login name=sato "password=$PW"
status_is 303 "sign-in again"
SESSION=$(awk '$6 == "shiken_session" { print $7 }' "$JAR")
req GET /checkin?lang=en
TOKEN=$(csrf)
[[ $(count "SELECT count(*) FROM staff_session s JOIN staff a ON a.id = s.staff_id WHERE a.name = 'sato'") == 1 ]] ||
	fail "one session for sato"
post /checkin/logout
status_is 303 "sign-out"
contains "$WORK/hdr" "Set-Cookie: shiken_session=; Path=/checkin; HttpOnly; Secure; SameSite=Strict; Max-Age=0"
[[ $(count "SELECT count(*) FROM staff_session s JOIN staff a ON a.id = s.staff_id WHERE a.name = 'sato'") == 0 ]] ||
	fail "the session is still there"
STATUS=$(curl -sS -o "$WORK/body" -w '%{http_code}' -b "shiken_session=$SESSION" "$URL/checkin/photo/$(photo_of 0)")
status_is 303 "an old session's cookie"
stop

# The audit log: intact, and it names the accounts.
consistent
for action in login login-failed login-locked logout station; do
	[[ $(count "SELECT count(*) FROM audit WHERE entity = 'staff' AND action = '$action'") -ge 1 ]] ||
		fail "no '$action' record"
done
[[ $(count "SELECT actor || ' ' || command FROM audit WHERE entity = 'checkin' AND action = 'present'") == "sato serve" ]] ||
	fail "the admission's audit record: $(count "SELECT actor, command FROM audit WHERE entity = 'checkin'")"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'checkin' AND action = 'refuse' AND actor = 'sato'") -ge 4 ]] ||
	fail "the refusals' audit records"
run 0 audit verify
