/*
 * The display list and the PDF renderer (libharu). Pages are lists of
 * operations; at save time each face the document used is subset with
 * HarfBuzz to its code points and handed to libharu as a TrueType file in
 * memory (memfd), with a ToUnicode map replacing libharu's malformed one.
 */
#define _GNU_SOURCE
#include "print/doc.h"
#include "core/buf.h"
#include "core/error.h"

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

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

enum op_kind { OP_RECT, OP_LINE, OP_CIRCLE, OP_TEXT, OP_IMAGE };

struct op {
	enum op_kind kind;
	double x, y, w, h, lw;
	float stroke, fill;
	int face, bold, image;
	double size;
	uint32_t *cps;
	size_t ncps;
};

struct page {
	struct op *ops;
	size_t count, alloc;
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
	struct image *images;
	size_t nimages, aimages;
	/* Code points used per face: a BMP bitmap and a list for the rest. */
	unsigned char used_bmp[SK_FACE_COUNT][65536 / 8];
	uint32_t *used_astral[SK_FACE_COUNT];
	size_t nastral[SK_FACE_COUNT];
	int face_used[SK_FACE_COUNT];
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
		for (size_t i = 0; i < doc->pages[p].count; i++)
			free(doc->pages[p].ops[i].cps);
		free(doc->pages[p].ops);
	}
	free(doc->pages);
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
	if (!doc->npages && sk_doc_add_page(doc) < 0)
		return NULL;
	struct page *pg = &doc->pages[doc->current];
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
		doc->pages[doc->current].count--;
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
	for (size_t i = 0; i < n; i++)
		mark_used(doc, face, cps[i]);
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

const char *sk_doc_error(const struct sk_doc *doc)
{
	return doc->error;
}

/* ---- rendering ---- */

struct render {
	struct sk_doc *doc;
	HPDF_Doc pdf;
	HPDF_Font fonts[SK_FACE_COUNT];
	int fds[SK_FACE_COUNT];
	HPDF_Image *images;
	HPDF_STATUS error;
};

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct render *r = user_data;
	if (!r->error)
		r->error = error_no;
	(void)detail_no;
}

/* A correct ToUnicode map for libharu's UTF-8 fonts, whose codes are UTF-16
 * units: the identity over the BMP, surrogates left out. */
