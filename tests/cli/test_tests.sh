# shiken test list|show|import: the six seeded manufacturing tests, and new
# tests from CSV (one row per section), which never change once created.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/cli/registry.sh"

fresh_db

# ---- the seeded tests, as a script reads them ----
run 0 test list --json
[[ $(json "$WORK/out" '$[#-1].code') == ST2 && $(json "$WORK/out" '$[6]') == "" ]] ||
	fail "there are not six tests"
[[ $(json "$WORK/out" '$[0].code') == EE1 ]] || fail "tests are not ordered by level, then code"
i=0
for code in EE1 MM1 ST1 EE2 MM2 ST2; do
	t="\$[$i]"
	[[ $(json "$WORK/out" "$t.code") == "$code" ]] || fail "test $i is not $code"
	level=${code:2:1}
	[[ $(json "$WORK/out" "$t.level") == "$level" ]] || fail "$code: level"
	[[ $(json "$WORK/out" "$t.min_age") == '{"*":17,"ID":18}' ]] || fail "$code: age rules"
	if [[ $level == 1 ]]; then
		[[ $(json "$WORK/out" "$t.sections") == '[{"code":"gakka","name_ja":"学科","name_en":"Written","item_kind":"tf","pass_percent":65,"time_limit_min":30},{"code":"jitsugi","name_ja":"実技","name_en":"Practical","item_kind":"mc","pass_percent":60,"time_limit_min":40}]' ]] ||
			fail "$code: sections"
	else
		[[ $(json "$WORK/out" "$t.sections") == '[{"code":"jitsugi","name_ja":"実技","name_en":"Practical","item_kind":"mc","pass_percent":60,"time_limit_min":60}]' ]] ||
			fail "$code: sections"
	fi
	i=$((i + 1))
done
[[ $(json "$WORK/out" '$[1].category_ja') == 機械金属加工 ]] || fail "MM1 category"
[[ $(json "$WORK/out" '$[2].category_en') == "Metal Surface Treatment" ]] || fail "ST1 category"

run 0 test show MM1
same_text "$WORK/out" "MM1  機械金属加工 1号 / Machining and Metalworking, level 1
  1. 学科 / Written  [tf]  pass mark 65%  time limit 30 min
  2. 実技 / Practical  [mc]  pass mark 60%  time limit 40 min
  minimum age 17
  minimum age 18 (nationals of ID)
  passed when every section reaches its pass mark"
run 0 test show EE2 --json
[[ $(json "$WORK/out" '$.sections[0].pass_percent') == 60 ]] || fail "EE2 pass mark"
[[ $(json "$WORK/out" '$.sections[1]') == "" ]] || fail "EE2 has one section"
run 0 test list
contains "$WORK/out" "MM2   Machining and Metalworking                    level 2  Practical (multiple choice) ≥60% 60min                           17, ID:18"
run 1 test show XX9
same_text "$WORK/err" "shiken: test: no test 'XX9'"
run 2 test show
same_text <(head -1 "$WORK/err") "shiken: give a test code"

# ---- a new test: one row per section ----
cp "$DATA"/tests_*.csv "$WORK/"
audit_before=$(count "SELECT count(*) FROM audit")
run 0 test import tests_new.csv
same_text "$WORK/out" "tests_new.csv: 2 rows; sections: 2 added, 0 updated, 0 unchanged"
run 0 test show PM1 --json
same_text "$WORK/out" '{
  "code": "PM1",
  "category_ja": "プラスチック成形",
  "category_en": "Plastic Moulding",
  "level": 1,
  "sections": [
    {
      "code": "gakka",
      "name_ja": "学科",
      "name_en": "Written",
      "item_kind": "tf",
      "pass_percent": 65,
      "time_limit_min": 30
    },
    {
      "code": "jitsugi",
      "name_ja": "実技",
      "name_en": "Practical",
      "item_kind": "mc",
      "pass_percent": 60,
      "time_limit_min": 40
    }
  ],
  "min_age": {
    "*": 17,
    "ID": 18
  }
}'
[[ $(count "SELECT count(*) FROM audit") == $((audit_before + 1)) ]] || fail "one audit record per new test"
[[ $(count "SELECT action FROM audit WHERE entity = 'test' AND entity_key = 'PM1'") == create ]] ||
	fail "the new test is not audited"
consistent

# The same file again changes nothing.
snapshot same
run 0 test import tests_new.csv
same_text "$WORK/out" "tests_new.csv: 2 rows; sections: 0 added, 0 updated, 2 unchanged"
unchanged_since same

# A changed definition is refused: tests do not change under their sittings.
refused 1 "tests_changed.csv:2: test: test 'PM1' already exists with a different definition; tests do not change once created (use a new code)
shiken: tests_changed.csv: rows with errors: 2 of 2; nothing was changed" test import tests_changed.csv

# Rows of one test that disagree on what the test is.
refused 1 "tests_disagree.csv:3: test: describes test 'PM2' differently from line 2
tests_disagree.csv:5: test: describes test 'PM3' differently from line 4
shiken: tests_disagree.csv: rows with errors: 2 of 4; nothing was changed" test import tests_disagree.csv

