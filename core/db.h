/*
 * The registry database handle: one SQLite file in WAL mode with foreign
 * keys on, our application_id, and a schema brought up to date by the
 * migrations embedded from core/sql/. The handle also carries what every
 * write needs: the keys (keys.h), the clock, the actor and command for the
 * audit log, and the detail of the last error.
 *
 * Ownership: sk_db_open() returns a handle the caller frees with
 * sk_db_close(). Statements from sk_db_stmt() belong to the handle.
 * A handle is used by one thread at a time.
 */
#ifndef SK_DB_H
#define SK_DB_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>

#define SK_APPLICATION_ID 0x534B454E /* "SKEN" */

enum sk_db_flags {
	SK_DB_CREATE = 1 << 0,   /* create a new database; refuse an existing one */
	SK_DB_READONLY = 1 << 1, /* open an existing, up-to-date database for reading only
				  * (the web service's workers): no migration, no writes */
};

struct sk_keys;

struct sk_db {
	sqlite3 *sql;
	char *path;
	struct sk_keys *keys;
	int64_t fixed_now;  /* seconds since the epoch, or -1 for the real clock */
	char actor[128];
	char command[128];
	int err;
	char errmsg[1024];
	int tx_depth;
	int tx_failed;
	/* The audit log's last record, cached while this handle holds the write
	 * lock (reset at every outermost begin and rollback). */
	int audit_tail_known;
	int64_t audit_tail_seq;
	unsigned char audit_tail_chain[32];
	struct sk_stmt_cache *stmts;
};

/* Open (or with SK_DB_CREATE create) the database at path, then migrate it.
 * With SK_DB_READONLY the connection cannot write and the schema must
 * already be this build's (SK_ESCHEMA otherwise: open it read-write once).
 * Errors: SK_ENOTFOUND (no file), SK_EEXISTS (create over an existing file),
 * SK_ESCHEMA (not ours, or newer than this build), SK_EDB. On error *out is
 * NULL and, if errmsg is given, it receives the message (size errmsg_size). */
int sk_db_open(struct sk_db **out, const char *path, unsigned flags,
	       char *errmsg, size_t errmsg_size);
void sk_db_close(struct sk_db *db);

/* Schema version of this build (number of the newest migration). */
int sk_db_schema_latest(void);

/* Detail of the last error recorded on the handle; "" if none. */
const char *sk_db_errmsg(const struct sk_db *db);
/* Record an error (printf-style detail) and return code. */
int sk_db_fail(struct sk_db *db, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record the SQLite error of the handle as SK_EDB (or SK_EBUSY) with context. */
int sk_db_sqlfail(struct sk_db *db, const char *what);
void sk_db_clear_error(struct sk_db *db);

/* Transactions. Begin takes the write lock at once (BEGIN IMMEDIATE), so
 * two writers queue instead of failing half-way. Nested calls only count;
 * the outermost commit commits. A rollback anywhere rolls back everything. */
int sk_db_begin(struct sk_db *db);
int sk_db_commit(struct sk_db *db);
void sk_db_rollback(struct sk_db *db);

/* A prepared statement for a static SQL string, cached on the handle and
 * handed out reset with no bindings. NULL on error (recorded). */
sqlite3_stmt *sk_db_stmt(struct sk_db *db, const char *sql);

/* Run SQL with no results (schema, pragmas). */
int sk_db_exec(struct sk_db *db, const char *sql);

/* The clock: the current time as "YYYY-MM-DDTHH:MM:SSZ" in out[21]. */
void sk_db_now(const struct sk_db *db, char out[21]);
int64_t sk_db_now_seconds(const struct sk_db *db);
/* Fix the clock for tests (seconds since the epoch); -1 restores it. */
void sk_db_set_clock(struct sk_db *db, int64_t fixed);

/* Who and what is writing, for the audit log. */
void sk_db_set_actor(struct sk_db *db, const char *actor);
void sk_db_set_command(struct sk_db *db, const char *command);

/* A meta value (caller frees), or NULL when missing. */
char *sk_db_meta_get(struct sk_db *db, const char *key);
int sk_db_meta_set(struct sk_db *db, const char *key, const char *value);

/* Helpers for reading columns: a malloc'd copy of a text column or NULL. */
char *sk_col_text(sqlite3_stmt *st, int col);
/* Bind text, or NULL when s is NULL or empty. */
int sk_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);

/* Consistency checks: PRAGMA integrity_check and foreign_key_check.
 * 0 when both are clean, SK_EVERIFY with the first problem recorded. */
int sk_db_check(struct sk_db *db);

/* Copy the database to `path` with SQLite's online backup API: a consistent
 * snapshot even while other processes write. The copy is written beside
 * `path` with mode 0600, checked with PRAGMA integrity_check, then renamed
 * into place. Refuses to overwrite an existing file unless `overwrite`. */
int sk_db_backup(struct sk_db *db, const char *path, int overwrite);

#endif
