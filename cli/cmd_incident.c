/* shiken incident add|list: what proctors recorded at a sitting. */
#include "cli/cli.h"
#include "core/db.h"
#include "core/error.h"
#include "core/sitting.h"
#include "exam/incident.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken incident add|list ...\n"
	   "\n"
	   "  add EXAMNO   record what a proctor saw (cheating, impersonation, disruption, other)\n"
	   "  list         list the incidents of a sitting, or of all sittings\n");
static const char usage_add[] =
	N_("usage: shiken incident add EXAMNO --kind cheating|impersonation|disruption|other\n"
	   "                           [--disqualify] --note TEXT --proctor NAME\n"
	   "\n"
	   "Record an incident for the registration with this exam number (its check\n"
	   "digit is verified; a cancelled registration is refused). --disqualify makes\n"
	   "the result 'disqualified' whatever was scored, from the next 'shiken grade'\n"
	   "of the sitting on. The note (at most 500 characters) says what happened; the\n"
	   "proctor is who saw it. Recorded in the audit log; the same incident entered\n"
	   "twice is recorded once.\n");
static const char usage_list[] =
	N_("usage: shiken incident list [--sitting S] [--json]\n"
	   "\n"
	   "Incidents by exam date, sitting and exam number, with each registration's\n"
	   "result so far (pending until the sitting is graded).\n");

/* Outcome words as the ledger and incidents show them. */
static const char *outcome_word(const char *outcome)
{
	static const char *const words[][2] = {
		{ "pass", N_("pass") },		{ "fail", N_("fail") },		  { "absent", N_("absent") },
		{ "disqualified", N_("disqualified") }, { "pending", N_("pending") }, { "cancelled", N_("cancelled") },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(outcome, words[i][0]))
			return _(words[i][1]);
	return outcome;
}

static const char *kind_word(const char *kind)
{
	static const char *const words[][2] = {
		{ "cheating", N_("cheating") },
		{ "impersonation", N_("impersonation") },
		{ "disruption", N_("disruption") },
		{ "other", N_("other") },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(kind, words[i][0]))
			return _(words[i][1]);
	return kind;
}

static void full_name(char *out, size_t cap, const struct sk_incident *i)
{
	if (i->given_name[0])
		snprintf(out, cap, "%s %s", i->family_name, i->given_name);
	else
		snprintf(out, cap, "%s", i->family_name);
}

