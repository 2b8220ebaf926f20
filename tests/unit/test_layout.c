/*
 * Text layout for printed documents (print/text.c): Japanese line breaking
 * with 禁則処理, Latin words kept whole, explicit newlines, furigana placed
 * over their base without touching a neighbour or leaving the line, the
 * line pitch furigana needs, per-character font fallback, and the errors
 * for bad markup and for characters no installed font has. Every test
 * checks the laid-out lines and runs themselves — which characters sit on
 * which line, at which x — as a reader of the printed page would see them.
 */
#include "core/error.h"
#include "print/common.h"
#include "print/text.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 0.01

static const struct sk_fontset *fonts(void)
{
	char err[256] = "";
	const struct sk_fontset *fs = sk_print_fonts(err, sizeof(err));
	cr_assert_not_null(fs, "%s", err);
	return fs;
}

/* IPAex Gothic at `size` with an explicit leading, so line heights are known. */
static struct sk_style gothic(double size)
{
	struct sk_style st = { .face = SK_FACE_GOTHIC, .size = size, .leading = 1.6 };
	return st;
}

static void lay(struct sk_text_block *b, const struct sk_style *st, const char *text, double width)
{
	char err[256] = "";
	int rc = sk_text_layout(fonts(), st, text, width, b, err, sizeof(err));
	cr_assert_eq(rc, 0, "layout of '%s' failed: %s", text, err);
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The code points of a run as UTF-8 (a static buffer per call site is
 * enough for the short texts here). */
static void run_text(char *out, size_t cap, const struct sk_text_block *b, const struct sk_glyph_run *r)
{
	size_t k = 0;
	for (size_t i = r->start; i < r->start + r->n; i++) {
		cr_assert_lt(k + 5, cap);
		k += put_utf8(out + k, b->cps[i]);
	}
	out[k] = '\0';
}

/* The text of line l: its base glyphs (want_ruby 0) or its readings (1). */
static void line_text(char *out, size_t cap, const struct sk_text_block *b, size_t l, int want_ruby)
{
	cr_assert_lt(l, b->nlines);
	const struct sk_line *ln = &b->lines[l];
	size_t k = 0;
	out[0] = '\0';
	for (size_t r = ln->first_run; r < ln->first_run + ln->nruns; r++) {
		const struct sk_glyph_run *run = &b->runs[r];
		if ((run->rise != 0) != want_ruby)
			continue;
		run_text(out + k, cap - k, b, run);
		k += strlen(out + k);
	}
}

static void assert_line(const struct sk_text_block *b, size_t l, const char *want)
{
	char got[512];
	line_text(got, sizeof(got), b, l, 0);
	cr_assert_str_eq(got, want, "line %zu is '%s', want '%s'", l, got, want);
}

static void assert_lines(const struct sk_text_block *b, const char *const *want, size_t n)
{
	for (size_t l = 0; l < b->nlines && l < n; l++)
		assert_line(b, l, want[l]);
	cr_assert_eq(b->nlines, n, "%zu lines, want %zu", b->nlines, n);
}

/* First and last base code point of line l (0 for an empty line). */
static uint32_t line_first(const struct sk_text_block *b, size_t l)
{
	const struct sk_line *ln = &b->lines[l];
	for (size_t r = ln->first_run; r < ln->first_run + ln->nruns; r++)
		if (b->runs[r].rise == 0 && b->runs[r].n)
			return b->cps[b->runs[r].start];
	return 0;
}

static uint32_t line_last(const struct sk_text_block *b, size_t l)
{
	const struct sk_line *ln = &b->lines[l];
	for (size_t r = ln->first_run + ln->nruns; r > ln->first_run; r--)
		if (b->runs[r - 1].rise == 0 && b->runs[r - 1].n)
			return b->cps[b->runs[r - 1].start + b->runs[r - 1].n - 1];
	return 0;
}

/* Width of a run as drawn: the sum of its glyphs' advances. */
static double run_width(const struct sk_text_block *b, const struct sk_glyph_run *r)
{
	double w = 0;
	for (size_t i = r->start; i < r->start + r->n; i++)
		w += sk_font_advance(fonts(), (enum sk_face)r->face, b->cps[i], r->size);
	return w;
}

/* The i-th ruby (rise != 0) or base run of line l. */
static const struct sk_glyph_run *nth_run(const struct sk_text_block *b, size_t l, int ruby, size_t i)
{
	const struct sk_line *ln = &b->lines[l];
	for (size_t r = ln->first_run; r < ln->first_run + ln->nruns; r++)
		if ((b->runs[r].rise != 0) == ruby && i-- == 0)
			return &b->runs[r];
	cr_assert_fail("line %zu has no %s run %zu", l, ruby ? "ruby" : "base", i);
	return NULL;
}

/* Nothing on any line overlaps: base runs tile left to right without
 * overlapping each other, ruby runs likewise, and every run lies inside
 * [0, line width] and inside the width the text was given. */
static void assert_no_overlap(const struct sk_text_block *b, double max_width)
{
	for (size_t l = 0; l < b->nlines; l++) {
		const struct sk_line *ln = &b->lines[l];
		for (int ruby = 0; ruby <= 1; ruby++) {
			double end = 0;
			for (size_t r = ln->first_run; r < ln->first_run + ln->nruns; r++) {
				const struct sk_glyph_run *run = &b->runs[r];
				if ((run->rise != 0) != ruby)
					continue;
				char t[128];
				run_text(t, sizeof(t), b, run);
				double w = run_width(b, run);
				cr_assert_geq(run->x, end - 1e-6, "line %zu: %s run '%s' at %.3f overlaps the one ending at %.3f",
					      l, ruby ? "ruby" : "base", t, run->x, end);
				cr_assert_geq(run->x, -1e-6, "line %zu: '%s' starts left of the line (x %.3f)", l, t, run->x);
				cr_assert_leq(run->x + w, ln->width + 1e-6, "line %zu: '%s' ends at %.3f, past the line's width %.3f",
					      l, t, run->x + w, ln->width);
				if (max_width > 0)
					cr_assert_leq(run->x + w, max_width + 1e-6, "line %zu: '%s' ends at %.3f, past %.3f", l, t,
						      run->x + w, max_width);
				end = run->x + w;
			}
		}
	}
}

/* ---- measuring ---- */

Test(layout, kana_are_one_em_wide)
{
	struct sk_style st = gothic(10);
	cr_assert_float_eq(sk_text_measure(fonts(), &st, "あいう"), 30.0, 1e-9);
	st.face = SK_FACE_MINCHO;
	cr_assert_float_eq(sk_text_measure(fonts(), &st, "あいう"), 30.0, 1e-9);
	st.size = 12;
	cr_assert_float_eq(sk_text_measure(fonts(), &st, "受験票"), 36.0, 1e-9);
}

Test(layout, measure_counts_the_wider_of_base_and_reading)
{
	struct sk_style st = gothic(10);
	/* Reading at half size: かんじ is 15 pt over a 20 pt base. */
	cr_assert_float_eq(sk_text_measure(fonts(), &st, "{漢字|かんじ}"), 20.0, 1e-9);
	/* あたま (15 pt) over 頭 (10 pt) with no kana to hang over. */
	cr_assert_float_eq(sk_text_measure(fonts(), &st, "{頭|あたま}"), 15.0, 1e-9);
	/* With kana either side it hangs over them and takes no extra room. */
	cr_assert_float_eq(sk_text_measure(fonts(), &st, "の{頭|あたま}の"), 30.0, 1e-9);
}

Test(layout, measure_is_minus_one_on_error)
{
	struct sk_style st = gothic(10);
	cr_assert_eq(sk_text_measure(fonts(), &st, "{漢字|}"), -1.0);
	cr_assert_eq(sk_text_measure(fonts(), &st, "顔😀"), -1.0);
}

/* ---- 禁則: line starts ---- */

/* Every character text.c's 行頭禁則 table names (but '}', which is markup). */
static const uint32_t no_start_chars[] = {
	0x3001, 0x3002, 0xFF0C, 0xFF0E, 0x30FB, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF01, 0x309B, 0x309C, 0x30FD,
	0x30FE, 0x309D, 0x309E, 0x3005, 0x303B, 0x30FC, 0xFF09, 0xFF3D, 0xFF5D, 0x3015, 0x3009, 0x300B,
	0x300D, 0x300F, 0x3011, 0x3019, 0x3017, 0x301F, 0x2019, 0x201D, 0xFF60, 0x00BB, 0x3041, 0x3043,
	0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085, 0x3087, 0x308E, 0x3095, 0x3096, 0x30A1, 0x30A3,
	0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x30EE, 0x30F5, 0x30F6, 0x2010, 0x30A0,
	0x2013, 0x301C, 0xFF5E, 0xFF05, 0x2103, 0x00B0, 0x2030, 0x2032, 0x2033, ')', ']', ',', '.',
	':', ';', '!', '?', '%', 0x31F0, 0x31F5, 0x31FF,
};

/* 行末禁則 (but '{', which is markup). */
static const uint32_t no_end_chars[] = {
	0xFF08, 0xFF3B, 0xFF5B, 0x3014, 0x3008, 0x300A, 0x300C, 0x300E, 0x3010, 0x3018,
	0x3016, 0x301D, 0x2018, 0x201C, 0xFF5F, 0x00AB, '(', '[',
};

static int in_set(const uint32_t *set, size_t n, uint32_t c)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == c)
			return 1;
	return 0;
}

