/*
 * Grading (exam/grade.h): every rule on small hand-computed cases, a
 * property over random papers and answers, and the bulk paper rebuild
 * grading uses (exam/paper.h sk_paper_set) against sk_paper_get.
 *
 * The registry is set up through the C API as the demo does it: the
 * sample MM1 bank with its reviews and blueprints, six forms, a room of
 * candidates, a sitting with a fixed key, papers. Answer sheets are written
 * into `response` as the importer stores them: a candidate's intended
 * answer for each item, in canonical options, is put on the sheet at the
 * printed letters of their own paper.
 */
#include "unit.h"
#include "core/bank.h"
#include "core/candidate.h"
#include "core/crypto.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/testdef.h"
#include "core/venue.h"
#include "exam/checkin.h"
#include "exam/form.h"
#include "exam/grade.h"
#include "exam/paper.h"
#include "exam/response.h"

#include <sodium.h>
#include <sys/stat.h>

#define ASSET(name) SHIKEN_ASSETS "/bank/" name

struct world {
	struct unit_db u;
	int n;
	char exam[32][16];
};

static void must_import(struct sk_db *db, int (*fn)(struct sk_db *, const char *, const struct sk_import_opts *,
						    struct sk_import_stats *, struct sk_report *),
			const char *path)
{
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_import_stats st;
	int rc = fn(db, path, NULL, &st, &rep);
	cr_assert_eq(rc, 0, "importing %s: %s (%zu problems, first: %s %s)", path, sk_db_errmsg(db), rep.count,
		     rep.count ? rep.items[0].fmt : "", rep.count && rep.items[0].args[0] ? rep.items[0].args[0] : "");
	sk_import_stats_release(&st);
	sk_report_release(&rep);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b[n] = 0;
	*len = (size_t)n;
	return b;
}

/* A copy of a sample file with every "MM1" turned into `test`. */
static void copy_renamed(const char *from, const char *to, const char *test)
{
	size_t len;
	char *b = slurp(from, &len);
	for (char *p = b; (p = strstr(p, "MM1")); p += 3)
		memcpy(p, test, 3);
	unit_write_file(to, b, len);
	free(b);
}

/* The MM1 bank again as test MX1, which has a third section graded by
 * examiners: 学科 ○× 65 %, 実技 multiple choice 60 %, 作業 scored 60 %. */
