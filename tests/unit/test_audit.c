/*
 * The audit log. Appends happen inside the transaction of the change they
 * record; the triggers refuse UPDATE and DELETE; and when somebody with raw
 * access to the file drops the triggers and edits, deletes, forges, swaps,
 * renumbers or truncates records, verification names the record — or, for
 * a cut-back tail, needs the head written down earlier and then finds it.
 */
#include "core/audit.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "core/report.h"
#include "unit.h"

#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
}

TestSuite(audit, .init = setup);

/* A keyed database with n records appended in one transaction each. */
static void open_with_records(struct unit_db *u, int n)
{
	unit_db_open(u, 1);
	for (int i = 1; i <= n; i++) {
		char key[32], detail[64];
		snprintf(key, sizeof(key), "VN-2026-%04d", i);
		snprintf(detail, sizeof(detail), "{\"n\":%d}", i);
		cr_assert_eq(sk_db_begin(u->db), 0);
		cr_assert_eq(sk_audit_append(u->db, "candidate", key, "create", detail), 0, "%s",
			     sk_db_errmsg(u->db));
		cr_assert_eq(sk_db_commit(u->db), 0);
	}
}

static void drop_triggers(struct unit_db *u)
{
	unit_exec(u->db->sql, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete");
}

static int64_t record_count(struct unit_db *u)
{
	return unit_query_int(u->db->sql, "SELECT count(*) FROM audit");
}

/* The formatted problems of a verification, one per line. */
static char *problems_text(const struct sk_audit_result *r)
{
	struct sk_buf b = SK_BUF_INIT;
	for (size_t i = 0; i < r->problems.count; i++) {
		sk_diag_format(&b, &r->problems.items[i], NULL);
		sk_buf_addch(&b, '\n');
	}
	return sk_buf_detach(&b, NULL);
}

static void assert_intact(struct unit_db *u, int64_t records)
{
	struct sk_audit_result r;
	int rc = sk_audit_verify(u->db, &r, 0, NULL);
	char *text = problems_text(&r);
	cr_assert_eq(rc, 0, "%s", text);
	cr_assert_eq(r.problems.count, 0);
	cr_assert_eq(r.records, records);
	cr_assert_eq(r.head_seq, records);
	cr_assert_eq(strlen(r.head), 64);
	free(text);
	sk_report_release(&r.problems);
}

/* Verification fails and its problems, formatted, contain every needle. */
static void assert_tampered(struct unit_db *u, const char *const *needles, size_t n)
{
	struct sk_audit_result r;
	int rc = sk_audit_verify(u->db, &r, 0, NULL);
	char *text = problems_text(&r);
	cr_assert_eq(rc, SK_EVERIFY, "got %s; problems:\n%s", sk_errname(rc), text);
	cr_assert_gt(r.problems.count, 0);
	for (size_t i = 0; i < n; i++)
		cr_assert(strstr(text, needles[i]), "'%s' not in:\n%s", needles[i], text);
	free(text);
	sk_report_release(&r.problems);
	unit_assert_db_clean(u->db->sql);
}

/* ---- appending ---- */

struct collected {
	int count;
	int64_t seq[16];
	char text[16][256];
	int stop_at;
};

static int collect(void *payload, const struct sk_audit_record *rec)
{
	struct collected *c = payload;
	if (c->count < 16) {
		c->seq[c->count] = rec->seq;
		snprintf(c->text[c->count], sizeof(c->text[0]), "%s|%s|%s|%s|%s|%s|%s", rec->at,
			 rec->actor, rec->command, rec->entity, rec->entity_key, rec->action,
			 rec->detail);
	}
	c->count++;
	return c->stop_at && c->count == c->stop_at ? 42 : 0;
}

Test(audit, append_records_who_what_and_when)
{
	struct unit_db u;
	open_with_records(&u, 2);
	struct collected c = { 0 };
	cr_assert_eq(sk_audit_foreach(u.db, NULL, collect, &c), 0);
	cr_assert_eq(c.count, 2);
	cr_assert_eq(c.seq[0], 1);
	cr_assert_eq(c.seq[1], 2);
	cr_assert_str_eq(c.text[0],
			 "2026-11-22T09:30:00Z|tester|unit|candidate|VN-2026-0001|create|{\"n\":1}");
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM audit WHERE length(mac) = 32 "
					       "AND length(chain) = 32"), 2);
	assert_intact(&u, 2);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(audit, append_defaults_for_missing_key_and_detail)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_audit_append(u.db, "sitting", NULL, "create", NULL), 0);
	cr_assert_eq(sk_db_commit(u.db), 0);
	struct collected c = { 0 };
	cr_assert_eq(sk_audit_foreach(u.db, NULL, collect, &c), 0);
	cr_assert_str_eq(c.text[0], "2026-11-22T09:30:00Z|tester|unit|sitting||create|{}");
	assert_intact(&u, 1);
	unit_db_close(&u);
}

