/*
 * Signed certificate tokens: a token made here verifies, and nothing else
 * does. Every single-character change, every truncation, a token too long,
 * extra dots, bad base64url, a header that is not JSON, "alg":"none",
 * HS256 (keyed with our public key, the classic confusion), a missing or
 * unknown kid, a forged signature — each is refused with its exact reason.
 * Then the layers above: a retired key still verifies, a revoked
 * certificate and another issuer's token are told apart, and the RFC 8037
 * and RFC 7638 examples come out as published.
 */
#include "unit.h"
#include "core/jws.h"
#include "core/keys.h"
#include "exam/certificate.h"

#include <sodium.h>

#define ISSUER "https://shiken.example.jp"
#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
}

TestSuite(jws, .init = setup);

/* A fixed key: seed = 0, 1, ..., 31 (or another fill). */
struct key {
	unsigned char pk[32], sk[64];
	char kid[SK_KID_LEN + 1];
};

static void make_key(struct key *k, unsigned char fill)
{
	unsigned char seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (unsigned char)(fill + i);
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	sk_jws_kid(k->kid, k->pk);
}

static void ring_of(struct sk_keyring *ring, const struct key *k)
{
	*ring = (struct sk_keyring)SK_KEYRING_INIT;
	cr_assert_eq(sk_keyring_add(ring, k->kid, k->pk), 0);
}

static char number[SK_CERTNO_LEN + 1];

static struct sk_cert_claims sample(void)
{
	sk_certno_format(number, 2026, 42);
	return (struct sk_cert_claims){
		.issuer = ISSUER,
		.number = number,
		.family_name = "NGUYỄN",
		.given_name = "VAN AN",
		.birthdate = "1999-04-01",
		.test_code = "MM1",
		.category_ja = "機械金属加工",
		.category_en = "Machining and Metalworking",
		.level = 1,
		.sitting_date = "2026-12-13",
		.issued_at = SK_TEST_NOW,
	};
}

/* A certificate token signed by k. Caller frees. */
static char *cert_token(const struct key *k)
{
	struct sk_cert_claims c = sample();
	json_t *p = sk_cert_claims_json(&c, NULL);
	cr_assert_not_null(p);
	char *tok = NULL;
	cr_assert_eq(sk_jws_sign(&tok, SK_CERT_TYP, k->kid, k->sk, p), 0);
	json_decref(p);
	return tok;
}

/* Verify a certificate token with ring (and options) and return the verdict. */
static enum sk_verdict check(const char *tok, size_t len, const struct sk_keyring *ring, const char **detail)
{
	struct sk_cert_verify_opts o = { .keys = ring };
	struct sk_cert_check c;
	cr_assert_eq(sk_cert_verify(&c, tok, len, &o), 0);
	enum sk_verdict v = c.verdict;
	if (detail)
		*detail = c.detail;
	/* Claims are only ever handed out behind a good signature. */
	if (v == SK_VERDICT_MALFORMED || v == SK_VERDICT_UNKNOWN_KEY || v == SK_VERDICT_BAD_SIGNATURE)
		cr_assert_null(c.payload, "claims of a token that did not verify");
	sk_cert_check_release(&c);
	return v;
}

static void assert_refused(const char *tok, const struct sk_keyring *ring, enum sk_verdict want, const char *detail)
{
	const char *got_detail = NULL;
	enum sk_verdict v = check(tok, strlen(tok), ring, &got_detail);
	cr_assert_eq(v, want, "'%.80s': %s (%s), expected %s", tok, sk_verdict_code(v), got_detail ? got_detail : "",
		     sk_verdict_code(want));
	if (detail)
		cr_assert_str_eq(got_detail, detail);
}

/* "header.payload.signature" from parts: the header JSON and payload as
 * given, signed by k over the ASCII as it should be. */
static char *forge(const char *header_json, const char *payload, const unsigned char *sk, size_t siglen,
		   int hmac_with_pk, const unsigned char *pk)
{
	char *h = sk_base64url((const unsigned char *)header_json, strlen(header_json));
	char *p = sk_base64url((const unsigned char *)payload, strlen(payload));
	size_t n = strlen(h) + strlen(p) + 200;
	char *tok = malloc(n);
	snprintf(tok, n, "%s.%s", h, p);
	unsigned char sig[64] = { 0 };
	if (hmac_with_pk) {
		/* HS256 keyed with the public key: what an "alg confusion" forger
		 * would send to a verifier that trusts the header's alg. */
		crypto_auth_hmacsha256_state st;
		crypto_auth_hmacsha256_init(&st, pk, 32);
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)tok, strlen(tok));
		crypto_auth_hmacsha256_final(&st, sig);
	} else if (sk) {
		crypto_sign_detached(sig, NULL, (const unsigned char *)tok, strlen(tok), sk);
	}
	char *s = siglen ? sk_base64url(sig, siglen) : strdup("");
	size_t used = strlen(tok);
	snprintf(tok + used, n - used, ".%s", s);
	free(h);
	free(p);
	free(s);
	return tok;
}