static void add_mixed_test(struct world *w)
{
	struct sk_db *db = w->u.db;
	char *tests = unit_path(w->u.dir, "tests.csv");
	const char csv[] =
		"test,category_ja,category_en,level,section,section_ja,section_en,item_kind,pass_percent,time_limit_min\n"
		"MX1,機械金属加工,Machining,1,gakka,学科,Written,tf,65,30\n"
		"MX1,機械金属加工,Machining,1,jitsugi,実技,Practical,mc,60,40\n"
		"MX1,機械金属加工,Machining,1,sagyo,作業,Hands-on,scored,60,60\n";
	unit_write_file(tests, csv, sizeof(csv) - 1);
	must_import(db, sk_testdef_import, tests);
	char *figs = unit_path(w->u.dir, "figures");
	cr_assert_eq(mkdir(figs, 0700), 0);
	const char *names[] = { "015", "016", "019", "026", "031", "032", "033" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char from[256], to[256];
		snprintf(from, sizeof(from), "%s/figures/MM1-J-%s.png", SHIKEN_ASSETS "/bank", names[i]);
		snprintf(to, sizeof(to), "%s/MX1-J-%s.png", figs, names[i]);
		size_t len;
		char *b = slurp(from, &len);
		unit_write_file(to, b, len);
		free(b);
	}
	char *bank = unit_path(w->u.dir, "MX1.csv"), *rev = unit_path(w->u.dir, "reviews-MX1.csv"),
	     *bp = unit_path(w->u.dir, "blueprints-MX1.csv");
	copy_renamed(ASSET("MM1.csv"), bank, "MX1");
	copy_renamed(ASSET("reviews-MM1.csv"), rev, "MX1");
	copy_renamed(ASSET("blueprints.csv"), bp, "MX1");
	must_import(db, sk_bank_import, bank);
	must_import(db, sk_review_import, rev);
	must_import(db, sk_blueprint_import, bp);
	free(tests);
	free(figs);
	free(bank);
	free(rev);
	free(bp);
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

/* A sitting S1 of `test` in one room of rows x cols, every seat taken. */
static void build_world(struct world *w, const char *test, int rows, int cols)
{
	memset(w, 0, sizeof(*w));
	unit_db_open(&w->u, 1);
	struct sk_db *db = w->u.db;
	must_import(db, sk_bank_import, ASSET("MM1.csv"));
	must_import(db, sk_review_import, ASSET("reviews-MM1.csv"));
	must_import(db, sk_blueprint_import, ASSET("blueprints.csv"));
	if (!strcmp(test, "MX1"))
		add_mixed_test(w);
	struct sk_form_build_opts fo = { .count = 6, .anchors = 5, .seed = 7, .tolerance = 0.25 };
	char **codes = NULL;
	size_t n = 0;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_form_build(db, test, &fo, &codes, &n, &rep), 0, "%s", sk_db_errmsg(db));
	for (size_t i = 0; i < n; i++)
		free(codes[i]);
	free(codes);

	w->n = rows * cols;
	cr_assert_leq(w->n, 32);
	char *csv = unit_path(w->u.dir, "c.csv"), *reg = unit_path(w->u.dir, "r.csv");
	char err[256];
	cr_assert_eq(sk_synth_write_candidates(csv, 5, (size_t)w->n, 2026, NULL, 0, err, sizeof(err)), 0, "%s", err);
	must_import(db, sk_candidate_import, csv);
	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "V");
	snprintf(v->name, sizeof(v->name), "Hall");
	snprintf(v->country, sizeof(v->country), "JP");
	snprintf(v->city, sizeof(v->city), "Tokyo");
	snprintf(v->address, sizeof(v->address), "1-1");
	snprintf(v->rooms[0].code, sizeof(v->rooms[0].code), "A");
	v->rooms[0].rows = rows;
	v->rooms[0].cols = cols;
	v->nrooms = 1;
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
	snprintf(s.tests[0], sizeof(s.tests[0]), "%s", test);
	s.ntests = 1;
	cr_assert_eq(sk_sitting_save(db, &s, "12000", &outcome, &rep), 0, "%s", sk_db_errmsg(db));
	set_sitting_key(db, "S1", 0x3C);
	FILE *f = fopen(reg, "w");
	fprintf(f, "reference,sitting,test\n");
	for (int i = 0; i < w->n; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 5, (size_t)i, 2026);
		fprintf(f, "%s,S1,%s\n", c.reference, test);
	}
	fclose(f);
	must_import(db, sk_register_import, reg);
	struct sk_paper_stats ps;
	cr_assert_eq(sk_paper_build(db, "S1", &ps, &rep), 0, "%s", sk_db_errmsg(db));
	cr_assert_eq(ps.built, (size_t)w->n);
	sk_report_release(&rep);
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(db->sql, "SELECT exam_number FROM registration ORDER BY exam_number", -1, &st,
					NULL), SQLITE_OK);
	for (int i = 0; i < w->n; i++) {
		cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
		snprintf(w->exam[i], sizeof(w->exam[i]), "%s", (const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	free(csv);
	free(reg);
}

/* The key of an item version as a mask of canonical options. */
static unsigned key_of(struct sk_db *db, int64_t version_id)
{
	struct sk_item it;
	cr_assert_eq(sk_item_get_version(db, version_id, 1, &it), 0);
	unsigned m = !strcmp(it.key, "O") ? 1u : !strcmp(it.key, "X") ? 2u : 1u << (it.key[0] - 'A');
	sk_item_release(&it);
	return m;
}

static int noptions_of(const struct sk_paper_item *it)
{
	return !strcmp(it->kind, "mc") ? it->noptions : 2;
}

/* A wrong answer: the canonical option after the key, cyclically. */
static unsigned wrong_of(unsigned key, int n)
{
	int k = 0;
	while (!((key >> k) & 1))
		k++;
	return 1u << ((k + 1) % n);
}

/* A canonical answer (mask of options; 0x80 unclear) as printed on this
 * paper: the printed letters showing those options. */
static unsigned char printed(unsigned canon, const struct sk_paper_item *it)
{
	if (canon & SK_MARK_UNCLEAR)
		return SK_MARK_UNCLEAR;
	unsigned char m = 0;
	for (int d = 0; d < SK_ITEM_MAX_OPTIONS && it->option_of[d] >= 0; d++)
		if ((canon >> it->option_of[d]) & 1)
			m |= (unsigned char)(1u << d);
	return m;
}

/* What a candidate means to answer at printed position pos (0-based) of
 * section s, in canonical options. */
typedef unsigned (*intent_fn)(void *payload, int s, int pos, const struct sk_paper_item *it, unsigned key);

static void put_sheet(struct world *w, const char *exam, const unsigned char *marks, size_t n, const char *code)
{
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(w->u.db->sql,
		"INSERT OR REPLACE INTO response (registration_id, paper_code, marks, source, imported_at)"
		" SELECT id, ?2, ?3, 'unit', '2026-12-20T00:00:00Z' FROM registration WHERE exam_number = ?1",
		-1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, exam, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, marks, (int)n, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	cr_assert_eq(sqlite3_changes(w->u.db->sql), 1);
	sqlite3_finalize(st);
}

static void sheet(struct world *w, const char *exam, intent_fn f, void *payload)
{
	struct sk_paper p;
	cr_assert_eq(sk_paper_get(w->u.db, exam, &p), 0);
	unsigned char marks[SK_MARK_MAX_POSITIONS];
	size_t n = 0;
	for (int s = 0; s < p.nsections; s++)
		for (int i = 0; i < p.sections[s].nitems; i++) {
			const struct sk_paper_item *it = &p.sections[s].items[i];
			marks[n++] = printed(f(payload, s, i, it, key_of(w->u.db, it->item_version_id)), it);
		}
	put_sheet(w, exam, marks, n, p.code);
	sk_paper_release(&p);
}

/* Right on the first right[s] printed questions of section s, wrong after. */
static unsigned first_right(void *payload, int s, int pos, const struct sk_paper_item *it, unsigned key)
{
	const int *right = payload;
	return pos < right[s] ? key : wrong_of(key, noptions_of(it));
}

static void sheet_right(struct world *w, const char *exam, int gakka, int jitsugi)
{
	int right[2] = { gakka, jitsugi };
	sheet(w, exam, first_right, right);
}

static int grade(struct world *w, int flags, struct sk_grade_stats *st, struct sk_report *rep)
{
	return sk_grade_sitting(w->u.db, "S1", flags, NULL, NULL, st, NULL, NULL, rep);
}

static void grade_ok(struct world *w, int flags, struct sk_grade_stats *st)
{
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(grade(w, flags, st, &rep), 0, "%s", sk_db_errmsg(w->u.db));
	cr_assert_eq(rep.count, 0, "grading reported %s %s", rep.count ? rep.items[0].file : "",
		     rep.count ? rep.items[0].fmt : "");
	sk_report_release(&rep);
}

/* The stored result as one line: "pass gakka 13/20 + m0 b0; jitsugi ...". */
static char *stored(struct world *w, const char *exam)
{
	static char out[512];
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(w->u.db->sql,
		"SELECT coalesce((SELECT outcome FROM result WHERE registration_id = r.id), 'none'),"
		" (SELECT group_concat(x, '; ') FROM (SELECT ts.code || ' ' || rs.points || '/' || rs.max_points"
		"   || CASE rs.passed WHEN 1 THEN ' +' ELSE ' -' END || ' m' || rs.multiple || ' b' || rs.blank AS x"
		"   FROM result_section rs JOIN test_section ts ON ts.id = rs.section_id"
		"   WHERE rs.registration_id = r.id ORDER BY ts.position))"
		" FROM registration r WHERE r.exam_number = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, exam, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	const char *sec = (const char *)sqlite3_column_text(st, 1);
	snprintf(out, sizeof(out), "%s%s%s", (const char *)sqlite3_column_text(st, 0), sec ? " " : "", sec ? sec : "");
	sqlite3_finalize(st);
	return out;
}

static void incident(struct world *w, const char *exam, int disqualify)
{
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(w->u.db->sql,
		"INSERT INTO incident (registration_id, kind, disqualify, note, proctor, created_at)"
		" SELECT id, 'cheating', ?2, 'crib sheet', 'P', '2026-12-13T10:00:00Z' FROM registration"
		" WHERE exam_number = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, exam, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, disqualify);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* ---- the rules, case by case ---- */

Test(grade, pass_marks_are_inclusive_and_every_section_must_pass, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 2, 3);
	sheet_right(&w, w.exam[0], 13, 6);  /* exactly 65 % and 60 % */
	sheet_right(&w, w.exam[1], 12, 10); /* 60 % of 学科: fails */
	sheet_right(&w, w.exam[2], 20, 5);  /* 50 % of 実技: fails */
	sheet_right(&w, w.exam[3], 20, 10);
	sheet_right(&w, w.exam[4], 0, 0);
	sheet_right(&w, w.exam[5], 14, 7);
	struct sk_grade_stats st;
	grade_ok(&w, 0, &st);
	cr_assert_str_eq(stored(&w, w.exam[0]), "pass gakka 13/20 + m0 b0; jitsugi 6/10 + m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[1]), "fail gakka 12/20 - m0 b0; jitsugi 10/10 + m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[2]), "fail gakka 20/20 + m0 b0; jitsugi 5/10 - m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[3]), "pass gakka 20/20 + m0 b0; jitsugi 10/10 + m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[4]), "fail gakka 0/20 - m0 b0; jitsugi 0/10 - m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[5]), "pass gakka 14/20 + m0 b0; jitsugi 7/10 + m0 b0");
	cr_assert_eq(st.registrations, 6);
	cr_assert_eq(st.graded, 6);
	cr_assert_eq(st.pass, 3);
	cr_assert_eq(st.fail, 3);
	cr_assert_eq(st.added, 6);
	cr_assert_neq(st.run_id, 0);
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM grading_run"), 1);
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT written FROM grading_run"), 6);
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM audit WHERE entity = 'result' AND action = 'grade'"), 6);
	unit_assert_db_clean(w.u.db->sql);
	unit_db_close(&w.u);
}

Test(grade, absent_when_nothing_came_back, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 2, 2);
	sheet_right(&w, w.exam[1], 15, 8);
	struct sk_grade_stats st;
	struct sk_grade_count counts[4];
	size_t ncounts = 4;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_grade_sitting(w.u.db, "S1", 0, NULL, NULL, &st, counts, &ncounts, &rep), 0);
	cr_assert_eq(rep.count, 0);
	cr_assert_str_eq(stored(&w, w.exam[0]), "absent");
	cr_assert_str_eq(stored(&w, w.exam[1]), "pass gakka 15/20 + m0 b0; jitsugi 8/10 + m0 b0");
	cr_assert_eq(st.absent, 3);
	cr_assert_eq(ncounts, 1);
	cr_assert_str_eq(counts[0].test, "MM1");
	cr_assert_eq(counts[0].candidates, 4);
	cr_assert_eq(counts[0].present, 1);
	cr_assert_eq(counts[0].pass, 1);
	cr_assert_eq(counts[0].absent, 3);
	unit_assert_db_clean(w.u.db->sql);
	unit_db_close(&w.u);
}

Test(grade, disqualified_whatever_was_scored, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 2, 2);
	sheet_right(&w, w.exam[0], 20, 10);
	incident(&w, w.exam[0], 1);
	sheet_right(&w, w.exam[1], 20, 10);
	incident(&w, w.exam[1], 0); /* noted, not disqualifying */
	incident(&w, w.exam[2], 1); /* sent out before the sheets came back */
	struct sk_grade_stats st;
	grade_ok(&w, 0, &st);
	cr_assert_str_eq(stored(&w, w.exam[0]), "disqualified gakka 20/20 + m0 b0; jitsugi 10/10 + m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[1]), "pass gakka 20/20 + m0 b0; jitsugi 10/10 + m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[2]), "disqualified");
	cr_assert_str_eq(stored(&w, w.exam[3]), "absent");
	cr_assert_eq(st.disqualified, 2);
	unit_db_close(&w.u);
}

