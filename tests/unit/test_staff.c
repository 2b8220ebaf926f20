/*
 * Staff accounts and sessions (core/staff.h): names and roles, Argon2id
 * hashes, sign-in and its audit records, the lockout per account and per
 * client and its end, sessions (hash only, idle and absolute expiry,
 * sign-out, disabled accounts), CSRF tokens compared in constant time.
 */
#include "core/staff.h"
#include "unit.h"

#include <string.h>

static const char pw[] = "correct horse battery";

static void setup(struct unit_db *u)
{
	unit_db_open(u, 1);
	cr_assert_eq(sk_staff_add(u->db, "sato", "proctor", pw), 0, "%s", sk_db_errmsg(u->db));
}

static int64_t audits(struct unit_db *u, const char *action)
{
	char q[200];
	snprintf(q, sizeof(q), "SELECT count(*) FROM audit WHERE entity = 'staff' AND action = '%s'", action);
	return unit_query_int(u->db->sql, q);
}

Test(staff, names_and_roles)
{
	cr_assert(sk_staff_name_valid("sato"));
	cr_assert(sk_staff_name_valid("a.b_c-9"));
	cr_assert(!sk_staff_name_valid(""));
	cr_assert(!sk_staff_name_valid("Sato"));
	cr_assert(!sk_staff_name_valid("-sato"));
	cr_assert(!sk_staff_name_valid("sato yui"));
	cr_assert(!sk_staff_name_valid(NULL));
	char longname[66];
	memset(longname, 'a', 65);
	longname[65] = '\0';
	cr_assert(!sk_staff_name_valid(longname));
	longname[64] = '\0';
	cr_assert(sk_staff_name_valid(longname));
	cr_assert_eq(sk_staff_role_parse("grader"), SK_STAFF_GRADER);
	cr_assert_eq(sk_staff_role_parse("boss"), 0);
	cr_assert_str_eq(sk_staff_role_name(SK_STAFF_ADMIN), "admin");
}

