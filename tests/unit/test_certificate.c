/*
 * Certificates in the registry: numbers with a check digit, revocation
 * (kept for good, audited, seen by the verifier at once), the listing, the
 * signed revocation list offline verifiers take along, and the ledger's
 * certificate column, issuing for the passed registrations of a graded
 * sitting, and the settings a printed certificate needs. Most tests put
 * certificates in the table the way issue does (signed with the active
 * key) with numbers of their choosing.
 */
#include "unit.h"
#include "core/candidate.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/venue.h"
#include "exam/certificate.h"

#include <sodium.h>

#define ISSUER "https://shiken.example.jp"

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
}

TestSuite(certificate, .init = setup);

static void must_import(struct sk_db *db, int (*fn)(struct sk_db *, const char *, const struct sk_import_opts *,
						    struct sk_import_stats *, struct sk_report *),
			const char *path)
{
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_import_stats st;
	int rc = fn(db, path, NULL, &st, &rep);
	cr_assert_eq(rc, 0, "importing %s: %s", path, sk_db_errmsg(db));
	sk_import_stats_release(&st);
	sk_report_release(&rep);
}

/* A registry with three MM1 registrations (ids 1-3), an issuer and a key. */
static void world(struct unit_db *u)
{
	unit_db_open(u, 1);
	struct sk_db *db = u->db;
	char *csv = unit_path(u->dir, "c.csv"), *reg = unit_path(u->dir, "r.csv");
	char err[256];
	cr_assert_eq(sk_synth_write_candidates(csv, 3, 3, 2026, NULL, 0, err, sizeof(err)), 0, "%s", err);
	must_import(db, sk_candidate_import, csv);
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "V");
	snprintf(v->name, sizeof(v->name), "Hall");
	snprintf(v->country, sizeof(v->country), "JP");
	snprintf(v->city, sizeof(v->city), "Tokyo");
	snprintf(v->address, sizeof(v->address), "1-1");
	snprintf(v->rooms[0].code, sizeof(v->rooms[0].code), "A");
	v->rooms[0].rows = 2;
	v->rooms[0].cols = 2;
	v->nrooms = 1;
	int outcome;
	cr_assert_eq(sk_venue_save(db, v, &outcome, &rep), 0);
	free(v);
	struct sk_sitting s;
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "S1");
	snprintf(s.exam_date, sizeof(s.exam_date), "2026-12-13");
	snprintf(s.start_time, sizeof(s.start_time), "09:30");
	snprintf(s.venue, sizeof(s.venue), "V");
	snprintf(s.fee_currency, sizeof(s.fee_currency), "JPY");
	snprintf(s.tests[0], sizeof(s.tests[0]), "MM1");
	s.ntests = 1;
	cr_assert_eq(sk_sitting_save(db, &s, "12000", &outcome, &rep), 0);
	FILE *f = fopen(reg, "w");
	fprintf(f, "reference,sitting,test\n");
	for (int i = 0; i < 3; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 3, (size_t)i, 2026);
		fprintf(f, "%s,S1,MM1\n", c.reference);
	}
	fclose(f);
	must_import(db, sk_register_import, reg);
	sk_report_release(&rep);
	free(csv);
	free(reg);
	cr_assert_eq(sk_db_meta_set(db, SK_CONFIG_ISSUER, ISSUER), 0);
	char kid[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	cr_assert_eq(sk_keys_sign_generate(db, u->key_path, kid, retired), 0, "%s", sk_db_errmsg(db));
}

/* Sign and store a certificate for registration reg, as issue will. The
 * token is returned (caller frees). */
