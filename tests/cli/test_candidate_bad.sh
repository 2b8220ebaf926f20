# A corpus of bad candidate CSVs. Each is refused with exit 1 and exactly the
# expected `file:line: column: reason` lines and summary on stderr, and the
# database is byte for byte what it was (most files also carry a good
# update of A-002, which must not be applied either).
source "$(dirname "$0")/lib.sh"
cp -r "$TESTS_DIR/data/candidates/." "$WORK/"

fresh_db
sk candidate import good.csv >/dev/null
cd "$WORK/bad" || exit 1

# refused ARGS... <<EOF: `candidate import ARGS` exits 1, prints nothing on
# stdout and exactly the given lines on stderr, and changes nothing.
refused() {
	local want
	want=$(cat)
	snapshot before
	run 1 candidate import "$@"
	same_text "$WORK/err" "$want"
	[[ ! -s "$WORK/out" ]] || { cat "$WORK/out" >&2; fail "a refused import wrote to stdout"; }
	unchanged_since before
	consistent
}

# ---- fields, one problem per row, every row reported ----
# Born 100 years and a day before SHIKEN_NOW is too long ago; 100 years to
# the day is not (the last row).
refused dates.csv <<'EOF'
dates.csv:3: date_of_birth: '1999-02-30' is not a date (YYYY-MM-DD)
dates.csv:4: date_of_birth: '2001/13/01' is not a date (YYYY-MM-DD)
dates.csv:5: date_of_birth: '12 March 1999' is not a date (YYYY-MM-DD)
dates.csv:6: date_of_birth: '2026-11-23' is in the future
dates.csv:7: date_of_birth: '1926-11-21' is more than 100 years ago
dates.csv:8: date_of_birth: is empty
dates.csv:9: date_of_birth: '2000-1-5' is not a date (YYYY-MM-DD)
shiken: dates.csv: rows with errors: 7 of 9; nothing was changed
EOF

refused countries.csv <<'EOF'
countries.csv:2: nationality: 'XX' is not an ISO 3166-1 country code
countries.csv:3: residence_country: 'Vietnam' is not an ISO 3166-1 country code
countries.csv:4: nationality: 'V1' is not an ISO 3166-1 country code
countries.csv:4: residence_country: is empty
shiken: countries.csv: rows with errors: 3 of 4; nothing was changed
EOF

refused person.csv <<'EOF'
person.csv:2: gender: 'Q' is not M, F or X
person.csv:3: family_name: 'NGUYEN2' is not written in Latin letters as in the passport (character '2')
person.csv:4: family_name: '阮' is not written in Latin letters as in the passport (character '阮')
person.csv:5: given_name: 'VAN 4N' is not written in Latin letters as in the passport (character '4')
person.csv:6: reference: 'B 025' is not a reference (1-32 letters, digits, '-', '_', '.', '/')
person.csv:7: reference: is empty
person.csv:8: family_name: is empty
person.csv:8: gender: is empty
person.csv:9: family_name: '-' has no letters
person.csv:10: given_name: '. .' has no letters
shiken: person.csv: rows with errors: 9 of 10; nothing was changed
EOF

# A bad passport number is never echoed: the message says what is wrong only.
refused passports.csv <<'EOF'
passports.csv:3: passport_number: is not a passport number (5-20 letters and digits)
passports.csv:4: passport_number: is not a passport number (5-20 letters and digits)
passports.csv:5: passport_number: is not a passport number (5-20 letters and digits)
passports.csv:6: passport_number: is empty
shiken: passports.csv: rows with errors: 4 of 5; nothing was changed
EOF

refused contact.csv <<'EOF'
contact.csv:2: email: 'an@@example.com' is not an email address
contact.csv:3: email: 'an.example.com' is not an email address
contact.csv:4: phone: '12-AB' is not a phone number (digits, spaces, '-', '(', ')', a leading '+')
contact.csv:5: phone: '+84 12' is not a phone number (digits, spaces, '-', '(', ')', a leading '+')
contact.csv:6: email: an email address or a phone number is needed to reach the candidate
shiken: contact.csv: rows with errors: 5 of 6; nothing was changed
EOF

