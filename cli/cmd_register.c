/* shiken register import|add|list|show|cancel */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/db.h"
#include "core/error.h"
#include "core/registration.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken register import|add|list|show|cancel ...\n"
	   "\n"
	   "  import FILE.csv   register candidates (columns reference, sitting, test, room)\n"
	   "  add               register one candidate\n"
	   "  list              list registrations (--unpaid: those whose fee is not paid)\n"
	   "  show EXAMNO       show one registration\n"
	   "  cancel EXAMNO     cancel a registration and free its seat\n");
static const char usage_import[] =
	N_("usage: shiken register import FILE.csv [--encoding E] [--ignore-unknown] [--skip-invalid] [--dry-run]\n"
	   "\n"
	   "Each new registration gets an exam number (受験番号) and a seat drawn at\n"
	   "random from the sitting's secret key. Registering the same candidate for\n"
	   "the same sitting and test again changes nothing.\n");
static const char usage_add[] =
	N_("usage: shiken register add --candidate REFERENCE --sitting CODE --test CODE [--room ROOM]\n");
static const char usage_list[] =
	N_("usage: shiken register list [--sitting CODE] [--test CODE] [--room ROOM] [--candidate REF]\n"
	   "                            [--unpaid] [--all] [--csv | --json] [--out FILE]\n"
	   "\n"
	   "--all includes cancelled registrations.\n");
static const char usage_show[] = N_("usage: shiken register show EXAMNO [--json]\n");
static const char usage_cancel[] = N_("usage: shiken register cancel EXAMNO --reason TEXT\n");

static int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct sk_import_opts opts;
	const char *file;
	int rc = cli_import_args(argc, argv, usage_import, &opts, &file);
	if (rc)
		return rc;
	return cli_import_run(cli, N_("registrations"), file, &opts, sk_register_import);
}

static int cmd_add(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "candidate", required_argument, NULL, 'c' }, { "sitting", required_argument, NULL, 's' },
		{ "test", required_argument, NULL, 't' },      { "room", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ref = NULL, *sitting = NULL, *test = NULL, *room = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': ref = optarg; break;
		case 's': sitting = optarg; break;
		case 't': test = optarg; break;
		case 'r': room = optarg; break;
		case ':': /* a known option without its value */
			return cli_bad_usage(usage_add, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_add, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_add, _("unexpected argument '%s'"), argv[optind]);
	if (!ref || !sitting || !test)
		return cli_bad_usage(usage_add, "%s", _("give --candidate, --sitting and --test"));
	struct sk_report rep = SK_REPORT_INIT;
	char examno[SK_EXAMNO_LEN + 1];
	int outcome = 0;
	int rc = sk_register(cli->db, ref, sitting, test, room, examno, &outcome, &rep);
	cli_print_report(&rep);
	sk_report_release(&rep);
	if (rc == SK_EINPUT)
		return EXIT_FAIL;
	if (rc)
		return cli_db_error(cli, rc, _("register"));
	struct sk_registration r;
	if ((rc = sk_registration_get(cli->db, examno, &r)))
		return cli_db_error(cli, rc, _("register"));
	printf(outcome ? _("registered %s: exam number %s, room %s, seat %s\n")
		       : _("%s was already registered: exam number %s, room %s, seat %s\n"),
	       ref, r.exam_number, r.room, r.seat);
	return EXIT_OK;
}

static json_t *reg_json(const struct sk_registration *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "exam_number", json_string(r->exam_number));
	json_object_set_new(o, "sitting", json_string(r->sitting));
	json_object_set_new(o, "exam_date", json_string(r->exam_date));
	json_object_set_new(o, "test", json_string(r->test));
	json_object_set_new(o, "reference", json_string(r->reference));
	json_object_set_new(o, "family_name", json_string(r->family_name));
	json_object_set_new(o, "given_name", json_string(r->given_name));
	json_object_set_new(o, "nationality", json_string(r->nationality));
	json_object_set_new(o, "room", json_string(r->room));
	json_object_set_new(o, "seat", json_string(r->seat));
	json_object_set_new(o, "seat_row", json_integer(r->seat_row));
	json_object_set_new(o, "seat_column", json_integer(r->seat_col));
	json_object_set_new(o, "fee_status", json_string(r->fee_status));
	json_object_set_new(o, "status", json_string(r->status));
	json_object_set_new(o, "created_at", json_string(r->created_at));
	return o;
}

struct list_state {
	enum out_format fmt;
	json_t *array;
	struct table table;
	struct sk_buf csv;
};

