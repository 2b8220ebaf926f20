/* shiken ledger show|export: the candidate ledger (受験者台帳). */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/candidate.h"
#include "core/csv.h"
#include "core/db.h"
#include "core/error.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "core/text.h"
#include "exam/ledger.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken ledger show|export ...\n"
	   "\n"
	   "  show CANDIDATE   every attempt of one candidate, newest last\n"
	   "  export           the ledger as CSV (or JSON), one row per attempt\n");
static const char usage_show[] =
	N_("usage: shiken ledger show REFERENCE [--json]\n"
	   "\n"
	   "Every attempt of the candidate, oldest first: sitting, date, test, exam\n"
	   "number, each section's score against its pass mark, and the outcome\n"
	   "(pass, fail, absent, disqualified; pending until graded; cancelled).\n");
static const char usage_export[] =
	N_("usage: shiken ledger export [--sitting S] [--test T] [--outcome O] [--excel] [--json] [--out FILE]\n"
	   "\n"
	   "One row per attempt, by candidate reference then exam date, in the columns\n"
	   "the README documents: the candidate, the attempt, then section1,\n"
	   "section1_points, section1_max, section1_passed ... for as many sections as\n"
	   "the registry's largest test has, then outcome, graded_at, certificate.\n"
	   "--outcome is pass, fail, absent, disqualified, pending or cancelled.\n"
	   "--excel starts the file with a UTF-8 BOM so Excel reads it as UTF-8.\n"
	   "--out writes the file whole or not at all (default: standard output).\n");

static const char *const outcomes[] = { "pass", "fail", "absent", "disqualified", "pending", "cancelled", NULL };

static const char *outcome_word(const char *outcome)
{
	static const char *const words[] = { N_("pass"),	 N_("fail"),    N_("absent"),
					     N_("disqualified"), N_("pending"), N_("cancelled") };
	for (int i = 0; outcomes[i]; i++)
		if (!strcmp(outcome, outcomes[i]))
			return _(words[i]);
	return outcome;
}

/* The percentage shown beside a score, rounded down: a section shown at
 * 65 % against a 65 % pass mark really reached it. */
static int percent(int points, int max_points)
{
	return max_points > 0 ? (int)((long)points * 100 / max_points) : 0;
}

