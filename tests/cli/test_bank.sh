# shiken bank import|export, item list|show|review|retire, blueprint, form:
# bad bank rows are each named and nothing is imported; the review rules
# (authors never approve their own items; a new version starts over); the
# export round-trips exactly with sealed keys; forms satisfy the blueprint,
# share only anchors and respect enemy groups; a short bank is named cell by
# cell.
source "$(dirname "$0")/lib.sh"
DATA="$TESTS_DIR/data/bank"
ASSETS=$(realpath "$TESTS_DIR/../assets/bank")
fresh_db

# ---- bad rows: every problem named, nothing imported ----
cp "$DATA/bad.csv" "$WORK/bad.csv"
snapshot bad
run 1 bank import bad.csv
same_text "$WORK/err" "bad.csv:2: stem: malformed furigana at character 1: '{' without a closing '}'
bad.csv:3: stem: malformed furigana at character 3: '|' outside {base|reading} (write ｜ for a literal bar)
bad.csv:4: stem: malformed furigana at character 1: furigana markup lacks '|' between base and reading
bad.csv:5: stem: malformed furigana at character 5: a furigana reading must be kana
bad.csv:6: option_a: a ○× item has no options
bad.csv:7: option_c: a multiple-choice item needs 3 to 5 options
bad.csv:8: key: 'D' is not one of the options (A-C)
bad.csv:9: kind: section 'gakka' takes tf items, not mc
bad.csv:10: key: 'Y' is not O (○) or X (×)
bad.csv:10: difficulty: '6' is not a difficulty from 1 to 5
bad.csv:10: fixed_order: 'maybe' is not yes or no
bad.csv:10: author: is empty
bad.csv:11: test: no test 'XX9' (see 'shiken test list')
bad.csv:12: figure: cannot read 'nofile.png': No such file or directory
bad.csv:13: option_a: options must be filled from A without gaps
shiken: bad.csv: rows with errors: 12 of 13; nothing was changed"
unchanged_since bad
consistent

# ---- a good file; the same file again changes nothing ----
cp "$DATA/good.csv" "$WORK/good.csv"
run 0 bank import good.csv
same_text "$WORK/out" "good.csv: 3 rows; items: 3 added, 0 updated, 0 unchanged"
run 0 bank import good.csv
same_text "$WORK/out" "good.csv: 3 rows; items: 0 added, 0 updated, 3 unchanged"
# Keys are sealed in the database: no plain key next to the item.
[[ $(count "SELECT count(*) FROM item_version WHERE key_enc IN (CAST('O' AS BLOB), CAST('B' AS BLOB))") == 0 ]] ||
	fail "a key is stored in plain"
run 0 item show T-G-001
contains "$WORK/out" "回転(かいてん)する機械の作業では手袋を着用しない。"
lacks "$WORK/out" "key:"
contains "$WORK/out" "approvals: 0, rejections: 0, needed: 2"
run 0 item show T-G-001 --with-key
contains "$WORK/out" "key: ○"
[[ $(count "SELECT count(*) FROM audit WHERE entity = 'item' AND entity_key = 'T-G-001' AND action = 'show key'") == 1 ]] ||
	fail "showing a key is not audited"

# ---- reviews ----
run 1 item review T-G-001 --by "佐藤 健一" --approve
same_text "$WORK/err" "shiken: '佐藤 健一' wrote item 'T-G-001' and cannot review it"
run 0 item review T-G-001 --by "鈴木 美和" --approve
same_text "$WORK/out" "T-G-001 v1: review recorded; status reviewed (1 approvals)"
run 0 item review T-G-001 --by "鈴木 美和" --approve
same_text "$WORK/out" "T-G-001 v1: review unchanged; status reviewed (1 approvals)"
run 0 item review T-G-001 --by "高橋 誠" --approve --comment "問題なし"
same_text "$WORK/out" "T-G-001 v1: review recorded; status approved (2 approvals)"
run 2 item review T-G-001 --by "高橋 誠" --approve --reject
run 0 config set review.approvals 3
run 0 item show T-G-001 --json
[[ $(sqlite3 :memory: "SELECT json_extract(readfile('$WORK/out'), '\$.status')") == reviewed ]] ||
	fail "three approvals needed now"
