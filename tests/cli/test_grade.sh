# shiken grade, result show|list, item rekey, end to end against the real
# binary. Answer sheets are made here from what staff can see — each
# candidate's 'paper key --json' and the items' keys from 'item show
# --with-key' — and graded here a second time, independently, in SQL: the
# registry's results must agree with that. Then an item is rekeyed: 'grade'
# must list exactly the candidates whose results change, write nothing
# without --confirm (nor with --dry-run), write them with it, audit each;
# grading again changes nothing and records no run.
#
# The sheets go in with 'shiken responses import' as an OMR service's CSV,
# incidents with 'shiken incident add'. A sheet carrying another paper's
# code, which the importer refuses, is made with sqlite3 behind the
# registry's back.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
ASSETS=$(realpath "$TESTS_DIR/../assets/bank")
SIT=2026-12-HAN
N=24

# ---- a sitting with papers: the sample bank, six MM1 forms, 24 candidates ----
fresh_db
sk bank import "$ASSETS/MM1.csv" >/dev/null
sk item review --from "$ASSETS/reviews-MM1.csv" >/dev/null
sk blueprint import "$ASSETS/blueprints.csv" >/dev/null
sk form build --test MM1 --count 6 --anchors 5 --seed 2026 >/dev/null
sk generate candidates --count $N --seed 5 --year 2026 --out "$WORK/c.csv" >/dev/null
sk candidate import "$WORK/c.csv" >/dev/null
sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city Hanoi \
	--address "12 Tran Hung Dao" --room A:4x6 >/dev/null
sk sitting create --code $SIT --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 \
	--fee 600000 --currency VND >/dev/null
{
	echo "reference,sitting,test"
	sed -n "2,$((N + 1))p" "$WORK/c.csv" | cut -d, -f1 | awk -v s=$SIT '{ print $1 "," s ",MM1" }'
} >"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null
sk paper build --sitting $SIT >/dev/null

# Nothing came back yet: everyone is absent, and that is a result too.
run 0 grade --sitting $SIT --dry-run
contains "$WORK/out" "$SIT: $N registrations: $N graded ($N new, 0 changed, 0 unchanged)"
contains "$WORK/out" "dry run: nothing was written"
[[ $(count "SELECT count(*) FROM result") == 0 ]] || fail "--dry-run wrote results"

