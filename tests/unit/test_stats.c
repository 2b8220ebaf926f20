/*
 * Item statistics, KR-20, form equivalence and the copying checks' tail
 * probabilities on matrices small enough to work out by hand; the working
 * is in the comments. Sheets are built here directly in canonical terms
 * (what sk_grade_foreach_sheet gives), so these tests see the statistics
 * alone; tests/cli/test_stats.sh and test_psych.sh go through the registry.
 */
#include "unit.h"
#include "exam/collusion.h"
#include "exam/stats.h"

#include <math.h>

#define EPS 1e-9

/* A sheet of one section of k four-option items: answers[i] is the
 * canonical option chosen (0 = A, the key of every item here), -1 blank. */
static void make_sheet(struct sk_sheet *sh, const char *exam, const char *sitting, int64_t form_id,
		       const char *form, const int64_t *items, const int *answers, int k)
{
	memset(sh, 0, sizeof(*sh));
	snprintf(sh->exam_number, sizeof(sh->exam_number), "%s", exam);
	snprintf(sh->sitting, sizeof(sh->sitting), "%s", sitting);
	snprintf(sh->exam_date, sizeof(sh->exam_date), "2026-12-13");
	snprintf(sh->test, sizeof(sh->test), "MM1");
	snprintf(sh->form, sizeof(sh->form), "%s", form);
	snprintf(sh->room, sizeof(sh->room), "A");
	sh->form_id = form_id;
	sh->nsections = 1;
	snprintf(sh->sections[0].code, sizeof(sh->sections[0].code), "jitsugi");
	snprintf(sh->sections[0].kind, sizeof(sh->sections[0].kind), "mc");
	sh->sections[0].pass_percent = 60;
	sh->sections[0].max_points = k;
	sh->npositions = k;
	for (int i = 0; i < k; i++) {
		struct sk_sheet_answer *a = &sh->answers[i];
		a->item_version_id = items[i];
		a->noptions = 4;
		a->accepted = 1;
		/* printed in reverse order, to be sure nothing reads letters */
		for (int d = 0; d < 4; d++)
			a->option_of[d] = (signed char)(3 - d);
		a->option_of[4] = -1;
		if (answers[i] >= 0) {
			a->canonical = (unsigned char)(1u << answers[i]);
			a->mark = (unsigned char)(1u << (3 - answers[i]));
			a->single = 1;
			a->point = answers[i] == 0;
		}
		sh->sections[0].points += a->point;
	}
}

static const struct sk_item_stat *item(const struct sk_item_analysis *a, int64_t id)
{
	for (size_t i = 0; i < a->nitems; i++)
		if (a->items[i].item_version_id == id)
			return &a->items[i];
	cr_assert_fail("item %lld not analysed", (long long)id);
	return NULL;
}

/*
 * Five candidates, four items, one form (1 = right, i.e. option A):
 *
 *        i1 i2 i3 i4   S
 *   A     1  1  1  0   3    wrong answers: i4 B
 *   B     1  1  0  0   2                   i3 C, i4 B
 *   C     1  0  1  1   3                   i2 D
 *   D     0  0  0  1   1                   i1 B, i2 -, i3 C
 *   E     1  1  1  1   4
 *
 * p = .8 .6 .6 .6; mean S = 2.6; population variance = 39/5 - 2.6^2 = 1.04;
 * sum pq = .16 + 3 * .24 = .88; KR-20 = 4/3 (1 - .88/1.04) = 8/39; sample
 * SD = sqrt(5.2/4) = sqrt(1.3); SEM = sqrt(1.3) sqrt(31/39).
 * i1: x = 1 1 1 0 1, rest = 2 1 2 1 3: cov = .16, var x = .16, var rest =
 * .56, r = .16 / sqrt(.16 * .56) = sqrt(2/7).
 * i4: x = 0 0 1 1 1, rest = 3 2 2 0 3: cov = -.2, var x = .24, var rest =
 * 1.2, r = -.2 / sqrt(.288).
 * Upper group: ceil(.27 * 5) = 2 wanted; scores 4 (E) then 3 (A, C, tied):
 * 3 candidates.
 */
