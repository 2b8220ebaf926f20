/*
 * Answer-copying checks for one sitting, for people to review: pairs of
 * candidates whose answer sheets are more alike than candidates who worked
 * independently would make them. A flag is a reason to look at the seating
 * plan, the proctors' reports and the sheets themselves, never proof.
 *
 * The null model. Candidates who work independently choose their answers
 * independently given their ability. Ability is summed up by the score on
 * the whole paper (○× and multiple choice), and for each item the chance
 * of each answer at each score is estimated from the sitting's candidates
 * of that test by kernel smoothing over the score (Ramsay's nonparametric
 * option curves, as in TestGraf): with a Gaussian kernel of bandwidth
 * h = 1.1 * N^(-1/5) * SD(score) (at least 0.5 points),
 *   P_i(k | s) = (sum_j K((s - s_j)/h) [u_ji = k] + P_i(k)) / (sum_j K((s - s_j)/h) + 1),
 * where the sums run over the N candidates who had item i, u_ji is what
 * candidate j marked (an option, blank, or several marks) and P_i(k) the
 * share of all of them who marked k (one pseudo-answer, so no chance is
 * ever exactly 0).
 *
 * Two checks. Under the null model each item (or printed position) is an
 * independent trial, so the counts below have exact distributions that are
 * computed item by item, not approximated.
 *
 *   same answers: candidates of one test in one room with items in common
 *     (same form, or anchor items). On each shared item both may give the
 *     same right answer (chance q1_i = sum over accepted options k of
 *     P_i(k | s_a) P_i(k | s_b)), the same wrong answer (q2_i, the same over
 *     wrong options), or not the same (blanks never count as the same).
 *     II is the number of identical wrong answers (the count of Holland's
 *     K index), IC of identical right ones. The p-value is that of Maynes'
 *     M4 (2014): the chance of at least as many identical wrong answers
 *     and at least as many identical answers in all,
 *       p = P(II' >= II and IC' + II' >= IC + II),
 *     from the joint distribution of (IC', II') (a generalized trinomial).
 *   same letters: neighbours of any test whose papers print different
 *     questions, or the same question with its options in another order,
 *     at the same place: M is the number of printed positions where both
 *     marked the same single letter, which is what copying a neighbour's
 *     sheet leaves on a paper of another version; p_q = sum over letters d
 *     of P_a(option a's paper prints at d | s_a) P_b(option b's paper
 *     prints at d | s_b), and p = P(M' >= M) (the Poisson-binomial tail,
 *     the generalized binomial test of van der Linden and Sotaridona,
 *     2006). Positions where both papers print the same question with the
 *     same letters are left to the first check.
 *
 * Neighbours are seats within sight: at most SK_COLLUSION_SIGHT (2) rows
 * and columns apart. (Papers give adjacent seats different forms; the
 * nearest seat with the same form is a knight's move away.)
 *
 * Threshold: a neighbour pair is flagged when p <= alpha (per pair,
 * default 0.0001); any other pair of a room when p <= alpha / m, m the
 * number of such pairs compared in that room (Bonferroni). Either way an
 * honest pair is flagged with chance at most alpha, and the result says
 * how many flags chance alone would give.
 */
#ifndef SK_COLLUSION_H
#define SK_COLLUSION_H

#include "exam/grade.h"

#include <stddef.h>

struct sk_db;

#define SK_COLLUSION_ALPHA 0.0001
#define SK_COLLUSION_MIN_COMPARED 5
#define SK_COLLUSION_SIGHT 2

struct sk_collusion_opts {
	double alpha;            /* 0 < alpha < 1 */
	int min_compared;        /* fewest items or positions worth a comparison */
	int all;                 /* list every pair compared, not only the flagged ones */
};

enum sk_collusion_check { SK_CHECK_SAME_ANSWERS = 0, SK_CHECK_SAME_LETTERS = 1 };

struct sk_collusion_side {
	char exam_number[16];
	char test[16];
	char form[32];
	char seat[16];
	int score, max_score;    /* points on ○× and multiple-choice positions */
};

struct sk_collusion_pair {
	enum sk_collusion_check check;
	char room[24];
	struct sk_collusion_side a, b; /* a before b in exam-number order */
	int neighbours;
	int compared;            /* items (same answers) or positions (same letters) */
	int observed;            /* identical wrong answers; same letters */
	double expected;         /* the same under the null model */
	int identical;           /* identical answers, right or wrong; same letters */
	double expected_identical;
	double p;                /* see above */
	double level;            /* what p is compared with */
	int flagged;
	int wrong_a, wrong_b;    /* agreements that are wrong answers on a's / b's own paper */
};

struct sk_collusion_test {
	char test[16];
	size_t candidates;
};

struct sk_collusion_result {
	double alpha;
	size_t candidates;
	size_t rooms;
	size_t ntests;
	struct sk_collusion_test tests[16];
	size_t tested[2];            /* pairs compared, per check */
	size_t tested_neighbours[2];
	size_t flagged[2];
	double chance[2];            /* flags expected by chance if nobody copied */
	size_t npairs;
	struct sk_collusion_pair *pairs; /* neighbours first, then by p */
};

void sk_collusion_result_release(struct sk_collusion_result *r);

/* Check a sitting: every live registration with an answer sheet (graded
 * or not). SK_ENOTFOUND: no such sitting; SK_EINVAL: bad options. */
int sk_collusion_sitting(struct sk_db *db, const char *sitting, const struct sk_collusion_opts *opts,
			 struct sk_collusion_result *out);

/* The same on sheets given one by one (tests, other sources): add every
 * sheet of one sitting, then run. add: 0, SK_ENOMEM, SK_ERANGE (more than
 * 16 tests or 65,535 items). run: 0, SK_ENOMEM, SK_EINVAL (options). */
struct sk_collusion;
struct sk_collusion *sk_collusion_new(void);
int sk_collusion_add(struct sk_collusion *c, const struct sk_sheet *sheet);
int sk_collusion_run(struct sk_collusion *c, const struct sk_collusion_opts *opts, struct sk_collusion_result *out);
void sk_collusion_free(struct sk_collusion *c);

/* P(X >= m) for X the number of successes among n independent trials
 * with chances p[0..n-1] (exposed for the tests). */
double sk_poisson_binomial_upper(const double *p, int n, int m);

/* P(A + B >= t and B >= w) for n independent trials each giving A (chance
 * q1[i]), B (q2[i]) or neither (exposed for the tests). */
double sk_identical_tail(const double *q1, const double *q2, int n, int t, int w);

#endif