static char *issue(struct unit_db *u, int reg, int seq)
{
	char number[SK_CERTNO_LEN + 1];
	sk_certno_format(number, 2026, seq);
	struct sk_cert_claims c = {
		.issuer = ISSUER, .number = number, .family_name = "TRAN", .given_name = "VAN AN",
		.birthdate = "1999-04-01", .test_code = "MM1", .category_ja = "機械金属加工",
		.category_en = "Machining and Metalworking", .level = 1, .sitting_date = "2026-12-13",
		.issued_at = SK_TEST_NOW,
	};
	char *tok = NULL;
	cr_assert_eq(sk_cert_sign(u->db, &tok, &c), 0, "%s", sk_db_errmsg(u->db));
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(u->db->sql,
					"INSERT INTO certificate (number, registration_id, token, kid, issued_at)"
					" VALUES (?1, ?2, ?3, ?4, '2026-11-22T09:30:00Z')",
					-1, &st, NULL),
		     SQLITE_OK);
	sqlite3_bind_text(st, 1, number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, reg);
	sqlite3_bind_text(st, 3, tok, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sk_keys_signer(u->db)->kid, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "%s", sqlite3_errmsg(u->db->sql));
	sqlite3_finalize(st);
	return tok;
}

static enum sk_verdict verify_in_db(struct unit_db *u, const char *tok, int64_t *revoked_at)
{
	struct sk_keyring ring = SK_KEYRING_INIT;
	cr_assert_eq(sk_keys_keyring(u->db, &ring), 0);
	struct sk_cert_verify_opts o = { .keys = &ring, .issuer = ISSUER, .db = u->db };
	struct sk_cert_check c;
	cr_assert_eq(sk_cert_verify(&c, tok, strlen(tok), &o), 0, "%s", sk_db_errmsg(u->db));
	enum sk_verdict v = c.verdict;
	if (revoked_at)
		*revoked_at = c.revoked_at;
	sk_cert_check_release(&c);
	sk_keyring_release(&ring);
	return v;
}

/* ---- numbers ---- */

