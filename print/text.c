/*
 * Text setting for Japanese documents; see text.h for the rules.
 *
 * The text becomes a list of atoms — a Japanese character, a Latin word, a
 * space, a ruby group, a forced break — each with its glyphs and width.
 * Lines are filled greedily; when an atom does not fit, the line breaks at
 * the last place before it where a break is allowed and neither side
 * violates 禁則. Glyphs are then grouped into runs of one face for drawing.
 */
#include "print/text.h"
#include "core/error.h"
#include "core/ruby.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUBY_SCALE 0.5
#define ASCENT 0.88
#define DESCENT 0.12

enum atom_kind { A_CJK, A_WORD, A_SPACE, A_RUBY, A_BREAK };

struct glyph {
	uint32_t cp;
	int face;
	double adv;
};

struct atom {
	enum atom_kind kind;
	size_t g0, g1;  /* base glyphs */
	size_t r0, r1;  /* reading glyphs (ruby) */
	double width, base_width, reading_width;
	uint32_t first, last; /* code points at the edges, for 禁則 */
};

struct work {
	const struct sk_fontset *fs;
	const struct sk_style *st;
	struct glyph *g;
	size_t ng, ag;
	struct atom *a;
	size_t na, aa;
	char *err;
	size_t errlen;
	int failed;
	int has_ruby; /* any ruby group in the text */
};

static int is_cjk(uint32_t c)
{
	return (c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x3000 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
	       (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFFEF) || (c >= 0x20000 && c <= 0x3FFFF) ||
	       (c >= 0x25A0 && c <= 0x25FF) || c == 0x2014 || c == 0x2015 || c == 0x2025 || c == 0x2026 ||
	       c == 0x203B;
}

/* 行頭禁則: never at the start of a line. */
static int no_start(uint32_t c)
{
	static const uint32_t set[] = {
		0x3001, 0x3002, 0xFF0C, 0xFF0E, 0x30FB, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF01, 0x309B, 0x309C,
		0x30FD, 0x30FE, 0x309D, 0x309E, 0x3005, 0x303B, 0x30FC, 0xFF09, 0xFF3D, 0xFF5D, 0x3015,
		0x3009, 0x300B, 0x300D, 0x300F, 0x3011, 0x3019, 0x3017, 0x301F, 0x2019, 0x201D, 0xFF60,
		0x00BB, 0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085, 0x3087, 0x308E,
		0x3095, 0x3096, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3, 0x30E5, 0x30E7,
		0x30EE, 0x30F5, 0x30F6, 0x2010, 0x30A0, 0x2013, 0x301C, 0xFF5E, 0xFF05, 0x2103, 0x00B0,
		0x2030, 0x2032, 0x2033, ')', ']', '}', ',', '.', ':', ';', '!', '?', '%',
	};
	if (c >= 0x31F0 && c <= 0x31FF)
		return 1;
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i] == c)
			return 1;
	return 0;
}

/* 行末禁則: never at the end of a line. */
static int no_end(uint32_t c)
{
	static const uint32_t set[] = { 0xFF08, 0xFF3B, 0xFF5B, 0x3014, 0x3008, 0x300A, 0x300C, 0x300E,
					0x3010, 0x3018, 0x3016, 0x301D, 0x2018, 0x201C, 0xFF5F, 0x00AB,
					'(', '[', '{' };
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (set[i] == c)
			return 1;
	return 0;
}

static int add_glyph(struct work *w, uint32_t cp, int face, double size)
{
	if (w->ng == w->ag) {
		size_t a = w->ag ? w->ag * 2 : 64;
		struct glyph *p = realloc(w->g, a * sizeof(*p));
		if (!p) {
			w->failed = SK_ENOMEM;
			return -1;
		}
		w->g = p;
		w->ag = a;
	}
	w->g[w->ng].cp = cp;
	w->g[w->ng].face = face;
	w->g[w->ng].adv = sk_font_advance(w->fs, (enum sk_face)face, cp, size);
	w->ng++;
	return 0;
}

