/*
 * Statistics: item analysis of 100,000 graded answer sheets of 30 items
 * (goal: under 1 s), and the answer-copying check of a sitting of 2,000
 * candidates (goal: under 2 s). Both figures are end to end from the
 * database: reading the sheets, rebuilding every paper from the sitting
 * key, scoring through it, and the statistics. Also measured: the
 * statistics alone, on sheets already in memory, and the population
 * report over 100,000 registrations.
 *
 * Item analysis: 100,000 registrations of MM1 in two sittings of 50,000
 * (an exam number holds at most 99,999 a sitting), made with the shortcuts
 * of bench_grade.c (candidates and registrations in bulk SQL, random
 * marks), then graded for real. Copying: 2,000 registrations in 20 rooms
 * of 10 x 10 over MM1, EE1 and ST1, answer sheets simulated (ability,
 * difficulty, 10 planted copiers and 10 sharers) and imported for real.
 * Median of three runs.
 */
#include "bench.h"
#include "core/bank.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/keys.h"
#include "core/report.h"
#include "core/sitting.h"
#include "core/venue.h"
#include "exam/collusion.h"
#include "exam/form.h"
#include "exam/grade.h"
#include "exam/paper.h"
#include "exam/response.h"
#include "exam/simulate.h"
#include "exam/stats.h"

#include <string.h>
#include <unistd.h>

#define RUNS 3
#define PER_SITTING 50000
#define ROOMS 8
#define SIDE 80
#define SMALL 2000

static char dir[] = "/tmp/shiken-bench-stats.XXXXXX";

static void must(int rc, struct sk_db *db, const char *what)
{
	if (!rc)
		return;
	fprintf(stderr, "bench: %s failed: %s %s\n", what, sk_strerror(rc), db ? sk_db_errmsg(db) : "");
	exit(1);
}

static void exec(struct sk_db *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench: %s: %s\n", sql, msg ? msg : "?");
		exit(1);
	}
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

static uint64_t rng = 0x9E3779B97F4A7C15u;
static unsigned rnd(unsigned n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 0x2545F4914F6CDD1Du) >> 33) % n;
}

