# shiken responses import|show, shiken scores import, shiken generate
# responses: answer-sheet marks checked against each candidate's own paper,
# every refusal named as file:line: column: reason with nothing changed,
# replacing audited with the old and new marks, the same file again changing
# nothing; examiners' scores for 'scored' sections; and simulated sheets
# that import cleanly and are the same for the same seed.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
ASSETS=$(realpath "$TESTS_DIR/../assets/bank")
SIT=2026-12-HAN

# ---- a sitting with papers: the demo's bank, six MM1 forms, 30 candidates ----
fresh_db
sk bank import "$ASSETS/MM1.csv" >/dev/null
sk item review --from "$ASSETS/reviews-MM1.csv" >/dev/null
sk blueprint import "$ASSETS/blueprints.csv" >/dev/null
sk form build --test MM1 --count 6 --anchors 5 --seed 2026 >/dev/null
sk generate candidates --count 40 --seed 5 --year 2026 --out "$WORK/c.csv" >/dev/null
sk candidate import "$WORK/c.csv" >/dev/null
sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city "Hà Nội" \
	--address "12 Trần Hưng Đạo" --room A:4x5 --room B:3x4 >/dev/null
sk sitting create --code $SIT --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 \
	--fee 600000 --currency VND >/dev/null
{
	echo "reference,sitting,test"
	sed -n '2,31p' "$WORK/c.csv" | cut -d, -f1 | sed "s/\$/,$SIT,MM1/"
} >"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null
run 0 paper build --sitting $SIT
same_text "$WORK/out" "$SIT: 30 registrations; papers: 30 built, 0 already built"
# One more registration after the papers were built: it has none.
sk register add --candidate "$(sed -n '32p' "$WORK/c.csv" | cut -d, -f1)" --sitting $SIT --test MM1 >/dev/null
NOPAPER=$(examno 1 31)