static json_t *sections_json(const struct sk_ledger_row *r)
{
	json_t *a = json_array();
	for (int i = 0; i < r->nsections; i++) {
		const struct sk_ledger_section *s = &r->sections[i];
		json_t *o = json_object();
		int scored = s->max_points > 0;
		json_object_set_new(o, "code", json_string(s->code));
		json_object_set_new(o, "name_ja", json_string(s->name_ja));
		json_object_set_new(o, "name_en", json_string(s->name_en));
		json_object_set_new(o, "pass_percent", json_integer(s->pass_percent));
		json_object_set_new(o, "points", scored ? json_integer(s->points) : json_null());
		json_object_set_new(o, "max_points", scored ? json_integer(s->max_points) : json_null());
		json_object_set_new(o, "percent", scored ? json_integer(percent(s->points, s->max_points)) : json_null());
		json_object_set_new(o, "passed", scored ? json_boolean(s->passed) : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* An attempt; with_candidate adds who it is (export), show gives that once. */
static json_t *attempt_json(const struct sk_ledger_row *r, int with_candidate)
{
	json_t *o = json_object();
	if (with_candidate) {
		json_object_set_new(o, "reference", json_string(r->reference));
		json_object_set_new(o, "family_name", json_string(r->family_name));
		json_object_set_new(o, "given_name", json_string(r->given_name));
		json_object_set_new(o, "date_of_birth", json_string(r->date_of_birth));
		json_object_set_new(o, "nationality", json_string(r->nationality));
	}
	json_object_set_new(o, "exam_number", json_string(r->exam_number));
	json_object_set_new(o, "sitting", json_string(r->sitting));
	json_object_set_new(o, "exam_date", json_string(r->exam_date));
	json_object_set_new(o, "test", json_string(r->test));
	json_object_set_new(o, "category_ja", json_string(r->category_ja));
	json_object_set_new(o, "category_en", json_string(r->category_en));
	json_object_set_new(o, "level", json_integer(r->level));
	json_object_set_new(o, "sections", sections_json(r));
	json_object_set_new(o, "outcome", json_string(r->outcome));
	json_object_set_new(o, "graded_at", str_or_null(r->graded_at));
	json_object_set_new(o, "run_id", r->run_id ? json_integer(r->run_id) : json_null());
	json_object_set_new(o, "certificate", str_or_null(r->certificate));
	return o;
}

/* ---- show ---- */

struct show_state {
	int json;
	json_t *attempts;
	struct sk_ledger_row *rows;
	size_t n, alloc;
};

static int show_row(void *payload, const struct sk_ledger_row *r)
{
	struct show_state *ss = payload;
	if (ss->json) {
		json_array_append_new(ss->attempts, attempt_json(r, 0));
		return 0;
	}
	if (ss->n == ss->alloc) {
		size_t a = ss->alloc ? ss->alloc * 2 : 8;
		struct sk_ledger_row *p = realloc(ss->rows, a * sizeof(*p));
		if (!p)
			return SK_ENOMEM;
		ss->rows = p;
		ss->alloc = a;
	}
	ss->rows[ss->n++] = *r;
	return 0;
}

/* s, then spaces up to display width w, then two more. */
static void padded(const char *s, size_t w)
{
	fputs(s, stdout);
	for (size_t n = sk_text_width(s); n < w + 2; n++)
		putchar(' ');
}

static void print_attempts(const struct show_state *ss)
{
	int ja = !strcmp(sk_i18n_current(), "ja");
	size_t w[5] = { 0 }, wsec = 0, wscore = 0;
	char buf[256];
	for (size_t i = 0; i < ss->n; i++) {
		const struct sk_ledger_row *r = &ss->rows[i];
		const char *cols[5] = { r->sitting, r->exam_date, r->test, r->exam_number, outcome_word(r->outcome) };
		for (int c = 0; c < 5; c++)
			if (sk_text_width(cols[c]) > w[c])
				w[c] = sk_text_width(cols[c]);
		for (int k = 0; k < r->nsections; k++) {
			const struct sk_ledger_section *s = &r->sections[k];
			snprintf(buf, sizeof(buf), "%s (%s)", ja ? s->name_ja : s->name_en, s->code);
			if (sk_text_width(buf) > wsec)
				wsec = sk_text_width(buf);
			snprintf(buf, sizeof(buf), "%d/%d", s->points, s->max_points);
			if (s->max_points > 0 && strlen(buf) > wscore)
				wscore = strlen(buf);
		}
	}
	for (size_t i = 0; i < ss->n; i++) {
		const struct sk_ledger_row *r = &ss->rows[i];
		const char *cols[4] = { r->sitting, r->exam_date, r->test, r->exam_number };
		for (int c = 0; c < 4; c++)
			padded(cols[c], w[c]);
		fputs(outcome_word(r->outcome), stdout);
		if (r->graded_at[0])
			printf("  (%s %s)", _("graded"), r->graded_at);
		putchar('\n');
		for (int k = 0; k < r->nsections; k++) {
			const struct sk_ledger_section *s = &r->sections[k];
			fputs("    ", stdout);
			snprintf(buf, sizeof(buf), "%s (%s)", ja ? s->name_ja : s->name_en, s->code);
			padded(buf, wsec);
			if (s->max_points > 0) {
				snprintf(buf, sizeof(buf), "%d/%d", s->points, s->max_points);
				padded(buf, wscore);
				snprintf(buf, sizeof(buf), "%3d %%", percent(s->points, s->max_points));
				padded(buf, 5);
			} else {
				padded("-", wscore + 7);
			}
			printf(_("pass mark %d %%"), s->pass_percent);
			if (s->max_points > 0)
				printf("  %s", s->passed ? _("passed") : _("not passed"));
			putchar('\n');
		}
	}
}

static int cmd_show(struct cli *cli, int argc, char **argv)
{
	int json = 0;
	const char *ref = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_bad_usage(usage_show, _("unknown option '%s'"), argv[i]);
		else if (!ref)
			ref = argv[i];
		else
			return cli_bad_usage(usage_show, _("unexpected argument '%s'"), argv[i]);
	}
	if (!ref)
		return cli_bad_usage(usage_show, "%s", _("give a candidate reference"));
	struct sk_candidate c;
	int rc = sk_candidate_get(cli->db, ref, &c);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	struct show_state ss = { .json = json, .attempts = json_array() };
	struct sk_ledger_filter f = { .candidate = c.reference };
	rc = sk_ledger_foreach(cli->db, &f, show_row, &ss);
	int code = EXIT_OK;
	if (rc) {
		code = rc == SK_ENOMEM ? (cli_error("%s", _("out of memory")), EXIT_FAIL) : cli_db_error(cli, rc, NULL);
	} else if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "reference", json_string(c.reference));
		json_object_set_new(o, "family_name", json_string(c.family_name));
		json_object_set_new(o, "given_name", json_string(c.given_name ? c.given_name : ""));
		json_object_set_new(o, "date_of_birth", json_string(c.date_of_birth));
		json_object_set_new(o, "nationality", json_string(c.nationality));
		json_object_set_new(o, "attempts", json_incref(ss.attempts));
		cli_print_json(o);
	} else {
		printf("%s  %s%s%s  %s %s  %s\n", c.reference, c.family_name, c.given_name && *c.given_name ? " " : "",
		       c.given_name ? c.given_name : "", _("born"), c.date_of_birth, c.nationality);
		if (!ss.n)
			printf("%s\n", _("no attempts"));
		else
			print_attempts(&ss);
	}
	json_decref(ss.attempts);
	free(ss.rows);
	sk_candidate_release(&c);
	return code;
}

