/*
 * The registry database handle: what a new file looks like, which files are
 * refused (not SQLite, somebody else's SQLite, a newer shiken's) with a
 * message naming the file, how an older file is migrated without losing
 * data, nested transactions, the statement cache, meta values, the injected
 * clock, consistency checks and backups.
 */
#include "core/db.h"
#include "core/error.h"
#include "unit.h"

#include <criterion/criterion.h>
#include <glob.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A directory with a path for a database that does not exist yet. */
struct place {
	char *dir, *path;
};

static struct place new_place(void)
{
	struct place p;
	p.dir = unit_temp_dir();
	p.path = unit_path(p.dir, "shiken.db");
	return p;
}

static void drop_place(struct place *p)
{
	unit_remove_tree(p->dir);
	free(p->dir);
	free(p->path);
}

/* Open must fail with `want`; *out is NULL and errmsg names the file. */
static void assert_open_fails(const char *path, unsigned flags, int want, const char *needle)
{
	struct sk_db *db = (struct sk_db *)(uintptr_t)1;
	char err[512] = "unset";
	int rc = sk_db_open(&db, path, flags, err, sizeof(err));
	cr_assert_eq(rc, want, "got %s: %s", sk_errname(rc), err);
	cr_assert_null(db);
	cr_assert(strstr(err, path), "message names the file: %s", err);
	if (needle)
		cr_assert(strstr(err, needle), "message says '%s': %s", needle, err);
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *sql = NULL;
	cr_assert_eq(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
		     SQLITE_OK);
	return sql;
}

/* ---- a new database ---- */

Test(db, create_sets_header_and_pragmas)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	sqlite3 *sql = u.db->sql;
	cr_assert_eq(unit_query_int(sql, "PRAGMA application_id"), SK_APPLICATION_ID);
	cr_assert_eq(unit_query_int(sql, "PRAGMA application_id"), 0x534B454E);
	cr_assert_eq(unit_query_int(sql, "PRAGMA user_version"), sk_db_schema_latest());
	char *mode = unit_query_text(sql, "PRAGMA journal_mode");
	cr_assert_str_eq(mode, "wal");
	free(mode);
	cr_assert_eq(unit_query_int(sql, "PRAGMA foreign_keys"), 1);
	cr_assert_gt(unit_query_int(sql, "SELECT count(*) FROM sqlite_schema WHERE name = 'audit'"), 0);
	cr_assert_gt(unit_query_int(sql, "SELECT count(*) FROM sqlite_schema WHERE name = 'meta'"), 0);
	unit_assert_db_clean(sql);
	unit_db_close(&u);
}

Test(db, schema_latest_counts_migrations)
{
	glob_t g;
	cr_assert_eq(glob(SHIKEN_TEST_DATA "/../../core/sql/[0-9][0-9][0-9][0-9]_*.sql", 0, NULL, &g), 0);
	cr_assert_eq(sk_db_schema_latest(), (int)g.gl_pathc);
	globfree(&g);
}

Test(db, created_file_is_private)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	struct stat st;
	cr_assert_eq(stat(u.path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	unit_db_close(&u);
}

Test(db, reopen_keeps_data)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_meta_set(u.db, "venue_note", "教室A"), 0);
	sk_db_close(u.db);
	char err[256] = "";
	cr_assert_eq(sk_db_open(&u.db, u.path, 0, err, sizeof(err)), 0, "%s", err);
	char *v = sk_db_meta_get(u.db, "venue_note");
	cr_assert_str_eq(v, "教室A");
	free(v);
	cr_assert_eq(unit_query_int(u.db->sql, "PRAGMA foreign_keys"), 1, "set on every open");
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(db, create_over_existing_refused)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_meta_set(u.db, "k", "v"), 0);
	sk_db_close(u.db);
	u.db = NULL;
	assert_open_fails(u.path, SK_DB_CREATE, SK_EEXISTS, "already exists");
	/* And the file was not touched. */
	char err[256] = "";
	cr_assert_eq(sk_db_open(&u.db, u.path, 0, err, sizeof(err)), 0, "%s", err);
	char *v = sk_db_meta_get(u.db, "k");
	cr_assert_str_eq(v, "v");
	free(v);
	unit_db_close(&u);
}

Test(db, missing_file)
{
	struct place p = new_place();
	assert_open_fails(p.path, 0, SK_ENOTFOUND, "shiken init");
	cr_assert_neq(access(p.path, F_OK), 0, "nothing was created");
	drop_place(&p);
}

