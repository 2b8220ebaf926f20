/* shiken blueprint import|show, shiken form build|list|show|lock|sample */
#include "cli/cli.h"
#include "core/db.h"
#include "core/error.h"
#include "exam/form.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage_blueprint[] =
	N_("usage: shiken blueprint import|show ...\n"
	   "\n"
	   "  import FILE.csv   set how many items of each cell and band a form has\n"
	   "  show --test T     show a test's blueprint and the approved items per row\n");
static const char usage_bp_import[] =
	N_("usage: shiken blueprint import FILE.csv [--encoding E] [--ignore-unknown] [--dry-run]\n"
	   "\n"
	   "Columns test, section, cell, band (easy = difficulty 1-2, medium = 3,\n"
	   "hard = 4-5), count. The rows of a test replace its blueprint as a whole.\n");
static const char usage_bp_show[] = N_("usage: shiken blueprint show --test T [--json]\n");

static int cmd_bp_import(struct cli *cli, int argc, char **argv)
{
	struct sk_import_opts opts;
	const char *file;
	int rc = cli_import_args(argc, argv, usage_bp_import, &opts, &file);
	if (rc)
		return rc;
	if (opts.skip_invalid)
		return cli_bad_usage(usage_bp_import, "%s", _("a blueprint is imported whole: --skip-invalid does not apply"));
	return cli_import_run(cli, N_("blueprint rows"), file, &opts, sk_blueprint_import);
}

struct bp_state {
	int json;
	json_t *array;
	struct table table;
	int total, shortest;
};

static int bp_row(void *payload, const struct sk_blueprint_row *r)
{
	struct bp_state *bs = payload;
	bs->total += r->count;
	if (bs->json) {
		json_t *o = json_object();
		json_object_set_new(o, "section", json_string(r->section));
		json_object_set_new(o, "cell", json_string(r->cell));
		json_object_set_new(o, "band", json_string(r->band));
		json_object_set_new(o, "count", json_integer(r->count));
		json_object_set_new(o, "approved", json_integer(r->available));
		json_array_append_new(bs->array, o);
		return 0;
	}
	char count[16], avail[16], forms[16];
	snprintf(count, sizeof(count), "%d", r->count);
	snprintf(avail, sizeof(avail), "%d", r->available);
	int f = r->count ? r->available / r->count : 0;
	snprintf(forms, sizeof(forms), "%d", f);
	if (bs->shortest < 0 || f < bs->shortest)
		bs->shortest = f;
	const char *row[] = { r->section, r->cell, _(r->band), count, avail, forms };
	table_add(&bs->table, row);
	return 0;
}

static int cmd_bp_show(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "test", required_argument, NULL, 't' }, { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *test = NULL;
	struct bp_state bs = { .shortest = -1 };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c == 't')
			test = optarg;
		else if (c == 'j')
			bs.json = 1;
		else if (c == ':')
			return cli_bad_usage(usage_bp_show, _("option '%s' needs a value"), argv[optind - 1]);
		else
			return cli_bad_usage(usage_bp_show, _("unknown option '%s'"), argv[optind - 1]);
	}
	if (!test || optind < argc)
		return cli_bad_usage(usage_bp_show, "%s", _("give --test T"));
	static const char *headers[] = { N_("section"), N_("cell"), N_("band"), N_("per form"),
					 N_("approved"), N_("forms") };
	table_init(&bs.table, 6, headers);
	bs.array = json_array();
	int rc = sk_blueprint_foreach(cli->db, test, bp_row, &bs);
	int code = EXIT_OK;
	if (rc)
		code = cli_db_error(cli, rc, NULL);
	else if (bs.json)
		cli_print_json(json_incref(bs.array));
	else if (!bs.table.nrows)
		printf(_("test %s has no blueprint\n"), test);
	else {
		table_print(&bs.table, stdout);
		printf(_("%d items a form; the approved items allow at most %d forms without anchors\n"), bs.total,
		       bs.shortest < 0 ? 0 : bs.shortest);
	}
	json_decref(bs.array);
	table_release(&bs.table);
	return code;
}

