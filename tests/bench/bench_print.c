/*
 * Papers for the print shop: one room of 1,000 candidates sitting MM1 (the
 * sample bank, six forms), each with a question booklet and an answer sheet,
 * printed as one bundle the way `shiken print booklets --bundle` does it: the
 * room's registrations in seat order, one print cache for the job, every
 * candidate's booklet then answer sheet appended to one document, the sheet
 * layouts recorded in one transaction committed once the file is written
 * (the goal: under 2 s). Figures are the median of three runs over
 * the same registry; the bundle must pass qpdf --check.
 */
#include "bench.h"
#include "core/bank.h"
#include "core/candidate.h"
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"
#include "core/registration.h"
#include "core/report.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/venue.h"
#include "exam/form.h"
#include "exam/paper.h"
#include "print/common.h"
#include "print/print.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUNS 3
#define N 1000
#define SITTING "2026-12-HAN"

static char dir[] = "/tmp/shiken-bench-print.XXXXXX";

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

static struct sk_db *setup(void)
{
	char path[256], key[300], cand[256], reg[256], err[512];
	snprintf(path, sizeof(path), "%s/print.db", dir);
	snprintf(key, sizeof(key), "%s.key", path);
	snprintf(cand, sizeof(cand), "%s/c.csv", dir);
	snprintf(reg, sizeof(reg), "%s/r.csv", dir);
	struct sk_db *db = NULL;
	if (sk_db_open(&db, path, SK_DB_CREATE, err, sizeof(err)) || sk_keys_create(db, key)) {
		fprintf(stderr, "bench: %s\n", db ? sk_db_errmsg(db) : err);
		exit(1);
	}
	sk_db_set_actor(db, "bench");
	sk_db_set_command(db, "bench");
	/* The question bank as the demo builds it: items, reviews, blueprints,
	 * six parallel forms with five anchors. */
	import(db, sk_bank_import, SHIKEN_ASSETS "/bank/MM1.csv");
	import(db, sk_review_import, SHIKEN_ASSETS "/bank/reviews-MM1.csv");
	import(db, sk_blueprint_import, SHIKEN_ASSETS "/bank/blueprints.csv");
	struct sk_form_build_opts fo = { .count = 6, .anchors = 5, .seed = 2026, .tolerance = 0.25 };
	struct sk_report rep = SK_REPORT_INIT;
	char **codes = NULL;
	size_t n = 0;
	must(sk_form_build(db, "MM1", &fo, &codes, &n, &rep), db, "forms");
	for (size_t i = 0; i < n; i++)
		free(codes[i]);
	free(codes);

	/* No photos: booklets and sheets show none. */
	must(sk_synth_write_candidates(cand, 13, N, 2026, NULL, 0, err, sizeof(err)), NULL, err);
	import(db, sk_candidate_import, cand);
	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "HAN1");
	snprintf(v->name, sizeof(v->name), "Hanoi Test Centre");
	snprintf(v->country, sizeof(v->country), "VN");
	snprintf(v->city, sizeof(v->city), "Hà Nội");
	snprintf(v->address, sizeof(v->address), "12 Trần Hưng Đạo, Hoàn Kiếm");
	/* One hall of 25 x 40 = 1,000 seats. */
	snprintf(v->rooms[0].code, sizeof(v->rooms[0].code), "HALL");
	v->rooms[0].rows = 25;
	v->rooms[0].cols = 40;
	v->nrooms = 1;
	int outcome;
	must(sk_venue_save(db, v, &outcome, &rep), db, "venue");
	free(v);
	struct sk_sitting s;
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), SITTING);
	snprintf(s.exam_date, sizeof(s.exam_date), "2026-12-13");
	snprintf(s.start_time, sizeof(s.start_time), "09:30");
	snprintf(s.venue, sizeof(s.venue), "HAN1");
	snprintf(s.fee_currency, sizeof(s.fee_currency), "VND");
	snprintf(s.tests[0], sizeof(s.tests[0]), "MM1");
	s.ntests = 1;
	must(sk_sitting_save(db, &s, "600000", &outcome, &rep), db, "sitting");
	FILE *f = fopen(reg, "w");
	if (!f) {
		perror(reg);
		exit(1);
	}
	fprintf(f, "reference,sitting,test,room\n");
	for (int i = 0; i < N; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 13, (size_t)i, 2026);
		fprintf(f, "%s," SITTING ",MM1,HALL\n", c.reference);
	}
	fclose(f);
	import(db, sk_register_import, reg);
	struct sk_paper_stats ps;
	must(sk_paper_build(db, SITTING, &ps, &rep), db, "papers");
	if (ps.built != N)
		must(SK_EVERIFY, db, "not every registration got a paper");
	sk_report_release(&rep);
	return db;
}

