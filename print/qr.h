/*
 * QR codes drawn as vector rectangles (libqrencode for the symbol): error
 * correction M unless asked otherwise, each horizontal run of dark modules one rectangle (runs
 * repeated on the rows below merged into it), all one filled path so no
 * seams show; a quiet zone of 4 modules kept clear. Modules of at least 1.5 pt decode with zbar
 * from a 150 dpi render.
 */
#ifndef SK_QR_H
#define SK_QR_H

#include "print/doc.h"

#define SK_QR_QUIET 4

struct sk_qr;

/* Error correction levels: about 7, 15, 25 and 30 % of the symbol can be
 * lost and still read. */
enum sk_qr_ec { SK_QR_EC_L, SK_QR_EC_M, SK_QR_EC_Q, SK_QR_EC_H };

/* Encode once, then measure and draw: NULL if text cannot be encoded.
 * sk_qr_encode uses level M, in the smallest version that holds text. */
struct sk_qr *sk_qr_encode(const char *text);
struct sk_qr *sk_qr_encode_ec(const char *text, enum sk_qr_ec ec);
void sk_qr_free(struct sk_qr *q);
/* Modules per side (quiet zone excluded), and whether one is dark. */
int sk_qr_width(const struct sk_qr *q);
int sk_qr_dark(const struct sk_qr *q, int row, int col);
/* The side in points, quiet zone included. */
double sk_qr_side(const struct sk_qr *q, double module);
/* Draw with the quiet zone's top-left corner at (x, y): 0, or -1 (memory). */
int sk_qr_put(struct sk_doc *doc, const struct sk_qr *q, double x, double y, double module);

/* The side (points) of the symbol for text with modules of `module` points,
 * quiet zone included; -1 if it cannot be encoded. */
double sk_qr_size(const char *text, double module);

/* Draw the symbol for text with its outer (quiet zone) top-left corner at
 * (x, y). Returns the side drawn, or -1 on error. */
double sk_qr_draw(struct sk_doc *doc, const char *text, double x, double y, double module);

#endif
