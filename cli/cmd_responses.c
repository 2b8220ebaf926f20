/* shiken responses import|show, shiken scores import */
#include "cli/cli.h"
#include "core/db.h"
#include "core/error.h"
#include "exam/paper.h"
#include "exam/response.h"

#include <string.h>

static const char usage[] =
	N_("usage: shiken responses import|show ...\n"
	   "\n"
	   "  import FILE.csv   the answer-sheet marks an OMR service read (see README)\n"
	   "  show EXAMNO       the marks of one answer sheet, question by question\n");
static const char usage_import[] =
	N_("usage: shiken responses import FILE.csv [--replace] [--encoding E] [--ignore-unknown]\n"
	   "                                [--skip-invalid] [--dry-run]\n"
	   "\n"
	   "Each row is one answer sheet: exam_number, paper_code, then the mark read at\n"
	   "each printed question, in columns 1, 2, ... (or q1, q2, ...): O or X for\n"
	   "○×, A-E for multiple choice, empty when nothing was marked, several letters\n"
	   "(AC, A C, A/C) for several marks, * for marks that could not be told apart.\n"
	   "Every mark is checked against the candidate's own paper. A sheet imported\n"
	   "before with other marks is refused unless --replace (audited with the old\n"
	   "and new marks); the same marks again change nothing.\n");
static const char usage_show[] =
	N_("usage: shiken responses show EXAMNO [--json]\n"
	   "\n"
	   "The marks as read, per printed question with its section, and the paper code.\n");
static const char usage_scores[] =
	N_("usage: shiken scores import ...\n"
	   "\n"
	   "  import FILE.csv   section scores given by examiners (see README)\n");
static const char usage_scores_import[] =
	N_("usage: shiken scores import FILE.csv [--replace] [--encoding E] [--ignore-unknown]\n"
	   "                             [--skip-invalid] [--dry-run]\n"
	   "\n"
	   "Each row is the score of one candidate in one section graded by examiners\n"
	   "(item kind 'scored'): exam_number, section, points, max_points, examiners\n"
	   "(names separated by ';'), note (optional). A different score for one imported\n"
	   "before is refused unless --replace (audited); the same score again changes\n"
	   "nothing.\n");

/* --replace, taken out of argv (up to "--") before the shared import options
 * are parsed. */
static int take_replace(int *argc, char **argv)
{
	int replace = 0, out = 1, i;
	for (i = 1; i < *argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--replace"))
			replace = 1;
		else
			argv[out++] = argv[i];
	}
	for (; i < *argc; i++)
		argv[out++] = argv[i];
	if (out < *argc)
		argv[out] = NULL;
	*argc = out;
	return replace;
}

static int replace_flag;

static int import_sheets(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
			 struct sk_import_stats *stats, struct sk_report *rep)
{
	return sk_responses_import(db, path, opts, replace_flag, stats, rep);
}

static int import_scores(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
			 struct sk_import_stats *stats, struct sk_report *rep)
{
	return sk_scores_import(db, path, opts, replace_flag, stats, rep);
}

static int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct sk_import_opts opts;
	const char *file;
	replace_flag = take_replace(&argc, argv);
	int rc = cli_import_args(argc, argv, usage_import, &opts, &file);
	if (rc)
		return rc;
	return cli_import_run(cli, N_("answer sheets"), file, &opts, import_sheets);
}

static int cmd_scores_import(struct cli *cli, int argc, char **argv)
{
	struct sk_import_opts opts;
	const char *file;
	replace_flag = take_replace(&argc, argv);
	int rc = cli_import_args(argc, argv, usage_scores_import, &opts, &file);
	if (rc)
		return rc;
	return cli_import_run(cli, N_("section scores"), file, &opts, import_scores);
}

static int cmd_show(struct cli *cli, int argc, char **argv)
{
	const char *examno = NULL;
	int json = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!examno && argv[i][0] != '-')
			examno = argv[i];
		else
			return cli_bad_usage(usage_show, _("unexpected argument '%s'"), argv[i]);
	}
	if (!examno)
		return cli_bad_usage(usage_show, "%s", _("give an exam number"));
	unsigned char marks[SK_MARK_MAX_POSITIONS];
	size_t n;
	char code[16];
	int rc = sk_response_get(cli->db, examno, marks, &n, code);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	/* The sections as printed: from the candidate's paper. */
	struct sk_paper p;
	if ((rc = sk_paper_get(cli->db, examno, &p)))
		return cli_db_error(cli, rc, NULL);
	const char *section_of[SK_MARK_MAX_POSITIONS];
	int tf_of[SK_MARK_MAX_POSITIONS];
	size_t k = 0;
	for (int s = 0; s < p.nsections; s++)
		for (int i = 0; i < p.sections[s].nitems && k < SK_MARK_MAX_POSITIONS; i++, k++) {
			section_of[k] = p.sections[s].code;
			tf_of[k] = strcmp(p.sections[s].items[i].kind, "mc") != 0;
		}
	for (; k < SK_MARK_MAX_POSITIONS; k++) {
		section_of[k] = "";
		tf_of[k] = 0;
	}
	size_t blank = 0, several = 0;
	for (k = 0; k < n; k++) {
		if (!marks[k])
			blank++;
		else if (marks[k] == SK_MARK_UNCLEAR || (marks[k] & (marks[k] - 1)))
			several++;
	}
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "exam_number", json_string(p.exam_number));
		json_object_set_new(o, "sitting", json_string(p.sitting));
		json_object_set_new(o, "test", json_string(p.test));
		json_object_set_new(o, "paper_code", json_string(code));
		json_t *a = json_array();
		for (k = 0; k < n; k++) {
			char m[16];
			json_t *q = json_object();
			json_object_set_new(q, "number", json_integer((json_int_t)k + 1));
			json_object_set_new(q, "section", json_string(section_of[k]));
			json_object_set_new(q, "mark", json_string(sk_mark_format(marks[k], tf_of[k], m)));
			json_array_append_new(a, q);
		}
		json_object_set_new(o, "marks", a);
		json_object_set_new(o, "blank", json_integer((json_int_t)blank));
		json_object_set_new(o, "several", json_integer((json_int_t)several));
		cli_print_json(o);
		sk_paper_release(&p);
		return EXIT_OK;
	}
	printf("%s  %s  %s %s\n", p.exam_number, p.test, _("paper code"), code);
	static const char *headers[] = { N_("question"), N_("section"), N_("mark") };
	struct table t;
	table_init(&t, 3, headers);
	for (k = 0; k < n; k++) {
		char num[24], m[16];
		snprintf(num, sizeof(num), "%zu", k + 1);
		const char *row[] = { num, section_of[k], marks[k] ? sk_mark_format(marks[k], tf_of[k], m) : "-" };
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_release(&t);
	printf(_("%zu questions: %zu blank, %zu with several marks\n"), n, blank, several);
	sk_paper_release(&p);
	return EXIT_OK;
}

const struct subcmd responses_subs[] = {
	{ "import", cmd_import, usage_import },
	{ "show", cmd_show, usage_show },
	{ NULL, NULL, NULL },
};

const struct subcmd scores_subs[] = {
	{ "import", cmd_scores_import, usage_scores_import },
	{ NULL, NULL, NULL },
};

int cmd_responses(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, responses_subs, usage, argc, argv);
}

int cmd_scores(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, scores_subs, usage_scores, argc, argv);
}