Test(db, create_in_missing_directory)
{
	struct place p = new_place();
	char *path = unit_path(p.dir, "no/such/dir.db");
	assert_open_fails(path, SK_DB_CREATE, SK_EIO, NULL);
	free(path);
	drop_place(&p);
}

Test(db, errmsg_may_be_null)
{
	struct place p = new_place();
	struct sk_db *db = NULL;
	cr_assert_eq(sk_db_open(&db, p.path, 0, NULL, 0), SK_ENOTFOUND);
	cr_assert_null(db);
	drop_place(&p);
}

/* ---- files that are not ours ---- */

Test(db, refuses_non_sqlite_file)
{
	struct place p = new_place();
	char text[4096];
	memset(text, 'x', sizeof(text));
	memcpy(text, "name,date_of_birth\n", 19);
	unit_write_file(p.path, text, sizeof(text));
	assert_open_fails(p.path, 0, SK_ESCHEMA, "not an SQLite file");
	drop_place(&p);
}

Test(db, refuses_small_non_sqlite_file)
{
	struct place p = new_place();
	unit_write_file(p.path, "hello\n", 6);
	assert_open_fails(p.path, 0, SK_ESCHEMA, "not a shiken database");
	/* Still the same bytes. */
	FILE *f = fopen(p.path, "rb");
	char buf[16] = "";
	cr_assert_eq(fread(buf, 1, sizeof(buf), f), 6);
	fclose(f);
	cr_assert_eq(memcmp(buf, "hello\n", 6), 0);
	drop_place(&p);
}

Test(db, refuses_empty_file_without_create)
{
	struct place p = new_place();
	unit_write_file(p.path, "", 0);
	assert_open_fails(p.path, 0, SK_ESCHEMA, "empty file");
	drop_place(&p);
}

Test(db, refuses_foreign_application_id)
{
	struct place p = new_place();
	sqlite3 *sql = raw_open(p.path);
	unit_exec(sql, "PRAGMA application_id = 1196444237; CREATE TABLE t(x); INSERT INTO t VALUES (1)");
	sqlite3_close(sql);
	assert_open_fails(p.path, 0, SK_ESCHEMA, "not a shiken database");
	/* Nothing was written to it. */
	sql = raw_open(p.path);
	cr_assert_eq(unit_query_int(sql, "PRAGMA application_id"), 1196444237);
	cr_assert_eq(unit_query_int(sql, "PRAGMA user_version"), 0);
	cr_assert_eq(unit_query_int(sql, "SELECT count(*) FROM sqlite_schema"), 1);
	sqlite3_close(sql);
	drop_place(&p);
}

Test(db, refuses_foreign_sqlite_without_application_id)
{
	struct place p = new_place();
	sqlite3 *sql = raw_open(p.path);
	unit_exec(sql, "CREATE TABLE contacts(name TEXT)");
	sqlite3_close(sql);
	assert_open_fails(p.path, 0, SK_ESCHEMA, "not a shiken database");
	sql = raw_open(p.path);
	cr_assert_eq(unit_query_int(sql, "PRAGMA application_id"), 0, "not claimed");
	cr_assert_eq(unit_query_int(sql, "SELECT count(*) FROM sqlite_schema"), 1);
	sqlite3_close(sql);
	drop_place(&p);
}

Test(db, refuses_foreign_sqlite_with_only_user_version)
{
	struct place p = new_place();
	sqlite3 *sql = raw_open(p.path);
	unit_exec(sql, "PRAGMA user_version = 1");
	sqlite3_close(sql);
	assert_open_fails(p.path, 0, SK_ESCHEMA, "not a shiken database");
	drop_place(&p);
}

Test(db, refuses_newer_schema)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	sk_db_close(u.db);
	u.db = NULL;
	sqlite3 *sql = raw_open(u.path);
	char pragma[64];
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", sk_db_schema_latest() + 1);
	unit_exec(sql, pragma);
	sqlite3_close(sql);
	assert_open_fails(u.path, 0, SK_ESCHEMA, "newer");
	sql = raw_open(u.path);
	cr_assert_eq(unit_query_int(sql, "PRAGMA user_version"), sk_db_schema_latest() + 1,
		     "left as it was");
	sqlite3_close(sql);
	unit_db_close(&u);
}

/* ---- migration ---- */

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	cr_assert_not_null(s);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

