/* shiken grade --sitting S [--dry-run] [--confirm] */
#include "cli/cli.h"
#include "core/db.h"
#include "core/error.h"
#include "exam/grade.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken grade --sitting S [--dry-run] [--confirm]\n"
	   "\n"
	   "Grade every registration of the sitting against its own paper: answer-sheet\n"
	   "marks are mapped back through the paper to the canonical items and options,\n"
	   "examiners' scores are taken as they are, and each section is passed at or\n"
	   "above its pass mark; the test is passed when every section is. A disqualifying\n"
	   "incident makes the result 'disqualified'; nothing back at all, 'absent'.\n"
	   "\n"
	   "First results are written at once. Results that would change (after a key\n"
	   "correction, new answer sheets or scores, a late incident) are listed, and\n"
	   "written only with --confirm. --dry-run writes nothing. Grading again with\n"
	   "nothing new changes nothing.\n"
	   "\n"
	   "Exit status: 0 when every result is graded and written; 1 when changes await\n"
	   "--confirm, or registrations could not be graded (each is named).\n");

static const char *outcome_text(const char *o)
{
	if (!strcmp(o, "pass"))
		return _("pass");
	if (!strcmp(o, "fail"))
		return _("fail");
	if (!strcmp(o, "absent"))
		return _("absent");
	if (!strcmp(o, "disqualified"))
		return _("disqualified");
	return o;
}

static int print_change(void *payload, const struct sk_grade_change *c)
{
	(void)payload;
	printf("%s: %s → %s: %s\n", c->after.exam_number, outcome_text(c->before.outcome),
	       outcome_text(c->after.outcome), c->why);
	return 0;
}

static void print_counts(const struct sk_grade_count *counts, size_t n)
{
	static const char *headers[] = { N_("test"), N_("candidates"), N_("present"), N_("pass"), N_("fail"),
					 N_("absent"), N_("disqualified"), N_("pass rate") };
	struct table t;
	table_init(&t, 8, headers);
	for (size_t i = 0; i < n; i++) {
		const struct sk_grade_count *c = &counts[i];
		char v[7][32];
		snprintf(v[0], sizeof(v[0]), "%zu", c->candidates);
		snprintf(v[1], sizeof(v[1]), "%zu", c->present);
		snprintf(v[2], sizeof(v[2]), "%zu", c->pass);
		snprintf(v[3], sizeof(v[3]), "%zu", c->fail);
		snprintf(v[4], sizeof(v[4]), "%zu", c->absent);
		snprintf(v[5], sizeof(v[5]), "%zu", c->disqualified);
		if (c->present)
			snprintf(v[6], sizeof(v[6]), "%.1f %%", 100.0 * (double)c->pass / (double)c->present);
		else
			snprintf(v[6], sizeof(v[6]), "-");
		const char *row[] = { c->test, v[0], v[1], v[2], v[3], v[4], v[5], v[6] };
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_release(&t);
}

int cmd_grade(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' }, { "dry-run", no_argument, NULL, 'n' },
		{ "confirm", no_argument, NULL, 'c' },       { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sitting = NULL;
	int flags = 0;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sitting = optarg; break;
		case 'n': flags |= SK_GRADE_DRY_RUN; break;
		case 'c': flags |= SK_GRADE_CONFIRM; break;
		case 'h':
			cli_usage(stdout, usage);
			return EXIT_OK;
		case ':':
			return cli_bad_usage(usage, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage, _("unexpected argument '%s'"), argv[optind]);
	if (!sitting)
		return cli_bad_usage(usage, "%s", _("give --sitting S"));
	if ((flags & SK_GRADE_DRY_RUN) && (flags & SK_GRADE_CONFIRM))
		return cli_bad_usage(usage, "%s", _("give --dry-run or --confirm, not both"));

	struct sk_report rep = SK_REPORT_INIT;
	struct sk_grade_stats st;
	struct sk_grade_count counts[16];
	size_t ncounts = 16;
	int rc = sk_grade_sitting(cli->db, sitting, flags, print_change, NULL, &st, counts, &ncounts, &rep);
	cli_print_report(&rep);
	sk_report_release(&rep);
	if (rc)
		return cli_db_error(cli, rc, NULL);

	if (st.changed)
		putchar('\n');
	printf(_("%s: %zu registrations: %zu graded (%zu new, %zu changed, %zu unchanged)"), sitting,
	       st.registrations, st.graded, st.added, st.changed, st.unchanged);
	if (st.incomplete || st.mismatched)
		printf(_("; %zu not graded"), st.incomplete + st.mismatched);
	putchar('\n');
	print_counts(counts, ncounts);
	putchar('\n');
	if (st.run_id) {
		size_t written = st.added + (st.confirm_needed ? 0 : st.changed);
		printf(_("grading run %lld: %zu results written\n"), (long long)st.run_id, written);
	} else if (!(flags & SK_GRADE_DRY_RUN) && !st.changed && !st.added) {
		printf("%s\n", _("nothing new: no result changed"));
	}
	if (flags & SK_GRADE_DRY_RUN) {
		if (st.added)
			printf(_("%zu new results would be written\n"), st.added);
		printf("%s\n", _("dry run: nothing was written"));
	}
	if (st.changed)
		printf(_("of the changed results, %zu change outcome (pass, fail, absent, disqualified); the rest only points\n"),
		       st.flips);
	if (st.confirm_needed) {
		if (st.changed == 1)
			printf("%s\n", _("1 result would change; run again with --confirm to apply it"));
		else
			printf(_("%zu results would change; run again with --confirm to apply them\n"), st.changed);
	}
	if (st.incomplete || st.mismatched)
		cli_error(_("%s: %zu registrations could not be graded (see above)"), sitting,
			  st.incomplete + st.mismatched);
	return st.confirm_needed || st.incomplete || st.mismatched ? EXIT_FAIL : EXIT_OK;
}
