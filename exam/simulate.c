/*
 * Simulated answer sheets (see simulate.h). Every candidate has their own
 * random streams, seeded by BLAKE2b over a label, the seed and the exam
 * number, so one candidate's sheet depends on nothing else: not on who else
 * registered, nor on the absence rate (which has a stream of its own).
 */
#include "exam/simulate.h"
#include "core/audit.h"
#include "core/bank.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "core/sitting.h"
#include "exam/paper.h"
#include "exam/response.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- random streams (splitmix64) ---- */

struct rng {
	uint64_t state;
};

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rng_next(struct rng *r)
{
	r->state += 0x9e3779b97f4a7c15u;
	return mix64(r->state);
}

/* Uniform in [0, 1). */
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static unsigned rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(((rng_next(r) >> 32) * n) >> 32);
}

static void rng_init(struct rng *r, const char *label, uint64_t seed, const char *exam_number)
{
	unsigned char in[64] = { 0 }, out[16];
	size_t n = strlen(label), m = strlen(exam_number);
	memcpy(in, label, n < 16 ? n : 16);
	for (int i = 0; i < 8; i++)
		in[16 + i] = (unsigned char)(seed >> (8 * i));
	memcpy(in + 24, exam_number, m < 40 ? m : 40);
	crypto_generichash(out, sizeof(out), in, sizeof(in), NULL, 0);
	uint64_t s = 0;
	for (int i = 0; i < 8; i++)
		s |= (uint64_t)out[i] << (8 * i);
	r->state = s;
}

double sk_simulate_ability(uint64_t seed, const char *exam_number)
{
	struct rng r;
	rng_init(&r, "ability", seed, exam_number);
	/* Box-Muller; 1 - u keeps the logarithm finite. */
	double u = 1.0 - rng_unit(&r), v = rng_unit(&r);
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* ---- items ---- */

struct item_model {
	int64_t version_id; /* 0: empty slot */
	int tf;
	int noptions;
	int key;            /* canonical option: 0 = A or ○, 1 = B or × ... */
	int plausible;      /* the distractor chosen most often (mc) */
	double a, b;
};

struct item_cache {
	struct item_model *slot;
	size_t cap, count;
};

static int cache_grow(struct item_cache *c)
{
	size_t cap = c->cap ? c->cap * 2 : 256;
	struct item_model *slot = calloc(cap, sizeof(*slot));
	if (!slot)
		return SK_ENOMEM;
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->slot[i].version_id)
			continue;
		size_t k = (size_t)mix64((uint64_t)c->slot[i].version_id) & (cap - 1);
		while (slot[k].version_id)
			k = (k + 1) & (cap - 1);
		slot[k] = c->slot[i];
	}
	free(c->slot);
	c->slot = slot;
	c->cap = cap;
	return 0;
}

static int item_of(struct sk_db *db, struct item_cache *c, int64_t version_id, const struct item_model **out)
{
	if (c->count * 2 >= c->cap && cache_grow(c))
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	size_t k = (size_t)mix64((uint64_t)version_id) & (c->cap - 1);
	while (c->slot[k].version_id) {
		if (c->slot[k].version_id == version_id) {
			*out = &c->slot[k];
			return 0;
		}
		k = (k + 1) & (c->cap - 1);
	}
	struct sk_item it;
	int rc = sk_item_get_version(db, version_id, 1, &it);
	if (rc)
		return rc;
	struct item_model *m = &c->slot[k];
	m->version_id = version_id;
	m->tf = strcmp(it.kind, "mc") != 0;
	m->noptions = m->tf ? 2 : it.noptions;
	if (m->tf)
		m->key = it.key[0] == 'X';
	else
		m->key = it.key[0] - 'A';
	int difficulty = it.difficulty;
	sodium_memzero(it.key, sizeof(it.key));
	sk_item_release(&it);
	if (m->key < 0 || m->key >= m->noptions) {
		m->version_id = 0;
		return sk_db_fail(db, SK_EVERIFY, "item version %lld has a key outside its options", (long long)version_id);
	}
	uint64_t h = mix64((uint64_t)version_id * 0x9e3779b97f4a7c15u + 1);
	m->a = 0.8 + 0.6 * (double)(h >> 11) * 0x1.0p-53;
	m->b = 0.75 * (difficulty - 3) - 0.3;
	/* one distractor people fall for: any option but the key */
	m->plausible = m->noptions > 1 ? (m->key + 1 + (int)(mix64(h) % (uint64_t)(m->noptions - 1))) % m->noptions : 0;
	c->count++;
	*out = m;
	return 0;
}