struct regs {
	struct sk_registration *r;
	size_t n;
};

static int collect(void *payload, const struct sk_registration *r)
{
	struct regs *rs = payload;
	if (strcmp(r->status, "cancelled") && rs->n < N)
		rs->r[rs->n++] = *r;
	return 0;
}

/* The order cmd_print.c prints in: room, row, column. */
static int seat_order(const void *a, const void *b)
{
	const struct sk_registration *x = a, *y = b;
	int c = strcmp(x->room, y->room);
	if (c)
		return c;
	if (x->seat_row != y->seat_row)
		return x->seat_row - y->seat_row;
	return x->seat_col - y->seat_col;
}

/* One bundle of the room, as `print booklets --bundle`: returns its pages. */
static int bundle(struct sk_db *db, const struct sk_fontset *fs, const struct regs *rs, const char *path)
{
	char err[512] = "";
	struct sk_doc_opts dopts = { .size = NULL, .author = "shiken" };
	struct sk_print_opts o = { 0 };
	struct sk_print_cache *cache = sk_print_cache_new();
	struct sk_doc *doc = NULL;
	if (!cache)
		must(SK_ENOMEM, NULL, "cache");
	must(sk_doc_new(&doc, fs, &dopts), NULL, "doc");
	must(sk_db_begin(db), db, "begin");
	for (size_t i = 0; i < rs->n; i++) {
		const char *no = rs->r[i].exam_number;
		if (sk_print_booklet(db, no, &o, cache, doc, err, sizeof(err)) ||
		    sk_print_sheet(db, no, &o, cache, doc, err, sizeof(err))) {
			fprintf(stderr, "bench: %s: %s\n", no, err[0] ? err : sk_db_errmsg(db));
			exit(1);
		}
	}
	if (sk_doc_save(doc, path)) {
		fprintf(stderr, "bench: %s: %s\n", path, sk_doc_error(doc));
		exit(1);
	}
	must(sk_db_commit(db), db, "commit");
	int pages = sk_doc_pages(doc);
	sk_doc_free(doc);
	sk_print_cache_free(cache);
	return pages;
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char err[512];
	double t0 = bench_now();
	struct sk_db *db = setup();
	bench_report("set up 1,000 candidates with papers (bank, 6 forms)", bench_now() - t0, "s", NULL);
	const struct sk_fontset *fs = sk_print_fonts(err, sizeof(err));
	if (!fs) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}

	char path[300];
	snprintf(path, sizeof(path), "%s/papers-HALL.pdf", dir);
	double t[RUNS];
	int pages = 0;
	for (int run = 0; run < RUNS; run++) {
		t0 = bench_now();
		/* Listing and sorting the room is part of the job. */
		struct regs rs = { calloc(N, sizeof(struct sk_registration)), 0 };
		if (!rs.r)
			must(SK_ENOMEM, NULL, "registrations");
		struct sk_registration_filter filter = { .sitting = SITTING, .room = "HALL" };
		must(sk_registration_foreach(db, &filter, collect, &rs), db, "registrations");
		if (rs.n != N)
			must(SK_EVERIFY, db, "counting registrations");
		qsort(rs.r, rs.n, sizeof(*rs.r), seat_order);
		pages = bundle(db, fs, &rs, path);
		t[run] = bench_now() - t0;
		free(rs.r);
	}
	struct stat sb;
	if (stat(path, &sb)) {
		perror(path);
		return 1;
	}
	/* What the print shop gets must be a sound PDF. */
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "qpdf --check '%s' >/dev/null 2>&1 || { qpdf --check '%s' >&2; exit 1; }", path, path);
	if (system(cmd) != 0) {
		fprintf(stderr, "bench: qpdf --check fails on %s (kept)\n", path);
		return 1;
	}
	double median = bench_median(t, RUNS);
	bench_report("bundle of 1,000 booklets + answer sheets (one PDF)", median, "s", "< 2 s");
	bench_report("pages in the bundle", pages, "pages", NULL);
	bench_report("bundle size", (double)sb.st_size / (1024.0 * 1024.0), "MB", NULL);
	bench_report("booklet+sheet per candidate", median / N * 1000, "ms", NULL);
	sk_db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
