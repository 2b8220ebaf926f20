/*
 * Certificates: issue 1,000 (number, signed token, row and audit record
 * each, one transaction) and print them as 1,000 separate PDFs, the way
 * `shiken cert issue` and `shiken print certificates` do (the issue's goal:
 * under 10 s in all, each file under 100 KB). Also a room's bundle of 100.
 * The registry has three graded sittings of the same 1,000 candidates, so
 * issuing is measured three times on fresh sittings; printing three times
 * over the first. Figures are medians of three.
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
#include "exam/certificate.h"
#include "print/common.h"
#include "print/print.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUNS 3
#define N 1000

static char dir[] = "/tmp/shiken-bench-certs.XXXXXX";
static const char *const sittings[RUNS] = { "2026-12-HAN", "2027-01-HAN", "2027-02-HAN" };

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

/* A grading run passing every registration of the sitting, as grading
 * stores results (core/sql/0005): the bench measures certificates, not
 * grading. */
static void pass_everyone(struct sk_db *db, const char *sitting)
{
	static const char run_sql[] = "INSERT INTO grading_run (sitting_id, actor, started_at, graded, written)"
				      " SELECT id, 'bench', '2027-03-01T09:00:00Z', 0, 0 FROM sitting WHERE code = ?1";
	static const char res_sql[] = "INSERT INTO result (registration_id, run_id, outcome, graded_at)"
				      " SELECT r.id, (SELECT MAX(id) FROM grading_run), 'pass', '2027-03-01T09:00:00Z' FROM registration r"
				      " JOIN sitting s ON s.id = r.sitting_id WHERE s.code = ?1";
	must(sk_db_begin(db), db, "begin");
	for (int i = 0; i < 2; i++) {
		sqlite3_stmt *st = sk_db_stmt(db, i ? res_sql : run_sql);
		if (!st)
			must(db->err, db, "results");
		sqlite3_bind_text(st, 1, sitting, -1, SQLITE_STATIC);
		int step = sqlite3_step(st);
		sqlite3_reset(st);
		if (step != SQLITE_DONE)
			must(sk_db_sqlfail(db, "results"), db, "results");
	}
	must(sk_db_commit(db), db, "commit");
}

static struct sk_db *setup(void)
{
	char path[256], key[300], cand[256], reg[256], err[512];
	snprintf(path, sizeof(path), "%s/certs.db", dir);
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
	sk_db_set_clock(db, 1793523600); /* 2026-11-01T09:00:00Z: registration is open */
	must(sk_synth_write_candidates(cand, 11, N, 2026, NULL, 0, err, sizeof(err)), NULL, err);
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
	FILE *f = fopen(reg, "w");
	fprintf(f, "reference,sitting,test\n");
	for (int k = 0; k < RUNS; k++) {
		struct sk_sitting s;
		memset(&s, 0, sizeof(s));
		snprintf(s.code, sizeof(s.code), "%s", sittings[k]);
		snprintf(s.exam_date, sizeof(s.exam_date), "%s-13", k ? (k == 1 ? "2027-01" : "2027-02") : "2026-12");
		snprintf(s.start_time, sizeof(s.start_time), "09:30");
		snprintf(s.venue, sizeof(s.venue), "HAN1");
		snprintf(s.fee_currency, sizeof(s.fee_currency), "VND");
		snprintf(s.tests[0], sizeof(s.tests[0]), "MM1");
		s.ntests = 1;
		must(sk_sitting_save(db, &s, "600000", &outcome, &rep), db, "sitting");
		for (int i = 0; i < N; i++) {
			struct sk_synth_candidate c;
			sk_synth_candidate(&c, 11, (size_t)i, 2026);
			fprintf(f, "%s,%s,MM1\n", c.reference, sittings[k]);
		}
	}
	fclose(f);
	must(sk_register_import(db, reg, NULL, &st, &rep), db, "registrations");
	sk_import_stats_release(&st);
	sk_report_release(&rep);
	for (int k = 0; k < RUNS; k++)
		pass_everyone(db, sittings[k]);
	char kid[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	must(sk_keys_sign_generate(db, key, kid, retired), db, "signing key");
	must(sk_db_meta_set(db, SK_CONFIG_ISSUER, "https://verify.example.jp"), db, "issuer");
	must(sk_db_meta_set(db, SK_CONFIG_BASE_URL, "https://verify.example.jp"), db, "base URL");
	sk_db_set_clock(db, 1803978000); /* 2027-03-02T09:00:00Z: all three sittings graded */
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
	bench_report("set up 3 graded sittings of 1,000 candidates", bench_now() - t0, "s", NULL);
	const struct sk_fontset *fs = sk_print_fonts(err, sizeof(err));
	if (!fs) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}

