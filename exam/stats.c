/*
 * Statistics (stats.h): the population report counted from the ledger's
 * tables, score distributions, and item analysis over answer sheets read
 * through grading (sk_grade_foreach_sheet), so an item is scored here
 * exactly as it was for the candidate.
 *
 * Sums of integer scores are kept in 64-bit integers and every variance and
 * correlation is formed from exact integer differences, so a million
 * answers lose nothing to cancellation.
 */
#include "exam/stats.h"
#include "core/bank.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/sitting.h"
#include "core/testdef.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

/* ---- numerics ---- */

double sk_stats_normal_upper(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

double sk_stats_normal_quantile(double p)
{
	if (!(p > 0 && p < 1))
		return NAN;
	/* Bisection on the upper tail: slow by numerical standards, but called
	 * a handful of times per report and exact to the last bit that matters. */
	double lo = -40, hi = 40;
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;
		if (1.0 - sk_stats_normal_upper(mid) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* Sample SD from integer sums: n, sum, sum of squares. */
static double sd_of(double n, double sum, double sumsq)
{
	if (n < 2)
		return NAN;
	double ss = sumsq - sum * sum / n;
	return ss > 0 ? sqrt(ss / (n - 1)) : 0.0;
}

/* ---- dimensions ---- */

static const char *const dim_names[SK_DIM_COUNT] = {
	[SK_DIM_SITTING] = "sitting",         [SK_DIM_TEST] = "test",
	[SK_DIM_CATEGORY] = "category",       [SK_DIM_LEVEL] = "level",
	[SK_DIM_NATIONALITY] = "nationality", [SK_DIM_RESIDENCE] = "residence",
	[SK_DIM_REGION] = "region",           [SK_DIM_GENDER] = "gender",
	[SK_DIM_AGE_BAND] = "age_band",       [SK_DIM_BACKGROUND] = "background",
	[SK_DIM_EXPERIENCE] = "experience",   [SK_DIM_JAPANESE] = "japanese",
};

const char *sk_stats_dim_name(enum sk_stats_dim d)
{
	return d >= 0 && d < SK_DIM_COUNT ? dim_names[d] : "?";
}

int sk_stats_dim_parse(const char *name)
{
	for (int d = 0; d < SK_DIM_COUNT; d++)
		if (!strcmp(name, dim_names[d]))
			return d;
	return -1;
}

int sk_stats_min_cell(struct sk_db *db)
{
	char *v = sk_db_meta_get(db, "stats.min_cell");
	int n = v ? atoi(v) : 5;
	free(v);
	return n >= 1 ? n : 5;
}

static int check_selection(struct sk_db *db, const struct sk_stats_selection *sel)
{
	int rc;
	if (sel->sitting) {
		struct sk_sitting s;
		if ((rc = sk_sitting_get(db, sel->sitting, &s)))
			return rc;
	}
	if (sel->test) {
		struct sk_testdef td;
		if ((rc = sk_testdef_get(db, sel->test, &td)))
			return rc;
	}
	const char *dates[2] = { sel->from, sel->to };
	for (int i = 0; i < 2; i++) {
		struct sk_date d;
		if (dates[i] && sk_date_parse(&d, dates[i]))
			return sk_db_fail(db, SK_EINVAL, "'%s' is not a date (YYYY-MM-DD)", dates[i]);
	}
	if (sel->from && sel->to && strcmp(sel->from, sel->to) > 0)
		return sk_db_fail(db, SK_EINVAL, "the period ends (%s) before it starts (%s)", sel->to, sel->from);
	return 0;
}

/* The value of a dimension for one registration row (see sql_people). */
static void dim_value(char out[96], enum sk_stats_dim d, sqlite3_stmt *st)
{
	const char *s;
	switch (d) {
	case SK_DIM_SITTING: copy_col(out, 96, st, 1); break;
	case SK_DIM_TEST: copy_col(out, 96, st, 3); break;
	case SK_DIM_CATEGORY: copy_col(out, 96, st, 4); break;
	case SK_DIM_LEVEL: snprintf(out, 96, "%d", sqlite3_column_int(st, 5)); break;
	case SK_DIM_NATIONALITY: copy_col(out, 96, st, 6); break;
	case SK_DIM_RESIDENCE: copy_col(out, 96, st, 7); break;
	case SK_DIM_REGION:
		s = (const char *)sqlite3_column_text(st, 8);
		snprintf(out, 96, "%s/%s", (const char *)sqlite3_column_text(st, 7), s && *s ? s : "unknown");
		break;
	case SK_DIM_GENDER: copy_col(out, 96, st, 9); break;
	case SK_DIM_AGE_BAND: {
		struct sk_date dob, on;
		const char *b = (const char *)sqlite3_column_text(st, 10);
		const char *e = (const char *)sqlite3_column_text(st, 2);
		if (!b || !e || sk_date_parse(&dob, b) || sk_date_parse(&on, e)) {
			snprintf(out, 96, "unknown");
			break;
		}
		int age = sk_date_age(&dob, &on);
		if (age < 20)
			snprintf(out, 96, "-19");
		else if (age >= 40)
			snprintf(out, 96, "40-");
		else
			snprintf(out, 96, "%d-%d", age / 5 * 5, age / 5 * 5 + 4);
		break;
	}
	case SK_DIM_BACKGROUND:
		snprintf(out, 96, "%s",
			 sqlite3_column_type(st, 11) == SQLITE_NULL ? "unknown"
			 : sqlite3_column_int(st, 11)		  ? "former-intern"
								  : "other");
		break;
	case SK_DIM_EXPERIENCE: {
		if (sqlite3_column_type(st, 12) == SQLITE_NULL) {
			snprintf(out, 96, "unknown");
			break;
		}
		int m = sqlite3_column_int(st, 12);
		snprintf(out, 96, "%s", m <= 0 ? "0" : m < 12 ? "1-11" : m < 36 ? "12-35" : "36-");
		break;
	}
	case SK_DIM_JAPANESE:
		s = (const char *)sqlite3_column_text(st, 13);
		snprintf(out, 96, "%s", s && *s ? s : "unknown");
		break;
	default: snprintf(out, 96, "?");
	}
}

/* ---- population report ---- */

static const char sql_people[] =
	"SELECT r.id, s.code, s.exam_date, t.code, t.category_ja, t.level, c.nationality, c.residence_country,"
	" c.residence_region, c.gender, c.date_of_birth, c.former_intern, c.mfg_experience_months,"
	" c.japanese_level, coalesce(res.outcome, 'pending')"
	" FROM registration r JOIN sitting s ON s.id = r.sitting_id JOIN test t ON t.id = r.test_id"
	" JOIN candidate c ON c.id = r.candidate_id LEFT JOIN result res ON res.registration_id = r.id"
	" WHERE r.status = 'registered' AND (?1 IS NULL OR s.code = ?1) AND (?2 IS NULL OR s.exam_date >= ?2)"
	" AND (?3 IS NULL OR s.exam_date <= ?3) AND (?4 IS NULL OR t.code = ?4)"
	" ORDER BY r.id";
static const char sql_people_sections[] =
	"SELECT rs.registration_id, ts.code, ts.position, rs.points, rs.max_points"
	" FROM result_section rs JOIN test_section ts ON ts.id = rs.section_id"
	" JOIN result res ON res.registration_id = rs.registration_id"
	" JOIN registration r ON r.id = rs.registration_id JOIN sitting s ON s.id = r.sitting_id"
	" JOIN test t ON t.id = r.test_id"
	" WHERE r.status = 'registered' AND (res.outcome = 'pass' OR res.outcome = 'fail')"
	" AND (?1 IS NULL OR s.code = ?1) AND (?2 IS NULL OR s.exam_date >= ?2)"
	" AND (?3 IS NULL OR s.exam_date <= ?3) AND (?4 IS NULL OR t.code = ?4)"
	" ORDER BY rs.registration_id, ts.position";

enum { O_PASS, O_FAIL, O_ABSENT, O_DISQ, O_PENDING };

struct person {
	int64_t id;
	char *key;                  /* dimension values joined by \x1f */
	int outcome;
	size_t first, nsec;         /* its rows in the score array */
};

struct score_row {
	int64_t id;
	int section;                /* index into the table's sections */
	double percent;
};

struct moments {
	size_t n;
	double sum, sumsq;
};

static void bind_selection(sqlite3_stmt *st, const struct sk_stats_selection *sel)
{
	sk_bind_text_or_null(st, 1, sel->sitting);
	sk_bind_text_or_null(st, 2, sel->from);
	sk_bind_text_or_null(st, 3, sel->to);
	sk_bind_text_or_null(st, 4, sel->test);
}

static int outcome_index(const char *s)
{
	static const char *const names[] = { "pass", "fail", "absent", "disqualified" };
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i]))
			return i;
	return O_PENDING;
}