run 0 config set review.approvals 2
# A rejection keeps an item out even with two approvals.
run 0 item review T-G-002 --by "佐藤 健一" --approve
run 0 item review T-G-002 --by "高橋 誠" --approve
run 0 item review T-G-002 --by "田中 雅之" --reject --comment "「のみ」が紛らわしい"
run 0 item list --status approved
contains "$WORK/out" "T-G-001"
lacks "$WORK/out" "T-G-002"
# Reviews from a file: a bad row is named, nothing recorded.
printf 'item,reviewer,decision,comment\nT-J-001,鈴木 美和,approve,\nT-J-001,高橋 誠,approve,自分の問題\nT-X-999,鈴木 美和,approve,\nT-J-001,佐藤 健一,maybe,\n' >"$WORK/r.csv"
snapshot reviews
run 1 item review --from r.csv
same_text "$WORK/err" "r.csv:3: reviewer: item 'T-J-001' was written by this reviewer, who cannot review it
r.csv:4: item: no item 'T-X-999'
r.csv:5: decision: 'maybe' is not approve or reject
shiken: r.csv: rows with errors: 3 of 4; nothing was changed"
unchanged_since reviews

# ---- a changed item makes a new version with no approvals ----
sed 's/手袋を着用しない。/手袋を着用してはならない。/' "$WORK/good.csv" >"$WORK/good2.csv"
run 0 bank import good2.csv
same_text "$WORK/out" "good2.csv: 3 rows; items: 0 added, 1 updated, 2 unchanged"
run 0 item show T-G-001 --json
[[ $(sqlite3 :memory: "SELECT json_extract(readfile('$WORK/out'), '\$.version') || ' ' || json_extract(readfile('$WORK/out'), '\$.status') || ' ' || json_extract(readfile('$WORK/out'), '\$.approvals')") == "2 draft 0" ]] ||
	fail "a new version starts with no approvals: $(cat "$WORK/out")"
run 0 item show T-G-001 --version 1
contains "$WORK/out" "手袋を着用しない。"
contains "$WORK/out" "approved"
[[ $(count "SELECT detail FROM audit WHERE entity = 'item' AND entity_key = 'T-G-001' AND action = 'version 2'") == \
	'{"stem":["{回転|かいてん}する機械の作業では手袋を着用しない。","{回転|かいてん}する機械の作業では手袋を着用してはならない。"]}' ]] ||
	fail "the new version's audit record"

# ---- export round-trips exactly; keys stay sealed ----
mkdir -p "$WORK/x"
run 0 bank export --out "$WORK/x/bank.csv"
lacks "$WORK/x/bank.csv" ",O,"
lacks "$WORK/x/bank.csv" ",B,"
contains "$WORK/x/bank.csv" "sealed:"
run 0 bank import "$WORK/x/bank.csv"
same_text "$WORK/out" "$WORK/x/bank.csv: 3 rows; items: 0 added, 0 updated, 3 unchanged"
run 0 bank export --out "$WORK/x/bank2.csv"
cmp "$WORK/x/bank.csv" "$WORK/x/bank2.csv" || fail "a second export differs from the first"
# Another registry cannot open the sealed keys.
"$SHIKEN" --db "$WORK/other.db" init >/dev/null
run 1 --db "$WORK/other.db" bank import "$WORK/x/bank.csv"
contains "$WORK/err" "key: the sealed key does not open with this registry's key file"

# ---- retire ----
run 0 item retire T-J-001 --reason "図が必要"
run 1 item retire T-J-001 --reason again
same_text "$WORK/err" "shiken: item 'T-J-001' is already retired"
run 1 item review T-J-001 --by "鈴木 美和" --approve
same_text "$WORK/err" "shiken: item 'T-J-001' is retired"
consistent

