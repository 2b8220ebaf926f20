/*
 * Grading (grade.h): each live registration of a sitting scored against
 * its own paper, compared with its stored result, and what is new or
 * changed written in one transaction with an audit record per result.
 *
 * A sitting is graded from a handful of set-based reads: the registrations
 * with their paper, answer sheet, disqualifying incident and stored result
 * (one query, streamed in exam-number order), the examiners' scores and the
 * stored sections (one query each, kept sorted by registration). Papers
 * are rebuilt in memory from one sk_paper_set; keys are opened once per
 * item version and key corrections read once. Nothing is written until
 * everything has been computed and every change shown to on_change.
 */
#include "exam/grade.h"
#include "core/audit.h"
#include "core/bank.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "exam/paper.h"
#include "exam/response.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OUT_PASS, OUT_FAIL, OUT_ABSENT, OUT_DISQ };
static const char *const outcome_name[] = { "pass", "fail", "absent", "disqualified" };

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

static int popcount5(unsigned m)
{
	int n = 0;
	for (m &= 0x1f; m; m &= m - 1)
		n++;
	return n;
}

/* "O"/"X" or "A".."E" as a mask of canonical options (bit 0 = ○/A). */
static unsigned key_mask(const char *key)
{
	if (!strcmp(key, "O"))
		return 1;
	if (!strcmp(key, "X"))
		return 2;
	if (key[0] >= 'A' && key[0] <= 'E' && !key[1])
		return 1u << (key[0] - 'A');
	return 0;
}

/* ---- keys: one entry per item version, opened once ---- */

struct correction {
	int64_t version_id, id;
	unsigned accept;
};

struct key_entry {
	int64_t version_id;
	char item[40];
	int version;
	int tf;
	int noptions;
	unsigned key;         /* the version's own key */
	unsigned accept;      /* what scores now: the newest correction, or the key */
	int corrected;
	size_t first, ncorr;  /* its corrections in keys.corr, oldest first */
};

struct keys {
	struct sk_db *db;
	struct correction *corr;
	size_t ncorr;
	int64_t newest;       /* the newest correction id (0: none) */
	int32_t *slot;        /* version id -> entry index + 1 */
	size_t nslots;
	struct key_entry *e;
	size_t n, alloc;
};

static void keys_release(struct keys *k)
{
	free(k->corr);
	free(k->slot);
	if (k->e)
		sodium_memzero(k->e, k->alloc * sizeof(*k->e));
	free(k->e);
	memset(k, 0, sizeof(*k));
}

static int keys_init(struct sk_db *db, struct keys *k)
{
	static const char sql_corr[] =
		"SELECT item_version_id, id, accept FROM key_correction ORDER BY item_version_id, id";
	memset(k, 0, sizeof(*k));
	k->db = db;
	sqlite3_stmt *st = sk_db_stmt(db, sql_corr);
	if (!st)
		return db->err;
	size_t alloc = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (k->ncorr == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			struct correction *p = realloc(k->corr, alloc * sizeof(*p));
			if (!p) {
				sqlite3_reset(st);
				return sk_db_fail(db, SK_ENOMEM, "out of memory");
			}
			k->corr = p;
		}
		struct correction *c = &k->corr[k->ncorr++];
		c->version_id = sqlite3_column_int64(st, 0);
		c->id = sqlite3_column_int64(st, 1);
		c->accept = (unsigned)sqlite3_column_int(st, 2);
		if (c->id > k->newest)
			k->newest = c->id;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return sk_db_sqlfail(db, "reading key corrections");
	return 0;
}