static int by_key(const void *a, const void *b)
{
	const struct person *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Add one person to a cell (its section sums in m). */
static void count_person(struct sk_stats_cell *c, struct moments *m, const struct person *p,
			 const struct score_row *scores)
{
	c->candidates++;
	switch (p->outcome) {
	case O_PASS: c->present++; c->passed++; break;
	case O_FAIL: c->present++; break;
	case O_DISQ: c->present++; c->disqualified++; break;
	case O_ABSENT: c->absent++; break;
	default: c->pending++;
	}
	for (size_t i = 0; i < p->nsec; i++) {
		const struct score_row *s = &scores[p->first + i];
		m[s->section].n++;
		m[s->section].sum += s->percent;
		m[s->section].sumsq += s->percent * s->percent;
	}
}

static void close_cell(struct sk_stats_cell *c, const struct moments *m, int nsec, int min_cell)
{
	c->pass_rate = c->present ? (double)c->passed / (double)c->present : NAN;
	c->results_hidden = c->present < (size_t)min_cell;
	for (int s = 0; s < nsec; s++) {
		c->sections[s].n = m[s].n;
		c->sections[s].mean = m[s].n ? m[s].sum / (double)m[s].n : NAN;
		c->sections[s].sd = sd_of((double)m[s].n, m[s].sum, m[s].sumsq);
	}
	/* (nobody at all singles nobody out) */
	if (c->candidates && c->candidates < (size_t)min_cell)
		c->suppressed = SK_CELL_SMALL;
}

static int by_size(const void *a, const void *b)
{
	const struct sk_stats_cell *x = *(const struct sk_stats_cell *const *)a;
	const struct sk_stats_cell *y = *(const struct sk_stats_cell *const *)b;
	return (x->candidates > y->candidates) - (x->candidates < y->candidates);
}

/* Secondary suppression: the suppressed cells together hold nobody or at
 * least min_cell candidates, so the total cannot give one of them away. */
static int suppress_complements(struct sk_stats_table *t)
{
	struct sk_stats_cell **order = malloc((t->ncells ? t->ncells : 1) * sizeof(*order));
	if (!order)
		return SK_ENOMEM;
	size_t hidden = 0;
	for (size_t i = 0; i < t->ncells; i++) {
		order[i] = &t->cells[i];
		if (t->cells[i].suppressed)
			hidden += t->cells[i].candidates;
	}
	if (t->ncells)
		qsort(order, t->ncells, sizeof(*order), by_size);
	for (size_t i = 0; i < t->ncells && hidden > 0 && hidden < (size_t)t->min_cell; i++) {
		if (order[i]->suppressed)
			continue;
		order[i]->suppressed = SK_CELL_COMPLEMENT;
		hidden += order[i]->candidates;
	}
	free(order);
	return 0;
}

void sk_stats_table_release(struct sk_stats_table *t)
{
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

int sk_stats_results(struct sk_db *db, const struct sk_stats_selection *sel, const enum sk_stats_dim *dims,
		     int ndims, int min_cell, struct sk_stats_table *out)
{
	memset(out, 0, sizeof(*out));
	if (ndims < 0 || ndims > SK_STATS_MAX_DIMS || min_cell < 1)
		return sk_db_fail(db, SK_EINVAL, "bad dimensions or smallest cell");
	for (int i = 0; i < ndims; i++) {
		if (dims[i] < 0 || dims[i] >= SK_DIM_COUNT)
			return sk_db_fail(db, SK_EINVAL, "unknown dimension");
		for (int j = 0; j < i; j++)
			if (dims[i] == dims[j])
				return sk_db_fail(db, SK_EINVAL, "dimension '%s' is given twice", dim_names[dims[i]]);
	}
	int rc = check_selection(db, sel);
	if (rc)
		return rc;
	out->ndims = ndims;
	if (ndims)
		memcpy(out->dims, dims, (size_t)ndims * sizeof(*dims));
	out->min_cell = min_cell;

	struct person *people = NULL;
	struct score_row *scores = NULL;
	struct moments *m = NULL;
	size_t npeople = 0, apeople = 0, nscores = 0, ascores = 0;
	int secpos[SK_STATS_MAX_SECTIONS];
	struct sk_buf key = SK_BUF_INIT;

	/* Section scores first (sorted by registration), then the people. */
	sqlite3_stmt *st = sk_db_stmt(db, sql_people_sections);
	if (!st) {
		rc = db->err;
		goto done;
	}
	bind_selection(st, sel);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 1);
		int pos = sqlite3_column_int(st, 2), s;
		for (s = 0; s < out->nsections && strcmp(out->sections[s], code); s++)
			;
		if (s == out->nsections) {
			if (s == SK_STATS_MAX_SECTIONS) {
				rc = sk_db_fail(db, SK_ERANGE, "more than %d different sections", SK_STATS_MAX_SECTIONS);
				break;
			}
			snprintf(out->sections[s], sizeof(out->sections[s]), "%s", code);
			secpos[s] = pos;
			out->nsections++;
		}
		if (nscores == ascores) {
			ascores = ascores ? ascores * 2 : 1024;
			struct score_row *p = realloc(scores, ascores * sizeof(*p));
			if (!p) {
				rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
				break;
			}
			scores = p;
		}
		struct score_row *r = &scores[nscores++];
		r->id = sqlite3_column_int64(st, 0);
		r->section = s;
		int max = sqlite3_column_int(st, 4);
		r->percent = max > 0 ? 100.0 * sqlite3_column_int(st, 3) / max : 0;
	}
	sqlite3_reset(st);
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading section scores");
	if (rc)
		goto done;

	if (!(st = sk_db_stmt(db, sql_people))) {
		rc = db->err;
		goto done;
	}
	bind_selection(st, sel);
	size_t si = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (npeople == apeople) {
			apeople = apeople ? apeople * 2 : 1024;
			struct person *p = realloc(people, apeople * sizeof(*p));
			if (!p) {
				rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
				break;
			}
			people = p;
		}
		struct person *p = &people[npeople];
		p->id = sqlite3_column_int64(st, 0);
		p->outcome = outcome_index((const char *)sqlite3_column_text(st, 14));
		sk_buf_reset(&key);
		for (int d = 0; d < ndims; d++) {
			char v[96];
			dim_value(v, dims[d], st);
			if (d)
				sk_buf_addch(&key, '\x1f');
			sk_buf_adds(&key, v);
		}
		if (sk_buf_failed(&key) || !(p->key = strdup(key.buf))) {
			rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
			break;
		}
		/* Both lists are in registration order: walk them together. */
		while (si < nscores && scores[si].id < p->id)
			si++;
		p->first = si;
		while (si < nscores && scores[si].id == p->id)
			si++;
		p->nsec = si - p->first;
		npeople++;
	}
	sqlite3_reset(st);
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading registrations");
	if (rc)
		goto done;

	/* Sections in test order (position, then code). */
	int order[SK_STATS_MAX_SECTIONS], remap[SK_STATS_MAX_SECTIONS];
	for (int s = 0; s < out->nsections; s++)
		order[s] = s;
	for (int a = 1; a < out->nsections; a++)
		for (int b = a; b > 0; b--) {
			int x = order[b - 1], y = order[b];
			if (secpos[x] < secpos[y] || (secpos[x] == secpos[y] && strcmp(out->sections[x], out->sections[y]) <= 0))
				break;
			order[b - 1] = y;
			order[b] = x;
		}
	char names[SK_STATS_MAX_SECTIONS][32];
	for (int s = 0; s < out->nsections; s++) {
		remap[order[s]] = s;
		memcpy(names[s], out->sections[order[s]], sizeof(names[s]));
	}
	memcpy(out->sections, names, sizeof(names));
	for (size_t i = 0; i < nscores; i++)
		scores[i].section = remap[scores[i].section];

	if (npeople)
		qsort(people, npeople, sizeof(*people), by_key);
	size_t ncells = 0;
	for (size_t i = 0; i < npeople; i++)
		if (!i || strcmp(people[i].key, people[i - 1].key))
			ncells++;
	out->cells = calloc(ncells ? ncells : 1, sizeof(*out->cells));
	m = calloc((size_t)SK_STATS_MAX_SECTIONS * 2, sizeof(*m));
	if (!out->cells || !m) {
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
		goto done;
	}
	struct moments *mt = m + SK_STATS_MAX_SECTIONS;
	struct sk_stats_cell *c = NULL;
	for (size_t i = 0; i < npeople; i++) {
		if (!i || strcmp(people[i].key, people[i - 1].key)) {
			if (c)
				close_cell(c, m, out->nsections, min_cell);
			c = &out->cells[out->ncells++];
			memset(m, 0, SK_STATS_MAX_SECTIONS * sizeof(*m));
			const char *v = people[i].key;
			for (int d = 0; d < ndims; d++) {
				const char *end = strchr(v, '\x1f');
				size_t len = end ? (size_t)(end - v) : strlen(v);
				snprintf(c->values[d], sizeof(c->values[d]), "%.*s", (int)len, v);
				v = end ? end + 1 : v + len;
			}
		}
		count_person(c, m, &people[i], scores);
		count_person(&out->total, mt, &people[i], scores);
	}
	if (c)
		close_cell(c, m, out->nsections, min_cell);
	close_cell(&out->total, mt, out->nsections, min_cell);
	if (suppress_complements(out))
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
done:
	for (size_t i = 0; i < npeople; i++)
		free(people[i].key);
	free(people);
	free(scores);
	free(m);
	sk_buf_release(&key);
	if (rc)
		sk_stats_table_release(out);
	return rc;
}

