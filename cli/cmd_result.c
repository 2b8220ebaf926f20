/* shiken result show|list: a candidate's result item by item; a sitting's results */
#include "cli/cli.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/db.h"
#include "core/error.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "exam/grade.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken result show|list ...\n"
	   "\n"
	   "  show EXAMNO [--json]     the result stored and as computed now, item by item\n"
	   "  list --sitting S [--test T] [--outcome O] [--csv | --json] [--out FILE]\n"
	   "                           the results of a sitting\n");
static const char usage_show[] =
	N_("usage: shiken result show EXAMNO [--json]\n"
	   "\n"
	   "For a re-check or an appeal: the outcome stored and as computed now, each\n"
	   "section's points against its pass mark, and every printed position: its\n"
	   "number, section, item and version, the mark as printed, the same mark in the\n"
	   "item's canonical options, the accepted answer(s), a note when a key\n"
	   "correction is in force, and whether it scored. Examiners are named for the\n"
	   "sections they scored. Showing the accepted answers is recorded in the audit log.\n");
static const char usage_list[] =
	N_("usage: shiken result list --sitting S [--test T] [--outcome O] [--csv | --json] [--out FILE]\n"
	   "\n"
	   "Every live registration of the sitting with its stored outcome (pass, fail,\n"
	   "absent, disqualified, or pending until graded) and section points.\n");

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
	if (!strcmp(o, "pending"))
		return _("pending");
	return o;
}

/* A mark as printed ("A", "○", "AC", "*", "" for blank); canonical
 * marks are written the same way. */
static const char *mark_text(char out[24], unsigned char mark, int tf)
{
	size_t n = 0;
	out[0] = '\0';
	if (mark & 0x80) {
		snprintf(out, 24, "*");
		return out;
	}
	for (int o = 0; o < 5; o++) {
		if (!((mark >> o) & 1))
			continue;
		const char *s = tf ? (o == 0 ? "○" : o == 1 ? "×" : "?") : NULL;
		if (s) {
			size_t l = strlen(s);
			memcpy(out + n, s, l);
			n += l;
		} else {
			out[n++] = (char)('A' + o);
		}
	}
	out[n] = '\0';
	return out;
}

/* The fewest points that pass: ceil(pass_percent * max / 100). */
static int pass_points(int pass_percent, int max_points)
{
	return (pass_percent * max_points + 99) / 100;
}

static json_t *section_json(const struct sk_grade_section *s, const char *examiners)
{
	json_t *o = json_object();
	json_object_set_new(o, "section", json_string(s->code));
	json_object_set_new(o, "kind", json_string(s->kind));
	json_object_set_new(o, "points", json_integer(s->points));
	json_object_set_new(o, "max_points", json_integer(s->max_points));
	json_object_set_new(o, "pass_percent", json_integer(s->pass_percent));
	json_object_set_new(o, "pass_points", json_integer(pass_points(s->pass_percent, s->max_points)));
	json_object_set_new(o, "passed", json_boolean(s->passed));
	json_object_set_new(o, "multiple", json_integer(s->multiple));
	json_object_set_new(o, "blank", json_integer(s->blank));
	if (examiners && *examiners)
		json_object_set_new(o, "examiners", json_string(examiners));
	return o;
}

