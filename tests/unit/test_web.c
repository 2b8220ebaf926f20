/*
 * The web service's pure parts: choosing the language of a page from ?lang=
 * and Accept-Language, HTML escaping, access-log targets, the per-client
 * rate limiter (with a stepped clock) and the cache of verified tokens.
 */
#include "cli/web_cache.h"
#include "cli/web_rate.h"
#include "cli/web_text.h"
#include "core/error.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *const langs[] = { "en", "ja", "vi", NULL };

static const char *choose(const char *query, const char *accept)
{
	static char out[WEB_LANG_MAX];
	return web_lang_choose(out, query, accept, langs);
}

/* ---- language ---- */

Test(web_lang, default_without_anything)
{
	cr_assert_str_eq(choose(NULL, NULL), "en");
	cr_assert_str_eq(choose("", ""), "en");
}

Test(web_lang, first_range_wins_without_q)
{
	cr_assert_str_eq(choose(NULL, "ja,en"), "ja");
	cr_assert_str_eq(choose(NULL, "en, ja"), "en");
}

Test(web_lang, primary_subtag_and_case)
{
	cr_assert_str_eq(choose(NULL, "ja-JP"), "ja");
	cr_assert_str_eq(choose(NULL, "JA-jp,en;q=0.5"), "ja");
	cr_assert_str_eq(choose(NULL, "vi-VN"), "vi");
}

Test(web_lang, q_values_order)
{
	cr_assert_str_eq(choose(NULL, "en;q=0.5, ja;q=0.9"), "ja");
	cr_assert_str_eq(choose(NULL, "en;q=0.9, ja;q=0.5"), "en");
	cr_assert_str_eq(choose(NULL, "ja;q=0.8,en;q=0.8"), "ja", "a tie goes to the earlier");
	cr_assert_str_eq(choose(NULL, "fr-CH, fr;q=0.9, ja;q=0.8, *;q=0.5"), "ja");
	cr_assert_str_eq(choose(NULL, "en ; q=0.1 , ja ;q=1.000"), "ja", "white space around ';'");
	cr_assert_str_eq(choose(NULL, "ja;Q=0.2,en;q=0.1"), "ja", "Q is case-insensitive");
}

Test(web_lang, unknown_languages_fall_back)
{
	cr_assert_str_eq(choose(NULL, "fr-CH, de;q=0.9"), "en");
	cr_assert_str_eq(choose(NULL, "*"), "en", "* chooses nothing of its own");
}

Test(web_lang, q_zero_excludes)
{
	cr_assert_str_eq(choose(NULL, "ja;q=0"), "en");
	cr_assert_str_eq(choose(NULL, "ja;q=0.000, vi;q=0.001"), "vi");
}

Test(web_lang, malformed_entries_are_skipped)
{
	cr_assert_str_eq(choose(NULL, "ja;q=2, vi;q=0.5"), "vi", "q above 1");
	cr_assert_str_eq(choose(NULL, "ja;q=1.5, vi;q=0.5"), "vi");
	cr_assert_str_eq(choose(NULL, "ja;q=0.1234, vi;q=0.5"), "vi", "four decimals");
	cr_assert_str_eq(choose(NULL, "ja;q=, vi;q=0.5"), "vi");
	cr_assert_str_eq(choose(NULL, "ja;q=abc, vi;q=0.5"), "vi");
	cr_assert_str_eq(choose(NULL, "j@, vi;q=0.5"), "vi");
	cr_assert_str_eq(choose(NULL, "ja-toolongsubtag, vi;q=0.5"), "vi");
	cr_assert_str_eq(choose(NULL, "1ja, vi;q=0.5"), "vi", "a digit first");
	cr_assert_str_eq(choose(NULL, "ja x, vi;q=0.5"), "vi");
	cr_assert_str_eq(choose(NULL, ",,, ;;, ja"), "ja", "empty elements");
	cr_assert_str_eq(choose(NULL, ";q=0.9"), "en");
	cr_assert_str_eq(choose(NULL, "ja;level=1"), "ja", "an unknown parameter is ignored");
}

Test(web_lang, query_wins_when_available)
{
	cr_assert_str_eq(choose("ja", "en"), "ja");
	cr_assert_str_eq(choose("ja-JP", "en"), "ja");
	cr_assert_str_eq(choose("fr", "ja"), "ja", "an unknown ?lang= falls to the header");
	cr_assert_str_eq(choose("<script>", "vi"), "vi");
	cr_assert_str_eq(choose("*", NULL), "en");
}

