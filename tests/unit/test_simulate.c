/*
 * Simulated answer sheets: what comes out is graded here directly from the
 * keys, through each candidate's own paper, independently of exam/grade.c.
 * With the sample banks about two thirds of the candidates pass each 1号
 * test; blanks, double marks and absences come at their documented rates;
 * abler candidates score more; a wrong answer falls on the item's plausible
 * distractor more often than on the others; and the same seed gives the
 * same bytes. The sitting key is fixed, so every figure is the same on
 * every run.
 */
#include "unit.h"
#include "core/bank.h"
#include "core/buf.h"
#include "core/candidate.h"
#include "core/crypto.h"
#include "core/csv.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/testdef.h"
#include "core/venue.h"
#include "exam/form.h"
#include "exam/paper.h"
#include "exam/response.h"
#include "exam/simulate.h"

#include <math.h>
#include <sodium.h>

#define ASSET(name) SHIKEN_ASSETS "/bank/" name
#define ROOMS 30 /* of 8x10: 2,400 candidates, 800 per test */
static const char *const tests[] = { "MM1", "EE1", "ST1" };
#define NTESTS 3

static struct unit_db u;
static size_t nregs;

static void must_import(struct sk_db *db, int (*fn)(struct sk_db *, const char *, const struct sk_import_opts *,
						    struct sk_import_stats *, struct sk_report *),
			const char *path)
{
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_import_stats st;
	int rc = fn(db, path, NULL, &st, &rep);
	cr_assert_eq(rc, 0, "importing %s: %s (%zu problems, first: %s)", path, sk_db_errmsg(db), rep.count,
		     rep.count ? rep.items[0].fmt : "");
	sk_import_stats_release(&st);
	sk_report_release(&rep);
}

static void set_sitting_key(struct sk_db *db, const char *code, unsigned char fill)
{
	unsigned char key[32];
	memset(key, fill, sizeof(key));
	char ctx[64];
	snprintf(ctx, sizeof(ctx), "sitting:%s", code);
	unsigned char *sealed = NULL;
	size_t len = 0;
	cr_assert_eq(sk_seal(db, &sealed, &len, key, sizeof(key), ctx), 0);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(db->sql, "UPDATE sitting SET key_enc = ?1 WHERE code = ?2", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, sealed, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(sealed);
}

/* The sample banks of three 1号 tests, six forms each, and a sitting whose
 * seats are all taken, the tests in turn. */
static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
	unit_db_open(&u, 1);
	struct sk_db *db = u.db;
	struct sk_report rep = SK_REPORT_INIT;
	for (int t = 0; t < NTESTS; t++) {
		char bank[256], reviews[256];
		snprintf(bank, sizeof(bank), ASSET("%s.csv"), tests[t]);
		snprintf(reviews, sizeof(reviews), ASSET("reviews-%s.csv"), tests[t]);
		must_import(db, sk_bank_import, bank);
		must_import(db, sk_review_import, reviews);
	}
	must_import(db, sk_blueprint_import, ASSET("blueprints.csv"));
	for (int t = 0; t < NTESTS; t++) {
		/* as the demo builds them: six MM1 forms with five anchors, four of the others */
		struct sk_form_build_opts fo = { .count = t ? 4 : 6, .anchors = t ? 0 : 5, .seed = 7, .tolerance = 0.25 };
		char **codes = NULL;
		size_t n = 0;
		cr_assert_eq(sk_form_build(db, tests[t], &fo, &codes, &n, &rep), 0, "%s", sk_db_errmsg(db));
		for (size_t i = 0; i < n; i++)
			free(codes[i]);
		free(codes);
	}
	nregs = ROOMS * 80;
	char *csv = unit_path(u.dir, "c.csv"), *reg = unit_path(u.dir, "r.csv");
	char err[256];
	cr_assert_eq(sk_synth_write_candidates(csv, 5, nregs, 2026, NULL, 0, err, sizeof(err)), 0, "%s", err);
	must_import(db, sk_candidate_import, csv);
	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "V");
	snprintf(v->name, sizeof(v->name), "Hall");
	snprintf(v->country, sizeof(v->country), "JP");
	snprintf(v->city, sizeof(v->city), "Tokyo");
	snprintf(v->address, sizeof(v->address), "1-1");
	for (int r = 0; r < ROOMS; r++) {
		snprintf(v->rooms[r].code, sizeof(v->rooms[r].code), "R%02d", r);
		v->rooms[r].rows = 8;
		v->rooms[r].cols = 10;
	}
	v->nrooms = ROOMS;
	int outcome;
	cr_assert_eq(sk_venue_save(db, v, &outcome, &rep), 0);
	free(v);
	struct sk_sitting s;
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "S1");
	snprintf(s.exam_date, sizeof(s.exam_date), "2026-12-13");
	snprintf(s.start_time, sizeof(s.start_time), "09:30");
	snprintf(s.venue, sizeof(s.venue), "V");
	snprintf(s.fee_currency, sizeof(s.fee_currency), "JPY");
	for (int t = 0; t < NTESTS; t++)
		snprintf(s.tests[t], sizeof(s.tests[t]), "%s", tests[t]);
	s.ntests = NTESTS;
	cr_assert_eq(sk_sitting_save(db, &s, "12000", &outcome, &rep), 0);
	set_sitting_key(db, "S1", 0x5A);
	FILE *f = fopen(reg, "w");
	fprintf(f, "reference,sitting,test\n");
	for (size_t i = 0; i < nregs; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 5, i, 2026);
		fprintf(f, "%s,S1,%s\n", c.reference, tests[i % NTESTS]);
	}
	fclose(f);
	must_import(db, sk_register_import, reg);
	struct sk_paper_stats ps;
	cr_assert_eq(sk_paper_build(db, "S1", &ps, &rep), 0, "%s", sk_db_errmsg(db));
	cr_assert_eq(ps.built, nregs);
	sk_report_release(&rep);
	free(csv);
	free(reg);
}

