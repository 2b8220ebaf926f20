# Four check-in stations (four `shiken checkin` processes, two reading
# files, two reading pipes) check in the 1,000 candidates of one sitting at
# once, while `checkin counts` reads along. One candidate in ten is also
# scanned at the next station, at the same point of its queue, so both
# stations race for them. Afterwards: every candidate is checked in exactly
# once, every second scan was refused and kept as such, every station's
# tally adds up to what the database holds, the counts read while the
# stations worked always added up, and the audit chain verifies. The time
# taken is printed, not asserted (tests/bench is where speed is measured).
source "$(dirname "$0")/lib.sh"
[[ -x "${TICKET_CODES:-}" ]] || fail "TICKET_CODES must name the ticket_codes tool (tests/CMakeLists.txt sets it)"
N=1000
STATIONS=4

fresh_db
mkdir -p "$WORK/gen"
sk generate candidates --count $N --seed 42 --year 2026 --out "$WORK/gen/c.csv" >/dev/null
sk candidate import "$WORK/gen/c.csv" >/dev/null
sk venue add --code BIG1 --name "Exhibition Hall" --country JP --city Tokyo --address "1-1 Ariake" \
	--room A:10x25 --room B:10x25 --room C:10x25 --room D:10x25 >/dev/null
sk sitting create --code S1 --date 2026-12-13 --time 09:30 --venue BIG1 --test MM1 --test EE1 \
	--fee 12000 --currency JPY >/dev/null
sqlite3 :memory: ".import --csv $WORK/gen/c.csv c" \
	"SELECT 'reference,sitting,test'; SELECT reference || ',S1,' || CASE WHEN rowid % 3 THEN 'MM1' ELSE 'EE1' END FROM c" \
	>"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null
sqlite3 :memory: ".import --csv $WORK/gen/c.csv c" \
	"SELECT 'reference,sitting,amount,currency,paid_at,method,receipt,kind';
	 SELECT reference || ',S1,12000,JPY,2026-11-01,cash,R' || rowid || ',payment' FROM c" >"$WORK/fees.csv"
sk fee import "$WORK/fees.csv" >/dev/null
[[ $(count "SELECT count(*) FROM registration WHERE fee_status = 'paid'") == $N ]] || fail "$N paid registrations expected"

# Each candidate's ticket and passport answer: the last four characters for
# most, '+' (by sight) for every third.
"$TICKET_CODES" "$DB" S1 | sort -t$'\t' -k4,4 >"$WORK/codes"
sqlite3 -separator $'\t' :memory: ".import --csv $WORK/gen/c.csv c" \
	"SELECT reference, substr(passport_number, -4) FROM c ORDER BY reference" >"$WORK/last4"
join -t$'\t' -1 4 -2 1 -o 1.1,1.5,2.2 "$WORK/codes" "$WORK/last4" >"$WORK/cands"
[[ $(wc -l <"$WORK/cands") == $N ]] || fail "$N tickets expected, got $(wc -l <"$WORK/cands")"
# Station k gets candidates i with i % 4 == k; candidates with i % 10 == 0
# also go to station k+1, and those with i % 50 == 0 (a ticket copied
# three times) to every station, at the same place in each queue. After a
# scan its answer line always follows: if another station was quicker, the
# answer is read as a line of its own and refused as unreadable (not kept).
awk -F'\t' -v S=$STATIONS -v dir="$WORK" '
	{ i = NR - 1; answer = (i % 3 == 0) ? "+" : $3
	  k = i % S; print $2 "\n" answer > (dir "/station" k ".txt")
	  for (d = 1; d < S; d++)
		if (i % 50 == 0 || (i % 10 == 0 && d == 1))
			print $2 "\n" answer > (dir "/station" ((k + d) % S) ".txt") }' "$WORK/cands"
DUPS=$(( (N + 9) / 10 ))                         # candidates scanned more than once
SECOND=$(( DUPS + 2 * ((N + 49) / 50) ))          # scans after the first: each refused

export SHIKEN_NOW=2026-12-13T00:30:00Z
snapshot before
start=$(date +%s.%N)
for k in 0 1; do
	"$SHIKEN" --db "$DB" checkin --sitting S1 --station "gate-$k" --proctor "Proctor $k" --brief \
		--from "$WORK/station$k.txt" >"$WORK/out$k" 2>"$WORK/err$k" &
	pids[$k]=$!
done
for k in 2 3; do
	cat "$WORK/station$k.txt" | "$SHIKEN" --db "$DB" checkin --sitting S1 --station "gate-$k" --proctor "Proctor $k" \
		--brief >"$WORK/out$k" 2>"$WORK/err$k" &
	pids[$k]=$!
