/*
 * Blueprints and the assembly of parallel forms.
 *
 * Assembly, per test: the blueprint's rows (section, cell, band, count) are
 * filled from the approved items of that cell and band. Anchors are shared
 * by every form and taken first, from the rows with most to spare. Then, in
 * an order shuffled by a stream seeded from the build seed, each form takes
 * its remaining items row by row, round-robin across forms, skipping items
 * whose enemy group is already on that form. A dead end restarts with the
 * next shuffle. Last, forms are balanced: the hardest and easiest forms swap
 * items of the same row (or trade with the unused pool) while that narrows
 * the spread of mean difficulty, until it is within the tolerance.
 */
#include "exam/form.h"
#include "core/audit.h"
#include "core/bank.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/db.h"
#include "core/error.h"
#include "core/testdef.h"
#include "core/text.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

/* ---- blueprints ---- */

enum { P_TEST, P_SECTION, P_CELL, P_BAND, P_COUNT, PCOLS };
static const struct sk_csv_col bp_columns[] = {
	{ "test", "試験区分", SK_CSV_REQUIRED },
	{ "section", "科目", SK_CSV_REQUIRED },
	{ "cell", "出題分野", SK_CSV_REQUIRED },
	{ "band", "難易度帯", SK_CSV_REQUIRED },
	{ "count", "問題数", SK_CSV_REQUIRED },
};

