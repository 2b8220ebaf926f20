/* shiken audit show|verify */
#include "cli/cli.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken audit show|verify ...\n"
	   "\n"
	   "  show      show audit records, newest last\n"
	   "  verify    check the hash chain: any edited, inserted or deleted record is named\n");
static const char usage_show[] =
	N_("usage: shiken audit show [--entity KIND] [--key KEY] [--limit N] [--json]\n"
	   "\n"
	   "KIND is candidate, registration, payment, sitting, venue, test or database;\n"
	   "KEY is e.g. a reference or an exam number. --limit defaults to 50 (0: all).\n");
static const char usage_verify[] =
	N_("usage: shiken audit verify [--head SEQ:HASH] [--json]\n"
	   "\n"
	   "Recompute every record's MAC and the chain. Prints the head (sequence and\n"
	   "chain hash): write it down somewhere else; --head checks later that the log\n"
	   "still holds that record, so it was not cut back. Exit 3 when not intact.\n");

struct show_state {
	int json;
	json_t *array;
};

static int show_row(void *payload, const struct sk_audit_record *r)
{
	struct show_state *ss = payload;
	if (ss->json) {
		json_t *o = json_object();
		json_object_set_new(o, "seq", json_integer(r->seq));
		json_object_set_new(o, "at", json_string(r->at));
		json_object_set_new(o, "actor", json_string(r->actor));
		json_object_set_new(o, "command", json_string(r->command));
		json_object_set_new(o, "entity", json_string(r->entity));
		json_object_set_new(o, "key", json_string(r->entity_key));
		json_object_set_new(o, "action", json_string(r->action));
		json_t *d = json_loads(r->detail, 0, NULL);
		json_object_set_new(o, "detail", d ? d : json_string(r->detail));
		json_array_append_new(ss->array, o);
		return 0;
	}
	printf("%6lld %s %-10s %-22s %s %s %s %s\n", (long long)r->seq, r->at, r->actor, r->command,
	       r->entity, r->entity_key, r->action, r->detail);
	return 0;
}

static int cmd_show(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "entity", required_argument, NULL, 'e' }, { "key", required_argument, NULL, 'k' },
		{ "limit", required_argument, NULL, 'l' },  { "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct sk_audit_filter f = { .limit = 50 };
	struct show_state ss = { 0 };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'e': f.entity = optarg; break;
		case 'k': f.entity_key = optarg; break;
		case 'l': {
			char *end = NULL;
			f.limit = strtoll(optarg, &end, 10);
			if (*end || f.limit < 0)
				return cli_bad_usage(usage_show, _("'%s' is not a number"), optarg);
			break;
		}
		case 'j': ss.json = 1; break;
		case ':': /* a known option without its value */
			return cli_bad_usage(usage_show, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_show, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_show, _("unexpected argument '%s'"), argv[optind]);
	ss.array = json_array();
	int rc = sk_audit_foreach(cli->db, &f, show_row, &ss);
	if (rc) {
		json_decref(ss.array);
		return cli_db_error(cli, rc, _("audit log"));
	}
	if (ss.json)
		cli_print_json(json_incref(ss.array));
	json_decref(ss.array);
	return EXIT_OK;
}

static int cmd_verify_log(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "head", required_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0;
	long long head_seq = 0;
	char head_hash[80] = "";
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': {
			/* All of it must be a head: "12:<hash>junk" is a typo, not a head. */
			int end = 0;
			if (sscanf(optarg, "%lld:%64[0-9a-fA-F]%n", &head_seq, head_hash, &end) != 2 ||
			    optarg[end] || head_seq < 1 || strlen(head_hash) < 16)
				return cli_bad_usage(usage_verify, _("'%s' is not a head like 1234:3f2a9c0b1d2e4f56"), optarg);
			for (char *p = head_hash; *p; p++)
				if (*p >= 'A' && *p <= 'F')
					*p = (char)(*p - 'A' + 'a');
			break;
		}
		case 'j': json = 1; break;
		case ':': /* a known option without its value */
			return cli_bad_usage(usage_verify, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_verify, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_verify, _("unexpected argument '%s'"), argv[optind]);
	struct sk_audit_result res;
	int rc = sk_audit_verify(cli->db, &res, head_seq, head_seq ? head_hash : NULL);
	if (rc && rc != SK_EVERIFY) {
		sk_report_release(&res.problems);
		return cli_db_error(cli, rc, _("audit log"));
	}
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "intact", json_boolean(rc == 0));
		json_object_set_new(o, "records", json_integer(res.records));
		json_object_set_new(o, "head_seq", json_integer(res.head_seq));
		json_object_set_new(o, "head", json_string(res.head));
		json_t *probs = json_array();
		struct sk_buf b = SK_BUF_INIT;
		for (size_t i = 0; i < res.problems.count; i++) {
			sk_buf_reset(&b);
			sk_diag_format(&b, &res.problems.items[i], sk_gettext);
			json_array_append_new(probs, json_string(b.buf));
		}
		sk_buf_release(&b);
		json_object_set_new(o, "problems", probs);
		cli_print_json(o);
	} else if (rc == 0) {
		printf(_("audit log intact: %lld records\n"), (long long)res.records);
		printf(_("head: %lld:%.16s (write this down to check later with --head)\n"),
		       (long long)res.head_seq, res.head);
	} else {
		cli_print_report(&res.problems);
		if (res.problems.count == 1)
			cli_error(_("audit log NOT intact: 1 problem in %lld records"), (long long)res.records);
		else
			cli_error(_("audit log NOT intact: %zu problems in %lld records"), res.problems.count,
				  (long long)res.records);
	}
	sk_report_release(&res.problems);
	return rc ? EXIT_VERIFY : EXIT_OK;
}

const struct subcmd audit_subs[] = {
	{ "show", cmd_show, usage_show },
	{ "verify", cmd_verify_log, usage_verify },
	{ NULL, NULL, NULL },
};

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, audit_subs, usage, argc, argv);
}
