/*
 * Tests (試験): a field category at a level, with its sections (item kind,
 * pass mark, time limit) and minimum-age rules. Pass rules are data: a test
 * is passed when every section reaches its pass mark. The six manufacturing
 * tests are seeded by the first migration; staff add more from a CSV with
 * one row per section (see README).
 */
#ifndef SK_TESTDEF_H
#define SK_TESTDEF_H

#include "core/import.h"
#include "core/report.h"

#include <stdint.h>

struct sk_section {
	int64_t id;
	int position;
	char code[32];
	char name_ja[64], name_en[64];
	char item_kind[8];   /* tf, mc, scored */
	int pass_percent;
	int time_limit_min;
};

struct sk_age_rule {
	char nationality[3]; /* "" for everyone else */
	int min_age;
};

struct sk_testdef {
	int64_t id;
	char code[16];
	char category_ja[96], category_en[96];
	int level;
	size_t nsections;
	struct sk_section sections[8];
	size_t nrules;
	struct sk_age_rule rules[16];
};

struct sk_db;

/* Load a test by code; SK_ENOTFOUND if none. */
int sk_testdef_get(struct sk_db *db, const char *code, struct sk_testdef *out);
/* Load by id. */
int sk_testdef_get_id(struct sk_db *db, int64_t id, struct sk_testdef *out);

/* Call cb for each test ordered by level then code. */
int sk_testdef_foreach(struct sk_db *db, int (*cb)(void *payload, const struct sk_testdef *t),
		       void *payload);

/* The minimum age for a nationality under the test's rules (-1: no rule). */
int sk_testdef_min_age(const struct sk_testdef *t, const char *nationality);

/* Import tests from CSV, one row per section. An existing test with the
 * same definition is unchanged; a different definition is refused (a test
 * that has sittings must not change under them). With skip_invalid a test
 * is still added whole or not at all: one bad row rejects all its rows. */
int sk_testdef_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		      struct sk_import_stats *stats, struct sk_report *rep);

#endif
