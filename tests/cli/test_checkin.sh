# shiken checkin: the check-in station at the door, fed lines the way a
# handheld scanner types them (a ticket's QR payload and Enter) or a proctor
# types an exam number, then the answers to its questions (the passport's
# last four characters or '+' for by sight; y/n to admit someone late or
# marked absent). The happy path shows the candidate and admits once, with
# the passport check and the photo; every refusal says why and changes
# nothing but the refusal kept: a forged or altered ticket (exit 3), a
# ticket already used (when, where, by whom), another sitting's, room's or
# test's ticket, a cancelled registration, an unpaid fee, a passport that
# does not match, a late arrival the proctor declines. `close` marks the
# rest absent, `counts` adds up, `policy` sets the rules at the door; bad
# usage is refused with nothing changed; Japanese when asked.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
[[ -x "${TICKET_CODES:-}" ]] || fail "TICKET_CODES must name the ticket_codes tool (tests/CMakeLists.txt sets it)"

fresh_db
mkdir -p "$WORK/gen"
sk generate candidates --count 12 --seed 7 --year 2026 --photos 3 --out "$WORK/gen/c.csv" >/dev/null
sk candidate import "$WORK/gen/c.csv" >/dev/null
sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city Hanoi --address "12 Tran Hung Dao" \
	--room A:2x4 --room B:2x4 >/dev/null
sk sitting create --code S1 --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 --test EE1 \
	--fee 600000 --currency VND >/dev/null