/* Right everywhere except: several marks on printed 学科 questions 1 and 2,
 * blanks on 3-5, an unclear '*' on 6; 実技 question 1 marked with two
 * letters, one of them the key. */
static unsigned flawed(void *payload, int s, int pos, const struct sk_paper_item *it, unsigned key)
{
	(void)payload;
	unsigned other = wrong_of(key, noptions_of(it));
	if (s == 0 && pos < 2)
		return key | other;
	if (s == 0 && pos < 5)
		return 0;
	if (s == 0 && pos == 5)
		return SK_MARK_UNCLEAR;
	if (s == 1 && pos == 0)
		return key | other;
	return key;
}

Test(grade, several_marks_blanks_and_unclear_marks_score_nothing_and_are_counted, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 1, 2);
	sheet(&w, w.exam[0], flawed, NULL);
	struct sk_grade_stats st;
	grade_ok(&w, 0, &st);
	cr_assert_str_eq(stored(&w, w.exam[0]), "pass gakka 14/20 + m3 b3; jitsugi 9/10 + m1 b0");
	struct sk_grade_detail *d = malloc(sizeof(*d));
	cr_assert_eq(sk_grade_detail(w.u.db, w.exam[0], d), 0, "%s", sk_db_errmsg(w.u.db));
	cr_assert_str_eq(d->grade.outcome, "pass");
	cr_assert_str_eq(d->stored_outcome, "pass");
	cr_assert_eq(d->nlines, 30);
	cr_assert_eq(d->lines[0].number, 1);
	cr_assert_eq(d->lines[0].point, 0);
	cr_assert_eq(d->lines[0].mark, 3, "○ and × both marked");
	cr_assert_eq(d->lines[2].mark, 0);
	cr_assert_eq(d->lines[5].mark, SK_MARK_UNCLEAR);
	cr_assert_eq(d->lines[6].point, 1);
	cr_assert_str_eq(d->lines[20].section, "jitsugi");
	cr_assert_eq(d->lines[20].point, 0);
	cr_assert_eq(d->lines[21].point, 1);
	/* The printed mark maps to the canonical key. */
	cr_assert_eq(d->lines[21].canonical, d->lines[21].accepted);
	cr_assert_eq(d->grade.sections[0].multiple, 3);
	cr_assert_eq(d->grade.sections[0].blank, 3);
	free(d);
	unit_db_close(&w.u);
}