static int cell_ok(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 32 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

int sk_blueprint_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
			struct sk_import_stats *stats, struct sk_report *rep)
{
	static const char sql_clear[] = "DELETE FROM blueprint WHERE test_id = ?1";
	static const char sql_insert[] =
		"INSERT INTO blueprint (test_id, section_id, cell, band, count) VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char sql_old[] =
		"SELECT s.code, b.cell, b.band, b.count FROM blueprint b JOIN test_section s"
		" ON s.id = b.section_id WHERE b.test_id = ?1 ORDER BY s.position, b.cell, b.band";
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct sk_rowset rs = { 0 };
	struct sk_testdef *tests = NULL;
	size_t ntests = 0;
	int col[PCOLS];
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	if ((rc = sk_csv_map(&doc, bp_columns, PCOLS, opts->ignore_unknown, col, rep)))
		goto cleanup;
	if (sk_rowset_init(&rs, doc.count) || !(tests = calloc(doc.count, sizeof(*tests)))) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	stats->rows = doc.count - 1;
	int64_t *section_of = calloc(doc.count, sizeof(int64_t));
	size_t *test_of = calloc(doc.count, sizeof(size_t));
	if (!section_of || !test_of) {
		free(section_of);
		free(test_of);
		rc = SK_ENOMEM;
		goto cleanup;
	}
	for (size_t i = 1; i < doc.count; i++) {
		const struct sk_csv_record *rec = &doc.records[i];
		if (sk_csv_check_width(&doc, rec, rep)) {
			rs.bad[i] = 1;
			continue;
		}
		const char *f[PCOLS];
		for (int k = 0; k < PCOLS; k++)
			f[k] = sk_csv_field(rec, col[k]);
		size_t t = 0;
		for (; t < ntests; t++)
			if (!strcmp(tests[t].code, f[P_TEST]))
				break;
		if (t == ntests) {
			if (sk_testdef_get(db, f[P_TEST], &tests[t])) {
				sk_db_clear_error(db);
				sk_report_add(rep, doc.name, rec->line, "test",
					      N_("no test '%s' (see 'shiken test list')"), f[P_TEST], NULL, NULL);
				rs.bad[i] = 1;
				continue;
			}
			ntests++;
		}
		test_of[i] = t;
		const struct sk_section *sec = NULL;
		for (size_t k = 0; k < tests[t].nsections; k++)
			if (!strcmp(tests[t].sections[k].code, f[P_SECTION]))
				sec = &tests[t].sections[k];
		int bad = 0;
		if (!sec) {
			sk_report_add(rep, doc.name, rec->line, "section", N_("test '%s' has no section '%s'"),
				      tests[t].code, f[P_SECTION], NULL);
			bad = 1;
		} else if (!strcmp(sec->item_kind, "scored")) {
			sk_report_add(rep, doc.name, rec->line, "section",
				      N_("section '%s' is scored by examiners and has no items"), sec->code, NULL, NULL);
			bad = 1;
		} else {
			section_of[i] = sec->id;
		}
		if (!cell_ok(f[P_CELL])) {
			sk_report_add(rep, doc.name, rec->line, "cell",
				      N_("'%s' is not a blueprint cell code (letters, digits, '-', '_')"), f[P_CELL], NULL, NULL);
			bad = 1;
		}
		if (strcmp(f[P_BAND], "easy") && strcmp(f[P_BAND], "medium") && strcmp(f[P_BAND], "hard")) {
			sk_report_add(rep, doc.name, rec->line, "band",
				      N_("'%s' is not easy (1-2), medium (3) or hard (4-5)"), f[P_BAND], NULL, NULL);
			bad = 1;
		}
		char *end = NULL;
		long n = strtol(f[P_COUNT], &end, 10);
		if (!*f[P_COUNT] || *end || n < 1 || n > 200) {
			sk_report_add(rep, doc.name, rec->line, "count",
				      N_("'%s' is not a number of items from 1 to 200"), f[P_COUNT], NULL, NULL);
			bad = 1;
		}
		for (size_t k = 1; k < i && !bad; k++) {
			if (!rs.bad[k] && section_of[k] == section_of[i] &&
			    !strcmp(sk_csv_field(&doc.records[k], col[P_CELL]), f[P_CELL]) &&
			    !strcmp(sk_csv_field(&doc.records[k], col[P_BAND]), f[P_BAND])) {
				char first[24];
				snprintf(first, sizeof(first), "%ld", doc.records[k].line);
				sk_report_add(rep, doc.name, rec->line, "cell",
					      N_("this section, cell and band appear again (first on line %s)"), first, NULL, NULL);
				bad = 1;
			}
		}
		rs.bad[i] = (unsigned char)bad;
	}
	for (size_t i = 1; i < doc.count; i++)
		stats->rejected += rs.bad[i];
	if (stats->rejected) {
		rc = SK_EINPUT;
		stats->added = 0;
		goto done;
	}
	if ((rc = sk_db_begin(db)))
		goto done;
	for (size_t t = 0; t < ntests; t++) {
		/* The old blueprint, to tell unchanged from replaced. */
		struct sk_buf before = SK_BUF_INIT, after = SK_BUF_INIT;
		sqlite3_stmt *st = sk_db_stmt(db, sql_old);
		if (!st) {
			rc = db->err;
			goto fail;
		}
		sqlite3_bind_int64(st, 1, tests[t].id);
		while (sqlite3_step(st) == SQLITE_ROW)
			sk_buf_addf(&before, "%s/%s/%s=%d ", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
				    sqlite3_column_text(st, 2), sqlite3_column_int(st, 3));
		sqlite3_reset(st);
		if (!(st = sk_db_stmt(db, sql_clear))) {
			rc = db->err;
			sk_buf_release(&before);
			goto fail;
		}
		sqlite3_bind_int64(st, 1, tests[t].id);
		sqlite3_step(st);
		sqlite3_reset(st);
		size_t rows = 0;
		for (size_t i = 1; i < doc.count; i++) {
			if (test_of[i] != t)
				continue;
			const struct sk_csv_record *rec = &doc.records[i];
			if (!(st = sk_db_stmt(db, sql_insert))) {
				rc = db->err;
				sk_buf_release(&before);
				goto fail;
			}
			sqlite3_bind_int64(st, 1, tests[t].id);
			sqlite3_bind_int64(st, 2, section_of[i]);
			sqlite3_bind_text(st, 3, sk_csv_field(rec, col[P_CELL]), -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, sk_csv_field(rec, col[P_BAND]), -1, SQLITE_STATIC);
			sqlite3_bind_int(st, 5, atoi(sk_csv_field(rec, col[P_COUNT])));
			int step = sqlite3_step(st);
			sqlite3_reset(st);
			if (step != SQLITE_DONE) {
				rc = sk_db_sqlfail(db, "storing a blueprint");
				sk_buf_release(&before);
				goto fail;
			}
			rows++;
		}
		if (!(st = sk_db_stmt(db, sql_old))) {
			rc = db->err;
			sk_buf_release(&before);
			goto fail;
		}
		sqlite3_bind_int64(st, 1, tests[t].id);
		while (sqlite3_step(st) == SQLITE_ROW)
			sk_buf_addf(&after, "%s/%s/%s=%d ", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
				    sqlite3_column_text(st, 2), sqlite3_column_int(st, 3));
		sqlite3_reset(st);
		if (!strcmp(before.buf, after.buf)) {
			stats->unchanged += rows;
		} else {
			char detail[96];
			snprintf(detail, sizeof(detail), "{\"rows\":%zu}", rows);
			if ((rc = sk_audit_append(db, "blueprint", tests[t].code, before.len ? "replace" : "create",
						  detail))) {
				sk_buf_release(&before);
				sk_buf_release(&after);
				goto fail;
			}
			if (before.len)
				stats->updated += rows;
			else
				stats->added += rows;
		}
		sk_buf_release(&before);
		sk_buf_release(&after);
	}
	if (opts->dry_run) {
		sk_db_rollback(db);
		goto done;
	}
	rc = sk_db_commit(db);
	goto done;
fail:
	sk_db_rollback(db);
done:
	free(section_of);
	free(test_of);
cleanup:
	free(tests);
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}

