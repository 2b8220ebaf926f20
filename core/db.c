/*
 * Opening, migrating and using the registry database. The schema lives in
 * numbered migrations (core/sql/NNNN_what.sql) embedded into the binary;
 * PRAGMA user_version records how many have been applied and PRAGMA
 * application_id marks the file as ours, so a foreign or newer file is
 * refused before anything is written to it.
 */
#include "core/db.h"
#include "core/date.h"
#include "core/i18n.h"
#include "core/embed.h"
#include "core/error.h"
#include "core/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sk_stmt_cache {
	size_t count, alloc;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} *items;
};

int sk_db_schema_latest(void)
{
	int n = 0;
	for (const struct sk_embedded *m = sk_embedded_migrations; m->name; m++)
		n++;
	return n;
}

int sk_db_fail(struct sk_db *db, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	/* Translate before formatting: the arguments (paths, codes) must land
	 * in the translated sentence, which the caller cannot do afterwards.
	 * update-po collects these formats with --keyword=sk_db_fail:3. */
	vsnprintf(db->errmsg, sizeof(db->errmsg), sk_gettext(fmt), ap);
	va_end(ap);
	db->err = code;
	return code;
}

int sk_db_sqlfail(struct sk_db *db, const char *what)
{
	int rc = sqlite3_errcode(db->sql);
	int code = (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? SK_EBUSY : SK_EDB;
	return sk_db_fail(db, code, "%s: %s", what, sqlite3_errmsg(db->sql));
}

void sk_db_clear_error(struct sk_db *db)
{
	db->err = 0;
	db->errmsg[0] = '\0';
}

const char *sk_db_errmsg(const struct sk_db *db)
{
	return db ? db->errmsg : "";
}

int sk_db_exec(struct sk_db *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int code = sk_db_fail(db, SK_EDB, "%s", msg ? msg : sqlite3_errmsg(db->sql));
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

static int pragma_int(struct sk_db *db, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	*out = 0;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "reading the database header");
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sk_db_sqlfail(db, "reading the database header");
	return 0;
}

static int migration_number(const char *name)
{
	int n = 0;
	for (int i = 0; i < 4; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		n = n * 10 + (name[i] - '0');
	}
	return name[4] == '_' ? n : -1;
}

static int migrate(struct sk_db *db, int from)
{
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	/* Another process may have migrated while we waited for the lock. */
	int version;
	if ((rc = pragma_int(db, "PRAGMA user_version", &version)))
		goto fail;
	int n = 0;
	for (const struct sk_embedded *m = sk_embedded_migrations; m->name; m++) {
		n++;
		if (migration_number(m->name) != n) {
			rc = sk_db_fail(db, SK_ESCHEMA, "migration '%s' is out of sequence", m->name);
			goto fail;
		}
		if (n <= version)
			continue;
		if ((rc = sk_db_exec(db, (const char *)m->data))) {
			char detail[sizeof(db->errmsg)];
			snprintf(detail, sizeof(detail), "%s", db->errmsg);
			rc = sk_db_fail(db, SK_ESCHEMA, "migration '%s' failed: %s", m->name, detail);
			goto fail;
		}
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", n);
		if ((rc = sk_db_exec(db, pragma)))
			goto fail;
	}
	(void)from;
	return sk_db_commit(db);
fail:
	sk_db_rollback(db);
	return rc;
}

static int file_exists(const char *path, off_t *size)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	*size = st.st_size;
	return 1;
}

