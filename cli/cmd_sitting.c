/* shiken sitting create|import|list|show */
#include "cli/cli.h"
#include "core/db.h"
#include "core/error.h"
#include "core/refdata.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/text.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken sitting create|import|list|show ...\n"
	   "\n"
	   "  create            create a sitting (試験回) or update it\n"
	   "  import FILE.csv   create or update sittings (see README)\n"
	   "  list              list sittings with their registrations\n"
	   "  show CODE         show one sitting, room by room\n");
static const char usage_create[] =
	N_("usage: shiken sitting create --code CODE --date YYYY-MM-DD --time HH:MM --venue VENUE\n"
	   "                             --test TEST [--test ...] [--capacity N] --fee AMOUNT --currency CUR\n"
	   "\n"
	   "Capacity defaults to every seat of the venue. The fee is in the currency's\n"
	   "usual unit (12000 JPY, 35.50 USD).\n"
	   "Example: shiken sitting create --code 2026-12-HAN --date 2026-12-13 --time 09:30\n"
	   "           --venue HAN1 --test MM1 --test EE1 --fee 600000 --currency VND\n");
static const char usage_import[] =
	N_("usage: shiken sitting import FILE.csv [--encoding E] [--ignore-unknown] [--skip-invalid] [--dry-run]\n");
static const char usage_list[] = N_("usage: shiken sitting list [--json]\n");
static const char usage_show[] = N_("usage: shiken sitting show CODE [--json]\n");

static int cmd_create(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "code", required_argument, NULL, 'c' },     { "date", required_argument, NULL, 'd' },
		{ "time", required_argument, NULL, 't' },     { "venue", required_argument, NULL, 'v' },
		{ "test", required_argument, NULL, 'T' },     { "capacity", required_argument, NULL, 'n' },
		{ "fee", required_argument, NULL, 'f' },      { "currency", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct sk_sitting s;
	memset(&s, 0, sizeof(s));
	const char *fee = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': snprintf(s.code, sizeof(s.code), "%s", optarg); break;
		case 'd': snprintf(s.exam_date, sizeof(s.exam_date), "%s", optarg); break;
		case 't': snprintf(s.start_time, sizeof(s.start_time), "%s", optarg); break;
		case 'v': snprintf(s.venue, sizeof(s.venue), "%s", optarg); break;
		case 'T':
			if (sk_sitting_parse_tests(&s, optarg))
				return cli_bad_usage(usage_create, "%s", _("a sitting offers at most 16 tests"));
			break;
		case 'n': {
			char *end = NULL;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > 1000000)
				return cli_bad_usage(usage_create, _("'%s' is not a number of seats"), optarg);
			s.capacity = (int)n;
			break;
		}
		case 'f': fee = optarg; break;
		case 'C':
			snprintf(s.fee_currency, sizeof(s.fee_currency), "%s", optarg);
			sk_ascii_upper(s.fee_currency);
			break;
		case ':': /* a known option without its value */
			return cli_bad_usage(usage_create, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_create, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_create, _("unexpected argument '%s'"), argv[optind]);
	const char *missing = !s.code[0] ? "--code" : !s.exam_date[0] ? "--date" : !s.start_time[0] ? "--time"
			    : !s.venue[0] ? "--venue" : !s.ntests ? "--test" : !fee ? "--fee"
			    : !s.fee_currency[0] ? "--currency" : NULL;
	if (missing)
		return cli_bad_usage(usage_create, _("give %s"), missing);
	struct sk_report rep = SK_REPORT_INIT;
	int outcome = 0;
	int rc = sk_sitting_save(cli->db, &s, fee, &outcome, &rep);
	cli_print_report(&rep);
	sk_report_release(&rep);
	if (rc == SK_EINPUT)
		return EXIT_FAIL;
	if (rc)
		return cli_db_error(cli, rc, _("sitting"));
	struct sk_sitting saved;
	if (sk_sitting_get(cli->db, s.code, &saved) == 0)
		printf(outcome == 1 ? _("sitting %s created (serial %04d, capacity %d)\n")
		       : outcome == 2 ? _("sitting %s updated (serial %04d, capacity %d)\n")
				      : _("sitting %s unchanged (serial %04d, capacity %d)\n"),
		       saved.code, saved.serial, saved.capacity);
	return EXIT_OK;
}

static int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct sk_import_opts opts;
	const char *file;
	int rc = cli_import_args(argc, argv, usage_import, &opts, &file);
	if (rc)
		return rc;
	return cli_import_run(cli, N_("sittings"), file, &opts, sk_sitting_import);
}

static json_t *sitting_json(const struct sk_sitting *s)
{
	char fee[40];
	json_t *o = json_object();
	json_object_set_new(o, "code", json_string(s->code));
	json_object_set_new(o, "serial", json_integer(s->serial));
	json_object_set_new(o, "date", json_string(s->exam_date));
	json_object_set_new(o, "start_time", json_string(s->start_time));
	json_object_set_new(o, "venue", json_string(s->venue));
	json_object_set_new(o, "capacity", json_integer(s->capacity));
	json_object_set_new(o, "registered", json_integer(s->registered));
	json_object_set_new(o, "fee", json_string(sk_money_format(fee, s->fee_amount, s->fee_currency)));
	json_object_set_new(o, "currency", json_string(s->fee_currency));
	json_t *tests = json_array();
	for (size_t i = 0; i < s->ntests; i++)
		json_array_append_new(tests, json_string(s->tests[i]));
	json_object_set_new(o, "tests", tests);
	return o;
}

