/*
 * The answer sheet (解答用紙), made to be read by a machine and filled in by
 * a person: four corner marks to find and straighten the page, a QR code
 * with the sitting, exam number, paper code, page and a MAC, the exam number
 * and paper code printed, one row of bubbles per question (○ × for 学科,
 * A-E for 実技 — only the letters the question has), and instructions on how
 * to mark and how to correct, with examples.
 *
 * Every bubble's position is recorded as a layout (JSON, points from the
 * top-left corner) in the registry, once per distinct layout, and tied to
 * the sheet, so a scanner knows where to look.
 */
#include "print/print.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "exam/paper.h"
#include "exam/payload.h"
#include "print/common.h"
#include "print/qr.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN SK_MM(20)
#define FID SK_MM(6)        /* corner mark side */
#define FID_INSET SK_MM(9)  /* from the page edge to the mark */
#define BUBBLE_R SK_MM(2.7)
#define BUBBLE_STEP SK_MM(9.5)
#define ROW_H SK_MM(7.6)
#define ROWS_PER_PAGE 50

static void bubble(struct sk_doc *doc, double cx, double cy, const char *label)
{
	const struct sk_fontset *fs = sk_doc_fonts(doc);
	sk_doc_circle(doc, cx, cy, BUBBLE_R, 0.6, 0.45, -1);
	struct sk_style st = sk_style_gothic(7);
	double w = sk_text_measure(fs, &st, label);
	char err[8];
	struct sk_text_block b;
	if (sk_text_layout(fs, &st, label, 0, &b, err, sizeof(err)) == 0) {
		/* Light grey so a pencil mark stands out for the scanner. */
		sk_doc_text_gray(doc, 0.55);
		for (size_t r = 0; r < b.nruns; r++) {
			const struct sk_glyph_run *run = &b.runs[r];
			sk_doc_text_run(doc, (enum sk_face)run->face, run->size, cx - w / 2 + run->x, cy + st.size * 0.35,
					b.cps + run->start, run->n, 0);
		}
		sk_doc_text_gray(doc, 0);
		sk_text_release(&b);
	}
}

/* Marking examples: one good, three bad. */
static int examples(struct sk_doc *doc, double x, double y, char *err, size_t errlen)
{
	struct sk_style st = sk_style_gothic(8);
	double cx = x + SK_MM(4), cy = y + SK_MM(4);
	sk_doc_circle(doc, cx, cy, BUBBLE_R, 0.6, 0.45, 0);
	if (sk_text_put(doc, &st, "良い例 Good", cx - SK_MM(6), cy + SK_MM(4), SK_MM(20), err, errlen) < 0)
		return -1;
	/* A tick, a cross and a dot: marks a scanner may miss. */
	double bx = cx + SK_MM(22);
	for (int k = 0; k < 3; k++, bx += SK_MM(10)) {
		sk_doc_circle(doc, bx, cy, BUBBLE_R, 0.6, 0.45, -1);
		if (k == 0) {
			sk_doc_line(doc, bx - SK_MM(1.6), cy, bx - SK_MM(0.4), cy + SK_MM(1.4), 0.8, 0);
			sk_doc_line(doc, bx - SK_MM(0.4), cy + SK_MM(1.4), bx + SK_MM(1.8), cy - SK_MM(1.6), 0.8, 0);
		} else if (k == 1) {
			sk_doc_line(doc, bx - SK_MM(1.5), cy - SK_MM(1.5), bx + SK_MM(1.5), cy + SK_MM(1.5), 0.8, 0);
			sk_doc_line(doc, bx - SK_MM(1.5), cy + SK_MM(1.5), bx + SK_MM(1.5), cy - SK_MM(1.5), 0.8, 0);
		} else {
			sk_doc_circle(doc, bx, cy, SK_MM(0.8), 0, 0, 0);
		}
	}
	if (sk_text_put(doc, &st, "悪い例 Wrong", cx + SK_MM(17), cy + SK_MM(4), SK_MM(30), err, errlen) < 0)
		return -1;
	return 0;
}

