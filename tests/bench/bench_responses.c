/*
 * Responses: import the answer sheets of 100,000 candidates, 30 questions
 * each (the goal: a few seconds), as `shiken responses import` does:
 * every mark checked against the candidate's paper, one row and one audit
 * record per sheet, one transaction. Then the same file again (nothing
 * changes) and other marks for everyone with replace. Also what rebuilding
 * every paper with sk_paper_get would cost on top, which the import avoids.
 *
 * The sample MM1 bank gives six forms of 30 items (one of them with a
 * five-option question); 100,000 candidates sit in two sittings of 50,000
 * (an exam number holds five digits of sequence). The sheets come from the
 * simulator. Figures are the median of three runs, each on a copy of the
 * same registry.
 */
#include "bench.h"
#include "core/bank.h"
#include "core/buf.h"
#include "core/candidate.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/keys.h"
#include "core/registration.h"
#include "core/report.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/venue.h"
#include "exam/form.h"
#include "exam/paper.h"
#include "exam/response.h"
#include "exam/simulate.h"

#include <string.h>
#include <unistd.h>

#define RUNS 3
#define N 100000
#define PER_SITTING (N / 2)

static char dir[] = "/tmp/shiken-bench-responses.XXXXXX";

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

static struct sk_db *open_db(const char *path, const char *key, int create)
{
	struct sk_db *db = NULL;
	char err[512];
	if (sk_db_open(&db, path, create ? SK_DB_CREATE : 0, err, sizeof(err)) ||
	    (create ? sk_keys_create(db, key) : sk_keys_load(db, key))) {
		fprintf(stderr, "bench: %s\n", db ? sk_db_errmsg(db) : err);
		exit(1);
	}
	sk_db_set_actor(db, "bench");
	sk_db_set_command(db, "bench");
	return db;
}

/* The registry every run starts from: two sittings with their papers. */
static void setup(const char *path, const char *key)
{
	char cand[256], reg[256];
	snprintf(cand, sizeof(cand), "%s/c.csv", dir);
	snprintf(reg, sizeof(reg), "%s/r.csv", dir);
	struct sk_db *db = open_db(path, key, 1);
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
	char err[256];
	must(sk_synth_write_candidates(cand, 9, N, 2026, NULL, 0, err, sizeof(err)), NULL, err);
	import(db, sk_candidate_import, cand);
	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "BIG");
	snprintf(v->name, sizeof(v->name), "Hall");
	snprintf(v->country, sizeof(v->country), "JP");
	snprintf(v->city, sizeof(v->city), "Tokyo");
	snprintf(v->address, sizeof(v->address), "1-1");
	for (int r = 0; r < 64; r++) {
		snprintf(v->rooms[r].code, sizeof(v->rooms[r].code), "R%02d", r);
		v->rooms[r].rows = 30;
		v->rooms[r].cols = 30;
	}
	v->nrooms = 64;
	int outcome;
	must(sk_venue_save(db, v, &outcome, &rep), db, "venue");
	free(v);
	static const char *const sittings[] = { "BENCH-A", "BENCH-B" };
	FILE *f = fopen(reg, "w");
	fprintf(f, "reference,sitting,test\n");
	for (int k = 0; k < 2; k++) {
		struct sk_sitting s;
		memset(&s, 0, sizeof(s));
		snprintf(s.code, sizeof(s.code), "%s", sittings[k]);
		snprintf(s.exam_date, sizeof(s.exam_date), "2026-12-%02d", 13 + k);
		snprintf(s.start_time, sizeof(s.start_time), "09:30");
		snprintf(s.venue, sizeof(s.venue), "BIG");
		snprintf(s.fee_currency, sizeof(s.fee_currency), "JPY");
		snprintf(s.tests[0], sizeof(s.tests[0]), "MM1");
		s.ntests = 1;
		must(sk_sitting_save(db, &s, "12000", &outcome, &rep), db, "sitting");
		for (int i = k * PER_SITTING; i < (k + 1) * PER_SITTING; i++) {
			struct sk_synth_candidate c;
			sk_synth_candidate(&c, 9, (size_t)i, 2026);
			fprintf(f, "%s,%s,MM1\n", c.reference, sittings[k]);
		}
	}
	fclose(f);
	import(db, sk_register_import, reg);
	for (int k = 0; k < 2; k++) {
		struct sk_paper_stats ps;
		must(sk_paper_build(db, sittings[k], &ps, &rep), db, "papers");
		if (ps.built != PER_SITTING)
			must(SK_EVERIFY, db, "not every registration got a paper");
	}
	sk_report_release(&rep);
	sk_db_close(db);
}