static struct atom *add_atom(struct work *w, enum atom_kind kind)
{
	if (w->na == w->aa) {
		size_t a = w->aa ? w->aa * 2 : 32;
		struct atom *p = realloc(w->a, a * sizeof(*p));
		if (!p) {
			w->failed = SK_ENOMEM;
			return NULL;
		}
		w->a = p;
		w->aa = a;
	}
	struct atom *at = &w->a[w->na++];
	memset(at, 0, sizeof(*at));
	at->kind = kind;
	at->g0 = at->g1 = w->ng;
	return at;
}

/* The face for cp, or report that no face has it. */
static int pick(struct work *w, uint32_t cp, int want)
{
	int f = sk_font_pick(w->fs, (enum sk_face)want, cp);
	if (f < 0 && !w->failed) {
		char ch[8] = "";
		if (cp < 0x80)
			snprintf(ch, sizeof(ch), "%c", (char)cp);
		else if (cp < 0x800)
			snprintf(ch, sizeof(ch), "%c%c", (char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F)));
		else if (cp < 0x10000)
			snprintf(ch, sizeof(ch), "%c%c%c", (char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
				 (char)(0x80 | (cp & 0x3F)));
		else
			snprintf(ch, sizeof(ch), "%c%c%c%c", (char)(0xF0 | (cp >> 18)), (char)(0x80 | ((cp >> 12) & 0x3F)),
				 (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F)));
		snprintf(w->err, w->errlen, "character '%s' (U+%04X) is in no installed font", ch, (unsigned)cp);
		w->failed = SK_EINPUT;
	}
	return f;
}

static int want_face(const struct sk_style *st)
{
	return st->bold && st->face == SK_FACE_SANS ? SK_FACE_SANS_BOLD : (int)st->face;
}

/* Set glyphs [g0, g1) in face f if it has every one: 0, or -1 if not. */
static int set_in_face(struct work *w, size_t g0, size_t g1, int f)
{
	for (size_t i = g0; i < g1; i++)
		if (!sk_font_has(w->fs, (enum sk_face)f, w->g[i].cp))
			return -1;
	for (size_t i = g0; i < g1; i++) {
		w->g[i].face = f;
		w->g[i].adv = sk_font_advance(w->fs, (enum sk_face)f, w->g[i].cp, w->st->size);
	}
	return 0;
}

static void atom_remeasure(struct work *w, struct atom *at)
{
	at->width = 0;
	for (size_t i = at->g0; i < at->g1; i++)
		at->width += w->g[i].adv;
	at->base_width = at->width;
}

/* Latin text with a letter the style's face lacks: the whole phrase (the
 * words and spaces between two breaks or Japanese characters) is set in one
 * face that has every letter, so a name like NGUYỄN VĂN ĐỨC is in one
 * typeface; if no face has them all, each word is set whole in one. */
static void settle_phrase(struct work *w, size_t a0, size_t a1)
{
	if (a0 >= a1)
		return;
	int want = want_face(w->st), mixed = 0;
	size_t g0 = w->a[a0].g0, g1 = w->a[a1 - 1].g1;
	for (size_t i = g0; i < g1; i++)
		if (w->g[i].face != want && w->g[i].cp != ' ')
			mixed = 1;
	if (!mixed)
		return;
	static const int order[] = { SK_FACE_SANS, SK_FACE_GOTHIC, SK_FACE_MINCHO };
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		int f = order[k] == SK_FACE_SANS && w->st->bold ? SK_FACE_SANS_BOLD : order[k];
		if (set_in_face(w, g0, g1, f) == 0) {
			for (size_t a = a0; a < a1; a++)
				atom_remeasure(w, &w->a[a]);
			return;
		}
	}
	for (size_t a = a0; a < a1; a++) {
		struct atom *at = &w->a[a];
		if (at->kind != A_WORD)
			continue;
		for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
			int f = order[k] == SK_FACE_SANS && w->st->bold ? SK_FACE_SANS_BOLD : order[k];
			if (set_in_face(w, at->g0, at->g1, f) == 0)
				break;
		}
		atom_remeasure(w, at);
	}
}