int sk_db_open(struct sk_db **out, const char *path, unsigned flags,
	       char *errmsg, size_t errmsg_size)
{
	*out = NULL;
	struct sk_db *db = calloc(1, sizeof(*db));
	if (!db)
		return SK_ENOMEM;
	db->fixed_now = -1;
	snprintf(db->actor, sizeof(db->actor), "unknown");
	snprintf(db->command, sizeof(db->command), "unknown");
	db->path = strdup(path);
	db->stmts = calloc(1, sizeof(*db->stmts));
	int rc = 0, created = 0;
	if (!db->path || !db->stmts) {
		rc = SK_ENOMEM;
		goto fail;
	}

	off_t size = 0;
	int exists = file_exists(path, &size);
	if (flags & SK_DB_CREATE) {
		if (exists && size > 0) {
			rc = sk_db_fail(db, SK_EEXISTS, "database '%s' already exists", path);
			goto fail;
		}
	} else if (!exists) {
		rc = sk_db_fail(db, SK_ENOTFOUND,
				"no database at '%s'; create one with 'shiken init'", path);
		goto fail;
	}

	int readonly = (flags & SK_DB_READONLY) && !(flags & SK_DB_CREATE);
	int oflags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX;
	if (flags & SK_DB_CREATE) {
		/* The registry holds personal data: only its owner may read it.
		 * SQLite gives the -wal and -shm files the same mode. */
		created = !exists;
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			rc = sk_db_fail(db, SK_EIO, "cannot create '%s': %s", path, strerror(errno));
			goto fail;
		}
		close(fd);
		oflags |= SQLITE_OPEN_CREATE;
	}
	if (sqlite3_open_v2(path, &db->sql, oflags, NULL) != SQLITE_OK) {
		rc = sk_db_fail(db, SK_EDB, "cannot open '%s': %s", path,
				db->sql ? sqlite3_errmsg(db->sql) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->sql, 0);
	sqlite3_busy_timeout(db->sql, 15000);

	int app_id = 0, version = 0, objects = 0;
	if (pragma_int(db, "PRAGMA application_id", &app_id) ||
	    pragma_int(db, "PRAGMA user_version", &version) ||
	    pragma_int(db, "SELECT count(*) FROM sqlite_schema", &objects)) {
		if (sqlite3_errcode(db->sql) == SQLITE_NOTADB)
			rc = sk_db_fail(db, SK_ESCHEMA,
					"'%s' is not a shiken database (not an SQLite file)", path);
		else
			rc = db->err ? db->err : SK_EDB;
		goto fail;
	}
	if (app_id != SK_APPLICATION_ID && (app_id != 0 || version != 0 || objects != 0)) {
		if (app_id == 0)
			rc = sk_db_fail(db, SK_ESCHEMA,
					"'%s' is not a shiken database (an SQLite file of another program)", path);
		else
			rc = sk_db_fail(db, SK_ESCHEMA,
					"'%s' is not a shiken database (an SQLite file of another program, application id %#x)",
					path, (unsigned)app_id);
		goto fail;
	}
	int latest = sk_db_schema_latest();
	if (version > latest) {
		rc = sk_db_fail(db, SK_ESCHEMA,
				"database '%s' was written by a newer shiken (schema %d; this build knows %d)",
				path, version, latest);
		goto fail;
	}
	if (app_id == 0 && !(flags & SK_DB_CREATE)) {
		rc = sk_db_fail(db, SK_ESCHEMA, "'%s' is not a shiken database (empty file)", path);
		goto fail;
	}

	if (readonly) {
		/* The journal mode is the file's (WAL since it was made); a reader
		 * cannot migrate, so it must find the schema it knows. */
		if (version < latest) {
			rc = sk_db_fail(db, SK_ESCHEMA,
					"database '%s' has schema %d, this build needs %d: open it read-write once to migrate it",
					path, version, latest);
			goto fail;
		}
		if ((rc = sk_db_exec(db, "PRAGMA foreign_keys = ON")) ||
		    (rc = sk_db_exec(db, "PRAGMA cache_size = -8192")))
			goto fail;
		*out = db;
		return 0;
	}
	if (app_id == 0 && (rc = sk_db_exec(db, "PRAGMA page_size = 8192")))
		goto fail;
	if ((rc = sk_db_exec(db, "PRAGMA journal_mode = WAL")) ||
	    (rc = sk_db_exec(db, "PRAGMA synchronous = NORMAL")) ||
	    (rc = sk_db_exec(db, "PRAGMA foreign_keys = ON")) ||
	    (rc = sk_db_exec(db, "PRAGMA cache_size = -65536")))
		goto fail;
	if (app_id == 0) {
		char pragma[64];
		snprintf(pragma, sizeof(pragma), "PRAGMA application_id = %d", SK_APPLICATION_ID);
		if ((rc = sk_db_exec(db, pragma)))
			goto fail;
	}
	if (version < latest && (rc = migrate(db, version)))
		goto fail;
	*out = db;
	return 0;
fail:
	if (errmsg && errmsg_size)
		snprintf(errmsg, errmsg_size, "%s", db->errmsg[0] ? db->errmsg : "cannot open database");
	sk_db_close(db);
	if (created) {
		/* Leave nothing half-made behind. */
		char p2[4096];
		unlink(path);
		snprintf(p2, sizeof(p2), "%s-wal", path);
		unlink(p2);
		snprintf(p2, sizeof(p2), "%s-shm", path);
		unlink(p2);
	}
	return rc ? rc : SK_EDB;
}

void sk_db_close(struct sk_db *db)
{
	if (!db)
		return;
	if (db->stmts) {
		for (size_t i = 0; i < db->stmts->count; i++)
			sqlite3_finalize(db->stmts->items[i].st);
		free(db->stmts->items);
		free(db->stmts);
	}
	if (db->sql)
		sqlite3_close_v2(db->sql);
	sk_keys_free(db->keys);
	free(db->path);
	free(db);
}

