/*
 * The display list and the PDF renderer. Pages are lists of operations; at
 * save time each face the document used is subset with HarfBuzz to its code
 * points and embedded as a CID-keyed TrueType font with its own widths and
 * ToUnicode map; libharu holds the objects and writes the file.
 */
#define _GNU_SOURCE
#include "print/doc.h"
#include "core/buf.h"
#include "core/error.h"

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

static const struct sk_page_size sizes[] = {
	{ "A4", 595.2756, 841.8898 },
	{ "A3", 841.8898, 1190.5512 },
	{ "B4", 728.5039, 1031.8110 }, /* JIS B4 257 x 364 mm */
	{ "B5", 515.9055, 728.5039 },  /* JIS B5 182 x 257 mm */
	{ "Letter", 612, 792 },
};

const struct sk_page_size *sk_page_size_find(const char *name)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (!strcasecmp(sizes[i].name, name))
			return &sizes[i];
	return NULL;
}

enum op_kind { OP_RECT, OP_LINE, OP_CIRCLE, OP_TEXT, OP_IMAGE, OP_GROUP, OP_CELLS, OP_PATH };

/* A path as stored in its op: the paint first (PATH_HEAD numbers: line
 * width, stroke r g b, fill rule, fill r g b, round), then segments, each
 * a verb followed by its points. Kept out of struct op, which every glyph
 * run of a 6,000-page bundle pays for. */
enum { SEG_MOVE, SEG_LINE, SEG_CURVE, SEG_CLOSE };
#define PATH_HEAD 9

struct op {
	enum op_kind kind;
	double x, y, w, h, lw;
	float stroke, fill;
	int face, bold, image;
	float gray;
	double size;
	uint32_t *cps;
	size_t ncps;  /* code points; for OP_PATH, numbers in path */
	double *path; /* OP_PATH */
};

struct page {
	struct op *ops;
	size_t count, alloc;
};

struct group {
	uint64_t key;
	double note;
	struct page ops;
};

struct image {
	unsigned char hash[16];
	unsigned char *data;
	size_t len;
	int png;
};

struct sk_doc {
	const struct sk_fontset *fs;
	double width, height;
	char *title, *author, *subject;
	struct page *pages;
	size_t npages, apages;
	size_t current;
	struct group *groups;
	size_t ngroups, agroups;
	/* Open addressing over group indexes + 1 (0 empty), by key. */
	uint32_t *gindex;
	size_t gcap;
	int recording; /* index of the group being recorded + 1, or 0 */
	struct image *images;
	size_t nimages, aimages;
	/* Code points used per face: a BMP bitmap and a list for the rest. */
	unsigned char used_bmp[SK_FACE_COUNT][65536 / 8];
	uint32_t *used_astral[SK_FACE_COUNT];
	size_t nastral[SK_FACE_COUNT];
	int face_used[SK_FACE_COUNT];
	float text_gray;
	uint32_t palette[64]; /* colours, by sk_doc_color() */
	int npalette;
	/* The path being built (sk_doc_path_begin .. _end), in the stored
	 * form; has_point once it has a current point. */
	double *path;
	size_t npath, apath;
	int has_point;
	int failed;
	char error[256];
};

static int fail(struct sk_doc *doc, int code, const char *fmt, const char *arg)
{
	snprintf(doc->error, sizeof(doc->error), fmt, arg ? arg : "");
	return code;
}

int sk_doc_new(struct sk_doc **out, const struct sk_fontset *fs, const struct sk_doc_opts *opts)
{
	*out = NULL;
	struct sk_doc *doc = calloc(1, sizeof(*doc));
	if (!doc)
		return SK_ENOMEM;
	const struct sk_page_size *size = opts && opts->size ? opts->size : &sizes[0];
	doc->fs = fs;
	doc->width = size->width;
	doc->height = size->height;
	if (opts) {
		doc->title = opts->title ? strdup(opts->title) : NULL;
		doc->author = opts->author ? strdup(opts->author) : NULL;
		doc->subject = opts->subject ? strdup(opts->subject) : NULL;
	}
	*out = doc;
	return 0;
}

void sk_doc_free(struct sk_doc *doc)
{
	if (!doc)
		return;
	for (size_t p = 0; p < doc->npages; p++) {
		for (size_t i = 0; i < doc->pages[p].count; i++) {
			free(doc->pages[p].ops[i].cps);
			free(doc->pages[p].ops[i].path);
		}
		free(doc->pages[p].ops);
	}
	free(doc->pages);
	for (size_t g = 0; g < doc->ngroups; g++) {
		for (size_t i = 0; i < doc->groups[g].ops.count; i++) {
			free(doc->groups[g].ops.ops[i].cps);
			free(doc->groups[g].ops.ops[i].path);
		}
		free(doc->groups[g].ops.ops);
	}
	free(doc->path);
	free(doc->groups);
	free(doc->gindex);
	for (size_t i = 0; i < doc->nimages; i++)
		free(doc->images[i].data);
	free(doc->images);
	for (int f = 0; f < SK_FACE_COUNT; f++)
		free(doc->used_astral[f]);
	free(doc->title);
	free(doc->author);
	free(doc->subject);
	free(doc);
}

const struct sk_fontset *sk_doc_fonts(const struct sk_doc *doc)
{
	return doc->fs;
}

double sk_doc_width(const struct sk_doc *doc)
{
	return doc->width;
}

double sk_doc_height(const struct sk_doc *doc)
{
	return doc->height;
}

int sk_doc_add_page(struct sk_doc *doc)
{
	if (doc->npages == doc->apages) {
		size_t a = doc->apages ? doc->apages * 2 : 8;
		struct page *p = realloc(doc->pages, a * sizeof(*p));
		if (!p) {
			doc->failed = 1;
			return -1;
		}
		doc->pages = p;
		doc->apages = a;
	}
	memset(&doc->pages[doc->npages], 0, sizeof(struct page));
	doc->current = doc->npages++;
	return (int)doc->current;
}

int sk_doc_pages(const struct sk_doc *doc)
{
	return (int)doc->npages;
}

void sk_doc_select_page(struct sk_doc *doc, int index)
{
	if (index >= 0 && (size_t)index < doc->npages)
		doc->current = (size_t)index;
}

