/*
 * Pieces every printed document shares: the fontset opened once per
 * process, bilingual labels (Japanese over English), Japanese dates,
 * "page x / y" footers, boxed fields, and the candidate's language for
 * instructions (a catalog in locales/, else English).
 */
#ifndef SK_PRINT_COMMON_H
#define SK_PRINT_COMMON_H

#include "print/doc.h"
#include "print/text.h"

struct sk_date;

/* The process-wide fontset (opened on first use; never freed). NULL with
 * the reason in err when the fonts are missing. */
const struct sk_fontset *sk_print_fonts(char *err, size_t errlen);

/* "2026年12月13日（日）" and "13 Dec 2026 (Sun)" into out. */
char *sk_date_ja(char *out, size_t cap, const struct sk_date *d);
char *sk_date_en(char *out, size_t cap, const struct sk_date *d);

/* A field: a small bilingual label ("受験番号 / Exam number") at the top of a
 * box and the value below it in `value_style`. The box is drawn with a thin
 * rule. Returns 0, or -1 when the value cannot be set (reason in err). */
int sk_print_field(struct sk_doc *doc, double x, double y, double w, double h, const char *label_ja,
		   const char *label_en, const char *value, const struct sk_style *value_style,
		   char *err, size_t errlen);

/* "page x / y" centred in the bottom margin of every page, and `left` (may
 * be NULL) at the bottom left — e.g. the exam number on a booklet. */
void sk_print_footers(struct sk_doc *doc, const char *left, double margin);

/* Styles used across documents, at a size. */
struct sk_style sk_style_gothic(double size);
struct sk_style sk_style_mincho(double size);

#endif