Test(layout, no_line_starts_with_a_closing_mark_or_small_kana)
{
	struct sk_style st = gothic(10);
	for (size_t i = 0; i < sizeof(no_start_chars) / sizeof(no_start_chars[0]); i++) {
		char c[8] = "", text[64], want[64];
		c[put_utf8(c, no_start_chars[i])] = '\0';
		/* Five kana fill 50 pt exactly, so the mark would open line 2. */
		snprintf(text, sizeof(text), "あいうえお%sかき", c);
		struct sk_text_block b;
		lay(&b, &st, text, 50);
		cr_assert_eq(b.nlines, 2, "U+%04X: %zu lines", (unsigned)no_start_chars[i], b.nlines);
		cr_assert_neq(line_first(&b, 1), no_start_chars[i], "U+%04X starts a line", (unsigned)no_start_chars[i]);
		/* お goes down with it (追い出し). */
		assert_line(&b, 0, "あいうえ");
		snprintf(want, sizeof(want), "お%sかき", c);
		assert_line(&b, 1, want);
		cr_assert_float_eq(b.lines[0].width, 40.0, 1e-9);
		sk_text_release(&b);
	}
}

Test(layout, a_chain_of_closing_marks_moves_down_together)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	/* 。 and 」 may start no line: え goes down with both of them. */
	lay(&b, &st, "あいうえ。」かき", 50);
	const char *want[] = { "あいう", "え。」かき" };
	assert_lines(&b, want, 2);
	sk_text_release(&b);
	/* ッ and ー likewise: the whole of ピッー stays with its first kana. */
	lay(&b, &st, "あいうピッーかき", 50);
	const char *want2[] = { "あいう", "ピッーかき" };
	assert_lines(&b, want2, 2);
	sk_text_release(&b);
}

