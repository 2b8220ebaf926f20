/*
 * Papers: statistical and structural properties, not just examples.
 * The sample MM1 bank is imported, six forms built, candidates registered
 * into full rooms, papers built. The sitting key is fixed in the test, so
 * the statistics are the same on every run (no flaky chi-square).
 */
#include "unit.h"
#include "core/bank.h"
#include "core/candidate.h"
#include "core/crypto.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/venue.h"
#include "exam/form.h"
#include "exam/paper.h"

#include <math.h>
#include <sodium.h>

#define ASSET(name) SHIKEN_ASSETS "/bank/" name

struct world {
	struct unit_db u;
	int nregs;
};

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

/* A sitting of `rooms` rooms of 8x10, every seat taken by an MM1 candidate. */
static void build_world(struct world *w, int rooms)
{
	struct sk_db *db;
	unit_db_open(&w->u, 1);
	db = w->u.db;
	must_import(db, sk_bank_import, ASSET("MM1.csv"));
	must_import(db, sk_review_import, ASSET("reviews-MM1.csv"));
	must_import(db, sk_blueprint_import, ASSET("blueprints.csv"));
	struct sk_form_build_opts fo = { .count = 6, .anchors = 5, .seed = 7, .tolerance = 0.25 };
	char **codes = NULL;
	size_t n = 0;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_form_build(db, "MM1", &fo, &codes, &n, &rep), 0, "%s", sk_db_errmsg(db));
	for (size_t i = 0; i < n; i++)
		free(codes[i]);
	free(codes);

	w->nregs = rooms * 80;
	char *csv = unit_path(w->u.dir, "c.csv"), *reg = unit_path(w->u.dir, "r.csv");
	char err[256];
	cr_assert_eq(sk_synth_write_candidates(csv, 5, (size_t)w->nregs, 2026, NULL, 0, err, sizeof(err)), 0, "%s", err);
	must_import(db, sk_candidate_import, csv);

	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "V");
	snprintf(v->name, sizeof(v->name), "Hall");
	snprintf(v->country, sizeof(v->country), "JP");
	snprintf(v->city, sizeof(v->city), "Tokyo");
	snprintf(v->address, sizeof(v->address), "1-1");
	for (int r = 0; r < rooms; r++) {
		snprintf(v->rooms[r].code, sizeof(v->rooms[r].code), "R%02d", r);
		v->rooms[r].rows = 8;
		v->rooms[r].cols = 10;
	}
	v->nrooms = (size_t)rooms;
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
	snprintf(s.tests[0], sizeof(s.tests[0]), "MM1");
	s.ntests = 1;
	cr_assert_eq(sk_sitting_save(db, &s, "12000", &outcome, &rep), 0);
	set_sitting_key(db, "S1", 0x5A);

	FILE *f = fopen(reg, "w");
	fprintf(f, "reference,sitting,test\n");
	for (int i = 0; i < w->nregs; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 5, (size_t)i, 2026);
		fprintf(f, "%s,S1,MM1\n", c.reference);
	}
	fclose(f);
	must_import(db, sk_register_import, reg);
	struct sk_paper_stats ps;
	cr_assert_eq(sk_paper_build(db, "S1", &ps, &rep), 0, "%s", sk_db_errmsg(db));
	cr_assert_eq(ps.built, (size_t)w->nregs);
	sk_report_release(&rep);
	free(csv);
	free(reg);
}

