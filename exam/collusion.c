/*
 * Answer-copying checks (collusion.h). Sheets are reduced to what the
 * checks need — per printed position the item (as a slot number), the
 * canonical answer, the printed letter marked, whether it scored and the
 * paper's letters — then option curves are estimated per test and every
 * pair of a room is compared, room by room, so the Bonferroni level of a
 * room is known before its pairs are judged.
 */
#include "exam/collusion.h"
#include "core/db.h"
#include "core/error.h"
#include "core/venue.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCAT 7 /* canonical options A-E, blank, several marks */
enum { C_OMIT = 5, C_MULTI = 6 };
#define NO_SLOT 0xFFFFu
#define NONE 0xFF

struct cpos {
	uint16_t slot;
	uint8_t resp;      /* 0-4 an option, C_OMIT, C_MULTI */
	uint8_t shown;     /* printed letter marked (single marks), else NONE */
	uint8_t point;
	uint8_t tf;
	int8_t option_of[SK_ITEM_MAX_OPTIONS];
};

struct cand {
	int test, room;
	int row, col;
	char exam[16], form[32];
	int score, npos;
	size_t off;        /* first position in c->pos */
};

struct slot {
	int64_t version_id;
	int test;
	int noptions;
	unsigned accepted;
	size_t prob;       /* offset of its (smax + 1) x NCAT chances in c->prob */
};

struct ctest {
	char code[16];
	int smax;
	size_t ncand;
};

struct sk_collusion {
	struct ctest tests[16];
	int ntests;
	char (*rooms)[24];
	size_t nrooms, arooms;
	struct cand *cands;
	size_t n, acands;
	struct cpos *pos;
	size_t npos, apos;
	struct slot *slots;
	size_t nslots, aslots;
	uint32_t *index;   /* open addressing: version id -> slot + 1 */
	size_t cap;
	double *prob;
	uint8_t *by_slot;  /* n x nslots: each candidate's answer per slot, NONE if not on the paper */
};

struct sk_collusion *sk_collusion_new(void)
{
	return calloc(1, sizeof(struct sk_collusion));
}

void sk_collusion_free(struct sk_collusion *c)
{
	if (!c)
		return;
	free(c->rooms);
	free(c->cands);
	free(c->pos);
	free(c->slots);
	free(c->index);
	free(c->prob);
	free(c->by_slot);
	free(c);
}

void sk_collusion_result_release(struct sk_collusion_result *r)
{
	free(r->pairs);
	memset(r, 0, sizeof(*r));
}

double sk_poisson_binomial_upper(const double *p, int n, int m)
{
	if (m <= 0)
		return 1.0;
	if (m > n)
		return 0.0;
	/* f[j] = P(X = j) so far for j < m; tail = P(X >= m) so far. */
	double small[256], *f = m <= 256 ? small : calloc((size_t)m, sizeof(double));
	if (!f)
		return NAN;
	memset(f, 0, (size_t)m * sizeof(double));
	f[0] = 1.0;
	double tail = 0;
	for (int i = 0; i < n; i++) {
		double q = p[i] < 0 ? 0 : p[i] > 1 ? 1 : p[i];
		tail += f[m - 1] * q;
		for (int j = m - 1; j > 0; j--)
			f[j] = f[j] * (1 - q) + f[j - 1] * q;
		f[0] *= 1 - q;
	}
	if (f != small)
		free(f);
	return tail > 1 ? 1 : tail;
}

static size_t hash_id(int64_t id, size_t cap)
{
	uint64_t z = (uint64_t)id * 0x9e3779b97f4a7c15u;
	z ^= z >> 31;
	return (size_t)z & (cap - 1);
}

