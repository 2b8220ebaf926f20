# shiken init, and what every command demands of the database and key file
# before it runs: a private key file that belongs to the database, and a
# database that is ours.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"

KEY="$DB.key"

# ---- init creates both files, private ----
run 0 init
same_text "$WORK/out" "created database $DB (schema $SCHEMA)
created key file $KEY (mode 0600): back it up apart from the database; without it, passport numbers and sitting keys cannot be read"
[[ ! -s "$WORK/err" ]] || fail "init wrote to stderr"
[[ $(stat -c %a "$DB") == 600 ]] || fail "database mode is $(stat -c %a "$DB"), not 600"
[[ $(stat -c %a "$KEY") == 600 ]] || fail "key file mode is $(stat -c %a "$KEY"), not 600"
for f in "$DB-wal" "$DB-shm"; do
	[[ ! -e "$f" ]] || [[ $(stat -c %a "$f") == 600 ]] || fail "$f is readable by others"
done
[[ $(count "PRAGMA application_id") == 1397441870 ]] || fail "application_id not set"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'database' AND action = 'init'") == 1 ]] ||
	fail "init is not in the audit log"
consistent

# ---- init refuses to replace anything ----
key_sum=$(sha256sum <"$KEY")
refused 1 "shiken: database '$DB' already exists" init
[[ $(sha256sum <"$KEY") == "$key_sum" ]] || fail "init changed the key file"

# A key file without its database: still refused, and no database is left behind.
mv "$DB" "$WORK/kept.db"
run 1 init
same_text "$WORK/err" "shiken: key file '$KEY' already exists; it belongs to another database"
[[ ! -e "$DB" ]] || fail "init left a database beside a foreign key file"
[[ $(sha256sum <"$KEY") == "$key_sum" ]] || fail "init changed the key file"
mv "$WORK/kept.db" "$DB"

# A key file that cannot be created: the new database is removed again.
run 1 --db "$WORK/lost.db" init --key-file "$WORK/no/such/dir/k"
same_text "$WORK/err" "shiken: creating the key file: cannot create key file '$WORK/no/such/dir/k': No such file or directory"
[[ ! -e "$WORK/lost.db" ]] || fail "a failed init left its database behind"

# ---- --db and --key-file, before or after the command name, or with = ----
"$SHIKEN" init --db "$WORK/a.db" --key-file "$WORK/a.keys" >/dev/null
[[ -e "$WORK/a.db" && -e "$WORK/a.keys" && ! -e "$WORK/a.db.key" ]] || fail "init --db --key-file after the command"
"$SHIKEN" --key-file "$WORK/b.keys" --db "$WORK/b.db" init >/dev/null
[[ -e "$WORK/b.db" && -e "$WORK/b.keys" ]] || fail "init with --db --key-file before the command"
"$SHIKEN" test list --db="$WORK/a.db" --key-file="$WORK/a.keys" >"$WORK/out" || fail "options with ="
contains "$WORK/out" "MM1"
"$SHIKEN" --key-file "$WORK/b.keys" test --db "$WORK/b.db" list >"$WORK/out" || fail "options around the command"
contains "$WORK/out" "MM1"
SHIKEN_DB="$WORK/a.db" "$SHIKEN" --key-file "$WORK/a.keys" test show MM1 >/dev/null || fail "SHIKEN_DB is not used"
# Without --key-file the key is looked for beside the database.
"$SHIKEN" --db "$WORK/a.db" test list >/dev/null 2>"$WORK/err" && fail "a.db opened without its key file"
same_text "$WORK/err" "shiken: no key file '$WORK/a.db.key': put back the copy made with the database (without it, passport numbers and sitting keys cannot be read), or give --key-file"
run 2 --db
same_text "$WORK/err" "shiken: option '--db' needs a value"
run 2 test list --key-file
same_text "$WORK/err" "shiken: option '--key-file' needs a value"
run 2 init extra
same_text <(head -1 "$WORK/err") "shiken: unexpected argument 'extra'"

# ---- the key file guards every command that opens the registry ----
sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city Hanoi \
	--address "12 Tran Hung Dao" --room A:6x8 >/dev/null
keyed_commands=(
	"test list" "test show MM1" "candidate list" "venue list" "venue show HAN1" "sitting list"
	"register list" "fee list" "audit show" "audit verify" "backup $WORK/copy.db"
	"venue add --code X1 --name X --country VN --city Hanoi --address Y --room A:1x1"
	"candidate import $DATA/candidates.csv" "test import $DATA/tests_new.csv"
)
snapshot keys
for mode in 644 640 604; do
	chmod "$mode" "$KEY"
	for c in "${keyed_commands[@]}"; do
		# shellcheck disable=SC2086
		run 1 $c
		same_text "$WORK/err" "shiken: key file '$KEY' can be read by others (mode 0$mode); run: chmod 600 '$KEY'"
	done
