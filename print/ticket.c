/*
 * The admission ticket (受験票): one A4 page per registration, as the exam
 * body issues it. At the top the title and the test; then a ruled table
 * with the exam number set large, the passport name, date of birth,
 * nationality, test, date and time, venue, room and seat, beside the photo
 * and the check-in QR code; then what to bring, what is not allowed and the
 * rules of the day, each in Japanese with English below.
 *
 * Every value that comes from the registry is laid out before anything is
 * drawn, so a character no installed font has is reported with the field it
 * sits in and leaves the document untouched. The candidate's name appears
 * only here and on the roster, never in the document's metadata.
 */
#include "print/print.h"
#include "core/candidate.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/photo.h"
#include "core/refdata.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "core/venue.h"
#include "exam/payload.h"
#include "print/common.h"
#include "print/qr.h"
#include "print/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The design, in points on A4; smaller pages get all of it reduced
 * uniformly (as an office copier reduces A4 to B5), larger ones keep it
 * at full size in the middle. */
#define A4_W 595.2756
#define A4_H 841.8898
#define MARGIN SK_MM(14)
#define PHOTO_W SK_MM(30) /* the Japanese ID photo: 3 x 4 cm */
#define PHOTO_H SK_MM(40)
#define QR_MODULE 2.0     /* >= 1.5 pt decodes from a 150 dpi render */
#define LABEL_W SK_MM(27)
#define RIGHT_W SK_MM(38)
#define PAD 5.0
#define LABEL_FILL 0.92

/* Drawing state: the scale, and the first error (later drawing is
 * skipped). */
struct ctx {
	struct sk_doc *doc;
	const struct sk_fontset *fs;
	double k;
	char *err;
	size_t errlen;
	int rc;
};

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

static struct sk_style centred(struct sk_style s)
{
	s.align = SK_ALIGN_CENTER;
	return s;
}

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
	sk_piece_draw(c->doc, p, x, y, box_width);
}

/* Fixed text of the form: returns the height used, 0 after an error. */
static double put(struct ctx *c, struct sk_style st, const char *text, double x, double y, double w)
{
	if (c->rc)
		return 0;
	double h = sk_text_put(c->doc, &st, text, x, y, w, c->err, c->errlen);
	if (h < 0) {
		c->rc = SK_EINPUT;
		return 0;
	}
	return h;
}

/* Pixel size of a PNG or JPEG from its header; 0 when it cannot be read. */
static int image_size(const unsigned char *d, size_t n, int *w, int *h)
{
	*w = *h = 0;
	if (n >= 24 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8) && !memcmp(d + 12, "IHDR", 4)) {
		*w = (int)((unsigned)d[16] << 24 | (unsigned)d[17] << 16 | (unsigned)d[18] << 8 | d[19]);
		*h = (int)((unsigned)d[20] << 24 | (unsigned)d[21] << 16 | (unsigned)d[22] << 8 | d[23]);
		return *w > 0 && *h > 0;
	}
	if (n < 4 || d[0] != 0xFF || d[1] != 0xD8)
		return 0;
	size_t i = 2;
	while (i + 9 < n) {
		if (d[i] != 0xFF) {
			i++;
			continue;
		}
		unsigned m = d[i + 1];
		if (m == 0xFF || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
			i += m == 0xFF ? 1 : 2;
			continue;
		}
		size_t len = (size_t)d[i + 2] << 8 | d[i + 3];
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			*h = d[i + 5] << 8 | d[i + 6];
			*w = d[i + 7] << 8 | d[i + 8];
			return *w > 0 && *h > 0;
		}
		i += 2 + len;
	}
	return 0;
}

/* The candidate's photo fitted into the box (centred, proportions kept),
 * or a placeholder reading 写真 / Photo. */
