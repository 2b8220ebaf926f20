/*
 * Signed tokens: JWS compact serialisation (RFC 7515) with EdDSA over
 * Ed25519 (RFC 8037), and the public keys that check them as a JWK Set
 * (RFC 7517). Only what certificates need, and strict about it:
 *
 *   BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)
 *
 * base64url without padding (libsodium's URLSAFE_NO_PADDING variant, which
 * refuses non-zero trailing bits, so every token has exactly one spelling);
 * the header is {"alg":"EdDSA","kid":KID,"typ":TYP} and nothing else.
 *
 * Verification works on untrusted bytes and checks, in this order: the
 * length, the shape (exactly two dots, only base64url characters, header
 * and payload not empty), the header (strict base64url of a small JSON
 * object with exactly alg, kid and typ; alg EdDSA; typ the one expected),
 * the signature's form (64 bytes), the key (kid known), and the Ed25519
 * signature over the ASCII bytes "header.payload". Only then is
 * the payload decoded and parsed, so nothing a forger writes in a payload
 * ever reaches the JSON parser.
 *
 * Key ids: kid = the first 16 characters of the RFC 7638 JWK thumbprint
 * (SHA-256 over {"crv":"Ed25519","kty":"OKP","x":X}, base64url), i.e. its
 * first 96 bits: short enough for a QR code, and anybody can recompute it
 * from the published key.
 *
 * The library never prints or translates; the verdict's code is stable
 * (scripts and the web API use it) and its sentence and details are English
 * templates marked N_() for the caller to translate.
 */
#ifndef SK_JWS_H
#define SK_JWS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SK_ED25519_PUBLIC 32
#define SK_ED25519_SECRET 64 /* libsodium's form: seed || public key */
#define SK_ED25519_SEED 32
#define SK_KID_LEN 16
#define SK_KID_MAX 64 /* longest kid accepted from a JWKS or a header */

/* Longest certificate token accepted, in bytes: ours are about 600. */
#define SK_JWS_MAX_TOKEN 4096
/* Longest header accepted, decoded. */
#define SK_JWS_MAX_HEADER 256

/* What verifying a token found. The codes ("valid", "bad_signature", ...)
 * are stable: scripts, the JSON output and the web API use them. */
enum sk_verdict {
	SK_VERDICT_VALID = 0,
	SK_VERDICT_MALFORMED,
	SK_VERDICT_UNKNOWN_KEY,
	SK_VERDICT_BAD_SIGNATURE,
	SK_VERDICT_REVOKED,
	SK_VERDICT_WRONG_ISSUER,
	SK_VERDICT_COUNT_
};

/* "valid", "malformed", "unknown_key", "bad_signature", "revoked",
 * "wrong_issuer"; never NULL. */
const char *sk_verdict_code(enum sk_verdict v);
/* One English sentence for a person (N_(): translate it); never NULL. */
const char *sk_verdict_sentence(enum sk_verdict v);

/* Public keys that verify: from the key file (keys.h) or a JWKS. */
struct sk_jwk {
	char kid[SK_KID_MAX + 1];
	unsigned char x[SK_ED25519_PUBLIC];
};

struct sk_keyring {
	size_t count, alloc;
	struct sk_jwk *keys;
};

#define SK_KEYRING_INIT { 0, 0, NULL }

void sk_keyring_release(struct sk_keyring *ring);
/* Add a key; 0, SK_EEXISTS (kid already there), SK_EINVAL (kid empty, too
 * long or not printable ASCII) or SK_ENOMEM. */
int sk_keyring_add(struct sk_keyring *ring, const char *kid, const unsigned char x[SK_ED25519_PUBLIC]);
/* The key with this kid, or NULL. */
const struct sk_jwk *sk_keyring_find(const struct sk_keyring *ring, const char *kid);

/* Read a JWK Set ({"keys":[...]}, at most 1 MiB). Keys of another type
 * (kty other than OKP, crv other than Ed25519, use other than sig) are
 * skipped; an Ed25519 key without a kid, with a bad x, a private part ("d")
 * or a duplicate kid refuses the whole set. On error the ring is left empty,
 * *why (if given) is a static English reason (N_()) and the code is
 * SK_EINPUT or SK_ENOMEM. */
int sk_keyring_from_jwks(struct sk_keyring *out, const char *json, size_t len, const char **why);

/* The JWK Set of a ring: {"keys":[{"kty":"OKP","crv":"Ed25519","x":...,
 * "kid":...,"use":"sig","alg":"EdDSA"}, ...]} in ring order. New reference,
 * or NULL when out of memory. */
json_t *sk_jwks_from_keyring(const struct sk_keyring *ring);

/* kid of a public key (see above) into out[SK_KID_LEN + 1]. */
void sk_jws_kid(char out[SK_KID_LEN + 1], const unsigned char x[SK_ED25519_PUBLIC]);
/* The full RFC 7638 thumbprint (43 characters) into out[44]. */
void sk_jwk_thumbprint(char out[44], const unsigned char x[SK_ED25519_PUBLIC]);

/* base64url without padding of bin[len]; a malloc'd string (caller frees)
 * or NULL when out of memory. */
char *sk_base64url(const unsigned char *bin, size_t len);

/* Sign payload[len] (any bytes; ours are compact JSON) into a compact JWS
 * with header {"alg":"EdDSA","kid":kid,"typ":typ} under secret key sk
 * (libsodium's 64-byte form). *out is malloc'd (caller frees). 0, SK_EINVAL
 * (kid or typ not printable ASCII) or SK_ENOMEM; *out is NULL on error. */
int sk_jws_sign_bytes(char **out, const char *typ, const char *kid,
		      const unsigned char sk[SK_ED25519_SECRET], const void *payload, size_t len);
/* The same for a JSON payload, serialised compactly in insertion order. */
int sk_jws_sign(char **out, const char *typ, const char *kid,
		const unsigned char sk[SK_ED25519_SECRET], const json_t *payload);

struct sk_jws_result {
	enum sk_verdict verdict; /* VALID, MALFORMED, UNKNOWN_KEY or BAD_SIGNATURE */
	const char *detail;      /* static English (N_()) saying what exactly; NULL when valid */
	char kid[SK_KID_MAX + 1]; /* the header's kid once the header parsed, else "" */
	json_t *payload;         /* the parsed payload object when valid, else NULL; owned */
};

/* Verify token[len] (not NUL-terminated; any bytes) against ring, as
 * described at the top. `typ` is the token type expected in the header;
 * max_len bounds the token. Fills out (release it with
 * sk_jws_result_release) and returns out->verdict. A payload that is not a
 * JSON object is MALFORMED even though the signature is good. */
enum sk_verdict sk_jws_verify(struct sk_jws_result *out, const char *token, size_t len,
			      size_t max_len, const char *typ, const struct sk_keyring *ring)
	__attribute__((warn_unused_result));
void sk_jws_result_release(struct sk_jws_result *r);

#endif