static void atomize_plain(struct work *w, const char *s, size_t len)
{
	const char *end = s + len;
	struct atom *word = NULL;
	size_t phrase = w->na; /* first atom of the current Latin phrase */
	int want = want_face(w->st);
	while (s < end && !w->failed) {
		int cp;
		size_t n = sk_utf8_decode(s, &cp);
		if (!n)
			break;
		s += n;
		if (cp == '\r')
			continue;
		if (cp == '\n') {
			settle_phrase(w, phrase, w->na);
			word = NULL;
			add_atom(w, A_BREAK);
			phrase = w->na;
			continue;
		}
		if (cp == ' ' || cp == '\t') {
			word = NULL;
			struct atom *at = add_atom(w, A_SPACE);
			if (!at)
				return;
			int f = pick(w, ' ', want);
			if (f < 0 || add_glyph(w, ' ', f, w->st->size))
				return;
			at->g1 = w->ng;
			at->width = at->base_width = w->g[w->ng - 1].adv;
			at->first = at->last = ' ';
			continue;
		}
		int f = pick(w, (uint32_t)cp, want);
		if (f < 0)
			return;
		if (is_cjk((uint32_t)cp)) {
			settle_phrase(w, phrase, w->na);
			word = NULL;
			struct atom *at = add_atom(w, A_CJK);
			if (!at || add_glyph(w, (uint32_t)cp, f, w->st->size))
				return;
			at->g1 = w->ng;
			at->width = at->base_width = w->g[w->ng - 1].adv;
			at->first = at->last = (uint32_t)cp;
			phrase = w->na;
			continue;
		}
		if (!word) {
			word = add_atom(w, A_WORD);
			if (!word)
				return;
			word->first = (uint32_t)cp;
		}
		if (add_glyph(w, (uint32_t)cp, f, w->st->size))
			return;
		/* The atom may have moved if the array grew: find it again. */
		word = &w->a[w->na - 1];
		word->g1 = w->ng;
		word->width += w->g[w->ng - 1].adv;
		word->base_width = word->width;
		word->last = (uint32_t)cp;
	}
	settle_phrase(w, phrase, w->na);
}

static void atomize_ruby(struct work *w, const struct sk_ruby_seg *seg)
{
	struct atom *at = add_atom(w, A_RUBY);
	if (!at)
		return;
	size_t idx = w->na - 1;
	int want = want_face(w->st);
	double rsize = w->st->size * RUBY_SCALE;
	const char *s = seg->base, *end = seg->base + seg->base_len;
	double bw = 0, rw = 0;
	uint32_t first = 0, last = 0;
	while (s < end) {
		int cp;
		size_t n = sk_utf8_decode(s, &cp);
		if (!n)
			break;
		s += n;
		int f = pick(w, (uint32_t)cp, want);
		if (f < 0 || add_glyph(w, (uint32_t)cp, f, w->st->size))
			return;
		bw += w->g[w->ng - 1].adv;
		if (!first)
			first = (uint32_t)cp;
		last = (uint32_t)cp;
	}
	size_t g1 = w->ng;
	size_t r0 = w->ng;
	s = seg->reading;
	end = seg->reading + seg->reading_len;
	while (s < end) {
		int cp;
		size_t n = sk_utf8_decode(s, &cp);
		if (!n)
			break;
		s += n;
		int f = pick(w, (uint32_t)cp, want);
		if (f < 0 || add_glyph(w, (uint32_t)cp, f, rsize))
			return;
		rw += w->g[w->ng - 1].adv;
	}
	at = &w->a[idx];
	at->g1 = g1;
	at->r0 = r0;
	at->r1 = w->ng;
	at->base_width = bw;
	at->reading_width = rw;
	at->width = bw > rw ? bw : rw;
	at->first = first;
	at->last = last;
}

static int is_kana(uint32_t c)
{
	return (c >= 0x3041 && c <= 0x309F) || (c >= 0x30A0 && c <= 0x30FF);
}

/* Width of atom i on a line holding atoms [lo, hi), and in *reading_x where
 * its reading starts (from the atom's left). A reading longer than its base
 * may hang over a neighbouring kana by up to one ruby character (ルビの掛け,
 * as JIS X 4051 allows), instead of opening a gap in the line; never over
 * kanji, Latin or another ruby group, nor past either end of the line — a
 * neighbour on another line is no neighbour. */
