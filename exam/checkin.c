/*
 * Check-in at the door (exam/checkin.h). A line is classified (ticket code
 * with a verified MAC, typed exam number, or neither), its registration is
 * read with the candidate, room, test and any check-in already made, and
 * judged against the station and the sitting's policy. Admission repeats
 * all of that inside the write transaction (BEGIN IMMEDIATE: stations queue
 * for the write lock), so what is written is judged on the state it
 * changes, and the checkin table's primary key backs that up.
 */
#include "exam/checkin.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/import.h"
#include "core/keys.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "core/text.h"
#include "core/venue.h"
#include "exam/payload.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdict_names[] = {
	[SK_CHECKIN_ADMISSIBLE] = "admissible", [SK_CHECKIN_UNREADABLE] = "unreadable",
	[SK_CHECKIN_CHECK_DIGIT] = "check_digit", [SK_CHECKIN_FORGED] = "forged",
	[SK_CHECKIN_SHEET] = "sheet",		  [SK_CHECKIN_UNKNOWN] = "unknown",
	[SK_CHECKIN_WRONG_SITTING] = "wrong_sitting", [SK_CHECKIN_CANCELLED] = "cancelled",
	[SK_CHECKIN_ALREADY] = "already",	  [SK_CHECKIN_WRONG_TEST] = "wrong_test",
	[SK_CHECKIN_WRONG_ROOM] = "wrong_room",	  [SK_CHECKIN_UNPAID] = "unpaid",
	[SK_CHECKIN_PASSPORT] = "passport",	  [SK_CHECKIN_UNCONFIRMED] = "unconfirmed",
	[SK_CHECKIN_DECLINED] = "declined",
};

const char *sk_checkin_verdict_name(enum sk_checkin_verdict v)
{
	if ((unsigned)v < sizeof(verdict_names) / sizeof(verdict_names[0]) && verdict_names[v])
		return verdict_names[v];
	return "unknown";
}

int sk_checkin_refusal_kept(enum sk_checkin_verdict why)
{
	switch (why) {
	case SK_CHECKIN_FORGED:
	case SK_CHECKIN_UNKNOWN:
	case SK_CHECKIN_WRONG_SITTING:
	case SK_CHECKIN_CANCELLED:
	case SK_CHECKIN_ALREADY:
	case SK_CHECKIN_WRONG_TEST:
	case SK_CHECKIN_WRONG_ROOM:
	case SK_CHECKIN_UNPAID:
	case SK_CHECKIN_PASSPORT:
	case SK_CHECKIN_DECLINED:
		return 1;
	default:
		return 0;
	}
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

/* A station or proctor name: required, bounded, one line, no formula lead.
 * Returns 1 when fine. */
static int check_name(struct sk_report *rep, const char *field, const char *value)
{
	char limit[24] = "";
	const char *why = NULL;
	if (!value || sk_text_blank(value))
		why = N_("is empty");
	else if (sk_utf8_invalid_at(value, strlen(value)) >= 0)
		why = N_("is not valid UTF-8");
	else if (!(why = sk_check_text(value, SK_CHECKIN_NAME_MAX, limit)) && strpbrk(value, "\n\t"))
		why = N_("contains a line break or a tab");
	if (!why)
		return 1;
	sk_report_add(rep, NULL, 0, field, why, limit, NULL, NULL);
	return 0;
}

int sk_checkin_station_init(struct sk_checkin_station *out, struct sk_db *db, const char *sitting,
			    const char *room, const char *test, const char *station, const char *proctor,
			    struct sk_report *rep)
{
	static const char room_sql[] = "SELECT id, code FROM room WHERE venue_id = ?1 AND code = ?2";
	memset(out, 0, sizeof(*out));
	int ok = check_name(rep, "station", station);
	ok &= check_name(rep, "proctor", proctor);
	if (!ok)
		return SK_EINPUT;
	struct sk_sitting s;
	int rc = sk_sitting_get(db, sitting ? sitting : "", &s);
	if (rc)
		return rc;
	if (room) {
		sqlite3_stmt *q = sk_db_stmt(db, room_sql);
		if (!q)
			return db->err;
		sqlite3_bind_int64(q, 1, s.venue_id);
		sqlite3_bind_text(q, 2, room, -1, SQLITE_STATIC);
		int step = sqlite3_step(q);
		if (step == SQLITE_ROW) {
			out->room_id = sqlite3_column_int64(q, 0);
			copy_col(out->room, sizeof(out->room), q, 1);
		}
		sqlite3_reset(q);
		if (step == SQLITE_DONE)
			return sk_db_fail(db, SK_ENOTFOUND, "venue %s of sitting %s has no room '%s'", s.venue, s.code,
					  room);
		if (step != SQLITE_ROW)
			return sk_db_sqlfail(db, "reading rooms");
	}
	if (test) {
		size_t i = 0;
		while (i < s.ntests && strcmp(s.tests[i], test))
			i++;
		if (i == s.ntests)
			return sk_db_fail(db, SK_ENOTFOUND, "sitting %s does not offer test '%s'", s.code, test);
		struct sk_testdef td;
		if ((rc = sk_testdef_get(db, test, &td)))
			return rc;
		out->test_id = td.id;
		snprintf(out->test, sizeof(out->test), "%s", td.code);
	}
	out->sitting_id = s.id;
	snprintf(out->sitting, sizeof(out->sitting), "%s", s.code);
	snprintf(out->exam_date, sizeof(out->exam_date), "%s", s.exam_date);
	snprintf(out->start_time, sizeof(out->start_time), "%s", s.start_time);
	snprintf(out->venue, sizeof(out->venue), "%s", s.venue);
	snprintf(out->station, sizeof(out->station), "%s", station);
	snprintf(out->proctor, sizeof(out->proctor), "%s", proctor);
	return 0;
}

/* ---- the policy ---- */

static const char policy_sql[] =
	"SELECT p.unpaid, p.late_after, p.utc_offset FROM checkin_policy p WHERE p.sitting_id = ?1";

static int policy_read(struct sk_checkin_policy *out, struct sk_db *db, int64_t sitting_id)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *q = sk_db_stmt(db, policy_sql);
	if (!q)
		return db->err;
	sqlite3_bind_int64(q, 1, sitting_id);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		const char *u = (const char *)sqlite3_column_text(q, 0);
		out->admit_unpaid = u && !strcmp(u, "admit");
		copy_col(out->late_after, sizeof(out->late_after), q, 1);
		out->utc_offset = sqlite3_column_int(q, 2);
		out->stored = 1;
	}
	sqlite3_reset(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return sk_db_sqlfail(db, "reading the check-in policy");
	return 0;
}

