/*
 * The attendance roster (出席簿) of one room: the proctor's list for
 * check-in, in seat order (row, then column). A header with the sitting,
 * date, venue, room and tests; a table of seat, exam number, photo, passport
 * name, date of birth, a box for the candidate's signature and a tick box
 * for the proctor, its header repeated on every page; at the end the
 * expected count with lines for the present and absent counts and the
 * proctor's signature. Footers "page x / y".
 *
 * As on the ticket, every registry value is laid out before anything is
 * drawn: a character no font has is reported with its field and leaves the
 * document untouched.
 */
#include "print/print.h"
#include "core/candidate.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/photo.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "core/venue.h"
#include "print/common.h"
#include "print/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN SK_MM(11)
#define ROW_H SK_MM(21.5) /* a 15 x 20 mm photo and its padding */
#define HEAD_H SK_MM(9)   /* the table's header row */
#define THUMB_W SK_MM(15)
#define THUMB_H SK_MM(20)
#define FOOT_H SK_MM(5)   /* kept clear for "page x / y" */
#define TOTALS_H SK_MM(24)

/* The table's columns, left to right; widths in mm, summing to the text
 * width of A4 with 11 mm margins (188 mm), stretched or shrunk to other
 * pages' width. On A4, 10 rows fit on the first page, 11 on the others. */
#define DESIGN_W SK_MM(188)
enum col { C_NO, C_SEAT, C_EXAMNO, C_PHOTO, C_NAME, C_DOB, C_SIGN, C_CHECK, NCOLS };
static const struct {
	double mm;
	const char *ja, *en;
} cols[NCOLS] = {
	[C_NO] = { 7, "No.", "" },
	[C_SEAT] = { 13, "座席", "Seat" },
	[C_EXAMNO] = { 27, "受験番号", "Exam number" },
	[C_PHOTO] = { 18, "写真", "Photo" },
	[C_NAME] = { 52, "氏名（旅券の表記）", "Name as in passport" },
	[C_DOB] = { 27, "生年月日", "Date of birth" },
	[C_SIGN] = { 32, "署名", "Signature" },
	[C_CHECK] = { 12, "受付", "Check-in" },
};

struct ctx {
	struct sk_doc *doc;
	const struct sk_fontset *fs;
	double edge[NCOLS + 1]; /* the columns' left edges, then the table's right */
	char *err;
	size_t errlen;
	int rc;
};

struct entry {
	struct sk_registration reg;
	int64_t photo_id;
	char dob_en[32];
	struct sk_piece family, given, dob, test;
	int given_below;
};

struct roster {
	struct entry *e;
	size_t n, alloc;
	int failed;
};

static struct sk_style sans(double size, int bold)
{
	struct sk_style s = { .face = SK_FACE_SANS, .size = size, .bold = bold, .leading = 1.3 };
	return s;
}

static struct sk_style gothic(double size, int bold)
{
	struct sk_style s = sk_style_gothic(size);
	s.bold = bold;
	return s;
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

/* Pixel size of a PNG or JPEG from its header (as in ticket.c). */
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

static void thumbnail(struct ctx *c, struct sk_db *db, int64_t photo_id, double x, double y)
{
	unsigned char *data = NULL;
	size_t len = 0;
	const char *type = NULL;
	int pw = 0, ph = 0;
	if (photo_id > 0 && sk_photo_load(db, photo_id, &data, &len, &type) == 0 &&
	    image_size(data, len, &pw, &ph)) {
		double s = THUMB_W / pw < THUMB_H / ph ? THUMB_W / pw : THUMB_H / ph;
		double dw = pw * s, dh = ph * s;
		if (sk_doc_image(c->doc, data, len, x + (THUMB_W - dw) / 2, y + (THUMB_H - dh) / 2, dw, dh) == 0) {
			sk_doc_rect(c->doc, x, y, THUMB_W, THUMB_H, 0.3, 0, -1);
			free(data);
			return;
		}
	}
	free(data);
	sk_db_clear_error(db);
	sk_doc_rect(c->doc, x, y, THUMB_W, THUMB_H, 0.4, 0.4, 0.96);
	struct sk_style ja = gothic(7, 0), en = sans(6, 0);
	ja.align = en.align = SK_ALIGN_CENTER;
	double top = y + THUMB_H / 2 - 10;
	top += put(c, ja, "写真なし", x, top, THUMB_W);
	put(c, en, "no photo", x, top, THUMB_W);
}

static int collect(void *payload, const struct sk_registration *r)
{
	struct roster *ro = payload;
	if (ro->n == ro->alloc) {
		size_t a = ro->alloc ? ro->alloc * 2 : 64;
		struct entry *p = realloc(ro->e, a * sizeof(*p));
		if (!p)
			return SK_ENOMEM;
		ro->e = p;
		ro->alloc = a;
	}
	memset(&ro->e[ro->n], 0, sizeof(ro->e[0]));
	ro->e[ro->n++].reg = *r;
	return 0;
}

static int seat_order(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->reg.seat_row != y->reg.seat_row)
		return x->reg.seat_row - y->reg.seat_row;
	if (x->reg.seat_col != y->reg.seat_col)
		return x->reg.seat_col - y->reg.seat_col;
	return strcmp(x->reg.exam_number, y->reg.exam_number);
}

