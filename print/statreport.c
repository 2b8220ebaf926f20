/*
 * The statistical report (試験結果統計報告): for the ministry and the exam
 * body, the results of a sitting or of the sittings of a period, in tables
 * and charts drawn as vector graphics, every label in Japanese with its
 * English beside it.
 *
 *   page 1  who sat and who passed, per test; pass rate by test and by
 *           country of nationality (bar charts)
 *   then    score distributions per test and section, the pass mark drawn
 *           on each (histograms); the pass rate across sittings (lines);
 *           how the figures are made
 *
 * Figures come from exam/stats.h with the registry's smallest cell: a
 * group of fewer candidates is named but shows no figure, a histogram of
 * fewer is not drawn. Colours are the Okabe-Ito set (told apart with
 * colour-blindness too), and every bar carries its number, so the report
 * also reads in black and white.
 *
 * Texts are English messages (N_) whose Japanese comes from locales/ja.po,
 * looked up with sk_i18n_lookup(), as on the result notice.
 */
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/refdata.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "exam/stats.h"
#include "print/common.h"
#include "print/print.h"
#include "print/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN SK_MM(15)
#define TREND_MAX 12

/* Okabe-Ito colours */
#define C_BLUE 0x0072B2
#define C_ORANGE 0xE69F00
#define C_GREEN 0x009E73
#define C_SKY 0x56B4E9
#define C_VERMILLION 0xD55E00
#define C_PURPLE 0xCC79A7
#define C_YELLOW 0xF0E442

static const uint32_t series_colours[] = { C_BLUE, C_ORANGE, C_GREEN, C_VERMILLION, C_SKY, C_PURPLE };

enum msg {
	M_KICKER, M_TITLE, M_SITTING, M_PERIOD, M_ALL_SITTINGS, M_ISSUED, M_SMALL_NOTE, M_SUMMARY, M_TEST,
	M_CATEGORY, M_LEVEL, M_CANDIDATES, M_PRESENT, M_PASSED, M_PASS_RATE, M_TOTAL, M_HIDDEN,
	M_BY_TEST, M_BY_COUNTRY, M_DISTRIBUTIONS, M_DISTRIBUTION_OF, M_POINTS, M_PASS_MARK,
	M_BELOW, M_AT_OR_ABOVE, M_TOO_FEW, M_TREND, M_ONE_SITTING, M_METHOD, M_METHOD_1, M_METHOD_2,
	M_METHOD_3, M_METHOD_4, M_LEVEL_1, M_LEVEL_2,
	NMSGS
};

/* TRANSLATORS: the statistical report (print/statreport.c): printed in
 * Japanese with the English beside it. */
static const char *const msgs[NMSGS] = {
	[M_KICKER] = N_("Specified Skilled Worker Evaluation Tests (Manufacturing)"),
	[M_TITLE] = N_("Statistical Report on Test Results"),
	[M_SITTING] = N_("Sitting"),
	[M_PERIOD] = N_("Period"),
	[M_ALL_SITTINGS] = N_("All sittings"),
	[M_ISSUED] = N_("Issued"),
	[M_SMALL_NOTE] = N_("Groups of fewer than %s candidates are named but show no figures, so that no one can be singled out."),
	[M_SUMMARY] = N_("Candidates and results by test"),
	[M_TEST] = N_("Test code"),
	[M_CATEGORY] = N_("Category"),
	[M_LEVEL] = N_("Level"),
	[M_CANDIDATES] = N_("Applicants"),
	[M_PRESENT] = N_("Examinees"),
	[M_PASSED] = N_("Number passed"),
	[M_PASS_RATE] = N_("Pass rate"),
	[M_TOTAL] = N_("Total"),
	[M_HIDDEN] = N_("not shown"),
	[M_BY_TEST] = N_("Pass rate by test"),
	[M_BY_COUNTRY] = N_("Pass rate by nationality"),
	[M_DISTRIBUTIONS] = N_("Score distributions"),
	[M_DISTRIBUTION_OF] = N_("candidates who passed or failed"),
	[M_POINTS] = N_("Points"),
	[M_PASS_MARK] = N_("Pass mark"),
	[M_BELOW] = N_("Below the pass mark"),
	[M_AT_OR_ABOVE] = N_("At or above the pass mark"),
	[M_TOO_FEW] = N_("Too few candidates to show"),
	[M_TREND] = N_("Pass rate across sittings"),
	[M_ONE_SITTING] = N_("Only one sitting so far: the trend starts here."),
	[M_METHOD] = N_("How the figures are made"),
	[M_METHOD_1] = N_("Applicants: live registrations of the sittings. Examinees: those who sat the test (passed, failed, or disqualified); absent candidates and results not yet graded are not counted."),
	[M_METHOD_2] = N_("Pass rate: those who passed divided by the examinees."),
	[M_METHOD_3] = N_("Score distributions: the points of candidates who passed or failed, per section; the red line is the pass mark, and the bars at or above it are blue."),
	[M_METHOD_4] = N_("Each section must reach its pass mark for the test to be passed."),
	[M_LEVEL_1] = N_("Level 1"),
	[M_LEVEL_2] = N_("Level 2"),
};