static double atom_width(const struct work *w, size_t i, size_t lo, size_t hi, double *reading_x)
{
	const struct atom *at = &w->a[i];
	double rx = (at->width - at->reading_width) / 2;
	if (at->kind != A_RUBY || at->reading_width <= at->base_width) {
		if (reading_x)
			*reading_x = rx;
		return at->width;
	}
	double rsize = w->st->size * RUBY_SCALE;
	double allow_l = i > lo && w->a[i - 1].kind == A_CJK && is_kana(w->a[i - 1].last) ? rsize : 0;
	double allow_r = i + 1 < hi && w->a[i + 1].kind == A_CJK && is_kana(w->a[i + 1].first) ? rsize : 0;
	double over = at->reading_width - at->base_width;
	if (over > allow_l + allow_r)
		over = allow_l + allow_r;
	double l = over / 2, r = over / 2;
	if (l > allow_l) {
		r += l - allow_l;
		l = allow_l;
	}
	if (r > allow_r) {
		l += r - allow_r;
		r = allow_r;
	}
	if (reading_x)
		*reading_x = -l;
	return at->reading_width - over;
}

/* A Latin word wider than the line is cut into pieces that fit (text.h).
 * Two pieces, like any two words without a space, offer no break, so each
 * piece ends up alone on its line, cut where the fill finds no other. */
static int cut_long_words(struct work *w, double max_width)
{
	for (size_t i = 0; i < w->na; i++) {
		if (w->a[i].kind != A_WORD || w->a[i].width <= max_width + 1e-6)
			continue;
		double head = 0;
		size_t g = w->a[i].g0;
		for (; g < w->a[i].g1; g++) {
			if (g > w->a[i].g0 && head + w->g[g].adv > max_width + 1e-6)
				break;
			head += w->g[g].adv;
		}
		if (g == w->a[i].g1)
			continue;
		if (!add_atom(w, A_WORD))
			return SK_ENOMEM;
		memmove(&w->a[i + 2], &w->a[i + 1], (w->na - i - 2) * sizeof(*w->a));
		struct atom *a = &w->a[i], *b = &w->a[i + 1];
		*b = *a;
		b->g0 = g;
		b->first = w->g[g].cp;
		b->width = 0;
		for (size_t k = g; k < b->g1; k++)
			b->width += w->g[k].adv;
		b->base_width = b->width;
		a->g1 = g;
		a->last = w->g[g - 1].cp;
		a->width = a->base_width = head;
	}
	return 0;
}

/* May a line break between atoms a (before) and b (after)? */
static int break_ok(const struct atom *a, const struct atom *b)
{
	if (a->kind == A_SPACE || b->kind == A_SPACE)
		return 1;
	if (a->kind == A_WORD && b->kind == A_WORD)
		return 0;
	if (no_start(b->first) || no_end(a->last))
		return 0;
	return 1;
}

static int grow(void **p, size_t *alloc, size_t need, size_t size)
{
	if (need <= *alloc)
		return 0;
	size_t a = *alloc ? *alloc : 16;
	while (a < need)
		a *= 2;
	void *q = realloc(*p, a * size);
	if (!q)
		return -1;
	*p = q;
	*alloc = a;
	return 0;
}

