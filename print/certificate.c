/*
 * The pass certificate (合格証明書): one A4 page, Japanese and English,
 * laid out as a formal Japanese certificate — a decorative border, the
 * emblem (a gear ring for manufacturing around a cherry blossom, drawn as
 * vector paths), the title, the holder and the test, the statement of
 * certification, the date of issue and the exam body, and at the foot the
 * QR code holding BASE_URL/c/TOKEN with the certificate number and where to
 * verify it.
 *
 * What the page says about the holder and the test is read from the signed
 * token itself (after checking it with the key file), so the paper and its
 * QR code can never disagree; only the nationality, which the token does
 * not carry, comes from the registry. A revoked certificate, or one whose
 * token does not verify, is not printed.
 *
 * Fixed texts are English messages marked N_() with their Japanese in
 * locales/ja.po (sk_i18n_lookup), as on the result notice. Every text is
 * laid out before anything is drawn, so a character no installed font has
 * is reported with its field and the document is left untouched. The
 * border, rosette and emblem are one group without text (print/doc.h): a
 * room's bundle carries them once, and a run of single files compresses
 * them once.
 */
#include "print/print.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/keys.h"
#include "core/refdata.h"
#include "core/registration.h"
#include "core/text.h"
#include "exam/certificate.h"
#include "print/common.h"
#include "print/qr.h"
#include "print/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A4_W 595.2756
#define A4_H 841.8898
#define MM(x) SK_MM(x)

/* The design, in millimetres from the page's edges. */
#define OUTER 9.0    /* the heavy outer rule */
#define BAND 12.5    /* the centre line of the guilloche band */
#define INNER 16.0   /* the inner rule */
#define LEFT 27.0    /* the text's left edge */
#define RIGHT 183.0  /* and right edge */
#define LABEL_W 41.0 /* the label column */
#define QR_MODULE 1.5 /* points: zbar reads it from a 150 dpi render (print/qr.h) */
#define QR_MAX_MODULES 105 /* version 22: 60 mm with its quiet zone */

static const struct sk_rgb NAVY = { 0.11, 0.20, 0.38 };
static const struct sk_rgb GOLD = { 0.70, 0.55, 0.26 };
static const struct sk_rgb TINT = { 0.84, 0.88, 0.94 };
static const struct sk_rgb WHITE = { 1, 1, 1 };

/* ---- the texts ---- */

enum msg {
	M_TITLE, M_NAME, M_DOB, M_NATIONALITY, M_TEST, M_PASSED, M_NUMBER, M_ISSUED, M_ISSUER,
	M_KICKER_1, M_KICKER_2, M_LEVEL_1, M_LEVEL_2, M_FIELD, M_STATEMENT, M_VERIFY,
	NMSGS
};

/* TRANSLATORS: the pass certificate (print/certificate.c), a formal
 * document printed in Japanese and English; the Japanese is printed as
 * translated here. */
static const char *const msgs[NMSGS] = {
	[M_TITLE] = N_("Certificate of Passing"),
	[M_NAME] = N_("Name"),
	[M_DOB] = N_("Date of birth"),
	[M_NATIONALITY] = N_("Nationality"),
	[M_TEST] = N_("Test category"),
	[M_PASSED] = N_("Date passed"),
	[M_NUMBER] = N_("Certificate No."),
	[M_ISSUED] = N_("Date of issue"),
	[M_ISSUER] = N_("Issued by"),
	[M_KICKER_1] = N_("Specified Skilled Worker (i) Evaluation Test"),
	[M_KICKER_2] = N_("Specified Skilled Worker (ii) Evaluation Test"),
	[M_LEVEL_1] = N_("Specified Skilled Worker (i)"),
	[M_LEVEL_2] = N_("Specified Skilled Worker (ii)"),
	[M_FIELD] = N_("Industrial Product Manufacturing"),
	[M_STATEMENT] = N_("This is to certify that the person named above has passed the %s."),
	[M_VERIFY] = N_("Verify at"),
};

static const char *ja(int m)
{
	return sk_i18n_lookup("ja", msgs[m]);
}

static const char *en(int m)
{
	return msgs[m];
}

/* A template with one %s filled in (a catalog's text is data, never a
 * printf format). */
static char *fill(char *out, size_t cap, const char *tmpl, const char *arg)
{
	const char *p = strstr(tmpl, "%s");
	struct sk_buf b = SK_BUF_INIT;
	if (p) {
		sk_buf_add(&b, tmpl, (size_t)(p - tmpl));
		sk_buf_adds(&b, arg);
		sk_buf_adds(&b, p + 2);
	} else {
		sk_buf_adds(&b, tmpl);
	}
	/* Cut at a character boundary if it is too long (it never is). */
	size_t n = sk_buf_failed(&b) ? 0 : b.len < cap ? b.len : cap - 1;
	while (n && n < b.len && ((unsigned char)b.buf[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, b.buf, n);
	out[n] = '\0';
	sk_buf_release(&b);
	return out;
}

/* An error into err, translated before formatting as sk_db_fail does. */
__attribute__((format(printf, 4, 5))) static int failf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, sk_gettext(fmt), ap);
		va_end(ap);
	}
	return code;
}