/* ---- sheets ---- */

/* What check-in recorded of a registration. */
enum door { DOOR_UNKNOWN, DOOR_PRESENT, DOOR_ABSENT };

/* The papers of a sitting: each live registration's exam number, form and
 * seat, whether it came through the door, and what planting decides for it. */
struct reg {
	char exam_number[16];
	int64_t form_id, room_id;
	int row, col;
	enum door door;
	int absent;
	uint64_t order;       /* keyed draw: who is picked first for planting */
	int used;
	long source;          /* index of the sheet it copies, -1 none */
	enum sk_planted_kind kind;
};

struct papers {
	struct reg *v;
	size_t n, alloc;
};

static const char sql_papers[] =
	"SELECT r.exam_number, p.form_id, r.room_id, r.seat_row, r.seat_col,"
	" (SELECT c.status FROM checkin c WHERE c.registration_id = r.id)"
	" FROM registration r JOIN paper p ON p.registration_id = r.id"
	" WHERE r.sitting_id = ?1 AND r.status = 'registered' ORDER BY r.exam_number";

static int list_papers(struct sk_db *db, int64_t sitting_id, struct papers *ps)
{
	sqlite3_stmt *st = sk_db_stmt(db, sql_papers);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, sitting_id);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (ps->n == ps->alloc) {
			size_t alloc = ps->alloc ? ps->alloc * 2 : 256;
			void *v = realloc(ps->v, alloc * sizeof(*ps->v));
			if (!v) {
				rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
				break;
			}
			ps->v = v;
			ps->alloc = alloc;
		}
		struct reg *r = &ps->v[ps->n++];
		memset(r, 0, sizeof(*r));
		snprintf(r->exam_number, sizeof(r->exam_number), "%s", (const char *)sqlite3_column_text(st, 0));
		r->form_id = sqlite3_column_int64(st, 1);
		r->room_id = sqlite3_column_int64(st, 2);
		r->row = sqlite3_column_int(st, 3);
		r->col = sqlite3_column_int(st, 4);
		const char *door = (const char *)sqlite3_column_text(st, 5);
		r->door = !door ? DOOR_UNKNOWN : !strcmp(door, "present") ? DOOR_PRESENT : DOOR_ABSENT;
		r->source = -1;
	}
	sqlite3_reset(st);
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing papers");
	return rc;
}

/* The canonical option a candidate of ability theta marks on item m. */
static int answer(struct rng *r, const struct item_model *m, double theta)
{
	double c = 1.0 / m->noptions;
	double p = c + (1.0 - c) / (1.0 + exp(-1.7 * m->a * (theta - m->b)));
	if (rng_unit(r) < p)
		return m->key;
	if (m->noptions == 2)
		return 1 - m->key;
	/* the plausible distractor weighs 3, the others 1 each */
	unsigned w = rng_below(r, 3u + (unsigned)(m->noptions - 2));
	if (w < 3)
		return m->plausible;
	w -= 3;
	for (int o = 0; o < m->noptions; o++) {
		if (o == m->key || o == m->plausible)
			continue;
		if (w-- == 0)
			return o;
	}
	return m->plausible;
}

/* The marks of a present candidate's sheet as printed letters, one byte
 * per position (response.h), into marks[]; *npos positions. */