const struct subcmd blueprint_subs[] = {
	{ "import", cmd_bp_import, usage_bp_import },
	{ "show", cmd_bp_show, usage_bp_show },
	{ NULL, NULL, NULL },
};

int cmd_blueprint(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, blueprint_subs, usage_blueprint, argc, argv);
}

/* ---- forms ---- */

static const char usage_form[] =
	N_("usage: shiken form build|list|show|lock|sample ...\n"
	   "\n"
	   "  build --test T --count N   assemble parallel forms (パターン) from the blueprint\n"
	   "  list [--test T]            list forms\n"
	   "  show CODE                  show a form's items\n"
	   "  lock CODE                  lock a form: it never changes again\n"
	   "  sample --test T            a public sample form from the public items\n");
static const char usage_build[] =
	N_("usage: shiken form build --test T --count N [--anchors N] [--seed S] [--tolerance X] [--dry-run]\n"
	   "\n"
	   "Assemble N parallel forms that satisfy the test's blueprint exactly, share no\n"
	   "items except the anchors (given to every form), never put two items of one\n"
	   "enemy group together, and keep each form's mean difficulty within X of the\n"
	   "others (default 0.25 on the 1-5 scale). The same seed and bank give the same\n"
	   "forms. When the bank cannot do it, each short cell is named with how many\n"
	   "approved items it lacks.\n");
static const char usage_list[] = N_("usage: shiken form list [--test T] [--json]\n");
static const char usage_show[] = N_("usage: shiken form show CODE [--json]\n");
static const char usage_lock[] =
	N_("usage: shiken form lock CODE\n"
	   "\n"
	   "A locked form never changes. Forms are locked when papers are built from them.\n");
static const char usage_sample[] =
	N_("usage: shiken form sample --test T\n"
	   "\n"
	   "Build the test's public sample form (サンプル問題) from its approved public items.\n");

static int cmd_form_build(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "test", required_argument, NULL, 't' },    { "count", required_argument, NULL, 'n' },
		{ "anchors", required_argument, NULL, 'a' }, { "seed", required_argument, NULL, 's' },
		{ "tolerance", required_argument, NULL, 'T' }, { "dry-run", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct sk_form_build_opts o = { .count = 0, .anchors = 0, .seed = 1, .tolerance = SK_FORM_DEFAULT_TOLERANCE };
	const char *test = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 't': test = optarg; break;
		case 'n':
			o.count = (int)strtol(optarg, &end, 10);
			if (*end || o.count < 1 || o.count > 64)
				return cli_bad_usage(usage_build, "%s", _("--count takes a number from 1 to 64"));
			break;
		case 'a':
			o.anchors = (int)strtol(optarg, &end, 10);
			if (*end || o.anchors < 0 || o.anchors > 200)
				return cli_bad_usage(usage_build, "%s", _("--anchors takes a number from 0 to 200"));
			break;
		case 's':
			o.seed = strtoull(optarg, &end, 10);
			if (*end || optarg[0] == '-')
				return cli_bad_usage(usage_build, _("'%s' is not a number"), optarg);
			break;
		case 'T':
			o.tolerance = strtod(optarg, &end);
			if (*end || o.tolerance <= 0 || o.tolerance > 4)
				return cli_bad_usage(usage_build, "%s", _("--tolerance takes a number above 0, at most 4"));
			break;
		case 'd': o.dry_run = 1; break;
		case ':':
			return cli_bad_usage(usage_build, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_build, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_build, _("unexpected argument '%s'"), argv[optind]);
	if (!test || !o.count)
		return cli_bad_usage(usage_build, "%s", _("give --test T and --count N"));
	struct sk_report rep = SK_REPORT_INIT;
	char **codes = NULL;
	size_t n = 0;
	int rc = sk_form_build(cli->db, test, &o, &codes, &n, &rep);
	cli_print_report(&rep);
	sk_report_release(&rep);
	if (rc == SK_EINPUT) {
		cli_error(_("no forms were built for %s"), test);
		return EXIT_FAIL;
	}
	if (rc)
		return cli_db_error(cli, rc, NULL);
	if (o.dry_run) {
		printf(_("%s: %d forms can be built (dry run: nothing was changed)\n"), test, o.count);
		return EXIT_OK;
	}
	for (size_t i = 0; i < n; i++) {
		struct sk_form f;
		if (sk_form_get(cli->db, codes[i], &f) == 0)
			printf(_("built %s: %d items (%d anchors), mean difficulty %.2f\n"), f.code, f.nitems,
			       f.nanchors, f.mean_difficulty);
		free(codes[i]);
	}
	free(codes);
	return EXIT_OK;
}