static const char sql_bp_rows[] =
	"SELECT s.code, b.cell, b.band, b.count, s.id FROM blueprint b"
	" JOIN test_section s ON s.id = b.section_id JOIN test t ON t.id = b.test_id"
	" WHERE t.code = ?1 ORDER BY s.position, b.cell,"
	" CASE b.band WHEN 'easy' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END";

/* ---- the pool ---- */

struct pool_item {
	int64_t version_id;
	char code[40];
	int difficulty;
	char enemy[41];
	int row;      /* blueprint row index */
	int form;     /* -1 unused, -2 anchor, else form index */
};

struct bp_row {
	char section[32], cell[40], band[8];
	int64_t section_id;
	int count, anchors;
	size_t first, n;  /* the row's items in the pool: [first, first+n) */
};

struct build {
	struct sk_db *db;
	struct bp_row *rows;
	size_t nrows;
	struct pool_item *pool;
	size_t npool;
	int nforms;
};

static void build_release(struct build *b)
{
	free(b->rows);
	free(b->pool);
	memset(b, 0, sizeof(*b));
}

struct collect {
	struct build *b;
	int failed;
};

static int collect_item(void *payload, const struct sk_item *it)
{
	struct collect *c = payload;
	struct build *b = c->b;
	if (strcmp(it->status, "approved"))
		return 0;
	const char *band = sk_difficulty_band(it->difficulty);
	int row = -1;
	for (size_t r = 0; r < b->nrows; r++)
		if (!strcmp(b->rows[r].section, it->section) && !strcmp(b->rows[r].cell, it->cell) &&
		    !strcmp(b->rows[r].band, band))
			row = (int)r;
	if (row < 0)
		return 0;
	struct pool_item *p = realloc(b->pool, (b->npool + 1) * sizeof(*p));
	if (!p) {
		c->failed = 1;
		return SK_ENOMEM;
	}
	b->pool = p;
	struct pool_item *pi = &b->pool[b->npool++];
	memset(pi, 0, sizeof(*pi));
	pi->version_id = it->version_id;
	snprintf(pi->code, sizeof(pi->code), "%s", it->code);
	pi->difficulty = it->difficulty;
	snprintf(pi->enemy, sizeof(pi->enemy), "%s", it->enemy_group ? it->enemy_group : "");
	pi->row = row;
	pi->form = -1;
	return 0;
}

static int cmp_pool(const void *a, const void *b)
{
	const struct pool_item *x = a, *y = b;
	if (x->row != y->row)
		return x->row - y->row;
	return strcmp(x->code, y->code);
}

static int load_build(struct sk_db *db, const char *test, struct build *b)
{
	memset(b, 0, sizeof(*b));
	b->db = db;
	sqlite3_stmt *st = sk_db_stmt(db, sql_bp_rows);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, test, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct bp_row *p = realloc(b->rows, (b->nrows + 1) * sizeof(*p));
		if (!p) {
			sqlite3_reset(st);
			return sk_db_fail(db, SK_ENOMEM, "out of memory");
		}
		b->rows = p;
		struct bp_row *r = &b->rows[b->nrows++];
		memset(r, 0, sizeof(*r));
		copy_col(r->section, sizeof(r->section), st, 0);
		copy_col(r->cell, sizeof(r->cell), st, 1);
		copy_col(r->band, sizeof(r->band), st, 2);
		r->count = sqlite3_column_int(st, 3);
		r->section_id = sqlite3_column_int64(st, 4);
	}
	sqlite3_reset(st);
	struct collect c = { .b = b };
	struct sk_item_filter f = { .test = test };
	int rc = sk_item_foreach(db, &f, collect_item, &c);
	if (rc)
		return c.failed ? sk_db_fail(db, SK_ENOMEM, "out of memory") : rc;
	if (b->npool)
		qsort(b->pool, b->npool, sizeof(*b->pool), cmp_pool);
	for (size_t i = 0; i < b->npool; i++) {
		struct bp_row *r = &b->rows[b->pool[i].row];
		if (r->n == 0)
			r->first = i;
		r->n++;
	}
	return 0;
}