Test(web_lang, a_long_header_is_read_to_its_end)
{
	char accept[20000] = "";
	for (int i = 0; i < 1000; i++)
		strcat(accept, "xx;q=0.9,");
	strcat(accept, "vi;q=0.1");
	cr_assert_str_eq(choose(NULL, accept), "vi");
}

/* ---- HTML ---- */

static char *escaped(const char *s)
{
	struct sk_buf b = SK_BUF_INIT;
	web_html_escape(&b, s);
	return sk_buf_detach(&b, NULL);
}

Test(web_html, escapes_the_five)
{
	char *e = escaped("<script>alert(\"x\" & 'y')</script>");
	cr_assert_str_eq(e, "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
	free(e);
}

Test(web_html, leaves_the_rest)
{
	char *e = escaped("NGUYỄN 機械金属加工 a/b=c;");
	cr_assert_str_eq(e, "NGUYỄN 機械金属加工 a/b=c;");
	free(e);
	e = escaped("");
	cr_assert_str_eq(e, "");
	free(e);
	e = escaped(NULL);
	cr_assert_str_eq(e, "");
	free(e);
	e = escaped("&amp;");
	cr_assert_str_eq(e, "&amp;amp;", "escapes entities again: text is text");
	free(e);
}

/* ---- access-log targets ---- */

static char *logged(const char *target, size_t max)
{
	struct sk_buf b = SK_BUF_INIT;
	web_log_target(&b, target, max);
	return sk_buf_detach(&b, NULL);
}

Test(web_log, tokens_shortened_to_their_tail)
{
	char *l = logged("/c/eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJodHRwcyJ9.c2lnbmF0dXJlX3RhaWwxMjM0?lang=ja", 1024);
	cr_assert_str_eq(l, "/c/...aWwxMjM0?lang=ja");
	free(l);
	l = logged("/api/v1/verify?token=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbb12345678", 1024);
	cr_assert_str_eq(l, "/api/v1/verify?token=...12345678");
	free(l);
}

Test(web_log, short_words_kept)
{
	char *l = logged("/.well-known/jwks.json", 1024);
	cr_assert_str_eq(l, "/.well-known/jwks.json");
	free(l);
	l = logged("/c/123456789012345678901234", 1024);
	cr_assert_str_eq(l, "/c/123456789012345678901234", "24 characters are kept");
	free(l);
	l = logged("/c/1234567890123456789012345", 1024);
	cr_assert_str_eq(l, "/c/...89012345", "25 are not");
	free(l);
}

Test(web_log, nothing_breaks_a_line)
{
	char *l = logged("/x\"y\\z\n\r\t %E3%81%82\x7f\xe3\x81\x82", 1024);
	cr_assert_str_eq(l, "/x%22y%5Cz%0A%0D%09%20%E3%81%82%7F%E3%81%82");
	free(l);
}

Test(web_log, bounded)
{
	char *l = logged("/abc/def/ghi", 4);
	cr_assert_str_eq(l, "/abc...");
	free(l);
	l = logged("/abc", 4);
	cr_assert_str_eq(l, "/abc");
	free(l);
}

/* ---- rate limit ---- */

static void key4(unsigned char key[WEB_RATE_KEY], const char *ip)
{
	struct sockaddr_in in = { .sin_family = AF_INET };
	cr_assert_eq(inet_pton(AF_INET, ip, &in.sin_addr), 1);
	web_rate_key(key, (struct sockaddr *)&in);
}

static void key6(unsigned char key[WEB_RATE_KEY], const char *ip)
{
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	cr_assert_eq(inet_pton(AF_INET6, ip, &in6.sin6_addr), 1);
	web_rate_key(key, (struct sockaddr *)&in6);
}

#define SECOND 1000000u

Test(web_rate, burst_then_rate)
{
	struct web_rate r;
	cr_assert_eq(web_rate_init(&r, 2, 5, 64), 0);
	unsigned char k[WEB_RATE_KEY];
	key4(k, "192.0.2.1");
	unsigned retry = 0;
	uint64_t t = 1000 * SECOND;
	for (int i = 0; i < 5; i++)
		cr_assert(web_rate_take(&r, k, t, &retry), "request %d of the burst", i + 1);
	cr_assert_not(web_rate_take(&r, k, t, &retry), "the sixth at once");
	cr_assert_eq(retry, 1, "one token comes back in half a second: retry after 1 s");
	cr_assert_not(web_rate_take(&r, k, t + SECOND / 4, &retry), "a quarter second later: half a token");
	cr_assert(web_rate_take(&r, k, t + SECOND / 2, &retry), "half a second later: one token");
	cr_assert_not(web_rate_take(&r, k, t + SECOND / 2, &retry));
	/* Ten seconds idle refill the bucket to the burst, not beyond. */
	t += 11 * SECOND;
	for (int i = 0; i < 5; i++)
		cr_assert(web_rate_take(&r, k, t, &retry));
	cr_assert_not(web_rate_take(&r, k, t, &retry));
	web_rate_release(&r);
}

Test(web_rate, retry_after_rounds_up)
{
	struct web_rate r;
	cr_assert_eq(web_rate_init(&r, 0.1, 1, 8), 0); /* one request every ten seconds */
	unsigned char k[WEB_RATE_KEY];
	key4(k, "192.0.2.1");
	unsigned retry = 0;
	cr_assert(web_rate_take(&r, k, SECOND, &retry));
	cr_assert_not(web_rate_take(&r, k, SECOND, &retry));
	cr_assert_eq(retry, 10);
	cr_assert_not(web_rate_take(&r, k, 7 * SECOND / 2, &retry));
	cr_assert_eq(retry, 8, "7.5 s left: 8");
	web_rate_release(&r);
}

Test(web_rate, clients_are_separate)
{
	struct web_rate r;
	cr_assert_eq(web_rate_init(&r, 1, 2, 64), 0);
	unsigned char a[WEB_RATE_KEY], b[WEB_RATE_KEY];
	key4(a, "192.0.2.1");
	key4(b, "192.0.2.2");
	unsigned retry;
	cr_assert(web_rate_take(&r, a, SECOND, &retry));
	cr_assert(web_rate_take(&r, a, SECOND, &retry));
	cr_assert_not(web_rate_take(&r, a, SECOND, &retry));
	cr_assert(web_rate_take(&r, b, SECOND, &retry), "another address has its own bucket");
	web_rate_release(&r);
}

Test(web_rate, ipv6_by_its_64)
{
	unsigned char a[WEB_RATE_KEY], b[WEB_RATE_KEY], c[WEB_RATE_KEY], m[WEB_RATE_KEY], v4[WEB_RATE_KEY];
	key6(a, "2001:db8:1:2::1");
	key6(b, "2001:db8:1:2:ffff:ffff:ffff:fffe");
	key6(c, "2001:db8:1:3::1");
	cr_assert_eq(memcmp(a, b, WEB_RATE_KEY), 0, "one /64, one client");
	cr_assert_neq(memcmp(a, c, WEB_RATE_KEY), 0);
	key6(m, "::ffff:192.0.2.1");
	key4(v4, "192.0.2.1");
	cr_assert_eq(memcmp(m, v4, WEB_RATE_KEY), 0, "a mapped IPv4 address is its IPv4 client");
	unsigned char m2[WEB_RATE_KEY];
	key6(m2, "::ffff:192.0.2.2");
	cr_assert_neq(memcmp(m, m2, WEB_RATE_KEY), 0, "mapped addresses are not lumped by /64");
}

Test(web_rate, the_table_is_bounded_and_keeps_the_throttled)
{
	struct web_rate r;
	cr_assert_eq(web_rate_init(&r, 1, 3, 8), 0); /* one set of eight */
	cr_assert_eq(r.nsets, 1);
	unsigned char hog[WEB_RATE_KEY], k[WEB_RATE_KEY];
	key4(hog, "198.51.100.7");
	unsigned retry;
	uint64_t t = 100 * SECOND;
	while (web_rate_take(&r, hog, t, &retry))
		;
	/* A thousand passers-by, one request each: each takes the fullest
	 * entry, never the drained bucket of the hog. */
	for (int i = 0; i < 1000; i++) {
		char ip[32];
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 250, i % 250);
		key4(k, ip);
		cr_assert(web_rate_take(&r, k, t, &retry), "new client %d", i);
	}
	cr_assert_not(web_rate_take(&r, hog, t, &retry), "still throttled");
	web_rate_release(&r);
}