# Bad values, every one named with its line and column.
refused 1 "tests_bad.csv:2: level: '3' is not 1 or 2 (1号 or 2号)
tests_bad.csv:3: pass_percent: '101' is not a whole percentage from 0 to 100
tests_bad.csv:4: item_kind: 'essay' is not tf (○×), mc (multiple choice) or scored
tests_bad.csv:5: time_limit_min: '0' is not a number of minutes from 1 to 600
tests_bad.csv:6: min_age_by_nationality: 'ID18' is not COUNTRY:AGE (like ID:18)
tests_bad.csv:7: min_age_by_nationality: 'XX:18' is not COUNTRY:AGE (like ID:18)
tests_bad.csv:8: min_age_by_nationality: 'ID:121' is not COUNTRY:AGE (like ID:18)
tests_bad.csv:9: test: 'PX8 B' is not a test code (1-12 letters, digits, '-', '_')
tests_bad.csv:9: pass_percent: '-1' is not a whole percentage from 0 to 100
tests_bad.csv:9: min_age: '200' is not an age from 0 to 120
shiken: tests_bad.csv: rows with errors: 8 of 9; nothing was changed" test import tests_bad.csv

# A section twice, and a missing column.
cat >dup.csv <<'EOF'
test,category_ja,category_en,level,section,section_ja,section_en,item_kind,pass_percent,time_limit_min
PD1,検査,Inspection,2,jitsugi,実技,Practical,mc,60,60
PD1,検査,Inspection,2,jitsugi,実技,Practical,mc,60,60
EOF
refused 1 "dup.csv:3: section: 'jitsugi' appears twice for this test
shiken: dup.csv: rows with errors: 1 of 2; nothing was changed" test import dup.csv
# Two ages for one nationality (ID and IDN are one country).
cat >twoages.csv <<'EOF'
test,category_ja,category_en,level,section,section_ja,section_en,item_kind,pass_percent,time_limit_min,min_age,min_age_by_nationality
PD3,検査,Inspection,2,jitsugi,実技,Practical,mc,60,60,17,ID:18 IDN:19
EOF
refused 1 "twoages.csv:2: min_age_by_nationality: 'IDN:19' gives a second age for the same country
shiken: twoages.csv: rows with errors: 1 of 1; nothing was changed" test import twoages.csv
printf 'test,category_ja,category_en,level,section\nPD2,検査,Inspection,2,jitsugi\n' >short.csv
snapshot short
run 1 test import short.csv
contains "$WORK/err" "short.csv:1: "
contains "$WORK/err" "section_ja"
unchanged_since short

# --dry-run checks everything and changes nothing.
cat >dry.csv <<'EOF'
test,category_ja,category_en,level,section,section_ja,section_en,item_kind,pass_percent,time_limit_min,min_age,min_age_by_nationality
PN2,検査,Inspection,2,jitsugi,実技,Practical,scored,70,90,18,ID:19 PH:18
EOF
snapshot dry
run 0 test import --dry-run dry.csv
same_text "$WORK/out" "dry.csv: 1 row; sections: 1 added, 0 updated, 0 unchanged
dry run: nothing was changed"
unchanged_since dry
run 0 test import dry.csv
run 0 test show PN2 --json
[[ $(json "$WORK/out" '$.min_age') == '{"*":18,"ID":19,"PH":18}' ]] || fail "age rules of PN2"
[[ $(json "$WORK/out" '$.sections[0].item_kind') == scored ]] || fail "PN2 is scored"

# Without a min_age the scheme's general 17 applies.
cat >noage.csv <<'EOF'
test,category_ja,category_en,level,section,section_ja,section_en,item_kind,pass_percent,time_limit_min
PN3,検査,Inspection,2,jitsugi,実技,Practical,mc,60,60
EOF
run 0 test import noage.csv
run 0 test show PN3 --json
[[ $(json "$WORK/out" '$.min_age') == '{"*":17}' ]] || fail "PN3 should default to 17"

# --skip-invalid: a test is added whole or not at all. A test missing the
# section whose row was bad could never be completed (tests do not change),
# so its good rows are left out too, and every row is accounted for.
cat >partial.csv <<'EOF'
test,category_ja,category_en,level,section,section_ja,section_en,item_kind,pass_percent,time_limit_min
PQ1,検査,Inspection,1,gakka,学科,Written,tf,65,30
PQ1,検査,Inspection,1,jitsugi,実技,Practical,mc,160,40
PQ2,検査,Inspection,2,jitsugi,実技,Practical,mc,60,60
EOF
run 0 test import --skip-invalid partial.csv
same_text "$WORK/out" "partial.csv: 3 rows; sections: 1 added, 0 updated, 0 unchanged; 2 rows rejected
rejected rows and their errors: partial.csv.rejects.csv"
same_text "$WORK/err" "partial.csv:3: pass_percent: '160' is not a whole percentage from 0 to 100
partial.csv:2: test: test 'PQ1' is left out: another of its rows has errors"
run 1 test show PQ1
same_text "$WORK/err" "shiken: test: no test 'PQ1'"
run 0 test show PQ2
[[ $(stat -c %a partial.csv.rejects.csv) == 600 ]] || fail "the rejects file is readable by others"
same_text partial.csv.rejects.csv "test,category_ja,category_en,level,section,section_ja,section_en,item_kind,pass_percent,time_limit_min,error
PQ1,検査,Inspection,1,gakka,学科,Written,tf,65,30,test: test 'PQ1' is left out: another of its rows has errors
PQ1,検査,Inspection,1,jitsugi,実技,Practical,mc,160,40,pass_percent: '160' is not a whole percentage from 0 to 100"
run 0 test import --skip-invalid tests_disagree.csv
same_text "$WORK/out" "tests_disagree.csv: 4 rows; sections: 0 added, 0 updated, 0 unchanged; 4 rows rejected
rejected rows and their errors: tests_disagree.csv.rejects.csv"
[[ $(($(wc -l <tests_disagree.csv.rejects.csv) - 1)) == 4 ]] || fail "every row of a refused test is in the rejects file"
consistent

# The table and the test list agree with the import.
run 0 test list
contains "$WORK/out" "PM1   Plastic Moulding"
echo ok