/* ---- score distributions ---- */

static const char sql_histogram[] =
	"SELECT t.code, ts.code, ts.name_ja, ts.name_en, ts.pass_percent, rs.max_points, rs.points, count(*)"
	" FROM result_section rs JOIN test_section ts ON ts.id = rs.section_id"
	" JOIN result res ON res.registration_id = rs.registration_id"
	" JOIN registration r ON r.id = rs.registration_id JOIN sitting s ON s.id = r.sitting_id"
	" JOIN test t ON t.id = r.test_id"
	" WHERE r.status = 'registered' AND (res.outcome = 'pass' OR res.outcome = 'fail')"
	" AND (?1 IS NULL OR s.code = ?1) AND (?2 IS NULL OR s.exam_date >= ?2)"
	" AND (?3 IS NULL OR s.exam_date <= ?3) AND (?4 IS NULL OR t.code = ?4)"
	" GROUP BY t.id, ts.id, rs.max_points, rs.points"
	" ORDER BY t.level, t.code, ts.position, rs.max_points, rs.points";

void sk_stats_histograms_free(struct sk_stats_histogram *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++)
		free(h[i].count);
	free(h);
}

struct hist_row {
	char test[16], section[32], name_ja[64], name_en[64];
	int pass_percent, max_points, points;
	size_t count;
};

