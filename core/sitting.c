/* Sittings; see sitting.h. */
#include "core/sitting.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/fee.h"
#include "core/refdata.h"
#include "core/testdef.h"
#include "core/text.h"
#include "core/venue.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

#define SITTING_COLS \
	"SELECT s.id, s.code, s.serial, s.exam_date, s.start_time, v.code, s.venue_id," \
	" s.capacity, s.fee_amount, s.fee_currency," \
	" (SELECT count(*) FROM registration r WHERE r.sitting_id = s.id AND r.status = 'registered')" \
	" FROM sitting s JOIN venue v ON v.id = s.venue_id"

static const char sql_by_code[] = SITTING_COLS " WHERE s.code = ?1";
static const char sql_by_id[] = SITTING_COLS " WHERE s.id = ?1";
static const char sql_tests[] =
	"SELECT t.code FROM sitting_test st JOIN test t ON t.id = st.test_id"
	" WHERE st.sitting_id = ?1 ORDER BY t.level, t.code";

static int fill(struct sk_db *db, sqlite3_stmt *st, struct sk_sitting *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	copy_col(s->code, sizeof(s->code), st, 1);
	s->serial = sqlite3_column_int(st, 2);
	copy_col(s->exam_date, sizeof(s->exam_date), st, 3);
	copy_col(s->start_time, sizeof(s->start_time), st, 4);
	copy_col(s->venue, sizeof(s->venue), st, 5);
	s->venue_id = sqlite3_column_int64(st, 6);
	s->capacity = sqlite3_column_int(st, 7);
	s->fee_amount = sqlite3_column_int64(st, 8);
	copy_col(s->fee_currency, sizeof(s->fee_currency), st, 9);
	s->registered = sqlite3_column_int(st, 10);
	sqlite3_stmt *t = sk_db_stmt(db, sql_tests);
	if (!t)
		return db->err;
	sqlite3_bind_int64(t, 1, s->id);
	while (sqlite3_step(t) == SQLITE_ROW && s->ntests < 16)
		copy_col(s->tests[s->ntests++], sizeof(s->tests[0]), t, 0);
	sqlite3_reset(t);
	return 0;
}

static int get_by(struct sk_db *db, const char *sql, const char *code, int64_t id,
		  struct sk_sitting *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = NULL;
	/* Not cached: fill() uses a cached statement while this one is live. */
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "reading a sitting");
	if (code)
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = fill(db, st, out);
	else if (rc == SQLITE_DONE)
		rc = code ? sk_db_fail(db, SK_ENOTFOUND, "no sitting '%s'", code)
			  : sk_db_fail(db, SK_ENOTFOUND, "no sitting with id %lld", (long long)id);
	else
		rc = sk_db_sqlfail(db, "reading a sitting");
	sqlite3_finalize(st);
	return rc;
}

int sk_sitting_get(struct sk_db *db, const char *code, struct sk_sitting *out)
{
	return get_by(db, sql_by_code, code, 0, out);
}

int sk_sitting_get_id(struct sk_db *db, int64_t id, struct sk_sitting *out)
{
	return get_by(db, sql_by_id, NULL, id, out);
}

int sk_sitting_foreach(struct sk_db *db, int (*cb)(void *payload, const struct sk_sitting *s),
		       void *payload)
{
	static const char sql[] = SITTING_COLS " ORDER BY s.exam_date, s.code";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "listing sittings");
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_sitting s;
		if ((rc = fill(db, st, &s)) || (rc = cb(payload, &s)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing sittings");
	sqlite3_finalize(st);
	return rc;
}

int sk_sitting_key(struct sk_db *db, int64_t sitting_id, unsigned char key[32])
{
	static const char sql[] = "SELECT code, key_enc FROM sitting WHERE id = ?1";
	sodium_memzero(key, 32);
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, sitting_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return sk_db_fail(db, SK_ENOTFOUND, "no sitting with id %lld", (long long)sitting_id);
	}
	char ctx[64];
	snprintf(ctx, sizeof(ctx), "sitting:%s", (const char *)sqlite3_column_text(st, 0));
	unsigned char *plain = NULL;
	size_t len = 0;
	int rc = sk_unseal(db, &plain, &len, sqlite3_column_blob(st, 1),
			   (size_t)sqlite3_column_bytes(st, 1), ctx);
	sqlite3_reset(st);
	if (rc)
		return rc;
	if (len != 32) {
		sodium_free(plain);
		return sk_db_fail(db, SK_ECRYPTO, "sitting key has the wrong length");
	}
	memcpy(key, plain, 32);
	sodium_free(plain);
	return 0;
}

