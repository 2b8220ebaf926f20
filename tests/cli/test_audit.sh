# shiken audit show|verify: the hash-chained audit log. Whoever edits the
# database behind shiken's back (here: the sqlite3 shell, triggers dropped)
# is caught, and the record is named.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"

registry_db
for r in T-VN01 T-VN02 T-VN03; do
	sk register add --candidate "$r" --sitting 2026-12-HAN --test MM1 >/dev/null
done
N=$(count "SELECT max(seq) FROM audit")
((N > 15)) || fail "expected a longer audit log, got $N records"
chain() { sqlite3 "${2:-$DB}" "SELECT lower(hex(chain)) FROM audit WHERE seq = $1"; }

# ---- show ----
run 0 audit show --limit 0
[[ $(wc -l <"$WORK/out") == "$N" ]] || fail "--limit 0 shows every record"
head -1 "$WORK/out" | grep -qE '^ +1 2026-11-22T09:00:00Z tester +init +database  init \{"schema":'"$SCHEMA"'\}$' ||
	fail "first record: $(head -1 "$WORK/out")"
run 0 audit show --limit 3
same_text <(awk '{ print $1 }' "$WORK/out") "$((N - 2))
$((N - 1))
$N"
run 0 audit show
[[ $(wc -l <"$WORK/out") == $((N < 50 ? N : 50)) ]] || fail "audit show defaults to the last 50"
run 0 audit show --entity venue
same_text "$WORK/out" "    14 2026-11-22T09:00:00Z tester     venue add              venue HAN1 create {\"name\":\"Hanoi Test Centre\",\"country\":\"VN\",\"city\":\"Hanoi\",\"address\":\"12 Tran Hung Dao\",\"room A\":\"6x8\",\"room B\":\"5x6\",\"room C\":\"2x2\"}"
run 0 audit show --entity candidate --key T-VN02 --json
[[ $(json "$WORK/out" '$[0].key') == T-VN02 && $(json "$WORK/out" '$[1]') == "" ]] || fail "--entity --key"
[[ $(json "$WORK/out" '$[0].command') == "candidate import" && $(json "$WORK/out" '$[0].action') == create ]] ||
	fail "command and action"
[[ $(json "$WORK/out" '$[0].detail.date_of_birth') == 1998-07-15 ]] || fail "detail is a JSON object"
[[ $(json "$WORK/out" '$[0].detail.passport_number') == set ]] || fail "the passport number is not in the log"
run 0 audit show --entity registration --json --limit 2
[[ $(json "$WORK/out" '$[1].key') == $(examno 1 3) && $(json "$WORK/out" '$[2]') == "" ]] || fail "--json --limit"
run 0 audit show --entity nothing
[[ ! -s "$WORK/out" ]] || fail "no records of an unknown entity"
refused_usage "shiken: 'many' is not a number" audit show --limit many
refused_usage "shiken: '-1' is not a number" audit show --limit -1
refused_usage "shiken: unknown option '--all'" audit show --all
refused_usage "shiken: unexpected argument 'extra'" audit show extra

# ---- verify: intact ----
head=$(chain "$N")
run 0 audit verify
same_text "$WORK/out" "audit log intact: $N records
head: $N:${head:0:16} (write this down to check later with --head)"
run 0 audit verify --json
[[ $(json "$WORK/out" '$.intact') == 1 && $(json "$WORK/out" '$.records') == "$N" ]] || fail "verify --json"
[[ $(json "$WORK/out" '$.head_seq') == "$N" && $(json "$WORK/out" '$.head') == "$head" ]] || fail "verify --json head"
[[ $(json "$WORK/out" '$.problems') == "[]" ]] || fail "verify --json problems"
run 0 audit verify --head "$N:${head:0:16}"
run 0 audit verify --head "$N:$head"
run 0 audit verify --head "$N:$(tr a-f A-F <<<"${head:0:16}")"
run 0 audit verify --head "3:$(chain 3)"
# A head that does not match what the log holds.
wrong=$(chain 4)
run 3 audit verify --head "3:${wrong:0:16}"
same_text "$WORK/err" "record 3: does not match the head written down earlier
shiken: audit log NOT intact: 1 problem in $N records"
# Malformed heads are usage errors.
for h in 12 abc "3:" ":${head:0:16}" "0:${head:0:16}" "-3:${head:0:16}" "3:${head:0:15}" "3:xyz${head:0:16}" \
	"$N:${head:0:16}xyz" "$N:${head:0:16} " "$N:${head}0"; do
	refused_usage "shiken: '$h' is not a head like 1234:3f2a9c0b1d2e4f56" audit verify --head "$h"
done
refused_usage "shiken: option '--head' needs a value" audit verify --head

# The log cannot be changed through SQL while its triggers stand.
sqlite3 "$DB" "UPDATE audit SET detail = '{}' WHERE seq = 2" 2>"$WORK/err" && fail "the audit log accepted an UPDATE"
contains "$WORK/err" "the audit log is append-only"
sqlite3 "$DB" "DELETE FROM audit WHERE seq = $N" 2>"$WORK/err" && fail "the audit log accepted a DELETE"
contains "$WORK/err" "the audit log is append-only"
run 0 audit verify