/* The key entry of an item version, opening its key the first time. */
static int keys_get(struct keys *k, int64_t version_id, const struct key_entry **out)
{
	if (version_id > 0 && (size_t)version_id < k->nslots && k->slot[version_id]) {
		*out = &k->e[k->slot[version_id] - 1];
		return 0;
	}
	*out = NULL;
	if (version_id <= 0)
		return sk_db_fail(k->db, SK_EINVAL, "no such item version (id %lld)", (long long)version_id);
	if ((size_t)version_id >= k->nslots) {
		size_t n = (size_t)version_id * 2 + 64;
		int32_t *p = realloc(k->slot, n * sizeof(*p));
		if (!p)
			return sk_db_fail(k->db, SK_ENOMEM, "out of memory");
		memset(p + k->nslots, 0, (n - k->nslots) * sizeof(*p));
		k->slot = p;
		k->nslots = n;
	}
	if (k->n == k->alloc) {
		size_t alloc = k->alloc ? k->alloc * 2 : 64;
		struct key_entry *p = malloc(alloc * sizeof(*p));
		if (!p)
			return sk_db_fail(k->db, SK_ENOMEM, "out of memory");
		if (k->n)
			memcpy(p, k->e, k->n * sizeof(*p));
		if (k->e)
			sodium_memzero(k->e, k->alloc * sizeof(*k->e));
		free(k->e);
		k->e = p;
		k->alloc = alloc;
	}
	struct sk_item it;
	int rc = sk_item_get_version(k->db, version_id, 1, &it);
	if (rc)
		return rc;
	struct key_entry *e = &k->e[k->n];
	memset(e, 0, sizeof(*e));
	e->version_id = version_id;
	snprintf(e->item, sizeof(e->item), "%s", it.code);
	e->version = it.version;
	e->tf = !strcmp(it.kind, "tf");
	e->noptions = e->tf ? 2 : it.noptions;
	e->key = key_mask(it.key);
	sodium_memzero(it.key, sizeof(it.key));
	sk_item_release(&it);
	if (!e->key)
		return sk_db_fail(k->db, SK_ECRYPTO, "item %s v%d has no usable key", e->item, e->version);
	e->accept = e->key;
	/* Its corrections: a contiguous run of the sorted array. */
	size_t lo = 0, hi = k->ncorr;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (k->corr[mid].version_id < version_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	e->first = lo;
	while (lo < k->ncorr && k->corr[lo].version_id == version_id)
		lo++;
	e->ncorr = lo - e->first;
	if (e->ncorr) {
		e->accept = k->corr[lo - 1].accept;
		e->corrected = 1;
	}
	k->slot[version_id] = (int32_t)++k->n;
	*out = e;
	return 0;
}

/* What scored for this item when corrections up to id `upto` were in force. */
static unsigned accepted_as_of(const struct keys *k, const struct key_entry *e, int64_t upto)
{
	for (size_t i = e->ncorr; i-- > 0;)
		if (k->corr[e->first + i].id <= upto)
			return k->corr[e->first + i].accept;
	return e->key;
}

/* ---- one registration ---- */

struct tsec {
	int64_t id;
	char code[32];
	char kind[8];
	int pass_percent;
};

struct tinfo {
	int64_t id;
	char code[16];
	int nsec;
	struct tsec sec[8];
	size_t count; /* index into the caller's counts, or SIZE_MAX */
};

struct score {
	int64_t registration_id, section_id;
	int points, max_points;
};

struct sec_result {
	int32_t points, max_points;
	uint8_t passed, multiple, blank;
};

struct compact {
	uint8_t outcome;
	uint8_t nsec;
	struct sec_result s[8];
};

struct grade_in {
	const struct tinfo *t;
	const struct sk_paper *paper;     /* NULL: none */
	const unsigned char *marks;
	size_t nmarks;
	int has_marks;
	const struct score *scores;       /* this registration's rows */
	size_t nscores;
	int disqualified;
};

enum { GRADED = 0, INCOMPLETE = 1, BEYOND = 2, NO_ITEMS = 3 };

/* A mark (printed letters) in canonical options; *single when it is one
 * clear mark. Bits the question does not have map to nothing. */
static unsigned canonical_of(unsigned char mark, const struct sk_paper_item *it, int *single)
{
	*single = !(mark & SK_MARK_UNCLEAR) && popcount5(mark) == 1;
	unsigned canon = 0;
	for (int d = 0; d < SK_ITEM_MAX_OPTIONS; d++)
		if ((mark >> d) & 1 && it->option_of[d] >= 0)
			canon |= 1u << it->option_of[d];
	return canon;
}

static const struct sk_paper_section *paper_section(const struct sk_paper *p, const char *code, int *first)
{
	int pos = 0;
	/* (the bound on the array also keeps GCC's -O3 overread check quiet) */
	int n = p ? p->nsections : 0, cap = (int)(sizeof(p->sections) / sizeof(p->sections[0]));
	for (int s = 0; s < n && s < cap; s++) {
		if (!strcmp(p->sections[s].code, code)) {
			*first = pos;
			return &p->sections[s];
		}
		pos += p->sections[s].nitems;
	}
	return NULL;
}

static int paper_positions(const struct sk_paper *p)
{
	int n = 0;
	for (int s = 0; p && s < p->nsections; s++)
		n += p->sections[s].nitems;
	return n;
}

/* Score one registration. Fills out (GRADED), or says why it cannot be
 * graded (INCOMPLETE, BEYOND, NO_ITEMS); negative on a database error.
 * lines, when given, receive every printed position (room for
 * SK_MARK_MAX_POSITIONS). *missing names the first section without data. */
static int compute(struct keys *k, const struct grade_in *in, struct compact *out,
		   struct sk_grade_line *lines, size_t *nlines, const char **missing)
{
	memset(out, 0, sizeof(*out));
	if (nlines)
		*nlines = 0;
	*missing = NULL;
	const struct tinfo *t = in->t;
	int total = paper_positions(in->paper);
	if (in->has_marks)
		for (size_t i = (size_t)total; i < in->nmarks; i++)
			if (in->marks[i])
				return BEYOND;
	int present = 0;
	int have[8] = { 0 };
	for (int i = 0; i < t->nsec; i++) {
		if (!strcmp(t->sec[i].kind, "scored")) {
			for (size_t j = 0; j < in->nscores; j++)
				if (in->scores[j].section_id == t->sec[i].id)
					have[i] = 1;
		} else {
			have[i] = in->has_marks;
		}
		if (have[i])
			present++;
		else if (!*missing)
			*missing = t->sec[i].code;
	}
	if (present < t->nsec) {
		/* Disqualified whatever came in, with sections only when every
		 * one has data; otherwise absent or incomplete. */
		if (in->disqualified) {
			out->outcome = OUT_DISQ;
			return GRADED;
		}
		if (present)
			return INCOMPLETE;
		out->outcome = OUT_ABSENT;
		return GRADED;
	}
	int all_passed = 1;
	for (int i = 0; i < t->nsec; i++) {
		struct sec_result *r = &out->s[i];
		if (!strcmp(t->sec[i].kind, "scored")) {
			for (size_t j = 0; j < in->nscores; j++)
				if (in->scores[j].section_id == t->sec[i].id) {
					r->points = in->scores[j].points;
					r->max_points = in->scores[j].max_points;
				}
		} else {
			int first = 0;
			const struct sk_paper_section *ps = paper_section(in->paper, t->sec[i].code, &first);
			if (!ps || ps->nitems == 0) {
				*missing = t->sec[i].code;
				return NO_ITEMS;
			}
			r->max_points = ps->nitems;
			for (int j = 0; j < ps->nitems; j++) {
				const struct sk_paper_item *it = &ps->items[j];
				const struct key_entry *e;
				int rc = keys_get(k, it->item_version_id, &e);
				if (rc)
					return rc;
				size_t pos = (size_t)first + (size_t)j;
				unsigned char mark = pos < in->nmarks ? in->marks[pos] : 0;
				int single, point = 0;
				unsigned canon = canonical_of(mark, it, &single);
				if (!mark)
					r->blank++;
				else if (!single)
					r->multiple++;
				else
					point = (canon & e->accept) != 0;
				r->points += point;
				if (lines && pos < SK_MARK_MAX_POSITIONS) {
					struct sk_grade_line *l = &lines[pos];
					memset(l, 0, sizeof(*l));
					l->number = (int)pos + 1;
					snprintf(l->section, sizeof(l->section), "%s", t->sec[i].code);
					snprintf(l->item, sizeof(l->item), "%s", e->item);
					l->version = e->version;
					l->tf = e->tf;
					l->mark = mark;
					l->canonical = (unsigned char)(canon | (mark & SK_MARK_UNCLEAR));
					l->accepted = (unsigned char)e->accept;
					l->corrected = e->corrected;
					l->point = point;
					if (pos + 1 > *nlines)
						*nlines = pos + 1;
				}
			}
		}
		r->passed = (int64_t)r->points * 100 >= (int64_t)t->sec[i].pass_percent * r->max_points;
		if (!r->passed)
			all_passed = 0;
	}
	out->nsec = (uint8_t)t->nsec;
	out->outcome = in->disqualified ? OUT_DISQ : all_passed ? OUT_PASS : OUT_FAIL;
	return GRADED;
}

static int same_result(const struct compact *a, const struct compact *b)
{
	if (a->outcome != b->outcome || a->nsec != b->nsec)
		return 0;
	for (int i = 0; i < a->nsec; i++)
		if (a->s[i].points != b->s[i].points || a->s[i].max_points != b->s[i].max_points ||
		    a->s[i].passed != b->s[i].passed || a->s[i].multiple != b->s[i].multiple ||
		    a->s[i].blank != b->s[i].blank)
			return 0;
	return 1;
}

static void to_grade(struct sk_grade *g, const struct tinfo *t, const char *exam_number, const struct compact *c)
{
	memset(g, 0, sizeof(*g));
	snprintf(g->exam_number, sizeof(g->exam_number), "%s", exam_number);
	snprintf(g->test, sizeof(g->test), "%s", t->code);
	snprintf(g->outcome, sizeof(g->outcome), "%s", outcome_name[c->outcome]);
	g->nsections = c->nsec;
	for (int i = 0; i < c->nsec; i++) {
		struct sk_grade_section *s = &g->sections[i];
		snprintf(s->code, sizeof(s->code), "%s", t->sec[i].code);
		snprintf(s->kind, sizeof(s->kind), "%s", t->sec[i].kind);
		s->pass_percent = t->sec[i].pass_percent;
		s->points = c->s[i].points;
		s->max_points = c->s[i].max_points;
		s->passed = c->s[i].passed;
		s->multiple = c->s[i].multiple;
		s->blank = c->s[i].blank;
	}
}

/* In words, why a stored result changes: the sections whose points moved,
 * with the key corrections made since it was graded that account for it
 * on this paper, or else what else came in. */
static int explain(struct keys *k, const struct grade_in *in, int64_t graded_with, const char *disq_kind,
		   const struct compact *before, const struct compact *after, char *why, size_t cap)
{
	struct sk_buf b = SK_BUF_INIT;
	const struct tinfo *t = in->t;
	int rc = 0;
	if (after->outcome == OUT_DISQ && before->outcome != OUT_DISQ)
		sk_buf_addf(&b, "disqualified (incident: %s)", disq_kind && *disq_kind ? disq_kind : "recorded");
	else if (before->outcome == OUT_DISQ && after->outcome != OUT_DISQ)
		sk_buf_adds(&b, "no disqualifying incident any more");
	if (before->outcome == OUT_ABSENT && after->outcome != OUT_ABSENT)
		sk_buf_addf(&b, "%sanswers came in", b.len ? "; " : "");
	else if (after->outcome == OUT_ABSENT && before->outcome != OUT_ABSENT)
		sk_buf_addf(&b, "%sno answers any more", b.len ? "; " : "");
	for (int i = 0; i < t->nsec && i < after->nsec && i < before->nsec; i++) {
		const struct sec_result *o = &before->s[i], *n = &after->s[i];
		if (o->points == n->points && o->max_points == n->max_points && o->multiple == n->multiple &&
		    o->blank == n->blank && o->passed == n->passed)
			continue;
		sk_buf_addf(&b, "%s%s %d/%d → %d/%d", b.len ? "; " : "", t->sec[i].code, o->points, o->max_points,
			    n->points, n->max_points);
		if (!strcmp(t->sec[i].kind, "scored")) {
			sk_buf_adds(&b, " (examiners' score changed)");
			continue;
		}
		int first = 0, delta = 0, named = 0;
		char items[160] = "";
		const struct sk_paper_section *ps = paper_section(in->paper, t->sec[i].code, &first);
		for (int j = 0; ps && j < ps->nitems; j++) {
			const struct key_entry *e;
			if ((rc = keys_get(k, ps->items[j].item_version_id, &e)))
				goto done;
			if (!e->ncorr)
				continue;
			size_t pos = (size_t)first + (size_t)j;
			unsigned char mark = pos < in->nmarks ? in->marks[pos] : 0;
			int single;
			unsigned canon = canonical_of(mark, &ps->items[j], &single);
			int was = single && (canon & accepted_as_of(k, e, graded_with)) != 0;
			int now = single && (canon & e->accept) != 0;
			if (was == now)
				continue;
			delta += now - was;
			size_t used = strlen(items);
			snprintf(items + used, sizeof(items) - used, "%s%s", named++ ? ", " : "", e->item);
		}
		/* What the corrections since the stored result do not explain
		 * came from a different answer sheet. */
		int sheet = delta != n->points - o->points || o->multiple != n->multiple || o->blank != n->blank ||
			    o->max_points != n->max_points;
		if (named)
			sk_buf_addf(&b, " (%s rekeyed%s)", items, sheet ? "; answer sheet changed" : "");
		else if (sheet)
			sk_buf_adds(&b, " (answer sheet changed)");
	}
	if (!b.len && before->nsec != after->nsec)
		sk_buf_adds(&b, after->nsec ? "sections scored" : "sections no longer scored");
	if (sk_buf_failed(&b))
		rc = sk_db_fail(k->db, SK_ENOMEM, "out of memory");
done:
	snprintf(why, cap, "%s", b.buf);
	sk_buf_release(&b);
	return rc;
}

/* ---- grading a sitting ---- */

struct stored_sec {
	int64_t registration_id, section_id;
	struct sec_result r;
};

/* Lower bound of a registration id in an array sorted by it. */
#define LOWER_BOUND(arr, n, id, out) do { \
	size_t lo_ = 0, hi_ = (n); \
	while (lo_ < hi_) { \
		size_t mid_ = (lo_ + hi_) / 2; \
		if ((arr)[mid_].registration_id < (id)) lo_ = mid_ + 1; else hi_ = mid_; \
	} \
	(out) = lo_; \
} while (0)

