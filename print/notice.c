/*
 * The result notice (合否結果通知書): one A4 page per graded registration,
 * sent to the candidate after grading. At the top the title and the date
 * of issue; a ruled table with the passport name, date of birth, exam
 * number, test, date and venue; the outcome set large (合格, 不合格, 欠席,
 * 失格); each section's score against its pass mark; and what happens
 * next, which depends on the outcome.
 *
 * Every text is in Japanese and in one more language: the candidate's,
 * when a catalog has it (and every one of its texts can be set with the
 * installed fonts), otherwise English. The texts are English messages
 * marked N_() and looked up per language with sk_i18n_lookup(); the
 * Japanese catalog carries the furigana an N4-N3 reader needs as
 * {漢字|かんじ} markup, so a translator changes them in locales/ja.po.
 *
 * As on the ticket, every value from the registry is laid out before
 * anything is drawn, so a character no installed font has is reported
 * with the field it sits in and the document is left untouched.
 */
#include "print/print.h"
#include "core/candidate.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/refdata.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/venue.h"
#include "exam/ledger.h"
#include "print/common.h"
#include "print/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The design in points on A4; other page sizes scale it as the ticket
 * does (print/ticket.c). */
#define A4_W 595.2756
#define A4_H 841.8898
#define MARGIN SK_MM(14)
#define LABEL_W SK_MM(32)
#define PAD 5.0
#define LABEL_FILL 0.92

/* ---- the texts ---- */

enum msg {
	M_KICKER_1, M_KICKER_2, M_LEVEL_1, M_LEVEL_2, M_TITLE, M_ISSUED, M_SITTING,
	M_NAME, M_NAME_NOTE, M_DOB, M_EXAMNO, M_TEST, M_DATE, M_VENUE,
	M_RESULT, M_PASS, M_FAIL, M_ABSENT, M_DISQUALIFIED,
	M_SAID_PASS, M_SAID_FAIL, M_SAID_ABSENT, M_SAID_DISQUALIFIED,
	M_SECTION, M_SCORE, M_PERCENT, M_PASS_MARK, M_SECTION_RESULT, M_PASSED, M_NOT_PASSED,
	M_RULE, M_NO_SCORES_ABSENT, M_NO_SCORES_DISQUALIFIED,
	M_NEXT,
	M_PASS_1, M_PASS_2, M_PASS_3,
	M_FAIL_1, M_FAIL_2, M_FAIL_3,
	M_ABSENT_1, M_ABSENT_2, M_ABSENT_3,
	M_DISQ_1, M_DISQ_2, M_DISQ_3,
	M_ENQUIRIES,
	NMSGS
};

/* TRANSLATORS: the result notice (print/notice.c), a printed letter to a
 * candidate. Japanese texts may carry furigana as {漢字|かんじ}. */
static const char *const msgs[NMSGS] = {
	[M_KICKER_1] = N_("Specified Skilled Worker (i) Evaluation Test"),
	[M_KICKER_2] = N_("Specified Skilled Worker (ii) Evaluation Test"),
	[M_LEVEL_1] = N_("Specified Skilled Worker (i)"),
	[M_LEVEL_2] = N_("Specified Skilled Worker (ii)"),
	[M_TITLE] = N_("Notice of Test Result"),
	[M_ISSUED] = N_("Issued"),
	[M_SITTING] = N_("Sitting"),
	[M_NAME] = N_("Name"),
	[M_NAME_NOTE] = N_("As in the passport: surname, then given names"),
	[M_DOB] = N_("Date of birth"),
	[M_EXAMNO] = N_("Exam number"),
	[M_TEST] = N_("Test"),
	[M_DATE] = N_("Date of the test"),
	[M_VENUE] = N_("Venue"),
	[M_RESULT] = N_("Result"),
	[M_PASS] = N_("Pass"),
	[M_FAIL] = N_("Fail"),
	[M_ABSENT] = N_("Absent"),
	[M_DISQUALIFIED] = N_("Disqualified"),
	[M_SAID_PASS] = N_("You have passed the test above."),
	[M_SAID_FAIL] = N_("You did not pass the test above."),
	[M_SAID_ABSENT] = N_("You were absent from the test above."),
	[M_SAID_DISQUALIFIED] = N_("You were disqualified from the test above."),
	[M_SECTION] = N_("Section"),
	[M_SCORE] = N_("Score"),
	[M_PERCENT] = N_("Percent"),
	[M_PASS_MARK] = N_("Pass mark"),
	[M_SECTION_RESULT] = N_("Section result"),
	[M_PASSED] = N_("Passed"),
	[M_NOT_PASSED] = N_("Not passed"),
	[M_RULE] = N_("The test is passed when every section reaches its pass mark."),
	[M_NO_SCORES_ABSENT] = N_("No scores: you were absent."),
	[M_NO_SCORES_DISQUALIFIED] = N_("No scores: they do not count when a candidate is disqualified."),
	[M_NEXT] = N_("What happens next"),
	[M_PASS_1] = N_("Your pass certificate will be sent to you separately. This notice is not a certificate."),
	[M_PASS_2] = N_("The certificate carries a QR code: by scanning it anyone, such as an employer, can check that it is genuine."),
	[M_PASS_3] = N_("When you apply for the Specified Skilled Worker status of residence, use the certificate, not this notice."),
	[M_FAIL_1] = N_("Sections below the pass mark: %s."),
	[M_FAIL_2] = N_("When you take the test again, you sit every section again."),
	[M_FAIL_3] = N_("To take the test again, apply for a later sitting as you did for this one. Your application reference is %s."),
	[M_ABSENT_1] = N_("As you were absent, nothing was graded: this is neither a pass nor a fail."),
	[M_ABSENT_2] = N_("To take the test, apply for a later sitting. Your application reference is %s."),
	[M_ABSENT_3] = N_("If you did sit the test, contact the exam body at once and give your exam number."),
	[M_DISQ_1] = N_("You were disqualified because the rules of the test were broken, for example by cheating or impersonation. Your scores do not count."),
	[M_DISQ_2] = N_("Whether and when you may take the test again is decided by the exam body's rules."),
	[M_DISQ_3] = N_("If you think this is a mistake, contact the exam body and give your exam number."),
	[M_ENQUIRIES] = N_("Please give your exam number in any enquiry about this notice."),
};