static const char instructions[] =
	"・HBの{鉛筆|えんぴつ}で○の中を{完全|かんぜん}にぬりつぶしてください（{各問|かくもん}一つ）。\n"
	"・{訂正|ていせい}するときは、{消|け}しゴムできれいに{消|け}してください。\n"
	"・この{用紙|ようし}を{折|お}ったり、{汚|よご}したりしないでください。\n"
	"Fill the bubble completely with an HB pencil; one answer per question. "
	"To change an answer, erase it completely. Do not fold or soil this sheet.";

struct sheet_data {
	struct sk_registration reg;
	struct sk_sitting sitting;
	struct sk_testdef test;
	struct sk_paper paper;
	struct { double x, y; } *rows; /* [questions] top-left of each bubble row */
};

static int load(struct sk_db *db, const char *exam_number, struct sheet_data *d)
{
	memset(d, 0, sizeof(*d));
	int rc = sk_registration_get(db, exam_number, &d->reg);
	if (!rc)
		rc = sk_sitting_get(db, d->reg.sitting, &d->sitting);
	if (!rc)
		rc = sk_testdef_get(db, d->reg.test, &d->test);
	if (!rc)
		rc = sk_paper_get(db, d->reg.exam_number, &d->paper);
	return rc;
}

static int record_layout(struct sk_db *db, int64_t registration_id, int page, const char *json)
{
	static const char sql_find[] = "SELECT id FROM sheet_layout WHERE digest = ?1";
	static const char sql_add[] =
		"INSERT INTO sheet_layout (digest, layout, created_at) VALUES (?1, ?2, ?3)";
	static const char sql_sheet[] =
		"INSERT INTO sheet (registration_id, page, layout_id, printed_at) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (registration_id, page) DO UPDATE SET layout_id = excluded.layout_id,"
		" printed_at = excluded.printed_at";
	unsigned char digest[32];
	crypto_generichash(digest, sizeof(digest), (const unsigned char *)json, strlen(json), NULL, 0);
	char now[21];
	sk_db_now(db, now);
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	int64_t id = 0;
	sqlite3_stmt *st = sk_db_stmt(db, sql_find);
	if (!st)
		goto fail;
	sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (!id) {
		if (!(st = sk_db_stmt(db, sql_add)))
			goto fail;
		sqlite3_bind_blob(st, 1, digest, 32, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		int step = sqlite3_step(st);
		sqlite3_reset(st);
		if (step != SQLITE_DONE) {
			rc = sk_db_sqlfail(db, "recording a sheet layout");
			goto fail;
		}
		id = sqlite3_last_insert_rowid(db->sql);
	}
	if (!(st = sk_db_stmt(db, sql_sheet)))
		goto fail;
	sqlite3_bind_int64(st, 1, registration_id);
	sqlite3_bind_int(st, 2, page);
	sqlite3_bind_int64(st, 3, id);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "recording a sheet");
		goto fail;
	}
	return sk_db_commit(db);
fail:
	if (!rc)
		rc = db->err ? db->err : SK_EDB;
	sk_db_rollback(db);
	return rc;
}

/* A bubble row, relative to the row's top-left corner: set once per
 * document for each kind of row and placed on every sheet. */
static double bubble_x(int o)
{
	return SK_MM(17) + o * BUBBLE_STEP;
}

static const char *bubble_mark(int tf, int o, char buf[4])
{
	if (tf)
		return o ? "×" : "○";
	buf[0] = (char)('A' + o);
	buf[1] = 0;
	return buf;
}

static void place_row(struct sk_doc *doc, int tf, int nopt, double rx, double ry)
{
	uint64_t key = SK_KEY_ROW | (uint64_t)(tf ? 0x100 : 0) | (uint64_t)nopt;
	if (!sk_doc_group_exists(doc, key)) {
		sk_doc_group_begin(doc, key);
		for (int o = 0; o < nopt; o++) {
			char mb[4];
			bubble(doc, bubble_x(o), SK_MM(2.6), bubble_mark(tf, o, mb));
		}
		sk_doc_group_end(doc);
	}
	sk_doc_place(doc, key, rx, ry);
}

/* Where things go on a sheet page. Everything but the candidate's own
 * values (exam number, paper code, QR, which bubble row goes where) is the
 * same on every page with this test, sitting and question range, so it is
 * drawn once into a group and placed. */
struct sheet_geom {
	double qx, qy, qside, fields_y;
};

