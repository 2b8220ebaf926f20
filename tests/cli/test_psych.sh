# Item analysis and reliability agree with an established implementation:
# R's psych package (Debian r-cran-psych; scripts/setup installs it). A
# sitting of 600 MM1 candidates on four forms is simulated, imported and
# graded; the scored responses are rebuilt here, independently of shiken's
# statistics, from the OMR file and each paper's key ('paper key --json',
# 'item show --with-key'); psych::alpha then gives each form's KR-20
# (raw_alpha of 0/1 items), the item-rest correlations (r.drop) and the
# facilities (item means), and psych::response.frequencies the share of
# each canonical option among those who answered. shiken's 'stats items'
# and 'stats forms' must agree to the third decimal.
source "$(dirname "$0")/lib.sh"
command -v Rscript >/dev/null || fail "Rscript missing (scripts/setup installs r-base-core and r-cran-psych)"
Rscript -e 'suppressMessages(library(psych))' 2>/dev/null || fail "R package psych missing (scripts/setup installs r-cran-psych)"
ASSETS=$(realpath "$TESTS_DIR/../assets/bank")
SIT=2026-12-PSY
N=600

fresh_db
sk bank import "$ASSETS/MM1.csv" >/dev/null
sk item review --from "$ASSETS/reviews-MM1.csv" >/dev/null
sk blueprint import "$ASSETS/blueprints.csv" >/dev/null
sk form build --test MM1 --count 4 --seed 5 >/dev/null
sk generate candidates --count $N --seed 12 --year 2026 --out "$WORK/c.csv" >/dev/null
sk candidate import "$WORK/c.csv" >/dev/null
sk venue add --code HALL --name Hall --country JP --city Tokyo --address 1-1 \
	--room A:20x10 --room B:20x10 --room C:20x10 >/dev/null
sk sitting create --code $SIT --date 2026-12-13 --time 09:30 --venue HALL --test MM1 --fee 100 --currency JPY >/dev/null
{
	echo "reference,sitting,test"
	sed -n "2,$((N + 1))p" "$WORK/c.csv" | cut -d, -f1 | awk -v s=$SIT '{ print $1 "," s ",MM1" }'
} >"$WORK/r.csv"
sk register import "$WORK/r.csv" >/dev/null
sk paper build --sitting $SIT >/dev/null
sk generate responses --sitting $SIT --seed 21 --absent 2 --out "$WORK/omr.csv" >/dev/null
sk responses import "$WORK/omr.csv" >/dev/null
sk grade --sitting $SIT >/dev/null

# ---- the scored responses, rebuilt here ----
C="$WORK/calc.db"
calc() { sqlite3 "$C" "$@"; }
calc "CREATE TABLE paper (exam TEXT, j TEXT); CREATE TABLE key (item TEXT PRIMARY KEY, key TEXT)"
sk result list --sitting $SIT --csv --out "$WORK/results.csv"
calc ".import --csv $WORK/results.csv res"
for no in $(calc "SELECT exam_number FROM res WHERE outcome IN ('pass', 'fail')"); do
	sk paper key "$no" --json >"$WORK/key.json"
	calc "INSERT INTO paper VALUES ('$no', CAST(readfile('$WORK/key.json') AS TEXT))"
done
calc "CREATE TABLE pos AS SELECT p.exam, p.j->>'form' AS form, s.value->>'section' AS section,
	i.value->>'number' AS number, i.value->>'item' AS item, i.value->'options' AS options
	FROM paper p, json_each(p.j, '\$.sections') s, json_each(s.value, '\$.items') i"
for item in $(calc "SELECT DISTINCT item FROM pos ORDER BY 1"); do
	sk item show "$item" --with-key --json >"$WORK/item.json"
	calc "INSERT INTO key VALUES ('$item', json_extract(CAST(readfile('$WORK/item.json') AS TEXT), '\$.key'))"
done
calc ".import --csv $WORK/omr.csv omr"
# choice: the canonical option as a number (A or ○ = 1 ...), empty for a
# blank, 9 for several marks; point: 1 for the key.
calc "CREATE TABLE mark AS SELECT p.exam, p.form, p.section, p.item, p.options,
	(SELECT value FROM json_each(json_array($(seq -s, 1 30 | sed 's/[0-9]*/o."&"/g'))) WHERE key = p.number - 1) AS m
	FROM omr o JOIN pos p ON p.exam = o.exam_number"
calc "CREATE TABLE scored AS SELECT m.exam, m.form, m.section, m.item,
	CASE WHEN m.m = '' THEN '' WHEN length(m.m) > 1 THEN '9' WHEN m.m = 'O' THEN '1' WHEN m.m = 'X' THEN '2'
	     ELSE unicode(json_extract(m.options, '\$[' || (unicode(m.m) - 65) || ']')) - 64 END AS choice,
	(length(m.m) = 1 AND CASE WHEN m.m IN ('O', 'X') THEN m.m = k.key
	     ELSE json_extract(m.options, '\$[' || (unicode(m.m) - 65) || ']') = k.key END) AS point
	FROM mark m JOIN key k ON k.item = m.item"
[[ $(calc "SELECT count(DISTINCT exam) FROM scored") -ge 500 ]] || fail "too few graded sheets"
calc -csv -header "SELECT exam, form, section, item, choice, point FROM scored ORDER BY exam, item" >"$WORK/scored.csv"

