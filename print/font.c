/*
 * Font faces through HarfBuzz: coverage and advances from the full faces,
 * subsets for embedding (hb-subset), cached glyph advances for the hot path
 * of layout. See font.h.
 */
#include "print/font.h"
#include "core/error.h"

#include <hb-subset.h>
#include <hb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *file;
	const char *dirs[3];
} face_files[SK_FACE_COUNT] = {
	[SK_FACE_GOTHIC] = { "ipaexg.ttf", { "/usr/share/fonts/opentype/ipaexfont-gothic",
					     "/usr/share/fonts/truetype/ipaexfont-gothic", NULL } },
	[SK_FACE_MINCHO] = { "ipaexm.ttf", { "/usr/share/fonts/opentype/ipaexfont-mincho",
					     "/usr/share/fonts/truetype/ipaexfont-mincho", NULL } },
	[SK_FACE_SANS] = { "NotoSans-Regular.ttf", { "/usr/share/fonts/truetype/noto", NULL, NULL } },
	[SK_FACE_SANS_BOLD] = { "NotoSans-Bold.ttf", { "/usr/share/fonts/truetype/noto", NULL, NULL } },
};

/* Advances of the BMP, filled on first use: layout asks for the same few
 * thousand characters again and again. */
struct face {
	char path[512];
	hb_blob_t *blob;
	hb_face_t *face;
	hb_font_t *font;
	unsigned upem;
	double ascent, descent; /* per em */
	float *advance;          /* [65536], -1 unknown, -2 missing */
};

struct sk_fontset {
	struct face faces[SK_FACE_COUNT];
};

