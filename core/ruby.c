/* Furigana markup; see ruby.h. */
#include "core/ruby.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/report.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

static int is_reading_cp(int cp)
{
	return (cp >= 0x3041 && cp <= 0x309F) || /* hiragana */
	       (cp >= 0x30A0 && cp <= 0x30FF) || /* katakana, ー */
	       cp == 0x30FC;
}

/* Walk the text; on each segment call emit (may be NULL). */
static int walk(const char *text, size_t *char_pos, const char **reason,
		void (*emit)(void *payload, const struct sk_ruby_seg *seg), void *payload)
{
	size_t pos = 0; /* characters consumed */
	const char *p = text, *plain = text;
	*char_pos = 0;
	*reason = NULL;
	while (*p) {
		int cp;
		size_t n = sk_utf8_decode(p, &cp);
		if (!n) {
			*char_pos = pos + 1;
			*reason = N_("invalid UTF-8");
			return SK_EINPUT;
		}
		pos++;
		if (cp == '}' || cp == '|') {
			*char_pos = pos;
			*reason = cp == '}' ? N_("'}' without an opening '{'")
					    : N_("'|' outside {base|reading} (write ｜ for a literal bar)");
			return SK_EINPUT;
		}
		if (cp != '{') {
			p += n;
			continue;
		}
		size_t open_pos = pos;
		if (emit && p > plain) {
			struct sk_ruby_seg seg = { plain, (size_t)(p - plain), NULL, 0 };
			emit(payload, &seg);
		}
		const char *base = p + n, *bar = NULL, *q = base;
		size_t reading_chars = 0, base_chars = 0;
		for (;;) {
			int c2;
			size_t m = sk_utf8_decode(q, &c2);
			if (!m) {
				*char_pos = open_pos;
				*reason = N_("'{' without a closing '}'");
				return SK_EINPUT;
			}
			pos++;
			if (c2 == '{') {
				*char_pos = pos;
				*reason = N_("'{' inside furigana markup");
				return SK_EINPUT;
			}
			if (c2 == '|') {
				if (bar) {
					*char_pos = pos;
					*reason = N_("a second '|' in furigana markup");
					return SK_EINPUT;
				}
				if (!base_chars) {
					*char_pos = pos;
					*reason = N_("furigana markup has an empty base");
					return SK_EINPUT;
				}
				bar = q;
			} else if (c2 == '}') {
				if (!bar) {
					*char_pos = open_pos;
					*reason = N_("furigana markup lacks '|' between base and reading");
					return SK_EINPUT;
				}
				if (!reading_chars) {
					*char_pos = pos;
					*reason = N_("furigana markup has an empty reading");
					return SK_EINPUT;
				}
				if (emit) {
					struct sk_ruby_seg seg = { base, (size_t)(bar - base), bar + 1,
								   (size_t)(q - (bar + 1)) };
					emit(payload, &seg);
				}
				p = q + m;
				plain = p;
				break;
			} else if (bar) {
				if (!is_reading_cp(c2)) {
					/* No '}' before the next '{' or the end: the markup was
					 * never closed, which is the mistake to name. */
					const char *close = strchr(q, '}'), *next = strchr(q, '{');
					if (!close || (next && next < close)) {
						*char_pos = open_pos;
						*reason = N_("'{' without a closing '}'");
					} else {
						*char_pos = pos;
						*reason = N_("a furigana reading must be kana");
					}
					return SK_EINPUT;
				}
				reading_chars++;
			} else {
				base_chars++;
			}
			q += m;
		}
	}
	if (emit && p > plain) {
		struct sk_ruby_seg seg = { plain, (size_t)(p - plain), NULL, 0 };
		emit(payload, &seg);
	}
	return 0;
}

int sk_ruby_check(const char *text, size_t *char_pos, const char **reason)
{
	return walk(text, char_pos, reason, NULL, NULL);
}

struct seg_list {
	struct sk_ruby_seg *items;
	size_t count, alloc;
	int failed;
};

static void add_seg(void *payload, const struct sk_ruby_seg *seg)
{
	struct seg_list *l = payload;
	if (l->failed)
		return;
	if (l->count == l->alloc) {
		size_t a = l->alloc ? l->alloc * 2 : 8;
		struct sk_ruby_seg *p = realloc(l->items, a * sizeof(*p));
		if (!p) {
			l->failed = 1;
			return;
		}
		l->items = p;
		l->alloc = a;
	}
	l->items[l->count++] = *seg;
}

int sk_ruby_parse(const char *text, struct sk_ruby_seg **out, size_t *count)
{
	struct seg_list l = { 0 };
	size_t pos;
	const char *why;
	*out = NULL;
	*count = 0;
	int rc = walk(text, &pos, &why, add_seg, &l);
	if (rc || l.failed) {
		free(l.items);
		return rc ? rc : SK_ENOMEM;
	}
	*out = l.items;
	*count = l.count;
	return 0;
}

char *sk_ruby_plain(const char *text, int with_readings)
{
	struct sk_ruby_seg *segs;
	size_t n;
	if (sk_ruby_parse(text, &segs, &n))
		return NULL;
	struct sk_buf b = SK_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		sk_buf_add(&b, segs[i].base, segs[i].base_len);
		if (with_readings && segs[i].reading) {
			sk_buf_addch(&b, '(');
			sk_buf_add(&b, segs[i].reading, segs[i].reading_len);
			sk_buf_addch(&b, ')');
		}
	}
	free(segs);
	return sk_buf_detach(&b, NULL);
}
