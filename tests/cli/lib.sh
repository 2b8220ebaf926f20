# Shared helpers for command-level tests: each test script sources this, gets
# a fresh temporary directory, a fixed clock and actor, and functions to run
# the real binary and compare what it printed and what it left behind.
set -euo pipefail
: "${SHIKEN:?set SHIKEN to the shiken binary}"
: "${TESTS_DIR:?set TESTS_DIR to tests/}"
SHIKEN=$(realpath "$SHIKEN")
TESTS_DIR=$(realpath "$TESTS_DIR")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/shiken-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export SHIKEN_NOW=2026-11-22T09:00:00Z SHIKEN_ACTOR=tester LANGUAGE= LC_ALL=C.UTF-8 LANG=C.UTF-8
unset SHIKEN_DB
cd "$WORK"
DB="$WORK/t.db"
# The schema version this build writes (the number of its migrations).
SCHEMA=$("$SHIKEN" version | sed -n 's/.*(schema \([0-9]*\)).*/\1/p')

fail() { echo "FAIL: $*" >&2; exit 1; }

# sk ARGS...: run shiken on the test database.
sk() { "$SHIKEN" --db "$DB" "$@"; }

# run CODE ARGS...: run shiken, keep stdout in $WORK/out and stderr in
# $WORK/err, and fail unless it exits with CODE.
run() {
	local want=$1; shift
	local got=0
	"$SHIKEN" --db "$DB" "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
	if [[ "$got" != "$want" ]]; then
		echo "--- stdout" >&2; cat "$WORK/out" >&2
		echo "--- stderr" >&2; cat "$WORK/err" >&2
		fail "shiken $* exited $got, expected $want"
	fi
}

# same_text FILE EXPECTED-TEXT: FILE holds exactly the text.
same_text() {
	local file=$1 want=$2
	if ! diff -u <(printf '%s\n' "$want") "$file" >&2; then
		fail "$file differs from what was expected"
	fi
}

# contains FILE TEXT: FILE has a line containing TEXT.
contains() {
	grep -qF -- "$2" "$1" || { echo "--- $1" >&2; cat "$1" >&2; fail "$1 lacks: $2"; }
}

# lacks FILE TEXT
lacks() {
	! grep -qF -- "$2" "$1" || { echo "--- $1" >&2; cat "$1" >&2; fail "$1 should not contain: $2"; }
}

# snapshot NAME: a full dump of the database, to prove later that nothing changed.
snapshot() { sqlite3 "$DB" .dump >"$WORK/snap.$1"; }
unchanged_since() {
	sqlite3 "$DB" .dump >"$WORK/snap.now"
	diff -q "$WORK/snap.$1" "$WORK/snap.now" >/dev/null || {
		diff -u "$WORK/snap.$1" "$WORK/snap.now" | head -40 >&2
		fail "the database changed"
	}
}

# consistent: integrity and foreign keys clean, audit chain verifies.
consistent() {
	[[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" == ok ]] || fail "integrity_check"
	[[ -z "$(sqlite3 "$DB" 'PRAGMA foreign_key_check')" ]] || fail "foreign_key_check"
	"$SHIKEN" --db "$DB" audit verify >/dev/null || fail "audit verify"
}

# count SQL: a single number from the database.
count() { sqlite3 "$DB" "$1"; }

# A fresh database with the demo's venues and sittings ready for registrations.
fresh_db() {
	rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
	sk init >/dev/null
}