Test(paper, neighbours_never_share_a_form_and_forms_spread_evenly)
{
	struct world w;
	build_world(&w, 3);
	sqlite3 *sql = w.u.db->sql;
	/* Every pair of seats that can see each other: same room, adjacent in
	 * any of eight directions. */
	cr_assert_eq(unit_query_int(sql,
		"SELECT count(*) FROM registration a JOIN registration b ON a.room_id = b.room_id AND a.id < b.id"
		" AND abs(a.seat_row - b.seat_row) <= 1 AND abs(a.seat_col - b.seat_col) <= 1"
		" JOIN paper pa ON pa.registration_id = a.id JOIN paper pb ON pb.registration_id = b.id"
		" WHERE pa.form_id = pb.form_id"), 0, "neighbours share a form");
	cr_assert_gt(unit_query_int(sql,
		"SELECT count(*) FROM registration a JOIN registration b ON a.room_id = b.room_id AND a.id < b.id"
		" AND abs(a.seat_row - b.seat_row) <= 1 AND abs(a.seat_col - b.seat_col) <= 1"), 500,
		"the rooms are full: many neighbour pairs were checked");
	/* Each room uses all six forms, each 13 or 14 times of its 80 seats. */
	cr_assert_eq(unit_query_int(sql,
		"SELECT count(*) FROM (SELECT r.room_id, count(DISTINCT p.form_id) AS k FROM registration r"
		" JOIN paper p ON p.registration_id = r.id GROUP BY r.room_id) WHERE k <> 6"), 0);
	cr_assert_eq(unit_query_int(sql,
		"SELECT max(n) - min(n) FROM (SELECT r.room_id, p.form_id, count(*) AS n FROM registration r"
		" JOIN paper p ON p.registration_id = r.id GROUP BY 1, 2)") <= 1, 1, "forms are not spread evenly");
	/* The forms used are locked and tied to the sitting. */
	cr_assert_eq(unit_query_int(sql, "SELECT count(*) FROM form WHERE status = 'locked'"), 6);
	unit_assert_db_clean(sql);
	unit_db_close(&w.u);
}

struct check_all {
	struct sk_db *db;
	int papers;
};

static int check_paper(void *payload, const struct sk_registration *r)
{
	struct check_all *c = payload;
	struct sk_paper p1, p2;
	cr_assert_eq(sk_paper_get(c->db, r->exam_number, &p1), 0);
	cr_assert_eq(sk_paper_get(c->db, r->exam_number, &p2), 0);
	cr_assert_eq(memcmp(p1.digest, p2.digest, 32), 0, "two rebuilds differ");
	cr_assert_str_eq(p1.code, p2.code);
	cr_assert_eq(sk_paper_verify(c->db, r->exam_number), 0, "%s", sk_db_errmsg(c->db));
	/* The paper code names the form and passes its check digit. */
	char canon[16];
	cr_assert_eq(sk_paper_code_parse(canon, p1.code), 0);
	char prefix[4];
	snprintf(prefix, sizeof(prefix), "%02d-", p1.form_number);
	cr_assert_eq(strncmp(p1.code, prefix, 3), 0);
	/* Each section holds its form's items, each once; options are a
	 * permutation; ○× stays ○ then ×; fixed-order items keep their order. */
	for (int s = 0; s < p1.nsections; s++) {
		const struct sk_paper_section *sec = &p1.sections[s];
		for (int i = 0; i < sec->nitems; i++) {
			const struct sk_paper_item *it = &sec->items[i];
			for (int k = i + 1; k < sec->nitems; k++)
				cr_assert_neq(it->item_version_id, sec->items[k].item_version_id);
			int n = !strcmp(it->kind, "mc") ? it->noptions : 2, seen = 0;
			for (int d = 0; d < n; d++) {
				cr_assert(it->option_of[d] >= 0 && it->option_of[d] < n);
				seen |= 1 << it->option_of[d];
			}
			cr_assert_eq(seen, (1 << n) - 1, "options are not a permutation");
			if (!strcmp(it->kind, "tf"))
				cr_assert(it->option_of[0] == 0 && it->option_of[1] == 1, "○× must stay ○ then ×");
			struct sk_item item;
			cr_assert_eq(sk_item_get_version(c->db, it->item_version_id, 0, &item), 0);
			if (item.fixed_order)
				for (int d = 0; d < n; d++)
					cr_assert_eq(it->option_of[d], d, "%s keeps its order", item.code);
			sk_item_release(&item);
		}
	}
	sk_paper_release(&p1);
	sk_paper_release(&p2);
	c->papers++;
	return 0;
}

Test(paper, rebuilt_papers_are_the_same_and_well_formed)
{
	struct world w;
	build_world(&w, 1);
	struct check_all c = { .db = w.u.db };
	struct sk_registration_filter f = { .sitting = "S1" };
	cr_assert_eq(sk_registration_foreach(w.u.db, &f, check_paper, &c), 0);
	cr_assert_eq(c.papers, 80);
	/* Building again changes nothing. */
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_paper_stats ps;
	int64_t audit = unit_query_int(w.u.db->sql, "SELECT count(*) FROM audit");
	cr_assert_eq(sk_paper_build(w.u.db, "S1", &ps, &rep), 0);
	cr_assert_eq(ps.built, 0);
	cr_assert_eq(ps.unchanged, 80);
	cr_assert_eq(unit_query_int(w.u.db->sql, "SELECT count(*) FROM audit"), audit);
	unit_db_close(&w.u);
}