struct form_list {
	int json;
	json_t *array;
	struct table table;
};

static json_t *form_json(const struct sk_form *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "code", json_string(f->code));
	json_object_set_new(o, "test", json_string(f->test));
	json_object_set_new(o, "number", json_integer(f->number));
	json_object_set_new(o, "kind", json_string(f->kind));
	json_object_set_new(o, "status", json_string(f->status));
	json_object_set_new(o, "items", json_integer(f->nitems));
	json_object_set_new(o, "anchors", json_integer(f->nanchors));
	json_object_set_new(o, "mean_difficulty", json_real(f->mean_difficulty));
	json_object_set_new(o, "seed", json_integer((json_int_t)f->seed));
	json_object_set_new(o, "sittings", json_integer(f->used_by_sittings));
	json_object_set_new(o, "created_at", json_string(f->created_at));
	return o;
}

static int form_row(void *payload, const struct sk_form *f)
{
	struct form_list *fl = payload;
	if (fl->json) {
		json_array_append_new(fl->array, form_json(f));
		return 0;
	}
	char items[32], mean[16], used[16];
	snprintf(items, sizeof(items), "%d (%d)", f->nitems, f->nanchors);
	snprintf(mean, sizeof(mean), "%.2f", f->mean_difficulty);
	snprintf(used, sizeof(used), "%d", f->used_by_sittings);
	const char *row[] = { f->code, f->test, _(f->kind), _(f->status), items, mean, used };
	table_add(&fl->table, row);
	return 0;
}

static int cmd_form_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "test", required_argument, NULL, 't' }, { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *test = NULL;
	struct form_list fl = { 0 };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c == 't')
			test = optarg;
		else if (c == 'j')
			fl.json = 1;
		else if (c == ':')
			return cli_bad_usage(usage_list, _("option '%s' needs a value"), argv[optind - 1]);
		else
			return cli_bad_usage(usage_list, _("unknown option '%s'"), argv[optind - 1]);
	}
	if (optind < argc)
		return cli_bad_usage(usage_list, _("unexpected argument '%s'"), argv[optind]);
	static const char *headers[] = { N_("form"), N_("test"), N_("kind"), N_("status"), N_("items (anchors)"),
					 N_("mean diff."), N_("sittings") };
	table_init(&fl.table, 7, headers);
	fl.array = json_array();
	int rc = sk_form_foreach(cli->db, test, form_row, &fl);
	int code = EXIT_OK;
	if (rc)
		code = cli_db_error(cli, rc, NULL);
	else if (fl.json)
		cli_print_json(json_incref(fl.array));
	else
		table_print(&fl.table, stdout);
	json_decref(fl.array);
	table_release(&fl.table);
	return code;
}

struct show_state {
	json_t *array;
	char section[32];
};

