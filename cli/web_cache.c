/*
 * The table of signature-checked tokens (web_cache.h).
 */
#include "cli/web_cache.h"
#include "core/error.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int web_cache_init(struct web_cache *c, size_t entries)
{
	memset(c, 0, sizeof(*c));
	if (entries == 0)
		return 0;
	if (entries > ((size_t)1 << 24))
		return SK_EINVAL;
	if (sodium_init() < 0)
		return SK_ENOMEM;
	size_t nsets = 1;
	while (nsets * WEB_CACHE_WAYS < entries)
		nsets <<= 1;
	c->sets = calloc(nsets, sizeof(*c->sets));
	if (!c->sets)
		return SK_ENOMEM;
	for (size_t i = 0; i < nsets; i++) {
		if (pthread_mutex_init(&c->sets[i].lock, NULL)) {
			while (i--)
				pthread_mutex_destroy(&c->sets[i].lock);
			free(c->sets);
			c->sets = NULL;
			return SK_ENOMEM;
		}
	}
	c->nsets = nsets;
	randombytes_buf(c->hash_key, sizeof(c->hash_key));
	return 0;
}

static void entry_clear(struct web_cache_entry *e)
{
	free(e->token);
	free(e->payload);
	memset(e, 0, sizeof(*e));
}

void web_cache_release(struct web_cache *c)
{
	for (size_t i = 0; i < c->nsets; i++) {
		for (int w = 0; w < WEB_CACHE_WAYS; w++)
			entry_clear(&c->sets[i].entry[w]);
		pthread_mutex_destroy(&c->sets[i].lock);
	}
	free(c->sets);
	memset(c, 0, sizeof(*c));
}

static struct web_cache_set *set_of(struct web_cache *c, const char *token, size_t len)
{
	uint64_t h;
	crypto_shorthash((unsigned char *)&h, (const unsigned char *)token, len, c->hash_key);
	return &c->sets[h & (c->nsets - 1)];
}

static struct web_cache_entry *find(struct web_cache_set *set, const char *token, size_t len)
{
	for (int w = 0; w < WEB_CACHE_WAYS; w++) {
		struct web_cache_entry *e = &set->entry[w];
		if (e->token && e->token_len == len && !memcmp(e->token, token, len))
			return e;
	}
	return NULL;
}

int web_cache_get(struct web_cache *c, const char *token, size_t len, char kid[SK_KID_MAX + 1],
		  char **payload)
{
	*payload = NULL;
	if (!c->nsets)
		return 0;
	struct web_cache_set *set = set_of(c, token, len);
	pthread_mutex_lock(&set->lock);
	struct web_cache_entry *e = find(set, token, len);
	if (e && (*payload = strdup(e->payload)))
		memcpy(kid, e->kid, SK_KID_MAX + 1);
	pthread_mutex_unlock(&set->lock);
	return *payload != NULL;
}

void web_cache_put(struct web_cache *c, const char *token, size_t len, const char *kid,
		   const char *payload)
{
	if (!c->nsets || strlen(kid) > SK_KID_MAX)
		return;
	/* Copies made before taking the lock, so it is held only to swap. */
	char *t = malloc(len ? len : 1), *p = strdup(payload);
	if (!t || !p) {
		free(t);
		free(p);
		return;
	}
	memcpy(t, token, len);
	struct web_cache_set *set = set_of(c, token, len);
	pthread_mutex_lock(&set->lock);
	struct web_cache_entry *e = find(set, token, len), old = { 0 };
	if (!e) {
		e = &set->entry[set->next];
		set->next = (set->next + 1) % WEB_CACHE_WAYS;
		old = *e;
		e->token = t;
		e->token_len = len;
		memcpy(e->kid, kid, strlen(kid) + 1);
		e->payload = p;
		t = p = NULL;
	}
	pthread_mutex_unlock(&set->lock);
	entry_clear(&old);
	free(t);
	free(p);
}