/* The first 実技 item printed on exam[0]'s paper, and what it takes. */
struct target {
	int64_t version_id;
	char item[40];
	unsigned key, other;
	int n;
};

static struct target first_jitsugi(struct world *w, const char *exam)
{
	struct target t;
	struct sk_paper p;
	cr_assert_eq(sk_paper_get(w->u.db, exam, &p), 0);
	const struct sk_paper_item *it = &p.sections[1].items[0];
	t.version_id = it->item_version_id;
	snprintf(t.item, sizeof(t.item), "%s", it->item);
	t.key = key_of(w->u.db, it->item_version_id);
	t.n = noptions_of(it);
	t.other = wrong_of(t.key, t.n);
	sk_paper_release(&p);
	return t;
}

/* 学科 13 right; 実技: the target item answered `answer`, five others right. */
struct one_answer {
	int64_t version_id;
	unsigned answer;
};

static unsigned answer_target(void *payload, int s, int pos, const struct sk_paper_item *it, unsigned key)
{
	const struct one_answer *a = payload;
	if (s == 1 && it->item_version_id == a->version_id)
		return a->answer;
	if (s == 0)
		return pos < 13 ? key : wrong_of(key, noptions_of(it));
	return pos <= 5 ? key : wrong_of(key, noptions_of(it));
}

struct changes {
	int n;
	char why[8][256];
	char before[8][16], after[8][16];
};

static int collect(void *payload, const struct sk_grade_change *c)
{
	struct changes *ch = payload;
	if (ch->n < 8) {
		snprintf(ch->why[ch->n], 256, "%s", c->why);
		snprintf(ch->before[ch->n], 16, "%s", c->before.outcome);
		snprintf(ch->after[ch->n], 16, "%s", c->after.outcome);
	}
	ch->n++;
	return 0;
}