/* A template with one %s filled in (no other conversions: a catalog's
 * text is data, never a printf format). */
static char *fill(char *out, size_t cap, const char *tmpl, const char *arg)
{
	const char *p = strstr(tmpl, "%s");
	if (!p)
		snprintf(out, cap, "%s", tmpl);
	else
		snprintf(out, cap, "%.*s%s%s", (int)(p - tmpl), tmpl, arg, p + 2);
	return out;
}

/* ---- drawing state ---- */

/* The state of one notice being set. In a dry run nothing is drawn and
 * text is only laid out, so the page can be measured before it is drawn
 * (and its spacing tightened when a long name or text would push it into
 * the foot). */
struct ctx {
	struct sk_doc *doc;
	const struct sk_fontset *fs;
	double k;      /* the design's scale on this page */
	double gap;    /* spacing between blocks, 1 at full size */
	int dry;
	char lang2[8]; /* the second language */
	char *err;
	size_t errlen;
	int rc;
};

static const char *ja(int m)
{
	return sk_i18n_lookup("ja", msgs[m]);
}

static const char *l2(const struct ctx *c, int m)
{
	return sk_i18n_lookup(c->lang2, msgs[m]);
}

static struct sk_style sans(const struct ctx *c, double size, int bold)
{
	struct sk_style s = { .face = SK_FACE_SANS, .size = size * c->k, .bold = bold, .leading = 1.3 };
	return s;
}

static struct sk_style gothic(const struct ctx *c, double size, int bold)
{
	struct sk_style s = sk_style_gothic(size * c->k);
	s.bold = bold;
	return s;
}

static struct sk_style aligned(struct sk_style s, enum sk_align a)
{
	s.align = a;
	return s;
}

/* Noto Sans for text without Japanese (names, venues abroad), so a name
 * with diacritics is in one typeface; the Japanese face otherwise. */
static struct sk_style face_for(const struct ctx *c, const char *text, double size, int bold)
{
	return sk_has_japanese(text) ? gothic(c, size, bold) : sans(c, size, bold);
}

/* Lay out a registry value; on failure err names the field. */
static int lay(struct ctx *c, struct sk_piece *p, struct sk_style st, const char *text, double width,
	       const char *owner, const char *field)
{
	if (c->rc)
		return c->rc;
	return c->rc = sk_piece_lay(c->fs, p, st, text, width, owner, field, c->err, c->errlen);
}

static void draw(struct ctx *c, const struct sk_piece *p, double x, double y, double box_width)
{
	if (!c->dry)
		sk_piece_draw(c->doc, p, x, y, box_width);
}

static void rect(struct ctx *c, double x, double y, double w, double h, double line_width, double fill)
{
	if (!c->dry)
		sk_doc_rect(c->doc, x, y, w, h, line_width, 0, fill);
}

static void rule(struct ctx *c, double x1, double y1, double x2, double y2, double width)
{
	if (!c->dry)
		sk_doc_line(c->doc, x1, y1, x2, y2, width, 0);
}

/* Fixed text with its top at y, or its first baseline on `baseline` when
 * that is >= 0: the height used, 0 after an error. */
static double put_at(struct ctx *c, struct sk_style st, const char *text, double x, double y, double baseline,
		     double w)
{
	struct sk_text_block b;
	if (c->rc)
		return 0;
	if (sk_text_layout(c->fs, &st, text, w, &b, c->err, c->errlen)) {
		c->rc = SK_EINPUT;
		return 0;
	}
	if (baseline >= 0 && b.nlines)
		y = baseline - b.lines[0].baseline;
	if (!c->dry)
		sk_text_draw(c->doc, &b, &st, x, y, w);
	double h = b.height;
	sk_text_release(&b);
	return h;
}

static double put(struct ctx *c, struct sk_style st, const char *text, double x, double y, double w)
{
	return put_at(c, st, text, x, y, -1, w);
}

