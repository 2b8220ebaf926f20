# shiken backup FILE [--force] [--with-key]: a consistent copy even while
# another process is writing, private, never over something by accident,
# and one that restores to a registry whose audit log verifies.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"

registry_db
for r in T-VN01 T-VN02 T-VN03; do
	sk register add --candidate "$r" --sitting 2026-12-HAN --test MM1 >/dev/null
done
printf 'exam_number,amount,currency,paid_at,method,receipt\n%s,600000,VND,2026-11-20,cash,R-1\n' \
	"$(examno 1 1)" >fees.csv
sk fee import fees.csv >/dev/null
KEY="$DB.key"
head=$(sk audit verify | sed -n 's/^head: //p' | cut -d' ' -f1)

# ---- a plain backup ----
snapshot at_backup
run 0 backup "$WORK/b.db"
same_text "$WORK/out" "backed up $DB to $WORK/b.db
the key file $KEY is not in the backup: keep a copy of it apart from the database"
[[ $(stat -c %a "$WORK/b.db") == 600 ]] || fail "the backup is readable by others"
[[ ! -e "$WORK/b.db.key" ]] || fail "a key file was copied without --with-key"
! compgen -G "$WORK/*.tmp*" >/dev/null || fail "a temporary file was left behind"
unchanged_since at_backup
[[ $(sqlite3 "$WORK/b.db" "PRAGMA integrity_check") == ok ]] || fail "the backup fails its integrity check"
diff -q <(sqlite3 "$WORK/b.db" .dump) "$WORK/snap.at_backup" >/dev/null || fail "the backup differs from the database"
# It opens with the same key file, and its audit log verifies to the same head.
"$SHIKEN" --db "$WORK/b.db" --key-file "$KEY" audit verify --head "$head" >"$WORK/out" ||
	fail "the backup does not verify with the database's key"
"$SHIKEN" --db "$WORK/b.db" --key-file "$KEY" register show "$(examno 1 1)" >/dev/null ||
	fail "the backup's registrations cannot be read"

# ---- never over something by accident ----
sum=$(sha256sum <"$WORK/b.db")
refused 1 "shiken: backup: '$WORK/b.db' already exists (use --force to replace it)" backup "$WORK/b.db"
[[ $(sha256sum <"$WORK/b.db") == "$sum" ]] || fail "a refused backup changed the old one"
# --force replaces it with the database as it is now.
sk venue add --code HAN2 --name "Hanoi West" --country VN --city Hanoi --address "7 Lang Road" \
	--room A:2x2 >/dev/null
run 0 backup "$WORK/b.db" --force
[[ $(sqlite3 "$WORK/b.db" "SELECT count(*) FROM venue WHERE code = 'HAN2'") == 1 ]] || fail "--force kept the old copy"
[[ $(stat -c %a "$WORK/b.db") == 600 ]] || fail "the replaced backup is readable by others"
# Never over the database itself or its key file, even with --force.
refused 1 "shiken: backup: '$DB' is the database itself" backup "$DB" --force
refused 1 "shiken: backup: '$WORK/./t.db' is the database itself" backup "$WORK/./t.db" --force
key_sum=$(sha256sum <"$KEY")
refused 1 "shiken: backup: '$KEY' is the key file" backup "$KEY" --force
[[ $(sha256sum <"$KEY") == "$key_sum" ]] || fail "the key file was overwritten"
# A directory that is not there.
snapshot same
run 1 backup "$WORK/no/such/dir/b.db"
contains "$WORK/err" "shiken: backup: cannot create '$WORK/no/such/dir/b.db"
contains "$WORK/err" "No such file or directory"
unchanged_since same

# ---- --with-key ----
run 0 backup "$WORK/k.db" --with-key
same_text "$WORK/out" "backed up $DB to $WORK/k.db
copied the key file to $WORK/k.db.key (mode 0600)"
[[ $(stat -c %a "$WORK/k.db.key") == 600 ]] || fail "the copied key file is readable by others"
cmp -s "$KEY" "$WORK/k.db.key" || fail "the copied key file differs"
"$SHIKEN" --db "$WORK/k.db" audit verify >/dev/null || fail "the backup and its key do not verify together"
# An existing key file is never replaced without --force, and then nothing
# is written at all (no backup left without its key).
touch "$WORK/k2.db.key"
chmod 600 "$WORK/k2.db.key"
refused 1 "shiken: backup: '$WORK/k2.db.key' already exists (use --force to replace it)" backup "$WORK/k2.db" --with-key
[[ ! -e "$WORK/k2.db" ]] || fail "the backup was written although its key could not be"
[[ ! -s "$WORK/k2.db.key" ]] || fail "the existing key file was replaced"
run 0 backup "$WORK/k2.db" --with-key --force
cmp -s "$KEY" "$WORK/k2.db.key" || fail "--force did not replace the key file"

# ---- usage ----
refused_usage "shiken: give the backup file" backup
refused_usage "shiken: unknown option '--key'" backup "$WORK/x.db" --key
refused_usage "shiken: unexpected argument 'y.db'" backup x.db y.db

# ---- while another process holds a write transaction open ----
mkfifo "$WORK/writer.sql"
sqlite3 "$DB" <"$WORK/writer.sql" >"$WORK/writer.out" 2>&1 &
writer=$!
exec 7>"$WORK/writer.sql"
cat >&7 <<EOF
BEGIN IMMEDIATE;
INSERT INTO venue (code, name, country, city, address, created_at)
	VALUES ('LOCK', 'Half-written', 'VN', 'Hanoi', 'nowhere', '2026-11-22T09:00:00Z');
.shell touch '$WORK/writer.ready'
EOF
for _ in $(seq 200); do [[ -e "$WORK/writer.ready" ]] && break; sleep 0.05; done
[[ -e "$WORK/writer.ready" ]] || fail "the writer did not start: $(cat "$WORK/writer.out")"
# The writer holds the lock: a shiken write has to wait for it...
[[ $(sqlite3 "$DB" "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;" 2>&1) == *locked* ]] ||
	fail "the writer does not hold the write lock"
# ...but a backup does not, and copies what is committed.
run 0 backup "$WORK/busy.db"
echo "COMMIT;" >&7
exec 7>&-
wait "$writer" || fail "the writer failed: $(cat "$WORK/writer.out")"
[[ $(sqlite3 "$WORK/busy.db" "PRAGMA integrity_check") == ok ]] || fail "the busy backup fails its integrity check"
[[ $(sqlite3 "$WORK/busy.db" "SELECT count(*) FROM venue WHERE code = 'LOCK'") == 0 ]] ||
	fail "the backup holds an uncommitted row"
[[ $(count "SELECT count(*) FROM venue WHERE code = 'LOCK'") == 1 ]] || fail "the writer's commit is lost"
"$SHIKEN" --db "$WORK/busy.db" --key-file "$KEY" audit verify >/dev/null || fail "the busy backup does not verify"

# ---- restore, as the README says, and verify ----
snapshot before_restore
sk venue add --code HAN3 --name "Later" --country VN --city Hanoi --address "9 Road" --room A:1x1 >/dev/null
cp "$WORK/k.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
run 0 audit verify --head "$head"
[[ $(count "SELECT count(*) FROM venue WHERE code IN ('HAN2', 'HAN3', 'LOCK')") == 1 ]] ||
	fail "the restored registry is not the one backed up"
run 0 register show "$(examno 1 1)" --json
[[ $(json "$WORK/out" '$.fee_status') == paid ]] || fail "the restored registry lost a payment"
consistent
echo ok
