/*
 * Registry benchmarks: importing 100,000 candidates (the goal: under
 * 2 s on a 2-core machine), re-importing them unchanged, registering 10,000
 * candidates with seat draws, recording 10,000 fees, verifying the audit
 * chain. Each figure is the median of three runs on a fresh database.
 */
#include "bench.h"
#include "core/audit.h"
#include "core/candidate.h"
#include "core/db.h"
#include "core/error.h"
#include "core/fee.h"
#include "core/keys.h"
#include "core/registration.h"
#include "core/report.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/venue.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define RUNS 3

static char dir[] = "/tmp/shiken-bench.XXXXXX";

static struct sk_db *fresh_db(int run)
{
	char path[256], key[300];
	snprintf(path, sizeof(path), "%s/bench%d.db", dir, run);
	snprintf(key, sizeof(key), "%s.key", path);
	unlink(path);
	unlink(key);
	struct sk_db *db = NULL;
	char err[512];
	if (sk_db_open(&db, path, SK_DB_CREATE, err, sizeof(err)) || sk_keys_create(db, key)) {
		fprintf(stderr, "bench: cannot create a database: %s\n", db ? sk_db_errmsg(db) : err);
		exit(1);
	}
	sk_db_set_actor(db, "bench");
	sk_db_set_command(db, "bench");
	return db;
}

static void must(int rc, struct sk_db *db, struct sk_report *rep, const char *what)
{
	if (!rc)
		return;
	fprintf(stderr, "bench: %s failed: %s %s (%zu problems)\n", what, sk_strerror(rc),
		db ? sk_db_errmsg(db) : "", rep ? rep->count : 0);
	exit(1);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char csv[256], reg_csv[256], fee_csv[256], err[256];
	snprintf(csv, sizeof(csv), "%s/candidates.csv", dir);
	snprintf(reg_csv, sizeof(reg_csv), "%s/registrations.csv", dir);
	snprintf(fee_csv, sizeof(fee_csv), "%s/fees.csv", dir);
	double t0 = bench_now();
	must(sk_synth_write_candidates(csv, 7, 100000, 2026, NULL, 0, err, sizeof(err)), NULL, NULL,
	     "generating candidates");
	bench_report("generate 100,000 synthetic candidates", bench_now() - t0, "s", NULL);

	/* Registrations: 10,000 candidates into one sitting of 100 rooms of 10x10. */
	FILE *f = fopen(reg_csv, "w");
	FILE *g = fopen(fee_csv, "w");
	fprintf(f, "reference,sitting,test\n");
	fprintf(g, "reference,amount,currency,paid_at,method,receipt\n");
	for (int i = 0; i < 10000; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 7, (size_t)i, 2026);
		fprintf(f, "%s,BENCH,MM1\n", c.reference);
		fprintf(g, "%s,12000,JPY,2026-11-01,bank_transfer,R%06d\n", c.reference, i);
	}
	fclose(f);
	fclose(g);

	double import[RUNS], reimport[RUNS], reg[RUNS], fees[RUNS], verify[RUNS];
	for (int run = 0; run < RUNS; run++) {
		struct sk_db *db = fresh_db(run);
		struct sk_report rep = SK_REPORT_INIT;
		struct sk_import_stats st;
		t0 = bench_now();
		must(sk_candidate_import(db, csv, NULL, &st, &rep), db, &rep, "import");
		import[run] = bench_now() - t0;
		sk_import_stats_release(&st);
		t0 = bench_now();
		must(sk_candidate_import(db, csv, NULL, &st, &rep), db, &rep, "re-import");
		reimport[run] = bench_now() - t0;
		if (st.unchanged != 100000)
			must(SK_EVERIFY, db, &rep, "re-import changed something");
		sk_import_stats_release(&st);

		struct sk_venue *v = calloc(1, sizeof(*v));
		snprintf(v->code, sizeof(v->code), "BIG");
		snprintf(v->name, sizeof(v->name), "Bench Hall");
		snprintf(v->country, sizeof(v->country), "JP");
		snprintf(v->city, sizeof(v->city), "Tokyo");
		snprintf(v->address, sizeof(v->address), "1-1 Bench");
		for (int r = 0; r < 64; r++) {
			snprintf(v->rooms[r].code, sizeof(v->rooms[r].code), "R%02d", r);
			v->rooms[r].rows = 13;
			v->rooms[r].cols = 13;
		}
		v->nrooms = 64;
		int outcome;
		must(sk_venue_save(db, v, &outcome, &rep), db, &rep, "venue");
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
		must(sk_sitting_save(db, &s, "12000", &outcome, &rep), db, &rep, "sitting");
		t0 = bench_now();
		must(sk_register_import(db, reg_csv, NULL, &st, &rep), db, &rep, "registrations");
		reg[run] = bench_now() - t0;
		sk_import_stats_release(&st);
		t0 = bench_now();
		must(sk_fee_import(db, fee_csv, NULL, &st, &rep), db, &rep, "fees");
		fees[run] = bench_now() - t0;
		sk_import_stats_release(&st);
		struct sk_audit_result ar;
		t0 = bench_now();
		must(sk_audit_verify(db, &ar, 0, NULL), db, &ar.problems, "audit verify");
		verify[run] = bench_now() - t0;
		sk_report_release(&ar.problems);
		sk_report_release(&rep);
		sk_db_close(db);
	}
	bench_report("import 100,000 candidates", bench_median(import, RUNS), "s", "< 2 s");
	bench_report("re-import 100,000 unchanged", bench_median(reimport, RUNS), "s", NULL);
	bench_report("register 10,000 (exam numbers, seat draws)", bench_median(reg, RUNS), "s", NULL);
	bench_report("record 10,000 fee payments", bench_median(fees, RUNS), "s", NULL);
	bench_report("verify audit chain of 120,000 records", bench_median(verify, RUNS), "s", NULL);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
