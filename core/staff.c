/*
 * Staff accounts, sign-in with lockout, and web sessions (staff.h). The
 * slow part of a sign-in (Argon2id) runs outside any transaction; what it
 * decides is then written in one transaction with its audit record.
 */
#include "core/staff.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "core/i18n.h"

#include <sodium.h>
#include <string.h>

/* A hash of a random password nobody knows, checked when the name typed is
 * no account, so that such a sign-in takes as long as a real one and does
 * not tell which names exist. Not a secret. */
static const char dummy_hash[] =
	"$argon2id$v=19$m=65536,t=2,p=1$4VlP4WMwRno1l3Q8gHq1JQ$7svwgKbbF/g505UIHO6s7ccMQeeE7PBMRiqb1plLpGU";

static const char *const role_names[] = { NULL, N_("admin"), N_("proctor"), N_("grader") };

const char *sk_staff_role_name(enum sk_staff_role role)
{
	return role >= SK_STAFF_ADMIN && role <= SK_STAFF_GRADER ? role_names[role] : "";
}

enum sk_staff_role sk_staff_role_parse(const char *name)
{
	for (int r = SK_STAFF_ADMIN; name && r <= SK_STAFF_GRADER; r++)
		if (!strcmp(name, role_names[r]))
			return (enum sk_staff_role)r;
	return 0;
}

