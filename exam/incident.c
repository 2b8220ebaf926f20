/*
 * Incidents at a sitting (exam/incident.h): recorded one at a time by the
 * proctor's report, in the transaction that audits them, and listed with
 * the registration they concern and its result so far.
 */
#include "exam/incident.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/import.h"
#include "core/registration.h"
#include "core/text.h"
#include "core/venue.h"

#include <stdio.h>
#include <string.h>

static const char *const kinds[] = { "cheating", "impersonation", "disruption", "other", NULL };

int sk_incident_kind_valid(const char *kind)
{
	for (int i = 0; kind && kinds[i]; i++)
		if (!strcmp(kind, kinds[i]))
			return 1;
	return 0;
}

#define INCIDENT_SELECT \
	"SELECT i.id, r.exam_number, s.code, s.exam_date, t.code, c.reference, c.family_name," \
	" c.given_name, rm.code, r.seat_row, r.seat_col, i.kind, i.disqualify, i.note, i.proctor," \
	" i.created_at," \
	" CASE WHEN r.status = 'cancelled' THEN 'cancelled' ELSE COALESCE(res.outcome, 'pending') END" \
	" FROM incident i JOIN registration r ON r.id = i.registration_id" \
	" JOIN sitting s ON s.id = r.sitting_id JOIN test t ON t.id = r.test_id" \
	" JOIN candidate c ON c.id = r.candidate_id JOIN room rm ON rm.id = r.room_id" \
	" LEFT JOIN result res ON res.registration_id = r.id"

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

static void fill(sqlite3_stmt *st, struct sk_incident *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	copy_col(out->exam_number, sizeof(out->exam_number), st, 1);
	copy_col(out->sitting, sizeof(out->sitting), st, 2);
	copy_col(out->exam_date, sizeof(out->exam_date), st, 3);
	copy_col(out->test, sizeof(out->test), st, 4);
	copy_col(out->reference, sizeof(out->reference), st, 5);
	copy_col(out->family_name, sizeof(out->family_name), st, 6);
	copy_col(out->given_name, sizeof(out->given_name), st, 7);
	copy_col(out->room, sizeof(out->room), st, 8);
	sk_seat_label(out->seat, sqlite3_column_int(st, 9), sqlite3_column_int(st, 10));
	copy_col(out->kind, sizeof(out->kind), st, 11);
	out->disqualify = sqlite3_column_int(st, 12);
	copy_col(out->note, sizeof(out->note), st, 13);
	copy_col(out->proctor, sizeof(out->proctor), st, 14);
	copy_col(out->created_at, sizeof(out->created_at), st, 15);
	copy_col(out->outcome, sizeof(out->outcome), st, 16);
}

static int get_by_id(struct sk_db *db, int64_t id, struct sk_incident *out)
{
	static const char sql[] = INCIDENT_SELECT " WHERE i.id = ?1";
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st), rc = 0;
	if (step == SQLITE_ROW)
		fill(st, out);
	else
		rc = sk_db_sqlfail(db, "reading an incident");
	sqlite3_reset(st);
	return rc;
}

/* A free-text value: required, at most max characters, no control
 * characters, no formula lead. Returns 1 when it is fine. */
static int check_text(struct sk_report *rep, const char *field, const char *value, size_t max)
{
	char limit[24] = "";
	const char *why;
	if (!value || sk_text_blank(value))
		why = N_("is empty");
	else
		why = sk_check_text(value, max, limit);
	/* A line break would not survive a one-line listing; the note is one
	 * statement. */
	if (!why && strchr(value, '\n'))
		why = N_("contains a line break");
	if (!why)
		return 1;
	sk_report_add(rep, NULL, 0, field, why, limit, NULL, NULL);
	return 0;
}

int sk_incident_add(int *out_added, struct sk_incident *out, struct sk_db *db, const char *exam_number,
		    const char *kind, int disqualify, const char *note, const char *proctor,
		    struct sk_report *rep)
{
	static const char same_sql[] =
		"SELECT id FROM incident WHERE registration_id = ?1 AND kind = ?2 AND disqualify = ?3"
		" AND note = ?4 AND proctor = ?5 ORDER BY id LIMIT 1";
	static const char insert_sql[] =
		"INSERT INTO incident (registration_id, kind, disqualify, note, proctor, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	char canon[SK_EXAMNO_LEN + 1];
	struct sk_registration reg;
	struct sk_buf detail = SK_BUF_INIT;
	int64_t id = 0;
	int ok = 1, rc;

