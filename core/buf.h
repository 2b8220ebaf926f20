/*
 * A growable byte buffer, always NUL-terminated (after git's strbuf).
 *
 * Ownership: the caller owns the struct; sk_buf_init() makes it usable,
 * sk_buf_release() frees its bytes. `buf` is never NULL after init. The only
 * way to take the bytes is sk_buf_detach(). Allocation failures are sticky:
 * adds become no-ops and sk_buf_failed() reports it, so a run of appends
 * needs one check at the end.
 */
#ifndef SK_BUF_H
#define SK_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct sk_buf {
	char *buf;
	size_t len;
	size_t alloc;
	int failed;
};

extern char sk_buf_empty[];
#define SK_BUF_INIT { sk_buf_empty, 0, 0, 0 }

void sk_buf_init(struct sk_buf *b);
void sk_buf_release(struct sk_buf *b);
/* Truncate to zero length, keeping the allocation. Clears the failure flag. */
void sk_buf_reset(struct sk_buf *b);
/* Make room for `extra` more bytes; 0 or SK_ENOMEM. */
int sk_buf_grow(struct sk_buf *b, size_t extra);
void sk_buf_add(struct sk_buf *b, const void *data, size_t len);
void sk_buf_adds(struct sk_buf *b, const char *s);
void sk_buf_addch(struct sk_buf *b, char c);
void sk_buf_addf(struct sk_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sk_buf_vaddf(struct sk_buf *b, const char *fmt, va_list ap);
/* Append `s` as a JSON string literal, quotes included. NULL gives null. */
/* A number with at most two decimals, trailing zeros dropped ("12.5",
 * "-3", "0.07"): points in PDF content and layout data, without printf's
 * cost in loops of thousands. */
void sk_buf_add_dec2(struct sk_buf *b, double v);
/* An unsigned integer in decimal. */
void sk_buf_add_uint(struct sk_buf *b, unsigned long long v);
void sk_buf_add_json_str(struct sk_buf *b, const char *s);
/* Take the bytes (caller frees); the buffer is re-initialised. NULL on failure. */
char *sk_buf_detach(struct sk_buf *b, size_t *out_len);
/* Non-zero if an allocation failed since init or the last reset. */
int sk_buf_failed(const struct sk_buf *b);

#endif
