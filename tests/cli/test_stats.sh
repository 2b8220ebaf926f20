# shiken stats results|items|forms and print report, end to end against the
# real binary. A sitting of 72 MM1 candidates is simulated, imported and
# graded; then every figure the commands print is worked out here a second
# time, independently, in SQL: the population cells from the registry's
# tables, the item counts from the answer sheets as the OMR service sent
# them mapped through each paper's key ('paper key --json'). Small cells
# must show nothing, and nothing a bad command is given may change the
# database.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
ASSETS=$(realpath "$TESTS_DIR/../assets/bank")
SIT=2026-12-HAN
N=72

fresh_db
sk bank import "$ASSETS/MM1.csv" >/dev/null
sk item review --from "$ASSETS/reviews-MM1.csv" >/dev/null
sk blueprint import "$ASSETS/blueprints.csv" >/dev/null
sk form build --test MM1 --count 6 --anchors 5 --seed 2026 >/dev/null
sk generate candidates --count $N --seed 8 --year 2026 --out "$WORK/c.csv" >/dev/null
sk candidate import "$WORK/c.csv" >/dev/null
sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city Hanoi \
	--address "12 Tran Hung Dao" --room A:8x10 >/dev/null
sk sitting create --code $SIT --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 \
	--fee 600000 --currency VND >/dev/null
{
	echo "reference,sitting,test"
	sed -n "2,$((N + 1))p" "$WORK/c.csv" | cut -d, -f1 | awk -v s=$SIT '{ print $1 "," s ",MM1" }'
} >"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null
sk paper build --sitting $SIT >/dev/null

# ---- before grading: nothing to analyse, no report ----
refused 1 "shiken: no graded answer sheets of MM1 in this selection: nothing to analyse" \
	stats items --test MM1 --sitting $SIT
refused 1 "shiken: nobody in this selection has a result yet (see 'shiken grade')" \
	print report --sitting $SIT --out "$WORK/none.pdf"
[[ ! -e "$WORK/none.pdf" ]] || fail "a report was written with nothing to report"

sk generate responses --sitting $SIT --seed 3 --absent 5 --out "$WORK/omr.csv" >/dev/null
sk responses import "$WORK/omr.csv" >/dev/null
mapfile -t exams < <(count "SELECT exam_number FROM registration ORDER BY exam_number")
sk incident add "${exams[3]}" --kind cheating --disqualify --note "phone" --proctor "P" >/dev/null
sk grade --sitting $SIT >/dev/null
[[ $(count "SELECT count(*) FROM result WHERE outcome = 'absent'") -ge 1 ]] || fail "the fixture needs absentees"
consistent

# ---- stats results: every cell against SQL ----
# The registry's own view of each registration, with the dimensions.
dims() {
	sqlite3 -csv "$DB" "SELECT c.nationality, c.gender,
		CASE WHEN c.former_intern IS NULL THEN 'unknown' WHEN c.former_intern THEN 'former-intern' ELSE 'other' END,
		coalesce(res.outcome, 'pending'),
		(SELECT 100.0 * rs.points / rs.max_points FROM result_section rs JOIN test_section ts ON ts.id = rs.section_id
		 WHERE rs.registration_id = r.id AND ts.code = 'gakka' AND res.outcome IN ('pass', 'fail'))
		FROM registration r JOIN candidate c ON c.id = r.candidate_id LEFT JOIN result res ON res.registration_id = r.id"
}
C="$WORK/calc.db"
calc() { sqlite3 "$C" "$@"; }
dims >"$WORK/dims.csv"
calc "CREATE TABLE p (nat TEXT, gender TEXT, background TEXT, outcome TEXT, gakka REAL)"
calc ".import --csv $WORK/dims.csv p"
calc "UPDATE p SET gakka = NULL WHERE gakka = ''"