static void set_columns(struct ctx *c, double text_width)
{
	double x = MARGIN;
	for (int i = 0; i < NCOLS; i++) {
		c->edge[i] = x;
		x += SK_MM(cols[i].mm) * text_width / DESIGN_W;
	}
	c->edge[NCOLS] = x;
}

static double col_x(const struct ctx *c, int k)
{
	return c->edge[k];
}

static double col_w(const struct ctx *c, int k)
{
	return c->edge[k + 1] - c->edge[k];
}

/* The header row of the table at y; returns its height. */
static double table_head(struct ctx *c, double y)
{
	sk_doc_rect(c->doc, MARGIN, y, col_x(c, NCOLS) - MARGIN, HEAD_H, 0, 0, 0.88);
	for (int k = 0; k < NCOLS; k++) {
		struct sk_style ja = gothic(8, 1), en = sans(6.5, 0);
		ja.align = en.align = SK_ALIGN_CENTER;
		double ty = y + (cols[k].en[0] ? 3 : 8);
		ty += put(c, ja, cols[k].ja, col_x(c, k), ty, col_w(c, k));
		if (cols[k].en[0])
			put(c, en, cols[k].en, col_x(c, k), ty - 1.5, col_w(c, k));
	}
	return HEAD_H;
}

/* Vertical rules and the frame of a table part from y0 to y1. */
static void table_rules(struct ctx *c, double y0, double y1)
{
	for (int k = 1; k < NCOLS; k++)
		sk_doc_line(c->doc, col_x(c, k), y0, col_x(c, k), y1, 0.4, 0);
	sk_doc_rect(c->doc, MARGIN, y0, col_x(c, NCOLS) - MARGIN, y1 - y0, 0.9, 0, -1);
	sk_doc_line(c->doc, MARGIN, y0 + HEAD_H, col_x(c, NCOLS), y0 + HEAD_H, 0.8, 0);
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

int sk_print_roster(struct sk_db *db, const char *sitting, const char *room, const struct sk_print_opts *o,
		    struct sk_doc *doc, char *err, size_t errlen)
{
	(void)o;
	struct ctx c = { .doc = doc, .fs = sk_doc_fonts(doc), .err = err, .errlen = errlen };
	struct roster ro = { 0 };
	set_columns(&c, sk_doc_width(doc) - 2 * MARGIN);
	struct sk_sitting sit;
	struct sk_venue *venue = NULL;
	struct sk_piece venue_name = { 0 }, room_code = { 0 }, tests = { 0 };
	char buf[1024], who[80], dja[48], den[48];
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if ((rc = sk_sitting_get(db, sitting, &sit))) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		return rc;
	}
	if (!(venue = malloc(sizeof(*venue))))
		return SK_ENOMEM;
	if ((rc = sk_venue_get(db, sit.venue, venue))) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		goto cleanup;
	}
	const struct sk_room *rm = NULL;
	for (size_t i = 0; i < venue->nrooms; i++)
		if (!strcmp(venue->rooms[i].code, room))
			rm = &venue->rooms[i];
	if (!rm) {
		snprintf(err, errlen, "room: venue '%s' has no room '%s'", venue->code, room);
		rc = SK_ENOTFOUND;
		goto cleanup;
	}
	struct sk_registration_filter f = { .sitting = sit.code, .room = rm->code };
	if ((rc = sk_registration_foreach(db, &f, collect, &ro))) {
		snprintf(err, errlen, "%s", rc == SK_ENOMEM ? sk_strerror(rc) : sk_db_errmsg(db));
		goto cleanup;
	}
	if (!ro.n) {
		snprintf(err, errlen, "room: no registrations in room '%s' of sitting '%s'", rm->code, sit.code);
		rc = SK_ENOTFOUND;
		goto cleanup;
	}
	qsort(ro.e, ro.n, sizeof(ro.e[0]), seat_order);

	/* The candidates, and every value from the registry, laid out first. */
	const double name_w = col_w(&c, C_NAME) - 8;
	/* Dates of birth as large as their column allows, 8.5 pt at most. */
	struct sk_style dob_st = gothic(8.5, 0);
	double dob_w = sk_text_measure(c.fs, &dob_st, "0000年00月00日");
	if (dob_w > col_w(&c, C_DOB) - 7)
		dob_st.size *= (col_w(&c, C_DOB) - 7) / dob_w;
	char test_codes[16][16];
	size_t ntests = 0;
	for (size_t i = 0; i < ro.n && !c.rc; i++) {
		struct entry *e = &ro.e[i];
		struct sk_candidate cand;
		if ((rc = sk_candidate_get(db, e->reg.reference, &cand))) {
			snprintf(err, errlen, "%s", sk_db_errmsg(db));
			goto cleanup;
		}
		snprintf(who, sizeof(who), "candidate %s", cand.reference);
		e->photo_id = cand.photo_id;
		/* Family name then given names, on one line when they fit, else
		 * the given names below; smaller until the name fits the row. */
		for (double size = 10.5;; size -= 0.5) {
			lay(&c, &e->family, sans(size, 1), cand.family_name, name_w, who, "family_name");
			lay(&c, &e->given, sans(size, 0), cand.given_name ? cand.given_name : "", name_w, who,
			    "given_name");
			if (c.rc)
				break;
			const struct sk_text_block *fb = &e->family.b, *gb = &e->given.b;
			e->given_below = !(fb->nlines == 1 && gb->nlines == 1 && fb->width + 4 + gb->width <= name_w);
			double h = e->given_below ? fb->height + gb->height : fb->height;
			if (h <= ROW_H - 6 || size <= 6)
				break;
			sk_piece_release(&e->family);
			sk_piece_release(&e->given);
		}
		struct sk_date d;
		if (sk_date_parse(&d, cand.date_of_birth) == 0) {
			lay(&c, &e->dob, dob_st, date_ja_plain(dja, &d), 0, who, "date_of_birth");
			date_en_plain(e->dob_en, &d);
		} else {
			lay(&c, &e->dob, sans(8.5, 0), cand.date_of_birth, 0, who, "date_of_birth");
		}
		lay(&c, &e->test, sans(7, 0), e->reg.test, 0, "registration", "test");
		sk_candidate_release(&cand);
		size_t t = 0;
		while (t < ntests && strcmp(test_codes[t], e->reg.test))
			t++;
		if (t == ntests && ntests < 16)
			snprintf(test_codes[ntests++], sizeof(test_codes[0]), "%s", e->reg.test);
	}
	/* The tests of this room, as in the sitting's order. */
	buf[0] = '\0';
	for (size_t s = 0; s < sit.ntests && !c.rc; s++) {
		size_t t = 0;
		while (t < ntests && strcmp(test_codes[t], sit.tests[s]))
			t++;
		if (t == ntests)
			continue;
		struct sk_testdef td;
		if ((rc = sk_testdef_get(db, sit.tests[s], &td))) {
			snprintf(err, errlen, "%s", sk_db_errmsg(db));
			goto cleanup;
		}
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "%s%s %s %d号 (%s)", n ? "　" : "", td.code, td.category_ja, td.level,
			 td.category_en);
	}
	const double W = sk_doc_width(doc), H = sk_doc_height(doc), cw = W - 2 * MARGIN;
	const double info_val_w = cw / 2 - SK_MM(22) - 6;
	snprintf(who, sizeof(who), "venue %s", venue->code);
	lay(&c, &tests, gothic(9, 0), buf, cw - SK_MM(22) - 6, "sitting", "tests");
	lay(&c, &venue_name, gothic(10, 1), venue->name, info_val_w, who, "name");
	lay(&c, &room_code, sans(14, 1), rm->code, info_val_w, who, "room");
	if (c.rc) {
		rc = c.rc;
		goto cleanup;
	}

	/* ---- drawing ---- */
	struct sk_date day;
	if (sk_date_parse(&day, sit.exam_date) == 0) {
		sk_date_ja(dja, sizeof(dja), &day);
		sk_date_en(den, sizeof(den), &day);
	} else {
		snprintf(dja, sizeof(dja), "%s", sit.exam_date);
		den[0] = '\0';
	}
	int start = 0;
	char t_start[16] = "";
	if (sk_time_parse(&start, sit.start_time) == 0)
		snprintf(t_start, sizeof(t_start), "%d:%02d", start / 60, start % 60);

	/* Exam numbers as large as their column allows, 10 pt at most. */
	struct sk_style examno_st = sans(10, 1);
	double en_w = sk_text_measure(c.fs, &examno_st, "0000-00000-0");
	if (en_w > col_w(&c, C_EXAMNO) - 7)
		examno_st.size *= (col_w(&c, C_EXAMNO) - 7) / en_w;
	int first_page = sk_doc_pages(doc);
	size_t i = 0;
	int last_page_done = 0;
	while (!last_page_done && !c.rc) {
		sk_doc_add_page(doc);
		double y = MARGIN;
		if (i == 0) {
			/* The first page: title and the facts of the session. */
			struct sk_style t = gothic(18, 1), te = sans(10, 0);
			t.align = te.align = SK_ALIGN_CENTER;
			y += put(&c, t, "出席簿", MARGIN, y, cw);
			y += put(&c, te, "Attendance Roster", MARGIN, y - 3, cw) + 2;
			const double lw = SK_MM(22), rh = 25;
			struct {
				const char *ja, *en;
			} lab[5] = { { "試験回", "Sitting" }, { "試験日時", "Date, start" }, { "試験会場", "Venue" },
				     { "試験室", "Room" },    { "試験区分", "Test" } };
			/* The tests' row grows when their names wrap. */
			const double test_h = tests.b.height + 8 > rh ? tests.b.height + 8 : rh;
			double rows_h = 2 * rh + test_h;
			sk_doc_rect(doc, MARGIN, y, lw, rows_h, 0, 0, 0.92);
			sk_doc_rect(doc, MARGIN + cw / 2, y, lw, 2 * rh, 0, 0, 0.92);
			for (int k = 0; k < 5; k++) {
				double lx = k < 4 ? MARGIN + (k % 2) * cw / 2 : MARGIN;
				double ly = y + (k / 2) * rh;
				double ty = ly + 3;
				ty += put(&c, gothic(8, 0), lab[k].ja, lx + 4, ty, lw - 6);
				put(&c, sans(6.5, 0), lab[k].en, lx + 4, ty - 1, lw - 6);
				double vx = lx + lw + 5, vy = ly + 4;
				switch (k) {
				case 0:
					put(&c, sans(11, 1), sit.code, vx, vy + 2, info_val_w);
					break;
				case 1:
					snprintf(buf, sizeof(buf), "%s　%s", dja, t_start);
					put(&c, gothic(9.5, 1), buf, vx, vy - 2.5, info_val_w);
					snprintf(buf, sizeof(buf), "%s %s", den, t_start);
					put(&c, sans(7.5, 0), buf, vx, vy + 9.5, info_val_w);
					break;
				case 2:
					draw(&c, &venue_name, vx, vy + (rh - 8 - venue_name.b.height) / 2, 0);
					break;
				case 3:
					draw(&c, &room_code, vx, vy + (rh - 8 - room_code.b.height) / 2, 0);
					break;
				case 4:
					draw(&c, &tests, vx, vy + (test_h - 8 - tests.b.height) / 2, 0);
					break;
				}
			}
			for (int k = 1; k < 3; k++)
				sk_doc_line(doc, MARGIN, y + k * rh, MARGIN + cw, y + k * rh, 0.4, 0);
			sk_doc_line(doc, MARGIN + lw, y, MARGIN + lw, y + rows_h, 0.4, 0);
			sk_doc_line(doc, MARGIN + cw / 2, y, MARGIN + cw / 2, y + 2 * rh, 0.4, 0);
			sk_doc_line(doc, MARGIN + cw / 2 + lw, y, MARGIN + cw / 2 + lw, y + 2 * rh, 0.4, 0);
			sk_doc_rect(doc, MARGIN, y, cw, rows_h, 0.9, 0, -1);
			y += rows_h + 7;
		} else {
			/* Later pages: one line saying whose roster this is. */
			snprintf(buf, sizeof(buf), "出席簿 Attendance Roster　%s　%s　試験室 Room %s", sit.code, dja, rm->code);
			y += put(&c, gothic(9, 0), buf, MARGIN, y, cw) + 4;
		}
		/* As many rows as fit above the footer. */
		double table_top = y;
		y += table_head(&c, y);
		double limit = H - MARGIN - FOOT_H;
		int on_page = 0;
		while (i < ro.n && y + ROW_H <= limit && !c.rc) {
			/* The last row takes the totals with it, so they never
			 * stand alone on a page. */
			if (i + 1 == ro.n && on_page && y + ROW_H + 8 + TOTALS_H > limit)
				break;
			const struct entry *e = &ro.e[i];
			double mid = y + ROW_H / 2;
			struct sk_style ctr = sans(10, 0);
			ctr.align = SK_ALIGN_CENTER;
			snprintf(buf, sizeof(buf), "%zu", i + 1);
			put(&c, sans(8, 0), buf, col_x(&c, C_NO) + 4, mid - 5, col_w(&c, C_NO));
			ctr = sans(11, 1);
			ctr.align = SK_ALIGN_CENTER;
			put(&c, ctr, e->reg.seat, col_x(&c, C_SEAT), mid - 8, col_w(&c, C_SEAT));
			put(&c, examno_st, e->reg.exam_number, col_x(&c, C_EXAMNO) + 4, mid - 11, col_w(&c, C_EXAMNO) - 6);
			draw(&c, &e->test, col_x(&c, C_EXAMNO) + 4, mid + 3, 0);
			thumbnail(&c, db, e->photo_id, col_x(&c, C_PHOTO) + (col_w(&c, C_PHOTO) - THUMB_W) / 2,
				  y + (ROW_H - THUMB_H) / 2);
			double nh = e->family.b.height + (e->given_below ? e->given.b.height : 0);
			double ny = mid - nh / 2, nx = col_x(&c, C_NAME) + 4;
			draw(&c, &e->family, nx, ny, 0);
			if (e->given_below)
				draw(&c, &e->given, nx, ny + e->family.b.height, 0);
			else
				draw(&c, &e->given, nx + e->family.b.width + 4, ny, 0);
			draw(&c, &e->dob, col_x(&c, C_DOB) + 4, mid - 11, 0);
			if (e->dob_en[0])
				put(&c, sans(7, 0), e->dob_en, col_x(&c, C_DOB) + 4, mid + 1, col_w(&c, C_DOB) - 6);
			/* The tick box for the proctor. */
			double box = SK_MM(6);
			sk_doc_rect(doc, col_x(&c, C_CHECK) + (col_w(&c, C_CHECK) - box) / 2, mid - box / 2, box, box, 0.8, 0, -1);
			y += ROW_H;
			sk_doc_line(doc, MARGIN, y, col_x(&c, NCOLS), y, 0.4, 0);
			i++;
			on_page++;
		}
		table_rules(&c, table_top, y);
		if (i == ro.n) {
			/* The totals close the roster, on a page of their own if need be. */
			y += 8;
			double bw = cw, lh = TOTALS_H / 2;
			sk_doc_rect(doc, MARGIN, y, bw, TOTALS_H, 0.9, 0, -1);
			sk_doc_line(doc, MARGIN, y + lh, MARGIN + bw, y + lh, 0.4, 0);
			double q = bw / 3;
			for (int k = 1; k < 3; k++)
				sk_doc_line(doc, MARGIN + k * q, y, MARGIN + k * q, y + lh, 0.4, 0);
			snprintf(buf, sizeof(buf), "受験予定者数　%zu 名", ro.n);
			put(&c, gothic(10, 1), buf, MARGIN + 6, y + 5, q - 10);
			snprintf(buf, sizeof(buf), "Expected: %zu", ro.n);
			put(&c, sans(8, 0), buf, MARGIN + 6, y + 20, q - 10);
			put(&c, gothic(10, 0), "出席者数　　　　　名", MARGIN + q + 6, y + 5, q - 10);
			put(&c, sans(8, 0), "Present", MARGIN + q + 6, y + 20, q - 10);
			put(&c, gothic(10, 0), "欠席者数　　　　　名", MARGIN + 2 * q + 6, y + 5, q - 10);
			put(&c, sans(8, 0), "Absent", MARGIN + 2 * q + 6, y + 20, q - 10);
			put(&c, gothic(10, 0), "試験監督員署名", MARGIN + 6, y + lh + 5, q);
			put(&c, sans(8, 0), "Proctor's signature", MARGIN + 6, y + lh + 20, q);
			last_page_done = 1;
		}
	}
	snprintf(buf, sizeof(buf), "%s  %s", sit.code, rm->code);
	/* Footers on this roster's pages only (a bundle may hold others). */
	if (!c.rc && first_page == 0)
		sk_print_footers(doc, buf, MARGIN);
	rc = c.rc;

cleanup:
	for (size_t k = 0; k < ro.n; k++) {
		sk_piece_release(&ro.e[k].family);
		sk_piece_release(&ro.e[k].given);
		sk_piece_release(&ro.e[k].dob);
		sk_piece_release(&ro.e[k].test);
	}
	free(ro.e);
	sk_piece_release(&venue_name);
	sk_piece_release(&room_code);
	sk_piece_release(&tests);
	free(venue);
	if (rc && err && errlen && !err[0])
		snprintf(err, errlen, "%s", sk_strerror(rc));
	return rc;
}