static struct op *new_op(struct sk_doc *doc, enum op_kind kind)
{
	struct page *pg;
	if (doc->recording) {
		pg = &doc->groups[doc->recording - 1].ops;
	} else {
		if (!doc->npages && sk_doc_add_page(doc) < 0)
			return NULL;
		pg = &doc->pages[doc->current];
	}
	if (pg->count == pg->alloc) {
		size_t a = pg->alloc ? pg->alloc * 2 : 64;
		struct op *p = realloc(pg->ops, a * sizeof(*p));
		if (!p) {
			doc->failed = 1;
			return NULL;
		}
		pg->ops = p;
		pg->alloc = a;
	}
	struct op *op = &pg->ops[pg->count++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	return op;
}

void sk_doc_rect(struct sk_doc *doc, double x, double y, double w, double h, double line_width,
		 double stroke_gray, double fill_gray)
{
	struct op *op = new_op(doc, OP_RECT);
	if (!op)
		return;
	op->x = x;
	op->y = y;
	op->w = w;
	op->h = h;
	op->lw = line_width;
	op->stroke = (float)stroke_gray;
	op->fill = (float)fill_gray;
}

void sk_doc_line(struct sk_doc *doc, double x1, double y1, double x2, double y2, double width, double gray)
{
	struct op *op = new_op(doc, OP_LINE);
	if (!op)
		return;
	op->x = x1;
	op->y = y1;
	op->w = x2;
	op->h = y2;
	op->lw = width;
	op->stroke = (float)gray;
}

void sk_doc_circle(struct sk_doc *doc, double cx, double cy, double r, double line_width,
		   double stroke_gray, double fill_gray)
{
	struct op *op = new_op(doc, OP_CIRCLE);
	if (!op)
		return;
	op->x = cx;
	op->y = cy;
	op->w = r;
	op->lw = line_width;
	op->stroke = (float)stroke_gray;
	op->fill = (float)fill_gray;
}

/* ---- paths ---- */

static void path_add(struct sk_doc *doc, const double *v, size_t n)
{
	if (doc->npath + n > doc->apath) {
		size_t a = doc->apath ? doc->apath * 2 : 256;
		while (a < doc->npath + n)
			a *= 2;
		double *p = realloc(doc->path, a * sizeof(*p));
		if (!p) {
			doc->failed = 1;
			return;
		}
		doc->path = p;
		doc->apath = a;
	}
	memcpy(doc->path + doc->npath, v, n * sizeof(*v));
	doc->npath += n;
}

void sk_doc_path_begin(struct sk_doc *doc)
{
	static const double head[PATH_HEAD] = { 0 };
	doc->npath = 0;
	doc->has_point = 0;
	path_add(doc, head, PATH_HEAD); /* the paint, filled in at the end */
}

void sk_doc_move_to(struct sk_doc *doc, double x, double y)
{
	const double v[] = { SEG_MOVE, x, y };
	path_add(doc, v, 3);
	doc->has_point = 1;
}

void sk_doc_line_to(struct sk_doc *doc, double x, double y)
{
	const double v[] = { doc->has_point ? SEG_LINE : SEG_MOVE, x, y };
	path_add(doc, v, 3);
	doc->has_point = 1;
}

void sk_doc_curve_to(struct sk_doc *doc, double x1, double y1, double x2, double y2, double x3, double y3)
{
	if (!doc->has_point)
		sk_doc_move_to(doc, x1, y1);
	const double v[] = { SEG_CURVE, x1, y1, x2, y2, x3, y3 };
	path_add(doc, v, 7);
}

void sk_doc_arc(struct sk_doc *doc, double cx, double cy, double r, double a0, double a1)
{
	const double quarter = 1.5707963267948966;
	double span = a1 - a0;
	int n = (int)ceil(fabs(span) / quarter - 1e-9);
	if (n < 1)
		n = 1;
	double step = span / n, a = a0;
	sk_doc_line_to(doc, cx + r * cos(a), cy + r * sin(a));
	/* Each piece: the standard cubic for an arc of `step`, control
	 * points along the tangents at 4/3 tan(step/4) of the radius. */
	double k = 4.0 / 3.0 * tan(step / 4);
	for (int i = 0; i < n; i++, a += step) {
		double b = a + step, ca = cos(a), sa = sin(a), cb = cos(b), sb = sin(b);
		sk_doc_curve_to(doc, cx + r * (ca - k * sa), cy + r * (sa + k * ca), cx + r * (cb + k * sb),
				cy + r * (sb - k * cb), cx + r * cb, cy + r * sb);
	}
}

void sk_doc_close_path(struct sk_doc *doc)
{
	const double v[] = { SEG_CLOSE };
	if (doc->has_point)
		path_add(doc, v, 1);
	doc->has_point = 0;
}

void sk_doc_path_end(struct sk_doc *doc, const struct sk_paint *paint)
{
	if (doc->failed || doc->npath <= PATH_HEAD) {
		doc->npath = 0;
		return;
	}
	const double head[PATH_HEAD] = { paint->line_width, paint->stroke.r, paint->stroke.g, paint->stroke.b,
					  paint->fill, paint->fill_color.r, paint->fill_color.g,
					  paint->fill_color.b, paint->round };
	memcpy(doc->path, head, sizeof(head));
	struct op *op = new_op(doc, OP_PATH);
	double *copy = malloc(doc->npath * sizeof(double));
	if (!op || !copy) {
		free(copy);
		if (op) {
			op->kind = OP_LINE; /* harmless; the doc has failed */
			op->lw = 0;
		}
		doc->failed = 1;
		doc->npath = 0;
		return;
	}
	memcpy(copy, doc->path, doc->npath * sizeof(double));
	op->path = copy;
	op->ncps = doc->npath;
	doc->npath = 0;
	doc->has_point = 0;
}

void sk_doc_cells(struct sk_doc *doc, double x, double y, double module, const uint16_t *cells, size_t n)
{
	if (!n)
		return;
	struct op *op = new_op(doc, OP_CELLS);
	if (!op)
		return;
	/* Kept in the code point array: four 16-bit values per cell. */
	op->cps = malloc(n * 2 * sizeof(uint32_t));
	if (!op->cps) {
		op->kind = OP_LINE;
		op->lw = 0;
		doc->failed = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		op->cps[2 * i] = (uint32_t)cells[4 * i] | (uint32_t)cells[4 * i + 1] << 16;
		op->cps[2 * i + 1] = (uint32_t)cells[4 * i + 2] | (uint32_t)cells[4 * i + 3] << 16;
	}
	op->ncps = n;
	op->x = x;
	op->y = y;
	op->w = module;
}

static void mark_used(struct sk_doc *doc, int face, uint32_t cp)
{
	doc->face_used[face] = 1;
	if (cp < 65536) {
		doc->used_bmp[face][cp >> 3] |= (unsigned char)(1u << (cp & 7));
		return;
	}
	for (size_t i = 0; i < doc->nastral[face]; i++)
		if (doc->used_astral[face][i] == cp)
			return;
	uint32_t *p = realloc(doc->used_astral[face], (doc->nastral[face] + 1) * sizeof(uint32_t));
	if (!p) {
		doc->failed = 1;
		return;
	}
	doc->used_astral[face] = p;
	p[doc->nastral[face]++] = cp;
}

void sk_doc_text_run(struct sk_doc *doc, enum sk_face face, double size, double x, double baseline,
		     const uint32_t *cps, size_t n, int bold)
{
	if (!n)
		return;
	struct op *op = new_op(doc, OP_TEXT);
	if (!op)
		return;
	op->cps = malloc(n * sizeof(uint32_t));
	if (!op->cps) {
		op->kind = OP_LINE; /* harmless if ever drawn; the doc has failed */
		op->lw = 0;
		doc->failed = 1;
		return;
	}
	memcpy(op->cps, cps, n * sizeof(uint32_t));
	op->ncps = n;
	op->face = face;
	op->size = size;
	op->x = x;
	op->y = baseline;
	op->bold = bold;
	op->gray = doc->text_gray;
	for (size_t i = 0; i < n; i++)
		mark_used(doc, face, cps[i]);
}

void sk_doc_text_gray(struct sk_doc *doc, double gray)
{
	doc->text_gray = (float)gray;
}

double sk_doc_color(struct sk_doc *doc, uint32_t rgb)
{
	rgb &= 0xFFFFFF;
	for (int i = 0; i < doc->npalette; i++)
		if (doc->palette[i] == rgb)
			return 2 + i;
	if (doc->npalette < (int)(sizeof(doc->palette) / sizeof(doc->palette[0]))) {
		doc->palette[doc->npalette] = rgb;
		return 2 + doc->npalette++;
	}
	/* out of colours: its grey */
	return (0.30 * (rgb >> 16) + 0.59 * ((rgb >> 8) & 0xFF) + 0.11 * (rgb & 0xFF)) / 255.0;
}

int sk_doc_image(struct sk_doc *doc, const unsigned char *data, size_t len, double x, double y,
		 double w, double h)
{
	int png = len >= 8 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8);
	int jpeg = len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
	if (!png && !jpeg)
		return fail(doc, SK_EINPUT, "an image is neither PNG nor JPEG%s", NULL);
	unsigned char hash[16];
	crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
	size_t idx = 0;
	for (; idx < doc->nimages; idx++)
		if (!memcmp(doc->images[idx].hash, hash, sizeof(hash)))
			break;
	if (idx == doc->nimages) {
		if (doc->nimages == doc->aimages) {
			size_t a = doc->aimages ? doc->aimages * 2 : 8;
			struct image *p = realloc(doc->images, a * sizeof(*p));
			if (!p)
				return SK_ENOMEM;
			doc->images = p;
			doc->aimages = a;
		}
		struct image *im = &doc->images[doc->nimages];
		if (!(im->data = malloc(len)))
			return SK_ENOMEM;
		memcpy(im->data, data, len);
		memcpy(im->hash, hash, sizeof(hash));
		im->len = len;
		im->png = png;
		doc->nimages++;
	}
	struct op *op = new_op(doc, OP_IMAGE);
	if (!op)
		return SK_ENOMEM;
	op->image = (int)idx;
	op->x = x;
	op->y = y;
	op->w = w;
	op->h = h;
	return 0;
}

