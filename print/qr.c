/* QR codes as merged rectangles; see qr.h. */
#include "print/qr.h"

#include <qrencode.h>
#include <string.h>

static QRcode *encode(const char *text)
{
	return QRcode_encodeData((int)strlen(text), (const unsigned char *)text, 0, QR_ECLEVEL_M);
}

double sk_qr_size(const char *text, double module)
{
	QRcode *q = encode(text);
	if (!q)
		return -1;
	double side = (q->width + 2 * SK_QR_QUIET) * module;
	QRcode_free(q);
	return side;
}

double sk_qr_draw(struct sk_doc *doc, const char *text, double x, double y, double module)
{
	QRcode *q = encode(text);
	if (!q)
		return -1;
	int w = q->width;
	double ox = x + SK_QR_QUIET * module, oy = y + SK_QR_QUIET * module;
	/* A hair of overlap between rows and runs so renderers leave no seams. */
	double bleed = module * 0.02;
	for (int r = 0; r < w; r++) {
		int c = 0;
		while (c < w) {
			while (c < w && !(q->data[r * w + c] & 1))
				c++;
			int start = c;
			while (c < w && (q->data[r * w + c] & 1))
				c++;
			if (c > start)
				sk_doc_rect(doc, ox + start * module, oy + r * module, (c - start) * module + bleed,
					    module + bleed, 0, 0, 0);
		}
	}
	double side = (w + 2 * SK_QR_QUIET) * module;
	QRcode_free(q);
	return side;
}