/* The slot of an item version, added the first time. */
static int slot_of(struct sk_collusion *c, int test, const struct sk_sheet_answer *a, uint16_t *out)
{
	if (c->cap) {
		for (size_t k = hash_id(a->item_version_id, c->cap);; k = (k + 1) & (c->cap - 1)) {
			uint32_t v = c->index[k];
			if (!v)
				break;
			if (c->slots[v - 1].version_id == a->item_version_id) {
				*out = (uint16_t)(v - 1);
				return 0;
			}
		}
	}
	if (c->nslots >= NO_SLOT)
		return SK_ERANGE;
	if (2 * (c->nslots + 1) > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 512;
		uint32_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return SK_ENOMEM;
		for (size_t i = 0; i < c->nslots; i++) {
			size_t k = hash_id(c->slots[i].version_id, cap);
			while (t[k])
				k = (k + 1) & (cap - 1);
			t[k] = (uint32_t)(i + 1);
		}
		free(c->index);
		c->index = t;
		c->cap = cap;
	}
	if (c->nslots == c->aslots) {
		size_t n = c->aslots ? c->aslots * 2 : 256;
		struct slot *p = realloc(c->slots, n * sizeof(*p));
		if (!p)
			return SK_ENOMEM;
		c->slots = p;
		c->aslots = n;
	}
	struct slot *s = &c->slots[c->nslots];
	memset(s, 0, sizeof(*s));
	s->version_id = a->item_version_id;
	s->test = test;
	s->noptions = a->noptions;
	s->accepted = a->accepted;
	size_t k = hash_id(a->item_version_id, c->cap);
	while (c->index[k])
		k = (k + 1) & (c->cap - 1);
	c->index[k] = (uint32_t)(c->nslots + 1);
	*out = (uint16_t)c->nslots++;
	return 0;
}

int sk_collusion_add(struct sk_collusion *c, const struct sk_sheet *sh)
{
	int test, room;
	for (test = 0; test < c->ntests && strcmp(c->tests[test].code, sh->test); test++)
		;
	if (test == c->ntests) {
		if (test == 16)
			return SK_ERANGE;
		memset(&c->tests[test], 0, sizeof(c->tests[test]));
		snprintf(c->tests[test].code, sizeof(c->tests[test].code), "%s", sh->test);
		c->ntests++;
	}
	for (room = (int)c->nrooms - 1; room >= 0 && strcmp(c->rooms[room], sh->room); room--)
		;
	if (room < 0) {
		if (c->nrooms == c->arooms) {
			size_t n = c->arooms ? c->arooms * 2 : 16;
			char(*p)[24] = realloc(c->rooms, n * sizeof(*p));
			if (!p)
				return SK_ENOMEM;
			c->rooms = p;
			c->arooms = n;
		}
		snprintf(c->rooms[c->nrooms], sizeof(c->rooms[0]), "%s", sh->room);
		room = (int)c->nrooms++;
	}
	if (c->n == c->acands) {
		size_t n = c->acands ? c->acands * 2 : 256;
		struct cand *p = realloc(c->cands, n * sizeof(*p));
		if (!p)
			return SK_ENOMEM;
		c->cands = p;
		c->acands = n;
	}
	if (c->npos + (size_t)sh->npositions > c->apos) {
		size_t n = c->apos ? c->apos : 4096;
		while (n < c->npos + (size_t)sh->npositions)
			n *= 2;
		struct cpos *p = realloc(c->pos, n * sizeof(*p));
		if (!p)
			return SK_ENOMEM;
		c->pos = p;
		c->apos = n;
	}
	struct cand *k = &c->cands[c->n];
	memset(k, 0, sizeof(*k));
	k->test = test;
	k->room = room;
	k->row = sh->seat_row;
	k->col = sh->seat_col;
	snprintf(k->exam, sizeof(k->exam), "%s", sh->exam_number);
	snprintf(k->form, sizeof(k->form), "%s", sh->form);
	k->off = c->npos;
	k->npos = sh->npositions;
	for (int q = 0; q < sh->npositions; q++) {
		const struct sk_sheet_answer *a = &sh->answers[q];
		struct cpos *p = &c->pos[c->npos + (size_t)q];
		int rc = slot_of(c, test, a, &p->slot);
		if (rc)
			return rc;
		p->tf = (uint8_t)a->tf;
		p->point = (uint8_t)a->point;
		p->shown = NONE;
		if (!a->mark) {
			p->resp = C_OMIT;
		} else if (!a->single || !(a->canonical & 0x1f)) {
			p->resp = C_MULTI;
		} else {
			int o = 0, d = 0;
			while (o < SK_ITEM_MAX_OPTIONS - 1 && !((a->canonical >> o) & 1))
				o++;
			while (d < SK_ITEM_MAX_OPTIONS - 1 && !((a->mark >> d) & 1))
				d++;
			p->resp = (uint8_t)o;
			p->shown = (uint8_t)d;
		}
		memcpy(p->option_of, a->option_of, sizeof(p->option_of));
		k->score += a->point;
	}
	c->npos += (size_t)sh->npositions;
	c->tests[test].ncand++;
	if (sh->npositions > c->tests[test].smax)
		c->tests[test].smax = sh->npositions;
	c->n++;
	return 0;
}