int sk_stats_histograms(struct sk_db *db, const struct sk_stats_selection *sel, struct sk_stats_histogram **out,
			size_t *n)
{
	*out = NULL;
	*n = 0;
	int rc = check_selection(db, sel);
	if (rc)
		return rc;
	sqlite3_stmt *st = sk_db_stmt(db, sql_histogram);
	if (!st)
		return db->err;
	bind_selection(st, sel);
	struct hist_row *rows = NULL;
	size_t nrows = 0, arows = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (nrows == arows) {
			arows = arows ? arows * 2 : 64;
			struct hist_row *p = realloc(rows, arows * sizeof(*p));
			if (!p) {
				rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
				break;
			}
			rows = p;
		}
		struct hist_row *r = &rows[nrows++];
		copy_col(r->test, sizeof(r->test), st, 0);
		copy_col(r->section, sizeof(r->section), st, 1);
		copy_col(r->name_ja, sizeof(r->name_ja), st, 2);
		copy_col(r->name_en, sizeof(r->name_en), st, 3);
		r->pass_percent = sqlite3_column_int(st, 4);
		r->max_points = sqlite3_column_int(st, 5);
		r->points = sqlite3_column_int(st, 6);
		r->count = (size_t)sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading section scores");
	struct sk_stats_histogram *h = NULL;
	size_t nh = 0;
	if (!rc && nrows && !(h = calloc(nrows, sizeof(*h))))
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	/* Rows come by test, section, maximum, points: one histogram per
	 * section, at the maximum most of its candidates had. */
	for (size_t i = 0; !rc && i < nrows;) {
		size_t j = i, best_n = 0;
		int best_max = 0;
		while (j < nrows && !strcmp(rows[j].test, rows[i].test) && !strcmp(rows[j].section, rows[i].section)) {
			size_t k = j, total = 0;
			while (k < nrows && !strcmp(rows[k].test, rows[j].test) && !strcmp(rows[k].section, rows[j].section) &&
			       rows[k].max_points == rows[j].max_points)
				total += rows[k++].count;
			if (total > best_n) {
				best_n = total;
				best_max = rows[j].max_points;
			}
			j = k;
		}
		struct sk_stats_histogram *o = &h[nh++];
		snprintf(o->test, sizeof(o->test), "%s", rows[i].test);
		snprintf(o->section, sizeof(o->section), "%s", rows[i].section);
		snprintf(o->name_ja, sizeof(o->name_ja), "%s", rows[i].name_ja);
		snprintf(o->name_en, sizeof(o->name_en), "%s", rows[i].name_en);
		o->pass_percent = rows[i].pass_percent;
		o->max_points = best_max > 0 ? best_max : 0;
		if (!(o->count = calloc((size_t)o->max_points + 1, sizeof(size_t)))) {
			rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
			break;
		}
		for (size_t k = i; k < j; k++)
			if (rows[k].max_points == best_max && rows[k].points >= 0 && rows[k].points <= o->max_points) {
				o->count[rows[k].points] += rows[k].count;
				o->n += rows[k].count;
			}
		i = j;
	}
	free(rows);
	if (rc) {
		sk_stats_histograms_free(h, nh);
		return rc;
	}
	*out = h;
	*n = nh;
	return 0;
}

