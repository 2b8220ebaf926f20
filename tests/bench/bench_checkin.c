/*
 * Check-in benchmarks: 10,000 candidates of one sitting (64 rooms) checked
 * in ticket by ticket — looked up, passport checked (by its last four
 * characters for half of them), admitted — by one station, and by four
 * stations (four processes, each its own connection) at once; then the
 * counts of all rooms and closing every room. Each figure is the median of
 * three runs on a fresh database.
 */
#include "bench.h"
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
#include "exam/checkin.h"
#include "exam/payload.h"

#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUNS 3
#define N 10000
#define STATIONS 4

static char dir[] = "/tmp/shiken-bench.XXXXXX";

struct ticket {
	char code[SK_PAYLOAD_MAX];
	char last4[5];
};
static struct ticket *tickets;

static void must(int rc, struct sk_db *db, const char *what)
{
	if (!rc)
		return;
	fprintf(stderr, "bench: %s failed: %s %s\n", what, sk_strerror(rc), db ? sk_db_errmsg(db) : "");
	exit(1);
}

static struct sk_db *open_db(const char *path, int create)
{
	char key[300], err[512];
	snprintf(key, sizeof(key), "%s.key", path);
	if (create) {
		unlink(path);
		unlink(key);
	}
	struct sk_db *db = NULL;
	if (sk_db_open(&db, path, create ? SK_DB_CREATE : 0, err, sizeof(err)) ||
	    (create ? sk_keys_create(db, key) : sk_keys_load(db, key))) {
		fprintf(stderr, "bench: cannot open a database: %s\n", db ? sk_db_errmsg(db) : err);
		exit(1);
	}
	sk_db_set_actor(db, "bench");
	sk_db_set_command(db, "bench");
	sk_db_set_clock(db, 1797129000); /* 2026-12-13T02:30:00Z */
	return db;
}

/* A fresh registry: N candidates registered and paid in sitting BENCH. */
static void build(const char *path, const char *csv, const char *reg_csv, const char *fee_csv)
{
	struct sk_db *db = open_db(path, 1);
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_import_stats st;
	must(sk_candidate_import(db, csv, NULL, &st, &rep), db, "import");
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
	must(sk_register_import(db, reg_csv, NULL, &st, &rep), db, "registrations");
	sk_import_stats_release(&st);
	must(sk_fee_import(db, fee_csv, NULL, &st, &rep), db, "fees");
	sk_import_stats_release(&st);
	sk_report_release(&rep);
	sk_db_close(db);
}

static int tickets_of(void *payload, const struct sk_registration *r)
{
	size_t *n = payload;
	/* Registrations come in exam-number order, candidate i is the i-th. */
	struct sk_synth_candidate c;
	sk_synth_candidate(&c, 7, *n, 2026);
	if (strcmp(c.reference, r->reference))
		return SK_EINVAL;
	char norm[32];
	if (sk_passport_normalise(norm, c.passport_number))
		return SK_EINVAL;
	snprintf(tickets[*n].last4, sizeof(tickets[*n].last4), "%s", norm + strlen(norm) - 4);
	(*n)++;
	return 0;
}

/* What the scanner reads off each ticket of a fresh registry (its key is
 * new), and each passport's last four characters. */
static void load_tickets(const char *path)
{
	struct sk_db *db = open_db(path, 0);
	struct sk_registration_filter rf = { .sitting = "BENCH" };
	size_t n = 0;
	must(sk_registration_foreach(db, &rf, tickets_of, &n), db, "tickets");
	char examno[SK_EXAMNO_LEN + 1];
	for (int i = 0; i < N; i++)
		must(sk_payload_ticket(db, sk_examno_format(examno, 1, i + 1), tickets[i].code), db, "payload");
	sk_db_close(db);
}

/* Check in tickets from, from + step, ... at one station. */
static void station(const char *path, int from, int step, const char *name)
{
	struct sk_db *db = open_db(path, 0);
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_checkin_station st;
	must(sk_checkin_station_init(&st, db, "BENCH", NULL, NULL, name, "Bench Proctor", &rep), db, "station");
	for (int i = from; i < N; i += step) {
		struct sk_checkin_view v;
		must(sk_checkin_lookup(&v, db, &st, tickets[i].code), db, "lookup");
		struct sk_checkin_admission a = {
			.identity = i % 2 ? SK_CHECKIN_BY_SIGHT : SK_CHECKIN_BY_PASSPORT,
			.passport_last4 = tickets[i].last4,
		};
		must(sk_checkin_admit(&v, db, &st, tickets[i].code, &a), db, "admit");
		if (!v.admitted) {
			fprintf(stderr, "bench: ticket %d not admitted: %s\n", i, sk_checkin_verdict_name(v.verdict));
			exit(1);
		}
	}
	sk_db_close(db);
}