sqlite3_stmt *sk_db_stmt(struct sk_db *db, const char *sql)
{
	struct sk_stmt_cache *c = db->stmts;
	for (size_t i = 0; i < c->count; i++) {
		if (c->items[i].sql == sql) {
			sqlite3_stmt *st = c->items[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (c->count == c->alloc) {
		size_t alloc = c->alloc ? c->alloc * 2 : 32;
		void *p = realloc(c->items, alloc * sizeof(*c->items));
		if (!p) {
			sk_db_fail(db, SK_ENOMEM, "out of memory");
			return NULL;
		}
		c->items = p;
		c->alloc = alloc;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sk_db_sqlfail(db, "preparing a statement");
		return NULL;
	}
	c->items[c->count].sql = sql;
	c->items[c->count].st = st;
	c->count++;
	return st;
}

int sk_db_begin(struct sk_db *db)
{
	if (db->tx_depth++ > 0)
		return 0;
	db->tx_failed = 0;
	db->audit_tail_known = 0;
	if (sqlite3_exec(db->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		db->tx_depth = 0;
		return sk_db_sqlfail(db, "starting a transaction");
	}
	return 0;
}

int sk_db_commit(struct sk_db *db)
{
	if (db->tx_depth <= 0)
		return sk_db_fail(db, SK_EINVAL, "commit without a transaction");
	if (--db->tx_depth > 0)
		return 0;
	if (db->tx_failed) {
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		return sk_db_fail(db, SK_EDB, "the transaction was rolled back");
	}
	if (sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = sk_db_sqlfail(db, "committing");
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return 0;
}

void sk_db_rollback(struct sk_db *db)
{
	if (db->tx_depth <= 0)
		return;
	db->audit_tail_known = 0;
	if (--db->tx_depth > 0) {
		db->tx_failed = 1;
		return;
	}
	sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

int64_t sk_db_now_seconds(const struct sk_db *db)
{
	return db->fixed_now >= 0 ? db->fixed_now : (int64_t)time(NULL);
}

void sk_db_now(const struct sk_db *db, char out[21])
{
	sk_time_format(out, (long long)sk_db_now_seconds(db));
}

void sk_db_set_clock(struct sk_db *db, int64_t fixed)
{
	db->fixed_now = fixed;
}

void sk_db_set_actor(struct sk_db *db, const char *actor)
{
	snprintf(db->actor, sizeof(db->actor), "%s", actor && *actor ? actor : "unknown");
}

void sk_db_set_command(struct sk_db *db, const char *command)
{
	snprintf(db->command, sizeof(db->command), "%s", command && *command ? command : "unknown");
}

char *sk_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? strdup((const char *)t) : NULL;
}

int sk_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s || !*s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

static const char sql_meta_get[] = "SELECT value FROM meta WHERE key = ?1";
static const char sql_meta_set[] =
	"INSERT INTO meta(key, value) VALUES (?1, ?2) "
	"ON CONFLICT(key) DO UPDATE SET value = excluded.value";

char *sk_db_meta_get(struct sk_db *db, const char *key)
{
	sqlite3_stmt *st = sk_db_stmt(db, sql_meta_get);
	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	char *v = NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sk_col_text(st, 0);
	sqlite3_reset(st);
	return v;
}

int sk_db_meta_set(struct sk_db *db, const char *key, const char *value)
{
	sqlite3_stmt *st = sk_db_stmt(db, sql_meta_set);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_sqlfail(db, "writing meta");
	sqlite3_reset(st);
	return rc;
}

int sk_db_check(struct sk_db *db)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(db->sql, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "integrity check");
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		if (!r || strcmp(r, "ok") != 0)
			rc = sk_db_fail(db, SK_EVERIFY, "integrity check: %s", r ? r : "?");
	} else {
		rc = sk_db_sqlfail(db, "integrity check");
	}
	sqlite3_finalize(st);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(db->sql, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "foreign key check");
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = sk_db_fail(db, SK_EVERIFY, "foreign key check: row %lld of '%s' points at a missing '%s'",
				(long long)sqlite3_column_int64(st, 1),
				(const char *)sqlite3_column_text(st, 0),
				(const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	return rc;
}

int sk_db_backup(struct sk_db *db, const char *path, int overwrite)
{
	off_t size;
	if (!overwrite && file_exists(path, &size))
		return sk_db_fail(db, SK_EEXISTS, "'%s' already exists (use --force to replace it)", path);
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	sqlite3 *dest = NULL;
	int rc = 0;
	/* The copy holds the same personal data: only its owner may read it,
	 * whatever the umask. SQLite gives its journal files the same mode. */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0) {
		rc = sk_db_fail(db, SK_EIO, "cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto cleanup;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &dest, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = sk_db_fail(db, SK_EIO, "cannot create '%s': %s", path,
				dest ? sqlite3_errmsg(dest) : "out of memory");
		goto cleanup;
	}
	sqlite3_backup *b = sqlite3_backup_init(dest, "main", db->sql, "main");
	if (!b) {
		rc = sk_db_fail(db, SK_EDB, "backup: %s", sqlite3_errmsg(dest));
		goto cleanup;
	}
	/* One step copies every page under one read transaction: a snapshot. */
	int step = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE) {
		rc = sk_db_fail(db, step == SQLITE_BUSY || step == SQLITE_LOCKED ? SK_EBUSY : SK_EDB,
				"backup: %s", sqlite3_errstr(step));
		goto cleanup;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(dest, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
		rc = sk_db_fail(db, SK_EVERIFY, "backup copy fails its integrity check");
		sqlite3_finalize(st);
		goto cleanup;
	}
	sqlite3_finalize(st);
	sqlite3_close(dest);
	dest = NULL;
	if (rename(tmp, path) != 0)
		rc = sk_db_fail(db, SK_EIO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
cleanup:
	if (dest)
		sqlite3_close(dest);
	if (rc)
		unlink(tmp);
	return rc;
}