/* Option curves: per slot and score, the chance of each answer. */
static int estimate(struct sk_collusion *c)
{
	size_t total = 0;
	for (size_t s = 0; s < c->nslots; s++) {
		c->slots[s].prob = total;
		total += (size_t)(c->tests[c->slots[s].test].smax + 1) * NCAT;
	}
	double *counts = calloc(total ? total : 1, sizeof(double));
	c->prob = calloc(total ? total : 1, sizeof(double));
	if (!counts || !c->prob) {
		free(counts);
		return SK_ENOMEM;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct cand *k = &c->cands[i];
		for (int q = 0; q < k->npos; q++) {
			const struct cpos *p = &c->pos[k->off + (size_t)q];
			counts[c->slots[p->slot].prob + (size_t)k->score * NCAT + p->resp] += 1;
		}
	}
	int rc = 0;
	for (int t = 0; t < c->ntests && !rc; t++) {
		int S = c->tests[t].smax;
		double n = 0, sum = 0, sumsq = 0;
		for (size_t i = 0; i < c->n; i++)
			if (c->cands[i].test == t) {
				n++;
				sum += c->cands[i].score;
				sumsq += (double)c->cands[i].score * c->cands[i].score;
			}
		double sd = n > 1 ? sqrt(fmax(0, (sumsq - sum * sum / n) / (n - 1))) : 0;
		double h = 1.1 * pow(n > 1 ? n : 1, -0.2) * sd;
		if (h < 0.5)
			h = 0.5;
		double *w = malloc((size_t)(S + 1) * (size_t)(S + 1) * sizeof(double));
		if (!w) {
			rc = SK_ENOMEM;
			break;
		}
		for (int a = 0; a <= S; a++)
			for (int b = 0; b <= S; b++) {
				double z = (a - b) / h;
				w[a * (S + 1) + b] = exp(-0.5 * z * z);
			}
		for (size_t s = 0; s < c->nslots; s++) {
			if (c->slots[s].test != t)
				continue;
			const double *cnt = counts + c->slots[s].prob;
			double *pr = c->prob + c->slots[s].prob;
			double marg[NCAT] = { 0 }, all = 0;
			for (int b = 0; b <= S; b++)
				for (int k = 0; k < NCAT; k++) {
					marg[k] += cnt[b * NCAT + k];
					all += cnt[b * NCAT + k];
				}
			for (int k = 0; k < NCAT; k++)
				marg[k] = all > 0 ? marg[k] / all : 1.0 / NCAT;
			for (int a = 0; a <= S; a++) {
				double num[NCAT] = { 0 }, den = 0;
				for (int b = 0; b <= S; b++) {
					double wt = w[a * (S + 1) + b];
					for (int k = 0; k < NCAT; k++) {
						num[k] += wt * cnt[b * NCAT + k];
						den += wt * cnt[b * NCAT + k];
					}
				}
				for (int k = 0; k < NCAT; k++)
					pr[a * NCAT + k] = (num[k] + marg[k]) / (den + 1);
			}
		}
		free(w);
	}
	free(counts);
	return rc;
}

static const double *chances(const struct sk_collusion *c, uint16_t slot, int score)
{
	return c->prob + c->slots[slot].prob + (size_t)score * NCAT;
}

/* ---- comparing pairs ---- */

struct job {
	struct sk_collusion *c;
	const struct sk_collusion_opts *o;
	struct sk_collusion_result *out;
	size_t apairs;
	double pbuf[2 * SK_MARK_MAX_POSITIONS];
};

static void side(struct sk_collusion_side *s, const struct sk_collusion *c, const struct cand *k)
{
	snprintf(s->exam_number, sizeof(s->exam_number), "%s", k->exam);
	snprintf(s->test, sizeof(s->test), "%s", c->tests[k->test].code);
	snprintf(s->form, sizeof(s->form), "%s", k->form);
	sk_seat_label(s->seat, k->row, k->col);
	s->score = k->score;
	s->max_score = k->npos;
}

