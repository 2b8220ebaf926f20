/* shiken stats results|items|forms|collusion: statistics for the ministry,
 * the expert committees and the exam body (exam/stats.h, exam/collusion.h). */
#include "cli/cli.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "exam/collusion.h"
#include "exam/stats.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken stats results|items|forms|collusion ...\n"
	   "\n"
	   "  results    candidates, present, passed, pass rate and section scores by\n"
	   "             category, nationality, residence, gender, age band, background...\n"
	   "  items      item analysis: facility, item-rest correlation, options, flags\n"
	   "  forms      each form's KR-20 reliability, and whether a sitting's forms are equivalent\n"
	   "  collusion  pairs of answer sheets too alike to be independent, for review\n");
static const char usage_results[] =
	N_("usage: shiken stats results [--sitting S | --from DATE --to DATE] [--test T] [--by DIM,...]\n"
	   "                            [--min-cell N] [--json] [--out FILE]\n"
	   "\n"
	   "Live registrations of the selection counted in cells of the dimensions given\n"
	   "with --by (none: one row for everything): sitting, test, category, level,\n"
	   "nationality, residence, region, gender, age_band, background (former\n"
	   "technical intern or not), experience (months in manufacturing), japanese.\n"
	   "Columns: candidates, present (passed, failed or disqualified), absent,\n"
	   "pending (not graded), passed, disqualified, pass_rate (passed / present, in\n"
	   "percent), and per section the number scored, mean and standard deviation of\n"
	   "the score in percent. Cells of fewer than N candidates (the setting\n"
	   "stats.min_cell, default 5; --min-cell may only raise it) show no figures, nor\n"
	   "does the next smallest cell when the hidden ones could be worked out from the\n"
	   "total. Prints CSV, or JSON with --json.\n");
static const char usage_items[] =
	N_("usage: shiken stats items --test T [--sitting S | --from DATE --to DATE] [--csv | --json] [--out FILE]\n"
	   "\n"
	   "Item analysis over the answer sheets of candidates who passed or failed,\n"
	   "scored as grading scores them now: per item version the candidates who had it,\n"
	   "facility p, the item-rest (point-biserial) correlation, how often each\n"
	   "canonical option was chosen, whatever the order it was printed in (the key\n"
	   "marked), blanks, and the same in the upper 27 % by section score; flags for the\n"
	   "committee: hard (p < 0.20), easy (p > 0.95), negative or low (< 0.20)\n"
	   "discrimination, distractor (a wrong option chosen by more strong candidates\n"
	   "than the key). Shows the keys: recorded in the audit log.\n");
static const char usage_forms[] =
	N_("usage: shiken stats forms --test T [--sitting S | --from DATE --to DATE] [--csv | --json] [--out FILE]\n"
	   "\n"
	   "Per form and section: candidates, items, mean and standard deviation of the\n"
	   "score, KR-20 reliability and the standard error of measurement. Per sitting\n"
	   "and section with two forms or more: each form's mean against the others',\n"
	   "the difference, its standard error, and whether it is larger than chance\n"
	   "allows (two-sided 5 %, Bonferroni over the sitting's forms).\n");
static const char usage_collusion[] =
	N_("usage: shiken stats collusion --sitting S [--alpha A] [--all] [--csv | --json] [--out FILE]\n"
	   "\n"
	   "Pairs of candidates of one room whose answer sheets are more alike than\n"
	   "candidates working independently would make them (the README gives the\n"
	   "model): the same answers, right and wrong, on the items they share; and,\n"
	   "for candidates in sight of each other (at most two rows and two columns\n"
	   "apart), the same letters marked where their papers differ. A pair in sight\n"
	   "is listed when its p-value is at most A (default 0.0001), other pairs of a\n"
	   "room at A divided by how many were compared. --all lists every pair\n"
	   "compared. This is for people to review, not proof of copying. Recorded in\n"
	   "the audit log.\n");

/* ---- shared options ---- */

struct opts {
	struct sk_stats_selection sel;
	const char *out;
	const char *by;
	int json, csv, all;
	int min_cell;
	double alpha;
};

enum { O_SITTING = 1000, O_FROM, O_TO, O_TEST, O_BY, O_MIN_CELL, O_JSON, O_CSV, O_OUT, O_ALPHA, O_ALL };