/* ---- vector ornaments ---- */

static struct sk_paint stroke(double width, struct sk_rgb colour)
{
	struct sk_paint p = { .line_width = width, .stroke = colour, .round = 1 };
	return p;
}

static struct sk_paint filled(struct sk_rgb colour, enum sk_fill_rule rule)
{
	struct sk_paint p = { .fill = rule, .fill_color = colour };
	return p;
}

static void circle(struct sk_doc *doc, double cx, double cy, double r)
{
	sk_doc_arc(doc, cx, cy, r, 0, 2 * M_PI);
	sk_doc_close_path(doc);
}

static void rect_path(struct sk_doc *doc, double x, double y, double w, double h)
{
	sk_doc_move_to(doc, x, y);
	sk_doc_line_to(doc, x + w, y);
	sk_doc_line_to(doc, x + w, y + h);
	sk_doc_line_to(doc, x, y + h);
	sk_doc_close_path(doc);
}

/* A wave along the segment a-b: `periods` whole periods of a sine of
 * amplitude `amp` across it, starting upwards (flip 0) or downwards
 * (flip 1). Each half period is one cubic, control points at 0.4058 of
 * its length from either end and 1.33 amp out, within 0.5 % of the sine:
 * a fraction of the numbers four pieces a period would take. Starts a new
 * subpath. */
static void wave(struct sk_doc *doc, double ax, double ay, double bx, double by, double amp, int periods, int flip)
{
	const double dx = bx - ax, dy = by - ay, len = hypot(dx, dy);
	const double nx = -dy / len, ny = dx / len, halves = 2.0 * periods;
	sk_doc_move_to(doc, ax, ay);
	for (int i = 0; i < 2 * periods; i++) {
		double t0 = i / halves, t1 = (i + 1) / halves, h = t1 - t0;
		double o = ((i + flip) % 2 ? -1.33 : 1.33) * amp;
		double u1 = t0 + 0.4058 * h, u2 = t1 - 0.4058 * h;
		sk_doc_curve_to(doc, ax + dx * u1 + nx * o, ay + dy * u1 + ny * o, ax + dx * u2 + nx * o,
				ay + dy * u2 + ny * o, ax + dx * t1, ay + dy * t1);
	}
}

/* The border: a heavy outer rule, a band of two interlaced waves, an inner
 * double rule, and a rosette at each corner. */
static void border(struct sk_doc *doc)
{
	const double W = A4_W, H = A4_H;
	struct sk_paint p;

	sk_doc_path_begin(doc);
	rect_path(doc, MM(OUTER), MM(OUTER), W - 2 * MM(OUTER), H - 2 * MM(OUTER));
	p = stroke(2.2, NAVY);
	p.round = 0;
	sk_doc_path_end(doc, &p);

	/* The band: each side an exact number of periods, corner to corner. */
	const double b = MM(BAND), amp = MM(1.55);
	const double corners[5][2] = { { b, b }, { W - b, b }, { W - b, H - b }, { b, H - b }, { b, b } };
	for (int phase = 0; phase < 2; phase++) {
		sk_doc_path_begin(doc);
		for (int side = 0; side < 4; side++) {
			const double *a = corners[side], *e = corners[side + 1];
			int periods = (int)lround(hypot(e[0] - a[0], e[1] - a[1]) / MM(8));
			wave(doc, a[0], a[1], e[0], e[1], amp, periods, phase);
		}
		p = stroke(0.55, GOLD);
		sk_doc_path_end(doc, &p);
	}

	sk_doc_path_begin(doc);
	rect_path(doc, MM(INNER), MM(INNER), W - 2 * MM(INNER), H - 2 * MM(INNER));
	p = stroke(0.9, NAVY);
	p.round = 0;
	sk_doc_path_end(doc, &p);
	sk_doc_path_begin(doc);
	rect_path(doc, MM(INNER + 1.1), MM(INNER + 1.1), W - 2 * MM(INNER + 1.1), H - 2 * MM(INNER + 1.1));
	p = stroke(0.35, NAVY);
	p.round = 0;
	sk_doc_path_end(doc, &p);

	/* Corners: a square over the band's ends with a small four-petal
	 * rosette in it. */
	for (int c = 0; c < 4; c++) {
		const double cx = corners[c][0], cy = corners[c][1], s = MM(3.4);
		sk_doc_path_begin(doc);
		rect_path(doc, cx - s, cy - s, 2 * s, 2 * s);
		p = filled(WHITE, SK_FILL_NONZERO);
		p.line_width = 1.0;
		p.stroke = NAVY;
		sk_doc_path_end(doc, &p);
		sk_doc_path_begin(doc);
		for (int k = 0; k < 4; k++) {
			double a = k * M_PI / 2 + M_PI / 4;
			circle(doc, cx + MM(1.05) * cos(a), cy + MM(1.05) * sin(a), MM(1.05));
		}
		p = filled(GOLD, SK_FILL_NONZERO);
		sk_doc_path_end(doc, &p);
		sk_doc_path_begin(doc);
		circle(doc, cx, cy, MM(0.55));
		p = filled(NAVY, SK_FILL_NONZERO);
		sk_doc_path_end(doc, &p);
	}
}