static int keep(struct job *j, const struct sk_collusion_pair *p)
{
	struct sk_collusion_result *r = j->out;
	if (r->npairs == j->apairs) {
		size_t n = j->apairs ? j->apairs * 2 : 64;
		struct sk_collusion_pair *q = realloc(r->pairs, n * sizeof(*q));
		if (!q)
			return SK_ENOMEM;
		r->pairs = q;
		j->apairs = n;
	}
	r->pairs[r->npairs++] = *p;
	return 0;
}

/* P(IC' + II' >= t and II' >= w) for the identical-correct and
 * identical-incorrect counts of n items with chances q1[i], q2[i]: a
 * triangular table of the joint distribution, item by item. */
double sk_identical_tail(const double *q1, const double *q2, int n, int t, int w)
{
	if (t <= 0 && w <= 0)
		return 1.0;
	if (t > n || w > n)
		return 0.0;
	/* f[ic][ii], ic + ii <= items so far; row ic holds n + 1 cells. */
	size_t side = (size_t)n + 1;
	double *f = calloc(side * side, sizeof(double));
	if (!f)
		return NAN;
	f[0] = 1.0;
	for (int i = 0; i < n; i++) {
		double a = q1[i], b = q2[i], z = 1 - a - b;
		if (z < 0)
			z = 0;
		for (int tot = i + 1; tot >= 0; tot--)
			for (int ii = tot; ii >= 0; ii--) {
				int ic = tot - ii;
				double v = ic + ii <= i ? f[(size_t)ic * side + (size_t)ii] * z : 0;
				if (ic > 0)
					v += f[(size_t)(ic - 1) * side + (size_t)ii] * a;
				if (ii > 0)
					v += f[(size_t)ic * side + (size_t)(ii - 1)] * b;
				f[(size_t)ic * side + (size_t)ii] = v;
			}
	}
	double tail = 0;
	for (int ic = 0; ic <= n; ic++)
		for (int ii = w > 0 ? w : 0; ic + ii <= n; ii++)
			if (ic + ii >= t)
				tail += f[(size_t)ic * side + (size_t)ii];
	free(f);
	return tail > 1 ? 1 : tail;
}

/* Identical answers on the items a and b share. 0 when they share too
 * few; else 1 with the figures in p. */
static int same_answers(struct job *j, const struct cand *a, const struct cand *b, const uint8_t *bslots,
			struct sk_collusion_pair *p)
{
	const struct sk_collusion *c = j->c;
	int n = 0, ic = 0, ii = 0;
	double e1 = 0, e2 = 0;
	double *q1 = j->pbuf, *q2 = j->pbuf + SK_MARK_MAX_POSITIONS;
	for (int q = 0; q < a->npos; q++) {
		const struct cpos *pa = &c->pos[a->off + (size_t)q];
		uint8_t rb = bslots[pa->slot];
		if (rb == NONE)
			continue;
		const struct slot *s = &c->slots[pa->slot];
		const double *xa = chances(c, pa->slot, a->score), *xb = chances(c, pa->slot, b->score);
		double right = 0, wrong = 0;
		for (int k = 0; k < s->noptions && k < SK_ITEM_MAX_OPTIONS; k++) {
			if ((s->accepted >> k) & 1)
				right += xa[k] * xb[k];
			else
				wrong += xa[k] * xb[k];
		}
		q1[n] = right;
		q2[n] = wrong;
		n++;
		e1 += right;
		e2 += wrong;
		if (pa->resp == rb && pa->resp < C_OMIT) {
			if ((s->accepted >> pa->resp) & 1)
				ic++;
			else
				ii++;
		}
	}
	if (n < j->o->min_compared)
		return 0;
	memset(p, 0, sizeof(*p));
	p->check = SK_CHECK_SAME_ANSWERS;
	p->compared = n;
	p->observed = ii;
	p->expected = e2;
	p->identical = ic + ii;
	p->expected_identical = e1 + e2;
	p->wrong_a = p->wrong_b = ii;
	p->p = sk_identical_tail(q1, q2, n, ic + ii, ii);
	return 1;
}

