# shiken register add|import|list|show|cancel: exam numbers with a Damm
# check digit, seats drawn at random (friends do not sit together), and the
# rules on who may sit what.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"

registry_db # HAN1 (A 6x8, B 5x6, C 2x2) and 2026-12-HAN (serial 0001: MM1 EE1 MM2)
SIT=2026-12-HAN

# ---- one registration ----
run 0 register add --candidate T-VN01 --sitting $SIT --test MM1
grep -qE "^registered T-VN01: exam number 0001-00001-5, room [ABC], seat [A-F]-0[1-8]$" "$WORK/out" ||
	fail "register add printed: $(cat "$WORK/out")"
first=$(examno_of)
examno_ok "$first" 0001
first_place=$(sed 's/.*, \(room .*\)/\1/' "$WORK/out")
run 0 register show "$first" --json
[[ $(json "$WORK/out" '$.exam_number') == "$first" && $(json "$WORK/out" '$.reference') == T-VN01 ]] ||
	fail "register show --json"
[[ "room $(json "$WORK/out" '$.room'), seat $(json "$WORK/out" '$.seat')" == "$first_place" ]] || fail "seat differs"
[[ $(json "$WORK/out" '$.fee_status') == unpaid && $(json "$WORK/out" '$.status') == registered ]] ||
	fail "a new registration is unpaid and registered"
[[ $(count "SELECT detail FROM audit WHERE entity = 'registration' AND entity_key = '$first'") == \
	"{\"candidate\":\"T-VN01\",\"sitting\":\"$SIT\",\"test\":\"MM1\",\"room\":\"$(json "$WORK/out" '$.room')\",\"seat\":\"$(json "$WORK/out" '$.seat')\"}" ]] ||
	fail "the registration is not audited"
run 0 register show "$first"
same_text "$WORK/out" "$first  $SIT 2026-12-13 MM1
  T-VN01 TRAN VAN AN
  $first_place
  fee unpaid, status registered"
# Typed without hyphens, or in full-width digits, it is the same number.
run 0 register show 0001000015
contains "$WORK/out" "$first  $SIT"
run 0 register show "０００１－００００１－５"
contains "$WORK/out" "$first  $SIT"
# Mistyped: one wrong digit, two neighbours swapped.
run 1 register show 0001-00001-4
same_text "$WORK/err" "shiken: registration: '0001-00001-4' has a wrong check digit (mistyped?)"
run 1 register show 0001-00010-5
same_text "$WORK/err" "shiken: registration: '0001-00010-5' has a wrong check digit (mistyped?)"
run 1 register show 0010-00001-5
same_text "$WORK/err" "shiken: registration: '0010-00001-5' has a wrong check digit (mistyped?)"
run 1 register show 1-1-5
same_text "$WORK/err" "shiken: registration: '1-1-5' is not an exam number (like 0001-00042-6)"
damm_ok 0001-00042-6 || fail "the example in the message is not a valid exam number"
run 1 register show 0001-00002-8
same_text "$WORK/err" "shiken: registration: no registration with exam number 0001-00002-8"
consistent

# The same registration again changes nothing.
snapshot same
run 0 register add --candidate T-VN01 --sitting $SIT --test MM1
same_text "$WORK/out" "T-VN01 was already registered: exam number $first, $first_place"
unchanged_since same

# ---- refusals ----
R=(register add --sitting "$SIT")
refused 1 "test: already registered in sitting '$SIT' for test 'MM1' (exam number $first); a candidate sits one test per sitting" \
	"${R[@]}" --candidate T-VN01 --test EE1
refused 1 "reference: no candidate 'T-NONE' (import candidates first)" "${R[@]}" --candidate T-NONE --test MM1
refused 1 "sitting: no sitting '2099-01-XX' (see 'shiken sitting list')" \
	register add --candidate T-VN02 --sitting 2099-01-XX --test MM1
refused 1 "test: no test 'XX9' (see 'shiken test list')" "${R[@]}" --candidate T-VN02 --test XX9
refused 1 "test: sitting '$SIT' does not offer test 'ST1' (it offers EE1, MM1, MM2)" \
	"${R[@]}" --candidate T-VN02 --test ST1
