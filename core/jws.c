/*
 * JWS compact serialisation with EdDSA/Ed25519, JWK Sets and key ids; see
 * jws.h for the format and the order of the checks. Every base64url
 * conversion is libsodium's; every JSON text is jansson's.
 */
#include "core/jws.h"
#include "core/error.h"
#include "core/report.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

static const struct {
	const char *code;
	const char *sentence;
} verdicts[SK_VERDICT_COUNT_] = {
	[SK_VERDICT_VALID] = { "valid", N_("The certificate is genuine and valid.") },
	[SK_VERDICT_MALFORMED] = { "malformed", N_("This is not a certificate code: it is damaged or incomplete.") },
	[SK_VERDICT_UNKNOWN_KEY] = { "unknown_key",
				     N_("The certificate was signed with a key this verifier does not know.") },
	[SK_VERDICT_BAD_SIGNATURE] = { "bad_signature",
				       N_("The signature does not match: the certificate was altered or forged.") },
	[SK_VERDICT_REVOKED] = { "revoked", N_("The certificate was genuine but has been revoked.") },
	[SK_VERDICT_WRONG_ISSUER] = { "wrong_issuer",
				      N_("The certificate was not issued by the expected issuer.") },
};

const char *sk_verdict_code(enum sk_verdict v)
{
	return (unsigned)v < SK_VERDICT_COUNT_ ? verdicts[v].code : "malformed";
}

const char *sk_verdict_sentence(enum sk_verdict v)
{
	return (unsigned)v < SK_VERDICT_COUNT_ ? verdicts[v].sentence : verdicts[SK_VERDICT_MALFORMED].sentence;
}

/* ---- key ids and key rings ---- */

char *sk_base64url(const unsigned char *bin, size_t len)
{
	size_t cap = sodium_base64_ENCODED_LEN(len, B64URL);
	char *s = malloc(cap);
	if (s)
		sodium_bin2base64(s, cap, bin, len, B64URL);
	return s;
}

void sk_jwk_thumbprint(char out[44], const unsigned char x[SK_ED25519_PUBLIC])
{
	/* RFC 7638: the required members in lexicographic order, no spaces. */
	char x64[sodium_base64_ENCODED_LEN(SK_ED25519_PUBLIC, B64URL)];
	sodium_bin2base64(x64, sizeof(x64), x, SK_ED25519_PUBLIC, B64URL);
	char jwk[128];
	int n = snprintf(jwk, sizeof(jwk), "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", x64);
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)jwk, (unsigned long long)n);
	sodium_bin2base64(out, 44, h, sizeof(h), B64URL);
}

void sk_jws_kid(char out[SK_KID_LEN + 1], const unsigned char x[SK_ED25519_PUBLIC])
{
	char t[44];
	sk_jwk_thumbprint(t, x);
	memcpy(out, t, SK_KID_LEN);
	out[SK_KID_LEN] = '\0';
}

/* A kid or typ we accept: 1..SK_KID_MAX printable ASCII characters. */
static int printable(const char *s, size_t max)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (n >= max || (unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e)
			return 0;
	return n > 0;
}

void sk_keyring_release(struct sk_keyring *ring)
{
	free(ring->keys);
	ring->keys = NULL;
	ring->count = ring->alloc = 0;
}

const struct sk_jwk *sk_keyring_find(const struct sk_keyring *ring, const char *kid)
{
	for (size_t i = 0; i < ring->count; i++)
		if (!strcmp(ring->keys[i].kid, kid))
			return &ring->keys[i];
	return NULL;
}

int sk_keyring_add(struct sk_keyring *ring, const char *kid, const unsigned char x[SK_ED25519_PUBLIC])
{
	if (!printable(kid, SK_KID_MAX))
		return SK_EINVAL;
	if (sk_keyring_find(ring, kid))
		return SK_EEXISTS;
	if (ring->count == ring->alloc) {
		size_t alloc = ring->alloc ? ring->alloc * 2 : 4;
		struct sk_jwk *k = realloc(ring->keys, alloc * sizeof(*k));
		if (!k)
			return SK_ENOMEM;
		ring->keys = k;
		ring->alloc = alloc;
	}
	struct sk_jwk *k = &ring->keys[ring->count++];
	memset(k, 0, sizeof(*k));
	memcpy(k->kid, kid, strlen(kid) + 1);
	memcpy(k->x, x, SK_ED25519_PUBLIC);
	return 0;
}

/* Strict base64url: the whole of b64[len] must decode, to at most cap bytes. */
static int b64url_decode(unsigned char *bin, size_t cap, size_t *out_len, const char *b64, size_t len)
{
	*out_len = 0;
	return sodium_base642bin(bin, cap, b64, len, NULL, out_len, NULL, B64URL);
}