static int find_file(char *out, size_t cap, int f)
{
	const char *env = getenv("SHIKEN_FONT_DIR");
	if (env && *env) {
		snprintf(out, cap, "%s/%s", env, face_files[f].file);
		if (access(out, R_OK) == 0)
			return 0;
	}
	for (int i = 0; i < 3 && face_files[f].dirs[i]; i++) {
		snprintf(out, cap, "%s/%s", face_files[f].dirs[i], face_files[f].file);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return -1;
}

int sk_fontset_open(struct sk_fontset **out, char *err, size_t errlen)
{
	*out = NULL;
	struct sk_fontset *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return SK_ENOMEM;
	for (int f = 0; f < SK_FACE_COUNT; f++) {
		struct face *fc = &fs->faces[f];
		if (find_file(fc->path, sizeof(fc->path), f)) {
			snprintf(err, errlen, "font '%s' not found (install fonts-ipaexfont and fonts-noto-core)",
				 face_files[f].file);
			sk_fontset_free(fs);
			return SK_ENOTFOUND;
		}
		fc->blob = hb_blob_create_from_file_or_fail(fc->path);
		if (!fc->blob) {
			snprintf(err, errlen, "cannot read font '%s'", fc->path);
			sk_fontset_free(fs);
			return SK_EIO;
		}
		fc->face = hb_face_create(fc->blob, 0);
		fc->font = hb_font_create(fc->face);
		fc->upem = hb_face_get_upem(fc->face);
		hb_font_set_scale(fc->font, (int)fc->upem, (int)fc->upem);
		hb_font_extents_t ext;
		if (hb_font_get_h_extents(fc->font, &ext)) {
			fc->ascent = (double)ext.ascender / fc->upem;
			fc->descent = (double)-ext.descender / fc->upem;
		} else {
			fc->ascent = 0.88;
			fc->descent = 0.12;
		}
		fc->advance = malloc(65536 * sizeof(float));
		if (!fc->advance) {
			sk_fontset_free(fs);
			return SK_ENOMEM;
		}
		for (size_t i = 0; i < 65536; i++)
			fc->advance[i] = -1;
	}
	*out = fs;
	return 0;
}

void sk_fontset_free(struct sk_fontset *fs)
{
	if (!fs)
		return;
	for (int f = 0; f < SK_FACE_COUNT; f++) {
		struct face *fc = &fs->faces[f];
		if (fc->font)
			hb_font_destroy(fc->font);
		if (fc->face)
			hb_face_destroy(fc->face);
		if (fc->blob)
			hb_blob_destroy(fc->blob);
		free(fc->advance);
	}
	free(fs);
}

const char *sk_fontset_path(const struct sk_fontset *fs, enum sk_face face)
{
	return fs->faces[face].path;
}

/* Advance in em of cp, or -2 if the face lacks it. Thread-safe enough: the
 * cache only ever moves from -1 to a final value computed the same way. */
static float em_advance(const struct sk_fontset *fs, enum sk_face face, uint32_t cp)
{
	struct face *fc = (struct face *)&fs->faces[face];
	if (cp < 65536 && fc->advance[cp] != -1)
		return fc->advance[cp];
	hb_codepoint_t g;
	float a;
	if (!hb_font_get_nominal_glyph(fc->font, cp, &g))
		a = -2;
	else
		a = (float)hb_font_get_glyph_h_advance(fc->font, g) / (float)fc->upem;
	if (cp < 65536)
		fc->advance[cp] = a;
	return a;
}

int sk_font_has(const struct sk_fontset *fs, enum sk_face face, uint32_t cp)
{
	return em_advance(fs, face, cp) != -2;
}

int sk_font_pick(const struct sk_fontset *fs, enum sk_face want, uint32_t cp)
{
	if (sk_font_has(fs, want, cp))
		return want;
	/* Japanese faces first for CJK, Noto for everything else. */
	static const enum sk_face order[] = { SK_FACE_GOTHIC, SK_FACE_MINCHO, SK_FACE_SANS, SK_FACE_SANS_BOLD };
	int bold = want == SK_FACE_SANS_BOLD;
	if (bold && sk_font_has(fs, SK_FACE_SANS_BOLD, cp))
		return SK_FACE_SANS_BOLD;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((int)order[i] != (int)want && sk_font_has(fs, order[i], cp))
			return order[i];
	return -1;
}

double sk_font_advance(const struct sk_fontset *fs, enum sk_face face, uint32_t cp, double size)
{
	float a = em_advance(fs, face, cp);
	return a < 0 ? 0 : a * size;
}

double sk_font_ascent(const struct sk_fontset *fs, enum sk_face face, double size)
{
	return fs->faces[face].ascent * size;
}

double sk_font_descent(const struct sk_fontset *fs, enum sk_face face, double size)
{
	return fs->faces[face].descent * size;
}

int sk_font_subset(const struct sk_fontset *fs, enum sk_face face, const uint32_t *cps, size_t n,
		   unsigned char **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	hb_subset_input_t *in = hb_subset_input_create_or_fail();
	if (!in)
		return SK_ENOMEM;
	hb_set_t *u = hb_subset_input_unicode_set(in);
	for (size_t i = 0; i < n; i++)
		hb_set_add(u, cps[i]);
	/* Keep what a PDF viewer needs and nothing else. */
	hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
	hb_set_add(drop, HB_TAG('G', 'S', 'U', 'B'));
	hb_set_add(drop, HB_TAG('G', 'P', 'O', 'S'));
	hb_set_add(drop, HB_TAG('G', 'D', 'E', 'F'));
	hb_set_add(drop, HB_TAG('V', 'O', 'R', 'G'));
	hb_set_add(drop, HB_TAG('v', 'h', 'e', 'a'));
	hb_set_add(drop, HB_TAG('v', 'm', 't', 'x'));
	hb_face_t *sub = hb_subset_or_fail(fs->faces[face].face, in);
	hb_subset_input_destroy(in);
	if (!sub)
		return SK_EINVAL;
	hb_blob_t *blob = hb_face_reference_blob(sub);
	unsigned len = 0;
	const char *data = hb_blob_get_data(blob, &len);
	int rc = 0;
	if (!data || !len) {
		rc = SK_EINVAL;
	} else if (!(*out = malloc(len))) {
		rc = SK_ENOMEM;
	} else {
		memcpy(*out, data, len);
		*out_len = len;
	}
	hb_blob_destroy(blob);
	hb_face_destroy(sub);
	return rc;
}