Test(db, older_database_is_migrated_and_keeps_its_data)
{
	struct place p = new_place();
	glob_t g;
	cr_assert_eq(glob(SHIKEN_TEST_DATA "/../../core/sql/0001_*.sql", 0, NULL, &g), 0);
	cr_assert_eq(g.gl_pathc, 1);
	char *first = read_text(g.gl_pathv[0]);
	globfree(&g);

	/* What the first release wrote: migration 0001 only. */
	sqlite3 *sql = raw_open(p.path);
	unit_exec(sql, first);
	char pragma[64];
	snprintf(pragma, sizeof(pragma), "PRAGMA application_id = %d", SK_APPLICATION_ID);
	unit_exec(sql, pragma);
	unit_exec(sql, "PRAGMA user_version = 1");
	unit_exec(sql, "INSERT INTO meta(key, value) VALUES ('database_id', 'old-one');"
		       "INSERT INTO venue(code, name, country, city, address, created_at) VALUES"
		       " ('HAN', 'Hanoi Centre', 'VN', 'Hanoi', '1 Street', '2025-01-01T00:00:00Z')");
	sqlite3_close(sql);
	free(first);

	struct sk_db *db = NULL;
	char err[512] = "";
	cr_assert_eq(sk_db_open(&db, p.path, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(unit_query_int(db->sql, "PRAGMA user_version"), sk_db_schema_latest());
	cr_assert_eq(unit_query_int(db->sql, "PRAGMA application_id"), SK_APPLICATION_ID);
	cr_assert_eq(unit_query_int(db->sql, "SELECT count(*) FROM sqlite_schema WHERE name = 'audit'"), 1);
	char *v = sk_db_meta_get(db, "database_id");
	cr_assert_str_eq(v, "old-one");
	free(v);
	char *name = unit_query_text(db->sql, "SELECT name FROM venue WHERE code = 'HAN'");
	cr_assert_str_eq(name, "Hanoi Centre");
	free(name);
	char *mode = unit_query_text(db->sql, "PRAGMA journal_mode");
	cr_assert_str_eq(mode, "wal");
	free(mode);
	unit_assert_db_clean(db->sql);
	sk_db_close(db);

	/* A second open finds nothing to do. */
	cr_assert_eq(sk_db_open(&db, p.path, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(unit_query_int(db->sql, "PRAGMA user_version"), sk_db_schema_latest());
	sk_db_close(db);
	drop_place(&p);
}

/* ---- transactions ---- */

static int64_t meta_count(struct sk_db *db)
{
	return unit_query_int(db->sql, "SELECT count(*) FROM meta WHERE key LIKE 'tx%'");
}

/* What another connection sees: committed rows only. */
static int64_t meta_count_outside(const char *path)
{
	sqlite3 *sql = raw_open(path);
	int64_t n = unit_query_int(sql, "SELECT count(*) FROM meta WHERE key LIKE 'tx%'");
	sqlite3_close(sql);
	return n;
}

Test(db, commit_makes_changes_visible)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_db_meta_set(u.db, "tx1", "a"), 0);
	cr_assert_eq(meta_count_outside(u.path), 0, "not visible before commit");
	cr_assert_eq(sk_db_commit(u.db), 0);
	cr_assert_eq(u.db->tx_depth, 0);
	cr_assert_eq(meta_count_outside(u.path), 1);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(db, rollback_discards_changes)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_db_meta_set(u.db, "tx1", "a"), 0);
	sk_db_rollback(u.db);
	cr_assert_eq(u.db->tx_depth, 0);
	cr_assert_eq(meta_count(u.db), 0);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(db, nested_commit_commits_at_outermost)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_db_meta_set(u.db, "tx1", "a"), 0);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(u.db->tx_depth, 2);
	cr_assert_eq(sk_db_meta_set(u.db, "tx2", "b"), 0);
	cr_assert_eq(sk_db_commit(u.db), 0);
	cr_assert_eq(u.db->tx_depth, 1);
	cr_assert_eq(meta_count_outside(u.path), 0, "inner commit only counts");
	cr_assert_eq(sk_db_commit(u.db), 0);
	cr_assert_eq(meta_count_outside(u.path), 2);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(db, inner_rollback_rolls_back_everything)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_db_meta_set(u.db, "tx1", "a"), 0);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_db_meta_set(u.db, "tx2", "b"), 0);
	sk_db_rollback(u.db);
	cr_assert_eq(u.db->tx_depth, 1);
	/* The outer commit cannot commit half a transaction. */
	cr_assert_eq(sk_db_commit(u.db), SK_EDB);
	cr_assert(strstr(sk_db_errmsg(u.db), "rolled back"), "%s", sk_db_errmsg(u.db));
	cr_assert_eq(u.db->tx_depth, 0);
	cr_assert_eq(meta_count(u.db), 0);
	cr_assert_eq(meta_count_outside(u.path), 0);
	/* The handle is usable again. */
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_db_meta_set(u.db, "tx3", "c"), 0);
	cr_assert_eq(sk_db_commit(u.db), 0);
	cr_assert_eq(meta_count(u.db), 1);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(db, inner_rollback_then_outer_rollback)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_db_meta_set(u.db, "tx1", "a"), 0);
	sk_db_rollback(u.db);
	sk_db_rollback(u.db);
	cr_assert_eq(u.db->tx_depth, 0);
	cr_assert_eq(meta_count(u.db), 0);
	cr_assert_eq(sqlite3_get_autocommit(u.db->sql), 1, "no transaction left open");
	unit_db_close(&u);
}

