# shiken print booklets|sheets: question booklets (問題冊子) and answer sheets
# (解答用紙) looked at the way a person, the print shop and a scanner see
# them. A room's bundle holds each candidate's booklet then answer sheet in
# seat order; the files pass qpdf with only embedded font subsets; pdftotext
# gives back every item of a candidate's paper in the paper's order, options
# labelled; no name is printed; every sheet's QR decodes from a 150 dpi
# render to SK1S:<sitting>:<exam number>:<paper code>:<page>:<MAC>, the same
# again on a reprint; the registry records one layout row per sheet page
# with every bubble inside the page; one file per candidate, --room and
# --page-size B5 work; and the failures leave no file and change nothing.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"
for tool in pdftotext pdffonts pdfinfo pdftoppm qpdf zbarimg; do
	command -v "$tool" >/dev/null || fail "$tool missing (scripts/setup installs poppler-utils, qpdf, zbar-tools)"
done
ASSETS=$(realpath "$TESTS_DIR/../assets/bank")
SIT=2026-12-HAN

# ---- a sitting with papers: the demo's bank, six MM1 forms, 30 candidates in two rooms ----
fresh_db
sk bank import "$ASSETS/MM1.csv" >/dev/null
sk item review --from "$ASSETS/reviews-MM1.csv" >/dev/null
sk blueprint import "$ASSETS/blueprints.csv" >/dev/null
sk form build --test MM1 --count 6 --anchors 5 --seed 2026 >/dev/null
sk generate candidates --count 32 --seed 5 --year 2026 --out "$WORK/c.csv" >/dev/null
sk candidate import "$WORK/c.csv" >/dev/null
sk venue add --code HAN1 --name "Hanoi Test Centre" --country VN --city "Hà Nội" \
	--address "12 Trần Hưng Đạo" --room A:4x5 --room B:3x4 >/dev/null
sk sitting create --code $SIT --date 2026-12-13 --time 09:30 --venue HAN1 --test MM1 \
	--fee 600000 --currency VND >/dev/null
# 18 in room A (two seats free), 12 in room B (full); two candidates are
# kept for a sitting without papers.
{
	echo "reference,sitting,test,room"
	sed -n '2,31p' "$WORK/c.csv" | cut -d, -f1 | awk -v s=$SIT '{ print $1 "," s ",MM1," (NR <= 18 ? "A" : "B") }'
} >"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null
run 0 paper build --sitting $SIT
same_text "$WORK/out" "$SIT: 30 registrations; papers: 30 built, 0 already built"

# Who sits where, from what staff see: 'register list --csv' (read with
# SQLite's CSV import, which knows quoting), joined to the candidates file
# for the names and passport numbers that must not be printed.
sk register list --sitting $SIT --csv --out "$WORK/regs.csv" >/dev/null
sqlite3 -separator '|' :memory: ".import --csv $WORK/regs.csv r" ".import --csv $WORK/c.csv c" \
	"SELECT r.exam_number, r.room, r.family_name, r.given_name, c.native_name, c.passport_number
	 FROM r JOIN c ON c.reference = r.reference WHERE r.status = 'registered'
	 ORDER BY r.room, CAST(r.seat_row AS INTEGER), CAST(r.seat_column AS INTEGER)" >"$WORK/who"
[[ $(wc -l <"$WORK/who") == 30 ]] || fail "30 registrations expected"
# regs [ROOM]: exam numbers in seat order.
regs() { awk -F'|' -v room="${1:-}" 'room == "" || $2 == room { print $1 }' "$WORK/who"; }
[[ $(regs A | wc -l) == 18 && $(regs B | wc -l) == 12 ]] || fail "18 in room A and 12 in room B expected"

# Each candidate's paper as 'paper show --json' gives it.
mkdir -p "$WORK/paper"
declare -A code_of
for no in $(regs); do
	sk paper show "$no" --json >"$WORK/paper/$no.json"
	code_of[$no]=$(json "$WORK/paper/$no.json" '$.paper_code')
	[[ "${code_of[$no]}" =~ ^[0-9]{2}-[0-9]{4}-[0-9]$ ]] || fail "$no: paper code '${code_of[$no]}'"
