/*
 * The question booklet (問題冊子) of one paper: a cover with the test, the
 * sitting, the exam number and paper code, the time limits and the
 * instructions (Japanese with furigana, English, and the candidate's own
 * language where a catalog exists); then each section on pages of its own,
 * questions numbered as on the answer sheet, options labelled in the paper's
 * order, figures placed under their question, and no question split across
 * pages. The candidate's name never appears.
 *
 * Every item is set once per print job (the cache) and placed on as many
 * papers as carry it: the text of an item never depends on the paper, only
 * its position and the order of its options do.
 */
#include "print/print.h"
#include "core/buf.h"
#include "core/bank.h"
#include "core/candidate.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/photo.h"
#include "core/registration.h"
#include "core/report.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "exam/paper.h"
#include "print/common.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN_X SK_MM(18)
#define MARGIN_TOP SK_MM(18)
#define MARGIN_BOTTOM SK_MM(20)
#define NUM_W SK_MM(13)     /* the question number column */
#define OPT_LABEL_W SK_MM(8)
#define ITEM_GAP SK_MM(6)
#define FIGURE_MAX_W SK_MM(90)
#define FIGURE_MAX_H SK_MM(60)

struct item_set {
	int64_t version_id;
	int ready;
	int kind_mc;
	int noptions;
	struct sk_text_block stem;
	struct sk_text_block options[SK_ITEM_MAX_OPTIONS];
	unsigned char *figure;
	size_t figure_len;
	double figure_w, figure_h;
};

struct sk_print_cache {
	double width; /* the page width the cached items were set for */
	struct item_set *items;
	size_t count, alloc;
};

struct sk_print_cache *sk_print_cache_new(void)
{
	return calloc(1, sizeof(struct sk_print_cache));
}

static void item_release(struct item_set *s)
{
	sk_text_release(&s->stem);
	for (int o = 0; o < SK_ITEM_MAX_OPTIONS; o++)
		sk_text_release(&s->options[o]);
	free(s->figure);
	memset(s, 0, sizeof(*s));
}

void sk_print_cache_free(struct sk_print_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->count; i++)
		item_release(&c->items[i]);
	free(c->items);
	free(c);
}

static struct sk_style stem_style(void)
{
	struct sk_style s = sk_style_mincho(11);
	s.leading = 1.75;
	return s;
}

static struct sk_style option_style(void)
{
	struct sk_style s = sk_style_mincho(10.5);
	s.leading = 1.6;
	return s;
}

/* PNG size from the IHDR, to scale figures without decoding them here. */
static int png_size(const unsigned char *d, size_t n, double *w, double *h)
{
	if (n < 24 || memcmp(d, "\x89PNG\r\n\x1a\n", 8) || memcmp(d + 12, "IHDR", 4))
		return -1;
	*w = (double)(((unsigned)d[16] << 24) | ((unsigned)d[17] << 16) | ((unsigned)d[18] << 8) | d[19]);
	*h = (double)(((unsigned)d[20] << 24) | ((unsigned)d[21] << 16) | ((unsigned)d[22] << 8) | d[23]);
	return *w > 0 && *h > 0 ? 0 : -1;
}

