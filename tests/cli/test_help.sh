# Every command and every verb answers --help with its usage on stdout and
# exit 0, in English and Japanese, without needing a database (curl's
# test1139 habit: the table itself is walked, so a new command is covered).
source "$(dirname "$0")/lib.sh"

"$SHIKEN" help --all >"$WORK/commands"
[[ $(wc -l <"$WORK/commands") -gt 20 ]] || fail "help --all lists too few commands"
while read -r line; do
	for lang in en ja; do
		# shellcheck disable=SC2086
		if ! "$SHIKEN" --lang "$lang" --db "$WORK/none.db" $line --help >"$WORK/out" 2>"$WORK/err"; then
			cat "$WORK/err" >&2
			fail "'shiken $line --help' failed ($lang)"
		fi
		[[ -s "$WORK/out" ]] || fail "'shiken $line --help' printed nothing ($lang)"
		head -1 "$WORK/out" | grep -qE '^(usage|使い方)' || fail "'shiken $line --help' does not start with usage ($lang)"
		[[ ! -s "$WORK/err" ]] || fail "'shiken $line --help' wrote to stderr ($lang)"
	done
done <"$WORK/commands"
[[ ! -e "$WORK/none.db" ]] || fail "--help created a database"

# No arguments: the command list on stderr and exit 2; an unknown command: 2.
run 2
contains "$WORK/err" "Commands:"
run 2 frobnicate
contains "$WORK/err" "'frobnicate' is not a shiken command"
run 2 candidate frobnicate
contains "$WORK/err" "'candidate frobnicate' is not a shiken command"
run 0 --version
contains "$WORK/out" "shiken "
echo ok