static const int64_t items4[] = { 11, 12, 13, 14 };
static const int matrix[5][4] = {
	{ 0, 0, 0, 1 }, { 0, 0, 2, 1 }, { 0, 3, 0, 0 }, { 1, -1, 2, 0 }, { 0, 0, 0, 0 },
};

static void analyse_matrix(struct sk_item_analysis *a)
{
	struct sk_item_acc *acc = sk_item_acc_new();
	cr_assert_not_null(acc);
	struct sk_sheet *sh = malloc(sizeof(*sh));
	static const char *const exams[] = { "A", "B", "C", "D", "E" };
	for (int c = 0; c < 5; c++) {
		make_sheet(sh, exams[c], "S1", 1, "MM1-F01", items4, matrix[c], 4);
		cr_assert_eq(sk_item_acc_add(acc, sh), 0);
	}
	cr_assert_eq(sk_item_acc_name(acc, 11, "MM1-J-011", 1), 0);
	cr_assert_eq(sk_item_acc_name(acc, 99, "none", 1), SK_ENOTFOUND);
	cr_assert_eq(sk_item_acc_finish(acc, a), 0);
	sk_item_acc_free(acc);
	free(sh);
}

Test(stats, facility_and_item_rest_correlation_by_hand)
{
	struct sk_item_analysis a;
	analyse_matrix(&a);
	cr_assert_eq(a.sheets, 5);
	cr_assert_eq(a.nitems, 4);
	const struct sk_item_stat *i1 = item(&a, 11), *i2 = item(&a, 12), *i4 = item(&a, 14);
	cr_assert_str_eq(i1->item, "MM1-J-011");
	cr_assert_eq(i1->n, 5);
	cr_assert_float_eq(i1->p, 0.8, EPS);
	cr_assert_float_eq(i2->p, 0.6, EPS);
	cr_assert_float_eq(i4->p, 0.6, EPS);
	cr_assert_float_eq(i1->r_rest, sqrt(2.0 / 7.0), EPS);
	cr_assert_float_eq(i4->r_rest, -0.2 / sqrt(0.288), EPS);
	cr_assert(i4->flags & SK_ITEM_NEGATIVE);
	cr_assert_eq(i1->flags, 0, "i1 flags %u", i1->flags);
	sk_item_analysis_release(&a);
}

Test(stats, option_counts_are_canonical_with_blanks)
{
	struct sk_item_analysis a;
	analyse_matrix(&a);
	const struct sk_item_stat *i2 = item(&a, 12), *i3 = item(&a, 13);
	/* i2: A by A, B, E; D by C; D blank */
	cr_assert_eq(i2->options[0], 3);
	cr_assert_eq(i2->options[3], 1);
	cr_assert_eq(i2->options[1] + i2->options[2], 0);
	cr_assert_eq(i2->omit, 1);
	cr_assert_float_eq(i2->omit_rate, 0.2, EPS);
	/* i3: C by B and D */
	cr_assert_eq(i3->options[2], 2);
	/* upper group: E, A, C (3 tied at the boundary) */
	cr_assert_eq(i2->upper_n, 3);
	cr_assert_eq(i2->upper_options[0], 2);
	cr_assert_eq(i2->upper_options[3], 1);
	sk_item_analysis_release(&a);
}

Test(stats, kr20_and_sem_by_hand)
{
	struct sk_item_analysis a;
	analyse_matrix(&a);
	cr_assert_eq(a.nforms, 1);
	const struct sk_form_stat *f = &a.forms[0];
	cr_assert_str_eq(f->form, "MM1-F01");
	cr_assert_eq(f->nitems, 4);
	cr_assert_eq(f->n, 5);
	cr_assert_float_eq(f->mean, 2.6, EPS);
	cr_assert_float_eq(f->sd, sqrt(1.3), EPS);
	cr_assert_float_eq(f->kr20, 8.0 / 39.0, EPS);
	cr_assert_float_eq(f->sem, sqrt(1.3) * sqrt(31.0 / 39.0), EPS);
	/* one form in the sitting: nothing to compare it with */
	cr_assert_eq(a.nequiv, 0);
	sk_item_analysis_release(&a);
}