/* ---- item analysis ---- */

#define CATS 8 /* options A-E, blank, several marks, all who had it */
enum { CAT_OMIT = 5, CAT_MULTI = 6, CAT_ALL = 7 };

struct item_acc {
	int64_t version_id;
	char item[40];
	int version;
	int section;              /* index of the section in the sheet (order) */
	char section_code[32];
	int tf, noptions;
	unsigned accepted;
	int64_t n, sx, ss, sss, sxs; /* sums: x (item), S (section score), S^2, x*S */
	size_t options[SK_ITEM_MAX_OPTIONS], omit, multiple;
	/* by section score: counts per category */
	size_t (*by_score)[CATS];
	int nscores;
	/* its points per form it is on (an anchor is on several) */
	struct form_sum {
		int form;            /* index into forms */
		int64_t sx;
	} *per_form;
	int nper_form;
};

struct form_acc {
	int64_t form_id;
	char form[32];
	char section[32];
	int section_index;
	int nitems;
	int64_t n, ss, sss;
};

struct equiv_acc {
	char sitting[40];
	char exam_date[11];
	char section[32];
	int section_index;
	int64_t form_id;
	char form[32];
	int64_t n, ss, sss;
};

struct sk_item_acc {
	struct item_acc *items;
	size_t nitems, aitems;
	int32_t *slot;            /* open addressing: version id -> index + 1 */
	size_t cap;
	struct form_acc *forms;
	size_t nforms, aforms;
	struct equiv_acc *eq;
	size_t neq, aeq;
	size_t sheets;
};

struct sk_item_acc *sk_item_acc_new(void)
{
	return calloc(1, sizeof(struct sk_item_acc));
}

void sk_item_acc_free(struct sk_item_acc *acc)
{
	if (!acc)
		return;
	for (size_t i = 0; i < acc->nitems; i++) {
		free(acc->items[i].by_score);
		free(acc->items[i].per_form);
	}
	free(acc->items);
	free(acc->slot);
	free(acc->forms);
	free(acc->eq);
	free(acc);
}

static size_t hash_id(int64_t id, size_t cap)
{
	uint64_t z = (uint64_t)id * 0x9e3779b97f4a7c15u;
	z ^= z >> 29;
	return (size_t)z & (cap - 1);
}

static struct item_acc *item_slot(struct sk_item_acc *acc, int64_t version_id)
{
	if (acc->cap) {
		for (size_t k = hash_id(version_id, acc->cap);; k = (k + 1) & (acc->cap - 1)) {
			int32_t v = acc->slot[k];
			if (!v)
				break;
			if (acc->items[v - 1].version_id == version_id)
				return &acc->items[v - 1];
		}
	}
	if (2 * (acc->nitems + 1) > acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 256;
		int32_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return NULL;
		for (size_t i = 0; i < acc->nitems; i++) {
			size_t k = hash_id(acc->items[i].version_id, cap);
			while (t[k])
				k = (k + 1) & (cap - 1);
			t[k] = (int32_t)(i + 1);
		}
		free(acc->slot);
		acc->slot = t;
		acc->cap = cap;
	}
	if (acc->nitems == acc->aitems) {
		size_t a = acc->aitems ? acc->aitems * 2 : 64;
		struct item_acc *p = realloc(acc->items, a * sizeof(*p));
		if (!p)
			return NULL;
		acc->items = p;
		acc->aitems = a;
	}
	struct item_acc *it = &acc->items[acc->nitems];
	memset(it, 0, sizeof(*it));
	it->version_id = version_id;
	size_t k = hash_id(version_id, acc->cap);
	while (acc->slot[k])
		k = (k + 1) & (acc->cap - 1);
	acc->slot[k] = (int32_t)++acc->nitems;
	return it;
}