Test(audit, append_outside_transaction_refused)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	cr_assert_eq(sk_audit_append(u.db, "candidate", "X", "create", "{}"), SK_EINVAL);
	cr_assert(strstr(sk_db_errmsg(u.db), "outside a transaction"), "%s", sk_db_errmsg(u.db));
	cr_assert_eq(record_count(&u), 0);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(audit, append_without_keys_refused)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_audit_append(u.db, "candidate", "X", "create", "{}"), SK_EKEYS);
	sk_db_rollback(u.db);
	cr_assert_eq(record_count(&u), 0);
	unit_db_close(&u);
}

Test(audit, append_rolls_back_with_the_change)
{
	struct unit_db u;
	open_with_records(&u, 1);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_audit_append(u.db, "candidate", "gone", "create", "{}"), 0);
	cr_assert_eq(sk_audit_append(u.db, "candidate", "gone", "update", "{}"), 0);
	sk_db_rollback(u.db);
	cr_assert_eq(record_count(&u), 1);
	/* The next append continues the chain from what was committed. */
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_audit_append(u.db, "candidate", "kept", "create", "{}"), 0);
	cr_assert_eq(sk_db_commit(u.db), 0);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT max(seq) FROM audit"), 2);
	assert_intact(&u, 2);
	unit_db_close(&u);
}

Test(audit, many_appends_in_one_transaction)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	cr_assert_eq(sk_db_begin(u.db), 0);
	for (int i = 0; i < 500; i++)
		cr_assert_eq(sk_audit_append(u.db, "candidate", "k", "create", "{}"), 0);
	cr_assert_eq(sk_db_commit(u.db), 0);
	assert_intact(&u, 500);
	unit_db_close(&u);
}