# ---- what staff see: every paper's key and every item's key ----
C="$WORK/calc.db"
calc() { sqlite3 "$C" "$@"; }
mapfile -t exams < <(count "SELECT exam_number FROM registration ORDER BY exam_number")
[[ ${#exams[@]} == "$N" ]] || fail "$N registrations expected"
calc "CREATE TABLE paper (exam TEXT, j TEXT); CREATE TABLE key (item TEXT PRIMARY KEY, key TEXT)"
for no in "${exams[@]}"; do
	sk paper key "$no" --json >"$WORK/key.json"
	calc "INSERT INTO paper VALUES ('$no', CAST(readfile('$WORK/key.json') AS TEXT))"
done
calc "CREATE TABLE pos AS SELECT p.exam, p.j->>'paper_code' AS code, s.value->>'section' AS section,
	i.value->>'number' AS number, i.value->>'item' AS item, i.value->'options' AS options
	FROM paper p, json_each(p.j, '\$.sections') s, json_each(s.value, '\$.items') i"
[[ $(calc "SELECT count(*) FROM pos") == $((N * 30)) ]] || fail "30 printed positions a paper expected"
for item in $(calc "SELECT DISTINCT item FROM pos ORDER BY 1"); do
	sk item show "$item" --with-key --json >"$WORK/item.json"
	calc "INSERT INTO key VALUES ('$item', json_extract(CAST(readfile('$WORK/item.json') AS TEXT), '\$.key'))"
done

# ---- answer sheets ----
# Candidate k (1..N by exam number) answers the first g 学科 and the first j
# 実技 questions as printed right, the rest wrong: the boundaries 13/20 (65 %)
# and 6/10 (60 %) pass, 12/20 and 5/10 fail. Several sit one point below a
# mark, so a key correction can lift them. Candidate N is absent, N-1 answers
# everything right but is disqualified; k=5 marks ○ and × on question 1,
# k=6 leaves question 2 blank, k=7 has an unclear '*' on question 3.
calc "CREATE TABLE plan (k INTEGER PRIMARY KEY, g INTEGER, j INTEGER)"
plan=(13:6 12:10 20:5 13:5 14:8 14:8 14:8 16:6 12:7 12:6 12:8 15:5 15:5 15:5 15:5 12:5 17:6 19:9 11:3 17:7 18:6 20:10 20:10)
for k in "${!plan[@]}"; do
	calc "INSERT INTO plan VALUES ($((k + 1)), ${plan[$k]%:*}, ${plan[$k]#*:})"
done
calc "CREATE TABLE exam AS SELECT row_number() OVER (ORDER BY exam) AS k, exam FROM (SELECT DISTINCT exam FROM pos)"
# mark: the printed letter chosen, as a bit: where the key was printed when
# right; when wrong, where the canonical option after the key (cyclically)
# was printed, so everyone wrong on an item chose the same option
# (○× items: ○ = bit 0, × = bit 1).
calc "CREATE TABLE mark AS SELECT p.exam, p.code, p.section, p.number, p.item, p.options, k.key,
	CASE WHEN (p.section = 'gakka' AND p.number <= pl.g) OR (p.section = 'jitsugi' AND p.number - 20 <= pl.j)
	THEN (CASE WHEN k.key IN ('O', 'X') THEN (CASE k.key WHEN 'O' THEN 1 ELSE 2 END)
	      ELSE 1 << (SELECT min(o.key) FROM json_each(p.options) o WHERE o.value = k.key) END)
	ELSE (CASE WHEN k.key IN ('O', 'X') THEN (CASE k.key WHEN 'O' THEN 2 ELSE 1 END)
	      ELSE 1 << (SELECT o.key FROM json_each(p.options) o
	                 WHERE o.value = char(65 + (unicode(k.key) - 64) % json_array_length(p.options))) END)
	END AS mark
	FROM pos p JOIN exam e ON e.exam = p.exam JOIN plan pl ON pl.k = e.k JOIN key k ON k.item = p.item"
calc "UPDATE mark SET mark = 3 WHERE number = 1 AND exam = (SELECT exam FROM exam WHERE k = 5);
      UPDATE mark SET mark = 0 WHERE number = 2 AND exam = (SELECT exam FROM exam WHERE k = 6);
      UPDATE mark SET mark = 128 WHERE number = 3 AND exam = (SELECT exam FROM exam WHERE k = 7)"
# The same grading, done here: a point for one mark whose printed letter is
# an accepted canonical option (accept: item -> canonical letters).
calc "CREATE TABLE accept (item TEXT PRIMARY KEY, letters TEXT)"
calc "CREATE VIEW point AS SELECT m.exam, m.section, m.number, m.item,
	CASE WHEN m.mark NOT IN (1, 2, 4, 8, 16) THEN 0
	     WHEN m.key IN ('O', 'X') THEN instr(coalesce(a.letters, m.key), CASE m.mark WHEN 1 THEN 'O' ELSE 'X' END) > 0
	     ELSE instr(coalesce(a.letters, m.key), (SELECT o.value FROM json_each(m.options) o
	                WHERE 1 << o.key = m.mark)) > 0 END AS point
	FROM mark m LEFT JOIN accept a ON a.item = m.item"
calc "CREATE VIEW expect AS SELECT e.exam,
	sum(p.point) FILTER (WHERE p.section = 'gakka') AS gakka,
	sum(p.point) FILTER (WHERE p.section = 'jitsugi') AS jitsugi
	FROM exam e JOIN point p ON p.exam = e.exam GROUP BY e.exam"
# outcomes MODE: exam,outcome,gakka,jitsugi as expected now (k = N absent,
# k = N-1 disqualified).
expected() {
	calc -csv "SELECT e.exam, CASE WHEN x.k = $((N - 1)) THEN 'disqualified'
	                WHEN g.gakka * 100 >= 65 * 20 AND g.jitsugi * 100 >= 60 * 10 THEN 'pass' ELSE 'fail' END,
	                g.gakka, g.jitsugi
	         FROM expect g JOIN exam x ON x.exam = g.exam JOIN exam e ON e.exam = g.exam
	         WHERE x.k < $N ORDER BY 1"
	echo "${exams[$((N - 1))]},absent,,"
}
# actual: the same from 'result list --csv' (read with SQLite's CSV import).
actual() {
	sk result list --sitting $SIT --csv --out "$WORK/results.csv"
	sqlite3 -csv :memory: ".import --csv $WORK/results.csv r" \
		"SELECT exam_number, outcome, nullif(points_1, ''), nullif(points_2, '') FROM r ORDER BY outcome = 'absent', 1"
}

# The sheets as an OMR service returns them (k = N absent), imported, and
# the disqualifying incident as a proctor records it.
{
	printf 'exam_number,paper_code'
	printf ',%d' $(seq 30)
	echo
	calc "SELECT exam || ',' || code || ',' || group_concat(t, ',') FROM (
		SELECT m.exam, m.code, m.number, CASE
			WHEN m.mark = 0 THEN '' WHEN m.mark = 128 THEN '*'
			WHEN m.key IN ('O', 'X') THEN CASE m.mark WHEN 1 THEN 'O' WHEN 2 THEN 'X' ELSE 'OX' END
			ELSE iif(m.mark & 1, 'A', '') || iif(m.mark & 2, 'B', '') || iif(m.mark & 4, 'C', '')
			     || iif(m.mark & 8, 'D', '') || iif(m.mark & 16, 'E', '') END AS t
		FROM mark m JOIN exam e ON e.exam = m.exam WHERE e.k < $N ORDER BY m.exam, m.number)
		GROUP BY exam ORDER BY exam"
} >"$WORK/omr.csv"
run 0 responses import "$WORK/omr.csv"
run 0 incident add "${exams[$((N - 2))]}" --kind cheating --disqualify --note "notes on the desk" --proctor "Proctor A"
[[ $(count "SELECT count(*) FROM response") == $((N - 1)) ]] || fail "$((N - 1)) answer sheets expected"

# The absent results of the first run were never written (dry run): now
# everything is graded for the first time, no confirmation needed.
run 0 grade --sitting $SIT
contains "$WORK/out" "$SIT: $N registrations: $N graded ($N new, 0 changed, 0 unchanged)"
contains "$WORK/out" "grading run 1: $N results written"
lacks "$WORK/out" "would change"
actual >"$WORK/actual"
expected >"$WORK/expected"
diff -u "$WORK/expected" "$WORK/actual" >&2 || fail "the results differ from grading done by hand"
# The plan's boundaries came out as planned.
[[ $(grep -c ',pass,' "$WORK/actual") -ge 3 && $(grep -c ',fail,' "$WORK/actual") -ge 10 ]] ||
	fail "the fixture should have passes and fails"
grep -q "^${exams[0]},pass,13,6$" "$WORK/actual" || fail "13/20 and 6/10 pass (exactly 65 % and 60 %)"
grep -q "^${exams[1]},fail,12,10$" "$WORK/actual" || fail "12/20 fails"
grep -q "^${exams[2]},fail,20,5$" "$WORK/actual" || fail "5/10 fails"
grep -q "^${exams[4]},pass,13,8$" "$WORK/actual" || fail "several marks score nothing"
grep -q "^${exams[5]},pass,13,8$" "$WORK/actual" || fail "a blank scores nothing"
grep -q "^${exams[6]},pass,13,8$" "$WORK/actual" || fail "an unclear mark scores nothing"
grep -q "^${exams[$((N - 2))]},disqualified,20,10$" "$WORK/actual" || fail "disqualified even with every point"
grep -q "^${exams[$((N - 1))]},absent,,$" "$WORK/actual" || fail "no sheet: absent"
# The summary table.
same_text <(sed -n '/^test /,/^$/p' "$WORK/out" | head -2 | tr -s ' ') \
	"test candidates present pass fail absent disqualified pass rate
MM1 $N $((N - 1)) $(grep -c ',pass,' "$WORK/actual") $(grep -c ',fail,' "$WORK/actual") 1 1 $(awk -v p="$(grep -c ',pass,' "$WORK/actual")" -v n=$((N - 1)) 'BEGIN { printf "%.1f %%", 100 * p / n }')"
[[ $(count "SELECT count(*) FROM grading_run") == 1 ]] || fail "one grading run expected"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'result' AND action = 'grade'") == "$N" ]] ||
	fail "every first result is audited"
consistent

# ---- grading again with nothing new changes nothing and records no run ----
snapshot regrade
run 0 grade --sitting $SIT
contains "$WORK/out" "$SIT: $N registrations: $N graded (0 new, 0 changed, $N unchanged)"
contains "$WORK/out" "nothing new: no result changed"
unchanged_since regrade

# ---- result show: one candidate, item by item ----
no=${exams[4]}
run 0 result show "$no" --json
cp "$WORK/out" "$WORK/show.json"
[[ $(json "$WORK/show.json" '$.stored.outcome') == pass && $(json "$WORK/show.json" '$.now.outcome') == pass ]] ||
	fail "result show: stored and computed outcome"
[[ $(json "$WORK/show.json" '$.now.sections[0].points') == 13 &&
   $(json "$WORK/show.json" '$.now.sections[0].pass_points') == 13 &&
   $(json "$WORK/show.json" '$.now.sections[0].multiple') == 1 ]] || fail "result show: 学科 13/20 with one multiple mark"
[[ $(json "$WORK/show.json" '$.positions[0].marked') == "○×" && $(json "$WORK/show.json" '$.positions[0].point') == 0 ]] ||
	fail "result show: question 1 marked ○× scores nothing"
[[ $(json "$WORK/show.json" '$.positions') == *'"number":30'* ]] || fail "result show: 30 positions"
# Each position agrees with the grading done here, and names the item printed there.
sqlite3 :memory: "SELECT p.value->>'number', p.value->>'item', p.value->>'point'
	FROM json_each(CAST(readfile('$WORK/show.json') AS TEXT), '\$.positions') p" >"$WORK/shown"
calc "SELECT number, item, point FROM point WHERE exam = '$no' ORDER BY number" >"$WORK/computed"
diff -u "$WORK/computed" "$WORK/shown" >&2 || fail "result show disagrees with the grading done by hand"
run 0 result show "$no"
contains "$WORK/out" "stored:  pass (grading run 1, 2026-11-22T09:00:00Z)"
contains "$WORK/out" "gakka    13/20   65 % (13/20)"
contains "$WORK/out" "several marks"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'result' AND action = 'show'") == 2 ]] ||
	fail "showing accepted answers is audited"
run 0 result list --sitting $SIT --outcome absent
same_text <(awk 'NR > 1 { print $1 }' "$WORK/out") "${exams[$((N - 1))]}"
run 2 result list --sitting $SIT --outcome maybe
contains "$WORK/err" "'maybe' is not an outcome"

# ---- a key correction: accept every answer of a 学科 item ----
# The item: one printed on every paper (an anchor) whose correction lifts
# the most candidates to a pass; they sit at 12/20 with the item wrong.
A=$(calc "SELECT m.item FROM mark m JOIN exam e ON e.exam = m.exam JOIN plan pl ON pl.k = e.k
	WHERE m.section = 'gakka' GROUP BY 1 HAVING count(*) = $((N - 1))
	ORDER BY sum(pl.g = 12 AND pl.j >= 6 AND m.number > pl.g) DESC, 1 LIMIT 1")
[[ -n "$A" ]] || fail "no 学科 item on every paper (the forms' anchors)"
calc "CREATE TABLE before AS SELECT * FROM expect"
calc "INSERT INTO accept VALUES ('$A', 'OX')"
# will_change: results whose points move; will_flip: whose outcome moves.
calc "SELECT b.exam FROM before b JOIN expect a ON a.exam = b.exam
	WHERE (a.gakka, a.jitsugi) IS NOT (b.gakka, b.jitsugi) ORDER BY 1" >"$WORK/will_change"
calc "SELECT b.exam FROM before b JOIN expect a ON a.exam = b.exam JOIN exam x ON x.exam = b.exam
	WHERE x.k < $((N - 1)) AND (a.gakka >= 13 AND a.jitsugi >= 6) <> (b.gakka >= 13 AND b.jitsugi >= 6)
	ORDER BY 1" >"$WORK/will_flip"
[[ -s "$WORK/will_flip" ]] || fail "the fixture should flip someone"
[[ $(wc -l <"$WORK/will_change") -gt $(wc -l <"$WORK/will_flip") ]] ||
	fail "the fixture should change someone without flipping them"

KEY=$(calc "SELECT key FROM key WHERE item = '$A'")
refused_usage "shiken: give --reason" item rekey "$A" --accept-all --reason ""
refused_usage "shiken: give --key K or --accept-all" item rekey "$A" --reason "flawed"
refused_usage "shiken: give --key K or --accept-all" item rekey "$A" --key O --accept-all --reason "flawed"
refused_usage "shiken: 'B' is not an answer of a ○× item (O or X)" item rekey "$A" --key B --reason x
refused 1 "shiken: $A v1 already accepts exactly that" item rekey "$A" --key "$KEY" --reason "same"
refused 1 "shiken: no item 'MM1-G-999'" item rekey MM1-G-999 --accept-all --reason x
run 0 item rekey "$A" --accept-all --reason "both readings defensible"
contains "$WORK/out" "$A v1: key corrected: every clear answer scores"
[[ $(count "SELECT accept FROM key_correction") == 3 ]] || fail "accept-all on a ○× item accepts ○ and ×"
sk audit show --entity item --key "$A" >"$WORK/audit"
contains "$WORK/audit" "rekey"
contains "$WORK/audit" "both readings defensible"

# A dry run lists the changes and writes nothing.
snapshot rekeyed
run 1 grade --sitting $SIT --dry-run
unchanged_since rekeyed
listed() { grep -oE '^[0-9]{4}-[0-9]{5}-[0-9]:' "$WORK/out" | tr -d : || true; }
diff -u "$WORK/will_change" <(listed) >&2 || fail "grade --dry-run lists other candidates than change"
# Without --confirm: the same list, nothing written, exit 1.
run 1 grade --sitting $SIT
unchanged_since rekeyed
diff -u "$WORK/will_change" <(listed) >&2 || fail "grade lists other candidates than change"
n_change=$(wc -l <"$WORK/will_change")
contains "$WORK/out" "$n_change results would change; run again with --confirm to apply them"
contains "$WORK/out" "of the changed results, $(wc -l <"$WORK/will_flip") change outcome (pass, fail, absent, disqualified); the rest only points"
for no in $(cat "$WORK/will_flip"); do
	b=$(calc "SELECT gakka FROM before WHERE exam = '$no'")
	contains "$WORK/out" "$no: fail → pass: gakka $b/20 → $((b + 1))/20 ($A rekeyed)"
done
for no in $(comm -23 "$WORK/will_change" "$WORK/will_flip"); do
	grep -qE "^$no: (pass → pass|fail → fail|disqualified → disqualified): gakka [0-9]+/20 → [0-9]+/20 \($A rekeyed\)$" \
		"$WORK/out" || fail "$no changes its points, not its outcome"
done
# With --confirm it is written, each change audited with its reason.
run 0 grade --sitting $SIT --confirm
contains "$WORK/out" "$SIT: $N registrations: $N graded (0 new, $n_change changed, $((N - n_change)) unchanged)"
contains "$WORK/out" "grading run 2: $n_change results written"
actual >"$WORK/actual"
expected >"$WORK/expected"
diff -u "$WORK/expected" "$WORK/actual" >&2 || fail "the results after the key correction differ from grading by hand"
sk audit show --entity result --limit 0 --json >"$WORK/audit.json"
sqlite3 :memory: "SELECT a.value->>'key' FROM json_each(CAST(readfile('$WORK/audit.json') AS TEXT)) a
	WHERE a.value->>'action' = 'regrade' ORDER BY 1" >"$WORK/audited"
diff -u "$WORK/will_change" "$WORK/audited" >&2 || fail "every changed result is audited, and only those"
first=$(head -1 "$WORK/will_flip")
sqlite3 :memory: "SELECT a.value->'detail'->'old'->>'outcome', a.value->'detail'->'new'->>'outcome', a.value->'detail'->>'why'
	FROM json_each(CAST(readfile('$WORK/audit.json') AS TEXT)) a
	WHERE a.value->>'action' = 'regrade' AND a.value->>'key' = '$first'" >"$WORK/one"
contains "$WORK/one" "fail|pass|gakka"
contains "$WORK/one" "($A rekeyed)"
consistent

# Grading again now changes nothing and records no run.
snapshot confirmed
run 0 grade --sitting $SIT
contains "$WORK/out" "(0 new, 0 changed, $N unchanged)"
unchanged_since confirmed
# result show notes the correction where the item was printed.
run 0 result show "$first" --json
cp "$WORK/out" "$WORK/show.json"
sqlite3 :memory: "SELECT p.value->>'accepted', p.value->>'corrected', p.value->>'point'
	FROM json_each(CAST(readfile('$WORK/show.json') AS TEXT), '\$.positions') p
	WHERE p.value->>'item' = '$A'" >"$WORK/shown"
same_text "$WORK/shown" "○×|1|1"
run 0 result show "$first"
contains "$WORK/out" "key corrected"

# ---- accept a second option of a 実技 item: straight to --confirm ----
# The item and extra option that change the most results.
read -r X W < <(calc -separator ' ' "SELECT m.item, (SELECT o.value FROM json_each(m.options) o WHERE 1 << o.key = m.mark)
	FROM mark m JOIN exam e ON e.exam = m.exam JOIN plan pl ON pl.k = e.k
	WHERE m.section = 'jitsugi' AND m.number - 20 > pl.j GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1")
KEY=$(calc "SELECT key FROM key WHERE item = '$X'")
[[ -n "$X" && -n "$W" && "$W" != "$KEY" ]] || fail "no 実技 item to rekey in the fixture"
refused_usage "shiken: 'BZ' is not a set of options (letters A to E, like BC)" item rekey "$X" --key BZ --reason x
run 0 item rekey "$X" --key "$(echo "$KEY$W" | tr 'A-E' 'a-e')" --reason "figure ambiguous: $W also correct"
contains "$WORK/out" "$X v1: key corrected: $(echo "$KEY$W" | grep -o . | sort | tr '\n' ' ' | sed 's/ $//') now scores"
calc "DELETE FROM before; INSERT INTO before SELECT * FROM expect; INSERT INTO accept VALUES ('$X', '$KEY$W')"
calc "SELECT b.exam FROM before b JOIN expect a ON a.exam = b.exam
	WHERE (a.gakka, a.jitsugi) IS NOT (b.gakka, b.jitsugi) ORDER BY 1" >"$WORK/will_change"
[[ -s "$WORK/will_change" ]] || fail "the 実技 correction should change someone"
run 0 grade --sitting $SIT --confirm
diff -u "$WORK/will_change" <(listed) >&2 || fail "grade --confirm lists other candidates than change"
contains "$WORK/out" "($X rekeyed)"
actual >"$WORK/actual"
expected >"$WORK/expected"
diff -u "$WORK/expected" "$WORK/actual" >&2 || fail "the results after accepting a second option differ"
# A newer correction replaces the older: back to the key alone.
run 0 item rekey "$X" --key "$KEY" --reason "committee: $KEY only after all"
calc "DELETE FROM accept WHERE item = '$X'"
run 1 grade --sitting $SIT
diff -u "$WORK/will_change" <(listed) >&2 || fail "undoing the correction changes the same results back"
run 0 grade --sitting $SIT --confirm
actual >"$WORK/actual"
expected >"$WORK/expected"
diff -u "$WORK/expected" "$WORK/actual" >&2 || fail "the results after undoing the correction differ"

# ---- problems: a late incident and a sheet of another paper ----
# A disqualifying incident after grading changes a result (confirmation needed).
victim=${exams[0]}
run 0 incident add "$victim" --kind impersonation --disqualify --note "photo does not match" --proctor "Proctor B"
run 1 grade --sitting $SIT
contains "$WORK/out" "$victim: pass → disqualified: disqualified (incident: impersonation)"
contains "$WORK/out" "1 result would change; run again with --confirm to apply it"
# The answer sheet of another candidate's paper (the importer refuses one;
# here the registry was changed behind its back): reported, not graded, the
# stored result kept.
other=${exams[2]}
sqlite3 "$DB" "UPDATE response SET paper_code = (SELECT p.code FROM paper p JOIN registration r ON r.id = p.registration_id
	WHERE r.exam_number = '$other') WHERE registration_id = (SELECT id FROM registration WHERE exam_number = '${exams[3]}')"
snapshot mismatch
run 1 grade --sitting $SIT --confirm
contains "$WORK/err" "${exams[3]}: the answer sheet is of paper"
contains "$WORK/err" "not graded"
contains "$WORK/out" "$SIT: $N registrations: $((N - 1)) graded (0 new, 1 changed, $((N - 2)) unchanged); 1 not graded"
[[ $(count "SELECT outcome FROM result r JOIN registration g ON g.id = r.registration_id WHERE g.exam_number = '$victim'") == disqualified ]] ||
	fail "the late incident was not applied with --confirm"
[[ $(count "SELECT count(*) FROM result r JOIN registration g ON g.id = r.registration_id WHERE g.exam_number = '${exams[3]}'") == 1 ]] ||
	fail "the stored result of an ungradable registration must stay"
run 0 result show "${exams[3]}"
contains "$WORK/out" "now:     cannot be graded: the answer sheet is of paper"
consistent

# ---- usage ----
refused_usage "shiken: give --sitting S" grade
refused_usage "shiken: give --dry-run or --confirm, not both" grade --sitting $SIT --dry-run --confirm
refused 1 "shiken: no sitting 'NOPE'" grade --sitting NOPE
echo ok