/* Flags at their boundaries: p = 1 (easy, and no correlation without
 * variance), p = 0 (hard), and a distractor the strong prefer. */
Test(stats, flags_for_review)
{
	struct sk_item_acc *acc = sk_item_acc_new();
	struct sk_sheet *sh = malloc(sizeof(*sh));
	/* items 21 (everyone right), 22 (nobody right: the best choose C,
	 * the others B), 23 (spread to give scores) */
	int64_t ids[] = { 21, 22, 23 };
	for (int c = 0; c < 10; c++) {
		int ans[3] = { 0, c < 5 ? 2 : 1, c < 5 ? 0 : 3 };
		char exam[8];
		snprintf(exam, sizeof(exam), "X%d", c);
		make_sheet(sh, exam, "S1", 1, "F", ids, ans, 3);
		cr_assert_eq(sk_item_acc_add(acc, sh), 0);
	}
	struct sk_item_analysis a;
	cr_assert_eq(sk_item_acc_finish(acc, &a), 0);
	const struct sk_item_stat *easy = item(&a, 21), *hard = item(&a, 22);
	cr_assert(easy->flags & SK_ITEM_EASY);
	cr_assert(isnan(easy->r_rest));
	cr_assert(!(easy->flags & (SK_ITEM_NEGATIVE | SK_ITEM_LOW_DISC)));
	cr_assert(hard->flags & SK_ITEM_HARD);
	cr_assert(hard->flags & SK_ITEM_DISTRACTOR);
	cr_assert_eq(hard->distractor, 2, "the strong chose C");
	cr_assert_eq(hard->upper_n, 5);
	cr_assert_eq(hard->upper_options[2], 5);
	sk_item_analysis_release(&a);
	sk_item_acc_free(acc);
	free(sh);
}

/* An anchor item on two forms is one item over both; each form's KR-20
 * sees its own items. Form equivalence: F1 scores 2, 2, 3, 3 (mean 2.5,
 * s^2 = 1/3), F2 scores 0, 1, 1, 2 (mean 1, s^2 = 2/3): d = 1.5,
 * SE = sqrt(1/12 + 2/12) = 0.5, z = 3; bound for 2 forms z(1 - .05/4). */
Test(stats, anchors_pool_and_forms_are_compared)
{
	struct sk_item_acc *acc = sk_item_acc_new();
	struct sk_sheet *sh = malloc(sizeof(*sh));
	int64_t f1[] = { 100, 31, 32 }, f2[] = { 100, 41, 42 };
	int s1[4][3] = { { 0, 0, 1 }, { 0, 1, 0 }, { 0, 0, 0 }, { 0, 0, 0 } };
	int s2[4][3] = { { 1, 1, 1 }, { 0, 1, 1 }, { 1, 0, 1 }, { 0, 0, 1 } };
	for (int c = 0; c < 4; c++) {
		char exam[8];
		snprintf(exam, sizeof(exam), "P%d", c);
		make_sheet(sh, exam, "S1", 1, "F1", f1, s1[c], 3);
		cr_assert_eq(sk_item_acc_add(acc, sh), 0);
		snprintf(exam, sizeof(exam), "Q%d", c);
		make_sheet(sh, exam, "S1", 2, "F2", f2, s2[c], 3);
		cr_assert_eq(sk_item_acc_add(acc, sh), 0);
	}
	struct sk_item_analysis a;
	cr_assert_eq(sk_item_acc_finish(acc, &a), 0);
	const struct sk_item_stat *anchor = item(&a, 100);
	cr_assert_eq(anchor->n, 8);
	cr_assert_float_eq(anchor->p, 6.0 / 8.0, EPS);
	cr_assert_eq(a.nforms, 2);
	cr_assert_eq(a.nequiv, 2);
	const struct sk_form_equiv *e = !strcmp(a.equiv[0].form, "F1") ? &a.equiv[0] : &a.equiv[1];
	cr_assert_str_eq(e->form, "F1");
	cr_assert_float_eq(e->mean, 2.5, EPS);
	cr_assert_float_eq(e->others_mean, 1.0, EPS);
	cr_assert_float_eq(e->diff, 1.5, EPS);
	cr_assert_float_eq(e->se, 0.5, EPS);
	cr_assert_float_eq(e->z, 3.0, EPS);
	cr_assert_float_eq(e->z_crit, sk_stats_normal_quantile(1 - 0.05 / 4), EPS);
	cr_assert(e->differs);
	sk_item_analysis_release(&a);
	sk_item_acc_free(acc);
	free(sh);
}