	if (out_added)
		*out_added = 0;
	if (out)
		memset(out, 0, sizeof(*out));
	disqualify = disqualify != 0;
	rc = sk_examno_parse(canon, exam_number ? exam_number : "", NULL, NULL);
	if (rc == SK_EVERIFY) {
		sk_report_add(rep, NULL, 0, "exam_number", N_("'%s' has a wrong check digit (mistyped?)"), exam_number,
			      NULL, NULL);
		ok = 0;
	} else if (rc) {
		sk_report_add(rep, NULL, 0, "exam_number", N_("'%s' is not an exam number (like 0001-00042-6)"),
			      exam_number ? exam_number : "", NULL, NULL);
		ok = 0;
	}
	if (!sk_incident_kind_valid(kind)) {
		sk_report_add(rep, NULL, 0, "kind", N_("'%s' is not one of cheating, impersonation, disruption, other"),
			      kind ? kind : "", NULL, NULL);
		ok = 0;
	}
	ok &= check_text(rep, "note", note, SK_INCIDENT_NOTE_MAX);
	ok &= check_text(rep, "proctor", proctor, SK_INCIDENT_PROCTOR_MAX);
	if (!ok)
		return SK_EINPUT;

	if ((rc = sk_registration_get(db, canon, &reg)))
		return rc;
	if (!strcmp(reg.status, "cancelled"))
		return sk_db_fail(db, SK_ECONFLICT, "registration %s is cancelled: no incident can be recorded",
				  reg.exam_number);
	if ((rc = sk_db_begin(db)))
		return rc;

	sqlite3_stmt *st = sk_db_stmt(db, same_sql);
	if (!st) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, reg.id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, disqualify);
	sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, proctor, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "reading incidents");
		goto fail;
	}
	if (!id) {
		char now[21];
		sk_db_now(db, now);
		if (!(st = sk_db_stmt(db, insert_sql))) {
			rc = db->err;
			goto fail;
		}
		sqlite3_bind_int64(st, 1, reg.id);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, disqualify);
		sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, proctor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
		step = sqlite3_step(st);
		sqlite3_reset(st);
		if (step != SQLITE_DONE) {
			rc = sk_db_sqlfail(db, "recording an incident");
			goto fail;
		}
		id = sqlite3_last_insert_rowid(db->sql);
		sk_buf_addf(&detail, "{\"id\":%lld,\"kind\":", (long long)id);
		sk_buf_add_json_str(&detail, kind);
		sk_buf_addf(&detail, ",\"disqualify\":%s,\"note\":", disqualify ? "true" : "false");
		sk_buf_add_json_str(&detail, note);
		sk_buf_adds(&detail, ",\"proctor\":");
		sk_buf_add_json_str(&detail, proctor);
		sk_buf_adds(&detail, "}");
		rc = sk_buf_failed(&detail) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
					    : sk_audit_append(db, "incident", reg.exam_number, "create", detail.buf);
		if (rc)
			goto fail;
		if (out_added)
			*out_added = 1;
	}
	if (out && (rc = get_by_id(db, id, out)))
		goto fail;
	if ((rc = sk_db_commit(db)))
		goto fail_committed;
	sk_buf_release(&detail);
	return 0;

fail:
	sk_db_rollback(db);
fail_committed:
	sk_buf_release(&detail);
	if (out_added)
		*out_added = 0;
	if (out)
		memset(out, 0, sizeof(*out));
	return rc;
}

int sk_incident_foreach(struct sk_db *db, const struct sk_incident_filter *filter,
			int (*cb)(void *payload, const struct sk_incident *i), void *payload)
{
	static const char sql[] = INCIDENT_SELECT
		" WHERE (?1 IS NULL OR s.code = ?1) AND (?2 IS NULL OR r.exam_number = ?2)"
		" ORDER BY s.exam_date, s.code, r.exam_number, i.id";
	static const char sitting_sql[] = "SELECT 1 FROM sitting WHERE code = ?1";
	int rc = 0, step = SQLITE_DONE;
	if (filter && filter->sitting) {
		sqlite3_stmt *chk = sk_db_stmt(db, sitting_sql);
		if (!chk)
			return db->err;
		sqlite3_bind_text(chk, 1, filter->sitting, -1, SQLITE_STATIC);
		step = sqlite3_step(chk);
		sqlite3_reset(chk);
		if (step == SQLITE_DONE)
			return sk_db_fail(db, SK_ENOTFOUND, "no sitting '%s'", filter->sitting);
		if (step != SQLITE_ROW)
			return sk_db_sqlfail(db, "listing incidents");
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "listing incidents");
	if (filter) {
		sk_bind_text_or_null(st, 1, filter->sitting);
		sk_bind_text_or_null(st, 2, filter->exam_number);
	}
	struct sk_incident *row = sqlite3_malloc(sizeof(*row));
	if (!row) {
		sqlite3_finalize(st);
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		fill(st, row);
		if ((rc = cb(payload, row)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing incidents");
	sqlite3_free(row);
	sqlite3_finalize(st);
	return rc;
}