/* Where the first baseline of text would be, from its top. */
static double first_baseline(struct ctx *c, struct sk_style st, const char *text, double w)
{
	struct sk_text_block b;
	char why[64];
	double v = 0;
	if (sk_text_layout(c->fs, &st, text, w, &b, why, sizeof(why)) == 0) {
		v = b.nlines ? b.lines[0].baseline : 0;
		sk_text_release(&b);
	}
	return v;
}

/* Japanese over the second language, in a box w wide: the height used. */
static double pair(struct ctx *c, const char *ja_text, const char *l2_text, double x, double y, double w,
		   double size, int bold, enum sk_align a)
{
	double h = put(c, aligned(gothic(c, size, bold), a), ja_text, x, y, w);
	h += put(c, aligned(sans(c, size * 0.82, 0), a), l2_text, x, y + h - 0.5 * c->k, w);
	return h;
}

/* The height pair() would use, without drawing. */
static double pair_height(struct ctx *c, const char *ja_text, const char *l2_text, double w, double size,
			  int bold)
{
	int dry = c->dry;
	c->dry = 1;
	double h = pair(c, ja_text, l2_text, 0, 0, w, size, bold, SK_ALIGN_LEFT);
	c->dry = dry;
	return h;
}

/* A label cell: Japanese over the second language, centred vertically. */
static void label_cell(struct ctx *c, double x, double y, double h, double w, int m)
{
	double ph = pair_height(c, ja(m), l2(c, m), w - 10 * c->k, 9, 0);
	pair(c, ja(m), l2(c, m), x + 6 * c->k, y + (h - ph) / 2, w - 10 * c->k, 9, 0, SK_ALIGN_LEFT);
}

/* A bullet: the Japanese sentence, the second language under it, both
 * hanging after the bullet. Returns the height used. */
static double bullet(struct ctx *c, const char *ja_text, const char *l2_text, double x, double y, double w)
{
	const double k = c->k, ind = 11 * k;
	struct sk_style js = gothic(c, 10, 0);
	js.ruby_room = 1; /* every line the same height, with or without furigana */
	double base = first_baseline(c, js, ja_text, w - ind);
	put_at(c, gothic(c, 10, 0), "・", x, y, y + base, ind);
	double h = put(c, js, ja_text, x + ind, y, w - ind);
	h += put(c, sans(c, 8.5, 0), l2_text, x + ind, y + h - 1 * k, w - ind);
	return h + 4 * k * c->gap;
}

/* Can every text be set in this language with the installed fonts? A
 * catalog in a script no font has falls back to English rather than fail. */
static int settable(const struct sk_fontset *fs, const char *lang)
{
	struct sk_style st = { .face = SK_FACE_SANS, .size = 10 };
	for (int m = 0; m < NMSGS; m++)
		if (sk_text_measure(fs, &st, sk_i18n_lookup(lang, msgs[m])) < 0)
			return 0;
	return 1;
}

static char *date_ja_plain(char out[32], const struct sk_date *d)
{
	snprintf(out, 32, "%d年%d月%d日", d->year, d->month, d->day);
	return out;
}

/* A date in the second language: English words for English, ISO 8601
 * for a language whose month names we do not have. */
static char *date_l2(const struct ctx *c, char out[48], const struct sk_date *d, int weekday)
{
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	if (strcmp(c->lang2, "en"))
		snprintf(out, 48, "%04d-%02d-%02d", d->year, d->month, d->day);
	else if (weekday)
		sk_date_en(out, 48, d);
	else
		snprintf(out, 48, "%d %s %d", d->day, mo[(d->month + 11) % 12], d->year);
	return out;
}

/* The ledger row of one registration. */
struct find {
	const char *exam_number;
	struct sk_ledger_row *row;
	int found;
};

static int find_row(void *payload, const struct sk_ledger_row *r)
{
	struct find *f = payload;
	if (strcmp(r->exam_number, f->exam_number))
		return 0;
	*f->row = *r;
	f->found = 1;
	return 1;
}

enum { P_EXAMNO, P_FAMILY, P_GIVEN, P_NAME_NOTE, P_DOB, P_TEST_JA, P_TEST_L2, P_DATE_JA, P_DATE_L2, P_VENUE,
       P_SITTING, P_ISSUED, P_SEC_JA, P_SEC_L2 = P_SEC_JA + 8, NPIECES = P_SEC_L2 + 8 };

/* What one notice shows, gathered and laid out before anything is drawn. */
struct notice {
	struct sk_registration reg;
	struct sk_candidate cand;
	struct sk_sitting sit;
	struct sk_ledger_row row;
	int is_pass, is_fail, is_absent, is_disq, level2;
	double name_size;
	int given_below;
	struct sk_piece pc[NPIECES];
	/* the frame of the design on the page */
	double left, top_y, cw, label_w, pad, value_x, value_w, foot_y;
};

static const double col_share[5] = { 0.30, 0.16, 0.14, 0.16, 0.24 };

/* Lay out every value from the registry; the first character no font has
 * is reported with its field. */
