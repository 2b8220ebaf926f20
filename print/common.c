/* Shared pieces of printed documents; see common.h. */
#include "print/common.h"
#include "core/date.h"
#include "core/error.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static struct sk_fontset *fonts;
static char fonts_err[256];
static pthread_once_t fonts_once = PTHREAD_ONCE_INIT;

static void open_fonts(void)
{
	if (sk_fontset_open(&fonts, fonts_err, sizeof(fonts_err)))
		fonts = NULL;
}

const struct sk_fontset *sk_print_fonts(char *err, size_t errlen)
{
	pthread_once(&fonts_once, open_fonts);
	if (!fonts && err && errlen)
		snprintf(err, errlen, "%s", fonts_err);
	return fonts;
}

static int weekday(const struct sk_date *d)
{
	/* 1970-01-01 was a Thursday (4). */
	long days = sk_date_days(d);
	return (int)(((days % 7) + 7 + 4) % 7);
}

char *sk_date_ja(char *out, size_t cap, const struct sk_date *d)
{
	static const char *const wd[] = { "日", "月", "火", "水", "木", "金", "土" };
	snprintf(out, cap, "%d年%d月%d日（%s）", d->year, d->month, d->day, wd[weekday(d)]);
	return out;
}

char *sk_date_en(char *out, size_t cap, const struct sk_date *d)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	snprintf(out, cap, "%d %s %d (%s)", d->day, mo[(d->month - 1) % 12], d->year, wd[weekday(d)]);
	return out;
}

struct sk_style sk_style_gothic(double size)
{
	struct sk_style s = { SK_FACE_GOTHIC, size, 0, 1.4, SK_ALIGN_LEFT, 0 };
	return s;
}

struct sk_style sk_style_mincho(double size)
{
	struct sk_style s = { SK_FACE_MINCHO, size, 0, 1.7, SK_ALIGN_LEFT, 0 };
	return s;
}

int sk_print_field(struct sk_doc *doc, double x, double y, double w, double h, const char *label_ja,
		   const char *label_en, const char *value, const struct sk_style *value_style,
		   char *err, size_t errlen)
{
	struct sk_style lab = sk_style_gothic(7);
	char label[256];
	snprintf(label, sizeof(label), "%s  %s", label_ja, label_en);
	sk_doc_rect(doc, x, y, w, h, 0.5, 0, -1);
	if (sk_text_put(doc, &lab, label, x + 3, y + 2, w - 6, err, errlen) < 0)
		return -1;
	return sk_print_field_value(doc, x, y, w, value, value_style, err, errlen);
}

int sk_print_field_value(struct sk_doc *doc, double x, double y, double w, const char *value,
			 const struct sk_style *value_style, char *err, size_t errlen)
{
	if (value && *value && sk_text_put(doc, value_style, value, x + 4, y + 12, w - 8, err, errlen) < 0)
		return -1;
	return 0;
}

void sk_print_footers(struct sk_doc *doc, const char *left, double margin)
{
	int n = sk_doc_pages(doc);
	struct sk_style st = sk_style_gothic(8);
	char buf[64], err[64];
	for (int p = 0; p < n; p++) {
		sk_doc_select_page(doc, p);
		snprintf(buf, sizeof(buf), "%d / %d", p + 1, n);
		st.align = SK_ALIGN_CENTER;
		sk_text_put(doc, &st, buf, margin, sk_doc_height(doc) - margin * 0.6, sk_doc_width(doc) - 2 * margin,
			    err, sizeof(err));
		if (left) {
			st.align = SK_ALIGN_LEFT;
			sk_text_put(doc, &st, left, margin, sk_doc_height(doc) - margin * 0.6,
				    sk_doc_width(doc) - 2 * margin, err, sizeof(err));
		}
	}
	if (n)
		sk_doc_select_page(doc, n - 1);
}

uint64_t sk_print_key_hash(const void *data, size_t len)
{
	unsigned char h[8];
	crypto_generichash(h, sizeof(h), data, len, NULL, 0);
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return v;
}

int sk_piece_lay(const struct sk_fontset *fs, struct sk_piece *p, struct sk_style st, const char *text,
		 double width, const char *owner, const char *field, char *err, size_t errlen)
{
	char why[256] = "";
	p->st = st;
	int rc = sk_text_layout(fs, &st, text ? text : "", width, &p->b, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "%s: %s: %s", owner, field, why[0] ? why : sk_strerror(rc));
		return rc;
	}
	p->ready = 1;
	return 0;
}

void sk_piece_draw(struct sk_doc *doc, const struct sk_piece *p, double x, double y, double box_width)
{
	if (p->ready)
		sk_text_draw(doc, &p->b, &p->st, x, y, box_width);
}

void sk_piece_release(struct sk_piece *p)
{
	if (p->ready)
		sk_text_release(&p->b);
	p->ready = 0;
}

int sk_has_japanese(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p >= 0xE3 && *p <= 0xEF) /* U+3000..U+FFFF: kana, kanji, full-width forms */
			return 1;
	return 0;
}