static int list_row(void *payload, const struct sk_registration *r)
{
	struct list_state *ls = payload;
	if (ls->fmt == OUT_JSON) {
		json_array_append_new(ls->array, reg_json(r));
		return 0;
	}
	char name[260], row_s[16], col_s[16];
	if (r->given_name[0])
		snprintf(name, sizeof(name), "%s %s", r->family_name, r->given_name);
	else
		snprintf(name, sizeof(name), "%s", r->family_name);
	if (ls->fmt == OUT_CSV) {
		snprintf(row_s, sizeof(row_s), "%d", r->seat_row);
		snprintf(col_s, sizeof(col_s), "%d", r->seat_col);
		const char *row[] = { r->exam_number, r->sitting, r->exam_date, r->test, r->reference,
				      r->family_name, r->given_name, r->nationality, r->room, r->seat,
				      row_s, col_s, r->fee_status, r->status, r->created_at };
		sk_csv_put_row(&ls->csv, row, sizeof(row) / sizeof(row[0]));
		return 0;
	}
	const char *row[] = { r->exam_number, r->sitting, r->test, r->reference, name, r->room,
			      r->seat, _(r->fee_status), _(r->status) };
	table_add(&ls->table, row);
	return 0;
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' }, { "test", required_argument, NULL, 't' },
		{ "room", required_argument, NULL, 'r' },    { "candidate", required_argument, NULL, 'c' },
		{ "unpaid", no_argument, NULL, 'u' },        { "all", no_argument, NULL, 'a' },
		{ "csv", no_argument, NULL, 'C' },           { "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },     { NULL, 0, NULL, 0 },
	};
	struct sk_registration_filter f = { 0 };
	struct list_state ls = { .fmt = OUT_TABLE };
	const char *out = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's': f.sitting = optarg; break;
		case 't': f.test = optarg; break;
		case 'r': f.room = optarg; break;
		case 'c': f.reference = optarg; break;
		case 'u': f.unpaid_only = 1; break;
		case 'a': f.include_cancelled = 1; break;
		case 'C': ls.fmt = OUT_CSV; break;
		case 'j': ls.fmt = OUT_JSON; break;
		case 'o': out = optarg; break;
		case ':': /* a known option without its value */
			return cli_bad_usage(usage_list, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_list, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_list, _("unexpected argument '%s'"), argv[optind]);
	if (out && ls.fmt == OUT_TABLE)
		ls.fmt = OUT_CSV;
	static const char *headers[] = { N_("exam number"), N_("sitting"), N_("test"), N_("reference"),
					 N_("name"), N_("room"), N_("seat"), N_("fee"), N_("status") };
	static const char *csv_header[] = { "exam_number", "sitting", "exam_date", "test", "reference",
					    "family_name", "given_name", "nationality", "room", "seat",
					    "seat_row", "seat_column", "fee_status", "status", "created_at" };
	table_init(&ls.table, 9, headers);
	ls.array = json_array();
	if (ls.fmt == OUT_CSV)
		sk_csv_put_row(&ls.csv, csv_header, sizeof(csv_header) / sizeof(csv_header[0]));
	int rc = sk_registration_foreach(cli->db, &f, list_row, &ls);
	int code = EXIT_OK;
	if (rc)
		code = cli_db_error(cli, rc, _("listing registrations"));
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
	struct sk_registration r;
	int rc = sk_registration_get(cli->db, examno, &r);
	if (rc)
		return cli_db_error(cli, rc, _("registration"));
	if (json) {
		cli_print_json(reg_json(&r));
		return EXIT_OK;
	}
	printf("%s  %s %s %s\n", r.exam_number, r.sitting, r.exam_date, r.test);
	printf("  %s %s %s\n", r.reference, r.family_name, r.given_name);
	printf("  %s %s, %s %s\n", _("room"), r.room, _("seat"), r.seat);
	printf("  %s %s, %s %s\n", _("fee"), _(r.fee_status), _("status"), _(r.status));
	return EXIT_OK;
}

static int cmd_cancel(struct cli *cli, int argc, char **argv)
{
	/* Parsed by hand, not getopt: options may follow the exam number, as the
	 * usage shows ("cancel EXAMNO --reason TEXT"). */
	const char *reason = NULL, *examno = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reason")) {
			if (++i == argc)
				return cli_bad_usage(usage_cancel, "%s", _("give --reason"));
			reason = argv[i];
		} else if (!strncmp(argv[i], "--reason=", 9)) {
			reason = argv[i] + 9;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_bad_usage(usage_cancel, _("unknown option '%s'"), argv[i]);
		} else if (!examno) {
			examno = argv[i];
		} else {
			return cli_bad_usage(usage_cancel, "%s", _("give one exam number"));
		}
	}
	if (!examno)
		return cli_bad_usage(usage_cancel, "%s", _("give one exam number"));
	if (!reason || !*reason)
		return cli_bad_usage(usage_cancel, "%s", _("give --reason"));
	int rc = sk_register_cancel(cli->db, examno, reason);
	if (rc)
		return cli_db_error(cli, rc, _("cancel"));
	char canon[SK_EXAMNO_LEN + 1];
	if (sk_examno_parse(canon, examno, NULL, NULL))
		snprintf(canon, sizeof(canon), "%s", examno); /* cannot happen: it was just found */
	printf(_("registration %s cancelled\n"), canon);
	return EXIT_OK;
}

const struct subcmd register_subs[] = {
	{ "import", cmd_import, usage_import },
	{ "add", cmd_add, usage_add },
	{ "list", cmd_list, usage_list },
	{ "show", cmd_show, usage_show },
	{ "cancel", cmd_cancel, usage_cancel },
	{ NULL, NULL, NULL },
};

int cmd_register(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, register_subs, usage, argc, argv);
}
