/*
 * The question bank (問題): items with every version they ever had, the
 * committee's reviews, and the CSV format staff and expert committees
 * exchange (see assets/bank/FORMAT.md and the README).
 *
 * An item version is approved when enough distinct reviewers (the
 * "review.approvals" setting, default 2), none of them its author, approved
 * it and nobody rejected it. Importing a changed row makes a new version,
 * which starts with no reviews; forms keep pointing at the version they were
 * built from. Retired items stay in existing forms.
 *
 * Answer keys are sealed with the data key, bound to the item id. Exports
 * write them sealed ("sealed:…"), so an exported bank reveals no key and
 * re-imports exactly.
 */
#ifndef SK_BANK_H
#define SK_BANK_H

#include "core/import.h"
#include "core/report.h"

#include <stdint.h>

#define SK_ITEM_MAX_OPTIONS 5

struct sk_item {
	int64_t id, version_id;
	char code[40];
	char test[16];
	char section[32];
	int version;
	char cell[40];
	char kind[4];                 /* tf, mc */
	char *stem;
	int noptions;
	char *options[SK_ITEM_MAX_OPTIONS];
	char key[4];                  /* "" unless asked for: O, X, A..E */
	int difficulty;
	char *enemy_group;            /* NULL: none */
	int fixed_order;
	int64_t figure_id;            /* 0: none */
	char *figure_name;
	int is_public;
	char *explanation;
	char *author;
	char status[12];              /* draft, reviewed, approved, retired */
	int approvals, rejections;
	char created_at[21];
};

void sk_item_release(struct sk_item *item);

struct sk_db;

/* Difficulty band of a difficulty: "easy" 1-2, "medium" 3, "hard" 4-5. */
const char *sk_difficulty_band(int difficulty);

/* Approvals an item needs (meta "review.approvals", default 2). */
int sk_bank_required_approvals(struct sk_db *db);

/* Import a bank CSV. Returns 0, or SK_EINPUT with every problem in rep. */
int sk_bank_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		   struct sk_import_stats *stats, struct sk_report *rep);

/* Export the current versions (of one test, or all when test is NULL) as a
 * bank CSV at csv_path, writing figures beside it under the names they were
 * imported with. Keys are written sealed. */
int sk_bank_export(struct sk_db *db, const char *test, const char *csv_path);

/* Load an item: its current version (version 0) or a given one. With
 * with_key the answer key is opened into item->key. SK_ENOTFOUND. */
int sk_item_get(struct sk_db *db, const char *code, int version, int with_key,
		struct sk_item *out);

/* Load an item version by its row id. */
int sk_item_get_version(struct sk_db *db, int64_t version_id, int with_key, struct sk_item *out);

struct sk_item_filter {
	const char *test, *section, *cell, *status; /* NULL: any */
};

/* Each item's current version, ordered by code; cb's non-zero return stops. */
int sk_item_foreach(struct sk_db *db, const struct sk_item_filter *f,
		    int (*cb)(void *payload, const struct sk_item *item), void *payload);

/* Record a review of the item's current version. decision is "approve" or
 * "reject". Refused (SK_ECONFLICT, detail on db): the author reviewing their
 * own item, a retired item. A second review by the same reviewer replaces the
 * first. *outcome: 0 unchanged, 1 added, 2 changed. */
int sk_item_review(struct sk_db *db, const char *code, const char *reviewer, const char *decision,
		   const char *comment, int *outcome);

/* Import review decisions: columns item, reviewer, decision, comment. */
int sk_review_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		     struct sk_import_stats *stats, struct sk_report *rep);

/* Retire an item: it enters no new form; existing forms keep it. */
int sk_item_retire(struct sk_db *db, const char *code, const char *reason);

struct sk_review {
	char reviewer[128];
	char decision[12];
	char comment[512];
	char created_at[21];
};

/* The reviews of one item version, oldest first. */
int sk_item_reviews(struct sk_db *db, int64_t version_id,
		    int (*cb)(void *payload, const struct sk_review *r), void *payload);

#endif