Test(certificate, numbers_have_a_damm_check_digit)
{
	char n[SK_CERTNO_LEN + 1], p[SK_CERTNO_LEN + 1];
	sk_certno_format(n, 2026, 42);
	cr_assert_eq(strlen(n), SK_CERTNO_LEN);
	cr_assert_eq(strncmp(n, "2026-000042-", 12), 0, "%s", n);
	char digits[12];
	snprintf(digits, sizeof(digits), "%.4s%.6s%c", n, n + 5, n[12]);
	cr_assert(sk_damm_valid(digits));
	cr_assert_eq(sk_certno_parse(p, n), 0);
	cr_assert_str_eq(p, n);
	/* Typed without hyphens, with spaces, in full-width digits. */
	char typed[64];
	snprintf(typed, sizeof(typed), "%.4s%.6s%c", n, n + 5, n[12]);
	cr_assert_eq(sk_certno_parse(p, typed), 0);
	cr_assert_str_eq(p, n);
	snprintf(typed, sizeof(typed), "%.4s %.6s %c", n, n + 5, n[12]);
	cr_assert_eq(sk_certno_parse(p, typed), 0);
	cr_assert_str_eq(p, n);
	/* Full-width digits and hyphen, as a Japanese keyboard types them. */
	char wide[64];
	size_t w = 0;
	for (const char *c = n; *c; c++) {
		unsigned cp = *c == '-' ? 0xFF0D : 0xFF10 + (unsigned)(*c - '0');
		wide[w++] = (char)(0xE0 | (cp >> 12));
		wide[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		wide[w++] = (char)(0x80 | (cp & 0x3F));
	}
	wide[w] = '\0';
	cr_assert_eq(sk_certno_parse(p, wide), 0, "%s", wide);
	cr_assert_str_eq(p, n);
	/* Every single wrong digit and every swap of neighbours is caught. */
	for (int i = 0; i < SK_CERTNO_LEN; i++) {
		if (n[i] == '-')
			continue;
		char m[SK_CERTNO_LEN + 1];
		for (char d = '0'; d <= '9'; d++) {
			if (d == n[i])
				continue;
			memcpy(m, n, sizeof(m));
			m[i] = d;
			cr_assert_neq(sk_certno_parse(p, m), 0, "%s", m);
		}
		int j = i + 1 < SK_CERTNO_LEN && n[i + 1] == '-' ? i + 2 : i + 1;
		if (j < SK_CERTNO_LEN && n[i] != n[j]) {
			memcpy(m, n, sizeof(m));
			m[i] = n[j];
			m[j] = n[i];
			cr_assert_eq(sk_certno_parse(p, m), SK_EVERIFY, "%s", m);
		}
	}
	const char *bad[] = { "", "2026-42-1", "2026-0000420-1", "1999-000001-0", "2026-000000-0", "2026-00004A-1",
			      "0001-00042-6" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_neq(sk_certno_parse(p, bad[i]), 0, "%s", bad[i]);
		cr_assert_str_eq(p, "");
	}
}

/* ---- revocation ---- */

Test(certificate, revoke_is_kept_audited_and_seen_at_once)
{
	struct unit_db u;
	world(&u);
	char *tok = issue(&u, 1, 1);
	char *other = issue(&u, 2, 2);
	char number[SK_CERTNO_LEN + 1];
	sk_certno_format(number, 2026, 1);
	cr_assert_eq(verify_in_db(&u, tok, NULL), SK_VERDICT_VALID);
	cr_assert_eq(sk_cert_revoke(u.db, number, "name misspelt on the certificate"), 0, "%s", sk_db_errmsg(u.db));
	int64_t at = 0;
	cr_assert_eq(verify_in_db(&u, tok, &at), SK_VERDICT_REVOKED);
	cr_assert_eq(at, SK_TEST_NOW);
	cr_assert_eq(verify_in_db(&u, other, NULL), SK_VERDICT_VALID, "only that one");
	char *reason = unit_query_text(u.db->sql, "SELECT reason FROM certificate WHERE status = 'revoked'");
	cr_assert_str_eq(reason, "name misspelt on the certificate");
	free(reason);
	char *detail = unit_query_text(u.db->sql, "SELECT entity_key || ' ' || action || ' ' || detail FROM audit"
						   " WHERE entity = 'certificate'");
	char want[128];
	snprintf(want, sizeof(want), "%s revoke {\"reason\":\"name misspelt on the certificate\"}", number);
	cr_assert_str_eq(detail, want);
	free(detail);
	unit_assert_db_clean(u.db->sql);
	free(tok);
	free(other);
	unit_db_close(&u);
}

/* What a verifier that remembers signatures calls: the same verdicts as a
 * full verification from the payload alone, revocation seen as it is now. */
Test(certificate, verify_payload_checks_claims_issuer_and_revocation)
{
	struct unit_db u;
	world(&u);
	char *tok = issue(&u, 1, 1);
	struct sk_keyring ring = SK_KEYRING_INIT;
	cr_assert_eq(sk_keys_keyring(u.db, &ring), 0);
	struct sk_cert_verify_opts o = { .keys = &ring, .issuer = ISSUER, .db = u.db };
	struct sk_cert_check full, again;
	cr_assert_eq(sk_cert_verify(&full, tok, strlen(tok), &o), 0);
	cr_assert_eq(full.verdict, SK_VERDICT_VALID);

	memset(&again, 0, sizeof(again));
	cr_assert_eq(sk_cert_verify_payload(&again, json_deep_copy(full.payload), &o), 0);
	cr_assert_eq(again.verdict, SK_VERDICT_VALID);
	cr_assert_str_eq(again.claims.number, full.claims.number);
	cr_assert_null(again.detail);
	sk_cert_check_release(&again);

	struct sk_cert_verify_opts other = o;
	other.issuer = "https://other.example.org";
	cr_assert_eq(sk_cert_verify_payload(&again, json_deep_copy(full.payload), &other), 0);
	cr_assert_eq(again.verdict, SK_VERDICT_WRONG_ISSUER);
	sk_cert_check_release(&again);

	char number[SK_CERTNO_LEN + 1];
	sk_certno_format(number, 2026, 1);
	cr_assert_eq(sk_cert_revoke(u.db, number, "issued in error"), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_eq(sk_cert_verify_payload(&again, json_deep_copy(full.payload), &o), 0);
	cr_assert_eq(again.verdict, SK_VERDICT_REVOKED, "revocation is looked up, not remembered");
	cr_assert_eq(again.revoked_at, SK_TEST_NOW);
	sk_cert_check_release(&again);

	/* A payload whose claims do not hold: malformed, and the payload dropped. */
	json_t *bad = json_deep_copy(full.payload);
	json_object_set_new(bad, "birthdate", json_string("1999-02-30"));
	cr_assert_eq(sk_cert_verify_payload(&again, bad, &o), 0);
	cr_assert_eq(again.verdict, SK_VERDICT_MALFORMED);
	cr_assert_null(again.payload);
	cr_assert_null(again.claims.number);
	cr_assert_not_null(again.detail);
	sk_cert_check_release(&again);

	sk_cert_check_release(&full);
	sk_keyring_release(&ring);
	free(tok);
	unit_db_close(&u);
}

Test(certificate, revoke_refusals_change_nothing)
{
	struct unit_db u;
	world(&u);
	char *tok = issue(&u, 1, 1);
	char number[SK_CERTNO_LEN + 1], missing[SK_CERTNO_LEN + 1];
	sk_certno_format(number, 2026, 1);
	sk_certno_format(missing, 2026, 9);
	int64_t records = unit_query_int(u.db->sql, "SELECT count(*) FROM audit");
	cr_assert_eq(sk_cert_revoke(u.db, missing, "x"), SK_ENOTFOUND);
	cr_assert(strstr(sk_db_errmsg(u.db), missing));
	cr_assert_eq(sk_cert_revoke(u.db, number, ""), SK_EINPUT);
	cr_assert_eq(sk_cert_revoke(u.db, number, "   "), SK_EINPUT);
	cr_assert_eq(sk_cert_revoke(u.db, number, "two\nlines"), SK_EINPUT);
	char longer[600];
	memset(longer, 'x', 501);
	longer[501] = '\0';
	cr_assert_eq(sk_cert_revoke(u.db, number, longer), SK_EINPUT);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM certificate WHERE status = 'revoked'"), 0);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM audit"), records);
	cr_assert_eq(sk_cert_revoke(u.db, number, "fraud"), 0);
	cr_assert_eq(sk_cert_revoke(u.db, number, "again"), SK_EEXISTS);
	cr_assert(strstr(sk_db_errmsg(u.db), "already revoked"), "%s", sk_db_errmsg(u.db));
	char *reason = unit_query_text(u.db->sql, "SELECT reason FROM certificate");
	cr_assert_str_eq(reason, "fraud", "the first reason stays");
	free(reason);
	cr_assert_eq(u.db->tx_depth, 0);
	free(tok);
	unit_db_close(&u);
}