static size_t slot_of(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= UINT64_C(0xff51afd7ed558ccd);
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

static long find_group(const struct sk_doc *doc, uint64_t key)
{
	if (!doc->gcap)
		return -1;
	for (size_t i = slot_of(key, doc->gcap);; i = (i + 1) & (doc->gcap - 1)) {
		uint32_t v = doc->gindex[i];
		if (!v)
			return -1;
		if (doc->groups[v - 1].key == key)
			return (long)v - 1;
	}
}

/* Index group g; the table stays at most half full. */
static int index_group(struct sk_doc *doc, size_t g)
{
	if (2 * (doc->ngroups + 1) > doc->gcap) {
		size_t cap = doc->gcap ? doc->gcap * 2 : 256;
		uint32_t *t = calloc(cap, sizeof(uint32_t));
		if (!t)
			return SK_ENOMEM;
		for (size_t k = 0; k < doc->gcap; k++) {
			uint32_t v = doc->gindex[k];
			if (!v)
				continue;
			size_t i = slot_of(doc->groups[v - 1].key, cap);
			while (t[i])
				i = (i + 1) & (cap - 1);
			t[i] = v;
		}
		free(doc->gindex);
		doc->gindex = t;
		doc->gcap = cap;
	}
	size_t i = slot_of(doc->groups[g].key, doc->gcap);
	while (doc->gindex[i])
		i = (i + 1) & (doc->gcap - 1);
	doc->gindex[i] = (uint32_t)g + 1;
	return 0;
}

int sk_doc_group_begin(struct sk_doc *doc, uint64_t key)
{
	if (doc->recording || find_group(doc, key) >= 0)
		return SK_EINVAL;
	if (doc->ngroups == doc->agroups) {
		size_t a = doc->agroups ? doc->agroups * 2 : 64;
		struct group *p = realloc(doc->groups, a * sizeof(*p));
		if (!p) {
			doc->failed = 1;
			return SK_ENOMEM;
		}
		doc->groups = p;
		doc->agroups = a;
	}
	struct group *g = &doc->groups[doc->ngroups];
	memset(g, 0, sizeof(*g));
	g->key = key;
	if (index_group(doc, doc->ngroups)) {
		doc->failed = 1;
		return SK_ENOMEM;
	}
	doc->ngroups++;
	doc->recording = (int)doc->ngroups;
	return 0;
}

void sk_doc_group_end(struct sk_doc *doc)
{
	doc->recording = 0;
}

int sk_doc_group_exists(const struct sk_doc *doc, uint64_t key)
{
	return find_group(doc, key) >= 0;
}

void sk_doc_group_set_note(struct sk_doc *doc, uint64_t key, double note)
{
	long g = find_group(doc, key);
	if (g >= 0)
		doc->groups[g].note = note;
}

double sk_doc_group_note(const struct sk_doc *doc, uint64_t key)
{
	long g = find_group(doc, key);
	return g >= 0 ? doc->groups[g].note : 0;
}

void sk_doc_place(struct sk_doc *doc, uint64_t key, double x, double y)
{
	long g = find_group(doc, key);
	if (g < 0 || doc->recording)
		return;
	struct op *op = new_op(doc, OP_GROUP);
	if (!op)
		return;
	op->image = (int)g;
	op->x = x;
	op->y = y;
}

const char *sk_doc_error(const struct sk_doc *doc)
{
	return doc->error;
}

/* ---- rendering ---- */

/* libharu owns the document (objects, cross references, compression, the
 * file); shiken writes the objects it needs itself: fonts as CID-keyed
 * TrueType with text in glyph ids, one resource dictionary shared by every
 * page, and the content streams. libharu's own UTF-8 fonts would build
 * maps over all 65,536 code points for every document, which cost more
 * than everything else a ticket needs. */
struct render {
	struct sk_doc *doc;
	HPDF_Doc pdf;
	struct sk_font_subset subs[SK_FACE_COUNT];
	HPDF_Dict fonts;     /* /F0.. for the used faces */
	HPDF_Dict xobjects;  /* /I0.. images, /G0.. groups */
	HPDF_Dict res;       /* what every page uses */
	HPDF_Dict form_res;  /* what a group uses: fonts */
	char *form_done;     /* per group: written as /G<n> */
	HPDF_STATUS error;
};

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct render *r = user_data;
	if (!r->error)
		r->error = error_no;
	(void)detail_no;
}