static HPDF_Dict to_unicode(HPDF_Doc pdf)
{
	HPDF_Dict s = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
	if (!s)
		return NULL;
	HPDF_Stream st = s->stream;
	HPDF_Stream_WriteStr(st, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
				 "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
				 "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
				 "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	int hi = 0;
	while (hi < 256) {
		int hs[100], n = 0;
		for (; hi < 256 && n < 100; hi++)
			if (hi < 0xD8 || hi > 0xDF)
				hs[n++] = hi;
		char line[48];
		snprintf(line, sizeof(line), "%d beginbfrange\n", n);
		HPDF_Stream_WriteStr(st, line);
		for (int i = 0; i < n; i++) {
			snprintf(line, sizeof(line), "<%02X00> <%02XFF> <%02X00>\n", hs[i], hs[i], hs[i]);
			HPDF_Stream_WriteStr(st, line);
		}
		HPDF_Stream_WriteStr(st, "endbfrange\n");
	}
	HPDF_Stream_WriteStr(st, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
	s->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	return s;
}

static int load_fonts(struct render *r)
{
	struct sk_doc *doc = r->doc;
	for (int f = 0; f < SK_FACE_COUNT; f++) {
		r->fds[f] = -1;
		if (!doc->face_used[f])
			continue;
		size_t n = doc->nastral[f];
		for (size_t i = 0; i < sizeof(doc->used_bmp[f]); i++)
			for (int b = 0; b < 8; b++)
				n += (doc->used_bmp[f][i] >> b) & 1;
		uint32_t *cps = malloc((n ? n : 1) * sizeof(uint32_t));
		if (!cps)
			return fail(doc, SK_ENOMEM, "out of memory%s", NULL);
		size_t k = 0;
		for (uint32_t cp = 0; cp < 65536; cp++)
			if (doc->used_bmp[f][cp >> 3] & (1u << (cp & 7)))
				cps[k++] = cp;
		for (size_t i = 0; i < doc->nastral[f]; i++)
			cps[k++] = doc->used_astral[f][i];
		unsigned char *ttf = NULL;
		size_t len = 0;
		int rc = sk_font_subset(doc->fs, f, cps, k, &ttf, &len);
		free(cps);
		if (rc)
			return fail(doc, rc, "cannot subset font '%s'", sk_fontset_path(doc->fs, f));
		/* libharu loads fonts from files: a file in memory, kept open until
		 * the PDF is written because libharu reads glyphs then. */
		int fd = memfd_create("shiken-font", MFD_CLOEXEC);
		if (fd < 0 || write(fd, ttf, len) != (ssize_t)len) {
			free(ttf);
			if (fd >= 0)
				close(fd);
			return fail(doc, SK_EIO, "cannot stage a font subset%s", NULL);
		}
		free(ttf);
		r->fds[f] = fd;
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		const char *name = HPDF_LoadTTFontFromFile(r->pdf, path, HPDF_TRUE);
		if (!name)
			return fail(doc, SK_EIO, "libharu cannot load the subset of '%s'", sk_fontset_path(doc->fs, f));
		r->fonts[f] = HPDF_GetFont(r->pdf, name, "UTF-8");
		if (!r->fonts[f])
			return fail(doc, SK_EIO, "libharu cannot use the subset of '%s'", sk_fontset_path(doc->fs, f));
		HPDF_Dict tu = to_unicode(r->pdf);
		if (!tu || HPDF_Dict_Add(r->fonts[f], "ToUnicode", tu) != HPDF_OK)
			return fail(doc, SK_ENOMEM, "out of memory%s", NULL);
	}
	return 0;
}

static size_t utf8_of(char *out, const uint32_t *cps, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = cps[i];
		if (c < 0x80) {
			out[k++] = (char)c;
		} else if (c < 0x800) {
			out[k++] = (char)(0xC0 | (c >> 6));
			out[k++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			out[k++] = (char)(0xE0 | (c >> 12));
			out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[k++] = (char)(0x80 | (c & 0x3F));
		} else {
			out[k++] = (char)(0xF0 | (c >> 18));
			out[k++] = (char)(0x80 | ((c >> 12) & 0x3F));
			out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[k++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[k] = '\0';
	return k;
}

static int render_page(struct render *r, const struct page *pg)
{
	struct sk_doc *doc = r->doc;
	HPDF_Page page = HPDF_AddPage(r->pdf);
	if (!page)
		return fail(doc, SK_ENOMEM, "libharu cannot add a page%s", NULL);
	HPDF_Page_SetWidth(page, (HPDF_REAL)doc->width);
	HPDF_Page_SetHeight(page, (HPDF_REAL)doc->height);
	double H = doc->height;
	char *buf = NULL;
	size_t bufcap = 0;
	int in_text = 0, cur_face = -1, cur_bold = -1;
	double cur_size = 0;
	for (size_t i = 0; i < pg->count; i++) {
		const struct op *op = &pg->ops[i];
		if (op->kind != OP_TEXT && in_text) {
			HPDF_Page_EndText(page);
			in_text = 0;
		}
		switch (op->kind) {
		case OP_RECT:
			HPDF_Page_SetLineWidth(page, (HPDF_REAL)op->lw);
			HPDF_Page_SetGrayStroke(page, op->stroke);
			if (op->fill >= 0)
				HPDF_Page_SetGrayFill(page, op->fill);
			HPDF_Page_Rectangle(page, (HPDF_REAL)op->x, (HPDF_REAL)(H - op->y - op->h), (HPDF_REAL)op->w,
					    (HPDF_REAL)op->h);
			if (op->fill >= 0 && op->lw > 0)
				HPDF_Page_FillStroke(page);
			else if (op->fill >= 0)
				HPDF_Page_Fill(page);
			else
				HPDF_Page_Stroke(page);
			break;
		case OP_LINE:
			HPDF_Page_SetLineWidth(page, (HPDF_REAL)op->lw);
			HPDF_Page_SetGrayStroke(page, op->stroke);
			HPDF_Page_MoveTo(page, (HPDF_REAL)op->x, (HPDF_REAL)(H - op->y));
			HPDF_Page_LineTo(page, (HPDF_REAL)op->w, (HPDF_REAL)(H - op->h));
			HPDF_Page_Stroke(page);
			break;
		case OP_CIRCLE:
			HPDF_Page_SetLineWidth(page, (HPDF_REAL)op->lw);
			HPDF_Page_SetGrayStroke(page, op->stroke);
			if (op->fill >= 0)
				HPDF_Page_SetGrayFill(page, op->fill);
			HPDF_Page_Circle(page, (HPDF_REAL)op->x, (HPDF_REAL)(H - op->y), (HPDF_REAL)op->w);
			if (op->fill >= 0 && op->lw > 0)
				HPDF_Page_FillStroke(page);
			else if (op->fill >= 0)
				HPDF_Page_Fill(page);
			else
				HPDF_Page_Stroke(page);
			break;
		case OP_TEXT: {
			if (!in_text) {
				HPDF_Page_SetGrayFill(page, 0);
				HPDF_Page_BeginText(page);
				in_text = 1;
				cur_face = -1;
				cur_bold = -1;
			}
			if (op->face != cur_face || op->size != cur_size) {
				HPDF_Page_SetFontAndSize(page, r->fonts[op->face], (HPDF_REAL)op->size);
				cur_face = op->face;
				cur_size = op->size;
			}
			if (op->bold != cur_bold) {
				/* No bold Japanese face: fill and stroke the outline. */
				HPDF_Page_SetTextRenderingMode(page, op->bold ? HPDF_FILL_THEN_STROKE : HPDF_FILL);
				if (op->bold) {
					HPDF_Page_SetGrayStroke(page, 0);
					HPDF_Page_SetLineWidth(page, (HPDF_REAL)(op->size * 0.03));
				}
				cur_bold = op->bold;
			}
			size_t need = op->ncps * 4 + 1;
			if (need > bufcap) {
				char *p = realloc(buf, need);
				if (!p) {
					free(buf);
					return fail(doc, SK_ENOMEM, "out of memory%s", NULL);
				}
				buf = p;
				bufcap = need;
			}
			utf8_of(buf, op->cps, op->ncps);
			HPDF_Page_TextOut(page, (HPDF_REAL)op->x, (HPDF_REAL)(H - op->y), buf);
			break;
		}
		case OP_IMAGE: {
			HPDF_Image im = r->images[op->image];
			if (im)
				HPDF_Page_DrawImage(page, im, (HPDF_REAL)op->x, (HPDF_REAL)(H - op->y - op->h),
						    (HPDF_REAL)op->w, (HPDF_REAL)op->h);
			break;
		}
		}
	}
	if (in_text)
		HPDF_Page_EndText(page);
	free(buf);
	return 0;
}

static int render(struct sk_doc *doc, struct render *r)
{
	memset(r, 0, sizeof(*r));
	r->doc = doc;
	for (int f = 0; f < SK_FACE_COUNT; f++)
		r->fds[f] = -1;
	if (doc->failed)
		return fail(doc, SK_ENOMEM, "out of memory while laying out%s", NULL);
	r->pdf = HPDF_New(on_error, r);
	if (!r->pdf)
		return fail(doc, SK_ENOMEM, "libharu cannot start a document%s", NULL);
	HPDF_SetCompressionMode(r->pdf, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(r->pdf);
	HPDF_SetCurrentEncoder(r->pdf, "UTF-8");
	HPDF_SetInfoAttr(r->pdf, HPDF_INFO_CREATOR, "shiken");
	HPDF_SetInfoAttr(r->pdf, HPDF_INFO_PRODUCER, "shiken (libharu)");
	if (doc->title)
		HPDF_SetInfoAttr(r->pdf, HPDF_INFO_TITLE, doc->title);
	if (doc->author)
		HPDF_SetInfoAttr(r->pdf, HPDF_INFO_AUTHOR, doc->author);
	if (doc->subject)
		HPDF_SetInfoAttr(r->pdf, HPDF_INFO_SUBJECT, doc->subject);
	int rc = load_fonts(r);
	if (rc)
		return rc;
	r->images = calloc(doc->nimages ? doc->nimages : 1, sizeof(HPDF_Image));
	if (!r->images)
		return fail(doc, SK_ENOMEM, "out of memory%s", NULL);
	for (size_t i = 0; i < doc->nimages; i++) {
		const struct image *im = &doc->images[i];
		r->images[i] = im->png ? HPDF_LoadPngImageFromMem(r->pdf, im->data, (HPDF_UINT)im->len)
				       : HPDF_LoadJpegImageFromMem(r->pdf, im->data, (HPDF_UINT)im->len);
		if (!r->images[i]) {
			r->error = 0;
			HPDF_ResetError(r->pdf);
			return fail(doc, SK_EINPUT, "libharu cannot read an image%s", NULL);
		}
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
		if (r->fds[f] >= 0)
			close(r->fds[f]);
	free(r->images);
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
