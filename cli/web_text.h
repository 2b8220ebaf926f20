/*
 * Text the web service makes from what clients send: the language a page is
 * shown in (Accept-Language, RFC 9110 section 12.5.4), HTML-escaped text,
 * and the request target as the access log shows it (tokens shortened,
 * nothing that could break a log line). Pure functions of their arguments,
 * no I/O, no global state: the unit tests call them directly.
 */
#ifndef SK_WEB_TEXT_H
#define SK_WEB_TEXT_H

#include "core/buf.h"

#include <stddef.h>

#define WEB_LANG_MAX 8 /* primary subtag plus NUL, as core/i18n.h */

/* Choose a language for a request into out[WEB_LANG_MAX]: `query` (a ?lang=
 * value, may be NULL) when `available` has it; else the best of the
 * Accept-Language header `accept` (may be NULL): the range with the highest
 * q-value that names an available language by its primary subtag ("ja-JP"
 * → "ja"), the earlier one on a tie; "*" and q=0 never choose; malformed
 * entries are skipped. Otherwise `available[0]`. `available` is a
 * NULL-terminated list of primary subtags, the default first. Returns out. */
char *web_lang_choose(char out[WEB_LANG_MAX], const char *query, const char *accept,
		      const char *const *available);

/* Append s HTML-escaped (& < > " ' as entities), fit for element text and
 * quoted attribute values. NULL appends nothing. */
void web_html_escape(struct sk_buf *b, const char *s);

/* Append the request target `target` (path and query as received, not
 * decoded) for an access log line: every run of more than 24 token
 * characters (A-Z a-z 0-9 - _ .) becomes "..." and its last 8 characters
 * (a token's signature tail: enough to find it, nothing personal), bytes
 * outside printable ASCII, space, '"' and '\\' become %XX, and at most
 * `max` bytes of the target are looked at (then "..." ends it). */
void web_log_target(struct sk_buf *b, const char *target, size_t max);

/* The client a reverse proxy forwarded for: the last address of an
 * X-Forwarded-For header (the one the proxy itself added; earlier ones are
 * whatever the client claimed), IPv4 or IPv6, into *out. 0, or -1 when the
 * header is missing or its last element is not an address. */
struct sockaddr_storage;
int web_forwarded_for(struct sockaddr_storage *out, const char *header);

#endif