struct rctx {
	struct sk_db *db;
	struct sk_doc *doc;
	const struct sk_fontset *fs;
	double w, h;        /* page */
	double y;           /* where the next block goes */
	int min_cell;
	char *err;
	size_t errlen;
	int failed;
};

static const char *ja(int m)
{
	return sk_i18n_lookup("ja", msgs[m]);
}

static const char *en(int m)
{
	return msgs[m];
}

/* "日本語 English" */
static const char *both(char *out, size_t cap, int m)
{
	snprintf(out, cap, "%s  %s", ja(m), en(m));
	return out;
}

static struct sk_style style(double size, int bold, enum sk_align a)
{
	struct sk_style s = sk_style_gothic(size);
	s.bold = bold;
	s.align = a;
	s.leading = 1.3;
	return s;
}

static double put(struct rctx *c, double size, int bold, enum sk_align a, const char *text, double x, double y,
		  double w)
{
	if (c->failed)
		return 0;
	struct sk_style s = style(size, bold, a);
	double h = sk_text_put(c->doc, &s, text, x, y, w, c->err, c->errlen);
	if (h < 0) {
		c->failed = 1;
		return 0;
	}
	return h;
}

static double measure(struct rctx *c, double size, const char *text)
{
	struct sk_style s = style(size, 0, SK_ALIGN_LEFT);
	double w = sk_text_measure(c->fs, &s, text);
	return w < 0 ? 0 : w;
}

static void new_page(struct rctx *c)
{
	sk_doc_add_page(c->doc);
	c->y = MARGIN;
}

/* Room for h more points on this page, or a new page. */
static void need(struct rctx *c, double h)
{
	if (c->y + h > c->h - MARGIN * 1.2)
		new_page(c);
}

static double col(struct rctx *c, uint32_t rgb)
{
	return sk_doc_color(c->doc, rgb);
}

static void dashed(struct rctx *c, double x1, double y1, double x2, double y2, double lw, double paint)
{
	double len = hypot(x2 - x1, y2 - y1), dash = 3, gap = 2;
	for (double t = 0; t < len; t += dash + gap) {
		double e = t + dash < len ? t + dash : len;
		sk_doc_line(c->doc, x1 + (x2 - x1) * t / len, y1 + (y2 - y1) * t / len, x1 + (x2 - x1) * e / len,
			    y1 + (y2 - y1) * e / len, lw, paint);
	}
}

static void heading(struct rctx *c, int m)
{
	char t[256];
	need(c, 40);
	c->y += 6;
	c->y += put(c, 11, 1, SK_ALIGN_LEFT, both(t, sizeof(t), m), MARGIN, c->y, c->w - 2 * MARGIN);
	sk_doc_line(c->doc, MARGIN, c->y + 1, c->w - MARGIN, c->y + 1, 0.8, col(c, C_BLUE));
	c->y += 6;
}

static void fmt_rate(char *out, size_t cap, double rate)
{
	if (isnan(rate))
		snprintf(out, cap, "—");
	else
		snprintf(out, cap, "%.1f%%", 100.0 * rate);
}

static int shows_results(const struct sk_stats_cell *cell)
{
	return cell->suppressed == SK_CELL_SHOWN && !cell->results_hidden && !isnan(cell->pass_rate);
}

/* ---- the summary table ---- */

static void level_name(char *out, size_t cap, int level)
{
	int m = level == 2 ? M_LEVEL_2 : M_LEVEL_1;
	snprintf(out, cap, "%s\n%s", ja(m), en(m));
}

