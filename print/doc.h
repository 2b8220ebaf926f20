/*
 * A document being laid out: pages of drawing operations in points, with the
 * origin at the top left and y growing down (the renderer turns them into
 * PDF coordinates). Nothing touches libharu until sk_doc_save(): by then
 * every character is known, so each font is subset with HarfBuzz to exactly
 * what the document uses before libharu embeds it, and text stays
 * searchable (a correct ToUnicode map is written for every font).
 *
 * Ownership: the doc owns its pages and copies every string and image it is
 * given. A doc is used by one thread; the fontset it borrows may be shared.
 */
#ifndef SK_DOC_H
#define SK_DOC_H

#include "print/font.h"

#include <stddef.h>
#include <stdint.h>

#define SK_MM(x) ((x) * 72.0 / 25.4)

struct sk_doc;

struct sk_page_size {
	const char *name;
	double width, height; /* points */
};

/* A4 (default), A3, B4, B5 (JIS), Letter; NULL if unknown. */
const struct sk_page_size *sk_page_size_find(const char *name);

struct sk_doc_opts {
	const struct sk_page_size *size; /* NULL: A4 portrait */
	const char *title, *author, *subject;
};

int sk_doc_new(struct sk_doc **out, const struct sk_fontset *fs, const struct sk_doc_opts *opts);
void sk_doc_free(struct sk_doc *doc);

const struct sk_fontset *sk_doc_fonts(const struct sk_doc *doc);
double sk_doc_width(const struct sk_doc *doc);
double sk_doc_height(const struct sk_doc *doc);

/* Start a new page; drawing goes to it. Returns its 0-based index. */
int sk_doc_add_page(struct sk_doc *doc);
int sk_doc_pages(const struct sk_doc *doc);
/* Draw on an earlier page (e.g. "page x of y" once all pages exist). */
void sk_doc_select_page(struct sk_doc *doc, int index);

/* Drawing. Gray: 0 black .. 1 white. Widths in points. */
void sk_doc_rect(struct sk_doc *doc, double x, double y, double w, double h, double line_width,
		 double stroke_gray, double fill_gray /* < 0: no fill */);
void sk_doc_line(struct sk_doc *doc, double x1, double y1, double x2, double y2, double width,
		 double gray);
void sk_doc_circle(struct sk_doc *doc, double cx, double cy, double r, double line_width,
		   double stroke_gray, double fill_gray);
/* Paths: outlines of straight lines and cubic Bézier curves, painted in
 * colour — emblems, ornaments. Between sk_doc_path_begin() and
 * sk_doc_path_end() the calls add to one path (several closed shapes may
 * make one path: a ring is two circles filled even-odd); _end paints it
 * with `paint` and starts nothing new. Coordinates as everywhere: points,
 * y down. A path painted in a group is placed with it. */
struct sk_rgb {
	double r, g, b; /* 0 .. 1 */
};

enum sk_fill_rule { SK_FILL_NONE, SK_FILL_NONZERO, SK_FILL_EVENODD };

struct sk_paint {
	double line_width;        /* <= 0: not stroked */
	struct sk_rgb stroke;
	enum sk_fill_rule fill;
	struct sk_rgb fill_color;
	int round;                /* round joins and caps (else mitred, butt) */
};

void sk_doc_path_begin(struct sk_doc *doc);
void sk_doc_move_to(struct sk_doc *doc, double x, double y);
void sk_doc_line_to(struct sk_doc *doc, double x, double y);
void sk_doc_curve_to(struct sk_doc *doc, double x1, double y1, double x2, double y2, double x3, double y3);
/* An arc of the circle at (cx, cy) with radius r from angle a0 to a1
 * (radians from the +x axis; as y grows down, growing angles turn
 * clockwise on the page; a1 < a0 turns the other way), as Bézier curves of
 * at most a quarter turn each. It starts with a line from the current
 * point, or a move when the path has none. */
void sk_doc_arc(struct sk_doc *doc, double cx, double cy, double r, double a0, double a1);
void sk_doc_close_path(struct sk_doc *doc);
void sk_doc_path_end(struct sk_doc *doc, const struct sk_paint *paint);

/* Filled cells of a grid with square cells of `module` points whose
 * top-left corner is at (x, y): `cells` holds n quads (column, row, width,
 * height) in cells — a QR code's modules, merged into runs. */
void sk_doc_cells(struct sk_doc *doc, double x, double y, double module, const uint16_t *cells, size_t n);
/* A run of text in one face with its baseline at y; cps are code points the
 * face has (layout checked it). */
void sk_doc_text_run(struct sk_doc *doc, enum sk_face face, double size, double x, double baseline,
		     const uint32_t *cps, size_t n, int bold);

/* Grey level (0 black .. 1 white) of text runs from now on (default 0). */
void sk_doc_text_gray(struct sk_doc *doc, double gray);

/* A colour (0xRRGGBB) to pass wherever a grey level is taken above: the
 * value stands for it in this document only. A document holds 64
 * colours; past that a colour's grey is returned. */
double sk_doc_color(struct sk_doc *doc, uint32_t rgb);

/* Images (PNG or JPEG bytes), placed in the box w x h at (x, y). The same
 * bytes drawn twice are embedded once. */
int sk_doc_image(struct sk_doc *doc, const unsigned char *data, size_t len, double x, double y,
		 double w, double h);

/* Groups: drawing recorded once and placed many times. Between
 * sk_doc_group_begin() and sk_doc_group_end() drawing goes into the group,
 * in coordinates relative to its top-left corner; sk_doc_place() puts it on
 * the current page. In the PDF a group is one shared content stream, written
 * (and compressed) once however often it is placed — a question set once
 * for a sitting and placed on every paper that carries it.
 * Groups may not nest. Keys are the caller's: a key already used in the
 * document is refused (SK_EINVAL). */
int sk_doc_group_begin(struct sk_doc *doc, uint64_t key);
void sk_doc_group_end(struct sk_doc *doc);
int sk_doc_group_exists(const struct sk_doc *doc, uint64_t key);
void sk_doc_place(struct sk_doc *doc, uint64_t key, double x, double y);
/* A number kept with a group for whoever places it (e.g. where the
 * variable part goes); 0 if never set. */
void sk_doc_group_set_note(struct sk_doc *doc, uint64_t key, double note);
double sk_doc_group_note(const struct sk_doc *doc, uint64_t key);

/* Write the PDF. Returns 0, or an SK_E* code with a reason in doc's error. */
int sk_doc_save(struct sk_doc *doc, const char *path);
/* The same into memory: *out is malloc'd. */
int sk_doc_save_mem(struct sk_doc *doc, unsigned char **out, size_t *out_len);

/* Why the last call failed. */
const char *sk_doc_error(const struct sk_doc *doc);

#endif
