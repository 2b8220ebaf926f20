/* shiken venue add|import|list|show */
#include "cli/cli.h"
#include "core/db.h"
#include "core/error.h"
#include "core/refdata.h"
#include "core/venue.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken venue add|import|list|show ...\n"
	   "\n"
	   "  add               add a venue or update it (rooms are added, never removed)\n"
	   "  import FILE.csv   add or update venues, one row per room (see README)\n"
	   "  list              list venues with their rooms and seats\n"
	   "  show CODE         show one venue\n");
static const char usage_add[] =
	N_("usage: shiken venue add --code CODE --name NAME --country CC --city CITY\n"
	   "                        --address TEXT --room ROOM:ROWSxCOLS [--room ...]\n"
	   "\n"
	   "Example: shiken venue add --code HAN1 --name \"Hanoi Test Centre\" --country VN\n"
	   "           --city Hanoi --address \"12 Tran Hung Dao\" --room A:6x8 --room B:5x6\n");
static const char usage_import[] =
	N_("usage: shiken venue import FILE.csv [--encoding E] [--ignore-unknown] [--skip-invalid] [--dry-run]\n");
static const char usage_list[] = N_("usage: shiken venue list [--json]\n");
static const char usage_show[] = N_("usage: shiken venue show CODE [--json]\n");

static int cmd_add(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "code", required_argument, NULL, 'c' },   { "name", required_argument, NULL, 'n' },
		{ "country", required_argument, NULL, 'C' }, { "city", required_argument, NULL, 't' },
		{ "address", required_argument, NULL, 'a' }, { "room", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct sk_venue *v = calloc(1, sizeof(*v));
	if (!v)
		return EXIT_FAIL;
	optind = 0;
	opterr = 0;
	int c, code = EXIT_OK;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': snprintf(v->code, sizeof(v->code), "%s", optarg); break;
		case 'n': snprintf(v->name, sizeof(v->name), "%s", optarg); break;
		case 'C': {
			const struct sk_country *cty = sk_country_find(optarg);
			snprintf(v->country, sizeof(v->country), "%s", cty ? cty->alpha2 : "");
			if (!cty) {
				code = cli_bad_usage(usage_add, _("'%s' is not an ISO 3166-1 country code"), optarg);
				goto done;
			}
			break;
		}
		case 't': snprintf(v->city, sizeof(v->city), "%s", optarg); break;
		case 'a': snprintf(v->address, sizeof(v->address), "%s", optarg); break;
		case 'r':
			if (v->nrooms >= 64 || sk_room_parse(&v->rooms[v->nrooms], optarg)) {
				code = cli_bad_usage(usage_add, _("'%s' is not a room like A:8x10 (code, rows x columns, at most 100 each)"), optarg);
				goto done;
			}
			v->nrooms++;
			break;
		case ':': /* a known option without its value */
			code = cli_bad_usage(usage_add, _("option '%s' needs a value"), argv[optind - 1]);
			goto done;
		default:
			code = cli_bad_usage(usage_add, _("unknown option '%s'"), argv[optind - 1]);
			goto done;
		}
	}
	if (optind < argc) {
		code = cli_bad_usage(usage_add, _("unexpected argument '%s'"), argv[optind]);
		goto done;
	}
	if (!v->code[0]) {
		code = cli_bad_usage(usage_add, "%s", _("give --code"));
		goto done;
	}
	struct sk_report rep = SK_REPORT_INIT;
	int outcome = 0;
	int rc = sk_venue_save(cli->db, v, &outcome, &rep);
	cli_print_report(&rep);
	sk_report_release(&rep);
	if (rc == SK_EINPUT)
		code = EXIT_FAIL;
	else if (rc)
		code = cli_db_error(cli, rc, _("venue"));
	else
		printf(outcome == 1 ? _("venue %s added\n") : outcome == 2 ? _("venue %s updated\n")
								: _("venue %s unchanged\n"),
		       v->code);
done:
	free(v);
	return code;
}

static int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct sk_import_opts opts;
	const char *file;
	int rc = cli_import_args(argc, argv, usage_import, &opts, &file);
	if (rc)
		return rc;
	return cli_import_run(cli, N_("venues"), file, &opts, sk_venue_import);
}