static void teardown(void)
{
	unit_db_close(&u);
}

TestSuite(simulate, .init = setup, .fini = teardown, .timeout = 300);

static void simulate(struct sk_buf *out, uint64_t seed, double absent, struct sk_simulate_stats *st)
{
	struct sk_simulate_opts o = { .seed = seed, .absent_percent = absent };
	cr_assert_eq(sk_simulate_responses(u.db, "S1", &o, out, st), 0, "%s", sk_db_errmsg(u.db));
}

/* Keys by item version, looked up the way a grader would. */
struct key_cache {
	int64_t id[1024];
	int key[1024];
	size_t n;
};

static int key_of(struct key_cache *kc, int64_t version_id)
{
	for (size_t i = 0; i < kc->n; i++)
		if (kc->id[i] == version_id)
			return kc->key[i];
	struct sk_item it;
	cr_assert_eq(sk_item_get_version(u.db, version_id, 1, &it), 0);
	int key = !strcmp(it.kind, "tf") ? (it.key[0] == 'X') : it.key[0] - 'A';
	sk_item_release(&it);
	cr_assert_lt(kc->n, 1024);
	kc->id[kc->n] = version_id;
	kc->key[kc->n++] = key;
	return key;
}

struct tally {
	size_t sheets[NTESTS], passed[NTESTS];
	size_t positions, blank, several;
	/* mean score of the abler and the less able half */
	double score_hi, score_lo;
	size_t n_hi, n_lo;
	/* wrong multiple-choice answers: on the most chosen distractor of
	 * each item, and in all */
	size_t wrong_top, wrong_all;
};

struct wrong_count {
	int64_t version_id;
	size_t by_option[SK_ITEM_MAX_OPTIONS];
};