struct differ {
	struct sk_db *db;
	int same, differ;
};

static int count_changed(void *payload, const struct sk_registration *r)
{
	struct differ *d = payload;
	int rc = sk_paper_verify(d->db, r->exam_number);
	sk_db_clear_error(d->db);
	if (rc == 0)
		d->same++;
	else if (rc == SK_EVERIFY)
		d->differ++;
	else
		cr_assert_fail("verify: %d", rc);
	return 0;
}

Test(paper, another_sitting_key_gives_other_papers)
{
	struct world w;
	build_world(&w, 1);
	set_sitting_key(w.u.db, "S1", 0xA5);
	struct differ d = { .db = w.u.db };
	struct sk_registration_filter f = { .sitting = "S1" };
	cr_assert_eq(sk_registration_foreach(w.u.db, &f, count_changed, &d), 0);
	cr_assert_eq(d.same + d.differ, 80);
	cr_assert_eq(d.same, 0, "%d papers survived a new key unchanged", d.same);
	unit_db_close(&w.u);
}

/* Upper critical value of chi-square with df degrees of freedom at
 * p = 0.001 (Wilson-Hilferty; z = 3.0902). */
static double chi2_critical(double df)
{
	double z = 3.0902, a = 2.0 / (9.0 * df);
	double t = 1.0 - a + z * sqrt(a);
	return df * t * t * t;
}

struct positions {
	struct sk_db *db;
	/* [form 0..5][section 0..1][canonical position][displayed position] */
	int item_pos[6][2][20][20];
	int nitems[6][2];
	int64_t form_ids[6];
	int option_pos[6][20][5][5]; /* jitsugi only: [form][canonical item][canonical option][displayed] */
	int noptions[6][20];
	int64_t canon[6][2][20]; /* item_version_id by canonical position */
};

static int form_index(const char *form_code)
{
	int n = atoi(form_code + strlen(form_code) - 2);
	cr_assert(n >= 1 && n <= 6);
	return n - 1;
}

static int tally(void *payload, const struct sk_registration *r)
{
	struct positions *ps = payload;
	struct sk_paper p;
	cr_assert_eq(sk_paper_get(ps->db, r->exam_number, &p), 0);
	int f = form_index(p.form);
	for (int s = 0; s < p.nsections && s < 2; s++) {
		const struct sk_paper_section *sec = &p.sections[s];
		ps->nitems[f][s] = sec->nitems;
		for (int d = 0; d < sec->nitems; d++) {
			int c = 0;
			while (c < sec->nitems && ps->canon[f][s][c] != sec->items[d].item_version_id)
				c++;
			cr_assert_lt(c, sec->nitems);
			ps->item_pos[f][s][c][d]++;
			if (s == 1 && !strcmp(sec->items[d].kind, "mc")) {
				ps->noptions[f][c] = sec->items[d].noptions;
				for (int o = 0; o < sec->items[d].noptions; o++)
					ps->option_pos[f][c][sec->items[d].option_of[o]][o]++;
			}
		}
	}
	sk_paper_release(&p);
	return 0;
}

static int load_canon(void *payload, const struct sk_form_item *it)
{
	int64_t *row = payload;
	row[it->position - 1] = it->item_version_id;
	return 0;
}