Test(layout, no_line_ends_with_an_opening_bracket)
{
	struct sk_style st = gothic(10);
	for (size_t i = 0; i < sizeof(no_end_chars) / sizeof(no_end_chars[0]); i++) {
		char c[8] = "", text[64], want[64];
		c[put_utf8(c, no_end_chars[i])] = '\0';
		/* The bracket would end line 1 at 50 pt; it goes down instead. */
		snprintf(text, sizeof(text), "あいうえ%sおかき", c);
		struct sk_text_block b;
		lay(&b, &st, text, 50);
		cr_assert_eq(b.nlines, 2, "U+%04X: %zu lines", (unsigned)no_end_chars[i], b.nlines);
		cr_assert_neq(line_last(&b, 0), no_end_chars[i], "U+%04X ends a line", (unsigned)no_end_chars[i]);
		assert_line(&b, 0, "あいうえ");
		snprintf(want, sizeof(want), "%sおかき", c);
		assert_line(&b, 1, want);
		sk_text_release(&b);
	}
}

Test(layout, brackets_at_both_ends_of_a_break)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	/* The natural break falls between 」 and 「: allowed on both sides. */
	lay(&b, &st, "「あいう」「えお」", 50);
	const char *want[] = { "「あいう」", "「えお」" };
	assert_lines(&b, want, 2);
	sk_text_release(&b);
	/* Here it would fall between 「 and か: 「 goes down with か. */
	lay(&b, &st, "あいうえ「か」", 50);
	const char *want2[] = { "あいうえ", "「か」" };
	assert_lines(&b, want2, 2);
	sk_text_release(&b);
}

/* A paragraph of exam instructions at every width from 4 to 20 characters:
 * no line breaks a rule, no line is wider than asked, nothing is lost.
 * (At 3, 「ちょっ has no allowed break inside and is cut, as text.h says.) */
Test(layout, kinsoku_holds_at_every_width)
{
	static const char text[] = "「解答用紙」に、受験番号（ハイフンを含む）を記入してください。"
				   "ボールペンは使えません！　鉛筆（ＨＢ）を使うこと。「ちょっと待って」"
				   "とは言えませんよ？　試験は９０分です……。";
	struct sk_style st = gothic(10);
	struct sk_text_block whole;
	lay(&whole, &st, text, 0);
	cr_assert_eq(whole.nlines, 1);
	char all[1024];
	line_text(all, sizeof(all), &whole, 0, 0);
	sk_text_release(&whole);
	for (int chars = 4; chars <= 20; chars++) {
		double max = 10.0 * chars;
		struct sk_text_block b;
		lay(&b, &st, text, max);
		char joined[1024] = "";
		for (size_t l = 0; l < b.nlines; l++) {
			char t[512];
			line_text(t, sizeof(t), &b, l, 0);
			strcat(joined, t);
			cr_assert_leq(b.lines[l].width, max + 1e-6, "width %d: line %zu '%s' is %.2f wide", chars, l, t,
				      b.lines[l].width);
			cr_assert_not(in_set(no_start_chars, sizeof(no_start_chars) / sizeof(no_start_chars[0]),
					     line_first(&b, l)),
				      "width %d: line %zu '%s' starts with a closing mark", chars, l, t);
			cr_assert_not(in_set(no_end_chars, sizeof(no_end_chars) / sizeof(no_end_chars[0]), line_last(&b, l)),
				      "width %d: line %zu '%s' ends with an opening bracket", chars, l, t);
			/* Greedy: the next line's first character would not have fitted. */
			if (l + 1 < b.nlines && line_first(&b, l + 1) != 0)
				cr_assert_gt(b.lines[l].width + 10.0 * 3, max - 1e-6, "width %d: line %zu '%s' is short", chars,
					     l, t);
		}
		cr_assert_str_eq(joined, all, "width %d", chars);
		sk_text_release(&b);
	}
}

/* ---- Latin ---- */

static double word_width(const char *word, const struct sk_style *st)
{
	return sk_text_measure(fonts(), st, word);
}

