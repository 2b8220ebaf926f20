# shiken ledger show|export: the candidate ledger (受験者台帳). Every attempt
# of a candidate, oldest first, with section scores against pass marks;
# pending before grading, cancelled for a cancelled registration. The
# export has stable, documented columns (as many section slots as the
# largest test has, whatever the filters), filters by sitting, test and
# outcome, a UTF-8 BOM only with --excel, valid JSON with --json, and a
# file written whole or not at all. Nothing here writes to the registry.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"

# ---- a past sitting graded, a later one not; one registration cancelled ----
fresh_db
cat >"$WORK/c.csv" <<'EOF'
reference,family_name,given_name,date_of_birth,gender,nationality,residence_country,passport_number,email,language
V-DUC,NGUYỄN,VĂN ĐỨC,1995-04-01,M,VN,VN,C7000001,duc@example.com,vi
I-SARI,SARI,,1998-07-15,F,ID,ID,B7000002,sari@example.com,id
P-ANA,SANTOS,ANA MARIA,1999-10-10,F,PH,PH,P7000004,ana@example.com,fil
T-TRAN,TRAN,VAN AN,1996-03-03,M,VN,VN,C7000005,an@example.com,
N-NEW,PHAM,MINH,2000-01-01,M,VN,VN,C7000006,minh@example.com,
EOF
sk candidate import "$WORK/c.csv" >/dev/null
sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city "Hà Nội" \
	--address "12 Trần Hưng Đạo" --room A:4x5 >/dev/null
sk sitting create --code 2026-06-HAN --date 2026-06-14 --time 09:30 --venue HAN1 --test MM1 --test MM2 \
	--fee 0 --currency VND >/dev/null
sk sitting create --code 2026-12-HAN --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 \
	--fee 0 --currency VND >/dev/null
reg() { SHIKEN_NOW=2026-05-01T00:00:00Z sk register add --candidate "$1" --sitting "$2" --test "$3" >"$WORK/out"; examno_of; }
DUC1=$(reg V-DUC 2026-06-HAN MM1)
SARI=$(reg I-SARI 2026-06-HAN MM1)
ANA=$(reg P-ANA 2026-06-HAN MM1)
TRAN=$(reg T-TRAN 2026-06-HAN MM2)
GONE=$(reg N-NEW 2026-06-HAN MM1)
SHIKEN_NOW=2026-05-02T00:00:00Z sk register cancel "$GONE" --reason "withdrew" >/dev/null
DUC2=$(reg V-DUC 2026-12-HAN MM1)

# Results as grading stores them (core/sql/0005): one run for the June
# sitting. Section ids from the test definitions.
sec() { count "SELECT ts.id FROM test_section ts JOIN test t ON t.id = ts.test_id WHERE t.code = '$1' AND ts.code = '$2'"; }
rid() { count "SELECT id FROM registration WHERE exam_number = '$1'"; }
G1=$(sec MM1 gakka) J1=$(sec MM1 jitsugi) J2=$(sec MM2 jitsugi)
AT=2026-06-20T09:00:00Z
sqlite3 "$DB" "
INSERT INTO grading_run (id, sitting_id, actor, started_at, graded, written)
	SELECT 1, id, 'tester', '$AT', 4, 4 FROM sitting WHERE code = '2026-06-HAN';
INSERT INTO result (registration_id, run_id, outcome, graded_at) VALUES
	($(rid "$DUC1"), 1, 'pass', '$AT'), ($(rid "$SARI"), 1, 'fail', '$AT'),
	($(rid "$ANA"), 1, 'absent', '$AT'), ($(rid "$TRAN"), 1, 'fail', '$AT');
INSERT INTO result_section (registration_id, section_id, points, max_points, passed) VALUES
	($(rid "$DUC1"), $G1, 13, 20, 1), ($(rid "$DUC1"), $J1, 8, 10, 1),
	($(rid "$SARI"), $G1, 12, 20, 0), ($(rid "$SARI"), $J1, 7, 10, 1),
	($(rid "$TRAN"), $J2, 19, 30, 0);"
snapshot before

# ---- show: every attempt, oldest first ----
run 0 ledger show V-DUC
same_text "$WORK/out" "V-DUC  NGUYỄN VĂN ĐỨC  born 1995-04-01  VN
2026-06-HAN  2026-06-14  MM1  $DUC1  pass  (graded $AT)
    Written (gakka)      13/20   65 %  pass mark 65 %  passed
    Practical (jitsugi)  8/10    80 %  pass mark 60 %  passed
2026-12-HAN  2026-12-13  MM1  $DUC2  pending
    Written (gakka)      -             pass mark 65 %
    Practical (jitsugi)  -             pass mark 60 %"