static int code_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n >= 1 && n <= max &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

struct resolved {
	int64_t venue_id;
	int seats;
	int64_t test_ids[16];
	int64_t fee;
};

/* Check fields and look up what they name. Problems to rep at file:line. */
static int check_sitting(struct sk_db *db, const struct sk_sitting *s, const char *fee,
			 struct resolved *res, struct sk_report *rep, const char *file, long line)
{
	int bad = 0;
	memset(res, 0, sizeof(*res));
	struct sk_date d;
	int minutes;
	if (!code_ok(s->code, 32)) {
		sk_report_add(rep, file, line, "sitting", N_("'%s' is not a sitting code (1-32 letters, digits, '-', '_')"), s->code, NULL, NULL);
		bad++;
	}
	if (sk_date_parse(&d, s->exam_date)) {
		sk_report_add(rep, file, line, "date", N_("'%s' is not a date (YYYY-MM-DD)"), s->exam_date, NULL, NULL);
		bad++;
	}
	if (sk_time_parse(&minutes, s->start_time)) {
		sk_report_add(rep, file, line, "start_time", N_("'%s' is not a time (HH:MM, 24-hour)"), s->start_time, NULL, NULL);
		bad++;
	}
	struct sk_venue *v = malloc(sizeof(*v));
	if (!v)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	int g = sk_venue_get(db, s->venue, v);
	if (g == SK_ENOTFOUND) {
		sk_report_add(rep, file, line, "venue", N_("no venue '%s' (add it with 'shiken venue add')"), s->venue, NULL, NULL);
		bad++;
	} else if (g) {
		free(v);
		return g;
	} else {
		res->venue_id = v->id;
		for (size_t i = 0; i < v->nrooms; i++)
			res->seats += v->rooms[i].rows * v->rooms[i].cols;
	}
	free(v);
	sk_db_clear_error(db);
	if (s->ntests == 0) {
		sk_report_add(rep, file, line, "tests", N_("a sitting offers at least one test"), NULL, NULL, NULL);
		bad++;
	}
	for (size_t i = 0; i < s->ntests; i++) {
		struct sk_testdef t;
		g = sk_testdef_get(db, s->tests[i], &t);
		if (g == SK_ENOTFOUND) {
			sk_report_add(rep, file, line, "tests", N_("no test '%s' (see 'shiken test list')"), s->tests[i], NULL, NULL);
			bad++;
		} else if (g) {
			return g;
		} else {
			for (size_t k = 0; k < i; k++)
				if (res->test_ids[k] == t.id) {
					sk_report_add(rep, file, line, "tests", N_("test '%s' is listed twice"), s->tests[i], NULL, NULL);
					bad++;
				}
			res->test_ids[i] = t.id;
		}
	}
	sk_db_clear_error(db);
	char n[24], m[24];
	if (s->capacity < 0) {
		sk_report_add(rep, file, line, "capacity", N_("must not be negative"), NULL, NULL, NULL);
		bad++;
	} else if (res->venue_id && s->capacity > res->seats) {
		snprintf(n, sizeof(n), "%d", s->capacity);
		snprintf(m, sizeof(m), "%d", res->seats);
		sk_report_add(rep, file, line, "capacity", N_("%s is more than the venue's %s seats"), n, m, NULL);
		bad++;
	}
	if (sk_currency_exponent(s->fee_currency) < 0) {
		sk_report_add(rep, file, line, "currency", N_("'%s' is not an ISO 4217 currency code"), s->fee_currency, NULL, NULL);
		bad++;
	} else if (sk_money_parse(&res->fee, fee, s->fee_currency)) {
		sk_report_add(rep, file, line, "fee", N_("'%s' is not an amount in %s"), fee, s->fee_currency, NULL);
		bad++;
	}
	return bad ? SK_EINPUT : 0;
}