run 0 stats results --sitting $SIT --by nationality,gender
cp "$WORK/out" "$WORK/cells.csv"
head -1 "$WORK/cells.csv" | grep -q '^row,nationality,gender,candidates,present,absent,pending,passed,disqualified,pass_rate,gakka_n,gakka_mean,gakka_sd,jitsugi_n,jitsugi_mean,jitsugi_sd,suppressed$' ||
	fail "results CSV columns: $(head -1 "$WORK/cells.csv")"
calc ".import --csv $WORK/cells.csv got"
# Every cell the registry has, and no other.
[[ $(calc "SELECT count(*) FROM got WHERE row = 'cell'") == $(calc "SELECT count(DISTINCT nat || '/' || gender) FROM p") ]] ||
	fail "one row per nationality and gender"
calc "CREATE VIEW want AS SELECT nat, gender, count(*) AS candidates,
	sum(outcome IN ('pass', 'fail', 'disqualified')) AS present, sum(outcome = 'absent') AS absent,
	sum(outcome = 'pending') AS pending, sum(outcome = 'pass') AS passed, sum(outcome = 'disqualified') AS disq,
	count(gakka) AS gn, printf('%.1f', avg(gakka)) AS gmean,
	printf('%.1f', sqrt((sum(gakka * gakka) - sum(gakka) * sum(gakka) / count(gakka)) / (count(gakka) - 1))) AS gsd
	FROM p GROUP BY nat, gender"