Test(grade, a_key_correction_changes_results_only_when_confirmed, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 1, 2);
	struct target t = first_jitsugi(&w, w.exam[0]);
	/* exam[0] chose another option on the target: 5/10 in 実技, a fail. */
	struct one_answer a = { t.version_id, t.other };
	sheet(&w, w.exam[0], answer_target, &a);
	sheet_right(&w, w.exam[1], 20, 10);
	struct sk_grade_stats st;
	grade_ok(&w, 0, &st);
	cr_assert_str_eq(stored(&w, w.exam[0]), "fail gakka 13/20 + m0 b0; jitsugi 5/10 - m0 b0");

	/* Refused corrections change nothing. */
	int64_t audit = unit_query_int(w.u.db->sql, "SELECT count(*) FROM audit");
	cr_assert_eq(sk_item_rekey(w.u.db, t.item, t.key, "same"), SK_ECONFLICT);
	cr_assert_eq(sk_item_rekey(w.u.db, t.item, 1u << t.n, "no such option"), SK_EINPUT);
	cr_assert_eq(sk_item_rekey(w.u.db, t.item, t.key | t.other, ""), SK_EINPUT);
	cr_assert_eq(sk_item_rekey(w.u.db, "MM1-J-999", 1, "x"), SK_ENOTFOUND);
	cr_assert_eq(sk_item_rekey(w.u.db, "MM1-G-001", 4, "a ○× item has no C"), SK_EINPUT);
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM key_correction"), 0);
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM audit"), audit);

	cr_assert_eq(sk_item_rekey(w.u.db, t.item, t.key | t.other, "both defensible"), 0, "%s", sk_db_errmsg(w.u.db));
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM audit WHERE entity = 'item' AND action = 'rekey'"), 1);
	cr_assert_eq(sk_item_rekey(w.u.db, t.item, t.key | t.other, "again"), SK_ECONFLICT);

	/* Listed, not written. */
	struct changes ch = { 0 };
	struct sk_report rep = SK_REPORT_INIT;
	int64_t runs = unit_query_int(w.u.db->sql, "SELECT count(*) FROM grading_run");
	cr_assert_eq(sk_grade_sitting(w.u.db, "S1", 0, collect, &ch, &st, NULL, NULL, &rep), 0);
	cr_assert_eq(ch.n, 1);
	cr_assert_str_eq(ch.before[0], "fail");
	cr_assert_str_eq(ch.after[0], "pass");
	char why[256];
	snprintf(why, sizeof(why), "jitsugi 5/10 → 6/10 (%s rekeyed)", t.item);
	cr_assert_str_eq(ch.why[0], why);
	cr_assert_eq(st.changed, 1);
	cr_assert_eq(st.flips, 1);
	cr_assert_eq(st.unchanged, 1);
	cr_assert(st.confirm_needed);
	cr_assert_eq(st.run_id, 0);
	cr_assert_str_eq(stored(&w, w.exam[0]), "fail gakka 13/20 + m0 b0; jitsugi 5/10 - m0 b0");
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM grading_run"), runs);
	/* A dry run with --confirm writes nothing either. */
	cr_assert_eq(grade(&w, SK_GRADE_DRY_RUN | SK_GRADE_CONFIRM, &st, &rep), 0);
	cr_assert_str_eq(stored(&w, w.exam[0]), "fail gakka 13/20 + m0 b0; jitsugi 5/10 - m0 b0");
	/* Confirmed: written and audited with its reason. */
	grade_ok(&w, SK_GRADE_CONFIRM, &st);
	cr_assert_eq(st.changed, 1);
	cr_assert(!st.confirm_needed);
	cr_assert_str_eq(stored(&w, w.exam[0]), "pass gakka 13/20 + m0 b0; jitsugi 6/10 + m0 b0");
	char *detail = unit_query_text(w.u.db->sql,
		"SELECT detail FROM audit WHERE entity = 'result' AND action = 'regrade'");
	cr_assert_not_null(detail);
	cr_assert(strstr(detail, "\"old\":{\"outcome\":\"fail\""), "%s", detail);
	cr_assert(strstr(detail, "\"new\":{\"outcome\":\"pass\""), "%s", detail);
	cr_assert(strstr(detail, "rekeyed"), "%s", detail);
	free(detail);
	/* Again: nothing new, no run. */
	runs = unit_query_int(w.u.db->sql, "SELECT count(*) FROM grading_run");
	audit = unit_query_int(w.u.db->sql, "SELECT count(*) FROM audit");
	grade_ok(&w, SK_GRADE_CONFIRM, &st);
	cr_assert_eq(st.unchanged, 2);
	cr_assert_eq(st.run_id, 0);
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM grading_run"), runs);
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM audit"), audit);
	/* The appeal view notes the correction. */
	struct sk_grade_detail *d = malloc(sizeof(*d));
	cr_assert_eq(sk_grade_detail(w.u.db, w.exam[0], d), 0);
	int seen = 0;
	for (size_t i = 0; i < d->nlines; i++)
		if (!strcmp(d->lines[i].item, t.item)) {
			cr_assert(d->lines[i].corrected);
			cr_assert_eq(d->lines[i].accepted, t.key | t.other);
			cr_assert_eq(d->lines[i].canonical, t.other);
			cr_assert_eq(d->lines[i].point, 1);
			seen++;
		}
	cr_assert_eq(seen, 1);
	free(d);
	sk_report_release(&rep);
	unit_assert_db_clean(w.u.db->sql);
	unit_db_close(&w.u);
}

Test(grade, accept_all_scores_any_one_clear_answer, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 1, 2);
	struct target t = first_jitsugi(&w, w.exam[0]);
	struct one_answer wrong = { t.version_id, t.other }, blank = { t.version_id, 0 },
			  both = { t.version_id, t.key | t.other };
	sheet(&w, w.exam[0], answer_target, &wrong);
	struct sk_grade_stats st;
	grade_ok(&w, 0, &st);
	cr_assert_str_eq(stored(&w, w.exam[0]), "fail gakka 13/20 + m0 b0; jitsugi 5/10 - m0 b0");
	cr_assert_eq(sk_item_rekey(w.u.db, t.item, 0, "the figure shows two readings"), 0);
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT accept FROM key_correction"), (1 << t.n) - 1);
	cr_assert_eq(sk_item_rekey(w.u.db, t.item, 0, "again"), SK_ECONFLICT);
	grade_ok(&w, SK_GRADE_CONFIRM, &st);
	cr_assert_eq(st.changed, 1);
	cr_assert_str_eq(stored(&w, w.exam[0]), "pass gakka 13/20 + m0 b0; jitsugi 6/10 + m0 b0");
	/* Still nothing for a blank or for several marks. */
	sheet(&w, w.exam[0], answer_target, &blank);
	grade_ok(&w, SK_GRADE_CONFIRM, &st);
	cr_assert_str_eq(stored(&w, w.exam[0]), "fail gakka 13/20 + m0 b0; jitsugi 5/10 - m0 b1");
	sheet(&w, w.exam[0], answer_target, &both);
	grade_ok(&w, SK_GRADE_CONFIRM, &st);
	cr_assert_str_eq(stored(&w, w.exam[0]), "fail gakka 13/20 + m0 b0; jitsugi 5/10 - m1 b0");
	unit_db_close(&w.u);
}

static void score(struct world *w, const char *exam, int points, int max, const char *examiners)
{
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(w->u.db->sql,
		"INSERT OR REPLACE INTO section_score (registration_id, section_id, points, max_points, examiners, source,"
		" imported_at) SELECT r.id, s.id, ?2, ?3, ?4, 'scores.csv', '2026-12-20T00:00:00Z' FROM registration r"
		" JOIN test_section s ON s.test_id = r.test_id AND s.code = 'sagyo' WHERE r.exam_number = ?1",
		-1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, exam, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, points);
	sqlite3_bind_int(st, 3, max);
	sqlite3_bind_text(st, 4, examiners, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(st), SQLITE_DONE);
	cr_assert_eq(sqlite3_changes(w->u.db->sql), 1);
	sqlite3_finalize(st);
}