done

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
pages() { pdfinfo "$1" | awk '/^Pages:/ { print $2 }'; }
# page_lines FILE: one line per page of the PDF's text, in reading order.
page_lines() { pdftotext -layout "$1" - | awk 'BEGIN { RS = "\f" } { gsub(/[ \t\n]+/, " "); print }'; }
# qr FILE PAGE: what a scanner reads on that page rendered at 150 dpi.
qr() {
	# Grey PGM: what a scanner gives, and twice as fast as PNG.
	pdftoppm -r 150 -gray -singlefile -f "$2" -l "$2" "$1" "$WORK/scan"
	zbarimg --quiet --raw "$WORK/scan.pgm" 2>/dev/null || fail "$1 page $2: no QR code decodes at 150 dpi"
	rm -f "$WORK/scan.pgm"
}
# exam_numbers TEXT: the distinct exam numbers in TEXT, space-separated.
exam_numbers() {
	local rest=$1 seen=" "
	while [[ "$rest" =~ ([0-9]{4}-[0-9]{5}-[0-9]) ]]; do
		[[ "$seen" == *" ${BASH_REMATCH[1]} "* ]] || seen+="${BASH_REMATCH[1]} "
		rest=${rest#*"${BASH_REMATCH[1]}"}
	done
	seen=${seen# }
	echo "${seen% }"
}
SK1S='^SK1S:([^:]+):([0-9]{4}-[0-9]{5}-[0-9]):([0-9]{2}-[0-9]{4}-[0-9]):([0-9]+):([0-9A-HJKMNP-TV-Z]{16})$'

# ---- one file per candidate: booklets/EXAMNO.pdf, sheets/EXAMNO.pdf ----
run 0 print booklets --sitting $SIT --out "$WORK/one"
[[ $(find "$WORK/one" -type f | wc -l) == 30 ]] || fail "30 booklet files expected"
declare -A bpages spages
total=0
for no in $(regs); do
	f="$WORK/one/booklets/$no.pdf"
	[[ -f "$f" ]] || fail "no booklet $f"
	bpages[$no]=$(pages "$f")
	((bpages[$no] >= 3)) || fail "$f: ${bpages[$no]} pages (a cover and a page for each of two sections at least)"
	total=$((total + bpages[$no]))
done
same_text "$WORK/out" "$SIT: 30 files, $total pages in $WORK/one"
pdf_ok "$WORK/one/booklets/$(regs B | head -1).pdf"
pdfinfo "$WORK/one/booklets/$(regs B | head -1).pdf" | grep -q "^Page size: *595.2[0-9]* x 841.8[0-9]* pts (A4)" ||
	fail "booklets are not A4 by default"
run 0 print sheets --sitting $SIT --out "$WORK/one"
total=0
for no in $(regs); do
	f="$WORK/one/sheets/$no.pdf"
	[[ -f "$f" ]] || fail "no answer sheet $f"
	spages[$no]=$(pages "$f")
	total=$((total + spages[$no]))
done
same_text "$WORK/out" "$SIT: 30 files, $total pages in $WORK/one"
pdf_ok "$WORK/one/sheets/$(regs A | head -1).pdf"
[[ -z $(find "$WORK/one" -name '*.tmp*') ]] || fail "temporary files left behind"

# ---- a booklet gives back its paper's text, in the paper's order ----
# pdftotext -layout prints furigana on a line of their own above the base
# text; such lines (nothing but readings of this paper) are dropped, then
# whitespace, and every question must follow the one before it: "問N",
# the stem without its markup, and for 実技 the options as "A." ... in
# the paper's order.
strip() { sed -E 's/\{([^|}]*)\|[^}]*\}/\1/g; s/[[:space:]　]+//g'; }
for no in $(regs); do
	p="$WORK/paper/$no.json"
	sqlite3 :memory: "SELECT json_extract(i.value, '$.stem') FROM json_each(readfile('$p'), '$.sections') s,
		json_each(s.value, '$.items') i UNION ALL SELECT o.value FROM json_each(readfile('$p'), '$.sections') s,
		json_each(s.value, '$.items') i, json_each(i.value, '$.shown') o" |
		grep -oE '\|[^}]+\}' | tr -d '|}' | sort -u >"$WORK/readings"
	pdftotext -layout "$WORK/one/booklets/$no.pdf" - |
		awk 'NR == FNR { r[$0] = 1; next } { for (k = 1; k <= NF; k++) if (!($k in r)) { print; next } }' \
			"$WORK/readings" - | strip | tr -d "\n" >"$WORK/text"
	# The needles, in order: each question, then its options.
	sqlite3 -separator '' :memory: "SELECT t FROM (
		SELECT s.key AS sk, i.key AS ik, -1 AS ok, '問' || json_extract(i.value, '$.number') || json_extract(i.value, '$.stem') AS t
		FROM json_each(readfile('$p'), '$.sections') s, json_each(s.value, '$.items') i
		UNION ALL
		SELECT s.key, i.key, o.key, char(65 + o.key) || '.' || o.value
		FROM json_each(readfile('$p'), '$.sections') s, json_each(s.value, '$.items') i, json_each(i.value, '$.shown') o
		WHERE json_extract(i.value, '$.shown[0]') <> '○'
	) ORDER BY sk, ik, ok" | strip >"$WORK/needles"
	[[ $(grep -c '^問' "$WORK/needles") == 30 && $(grep -c '^[A-E]\.' "$WORK/needles") -ge 30 ]] ||
		fail "$no: the paper has not 30 questions with options"
	rest=$(<"$WORK/text")
	[[ "$rest" == *"$no"* && "$rest" == *"${code_of[$no]}"* ]] || fail "$no: booklet lacks its exam number or paper code"
	while IFS= read -r needle; do
		[[ "$rest" == *"$needle"* ]] || {
			pdftotext -layout "$WORK/one/booklets/$no.pdf" - >&2
			fail "$no: booklet lacks '$needle' (or it is out of order)"
		}
		rest=${rest#*"$needle"}
	done <"$WORK/needles"
	# Questions numbered 1 to 30, once each.
	same_text <(pdftotext -layout "$WORK/one/booklets/$no.pdf" - | grep -oE '^問[0-9]+ ' | tr -d ' ') "$(seq -f '問%g' 30)"
	# 学科 is ○×: no option labels between its questions.
	gakka=$(<"$WORK/text")
	gakka=${gakka#*問1}
	gakka=${gakka%%問21*}
	[[ "$gakka" != *"A."* ]] || fail "$no: a ○× question shows option labels"
done

# ---- bundles: one file per room, each candidate's booklet then answer sheet, in seat order ----
run 0 print booklets --sitting $SIT --bundle --out "$WORK/bundle"
total=0
for no in $(regs); do total=$((total + bpages[$no] + spages[$no])); done
same_text "$WORK/out" "$SIT: 2 files, $total pages in $WORK/bundle"
[[ $(find "$WORK/bundle" -type f | sort) == "$WORK/bundle/papers-A.pdf"$'\n'"$WORK/bundle/papers-B.pdf" ]] ||
	fail "a bundle is papers-ROOM.pdf and nothing else"
declare -A mac_of payload_of
for room in A B; do
	f="$WORK/bundle/papers-$room.pdf"
	pdf_ok "$f"
	want=0
	for no in $(regs $room); do want=$((want + bpages[$no] + spages[$no])); done
	[[ $(pages "$f") == "$want" ]] || fail "$f: $(pages "$f") pages, expected $want"
	# Page by page: whose it is (every exam number on it), booklet or sheet,
	# and the booklet's own "x / y" at the foot.
	for no in $(regs $room); do
		for ((k = 1; k <= bpages[$no]; k++)); do echo "$no booklet $no ${code_of[$no]} $k/${bpages[$no]}"; done
		for ((k = 1; k <= spages[$no]; k++)); do echo "$no sheet $k/${spages[$no]}"; done
	done >"$WORK/want"
	page_lines "$f" >"$WORK/pages-$room"
	while IFS= read -r line; do
		who=$(exam_numbers "$line")
		if [[ "$line" == *"Answer Sheet"* ]]; then
			[[ "$line" =~ \ ([0-9]+)\ ?/\ ?([0-9]+)\  ]] || fail "$f: an answer sheet without its page: $line"
			echo "${who% }" sheet "${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
		else
			[[ "$line" =~ ([0-9]{4}-[0-9]{5}-[0-9])\ ([0-9]{2}-[0-9]{4}-[0-9])\ ([0-9]+)\ ?/\ ?([0-9]+)\ *$ ]] ||
				fail "$f: a booklet page without its footer: $line"
			echo "${who% }" booklet "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}/${BASH_REMATCH[4]}"
		fi
	done <"$WORK/pages-$room" >"$WORK/got"
	same_text "$WORK/got" "$(cat "$WORK/want")"
	# Every sheet page's QR, as the scanner reads it.
	n=0
	for no in $(regs $room); do
		n=$((n + bpages[$no]))
		for ((k = 1; k <= spages[$no]; k++)); do
			n=$((n + 1))
			got=$(qr "$f" $n)
			[[ "$got" =~ $SK1S ]] || fail "$f page $n: QR holds '$got'"
			[[ "${BASH_REMATCH[1]}" == "$SIT" && "${BASH_REMATCH[2]}" == "$no" && "${BASH_REMATCH[3]}" == "${code_of[$no]}" &&
				"${BASH_REMATCH[4]}" == "$k" ]] || fail "$f page $n: QR '$got' is not $SIT, $no, ${code_of[$no]}, page $k"
			mac_of[$no:$k]=${BASH_REMATCH[5]}
			payload_of[$no:$k]=$got
		done
	done
done
# Each sheet page has its own MAC. (No command verifies a scanned SK1S
# code yet: sk_payload_verify has no caller in cli/.)
[[ $(printf '%s\n' "${mac_of[@]}" | sort -u | wc -l) == "${#mac_of[@]}" && ${#mac_of[@]} -ge 30 ]] ||
	fail "two sheet pages share a MAC"

# ---- no name on booklets or sheets, nor in their metadata ----
# The passport name, the native name and the passport number of every
# candidate, and each part of a name of four letters or more as a word.
while IFS='|' read -r no room family given native passport; do
	printf '%s\n' "$family${given:+ $given}" "$passport" ${native:+"$native"}
done <"$WORK/who" >"$WORK/names"
for part in $(cut -d'|' -f3,4 "$WORK/who" | tr '|' ' '); do
	((${#part} < 4)) || echo "$part"
done | sort -u >"$WORK/name-parts"
for f in "$WORK/bundle/papers-A.pdf" "$WORK/bundle/papers-B.pdf" "$WORK/one/booklets/$(regs A | head -1).pdf" \
	"$WORK/one/sheets/$(regs A | head -1).pdf"; do
	case $f in
	*/bundle/papers-?.pdf) { cat "$WORK/pages-${f: -5:1}"; pdfinfo "$f"; } >"$WORK/all-text" ;; # text taken above
	*) { pdftotext "$f" -; pdftotext -layout "$f" -; pdftotext -raw "$f" -; pdfinfo "$f"; } >"$WORK/all-text" ;;
	esac
	if grep -oF -f "$WORK/names" "$WORK/all-text" >"$WORK/leak" || grep -owF -f "$WORK/name-parts" "$WORK/all-text" >>"$WORK/leak"; then
		fail "$f shows: $(sort -u "$WORK/leak" | tr '\n' ' ')"
	fi
done
# The same search finds the names on room A's roster, which shows them.
run 0 print rosters --sitting $SIT --room A --out "$WORK/roster"
pdftotext "$WORK/roster/roster-A.pdf" "$WORK/all-text"
(($(grep -oF -f "$WORK/names" "$WORK/all-text" | sort -u | wc -l) >= 15)) || fail "the search for names does not find them on a roster"

# ---- the layouts a scanner reads ----
# One sheet row per sheet page printed (printing again replaces, never
# adds), every layout valid JSON with nothing of the candidate's, stored
# once; on every page each of the paper's questions once, with two bubbles
# (O X) for ○× and as many (A B ...) as the question has options for
# multiple choice, every bubble, corner mark and the QR inside the page, no
# two bubbles touching.
layouts_ok() {
	local sql="ATTACH '$DB' AS reg; CREATE TABLE paper (exam_number TEXT, j TEXT);"
	for no in $(regs); do sql+=" INSERT INTO paper VALUES ('$no', CAST(readfile('$WORK/paper/$no.json') AS TEXT));"; done
	sqlite3 :memory: "$sql
		CREATE TABLE pitem AS SELECT p.exam_number, json_extract(i.value, '$.number') AS number,
			json_extract(s.value, '$.section') AS section,
			CASE json_extract(i.value, '$.shown[0]') WHEN '○' THEN 'tf' ELSE 'mc' END AS kind,
			json_array_length(i.value, '$.options') AS noptions
		FROM paper p, json_each(p.j, '$.sections') s, json_each(s.value, '$.items') i;
		CREATE TABLE q AS SELECT r.exam_number, sh.page, l.id AS layout_id, l.layout,
			json_extract(q.value, '$.number') AS number, json_extract(q.value, '$.section') AS section,
			json_extract(q.value, '$.kind') AS kind, json_array_length(q.value, '$.bubbles') AS nb, q.value AS qv
		FROM reg.sheet sh JOIN reg.registration r ON r.id = sh.registration_id
		JOIN reg.sheet_layout l ON l.id = sh.layout_id, json_each(l.layout, '$.questions') q;
		CREATE TABLE b AS SELECT q.layout_id, q.exam_number, q.page, q.number, q.kind, q.nb, bb.key AS k,
			json_extract(bb.value, '$.mark') AS mark, json_extract(bb.value, '$.x') AS x,
			json_extract(bb.value, '$.y') AS y, json_extract(bb.value, '$.r') AS r,
			json_extract(q.layout, '$.width') AS w, json_extract(q.layout, '$.height') AS h
		FROM q, json_each(q.qv, '$.bubbles') bb;
		SELECT 'sheet rows: ' || (SELECT count(*) FROM reg.sheet) || ', sheet pages: ' || $1;
		SELECT 'invalid JSON in layout ' || id FROM reg.sheet_layout WHERE NOT json_valid(layout);
		SELECT 'layout ' || id || ' stored twice' FROM reg.sheet_layout GROUP BY layout HAVING count(*) > 1;
		SELECT 'layout ' || l.id || ' holds ' || r.exam_number FROM reg.sheet_layout l, reg.registration r
			JOIN reg.paper p ON p.registration_id = r.id WHERE instr(l.layout, r.exam_number) OR instr(l.layout, p.code);
		SELECT 'layout ' || l.id || ' is for ' || json_extract(l.layout, '$.width') || ' x ' || json_extract(l.layout, '$.height')
			|| ', sheet printed on ' || x.size
			FROM reg.sheet sh JOIN reg.registration r ON r.id = sh.registration_id JOIN reg.room ro ON ro.id = r.room_id
			JOIN reg.sheet_layout l ON l.id = sh.layout_id JOIN (SELECT 'A' AS room, '$2' AS size UNION ALL SELECT 'B', '$3') x
			ON x.room = ro.code
			WHERE printf('%.2f x %.2f', json_extract(l.layout, '$.width'), json_extract(l.layout, '$.height')) <> x.size;
		SELECT 'sheet ' || r.exam_number || ' page ' || sh.page || ': layout says page '
			|| json_extract(l.layout, '$.page') || ' of ' || json_extract(l.layout, '$.pages')
			FROM reg.sheet sh JOIN reg.registration r ON r.id = sh.registration_id JOIN reg.sheet_layout l ON l.id = sh.layout_id
			WHERE json_extract(l.layout, '$.page') <> sh.page
			OR json_extract(l.layout, '$.pages') <> (SELECT count(*) FROM reg.sheet s2 WHERE s2.registration_id = sh.registration_id);
		SELECT 'not on the sheet: ' || exam_number || ' question ' || number || ' ' || section || ' ' || kind || ' ' || noptions
			FROM (SELECT exam_number, number, section, kind, noptions FROM pitem
			      EXCEPT SELECT exam_number, number, section, kind, nb FROM q);
		SELECT 'not on the paper: ' || exam_number || ' question ' || number || ' ' || section || ' ' || kind || ' ' || nb
			FROM (SELECT exam_number, number, section, kind, nb FROM q
			      EXCEPT SELECT exam_number, number, section, kind, noptions FROM pitem);
		SELECT 'question ' || number || ' twice on the sheets of ' || exam_number FROM q GROUP BY exam_number, number HAVING count(*) > 1;
		SELECT 'question ' || number || ' of ' || exam_number || ': marks ' || group_concat(mark, '')
			FROM (SELECT * FROM b ORDER BY k) GROUP BY exam_number, number, kind, nb
			HAVING group_concat(mark, '') <> CASE kind WHEN 'tf' THEN 'OX' ELSE substr('ABCDE', 1, nb) END;
		SELECT 'layout ' || layout_id || ': bubble ' || number || mark || ' outside the page'
			FROM b WHERE r <= 0 OR x - r < 0 OR y - r < 0 OR x + r > w OR y + r > h;
		SELECT 'layout ' || l.id || ': ' || f.key || ' outside the page' FROM reg.sheet_layout l,
			json_each(l.layout, '$') f WHERE f.key IN ('fiducials', 'qr') AND EXISTS (
				SELECT 1 FROM json_each(CASE f.key WHEN 'qr' THEN json_array(f.value) ELSE f.value END) m
				WHERE json_extract(m.value, '$.x') < 0 OR json_extract(m.value, '$.y') < 0
				OR json_extract(m.value, '$.x') + json_extract(m.value, '$.size') > json_extract(l.layout, '$.width')
				OR json_extract(m.value, '$.y') + json_extract(m.value, '$.size') > json_extract(l.layout, '$.height'));
		SELECT 'layout ' || b1.layout_id || ': bubbles ' || b1.number || b1.mark || ' and ' || b2.number || b2.mark || ' touch'
			FROM (SELECT DISTINCT layout_id, number, k, mark, x, y, r FROM b) b1
			JOIN (SELECT DISTINCT layout_id, number, k, mark, x, y, r FROM b) b2
			ON b1.layout_id = b2.layout_id AND (b1.number, b1.k) < (b2.number, b2.k)
			WHERE (b1.x - b2.x) * (b1.x - b2.x) + (b1.y - b2.y) * (b1.y - b2.y) < (b1.r + b2.r) * (b1.r + b2.r);" >"$WORK/layouts"
	same_text "$WORK/layouts" "sheet rows: $1, sheet pages: $1"
}
sheet_pages=0
for no in $(regs); do sheet_pages=$((sheet_pages + spages[$no])); done
layouts_ok $sheet_pages "595.28 x 841.89" "595.28 x 841.89"
# The README's promise: sheets with the same rows share a layout.
(($(count "SELECT count(*) FROM sheet_layout") < sheet_pages)) || fail "every sheet has a layout of its own"
consistent

# ---- a reprint carries the same codes ----
first=$(regs A | head -1)
a_sheets=0
for no in $(regs A); do a_sheets=$((a_sheets + spages[$no])); done
run 0 print sheets --sitting $SIT --room A --out "$WORK/again"
same_text "$WORK/out" "$SIT: 18 files, $a_sheets pages in $WORK/again"
[[ $(qr "$WORK/again/sheets/$first.pdf" 1) == "${payload_of[$first:1]}" ]] || fail "a reprinted sheet has another code"
[[ $(find "$WORK/again" -type f | wc -l) == 18 ]] || fail "--room A printed another room"
[[ -z $(find "$WORK/again" -name "$(regs B | head -1).pdf") ]] || fail "--room A printed room B"
layouts_ok $sheet_pages "595.28 x 841.89" "595.28 x 841.89"

# ---- --room: one room's booklets; --page-size B5 (JIS B5, 182 x 257 mm) ----
run 0 print booklets --sitting $SIT --room B --out "$WORK/roomB"
same_text <(ls "$WORK/roomB/booklets" | sed 's/\.pdf$//') "$(regs B | sort)"
run 0 print booklets --sitting $SIT --room B --bundle --page-size B5 --out "$WORK/b5"
f="$WORK/b5/papers-B.pdf"
[[ $(find "$WORK/b5" -type f) == "$f" ]] || fail "--room B --bundle wrote more than papers-B.pdf"
pdf_ok "$f"
n=$(pages "$f")
[[ $(pdfinfo -f 1 -l "$n" "$f" | grep -c "^Page *[0-9]* size: *515.9[0-9]* x 728.5[0-9]* pts") == "$n" ]] ||
	{ pdfinfo -f 1 -l "$n" "$f" | grep size >&2; fail "$f: not every page is B5"; }
# The first sheet page of the bundle still scans, with the same code.
b=$(regs B | head -1)
page_lines "$f" >"$WORK/b5-pages"
p=$(grep -n -m1 "Answer Sheet" "$WORK/b5-pages" | cut -d: -f1)
[[ -n "$p" ]] || fail "$f has no answer sheet"
[[ $(qr "$f" "$p") == "${payload_of[$b:1]}" ]] || fail "the B5 sheet of $b has another code"
layouts_ok $sheet_pages "595.28 x 841.89" "515.91 x 728.50"

# ---- failures: a clear message, no file, nothing changed ----
# A sitting whose papers were never built.
sk sitting create --code 2027-01-HAN --date 2027-01-17 --time 09:30 --venue HAN1 --test MM1 \
	--fee 600000 --currency VND >/dev/null
for ref in $(sed -n '32,33p' "$WORK/c.csv" | cut -d, -f1); do
	sk register add --candidate "$ref" --sitting 2027-01-HAN --test MM1 --room A >/dev/null
done
nopaper=$(sqlite3 "$DB" "SELECT r.exam_number FROM registration r JOIN sitting s ON s.id = r.sitting_id
	JOIN room ro ON ro.id = r.room_id WHERE s.code = '2027-01-HAN' ORDER BY r.seat_row, r.seat_col LIMIT 1")
for args in "booklets" "booklets --bundle" "sheets" "sheets --bundle"; do
	snapshot nopaper
	# shellcheck disable=SC2086
	run 1 print $args --sitting 2027-01-HAN --out "$WORK/nopaper"
	contains "$WORK/err" "shiken: $nopaper has no paper yet"
	contains "$WORK/err" "shiken: 2 registrations have no paper: run 'shiken paper build --sitting 2027-01-HAN' first; nothing was printed"
	[[ $(wc -l <"$WORK/err") == 3 ]] || fail "print $args: one line per missing paper and a summary expected"
	[[ -z $(find "$WORK/nopaper" -type f 2>/dev/null) ]] || fail "print $args without papers left a file"
	unchanged_since nopaper
done
# Papers built, then one more registration: nothing is printed, not the
# files up to it (one file per candidate would otherwise stop half-way).
sk paper build --sitting 2027-01-HAN >/dev/null
late=$(sed -n '2p' "$WORK/c.csv" | cut -d, -f1)
sk register add --candidate "$late" --sitting 2027-01-HAN --test MM1 --room A >/dev/null
late_no=$(sqlite3 "$DB" "SELECT r.exam_number FROM registration r JOIN candidate c ON c.id = r.candidate_id
	WHERE c.reference = '$late' AND r.exam_number LIKE '0002-%'")
snapshot late
run 1 print booklets --sitting 2027-01-HAN --out "$WORK/late"
contains "$WORK/err" "shiken: $late_no has no paper yet"
contains "$WORK/err" "shiken: 1 registrations have no paper"
[[ -z $(find "$WORK/late" -type f 2>/dev/null) ]] || fail "booklets printed while one paper is missing"
unchanged_since late
refused 1 "shiken: no sitting 'NOPE'" print booklets --sitting NOPE --out "$WORK/bad"
refused 1 "shiken: venue 'HAN1' of sitting '$SIT' has no room 'Z'" print booklets --sitting $SIT --room Z --out "$WORK/bad"
refused 1 "shiken: no sitting 'NOPE'" print sheets --sitting NOPE --bundle --out "$WORK/bad"
refused_usage "shiken: 'A5' is not a page size (A4, A3, B4, B5, Letter)" \
	print booklets --sitting $SIT --page-size A5 --out "$WORK/bad"
refused_usage "shiken: 'a4x' is not a page size (A4, A3, B4, B5, Letter)" \
	print sheets --sitting $SIT --page-size a4x --out "$WORK/bad"
refused_usage "shiken: give --sitting S" print booklets --bundle --out "$WORK/bad"
refused_usage "shiken: --unpaid is for tickets" print booklets --sitting $SIT --unpaid --out "$WORK/bad"
[[ -z $(find "$WORK/bad" -type f 2>/dev/null) ]] || fail "a refused print left a file"
consistent
echo ok
