/*
 * What one certificate check costs the web service, on one core, without
 * HTTP: sk_cert_verify (Ed25519, decoding, claims, the registry's
 * revocation lookup on a read-only handle) and the path a cached token takes
 * instead (parse the remembered payload, claims, revocation lookup). The
 * ratio is what the cache buys; bench_serve.sh measures it through HTTP.
 */
#include "bench.h"
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"
#include "exam/certificate.h"

#include <string.h>
#include <unistd.h>

#define ROUNDS 20000

static char dir[] = "/tmp/shiken-bench-verify.XXXXXX";

static void must(int rc, struct sk_db *db, const char *what)
{
	if (!rc)
		return;
	fprintf(stderr, "bench: %s failed: %s %s\n", what, sk_strerror(rc), db ? sk_db_errmsg(db) : "");
	exit(1);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	char path[256], key[256], err[512];
	snprintf(path, sizeof(path), "%s/b.db", dir);
	snprintf(key, sizeof(key), "%s/b.db.key", dir);
	struct sk_db *db = NULL, *ro = NULL;
	if (sk_db_open(&db, path, SK_DB_CREATE, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	must(sk_keys_create(db, key), db, "keys");
	char kid[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	must(sk_keys_sign_generate(db, key, kid, retired), db, "signing key");
	struct sk_cert_claims c = {
		.issuer = "https://shiken.example.jp", .number = "2026-000001-5", .family_name = "TRAN",
		.given_name = "VAN AN", .birthdate = "1995-04-01", .test_code = "MM1", .category_ja = "機械金属加工",
		.category_en = "Machining and Metalworking", .level = 1, .sitting_date = "2026-12-13",
		.issued_at = 1797238800,
	};
	char *token = NULL;
	must(sk_cert_sign(db, &token, &c), db, "signing");
	struct sk_keyring ring = SK_KEYRING_INIT;
	must(sk_keys_keyring(db, &ring), db, "keyring");
	if (sk_db_open(&ro, path, SK_DB_READONLY, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	struct sk_cert_verify_opts o = { .keys = &ring, .issuer = c.issuer, .db = ro };
	size_t len = strlen(token);
	struct sk_cert_check chk;

	double full[3], cached[3];
	char *payload = NULL;
	for (int run = 0; run < 3; run++) {
		double t0 = bench_now();
		for (int i = 0; i < ROUNDS; i++) {
			must(sk_cert_verify(&chk, token, len, &o), ro, "verify");
			if (chk.verdict != SK_VERDICT_VALID)
				must(SK_EVERIFY, NULL, "verify: not valid");
			if (!payload)
				payload = json_dumps(chk.payload, JSON_COMPACT | JSON_PRESERVE_ORDER);
			sk_cert_check_release(&chk);
		}
		full[run] = (bench_now() - t0) / ROUNDS * 1e6;
		t0 = bench_now();
		for (int i = 0; i < ROUNDS; i++) {
			json_t *p = json_loads(payload, 0, NULL);
			memset(&chk, 0, sizeof(chk));
			must(sk_cert_verify_payload(&chk, p, &o), ro, "verify payload");
			if (chk.verdict != SK_VERDICT_VALID)
				must(SK_EVERIFY, NULL, "verify payload: not valid");
			sk_cert_check_release(&chk);
		}
		cached[run] = (bench_now() - t0) / ROUNDS * 1e6;
	}
	bench_report("verify a certificate token (signature, claims, revocation)", bench_median(full, 3), "us", "");
	bench_report("verify a cached token (claims, revocation)", bench_median(cached, 3), "us", "");
	free(payload);
	free(token);
	sk_keyring_release(&ring);
	sk_db_close(ro);
	sk_db_close(db);
	unlink(key);
	unlink(path);
	char p2[300];
	snprintf(p2, sizeof(p2), "%s-wal", path);
	unlink(p2);
	snprintf(p2, sizeof(p2), "%s-shm", path);
	unlink(p2);
	rmdir(dir);
	return 0;
}
