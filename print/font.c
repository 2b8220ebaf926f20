/*
 * Font faces through HarfBuzz: coverage and advances from the full faces,
 * subsets for embedding (hb-subset), cached glyph advances for the hot path
 * of layout. See font.h.
 */
#include "print/font.h"
#include "core/error.h"

#include <hb-subset.h>
#include <hb-ot.h>
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

static int be16(const char *p)
{
	return (int16_t)(((unsigned char)p[0] << 8) | (unsigned char)p[1]);
}

int sk_font_subset(const struct sk_fontset *fs, enum sk_face face, const uint32_t *cps, size_t n,
		   struct sk_font_subset *out)
{
	memset(out, 0, sizeof(*out));
	const struct face *fc = &fs->faces[face];
	hb_subset_input_t *in = hb_subset_input_create_or_fail();
	if (!in)
		return SK_ENOMEM;
	hb_set_t *u = hb_subset_input_unicode_set(in);
	for (size_t i = 0; i < n; i++)
		hb_set_add(u, cps[i]);
	/* Keep what a PDF viewer needs and nothing else: text is positioned
	 * by us, and print needs no hinting (it also halves the subset). */
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
	static const hb_tag_t dropped[] = {
		HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F'),
		HB_TAG('V', 'O', 'R', 'G'), HB_TAG('v', 'h', 'e', 'a'), HB_TAG('v', 'm', 't', 'x'),
		HB_TAG('k', 'e', 'r', 'n'), HB_TAG('D', 'S', 'I', 'G'), HB_TAG('g', 'a', 's', 'p'),
	};
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		hb_set_add(drop, dropped[i]);
	hb_subset_plan_t *plan = hb_subset_plan_create_or_fail(fc->face, in);
	hb_subset_input_destroy(in);
	if (!plan)
		return SK_EINVAL;
	hb_face_t *sub = hb_subset_plan_execute_or_fail(plan);
	int rc = 0;
	if (!sub) {
		hb_subset_plan_destroy(plan);
		return SK_EINVAL;
	}
	const hb_map_t *o2n = hb_subset_plan_old_to_new_glyph_mapping(plan);
	hb_blob_t *blob = hb_face_reference_blob(sub);
	unsigned len = 0;
	const char *data = hb_blob_get_data(blob, &len);
	out->nglyphs = hb_face_get_glyph_count(sub);
	if (!data || !len || !out->nglyphs || out->nglyphs > 65535) {
		rc = SK_EINVAL;
		goto done;
	}
	out->ttf = malloc(len);
	out->width = calloc(out->nglyphs, sizeof(uint16_t));
	out->unicode = calloc(out->nglyphs, sizeof(uint32_t));
	out->gid_bmp = calloc(65536, sizeof(uint16_t));
	out->astral = malloc((n ? n : 1) * 2 * sizeof(uint32_t));
	if (!out->ttf || !out->width || !out->unicode || !out->gid_bmp || !out->astral) {
		rc = SK_ENOMEM;
		goto done;
	}
	memcpy(out->ttf, data, len);
	out->ttf_len = len;
	double k = 1000.0 / fc->upem;
	for (size_t i = 0; i < n; i++) {
		hb_codepoint_t old, nu;
		if (!hb_font_get_nominal_glyph(fc->font, cps[i], &old))
			continue;
		nu = hb_map_get(o2n, old);
		if (nu == HB_MAP_VALUE_INVALID || nu >= out->nglyphs)
			continue;
		if (cps[i] < 65536) {
			out->gid_bmp[cps[i]] = (uint16_t)nu;
		} else {
			out->astral[2 * out->nastral] = cps[i];
			out->astral[2 * out->nastral + 1] = nu;
			out->nastral++;
		}
		if (!out->unicode[nu])
			out->unicode[nu] = cps[i];
		out->width[nu] = (uint16_t)(hb_font_get_glyph_h_advance(fc->font, old) * k + 0.5);
	}
	unsigned nl = sizeof(out->psname) - 1;
	if (!hb_ot_name_get_utf8(fc->face, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &nl, out->psname))
		snprintf(out->psname, sizeof(out->psname), "Face%d", (int)face);
	for (char *p = out->psname; *p; p++) /* a PDF name: no delimiters */
		if (*p <= ' ' || *p > '~' || strchr("()<>[]{}/%#", *p))
			*p = '-';
	out->ascent = (int)(fc->ascent * 1000 + 0.5);
	out->descent = -(int)(fc->descent * 1000 + 0.5);
	hb_position_t cap = 0;
	out->cap_height = hb_ot_metrics_get_position(fc->font, HB_OT_METRICS_TAG_CAP_HEIGHT, &cap)
				  ? (int)(cap * k + 0.5) : out->ascent;
	/* FontBBox from 'head' (xMin yMin xMax yMax at byte 36). */
	hb_blob_t *head = hb_face_reference_table(fc->face, HB_TAG('h', 'e', 'a', 'd'));
	unsigned hl = 0;
	const char *h = hb_blob_get_data(head, &hl);
	if (h && hl >= 44)
		for (int i = 0; i < 4; i++)
			out->bbox[i] = (int)(be16(h + 36 + 2 * i) * k);
	else
		out->bbox[0] = 0, out->bbox[1] = out->descent, out->bbox[2] = 1000, out->bbox[3] = out->ascent;
	hb_blob_destroy(head);
done:
	hb_blob_destroy(blob);
	hb_face_destroy(sub);
	hb_subset_plan_destroy(plan);
	if (rc)
		sk_font_subset_free(out);
	return rc;
}

void sk_font_subset_free(struct sk_font_subset *s)
{
	free(s->ttf);
	free(s->width);
	free(s->unicode);
	free(s->gid_bmp);
	free(s->astral);
	memset(s, 0, sizeof(*s));
}

unsigned sk_font_subset_gid(const struct sk_font_subset *s, uint32_t cp)
{
	if (cp < 65536)
		return s->gid_bmp[cp];
	for (size_t i = 0; i < s->nastral; i++)
		if (s->astral[2 * i] == cp)
			return s->astral[2 * i + 1];
	return 0;
}