static struct form_acc *form_slot(struct sk_item_acc *acc, const struct sk_sheet *sh, int s)
{
	for (size_t i = acc->nforms; i-- > 0;)
		if (acc->forms[i].form_id == sh->form_id && acc->forms[i].section_index == s &&
		    !strcmp(acc->forms[i].section, sh->sections[s].code))
			return &acc->forms[i];
	if (acc->nforms == acc->aforms) {
		size_t a = acc->aforms ? acc->aforms * 2 : 16;
		struct form_acc *p = realloc(acc->forms, a * sizeof(*p));
		if (!p)
			return NULL;
		acc->forms = p;
		acc->aforms = a;
	}
	struct form_acc *f = &acc->forms[acc->nforms];
	memset(f, 0, sizeof(*f));
	f->form_id = sh->form_id;
	snprintf(f->form, sizeof(f->form), "%s", sh->form);
	snprintf(f->section, sizeof(f->section), "%s", sh->sections[s].code);
	f->section_index = s;
	f->nitems = sh->sections[s].max_points;
	acc->nforms++;
	return f;
}

static struct equiv_acc *equiv_slot(struct sk_item_acc *acc, const struct sk_sheet *sh, int s)
{
	for (size_t i = acc->neq; i-- > 0;) {
		struct equiv_acc *e = &acc->eq[i];
		if (e->form_id == sh->form_id && e->section_index == s && !strcmp(e->sitting, sh->sitting) &&
		    !strcmp(e->section, sh->sections[s].code))
			return e;
	}
	if (acc->neq == acc->aeq) {
		size_t a = acc->aeq ? acc->aeq * 2 : 16;
		struct equiv_acc *p = realloc(acc->eq, a * sizeof(*p));
		if (!p)
			return NULL;
		acc->eq = p;
		acc->aeq = a;
	}
	struct equiv_acc *e = &acc->eq[acc->neq++];
	memset(e, 0, sizeof(*e));
	snprintf(e->sitting, sizeof(e->sitting), "%s", sh->sitting);
	snprintf(e->exam_date, sizeof(e->exam_date), "%s", sh->exam_date);
	snprintf(e->form, sizeof(e->form), "%s", sh->form);
	snprintf(e->section, sizeof(e->section), "%s", sh->sections[s].code);
	e->section_index = s;
	e->form_id = sh->form_id;
	return e;
}

int sk_item_acc_add(struct sk_item_acc *acc, const struct sk_sheet *sh)
{
	int form[8];
	int64_t score[8];
	for (int s = 0; s < sh->nsections && s < 8; s++) {
		score[s] = sh->sections[s].points;
		struct form_acc *f = form_slot(acc, sh, s);
		struct equiv_acc *e = f ? equiv_slot(acc, sh, s) : NULL;
		if (!f || !e)
			return SK_ENOMEM;
		form[s] = (int)(f - acc->forms);
		f->n++;
		f->ss += score[s];
		f->sss += score[s] * score[s];
		e->n++;
		e->ss += score[s];
		e->sss += score[s] * score[s];
	}
	for (int p = 0; p < sh->npositions; p++) {
		const struct sk_sheet_answer *a = &sh->answers[p];
		int s = a->section;
		if (s < 0 || s >= sh->nsections || s >= 8)
			continue;
		struct item_acc *it = item_slot(acc, a->item_version_id);
		if (!it)
			return SK_ENOMEM;
		if (!it->n) {
			it->section = s;
			snprintf(it->section_code, sizeof(it->section_code), "%s", sh->sections[s].code);
			it->tf = a->tf;
			it->noptions = a->noptions;
			it->accepted = a->accepted;
		}
		int64_t sc = score[s];
		if (sc >= it->nscores) {
			int n = (int)sc + 1;
			size_t (*q)[CATS] = realloc(it->by_score, (size_t)n * sizeof(*q));
			if (!q)
				return SK_ENOMEM;
			memset(q + it->nscores, 0, (size_t)(n - it->nscores) * sizeof(*q));
			it->by_score = q;
			it->nscores = n;
		}
		int x = a->point;
		it->n++;
		it->sx += x;
		it->ss += sc;
		it->sss += sc * sc;
		it->sxs += x * sc;
		int cat;
		if (!a->mark)
			cat = CAT_OMIT;
		else if (!a->single || !(a->canonical & 0x1f))
			cat = CAT_MULTI;
		else
			for (cat = 0; cat < SK_ITEM_MAX_OPTIONS - 1 && !((a->canonical >> cat) & 1); cat++)
				;
		if (cat == CAT_OMIT)
			it->omit++;
		else if (cat == CAT_MULTI)
			it->multiple++;
		else
			it->options[cat]++;
		it->by_score[sc][cat]++;
		it->by_score[sc][CAT_ALL]++;
		int k = 0;
		while (k < it->nper_form && it->per_form[k].form != form[s])
			k++;
		if (k == it->nper_form) {
			struct form_sum *q = realloc(it->per_form, (size_t)(k + 1) * sizeof(*q));
			if (!q)
				return SK_ENOMEM;
			it->per_form = q;
			q[k].form = form[s];
			q[k].sx = 0;
			it->nper_form++;
		}
		it->per_form[k].sx += x;
	}
	acc->sheets++;
	return 0;
}