# What each candidate's answer sheet looks like, from 'paper key --json'
# (what graders see): per printed question "tf" or its number of options.
declare -A code_of layout_of
for i in $(seq 1 30); do
	no=$(examno 1 "$i")
	sk paper key "$no" --json >"$WORK/key.json"
	code_of[$no]=$(json "$WORK/key.json" '$.paper_code')
	layout_of[$no]=$(sqlite3 :memory: "SELECT CASE json_extract(s.value, '\$.section') WHEN 'gakka' THEN 'tf'
		ELSE json_array_length(i.value, '\$.options') END
		FROM json_each(readfile('$WORK/key.json'), '\$.sections') s, json_each(s.value, '\$.items') i
		ORDER BY s.key, i.key" | tr '\n' ' ')
	[[ $(wc -w <<<"${layout_of[$no]}") == 30 ]] || fail "$no: 30 questions expected"
done
# first_with EXAMNO W: the first printed question of kind W (tf, 4, 5).
first_with() {
	local k=0 w
	for w in ${layout_of[$1]}; do
		k=$((k + 1))
		[[ $w == "$2" ]] && { echo $k; return; }
	done
}
last_with() {
	local k=0 w at=
	for w in ${layout_of[$1]}; do
		k=$((k + 1))
		[[ $w == "$2" ]] && at=$k
	done
	echo $at
}
# A candidate of the form with a five-option question (MM1-J-047; seats,
# and so forms, are drawn from the sitting key, new each run): where it is
# and where a four-option one is.
FIVE=
for i in $(seq 1 29); do
	[[ -n $(first_with "$(examno 1 "$i")" 5) ]] && { FIVE=$(examno 1 "$i"); break; }
done
[[ -n $FIVE ]] || fail "no paper has a five-option question"
FIVE_AT=$(first_with "$FIVE" 5) FOUR_AT=$(first_with "$FIVE" 4)

# row EXAMNO [POS=MARK ...]: a full, valid answer-sheet row (○× alternating
# O and X, multiple choice cycling A, B, C, ...), with the given positions
# overridden; EXAMNO's own paper code unless CODE= is set.
row() {
	local no=$1 k=0 w m out
	shift
	out="$no,${CODE-${code_of[$no]}}"
	for w in ${layout_of[$no]}; do
		k=$((k + 1))
		if [[ $w == tf ]]; then
			((k % 2)) && m=O || m=X
		else
			m=$(printf "\\x$(printf %x $((65 + k % w)))")
		fi
		for o in "$@"; do [[ ${o%%=*} == "$k" ]] && m=${o#*=}; done
		out+=",$m"
	done
	echo "$out"
}
H="exam_number,paper_code,$(seq -s, 1 30)"
N1=$(examno 1 1) N2=$(examno 1 2) N3=$(examno 1 3) N4=$(examno 1 4) N5=$(examno 1 5)
# marks_of EXAMNO: the stored marks as 'responses show --json' lists them.
marks_of() {
	sk responses show "$1" --json >"$WORK/show.json"
	sqlite3 :memory: "SELECT group_concat(json_extract(value, '\$.mark'), ' ')
		FROM json_each(readfile('$WORK/show.json'), '\$.marks')"
}

# ---- a good file: every mark stored as read, audited ----
{
	echo "$H,31,32"
	row "$N1" | sed 's/$/,,/'
	row "$N2" 1= 21= | sed 's/$/,,/'
	row "$N3" 1=OX 2=* 21=AC 22="A C" 23=A/C 24=* 25=bd | sed 's/$/,,/'
	row "$N4" 3=○ 4=× 5=o 6=x 26=ａ | sed 's/$/,,/'
} >good.csv
run 0 responses import good.csv
same_text "$WORK/out" "good.csv: 4 rows; answer sheets: 4 added, 0 updated, 0 unchanged"
[[ $(count "SELECT count(*) FROM response") == 4 ]] || fail "4 responses stored"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'response' AND action = 'create'") == 4 ]] ||
	fail "every response is audited"
[[ $(count "SELECT length(marks) FROM response r JOIN registration g ON g.id = r.registration_id
	WHERE g.exam_number = '$N1'") == 30 ]] || fail "one byte per question of the paper, blank columns past it ignored"
[[ $(count "SELECT source FROM response r JOIN registration g ON g.id = r.registration_id
	WHERE g.exam_number = '$N2'") == good.csv:3 ]] || fail "the source names file and line"
m=$(marks_of "$N3")
[[ $m == "○× * ○ × ○ × "*" AC AC AC * BD "* ]] || fail "several marks as read: $m"
m=$(marks_of "$N2")
[[ $m == " × ○ "* ]] || fail "a blank is stored as blank: $m"
[[ $(json "$WORK/show.json" '$.marks[20].mark') == "" && $(json "$WORK/show.json" '$.blank') == 2 ]] ||
	fail "$N2 has two blanks"
m=$(marks_of "$N4")
[[ $(cut -d' ' -f3-6 <<<"$m") == "○ × ○ ×" && $(cut -d' ' -f26 <<<"$m") == A ]] ||
	fail "○, ×, lower case and full-width letters: $m"
[[ $(json "$WORK/show.json" '$.paper_code') == "${code_of[$N4]}" ]] || fail "show gives the paper code"
# The audit record holds the marks and where they came from.
[[ $(count "SELECT json_extract(detail, '\$.marks') FROM audit WHERE entity = 'response' AND entity_key = '$N3'") == \
	"$(marks_of "$N3" | sed 's/^ /- /; s/  / - /g; s/ $/ -/')" ]] || fail "the audit record lists the marks"
[[ $(count "SELECT json_extract(detail, '\$.source') || ' ' || json_extract(detail, '\$.paper_code')
	FROM audit WHERE entity = 'response' AND entity_key = '$N3'") == "good.csv:4 ${code_of[$N3]}" ]] ||
	fail "the audit record names the source and paper"
consistent

# 'responses show': per question with its section.
run 0 responses show "$N3"
same_text <(head -4 "$WORK/out") "$N3  MM1  paper code ${code_of[$N3]}
question  section  mark
1         gakka    ○×
2         gakka    *"
contains "$WORK/out" "21        jitsugi  AC"
same_text <(tail -1 "$WORK/out") "30 questions: 0 blank, 7 with several marks"
refused 1 "shiken: no answer sheet was imported for $N5" responses show "$N5"
refused 1 "shiken: 'nonsense' is not an exam number (like 0001-00042-6)" responses show nonsense

# ---- the same file again: nothing changes ----
snapshot same
run 0 responses import good.csv
same_text "$WORK/out" "good.csv: 4 rows; answer sheets: 0 added, 0 updated, 4 unchanged"
unchanged_since same

# ---- refusals: each named, nothing changed ----
# bad NAME STDERR: import NAME.csv and fail with exactly STDERR.
bad() { refused 1 "$2" responses import "$1.csv"; }
sk register cancel "$(examno 1 30)" --reason "withdrew" >/dev/null
CANCELLED=$(examno 1 30)

{ echo "$H"; row "$N5"; row "$N5" | sed "s/^$N5/$(examno 1 99)/"; } >unknown.csv
bad unknown "unknown.csv:3: exam_number: no registration with exam number $(examno 1 99)
shiken: unknown.csv: rows with errors: 1 of 2; nothing was changed"
[[ $(count "SELECT count(*) FROM response") == 4 ]] || fail "the good row of a bad file went in"

{ echo "$H"; row "$N5" | sed "s/^$N5/0001-00005/"; row "$N5" | sed "s/^$N5/0001-00005-4/"; row "$N5" | sed "s/^$N5//"; } >examno.csv
bad examno "examno.csv:2: exam_number: '0001-00005' is not an exam number (like 0001-00042-6)
examno.csv:3: exam_number: '0001-00005-4' has a wrong check digit (mistyped?)
examno.csv:4: exam_number: is empty
shiken: examno.csv: rows with errors: 3 of 3; nothing was changed"

{ echo "$H"; row "$N5"; CODE=${code_of[$CANCELLED]} row "$CANCELLED"; } >cancelled.csv
bad cancelled "cancelled.csv:3: exam_number: registration $CANCELLED was cancelled
shiken: cancelled.csv: rows with errors: 1 of 2; nothing was changed"

{ echo "$H"; echo "$NOPAPER,$(row "$N5" | cut -d, -f2-)"; } >nopaper.csv
bad nopaper "nopaper.csv:2: paper_code: $NOPAPER has no paper (build papers with 'shiken paper build')
shiken: nopaper.csv: rows with errors: 1 of 1; nothing was changed"

# Another candidate's sheet, a misread code, a code with a wrong check digit.
code5=${code_of[$N5]}
wrong=${code5:0:8}$(((${code5:8:1} + 1) % 10))
{ echo "$H"; CODE=${code_of[$N1]} row "$N5"; } >code1.csv
bad code1 "code1.csv:2: paper_code: '${code_of[$N1]}' is not the paper of $N5 ($code5): another candidate's sheet, or misread?
shiken: code1.csv: rows with errors: 1 of 1; nothing was changed"
{ echo "$H"; CODE=03-12X4-5 row "$N5"; CODE=$wrong row "$(examno 1 13)"; CODE= row "$(examno 1 14)"; } >code2.csv
bad code2 "code2.csv:2: paper_code: '03-12X4-5' is not a paper code (like 03-4812-7)
code2.csv:3: paper_code: '$wrong' has a wrong check digit (misread?)
code2.csv:4: paper_code: is empty
shiken: code2.csv: rows with errors: 3 of 3; nothing was changed"

# Marks a question cannot have: E where there are four options, a letter on
# a ○× question, O on a multiple-choice one, a mark past the paper's end.
{
	echo "$H,31"
	row "$N5" 1=A "$(first_with "$N5" 4)=E" "$(last_with "$N5" 4)=O" | sed 's/$/,/'
	row "$(examno 1 6)" 2=B 3=C "$(first_with "$(examno 1 6)" 4)=X" | sed 's/$/,/'
	row "$(examno 1 7)" | sed 's/$/,A/'
	row "$(examno 1 8)" 4=? 24=** 25=AA | sed 's/$/,/'
} >marks.csv
bad marks "marks.csv:2: 1: 'A' is not an answer to this question (it takes O/X)
marks.csv:2: $(first_with "$N5" 4): 'E' is not an answer to this question (it takes A-D)
marks.csv:2: $(last_with "$N5" 4): 'O' is not an answer to this question (it takes A-D)
marks.csv:3: 2: 'B' is not an answer to this question (it takes O/X)
marks.csv:3: 3: 'C' is not an answer to this question (it takes O/X)
marks.csv:3: $(first_with "$(examno 1 6)" 4): 'X' is not an answer to this question (it takes A-D)
marks.csv:4: 31: 'A' is marked, but the paper has only 30 questions
marks.csv:5: 4: '?' is not a mark (this question takes O/X, several like AC, * or nothing)
marks.csv:5: 24: '**' mixes '*' (marks that could not be told apart) with other marks
marks.csv:5: 25: 'AA' names the same answer twice
shiken: marks.csv: rows with errors: 4 of 4; nothing was changed"

# On the paper with a five-option question E is an answer there, and only
# there (the form has both: the candidate's own paper decides).
{ echo "$H"; row "$FIVE" "$FIVE_AT=E" "$FOUR_AT=E"; } >five.csv
bad five "five.csv:2: $FOUR_AT: 'E' is not an answer to this question (it takes A-D)
shiken: five.csv: rows with errors: 1 of 1; nothing was changed"
{ echo "$H"; row "$FIVE" "$FIVE_AT=E"; } >five_ok.csv
snapshot five
run 0 responses import five_ok.csv --replace --dry-run
contains "$WORK/out" "five_ok.csv: 1 row; answer sheets: "
contains "$WORK/out" "dry run: nothing was changed"
unchanged_since five

# The same exam number twice (in any spelling): both lines are named.
{ echo "$H"; row "$N5"; row "$(examno 1 6)"; row "$N5" | sed "s/^$N5/${N5//-/}/"; } >twice.csv
bad twice "twice.csv:2: exam_number: $N5 appears again on line 4
twice.csv:4: exam_number: $N5 appears again (first on line 2)
shiken: twice.csv: rows with errors: 2 of 3; nothing was changed"

# Other marks for a sheet already imported.
{ echo "$H"; row "$N1" 1=X; } >changed.csv
bad changed "changed.csv:2: exam_number: $N1 already has other marks (from good.csv:2); use --replace to replace them
shiken: changed.csv: rows with errors: 1 of 1; nothing was changed"

# Header problems.
{ echo "exam_number,paper_code,1,2,3,q3,5,remarks"; } >header.csv
bad header "header.csv:1: q3: the same question position as column '3'
header.csv:1: remarks: unknown column (use --ignore-unknown to skip it)
header.csv:1: header: no column for question 4 (positions run from 1 without gaps)
shiken: header.csv: nothing was changed"
{ echo "exam_number,$(seq -s, 1 30)"; } >nocode.csv
bad nocode "nocode.csv:1: paper_code: required column is missing
shiken: nocode.csv: nothing was changed"
{ echo "exam_number,paper_code"; echo "$N5,$code5"; } >nopos.csv
bad nopos "nopos.csv:1: header: no columns for question positions (1, 2, ... or q1, q2, ...)
shiken: nopos.csv: nothing was changed"
{ echo "exam_number,paper_code,1,201"; } >range.csv
bad range "range.csv:1: 201: question positions run from 1 to 200
shiken: range.csv: nothing was changed"
# A file with fewer columns than the paper has questions.
{ echo "exam_number,paper_code,$(seq -s, 1 20)"; row "$N5" | cut -d, -f1-22; } >short.csv
refused 1 "short.csv:2: paper_code: the paper has 30 questions but the file has columns for only 20
shiken: short.csv: rows with errors: 1 of 1; nothing was changed" responses import short.csv

# ---- q1..qN and Japanese headers; --replace; --dry-run; --skip-invalid ----
{ echo "受験番号,用紙コード,$(seq -s, -f 'q%g' 1 30)"; row "$N5"; } >qcols.csv
run 0 responses import qcols.csv
same_text "$WORK/out" "qcols.csv: 1 row; answer sheets: 1 added, 0 updated, 0 unchanged"

before=$(marks_of "$N1")
snapshot dry
run 0 responses import changed.csv --replace --dry-run
same_text "$WORK/out" "changed.csv: 1 row; answer sheets: 0 added, 1 updated, 0 unchanged
dry run: nothing was changed"
unchanged_since dry
run 0 responses import --replace changed.csv
same_text "$WORK/out" "changed.csv: 1 row; answer sheets: 0 added, 1 updated, 0 unchanged"
after=$(marks_of "$N1")
[[ $before == "○ "* && $after == "× ${before#○ }" ]] || fail "--replace: '$before' -> '$after'"
[[ $(count "SELECT json_extract(detail, '\$.marks[0]') || '|' || json_extract(detail, '\$.marks[1]') || '|' ||
	json_extract(detail, '\$.source') FROM audit WHERE entity = 'response' AND entity_key = '$N1' AND action = 'replace'") == \
	"$before|$after|changed.csv:2" ]] || fail "the replacement is audited with the old and new marks"
[[ $(count "SELECT source FROM response r JOIN registration g ON g.id = r.registration_id
	WHERE g.exam_number = '$N1'") == changed.csv:2 ]] || fail "the source follows the replacement"
snapshot again
run 0 responses import changed.csv --replace
same_text "$WORK/out" "changed.csv: 1 row; answer sheets: 0 added, 0 updated, 1 unchanged"
unchanged_since again
consistent

{ echo "$H"; row "$(examno 1 9)"; row "$(examno 1 10)" 1=E; row "$(examno 1 11)"; } >some.csv
run 0 responses import some.csv --skip-invalid
same_text "$WORK/err" "some.csv:3: 1: 'E' is not an answer to this question (it takes O/X)"
same_text "$WORK/out" "some.csv: 3 rows; answer sheets: 2 added, 0 updated, 0 unchanged; 1 row rejected
rejected rows and their errors: some.csv.rejects.csv"
[[ $(tail -1 some.csv.rejects.csv) == "$(row "$(examno 1 10)" 1=E),1: 'E' is not an answer to this question (it takes O/X)" ]] ||
	fail "the rejects file holds the row and its reason"

# ---- CP932, as Excel saves a Japanese sheet ----
{
	echo "受験番号,用紙コード,$(seq -s, -f '問%g' 1 30)"
	row "$(examno 1 12)" 1=○ 2=× | sed "s/^$(examno 1 12)/$(examno 1 12 | sed 's/0/０/g')/"
} | iconv -f UTF-8 -t CP932 >excel.csv
[[ $(file -b --mime-encoding excel.csv) != utf-8 ]] || fail "excel.csv is not CP932"
run 0 responses import excel.csv
same_text "$WORK/out" "excel.csv: 1 row; answer sheets: 1 added, 0 updated, 0 unchanged"
[[ $(marks_of "$(examno 1 12)" | cut -d' ' -f1-2) == "○ ×" ]] || fail "CP932 marks"
run 0 responses import excel.csv --encoding cp932
same_text "$WORK/out" "excel.csv: 1 row; answer sheets: 0 added, 0 updated, 1 unchanged"
consistent

# ---- usage ----
refused_usage "shiken: give exactly one CSV file" responses import
refused_usage "shiken: unknown option '--force'" responses import good.csv --force
refused_usage "shiken: give an exam number" responses show
refused_usage "shiken: unknown option '--force'" scores import x.csv --force

# ---- examiners' scores: a test with a section scored by examiners ----
cat >tests.csv <<'EOF'
test,category_ja,category_en,level,section,section_ja,section_en,item_kind,pass_percent,time_limit_min
WD1,溶接,Welding,1,gakka,学科,Written,tf,65,30
WD1,溶接,Welding,1,kadai,実技課題,Practical task,scored,60,90
EOF
sk test import tests.csv >/dev/null
sk sitting create --code 2026-12-WD --date 2026-12-14 --time 09:30 --venue HAN1 --test WD1 \
	--fee 600000 --currency VND >/dev/null
for i in 33 34 35 36; do
	sk register add --candidate "$(sed -n "${i}p" "$WORK/c.csv" | cut -d, -f1)" --sitting 2026-12-WD --test WD1 >/dev/null
done
W1=$(examno 2 1) W2=$(examno 2 2) W3=$(examno 2 3) W4=$(examno 2 4)
cat >scores.csv <<EOF
exam_number,section,points,max_points,examiners,note
$W1,kadai,72,100,鈴木 美和; 佐藤 健一,
$W2,kadai,0,100,鈴木 美和,"did not finish
(time)"
$W3,kadai,100,100, 佐藤 健一 ;鈴木 美和 ,
EOF
run 0 scores import scores.csv
same_text "$WORK/out" "scores.csv: 3 rows; section scores: 3 added, 0 updated, 0 unchanged"
[[ $(count "SELECT group_concat(points || '/' || max_points || ' ' || examiners, '|') FROM (SELECT s.* FROM section_score s
	JOIN registration r ON r.id = s.registration_id ORDER BY r.exam_number)") == \
	"72/100 鈴木 美和; 佐藤 健一|0/100 鈴木 美和|100/100 佐藤 健一; 鈴木 美和" ]] || fail "scores stored with their examiners"
[[ $(count "SELECT note FROM section_score WHERE points = 0") == "did not finish
(time)" ]] || fail "the note is kept"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'score' AND action = 'create'") == 3 ]] || fail "scores audited"
[[ $(count "SELECT detail FROM audit WHERE entity = 'score' AND entity_key = '$W1'") == \
	'{"section":"kadai","points":72,"max_points":100,"examiners":"鈴木 美和; 佐藤 健一","note":"","source":"scores.csv:2"}' ]] ||
	fail "the score's audit record"
snapshot scores
run 0 scores import scores.csv
same_text "$WORK/out" "scores.csv: 3 rows; section scores: 0 added, 0 updated, 3 unchanged"
unchanged_since scores

S="exam_number,section,points,max_points,examiners,note"
cat >sbad.csv <<EOF
$S
$W4,gakka,10,20,鈴木 美和,
$W4,jitsugi,10,20,鈴木 美和,
$N5,kadai,10,20,鈴木 美和,
$W4,kadai,21,20,鈴木 美和,
$W4,kadai,-1,20,鈴木 美和,
$W4,kadai,5,0,鈴木 美和,
$W4,kadai,5,,,
$W4,kadai,5,20,鈴木 美和;;佐藤 健一,
$W4,kadai,5,20,=HYPERLINK(),
$(examno 2 9),kadai,5,20,鈴木 美和,
$W1,kadai,73,100,鈴木 美和; 佐藤 健一,
EOF
refused 1 "sbad.csv:2: section: section 'gakka' of WD1 is not scored by examiners: its marks come from answer sheets
sbad.csv:3: section: test WD1 has no section 'jitsugi'
sbad.csv:4: section: test MM1 has no section 'kadai'
sbad.csv:5: points: 21 points are more than max_points (20)
sbad.csv:6: points: '-1' is not a whole number of points (0 or more)
sbad.csv:7: max_points: '0' is not a whole number of points above 0
sbad.csv:8: max_points: is empty
sbad.csv:8: examiners: is empty
sbad.csv:9: examiners: '鈴木 美和;;佐藤 健一' has an empty name (names are separated by ';')
sbad.csv:10: examiners: must not start with '=', '+' or '@' (a spreadsheet would run it as a formula)
sbad.csv:11: exam_number: no registration with exam number $(examno 2 9)
sbad.csv:12: exam_number: $W1 already has a score for this section (72/100, from scores.csv:2); use --replace to replace it
shiken: sbad.csv: rows with errors: 11 of 11; nothing was changed" scores import sbad.csv
cat >stwice.csv <<EOF
$S
$W4,kadai,5,20,鈴木 美和,
$W4,kadai,6,20,鈴木 美和,
EOF
refused 1 "stwice.csv:2: exam_number: $W4 appears again for this section on line 3
stwice.csv:3: exam_number: $W4 appears again for this section (first on line 2)
shiken: stwice.csv: rows with errors: 2 of 2; nothing was changed" scores import stwice.csv
cat >smissing.csv <<EOF
exam_number,section,points,max_points
$W4,kadai,5,20
EOF
refused 1 "smissing.csv:1: examiners: required column is missing
shiken: smissing.csv: nothing was changed" scores import smissing.csv

cat >sreplace.csv <<EOF
$S
$W1,kadai,73,100,鈴木 美和; 佐藤 健一,re-marked after appeal
EOF
run 0 scores import sreplace.csv --replace
same_text "$WORK/out" "sreplace.csv: 1 row; section scores: 0 added, 1 updated, 0 unchanged"
[[ $(count "SELECT json_extract(detail, '\$.points') || ' ' || json_extract(detail, '\$.note[1]') FROM audit
	WHERE entity = 'score' AND entity_key = '$W1' AND action = 'replace'") == "[72,73] re-marked after appeal" ]] ||
	fail "the replaced score is audited with the old and new points"
consistent

# ---- simulated answer sheets ----
refused_usage "shiken: give --sitting S" generate responses --out sim.csv
refused_usage "shiken: '150' is not a valid number here" generate responses --sitting $SIT --out sim.csv --absent 150
refused 1 "shiken: no sitting '2099-01-X'" generate responses --sitting 2099-01-X --out sim.csv
refused 1 "shiken: 2026-12-WD has no papers yet (run 'shiken paper build --sitting 2026-12-WD')" \
	generate responses --sitting 2026-12-WD --out sim.csv
run 0 generate responses --sitting $SIT --out sim.csv --seed 11
same_text "$WORK/out" "wrote 28 answer sheets of $SIT to sim.csv (1 of 29 candidates absent)"
run 0 generate responses --sitting $SIT --out sim2.csv --seed 11
cmp -s sim.csv sim2.csv || fail "the same seed gives different sheets"
run 0 generate responses --sitting $SIT --out sim3.csv --seed 12
! cmp -s sim.csv sim3.csv || fail "another seed gives the same sheets"
[[ $(head -1 sim.csv) == "$H" ]] || fail "header: $(head -1 sim.csv)"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'sitting' AND entity_key = '$SIT' AND action = 'simulate responses'") == 3 ]] ||
	fail "reading the keys to simulate is audited"
run 0 generate responses --sitting $SIT --out none.csv --absent 100
same_text "$WORK/out" "wrote 0 answer sheets of $SIT to none.csv (29 of 29 candidates absent)"
[[ $(wc -l <none.csv) == 1 ]] || fail "--absent 100 leaves only the header"
# Every simulated mark is one the paper has, in the paper's letters.
run 0 responses import sim.csv --replace
same_text "$WORK/out" "sim.csv: 28 rows; answer sheets: 20 added, 8 updated, 0 unchanged"
run 0 responses import sim.csv
same_text "$WORK/out" "sim.csv: 28 rows; answer sheets: 0 added, 0 updated, 28 unchanged"
consistent
