# shiken incident add|list: what proctors record at a sitting. An incident
# is recorded against an exam number checked by its check digit (typed
# with or without hyphens, in full-width digits too), audited (entity
# "incident", key the exam number), and entered twice is recorded once.
# Refused, with nothing changed: a mistyped or unknown exam number, a
# cancelled registration, an unknown kind, a missing, over-long or
# formula-like note or proctor. A disqualifying incident against a result
# already stored says the sitting must be graded again. The list shows
# each registration's result so far, as a table or JSON.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"

registry_db
SIT=2026-12-HAN
reg() { sk register add --candidate "$1" --sitting $SIT --test "$2" >"$WORK/out"; examno_of; }
AN=$(reg T-VN01 MM1)
HOA=$(reg T-VN02 MM1)
MINH=$(reg T-VN03 EE1)
GONE=$(reg T-VN04 MM1)
sk register cancel "$GONE" --reason "withdrew" >/dev/null
sk sitting create --code 2027-03-HAN --date 2027-03-14 --time 09:30 --venue HAN1 --test MM1 \
	--fee 600000 --currency VND >/dev/null
LATER=$(sk register add --candidate T-PH01 --sitting 2027-03-HAN --test MM1 | grep -oE '[0-9]{4}-[0-9]{5}-[0-9]')
room_seat() { sqlite3 -separator ' ' "$DB" "SELECT ro.code, char(64 + r.seat_row) || '-' || printf('%02d', r.seat_col)
	FROM registration r JOIN room ro ON ro.id = r.room_id WHERE r.exam_number = '$1'"; }
audits() { count "SELECT count(*) FROM audit WHERE entity = 'incident'"; }
count "SELECT count(*) FROM audit" >/dev/null || fail "no audit table"

run 0 incident list
same_text "$WORK/out" "no incidents"

# ---- add ----
export SHIKEN_NOW=2026-12-13T10:15:00Z
run 0 incident add "$AN" --kind cheating --disqualify --note "notes under the answer sheet" --proctor "Tanaka Yuki"
same_text "$WORK/out" "recorded incident 1: $AN TRAN VAN AN, cheating, disqualifies"
[[ $(count "SELECT kind || '|' || disqualify || '|' || note || '|' || proctor || '|' || i.created_at FROM incident i
	JOIN registration r ON r.id = i.registration_id WHERE r.exam_number = '$AN'") == \
	"cheating|1|notes under the answer sheet|Tanaka Yuki|2026-12-13T10:15:00Z" ]] || fail "the incident as stored"
run 0 audit show --entity incident --key "$AN" --json
[[ $(json "$WORK/out" '$[0].action') == create && $(json "$WORK/out" '$[0].actor') == tester &&
	$(json "$WORK/out" '$[0].command') == "incident add" ]] || fail "the audit record: $(cat "$WORK/out")"
[[ $(json "$WORK/out" '$[0].detail.kind') == cheating && $(json "$WORK/out" '$[0].detail.disqualify') == 1 &&
	$(json "$WORK/out" '$[0].detail.note') == "notes under the answer sheet" &&
	$(json "$WORK/out" '$[0].detail.proctor') == "Tanaka Yuki" ]] || fail "the audit detail: $(cat "$WORK/out")"
consistent

# The exam number as people type it: no hyphens, full-width digits.
typed=$(printf '%s' "${HOA//-/}" | sed 's/0/０/g; s/1/１/g; s/2/２/g; s/3/３/g; s/4/４/g; s/5/５/g; s/6/６/g; s/7/７/g; s/8/８/g; s/9/９/g')
run 0 incident add "$typed" --kind disruption --note "phone rang twice" --proctor "Tanaka Yuki"
same_text "$WORK/out" "recorded incident 2: $HOA NGUYEN THI HOA, disruption"
run 0 incident add "$MINH" --kind other --note "left 10 minutes early, unwell" --proctor "Le Van Binh"
# The same incident again is recorded once.
before=$(audits)
snapshot again
run 0 incident add "$HOA" --kind disruption --note "phone rang twice" --proctor "Tanaka Yuki"
same_text "$WORK/out" "already recorded as incident 2: $HOA NGUYEN THI HOA, disruption"
unchanged_since again
[[ $(audits) == "$before" && $before == 3 ]] || fail "three incidents audited once each"

# ---- refusals: nothing changes ----
bad=${AN%?}$(( (${AN: -1} + 1) % 10 ))
refused 1 "exam_number: '$bad' has a wrong check digit (mistyped?)
shiken: nothing was recorded" incident add "$bad" --kind cheating --note x --proctor y
refused 1 "exam_number: '12345' is not an exam number (like 0001-00042-6)
shiken: nothing was recorded" incident add 12345 --kind cheating --note x --proctor y
unknown=$(examno 1 99)
refused 1 "shiken: no registration with exam number $unknown" incident add "$unknown" --kind other --note x --proctor y
refused 1 "shiken: registration $GONE is cancelled: no incident can be recorded" \
	incident add "$GONE" --kind cheating --disqualify --note "seen copying" --proctor "Tanaka Yuki"
refused 1 "kind: 'fighting' is not one of cheating, impersonation, disruption, other
note: is empty
proctor: must not start with '=', '+' or '@' (a spreadsheet would run it as a formula)
shiken: nothing was recorded" incident add "$AN" --kind fighting --note "  " --proctor "=HYPERLINK(\"x\")"
long=$(printf 'x%.0s' $(seq 501))
refused 1 "note: too long (at most 500 characters)
shiken: nothing was recorded" incident add "$AN" --kind other --note "$long" --proctor "Tanaka Yuki"
refused 1 "note: contains a line break
shiken: nothing was recorded" incident add "$AN" --kind other --note "two
lines" --proctor "Tanaka Yuki"
refused 1 "note: contains a control character
shiken: nothing was recorded" incident add "$AN" --kind other --note "$(printf 'bell\a')" --proctor "Tanaka Yuki"
refused_usage "shiken: give --kind, --note and --proctor" incident add "$AN" --kind cheating --note "x"
refused_usage "shiken: give one exam number" incident add --kind cheating --note x --proctor y
refused_usage "shiken: unexpected argument 'extra'" incident add "$AN" extra --kind cheating --note x --proctor y
refused_usage "shiken: unknown option '--disqualified'" incident add "$AN" --kind cheating --disqualified --note x --proctor y
refused_usage "shiken: option '--kind' needs a value" incident add "$AN" --note x --proctor y --kind

# ---- list ----
run 0 incident list --sitting $SIT
same_text "$WORK/out" "exam number   sitting      room  seat  name            kind        disqualifies  proctor      note                           result
$AN  $SIT  $(room_seat "$AN" | awk '{ printf "%-4s  %-4s", $1, $2 }')  TRAN VAN AN     cheating    yes           Tanaka Yuki  notes under the answer sheet   pending
$HOA  $SIT  $(room_seat "$HOA" | awk '{ printf "%-4s  %-4s", $1, $2 }')  NGUYEN THI HOA  disruption  no            Tanaka Yuki  phone rang twice               pending
$MINH  $SIT  $(room_seat "$MINH" | awk '{ printf "%-4s  %-4s", $1, $2 }')  PHAM DUC MINH   other       no            Le Van Binh  left 10 minutes early, unwell  pending"
run 0 incident list --sitting 2027-03-HAN
same_text "$WORK/out" "no incidents"
run 1 incident list --sitting 2027-01-NOPE
same_text "$WORK/err" "shiken: no sitting '2027-01-NOPE'"
run 0 incident list --json
sqlite3 :memory: "SELECT json_valid(CAST(readfile('$WORK/out') AS TEXT))" | grep -qx 1 || fail "list --json is not valid JSON"
[[ $(sqlite3 :memory: "SELECT json_array_length(CAST(readfile('$WORK/out') AS TEXT))") == 3 ]] || fail "list --json: 3 incidents"
[[ $(json "$WORK/out" '$[0].exam_number') == "$AN" && $(json "$WORK/out" '$[0].disqualify') == 1 &&
	$(json "$WORK/out" '$[0].kind') == cheating && $(json "$WORK/out" '$[0].outcome') == pending &&
	$(json "$WORK/out" '$[0].reference') == T-VN01 && $(json "$WORK/out" '$[0].created_at') == 2026-12-13T10:15:00Z &&
	$(json "$WORK/out" '$[1].disqualify') == 0 ]] || fail "list --json fields: $(cat "$WORK/out")"
run 0 --lang ja incident list
contains "$WORK/out" "不正行為"
contains "$WORK/out" "採点前"

# ---- after grading: a late disqualification waits for the next grading ----
sqlite3 "$DB" "
INSERT INTO grading_run (id, sitting_id, actor, started_at, graded, written)
	SELECT 1, id, 'tester', '2026-12-20T09:00:00Z', 3, 3 FROM sitting WHERE code = '$SIT';
INSERT INTO result (registration_id, run_id, outcome, graded_at)
	SELECT id, 1, 'pass', '2026-12-20T09:00:00Z' FROM registration WHERE exam_number = '$MINH';"
run 0 incident add "$MINH" --kind impersonation --disqualify --note "photo does not match the passport" --proctor "Le Van Binh"
same_text "$WORK/out" "recorded incident 4: $MINH PHAM DUC MINH, impersonation, disqualifies
$MINH is graded 'pass': grade sitting $SIT again to disqualify (shiken grade --sitting $SIT)"
run 0 incident list --json
[[ $(json "$WORK/out" '$[3].outcome') == pass && $(json "$WORK/out" '$[3].kind') == impersonation ]] ||
	fail "the list shows the stored result"
# Another sitting's incident, and the list's order: exam date first.
run 0 incident add "$LATER" --kind other --note "arrived late, admitted" --proctor "Tanaka Yuki"
run 0 incident list --json
[[ $(json "$WORK/out" '$[4].exam_number') == "$LATER" && $(json "$WORK/out" '$[4].sitting') == 2027-03-HAN ]] ||
	fail "the later sitting's incident is not last"
[[ $(audits) == 5 ]] || fail "five incidents audited"
consistent
echo ok
