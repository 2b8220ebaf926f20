/*
 * Blueprints and parallel forms (パターン). A blueprint says how many items
 * of each subject area (cell) and difficulty band a form of a test has, per
 * section. `sk_form_build` assembles parallel forms that satisfy it exactly,
 * share no items except a given number of anchors, never put two items of
 * one enemy group together, and keep every form's mean difficulty within a
 * tolerance of the others — deterministically for a seed. When the bank
 * cannot do it, every short cell is reported with how many items it lacks.
 */
#ifndef SK_FORM_H
#define SK_FORM_H

#include "core/import.h"
#include "core/report.h"

#include <stdint.h>

struct sk_db;

/* Import blueprints: columns test, section, cell, band, count. A test's
 * rows replace its blueprint as a whole. */
int sk_blueprint_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
			struct sk_import_stats *stats, struct sk_report *rep);

struct sk_blueprint_row {
	char section[32], cell[40], band[8];
	int count;
	int available; /* approved, unretired items of that cell and band */
};

/* The blueprint of a test with how many approved items each row has. */
int sk_blueprint_foreach(struct sk_db *db, const char *test,
			 int (*cb)(void *payload, const struct sk_blueprint_row *row), void *payload);

struct sk_form_build_opts {
	int count;          /* forms to build (>= 1) */
	int anchors;        /* items shared by every form (default 0) */
	uint64_t seed;      /* the same seed and bank give the same forms */
	double tolerance;   /* largest allowed difference of mean difficulty */
	int dry_run;
};

#define SK_FORM_DEFAULT_TOLERANCE 0.25

/* Build forms for a test. On success the new form codes are listed in
 * out_codes (caller frees each and the array) — unless dry_run. When the
 * bank cannot satisfy the blueprint, returns SK_EINPUT with one problem per
 * short cell in rep ("field" is "section/cell/band"). */
int sk_form_build(struct sk_db *db, const char *test, const struct sk_form_build_opts *opts,
		  char ***out_codes, size_t *out_count, struct sk_report *rep);

/* Build the public sample form of a test from its approved public items. */
int sk_form_sample(struct sk_db *db, const char *test, char **out_code, struct sk_report *rep);

struct sk_form {
	int64_t id;
	char code[32];
	char test[16];
	int number;
	char kind[8];     /* live, sample */
	char status[8];   /* draft, locked */
	uint64_t seed;
	double mean_difficulty;
	int nitems, nanchors;
	int used_by_sittings;
	char created_at[21];
};

struct sk_form_item {
	char section[32];
	int position;
	int64_t item_version_id;
	char item[40];
	int version;
	char cell[40];
	int difficulty;
	int anchor;
};

int sk_form_get(struct sk_db *db, const char *code, struct sk_form *out);
int sk_form_foreach(struct sk_db *db, const char *test,
		    int (*cb)(void *payload, const struct sk_form *f), void *payload);
int sk_form_items(struct sk_db *db, int64_t form_id,
		  int (*cb)(void *payload, const struct sk_form_item *it), void *payload);
/* Lock a form: it never changes again. SK_ECONFLICT when already locked. */
int sk_form_lock(struct sk_db *db, const char *code);

#endif
