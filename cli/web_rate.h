/*
 * A per-client rate limit for the web service: a token bucket per client
 * address, in a table of fixed size, so a flood of addresses costs no more
 * memory than one client.
 *
 * Each client may make `burst` requests at once and `rate` a second after
 * that. Clients are keyed by address: IPv4 whole, IPv6 by its /64 prefix (one
 * household or phone gets a /64, and an attacker gets as many addresses in
 * it as they like). The table is set-associative (WEB_RATE_WAYS entries per
 * set, the set chosen by a keyed hash so nobody can aim at one): a new
 * client takes the entry in its set that has refilled the most, whose
 * client lost nothing by leaving (a full bucket is the same as no entry);
 * only when every entry in the set is still draining does a client lose
 * its history early. Thread-safe: one lock per set.
 *
 * The clock is the caller's (microseconds, monotonic), so tests can step it.
 */
#ifndef SK_WEB_RATE_H
#define SK_WEB_RATE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define WEB_RATE_WAYS 8
#define WEB_RATE_KEY 16

struct web_rate_entry {
	unsigned char key[WEB_RATE_KEY];
	int used;
	double tokens;
	uint64_t last_us;
};

struct web_rate_set {
	pthread_mutex_t lock;
	struct web_rate_entry entry[WEB_RATE_WAYS];
};

struct web_rate {
	double rate, burst;
	size_t nsets; /* a power of two */
	struct web_rate_set *sets;
	unsigned char hash_key[16];
};

/* Set up a limiter of `rate` requests a second (> 0) with bursts of `burst`
 * (>= 1) for about `clients` clients at once (rounded up to a power of two
 * times WEB_RATE_WAYS). 0, SK_EINVAL or SK_ENOMEM. */
int web_rate_init(struct web_rate *r, double rate, double burst, size_t clients);
void web_rate_release(struct web_rate *r);

/* The key of a client address (AF_INET or AF_INET6; anything else is one
 * client "other") into key[WEB_RATE_KEY]. */
void web_rate_key(unsigned char key[WEB_RATE_KEY], const struct sockaddr *addr);

/* Take one request from the client's bucket at time now_us. 1 when allowed;
 * 0 when not, with *retry_after the whole seconds (>= 1) until it would be. */
int web_rate_take(struct web_rate *r, const unsigned char key[WEB_RATE_KEY], uint64_t now_us,
		  unsigned *retry_after);

#endif
