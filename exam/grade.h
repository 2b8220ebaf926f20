/*
 * Grading: each candidate's responses against their own paper, the test's
 * pass rules, results stored with the grading run that made them.
 *
 * For every live registration of a sitting:
 *   - disqualified when an incident with disqualify was recorded, whatever
 *     was scored;
 *   - absent when nothing came back for any of its sections (no answer
 *     sheet, no examiner score); a candidate checked in at the door
 *     (exam/checkin.h) with nothing back is graded absent too, and
 *     reported, since a sheet may have been lost;
 *   - not graded (reported) when marked absent at check-in yet answers
 *     came back: a person decides which is wrong;
 *   - incomplete (reported, no result written) when some sections have
 *     data and others not;
 *   - otherwise each section is scored: for ○× and multiple-choice
 *     sections each printed position is mapped through the paper to its
 *     canonical item and option (exam/paper.h) and scores a point when its
 *     one mark is an accepted option: the item version's key, or what its
 *     newest key correction accepts. Several marks score nothing and are
 *     counted as `multiple`; a blank scores nothing. Examiner-scored
 *     sections take their points. A section passes when
 *     points * 100 >= pass_percent * max_points (integers: exactly 65 %
 *     passes a 65 % mark); the test is passed when every section passes.
 *
 * Results are compared with what is stored. New results (a registration
 * graded for the first time) are written; results that would change (a key
 * correction, replaced responses, a late incident) are listed as changes
 * and written only with SK_GRADE_CONFIRM. Nothing is written with
 * SK_GRADE_DRY_RUN. Grading again with nothing new changes nothing and
 * records no run. Every result written or changed is audited (entity
 * "result", key the exam number, old and new outcome and section points).
 */
#ifndef SK_GRADE_H
#define SK_GRADE_H

#include "core/bank.h"
#include "core/report.h"
#include "exam/response.h"

#include <stddef.h>
#include <stdint.h>

struct sk_db;

#define SK_GRADE_DRY_RUN 1 /* compute and report, write nothing */
#define SK_GRADE_CONFIRM 2 /* also write results that change */

struct sk_grade_section {
	char code[32];
	char kind[8];        /* tf, mc, scored */
	int points, max_points;
	int pass_percent;
	int passed;
	int multiple, blank;
};

struct sk_grade {
	char exam_number[16];
	char test[16];
	char outcome[16];    /* pass, fail, absent, disqualified */
	int nsections;       /* 0 when absent */
	struct sk_grade_section sections[8];
};

/* A result that grading would change: before and after, and in words why
 * (e.g. "jitsugi 17/30 → 18/30 (MM1-J-015 rekeyed)"). */
struct sk_grade_change {
	struct sk_grade before, after;
	char why[256];
};

struct sk_grade_stats {
	size_t registrations;     /* live registrations of the sitting */
	size_t graded;            /* results computed */
	size_t pass, fail, absent, disqualified;
	size_t incomplete;        /* reported in rep, no result */
	size_t mismatched;        /* answer sheet not of the registration's paper (or
	                             marks past its last question), or answers from a
	                             candidate marked absent at check-in: reported, not graded */
	size_t present_no_answers; /* checked in, nothing came back: graded absent, reported */
	size_t added;             /* first results written */
	size_t changed;           /* results that differ from the stored ones */
	size_t flips;             /* of those, pass <-> fail (or to/from disqualified/absent) */
	size_t unchanged;
	int64_t run_id;           /* the run that wrote, 0 if nothing was written */
	int confirm_needed;       /* changes were found and not written */
};

/* Per-test counts for the summary printed after grading. */
struct sk_grade_count {
	char test[16];
	size_t candidates, present, pass, fail, absent, disqualified;
};

/* Grade a sitting (flags: SK_GRADE_*). on_change, if given, is called for
 * every result that would change, in exam-number order, before anything is
 * written; a non-zero return stops and is returned. Problems (incomplete
 * registrations, responses whose paper code no longer matches) go to rep.
 * counts (may be NULL) receives up to *ncounts per-test tallies. */
int sk_grade_sitting(struct sk_db *db, const char *sitting, int flags,
		     int (*on_change)(void *payload, const struct sk_grade_change *c), void *payload,
		     struct sk_grade_stats *stats, struct sk_grade_count *counts, size_t *ncounts,
		     struct sk_report *rep);

/* Record a key correction for the current version of an item: accept is a
 * mask of canonical options (bit 0 = ○/A ...), or 0 for "accept every
 * answer". The reason is required. Audited. SK_ENOTFOUND, SK_EINPUT (an
 * option the item does not have), SK_ECONFLICT (the same as in force). */
int sk_item_rekey(struct sk_db *db, const char *item_code, unsigned accept, const char *reason);