Test(certificate, the_table_keeps_certificates_as_issued)
{
	struct unit_db u;
	world(&u);
	char *tok = issue(&u, 1, 1);
	sqlite3 *sql = u.db->sql;
	char *msg = NULL;
	cr_assert_neq(sqlite3_exec(sql, "DELETE FROM certificate", NULL, NULL, &msg), SQLITE_OK);
	cr_assert(strstr(msg, "never deleted"), "%s", msg);
	sqlite3_free(msg);
	cr_assert_neq(sqlite3_exec(sql, "UPDATE certificate SET token = 'x'", NULL, NULL, &msg), SQLITE_OK);
	sqlite3_free(msg);
	cr_assert_neq(sqlite3_exec(sql, "UPDATE certificate SET status = 'revoked'", NULL, NULL, &msg), SQLITE_OK,
		      "revoked needs a time and a reason");
	sqlite3_free(msg);
	cr_assert_eq(sqlite3_exec(sql,
				  "UPDATE certificate SET status = 'revoked', revoked_at = '2026-11-22T09:30:00Z',"
				  " reason = 'r'",
				  NULL, NULL, &msg),
		     SQLITE_OK, "%s", msg);
	cr_assert_neq(sqlite3_exec(sql, "UPDATE certificate SET status = 'valid', revoked_at = NULL, reason = NULL",
				   NULL, NULL, &msg),
		      SQLITE_OK, "a revoked certificate stays revoked");
	cr_assert(strstr(msg, "stays revoked"), "%s", msg);
	sqlite3_free(msg);
	/* A second certificate for the same registration, or a bad number. */
	cr_assert_neq(sqlite3_exec(sql,
				   "INSERT INTO certificate (number, registration_id, token, kid, issued_at)"
				   " VALUES ('2026-000002-7', 1, 't', 'k', 'now')",
				   NULL, NULL, &msg),
		      SQLITE_OK);
	sqlite3_free(msg);
	cr_assert_neq(sqlite3_exec(sql,
				   "INSERT INTO certificate (number, registration_id, token, kid, issued_at)"
				   " VALUES ('26-2-7', 2, 't', 'k', 'now')",
				   NULL, NULL, &msg),
		      SQLITE_OK);
	sqlite3_free(msg);
	free(tok);
	unit_db_close(&u);
}