static void summary(struct rctx *c, const struct sk_stats_table *t)
{
	heading(c, M_SUMMARY);
	double x = MARGIN, w = c->w - 2 * MARGIN;
	/* columns: test, category, level, applicants, examinees, passed, rate */
	double cw[7] = { 52, 0, 46, 62, 56, 62, 52 };
	double fixed = 0;
	for (int i = 0; i < 7; i++)
		fixed += cw[i];
	cw[1] = w - fixed;
	static const int heads[7] = { M_TEST, M_CATEGORY, M_LEVEL, M_CANDIDATES, M_PRESENT, M_PASSED, M_PASS_RATE };
	double rowh = 21, head_h = 24;
	need(c, head_h + rowh * (double)(t->ncells + 2));
	sk_doc_rect(c->doc, x, c->y, w, head_h, 0, -1, 0.92);
	double cx = x;
	for (int i = 0; i < 7; i++) {
		enum sk_align a = i >= 3 ? SK_ALIGN_RIGHT : SK_ALIGN_LEFT;
		put(c, 7.5, 1, a, ja(heads[i]), cx + 3, c->y + 2, cw[i] - 6);
		put(c, 6.5, 0, a, en(heads[i]), cx + 3, c->y + 12.5, cw[i] - 6);
		cx += cw[i];
	}
	c->y += head_h;
	for (size_t r = 0; r <= t->ncells; r++) {
		const struct sk_stats_cell *cell = r < t->ncells ? &t->cells[r] : &t->total;
		char vals[7][224];
		if (cell == &t->total) {
			snprintf(vals[0], sizeof(vals[0]), "%s", ja(M_TOTAL));
			snprintf(vals[1], sizeof(vals[1]), "%s", en(M_TOTAL));
			vals[2][0] = '\0';
		} else {
			struct sk_testdef td;
			snprintf(vals[0], sizeof(vals[0]), "%s", cell->values[0]);
			if (!sk_testdef_get(c->db, cell->values[0], &td)) {
				snprintf(vals[1], sizeof(vals[1]), "%s\n%s", td.category_ja, td.category_en);
				level_name(vals[2], sizeof(vals[2]), td.level);
			} else {
				vals[1][0] = vals[2][0] = '\0';
			}
		}
		int shown = cell->suppressed == SK_CELL_SHOWN;
		if (shown) {
			snprintf(vals[3], sizeof(vals[3]), "%zu", cell->candidates);
			snprintf(vals[4], sizeof(vals[4]), "%zu", cell->present);
			if (shows_results(cell)) {
				snprintf(vals[5], sizeof(vals[5]), "%zu", cell->passed);
				fmt_rate(vals[6], sizeof(vals[6]), cell->pass_rate);
			} else {
				snprintf(vals[5], sizeof(vals[5]), "—");
				snprintf(vals[6], sizeof(vals[6]), "—");
			}
		} else {
			for (int i = 3; i < 7; i++)
				snprintf(vals[i], sizeof(vals[i]), "—");
		}
		if (cell == &t->total)
			sk_doc_rect(c->doc, x, c->y, w, rowh, 0, -1, 0.96);
		cx = x;
		for (int i = 0; i < 7; i++) {
			put(c, i == 1 || i == 2 ? 7 : 8, cell == &t->total, i >= 3 ? SK_ALIGN_RIGHT : SK_ALIGN_LEFT, vals[i], cx + 3,
			    c->y + (i == 1 || i == 2 ? 1.5 : 5.5), cw[i] - 6);
			cx += cw[i];
		}
		c->y += rowh;
		sk_doc_line(c->doc, x, c->y, x + w, c->y, 0.3, 0.7);
	}
	c->y += 4;
}

/* ---- horizontal bars ---- */

struct bar {
	char label[224];
	double rate;   /* NAN: not shown */
	size_t n;      /* examinees */
	int hidden;    /* suppressed */
};

