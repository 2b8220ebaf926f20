# shiken print notices: result notices (合否結果通知書) looked at the way a
# candidate and the mail room see them. One A4 page per graded
# registration, none for a pending or cancelled one; the files pass qpdf
# with only embedded font subsets; pdftotext gives back the outcome and
# each section's score against its pass mark in Japanese (with furigana)
# and English, and the Vietnamese name with its diacritics; one file per
# candidate, or with --bundle one per room in seat order; the mail-merge
# CSV has its documented columns and the PDFs' paths; a sitting with
# nothing graded, or a character no font has, prints nothing.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
for tool in pdftotext pdffonts pdfinfo qpdf; do
	command -v "$tool" >/dev/null || fail "$tool missing (scripts/setup installs poppler-utils, qpdf)"
done

SIT=2026-11-HAN
fresh_db
cat >"$WORK/c.csv" <<'EOF'
reference,family_name,given_name,date_of_birth,gender,nationality,residence_country,passport_number,email,language
V-DUC,NGUYỄN,VĂN ĐỨC,1995-04-01,M,VN,VN,C7000001,duc@example.com,vi
I-SARI,SARI,,1998-07-15,F,ID,ID,B7000002,sari@example.com,id
P-ANA,SANTOS,ANA MARIA,1999-10-10,F,PH,PH,P7000004,ana@example.com,ja
T-TRAN,TRAN,VAN AN,1996-03-03,M,VN,VN,C7000005,an@example.com,
N-PEND,PHAM,MINH,2000-01-01,M,VN,VN,C7000006,minh@example.com,
N-GONE,LE,THI LAN,1999-10-10,F,VN,VN,C7000007,lan@example.com,
EOF
sk candidate import "$WORK/c.csv" >/dev/null
venue() { sk venue add --code HAN1 --name "$1" --country VN --city "Hà Nội" --address "12 Trần Hưng Đạo" \
	--room A:2x3 --room B:2x2 >/dev/null; }
venue "Hanoi Test Centre"
sk sitting create --code $SIT --date 2026-11-15 --time 09:30 --venue HAN1 --test MM1 --fee 0 --currency VND >/dev/null
sk sitting create --code 2026-12-HAN --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 --fee 0 --currency VND >/dev/null
reg() { SHIKEN_NOW=2026-10-01T00:00:00Z sk register add --candidate "$1" --sitting "$2" --test MM1 --room "$3" >"$WORK/out"; examno_of; }
DUC=$(reg V-DUC $SIT A)
SARI=$(reg I-SARI $SIT A)
ANA=$(reg P-ANA $SIT B)
TRAN=$(reg T-TRAN $SIT B)
PEND=$(reg N-PEND $SIT B)
GONE=$(reg N-GONE $SIT A)
SHIKEN_NOW=2026-10-02T00:00:00Z sk register cancel "$GONE" --reason "withdrew" >/dev/null
LATER=$(reg N-PEND 2026-12-HAN A)
SHIKEN_NOW=2026-11-15T10:00:00Z sk incident add "$TRAN" --kind cheating --disqualify --note "notes in the sleeve" \
	--proctor "Tanaka Yuki" >/dev/null

# Results as grading stores them (core/sql/0005).
sec() { count "SELECT ts.id FROM test_section ts JOIN test t ON t.id = ts.test_id WHERE t.code = 'MM1' AND ts.code = '$1'"; }
rid() { count "SELECT id FROM registration WHERE exam_number = '$1'"; }
G=$(sec gakka) J=$(sec jitsugi)
AT=2026-11-20T09:00:00Z
sqlite3 "$DB" "
INSERT INTO grading_run (id, sitting_id, actor, started_at, graded, written)
	SELECT 1, id, 'tester', '$AT', 4, 4 FROM sitting WHERE code = '$SIT';
INSERT INTO result (registration_id, run_id, outcome, graded_at) VALUES
	($(rid "$DUC"), 1, 'pass', '$AT'), ($(rid "$SARI"), 1, 'fail', '$AT'),
	($(rid "$ANA"), 1, 'absent', '$AT'), ($(rid "$TRAN"), 1, 'disqualified', '$AT');
INSERT INTO result_section (registration_id, section_id, points, max_points, passed) VALUES
	($(rid "$DUC"), $G, 15, 20, 1), ($(rid "$DUC"), $J, 8, 10, 1),
	($(rid "$SARI"), $G, 12, 20, 0), ($(rid "$SARI"), $J, 7, 10, 1),
	($(rid "$TRAN"), $G, 18, 20, 1), ($(rid "$TRAN"), $J, 9, 10, 1);"