/* A guilloche rosette: n circles through the centre, turned evenly, in a
 * faint tint behind the text. */
static void rosette(struct sk_doc *doc, double cx, double cy, double r, int n)
{
	sk_doc_path_begin(doc);
	for (int i = 0; i < n; i++) {
		double a = 2 * M_PI * i / n;
		circle(doc, cx + r / 2 * cos(a), cy + r / 2 * sin(a), r / 2);
	}
	circle(doc, cx, cy, r);
	struct sk_paint p = stroke(0.4, TINT);
	sk_doc_path_end(doc, &p);
}

/* (x, y) turned by angle a about (cx, cy), into out. */
static void turn(double out[2], double cx, double cy, double a, double x, double y)
{
	out[0] = cx + x * cos(a) - y * sin(a);
	out[1] = cy + x * sin(a) + y * cos(a);
}

/* One cherry-blossom petal from the centre outwards at angle a: rounded
 * sides and the notch at its tip. */
static void petal(struct sk_doc *doc, double cx, double cy, double a, double len, double wid)
{
	/* In the petal's own frame: out along -y, the notch at the top. */
	static const double pts[][2] = {
		{ 0, 0 },
		{ -0.70, -0.30 }, { -0.62, -0.92 }, { -0.20, -1.00 },
		{ 0, -0.84 },
		{ 0.20, -1.00 }, { 0.62, -0.92 }, { 0.70, -0.30 }, { 0, 0 },
	};
	double q[9][2];
	for (int i = 0; i < 9; i++)
		turn(q[i], cx, cy, a, pts[i][0] * wid, pts[i][1] * len);
	sk_doc_move_to(doc, q[0][0], q[0][1]);
	sk_doc_curve_to(doc, q[1][0], q[1][1], q[2][0], q[2][1], q[3][0], q[3][1]);
	sk_doc_line_to(doc, q[4][0], q[4][1]);
	sk_doc_line_to(doc, q[5][0], q[5][1]);
	sk_doc_curve_to(doc, q[6][0], q[6][1], q[7][0], q[7][1], q[8][0], q[8][1]);
	sk_doc_close_path(doc);
}

/* The emblem, radius R at (cx, cy): a gear ring (manufacturing), a fine
 * ring of dots, and a five-petal cherry blossom at the heart. */
static void emblem(struct sk_doc *doc, double cx, double cy, double R)
{
	const int teeth = 24;
	const double pitch = 2 * M_PI / teeth, r_tip = R, r_root = 0.86 * R, r_hole = 0.70 * R;
	struct sk_paint p;

	/* The gear: tips and roots as arcs joined by straight flanks, the
	 * bore cut out (even-odd). */
	sk_doc_path_begin(doc);
	for (int i = 0; i < teeth; i++) {
		double a = i * pitch - M_PI / 2;
		sk_doc_arc(doc, cx, cy, r_tip, a - 0.19 * pitch, a + 0.19 * pitch);
		sk_doc_arc(doc, cx, cy, r_root, a + 0.31 * pitch, a + 0.69 * pitch);
	}
	sk_doc_close_path(doc);
	circle(doc, cx, cy, r_hole);
	p = filled(NAVY, SK_FILL_EVENODD);
	sk_doc_path_end(doc, &p);

	/* A gold line just inside the bore, and a ring of dots. */
	sk_doc_path_begin(doc);
	circle(doc, cx, cy, 0.64 * R);
	p = stroke(0.9, GOLD);
	sk_doc_path_end(doc, &p);
	sk_doc_path_begin(doc);
	for (int i = 0; i < 36; i++) {
		double a = 2 * M_PI * i / 36;
		circle(doc, cx + 0.575 * R * cos(a), cy + 0.575 * R * sin(a), 0.018 * R);
	}
	p = filled(NAVY, SK_FILL_NONZERO);
	sk_doc_path_end(doc, &p);

	/* The blossom: five petals, a white star of stamens, a gold heart. */
	sk_doc_path_begin(doc);
	for (int i = 0; i < 5; i++)
		petal(doc, cx, cy, 2 * M_PI * i / 5, 0.50 * R, 0.36 * R);
	p = filled(NAVY, SK_FILL_NONZERO);
	sk_doc_path_end(doc, &p);
	sk_doc_path_begin(doc);
	for (int i = 0; i < 5; i++) {
		double a = 2 * M_PI * i / 5 + M_PI / 5 - M_PI / 2, x = cx + 0.20 * R * cos(a), y = cy + 0.20 * R * sin(a);
		sk_doc_move_to(doc, cx, cy);
		sk_doc_line_to(doc, x, y);
	}
	p = stroke(0.6, WHITE);
	sk_doc_path_end(doc, &p);
	sk_doc_path_begin(doc);
	for (int i = 0; i < 5; i++) {
		double a = 2 * M_PI * i / 5 + M_PI / 5 - M_PI / 2;
		circle(doc, cx + 0.21 * R * cos(a), cy + 0.21 * R * sin(a), 0.03 * R);
	}
	circle(doc, cx, cy, 0.075 * R);
	p = filled(GOLD, SK_FILL_NONZERO);
	sk_doc_path_end(doc, &p);
}

