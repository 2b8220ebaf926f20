/* shiken fee import|list */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/db.h"
#include "core/error.h"
#include "core/fee.h"
#include "core/refdata.h"

#include <getopt.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken fee import|list ...\n"
	   "\n"
	   "  import FILE.csv   record payments, refunds and waivers (see README)\n"
	   "  list              list fee records\n"
	   "\n"
	   "Registrations whose fee is not paid: shiken register list --unpaid\n");
static const char usage_import[] =
	N_("usage: shiken fee import FILE.csv [--encoding E] [--ignore-unknown] [--skip-invalid] [--dry-run]\n"
	   "\n"
	   "Each row is one payment, refund or waiver with a unique receipt number, for\n"
	   "an exam number (or a candidate reference). The same receipt imported again\n"
	   "changes nothing.\n");
static const char usage_list[] =
	N_("usage: shiken fee list [--sitting CODE] [--exam-number EXAMNO] [--csv | --json] [--out FILE]\n");

static int cmd_import(struct cli *cli, int argc, char **argv)
{
	struct sk_import_opts opts;
	const char *file;
	int rc = cli_import_args(argc, argv, usage_import, &opts, &file);
	if (rc)
		return rc;
	return cli_import_run(cli, N_("fee records"), file, &opts, sk_fee_import);
}

struct list_state {
	enum out_format fmt;
	json_t *array;
	struct table table;
	struct sk_buf csv;
};

static int list_row(void *payload, const struct sk_payment *p)
{
	struct list_state *ls = payload;
	char amount[40];
	sk_money_format(amount, p->amount, p->currency);
	if (ls->fmt == OUT_JSON) {
		json_t *o = json_object();
		json_object_set_new(o, "exam_number", json_string(p->exam_number));
		json_object_set_new(o, "reference", json_string(p->reference));
		json_object_set_new(o, "kind", json_string(p->kind));
		json_object_set_new(o, "amount", json_string(amount));
		json_object_set_new(o, "currency", json_string(p->currency));
		json_object_set_new(o, "paid_at", json_string(p->paid_at));
		json_object_set_new(o, "method", json_string(p->method));
		json_object_set_new(o, "receipt", json_string(p->receipt));
		json_array_append_new(ls->array, o);
	} else if (ls->fmt == OUT_CSV) {
		const char *row[] = { p->exam_number, p->reference, p->kind, amount, p->currency,
				      p->paid_at, p->method, p->receipt, p->created_at };
		sk_csv_put_row(&ls->csv, row, sizeof(row) / sizeof(row[0]));
	} else {
		char money[48];
		snprintf(money, sizeof(money), "%s %s", amount, p->currency);
		const char *row[] = { p->receipt, p->exam_number, p->reference, _(p->kind), money,
				      p->paid_at, p->method };
		table_add(&ls->table, row);
	}
	return 0;
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' },
		{ "exam-number", required_argument, NULL, 'e' },
		{ "csv", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sitting = NULL, *examno = NULL;
	struct list_state ls = { .fmt = OUT_TABLE };
	const char *out = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sitting = optarg; break;
		case 'e': examno = optarg; break;
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
	static const char *headers[] = { N_("receipt"), N_("exam number"), N_("reference"), N_("kind"),
					 N_("amount"), N_("paid at"), N_("method") };
	static const char *csv_header[] = { "exam_number", "reference", "kind", "amount", "currency",
					    "paid_at", "method", "receipt", "recorded_at" };
	table_init(&ls.table, 7, headers);
	ls.array = json_array();
	if (ls.fmt == OUT_CSV)
		sk_csv_put_row(&ls.csv, csv_header, sizeof(csv_header) / sizeof(csv_header[0]));
	int rc = sk_fee_foreach(cli->db, examno, sitting, list_row, &ls);
	int code = EXIT_OK;
	if (rc)
		code = cli_db_error(cli, rc, _("listing fees"));
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

const struct subcmd fee_subs[] = {
	{ "import", cmd_import, usage_import },
	{ "list", cmd_list, usage_list },
	{ NULL, NULL, NULL },
};

int cmd_fee(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, fee_subs, usage, argc, argv);
}