static void bars(struct rctx *c, int title, const struct bar *b, size_t n)
{
	heading(c, title);
	double label_w = 150, x0 = MARGIN + label_w, w = c->w - 2 * MARGIN - label_w - 70, rowh = 14;
	need(c, 16 + rowh * (double)(n < 4 ? n : 4));
	for (size_t i = 0; i < n;) {
		/* as many rows as fit on this page: the scale, the grid, then the bars over it */
		size_t fit = (size_t)((c->h - MARGIN * 1.2 - c->y - 10) / rowh);
		if (fit < 2 && i) {
			new_page(c);
			continue;
		}
		if (fit > n - i)
			fit = n - i;
		for (int g = 0; g <= 4; g++) {
			double gx = x0 + w * g / 4;
			char lab[8];
			snprintf(lab, sizeof(lab), "%d%%", g * 25);
			put(c, 6.5, 0, SK_ALIGN_CENTER, lab, gx - 15, c->y, 30);
			sk_doc_line(c->doc, gx, c->y + 10, gx, c->y + 10 + rowh * (double)fit, g ? 0.25 : 0.6, g ? 0.75 : 0.3);
		}
		c->y += 10;
		for (size_t k = 0; k < fit; k++, i++) {
			put(c, 7.5, 0, SK_ALIGN_RIGHT, b[i].label, MARGIN, c->y + 2.5, label_w - 6);
			char val[64];
			if (!isnan(b[i].rate) && !b[i].hidden) {
				double bw = w * b[i].rate;
				sk_doc_rect(c->doc, x0, c->y + 2, bw, rowh - 4, 0, -1, col(c, C_BLUE));
				snprintf(val, sizeof(val), "%.1f%%  (n=%zu)", 100.0 * b[i].rate, b[i].n);
				/* on white, so the grid does not cross it */
				sk_doc_rect(c->doc, x0 + bw + 1.5, c->y + 2.5, measure(c, 7, val) + 3, rowh - 5, 0, -1, 1);
				put(c, 7, 0, SK_ALIGN_LEFT, val, x0 + bw + 3, c->y + 3, 90);
			} else {
				snprintf(val, sizeof(val), "— %s %s", ja(M_HIDDEN), en(M_HIDDEN));
				put(c, 7, 0, SK_ALIGN_LEFT, val, x0 + 3, c->y + 3, 160);
			}
			c->y += rowh;
		}
	}
	c->y += 6;
}

/* ---- histograms ---- */

static int pass_points(int pass_percent, int max_points)
{
	return (pass_percent * max_points + 99) / 100;
}

static void histogram(struct rctx *c, const struct sk_stats_histogram *hg, double x, double y, double w, double h)
{
	char t[256];
	struct sk_testdef td;
	const char *cat = !sk_testdef_get(c->db, hg->test, &td) ? td.category_ja : "";
	snprintf(t, sizeof(t), "%s %s %s  %s  (n=%zu)", hg->test, cat, hg->name_ja, hg->name_en, hg->n);
	put(c, 8, 1, SK_ALIGN_LEFT, t, x, y, w);
	double top = y + 26, ch = h - 26 - 22, left = x + 22, cw = w - 26;
	if (hg->n < (size_t)c->min_cell || hg->max_points <= 0) {
		sk_doc_rect(c->doc, left, top, cw, ch, 0.4, 0.7, -1);
		snprintf(t, sizeof(t), "%s\n%s", ja(M_TOO_FEW), en(M_TOO_FEW));
		put(c, 8, 0, SK_ALIGN_CENTER, t, left, top + ch / 2 - 10, cw);
		return;
	}
	size_t peak = 1;
	for (int p = 0; p <= hg->max_points; p++)
		if (hg->count[p] > peak)
			peak = hg->count[p];
	/* a round step for the count axis */
	size_t step = 1;
	while (peak / step > 5)
		step = step == 1 ? 2 : step == 2 ? 5 : step * 2;
	size_t axis = (peak + step - 1) / step * step;
	for (size_t v = 0; v <= axis; v += step) {
		double gy = top + ch - ch * (double)v / (double)axis;
		sk_doc_line(c->doc, left, gy, left + cw, gy, v ? 0.25 : 0.6, v ? 0.8 : 0.3);
		char lab[24];
		snprintf(lab, sizeof(lab), "%zu", v);
		put(c, 6, 0, SK_ALIGN_RIGHT, lab, x, gy - 3.5, 19);
	}
	int k = hg->max_points + 1, pass = pass_points(hg->pass_percent, hg->max_points);
	double bw = cw / k;
	int every = k <= 12 ? 1 : k <= 26 ? 2 : 5;
	for (int p = 0; p < k; p++) {
		double bx = left + bw * p, bh = ch * (double)hg->count[p] / (double)axis;
		if (hg->count[p])
			sk_doc_rect(c->doc, bx + bw * 0.1, top + ch - bh, bw * 0.8, bh, 0, -1,
				    p >= pass ? col(c, C_BLUE) : 0.72);
		if (p % every == 0 || p == hg->max_points) {
			char lab[16];
			snprintf(lab, sizeof(lab), "%d", p);
			put(c, 6, 0, SK_ALIGN_CENTER, lab, bx - 4, top + ch + 2, bw + 8);
		}
	}
	/* the pass mark: a red line at the left edge of the first passing score */
	double px = left + bw * pass;
	dashed(c, px, top - 12, px, top + ch, 1.2, col(c, C_VERMILLION));
	snprintf(t, sizeof(t), "%s %s %d/%d (%d%%)", ja(M_PASS_MARK), en(M_PASS_MARK), pass, hg->max_points,
		 hg->pass_percent);
	double tw = measure(c, 6.5, t) + 4;
	double tx = px + 3 + tw < left + cw ? px + 3 : px - 3 - tw;
	sk_doc_text_gray(c->doc, col(c, C_VERMILLION));
	put(c, 6.5, 0, SK_ALIGN_LEFT, t, tx + 1, top - 11.5, tw);
	sk_doc_text_gray(c->doc, 0);
	snprintf(t, sizeof(t), "%s  %s", ja(M_POINTS), en(M_POINTS));
	put(c, 6.5, 0, SK_ALIGN_CENTER, t, left, top + ch + 11, cw);
}