Test(grade, examiner_scored_sections, .timeout = 120)
{
	struct world w;
	build_world(&w, "MX1", 2, 3);
	sheet_right(&w, w.exam[0], 13, 6);
	score(&w, w.exam[0], 30, 50, "山田 太郎;佐藤 花子"); /* exactly 60 % */
	sheet_right(&w, w.exam[1], 20, 10);
	score(&w, w.exam[1], 29, 50, "山田 太郎");           /* 58 %: fails */
	sheet_right(&w, w.exam[2], 20, 10);                 /* no score yet */
	score(&w, w.exam[3], 45, 50, "山田 太郎");           /* no sheet */
	/* exam[4]: nothing at all; exam[5]: nothing but a disqualification */
	incident(&w, w.exam[5], 1);
	struct sk_grade_stats st;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(grade(&w, 0, &st, &rep), 0, "%s", sk_db_errmsg(w.u.db));
	cr_assert_str_eq(stored(&w, w.exam[0]), "pass gakka 13/20 + m0 b0; jitsugi 6/10 + m0 b0; sagyo 30/50 + m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[1]), "fail gakka 20/20 + m0 b0; jitsugi 10/10 + m0 b0; sagyo 29/50 - m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[2]), "none");
	cr_assert_str_eq(stored(&w, w.exam[3]), "none");
	cr_assert_str_eq(stored(&w, w.exam[4]), "absent");
	cr_assert_str_eq(stored(&w, w.exam[5]), "disqualified");
	cr_assert_eq(st.incomplete, 2);
	cr_assert_eq(rep.count, 2);
	cr_assert_str_eq(rep.items[0].file, w.exam[2]);
	cr_assert_str_eq(rep.items[0].field, "sagyo");
	cr_assert_str_eq(rep.items[1].file, w.exam[3]);
	cr_assert_str_eq(rep.items[1].field, "gakka");
	sk_report_release(&rep);
	struct sk_grade_detail *d = malloc(sizeof(*d));
	cr_assert_eq(sk_grade_detail(w.u.db, w.exam[0], d), 0);
	cr_assert_eq(d->grade.nsections, 3);
	cr_assert_str_eq(d->grade.sections[2].kind, "scored");
	cr_assert_str_eq(d->examiners[2], "山田 太郎;佐藤 花子");
	cr_assert_eq(d->nlines, 30);
	cr_assert_eq(sk_grade_detail(w.u.db, w.exam[2], d), 0);
	cr_assert_str_eq(d->grade.outcome, "");
	cr_assert(strstr(d->problem, "sagyo"), "%s", d->problem);
	free(d);
	/* A changed score is a change like any other. */
	score(&w, w.exam[1], 31, 50, "山田 太郎");
	struct changes ch = { 0 };
	cr_assert_eq(sk_grade_sitting(w.u.db, "S1", SK_GRADE_CONFIRM, collect, &ch, &st, NULL, NULL, &rep), 0);
	cr_assert_eq(ch.n, 1);
	cr_assert_str_eq(ch.why[0], "sagyo 29/50 → 31/50 (examiners' score changed)");
	cr_assert_str_eq(stored(&w, w.exam[1]), "pass gakka 20/20 + m0 b0; jitsugi 10/10 + m0 b0; sagyo 31/50 + m0 b0");
	sk_report_release(&rep);
	unit_assert_db_clean(w.u.db->sql);
	unit_db_close(&w.u);
}

Test(grade, sheets_of_another_paper_are_reported_and_not_graded, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 2, 2);
	sheet_right(&w, w.exam[0], 20, 10);
	struct sk_grade_stats st;
	grade_ok(&w, 0, &st);
	/* exam[0]'s sheet now carries exam[1]'s paper code; exam[1] a sheet
	 * with a mark past its last question. */
	struct sk_paper p;
	cr_assert_eq(sk_paper_get(w.u.db, w.exam[1], &p), 0);
	unsigned char marks[31] = { 0 };
	marks[30] = 1;
	put_sheet(&w, w.exam[0], marks, 30, p.code);
	put_sheet(&w, w.exam[1], marks, 31, p.code);
	sk_paper_release(&p);
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(grade(&w, SK_GRADE_CONFIRM, &st, &rep), 0);
	cr_assert_eq(st.mismatched, 2);
	cr_assert_eq(st.graded, 2);
	cr_assert_eq(rep.count, 2);
	cr_assert_str_eq(rep.items[0].file, w.exam[0]);
	cr_assert(strstr(rep.items[0].fmt, "not of the candidate's paper"));
	cr_assert(strstr(rep.items[1].fmt, "past the paper's last question"));
	/* The stored results stay as they were. */
	cr_assert_str_eq(stored(&w, w.exam[0]), "pass gakka 20/20 + m0 b0; jitsugi 10/10 + m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[1]), "absent");
	sk_report_release(&rep);
	unit_db_close(&w.u);
}

/* Check-in at the door (exam/checkin.h) and grading agree: absent at the
 * door and nothing back is absent; absent at the door with answers is not
 * graded; in the room with nothing back is graded absent and reported. */