# 19/30 is 63.3 %: shown rounded down, so a score never looks better
# than its pass mark.
run 0 ledger show T-TRAN
same_text "$WORK/out" "T-TRAN  TRAN VAN AN  born 1996-03-03  VN
2026-06-HAN  2026-06-14  MM2  $TRAN  fail  (graded $AT)
    Practical (jitsugi)  19/30   63 %  pass mark 60 %  not passed"
run 0 ledger show N-NEW
same_text "$WORK/out" "N-NEW  PHAM MINH  born 2000-01-01  VN
2026-06-HAN  2026-06-14  MM1  $GONE  cancelled
    Written (gakka)      -        pass mark 65 %
    Practical (jitsugi)  -        pass mark 60 %"
run 0 --lang ja ledger show P-ANA
contains "$WORK/out" "$ANA  欠席"
contains "$WORK/out" "学科 (gakka)"

run 0 ledger show V-DUC --json
j="$WORK/out"
[[ $(json "$j" '$.reference') == V-DUC && $(json "$j" '$.family_name') == "NGUYỄN" ]] || fail "show --json: candidate"
[[ $(json "$j" '$.attempts[#-1].exam_number') == "$DUC2" ]] || fail "show --json: the newest attempt is not last"
[[ $(sqlite3 :memory: "SELECT json_array_length(json_extract(CAST(readfile('$j') AS TEXT), '\$.attempts'))") == 2 ]] ||
	fail "show --json: two attempts expected"
[[ $(json "$j" '$.attempts[0].outcome') == pass && $(json "$j" '$.attempts[0].graded_at') == "$AT" ]] ||
	fail "show --json: the graded attempt"
[[ $(json "$j" '$.attempts[0].sections[0].points') == 13 && $(json "$j" '$.attempts[0].sections[0].max_points') == 20 &&
	$(json "$j" '$.attempts[0].sections[0].pass_percent') == 65 && $(json "$j" '$.attempts[0].sections[0].passed') == 1 ]] ||
	fail "show --json: section scores"
[[ $(json "$j" '$.attempts[1].outcome') == pending && -z $(json "$j" '$.attempts[1].graded_at') &&
	-z $(json "$j" '$.attempts[1].sections[0].points') ]] || fail "show --json: a pending attempt has no scores"
[[ $(json "$j" '$.attempts[0].certificate') == "" ]] || fail "show --json: no certificate yet"

run 1 ledger show NOBODY
same_text "$WORK/err" "shiken: no candidate with reference 'NOBODY'"
run 2 ledger show
contains "$WORK/err" "give a candidate reference"
run 2 ledger show V-DUC --csv
contains "$WORK/err" "unknown option '--csv'"

# ---- export: stable columns, one row per attempt ----
HEADER="reference,family_name,given_name,date_of_birth,nationality,exam_number,sitting,exam_date,test,category_ja,category_en,level,section1,section1_points,section1_max,section1_passed,section2,section2_points,section2_max,section2_passed,outcome,graded_at,certificate"
run 0 ledger export
cp "$WORK/out" "$WORK/all.csv"
same_text "$WORK/all.csv" "$HEADER
I-SARI,SARI,,1998-07-15,ID,$SARI,2026-06-HAN,2026-06-14,MM1,機械金属加工,Machining and Metalworking,1,gakka,12,20,no,jitsugi,7,10,yes,fail,$AT,
N-NEW,PHAM,MINH,2000-01-01,VN,$GONE,2026-06-HAN,2026-06-14,MM1,機械金属加工,Machining and Metalworking,1,gakka,,,,jitsugi,,,,cancelled,,
P-ANA,SANTOS,ANA MARIA,1999-10-10,PH,$ANA,2026-06-HAN,2026-06-14,MM1,機械金属加工,Machining and Metalworking,1,gakka,,,,jitsugi,,,,absent,$AT,
T-TRAN,TRAN,VAN AN,1996-03-03,VN,$TRAN,2026-06-HAN,2026-06-14,MM2,機械金属加工,Machining and Metalworking,2,jitsugi,19,30,no,,,,,fail,$AT,
V-DUC,NGUYỄN,VĂN ĐỨC,1995-04-01,VN,$DUC1,2026-06-HAN,2026-06-14,MM1,機械金属加工,Machining and Metalworking,1,gakka,13,20,yes,jitsugi,8,10,yes,pass,$AT,
V-DUC,NGUYỄN,VĂN ĐỨC,1995-04-01,VN,$DUC2,2026-12-HAN,2026-12-13,MM1,機械金属加工,Machining and Metalworking,1,gakka,,,,jitsugi,,,,pending,,"
[[ $(head -c 3 "$WORK/all.csv" | od -An -tx1 | tr -d ' ') != efbbbf ]] || fail "a BOM without --excel"