static HPDF_Dict new_indirect(struct render *r)
{
	HPDF_Dict d = HPDF_Dict_New(r->pdf->mmgr);
	if (d && HPDF_Xref_Add(r->pdf->xref, d) != HPDF_OK)
		return NULL;
	return d;
}

static HPDF_Array int_array(struct render *r, const int *v, size_t n)
{
	HPDF_Array a = HPDF_Array_New(r->pdf->mmgr);
	for (size_t i = 0; a && i < n; i++)
		HPDF_Array_AddNumber(a, v[i]);
	return a;
}

static void hex4(struct sk_buf *b, unsigned v)
{
	static const char hx[] = "0123456789ABCDEF";
	char h[4] = { hx[(v >> 12) & 15], hx[(v >> 8) & 15], hx[(v >> 4) & 15], hx[v & 15] };
	sk_buf_add(b, h, 4);
}

/* ToUnicode: each glyph id back to the character it was drawn for, so the
 * text can be searched, copied and read aloud. */
static HPDF_Dict to_unicode(struct render *r, const struct sk_font_subset *s)
{
	HPDF_Dict st = HPDF_DictStream_New(r->pdf->mmgr, r->pdf->xref);
	if (!st)
		return NULL;
	st->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_adds(&b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
			"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
			"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
			"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	unsigned g = 1;
	while (g < s->nglyphs) {
		unsigned batch[100], n = 0;
		for (; g < s->nglyphs && n < 100; g++)
			if (s->unicode[g])
				batch[n++] = g;
		if (!n)
			break;
		sk_buf_addf(&b, "%u beginbfchar\n", n);
		for (unsigned i = 0; i < n; i++) {
			uint32_t c = s->unicode[batch[i]];
			sk_buf_addch(&b, '<');
			hex4(&b, batch[i]);
			sk_buf_adds(&b, "> <");
			if (c >= 0x10000) {
				c -= 0x10000;
				hex4(&b, 0xD800 | (c >> 10));
				hex4(&b, 0xDC00 | (c & 0x3FF));
			} else {
				hex4(&b, c);
			}
			sk_buf_adds(&b, ">\n");
		}
		sk_buf_adds(&b, "endbfchar\n");
	}
	sk_buf_adds(&b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
	int bad = sk_buf_failed(&b);
	if (!bad)
		HPDF_Stream_Write(st->stream, (const HPDF_BYTE *)b.buf, (HPDF_UINT)b.len);
	sk_buf_release(&b);
	return bad ? NULL : st;
}

/* Embed one subset as a Type0 font over a CIDFontType2 with identity maps. */
static int embed_font(struct render *r, int f, const uint32_t *cps, size_t n)
{
	const struct sk_font_subset *s = &r->subs[f];
	HPDF_MMgr mm = r->pdf->mmgr;
	/* Subset tag: six capitals from the glyph set, as PDF asks. */
	unsigned char h[6];
	crypto_generichash(h, sizeof(h), (const unsigned char *)cps, n * sizeof(uint32_t), NULL, 0);
	char name[96];
	for (int i = 0; i < 6; i++)
		name[i] = (char)('A' + h[i] % 26);
	snprintf(name + 6, sizeof(name) - 6, "+%s", s->psname);

	HPDF_Dict file = HPDF_DictStream_New(mm, r->pdf->xref);
	HPDF_Dict desc = new_indirect(r), cid = new_indirect(r), t0 = new_indirect(r);
	HPDF_Dict tu = to_unicode(r, s);
	HPDF_Dict sysinfo = HPDF_Dict_New(mm);
	HPDF_Array widths = HPDF_Array_New(mm), wrun = HPDF_Array_New(mm), desc_arr = HPDF_Array_New(mm);
	if (!file || !desc || !cid || !t0 || !tu || !sysinfo || !widths || !wrun || !desc_arr)
		return fail(r->doc, SK_ENOMEM, "out of memory%s", NULL);
	file->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)s->ttf_len);
	HPDF_Stream_Write(file->stream, s->ttf, (HPDF_UINT)s->ttf_len);

	HPDF_Dict_AddName(desc, "Type", "FontDescriptor");
	HPDF_Dict_AddName(desc, "FontName", name);
	HPDF_Dict_AddNumber(desc, "Flags", 4); /* symbolic: glyphs by id */
	HPDF_Dict_Add(desc, "FontBBox", int_array(r, s->bbox, 4));
	HPDF_Dict_AddNumber(desc, "ItalicAngle", 0);
	HPDF_Dict_AddNumber(desc, "Ascent", s->ascent);
	HPDF_Dict_AddNumber(desc, "Descent", s->descent);
	HPDF_Dict_AddNumber(desc, "CapHeight", s->cap_height);
	HPDF_Dict_AddNumber(desc, "StemV", f == SK_FACE_SANS_BOLD ? 140 : 80);
	HPDF_Dict_Add(desc, "FontFile2", file);

	HPDF_Dict_Add(sysinfo, "Registry", HPDF_String_New(mm, "Adobe", NULL));
	HPDF_Dict_Add(sysinfo, "Ordering", HPDF_String_New(mm, "Identity", NULL));
	HPDF_Dict_AddNumber(sysinfo, "Supplement", 0);
	for (unsigned g = 0; g < s->nglyphs; g++)
		HPDF_Array_AddNumber(wrun, s->width[g]);
	HPDF_Array_AddNumber(widths, 0);
	HPDF_Array_Add(widths, wrun);
	HPDF_Dict_AddName(cid, "Type", "Font");
	HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
	HPDF_Dict_AddName(cid, "BaseFont", name);
	HPDF_Dict_Add(cid, "CIDSystemInfo", sysinfo);
	HPDF_Dict_Add(cid, "FontDescriptor", desc);
	HPDF_Dict_AddNumber(cid, "DW", 1000);
	HPDF_Dict_Add(cid, "W", widths);
	HPDF_Dict_AddName(cid, "CIDToGIDMap", "Identity");

	HPDF_Dict_AddName(t0, "Type", "Font");
	HPDF_Dict_AddName(t0, "Subtype", "Type0");
	HPDF_Dict_AddName(t0, "BaseFont", name);
	HPDF_Dict_AddName(t0, "Encoding", "Identity-H");
	HPDF_Array_Add(desc_arr, cid);
	HPDF_Dict_Add(t0, "DescendantFonts", desc_arr);
	HPDF_Dict_Add(t0, "ToUnicode", tu);
	char key[8];
	snprintf(key, sizeof(key), "F%d", f);
	HPDF_Dict_Add(r->fonts, key, t0);
	return r->error ? fail(r->doc, SK_EIO, "libharu cannot hold a font%s", NULL) : 0;
}