static int sheet_marks(struct sk_db *db, struct item_cache *cache, uint64_t seed, const struct sk_paper *p,
		       unsigned char *marks, int *npos)
{
	double theta = sk_simulate_ability(seed, p->exam_number);
	struct rng r;
	rng_init(&r, "answers", seed, p->exam_number);
	int n = 0;
	for (int k = 0; k < p->nsections; k++) {
		for (int q = 0; q < p->sections[k].nitems; q++) {
			const struct sk_paper_item *pi = &p->sections[k].items[q];
			const struct item_model *m = NULL;
			int rc = item_of(db, cache, pi->item_version_id, &m);
			if (rc)
				return rc;
			if (n == SK_MARK_MAX_POSITIONS)
				return sk_db_fail(db, SK_ERANGE, "papers of more than %d questions", SK_MARK_MAX_POSITIONS);
			/* The same draws for every question, used or not, so
			 * a blank does not shift the answers after it. */
			double u_blank = rng_unit(&r), u_double = rng_unit(&r);
			unsigned other = rng_below(&r, (unsigned)(m->noptions - 1));
			int chosen = answer(&r, m, theta);
			marks[n] = 0;
			if (u_blank >= 0.01) {
				/* the displayed position of each canonical option */
				int shown_at[SK_ITEM_MAX_OPTIONS] = { 0 };
				for (int d = 0; d < m->noptions; d++)
					shown_at[m->tf ? d : pi->option_of[d]] = d;
				unsigned bits = 1u << shown_at[chosen];
				if (u_double < 0.003) {
					int d2 = (int)other >= shown_at[chosen] ? (int)other + 1 : (int)other;
					bits |= 1u << d2;
				}
				marks[n] = (unsigned char)bits;
			}
			n++;
		}
	}
	*npos = n;
	return 0;
}

static const struct sk_paper_item *item_at(const struct sk_paper *p, int pos)
{
	for (int k = 0; k < p->nsections; k++) {
		if (pos < p->sections[k].nitems)
			return &p->sections[k].items[pos];
		pos -= p->sections[k].nitems;
	}
	return NULL;
}

static int is_tf(const struct sk_paper_item *it)
{
	return strcmp(it->kind, "mc") != 0;
}

/* Overlay a copier's marks with what they took from the source (see
 * simulate.h): position by position for letters, item by item for answers. */
static void copy_marks(const struct reg *copier, const struct sk_paper *own, unsigned char *marks, int npos,
		       const struct sk_paper *src, const unsigned char *smarks, int snpos, uint64_t seed, double share)
{
	struct rng r;
	rng_init(&r, "copy", seed, own->exam_number);
	for (int q = 0; q < npos; q++) {
		double u = rng_unit(&r);
		if (u >= share)
			continue;
		const struct sk_paper_item *it = item_at(own, q);
		int n = is_tf(it) ? 2 : it->noptions;
		if (copier->kind == SK_PLANTED_LETTERS) {
			const struct sk_paper_item *si = q < snpos ? item_at(src, q) : NULL;
			if (si && is_tf(si) == is_tf(it) && !(smarks[q] >> n))
				marks[q] = smarks[q];
			continue;
		}
		for (int sq = 0; sq < snpos; sq++) {
			const struct sk_paper_item *si = item_at(src, sq);
			if (si->item_version_id != it->item_version_id)
				continue;
			unsigned bits = 0;
			for (int d = 0; d < SK_ITEM_MAX_OPTIONS; d++) {
				if (!((smarks[sq] >> d) & 1) || si->option_of[d] < 0)
					continue;
				for (int e = 0; e < n; e++)
					if (it->option_of[e] == si->option_of[d])
						bits |= 1u << e;
			}
			marks[q] = (unsigned char)bits;
			break;
		}
	}
}

static int by_seat(const void *a, const void *b)
{
	const struct reg *x = *(const struct reg *const *)a, *y = *(const struct reg *const *)b;
	if (x->room_id != y->room_id)
		return (x->room_id > y->room_id) - (x->room_id < y->room_id);
	if (x->row != y->row)
		return x->row - y->row;
	return x->col - y->col;
}

static int by_order(const void *a, const void *b)
{
	const struct reg *x = *(const struct reg *const *)a, *y = *(const struct reg *const *)b;
	if (x->order != y->order)
		return (x->order > y->order) - (x->order < y->order);
	return strcmp(x->exam_number, y->exam_number);
}

/* Choose the planted pairs: candidates in keyed order, each with the
 * first suitable partner in the same order. */
