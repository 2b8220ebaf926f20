/*
 * Unicode helpers. utf8proc does the Unicode work (normalisation, character
 * categories and widths); this file only adapts it to NUL-terminated strings
 * and adds fast paths for ASCII, which is most of what exam staff type.
 */
#include "core/text.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

long sk_utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c < 0x80) {
			if (c == 0)
				return (long)i;
			i++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			return (long)i;
		i += (size_t)n;
	}
	return -1;
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

static int normalise(char **out, const char *s, utf8proc_option_t opts)
{
	*out = NULL;
	if (is_ascii(s)) {
		*out = strdup(s);
		return *out ? 0 : SK_ENOMEM;
	}
	utf8proc_uint8_t *r = NULL;
	utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &r,
					  opts | UTF8PROC_NULLTERM | UTF8PROC_STABLE);
	if (n < 0)
		return n == UTF8PROC_ERROR_NOMEM ? SK_ENOMEM : SK_EINPUT;
	*out = (char *)r;
	return 0;
}

int sk_text_nfc(char **out, const char *s)
{
	return normalise(out, s, UTF8PROC_COMPOSE);
}

int sk_text_nfkc(char **out, const char *s)
{
	return normalise(out, s, UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
}

size_t sk_utf8_decode(const char *s, int *out_cp)
{
	utf8proc_int32_t cp = -1;
	utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &cp);
	if (n <= 0 || cp == 0) {
		*out_cp = 0;
		return 0;
	}
	*out_cp = cp;
	return (size_t)n;
}

size_t sk_text_length(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return n;
}

size_t sk_text_width(const char *s)
{
	size_t w = 0;
	while (*s) {
		int cp;
		size_t n = sk_utf8_decode(s, &cp);
		if (!n) {
			s++;
			w++;
			continue;
		}
		int cw = utf8proc_charwidth(cp);
		w += cw > 0 ? (size_t)cw : 0;
		s += n;
	}
	return w;
}

static int is_space_cp(int cp)
{
	if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 ||
	    cp == 0x3000 || cp == 0xFEFF)
		return 1;
	return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

char *sk_text_trim(char *s)
{
	/* Most fields are ASCII with nothing to trim: check both ends cheaply. */
	size_t len0 = strlen(s);
	if (len0 == 0)
		return s;
	unsigned char head = (unsigned char)s[0], tail = (unsigned char)s[len0 - 1];
	if (head > ' ' && head < 0x80 && tail > ' ' && tail < 0x80)
		return s;
	char *start = s;
	for (;;) {
		int cp;
		size_t n = sk_utf8_decode(start, &cp);
		if (!n || !is_space_cp(cp))
			break;
		start += n;
	}
	char *end = start, *last = start;
	while (*end) {
		int cp;
		size_t n = sk_utf8_decode(end, &cp);
		if (!n) {
			end++;
			last = end;
			continue;
		}
		end += n;
		if (!is_space_cp(cp))
			last = end;
	}
	size_t len = (size_t)(last - start);
	memmove(s, start, len);
	s[len] = '\0';
	return s;
}

int sk_text_blank(const char *s)
{
	while (*s) {
		int cp;
		size_t n = sk_utf8_decode(s, &cp);
		if (!n || !is_space_cp(cp))
			return 0;
		s += n;
	}
	return 1;
}

char *sk_ascii_upper(char *s)
{
	for (char *p = s; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return s;
}

char *sk_ascii_lower(char *s)
{
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

int sk_ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || !ca)
			return ca - cb;
	}
}

char *sk_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}