struct list_state {
	int json;
	json_t *array;
	struct table table;
};

static int list_row(void *payload, const struct sk_sitting *s)
{
	struct list_state *ls = payload;
	if (ls->json) {
		json_array_append_new(ls->array, sitting_json(s));
		return 0;
	}
	char serial[8], tests[256] = "", seats[32], fee[64], amt[40];
	snprintf(serial, sizeof(serial), "%04d", s->serial);
	size_t n = 0;
	for (size_t i = 0; i < s->ntests && n < sizeof(tests); i++)
		n += (size_t)snprintf(tests + n, sizeof(tests) - n, "%s%s", i ? " " : "", s->tests[i]);
	snprintf(seats, sizeof(seats), "%d/%d", s->registered, s->capacity);
	snprintf(fee, sizeof(fee), "%s %s", sk_money_format(amt, s->fee_amount, s->fee_currency), s->fee_currency);
	const char *row[] = { s->code, serial, s->exam_date, s->start_time, s->venue, tests, seats, fee };
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
	static const char *headers[] = { N_("code"), N_("serial"), N_("date"), N_("time"), N_("venue"),
					 N_("tests"), N_("registered"), N_("fee") };
	table_init(&ls.table, 8, headers);
	ls.array = json_array();
	int rc = sk_sitting_foreach(cli->db, list_row, &ls);
	int code = EXIT_OK;
	if (rc)
		code = cli_db_error(cli, rc, _("listing sittings"));
	else if (ls.json)
		cli_print_json(json_incref(ls.array));
	else
		table_print(&ls.table, stdout);
	json_decref(ls.array);
	table_release(&ls.table);
	return code;
}

struct room_count {
	char room[24];
	int registered, unpaid;
};

struct show_state {
	struct room_count rooms[64];
	size_t nrooms;
	int tests_count[16];
	const struct sk_sitting *s;
};

static int count_row(void *payload, const struct sk_registration *r)
{
	struct show_state *ss = payload;
	size_t i = 0;
	for (; i < ss->nrooms; i++)
		if (!strcmp(ss->rooms[i].room, r->room))
			break;
	if (i == ss->nrooms && ss->nrooms < 64)
		snprintf(ss->rooms[ss->nrooms++].room, sizeof(ss->rooms[0].room), "%s", r->room);
	if (i < 64) {
		ss->rooms[i].registered++;
		if (!strcmp(r->fee_status, "unpaid") || !strcmp(r->fee_status, "refunded"))
			ss->rooms[i].unpaid++;
	}
	for (size_t k = 0; k < ss->s->ntests; k++)
		if (!strcmp(ss->s->tests[k], r->test))
			ss->tests_count[k]++;
	return 0;
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
		return cli_bad_usage(usage_show, "%s", _("give a sitting code"));
	struct sk_sitting s;
	int rc = sk_sitting_get(cli->db, code, &s);
	if (rc)
		return cli_db_error(cli, rc, _("sitting"));
	struct show_state ss = { .s = &s };
	struct sk_registration_filter f = { .sitting = s.code };
	if ((rc = sk_registration_foreach(cli->db, &f, count_row, &ss)))
		return cli_db_error(cli, rc, _("sitting"));
	if (json) {
		json_t *o = sitting_json(&s);
		json_t *rooms = json_object();
		for (size_t i = 0; i < ss.nrooms; i++) {
			json_t *r = json_object();
			json_object_set_new(r, "registered", json_integer(ss.rooms[i].registered));
			json_object_set_new(r, "unpaid", json_integer(ss.rooms[i].unpaid));
			json_object_set_new(rooms, ss.rooms[i].room, r);
		}
		json_object_set_new(o, "rooms", rooms);
		json_t *by_test = json_object();
		for (size_t k = 0; k < s.ntests; k++)
			json_object_set_new(by_test, s.tests[k], json_integer(ss.tests_count[k]));
		json_object_set_new(o, "by_test", by_test);
		cli_print_json(o);
		return EXIT_OK;
	}
	char amt[40];
	printf("%s  (%s %04d)\n", s.code, _("serial"), s.serial);
	printf("  %s %s %s, %s %s\n", _("on"), s.exam_date, s.start_time, _("at"), s.venue);
	printf("  %s %s %s\n", _("fee"), sk_money_format(amt, s.fee_amount, s.fee_currency), s.fee_currency);
	printf("  %s %d / %d\n", _("registered"), s.registered, s.capacity);
	for (size_t k = 0; k < s.ntests; k++)
		printf("    %-6s %d\n", s.tests[k], ss.tests_count[k]);
	for (size_t i = 0; i < ss.nrooms; i++)
		printf(_("  room %s: %d registered, %d unpaid\n"), ss.rooms[i].room,
		       ss.rooms[i].registered, ss.rooms[i].unpaid);
	return EXIT_OK;
}

const struct subcmd sitting_subs[] = {
	{ "create", cmd_create, usage_create },
	{ "import", cmd_import, usage_import },
	{ "list", cmd_list, usage_list },
	{ "show", cmd_show, usage_show },
	{ NULL, NULL, NULL },
};

int cmd_sitting(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, sitting_subs, usage, argc, argv);
}
