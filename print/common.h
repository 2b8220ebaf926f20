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

/* A value from the registry laid out ahead of drawing: documents measure
 * what they will print, then draw it. */
struct sk_piece {
	struct sk_style st;
	struct sk_text_block b;
	int ready;
};

/* Lay text (NULL: "") out in style st within width. On failure err is
 * "OWNER: FIELD: why" (e.g. "venue HAN1: address: character '…' (U+…) is
 * in no installed font") and the error is returned. */
int sk_piece_lay(const struct sk_fontset *fs, struct sk_piece *p, struct sk_style st, const char *text,
		 double width, const char *owner, const char *field, char *err, size_t errlen);
/* Draw a laid-out piece (nothing if it is not). */
void sk_piece_draw(struct sk_doc *doc, const struct sk_piece *p, double x, double y, double box_width);
void sk_piece_release(struct sk_piece *p);

/* Non-zero if text has a character from U+3000 on (kana, kanji,
 * full-width forms): such text is set in the Japanese face. */
int sk_has_japanese(const char *text);

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

/* Only the value of a field whose box and label are drawn elsewhere (a
 * group shared by many pages: sk_print_field with value NULL). */
int sk_print_field_value(struct sk_doc *doc, double x, double y, double w, const char *value,
			 const struct sk_style *value_style, char *err, size_t errlen);

/* Keys of groups (print/doc.h) shared across the documents of a run: the
 * top four bits say what a group holds, the rest tell one from another. */
#define SK_KEY_ITEM (UINT64_C(1) << 60)    /* | version id << 4 | part (0-4 option, F stem) */
#define SK_KEY_NUMBER (UINT64_C(2) << 60)  /* | question number */
#define SK_KEY_LABEL (UINT64_C(3) << 60)   /* | option letter << 16 | baseline */
#define SK_KEY_COVER (UINT64_C(4) << 60)   /* | hash of what the cover shows but the candidate */
#define SK_KEY_SECTION (UINT64_C(5) << 60) /* | hash of a section heading */
#define SK_KEY_SHEET (UINT64_C(6) << 60)   /* | hash of an answer sheet page but the candidate */
#define SK_KEY_ROW (UINT64_C(7) << 60)     /* | a bubble row: kind, options */
#define SK_KEY_CERT (UINT64_C(8) << 60)    /* | hash of a certificate's frame */
#define SK_KEY_HASH(kind, hash) ((kind) | ((hash) & ((UINT64_C(1) << 60) - 1)))

/* A 64-bit key from bytes (BLAKE2b; keys only tell groups apart). */
uint64_t sk_print_key_hash(const void *data, size_t len);

/* "page x / y" centred in the bottom margin of every page, and `left` (may
 * be NULL) at the bottom left — e.g. the exam number on a booklet. */
void sk_print_footers(struct sk_doc *doc, const char *left, double margin);

/* Styles used across documents, at a size. */
struct sk_style sk_style_gothic(double size);
struct sk_style sk_style_mincho(double size);

#endif