int sk_checkin_policy_get(struct sk_checkin_policy *out, struct sk_db *db, const char *sitting)
{
	memset(out, 0, sizeof(*out));
	struct sk_sitting s;
	int rc = sk_sitting_get(db, sitting ? sitting : "", &s);
	return rc ? rc : policy_read(out, db, s.id);
}

/* Two decimal digits at p, or -1. */
static int two_digits(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

static void format_utc(char out[21], int64_t t)
{
	int64_t days = t / 86400, secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	struct sk_date d;
	sk_date_from_days(&d, (long)days);
	char date[11];
	sk_date_format(date, &d);
	snprintf(out, 21, "%s", date);
	snprintf(out + 10, 11, "T%02d:%02d:%02dZ", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

int sk_checkin_parse_cutoff(char out[21], int *utc_offset, const char *text, const char *exam_date)
{
	out[0] = '\0';
	*utc_offset = 0;
	if (!text)
		return SK_EINPUT;
	char date[11];
	const char *p = text;
	if (strlen(text) > 10 && text[4] == '-' && (text[10] == 'T' || text[10] == ' ')) {
		memcpy(date, text, 10);
		date[10] = '\0';
		p = text + 11;
	} else if (exam_date && strlen(exam_date) == 10) {
		memcpy(date, exam_date, 11);
	} else {
		return SK_EINPUT;
	}
	struct sk_date d;
	if (sk_date_parse(&d, date))
		return SK_EINPUT;
	/* Every index below is checked against the length first: the text
	 * is typed by staff and may stop anywhere. */
	if (strlen(p) < 5 || p[2] != ':')
		return SK_EINPUT;
	int h = two_digits(p), m = two_digits(p + 3), s = 0;
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return SK_EINPUT;
	p += 5;
	if (*p == ':') {
		if (strlen(p) < 3)
			return SK_EINPUT;
		s = two_digits(p + 1);
		if (s < 0 || s > 59)
			return SK_EINPUT;
		p += 3;
	}
	int off;
	if (p[0] == 'Z' && !p[1]) {
		off = 0;
	} else if ((p[0] == '+' || p[0] == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh = two_digits(p + 1), om = two_digits(p + 4);
		if (oh < 0 || om < 0 || om > 59 || oh * 60 + om > 840)
			return SK_EINPUT;
		off = (oh * 60 + om) * (p[0] == '-' ? -1 : 1);
	} else {
		return SK_EINPUT;
	}
	int64_t t = (int64_t)sk_date_days(&d) * 86400 + h * 3600 + m * 60 + s - (int64_t)off * 60;
	format_utc(out, t);
	*utc_offset = off;
	return 0;
}

/* A stored cutoff looks exactly like the clock's own times. */
static int cutoff_ok(const char *s)
{
	char again[21];
	int off;
	return strlen(s) == 20 && !sk_checkin_parse_cutoff(again, &off, s, NULL) && !strcmp(again, s);
}

int sk_checkin_policy_set(struct sk_db *db, const char *sitting, const struct sk_checkin_policy *p)
{
	static const char upsert_sql[] =
		"INSERT INTO checkin_policy (sitting_id, unpaid, late_after, utc_offset, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sitting_id) DO UPDATE SET unpaid = excluded.unpaid,"
		" late_after = excluded.late_after, utc_offset = excluded.utc_offset, updated_at = excluded.updated_at";
	if (p->late_after[0] && !cutoff_ok(p->late_after))
		return sk_db_fail(db, SK_EINPUT, "'%s' is not a time like 2026-12-13T02:45:00Z", p->late_after);
	if (p->utc_offset < -840 || p->utc_offset > 840)
		return sk_db_fail(db, SK_EINPUT, "a UTC offset is at most 14 hours");
	struct sk_sitting s;
	struct sk_checkin_policy old;
	struct sk_buf detail = SK_BUF_INIT;
	int rc = sk_sitting_get(db, sitting ? sitting : "", &s);
	if (rc)
		return rc;
	if (p->late_after[0]) {
		/* In UTC a cutoff may fall on the day before or after the exam
		 * date, never further: that is a mistyped date. */
		char day[11];
		struct sk_date cut, exam;
		snprintf(day, sizeof(day), "%.10s", p->late_after);
		if (sk_date_parse(&cut, day) || sk_date_parse(&exam, s.exam_date) ||
		    labs(sk_date_days(&cut) - sk_date_days(&exam)) > 1)
			return sk_db_fail(db, SK_EINPUT, "the late cutoff %s is not on the exam date %s of sitting %s",
					  p->late_after, s.exam_date, s.code);
	}
	if ((rc = sk_db_begin(db)))
		return rc;
	if ((rc = policy_read(&old, db, s.id)))
		goto fail;
	if (old.admit_unpaid == !!p->admit_unpaid && !strcmp(old.late_after, p->late_after) &&
	    (!p->late_after[0] || old.utc_offset == p->utc_offset)) {
		/* The policy in force (or the default) again: nothing to write. */
		sk_db_rollback(db);
		return 0;
	}
	char now[21];
	sk_db_now(db, now);
	sqlite3_stmt *q = sk_db_stmt(db, upsert_sql);
	if (!q) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_int64(q, 1, s.id);
	sqlite3_bind_text(q, 2, p->admit_unpaid ? "admit" : "refuse", -1, SQLITE_STATIC);
	sk_bind_text_or_null(q, 3, p->late_after);
	sqlite3_bind_int(q, 4, p->late_after[0] ? p->utc_offset : 0);
	sqlite3_bind_text(q, 5, now, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	sqlite3_reset(q);
	if (step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "storing the check-in policy");
		goto fail;
	}
	sk_buf_addf(&detail, "{\"unpaid\":[\"%s\",\"%s\"],\"late_after\":[", old.admit_unpaid ? "admit" : "refuse",
		    p->admit_unpaid ? "admit" : "refuse");
	sk_buf_add_json_str(&detail, old.late_after[0] ? old.late_after : NULL);
	sk_buf_addch(&detail, ',');
	sk_buf_add_json_str(&detail, p->late_after[0] ? p->late_after : NULL);
	sk_buf_addf(&detail, "],\"utc_offset\":%d}", p->late_after[0] ? p->utc_offset : 0);
	rc = sk_buf_failed(&detail) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
				    : sk_audit_append(db, "checkin-policy", s.code, "set", detail.buf);
	if (rc || (rc = sk_db_commit(db)))
		goto fail;
	sk_buf_release(&detail);
	return 0;
fail:
	sk_db_rollback(db);
	sk_buf_release(&detail);
	return rc;
}

/* ---- reading a line ---- */

/* What the line is: a verdict for lines that are not usable, or the exam
 * number and its source. Returns 0 or a key/database error. */
static int classify(struct sk_db *db, const char *line, struct sk_checkin_view *out)
{
	size_t n = line ? strlen(line) : 0;
	out->verdict = SK_CHECKIN_UNREADABLE;
	if (!n || n > SK_CHECKIN_LINE_MAX)
		return 0;
	/* A scanner typing into a Japanese input method gives full-width
	 * characters, one with Caps Lock on gives lower case: both are the
	 * same code. NFKC also refuses invalid UTF-8. */
	char *text = NULL;
	if (sk_text_nfkc(&text, line)) {
		free(text);
		return 0;
	}
	sk_text_trim(text);
	int rc = 0;
	if (!text[0] || strlen(text) >= SK_PAYLOAD_MAX) {
		free(text);
		return 0;
	}
	if ((text[0] == 'S' || text[0] == 's') && (text[1] == 'K' || text[1] == 'k') && text[2] == '1') {
		sk_ascii_upper(text);
		struct sk_payload p;
		rc = sk_payload_verify(db, text, &p);
		if (rc == SK_EVERIFY || (rc == SK_EINPUT && (!strncmp(text, "SK1T:", 5) || !strncmp(text, "SK1S:", 5)))) {
			/* A wrong MAC, or a ticket code cut or padded: nothing in
			 * it is read. */
			out->verdict = SK_CHECKIN_FORGED;
			rc = 0;
		} else if (rc == SK_EINPUT) {
			rc = 0;
		} else if (!rc) {
			snprintf(out->exam_number, sizeof(out->exam_number), "%s", p.exam_number);
			out->verdict = p.kind == 'T' ? SK_CHECKIN_ADMISSIBLE : SK_CHECKIN_SHEET;
			snprintf(out->source, sizeof(out->source), "ticket");
		}
		sodium_memzero(&p, sizeof(p));
		free(text);
		return rc;
	}
	char canon[SK_EXAMNO_LEN + 1];
	rc = sk_examno_parse(canon, text, NULL, NULL);
	free(text);
	if (rc == SK_EVERIFY) {
		out->verdict = SK_CHECKIN_CHECK_DIGIT;
	} else if (!rc) {
		out->verdict = SK_CHECKIN_ADMISSIBLE;
		snprintf(out->exam_number, sizeof(out->exam_number), "%s", canon);
		snprintf(out->source, sizeof(out->source), "typed");
	}
	return 0;
}

static const char reg_sql[] =
	"SELECT r.id, r.sitting_id, s.code, s.exam_date, r.test_id, t.code, t.category_ja, t.category_en, t.level,"
	" r.room_id, rm.code, r.seat_row, r.seat_col, r.fee_status, r.status,"
	" c.reference, c.family_name, c.given_name, c.native_name, c.date_of_birth, c.nationality,"
	" coalesce(c.photo_id, 0), ci.status, ci.at, ci.station, ci.proctor"
	" FROM registration r JOIN sitting s ON s.id = r.sitting_id JOIN test t ON t.id = r.test_id"
	" JOIN room rm ON rm.id = r.room_id JOIN candidate c ON c.id = r.candidate_id"
	" LEFT JOIN checkin ci ON ci.registration_id = r.id"
	" WHERE r.exam_number = ?1";

/* Classify the line, read its registration and judge it for the station. */
static int load(struct sk_checkin_view *out, struct sk_db *db, const struct sk_checkin_station *st,
		const char *line)
{
	memset(out, 0, sizeof(*out));
	int rc = classify(db, line, out);
	if (rc || out->verdict != SK_CHECKIN_ADMISSIBLE)
		return rc;
	sqlite3_stmt *q = sk_db_stmt(db, reg_sql);
	if (!q)
		return db->err;
	sqlite3_bind_text(q, 1, out->exam_number, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	if (step != SQLITE_ROW) {
		sqlite3_reset(q);
		if (step != SQLITE_DONE)
			return sk_db_sqlfail(db, "reading a registration");
		out->verdict = SK_CHECKIN_UNKNOWN;
		return 0;
	}
	out->registration_id = sqlite3_column_int64(q, 0);
	int64_t sitting_id = sqlite3_column_int64(q, 1);
	copy_col(out->sitting, sizeof(out->sitting), q, 2);
	copy_col(out->exam_date, sizeof(out->exam_date), q, 3);
	int64_t test_id = sqlite3_column_int64(q, 4);
	copy_col(out->test, sizeof(out->test), q, 5);
	copy_col(out->test_ja, sizeof(out->test_ja), q, 6);
	copy_col(out->test_en, sizeof(out->test_en), q, 7);
	out->level = sqlite3_column_int(q, 8);
	int64_t room_id = sqlite3_column_int64(q, 9);
	copy_col(out->room, sizeof(out->room), q, 10);
	sk_seat_label(out->seat, sqlite3_column_int(q, 11), sqlite3_column_int(q, 12));
	copy_col(out->fee_status, sizeof(out->fee_status), q, 13);
	int cancelled = !strcmp((const char *)sqlite3_column_text(q, 14), "cancelled");
	copy_col(out->reference, sizeof(out->reference), q, 15);
	copy_col(out->family_name, sizeof(out->family_name), q, 16);
	copy_col(out->given_name, sizeof(out->given_name), q, 17);
	copy_col(out->native_name, sizeof(out->native_name), q, 18);
	copy_col(out->date_of_birth, sizeof(out->date_of_birth), q, 19);
	copy_col(out->nationality, sizeof(out->nationality), q, 20);
	out->photo_id = sqlite3_column_int64(q, 21);
	copy_col(out->prior_status, sizeof(out->prior_status), q, 22);
	copy_col(out->prior_at, sizeof(out->prior_at), q, 23);
	copy_col(out->prior_station, sizeof(out->prior_station), q, 24);
	copy_col(out->prior_proctor, sizeof(out->prior_proctor), q, 25);
	sqlite3_reset(q);

	int unpaid = strcmp(out->fee_status, "paid") && strcmp(out->fee_status, "waived");
	struct sk_checkin_policy policy;
	if (sitting_id != st->sitting_id) {
		out->verdict = SK_CHECKIN_WRONG_SITTING;
	} else if (cancelled) {
		out->verdict = SK_CHECKIN_CANCELLED;
	} else if (!strcmp(out->prior_status, "present")) {
		out->verdict = SK_CHECKIN_ALREADY;
	} else if (st->test_id && test_id != st->test_id) {
		out->verdict = SK_CHECKIN_WRONG_TEST;
	} else if (st->room_id && room_id != st->room_id) {
		out->verdict = SK_CHECKIN_WRONG_ROOM;
	} else if ((rc = policy_read(&policy, db, st->sitting_id))) {
		return rc;
	} else if (unpaid && !policy.admit_unpaid) {
		out->verdict = SK_CHECKIN_UNPAID;
	} else {
		char now[21];
		sk_db_now(db, now);
		if (unpaid)
			out->flags |= SK_CHECKIN_FEE_UNPAID;
		if (policy.late_after[0] && strcmp(now, policy.late_after) > 0)
			out->flags |= SK_CHECKIN_LATE;
		if (!strcmp(out->prior_status, "absent"))
			out->flags |= SK_CHECKIN_WAS_ABSENT;
		if (!out->photo_id)
			out->flags |= SK_CHECKIN_NO_PHOTO;
	}
	return 0;
}

int sk_checkin_lookup(struct sk_checkin_view *out, struct sk_db *db, const struct sk_checkin_station *st,
		      const char *line)
{
	int rc = load(out, db, st, line);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- writing ---- */

static int step_done(struct sk_db *db, sqlite3_stmt *q, const char *what)
{
	int step = sqlite3_step(q);
	sqlite3_reset(q);
	return step == SQLITE_DONE ? 0 : sk_db_sqlfail(db, what);
}

static void detail_who(struct sk_buf *d, const struct sk_checkin_station *st)
{
	sk_buf_adds(d, "\"station\":");
	sk_buf_add_json_str(d, st->station);
	sk_buf_adds(d, ",\"proctor\":");
	sk_buf_add_json_str(d, st->proctor);
}

/* The refusal row and its audit record, inside the caller's transaction. */
static int keep_refusal(struct sk_db *db, const struct sk_checkin_station *st, const struct sk_checkin_view *v,
			enum sk_checkin_verdict why)
{
	static const char sql[] =
		"INSERT INTO checkin_refusal (sitting_id, registration_id, reason, station, proctor, at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	char now[21];
	sk_db_now(db, now);
	/* A forged ticket names nobody: nothing in it was trusted. */
	int64_t reg = why == SK_CHECKIN_FORGED ? 0 : v->registration_id;
	sqlite3_stmt *q = sk_db_stmt(db, sql);
	if (!q)
		return db->err;
	sqlite3_bind_int64(q, 1, st->sitting_id);
	if (reg)
		sqlite3_bind_int64(q, 2, reg);
	sqlite3_bind_text(q, 3, sk_checkin_verdict_name(why), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, st->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, st->proctor, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, now, -1, SQLITE_STATIC);
	int rc = step_done(db, q, "keeping a refusal");
	if (rc)
		return rc;
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_adds(&d, "{\"reason\":");
	sk_buf_add_json_str(&d, sk_checkin_verdict_name(why));
	sk_buf_adds(&d, ",\"sitting\":");
	sk_buf_add_json_str(&d, st->sitting);
	sk_buf_addch(&d, ',');
	detail_who(&d, st);
	if (why != SK_CHECKIN_FORGED && v->source[0]) {
		sk_buf_adds(&d, ",\"source\":");
		sk_buf_add_json_str(&d, v->source);
	}
	if (why == SK_CHECKIN_ALREADY) {
		sk_buf_adds(&d, ",\"checked_in\":{\"at\":");
		sk_buf_add_json_str(&d, v->prior_at);
		sk_buf_adds(&d, ",\"station\":");
		sk_buf_add_json_str(&d, v->prior_station);
		sk_buf_adds(&d, ",\"proctor\":");
		sk_buf_add_json_str(&d, v->prior_proctor);
		sk_buf_addch(&d, '}');
	}
	if (why == SK_CHECKIN_DECLINED)
		sk_buf_addf(&d, ",\"late\":%s,\"was_absent\":%s", (v->flags & SK_CHECKIN_LATE) ? "true" : "false",
			    (v->flags & SK_CHECKIN_WAS_ABSENT) ? "true" : "false");
	sk_buf_addch(&d, '}');
	const char *key = reg && v->exam_number[0] ? v->exam_number : st->sitting;
	rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
			       : sk_audit_append(db, "checkin", key, "refuse", d.buf);
	sk_buf_release(&d);
	return rc;
}

int sk_checkin_refuse(struct sk_db *db, const struct sk_checkin_station *st, const struct sk_checkin_view *view,
		      enum sk_checkin_verdict why)
{
	if (!sk_checkin_refusal_kept(why))
		return 0;
	if (why != SK_CHECKIN_FORGED && !view->registration_id)
		return sk_db_fail(db, SK_EINVAL, "a refusal for '%s' needs the registration it concerns",
				  sk_checkin_verdict_name(why));
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	if ((rc = keep_refusal(db, st, view, why)) || (rc = sk_db_commit(db))) {
		sk_db_rollback(db);
		return rc;
	}
	return 0;
}

int sk_checkin_last4_normalise(char out[5], const char *typed)
{
	out[0] = '\0';
	char *norm = NULL;
	if (!typed || strlen(typed) > 64 || sk_text_nfkc(&norm, typed)) {
		free(norm);
		return SK_EINPUT;
	}
	size_t n = 0;
	int bad = 0;
	for (const char *p = norm; *p && !bad; p++) {
		char c = *p;
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (n < 4 && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			out[n++] = c;
		else
			bad = 1;
	}
	free(norm);
	if (bad || n != 4) {
		sodium_memzero(out, 5);
		return SK_EINPUT;
	}
	out[4] = '\0';
	return 0;
}

/* The keyed hash of a passport's last four characters, bound to the
 * candidate: what the typed characters are compared by. */
static void last4_hash(unsigned char h[32], const unsigned char *key, const char *reference, const char *last4)
{
	char data[64];
	size_t rn = strnlen(reference, 40);
	memcpy(data, reference, rn);
	data[rn] = '\0';
	memcpy(data + rn + 1, last4, 4);
	sk_keyed_hash(h, key, "passport-last4", data, rn + 5);
	sodium_memzero(data, sizeof(data));
}

/* Does the registration's passport end with these four characters? */
static int passport_matches(struct sk_db *db, int64_t registration_id, const char last4[5], int *match)
{
	static const char sql[] = "SELECT c.reference, c.passport_enc FROM registration r"
				  " JOIN candidate c ON c.id = r.candidate_id WHERE r.id = ?1";
	*match = 0;
	const unsigned char *key = sk_keys_get(db, SK_KEY_LOOKUP);
	if (!key)
		return db->err;
	sqlite3_stmt *q = sk_db_stmt(db, sql);
	if (!q)
		return db->err;
	sqlite3_bind_int64(q, 1, registration_id);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return sk_db_sqlfail(db, "reading a passport");
	}
	char reference[48], context[64];
	copy_col(reference, sizeof(reference), q, 0);
	snprintf(context, sizeof(context), "passport:%s", reference);
	unsigned char *plain = NULL;
	size_t len = 0;
	int rc = sk_unseal(db, &plain, &len, sqlite3_column_blob(q, 1), (size_t)sqlite3_column_bytes(q, 1), context);
	sqlite3_reset(q);
	if (rc)
		return rc == SK_ECRYPTO ? sk_db_fail(db, rc, "the passport number of %s cannot be opened", reference) : rc;
	unsigned char want[32], got[32];
	if (len >= 4) {
		last4_hash(want, key, reference, (const char *)plain + len - 4);
		last4_hash(got, key, reference, last4);
		*match = sodium_memcmp(want, got, sizeof(want)) == 0;
	}
	sodium_memzero(want, sizeof(want));
	sodium_memzero(got, sizeof(got));
	sodium_free(plain);
	return 0;
}

int sk_checkin_admit(struct sk_checkin_view *out, struct sk_db *db, const struct sk_checkin_station *st,
		     const char *line, const struct sk_checkin_admission *a)
{
	static const char insert_sql[] =
		"INSERT INTO checkin (registration_id, status, at, station, proctor, source, identity, late, fee_unpaid)"
		" VALUES (?1, 'present', ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const char reopen_sql[] =
		"UPDATE checkin SET status = 'present', absent_at = at, at = ?2, station = ?3, proctor = ?4,"
		" source = ?5, identity = ?6, late = ?7, fee_unpaid = ?8"
		" WHERE registration_id = ?1 AND status = 'absent'";
	char last4[5] = "";
	memset(out, 0, sizeof(*out));
	if (!a || (a->identity != SK_CHECKIN_BY_PASSPORT && a->identity != SK_CHECKIN_BY_SIGHT))
		return sk_db_fail(db, SK_EINPUT, "say how the passport was checked");
	if (a->identity == SK_CHECKIN_BY_PASSPORT && sk_checkin_last4_normalise(last4, a->passport_last4))
		return sk_db_fail(db, SK_EINPUT, "the passport check needs its last 4 letters or digits");
	struct sk_buf d = SK_BUF_INIT;
	int rc = sk_db_begin(db);
	if (rc)
		goto wipe;
	if ((rc = load(out, db, st, line)))
		goto fail;
	if (out->verdict == SK_CHECKIN_ADMISSIBLE && (out->flags & SK_CHECKIN_CONFIRM & ~a->confirmed)) {
		out->verdict = SK_CHECKIN_UNCONFIRMED;
		sk_db_rollback(db);
		goto wipe;
	}
	if (out->verdict == SK_CHECKIN_ADMISSIBLE && a->identity == SK_CHECKIN_BY_PASSPORT) {
		int match = 0;
		if ((rc = passport_matches(db, out->registration_id, last4, &match)))
			goto fail;
		if (!match)
			out->verdict = SK_CHECKIN_PASSPORT;
	}
	if (out->verdict != SK_CHECKIN_ADMISSIBLE) {
		if (sk_checkin_refusal_kept(out->verdict) && (rc = keep_refusal(db, st, out, out->verdict)))
			goto fail;
		if ((rc = sk_db_commit(db)))
			goto fail;
		goto wipe;
	}

	char now[21];
	sk_db_now(db, now);
	int reopen = (out->flags & SK_CHECKIN_WAS_ABSENT) != 0;
	const char *identity = a->identity == SK_CHECKIN_BY_PASSPORT ? "passport" : "sight";
	sqlite3_stmt *q = sk_db_stmt(db, reopen ? reopen_sql : insert_sql);
	if (!q) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_int64(q, 1, out->registration_id);
	sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, st->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, st->proctor, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, out->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, identity, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 7, (out->flags & SK_CHECKIN_LATE) != 0);
	sqlite3_bind_int(q, 8, (out->flags & SK_CHECKIN_FEE_UNPAID) != 0);
	if ((rc = step_done(db, q, "recording a check-in")))
		goto fail;
	if (sqlite3_changes(db->sql) != 1) {
		rc = sk_db_fail(db, SK_ECONFLICT, "the check-in of %s changed under us", out->exam_number);
		goto fail;
	}
	sk_buf_adds(&d, "{\"sitting\":");
	sk_buf_add_json_str(&d, st->sitting);
	sk_buf_adds(&d, ",\"room\":");
	sk_buf_add_json_str(&d, out->room);
	sk_buf_adds(&d, ",\"seat\":");
	sk_buf_add_json_str(&d, out->seat);
	sk_buf_addch(&d, ',');
	detail_who(&d, st);
	sk_buf_adds(&d, ",\"source\":");
	sk_buf_add_json_str(&d, out->source);
	sk_buf_adds(&d, ",\"identity\":");
	sk_buf_add_json_str(&d, identity);
	sk_buf_addf(&d, ",\"late\":%s,\"fee_unpaid\":%s,\"was_absent\":", (out->flags & SK_CHECKIN_LATE) ? "true" : "false",
		    (out->flags & SK_CHECKIN_FEE_UNPAID) ? "true" : "false");
	sk_buf_add_json_str(&d, reopen ? out->prior_at : NULL);
	sk_buf_addch(&d, '}');
	rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
			       : sk_audit_append(db, "checkin", out->exam_number, "present", d.buf);
	if (rc || (rc = sk_db_commit(db)))
		goto fail;
	out->admitted = 1;
	snprintf(out->at, sizeof(out->at), "%s", now);
	snprintf(out->identity, sizeof(out->identity), "%s", identity);
	goto wipe;
fail:
	sk_db_rollback(db);
	memset(out, 0, sizeof(*out));
wipe:
	sodium_memzero(last4, sizeof(last4));
	sk_buf_release(&d);
	return rc;
}

/* ---- closing a room, counting ---- */

int sk_checkin_close(size_t *out_marked, struct sk_db *db, const struct sk_checkin_station *st)
{
	static const char missing_sql[] =
		"SELECT r.id, r.exam_number FROM registration r LEFT JOIN checkin ci ON ci.registration_id = r.id"
		" WHERE r.sitting_id = ?1 AND r.room_id = ?2 AND r.status = 'registered' AND ci.registration_id IS NULL"
		" ORDER BY r.exam_number";
	static const char absent_sql[] =
		"INSERT INTO checkin (registration_id, status, at, station, proctor) VALUES (?1, 'absent', ?2, ?3, ?4)";
	*out_marked = 0;
	if (!st->room_id)
		return sk_db_fail(db, SK_EINVAL, "closing needs a room");
	struct missing {
		int64_t id;
		char exam_number[16];
	} *list = NULL;
	size_t n = 0, cap = 0;
	struct sk_buf d = SK_BUF_INIT;
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	/* Read first, then write: no insert under a running scan of the same
	 * table. */
	sqlite3_stmt *q = sk_db_stmt(db, missing_sql);
	if (!q) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_int64(q, 1, st->sitting_id);
	sqlite3_bind_int64(q, 2, st->room_id);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct missing *p = realloc(list, nc * sizeof(*p));
			if (!p) {
				sqlite3_reset(q);
				rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
				goto fail;
			}
			list = p;
			cap = nc;
		}
		list[n].id = sqlite3_column_int64(q, 0);
		copy_col(list[n].exam_number, sizeof(list[n].exam_number), q, 1);
		n++;
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "reading who has not come");
		goto fail;
	}
	if (!n) {
		sk_db_rollback(db);
		goto done;
	}
	char now[21];
	sk_db_now(db, now);
	for (size_t i = 0; i < n; i++) {
		if (!(q = sk_db_stmt(db, absent_sql))) {
			rc = db->err;
			goto fail;
		}
		sqlite3_bind_int64(q, 1, list[i].id);
		sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, st->station, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, st->proctor, -1, SQLITE_STATIC);
		if ((rc = step_done(db, q, "marking a registration absent")))
			goto fail;
		sk_buf_reset(&d);
		sk_buf_adds(&d, "{\"sitting\":");
		sk_buf_add_json_str(&d, st->sitting);
		sk_buf_adds(&d, ",\"room\":");
		sk_buf_add_json_str(&d, st->room);
		sk_buf_addch(&d, ',');
		detail_who(&d, st);
		sk_buf_addch(&d, '}');
		rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
				       : sk_audit_append(db, "checkin", list[i].exam_number, "absent", d.buf);
		if (rc)
			goto fail;
	}
	if ((rc = sk_db_commit(db)))
		goto fail;
	*out_marked = n;
done:
	free(list);
	sk_buf_release(&d);
	return 0;
fail:
	sk_db_rollback(db);
	free(list);
	sk_buf_release(&d);
	return rc;
}

int sk_checkin_counts(struct sk_db *db, const char *sitting, const char *room,
		      int (*cb)(void *payload, const struct sk_checkin_count *c), void *payload)
{
	static const char sql[] =
		"SELECT rm.code, count(r.id),"
		" coalesce(sum(ci.status = 'present'), 0), coalesce(sum(ci.status = 'present' AND ci.late), 0),"
		" coalesce(sum(ci.status = 'absent'), 0),"
		" (SELECT count(*) FROM checkin_refusal f JOIN registration r2 ON r2.id = f.registration_id"
		"  WHERE f.sitting_id = ?1 AND r2.sitting_id = ?1 AND r2.room_id = rm.id)"
		" FROM room rm"
		" LEFT JOIN registration r ON r.room_id = rm.id AND r.sitting_id = ?1 AND r.status = 'registered'"
		" LEFT JOIN checkin ci ON ci.registration_id = r.id"
		" WHERE rm.venue_id = ?2 AND (?3 IS NULL OR rm.code = ?3)"
		" GROUP BY rm.id ORDER BY rm.code";
	struct sk_sitting s;
	int rc = sk_sitting_get(db, sitting ? sitting : "", &s);
	if (rc)
		return rc;
	/* One statement, so one snapshot: the rooms add up to one moment
	 * while stations keep writing. */
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &q, NULL) != SQLITE_OK) {
		sqlite3_finalize(q);
		return sk_db_sqlfail(db, "counting check-ins");
	}
	sqlite3_bind_int64(q, 1, s.id);
	sqlite3_bind_int64(q, 2, s.venue_id);
	sk_bind_text_or_null(q, 3, room);
	int step, rows = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		struct sk_checkin_count c;
		memset(&c, 0, sizeof(c));
		copy_col(c.room, sizeof(c.room), q, 0);
		c.expected = (size_t)sqlite3_column_int64(q, 1);
		c.present = (size_t)sqlite3_column_int64(q, 2);
		c.late = (size_t)sqlite3_column_int64(q, 3);
		c.absent = (size_t)sqlite3_column_int64(q, 4);
		c.refused = (size_t)sqlite3_column_int64(q, 5);
		c.waiting = c.expected - c.present - c.absent;
		rows++;
		if ((rc = cb(payload, &c)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "counting check-ins");
	else if (!rc && room && !rows)
		rc = sk_db_fail(db, SK_ENOTFOUND, "venue %s of sitting %s has no room '%s'", s.venue, s.code, room);
	sqlite3_finalize(q);
	return rc;
}