static json_t *detail_json(const struct sk_grade_detail *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "exam_number", json_string(d->grade.exam_number));
	json_object_set_new(o, "test", json_string(d->grade.test));
	json_object_set_new(o, "paper_code", json_string(d->paper_code));
	if (d->stored_outcome[0]) {
		json_t *s = json_object();
		json_object_set_new(s, "outcome", json_string(d->stored_outcome));
		json_object_set_new(s, "run", json_integer(d->run_id));
		json_object_set_new(s, "graded_at", json_string(d->graded_at));
		json_object_set_new(o, "stored", s);
	} else {
		json_object_set_new(o, "stored", json_null());
	}
	json_t *now = json_object();
	json_object_set_new(now, "outcome", d->grade.outcome[0] ? json_string(d->grade.outcome) : json_null());
	json_t *secs = json_array();
	for (int i = 0; i < d->grade.nsections; i++)
		json_array_append_new(secs, section_json(&d->grade.sections[i], d->examiners[i]));
	json_object_set_new(now, "sections", secs);
	json_object_set_new(o, "now", now);
	json_object_set_new(o, "problem", d->problem[0] ? json_string(d->problem) : json_null());
	json_t *lines = json_array();
	for (size_t i = 0; i < d->nlines; i++) {
		const struct sk_grade_line *l = &d->lines[i];
		if (!l->number)
			continue;
		char m[24];
		json_t *p = json_object();
		json_object_set_new(p, "number", json_integer(l->number));
		json_object_set_new(p, "section", json_string(l->section));
		json_object_set_new(p, "item", json_string(l->item));
		json_object_set_new(p, "version", json_integer(l->version));
		json_object_set_new(p, "marked", json_string(mark_text(m, l->mark, l->tf)));
		json_object_set_new(p, "canonical", json_string(mark_text(m, l->canonical, l->tf)));
		json_object_set_new(p, "accepted", json_string(mark_text(m, l->accepted, l->tf)));
		json_object_set_new(p, "corrected", json_boolean(l->corrected));
		json_object_set_new(p, "point", json_integer(l->point));
		json_array_append_new(lines, p);
	}
	json_object_set_new(o, "positions", lines);
	return o;
}

static int cmd_show(struct cli *cli, int argc, char **argv)
{
	int json = 0;
	const char *examno = NULL;
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
	struct sk_grade_detail *d = malloc(sizeof(*d));
	if (!d) {
		cli_error("%s", _("out of memory"));
		return EXIT_FAIL;
	}
	int rc = sk_grade_detail(cli->db, examno, d);
	if (rc) {
		free(d);
		return cli_db_error(cli, rc, NULL);
	}
	/* The accepted answers are keys: showing them is audited, as
	 * 'item show --with-key' is. */
	if (d->nlines) {
		if ((rc = sk_db_begin(cli->db)) ||
		    (rc = sk_audit_append(cli->db, "result", d->grade.exam_number, "show", "{\"keys\":true}")) ||
		    (rc = sk_db_commit(cli->db))) {
			sk_db_rollback(cli->db);
			free(d);
			return cli_db_error(cli, rc, _("audit log"));
		}
	}
	if (json) {
		cli_print_json(detail_json(d));
		free(d);
		return EXIT_OK;
	}
	printf("%s  %s  %s %s\n", d->grade.exam_number, d->grade.test, _("paper code"),
	       d->paper_code[0] ? d->paper_code : "-");
	if (d->stored_outcome[0])
		printf(_("stored:  %s (grading run %lld, %s)\n"), outcome_text(d->stored_outcome), (long long)d->run_id,
		       d->graded_at);
	else
		printf(_("stored:  %s\n"), _("not graded yet"));
	if (d->problem[0])
		printf(_("now:     cannot be graded: %s\n"), d->problem);
	else
		printf(_("now:     %s\n"), outcome_text(d->grade.outcome));
	if (d->grade.nsections) {
		static const char *headers[] = { N_("section"), N_("points"), N_("pass mark"), N_("result"),
						 N_("multiple"), N_("blank"), N_("examiners") };
		struct table t;
		table_init(&t, 7, headers);
		for (int i = 0; i < d->grade.nsections; i++) {
			const struct sk_grade_section *s = &d->grade.sections[i];
			char pts[32], mark[48], mult[16], blank[16];
			snprintf(pts, sizeof(pts), "%d/%d", s->points, s->max_points);
			snprintf(mark, sizeof(mark), "%d %% (%d/%d)", s->pass_percent,
				 pass_points(s->pass_percent, s->max_points), s->max_points);
			int scored = !strcmp(s->kind, "scored");
			snprintf(mult, sizeof(mult), "%d", s->multiple);
			snprintf(blank, sizeof(blank), "%d", s->blank);
			const char *row[] = { s->code, pts, mark, s->passed ? _("passed") : _("not passed"),
					      scored ? "" : mult, scored ? "" : blank, d->examiners[i] };
			table_add(&t, row);
		}
		putchar('\n');
		table_print(&t, stdout);
		table_release(&t);
	}
	if (d->nlines) {
		static const char *headers[] = { N_("No."), N_("section"), N_("item"), N_("v"), N_("marked"),
						 N_("canonical"), N_("accepted"), N_("point"), N_("note") };
		struct table t;
		table_init(&t, 9, headers);
		for (size_t i = 0; i < d->nlines; i++) {
			const struct sk_grade_line *l = &d->lines[i];
			if (!l->number)
				continue;
			char no[16], v[16], m[24], c[24], a[24], p[8];
			snprintf(no, sizeof(no), "%d", l->number);
			snprintf(v, sizeof(v), "%d", l->version);
			snprintf(p, sizeof(p), "%d", l->point);
			mark_text(m, l->mark, l->tf);
			mark_text(c, l->canonical, l->tf);
			mark_text(a, l->accepted, l->tf);
			const char *note = l->corrected ? _("key corrected")
					   : !l->mark ? _("blank")
					   : (l->mark & 0x80) || (l->mark & (l->mark - 1)) ? _("several marks") : "";
			const char *row[] = { no, l->section, l->item, v, m, c, a, p, note };
			table_add(&t, row);
		}
		putchar('\n');
		table_print(&t, stdout);
		table_release(&t);
	}
	free(d);
	return EXIT_OK;
}

