/*
 * Registrations and seating. Imports keep, per sitting, a cache of its key,
 * rooms and taken seats for the length of the transaction, so seating 10,000
 * candidates costs one scan of the free seats per registration and no
 * queries beyond the inserts.
 */
#include "core/registration.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "core/text.h"
#include "core/venue.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seat_room {
	int64_t id;
	char code[24];
	int rows, cols;
	unsigned char *taken; /* rows*cols */
};

struct sitting_cache {
	struct sitting_cache *next;
	struct sk_sitting s;
	struct sk_date date;
	unsigned char key[32];
	int registered;
	size_t nrooms;
	struct seat_room rooms[64];
};

struct test_cache {
	struct test_cache *next;
	struct sk_testdef t;
};

struct reg_ctx {
	struct sk_db *db;
	struct sk_report *rep;
	const char *file;
	long line;
	struct sitting_cache *sittings;
	struct test_cache *tests;
};

static void ctx_release(struct reg_ctx *c)
{
	for (struct sitting_cache *s = c->sittings, *n; s; s = n) {
		n = s->next;
		for (size_t i = 0; i < s->nrooms; i++)
			free(s->rooms[i].taken);
		sodium_memzero(s->key, sizeof(s->key));
		free(s);
	}
	for (struct test_cache *t = c->tests, *n; t; t = n) {
		n = t->next;
		free(t);
	}
	c->sittings = NULL;
	c->tests = NULL;
}

static const char sql_taken[] =
	"SELECT room_id, seat_row, seat_col FROM registration"
	" WHERE sitting_id = ?1 AND status = 'registered'";

/* The cached sitting, loading it on first use. NULL with *rc = 0 when the
 * sitting does not exist (reported), or *rc set on error. */
static struct sitting_cache *get_sitting(struct reg_ctx *c, const char *code, int *rc)
{
	*rc = 0;
	for (struct sitting_cache *s = c->sittings; s; s = s->next)
		if (!strcmp(s->s.code, code))
			return s;
	struct sitting_cache *s = calloc(1, sizeof(*s));
	struct sk_venue *v = malloc(sizeof(*v));
	if (!s || !v) {
		free(s);
		free(v);
		*rc = sk_db_fail(c->db, SK_ENOMEM, "out of memory");
		return NULL;
	}
	int g = sk_sitting_get(c->db, code, &s->s);
	if (g == SK_ENOTFOUND) {
		sk_db_clear_error(c->db);
		sk_report_add(c->rep, c->file, c->line, "sitting",
			      N_("no sitting '%s' (see 'shiken sitting list')"), code, NULL, NULL);
		goto fail;
	}
	if (g || (g = sk_venue_get(c->db, s->s.venue, v)) || (g = sk_sitting_key(c->db, s->s.id, s->key))) {
		*rc = g;
		goto fail;
	}
	sk_date_parse(&s->date, s->s.exam_date);
	s->registered = s->s.registered;
	for (size_t i = 0; i < v->nrooms; i++) {
		struct seat_room *r = &s->rooms[s->nrooms++];
		r->id = v->rooms[i].id;
		snprintf(r->code, sizeof(r->code), "%s", v->rooms[i].code);
		r->rows = v->rooms[i].rows;
		r->cols = v->rooms[i].cols;
		r->taken = calloc((size_t)(r->rows * r->cols), 1);
		if (!r->taken) {
			*rc = sk_db_fail(c->db, SK_ENOMEM, "out of memory");
			goto fail;
		}
	}
	sqlite3_stmt *st = sk_db_stmt(c->db, sql_taken);
	if (!st) {
		*rc = c->db->err;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, s->s.id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t room = sqlite3_column_int64(st, 0);
		int row = sqlite3_column_int(st, 1), col = sqlite3_column_int(st, 2);
		for (size_t i = 0; i < s->nrooms; i++) {
			struct seat_room *r = &s->rooms[i];
			if (r->id == room && row >= 1 && row <= r->rows && col >= 1 && col <= r->cols)
				r->taken[(row - 1) * r->cols + (col - 1)] = 1;
		}
	}
	sqlite3_reset(st);
	free(v);
	s->next = c->sittings;
	c->sittings = s;
	return s;
fail:
	free(v);
	for (size_t i = 0; i < s->nrooms; i++)
		free(s->rooms[i].taken);
	sodium_memzero(s->key, sizeof(s->key));
	free(s);
	return NULL;
}

