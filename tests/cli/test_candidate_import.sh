# shiken candidate import, the paths that succeed: a first import with
# photos; CP932 (detected or named), UTF-8 with a BOM, Japanese headers;
# Excel's habits (trailing empty cells, blank rows, a cell spanning lines);
# re-importing changes nothing; an update is audited field by field without
# the passport number; --dry-run; options after the file; --skip-invalid
# and its rejects file, written or not.
source "$(dirname "$0")/lib.sh"
cp -r "$TESTS_DIR/data/candidates/." "$WORK/"
EXPECTED="$TESTS_DIR/expected/candidates"

# Every passport number the test files hold: none may ever be printed,
# exported or stored in the clear.
PASSPORTS=(C1234567 B7654321 P9876543A MA445566 08812345 N7654321 E12345678 C7778889
	   E87654321 FZ123456 C2468013 FB112233 A55667788)
no_passports() {
	local f n
	for f in "$@"; do
		for n in "${PASSPORTS[@]}"; do
			! grep -qiF -- "$n" "$f" || fail "$f shows passport number $n"
		done
	done
}
# The dump's blobs (sealed numbers, photos) are left out: random hex could
# spell a number by chance.
no_passports_in_db() {
	sqlite3 "$DB" .dump | sed "s/X'[0-9a-fA-F]*'/X''/g" >"$WORK/dump"
	no_passports "$WORK/dump"
}
audit_records() { count "SELECT count(*) FROM audit"; }
json_of() { sk candidate show "$1" --json | jq -c "$2"; }

fresh_db

# ---- a first import: every row added, photos stored, numbers sealed ----
run 0 candidate import good.csv
same_text "$WORK/out" "good.csv: 5 rows; candidates: 5 added, 0 updated, 0 unchanged"
[[ ! -s "$WORK/err" ]] || fail "a clean import wrote to stderr"
[[ $(count "SELECT group_concat(reference, ' ') FROM (SELECT reference FROM candidate ORDER BY 1)") == "A-001 A-002 A-003 A-004 A-005" ]] ||
	fail "not every candidate was added"
[[ $(count "SELECT media_type FROM photo JOIN candidate c ON c.photo_id = photo.id WHERE reference = 'A-001'") == image/jpeg ]] ||
	fail "A-001's photo is not the JPEG"
[[ $(count "SELECT lower(hex(data)) FROM photo JOIN candidate c ON c.photo_id = photo.id WHERE reference = 'A-002'") == \
	"$(xxd -p photos/sari.png | tr -d '\n')" ]] || fail "A-002's photo is not stored byte for byte"
[[ $(count "SELECT count(*) FROM candidate WHERE photo_id IS NULL") == 3 ]] || fail "photos given to the wrong rows"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'candidate' AND action = 'create'") == 5 ]] ||
	fail "one audit record per new candidate"
no_passports_in_db
# What a row becomes: canonical codes, NULL for empty optional fields.
[[ $(json_of A-005 '[.given_name, .native_name, .gender, .language, .mfg_experience_months, .former_intern, .japanese_level, .photo]') == \
	'["",null,"X","ne",null,null,"none",false]' ]] || fail "A-005's empty fields"
[[ $(json_of A-003 '[.passport_number, .arrangements, .residence_country]') == \
	'["*****543A","needs a seat near the door, and extra time","JP"]' ]] || fail "A-003 as stored"
consistent

# ---- the same file again: nothing changes, not even the audit log ----
snapshot first
run 0 candidate import good.csv
same_text "$WORK/out" "good.csv: 5 rows; candidates: 0 added, 0 updated, 5 unchanged"
unchanged_since first

# ---- a changed row updates the candidate; the audit says exactly what ----
n=$(audit_records)
run 0 candidate import changed.csv
same_text "$WORK/out" "changed.csv: 2 rows; candidates: 0 added, 1 updated, 1 unchanged"
[[ $(audit_records) == $((n + 1)) ]] || fail "an update is one audit record; an unchanged row none"
sk audit show --entity candidate --key A-001 --json >"$WORK/audit.json"
[[ $(jq -c '.[-1] | [.action, .command, .actor]' "$WORK/audit.json") == '["update","candidate import","tester"]' ]] ||
	fail "the last A-001 record is not the update"
same_text <(jq -c '.[-1].detail' "$WORK/audit.json") \
	'{"residence_country":["VN","JP"],"residence_region":["Hà Nội","Aichi"],"passport_number":"changed","mfg_experience_months":[24,30],"japanese_level":["N4","N3"],"photo":"changed"}'
no_passports "$WORK/audit.json"
[[ $(json_of A-001 '[.passport_number, .residence_region, .updated_at]') == '["****4321","Aichi","2026-11-22T09:00:00Z"]' ]] ||
	fail "A-001 not updated"