/* Draw (when `draw`) or only measure the shared part of a page. */
static int sheet_static(struct sk_doc *doc, const struct sheet_data *d, int first, int last, double qside,
			int draw, struct sheet_geom *g, char *err, size_t errlen)
{
	double W = sk_doc_width(doc);
	g->qside = qside;
	g->qx = W - MARGIN - qside + SK_MM(4);
	g->qy = SK_MM(16);
	g->fields_y = SK_MM(44);
	char line[512];
	if (draw) {
		double xs[2] = { FID_INSET, W - FID_INSET - FID }, ys[2] = { FID_INSET, sk_doc_height(doc) - FID_INSET - FID };
		for (int i = 0; i < 4; i++)
			sk_doc_rect(doc, xs[i % 2], ys[i / 2], FID, FID, 0, 0, 0);
		/* Title and what the sheet is for. */
		struct sk_style title = sk_style_gothic(17);
		title.bold = 1;
		double y = SK_MM(17);
		double h = sk_text_put(doc, &title, "解答用紙  Answer Sheet", MARGIN, y, W - 2 * MARGIN - qside, err, errlen);
		if (h < 0)
			return -1;
		y += h + SK_MM(1);
		struct sk_style info = sk_style_gothic(9.5);
		char date_ja[64];
		struct sk_date dt;
		sk_date_parse(&dt, d->sitting.exam_date);
		snprintf(line, sizeof(line), "%s %d号  %s, Level %d\n%s  %s", d->test.category_ja, d->test.level,
			 d->test.category_en, d->test.level, sk_date_ja(date_ja, sizeof(date_ja), &dt), d->sitting.code);
		if (sk_text_put(doc, &info, line, MARGIN, y, W - 2 * MARGIN - qside, err, errlen) < 0)
			return -1;
		/* The boxes for exam number, paper code and page. */
		y = g->fields_y;
		if (sk_print_field(doc, MARGIN, y, SK_MM(78), SK_MM(20), "受験番号", "Exam number", NULL, NULL, err,
				   errlen) ||
		    sk_print_field(doc, MARGIN + SK_MM(82), y, SK_MM(52), SK_MM(20), "ペーパーコード", "Paper code", NULL,
				   NULL, err, errlen) ||
		    sk_print_field(doc, MARGIN + SK_MM(138), y, W - 2 * MARGIN - SK_MM(138), SK_MM(20), "ページ", "Page",
				   NULL, NULL, err, errlen))
			return -1;
	}
	/* How to mark. */
	double y = g->fields_y + SK_MM(24);
	struct sk_style ins = sk_style_gothic(8.5);
	ins.leading = 1.5;
	double boxw = W - 2 * MARGIN;
	struct sk_text_block ib;
	if (sk_text_layout(sk_doc_fonts(doc), &ins, instructions, boxw - SK_MM(62), &ib, err, errlen))
		return -1;
	double boxh = ib.height + SK_MM(4) > SK_MM(20) ? ib.height + SK_MM(4) : SK_MM(20);
	if (draw) {
		sk_doc_rect(doc, MARGIN, y, boxw, boxh, 0.5, 0, -1);
		sk_text_draw(doc, &ib, &ins, MARGIN + SK_MM(2), y + SK_MM(2), 0);
	}
	sk_text_release(&ib);
	if (draw && examples(doc, MARGIN + boxw - SK_MM(58), y + SK_MM(3), err, errlen))
		return -1;
	y += boxh + SK_MM(5);
	/* Section headings and question numbers: the rows themselves vary. */
	struct sk_style sec = sk_style_gothic(10);
	sec.bold = 1;
	struct sk_style num = sk_style_gothic(10);
	num.align = SK_ALIGN_RIGHT;
	double colw = (W - 2 * MARGIN) / 2;
	int number = 0;
	for (int s = 0; s < d->paper.nsections; s++) {
		const struct sk_paper_section *ps = &d->paper.sections[s];
		int s_first = number + 1, s_last = number + ps->nitems;
		int from = s_first > first + 1 ? s_first : first + 1, to = s_last < last ? s_last : last;
		number += ps->nitems;
		if (from > to)
			continue;
		int count = to - from + 1, rows = (count + 1) / 2;
		if (draw) {
			const char *kind = !strcmp(ps->kind, "tf") ? "○×" : "A–E";
			snprintf(line, sizeof(line), "%s  %s  (%s %d–%d)", ps->name_ja, ps->name_en, kind, from, to);
			sk_doc_rect(doc, MARGIN, y, W - 2 * MARGIN, SK_MM(7), 0, 0, 0.88);
			if (sk_text_put(doc, &sec, line, MARGIN + SK_MM(2), y + SK_MM(0.6), W - 2 * MARGIN, err, errlen) < 0)
				return -1;
		}
		y += SK_MM(9);
		for (int k = 0; k < count; k++) {
			int col = k / rows, row = k % rows;
			d->rows[from + k - 1].x = MARGIN + col * colw;
			d->rows[from + k - 1].y = y + row * ROW_H;
			char nb[16];
			snprintf(nb, sizeof(nb), "%d", from + k);
			if (draw && sk_text_put(doc, &num, nb, MARGIN + col * colw, y + row * ROW_H, SK_MM(10), err, errlen) < 0)
				return -1;
		}
		y += rows * ROW_H + SK_MM(4);
	}
	return 0;
}