int sk_staff_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (!n || n > SK_STAFF_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

/* ---- tokens ---- */

static int token_decode(unsigned char out[32], const char *token)
{
	size_t len = 0;
	if (!token || strlen(token) != SK_STAFF_TOKEN_LEN ||
	    sodium_base642bin(out, 32, token, SK_STAFF_TOKEN_LEN, NULL, &len, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
	    len != 32) {
		sodium_memzero(out, 32);
		return SK_EINVAL;
	}
	return 0;
}

static void token_encode(char out[SK_STAFF_TOKEN_LEN + 1], const unsigned char raw[32])
{
	sodium_bin2base64(out, SK_STAFF_TOKEN_LEN + 1, raw, 32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void sk_staff_token_new(char out[SK_STAFF_TOKEN_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	token_encode(out, raw);
	sodium_memzero(raw, sizeof(raw));
}

/* The key a session is stored under: BLAKE2b-256 of its id. */
static int token_hash(unsigned char out[32], const char *token)
{
	unsigned char raw[32];
	if (token_decode(raw, token))
		return SK_EINVAL;
	crypto_generichash(out, 32, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

int sk_staff_csrf(char out[SK_STAFF_TOKEN_LEN + 1], const char *token)
{
	static const char label[] = "shiken-csrf-v1";
	unsigned char raw[32], mac[32];
	out[0] = '\0';
	if (token_decode(raw, token))
		return SK_EINVAL;
	crypto_generichash(mac, sizeof(mac), (const unsigned char *)label, sizeof(label) - 1, raw, sizeof(raw));
	token_encode(out, mac);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(mac, sizeof(mac));
	return 0;
}

int sk_staff_token_equal(const char *a, const char *b)
{
	if (!a || !b || strlen(a) != SK_STAFF_TOKEN_LEN || strlen(b) != SK_STAFF_TOKEN_LEN)
		return 0;
	return sodium_memcmp(a, b, SK_STAFF_TOKEN_LEN) == 0;
}

int sk_staff_csrf_check(const char *token, const char *given)
{
	char want[SK_STAFF_TOKEN_LEN + 1];
	if (sk_staff_csrf(want, token))
		return 0;
	int ok = sk_staff_token_equal(want, given);
	sodium_memzero(want, sizeof(want));
	return ok;
}

/* ---- accounts ---- */

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

/* Run a statement that returns no rows; 0 or the recorded error. */
static int step_done(struct sk_db *db, sqlite3_stmt *st, const char *what)
{
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	return step == SQLITE_DONE ? 0 : sk_db_sqlfail(db, what);
}

/* Commit with the audit record in detail (a JSON object), or roll back.
 * actor, when given, names who did it in that record only. */
static int finish_as(struct sk_db *db, int rc, const char *actor, const char *key, const char *action,
		     struct sk_buf *detail)
{
	if (!rc && sk_buf_failed(detail))
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	if (!rc) {
		char was[sizeof(db->actor)];
		memcpy(was, db->actor, sizeof(was));
		if (actor)
			sk_db_set_actor(db, actor);
		rc = sk_audit_append(db, "staff", key, action, detail->buf);
		sk_db_set_actor(db, was);
	}
	if (!rc)
		rc = sk_db_commit(db);
	else
		sk_db_rollback(db);
	sk_buf_release(detail);
	return rc;
}

static int finish(struct sk_db *db, int rc, const char *key, const char *action, struct sk_buf *detail)
{
	return finish_as(db, rc, NULL, key, action, detail);
}

int sk_staff_add(struct sk_db *db, const char *name, const char *role, const char *password)
{
	static const char sql[] = "INSERT INTO staff (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)";
	if (!sk_staff_name_valid(name))
		return sk_db_fail(db, SK_EINPUT, N_("an account name is 1 to 64 of a-z, 0-9, '.', '_', '-', "
						     "starting with a letter or digit"));
	if (!sk_staff_role_parse(role))
		return sk_db_fail(db, SK_EINPUT, N_("the role is admin, proctor or grader"));
	size_t plen = password ? strlen(password) : 0;
	if (plen < SK_STAFF_PASSWORD_MIN)
		return sk_db_fail(db, SK_EINPUT, N_("the password is too short: at least 10 characters"));
	if (plen > SK_STAFF_PASSWORD_MAX)
		return sk_db_fail(db, SK_EINPUT, N_("the password is too long: at most 1024 bytes"));
	if (sodium_init() < 0)
		return sk_db_fail(db, SK_ECRYPTO, "libsodium cannot start");
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return sk_db_fail(db, SK_ECRYPTO, "cannot hash the password: out of memory");

	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	struct sk_buf detail = SK_BUF_INIT;
	char now[21];
	sk_db_now(db, now);
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st) {
		rc = db->err;
		goto done;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	int ext = sqlite3_extended_errcode(db->sql);
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		rc = ext == SQLITE_CONSTRAINT_UNIQUE ? sk_db_fail(db, SK_EEXISTS, N_("the account '%s' exists already"), name)
						     : sk_db_sqlfail(db, "adding the account");
		goto done;
	}
	sk_buf_adds(&detail, "{\"role\":");
	sk_buf_add_json_str(&detail, role);
	sk_buf_adds(&detail, "}");
done:
	sodium_memzero(hash, sizeof(hash));
	return finish(db, rc, name, "create", &detail);
}

int sk_staff_list(struct sk_db *db, int (*cb)(void *payload, const struct sk_staff *s), void *payload)
{
	static const char sql[] = "SELECT id, name, role, status, created_at, disabled_at, last_login_at"
				  " FROM staff ORDER BY name";
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_staff s = { .id = sqlite3_column_int64(st, 0) };
		copy_col(s.name, sizeof(s.name), st, 1);
		s.role = sk_staff_role_parse((const char *)sqlite3_column_text(st, 2));
		s.active = !strcmp((const char *)sqlite3_column_text(st, 3), "active");
		copy_col(s.created_at, sizeof(s.created_at), st, 4);
		copy_col(s.disabled_at, sizeof(s.disabled_at), st, 5);
		copy_col(s.last_login_at, sizeof(s.last_login_at), st, 6);
		if ((rc = cb(payload, &s)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing the accounts");
	sqlite3_reset(st);
	return rc;
}

int sk_staff_disable(struct sk_db *db, const char *name)
{
	static const char find_sql[] = "SELECT id, status FROM staff WHERE name = ?";
	static const char disable_sql[] = "UPDATE staff SET status = 'disabled', disabled_at = ? WHERE id = ?";
	static const char end_sql[] = "DELETE FROM staff_session WHERE staff_id = ?";
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	struct sk_buf detail = SK_BUF_INIT;
	sqlite3_stmt *st = sk_db_stmt(db, find_sql);
	if (!st) {
		rc = db->err;
		goto done;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	int64_t id = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	int active = step == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 1), "active");
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "reading the account");
		goto done;
	}
	if (!id) {
		rc = sk_db_fail(db, SK_ENOTFOUND, N_("no account is called '%s'"), name);
		goto done;
	}
	if (!active) {
		sk_db_rollback(db);
		return 0;
	}
	char now[21];
	sk_db_now(db, now);
	if (!(st = sk_db_stmt(db, disable_sql))) {
		rc = db->err;
		goto done;
	}
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = step_done(db, st, "disabling the account")))
		goto done;
	if (!(st = sk_db_stmt(db, end_sql))) {
		rc = db->err;
		goto done;
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = step_done(db, st, "ending the account's sessions")))
		goto done;
	sk_buf_addf(&detail, "{\"sessions_ended\":%d}", sqlite3_changes(db->sql));
done:
	return finish(db, rc, name, "disable", &detail);
}

/* ---- sign-in ---- */

struct account {
	int64_t id;
	int active;
	char role[8];
	char hash[crypto_pwhash_STRBYTES];
	char last_login[21];
};

/* The account called name (id 0 when none). */
static int account_find(struct account *out, struct sk_db *db, const char *name)
{
	static const char sql[] = "SELECT id, status, role, password_hash, last_login_at FROM staff WHERE name = ?";
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->active = !strcmp((const char *)sqlite3_column_text(st, 1), "active");
		copy_col(out->role, sizeof(out->role), st, 2);
		copy_col(out->hash, sizeof(out->hash), st, 3);
		copy_col(out->last_login, sizeof(out->last_login), st, 4);
	}
	sqlite3_reset(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : sk_db_sqlfail(db, "reading the account");
}

/* The failures that count against the account and the client now, and the
 * time the newest of each was made. */
static int failures(struct sk_db *db, const struct account *acct, const char *client, int64_t now,
		    int64_t *locked_until)
{
	static const char by_staff[] = "SELECT count(*), max(at) FROM staff_login_failure"
				       " WHERE staff_id = ? AND at > ? AND at > ?";
	static const char by_client[] = "SELECT count(*), max(at) FROM staff_login_failure WHERE client = ? AND at > ?";
	*locked_until = 0;
	int64_t since = now - SK_STAFF_LOCK_SECONDS;
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0 && !acct->id)
			continue;
		sqlite3_stmt *st = sk_db_stmt(db, pass == 0 ? by_staff : by_client);
		if (!st)
			return db->err;
		if (pass == 0) {
			/* A successful sign-in starts the count afresh. */
			int64_t last = 0;
			if (acct->last_login[0]) {
				sqlite3_stmt *t = sk_db_stmt(db, "SELECT unixepoch(?)");
				if (!t)
					return db->err;
				sqlite3_bind_text(t, 1, acct->last_login, -1, SQLITE_STATIC);
				if (sqlite3_step(t) == SQLITE_ROW)
					last = sqlite3_column_int64(t, 0);
				sqlite3_reset(t);
			}
			sqlite3_bind_int64(st, 1, acct->id);
			sqlite3_bind_int64(st, 2, since);
			sqlite3_bind_int64(st, 3, last - 1);
		} else {
			sqlite3_bind_text(st, 1, client, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, since);
		}
		int step = sqlite3_step(st);
		int64_t n = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		int64_t newest = step == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
		sqlite3_reset(st);
		if (step != SQLITE_ROW)
			return sk_db_sqlfail(db, "counting failed sign-ins");
		int64_t limit = pass == 0 ? SK_STAFF_LOCK_FAILURES : SK_STAFF_CLIENT_LOCK_FAILURES;
		if (n >= limit && newest + SK_STAFF_LOCK_SECONDS > *locked_until)
			*locked_until = newest + SK_STAFF_LOCK_SECONDS;
	}
	return 0;
}