static struct sk_testdef *get_test(struct reg_ctx *c, const char *code, int *rc)
{
	*rc = 0;
	for (struct test_cache *t = c->tests; t; t = t->next)
		if (!strcmp(t->t.code, code))
			return &t->t;
	struct test_cache *t = calloc(1, sizeof(*t));
	if (!t) {
		*rc = sk_db_fail(c->db, SK_ENOMEM, "out of memory");
		return NULL;
	}
	int g = sk_testdef_get(c->db, code, &t->t);
	if (g) {
		free(t);
		if (g == SK_ENOTFOUND) {
			sk_db_clear_error(c->db);
			sk_report_add(c->rep, c->file, c->line, "test",
				      N_("no test '%s' (see 'shiken test list')"), code, NULL, NULL);
		} else {
			*rc = g;
		}
		return NULL;
	}
	t->next = c->tests;
	c->tests = t;
	return &t->t;
}

static const char sql_candidate[] =
	"SELECT id, date_of_birth, nationality FROM candidate WHERE reference = ?1";
static const char sql_existing[] =
	"SELECT r.exam_number, t.code FROM registration r JOIN test t ON t.id = r.test_id"
	" WHERE r.sitting_id = ?1 AND r.candidate_id = ?2 AND r.status = 'registered'";
static const char sql_next_seq[] = "SELECT next_seq FROM sitting WHERE id = ?1";
static const char sql_bump_seq[] = "UPDATE sitting SET next_seq = next_seq + 1 WHERE id = ?1";
static const char sql_insert[] =
	"INSERT INTO registration (exam_number, sitting_id, test_id, candidate_id, room_id,"
	" seat_row, seat_col, fee_status, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

#define REFUSE(field, fmt, a0, a1, a2) \
	do { \
		sk_report_add(c->rep, c->file, c->line, (field), (fmt), (a0), (a1), (a2)); \
		*outcome = -1; \
		goto cleanup; \
	} while (0)