int sk_blueprint_foreach(struct sk_db *db, const char *test,
			 int (*cb)(void *payload, const struct sk_blueprint_row *row), void *payload)
{
	struct build b;
	int rc = load_build(db, test, &b);
	for (size_t r = 0; !rc && r < b.nrows; r++) {
		struct sk_blueprint_row row;
		memset(&row, 0, sizeof(row));
		snprintf(row.section, sizeof(row.section), "%s", b.rows[r].section);
		snprintf(row.cell, sizeof(row.cell), "%s", b.rows[r].cell);
		snprintf(row.band, sizeof(row.band), "%s", b.rows[r].band);
		row.count = b.rows[r].count;
		row.available = (int)b.rows[r].n;
		rc = cb(payload, &row);
	}
	build_release(&b);
	return rc;
}

/* ---- assembly ---- */

static int enemy_on_form(const struct build *b, int form, const char *enemy, size_t except)
{
	if (!enemy[0])
		return 0;
	for (size_t i = 0; i < b->npool; i++)
		if (i != except && (b->pool[i].form == form || b->pool[i].form == -2) &&
		    !strcmp(b->pool[i].enemy, enemy))
			return 1;
	return 0;
}

static void shuffle(size_t *idx, size_t n, struct sk_draw *d)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)sk_draw_uniform(d, i);
		size_t t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
}

/* One attempt at filling every form; 0 on success, -1 on a dead end. */
static int try_assemble(struct build *b, struct sk_draw *d)
{
	for (size_t i = 0; i < b->npool; i++)
		b->pool[i].form = -1;
	size_t *order = malloc((b->npool ? b->npool : 1) * sizeof(size_t));
	if (!order)
		return -2;
	for (size_t r = 0; r < b->nrows; r++) {
		struct bp_row *row = &b->rows[r];
		for (size_t k = 0; k < row->n; k++)
			order[k] = row->first + k;
		shuffle(order, row->n, d);
		size_t next = 0;
		/* Anchors: on every form, so no enemy of theirs anywhere. */
		for (int a = 0; a < row->anchors; a++) {
			while (next < row->n && enemy_on_form(b, -2, b->pool[order[next]].enemy, order[next]))
				next++;
			if (next == row->n) {
				free(order);
				return -1;
			}
			b->pool[order[next++]].form = -2;
		}
		for (int slot = 0; slot < row->count - row->anchors; slot++) {
			for (int f = 0; f < b->nforms; f++) {
				size_t k = next;
				for (; k < row->n; k++) {
					struct pool_item *pi = &b->pool[order[k]];
					if (pi->form == -1 && !enemy_on_form(b, f, pi->enemy, order[k]))
						break;
				}
				if (k == row->n) {
					free(order);
					return -1;
				}
				b->pool[order[k]].form = f;
				/* Keep the taken ones at the front. */
				size_t t = order[k];
				memmove(&order[next + 1], &order[next], (k - next) * sizeof(size_t));
				order[next++] = t;
			}
		}
	}
	free(order);
	return 0;
}

static void form_means(const struct build *b, double *mean)
{
	for (int f = 0; f < b->nforms; f++) {
		double sum = 0;
		int n = 0;
		for (size_t i = 0; i < b->npool; i++)
			if (b->pool[i].form == f || b->pool[i].form == -2) {
				sum += b->pool[i].difficulty;
				n++;
			}
		mean[f] = n ? sum / n : 0;
	}
}

static double spread(const struct build *b, double *mean)
{
	form_means(b, mean);
	double lo = INFINITY, hi = -INFINITY;
	for (int f = 0; f < b->nforms; f++) {
		lo = mean[f] < lo ? mean[f] : lo;
		hi = mean[f] > hi ? mean[f] : hi;
	}
	return b->nforms ? hi - lo : 0;
}