int sk_item_acc_name(struct sk_item_acc *acc, int64_t item_version_id, const char *item, int version)
{
	for (size_t i = 0; i < acc->nitems; i++)
		if (acc->items[i].version_id == item_version_id) {
			snprintf(acc->items[i].item, sizeof(acc->items[i].item), "%s", item);
			acc->items[i].version = version;
			return 0;
		}
	return SK_ENOTFOUND;
}

void sk_item_analysis_release(struct sk_item_analysis *a)
{
	free(a->items);
	free(a->forms);
	free(a->equiv);
	memset(a, 0, sizeof(*a));
}

/* Pearson correlation from exact integer sums; NAN without variance. */
static double correlation(int64_t n, int64_t sx, int64_t sxx, int64_t sy, int64_t syy, int64_t sxy)
{
	double vx = (double)(n * sxx - sx * sx), vy = (double)(n * syy - sy * sy);
	if (n < 2 || vx <= 0 || vy <= 0)
		return NAN;
	return (double)(n * sxy - sx * sy) / sqrt(vx * vy);
}

static void finish_item(const struct item_acc *a, struct sk_item_stat *o)
{
	memset(o, 0, sizeof(*o));
	o->item_version_id = a->version_id;
	snprintf(o->item, sizeof(o->item), "%s", a->item);
	o->version = a->version;
	snprintf(o->section, sizeof(o->section), "%s", a->section_code);
	o->section_order = a->section;
	o->tf = a->tf;
	o->noptions = a->noptions;
	o->accepted = a->accepted;
	o->n = (size_t)a->n;
	o->p = a->n ? (double)a->sx / (double)a->n : NAN;
	/* rest y = S - x, with x in {0, 1} so x^2 = x */
	int64_t sy = a->ss - a->sx, syy = a->sss - 2 * a->sxs + a->sx, sxy = a->sxs - a->sx;
	o->r_rest = correlation(a->n, a->sx, a->sx, sy, syy, sxy);
	memcpy(o->options, a->options, sizeof(o->options));
	o->omit = a->omit;
	o->multiple = a->multiple;
	o->omit_rate = a->n ? (double)a->omit / (double)a->n : NAN;
	/* The upper group: the highest section scores until 27 % are in,
	 * everyone on the boundary score included. */
	size_t want = (size_t)ceil(SK_ITEM_UPPER_SHARE * (double)a->n);
	for (int s = a->nscores - 1; s >= 0 && o->upper_n < want; s--) {
		o->upper_n += a->by_score[s][CAT_ALL];
		for (int k = 0; k < SK_ITEM_MAX_OPTIONS; k++)
			o->upper_options[k] += a->by_score[s][k];
	}
	o->distractor = -1;
	if (o->n) {
		if (o->p < 0.20)
			o->flags |= SK_ITEM_HARD;
		if (o->p > 0.95)
			o->flags |= SK_ITEM_EASY;
		if (!isnan(o->r_rest) && o->r_rest < 0)
			o->flags |= SK_ITEM_NEGATIVE;
		else if (!isnan(o->r_rest) && o->r_rest < 0.20)
			o->flags |= SK_ITEM_LOW_DISC;
		size_t key = 0, best = 0;
		for (int k = 0; k < o->noptions && k < SK_ITEM_MAX_OPTIONS; k++)
			if ((o->accepted >> k) & 1)
				key += o->upper_options[k];
		for (int k = 0; k < o->noptions && k < SK_ITEM_MAX_OPTIONS; k++)
			if (!((o->accepted >> k) & 1) && o->upper_options[k] > key && o->upper_options[k] > best) {
				best = o->upper_options[k];
				o->distractor = k;
			}
		if (o->distractor >= 0)
			o->flags |= SK_ITEM_DISTRACTOR;
	}
}

static int by_item(const void *a, const void *b)
{
	const struct sk_item_stat *x = a, *y = b;
	if (x->section_order != y->section_order)
		return x->section_order - y->section_order;
	int c = strcmp(x->section, y->section);
	if (c || (c = strcmp(x->item, y->item)))
		return c;
	if (x->version != y->version)
		return x->version - y->version;
	return (x->item_version_id > y->item_version_id) - (x->item_version_id < y->item_version_id);
}

static int by_form(const void *a, const void *b)
{
	const struct sk_form_stat *x = a, *y = b;
	int c = strcmp(x->form, y->form);
	return c ? c : strcmp(x->section, y->section);
}

static int by_sitting_section(const void *a, const void *b)
{
	const struct equiv_acc *x = a, *y = b;
	int c = strcmp(x->exam_date, y->exam_date);
	if (c || (c = strcmp(x->sitting, y->sitting)))
		return c;
	if (x->section_index != y->section_index)
		return x->section_index - y->section_index;
	if ((c = strcmp(x->section, y->section)))
		return c;
	return strcmp(x->form, y->form);
}