/* One page of the sheet, for questions [first, last) of the paper. */
static int sheet_page(struct sk_db *db, const struct sheet_data *d, int page, int pages, int first, int last,
		      struct sk_doc *doc, char *err, size_t errlen)
{
	double W = sk_doc_width(doc), H = sk_doc_height(doc);
	struct sk_buf json = SK_BUF_INIT;
	struct sk_qr *qr = NULL;
	int rc = 0;
	sk_doc_add_page(doc);

	char payload[SK_PAYLOAD_MAX];
	if ((rc = sk_payload_sheet(db, d->sitting.code, d->reg.exam_number, d->paper.code, page, payload))) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		goto cleanup;
	}
	const double module = 2.0;
	if (!(qr = sk_qr_encode(payload))) {
		snprintf(err, errlen, "%s: the sheet's code cannot be encoded", d->reg.exam_number);
		rc = SK_EINVAL;
		goto cleanup;
	}
	/* The shared part: its key covers all it shows. */
	struct sk_buf kb = SK_BUF_INIT;
	sk_buf_addf(&kb, "%.2f|%.2f|%s|%s|%d|%d|%d|%d|%.2f", W, H, d->test.code, d->sitting.code, page, pages, first, last,
		    sk_qr_side(qr, module));
	for (int s = 0; s < d->paper.nsections; s++)
		sk_buf_addf(&kb, "|%s:%d", d->paper.sections[s].code, d->paper.sections[s].nitems);
	uint64_t skey = SK_KEY_HASH(SK_KEY_SHEET, sk_print_key_hash(kb.buf, kb.len));
	sk_buf_release(&kb);
	struct sheet_geom g;
	int draw = !sk_doc_group_exists(doc, skey);
	if (draw)
		sk_doc_group_begin(doc, skey);
	rc = sheet_static(doc, d, first, last, sk_qr_side(qr, module), draw, &g, err, errlen);
	if (draw)
		sk_doc_group_end(doc);
	if (rc)
		goto bad;
	sk_doc_place(doc, skey, 0, 0);

	/* The candidate's own: QR, exam number, paper code, page. */
	if (sk_qr_put(doc, qr, g.qx, g.qy, module)) {
		rc = SK_ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	struct sk_style big = sk_style_gothic(20);
	big.bold = 1;
	char pg[32];
	snprintf(pg, sizeof(pg), "%d / %d", page, pages);
	if (sk_print_field_value(doc, MARGIN, g.fields_y, SK_MM(78), d->reg.exam_number, &big, err, errlen) ||
	    sk_print_field_value(doc, MARGIN + SK_MM(82), g.fields_y, SK_MM(52), d->paper.code, &big, err, errlen) ||
	    sk_print_field_value(doc, MARGIN + SK_MM(138), g.fields_y, W - 2 * MARGIN - SK_MM(138), pg, &big, err,
				 errlen))
		goto bad;

	/* The layout a scanner reads, and the bubble rows in paper order. */
	/* Nothing of the candidate's: sheets with the same rows share a layout
	 * (the sheet row says whose it is; the QR says so on paper). */
	sk_buf_addf(&json, "{\"version\":1,\"unit\":\"pt\",\"origin\":\"top-left\",\"page\":%d,\"pages\":%d,"
			   "\"width\":%.2f,\"height\":%.2f,",
		    page, pages, W, H);
	double xs[2] = { FID_INSET, W - FID_INSET - FID }, ys[2] = { FID_INSET, H - FID_INSET - FID };
	sk_buf_adds(&json, "\"fiducials\":[");
	for (int i = 0; i < 4; i++)
		sk_buf_addf(&json, "%s{\"x\":%.2f,\"y\":%.2f,\"size\":%.2f}", i ? "," : "", xs[i % 2], ys[i / 2], FID);
	sk_buf_addf(&json, "],\"qr\":{\"x\":%.2f,\"y\":%.2f,\"size\":%.2f},\"questions\":[", g.qx, g.qy, g.qside);
	int number = 0, emitted = 0;
	for (int s = 0; s < d->paper.nsections; s++) {
		const struct sk_paper_section *ps = &d->paper.sections[s];
		for (int i = 0; i < ps->nitems; i++) {
			int qn = ++number;
			if (qn <= first || qn > last)
				continue;
			const struct sk_paper_item *it = &ps->items[i];
			int tf = !strcmp(it->kind, "tf"), nopt = tf ? 2 : it->noptions;
			double rx = d->rows[qn - 1].x, ry = d->rows[qn - 1].y;
			place_row(doc, tf, nopt, rx, ry);
			sk_buf_addf(&json, "%s{\"number\":%d,\"section\":\"%s\",\"kind\":\"%s\",\"bubbles\":[",
				    emitted++ ? "," : "", qn, ps->code, it->kind);
			for (int o = 0; o < nopt; o++) {
				char mb[4];
				sk_buf_adds(&json, o ? ",{\"mark\":\"" : "{\"mark\":\"");
				sk_buf_adds(&json, tf ? (o ? "X" : "O") : bubble_mark(0, o, mb));
				sk_buf_adds(&json, "\",\"x\":");
				sk_buf_add_dec2(&json, rx + bubble_x(o));
				sk_buf_adds(&json, ",\"y\":");
				sk_buf_add_dec2(&json, ry + SK_MM(2.6));
				sk_buf_adds(&json, ",\"r\":");
				sk_buf_add_dec2(&json, BUBBLE_R);
				sk_buf_addch(&json, '}');
			}
			sk_buf_adds(&json, "]}");
		}
	}
	sk_buf_adds(&json, "]}");

	/* Footer: never the name. */
	struct sk_style foot = sk_style_gothic(7.5);
	char line[256];
	snprintf(line, sizeof(line), "%s  %s  %s", d->reg.exam_number, d->paper.code, d->sitting.code);
	if (sk_text_put(doc, &foot, line, MARGIN, H - SK_MM(17), W - 2 * MARGIN, err, errlen) < 0)
		goto bad;
	if (sk_buf_failed(&json)) {
		rc = SK_ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	if ((rc = record_layout(db, d->reg.id, page, json.buf)))
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
	goto cleanup;
bad:
	rc = SK_EINPUT;
cleanup:
	sk_qr_free(qr);
	sk_buf_release(&json);
	return rc;
}

int sk_print_sheet(struct sk_db *db, const char *exam_number, const struct sk_print_opts *o,
		   struct sk_print_cache *cache, struct sk_doc *doc, char *err, size_t errlen)
{
	(void)o;
	(void)cache;
	struct sheet_data *d = calloc(1, sizeof(*d));
	if (!d)
		return SK_ENOMEM;
	int rc = load(db, exam_number, d);
	if (rc) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		free(d);
		return rc;
	}
	int total = 0;
	for (int s = 0; s < d->paper.nsections; s++)
		total += d->paper.sections[s].nitems;
	d->rows = calloc(total ? (size_t)total : 1, sizeof(*d->rows));
	if (!d->rows) {
		sk_paper_release(&d->paper);
		free(d);
		return SK_ENOMEM;
	}
	int pages = (total + ROWS_PER_PAGE - 1) / ROWS_PER_PAGE;
	if (pages < 1)
		pages = 1;
	for (int p = 0; p < pages && !rc; p++) {
		int first = p * ROWS_PER_PAGE, last = first + ROWS_PER_PAGE < total ? first + ROWS_PER_PAGE : total;
		rc = sheet_page(db, d, p + 1, pages, first, last, doc, err, errlen);
	}
	sk_paper_release(&d->paper);
	free(d->rows);
	free(d);
	return rc;
}