Test(layout, latin_breaks_only_at_spaces)
{
	struct sk_style st = gothic(10);
	static const char text[] = "Mark ○ on the answer sheet";
	double space = word_width("a b", &st) - word_width("ab", &st);
	cr_assert_gt(space, 0);
	for (double max = 35; max <= 120; max += 5) {
		struct sk_text_block b;
		lay(&b, &st, text, max);
		/* Lines joined with single spaces give the text back: every break
		 * was at a space and the space vanished. */
		char joined[256] = "";
		for (size_t l = 0; l < b.nlines; l++) {
			char t[128];
			line_text(t, sizeof(t), &b, l, 0);
			cr_assert(t[0] != ' ' && t[strlen(t) - 1] != ' ', "width %.0f: line '%s' keeps a space", max, t);
			cr_assert_float_eq(b.lines[l].width, word_width(t, &st), 1e-6, "width %.0f: '%s'", max, t);
			cr_assert_leq(b.lines[l].width, max + 1e-6, "width %.0f: '%s'", max, t);
			if (l)
				strcat(joined, " ");
			strcat(joined, t);
		}
		cr_assert_str_eq(joined, text, "width %.0f", max);
		sk_text_release(&b);
	}
	/* At 40 pt the lines are exactly these. */
	struct sk_text_block b;
	lay(&b, &st, text, 40);
	const char *want[] = { "Mark ○", "on the", "answer", "sheet" };
	assert_lines(&b, want, 4);
	sk_text_release(&b);
}

Test(layout, a_word_longer_than_the_line_is_cut)
{
	struct sk_style st = gothic(10);
	static const char word[] = "Supercalifragilisticexpialidocious";
	cr_assert_gt(word_width(word, &st), 100);
	struct sk_text_block b;
	lay(&b, &st, "Address: Supercalifragilisticexpialidocious", 50);
	/* The word starts its own line and is cut into pieces, each as long
	 * as fits; none is wider than the line. */
	assert_line(&b, 0, "Address:");
	cr_assert_gt(b.nlines, 3, "the word was not cut");
	char joined[256] = "";
	for (size_t l = 1; l < b.nlines; l++) {
		char t[128], more[136];
		line_text(t, sizeof(t), &b, l, 0);
		cr_assert_leq(b.lines[l].width, 50 + 1e-6, "line %zu '%s' is %.2f wide", l, t, b.lines[l].width);
		cr_assert_float_eq(b.lines[l].width, word_width(t, &st), 1e-6);
		if (l + 1 < b.nlines) {
			snprintf(more, sizeof(more), "%s%c", t, word[strlen(joined) + strlen(t)]);
			cr_assert_gt(word_width(more, &st), 50, "line %zu '%s' could take one more letter", l, t);
		}
		strcat(joined, t);
	}
	cr_assert_str_eq(joined, word);
	sk_text_release(&b);
	/* Text after the word goes on as usual; a word that fits is not cut. */
	lay(&b, &st, "Supercalifragilisticexpialidocious ok", 50);
	char last[64];
	line_text(last, sizeof(last), &b, b.nlines - 1, 0);
	cr_assert_eq(last[strlen(last) - 1], 'k');
	sk_text_release(&b);
	lay(&b, &st, "Super ok", word_width("Super", &st));
	const char *want[] = { "Super", "ok" };
	assert_lines(&b, want, 2);
	sk_text_release(&b);
	/* Measuring never cuts: the word is as wide as its letters. */
	double sum = 0;
	for (const char *p = word; *p; p++)
		sum += sk_font_advance(fonts(), SK_FACE_GOTHIC, (uint32_t)*p, 10);
	cr_assert_float_eq(sk_text_measure(fonts(), &st, word), sum, 1e-9);
}

Test(layout, japanese_and_latin_mixed)
{
	struct sk_style st = gothic(10);
	double hb = word_width("HB", &st);
	struct sk_text_block b;
	lay(&b, &st, "HBの鉛筆で記入", 30);
	const char *want[] = { "HBの", "鉛筆で", "記入" };
	assert_lines(&b, want, 3);
	cr_assert_float_eq(b.lines[0].width, hb + 10, 1e-6);
	/* One face, one run: H, B and の are all IPAex Gothic. */
	cr_assert_eq(b.lines[0].nruns, 1);
	cr_assert_eq(b.runs[b.lines[0].first_run].face, SK_FACE_GOTHIC);
	sk_text_release(&b);
	/* A Latin word that does not fit goes down whole, after Japanese. */
	lay(&b, &st, "記入にはHBの鉛筆", 50);
	const char *want2[] = { "記入には", "HBの鉛筆" };
	assert_lines(&b, want2, 2);
	const struct sk_glyph_run *r = nth_run(&b, 1, 0, 0);
	cr_assert_float_eq(r->x, 0, 1e-9);
	sk_text_release(&b);
	/* A full stop after a Latin word does not start a line either. */
	lay(&b, &st, "あいうえHB.かき", 40 + hb);
	const char *want3[] = { "あいうえ", "HB.かき" };
	assert_lines(&b, want3, 2);
	sk_text_release(&b);
}

/* ---- newlines ---- */