# Seat order: room, row, column.
seat_order() { count "SELECT r.exam_number FROM registration r JOIN room ro ON ro.id = r.room_id JOIN result res
	ON res.registration_id = r.id WHERE ro.code = '$1' ORDER BY r.seat_row, r.seat_col"; }

# pdf_ok FILE: qpdf finds nothing wrong, and every font is an embedded
# subset with a Unicode map (no glyph depends on the reader's fonts).
pdf_ok() {
	qpdf --check "$1" >"$WORK/qpdf" 2>&1 || { cat "$WORK/qpdf" >&2; fail "qpdf --check $1"; }
	contains "$WORK/qpdf" "No syntax or stream encoding errors found"
	pdffonts "$1" | tail -n +3 >"$WORK/fonts"
	[[ -s "$WORK/fonts" ]] || fail "$1 has no fonts"
	awk '{ n = NF; if ($(n-4) != "yes" || $(n-3) != "yes" || $(n-2) != "yes" || $1 !~ /^[A-Z][A-Z][A-Z][A-Z][A-Z][A-Z]\+/) exit 1 }' \
		"$WORK/fonts" || { pdffonts "$1" >&2; fail "$1: a font is not an embedded subset with a Unicode map"; }
}
pages() { pdfinfo "$1" | awk '/^Pages:/ { print $2 }'; }
# flat FILE [PAGE]: the text on one line, spaces squeezed.
flat() { pdftotext ${2:+-f $2 -l $2} "$1" - | tr '\n' ' ' | tr -s ' '; }
has() { [[ "$1" == *"$2"* ]] || fail "$3 lacks '$2': $1"; }
hasnt() { [[ "$1" != *"$2"* ]] || fail "$3 should not show '$2'"; }

# ---- one file per graded candidate ----
snapshot before
run 0 print notices --sitting $SIT --out "$WORK/one" --csv "$WORK/mail.csv"
same_text "$WORK/out" "$SIT: 4 files, 4 pages in $WORK/one"
same_text "$WORK/err" "1 registrations are not graded yet and get no notice (see 'shiken grade --sitting $SIT')"
[[ $(ls "$WORK/one/notices" | sort | tr '\n' ' ') == "$(printf '%s.pdf\n' "$DUC" "$SARI" "$ANA" "$TRAN" | sort | tr '\n' ' ')" ]] ||
	fail "one notice per graded registration expected: $(ls "$WORK/one/notices")"
for no in $DUC $SARI $ANA $TRAN; do
	f="$WORK/one/notices/$no.pdf"
	pdf_ok "$f"
	[[ $(pages "$f") == 1 ]] || fail "$f: one page expected"
	pdfinfo "$f" | grep -q "^Page size: *595.2[0-9]* x 841.8[0-9]* pts (A4)" || fail "$f is not A4"
done
[[ -z $(find "$WORK/one" -name '*.tmp*') ]] || fail "temporary files left behind"
unchanged_since before

# The pass: Japanese and English, the name as in the passport, the scores.
t=$(flat "$WORK/one/notices/$DUC.pdf")
for s in "合否結果通知書" "Notice of Test Result" "NGUYỄN" "VĂN ĐỨC" "$DUC" "機械金属加工" "特定技能1号" \
	"Machining and Metalworking, Specified Skilled Worker (i)" "2026年11月15日" "15 Nov 2026" "$SIT" \
	"Hanoi Test Centre, Hà Nội, Vietnam" "合格" "ごうかく" "Pass" "You have passed the test above." \
	"学科" "Written" "15 / 20" "75 %" "65 %" "実技" "Practical" "8 / 10" "80 %" "60 %" "Passed" \
	"The test is passed when every section reaches its pass mark." \
	"合格証明書" "Your pass certificate will be sent to you separately." "check that it is genuine" \
	"発行日 2026年11月22日" "Issued 22 Nov 2026" "1995年4月1日"; do
	has "$t" "$s" "the pass notice"
done
hasnt "$t" "不合格" "the pass notice"
pdffonts "$WORK/one/notices/$DUC.pdf" | grep -q "NotoSans" || fail "the name is not set in Noto Sans"

# The fail: which section fell short, and how to apply again.
t=$(flat "$WORK/one/notices/$SARI.pdf")
for s in "SARI" "不合格" "Fail" "You did not pass the test above." "12 / 20" "60 %" "65 %" "Not passed" \
	"7 / 10" "70 %" "Passed" "合格基準に届かなかった科目：学科" "Sections below the pass mark: Written." \
	"you sit every section again" "apply for a later sitting" "Your application reference is I-SARI." "I-SARI です"; do
	has "$t" "$s" "the fail notice"
done

# Absent and disqualified: no scores, and what it means.
t=$(flat "$WORK/one/notices/$ANA.pdf")
for s in "SANTOS ANA MARIA" "欠席" "Absent" "You were absent from the test above." "No scores: you were absent." \
	"neither a pass nor a fail" "Your application reference is P-ANA." "65 %" "60 %"; do
	has "$t" "$s" "the absent notice"
done
hasnt "$t" " / 20" "the absent notice"
t=$(flat "$WORK/one/notices/$TRAN.pdf")
for s in "TRAN VAN AN" "失格" "Disqualified" "You were disqualified from the test above." \
	"No scores: they do not count when a candidate is disqualified." "Your scores do not count." \
	"If you think this is a mistake"; do
	has "$t" "$s" "the disqualified notice"
done
hasnt "$t" "18 / 20" "the disqualified notice"
hasnt "$t" "notes in the sleeve" "the disqualified notice"

# ---- the mail-merge list: seat order, scores as the notice shows them ----
{
	echo "exam_number,reference,family_name,given_name,email,language,outcome,section1,section1_points,section1_max,section1_passed,section2,section2_points,section2_max,section2_passed,pdf"
	for no in $(seat_order A) $(seat_order B); do
		case $no in
		"$DUC") echo "$no,V-DUC,NGUYỄN,VĂN ĐỨC,duc@example.com,vi,pass,gakka,15,20,yes,jitsugi,8,10,yes,$WORK/one/notices/$no.pdf" ;;
		"$SARI") echo "$no,I-SARI,SARI,,sari@example.com,id,fail,gakka,12,20,no,jitsugi,7,10,yes,$WORK/one/notices/$no.pdf" ;;
		"$ANA") echo "$no,P-ANA,SANTOS,ANA MARIA,ana@example.com,ja,absent,gakka,,,,jitsugi,,,,$WORK/one/notices/$no.pdf" ;;
		"$TRAN") echo "$no,T-TRAN,TRAN,VAN AN,an@example.com,,disqualified,gakka,,,,jitsugi,,,,$WORK/one/notices/$no.pdf" ;;
		esac
	done
} >"$WORK/mail.want"
same_text "$WORK/mail.csv" "$(cat "$WORK/mail.want")"
[[ $(stat -c %a "$WORK/mail.csv") == 600 ]] || fail "the mail-merge list is not mode 0600"
while IFS=, read -r _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ pdf; do
	[[ "$pdf" == pdf || -f "$pdf" ]] || fail "the mail-merge list names a missing file: $pdf"