/* The cached setting of an item version, made on first use. */
static struct item_set *item_for(struct sk_db *db, struct sk_print_cache *c, const struct sk_fontset *fs,
				 double text_w, int64_t version_id, char *err, size_t errlen)
{
	if (c->width != text_w) {
		for (size_t i = 0; i < c->count; i++)
			item_release(&c->items[i]);
		c->count = 0;
		c->width = text_w;
	}
	for (size_t i = 0; i < c->count; i++)
		if (c->items[i].version_id == version_id)
			return &c->items[i];
	if (c->count == c->alloc) {
		size_t a = c->alloc ? c->alloc * 2 : 64;
		struct item_set *p = realloc(c->items, a * sizeof(*p));
		if (!p)
			return NULL;
		c->items = p;
		c->alloc = a;
	}
	struct item_set *s = &c->items[c->count];
	memset(s, 0, sizeof(*s));
	s->version_id = version_id;
	struct sk_item it;
	if (sk_item_get_version(db, version_id, 0, &it)) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		return NULL;
	}
	struct sk_style st = stem_style(), ost = option_style();
	char why[256];
	if (sk_text_layout(fs, &st, it.stem, text_w, &s->stem, why, sizeof(why))) {
		snprintf(err, errlen, "%s: stem: %s", it.code, why);
		sk_item_release(&it);
		return NULL;
	}
	s->kind_mc = !strcmp(it.kind, "mc");
	s->noptions = it.noptions;
	/* Options beside one with furigana leave the same room, so they are
	 * evenly spaced. */
	for (int o = 0; o < it.noptions && s->kind_mc; o++)
		if (it.options[o] && strchr(it.options[o], '{'))
			ost.ruby_room = 1;
	for (int o = 0; o < it.noptions && s->kind_mc; o++) {
		if (sk_text_layout(fs, &ost, it.options[o] ? it.options[o] : "", text_w - OPT_LABEL_W, &s->options[o],
				   why, sizeof(why))) {
			snprintf(err, errlen, "%s: option_%c: %s", it.code, 'a' + o, why);
			sk_item_release(&it);
			item_release(s);
			return NULL;
		}
	}
	if (it.figure_id) {
		const char *type = NULL;
		double pw, ph;
		if (sk_photo_load(db, it.figure_id, &s->figure, &s->figure_len, &type) == 0 &&
		    png_size(s->figure, s->figure_len, &pw, &ph) == 0) {
			/* Figures are drawn for print: 300 dpi unless that is too big. */
			double w = pw * 72.0 / 300.0, h = ph * 72.0 / 300.0;
			double k = 1;
			if (w > FIGURE_MAX_W)
				k = FIGURE_MAX_W / w;
			if (h * k > FIGURE_MAX_H)
				k = FIGURE_MAX_H / h;
			s->figure_w = w * k;
			s->figure_h = h * k;
		} else {
			free(s->figure);
			s->figure = NULL;
		}
	}
	sk_item_release(&it);
	s->ready = 1;
	c->count++;
	return s;
}

static double item_height(const struct item_set *s, const struct sk_paper_item *pi)
{
	double h = s->stem.height;
	if (s->figure)
		h += s->figure_h + SK_MM(3);
	if (s->kind_mc)
		for (int d = 0; d < SK_ITEM_MAX_OPTIONS && pi->option_of[d] >= 0; d++)
			h += s->options[pi->option_of[d]].height;
	return h;
}

struct booklet {
	struct sk_db *db;
	struct sk_doc *doc;
	const struct sk_fontset *fs;
	struct sk_registration reg;
	struct sk_sitting sitting;
	struct sk_testdef test;
	struct sk_paper paper;
	char lang[16];
	double y, W, H;
	char running[512];
};

static void new_page(struct booklet *b, const char *running)
{
	sk_doc_add_page(b->doc);
	b->y = MARGIN_TOP;
	if (running) {
		struct sk_style st = sk_style_gothic(8);
		char err[64];
		sk_text_put(b->doc, &st, running, MARGIN_X, SK_MM(9), b->W - 2 * MARGIN_X, err, sizeof(err));
		sk_doc_line(b->doc, MARGIN_X, SK_MM(14), b->W - MARGIN_X, SK_MM(14), 0.4, 0.5);
	}
}

/* Instructions on the cover, with furigana for N4-N3 readers. */
static const char *const instructions_ja[] = {
	"{試験開始|しけんかいし}の{合図|あいず}があるまで、この{冊子|さっし}を{開|ひら}かないでください。",
	"{解答|かいとう}は、すべて{解答用紙|かいとうようし}にマークしてください。この{冊子|さっし}に{書|か}き{込|こ}んでもかまいませんが、{採点|さいてん}しません。",
	"{学科|がっか}は○×{式|しき}、{実技|じつぎ}は{選択式|せんたくしき}です。{各問|かくもん}、{正|ただ}しいものを一つだけ{選|えら}んでください。",
	"{解答用紙|かいとうようし}の{受験番号|じゅけんばんごう}とペーパーコードが、この{表紙|ひょうし}と{同|おな}じであることを{確|たし}かめてください。",
	"{試験終了後|しけんしゅうりょうご}、この{冊子|さっし}は{回収|かいしゅう}します。{持|も}ち{帰|かえ}ることはできません。",
	NULL,
};
static const char *const instructions_en[] = {
	N_("Do not open this booklet until you are told to start."),
	N_("Mark all your answers on the answer sheet. You may write in this booklet, but it is not marked."),
	N_("Written questions are true (○) or false (×); practical questions have options A to E. Choose one answer for each question."),
	N_("Check that the exam number and paper code on your answer sheet are the same as on this cover."),
	N_("This booklet is collected at the end of the test. You may not take it home."),
	NULL,
};