/* Narrow the spread of mean difficulty by swaps within rows. */
static double balance(struct build *b, double tolerance)
{
	double *mean = calloc((size_t)b->nforms, sizeof(double));
	if (!mean)
		return INFINITY;
	double s = spread(b, mean);
	for (int iter = 0; iter < 2000 && s > tolerance + 1e-9; iter++) {
		int hi = 0, lo = 0;
		for (int f = 1; f < b->nforms; f++) {
			if (mean[f] > mean[hi])
				hi = f;
			if (mean[f] < mean[lo])
				lo = f;
		}
		/* Best single move: an item of the hardest form with a lower one of
		 * the same row, either from the easiest form or from the unused pool. */
		double best = s;
		size_t bx = 0, by = 0;
		int found = 0;
		for (size_t x = 0; x < b->npool; x++) {
			if (b->pool[x].form != hi)
				continue;
			struct bp_row *row = &b->rows[b->pool[x].row];
			for (size_t y = row->first; y < row->first + row->n; y++) {
				int yf = b->pool[y].form;
				if ((yf != lo && yf != -1) || b->pool[y].difficulty >= b->pool[x].difficulty)
					continue;
				/* Enemy rules after the swap. */
				int fx = b->pool[x].form;
				b->pool[x].form = yf;
				b->pool[y].form = fx;
				int ok = !enemy_on_form(b, fx, b->pool[y].enemy, y) &&
					 (yf == -1 || !enemy_on_form(b, yf, b->pool[x].enemy, x));
				double m2[64];
				double s2 = ok ? spread(b, b->nforms <= 64 ? m2 : mean) : INFINITY;
				b->pool[x].form = fx;
				b->pool[y].form = yf;
				if (ok && s2 < best - 1e-9) {
					best = s2;
					bx = x;
					by = y;
					found = 1;
				}
			}
		}
		if (!found)
			break;
		int fx = b->pool[bx].form;
		b->pool[bx].form = b->pool[by].form;
		b->pool[by].form = fx;
		s = spread(b, mean);
	}
	free(mean);
	return s;
}

static const char sql_max_number[] = "SELECT coalesce(max(number), 0) FROM form WHERE test_id = ?1";
static const char sql_insert_form[] =
	"INSERT INTO form (code, test_id, number, kind, build_seed, mean_difficulty, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_insert_form_item[] =
	"INSERT INTO form_item (form_id, section_id, position, item_version_id, anchor)"
	" VALUES (?1, ?2, ?3, ?4, ?5)";

static int store_form(struct sk_db *db, const struct sk_testdef *t, int number, const char *kind,
		      uint64_t seed, const struct build *b, int f, double mean, char **out_code)
{
	char code[32], now[21];
	snprintf(code, sizeof(code), "%s-%s%02d", t->code, strcmp(kind, "sample") ? "F" : "S", number);
	sk_db_now(db, now);
	sqlite3_stmt *st = sk_db_stmt(db, sql_insert_form);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t->id);
	sqlite3_bind_int(st, 3, number);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)seed);
	sqlite3_bind_double(st, 6, mean);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return sk_db_sqlfail(db, "storing a form");
	int64_t form_id = sqlite3_last_insert_rowid(db->sql);
	/* Canonical order: blueprint row order, then easier first, then code. */
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_addf(&d, "{\"seed\":%llu,\"mean_difficulty\":%.3f,\"items\":[", (unsigned long long)seed, mean);
	int first = 1;
	for (size_t sec = 0; sec < t->nsections; sec++) {
		int position = 0;
		for (size_t r = 0; r < b->nrows; r++) {
			if (b->rows[r].section_id != t->sections[sec].id)
				continue;
			for (size_t i = b->rows[r].first; i < b->rows[r].first + b->rows[r].n; i++) {
				const struct pool_item *pi = &b->pool[i];
				if (pi->form != f && pi->form != -2)
					continue;
				if (!(st = sk_db_stmt(db, sql_insert_form_item))) {
					sk_buf_release(&d);
					return db->err;
				}
				sqlite3_bind_int64(st, 1, form_id);
				sqlite3_bind_int64(st, 2, t->sections[sec].id);
				sqlite3_bind_int(st, 3, ++position);
				sqlite3_bind_int64(st, 4, pi->version_id);
				sqlite3_bind_int(st, 5, pi->form == -2);
				step = sqlite3_step(st);
				sqlite3_reset(st);
				if (step != SQLITE_DONE) {
					sk_buf_release(&d);
					return sk_db_sqlfail(db, "storing a form item");
				}
				sk_buf_addf(&d, "%s\"%s\"", first ? "" : ",", pi->code);
				first = 0;
			}
		}
	}
	sk_buf_adds(&d, "]}");
	int rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
				   : sk_audit_append(db, "form", code, "create", d.buf);
	sk_buf_release(&d);
	if (!rc && out_code && !(*out_code = strdup(code)))
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	return rc;
}

