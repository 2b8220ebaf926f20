/* shiken keys generate|list|retire|export-jwks: certificate signing keys. */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "core/jws.h"
#include "core/keys.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken keys generate|list|retire|export-jwks ...\n"
	   "\n"
	   "Certificate signing keys (Ed25519) live in the key file, never in the database.\n"
	   "  generate      make a new key that signs from now on; the previous one retires\n"
	   "  list          the keys: kid, when made, status (never the secret)\n"
	   "  retire        stop a key signing; it still verifies what it signed\n"
	   "  export-jwks   the public keys as a JWK Set, for verifiers\n");
static const char usage_generate[] =
	N_("usage: shiken keys generate\n"
	   "\n"
	   "Make a new Ed25519 key in the key file: it signs every certificate from now\n"
	   "on. The key that signed until now is retired and still verifies what it\n"
	   "signed. Publish the public keys again afterwards (keys export-jwks).\n");
static const char usage_list[] = N_("usage: shiken keys list [--json]\n");
static const char usage_retire[] =
	N_("usage: shiken keys retire KID [--force]\n"
	   "\n"
	   "Stop the key KID signing; it still verifies the certificates it signed.\n"
	   "The active key is replaced with 'keys generate'; retiring it with --force\n"
	   "leaves no key to sign with until the next 'keys generate'.\n");
static const char usage_export[] =
	N_("usage: shiken keys export-jwks [--out FILE]\n"
	   "\n"
	   "Write the public keys, active and retired, as a JWK Set (RFC 7517, OKP\n"
	   "Ed25519 keys as in RFC 8037) to FILE or standard output. Verifiers need the\n"
	   "retired keys too: the certificates they signed remain valid.\n");

/* Parse "[--json]" or "[--out FILE]" style options shared by the verbs. */
struct opts {
	int json, force;
	const char *out;
	const char *arg; /* the one positional argument, if any */
};

static int parse(int argc, char **argv, const char *usage_text, struct opts *o, int want_arg,
		 int allow_json, int allow_out, int allow_force)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	/* A kid is base64url and may start with '-' (1 key in 64): these
	 * commands have no short options, so a word of a kid's length and
	 * alphabet after a single '-' is the kid, not options. */
	int n = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (want_arg && a[0] == '-' && a[1] != '-' && strlen(a) == SK_KID_LEN &&
		    strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == SK_KID_LEN) {
			if (o->arg)
				return cli_bad_usage(usage_text, _("unexpected argument '%s'"), a);
			o->arg = a;
			continue;
		}
		argv[n++] = argv[i]; /* the rest, in order, for getopt */
	}
	argc = n;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "-:", longopts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (!want_arg || o->arg)
				return cli_bad_usage(usage_text, _("unexpected argument '%s'"), optarg);
			o->arg = optarg;
			break;
		case 'j':
			if (!allow_json)
				return cli_bad_usage(usage_text, _("unknown option '%s'"), argv[optind - 1]);
			o->json = 1;
			break;
		case 'o':
			if (!allow_out)
				return cli_bad_usage(usage_text, _("unknown option '%s'"), argv[optind - 1]);
			o->out = optarg;
			break;
		case 'f':
			if (!allow_force)
				return cli_bad_usage(usage_text, _("unknown option '%s'"), argv[optind - 1]);
			o->force = 1;
			break;
		case ':':
			return cli_bad_usage(usage_text, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_text, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++) { /* after "--" */
		if (!want_arg || o->arg)
			return cli_bad_usage(usage_text, _("unexpected argument '%s'"), argv[optind]);
		o->arg = argv[optind];
	}
	if (want_arg && !o->arg)
		return cli_bad_usage(usage_text, "%s", _("give the kid of a signing key"));
	return 0;
}