Test(stats, normal_tail_and_quantile)
{
	cr_assert_float_eq(sk_stats_normal_upper(0), 0.5, EPS);
	cr_assert_float_eq(sk_stats_normal_upper(1.959963984540054), 0.025, 1e-12);
	cr_assert_float_eq(sk_stats_normal_quantile(0.975), 1.959963984540054, 1e-9);
	cr_assert_float_eq(sk_stats_normal_quantile(1 - 0.0125), 2.241402727604947, 1e-9);
	cr_assert(isnan(sk_stats_normal_quantile(0)));
	cr_assert(isnan(sk_stats_normal_quantile(1)));
}

/* Tails worked out by listing outcomes. */
Test(collusion, poisson_binomial_tail_by_hand)
{
	double half[] = { 0.5, 0.5 }, three[] = { 0.1, 0.2, 0.3 };
	cr_assert_float_eq(sk_poisson_binomial_upper(half, 2, 0), 1.0, EPS);
	cr_assert_float_eq(sk_poisson_binomial_upper(half, 2, 1), 0.75, EPS);
	cr_assert_float_eq(sk_poisson_binomial_upper(half, 2, 2), 0.25, EPS);
	cr_assert_float_eq(sk_poisson_binomial_upper(half, 2, 3), 0.0, EPS);
	/* X >= 2: .1*.2*.7 + .1*.8*.3 + .9*.2*.3 + .1*.2*.3 = .098 */
	cr_assert_float_eq(sk_poisson_binomial_upper(three, 3, 2), 0.098, EPS);
	cr_assert_float_eq(sk_poisson_binomial_upper(three, 3, 3), 0.006, EPS);
}

Test(collusion, identical_answers_tail_by_hand)
{
	/* each item: same right answer .5, same wrong .25, else .25 */
	double q1[] = { 0.5, 0.5 }, q2[] = { 0.25, 0.25 };
	/* both the same, at least one wrong: .75^2 - .5^2 */
	cr_assert_float_eq(sk_identical_tail(q1, q2, 2, 2, 1), 0.3125, EPS);
	/* at least one the same: 1 - .25^2 */
	cr_assert_float_eq(sk_identical_tail(q1, q2, 2, 1, 0), 0.9375, EPS);
	/* both wrong and the same */
	cr_assert_float_eq(sk_identical_tail(q1, q2, 2, 2, 2), 0.0625, EPS);
	cr_assert_float_eq(sk_identical_tail(q1, q2, 2, 0, 0), 1.0, EPS);
	cr_assert_float_eq(sk_identical_tail(q1, q2, 2, 3, 0), 0.0, EPS);
	/* with only one kind it is the Poisson-binomial tail */
	double p[] = { 0.1, 0.2, 0.3 }, zero[] = { 0, 0, 0 };
	cr_assert_float_eq(sk_identical_tail(zero, p, 3, 2, 2), sk_poisson_binomial_upper(p, 3, 2), EPS);
}

/*
 * A room of 8 x 8 candidates, two forms in a checkerboard so neighbours
 * never share one, answers drawn independently with a fixed generator; the
 * candidate at (4, 4) copies every letter of (4, 5), whose paper prints
 * other questions (the other form). The pair is flagged by the letters
 * check; a pair that did not copy is not.
 */
