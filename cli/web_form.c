/*
 * application/x-www-form-urlencoded bodies into fields (web_form.h). Every
 * byte the decoder writes lands in one buffer as long as the body, so no
 * field can outgrow it: percent-escapes only shrink.
 */
#include "cli/web_form.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..len) into out (room for len bytes plus NUL); the decoded
 * length, or -1 for a broken escape, a control character or bad UTF-8. */
static long decode(char *out, const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (len - i < 3)
				return -1;
			int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return sk_utf8_invalid_at(out, n) >= 0 ? -1 : (long)n;
}

int web_form_parse(struct web_form *out, const char *body, size_t len)
{
	memset(out, 0, sizeof(*out));
	/* Each field decodes into at most its own length plus a NUL for the
	 * name and one for the value. */
	char *store = malloc(len + 2 * WEB_FORM_FIELDS + 2);
	if (!store)
		return -2;
	char *w = store;
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end > i) { /* empty pieces ("a=1&&b=2") are skipped, as browsers do */
			if (out->count == WEB_FORM_FIELDS)
				goto bad;
			size_t eq = i;
			while (eq < end && body[eq] != '=')
				eq++;
			long nlen = decode(w, body + i, eq - i);
			if (nlen <= 0)
				goto bad;
			const char *name = w;
			w += nlen + 1;
			long vlen = eq < end ? decode(w, body + eq + 1, end - eq - 1) : (w[0] = '\0', 0);
			if (vlen < 0)
				goto bad;
			for (size_t k = 0; k < out->count; k++)
				if (!strcmp(out->field[k].name, name))
					goto bad;
			out->field[out->count].name = name;
			out->field[out->count].value = w;
			out->count++;
			w += vlen + 1;
		}
		i = end + 1;
	}
	out->store = store;
	return 0;
bad:
	free(store);
	memset(out, 0, sizeof(*out));
	return -1;
}

const char *web_form_get(const struct web_form *f, const char *name)
{
	for (size_t k = 0; k < f->count; k++)
		if (!strcmp(f->field[k].name, name))
			return f->field[k].value;
	return NULL;
}

void web_form_release(struct web_form *f)
{
	free(f->store);
	memset(f, 0, sizeof(*f));
}