/* Grade the simulated sheets from the keys. */
static void grade(const struct sk_buf *csv, uint64_t seed, struct tally *t)
{
	memset(t, 0, sizeof(*t));
	struct sk_csv_doc doc;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_csv_parse(&doc, "sim.csv", csv->buf, csv->len, NULL, &rep), 0);
	static struct key_cache kc;
	static struct wrong_count wrong[1024];
	size_t nwrong = 0;
	kc.n = 0;
	for (size_t r = 1; r < doc.count; r++) {
		const struct sk_csv_record *rec = &doc.records[r];
		struct sk_paper p;
		cr_assert_eq(sk_paper_get(u.db, rec->fields[0], &p), 0);
		cr_assert_str_eq(rec->fields[1], p.code, "the sheet carries the paper code");
		int ti = 0;
		while (ti < NTESTS && strcmp(tests[ti], p.test))
			ti++;
		cr_assert_lt(ti, NTESTS);
		struct sk_testdef td;
		cr_assert_eq(sk_testdef_get(u.db, p.test, &td), 0);
		int pass = 1, points_all = 0, max_all = 0;
		size_t k = 2;
		for (int s = 0; s < p.nsections; s++) {
			const struct sk_paper_section *sec = &p.sections[s];
			int points = 0;
			for (int i = 0; i < sec->nitems; i++, k++) {
				const struct sk_paper_item *pi = &sec->items[i];
				int tf = strcmp(pi->kind, "mc") != 0;
				unsigned char mark;
				const char *why;
				cr_assert_lt(k, rec->nfields);
				cr_assert_eq(sk_mark_parse(rec->fields[k], tf, tf ? 2 : pi->noptions, &mark, &why), 0,
					     "%s question %zu: '%s'", p.exam_number, k - 1, rec->fields[k]);
				t->positions++;
				if (!mark) {
					t->blank++;
					continue;
				}
				if (mark & (mark - 1)) {
					t->several++;
					continue;
				}
				int shown = __builtin_ctz(mark);
				int canonical = tf ? shown : pi->option_of[shown];
				int key = key_of(&kc, pi->item_version_id);
				if (canonical == key) {
					points++;
				} else if (!tf) {
					size_t w = 0;
					while (w < nwrong && wrong[w].version_id != pi->item_version_id)
						w++;
					if (w == nwrong) {
						cr_assert_lt(nwrong, 1024);
						memset(&wrong[w], 0, sizeof(wrong[w]));
						wrong[w].version_id = pi->item_version_id;
						nwrong++;
					}
					wrong[w].by_option[canonical]++;
				}
			}
			const struct sk_section *def = NULL;
			for (size_t d = 0; d < td.nsections; d++)
				if (!strcmp(td.sections[d].code, sec->code))
					def = &td.sections[d];
			cr_assert_not_null(def);
			if (points * 100 < def->pass_percent * sec->nitems)
				pass = 0;
			points_all += points;
			max_all += sec->nitems;
		}
		for (; k < rec->nfields; k++)
			cr_assert_str_eq(rec->fields[k], "", "nothing past the paper's end");
		t->sheets[ti]++;
		t->passed[ti] += (size_t)pass;
		double score = (double)points_all / max_all;
		if (sk_simulate_ability(seed, p.exam_number) > 0) {
			t->score_hi += score;
			t->n_hi++;
		} else {
			t->score_lo += score;
			t->n_lo++;
		}
		sk_paper_release(&p);
	}
	for (size_t w = 0; w < nwrong; w++) {
		size_t top = 0;
		for (int o = 0; o < SK_ITEM_MAX_OPTIONS; o++) {
			t->wrong_all += wrong[w].by_option[o];
			if (wrong[w].by_option[o] > top)
				top = wrong[w].by_option[o];
		}
		t->wrong_top += top;
	}
	sk_csv_release(&doc);
	sk_report_release(&rep);
}

Test(simulate, about_two_thirds_pass_each_test)
{
	struct sk_buf csv = SK_BUF_INIT;
	struct sk_simulate_stats st;
	simulate(&csv, 2026, 3.0, &st);
	struct tally t;
	grade(&csv, 2026, &t);
	for (int i = 0; i < NTESTS; i++) {
		double rate = (double)t.passed[i] / (double)t.sheets[i];
		cr_log_info("%s: %zu of %zu pass (%.1f %%)", tests[i], t.passed[i], t.sheets[i], 100 * rate);
		cr_expect(rate >= 0.60 && rate <= 0.75, "%s: %.1f %% pass; 60-75 %% expected", tests[i], 100 * rate);
	}
	sk_buf_release(&csv);
}

Test(simulate, blanks_double_marks_and_absences_at_their_rates)
{
	struct sk_buf csv = SK_BUF_INIT;
	struct sk_simulate_stats st;
	simulate(&csv, 2026, 3.0, &st);
	cr_assert_eq(st.registrations, nregs);
	cr_assert_eq(st.sheets + st.absent, nregs);
	cr_assert_eq(st.positions, 30);
	double absent = (double)st.absent / (double)nregs;
	cr_expect(absent > 0.02 && absent < 0.04, "absent %.2f %%, about 3 %% expected", 100 * absent);
	struct tally t;
	grade(&csv, 2026, &t);
	double blank = (double)t.blank / (double)t.positions, several = (double)t.several / (double)t.positions;
	cr_expect(blank > 0.008 && blank < 0.012, "blank %.2f %%, about 1 %% expected", 100 * blank);
	cr_expect(several > 0.002 && several < 0.004, "double marks %.2f %%, about 0.3 %% expected", 100 * several);
	sk_buf_release(&csv);

	/* --absent 0 and 100 */
	struct sk_buf all = SK_BUF_INIT, none = SK_BUF_INIT;
	simulate(&all, 2026, 0, &st);
	cr_assert_eq(st.sheets, nregs);
	simulate(&none, 2026, 100, &st);
	cr_assert_eq(st.sheets, 0);
	cr_assert_eq(st.absent, nregs);
	cr_assert_str_eq(none.buf, "exam_number,paper_code,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,"
				   "21,22,23,24,25,26,27,28,29,30\n");
	sk_buf_release(&all);
	sk_buf_release(&none);
}

