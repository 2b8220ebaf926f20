/*
 * Setting text: Japanese line breaking (禁則処理) and furigana (ruby), with
 * per-character font fallback (font.h).
 *
 * Text is UTF-8 (normalised to NFC by the caller or the registry) and may
 * carry furigana markup {漢字|かんじ} (core/ruby.h). A ruby group never breaks;
 * its reading is set at half size centred over the base. A reading wider
 * than its base may hang over neighbouring kana (never over kanji, another
 * reading or the line's ends), else the group widens; a line with ruby grows
 * upwards to make room unless the leading already holds it.
 *
 * Breaking: between Japanese characters anywhere, except that no line starts
 * with closing brackets, 、。，．・：；！？, prolonged sound marks or small kana,
 * and none ends with an opening bracket (the character before moves down
 * instead); Latin words break only at spaces (a word longer than a line is
 * cut); spaces at line ends vanish; "\n" breaks.
 */
#ifndef SK_TEXT_LAYOUT_H
#define SK_TEXT_LAYOUT_H

#include "print/doc.h"
#include "print/font.h"

#include <stddef.h>
#include <stdint.h>

enum sk_align { SK_ALIGN_LEFT, SK_ALIGN_CENTER, SK_ALIGN_RIGHT };

struct sk_style {
	enum sk_face face;  /* preferred face */
	double size;        /* points */
	int bold;
	double leading;     /* line height as a multiple of size; 0: 1.6 */
	enum sk_align align;
	int ruby_room;      /* leave room for furigana even when this text has
			     * none (options beside others that do) */
};

struct sk_glyph_run {
	int face;
	int bold;
	double size;
	double x;      /* from the block's left */
	double rise;   /* above the line's baseline (ruby) */
	size_t start, n; /* code points in the block's cps */
};

struct sk_line {
	double width;
	double top;      /* from the block's top */
	double baseline; /* from the block's top */
	double height;
	size_t first_run, nruns;
	int has_ruby;
};

struct sk_text_block {
	uint32_t *cps;
	size_t ncps, acps;
	struct sk_glyph_run *runs;
	size_t nruns, aruns;
	struct sk_line *lines;
	size_t nlines, alines;
	double width;   /* the widest line */
	double height;  /* all lines */
};

/* Lay out text into lines at most max_width wide (<= 0: one line per "\n").
 * Returns 0, SK_EINPUT with a reason in err (bad markup, or a character no
 * font has: "character 'X' (U+1F600) is in no installed font"), SK_ENOMEM. */
int sk_text_layout(const struct sk_fontset *fs, const struct sk_style *style, const char *text,
		   double max_width, struct sk_text_block *out, char *err, size_t errlen);
void sk_text_release(struct sk_text_block *b);

/* Draw a laid-out block with its top-left corner at (x, y). Alignment is
 * within `box_width` (<= 0: the block's own width). */
void sk_text_draw(struct sk_doc *doc, const struct sk_text_block *b, const struct sk_style *style,
		  double x, double y, double box_width);

/* Lay out and draw in one go; returns the height used, or -1 on error
 * (reason in err). */
double sk_text_put(struct sk_doc *doc, const struct sk_style *style, const char *text, double x,
		   double y, double width, char *err, size_t errlen);

/* Width of text on one line (markup allowed), or -1 on error. */
double sk_text_measure(const struct sk_fontset *fs, const struct sk_style *style, const char *text);

#endif