Test(layout, newlines_break_lines)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	lay(&b, &st, "あい\nうえ\n\nお", 0);
	const char *want[] = { "あい", "うえ", "", "お" };
	assert_lines(&b, want, 4);
	double top = 0;
	for (size_t l = 0; l < b.nlines; l++) {
		cr_assert_float_eq(b.lines[l].top, top, 1e-9, "line %zu", l);
		cr_assert_float_eq(b.lines[l].height, 16.0, 1e-9, "line %zu", l);
		cr_assert_gt(b.lines[l].baseline, b.lines[l].top);
		top += b.lines[l].height;
	}
	cr_assert_float_eq(b.height, 64.0, 1e-9);
	cr_assert_float_eq(b.width, 20.0, 1e-9);
	sk_text_release(&b);
	/* CRLF as typed on Windows, inside a width, and a break inside a line. */
	lay(&b, &st, "あいうえおか\r\nき", 30);
	const char *want2[] = { "あいう", "えおか", "き" };
	assert_lines(&b, want2, 3);
	sk_text_release(&b);
}

Test(layout, empty_text_takes_one_line)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	lay(&b, &st, "", 100);
	cr_assert_eq(b.nlines, 1);
	cr_assert_eq(b.lines[0].nruns, 0);
	cr_assert_float_eq(b.width, 0, 1e-9);
	cr_assert_float_eq(b.height, 16.0, 1e-9);
	sk_text_release(&b);
}

/* ---- furigana ---- */

static double centre(const struct sk_text_block *b, const struct sk_glyph_run *r)
{
	return r->x + run_width(b, r) / 2;
}

Test(layout, reading_is_centred_over_its_base)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	lay(&b, &st, "これは{漢字|かんじ}です", 0);
	cr_assert_eq(b.nlines, 1);
	assert_line(&b, 0, "これは漢字です");
	char ruby[64];
	line_text(ruby, sizeof(ruby), &b, 0, 1);
	cr_assert_str_eq(ruby, "かんじ");
	cr_assert(b.lines[0].has_ruby);
	const struct sk_glyph_run *base = nth_run(&b, 0, 0, 1), *rb = nth_run(&b, 0, 1, 0);
	char t[64];
	run_text(t, sizeof(t), &b, base);
	cr_assert_str_eq(t, "漢字");
	cr_assert_float_eq(base->x, 30, 1e-9);
	cr_assert_float_eq(rb->size, 5, 1e-9);
	cr_assert_gt(rb->rise, 0);
	cr_assert_float_eq(run_width(&b, rb), 15, 1e-9);
	cr_assert_float_eq(centre(&b, rb), centre(&b, base), EPS);
	cr_assert_float_eq(centre(&b, rb), 40, EPS);
	/* です follows the base directly. */
	cr_assert_float_eq(nth_run(&b, 0, 0, 2)->x, 50, 1e-9);
	cr_assert_float_eq(b.lines[0].width, 70, 1e-9);
	assert_no_overlap(&b, 0);
	sk_text_release(&b);
}

Test(layout, every_group_of_a_line_is_centred)
{
	struct sk_style st = gothic(10);
	st.face = SK_FACE_MINCHO;
	struct sk_text_block b;
	lay(&b, &st, "{受験|じゅけん}{番号|ばんごう}を{記入|きにゅう}する", 0);
	char ruby[128];
	line_text(ruby, sizeof(ruby), &b, 0, 1);
	cr_assert_str_eq(ruby, "じゅけんばんごうきにゅう");
	for (size_t i = 0; i < 3; i++) {
		const struct sk_glyph_run *rb = nth_run(&b, 0, 1, i);
		/* Base runs: 受験, 番号, を, 記入, する. */
		const struct sk_glyph_run *base = nth_run(&b, 0, 0, i < 2 ? i : 3);
		cr_assert_leq(run_width(&b, rb), run_width(&b, base) + 1e-9);
		cr_assert_float_eq(centre(&b, rb), centre(&b, base), EPS, "group %zu", i);
	}
	assert_no_overlap(&b, 0);
	sk_text_release(&b);
}

Test(layout, a_long_reading_hangs_over_kana_either_side)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	lay(&b, &st, "この{頭|あたま}の", 0);
	/* The reading (15 pt) overhangs の either side by 2.5 pt: no gap opens. */
	cr_assert_float_eq(b.lines[0].width, 40, 1e-9);
	const struct sk_glyph_run *base = nth_run(&b, 0, 0, 1), *rb = nth_run(&b, 0, 1, 0);
	cr_assert_float_eq(base->x, 20, 1e-9);
	cr_assert_float_eq(nth_run(&b, 0, 0, 2)->x, 30, 1e-9);
	cr_assert_float_eq(rb->x, 17.5, 1e-9);
	cr_assert_float_eq(centre(&b, rb), centre(&b, base), EPS);
	assert_no_overlap(&b, 0);
	sk_text_release(&b);
}