struct list_state {
	enum out_format fmt;
	int max_sections;
	json_t *array;
	struct table table;
	struct sk_buf csv;
};

static int list_row(void *payload, const struct sk_result_row *r)
{
	struct list_state *ls = payload;
	char name[260];
	if (r->given_name[0])
		snprintf(name, sizeof(name), "%s %s", r->family_name, r->given_name);
	else
		snprintf(name, sizeof(name), "%s", r->family_name);
	if (ls->fmt == OUT_JSON) {
		json_t *o = json_object();
		json_object_set_new(o, "exam_number", json_string(r->exam_number));
		json_object_set_new(o, "reference", json_string(r->reference));
		json_object_set_new(o, "family_name", json_string(r->family_name));
		json_object_set_new(o, "given_name", json_string(r->given_name));
		json_object_set_new(o, "test", json_string(r->test));
		json_object_set_new(o, "outcome", json_string(r->outcome));
		json_object_set_new(o, "run", r->run_id ? json_integer(r->run_id) : json_null());
		json_object_set_new(o, "graded_at", r->graded_at[0] ? json_string(r->graded_at) : json_null());
		json_t *secs = json_array();
		for (int i = 0; i < r->nsections; i++)
			json_array_append_new(secs, section_json(&r->sections[i], NULL));
		json_object_set_new(o, "sections", secs);
		json_array_append_new(ls->array, o);
		return 0;
	}
	char run[24] = "";
	if (r->run_id)
		snprintf(run, sizeof(run), "%lld", (long long)r->run_id);
	if (ls->fmt == OUT_CSV) {
		const char *row[8 + 4 * 8];
		char num[8][3][16];
		size_t n = 0;
		row[n++] = r->exam_number;
		row[n++] = r->reference;
		row[n++] = r->family_name;
		row[n++] = r->given_name;
		row[n++] = r->test;
		row[n++] = r->outcome;
		row[n++] = run;
		row[n++] = r->graded_at;
		for (int i = 0; i < ls->max_sections; i++) {
			const struct sk_grade_section *s = i < r->nsections ? &r->sections[i] : NULL;
			if (s) {
				snprintf(num[i][0], sizeof(num[i][0]), "%d", s->points);
				snprintf(num[i][1], sizeof(num[i][1]), "%d", s->max_points);
				snprintf(num[i][2], sizeof(num[i][2]), "%s", s->passed ? "yes" : "no");
			}
			row[n++] = s ? s->code : "";
			row[n++] = s ? num[i][0] : "";
			row[n++] = s ? num[i][1] : "";
			row[n++] = s ? num[i][2] : "";
		}
		sk_csv_put_row(&ls->csv, row, n);
		return 0;
	}
	struct sk_buf secs = SK_BUF_INIT;
	for (int i = 0; i < r->nsections; i++)
		sk_buf_addf(&secs, "%s%s %d/%d%s", i ? "  " : "", r->sections[i].code, r->sections[i].points,
			    r->sections[i].max_points, r->sections[i].passed ? "" : " ✗");
	const char *row[] = { r->exam_number, r->reference, name, r->test, outcome_text(r->outcome), secs.buf, run };
	table_add(&ls->table, row);
	sk_buf_release(&secs);
	return 0;
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' }, { "test", required_argument, NULL, 't' },
		{ "outcome", required_argument, NULL, 'O' }, { "csv", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },          { "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct sk_result_filter f = { 0 };
	struct list_state ls = { .fmt = OUT_TABLE, .csv = SK_BUF_INIT };
	const char *out = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's': f.sitting = optarg; break;
		case 't': f.test = optarg; break;
		case 'O': f.outcome = optarg; break;
		case 'C': ls.fmt = OUT_CSV; break;
		case 'j': ls.fmt = OUT_JSON; break;
		case 'o': out = optarg; break;
		case ':':
			return cli_bad_usage(usage_list, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_list, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_list, _("unexpected argument '%s'"), argv[optind]);
	if (!f.sitting)
		return cli_bad_usage(usage_list, "%s", _("give --sitting S"));
	if (f.outcome && strcmp(f.outcome, "pass") && strcmp(f.outcome, "fail") && strcmp(f.outcome, "absent") &&
	    strcmp(f.outcome, "disqualified") && strcmp(f.outcome, "pending"))
		return cli_bad_usage(usage_list, _("'%s' is not an outcome (pass, fail, absent, disqualified, pending)"),
				     f.outcome);
	if (out && ls.fmt == OUT_TABLE)
		ls.fmt = OUT_CSV;
	/* CSV columns: four per section, as many as the sitting's tests have. */
	struct sk_sitting s;
	int rc = sk_sitting_get(cli->db, f.sitting, &s);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	for (size_t i = 0; i < s.ntests; i++) {
		struct sk_testdef td;
		if (sk_testdef_get(cli->db, s.tests[i], &td) == 0 && (int)td.nsections > ls.max_sections)
			ls.max_sections = (int)(td.nsections > 8 ? 8 : td.nsections);
	}
	static const char *headers[] = { N_("exam number"), N_("reference"), N_("name"), N_("test"),
					 N_("outcome"), N_("sections"), N_("run") };
	table_init(&ls.table, 7, headers);
	ls.array = json_array();
	if (ls.fmt == OUT_CSV) {
		static const char *fixed[] = { "exam_number", "reference", "family_name", "given_name", "test",
					       "outcome", "run", "graded_at" };
		for (size_t i = 0; i < 8; i++)
			sk_buf_addf(&ls.csv, "%s%s", i ? "," : "", fixed[i]);
		for (int i = 1; i <= ls.max_sections; i++)
			sk_buf_addf(&ls.csv, ",section_%d,points_%d,max_points_%d,passed_%d", i, i, i, i);
		sk_buf_addch(&ls.csv, '\n');
	}
	rc = sk_result_foreach(cli->db, &f, list_row, &ls);
	int code = EXIT_OK;
	if (rc)
		code = cli_db_error(cli, rc, NULL);
	else if (ls.fmt == OUT_JSON)
		cli_print_json(json_incref(ls.array));
	else if (ls.fmt == OUT_CSV)
		code = cli_write_output(out, ls.csv.buf, ls.csv.len);
	else
		table_print(&ls.table, stdout);
	json_decref(ls.array);
	table_release(&ls.table);
	sk_buf_release(&ls.csv);
	return code;
}

const struct subcmd result_subs[] = {
	{ "show", cmd_show, usage_show },
	{ "list", cmd_list, usage_list },
	{ NULL, NULL, NULL },
};

int cmd_result(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, result_subs, usage, argc, argv);
}
