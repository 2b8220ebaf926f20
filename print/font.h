/*
 * Fonts for printed documents. A fontset holds the faces shiken prints with
 * — IPAex Gothic and Mincho for Japanese (Debian fonts-ipaexfont), Noto Sans
 * for Latin with diacritics (fonts-noto-core) — opened once with HarfBuzz for
 * metrics and coverage. Text picks a face per character: the style's own
 * face when it has the glyph, otherwise the next face that does, so no glyph
 * is ever drawn from a font that lacks it. Latin text with a letter the
 * style's face lacks is set wholly in a fallback that has every letter (the
 * whole phrase between Japanese characters, else each word), so a name
 * never changes font in the middle. A character no face has is an error naming it.
 *
 * A fontset is read-only after sk_fontset_open() and may be shared by many
 * documents and threads.
 */
#ifndef SK_FONT_H
#define SK_FONT_H

#include <stddef.h>
#include <stdint.h>

enum sk_face {
	SK_FACE_GOTHIC,     /* IPAexGothic: labels, tables, Japanese sans */
	SK_FACE_MINCHO,     /* IPAexMincho: question text, certificates */
	SK_FACE_SANS,       /* Noto Sans: Latin, Vietnamese diacritics */
	SK_FACE_SANS_BOLD,  /* Noto Sans Bold */
	SK_FACE_COUNT
};

struct sk_fontset;

/* Open the faces from their usual Debian paths (or $SHIKEN_FONT_DIR, searched
 * first). Returns 0, or SK_ENOTFOUND with the missing file in err. */
int sk_fontset_open(struct sk_fontset **out, char *err, size_t errlen);
void sk_fontset_free(struct sk_fontset *fs);

/* The file a face was loaded from. */
const char *sk_fontset_path(const struct sk_fontset *fs, enum sk_face face);

/* Non-zero if the face has a glyph for the code point. */
int sk_font_has(const struct sk_fontset *fs, enum sk_face face, uint32_t cp);

/* The face to draw cp with when the text asks for `want`; -1 if none has it. */
int sk_font_pick(const struct sk_fontset *fs, enum sk_face want, uint32_t cp);

/* Advance width of cp in `face` at `size` points. */
double sk_font_advance(const struct sk_fontset *fs, enum sk_face face, uint32_t cp, double size);

/* Ascent and descent (positive, points) of a face at size. */
double sk_font_ascent(const struct sk_fontset *fs, enum sk_face face, double size);
double sk_font_descent(const struct sk_fontset *fs, enum sk_face face, double size);

/* A face cut down to the glyphs of some code points, ready to embed as a
 * CID-keyed TrueType font (CIDToGIDMap Identity): text is written as the
 * subset's glyph ids, so the PDF needs widths and a ToUnicode map for the
 * used glyphs only. Metrics are in 1/1000 em, as PDF wants them. */
struct sk_font_subset {
	unsigned char *ttf;   /* the TrueType file (malloc'd) */
	size_t ttf_len;
	unsigned nglyphs;     /* glyph ids 0 .. nglyphs-1 */
	uint16_t *width;      /* [nglyphs] advance */
	uint32_t *unicode;    /* [nglyphs] a code point drawn with it, or 0 */
	uint16_t *gid_bmp;    /* [65536] new glyph id of a BMP code point, 0 none */
	uint32_t *astral;     /* pairs (code point, glyph id) beyond the BMP */
	size_t nastral;
	char psname[64];      /* PostScript name of the face */
	int ascent, descent, cap_height, bbox[4];
};

/* Subset a face to the code points in `cps` (n of them, each one the face
 * has) with HarfBuzz: no hinting, no layout tables. 0 or SK_ENOMEM/SK_EINVAL;
 * on failure *out holds nothing to free. */
int sk_font_subset(const struct sk_fontset *fs, enum sk_face face, const uint32_t *cps, size_t n,
		   struct sk_font_subset *out);
void sk_font_subset_free(struct sk_font_subset *s);
/* The subset's glyph id for cp (0, .notdef, if it has none). */
unsigned sk_font_subset_gid(const struct sk_font_subset *s, uint32_t cp);

#endif