static void distributions(struct rctx *c, const struct sk_stats_histogram *h, size_t n)
{
	if (!n)
		return;
	new_page(c);
	heading(c, M_DISTRIBUTIONS);
	char t[256];
	/* the legend */
	double lx = MARGIN;
	sk_doc_rect(c->doc, lx, c->y + 2, 10, 7, 0, -1, 0.72);
	snprintf(t, sizeof(t), "%s  %s", ja(M_BELOW), en(M_BELOW));
	put(c, 7, 0, SK_ALIGN_LEFT, t, lx + 14, c->y + 1, 200);
	lx += 24 + measure(c, 7, t);
	sk_doc_rect(c->doc, lx, c->y + 2, 10, 7, 0, -1, col(c, C_BLUE));
	snprintf(t, sizeof(t), "%s  %s", ja(M_AT_OR_ABOVE), en(M_AT_OR_ABOVE));
	put(c, 7, 0, SK_ALIGN_LEFT, t, lx + 14, c->y + 1, 220);
	lx += 24 + measure(c, 7, t);
	dashed(c, lx, c->y + 5.5, lx + 14, c->y + 5.5, 1.2, col(c, C_VERMILLION));
	snprintf(t, sizeof(t), "%s  %s", ja(M_PASS_MARK), en(M_PASS_MARK));
	put(c, 7, 0, SK_ALIGN_LEFT, t, lx + 18, c->y + 1, 120);
	c->y += 12;
	snprintf(t, sizeof(t), "%s  %s", ja(M_DISTRIBUTION_OF), en(M_DISTRIBUTION_OF));
	c->y += put(c, 7, 0, SK_ALIGN_LEFT, t, MARGIN, c->y, c->w - 2 * MARGIN) + 4;
	double gap = 14, w = (c->w - 2 * MARGIN - gap) / 2, hh = 165;
	for (size_t i = 0; i < n; i += 2) {
		need(c, hh + 8);
		for (size_t k = i; k < i + 2 && k < n; k++)
			histogram(c, &h[k], MARGIN + (double)(k - i) * (w + gap), c->y, w, hh);
		c->y += hh + 8;
	}
}

/* ---- the trend ---- */

struct trend_sitting {
	char code[40], date[11];
};

struct collect_sittings {
	struct trend_sitting *v;
	size_t n, alloc;
	const char *from, *to;
};

static int collect_sitting(void *payload, const struct sk_sitting *s)
{
	struct collect_sittings *cs = payload;
	if ((cs->from && strcmp(s->exam_date, cs->from) < 0) || (cs->to && strcmp(s->exam_date, cs->to) > 0))
		return 0;
	if (cs->n == cs->alloc) {
		size_t a = cs->alloc ? cs->alloc * 2 : 16;
		struct trend_sitting *p = realloc(cs->v, a * sizeof(*p));
		if (!p)
			return SK_ENOMEM;
		cs->v = p;
		cs->alloc = a;
	}
	snprintf(cs->v[cs->n].code, sizeof(cs->v[cs->n].code), "%s", s->code);
	snprintf(cs->v[cs->n].date, sizeof(cs->v[cs->n].date), "%s", s->exam_date);
	cs->n++;
	return 0;
}

static int by_date(const void *a, const void *b)
{
	const struct trend_sitting *x = a, *y = b;
	int c = strcmp(x->date, y->date);
	return c ? c : strcmp(x->code, y->code);
}