[[ $(count "SELECT lower(hex(data)) FROM photo JOIN candidate c ON c.photo_id = photo.id WHERE reference = 'A-001'") == \
	"$(xxd -p photos/nguyen-new.jpg | tr -d '\n')" ]] || fail "A-001's new photo"
no_passports_in_db
consistent
# Changing it back is again one record, naming the old values.
run 0 candidate import good.csv
same_text "$WORK/out" "good.csv: 5 rows; candidates: 0 added, 1 updated, 4 unchanged"
same_text <(sk audit show --entity candidate --key A-001 --json | jq -c '.[-1].detail') \
	'{"residence_country":["JP","VN"],"residence_region":["Aichi","Hà Nội"],"passport_number":"changed","mfg_experience_months":[30,24],"japanese_level":["N3","N4"],"photo":"changed"}'
consistent

# ---- CP932 as Excel saves it: detected, or named ----
iconv -f UTF-8 -t CP932 japanese.csv >japanese-cp932.csv
! iconv -f UTF-8 -t UTF-8 japanese-cp932.csv >/dev/null 2>&1 || fail "the CP932 file is valid UTF-8: the test proves nothing"
run 0 candidate import japanese-cp932.csv
same_text "$WORK/out" "japanese-cp932.csv: 4 rows; candidates: 4 added, 0 updated, 0 unchanged"
[[ $(json_of K-002 '[.native_name, .residence_region, .arrangements, .gender, .former_intern]') == \
	'["チャン・ティ・ホア","愛知県豊田市","車いすを使用","F",true]' ]] || fail "CP932 text not decoded"
[[ $(json_of K-003 '[.native_name, .residence_region, .former_intern, .language]') == '["王芳","大阪府大阪市",false,"zh-Hans"]' ]] ||
	fail "CP932 text not decoded (K-003)"
# Half-width katakana, from older systems: a few of its bytes happen to be
# well-formed UTF-8, and the file is still CP932.
[[ $(json_of K-004 '.residence_region') == '"ﾄｳｷｮｳﾄ"' ]] || fail "half-width katakana not decoded"
# Named, and as UTF-8 with a BOM: the very same candidates.
snapshot cp932
run 0 candidate import --encoding cp932 japanese-cp932.csv
same_text "$WORK/out" "japanese-cp932.csv: 4 rows; candidates: 0 added, 0 updated, 4 unchanged"
run 0 candidate import --encoding Shift_JIS japanese-cp932.csv
same_text "$WORK/out" "japanese-cp932.csv: 4 rows; candidates: 0 added, 0 updated, 4 unchanged"
{ printf '\xEF\xBB\xBF'; cat japanese.csv; } >japanese-bom.csv
run 0 candidate import japanese-bom.csv
same_text "$WORK/out" "japanese-bom.csv: 4 rows; candidates: 0 added, 0 updated, 4 unchanged"
run 0 candidate import --encoding utf-8 japanese-bom.csv
same_text "$WORK/out" "japanese-bom.csv: 4 rows; candidates: 0 added, 0 updated, 4 unchanged"
unchanged_since cp932

# ---- Japanese headers ----
run 0 candidate import ja_headers.csv
same_text "$WORK/out" "ja_headers.csv: 1 row; candidates: 1 added, 0 updated, 0 unchanged"
[[ $(json_of L-001 '[.family_name, .given_name, .native_name, .gender, .residence_region, .former_intern, .photo]') == \
	'["PHAM","MINH TUAN","Phạm Minh Tuấn","M","静岡県浜松市",true,true]' ]] || fail "Japanese headers not mapped"

# ---- Excel's habits: blank rows, empty rows, a cell spanning lines, trailing
# empty cells (the header's too: a comma for a column once typed in) ----
run 0 candidate import excel.csv
same_text "$WORK/out" "excel.csv: 2 rows; candidates: 2 added, 0 updated, 0 unchanged"
[[ $(json_of X-001 '.arrangements') == '"needs a chair\nand extra time"' ]] || fail "a cell's line break was lost"
[[ $(json_of X-002 '[.phone, .photo]') == '["+60 12 345 6789",false]' ]] || fail "X-002"
# The same with CRLF line ends, inside the quoted cell too: the very same.
sed 's/$/\r/' excel.csv >excel-crlf.csv
run 0 candidate import excel-crlf.csv
same_text "$WORK/out" "excel-crlf.csv: 2 rows; candidates: 0 added, 0 updated, 2 unchanged"

# ---- a header-only file: nothing to do, and that is fine ----
head -1 good.csv >header-only.csv
snapshot header
run 0 candidate import header-only.csv
same_text "$WORK/out" "header-only.csv: 0 rows; candidates: 0 added, 0 updated, 0 unchanged"
unchanged_since header