/* Same printed letters at the same place where the papers differ there. */
static int same_letters(struct job *j, const struct cand *a, const struct cand *b, struct sk_collusion_pair *p)
{
	const struct sk_collusion *c = j->c;
	int n = 0, m = 0, wa = 0, wb = 0;
	double e = 0;
	int npos = a->npos < b->npos ? a->npos : b->npos;
	for (int q = 0; q < npos; q++) {
		const struct cpos *pa = &c->pos[a->off + (size_t)q], *pb = &c->pos[b->off + (size_t)q];
		if (pa->tf != pb->tf)
			continue;
		if (pa->slot == pb->slot && !memcmp(pa->option_of, pb->option_of, sizeof(pa->option_of)))
			continue;
		const double *xa = chances(c, pa->slot, a->score), *xb = chances(c, pb->slot, b->score);
		double pq = 0;
		for (int d = 0; d < SK_ITEM_MAX_OPTIONS; d++)
			if (pa->option_of[d] >= 0 && pb->option_of[d] >= 0)
				pq += xa[pa->option_of[d]] * xb[pb->option_of[d]];
		j->pbuf[n++] = pq;
		e += pq;
		if (pa->shown != NONE && pa->shown == pb->shown) {
			m++;
			wa += !pa->point;
			wb += !pb->point;
		}
	}
	if (n < j->o->min_compared)
		return 0;
	memset(p, 0, sizeof(*p));
	p->check = SK_CHECK_SAME_LETTERS;
	p->compared = n;
	p->observed = p->identical = m;
	p->expected = p->expected_identical = e;
	p->wrong_a = wa;
	p->wrong_b = wb;
	p->p = sk_poisson_binomial_upper(j->pbuf, n, m);
	return 1;
}

struct room_index {
	int room;
	size_t cand;
};

static int by_room(const void *x, const void *y)
{
	const struct room_index *a = x, *b = y;
	if (a->room != b->room)
		return a->room - b->room;
	return (a->cand > b->cand) - (a->cand < b->cand);
}

static int by_review(const void *x, const void *y)
{
	const struct sk_collusion_pair *a = x, *b = y;
	if (a->flagged != b->flagged)
		return b->flagged - a->flagged;
	if (a->neighbours != b->neighbours)
		return b->neighbours - a->neighbours;
	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	if (a->check != b->check)
		return (int)a->check - (int)b->check;
	int c = strcmp(a->a.exam_number, b->a.exam_number);
	return c ? c : strcmp(a->b.exam_number, b->b.exam_number);
}

/* Every pair of one room: its candidates are idx[0..n-1]. */
static int compare_room(struct job *j, const struct room_index *idx, size_t n)
{
	struct sk_collusion *c = j->c;
	const struct sk_collusion_opts *o = j->o;
	size_t first = j->out->npairs, others = 0;
	for (size_t x = 0; x < n; x++) {
		const struct cand *a = &c->cands[idx[x].cand];
		for (size_t y = x + 1; y < n; y++) {
			const struct cand *b = &c->cands[idx[y].cand];
			int near = abs(a->row - b->row) <= SK_COLLUSION_SIGHT && abs(a->col - b->col) <= SK_COLLUSION_SIGHT;
			struct sk_collusion_pair p;
			for (int check = 0; check < 2; check++) {
				int tested;
				if (check == SK_CHECK_SAME_ANSWERS)
					tested = a->test == b->test && same_answers(j, a, b, c->by_slot + idx[y].cand * c->nslots, &p);
				else
					tested = near && same_letters(j, a, b, &p);
				if (!tested)
					continue;
				j->out->tested[check]++;
				if (near)
					j->out->tested_neighbours[check]++;
				else
					others++;
				p.neighbours = near;
				/* Non-neighbours are judged at alpha / m once m is
				 * known; none above alpha can be flagged. */
				if (!o->all && p.p > o->alpha)
					continue;
				snprintf(p.room, sizeof(p.room), "%s", c->rooms[a->room]);
				side(&p.a, c, a);
				side(&p.b, c, b);
				int rc = keep(j, &p);
				if (rc)
					return rc;
			}
		}
	}
	/* Only the same-answers check compares non-neighbours. */
	double level = others ? o->alpha / (double)others : o->alpha;
	if (others)
		j->out->chance[SK_CHECK_SAME_ANSWERS] += o->alpha;
	for (size_t i = first; i < j->out->npairs; i++) {
		struct sk_collusion_pair *p = &j->out->pairs[i];
		p->level = p->neighbours ? o->alpha : level;
		p->flagged = p->identical > 0 && p->p <= p->level;
		if (p->flagged)
			j->out->flagged[p->check]++;
	}
	return 0;
}

