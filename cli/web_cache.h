/*
 * Which certificate tokens' signatures the web service has already checked:
 * a bounded table from token to the key id and payload (JSON text) that the
 * signature vouched for. The keys are loaded once when the service starts,
 * so a signature that verified stays verified for the life of the table;
 * what can change (revocation) is never cached: the caller still runs
 * sk_cert_verify_payload() on every hit.
 *
 * Set-associative (WEB_CACHE_WAYS entries per set, the set chosen by a keyed
 * hash of the token, each set replaced round-robin); the whole token is
 * compared on lookup. Thread-safe: one lock per set. Only signature-verified
 * tokens go in, so a client cannot fill it with garbage for free: each
 * entry cost it a certificate the registry signed.
 */
#ifndef SK_WEB_CACHE_H
#define SK_WEB_CACHE_H

#include "core/jws.h"

#include <pthread.h>
#include <stddef.h>

#define WEB_CACHE_WAYS 4

struct web_cache_entry {
	char *token; /* NULL when unused */
	size_t token_len;
	char kid[SK_KID_MAX + 1];
	char *payload; /* JSON text */
};

struct web_cache_set {
	pthread_mutex_t lock;
	unsigned next; /* the way to replace next */
	struct web_cache_entry entry[WEB_CACHE_WAYS];
};

struct web_cache {
	size_t nsets; /* 0: caching is off */
	struct web_cache_set *sets;
	unsigned char hash_key[16];
};

/* A cache of about `entries` tokens (rounded up to a power of two times
 * WEB_CACHE_WAYS); 0 makes one that never hits. 0, SK_EINVAL (more than
 * 2^24 entries) or SK_ENOMEM. */
int web_cache_init(struct web_cache *c, size_t entries);
void web_cache_release(struct web_cache *c);

/* 1 and a malloc'd copy of the payload text in *payload (caller frees) and
 * the kid in kid[] when token[len] is cached; 0 when not (or out of memory). */
int web_cache_get(struct web_cache *c, const char *token, size_t len, char kid[SK_KID_MAX + 1],
		  char **payload);
/* Remember that token[len] verified under kid with this payload (copied).
 * Out of memory just leaves it out. */
void web_cache_put(struct web_cache *c, const char *token, size_t len, const char *kid,
		   const char *payload);

#endif