# ---- psych ----
cat >"$WORK/psych.R" <<'EOF'
suppressMessages(library(psych))
d <- read.csv(Sys.getenv("SCORED"), colClasses = c(choice = "character"))
out <- data.frame(what = character(), key = character(), value = numeric())
add <- function(what, key, value) out[nrow(out) + 1, ] <<- list(what, key, value)
for (f in unique(d$form)) for (s in unique(d$section[d$form == f])) {
	x <- d[d$form == f & d$section == s, ]
	w <- reshape(x[, c("exam", "item", "point")], idvar = "exam", timevar = "item", direction = "wide")
	m <- as.matrix(w[, -1])
	colnames(m) <- sub("^point\\.", "", colnames(m))
	a <- suppressWarnings(suppressMessages(alpha(as.data.frame(m), warnings = FALSE, check.keys = FALSE)))
	k <- ncol(m)
	add("kr20", paste(f, s), a$total$raw_alpha)
	add("mean", paste(f, s), k * a$total$mean)
	add("sd", paste(f, s), k * a$total$sd)
	add("sem", paste(f, s), k * a$total$sd * sqrt(1 - a$total$raw_alpha))
	for (i in colnames(m)) {
		add("p", i, a$item.stats[i, "mean"])
		add("r_rest", i, a$item.stats[i, "r.drop"])
	}
}
ch <- reshape(d[, c("exam", "item", "choice")], idvar = "exam", timevar = "item", direction = "wide")
ch <- data.frame(lapply(ch[, -1], function(v) as.numeric(ifelse(v == "", NA, v))), check.names = FALSE)
colnames(ch) <- sub("^choice\\.", "", colnames(ch))
rf <- response.frequencies(ch, uniqueitems = c(1:5, 9))
for (i in rownames(rf)) for (o in 1:5) add("share", paste(i, o), rf[i, as.character(o)])
write.csv(out, Sys.getenv("OUT"), row.names = FALSE)
EOF
SCORED="$WORK/scored.csv" OUT="$WORK/psych.csv" Rscript "$WORK/psych.R" || fail "R failed"
calc ".import --csv $WORK/psych.csv psych"
[[ $(calc "SELECT count(*) FROM psych WHERE what = 'kr20'") == 8 ]] || fail "four forms of two sections from psych"

# ---- shiken ----
sk stats items --test MM1 --sitting $SIT --json --out "$WORK/items.json"
sk stats forms --test MM1 --sitting $SIT --json --out "$WORK/forms.json"
calc "CREATE TABLE mine (what TEXT, key TEXT, value REAL)"
calc "INSERT INTO mine SELECT w.what, f.value->>'form' || ' ' || (f.value->>'section'), f.value->>w.what
	FROM json_each(CAST(readfile('$WORK/forms.json') AS TEXT), '\$.forms') f,
	(SELECT 'kr20' AS what UNION SELECT 'mean' UNION SELECT 'sd' UNION SELECT 'sem') w"
calc "INSERT INTO mine SELECT w.what, i.value->>'item', i.value->>w.what
	FROM json_each(CAST(readfile('$WORK/items.json') AS TEXT), '\$.items') i,
	(SELECT 'p' AS what UNION SELECT 'r_rest') w"
# share among those who answered, as response.frequencies counts it
calc "INSERT INTO mine SELECT 'share', i.value->>'item' || ' ' || (o.key + 1),
	1.0 * (o.value->>'count') / ((i.value->>'n') - (i.value->>'omit'))
	FROM json_each(CAST(readfile('$WORK/items.json') AS TEXT), '\$.items') i, json_each(i.value, '\$.options') o"

# Every figure psych gives has its counterpart, within 0.0005.
calc "SELECT what, count(*) FROM psych WHERE value != 'NA' GROUP BY what" | tr '\n' ' '
echo
missing=$(calc "SELECT p.what || ' ' || p.key FROM psych p LEFT JOIN mine m ON m.what = p.what AND m.key = p.key
	WHERE p.value != 'NA' AND m.value IS NULL AND NOT (p.what = 'share' AND p.value = 0)")
[[ -z "$missing" ]] || fail "figures psych has and shiken not: $(echo "$missing" | head -5)"
off=$(calc "SELECT p.what || ' ' || p.key || ': psych ' || p.value || ', shiken ' || m.value FROM psych p
	JOIN mine m ON m.what = p.what AND m.key = p.key WHERE p.value != 'NA' AND abs(p.value - m.value) >= 0.0005")
[[ -z "$off" ]] || fail "disagreement with psych beyond the third decimal: $(echo "$off" | head -5)"
compared=$(calc "SELECT count(*) FROM psych p JOIN mine m ON m.what = p.what AND m.key = p.key WHERE p.value != 'NA'")
(( compared > 500 )) || fail "only $compared figures compared"
# Where psych has no correlation (an item everyone got right), neither has shiken.
[[ $(calc "SELECT count(*) FROM psych p JOIN mine m ON m.what = p.what AND m.key = p.key
	WHERE p.what = 'r_rest' AND p.value = 'NA' AND m.value IS NOT NULL") == 0 ]] || fail "a correlation without variance"
echo "agree with psych on $compared figures; largest difference $(calc "SELECT printf('%.2g', max(abs(p.value - m.value)))
	FROM psych p JOIN mine m ON m.what = p.what AND m.key = p.key WHERE p.value != 'NA'")"
echo ok