Test(layout, a_long_reading_opens_a_gap_beside_kanji)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	/* Kanji either side: no overhang, the group is as wide as its reading. */
	lay(&b, &st, "漢{頭|あたま}字", 0);
	cr_assert_float_eq(b.lines[0].width, 35, 1e-9);
	const struct sk_glyph_run *base = nth_run(&b, 0, 0, 1), *rb = nth_run(&b, 0, 1, 0);
	cr_assert_float_eq(rb->x, 10, 1e-9);
	cr_assert_float_eq(base->x, 12.5, 1e-9);
	cr_assert_float_eq(nth_run(&b, 0, 0, 2)->x, 25, 1e-9);
	cr_assert_float_eq(centre(&b, rb), centre(&b, base), EPS);
	assert_no_overlap(&b, 0);
	sk_text_release(&b);
}

Test(layout, a_reading_hanging_over_one_side_leaves_the_base_in_place)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	/* Kanji before, kana after: the reading may hang only over の. The
	 * base keeps its own 10 pt and の is not pushed or overprinted. */
	lay(&b, &st, "漢{頭|あたま}の", 0);
	assert_line(&b, 0, "漢頭の");
	const struct sk_glyph_run *base = nth_run(&b, 0, 0, 1), *rb = nth_run(&b, 0, 1, 0);
	const struct sk_glyph_run *no = nth_run(&b, 0, 0, 2);
	cr_assert_geq(base->x, 10 - 1e-9);
	cr_assert_leq(base->x + 10, no->x + 1e-9, "頭 ends at %.2f, over の at %.2f", base->x + 10, no->x);
	cr_assert_geq(rb->x, 10 - 1e-9, "the reading hangs over 漢");
	cr_assert_leq(rb->x + 15, no->x + 5 + 1e-9, "the reading hangs over の by more than one ruby character");
	assert_no_overlap(&b, 0);
	sk_text_release(&b);
	/* The mirror image. */
	lay(&b, &st, "の{頭|あたま}漢", 0);
	base = nth_run(&b, 0, 0, 1);
	rb = nth_run(&b, 0, 1, 0);
	const struct sk_glyph_run *kan = nth_run(&b, 0, 0, 2);
	cr_assert_geq(base->x, 10 - 1e-9, "頭 starts at %.2f, over の", base->x);
	cr_assert_leq(base->x + 10, kan->x + 1e-9);
	cr_assert_leq(rb->x + 15, kan->x + 1e-9, "the reading hangs over 漢");
	cr_assert_geq(rb->x, 5 - 1e-9);
	assert_no_overlap(&b, 0);
	sk_text_release(&b);
}

Test(layout, readings_never_overlap_each_other)
{
	struct sk_style st = gothic(10);
	const char *texts[] = {
		"{頭|あたま}{頭|あたま}",
		"{頭|あたま}の{頭|あたま}",
		"の{頭|あたま}の{頭|あたま}の",
		"{瞼|まぶた}の{裏|うら}に{頭|あたま}",
		"{鉛筆|えんぴつ}と{消|け}しゴム",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct sk_text_block b;
		lay(&b, &st, texts[i], 0);
		assert_no_overlap(&b, 0);
		sk_text_release(&b);
	}
	/* Two long readings side by side: each as wide as its reading. */
	struct sk_text_block b;
	lay(&b, &st, "{頭|あたま}{頭|あたま}", 0);
	cr_assert_float_eq(b.lines[0].width, 30, 1e-9);
	cr_assert_float_eq(nth_run(&b, 0, 1, 0)->x, 0, 1e-9);
	cr_assert_float_eq(nth_run(&b, 0, 1, 1)->x, 15, 1e-9);
	sk_text_release(&b);
}

Test(layout, a_reading_never_hangs_past_the_line)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	/* The group opens line 2; お, on line 1, is no neighbour to hang over. */
	lay(&b, &st, "あいうえお{頭|あたま}かき", 50);
	cr_assert_eq(b.nlines, 2);
	assert_line(&b, 1, "頭かき");
	cr_assert_geq(nth_run(&b, 1, 1, 0)->x, -1e-9, "reading at x %.2f", nth_run(&b, 1, 1, 0)->x);
	assert_no_overlap(&b, 50);
	sk_text_release(&b);
	/* The group closes line 1; か, on line 2, is no neighbour either. */
	lay(&b, &st, "あいうえ{頭|あたま}かき", 55);
	assert_line(&b, 0, "あいうえ頭");
	assert_no_overlap(&b, 55);
	sk_text_release(&b);
	/* Too narrow for the reading to end the line: the group goes down. */
	lay(&b, &st, "あいうえ{頭|あたま}かき", 50);
	assert_no_overlap(&b, 50);
	sk_text_release(&b);
	/* Right after an explicit newline there is nothing to hang over. */
	lay(&b, &st, "あ\n{頭|あたま}\nい", 0);
	assert_lines(&b, (const char *const[]){ "あ", "頭", "い" }, 3);
	cr_assert_float_eq(b.lines[1].width, 15, 1e-9);
	assert_no_overlap(&b, 0);
	sk_text_release(&b);
}