static int load_fonts(struct render *r)
{
	struct sk_doc *doc = r->doc;
	for (int f = 0; f < SK_FACE_COUNT; f++) {
		if (!doc->face_used[f])
			continue;
		size_t n = doc->nastral[f];
		for (size_t i = 0; i < sizeof(doc->used_bmp[f]); i++)
			n += (size_t)__builtin_popcount(doc->used_bmp[f][i]);
		uint32_t *cps = malloc((n ? n : 1) * sizeof(uint32_t));
		if (!cps)
			return fail(doc, SK_ENOMEM, "out of memory%s", NULL);
		size_t k = 0;
		for (uint32_t i = 0; i < sizeof(doc->used_bmp[f]); i++) {
			unsigned char m = doc->used_bmp[f][i];
			for (int bit = 0; m; bit++, m >>= 1)
				if (m & 1)
					cps[k++] = i * 8 + (uint32_t)bit;
		}
		for (size_t i = 0; i < doc->nastral[f]; i++)
			cps[k++] = doc->used_astral[f][i];
		int rc = sk_font_subset(doc->fs, f, cps, k, &r->subs[f]);
		if (rc) {
			free(cps);
			return fail(doc, rc, "cannot subset font '%s'", sk_fontset_path(doc->fs, f));
		}
		rc = embed_font(r, f, cps, k);
		free(cps);
		if (rc)
			return rc;
	}
	return 0;
}

/* Content streams are written here rather than through libharu's drawing
 * calls: one pass over the display list straight into PDF operators (a
 * serialiser, not a parser), several times faster for the thousands of
 * pages of a sitting. */

/* A number and a space. */
static void num(struct sk_buf *b, double v)
{
	sk_buf_add_dec2(b, v);
	sk_buf_addch(b, ' ');
}

static void gray_op(struct sk_buf *b, double g, const char *op)
{
	num(b, g);
	sk_buf_adds(b, op);
}

/* A grey level, or a palette colour (sk_doc_color: 2 + index). */
static void paint_op(struct sk_buf *b, const uint32_t *palette, double v, int fill)
{
	if (v < 2) {
		gray_op(b, v, fill ? "g " : "G ");
		return;
	}
	uint32_t rgb = palette[(int)v - 2];
	num(b, (rgb >> 16) / 255.0);
	num(b, ((rgb >> 8) & 0xFF) / 255.0);
	num(b, (rgb & 0xFF) / 255.0);
	sk_buf_adds(b, fill ? "rg " : "RG ");
}

static void circle_path(struct sk_buf *b, double cx, double cy, double r)
{
	const double k = 0.5523 * r;
	num(b, cx - r); num(b, cy); sk_buf_adds(b, "m ");
	num(b, cx - r); num(b, cy + k); num(b, cx - k); num(b, cy + r); num(b, cx); num(b, cy + r); sk_buf_adds(b, "c ");
	num(b, cx + k); num(b, cy + r); num(b, cx + r); num(b, cy + k); num(b, cx + r); num(b, cy); sk_buf_adds(b, "c ");
	num(b, cx + r); num(b, cy - k); num(b, cx + k); num(b, cy - r); num(b, cx); num(b, cy - r); sk_buf_adds(b, "c ");
	num(b, cx - k); num(b, cy - r); num(b, cx - r); num(b, cy - k); num(b, cx - r); num(b, cy); sk_buf_adds(b, "c h ");
}

static int ensure_form(struct render *r, size_t g);

static void rgb_op(struct sk_buf *b, const double *rgb, const char *op)
{
	num(b, rgb[0]);
	num(b, rgb[1]);
	num(b, rgb[2]);
	sk_buf_adds(b, op);
}

/* A path op: its own graphics state between q and Q, so the grey levels
 * and widths the other ops track are untouched. */
static void path_ops(struct sk_buf *b, const struct op *op, double top)
{
	const double *p = op->path, *end = op->path + op->ncps;
	double lw = p[0];
	int fill = (int)p[4], round = p[8] != 0;
	sk_buf_adds(b, "q ");
	if (lw > 0) {
		rgb_op(b, p + 1, "RG ");
		num(b, lw);
		sk_buf_adds(b, round ? "w 1 J 1 j " : "w ");
	}
	if (fill)
		rgb_op(b, p + 5, "rg ");
	sk_buf_addch(b, '\n');
	for (p += PATH_HEAD; p < end;) {
		switch ((int)*p) {
		case SEG_MOVE:
		case SEG_LINE:
			num(b, p[1]);
			num(b, top - p[2]);
			sk_buf_adds(b, *p == SEG_MOVE ? "m\n" : "l\n");
			p += 3;
			break;
		case SEG_CURVE:
			for (int i = 0; i < 3; i++) {
				num(b, p[1 + 2 * i]);
				num(b, top - p[2 + 2 * i]);
			}
			sk_buf_adds(b, "c\n");
			p += 7;
			break;
		default:
			sk_buf_adds(b, "h\n");
			p += 1;
			break;
		}
	}
	if (lw > 0 && fill)
		sk_buf_adds(b, fill == SK_FILL_EVENODD ? "B* Q\n" : "B Q\n");
	else if (fill)
		sk_buf_adds(b, fill == SK_FILL_EVENODD ? "f* Q\n" : "f Q\n");
	else
		sk_buf_adds(b, lw > 0 ? "S Q\n" : "n Q\n");
}