static int count_cb(void *payload, const struct sk_checkin_count *c)
{
	size_t *present = payload;
	*present += c->present;
	return 0;
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char csv[256], reg_csv[256], fee_csv[256], path[256], err[256];
	snprintf(csv, sizeof(csv), "%s/candidates.csv", dir);
	snprintf(reg_csv, sizeof(reg_csv), "%s/registrations.csv", dir);
	snprintf(fee_csv, sizeof(fee_csv), "%s/fees.csv", dir);
	snprintf(path, sizeof(path), "%s/bench.db", dir);
	must(sk_synth_write_candidates(csv, 7, N, 2026, NULL, 0, err, sizeof(err)), NULL, "generating candidates");
	FILE *f = fopen(reg_csv, "w"), *g = fopen(fee_csv, "w");
	fprintf(f, "reference,sitting,test\n");
	fprintf(g, "reference,amount,currency,paid_at,method,receipt\n");
	for (int i = 0; i < N; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, 7, (size_t)i, 2026);
		fprintf(f, "%s,BENCH,MM1\n", c.reference);
		fprintf(g, "%s,12000,JPY,2026-11-01,bank_transfer,R%06d\n", c.reference, i);
	}
	fclose(f);
	fclose(g);
	tickets = calloc(N, sizeof(*tickets));

	double one[RUNS], four[RUNS], counts[RUNS], close_all[RUNS];
	for (int run = 0; run < RUNS; run++) {
		/* One station. */
		build(path, csv, reg_csv, fee_csv);
		load_tickets(path);
		double t0 = bench_now();
		station(path, 0, 1, "one");
		one[run] = bench_now() - t0;

		/* Four stations at once, then the counts. */
		build(path, csv, reg_csv, fee_csv);
		load_tickets(path);
		t0 = bench_now();
		pid_t pids[STATIONS];
		for (int k = 0; k < STATIONS; k++) {
			char name[16];
			snprintf(name, sizeof(name), "gate-%d", k);
			if ((pids[k] = fork()) == 0) {
				station(path, k, STATIONS, name);
				_exit(0);
			}
		}
		for (int k = 0; k < STATIONS; k++) {
			int status;
			if (waitpid(pids[k], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
				fprintf(stderr, "bench: station %d failed\n", k);
				return 1;
			}
		}
		four[run] = bench_now() - t0;
		struct sk_db *db = open_db(path, 0);
		size_t present = 0;
		t0 = bench_now();
		must(sk_checkin_counts(db, "BENCH", NULL, count_cb, &present), db, "counts");
		counts[run] = bench_now() - t0;
		if (present != N)
			must(SK_EVERIFY, db, "counts: not everyone present");
		/* Closing: a fresh registry where nobody came, every room closed. */
		sk_db_close(db);
		build(path, csv, reg_csv, fee_csv);
		db = open_db(path, 0);
		struct sk_report rep = SK_REPORT_INIT;
		t0 = bench_now();
		for (int r = 0; r < 64; r++) {
			char room[8];
			snprintf(room, sizeof(room), "R%02d", r);
			struct sk_checkin_station st;
			size_t marked;
			must(sk_checkin_station_init(&st, db, "BENCH", room, NULL, "close", "Bench Proctor", &rep), db, "station");
			must(sk_checkin_close(&marked, db, &st), db, "close");
		}
		close_all[run] = bench_now() - t0;
		sk_report_release(&rep);
		sk_db_close(db);
	}
	bench_report("check in 10,000 tickets at one station (lookup, passport, admit)", bench_median(one, RUNS), "s", NULL);
	bench_report("check in 10,000 tickets at four stations at once", bench_median(four, RUNS), "s", NULL);
	bench_report("check-in counts of 64 rooms, 10,000 present", bench_median(counts, RUNS) * 1000, "ms", NULL);
	bench_report("close 64 rooms, marking 10,000 absent", bench_median(close_all, RUNS), "s", NULL);
	free(tickets);
	return 0;
}