# ---- tampering: each on its own copy, with the triggers dropped ----
# tamper NAME SQL: a copy of the database edited behind shiken's back.
tamper() {
	rm -f "$WORK/$1.db"
	sqlite3 "$DB" ".backup '$WORK/$1.db'"
	sqlite3 "$WORK/$1.db" "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; $2"
	T="$WORK/$1.db"
}
verify_copy() { "$SHIKEN" --db "$T" --key-file "$DB.key" audit verify "$@" >"$WORK/out" 2>"$WORK/err"; }
# verify_fails WHAT [ARGS]: verifying the copy exits 3, the code for "not intact".
verify_fails() {
	local what=$1 rc=0
	shift
	verify_copy "$@" || rc=$?
	[[ $rc == 3 ]] || fail "$what: audit verify exited $rc, expected 3"
}

# An edited record fails its MAC.
reg2=$(count "SELECT seq FROM audit WHERE entity = 'registration' AND detail LIKE '%\"T-VN02\"%'")
tamper edit "UPDATE audit SET detail = replace(detail, 'T-VN02', 'T-VN09') WHERE seq = $reg2"
[[ $(sqlite3 "$T" "SELECT count(*) FROM audit WHERE detail LIKE '%T-VN09%'") == 1 ]] || fail "no record $reg2 to edit"
verify_fails "an edited record went unnoticed"
same_text "$WORK/err" "record $reg2: contents do not match the record's MAC (edited, or added without the key)
shiken: audit log NOT intact: 1 problem in $N records"
tamper actor "UPDATE audit SET actor = 'someone' WHERE seq = 2"
verify_fails "an edited actor went unnoticed"
contains "$WORK/err" "record 2: contents do not match the record's MAC"
verify_fails "verify --json" --json
[[ $(json "$WORK/out" '$.intact') == 0 ]] || fail "verify --json says intact"
[[ $(json "$WORK/out" '$.problems[0]') == "record 2: contents do not match the record's MAC (edited, or added without the key)" ]] ||
	fail "verify --json problems"

# A deleted record breaks the sequence; several are named as a range.
tamper delete "DELETE FROM audit WHERE seq = 7"
verify_fails "a deleted record went unnoticed"
same_text "$WORK/err" "record 8: record 7 is missing (deleted)
shiken: audit log NOT intact: 1 problem in $((N - 1)) records"
tamper range "DELETE FROM audit WHERE seq BETWEEN 4 AND 6"
verify_fails "deleted records went unnoticed"
same_text "$WORK/err" "record 7: records 4 to 6 are missing (deleted)
shiken: audit log NOT intact: 1 problem in $((N - 3)) records"

# Two records swapped whole (MACs and chains with them) break the chain,
# there and at the record after them.
tamper swap "UPDATE audit SET seq = -5 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = 6;
	UPDATE audit SET seq = 6 WHERE seq = -5"
verify_fails "swapped records went unnoticed"
same_text "$WORK/err" "record 5: does not follow the record before it (a record was removed, inserted or reordered)
record 6: does not follow the record before it (a record was removed, inserted or reordered)
record 7: does not follow the record before it (a record was removed, inserted or reordered)
shiken: audit log NOT intact: 3 problems in $N records"

# A record added without the key.
tamper forge "INSERT INTO audit SELECT seq + 1, at, actor, command, entity, 'T-VN99', action, detail,
	randomblob(32), randomblob(32) FROM audit WHERE seq = $N"
verify_fails "a forged record went unnoticed"
contains "$WORK/err" "record $((N + 1)): contents do not match the record's MAC (edited, or added without the key)"

# A truncated tail looks intact on its own; the head written down catches it.
tamper tail "DELETE FROM audit WHERE seq > $((N - 2))"
verify_copy || fail "a cut-back log fails verification without --head"
contains "$WORK/out" "audit log intact: $((N - 2)) records"
verify_fails "a cut-back log passed --head" --head "$N:${head:0:16}"
same_text "$WORK/err" "record $N: is gone: the log was cut back below the head written down earlier
shiken: audit log NOT intact: 1 problem in $((N - 2)) records"
# Records after the head do not matter to --head: the log grows.
sk venue add --code HAN2 --name "Hanoi West" --country VN --city Hanoi --address "7 Lang Road" \
	--room A:2x2 >/dev/null
run 0 audit verify --head "$N:${head:0:16}"
contains "$WORK/out" "audit log intact: $((N + 1)) records"

# The audit key lives in the key file: another key file cannot verify.
"$SHIKEN" --db "$WORK/o.db" init >/dev/null
run 1 --key-file "$WORK/o.db.key" audit verify
same_text "$WORK/err" "shiken: key file '$WORK/o.db.key' does not belong to database '$DB'"
consistent
echo ok
