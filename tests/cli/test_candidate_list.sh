# shiken candidate list, show and export: the table, CSV and JSON forms, the
# filters, one candidate with their registrations, and the export (Excel's
# BOM, photos written beside it). Passport numbers only ever appear masked.
source "$(dirname "$0")/lib.sh"
cp -r "$TESTS_DIR/data/candidates/." "$WORK/"
EXPECTED="$TESTS_DIR/expected/candidates"

PASSPORTS=(C1234567 B7654321 P9876543A MA445566 08812345)
no_passports() {
	local f n
	for f in "$@"; do
		for n in "${PASSPORTS[@]}"; do
			! grep -qiF -- "$n" "$f" || fail "$f shows passport number $n"
		done
	done
}
# same_file EXPECTED-NAME FILE: FILE is tests/expected/candidates/NAME.
same_file() {
	diff -u "$EXPECTED/$1" "$2" >&2 || fail "$2 differs from expected/candidates/$1"
}

fresh_db
sk candidate import good.csv >/dev/null
sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city Hanoi \
	--address "12 Tran Hung Dao" --room A:2x3 >/dev/null
sk sitting create --code 2026-12-HAN --date 2026-12-13 --time 09:30 --venue HAN1 \
	--test MM1 --test EE1 --fee 600000 --currency VND >/dev/null
# The seat is drawn with the sitting's secret key, so it differs from one
# database to the next: the outputs below show it as SEAT.
seat=$(sk register add --candidate A-001 --sitting 2026-12-HAN --test MM1 | sed -n 's/.*, seat //p')
[[ -n "$seat" ]] || fail "no seat drawn"
seat_free() { sed "s/  seat $seat  /  seat SEAT  /; s/\"seat\": \"$seat\"/\"seat\": \"SEAT\"/" "$WORK/out" >"$WORK/out.seat"; }
snapshot start

# ---- list ----
run 0 candidate list
same_file list.txt "$WORK/out"
run 0 candidate list --csv
same_file list.csv "$WORK/out"
run 0 candidate list --json
same_file list.json "$WORK/out"
no_passports "$WORK/out"
jq -e 'length == 5 and all(.[]; .passport_number | test("^[*]+[0-9A-Z]{4}$"))' "$WORK/out" >/dev/null ||
	fail "list --json: five candidates, passports masked"

run 0 candidate list --nationality VN
same_text "$WORK/out" "reference  name           born        sex  nationality  residence  passport
A-001      NGUYEN VAN AN  1998-04-12  M    VN           VN         ****4567"
# Alpha-3 and lower case name the same country.
run 0 candidate list --nationality phl --json
[[ $(jq -c 'map(.reference)' "$WORK/out") == '["A-003"]' ]] || fail "--nationality phl"
run 0 candidate list --nationality JP
same_text "$WORK/out" "reference  name  born  sex  nationality  residence  passport"
run 2 candidate list --nationality Vietnam
contains "$WORK/err" "'Vietnam' is not an ISO 3166-1 country code"

# --search: a substring of the reference or a name, any case, any script.
run 0 candidate list --search santos --json
[[ $(jq -c 'map(.reference)' "$WORK/out") == '["A-003"]' ]] || fail "--search santos"
run 0 candidate list --search "Văn" --json
[[ $(jq -c 'map(.reference)' "$WORK/out") == '["A-001"]' ]] || fail "--search in the native name"
run 0 candidate list --search A-00 --csv
[[ $(wc -l <"$WORK/out") == 6 ]] || fail "--search A-00: a header and five rows"
run 0 candidate list --search a-003 --json
[[ $(jq -c 'map(.reference)' "$WORK/out") == '["A-003"]' ]] || fail "--search a reference in lower case"
run 0 candidate list --search nobody
same_text "$WORK/out" "reference  name  born  sex  nationality  residence  passport"
run 0 candidate list --nationality ID --search dewi --limit 1 --json
[[ $(jq -c 'map(.reference)' "$WORK/out") == '["A-002"]' ]] || fail "filters together"
run 2 candidate list --limit 0
run 2 candidate list extra

# ---- show ----
run 0 candidate show A-001
seat_free
same_file show-A-001.txt "$WORK/out.seat"
run 0 candidate show A-001 --json
seat_free
same_file show-A-001.json "$WORK/out.seat"
no_passports "$WORK/out"
run 0 candidate show A-005
same_file show-A-005.txt "$WORK/out"
run 1 candidate show A-999
same_text "$WORK/err" "shiken: no candidate with reference 'A-999'"
run 2 candidate show
run 2 candidate show A-001 A-002