Test(db, commit_without_begin)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_commit(u.db), SK_EINVAL);
	cr_assert(strstr(sk_db_errmsg(u.db), "without a transaction"));
	cr_assert_eq(u.db->tx_depth, 0);
	sk_db_rollback(u.db); /* a no-op */
	cr_assert_eq(u.db->tx_depth, 0);
	unit_db_close(&u);
}

Test(db, begin_while_another_writer_holds_the_lock)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	sqlite3 *other = raw_open(u.path);
	unit_exec(other, "BEGIN IMMEDIATE");
	sqlite3_busy_timeout(u.db->sql, 50);
	cr_assert_eq(sk_db_begin(u.db), SK_EBUSY);
	cr_assert_eq(u.db->tx_depth, 0);
	unit_exec(other, "ROLLBACK");
	sqlite3_close(other);
	cr_assert_eq(sk_db_begin(u.db), 0);
	cr_assert_eq(sk_db_commit(u.db), 0);
	unit_db_close(&u);
}

/* ---- statements, meta, errors, clock ---- */

static const char sql_meta_count[] = "SELECT count(*) FROM meta";

Test(db, statement_cache_hands_out_reset_statement)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	sqlite3_stmt *a = sk_db_stmt(u.db, sql_meta_count);
	cr_assert_not_null(a);
	cr_assert_eq(sqlite3_step(a), SQLITE_ROW);
	/* Handed out again mid-step: same statement, reset. */
	sqlite3_stmt *b = sk_db_stmt(u.db, sql_meta_count);
	cr_assert_eq(a, b);
	cr_assert_eq(sqlite3_stmt_busy(b), 0);
	cr_assert_eq(sqlite3_step(b), SQLITE_ROW);
	sqlite3_reset(b);
	unit_db_close(&u);
}

static const char sql_bad[] = "SELECT * FROM no_such_table";

Test(db, statement_error_recorded)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_null(sk_db_stmt(u.db, sql_bad));
	cr_assert_eq(u.db->err, SK_EDB);
	cr_assert(strstr(sk_db_errmsg(u.db), "no_such_table"), "%s", sk_db_errmsg(u.db));
	sk_db_clear_error(u.db);
	cr_assert_str_eq(sk_db_errmsg(u.db), "");
	cr_assert_eq(u.db->err, 0);
	unit_db_close(&u);
}

Test(db, exec_error_recorded)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_exec(u.db, "INSERT INTO nowhere VALUES (1)"), SK_EDB);
	cr_assert(strstr(sk_db_errmsg(u.db), "nowhere"), "%s", sk_db_errmsg(u.db));
	unit_db_close(&u);
}

Test(db, fail_formats_and_returns_code)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_fail(u.db, SK_EINPUT, "row %d: '%s'", 3, "x"), SK_EINPUT);
	cr_assert_str_eq(sk_db_errmsg(u.db), "row 3: 'x'");
	cr_assert_eq(u.db->err, SK_EINPUT);
	cr_assert_str_eq(sk_db_errmsg(NULL), "");
	unit_db_close(&u);
}