struct pending {
	int64_t registration_id;
	char exam_number[16];
	int test;                 /* index into tests */
	int has_before;
	struct compact before, after;
	char *why;
};

struct grader {
	struct sk_db *db;
	struct sk_sitting sitting;
	struct tinfo tests[16];
	int ntests;
	struct keys keys;
	struct score *scores;
	size_t nscores;
	struct stored_sec *stored;
	size_t nstored;
	struct pending *pend;
	size_t npend, apend;
};

static void grader_release(struct grader *g)
{
	keys_release(&g->keys);
	free(g->scores);
	free(g->stored);
	for (size_t i = 0; i < g->npend; i++)
		free(g->pend[i].why);
	free(g->pend);
}

static int grader_test(struct grader *g, int64_t test_id, struct sk_grade_count *counts, size_t cap,
		       size_t *ncounts, int *out)
{
	for (int i = 0; i < g->ntests; i++)
		if (g->tests[i].id == test_id) {
			*out = i;
			return 0;
		}
	if (g->ntests == 16)
		return sk_db_fail(g->db, SK_ERANGE, "a sitting offers at most 16 tests");
	struct sk_testdef td;
	int rc = sk_testdef_get_id(g->db, test_id, &td);
	if (rc)
		return rc;
	struct tinfo *t = &g->tests[g->ntests];
	memset(t, 0, sizeof(*t));
	t->id = td.id;
	snprintf(t->code, sizeof(t->code), "%s", td.code);
	t->nsec = (int)(td.nsections > 8 ? 8 : td.nsections);
	for (int i = 0; i < t->nsec; i++) {
		t->sec[i].id = td.sections[i].id;
		snprintf(t->sec[i].code, sizeof(t->sec[i].code), "%s", td.sections[i].code);
		snprintf(t->sec[i].kind, sizeof(t->sec[i].kind), "%s", td.sections[i].item_kind);
		t->sec[i].pass_percent = td.sections[i].pass_percent;
	}
	t->count = SIZE_MAX;
	if (counts && *ncounts < cap) {
		t->count = (*ncounts)++;
		memset(&counts[t->count], 0, sizeof(counts[t->count]));
		snprintf(counts[t->count].test, sizeof(counts[t->count].test), "%s", t->code);
	}
	*out = g->ntests++;
	return 0;
}

static const char sql_scores[] =
	"SELECT ss.registration_id, ss.section_id, ss.points, ss.max_points FROM section_score ss"
	" JOIN registration r ON r.id = ss.registration_id"
	" WHERE r.sitting_id = ?1 AND r.status = 'registered' ORDER BY ss.registration_id";
static const char sql_stored[] =
	"SELECT rs.registration_id, rs.section_id, rs.points, rs.max_points, rs.passed, rs.multiple, rs.blank"
	" FROM result_section rs JOIN registration r ON r.id = rs.registration_id"
	" WHERE r.sitting_id = ?1 AND r.status = 'registered' ORDER BY rs.registration_id";

static int load_scores(struct grader *g)
{
	sqlite3_stmt *st = sk_db_stmt(g->db, sql_scores);
	if (!st)
		return g->db->err;
	sqlite3_bind_int64(st, 1, g->sitting.id);
	size_t alloc = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (g->nscores == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			struct score *p = realloc(g->scores, alloc * sizeof(*p));
			if (!p) {
				sqlite3_reset(st);
				return sk_db_fail(g->db, SK_ENOMEM, "out of memory");
			}
			g->scores = p;
		}
		struct score *s = &g->scores[g->nscores++];
		s->registration_id = sqlite3_column_int64(st, 0);
		s->section_id = sqlite3_column_int64(st, 1);
		s->points = sqlite3_column_int(st, 2);
		s->max_points = sqlite3_column_int(st, 3);
	}
	sqlite3_reset(st);
	return step == SQLITE_DONE ? 0 : sk_db_sqlfail(g->db, "reading examiners' scores");
}

static int load_stored(struct grader *g)
{
	sqlite3_stmt *st = sk_db_stmt(g->db, sql_stored);
	if (!st)
		return g->db->err;
	sqlite3_bind_int64(st, 1, g->sitting.id);
	size_t alloc = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (g->nstored == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			struct stored_sec *p = realloc(g->stored, alloc * sizeof(*p));
			if (!p) {
				sqlite3_reset(st);
				return sk_db_fail(g->db, SK_ENOMEM, "out of memory");
			}
			g->stored = p;
		}
		struct stored_sec *s = &g->stored[g->nstored++];
		s->registration_id = sqlite3_column_int64(st, 0);
		s->section_id = sqlite3_column_int64(st, 1);
		s->r.points = sqlite3_column_int(st, 2);
		s->r.max_points = sqlite3_column_int(st, 3);
		s->r.passed = (uint8_t)sqlite3_column_int(st, 4);
		s->r.multiple = (uint8_t)sqlite3_column_int(st, 5);
		s->r.blank = (uint8_t)sqlite3_column_int(st, 6);
	}
	sqlite3_reset(st);
	return step == SQLITE_DONE ? 0 : sk_db_sqlfail(g->db, "reading stored results");
}

static int outcome_code(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, outcome_name[i]))
			return i;
	return -1;
}

/* The stored result of a registration in the compact form, sections in
 * the test's order. */
static void stored_result(const struct grader *g, const struct tinfo *t, int64_t reg_id, int outcome,
			  struct compact *out)
{
	memset(out, 0, sizeof(*out));
	out->outcome = (uint8_t)outcome;
	size_t i;
	LOWER_BOUND(g->stored, g->nstored, reg_id, i);
	int n = 0;
	for (; i < g->nstored && g->stored[i].registration_id == reg_id; i++) {
		n++;
		for (int s = 0; s < t->nsec; s++)
			if (t->sec[s].id == g->stored[i].section_id)
				out->s[s] = g->stored[i].r;
	}
	out->nsec = (uint8_t)(n ? t->nsec : 0);
}

