/*
 * Test definitions. The CSV import groups rows by test code: columns that
 * describe the test (category names, level, age rules) must agree across a
 * test's rows; each row adds one section in the order given.
 */
#include "core/testdef.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "core/refdata.h"
#include "core/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_test_by_code[] =
	"SELECT id, code, category_ja, category_en, level FROM test WHERE code = ?1";
static const char sql_test_by_id[] =
	"SELECT id, code, category_ja, category_en, level FROM test WHERE id = ?1";
static const char sql_sections[] =
	"SELECT id, position, code, name_ja, name_en, item_kind, pass_percent, time_limit_min"
	" FROM test_section WHERE test_id = ?1 ORDER BY position";
static const char sql_rules[] =
	"SELECT nationality, min_age FROM test_age_rule WHERE test_id = ?1 ORDER BY nationality";

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

static int load_parts(struct sk_db *db, struct sk_testdef *t)
{
	sqlite3_stmt *st = sk_db_stmt(db, sql_sections);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, t->id);
	while (sqlite3_step(st) == SQLITE_ROW && t->nsections < 8) {
		struct sk_section *s = &t->sections[t->nsections++];
		s->id = sqlite3_column_int64(st, 0);
		s->position = sqlite3_column_int(st, 1);
		copy_col(s->code, sizeof(s->code), st, 2);
		copy_col(s->name_ja, sizeof(s->name_ja), st, 3);
		copy_col(s->name_en, sizeof(s->name_en), st, 4);
		copy_col(s->item_kind, sizeof(s->item_kind), st, 5);
		s->pass_percent = sqlite3_column_int(st, 6);
		s->time_limit_min = sqlite3_column_int(st, 7);
	}
	sqlite3_reset(st);
	st = sk_db_stmt(db, sql_rules);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, t->id);
	while (sqlite3_step(st) == SQLITE_ROW && t->nrules < 16) {
		struct sk_age_rule *r = &t->rules[t->nrules++];
		copy_col(r->nationality, sizeof(r->nationality), st, 0);
		r->min_age = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return 0;
}

static int get_by(struct sk_db *db, const char *sql, const char *code, int64_t id,
		  struct sk_testdef *t)
{
	memset(t, 0, sizeof(*t));
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	if (code)
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return sk_db_sqlfail(db, "reading a test");
		if (code)
			return sk_db_fail(db, SK_ENOTFOUND, "no test '%s'", code);
		return sk_db_fail(db, SK_ENOTFOUND, "no test with id %lld", (long long)id);
	}
	t->id = sqlite3_column_int64(st, 0);
	copy_col(t->code, sizeof(t->code), st, 1);
	copy_col(t->category_ja, sizeof(t->category_ja), st, 2);
	copy_col(t->category_en, sizeof(t->category_en), st, 3);
	t->level = sqlite3_column_int(st, 4);
	sqlite3_reset(st);
	return load_parts(db, t);
}

int sk_testdef_get(struct sk_db *db, const char *code, struct sk_testdef *out)
{
	return get_by(db, sql_test_by_code, code, 0, out);
}

int sk_testdef_get_id(struct sk_db *db, int64_t id, struct sk_testdef *out)
{
	return get_by(db, sql_test_by_id, NULL, id, out);
}