Test(certificate, ledger_shows_the_certificate_number)
{
	struct unit_db u;
	world(&u);
	char *tok = issue(&u, 2, 5);
	char number[SK_CERTNO_LEN + 1];
	sk_certno_format(number, 2026, 5);
	char *got = unit_query_text(u.db->sql, "SELECT certificate FROM ledger WHERE registration_id = 2");
	cr_assert_str_eq(got, number);
	free(got);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM ledger WHERE certificate IS NULL"), 2);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM ledger"), 3, "one row per registration still");
	free(tok);
	unit_db_close(&u);
}

struct rows {
	int n;
	char numbers[8][SK_CERTNO_LEN + 1];
	char status[8][16];
};

static int collect(void *payload, const struct sk_cert_row *r)
{
	struct rows *rows = payload;
	snprintf(rows->numbers[rows->n], sizeof(rows->numbers[0]), "%s", r->number);
	snprintf(rows->status[rows->n], sizeof(rows->status[0]), "%s", r->status);
	rows->n++;
	return 0;
}

Test(certificate, list_by_status)
{
	struct unit_db u;
	world(&u);
	free(issue(&u, 3, 3));
	free(issue(&u, 1, 1));
	char n1[SK_CERTNO_LEN + 1], n3[SK_CERTNO_LEN + 1];
	sk_certno_format(n1, 2026, 1);
	sk_certno_format(n3, 2026, 3);
	cr_assert_eq(sk_cert_revoke(u.db, n3, "r"), 0);
	struct rows all = { 0 }, valid = { 0 }, revoked = { 0 };
	cr_assert_eq(sk_cert_foreach(u.db, NULL, collect, &all), 0);
	cr_assert_eq(all.n, 2);
	cr_assert_str_eq(all.numbers[0], n1, "by number");
	cr_assert_eq(sk_cert_foreach(u.db, "valid", collect, &valid), 0);
	cr_assert_eq(valid.n, 1);
	cr_assert_str_eq(valid.numbers[0], n1);
	cr_assert_eq(sk_cert_foreach(u.db, "revoked", collect, &revoked), 0);
	cr_assert_eq(revoked.n, 1);
	cr_assert_str_eq(revoked.status[0], "revoked");
	unit_db_close(&u);
}

/* ---- the signed revocation list ---- */