static int trend(struct rctx *c, const struct sk_stats_selection *sel)
{
	struct sk_stats_selection ts = *sel;
	char to[11];
	if (sel->sitting) {
		/* a sitting: it and the sittings before it */
		struct sk_sitting s;
		int rc = sk_sitting_get(c->db, sel->sitting, &s);
		if (rc)
			return rc;
		snprintf(to, sizeof(to), "%s", s.exam_date);
		ts.sitting = NULL;
		ts.from = NULL;
		ts.to = to;
	}
	enum sk_stats_dim dims[] = { SK_DIM_SITTING, SK_DIM_TEST };
	struct sk_stats_table t;
	int rc = sk_stats_results(c->db, &ts, dims, 2, c->min_cell, &t);
	if (rc)
		return rc;
	struct collect_sittings cs = { .from = ts.from, .to = ts.to };
	if ((rc = sk_sitting_foreach(c->db, collect_sitting, &cs))) {
		sk_stats_table_release(&t);
		free(cs.v);
		return rc == SK_ENOMEM ? sk_db_fail(c->db, SK_ENOMEM, "out of memory") : rc;
	}
	if (cs.n)
		qsort(cs.v, cs.n, sizeof(*cs.v), by_date);
	/* sittings with anyone graded, the last TREND_MAX */
	struct trend_sitting kept[TREND_MAX];
	size_t nk = 0;
	for (size_t i = cs.n; i-- > 0 && nk < TREND_MAX;) {
		int graded = 0;
		for (size_t k = 0; k < t.ncells; k++)
			if (!strcmp(t.cells[k].values[0], cs.v[i].code) && t.cells[k].present)
				graded = 1;
		if (graded)
			kept[nk++] = cs.v[i];
	}
	for (size_t i = 0; i < nk / 2; i++) {
		struct trend_sitting tmp = kept[i];
		kept[i] = kept[nk - 1 - i];
		kept[nk - 1 - i] = tmp;
	}
	free(cs.v);
	/* tests that appear */
	char tests[16][96];
	size_t nt = 0;
	for (size_t k = 0; k < t.ncells; k++) {
		size_t j;
		for (j = 0; j < nt && strcmp(tests[j], t.cells[k].values[1]); j++)
			;
		if (j == nt && nt < 16)
			snprintf(tests[nt++], sizeof(tests[0]), "%s", t.cells[k].values[1]);
	}
	double hh = 190;
	need(c, hh + 70);
	heading(c, M_TREND);
	double x = MARGIN + 26, w = c->w - 2 * MARGIN - 26 - 110, top = c->y + 4, ch = hh - 40;
	for (int g = 0; g <= 4; g++) {
		double gy = top + ch - ch * g / 4;
		sk_doc_line(c->doc, x, gy, x + w, gy, g ? 0.25 : 0.6, g ? 0.8 : 0.3);
		char lab[8];
		snprintf(lab, sizeof(lab), "%d%%", g * 25);
		put(c, 6.5, 0, SK_ALIGN_RIGHT, lab, MARGIN, gy - 3.5, 23);
	}
	double step = nk > 1 ? w / (double)(nk - 1) : 0;
	for (size_t i = 0; i < nk; i++) {
		double px = nk > 1 ? x + step * (double)i : x + w / 2;
		char lab[56];
		snprintf(lab, sizeof(lab), "%.40s\n%.10s", kept[i].code, kept[i].date);
		put(c, 5.5, 0, SK_ALIGN_CENTER, lab, px - 40, top + ch + 3, 80);
	}
	for (size_t j = 0; j < nt; j++) {
		double paint = col(c, series_colours[j % (sizeof(series_colours) / sizeof(series_colours[0]))]);
		double lx = -1, ly = -1, last_x = -1, last_y = 0, last_rate = 0;
		for (size_t i = 0; i < nk; i++) {
			const struct sk_stats_cell *cell = NULL;
			for (size_t k = 0; k < t.ncells; k++)
				if (!strcmp(t.cells[k].values[0], kept[i].code) && !strcmp(t.cells[k].values[1], tests[j]))
					cell = &t.cells[k];
			if (!cell || !shows_results(cell)) {
				lx = -1; /* a gap where the figure is not shown */
				continue;
			}
			double px = nk > 1 ? x + step * (double)i : x + w / 2, py = top + ch - ch * cell->pass_rate;
			if (lx >= 0)
				sk_doc_line(c->doc, lx, ly, px, py, 1.6, paint);
			sk_doc_circle(c->doc, px, py, 2.6, 0.8, 1, paint);
			lx = px;
			ly = py;
			last_x = px;
			last_y = py;
			last_rate = cell->pass_rate;
		}
		if (last_x >= 0) {
			/* the series' latest figure, written beside its point */
			char v[16];
			fmt_rate(v, sizeof(v), last_rate);
			sk_doc_text_gray(c->doc, paint);
			put(c, 6.5, 1, SK_ALIGN_LEFT, v, last_x + 5, last_y - 4, 40);
			sk_doc_text_gray(c->doc, 0);
		}
		/* legend */
		double ly2 = top + 4 + 14 * (double)j;
		sk_doc_line(c->doc, x + w + 14, ly2 + 4, x + w + 30, ly2 + 4, 1.6, paint);
		sk_doc_circle(c->doc, x + w + 22, ly2 + 4, 2.6, 0.8, 1, paint);
		struct sk_testdef td;
		char lab[2048];
		if (!sk_testdef_get(c->db, tests[j], &td))
			snprintf(lab, sizeof(lab), "%s %s", tests[j], td.category_ja);
		else
			snprintf(lab, sizeof(lab), "%s", tests[j]);
		put(c, 6.5, 0, SK_ALIGN_LEFT, lab, x + w + 34, ly2, 76);
	}
	c->y = top + ch + 26;
	if (nk <= 1) {
		char t2[256];
		snprintf(t2, sizeof(t2), "%s  %s", ja(M_ONE_SITTING), en(M_ONE_SITTING));
		c->y += put(c, 7, 0, SK_ALIGN_LEFT, t2, MARGIN, c->y, c->w - 2 * MARGIN);
	}
	sk_stats_table_release(&t);
	return 0;
}