/* Text as glyph ids of the face's subset, in hex. */
static void glyph_text(struct sk_buf *b, const struct sk_font_subset *s, const uint32_t *cps, size_t n)
{
	sk_buf_addch(b, '<');
	for (size_t i = 0; i < n; i++)
		hex4(b, sk_font_subset_gid(s, cps[i]));
	sk_buf_adds(b, "> Tj\n");
}

/* Graphics state as written so far, so nothing is set twice. */
struct gstate {
	double lw;
	float stroke, fill;
	const uint32_t *palette;
};

static void set_fill(struct sk_buf *b, struct gstate *g, float v)
{
	if (g->fill != v) {
		paint_op(b, g->palette, v, 1);
		g->fill = v;
	}
}

static void set_stroke(struct sk_buf *b, struct gstate *g, float v, double lw)
{
	if (g->lw != lw) {
		num(b, lw);
		sk_buf_adds(b, "w ");
		g->lw = lw;
	}
	if (g->stroke != v) {
		paint_op(b, g->palette, v, 0);
		g->stroke = v;
	}
}

/* Write ops as content into b: y measured down from `top`
 * (pdf_y = top - y). Consecutive filled rectangles of one grey become one
 * path, one fill: smaller, and no hairline seams between them. */
static int write_ops(struct render *r, struct sk_buf *b, const struct page *pg, double top)
{
	struct sk_doc *doc = r->doc;
	int in_text = 0, cur_face = -1, cur_bold = 0, in_fill = 0;
	double cur_size = 0;
	/* A page starts in PDF's initial state; a group inherits whatever the
	 * page has set where it is placed, so it assumes nothing. */
	struct gstate g = { 1, 0, 0, doc->palette };
	if (top != doc->height)
		g = (struct gstate){ -1, -1, -1, doc->palette };
	for (size_t i = 0; i < pg->count; i++) {
		const struct op *op = &pg->ops[i];
		int fill_rect = op->kind == OP_RECT && op->lw <= 0 && op->fill >= 0;
		if (in_fill && !(fill_rect && op->fill == g.fill)) {
			sk_buf_adds(b, "f\n");
			in_fill = 0;
		}
		if (op->kind != OP_TEXT && in_text) {
			sk_buf_adds(b, "ET\n");
			in_text = 0;
			if (cur_bold) {
				sk_buf_adds(b, "0 Tr\n");
				cur_bold = 0;
			}
		}
		switch (op->kind) {
		case OP_RECT:
			if (fill_rect) {
				set_fill(b, &g, op->fill);
				num(b, op->x); num(b, top - op->y - op->h); num(b, op->w); num(b, op->h);
				sk_buf_adds(b, "re\n");
				in_fill = 1;
				break;
			}
			/* fall through */
		case OP_CIRCLE:
			if (op->lw > 0)
				set_stroke(b, &g, op->stroke, op->lw);
			if (op->fill >= 0)
				set_fill(b, &g, op->fill);
			if (op->kind == OP_RECT) {
				num(b, op->x); num(b, top - op->y - op->h); num(b, op->w); num(b, op->h);
				sk_buf_adds(b, "re ");
			} else {
				circle_path(b, op->x, top - op->y, op->w);
			}
			sk_buf_adds(b, op->fill >= 0 && op->lw > 0 ? "B\n" : op->fill >= 0 ? "f\n" : "S\n");
			break;
		case OP_LINE:
			set_stroke(b, &g, op->stroke, op->lw);
			num(b, op->x); num(b, top - op->y); sk_buf_adds(b, "m ");
			num(b, op->w); num(b, top - op->h); sk_buf_adds(b, "l S\n");
			break;
		case OP_PATH:
			path_ops(b, op, top);
			break;
		case OP_CELLS:
			/* Modules as cells of a unit grid scaled into place. */
			set_fill(b, &g, 0);
			sk_buf_adds(b, "q ");
			num(b, op->w);
			sk_buf_adds(b, "0 0 ");
			num(b, -op->w);
			num(b, op->x);
			num(b, top - op->y);
			sk_buf_adds(b, "cm\n");
			for (size_t c = 0; c < op->ncps; c++) {
				sk_buf_add_uint(b, op->cps[2 * c] & 0xFFFF);
				sk_buf_addch(b, ' ');
				sk_buf_add_uint(b, op->cps[2 * c] >> 16);
				sk_buf_addch(b, ' ');
				sk_buf_add_uint(b, op->cps[2 * c + 1] & 0xFFFF);
				sk_buf_addch(b, ' ');
				sk_buf_add_uint(b, op->cps[2 * c + 1] >> 16);
				sk_buf_adds(b, " re\n");
			}
			sk_buf_adds(b, "f Q\n");
			break;
		case OP_TEXT: {
			if (!in_text) {
				sk_buf_adds(b, "BT\n");
				in_text = 1;
				cur_face = -1;
			}
			set_fill(b, &g, op->gray);
			if (op->face != cur_face || op->size != cur_size) {
				sk_buf_adds(b, "/F");
				sk_buf_add_uint(b, (unsigned)op->face);
				sk_buf_addch(b, ' ');
				num(b, op->size);
				sk_buf_adds(b, "Tf ");
				cur_face = op->face;
				cur_size = op->size;
			}
			if (op->bold) {
				/* No bold Japanese face: fill and stroke the outline. */
				set_stroke(b, &g, op->gray, op->size * 0.03);
				if (!cur_bold)
					sk_buf_adds(b, "2 Tr ");
			} else if (cur_bold) {
				sk_buf_adds(b, "0 Tr ");
			}
			cur_bold = op->bold;
			sk_buf_adds(b, "1 0 0 1 ");
			num(b, op->x);
			num(b, top - op->y);
			sk_buf_adds(b, "Tm ");
			glyph_text(b, &r->subs[op->face], op->cps, op->ncps);
			break;
		}
		case OP_IMAGE:
			sk_buf_adds(b, "q ");
			num(b, op->w);
			sk_buf_adds(b, "0 0 ");
			num(b, op->h);
			num(b, op->x);
			num(b, top - op->y - op->h);
			sk_buf_adds(b, "cm /I");
			sk_buf_add_uint(b, (unsigned)op->image);
			sk_buf_adds(b, " Do Q\n");
			break;
		case OP_GROUP: {
			if (top != doc->height)
				return fail(doc, SK_EINVAL, "a group placed inside a group%s", NULL);
			int rc = ensure_form(r, (size_t)op->image);
			if (rc)
				return rc;
			sk_buf_adds(b, "q 1 0 0 1 ");
			num(b, op->x);
			num(b, top - op->y);
			sk_buf_adds(b, "cm /G");
			sk_buf_add_uint(b, (unsigned)op->image);
			sk_buf_adds(b, " Do Q\n");
			break;
		}
		}
	}
	if (in_fill)
		sk_buf_adds(b, "f\n");
	if (in_text)
		sk_buf_adds(b, "ET\n");
	if (cur_bold)
		sk_buf_adds(b, "0 Tr\n");
	return sk_buf_failed(b) ? fail(doc, SK_ENOMEM, "out of memory%s", NULL) : 0;
}