static const char *member_string(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

#define MAX_JWKS (1u << 20)

int sk_keyring_from_jwks(struct sk_keyring *out, const char *json, size_t len, const char **why)
{
	const char *reason = NULL;
	int rc = SK_EINPUT;
	json_t *set = NULL;
	memset(out, 0, sizeof(*out));
	if (len > MAX_JWKS) {
		reason = N_("the key set is larger than 1 MiB");
		goto cleanup;
	}
	set = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *keys = json_object_get(set, "keys");
	if (!json_is_object(set) || !json_is_array(keys)) {
		reason = N_("not a JWK Set: expected a JSON object with a \"keys\" array");
		goto cleanup;
	}
	size_t i;
	json_t *k;
	json_array_foreach(keys, i, k) {
		if (!json_is_object(k)) {
			reason = N_("a key in the set is not a JSON object");
			goto cleanup;
		}
		const char *kty = member_string(k, "kty"), *crv = member_string(k, "crv");
		const char *use = member_string(k, "use"), *alg = member_string(k, "alg");
		if (!kty || strcmp(kty, "OKP") || !crv || strcmp(crv, "Ed25519") ||
		    (json_object_get(k, "use") && (!use || strcmp(use, "sig"))) ||
		    (json_object_get(k, "alg") && (!alg || strcmp(alg, "EdDSA"))))
			continue; /* somebody else's kind of key: not ours to judge */
		if (json_object_get(k, "d")) {
			reason = N_("the key set holds a private key (\"d\"): it must never be published");
			goto cleanup;
		}
		const char *kid = member_string(k, "kid"), *x = member_string(k, "x");
		unsigned char pk[SK_ED25519_PUBLIC];
		size_t got = 0;
		if (!kid || !printable(kid, SK_KID_MAX)) {
			reason = N_("an Ed25519 key in the set has no usable \"kid\"");
			goto cleanup;
		}
		if (!x || b64url_decode(pk, sizeof(pk), &got, x, strlen(x)) != 0 || got != sizeof(pk)) {
			reason = N_("an Ed25519 key in the set has an \"x\" that is not 32 bytes of base64url");
			goto cleanup;
		}
		int r = sk_keyring_add(out, kid, pk);
		if (r == SK_EEXISTS) {
			reason = N_("two keys in the set have the same \"kid\"");
			goto cleanup;
		}
		if (r) {
			rc = r;
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	json_decref(set);
	if (rc)
		sk_keyring_release(out);
	if (why)
		*why = rc == SK_ENOMEM ? N_("out of memory") : reason;
	return rc;
}

json_t *sk_jwks_from_keyring(const struct sk_keyring *ring)
{
	json_t *keys = json_array(), *set = json_object();
	int bad = !keys || !set || json_object_set(set, "keys", keys) != 0;
	for (size_t i = 0; !bad && i < ring->count; i++) {
		char *x = sk_base64url(ring->keys[i].x, SK_ED25519_PUBLIC);
		json_t *k = x ? json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "OKP", "crv", "Ed25519", "x", x,
					  "kid", ring->keys[i].kid, "use", "sig", "alg", "EdDSA")
			      : NULL;
		free(x);
		bad = !k || json_array_append_new(keys, k) != 0;
	}
	json_decref(keys);
	if (bad) {
		json_decref(set);
		return NULL;
	}
	return set;
}

/* ---- signing ---- */

int sk_jws_sign_bytes(char **out, const char *typ, const char *kid,
		      const unsigned char sk[SK_ED25519_SECRET], const void *payload, size_t len)
{
	*out = NULL;
	if (!printable(typ, SK_KID_MAX) || !printable(kid, SK_KID_MAX))
		return SK_EINVAL;
	int rc = SK_ENOMEM;
	char *header = NULL, *h64 = NULL, *p64 = NULL, *token = NULL;
	json_t *h = json_pack("{s:s,s:s,s:s}", "alg", "EdDSA", "kid", kid, "typ", typ);
	if (!h || !(header = json_dumps(h, JSON_COMPACT)))
		goto cleanup;
	if (!(h64 = sk_base64url((const unsigned char *)header, strlen(header))) ||
	    !(p64 = sk_base64url(payload, len)))
		goto cleanup;
	size_t hl = strlen(h64), pl = strlen(p64);
	size_t sl = sodium_base64_ENCODED_LEN(crypto_sign_BYTES, B64URL);
	if (!(token = malloc(hl + 1 + pl + 1 + sl)))
		goto cleanup;
	memcpy(token, h64, hl);
	token[hl] = '.';
	memcpy(token + hl + 1, p64, pl);
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)token, hl + 1 + pl, sk);
	token[hl + 1 + pl] = '.';
	sodium_bin2base64(token + hl + 1 + pl + 1, sl, sig, sizeof(sig), B64URL);
	*out = token;
	token = NULL;
	rc = 0;
cleanup:
	json_decref(h);
	free(header);
	free(h64);
	free(p64);
	free(token);
	return rc;
}

int sk_jws_sign(char **out, const char *typ, const char *kid, const unsigned char sk[SK_ED25519_SECRET],
		const json_t *payload)
{
	*out = NULL;
	if (!json_is_object(payload))
		return SK_EINVAL;
	char *text = json_dumps(payload, JSON_COMPACT);
	if (!text)
		return SK_ENOMEM;
	int rc = sk_jws_sign_bytes(out, typ, kid, sk, text, strlen(text));
	free(text);
	return rc;
}