int sk_form_build(struct sk_db *db, const char *test, const struct sk_form_build_opts *opts,
		  char ***out_codes, size_t *out_count, struct sk_report *rep)
{
	*out_codes = NULL;
	*out_count = 0;
	struct sk_testdef t;
	int rc = sk_testdef_get(db, test, &t);
	if (rc)
		return rc;
	if (opts->count < 1 || opts->count > 64)
		return sk_db_fail(db, SK_EINVAL, "a build makes 1 to 64 forms");
	struct build b;
	if ((rc = load_build(db, test, &b)))
		goto cleanup;
	if (b.nrows == 0) {
		sk_report_add(rep, NULL, 0, test, N_("test '%s' has no blueprint (import one with 'shiken blueprint import')"),
			      test, NULL, NULL);
		rc = SK_EINPUT;
		goto cleanup;
	}
	b.nforms = opts->count;
	int total = 0;
	for (size_t r = 0; r < b.nrows; r++)
		total += b.rows[r].count;
	if (opts->anchors < 0 || opts->anchors > total) {
		rc = sk_db_fail(db, SK_EINVAL, "--anchors must be from 0 to the %d items of a form", total);
		goto cleanup;
	}
	/* Anchors go, one at a time, to the row with the most items to spare. */
	for (int a = 0; a < opts->anchors; a++) {
		int best = -1;
		long best_spare = 0;
		for (size_t r = 0; r < b.nrows; r++) {
			struct bp_row *row = &b.rows[r];
			if (row->anchors >= row->count)
				continue;
			long need = row->anchors + (long)b.nforms * (row->count - row->anchors);
			long spare = (long)row->n - need;
			if (best < 0 || spare > best_spare) {
				best = (int)r;
				best_spare = spare;
			}
		}
		if (best < 0)
			break;
		b.rows[best].anchors++;
	}
	/* Enough approved items in every row? */
	int short_rows = 0;
	for (size_t r = 0; r < b.nrows; r++) {
		struct bp_row *row = &b.rows[r];
		long need = row->anchors + (long)b.nforms * (row->count - row->anchors);
		if ((long)row->n >= need)
			continue;
		char field[128], a0[24], a1[24], a2[24];
		snprintf(field, sizeof(field), "%s/%s/%s", row->section, row->cell, row->band);
		snprintf(a0, sizeof(a0), "%ld", need);
		snprintf(a1, sizeof(a1), "%zu", row->n);
		snprintf(a2, sizeof(a2), "%ld", need - (long)row->n);
		sk_report_add(rep, test, 0, field,
			      N_("the forms need %s approved items here, the bank has %s: %s short"), a0, a1, a2);
		short_rows++;
	}
	if (short_rows) {
		rc = SK_EINPUT;
		goto cleanup;
	}
	/* The build's stream: a hash of the seed keys the draws. */
	unsigned char key[32];
	unsigned char seed_bytes[8];
	for (int i = 0; i < 8; i++)
		seed_bytes[i] = (unsigned char)(opts->seed >> (8 * i));
	crypto_generichash(key, sizeof(key), seed_bytes, sizeof(seed_bytes),
			   (const unsigned char *)"shiken-form-build-seed-v1.......", 32);
	struct sk_draw d;
	sk_draw_init(&d, key, "form", test, strlen(test));
	int ok = 0;
	for (int attempt = 0; attempt < 500 && !ok; attempt++) {
		int r = try_assemble(&b, &d);
		if (r == -2) {
			rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
			goto cleanup;
		}
		ok = r == 0;
	}
	if (!ok) {
		sk_report_add(rep, test, 0, "enemy_group",
			      N_("the enemy groups leave no way to fill the forms; add items or split the groups"),
			      NULL, NULL, NULL);
		rc = SK_EINPUT;
		goto cleanup;
	}
	double tol = opts->tolerance > 0 ? opts->tolerance : SK_FORM_DEFAULT_TOLERANCE;
	double s = balance(&b, tol);
	if (s > tol + 1e-9) {
		char a0[24], a1[24];
		snprintf(a0, sizeof(a0), "%.2f", tol);
		snprintf(a1, sizeof(a1), "%.2f", s);
		sk_report_add(rep, test, 0, "difficulty",
			      N_("cannot bring the forms' mean difficulty within %s of each other (best %s); add items or raise --tolerance"),
			      a0, a1, NULL);
		rc = SK_EINPUT;
		goto cleanup;
	}
	if (opts->dry_run)
		goto cleanup;
	double *mean = calloc((size_t)b.nforms, sizeof(double));
	char **codes = calloc((size_t)b.nforms, sizeof(char *));
	if (!mean || !codes) {
		free(mean);
		free(codes);
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
		goto cleanup;
	}
	form_means(&b, mean);
	if ((rc = sk_db_begin(db))) {
		free(mean);
		free(codes);
		goto cleanup;
	}
	sqlite3_stmt *st = sk_db_stmt(db, sql_max_number);
	int number = 0;
	if (st) {
		sqlite3_bind_int64(st, 1, t.id);
		if (sqlite3_step(st) == SQLITE_ROW)
			number = sqlite3_column_int(st, 0);
		sqlite3_reset(st);
	}
	for (int f = 0; f < b.nforms && !rc; f++)
		rc = store_form(db, &t, ++number, "live", opts->seed, &b, f, mean[f], &codes[f]);
	free(mean);
	if (rc) {
		sk_db_rollback(db);
		for (int f = 0; f < b.nforms; f++)
			free(codes[f]);
		free(codes);
		goto cleanup;
	}
	if ((rc = sk_db_commit(db))) {
		for (int f = 0; f < b.nforms; f++)
			free(codes[f]);
		free(codes);
		goto cleanup;
	}
	*out_codes = codes;
	*out_count = (size_t)b.nforms;
cleanup:
	sk_draw_done(&d);
	build_release(&b);
	return rc;
}