/* Delete sessions past their time; how many went is in *out. */
static int purge_sessions(struct sk_db *db, int64_t now, int *out)
{
	static const char sql[] = "DELETE FROM staff_session WHERE last_seen <= ? OR created_at <= ?";
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, now - SK_STAFF_IDLE);
	sqlite3_bind_int64(st, 2, now - SK_STAFF_ABSOLUTE);
	int rc = step_done(db, st, "ending expired sessions");
	*out = rc ? 0 : sqlite3_changes(db->sql);
	return rc;
}

static int login_record(struct sk_login *out, struct sk_db *db, const char *name, const struct account *acct,
			const char *client, int64_t now, int ok)
{
	static const char session_sql[] = "INSERT INTO staff_session (id_hash, staff_id, client, created_at, last_seen)"
					  " VALUES (?, ?, ?, ?, ?)";
	static const char seen_sql[] = "UPDATE staff SET last_login_at = ? WHERE id = ?";
	static const char fail_sql[] = "INSERT INTO staff_login_failure (staff_id, client, at) VALUES (?, ?, ?)";
	const char *key = acct->id ? name : "-";
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	struct sk_buf detail = SK_BUF_INIT;
	sk_buf_adds(&detail, "{\"client\":");
	sk_buf_add_json_str(&detail, client);
	sqlite3_stmt *st;
	if (ok) {
		unsigned char hash[32];
		char when[21];
		sk_staff_token_new(out->token);
		token_hash(hash, out->token);
		if (!(st = sk_db_stmt(db, session_sql))) {
			rc = db->err;
			goto done;
		}
		sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, acct->id);
		sqlite3_bind_text(st, 3, client, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now);
		sqlite3_bind_int64(st, 5, now);
		if ((rc = step_done(db, st, "starting the session")))
			goto done;
		sk_db_now(db, when);
		if (!(st = sk_db_stmt(db, seen_sql))) {
			rc = db->err;
			goto done;
		}
		sqlite3_bind_text(st, 1, when, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, acct->id);
		if ((rc = step_done(db, st, "recording the sign-in")))
			goto done;
		int purged = 0;
		if ((rc = purge_sessions(db, now, &purged)))
			goto done;
		sk_buf_addf(&detail, ",\"role\":\"%s\",\"expired_sessions_ended\":%d}", acct->role, purged);
	} else {
		if (!(st = sk_db_stmt(db, fail_sql))) {
			rc = db->err;
			goto done;
		}
		if (acct->id)
			sqlite3_bind_int64(st, 1, acct->id);
		else
			sqlite3_bind_null(st, 1);
		sqlite3_bind_text(st, 2, client, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		if ((rc = step_done(db, st, "recording the failed sign-in")))
			goto done;
		sk_buf_adds(&detail, ",\"reason\":");
		sk_buf_add_json_str(&detail, !acct->id ? "unknown account" : !acct->active ? "disabled" : "wrong password");
		sk_buf_adds(&detail, "}");
	}
done:
	return finish_as(db, rc, key, key, ok ? "login" : "login-failed", &detail);
}

