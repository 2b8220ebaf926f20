# shiken print certificates: pass certificates (合格証明書) looked at the way
# an employer and the print room see them. One A4 page per valid
# certificate, certificates/NUMBER.pdf, or one file per room in seat order;
# the QR code, rendered at 150 dpi and read with zbarimg, holds exactly the
# base URL + "/c/" + the stored token, and 'shiken verify' says that URL is
# valid and the same URL with one character changed is not; only embedded
# font subsets; pdftotext gives back the name, the number and the rest in
# Japanese and English. Without a base URL nothing prints; revoked
# certificates, registrations without one, a character no font has and a
# token that does not verify are each refused with a message.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
for tool in pdftotext pdffonts pdfinfo pdftoppm qpdf zbarimg; do
	command -v "$tool" >/dev/null || fail "$tool missing (scripts/setup installs poppler-utils, qpdf, zbar-tools)"
done

SIT=2026-12-HAN
BASE=https://verify.example.jp
fresh_db
cat >"$WORK/c.csv" <<'EOF'
reference,family_name,given_name,date_of_birth,gender,nationality,residence_country,passport_number,email
V-DUC,NGUYỄN,VĂN ĐỨC,1995-04-01,M,VN,VN,C7000001,duc@example.com
I-SARI,SARI,,1998-07-15,F,ID,ID,B7000002,sari@example.com
P-ANA,DELA CRUZ-SANTOS,MARIA ANGELICA ROSARIO,1999-10-10,F,PH,PH,P7000004,ana@example.com
T-TRAN,TRAN,VAN AN,1996-03-03,M,VN,VN,C7000005,an@example.com
M-KYAW,KYAW,ZIN MIN,1997-02-28,M,MM,MM,M7000006,kyaw@example.com
N-FAIL,PHAM,MINH,2000-01-01,M,VN,VN,C7000007,minh@example.com
L-LATE,LE,THI LAN,1999-05-05,F,VN,VN,C7000008,lan@example.com
EOF
sk candidate import "$WORK/c.csv" >/dev/null
sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city "Hà Nội" --address "12 Trần Hưng Đạo" \
	--room A:2x3 --room B:2x2 >/dev/null
sk sitting create --code $SIT --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 --test EE2 --fee 0 --currency VND >/dev/null
reg() { SHIKEN_NOW=2026-10-01T00:00:00Z sk register add --candidate "$1" --sitting $SIT --test "$2" --room "$3" >"$WORK/out"; examno_of; }
DUC=$(reg V-DUC MM1 A)
SARI=$(reg I-SARI MM1 A)
ANA=$(reg P-ANA MM1 A)
TRAN=$(reg T-TRAN MM1 B)
KYAW=$(reg M-KYAW EE2 A)
FAILED=$(reg N-FAIL MM1 B)
LATE=$(reg L-LATE MM1 B)
# Results as grading stores them (core/sql/0005): all pass but one fail,
# and LATE is graded only after the certificates are issued.
sqlite3 "$DB" "INSERT INTO grading_run (id, sitting_id, actor, started_at, graded, written)
	SELECT 1, id, 'tester', '2026-12-13T12:00:00Z', 6, 6 FROM sitting WHERE code = '$SIT';
INSERT INTO result (registration_id, run_id, outcome, graded_at) SELECT id, 1,
	CASE exam_number WHEN '$FAILED' THEN 'fail' ELSE 'pass' END, '2026-12-13T12:00:00Z' FROM registration
	WHERE exam_number <> '$LATE'"
sk config set cert.issuer "$BASE" >/dev/null
sk keys generate >/dev/null
sk cert issue --sitting $SIT >/dev/null 2>"$WORK/err"
same_text "$WORK/err" "shiken: warning: 1 registrations of $SIT have no result yet and get no certificate until graded"
sqlite3 "$DB" "INSERT INTO result (registration_id, run_id, outcome, graded_at) SELECT id, 1, 'pass',
	'2026-12-13T12:00:00Z' FROM registration WHERE exam_number = '$LATE'"
