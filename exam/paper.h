/*
 * Papers: the form each registered candidate sits, with items shuffled
 * within each section and options within each item (fixed-order items keep
 * theirs; ○× stays ○ then ×).
 *
 * Nothing random is stored. Everything derives from a keyed stream over the
 * secret sitting key and the exam number, so grading rebuilds exactly the
 * paper that was printed, an auditor with the keys can too, and nobody
 * without them can predict one paper from another.
 *
 * Forms are given to seats in a pattern where no two candidates who can see
 * each other's desk (same room; left, right, front, back, diagonal) have the
 * same form, spread evenly over the room: with k >= 4 forms, seat (r, c) gets
 * slot (2r + c + offset) mod k, and the room's slots map to forms through a
 * keyed shuffle. Each paper's short code (form number, 4 keyed digits, a Damm
 * check digit: "03-4812-7") is printed on booklet and answer sheet; a digest
 * of the whole paper is recorded.
 */
#ifndef SK_PAPER_H
#define SK_PAPER_H

#include "core/bank.h"
#include "core/report.h"

#include <stdint.h>

#define SK_PAPER_MAX_ITEMS 200
#define SK_PAPER_CODE_LEN 9 /* "03-4812-7" */

struct sk_db;

struct sk_paper_item {
	int64_t item_version_id;
	char item[40];
	int version;
	char kind[4];
	int noptions;
	/* option_of[d] is the canonical option (0 = A) shown at displayed
	 * position d; identity for ○× and fixed-order items. */
	int option_of[SK_ITEM_MAX_OPTIONS];
};

struct sk_paper_section {
	char code[32];
	char name_ja[64], name_en[64];
	char kind[8];
	int nitems;
	struct sk_paper_item *items; /* displayed order */
};

struct sk_paper {
	char exam_number[16];
	char sitting[40];
	char test[16];
	char form[32];
	int form_number;
	char code[SK_PAPER_CODE_LEN + 1];
	unsigned char digest[32];
	int nsections;
	struct sk_paper_section sections[8];
};

void sk_paper_release(struct sk_paper *p);

struct sk_paper_stats {
	size_t built, unchanged;
	size_t registrations;
};

/* Build and store the papers of a sitting: every live registration without
 * one gets its form (by seat) and paper code. Forms used are locked. A test
 * needs at least 4 live forms (only 1 when no two of its candidates are
 * neighbours). Re-running builds only what is missing and changes nothing
 * else. Problems that stop it (a test without enough forms) go to rep. */
int sk_paper_build(struct sk_db *db, const char *sitting, struct sk_paper_stats *stats,
		   struct sk_report *rep);

/* Rebuild the paper of a registration from its form and the sitting key.
 * SK_ENOTFOUND when it has no paper yet. */
int sk_paper_get(struct sk_db *db, const char *exam_number, struct sk_paper *out);

/* 1 if the registration has a paper, 0 if not, or a negative SK_E* code. */
int sk_paper_exists(struct sk_db *db, const char *exam_number);

/* Recompute the paper's digest and code and compare them with what was
 * stored when it was built: 0 when they match, SK_EVERIFY if not. */
int sk_paper_verify(struct sk_db *db, const char *exam_number);

/* Many papers of one sitting, rebuilt in memory (grading, audits): the
 * sitting key is opened once and each form's items are read once; after
 * that a paper is rebuilt from its form and exam number by the same
 * permutation sk_paper_get uses, without reading the database.
 *
 * Ownership: sk_paper_set_new() gives a set the caller frees with
 * sk_paper_set_free() (NULL is a no-op). The set keeps the sitting key in
 * a sodium_malloc'd buffer, wiped when freed, and borrows db, which must
 * stay open while the set is used. */
struct sk_paper_set;

/* Open the set of a sitting (by code) and load the forms fixed for it.
 * SK_ENOTFOUND when there is no such sitting. */
int sk_paper_set_new(struct sk_db *db, const char *sitting, struct sk_paper_set **out);

/* Rebuild the paper of exam_number (canonical, as stored) on form form_id
 * (the paper's form_id): the same paper, code and digest as sk_paper_get
 * gives for that registration. A form the sitting does not use is read
 * once when first asked for. Release out with sk_paper_release(). */
int sk_paper_set_get(struct sk_paper_set *set, int64_t form_id, const char *exam_number,
		     struct sk_paper *out);

/* Only the order of a paper's items and options (sections, items,
 * option_of), as sk_paper_set_get gives it, without its code and digest:
 * for reading the answers of papers already checked (statistics), where
 * computing them for every sheet would be most of the work. */
int sk_paper_set_order(struct sk_paper_set *set, int64_t form_id, const char *exam_number, struct sk_paper *out);

void sk_paper_set_free(struct sk_paper_set *set);

/* Parse a typed paper code ("03-4812-7", hyphens optional) into out[10];
 * 0, SK_EINPUT (shape) or SK_EVERIFY (check digit). */
int sk_paper_code_parse(char out[SK_PAPER_CODE_LEN + 1], const char *input);

#endif