int sk_collusion_run(struct sk_collusion *c, const struct sk_collusion_opts *o, struct sk_collusion_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!(o->alpha > 0 && o->alpha < 1) || o->min_compared < 1)
		return SK_EINVAL;
	out->alpha = o->alpha;
	out->candidates = c->n;
	out->rooms = c->nrooms;
	out->ntests = (size_t)c->ntests;
	for (int t = 0; t < c->ntests; t++) {
		snprintf(out->tests[t].test, sizeof(out->tests[t].test), "%s", c->tests[t].code);
		out->tests[t].candidates = c->tests[t].ncand;
	}
	if (!c->n)
		return 0;
	int rc = estimate(c);
	if (rc)
		return rc;
	free(c->by_slot);
	c->by_slot = malloc(c->n * (c->nslots ? c->nslots : 1));
	struct room_index *idx = malloc(c->n * sizeof(*idx));
	struct job *j = calloc(1, sizeof(*j));
	if (!c->by_slot || !idx || !j) {
		free(idx);
		free(j);
		return SK_ENOMEM;
	}
	memset(c->by_slot, NONE, c->n * c->nslots);
	for (size_t i = 0; i < c->n; i++) {
		const struct cand *k = &c->cands[i];
		for (int q = 0; q < k->npos; q++) {
			const struct cpos *p = &c->pos[k->off + (size_t)q];
			c->by_slot[i * c->nslots + p->slot] = p->resp;
		}
		idx[i].room = k->room;
		idx[i].cand = i;
	}
	qsort(idx, c->n, sizeof(*idx), by_room);
	j->c = c;
	j->o = o;
	j->out = out;
	for (size_t i = 0; i < c->n && !rc;) {
		size_t k = i;
		while (k < c->n && idx[k].room == idx[i].room)
			k++;
		rc = compare_room(j, idx + i, k - i);
		i = k;
	}
	out->chance[SK_CHECK_SAME_ANSWERS] += o->alpha * (double)out->tested_neighbours[SK_CHECK_SAME_ANSWERS];
	out->chance[SK_CHECK_SAME_LETTERS] += o->alpha * (double)out->tested_neighbours[SK_CHECK_SAME_LETTERS];
	if (!rc && !o->all) {
		/* Keep the flagged pairs only. */
		size_t w = 0;
		for (size_t i = 0; i < out->npairs; i++)
			if (out->pairs[i].flagged)
				out->pairs[w++] = out->pairs[i];
		out->npairs = w;
	}
	if (!rc && out->npairs)
		qsort(out->pairs, out->npairs, sizeof(*out->pairs), by_review);
	free(idx);
	free(j);
	if (rc)
		sk_collusion_result_release(out);
	return rc;
}

static int add_sheet(void *payload, const struct sk_sheet *sh)
{
	return sk_collusion_add(payload, sh);
}

int sk_collusion_sitting(struct sk_db *db, const char *sitting, const struct sk_collusion_opts *opts,
			 struct sk_collusion_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!(opts->alpha > 0 && opts->alpha < 1) || opts->min_compared < 1)
		return sk_db_fail(db, SK_EINVAL, "the level must be between 0 and 1 and at least one comparison asked");
	struct sk_collusion *c = sk_collusion_new();
	if (!c)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	struct sk_sheet_filter f = { .sitting = sitting };
	int rc = sk_grade_foreach_sheet(db, &f, add_sheet, c, NULL);
	if (rc == SK_ENOMEM)
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	else if (rc == SK_ERANGE)
		rc = sk_db_fail(db, SK_ERANGE, "a sitting of more than 16 tests or 65,535 items");
	if (!rc && (rc = sk_collusion_run(c, opts, out)))
		rc = sk_db_fail(db, rc, "out of memory");
	sk_collusion_free(c);
	return rc;
}