int sk_testdef_foreach(struct sk_db *db, int (*cb)(void *payload, const struct sk_testdef *t),
		       void *payload)
{
	static const char sql[] = "SELECT id FROM test ORDER BY level, code";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "listing tests");
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_testdef t;
		if ((rc = sk_testdef_get_id(db, sqlite3_column_int64(st, 0), &t)))
			break;
		if ((rc = cb(payload, &t)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing tests");
	sqlite3_finalize(st);
	return rc;
}

int sk_testdef_min_age(const struct sk_testdef *t, const char *nationality)
{
	int general = -1;
	for (size_t i = 0; i < t->nrules; i++) {
		if (nationality && !strcmp(t->rules[i].nationality, nationality))
			return t->rules[i].min_age;
		if (!t->rules[i].nationality[0])
			general = t->rules[i].min_age;
	}
	return general;
}

/* ---- import ---- */

enum { T_TEST, T_CAT_JA, T_CAT_EN, T_LEVEL, T_SECTION, T_SEC_JA, T_SEC_EN, T_KIND, T_PASS,
       T_TIME, T_MINAGE, T_AGE_BY, NCOLS };

static const struct sk_csv_col columns[] = {
	{ "test", "試験コード", SK_CSV_REQUIRED },
	{ "category_ja", "試験区分", SK_CSV_REQUIRED },
	{ "category_en", NULL, SK_CSV_REQUIRED },
	{ "level", "等級", SK_CSV_REQUIRED },
	{ "section", NULL, SK_CSV_REQUIRED },
	{ "section_ja", "科目", SK_CSV_REQUIRED },
	{ "section_en", NULL, SK_CSV_REQUIRED },
	{ "item_kind", NULL, SK_CSV_REQUIRED },
	{ "pass_percent", "合格基準", SK_CSV_REQUIRED },
	{ "time_limit_min", "試験時間", SK_CSV_REQUIRED },
	{ "min_age", NULL, 0 },
	{ "min_age_by_nationality", NULL, 0 },
};

static int int_in(const char *s, long lo, long hi, int *out)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || errno || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int code_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n >= 1 && n <= max &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* "ID:18 VN:17" → rules; returns -1 with the bad token in bad[32], or -2
 * when a token names a country already given (bad[32] holds the token). */
static int parse_age_by(struct sk_testdef *t, const char *s, char bad[32])
{
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "%s", s);
	char *save = NULL;
	for (char *tok = strtok_r(tmp, " ;", &save); tok; tok = strtok_r(NULL, " ;", &save)) {
		char *colon = strchr(tok, ':');
		const struct sk_country *c;
		int age;
		if (colon)
			*colon = '\0';
		if (!colon || !(c = sk_country_find(tok)) || int_in(colon + 1, 0, 120, &age) ||
		    t->nrules >= 15) {
			if (colon)
				*colon = ':';
			snprintf(bad, 32, "%s", tok);
			return -1;
		}
		for (size_t i = 0; i < t->nrules; i++) {
			/* Two ages for one country would break the table's key. */
			if (!strcmp(t->rules[i].nationality, c->alpha2)) {
				*colon = ':';
				snprintf(bad, 32, "%s", tok);
				return -2;
			}
		}
		struct sk_age_rule *r = &t->rules[t->nrules++];
		snprintf(r->nationality, sizeof(r->nationality), "%s", c->alpha2);
		r->min_age = age;
	}
	return 0;
}

static int rules_equal(const struct sk_testdef *a, const struct sk_testdef *b)
{
	if (a->nrules != b->nrules)
		return 0;
	for (size_t i = 0; i < a->nrules; i++) {
		size_t k = 0;
		for (; k < b->nrules; k++)
			if (!strcmp(a->rules[i].nationality, b->rules[k].nationality) &&
			    a->rules[i].min_age == b->rules[k].min_age)
				break;
		if (k == b->nrules)
			return 0;
	}
	return 1;
}

static int same_definition(const struct sk_testdef *a, const struct sk_testdef *b)
{
	if (strcmp(a->category_ja, b->category_ja) || strcmp(a->category_en, b->category_en) ||
	    a->level != b->level || a->nsections != b->nsections || a->nrules != b->nrules)
		return 0;
	for (size_t i = 0; i < a->nsections; i++) {
		const struct sk_section *x = &a->sections[i], *y = &b->sections[i];
		if (strcmp(x->code, y->code) || strcmp(x->name_ja, y->name_ja) ||
		    strcmp(x->name_en, y->name_en) || strcmp(x->item_kind, y->item_kind) ||
		    x->pass_percent != y->pass_percent || x->time_limit_min != y->time_limit_min)
			return 0;
	}
	return rules_equal(a, b);
}