static int lay_values(struct ctx *c, struct notice *n, const struct sk_venue *venue, struct sk_db *db)
{
	const double k = c->k, value_w = n->value_w;
	const struct sk_ledger_row *row = &n->row;
	struct sk_piece *pc = n->pc;
	char who[80], where[80], what[40], buf[1024], dja[48], dl2[48];
	snprintf(who, sizeof(who), "candidate %s", n->cand.reference);
	snprintf(where, sizeof(where), "venue %s", venue->code);
	snprintf(what, sizeof(what), "test %s", row->test);

	lay(c, &pc[P_EXAMNO], sans(c, 20, 1), n->reg.exam_number, 0, "registration", "exam_number");
	/* The passport name: on one line at up to 17 pt, else the given
	 * names on a line of their own. */
	n->name_size = 17;
	for (;;) {
		lay(c, &pc[P_FAMILY], sans(c, n->name_size, 1), n->cand.family_name, value_w, who, "family_name");
		lay(c, &pc[P_GIVEN], sans(c, n->name_size, 0), n->cand.given_name ? n->cand.given_name : "", value_w,
		    who, "given_name");
		if (c->rc)
			return c->rc;
		const struct sk_text_block *fb = &pc[P_FAMILY].b, *gb = &pc[P_GIVEN].b;
		if (fb->nlines == 1 && gb->nlines <= 1 && fb->width + n->name_size * 0.3 * k + gb->width <= value_w)
			break;
		if (n->name_size <= 12) {
			n->given_below = 1;
			break;
		}
		n->name_size -= 1;
		sk_piece_release(&pc[P_FAMILY]);
		sk_piece_release(&pc[P_GIVEN]);
	}
	snprintf(buf, sizeof(buf), "%s　%s", ja(M_NAME_NOTE), l2(c, M_NAME_NOTE));
	lay(c, &pc[P_NAME_NOTE], gothic(c, 6.8, 0), buf, value_w, "notice", "caption");

	struct sk_date dob, day, issued;
	if (sk_date_parse(&dob, n->cand.date_of_birth) == 0)
		snprintf(buf, sizeof(buf), "%s（%s）", date_ja_plain(dja, &dob), date_l2(c, dl2, &dob, 0));
	else
		snprintf(buf, sizeof(buf), "%s", n->cand.date_of_birth);
	lay(c, &pc[P_DOB], gothic(c, 12, 0), buf, value_w, who, "date_of_birth");

	snprintf(buf, sizeof(buf), "%s　%s", row->category_ja, ja(n->level2 ? M_LEVEL_2 : M_LEVEL_1));
	lay(c, &pc[P_TEST_JA], face_for(c, buf, 13, 1), buf, value_w, what, "category_ja");
	snprintf(buf, sizeof(buf), "%s, %s", row->category_en, l2(c, n->level2 ? M_LEVEL_2 : M_LEVEL_1));
	lay(c, &pc[P_TEST_L2], sans(c, 9, 0), buf, value_w, what, "category_en");

	if (sk_date_parse(&day, row->exam_date) == 0) {
		sk_date_ja(dja, sizeof(dja), &day);
		date_l2(c, dl2, &day, 1);
	} else {
		snprintf(dja, sizeof(dja), "%s", row->exam_date);
		snprintf(dl2, sizeof(dl2), "%s", row->exam_date);
	}
	snprintf(buf, sizeof(buf), "%s　%s %s", dja, ja(M_SITTING), n->sit.code);
	lay(c, &pc[P_DATE_JA], gothic(c, 12, 1), buf, value_w, "sitting", "code");
	snprintf(buf, sizeof(buf), "%s, %s %s", dl2, l2(c, M_SITTING), n->sit.code);
	lay(c, &pc[P_DATE_L2], sans(c, 9, 0), buf, value_w, "sitting", "code");

	/* The venue's name, city and country (abroad); say which field holds
	 * a character no font has. */
	lay(c, &pc[P_VENUE], face_for(c, venue->name, 11, 0), venue->name, value_w, where, "name");
	sk_piece_release(&pc[P_VENUE]);
	lay(c, &pc[P_VENUE], face_for(c, venue->city, 11, 0), venue->city, value_w, where, "city");
	sk_piece_release(&pc[P_VENUE]);
	const struct sk_country *vc = sk_country_find(venue->country);
	snprintf(buf, sizeof(buf), "%s", venue->name);
	if (venue->city[0]) {
		size_t m = strlen(buf);
		snprintf(buf + m, sizeof(buf) - m, "%s%s", sk_has_japanese(buf) ? "　" : ", ", venue->city);
	}
	if (vc && strcmp(vc->alpha2, "JP")) {
		size_t m = strlen(buf);
		snprintf(buf + m, sizeof(buf) - m, "%s%s", sk_has_japanese(buf) ? "　" : ", ", vc->name_en);
	}
	lay(c, &pc[P_VENUE], face_for(c, buf, 11, 0), buf, value_w, where, "name");
	lay(c, &pc[P_SITTING], sans(c, 8, 0), n->sit.code, 0, "sitting", "code");

	/* The date of issue: today by the registry's clock. */
	char now[21];
	sk_db_now(db, now);
	now[10] = '\0';
	if (sk_date_parse(&issued, now) == 0)
		snprintf(buf, sizeof(buf), "%s %s　%s %s", ja(M_ISSUED), date_ja_plain(dja, &issued), l2(c, M_ISSUED),
			 date_l2(c, dl2, &issued, 0));
	else
		snprintf(buf, sizeof(buf), "%s %s", ja(M_ISSUED), now);
	lay(c, &pc[P_ISSUED], aligned(gothic(c, 8.5, 0), SK_ALIGN_RIGHT), buf, n->cw, "notice", "issued");

	for (int s = 0; s < row->nsections; s++) {
		double w = col_share[0] * n->cw - 2 * n->pad;
		lay(c, &pc[P_SEC_JA + s], face_for(c, row->sections[s].name_ja, 11, 1), row->sections[s].name_ja, w,
		    what, "section_ja");
		lay(c, &pc[P_SEC_L2 + s], sans(c, 8.5, 0), row->sections[s].name_en, w, what, "section_en");
	}
	return c->rc;
}