Test(certificate, revocation_list_offline)
{
	struct unit_db u;
	world(&u);
	char *a = issue(&u, 1, 1), *b = issue(&u, 2, 2);
	char n2[SK_CERTNO_LEN + 1];
	sk_certno_format(n2, 2026, 2);
	cr_assert_eq(sk_cert_revoke(u.db, n2, "obtained by impersonation"), 0);
	char *list = NULL;
	size_t count = 0;
	cr_assert_eq(sk_revocations_build(u.db, &list, &count), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_eq(count, 1);
	cr_assert_null(strstr(list, "impersonation"));
	/* Offline: only the public keys, the list and the token. */
	struct sk_keyring ring = SK_KEYRING_INIT;
	cr_assert_eq(sk_keys_keyring(u.db, &ring), 0);
	struct sk_revocations rev;
	const char *detail = NULL;
	cr_assert_eq(sk_revocations_read(&rev, list, strlen(list), &ring, &detail), SK_VERDICT_VALID, "%s", detail);
	cr_assert_str_eq(rev.issuer, ISSUER);
	cr_assert_eq(rev.issued_at, SK_TEST_NOW);
	cr_assert_eq(rev.count, 1);
	cr_assert_str_eq(rev.items[0].number, n2);
	cr_assert_eq(rev.items[0].at, SK_TEST_NOW);
	struct sk_cert_verify_opts o = { .keys = &ring, .revocations = &rev };
	struct sk_cert_check c;
	cr_assert_eq(sk_cert_verify(&c, b, strlen(b), &o), 0);
	cr_assert_eq(c.verdict, SK_VERDICT_REVOKED);
	sk_cert_check_release(&c);
	cr_assert_eq(sk_cert_verify(&c, a, strlen(a), &o), 0);
	cr_assert_eq(c.verdict, SK_VERDICT_VALID);
	sk_cert_check_release(&c);
	sk_revocations_release(&rev);
	sk_keyring_release(&ring);
	free(list);
	free(a);
	free(b);
	unit_db_close(&u);
}

Test(certificate, revocation_list_needs_an_issuer_and_a_key)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char *list = NULL;
	size_t count = 0;
	cr_assert_eq(sk_revocations_build(u.db, &list, &count), SK_ENOTFOUND);
	cr_assert(strstr(sk_db_errmsg(u.db), "config set cert.issuer"), "%s", sk_db_errmsg(u.db));
	cr_assert_eq(sk_db_meta_set(u.db, SK_CONFIG_ISSUER, ISSUER), 0);
	cr_assert_eq(sk_revocations_build(u.db, &list, &count), SK_ENOTFOUND);
	cr_assert(strstr(sk_db_errmsg(u.db), "keys generate"), "%s", sk_db_errmsg(u.db));
	cr_assert_null(list);
	unit_db_close(&u);
}

/* ---- issuing ---- */

/* Results for registrations 1-3 as grading stores them. */
static void graded(struct unit_db *u, const char *o1, const char *o2, const char *o3)
{
	char sql[512];
	unit_exec(u->db->sql, "INSERT INTO grading_run (id, sitting_id, actor, started_at, graded, written)"
			      " VALUES (1, 1, 't', '2026-12-13T12:00:00Z', 3, 3)");
	snprintf(sql, sizeof(sql),
		 "INSERT INTO result (registration_id, run_id, outcome, graded_at) VALUES"
		 " (1, 1, '%s', 'x'), (2, 1, '%s', 'x'), (3, 1, '%s', 'x')", o1, o2, o3);
	unit_exec(u->db->sql, sql);
}

struct issued {
	int n, stale;
	char numbers[8][SK_CERTNO_LEN + 1];
	char exam[8][16];
	char stale_outcome[16];
};

static int on_issue(void *payload, const struct sk_cert_issued *c)
{
	struct issued *is = payload;
	snprintf(is->numbers[is->n], sizeof(is->numbers[0]), "%s", c->number);
	snprintf(is->exam[is->n], sizeof(is->exam[0]), "%s", c->exam_number);
	is->n++;
	return 0;
}

static int on_stale(void *payload, const struct sk_cert_stale *c)
{
	struct issued *is = payload;
	is->stale++;
	snprintf(is->stale_outcome, sizeof(is->stale_outcome), "%s", c->outcome);
	return 0;
}