int sk_staff_login(struct sk_login *out, struct sk_db *db, const char *name, const char *password,
		   const char *client)
{
	memset(out, 0, sizeof(*out));
	if (sodium_init() < 0)
		return sk_db_fail(db, SK_ECRYPTO, "libsodium cannot start");
	int64_t now = sk_db_now_seconds(db);
	struct account acct;
	int rc = sk_staff_name_valid(name) ? account_find(&acct, db, name) : (memset(&acct, 0, sizeof(acct)), 0);
	if (!rc)
		rc = failures(db, &acct, client, now, &out->locked_until);
	if (rc)
		goto cleanup;
	if (out->locked_until > now) {
		/* Locked: not checked, not counted, but kept in the audit log. */
		out->outcome = SK_LOGIN_LOCKED;
		struct sk_buf detail = SK_BUF_INIT;
		sk_buf_adds(&detail, "{\"client\":");
		sk_buf_add_json_str(&detail, client);
		sk_buf_addf(&detail, ",\"locked_until\":%lld}", (long long)out->locked_until);
		if (!(rc = sk_db_begin(db)))
			rc = finish_as(db, 0, acct.id ? name : "-", acct.id ? name : "-", "login-locked", &detail);
		else
			sk_buf_release(&detail);
		goto cleanup;
	}
	out->locked_until = 0;
	size_t plen = password ? strlen(password) : 0;
	int ok = plen && plen <= SK_STAFF_PASSWORD_MAX &&
		 crypto_pwhash_str_verify(acct.id ? acct.hash : dummy_hash, password, plen) == 0;
	ok = ok && acct.id && acct.active;
	out->outcome = ok ? SK_LOGIN_OK : SK_LOGIN_BAD;
	out->role = ok ? sk_staff_role_parse(acct.role) : 0;
	rc = login_record(out, db, name, &acct, client, now, ok);
cleanup:
	sodium_memzero(&acct, sizeof(acct));
	if (rc || out->outcome != SK_LOGIN_OK)
		sodium_memzero(out->token, sizeof(out->token));
	if (rc)
		out->outcome = SK_LOGIN_BAD;
	return rc;
}

/* ---- sessions ---- */

