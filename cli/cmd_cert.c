/* shiken cert list|revoke|revocations: pass certificates (合格証明書). */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "exam/certificate.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken cert list|revoke|revocations ...\n"
	   "\n"
	   "Pass certificates (合格証明書) and their signed tokens.\n"
	   "  list          the certificates issued, with their status\n"
	   "  revoke        revoke a certificate: verifiers say REVOKED from then on\n"
	   "  revocations   the signed list of revoked certificates, for offline verifiers\n");
static const char usage_list[] =
	N_("usage: shiken cert list [--status valid|revoked] [--json]\n");
static const char usage_revoke[] =
	N_("usage: shiken cert revoke NUMBER --reason TEXT\n"
	   "\n"
	   "Revoke the certificate NUMBER (YYYY-NNNNNN-C) for REASON (kept in the\n"
	   "registry and the audit log, never published). It cannot be undone. The\n"
	   "registry's verifier says REVOKED at once; offline verifiers once they have\n"
	   "a new revocation list (cert revocations).\n");
static const char usage_revocations[] =
	N_("usage: shiken cert revocations [--out FILE]\n"
	   "\n"
	   "Write the list of revoked certificates (numbers and times, no reasons),\n"
	   "signed with the active key, to FILE or standard output. Verifiers check it\n"
	   "with the published keys: shiken verify TOKEN --jwks KEYS --revocations FILE.\n");

/* Issuing ("cert issue": number, claims from a passed registration, the
 * signed token, the PDF) is the next piece of work; exam/certificate.h has
 * sk_cert_sign() and the certificate table ready for it. */

struct list_state {
	int json;
	json_t *array;
	struct table table;
};

static int list_row(void *payload, const struct sk_cert_row *r)
{
	struct list_state *ls = payload;
	char name[512];
	snprintf(name, sizeof(name), "%s%s%s", r->family_name, *r->given_name ? " " : "", r->given_name);
	if (ls->json) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "number", r->number, "exam_number",
				      r->exam_number, "family_name", r->family_name, "given_name", r->given_name,
				      "test", r->test, "issued_at", r->issued_at, "status", r->status, "kid", r->kid);
		if (o && *r->revoked_at) {
			json_object_set_new(o, "revoked_at", json_string(r->revoked_at));
			json_object_set_new(o, "reason", json_string(r->reason));
		}
		json_array_append_new(ls->array, o);
		return 0;
	}
	const char *row[] = { r->number, r->exam_number, name, r->test, r->issued_at,
			      !strcmp(r->status, "revoked") ? _("revoked") : _("valid"), r->revoked_at };
	table_add(&ls->table, row);
	return 0;
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *headers[] = { N_("NUMBER"), N_("EXAM NUMBER"), N_("NAME"), N_("TEST"),
					 N_("ISSUED"), N_("STATUS"), N_("REVOKED") };
	struct list_state ls = { 0 };
	const char *status = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (strcmp(optarg, "valid") && strcmp(optarg, "revoked"))
				return cli_bad_usage(usage_list, _("'%s' is not a status: valid or revoked"), optarg);
			status = optarg;
			break;
		case 'j': ls.json = 1; break;
		case ':':
			return cli_bad_usage(usage_list, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_list, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_list, _("unexpected argument '%s'"), argv[optind]);
	ls.array = json_array();
	table_init(&ls.table, 7, headers);
	int rc = sk_cert_foreach(cli->db, status, list_row, &ls);
	if (rc) {
		json_decref(ls.array);
		table_release(&ls.table);
		return cli_db_error(cli, rc, _("certificates"));
	}
	if (ls.json)
		cli_print_json(json_incref(ls.array));
	else if (ls.table.nrows)
		table_print(&ls.table, stdout);
	else
		printf("%s\n", _("no certificates"));
	json_decref(ls.array);
	table_release(&ls.table);
	return EXIT_OK;
}

static int cmd_revoke(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *number = NULL, *reason = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "-:", longopts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (number)
				return cli_bad_usage(usage_revoke, _("unexpected argument '%s'"), optarg);
			number = optarg;
			break;
		case 'r': reason = optarg; break;
		case ':':
			return cli_bad_usage(usage_revoke, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_revoke, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++) {
		if (number)
			return cli_bad_usage(usage_revoke, _("unexpected argument '%s'"), argv[optind]);
		number = argv[optind];
	}
	if (!number)
		return cli_bad_usage(usage_revoke, "%s", _("give a certificate number"));
	if (!reason)
		return cli_bad_usage(usage_revoke, "%s", _("give the reason: --reason TEXT"));
	char canon[SK_CERTNO_LEN + 1];
	int rc = sk_certno_parse(canon, number);
	if (rc == SK_EVERIFY) {
		cli_error(_("'%s' has a wrong check digit (mistyped?)"), number);
		return EXIT_FAIL;
	}
	if (rc) {
		cli_error(_("'%s' is not a certificate number (like 2026-000001-5)"), number);
		return EXIT_FAIL;
	}
	if ((rc = sk_cert_revoke(cli->db, canon, reason)))
		return cli_db_error(cli, rc, NULL);
	printf(_("certificate %s revoked\n"), canon);
	printf("%s\n", _("offline verifiers learn of it from a new revocation list: shiken cert revocations --out FILE"));
	return EXIT_OK;
}

static int cmd_revocations(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case ':':
			return cli_bad_usage(usage_revocations, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_revocations, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_revocations, _("unexpected argument '%s'"), argv[optind]);
	char *token = NULL;
	size_t count = 0;
	int rc = sk_revocations_build(cli->db, &token, &count);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_adds(&b, token);
	sk_buf_addch(&b, '\n');
	free(token);
	if (sk_buf_failed(&b)) {
		sk_buf_release(&b);
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	int r = cli_write_file(out, b.buf, b.len, 0644);
	sk_buf_release(&b);
	if (r == EXIT_OK && out && strcmp(out, "-"))
		printf(_("wrote %s (signed revocation list; revoked certificates: %zu)\n"), out, count);
	return r;
}

const struct subcmd cert_subs[] = {
	{ "list", cmd_list, usage_list },
	{ "revoke", cmd_revoke, usage_revoke },
	{ "revocations", cmd_revocations, usage_revocations },
	{ NULL, NULL, NULL },
};

int cmd_cert(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, cert_subs, usage, argc, argv);
}