# Cells of 5 or more show exactly these figures.
bad=$(calc "SELECT w.nat || '/' || w.gender FROM want w JOIN got g ON g.nationality = w.nat AND g.gender = w.gender
	WHERE g.suppressed = '' AND (g.candidates != w.candidates OR g.present != w.present OR g.absent != w.absent
	OR g.pending != w.pending OR g.disqualified != w.disq
	OR (w.present >= 5 AND (g.passed != w.passed OR g.pass_rate != printf('%.1f', 100.0 * w.passed / w.present)
	    OR g.gakka_n != w.gn OR g.gakka_mean != w.gmean OR g.gakka_sd != w.gsd)))")
[[ -z "$bad" ]] || fail "cells differ from the registry: $bad"
# Cells under 5 show nothing; the hidden cells together are 0 or at least 5.
[[ $(calc "SELECT count(*) FROM want w JOIN got g ON g.nationality = w.nat AND g.gender = w.gender
	WHERE w.candidates < 5 AND (g.suppressed != 'small' OR g.candidates != '' OR g.passed != '' OR g.pass_rate != '')") == 0 ]] ||
	fail "a cell of fewer than 5 shows figures"
[[ $(calc "SELECT count(*) FROM want WHERE candidates < 5") -ge 1 ]] || fail "the fixture should have small cells"
hidden=$(calc "SELECT coalesce(sum(w.candidates), 0) FROM want w JOIN got g ON g.nationality = w.nat AND g.gender = w.gender
	WHERE g.suppressed != ''")
(( hidden == 0 || hidden >= 5 )) || fail "the hidden cells hold $hidden candidates: the total gives them away"
# Secondary suppression hides the smallest shown cells only.
[[ $(calc "SELECT count(*) FROM want w JOIN got g ON g.nationality = w.nat AND g.gender = w.gender
	WHERE g.suppressed = 'complement' AND w.candidates > (SELECT min(w2.candidates) FROM want w2
	JOIN got g2 ON g2.nationality = w2.nat AND g2.gender = w2.gender WHERE g2.suppressed = '')") == 0 ]] ||
	fail "a larger cell was hidden while a smaller one is shown"
# The total row: everything.
same_text <(calc -csv "SELECT candidates, present, absent, passed FROM got WHERE row = 'total'") \
	"$(calc -csv "SELECT count(*), sum(outcome IN ('pass', 'fail', 'disqualified')), sum(outcome = 'absent'), sum(outcome = 'pass') FROM p")"

# JSON says the same.
run 0 stats results --sitting $SIT --by background --json
cp "$WORK/out" "$WORK/bg.json"
for b in former-intern other unknown; do
	want=$(calc "SELECT count(*) FROM p WHERE background = '$b'")
	(( want == 0 )) && continue
	got=$(sqlite3 :memory: "SELECT coalesce(c.value->>'candidates', 'hidden') FROM json_each(CAST(readfile('$WORK/bg.json') AS TEXT), '\$.cells') c
		WHERE c.value->'values'->>'background' = '$b'")
	if (( want >= 5 )); then [[ "$got" == "$want" ]] || fail "background $b: $got candidates, expected $want"; fi
done
[[ $(json "$WORK/bg.json" '$.min_cell') == 5 && $(json "$WORK/bg.json" '$.sections[0]') == gakka ]] || fail "JSON head"

# The smallest cell is a setting; the command line may raise it, not lower it.
run 0 config set stats.min_cell 20
run 0 stats results --sitting $SIT --by nationality
calc ".import --csv $WORK/out by20"
[[ $(calc "SELECT count(*) FROM by20 WHERE row = 'cell' AND suppressed = '' AND CAST(candidates AS INTEGER) < 20") == 0 ]] ||
	fail "stats.min_cell 20: a cell under 20 shows figures"
refused_usage "shiken: --min-cell cannot go below the setting stats.min_cell (20)" stats results --sitting $SIT --min-cell 5
run 0 stats results --sitting $SIT --min-cell 40
run 0 config set stats.min_cell 5

# Periods and mistakes.
run 0 stats results --from 2026-12-01 --to 2026/12/31 --by test
contains "$WORK/out" "cell,MM1,$N,"
run 0 stats results --from 2027-01-01 --to 2027-12-31
same_text <(tail -1 "$WORK/out") "total,0,0,0,0,,0,,"
refused_usage "shiken: 'shoe_size' is not a dimension (sitting, test, category, level, nationality, residence, region, gender, age_band, background, experience, japanese)" \
	stats results --by gender,shoe_size
refused_usage "shiken: dimension 'gender' is given twice" stats results --by gender,gender
refused_usage "shiken: give --sitting or a period (--from, --to), not both" stats results --sitting $SIT --from 2026-01-01
refused_usage "shiken: '2026-02-30' is not a date (YYYY-MM-DD)" stats results --from 2026-02-30
refused_usage "shiken: the period ends (2026-01-01) before it starts (2026-12-01)" stats results --from 2026-12-01 --to 2026-01-01
refused_usage "shiken: unknown option '--alpha'" stats results --alpha 0.1
refused 1 "shiken: no sitting 'NOPE'" stats results --sitting NOPE
refused 1 "shiken: no test 'ZZ9'" stats results --test ZZ9

# ---- stats items: counts against the answer sheets, through each paper ----
calc "CREATE TABLE paper (exam TEXT, j TEXT); CREATE TABLE key (item TEXT PRIMARY KEY, key TEXT);
      CREATE TABLE outcome (exam TEXT PRIMARY KEY, outcome TEXT)"
sk result list --sitting $SIT --csv --out "$WORK/results.csv"
calc ".import --csv $WORK/results.csv res"
calc "INSERT INTO outcome SELECT exam_number, outcome FROM res"
for no in "${exams[@]}"; do
	sk paper key "$no" --json >"$WORK/key.json"
	calc "INSERT INTO paper VALUES ('$no', CAST(readfile('$WORK/key.json') AS TEXT))"
done
calc "CREATE TABLE pos AS SELECT p.exam, s.value->>'section' AS section, i.value->>'number' AS number,
	i.value->>'item' AS item, i.value->'options' AS options
	FROM paper p, json_each(p.j, '\$.sections') s, json_each(s.value, '\$.items') i"
for item in $(calc "SELECT DISTINCT item FROM pos ORDER BY 1"); do
	sk item show "$item" --with-key --json >"$WORK/item.json"
	calc "INSERT INTO key VALUES ('$item', json_extract(CAST(readfile('$WORK/item.json') AS TEXT), '\$.key'))"
done
# The OMR file as sent: one row per sheet, one column per printed position.
calc ".import --csv $WORK/omr.csv omr"
calc "CREATE TABLE mark AS SELECT o.exam_number AS exam, p.number, p.item, p.section, p.options,
	(SELECT value FROM json_each(json_array($(seq -s, 1 30 | sed 's/[0-9]*/o."&"/g'))) WHERE key = p.number - 1) AS mark
	FROM omr o JOIN pos p ON p.exam = o.exam_number
	JOIN outcome oc ON oc.exam = o.exam_number WHERE oc.outcome IN ('pass', 'fail')"
# The canonical letter of a single mark: O/X as A/B, a printed letter via the paper.
calc "CREATE TABLE canon AS SELECT exam, item, section, mark,
	CASE WHEN mark = '' THEN 'blank' WHEN length(mark) > 1 THEN 'multiple'
	     WHEN mark = 'O' THEN 'A' WHEN mark = 'X' THEN 'B'
	     ELSE json_extract(options, '\$[' || (unicode(mark) - 65) || ']') END AS c FROM mark"
calc "CREATE VIEW item_want AS SELECT c.item, count(*) AS n, sum(c.c = k.key2) AS right,
	sum(c.c = 'blank') AS blank, sum(c.c = 'A') AS a, sum(c.c = 'B') AS b, sum(c.c = 'C') AS cc, sum(c.c = 'D') AS d
	FROM canon c JOIN (SELECT item, CASE key WHEN 'O' THEN 'A' WHEN 'X' THEN 'B' ELSE key END AS key2 FROM key) k
	ON k.item = c.item GROUP BY c.item"
run 0 stats items --test MM1 --sitting $SIT --csv
cp "$WORK/out" "$WORK/items.csv"
head -1 "$WORK/items.csv" | grep -q '^test,section,item,version,kind,key,n,p,r_rest,omit,omit_rate,multiple,option_1,option_2,option_3,option_4,option_5,upper_n,upper_1,upper_2,upper_3,upper_4,upper_5,flags$' ||
	fail "items CSV columns: $(head -1 "$WORK/items.csv")"
calc ".import --csv $WORK/items.csv items"
[[ $(calc "SELECT count(*) FROM items") == $(calc "SELECT count(*) FROM item_want") ]] || fail "one row per item the sheets had"
bad=$(calc "SELECT i.item FROM items i JOIN item_want w ON w.item = i.item
	WHERE i.n != w.n OR i.omit != w.blank OR i.option_1 != w.a OR i.option_2 != w.b
	OR (i.kind = 'mc' AND (i.option_3 != w.cc OR i.option_4 != w.d))
	OR i.p != printf('%.4f', 1.0 * w.right / w.n)")
[[ -z "$bad" ]] || fail "item counts differ from the sheets read through the papers: $bad"
# Options were shuffled on the papers, and the counts are canonical all the same.
[[ $(calc "SELECT count(DISTINCT options) FROM pos WHERE section = 'jitsugi'") -gt 5 ]] || fail "the papers should shuffle options"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'stats' AND entity_key = 'MM1' AND action = 'item analysis'") == 1 ]] ||
	fail "showing the keys is audited"
run 0 stats items --test MM1 --sitting $SIT
contains "$WORK/out" "flagged for review"
contains "$WORK/out" "MM1-J-"
run 0 stats items --test MM1 --sitting $SIT --json
cp "$WORK/out" "$WORK/items.json"
[[ $(json "$WORK/items.json" '$.sheets') == $(calc "SELECT count(*) FROM outcome WHERE outcome IN ('pass', 'fail')") ]] ||
	fail "every graded sheet of a candidate who passed or failed is read (the disqualified one is not)"
[[ $(json "$WORK/items.json" '$.items[0].options[0].option') == O ]] || fail "○× options are named O and X"
refused_usage "shiken: give --test T" stats items --sitting $SIT
refused_usage "shiken: give --csv or --json, not both" stats items --test MM1 --csv --json
refused_usage "shiken: unknown option '--by'" stats items --test MM1 --by gender

# ---- stats forms ----
run 0 stats forms --test MM1 --sitting $SIT --json
cp "$WORK/out" "$WORK/forms.json"
[[ $(sqlite3 :memory: "SELECT count(*) FROM json_each(CAST(readfile('$WORK/forms.json') AS TEXT), '\$.forms')") == 12 ]] ||
	fail "six forms of two sections"
# Each form's candidates and mean as the registry has them.
bad=$(sqlite3 :memory: "
	ATTACH '$DB' AS r;
	SELECT f.value->>'form' FROM json_each(CAST(readfile('$WORK/forms.json') AS TEXT), '\$.forms') f
	WHERE f.value->>'n' != (SELECT count(*) FROM r.paper p JOIN r.form fo ON fo.id = p.form_id
		JOIN r.result res ON res.registration_id = p.registration_id
		WHERE fo.code = f.value->>'form' AND res.outcome IN ('pass', 'fail'))
	OR abs(f.value->>'mean' - (SELECT avg(rs.points) FROM r.paper p JOIN r.form fo ON fo.id = p.form_id
		JOIN r.result res ON res.registration_id = p.registration_id
		JOIN r.result_section rs ON rs.registration_id = p.registration_id
		JOIN r.test_section ts ON ts.id = rs.section_id AND ts.code = f.value->>'section'
		WHERE fo.code = f.value->>'form' AND res.outcome IN ('pass', 'fail'))) > 0.0001")
[[ -z "$bad" ]] || fail "form figures differ from the stored results: $bad"
run 0 stats forms --test MM1 --sitting $SIT
contains "$WORK/out" "KR-20"
contains "$WORK/out" "on the other forms"
grep -qE "within chance for 6 forms|more than chance allows with 6 forms" "$WORK/out" || fail "equivalence said plainly"

# ---- print report ----
run 0 print report --sitting $SIT --out "$WORK/report.pdf"
grep -qE "report.pdf: [0-9]+ pages" "$WORK/out" || fail "print report says what it wrote"
qpdf --check "$WORK/report.pdf" >/dev/null || fail "qpdf --check"
pdffonts "$WORK/report.pdf" | awk 'NR > 2 && $(NF-4) != "yes" { bad = 1 } END { exit bad }' || fail "a font is not embedded"
pdftotext "$WORK/report.pdf" "$WORK/report.txt"
for text in 試験結果統計報告 "Statistical Report on Test Results" 合格率 "Pass rate" 得点分布 "Score distributions" \
	"合格基準 Pass mark 13/20 (65%)" "合格基準 Pass mark 6/10 (60%)" 機械金属加工 ベトナム 国籍別の合格率 \
	"Pass rate across sittings" 数値の求め方; do
	contains "$WORK/report.txt" "$text"
done
# Small groups are named without figures.
contains "$WORK/report.txt" "非表示 not shown"
# The total row's figures, as the registry has them.
total=$(calc -csv "SELECT count(*), sum(outcome IN ('pass', 'fail', 'disqualified')), sum(outcome = 'pass') FROM p" | tr ',' ' ')
pdftotext -layout "$WORK/report.pdf" - | grep '^ *合計' | tr -s ' ' | grep -q "合計 $total " ||
	fail "the report's total row is not: $total"
refused_usage "shiken: give --sitting S, or a period with --from and --to" print report
refused 1 "shiken: no sitting 'NOPE'" print report --sitting NOPE
run 0 print report --from 2026-12-01 --to 2026-12-31 --out "$WORK/period.pdf"
pdftotext "$WORK/period.pdf" - | grep -q "期間 Period: 2026-12-01 – 2026-12-31" || fail "the period is named"
consistent
echo ok