static int put(struct booklet *b, const struct sk_style *st, const char *text, double x, double w, char *err,
	       size_t errlen)
{
	double h = sk_text_put(b->doc, st, text, x, b->y, w, err, errlen);
	if (h < 0)
		return -1;
	b->y += h;
	return 0;
}

/* The cover but the candidate's exam number and paper code: the same for
 * every candidate of a test, sitting and language, so set once per
 * document. *fields_y says where the two values go. */
static int cover_static(struct booklet *b, double *fields_y, char *err, size_t errlen)
{
	double w = b->W - 2 * MARGIN_X;
	struct sk_style kicker = sk_style_gothic(11);
	kicker.align = SK_ALIGN_CENTER;
	struct sk_style title = sk_style_gothic(22);
	title.bold = 1;
	title.align = SK_ALIGN_CENTER;
	struct sk_style sub = sk_style_gothic(12);
	sub.align = SK_ALIGN_CENTER;
	char line[512];
	b->y = SK_MM(22);
	if (put(b, &kicker, "特定技能評価試験（工業製品製造業分野）\nSpecified Skilled Worker Evaluation Test (Manufacturing)",
		MARGIN_X, w, err, errlen))
		return -1;
	b->y += SK_MM(6);
	snprintf(line, sizeof(line), "%s %d号", b->test.category_ja, b->test.level);
	if (put(b, &title, line, MARGIN_X, w, err, errlen))
		return -1;
	snprintf(line, sizeof(line), "%s, Level %d", b->test.category_en, b->test.level);
	if (put(b, &sub, line, MARGIN_X, w, err, errlen))
		return -1;
	b->y += SK_MM(2);
	struct sk_style kind = sk_style_gothic(16);
	kind.bold = 1;
	kind.align = SK_ALIGN_CENTER;
	if (put(b, &kind, "問題冊子  Question Booklet", MARGIN_X, w, err, errlen))
		return -1;
	b->y += SK_MM(8);

	/* Who and when: the exam number and paper code, large. */
	struct sk_style big = sk_style_gothic(22);
	big.bold = 1;
	double bx = MARGIN_X + SK_MM(10), bw = w - SK_MM(20);
	*fields_y = b->y;
	if (sk_print_field(b->doc, bx, b->y, bw * 0.6, SK_MM(22), "受験番号", "Exam number", NULL, &big, err, errlen) ||
	    sk_print_field(b->doc, bx + bw * 0.6 + SK_MM(4), b->y, bw * 0.4 - SK_MM(4), SK_MM(22), "ペーパーコード",
			   "Paper code", NULL, &big, err, errlen))
		return -1;
	b->y += SK_MM(26);
	struct sk_date dt;
	sk_date_parse(&dt, b->sitting.exam_date);
	char dja[64], den[64];
	struct sk_style val = sk_style_gothic(11);
	snprintf(line, sizeof(line), "%s  %s", sk_date_ja(dja, sizeof(dja), &dt), b->sitting.start_time);
	if (sk_print_field(b->doc, bx, b->y, bw * 0.6, SK_MM(16), "試験日", "Date", line, &val, err, errlen))
		return -1;
	if (sk_print_field(b->doc, bx + bw * 0.6 + SK_MM(4), b->y, bw * 0.4 - SK_MM(4), SK_MM(16), "試験回", "Sitting",
			   b->sitting.code, &val, err, errlen))
		return -1;
	(void)den;
	b->y += SK_MM(20);

	/* Time limits. */
	struct sk_style head = sk_style_gothic(11);
	head.bold = 1;
	if (put(b, &head, "試験時間  Time", bx, bw, err, errlen))
		return -1;
	b->y += SK_MM(1);
	int total = 0;
	for (size_t s = 0; s < b->test.nsections; s++) {
		const struct sk_section *sec = &b->test.sections[s];
		int n = 0;
		for (int k = 0; k < b->paper.nsections; k++)
			if (!strcmp(b->paper.sections[k].code, sec->code))
				n = b->paper.sections[k].nitems;
		snprintf(line, sizeof(line), "%s %s  %d問 / %d questions  %d分 / %d minutes", sec->name_ja, sec->name_en,
			 n, n, sec->time_limit_min, sec->time_limit_min);
		total += sec->time_limit_min;
		if (put(b, &val, line, bx + SK_MM(4), bw, err, errlen))
			return -1;
	}
	(void)total;
	b->y += SK_MM(6);

	/* Instructions: Japanese, English, and the candidate's language. */
	if (put(b, &head, "注意事項  Instructions", bx, bw, err, errlen))
		return -1;
	b->y += SK_MM(1);
	struct sk_style ja = sk_style_mincho(10.5);
	ja.leading = 1.8;
	struct sk_style en = sk_style_gothic(9);
	for (int i = 0; instructions_ja[i]; i++) {
		snprintf(line, sizeof(line), "%d. ", i + 1);
		double nw = sk_text_measure(b->fs, &ja, "9. ");
		double y0 = b->y;
		if (sk_text_put(b->doc, &ja, line, bx, b->y + SK_MM(2.3), nw, err, errlen) < 0)
			return -1;
		b->y = y0;
		if (put(b, &ja, instructions_ja[i], bx + nw, bw - nw, err, errlen))
			return -1;
		if (put(b, &en, instructions_en[i], bx + nw, bw - nw, err, errlen))
			return -1;
		if (b->lang[0] && strcmp(b->lang, "ja") && strcmp(b->lang, "en") && sk_i18n_has(b->lang)) {
			const char *t = sk_i18n_lookup(b->lang, instructions_en[i]);
			if (t != instructions_en[i] && put(b, &en, t, bx + nw, bw - nw, err, errlen))
				return -1;
		}
		b->y += SK_MM(1.5);
	}
	return 0;
}

