# shiken venue add|import|list|show: venues with rooms and seat grids; a room
# that holds registered candidates cannot shrink under them.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"

fresh_db
cp "$DATA"/venues*.csv "$WORK/"
sk candidate import "$DATA/candidates.csv" >/dev/null
HAN1=(venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city Hanoi --address "12 Tran Hung Dao")

# ---- add ----
run 0 venue add --code HAN1 --name "Hanoi Test Centre" --country vnm --city Hanoi \
	--address "12 Tran Hung Dao" --room A:6x8 --room B:5x6
same_text "$WORK/out" "venue HAN1 added"
run 0 venue show HAN1
same_text "$WORK/out" "HAN1  Hanoi Test Centre
  12 Tran Hung Dao, Hanoi (VN)
  room A: 6 rows x 8 columns = 48 seats
  room B: 5 rows x 6 columns = 30 seats"
[[ $(count "SELECT detail FROM audit WHERE entity = 'venue' AND entity_key = 'HAN1'") == \
	'{"name":"Hanoi Test Centre","country":"VN","city":"Hanoi","address":"12 Tran Hung Dao","room A":"6x8","room B":"5x6"}' ]] ||
	fail "venue creation is not audited"
consistent

# The same again: unchanged, not even an audit record.
snapshot same
run 0 "${HAN1[@]}" --room A:6x8 --room B:5x6
same_text "$WORK/out" "venue HAN1 unchanged"
unchanged_since same

# ---- update: a new name, a new room; rooms are never removed ----
run 0 venue add --code HAN1 --name "Hanoi Skills Test Centre" --country VN --city Hanoi \
	--address "12 Tran Hung Dao" --room C:2x2
same_text "$WORK/out" "venue HAN1 updated"
run 0 venue show HAN1 --json
[[ $(json "$WORK/out" '$.name') == "Hanoi Skills Test Centre" ]] || fail "name not updated"
[[ $(json "$WORK/out" '$.rooms') == '[{"code":"A","rows":6,"columns":8},{"code":"B","rows":5,"columns":6},{"code":"C","rows":2,"columns":2}]' ]] ||
	fail "rooms after the update"
[[ $(json "$WORK/out" '$.seats') == 82 ]] || fail "seats"
[[ $(count "SELECT detail FROM audit WHERE entity = 'venue' AND action = 'update'") == \
	'{"name":["Hanoi Test Centre","Hanoi Skills Test Centre"],"room C":"2x2"}' ]] ||
	fail "the update is not audited with what changed"
# Changing only the name needs no --room: rooms are added, never removed.
run 0 "${HAN1[@]}"
same_text "$WORK/out" "venue HAN1 updated"
run 0 venue show HAN1 --json
[[ $(json "$WORK/out" '$.seats') == 82 ]] || fail "a name change lost rooms"
consistent

# ---- resizing a room under registered candidates ----
sk sitting create --code 2026-12-HAN --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 \
	--fee 600000 --currency VND >/dev/null
for r in T-VN01 T-VN02 T-VN03 T-VN04; do
	sk register add --candidate "$r" --sitting 2026-12-HAN --test MM1 --room C >/dev/null
done
refused 1 "room: room 'C' cannot shrink: registered candidates would sit outside the new grid (2)" \
	"${HAN1[@]}" --room C:1x2
refused 1 "room: room 'C' cannot shrink: registered candidates would sit outside the new grid (3)" \
	"${HAN1[@]}" --room C:1x1
# The whole change is refused, not just the room: the name stays too.
refused 1 "room: room 'C' cannot shrink: registered candidates would sit outside the new grid (2)" \
	venue add --code HAN1 --name "Renamed" --country VN --city Hanoi \
	--address "12 Tran Hung Dao" --room D:3x3 --room C:2x1
# Growing is fine; so is shrinking a room nobody sits in.
run 0 "${HAN1[@]}" --room C:3x3 --room B:2x2
run 0 venue show HAN1 --json
[[ $(json "$WORK/out" '$.rooms[1]') == '{"code":"B","rows":2,"columns":2}' ]] || fail "B not resized"
[[ $(json "$WORK/out" '$.rooms[2]') == '{"code":"C","rows":3,"columns":3}' ]] || fail "C not resized"
# Cancelled registrations do not hold a room's shape: cancel whoever sits
# in the second row of C and it shrinks to one row.
sk register list --room C --csv | awk -F, 'NR > 1 && $11 == 2 { print $1 }' >"$WORK/outside"
[[ $(wc -l <"$WORK/outside") == 2 ]] || fail "two candidates should sit in row 2 of C"
while read -r examno; do
	run 0 register cancel "$examno" --reason "moved"
done <"$WORK/outside"
run 0 "${HAN1[@]}" --room C:1x2
same_text "$WORK/out" "venue HAN1 updated"
consistent

# ---- bad room specs on the command line: usage errors, nothing written ----
for spec in A:0x8 A:101x8 A:8x0 A8x8 :8x8 A:8x A:8x8x A:-1x5 "A B:2x2" A:x8 "A:8 8"; do
	refused_usage "shiken: '$spec' is not a room like A:8x10 (code, rows x columns, at most 100 each)" \
		venue add --code HAN9 --name X --country VN --city Hanoi --address Y --room "$spec"
done
refused_usage "shiken: 'XX' is not an ISO 3166-1 country code" \
	venue add --code HAN9 --name X --country XX --city Hanoi --address Y --room A:1x1