Test(layout, a_ruby_group_is_never_split)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	/* 漢字 would straddle the break at 40 pt: the whole group goes down
	 * with its reading. */
	lay(&b, &st, "あいう{漢字|かんじ}えお", 40);
	const char *want[] = { "あいう", "漢字えお" };
	assert_lines(&b, want, 2);
	cr_assert_not(b.lines[0].has_ruby);
	cr_assert(b.lines[1].has_ruby);
	char ruby[64];
	line_text(ruby, sizeof(ruby), &b, 0, 1);
	cr_assert_str_eq(ruby, "");
	line_text(ruby, sizeof(ruby), &b, 1, 1);
	cr_assert_str_eq(ruby, "かんじ");
	cr_assert_float_eq(centre(&b, nth_run(&b, 1, 1, 0)), 10, EPS);
	sk_text_release(&b);
	/* A group is an unbreakable unit for 禁則 too: 。 takes it down. */
	lay(&b, &st, "あい{漢字|かんじ}。うえ", 40);
	const char *want2[] = { "あい", "漢字。う", "え" };
	assert_lines(&b, want2, 3);
	sk_text_release(&b);
}

Test(layout, furigana_sits_between_the_lines)
{
	const struct sk_fontset *fs = fonts();
	for (double leading = 1.0; leading <= 2.01; leading += 0.2) {
		struct sk_style st = gothic(10);
		st.leading = leading;
		struct sk_text_block b;
		lay(&b, &st, "{試験|しけん}の{問題|もんだい}を{読|よ}む", 30);
		cr_assert_geq(b.nlines, 2);
		double rs = 5, asc = sk_font_ascent(fs, SK_FACE_GOTHIC, 10), desc = sk_font_descent(fs, SK_FACE_GOTHIC, 10);
		for (size_t l = 0; l < b.nlines; l++) {
			const struct sk_line *ln = &b.lines[l];
			double base_top = ln->baseline - asc;
			cr_assert_geq(base_top, ln->top - 1e-9);
			/* IPAex's descent is 0.1201 em: text.c rounds it to 0.12. */
			cr_assert_leq(ln->baseline + desc, ln->top + ln->height + EPS, "leading %.1f line %zu: %.3f > %.3f",
				      leading, l, ln->baseline + desc, ln->top + ln->height);
			for (size_t r = ln->first_run; r < ln->first_run + ln->nruns; r++) {
				const struct sk_glyph_run *run = &b.runs[r];
				if (run->rise == 0)
					continue;
				double rb = ln->baseline - run->rise;
				cr_assert_geq(rb - sk_font_ascent(fs, SK_FACE_GOTHIC, rs), ln->top - EPS,
					      "leading %.1f line %zu: reading above the line", leading, l);
				cr_assert_leq(rb + sk_font_descent(fs, SK_FACE_GOTHIC, rs), base_top + EPS,
					      "leading %.1f line %zu: reading over its base", leading, l);
			}
		}
		sk_text_release(&b);
	}
}

Test(layout, a_line_with_furigana_is_taller_unless_room_was_left)
{
	struct sk_style st = sk_style_gothic(10); /* leading 1.4 */
	struct sk_text_block plain, ruby;
	lay(&plain, &st, "受験番号", 0);
	lay(&ruby, &st, "{受験|じゅけん}番号", 0);
	cr_assert_float_eq(plain.lines[0].height, 14, 1e-9);
	cr_assert_gt(ruby.lines[0].height, plain.lines[0].height + 1);
	cr_assert_float_eq(ruby.height, ruby.lines[0].height, 1e-9);
	/* The base sits lower to leave the reading its room. */
	cr_assert_gt(ruby.lines[0].baseline, plain.lines[0].baseline);
	sk_text_release(&plain);
	/* An option printed beside options with furigana asks for the room. */
	st.ruby_room = 1;
	lay(&plain, &st, "受験番号", 0);
	cr_assert_not(plain.lines[0].has_ruby);
	cr_assert_float_eq(plain.lines[0].height, ruby.lines[0].height, 1e-9);
	cr_assert_float_eq(plain.lines[0].baseline, ruby.lines[0].baseline, 1e-9);
	sk_text_release(&plain);
	sk_text_release(&ruby);
}

Test(layout, every_line_of_a_paragraph_with_furigana_keeps_the_pitch)
{
	struct sk_style st = sk_style_gothic(10);
	struct sk_text_block b;
	lay(&b, &st, "あいうえおかきくけこ{漢字|かんじ}", 50);
	cr_assert_eq(b.nlines, 3);
	cr_assert_not(b.lines[0].has_ruby);
	cr_assert(b.lines[2].has_ruby);
	for (size_t l = 1; l < b.nlines; l++) {
		cr_assert_float_eq(b.lines[l].height, b.lines[0].height, 1e-9);
		cr_assert_float_eq(b.lines[l].baseline - b.lines[l].top, b.lines[0].baseline - b.lines[0].top, 1e-9);
	}
	sk_text_release(&b);
}

/* ---- errors ---- */

static void assert_layout_error(const char *text, const char *want)
{
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	char err[256] = "";
	int rc = sk_text_layout(fonts(), &st, text, 100, &b, err, sizeof(err));
	cr_assert_eq(rc, SK_EINPUT, "'%s': rc %d", text, rc);
	cr_assert_str_eq(err, want, "'%s'", text);
	/* Nothing is left to release. */
	cr_assert_null(b.lines);
	cr_assert_null(b.runs);
	cr_assert_null(b.cps);
	cr_assert_eq(b.nlines, 0);
	sk_text_release(&b);
}

