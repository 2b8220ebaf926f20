/*
 * Crypto used by the registry, all of it libsodium:
 *  - sealing secret fields (passport numbers, sitting keys) with
 *    XChaCha20-Poly1305 under the data key, bound to a context string so a
 *    sealed value cannot be moved to another row;
 *  - keyed BLAKE2b hashes to find a sealed value without opening it;
 *  - unbiased keyed draws: a deterministic stream of uniform numbers from a
 *    secret key and a public input (seats, later paper permutations), which
 *    nobody without the key can predict and anybody with it can rebuild.
 */
#ifndef SK_CRYPTO_H
#define SK_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

struct sk_db;

/* Seal plain[len] under the data key with associated data `context`.
 * *out (malloc'd, caller frees) is nonce || ciphertext || tag. */
int sk_seal(struct sk_db *db, unsigned char **out, size_t *out_len,
	    const void *plain, size_t len, const char *context);

/* Open a sealed value. *out is sodium_malloc'd and NUL-terminated (free it
 * with sodium_free); SK_ECRYPTO when it was altered or the context differs. */
int sk_unseal(struct sk_db *db, unsigned char **out, size_t *out_len,
	      const void *sealed, size_t len, const char *context)
	__attribute__((warn_unused_result));

/* out[32] = BLAKE2b keyed with key[32] over domain || 0x00 || data. */
void sk_keyed_hash(unsigned char out[32], const unsigned char *key, const char *domain,
		   const void *data, size_t len);

/* A stream of uniform draws keyed by a secret. */
struct sk_draw {
	unsigned char key[32];
	unsigned char input[96];
	size_t input_len;
	uint32_t counter;
	uint64_t block[8];
	unsigned pos;
};

/* Start a stream for (label, input). The label is cut at 15 bytes and the
 * input at 80: two labels or inputs that agree up to there give the same
 * stream, so keep labels short and distinct ("seat", "paper") and inputs
 * within 80 bytes. The stream for a given key, label and input never
 * changes: seats and papers are rebuilt from it. */
void sk_draw_init(struct sk_draw *d, const unsigned char *key, const char *label,
		  const void *input, size_t input_len);
/* A uniform number in [0, n); n >= 1. Rejection sampling keeps it unbiased. */
uint64_t sk_draw_uniform(struct sk_draw *d, uint64_t n);
/* Wipe the stream's key material. */
void sk_draw_done(struct sk_draw *d);

#endif
