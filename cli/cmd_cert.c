/* shiken cert issue|list|revoke|revocations: pass certificates (合格証明書). */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "exam/certificate.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken cert issue|list|revoke|revocations ...\n"
	   "\n"
	   "Pass certificates (合格証明書) and their signed tokens.\n"
	   "  issue         a certificate for every passed candidate of a sitting\n"
	   "  list          the certificates issued, with their status\n"
	   "  revoke        revoke a certificate: verifiers say REVOKED from then on\n"
	   "  revocations   the signed list of revoked certificates, for offline verifiers\n");
static const char usage_issue[] =
	N_("usage: shiken cert issue --sitting S [--dry-run] [--json]\n"
	   "\n"
	   "Issue a certificate for every passed candidate of sitting S that has none\n"
	   "yet: the next number of the year (YYYY-NNNNNN-C), the signed token its QR\n"
	   "code carries, status valid; all in one transaction, each one audited.\n"
	   "Running it again issues only what is new. It needs the issuer (config set\n"
	   "cert.issuer), an active signing key (keys generate) and a graded sitting.\n"
	   "A certificate whose result is no longer a pass (regraded) stays valid until\n"
	   "revoked: issue names each one. --dry-run shows what would be issued.\n");
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

struct issue_state {
	int json;
	json_t *issued, *stale;
	struct table table;
};

static char *full_name(char *out, size_t cap, const char *family, const char *given)
{
	snprintf(out, cap, "%s%s%s", family, *given ? " " : "", given);
	return out;
}

static int issued_row(void *payload, const struct sk_cert_issued *c)
{
	struct issue_state *is = payload;
	char name[512];
	full_name(name, sizeof(name), c->family_name, c->given_name);
	const char *row[] = { c->number, c->exam_number, name, c->test };
	table_add(&is->table, row);
	return json_array_append_new(is->issued, json_pack("{s:s,s:s,s:s,s:s,s:s}", "number", c->number, "exam_number",
							   c->exam_number, "family_name", c->family_name,
							   "given_name", c->given_name, "test", c->test))
		       ? SK_ENOMEM
		       : 0;
}

static int stale_row(void *payload, const struct sk_cert_stale *c)
{
	struct issue_state *is = payload;
	return json_array_append_new(is->stale, json_pack("{s:s,s:s,s:s}", "number", c->number, "exam_number",
							  c->exam_number, "outcome", c->outcome))
		       ? SK_ENOMEM
		       : 0;
}

/* An outcome as the result commands print it. */
static const char *outcome_word(const char *outcome)
{
	return !strcmp(outcome, "fail")		? _("fail")
	       : !strcmp(outcome, "absent")	? _("absent")
	       : !strcmp(outcome, "disqualified") ? _("disqualified")
	       : !strcmp(outcome, "cancelled")	? _("cancelled")
						: _("pending");
}

static int cmd_issue(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *headers[] = { N_("NUMBER"), N_("EXAM NUMBER"), N_("NAME"), N_("TEST") };
	const char *sitting = NULL;
	int dry = 0;
	struct issue_state is = { 0 };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sitting = optarg; break;
		case 'n': dry = 1; break;
		case 'j': is.json = 1; break;
		case ':':
			return cli_bad_usage(usage_issue, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_issue, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_issue, _("unexpected argument '%s'"), argv[optind]);
	if (!sitting)
		return cli_bad_usage(usage_issue, "%s", _("give --sitting S"));
	is.issued = json_array();
	is.stale = json_array();
	table_init(&is.table, 4, headers);
	struct sk_cert_issue_stats st;
	int code = EXIT_OK;
	int rc = is.issued && is.stale ? sk_cert_issue(cli->db, sitting, dry ? SK_CERT_DRY_RUN : 0, issued_row,
						       stale_row, &is, &st)
				      : SK_ENOMEM;
	if (rc == SK_ENOMEM && !*sk_db_errmsg(cli->db)) {
		cli_error("%s", _("out of memory"));
		code = EXIT_FAIL;
		goto cleanup;
	}
	if (rc) {
		code = cli_db_error(cli, rc, NULL);
		goto cleanup;
	}
	if (is.json) {
		cli_print_json(json_pack("{s:s,s:b,s:s,s:I,s:I,s:I,s:I,s:O,s:O}", "sitting", sitting, "dry_run", dry,
					 "kid", st.kid, "passed", (json_int_t)st.passed, "issued",
					 (json_int_t)st.issued, "already", (json_int_t)st.had, "pending",
					 (json_int_t)st.pending, "certificates", is.issued, "stale", is.stale));
	} else {
		if (is.table.nrows)
			table_print(&is.table, stdout);
		if (st.issued && dry)
			printf(_("%s: %zu certificates would be issued, %s to %s (key %s); nothing was written (dry run)\n"),
			       sitting, st.issued, st.first, st.last, st.kid);
		else if (st.issued)
			printf(_("%s: %zu certificates issued, %s to %s (key %s)\n"), sitting, st.issued, st.first,
			       st.last, st.kid);
		else if (st.passed)
			printf(_("%s: no new certificates: all %zu passed candidates have one\n"), sitting, st.passed);
		else
			printf(_("%s: no new certificates: nobody has passed\n"), sitting);
		if (st.issued && st.had)
			printf(_("%zu passed candidates had a certificate already\n"), st.had);
	}
	if (st.pending)
		cli_warn(_("%zu registrations of %s have no result yet and get no certificate until graded"), st.pending,
			 sitting);
	for (size_t i = 0; i < json_array_size(is.stale); i++) {
		const json_t *e = json_array_get(is.stale, i);
		const char *number = json_string_value(json_object_get(e, "number"));
		cli_warn(_("certificate %s (%s) is valid but the result is now '%s': revoke it if it no longer stands: shiken cert revoke %s --reason TEXT"),
			 number, json_string_value(json_object_get(e, "exam_number")),
			 outcome_word(json_string_value(json_object_get(e, "outcome"))), number);
	}
cleanup:
	json_decref(is.issued);
	json_decref(is.stale);
	table_release(&is.table);
	return code;
}

struct list_state {
	int json;
	json_t *array;
	struct table table;
};

static int list_row(void *payload, const struct sk_cert_row *r)
{
	struct list_state *ls = payload;
	char name[512];
	full_name(name, sizeof(name), r->family_name, r->given_name);
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
	{ "issue", cmd_issue, usage_issue },
	{ "list", cmd_list, usage_list },
	{ "revoke", cmd_revoke, usage_revoke },
	{ "revocations", cmd_revocations, usage_revocations },
	{ NULL, NULL, NULL },
};

int cmd_cert(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, cert_subs, usage, argc, argv);
}
