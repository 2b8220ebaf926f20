# shiken stats collusion on simulated sittings with planted copying, against
# the real binary: 2,000 candidates of three tests in 20 rooms of 10 x 10,
# answer sheets simulated with 10 candidates copying a neighbour's letters
# and 10 given the answers of a same-form candidate in sight (whole sheets
# copied), imported as an OMR file. Every planted pair must be flagged by
# the check that fits it — answers passed on, whenever the sheet passed on
# has wrong answers to give it away (a near-perfect sheet shared between
# two near-perfect candidates looks like two near-perfect candidates, to
# any index). Among the pairs that did not copy, the share flagged must stay
# at or under the level asked for, wherever chance alone would flag at
# least 20 of them (so that a rate can be seen at all), in sight and out.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
ASSETS=$(realpath "$TESTS_DIR/../assets/bank")
SIT=2026-12-BIG
N=2000

fresh_db
for t in MM1 EE1 ST1; do
	sk bank import "$ASSETS/$t.csv" >/dev/null
	sk item review --from "$ASSETS/reviews-$t.csv" >/dev/null
done
sk blueprint import "$ASSETS/blueprints.csv" >/dev/null
sk form build --test MM1 --count 6 --anchors 5 --seed 3 >/dev/null
sk form build --test EE1 --count 4 --seed 3 >/dev/null
sk form build --test ST1 --count 4 --seed 3 >/dev/null
sk generate candidates --count $N --seed 9 --year 2026 --out "$WORK/c.csv" >/dev/null
sk candidate import "$WORK/c.csv" >/dev/null
rooms=()
for r in $(seq 1 20); do rooms+=(--room "R$r:10x10"); done
sk venue add --code BIG --name Hall --country JP --city Tokyo --address 1-1 "${rooms[@]}" >/dev/null
sk sitting create --code $SIT --date 2026-12-13 --time 09:30 --venue BIG --test MM1 --test EE1 --test ST1 \
	--fee 100 --currency JPY >/dev/null
{
	echo "reference,sitting,test"
	sed -n "2,$((N + 1))p" "$WORK/c.csv" | cut -d, -f1 |
		awk -v s=$SIT '{ t = NR % 5 < 3 ? "MM1" : NR % 5 == 3 ? "EE1" : "ST1"; print $1 "," s "," t }'
} >"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null
sk paper build --sitting $SIT >/dev/null

refused 1 "shiken: sitting '$SIT' has no answer sheets yet: nothing to compare" stats collusion --sitting $SIT

run 0 generate responses --sitting $SIT --seed 11 --copiers 10 --sharers 10 --copy-share 100 \
	--planted "$WORK/planted.csv" --out "$WORK/omr.csv"
contains "$WORK/out" "planted 20 copying pairs (asked for 20)"
sk responses import "$WORK/omr.csv" >/dev/null
[[ $(wc -l <"$WORK/planted.csv") == 21 ]] || fail "20 planted pairs listed"

C="$WORK/calc.db"
calc() { sqlite3 "$C" "$@"; }
calc ".import --csv $WORK/planted.csv planted"
# Planted pairs are present candidates, each in one pair, who are what the
# simulator says: copiers next to their source, sharers on the same form.
[[ $(calc "SELECT count(DISTINCT copier) + count(DISTINCT source) FROM planted") == 40 ]] || fail "each in one pair"
sqlite3 -csv "$DB" "SELECT r.exam_number, rm.code, r.seat_row, r.seat_col, p.form_id FROM registration r
	JOIN room rm ON rm.id = r.room_id JOIN paper p ON p.registration_id = r.id" >"$WORK/seats.csv"