Test(certificate, issue_needs_a_graded_sitting)
{
	struct unit_db u;
	world(&u);
	struct sk_cert_issue_stats st;
	cr_assert_eq(sk_cert_issue(u.db, "S1", 0, NULL, NULL, NULL, &st), SK_ECONFLICT);
	cr_assert(strstr(sk_db_errmsg(u.db), "not graded yet"), "%s", sk_db_errmsg(u.db));
	cr_assert_eq(sk_cert_issue(u.db, "NOPE", 0, NULL, NULL, NULL, &st), SK_ENOTFOUND);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM certificate"), 0);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(certificate, issue_gives_each_pass_the_next_number_once)
{
	struct unit_db u;
	world(&u);
	graded(&u, "pass", "fail", "pass");
	int64_t audit0 = unit_query_int(u.db->sql, "SELECT count(*) FROM audit");

	/* A dry run reports the numbers and writes nothing. */
	struct issued is = { 0 };
	struct sk_cert_issue_stats st;
	cr_assert_eq(sk_cert_issue(u.db, "S1", SK_CERT_DRY_RUN, on_issue, on_stale, &is, &st), 0, "%s",
		     sk_db_errmsg(u.db));
	cr_assert_eq(st.issued, 2);
	cr_assert_eq(is.n, 2);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM certificate"), 0);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM audit"), audit0);

	memset(&is, 0, sizeof(is));
	cr_assert_eq(sk_cert_issue(u.db, "S1", 0, on_issue, on_stale, &is, &st), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_eq(st.passed, 2);
	cr_assert_eq(st.issued, 2);
	cr_assert_eq(st.had, 0);
	cr_assert_str_eq(st.first, "2026-000001-5");
	cr_assert_str_eq(st.last, "2026-000002-8");
	cr_assert_str_eq(st.kid, sk_keys_signer(u.db)->kid);
	/* In exam-number order: registrations 1 and 3. */
	char *e1 = unit_query_text(u.db->sql, "SELECT exam_number FROM registration WHERE id = 1");
	char *e3 = unit_query_text(u.db->sql, "SELECT exam_number FROM registration WHERE id = 3");
	cr_assert_str_eq(is.exam[0], e1);
	cr_assert_str_eq(is.exam[1], e3);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT registration_id FROM certificate WHERE number = '2026-000001-5'"), 1);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT registration_id FROM certificate WHERE number = '2026-000002-8'"), 3);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM certificate WHERE status = 'valid'"
					       " AND issued_at = '2026-11-22T09:30:00Z'"),
		     2);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM audit WHERE entity = 'certificate'"
					       " AND action = 'issue'"),
		     2);
	/* The stored token verifies and names the candidate. */
	char *tok = unit_query_text(u.db->sql, "SELECT token FROM certificate WHERE registration_id = 3");
	cr_assert_eq(verify_in_db(&u, tok, NULL), SK_VERDICT_VALID);
	free(tok);

	/* Again: nothing new. */
	memset(&is, 0, sizeof(is));
	cr_assert_eq(sk_cert_issue(u.db, "S1", 0, on_issue, on_stale, &is, &st), 0);
	cr_assert_eq(st.issued, 0);
	cr_assert_eq(st.had, 2);
	cr_assert_eq(is.n, 0);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM certificate"), 2);

	/* A regrade takes a pass away: the certificate stays, reported stale. */
	unit_exec(u.db->sql, "UPDATE result SET outcome = 'fail' WHERE registration_id = 3");
	cr_assert_eq(sk_cert_issue(u.db, "S1", 0, on_issue, on_stale, &is, &st), 0);
	cr_assert_eq(st.stale, 1);
	cr_assert_eq(is.stale, 1);
	cr_assert_str_eq(is.stale_outcome, "fail");
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM certificate WHERE status = 'valid'"), 2);
	unit_assert_db_clean(u.db->sql);
	free(e1);
	free(e3);
	unit_db_close(&u);
}

Test(certificate, issue_continues_the_year_after_numbers_in_use)
{
	struct unit_db u;
	world(&u);
	free(issue(&u, 2, 41)); /* 2026-000041 in use already */
	graded(&u, "pass", "pass", "absent");
	struct sk_cert_issue_stats st;
	cr_assert_eq(sk_cert_issue(u.db, "S1", 0, NULL, NULL, NULL, &st), 0, "%s", sk_db_errmsg(u.db));
	char n42[SK_CERTNO_LEN + 1];
	sk_certno_format(n42, 2026, 42);
	cr_assert_eq(st.issued, 1);
	cr_assert_eq(st.had, 1);
	cr_assert_str_eq(st.first, n42);
	/* A new year starts again at 1. */
	unit_exec(u.db->sql, "UPDATE result SET outcome = 'pass' WHERE registration_id = 3");
	sk_db_set_clock(u.db, SK_TEST_NOW + 60 * 86400);
	cr_assert_eq(sk_cert_issue(u.db, "S1", 0, NULL, NULL, NULL, &st), 0, "%s", sk_db_errmsg(u.db));
	char n2027[SK_CERTNO_LEN + 1];
	cr_assert_str_eq(st.first, sk_certno_format(n2027, 2027, 1));
	unit_db_close(&u);
}

