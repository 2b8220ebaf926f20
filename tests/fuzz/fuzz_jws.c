/*
 * libFuzzer target for everything that reads a certificate token or what
 * comes with one: arbitrary bytes go to the verifier as a token or URL, as a
 * revocation list and as a JWK Set; then, signed with the target's own key
 * as a payload, to the claims reader and the revocation list reader, which
 * a forger can never reach but a leaked key could. Nothing may crash, leak
 * or read out of bounds (built with AddressSanitizer and UBSan).
 *
 * The key is fixed (seed bytes 0, 1, ..., 31) so the seed corpus in
 * corpus/jws holds tokens that verify: the fuzzer starts from the inside.
 * The seeds were made with PyJWT from that key by make-seeds.py.
 *
 * Built as a libFuzzer binary with clang and -DSHIKEN_FUZZ=ON (scripts/fuzz
 * runs it for a bounded time); otherwise linked with replay.c, which runs
 * the corpus once as an ordinary test.
 */
#include "core/jws.h"
#include "exam/certificate.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sk_keyring ring = SK_KEYRING_INIT;
static unsigned char secret[SK_ED25519_SECRET];
static char kid[SK_KID_LEN + 1];

static void init(void)
{
	unsigned char seed[SK_ED25519_SEED], pk[SK_ED25519_PUBLIC];
	if (sodium_init() < 0)
		abort();
	for (int i = 0; i < SK_ED25519_SEED; i++)
		seed[i] = (unsigned char)i;
	crypto_sign_seed_keypair(pk, secret, seed);
	sk_jws_kid(kid, pk);
	if (sk_keyring_add(&ring, kid, pk))
		abort();
}

static void verify_cert(const char *token, size_t len, const struct sk_revocations *rev)
{
	struct sk_cert_verify_opts o = { .keys = &ring, .issuer = "https://shiken.example.jp", .revocations = rev };
	struct sk_cert_check c;
	if (sk_cert_verify(&c, token, len, &o))
		abort(); /* only a database can fail, and there is none */
	if (c.verdict == SK_VERDICT_VALID && (!c.payload || !c.claims.number || !c.claims.issuer))
		abort(); /* valid means the claims are all there */
	sk_cert_check_release(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		init();
		ready = 1;
	}
	const char *text = (const char *)data, *token = NULL, *detail = NULL;
	size_t len = 0;

	/* As a verifier receives it: a token, or a URL holding one. */
	sk_cert_token_from_text(text, size, &token, &len);
	verify_cert(token, len, NULL);

	/* As a revocation list, then as a JWK Set. */
	struct sk_revocations rev;
	if (sk_revocations_read(&rev, text, size, &ring, &detail) == SK_VERDICT_VALID)
		verify_cert(text, size, &rev);
	sk_revocations_release(&rev);
	struct sk_keyring other;
	(void)sk_keyring_from_jwks(&other, text, size, NULL);
	sk_keyring_release(&other);

	/* As a payload signed by a key the verifier trusts. */
	if (size <= 3000) {
		char *signed_token = NULL;
		if (sk_jws_sign_bytes(&signed_token, SK_CERT_TYP, kid, secret, data, size) == 0)
			verify_cert(signed_token, strlen(signed_token), NULL);
		free(signed_token);
		if (sk_jws_sign_bytes(&signed_token, SK_REVOCATIONS_TYP, kid, secret, data, size) == 0 &&
		    sk_revocations_read(&rev, signed_token, strlen(signed_token), &ring, &detail) == SK_VERDICT_VALID &&
		    rev.count && !sk_revocations_find(&rev, rev.items[rev.count - 1].number))
			abort(); /* every listed number is found */
		sk_revocations_release(&rev);
		free(signed_token);
	}
	return 0;
}