refused background.csv <<'EOF'
background.csv:2: language: 'en_US' is not a BCP 47 language tag (like vi, id, fil, my, ne, ja)
background.csv:3: mfg_experience_months: '-1' is not a number of months from 0 to 600
background.csv:4: mfg_experience_months: 'twelve' is not a number of months from 0 to 600
background.csv:5: mfg_experience_months: '601' is not a number of months from 0 to 600
background.csv:6: former_intern: 'maybe' is not yes or no
background.csv:7: japanese_level: 'N6' is not N1-N5, JFT-A2 or none
background.csv:8: language: 'vi-' is not a BCP 47 language tag (like vi, id, fil, my, ne, ja)
background.csv:8: mfg_experience_months: '12.5' is not a number of months from 0 to 600
background.csv:8: former_intern: '2' is not yes or no
background.csv:8: japanese_level: 'JLPT N3' is not N1-N5, JFT-A2 or none
shiken: background.csv: rows with errors: 7 of 8; nothing was changed
EOF

# Formula injection: a spreadsheet opening an export would run these, the
# email address too (valid as an address, but not as a cell).
refused formula.csv <<'EOF'
formula.csv:2: arrangements: must not start with '=', '+' or '@' (a spreadsheet would run it as a formula)
formula.csv:3: residence_region: must not start with '=', '+' or '@' (a spreadsheet would run it as a formula)
formula.csv:4: native_name: must not start with '=', '+' or '@' (a spreadsheet would run it as a formula)
formula.csv:5: email: must not start with '=', '+' or '@' (a spreadsheet would run it as a formula)
shiken: formula.csv: rows with errors: 4 of 5; nothing was changed
EOF

# The very long field: 5,000 characters of family name, 501 of arrangements.
H=$(head -1 ../good.csv)
long=$(printf 'A%.0s' {1..5000})
{
	echo "$H"
	echo "B-091,$long,AN,,2000-01-01,M,VN,VN,,P5000091,an@example.com,,,,,,,"
	echo "B-092,NGUYEN,AN,,2000-01-01,M,VN,VN,,P5000092,an@example.com,,,,,,$(printf 'x%.0s' {1..501}),"
	echo "B-093,NGUYEN,AN,$(printf 'あ%.0s' {1..101}),2000-01-01,M,VN,VN,,P5000093,an@example.com,,,,,,,"
	echo "B-094,NGUYEN,AN,,2000-01-01,M,VN,VN,,P5000094,${long}@example.com,,,,,,,"
} >long.csv
refused long.csv <<'EOF'
long.csv:2: family_name: too long (at most 60 characters)
long.csv:3: arrangements: too long (at most 500 characters)
long.csv:4: native_name: too long (at most 100 characters)
long.csv:5: email: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…' is not an email address
shiken: long.csv: rows with errors: 4 of 4; nothing was changed
EOF

# A control character in free text (a tab and a line break are text).
# Where a message quotes the value, the control character is spelled out:
# a file must not be able to drive the terminal it is reported on.
{
	echo "$H"
	printf 'B-095,NGUYEN,AN,,2000-01-01,M,VN,VN,,P5000095,an@example.com,,,,,,"wheel\001chair",\n'
	printf 'B-096,NGUYEN,AN,,2000-01-01,M,VN,VN,Ha\x1b[31mNoi,P5000096,an@example.com,,,,,,,\n'
	printf 'B-097,NGUY\x1b[2JEN,AN,,2000-01-01,M,VN,VN,,P5000097,an@example.com,,,,,,,\n'
	printf 'B-098,NGUYEN,AN,,2000-01-01,M,VN,VN,,P5000098,an@example.com\x07,,,,,,,\n'
	printf 'B-099,NGUYEN,AN,,2000-01-01,M,VN,VN,,P5000099,an@example.com,,,,,,"wheel\x7fchair",\n'
	printf 'B-100,NGUYEN,AN,,2000-01-01,M,VN,VN,Ha\xc2\x85Noi,P5000100,an@example.com,,,,,,,\n'
	printf 'B-102,NGUYEN,AN,,2000-01-01,M,VN,VN,,P5000102,an@example.com,,,\xc2\x9b,,,,\n'
} >control.csv
refused control.csv <<'EOF'
control.csv:2: arrangements: contains a control character
control.csv:3: residence_region: contains a control character
control.csv:4: family_name: 'NGUY\x1B[2JEN' is not written in Latin letters as in the passport (character '\x1B')
control.csv:5: email: 'an@example.com\x07' is not an email address
control.csv:6: arrangements: contains a control character
control.csv:7: residence_region: contains a control character
control.csv:8: mfg_experience_months: '\u009B' is not a number of months from 0 to 600
shiken: control.csv: rows with errors: 7 of 7; nothing was changed
EOF
! grep -q $'\x1b' "$WORK/err" || fail "an escape character reached the terminal"

