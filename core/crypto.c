/* Field sealing, keyed hashes and keyed draws; see crypto.h. */
#include "core/crypto.h"
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define NPUB crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

/* Nonces come from a pool filled by the CSPRNG 4 KiB at a time: the same
 * random bytes, without a getrandom() call per sealed field. */
static void random_nonce(unsigned char *out, size_t n)
{
	static _Thread_local unsigned char pool[4096];
	static _Thread_local size_t left;
	if (left < n) {
		randombytes_buf(pool, sizeof(pool));
		left = sizeof(pool);
	}
	memcpy(out, pool + sizeof(pool) - left, n);
	sodium_memzero(pool + sizeof(pool) - left, n);
	left -= n;
}

int sk_seal(struct sk_db *db, unsigned char **out, size_t *out_len,
	    const void *plain, size_t len, const char *context)
{
	*out = NULL;
	*out_len = 0;
	const unsigned char *key = sk_keys_get(db, SK_KEY_DATA);
	if (!key)
		return SK_EKEYS;
	unsigned char *c = malloc(NPUB + len + ABYTES);
	if (!c)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	random_nonce(c, NPUB);
	unsigned long long clen = 0;
	crypto_aead_xchacha20poly1305_ietf_encrypt(c + NPUB, &clen, plain, len,
						   (const unsigned char *)context, strlen(context),
						   NULL, c, key);
	*out = c;
	*out_len = NPUB + (size_t)clen;
	return 0;
}

int sk_unseal(struct sk_db *db, unsigned char **out, size_t *out_len,
	      const void *sealed, size_t len, const char *context)
{
	*out = NULL;
	*out_len = 0;
	const unsigned char *key = sk_keys_get(db, SK_KEY_DATA);
	if (!key)
		return SK_EKEYS;
	if (len < NPUB + ABYTES)
		return sk_db_fail(db, SK_ECRYPTO, "sealed value is truncated");
	size_t plen = len - NPUB - ABYTES;
	unsigned char *p = sodium_malloc(plen + 1);
	if (!p)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	const unsigned char *s = sealed;
	unsigned long long got = 0;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(p, &got, NULL, s + NPUB, len - NPUB,
						       (const unsigned char *)context,
						       strlen(context), s, key) != 0) {
		sodium_free(p);
		return sk_db_fail(db, SK_ECRYPTO, "sealed value for '%s' fails authentication", context);
	}
	p[got] = '\0';
	*out = p;
	*out_len = (size_t)got;
	return 0;
}

void sk_keyed_hash(unsigned char out[32], const unsigned char *key, const char *domain,
		   const void *data, size_t len)
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, 32, 32);
	crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, out, 32);
	sodium_memzero(&st, sizeof(st));
}

void sk_draw_init(struct sk_draw *d, const unsigned char *key, const char *label,
		  const void *input, size_t input_len)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->key, key, 32);
	size_t ll = strlen(label);
	if (ll > 15)
		ll = 15;
	memcpy(d->input, label, ll);
	d->input[ll] = 0;
	if (input_len > 80)
		input_len = 80;
	memcpy(d->input + ll + 1, input, input_len);
	d->input_len = ll + 1 + input_len;
	d->pos = 8;
}

static void refill(struct sk_draw *d)
{
	unsigned char msg[100], out[64];
	memcpy(msg, d->input, d->input_len);
	msg[d->input_len + 0] = (unsigned char)(d->counter);
	msg[d->input_len + 1] = (unsigned char)(d->counter >> 8);
	msg[d->input_len + 2] = (unsigned char)(d->counter >> 16);
	msg[d->input_len + 3] = (unsigned char)(d->counter >> 24);
	d->counter++;
	crypto_generichash(out, sizeof(out), msg, d->input_len + 4, d->key, 32);
	for (int i = 0; i < 8; i++) {
		uint64_t v = 0;
		for (int b = 7; b >= 0; b--)
			v = (v << 8) | out[i * 8 + b];
		d->block[i] = v;
	}
	d->pos = 0;
	sodium_memzero(out, sizeof(out));
}

uint64_t sk_draw_uniform(struct sk_draw *d, uint64_t n)
{
	if (n <= 1)
		return 0;
	/* Reject the lowest 2^64 mod n values so every residue is equally likely. */
	uint64_t threshold = (0 - n) % n;
	for (;;) {
		if (d->pos >= 8)
			refill(d);
		uint64_t v = d->block[d->pos++];
		if (v >= threshold)
			return v % n;
	}
}

void sk_draw_done(struct sk_draw *d)
{
	sodium_memzero(d, sizeof(*d));
}