/* ---- the happy path ---- */

Test(jws, round_trip)
{
	struct key k;
	make_key(&k, 0);
	struct sk_keyring ring;
	ring_of(&ring, &k);
	char *tok = cert_token(&k);
	cr_assert_lt(strlen(tok), 700, "short enough for a QR code: %zu", strlen(tok));
	struct sk_cert_verify_opts o = { .keys = &ring, .issuer = ISSUER };
	struct sk_cert_check c;
	cr_assert_eq(sk_cert_verify(&c, tok, strlen(tok), &o), 0);
	cr_assert_eq(c.verdict, SK_VERDICT_VALID, "%s", c.detail);
	cr_assert_null(c.detail);
	cr_assert_str_eq(c.kid, k.kid);
	cr_assert_str_eq(c.claims.number, number);
	cr_assert_str_eq(c.claims.family_name, "NGUYỄN");
	cr_assert_str_eq(c.claims.category_ja, "機械金属加工");
	cr_assert_eq(c.claims.level, 1);
	cr_assert_eq(c.claims.issued_at, SK_TEST_NOW);
	sk_cert_check_release(&c);
	free(tok);
	sk_keyring_release(&ring);
}

Test(jws, header_and_payload_as_documented)
{
	struct key k;
	make_key(&k, 0);
	char *tok = cert_token(&k);
	char *dot = strchr(tok, '.'), *dot2 = strchr(dot + 1, '.');
	unsigned char bin[1024];
	size_t len = 0;
	cr_assert_eq(sodium_base642bin(bin, sizeof(bin), tok, (size_t)(dot - tok), NULL, &len, NULL, B64URL), 0);
	char want[128];
	snprintf(want, sizeof(want), "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}", k.kid);
	cr_assert_eq(len, strlen(want));
	cr_assert_arr_eq(bin, want, len);
	cr_assert_eq(sodium_base642bin(bin, sizeof(bin), dot + 1, (size_t)(dot2 - dot - 1), NULL, &len, NULL, B64URL), 0);
	bin[len] = '\0';
	char payload[512];
	snprintf(payload, sizeof(payload),
		 "{\"iss\":\"" ISSUER "\",\"cert\":\"%s\",\"family_name\":\"NGUYỄN\",\"given_name\":\"VAN AN\","
		 "\"birthdate\":\"1999-04-01\",\"test\":{\"code\":\"MM1\",\"category_ja\":\"機械金属加工\","
		 "\"category_en\":\"Machining and Metalworking\",\"level\":1},\"sitting_date\":\"2026-12-13\","
		 "\"iat\":%lld}",
		 number, (long long)SK_TEST_NOW);
	cr_assert_str_eq((char *)bin, payload);
	free(tok);
}