done
chmod 600 "$KEY"
unchanged_since keys
consistent
[[ ! -e "$WORK/copy.db" ]] || fail "backup ran with an unsafe key file"
chmod 400 "$KEY"
run 0 test list
chmod 600 "$KEY"

# Another database's key file.
for c in "test list" "audit verify" "venue list"; do
	# shellcheck disable=SC2086
	refused 1 "shiken: key file '$WORK/a.keys' does not belong to database '$DB'" --key-file "$WORK/a.keys" $c
done
# Another database's key file copied into place under the right name.
cp -p "$KEY" "$WORK/own.key"
cp "$WORK/a.keys" "$KEY"
snapshot keys
run 1 venue add --code X1 --name X --country VN --city Hanoi --address Y --room A:1x1
same_text "$WORK/err" "shiken: key file '$KEY' does not belong to database '$DB'"
cp -p "$WORK/own.key" "$KEY"
unchanged_since keys
consistent
# Not a key file at all.
printf 'hello\n' >"$WORK/junk.key"
chmod 600 "$WORK/junk.key"
refused 1 "shiken: $WORK/junk.key:1: expected 'name value'" --key-file "$WORK/junk.key" test list
# No key file.
mv "$KEY" "$WORK/own.key"
snapshot keys
for c in "test list" "venue add --code X1 --name X --country VN --city Hanoi --address Y --room A:1x1"; do
	# shellcheck disable=SC2086
	run 1 $c
	same_text "$WORK/err" "shiken: no key file '$KEY': put back the copy made with the database (without it, passport numbers and sitting keys cannot be read), or give --key-file"
done
mv "$WORK/own.key" "$KEY"
unchanged_since keys
consistent
run 0 venue list

# ---- a database that is not ours is refused before anything is written ----
printf 'this is a spreadsheet, not a database\n' >"$WORK/notes.db"
cp -p "$KEY" "$WORK/notes.db.key"
sum=$(sha256sum <"$WORK/notes.db")
"$SHIKEN" --db "$WORK/notes.db" test list >/dev/null 2>"$WORK/err" && fail "a text file opened as a database"
same_text "$WORK/err" "shiken: '$WORK/notes.db' is not a shiken database (not an SQLite file)"
"$SHIKEN" --db "$WORK/notes.db" venue add --code X --name X --country VN --city X --address X \
	--room A:1x1 >/dev/null 2>"$WORK/err" && fail "wrote to a text file"
same_text "$WORK/err" "shiken: '$WORK/notes.db' is not a shiken database (not an SQLite file)"
[[ $(sha256sum <"$WORK/notes.db") == "$sum" ]] || fail "the foreign file was changed"
[[ ! -e "$WORK/notes.db-wal" ]] || fail "a -wal file was made beside the foreign file"
"$SHIKEN" --db "$WORK/notes.db" init >/dev/null 2>"$WORK/err" && fail "init over a foreign file"
same_text "$WORK/err" "shiken: database '$WORK/notes.db' already exists"

# Another program's SQLite database.
sqlite3 "$WORK/other.db" "CREATE TABLE contacts (name TEXT)"
cp -p "$KEY" "$WORK/other.db.key"
sum=$(sha256sum <"$WORK/other.db")
"$SHIKEN" --db "$WORK/other.db" audit verify >/dev/null 2>"$WORK/err" && fail "another program's database opened"
contains "$WORK/err" "shiken: '$WORK/other.db' is not a shiken database"
[[ $(sha256sum <"$WORK/other.db") == "$sum" ]] || fail "another program's database was changed"
[[ $(sqlite3 "$WORK/other.db" .tables) == contacts ]] || fail "our schema was written into another program's database"

# An empty file, and no file.
: >"$WORK/empty.db"
"$SHIKEN" --db "$WORK/empty.db" test list >/dev/null 2>"$WORK/err" && fail "an empty file opened"
same_text "$WORK/err" "shiken: '$WORK/empty.db' is not a shiken database (empty file)"
"$SHIKEN" --db "$WORK/none.db" test list >/dev/null 2>"$WORK/err" && fail "a missing database opened"
same_text "$WORK/err" "shiken: no database at '$WORK/none.db'; create one with 'shiken init'"
[[ ! -e "$WORK/none.db" ]] || fail "a read created the database"

consistent
echo ok