/* ---- export ---- */

struct export_state {
	int json, slots;
	json_t *array;
	struct sk_buf csv;
};

static int export_row(void *payload, const struct sk_ledger_row *r)
{
	struct export_state *es = payload;
	if (es->json) {
		json_array_append_new(es->array, attempt_json(r, 1));
		return 0;
	}
	char level[8], nums[8][3][16];
	const char *row[12 + 4 * 8 + 3];
	size_t n = 0;
	snprintf(level, sizeof(level), "%d", r->level);
	const char *head[] = { r->reference, r->family_name, r->given_name, r->date_of_birth, r->nationality,
			       r->exam_number, r->sitting, r->exam_date, r->test, r->category_ja, r->category_en,
			       level };
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		row[n++] = head[i];
	for (int k = 0; k < es->slots; k++) {
		const struct sk_ledger_section *s = k < r->nsections ? &r->sections[k] : NULL;
		int scored = s && s->max_points > 0;
		snprintf(nums[k][0], sizeof(nums[k][0]), "%d", scored ? s->points : 0);
		snprintf(nums[k][1], sizeof(nums[k][1]), "%d", scored ? s->max_points : 0);
		row[n++] = s ? s->code : "";
		row[n++] = scored ? nums[k][0] : "";
		row[n++] = scored ? nums[k][1] : "";
		row[n++] = scored ? (s->passed ? "yes" : "no") : "";
	}
	row[n++] = r->outcome;
	row[n++] = r->graded_at;
	row[n++] = r->certificate;
	sk_csv_put_row(&es->csv, row, n);
	return 0;
}