/* Compressed content of groups without text, kept for the life of the
 * process: such a group's bytes do not depend on the document's fonts, so
 * an ornament drawn on every certificate of a run, each its own file, is
 * compressed once rather than once a file. Found by the BLAKE2b hash of
 * the raw content; at most FLATE_CACHE_MAX entries (the first ones). */
#define FLATE_CACHE_MAX 16
struct flate_entry {
	unsigned char hash[32];
	unsigned char *data;
	size_t len;
};
static struct flate_entry flate_cache[FLATE_CACHE_MAX];
static size_t flate_count;
static pthread_mutex_t flate_lock = PTHREAD_MUTEX_INITIALIZER;

/* The deflated form of raw (*out malloc'd), from the cache when it has it. */
static int deflated(const struct sk_buf *raw, unsigned char **out, size_t *out_len)
{
	unsigned char hash[32];
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)raw->buf, raw->len, NULL, 0);
	*out = NULL;
	pthread_mutex_lock(&flate_lock);
	for (size_t i = 0; i < flate_count && !*out; i++)
		if (!memcmp(flate_cache[i].hash, hash, sizeof(hash)) && (*out = malloc(flate_cache[i].len))) {
			memcpy(*out, flate_cache[i].data, flate_cache[i].len);
			*out_len = flate_cache[i].len;
		}
	pthread_mutex_unlock(&flate_lock);
	if (*out)
		return 0;
	uLongf len = compressBound((uLong)raw->len);
	unsigned char *z = malloc(len);
	if (!z || compress2(z, &len, (const Bytef *)raw->buf, (uLong)raw->len, Z_DEFAULT_COMPRESSION) != Z_OK) {
		free(z);
		return SK_ENOMEM;
	}
	pthread_mutex_lock(&flate_lock);
	unsigned char *keep = flate_count < FLATE_CACHE_MAX ? malloc(len) : NULL;
	if (keep) {
		memcpy(keep, z, len);
		memcpy(flate_cache[flate_count].hash, hash, sizeof(hash));
		flate_cache[flate_count].data = keep;
		flate_cache[flate_count].len = len;
		flate_count++;
	}
	pthread_mutex_unlock(&flate_lock);
	*out = z;
	*out_len = len;
	return 0;
}

/* libharu writes a stream's /Filter from the filters it applies itself,
 * and drops any other: a stream deflated here names its filter through the
 * hook libharu calls while writing the dictionary. */
