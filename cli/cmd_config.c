/* shiken config get|set: settings kept in the database. */
#include "cli/cli.h"
#include "core/audit.h"
#include "core/db.h"
#include "core/buf.h"
#include "core/error.h"
#include "exam/certificate.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken config get|set KEY [VALUE]\n"
	   "\n"
	   "Settings:\n"
	   "  review.approvals   approvals an item needs before it enters forms (1-9, default 2)\n"
	   "  cert.issuer        who issues certificates, as their tokens name it (\"iss\"):\n"
	   "                     a URL or name, 1-200 printable characters, no spaces\n"
	   "  cert.base_url      where certificate QR codes point: BASE_URL/c/TOKEN\n"
	   "                     (http:// or https://, no query; a final '/' is dropped)\n"
	   "  cert.issuer_name_ja  the exam body's name as certificates print it, in\n"
	   "  cert.issuer_name_en  Japanese and in English (1-100 characters, one line)\n"
	   "  stats.min_cell     fewest candidates a cell of 'stats results' or a report shows\n"
	   "                     figures for (1-1000, default 5)\n");
static const char usage_get[] = N_("usage: shiken config get KEY\n");
static const char usage_set[] = N_("usage: shiken config set KEY VALUE\n");

struct setting {
	const char *key;
	const char *fallback; /* shown when unset */
	int lo, hi;           /* a number in lo..hi, or when both are 0, text */
	int (*valid)(const char *text);
	const char *rule;     /* N_(): what valid() wants */
	int strip_slash;      /* drop one final '/' before checking (URLs) */
};

static const struct setting settings[] = {
	{ "review.approvals", "2", 1, 9, NULL, NULL, 0 },
	{ SK_CONFIG_ISSUER, "", 0, 0, sk_cert_issuer_valid,
	  N_("%s takes a URL or name of 1-200 printable characters without spaces"), 0 },
	{ SK_CONFIG_BASE_URL, "", 0, 0, sk_cert_base_url_valid,
	  N_("%s takes an http:// or https:// URL of at most 200 characters, without spaces, query or fragment"), 1 },
	{ SK_CONFIG_ISSUER_NAME_JA, SK_CERT_ISSUER_NAME_JA_DEFAULT, 0, 0, sk_cert_issuer_name_valid,
	  N_("%s takes a name of 1-100 characters on one line"), 0 },
	{ SK_CONFIG_ISSUER_NAME_EN, SK_CERT_ISSUER_NAME_EN_DEFAULT, 0, 0, sk_cert_issuer_name_valid,
	  N_("%s takes a name of 1-100 characters on one line"), 0 },
	{ "stats.min_cell", "5", 1, 1000, NULL, NULL, 0 },
	{ NULL, NULL, 0, 0, NULL, NULL, 0 },
};

static const struct setting *find(const char *key)
{
	for (const struct setting *s = settings; s->key; s++)
		if (!strcmp(s->key, key))
			return s;
	return NULL;
}

static int cmd_get(struct cli *cli, int argc, char **argv)
{
	if (argc != 2)
		return cli_bad_usage(usage_get, "%s", _("give one setting"));
	const struct setting *s = find(argv[1]);
	if (!s)
		return cli_bad_usage(usage, _("no setting '%s'"), argv[1]);
	char *v = sk_db_meta_get(cli->db, s->key);
	printf("%s\n", v ? v : s->fallback);
	free(v);
	return EXIT_OK;
}

static int cmd_set(struct cli *cli, int argc, char **argv)
{
	if (argc != 3)
		return cli_bad_usage(usage_set, "%s", _("give a setting and its value"));
	const struct setting *s = find(argv[1]);
	if (!s)
		return cli_bad_usage(usage, _("no setting '%s'"), argv[1]);
	char value[4 * SK_ISSUER_NAME_MAX + 1];
	if (s->valid) {
		size_t n = strlen(argv[2]);
		if (s->strip_slash && n > 1 && argv[2][n - 1] == '/' && argv[2][n - 2] != '/')
			n--;
		if (n >= sizeof(value) || (snprintf(value, sizeof(value), "%.*s", (int)n, argv[2]), !s->valid(value))) {
			cli_error(_(s->rule), s->key);
			return EXIT_USAGE;
		}
	} else {
		char *end = NULL;
		long v = strtol(argv[2], &end, 10);
		if (!*argv[2] || *end || v < s->lo || v > s->hi) {
			cli_error(_("%s takes a number from %d to %d"), s->key, s->lo, s->hi);
			return EXIT_USAGE;
		}
		snprintf(value, sizeof(value), "%ld", v);
	}
	char *old = sk_db_meta_get(cli->db, s->key);
	struct sk_buf detail = SK_BUF_INIT;
	sk_buf_addch(&detail, '{');
	sk_buf_add_json_str(&detail, s->key);
	sk_buf_adds(&detail, ":[");
	sk_buf_add_json_str(&detail, old ? old : s->fallback);
	sk_buf_addch(&detail, ',');
	sk_buf_add_json_str(&detail, value);
	sk_buf_adds(&detail, "]}");
	free(old);
	if (sk_buf_failed(&detail)) {
		sk_buf_release(&detail);
		cli_error("out of memory");
		return EXIT_FAIL;
	}
	int rc;
	if ((rc = sk_db_begin(cli->db)) || (rc = sk_db_meta_set(cli->db, s->key, value)) ||
	    (rc = sk_audit_append(cli->db, "config", s->key, "set", detail.buf)) || (rc = sk_db_commit(cli->db))) {
		sk_db_rollback(cli->db);
		sk_buf_release(&detail);
		return cli_db_error(cli, rc, NULL);
	}
	sk_buf_release(&detail);
	printf("%s = %s\n", s->key, value);
	return EXIT_OK;
}

const struct subcmd config_subs[] = {
	{ "get", cmd_get, usage_get },
	{ "set", cmd_set, usage_set },
	{ NULL, NULL, NULL },
};

int cmd_config(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, config_subs, usage, argc, argv);
}