Test(audit, appends_from_two_handles_interleave)
{
	/* Each handle reads the tail under the write lock, so a second writer
	 * continues the chain instead of forking it. */
	struct unit_db u;
	open_with_records(&u, 1);
	struct sk_db *other = NULL;
	char err[512] = "";
	cr_assert_eq(sk_db_open(&other, u.path, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(sk_keys_load(other, u.key_path), 0, "%s", sk_db_errmsg(other));
	sk_db_set_clock(other, SK_TEST_NOW);
	for (int i = 0; i < 3; i++) {
		struct sk_db *w = i % 2 ? u.db : other;
		cr_assert_eq(sk_db_begin(w), 0);
		cr_assert_eq(sk_audit_append(w, "venue", "HAN", "update", "{}"), 0);
		cr_assert_eq(sk_db_commit(w), 0);
	}
	sk_db_close(other);
	assert_intact(&u, 4);
	unit_db_close(&u);
}

/* ---- reading ---- */

Test(audit, foreach_filters)
{
	struct unit_db u;
	open_with_records(&u, 5);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_audit_append(u.db, "venue", "HAN", "create", "{}"), 0);
	cr_assert_eq(sk_db_commit(u.db), 0);

	struct collected c = { 0 };
	struct sk_audit_filter f = { .entity = "venue" };
	cr_assert_eq(sk_audit_foreach(u.db, &f, collect, &c), 0);
	cr_assert_eq(c.count, 1);
	cr_assert_eq(c.seq[0], 6);

	memset(&c, 0, sizeof(c));
	f = (struct sk_audit_filter){ .entity = "candidate", .entity_key = "VN-2026-0003" };
	cr_assert_eq(sk_audit_foreach(u.db, &f, collect, &c), 0);
	cr_assert_eq(c.count, 1);
	cr_assert_eq(c.seq[0], 3);

	memset(&c, 0, sizeof(c));
	f = (struct sk_audit_filter){ .since_seq = 4 };
	cr_assert_eq(sk_audit_foreach(u.db, &f, collect, &c), 0);
	cr_assert_eq(c.count, 2);
	cr_assert_eq(c.seq[0], 5);

	/* limit keeps the newest, still in order. */
	memset(&c, 0, sizeof(c));
	f = (struct sk_audit_filter){ .limit = 2 };
	cr_assert_eq(sk_audit_foreach(u.db, &f, collect, &c), 0);
	cr_assert_eq(c.count, 2);
	cr_assert_eq(c.seq[0], 5);
	cr_assert_eq(c.seq[1], 6);

	memset(&c, 0, sizeof(c));
	f = (struct sk_audit_filter){ .entity = "nothing" };
	cr_assert_eq(sk_audit_foreach(u.db, &f, collect, &c), 0);
	cr_assert_eq(c.count, 0);
	unit_db_close(&u);
}

Test(audit, foreach_stops_when_callback_says_so)
{
	struct unit_db u;
	open_with_records(&u, 5);
	struct collected c = { .stop_at = 2 };
	cr_assert_eq(sk_audit_foreach(u.db, NULL, collect, &c), 42);
	cr_assert_eq(c.count, 2);
	unit_db_close(&u);
}

/* ---- the triggers ---- */

Test(audit, triggers_refuse_update_and_delete)
{
	struct unit_db u;
	open_with_records(&u, 3);
	const char *changes[] = { "UPDATE audit SET actor = 'mallory' WHERE seq = 2",
				  "DELETE FROM audit WHERE seq = 3", "DELETE FROM audit" };
	for (size_t i = 0; i < 3; i++) {
		char *msg = NULL;
		int rc = sqlite3_exec(u.db->sql, changes[i], NULL, NULL, &msg);
		cr_assert_eq(rc, SQLITE_CONSTRAINT, "%s", changes[i]);
		cr_assert(msg && strstr(msg, "append-only"), "%s", msg ? msg : "?");
		sqlite3_free(msg);
	}
	cr_assert_eq(record_count(&u), 3);
	assert_intact(&u, 3);
	unit_db_close(&u);
}

/* ---- tampering ---- */

Test(audit, edited_field_names_the_record)
{
	static const char *const edits[] = {
		"UPDATE audit SET at = '2026-11-21T09:30:00Z' WHERE seq = 3",
		"UPDATE audit SET actor = 'someone-else' WHERE seq = 3",
		"UPDATE audit SET command = 'other' WHERE seq = 3",
		"UPDATE audit SET entity = 'venue' WHERE seq = 3",
		"UPDATE audit SET entity_key = 'VN-2026-0099' WHERE seq = 3",
		"UPDATE audit SET action = 'delete' WHERE seq = 3",
		"UPDATE audit SET detail = '{\"n\":4}' WHERE seq = 3",
		"UPDATE audit SET mac = randomblob(32) WHERE seq = 3",
		"UPDATE audit SET mac = substr(mac, 1, 31) WHERE seq = 3",
	};
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		struct unit_db u;
		open_with_records(&u, 5);
		drop_triggers(&u);
		unit_exec(u.db->sql, edits[i]);
		struct sk_audit_result r;
		cr_assert_eq(sk_audit_verify(u.db, &r, 0, NULL), SK_EVERIFY, "%s", edits[i]);
		cr_assert_eq(r.problems.count, 1, "%s: only the edited record", edits[i]);
		cr_assert_str_eq(r.problems.items[0].field, "record 3", "%s", edits[i]);
		cr_assert(strstr(r.problems.items[0].fmt, "MAC"), "%s", r.problems.items[0].fmt);
		cr_assert_eq(r.records, 5);
		sk_report_release(&r.problems);
		unit_assert_db_clean(u.db->sql);
		unit_db_close(&u);
	}
}