static void photo_box(struct ctx *c, struct sk_db *db, int64_t photo_id, double x, double y, double w,
		      double h)
{
	unsigned char *data = NULL;
	size_t len = 0;
	const char *type = NULL;
	int pw = 0, ph = 0;
	if (photo_id > 0 && sk_photo_load(db, photo_id, &data, &len, &type) == 0 &&
	    image_size(data, len, &pw, &ph)) {
		double s = w / pw < h / ph ? w / pw : h / ph;
		double dw = pw * s, dh = ph * s;
		if (sk_doc_image(c->doc, data, len, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh) == 0) {
			sk_doc_rect(c->doc, x, y, w, h, 0.5, 0, -1);
			free(data);
			return;
		}
	}
	free(data);
	sk_db_clear_error(db);
	sk_doc_rect(c->doc, x, y, w, h, 0.6, 0, 0.96);
	double top = y + h / 2 - 18 * c->k;
	top += put(c, centred(gothic(c, 12, 0)), "写真", x, top, w);
	put(c, centred(sans(c, 9, 0)), "Photo", x, top, w);
	put(c, centred(gothic(c, 6.5, 0)), "縦4cm × 横3cm　4 × 3 cm", x, y + h - 14 * c->k, w);
}

/* A label: Japanese over English, vertically centred in a cell h high
 * (the shading is drawn beforehand). */
static void label_cell(struct ctx *c, double x, double y, double h, double w, const char *ja, const char *en)
{
	const double k = c->k;
	double top = y + (h - 22 * k) / 2;
	top += put(c, gothic(c, 9, 0), ja, x + 6 * k, top, w - 8 * k);
	put(c, sans(c, 7, 0), en, x + 6 * k, top - 1 * k, w - 8 * k);
}

static char *date_ja_plain(char out[32], const struct sk_date *d)
{
	snprintf(out, 32, "%d年%d月%d日", d->year, d->month, d->day);
	return out;
}

static char *date_en_plain(char out[32], const struct sk_date *d)
{
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	snprintf(out, 32, "%d %s %d", d->day, mo[(d->month + 11) % 12], d->year);
	return out;
}

struct item {
	const char *ja, *en;
};

/* A bulleted item: the Japanese sentence with the English under it, both
 * hanging after the bullet. Returns the height used. */
static double bullet(struct ctx *c, const struct item *it, double x, double y, double w)
{
	const double k = c->k, ind = 10 * k;
	put(c, gothic(c, 9, 0), "・", x, y, ind + 2 * k);
	double h = put(c, gothic(c, 9, 0), it->ja, x + ind, y, w - ind);
	h += put(c, sans(c, 7.8, 0), it->en, x + ind, y + h - 1.5 * k, w - ind);
	return h + 2 * k;
}

/* A box of bullets under a shaded heading, at least min_h high; returns
 * its height. */
static double bullet_box(struct ctx *c, const char *head_ja, const char *head_en, const struct item *items,
			 size_t n, double x, double y, double w, double min_h)
{
	const double k = c->k, head = 18 * k;
	sk_doc_rect(c->doc, x, y, w, head, 0, 0, 0.85);
	struct sk_style hs = gothic(c, 10, 1);
	double jw = sk_text_measure(c->fs, &hs, head_ja);
	put(c, hs, head_ja, x + 6 * k, y + 3 * k, w);
	put(c, sans(c, 8.5, 0), head_en, x + 6 * k + jw + 8 * k, y + 4.2 * k, w - jw - 14 * k);
	double top = y + head + 5 * k;
	for (size_t i = 0; i < n; i++)
		top += bullet(c, &items[i], x + 6 * k, top, w - 12 * k);
	double h = top - y + 3 * k;
	if (h < min_h)
		h = min_h;
	sk_doc_rect(c->doc, x, y, w, h, 0.6, 0, -1);
	return h;
}

static const struct item bring[] = {
	{ "この受験票", "This admission ticket" },
	{ "パスポート（原本）", "Your passport (the original)" },
	{ "HBの鉛筆（またはシャープペンシル）", "HB pencils (or mechanical pencils)" },
	{ "消しゴム", "An eraser" },
};

static const struct item forbidden[] = {
	{ "携帯電話・スマートフォン・時計（スマートウォッチを含む）は電源を切り、かばんにしまってください。",
	  "Phones and watches (smart watches too) must be switched off and put away in your bag." },
	{ "電卓・辞書は使用できません。", "No calculators or dictionaries." },
	{ "問題冊子と解答用紙は持ち帰れません。", "Question booklets and answer sheets may not be taken out." },
};