calc "CREATE TABLE seat (exam TEXT PRIMARY KEY, room TEXT, r INTEGER, c INTEGER, form INTEGER)"
calc ".import --csv $WORK/seats.csv seat"
[[ $(calc "SELECT count(*) FROM planted p JOIN seat a ON a.exam = p.copier JOIN seat b ON b.exam = p.source
	WHERE a.room != b.room OR max(abs(a.r - b.r), abs(a.c - b.c)) > iif(p.kind = 'letters', 1, 2)
	OR (p.kind = 'answers' AND a.form != b.form)") == 0 ]] || fail "planted pairs are not where the simulator says"

# ---- at the default level: every planted pair is flagged ----
run 0 stats collusion --sitting $SIT
contains "$WORK/out" "for review by people"
contains "$WORK/out" "not proof of copying"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'stats' AND entity_key = '$SIT' AND action = 'collusion check'") == 1 ]] ||
	fail "the check is audited"
run 0 stats collusion --sitting $SIT --json
cp "$WORK/out" "$WORK/flagged.json"
calc "CREATE TABLE flagged AS SELECT p.value->>'check' AS chk, p.value->'a'->>'exam_number' AS a,
	p.value->'b'->>'exam_number' AS b, p.value->>'p' AS p, p.value->>'neighbours' AS near
	FROM json_each(CAST(readfile('$WORK/flagged.json') AS TEXT), '\$.pairs') p"
# How many wrong answers each planted pair has in common, from every pair compared.
sk stats collusion --sitting $SIT --all --json --out "$WORK/every.json"
calc "CREATE TABLE every AS SELECT p.value->>'check' AS chk, p.value->'a'->>'exam_number' AS a,
	p.value->'b'->>'exam_number' AS b, p.value->>'observed' AS wrong
	FROM json_each(CAST(readfile('$WORK/every.json') AS TEXT), '\$.pairs') p"
calc "CREATE VIEW evident AS SELECT pl.* FROM planted pl WHERE pl.kind = 'letters' OR EXISTS (SELECT 1 FROM every e
	WHERE ((e.a = pl.copier AND e.b = pl.source) OR (e.a = pl.source AND e.b = pl.copier))
	AND e.chk = 'same-answers' AND e.wrong >= 6)"
[[ $(calc "SELECT count(*) FROM evident WHERE kind = 'letters'") == 10 ]] || fail "ten planted letter copiers"
(( $(calc "SELECT count(*) FROM evident WHERE kind = 'answers'") >= 5 )) ||
	fail "most sheets passed on should carry six wrong answers or more"
missed=$(calc "SELECT copier || '/' || source || ' ' || kind FROM evident pl WHERE NOT EXISTS (
	SELECT 1 FROM flagged f WHERE ((f.a = pl.copier AND f.b = pl.source) OR (f.a = pl.source AND f.b = pl.copier))
	AND f.chk = iif(pl.kind = 'letters', 'same-letters', 'same-answers'))")
[[ -z "$missed" ]] || fail "planted pairs not flagged: $missed"
echo "planted pairs flagged: $(calc "SELECT count(*) FROM planted pl WHERE EXISTS (SELECT 1 FROM flagged f
	WHERE (f.a = pl.copier AND f.b = pl.source) OR (f.a = pl.source AND f.b = pl.copier))") of 20"
# Few others: about chance's share (the JSON says how many chance would flag).
others=$(calc "SELECT count(*) FROM flagged f WHERE NOT EXISTS (SELECT 1 FROM planted pl
	WHERE (f.a = pl.copier AND f.b = pl.source) OR (f.a = pl.source AND f.b = pl.copier))")
(( others <= 5 )) || fail "$others pairs that did not copy are flagged at the default level"
# The CSV lists the same pairs, neighbours first.
run 0 stats collusion --sitting $SIT --csv
[[ $(($(wc -l <"$WORK/out") - 1)) == $(calc "SELECT count(*) FROM flagged") ]] || fail "CSV and JSON list the same pairs"
head -1 "$WORK/out" | grep -q '^check,room,seat_a,exam_number_a,' || fail "collusion CSV columns"

# ---- the false-positive rate of pairs that did not copy ----
run 0 stats collusion --sitting $SIT --all --alpha 0.01 --json
cp "$WORK/out" "$WORK/all.json"
calc "CREATE TABLE pairs AS SELECT p.value->>'check' AS chk, p.value->'a'->>'exam_number' AS a,
	p.value->'b'->>'exam_number' AS b, p.value->>'p' AS p, p.value->>'level' AS level, p.value->>'neighbours' AS near,
	p.value->>'flagged' AS flagged FROM json_each(CAST(readfile('$WORK/all.json') AS TEXT), '\$.pairs') p"
calc "CREATE TABLE involved AS SELECT copier AS exam FROM planted UNION SELECT source FROM planted"
calc "CREATE VIEW honest AS SELECT * FROM pairs WHERE a NOT IN (SELECT exam FROM involved)
	AND b NOT IN (SELECT exam FROM involved)"
[[ $(calc "SELECT count(*) FROM pairs") == $(($(json "$WORK/all.json" '$."same-answers".pairs') + $(json "$WORK/all.json" '$."same-letters".pairs'))) ]] ||
	fail "--all lists every pair compared"
for check in same-answers same-letters; do
	for near in 1 0; do
		n=$(calc "SELECT count(*) FROM honest WHERE chk = '$check' AND near = $near")
		[[ "$check/$near" == same-letters/0 ]] && { (( n == 0 )) || fail "letters are compared in sight only"; continue; }
		(( n > 1000 )) || fail "$check (in sight: $near): only $n honest pairs to judge by"
		for alpha in 0.05 0.01 0.001; do
			# a rate is seen only where chance gives a few tens of flags
			awk -v n="$n" -v a="$alpha" 'BEGIN { exit !(n * a >= 20) }' || continue
			# in sight: p <= alpha; out of sight: p <= alpha / m (the pair's level scaled)
			flagged=$(calc "SELECT count(*) FROM honest WHERE chk = '$check' AND near = $near
				AND p <= level * $alpha / 0.01")
			rate=$(awk -v f="$flagged" -v n="$n" 'BEGIN { printf "%.5f", f / n }')
			echo "$check in sight $near: alpha $alpha: $flagged of $n honest pairs flagged ($rate)"
			awk -v f="$flagged" -v n="$n" -v a="$alpha" 'BEGIN { exit !(f / n <= a) }' ||
				fail "$check: $flagged of $n honest pairs flagged at $alpha"
		done
	done
done
# Flags in the listing follow the levels.
[[ $(calc "SELECT count(*) FROM pairs WHERE (flagged = 1) != (p <= level)") == 0 ]] || fail "flagged means p <= level"
[[ $(calc "SELECT count(*) FROM pairs WHERE near = 1 AND level != 0.01") == 0 ]] || fail "pairs in sight are judged at alpha"
[[ $(calc "SELECT count(*) FROM pairs WHERE near = 0 AND level >= 0.01") == 0 ]] || fail "other pairs at alpha / m"

# ---- mistakes ----
refused_usage "shiken: give --sitting S" stats collusion
refused_usage "shiken: --alpha takes a level between 0 and 1, such as 0.0001, not '2'" stats collusion --sitting $SIT --alpha 2
refused_usage "shiken: unknown option '--test'" stats collusion --sitting $SIT --test MM1
refused_usage "shiken: --planted lists planted copying: give --copiers or --sharers" \
	generate responses --sitting $SIT --out "$WORK/x.csv" --planted "$WORK/p.csv"
consistent
echo ok