struct pending {
	struct sk_testdef def;
	long first_line;
	int bad;
	size_t records[8];
};

#define ROW_ERR(field, fmt, a0, a1) \
	(sk_report_add(rep, doc.name, rec->line, (field), (fmt), (a0), (a1), NULL), bad = 1)

static int insert_test(struct sk_db *db, const struct sk_testdef *t)
{
	static const char sql_t[] = "INSERT INTO test (code, category_ja, category_en, level, created_at)"
				    " VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char sql_s[] =
		"INSERT INTO test_section (test_id, position, code, name_ja, name_en, item_kind,"
		" pass_percent, time_limit_min) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const char sql_r[] =
		"INSERT INTO test_age_rule (test_id, nationality, min_age) VALUES (?1, ?2, ?3)";
	char now[21];
	sk_db_now(db, now);
	sqlite3_stmt *st = sk_db_stmt(db, sql_t);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, t->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->category_ja, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->category_en, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, t->level);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sk_db_sqlfail(db, "adding a test");
	sqlite3_int64 id = sqlite3_last_insert_rowid(db->sql);
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_adds(&d, "{\"category_ja\":");
	sk_buf_add_json_str(&d, t->category_ja);
	sk_buf_addf(&d, ",\"level\":%d,\"sections\":[", t->level);
	for (size_t i = 0; i < t->nsections; i++) {
		const struct sk_section *s = &t->sections[i];
		st = sk_db_stmt(db, sql_s);
		if (!st) {
			sk_buf_release(&d);
			return db->err;
		}
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, (int)i + 1);
		sqlite3_bind_text(st, 3, s->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, s->name_ja, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, s->name_en, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, s->item_kind, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, s->pass_percent);
		sqlite3_bind_int(st, 8, s->time_limit_min);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sk_buf_release(&d);
			return sk_db_sqlfail(db, "adding a test section");
		}
		sk_buf_addf(&d, "%s{\"code\":", i ? "," : "");
		sk_buf_add_json_str(&d, s->code);
		sk_buf_addf(&d, ",\"kind\":\"%s\",\"pass_percent\":%d,\"minutes\":%d}", s->item_kind,
			    s->pass_percent, s->time_limit_min);
	}
	sk_buf_adds(&d, "]}");
	for (size_t i = 0; i < t->nrules; i++) {
		st = sk_db_stmt(db, sql_r);
		if (!st) {
			sk_buf_release(&d);
			return db->err;
		}
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, t->rules[i].nationality, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, t->rules[i].min_age);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sk_buf_release(&d);
			return sk_db_sqlfail(db, "adding an age rule");
		}
	}
	int rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
				   : sk_audit_append(db, "test", t->code, "create", d.buf);
	sk_buf_release(&d);
	return rc;
}