# ---- the registry: a passport number held by another reference ----
# Typed differently (case, spaces, a hyphen), it is still A-001's number;
# and A-003 may not take A-004's. The message names the other reference,
# never the number.
refused passport_taken.csv <<'EOF'
passport_taken.csv:2: passport_number: already registered to candidate 'A-001' (possible impersonation)
passport_taken.csv:4: passport_number: already registered to candidate 'A-004' (possible impersonation)
shiken: passport_taken.csv: rows with errors: 2 of 3; nothing was changed
EOF
for n in C1234567 1234567 "c 123-4567" C123 MA445566 445566; do
	lacks "$WORK/err" "$n"
done

# Within one file: a reference twice, and one passport number typed four
# ways (case, spaces, a hyphen, full-width letters and digits). Reported in
# line order, though the checks run in passes.
refused duplicates.csv <<'EOF'
duplicates.csv:3: passport_number: same passport number as line 2 (reference 'B-301'; possible impersonation)
duplicates.csv:4: passport_number: same passport number as line 2 (reference 'B-301'; possible impersonation)
duplicates.csv:5: reference: 'B-301' appears again (first on line 2)
duplicates.csv:6: passport_number: already registered to candidate 'A-001' (possible impersonation)
duplicates.csv:7: passport_number: same passport number as line 6 (reference 'B-305'; possible impersonation)
shiken: duplicates.csv: rows with errors: 5 of 7; nothing was changed
EOF
for n in Q4000001 4000001 C1234567 1234567; do
	lacks "$WORK/err" "$n"
done

# ---- photos (the last row's JPEG is fine) ----
head -c -12 ../photos/sari.png >../photos/cut.png
head -c 700 ../photos/nguyen.jpg >../photos/cut.jpg
truncate -s $((2 * 1024 * 1024 + 1)) ../photos/huge.jpg
refused photos.csv <<'EOF'
photos.csv:2: photo: cannot read '../photos/missing.jpg': No such file or directory
photos.csv:3: photo: not a PNG or JPEG image (unknown format)
photos.csv:4: photo: corrupt PNG image (file is truncated: no IEND chunk)
photos.csv:5: photo: '../photos/huge.jpg' is larger than 2 MiB
photos.csv:6: photo: corrupt JPEG image (Premature end of JPEG file)
shiken: photos.csv: rows with errors: 5 of 7; nothing was changed
EOF

# ---- the file's shape ----
refused unterminated.csv <<'EOF'
unterminated.csv:3: csv: quoted field is never closed (it starts on this line and runs to the end of the file)
shiken: unterminated.csv: nothing was changed
EOF
refused stray_quote.csv <<'EOF'
stray_quote.csv:3: csv: malformed quoting (a quote inside an unquoted field, or text after a closing quote)
shiken: stray_quote.csv: nothing was changed
EOF
refused extra_field.csv <<'EOF'
extra_field.csv:4: row: has 19 fields; the header has 18
shiken: extra_field.csv: rows with errors: 1 of 4; nothing was changed
EOF
refused missing_fields.csv <<'EOF'
missing_fields.csv:3: row: has 16 fields; the header has 18
shiken: missing_fields.csv: rows with errors: 1 of 3; nothing was changed
EOF
# Blank lines and rows of empty cells are skipped, but still counted as lines.
refused blank_lines.csv <<'EOF'
blank_lines.csv:8: date_of_birth: '2000-02-30' is not a date (YYYY-MM-DD)
shiken: blank_lines.csv: rows with errors: 1 of 3; nothing was changed
EOF
# A cell spanning lines 3-5: the next row starts on line 6.
refused multiline.csv <<'EOF'
multiline.csv:6: date_of_birth: '2000-02-30' is not a date (YYYY-MM-DD)
shiken: multiline.csv: rows with errors: 1 of 3; nothing was changed
EOF
refused empty.csv <<'EOF'
empty.csv:1: header: the file is empty; expected a header row
shiken: empty.csv: nothing was changed
EOF
refused blank_only.csv <<'EOF'
blank_only.csv:1: header: the file is empty; expected a header row
shiken: blank_only.csv: nothing was changed
EOF