int sk_item_acc_finish(struct sk_item_acc *acc, struct sk_item_analysis *out)
{
	memset(out, 0, sizeof(*out));
	out->sheets = acc->sheets;
	out->items = calloc(acc->nitems ? acc->nitems : 1, sizeof(*out->items));
	out->forms = calloc(acc->nforms ? acc->nforms : 1, sizeof(*out->forms));
	out->equiv = calloc(acc->neq ? acc->neq : 1, sizeof(*out->equiv));
	if (!out->items || !out->forms || !out->equiv) {
		sk_item_analysis_release(out);
		return SK_ENOMEM;
	}
	for (size_t i = 0; i < acc->nitems; i++)
		finish_item(&acc->items[i], &out->items[out->nitems++]);
	if (out->nitems)
		qsort(out->items, out->nitems, sizeof(*out->items), by_item);

	for (size_t i = 0; i < acc->nforms; i++) {
		const struct form_acc *f = &acc->forms[i];
		struct sk_form_stat *o = &out->forms[out->nforms++];
		snprintf(o->form, sizeof(o->form), "%s", f->form);
		snprintf(o->section, sizeof(o->section), "%s", f->section);
		o->nitems = f->nitems;
		o->n = (size_t)f->n;
		double n = (double)f->n;
		o->mean = f->n ? (double)f->ss / n : NAN;
		o->sd = sd_of(n, (double)f->ss, (double)f->sss);
		o->kr20 = o->sem = NAN;
		double var = f->n ? (double)(f->n * f->sss - f->ss * f->ss) / (n * n) : 0;
		if (f->n >= 2 && f->nitems >= 2 && var > 0) {
			double spq = 0;
			for (size_t k = 0; k < acc->nitems; k++)
				for (int j = 0; j < acc->items[k].nper_form; j++)
					if (acc->items[k].per_form[j].form == (int)i) {
						double p = (double)acc->items[k].per_form[j].sx / n;
						spq += p * (1 - p);
					}
			double k = f->nitems;
			o->kr20 = k / (k - 1) * (1 - spq / var);
			o->sem = o->sd * sqrt(1 - o->kr20);
		}
	}
	if (out->nforms)
		qsort(out->forms, out->nforms, sizeof(*out->forms), by_form);

	/* Equivalence: each form against the rest of its sitting's section. */
	if (acc->neq)
		qsort(acc->eq, acc->neq, sizeof(*acc->eq), by_sitting_section);
	for (size_t i = 0; i < acc->neq;) {
		size_t j = i;
		int64_t n = 0, ss = 0, sss = 0;
		while (j < acc->neq && !strcmp(acc->eq[j].sitting, acc->eq[i].sitting) &&
		       !strcmp(acc->eq[j].section, acc->eq[i].section)) {
			n += acc->eq[j].n;
			ss += acc->eq[j].ss;
			sss += acc->eq[j].sss;
			j++;
		}
		int m = (int)(j - i);
		if (m >= 2) {
			double zc = sk_stats_normal_quantile(1 - 0.05 / (2.0 * m));
			for (size_t k = i; k < j; k++) {
				const struct equiv_acc *e = &acc->eq[k];
				struct sk_form_equiv *o = &out->equiv[out->nequiv++];
				snprintf(o->sitting, sizeof(o->sitting), "%s", e->sitting);
				snprintf(o->section, sizeof(o->section), "%s", e->section);
				snprintf(o->form, sizeof(o->form), "%s", e->form);
				o->nforms = m;
				o->n = (size_t)e->n;
				o->others_n = (size_t)(n - e->n);
				o->mean = e->n ? (double)e->ss / (double)e->n : NAN;
				o->sd = sd_of((double)e->n, (double)e->ss, (double)e->sss);
				int64_t on = n - e->n, os = ss - e->ss, oss = sss - e->sss;
				o->others_mean = on ? (double)os / (double)on : NAN;
				o->others_sd = sd_of((double)on, (double)os, (double)oss);
				o->z_crit = zc;
				o->diff = o->mean - o->others_mean;
				o->se = o->z = NAN;
				if (e->n >= 2 && on >= 2) {
					o->se = sqrt(o->sd * o->sd / (double)e->n + o->others_sd * o->others_sd / (double)on);
					o->z = o->se > 0 ? o->diff / o->se : NAN;
					o->differs = !isnan(o->z) && fabs(o->z) >= zc;
				}
			}
		}
		i = j;
	}
	return 0;
}

static int add_sheet(void *payload, const struct sk_sheet *sh)
{
	return sk_item_acc_add(payload, sh);
}

int sk_stats_items(struct sk_db *db, const struct sk_stats_selection *sel, struct sk_item_analysis *out)
{
	memset(out, 0, sizeof(*out));
	if (!sel->test)
		return sk_db_fail(db, SK_EINVAL, "item analysis needs a test");
	int rc = check_selection(db, sel);
	if (rc)
		return rc;
	struct sk_item_acc *acc = sk_item_acc_new();
	if (!acc)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	struct sk_sheet_filter f = { .sitting = sel->sitting, .test = sel->test, .from = sel->from, .to = sel->to,
				     .graded_only = 1 };
	struct sk_sheet_counts counts;
	rc = sk_grade_foreach_sheet(db, &f, add_sheet, acc, &counts);
	if (rc == SK_ENOMEM)
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < acc->nitems; i++) {
		struct sk_item it;
		if ((rc = sk_item_get_version(db, acc->items[i].version_id, 0, &it)))
			break;
		snprintf(acc->items[i].item, sizeof(acc->items[i].item), "%s", it.code);
		acc->items[i].version = it.version;
		sk_item_release(&it);
	}
	if (!rc && (rc = sk_item_acc_finish(acc, out)))
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	sk_item_acc_free(acc);
	if (rc)
		return rc;
	snprintf(out->test, sizeof(out->test), "%s", sel->test);
	out->sittings = counts.sittings;
	out->skipped = counts.skipped;
	return 0;
}