int sk_testdef_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		      struct sk_import_stats *stats, struct sk_report *rep)
{
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct pending *tests = NULL;
	size_t ntests = 0;
	struct sk_rowset rs = { 0 };
	int col[NCOLS];
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	if ((rc = sk_csv_map(&doc, columns, NCOLS, opts->ignore_unknown, col, rep)))
		goto cleanup;
	if (sk_rowset_init(&rs, doc.count) ||
	    !(tests = calloc(doc.count, sizeof(*tests)))) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	stats->rows = doc.count - 1;
	for (size_t i = 1; i < doc.count; i++) {
		const struct sk_csv_record *rec = &doc.records[i];
		int bad = 0;
		if (sk_csv_check_width(&doc, rec, rep)) {
			rs.bad[i] = 1;
			continue;
		}
		const char *v[NCOLS];
		for (int c = 0; c < NCOLS; c++)
			v[c] = sk_csv_field(rec, col[c]);
		struct sk_testdef def;
		memset(&def, 0, sizeof(def));
		struct sk_section sec;
		memset(&sec, 0, sizeof(sec));
		char limit[24], badtok[32];
		const char *why;
		if (!code_ok(v[T_TEST], 12))
			ROW_ERR("test", N_("'%s' is not a test code (1-12 letters, digits, '-', '_')"), v[T_TEST], NULL);
		else
			snprintf(def.code, sizeof(def.code), "%s", v[T_TEST]);
		if (!*v[T_CAT_JA] || (why = sk_check_text(v[T_CAT_JA], 30, limit)))
			ROW_ERR("category_ja", *v[T_CAT_JA] ? why : N_("is empty"), limit, NULL);
		else
			snprintf(def.category_ja, sizeof(def.category_ja), "%s", v[T_CAT_JA]);
		if (!*v[T_CAT_EN] || (why = sk_check_text(v[T_CAT_EN], 80, limit)))
			ROW_ERR("category_en", *v[T_CAT_EN] ? why : N_("is empty"), limit, NULL);
		else
			snprintf(def.category_en, sizeof(def.category_en), "%s", v[T_CAT_EN]);
		if (int_in(v[T_LEVEL], 1, 2, &def.level))
			ROW_ERR("level", N_("'%s' is not 1 or 2 (1号 or 2号)"), v[T_LEVEL], NULL);
		if (!code_ok(v[T_SECTION], 24))
			ROW_ERR("section", N_("'%s' is not a section code (letters, digits, '-', '_')"), v[T_SECTION], NULL);
		else
			snprintf(sec.code, sizeof(sec.code), "%s", v[T_SECTION]);
		if (!*v[T_SEC_JA] || (why = sk_check_text(v[T_SEC_JA], 20, limit)))
			ROW_ERR("section_ja", *v[T_SEC_JA] ? why : N_("is empty"), limit, NULL);
		else
			snprintf(sec.name_ja, sizeof(sec.name_ja), "%s", v[T_SEC_JA]);
		if (!*v[T_SEC_EN] || (why = sk_check_text(v[T_SEC_EN], 40, limit)))
			ROW_ERR("section_en", *v[T_SEC_EN] ? why : N_("is empty"), limit, NULL);
		else
			snprintf(sec.name_en, sizeof(sec.name_en), "%s", v[T_SEC_EN]);
		if (strcmp(v[T_KIND], "tf") && strcmp(v[T_KIND], "mc") && strcmp(v[T_KIND], "scored"))
			ROW_ERR("item_kind", N_("'%s' is not tf (○×), mc (multiple choice) or scored"), v[T_KIND], NULL);
		else
			snprintf(sec.item_kind, sizeof(sec.item_kind), "%s", v[T_KIND]);
		if (int_in(v[T_PASS], 0, 100, &sec.pass_percent))
			ROW_ERR("pass_percent", N_("'%s' is not a whole percentage from 0 to 100"), v[T_PASS], NULL);
		if (int_in(v[T_TIME], 1, 600, &sec.time_limit_min))
			ROW_ERR("time_limit_min", N_("'%s' is not a number of minutes from 1 to 600"), v[T_TIME], NULL);
		int min_age = -1;
		if (*v[T_MINAGE] && int_in(v[T_MINAGE], 0, 120, &min_age))
			ROW_ERR("min_age", N_("'%s' is not an age from 0 to 120"), v[T_MINAGE], NULL);
		if (min_age >= 0) {
			def.rules[0].nationality[0] = '\0';
			def.rules[0].min_age = min_age;
			def.nrules = 1;
		}
		int age_by = *v[T_AGE_BY] ? parse_age_by(&def, v[T_AGE_BY], badtok) : 0;
		if (age_by == -1)
			ROW_ERR("min_age_by_nationality", N_("'%s' is not COUNTRY:AGE (like ID:18)"), badtok, NULL);
		else if (age_by == -2)
			ROW_ERR("min_age_by_nationality", N_("'%s' gives a second age for the same country"), badtok, NULL);
		if (bad) {
			rs.bad[i] = 1;
			continue;
		}
		/* Group with earlier rows of the same test. */
		size_t k = 0;
		for (; k < ntests; k++)
			if (!strcmp(tests[k].def.code, def.code))
				break;
		if (k == ntests) {
			tests[ntests].def = def;
			tests[ntests].first_line = rec->line;
			ntests++;
		} else {
			struct sk_testdef *t = &tests[k].def;
			char first[24];
			snprintf(first, sizeof(first), "%ld", tests[k].first_line);
			int agree = !strcmp(t->category_ja, def.category_ja) &&
				    !strcmp(t->category_en, def.category_en) && t->level == def.level &&
				    (def.nrules == 0 || t->nrules == 0 || rules_equal(t, &def));
			if (agree && t->nrules == 0 && def.nrules) {
				memcpy(t->rules, def.rules, sizeof(def.rules));
				t->nrules = def.nrules;
			}
			if (!agree) {
				ROW_ERR("test", N_("describes test '%s' differently from line %s"), def.code, first);
				rs.bad[i] = 1;
				tests[k].bad = 1;
				continue;
			}
		}
		struct pending *p = &tests[k];
		for (size_t s = 0; s < p->def.nsections; s++)
			if (!strcmp(p->def.sections[s].code, sec.code)) {
				ROW_ERR("section", N_("'%s' appears twice for this test"), sec.code, NULL);
				break;
			}
		if (bad || p->def.nsections >= 8) {
			if (!bad)
				ROW_ERR("section", N_("a test has at most %s sections"), "8", NULL);
			rs.bad[i] = 1;
			p->bad = 1;
			continue;
		}
		p->def.sections[p->def.nsections] = sec;
		p->def.sections[p->def.nsections].position = (int)p->def.nsections + 1;
		p->def.nsections++;
		p->records[p->def.nsections - 1] = i;
	}
	/* A test is added whole or not at all: created without the section of a
	 * bad row it could never be completed, since tests do not change. So
	 * with --skip-invalid its good rows are rejected with it. */
	for (size_t k = 0; k < ntests && opts->skip_invalid; k++) {
		struct pending *p = &tests[k];
		for (size_t i = 1; i < doc.count && !p->bad; i++)
			if (rs.bad[i] && !strcmp(sk_csv_field(&doc.records[i], col[T_TEST]), p->def.code))
				p->bad = 1;
		for (size_t s = 0; p->bad && s < p->def.nsections; s++) {
			rs.bad[p->records[s]] = 1;
			sk_report_add(rep, doc.name, doc.records[p->records[s]].line, "test",
				      N_("test '%s' is left out: another of its rows has errors"),
				      p->def.code, NULL, NULL);
		}
	}
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	for (size_t k = 0; k < ntests; k++) {
		struct pending *p = &tests[k];
		if (p->bad)
			continue;
		if (sk_testdef_min_age(&p->def, NULL) < 0 && p->def.nrules < 16) {
			/* The scheme's general minimum: 17 on the exam date. */
			p->def.rules[p->def.nrules].nationality[0] = '\0';
			p->def.rules[p->def.nrules].min_age = 17;
			p->def.nrules++;
		}
		struct sk_testdef existing;
		int g = sk_testdef_get(db, p->def.code, &existing);
		if (g == 0) {
			if (same_definition(&p->def, &existing)) {
				stats->unchanged += p->def.nsections;
				continue;
			}
			sk_report_add(rep, doc.name, p->first_line, "test",
				      N_("test '%s' already exists with a different definition; tests do not change once created (use a new code)"),
				      p->def.code, NULL, NULL);
			for (size_t s = 0; s < p->def.nsections; s++)
				rs.bad[p->records[s]] = 1;
			continue;
		}
		if (g != SK_ENOTFOUND) {
			rc = g;
			sk_db_rollback(db);
			goto cleanup;
		}
		sk_db_clear_error(db);
		if ((rc = insert_test(db, &p->def))) {
			sk_db_rollback(db);
			goto cleanup;
		}
		stats->added += p->def.nsections;
	}
	rc = sk_import_end(db, &doc, &rs, opts, rep, stats);
cleanup:
	free(tests);
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}