int sk_staff_session_get(struct sk_staff_session *out, struct sk_db *db, const char *token)
{
	static const char sql[] = "SELECT s.staff_id, a.name, a.role, s.created_at, s.last_seen,"
				  " s.sitting, s.room, s.station FROM staff_session s JOIN staff a ON a.id = s.staff_id"
				  " WHERE s.id_hash = ? AND a.status = 'active' AND s.last_seen > ? AND s.created_at > ?";
	static const char touch_sql[] = "UPDATE staff_session SET last_seen = ? WHERE id_hash = ?";
	memset(out, 0, sizeof(*out));
	unsigned char hash[32];
	if (token_hash(hash, token))
		return SK_ENOTFOUND;
	int64_t now = sk_db_now_seconds(db);
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now - SK_STAFF_IDLE);
	sqlite3_bind_int64(st, 3, now - SK_STAFF_ABSOLUTE);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->staff_id = sqlite3_column_int64(st, 0);
		copy_col(out->name, sizeof(out->name), st, 1);
		out->role = sk_staff_role_parse((const char *)sqlite3_column_text(st, 2));
		out->created_at = sqlite3_column_int64(st, 3);
		out->last_seen = sqlite3_column_int64(st, 4);
		copy_col(out->sitting, sizeof(out->sitting), st, 5);
		copy_col(out->room, sizeof(out->room), st, 6);
		copy_col(out->station, sizeof(out->station), st, 7);
	}
	sqlite3_reset(st);
	if (step == SQLITE_DONE)
		return SK_ENOTFOUND;
	if (step != SQLITE_ROW)
		return sk_db_sqlfail(db, "reading the session");
	if (now - out->last_seen >= 60) {
		/* The idle clock: not audited (staff.h). */
		if (!(st = sk_db_stmt(db, touch_sql)))
			return db->err;
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_blob(st, 2, hash, sizeof(hash), SQLITE_TRANSIENT);
		int rc = step_done(db, st, "keeping the session alive");
		if (rc) {
			memset(out, 0, sizeof(*out));
			return rc;
		}
		out->last_seen = now;
	}
	return 0;
}

int sk_staff_session_station(struct sk_db *db, const char *token, const char *sitting, const char *room,
			     const char *station)
{
	static const char sql[] = "UPDATE staff_session SET sitting = ?, room = ?, station = ? WHERE id_hash = ?";
	struct sk_staff_session s;
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	struct sk_buf detail = SK_BUF_INIT;
	unsigned char hash[32];
	if ((rc = sk_staff_session_get(&s, db, token))) {
		if (rc == SK_ENOTFOUND)
			sk_db_fail(db, rc, N_("the session has ended: sign in again"));
		sk_db_rollback(db);
		return rc;
	}
	token_hash(hash, token);
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st) {
		rc = db->err;
		goto done;
	}
	sk_bind_text_or_null(st, 1, sitting);
	sk_bind_text_or_null(st, 2, room);
	sk_bind_text_or_null(st, 3, station);
	sqlite3_bind_blob(st, 4, hash, sizeof(hash), SQLITE_TRANSIENT);
	if ((rc = step_done(db, st, "choosing the station")))
		goto done;
	sk_buf_adds(&detail, "{\"sitting\":");
	sk_buf_add_json_str(&detail, sitting ? sitting : "");
	sk_buf_adds(&detail, ",\"room\":");
	sk_buf_add_json_str(&detail, room ? room : "");
	sk_buf_adds(&detail, ",\"station\":");
	sk_buf_add_json_str(&detail, station ? station : "");
	sk_buf_adds(&detail, "}");
done:
	return finish_as(db, rc, s.name, s.name, "station", &detail);
}

int sk_staff_logout(struct sk_db *db, const char *token)
{
	static const char sql[] = "DELETE FROM staff_session WHERE id_hash = ?";
	struct sk_staff_session s;
	unsigned char hash[32];
	if (token_hash(hash, token))
		return 0;
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	if ((rc = sk_staff_session_get(&s, db, token))) {
		sk_db_rollback(db);
		return rc == SK_ENOTFOUND ? 0 : rc;
	}
	struct sk_buf detail = SK_BUF_INIT;
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st) {
		rc = db->err;
		goto done;
	}
	sqlite3_bind_blob(st, 1, hash, sizeof(hash), SQLITE_TRANSIENT);
	if ((rc = step_done(db, st, "ending the session")))
		goto done;
	sk_buf_addf(&detail, "{\"signed_in_for\":%lld}", (long long)(sk_db_now_seconds(db) - s.created_at));
done:
	return finish_as(db, rc, s.name, s.name, "logout", &detail);
}