Test(paper, item_and_option_positions_are_uniform, .timeout = 120)
{
	struct world w;
	build_world(&w, 25); /* 2,000 candidates, about 333 a form */
	struct positions *ps = calloc(1, sizeof(*ps));
	ps->db = w.u.db;
	for (int f = 0; f < 6; f++) {
		char code[16];
		snprintf(code, sizeof(code), "MM1-F%02d", f + 1);
		struct sk_form form;
		cr_assert_eq(sk_form_get(w.u.db, code, &form), 0);
		ps->form_ids[f] = form.id;
		/* Canonical order per section, as stored. */
		int64_t both[40] = { 0 };
		cr_assert_eq(sk_form_items(w.u.db, form.id, load_canon, both), 0);
		/* load_canon writes by position within a section: gakka and
		 * jitsugi positions overlap, so read them per section instead. */
		sqlite3_stmt *st = NULL;
		cr_assert_eq(sqlite3_prepare_v2(w.u.db->sql,
			"SELECT s.position, fi.position, fi.item_version_id FROM form_item fi"
			" JOIN test_section s ON s.id = fi.section_id WHERE fi.form_id = ?1", -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_int64(st, 1, form.id);
		while (sqlite3_step(st) == SQLITE_ROW)
			ps->canon[f][sqlite3_column_int(st, 0) - 1][sqlite3_column_int(st, 1) - 1] =
				sqlite3_column_int64(st, 2);
		sqlite3_finalize(st);
	}
	struct sk_registration_filter filt = { .sitting = "S1" };
	cr_assert_eq(sk_registration_foreach(w.u.db, &filt, tally, ps), 0);

	/* Item positions: one chi-square over every (form, section, item). */
	double chi = 0, df = 0;
	for (int f = 0; f < 6; f++)
		for (int s = 0; s < 2; s++) {
			int k = ps->nitems[f][s];
			cr_assert(k == 20 || k == 10);
			for (int c = 0; c < k; c++) {
				double total = 0;
				for (int d = 0; d < k; d++)
					total += ps->item_pos[f][s][c][d];
				double e = total / k;
				cr_assert_gt(e, 10, "too few papers for the test");
				for (int d = 0; d < k; d++) {
					double o = ps->item_pos[f][s][c][d];
					chi += (o - e) * (o - e) / e;
				}
				df += k - 1;
			}
		}
	cr_log_info("item positions: chi-square %.1f on %.0f df (critical %.1f)", chi, df, chi2_critical(df));
	cr_assert_lt(chi, chi2_critical(df), "item positions: chi-square %.1f on %.0f df", chi, df);
	/* Not suspiciously regular either (e.g. a rotation): the lower tail. */
	cr_assert_gt(chi, df * 0.7, "item positions too even: chi-square %.1f on %.0f df", chi, df);

	/* Option positions of multiple-choice items (fixed-order ones skipped). */
	chi = 0;
	df = 0;
	for (int f = 0; f < 6; f++)
		for (int c = 0; c < 10; c++) {
			int n = ps->noptions[f][c];
			cr_assert(n >= 3 && n <= 5);
			int fixed = 1;
			for (int o = 0; o < n && fixed; o++)
				for (int d = 0; d < n; d++)
					if (d != o && ps->option_pos[f][c][o][d])
						fixed = 0;
			if (fixed)
				continue;
			for (int o = 0; o < n; o++) {
				double total = 0;
				for (int d = 0; d < n; d++)
					total += ps->option_pos[f][c][o][d];
				double e = total / n;
				for (int d = 0; d < n; d++) {
					double obs = ps->option_pos[f][c][o][d];
					chi += (obs - e) * (obs - e) / e;
				}
				df += n - 1;
			}
		}
	cr_assert_gt(df, 50, "too few shuffled multiple-choice items");
	cr_log_info("option positions: chi-square %.1f on %.0f df (critical %.1f)", chi, df, chi2_critical(df));
	cr_assert_lt(chi, chi2_critical(df), "option positions: chi-square %.1f on %.0f df", chi, df);
	free(ps);
	unit_db_close(&w.u);
}

Test(paper, codes_catch_typos)
{
	char out[16];
	cr_assert_eq(sk_paper_code_parse(out, "03-2073-2"), 0);
	cr_assert_str_eq(out, "03-2073-2");
	cr_assert_eq(sk_paper_code_parse(out, "0320732"), 0);
	cr_assert_eq(sk_paper_code_parse(out, "０３-２０７３-２"), 0);
	cr_assert_eq(sk_paper_code_parse(out, "03-2073-3"), SK_EVERIFY);
	cr_assert_eq(sk_paper_code_parse(out, "03-2037-2"), SK_EVERIFY); /* neighbours swapped */
	cr_assert_eq(sk_paper_code_parse(out, "03-207-2"), SK_EINPUT);
	cr_assert_eq(sk_paper_code_parse(out, "O3-2073-2"), SK_EINPUT);
}
