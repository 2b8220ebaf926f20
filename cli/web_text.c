/*
 * Language choice, HTML escaping and access-log targets for the web service
 * (web_text.h). Everything here reads bytes a client sent, so every loop is
 * bounded by the input and nothing is trusted to be well formed.
 */
#include "cli/web_text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* The language in `available` whose primary subtag matches range[0..n)
 * (its first subtag, compared without case), or NULL. */
static const char *match_range(const char *range, size_t n, const char *const *available)
{
	size_t prim = 0;
	while (prim < n && range[prim] != '-')
		prim++;
	for (const char *const *a = available; *a; a++) {
		size_t alen = strlen(*a);
		if (alen != prim)
			continue;
		size_t i = 0;
		while (i < prim && (range[i] | 0x20) == (*a)[i])
			i++;
		if (i == prim)
			return *a;
	}
	return NULL;
}

/* A language range: "*" or 1-8 letters, then "-" and 1-8 letters or digits,
 * any number of times (RFC 4647 section 2.1). */
static int range_ok(const char *s, size_t n)
{
	if (n == 1 && s[0] == '*')
		return 1;
	size_t i = 0, part = 0;
	int first = 1;
	for (; i < n; i++) {
		if (s[i] == '-') {
			if (part == 0)
				return 0;
			part = 0;
			first = 0;
			continue;
		}
		if (!(is_alpha(s[i]) || (!first && is_digit(s[i]))) || ++part > 8)
			return 0;
	}
	return part > 0;
}

/* A q-value (RFC 9110 section 12.4.2) in thousandths: "0", "0.5", "1.000";
 * -1 when malformed. */
static int qvalue(const char *s, size_t n)
{
	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	int q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	int scale = 100;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (!is_digit(s[i]) || (q == 1000 && s[i] != '0'))
			return -1;
		q += (s[i] - '0') * scale;
	}
	return q;
}

char *web_lang_choose(char out[WEB_LANG_MAX], const char *query, const char *accept,
		      const char *const *available)
{
	const char *chosen = NULL;
	if (query && *query) {
		size_t n = strlen(query);
		if (range_ok(query, n))
			chosen = match_range(query, n, available);
	}
	int best_q = 0;
	for (const char *p = accept; !(query && chosen) && p && *p;) {
		/* One element: range *( OWS ";" OWS param ), up to a comma. */
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		const char *s = p;
		while (s < end && is_ows(*s))
			s++;
		const char *range = s;
		while (s < end && *s != ';' && !is_ows(*s))
			s++;
		size_t rlen = (size_t)(s - range);
		int q = 1000, ok = rlen > 0 && range_ok(range, rlen);
		while (ok && s < end) {
			while (s < end && is_ows(*s))
				s++;
			if (s == end)
				break;
			if (*s != ';') {
				ok = 0;
				break;
			}
			s++;
			while (s < end && is_ows(*s))
				s++;
			const char *param = s;
			while (s < end && *s != ';' && !is_ows(*s))
				s++;
			size_t plen = (size_t)(s - param);
			if (plen >= 2 && (param[0] | 0x20) == 'q' && param[1] == '=')
				ok = (q = qvalue(param + 2, plen - 2)) >= 0;
			/* Accept-Language defines no other parameter: ignored. */
		}
		/* "*" matches no language of ours, so it never chooses. */
		const char *lang = ok && q > best_q ? match_range(range, rlen, available) : NULL;
		if (lang) {
			chosen = lang;
			best_q = q;
		}
		p = *end ? end + 1 : end;
	}
	out[0] = '\0';
	strncat(out, chosen ? chosen : available[0], WEB_LANG_MAX - 1);
	return out;
}

void web_html_escape(struct sk_buf *b, const char *s)
{
	if (!s)
		return;
	const char *run = s;
	for (; *s; s++) {
		const char *ent;
		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		sk_buf_add(b, run, (size_t)(s - run));
		sk_buf_adds(b, ent);
		run = s + 1;
	}
	sk_buf_add(b, run, (size_t)(s - run));
}

static int is_token_char(unsigned char c)
{
	return is_alpha((char)c) || is_digit((char)c) || c == '-' || c == '_' || c == '.';
}

#define LOG_RUN_MAX 24 /* longer runs of token characters are shortened */
#define LOG_RUN_TAIL 8

void web_log_target(struct sk_buf *b, const char *target, size_t max)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strnlen(target, max + 1), i = 0;
	int cut = n > max;
	if (cut)
		n = max;
	while (i < n) {
		size_t run = i;
		while (run < n && is_token_char((unsigned char)target[run]))
			run++;
		if (run - i > LOG_RUN_MAX) {
			sk_buf_adds(b, "...");
			sk_buf_add(b, target + run - LOG_RUN_TAIL, LOG_RUN_TAIL);
			i = run;
			continue;
		}
		sk_buf_add(b, target + i, run - i);
		i = run;
		if (i == n)
			break;
		unsigned char c = (unsigned char)target[i++];
		if (c > ' ' && c < 0x7f && c != '"' && c != '\\') {
			sk_buf_addch(b, (char)c);
		} else {
			sk_buf_addch(b, '%');
			sk_buf_addch(b, hex[c >> 4]);
			sk_buf_addch(b, hex[c & 15]);
		}
	}
	if (cut)
		sk_buf_adds(b, "...");
}

int web_forwarded_for(struct sockaddr_storage *out, const char *header)
{
	memset(out, 0, sizeof(*out));
	if (!header)
		return -1;
	const char *start = strrchr(header, ',');
	start = start ? start + 1 : header;
	while (is_ows(*start))
		start++;
	size_t n = strlen(start);
	while (n && is_ows(start[n - 1]))
		n--;
	char addr[INET6_ADDRSTRLEN];
	if (n == 0 || n >= sizeof(addr))
		return -1;
	memcpy(addr, start, n);
	addr[n] = '\0';
	struct sockaddr_in *in = (struct sockaddr_in *)out;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -1;
}