static int plant(struct sk_db *db, struct papers *regs, const struct sk_simulate_opts *o,
		 struct sk_simulate_stats *stats)
{
	size_t n = regs->n, want = o->copiers + o->sharers;
	struct reg **seat = malloc((n ? n : 1) * sizeof(*seat)), **order = malloc((n ? n : 1) * sizeof(*order));
	stats->planted = calloc(want ? want : 1, sizeof(*stats->planted));
	if (!seat || !order || !stats->planted) {
		free(seat);
		free(order);
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct rng r;
		rng_init(&r, "plant", o->seed, regs->v[i].exam_number);
		regs->v[i].order = rng_next(&r);
		seat[i] = order[i] = &regs->v[i];
	}
	if (n) {
		qsort(seat, n, sizeof(*seat), by_seat);
		qsort(order, n, sizeof(*order), by_order);
	}
	size_t letters = 0, answers = 0;
	for (size_t i = 0; i < n && (letters < o->copiers || answers < o->sharers); i++) {
		struct reg *c = order[i];
		/* those who copy are those who need to: the weaker half */
		if (c->absent || c->used || sk_simulate_ability(o->seed, c->exam_number) >= 0)
			continue;
		int kind = letters < o->copiers ? SK_PLANTED_LETTERS : SK_PLANTED_ANSWERS;
		struct reg *best = NULL;
		/* the same room's seats are contiguous in seat[] */
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (seat[mid]->room_id < c->room_id)
				lo = mid + 1;
			else
				hi = mid;
		}
		int best_far = 0;
		for (size_t k = lo; k < n && seat[k]->room_id == c->room_id; k++) {
			struct reg *s = seat[k];
			if (s == c || s->absent || s->used)
				continue;
			int dr = abs(s->row - c->row), dc = abs(s->col - c->col);
			int far = dr > dc ? dr : dc;
			if (kind == SK_PLANTED_LETTERS ? far > 1 : far <= 1 || far > 2 || s->form_id != c->form_id)
				continue;
			/* answers are passed between two of the weaker half */
			if (kind == SK_PLANTED_ANSWERS && sk_simulate_ability(o->seed, s->exam_number) >= 0)
				continue;
			/* sharers: the nearest seat in sight with the same form */
			if (!best || far < best_far || (far == best_far && by_order(&s, &best) < 0)) {
				best = s;
				best_far = far;
			}
		}
		if (!best)
			continue;
		c->used = best->used = 1;
		c->source = best - regs->v;
		c->kind = (enum sk_planted_kind)kind;
		struct sk_simulate_pair *p = &stats->planted[stats->nplanted++];
		snprintf(p->copier, sizeof(p->copier), "%s", c->exam_number);
		snprintf(p->source, sizeof(p->source), "%s", best->exam_number);
		p->kind = (enum sk_planted_kind)kind;
		if (kind == SK_PLANTED_LETTERS)
			letters++;
		else
			answers++;
	}
	free(seat);
	free(order);
	return 0;
}

static const char sql_positions[] =
	"SELECT max(n) FROM (SELECT count(*) AS n FROM form_item WHERE form_id IN"
	" (SELECT p.form_id FROM paper p JOIN registration r ON r.id = p.registration_id"
	"  WHERE r.sitting_id = ?1 AND r.status = 'registered') GROUP BY form_id)";