/* The page from the top down to the end of "what happens next"; returns
 * where that ends. The foot is drawn apart, at the bottom. */
static double draw_page(struct ctx *c, struct notice *n)
{
	const double k = c->k, g = c->gap, left = n->left, cw = n->cw, pad = n->pad;
	const double label_w = n->label_w, value_x = n->value_x;
	const struct sk_ledger_row *row = &n->row;
	struct sk_piece *pc = n->pc;
	char buf[1024], buf2[1024];
	double y = n->top_y;

	/* Heading: the test family at the left, the sitting at the right. */
	{
		struct sk_style hs = gothic(c, 9, 0);
		const char *kja = ja(n->level2 ? M_KICKER_2 : M_KICKER_1);
		double jw = sk_text_measure(c->fs, &hs, kja);
		double base = y + first_baseline(c, hs, kja, cw);
		put(c, hs, kja, left, y, cw);
		put_at(c, sans(c, 8, 0), l2(c, n->level2 ? M_KICKER_2 : M_KICKER_1), left + jw + 8 * k, 0, base,
		       cw * 0.6 - jw);
		double sw = pc[P_SITTING].b.width;
		snprintf(buf, sizeof(buf), "%s %s", ja(M_SITTING), l2(c, M_SITTING));
		struct sk_style lab = gothic(c, 8, 0);
		double lw = sk_text_measure(c->fs, &lab, buf);
		put_at(c, lab, buf, left + cw - sw - lw - 6 * k, 0, base, lw + 2 * k);
		draw(c, &pc[P_SITTING], left + cw - sw, base - pc[P_SITTING].b.lines[0].baseline, 0);
	}
	y += 18 * k;
	y += put(c, aligned(gothic(c, 24, 1), SK_ALIGN_CENTER), ja(M_TITLE), left, y, cw);
	y += put(c, aligned(sans(c, 13, 0), SK_ALIGN_CENTER), l2(c, M_TITLE), left, y - 3 * k, cw);
	y += 6 * k * g;
	rule(c, left, y, left + cw, y, 1.2);
	rule(c, left, y + 2.5 * k, left + cw, y + 2.5 * k, 0.4);
	y += 7 * k * g;
	draw(c, &pc[P_ISSUED], left, y, cw);
	y += pc[P_ISSUED].b.height + 4 * k * g;

	/* Who and which test: a ruled table. */
	{
		const double top = y;
		const int labels[6] = { M_NAME, M_DOB, M_EXAMNO, M_TEST, M_DATE, M_VENUE };
		const double name_h = pc[P_FAMILY].b.height + (n->given_below ? pc[P_GIVEN].b.height : 0);
		double rows[6];
		rows[0] = name_h + 1 * k + pc[P_NAME_NOTE].b.height;
		rows[1] = pc[P_DOB].b.height;
		rows[2] = pc[P_EXAMNO].b.height;
		rows[3] = pc[P_TEST_JA].b.height + pc[P_TEST_L2].b.height;
		rows[4] = pc[P_DATE_JA].b.height + pc[P_DATE_L2].b.height;
		rows[5] = pc[P_VENUE].b.height;
		double bottom = top;
		for (int i = 0; i < 6; i++) {
			rows[i] += 2 * pad;
			if (rows[i] < 26 * k)
				rows[i] = 26 * k;
			bottom += rows[i];
		}
		rect(c, left, top, label_w, bottom - top, 0, LABEL_FILL);
		for (int i = 0; i < 6; i++) {
			label_cell(c, left, y, rows[i], label_w, labels[i]);
			double vx = value_x + pad, vy = y + pad;
			switch (i) {
			case 0:
				draw(c, &pc[P_FAMILY], vx, vy, 0);
				if (n->given_below)
					draw(c, &pc[P_GIVEN], vx, vy + pc[P_FAMILY].b.height, 0);
				else
					draw(c, &pc[P_GIVEN], vx + pc[P_FAMILY].b.width + n->name_size * 0.3 * k, vy, 0);
				draw(c, &pc[P_NAME_NOTE], vx, vy + name_h + 1 * k, 0);
				break;
			case 1:
				draw(c, &pc[P_DOB], vx, y + (rows[i] - pc[P_DOB].b.height) / 2, 0);
				break;
			case 2:
				draw(c, &pc[P_EXAMNO], vx, y + (rows[i] - pc[P_EXAMNO].b.height) / 2, 0);
				break;
			case 3:
				draw(c, &pc[P_TEST_JA], vx, vy, 0);
				draw(c, &pc[P_TEST_L2], vx, vy + pc[P_TEST_JA].b.height, 0);
				break;
			case 4:
				draw(c, &pc[P_DATE_JA], vx, vy, 0);
				draw(c, &pc[P_DATE_L2], vx, vy + pc[P_DATE_JA].b.height, 0);
				break;
			case 5:
				draw(c, &pc[P_VENUE], vx, y + (rows[i] - pc[P_VENUE].b.height) / 2, 0);
				break;
			}
			y += rows[i];
			if (i < 5)
				rule(c, left, y, left + cw, y, 0.4);
		}
		rule(c, value_x, top, value_x, y, 0.4);
		rect(c, left, top, cw, y - top, 1.0, -1);
	}
	y += 10 * k * g;

	/* The outcome, large, in a heavy frame: the word and what it means. */
	{
		int word = n->is_pass ? M_PASS : n->is_fail ? M_FAIL : n->is_absent ? M_ABSENT : M_DISQUALIFIED;
		int said = n->is_pass ? M_SAID_PASS
			   : n->is_fail ? M_SAID_FAIL
			   : n->is_absent ? M_SAID_ABSENT
					  : M_SAID_DISQUALIFIED;
		const double box_top = y, inner = cw - label_w;
		double yy = box_top + 5 * k * g;
		yy += put(c, aligned(gothic(c, 30, 1), SK_ALIGN_CENTER), ja(word), value_x, yy, inner);
		yy += put(c, aligned(sans(c, 14, 1), SK_ALIGN_CENTER), l2(c, word), value_x, yy - 2 * k, inner);
		yy += 3 * k * g;
		yy += put(c, aligned(gothic(c, 11, 0), SK_ALIGN_CENTER), ja(said), value_x, yy, inner);
		yy += put(c, aligned(sans(c, 9, 0), SK_ALIGN_CENTER), l2(c, said), value_x, yy - 1 * k, inner);
		double h = yy - box_top + 6 * k * g;
		rect(c, left, box_top, label_w, h, 0, LABEL_FILL);
		label_cell(c, left, box_top, h, label_w, M_RESULT);
		rule(c, value_x, box_top, value_x, box_top + h, 0.4);
		rect(c, left, box_top, cw, h, 1.6, -1);
		y = box_top + h + 10 * k * g;
	}

	/* Section by section: the score against the pass mark. Scores are
	 * shown for a pass or a fail; an absent candidate has none and a
	 * disqualified one's do not count. */
	{
		const int heads[5] = { M_SECTION, M_SCORE, M_PERCENT, M_PASS_MARK, M_SECTION_RESULT };
		double col_w[5];
		for (int i = 0; i < 5; i++)
			col_w[i] = col_share[i] * cw;
		const double top = y;
		double head_h = 0;
		for (int i = 0; i < 5; i++) {
			double ph = pair_height(c, ja(heads[i]), l2(c, heads[i]), col_w[i] - 2 * pad, 8.5, 0);
			if (ph > head_h)
				head_h = ph;
		}
		head_h += 2 * pad;
		rect(c, left, top, cw, head_h, 0, LABEL_FILL);
		double x = left;
		for (int i = 0; i < 5; i++) {
			pair(c, ja(heads[i]), l2(c, heads[i]), x + pad, top + pad, col_w[i] - 2 * pad, 8.5, 0,
			     i ? SK_ALIGN_CENTER : SK_ALIGN_LEFT);
			x += col_w[i];
		}
		y += head_h;
		rule(c, left, y, left + cw, y, 0.6);
		const int shown = n->is_pass || n->is_fail;
		const struct sk_style num = aligned(sans(c, 13, 1), SK_ALIGN_CENTER);
		const struct sk_style num2 = aligned(sans(c, 12, 0), SK_ALIGN_CENTER);
		for (int s = 0; s < row->nsections; s++) {
			const struct sk_ledger_section *sec = &row->sections[s];
			const int scored = shown && sec->max_points > 0;
			double rh = pc[P_SEC_JA + s].b.height + pc[P_SEC_L2 + s].b.height;
			double jh = pair_height(c, ja(M_NOT_PASSED), l2(c, M_NOT_PASSED), col_w[4] - 2 * pad, 11, 1);
			if (jh > rh)
				rh = jh;
			rh += 2 * pad;
			x = left;
			draw(c, &pc[P_SEC_JA + s], x + pad, y + pad, 0);
			draw(c, &pc[P_SEC_L2 + s], x + pad, y + pad + pc[P_SEC_JA + s].b.height, 0);
			x += col_w[0];
			/* The figures share one baseline across the row. */
			const double base = y + rh / 2 + 4.5 * k;
			if (scored)
				snprintf(buf, sizeof(buf), "%d / %d", sec->points, sec->max_points);
			put_at(c, scored ? num : num2, scored ? buf : "—", x, 0, base, col_w[1]);
			x += col_w[1];
			if (scored)
				snprintf(buf, sizeof(buf), "%ld %%", (long)sec->points * 100 / sec->max_points);
			put_at(c, num2, scored ? buf : "—", x, 0, base, col_w[2]);
			x += col_w[2];
			snprintf(buf, sizeof(buf), "%d %%", sec->pass_percent);
			put_at(c, num2, buf, x, 0, base, col_w[3]);
			x += col_w[3];
			if (scored) {
				int m = sec->passed ? M_PASSED : M_NOT_PASSED;
				double ph = pair_height(c, ja(m), l2(c, m), col_w[4] - 2 * pad, 11, 1);
				pair(c, ja(m), l2(c, m), x + pad, y + (rh - ph) / 2, col_w[4] - 2 * pad, 11, 1,
				     SK_ALIGN_CENTER);
			} else {
				put_at(c, num2, "—", x, 0, base, col_w[4]);
			}
			y += rh;
			if (s + 1 < row->nsections)
				rule(c, left, y, left + cw, y, 0.4);
		}
		x = left;
		for (int i = 0; i < 4; i++) {
			x += col_w[i];
			rule(c, x, top, x, y, 0.4);
		}
		rect(c, left, top, cw, y - top, 1.0, -1);
		y += 4 * k;
		int m = shown ? M_RULE : n->is_absent ? M_NO_SCORES_ABSENT : M_NO_SCORES_DISQUALIFIED;
		double rh = put(c, gothic(c, 8.5, 0), ja(m), left + 2 * k, y, cw - 4 * k);
		rh += put(c, sans(c, 7.5, 0), l2(c, m), left + 2 * k, y + rh - 1 * k, cw - 4 * k);
		y += rh + 10 * k * g;
	}

	/* What happens next, under a shaded heading. */
	{
		const double box_top = y;
		struct sk_style hs = gothic(c, 10.5, 1);
		double jw = sk_text_measure(c->fs, &hs, ja(M_NEXT));
		double jb = first_baseline(c, hs, ja(M_NEXT), cw); /* lower with furigana */
		double head = jb + 6 * k;
		if (head < 20 * k)
			head = 20 * k;
		rect(c, left, box_top, cw, head, 0, 0.85);
		double base = box_top + (head + jb) / 2 - 2 * k;
		put_at(c, hs, ja(M_NEXT), left + 6 * k, 0, base, cw);
		put_at(c, sans(c, 9, 0), l2(c, M_NEXT), left + 6 * k + jw + 8 * k, 0, base, cw - jw - 20 * k);
		double yy = box_top + head + 6 * k * g;
		const double bx = left + 6 * k, bw = cw - 12 * k;
		int first = n->is_pass ? M_PASS_1 : n->is_fail ? M_FAIL_1 : n->is_absent ? M_ABSENT_1 : M_DISQ_1;
		for (int m = first; m < first + 3; m++) {
			if (m == M_FAIL_1) {
				/* The sections that fell short, by name. */
				char names_ja[512] = "", names_l2[512] = "";
				for (int s = 0; s < row->nsections; s++) {
					const struct sk_ledger_section *sec = &row->sections[s];
					if (sec->max_points <= 0 || sec->passed)
						continue;
					size_t a = strlen(names_ja), b = strlen(names_l2);
					snprintf(names_ja + a, sizeof(names_ja) - a, "%s%s", a ? "、" : "", sec->name_ja);
					snprintf(names_l2 + b, sizeof(names_l2) - b, "%s%s", b ? ", " : "", sec->name_en);
				}
				fill(buf, sizeof(buf), ja(m), names_ja);
				fill(buf2, sizeof(buf2), l2(c, m), names_l2);
			} else {
				fill(buf, sizeof(buf), ja(m), n->cand.reference);
				fill(buf2, sizeof(buf2), l2(c, m), n->cand.reference);
			}
			yy += bullet(c, buf, buf2, bx, yy, bw);
		}
		yy += 2 * k;
		rect(c, left, box_top, cw, yy - box_top, 0.6, -1);
		y = yy;
	}
	return y;
}

