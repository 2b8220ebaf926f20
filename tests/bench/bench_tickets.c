/*
 * Admission tickets: print 1,000 separate tickets, one PDF each, with the
 * synthetic portraits as photos (the goal: under 10 s in all, each
 * file under 100 KB), the way `shiken print tickets` does it: one document
 * per candidate, laid out, subset and written to disk. Also the roster of one
 * room of 100. Figures are the median of three runs over the same registry.
 */
#include "bench.h"
#include "core/candidate.h"
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"
#include "core/registration.h"
#include "core/report.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/venue.h"
#include "print/common.h"
#include "print/print.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUNS 3
#define N 1000

static char dir[] = "/tmp/shiken-bench-tickets.XXXXXX";

static void must(int rc, struct sk_db *db, const char *what)
{
	if (!rc)
		return;
	fprintf(stderr, "bench: %s failed: %s %s\n", what, sk_strerror(rc), db ? sk_db_errmsg(db) : "");
	exit(1);
}

struct numbers {
	char (*exam_number)[16];
	size_t n;
};

static int collect(void *payload, const struct sk_registration *r)
{
	struct numbers *ns = payload;
	snprintf(ns->exam_number[ns->n++], 16, "%s", r->exam_number);
	return 0;
}

static struct sk_db *setup(void)
{
	char path[256], key[300], cand[256], reg[256], photos[256], err[512];
	snprintf(path, sizeof(path), "%s/tickets.db", dir);
	snprintf(key, sizeof(key), "%s.key", path);
	snprintf(cand, sizeof(cand), "%s/c.csv", dir);
	snprintf(reg, sizeof(reg), "%s/r.csv", dir);
	snprintf(photos, sizeof(photos), "%s/photos", dir);
	if (mkdir(photos, 0700)) {
		perror("mkdir");
		exit(1);
	}
	struct sk_db *db = NULL;
	if (sk_db_open(&db, path, SK_DB_CREATE, err, sizeof(err)) || sk_keys_create(db, key)) {
		fprintf(stderr, "bench: %s\n", db ? sk_db_errmsg(db) : err);
		exit(1);
	}
	sk_db_set_actor(db, "bench");
	sk_db_set_command(db, "bench");
	/* Every candidate with a portrait from sk_synth_photo_png(). */
	must(sk_synth_write_candidates(cand, 11, N, 2026, photos, N, err, sizeof(err)), NULL, err);
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_import_stats st;
	must(sk_candidate_import(db, cand, NULL, &st, &rep), db, "candidates");
	sk_import_stats_release(&st);

	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "HAN1");
	snprintf(v->name, sizeof(v->name), "Hanoi Test Centre");
	snprintf(v->country, sizeof(v->country), "VN");
	snprintf(v->city, sizeof(v->city), "Hà Nội");
	snprintf(v->address, sizeof(v->address), "12 Trần Hưng Đạo, Hoàn Kiếm");
	for (int r = 0; r < 10; r++) {
		snprintf(v->rooms[r].code, sizeof(v->rooms[r].code), "R%02d", r + 1);
		v->rooms[r].rows = 10;
		v->rooms[r].cols = 10;
	}
	v->nrooms = 10;
	int outcome;
	must(sk_venue_save(db, v, &outcome, &rep), db, "venue");
	free(v);
	struct sk_sitting s;
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "2026-12-HAN");
	snprintf(s.exam_date, sizeof(s.exam_date), "2026-12-13");
	snprintf(s.start_time, sizeof(s.start_time), "09:30");
	snprintf(s.venue, sizeof(s.venue), "HAN1");
	snprintf(s.fee_currency, sizeof(s.fee_currency), "VND");
	snprintf(s.tests[0], sizeof(s.tests[0]), "MM1");
	s.ntests = 1;
	must(sk_sitting_save(db, &s, "600000", &outcome, &rep), db, "sitting");
	FILE *f = fopen(reg, "w");
	fprintf(f, "reference,sitting,test\n");
	for (int i = 0; i < N; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 11, (size_t)i, 2026);
		fprintf(f, "%s,2026-12-HAN,MM1\n", c.reference);
	}
	fclose(f);
	must(sk_register_import(db, reg, NULL, &st, &rep), db, "registrations");
	sk_import_stats_release(&st);
	sk_report_release(&rep);
	return db;
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
	bench_report("set up 1,000 candidates with portraits", bench_now() - t0, "s", NULL);
	const struct sk_fontset *fs = sk_print_fonts(err, sizeof(err));
	if (!fs) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	struct numbers ns = { calloc(N, 16), 0 };
	struct sk_registration_filter filter = { .sitting = "2026-12-HAN" };
	must(sk_registration_foreach(db, &filter, collect, &ns), db, "registrations");
	if (ns.n != N)
		must(SK_EVERIFY, db, "counting registrations");

	char out[300], path[400];
	snprintf(out, sizeof(out), "%s/tickets", dir);
	mkdir(out, 0700);
	double tickets[RUNS], roster[RUNS];
	long largest = 0, total = 0;
	for (int run = 0; run < RUNS; run++) {
		t0 = bench_now();
		for (size_t i = 0; i < ns.n; i++) {
			struct sk_doc *doc = NULL;
			must(sk_doc_new(&doc, fs, NULL), NULL, "doc");
			if (sk_print_ticket(db, ns.exam_number[i], NULL, doc, err, sizeof(err))) {
				fprintf(stderr, "bench: ticket %s: %s\n", ns.exam_number[i], err);
				return 1;
			}
			snprintf(path, sizeof(path), "%s/%s.pdf", out, ns.exam_number[i]);
			if (sk_doc_save(doc, path)) {
				fprintf(stderr, "bench: %s: %s\n", path, sk_doc_error(doc));
				return 1;
			}
			sk_doc_free(doc);
		}
		tickets[run] = bench_now() - t0;

		t0 = bench_now();
		struct sk_doc *doc = NULL;
		must(sk_doc_new(&doc, fs, NULL), NULL, "doc");
		if (sk_print_roster(db, "2026-12-HAN", "R01", NULL, doc, err, sizeof(err))) {
			fprintf(stderr, "bench: roster: %s\n", err);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/roster-R01.pdf", dir);
		must(sk_doc_save(doc, path), NULL, sk_doc_error(doc));
		sk_doc_free(doc);
		roster[run] = bench_now() - t0;
	}
	for (size_t i = 0; i < ns.n; i++) {
		struct stat sb;
		snprintf(path, sizeof(path), "%s/%s.pdf", out, ns.exam_number[i]);
		if (stat(path, &sb) == 0) {
			total += (long)sb.st_size;
			if (sb.st_size > largest)
				largest = (long)sb.st_size;
		}
	}
	bench_report("print 1,000 admission tickets (one PDF each)", bench_median(tickets, RUNS), "s", "< 10 s");
	bench_report("largest ticket", (double)largest / 1024, "KB", "< 100 KB");
	bench_report("mean ticket", (double)total / 1024 / (double)ns.n, "KB", NULL);
	bench_report("roster of a room of 100", bench_median(roster, RUNS), "s", NULL);
	free(ns.exam_number);
	sk_db_close(db);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