Test(certificate, issue_refuses_without_issuer_or_key_and_changes_nothing)
{
	struct unit_db u;
	world(&u);
	graded(&u, "pass", "pass", "pass");
	struct sk_cert_issue_stats st;
	unit_exec(u.db->sql, "DELETE FROM meta WHERE key = 'cert.issuer'");
	cr_assert_eq(sk_cert_issue(u.db, "S1", 0, NULL, NULL, NULL, &st), SK_ENOTFOUND);
	cr_assert(strstr(sk_db_errmsg(u.db), "cert.issuer"), "%s", sk_db_errmsg(u.db));
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM certificate"), 0);
	unit_db_close(&u);
}

/* ---- settings for printing ---- */

Test(certificate, base_url_rules)
{
	const char *good[] = { "https://verify.example.jp", "http://127.0.0.1:8080", "https://x.jp/shiken/verify",
			       "https://[::1]:8443/v", "https://a.jp/%7Euser" };
	const char *bad[] = { "", "https://", "http://", "ftp://x.jp", "x.jp", "https:///c", "https://x.jp/",
			      "https://x.jp?q=1", "https://x.jp/#f", "https://x jp", "https://x.jp/\"", "https://x.jp/{c}",
			      "https://ex_ample.jp", "https://x.jp/\xe3\x81\x82" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert(sk_cert_base_url_valid(good[i]), "'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(!sk_cert_base_url_valid(bad[i]), "'%s' accepted", bad[i]);
	char long_url[300] = "https://x.jp/";
	memset(long_url + 13, 'a', 187);
	long_url[200] = '\0';
	cr_assert(sk_cert_base_url_valid(long_url), "200 characters");
	long_url[200] = 'a';
	long_url[201] = '\0';
	cr_assert(!sk_cert_base_url_valid(long_url), "201 characters");
	char *url = sk_cert_url("https://x.jp", "a.b.c");
	cr_assert_str_eq(url, "https://x.jp/c/a.b.c");
	free(url);
}

Test(certificate, issuer_name_rules_and_defaults)
{
	cr_assert(sk_cert_issuer_name_valid("一般社団法人 工業製品技能試験協会"));
	cr_assert(sk_cert_issuer_name_valid("Japan Industrial Skills Testing Association"));
	const char *bad[] = { "", "   ", "line\nbreak", "tab\there", "a {b|c}", "C1 \xc2\x85", "bad \xff utf-8" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(!sk_cert_issuer_name_valid(bad[i]), "'%s' accepted", bad[i]);
	char name[512] = "";
	for (int i = 0; i < 100; i++)
		strcat(name, "証");
	cr_assert(sk_cert_issuer_name_valid(name), "100 characters");
	strcat(name, "証");
	cr_assert(!sk_cert_issuer_name_valid(name), "101 characters");

	struct unit_db u;
	unit_db_open(&u, 0);
	char *ja = sk_cert_issuer_name(u.db, "ja"), *en = sk_cert_issuer_name(u.db, "en");
	cr_assert_str_eq(ja, SK_CERT_ISSUER_NAME_JA_DEFAULT);
	cr_assert_str_eq(en, SK_CERT_ISSUER_NAME_EN_DEFAULT);
	free(ja);
	free(en);
	cr_assert_eq(sk_db_meta_set(u.db, SK_CONFIG_ISSUER_NAME_EN, "Testing Body"), 0);
	en = sk_cert_issuer_name(u.db, "en");
	cr_assert_str_eq(en, "Testing Body");
	free(en);
	cr_assert_null(sk_cert_base_url(u.db));
	cr_assert_eq(u.db->err, SK_ENOTFOUND);
	unit_db_close(&u);
}
