/*
 * Papers: build and store the papers of 10,000 registrations (the issue's
 * goal: under 1 s), and rebuild one paper the way grading will. The sample
 * MM1 bank gives six forms of 30 items; the candidates fill 125 rooms of 8x10.
 */
#include "bench.h"
#include "core/bank.h"
#include "core/candidate.h"
#include "core/db.h"
#include "core/examno.h"
#include "core/error.h"
#include "core/keys.h"
#include "core/registration.h"
#include "core/report.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/venue.h"
#include "exam/form.h"
#include "exam/paper.h"

#include <string.h>
#include <unistd.h>

#define RUNS 3
#define N 10000

static char dir[] = "/tmp/shiken-bench-papers.XXXXXX";

static void must(int rc, struct sk_db *db, const char *what)
{
	if (!rc)
		return;
	fprintf(stderr, "bench: %s failed: %s %s\n", what, sk_strerror(rc), db ? sk_db_errmsg(db) : "");
	exit(1);
}

static void import(struct sk_db *db, int (*fn)(struct sk_db *, const char *, const struct sk_import_opts *,
					       struct sk_import_stats *, struct sk_report *),
		   const char *path)
{
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_import_stats st;
	must(fn(db, path, NULL, &st, &rep), db, path);
	sk_import_stats_release(&st);
	sk_report_release(&rep);
}

static struct sk_db *setup(int run, const char *cand_csv, const char *reg_csv)
{
	char path[256], key[300];
	snprintf(path, sizeof(path), "%s/papers%d.db", dir, run);
	snprintf(key, sizeof(key), "%s.key", path);
	struct sk_db *db = NULL;
	char err[512];
	if (sk_db_open(&db, path, SK_DB_CREATE, err, sizeof(err)) || sk_keys_create(db, key)) {
		fprintf(stderr, "bench: %s\n", db ? sk_db_errmsg(db) : err);
		exit(1);
	}
	import(db, sk_bank_import, SHIKEN_ASSETS "/bank/MM1.csv");
	import(db, sk_review_import, SHIKEN_ASSETS "/bank/reviews-MM1.csv");
	import(db, sk_blueprint_import, SHIKEN_ASSETS "/bank/blueprints.csv");
	struct sk_form_build_opts fo = { .count = 6, .anchors = 5, .seed = 3, .tolerance = 0.25 };
	struct sk_report rep = SK_REPORT_INIT;
	char **codes = NULL;
	size_t n = 0;
	must(sk_form_build(db, "MM1", &fo, &codes, &n, &rep), db, "forms");
	for (size_t i = 0; i < n; i++)
		free(codes[i]);
	free(codes);
	import(db, sk_candidate_import, cand_csv);
	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "BIG");
	snprintf(v->name, sizeof(v->name), "Hall");
	snprintf(v->country, sizeof(v->country), "JP");
	snprintf(v->city, sizeof(v->city), "Tokyo");
	snprintf(v->address, sizeof(v->address), "1-1");
	for (int r = 0; r < 64; r++) {
		snprintf(v->rooms[r].code, sizeof(v->rooms[r].code), "R%02d", r);
		v->rooms[r].rows = 13;
		v->rooms[r].cols = 13;
	}
	v->nrooms = 64;
	int outcome;
	must(sk_venue_save(db, v, &outcome, &rep), db, "venue");
	free(v);
	struct sk_sitting s;
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "BENCH");
	snprintf(s.exam_date, sizeof(s.exam_date), "2026-12-13");
	snprintf(s.start_time, sizeof(s.start_time), "09:30");
	snprintf(s.venue, sizeof(s.venue), "BIG");
	snprintf(s.fee_currency, sizeof(s.fee_currency), "JPY");
	snprintf(s.tests[0], sizeof(s.tests[0]), "MM1");
	s.ntests = 1;
	must(sk_sitting_save(db, &s, "12000", &outcome, &rep), db, "sitting");
	import(db, sk_register_import, reg_csv);
	sk_report_release(&rep);
	return db;
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char cand[256], reg[256], err[256];
	snprintf(cand, sizeof(cand), "%s/c.csv", dir);
	snprintf(reg, sizeof(reg), "%s/r.csv", dir);
	must(sk_synth_write_candidates(cand, 9, N, 2026, NULL, 0, err, sizeof(err)), NULL, err);
	FILE *f = fopen(reg, "w");
	fprintf(f, "reference,sitting,test\n");
	for (int i = 0; i < N; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 9, (size_t)i, 2026);
		fprintf(f, "%s,BENCH,MM1\n", c.reference);
	}
	fclose(f);
	double build[RUNS], rebuild[RUNS];
	for (int run = 0; run < RUNS; run++) {
		struct sk_db *db = setup(run, cand, reg);
		struct sk_report rep = SK_REPORT_INIT;
		struct sk_paper_stats ps;
		double t0 = bench_now();
		must(sk_paper_build(db, "BENCH", &ps, &rep), db, "papers");
		build[run] = bench_now() - t0;
		if (ps.built != N)
			must(SK_EVERIFY, db, "not every registration got a paper");
		t0 = bench_now();
		for (int i = 0; i < 1000; i++) {
			char examno[16];
			sk_examno_format(examno, 1, i + 1);
			struct sk_paper p;
			must(sk_paper_get(db, examno, &p), db, "rebuild");
			sk_paper_release(&p);
		}
		rebuild[run] = (bench_now() - t0) / 1000 * 1e6;
		sk_report_release(&rep);
		sk_db_close(db);
	}
	bench_report("build and store 10,000 papers", bench_median(build, RUNS), "s", "< 1 s");
	bench_report("rebuild one paper (grading, audit)", bench_median(rebuild, RUNS), "us", NULL);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