CERTS=5
number_of() { count "SELECT ce.number FROM certificate ce JOIN registration r ON r.id = ce.registration_id
	WHERE r.exam_number = '$1'"; }
token_of() { count "SELECT token FROM certificate WHERE number = '$1'"; }
# certs ROOM: number|exam number of the room's certificates in seat order.
certs() { count "SELECT ce.number || '|' || r.exam_number FROM certificate ce JOIN registration r
	ON r.id = ce.registration_id JOIN room ro ON ro.id = r.room_id WHERE ro.code = '$1' AND ce.status = 'valid'
	ORDER BY r.seat_row, r.seat_col"; }

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
# flat FILE [PAGE]: the text on one line, spaces squeezed; dense FILE:
# without spaces, for Japanese sentences broken across lines.
flat() { pdftotext ${2:+-f $2 -l $2} "$1" - | tr '\n' ' ' | tr -s ' '; }
dense() { pdftotext "$1" - | tr -d ' \n'; }
has() { [[ "$1" == *"$2"* ]] || fail "$3 lacks '$2': $1"; }
# scan FILE [PAGE]: what a phone reads from the page rendered at 150 dpi.
scan() {
	rm -f "$WORK"/scan-*.png
	pdftoppm -r 150 -png ${2:+-f $2 -l $2} "$1" "$WORK/scan"
	zbarimg --quiet --raw "$WORK"/scan-*.png 2>/dev/null || fail "$1${2:+ page $2}: no QR code decodes at 150 dpi"
}
# flip TEXT POS: one character changed.
flip() {
	local t=$1 p=$2 c=${1:$2:1} r=A
	[[ $c == A ]] && r=B
	printf '%s%s%s' "${t:0:$p}" "$r" "${t:$((p + 1))}"
}

# ---- no base URL: nothing prints ----
snapshot start
run 1 print certificates --sitting $SIT --out "$WORK/none"
same_text "$WORK/err" "shiken: no base URL for certificate QR codes set: run 'shiken config set cert.base_url https://HOST'"
[[ ! -e "$WORK/none" ]] || fail "a folder was made without a base URL"
unchanged_since start
# Base URLs: http(s), no query or fragment, a final '/' dropped.
for bad in "ftp://verify.example.jp" "https://" "https:///c" "verify.example.jp" "https://verify.example.jp/c?x=1" \
	"https://verify.example.jp/#top" "https://verify example.jp" "https://verify.example.jp/\"c\"" \
	"https://$(printf 'x%.0s' {1..200}).jp"; do
	run 2 config set cert.base_url "$bad"
	same_text "$WORK/err" "shiken: cert.base_url takes an http:// or https:// URL of at most 200 characters, without spaces, query or fragment"
done
unchanged_since start
run 0 config set cert.base_url "$BASE/"
same_text "$WORK/out" "cert.base_url = $BASE"
run 0 config get cert.base_url
same_text "$WORK/out" "$BASE"
[[ $(count "SELECT json_extract(detail, '\$.\"cert.base_url\"[1]') FROM audit WHERE entity = 'config'
	ORDER BY seq DESC LIMIT 1") == "$BASE" ]] || fail "config set cert.base_url is not audited"
run 0 config get cert.issuer_name_ja
same_text "$WORK/out" "特定技能評価試験 試験実施機関"
refused_usage "shiken: certificates are printed on A4 only" print certificates --sitting $SIT --page-size Letter

# ---- one file per certificate ----
snapshot before
run 0 print certificates --sitting $SIT --out "$WORK/one"
same_text "$WORK/out" "$SIT: $CERTS files, $CERTS pages in $WORK/one"
same_text "$WORK/err" "1 passed registrations have no certificate yet and are not printed (see 'shiken cert issue --sitting $SIT')"
unchanged_since before
want=$(count "SELECT number || '.pdf' FROM certificate ORDER BY number" | tr '\n' ' ')
[[ "$(ls "$WORK/one/certificates" | sort | tr '\n' ' ')" == "$want" ]] || fail "one file per certificate: $(ls "$WORK/one/certificates")"
[[ -z $(find "$WORK/one" -name '*.tmp*') ]] || fail "temporary files left behind"
for f in "$WORK"/one/certificates/*.pdf; do
	number=$(basename "$f" .pdf)
	pdf_ok "$f"
	[[ $(pages "$f") == 1 ]] || fail "$f: one page expected"
	pdfinfo "$f" | grep -q "^Page size: *595.2[0-9]* x 841.8[0-9]* pts (A4)" || fail "$f is not A4"
	# The QR code: the base URL and exactly the stored token.
	url=$(scan "$f")
	[[ "$url" == "$BASE/c/$(token_of "$number")" ]] || fail "$f: the QR code holds '$url'"
	run 0 verify "$url"
	contains "$WORK/out" "VALID: The certificate is genuine and valid."
	contains "$WORK/out" "certificate: $number"
	run 3 verify "$(flip "$url" $((${#url} - 30)))"
	contains "$WORK/out" "NOT VALID (bad_signature)"
	run 3 verify "$(flip "$url" $((${#BASE} + 40)))"
	contains "$WORK/out" "NOT VALID"
	t=$(flat "$f")
	for s in "合格証明書" "Certificate of Passing" "$number" "Verify at $BASE" "上記の者は、" \
		"This is to certify that the person named above has passed the" "発行者" "特定技能評価試験 試験実施機関" \
		"Specified Skilled Worker Evaluation Test Administrator" "発行年月日 2026年11月22日" \
		"Date of issue: 22 November 2026" "合格年月日 Date passed 2026年12月13日 13 December 2026"; do
		has "$t" "$s" "$f"
	done
	[[ $(stat -c %s "$f") -lt 102400 ]] || fail "$f: over 100 KB"
done

# Each holder's particulars, Japanese and English.
t=$(flat "$WORK/one/certificates/$(number_of "$DUC").pdf")
for s in "NGUYỄN VĂN ĐỨC" "1995年4月1日 1 April 1995" "国籍 Nationality ベトナム Vietnam" "機械金属加工 特定技能1号" \
	"Machining and Metalworking, Specified Skilled Worker (i)" \
	"Specified Skilled Worker (i) Evaluation Test (Industrial Product Manufacturing: Machining and Metalworking)."; do
	has "$t" "$s" "DUC's certificate"
done
has "$(dense "$WORK/one/certificates/$(number_of "$DUC").pdf")" \
	"上記の者は、特定技能1号評価試験（工業製品製造業分野機械金属加工）に合格したことを証明します。" "DUC's certificate"

pdffonts "$WORK/one/certificates/$(number_of "$DUC").pdf" | grep -q "+NotoSans" || fail "the name is not set in Noto Sans"
t=$(flat "$WORK/one/certificates/$(number_of "$SARI").pdf")
has "$t" "SARI" "SARI's certificate"
has "$t" "インドネシア Indonesia" "SARI's certificate"
t=$(flat "$WORK/one/certificates/$(number_of "$ANA").pdf")
has "$t" "DELA CRUZ-SANTOS MARIA ANGELICA ROSARIO" "ANA's certificate"
t=$(flat "$WORK/one/certificates/$(number_of "$KYAW").pdf")
for s in "KYAW ZIN MIN" "ミャンマー" "電気電子機器組立て 特定技能2号" "Specified Skilled Worker (ii)"; do
	has "$t" "$s" "KYAW's certificate (2号)"
done
has "$(dense "$WORK/one/certificates/$(number_of "$KYAW").pdf")" "特定技能2号評価試験（工業製品製造業分野電気電子機器組立て）" \
	"KYAW's certificate (2号)"

# ---- bundles: one file per room, seat order ----
run 0 print certificates --sitting $SIT --bundle --out "$WORK/bundle"
same_text "$WORK/out" "$SIT: 2 files, $CERTS pages in $WORK/bundle"
for room in A B; do
	f="$WORK/bundle/certificates-$room.pdf"
	pdf_ok "$f"
	n=$(certs $room | wc -l)
	[[ $(pages "$f") == "$n" ]] || fail "$f: $n pages expected"
	for p in $(seq 1 "$n"); do flat "$f" "$p" | grep -oE '証明書番号 [0-9]{4}-[0-9]{6}-[0-9]' | head -1 | cut -d' ' -f2; done >"$WORK/order"
	same_text "$WORK/order" "$(certs $room | cut -d'|' -f1)"
	# The QR code of a bundled page as well.
	first=$(certs $room | head -1 | cut -d'|' -f1)
	[[ "$(scan "$f" 1)" == "$BASE/c/$(token_of "$first")" ]] || fail "$f: page 1's QR code"
done
# The frame is drawn once for the whole bundle.
[[ $(stat -c %s "$WORK/bundle/certificates-A.pdf") -lt $((4 * 60 * 1024)) ]] || fail "the bundle repeats what its pages share"

# ---- the exam body's name as set, and a long base URL (a larger QR code) ----
run 0 config set cert.issuer_name_ja "一般社団法人 工業製品技能試験協会"
run 0 config set cert.issuer_name_en "Japan Industrial Skills Testing Association"
for bad in "" "   " "bad {markup}" "two|parts" "$(printf 'x%.0s' {1..101})" "$(printf 'line\nbreak')"; do
	run 2 config set cert.issuer_name_en "$bad"
	same_text "$WORK/err" "shiken: cert.issuer_name_en takes a name of 1-100 characters on one line"
done
LONG="https://verify.example.jp/$(printf 'certificates-of-the-specified-skills-evaluation-tests/%.0s' {1..3})x"
(( ${#LONG} <= 200 )) || fail "the long base URL is over 200 characters"
run 0 config set cert.base_url "$LONG"
run 0 print certificates --sitting $SIT --room A --out "$WORK/named"
f="$WORK/named/certificates/$(number_of "$ANA").pdf"
t=$(flat "$f")
has "$t" "一般社団法人 工業製品技能試験協会" "the exam body's name"
has "$t" "Japan Industrial Skills Testing Association" "the exam body's name"
[[ -z $(find "$WORK/named" -name "$(number_of "$TRAN").pdf") ]] || fail "--room A printed room B"
url=$(scan "$f")
[[ "$url" == "$LONG/c/$(token_of "$(number_of "$ANA")")" ]] || fail "a long base URL: the QR code holds '$url'"
run 0 verify "$url"
pdf_ok "$f"
run 0 config set cert.base_url "$BASE"

# ---- revoked: not printed ----
DN=$(number_of "$DUC") TN=$(number_of "$TRAN")
sk cert revoke "$DN" --reason "issued to the wrong person" >/dev/null
run 0 print certificates --sitting $SIT --out "$WORK/rev"
same_text "$WORK/out" "$SIT: $((CERTS - 1)) files, $((CERTS - 1)) pages in $WORK/rev"
contains "$WORK/err" "certificate $DN ($DUC) is revoked: not printed"
[[ ! -e "$WORK/rev/certificates/$DN.pdf" ]] || fail "a revoked certificate was printed"
sk cert revoke "$TN" --reason "issued to the wrong person" >/dev/null
snapshot revoked
run 1 print certificates --sitting $SIT --room B --out "$WORK/roomb"
same_text "$WORK/err" "certificate $TN ($TRAN) is revoked: not printed
1 passed registrations have no certificate yet and are not printed (see 'shiken cert issue --sitting $SIT')
shiken: no valid certificate in room 'B' of sitting '$SIT': nothing was printed"
[[ ! -e "$WORK/roomb" ]] || fail "a folder was made with nothing to print"
unchanged_since revoked

# ---- a character no font has: refused, with the field, nothing written ----
run 0 config set cert.issuer_name_en "Testing Association 🂡"
run 1 print certificates --sitting $SIT --out "$WORK/glyph"
contains "$WORK/err" "setting: cert.issuer_name_en: character '🂡' (U+1F0A1) is in no installed font"
[[ -z $(find "$WORK/glyph" -name '*.pdf') ]] || fail "a certificate was written despite a missing glyph"
run 0 config set cert.issuer_name_en "Japan Industrial Skills Testing Association"

# ---- a token that does not verify (changed behind the registry's back) ----
AN=$(number_of "$ANA")
sqlite3 "$DB" "DROP TRIGGER certificate_fixed;
	UPDATE certificate SET token = substr(token, 1, length(token) - 30) || CASE substr(token, length(token) - 29, 1)
	WHEN 'A' THEN 'B' ELSE 'A' END || substr(token, length(token) - 28) WHERE number = '$AN'"
run 1 print certificates --sitting $SIT --room A --bundle --out "$WORK/forged"
contains "$WORK/err" "certificate $AN: its token does not verify (bad_signature): not printed"
[[ ! -e "$WORK/forged/certificates-A.pdf" ]] || fail "a bundle was written with a certificate that does not verify"
echo "ok"