static int add_pending(struct grader *g, int64_t reg_id, const char *exam_number, int test,
		       const struct compact *after, const struct compact *before, char *why)
{
	if (g->npend == g->apend) {
		size_t alloc = g->apend ? g->apend * 2 : 256;
		struct pending *p = realloc(g->pend, alloc * sizeof(*p));
		if (!p) {
			free(why);
			return sk_db_fail(g->db, SK_ENOMEM, "out of memory");
		}
		g->pend = p;
		g->apend = alloc;
	}
	struct pending *p = &g->pend[g->npend++];
	p->registration_id = reg_id;
	snprintf(p->exam_number, sizeof(p->exam_number), "%s", exam_number);
	p->test = test;
	p->after = *after;
	p->has_before = before != NULL;
	if (before)
		p->before = *before;
	else
		memset(&p->before, 0, sizeof(p->before));
	p->why = why;
	return 0;
}

/* {"outcome":"pass","sections":{"gakka":"13/20",...}}: written for every
 * result, so without printf. Section codes are plain identifiers. */
static void result_json(struct sk_buf *b, const struct tinfo *t, const struct compact *c)
{
	sk_buf_adds(b, "{\"outcome\":\"");
	sk_buf_adds(b, outcome_name[c->outcome]);
	sk_buf_adds(b, "\",\"sections\":{");
	for (int i = 0; i < c->nsec; i++) {
		if (i)
			sk_buf_addch(b, ',');
		sk_buf_add_json_str(b, t->sec[i].code);
		sk_buf_adds(b, ":\"");
		sk_buf_add_uint(b, (unsigned long long)c->s[i].points);
		sk_buf_addch(b, '/');
		sk_buf_add_uint(b, (unsigned long long)c->s[i].max_points);
		sk_buf_addch(b, '"');
	}
	sk_buf_adds(b, "}}");
}

static const char sql_run[] =
	"INSERT INTO grading_run (sitting_id, actor, started_at, graded, written, key_corrections)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_add_result[] =
	"INSERT INTO result (registration_id, run_id, outcome, graded_at) VALUES (?1, ?2, ?3, ?4)";
static const char sql_change_result[] =
	"UPDATE result SET run_id = ?2, outcome = ?3, graded_at = ?4 WHERE registration_id = ?1";
static const char sql_clear_sections[] = "DELETE FROM result_section WHERE registration_id = ?1";
static const char sql_section[] =
	"INSERT INTO result_section (registration_id, section_id, points, max_points, passed, multiple, blank)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

static int step_done(struct sk_db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_sqlfail(db, what);
	sqlite3_reset(st);
	return rc;
}

static int write_one(struct grader *g, const struct pending *p, int64_t run_id, const char *now,
		     struct sk_buf *detail)
{
	struct sk_db *db = g->db;
	const struct tinfo *t = &g->tests[p->test];
	sqlite3_stmt *st;
	int rc;
	if (p->has_before) {
		if (!(st = sk_db_stmt(db, sql_clear_sections)))
			return db->err;
		sqlite3_bind_int64(st, 1, p->registration_id);
		if ((rc = step_done(db, st, "replacing a result")))
			return rc;
	}
	if (!(st = sk_db_stmt(db, p->has_before ? sql_change_result : sql_add_result)))
		return db->err;
	sqlite3_bind_int64(st, 1, p->registration_id);
	sqlite3_bind_int64(st, 2, run_id);
	sqlite3_bind_text(st, 3, outcome_name[p->after.outcome], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if ((rc = step_done(db, st, "writing a result")))
		return rc;
	for (int i = 0; i < p->after.nsec; i++) {
		const struct sec_result *r = &p->after.s[i];
		if (!(st = sk_db_stmt(db, sql_section)))
			return db->err;
		sqlite3_bind_int64(st, 1, p->registration_id);
		sqlite3_bind_int64(st, 2, t->sec[i].id);
		sqlite3_bind_int(st, 3, r->points);
		sqlite3_bind_int(st, 4, r->max_points);
		sqlite3_bind_int(st, 5, r->passed);
		sqlite3_bind_int(st, 6, r->multiple);
		sqlite3_bind_int(st, 7, r->blank);
		if ((rc = step_done(db, st, "writing a result")))
			return rc;
	}
	sk_buf_reset(detail);
	sk_buf_adds(detail, "{\"run\":");
	sk_buf_add_uint(detail, (unsigned long long)run_id);
	sk_buf_adds(detail, ",\"old\":");
	if (p->has_before)
		result_json(detail, t, &p->before);
	else
		sk_buf_adds(detail, "null");
	sk_buf_adds(detail, ",\"new\":");
	result_json(detail, t, &p->after);
	if (p->why) {
		sk_buf_adds(detail, ",\"why\":");
		sk_buf_add_json_str(detail, p->why);
	}
	sk_buf_addch(detail, '}');
	if (sk_buf_failed(detail))
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	return sk_audit_append(db, "result", p->exam_number, p->has_before ? "regrade" : "grade", detail->buf);
}

static const char sql_regs[] =
	"SELECT r.id, r.exam_number, r.test_id, p.form_id, p.code, p.digest,"
	" resp.registration_id IS NOT NULL, resp.paper_code, resp.marks,"
	" (SELECT i.kind FROM incident i WHERE i.registration_id = r.id AND i.disqualify = 1 ORDER BY i.id LIMIT 1),"
	" res.outcome, coalesce(gr.key_corrections, 0), ci.status, ci.at, ci.station"
	" FROM registration r"
	" LEFT JOIN paper p ON p.registration_id = r.id"
	" LEFT JOIN response resp ON resp.registration_id = r.id"
	" LEFT JOIN result res ON res.registration_id = r.id"
	" LEFT JOIN grading_run gr ON gr.id = res.run_id"
	" LEFT JOIN checkin ci ON ci.registration_id = r.id"
	" WHERE r.sitting_id = ?1 AND r.status = 'registered' ORDER BY r.exam_number";

/* Grade every registration, streaming the main query. */
static int grade_all(struct grader *g, struct sk_paper_set *set, struct sk_grade_stats *stats,
		     struct sk_grade_count *counts, size_t cap, size_t *ncounts, struct sk_report *rep)
{
	struct sk_db *db = g->db;
	sqlite3_stmt *st = sk_db_stmt(db, sql_regs);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, g->sitting.id);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t reg_id = sqlite3_column_int64(st, 0);
		char exam_number[16], paper_code[16] = "", sheet_code[16] = "", disq[16] = "";
		copy_col(exam_number, sizeof(exam_number), st, 1);
		int test;
		if ((rc = grader_test(g, sqlite3_column_int64(st, 2), counts, cap, ncounts, &test)))
			break;
		const struct tinfo *t = &g->tests[test];
		struct sk_grade_count *cnt = t->count != SIZE_MAX ? &counts[t->count] : NULL;
		stats->registrations++;
		if (cnt)
			cnt->candidates++;
		int has_paper = sqlite3_column_type(st, 3) != SQLITE_NULL;
		copy_col(paper_code, sizeof(paper_code), st, 4);
		int has_marks = sqlite3_column_int(st, 6);
		copy_col(sheet_code, sizeof(sheet_code), st, 7);
		if (sqlite3_column_type(st, 9) != SQLITE_NULL)
			copy_col(disq, sizeof(disq), st, 9);
		int stored = sqlite3_column_type(st, 10) != SQLITE_NULL
				     ? outcome_code((const char *)sqlite3_column_text(st, 10)) : -1;
		int64_t graded_with = sqlite3_column_int64(st, 11);
		/* Check-in at the door (exam/checkin.h), when the sitting used it. */
		char door[8] = "", door_at[24] = "", door_station[404] = "";
		copy_col(door, sizeof(door), st, 12);
		copy_col(door_at, sizeof(door_at), st, 13);
		copy_col(door_station, sizeof(door_station), st, 14);

