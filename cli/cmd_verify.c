/*
 * shiken verify TOKEN|URL|-: check a certificate's token, offline with the
 * published keys (--jwks) and optionally a signed revocation list, or
 * against this registry's key file and certificate table. Exit 0 when
 * valid, 3 when not (the reason printed as a code and a sentence), 1 when
 * the check itself could not be made, 2 for bad usage.
 */
#include "cli/cli.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/jws.h"
#include "core/keys.h"
#include "core/photo.h"
#include "exam/certificate.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	N_("usage: shiken verify TOKEN|URL|- [--jwks FILE] [--revocations FILE] [--issuer ISS] [--json]\n"
	   "\n"
	   "Check a certificate's QR code: its signature first, then its issuer and\n"
	   "whether it was revoked. TOKEN is the code itself, URL the address the QR\n"
	   "code holds (https://HOST/c/TOKEN), '-' reads it from standard input.\n"
	   "  --jwks FILE         check offline with these public keys (keys export-jwks);\n"
	   "                      without it, with the key file and registry of --db\n"
	   "  --revocations FILE  a signed revocation list (cert revocations)\n"
	   "  --issuer ISS        the issuer the certificate must name (default: the\n"
	   "                      registry's cert.issuer; offline: the revocation list's\n"
	   "                      issuer, or not checked without a list)\n"
	   "  --json              print the outcome as JSON\n"
	   "Exit status: 0 valid, 3 not valid (the reason is printed), 1 error, 2 usage.\n");

#define MAX_INPUT (64u * 1024u)

/* Read a whole file (or standard input for "-") of at most max bytes; an
 * exit code on failure, after saying why. */
static int read_input(char **out, size_t *len, const char *path, size_t max, const char *what)
{
	unsigned char *data = NULL;
	int rc = sk_read_file(&data, len, strcmp(path, "-") ? path : "/dev/stdin", max);
	if (rc == SK_ERANGE) {
		cli_error(_("%s '%s' is too large"), what, path);
		return EXIT_FAIL;
	}
	if (rc) {
		cli_error(_("cannot read %s '%s': %s"), what, path, strerror(errno));
		return EXIT_FAIL;
	}
	*out = (char *)data;
	return EXIT_OK;
}

/* Leading and trailing ASCII white space, as a pasted line or file has. */
static void trim(const char **s, size_t *len)
{
	while (*len && strchr(" \t\r\n", (*s)[0]))
		(*s)++, (*len)--;
	while (*len && strchr(" \t\r\n", (*s)[*len - 1]))
		(*len)--;
}

static void time_text(char out[21], int64_t seconds)
{
	sk_time_format(out, (long long)seconds);
}

static void print_text(const struct sk_cert_check *chk, const struct sk_revocations *rev)
{
	enum sk_verdict v = chk->verdict;
	if (v == SK_VERDICT_VALID)
		printf("%s: %s\n", _("VALID"), _(sk_verdict_sentence(v)));
	else
		printf("%s (%s): %s\n", _("NOT VALID"), sk_verdict_code(v), _(sk_verdict_sentence(v)));
	if (chk->detail)
		printf("  %s: %s\n", _("detail"), _(chk->detail));
	if (chk->payload) {
		const struct sk_cert_claims *c = &chk->claims;
		char t[21];
		printf("  %s: %s\n", _("certificate"), c->number);
		printf("  %s: %s%s%s\n", _("name"), c->family_name, *c->given_name ? " " : "", c->given_name);
		printf("  %s: %s\n", _("date of birth"), c->birthdate);
		printf("  %s: %s %s / %s, ", _("test"), c->test_code, c->category_ja, c->category_en);
		printf(_("level %d"), c->level);
		printf("\n  %s: %s\n", _("sitting date"), c->sitting_date);
		printf("  %s: %s\n", _("issued"), (time_text(t, c->issued_at), t));
		printf("  %s: %s\n", _("issuer"), c->issuer);
		if (chk->revoked_at)
			printf("  %s: %s\n", _("revoked"), (time_text(t, chk->revoked_at), t));
	}
	if (*chk->kid && v != SK_VERDICT_MALFORMED)
		printf("  %s: %s\n", _("key"), chk->kid);
	if (rev->issuer[0]) {
		char t[21];
		printf("  %s: %s\n", _("revocation list as of"), (time_text(t, rev->issued_at), t));
	}
}

static void print_json(const struct sk_cert_check *chk, const struct sk_revocations *rev)
{
	json_t *o = json_object();
	json_object_set_new(o, "valid", json_boolean(chk->verdict == SK_VERDICT_VALID));
	json_object_set_new(o, "reason", json_string(sk_verdict_code(chk->verdict)));
	json_object_set_new(o, "message", json_string(_(sk_verdict_sentence(chk->verdict))));
	json_object_set_new(o, "detail", chk->detail ? json_string(_(chk->detail)) : json_null());
	json_object_set_new(o, "kid", *chk->kid ? json_string(chk->kid) : json_null());
	json_object_set_new(o, "claims", chk->payload ? json_incref(chk->payload) : json_null());
	char t[21];
	json_object_set_new(o, "revoked_at", chk->revoked_at ? json_string((time_text(t, chk->revoked_at), t)) : json_null());
	json_object_set_new(o, "revocations_as_of",
			    rev->issuer[0] ? json_string((time_text(t, rev->issued_at), t)) : json_null());
	cli_print_json(o);
}