static int register_one(struct reg_ctx *c, const char *reference, const char *sitting,
			const char *test, const char *room, char out_examno[SK_EXAMNO_LEN + 1],
			int *outcome)
{
	struct sk_db *db = c->db;
	int rc = 0;
	*outcome = 0;
	if (out_examno)
		out_examno[0] = '\0';
	char n1[24], n2[24];

	sqlite3_stmt *st = sk_db_stmt(db, sql_candidate);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, reference, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		sk_report_add(c->rep, c->file, c->line, "reference",
			      N_("no candidate '%s' (import candidates first)"), reference, NULL, NULL);
		*outcome = -1;
		return 0;
	}
	int64_t cand_id = sqlite3_column_int64(st, 0);
	struct sk_date dob;
	sk_date_parse(&dob, (const char *)sqlite3_column_text(st, 1));
	char nationality[3];
	snprintf(nationality, sizeof(nationality), "%s", (const char *)sqlite3_column_text(st, 2));
	sqlite3_reset(st);

	struct sitting_cache *s = get_sitting(c, sitting, &rc);
	if (!s) {
		if (!rc)
			*outcome = -1;
		return rc;
	}
	struct sk_testdef *t = get_test(c, test, &rc);
	if (!t) {
		if (!rc)
			*outcome = -1;
		return rc;
	}
	int offered = 0;
	for (size_t i = 0; i < s->s.ntests; i++)
		if (!strcmp(s->s.tests[i], t->code))
			offered = 1;
	if (!offered) {
		struct sk_buf list = SK_BUF_INIT;
		for (size_t i = 0; i < s->s.ntests; i++) {
			if (i)
				sk_buf_adds(&list, ", ");
			sk_buf_adds(&list, s->s.tests[i]);
		}
		sk_report_add(c->rep, c->file, c->line, "test",
			      N_("sitting '%s' does not offer test '%s' (it offers %s)"), s->s.code,
			      t->code, list.buf);
		sk_buf_release(&list);
		*outcome = -1;
		return 0;
	}
	struct seat_room *only = NULL;
	if (room && *room) {
		for (size_t i = 0; i < s->nrooms; i++)
			if (!strcmp(s->rooms[i].code, room))
				only = &s->rooms[i];
		if (!only)
			REFUSE("room", N_("venue '%s' has no room '%s'"), s->s.venue, room, NULL);
	}

	st = sk_db_stmt(db, sql_existing);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, s->s.id);
	sqlite3_bind_int64(st, 2, cand_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char examno[SK_EXAMNO_LEN + 1], other[16];
		snprintf(examno, sizeof(examno), "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(other, sizeof(other), "%s", (const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
		if (!strcmp(other, t->code)) {
			if (out_examno)
				memcpy(out_examno, examno, sizeof(examno));
			return 0; /* the same registration again */
		}
		REFUSE("test", N_("already registered in sitting '%s' for test '%s' (exam number %s); a candidate sits one test per sitting"),
		       s->s.code, other, examno);
	}
	sqlite3_reset(st);

	struct sk_date today;
	sk_date_from_time(&today, sk_db_now_seconds(db));
	if (sk_date_cmp(&s->date, &today) < 0)
		REFUSE("sitting", N_("sitting '%s' took place on %s; it takes no more registrations"), s->s.code,
		       s->s.exam_date, NULL);

	int min_age = sk_testdef_min_age(t, nationality);
	int age = sk_date_age(&dob, &s->date);
	if (min_age >= 0 && age < min_age) {
		snprintf(n1, sizeof(n1), "%d", age);
		snprintf(n2, sizeof(n2), "%d", min_age);
		/* Say so when a rule for the nationality applies: the test's
		 * general minimum (17) alone would not explain the refusal. */
		int by_nationality = 0;
		for (size_t i = 0; i < t->nrules; i++)
			if (t->rules[i].nationality[0] && !strcmp(t->rules[i].nationality, nationality))
				by_nationality = 1;
		if (by_nationality)
			REFUSE("reference", N_("candidate is %s on the exam date; nationals of %s must be at least %s"),
			       n1, nationality, n2);
		REFUSE("reference", N_("candidate is %s on the exam date; test '%s' requires at least %s"),
		       n1, t->code, n2);
	}
	if (s->registered >= s->s.capacity) {
		snprintf(n1, sizeof(n1), "%d", s->s.capacity);
		REFUSE("sitting", N_("sitting '%s' is full (capacity %s)"), s->s.code, n1, NULL);
	}

	/* Exam number first: the seat draw is keyed by it. */
	st = sk_db_stmt(db, sql_next_seq);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, s->s.id);
	int seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (seq < 1 || seq > 99999)
		REFUSE("sitting", N_("sitting '%s' has used all its exam numbers"), s->s.code, NULL, NULL);
	char examno[SK_EXAMNO_LEN + 1];
	sk_examno_format(examno, s->s.serial, seq);

	size_t nfree = 0;
	for (size_t i = 0; i < s->nrooms; i++) {
		struct seat_room *r = &s->rooms[i];
		if (only && r != only)
			continue;
		for (int k = 0; k < r->rows * r->cols; k++)
			nfree += !r->taken[k];
	}
	if (nfree == 0) {
		if (only)
			REFUSE("room", N_("room '%s' is full"), only->code, NULL, NULL);
		/* Below its capacity, yet no seat: the rooms shrank after the
		 * capacity was set. Say that, not "full (capacity N)". */
		int seats = 0;
		for (size_t i = 0; i < s->nrooms; i++)
			seats += s->rooms[i].rows * s->rooms[i].cols;
		snprintf(n1, sizeof(n1), "%d", seats);
		snprintf(n2, sizeof(n2), "%d", s->s.capacity);
		REFUSE("sitting", N_("sitting '%s' has no free seat: its rooms have %s seats for a capacity of %s"),
		       s->s.code, n1, n2);
	}
	struct sk_draw draw;
	sk_draw_init(&draw, s->key, "seat", examno, strlen(examno));
	uint64_t pick = sk_draw_uniform(&draw, nfree);
	sk_draw_done(&draw);
	struct seat_room *seat_room = NULL;
	int seat_index = -1;
	for (size_t i = 0; i < s->nrooms && !seat_room; i++) {
		struct seat_room *r = &s->rooms[i];
		if (only && r != only)
			continue;
		for (int k = 0; k < r->rows * r->cols; k++) {
			if (r->taken[k])
				continue;
			if (pick-- == 0) {
				seat_room = r;
				seat_index = k;
				break;
			}
		}
	}
	int row = seat_index / seat_room->cols + 1, col = seat_index % seat_room->cols + 1;

	char now[21];
	sk_db_now(db, now);
	st = sk_db_stmt(db, sql_insert);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, examno, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, s->s.id);
	sqlite3_bind_int64(st, 3, t->id);
	sqlite3_bind_int64(st, 4, cand_id);
	sqlite3_bind_int64(st, 5, seat_room->id);
	sqlite3_bind_int(st, 6, row);
	sqlite3_bind_int(st, 7, col);
	sqlite3_bind_text(st, 8, s->s.fee_amount == 0 ? "waived" : "unpaid", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "adding a registration");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	st = sk_db_stmt(db, sql_bump_seq);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, s->s.id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "numbering a registration");
		sqlite3_reset(st);
		return rc;
	}
	sqlite3_reset(st);
	seat_room->taken[seat_index] = 1;
	s->registered++;

	char label[16];
	sk_seat_label(label, row, col);
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_adds(&d, "{\"candidate\":");
	sk_buf_add_json_str(&d, reference);
	sk_buf_adds(&d, ",\"sitting\":");
	sk_buf_add_json_str(&d, s->s.code);
	sk_buf_adds(&d, ",\"test\":");
	sk_buf_add_json_str(&d, t->code);
	sk_buf_adds(&d, ",\"room\":");
	sk_buf_add_json_str(&d, seat_room->code);
	sk_buf_addf(&d, ",\"seat\":\"%s\"}", label);
	rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
			       : sk_audit_append(db, "registration", examno, "create", d.buf);
	sk_buf_release(&d);
	if (rc)
		return rc;
	if (out_examno)
		memcpy(out_examno, examno, sizeof(examno));
	*outcome = 1;