Test(audit, edited_chain_names_the_record)
{
	struct unit_db u;
	open_with_records(&u, 5);
	drop_triggers(&u);
	unit_exec(u.db->sql, "UPDATE audit SET chain = randomblob(32) WHERE seq = 2");
	static const char *const want[] = { "record 2: does not follow" };
	assert_tampered(&u, want, 1);
	unit_db_close(&u);
}

Test(audit, deleted_record_named_missing)
{
	struct unit_db u;
	open_with_records(&u, 6);
	drop_triggers(&u);
	unit_exec(u.db->sql, "DELETE FROM audit WHERE seq = 4");
	static const char *const want[] = { "record 4 is missing (deleted)" };
	assert_tampered(&u, want, 1);
	unit_db_close(&u);
}

Test(audit, deleted_first_record_named_missing)
{
	struct unit_db u;
	open_with_records(&u, 3);
	drop_triggers(&u);
	unit_exec(u.db->sql, "DELETE FROM audit WHERE seq = 1");
	static const char *const want[] = { "record 1 is missing (deleted)" };
	assert_tampered(&u, want, 1);
	unit_db_close(&u);
}

Test(audit, deleted_run_of_records_named)
{
	struct unit_db u;
	open_with_records(&u, 8);
	drop_triggers(&u);
	unit_exec(u.db->sql, "DELETE FROM audit WHERE seq BETWEEN 3 AND 6");
	static const char *const want[] = { "records 3 to 6 are missing (deleted)" };
	assert_tampered(&u, want, 1);
	unit_db_close(&u);
}

Test(audit, deleted_record_and_renumbered_rest_named)
{
	/* Covering the gap by renumbering: the chain binds each record to its
	 * place, so the first moved record no longer follows its predecessor. */
	struct unit_db u;
	open_with_records(&u, 6);
	drop_triggers(&u);
	unit_exec(u.db->sql, "DELETE FROM audit WHERE seq = 3;"
			     "UPDATE audit SET seq = seq - 1 WHERE seq > 3");
	cr_assert_eq(record_count(&u), 5);
	static const char *const want[] = { "record 3: does not follow the record before it" };
	assert_tampered(&u, want, 1);
	unit_db_close(&u);
}

Test(audit, forged_record_at_tail_named)
{
	struct unit_db u;
	open_with_records(&u, 4);
	unit_exec(u.db->sql,
		  "INSERT INTO audit (seq, at, actor, command, entity, entity_key, action, detail, mac, chain)"
		  " VALUES (5, '2026-11-22T09:31:00Z', 'tester', 'unit', 'certificate', 'C-1', 'issue',"
		  " '{}', randomblob(32), randomblob(32))");
	static const char *const want[] = { "record 5: contents do not match the record's MAC" };
	assert_tampered(&u, want, 1);
	unit_db_close(&u);
}

Test(audit, forged_record_in_a_gap_named)
{
	struct unit_db u;
	open_with_records(&u, 5);
	drop_triggers(&u);
	unit_exec(u.db->sql,
		  "DELETE FROM audit WHERE seq = 2;"
		  "INSERT INTO audit (seq, at, actor, command, entity, entity_key, action, detail, mac, chain)"
		  " VALUES (2, '2026-11-22T09:30:00Z', 'tester', 'unit', 'candidate', 'VN-2026-0002',"
		  " 'delete', '{}', randomblob(32), randomblob(32))");
	static const char *const want[] = { "record 2: contents do not match the record's MAC" };
	assert_tampered(&u, want, 1);
	unit_db_close(&u);
}