int sk_print_ticket(struct sk_db *db, const char *exam_number, const struct sk_print_opts *o,
		    struct sk_doc *doc, char *err, size_t errlen)
{
	(void)o; /* Japanese and English for everyone: the ticket is shown to staff too. */
	struct ctx c = { .doc = doc, .fs = sk_doc_fonts(doc), .k = 1, .err = err, .errlen = errlen };
	struct sk_registration reg;
	struct sk_candidate cand;
	struct sk_sitting sit;
	struct sk_venue *venue = NULL;
	struct sk_testdef test;
	char payload[SK_PAYLOAD_MAX];
	enum { P_EXAMNO, P_FAMILY, P_GIVEN, P_CAPTION, P_DOB, P_NAT, P_TEST_JA, P_TEST_EN, P_SECTIONS,
	       P_DATE_JA, P_DATE_EN, P_ARRIVE_JA, P_ARRIVE_EN, P_VENUE, P_ADDRESS, P_ROOM, P_SEAT, P_SITTING,
	       NPIECES };
	struct sk_piece pc[NPIECES];
	int rc;

	memset(&cand, 0, sizeof(cand));
	memset(pc, 0, sizeof(pc));
	if (err && errlen)
		err[0] = '\0';

	if ((rc = sk_registration_get(db, exam_number, &reg))) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		return rc;
	}
	if (!strcmp(reg.status, "cancelled")) {
		snprintf(err, errlen, "registration %s is cancelled: no ticket", reg.exam_number);
		return SK_ECONFLICT;
	}
	if ((rc = sk_candidate_get(db, reg.reference, &cand)) || (rc = sk_sitting_get(db, reg.sitting, &sit)) ||
	    (rc = sk_testdef_get(db, reg.test, &test)) || (rc = sk_payload_ticket(db, reg.exam_number, payload))) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		goto cleanup;
	}
	if (!(venue = malloc(sizeof(*venue)))) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	if ((rc = sk_venue_get(db, sit.venue, venue))) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		goto cleanup;
	}

	/* The scale and the frame of the design on this page. */
	const double W = sk_doc_width(doc), H = sk_doc_height(doc);
	double k = W / A4_W < H / A4_H ? W / A4_W : H / A4_H;
	if (k > 1)
		k = 1;
	c.k = k;
	const double left = (W - A4_W * k) / 2 + MARGIN * k, top_y = (H - A4_H * k) / 2 + MARGIN * k;
	const double cw = (A4_W - 2 * MARGIN) * k;
	const double label_w = LABEL_W * k, right_w = RIGHT_W * k, pad = PAD * k;
	const double table_w = cw - right_w - 8 * k;
	const double value_x = left + label_w, value_w = table_w - label_w - 2 * pad;

	/* Everything that comes from the registry, laid out first. */
	char who[80], where[80], what[40], buf[640], buf2[640];
	snprintf(who, sizeof(who), "candidate %s", cand.reference);
	snprintf(where, sizeof(where), "venue %s", venue->code);
	snprintf(what, sizeof(what), "test %s", test.code);
	const char *lv_en = test.level == 1 ? "i" : test.level == 2 ? "ii" : "";

	lay(&c, &pc[P_EXAMNO], sans(&c, 26, 1), reg.exam_number, 0, "registration", "exam_number");
	/* The name as in the passport, surname first: on one line at up to
	 * 17 pt, else the given names on the line below at the largest size
	 * where each fits its line (from 12 pt the given names may take two
	 * lines; 9 pt at the least). */
	double name_size = 17;
	int given_below = 0;
	for (;;) {
		lay(&c, &pc[P_FAMILY], sans(&c, name_size, 1), cand.family_name, value_w, who, "family_name");
		lay(&c, &pc[P_GIVEN], sans(&c, name_size, 0), cand.given_name ? cand.given_name : "", value_w, who,
		    "given_name");
		if (c.rc)
			goto failed;
		const struct sk_text_block *fb = &pc[P_FAMILY].b, *gb = &pc[P_GIVEN].b;
		int one_line = fb->nlines == 1 && gb->nlines == 1 &&
			       fb->width + name_size * 0.3 * k + gb->width <= value_w;
		if (!given_below && one_line)
			break;
		if (!given_below && name_size <= 13) {
			given_below = 1; /* two lines, from 17 pt again */
			name_size = 17;
		} else if (given_below && fb->nlines == 1 &&
			   (gb->nlines == 1 || (gb->nlines == 2 && name_size <= 12))) {
			break;
		} else if (name_size <= 9) {
			break;
		} else {
			name_size -= 1;
		}
		sk_piece_release(&pc[P_FAMILY]);
		sk_piece_release(&pc[P_GIVEN]);
	}
	lay(&c, &pc[P_CAPTION], gothic(&c, 6.8, 0),
	    "旅券（パスポート）の表記どおり・姓、名の順　As in the passport: surname, then given names", value_w,
	    "ticket", "caption");
	struct sk_date dob, exam_day;
	char dja[32], den[32];
	if (sk_date_parse(&dob, cand.date_of_birth) == 0)
		snprintf(buf, sizeof(buf), "%s（%s）", date_ja_plain(dja, &dob), date_en_plain(den, &dob));
	else
		snprintf(buf, sizeof(buf), "%s", cand.date_of_birth);
	lay(&c, &pc[P_DOB], gothic(&c, 12, 0), buf, value_w, who, "date_of_birth");
	const struct sk_country *nat = sk_country_find(cand.nationality);
	if (nat)
		snprintf(buf, sizeof(buf), "%s（%s）", nat->name_ja, nat->name_en);
	else
		snprintf(buf, sizeof(buf), "%s", cand.nationality);
	lay(&c, &pc[P_NAT], gothic(&c, 12, 0), buf, value_w, who, "nationality");

	snprintf(buf, sizeof(buf), "%s　特定技能%d号", test.category_ja, test.level);
	lay(&c, &pc[P_TEST_JA], face_for(&c, test.category_ja, 13, 1), buf, value_w, what, "category_ja");
	snprintf(buf, sizeof(buf), "%s, Specified Skilled Worker (%s)", test.category_en, lv_en);
	lay(&c, &pc[P_TEST_EN], sans(&c, 8.5, 0), buf, value_w, what, "category_en");
	buf[0] = '\0';
	for (size_t i = 0; i < test.nsections; i++) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "%s%s（%s）%d分", i ? "、" : "", test.sections[i].name_ja,
			 test.sections[i].name_en, test.sections[i].time_limit_min);
	}
	lay(&c, &pc[P_SECTIONS], gothic(&c, 8, 0), buf, value_w, what, "sections");

	int start = 0, have_time = sk_time_parse(&start, sit.start_time) == 0;
	start = start < 0 ? 0 : start % (24 * 60);
	int arrive = start >= 30 ? start - 30 : 0;
	char t_start[16], t_arrive[16];
	snprintf(t_start, sizeof(t_start), "%d:%02d", start / 60, start % 60);
	snprintf(t_arrive, sizeof(t_arrive), "%d:%02d", arrive / 60, arrive % 60);
	if (sk_date_parse(&exam_day, sit.exam_date) == 0) {
		sk_date_ja(dja, sizeof(dja), &exam_day);
		sk_date_en(den, sizeof(den), &exam_day);
	} else {
		snprintf(dja, sizeof(dja), "%s", sit.exam_date);
		snprintf(den, sizeof(den), "%s", sit.exam_date);
	}
	if (have_time)
		snprintf(buf, sizeof(buf), "%s　%s 試験開始", dja, t_start);
	else
		snprintf(buf, sizeof(buf), "%s", dja);
	lay(&c, &pc[P_DATE_JA], gothic(&c, 13, 1), buf, value_w, "sitting", "exam_date");
	if (have_time)
		snprintf(buf, sizeof(buf), "%s, the test starts at %s", den, t_start);
	else
		snprintf(buf, sizeof(buf), "%s", den);
	lay(&c, &pc[P_DATE_EN], sans(&c, 9, 0), buf, value_w, "sitting", "exam_date");
	/* The assembly time, boxed below the date so nobody misses it. */
	if (have_time)
		snprintf(buf, sizeof(buf), "試験開始30分前（%s）までに集合してください。", t_arrive);
	else
		snprintf(buf, sizeof(buf), "試験開始30分前までに集合してください。");
	lay(&c, &pc[P_ARRIVE_JA], gothic(&c, 9, 1), buf, value_w - 4 * k, "ticket", "assembly time");
	if (have_time)
		snprintf(buf, sizeof(buf), "Please arrive 30 minutes early, by %s.", t_arrive);
	else
		snprintf(buf, sizeof(buf), "Please arrive 30 minutes early.");
	lay(&c, &pc[P_ARRIVE_EN], sans(&c, 8, 0), buf, value_w - 4 * k, "ticket", "assembly time");

	lay(&c, &pc[P_VENUE], face_for(&c, venue->name, 12, 1), venue->name, value_w, where, "name");
	const struct sk_country *vc = sk_country_find(venue->country);
	/* The address as written, then the city unless it is in it already,
	 * then the country unless the test is in Japan. */
	const char *sep = sk_has_japanese(venue->address) ? "　" : ", ";
	snprintf(buf, sizeof(buf), "%s", venue->address);
	if (venue->city[0] && !strstr(venue->address, venue->city)) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "%s%s", sep, venue->city);
	}
	if (vc && strcmp(vc->alpha2, "JP")) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "%s%s", sep, vc->name_en);
	}
	/* Say which field holds the character: the address or the city. */
	lay(&c, &pc[P_ADDRESS], face_for(&c, venue->address, 9.5, 0), venue->address, value_w, where, "address");
	sk_piece_release(&pc[P_ADDRESS]);
	lay(&c, &pc[P_ADDRESS], face_for(&c, venue->city, 9.5, 0), venue->city, value_w, where, "city");
	sk_piece_release(&pc[P_ADDRESS]);
	lay(&c, &pc[P_ADDRESS], face_for(&c, buf, 9.5, 0), buf, value_w, where, "address");

	lay(&c, &pc[P_ROOM], face_for(&c, reg.room, 20, 1), reg.room, 0, where, "room");
	lay(&c, &pc[P_SEAT], sans(&c, 20, 1), reg.seat, 0, "registration", "seat");
	lay(&c, &pc[P_SITTING], sans(&c, 8, 0), sit.code, 0, "sitting", "code");
	if (c.rc)
		goto failed;

	/* ---- drawing: nothing below can meet an unknown character ---- */
	sk_doc_add_page(doc);
	double y = top_y;

	/* Heading: the test family, the sitting code at the right. */
	snprintf(buf, sizeof(buf), "特定技能%d号評価試験", test.level);
	struct sk_style hs = gothic(&c, 9, 0);
	double jw = sk_text_measure(c.fs, &hs, buf);
	put(&c, hs, buf, left, y, cw);
	snprintf(buf, sizeof(buf), "Specified Skilled Worker (%s) Evaluation Test", lv_en);
	put(&c, sans(&c, 8, 0), buf, left + jw + 8 * k, y + 1 * k, cw / 2);
	{
		double sw = pc[P_SITTING].b.width;
		struct sk_style lab = gothic(&c, 8, 0);
		double lw = sk_text_measure(c.fs, &lab, "試験回 Sitting");
		put(&c, lab, "試験回 Sitting", left + cw - sw - lw - 6 * k, y + 0.5 * k, lw + 2 * k);
		draw(&c, &pc[P_SITTING], left + cw - sw, y + 0.5 * k, 0);
	}
	y += 18 * k;
	y += put(&c, centred(gothic(&c, 28, 1)), "受験票", left, y, cw);
	y += put(&c, centred(sans(&c, 13, 0)), "Admission Ticket", left, y - 3 * k, cw);
	y += 6 * k;
	sk_doc_line(doc, left, y, left + cw, y, 1.2, 0);
	sk_doc_line(doc, left, y + 2.5 * k, left + cw, y + 2.5 * k, 0.4, 0);
	y += 12 * k;

	/* The table at the left. */
	const double top = y;
	struct row {
		const char *ja, *en;
		double h;
	} rows[7] = {
		{ "受験番号", "Exam number", 0 }, { "氏名", "Name", 0 },	  { "生年月日", "Date of birth", 0 },
		{ "国籍", "Nationality", 0 },	  { "試験区分", "Test", 0 },	  { "試験日時", "Date and time", 0 },
		{ "試験会場", "Venue", 0 },
	};
	const double name_h = pc[P_FAMILY].b.height + (given_below ? pc[P_GIVEN].b.height : 0);
	const double space = name_size * 0.3 * k;
	const double arrive_h = pc[P_ARRIVE_JA].b.height + pc[P_ARRIVE_EN].b.height + 2 * k;
	rows[0].h = pc[P_EXAMNO].b.height;
	rows[1].h = name_h + 1 * k + pc[P_CAPTION].b.height;
	rows[2].h = pc[P_DOB].b.height;
	rows[3].h = pc[P_NAT].b.height;
	rows[4].h = pc[P_TEST_JA].b.height + pc[P_TEST_EN].b.height + pc[P_SECTIONS].b.height;
	rows[5].h = pc[P_DATE_JA].b.height + pc[P_DATE_EN].b.height + 3 * k + arrive_h + 1 * k;
	rows[6].h = pc[P_VENUE].b.height + pc[P_ADDRESS].b.height;
	const double room_h = 40 * k, seat_label_w = label_w * 0.8;
	const double seat_x = value_x + (table_w - label_w) / 2;
	double bottom = top + room_h;
	for (int i = 0; i < 7; i++) {
		rows[i].h += 2 * pad;
		if (rows[i].h < 30 * k)
			rows[i].h = 30 * k;
		bottom += rows[i].h;
	}
	/* Shading first, rules last, so no fill hides a rule. */
	sk_doc_rect(doc, left, top, label_w, bottom - top, 0, 0, LABEL_FILL);
	sk_doc_rect(doc, seat_x, bottom - room_h, seat_label_w, room_h, 0, 0, LABEL_FILL);
	for (int i = 0; i < 7; i++) {
		label_cell(&c, left, y, rows[i].h, label_w, rows[i].ja, rows[i].en);
		double vy = y + pad, vx = value_x + pad;
		switch (i) {
		case 0:
			draw(&c, &pc[P_EXAMNO], vx, vy, 0);
			break;
		case 1:
			draw(&c, &pc[P_FAMILY], vx, vy, 0);
			if (given_below)
				draw(&c, &pc[P_GIVEN], vx, vy + pc[P_FAMILY].b.height, 0);
			else
				draw(&c, &pc[P_GIVEN], vx + pc[P_FAMILY].b.width + space, vy, 0);
			draw(&c, &pc[P_CAPTION], vx, vy + name_h + 1 * k, 0);
			break;
		case 2:
			draw(&c, &pc[P_DOB], vx, vy, 0);
			break;
		case 3:
			draw(&c, &pc[P_NAT], vx, vy, 0);
			break;
		case 4:
			draw(&c, &pc[P_TEST_JA], vx, vy, 0);
			vy += pc[P_TEST_JA].b.height;
			draw(&c, &pc[P_TEST_EN], vx, vy, 0);
			vy += pc[P_TEST_EN].b.height;
			draw(&c, &pc[P_SECTIONS], vx, vy, 0);
			break;
		case 5:
			draw(&c, &pc[P_DATE_JA], vx, vy, 0);
			vy += pc[P_DATE_JA].b.height;
			draw(&c, &pc[P_DATE_EN], vx, vy, 0);
			vy += pc[P_DATE_EN].b.height + 3 * k;
			sk_doc_rect(doc, vx - 2 * k, vy - 1 * k, value_w + 4 * k, arrive_h, 0.8, 0, 0.97);
			draw(&c, &pc[P_ARRIVE_JA], vx + 2 * k, vy, 0);
			draw(&c, &pc[P_ARRIVE_EN], vx + 2 * k, vy + pc[P_ARRIVE_JA].b.height, 0);
			break;
		case 6:
			draw(&c, &pc[P_VENUE], vx, vy, 0);
			draw(&c, &pc[P_ADDRESS], vx, vy + pc[P_VENUE].b.height, 0);
			break;
		}
		y += rows[i].h;
		sk_doc_line(doc, left, y, left + table_w, y, 0.4, 0);
	}
	/* Room and seat: two cells, the values large. */
	label_cell(&c, left, y, room_h, label_w, "試験室", "Room");
	draw(&c, &pc[P_ROOM], value_x + pad, y + (room_h - pc[P_ROOM].b.height) / 2, 0);
	label_cell(&c, seat_x, y, room_h, seat_label_w, "座席", "Seat");
	draw(&c, &pc[P_SEAT], seat_x + seat_label_w + pad, y + (room_h - pc[P_SEAT].b.height) / 2, 0);
	sk_doc_line(doc, seat_x, y, seat_x, y + room_h, 0.4, 0);
	sk_doc_line(doc, seat_x + seat_label_w, y, seat_x + seat_label_w, y + room_h, 0.4, 0);
	y += room_h;
	sk_doc_line(doc, value_x, top, value_x, y, 0.4, 0);
	sk_doc_rect(doc, left, top, table_w, y - top, 1.0, 0, -1);

	/* At the right: the photo, then the QR for check-in. */
	const double rx = left + cw - right_w, pw = PHOTO_W * k, ph = PHOTO_H * k;
	const double module = QR_MODULE * k < 1.5 ? 1.5 : QR_MODULE * k;
	photo_box(&c, db, cand.photo_id, rx + (right_w - pw) / 2, top, pw, ph);
	double qy = top + ph + 14 * k;
	struct sk_qr *qr = sk_qr_encode(payload);
	double qs = qr ? sk_qr_side(qr, module) : 0;
	qy += put(&c, centred(gothic(&c, 8, 1)), "受付用QRコード", rx, qy, right_w);
	qy += put(&c, centred(sans(&c, 7, 0)), "Scanned at check-in", rx, qy - 1.5 * k, right_w);
	if (!qr || sk_qr_put(doc, qr, rx + (right_w - qs) / 2, qy, module) < 0) {
		snprintf(err, errlen, "registration %s: the check-in code cannot be encoded", reg.exam_number);
		c.rc = SK_EINVAL;
	}
	sk_qr_free(qr);
	qy += qs;
	qy += put(&c, centred(sans(&c, 7.5, 0)), reg.exam_number, rx, qy - 2 * k, right_w);
	if (qy > y)
		y = qy;
	y += 14 * k;

	/* What to bring and what not, side by side; then the rules. */
	const double half = (cw - 10 * k) / 2;
	double bh = bullet_box(&c, "持ち物", "What to bring", bring, sizeof(bring) / sizeof(bring[0]), left, y,
			       half, 0);
	double fh = bullet_box(&c, "持ち込み禁止", "Not allowed", forbidden,
			       sizeof(forbidden) / sizeof(forbidden[0]), left + half + 10 * k, y, half, bh);
	if (fh > bh) /* keep the two boxes the same height */
		sk_doc_rect(doc, left, y, half, fh, 0.6, 0, -1);
	y += (fh > bh ? fh : bh) + 10 * k;

	struct item rules[3];
	snprintf(buf, sizeof(buf), "試験開始30分前%s%s%sまでに試験室に集合してください。遅刻した場合は受験できないことがあります。",
		 have_time ? "（" : "", have_time ? t_arrive : "", have_time ? "）" : "");
	snprintf(buf2, sizeof(buf2),
		 "Be in the exam room 30 minutes before the start%s%s%s. Late arrivals may not be allowed to sit the test.",
		 have_time ? " (" : "", have_time ? t_arrive : "", have_time ? ")" : "");
	rules[0] = (struct item){ buf, buf2 };
	rules[1] = (struct item){ "試験中は、この受験票とパスポートを机の上に置いてください。",
				  "Keep this ticket and your passport on your desk during the test." };
	rules[2] = (struct item){ "受付でこの受験票のQRコードを読み取ります。折り曲げたり汚したりしないでください。",
				  "The QR code is scanned at check-in: do not fold or stain this ticket." };
	y += bullet_box(&c, "注意事項", "Notes", rules, 3, left, y, cw, 0);

	/* Foot: the sitting code and the warning against forgery. */
	double fy = top_y + (A4_H - 2 * MARGIN - 20) * k;
	sk_doc_line(doc, left, fy, left + cw, fy, 0.4, 0);
	snprintf(buf, sizeof(buf), "試験回 Sitting: %s", sit.code);
	put(&c, sans(&c, 7.5, 0), buf, left, fy + 4 * k, cw / 3);
	struct sk_style warn = gothic(&c, 7.5, 0), warn_en = sans(&c, 7, 0);
	warn.align = warn_en.align = SK_ALIGN_RIGHT;
	put(&c, warn, "偽造・改ざんされた受験票は無効です。", left + cw / 3, fy + 2 * k, cw * 2 / 3);
	put(&c, warn_en, "A forged or altered ticket is refused.", left + cw / 3, fy + 12 * k, cw * 2 / 3);
	rc = c.rc;
	goto cleanup;

failed:
	rc = c.rc;
cleanup:
	for (int i = 0; i < NPIECES; i++)
		sk_piece_release(&pc[i]);
	free(venue);
	sk_candidate_release(&cand);
	if (rc && err && errlen && !err[0])
		snprintf(err, errlen, "%s", sk_strerror(rc));
	return rc;
}