# Filters; the columns stay the same whatever is filtered.
run 0 ledger export --sitting 2026-12-HAN
same_text "$WORK/out" "$HEADER
$(grep ",$DUC2," "$WORK/all.csv")"
run 0 ledger export --test MM2
same_text "$WORK/out" "$HEADER
$(grep ",$TRAN," "$WORK/all.csv")"
run 0 ledger export --outcome fail --sitting 2026-06-HAN
same_text "$WORK/out" "$HEADER
$(grep ",$SARI," "$WORK/all.csv")
$(grep ",$TRAN," "$WORK/all.csv")"
for o in pass absent pending cancelled; do
	run 0 ledger export --outcome $o
	[[ $(tail -n +2 "$WORK/out" | wc -l) == 1 ]] || fail "--outcome $o: one row expected"
	contains "$WORK/out" ",$o,"
done
run 0 ledger export --outcome disqualified
same_text "$WORK/out" "$HEADER"
run 2 ledger export --outcome passed
contains "$WORK/err" "'passed' is not an outcome (pass, fail, absent, disqualified, pending, cancelled)"
run 1 ledger export --sitting 2027-01-NOPE
same_text "$WORK/err" "shiken: no sitting '2027-01-NOPE'"
run 1 ledger export --test XX9
contains "$WORK/err" "XX9"
run 2 ledger export --excel --json
contains "$WORK/err" "--excel is for CSV, not --json"

# --excel: a UTF-8 BOM, then the same bytes.
run 0 ledger export --excel
[[ $(head -c 3 "$WORK/out" | od -An -tx1 | tr -d ' ') == efbbbf ]] || fail "--excel: no UTF-8 BOM"
cmp -s <(tail -c +4 "$WORK/out") "$WORK/all.csv" || fail "--excel: not the same CSV after the BOM"

# A spreadsheet reads the columns back by name (SQLite's CSV import knows quoting).
sqlite3 -separator '|' :memory: ".import --csv $WORK/all.csv l" \
	"SELECT exam_number, outcome, section1_points, section2_passed FROM l WHERE reference = 'V-DUC' ORDER BY exam_date" >"$WORK/back"
same_text "$WORK/back" "$DUC1|pass|13|yes
$DUC2|pending||"

# --json: valid, one object per attempt, sections as a list.
run 0 ledger export --json
sqlite3 :memory: "SELECT json_valid(CAST(readfile('$WORK/out') AS TEXT))" | grep -qx 1 || fail "export --json is not valid JSON"
[[ $(sqlite3 :memory: "SELECT json_array_length(CAST(readfile('$WORK/out') AS TEXT))") == 6 ]] || fail "export --json: 6 attempts"
[[ $(json "$WORK/out" '$[3].exam_number') == "$TRAN" && $(json "$WORK/out" '$[3].sections[0].points') == 19 &&
	$(json "$WORK/out" '$[3].level') == 2 ]] || fail "export --json: the MM2 attempt"
[[ $(json "$WORK/out" '$[1].outcome') == cancelled && -z $(json "$WORK/out" '$[1].run_id') ]] ||
	fail "export --json: the cancelled registration"

# --out: written whole (mode 0600: it holds personal data), or not at all.
run 0 ledger export --out "$WORK/ledger.csv" --excel
[[ $(stat -c %a "$WORK/ledger.csv") == 600 ]] || fail "--out: the file is not mode 0600"
cmp -s <(tail -c +4 "$WORK/ledger.csv") "$WORK/all.csv" || fail "--out: not the CSV on standard output"
[[ ! -s "$WORK/out" ]] || fail "--out: something went to standard output"
run 1 ledger export --out "$WORK/missing/ledger.csv"
contains "$WORK/err" "cannot write '$WORK/missing/ledger.csv'"
[[ ! -e "$WORK/missing" ]] || fail "a failed export left something behind"
run 0 ledger export --json --out "$WORK/ledger.json"
sqlite3 :memory: "SELECT json_valid(CAST(readfile('$WORK/ledger.json') AS TEXT))" | grep -qx 1 || fail "--json --out"
[[ -z $(find "$WORK" -name '*.tmp*') ]] || fail "temporary files left behind"

# Reading the ledger changed nothing.
unchanged_since before
consistent

# ---- a test with three sections widens every export by one slot ----
cat >"$WORK/t.csv" <<'EOF'
test,category_ja,category_en,level,section,section_ja,section_en,item_kind,pass_percent,time_limit_min
XX1,溶接,Welding,1,gakka,学科,Written,tf,65,30
XX1,溶接,Welding,1,jitsugi,実技,Practical,mc,60,40
XX1,溶接,Welding,1,sagyo,作業,Hands-on,scored,70,60
EOF
sk test import "$WORK/t.csv" >/dev/null
run 0 ledger export --sitting 2026-12-HAN
same_text <(head -1 "$WORK/out") "${HEADER/section2_passed,/section2_passed,section3,section3_points,section3_max,section3_passed,}"
contains "$WORK/out" ",jitsugi,,,,,,,,pending,,"
consistent
echo ok
