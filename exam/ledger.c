/*
 * The candidate ledger (受験者台帳), read: the `ledger` view (core/sql/0005)
 * joined with the candidate's passport data, and for each attempt every
 * section of its test with the score grading stored, if any. Filters are
 * bound, never formatted into the SQL.
 */
#include "exam/ledger.h"
#include "core/db.h"
#include "core/error.h"

#include <stdio.h>
#include <string.h>

static const char attempts_sql[] =
	"SELECT l.registration_id, l.reference, c.family_name, c.given_name, c.date_of_birth,"
	" c.nationality, l.exam_number, l.sitting, l.exam_date, l.test, l.category_ja, l.category_en,"
	" l.level, l.outcome, l.graded_at, l.run_id, l.certificate"
	" FROM ledger l JOIN candidate c ON c.id = l.candidate_id"
	" WHERE (?1 IS NULL OR l.reference = ?1) AND (?2 IS NULL OR l.sitting = ?2)"
	" AND (?3 IS NULL OR l.test = ?3) AND (?4 IS NULL OR l.outcome = ?4)"
	" ORDER BY l.reference, l.exam_date, l.exam_number";

/* Every section of the attempt's test in order, with its score when one
 * is stored (none while pending, for the absent, for a cancellation). */
static const char sections_sql[] =
	"SELECT ts.code, ts.name_ja, ts.name_en, ts.pass_percent, rs.points, rs.max_points, rs.passed"
	" FROM registration r JOIN test_section ts ON ts.test_id = r.test_id"
	" LEFT JOIN result_section rs ON rs.registration_id = r.id AND rs.section_id = ts.id"
	" WHERE r.id = ?1 ORDER BY ts.position";

static const char candidate_sql[] = "SELECT 1 FROM candidate WHERE reference = ?1";

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

static int candidate_exists(struct sk_db *db, const char *reference)
{
	sqlite3_stmt *st = sk_db_stmt(db, candidate_sql);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, reference, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step == SQLITE_ROW)
		return 0;
	if (step == SQLITE_DONE)
		return sk_db_fail(db, SK_ENOTFOUND, "no candidate with reference '%s'", reference);
	return sk_db_sqlfail(db, "reading the ledger");
}

static int load_sections(struct sk_db *db, sqlite3_stmt *st, int64_t registration_id, struct sk_ledger_row *row)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, registration_id);
	int step;
	row->nsections = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (row->nsections == (int)(sizeof(row->sections) / sizeof(row->sections[0])))
			continue; /* tests have at most eight sections (core/testdef.h) */
		struct sk_ledger_section *s = &row->sections[row->nsections++];
		copy_col(s->code, sizeof(s->code), st, 0);
		copy_col(s->name_ja, sizeof(s->name_ja), st, 1);
		copy_col(s->name_en, sizeof(s->name_en), st, 2);
		s->pass_percent = sqlite3_column_int(st, 3);
		if (sqlite3_column_type(st, 4) == SQLITE_NULL) {
			s->points = s->max_points = -1;
			s->passed = 0;
		} else {
			s->points = sqlite3_column_int(st, 4);
			s->max_points = sqlite3_column_int(st, 5);
			s->passed = sqlite3_column_int(st, 6);
		}
	}
	int rc = step == SQLITE_DONE ? 0 : sk_db_sqlfail(db, "reading the ledger");
	sqlite3_reset(st);
	return rc;
}

int sk_ledger_foreach(struct sk_db *db, const struct sk_ledger_filter *filter,
		      int (*cb)(void *payload, const struct sk_ledger_row *row), void *payload)
{
	sqlite3_stmt *st = NULL, *sec = NULL;
	int rc = 0, step = SQLITE_DONE;
	if (filter && filter->candidate && (rc = candidate_exists(db, filter->candidate)))
		return rc;
	/* Statements of our own, not the handle's cache: the callback may
	 * read the registry (print a notice) while this walk is under way. */
	if (sqlite3_prepare_v2(db->sql, attempts_sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->sql, sections_sql, -1, &sec, NULL) != SQLITE_OK) {
		rc = sk_db_sqlfail(db, "reading the ledger");
		goto cleanup;
	}
	if (filter) {
		sk_bind_text_or_null(st, 1, filter->candidate);
		sk_bind_text_or_null(st, 2, filter->sitting);
		sk_bind_text_or_null(st, 3, filter->test);
		sk_bind_text_or_null(st, 4, filter->outcome);
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_ledger_row row;
		memset(&row, 0, sizeof(row));
		int64_t registration_id = sqlite3_column_int64(st, 0);
		copy_col(row.reference, sizeof(row.reference), st, 1);
		copy_col(row.family_name, sizeof(row.family_name), st, 2);
		copy_col(row.given_name, sizeof(row.given_name), st, 3);
		copy_col(row.date_of_birth, sizeof(row.date_of_birth), st, 4);
		copy_col(row.nationality, sizeof(row.nationality), st, 5);
		copy_col(row.exam_number, sizeof(row.exam_number), st, 6);
		copy_col(row.sitting, sizeof(row.sitting), st, 7);
		copy_col(row.exam_date, sizeof(row.exam_date), st, 8);
		copy_col(row.test, sizeof(row.test), st, 9);
		copy_col(row.category_ja, sizeof(row.category_ja), st, 10);
		copy_col(row.category_en, sizeof(row.category_en), st, 11);
		row.level = sqlite3_column_int(st, 12);
		copy_col(row.outcome, sizeof(row.outcome), st, 13);
		copy_col(row.graded_at, sizeof(row.graded_at), st, 14);
		row.run_id = sqlite3_column_int64(st, 15);
		copy_col(row.certificate, sizeof(row.certificate), st, 16);
		if ((rc = load_sections(db, sec, registration_id, &row)))
			break;
		if ((rc = cb(payload, &row)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading the ledger");
cleanup:
	sqlite3_finalize(sec);
	sqlite3_finalize(st);
	return rc;
}

int sk_ledger_section_slots(struct sk_db *db)
{
	static const char sql[] = "SELECT COALESCE(MAX(n), 0) FROM"
				  " (SELECT COUNT(*) AS n FROM test_section GROUP BY test_id)";
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	int step = sqlite3_step(st), n = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return sk_db_sqlfail(db, "reading the tests");
	return n < 1 ? 1 : n > 8 ? 8 : n;
}