int cmd_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "jwks", required_argument, NULL, 'k' },
		{ "revocations", required_argument, NULL, 'r' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, usage);
		return EXIT_OK;
	}
	const char *input = NULL, *jwks_path = NULL, *rev_path = NULL, *issuer = NULL;
	int json = 0;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "-:", longopts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (input)
				return cli_bad_usage(usage, _("unexpected argument '%s'"), optarg);
			input = optarg;
			break;
		case 'k': jwks_path = optarg; break;
		case 'r': rev_path = optarg; break;
		case 'i':
			if (!sk_cert_issuer_valid(optarg))
				return cli_bad_usage(usage, _("'%s' is not an issuer: 1-200 printable characters, no spaces"),
						     optarg);
			issuer = optarg;
			break;
		case 'j': json = 1; break;
		case ':':
			return cli_bad_usage(usage, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			/* A lone "-" is the input, not an option. */
			return cli_bad_usage(usage, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++) {
		if (input)
			return cli_bad_usage(usage, _("unexpected argument '%s'"), argv[optind]);
		input = argv[optind];
	}
	if (!input)
		return cli_bad_usage(usage, "%s", _("give a token, a URL, or '-' to read one"));

	int r = EXIT_FAIL;
	char *stdin_text = NULL, *jwks_text = NULL, *rev_text = NULL, *db_issuer = NULL;
	struct sk_keyring ring = SK_KEYRING_INIT;
	struct sk_revocations rev = SK_REVOCATIONS_INIT;
	struct sk_cert_check chk = { 0 };
	size_t len = 0;

	/* The keys: a published JWK Set, or this registry's key file. */
	if (jwks_path) {
		const char *why = NULL;
		if ((r = read_input(&jwks_text, &len, jwks_path, 1u << 20, _("key set"))))
			goto cleanup;
		if (sk_keyring_from_jwks(&ring, jwks_text, len, &why)) {
			cli_error("%s: %s", jwks_path, _(why));
			r = EXIT_FAIL;
			goto cleanup;
		}
		if (!ring.count) {
			cli_error(_("%s: no Ed25519 signing keys in this key set"), jwks_path);
			r = EXIT_FAIL;
			goto cleanup;
		}
	} else {
		if (access(cli->db_path, F_OK) != 0) {
			cli_error(_("no database at '%s': give --jwks FILE to check with the published keys"),
				  cli->db_path);
			goto cleanup;
		}
		if ((r = cli_open_db(cli, 1, argv, 1)))
			goto cleanup;
		r = EXIT_FAIL;
		if (sk_keys_keyring(cli->db, &ring)) {
			cli_db_error(cli, cli->db->err, NULL);
			goto cleanup;
		}
		if (!issuer && (db_issuer = sk_db_meta_get(cli->db, SK_CONFIG_ISSUER)))
			issuer = db_issuer;
	}

	if (rev_path) {
		const char *detail = NULL;
		if ((r = read_input(&rev_text, &len, rev_path, SK_REVOCATIONS_MAX_TOKEN + 2, _("revocation list"))))
			goto cleanup;
		r = EXIT_FAIL;
		const char *t = rev_text;
		trim(&t, &len);
		enum sk_verdict v = sk_revocations_read(&rev, t, len, &ring, &detail);
		if (v != SK_VERDICT_VALID) {
			cli_error(_("%s: the revocation list cannot be trusted: %s: %s"), rev_path, sk_verdict_code(v),
				  _(detail));
			goto cleanup;
		}
		if (issuer && strcmp(rev.issuer, issuer)) {
			cli_error(_("%s: the revocation list is from issuer '%s', not '%s'"), rev_path, rev.issuer, issuer);
			goto cleanup;
		}
		/* Signed by the same keys, the list names the issuer they belong
		 * to: a certificate naming another one is not this issuer's, and
		 * the list could say nothing about it. */
		if (!issuer)
			issuer = rev.issuer;
	}

	const char *token = input;
	len = strlen(input);
	if (!strcmp(input, "-")) {
		if ((r = read_input(&stdin_text, &len, "-", MAX_INPUT, _("input"))))
			goto cleanup;
		r = EXIT_FAIL;
		token = stdin_text;
	}
	trim(&token, &len);
	sk_cert_token_from_text(token, len, &token, &len);

	struct sk_cert_verify_opts opts = { .keys = &ring, .issuer = issuer, .revocations = rev_path ? &rev : NULL,
					    .db = jwks_path ? NULL : cli->db };
	if (sk_cert_verify(&chk, token, len, &opts)) {
		cli_db_error(cli, cli->db->err, NULL);
		goto cleanup;
	}
	if (json)
		print_json(&chk, &rev);
	else
		print_text(&chk, &rev);
	r = chk.verdict == SK_VERDICT_VALID ? EXIT_OK : EXIT_VERIFY;
cleanup:
	sk_cert_check_release(&chk);
	sk_revocations_release(&rev);
	sk_keyring_release(&ring);
	free(stdin_text);
	free(jwks_text);
	free(rev_text);
	free(db_issuer);
	if (cli->db) {
		sk_db_close(cli->db);
		cli->db = NULL;
	}
	return r;
}