Test(grade, check_in_at_the_door_and_grading_agree, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 2, 2);
	struct sk_db *db = w.u.db;
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_checkin_station door;
	cr_assert_eq(sk_checkin_station_init(&door, db, "S1", "A", NULL, "door-A", "Sato", &rep), 0);
	struct sk_checkin_policy policy = { .admit_unpaid = 1 };
	cr_assert_eq(sk_checkin_policy_set(db, "S1", &policy), 0);
	struct sk_checkin_admission by_sight = { .identity = SK_CHECKIN_BY_SIGHT };
	struct sk_checkin_view v;
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(sk_checkin_admit(&v, db, &door, w.exam[i], &by_sight), 0);
		cr_assert(v.admitted);
	}
	size_t marked;
	cr_assert_eq(sk_checkin_close(&marked, db, &door), 0);
	cr_assert_eq(marked, 2);
	sheet_right(&w, w.exam[0], 20, 10); /* present, answered */
	/* exam[1]: present, no sheet; exam[2]: absent, no sheet; exam[3]:
	 * absent, yet a sheet came back. */
	sheet_right(&w, w.exam[3], 20, 10);
	struct sk_grade_stats st;
	cr_assert_eq(grade(&w, 0, &st, &rep), 0, "%s", sk_db_errmsg(db));
	cr_assert_str_eq(stored(&w, w.exam[0]), "pass gakka 20/20 + m0 b0; jitsugi 10/10 + m0 b0");
	cr_assert_str_eq(stored(&w, w.exam[1]), "absent");
	cr_assert_str_eq(stored(&w, w.exam[2]), "absent");
	cr_assert_str_eq(stored(&w, w.exam[3]), "none");
	cr_assert_eq(st.graded, 3);
	cr_assert_eq(st.absent, 2);
	cr_assert_eq(st.present_no_answers, 1);
	cr_assert_eq(st.mismatched, 1);
	cr_assert_eq(rep.count, 2);
	cr_assert_str_eq(rep.items[0].file, w.exam[1]);
	cr_assert(strstr(rep.items[0].fmt, "checked in at"));
	cr_assert_str_eq(rep.items[0].args[1], "door-A");
	cr_assert_str_eq(rep.items[1].file, w.exam[3]);
	cr_assert(strstr(rep.items[1].fmt, "marked absent at check-in"));
	/* The appeal view says the same. */
	struct sk_grade_detail *d = malloc(sizeof(*d));
	cr_assert_eq(sk_grade_detail(db, w.exam[3], d), 0);
	cr_assert(strstr(d->problem, "marked absent at check-in"), "%s", d->problem);
	free(d);
	sk_report_release(&rep);
	unit_assert_db_clean(db->sql);
	unit_db_close(&w.u);
}

Test(grade, a_late_incident_is_a_change, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 1, 2);
	sheet_right(&w, w.exam[0], 18, 9);
	struct sk_grade_stats st;
	grade_ok(&w, 0, &st);
	incident(&w, w.exam[0], 1);
	struct changes ch = { 0 };
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_grade_sitting(w.u.db, "S1", SK_GRADE_DRY_RUN, collect, &ch, &st, NULL, NULL, &rep), 0);
	cr_assert_eq(ch.n, 1);
	cr_assert_str_eq(ch.why[0], "disqualified (incident: cheating)");
	cr_assert_eq(st.flips, 1);
	cr_assert_str_eq(stored(&w, w.exam[0]), "pass gakka 18/20 + m0 b0; jitsugi 9/10 + m0 b0");
	/* Re-imported marks are a change too. */
	sqlite3_exec(w.u.db->sql, "DELETE FROM incident", NULL, NULL, NULL);
	sheet_right(&w, w.exam[0], 17, 9);
	ch.n = 0;
	cr_assert_eq(sk_grade_sitting(w.u.db, "S1", SK_GRADE_CONFIRM, collect, &ch, &st, NULL, NULL, &rep), 0);
	cr_assert_eq(ch.n, 1);
	cr_assert_str_eq(ch.why[0], "gakka 18/20 → 17/20 (answer sheet changed)");
	cr_assert_str_eq(stored(&w, w.exam[0]), "pass gakka 17/20 + m0 b0; jitsugi 9/10 + m0 b0");
	sk_report_release(&rep);
	unit_db_close(&w.u);
}

/* ---- property: through the paper or straight against the keys ---- */

struct random_sheet {
	uint64_t state;
	int right[8], multiple[8], blank[8];
};

static unsigned rnd(struct random_sheet *r, unsigned n)
{
	r->state = r->state * 6364136223846793005u + 1442695040888963407u;
	return (unsigned)(r->state >> 33) % n;
}

/* A random canonical answer, graded here directly against the key. */
static unsigned random_answer(void *payload, int s, int pos, const struct sk_paper_item *it, unsigned key)
{
	(void)pos;
	struct random_sheet *r = payload;
	int n = noptions_of(it);
	unsigned u = rnd(r, 100), a;
	if (u < 8)
		a = 0;
	else if (u < 14)
		a = SK_MARK_UNCLEAR;
	else if (u < 22)
		a = (1u << rnd(r, (unsigned)n)) | (1u << rnd(r, (unsigned)n)); /* maybe one option twice */
	else
		a = 1u << rnd(r, (unsigned)n);
	if (a == 0)
		r->blank[s]++;
	else if (a == SK_MARK_UNCLEAR || (a & (a - 1)))
		r->multiple[s]++;
	else if (a == key)
		r->right[s]++;
	return a;
}

Test(grade, displayed_marks_through_the_paper_grade_as_canonical_answers, .timeout = 180)
{
	struct world w;
	build_world(&w, "MM1", 4, 6);
	struct random_sheet *r = calloc((size_t)w.n, sizeof(*r));
	int cases = 0;
	for (int round = 0; round < 12; round++) {
		for (int i = 0; i < w.n; i++) {
			memset(&r[i], 0, sizeof(r[i]));
			r[i].state = (uint64_t)(round * 1000 + i) * 0x9E3779B97F4A7C15u + 1;
			sheet(&w, w.exam[i], random_answer, &r[i]);
		}
		struct sk_grade_stats st;
		grade_ok(&w, SK_GRADE_CONFIRM, &st);
		cr_assert_eq(st.graded, (size_t)w.n);
		for (int i = 0; i < w.n; i++) {
			int g = r[i].right[0], j = r[i].right[1];
			char want[256];
			snprintf(want, sizeof(want), "%s gakka %d/20 %c m%d b%d; jitsugi %d/10 %c m%d b%d",
				 g * 100 >= 65 * 20 && j * 100 >= 60 * 10 ? "pass" : "fail", g, g >= 13 ? '+' : '-',
				 r[i].multiple[0], r[i].blank[0], j, j >= 6 ? '+' : '-', r[i].multiple[1], r[i].blank[1]);
			cr_assert_str_eq(stored(&w, w.exam[i]), want, "round %d, %s", round, w.exam[i]);
			cases++;
		}
	}
	cr_assert_eq(cases, 12 * 24);
	free(r);
	unit_assert_db_clean(w.u.db->sql);
	unit_db_close(&w.u);
}

