/*
 * Statistics for the ministry, the expert committees and the exam body,
 * computed from the ledger and the answer sheets; nothing here writes.
 *
 * Population report (sk_stats_results): live registrations of a selection
 * (one sitting, or the sittings of a date range; optionally one test)
 * counted in cells of any combination of dimensions — candidates, present
 * (pass, fail or disqualified), absent, pending (not graded), passed, the
 * pass rate passed / present, and the mean and sample standard deviation
 * (n - 1) of each section's score in percent of its maximum over the
 * candidates who passed or failed (a disqualified candidate's scores do
 * not count). Cells with fewer than min_cell candidates (but some) are suppressed;
 * so that a suppressed cell cannot be worked out by subtracting the others
 * from the total, the suppressed cells of a table must hold no candidate
 * or at least min_cell together (else the next smallest cell is suppressed
 * too). In a cell that is shown, passed, the pass rate and the scores are
 * left out when fewer than min_cell candidates were present, and a
 * section's scores when fewer than min_cell have one.
 *
 * Item analysis (sk_stats_items): every answer sheet of a test whose
 * candidate passed or failed, scored as grading scores it now
 * (sk_grade_foreach_sheet). Per item version, over the candidates who had
 * it: facility p (the share who scored), the item-rest correlation (the
 * Pearson, i.e. point-biserial, correlation of the item's score with the
 * rest of its section: section score minus the item), how often each
 * canonical option was chosen, blanks and several marks, and the same in
 * the upper group (the 27 % of its candidates with the highest section
 * scores, ties at the boundary included). Flags for review: p < 0.20 (hard),
 * p > 0.95 (easy), a negative item-rest correlation, one below 0.20 (low
 * discrimination), a wrong option chosen by more of the upper group than
 * the key. Per form and section: KR-20 = k/(k-1) * (1 - sum p_i q_i / var)
 * with the population variance of the section score, the standard error of
 * measurement SD * sqrt(1 - KR-20) with the sample SD, mean and SD. Per
 * sitting and section with two forms or more, each form's mean against the
 * mean of the sitting's other candidates: difference d, its standard error
 * sqrt(s1^2/n1 + s2^2/n2), z = d / SE, and whether |z| reaches the
 * two-sided 5 % Bonferroni bound for that many forms.
 *
 * Ownership: the out structs own their arrays; release them with the
 * matching _release() (safe on a zeroed struct).
 */
#ifndef SK_STATS_H
#define SK_STATS_H

#include "exam/grade.h"

#include <stddef.h>
#include <stdint.h>

struct sk_db;

/* What to count: one sitting, or sittings by date; test narrows either. */
struct sk_stats_selection {
	const char *sitting;     /* code, or NULL */
	const char *from, *to;   /* exam dates YYYY-MM-DD, inclusive, or NULL */
	const char *test;        /* code, or NULL */
};

/* ---- population report ---- */

enum sk_stats_dim {
	SK_DIM_SITTING,      /* sitting code */
	SK_DIM_TEST,         /* test code: MM1 */
	SK_DIM_CATEGORY,     /* test category (試験区分), Japanese */
	SK_DIM_LEVEL,        /* 1 or 2 */
	SK_DIM_NATIONALITY,  /* ISO 3166 alpha-2 */
	SK_DIM_RESIDENCE,    /* country of residence, alpha-2 */
	SK_DIM_REGION,       /* "VN/Hà Nội": country and region of residence */
	SK_DIM_GENDER,       /* M, F, X */
	SK_DIM_AGE_BAND,     /* age on the exam date: -19, 20-24, ..., 35-39, 40- */
	SK_DIM_BACKGROUND,   /* former-intern, other, unknown */
	SK_DIM_EXPERIENCE,   /* months in manufacturing: 0, 1-11, 12-35, 36-, unknown */
	SK_DIM_JAPANESE,     /* Japanese level: N1..N5, JFT-A2, none, unknown */
	SK_DIM_COUNT
};

/* The name of a dimension as typed ("age_band"), and back (-1: none). */
const char *sk_stats_dim_name(enum sk_stats_dim d);
int sk_stats_dim_parse(const char *name);

#define SK_STATS_MAX_DIMS SK_DIM_COUNT
#define SK_STATS_MAX_SECTIONS 16

/* Why a cell shows no figures. */
enum { SK_CELL_SHOWN = 0, SK_CELL_SMALL = 1, SK_CELL_COMPLEMENT = 2 };

struct sk_stats_section {
	size_t n;                /* candidates with a score */
	double mean, sd;         /* percent of the maximum; sd NAN when n < 2 */
};

struct sk_stats_cell {
	char values[SK_STATS_MAX_DIMS][96]; /* one per dimension asked, in order */
	size_t candidates, present, absent, pending, passed, disqualified;
	double pass_rate;        /* passed / present (0-1); NAN when nobody was present */
	int suppressed;          /* SK_CELL_*: when set, only values[] may be shown */
	int results_hidden;      /* fewer than min_cell present: no passed, rate or scores */
	struct sk_stats_section sections[SK_STATS_MAX_SECTIONS]; /* n < min_cell: hide */
};

struct sk_stats_table {
	int ndims;
	enum sk_stats_dim dims[SK_STATS_MAX_DIMS];
	int min_cell;
	int nsections;           /* section codes seen, in test order */
	char sections[SK_STATS_MAX_SECTIONS][32];
	size_t ncells;
	struct sk_stats_cell *cells; /* sorted by their values */
	struct sk_stats_cell total;  /* the whole selection (suppressed too when small) */
};