static int parse(int argc, char **argv, const char *use, const char *allowed, struct opts *o)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, O_SITTING }, { "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },	   { "test", required_argument, NULL, O_TEST },
		{ "by", required_argument, NULL, O_BY },	   { "min-cell", required_argument, NULL, O_MIN_CELL },
		{ "json", no_argument, NULL, O_JSON },		   { "csv", no_argument, NULL, O_CSV },
		{ "out", required_argument, NULL, O_OUT },	   { "alpha", required_argument, NULL, O_ALPHA },
		{ "all", no_argument, NULL, O_ALL },		   { NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c == ':')
			return cli_bad_usage(use, _("option '%s' needs a value"), argv[optind - 1]);
		if (c == '?')
			return cli_bad_usage(use, _("unknown option '%s'"), argv[optind - 1]);
		const char *name = NULL;
		for (const struct option *l = longopts; l->name; l++)
			if (l->val == c)
				name = l->name;
		/* Each command takes its own options only. */
		char probe[24], dashed[24];
		snprintf(probe, sizeof(probe), " %s ", name);
		snprintf(dashed, sizeof(dashed), "--%s", name);
		if (!strstr(allowed, probe))
			return cli_bad_usage(use, _("unknown option '%s'"), dashed);
		if (optarg && !strncmp(optarg, "--", 2))
			return cli_bad_usage(use, _("option '%s' needs a value"), dashed);
		char *end = NULL;
		switch (c) {
		case O_SITTING: o->sel.sitting = optarg; break;
		case O_FROM: o->sel.from = optarg; break;
		case O_TO: o->sel.to = optarg; break;
		case O_TEST: o->sel.test = optarg; break;
		case O_BY: o->by = optarg; break;
		case O_MIN_CELL: {
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 1 || v > 1000)
				return cli_bad_usage(use, _("--min-cell takes a number from 1 to 1000, not '%s'"), optarg);
			o->min_cell = (int)v;
			break;
		}
		case O_JSON: o->json = 1; break;
		case O_CSV: o->csv = 1; break;
		case O_OUT: o->out = optarg; break;
		case O_ALPHA:
			o->alpha = strtod(optarg, &end);
			if (!*optarg || *end || !(o->alpha > 0 && o->alpha < 1))
				return cli_bad_usage(use, _("--alpha takes a level between 0 and 1, such as 0.0001, not '%s'"),
						     optarg);
			break;
		case O_ALL: o->all = 1; break;
		}
	}
	if (optind < argc)
		return cli_bad_usage(use, _("unexpected argument '%s'"), argv[optind]);
	if (o->json && o->csv)
		return cli_bad_usage(use, "%s", _("give --csv or --json, not both"));
	if (o->sel.sitting && (o->sel.from || o->sel.to))
		return cli_bad_usage(use, "%s", _("give --sitting or a period (--from, --to), not both"));
	const char *dates[2] = { o->sel.from, o->sel.to };
	for (int i = 0; i < 2; i++) {
		struct sk_date d;
		if (dates[i] && sk_date_parse(&d, dates[i]))
			return cli_bad_usage(use, _("'%s' is not a date (YYYY-MM-DD)"), dates[i]);
	}
	return 0;
}

/* Dates as the database keeps them, whatever the user typed ("2026/12/1"). */
static int normalise_dates(struct opts *o, const char *use, char from[11], char to[11])
{
	struct sk_date d;
	if (o->sel.from && !sk_date_parse(&d, o->sel.from))
		o->sel.from = sk_date_format(from, &d);
	if (o->sel.to && !sk_date_parse(&d, o->sel.to))
		o->sel.to = sk_date_format(to, &d);
	if (o->sel.from && o->sel.to && strcmp(o->sel.from, o->sel.to) > 0)
		return cli_bad_usage(use, _("the period ends (%s) before it starts (%s)"), o->sel.to, o->sel.from);
	return 0;
}

static json_t *selection_json(const struct sk_stats_selection *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "sitting", s->sitting ? json_string(s->sitting) : json_null());
	json_object_set_new(o, "from", s->from ? json_string(s->from) : json_null());
	json_object_set_new(o, "to", s->to ? json_string(s->to) : json_null());
	json_object_set_new(o, "test", s->test ? json_string(s->test) : json_null());
	return o;
}

/* Finish: JSON or the buffer to --out or standard output. */
static int emit(const struct opts *o, json_t *doc, struct sk_buf *b)
{
	int code;
	if (doc) {
		char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		json_decref(doc);
		if (!s) {
			cli_error("%s", _("out of memory"));
			return EXIT_FAIL;
		}
		sk_buf_adds(b, s);
		sk_buf_addch(b, '\n');
		free(s);
	}
	if (sk_buf_failed(b)) {
		cli_error("%s", _("out of memory"));
		code = EXIT_FAIL;
	} else {
		code = cli_write_output(o->out, b->buf, b->len);
	}
	sk_buf_release(b);
	return code;
}

/* A table printed into a buffer, so --out works for it too. */
static void table_to(struct sk_buf *b, const struct table *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		b->failed = 1;
		return;
	}
	table_print(t, f);
	fclose(f);
	sk_buf_add(b, text, len);
	free(text);
}

static void fmt_num(char *out, size_t cap, double v, int decimals)
{
	if (isnan(v))
		snprintf(out, cap, "%s", "");
	else
		snprintf(out, cap, "%.*f", decimals, v);
}

static json_t *num_json(double v, int decimals)
{
	if (isnan(v) || isinf(v))
		return json_null();
	double k = pow(10, decimals);
	return json_real(round(v * k) / k);
}

static int audit(struct cli *cli, const char *key, const char *action, const char *detail)
{
	int rc;
	if ((rc = sk_db_begin(cli->db)) || (rc = sk_audit_append(cli->db, "stats", key, action, detail)) ||
	    (rc = sk_db_commit(cli->db))) {
		sk_db_rollback(cli->db);
		return cli_db_error(cli, rc, _("audit log"));
	}
	return EXIT_OK;
}

/* ---- results ---- */

static const char *suppressed_word(int s)
{
	return s == SK_CELL_SMALL ? "small" : s == SK_CELL_COMPLEMENT ? "complement" : "";
}