/* ---- the bulk rebuild grading uses ---- */

Test(grade, paper_set_rebuilds_the_papers_sk_paper_get_does, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 4, 5);
	struct sk_paper_set *set = NULL;
	cr_assert_eq(sk_paper_set_new(w.u.db, "S1", &set), 0, "%s", sk_db_errmsg(w.u.db));
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(w.u.db->sql,
		"SELECT r.exam_number, p.form_id FROM registration r JOIN paper p ON p.registration_id = r.id"
		" ORDER BY r.exam_number DESC", -1, &st, NULL), SQLITE_OK);
	int n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *exam = (const char *)sqlite3_column_text(st, 0);
		struct sk_paper a, b;
		cr_assert_eq(sk_paper_get(w.u.db, exam, &a), 0);
		cr_assert_eq(sk_paper_set_get(set, sqlite3_column_int64(st, 1), exam, &b), 0);
		cr_assert_str_eq(a.exam_number, b.exam_number);
		cr_assert_str_eq(a.sitting, b.sitting);
		cr_assert_str_eq(a.test, b.test);
		cr_assert_str_eq(a.form, b.form);
		cr_assert_eq(a.form_number, b.form_number);
		cr_assert_str_eq(a.code, b.code);
		cr_assert_eq(memcmp(a.digest, b.digest, 32), 0, "%s: digests differ", exam);
		cr_assert_eq(a.nsections, b.nsections);
		for (int s = 0; s < a.nsections; s++) {
			const struct sk_paper_section *x = &a.sections[s], *y = &b.sections[s];
			cr_assert_str_eq(x->code, y->code);
			cr_assert_str_eq(x->name_ja, y->name_ja);
			cr_assert_str_eq(x->name_en, y->name_en);
			cr_assert_str_eq(x->kind, y->kind);
			cr_assert_eq(x->nitems, y->nitems);
			for (int i = 0; i < x->nitems; i++) {
				cr_assert_eq(x->items[i].item_version_id, y->items[i].item_version_id);
				cr_assert_str_eq(x->items[i].item, y->items[i].item);
				cr_assert_eq(x->items[i].version, y->items[i].version);
				cr_assert_str_eq(x->items[i].kind, y->items[i].kind);
				cr_assert_eq(x->items[i].noptions, y->items[i].noptions);
				cr_assert_eq(memcmp(x->items[i].option_of, y->items[i].option_of, sizeof(x->items[i].option_of)), 0);
			}
		}
		/* And both are what was printed. */
		cr_assert_eq(sk_paper_verify(w.u.db, exam), 0);
		sk_paper_release(&a);
		sk_paper_release(&b);
		n++;
	}
	sqlite3_finalize(st);
	cr_assert_eq(n, 20);
	struct sk_paper none;
	cr_assert_eq(sk_paper_set_get(set, 999999, w.exam[0], &none), SK_ENOTFOUND);
	sk_paper_set_free(set);
	sk_paper_set_free(NULL);
	struct sk_paper_set *missing = (struct sk_paper_set *)1;
	cr_assert_eq(sk_paper_set_new(w.u.db, "NOPE", &missing), SK_ENOTFOUND);
	cr_assert_null(missing);
	unit_db_close(&w.u);
}

struct listed {
	int n;
	char line[4][128];
};

static int list_row(void *payload, const struct sk_result_row *row)
{
	struct listed *l = payload;
	if (l->n < 4) {
		int k = snprintf(l->line[l->n], 128, "%s", row->outcome);
		for (int i = 0; i < row->nsections && k < 128; i++)
			k += snprintf(l->line[l->n] + k, 128 - (size_t)k, " %s %d/%d", row->sections[i].code,
				      row->sections[i].points, row->sections[i].max_points);
	}
	l->n++;
	return 0;
}

Test(grade, results_are_listed, .timeout = 60)
{
	struct world w;
	build_world(&w, "MM1", 1, 3);
	sheet_right(&w, w.exam[0], 13, 6);
	sheet_right(&w, w.exam[1], 10, 6);
	struct sk_grade_stats st;
	grade_ok(&w, SK_GRADE_DRY_RUN, &st);
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM result"), 0, "a dry run writes nothing");
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM grading_run"), 0);
	grade_ok(&w, 0, &st);
	struct listed l = { 0 };
	struct sk_result_filter f = { .sitting = "S1" };
	cr_assert_eq(sk_result_foreach(w.u.db, &f, list_row, &l), 0);
	cr_assert_eq(l.n, 3);
	cr_assert_str_eq(l.line[0], "pass gakka 13/20 jitsugi 6/10");
	cr_assert_str_eq(l.line[1], "fail gakka 10/20 jitsugi 6/10");
	cr_assert_str_eq(l.line[2], "absent");
	l.n = 0;
	f.outcome = "fail";
	cr_assert_eq(sk_result_foreach(w.u.db, &f, list_row, &l), 0);
	cr_assert_eq(l.n, 1);
	f.sitting = "NOPE";
	cr_assert_eq(sk_result_foreach(w.u.db, &f, list_row, &l), SK_ENOTFOUND);
	unit_db_close(&w.u);
}