static void method(struct rctx *c)
{
	heading(c, M_METHOD);
	static const int lines[] = { M_METHOD_1, M_METHOD_2, M_METHOD_3, M_METHOD_4 };
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		need(c, 30);
		c->y += put(c, 7.5, 0, SK_ALIGN_LEFT, ja(lines[i]), MARGIN, c->y, c->w - 2 * MARGIN);
		c->y += put(c, 7, 0, SK_ALIGN_LEFT, en(lines[i]), MARGIN, c->y, c->w - 2 * MARGIN) + 4;
	}
}

/* The bars of the pass rate by nationality, biggest groups first. */
static int by_examinees(const void *a, const void *b)
{
	const struct bar *x = a, *y = b;
	if (x->hidden != y->hidden)
		return x->hidden - y->hidden;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->label, y->label);
}

int sk_print_stats_report(struct sk_db *db, const struct sk_stats_selection *sel, int min_cell, struct sk_doc *doc,
			  char *err, size_t errlen)
{
	struct rctx c = { .db = db, .doc = doc, .fs = sk_doc_fonts(doc), .w = sk_doc_width(doc),
			  .h = sk_doc_height(doc), .min_cell = min_cell, .err = err, .errlen = errlen };
	err[0] = '\0';
	enum sk_stats_dim by_test[] = { SK_DIM_TEST }, by_country[] = { SK_DIM_NATIONALITY };
	struct sk_stats_table tests, countries;
	struct sk_stats_histogram *hist = NULL;
	size_t nhist = 0;
	struct bar *b = NULL;
	int rc = sk_stats_results(db, sel, by_test, 1, min_cell, &tests);
	if (rc)
		return rc;
	if ((rc = sk_stats_results(db, sel, by_country, 1, min_cell, &countries))) {
		sk_stats_table_release(&tests);
		return rc;
	}
	if (!tests.total.present) {
		rc = sk_db_fail(db, SK_EINPUT, "nobody in this selection has a result yet (see 'shiken grade')");
		goto done;
	}
	if ((rc = sk_stats_histograms(db, sel, &hist, &nhist)))
		goto done;

	new_page(&c);
	char t[512], d1[64], d2[64];
	put(&c, 8, 0, SK_ALIGN_LEFT, ja(M_KICKER), MARGIN, c.y, c.w - 2 * MARGIN);
	c.y += put(&c, 7, 0, SK_ALIGN_RIGHT, en(M_KICKER), MARGIN, c.y, c.w - 2 * MARGIN) + 4;
	c.y += put(&c, 18, 1, SK_ALIGN_LEFT, ja(M_TITLE), MARGIN, c.y, c.w - 2 * MARGIN);
	c.y += put(&c, 11, 0, SK_ALIGN_LEFT, en(M_TITLE), MARGIN, c.y, c.w - 2 * MARGIN) + 6;
	struct sk_date day;
	if (sel->sitting) {
		struct sk_sitting s;
		if ((rc = sk_sitting_get(db, sel->sitting, &s)))
			goto done;
		if (!sk_date_parse(&day, s.exam_date)) {
			sk_date_ja(d1, sizeof(d1), &day);
			sk_date_en(d2, sizeof(d2), &day);
		}
		snprintf(t, sizeof(t), "%s %s: %s   %s / %s", ja(M_SITTING), en(M_SITTING), s.code, d1, d2);
	} else if (sel->from || sel->to) {
		snprintf(t, sizeof(t), "%s %s: %s – %s", ja(M_PERIOD), en(M_PERIOD), sel->from ? sel->from : "",
			 sel->to ? sel->to : "");
	} else {
		snprintf(t, sizeof(t), "%s  %s", ja(M_ALL_SITTINGS), en(M_ALL_SITTINGS));
	}
	c.y += put(&c, 9, 0, SK_ALIGN_LEFT, t, MARGIN, c.y, c.w - 2 * MARGIN);
	char now[21];
	sk_db_now(db, now);
	now[10] = '\0';
	if (!sk_date_parse(&day, now)) {
		sk_date_ja(d1, sizeof(d1), &day);
		sk_date_en(d2, sizeof(d2), &day);
		snprintf(t, sizeof(t), "%s %s: %s / %s", ja(M_ISSUED), en(M_ISSUED), d1, d2);
		c.y += put(&c, 8, 0, SK_ALIGN_LEFT, t, MARGIN, c.y, c.w - 2 * MARGIN);
	}
	char k[16];
	snprintf(k, sizeof(k), "%d", min_cell);
	const char *small_ja = ja(M_SMALL_NOTE), *small_en = en(M_SMALL_NOTE);
	const char *pj = strstr(small_ja, "%s"), *pe = strstr(small_en, "%s");
	snprintf(t, sizeof(t), "%.*s%s%s", pj ? (int)(pj - small_ja) : (int)strlen(small_ja), small_ja, pj ? k : "",
		 pj ? pj + 2 : "");
	c.y += put(&c, 7, 0, SK_ALIGN_LEFT, t, MARGIN, c.y + 3, c.w - 2 * MARGIN) + 3;
	snprintf(t, sizeof(t), "%.*s%s%s", pe ? (int)(pe - small_en) : (int)strlen(small_en), small_en, pe ? k : "",
		 pe ? pe + 2 : "");
	c.y += put(&c, 7, 0, SK_ALIGN_LEFT, t, MARGIN, c.y, c.w - 2 * MARGIN) + 4;

	summary(&c, &tests);

	size_t nb = tests.ncells > countries.ncells ? tests.ncells : countries.ncells;
	if (!(b = calloc(nb ? nb : 1, sizeof(*b)))) {
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < tests.ncells; i++) {
		const struct sk_stats_cell *cell = &tests.cells[i];
		struct sk_testdef td;
		if (!sk_testdef_get(db, cell->values[0], &td))
			snprintf(b[i].label, sizeof(b[i].label), "%s %s", cell->values[0], td.category_ja);
		else
			snprintf(b[i].label, sizeof(b[i].label), "%s", cell->values[0]);
		b[i].hidden = !shows_results(cell);
		b[i].rate = cell->pass_rate;
		b[i].n = cell->present;
	}
	bars(&c, M_BY_TEST, b, tests.ncells);
	for (size_t i = 0; i < countries.ncells; i++) {
		const struct sk_stats_cell *cell = &countries.cells[i];
		const struct sk_country *co = sk_country_find(cell->values[0]);
		if (co)
			snprintf(b[i].label, sizeof(b[i].label), "%s %s", co->name_ja, co->name_en);
		else
			snprintf(b[i].label, sizeof(b[i].label), "%s", cell->values[0]);
		b[i].hidden = !shows_results(cell);
		b[i].rate = cell->pass_rate;
		b[i].n = cell->present;
	}
	if (countries.ncells)
		qsort(b, countries.ncells, sizeof(*b), by_examinees);
	bars(&c, M_BY_COUNTRY, b, countries.ncells);

	distributions(&c, hist, nhist);
	if (!c.failed && (rc = trend(&c, sel)))
		goto done;
	method(&c);
	if (c.failed) {
		rc = SK_EINPUT;
		goto done;
	}
	if (sel->sitting)
		snprintf(t, sizeof(t), "%s  %s", ja(M_TITLE), sel->sitting);
	else
		snprintf(t, sizeof(t), "%s  %s–%s", ja(M_TITLE), sel->from ? sel->from : "", sel->to ? sel->to : "");
	sk_print_footers(doc, t, MARGIN);
done:
	free(b);
	sk_stats_histograms_free(hist, nhist);
	sk_stats_table_release(&tests);
	sk_stats_table_release(&countries);
	if (rc && !err[0])
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
	return rc;
}
