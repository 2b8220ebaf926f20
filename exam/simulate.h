/*
 * Simulated answer sheets for the demo, the tests and the benchmarks: the
 * OMR CSV (response.h) a sitting would send back, with a realistic spread
 * of ability, fully deterministic from a seed.
 *
 * Each candidate gets an ability theta ~ N(0, 1) drawn from the seed and
 * their exam number; each item a difficulty b = 0.75 * (bank difficulty - 3)
 * - 0.3 (about -1.8 for difficulty 1 to +1.2 for 5: people who sit a test
 * have prepared for it) and a discrimination a in [0.8, 1.4) from its
 * version. A question is answered right with the three-parameter logistic
 *   P = c + (1 - c) / (1 + exp(-1.7 a (theta - b)))
 * with guessing c = 1/2 for ○× and 1/noptions for multiple choice; a wrong
 * multiple-choice answer falls on one plausible distractor (fixed per item)
 * three times as often as on each other one. About 1 % of answers are left
 * blank and 0.3 % carry a second mark. Who hands in a sheet follows the
 * door when check-in recorded it (exam/checkin.h): everyone checked in
 * does, nobody marked absent does; of the candidates the door has no record
 * of, `absent_percent` are left out entirely. Answers are written as printed on the candidate's
 * own paper (the displayed letter, O or X), so importing the file and
 * grading it sees the keys through each paper's permutation. With the
 * sample bank about two thirds of the candidates pass a 1号 test.
 *
 * Copying can be planted, to test that it is found: `copiers` candidates
 * copy from a neighbour's answer sheet (the seat next to theirs, diagonals
 * too, any test or form): at each printed position, with chance
 * copy_share, they mark the letters the neighbour marked there (blank
 * too), when their own question has those letters. `sharers` candidates
 * are given the answers of the nearest candidate on the same form within
 * sight (two rows and columns), who never sits right next to them (papers
 * see to that; the nearest is a knight's move away): at each
 * item, with chance copy_share, they choose the canonical option the other
 * chose, marked where their own paper prints it. Copiers and sharers are
 * of the weaker half (ability below 0), those who need to copy, and so
 * are the sources of sharers (answers passed between two who are unsure;
 * a near-perfect sheet passed on leaves no trace that any index can see).
 * All are present, each in one pair at most, chosen by keyed draws from the seed;
 * the pairs are returned in the stats. Everything else about a sheet stays
 * as without planting, so planting changes the copiers' sheets only.
 *
 * Reading the keys to do this is recorded in the audit log (entity
 * "sitting", action "simulate responses").
 */
#ifndef SK_SIMULATE_H
#define SK_SIMULATE_H

#include <stddef.h>
#include <stdint.h>

struct sk_db;
struct sk_buf;

struct sk_simulate_opts {
	uint64_t seed;
	double absent_percent; /* 0-100: candidates left out */
	size_t copiers;        /* planted: copy a neighbour's sheet */
	size_t sharers;        /* planted: take another's answers, same form */
	double copy_share;     /* 0-1: share of positions copied (0: 0.8) */
};

enum sk_planted_kind { SK_PLANTED_LETTERS, SK_PLANTED_ANSWERS };

struct sk_simulate_pair {
	char copier[16], source[16]; /* exam numbers */
	enum sk_planted_kind kind;
};

struct sk_simulate_stats {
	size_t registrations; /* live registrations with a paper */
	size_t sheets;        /* rows written */
	size_t absent;        /* left out */
	int positions;        /* question columns */
	/* the planted pairs (malloc'd, the caller frees; NULL when none):
	 * fewer than asked when the sitting has no more suitable pairs */
	struct sk_simulate_pair *planted;
	size_t nplanted;
};

/* Append the OMR CSV of the sitting's papers (header first, rows in exam
 * number order) to out. SK_ENOTFOUND: no such sitting; SK_EINPUT: no
 * papers built yet (detail on db). The same seed, sitting and keys always
 * give the same bytes. */
int sk_simulate_responses(struct sk_db *db, const char *sitting, const struct sk_simulate_opts *opts,
			  struct sk_buf *out, struct sk_simulate_stats *stats);

/* The ability theta of a candidate under a seed (for tests). */
double sk_simulate_ability(uint64_t seed, const char *exam_number);

#endif