/* The sheets of both sittings in one file, nobody absent. */
static double write_sheets(const char *path, const char *key, uint64_t seed, const char *out)
{
	struct sk_db *db = open_db(path, key, 0);
	struct sk_buf csv = SK_BUF_INIT, b = SK_BUF_INIT;
	struct sk_simulate_opts so = { .seed = seed, .absent_percent = 0 };
	struct sk_simulate_stats st;
	double t0 = bench_now();
	must(sk_simulate_responses(db, "BENCH-A", &so, &csv, &st), db, "simulate");
	must(sk_simulate_responses(db, "BENCH-B", &so, &b, &st), db, "simulate");
	double t = bench_now() - t0;
	const char *body = strchr(b.buf, '\n') + 1; /* one header */
	sk_buf_adds(&csv, body);
	FILE *f = fopen(out, "w");
	if (!f || fwrite(csv.buf, 1, csv.len, f) != csv.len || fclose(f)) {
		perror(out);
		exit(1);
	}
	sk_buf_release(&csv);
	sk_buf_release(&b);
	sk_db_close(db);
	return t;
}

static double import_sheets(struct sk_db *db, const char *csv, int replace, size_t *added, size_t *updated,
			    size_t *unchanged)
{
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_import_stats st;
	double t0 = bench_now();
	int rc = sk_responses_import(db, csv, NULL, replace, &st, &rep);
	double t = bench_now() - t0;
	if (rc) {
		fprintf(stderr, "bench: %zu problems, first: %s\n", rep.count, rep.count ? rep.items[0].fmt : "");
		must(rc, db, "import");
	}
	*added = st.added;
	*updated = st.updated;
	*unchanged = st.unchanged;
	sk_import_stats_release(&st);
	sk_report_release(&rep);
	return t;
}

static void copy_file(const char *from, const char *to)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench: %s failed\n", cmd);
		exit(1);
	}
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char base[256], key[300], run_db[256], sheets[256], other[256];
	snprintf(base, sizeof(base), "%s/base.db", dir);
	snprintf(key, sizeof(key), "%s/base.db.key", dir);
	snprintf(run_db, sizeof(run_db), "%s/run.db", dir);
	snprintf(sheets, sizeof(sheets), "%s/sheets.csv", dir);
	snprintf(other, sizeof(other), "%s/other.csv", dir);
	double t0 = bench_now();
	setup(base, key);
	bench_report("set up 100,000 candidates with papers", bench_now() - t0, "s", NULL);
	double gen = write_sheets(base, key, 1, sheets);
	write_sheets(base, key, 2, other);
	bench_report("simulate 100,000 answer sheets", gen, "s", NULL);

	double fresh[RUNS], again[RUNS], replaced[RUNS], rebuild[RUNS];
	for (int run = 0; run < RUNS; run++) {
		char wal[300], shm[300];
		snprintf(wal, sizeof(wal), "%s-wal", run_db);
		snprintf(shm, sizeof(shm), "%s-shm", run_db);
		unlink(run_db);
		unlink(wal);
		unlink(shm);
		copy_file(base, run_db);
		struct sk_db *db = open_db(run_db, key, 0);
		size_t a, u, same;
		fresh[run] = import_sheets(db, sheets, 0, &a, &u, &same);
		if (a != N)
			must(SK_EVERIFY, db, "not every sheet was added");
		again[run] = import_sheets(db, sheets, 0, &a, &u, &same);
		if (same != N)
			must(SK_EVERIFY, db, "the same sheets again were not unchanged");
		replaced[run] = import_sheets(db, other, 1, &a, &u, &same);
		if (u < N * 99 / 100)
			must(SK_EVERIFY, db, "other marks did not replace the sheets");
		/* What a paper per row would add: 10,000 rebuilt, times ten. */
		t0 = bench_now();
		for (int i = 1; i <= 10000; i++) {
			char examno[16];
			sk_examno_format(examno, 1, i);
			struct sk_paper p;
			must(sk_paper_get(db, examno, &p), db, "rebuild");
			sk_paper_release(&p);
		}
		rebuild[run] = (bench_now() - t0) * 10;
		sk_db_close(db);
	}
	bench_report("import 100,000 answer sheets x 30 questions", bench_median(fresh, RUNS), "s", "a few s");
	bench_report("the same 100,000 sheets again (unchanged)", bench_median(again, RUNS), "s", NULL);
	bench_report("replace 100,000 sheets (audited old and new)", bench_median(replaced, RUNS), "s", NULL);
	bench_report("sk_paper_get for 100,000 papers (avoided)", bench_median(rebuild, RUNS), "s", NULL);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