static void results_csv_row(struct sk_buf *b, const struct sk_stats_table *t, const struct sk_stats_cell *c,
			    const char *kind)
{
	const char *row[2 + SK_STATS_MAX_DIMS + 7 + 3 * SK_STATS_MAX_SECTIONS + 1];
	char nums[7 + 3 * SK_STATS_MAX_SECTIONS][32];
	size_t n = 0, k = 0;
	row[n++] = kind;
	for (int d = 0; d < t->ndims; d++)
		row[n++] = c == &t->total ? "" : c->values[d];
	int hide = c->suppressed != SK_CELL_SHOWN, results = !hide && !c->results_hidden;
	size_t counts[] = { c->candidates, c->present, c->absent, c->pending, c->passed, c->disqualified };
	for (int i = 0; i < 6; i++) {
		int shown = !hide && (i != 4 || results);
		snprintf(nums[k], sizeof(nums[k]), "%zu", counts[i]);
		row[n++] = shown ? nums[k] : "";
		k++;
	}
	fmt_num(nums[k], sizeof(nums[k]), results ? 100.0 * c->pass_rate : NAN, 1);
	row[n++] = nums[k++];
	for (int s = 0; s < t->nsections; s++) {
		const struct sk_stats_section *sec = &c->sections[s];
		int show = results && sec->n >= (size_t)t->min_cell;
		snprintf(nums[k], sizeof(nums[k]), "%zu", sec->n);
		row[n++] = show ? nums[k] : "";
		k++;
		fmt_num(nums[k], sizeof(nums[k]), show ? sec->mean : NAN, 1);
		row[n++] = nums[k++];
		fmt_num(nums[k], sizeof(nums[k]), show ? sec->sd : NAN, 1);
		row[n++] = nums[k++];
	}
	row[n++] = suppressed_word(c->suppressed);
	sk_csv_put_row(b, row, n);
}

static json_t *cell_json(const struct sk_stats_table *t, const struct sk_stats_cell *c)
{
	json_t *o = json_object();
	if (c != &t->total) {
		json_t *v = json_object();
		for (int d = 0; d < t->ndims; d++)
			json_object_set_new(v, sk_stats_dim_name(t->dims[d]), json_string(c->values[d]));
		json_object_set_new(o, "values", v);
	}
	json_object_set_new(o, "suppressed", c->suppressed ? json_string(suppressed_word(c->suppressed)) : json_false());
	int hide = c->suppressed != SK_CELL_SHOWN, results = !hide && !c->results_hidden;
	if (hide)
		return o;
	json_object_set_new(o, "candidates", json_integer((json_int_t)c->candidates));
	json_object_set_new(o, "present", json_integer((json_int_t)c->present));
	json_object_set_new(o, "absent", json_integer((json_int_t)c->absent));
	json_object_set_new(o, "pending", json_integer((json_int_t)c->pending));
	json_object_set_new(o, "passed", results ? json_integer((json_int_t)c->passed) : json_null());
	json_object_set_new(o, "disqualified", json_integer((json_int_t)c->disqualified));
	json_object_set_new(o, "pass_rate", num_json(results ? 100.0 * c->pass_rate : NAN, 1));
	json_t *secs = json_object();
	for (int s = 0; s < t->nsections; s++) {
		const struct sk_stats_section *sec = &c->sections[s];
		int show = results && sec->n >= (size_t)t->min_cell;
		json_t *so = json_object();
		json_object_set_new(so, "n", show ? json_integer((json_int_t)sec->n) : json_null());
		json_object_set_new(so, "mean", num_json(show ? sec->mean : NAN, 1));
		json_object_set_new(so, "sd", num_json(show ? sec->sd : NAN, 1));
		json_object_set_new(secs, t->sections[s], so);
	}
	json_object_set_new(o, "sections", secs);
	return o;
}

static int cmd_results(struct cli *cli, int argc, char **argv)
{
	struct opts o;
	int code = parse(argc, argv, usage_results, " sitting from to test by min-cell json out ", &o);
	if (code)
		return code;
	char from[11], to[11];
	if ((code = normalise_dates(&o, usage_results, from, to)))
		return code;
	enum sk_stats_dim dims[SK_STATS_MAX_DIMS];
	int ndims = 0;
	if (o.by) {
		char list[256];
		snprintf(list, sizeof(list), "%s", o.by);
		for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			int d = sk_stats_dim_parse(tok);
			if (d < 0)
				return cli_bad_usage(usage_results,
						     _("'%s' is not a dimension (sitting, test, category, level, nationality, "
						       "residence, region, gender, age_band, background, experience, japanese)"),
						     tok);
			for (int k = 0; k < ndims; k++)
				if (dims[k] == (enum sk_stats_dim)d)
					return cli_bad_usage(usage_results, _("dimension '%s' is given twice"), tok);
			dims[ndims++] = (enum sk_stats_dim)d;
		}
	}
	int floor = sk_stats_min_cell(cli->db);
	if (o.min_cell && o.min_cell < floor)
		return cli_bad_usage(usage_results, _("--min-cell cannot go below the setting stats.min_cell (%d)"), floor);
	int min_cell = o.min_cell ? o.min_cell : floor;
	struct sk_stats_table t;
	int rc = sk_stats_results(cli->db, &o.sel, dims, ndims, min_cell, &t);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	struct sk_buf b = SK_BUF_INIT;
	json_t *doc = NULL;
	if (o.json) {
		doc = json_object();
		json_object_set_new(doc, "selection", selection_json(&o.sel));
		json_t *by = json_array();
		for (int d = 0; d < t.ndims; d++)
			json_array_append_new(by, json_string(sk_stats_dim_name(t.dims[d])));
		json_object_set_new(doc, "by", by);
		json_object_set_new(doc, "min_cell", json_integer(t.min_cell));
		json_t *secs = json_array();
		for (int s = 0; s < t.nsections; s++)
			json_array_append_new(secs, json_string(t.sections[s]));
		json_object_set_new(doc, "sections", secs);
		json_t *cells = json_array();
		for (size_t i = 0; i < t.ncells; i++)
			json_array_append_new(cells, cell_json(&t, &t.cells[i]));
		json_object_set_new(doc, "cells", cells);
		json_object_set_new(doc, "total", cell_json(&t, &t.total));
	} else {
		const char *head[2 + SK_STATS_MAX_DIMS + 7 + 3 * SK_STATS_MAX_SECTIONS + 1];
		char names[SK_STATS_MAX_SECTIONS][3][48];
		size_t n = 0;
		head[n++] = "row";
		for (int d = 0; d < t.ndims; d++)
			head[n++] = sk_stats_dim_name(t.dims[d]);
		static const char *const counts[] = { "candidates", "present", "absent", "pending",
						      "passed", "disqualified", "pass_rate" };
		for (int i = 0; i < 7; i++)
			head[n++] = counts[i];
		for (int s = 0; s < t.nsections; s++) {
			snprintf(names[s][0], sizeof(names[s][0]), "%s_n", t.sections[s]);
			snprintf(names[s][1], sizeof(names[s][1]), "%s_mean", t.sections[s]);
			snprintf(names[s][2], sizeof(names[s][2]), "%s_sd", t.sections[s]);
			for (int k = 0; k < 3; k++)
				head[n++] = names[s][k];
		}
		head[n++] = "suppressed";
		sk_csv_put_row(&b, head, n);
		for (size_t i = 0; i < t.ncells; i++)
			results_csv_row(&b, &t, &t.cells[i], "cell");
		results_csv_row(&b, &t, &t.total, "total");
	}
	sk_stats_table_release(&t);
	return emit(&o, doc, &b);
}

