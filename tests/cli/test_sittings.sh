# shiken sitting create|import|list|show: a date and time at a venue for
# some tests, with a capacity and a fee; serials number the exam numbers.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"

registry_db # HAN1 (82 seats) and 2026-12-HAN, serial 0001
cp "$DATA"/sittings*.csv "$WORK/"
sk venue add --code MNL1 --name "Manila Skills Centre" --country PH --city Manila \
	--address "88 Ayala Ave" --room R1:5x8 >/dev/null

# ---- create ----
run 0 sitting create --code 2026-12-MNL --date 2026-12-20 --time 10:00 --venue MNL1 \
	--test MM1 --test ST1 --capacity 30 --fee 1,500.50 --currency php
same_text "$WORK/out" "sitting 2026-12-MNL created (serial 0002, capacity 30)"
run 0 sitting show 2026-12-MNL
same_text "$WORK/out" "2026-12-MNL  (serial 0002)
  on 2026-12-20 10:00, at MNL1
  fee 1,500.50 PHP
  registered 0 / 30
    MM1    0
    ST1    0"
[[ $(count "SELECT detail FROM audit WHERE entity = 'sitting' AND entity_key = '2026-12-MNL'") == \
	'{"date":"2026-12-20","start_time":"10:00","venue":"MNL1","capacity":30,"fee":150050,"currency":"PHP","tests":["MM1","ST1"]}' ]] ||
	fail "sitting creation is not audited"
# The sitting key is sealed, never stored in the clear.
[[ $(count "SELECT length(key_enc) > 32 FROM sitting WHERE code = '2026-12-MNL'") == 1 ]] || fail "no sealed key"
consistent

# Dates and times are stored the one way, however they were typed.
run 0 sitting create --code 2027-02-HAN --date 2027/2/7 --time 9:05 --venue HAN1 --test MM1 \
	--fee 600000 --currency VND
same_text "$WORK/out" "sitting 2027-02-HAN created (serial 0003, capacity 82)"
run 0 sitting show 2027-02-HAN --json
[[ $(json "$WORK/out" '$.date') == 2027-02-07 ]] || fail "the date is not stored as YYYY-MM-DD"
[[ $(json "$WORK/out" '$.start_time') == 09:05 ]] || fail "the time is not stored as HH:MM"
snapshot same
run 0 sitting create --code 2027-02-HAN --date 2027-02-07 --time 09:05 --venue HAN1 --test MM1 \
	--fee 600,000 --currency VND
same_text "$WORK/out" "sitting 2027-02-HAN unchanged (serial 0003, capacity 82)"
unchanged_since same

# ---- import; serial numbers keep increasing ----
run 0 sitting import sittings.csv
same_text "$WORK/out" "sittings.csv: 2 rows; sittings: 2 added, 0 updated, 0 unchanged"
run 0 sitting list --json
same_text <(for i in 0 1 2 3 4; do json "$WORK/out" "\$[$i].code"; json "$WORK/out" "\$[$i].serial"; done | paste -d' ' - -) \
	"2026-12-HAN 1
2026-12-MNL 2
2027-01-HAN 4
2027-01-HAN-PM 5
2027-02-HAN 3"
[[ $(json "$WORK/out" '$[3].date') == 2027-01-17 ]] || fail "imported date not canonical"
[[ $(json "$WORK/out" '$[3].capacity') == 82 ]] || fail "capacity defaults to every seat"
[[ $(json "$WORK/out" '$[3].tests') == '["EE2","MM2"]' ]] || fail "tests split on spaces"
[[ $(json "$WORK/out" '$[2].tests') == '["EE1","MM1"]' ]] || fail "tests split on ';'"
[[ $(json "$WORK/out" '$[2].fee') == 600,000 && $(json "$WORK/out" '$[2].currency') == VND ]] || fail "fee"
[[ $(json "$WORK/out" '$[1].fee') == 1,500.50 ]] || fail "PHP fee with centavos"
snapshot same
run 0 sitting import sittings.csv
same_text "$WORK/out" "sittings.csv: 2 rows; sittings: 0 added, 0 updated, 2 unchanged"
unchanged_since same
run 0 sitting list
same_text "$WORK/out" "code            serial  date        time   venue  tests        registered  fee
2026-12-HAN     0001    2026-12-13  09:30  HAN1   EE1 MM1 MM2  0/82        600,000 VND
2026-12-MNL     0002    2026-12-20  10:00  MNL1   MM1 ST1      0/30        1,500.50 PHP
2027-01-HAN     0004    2027-01-17  09:00  HAN1   EE1 MM1      0/40        600,000 VND
2027-01-HAN-PM  0005    2027-01-17  13:30  HAN1   EE2 MM2      0/82        600,000 VND
2027-02-HAN     0003    2027-02-07  09:05  HAN1   MM1          0/82        600,000 VND"