static const char sql_insert[] =
	"INSERT INTO sitting (code, serial, exam_date, start_time, venue_id, capacity, fee_amount,"
	" fee_currency, key_enc, created_at)"
	" VALUES (?1, (SELECT coalesce(max(serial), 0) + 1 FROM sitting), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_update[] =
	"UPDATE sitting SET exam_date = ?2, start_time = ?3, capacity = ?4, fee_amount = ?5,"
	" fee_currency = ?6 WHERE id = ?1";
static const char sql_add_test[] = "INSERT INTO sitting_test (sitting_id, test_id) VALUES (?1, ?2)";
static const char sql_drop_test[] =
	"DELETE FROM sitting_test WHERE sitting_id = ?1 AND test_id = (SELECT id FROM test WHERE code = ?2)";
static const char sql_test_used[] =
	"SELECT count(*), count(CASE WHEN r.status = 'registered' THEN 1 END)"
	" FROM registration r JOIN test t ON t.id = r.test_id"
	" WHERE r.sitting_id = ?1 AND t.code = ?2";
static const char sql_max_serial[] = "SELECT coalesce(max(serial), 0) FROM sitting";

static const char sql_payments[] =
	"SELECT count(*) FROM payment p JOIN registration r ON r.id = p.registration_id"
	" WHERE r.sitting_id = ?1";

/* Recompute the fee status of every registration of a sitting (audited by
 * sk_fee_refresh for those that change). */
static int refresh_fees(struct sk_db *db, int64_t sitting_id)
{
	static const char sql[] = "SELECT id FROM registration WHERE sitting_id = ?1 ORDER BY id";
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc = 0, step;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "reading a sitting's registrations");
	sqlite3_bind_int64(st, 1, sitting_id);
	/* Ids first: the refresh updates the rows this statement reads. */
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			int64_t *p = realloc(ids, ncap * sizeof(*ids));
			if (!p) {
				rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
				goto cleanup;
			}
			ids = p;
			cap = ncap;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	if (step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "reading a sitting's registrations");
		goto cleanup;
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = sk_fee_refresh(db, ids[i], NULL, NULL);
cleanup:
	sqlite3_finalize(st);
	free(ids);
	return rc;
}

/* A new exam date must not leave a registered candidate under the minimum
 * age of their test, which registration checked against the old date. Each
 * one is reported and *outcome set to -1. */
static int check_ages(struct sk_db *db, int64_t sitting_id, const char *new_date,
		      struct sk_report *rep, const char *file, long line, int *outcome)
{
	static const char sql[] =
		"SELECT c.reference, c.date_of_birth, c.nationality, r.test_id FROM registration r"
		" JOIN candidate c ON c.id = r.candidate_id"
		" WHERE r.sitting_id = ?1 AND r.status = 'registered' ORDER BY r.exam_number";
	struct sk_date on, dob;
	sk_date_parse(&on, new_date);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "reading a sitting's registrations");
	sqlite3_bind_int64(st, 1, sitting_id);
	struct sk_testdef *t = calloc(1, sizeof(*t)); /* the test last loaded */
	int rc = t ? 0 : sk_db_fail(db, SK_ENOMEM, "out of memory"), step = SQLITE_DONE;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t test_id = sqlite3_column_int64(st, 3);
		if (t->id != test_id && (rc = sk_testdef_get_id(db, test_id, t)))
			break;
		const char *nationality = (const char *)sqlite3_column_text(st, 2);
		int min_age = sk_testdef_min_age(t, nationality);
		if (sk_date_parse(&dob, (const char *)sqlite3_column_text(st, 1)) == 0 && min_age >= 0 &&
		    sk_date_age(&dob, &on) < min_age) {
			sk_report_add(rep, file, line, "date",
				      N_("candidate '%s' would be under the minimum age of test '%s' on %s"),
				      (const char *)sqlite3_column_text(st, 0), t->code, new_date);
			*outcome = -1;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading a sitting's registrations");
	sqlite3_finalize(st);
	free(t);
	return rc;
}