Test(web_rate, refuses_nonsense)
{
	struct web_rate r;
	cr_assert_eq(web_rate_init(&r, 0, 5, 8), SK_EINVAL);
	cr_assert_eq(web_rate_init(&r, 1, 0.5, 8), SK_EINVAL);
	cr_assert_eq(web_rate_init(&r, 1, 5, 0), SK_EINVAL);
}

/* ---- cache of verified tokens ---- */

Test(web_cache, hit_miss_and_copy)
{
	struct web_cache c;
	cr_assert_eq(web_cache_init(&c, 16), 0);
	char kid[SK_KID_MAX + 1] = "", *payload = NULL;
	cr_assert_not(web_cache_get(&c, "tok.en.one", 10, kid, &payload));
	cr_assert_null(payload);
	web_cache_put(&c, "tok.en.one", 10, "kid1", "{\"cert\":\"1\"}");
	cr_assert(web_cache_get(&c, "tok.en.one", 10, kid, &payload));
	cr_assert_str_eq(payload, "{\"cert\":\"1\"}");
	cr_assert_str_eq(kid, "kid1");
	free(payload);
	cr_assert_not(web_cache_get(&c, "tok.en.on", 9, kid, &payload), "a prefix is another token");
	cr_assert_not(web_cache_get(&c, "tok.en.onE", 10, kid, &payload));
	web_cache_release(&c);
}