done <"$WORK/mail.csv"

# ---- one bundle per room, in seat order ----
run 0 print notices --sitting $SIT --out "$WORK/bundle" --bundle --csv "$WORK/bundle.csv"
same_text "$WORK/out" "$SIT: 2 files, 4 pages in $WORK/bundle"
[[ $(ls "$WORK/bundle" | tr '\n' ' ') == "notices-A.pdf notices-B.pdf " ]] || fail "a bundle per room: $(ls "$WORK/bundle")"
for room in A B; do
	f="$WORK/bundle/notices-$room.pdf"
	pdf_ok "$f"
	p=0
	for no in $(seat_order $room); do
		p=$((p + 1))
		has "$(flat "$f" $p)" "$no" "page $p of $f"
	done
	[[ $(pages "$f") == "$p" ]] || fail "$f: $p pages expected"
	grep -q ",$WORK/bundle/notices-$room.pdf\$" "$WORK/bundle.csv" || fail "the list does not name $f"
done
[[ $(wc -l <"$WORK/bundle.csv") == 5 ]] || fail "the bundle's list: four notices"

# One room, another page size.
run 0 print notices --sitting $SIT --room A --page-size B5 --out "$WORK/b5"
[[ $(ls "$WORK/b5/notices" | wc -l) == 2 ]] || fail "--room A: two notices"
pdfinfo "$WORK/b5/notices/$DUC.pdf" | grep -q "^Page size: *515.9[0-9]* x 728.5[0-9]* pts" || fail "--page-size B5"
has "$(flat "$WORK/b5/notices/$DUC.pdf")" "8 / 10" "the B5 notice"

# ---- nothing graded, nothing printed ----
run 1 print notices --sitting 2026-12-HAN --out "$WORK/none" --csv "$WORK/none.csv"
same_text "$WORK/err" "shiken: no registration of sitting '2026-12-HAN' is graded yet: nothing was printed (see 'shiken grade --sitting 2026-12-HAN')"
[[ ! -e "$WORK/none" && ! -e "$WORK/none.csv" ]] || fail "a sitting with nothing graded left files"
run 2 print tickets --sitting $SIT --csv "$WORK/x.csv"
contains "$WORK/err" "--csv is for notices"
run 2 print notices --sitting $SIT --csv
contains "$WORK/err" "option '--csv' needs a value"

# ---- a character no installed font has: named with its field, no file ----
venue "Hanoi 𓀀 Centre"
run 1 print notices --sitting $SIT --room A --out "$WORK/bad" --csv "$WORK/bad.csv"
same_text "$WORK/err" "shiken: $(seat_order A | head -1): venue HAN1: name: character '𓀀' (U+13000) is in no installed font"
[[ -z $(find "$WORK/bad" -type f 2>/dev/null) && ! -e "$WORK/bad.csv" ]] || fail "a refused notice left a file"
venue "Hanoi Test Centre"

# Japanese staff get the same notices; the CLI's language is not the notice's.
run 0 --lang ja print notices --sitting $SIT --room B --out "$WORK/ja"
has "$(flat "$WORK/ja/notices/$ANA.pdf")" "You were absent from the test above." "a notice printed from a Japanese CLI"
consistent
echo ok