static int show_item(void *payload, const struct sk_form_item *it)
{
	struct show_state *ss = payload;
	if (ss->array) {
		json_t *o = json_object();
		json_object_set_new(o, "section", json_string(it->section));
		json_object_set_new(o, "position", json_integer(it->position));
		json_object_set_new(o, "item", json_string(it->item));
		json_object_set_new(o, "version", json_integer(it->version));
		json_object_set_new(o, "cell", json_string(it->cell));
		json_object_set_new(o, "difficulty", json_integer(it->difficulty));
		json_object_set_new(o, "anchor", json_boolean(it->anchor));
		json_array_append_new(ss->array, o);
		return 0;
	}
	if (strcmp(ss->section, it->section)) {
		snprintf(ss->section, sizeof(ss->section), "%s", it->section);
		printf("[%s]\n", it->section);
	}
	printf("  %2d. %-14s v%-2d %-12s %d%s\n", it->position, it->item, it->version, it->cell, it->difficulty,
	       it->anchor ? _("  (anchor)") : "");
	return 0;
}

static int cmd_form_show(struct cli *cli, int argc, char **argv)
{
	int json = 0;
	const char *code = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!code && argv[i][0] != '-')
			code = argv[i];
		else
			return cli_bad_usage(usage_show, _("unexpected argument '%s'"), argv[i]);
	}
	if (!code)
		return cli_bad_usage(usage_show, "%s", _("give a form code"));
	struct sk_form f;
	int rc = sk_form_get(cli->db, code, &f);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	struct show_state ss = { 0 };
	if (json) {
		ss.array = json_array();
		if ((rc = sk_form_items(cli->db, f.id, show_item, &ss))) {
			json_decref(ss.array);
			return cli_db_error(cli, rc, NULL);
		}
		json_t *o = form_json(&f);
		json_object_set_new(o, "items_list", ss.array);
		cli_print_json(o);
		return EXIT_OK;
	}
	printf(_("%s (%s, %s): %d items, %d anchors, mean difficulty %.2f, seed %llu\n"), f.code, _(f.kind),
	       _(f.status), f.nitems, f.nanchors, f.mean_difficulty, (unsigned long long)f.seed);
	if ((rc = sk_form_items(cli->db, f.id, show_item, &ss)))
		return cli_db_error(cli, rc, NULL);
	return EXIT_OK;
}

static int cmd_form_lock(struct cli *cli, int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-')
		return cli_bad_usage(usage_lock, "%s", _("give one form code"));
	int rc = sk_form_lock(cli->db, argv[1]);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	printf(_("form %s locked\n"), argv[1]);
	return EXIT_OK;
}

static int cmd_form_sample(struct cli *cli, int argc, char **argv)
{
	const char *test = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--test") && i + 1 < argc)
			test = argv[++i];
		else if (!strncmp(argv[i], "--test=", 7))
			test = argv[i] + 7;
		else
			return cli_bad_usage(usage_sample, _("unexpected argument '%s'"), argv[i]);
	}
	if (!test)
		return cli_bad_usage(usage_sample, "%s", _("give --test T"));
	struct sk_report rep = SK_REPORT_INIT;
	char *code = NULL;
	int rc = sk_form_sample(cli->db, test, &code, &rep);
	cli_print_report(&rep);
	sk_report_release(&rep);
	if (rc == SK_EINPUT)
		return EXIT_FAIL;
	if (rc)
		return cli_db_error(cli, rc, NULL);
	struct sk_form f;
	if (sk_form_get(cli->db, code, &f) == 0)
		printf(_("built the sample form %s: %d public items\n"), f.code, f.nitems);
	free(code);
	return EXIT_OK;
}

const struct subcmd form_subs[] = {
	{ "build", cmd_form_build, usage_build },
	{ "list", cmd_form_list, usage_list },
	{ "show", cmd_form_show, usage_show },
	{ "lock", cmd_form_lock, usage_lock },
	{ "sample", cmd_form_sample, usage_sample },
	{ NULL, NULL, NULL },
};

int cmd_form(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, form_subs, usage_form, argc, argv);
}