done
# Counts read while the stations work: each reading adds up, and nobody is
# ever un-checked-in.
(
	last=0
	while kill -0 "${pids[@]}" 2>/dev/null; do
		"$SHIKEN" --db "$DB" checkin counts --sitting S1 --json >"$WORK/counts.json" 2>"$WORK/counts.err" || exit 1
		sqlite3 :memory: "SELECT sum(json_extract(r.value, '$.present') + json_extract(r.value, '$.absent')
			+ json_extract(r.value, '$.waiting') = json_extract(r.value, '$.expected')) = count(*)
			FROM json_each(json_extract(CAST(readfile('$WORK/counts.json') AS TEXT), '$.rooms')) r" | grep -qx 1 || exit 2
		now=$(sqlite3 :memory: "SELECT json_extract(CAST(readfile('$WORK/counts.json') AS TEXT), '$.total.present')")
		((now >= last)) || exit 3
		last=$now
		echo "$now" >>"$WORK/readings"
	done
) &
reader=$!
for k in $(seq 0 $((STATIONS - 1))); do
	rc=0
	wait "${pids[$k]}" || rc=$?
	# 1: this station refused scans (the second scans); 0 if it lost no race.
	[[ $rc == 0 || $rc == 1 ]] || { cat "$WORK/err$k" >&2; fail "station gate-$k exited $rc"; }
	[[ ! -s "$WORK/err$k" ]] || { cat "$WORK/err$k" >&2; fail "station gate-$k wrote errors"; }
done
end=$(date +%s.%N)
rc=0
wait $reader || rc=$?
[[ $rc == 0 ]] || { cat "$WORK/counts.err" >&2; fail "a counts reading did not add up or went backwards ($rc)"; }

# Exactly once each, nothing lost, every second scan refused and kept.
[[ $(count "SELECT count(*) FROM checkin WHERE status = 'present'") == $N ]] || fail "not every candidate is checked in"
[[ $(count "SELECT count(*) FROM registration r LEFT JOIN checkin c ON c.registration_id = r.id
	WHERE c.registration_id IS NULL") == 0 ]] || fail "a candidate was lost"
[[ $(count "SELECT count(*) FROM checkin_refusal WHERE reason = 'already'") == $SECOND ]] ||
	fail "$SECOND later scans should be refused, $(count "SELECT count(*) FROM checkin_refusal WHERE reason = 'already'") were"
[[ $(count "SELECT count(*) FROM checkin_refusal") == $SECOND ]] || fail "refusals other than the later scans"
[[ $(count "SELECT count(DISTINCT registration_id) FROM checkin_refusal") == $DUPS ]] || fail "a candidate refused twice"
# The refused scan came from the other station than the admission.
[[ $(count "SELECT count(*) FROM checkin_refusal f JOIN checkin c ON c.registration_id = f.registration_id
	WHERE f.station = c.station") == 0 ]] || fail "a station refused its own admission"
[[ $(count "SELECT count(*) FROM checkin WHERE identity = 'sight'") == $(( (N + 2) / 3 )) ]] || fail "identities as answered"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'checkin' AND action = 'present'") == $N ]] || fail "an admission is not audited"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'checkin' AND action = 'refuse'") == $SECOND ]] || fail "a refusal is not audited"
# What the stations said adds up to what the database holds.
admitted=0 refused=0 stray=0
for k in $(seq 0 $((STATIONS - 1))); do
	line=$(grep "^station gate-$k: " "$WORK/out$k") || fail "station gate-$k printed no tally"
	[[ "$line" =~ ([0-9]+)\ admitted,\ ([0-9]+)\ refused,\ 0\ not\ admitted ]] || fail "gate-$k: $line"
	admitted=$((admitted + BASH_REMATCH[1]))
	stray=$((stray + $(grep -c 'not a ticket or an exam number' "$WORK/out$k" || true)))
	n_admitted=$(grep -c '^ADMITTED ' "$WORK/out$k" || true)
	[[ $n_admitted == "${BASH_REMATCH[1]}" ]] || fail "gate-$k printed $n_admitted admissions, tallied ${BASH_REMATCH[1]}"
	[[ $(count "SELECT count(*) FROM checkin WHERE station = 'gate-$k'") == "${BASH_REMATCH[1]}" ]] ||
		fail "gate-$k admitted ${BASH_REMATCH[1]}, the database says otherwise"
	refused=$((refused + $(grep -c 'ALREADY CHECKED IN' "$WORK/out$k" || true)))
done
[[ $admitted == $N ]] || fail "the stations admitted $admitted, not $N"
[[ $refused == $SECOND ]] || fail "the stations showed $refused later scans refused, not $SECOND"
# A later scan loses either when it is looked up (its answer line then reads
# as a stray line) or, racing, inside the admission's transaction.
((stray <= SECOND)) || fail "$stray stray lines for $SECOND later scans"
run 0 checkin counts --sitting S1 --json
[[ $(sqlite3 :memory: "SELECT json_extract(CAST(readfile('$WORK/out') AS TEXT), '$.total.present')") == $N ]] ||
	fail "counts: $(cat "$WORK/out")"
consistent
run 0 audit verify
contains "$WORK/out" "audit log intact"
readings=$(wc -l <"$WORK/readings" 2>/dev/null || echo 0)
printf 'checked in %d candidates at %d stations (%d later scans refused, %d of them racing the admission) in %.2f s; %d counts read meanwhile\n' \
	$N $STATIONS $SECOND $((SECOND - stray)) "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$readings"
echo ok
