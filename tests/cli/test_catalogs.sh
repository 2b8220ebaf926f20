# The message catalogs are complete: every message the sources mark for
# translation has a Japanese translation (not fuzzy), and a Japanese run
# really speaks Japanese. scripts/maint/update-po brings the catalogs up to
# date with the sources.
source "$(dirname "$0")/lib.sh"
ROOT=$(realpath "$TESTS_DIR/..")
command -v xgettext >/dev/null || fail "xgettext missing (scripts/setup installs gettext)"
cd "$ROOT"
mapfile -t sources < <(ls core/*.[ch] cli/*.[ch] exam/*.[ch] print/*.[ch] 2>/dev/null | sort)
xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ --output="$WORK/now.pot" "${sources[@]}"
for po in locales/*.po; do
	msgcmp "$po" "$WORK/now.pot" 2>"$WORK/missing" || {
		head -20 "$WORK/missing" >&2
		fail "$po lacks translations (run scripts/maint/update-po and translate)"
	}
	fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid' || true)
	[[ "$fuzzy" == 0 ]] || fail "$po has $fuzzy fuzzy translations"
done
cd "$WORK"
"$SHIKEN" --lang ja help >"$WORK/out"
contains "$WORK/out" "コマンド:"
"$SHIKEN" --lang ja --db "$WORK/none.db" candidate list >"$WORK/out" 2>"$WORK/err" || true
grep -qP '[\x{3040}-\x{30FF}\x{4E00}-\x{9FFF}]' "$WORK/err" || fail "a Japanese error message is not in Japanese: $(cat "$WORK/err")"
LANGUAGE=ja "$SHIKEN" help >"$WORK/out"
contains "$WORK/out" "コマンド:"
echo ok