int sk_simulate_responses(struct sk_db *db, const char *sitting, const struct sk_simulate_opts *opts,
			  struct sk_buf *out, struct sk_simulate_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	struct sk_sitting s;
	int rc = sk_sitting_get(db, sitting, &s);
	if (rc)
		return rc;
	struct papers regs = { 0 };
	struct sk_paper_set *set = NULL;
	struct item_cache cache = { 0 };
	struct sk_paper paper;
	memset(&paper, 0, sizeof(paper));
	if ((rc = list_papers(db, s.id, &regs)) || (rc = sk_paper_set_new(db, s.code, &set)))
		goto cleanup;
	/* The header needs the longest paper: its form's item count. */
	sqlite3_stmt *st = sk_db_stmt(db, sql_positions);
	if (!st) {
		rc = db->err;
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, s.id);
	if (sqlite3_step(st) == SQLITE_ROW)
		stats->positions = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	if (!stats->positions) {
		rc = sk_db_fail(db, SK_EINPUT, "%s has no papers yet (run 'shiken paper build --sitting %s')", s.code,
				s.code);
		goto cleanup;
	}
	if (stats->positions > SK_MARK_MAX_POSITIONS) {
		rc = sk_db_fail(db, SK_ERANGE, "papers of %s have more than %d questions", s.code, SK_MARK_MAX_POSITIONS);
		goto cleanup;
	}
	sk_buf_adds(out, "exam_number,paper_code");
	for (int k = 1; k <= stats->positions; k++)
		sk_buf_addf(out, ",%d", k);
	sk_buf_addch(out, '\n');
	double absent = opts->absent_percent / 100.0;
	for (size_t i = 0; i < regs.n; i++) {
		struct rng r;
		rng_init(&r, "absent", opts->seed, regs.v[i].exam_number);
		double u_absent = rng_unit(&r);
		regs.v[i].absent = regs.v[i].door == DOOR_ABSENT || (regs.v[i].door == DOOR_UNKNOWN && u_absent < absent);
	}
	if ((opts->copiers || opts->sharers) && (rc = plant(db, &regs, opts, stats)))
		goto cleanup;
	double share = opts->copy_share > 0 ? opts->copy_share : 0.8;
	unsigned char marks[SK_MARK_MAX_POSITIONS], smarks[SK_MARK_MAX_POSITIONS];
	for (size_t i = 0; i < regs.n; i++) {
		const struct reg *rg = &regs.v[i];
		sk_paper_release(&paper);
		if ((rc = sk_paper_set_get(set, rg->form_id, rg->exam_number, &paper)))
			goto cleanup;
		const struct sk_paper *p = &paper;
		stats->registrations++;
		if (rg->absent) {
			stats->absent++;
			continue;
		}
		int npos = 0;
		if ((rc = sheet_marks(db, &cache, opts->seed, p, marks, &npos)))
			goto cleanup;
		if (rg->source >= 0) {
			const struct reg *src = &regs.v[rg->source];
			struct sk_paper sp;
			int snpos = 0;
			if ((rc = sk_paper_set_get(set, src->form_id, src->exam_number, &sp)))
				goto cleanup;
			rc = sheet_marks(db, &cache, opts->seed, &sp, smarks, &snpos);
			if (!rc)
				copy_marks(rg, p, marks, npos, &sp, smarks, snpos, opts->seed, share);
			sk_paper_release(&sp);
			if (rc)
				goto cleanup;
		}
		if (npos > stats->positions) {
			rc = sk_db_fail(db, SK_EVERIFY, "the paper of %s is longer than its form", p->exam_number);
			goto cleanup;
		}
		sk_buf_adds(out, p->exam_number);
		sk_buf_addch(out, ',');
		sk_buf_adds(out, p->code);
		for (int q = 0; q < npos; q++) {
			const struct sk_paper_item *it = item_at(p, q);
			int tf = is_tf(it);
			sk_buf_addch(out, ',');
			for (int d = 0; d < SK_ITEM_MAX_OPTIONS; d++)
				if (marks[q] & (1u << d))
					sk_buf_addch(out, tf ? (d ? 'X' : 'O') : (char)('A' + d));
		}
		for (int q = npos; q < stats->positions; q++)
			sk_buf_addch(out, ',');
		sk_buf_addch(out, '\n');
		stats->sheets++;
	}
	if (sk_buf_failed(out)) {
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
		goto cleanup;
	}
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"seed\":%llu,\"absent_percent\":%.2f,\"sheets\":%zu,\"planted\":%zu}",
		 (unsigned long long)opts->seed, opts->absent_percent, stats->sheets, stats->nplanted);
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	if ((rc = sk_audit_append(db, "sitting", s.code, "simulate responses", detail))) {
		sk_db_rollback(db);
		goto cleanup;
	}
	rc = sk_db_commit(db);
cleanup:
	if (rc) {
		free(stats->planted);
		stats->planted = NULL;
		stats->nplanted = 0;
	}
	sk_paper_release(&paper);
	sk_paper_set_free(set);
	free(regs.v);
	if (cache.slot)
		sodium_memzero(cache.slot, cache.cap * sizeof(*cache.slot));
	free(cache.slot);
	return rc;
}
