/*
 * Staff accounts and their web sessions: who may sign in to the web
 * service's check-in station, with which role, and the sessions that keep
 * them signed in.
 *
 * Passwords are kept only as libsodium's crypto_pwhash_str() string:
 * Argon2id with the INTERACTIVE limits (2 passes over 64 MiB, about a tenth
 * of a second), checked with crypto_pwhash_str_verify(). A session id is
 * 32 random bytes, handed to the browser as 43 base64url characters (the
 * cookie) and kept in the registry only as its BLAKE2b hash. A session ends
 * after SK_STAFF_IDLE seconds without a request, SK_STAFF_ABSOLUTE seconds
 * after sign-in whatever happens, at sign-out, or when its account is
 * disabled. The CSRF token of a session's forms is derived from the session
 * id (a keyed BLAKE2b of a fixed label), so it needs no storage and dies
 * with the session; sk_staff_csrf_check() compares in constant time.
 *
 * Lockout: SK_STAFF_LOCK_FAILURES failed sign-ins of one account, or
 * SK_STAFF_CLIENT_LOCK_FAILURES from one client address, within
 * SK_STAFF_LOCK_SECONDS lock that account (or address) until the window has
 * passed since the last of them. While locked nothing is checked, not even
 * a right password, and the attempt is not counted again (so an attacker
 * cannot keep an account locked for ever by trying on). A successful
 * sign-in starts the account's count afresh.
 *
 * Every change is one transaction with its audit record (entity "staff",
 * key the account name; actions "create", "disable", "login",
 * "login-failed", "login-locked", "logout", "station"; a sign-in also ends
 * the sessions past their time and says how many). Session records name
 * the account as the actor (sign-in records "-" for a name that is no
 * account); create and disable use the handle's actor. One
 * write is not audited: a session's last_seen time, moved forward at most
 * once a minute, which is the idle clock and no change to the registry.
 *
 * Errors: 0 or a negative SK_E* code with the detail on the handle.
 */
#ifndef SK_STAFF_H
#define SK_STAFF_H

#include <stddef.h>
#include <stdint.h>

struct sk_db;

#define SK_STAFF_NAME_MAX 64            /* bytes: a-z 0-9 . _ - */
#define SK_STAFF_PASSWORD_MIN 10        /* characters (bytes of UTF-8) */
#define SK_STAFF_PASSWORD_MAX 1024
#define SK_STAFF_TOKEN_LEN 43           /* a session id as text (base64url, no padding) */
#define SK_STAFF_IDLE (30 * 60)         /* seconds without a request */
#define SK_STAFF_ABSOLUTE (12 * 3600)   /* seconds after sign-in */
#define SK_STAFF_LOCK_FAILURES 5        /* per account ... */
#define SK_STAFF_CLIENT_LOCK_FAILURES 10 /* ... and per client address ... */
#define SK_STAFF_LOCK_SECONDS (15 * 60) /* ... within this long */

/* Roles: what an account may do in the web service. */
enum sk_staff_role {
	SK_STAFF_ADMIN = 1,   /* everything */
	SK_STAFF_PROCTOR = 2, /* the check-in station */
	SK_STAFF_GRADER = 3,  /* no check-in */
};

/* "admin", "proctor", "grader"; the role of a name, or 0. */
const char *sk_staff_role_name(enum sk_staff_role role);
enum sk_staff_role sk_staff_role_parse(const char *name);

/* Non-zero if name is an account name: 1-64 of a-z 0-9 . _ -, starting
 * with a letter or digit. */
int sk_staff_name_valid(const char *name);

struct sk_staff {
	int64_t id;
	char name[SK_STAFF_NAME_MAX + 1];
	enum sk_staff_role role;
	int active;
	char created_at[21];
	char disabled_at[21];   /* "" while active */
	char last_login_at[21]; /* "" if never */
};

/* Add an account with this password (hashed here; the caller wipes its
 * copy). Errors: SK_EINPUT (a bad name or role, a password shorter than
 * SK_STAFF_PASSWORD_MIN or longer than SK_STAFF_PASSWORD_MAX: the reason
 * recorded on db, an N_() message), SK_EEXISTS (the name is taken),
 * SK_ECRYPTO (hashing failed: out of memory). */
int sk_staff_add(struct sk_db *db, const char *name, const char *role, const char *password);

/* Every account, by name. The callback's non-zero return stops the walk
 * and is returned. */
int sk_staff_list(struct sk_db *db, int (*cb)(void *payload, const struct sk_staff *s), void *payload);

/* Disable an account and end its sessions. SK_ENOTFOUND: no such account;
 * an account already disabled is left as it is (0, nothing written). */
int sk_staff_disable(struct sk_db *db, const char *name);

enum sk_login_outcome {
	SK_LOGIN_OK = 0,
	SK_LOGIN_BAD,    /* no such account, a disabled one, or the wrong password */
	SK_LOGIN_LOCKED, /* too many failures lately: try later */
};

struct sk_login {
	enum sk_login_outcome outcome;
	char token[SK_STAFF_TOKEN_LEN + 1]; /* the session id (for the cookie) when OK */
	enum sk_staff_role role;             /* when OK */
	int64_t locked_until;                /* when LOCKED: seconds since the epoch */
};

/* Sign in from client (its address as text). Verifies the password (not
 * inside a transaction: it takes a tenth of a second), then records the
 * outcome: a new session, or a failure. A name that is no account costs the
 * same time as one that is. Returns 0 with the outcome in out (the token
 * wiped unless OK), or an error. The caller should wipe out->token after
 * use. */
int sk_staff_login(struct sk_login *out, struct sk_db *db, const char *name, const char *password,
		   const char *client);

/* A live session. */
struct sk_staff_session {
	int64_t staff_id;
	char name[SK_STAFF_NAME_MAX + 1];
	enum sk_staff_role role;
	int64_t created_at, last_seen;
	char sitting[64], room[64], station[404]; /* "" until chosen */
};

/* The session of a token (a cookie's value), if it is live: the account is
 * active, it is not idle or too old. Moves last_seen forward (at most once
 * a minute). SK_ENOTFOUND (out cleared): no such live session, including a
 * malformed token. */
int sk_staff_session_get(struct sk_staff_session *out, struct sk_db *db, const char *token);

/* Keep the station a session's proctor chose (audited, actor the account).
 * SK_ENOTFOUND: the session is gone. */
int sk_staff_session_station(struct sk_db *db, const char *token, const char *sitting, const char *room,
			     const char *station);

/* Sign out: delete the session (audited, actor the account). A session
 * already gone is 0 with nothing written. */
int sk_staff_logout(struct sk_db *db, const char *token);

/* A fresh random token (for the sign-in form's double-submit cookie). */
void sk_staff_token_new(char out[SK_STAFF_TOKEN_LEN + 1]);

/* The CSRF token of a session token into out (43 characters): 0, or
 * SK_EINVAL for a malformed token (out ""). */
int sk_staff_csrf(char out[SK_STAFF_TOKEN_LEN + 1], const char *token);

/* Non-zero if given is the CSRF token of token, compared in constant time;
 * 0 for NULL or malformed input. */
int sk_staff_csrf_check(const char *token, const char *given) __attribute__((warn_unused_result));

/* Non-zero if a and b are the same token (43 characters), compared in
 * constant time; 0 for NULL or anything else. */
int sk_staff_token_equal(const char *a, const char *b) __attribute__((warn_unused_result));

#endif