/* ---- the sample form ---- */

struct sample_state {
	struct build *b;
	int failed;
};

static int collect_public(void *payload, const struct sk_item *it)
{
	struct sample_state *ss = payload;
	if (!it->is_public || strcmp(it->status, "approved"))
		return 0;
	struct build *b = ss->b;
	struct pool_item *p = realloc(b->pool, (b->npool + 1) * sizeof(*p));
	if (!p) {
		ss->failed = 1;
		return SK_ENOMEM;
	}
	b->pool = p;
	struct pool_item *pi = &b->pool[b->npool++];
	memset(pi, 0, sizeof(*pi));
	pi->version_id = it->version_id;
	snprintf(pi->code, sizeof(pi->code), "%s", it->code);
	pi->difficulty = it->difficulty;
	pi->form = 0;
	/* Row per section: the sample follows the section order. */
	size_t r = 0;
	for (; r < b->nrows; r++)
		if (!strcmp(b->rows[r].section, it->section))
			break;
	if (r == b->nrows) {
		struct bp_row *rows = realloc(b->rows, (b->nrows + 1) * sizeof(*rows));
		if (!rows) {
			ss->failed = 1;
			return SK_ENOMEM;
		}
		b->rows = rows;
		memset(&b->rows[r], 0, sizeof(b->rows[r]));
		snprintf(b->rows[r].section, sizeof(b->rows[r].section), "%s", it->section);
		b->nrows++;
	}
	pi->row = (int)r;
	return 0;
}

int sk_form_sample(struct sk_db *db, const char *test, char **out_code, struct sk_report *rep)
{
	*out_code = NULL;
	struct sk_testdef t;
	int rc = sk_testdef_get(db, test, &t);
	if (rc)
		return rc;
	struct build b;
	memset(&b, 0, sizeof(b));
	b.db = db;
	b.nforms = 1;
	struct sample_state ss = { .b = &b };
	struct sk_item_filter f = { .test = test };
	if ((rc = sk_item_foreach(db, &f, collect_public, &ss)))
		goto cleanup;
	if (b.npool == 0) {
		sk_report_add(rep, NULL, 0, test, N_("test '%s' has no approved public items (public = yes)"),
			      test, NULL, NULL);
		rc = SK_EINPUT;
		goto cleanup;
	}
	for (size_t r = 0; r < b.nrows; r++)
		for (size_t sec = 0; sec < t.nsections; sec++)
			if (!strcmp(t.sections[sec].code, b.rows[r].section))
				b.rows[r].section_id = t.sections[sec].id;
	qsort(b.pool, b.npool, sizeof(*b.pool), cmp_pool);
	for (size_t i = 0; i < b.npool; i++) {
		struct bp_row *r = &b.rows[b.pool[i].row];
		if (r->n == 0)
			r->first = i;
		r->n++;
	}
	double mean[1];
	form_means(&b, mean);
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	sqlite3_stmt *st = sk_db_stmt(db, sql_max_number);
	int number = 0;
	if (st) {
		sqlite3_bind_int64(st, 1, t.id);
		if (sqlite3_step(st) == SQLITE_ROW)
			number = sqlite3_column_int(st, 0);
		sqlite3_reset(st);
	}
	if ((rc = store_form(db, &t, number + 1, "sample", 0, &b, 0, mean[0], out_code))) {
		sk_db_rollback(db);
		goto cleanup;
	}
	rc = sk_db_commit(db);
cleanup:
	build_release(&b);
	return rc;
}