cleanup:
	return rc;
}

int sk_register(struct sk_db *db, const char *reference, const char *sitting, const char *test,
		const char *room, char out_exam_number[SK_EXAMNO_LEN + 1], int *outcome,
		struct sk_report *rep)
{
	struct reg_ctx c = { .db = db, .rep = rep };
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	rc = register_one(&c, reference, sitting, test, room, out_exam_number, outcome);
	ctx_release(&c);
	if (rc || *outcome < 0) {
		sk_db_rollback(db);
		return rc ? rc : SK_EINPUT;
	}
	return sk_db_commit(db);
}

enum { R_REFERENCE, R_SITTING, R_TEST, R_ROOM, NCOLS };
static const struct sk_csv_col columns[] = {
	{ "reference", "申込番号", SK_CSV_REQUIRED },
	{ "sitting", "試験回", SK_CSV_REQUIRED },
	{ "test", "試験区分", SK_CSV_REQUIRED },
	{ "room", "教室", 0 },
};

int sk_register_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		       struct sk_import_stats *stats, struct sk_report *rep)
{
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct sk_rowset rs = { 0 };
	struct reg_ctx c = { .db = db, .rep = rep };
	int col[NCOLS];
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	c.file = doc.name;
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
		c.line = rec->line;
		if (sk_csv_check_width(&doc, rec, rep)) {
			rs.bad[i] = 1;
			continue;
		}
		const char *f[NCOLS];
		for (int k = 0; k < NCOLS; k++)
			f[k] = sk_csv_field(rec, col[k]);
		int missing = 0;
		for (int k = 0; k < R_ROOM; k++)
			if (!*f[k]) {
				sk_report_add(rep, doc.name, rec->line, columns[k].name, N_("is empty"), NULL, NULL, NULL);
				missing = 1;
			}
		if (missing) {
			rs.bad[i] = 1;
			continue;
		}
		int outcome = 0;
		if ((rc = register_one(&c, f[R_REFERENCE], f[R_SITTING], f[R_TEST], f[R_ROOM], NULL, &outcome))) {
			sk_db_rollback(db);
			goto cleanup;
		}
		if (outcome < 0)
			rs.bad[i] = 1;
		else if (outcome == 1)
			stats->added++;
		else
			stats->unchanged++;
		if (opts->progress && (i % 512 == 0 || i + 1 == doc.count))
			opts->progress(opts->progress_payload, i, doc.count - 1);
	}
	rc = sk_import_end(db, &doc, &rs, opts, rep, stats);
cleanup:
	ctx_release(&c);
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}

int sk_register_cancel(struct sk_db *db, const char *exam_number, const char *reason)
{
	static const char sql[] = "UPDATE registration SET status = 'cancelled'"
				  " WHERE exam_number = ?1 AND status = 'registered'";
	struct sk_registration r;
	int rc = sk_registration_get(db, exam_number, &r);
	if (rc)
		return rc;
	if (strcmp(r.status, "registered"))
		return sk_db_fail(db, SK_ECONFLICT, "registration %s is already cancelled", exam_number);
	if ((rc = sk_db_begin(db)))
		return rc;
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_text(st, 1, r.exam_number, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db->sql) != 1) {
		rc = sk_db_sqlfail(db, "cancelling a registration");
		sqlite3_reset(st);
		goto fail;
	}
	sqlite3_reset(st);
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_adds(&d, "{\"reason\":");
	sk_buf_add_json_str(&d, reason ? reason : "");
	sk_buf_addf(&d, ",\"seat\":\"%s %s\"}", r.room, r.seat);
	rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
			       : sk_audit_append(db, "registration", r.exam_number, "cancel", d.buf);
	sk_buf_release(&d);
	if (rc)
		goto fail;
	return sk_db_commit(db);
