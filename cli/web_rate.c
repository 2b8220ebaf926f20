/*
 * Token buckets per client in a fixed set-associative table (web_rate.h).
 */
#include "cli/web_rate.h"
#include "core/error.h"

#include <math.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int web_rate_init(struct web_rate *r, double rate, double burst, size_t clients)
{
	memset(r, 0, sizeof(*r));
	if (!(rate > 0) || !(burst >= 1) || !isfinite(rate) || !isfinite(burst) || clients == 0 ||
	    clients > ((size_t)1 << 24))
		return SK_EINVAL;
	if (sodium_init() < 0)
		return SK_ENOMEM;
	size_t nsets = 1;
	while (nsets * WEB_RATE_WAYS < clients)
		nsets <<= 1;
	r->sets = calloc(nsets, sizeof(*r->sets));
	if (!r->sets)
		return SK_ENOMEM;
	for (size_t i = 0; i < nsets; i++) {
		if (pthread_mutex_init(&r->sets[i].lock, NULL)) {
			while (i--)
				pthread_mutex_destroy(&r->sets[i].lock);
			free(r->sets);
			r->sets = NULL;
			return SK_ENOMEM;
		}
	}
	r->nsets = nsets;
	r->rate = rate;
	r->burst = burst;
	randombytes_buf(r->hash_key, sizeof(r->hash_key));
	return 0;
}

void web_rate_release(struct web_rate *r)
{
	for (size_t i = 0; i < r->nsets; i++)
		pthread_mutex_destroy(&r->sets[i].lock);
	free(r->sets);
	memset(r, 0, sizeof(*r));
}

void web_rate_key(unsigned char key[WEB_RATE_KEY], const struct sockaddr *addr)
{
	memset(key, 0, WEB_RATE_KEY);
	if (addr && addr->sa_family == AF_INET) {
		/* As an IPv4-mapped IPv6 address, so both families share one table. */
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in->sin_addr, 4);
	} else if (addr && addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
		const unsigned char *a = in6->sin6_addr.s6_addr;
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		/* A mapped IPv4 address is its IPv4 client; any other by its /64. */
		memcpy(key, a, memcmp(a, mapped, sizeof(mapped)) ? 8 : 16);
	} else {
		key[0] = 0xfe; /* "other": not an address any IP client has */
	}
}

/* Tokens in an entry at now_us. */
static double refilled(const struct web_rate *r, const struct web_rate_entry *e, uint64_t now_us)
{
	double t = e->tokens;
	if (now_us > e->last_us)
		t += (double)(now_us - e->last_us) * r->rate / 1e6;
	return t > r->burst ? r->burst : t;
}

int web_rate_take(struct web_rate *r, const unsigned char key[WEB_RATE_KEY], uint64_t now_us,
		  unsigned *retry_after)
{
	uint64_t h;
	crypto_shorthash((unsigned char *)&h, key, WEB_RATE_KEY, r->hash_key);
	struct web_rate_set *set = &r->sets[h & (r->nsets - 1)];
	pthread_mutex_lock(&set->lock);
	struct web_rate_entry *e = NULL, *victim = NULL;
	double victim_tokens = -1;
	for (int i = 0; i < WEB_RATE_WAYS && !e; i++) {
		struct web_rate_entry *w = &set->entry[i];
		if (w->used && !memcmp(w->key, key, WEB_RATE_KEY)) {
			e = w;
		} else {
			/* The best to replace: unused, else the fullest bucket. */
			double t = w->used ? refilled(r, w, now_us) : r->burst + 1;
			if (t > victim_tokens) {
				victim = w;
				victim_tokens = t;
			}
		}
	}
	if (!e) {
		e = victim;
		memcpy(e->key, key, WEB_RATE_KEY);
		e->used = 1;
		e->tokens = r->burst;
		e->last_us = now_us;
	}
	e->tokens = refilled(r, e, now_us);
	if (now_us > e->last_us)
		e->last_us = now_us;
	int allowed = e->tokens >= 1;
	if (allowed) {
		e->tokens -= 1;
	} else {
		double wait = ceil((1 - e->tokens) / r->rate);
		*retry_after = wait < 1 ? 1 : wait > 86400 ? 86400 : (unsigned)wait;
	}
	pthread_mutex_unlock(&set->lock);
	return allowed;
}