Test(audit, record_copied_from_elsewhere_named)
{
	/* A genuine record (with its genuine MAC) replayed at the tail. */
	struct unit_db u;
	open_with_records(&u, 4);
	unit_exec(u.db->sql,
		  "INSERT INTO audit SELECT 5, at, actor, command, entity, entity_key, action, detail,"
		  " mac, chain FROM audit WHERE seq = 2");
	static const char *const want[] = { "record 5: does not follow" };
	assert_tampered(&u, want, 1);
	unit_db_close(&u);
}

static const char swap_all[] =
	"CREATE TEMP TABLE t AS SELECT * FROM audit WHERE seq IN (2, 4);"
	"UPDATE audit SET (at, actor, command, entity, entity_key, action, detail, mac, chain) ="
	" (SELECT at, actor, command, entity, entity_key, action, detail, mac, chain FROM t"
	"  WHERE t.seq = 6 - audit.seq) WHERE seq IN (2, 4);"
	"DROP TABLE t";

static const char swap_contents[] =
	"CREATE TEMP TABLE t AS SELECT * FROM audit WHERE seq IN (2, 4);"
	"UPDATE audit SET (at, actor, command, entity, entity_key, action, detail) ="
	" (SELECT at, actor, command, entity, entity_key, action, detail FROM t"
	"  WHERE t.seq = 6 - audit.seq) WHERE seq IN (2, 4);"
	"DROP TABLE t";

Test(audit, swapped_records_named)
{
	struct unit_db u;
	open_with_records(&u, 5);
	drop_triggers(&u);
	unit_exec(u.db->sql, swap_all);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM audit WHERE seq = 2 AND "
					       "entity_key = 'VN-2026-0004'"), 1, "swapped");
	static const char *const want[] = { "record 2: does not follow", "record 4: does not follow" };
	assert_tampered(&u, want, 2);
	unit_db_close(&u);
}

Test(audit, swapped_contents_named)
{
	struct unit_db u;
	open_with_records(&u, 5);
	drop_triggers(&u);
	unit_exec(u.db->sql, swap_contents);
	static const char *const want[] = { "record 2: contents do not match",
					    "record 4: contents do not match" };
	assert_tampered(&u, want, 2);
	unit_db_close(&u);
}

/* ---- the head ---- */

static void verify_against(struct unit_db *u, int64_t seq, const char *head, int want_rc,
			   const char *needle)
{
	struct sk_audit_result r;
	int rc = sk_audit_verify(u->db, &r, seq, head);
	char *text = problems_text(&r);
	cr_assert_eq(rc, want_rc, "got %s:\n%s", sk_errname(rc), text);
	if (needle)
		cr_assert(strstr(text, needle), "'%s' not in:\n%s", needle, text);
	free(text);
	sk_report_release(&r.problems);
}

static void head_now(struct unit_db *u, int64_t *seq, char head[65])
{
	struct sk_audit_result r;
	cr_assert_eq(sk_audit_verify(u->db, &r, 0, NULL), 0);
	*seq = r.head_seq;
	memcpy(head, r.head, 65);
	sk_report_release(&r.problems);
}

Test(audit, head_matches_itself)
{
	struct unit_db u;
	open_with_records(&u, 5);
	int64_t seq;
	char head[65];
	head_now(&u, &seq, head);
	cr_assert_eq(seq, 5);
	verify_against(&u, seq, head, 0, NULL);
	/* More records later: the old head is still on the chain. */
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_audit_append(u.db, "venue", "HAN", "create", "{}"), 0);
	cr_assert_eq(sk_db_commit(u.db), 0);
	verify_against(&u, seq, head, 0, NULL);
	unit_db_close(&u);
}