static int cmd_add(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kind", required_argument, NULL, 'k' },    { "disqualify", no_argument, NULL, 'd' },
		{ "note", required_argument, NULL, 'n' },    { "proctor", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kind = NULL, *note = NULL, *proctor = NULL, *examno = NULL;
	int disqualify = 0;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': kind = optarg; break;
		case 'd': disqualify = 1; break;
		case 'n': note = optarg; break;
		case 'p': proctor = optarg; break;
		case ':':
			return cli_bad_usage(usage_add, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_add, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		examno = argv[optind++];
	if (optind < argc)
		return cli_bad_usage(usage_add, _("unexpected argument '%s'"), argv[optind]);
	if (!examno)
		return cli_bad_usage(usage_add, "%s", _("give one exam number"));
	if (!kind || !note || !proctor)
		return cli_bad_usage(usage_add, "%s", _("give --kind, --note and --proctor"));

	struct sk_report rep = SK_REPORT_INIT;
	struct sk_incident inc;
	int added = 0;
	int rc = sk_incident_add(&added, &inc, cli->db, examno, kind, disqualify, note, proctor, &rep);
	size_t problems = rep.count;
	cli_print_report(&rep);
	sk_report_release(&rep);
	if (rc && problems) {
		cli_error("%s", _("nothing was recorded"));
		return EXIT_FAIL;
	}
	if (rc)
		return cli_db_error(cli, rc, NULL);
	char name[260];
	full_name(name, sizeof(name), &inc);
	if (added)
		printf(_("recorded incident %lld: %s %s, %s%s\n"), (long long)inc.id, inc.exam_number, name,
		       kind_word(inc.kind), inc.disqualify ? _(", disqualifies") : "");
	else
		printf(_("already recorded as incident %lld: %s %s, %s%s\n"), (long long)inc.id, inc.exam_number,
		       name, kind_word(inc.kind), inc.disqualify ? _(", disqualifies") : "");
	/* A result already stored stays until the sitting is graded again. */
	if (inc.disqualify && strcmp(inc.outcome, "pending") && strcmp(inc.outcome, "disqualified"))
		printf(_("%s is graded '%s': grade sitting %s again to disqualify (shiken grade --sitting %s)\n"),
		       inc.exam_number, outcome_word(inc.outcome), inc.sitting, inc.sitting);
	return EXIT_OK;
}

static json_t *incident_json(const struct sk_incident *i)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(i->id));
	json_object_set_new(o, "exam_number", json_string(i->exam_number));
	json_object_set_new(o, "sitting", json_string(i->sitting));
	json_object_set_new(o, "exam_date", json_string(i->exam_date));
	json_object_set_new(o, "test", json_string(i->test));
	json_object_set_new(o, "reference", json_string(i->reference));
	json_object_set_new(o, "family_name", json_string(i->family_name));
	json_object_set_new(o, "given_name", json_string(i->given_name));
	json_object_set_new(o, "room", json_string(i->room));
	json_object_set_new(o, "seat", json_string(i->seat));
	json_object_set_new(o, "kind", json_string(i->kind));
	json_object_set_new(o, "disqualify", json_boolean(i->disqualify));
	json_object_set_new(o, "note", json_string(i->note));
	json_object_set_new(o, "proctor", json_string(i->proctor));
	json_object_set_new(o, "created_at", json_string(i->created_at));
	json_object_set_new(o, "outcome", json_string(i->outcome));
	return o;
}

struct list_state {
	int json;
	json_t *array;
	struct table table;
};

static int list_row(void *payload, const struct sk_incident *i)
{
	struct list_state *ls = payload;
	if (ls->json) {
		json_array_append_new(ls->array, incident_json(i));
		return 0;
	}
	char name[260];
	full_name(name, sizeof(name), i);
	const char *row[] = { i->exam_number, i->sitting, i->room, i->seat, name, kind_word(i->kind),
			      i->disqualify ? _("yes") : _("no"), i->proctor, i->note, outcome_word(i->outcome) };
	table_add(&ls->table, row);
	return 0;
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct sk_incident_filter f = { 0 };
	struct list_state ls = { 0 };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's': f.sitting = optarg; break;
		case 'j': ls.json = 1; break;
		case ':':
			return cli_bad_usage(usage_list, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_list, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_list, _("unexpected argument '%s'"), argv[optind]);
	static const char *headers[] = { N_("exam number"), N_("sitting"), N_("room"),	  N_("seat"),
					 N_("name"),	    N_("kind"),	   N_("disqualifies"), N_("proctor"),
					 N_("note"),	    N_("result") };
	table_init(&ls.table, sizeof(headers) / sizeof(headers[0]), headers);
	ls.array = json_array();
	int rc = sk_incident_foreach(cli->db, &f, list_row, &ls);
	int code = EXIT_OK;
	if (rc)
		code = cli_db_error(cli, rc, NULL);
	else if (ls.json)
		cli_print_json(json_incref(ls.array));
	else if (!ls.table.nrows)
		printf("%s\n", _("no incidents"));
	else
		table_print(&ls.table, stdout);
	json_decref(ls.array);
	table_release(&ls.table);
	return code;
}

const struct subcmd incident_subs[] = {
	{ "add", cmd_add, usage_add },
	{ "list", cmd_list, usage_list },
	{ NULL, NULL, NULL },
};

int cmd_incident(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, incident_subs, usage, argc, argv);
}