/* For an appeal: one printed position of a graded paper. */
struct sk_grade_line {
	int number;              /* as printed on the sheet */
	char section[32];
	char item[40];
	int version;
	int tf;
	unsigned char mark;      /* as marked, in printed letters */
	unsigned char canonical; /* the same mark mapped to canonical options */
	unsigned char accepted;  /* canonical options that score (key or correction) */
	int corrected;           /* a key correction is in force */
	int point;               /* 1 if it scored */
};

struct sk_grade_detail {
	struct sk_grade grade;   /* as computed now */
	char stored_outcome[16]; /* as stored ("" if never graded) */
	int64_t run_id;
	char graded_at[24];
	char paper_code[16];
	size_t nlines;
	struct sk_grade_line lines[200];
	/* Examiner-scored sections: who scored them (by index of grade.sections). */
	char examiners[8][128];
	/* Why it cannot be graded now ("" when it can): an answer sheet of
	 * another paper, sections without data. grade.outcome is "" then. */
	char problem[192];
};

/* Everything a re-check needs for one exam number: the result stored and
 * as computed now, and every printed position. SK_EINPUT (not an exam
 * number), SK_ENOTFOUND (no such registration). */
int sk_grade_detail(struct sk_db *db, const char *exam_number, struct sk_grade_detail *out);

/* A stored result, for lists: live registrations of a sitting with their
 * outcome ("pending" until graded) and section points. */
struct sk_result_row {
	char exam_number[16];
	char reference[40];
	char family_name[128], given_name[128];
	char test[16];
	char outcome[16];        /* pass, fail, absent, disqualified, pending */
	int64_t run_id;          /* 0 when pending */
	char graded_at[24];
	int nsections;
	struct sk_grade_section sections[8]; /* as stored; none when absent or pending */
};

struct sk_result_filter {
	const char *sitting;     /* code; required */
	const char *test;        /* code, or NULL */
	const char *outcome;     /* or NULL */
};

/* Call cb for each matching registration in exam-number order; a non-zero
 * return from cb stops and is returned. SK_ENOTFOUND: no such sitting. */
int sk_result_foreach(struct sk_db *db, const struct sk_result_filter *filter,
		      int (*cb)(void *payload, const struct sk_result_row *row), void *payload);

/* ---- answers for statistics ----
 *
 * Item analysis and answer-copying checks need every answer of a sheet
 * in canonical terms, scored exactly as grading scores it: the same
 * paper rebuilt from the sitting key, the same mapping of printed letters
 * to canonical options, the same keys and key corrections (the newest in
 * force now). */

/* One printed position of a sheet. */
struct sk_sheet_answer {
	int64_t item_version_id;
	int section;             /* index into sk_sheet.sections */
	int tf;                  /* ○× item */
	int noptions;            /* 2 for ○× */
	unsigned char mark;      /* as marked, in printed letters (bit 0 = ○ or A) */
	unsigned char canonical; /* the mark in canonical options; SK_MARK_UNCLEAR kept */
	unsigned char accepted;  /* canonical options that score now */
	int single;              /* exactly one clear mark */
	int point;               /* 1 if it scores */
	/* option_of[d]: the canonical option printed at letter d, -1 none */
	signed char option_of[SK_ITEM_MAX_OPTIONS];
};

/* A sheet of a registration, as graded now. Only ○× and multiple-choice
 * sections appear (examiner-scored ones have no answers to analyse). */
struct sk_sheet {
	int64_t registration_id;
	char exam_number[16];
	char sitting[40];
	char exam_date[11];
	char test[16];
	int64_t form_id;
	char form[32];
	char room[24];
	int seat_row, seat_col;
	char outcome[16];        /* stored: pass, fail, absent, disqualified, or pending */
	int nsections;
	struct {
		char code[32];
		char kind[8];        /* tf, mc */
		int pass_percent;
		int points, max_points;
	} sections[8];
	int npositions;
	struct sk_sheet_answer answers[SK_MARK_MAX_POSITIONS]; /* printed order */
};

struct sk_sheet_filter {
	const char *sitting;     /* code, or NULL: every sitting in the dates */
	const char *test;        /* code, or NULL: every test */
	const char *from, *to;   /* exam dates (YYYY-MM-DD), inclusive, or NULL */
	int graded_only;         /* only registrations whose stored outcome is pass or fail */
};

struct sk_sheet_counts {
	size_t sittings;         /* sittings read */
	size_t sheets;           /* sheets given to cb */
	size_t skipped;          /* answer sheets of another paper, or past its end: left out */
};

/* Call cb for the answer sheet of every live registration that matches,
 * sitting by sitting in date order, in exam-number order within each.
 * Registrations without an answer sheet are not given. A non-zero return
 * from cb stops and is returned. counts may be NULL. SK_ENOTFOUND: no
 * such sitting or test. The sheet is valid during the call only. */
int sk_grade_foreach_sheet(struct sk_db *db, const struct sk_sheet_filter *filter,
			   int (*cb)(void *payload, const struct sk_sheet *sheet), void *payload,
			   struct sk_sheet_counts *counts);

#endif