static json_t *venue_json(const struct sk_venue *v)
{
	json_t *o = json_object();
	json_object_set_new(o, "code", json_string(v->code));
	json_object_set_new(o, "name", json_string(v->name));
	json_object_set_new(o, "country", json_string(v->country));
	json_object_set_new(o, "city", json_string(v->city));
	json_object_set_new(o, "address", json_string(v->address));
	json_t *rooms = json_array();
	int seats = 0;
	for (size_t i = 0; i < v->nrooms; i++) {
		json_t *r = json_object();
		json_object_set_new(r, "code", json_string(v->rooms[i].code));
		json_object_set_new(r, "rows", json_integer(v->rooms[i].rows));
		json_object_set_new(r, "columns", json_integer(v->rooms[i].cols));
		json_array_append_new(rooms, r);
		seats += v->rooms[i].rows * v->rooms[i].cols;
	}
	json_object_set_new(o, "rooms", rooms);
	json_object_set_new(o, "seats", json_integer(seats));
	return o;
}

struct list_state {
	int json;
	json_t *array;
	struct table table;
};

static int list_row(void *payload, const struct sk_venue *v)
{
	struct list_state *ls = payload;
	if (ls->json) {
		json_array_append_new(ls->array, venue_json(v));
		return 0;
	}
	char rooms[1024] = "", seats[16];
	size_t n = 0;
	int total = 0;
	for (size_t i = 0; i < v->nrooms && n < sizeof(rooms); i++) {
		n += (size_t)snprintf(rooms + n, sizeof(rooms) - n, "%s%s %dx%d", i ? ", " : "",
				      v->rooms[i].code, v->rooms[i].rows, v->rooms[i].cols);
		total += v->rooms[i].rows * v->rooms[i].cols;
	}
	snprintf(seats, sizeof(seats), "%d", total);
	const char *row[] = { v->code, v->name, v->country, v->city, rooms, seats };
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
	static const char *headers[] = { N_("code"), N_("name"), N_("country"), N_("city"),
					 N_("rooms"), N_("seats") };
	table_init(&ls.table, 6, headers);
	ls.array = json_array();
	int rc = sk_venue_foreach(cli->db, list_row, &ls);
	int code = EXIT_OK;
	if (rc)
		code = cli_db_error(cli, rc, _("listing venues"));
	else if (ls.json)
		cli_print_json(json_incref(ls.array));
	else
		table_print(&ls.table, stdout);
	json_decref(ls.array);
	table_release(&ls.table);
	return code;
}

static int cmd_show(struct cli *cli, int argc, char **argv)
{
	int json = 0;
	const char *vcode = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!vcode && argv[i][0] != '-')
			vcode = argv[i];
		else
			return cli_bad_usage(usage_show, _("unexpected argument '%s'"), argv[i]);
	}
	if (!vcode)
		return cli_bad_usage(usage_show, "%s", _("give a venue code"));
	struct sk_venue *v = malloc(sizeof(*v));
	if (!v)
		return EXIT_FAIL;
	int rc = sk_venue_get(cli->db, vcode, v);
	if (rc) {
		free(v);
		return cli_db_error(cli, rc, _("venue"));
	}
	if (json) {
		cli_print_json(venue_json(v));
	} else {
		printf("%s  %s\n  %s, %s (%s)\n", v->code, v->name, v->address, v->city, v->country);
		for (size_t i = 0; i < v->nrooms; i++)
			printf(_("  room %s: %d rows x %d columns = %d seats\n"), v->rooms[i].code,
			       v->rooms[i].rows, v->rooms[i].cols, v->rooms[i].rows * v->rooms[i].cols);
	}
	free(v);
	return EXIT_OK;
}

const struct subcmd venue_subs[] = {
	{ "add", cmd_add, usage_add },
	{ "import", cmd_import, usage_import },
	{ "list", cmd_list, usage_list },
	{ "show", cmd_show, usage_show },
	{ NULL, NULL, NULL },
};

int cmd_venue(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, venue_subs, usage, argc, argv);
}
