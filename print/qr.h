/*
 * QR codes drawn as vector rectangles (libqrencode for the symbol): error
 * correction M, each horizontal run of dark modules one rectangle, a quiet
 * zone of 4 modules kept clear. Modules of at least 1.5 pt decode with zbar
 * from a 150 dpi render.
 */
#ifndef SK_QR_H
#define SK_QR_H

#include "print/doc.h"

#define SK_QR_QUIET 4

/* The side (points) of the symbol for text with modules of `module` points,
 * quiet zone included; -1 if it cannot be encoded. */
double sk_qr_size(const char *text, double module);

/* Draw the symbol for text with its outer (quiet zone) top-left corner at
 * (x, y). Returns the side drawn, or -1 on error. */
double sk_qr_draw(struct sk_doc *doc, const char *text, double x, double y, double module);

#endif
