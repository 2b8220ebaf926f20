# shiken print tickets|rosters: admission tickets (受験票) and attendance
# rosters (出席簿) looked at the way a person and a scanner see them. The
# text comes back from pdftotext in Japanese and English (exam number,
# passport name with its diacritics, venue, seat); fonts are embedded
# subsets with Unicode maps; the files pass qpdf; every ticket's QR code
# decodes from a 150 dpi render to SK1T:<exam number>:<MAC>; a character no
# font has is refused with the field it is in, and no file is written.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
for tool in pdftotext pdffonts pdfinfo pdftoppm qpdf zbarimg; do
	command -v "$tool" >/dev/null || fail "$tool missing (scripts/setup installs poppler-utils, qpdf, zbar-tools)"
done

SIT=2026-12-HAN
fresh_db
# Candidates: three written here (a Vietnamese name with diacritics and a
# JPEG photo, an Indonesian single name with a PNG photo, a long Filipino
# name without a photo), and 29 generated ones, 20 with portraits.
mkdir -p "$WORK/own/photos"
cp "$TESTS_DIR/data/candidates/photos/nguyen.jpg" "$TESTS_DIR/data/candidates/photos/sari.png" "$WORK/own/photos/"
cat >"$WORK/own/c.csv" <<'EOF'
reference,family_name,given_name,date_of_birth,gender,nationality,residence_country,passport_number,email,photo
V-DUC,NGUYỄN,VĂN ĐỨC,1995-04-01,M,VN,VN,C7000001,duc@example.com,photos/nguyen.jpg
I-SARI,SARI,,1998-07-15,F,ID,ID,B7000002,sari@example.com,photos/sari.png
P-LONG,DELA CRUZ-VILLANUEVA,MARIA CRISTINA ANGELICA JOSEPHINE,1999-10-10,F,PH,PH,P7000004,maria@example.com,
EOF
sk candidate import "$WORK/own/c.csv" >/dev/null
mkdir -p "$WORK/gen"
sk generate candidates --count 29 --seed 5 --year 2026 --photos 20 --out "$WORK/gen/c.csv" >/dev/null
sk candidate import "$WORK/gen/c.csv" >/dev/null
ADDRESS="12 Trần Hưng Đạo, Hoàn Kiếm"
venue() { sk venue add --code HAN1 --name "$1" --country VN --city "Hà Nội" --address "$2" --room A:4x6 --room B:2x4 >/dev/null; }
venue "Hanoi Test Centre" "$ADDRESS"
sk sitting create --code $SIT --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 --test EE1 \
	--fee 600000 --currency VND >/dev/null
# Room A full (24: three pages of roster), the rest (8) in room B.
{
	echo "reference,sitting,test,room"
	echo "V-DUC,$SIT,MM1,A"
	echo "I-SARI,$SIT,EE1,A"
	echo "P-LONG,$SIT,MM1,A"
	tail -n +2 "$WORK/gen/c.csv" | cut -d, -f1 | awk -v s=$SIT '{ print $1 "," s "," (NR % 3 ? "MM1" : "EE1") "," (NR <= 21 ? "A" : "B") }'
} >"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null

# regs [ROOM]: exam number|family|given|room|seat|test for every live
# registration, in seat order (room, row, column).
regs() {
	sqlite3 -separator '|' "$DB" "SELECT r.exam_number, c.family_name, c.given_name, ro.code,
		char(64 + r.seat_row) || '-' || printf('%02d', r.seat_col), t.code
		FROM registration r JOIN candidate c ON c.id = r.candidate_id JOIN room ro ON ro.id = r.room_id
		JOIN test t ON t.id = r.test_id
		WHERE r.status = 'registered' ${1:+AND ro.code = '$1'} ORDER BY ro.code, r.seat_row, r.seat_col"
}
[[ $(regs | wc -l) == 32 && $(regs A | wc -l) == 24 ]] || fail "32 registrations, 24 in room A, expected"