refused 1 "room: venue 'HAN1' has no room 'Z'" "${R[@]}" --candidate T-VN02 --test MM1 --room Z
# After the exam day the sitting takes nobody more.
SHIKEN_NOW=2026-12-14T08:00:00Z refused 1 "sitting: sitting '$SIT' took place on 2026-12-13; it takes no more registrations" \
	"${R[@]}" --candidate T-VN02 --test MM1
refused_usage "shiken: give --candidate, --sitting and --test" register add --candidate T-VN02 --test MM1
refused_usage "shiken: unknown option '--seat'" "${R[@]}" --candidate T-VN02 --test MM1 --seat A-01

# Age on the exam date (2026-12-13): 17, and 18 for Indonesian nationals.
refused 1 "reference: candidate is 16 on the exam date; test 'MM1' requires at least 17" \
	"${R[@]}" --candidate T-16 --test MM1
run 0 "${R[@]}" --candidate T-17 --test MM1
refused 1 "reference: candidate is 17 on the exam date; nationals of ID must be at least 18" \
	"${R[@]}" --candidate T-ID17 --test EE1
run 0 "${R[@]}" --candidate T-ID18 --test EE1

# A full room.
free_c=$((4 - $(count "SELECT count(*) FROM registration r JOIN room m ON m.id = r.room_id
	WHERE m.code = 'C' AND r.status = 'registered'")))
for r in T-VN02 T-VN03 T-VN04 T-VN05 T-VN06; do
	((free_c > 0)) || break
	run 0 "${R[@]}" --candidate "$r" --test MM1 --room C
	contains "$WORK/out" ", room C, seat "
	last_c=$r
	free_c=$((free_c - 1))
done
refused 1 "room: room 'C' is full" "${R[@]}" --candidate T-PH01 --test MM1 --room C

# A full sitting.
sk sitting create --code 2026-12-SMALL --date 2026-12-13 --time 13:00 --venue HAN1 --test MM2 \
	--capacity 3 --fee 600000 --currency VND >/dev/null
for r in T-VN01 T-VN02 T-VN03; do
	run 0 register add --candidate "$r" --sitting 2026-12-SMALL --test MM2
	examno_ok "$(examno_of)" 0002
done
refused 1 "sitting: sitting '2026-12-SMALL' is full (capacity 3)" \
	register add --candidate T-VN04 --sitting 2026-12-SMALL --test MM2

# Rooms that shrank after the capacity was set: no seat, though not full.
sk venue add --code HAN3 --name "Hanoi East" --country VN --city Hanoi --address "3 Road" \
	--room A:1x2 --room B:1x2 >/dev/null
sk sitting create --code 2026-12-EAST --date 2026-12-13 --time 09:30 --venue HAN3 --test MM1 \
	--capacity 4 --fee 600000 --currency VND >/dev/null
sk register add --candidate T-VN05 --sitting 2026-12-EAST --test MM1 --room A >/dev/null
sk register add --candidate T-VN06 --sitting 2026-12-EAST --test MM1 --room A >/dev/null
sk venue add --code HAN3 --name "Hanoi East" --country VN --city Hanoi --address "3 Road" --room B:1x1 >/dev/null
sk register add --candidate T-PH02 --sitting 2026-12-EAST --test MM1 >/dev/null
refused 1 "sitting: sitting '2026-12-EAST' has no free seat: its rooms have 3 seats for a capacity of 4" \
	register add --candidate T-17 --sitting 2026-12-EAST --test MM1

# ---- cancel frees the seat; the exam number is never reused ----
victim_ref=$last_c
victim=$(sk register list --sitting $SIT --candidate "$victim_ref" --csv | awk -F, 'NR == 2 { print $1 }')
victim_seat=$(sk register list --sitting $SIT --candidate "$victim_ref" --csv | awk -F, 'NR == 2 { print $10 }')
run 0 register cancel "${victim//-/}" --reason "withdrew: illness"
same_text "$WORK/out" "registration $victim cancelled"
run 0 audit show --entity registration --key "$victim" --json
[[ $(json "$WORK/out" '$[#-1].action') == cancel ]] || fail "the cancellation is not audited"
[[ $(json "$WORK/out" '$[#-1].detail.reason') == "withdrew: illness" ]] || fail "the reason is not audited"
[[ $(json "$WORK/out" '$[#-1].detail.seat') == "C $victim_seat" ]] || fail "the freed seat is not audited"
refused 1 "shiken: cancel: registration $victim is already cancelled" register cancel "$victim" --reason again
refused 1 "shiken: cancel: no registration with exam number 0001-00042-6" register cancel 0001-00042-6 --reason x
refused 1 "shiken: cancel: '0001-00042-7' has a wrong check digit (mistyped?)" register cancel 0001-00042-7 --reason x
refused_usage "shiken: give --reason" register cancel "$first"
refused_usage "shiken: give one exam number" register cancel --reason x
# The freed seat is the only one left in C: the next candidate gets it, with
# a new exam number.
run 0 "${R[@]}" --candidate T-PH01 --test MM1 --room C
contains "$WORK/out" ", room C, seat $victim_seat"
newest=$(examno_of)
[[ "$newest" != "$victim" ]] || fail "an exam number was reused"
# The cancelled candidate may register again, and gets a new number too.
run 0 "${R[@]}" --candidate "$victim_ref" --test MM1
again=$(examno_of)
[[ "$again" != "$victim" && "$again" > "$newest" ]] || fail "re-registration reused or went back: $again"
run 0 register show "$victim" --json
[[ $(json "$WORK/out" '$.status') == cancelled ]] || fail "cancelled registration status"
consistent

# ---- 40 friends register one after another: they do not sit together ----
sk venue add --code HAN2 --name "Hanoi West Centre" --country VN --city Hanoi \
	--address "7 Lang Road" --room A:8x8 --room B:4x4 >/dev/null
sk sitting create --code 2026-12-SEAT --date 2026-12-13 --time 09:30 --venue HAN2 --test MM1 \
	--fee 600000 --currency VND >/dev/null
"$SHIKEN" generate candidates --count 40 --seed 11 --year 2025 --out "$WORK/friends.csv" >/dev/null
sk candidate import friends.csv >/dev/null
awk -F, 'BEGIN { print "reference,sitting,test,room" } NR > 1 { print $1 ",2026-12-SEAT,MM1,A" }' \
	friends.csv >seat.csv
run 0 register import seat.csv
same_text "$WORK/out" "seat.csv: 40 rows; registrations: 40 added, 0 updated, 0 unchanged"
sk register list --sitting 2026-12-SEAT --csv >seats.csv
[[ $(($(wc -l <seats.csv) - 1)) == 40 ]] || fail "40 registrations expected"
tail -n +2 seats.csv | cut -d, -f1 | sort -c || fail "list not ordered by exam number"
seq=0
while IFS=, read -r examno _ _ _ _ _ _ _ room _ row col _; do
	seq=$((seq + 1))
	examno_ok "$examno" 0004
	[[ ${examno:5:5} == $(printf %05d $seq) ]] || fail "$examno: exam numbers are not consecutive"
	[[ $room == A ]] || fail "$examno: not in room A"
	((row >= 1 && row <= 8 && col >= 1 && col <= 8)) || fail "$examno: seat $row,$col outside the 8x8 grid"
done < <(tail -n +2 seats.csv)
[[ -z $(tail -n +2 seats.csv | cut -d, -f9,11,12 | sort | uniq -d) ]] || fail "two candidates share a seat"
[[ -z $(count "SELECT sitting_id, room_id, seat_row, seat_col FROM registration WHERE status = 'registered'
	GROUP BY 1, 2, 3, 4 HAVING count(*) > 1") ]] || fail "a seat is taken twice in the database"
# Seated in order they would fill rows: 35 of the 39 neighbours side by
# side. Drawn at random, more than 8 happens less than once in a million.
side_by_side=$(tail -n +2 seats.csv | awk -F, '
	NR > 1 && $11 == row && ($12 - col == 1 || col - $12 == 1) { n++ }
	{ row = $11; col = $12 } END { print n + 0 }')
((side_by_side <= 8)) || fail "$side_by_side of 39 consecutive registrations sit side by side"
# Consecutive registrations are not on the seat next in line either.
in_line=$(tail -n +2 seats.csv | awk -F, '
	NR > 1 && ($11 - 1) * 8 + $12 == prev + 1 { n++ }
	{ prev = ($11 - 1) * 8 + $12 } END { print n + 0 }')
((in_line <= 8)) || fail "$in_line of 39 consecutive registrations take the next seat in line"
# The same file again changes nothing.
snapshot same
run 0 register import seat.csv
same_text "$WORK/out" "seat.csv: 40 rows; registrations: 0 added, 0 updated, 40 unchanged"
unchanged_since same
consistent

# An import is all or nothing, and every bad row is named.
cat >bad.csv <<'EOF'
reference,sitting,test,room
T-PH02,2026-12-SEAT,MM1,
T-NONE,2026-12-SEAT,MM1,
T-16,2026-12-SEAT,MM1,
T-ID17,2026-12-SEAT,MM1,
T-PH02,2026-12-SEAT,MM2,
,2026-12-SEAT,,
T-VN01,2026-12-SEAT,MM1,Z
EOF
refused 1 "bad.csv:3: reference: no candidate 'T-NONE' (import candidates first)
bad.csv:4: reference: candidate is 16 on the exam date; test 'MM1' requires at least 17
bad.csv:5: reference: candidate is 17 on the exam date; nationals of ID must be at least 18
bad.csv:6: test: sitting '2026-12-SEAT' does not offer test 'MM2' (it offers MM1)
bad.csv:7: reference: is empty
bad.csv:7: test: is empty
bad.csv:8: room: venue 'HAN2' has no room 'Z'
shiken: bad.csv: rows with errors: 6 of 7; nothing was changed" register import bad.csv
# Two rows for one candidate in one sitting: the second is refused.
cat >twice.csv <<'EOF'
reference,sitting,test
T-PH02,2026-12-SMALL,MM2
T-PH02,2026-12-HAN,MM2
T-PH02,2026-12-HAN,EE1
EOF
next=$(examno 1 "$(count "SELECT next_seq FROM sitting WHERE code = '2026-12-HAN'")")
refused 1 "twice.csv:2: sitting: sitting '2026-12-SMALL' is full (capacity 3)
twice.csv:4: test: already registered in sitting '2026-12-HAN' for test 'MM2' (exam number $next); a candidate sits one test per sitting
shiken: twice.csv: rows with errors: 2 of 3; nothing was changed" register import twice.csv

# ---- register list and its filters ----
nrows() { run 0 register list --csv "$@"; echo $(($(wc -l <"$WORK/out") - 1)); }
live=$(count "SELECT count(*) FROM registration WHERE status = 'registered'")
[[ $(nrows) == "$live" ]] || fail "register list lists every live registration"
[[ $(nrows --all) == $(count "SELECT count(*) FROM registration") ]] || fail "--all adds the cancelled"
[[ $(nrows --sitting 2026-12-SEAT) == 40 ]] || fail "--sitting"
[[ $(nrows --sitting 2026-12-SMALL --test MM2) == 3 ]] || fail "--sitting --test"
[[ $(nrows --test EE1) == 1 ]] || fail "--test"
[[ $(nrows --sitting $SIT --room C) == 4 ]] || fail "--room"
[[ $(nrows --sitting $SIT --room C --all) == 5 ]] || fail "--room --all"
[[ $(nrows --candidate T-VN02) == 2 ]] || fail "--candidate"
[[ $(nrows --candidate T-NONE) == 0 ]] || fail "--candidate unknown"
[[ $(nrows --unpaid) == "$live" ]] || fail "--unpaid: nobody has paid yet"
run 0 register list --candidate T-VN02 --csv
same_text <(head -1 "$WORK/out") "exam_number,sitting,exam_date,test,reference,family_name,given_name,nationality,room,seat,seat_row,seat_column,fee_status,status,created_at"
run 0 register list --candidate T-ID18 --json
[[ $(json "$WORK/out" '$[0].reference') == T-ID18 && $(json "$WORK/out" '$[0].nationality') == ID ]] || fail "--json"
[[ $(json "$WORK/out" '$[0].test') == EE1 && $(json "$WORK/out" '$[1]') == "" ]] || fail "--json rows"
run 0 register list --candidate T-ID18
same_text <(head -1 "$WORK/out") "exam number   sitting      test  reference  name         room  seat  fee     status"
contains "$WORK/out" "T-ID18     WIJAYA SITI  "
run 0 register list --sitting 2026-12-SEAT --out "$WORK/list.csv"
[[ ! -s "$WORK/out" ]] || fail "--out also wrote to stdout"
[[ $(stat -c %a "$WORK/list.csv") == 600 ]] || fail "--out file is readable by others"
cmp -s "$WORK/list.csv" seats.csv || fail "--out differs from --csv"
refused_usage "shiken: unknown option '--paid'" register list --paid
refused_usage "shiken: unexpected argument 'extra'" register list extra
consistent
echo ok