/* Emit atoms [i0, i1) as one line of the block at `top`. */
static int emit_line(struct work *w, struct sk_text_block *b, size_t i0, size_t i1, double top)
{
	/* Spaces at either end vanish. */
	while (i0 < i1 && w->a[i0].kind == A_SPACE)
		i0++;
	while (i1 > i0 && w->a[i1 - 1].kind == A_SPACE)
		i1--;
	double size = w->st->size, rsize = size * RUBY_SCALE;
	int has_ruby = 0;
	for (size_t i = i0; i < i1; i++)
		if (w->a[i].kind == A_RUBY)
			has_ruby = 1;
	/* Every line of a paragraph with furigana leaves room for it, so the
	 * line pitch stays even (行送り). */
	int room = w->has_ruby || w->st->ruby_room;
	double leading = (w->st->leading > 0 ? w->st->leading : 1.6) * size;
	if (grow((void **)&b->lines, &b->alines, b->nlines + 1, sizeof(*b->lines)))
		return SK_ENOMEM;
	struct sk_line *ln = &b->lines[b->nlines++];
	memset(ln, 0, sizeof(*ln));
	ln->top = top;
	if (room) {
		/* Furigana sits in the space between lines; the line grows only
		 * when the leading leaves too little of it. */
		double gap = leading - size, need = rsize * 1.15;
		double extra = need > gap ? need - gap : 0;
		ln->height = leading + extra;
		ln->baseline = top + gap + extra + ASCENT * size;
	} else {
		ln->height = leading;
		ln->baseline = top + (leading - size) / 2 + ASCENT * size;
	}
	ln->first_run = b->nruns;
	ln->has_ruby = has_ruby;
	double x = 0;
	for (size_t i = i0; i < i1; i++) {
		const struct atom *at = &w->a[i];
		if (at->kind == A_BREAK)
			continue;
		double reading_x;
		double width = atom_width(w, i, i0, i1, &reading_x);
		/* The base sits centred under its reading as far as its own room
		 * allows: a reading that hangs over one side only is off-centre
		 * rather than push the base onto its neighbour. */
		double bx = x + (width - at->base_width) / 2;
		if (at->kind == A_RUBY) {
			double lo = x, hi = x + width - at->base_width;
			bx = x + reading_x + (at->reading_width - at->base_width) / 2;
			bx = bx < lo ? lo : bx > hi ? hi : bx;
		}
		for (size_t g = at->g0; g < at->g1; g++) {
			const struct glyph *gl = &w->g[g];
			struct sk_glyph_run *r = b->nruns > ln->first_run ? &b->runs[b->nruns - 1] : NULL;
			if (!r || r->face != gl->face || r->rise != 0 || r->size != size ||
			    r->start + r->n != b->ncps || (at->kind == A_RUBY && g == at->g0)) {
				if (grow((void **)&b->runs, &b->aruns, b->nruns + 1, sizeof(*b->runs)))
					return SK_ENOMEM;
				r = &b->runs[b->nruns++];
				memset(r, 0, sizeof(*r));
				r->face = gl->face;
				r->bold = w->st->bold && gl->face != SK_FACE_SANS_BOLD;
				r->size = size;
				r->x = bx;
				r->start = b->ncps;
			}
			if (grow((void **)&b->cps, &b->acps, b->ncps + 1, sizeof(*b->cps)))
				return SK_ENOMEM;
			b->cps[b->ncps++] = gl->cp;
			r->n++;
			bx += gl->adv;
		}
		if (at->kind == A_RUBY) {
			double rx = x + reading_x;
			for (size_t g = at->r0; g < at->r1; g++) {
				const struct glyph *gl = &w->g[g];
				struct sk_glyph_run *r = &b->runs[b->nruns - 1];
				if (r->rise == 0 || r->face != gl->face || r->start + r->n != b->ncps) {
					if (grow((void **)&b->runs, &b->aruns, b->nruns + 1, sizeof(*b->runs)))
						return SK_ENOMEM;
					r = &b->runs[b->nruns++];
					memset(r, 0, sizeof(*r));
					r->face = gl->face;
					r->size = rsize;
					r->x = rx;
					r->rise = ASCENT * size + rsize * 0.2;
					r->start = b->ncps;
				}
				if (grow((void **)&b->cps, &b->acps, b->ncps + 1, sizeof(*b->cps)))
					return SK_ENOMEM;
				b->cps[b->ncps++] = gl->cp;
				r->n++;
				rx += gl->adv;
			}
		}
		x += width;
	}
	ln->width = x;
	ln->nruns = b->nruns - ln->first_run;
	if (x > b->width)
		b->width = x;
	return 0;
}