sk sitting create --code S2 --date 2026-12-20 --time 09:30 --venue HAN1 --test MM1 --fee 600000 --currency VND >/dev/null
# Candidates 0-4 in room A of S1 (3 sits EE1, the rest MM1), 5-9 in room B,
# 10-11 in S2. Every fee is paid but 9's.
mapfile -t REF < <(sqlite3 :memory: ".import --csv $WORK/gen/c.csv c" "SELECT reference FROM c ORDER BY reference")
{
	echo "reference,sitting,test,room"
	for i in "${!REF[@]}"; do
		if ((i < 10)); then
			echo "${REF[$i]},S1,$( ((i == 3)) && echo EE1 || echo MM1),$( ((i < 5)) && echo A || echo B)"
		else
			echo "${REF[$i]},S2,MM1,A"
		fi
	done
} >"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null
{
	echo "reference,sitting,amount,currency,paid_at,method,receipt,kind"
	for i in "${!REF[@]}"; do
		((i == 9)) || echo "${REF[$i]},$( ((i < 10)) && echo S1 || echo S2),600000,VND,2026-11-01,cash,R$i,payment"
	done
} >"$WORK/fees.csv"
sk fee import "$WORK/fees.csv" >/dev/null
# What the scanner reads off each ticket (exam number, room, seat, reference, payload).
"$TICKET_CODES" "$DB" S1 >"$WORK/codes"
"$TICKET_CODES" "$DB" S2 >>"$WORK/codes"
[[ $(wc -l <"$WORK/codes") == 12 ]] || fail "12 tickets expected"
field() { awk -F'\t' -v r="$1" -v f="$2" '$4 == r { print $f }' "$WORK/codes"; }
exam() { field "${REF[$1]}" 1; }
seat() { field "${REF[$1]}" 3; }
code() { field "${REF[$1]}" 5; }
name() { sqlite3 "$DB" "SELECT family_name || CASE given_name WHEN '' THEN '' ELSE ' ' || given_name END
	FROM candidate WHERE reference = '${REF[$1]}'"; }
last4() { sqlite3 :memory: ".import --csv $WORK/gen/c.csv c" \
	"SELECT substr(replace(passport_number, ' ', ''), -4) FROM c WHERE reference = '${REF[$1]}'"; }
for i in 0 1 2 3 4 5 9 10; do [[ -n $(code $i) ]] || fail "no ticket for candidate $i"; done
# scans LINE...: the lines a station reads, in $WORK/scan.
scans() { printf '%s\n' "$@" >"$WORK/scan"; }
door() { run "$1" checkin --sitting S1 --room "$2" --station "door-$2" --proctor "$3" "${@:4}" --from "$WORK/scan"; }
present() { count "SELECT count(*) FROM checkin WHERE status = 'present'"; }
refusals() { count "SELECT count(*) FROM checkin_refusal${1:+ WHERE reason = '$1'}"; }

export SHIKEN_NOW=2026-12-13T02:00:00Z

# ---- the happy path: scanned, typed, passport by its last four or by sight ----
typed=$(exam 2 | tr -d -)
scans "$(code 0)" "$(last4 0)" "$(code 1)" "+" "$typed" "$(last4 2 | tr 'A-Z' 'a-z')"
door 0 A "Sato Yui" --photos "$WORK/photos"
contains "$WORK/out" "check-in station door-A: sitting S1 (2026-12-13 09:30, venue HAN1), room A, proctor Sato Yui"
contains "$WORK/out" "unpaid fees refused; no late cutoff"
contains "$WORK/out" "$(exam 0)  $(name 0)"
contains "$WORK/out" "  date of birth  $(count "SELECT date_of_birth FROM candidate WHERE reference = '${REF[0]}'")"
nat=$(count "SELECT nationality FROM candidate WHERE reference = '${REF[0]}'")
contains "$WORK/out" "  nationality    $nat "
contains "$WORK/out" "  test           MM1 Machining and Metalworking, level 1 (機械金属加工 1号)"
contains "$WORK/out" "  room and seat  room A, seat $(seat 0)"
contains "$WORK/out" "  fee            paid"
contains "$WORK/out" "  photo          $WORK/photos/$(exam 0).png"
contains "$WORK/out" "typed by hand, not scanned: check the passport with care"
contains "$WORK/out" "ADMITTED $(exam 0) $(name 0) → room A, seat $(seat 0) (passport: last 4 characters match)"
contains "$WORK/out" "ADMITTED $(exam 1) $(name 1) → room A, seat $(seat 1) (passport checked by sight)"
contains "$WORK/out" "ADMITTED $(exam 2) $(name 2) → room A, seat $(seat 2) (passport: last 4 characters match)"
contains "$WORK/out" "station door-A: 3 scans: 3 admitted, 0 refused, 0 not admitted"
# The photo the proctor compares is the one imported; the passport number is never shown.
cmp -s "$WORK/photos/$(exam 0).png" "$WORK/gen/photos/${REF[0]}.png" || fail "the photo written is not the candidate's"
passport0=$(sqlite3 :memory: ".import --csv $WORK/gen/c.csv c" "SELECT passport_number FROM c WHERE reference = '${REF[0]}'")
lacks "$WORK/out" "$passport0"
lacks "$WORK/out" "•"
[[ $(count "SELECT group_concat(r.exam_number || ' ' || c.station || ' ' || c.proctor || ' ' || c.source || ' ' ||
	c.identity || ' ' || c.late || ' ' || c.at, '|') FROM checkin c JOIN registration r ON r.id = c.registration_id
	WHERE c.status = 'present' ORDER BY r.exam_number") == \
	"$(exam 0) door-A Sato Yui ticket passport 0 2026-12-13T02:00:00Z|$(exam 1) door-A Sato Yui ticket sight 0 2026-12-13T02:00:00Z|$(exam 2) door-A Sato Yui typed passport 0 2026-12-13T02:00:00Z" ]] ||
	fail "the check-ins as stored"
run 0 audit show --entity checkin --key "$(exam 0)" --json
[[ $(json "$WORK/out" '$[0].action') == present && $(json "$WORK/out" '$[0].command') == checkin &&
	$(json "$WORK/out" '$[0].actor') == tester && $(json "$WORK/out" '$[0].detail.station') == door-A &&
	$(json "$WORK/out" '$[0].detail.proctor') == "Sato Yui" && $(json "$WORK/out" '$[0].detail.identity') == passport ]] ||
	fail "the audit record of a check-in: $(cat "$WORK/out")"
grep -qF "$passport0" <(sqlite3 "$DB" "SELECT detail FROM audit") && fail "the passport number is in the audit log"
consistent

# ---- a second person with the same ticket: refused, saying when, where, by whom ----
export SHIKEN_NOW=2026-12-13T02:07:00Z
scans "$(code 0)"
run 1 checkin --sitting S1 --station door-A2 --proctor "Ito Ren" <"$WORK/scan"
contains "$WORK/out" "!!! REFUSED — ALREADY CHECKED IN !!!"
contains "$WORK/out" "$(exam 0) $(name 0) was checked in at 2026-12-13T02:00:00Z at station door-A by Sato Yui"
contains "$WORK/out" "shiken incident add $(exam 0) --kind impersonation"
contains "$WORK/out" "station door-A2: 1 scans: 0 admitted, 1 refused, 0 not admitted"
[[ $(present) == 3 && $(refusals already) == 1 ]] || fail "the second scan admitted or not kept"
[[ $(count "SELECT station || ' ' || proctor || ' ' || at FROM checkin_refusal WHERE reason = 'already'") == \
	"door-A2 Ito Ren 2026-12-13T02:07:00Z" ]] || fail "the refusal as kept"
[[ $(count "SELECT json_extract(detail, '$.checked_in.station') FROM audit WHERE action = 'refuse'") == door-A ]] ||
	fail "the refusal's audit record names the first check-in"

# ---- a forged or altered ticket: loud, exit 3, nothing read from it ----
mac0=$(code 0); mac0=${mac0##*:}
altered="SK1T:$(exam 4):$mac0"
c4=$(code 4)
last=${c4: -1}
remac="${c4%?}$([[ $last == A ]] && echo B || echo A)"
snapshot forged
scans "$altered" "$remac"
door 3 A "Sato Yui"
contains "$WORK/out" "!!! REFUSED — FORGED OR ALTERED TICKET !!!"
contains "$WORK/out" "  $altered"
contains "$WORK/out" "do not admit; keep the ticket"
contains "$WORK/out" "2 forged or altered tickets were refused"
lacks "$WORK/out" "$(name 4)"
[[ $(refusals forged) == 2 && $(count "SELECT count(*) FROM checkin_refusal WHERE reason = 'forged' AND registration_id IS NULL") == 2 ]] ||
	fail "forged tickets kept, naming nobody"
[[ $(present) == 3 ]] || fail "a forged ticket admitted someone"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'checkin' AND entity_key = 'S1' AND json_extract(detail, '$.reason') = 'forged'") == 2 ]] ||
	fail "forged tickets audited under the sitting"

# ---- wrong room, test, sitting; cancelled; unreadable and mistyped lines ----
sk register cancel "$(exam 8)" --reason "withdrew" >/dev/null
wrongdigit="$(exam 4 | cut -c1-11)$(( ($(exam 4 | cut -c12) + 1) % 10 ))"
scans "$(code 5)" "$(code 10)" "$(code 8)" "hello" "$wrongdigit" "$(code 3)"
run 1 checkin --sitting S1 --room A --test MM1 --station door-A --proctor "Sato Yui" --from "$WORK/scan"
contains "$WORK/out" "!!! REFUSED — the seat is in another room !!!"
contains "$WORK/out" "  $(exam 5) $(name 5): room B, seat $(seat 5) (this is room A)"
contains "$WORK/out" "send the candidate to their room"
contains "$WORK/out" "!!! REFUSED — the ticket is for another sitting !!!"
contains "$WORK/out" "  $(exam 10) $(name 10): sitting S2 on 2026-12-20, not S1 on 2026-12-13"
contains "$WORK/out" "!!! REFUSED — the registration was cancelled !!!"
contains "$WORK/out" "!!! REFUSED — not a ticket or an exam number !!!"
contains "$WORK/out" "!!! REFUSED — the exam number has a wrong check digit !!!"
contains "$WORK/out" "  $wrongdigit"
contains "$WORK/out" "!!! REFUSED — the ticket is for another test !!!"
contains "$WORK/out" "  $(exam 3) $(name 3) sits EE1; this station admits to MM1"
contains "$WORK/out" "station door-A: 6 scans: 0 admitted, 6 refused, 0 not admitted"
# Kept: the four that concern a registration; a typo is not evidence of anything.
[[ $(refusals wrong_room) == 1 && $(refusals wrong_sitting) == 1 && $(refusals cancelled) == 1 &&
	$(refusals wrong_test) == 1 && $(refusals) == 7 ]] || fail "refusals kept: $(count "SELECT group_concat(reason) FROM checkin_refusal")"
[[ $(present) == 3 ]] || fail "a refused scan admitted someone"

# ---- the fee: refused by default, admitted and flagged when the sitting says so ----
scans "$(code 9)"
door 1 B "Tanaka Ken"
contains "$WORK/out" "!!! REFUSED — the fee is not paid !!!"
contains "$WORK/out" "  $(exam 9) $(name 9): fee unpaid"
run 0 checkin policy --sitting S1 --unpaid admit
same_text "$WORK/out" "sitting S1 at the door:
  unpaid fees: admitted, flagged
  late after: no cutoff"
scans "$(code 9)" "+"
door 0 B "Tanaka Ken"
contains "$WORK/out" "! fee unpaid: this sitting admits it; it is recorded"
contains "$WORK/out" "ADMITTED $(exam 9) $(name 9) → room B, seat $(seat 9) (passport checked by sight), fee unpaid"
[[ $(count "SELECT fee_unpaid FROM checkin c JOIN registration r ON r.id = c.registration_id WHERE r.exam_number = '$(exam 9)'") == 1 ]] ||
	fail "admitted unpaid, not flagged"

# ---- the passport does not match: refused, kept; malformed answers are not admissions ----
l5=$(last4 5)
wrong5="${l5:0:3}$([[ ${l5:3:1} == 9 ]] && echo 0 || echo 9)"
scans "$(code 5)" "$wrong5" "$(code 6)" "12"
door 1 B "Tanaka Ken"
contains "$WORK/out" "!!! REFUSED — THE PASSPORT DOES NOT MATCH !!!"
contains "$WORK/out" "type exactly 4 letters or digits, '+', or nothing to cancel"
contains "$WORK/out" "NOT ADMITTED $(exam 6) $(name 6): cancelled"
contains "$WORK/out" "station door-B: 2 scans: 0 admitted, 1 refused, 1 not admitted"
lacks "$WORK/out" "$l5"
[[ $(refusals passport) == 1 && $(present) == 4 ]] || fail "a wrong passport admitted someone"

# ---- a new scan at a question abandons the candidate before it ----
scans "$(code 6)" "$(code 5)" "$(last4 5)"
door 1 B "Tanaka Ken"
contains "$WORK/out" "NOT ADMITTED $(exam 6) $(name 6): a new scan came first"
contains "$WORK/out" "ADMITTED $(exam 5) $(name 5) → room B"

# ---- late: only on the proctor's yes, recorded ----
run 0 checkin policy --sitting S1 --late-after 09:45+07:00
same_text "$WORK/out" "sitting S1 at the door:
  unpaid fees: admitted, flagged
  late after: 2026-12-13T02:45:00Z (at the venue: 2026-12-13 09:45:00 (UTC+07:00))"
export SHIKEN_NOW=2026-12-13T02:50:00Z
scans "$(code 6)" "n" "$(code 6)" "y" "+"
door 1 B "Tanaka Ken"
contains "$WORK/out" "late after 2026-12-13 09:45:00 (UTC+07:00)"
contains "$WORK/out" "  ! LATE: after the cutoff 2026-12-13 09:45:00 (UTC+07:00)"
contains "$WORK/out" "!!! REFUSED — not admitted: the proctor declined !!!"
contains "$WORK/out" "ADMITTED $(exam 6) $(name 6) → room B, seat $(seat 6) (passport checked by sight), late"
[[ $(refusals declined) == 1 ]] || fail "the proctor's no is not kept"
[[ $(count "SELECT late FROM checkin c JOIN registration r ON r.id = c.registration_id WHERE r.exam_number = '$(exam 6)'") == 1 ]] ||
	fail "admitted late, not recorded as late"

# ---- counts, close, and someone marked absent who turns up ----
run 0 checkin counts --sitting S1
same_text "$WORK/out" "room   expected  present  late  absent  not yet  refused
A      5         3        0     0       2        2
B      4         3        1     0       1        5
total  9         6        1     0       3        7"
export SHIKEN_NOW=2026-12-13T03:00:00Z
run 0 checkin close --sitting S1 --room B --proctor "Tanaka Ken"
same_text "$WORK/out" "S1 room B: 1 marked absent"
[[ $(count "SELECT r.exam_number || ' ' || c.station || ' ' || c.proctor FROM checkin c JOIN registration r
	ON r.id = c.registration_id WHERE c.status = 'absent'") == "$(exam 7) close Tanaka Ken" ]] || fail "who was marked absent"
snapshot closed
run 0 checkin close --sitting S1 --room B --proctor "Tanaka Ken"
same_text "$WORK/out" "S1 room B: nobody missing; nothing marked"
unchanged_since closed
run 0 checkin counts --sitting S1 --room B --json
[[ $(json "$WORK/out" '$.rooms[0].room') == B && $(json "$WORK/out" '$.rooms[0].expected') == 4 &&
	$(json "$WORK/out" '$.rooms[0].present') == 3 && $(json "$WORK/out" '$.rooms[0].late') == 1 &&
	$(json "$WORK/out" '$.rooms[0].absent') == 1 && $(json "$WORK/out" '$.rooms[0].waiting') == 0 &&
	$(json "$WORK/out" '$.total.absent') == 1 ]] || fail "counts --json: $(cat "$WORK/out")"
scans "$(code 7)" "y" "$(last4 7)"
door 0 B "Tanaka Ken"
contains "$WORK/out" "! marked absent at 2026-12-13 10:00:00 (UTC+07:00) by Tanaka Ken (station close)"
contains "$WORK/out" "ADMITTED $(exam 7) $(name 7) → room B"
[[ $(count "SELECT absent_at FROM checkin c JOIN registration r ON r.id = c.registration_id WHERE r.exam_number = '$(exam 7)'") == \
	2026-12-13T03:00:00Z ]] || fail "the absence admitted over is not kept"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'checkin' AND entity_key = '$(exam 7)' AND action = 'present'
	AND json_extract(detail, '$.was_absent') = '2026-12-13T03:00:00Z'") == 1 ]] || fail "the audit record says nothing of the absence"
consistent

# ---- bad usage and bad names: refused, nothing changed ----
refused_usage "shiken: give --sitting, --station and --proctor" checkin --sitting S1 --proctor x
refused_usage "shiken: unknown option '--seat'" checkin --sitting S1 --station a --proctor b --seat 1
refused_usage "shiken: give --sitting and --room" checkin close --sitting S1 --proctor P
refused_usage "shiken: give --sitting S" checkin counts
refused_usage "shiken: --unpaid takes refuse or admit, not 'maybe'" checkin policy --sitting S1 --unpaid maybe
refused_usage "shiken: '9:45' is not a time with its zone, like 09:45+07:00 or 2026-12-13T09:45+07:00" \
	checkin policy --sitting S1 --late-after 9:45
refused 1 "shiken: the late cutoff 2027-01-01T09:45:00Z is not on the exam date 2026-12-13 of sitting S1" \
	checkin policy --sitting S1 --late-after 2027-01-01T09:45Z
refused 2 "proctor: is empty" checkin --sitting S1 --station door-A --proctor "  " --from "$WORK/scan"
refused 2 "station: must not start with '=', '+' or '@' (a spreadsheet would run it as a formula)" \
	checkin --sitting S1 --station "=A1" --proctor P --from "$WORK/scan"
refused 1 "shiken: venue HAN1 of sitting S1 has no room 'Z'" checkin --sitting S1 --room Z --station d --proctor P --from "$WORK/scan"
refused 1 "shiken: sitting S1 does not offer test 'ST1'" checkin --sitting S1 --test ST1 --station d --proctor P --from "$WORK/scan"
refused 1 "shiken: no sitting 'S9'" checkin counts --sitting S9
refused 1 "shiken: venue HAN1 of sitting S1 has no room 'Z'" checkin close --sitting S1 --room Z --proctor P
refused 1 "shiken: cannot read '$WORK/none.txt'" checkin --sitting S1 --station d --proctor P --from "$WORK/none.txt"
# A line longer than any code is refused whole, whatever follows it.
printf '%0300d\n' 0 >"$WORK/scan"
snapshot long
door 1 A "Sato Yui"
contains "$WORK/out" "!!! REFUSED — not a ticket or an exam number !!!"
contains "$WORK/out" "station door-A: 1 scans: 0 admitted, 1 refused, 0 not admitted"
unchanged_since long
# An empty input is a session with nothing to do.
: >"$WORK/scan"
door 0 A "Sato Yui"
contains "$WORK/out" "station door-A: 0 scans: 0 admitted, 0 refused, 0 not admitted"

# ---- closing without --proctor: the proctor is whoever acts (--actor) ----
run 0 checkin close --sitting S1 --room A
same_text "$WORK/out" "S1 room A: 2 marked absent"
[[ $(count "SELECT group_concat(c.station || ' ' || c.proctor) FROM checkin c JOIN registration r ON r.id = c.registration_id
	JOIN room ro ON ro.id = r.room_id WHERE c.status = 'absent' AND ro.code = 'A'") == "close tester,close tester" ]] ||
	fail "closing without --proctor records the actor"

# ---- Japanese ----
scans "$(code 0)"
run 1 --lang ja checkin --sitting S1 --room A --station door-A --proctor "Sato Yui" --from "$WORK/scan"
grep -qP '[\x{3040}-\x{30FF}\x{4E00}-\x{9FFF}]' <(head -2 "$WORK/out") || fail "the banner is not in Japanese: $(head -2 "$WORK/out")"
grep -qP '受付済み' "$WORK/out" || fail "the refusal is not in Japanese: $(cat "$WORK/out")"
run 0 --lang ja checkin counts --sitting S1
contains "$WORK/out" "合計"
consistent
echo ok