Test(simulate, abler_candidates_score_more)
{
	struct sk_buf csv = SK_BUF_INIT;
	struct sk_simulate_stats st;
	simulate(&csv, 7, 0, &st);
	struct tally t;
	grade(&csv, 7, &t);
	double hi = t.score_hi / (double)t.n_hi, lo = t.score_lo / (double)t.n_lo;
	cr_log_info("mean score: %.1f %% above average ability, %.1f %% below", 100 * hi, 100 * lo);
	cr_expect(hi > lo + 0.10, "abler half %.3f, others %.3f", hi, lo);
	/* abilities look like N(0, 1) */
	double sum = 0, sq = 0;
	for (size_t i = 0; i < 10000; i++) {
		char examno[16];
		snprintf(examno, sizeof(examno), "0001-%05zu-0", i);
		double th = sk_simulate_ability(7, examno);
		sum += th;
		sq += th * th;
	}
	double mean = sum / 10000, sd = sqrt(sq / 10000 - mean * mean);
	cr_expect(fabs(mean) < 0.05 && fabs(sd - 1) < 0.05, "theta mean %.3f sd %.3f", mean, sd);
	sk_buf_release(&csv);
}

Test(simulate, wrong_answers_favour_a_plausible_distractor)
{
	struct sk_buf csv = SK_BUF_INIT;
	struct sk_simulate_stats st;
	simulate(&csv, 3, 0, &st);
	struct tally t;
	grade(&csv, 3, &t);
	/* 3 : 1 : 1 over three distractors puts 60 % on the plausible one;
	 * uniform would be a third. */
	double share = (double)t.wrong_top / (double)t.wrong_all;
	cr_log_info("wrong answers on the plausible distractor: %.1f %%", 100 * share);
	cr_expect(share > 0.5 && share < 0.7, "%.3f of wrong answers on the top distractor", share);
	sk_buf_release(&csv);
}

/* Check-in decides who hands in a sheet: everyone admitted at the door,
 * nobody it marked absent, whatever --absent says; the rest by chance. */
Test(simulate, the_door_decides_who_hands_in_a_sheet)
{
	unit_exec(u.db->sql,
		  "INSERT INTO checkin (registration_id, status, at, station, proctor, source, identity)"
		  " SELECT id, iif(exam_number LIKE '%0', 'absent', 'present'), '2026-12-13T09:00:00Z', 'door', 'P',"
		  "  iif(exam_number LIKE '%0', NULL, 'typed'), iif(exam_number LIKE '%0', NULL, 'sight')"
		  " FROM registration WHERE id % 3 = 0");
	int64_t present = unit_query_int(u.db->sql, "SELECT count(*) FROM checkin WHERE status = 'present'");
	int64_t gone = unit_query_int(u.db->sql, "SELECT count(*) FROM checkin WHERE status = 'absent'");
	cr_assert(present > 0 && gone > 0, "the fixture needs both");
	struct sk_buf all = SK_BUF_INIT, none = SK_BUF_INIT;
	struct sk_simulate_stats st;
	simulate(&all, 7, 0, &st);
	cr_assert_eq(st.absent, (size_t)gone, "only those marked absent are absent with --absent 0");
	simulate(&none, 7, 100, &st);
	cr_assert_eq(st.sheets, (size_t)present, "those checked in hand in a sheet even with --absent 100");
	sk_buf_release(&all);
	sk_buf_release(&none);
}

Test(simulate, the_same_seed_gives_the_same_sheets)
{
	struct sk_buf a = SK_BUF_INIT, b = SK_BUF_INIT, c = SK_BUF_INIT;
	struct sk_simulate_stats st;
	simulate(&a, 42, 3, &st);
	simulate(&b, 42, 3, &st);
	simulate(&c, 43, 3, &st);
	cr_assert_eq(a.len, b.len);
	cr_assert_eq(memcmp(a.buf, b.buf, a.len), 0);
	cr_assert(a.len != c.len || memcmp(a.buf, c.buf, a.len), "another seed, other sheets");
	/* An absence changes nobody else's answers. */
	struct sk_buf d = SK_BUF_INIT;
	simulate(&d, 42, 0, &st);
	const char *line = strchr(a.buf, '\n') + 1;
	while (*line) {
		const char *end = strchr(line, '\n');
		char *copy = strndup(line, (size_t)(end - line + 1));
		cr_assert(strstr(d.buf, copy), "a sheet changed when others were absent");
		free(copy);
		line = end + 1;
	}
	sk_buf_release(&a);
	sk_buf_release(&b);
	sk_buf_release(&c);
	sk_buf_release(&d);
}

Test(simulate, refuses_a_sitting_without_papers)
{
	struct sk_buf out = SK_BUF_INIT;
	struct sk_simulate_stats st;
	struct sk_simulate_opts o = { .seed = 1, .absent_percent = 3 };
	cr_assert_eq(sk_simulate_responses(u.db, "NOPE", &o, &out, &st), SK_ENOTFOUND);
	sk_buf_release(&out);
}