/* Count the selection in cells of the given dimensions (ndims 0: the total
 * only). min_cell >= 1. SK_ENOTFOUND: no such sitting or test; SK_EINVAL:
 * a dimension twice or a bad date. */
int sk_stats_results(struct sk_db *db, const struct sk_stats_selection *sel, const enum sk_stats_dim *dims,
		     int ndims, int min_cell, struct sk_stats_table *out);
void sk_stats_table_release(struct sk_stats_table *t);

/* The smallest cell the registry allows (meta "stats.min_cell", default 5). */
int sk_stats_min_cell(struct sk_db *db);

/* Score distributions of one section of a test in a selection: how many
 * candidates who passed or failed scored each number of points (0..max),
 * with its pass mark. Sections whose maximum differs between candidates
 * are counted at the most common maximum only. */
struct sk_stats_histogram {
	char test[16];
	char section[32];
	char name_ja[64], name_en[64];
	int pass_percent;
	int max_points;
	size_t n;
	size_t *count;           /* [max_points + 1] */
};

/* Every section of every test in the selection that has scores, in test
 * and section order: *out is an array of *n histograms. */
int sk_stats_histograms(struct sk_db *db, const struct sk_stats_selection *sel, struct sk_stats_histogram **out,
			size_t *n);
void sk_stats_histograms_free(struct sk_stats_histogram *h, size_t n);

/* ---- item analysis ---- */

#define SK_ITEM_HARD (1u << 0)       /* p < 0.20 */
#define SK_ITEM_EASY (1u << 1)       /* p > 0.95 */
#define SK_ITEM_NEGATIVE (1u << 2)   /* item-rest correlation < 0 */
#define SK_ITEM_LOW_DISC (1u << 3)   /* 0 <= item-rest correlation < 0.20 */
#define SK_ITEM_DISTRACTOR (1u << 4) /* a wrong option beats the key in the upper group */

#define SK_ITEM_UPPER_SHARE 0.27

struct sk_item_stat {
	int64_t item_version_id;
	char item[40];
	int version;
	char section[32];
	int section_order;       /* the section's place on the paper, 0 first */
	int tf;
	int noptions;            /* 2 for ○× */
	unsigned accepted;       /* canonical options that score (bit 0 = ○/A) */
	size_t n;                /* candidates who had the item */
	double p;                /* facility */
	double r_rest;           /* item-rest correlation; NAN when undefined */
	size_t options[SK_ITEM_MAX_OPTIONS]; /* single marks per canonical option */
	size_t omit, multiple;   /* blanks; several marks or unclear */
	size_t upper_n;          /* the upper group */
	size_t upper_options[SK_ITEM_MAX_OPTIONS];
	double omit_rate;        /* omit / n */
	unsigned flags;          /* SK_ITEM_* */
	int distractor;          /* the canonical option of SK_ITEM_DISTRACTOR, else -1 */
};

struct sk_form_stat {
	char form[32];
	char section[32];
	int nitems;
	size_t n;
	double mean, sd;         /* points; sd with n - 1 */
	double kr20, sem;        /* NAN when undefined (n < 2, k < 2, no variance) */
};

struct sk_form_equiv {
	char sitting[40];
	char section[32];
	char form[32];
	int nforms;              /* forms of the sitting with this section */
	size_t n, others_n;
	double mean, sd;
	double others_mean, others_sd;
	double diff, se, z;      /* NAN when a group is too small */
	double z_crit;           /* two-sided 5 %, Bonferroni over nforms */
	int differs;             /* |z| >= z_crit */
};

struct sk_item_analysis {
	char test[16];
	size_t sittings, sheets, skipped;
	size_t nitems;
	struct sk_item_stat *items;   /* by section, then item code and version */
	size_t nforms;
	struct sk_form_stat *forms;   /* by form, then section */
	size_t nequiv;
	struct sk_form_equiv *equiv;  /* by sitting, section, form */
};

void sk_item_analysis_release(struct sk_item_analysis *a);

/* The analysis of a test over a selection (sel->test required). */
int sk_stats_items(struct sk_db *db, const struct sk_stats_selection *sel, struct sk_item_analysis *out);

/* The same computation on sheets given one by one (tests, other sources).
 * sk_item_acc_new: NULL when out of memory. add: 0 or SK_ENOMEM. finish
 * fills out (which the caller releases) and frees nothing of acc. Item
 * codes come from the sheets' answers only by version id; set names with
 * sk_item_acc_name() before finish, or they stay "". */
struct sk_item_acc;
struct sk_item_acc *sk_item_acc_new(void);
int sk_item_acc_add(struct sk_item_acc *acc, const struct sk_sheet *sheet);
int sk_item_acc_name(struct sk_item_acc *acc, int64_t item_version_id, const char *item, int version);
int sk_item_acc_finish(struct sk_item_acc *acc, struct sk_item_analysis *out);
void sk_item_acc_free(struct sk_item_acc *acc);

/* Small numerics, exposed for the tests. */
double sk_stats_normal_upper(double z);   /* P(Z >= z) */
double sk_stats_normal_quantile(double p); /* z with P(Z <= z) = p, 0 < p < 1 */

#endif