static int cover(struct booklet *b, char *err, size_t errlen)
{
	new_page(b, NULL);
	struct sk_buf kb = SK_BUF_INIT;
	sk_buf_addf(&kb, "%.2f|%.2f|%s|%s|%s", b->W, b->H, b->test.code, b->sitting.code, b->lang);
	for (int k = 0; k < b->paper.nsections; k++)
		sk_buf_addf(&kb, "|%s:%d", b->paper.sections[k].code, b->paper.sections[k].nitems);
	uint64_t key = SK_KEY_HASH(SK_KEY_COVER, sk_print_key_hash(kb.buf, kb.len));
	sk_buf_release(&kb);
	double fields_y;
	if (!sk_doc_group_exists(b->doc, key)) {
		sk_doc_group_begin(b->doc, key);
		int rc = cover_static(b, &fields_y, err, errlen);
		sk_doc_group_end(b->doc);
		if (rc)
			return -1;
		sk_doc_group_set_note(b->doc, key, fields_y);
	}
	fields_y = sk_doc_group_note(b->doc, key);
	sk_doc_place(b->doc, key, 0, 0);
	struct sk_style big = sk_style_gothic(22);
	big.bold = 1;
	double w = b->W - 2 * MARGIN_X, bx = MARGIN_X + SK_MM(10), bw = w - SK_MM(20);
	if (sk_print_field_value(b->doc, bx, fields_y, bw * 0.6, b->reg.exam_number, &big, err, errlen) ||
	    sk_print_field_value(b->doc, bx + bw * 0.6 + SK_MM(4), fields_y, bw * 0.4 - SK_MM(4), b->paper.code, &big,
				 err, errlen))
		return -1;
	return 0;
}