# ---- the header ----
refused unknown_column.csv <<'EOF'
unknown_column.csv:1: shoe_size: unknown column (use --ignore-unknown to skip it)
shiken: unknown_column.csv: nothing was changed
EOF
# A header cell is quoted like a value: cut short, control characters spelled out.
{ printf '%s,shoe\x1b[2Jsize,%s\n' "$(head -1 ../good.csv)" "$(printf 'x%.0s' {1..60})"; tail -n +2 unknown_column.csv; } >unknown_columns.csv
refused unknown_columns.csv <<'EOF'
unknown_columns.csv:1: shoe\x1B[2Jsize: unknown column (use --ignore-unknown to skip it)
unknown_columns.csv:1: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…: unknown column (use --ignore-unknown to skip it)
shiken: unknown_columns.csv: nothing was changed
EOF
run 0 candidate import --ignore-unknown unknown_column.csv
same_text "$WORK/out" "unknown_column.csv: 2 rows; candidates: 1 added, 1 updated, 0 unchanged"
[[ $(count "SELECT residence_region FROM candidate WHERE reference = 'A-002'") == Osaka ]] || fail "--ignore-unknown"
consistent
refused duplicate_column.csv <<'EOF'
duplicate_column.csv:1: email: column appears twice
shiken: duplicate_column.csv: nothing was changed
EOF
refused missing_columns.csv <<'EOF'
missing_columns.csv:1: date_of_birth: required column is missing
missing_columns.csv:1: gender: required column is missing
shiken: missing_columns.csv: nothing was changed
EOF

# ---- encodings ----
iconv -f UTF-8 -t CP932 ../japanese.csv >cp932.csv
refused --encoding utf-8 cp932.csv <<'EOF'
cp932.csv:3: encoding: invalid UTF-8 (byte 0x83 at column 20); if Excel saved this file, try --encoding cp932
shiken: cp932.csv: nothing was changed
EOF
# Bytes that are neither UTF-8 nor CP932 (0xFF is a lead byte in neither).
{ cat cp932.csv; printf 'B-201,NGUYEN,AN,\xff\xfe,2000-01-01,M,VN,VN,,P5000201,an@example.com,,,,,,,\n'; } >neither.csv
refused neither.csv <<'EOF'
neither.csv:6: encoding: neither UTF-8 nor CP932 (byte 0xFF at column 17)
shiken: neither.csv: nothing was changed
EOF
refused --encoding cp932 neither.csv <<'EOF'
neither.csv:6: encoding: invalid CP932 (byte 0xFF at column 17)
shiken: neither.csv: nothing was changed
EOF
# UTF-8 text with one stray Latin-1 byte (½) on line 4: read as CP932 it
# would "succeed", every Japanese character turned into nonsense.
{ cat ../japanese.csv; printf 'B-202,NGUYEN,AN,,2000-01-01,M,VN,VN,,P5000202,an@example.com,,,,,,extra time: 1\xbd hours,\n'; } >stray.csv
refused stray.csv <<'EOF'
stray.csv:6: encoding: invalid UTF-8 (byte 0xBD at column 80)
shiken: stray.csv: nothing was changed
EOF
# Excel's "Unicode Text" is UTF-16: say so rather than "neither UTF-8 nor CP932".
{ printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE ../good.csv; } >utf16.csv
refused utf16.csv <<'EOF'
utf16.csv:1: encoding: the file is UTF-16 (Excel's "Unicode Text"); save it as "CSV UTF-8" or "CSV"
shiken: utf16.csv: nothing was changed
EOF
snapshot enc
run 2 candidate import --encoding latin-1 ../good.csv
contains "$WORK/err" "shiken: 'latin-1' is not a supported encoding (use utf-8 or cp932)"
unchanged_since enc

# ---- --skip-invalid does not rescue a file that cannot be read as a table ----
refused --skip-invalid unterminated.csv <<'EOF'
unterminated.csv:3: csv: quoted field is never closed (it starts on this line and runs to the end of the file)
shiken: unterminated.csv: nothing was changed
EOF
[[ ! -e unterminated.csv.rejects.csv ]] || fail "a rejects file for a file that was not read"
refused --skip-invalid missing_columns.csv <<'EOF'
missing_columns.csv:1: date_of_birth: required column is missing
missing_columns.csv:1: gender: required column is missing
shiken: missing_columns.csv: nothing was changed
EOF

# ---- a file that is not there ----
refused nowhere.csv <<'EOF'
nowhere.csv: cannot open: No such file or directory
EOF
echo ok