/* ---- verifying ---- */

void sk_jws_result_release(struct sk_jws_result *r)
{
	json_decref(r->payload);
	r->payload = NULL;
}

static enum sk_verdict refuse(struct sk_jws_result *out, enum sk_verdict v, const char *detail)
{
	out->verdict = v;
	out->detail = detail;
	return v;
}

static int is_b64url(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* The header, decoded and checked: 0, or the detail of what is wrong. */
static const char *check_header(struct sk_jws_result *out, const char *h64, size_t len, const char *typ)
{
	unsigned char bin[SK_JWS_MAX_HEADER];
	size_t got = 0;
	if (len > sodium_base64_ENCODED_LEN(sizeof(bin), B64URL) - 1)
		return N_("the header is too long");
	if (b64url_decode(bin, sizeof(bin), &got, h64, len) != 0)
		return N_("the header is not base64url");
	json_t *h = json_loadb((const char *)bin, got, JSON_REJECT_DUPLICATES, NULL);
	const char *why = NULL;
	const char *alg = member_string(h, "alg"), *kid = member_string(h, "kid");
	const char *t = member_string(h, "typ");
	if (!json_is_object(h))
		why = N_("the header is not a JSON object");
	else if (!alg)
		why = N_("the header names no algorithm");
	else if (strcmp(alg, "EdDSA") != 0)
		why = N_("the header's algorithm is not EdDSA");
	else if (!kid || !printable(kid, SK_KID_MAX))
		why = N_("the header has no usable key id (kid)");
	else if (!t || strcmp(t, typ) != 0)
		why = N_("the header's type (typ) is not the one expected");
	else if (json_object_size(h) != 3)
		why = N_("the header has members other than alg, kid and typ");
	else
		memcpy(out->kid, kid, strlen(kid) + 1);
	json_decref(h);
	return why;
}

enum sk_verdict sk_jws_verify(struct sk_jws_result *out, const char *token, size_t len, size_t max_len,
			      const char *typ, const struct sk_keyring *ring)
{
	memset(out, 0, sizeof(*out));
	if (!token || len == 0)
		return refuse(out, SK_VERDICT_MALFORMED, N_("the token is empty"));
	if (len > max_len)
		return refuse(out, SK_VERDICT_MALFORMED, N_("the token is too long"));

	/* Shape first, touching nothing but the bytes themselves. */
	size_t dots[2], ndots = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)token[i];
		if (c == '.') {
			if (ndots == 2)
				return refuse(out, SK_VERDICT_MALFORMED, N_("the token has more than two dots"));
			dots[ndots++] = i;
		} else if (!is_b64url(c)) {
			return refuse(out, SK_VERDICT_MALFORMED,
				      N_("the token holds a character that is not base64url"));
		}
	}
	if (ndots != 2)
		return refuse(out, SK_VERDICT_MALFORMED, N_("the token does not have three parts"));
	const char *h64 = token, *p64 = token + dots[0] + 1, *s64 = token + dots[1] + 1;
	size_t hl = dots[0], pl = dots[1] - dots[0] - 1, sl = len - dots[1] - 1;
	if (!hl || !pl)
		return refuse(out, SK_VERDICT_MALFORMED, N_("a part of the token is empty"));
	/* The header before the signature, so that "alg":"none" (no signature)
	 * or "HS256" (a shorter one) is named for what it is. */
	const char *why = check_header(out, h64, hl, typ);
	if (why)
		return refuse(out, SK_VERDICT_MALFORMED, why);
	unsigned char sig[crypto_sign_BYTES + 1];
	size_t got = 0;
	if (b64url_decode(sig, sizeof(sig), &got, s64, sl) != 0 || got != crypto_sign_BYTES)
		return refuse(out, SK_VERDICT_MALFORMED, N_("the signature is not 64 bytes of base64url"));
	const struct sk_jwk *key = sk_keyring_find(ring, out->kid);
	if (!key)
		return refuse(out, SK_VERDICT_UNKNOWN_KEY, N_("no known key has this key id"));
	if (crypto_sign_verify_detached(sig, (const unsigned char *)token, dots[1], key->x) != 0)
		return refuse(out, SK_VERDICT_BAD_SIGNATURE, N_("the Ed25519 signature does not verify"));

	/* Signed by a key we trust: now, and only now, read the payload. */
	unsigned char *payload = malloc(pl);
	if (!payload)
		return refuse(out, SK_VERDICT_MALFORMED, N_("out of memory"));
	if (b64url_decode(payload, pl, &got, p64, pl) != 0) {
		free(payload);
		return refuse(out, SK_VERDICT_MALFORMED, N_("the payload is not base64url"));
	}
	json_t *claims = json_loadb((const char *)payload, got, JSON_REJECT_DUPLICATES, NULL);
	free(payload);
	if (!json_is_object(claims)) {
		json_decref(claims);
		return refuse(out, SK_VERDICT_MALFORMED, N_("the payload is not a JSON object"));
	}
	out->payload = claims;
	out->verdict = SK_VERDICT_VALID;
	return SK_VERDICT_VALID;
}