/* ---- items ---- */

static const char *option_label(int tf, int k)
{
	static const char *const mc[] = { "A", "B", "C", "D", "E" };
	if (tf)
		return k == 0 ? "O" : k == 1 ? "X" : "?";
	return k >= 0 && k < 5 ? mc[k] : "?";
}

static void key_letters(char out[8], const struct sk_item_stat *it)
{
	size_t n = 0;
	for (int k = 0; k < it->noptions && k < SK_ITEM_MAX_OPTIONS; k++)
		if ((it->accepted >> k) & 1)
			out[n++] = option_label(it->tf, k)[0];
	out[n] = '\0';
}

static void flag_words(struct sk_buf *b, const struct sk_item_stat *it, const char *sep)
{
	static const struct {
		unsigned bit;
		const char *word;
	} words[] = {
		{ SK_ITEM_HARD, "hard" },	    { SK_ITEM_EASY, "easy" },
		{ SK_ITEM_NEGATIVE, "negative" }, { SK_ITEM_LOW_DISC, "low-discrimination" },
		{ SK_ITEM_DISTRACTOR, "distractor" },
	};
	size_t start = b->len;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (!(it->flags & words[i].bit))
			continue;
		if (b->len > start)
			sk_buf_adds(b, sep);
		sk_buf_adds(b, words[i].word);
		if (words[i].bit == SK_ITEM_DISTRACTOR)
			sk_buf_addf(b, "(%s)", option_label(it->tf, it->distractor));
	}
}