static int section(struct booklet *b, const struct sk_paper_section *ps, int *number, struct sk_print_cache *cache,
		   char *err, size_t errlen)
{
	double w = b->W - 2 * MARGIN_X, text_w = w - NUM_W;
	char line[256];
	snprintf(b->running, sizeof(b->running), "%s %d号  %s %s    受験番号 %s    ペーパーコード %s", b->test.category_ja,
		 b->test.level, ps->name_ja, ps->name_en, b->reg.exam_number, b->paper.code);
	new_page(b, b->running);
	struct sk_style head = sk_style_gothic(14);
	head.bold = 1;
	const char *how = !strcmp(ps->kind, "tf")
				  ? "{次|つぎ}の{文章|ぶんしょう}が{正|ただ}しければ○、{誤|あやま}りなら×を{解答用紙|かいとうようし}にマークしてください。\n"
				    "Mark ○ on the answer sheet if the statement is correct, × if it is not."
				  : "{正|ただ}しいものを一つ{選|えら}び、{解答用紙|かいとうようし}にマークしてください。\n"
				    "Choose one answer and mark it on the answer sheet.";
	int first = *number + 1, last = *number + ps->nitems;
	snprintf(line, sizeof(line), "%s  %s  （問%d〜問%d）", ps->name_ja, ps->name_en, first, last);
	sk_doc_rect(b->doc, MARGIN_X, b->y, w, SK_MM(9), 0, 0, 0.9);
	if (sk_text_put(b->doc, &head, line, MARGIN_X + SK_MM(2), b->y + SK_MM(0.8), w, err, errlen) < 0)
		return -1;
	b->y += SK_MM(11);
	struct sk_style hs = sk_style_gothic(9.5);
	if (put(b, &hs, how, MARGIN_X, w, err, errlen))
		return -1;
	b->y += SK_MM(5);
	struct sk_style num = sk_style_gothic(11);
	num.bold = 1;
	struct sk_style stem = stem_style(), ost = option_style();
	struct sk_style lab = sk_style_gothic(10.5);
	for (int i = 0; i < ps->nitems; i++) {
		const struct sk_paper_item *pi = &ps->items[i];
		struct item_set *s = item_for(b->db, cache, b->fs, text_w, pi->item_version_id, err, errlen);
		if (!s)
			return -1;
		double h = item_height(s, pi);
		/* No question split across pages. */
		if (b->y + h > b->H - MARGIN_BOTTOM && b->y > MARGIN_TOP + SK_MM(20))
			new_page(b, b->running);
		++*number;
		/* The question number: set once per document, placed per paper. */
		uint64_t nkey = SK_KEY_NUMBER | (uint64_t)*number;
		double sbase = s->stem.nlines ? s->stem.lines[0].baseline : stem.size;
		if (!sk_doc_group_exists(b->doc, nkey)) {
			snprintf(line, sizeof(line), "問%d", *number);
			struct sk_text_block nb;
			if (sk_text_layout(b->fs, &num, line, 0, &nb, err, errlen))
				return -1;
			double nbase = nb.nlines ? nb.lines[0].baseline : num.size;
			sk_doc_group_begin(b->doc, nkey);
			sk_text_draw(b->doc, &nb, &num, 0, sbase - nbase, 0);
			sk_doc_group_end(b->doc);
			sk_text_release(&nb);
		}
		sk_doc_place(b->doc, nkey, MARGIN_X, b->y);
		/* The stem: set once per document, whatever paper carries it. */
		uint64_t skey = SK_KEY_ITEM | ((uint64_t)pi->item_version_id << 4) | 0xF;
		if (!sk_doc_group_exists(b->doc, skey)) {
			sk_doc_group_begin(b->doc, skey);
			sk_text_draw(b->doc, &s->stem, &stem, 0, 0, text_w);
			sk_doc_group_end(b->doc);
		}
		sk_doc_place(b->doc, skey, MARGIN_X + NUM_W, b->y);
		b->y += s->stem.height;
		if (s->figure) {
			b->y += SK_MM(1.5);
			if (sk_doc_image(b->doc, s->figure, s->figure_len, MARGIN_X + NUM_W, b->y, s->figure_w, s->figure_h)) {
				snprintf(err, errlen, "%s", sk_doc_error(b->doc));
				return -1;
			}
			b->y += s->figure_h + SK_MM(1.5);
		}
		if (s->kind_mc) {
			for (int d = 0; d < SK_ITEM_MAX_OPTIONS && pi->option_of[d] >= 0; d++) {
				int o = pi->option_of[d];
				const struct sk_text_block *ob = &s->options[o];
				double base = ob->nlines ? ob->lines[0].baseline : ost.size;
				/* The label "A." on the option's first baseline. */
				uint64_t lkey = SK_KEY_LABEL | ((uint64_t)d << 16) | (uint64_t)(base * 100);
				if (!sk_doc_group_exists(b->doc, lkey)) {
					char l[4] = { (char)('A' + d), '.', 0, 0 };
					struct sk_text_block lb;
					if (sk_text_layout(b->fs, &lab, l, 0, &lb, err, errlen))
						return -1;
					double lbase = lb.nlines ? lb.lines[0].baseline : lab.size;
					sk_doc_group_begin(b->doc, lkey);
					sk_text_draw(b->doc, &lb, &lab, 0, base - lbase, 0);
					sk_doc_group_end(b->doc);
					sk_text_release(&lb);
				}
				sk_doc_place(b->doc, lkey, MARGIN_X + NUM_W + SK_MM(1), b->y);
				uint64_t okey = SK_KEY_ITEM | ((uint64_t)pi->item_version_id << 4) | (uint64_t)o;
				if (!sk_doc_group_exists(b->doc, okey)) {
					sk_doc_group_begin(b->doc, okey);
					sk_text_draw(b->doc, ob, &ost, 0, 0, text_w - OPT_LABEL_W);
					sk_doc_group_end(b->doc);
				}
				sk_doc_place(b->doc, okey, MARGIN_X + NUM_W + OPT_LABEL_W, b->y);
				b->y += ob->height;
			}
		}
		b->y += ITEM_GAP;
	}
	return 0;
}