Test(layout, malformed_furigana_is_an_error)
{
	assert_layout_error("{漢字|}", "malformed furigana at character 5: furigana markup has an empty reading");
	assert_layout_error("{|かな}", "malformed furigana at character 2: furigana markup has an empty base");
	assert_layout_error("あ{漢字|かんじ", "malformed furigana at character 2: '{' without a closing '}'");
	assert_layout_error("{漢字}", "malformed furigana at character 1: furigana markup lacks '|' between base and reading");
	assert_layout_error("答え}", "malformed furigana at character 3: '}' without an opening '{'");
	assert_layout_error("{漢字|kanji}", "malformed furigana at character 5: a furigana reading must be kana");
}

Test(layout, a_character_in_no_font_is_named)
{
	assert_layout_error("笑顔😀です", "character '😀' (U+1F600) is in no installed font");
	assert_layout_error("Egypt 𓀀", "character '𓀀' (U+13000) is in no installed font");
	/* In a ruby base as well. */
	assert_layout_error("{😀|えがお}", "character '😀' (U+1F600) is in no installed font");
	/* The first one is named, not the last. */
	assert_layout_error("𓀀😀", "character '𓀀' (U+13000) is in no installed font");
}

/* ---- fonts ---- */

Test(layout, vietnamese_name_falls_back_to_noto_as_a_whole)
{
	const struct sk_fontset *fs = fonts();
	cr_assert_not(sk_font_has(fs, SK_FACE_GOTHIC, 0x1EC4)); /* Ễ */
	cr_assert_not(sk_font_has(fs, SK_FACE_GOTHIC, 0x0110)); /* Đ */
	struct sk_style st = gothic(10);
	struct sk_text_block b;
	lay(&b, &st, "NGUYỄN VĂN ĐỨC", 0);
	cr_assert_eq(b.nlines, 1);
	assert_line(&b, 0, "NGUYỄN VĂN ĐỨC");
	/* The name is one phrase: letters IPAex lacks put all of it in Noto
	 * Sans — N, G, U, Y and VĂN included. */
	const char *words[] = { "NGUYỄN", "VĂN", "ĐỨC" };
	int faces[3] = { -1, -1, -1 };
	size_t w = 0, cp_in_word = 0;
	const struct sk_line *ln = &b.lines[0];
	for (size_t r = ln->first_run; r < ln->first_run + ln->nruns; r++) {
		const struct sk_glyph_run *run = &b.runs[r];
		for (size_t i = run->start; i < run->start + run->n; i++) {
			if (b.cps[i] == ' ') {
				w++;
				cp_in_word = 0;
				continue;
			}
			cr_assert_lt(w, 3);
			cr_assert(sk_font_has(fs, (enum sk_face)run->face, b.cps[i]), "U+%04X drawn from face %d",
				  (unsigned)b.cps[i], run->face);
			if (cp_in_word++ == 0)
				faces[w] = run->face;
			cr_assert_eq(run->face, faces[w], "'%s' changes face at U+%04X", words[w], (unsigned)b.cps[i]);
		}
	}
	cr_assert_eq(w, 2);
	cr_assert_eq(faces[0], SK_FACE_SANS);
	cr_assert_eq(faces[1], SK_FACE_SANS);
	cr_assert_eq(faces[2], SK_FACE_SANS);
	/* Positions follow the Noto advances. */
	double x = 0;
	for (const char *p = "NGUY"; *p; p++)
		x += sk_font_advance(fs, SK_FACE_SANS, (uint32_t)*p, 10);
	x += sk_font_advance(fs, SK_FACE_SANS, 0x1EC4, 10) + sk_font_advance(fs, SK_FACE_SANS, 'N', 10);
	cr_assert_float_eq(word_width("NGUYỄN", &st), x, 1e-6);
	/* The spaces and VĂN follow Noto's advances too. */
	static const uint32_t rest[] = { ' ', 'V', 0x0102, 'N', ' ', 0x0110, 0x1EE8, 'C' };
	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		x += sk_font_advance(fs, SK_FACE_SANS, rest[i], 10);
	cr_assert_float_eq(ln->width, x, 1e-6);
	sk_text_release(&b);
}

Test(layout, bold_noto_when_the_style_is_bold_sans)
{
	struct sk_style st = gothic(10);
	st.face = SK_FACE_SANS;
	st.bold = 1;
	struct sk_text_block b;
	lay(&b, &st, "ĐỨC 受験", 0);
	const struct sk_line *ln = &b.lines[0];
	cr_assert_eq(b.runs[ln->first_run].face, SK_FACE_SANS_BOLD);
	cr_assert_not(b.runs[ln->first_run].bold, "a bold face needs no fake bold");
	/* Noto has no kanji: 受験 falls back to IPAex Gothic, drawn fake-bold. */
	const struct sk_glyph_run *last = &b.runs[ln->first_run + ln->nruns - 1];
	char t[32];
	run_text(t, sizeof(t), &b, last);
	cr_assert_str_eq(t, "受験");
	cr_assert_eq(last->face, SK_FACE_GOTHIC);
	cr_assert(last->bold);
	sk_text_release(&b);
}