static json_t *item_json(const struct sk_item_stat *it)
{
	json_t *o = json_object();
	char key[8];
	key_letters(key, it);
	json_object_set_new(o, "item", json_string(it->item));
	json_object_set_new(o, "version", json_integer(it->version));
	json_object_set_new(o, "section", json_string(it->section));
	json_object_set_new(o, "kind", json_string(it->tf ? "tf" : "mc"));
	json_object_set_new(o, "key", json_string(key));
	json_object_set_new(o, "n", json_integer((json_int_t)it->n));
	json_object_set_new(o, "p", num_json(it->p, 4));
	json_object_set_new(o, "r_rest", num_json(it->r_rest, 4));
	json_object_set_new(o, "omit", json_integer((json_int_t)it->omit));
	json_object_set_new(o, "omit_rate", num_json(it->omit_rate, 4));
	json_object_set_new(o, "multiple", json_integer((json_int_t)it->multiple));
	json_object_set_new(o, "upper_n", json_integer((json_int_t)it->upper_n));
	json_t *opts = json_array();
	for (int k = 0; k < it->noptions && k < SK_ITEM_MAX_OPTIONS; k++) {
		json_t *op = json_object();
		json_object_set_new(op, "option", json_string(option_label(it->tf, k)));
		json_object_set_new(op, "key", json_boolean((it->accepted >> k) & 1));
		json_object_set_new(op, "count", json_integer((json_int_t)it->options[k]));
		json_object_set_new(op, "share", num_json(it->n ? (double)it->options[k] / (double)it->n : NAN, 4));
		json_object_set_new(op, "upper", json_integer((json_int_t)it->upper_options[k]));
		json_array_append_new(opts, op);
	}
	json_object_set_new(o, "options", opts);
	json_t *flags = json_array();
	struct sk_buf b = SK_BUF_INIT;
	flag_words(&b, it, " ");
	if (b.len) {
		char *save = NULL;
		for (char *w = strtok_r(b.buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
			json_array_append_new(flags, json_string(w));
	}
	sk_buf_release(&b);
	json_object_set_new(o, "flags", flags);
	return o;
}

/* The analysis, or an exit code (a's arrays are then empty). */
static int run_items(struct cli *cli, struct opts *o, const char *use, struct sk_item_analysis *a)
{
	memset(a, 0, sizeof(*a));
	if (!o->sel.test)
		return cli_bad_usage(use, "%s", _("give --test T"));
	int rc = sk_stats_items(cli->db, &o->sel, a);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	if (!a->sheets) {
		cli_error(_("no graded answer sheets of %s in this selection: nothing to analyse"), o->sel.test);
		sk_item_analysis_release(a);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int cmd_items(struct cli *cli, int argc, char **argv)
{
	struct opts o;
	int code = parse(argc, argv, usage_items, " sitting from to test json csv out ", &o);
	if (code)
		return code;
	char from[11], to[11];
	struct sk_item_analysis a;
	if ((code = normalise_dates(&o, usage_items, from, to)) || (code = run_items(cli, &o, usage_items, &a)))
		return code;
	/* The option counts name the keys: showing them is audited. */
	char detail[256];
	snprintf(detail, sizeof(detail), "{\"sitting\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"sheets\":%zu,\"keys\":true}",
		 o.sel.sitting ? o.sel.sitting : "", o.sel.from ? o.sel.from : "", o.sel.to ? o.sel.to : "", a.sheets);
	if ((code = audit(cli, o.sel.test, "item analysis", detail))) {
		sk_item_analysis_release(&a);
		return code;
	}
	struct sk_buf b = SK_BUF_INIT;
	json_t *doc = NULL;
	if (o.json) {
		doc = json_object();
		json_object_set_new(doc, "selection", selection_json(&o.sel));
		json_object_set_new(doc, "sittings", json_integer((json_int_t)a.sittings));
		json_object_set_new(doc, "sheets", json_integer((json_int_t)a.sheets));
		json_object_set_new(doc, "skipped", json_integer((json_int_t)a.skipped));
		json_t *items = json_array();
		for (size_t i = 0; i < a.nitems; i++)
			json_array_append_new(items, item_json(&a.items[i]));
		json_object_set_new(doc, "items", items);
	} else if (o.csv) {
		const char *head[] = { "test", "section", "item", "version", "kind", "key", "n", "p", "r_rest",
				       "omit", "omit_rate", "multiple", "option_1", "option_2", "option_3", "option_4",
				       "option_5", "upper_n", "upper_1", "upper_2", "upper_3", "upper_4", "upper_5",
				       "flags" };
		sk_csv_put_row(&b, head, sizeof(head) / sizeof(head[0]));
		for (size_t i = 0; i < a.nitems; i++) {
			const struct sk_item_stat *it = &a.items[i];
			char v[24][32], key[8];
			struct sk_buf flags = SK_BUF_INIT;
			const char *row[24];
			key_letters(key, it);
			flag_words(&flags, it, " ");
			snprintf(v[0], sizeof(v[0]), "%d", it->version);
			snprintf(v[1], sizeof(v[1]), "%zu", it->n);
			fmt_num(v[2], sizeof(v[2]), it->p, 4);
			fmt_num(v[3], sizeof(v[3]), it->r_rest, 4);
			snprintf(v[4], sizeof(v[4]), "%zu", it->omit);
			fmt_num(v[5], sizeof(v[5]), it->omit_rate, 4);
			snprintf(v[6], sizeof(v[6]), "%zu", it->multiple);
			for (int k = 0; k < 5; k++) {
				int has = k < it->noptions;
				snprintf(v[7 + k], sizeof(v[7 + k]), "%zu", it->options[k]);
				snprintf(v[13 + k], sizeof(v[13 + k]), "%zu", it->upper_options[k]);
				if (!has)
					v[7 + k][0] = v[13 + k][0] = '\0';
			}
			snprintf(v[12], sizeof(v[12]), "%zu", it->upper_n);
			size_t n = 0;
			row[n++] = a.test;
			row[n++] = it->section;
			row[n++] = it->item;
			row[n++] = v[0];
			row[n++] = it->tf ? "tf" : "mc";
			row[n++] = key;
			for (int k = 1; k <= 6; k++)
				row[n++] = v[k];
			for (int k = 0; k < 5; k++)
				row[n++] = v[7 + k];
			row[n++] = v[12];
			for (int k = 0; k < 5; k++)
				row[n++] = v[13 + k];
			row[n++] = flags.buf;
			sk_csv_put_row(&b, row, n);
			sk_buf_release(&flags);
		}
	} else {
		static const char *head[] = { N_("item"), N_("section"), N_("n"), N_("p"), N_("r_rest"), N_("omit"),
					      N_("options (key*) / upper 27 %"), N_("flags") };
		struct table t;
		table_init(&t, 8, head);
		for (size_t i = 0; i < a.nitems; i++) {
			const struct sk_item_stat *it = &a.items[i];
			char item[56], n[24], p[16], r[16], omit[16];
			struct sk_buf opts = SK_BUF_INIT, flags = SK_BUF_INIT;
			snprintf(item, sizeof(item), "%s v%d", it->item, it->version);
			snprintf(n, sizeof(n), "%zu", it->n);
			fmt_num(p, sizeof(p), it->p, 2);
			fmt_num(r, sizeof(r), it->r_rest, 2);
			fmt_num(omit, sizeof(omit), 100.0 * it->omit_rate, 1);
			for (int k = 0; k < it->noptions && k < SK_ITEM_MAX_OPTIONS; k++)
				sk_buf_addf(&opts, "%s%s%s %zu/%zu", k ? "  " : "", option_label(it->tf, k),
					    (it->accepted >> k) & 1 ? "*" : "", it->options[k], it->upper_options[k]);
			flag_words(&flags, it, ", ");
			const char *row[] = { item, it->section, n, p, r, omit, opts.buf, flags.buf };
			table_add(&t, row);
			sk_buf_release(&opts);
			sk_buf_release(&flags);
		}
		table_to(&b, &t);
		table_release(&t);
		size_t flagged = 0;
		for (size_t i = 0; i < a.nitems; i++)
			flagged += a.items[i].flags != 0;
		sk_buf_addf(&b, _("%s: %zu answer sheets of %zu sittings, %zu item versions, %zu flagged for review\n"),
			    a.test, a.sheets, a.sittings, a.nitems, flagged);
		sk_buf_addf(&b, "%s\n",
			    _("Options: how many chose each canonical option, then how many of the upper 27 %; * marks the key; omit in percent."));
	}
	sk_item_analysis_release(&a);
	return emit(&o, doc, &b);
}

/* ---- forms ---- */

static void equiv_sentence(struct sk_buf *b, const struct sk_form_equiv *e)
{
	sk_buf_addf(b, _("%s %s: %s mean %.2f (%zu candidates) against %.2f on the other forms (%zu): difference %+.2f points"),
		    e->sitting, e->section, e->form, e->mean, e->n, e->others_mean, e->others_n, e->diff);
	if (isnan(e->z)) {
		sk_buf_addf(b, "; %s\n", _("too few candidates to judge"));
		return;
	}
	sk_buf_addf(b, _(", standard error %.2f, %.1f standard errors: "), e->se, e->z);
	if (e->differs)
		sk_buf_addf(b, _("more than chance allows with %d forms (%.2f): review the form\n"), e->nforms, e->z_crit);
	else
		sk_buf_addf(b, _("within chance for %d forms (%.2f)\n"), e->nforms, e->z_crit);
}

static int cmd_forms(struct cli *cli, int argc, char **argv)
{
	struct opts o;
	int code = parse(argc, argv, usage_forms, " sitting from to test json csv out ", &o);
	if (code)
		return code;
	char from[11], to[11];
	struct sk_item_analysis a;
	if ((code = normalise_dates(&o, usage_forms, from, to)) || (code = run_items(cli, &o, usage_forms, &a)))
		return code;
	struct sk_buf b = SK_BUF_INIT;
	json_t *doc = NULL;
	if (o.json) {
		doc = json_object();
		json_object_set_new(doc, "selection", selection_json(&o.sel));
		json_object_set_new(doc, "sheets", json_integer((json_int_t)a.sheets));
		json_t *forms = json_array(), *eq = json_array();
		for (size_t i = 0; i < a.nforms; i++) {
			const struct sk_form_stat *f = &a.forms[i];
			json_t *x = json_object();
			json_object_set_new(x, "form", json_string(f->form));
			json_object_set_new(x, "section", json_string(f->section));
			json_object_set_new(x, "items", json_integer(f->nitems));
			json_object_set_new(x, "n", json_integer((json_int_t)f->n));
			json_object_set_new(x, "mean", num_json(f->mean, 4));
			json_object_set_new(x, "sd", num_json(f->sd, 4));
			json_object_set_new(x, "kr20", num_json(f->kr20, 4));
			json_object_set_new(x, "sem", num_json(f->sem, 4));
			json_array_append_new(forms, x);
		}
		for (size_t i = 0; i < a.nequiv; i++) {
			const struct sk_form_equiv *e = &a.equiv[i];
			json_t *x = json_object();
			json_object_set_new(x, "sitting", json_string(e->sitting));
			json_object_set_new(x, "section", json_string(e->section));
			json_object_set_new(x, "form", json_string(e->form));
			json_object_set_new(x, "n", json_integer((json_int_t)e->n));
			json_object_set_new(x, "mean", num_json(e->mean, 4));
			json_object_set_new(x, "sd", num_json(e->sd, 4));
			json_object_set_new(x, "others_n", json_integer((json_int_t)e->others_n));
			json_object_set_new(x, "others_mean", num_json(e->others_mean, 4));
			json_object_set_new(x, "others_sd", num_json(e->others_sd, 4));
			json_object_set_new(x, "difference", num_json(e->diff, 4));
			json_object_set_new(x, "se", num_json(e->se, 4));
			json_object_set_new(x, "z", num_json(e->z, 4));
			json_object_set_new(x, "z_crit", num_json(e->z_crit, 4));
			json_object_set_new(x, "differs", json_boolean(e->differs));
			json_array_append_new(eq, x);
		}
		json_object_set_new(doc, "forms", forms);
		json_object_set_new(doc, "equivalence", eq);
	} else if (o.csv) {
		const char *head[] = { "form", "section", "items", "n", "mean", "sd", "kr20", "sem" };
		sk_csv_put_row(&b, head, 8);
		for (size_t i = 0; i < a.nforms; i++) {
			const struct sk_form_stat *f = &a.forms[i];
			char v[6][32];
			snprintf(v[0], sizeof(v[0]), "%d", f->nitems);
			snprintf(v[1], sizeof(v[1]), "%zu", f->n);
			fmt_num(v[2], sizeof(v[2]), f->mean, 4);
			fmt_num(v[3], sizeof(v[3]), f->sd, 4);
			fmt_num(v[4], sizeof(v[4]), f->kr20, 4);
			fmt_num(v[5], sizeof(v[5]), f->sem, 4);
			const char *row[] = { f->form, f->section, v[0], v[1], v[2], v[3], v[4], v[5] };
			sk_csv_put_row(&b, row, 8);
		}
	} else {
		static const char *head[] = { N_("form"), N_("section"), N_("items"), N_("n"), N_("mean"), N_("sd"),
					      N_("KR-20"), N_("SEM") };
		struct table t;
		table_init(&t, 8, head);
		for (size_t i = 0; i < a.nforms; i++) {
			const struct sk_form_stat *f = &a.forms[i];
			char v[6][32];
			snprintf(v[0], sizeof(v[0]), "%d", f->nitems);
			snprintf(v[1], sizeof(v[1]), "%zu", f->n);
			fmt_num(v[2], sizeof(v[2]), f->mean, 2);
			fmt_num(v[3], sizeof(v[3]), f->sd, 2);
			fmt_num(v[4], sizeof(v[4]), f->kr20, 3);
			fmt_num(v[5], sizeof(v[5]), f->sem, 2);
			const char *row[] = { f->form, f->section, v[0], v[1], v[2], v[3], v[4], v[5] };
			table_add(&t, row);
		}
		table_to(&b, &t);
		table_release(&t);
		if (a.nequiv) {
			sk_buf_addf(&b, "\n%s\n", _("Are the forms of a sitting equally hard? Each form's mean against the others':"));
			for (size_t i = 0; i < a.nequiv; i++)
				equiv_sentence(&b, &a.equiv[i]);
		} else {
			sk_buf_addf(&b, "\n%s\n", _("No sitting gave two forms or more of a section: no equivalence to check."));
		}
	}
	sk_item_analysis_release(&a);
	return emit(&o, doc, &b);
}

/* ---- collusion ---- */

static const char *check_name(int check)
{
	return check == SK_CHECK_SAME_ANSWERS ? "same-answers" : "same-letters";
}

static void fmt_p(char *out, size_t cap, double p)
{
	if (p < 0.001)
		snprintf(out, cap, "%.1e", p);
	else
		snprintf(out, cap, "%.4f", p);
}

static json_t *side_json(const struct sk_collusion_side *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "exam_number", json_string(s->exam_number));
	json_object_set_new(o, "seat", json_string(s->seat));
	json_object_set_new(o, "test", json_string(s->test));
	json_object_set_new(o, "form", json_string(s->form));
	json_object_set_new(o, "score", json_integer(s->score));
	json_object_set_new(o, "max_score", json_integer(s->max_score));
	return o;
}

static int cmd_collusion(struct cli *cli, int argc, char **argv)
{
	struct opts o;
	int code = parse(argc, argv, usage_collusion, " sitting alpha all json csv out ", &o);
	if (code)
		return code;
	if (!o.sel.sitting)
		return cli_bad_usage(usage_collusion, "%s", _("give --sitting S"));
	struct sk_collusion_opts co = { .alpha = o.alpha ? o.alpha : SK_COLLUSION_ALPHA,
					.min_compared = SK_COLLUSION_MIN_COMPARED, .all = o.all };
	struct sk_collusion_result r;
	int rc = sk_collusion_sitting(cli->db, o.sel.sitting, &co, &r);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	if (!r.candidates) {
		cli_error(_("sitting '%s' has no answer sheets yet: nothing to compare"), o.sel.sitting);
		sk_collusion_result_release(&r);
		return EXIT_FAIL;
	}
	char detail[256];
	snprintf(detail, sizeof(detail), "{\"alpha\":%g,\"candidates\":%zu,\"flagged\":%zu}", r.alpha, r.candidates,
		 r.flagged[0] + r.flagged[1]);
	if ((code = audit(cli, o.sel.sitting, "collusion check", detail))) {
		sk_collusion_result_release(&r);
		return code;
	}
	struct sk_buf b = SK_BUF_INIT;
	json_t *doc = NULL;
	if (o.json) {
		doc = json_object();
		json_object_set_new(doc, "sitting", json_string(o.sel.sitting));
		json_object_set_new(doc, "alpha", json_real(r.alpha));
		json_object_set_new(doc, "candidates", json_integer((json_int_t)r.candidates));
		json_object_set_new(doc, "rooms", json_integer((json_int_t)r.rooms));
		for (int c = 0; c < 2; c++) {
			json_t *x = json_object();
			json_object_set_new(x, "pairs", json_integer((json_int_t)r.tested[c]));
			json_object_set_new(x, "neighbour_pairs", json_integer((json_int_t)r.tested_neighbours[c]));
			json_object_set_new(x, "flagged", json_integer((json_int_t)r.flagged[c]));
			json_object_set_new(x, "expected_by_chance", num_json(r.chance[c], 3));
			json_object_set_new(doc, check_name(c), x);
		}
		json_t *pairs = json_array();
		for (size_t i = 0; i < r.npairs; i++) {
			const struct sk_collusion_pair *p = &r.pairs[i];
			json_t *x = json_object();
			json_object_set_new(x, "check", json_string(check_name(p->check)));
			json_object_set_new(x, "room", json_string(p->room));
			json_object_set_new(x, "a", side_json(&p->a));
			json_object_set_new(x, "b", side_json(&p->b));
			json_object_set_new(x, "neighbours", json_boolean(p->neighbours));
			json_object_set_new(x, "compared", json_integer(p->compared));
			json_object_set_new(x, "observed", json_integer(p->observed));
			json_object_set_new(x, "expected", num_json(p->expected, 3));
			json_object_set_new(x, "identical", json_integer(p->identical));
			json_object_set_new(x, "expected_identical", num_json(p->expected_identical, 3));
			json_object_set_new(x, "p", json_real(p->p));
			json_object_set_new(x, "level", json_real(p->level));
			json_object_set_new(x, "flagged", json_boolean(p->flagged));
			json_object_set_new(x, "wrong_a", json_integer(p->wrong_a));
			json_object_set_new(x, "wrong_b", json_integer(p->wrong_b));
			json_array_append_new(pairs, x);
		}
		json_object_set_new(doc, "pairs", pairs);
	} else if (o.csv) {
		const char *head[] = { "check", "room", "seat_a", "exam_number_a", "test_a", "form_a", "score_a",
				       "seat_b", "exam_number_b", "test_b", "form_b", "score_b", "neighbours",
				       "compared", "observed", "expected", "identical", "expected_identical", "p",
				       "level", "flagged", "wrong_a", "wrong_b" };
		sk_csv_put_row(&b, head, 23);
		for (size_t i = 0; i < r.npairs; i++) {
			const struct sk_collusion_pair *p = &r.pairs[i];
			char v[11][32];
			snprintf(v[0], sizeof(v[0]), "%d", p->a.score);
			snprintf(v[1], sizeof(v[1]), "%d", p->b.score);
			snprintf(v[2], sizeof(v[2]), "%d", p->compared);
			snprintf(v[3], sizeof(v[3]), "%d", p->observed);
			snprintf(v[4], sizeof(v[4]), "%.3f", p->expected);
			snprintf(v[5], sizeof(v[5]), "%.3g", p->p);
			snprintf(v[6], sizeof(v[6]), "%.3g", p->level);
			snprintf(v[7], sizeof(v[7]), "%d", p->wrong_a);
			snprintf(v[8], sizeof(v[8]), "%d", p->wrong_b);
			snprintf(v[9], sizeof(v[9]), "%d", p->identical);
			snprintf(v[10], sizeof(v[10]), "%.3f", p->expected_identical);
			const char *row[] = { check_name(p->check), p->room, p->a.seat, p->a.exam_number, p->a.test,
					      p->a.form, v[0], p->b.seat, p->b.exam_number, p->b.test, p->b.form, v[1],
					      p->neighbours ? "yes" : "no", v[2], v[3], v[4], v[9], v[10], v[5], v[6],
					      p->flagged ? "yes" : "no", v[7], v[8] };
			sk_csv_put_row(&b, row, 23);
		}
	} else {
		sk_buf_addf(&b, _("Answer-copying check of %s, for review by people.\n"), o.sel.sitting);
		sk_buf_addf(&b, "%s\n\n",
			    _("A listed pair answered more alike than candidates working independently would. That is a "
			      "reason to look at the seating plan, the proctors' reports and the answer sheets, not proof "
			      "of copying."));
		if (r.npairs) {
			static const char *head[] = { N_("check"), N_("room"), N_("seat"), N_("exam number"), N_("seat"),
						      N_("exam number"), N_("in sight"), N_("compared"), N_("alike"),
						      N_("expected"), N_("p") };
			struct table t;
			table_init(&t, 11, head);
			for (size_t i = 0; i < r.npairs; i++) {
				const struct sk_collusion_pair *p = &r.pairs[i];
				char compared[16], alike[64], exp[64], pv[24];
				snprintf(compared, sizeof(compared), "%d", p->compared);
				if (p->check == SK_CHECK_SAME_ANSWERS) {
					snprintf(alike, sizeof(alike), _("%d (%d wrong)"), p->identical, p->observed);
					snprintf(exp, sizeof(exp), _("%.1f (%.1f wrong)"), p->expected_identical, p->expected);
				} else {
					snprintf(alike, sizeof(alike), _("%d (wrong: %d / %d)"), p->observed,
						 p->wrong_a, p->wrong_b);
					snprintf(exp, sizeof(exp), "%.1f", p->expected);
				}
				fmt_p(pv, sizeof(pv), p->p);
				const char *row[] = { p->check == SK_CHECK_SAME_ANSWERS ? _("same answers") : _("same letters"),
						      p->room, p->a.seat, p->a.exam_number, p->b.seat, p->b.exam_number,
						      p->neighbours ? _("yes") : _("no"), compared, alike, exp, pv };
				table_add(&t, row);
			}
			table_to(&b, &t);
			table_release(&t);
			sk_buf_addch(&b, '\n');
		}
		sk_buf_addf(&b, _("%zu candidates with answer sheets in %zu rooms; level %g per pair in sight.\n"),
			    r.candidates, r.rooms, r.alpha);
		sk_buf_addf(&b, _("Same answers on shared items: %zu pairs compared (%zu of them in sight), %zu flagged; chance alone would flag about %.2f.\n"),
			    r.tested[0], r.tested_neighbours[0], r.flagged[0], r.chance[0]);
		sk_buf_addf(&b, _("Same letters where the papers of candidates in sight differ: %zu pairs compared, %zu flagged; chance alone would flag about %.2f.\n"),
			    r.tested[1], r.flagged[1], r.chance[1]);
		for (size_t t = 0; t < r.ntests; t++)
			if (r.tests[t].candidates < 50)
				sk_buf_addf(&b, _("%s has only %zu candidates here: its answer chances are rough, weigh its flags with care.\n"),
					    r.tests[t].test, r.tests[t].candidates);
		if (!r.npairs)
			sk_buf_addf(&b, "%s\n", _("No pair is flagged."));
	}
	sk_collusion_result_release(&r);
	return emit(&o, doc, &b);
}

const struct subcmd stats_subs[] = {
	{ "results", cmd_results, usage_results },
	{ "items", cmd_items, usage_items },
	{ "forms", cmd_forms, usage_forms },
	{ "collusion", cmd_collusion, usage_collusion },
	{ NULL, NULL, NULL },
};

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, stats_subs, usage, argc, argv);
}