static int step_done(struct sk_db *db, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_sqlfail(db, what);
	sqlite3_reset(st);
	return rc;
}

static int has_test(const struct sk_sitting *s, const char *code)
{
	for (size_t i = 0; i < s->ntests; i++)
		if (!strcmp(s->tests[i], code))
			return 1;
	return 0;
}

static int save_in_tx(struct sk_db *db, const struct sk_sitting *s, const char *fee,
		      int *outcome, struct sk_report *rep, const char *file, long line)
{
	*outcome = 0;
	struct resolved res;
	int rc = check_sitting(db, s, fee, &res, rep, file, line);
	if (rc == SK_EINPUT) {
		*outcome = -1;
		return 0;
	}
	if (rc)
		return rc;
	/* Store the date and time one way however they were typed ("2027/2/7",
	 * "9:05"): other modules compare and sort them as text. */
	struct sk_sitting canon = *s;
	struct sk_date date;
	int minutes = 0;
	sk_date_parse(&date, s->exam_date);
	sk_date_format(canon.exam_date, &date);
	sk_time_parse(&minutes, s->start_time);
	snprintf(canon.start_time, sizeof(canon.start_time), "%02d:%02d", minutes / 60, minutes % 60);
	s = &canon;
	int capacity = s->capacity ? s->capacity : res.seats;
	char now[21];
	sk_db_now(db, now);
	struct sk_buf d = SK_BUF_INIT;
	struct sk_sitting old;
	int fee_changed = 0;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	int g = sk_sitting_get(db, s->code, &old);
	if (g && g != SK_ENOTFOUND)
		return g;
	sk_db_clear_error(db);
	sqlite3_stmt *st;
	if (g == SK_ENOTFOUND) {
		if (!(st = sk_db_stmt(db, sql_max_serial)))
			return db->err;
		int serial = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
		sqlite3_reset(st);
		if (serial >= 9999) {
			sk_report_add(rep, file, line, "sitting", N_("no sitting serial numbers left (9999 used)"), NULL, NULL, NULL);
			*outcome = -1;
			return 0;
		}
		unsigned char key[32];
		randombytes_buf(key, sizeof(key));
		char ctx[64];
		snprintf(ctx, sizeof(ctx), "sitting:%.40s", s->code);
		rc = sk_seal(db, &sealed, &sealed_len, key, sizeof(key), ctx);
		sodium_memzero(key, sizeof(key));
		if (rc)
			return rc;
		if (!(st = sk_db_stmt(db, sql_insert))) {
			rc = db->err;
			goto cleanup;
		}
		sqlite3_bind_text(st, 1, s->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, s->exam_date, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s->start_time, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, res.venue_id);
		sqlite3_bind_int(st, 5, capacity);
		sqlite3_bind_int64(st, 6, res.fee);
		sqlite3_bind_text(st, 7, s->fee_currency, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 8, sealed, (int)sealed_len, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
		if ((rc = step_done(db, st, "adding a sitting")))
			goto cleanup;
		int64_t id = sqlite3_last_insert_rowid(db->sql);
		for (size_t i = 0; i < s->ntests; i++) {
			if (!(st = sk_db_stmt(db, sql_add_test))) {
				rc = db->err;
				goto cleanup;
			}
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int64(st, 2, res.test_ids[i]);
			if ((rc = step_done(db, st, "adding a test to a sitting")))
				goto cleanup;
		}
		sk_buf_addf(&d, "{\"date\":\"%s\",\"start_time\":\"%s\",\"venue\":", s->exam_date, s->start_time);
		sk_buf_add_json_str(&d, s->venue);
		sk_buf_addf(&d, ",\"capacity\":%d,\"fee\":%lld,\"currency\":\"%s\",\"tests\":[", capacity,
			    (long long)res.fee, s->fee_currency);
		for (size_t i = 0; i < s->ntests; i++) {
			sk_buf_adds(&d, i ? "," : "");
			sk_buf_add_json_str(&d, s->tests[i]);
		}
		sk_buf_adds(&d, "]}");
		*outcome = 1;
	} else {
		if (strcmp(old.venue, s->venue)) {
			sk_report_add(rep, file, line, "venue",
				      N_("sitting '%s' is at venue '%s'; a sitting cannot move (create a new one)"),
				      s->code, old.venue, NULL);
			*outcome = -1;
			return 0;
		}
		char n[24], m[24];
		if (capacity < old.registered) {
			snprintf(n, sizeof(n), "%d", capacity);
			snprintf(m, sizeof(m), "%d", old.registered);
			sk_report_add(rep, file, line, "capacity",
				      N_("%s is less than the %s candidates already registered"), n, m, NULL);
			*outcome = -1;
			return 0;
		}
		/* Every refusal before the first write: inside an import's shared
		 * transaction a half-made change would be committed unaudited. */
		for (size_t i = 0; i < old.ntests; i++) {
			if (has_test(s, old.tests[i]))
				continue;
			if (!(st = sk_db_stmt(db, sql_test_used)))
				return db->err;
			sqlite3_bind_int64(st, 1, old.id);
			sqlite3_bind_text(st, 2, old.tests[i], -1, SQLITE_STATIC);
			int step = sqlite3_step(st);
			int used = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
			int live = step == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
			sqlite3_reset(st);
			if (step != SQLITE_ROW)
				return sk_db_sqlfail(db, "reading a sitting's registrations");
			/* Cancelled registrations keep their test too: they are the
			 * record of who was registered for what. */
			snprintf(n, sizeof(n), "%d", live ? live : used);
			if (used)
				sk_report_add(rep, file, line, "tests",
					      live ? N_("test '%s' cannot be dropped while candidates are registered for it (%s)")
						   : N_("test '%s' cannot be dropped: cancelled registrations still refer to it (%s)"),
					      old.tests[i], n, NULL);
			if (used)
				*outcome = -1;
		}
		if (strcmp(old.exam_date, s->exam_date) && old.registered &&
		    (rc = check_ages(db, old.id, s->exam_date, rep, file, line, outcome)))
			return rc;
		if (strcmp(old.fee_currency, s->fee_currency)) {
			if (!(st = sk_db_stmt(db, sql_payments)))
				return db->err;
			sqlite3_bind_int64(st, 1, old.id);
			int step = sqlite3_step(st);
			int payments = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
			sqlite3_reset(st);
			if (step != SQLITE_ROW)
				return sk_db_sqlfail(db, "reading a sitting's fee records");
			if (payments) {
				sk_report_add(rep, file, line, "currency",
					      N_("sitting '%s' has fee records in %s; its currency cannot change"),
					      s->code, old.fee_currency, NULL);
				*outcome = -1;
			}
		}
		if (*outcome < 0)
			return 0;
		sk_buf_addch(&d, '{');
		if (strcmp(old.exam_date, s->exam_date))
			sk_buf_addf(&d, "%s\"date\":[\"%s\",\"%s\"]", d.len > 1 ? "," : "", old.exam_date, s->exam_date);
		if (strcmp(old.start_time, s->start_time))
			sk_buf_addf(&d, "%s\"start_time\":[\"%s\",\"%s\"]", d.len > 1 ? "," : "", old.start_time, s->start_time);
		if (old.capacity != capacity)
			sk_buf_addf(&d, "%s\"capacity\":[%d,%d]", d.len > 1 ? "," : "", old.capacity, capacity);
		if (old.fee_amount != res.fee || strcmp(old.fee_currency, s->fee_currency))
			sk_buf_addf(&d, "%s\"fee\":[\"%lld %s\",\"%lld %s\"]", d.len > 1 ? "," : "",
				    (long long)old.fee_amount, old.fee_currency, (long long)res.fee, s->fee_currency);
		for (size_t i = 0; i < old.ntests; i++) {
			if (has_test(s, old.tests[i]))
				continue;
			if (!(st = sk_db_stmt(db, sql_drop_test))) {
				rc = db->err;
				goto cleanup;
			}
			sqlite3_bind_int64(st, 1, old.id);
			sqlite3_bind_text(st, 2, old.tests[i], -1, SQLITE_STATIC);
			if ((rc = step_done(db, st, "dropping a test from a sitting")))
				goto cleanup;
			sk_buf_addf(&d, "%s\"test dropped\":", d.len > 1 ? "," : "");
			sk_buf_add_json_str(&d, old.tests[i]);
		}
		for (size_t i = 0; i < s->ntests; i++) {
			if (has_test(&old, s->tests[i]))
				continue;
			if (!(st = sk_db_stmt(db, sql_add_test))) {
				rc = db->err;
				goto cleanup;
			}
			sqlite3_bind_int64(st, 1, old.id);
			sqlite3_bind_int64(st, 2, res.test_ids[i]);
			if ((rc = step_done(db, st, "adding a test to a sitting")))
				goto cleanup;
			sk_buf_addf(&d, "%s\"test added\":", d.len > 1 ? "," : "");
			sk_buf_add_json_str(&d, s->tests[i]);
		}
		sk_buf_addch(&d, '}');
		if (d.len <= 2)
			goto cleanup;
		if (!(st = sk_db_stmt(db, sql_update))) {
			rc = db->err;
			goto cleanup;
		}
		sqlite3_bind_int64(st, 1, old.id);
		sqlite3_bind_text(st, 2, s->exam_date, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, s->start_time, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, capacity);
		sqlite3_bind_int64(st, 5, res.fee);
		sqlite3_bind_text(st, 6, s->fee_currency, -1, SQLITE_STATIC);
		if ((rc = step_done(db, st, "updating a sitting")))
			goto cleanup;
		*outcome = 2;
		/* A fee status is worked out against the sitting's fee: raised,
		 * lowered or dropped, it is worked out again (after the sitting's
		 * own audit record, so the log reads cause, then effects). */
		fee_changed = old.fee_amount != res.fee || strcmp(old.fee_currency, s->fee_currency);
	}
	if (sk_buf_failed(&d))
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	else
		rc = sk_audit_append(db, "sitting", s->code, *outcome == 1 ? "create" : "update", d.buf);
	if (!rc && fee_changed)
		rc = refresh_fees(db, old.id);
cleanup:
	sk_buf_release(&d);
	free(sealed);
	return rc;
}

int sk_sitting_save(struct sk_db *db, const struct sk_sitting *s, const char *fee,
		    int *outcome, struct sk_report *rep)
{
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	if ((rc = save_in_tx(db, s, fee, outcome, rep, NULL, 0)) || *outcome < 0) {
		sk_db_rollback(db);
		return rc ? rc : SK_EINPUT;
	}
	return sk_db_commit(db);
}

enum { S_SITTING, S_DATE, S_TIME, S_VENUE, S_TESTS, S_CAPACITY, S_FEE, S_CURRENCY, NCOLS };
static const struct sk_csv_col columns[] = {
	{ "sitting", "試験回", SK_CSV_REQUIRED }, { "date", "試験日", SK_CSV_REQUIRED },
	{ "start_time", "開始時刻", SK_CSV_REQUIRED }, { "venue", "会場コード", SK_CSV_REQUIRED },
	{ "tests", "試験区分", SK_CSV_REQUIRED },    { "capacity", "定員", 0 },
	{ "fee", "受験料", SK_CSV_REQUIRED },        { "currency", "通貨", SK_CSV_REQUIRED },
};

/* Split "MM1;EE1" or "MM1 EE1" into s->tests; -1 when there are too many. */
static int split_tests(struct sk_sitting *s, const char *list)
{
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", list);
	char *save = NULL;
	for (char *tok = strtok_r(tmp, "; ,", &save); tok; tok = strtok_r(NULL, "; ,", &save)) {
		if (s->ntests >= 16)
			return -1;
		snprintf(s->tests[s->ntests++], sizeof(s->tests[0]), "%s", tok);
	}
	return 0;
}

int sk_sitting_parse_tests(struct sk_sitting *s, const char *list)
{
	return split_tests(s, list);
}

int sk_sitting_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		      struct sk_import_stats *stats, struct sk_report *rep)
{
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct sk_rowset rs = { 0 };
	int col[NCOLS];
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	if ((rc = sk_csv_map(&doc, columns, NCOLS, opts->ignore_unknown, col, rep)))
		goto cleanup;
	if (sk_rowset_init(&rs, doc.count)) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	stats->rows = doc.count - 1;
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	for (size_t i = 1; i < doc.count; i++) {
		const struct sk_csv_record *rec = &doc.records[i];
		if (sk_csv_check_width(&doc, rec, rep)) {
			rs.bad[i] = 1;
			continue;
		}
		const char *f[NCOLS];
		for (int c = 0; c < NCOLS; c++)
			f[c] = sk_csv_field(rec, col[c]);
		for (size_t k = 1; k < i; k++) {
			if (!strcmp(sk_csv_field(&doc.records[k], col[S_SITTING]), f[S_SITTING])) {
				char first[24];
				snprintf(first, sizeof(first), "%ld", doc.records[k].line);
				sk_report_add(rep, doc.name, rec->line, "sitting",
					      N_("'%s' appears again (first on line %s)"), f[S_SITTING], first, NULL);
				rs.bad[i] = 1;
				break;
			}
		}
		if (rs.bad[i])
			continue;
		struct sk_sitting s;
		memset(&s, 0, sizeof(s));
		snprintf(s.code, sizeof(s.code), "%s", f[S_SITTING]);
		struct sk_date d;
		if (!sk_date_parse(&d, f[S_DATE]))
			sk_date_format(s.exam_date, &d);
		else
			snprintf(s.exam_date, sizeof(s.exam_date), "%s", f[S_DATE]);
		snprintf(s.start_time, sizeof(s.start_time), "%s", f[S_TIME]);
		if (strlen(f[S_TIME]) >= sizeof(s.start_time))
			snprintf(s.start_time, sizeof(s.start_time), "?");
		snprintf(s.venue, sizeof(s.venue), "%s", f[S_VENUE]);
		snprintf(s.fee_currency, sizeof(s.fee_currency), "%s", f[S_CURRENCY]);
		if (strlen(f[S_CURRENCY]) >= sizeof(s.fee_currency))
			snprintf(s.fee_currency, sizeof(s.fee_currency), "?");
		for (char *p = s.fee_currency; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		int bad = 0;
		if (split_tests(&s, f[S_TESTS])) {
			sk_report_add(rep, doc.name, rec->line, "tests", N_("a sitting offers at most %s tests"), "16", NULL, NULL);
			bad = 1;
		}
		if (*f[S_CAPACITY]) {
			char *end = NULL;
			errno = 0;
			long c = strtol(f[S_CAPACITY], &end, 10);
			if (errno || *end || c < 1 || c > 1000000) {
				sk_report_add(rep, doc.name, rec->line, "capacity",
					      N_("'%s' is not a number of seats"), f[S_CAPACITY], NULL, NULL);
				bad = 1;
			} else {
				s.capacity = (int)c;
			}
		}
		if (bad) {
			rs.bad[i] = 1;
			continue;
		}
		int outcome = 0;
		if ((rc = save_in_tx(db, &s, f[S_FEE], &outcome, rep, doc.name, rec->line))) {
			sk_db_rollback(db);
			goto cleanup;
		}
		if (outcome < 0)
			rs.bad[i] = 1;
		else if (outcome == 1)
			stats->added++;
		else if (outcome == 2)
			stats->updated++;
		else
			stats->unchanged++;
	}
	rc = sk_import_end(db, &doc, &rs, opts, rep, stats);
cleanup:
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}