		if (has_marks && (!has_paper || strcmp(paper_code, sheet_code))) {
			sk_report_add(rep, exam_number, 0, NULL,
				      has_paper ? N_("the answer sheet is of paper %s, not of the candidate's paper %s; not graded")
						: N_("the answer sheet is of paper %s but the candidate has no paper; not graded"),
				      sheet_code, paper_code, NULL);
			stats->mismatched++;
			continue;
		}
		struct sk_paper paper, *pp = NULL;
		if (has_paper) {
			if ((rc = sk_paper_set_get(set, sqlite3_column_int64(st, 3), exam_number, &paper)))
				break;
			pp = &paper;
			if (strcmp(paper.code, paper_code) || sqlite3_column_bytes(st, 5) != 32 ||
			    sodium_memcmp(paper.digest, sqlite3_column_blob(st, 5), 32)) {
				sk_report_add(rep, exam_number, 0, NULL,
					      N_("the paper rebuilt from the sitting key is not the paper %s that was printed; not graded"),
					      paper_code, NULL, NULL);
				stats->mismatched++;
				sk_paper_release(&paper);
				continue;
			}
		}
		size_t first;
		LOWER_BOUND(g->scores, g->nscores, reg_id, first);
		size_t last = first;
		while (last < g->nscores && g->scores[last].registration_id == reg_id)
			last++;
		if (!strcmp(door, "absent") && (has_marks || last > first)) {
			/* Nobody came, yet answers did: a check-in missed at the
			 * door or answers that are not theirs. A person decides. */
			sk_report_add(rep, exam_number, 0, NULL,
				      N_("marked absent at check-in (%s) but answers came back; not graded"), door_at,
				      NULL, NULL);
			stats->mismatched++;
			if (pp)
				sk_paper_release(pp);
			continue;
		}
		struct grade_in in = {
			.t = t, .paper = pp,
			.marks = has_marks ? sqlite3_column_blob(st, 8) : NULL,
			.nmarks = has_marks ? (size_t)sqlite3_column_bytes(st, 8) : 0,
			.has_marks = has_marks,
			.scores = g->scores + first, .nscores = last - first,
			.disqualified = disq[0] != 0,
		};
		struct compact now;
		const char *missing = NULL;
		int r = compute(&g->keys, &in, &now, NULL, NULL, &missing);
		if (r < 0) {
			rc = r;
			if (pp)
				sk_paper_release(pp);
			break;
		}
		if (r != GRADED) {
			if (r == INCOMPLETE) {
				sk_report_add(rep, exam_number, 0, missing,
					      N_("no marks or score for this section while others have them; not graded"),
					      NULL, NULL, NULL);
				stats->incomplete++;
			} else if (r == BEYOND) {
				sk_report_add(rep, exam_number, 0, NULL,
					      N_("the answer sheet has marks past the paper's last question; not graded"),
					      NULL, NULL, NULL);
				stats->mismatched++;
			} else {
				sk_report_add(rep, exam_number, 0, missing,
					      N_("the paper has no questions in this section; not graded"), NULL, NULL, NULL);
				stats->mismatched++;
			}
			if (pp)
				sk_paper_release(pp);
			continue;
		}
		stats->graded++;
		if (now.outcome == OUT_ABSENT && !strcmp(door, "present")) {
			/* In the room, but no sheet came back: graded absent (no
			 * result to give), and said, since a sheet may be lost. */
			sk_report_add(rep, exam_number, 0, NULL,
				      N_("checked in at %s (station %s) but no answers came back; graded absent"),
				      door_at, door_station, NULL);
			stats->present_no_answers++;
		}
		size_t *tally[] = { &stats->pass, &stats->fail, &stats->absent, &stats->disqualified };
		(*tally[now.outcome])++;
		if (cnt) {
			size_t *ct[] = { &cnt->pass, &cnt->fail, &cnt->absent, &cnt->disqualified };
			(*ct[now.outcome])++;
			if (now.outcome != OUT_ABSENT)
				cnt->present++;
		}
		if (stored < 0) {
			stats->added++;
			rc = add_pending(g, reg_id, exam_number, test, &now, NULL, NULL);
		} else {
			struct compact before;
			stored_result(g, t, reg_id, stored, &before);
			if (same_result(&before, &now)) {
				stats->unchanged++;
			} else {
				stats->changed++;
				if (before.outcome != now.outcome)
					stats->flips++;
				char why[256];
				rc = explain(&g->keys, &in, graded_with, disq, &before, &now, why, sizeof(why));
				char *w = rc ? NULL : strdup(why);
				if (!rc && !w)
					rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
				if (!rc)
					rc = add_pending(g, reg_id, exam_number, test, &now, &before, w);
			}
		}
		if (pp)
			sk_paper_release(pp);
		if (rc)
			break;
	}
	sqlite3_reset(st);
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading registrations");
	return rc;
}

int sk_grade_sitting(struct sk_db *db, const char *sitting, int flags,
		     int (*on_change)(void *payload, const struct sk_grade_change *c), void *payload,
		     struct sk_grade_stats *stats, struct sk_grade_count *counts, size_t *ncounts,
		     struct sk_report *rep)
{
	memset(stats, 0, sizeof(*stats));
	size_t cap = counts && ncounts ? *ncounts : 0;
	size_t nc = 0;
	if (ncounts)
		*ncounts = 0;
	struct grader g;
	memset(&g, 0, sizeof(g));
	g.db = db;
	struct sk_paper_set *set = NULL;
	int rc = sk_sitting_get(db, sitting, &g.sitting);
	if (rc)
		return rc;
	/* One transaction for the reads and the writes: grading sees one state
	 * of the registry and writes against exactly that. */
	if ((rc = sk_db_begin(db)))
		return rc;
	if ((rc = sk_paper_set_new(db, g.sitting.code, &set)) || (rc = keys_init(db, &g.keys)) ||
	    (rc = load_scores(&g)) || (rc = load_stored(&g)))
		goto fail;
	/* Every test of the sitting gets a tally, in the sitting's order. */
	for (size_t i = 0; i < g.sitting.ntests; i++) {
		struct sk_testdef td;
		int idx;
		if ((rc = sk_testdef_get(db, g.sitting.tests[i], &td)) ||
		    (rc = grader_test(&g, td.id, counts, cap, &nc, &idx)))
			goto fail;
	}
	if ((rc = grade_all(&g, set, stats, counts, cap, &nc, rep)))
		goto fail;
	if (ncounts)
		*ncounts = nc;

	if (on_change) {
		for (size_t i = 0; i < g.npend; i++) {
			const struct pending *p = &g.pend[i];
			if (!p->has_before)
				continue;
			struct sk_grade_change c;
			const struct tinfo *t = &g.tests[p->test];
			to_grade(&c.before, t, p->exam_number, &p->before);
			to_grade(&c.after, t, p->exam_number, &p->after);
			snprintf(c.why, sizeof(c.why), "%s", p->why ? p->why : "");
			if ((rc = on_change(payload, &c)))
				goto fail;
		}
	}
	int confirm = (flags & SK_GRADE_CONFIRM) && !(flags & SK_GRADE_DRY_RUN);
	size_t written = (flags & SK_GRADE_DRY_RUN) ? 0 : stats->added + (confirm ? stats->changed : 0);
	stats->confirm_needed = stats->changed && !confirm;
	if (!written) {
		sk_db_rollback(db);
		goto done;
	}
	char now[21];
	sk_db_now(db, now);
	sqlite3_stmt *st = sk_db_stmt(db, sql_run);
	if (!st) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, g.sitting.id);
	sqlite3_bind_text(st, 2, db->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)stats->graded);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)written);
	sqlite3_bind_int64(st, 6, g.keys.newest);
	if ((rc = step_done(db, st, "recording a grading run")))
		goto fail;
	int64_t run_id = sqlite3_last_insert_rowid(db->sql);
	struct sk_buf detail = SK_BUF_INIT;
	for (size_t i = 0; i < g.npend && !rc; i++)
		if (!g.pend[i].has_before || confirm)
			rc = write_one(&g, &g.pend[i], run_id, now, &detail);
	if (!rc) {
		sk_buf_reset(&detail);
		sk_buf_addf(&detail, "{\"run\":%lld,\"graded\":%zu,\"added\":%zu,\"changed\":%zu,\"written\":%zu}",
			    (long long)run_id, stats->graded, stats->added, stats->changed, written);
		rc = sk_audit_append(db, "grading", g.sitting.code, "run", detail.buf);
	}
	sk_buf_release(&detail);
	if (rc || (rc = sk_db_commit(db)))
		goto fail;
	stats->run_id = run_id;
	goto done;