Test(jws, rfc8037_and_rfc7638_examples)
{
	/* RFC 8037 A.1-A.4: the key, its thumbprint, and the signature of
	 * "Example of Ed25519 signing" under the header {"alg":"EdDSA"}. */
	unsigned char seed[32], pk[32], sk[64], want_pk[32];
	size_t len = 0;
	const char *d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
	const char *x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
	cr_assert_eq(sodium_base642bin(seed, 32, d, strlen(d), NULL, &len, NULL, B64URL), 0);
	cr_assert_eq(sodium_base642bin(want_pk, 32, x, strlen(x), NULL, &len, NULL, B64URL), 0);
	crypto_sign_seed_keypair(pk, sk, seed);
	cr_assert_arr_eq(pk, want_pk, 32, "the key file's secret is the JWK's d");
	char t[44], kid[SK_KID_LEN + 1];
	sk_jwk_thumbprint(t, pk);
	cr_assert_str_eq(t, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
	sk_jws_kid(kid, pk);
	cr_assert_str_eq(kid, "kPrK_qmxVWaYVA9w", "kid = the thumbprint's first 16 characters");
	const char *input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
	unsigned char sig[64];
	crypto_sign_detached(sig, NULL, (const unsigned char *)input, strlen(input), sk);
	char *s = sk_base64url(sig, 64);
	cr_assert_str_eq(s, "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
	free(s);
	/* Our verifier wants a kid and a typ, so the RFC's token itself is
	 * refused, and for that reason. */
	struct sk_keyring ring = SK_KEYRING_INIT;
	cr_assert_eq(sk_keyring_add(&ring, kid, pk), 0);
	struct sk_jws_result r;
	const char *rfc = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
	cr_assert_eq(sk_jws_verify(&r, rfc, strlen(rfc), SK_JWS_MAX_TOKEN, SK_CERT_TYP, &ring), SK_VERDICT_MALFORMED);
	cr_assert_str_eq(r.detail, "the header has no usable key id (kid)");
	sk_jws_result_release(&r);
	sk_keyring_release(&ring);
}

/* ---- every change is caught ---- */

Test(jws, every_single_character_change_is_not_valid)
{
	struct key k;
	make_key(&k, 0);
	struct sk_keyring ring;
	ring_of(&ring, &k);
	char *tok = cert_token(&k);
	size_t len = strlen(tok);
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
	char *copy = strdup(tok);
	size_t tried = 0;
	for (size_t i = 0; i < len; i++) {
		for (const char *a = alphabet; *a; a++) {
			if (*a == tok[i])
				continue;
			copy[i] = *a;
			enum sk_verdict v = check(copy, len, &ring, NULL);
			cr_assert_neq(v, SK_VERDICT_VALID, "changing character %zu to '%c' still verifies", i, *a);
			tried++;
		}
		copy[i] = tok[i];
	}
	cr_assert_gt(tried, len * 60);
	free(copy);
	free(tok);
	sk_keyring_release(&ring);
}

Test(jws, every_truncation_and_extension_is_not_valid)
{
	struct key k;
	make_key(&k, 0);
	struct sk_keyring ring;
	ring_of(&ring, &k);
	char *tok = cert_token(&k);
	size_t len = strlen(tok);
	for (size_t n = 0; n < len; n++)
		cr_assert_neq(check(tok, n, &ring, NULL), SK_VERDICT_VALID, "the first %zu characters verify", n);
	char *longer = malloc(len + 2);
	memcpy(longer, tok, len);
	longer[len + 1] = '\0';
	for (const char *a = "AQgw-_."; *a; a++) {
		longer[len] = *a;
		cr_assert_neq(check(longer, len + 1, &ring, NULL), SK_VERDICT_VALID, "'%c' appended verifies", *a);
	}
	free(longer);
	free(tok);
	sk_keyring_release(&ring);
}

Test(jws, malformed_tokens_have_exact_reasons)
{
	struct key k;
	make_key(&k, 0);
	struct sk_keyring ring;
	ring_of(&ring, &k);
	char *tok = cert_token(&k);
	size_t len = strlen(tok);
	char buf[8192];

	assert_refused("", &ring, SK_VERDICT_MALFORMED, "the token is empty");
	/* Over 4 KB: refused before a single byte is looked at. */
	memset(buf, 'A', SK_JWS_MAX_TOKEN + 1);
	buf[SK_JWS_MAX_TOKEN + 1] = '\0';
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the token is too long");
	snprintf(buf, sizeof(buf), "%s.", tok);
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the token has more than two dots");
	snprintf(buf, sizeof(buf), "%s.AAAA", tok);
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the token has more than two dots");
	assert_refused("eyJhbGciOiJFZERTQSJ9.e30", &ring, SK_VERDICT_MALFORMED, "the token does not have three parts");
	assert_refused("abc", &ring, SK_VERDICT_MALFORMED, "the token does not have three parts");
	assert_refused("..", &ring, SK_VERDICT_MALFORMED, "a part of the token is empty");
	char *dot = strchr(tok, '.');
	snprintf(buf, sizeof(buf), ".%s", dot + 1);
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "a part of the token is empty");
	/* Padding, the standard alphabet, white space, NUL, non-ASCII. */
	snprintf(buf, sizeof(buf), "%s==", tok);
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the token holds a character that is not base64url");
	memcpy(buf, tok, len + 1);
	buf[5] = '+';
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the token holds a character that is not base64url");
	buf[5] = '/';
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the token holds a character that is not base64url");
	snprintf(buf, sizeof(buf), " %s", tok);
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the token holds a character that is not base64url");
	memcpy(buf, tok, len + 1);
	buf[10] = '\0';
	cr_assert_eq(check(buf, len, &ring, NULL), SK_VERDICT_MALFORMED, "a NUL inside");
	snprintf(buf, sizeof(buf), "%s\xc3\xa9", tok);
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the token holds a character that is not base64url");
	/* Base64url that does not decode: a length of 4n+1, or stray low bits. */
	snprintf(buf, sizeof(buf), "AAAAA%s", dot);
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the header is not base64url");
	snprintf(buf, sizeof(buf), "eyJ%s", dot); /* "{\"" and two stray bits */
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the header is not base64url");
	memcpy(buf, tok, len + 1);
	/* 64 bytes take 86 characters; the last one's low 4 bits must be 0. */
	cr_assert_eq(strlen(strrchr(tok, '.') + 1), 86);
	buf[len - 1] = buf[len - 1] == 'B' ? 'C' : 'B';
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the signature is not 64 bytes of base64url");
	/* Signature too short or too long. */
	snprintf(buf, sizeof(buf), "%.*s", (int)(len - 4), tok);
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the signature is not 64 bytes of base64url");
	snprintf(buf, sizeof(buf), "%sAAAA", tok);
	assert_refused(buf, &ring, SK_VERDICT_MALFORMED, "the signature is not 64 bytes of base64url");
	free(tok);
	sk_keyring_release(&ring);
}

Test(jws, headers_that_are_refused)
{
	struct key k;
	make_key(&k, 0);
	struct sk_keyring ring;
	ring_of(&ring, &k);
	struct sk_cert_claims c = sample();
	json_t *pj = sk_cert_claims_json(&c, NULL);
	char *payload = json_dumps(pj, JSON_COMPACT);
	json_decref(pj);
	char h[256];
	struct {
		const char *header_fmt;
		const char *detail;
	} cases[] = {
		{ "not json", "the header is not a JSON object" },
		{ "[\"alg\",\"EdDSA\"]", "the header is not a JSON object" },
		{ "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"", "the header is not a JSON object" },
		{ "{\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}", "the header names no algorithm" },
		{ "{\"alg\":\"none\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}", "the header's algorithm is not EdDSA" },
		{ "{\"alg\":\"HS256\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}", "the header's algorithm is not EdDSA" },
		{ "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}", "the header's algorithm is not EdDSA" },
		{ "{\"alg\":\"eddsa\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}", "the header's algorithm is not EdDSA" },
		{ "{\"alg\":[\"EdDSA\"],\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}", "the header names no algorithm" },
		{ "{\"alg\":\"EdDSA\",\"typ\":\"shiken-cert+jwt\"}", "the header has no usable key id (kid)" },
		{ "{\"alg\":\"EdDSA\",\"kid\":\"\",\"typ\":\"shiken-cert+jwt\"}", "the header has no usable key id (kid)" },
		{ "{\"alg\":\"EdDSA\",\"kid\":7,\"typ\":\"shiken-cert+jwt\"}", "the header has no usable key id (kid)" },
		{ "{\"alg\":\"EdDSA\",\"kid\":\"%s\"}", "the header's type (typ) is not the one expected" },
		{ "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"JWT\"}", "the header's type (typ) is not the one expected" },
		{ "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"shiken-revocations+jwt\"}",
		  "the header's type (typ) is not the one expected" },
		{ "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\",\"crit\":[\"exp\"]}",
		  "the header has members other than alg, kid and typ" },
		{ "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\",\"jku\":\"https://evil.example/k\"}",
		  "the header has members other than alg, kid and typ" },
		{ "{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}",
		  "the header is not a JSON object" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(h, sizeof(h), cases[i].header_fmt, k.kid);
		/* Signed properly by the right key: the header alone is wrong. */
		char *tok = forge(h, payload, k.sk, 64, 0, NULL);
		assert_refused(tok, &ring, SK_VERDICT_MALFORMED, cases[i].detail);
		free(tok);
	}
	/* "alg":"none" with no signature at all, and HS256 keyed with our
	 * public key: both named for their algorithm. */
	snprintf(h, sizeof(h), "{\"alg\":\"none\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}", k.kid);
	char *tok = forge(h, payload, NULL, 0, 0, NULL);
	cr_assert_eq(tok[strlen(tok) - 1], '.');
	assert_refused(tok, &ring, SK_VERDICT_MALFORMED, "the header's algorithm is not EdDSA");
	free(tok);
	snprintf(h, sizeof(h), "{\"alg\":\"HS256\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}", k.kid);
	tok = forge(h, payload, NULL, 32, 1, k.pk);
	assert_refused(tok, &ring, SK_VERDICT_MALFORMED, "the header's algorithm is not EdDSA");
	free(tok);
	/* A well-formed EdDSA header whose signature is missing. */
	snprintf(h, sizeof(h), "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\"}", k.kid);
	tok = forge(h, payload, NULL, 0, 0, NULL);
	assert_refused(tok, &ring, SK_VERDICT_MALFORMED, "the signature is not 64 bytes of base64url");
	free(tok);
	/* A header longer than any of ours. */
	char big[400];
	snprintf(big, sizeof(big), "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"shiken-cert+jwt\",\"x\":\"%0300d\"}", k.kid, 0);
	tok = forge(big, payload, k.sk, 64, 0, NULL);
	assert_refused(tok, &ring, SK_VERDICT_MALFORMED, "the header is too long");
	free(tok);
	free(payload);
	sk_keyring_release(&ring);
}

Test(jws, unknown_key_and_bad_signature)
{
	struct key k, other;
	make_key(&k, 0);
	make_key(&other, 100);
	struct sk_keyring ring;
	ring_of(&ring, &k);
	/* Signed by a key the verifier does not have. */
	char *tok = cert_token(&other);
	assert_refused(tok, &ring, SK_VERDICT_UNKNOWN_KEY, "no known key has this key id");
	free(tok);
	/* Signed by another key under our kid: a forgery. */
	memcpy(other.kid, k.kid, sizeof(k.kid));
	tok = cert_token(&other);
	assert_refused(tok, &ring, SK_VERDICT_BAD_SIGNATURE, "the Ed25519 signature does not verify");
	free(tok);
	/* A good signature moved onto another payload. */
	char *a = cert_token(&k);
	struct sk_cert_claims c = sample();
	c.family_name = "SOMEONE ELSE";
	json_t *pj = sk_cert_claims_json(&c, NULL);
	char *b = NULL;
	cr_assert_eq(sk_jws_sign(&b, SK_CERT_TYP, k.kid, k.sk, pj), 0);
	json_decref(pj);
	char *adot = strchr(a, '.'), *bdot = strchr(b, '.');
	char mixed[2048];
	snprintf(mixed, sizeof(mixed), "%.*s.%.*s%s", (int)(adot - a), a, (int)(strrchr(b, '.') - bdot - 1), bdot + 1,
		 strrchr(a, '.'));
	assert_refused(mixed, &ring, SK_VERDICT_BAD_SIGNATURE, "the Ed25519 signature does not verify");
	free(a);
	free(b);
	sk_keyring_release(&ring);
}

Test(jws, payload_is_read_only_after_the_signature)
{
	/* Signed by our key, yet not claims: refused as malformed, after the
	 * signature (a forger never gets this far). */
	struct key k;
	make_key(&k, 0);
	struct sk_keyring ring;
	ring_of(&ring, &k);
	struct {
		const char *payload, *detail;
	} cases[] = {
		{ "not json", "the payload is not a JSON object" },
		{ "[1,2]", "the payload is not a JSON object" },
		{ "{\"iss\":\"a\",\"iss\":\"b\"}", "the payload is not a JSON object" },
		{ "{}", "the issuer (iss) is missing or malformed" },
		{ "{\"iss\":\"has space\"}", "the issuer (iss) is missing or malformed" },
		{ "{\"iss\":\"x\",\"cert\":\"2026-000042-0\"}", "the certificate number (cert) is missing or malformed" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tok = NULL;
		cr_assert_eq(sk_jws_sign_bytes(&tok, SK_CERT_TYP, k.kid, k.sk, cases[i].payload, strlen(cases[i].payload)), 0);
		assert_refused(tok, &ring, SK_VERDICT_MALFORMED, cases[i].detail);
		free(tok);
	}
	/* Each claim in turn wrong. */
	struct sk_cert_claims good = sample();
	const char *why = NULL;
	struct sk_cert_claims c = good;
	c.birthdate = "1999-02-30";
	cr_assert_null(sk_cert_claims_json(&c, &why));
	cr_assert_str_eq(why, "the date of birth (birthdate) is missing or malformed");
	c = good;
	c.birthdate = "1999/04/01";
	cr_assert_null(sk_cert_claims_json(&c, &why));
	c = good;
	c.level = 0;
	cr_assert_null(sk_cert_claims_json(&c, &why));
	cr_assert_str_eq(why, "the test (code, category_ja, category_en, level) is missing or malformed");
	c = good;
	c.family_name = "";
	cr_assert_null(sk_cert_claims_json(&c, &why));
	/* Control characters, C1 too: verifiers print names to terminals. */
	c = good;
	c.family_name = "TRAN\x1b[2J";
	cr_assert_null(sk_cert_claims_json(&c, &why));
	cr_assert_str_eq(why, "the name (family_name, given_name) is missing or malformed");
	c = good;
	c.given_name = "VAN\xc2\x9b" "2J";
	cr_assert_null(sk_cert_claims_json(&c, &why));
	c = good;
	c.given_name = "NGUY\xe1\xbb\x84N \xc2\xa0" "AN"; /* Ễ and a no-break space are fine */
	json_t *ok = sk_cert_claims_json(&c, &why);
	cr_assert_not_null(ok, "%s", why);
	json_decref(ok);
	c = good;
	c.given_name = "";
	ok = sk_cert_claims_json(&c, &why);
	cr_assert_not_null(ok, "single-name passports have an empty given name");
	json_decref(ok);
	c = good;
	c.issued_at = 0;
	cr_assert_null(sk_cert_claims_json(&c, &why));
	cr_assert_str_eq(why, "the issue time (iat) is missing or out of range");
	sk_keyring_release(&ring);
}

/* ---- issuer and revocation ---- */

Test(jws, wrong_issuer)
{
	struct key k;
	make_key(&k, 0);
	struct sk_keyring ring;
	ring_of(&ring, &k);
	char *tok = cert_token(&k);
	struct sk_cert_verify_opts o = { .keys = &ring, .issuer = "https://other.example.org" };
	struct sk_cert_check c;
	cr_assert_eq(sk_cert_verify(&c, tok, strlen(tok), &o), 0);
	cr_assert_eq(c.verdict, SK_VERDICT_WRONG_ISSUER);
	cr_assert_str_eq(c.detail, "the token names another issuer (iss)");
	cr_assert_str_eq(c.claims.issuer, ISSUER, "the claims are shown: whose it is");
	sk_cert_check_release(&c);
	/* The same token for its own issuer. */
	o.issuer = ISSUER;
	cr_assert_eq(sk_cert_verify(&c, tok, strlen(tok), &o), 0);
	cr_assert_eq(c.verdict, SK_VERDICT_VALID);
	sk_cert_check_release(&c);
	free(tok);
	sk_keyring_release(&ring);
}

/* A signed revocation list of the given numbers. */
static char *revocation_list(const struct key *k, const char *issuer, const char *const *numbers, size_t n)
{
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s,s:I}", "cert", numbers[i], "at", (json_int_t)SK_TEST_NOW));
	json_t *p = json_pack("{s:s,s:I,s:o}", "iss", issuer, "iat", (json_int_t)SK_TEST_NOW, "revoked", list);
	char *tok = NULL;
	cr_assert_eq(sk_jws_sign(&tok, SK_REVOCATIONS_TYP, k->kid, k->sk, p), 0);
	json_decref(p);
	return tok;
}

Test(jws, revoked_by_a_signed_list)
{
	struct key k;
	make_key(&k, 0);
	struct sk_keyring ring;
	ring_of(&ring, &k);
	char *tok = cert_token(&k);
	char other[SK_CERTNO_LEN + 1];
	sk_certno_format(other, 2026, 7);
	const char *numbers[] = { other, number };
	char *list = revocation_list(&k, ISSUER, numbers, 2);
	struct sk_revocations rev;
	const char *detail = NULL;
	cr_assert_eq(sk_revocations_read(&rev, list, strlen(list), &ring, &detail), SK_VERDICT_VALID, "%s", detail);
	cr_assert_eq(rev.count, 2);
	cr_assert_str_eq(rev.issuer, ISSUER);
	struct sk_cert_verify_opts o = { .keys = &ring, .revocations = &rev };
	struct sk_cert_check c;
	cr_assert_eq(sk_cert_verify(&c, tok, strlen(tok), &o), 0);
	cr_assert_eq(c.verdict, SK_VERDICT_REVOKED);
	cr_assert_eq(c.revoked_at, SK_TEST_NOW);
	sk_cert_check_release(&c);
	sk_revocations_release(&rev);
	free(list);

	/* A list that does not name it, or another issuer's list: valid. */
	list = revocation_list(&k, ISSUER, numbers, 1);
	cr_assert_eq(sk_revocations_read(&rev, list, strlen(list), &ring, &detail), SK_VERDICT_VALID);
	cr_assert_eq(sk_cert_verify(&c, tok, strlen(tok), &o), 0);
	cr_assert_eq(c.verdict, SK_VERDICT_VALID);
	sk_cert_check_release(&c);
	sk_revocations_release(&rev);
	free(list);
	list = revocation_list(&k, "https://other.example.org", numbers, 2);
	cr_assert_eq(sk_revocations_read(&rev, list, strlen(list), &ring, &detail), SK_VERDICT_VALID);
	cr_assert_eq(sk_cert_verify(&c, tok, strlen(tok), &o), 0);
	cr_assert_eq(c.verdict, SK_VERDICT_VALID);
	sk_cert_check_release(&c);
	sk_revocations_release(&rev);
	free(list);

	/* A list is a list and a certificate a certificate: neither passes
	 * for the other, though both are signed by the same key. */
	cr_assert_eq(sk_revocations_read(&rev, tok, strlen(tok), &ring, &detail), SK_VERDICT_MALFORMED);
	cr_assert_str_eq(detail, "the header's type (typ) is not the one expected");
	list = revocation_list(&k, ISSUER, numbers, 2);
	assert_refused(list, &ring, SK_VERDICT_MALFORMED, "the header's type (typ) is not the one expected");
	/* A tampered list is not believed. */
	list[strlen(list) - 3] ^= 1;
	cr_assert_neq(sk_revocations_read(&rev, list, strlen(list), &ring, &detail), SK_VERDICT_VALID);
	free(list);
	free(tok);
	sk_keyring_release(&ring);
}

Test(jws, revocation_lists_that_are_refused)
{
	struct key k;
	make_key(&k, 0);
	struct sk_keyring ring;
	ring_of(&ring, &k);
	struct {
		const char *payload, *detail;
	} cases[] = {
		{ "{\"iat\":1795339800,\"revoked\":[]}", "the revocation list's issuer (iss) is missing or malformed" },
		{ "{\"iss\":\"x\",\"revoked\":[]}", "the revocation list's issue time (iat) is missing or out of range" },
		{ "{\"iss\":\"x\",\"iat\":1795339800}", "the revocation list has no list of revoked certificates" },
		{ "{\"iss\":\"x\",\"iat\":1795339800,\"revoked\":[{\"cert\":\"2026-000042-1\",\"at\":1795339800}]}",
		  "an entry of the revocation list is malformed" },
		{ "{\"iss\":\"x\",\"iat\":1795339800,\"revoked\":[{\"cert\":\"%s\"}]}", "an entry of the revocation list is malformed" },
		{ "{\"iss\":\"x\",\"iat\":1795339800,\"revoked\":[{\"cert\":\"%s\",\"at\":1},{\"cert\":\"%s\",\"at\":1795339800}]}",
		  "an entry of the revocation list is malformed" },
		{ "{\"iss\":\"x\",\"iat\":1795339800,\"revoked\":[{\"cert\":\"%s\",\"at\":1795339800},{\"cert\":\"%s\",\"at\":1795339800}]}",
		  "the revocation list names a certificate twice" },
	};
	sample();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char p[512], *tok = NULL;
		snprintf(p, sizeof(p), cases[i].payload, number, number);
		cr_assert_eq(sk_jws_sign_bytes(&tok, SK_REVOCATIONS_TYP, k.kid, k.sk, p, strlen(p)), 0);
		struct sk_revocations rev;
		const char *detail = NULL;
		cr_assert_eq(sk_revocations_read(&rev, tok, strlen(tok), &ring, &detail), SK_VERDICT_MALFORMED, "%s", p);
		cr_assert_str_eq(detail, cases[i].detail, "%s", p);
		cr_assert_eq(rev.count, 0);
		cr_assert_null(rev.items);
		free(tok);
	}
	sk_keyring_release(&ring);
}

/* ---- keys from the key file: rotation ---- */

Test(jws, retired_key_still_verifies)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char kid1[SK_KID_LEN + 1], kid2[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, kid1, retired), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_str_eq(retired, "");
	struct sk_cert_claims c = sample();
	char *old = NULL, *fresh = NULL;
	cr_assert_eq(sk_cert_sign(u.db, &old, &c), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, kid2, retired), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_str_eq(retired, kid1);
	cr_assert_str_neq(kid1, kid2);
	cr_assert_eq(sk_cert_sign(u.db, &fresh, &c), 0);
	struct sk_keyring ring = SK_KEYRING_INIT;
	cr_assert_eq(sk_keys_keyring(u.db, &ring), 0);
	cr_assert_eq(ring.count, 2);
	struct sk_cert_verify_opts o = { .keys = &ring, .issuer = ISSUER, .db = u.db };
	struct sk_cert_check chk;
	cr_assert_eq(sk_cert_verify(&chk, old, strlen(old), &o), 0);
	cr_assert_eq(chk.verdict, SK_VERDICT_VALID, "%s", chk.detail);
	cr_assert_str_eq(chk.kid, kid1, "signed by the key now retired");
	sk_cert_check_release(&chk);
	cr_assert_eq(sk_cert_verify(&chk, fresh, strlen(fresh), &o), 0);
	cr_assert_eq(chk.verdict, SK_VERDICT_VALID);
	cr_assert_str_eq(chk.kid, kid2, "new certificates are signed by the new key");
	sk_cert_check_release(&chk);
	/* A verifier that only has the new key cannot check the old token. */
	struct sk_keyring only_new = SK_KEYRING_INIT;
	cr_assert_eq(sk_keyring_add(&only_new, kid2, sk_keyring_find(&ring, kid2)->x), 0);
	assert_refused(old, &only_new, SK_VERDICT_UNKNOWN_KEY, NULL);
	sk_keyring_release(&only_new);
	sk_keyring_release(&ring);
	free(old);
	free(fresh);
	unit_db_close(&u);
}

Test(jws, jwks_round_trip_and_refusals)
{
	struct key a, b;
	make_key(&a, 0);
	make_key(&b, 50);
	struct sk_keyring ring = SK_KEYRING_INIT;
	cr_assert_eq(sk_keyring_add(&ring, a.kid, a.pk), 0);
	cr_assert_eq(sk_keyring_add(&ring, b.kid, b.pk), 0);
	cr_assert_eq(sk_keyring_add(&ring, b.kid, a.pk), SK_EEXISTS);
	json_t *set = sk_jwks_from_keyring(&ring);
	json_t *k0 = json_array_get(json_object_get(set, "keys"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(k0, "kty")), "OKP");
	cr_assert_str_eq(json_string_value(json_object_get(k0, "crv")), "Ed25519");
	cr_assert_str_eq(json_string_value(json_object_get(k0, "use")), "sig");
	cr_assert_str_eq(json_string_value(json_object_get(k0, "alg")), "EdDSA");
	cr_assert_str_eq(json_string_value(json_object_get(k0, "kid")), a.kid);
	cr_assert_null(json_object_get(k0, "d"), "never a private part");
	char *text = json_dumps(set, 0);
	json_decref(set);
	struct sk_keyring back;
	const char *why = NULL;
	cr_assert_eq(sk_keyring_from_jwks(&back, text, strlen(text), &why), 0, "%s", why);
	cr_assert_eq(back.count, 2);
	cr_assert_arr_eq(sk_keyring_find(&back, b.kid)->x, b.pk, 32);
	sk_keyring_release(&back);
	free(text);
	sk_keyring_release(&ring);

	char x[64];
	sodium_bin2base64(x, sizeof(x), a.pk, 32, B64URL);
	struct {
		const char *fmt, *why;
		size_t count;
	} cases[] = {
		{ "[]", "not a JWK Set: expected a JSON object with a \"keys\" array", 0 },
		{ "{\"keys\":{}}", "not a JWK Set: expected a JSON object with a \"keys\" array", 0 },
		{ "{\"keys\":[1]}", "a key in the set is not a JSON object", 0 },
		{ "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\"}]}", "an Ed25519 key in the set has no usable \"kid\"", 0 },
		{ "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"%sA\"}]}",
		  "an Ed25519 key in the set has an \"x\" that is not 32 bytes of base64url", 0 },
		{ "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"%s\",\"d\":\"AAAA\"}]}",
		  "the key set holds a private key (\"d\"): it must never be published", 0 },
		{ "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"%s\"},"
		  "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"%s\"}]}",
		  "two keys in the set have the same \"kid\"", 0 },
		/* Other kinds of keys are skipped, not refused. */
		{ "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"e\",\"x\":\"1\",\"y\":\"2\"},"
		  "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"kid\":\"x\",\"x\":\"%s\"},"
		  "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"enc\",\"use\":\"enc\",\"x\":\"%s\"},"
		  "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ok\",\"x\":\"%s\"}]}",
		  NULL, 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char j[1024];
		snprintf(j, sizeof(j), cases[i].fmt, x, x, x);
		int rc = sk_keyring_from_jwks(&back, j, strlen(j), &why);
		if (cases[i].why) {
			cr_assert_eq(rc, SK_EINPUT, "%s", j);
			cr_assert_str_eq(why, cases[i].why);
			cr_assert_eq(back.count, 0);
		} else {
			cr_assert_eq(rc, 0, "%s: %s", j, why);
			cr_assert_eq(back.count, cases[i].count);
			cr_assert_not_null(sk_keyring_find(&back, "ok"));
		}
		sk_keyring_release(&back);
	}
}

Test(jws, token_from_url)
{
	const char *start;
	size_t len;
	struct {
		const char *text, *want;
	} cases[] = {
		{ "eyJ.abc.def", "eyJ.abc.def" },
		{ "https://verify.example.jp/c/eyJ.abc.def", "eyJ.abc.def" },
		{ "https://verify.example.jp/c/eyJ.abc.def?lang=ja", "eyJ.abc.def" },
		{ "https://verify.example.jp/c/eyJ.abc.def#top", "eyJ.abc.def" },
		{ "http://h/app/c/c/eyJ.abc.def?x=/c/zz", "eyJ.abc.def" },
		{ "https://verify.example.jp/x/eyJ.abc.def", "" },
		{ "https://verify.example.jp/c/", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sk_cert_token_from_text(cases[i].text, strlen(cases[i].text), &start, &len);
		cr_assert_eq(len, strlen(cases[i].want), "%s", cases[i].text);
		cr_assert_eq(strncmp(start, cases[i].want, len), 0, "%s", cases[i].text);
	}
}

Test(jws, verdict_codes_are_stable)
{
	const char *codes[] = { "valid", "malformed", "unknown_key", "bad_signature", "revoked", "wrong_issuer" };
	for (int v = 0; v < SK_VERDICT_COUNT_; v++) {
		cr_assert_str_eq(sk_verdict_code((enum sk_verdict)v), codes[v]);
		cr_assert_gt(strlen(sk_verdict_sentence((enum sk_verdict)v)), 10);
	}
}