Test(audit, head_prefix_and_case)
{
	struct unit_db u;
	open_with_records(&u, 3);
	int64_t seq;
	char head[65];
	head_now(&u, &seq, head);
	/* Sixteen hex digits are enough to write down; fewer are refused. */
	char prefix[17];
	memcpy(prefix, head, 16);
	prefix[16] = '\0';
	verify_against(&u, seq, prefix, 0, NULL);
	prefix[15] = '\0';
	verify_against(&u, seq, prefix, SK_EVERIFY, "does not match the head");
	verify_against(&u, seq, "", SK_EVERIFY, "does not match the head");
	verify_against(&u, seq, NULL, SK_EVERIFY, "does not match the head");
	/* Read back from paper in capitals, it is the same head. */
	char upper[65];
	for (int i = 0; i < 65; i++)
		upper[i] = (char)(head[i] >= 'a' && head[i] <= 'f' ? head[i] - 'a' + 'A' : head[i]);
	verify_against(&u, seq, upper, 0, NULL);
	unit_db_close(&u);
}

Test(audit, truncated_tail_needs_the_head)
{
	struct unit_db u;
	open_with_records(&u, 6);
	int64_t seq;
	char head[65];
	head_now(&u, &seq, head);
	drop_triggers(&u);
	unit_exec(u.db->sql, "DELETE FROM audit WHERE seq > 4");
	/* Without a head, a shorter log is a valid log. */
	assert_intact(&u, 4);
	/* With the head written down earlier, the cut shows. */
	verify_against(&u, seq, head, SK_EVERIFY, "record 6: is gone");
	unit_db_close(&u);
}

Test(audit, truncated_then_regrown_tail_detected)
{
	/* Cut back, then new genuine records reach the old head's number: the
	 * head no longer matches. */
	struct unit_db u;
	open_with_records(&u, 6);
	int64_t seq;
	char head[65];
	head_now(&u, &seq, head);
	drop_triggers(&u);
	unit_exec(u.db->sql, "DELETE FROM audit WHERE seq > 3");
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(sk_db_begin(u.db), 0);
		cr_assert_eq(sk_audit_append(u.db, "venue", "HAN", "update", "{}"), 0);
		cr_assert_eq(sk_db_commit(u.db), 0);
	}
	assert_intact(&u, 7);
	verify_against(&u, seq, head, SK_EVERIFY, "record 6: does not match the head");
	unit_db_close(&u);
}

Test(audit, verify_empty_log)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	struct sk_audit_result r;
	cr_assert_eq(sk_audit_verify(u.db, &r, 0, NULL), 0);
	cr_assert_eq(r.records, 0);
	cr_assert_eq(r.head_seq, 0);
	sk_report_release(&r.problems);
	verify_against(&u, 1, "00000000000000000000", SK_EVERIFY, "record 1: is gone");
	unit_db_close(&u);
}

Test(audit, verify_without_keys)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	struct sk_audit_result r;
	cr_assert_eq(sk_audit_verify(u.db, &r, 0, NULL), SK_EKEYS);
	cr_assert_eq(r.problems.count, 0);
	cr_assert_eq(r.records, 0);
	sk_report_release(&r.problems);
	unit_db_close(&u);
}

Test(audit, verify_with_another_key_fails_everywhere)
{
	struct unit_db a, b;
	open_with_records(&a, 3);
	unit_db_open(&b, 1);
	/* b's keys on a's log: every MAC fails. */
	struct sk_keys *own = a.db->keys;
	a.db->keys = b.db->keys;
	struct sk_audit_result r;
	cr_assert_eq(sk_audit_verify(a.db, &r, 0, NULL), SK_EVERIFY);
	cr_assert_eq(r.problems.count, 3);
	sk_report_release(&r.problems);
	a.db->keys = own;
	unit_db_close(&a);
	unit_db_close(&b);
}