int sk_text_layout(const struct sk_fontset *fs, const struct sk_style *style, const char *text,
		   double max_width, struct sk_text_block *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	struct work w = { .fs = fs, .st = style, .err = err, .errlen = errlen };
	if (err && errlen)
		err[0] = '\0';
	struct sk_ruby_seg *segs = NULL;
	size_t nsegs = 0;
	if (sk_ruby_parse(text, &segs, &nsegs)) {
		size_t pos;
		const char *why;
		sk_ruby_check(text, &pos, &why);
		snprintf(err, errlen, "malformed furigana at character %zu: %s", pos, why ? why : "?");
		return SK_EINPUT;
	}
	for (size_t i = 0; i < nsegs && !w.failed; i++) {
		if (segs[i].reading)
			atomize_ruby(&w, &segs[i]);
		else
			atomize_plain(&w, segs[i].base, segs[i].base_len);
	}
	free(segs);
	for (size_t i = 0; i < w.na; i++)
		if (w.a[i].kind == A_RUBY)
			w.has_ruby = 1;
	int rc = w.failed;
	if (!rc && max_width > 0)
		rc = cut_long_words(&w, max_width);
	double top = 0;
	size_t start = 0;
	while (!rc && start < w.na) {
		double x = 0; /* atoms [start, i), each with the next beside it */
		size_t i = start;
		for (; i < w.na; i++) {
			if (w.a[i].kind == A_BREAK)
				break;
			if (max_width > 0 && x + atom_width(&w, i, start, i + 1, NULL) > max_width + 1e-6 &&
			    i > start && w.a[i].kind != A_SPACE)
				break;
			x += atom_width(&w, i, start, w.na, NULL);
		}
		size_t end = i;
		if (i < w.na && w.a[i].kind != A_BREAK) {
			/* Overflow at atom i: the last allowed break at or before it. */
			size_t b = i;
			while (b > start + 1 && !break_ok(&w.a[b - 1], &w.a[b]))
				b--;
			if (b > start + 1 || break_ok(&w.a[start], &w.a[start + 1]))
				end = b;
			/* else: nothing allowed; cut at i (an over-long word or run). */
		}
		if ((rc = emit_line(&w, out, start, end, top)))
			break;
		top += out->lines[out->nlines - 1].height;
		start = end;
		if (start < w.na && w.a[start].kind == A_BREAK)
			start++;
		else
			while (start < w.na && w.a[start].kind == A_SPACE)
				start++;
	}
	if (!rc && w.na == 0) {
		/* Empty text still takes a line. */
		rc = emit_line(&w, out, 0, 0, 0);
		if (!rc)
			top = out->lines[0].height;
	}
	out->height = top;
	free(w.g);
	free(w.a);
	if (rc)
		sk_text_release(out);
	return rc;
}

void sk_text_release(struct sk_text_block *b)
{
	free(b->cps);
	free(b->runs);
	free(b->lines);
	memset(b, 0, sizeof(*b));
}

void sk_text_draw(struct sk_doc *doc, const struct sk_text_block *b, const struct sk_style *style,
		  double x, double y, double box_width)
{
	if (box_width <= 0)
		box_width = b->width;
	for (size_t l = 0; l < b->nlines; l++) {
		const struct sk_line *ln = &b->lines[l];
		double dx = style->align == SK_ALIGN_CENTER ? (box_width - ln->width) / 2
			    : style->align == SK_ALIGN_RIGHT ? box_width - ln->width : 0;
		for (size_t r = ln->first_run; r < ln->first_run + ln->nruns; r++) {
			const struct sk_glyph_run *run = &b->runs[r];
			sk_doc_text_run(doc, (enum sk_face)run->face, run->size, x + dx + run->x,
					y + ln->baseline - run->rise, b->cps + run->start, run->n, run->bold);
		}
	}
}

double sk_text_put(struct sk_doc *doc, const struct sk_style *style, const char *text, double x,
		   double y, double width, char *err, size_t errlen)
{
	struct sk_text_block b;
	if (sk_text_layout(sk_doc_fonts(doc), style, text, width, &b, err, errlen))
		return -1;
	sk_text_draw(doc, &b, style, x, y, width);
	double h = b.height;
	sk_text_release(&b);
	return h;
}

double sk_text_measure(const struct sk_fontset *fs, const struct sk_style *style, const char *text)
{
	struct sk_text_block b;
	char err[8];
	if (sk_text_layout(fs, style, text, 0, &b, err, sizeof(err)))
		return -1;
	double w = b.width;
	sk_text_release(&b);
	return w;
}