# pdf_ok FILE: qpdf finds nothing wrong, and every font is an embedded
# subset with a Unicode map (no glyph depends on the reader's fonts).
pdf_ok() {
	qpdf --check "$1" >"$WORK/qpdf" 2>&1 || { cat "$WORK/qpdf" >&2; fail "qpdf --check $1"; }
	contains "$WORK/qpdf" "No syntax or stream encoding errors found"
	pdffonts "$1" | tail -n +3 >"$WORK/fonts"
	[[ -s "$WORK/fonts" ]] || fail "$1 has no fonts"
	# Columns from the right: object id, generation, uni, sub, emb.
	awk '{ n = NF; if ($(n-4) != "yes" || $(n-3) != "yes" || $(n-2) != "yes" || $1 !~ /^[A-Z][A-Z][A-Z][A-Z][A-Z][A-Z]\+/) exit 1 }' \
		"$WORK/fonts" || { pdffonts "$1" >&2; fail "$1: a font is not an embedded subset with a Unicode map"; }
}
# flat FILE: the text of a PDF on one line, spaces squeezed; raw: the same
# in the order it was drawn (a roster row: number, seat, exam number, ...).
flat() { pdftotext "$1" - | tr '\n' ' ' | tr -s ' '; }
raw() { pdftotext -raw "$1" - | tr '\n' ' ' | tr -s ' '; }
pages() { pdfinfo "$1" | awk '/^Pages:/ { print $2 }'; }

# ---- a ticket only once the fee is paid ----
run 1 print tickets --sitting $SIT --out "$WORK/unpaid"
contains "$WORK/err" "32 registrations get no ticket until their fee is paid"
[[ ! -e "$WORK/unpaid/tickets" ]] || fail "tickets printed for unpaid fees"
run 0 print tickets --sitting $SIT --room B --unpaid --out "$WORK/unpaid"
[[ $(ls "$WORK/unpaid/tickets" | wc -l) == 8 ]] || fail "--unpaid: 8 tickets for room B expected"
run 2 print rosters --sitting $SIT --unpaid
# Pay all but one (a partial payment is still unpaid), waive that one's
# rest: every registration then has a ticket.
{
	echo "exam_number,amount,currency,paid_at,method,receipt,kind"
	regs | awk -F'|' '{ print $1 "," (NR == 1 ? "100000" : "600000") ",VND,2026-11-01,bank_transfer,R" NR ",payment" }'
} >"$WORK/fees.csv"
sk fee import "$WORK/fees.csv" >/dev/null
run 0 print tickets --sitting $SIT --out "$WORK/partial"
contains "$WORK/err" "1 registrations get no ticket until their fee is paid"
[[ $(ls "$WORK/partial/tickets" | wc -l) == 31 ]] || fail "31 tickets expected with one fee partly paid"
printf 'exam_number,amount,currency,paid_at,method,receipt,kind\n%s,,VND,2026-11-02,other,W1,waiver\n' \
	"$(regs | head -1 | cut -d'|' -f1)" >"$WORK/waive.csv"
sk fee import "$WORK/waive.csv" >/dev/null