int sk_print_booklet(struct sk_db *db, const char *exam_number, const struct sk_print_opts *o,
		     struct sk_print_cache *cache, struct sk_doc *doc, char *err, size_t errlen)
{
	struct booklet *b = calloc(1, sizeof(*b));
	if (!b)
		return SK_ENOMEM;
	b->db = db;
	b->doc = doc;
	b->fs = sk_doc_fonts(doc);
	b->W = sk_doc_width(doc);
	b->H = sk_doc_height(doc);
	int first_page = sk_doc_pages(doc);
	int rc = sk_registration_get(db, exam_number, &b->reg);
	if (!rc)
		rc = sk_sitting_get(db, b->reg.sitting, &b->sitting);
	if (!rc)
		rc = sk_testdef_get(db, b->reg.test, &b->test);
	if (!rc)
		rc = sk_paper_get(db, b->reg.exam_number, &b->paper);
	if (rc) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		free(b);
		return rc;
	}
	if (o && o->lang) {
		snprintf(b->lang, sizeof(b->lang), "%s", o->lang);
	} else {
		struct sk_candidate c;
		if (sk_candidate_get(db, b->reg.reference, &c) == 0) {
			char prim[8];
			snprintf(b->lang, sizeof(b->lang), "%s", sk_i18n_primary(prim, c.language ? c.language : ""));
			sk_candidate_release(&c);
		}
		sk_db_clear_error(db);
	}
	if (cover(b, err, errlen))
		rc = SK_EINPUT;
	int number = 0;
	for (int s = 0; !rc && s < b->paper.nsections; s++)
		if (section(b, &b->paper.sections[s], &number, cache, err, errlen))
			rc = SK_EINPUT;
	if (!rc) {
		/* Page numbers of this booklet only (a bundle holds many). */
		int last = sk_doc_pages(doc);
		struct sk_style st = sk_style_gothic(8);
		st.align = SK_ALIGN_CENTER;
		char line[256], e2[64];
		for (int p = first_page; p < last; p++) {
			sk_doc_select_page(doc, p);
			snprintf(line, sizeof(line), "%s  %s    %d / %d", b->reg.exam_number, b->paper.code, p - first_page + 1,
				 last - first_page);
			sk_text_put(doc, &st, line, MARGIN_X, b->H - SK_MM(12), b->W - 2 * MARGIN_X, e2, sizeof(e2));
		}
		sk_doc_select_page(doc, last - 1);
	}
	sk_paper_release(&b->paper);
	free(b);
	return rc;
}