Test(db, meta_get_set)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_null(sk_db_meta_get(u.db, "missing"));
	cr_assert_eq(sk_db_meta_set(u.db, "k", "one"), 0);
	cr_assert_eq(sk_db_meta_set(u.db, "k", "two"), 0);
	char *v = sk_db_meta_get(u.db, "k");
	cr_assert_str_eq(v, "two");
	free(v);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM meta WHERE key = 'k'"), 1);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(db, clock_is_injected)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	char now[21];
	sk_db_set_clock(u.db, SK_TEST_NOW);
	cr_assert_eq(sk_db_now_seconds(u.db), SK_TEST_NOW);
	sk_db_now(u.db, now);
	cr_assert_str_eq(now, "2026-11-22T09:30:00Z");
	sk_db_set_clock(u.db, 0);
	sk_db_now(u.db, now);
	cr_assert_str_eq(now, "1970-01-01T00:00:00Z");
	sk_db_set_clock(u.db, 951782400 + 86399); /* 2000-02-29T23:59:59Z */
	sk_db_now(u.db, now);
	cr_assert_str_eq(now, "2000-02-29T23:59:59Z");
	sk_db_set_clock(u.db, -1);
	cr_assert_geq(sk_db_now_seconds(u.db), SK_TEST_NOW - 86400 * 365 * 5, "the real clock");
	unit_db_close(&u);
}

Test(db, actor_and_command_default_to_unknown)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	sk_db_set_actor(u.db, "");
	sk_db_set_command(u.db, NULL);
	cr_assert_str_eq(u.db->actor, "unknown");
	cr_assert_str_eq(u.db->command, "unknown");
	sk_db_set_actor(u.db, "proctor-7");
	cr_assert_str_eq(u.db->actor, "proctor-7");
	unit_db_close(&u);
}

Test(db, bind_text_or_null)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(u.db->sql, "SELECT ?1 IS NULL, ?2 IS NULL, ?3", -1, &st, NULL),
		     SQLITE_OK);
	sk_bind_text_or_null(st, 1, NULL);
	sk_bind_text_or_null(st, 2, "");
	sk_bind_text_or_null(st, 3, "x");
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int(st, 0), 1);
	cr_assert_eq(sqlite3_column_int(st, 1), 1);
	char *x = sk_col_text(st, 2);
	cr_assert_str_eq(x, "x");
	free(x);
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(u.db->sql, "SELECT NULL", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_null(sk_col_text(st, 0));
	sqlite3_finalize(st);
	unit_db_close(&u);
}

/* ---- consistency checks ---- */

Test(db, check_clean_database)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_check(u.db), 0, "%s", sk_db_errmsg(u.db));
	unit_db_close(&u);
}

Test(db, check_finds_dangling_foreign_key)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	unit_exec(u.db->sql, "PRAGMA foreign_keys = OFF;"
			     "INSERT INTO room(venue_id, code, seat_rows, seat_cols) VALUES (42, 'R1', 5, 5);"
			     "PRAGMA foreign_keys = ON");
	cr_assert_eq(sk_db_check(u.db), SK_EVERIFY);
	cr_assert(strstr(sk_db_errmsg(u.db), "room"), "%s", sk_db_errmsg(u.db));
	cr_assert(strstr(sk_db_errmsg(u.db), "venue"), "%s", sk_db_errmsg(u.db));
	unit_db_close(&u);
}

Test(db, foreign_keys_enforced)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	char *msg = NULL;
	int rc = sqlite3_exec(u.db->sql,
			      "INSERT INTO room(venue_id, code, seat_rows, seat_cols) VALUES (42, 'R1', 5, 5)",
			      NULL, NULL, &msg);
	sqlite3_free(msg);
	cr_assert_eq(rc, SQLITE_CONSTRAINT);
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM room"), 0);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

/* ---- backup ---- */

Test(db, backup_copies_data)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_meta_set(u.db, "k", "backed up"), 0);
	char *copy = unit_path(u.dir, "copy.db");
	cr_assert_eq(sk_db_backup(u.db, copy, 0), 0, "%s", sk_db_errmsg(u.db));

	struct sk_db *b = NULL;
	char err[512] = "";
	cr_assert_eq(sk_db_open(&b, copy, 0, err, sizeof(err)), 0, "%s", err);
	char *v = sk_db_meta_get(b, "k");
	cr_assert_str_eq(v, "backed up");
	free(v);
	cr_assert_eq(unit_query_int(b->sql, "PRAGMA user_version"), sk_db_schema_latest());
	cr_assert_eq(unit_query_int(b->sql, "PRAGMA application_id"), SK_APPLICATION_ID);
	unit_assert_db_clean(b->sql);
	sk_db_close(b);
	free(copy);
	unit_db_close(&u);
}