/* ---- reading and locking ---- */

#define FORM_SELECT \
	"SELECT f.id, f.code, t.code, f.number, f.kind, f.status, f.build_seed, f.mean_difficulty," \
	" (SELECT count(*) FROM form_item fi WHERE fi.form_id = f.id)," \
	" (SELECT count(*) FROM form_item fi WHERE fi.form_id = f.id AND fi.anchor)," \
	" (SELECT count(DISTINCT sitting_id) FROM sitting_form sf WHERE sf.form_id = f.id)," \
	" f.created_at FROM form f JOIN test t ON t.id = f.test_id"

static void fill_form(sqlite3_stmt *st, struct sk_form *f)
{
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, 0);
	copy_col(f->code, sizeof(f->code), st, 1);
	copy_col(f->test, sizeof(f->test), st, 2);
	f->number = sqlite3_column_int(st, 3);
	copy_col(f->kind, sizeof(f->kind), st, 4);
	copy_col(f->status, sizeof(f->status), st, 5);
	f->seed = (uint64_t)sqlite3_column_int64(st, 6);
	f->mean_difficulty = sqlite3_column_double(st, 7);
	f->nitems = sqlite3_column_int(st, 8);
	f->nanchors = sqlite3_column_int(st, 9);
	f->used_by_sittings = sqlite3_column_int(st, 10);
	copy_col(f->created_at, sizeof(f->created_at), st, 11);
}

int sk_form_get(struct sk_db *db, const char *code, struct sk_form *out)
{
	static const char sql[] = FORM_SELECT " WHERE f.code = ?1";
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		fill_form(st, out);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? sk_db_fail(db, SK_ENOTFOUND, "no form '%s'", code)
				       : sk_db_sqlfail(db, "reading a form");
	}
	sqlite3_reset(st);
	return rc;
}

int sk_form_foreach(struct sk_db *db, const char *test,
		    int (*cb)(void *payload, const struct sk_form *f), void *payload)
{
	static const char sql[] = FORM_SELECT " WHERE (?1 IS NULL OR t.code = ?1) ORDER BY t.level, t.code, f.number";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "listing forms");
	if (test)
		sqlite3_bind_text(st, 1, test, -1, SQLITE_STATIC);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_form f;
		fill_form(st, &f);
		if ((rc = cb(payload, &f)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing forms");
	sqlite3_finalize(st);
	return rc;
}

int sk_form_items(struct sk_db *db, int64_t form_id,
		  int (*cb)(void *payload, const struct sk_form_item *it), void *payload)
{
	static const char sql[] =
		"SELECT s.code, fi.position, fi.item_version_id, i.code, v.version, v.cell, v.difficulty, fi.anchor"
		" FROM form_item fi JOIN test_section s ON s.id = fi.section_id"
		" JOIN item_version v ON v.id = fi.item_version_id JOIN item i ON i.id = v.item_id"
		" WHERE fi.form_id = ?1 ORDER BY s.position, fi.position";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "reading a form");
	sqlite3_bind_int64(st, 1, form_id);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_form_item it;
		memset(&it, 0, sizeof(it));
		copy_col(it.section, sizeof(it.section), st, 0);
		it.position = sqlite3_column_int(st, 1);
		it.item_version_id = sqlite3_column_int64(st, 2);
		copy_col(it.item, sizeof(it.item), st, 3);
		it.version = sqlite3_column_int(st, 4);
		copy_col(it.cell, sizeof(it.cell), st, 5);
		it.difficulty = sqlite3_column_int(st, 6);
		it.anchor = sqlite3_column_int(st, 7);
		if ((rc = cb(payload, &it)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading a form");
	sqlite3_finalize(st);
	return rc;
}

int sk_form_lock(struct sk_db *db, const char *code)
{
	static const char sql[] = "UPDATE form SET status = 'locked' WHERE id = ?1 AND status = 'draft'";
	struct sk_form f;
	int rc = sk_form_get(db, code, &f);
	if (rc)
		return rc;
	if (!strcmp(f.status, "locked"))
		return sk_db_fail(db, SK_ECONFLICT, "form '%s' is already locked", code);
	if ((rc = sk_db_begin(db)))
		return rc;
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, f.id);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "locking a form");
		goto fail;
	}
	if ((rc = sk_audit_append(db, "form", code, "lock", "{}")))
		goto fail;
	return sk_db_commit(db);
fail:
	sk_db_rollback(db);
	return rc;
}
