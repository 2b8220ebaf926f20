/* QR codes as merged rectangles; see qr.h. */
#include "print/qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

struct sk_qr {
	QRcode *code;
};

struct sk_qr *sk_qr_encode(const char *text)
{
	return sk_qr_encode_ec(text, SK_QR_EC_M);
}

struct sk_qr *sk_qr_encode_ec(const char *text, enum sk_qr_ec ec)
{
	static const QRecLevel levels[] = { QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H };
	struct sk_qr *q = malloc(sizeof(*q));
	if (!q)
		return NULL;
	q->code = QRcode_encodeData((int)strlen(text), (const unsigned char *)text, 0, levels[ec & 3]);
	if (!q->code) {
		free(q);
		return NULL;
	}
	return q;
}

void sk_qr_free(struct sk_qr *q)
{
	if (q) {
		QRcode_free(q->code);
		free(q);
	}
}

double sk_qr_side(const struct sk_qr *q, double module)
{
	return (q->code->width + 2 * SK_QR_QUIET) * module;
}

int sk_qr_dark(const struct sk_qr *q, int row, int col)
{
	int w = q->code->width;
	if (row < 0 || col < 0 || row >= w || col >= w)
		return 0;
	return q->code->data[row * w + col] & 1;
}

int sk_qr_width(const struct sk_qr *q)
{
	return q->code->width;
}

int sk_qr_put(struct sk_doc *doc, const struct sk_qr *q, double x, double y, double module)
{
	int w = q->code->width;
	/* Each horizontal run of dark modules is a rectangle; a run repeated
	 * exactly on the rows below grows downwards instead (fewer, taller
	 * rectangles, the same modules). */
	uint16_t *cells = malloc((size_t)w * (size_t)w * 4 * sizeof(uint16_t));
	unsigned char *used = calloc((size_t)w * (size_t)w, 1);
	if (!cells || !used) {
		free(cells);
		free(used);
		return -1;
	}
	size_t n = 0;
	for (int r = 0; r < w; r++) {
		int c = 0;
		while (c < w) {
			while (c < w && (!sk_qr_dark(q, r, c) || used[r * w + c]))
				c++;
			int start = c;
			while (c < w && sk_qr_dark(q, r, c) && !used[r * w + c])
				c++;
			if (c == start)
				continue;
			/* Grow down while the row below has exactly this run. */
			int h = 1;
			for (;;) {
				int rr = r + h, ok = rr < w && !sk_qr_dark(q, rr, start - 1) && !sk_qr_dark(q, rr, c);
				for (int k = start; ok && k < c; k++)
					ok = sk_qr_dark(q, rr, k) && !used[rr * w + k];
				if (!ok)
					break;
				for (int k = start; k < c; k++)
					used[rr * w + k] = 1;
				h++;
			}
			cells[4 * n] = (uint16_t)start;
			cells[4 * n + 1] = (uint16_t)r;
			cells[4 * n + 2] = (uint16_t)(c - start);
			cells[4 * n + 3] = (uint16_t)h;
			n++;
		}
	}
	sk_doc_cells(doc, x + SK_QR_QUIET * module, y + SK_QR_QUIET * module, module, cells, n);
	free(cells);
	free(used);
	return 0;
}

double sk_qr_size(const char *text, double module)
{
	struct sk_qr *q = sk_qr_encode(text);
	if (!q)
		return -1;
	double side = sk_qr_side(q, module);
	sk_qr_free(q);
	return side;
}

double sk_qr_draw(struct sk_doc *doc, const char *text, double x, double y, double module)
{
	struct sk_qr *q = sk_qr_encode(text);
	if (!q)
		return -1;
	double side = sk_qr_put(doc, q, x, y, module) ? -1 : sk_qr_side(q, module);
	sk_qr_free(q);
	return side;
}