static uint64_t lcg = 12345;
static double unit_rand(void)
{
	lcg = lcg * 6364136223846793005u + 1442695040888963407u;
	return (double)(lcg >> 11) * 0x1.0p-53;
}

Test(collusion, copied_letters_are_found)
{
	struct sk_collusion *c = sk_collusion_new();
	struct sk_sheet *sh = malloc(sizeof(*sh)), *src = malloc(sizeof(*src));
	int64_t forms[2][20];
	for (int f = 0; f < 2; f++)
		for (int i = 0; i < 20; i++)
			forms[f][i] = 1000 + f * 100 + i;
	for (int r = 1; r <= 8; r++)
		for (int col = 1; col <= 8; col++) {
			int f = (r + col) % 2, ans[20];
			double ability = unit_rand();
			for (int i = 0; i < 20; i++)
				ans[i] = unit_rand() < 0.3 + 0.6 * ability ? 0 : 1 + (int)(unit_rand() * 3);
			char exam[16];
			snprintf(exam, sizeof(exam), "E%02d%02d", r, col);
			make_sheet(sh, exam, "S1", f + 1, f ? "F2" : "F1", forms[f], ans, 20);
			sh->seat_row = r;
			sh->seat_col = col;
			if (r == 4 && col == 5)
				*src = *sh;
		}
	/* the same room again, (4, 4) now a copy of (4, 5)'s letters on its
	 * own paper */
	lcg = 12345;
	for (int r = 1; r <= 8; r++)
		for (int col = 1; col <= 8; col++) {
			int f = (r + col) % 2, ans[20];
			double ability = unit_rand();
			for (int i = 0; i < 20; i++)
				ans[i] = unit_rand() < 0.3 + 0.6 * ability ? 0 : 1 + (int)(unit_rand() * 3);
			char exam[16];
			snprintf(exam, sizeof(exam), "E%02d%02d", r, col);
			make_sheet(sh, exam, "S1", f + 1, f ? "F2" : "F1", forms[f], ans, 20);
			sh->seat_row = r;
			sh->seat_col = col;
			if (r == 4 && col == 4) {
				sh->sections[0].points = 0;
				for (int i = 0; i < 20; i++) {
					struct sk_sheet_answer *a = &sh->answers[i];
					a->mark = src->answers[i].mark;
					a->single = a->mark != 0;
					int d = 0;
					while (a->mark && !((a->mark >> d) & 1))
						d++;
					a->canonical = a->mark ? (unsigned char)(1u << a->option_of[d]) : 0;
					a->point = a->single && (a->canonical & a->accepted);
					sh->sections[0].points += a->point;
				}
			}
			cr_assert_eq(sk_collusion_add(c, sh), 0);
		}
	struct sk_collusion_opts o = { .alpha = 0.0001, .min_compared = 5 };
	struct sk_collusion_result res;
	cr_assert_eq(sk_collusion_run(c, &o, &res), 0);
	cr_assert_eq(res.candidates, 64);
	int found = 0;
	for (size_t i = 0; i < res.npairs; i++) {
		const struct sk_collusion_pair *p = &res.pairs[i];
		int planted = !strcmp(p->a.exam_number, "E0404") && !strcmp(p->b.exam_number, "E0405");
		cr_assert(p->flagged);
		if (planted && p->check == SK_CHECK_SAME_LETTERS) {
			found = 1;
			cr_assert(p->neighbours);
			cr_assert_eq(p->observed, 20, "every letter copied");
			cr_assert_str_eq(p->a.seat, "D-04");
		}
	}
	cr_assert(found, "the copied pair was not flagged");
	cr_assert_lt(res.npairs, 3, "%zu pairs flagged in a room of honest candidates and one copier", res.npairs);
	/* options are checked */
	struct sk_collusion_opts bad = { .alpha = 1.5, .min_compared = 5 };
	struct sk_collusion_result none;
	cr_assert_eq(sk_collusion_run(c, &bad, &none), SK_EINVAL);
	sk_collusion_result_release(&res);
	sk_collusion_free(c);
	free(sh);
	free(src);
}
