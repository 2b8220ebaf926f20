# shiken cert issue: a certificate for every passed registration of a
# graded sitting, end to end against the real binary. A sitting is graded
# the way staff do it (papers, simulated answer sheets, grade); then: the
# refusals (no issuer, no key, not graded) change nothing; a dry run shows
# the numbers and writes nothing; issue gives each pass, in exam-number
# order, the next number of the year with a good check digit, a token that
# verifies with exactly the candidate's claims, status valid, one audit
# record each, and the ledger shows the number; issuing again issues
# nothing; a regrade that takes a pass away leaves the certificate valid
# and is warned about until it is revoked; numbers start again each year,
# cancelled and ungraded registrations get none, a registration whose
# claims cannot be signed stops the whole run, and two runs at once never
# share a number.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
ASSETS=$(realpath "$TESTS_DIR/../assets/bank")
SIT=2026-12-HAN
N=20
ISS=https://shiken.example.jp

# certno YEAR SEQ: the number the registry should give, the Damm check
# digit computed here (registry.sh's table), not by shiken.
certno() {
	local d
	d=$(printf '%04d%06d' "$1" "$2")
	printf '%s-%s-%s\n' "${d:0:4}" "${d:4:6}" "$(awk -v s="$d" 'BEGIN {
		split("0317598642 7092154863 4206871359 1750983426 6123045978 " \
		      "3674209581 5869720134 8945362017 9438617205 2581436790", t, " ")
		i = 0
		for (k = 1; k <= length(s); k++)
			i = substr(t[i + 1], substr(s, k, 1) + 1, 1) + 0
		print i
	}')"
}
[[ $(certno 2026 1) == 2026-000001-5 ]] || fail "certno helper"
kid_of() { sed -n 's/^signing key \([A-Za-z0-9_-]*\) made.*/\1/p' "$WORK/out"; }
passed() { count "SELECT r.exam_number FROM registration r JOIN result res ON res.registration_id = r.id
	JOIN sitting s ON s.id = r.sitting_id WHERE s.code = '$1' AND res.outcome = 'pass' AND r.status = 'registered'
	ORDER BY r.exam_number"; }

# ---- a sitting with papers: the sample bank, six MM1 forms, 20 candidates ----
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

# ---- refusals: each clear, each changing nothing ----
refused_usage "shiken: give --sitting S" cert issue
refused_usage "shiken: unknown option '--room'" cert issue --sitting $SIT --room A
refused 1 "shiken: no sitting 'NOPE'" cert issue --sitting NOPE
refused 1 "shiken: no certificate issuer set: run 'shiken config set cert.issuer URL'" cert issue --sitting $SIT
run 0 config set cert.issuer $ISS
refused 1 "shiken: no active signing key: run 'shiken keys generate'" cert issue --sitting $SIT
refused 1 "shiken: no active signing key: run 'shiken keys generate'" cert issue --sitting $SIT --dry-run
run 0 keys generate
K1=$(kid_of)
[[ -n "$K1" ]] || fail "no kid from keys generate"
refused 1 "shiken: sitting '$SIT' is not graded yet: run 'shiken grade --sitting $SIT' first" cert issue --sitting $SIT
refused 1 "shiken: sitting '$SIT' is not graded yet: run 'shiken grade --sitting $SIT' first" \
	cert issue --sitting $SIT --dry-run
[[ $(count "SELECT count(*) FROM certificate") == 0 ]] || fail "a refusal issued a certificate"

# ---- grade as staff do: answer sheets back, one candidate absent ----
sk generate responses --sitting $SIT --seed 3 --absent 5 --out "$WORK/sheets.csv" >/dev/null
sk responses import "$WORK/sheets.csv" >/dev/null
sk grade --sitting $SIT >/dev/null
mapfile -t PASS < <(passed $SIT)
P=${#PASS[@]}
(( P >= 3 && P < N )) || fail "the fixture needs some passes and some not: $P of $N passed"
NOTPASS=$(count "SELECT count(*) FROM result WHERE outcome <> 'pass'")

# ---- a dry run: the numbers it would give, nothing written ----
snapshot dry
run 0 cert issue --sitting $SIT --dry-run
unchanged_since dry
contains "$WORK/out" "$SIT: $P certificates would be issued, $(certno 2026 1) to $(certno 2026 $P) (key $K1); nothing was written (dry run)"
for i in "${!PASS[@]}"; do
	grep -qE "^$(certno 2026 $((i + 1))) +${PASS[$i]} " "$WORK/out" || fail "dry run: ${PASS[$i]} would not get $(certno 2026 $((i + 1)))"
done
[[ $(grep -cE '^2026-[0-9]{6}-[0-9] ' "$WORK/out") == "$P" ]] || fail "dry run lists $P certificates"
run 0 cert issue --sitting $SIT --dry-run --json
[[ $(json "$WORK/out" '$.dry_run') == 1 ]] || fail "--json: dry_run"
[[ $(json "$WORK/out" '$.issued') == "$P" && $(json "$WORK/out" '$.passed') == "$P" && $(json "$WORK/out" '$.already') == 0 ]] ||
	fail "--json dry run counts: $(cat "$WORK/out")"
[[ $(json "$WORK/out" '$.certificates[0].number') == "$(certno 2026 1)" &&
	$(json "$WORK/out" '$.certificates[0].exam_number') == "${PASS[0]}" ]] || fail "--json certificates"
unchanged_since dry

# ---- issue ----
AUDIT0=$(count "SELECT count(*) FROM audit")
run 0 cert issue --sitting $SIT
same_text <(tail -1 "$WORK/out") "$SIT: $P certificates issued, $(certno 2026 1) to $(certno 2026 $P) (key $K1)"
[[ ! -s "$WORK/err" ]] || fail "issue wrote to stderr: $(cat "$WORK/err")"
[[ $(count "SELECT count(*) FROM certificate") == "$P" ]] || fail "$P certificates expected"
# Numbers in exam-number order, each with a good check digit.
i=0
while IFS='|' read -r number exam status kid issued; do
	[[ "$number" == "$(certno 2026 $((i + 1)))" && "$exam" == "${PASS[$i]}" ]] ||
		fail "certificate $((i + 1)): $number for $exam, expected $(certno 2026 $((i + 1))) for ${PASS[$i]}"
	damm_ok "$number" || fail "$number: check digit"
	[[ "$status" == valid && "$kid" == "$K1" && "$issued" == 2026-11-22T09:00:00Z ]] ||
		fail "$number: status $status, kid $kid, issued $issued"
	i=$((i + 1))
done < <(count "SELECT ce.number, r.exam_number, ce.status, ce.kid, ce.issued_at FROM certificate ce
	JOIN registration r ON r.id = ce.registration_id ORDER BY ce.number")
[[ $(count "SELECT count(*) FROM certificate ce JOIN result res ON res.registration_id = ce.registration_id
	WHERE res.outcome <> 'pass'") == 0 ]] || fail "a registration that did not pass has a certificate"
# Each token verifies and says exactly who passed what, when.
IAT=$(date -u -d 2026-11-22T09:00:00Z +%s)
while IFS='|' read -r number token family given dob; do
	run 0 verify "$token" --json
	[[ $(json "$WORK/out" '$.valid') == 1 && $(json "$WORK/out" '$.kid') == "$K1" ]] || fail "$number does not verify"
	got=$(sqlite3 :memory: "SELECT json_extract(j, '\$.iss') || '|' || json_extract(j, '\$.cert') || '|' ||
		json_extract(j, '\$.family_name') || '|' || json_extract(j, '\$.given_name') || '|' ||
		json_extract(j, '\$.birthdate') || '|' || json_extract(j, '\$.test.code') || '|' ||
		json_extract(j, '\$.test.category_ja') || '|' || json_extract(j, '\$.test.category_en') || '|' ||
		json_extract(j, '\$.test.level') || '|' || json_extract(j, '\$.sitting_date') || '|' ||
		json_extract(j, '\$.iat') FROM (SELECT json_extract(CAST(readfile('$WORK/out') AS TEXT), '\$.claims') AS j)")
	[[ "$got" == "$ISS|$number|$family|$given|$dob|MM1|機械金属加工|Machining and Metalworking|1|2026-12-13|$IAT" ]] ||
		fail "$number claims: $got"
done < <(count "SELECT ce.number, ce.token, c.family_name, c.given_name, c.date_of_birth FROM certificate ce
	JOIN registration r ON r.id = ce.registration_id JOIN candidate c ON c.id = r.candidate_id ORDER BY ce.number")
# One audit record per certificate, naming the registration and the key.
[[ $(count "SELECT count(*) FROM audit") == $((AUDIT0 + P)) ]] || fail "one audit record per certificate expected"
[[ $(count "SELECT count(*) FROM audit a JOIN certificate ce ON ce.number = a.entity_key
	JOIN registration r ON r.id = ce.registration_id WHERE a.entity = 'certificate' AND a.action = 'issue'
	AND json_extract(a.detail, '\$.exam_number') = r.exam_number AND json_extract(a.detail, '\$.kid') = '$K1'
	AND json_extract(a.detail, '\$.sitting') = '$SIT'") == "$P" ]] || fail "the audit records do not match the certificates"
consistent

# The ledger's certificate column: the number for a pass, empty otherwise.
run 0 ledger export --sitting $SIT --json
[[ $(sqlite3 :memory: "SELECT count(*) FROM json_each(CAST(readfile('$WORK/out') AS TEXT))") == "$N" ]] ||
	fail "the ledger lists every attempt"
got=$(sqlite3 :memory: "SELECT group_concat(e, ' ') FROM (SELECT json_extract(value, '\$.exam_number') || '=' ||
	COALESCE(json_extract(value, '\$.certificate'), '') AS e FROM json_each(CAST(readfile('$WORK/out') AS TEXT))
	ORDER BY 1)")
want=$(count "SELECT group_concat(e, ' ') FROM (SELECT r.exam_number || '=' || COALESCE(ce.number, '') AS e
	FROM registration r LEFT JOIN certificate ce ON ce.registration_id = r.id ORDER BY 1)")
[[ "$got" == "$want" ]] || fail "ledger certificate column: $got, expected $want"
[[ $(count "SELECT count(*) FROM certificate") -gt 0 && "$got" == *"${PASS[0]}=$(certno 2026 1)"* ]] ||
	fail "the ledger does not show ${PASS[0]}'s certificate"
run 0 ledger export --sitting $SIT
[[ $(awk -F, -v e="${PASS[0]}" '$6 == e { print $NF }' "$WORK/out") == "$(certno 2026 1)" ]] ||
	fail "ledger CSV: the certificate column"

# ---- again: nothing twice ----
snapshot again
run 0 cert issue --sitting $SIT
same_text "$WORK/out" "$SIT: no new certificates: all $P passed candidates have one"
[[ ! -s "$WORK/err" ]] || fail "issue again wrote to stderr"
unchanged_since again

# ---- a regrade takes a pass away: the certificate stays valid, issue warns ----
X=${PASS[0]}
XN=$(certno 2026 1)
sk incident add "$X" --kind impersonation --disqualify --note "another person sat the test" --proctor "Tanaka Yuki" >/dev/null
sk grade --sitting $SIT --confirm >/dev/null
[[ $(count "SELECT outcome FROM result res JOIN registration r ON r.id = res.registration_id
	WHERE r.exam_number = '$X'") == disqualified ]] || fail "the regrade did not disqualify $X"
snapshot regraded
run 0 cert issue --sitting $SIT
same_text "$WORK/out" "$SIT: no new certificates: all $((P - 1)) passed candidates have one"
same_text "$WORK/err" "shiken: warning: certificate $XN ($X) is valid but the result is now 'disqualified': revoke it if it no longer stands: shiken cert revoke $XN --reason TEXT"
unchanged_since regraded
[[ $(count "SELECT status FROM certificate WHERE number = '$XN'") == valid ]] || fail "issue changed the certificate"
run 0 cert issue --sitting $SIT --json
[[ $(json "$WORK/out" '$.stale[0].number') == "$XN" && $(json "$WORK/out" '$.stale[0].outcome') == disqualified ]] ||
	fail "--json: the stale certificate"
run 0 cert revoke "$XN" --reason "impersonation found at the regrade"
run 0 cert issue --sitting $SIT
[[ ! -s "$WORK/err" ]] || fail "a revoked certificate is still warned about: $(cat "$WORK/err")"
consistent

# ---- a new year: numbers start again; cancelled and ungraded get none ----
S2=2027-01-HAN
SHIKEN_NOW=2026-12-20T00:00:00Z sk sitting create --code $S2 --date 2027-01-17 --time 09:30 --venue HAN1 --test MM1 \
	--fee 600000 --currency VND >/dev/null
mapfile -t REFS < <(sed -n "2,$((N + 1))p" "$WORK/c.csv" | cut -d, -f1)
reg2() { SHIKEN_NOW=2026-12-20T00:00:00Z sk register add --candidate "$1" --sitting "$2" --test MM1 >"$WORK/out"; examno_of; }
A1=$(reg2 "${REFS[0]}" $S2)
A2=$(reg2 "${REFS[1]}" $S2)
A3=$(reg2 "${REFS[2]}" $S2)
GONE=$(reg2 "${REFS[3]}" $S2)
LATE=$(reg2 "${REFS[4]}" $S2)
# Results as grading stores them (core/sql/0005); the cancelled one passed
# before it was cancelled, the late one is not graded.
sqlite3 "$DB" "INSERT INTO grading_run (sitting_id, actor, started_at, graded, written)
	SELECT id, 'tester', '2027-01-18T09:00:00Z', 4, 4 FROM sitting WHERE code = '$S2';
INSERT INTO result (registration_id, run_id, outcome, graded_at)
	SELECT r.id, (SELECT MAX(id) FROM grading_run), 'pass', '2027-01-18T09:00:00Z' FROM registration r
	WHERE r.exam_number IN ('$A1', '$A2', '$A3', '$GONE')"
SHIKEN_NOW=2027-01-18T10:00:00Z sk register cancel "$GONE" --reason "withdrew" >/dev/null
# A name no certificate can carry (a C1 control character, behind the
# registry's back): the whole run is refused and nothing is issued.
OLD=$(count "SELECT family_name FROM candidate WHERE reference = '${REFS[1]}'")
sqlite3 "$DB" "UPDATE candidate SET family_name = 'BAD' || char(133) || 'NAME' WHERE reference = '${REFS[1]}'"
export SHIKEN_NOW=2027-01-25T09:00:00Z
refused 1 "shiken: registration $A2: its certificate cannot be signed: the name (family_name, given_name) is missing or malformed" \
	cert issue --sitting $S2
sqlite3 "$DB" "UPDATE candidate SET family_name = '$OLD' WHERE reference = '${REFS[1]}'"
run 0 cert issue --sitting $S2
contains "$WORK/out" "$S2: 3 certificates issued, $(certno 2027 1) to $(certno 2027 3) (key $K1)"
same_text "$WORK/err" "shiken: warning: 1 registrations of $S2 have no result yet and get no certificate until graded"
[[ $(count "SELECT group_concat(ce.number || '=' || r.exam_number, ' ') FROM (SELECT * FROM certificate ORDER BY number) ce
	JOIN registration r ON r.id = ce.registration_id WHERE ce.number LIKE '2027-%'") == \
	"$(certno 2027 1)=$A1 $(certno 2027 2)=$A2 $(certno 2027 3)=$A3" ]] || fail "2027 numbers"
[[ $(count "SELECT count(*) FROM certificate ce JOIN registration r ON r.id = ce.registration_id
	WHERE r.exam_number IN ('$GONE', '$LATE')") == 0 ]] || fail "a cancelled or ungraded registration got a certificate"
[[ $(count "SELECT json_extract(detail, '\$.exam_number') FROM audit WHERE entity = 'certificate'
	AND entity_key = '$(certno 2027 2)'") == "$A2" ]] || fail "the 2027 certificate is not audited"

# ---- two runs at once never share a number ----
S3=2027-02-HAN S4=2027-03-HAN
for s in $S3 $S4; do
	SHIKEN_NOW=2026-12-20T00:00:00Z sk sitting create --code $s --date 2027-02-14 --time 09:30 --venue HAN1 --test MM1 \
		--fee 600000 --currency VND >/dev/null
	for k in $(seq 5 12); do reg2 "${REFS[$k]}" $s >/dev/null; done
	sqlite3 "$DB" "INSERT INTO grading_run (sitting_id, actor, started_at, graded, written)
		SELECT id, 'tester', '2027-02-15T09:00:00Z', 8, 8 FROM sitting WHERE code = '$s';
	INSERT INTO result (registration_id, run_id, outcome, graded_at)
		SELECT r.id, (SELECT MAX(id) FROM grading_run), 'pass', '2027-02-15T09:00:00Z' FROM registration r
		JOIN sitting s ON s.id = r.sitting_id WHERE s.code = '$s'"
done
sk cert issue --sitting $S3 >"$WORK/out3" 2>&1 &
p3=$!
sk cert issue --sitting $S4 >"$WORK/out4" 2>&1 &
p4=$!
wait $p3 || { cat "$WORK/out3" >&2; fail "cert issue $S3 failed beside another"; }
wait $p4 || { cat "$WORK/out4" >&2; fail "cert issue $S4 failed beside another"; }
[[ $(count "SELECT count(*) FROM certificate WHERE number LIKE '2027-%'") == 19 ]] || fail "19 certificates of 2027 expected"
want=$(for k in $(seq 1 19); do certno 2027 "$k"; done | tr '\n' ' ')
[[ "$(count "SELECT number FROM certificate WHERE number LIKE '2027-%' ORDER BY number" | tr '\n' ' ')" == "$want" ]] ||
	fail "the numbers of two runs at once are not 1-19 of 2027, each once"
for s in $S3 $S4; do
	# Each run's numbers are one block: allocated inside its transaction.
	[[ $(count "SELECT MAX(CAST(substr(ce.number, 6, 6) AS INTEGER)) - MIN(CAST(substr(ce.number, 6, 6) AS INTEGER))
		FROM certificate ce JOIN registration r ON r.id = ce.registration_id JOIN sitting s ON s.id = r.sitting_id
		WHERE s.code = '$s'") == 7 ]] || fail "$s: its numbers are not one block"
done
consistent
echo "ok"
