/*
 * Candidates (受験者): who they are as their passport says, how to reach
 * them, their background, and their photo. Imported from CSV; a row with a
 * known reference updates that candidate (recording what changed in the
 * audit log), an identical row changes nothing.
 *
 * Passport numbers are sealed at rest and looked up by keyed hash. They are
 * never returned in full: struct sk_candidate carries a mask ("•••••1234").
 * A passport number already held by another reference is refused as
 * possible impersonation, naming the other reference but not the number.
 */
#ifndef SK_CANDIDATE_H
#define SK_CANDIDATE_H

#include "core/import.h"
#include "core/report.h"

#include <stdint.h>

struct sk_db;

struct sk_candidate {
	int64_t id;
	char *reference;
	char *family_name, *given_name, *native_name;
	char *date_of_birth; /* YYYY-MM-DD */
	char *gender;        /* M, F or X */
	char *nationality, *residence_country; /* ISO 3166-1 alpha-2 */
	char *residence_region;
	char *passport_masked; /* all but the last 4 masked */
	char *email, *phone;
	char *language;        /* BCP 47, or NULL */
	int mfg_experience_months; /* -1 unknown */
	int former_intern;         /* -1 unknown, 0, 1 */
	char *japanese_level;      /* N1..N5, JFT-A2, none, or NULL */
	char *arrangements;
	int64_t photo_id;          /* 0: none */
	char *created_at, *updated_at;
};

void sk_candidate_release(struct sk_candidate *c);

/* The candidate import columns, in export order. */
extern const struct sk_csv_col sk_candidate_columns[];
extern const size_t sk_candidate_ncolumns;

/* Import a candidates CSV (see README for the columns). Returns 0, or
 * SK_EINPUT with every problem in rep (nothing changed unless
 * opts->skip_invalid), or another error recorded on db. */
int sk_candidate_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
			struct sk_import_stats *stats, struct sk_report *rep);

/* Find one candidate by reference; SK_ENOTFOUND if none. */
int sk_candidate_get(struct sk_db *db, const char *reference, struct sk_candidate *out);

struct sk_candidate_filter {
	const char *nationality;   /* alpha-2 or NULL */
	const char *search;        /* substring of reference or names, or NULL */
	int64_t limit;             /* 0: all */
};

/* Call cb for each candidate (ordered by reference); cb's non-zero return
 * stops the walk and is returned. The struct is valid during the call. */
int sk_candidate_foreach(struct sk_db *db, const struct sk_candidate_filter *filter,
			 int (*cb)(void *payload, const struct sk_candidate *c), void *payload);

/* Mask a passport number: keep the last 4 characters. out[32]. */
char *sk_passport_mask(char out[32], const char *number);

/* Normalise a typed passport number (NFKC, upper case, no spaces or
 * hyphens) into out[32]; 0 or SK_EINPUT if it is not 5-20 letters/digits. */
int sk_passport_normalise(char out[32], const char *input);

/* The keyed lookup hash of a normalised passport number. */
int sk_passport_hash(struct sk_db *db, unsigned char out[32], const char *normalised);

#endif