# ---- one ticket per candidate ----
run 0 print tickets --sitting $SIT --out "$WORK/p"
same_text "$WORK/out" "$SIT: 32 files, 32 pages in $WORK/p"
[[ $(find "$WORK/p" -name '*.pdf' | wc -l) == 32 ]] || fail "32 ticket files expected"
[[ -z $(find "$WORK/p" -name '*.tmp*') ]] || fail "temporary files left behind"
declare -A mac_of
while IFS='|' read -r no family given room seat test; do
	f="$WORK/p/tickets/$no.pdf"
	[[ -f "$f" ]] || fail "no ticket $f"
	size=$(stat -c %s "$f")
	((size < 100 * 1024)) || fail "$f is $size bytes (goal: under 100 KB)"
	[[ $(pages "$f") == 1 ]] || fail "$f is not one page"
	pdfinfo "$f" | grep -q "^Page size: *595.2[0-9]* x 841.8[0-9]* pts (A4)" || fail "$f is not A4"
	pdf_ok "$f"
	# What a person reads, in Japanese and English, in reading order.
	text=$(flat "$f")
	name="$family${given:+ $given}"
	for want in "受験票" "Admission Ticket" "$no" "$name" "Hanoi Test Centre" "Trần Hưng Đạo" "$seat" \
		"2026年12月13日（日）" "13 Dec 2026 (Sun)" "9:30" "試験開始30分前（9:00）までに集合" \
		"Please arrive 30 minutes early, by 9:00." "パスポート" "HBの鉛筆" "消しゴム" "An eraser" \
		"Phones and watches" "switched off" "No calculators" "電卓" "受付用QRコード" "$SIT" \
		"偽造・改ざんされた受験票は無効です。" "A forged or altered ticket is refused."; do
		[[ "$text" == *"$want"* ]] || { echo "$text" >&2; fail "$f lacks '$want'"; }
	done
	case $test in
	MM1) [[ "$text" == *"機械金属加工 特定技能1号"* && "$text" == *"Machining and Metalworking"* ]] ;;
	EE1) [[ "$text" == *"電気電子機器組立て 特定技能1号"* && "$text" == *"Electrical and Electronic Equipment Assembly"* ]] ;;
	esac || fail "$f does not name test $test in Japanese and English"
	rest=${text#*"$no"}
	rest=${rest#*"$name"}
	rest=${rest#*Hanoi Test Centre}
	[[ "$rest" == *"$seat"* && "$text" == *"$no"*"$name"*"Hanoi Test Centre"* ]] ||
		fail "$f: exam number, name, venue and seat are not in reading order"
	# The name never leaks into the document's metadata.
	pdfinfo "$f" >"$WORK/info"
	lacks "$WORK/info" "$family"
	# What the scanner reads at check-in.
	pdftoppm -r 150 -png "$f" "$WORK/scan"
	qr=$(zbarimg --quiet --raw "$WORK/scan-1.png" 2>/dev/null) || fail "$f: no QR code decodes at 150 dpi"
	[[ "$qr" =~ ^SK1T:([0-9]{4}-[0-9]{5}-[0-9]):([0-9A-HJKMNP-TV-Z]{16})$ ]] || fail "$f: QR holds '$qr'"
	[[ "${BASH_REMATCH[1]}" == "$no" ]] || fail "$f: QR is for ${BASH_REMATCH[1]}"
	mac_of[$no]=${BASH_REMATCH[2]}
	rm -f "$WORK"/scan-*.png
done < <(regs)
# Each exam number has its own MAC.
[[ $(printf '%s\n' "${mac_of[@]}" | sort -u | wc -l) == 32 ]] || fail "two tickets share a MAC"

# The Vietnamese name comes back whole, set in Noto Sans.
duc=$(sqlite3 "$DB" "SELECT exam_number FROM registration r JOIN candidate c ON c.id = r.candidate_id WHERE reference = 'V-DUC'")
[[ "$(flat "$WORK/p/tickets/$duc.pdf")" == *"NGUYỄN VĂN ĐỨC"* ]] || fail "NGUYỄN VĂN ĐỨC not extracted intact"
pdffonts "$WORK/p/tickets/$duc.pdf" | grep -q "+NotoSans" || fail "the name is not set in Noto Sans"
# A ticket printed again carries the same code (a reprint still scans).
run 0 print tickets --sitting $SIT --room A --out "$WORK/again"
same_text "$WORK/out" "$SIT: 24 files, 24 pages in $WORK/again"
pdftoppm -r 150 -png "$WORK/again/tickets/$duc.pdf" "$WORK/scan"
[[ $(zbarimg --quiet --raw "$WORK/scan-1.png" 2>/dev/null) == "SK1T:$duc:${mac_of[$duc]}" ]] || fail "a reprint has another code"
[[ -z $(find "$WORK/again" -name "$(regs B | head -1 | cut -d'|' -f1).pdf") ]] || fail "--room A printed room B"

# Bundles: one file per room, the tickets in seat order.
run 0 print tickets --sitting $SIT --bundle --out "$WORK/bundle"
same_text "$WORK/out" "$SIT: 2 files, 32 pages in $WORK/bundle"
[[ $(pages "$WORK/bundle/tickets-A.pdf") == 24 && $(pages "$WORK/bundle/tickets-B.pdf") == 8 ]] ||
	fail "bundles are not one page per ticket"
pdf_ok "$WORK/bundle/tickets-A.pdf"
for p in $(seq 1 24); do pdftotext -f "$p" -l "$p" "$WORK/bundle/tickets-A.pdf" - | grep -oE '^[0-9]{4}-[0-9]{5}-[0-9]$' | head -1; done >"$WORK/order"
same_text "$WORK/order" "$(regs A | cut -d'|' -f1)"

# Another registry (another key) signs the same exam number differently.
DB1=$DB
DB="$WORK/other.db"
fresh_db
sk candidate import "$WORK/own/c.csv" >/dev/null
venue "Hanoi Test Centre" "$ADDRESS"
sk sitting create --code $SIT --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 --fee 600000 --currency VND >/dev/null
sk register add --candidate V-DUC --sitting $SIT --test MM1 >/dev/null
other=$(sqlite3 "$DB" "SELECT exam_number FROM registration")
run 0 print tickets --sitting $SIT --unpaid --out "$WORK/other"
pdftoppm -r 150 -png "$WORK/other/tickets/$other.pdf" "$WORK/scan"
qr=$(zbarimg --quiet --raw "$WORK/scan-1.png" 2>/dev/null)
[[ "$other" == 0001-00001-5 && "$qr" == "SK1T:0001-00001-5:"* ]] || fail "other registry's ticket: '$qr'"
[[ "${qr##*:}" != "${mac_of[0001-00001-5]}" ]] || fail "two registries gave exam number 0001-00001-5 the same MAC"
DB=$DB1

# ---- rosters: one per room, seat order, header on every page ----
run 0 print rosters --sitting $SIT --out "$WORK/p"
same_text "$WORK/out" "$SIT: 2 files, 4 pages in $WORK/p"
A="$WORK/p/roster-A.pdf"
pdf_ok "$A"
pdf_ok "$WORK/p/roster-B.pdf"
[[ $(pages "$A") == 3 && $(pages "$WORK/p/roster-B.pdf") == 1 ]] || fail "roster pages: A $(pages "$A"), B $(pages "$WORK/p/roster-B.pdf")"
pdftotext -layout "$A" - | grep -oE '[0-9]{4}-[0-9]{5}-[0-9]' >"$WORK/order"
same_text "$WORK/order" "$(regs A | cut -d'|' -f1)"
for p in 1 2 3; do
	pdftotext -raw -f $p -l $p "$A" "$WORK/page"
	for want in "受験番号" "Exam number" "氏名" "署名" "Signature" "受付" "Check-in" "$p / 3" "$SIT"; do
		contains "$WORK/page" "$want"
	done
	((p == 3)) || lacks "$WORK/page" "受験予定者数"
done
contains "$WORK/page" "受験予定者数"
contains "$WORK/page" "Expected: 24"
text=$(raw "$A")
for want in "出席簿" "Attendance Roster" "2026年12月13日（日）" "Hanoi Test Centre" "MM1" "EE1" \
	"NGUYỄN VĂN ĐỨC" "SARI" "DELA CRUZ-VILLANUEVA MARIA CRISTINA ANGELICA JOSEPHINE" "1995年4月1日"; do
	[[ "$text" == *"$want"* ]] || fail "roster A lacks '$want'"
done
while IFS='|' read -r no family given room seat test; do
	[[ "$text" == *"$seat $no"* ]] || fail "roster A: seat $seat is not beside $no"
done < <(regs A)
pdftotext -raw "$WORK/p/roster-B.pdf" "$WORK/page"
contains "$WORK/page" "1 / 1"
contains "$WORK/page" "Expected: 8"
pdfinfo "$A" >"$WORK/info"
lacks "$WORK/info" "NGUY"

# A cancelled registration gets no ticket and leaves the roster.
gone=$(regs B | head -1 | cut -d'|' -f1)
sk register cancel "$gone" --reason "withdrew" >/dev/null
run 0 print tickets --sitting $SIT --room B --out "$WORK/c"
same_text "$WORK/out" "$SIT: 7 files, 7 pages in $WORK/c"
[[ ! -e "$WORK/c/tickets/$gone.pdf" ]] || fail "a cancelled registration got a ticket"
run 0 print rosters --sitting $SIT --room B --out "$WORK/c"
[[ "$(flat "$WORK/c/roster-B.pdf")" != *"$gone"* ]] || fail "a cancelled registration is on the roster"
contains <(flat "$WORK/c/roster-B.pdf") "Expected: 7"

# ---- a character no installed font has: refused, naming it and the field ----
venue "Hanoi Test Centre" "$ADDRESS 😀"
first=$(regs | head -1 | cut -d'|' -f1) # the first ticket printed: room A, first seat
snapshot emoji
run 1 print tickets --sitting $SIT --out "$WORK/bad"
same_text "$WORK/err" "shiken: $first: venue HAN1: address: character '😀' (U+1F600) is in no installed font"
[[ -z $(find "$WORK/bad" -type f 2>/dev/null) ]] || fail "a refused ticket left a file"
run 1 print tickets --sitting $SIT --bundle --out "$WORK/bad"
[[ -z $(find "$WORK/bad" -type f 2>/dev/null) ]] || fail "a refused bundle left a file"
unchanged_since emoji
venue "Hanoi 𓀀 Centre" "$ADDRESS"
run 1 print rosters --sitting $SIT --room A --out "$WORK/bad"
same_text "$WORK/err" "shiken: A: venue HAN1: name: character '𓀀' (U+13000) is in no installed font"
[[ -z $(find "$WORK/bad" -type f 2>/dev/null) ]] || fail "a refused roster left a file"
run 1 print tickets --sitting $SIT --room A --out "$WORK/bad"
contains "$WORK/err" "venue HAN1: name: character '𓀀' (U+13000) is in no installed font"
venue "Hanoi Test Centre" "$ADDRESS"
run 0 print tickets --sitting $SIT --room A --out "$WORK/bad"
consistent
echo ok