fail:
	sk_db_rollback(db);
	if (ncounts)
		*ncounts = 0;
done:
	sk_paper_set_free(set);
	grader_release(&g);
	return rc;
}

/* ---- key corrections ---- */

static void mask_letters(char out[8], unsigned mask, int tf)
{
	size_t n = 0;
	for (int o = 0; o < SK_ITEM_MAX_OPTIONS; o++)
		if ((mask >> o) & 1)
			out[n++] = tf ? (o ? 'X' : 'O') : (char)('A' + o);
	out[n] = '\0';
}

int sk_item_rekey(struct sk_db *db, const char *item_code, unsigned accept, const char *reason)
{
	static const char sql_newest[] =
		"SELECT accept FROM key_correction WHERE item_version_id = ?1 ORDER BY id DESC LIMIT 1";
	static const char sql_add[] =
		"INSERT INTO key_correction (item_version_id, accept, reason, actor, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	if (!reason || !*reason)
		return sk_db_fail(db, SK_EINPUT, "a key correction needs a reason");
	struct sk_item it;
	int rc = sk_item_get(db, item_code, 0, 1, &it);
	if (rc)
		return rc;
	int tf = !strcmp(it.kind, "tf");
	int n = tf ? 2 : it.noptions;
	unsigned all = (1u << n) - 1, key = key_mask(it.key);
	int64_t version_id = it.version_id;
	int version = it.version;
	char code[40];
	snprintf(code, sizeof(code), "%s", it.code);
	sodium_memzero(it.key, sizeof(it.key));
	sk_item_release(&it);
	if (accept == 0)
		accept = all;
	if (accept & ~all) {
		char letters[8];
		mask_letters(letters, accept & ~all & 0x1f, tf);
		if (!letters[0])
			snprintf(letters, sizeof(letters), "?");
		if (tf)
			return sk_db_fail(db, SK_EINPUT, "%s is a ○× item: it has no option %s", code, letters);
		return sk_db_fail(db, SK_EINPUT, "%s has no option %s", code, letters);
	}
	if ((rc = sk_db_begin(db)))
		return rc;
	sqlite3_stmt *st = sk_db_stmt(db, sql_newest);
	if (!st) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, version_id);
	unsigned in_force = key;
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		in_force = (unsigned)sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "reading key corrections");
		goto fail;
	}
	if (in_force == accept) {
		rc = sk_db_fail(db, SK_ECONFLICT, "%s v%d already accepts exactly that", code, version);
		goto fail;
	}
	char now[21];
	sk_db_now(db, now);
	if (!(st = sk_db_stmt(db, sql_add))) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, version_id);
	sqlite3_bind_int(st, 2, (int)accept);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, db->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	if ((rc = step_done(db, st, "recording a key correction")))
		goto fail;
	/* The audit names what is accepted from now on (stored in the clear
	 * in key_correction too), never the key it replaces. */
	char letters[8];
	mask_letters(letters, accept, tf);
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_addf(&d, "{\"version\":%d,\"accept\":\"%s\",\"all\":%s,\"reason\":", version, letters,
		    accept == all ? "true" : "false");
	sk_buf_add_json_str(&d, reason);
	sk_buf_addch(&d, '}');
	rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
			       : sk_audit_append(db, "item", code, "rekey", d.buf);
	sk_buf_release(&d);
	if (rc)
		goto fail;
	return sk_db_commit(db);
fail:
	sk_db_rollback(db);
	return rc;
}

/* ---- one candidate, for appeals ---- */

static const char sql_detail[] =
	"SELECT r.id, r.test_id, s.code, p.code, resp.registration_id IS NOT NULL, resp.paper_code, resp.marks,"
	" (SELECT i.kind FROM incident i WHERE i.registration_id = r.id AND i.disqualify = 1 ORDER BY i.id LIMIT 1),"
	" res.outcome, res.run_id, res.graded_at, p.digest, ci.status, ci.at"
	" FROM registration r JOIN sitting s ON s.id = r.sitting_id"
	" LEFT JOIN paper p ON p.registration_id = r.id"
	" LEFT JOIN response resp ON resp.registration_id = r.id"
	" LEFT JOIN result res ON res.registration_id = r.id"
	" LEFT JOIN checkin ci ON ci.registration_id = r.id"
	" WHERE r.exam_number = ?1";
static const char sql_detail_scores[] =
	"SELECT registration_id, section_id, points, max_points, examiners FROM section_score"
	" WHERE registration_id = ?1";

int sk_grade_detail(struct sk_db *db, const char *exam_number, struct sk_grade_detail *out)
{
	memset(out, 0, sizeof(*out));
	char canon[SK_EXAMNO_LEN + 1];
	int p = sk_examno_parse(canon, exam_number, NULL, NULL);
	if (p == SK_EINPUT)
		return sk_db_fail(db, SK_EINPUT, "'%s' is not an exam number (like 0001-00042-6)", exam_number);
	if (p)
		return sk_db_fail(db, SK_EINPUT, "'%s' has a wrong check digit (mistyped?)", exam_number);
	sqlite3_stmt *st = sk_db_stmt(db, sql_detail);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		sqlite3_reset(st);
		return step == SQLITE_DONE ? sk_db_fail(db, SK_ENOTFOUND, "no registration %s", canon)
					   : sk_db_sqlfail(db, "reading a registration");
	}
	int64_t reg_id = sqlite3_column_int64(st, 0), test_id = sqlite3_column_int64(st, 1);
	char sheet_code[16] = "", disq[16] = "";
	unsigned char stored_digest[32] = { 0 };
	int has_paper = sqlite3_column_type(st, 3) != SQLITE_NULL;
	copy_col(out->paper_code, sizeof(out->paper_code), st, 3);
	int has_marks = sqlite3_column_int(st, 4);
	copy_col(sheet_code, sizeof(sheet_code), st, 5);
	size_t nmarks = 0;
	unsigned char *marks = NULL;
	if (has_marks) {
		nmarks = (size_t)sqlite3_column_bytes(st, 6);
		marks = malloc(nmarks ? nmarks : 1);
		if (!marks) {
			sqlite3_reset(st);
			return sk_db_fail(db, SK_ENOMEM, "out of memory");
		}
		if (nmarks)
			memcpy(marks, sqlite3_column_blob(st, 6), nmarks);
	}
	if (sqlite3_column_type(st, 7) != SQLITE_NULL)
		copy_col(disq, sizeof(disq), st, 7);
	copy_col(out->stored_outcome, sizeof(out->stored_outcome), st, 8);
	out->run_id = sqlite3_column_int64(st, 9);
	copy_col(out->graded_at, sizeof(out->graded_at), st, 10);
	if (sqlite3_column_bytes(st, 11) == 32)
		memcpy(stored_digest, sqlite3_column_blob(st, 11), 32);
	char door[8] = "", door_at[24] = "";
	copy_col(door, sizeof(door), st, 12);
	copy_col(door_at, sizeof(door_at), st, 13);
	sqlite3_reset(st);

	struct grader g;
	memset(&g, 0, sizeof(g));
	g.db = db;
	struct sk_paper paper, *pp = NULL;
	int rc, test;
	if ((rc = keys_init(db, &g.keys)) || (rc = grader_test(&g, test_id, NULL, 0, NULL, &test)))
		goto done;
	const struct tinfo *t = &g.tests[test];
	if (has_paper) {
		if ((rc = sk_paper_get(db, canon, &paper)))
			goto done;
		pp = &paper;
	}
	if (!(st = sk_db_stmt(db, sql_detail_scores))) {
		rc = db->err;
		goto done;
	}
	sqlite3_bind_int64(st, 1, reg_id);
	struct score scores[8];
	size_t nscores = 0;
	while (sqlite3_step(st) == SQLITE_ROW && nscores < 8) {
		struct score *s = &scores[nscores++];
		s->registration_id = reg_id;
		s->section_id = sqlite3_column_int64(st, 1);
		s->points = sqlite3_column_int(st, 2);
		s->max_points = sqlite3_column_int(st, 3);
		for (int i = 0; i < t->nsec; i++)
			if (t->sec[i].id == s->section_id)
				copy_col(out->examiners[i], sizeof(out->examiners[i]), st, 4);
	}
	sqlite3_reset(st);

	struct grade_in in = {
		.t = t, .paper = pp, .marks = marks, .nmarks = nmarks, .has_marks = has_marks,
		.scores = scores, .nscores = nscores, .disqualified = disq[0] != 0,
	};
	struct compact now;
	const char *missing = NULL;
	int r = compute(&g.keys, &in, &now, out->lines, &out->nlines, &missing);
	if (r < 0) {
		rc = r;
		goto done;
	}
	snprintf(out->grade.exam_number, sizeof(out->grade.exam_number), "%s", canon);
	snprintf(out->grade.test, sizeof(out->grade.test), "%s", t->code);
	if (!strcmp(door, "absent") && (has_marks || nscores))
		snprintf(out->problem, sizeof(out->problem), "marked absent at check-in (%s) but answers came back",
			 door_at);
	else if (has_marks && (!has_paper || strcmp(out->paper_code, sheet_code)))
		snprintf(out->problem, sizeof(out->problem), "the answer sheet is of paper %s, not of %s",
			 sheet_code, has_paper ? out->paper_code : "(no paper)");
	else if (pp && (strcmp(pp->code, out->paper_code) || sodium_memcmp(pp->digest, stored_digest, 32)))
		snprintf(out->problem, sizeof(out->problem),
			 "the paper rebuilt from the sitting key is not the paper %s that was printed", out->paper_code);
	else if (r == INCOMPLETE)
		snprintf(out->problem, sizeof(out->problem), "%s: no marks or score while other sections have them",
			 missing ? missing : "?");
	else if (r == BEYOND)
		snprintf(out->problem, sizeof(out->problem), "the answer sheet has marks past the paper's last question");
	else if (r == NO_ITEMS)
		snprintf(out->problem, sizeof(out->problem), "%s: the paper has no questions in this section",
			 missing ? missing : "?");
	if (!out->problem[0])
		to_grade(&out->grade, t, canon, &now);
