# Helpers shared by the registry tests (test_init, test_tests, test_venues,
# test_sittings, test_register, test_fees, test_audit, test_backup): sourced
# after lib.sh. JSON is read with SQLite's json_extract, so the tests need
# nothing beyond the sqlite3 shell that lib.sh already uses.
DATA="$TESTS_DIR/data/registry"

# json FILE PATH: one value of a JSON document ("$.a[0].b"); arrays and
# objects come back as compact JSON, null as an empty line.
json() { sqlite3 :memory: "SELECT json_extract(CAST(readfile('$1') AS TEXT), '$2')"; }

# damm_ok EXAMNO: true when the digits (hyphens ignored) pass the Damm check.
# Written here from the published table, independently of core/examno.c.
damm_ok() {
	awk -v s="$1" 'BEGIN {
		split("0317598642 7092154863 4206871359 1750983426 6123045978 " \
		      "3674209581 5869720134 8945362017 9438617205 2581436790", t, " ")
		gsub(/-/, "", s)
		if (s !~ /^[0-9]+$/) exit 1
		i = 0
		for (k = 1; k <= length(s); k++)
			i = substr(t[i + 1], substr(s, k, 1) + 1, 1) + 0
		exit i != 0
	}'
}

# examno SERIAL SEQ: the exam number the registry should give, check digit
# computed here.
examno() {
	local d
	d=$(printf '%04d%05d' "$1" "$2")
	printf '%s-%s-%s\n' "${d:0:4}" "${d:4:5}" "$(awk -v s="$d" 'BEGIN {
		split("0317598642 7092154863 4206871359 1750983426 6123045978 " \
		      "3674209581 5869720134 8945362017 9438617205 2581436790", t, " ")
		i = 0
		for (k = 1; k <= length(s); k++)
			i = substr(t[i + 1], substr(s, k, 1) + 1, 1) + 0
		print i
	}')"
}

# examno_ok EXAMNO SERIAL: the documented shape SSSS-NNNNN-C, the sitting's
# serial in front, and a valid check digit.
examno_ok() {
	[[ "$1" =~ ^([0-9]{4})-[0-9]{5}-[0-9]$ ]] || fail "'$1' does not have the shape SSSS-NNNNN-C"
	[[ "${BASH_REMATCH[1]}" == "$2" ]] || fail "'$1' does not start with the sitting serial $2"
	damm_ok "$1" || fail "'$1' has a wrong Damm check digit"
}

# refused CODE STDERR ARGS...: shiken ARGS exits with CODE, prints exactly
# STDERR, and leaves the database as it was (and consistent).
refused() {
	local code=$1 want=$2
	shift 2
	snapshot refused
	run "$code" "$@"
	same_text "$WORK/err" "$want"
	unchanged_since refused
	consistent
}

# refused_usage STDERR-FIRST-LINE ARGS...: a usage error (exit 2): the first
# line of stderr is exactly the message, the usage follows, nothing changed.
refused_usage() {
	local want=$1
	shift
	snapshot refused
	run 2 "$@"
	same_text <(head -1 "$WORK/err") "$want"
	contains "$WORK/err" "usage: shiken"
	unchanged_since refused
	consistent
}

# examno_of: the exam number printed by 'register add' in $WORK/out.
examno_of() { grep -oE '[0-9]{4}-[0-9]{5}-[0-9]' "$WORK/out" | head -1; }

# registry_db: a fresh database with the fixture candidates, venue HAN1
# (rooms A 6x8, B 5x6, C 2x2 = 82 seats) and sitting 2026-12-HAN (serial
# 0001, 2026-12-13, MM1 EE1 MM2, 600,000 VND).
registry_db() {
	fresh_db
	sk candidate import "$DATA/candidates.csv" >/dev/null
	sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city Hanoi \
		--address "12 Tran Hung Dao" --room A:6x8 --room B:5x6 --room C:2x2 >/dev/null
	sk sitting create --code 2026-12-HAN --date 2026-12-13 --time 09:30 --venue HAN1 \
		--test MM1 --test EE1 --test MM2 --fee 600000 --currency VND >/dev/null
}