static struct sk_db *open_db(const char *path, int create)
{
	char key[320], err[512];
	snprintf(key, sizeof(key), "%s.key", path);
	struct sk_db *db = NULL;
	if (sk_db_open(&db, path, create ? SK_DB_CREATE : 0, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	must(create ? sk_keys_create(db, key) : sk_keys_load(db, key), db, "keys");
	sk_db_set_actor(db, "bench");
	sk_db_set_command(db, "bench");
	return db;
}

/* The bank, blueprints and forms of the given tests. */
static void bank(struct sk_db *db, const char *const *tests, int ntests)
{
	for (int t = 0; t < ntests; t++) {
		char path[512];
		snprintf(path, sizeof(path), SHIKEN_ASSETS "/bank/%s.csv", tests[t]);
		import(db, sk_bank_import, path);
		snprintf(path, sizeof(path), SHIKEN_ASSETS "/bank/reviews-%s.csv", tests[t]);
		import(db, sk_review_import, path);
	}
	import(db, sk_blueprint_import, SHIKEN_ASSETS "/bank/blueprints.csv");
	for (int t = 0; t < ntests; t++) {
		struct sk_form_build_opts fo = { .count = t ? 4 : 6, .anchors = t ? 0 : 5, .seed = 3, .tolerance = 0.25 };
		struct sk_report rep = SK_REPORT_INIT;
		char **codes = NULL;
		size_t n = 0;
		must(sk_form_build(db, tests[t], &fo, &codes, &n, &rep), db, "forms");
		for (size_t i = 0; i < n; i++)
			free(codes[i]);
		free(codes);
		sk_report_release(&rep);
	}
}

static void venue(struct sk_db *db, const char *code, int rooms, int side)
{
	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "%s", code);
	snprintf(v->name, sizeof(v->name), "Hall");
	snprintf(v->country, sizeof(v->country), "JP");
	snprintf(v->city, sizeof(v->city), "Tokyo");
	snprintf(v->address, sizeof(v->address), "1-1");
	for (int r = 0; r < rooms; r++) {
		snprintf(v->rooms[r].code, sizeof(v->rooms[r].code), "R%d", r);
		v->rooms[r].rows = side;
		v->rooms[r].cols = side;
	}
	v->nrooms = (size_t)rooms;
	struct sk_report rep = SK_REPORT_INIT;
	int outcome;
	must(sk_venue_save(db, v, &outcome, &rep), db, "venue");
	sk_report_release(&rep);
	free(v);
}

static void sitting(struct sk_db *db, const char *code, const char *date, const char *venue_code,
		    const char *const *tests, int ntests)
{
	struct sk_sitting s;
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", code);
	snprintf(s.exam_date, sizeof(s.exam_date), "%s", date);
	snprintf(s.start_time, sizeof(s.start_time), "09:30");
	snprintf(s.venue, sizeof(s.venue), "%s", venue_code);
	snprintf(s.fee_currency, sizeof(s.fee_currency), "JPY");
	for (int t = 0; t < ntests; t++)
		snprintf(s.tests[t], sizeof(s.tests[t]), "%s", tests[t]);
	s.ntests = (size_t)ntests;
	struct sk_report rep = SK_REPORT_INIT;
	int outcome;
	must(sk_sitting_save(db, &s, "12000", &outcome, &rep), db, "sitting");
	sk_report_release(&rep);
}

/* n candidates and their registrations in bulk: candidate c (1-based from
 * first) in sitting `serial`, seat by seat, test by the pattern. */
static void register_bulk(struct sk_db *db, int first, int n, int serial, int side, const char *const *tests,
			  int ntests)
{
	char sql[1024];
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		 " INSERT INTO candidate (reference, family_name, given_name, date_of_birth, gender, nationality,"
		 " residence_country, passport_enc, passport_hash, email, former_intern, japanese_level,"
		 " created_at, updated_at)"
		 " SELECT printf('B%%06d', i), 'NGUYEN', 'VAN', printf('%%d-04-01', 1980 + i %% 25),"
		 " CASE i %% 3 WHEN 0 THEN 'F' ELSE 'M' END, CASE i %% 4 WHEN 0 THEN 'ID' WHEN 1 THEN 'PH' ELSE 'VN' END,"
		 " 'VN', randomblob(48), randomblob(32), 'c@example.com', i %% 2, 'N4',"
		 " '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z' FROM n",
		 first, first + n - 1);
	exec(db, "BEGIN");
	exec(db, sql);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql,
			       "INSERT INTO registration (exam_number, sitting_id, test_id, candidate_id, room_id,"
			       " seat_row, seat_col, fee_status, created_at)"
			       " SELECT ?1, s.id, t.id, c.id, rm.id, ?4, ?5, 'paid', '2026-11-01T00:00:00Z'"
			       " FROM sitting s, test t, candidate c, room rm JOIN venue v ON v.id = rm.venue_id"
			       " WHERE s.serial = ?6 AND t.code = ?7 AND c.reference = printf('B%06d', ?2)"
			       " AND v.id = s.venue_id AND rm.code = ?3",
			       -1, &st, NULL) != SQLITE_OK)
		must(SK_EDB, db, sqlite3_errmsg(db->sql));
	for (int i = 0; i < n; i++) {
		char examno[16], room[24];
		sk_examno_format(examno, serial, i + 1);
		snprintf(room, sizeof(room), "R%d", i / (side * side));
		sqlite3_bind_text(st, 1, examno, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, first + i);
		sqlite3_bind_text(st, 3, room, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 4, (i % (side * side)) / side + 1);
		sqlite3_bind_int(st, 5, i % side + 1);
		sqlite3_bind_int(st, 6, serial);
		sqlite3_bind_text(st, 7, tests[i % ntests], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			must(SK_EDB, db, sqlite3_errmsg(db->sql));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "UPDATE sitting SET next_seq = %d WHERE serial = %d", n + 1, serial);
	exec(db, sql);
	exec(db, "COMMIT");
}

