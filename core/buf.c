/* The growable buffer declared in buf.h. */
#include "core/buf.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char sk_buf_empty[1];

void sk_buf_init(struct sk_buf *b)
{
	b->buf = sk_buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->failed = 0;
}

void sk_buf_release(struct sk_buf *b)
{
	if (b->alloc)
		free(b->buf);
	sk_buf_init(b);
}

void sk_buf_reset(struct sk_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->alloc)
		b->buf[0] = '\0';
}

int sk_buf_grow(struct sk_buf *b, size_t extra)
{
	if (b->failed)
		return SK_ENOMEM;
	if (extra >= (size_t)-1 / 2 - b->len)
		goto fail;
	size_t need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	size_t alloc = b->alloc ? b->alloc : 64;
	while (alloc < need)
		alloc = alloc / 2 * 3 + 16;
	char *p = realloc(b->alloc ? b->buf : NULL, alloc);
	if (!p)
		goto fail;
	if (!b->alloc)
		p[0] = '\0';
	b->buf = p;
	b->alloc = alloc;
	return 0;
fail:
	b->failed = 1;
	return SK_ENOMEM;
}

void sk_buf_add(struct sk_buf *b, const void *data, size_t len)
{
	if (len == 0 || sk_buf_grow(b, len))
		return;
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
}

void sk_buf_adds(struct sk_buf *b, const char *s)
{
	sk_buf_add(b, s, strlen(s));
}

void sk_buf_addch(struct sk_buf *b, char c)
{
	sk_buf_add(b, &c, 1);
}

void sk_buf_vaddf(struct sk_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || sk_buf_grow(b, (size_t)n))
		return;
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sk_buf_addf(struct sk_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sk_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void sk_buf_add_json_str(struct sk_buf *b, const char *s)
{
	if (!s) {
		sk_buf_adds(b, "null");
		return;
	}
	sk_buf_addch(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sk_buf_adds(b, "\\\""); break;
		case '\\': sk_buf_adds(b, "\\\\"); break;
		case '\n': sk_buf_adds(b, "\\n"); break;
		case '\r': sk_buf_adds(b, "\\r"); break;
		case '\t': sk_buf_adds(b, "\\t"); break;
		default:
			if (*p < 0x20)
				sk_buf_addf(b, "\\u%04x", *p);
			else
				sk_buf_addch(b, (char)*p);
		}
	}
	sk_buf_addch(b, '"');
}

char *sk_buf_detach(struct sk_buf *b, size_t *out_len)
{
	char *p = NULL;
	if (out_len)
		*out_len = 0;
	if (b->failed) {
		sk_buf_release(b);
		return NULL;
	}
	if (b->alloc) {
		p = b->buf;
	} else {
		p = calloc(1, 1);
		if (!p)
			return NULL;
	}
	if (out_len)
		*out_len = b->len;
	sk_buf_init(b);
	return p;
}

int sk_buf_failed(const struct sk_buf *b)
{
	return b->failed;
}

void sk_buf_add_uint(struct sk_buf *b, unsigned long long v)
{
	char d[24];
	int k = (int)sizeof(d);
	do {
		d[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sk_buf_add(b, d + k, sizeof(d) - (size_t)k);
}

void sk_buf_add_dec2(struct sk_buf *b, double v)
{
	double r = v * 100 + (v < 0 ? -0.5 : 0.5);
	if (!(r > -9e18 && r < 9e18)) { /* NaN or beyond any page */
		sk_buf_addch(b, '0');
		return;
	}
	long long n = (long long)r;
	if (n < 0) {
		sk_buf_addch(b, '-');
		n = -n;
	}
	unsigned long long u = (unsigned long long)n;
	sk_buf_add_uint(b, u / 100);
	unsigned frac = (unsigned)(u % 100);
	if (frac) {
		char t[3] = { '.', (char)('0' + frac / 10), (char)('0' + frac % 10) };
		sk_buf_add(b, t, frac % 10 ? 3 : 2);
	}
}