# ---- --dry-run: everything checked, nothing written ----
sed 's/^A-00\([0-9]\),/D-00\1,/; s/,C1234567,/,D1000001,/; s/,B7654321,/,D1000002,/; s/,P9876543A,/,D1000003,/; s/,MA445566,/,D1000004,/; s/,08812345,/,D1000005,/' \
	good.csv >dry.csv
snapshot dry
run 0 candidate import --dry-run dry.csv
same_text "$WORK/out" "dry.csv: 5 rows; candidates: 5 added, 0 updated, 0 unchanged
dry run: nothing was changed"
unchanged_since dry

# ---- options may follow the file, as the usage shows them ----
run 0 candidate import dry.csv --dry-run --encoding utf-8
same_text "$WORK/out" "dry.csv: 5 rows; candidates: 5 added, 0 updated, 0 unchanged
dry run: nothing was changed"
run 2 candidate import
contains "$WORK/err" "shiken: give exactly one CSV file"
run 2 candidate import dry.csv good.csv
contains "$WORK/err" "shiken: give exactly one CSV file"
run 2 candidate import dry.csv --encoding
[[ $(head -1 "$WORK/err") == "shiken: option '--encoding' needs a value" ]] || fail "a missing option value"
run 2 candidate import --frobnicate dry.csv
[[ $(head -1 "$WORK/err") == "shiken: unknown option '--frobnicate'" ]] || fail "an unknown option"
run 1 candidate import -- --dry-run
same_text "$WORK/err" "--dry-run: cannot open: No such file or directory"
unchanged_since dry

# ---- --skip-invalid: the good rows in, the bad ones to FILE.rejects.csv ----
mkdir sub
cp skip.csv sub/
snapshot skip
run 0 candidate import --skip-invalid sub/skip.csv
same_text "$WORK/out" "sub/skip.csv: 5 rows; candidates: 2 added, 1 updated, 0 unchanged; 2 rows rejected
rejected rows and their errors: sub/skip.csv.rejects.csv"
same_text "$WORK/err" "sub/skip.csv:3: date_of_birth: '1999-02-30' is not a date (YYYY-MM-DD)
sub/skip.csv:5: nationality: 'XX' is not an ISO 3166-1 country code
sub/skip.csv:5: phone: '12-AB' is not a phone number (digits, spaces, '-', '(', ')', a leading '+')"
[[ $(stat -c %a sub/skip.csv.rejects.csv) == 600 ]] || fail "the rejects file holds personal data: mode 0600"
diff -u "$EXPECTED/skip.csv.rejects.csv" sub/skip.csv.rejects.csv >&2 || fail "rejects file differs"
[[ $(count "SELECT count(*) FROM candidate WHERE reference IN ('S-001', 'S-003')") == 2 ]] || fail "good rows not imported"
[[ $(count "SELECT count(*) FROM candidate WHERE reference IN ('S-002', 'S-004')") == 0 ]] || fail "bad rows imported"
[[ $(json_of A-004 '.japanese_level') == '"N4"' ]] || fail "the good update in a file with bad rows"
consistent
# --skip-invalid --dry-run: the same tally, nothing written, no rejects file.
rm sub/skip.csv.rejects.csv
sed 's/^S-00\([13]\),/T-00\1,/; s/,S1000001,/,T1000001,/; s/,S1000003,/,T1000003,/' skip.csv >sub/skip2.csv
snapshot skipdry
run 0 candidate import --skip-invalid --dry-run sub/skip2.csv
same_text "$WORK/out" "sub/skip2.csv: 5 rows; candidates: 2 added, 0 updated, 1 unchanged; 2 rows rejected
dry run: nothing was changed"
[[ ! -e sub/skip2.csv.rejects.csv ]] || fail "--dry-run wrote a rejects file"
unchanged_since skipdry
# When the rejects file cannot be written, the good rows are still in (they
# were committed first): say both, and exit 1.
mkdir sub/skip2.csv.rejects.csv
run 1 candidate import --skip-invalid sub/skip2.csv
same_text "$WORK/out" "sub/skip2.csv: 5 rows; candidates: 2 added, 0 updated, 1 unchanged; 2 rows rejected"
[[ $(tail -1 "$WORK/err") == "sub/skip2.csv.rejects.csv: cannot write: Is a directory" ]] ||
	fail "the rejects file's failure is not reported"
[[ $(count "SELECT count(*) FROM candidate WHERE reference IN ('T-001', 'T-003')") == 2 ]] || fail "good rows not imported"
[[ -z $(find sub -name '*.tmp*') ]] || fail "a temporary rejects file was left behind"
consistent

# ---- the summary is English unless a catalog says otherwise ----
run 0 candidate import ja_headers.csv
same_text "$WORK/out" "ja_headers.csv: 1 row; candidates: 0 added, 0 updated, 1 unchanged"
run 0 --lang ja candidate import ja_headers.csv
contains "$WORK/out" "ja_headers.csv"
no_passports "$WORK/out" "$WORK/err"
no_passports_in_db
consistent
echo ok