Test(staff, add_keeps_only_a_hash)
{
	struct unit_db u;
	setup(&u);
	char *hash = unit_query_text(u.db->sql, "SELECT password_hash FROM staff WHERE name = 'sato'");
	cr_assert(!strncmp(hash, "$argon2id$v=19$m=65536,t=2,p=1$", 31), "%s", hash);
	cr_assert_null(strstr(hash, "horse"));
	free(hash);
	cr_assert_eq(sk_staff_add(u.db, "sato", "admin", pw), SK_EEXISTS);
	cr_assert_eq(sk_staff_add(u.db, "kimura", "proctor", "short"), SK_EINPUT);
	cr_assert_eq(sk_staff_add(u.db, "kimura", "boss", pw), SK_EINPUT);
	cr_assert_eq(sk_staff_add(u.db, "Kimura", "proctor", pw), SK_EINPUT);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM staff"), 1);
	cr_assert_eq(audits(&u, "create"), 1);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(staff, login_session_logout)
{
	struct unit_db u;
	setup(&u);
	struct sk_login l;
	cr_assert_eq(sk_staff_login(&l, u.db, "sato", pw, "192.0.2.1"), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_eq(l.outcome, SK_LOGIN_OK);
	cr_assert_eq(l.role, SK_STAFF_PROCTOR);
	cr_assert_eq(strlen(l.token), SK_STAFF_TOKEN_LEN);
	/* Only the hash of the id is stored. */
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM staff_session"), 1);
	struct sk_staff_session s;
	cr_assert_eq(sk_staff_session_get(&s, u.db, l.token), 0);
	cr_assert_str_eq(s.name, "sato");
	cr_assert_eq(s.role, SK_STAFF_PROCTOR);
	cr_assert_eq(s.created_at, SK_TEST_NOW);
	/* Another token, or a malformed one, is no session. */
	char other[SK_STAFF_TOKEN_LEN + 1];
	sk_staff_token_new(other);
	cr_assert_eq(sk_staff_session_get(&s, u.db, other), SK_ENOTFOUND);
	cr_assert_eq(sk_staff_session_get(&s, u.db, "short"), SK_ENOTFOUND);
	cr_assert_eq(sk_staff_session_station(u.db, l.token, "S1", "A", "door-A"), 0);
	cr_assert_eq(sk_staff_session_get(&s, u.db, l.token), 0);
	cr_assert_str_eq(s.station, "door-A");
	cr_assert_eq(sk_staff_logout(u.db, l.token), 0);
	cr_assert_eq(sk_staff_session_get(&s, u.db, l.token), SK_ENOTFOUND);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM staff_session"), 0);
	cr_assert_eq(sk_staff_logout(u.db, l.token), 0); /* gone already: nothing */
	cr_assert_eq(audits(&u, "login"), 1);
	cr_assert_eq(audits(&u, "station"), 1);
	cr_assert_eq(audits(&u, "logout"), 1);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM audit WHERE action = 'logout' AND actor = 'sato'"), 1);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(staff, sessions_expire)
{
	struct unit_db u;
	setup(&u);
	struct sk_login l;
	struct sk_staff_session s;
	cr_assert_eq(sk_staff_login(&l, u.db, "sato", pw, "192.0.2.1"), 0);
	/* Used every 25 minutes: alive, until the absolute limit. */
	int64_t t = SK_TEST_NOW;
	while (t + 25 * 60 < SK_TEST_NOW + SK_STAFF_ABSOLUTE) {
		t += 25 * 60;
		sk_db_set_clock(u.db, t);
		cr_assert_eq(sk_staff_session_get(&s, u.db, l.token), 0, "at +%lld", (long long)(t - SK_TEST_NOW));
	}
	sk_db_set_clock(u.db, SK_TEST_NOW + SK_STAFF_ABSOLUTE);
	cr_assert_eq(sk_staff_session_get(&s, u.db, l.token), SK_ENOTFOUND);
	/* Idle: a fresh session not used for 30 minutes is gone. */
	sk_db_set_clock(u.db, SK_TEST_NOW);
	cr_assert_eq(sk_staff_login(&l, u.db, "sato", pw, "192.0.2.1"), 0);
	sk_db_set_clock(u.db, SK_TEST_NOW + SK_STAFF_IDLE - 1);
	cr_assert_eq(sk_staff_session_get(&s, u.db, l.token), 0);
	sk_db_set_clock(u.db, SK_TEST_NOW + 2 * SK_STAFF_IDLE - 1);
	cr_assert_eq(sk_staff_session_get(&s, u.db, l.token), SK_ENOTFOUND);
	unit_db_close(&u);
}

Test(staff, lockout_per_account_and_its_end)
{
	struct unit_db u;
	setup(&u);
	struct sk_login l;
	for (int i = 0; i < SK_STAFF_LOCK_FAILURES; i++) {
		char client[32];
		snprintf(client, sizeof(client), "192.0.2.%d", i + 1); /* from many places */
		cr_assert_eq(sk_staff_login(&l, u.db, "sato", "wrong password", client), 0);
		cr_assert_eq(l.outcome, SK_LOGIN_BAD);
		cr_assert_eq(l.token[0], '\0');
	}
	cr_assert_eq(sk_staff_login(&l, u.db, "sato", pw, "198.51.100.1"), 0);
	cr_assert_eq(l.outcome, SK_LOGIN_LOCKED);
	cr_assert_eq(l.locked_until, SK_TEST_NOW + SK_STAFF_LOCK_SECONDS);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM staff_session"), 0);
	/* Tries while locked are not counted: the lock ends on time. */
	sk_db_set_clock(u.db, SK_TEST_NOW + SK_STAFF_LOCK_SECONDS - 1);
	cr_assert_eq(sk_staff_login(&l, u.db, "sato", "wrong again", "198.51.100.1"), 0);
	cr_assert_eq(l.outcome, SK_LOGIN_LOCKED);
	sk_db_set_clock(u.db, SK_TEST_NOW + SK_STAFF_LOCK_SECONDS);
	cr_assert_eq(sk_staff_login(&l, u.db, "sato", pw, "198.51.100.1"), 0);
	cr_assert_eq(l.outcome, SK_LOGIN_OK);
	cr_assert_eq(audits(&u, "login-failed"), SK_STAFF_LOCK_FAILURES);
	cr_assert_eq(audits(&u, "login-locked"), 2);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(staff, lockout_per_client)
{
	struct unit_db u;
	setup(&u);
	struct sk_login l;
	for (int i = 0; i < SK_STAFF_CLIENT_LOCK_FAILURES; i++) {
		cr_assert_eq(sk_staff_login(&l, u.db, "nobody", "whatever it is", "203.0.113.9"), 0);
		cr_assert_eq(l.outcome, SK_LOGIN_BAD);
	}
	/* The address is locked, even for a real account; another is not. */
	cr_assert_eq(sk_staff_login(&l, u.db, "sato", pw, "203.0.113.9"), 0);
	cr_assert_eq(l.outcome, SK_LOGIN_LOCKED);
	cr_assert_eq(sk_staff_login(&l, u.db, "sato", pw, "203.0.113.10"), 0);
	cr_assert_eq(l.outcome, SK_LOGIN_OK);
	/* Unknown names are not kept. */
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM staff_login_failure WHERE staff_id IS NULL"),
		     SK_STAFF_CLIENT_LOCK_FAILURES);
	unit_db_close(&u);
}

Test(staff, disabled_accounts_cannot_sign_in)
{
	struct unit_db u;
	setup(&u);
	struct sk_login l;
	struct sk_staff_session s;
	cr_assert_eq(sk_staff_login(&l, u.db, "sato", pw, "192.0.2.1"), 0);
	char token[SK_STAFF_TOKEN_LEN + 1];
	memcpy(token, l.token, sizeof(token));
	cr_assert_eq(sk_staff_disable(u.db, "sato"), 0);
	cr_assert_eq(sk_staff_session_get(&s, u.db, token), SK_ENOTFOUND);
	cr_assert_eq(sk_staff_login(&l, u.db, "sato", pw, "192.0.2.1"), 0);
	cr_assert_eq(l.outcome, SK_LOGIN_BAD);
	cr_assert_eq(sk_staff_disable(u.db, "sato"), 0); /* already: nothing */
	cr_assert_eq(audits(&u, "disable"), 1);
	cr_assert_eq(sk_staff_disable(u.db, "nobody"), SK_ENOTFOUND);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(staff, csrf_tokens)
{
	char token[SK_STAFF_TOKEN_LEN + 1], other[SK_STAFF_TOKEN_LEN + 1], csrf[SK_STAFF_TOKEN_LEN + 1];
	sk_staff_token_new(token);
	sk_staff_token_new(other);
	cr_assert_str_neq(token, other);
	cr_assert_eq(sk_staff_csrf(csrf, token), 0);
	cr_assert_eq(strlen(csrf), SK_STAFF_TOKEN_LEN);
	cr_assert_str_neq(csrf, token);
	cr_assert(sk_staff_csrf_check(token, csrf));
	/* Another session's token, one character changed, cut short, missing. */
	cr_assert(!sk_staff_csrf_check(other, csrf));
	char changed[SK_STAFF_TOKEN_LEN + 1];
	memcpy(changed, csrf, sizeof(changed));
	changed[20] = changed[20] == 'A' ? 'B' : 'A';
	cr_assert(!sk_staff_csrf_check(token, changed));
	changed[20] = csrf[20];
	changed[42] = '\0';
	cr_assert(!sk_staff_csrf_check(token, changed));
	cr_assert(!sk_staff_csrf_check(token, NULL));
	cr_assert(!sk_staff_csrf_check(NULL, csrf));
	cr_assert(!sk_staff_csrf_check("not a token", csrf));
	cr_assert_eq(sk_staff_csrf(csrf, "!!!"), SK_EINVAL);
	cr_assert_str_eq(csrf, "");
	cr_assert(sk_staff_token_equal(token, token));
	cr_assert(!sk_staff_token_equal(token, other));
	cr_assert(!sk_staff_token_equal(token, ""));
}