# ---- refusals on create: each names the field ----
S=(sitting create --code 2027-03-HAN --date 2027-03-07 --time 09:00 --venue HAN1)
refused 1 "venue: no venue 'NOPE' (add it with 'shiken venue add')" \
	sitting create --code 2027-03-HAN --date 2027-03-07 --time 09:00 --venue NOPE --test MM1 --fee 1 --currency VND
refused 1 "tests: no test 'XX9' (see 'shiken test list')" "${S[@]}" --test MM1 --test XX9 --fee 1 --currency VND
refused 1 "tests: test 'MM1' is listed twice" "${S[@]}" --test MM1,MM1 --fee 1 --currency VND
refused 1 "capacity: 83 is more than the venue's 82 seats" "${S[@]}" --test MM1 --capacity 83 --fee 1 --currency VND
refused 1 "date: '2027-02-29' is not a date (YYYY-MM-DD)" \
	sitting create --code 2027-03-HAN --date 2027-02-29 --time 09:00 --venue HAN1 --test MM1 --fee 1 --currency VND
refused 1 "date: '07/03/2027' is not a date (YYYY-MM-DD)" \
	sitting create --code 2027-03-HAN --date 07/03/2027 --time 09:00 --venue HAN1 --test MM1 --fee 1 --currency VND
for t in 24:00 09:60 0930 9h30 09:5; do
	refused 1 "start_time: '$t' is not a time (HH:MM, 24-hour)" \
		sitting create --code 2027-03-HAN --date 2027-03-07 --time "$t" --venue HAN1 --test MM1 --fee 1 --currency VND
done
refused 1 "fee: '600000.5' is not an amount in VND" "${S[@]}" --test MM1 --fee 600000.5 --currency VND
refused 1 "fee: '12,000.5' is not an amount in JPY" "${S[@]}" --test MM1 --fee 12,000.5 --currency JPY
refused 1 "fee: '35.505' is not an amount in USD" "${S[@]}" --test MM1 --fee 35.505 --currency USD
refused 1 "fee: '-5' is not an amount in USD" "${S[@]}" --test MM1 --fee -5 --currency USD
refused 1 "fee: 'free' is not an amount in USD" "${S[@]}" --test MM1 --fee free --currency USD
refused 1 "currency: 'XYZ' is not an ISO 4217 currency code" "${S[@]}" --test MM1 --fee 1 --currency XYZ
refused 1 "sitting: 'MAR 7' is not a sitting code (1-32 letters, digits, '-', '_')
date: '2027-13-01' is not a date (YYYY-MM-DD)
venue: no venue 'NOPE' (add it with 'shiken venue add')" \
	sitting create --code "MAR 7" --date 2027-13-01 --time 09:00 --venue NOPE --test MM1 --fee 1 --currency VND
refused_usage "shiken: give --currency" "${S[@]}" --test MM1 --fee 1
refused_usage "shiken: give --test" "${S[@]}" --fee 1 --currency VND
refused_usage "shiken: '0' is not a number of seats" "${S[@]}" --test MM1 --capacity 0 --fee 1 --currency VND
refused_usage "shiken: unknown option '--room'" "${S[@]}" --room A
run 1 sitting show NOPE
same_text "$WORK/err" "shiken: sitting: no sitting 'NOPE'"
# A sitting does not move to another venue.
refused 1 "venue: sitting '2026-12-HAN' is at venue 'HAN1'; a sitting cannot move (create a new one)" \
	sitting create --code 2026-12-HAN --date 2026-12-13 --time 09:30 --venue MNL1 --test MM1 \
	--fee 600000 --currency VND

# ---- import: every bad row named, nothing written ----
refused 1 "sittings_bad.csv:2: date: '2027-02-30' is not a date (YYYY-MM-DD)
sittings_bad.csv:3: start_time: '24:00' is not a time (HH:MM, 24-hour)
sittings_bad.csv:4: venue: no venue 'NOPE' (add it with 'shiken venue add')
sittings_bad.csv:5: tests: no test 'XX9' (see 'shiken test list')
sittings_bad.csv:6: tests: a sitting offers at least one test
sittings_bad.csv:7: capacity: 83 is more than the venue's 82 seats
sittings_bad.csv:8: capacity: 'zero' is not a number of seats
sittings_bad.csv:9: fee: '600000.50' is not an amount in VND
sittings_bad.csv:10: fee: '-1' is not an amount in VND
sittings_bad.csv:11: currency: 'DONG' is not an ISO 4217 currency code
sittings_bad.csv:12: currency: 'XYZ' is not an ISO 4217 currency code
sittings_bad.csv:14: sitting: 'B-DUP' appears again (first on line 13)
sittings_bad.csv:15: sitting: 'B CODE' is not a sitting code (1-32 letters, digits, '-', '_')
shiken: sittings_bad.csv: rows with errors: 13 of 14; nothing was changed" sitting import sittings_bad.csv

# ---- changes under registrations ----
H=(sitting create --code 2026-12-HAN --date 2026-12-13 --time 09:30 --venue HAN1 --fee 600000 --currency VND)
for r in T-VN01 T-VN02 T-VN03; do
	sk register add --candidate "$r" --sitting 2026-12-HAN --test MM1 >/dev/null