	/* Issue: each run a sitting with nothing issued yet. */
	double issue[RUNS];
	for (int run = 0; run < RUNS; run++) {
		struct sk_cert_issue_stats st;
		t0 = bench_now();
		must(sk_cert_issue(db, sittings[run], 0, NULL, NULL, NULL, &st), db, "issue");
		issue[run] = bench_now() - t0;
		if (st.issued != N)
			must(SK_EVERIFY, db, "counting certificates issued");
	}

	struct numbers ns = { calloc(N, 16), 0 };
	struct sk_registration_filter filter = { .sitting = sittings[0] };
	must(sk_registration_foreach(db, &filter, collect, &ns), db, "registrations");
	if (ns.n != N)
		must(SK_EVERIFY, db, "counting registrations");
	char (*numbers)[SK_CERTNO_LEN + 1] = calloc(N, sizeof(*numbers));
	for (size_t i = 0; i < ns.n; i++) {
		struct sk_cert c;
		must(sk_cert_of_registration(db, ns.exam_number[i], &c), db, "certificate");
		memcpy(numbers[i], c.number, sizeof(numbers[i]));
		sk_cert_release(&c);
	}

	char out[300], path[400];
	snprintf(out, sizeof(out), "%s/certificates", dir);
	mkdir(out, 0700);
	double print[RUNS], bundle[RUNS];
	long largest = 0, total = 0, bundle_size = 0;
	for (int run = 0; run < RUNS; run++) {
		t0 = bench_now();
		for (size_t i = 0; i < ns.n; i++) {
			struct sk_doc *doc = NULL;
			must(sk_doc_new(&doc, fs, NULL), NULL, "doc");
			if (sk_print_certificate(db, ns.exam_number[i], NULL, doc, err, sizeof(err))) {
				fprintf(stderr, "bench: certificate %s: %s\n", ns.exam_number[i], err);
				return 1;
			}
			snprintf(path, sizeof(path), "%s/%s.pdf", out, numbers[i]);
			if (sk_doc_save(doc, path)) {
				fprintf(stderr, "bench: %s: %s\n", path, sk_doc_error(doc));
				return 1;
			}
			sk_doc_free(doc);
		}
		print[run] = bench_now() - t0;

		/* A room's bundle: the first 100 in one file. */
		t0 = bench_now();
		struct sk_doc *doc = NULL;
		must(sk_doc_new(&doc, fs, NULL), NULL, "doc");
		for (size_t i = 0; i < 100; i++)
			if (sk_print_certificate(db, ns.exam_number[i], NULL, doc, err, sizeof(err))) {
				fprintf(stderr, "bench: certificate %s: %s\n", ns.exam_number[i], err);
				return 1;
			}
		snprintf(path, sizeof(path), "%s/certificates-R01.pdf", dir);
		must(sk_doc_save(doc, path), NULL, sk_doc_error(doc));
		sk_doc_free(doc);
		bundle[run] = bench_now() - t0;
	}
	for (size_t i = 0; i < ns.n; i++) {
		struct stat sb;
		snprintf(path, sizeof(path), "%s/%s.pdf", out, numbers[i]);
		if (stat(path, &sb) == 0) {
			total += (long)sb.st_size;
			if (sb.st_size > largest)
				largest = (long)sb.st_size;
		}
	}
	struct stat sb;
	snprintf(path, sizeof(path), "%s/certificates-R01.pdf", dir);
	if (stat(path, &sb) == 0)
		bundle_size = (long)sb.st_size;
	double mi = bench_median(issue, RUNS), mp = bench_median(print, RUNS);
	bench_report("issue 1,000 certificates (sign, store, audit)", mi, "s", NULL);
	bench_report("print 1,000 certificates (one PDF each)", mp, "s", NULL);
	bench_report("issue and print 1,000 certificates", mi + mp, "s", "< 10 s");
	bench_report("largest certificate", (double)largest / 1024, "KB", "< 100 KB");
	bench_report("mean certificate", (double)total / 1024 / (double)ns.n, "KB", NULL);
	bench_report("bundle of a room of 100 certificates", bench_median(bundle, RUNS), "s", NULL);
	bench_report("size of that bundle", (double)bundle_size / 1024, "KB", NULL);
	free(numbers);
	free(ns.exam_number);
	sk_db_close(db);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
