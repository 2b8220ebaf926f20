/*
 * Helpers shared by the unit tests: temporary directories, a fresh registry
 * database with its key file and a fixed clock, and the consistency checks
 * every database test ends with. Header-only (static inline) so each test
 * binary stays one source file.
 */
#ifndef SK_TEST_UNIT_H
#define SK_TEST_UNIT_H

#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 2026-11-22T09:30:00Z: every database test runs at this instant. */
#define SK_TEST_NOW INT64_C(1795339800)

static inline char *unit_temp_dir(void)
{
	char *dir = strdup("/tmp/shiken-unit-XXXXXX");
	cr_assert_not_null(dir);
	cr_assert_not_null(mkdtemp(dir), "mkdtemp failed");
	return dir;
}

static inline char *unit_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	cr_assert_not_null(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* rm -r for the little trees the tests make. */
static inline void unit_remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		unlink(path);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = unit_path(path, e->d_name);
		unit_remove_tree(p);
		free(p);
	}
	closedir(d);
	rmdir(path);
}

static inline void unit_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot write %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

/* PRAGMA integrity_check says "ok" and foreign_key_check finds nothing. */
static inline void unit_assert_db_clean(sqlite3 *sql)
{
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(sql, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	cr_assert_eq(sqlite3_prepare_v2(sql, "PRAGMA foreign_key_check", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE, "foreign_key_check found a dangling row");
	sqlite3_finalize(st);
}

/* The first column of the first row of a query, as an integer. */
static inline int64_t unit_query_int(sqlite3 *sql, const char *query)
{
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(sql, query, -1, &st, NULL), SQLITE_OK, "%s: %s", query,
		     sqlite3_errmsg(sql));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", query);
	int64_t v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The first column of the first row as text (caller frees), NULL for no row. */
static inline char *unit_query_text(sqlite3 *sql, const char *query)
{
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(sql, query, -1, &st, NULL), SQLITE_OK, "%s: %s", query,
		     sqlite3_errmsg(sql));
	char *v = NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static inline void unit_exec(sqlite3 *sql, const char *query)
{
	char *msg = NULL;
	int rc = sqlite3_exec(sql, query, NULL, NULL, &msg);
	cr_assert_eq(rc, SQLITE_OK, "%s: %s", query, msg ? msg : "?");
	sqlite3_free(msg);
}

/* A fresh database in its own directory, with or without its key file. */
struct unit_db {
	char *dir, *path, *key_path;
	struct sk_db *db;
};

static inline void unit_db_open(struct unit_db *u, int with_keys)
{
	char err[512] = "";
	u->dir = unit_temp_dir();
	u->path = unit_path(u->dir, "shiken.db");
	u->key_path = unit_path(u->dir, "shiken.db.key");
	cr_assert_eq(sk_db_open(&u->db, u->path, SK_DB_CREATE, err, sizeof(err)), 0, "%s", err);
	sk_db_set_clock(u->db, SK_TEST_NOW);
	sk_db_set_actor(u->db, "tester");
	sk_db_set_command(u->db, "unit");
	if (with_keys)
		cr_assert_eq(sk_keys_create(u->db, u->key_path), 0, "%s", sk_db_errmsg(u->db));
}

static inline void unit_db_close(struct unit_db *u)
{
	sk_db_close(u->db);
	u->db = NULL;
	unit_remove_tree(u->dir);
	free(u->dir);
	free(u->path);
	free(u->key_path);
}

#endif