static void papers(struct sk_db *db, const char *code)
{
	struct sk_paper_stats ps;
	struct sk_report rep = SK_REPORT_INIT;
	must(sk_paper_build(db, code, &ps, &rep), db, "papers");
	sk_report_release(&rep);
}

static unsigned char random_mark(int tf)
{
	unsigned r = rnd(1000);
	if (r < 20)
		return 0;
	if (r < 30)
		return tf ? 3 : 5;
	/* answers lean to option A (= the key about a third of the time) */
	return (unsigned char)(1u << (rnd(3) ? 0 : rnd(tf ? 2 : 3)));
}

static void setup_large(const char *path)
{
	static const char *const mm1[] = { "MM1" };
	struct sk_db *db = open_db(path, 1);
	bank(db, mm1, 1);
	venue(db, "BIG", ROOMS, SIDE);
	sitting(db, "BENCH1", "2026-12-13", "BIG", mm1, 1);
	sitting(db, "BENCH2", "2026-12-14", "BIG", mm1, 1);
	register_bulk(db, 1, PER_SITTING, 1, SIDE, mm1, 1);
	register_bulk(db, PER_SITTING + 1, PER_SITTING, 2, SIDE, mm1, 1);
	papers(db, "BENCH1");
	papers(db, "BENCH2");
	exec(db, "BEGIN");
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql,
			       "INSERT INTO response (registration_id, paper_code, marks, source, imported_at)"
			       " SELECT registration_id, code, ?2, 'bench.csv', '2026-12-20T00:00:00Z' FROM paper"
			       " WHERE registration_id = ?1", -1, &st, NULL) != SQLITE_OK)
		must(SK_EDB, db, sqlite3_errmsg(db->sql));
	for (int id = 1; id <= 2 * PER_SITTING; id++) {
		unsigned char marks[30];
		for (int p = 0; p < 30; p++)
			marks[p] = random_mark(p < 20);
		sqlite3_bind_int(st, 1, id);
		sqlite3_bind_blob(st, 2, marks, sizeof(marks), SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			must(SK_EDB, db, sqlite3_errmsg(db->sql));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	exec(db, "COMMIT");
	for (int k = 1; k <= 2; k++) {
		char code[16];
		snprintf(code, sizeof(code), "BENCH%d", k);
		struct sk_grade_stats gs;
		struct sk_report rep = SK_REPORT_INIT;
		must(sk_grade_sitting(db, code, 0, NULL, NULL, &gs, NULL, NULL, &rep), db, "grading");
		sk_report_release(&rep);
	}
	sk_db_close(db);
}

static void setup_small(const char *path)
{
	static const char *const tests[] = { "MM1", "EE1", "ST1" };
	struct sk_db *db = open_db(path, 1);
	bank(db, tests, 3);
	venue(db, "MID", 20, 10);
	sitting(db, "COPY", "2026-12-13", "MID", tests, 3);
	register_bulk(db, 1, SMALL, 1, 10, tests, 3);
	papers(db, "COPY");
	struct sk_simulate_opts so = { .seed = 5, .absent_percent = 3, .copiers = 10, .sharers = 10, .copy_share = 1 };
	struct sk_simulate_stats ss;
	struct sk_buf csv = SK_BUF_INIT;
	must(sk_simulate_responses(db, "COPY", &so, &csv, &ss), db, "simulating");
	char file[320];
	snprintf(file, sizeof(file), "%s/copy.csv", dir);
	FILE *f = fopen(file, "w");
	if (!f || fwrite(csv.buf, 1, csv.len, f) != csv.len || fclose(f)) {
		perror(file);
		exit(1);
	}
	sk_buf_release(&csv);
	free(ss.planted);
	struct sk_import_stats is;
	struct sk_report rep = SK_REPORT_INIT;
	must(sk_responses_import(db, file, NULL, 0, &is, &rep), db, "importing sheets");
	sk_import_stats_release(&is);
	sk_report_release(&rep);
	sk_db_close(db);
}

static int count_sheet(void *payload, const struct sk_sheet *sh)
{
	(void)sh;
	(*(size_t *)payload)++;
	return 0;
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char large[300], small[300];
	snprintf(large, sizeof(large), "%s/large.db", dir);
	snprintf(small, sizeof(small), "%s/small.db", dir);
	double t0 = bench_now();
	setup_large(large);
	bench_report("set up 100,000 graded answer sheets of 30 items", bench_now() - t0, "s", NULL);
	t0 = bench_now();
	setup_small(small);
	bench_report("set up a sitting of 2,000 with simulated sheets", bench_now() - t0, "s", NULL);

	struct sk_db *db = open_db(large, 0);
	double items[RUNS], read[RUNS], results[RUNS];
	struct sk_stats_selection sel = { .test = "MM1" };
	for (int run = 0; run < RUNS; run++) {
		struct sk_item_analysis a;
		t0 = bench_now();
		must(sk_stats_items(db, &sel, &a), db, "item analysis");
		items[run] = bench_now() - t0;
		if (a.sheets != 2 * PER_SITTING || a.nforms != 12)
			must(SK_EVERIFY, db, "not every sheet was analysed");
		sk_item_analysis_release(&a);

		struct sk_sheet_filter f = { .test = "MM1", .graded_only = 1 };
		size_t n = 0;
		t0 = bench_now();
		must(sk_grade_foreach_sheet(db, &f, count_sheet, &n, NULL), db, "reading sheets");
		read[run] = bench_now() - t0;
		if (n != 2 * PER_SITTING)
			must(SK_EVERIFY, db, "not every sheet was read");

		enum sk_stats_dim dims[] = { SK_DIM_NATIONALITY, SK_DIM_GENDER, SK_DIM_AGE_BAND };
		struct sk_stats_table t;
		struct sk_stats_selection all = { 0 };
		t0 = bench_now();
		must(sk_stats_results(db, &all, dims, 3, 5, &t), db, "population report");
		results[run] = bench_now() - t0;
		if (t.total.candidates != 2 * PER_SITTING)
			must(SK_EVERIFY, db, "not every registration was counted");
		sk_stats_table_release(&t);
	}
	sk_db_close(db);
	double m_items = bench_median(items, RUNS), m_read = bench_median(read, RUNS);
	bench_report("item analysis, 100,000 sheets x 30 items (end to end)", m_items, "s", "< 1 s");
	bench_report("  of which reading and scoring the sheets", m_read, "s", NULL);
	bench_report("population report of 100,000 registrations, 3 dimensions", bench_median(results, RUNS), "s", NULL);

	db = open_db(small, 0);
	double copy[RUNS];
	size_t found = 0, flagged = 0;
	struct sk_collusion_opts co = { .alpha = SK_COLLUSION_ALPHA, .min_compared = SK_COLLUSION_MIN_COMPARED };
	for (int run = 0; run < RUNS; run++) {
		struct sk_collusion_result r;
		t0 = bench_now();
		must(sk_collusion_sitting(db, "COPY", &co, &r), db, "copying check");
		copy[run] = bench_now() - t0;
		flagged = r.npairs;
		found = r.candidates;
		sk_collusion_result_release(&r);
	}
	sk_db_close(db);
	if (found < SMALL * 9 / 10)
		must(SK_EVERIFY, NULL, "the sitting lacks its sheets");
	bench_report("answer-copying check, sitting of 2,000 (end to end)", bench_median(copy, RUNS), "s", "< 2 s");
	bench_report("  pairs flagged (20 planted, copying whole sheets)", (double)flagged, "pairs", NULL);
	/* leave nothing behind */
	static const char *const names[] = { "large.db", "large.db.key", "large.db-wal", "large.db-shm", "small.db",
					     "small.db.key", "small.db-wal", "small.db-shm", "copy.csv" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[320];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}