static int cmd_keys_generate(struct cli *cli, int argc, char **argv)
{
	struct opts o;
	int r = parse(argc, argv, usage_generate, &o, 0, 0, 0, 0);
	if (r)
		return r;
	int version = cli->db->keys->version;
	char kid[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	int rc = sk_keys_sign_generate(cli->db, cli->key_path, kid, retired);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	if (version < SK_KEYS_VERSION)
		printf(_("key file %s upgraded to format %d\n"), cli->key_path, SK_KEYS_VERSION);
	printf(_("signing key %s made: it signs certificates from now on\n"), kid);
	if (*retired)
		printf(_("signing key %s retired: it still verifies the certificates it signed\n"), retired);
	printf("%s\n", _("publish the public keys again: shiken keys export-jwks --out FILE"));
	return EXIT_OK;
}

static int cmd_keys_list(struct cli *cli, int argc, char **argv)
{
	struct opts o;
	int r = parse(argc, argv, usage_list, &o, 0, 1, 0, 0);
	if (r)
		return r;
	const struct sk_keys *k = cli->db->keys;
	if (o.json) {
		json_t *a = json_array();
		for (size_t i = 0; i < k->nsign; i++) {
			char *x = sk_base64url(k->sign[i].secret + SK_ED25519_SEED, SK_ED25519_PUBLIC);
			json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s?}", "kid", k->sign[i].kid, "created",
							   k->sign[i].created, "status",
							   k->sign[i].active ? "active" : "retired", "alg", "EdDSA",
							   "x", x));
			free(x);
		}
		cli_print_json(a);
		return EXIT_OK;
	}
	if (!k->nsign) {
		printf("%s\n", _("no signing keys yet: run 'shiken keys generate'"));
		return EXIT_OK;
	}
	static const char *headers[] = { N_("KID"), N_("CREATED"), N_("STATUS") };
	struct table t;
	table_init(&t, 3, headers);
	for (size_t i = 0; i < k->nsign; i++) {
		const char *row[] = { k->sign[i].kid, k->sign[i].created,
				      k->sign[i].active ? _("active") : _("retired") };
		table_add(&t, row);
	}
	table_print(&t, stdout);
	table_release(&t);
	return EXIT_OK;
}

static int cmd_keys_retire(struct cli *cli, int argc, char **argv)
{
	struct opts o;
	int r = parse(argc, argv, usage_retire, &o, 1, 0, 0, 1);
	if (r)
		return r;
	int rc = sk_keys_sign_retire(cli->db, cli->key_path, o.arg, o.force);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	printf(_("signing key %s retired: it still verifies the certificates it signed\n"), o.arg);
	if (!sk_keys_signer(cli->db))
		cli_warn("%s", _("no key signs certificates now: run 'shiken keys generate'"));
	return EXIT_OK;
}

static int cmd_keys_export(struct cli *cli, int argc, char **argv)
{
	struct opts o;
	int r = parse(argc, argv, usage_export, &o, 0, 0, 1, 0);
	if (r)
		return r;
	struct sk_keyring ring = SK_KEYRING_INIT;
	int rc = sk_keys_keyring(cli->db, &ring);
	if (rc) {
		sk_keyring_release(&ring);
		return cli_db_error(cli, rc, NULL);
	}
	if (!ring.count) {
		sk_keyring_release(&ring);
		cli_error("%s", _("no signing keys to export: run 'shiken keys generate'"));
		return EXIT_FAIL;
	}
	json_t *set = sk_jwks_from_keyring(&ring);
	char *text = set ? json_dumps(set, JSON_INDENT(2)) : NULL;
	json_decref(set);
	size_t count = ring.count;
	sk_keyring_release(&ring);
	if (!text) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_adds(&b, text);
	sk_buf_addch(&b, '\n');
	free(text);
	if (sk_buf_failed(&b)) {
		sk_buf_release(&b);
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	r = cli_write_file(o.out, b.buf, b.len, 0644);
	sk_buf_release(&b);
	if (r == EXIT_OK && o.out && strcmp(o.out, "-"))
		printf(_("wrote %s (JWK Set; keys: %zu)\n"), o.out, count);
	return r;
}

const struct subcmd keys_subs[] = {
	{ "generate", cmd_keys_generate, usage_generate },
	{ "list", cmd_keys_list, usage_list },
	{ "retire", cmd_keys_retire, usage_retire },
	{ "export-jwks", cmd_keys_export, usage_export },
	{ NULL, NULL, NULL },
};

int cmd_keys(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, keys_subs, usage, argc, argv);
}
