/* shiken test list|show|import */
#include "cli/cli.h"
#include "core/db.h"
#include "core/error.h"
#include "core/testdef.h"

#include <string.h>

static const char usage[] =
	N_("usage: shiken test list|show|import ...\n"
	   "\n"
	   "  list              list the tests (試験) with their sections and pass marks\n"
	   "  show CODE         show one test\n"
	   "  import FILE.csv   add tests, one row per section (see README)\n");
static const char usage_list[] = N_("usage: shiken test list [--json]\n");
static const char usage_show[] = N_("usage: shiken test show CODE [--json]\n");
static const char usage_import[] =
	N_("usage: shiken test import FILE.csv [--encoding E] [--ignore-unknown] [--skip-invalid] [--dry-run]\n"
	   "\n"
	   "Add tests. One row per section; rows of one test share its code, category\n"
	   "names, level and age rules. A test never changes once created.\n");

static json_t *test_json(const struct sk_testdef *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "code", json_string(t->code));
	json_object_set_new(o, "category_ja", json_string(t->category_ja));
	json_object_set_new(o, "category_en", json_string(t->category_en));
	json_object_set_new(o, "level", json_integer(t->level));
	json_t *secs = json_array();
	for (size_t i = 0; i < t->nsections; i++) {
		const struct sk_section *s = &t->sections[i];
		json_t *so = json_object();
		json_object_set_new(so, "code", json_string(s->code));
		json_object_set_new(so, "name_ja", json_string(s->name_ja));
		json_object_set_new(so, "name_en", json_string(s->name_en));
		json_object_set_new(so, "item_kind", json_string(s->item_kind));
		json_object_set_new(so, "pass_percent", json_integer(s->pass_percent));
		json_object_set_new(so, "time_limit_min", json_integer(s->time_limit_min));
		json_array_append_new(secs, so);
	}
	json_object_set_new(o, "sections", secs);
	json_t *rules = json_object();
	for (size_t i = 0; i < t->nrules; i++)
		json_object_set_new(rules, t->rules[i].nationality[0] ? t->rules[i].nationality : "*",
				    json_integer(t->rules[i].min_age));
	json_object_set_new(o, "min_age", rules);
	return o;
}

static void describe(const struct sk_testdef *t, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	int ja = !strcmp(sk_i18n_current(), "ja");
	for (size_t i = 0; i < t->nsections && n < cap; i++) {
		const struct sk_section *s = &t->sections[i];
		const char *kind = !strcmp(s->item_kind, "tf") ? "○×" : !strcmp(s->item_kind, "mc") ? _("multiple choice") : _("scored");
		n += (size_t)snprintf(out + n, cap - n, "%s%s (%s) ≥%d%% %d%s", i ? ", " : "",
				      ja ? s->name_ja : s->name_en, kind, s->pass_percent,
				      s->time_limit_min, _("min"));
	}
}

struct list_state {
	int json;
	json_t *array;
	struct table table;
};

static int list_row(void *payload, const struct sk_testdef *t)
{
	struct list_state *ls = payload;
	if (ls->json) {
		json_array_append_new(ls->array, test_json(t));
		return 0;
	}
	char level[16], sections[512], ages[128] = "";
	snprintf(level, sizeof(level), _("level %d"), t->level);
	describe(t, sections, sizeof(sections));
	size_t n = 0;
	for (size_t i = 0; i < t->nrules && n < sizeof(ages); i++)
		/* "17, ID:18": the general age, then the nationals' as in the CSV. */
		n += (size_t)snprintf(ages + n, sizeof(ages) - n, "%s%s%s%d", i ? ", " : "",
				      t->rules[i].nationality, t->rules[i].nationality[0] ? ":" : "",
				      t->rules[i].min_age);
	int ja = !strcmp(sk_i18n_current(), "ja");
	const char *row[] = { t->code, ja ? t->category_ja : t->category_en, level, sections, ages };
	table_add(&ls->table, row);
	return 0;
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	struct list_state ls = { 0 };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			ls.json = 1;
		else
			return cli_bad_usage(usage_list, _("unexpected argument '%s'"), argv[i]);
	}
	static const char *headers[] = { N_("code"), N_("category"), N_("level"), N_("sections"),
					 N_("min. age") };
	table_init(&ls.table, 5, headers);
	ls.array = json_array();
	int rc = sk_testdef_foreach(cli->db, list_row, &ls);
	if (rc) {
		json_decref(ls.array);
		table_release(&ls.table);
		return cli_db_error(cli, rc, _("listing tests"));
	}
	if (ls.json)
		cli_print_json(json_incref(ls.array));
	else
		table_print(&ls.table, stdout);
	json_decref(ls.array);
	table_release(&ls.table);
	return EXIT_OK;
}

static int cmd_show(struct cli *cli, int argc, char **argv)
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
		return cli_bad_usage(usage_show, "%s", _("give a test code"));
	struct sk_testdef t;
	int rc = sk_testdef_get(cli->db, code, &t);
	if (rc)
		return cli_db_error(cli, rc, _("test"));
	if (json) {
		cli_print_json(test_json(&t));
		return EXIT_OK;
	}
	printf("%s  %s %d号 / %s, level %d\n", t.code, t.category_ja, t.level, t.category_en, t.level);
	for (size_t i = 0; i < t.nsections; i++) {
		const struct sk_section *s = &t.sections[i];
		printf("  %d. %s / %s  [%s]  %s %d%%  %s %d %s\n", s->position, s->name_ja, s->name_en,
		       s->item_kind, _("pass mark"), s->pass_percent, _("time limit"),
		       s->time_limit_min, _("min"));
	}
	for (size_t i = 0; i < t.nrules; i++) {
		if (t.rules[i].nationality[0])
			printf("  %s %d (%s %s)\n", _("minimum age"), t.rules[i].min_age,
			       _("nationals of"), t.rules[i].nationality);
		else
			printf("  %s %d\n", _("minimum age"), t.rules[i].min_age);
	}
	printf("  %s\n", _("passed when every section reaches its pass mark"));
	return EXIT_OK;
}

static int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct sk_import_opts opts;
	const char *file;
	int rc = cli_import_args(argc, argv, usage_import, &opts, &file);
	if (rc)
		return rc;
	return cli_import_run(cli, N_("sections"), file, &opts, sk_testdef_import);
}

const struct subcmd test_subs[] = {
	{ "list", cmd_list, usage_list },
	{ "show", cmd_show, usage_show },
	{ "import", cmd_import, usage_import },
	{ NULL, NULL, NULL },
};

int cmd_test(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, test_subs, usage, argc, argv);
}