static int cmd_export(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' }, { "test", required_argument, NULL, 't' },
		{ "outcome", required_argument, NULL, 'O' }, { "excel", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },	     { "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct sk_ledger_filter f = { 0 };
	struct export_state es = { 0 };
	const char *out = NULL;
	int excel = 0;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's': f.sitting = optarg; break;
		case 't': f.test = optarg; break;
		case 'O': f.outcome = optarg; break;
		case 'x': excel = 1; break;
		case 'j': es.json = 1; break;
		case 'o': out = optarg; break;
		case ':':
			return cli_bad_usage(usage_export, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_export, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_export, _("unexpected argument '%s'"), argv[optind]);
	if (excel && es.json)
		return cli_bad_usage(usage_export, "%s", _("--excel is for CSV, not --json"));
	if (f.outcome) {
		int known = 0;
		for (int i = 0; outcomes[i]; i++)
			known |= !strcmp(f.outcome, outcomes[i]);
		if (!known)
			return cli_bad_usage(usage_export,
					     _("'%s' is not an outcome (pass, fail, absent, disqualified, pending, cancelled)"),
					     f.outcome);
	}
	/* An unknown sitting or test is a mistake, not an empty ledger. */
	struct sk_sitting sit;
	struct sk_testdef test;
	int rc;
	if (f.sitting && (rc = sk_sitting_get(cli->db, f.sitting, &sit)))
		return cli_db_error(cli, rc, NULL);
	if (f.test && (rc = sk_testdef_get(cli->db, f.test, &test)))
		return cli_db_error(cli, rc, NULL);
	if ((es.slots = sk_ledger_section_slots(cli->db)) < 0)
		return cli_db_error(cli, es.slots, NULL);

	es.array = json_array();
	if (excel)
		sk_buf_adds(&es.csv, "\xEF\xBB\xBF");
	if (!es.json) {
		static const char *const head[] = { "reference", "family_name", "given_name", "date_of_birth",
						    "nationality", "exam_number", "sitting", "exam_date", "test",
						    "category_ja", "category_en", "level" };
		char names[8][4][32];
		const char *row[12 + 4 * 8 + 3];
		size_t n = 0;
		for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
			row[n++] = head[i];
		for (int k = 0; k < es.slots; k++) {
			snprintf(names[k][0], sizeof(names[k][0]), "section%d", k + 1);
			snprintf(names[k][1], sizeof(names[k][1]), "section%d_points", k + 1);
			snprintf(names[k][2], sizeof(names[k][2]), "section%d_max", k + 1);
			snprintf(names[k][3], sizeof(names[k][3]), "section%d_passed", k + 1);
			for (int j = 0; j < 4; j++)
				row[n++] = names[k][j];
		}
		row[n++] = "outcome";
		row[n++] = "graded_at";
		row[n++] = "certificate";
		sk_csv_put_row(&es.csv, row, n);
	}
	rc = sk_ledger_foreach(cli->db, &f, export_row, &es);
	int code = EXIT_OK;
	if (rc) {
		code = cli_db_error(cli, rc, _("exporting the ledger"));
	} else if (es.json) {
		char *s = json_dumps(es.array, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (!s) {
			cli_error("%s", _("out of memory"));
			code = EXIT_FAIL;
		} else {
			struct sk_buf b = SK_BUF_INIT;
			sk_buf_adds(&b, s);
			sk_buf_addch(&b, '\n');
			free(s);
			code = sk_buf_failed(&b) ? (cli_error("%s", _("out of memory")), EXIT_FAIL)
						 : cli_write_output(out, b.buf, b.len);
			sk_buf_release(&b);
		}
	} else if (sk_buf_failed(&es.csv)) {
		cli_error("%s", _("out of memory"));
		code = EXIT_FAIL;
	} else {
		code = cli_write_output(out, es.csv.buf, es.csv.len);
	}
	json_decref(es.array);
	sk_buf_release(&es.csv);
	return code;
}

const struct subcmd ledger_subs[] = {
	{ "show", cmd_show, usage_show },
	{ "export", cmd_export, usage_export },
	{ NULL, NULL, NULL },
};

int cmd_ledger(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, ledger_subs, usage, argc, argv);
}