# ---- the sample bank: six forms for MM1 with five anchors ----
fresh_db
run 0 bank import "$ASSETS/MM1.csv"
run 0 item review --from "$ASSETS/reviews-MM1.csv"
run 0 blueprint import "$ASSETS/blueprints.csv"
run 0 blueprint show --test MM1
contains "$WORK/out" "30 items a form"
run 0 form build --test MM1 --count 6 --anchors 5 --seed 7
[[ $(grep -c "^built MM1-F0[1-6]: 30 items (5 anchors)" "$WORK/out") == 6 ]] || fail "six forms of 30 with 5 anchors"
# Blueprint satisfied exactly on every form.
bad=$(sqlite3 "$DB" "
	SELECT f.code, b.cell, b.band, b.count, count(fi.item_version_id) FROM form f
	JOIN blueprint b ON b.test_id = f.test_id
	LEFT JOIN form_item fi ON fi.form_id = f.id AND fi.section_id = b.section_id
	LEFT JOIN item_version v ON v.id = fi.item_version_id AND v.cell = b.cell
	  AND (CASE WHEN v.difficulty <= 2 THEN 'easy' WHEN v.difficulty = 3 THEN 'medium' ELSE 'hard' END) = b.band
	WHERE v.id IS NOT NULL OR fi.item_version_id IS NULL
	GROUP BY f.id, b.section_id, b.cell, b.band HAVING count(v.id) <> b.count")
[[ -z "$bad" ]] || fail "a form misses its blueprint: $bad"
# Only the anchors are shared, and every form has all five.
[[ $(count "SELECT count(*) FROM (SELECT item_version_id FROM form_item GROUP BY item_version_id HAVING count(*) > 1 AND count(*) < 6)") == 0 ]] ||
	fail "an item is shared by some forms but not all"
[[ $(count "SELECT count(*) FROM (SELECT item_version_id FROM form_item GROUP BY item_version_id HAVING count(*) = 6)") == 5 ]] ||
	fail "five anchors on every form"
[[ $(count "SELECT count(*) FROM form_item WHERE anchor") == 30 ]] || fail "anchors flagged"
# No two items of one enemy group on one form.
[[ $(count "SELECT count(*) FROM (SELECT fi.form_id, v.enemy_group FROM form_item fi JOIN item_version v ON v.id = fi.item_version_id WHERE v.enemy_group IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1)") == 0 ]] ||
	fail "two items of one enemy group on a form"
# Mean difficulty within the stated tolerance.
spread=$(count "SELECT round(max(mean_difficulty) - min(mean_difficulty), 6) <= 0.25 FROM form")
[[ "$spread" == 1 ]] || fail "forms differ in mean difficulty by more than 0.25"
# Deterministic for a seed: the same build elsewhere gives the same forms.
sqlite3 "$DB" "SELECT f.code, i.code FROM form f JOIN form_item fi ON fi.form_id = f.id JOIN item_version v ON v.id = fi.item_version_id JOIN item i ON i.id = v.item_id ORDER BY 1, 2" >"$WORK/forms1"
cp "$DB" "$WORK/second.db"; cp "$DB.key" "$WORK/second.db.key"
sqlite3 "$WORK/second.db" "PRAGMA foreign_keys = OFF; DROP TRIGGER form_locked_delete; DELETE FROM form_item; DELETE FROM form;"
run 0 --db "$WORK/second.db" form build --test MM1 --count 6 --anchors 5 --seed 7
sqlite3 "$WORK/second.db" "SELECT f.code, i.code FROM form f JOIN form_item fi ON fi.form_id = f.id JOIN item_version v ON v.id = fi.item_version_id JOIN item i ON i.id = v.item_id ORDER BY 1, 2" >"$WORK/forms2"
cmp -s "$WORK/forms1" "$WORK/forms2" || fail "the same seed gave other forms"
# A short bank: every short cell named with how many it lacks; nothing built.
snapshot short
run 1 form build --test MM1 --count 8
contains "$WORK/err" "MM1: gakka/safety/easy: the forms need 16 approved items here, the bank has 14: 2 short"
contains "$WORK/err" "shiken: no forms were built for MM1"
unchanged_since short
run 1 form build --test EE1 --count 2
contains "$WORK/err" "EE1: gakka/safety/easy: the forms need 4 approved items here, the bank has 0: 4 short"
# Locked forms never change.
run 0 form lock MM1-F01
run 1 form lock MM1-F01
same_text "$WORK/err" "shiken: form 'MM1-F01' is already locked"
if sqlite3 "$DB" "DELETE FROM form_item WHERE form_id = (SELECT id FROM form WHERE code = 'MM1-F01')" 2>/dev/null; then
	fail "a locked form's items could be deleted"
fi
# The public sample form.
run 0 form sample --test MM1
contains "$WORK/out" "built the sample form MM1-S07"
consistent
echo ok