fail:
	sk_db_rollback(db);
	return rc;
}

#define REG_SELECT \
	"SELECT r.id, r.exam_number, s.code, s.exam_date, t.code, c.reference, c.family_name," \
	" c.given_name, c.nationality, rm.code, r.seat_row, r.seat_col, r.fee_status, r.status," \
	" r.created_at FROM registration r" \
	" JOIN sitting s ON s.id = r.sitting_id JOIN test t ON t.id = r.test_id" \
	" JOIN candidate c ON c.id = r.candidate_id JOIN room rm ON rm.id = r.room_id"

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

static void fill(sqlite3_stmt *st, struct sk_registration *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	copy_col(r->exam_number, sizeof(r->exam_number), st, 1);
	copy_col(r->sitting, sizeof(r->sitting), st, 2);
	copy_col(r->exam_date, sizeof(r->exam_date), st, 3);
	copy_col(r->test, sizeof(r->test), st, 4);
	copy_col(r->reference, sizeof(r->reference), st, 5);
	copy_col(r->family_name, sizeof(r->family_name), st, 6);
	copy_col(r->given_name, sizeof(r->given_name), st, 7);
	copy_col(r->nationality, sizeof(r->nationality), st, 8);
	copy_col(r->room, sizeof(r->room), st, 9);
	r->seat_row = sqlite3_column_int(st, 10);
	r->seat_col = sqlite3_column_int(st, 11);
	sk_seat_label(r->seat, r->seat_row, r->seat_col);
	copy_col(r->fee_status, sizeof(r->fee_status), st, 12);
	copy_col(r->status, sizeof(r->status), st, 13);
	copy_col(r->created_at, sizeof(r->created_at), st, 14);
}

int sk_registration_get(struct sk_db *db, const char *exam_number, struct sk_registration *out)
{
	static const char sql[] = REG_SELECT " WHERE r.exam_number = ?1";
	memset(out, 0, sizeof(*out));
	char canon[SK_EXAMNO_LEN + 1];
	int p = sk_examno_parse(canon, exam_number, NULL, NULL);
	if (p == SK_EINPUT)
		return sk_db_fail(db, SK_EINPUT, "'%s' is not an exam number (like 0001-00042-6)", exam_number);
	if (p == SK_EVERIFY)
		return sk_db_fail(db, SK_EINPUT, "'%s' has a wrong check digit (mistyped?)", exam_number);
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		fill(st, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = sk_db_fail(db, SK_ENOTFOUND, "no registration with exam number %s", canon);
	} else {
		rc = sk_db_sqlfail(db, "reading a registration");
	}
	sqlite3_reset(st);
	return rc;
}

int sk_registration_foreach(struct sk_db *db, const struct sk_registration_filter *f,
			    int (*cb)(void *payload, const struct sk_registration *r),
			    void *payload)
{
	static const char sql[] = REG_SELECT
		" WHERE (?1 IS NULL OR s.code = ?1) AND (?2 IS NULL OR t.code = ?2)"
		" AND (?3 IS NULL OR c.reference = ?3) AND (?4 IS NULL OR rm.code = ?4)"
		" AND (?5 = 0 OR r.fee_status IN ('unpaid', 'refunded'))"
		" AND (?6 = 1 OR r.status = 'registered')"
		" ORDER BY s.exam_date, s.code, r.exam_number";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "listing registrations");
	if (f && f->sitting)
		sqlite3_bind_text(st, 1, f->sitting, -1, SQLITE_STATIC);
	if (f && f->test)
		sqlite3_bind_text(st, 2, f->test, -1, SQLITE_STATIC);
	if (f && f->reference)
		sqlite3_bind_text(st, 3, f->reference, -1, SQLITE_STATIC);
	if (f && f->room)
		sqlite3_bind_text(st, 4, f->room, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, f && f->unpaid_only);
	sqlite3_bind_int(st, 6, f && f->include_cancelled);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_registration r;
		fill(st, &r);
		if ((rc = cb(payload, &r)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing registrations");
	sqlite3_finalize(st);
	return rc;
}