static HPDF_STATUS name_flate(HPDF_Dict dict, HPDF_Stream stream)
{
	(void)dict;
	return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

/* A group becomes a form XObject the first time it is placed: written and
 * compressed once, drawn with one Do wherever it is placed. */
static int ensure_form(struct render *r, size_t g)
{
	if (r->form_done[g])
		return 0;
	struct sk_doc *doc = r->doc;
	const struct group *grp = &doc->groups[g];
	int has_text = 0;
	for (size_t i = 0; i < grp->ops.count; i++) {
		if (grp->ops.ops[i].kind == OP_IMAGE || grp->ops.ops[i].kind == OP_GROUP)
			return fail(doc, SK_EINVAL, "groups hold text and lines only%s", NULL);
		has_text |= grp->ops.ops[i].kind == OP_TEXT;
	}
	HPDF_Dict form = HPDF_DictStream_New(r->pdf->mmgr, r->pdf->xref);
	HPDF_Array bbox = HPDF_Array_New(r->pdf->mmgr);
	if (!form || !bbox)
		return fail(doc, SK_ENOMEM, "out of memory%s", NULL);
	form->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	HPDF_Dict_AddName(form, "Type", "XObject");
	HPDF_Dict_AddName(form, "Subtype", "Form");
	/* Generous bounds: a group is never wider or taller than the page. */
	HPDF_Array_AddReal(bbox, (HPDF_REAL)-doc->width);
	HPDF_Array_AddReal(bbox, (HPDF_REAL)-doc->height);
	HPDF_Array_AddReal(bbox, (HPDF_REAL)doc->width);
	HPDF_Array_AddReal(bbox, (HPDF_REAL)doc->height);
	HPDF_Dict_Add(form, "BBox", bbox);
	HPDF_Dict_Add(form, "Resources", r->form_res);
	struct sk_buf b = SK_BUF_INIT;
	int rc = write_ops(r, &b, &grp->ops, 0);
	if (!rc && !has_text) {
		/* Deflated here (perhaps long ago), written as it is. */
		unsigned char *z = NULL;
		size_t zlen = 0;
		if ((rc = deflated(&b, &z, &zlen)) == 0) {
			form->filter = HPDF_STREAM_FILTER_NONE;
			form->write_fn = name_flate;
			HPDF_Stream_Write(form->stream, z, (HPDF_UINT)zlen);
		} else {
			rc = fail(doc, SK_ENOMEM, "out of memory%s", NULL);
		}
		free(z);
	} else if (!rc) {
		HPDF_Stream_Write(form->stream, (const HPDF_BYTE *)b.buf, (HPDF_UINT)b.len);
	}
	sk_buf_release(&b);
	if (rc)
		return rc;
	char key[24];
	snprintf(key, sizeof(key), "G%zu", g);
	HPDF_Dict_Add(r->xobjects, key, form);
	r->form_done[g] = 1;
	return 0;
}

static int render_page(struct render *r, const struct page *pg)
{
	struct sk_doc *doc = r->doc;
	HPDF_Page page = HPDF_AddPage(r->pdf);
	if (!page)
		return fail(doc, SK_ENOMEM, "libharu cannot add a page%s", NULL);
	HPDF_Page_SetWidth(page, (HPDF_REAL)doc->width);
	HPDF_Page_SetHeight(page, (HPDF_REAL)doc->height);
	/* Every page shares one resource dictionary (replacing the empty one
	 * libharu made): fonts, images and groups each named once. */
	HPDF_Dict_Add(page, "Resources", r->res);
	HPDF_PageAttr attr = (HPDF_PageAttr)page->attr;
	struct sk_buf b = SK_BUF_INIT;
	int rc = write_ops(r, &b, pg, doc->height);
	if (!rc)
		HPDF_Stream_Write(attr->stream, (const HPDF_BYTE *)b.buf, (HPDF_UINT)b.len);
	sk_buf_release(&b);
	return rc;
}

static int render(struct sk_doc *doc, struct render *r)
{
	memset(r, 0, sizeof(*r));
	r->doc = doc;
	if (doc->failed)
		return fail(doc, SK_ENOMEM, "out of memory while laying out%s", NULL);
	r->pdf = HPDF_New(on_error, r);
	if (!r->pdf)
		return fail(doc, SK_ENOMEM, "libharu cannot start a document%s", NULL);
	HPDF_SetCompressionMode(r->pdf, HPDF_COMP_ALL);
	HPDF_SetInfoAttr(r->pdf, HPDF_INFO_CREATOR, "shiken");
	HPDF_SetInfoAttr(r->pdf, HPDF_INFO_PRODUCER, "shiken (libharu)");
	if (doc->title)
		HPDF_SetInfoAttr(r->pdf, HPDF_INFO_TITLE, doc->title);
	if (doc->author)
		HPDF_SetInfoAttr(r->pdf, HPDF_INFO_AUTHOR, doc->author);
	if (doc->subject)
		HPDF_SetInfoAttr(r->pdf, HPDF_INFO_SUBJECT, doc->subject);
	r->res = new_indirect(r);
	r->form_res = new_indirect(r);
	r->fonts = new_indirect(r);
	r->xobjects = HPDF_Dict_New(r->pdf->mmgr);
	HPDF_Array procset = HPDF_Array_New(r->pdf->mmgr);
	r->form_done = calloc(doc->ngroups ? doc->ngroups : 1, 1);
	if (!r->res || !r->form_res || !r->fonts || !r->xobjects || !procset || !r->form_done)
		return fail(doc, SK_ENOMEM, "out of memory%s", NULL);
	static const char *const procs[] = { "PDF", "Text", "ImageB", "ImageC", "ImageI" };
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++)
		HPDF_Array_AddName(procset, procs[i]);
	HPDF_Dict_Add(r->res, "ProcSet", procset);
	HPDF_Dict_Add(r->res, "Font", r->fonts);
	HPDF_Dict_Add(r->res, "XObject", r->xobjects);
	HPDF_Dict_Add(r->form_res, "Font", r->fonts);
	int rc = load_fonts(r);
	if (rc)
		return rc;
	for (size_t i = 0; i < doc->nimages; i++) {
		const struct image *im = &doc->images[i];
		HPDF_Image img = im->png ? HPDF_LoadPngImageFromMem(r->pdf, im->data, (HPDF_UINT)im->len)
					 : HPDF_LoadJpegImageFromMem(r->pdf, im->data, (HPDF_UINT)im->len);
		if (!img) {
			r->error = 0;
			HPDF_ResetError(r->pdf);
			return fail(doc, SK_EINPUT, "libharu cannot read an image%s", NULL);
		}
		char key[24];
		snprintf(key, sizeof(key), "I%zu", i);
		HPDF_Dict_Add(r->xobjects, key, img);
	}
	if (!doc->npages)
		sk_doc_add_page(doc);
	for (size_t p = 0; p < doc->npages; p++)
		if ((rc = render_page(r, &doc->pages[p])))
			return rc;
	if (r->error) {
		char code[16];
		snprintf(code, sizeof(code), "%04X", (unsigned)r->error);
		return fail(doc, SK_EIO, "libharu error %s", code);
	}
	return 0;
}

static void render_free(struct render *r)
{
	if (r->pdf)
		HPDF_Free(r->pdf);
	for (int f = 0; f < SK_FACE_COUNT; f++)
		sk_font_subset_free(&r->subs[f]);
	free(r->form_done);
}

int sk_doc_save(struct sk_doc *doc, const char *path)
{
	struct render r;
	int rc = render(doc, &r);
	if (!rc) {
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
		if (HPDF_SaveToFile(r.pdf, tmp) != HPDF_OK || r.error) {
			unlink(tmp);
			rc = fail(doc, SK_EIO, "cannot write '%s'", path);
		} else if (rename(tmp, path) != 0) {
			unlink(tmp);
			rc = fail(doc, SK_EIO, "cannot write '%s'", path);
		}
	}
	render_free(&r);
	return rc;
}

int sk_doc_save_mem(struct sk_doc *doc, unsigned char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	struct render r;
	int rc = render(doc, &r);
	if (!rc) {
		if (HPDF_SaveToStream(r.pdf) != HPDF_OK) {
			rc = fail(doc, SK_EIO, "libharu cannot write the document%s", NULL);
		} else {
			HPDF_UINT32 size = HPDF_GetStreamSize(r.pdf);
			unsigned char *p = malloc(size ? size : 1);
			HPDF_UINT32 got = size;
			HPDF_STATUS st = p ? HPDF_ReadFromStream(r.pdf, p, &got) : HPDF_FAILD_TO_ALLOC_MEM;
			if (!p || (st != HPDF_OK && st != HPDF_STREAM_EOF) || got != size) {
				free(p);
				rc = fail(doc, SK_EIO, "libharu cannot hand over the document%s", NULL);
			} else {
				*out = p;
				*out_len = size;
			}
		}
	}
	render_free(&r);
	return rc;
}