/* The foot: the exam number, and where to ask. */
static void draw_foot(struct ctx *c, const struct notice *n)
{
	const double k = c->k, left = n->left, cw = n->cw, fy = n->foot_y;
	char buf[256];
	rule(c, left, fy, left + cw, fy, 0.4);
	snprintf(buf, sizeof(buf), "%s %s: %s", ja(M_EXAMNO), l2(c, M_EXAMNO), n->reg.exam_number);
	put(c, gothic(c, 7.5, 0), buf, left, fy + 4 * k, cw / 3);
	put(c, aligned(gothic(c, 7.5, 0), SK_ALIGN_RIGHT), ja(M_ENQUIRIES), left + cw / 3, fy + 2 * k, cw * 2 / 3);
	put(c, aligned(sans(c, 7, 0), SK_ALIGN_RIGHT), l2(c, M_ENQUIRIES), left + cw / 3, fy + 12 * k, cw * 2 / 3);
}

int sk_print_notice(struct sk_db *db, const char *exam_number, const struct sk_print_opts *o, struct sk_doc *doc,
		    char *err, size_t errlen)
{
	struct ctx c = { .doc = doc, .fs = sk_doc_fonts(doc), .k = 1, .gap = 1, .err = err, .errlen = errlen };
	struct notice *n = NULL;
	struct sk_venue *venue = NULL;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!(n = calloc(1, sizeof(*n))) || !(venue = malloc(sizeof(*venue)))) {
		free(n);
		return SK_ENOMEM;
	}
	if ((rc = sk_registration_get(db, exam_number, &n->reg))) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		goto cleanup;
	}
	if (!strcmp(n->reg.status, "cancelled")) {
		snprintf(err, errlen, "registration %s is cancelled: no result notice", n->reg.exam_number);
		rc = SK_ECONFLICT;
		goto cleanup;
	}
	struct find f = { .exam_number = n->reg.exam_number, .row = &n->row };
	struct sk_ledger_filter lf = { .candidate = n->reg.reference, .sitting = n->reg.sitting };
	rc = sk_ledger_foreach(db, &lf, find_row, &f);
	if (rc == 1)
		rc = 0;
	if (rc || (rc = sk_candidate_get(db, n->reg.reference, &n->cand)) ||
	    (rc = sk_sitting_get(db, n->reg.sitting, &n->sit)) || (rc = sk_venue_get(db, n->sit.venue, venue))) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		goto cleanup;
	}
	if (!f.found || !strcmp(n->row.outcome, "pending")) {
		snprintf(err, errlen, "registration %s is not graded yet: no result notice", n->reg.exam_number);
		rc = SK_ECONFLICT;
		goto cleanup;
	}
	n->is_pass = !strcmp(n->row.outcome, "pass");
	n->is_fail = !strcmp(n->row.outcome, "fail");
	n->is_absent = !strcmp(n->row.outcome, "absent");
	n->is_disq = !strcmp(n->row.outcome, "disqualified");
	n->level2 = n->row.level == 2;
	if (!n->is_pass && !n->is_fail && !n->is_absent && !n->is_disq) {
		snprintf(err, errlen, "registration %s: unknown outcome '%s'", n->reg.exam_number, n->row.outcome);
		rc = SK_EINVAL;
		goto cleanup;
	}

	/* The second language: the candidate's if a catalog has it. */
	char prim[8];
	sk_i18n_primary(prim, o && o->lang ? o->lang : n->cand.language ? n->cand.language : "");
	snprintf(c.lang2, sizeof(c.lang2), "%s",
		 prim[0] && strcmp(prim, "ja") && sk_i18n_has(prim) && settable(c.fs, prim) ? prim : "en");

	/* The frame of the design on this page. */
	const double W = sk_doc_width(doc), H = sk_doc_height(doc);
	c.k = W / A4_W < H / A4_H ? W / A4_W : H / A4_H;
	if (c.k > 1)
		c.k = 1;
	n->left = (W - A4_W * c.k) / 2 + MARGIN * c.k;
	n->top_y = (H - A4_H * c.k) / 2 + MARGIN * c.k;
	n->cw = (A4_W - 2 * MARGIN) * c.k;
	n->label_w = LABEL_W * c.k;
	n->pad = PAD * c.k;
	n->value_x = n->left + n->label_w;
	n->value_w = n->cw - n->label_w - 2 * n->pad;
	n->foot_y = n->top_y + (A4_H - 2 * MARGIN - 22) * c.k;

	if (lay_values(&c, n, venue, db))
		goto failed;

	/* Measure, tightening the spacing until the page clears the foot. */
	static const double gaps[] = { 1, 0.6, 0.3 };
	size_t gi = 0;
	for (;; gi++) {
		c.gap = gaps[gi];
		c.dry = 1;
		double bottom = draw_page(&c, n);
		c.dry = 0;
		if (c.rc)
			goto failed;
		if (bottom <= n->foot_y - 4 * c.k)
			break;
		if (gi + 1 == sizeof(gaps) / sizeof(gaps[0])) {
			snprintf(err, errlen, "registration %s: the result notice does not fit on one page",
				 n->reg.exam_number);
			rc = SK_ERANGE;
			goto cleanup;
		}
	}

	/* ---- drawing: nothing below meets an unknown character ---- */
	sk_doc_add_page(doc);
	draw_page(&c, n);
	draw_foot(&c, n);
failed:
	rc = c.rc;
cleanup:
	for (int i = 0; i < NPIECES; i++)
		sk_piece_release(&n->pc[i]);
	sk_candidate_release(&n->cand);
	free(venue);
	free(n);
	if (rc && err && errlen && !err[0])
		snprintf(err, errlen, "%s", sk_strerror(rc));
	return rc;
}