done:
	if (pp)
		sk_paper_release(pp);
	free(marks);
	grader_release(&g);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- lists ---- */

static const char sql_list[] =
	"SELECT r.id, r.exam_number, c.reference, c.family_name, c.given_name, t.code,"
	" coalesce(res.outcome, 'pending'), coalesce(res.run_id, 0), coalesce(res.graded_at, '')"
	" FROM registration r JOIN test t ON t.id = r.test_id JOIN candidate c ON c.id = r.candidate_id"
	" LEFT JOIN result res ON res.registration_id = r.id"
	" WHERE r.sitting_id = ?1 AND r.status = 'registered' AND (?2 IS NULL OR t.code = ?2)"
	" AND (?3 IS NULL OR coalesce(res.outcome, 'pending') = ?3)"
	" ORDER BY r.exam_number";
static const char sql_list_sections[] =
	"SELECT ts.code, ts.item_kind, ts.pass_percent, rs.points, rs.max_points, rs.passed, rs.multiple, rs.blank"
	" FROM result_section rs JOIN test_section ts ON ts.id = rs.section_id"
	" WHERE rs.registration_id = ?1 ORDER BY ts.position";

int sk_result_foreach(struct sk_db *db, const struct sk_result_filter *f,
		      int (*cb)(void *payload, const struct sk_result_row *row), void *payload)
{
	struct sk_sitting s;
	int rc = sk_sitting_get(db, f->sitting, &s);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	/* Not cached: the callback may use the handle's cached statements. */
	if (sqlite3_prepare_v2(db->sql, sql_list, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "listing results");
	sqlite3_bind_int64(st, 1, s.id);
	if (f->test)
		sqlite3_bind_text(st, 2, f->test, -1, SQLITE_STATIC);
	if (f->outcome)
		sqlite3_bind_text(st, 3, f->outcome, -1, SQLITE_STATIC);
	int step;
	struct sk_result_row *row = malloc(sizeof(*row));
	if (!row) {
		sqlite3_finalize(st);
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(row, 0, sizeof(*row));
		int64_t reg_id = sqlite3_column_int64(st, 0);
		copy_col(row->exam_number, sizeof(row->exam_number), st, 1);
		copy_col(row->reference, sizeof(row->reference), st, 2);
		copy_col(row->family_name, sizeof(row->family_name), st, 3);
		copy_col(row->given_name, sizeof(row->given_name), st, 4);
		copy_col(row->test, sizeof(row->test), st, 5);
		copy_col(row->outcome, sizeof(row->outcome), st, 6);
		row->run_id = sqlite3_column_int64(st, 7);
		copy_col(row->graded_at, sizeof(row->graded_at), st, 8);
		sqlite3_stmt *ss = sk_db_stmt(db, sql_list_sections);
		if (!ss) {
			rc = db->err;
			break;
		}
		sqlite3_bind_int64(ss, 1, reg_id);
		while (sqlite3_step(ss) == SQLITE_ROW && row->nsections < 8) {
			struct sk_grade_section *sec = &row->sections[row->nsections++];
			copy_col(sec->code, sizeof(sec->code), ss, 0);
			copy_col(sec->kind, sizeof(sec->kind), ss, 1);
			sec->pass_percent = sqlite3_column_int(ss, 2);
			sec->points = sqlite3_column_int(ss, 3);
			sec->max_points = sqlite3_column_int(ss, 4);
			sec->passed = sqlite3_column_int(ss, 5);
			sec->multiple = sqlite3_column_int(ss, 6);
			sec->blank = sqlite3_column_int(ss, 7);
		}
		sqlite3_reset(ss);
		if ((rc = cb(payload, row)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing results");
	sqlite3_finalize(st);
	free(row);
	return rc;
}

/* ---- answers for statistics ---- */

static const char sql_sheet_sittings[] =
	"SELECT s.id, s.code, s.exam_date FROM sitting s"
	" WHERE (?1 IS NULL OR s.code = ?1) AND (?2 IS NULL OR s.exam_date >= ?2)"
	" AND (?3 IS NULL OR s.exam_date <= ?3)"
	" AND (?4 IS NULL OR EXISTS (SELECT 1 FROM sitting_test st JOIN test t ON t.id = st.test_id"
	"                            WHERE st.sitting_id = s.id AND t.code = ?4))"
	" ORDER BY s.exam_date, s.code";
static const char sql_sheets[] =
	"SELECT r.id, r.exam_number, r.test_id, p.form_id, f.code, p.code, rm.code, r.seat_row, r.seat_col,"
	" resp.paper_code, resp.marks, coalesce(res.outcome, 'pending')"
	" FROM registration r JOIN room rm ON rm.id = r.room_id"
	" JOIN response resp ON resp.registration_id = r.id"
	" LEFT JOIN paper p ON p.registration_id = r.id LEFT JOIN form f ON f.id = p.form_id"
	" LEFT JOIN result res ON res.registration_id = r.id"
	" WHERE r.sitting_id = ?1 AND r.status = 'registered'"
	" AND (?2 IS NULL OR r.test_id = (SELECT id FROM test WHERE code = ?2))"
	" AND (?3 = 0 OR res.outcome = 'pass' OR res.outcome = 'fail')"
	" ORDER BY r.exam_number";

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

struct sheet_sitting {
	int64_t id;
	char code[40], exam_date[11];
};

/* One sheet through its paper: every printed position in canonical terms,
 * section points as grading counts them. 1 when the sheet has marks past
 * the paper's last question (left out), negative on error. */
static int fill_sheet(struct keys *k, const struct tinfo *t, const struct sk_paper *paper, const unsigned char *marks,
		      size_t nmarks, struct sk_sheet *sh)
{
	int total = paper_positions(paper);
	if (total > SK_MARK_MAX_POSITIONS)
		return sk_db_fail(k->db, SK_ERANGE, "a paper has more than %d questions", SK_MARK_MAX_POSITIONS);
	for (size_t i = (size_t)total; i < nmarks; i++)
		if (marks[i])
			return 1;
	sh->nsections = 0;
	sh->npositions = 0;
	for (int s = 0; s < paper->nsections && sh->nsections < 8; s++) {
		const struct sk_paper_section *ps = &paper->sections[s];
		int si = sh->nsections++;
		copy_str(sh->sections[si].code, sizeof(sh->sections[si].code), ps->code);
		copy_str(sh->sections[si].kind, sizeof(sh->sections[si].kind), ps->kind);
		sh->sections[si].pass_percent = 0;
		for (int i = 0; i < t->nsec; i++)
			if (!strcmp(t->sec[i].code, ps->code))
				sh->sections[si].pass_percent = t->sec[i].pass_percent;
		sh->sections[si].points = 0;
		sh->sections[si].max_points = ps->nitems;
		for (int j = 0; j < ps->nitems; j++) {
			const struct sk_paper_item *it = &ps->items[j];
			const struct key_entry *e;
			int rc = keys_get(k, it->item_version_id, &e);
			if (rc)
				return rc;
			size_t pos = (size_t)sh->npositions++;
			unsigned char mark = pos < nmarks ? marks[pos] : 0;
			struct sk_sheet_answer *a = &sh->answers[pos];
			int single;
			unsigned canon = canonical_of(mark, it, &single);
			a->item_version_id = it->item_version_id;
			a->section = si;
			a->tf = e->tf;
			a->noptions = e->noptions;
			a->mark = mark;
			a->canonical = (unsigned char)(canon | (mark & SK_MARK_UNCLEAR));
			a->accepted = (unsigned char)e->accept;
			a->single = mark && single;
			a->point = a->single && (canon & e->accept) != 0;
			for (int d = 0; d < SK_ITEM_MAX_OPTIONS; d++)
				a->option_of[d] = (signed char)(d < e->noptions ? it->option_of[d] : -1);
			sh->sections[si].points += a->point;
		}
	}
	return 0;
}

static int sheets_of_sitting(struct grader *g, const struct sheet_sitting *ss, const struct sk_sheet_filter *f,
			     struct sk_sheet *sh, int (*cb)(void *, const struct sk_sheet *), void *payload,
			     struct sk_sheet_counts *counts)
{
	struct sk_db *db = g->db;
	struct sk_paper_set *set = NULL;
	int rc = sk_paper_set_new(db, ss->code, &set);
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	/* Not cached: rebuilding a paper reads forms through cached statements. */
	if (sqlite3_prepare_v2(db->sql, sql_sheets, -1, &st, NULL) != SQLITE_OK) {
		sk_paper_set_free(set);
		return sk_db_sqlfail(db, "reading answer sheets");
	}
	sqlite3_bind_int64(st, 1, ss->id);
	if (f->test)
		sqlite3_bind_text(st, 2, f->test, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->graded_only != 0);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int test;
		if ((rc = grader_test(g, sqlite3_column_int64(st, 2), NULL, 0, NULL, &test)))
			break;
		const char *paper_code = (const char *)sqlite3_column_text(st, 5);
		const char *sheet_code = (const char *)sqlite3_column_text(st, 9);
		if (!paper_code || !sheet_code || strcmp(paper_code, sheet_code)) {
			counts->skipped++;
			continue;
		}
		memset(sh, 0, offsetof(struct sk_sheet, answers));
		sh->registration_id = sqlite3_column_int64(st, 0);
		/* Plain copies: a hundred thousand sheets, seven strings each. */
		copy_str(sh->exam_number, sizeof(sh->exam_number), (const char *)sqlite3_column_text(st, 1));
		copy_str(sh->sitting, sizeof(sh->sitting), ss->code);
		copy_str(sh->exam_date, sizeof(sh->exam_date), ss->exam_date);
		copy_str(sh->test, sizeof(sh->test), g->tests[test].code);
		sh->form_id = sqlite3_column_int64(st, 3);
		copy_str(sh->form, sizeof(sh->form), (const char *)sqlite3_column_text(st, 4));
		copy_str(sh->room, sizeof(sh->room), (const char *)sqlite3_column_text(st, 6));
		sh->seat_row = sqlite3_column_int(st, 7);
		sh->seat_col = sqlite3_column_int(st, 8);
		copy_str(sh->outcome, sizeof(sh->outcome), (const char *)sqlite3_column_text(st, 11));
		/* The order only: the paper code was compared above, and the
		 * paper's digest checked when it was graded. */
		struct sk_paper paper;
		if ((rc = sk_paper_set_order(set, sh->form_id, sh->exam_number, &paper)))
			break;
		rc = fill_sheet(&g->keys, &g->tests[test], &paper, sqlite3_column_blob(st, 10),
				(size_t)sqlite3_column_bytes(st, 10), sh);
		sk_paper_release(&paper);
		if (rc == 1) {
			counts->skipped++;
			rc = 0;
			continue;
		}
		if (rc)
			break;
		counts->sheets++;
		if ((rc = cb(payload, sh)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading answer sheets");
	sqlite3_finalize(st);
	sk_paper_set_free(set);
	return rc;
}

int sk_grade_foreach_sheet(struct sk_db *db, const struct sk_sheet_filter *f,
			   int (*cb)(void *payload, const struct sk_sheet *sheet), void *payload,
			   struct sk_sheet_counts *counts)
{
	struct sk_sheet_counts local;
	if (!counts)
		counts = &local;
	memset(counts, 0, sizeof(*counts));
	int rc;
	if (f->sitting) {
		struct sk_sitting s;
		if ((rc = sk_sitting_get(db, f->sitting, &s)))
			return rc;
	}
	if (f->test) {
		struct sk_testdef td;
		if ((rc = sk_testdef_get(db, f->test, &td)))
			return rc;
	}
	/* The sittings first: reading each one's sheets uses cached statements. */
	struct sheet_sitting *sits = NULL;
	size_t n = 0, alloc = 0;
	sqlite3_stmt *st = sk_db_stmt(db, sql_sheet_sittings);
	if (!st)
		return db->err;
	sk_bind_text_or_null(st, 1, f->sitting);
	sk_bind_text_or_null(st, 2, f->from);
	sk_bind_text_or_null(st, 3, f->to);
	sk_bind_text_or_null(st, 4, f->test);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			struct sheet_sitting *p = realloc(sits, alloc * sizeof(*p));
			if (!p) {
				sqlite3_reset(st);
				free(sits);
				return sk_db_fail(db, SK_ENOMEM, "out of memory");
			}
			sits = p;
		}
		sits[n].id = sqlite3_column_int64(st, 0);
		copy_col(sits[n].code, sizeof(sits[n].code), st, 1);
		copy_col(sits[n].exam_date, sizeof(sits[n].exam_date), st, 2);
		n++;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		free(sits);
		return sk_db_sqlfail(db, "listing sittings");
	}
	struct grader g;
	memset(&g, 0, sizeof(g));
	g.db = db;
	struct sk_sheet *sh = malloc(sizeof(*sh));
	rc = sh ? keys_init(db, &g.keys) : sk_db_fail(db, SK_ENOMEM, "out of memory");
	for (size_t i = 0; i < n && !rc; i++) {
		counts->sittings++;
		rc = sheets_of_sitting(&g, &sits[i], f, sh, cb, payload, counts);
	}
	free(sh);
	free(sits);
	grader_release(&g);
	return rc;
}
