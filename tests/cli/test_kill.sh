# Kill `shiken candidate import` (and `register import`) with SIGKILL at
# random moments: afterwards the database must be consistent (integrity
# check, foreign keys, audit chain) and hold all of the import or none of
# it; a re-run then finishes the job with no duplicate.
source "$(dirname "$0")/lib.sh"
RANDOM=20261122

fresh_db
sk generate candidates --count 20000 --seed 11 --out "$WORK/c.csv" >/dev/null

# How long a whole import takes here, to spread the kills over all of it.
sqlite3 "$DB" ".backup '$WORK/empty.db'"; cp "$DB.key" "$WORK/empty.db.key"
sqlite3 "$DB" ".backup '$WORK/timing.db'"; cp "$DB.key" "$WORK/timing.db.key"
start=$(date +%s%N)
"$SHIKEN" --db "$WORK/timing.db" candidate import "$WORK/c.csv" >/dev/null
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
(( full_ms > 20 )) || full_ms=20

mid_write=0
for round in $(seq 1 8); do
	# Each round kills a fresh import somewhere in its run.
	cp "$WORK/empty.db.key" "$DB.key"
	sqlite3 "$WORK/empty.db" ".backup '$DB'"
	rm -f "$DB-wal" "$DB-shm"
	delay_ms=$(( RANDOM % (full_ms * 95 / 100) ))
	"$SHIKEN" --db "$DB" candidate import "$WORK/c.csv" >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if [[ -s "$DB-wal" ]]; then mid_write=$((mid_write + 1)); fi
	consistent
	n=$(count "SELECT count(*) FROM candidate")
	echo "round $round: killed after ${delay_ms} ms of ~${full_ms} ms: $n candidates"
	[[ "$n" == 0 || "$n" == 20000 ]] || fail "round $round: $n candidates after a kill (all or none)"
	a=$(count "SELECT count(*) FROM audit WHERE entity = 'candidate'")
	[[ "$a" == "$n" ]] || fail "round $round: $a audit records for $n candidates"
done
echo "kills that left a write-ahead log behind: $mid_write"

# The re-run finishes the job; a second re-run changes nothing.
run 0 candidate import "$WORK/c.csv"
[[ $(count "SELECT count(*) FROM candidate") == 20000 ]] || fail "re-run did not finish the import"
[[ $(count "SELECT count(DISTINCT passport_hash) FROM candidate") == 20000 ]] || fail "duplicate passports"
run 0 candidate import "$WORK/c.csv"
contains "$WORK/out" "0 added, 0 updated, 20000 unchanged"
consistent

# The same for registrations, where seats and exam numbers are drawn.
sk venue add --code V --name Hall --country JP --city Tokyo --address "1-1" \
	--room A:50x50 --room B:50x50 --room C:50x50 --room D:50x50 >/dev/null
sk sitting create --code S1 --date 2026-12-13 --time 09:30 --venue V --test MM1 \
	--fee 12000 --currency JPY >/dev/null
awk -F, 'NR > 1 && NR <= 8001 { print $1 ",S1,MM1" } BEGIN { print "reference,sitting,test" }' "$WORK/c.csv" >"$WORK/r.csv"
for round in $(seq 1 6); do
	"$SHIKEN" --db "$DB" register import "$WORK/r.csv" >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(printf '%03d' $(( RANDOM % 300 )))"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	consistent
	n=$(count "SELECT count(*) FROM registration")
	[[ "$n" == 0 || "$n" == 8000 ]] || fail "registration round $round: $n registrations (all or none)"
	[[ "$n" == 0 ]] || break
done
run 0 register import "$WORK/r.csv"
[[ $(count "SELECT count(*) FROM registration") == 8000 ]] || fail "registrations incomplete"
[[ $(count "SELECT count(DISTINCT room_id || '-' || seat_row || '-' || seat_col) FROM registration") == 8000 ]] \
	|| fail "two candidates share a seat"
[[ $(count "SELECT count(DISTINCT exam_number) FROM registration") == 8000 ]] || fail "duplicate exam numbers"
consistent
echo ok