Test(web_cache, bounded)
{
	struct web_cache c;
	cr_assert_eq(web_cache_init(&c, 8), 0);
	cr_assert_eq(c.nsets * WEB_CACHE_WAYS, 8);
	char tok[32], kid[SK_KID_MAX + 1], *payload;
	for (int i = 0; i < 1000; i++) {
		snprintf(tok, sizeof(tok), "token-%d", i);
		web_cache_put(&c, tok, strlen(tok), "k", tok);
	}
	int hits = 0;
	for (int i = 0; i < 1000; i++) {
		snprintf(tok, sizeof(tok), "token-%d", i);
		if (web_cache_get(&c, tok, strlen(tok), kid, &payload)) {
			cr_assert_str_eq(payload, tok, "the right payload for its token");
			free(payload);
			hits++;
		}
	}
	cr_assert(hits > 0 && hits <= 8, "%d tokens remembered by a table of 8", hits);
	web_cache_release(&c);
}

Test(web_cache, off_never_hits)
{
	struct web_cache c;
	cr_assert_eq(web_cache_init(&c, 0), 0);
	char kid[SK_KID_MAX + 1], *payload;
	web_cache_put(&c, "t", 1, "k", "{}");
	cr_assert_not(web_cache_get(&c, "t", 1, kid, &payload));
	web_cache_release(&c);
}

/* ---- behind a reverse proxy ---- */

Test(web_proxy, the_last_forwarded_address)
{
	struct sockaddr_storage ss;
	char text[INET6_ADDRSTRLEN];
	cr_assert_eq(web_forwarded_for(&ss, "203.0.113.9"), 0);
	cr_assert_eq(ss.ss_family, AF_INET);
	inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, text, sizeof(text));
	cr_assert_str_eq(text, "203.0.113.9");
	/* What the client claimed comes first; the proxy appends the peer. */
	cr_assert_eq(web_forwarded_for(&ss, "10.0.0.1, 198.51.100.2 ,  2001:db8::7 "), 0);
	cr_assert_eq(ss.ss_family, AF_INET6);
	inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, text, sizeof(text));
	cr_assert_str_eq(text, "2001:db8::7");
}

Test(web_proxy, not_an_address)
{
	struct sockaddr_storage ss;
	cr_assert_eq(web_forwarded_for(&ss, NULL), -1);
	cr_assert_eq(web_forwarded_for(&ss, ""), -1);
	cr_assert_eq(web_forwarded_for(&ss, "203.0.113.9, "), -1, "an empty last element");
	cr_assert_eq(web_forwarded_for(&ss, "203.0.113.9, unknown"), -1);
	cr_assert_eq(web_forwarded_for(&ss, "203.0.113.9:443"), -1, "with a port");
	cr_assert_eq(web_forwarded_for(&ss, "[2001:db8::7]"), -1);
	cr_assert_eq(web_forwarded_for(&ss, "999.0.0.1"), -1);
	cr_assert_eq(ss.ss_family, 0, "left cleared");
}