Test(db, backup_is_private)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	char *copy = unit_path(u.dir, "copy.db");
	mode_t old = umask(022);
	int rc = sk_db_backup(u.db, copy, 0);
	umask(old);
	cr_assert_eq(rc, 0, "%s", sk_db_errmsg(u.db));
	struct stat st;
	cr_assert_eq(stat(copy, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "a copy of personal data: mode %o", st.st_mode & 0777);
	free(copy);
	unit_db_close(&u);
}

Test(db, backup_refuses_to_overwrite)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	char *copy = unit_path(u.dir, "copy.db");
	unit_write_file(copy, "precious", 8);
	cr_assert_eq(sk_db_backup(u.db, copy, 0), SK_EEXISTS);
	cr_assert(strstr(sk_db_errmsg(u.db), copy), "%s", sk_db_errmsg(u.db));
	FILE *f = fopen(copy, "rb");
	char buf[16] = "";
	cr_assert_eq(fread(buf, 1, sizeof(buf), f), 8, "untouched");
	fclose(f);
	cr_assert_eq(memcmp(buf, "precious", 8), 0);

	cr_assert_eq(sk_db_backup(u.db, copy, 1), 0, "%s", sk_db_errmsg(u.db));
	struct sk_db *b = NULL;
	char err[512] = "";
	cr_assert_eq(sk_db_open(&b, copy, 0, err, sizeof(err)), 0, "%s", err);
	sk_db_close(b);
	free(copy);
	unit_db_close(&u);
}

Test(db, backup_leaves_no_temporary_file_behind)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	char *copy = unit_path(u.dir, "copy.db");
	cr_assert_eq(sk_db_backup(u.db, copy, 0), 0);
	glob_t g;
	char *pattern = unit_path(u.dir, "copy.db.tmp*");
	cr_assert_eq(glob(pattern, 0, NULL, &g), GLOB_NOMATCH);
	free(pattern);
	free(copy);
	unit_db_close(&u);
}

Test(db, backup_into_missing_directory)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	char *copy = unit_path(u.dir, "no/such/copy.db");
	cr_assert_eq(sk_db_backup(u.db, copy, 0), SK_EIO);
	free(copy);
	unit_db_close(&u);
}

/* ---- read-only handles (the web service's workers) ---- */

Test(db, readonly_reads_and_cannot_write)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(sk_db_meta_set(u.db, "probe", "written before"), 0, "%s", sk_db_errmsg(u.db));
	struct sk_db *ro = NULL;
	char err[512] = "";
	cr_assert_eq(sk_db_open(&ro, u.path, SK_DB_READONLY, err, sizeof(err)), 0, "%s", err);
	char *v = sk_db_meta_get(ro, "probe");
	cr_assert_str_eq(v, "written before");
	free(v);
	cr_assert_neq(sk_db_meta_set(ro, "probe", "changed"), 0, "a read-only handle wrote");
	/* It sees what the writer commits next (WAL: a new snapshot per read). */
	cr_assert_eq(sk_db_meta_set(u.db, "probe", "written after"), 0);
	v = sk_db_meta_get(ro, "probe");
	cr_assert_str_eq(v, "written after");
	free(v);
	sk_db_close(ro);
	v = unit_query_text(u.db->sql, "SELECT value FROM meta WHERE key = 'probe'");
	cr_assert_str_eq(v, "written after");
	free(v);
	unit_db_close(&u);
}

Test(db, readonly_refuses_an_old_schema_and_leaves_it)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	sk_db_close(u.db);
	u.db = NULL;
	sqlite3 *sql = raw_open(u.path);
	char pragma[64];
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", sk_db_schema_latest() - 1);
	unit_exec(sql, pragma);
	sqlite3_close(sql);
	assert_open_fails(u.path, SK_DB_READONLY, SK_ESCHEMA, "open it read-write once");
	sql = raw_open(u.path);
	cr_assert_eq(unit_query_int(sql, "PRAGMA user_version"), sk_db_schema_latest() - 1, "not migrated");
	sqlite3_close(sql);
	unit_db_close(&u);
}

Test(db, readonly_missing_file)
{
	struct place p = new_place();
	assert_open_fails(p.path, SK_DB_READONLY, SK_ENOTFOUND, NULL);
	cr_assert_neq(access(p.path, F_OK), 0, "nothing created");
	drop_place(&p);
}