/* ---- layout ---- */

struct ctx {
	struct sk_doc *doc;
	const struct sk_fontset *fs;
	int dry;    /* measure the page, draw nothing */
	double gap; /* vertical spacing, 1 at full size: less when the text is long */
	char *err;
	size_t errlen;
	int rc;
};

static struct sk_style mincho(double size)
{
	struct sk_style s = { .face = SK_FACE_MINCHO, .size = size, .leading = 1.45 };
	return s;
}

static struct sk_style sans(double size, int bold)
{
	struct sk_style s = { .face = bold ? SK_FACE_SANS_BOLD : SK_FACE_SANS, .size = size, .leading = 1.3 };
	return s;
}

static struct sk_style aligned(struct sk_style s, enum sk_align a)
{
	s.align = a;
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

static double height(const struct sk_piece *p)
{
	return p->ready ? p->b.height : 0;
}

static double first_baseline(const struct sk_piece *p)
{
	return p->ready && p->b.nlines ? p->b.lines[0].baseline : 0;
}

static void draw(struct ctx *c, const struct sk_piece *p, double x, double y, double box_width)
{
	if (!c->dry)
		sk_piece_draw(c->doc, p, x, y, box_width);
}

static const char *const months[] = { "January", "February", "March",     "April",   "May",      "June",
				      "July",    "August",   "September", "October", "November", "December" };

static void date_texts(char ja_out[40], char en_out[40], const char *iso)
{
	struct sk_date d;
	if (sk_date_parse(&d, iso)) {
		snprintf(ja_out, 40, "%s", iso);
		snprintf(en_out, 40, "%s", iso);
		return;
	}
	snprintf(ja_out, 40, "%d年%d月%d日", d.year, d.month, d.day);
	snprintf(en_out, 40, "%d %s %d", d.day, months[(d.month + 11) % 12], d.year);
}

/* The rows of the table of particulars. */
enum { R_NAME, R_DOB, R_NATIONALITY, R_TEST, R_PASSED, R_NUMBER, NROWS };

enum {
	P_NUMBER_TOP, P_NAME, P_DOB_JA, P_DOB_EN, P_NAT_JA, P_NAT_EN, P_TEST_JA, P_TEST_EN, P_PASSED_JA, P_PASSED_EN,
	P_NUMBER, P_STATEMENT_JA, P_STATEMENT_EN, P_ISSUED_JA, P_ISSUED_EN, P_ISSUER_JA, P_ISSUER_EN,
	P_QR_NUMBER, P_VERIFY, P_LABEL_JA, P_LABEL_EN = P_LABEL_JA + NROWS, P_ISSUER_LABEL_JA = P_LABEL_EN + NROWS,
	P_ISSUER_LABEL_EN, NPIECES
};

struct cert {
	struct sk_cert stored;
	struct sk_cert_check check;
	struct sk_keyring ring;
	struct sk_registration reg;
	char *base_url, *url, *issuer_ja, *issuer_en;
	struct sk_piece pc[NPIECES];
};

static void cert_free(struct cert *ct)
{
	for (int i = 0; i < NPIECES; i++)
		sk_piece_release(&ct->pc[i]);
	sk_cert_check_release(&ct->check);
	sk_keyring_release(&ct->ring);
	sk_cert_release(&ct->stored);
	free(ct->base_url);
	free(ct->url);
	free(ct->issuer_ja);
	free(ct->issuer_en);
	free(ct);
}

/* Lay out every text of the page. */
static int lay_all(struct ctx *c, struct cert *ct)
{
	const struct sk_cert_claims *cl = &ct->check.claims;
	struct sk_piece *pc = ct->pc;
	const double label_w = MM(LABEL_W) - 4, value_w = MM(RIGHT - LEFT - LABEL_W);
	char who[64], buf[1024], buf2[1024], dja[40], den[40];
	snprintf(who, sizeof(who), "certificate %s", cl->number);
	int level2 = cl->level == 2;

	snprintf(buf, sizeof(buf), "%s　%s", ja(M_NUMBER), cl->number);
	lay(c, &pc[P_NUMBER_TOP], aligned(mincho(8.5), SK_ALIGN_RIGHT), buf, 0, who, "cert");
	static const int labels[NROWS] = { M_NAME, M_DOB, M_NATIONALITY, M_TEST, M_PASSED, M_NUMBER };
	for (int r = 0; r < NROWS; r++) {
		lay(c, &pc[P_LABEL_JA + r], mincho(10.5), ja(labels[r]), label_w, "certificate", "label");
		struct sk_style ls = mincho(7.5);
		lay(c, &pc[P_LABEL_EN + r], ls, en(labels[r]), label_w, "certificate", "label");
	}

	/* The name as in the passport, on one line at 22 pt down to 12 pt, else
	 * wrapped at 12 pt. */
	snprintf(buf, sizeof(buf), "%s%s%s", cl->family_name, *cl->given_name ? " " : "", cl->given_name);
	for (double size = 22;; size -= 1) {
		if (lay(c, &pc[P_NAME], sans(size, 1), buf, value_w, who, "family_name, given_name"))
			return c->rc;
		if (pc[P_NAME].b.nlines == 1 || size <= 12)
			break;
		sk_piece_release(&pc[P_NAME]);
	}

	date_texts(dja, den, cl->birthdate);
	lay(c, &pc[P_DOB_JA], mincho(13), dja, value_w, who, "birthdate");
	lay(c, &pc[P_DOB_EN], mincho(9.5), den, value_w, who, "birthdate");

	const struct sk_country *nat = sk_country_find(ct->reg.nationality);
	lay(c, &pc[P_NAT_JA], mincho(13), nat ? nat->name_ja : ct->reg.nationality, value_w, "registration", "nationality");
	lay(c, &pc[P_NAT_EN], mincho(9.5), nat ? nat->name_en : ct->reg.nationality, value_w, "registration",
	    "nationality");

	snprintf(buf, sizeof(buf), "%s　%s", cl->category_ja, ja(level2 ? M_LEVEL_2 : M_LEVEL_1));
	lay(c, &pc[P_TEST_JA], mincho(13), buf, value_w, who, "test");
	snprintf(buf, sizeof(buf), "%s, %s", cl->category_en, en(level2 ? M_LEVEL_2 : M_LEVEL_1));
	lay(c, &pc[P_TEST_EN], mincho(9.5), buf, value_w, who, "test");
	if (!c->rc && pc[P_TEST_EN].b.nlines > 1) {
		/* The level on a line of its own rather than broken up. */
		sk_piece_release(&pc[P_TEST_EN]);
		snprintf(buf, sizeof(buf), "%s\n%s", cl->category_en, en(level2 ? M_LEVEL_2 : M_LEVEL_1));
		lay(c, &pc[P_TEST_EN], mincho(9.5), buf, value_w, who, "test");
	}

	date_texts(dja, den, cl->sitting_date);
	lay(c, &pc[P_PASSED_JA], mincho(13), dja, value_w, who, "sitting_date");
	lay(c, &pc[P_PASSED_EN], mincho(9.5), den, value_w, who, "sitting_date");

	lay(c, &pc[P_NUMBER], sans(13, 1), cl->number, value_w, who, "cert");

	/* The statement: the test named in full. */
	const double body_w = MM(RIGHT - LEFT);
	snprintf(buf2, sizeof(buf2), "%s（%s %s）", ja(level2 ? M_KICKER_2 : M_KICKER_1), ja(M_FIELD), cl->category_ja);
	fill(buf, sizeof(buf), ja(M_STATEMENT), buf2);
	lay(c, &pc[P_STATEMENT_JA], mincho(13.5), buf, body_w, who, "test");
	snprintf(buf2, sizeof(buf2), "%s (%s: %s)", en(level2 ? M_KICKER_2 : M_KICKER_1), en(M_FIELD), cl->category_en);
	fill(buf, sizeof(buf), en(M_STATEMENT), buf2);
	lay(c, &pc[P_STATEMENT_EN], mincho(10.5), buf, body_w, who, "test");

	/* Issued: the day in the token (UTC), and by whom. */
	char day[21];
	sk_time_format(day, (long long)cl->issued_at);
	day[10] = '\0';
	const double issuer_w = MM(RIGHT - 102);
	date_texts(dja, den, day);
	snprintf(buf, sizeof(buf), "%s　%s", ja(M_ISSUED), dja);
	lay(c, &pc[P_ISSUED_JA], mincho(11), buf, issuer_w, who, "iat");
	snprintf(buf, sizeof(buf), "%s: %s", en(M_ISSUED), den);
	lay(c, &pc[P_ISSUED_EN], mincho(8.5), buf, issuer_w, who, "iat");
	lay(c, &pc[P_ISSUER_LABEL_JA], mincho(9), ja(M_ISSUER), issuer_w, "certificate", "label");
	lay(c, &pc[P_ISSUER_LABEL_EN], mincho(7.5), en(M_ISSUER), issuer_w, "certificate", "label");
	/* The exam body's names on one line each if they can be: smaller
	 * type for a long name, down to 11 and 8 pt, then they wrap. */
	for (double size = 16;; size -= 0.5) {
		if (lay(c, &pc[P_ISSUER_JA], mincho(size), ct->issuer_ja, issuer_w, "setting", SK_CONFIG_ISSUER_NAME_JA) ||
		    pc[P_ISSUER_JA].b.nlines == 1 || size <= 11)
			break;
		sk_piece_release(&pc[P_ISSUER_JA]);
	}
	for (double size = 10;; size -= 0.5) {
		if (lay(c, &pc[P_ISSUER_EN], mincho(size), ct->issuer_en, issuer_w, "setting", SK_CONFIG_ISSUER_NAME_EN) ||
		    pc[P_ISSUER_EN].b.nlines == 1 || size <= 8)
			break;
		sk_piece_release(&pc[P_ISSUER_EN]);
	}

	/* Under the QR code: the number, and where to check it. */
	const double qr_w = MM(68);
	snprintf(buf, sizeof(buf), "%s　%s %s", ja(M_NUMBER), en(M_NUMBER), cl->number);
	lay(c, &pc[P_QR_NUMBER], mincho(8), buf, qr_w, who, "cert");
	snprintf(buf, sizeof(buf), "%s　%s %s", ja(M_VERIFY), en(M_VERIFY), ct->base_url);
	lay(c, &pc[P_VERIFY], mincho(7.5), buf, qr_w, "setting", SK_CONFIG_BASE_URL);
	return c->rc;
}

/* The title, one character at a time with room between them, centred on
 * cx with its top at y. Returns the height. */
static double spaced_title(struct ctx *c, const char *text, struct sk_style st, double cx, double y, double gap)
{
	char chars[64][8];
	double w[64], total = 0, h = 0;
	size_t n = 0;
	for (const char *p = text; *p && n < 64; n++) {
		int cp;
		size_t k = sk_utf8_decode(p, &cp);
		if (!k || k > 4)
			break;
		memcpy(chars[n], p, k);
		chars[n][k] = '\0';
		p += k;
		/* Measured through the layout, which picks the face; a space
		 * (which a line drops at its end) is a quarter em. */
		w[n] = cp == ' ' ? st.size * 0.25 : sk_text_measure(c->fs, &st, chars[n]);
		if (w[n] < 0)
			w[n] = st.size;
		total += w[n] + (n ? gap : 0);
	}
	double x = cx - total / 2;
	for (size_t i = 0; i < n; i++) {
		if (chars[i][0] != ' ') {
			double used = sk_text_put(c->doc, &st, chars[i], x, y, w[i] + 1, c->err, c->errlen);
			if (used > h)
				h = used;
		}
		x += w[i] + gap;
	}
	return h;
}

/* The drawing every certificate shares, as a group: border, rosette,
 * emblem and the rule under the title. It holds no text, so its bytes are
 * the same in every file and are compressed once a run (print/doc.c). */
static int frame(struct ctx *c, uint64_t key)
{
	if (sk_doc_group_exists(c->doc, key))
		return 0;
	int rc = sk_doc_group_begin(c->doc, key);
	if (rc)
		return rc;
	const double cx = A4_W / 2;
	border(c->doc);
	rosette(c->doc, cx, MM(145), MM(62), 30);
	emblem(c->doc, cx, MM(37.5), MM(12.5));
	/* A rule with a diamond at its centre. */
	double ry = MM(80.5), half = MM(42);
	struct sk_paint p = stroke(0.6, GOLD);
	sk_doc_path_begin(c->doc);
	sk_doc_move_to(c->doc, cx - half, ry);
	sk_doc_line_to(c->doc, cx - MM(3), ry);
	sk_doc_move_to(c->doc, cx + MM(3), ry);
	sk_doc_line_to(c->doc, cx + half, ry);
	sk_doc_path_end(c->doc, &p);
	sk_doc_path_begin(c->doc);
	sk_doc_move_to(c->doc, cx, ry - MM(1.6));
	sk_doc_line_to(c->doc, cx + MM(1.6), ry);
	sk_doc_line_to(c->doc, cx, ry + MM(1.6));
	sk_doc_line_to(c->doc, cx - MM(1.6), ry);
	sk_doc_close_path(c->doc);
	p = filled(GOLD, SK_FILL_NONZERO);
	sk_doc_path_end(c->doc, &p);
	sk_doc_group_end(c->doc);
	return 0;
}

static void hairline(struct ctx *c, double x1, double y, double x2, struct sk_rgb colour, double width)
{
	struct sk_paint p = stroke(width, colour);
	p.round = 0;
	if (c->dry)
		return;
	sk_doc_path_begin(c->doc);
	sk_doc_move_to(c->doc, x1, y);
	sk_doc_line_to(c->doc, x2, y);
	sk_doc_path_end(c->doc, &p);
}

/* Japanese then English with their first baselines on `base`: side by
 * side when both are one line and fit in width (and not `stack`), else
 * the English under the Japanese. Returns where it ends. */
static double pair_at(struct ctx *c, const struct sk_piece *j, const struct sk_piece *e, double x, double base,
		      double width, double gap, int stack)
{
	double jt = base - first_baseline(j);
	draw(c, j, x, jt, 0);
	if (!e)
		return jt + height(j);
	if (!stack && j->b.nlines == 1 && e->b.nlines == 1 && j->b.width + gap + e->b.width <= width) {
		double et = base - first_baseline(e);
		draw(c, e, x + j->b.width + gap, et, 0);
		return fmax(jt + height(j), et + height(e));
	}
	draw(c, e, x, jt + height(j) - 1, 0);
	return jt + height(j) - 1 + height(e);
}

/* The symbol for url: level M (15 % may be lost to a fold or a stain)
 * while it stays within QR_MAX_MODULES, else L; NULL when even L is
 * larger (a base URL far longer than usual). */
static struct sk_qr *cert_qr(const char *url)
{
	for (int ec = SK_QR_EC_M; ec >= SK_QR_EC_L; ec--) {
		struct sk_qr *q = sk_qr_encode_ec(url, (enum sk_qr_ec)ec);
		if (q && sk_qr_width(q) <= QR_MAX_MODULES)
			return q;
		sk_qr_free(q);
	}
	return NULL;
}

/* Everything but the frame; *bottom receives the lowest point drawn,
 * *pushed whether the text above pushed the foot off the bottom margin. */
static int draw_page(struct ctx *c, struct cert *ct, const struct sk_qr *qr, double *bottom, int *pushed)
{
	struct sk_piece *pc = ct->pc;
	const double left = MM(LEFT), right = MM(RIGHT), value_x = MM(LEFT + LABEL_W);

	draw(c, &pc[P_NUMBER_TOP], left, MM(20.5), right - left);

	/* The particulars: label and value, each Japanese then English, a
	 * fine rule under each row. Labels and values share the first
	 * baseline; the row ends under whichever reaches lower. */
	const double g = c->gap;
	double y = MM(86);
	const int value_ja[NROWS] = { P_NAME, P_DOB_JA, P_NAT_JA, P_TEST_JA, P_PASSED_JA, P_NUMBER };
	const int value_en[NROWS] = { -1, P_DOB_EN, P_NAT_EN, P_TEST_EN, P_PASSED_EN, -1 };
	for (int r = 0; r < NROWS; r++) {
		const struct sk_piece *vj = &pc[value_ja[r]], *ve = value_en[r] >= 0 ? &pc[value_en[r]] : NULL;
		const struct sk_piece *lj = &pc[P_LABEL_JA + r], *le = &pc[P_LABEL_EN + r];
		double base = y + MM(2) * g + fmax(first_baseline(vj), first_baseline(lj));
		double end = fmax(pair_at(c, lj, le, left, base, MM(LABEL_W) - 4, MM(1.5), 0),
				  pair_at(c, vj, ve, value_x, base, right - value_x, MM(3), r == R_TEST));
		y = end + MM(2) * g;
		hairline(c, left, y, right, r == R_NAME ? GOLD : TINT, r == R_NAME ? 0.8 : 0.6);
	}

	/* The statement. */
	y += MM(6) * g;
	draw(c, &pc[P_STATEMENT_JA], left, y, 0);
	y += height(&pc[P_STATEMENT_JA]) + MM(1.5);
	draw(c, &pc[P_STATEMENT_EN], left, y, 0);
	y += height(&pc[P_STATEMENT_EN]);

	/* The foot: the QR code at the left with the number under it; the
	 * date of issue and the exam body at the right. It stands on the
	 * bottom margin unless the text above reaches that far. */
	const double qs = sk_qr_side(qr, QR_MODULE), qx = left - QR_MODULE * SK_QR_QUIET;
	const double foot_h = qs - QR_MODULE * SK_QR_QUIET + MM(1.2) + height(&pc[P_QR_NUMBER]) + height(&pc[P_VERIFY]);
	const double foot = fmax(y + MM(7) * g, A4_H - MM(INNER + 6) - foot_h);
	*pushed = y + MM(7) * g > A4_H - MM(INNER + 6) - foot_h;
	if (!c->dry && sk_qr_put(c->doc, qr, qx, foot, QR_MODULE) < 0)
		return c->rc = SK_ENOMEM;
	const double qr_bottom = foot + qs - QR_MODULE * SK_QR_QUIET;
	draw(c, &pc[P_QR_NUMBER], left, qr_bottom + MM(1.2), 0);
	draw(c, &pc[P_VERIFY], left, qr_bottom + MM(1.2) + height(&pc[P_QR_NUMBER]), 0);
	*bottom = qr_bottom + MM(1.2) + height(&pc[P_QR_NUMBER]) + height(&pc[P_VERIFY]);

	const double ix = MM(102);
	double iy = foot + MM(8) * g;
	draw(c, &pc[P_ISSUED_JA], ix, iy, 0);
	iy += height(&pc[P_ISSUED_JA]);
	draw(c, &pc[P_ISSUED_EN], ix, iy, 0);
	iy += height(&pc[P_ISSUED_EN]) + MM(9) * g;
	draw(c, &pc[P_ISSUER_LABEL_JA], ix, iy, 0);
	iy += height(&pc[P_ISSUER_LABEL_JA]) - 1;
	draw(c, &pc[P_ISSUER_LABEL_EN], ix, iy, 0);
	iy += height(&pc[P_ISSUER_LABEL_EN]) + MM(2);
	draw(c, &pc[P_ISSUER_JA], ix, iy, 0);
	iy += height(&pc[P_ISSUER_JA]);
	hairline(c, ix, iy + MM(0.5), right, NAVY, 0.5);
	draw(c, &pc[P_ISSUER_EN], ix, iy + MM(1.5), 0);
	*bottom = fmax(*bottom, iy + MM(1.5) + height(&pc[P_ISSUER_EN]));
	return c->rc;
}

int sk_print_certificate(struct sk_db *db, const char *exam_number, const struct sk_print_opts *o,
			 struct sk_doc *doc, char *err, size_t errlen)
{
	struct ctx c = { .doc = doc, .fs = sk_doc_fonts(doc), .err = err, .errlen = errlen };
	struct sk_qr *qr = NULL;
	(void)o;
	if (err && errlen)
		err[0] = '\0';
	if (fabs(sk_doc_width(doc) - A4_W) > 1 || fabs(sk_doc_height(doc) - A4_H) > 1)
		return failf(err, errlen, SK_EINVAL, N_("certificates are printed on A4 portrait only"));
	struct cert *ct = calloc(1, sizeof(*ct));
	if (!ct)
		return SK_ENOMEM;
	int rc = sk_cert_of_registration(db, exam_number, &ct->stored);
	if (rc == SK_ENOTFOUND) {
		rc = failf(err, errlen, SK_ENOTFOUND,
			   N_("registration %s has no certificate (shiken cert issue issues them)"), exam_number);
		goto done;
	}
	if (rc) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		goto done;
	}
	if (strcmp(ct->stored.status, "valid")) {
		rc = failf(err, errlen, SK_ECONFLICT, N_("certificate %s (%s) is revoked: not printed"), ct->stored.number,
			   exam_number);
		goto done;
	}
	if (!(ct->base_url = sk_cert_base_url(db)) || (rc = sk_registration_get(db, exam_number, &ct->reg)) ||
	    (rc = sk_keys_keyring(db, &ct->ring))) {
		rc = rc ? rc : db->err;
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		goto done;
	}
	/* Print only what verifies: the token as the registry checks it. */
	struct sk_cert_verify_opts vo = { .keys = &ct->ring, .db = db };
	if ((rc = sk_cert_verify(&ct->check, ct->stored.token, strlen(ct->stored.token), &vo))) {
		snprintf(err, errlen, "%s", sk_db_errmsg(db));
		goto done;
	}
	if (ct->check.verdict != SK_VERDICT_VALID) {
		rc = failf(err, errlen, SK_EVERIFY, N_("certificate %s: its token does not verify (%s): not printed"),
			   ct->stored.number, sk_verdict_code(ct->check.verdict));
		goto done;
	}
	if (!(ct->url = sk_cert_url(ct->base_url, ct->stored.token)) ||
	    !(ct->issuer_ja = sk_cert_issuer_name(db, "ja")) || !(ct->issuer_en = sk_cert_issuer_name(db, "en"))) {
		rc = SK_ENOMEM;
		goto done;
	}
	if (!(qr = cert_qr(ct->url))) {
		rc = failf(err, errlen, SK_ERANGE,
			   N_("certificate %s: its URL (%zu characters) is too long for the QR code: shorten cert.base_url"),
			   ct->stored.number, strlen(ct->url));
		goto done;
	}
	if ((rc = lay_all(&c, ct)))
		goto done;
	/* Measure first: the spacing as generous as the page allows with the
	 * foot on the bottom margin, tightened when long text needs the room,
	 * and everything inside the border. */
	static const double gaps[] = { 1.6, 1.3, 1, 0.6, 0.3 };
	double bottom = 0;
	int pushed = 0;
	for (size_t gi = 0;; gi++) {
		c.gap = gaps[gi];
		c.dry = 1;
		if ((rc = draw_page(&c, ct, qr, &bottom, &pushed)))
			goto done;
		c.dry = 0;
		if (bottom <= A4_H - MM(INNER + 3) && (gaps[gi] <= 1 || !pushed))
			break;
		if (gi + 1 == sizeof(gaps) / sizeof(gaps[0])) {
			rc = failf(err, errlen, SK_ERANGE, N_("certificate %s does not fit on one page"), ct->stored.number);
			goto done;
		}
	}

	/* ---- drawing: nothing below meets an unknown character ---- */
	uint64_t key = SK_KEY_HASH(SK_KEY_CERT, sk_print_key_hash("certificate frame 1", 19));
	sk_doc_add_page(doc);
	if ((rc = frame(&c, key)))
		goto done;
	sk_doc_place(doc, key, 0, 0);
	/* The title, its characters spaced as on a formal certificate. */
	double ty = MM(53);
	ty += spaced_title(&c, ja(M_TITLE), mincho(33), A4_W / 2, ty, 33 * 0.32);
	spaced_title(&c, en(M_TITLE), mincho(14), A4_W / 2, ty - 2, 14 * 0.06);
	rc = draw_page(&c, ct, qr, &bottom, &pushed);
done:
	sk_qr_free(qr);
	cert_free(ct);
	if (rc && err && errlen && !err[0])
		snprintf(err, errlen, "%s", sk_strerror(rc));
	return rc;
}