done
sk register add --candidate T-VN04 --sitting 2026-12-HAN --test EE1 >/dev/null
refused 1 "capacity: 3 is less than the 4 candidates already registered" \
	"${H[@]}" --test MM1 --test EE1 --test MM2 --capacity 3
run 0 "${H[@]}" --test MM1 --test EE1 --test MM2 --capacity 4
same_text "$WORK/out" "sitting 2026-12-HAN updated (serial 0001, capacity 4)"
refused 1 "tests: test 'MM1' cannot be dropped while candidates are registered for it (3)" \
	"${H[@]}" --test EE1 --test MM2 --capacity 4
refused 1 "tests: test 'EE1' cannot be dropped while candidates are registered for it (1)" \
	"${H[@]}" --test MM1 --capacity 4
run 0 "${H[@]}" --test MM1 --test EE1 --test ST1 --capacity 10
same_text "$WORK/out" "sitting 2026-12-HAN updated (serial 0001, capacity 10)"
[[ $(count "SELECT detail FROM audit WHERE entity = 'sitting' AND entity_key = '2026-12-HAN' ORDER BY seq DESC LIMIT 1") == \
	'{"capacity":[4,10],"test dropped":"MM2","test added":"ST1"}' ]] || fail "the change is not audited"
run 0 sitting show 2026-12-HAN --json
[[ $(json "$WORK/out" '$.registered') == 4 ]] || fail "registered"
[[ $(json "$WORK/out" '$.by_test') == '{"EE1":1,"MM1":3,"ST1":0}' ]] || fail "by_test"
rooms=$(json "$WORK/out" '$.rooms')
[[ $(sqlite3 :memory: "SELECT sum(value->>'registered') FROM json_each('$rooms')") == 4 ]] || fail "rooms count"
[[ $(sqlite3 :memory: "SELECT sum(value->>'unpaid') FROM json_each('$rooms')") == 4 ]] || fail "unpaid count"
# A new date must not leave a registered candidate under age: T-17 turns
# 17 on 2026-12-13, the day of the sitting.
sk register add --candidate T-17 --sitting 2026-12-HAN --test MM1 >/dev/null
refused 1 "date: candidate 'T-17' would be under the minimum age of test 'MM1' on 2026-12-12" \
	sitting create --code 2026-12-HAN --date 2026-12-12 --time 09:30 --venue HAN1 --fee 600000 \
	--currency VND --test MM1 --test EE1 --test ST1 --capacity 10
run 0 sitting create --code 2026-12-HAN --date 2026-12-14 --time 09:30 --venue HAN1 --fee 600000 \
	--currency VND --test MM1 --test EE1 --test ST1 --capacity 10
same_text "$WORK/out" "sitting 2026-12-HAN updated (serial 0001, capacity 10)"
run 0 "${H[@]}" --test MM1 --test EE1 --test ST1 --capacity 10
sk register cancel "$(sk register list --candidate T-17 --csv | awk -F, 'NR == 2 { print $1 }')" \
	--reason "test of dates" >/dev/null
# A cancelled registration does not count against the capacity.
examno=$(sk register list --candidate T-VN04 --csv | awk -F, 'NR == 2 { print $1 }')
sk register cancel "$examno" --reason "withdrew" >/dev/null
run 0 "${H[@]}" --test MM1 --test EE1 --test ST1 --capacity 3
# A test with cancelled registrations only still cannot go: they refer to it.
refused 1 "tests: test 'EE1' cannot be dropped: cancelled registrations still refer to it (1)" \
	"${H[@]}" --test MM1 --test ST1 --capacity 3

# With --skip-invalid, a refused sitting leaves no trace: EE1 (unused) is
# not dropped when MM1 (used) cannot be, the good row goes in, and the audit
# log holds exactly what was done.
sk register add --candidate T-VN05 --sitting 2027-01-HAN --test MM1 >/dev/null
cat >partial.csv <<'EOF'
sitting,date,start_time,venue,tests,capacity,fee,currency
2027-01-HAN,2027-01-17,09:00,HAN1,ST1,40,600000,VND
2027-04-HAN,2027-04-04,09:00,HAN1,MM1,,600000,VND
EOF
audit_before=$(count "SELECT count(*) FROM audit")
run 0 sitting import --skip-invalid partial.csv
same_text "$WORK/out" "partial.csv: 2 rows; sittings: 1 added, 0 updated, 0 unchanged; 1 row rejected
rejected rows and their errors: partial.csv.rejects.csv"
same_text "$WORK/err" "partial.csv:2: tests: test 'MM1' cannot be dropped while candidates are registered for it (1)"
run 0 sitting show 2027-01-HAN --json
[[ $(json "$WORK/out" '$.tests') == '["EE1","MM1"]' ]] || fail "a refused sitting lost or gained tests"
[[ $(count "SELECT count(*) FROM audit") == $((audit_before + 1)) ]] || fail "only the new sitting is audited"
consistent
echo ok