# ---- export ----
run 0 candidate export
same_file export.csv "$WORK/out"
no_passports "$WORK/out"
run 0 candidate export --out all.csv
[[ ! -s "$WORK/out" ]] || fail "export --out printed to stdout"
same_file export.csv all.csv
[[ $(stat -c %a all.csv) == 600 ]] || fail "the export holds personal data: mode 0600"
# --excel: the same, after a UTF-8 BOM.
run 0 candidate export --excel --out excel.csv
[[ $(head -c 3 excel.csv | xxd -p) == efbbbf ]] || fail "--excel: no BOM"
same_file export.csv <(tail -c +4 excel.csv)

# --photos DIR: photos written there, named in the photo column relative to
# the export file, byte for byte what was imported.
mkdir exp
run 0 candidate export --out exp/all.csv --photos exp/photos
same_file export-photos.csv exp/all.csv
cmp exp/photos/A-001.jpg photos/nguyen.jpg || fail "A-001's exported photo"
cmp exp/photos/A-002.png photos/sari.png || fail "A-002's exported photo"
[[ $(find exp/photos -type f | wc -l) == 2 ]] || fail "only the candidates with photos"
no_passports exp/all.csv
# The export can be imported again (masked passports aside, it is the import
# format, photos included): with the passports put back, nothing changes.
sed 's/^\(A-001,.*\),\*\*\*\*4567,/\1,C1234567,/; s/^\(A-002,.*\),\*\*\*\*4321,/\1,B7654321,/; s/^\(A-003,.*\),\*\*\*\*\*543A,/\1,P9876543A,/; s/^\(A-004,.*\),\*\*\*\*5566,/\1,MA445566,/; s/^\(A-005,.*\),\*\*\*\*2345,/\1,08812345,/' exp/all.csv >exp/again.csv
run 0 candidate import --ignore-unknown exp/again.csv
same_text "$WORK/out" "exp/again.csv: 5 rows; candidates: 0 added, 0 updated, 5 unchanged"

# The photo column is relative to the export file wherever the two are.
photo_of() { grep "^$1," "$2" | grep -o '[^,]*\.\(jpg\|png\),20' | sed 's/,20$//'; }
mkdir -p exp/deep
run 0 candidate export --out exp/deep/all.csv --photos exp/photos
[[ $(photo_of A-001 exp/deep/all.csv) == ../photos/A-001.jpg ]] || fail "photo path from a deeper export"
run 0 candidate export --out ./exp/all.csv --photos exp/photos
[[ $(photo_of A-002 exp/all.csv) == photos/A-002.png ]] || fail "photo path with ./ before the export"
run 0 candidate export --out exp/all.csv --photos "$WORK/elsewhere"
[[ $(photo_of A-002 exp/all.csv) == ../elsewhere/A-002.png ]] || fail "photo path to a directory beside the export"
# Photos are personal data: 0600, even in a directory that is not ours.
mkdir -m 0755 open
run 0 candidate export --out exp/all.csv --photos open
[[ $(stat -c %a open/A-001.jpg) == 600 ]] || fail "exported photos must be mode 0600"
# A photo that cannot be written: one message, exit 1, no export file.
mkdir -p blocked/A-001.jpg
run 1 candidate export --out blocked.csv --photos blocked
same_text "$WORK/err" "shiken: cannot write 'blocked/A-001.jpg': Is a directory"
[[ ! -e blocked.csv ]] || fail "an export written without its photos"

unchanged_since start
consistent

# A reference may hold '/', even '..': its photo must still land in DIR,
# under a name no other reference can have.
H=$(head -1 good.csv)
{
	echo "$H"
	echo "Z/1,NGUYEN,AN,,2000-01-01,M,VN,VN,,Z1000001,z1@example.com,,,,,,,photos/sari.png"
	echo "Z_1,NGUYEN,AN,,2000-01-01,M,VN,VN,,Z1000002,z2@example.com,,,,,,,photos/nguyen.jpg"
	echo "../../evil,NGUYEN,AN,,2000-01-01,M,VN,VN,,Z1000003,z3@example.com,,,,,,,photos/nguyen.jpg"
} >slash.csv
sk candidate import slash.csv >/dev/null
mkdir -p t/u
run 0 candidate export --out t/u/all.csv --photos t/u/pics
[[ $(find "$WORK" -name '*evil*' | sed "s|^$WORK/||") == "t/u/pics/..%2F..%2Fevil.jpg" ]] ||
	fail "a reference wrote a photo outside DIR"
[[ $(photo_of Z/1 t/u/all.csv) == pics/Z%2F1.png && $(photo_of Z_1 t/u/all.csv) == pics/Z_1.jpg ]] ||
	fail "photo names for references with '/'"
cmp t/u/pics/Z%2F1.png photos/sari.png || fail "Z/1's photo"
echo ok