refused_usage "shiken: give --code" venue add --name X --country VN --city Hanoi --address Y --room A:1x1
refused_usage "shiken: unknown option '--seats'" venue add --code HAN9 --seats 10
refused 1 "name: is empty
city: is empty
address: is empty" venue add --code HAN9 --name "" --country VN --city "" --address "" --room A:1x1
refused 1 "venue: 'HAN 9' is not a venue code (1-32 letters, digits, '-', '_')" \
	venue add --code "HAN 9" --name X --country VN --city Hanoi --address Y --room A:1x1
refused 1 "room: a venue needs at least one room (like --room A:8x10)" \
	venue add --code HAN9 --name X --country VN --city Hanoi --address Y
run 1 venue show HAN9
same_text "$WORK/err" "shiken: venue: no venue 'HAN9'"

# ---- import: one row per room ----
run 0 venue import venues.csv
same_text "$WORK/out" "venues.csv: 3 rows; venues: 2 added, 0 updated, 0 unchanged"
run 0 venue show JKT1
same_text "$WORK/out" "JKT1  Jakarta Test Hall
  Jl. Sudirman 5, Jakarta (ID)
  room HALL: 10 rows x 10 columns = 100 seats"
run 0 venue list --json
[[ $(json "$WORK/out" '$[2].code') == MNL1 ]] || fail "venues are not listed by code"
[[ $(json "$WORK/out" '$[2].address') == "88 Ayala Ave, Makati" ]] || fail "quoted address"
[[ $(json "$WORK/out" '$[2].seats') == 56 ]] || fail "MNL1 seats"
run 0 venue list
same_text "$WORK/out" "code  name                  country  city     rooms                seats
HAN1  Hanoi Test Centre     VN       Hanoi    A 6x8, B 2x2, C 1x2  54
JKT1  Jakarta Test Hall     ID       Jakarta  HALL 10x10           100
MNL1  Manila Skills Centre  PH       Manila   R1 5x8, R2 4x4       56"
snapshot same
run 0 venue import venues.csv
same_text "$WORK/out" "venues.csv: 3 rows; venues: 0 added, 0 updated, 2 unchanged"
unchanged_since same

refused 1 "venues_bad.csv:2: country: 'XX' is not an ISO 3166-1 country code
venues_bad.csv:3: rows: '0' is not a number of rows from 1 to 100
venues_bad.csv:4: columns: '101' is not a number of columns from 1 to 100
venues_bad.csv:5: room: 'A B' is not a room code (1-16 letters, digits, '-', '_')
venues_bad.csv:7: room: room 'A' appears twice for this venue
venues_bad.csv:9: venue: describes venue 'BAD6' differently from line 8
venues_bad.csv:10: venue: 'BAD 7' is not a venue code (1-32 letters, digits, '-', '_')
venues_bad.csv:10: name: is empty
venues_bad.csv:10: city: is empty
venues_bad.csv:10: address: is empty
venues_bad.csv:10: rows: 'x' is not a number of rows from 1 to 100
shiken: venues_bad.csv: rows with errors: 7 of 10; nothing was changed" venue import venues_bad.csv

# An import that would shrink a room under candidates is refused at that
# room's row, and all of it is refused: nothing of the venue changes.
cat >shrink.csv <<'EOF'
venue,name,country,city,address,room,rows,columns
HAN1,Hanoi Renamed,VN,Hanoi,12 Tran Hung Dao,B,5,5
HAN1,Hanoi Renamed,VN,Hanoi,12 Tran Hung Dao,C,1,1
EOF
n_c=$(count "SELECT count(*) FROM registration r JOIN room m ON m.id = r.room_id
	WHERE m.code = 'C' AND r.status = 'registered' AND (r.seat_row > 1 OR r.seat_col > 1)")
refused 1 "shrink.csv:3: room: room 'C' cannot shrink: registered candidates would sit outside the new grid ($n_c)
shiken: shrink.csv: rows with errors: 1 of 2; nothing was changed" venue import shrink.csv
# With --skip-invalid the good venues go in; the refused venue changes in
# nothing (no half-applied rename or resize without an audit record), and
# every one of its rows is in the rejects file.
cat >shrink2.csv <<'EOF'
venue,name,country,city,address,room,rows,columns
HAN1,Hanoi Renamed,VN,Hanoi,12 Tran Hung Dao,B,5,5
HAN1,Hanoi Renamed,VN,Hanoi,12 Tran Hung Dao,C,1,1
DAD1,Da Nang Centre,VN,Da Nang,3 Bach Dang,A,4,4
EOF
audit_before=$(count "SELECT count(*) FROM audit")
run 0 venue import --skip-invalid shrink2.csv
same_text "$WORK/out" "shrink2.csv: 3 rows; venues: 1 added, 0 updated, 0 unchanged; 2 rows rejected
rejected rows and their errors: shrink2.csv.rejects.csv"
run 0 venue show HAN1 --json
[[ $(json "$WORK/out" '$.name') == "Hanoi Test Centre" ]] || fail "a refused venue was renamed"
[[ $(json "$WORK/out" '$.rooms[1]') == '{"code":"B","rows":2,"columns":2}' ]] || fail "a refused venue had a room resized"
[[ $(count "SELECT count(*) FROM audit") == $((audit_before + 1)) ]] || fail "audit records: only DAD1's"
[[ $(($(wc -l <shrink2.csv.rejects.csv) - 1)) == 2 ]] || fail "both HAN1 rows belong in the rejects file"
cp venues_bad.csv vb.csv
run 0 venue import --skip-invalid vb.csv
same_text "$WORK/out" "vb.csv: 10 rows; venues: 1 added, 0 updated, 0 unchanged; 9 rows rejected
rejected rows and their errors: vb.csv.rejects.csv"
run 0 venue show GOOD
consistent
echo ok
