/*
 * Synthetic candidates for the demo, the tests and the benchmarks: realistic
 * names and data typical of the main sending countries of manufacturing
 * specified skilled workers (Viet Nam, Indonesia, the Philippines, Myanmar,
 * Nepal, Cambodia, Thailand, and a few others), fully deterministic from a
 * seed. No real person is described; passport numbers follow each country's
 * pattern but are random.
 */
#ifndef SK_SYNTH_H
#define SK_SYNTH_H

#include <stddef.h>
#include <stdint.h>

struct sk_synth_candidate {
	char reference[24];        /* "A2026-000001" style, unique per index */
	char family_name[64];      /* Latin, as in the passport (may carry diacritics) */
	char given_name[64];       /* may be empty (Indonesian single names) */
	char native_name[128];     /* native script, or empty */
	char date_of_birth[11];    /* YYYY-MM-DD */
	char gender[2];            /* "M", "F" */
	char nationality[3];       /* ISO 3166-1 alpha-2 */
	char residence_country[3];
	char residence_region[64];
	char passport_number[16];
	char email[96];
	char phone[32];
	char language[16];         /* BCP 47 */
	int mfg_experience_months; /* 0..240 */
	int former_intern;         /* 0 or 1 */
	char japanese_level[8];    /* N1..N5, JFT-A2, none */
	char arrangements[96];     /* usually empty */
};

/* Candidate number `index` (0-based) of the population for `seed`. The same
 * seed and index always give the same candidate; references and passport
 * numbers are unique across indexes below 10,000,000 of one seed.
 * `exam_year` (clamped to 1960-9999) anchors ages: 18-40 in that year. */
void sk_synth_candidate(struct sk_synth_candidate *out, uint64_t seed, size_t index,
			int exam_year);

/* A plausible passport-style portrait, PNG, 300x400, different per
 * (seed, index). *out is malloc'd. 0 or SK_ENOMEM. */
int sk_synth_photo_png(unsigned char **out, size_t *out_len, uint64_t seed, size_t index);

/* Write `count` candidates as a candidates CSV (the import format, header
 * first) to csv_path. If photo_dir is not NULL, the first `photos`
 * candidates get a portrait written there as "<reference>.png" and a photo
 * column naming it relative to the CSV's directory. Returns 0 or SK_EIO /
 * SK_ENOMEM, with a message in err[errlen]. */
int sk_synth_write_candidates(const char *csv_path, uint64_t seed, size_t count,
			      int exam_year, const char *photo_dir, size_t photos,
			      char *err, size_t errlen);

#endif
