/*
 * Grading: 100,000 registrations of 30 items each graded and written (the
 * goal: under 3 s). An exam number holds at most 99,999 registrations a
 * sitting, so the 100,000 sit in two sittings of 50,000, graded one after
 * the other; the figure is both together.
 *
 * The registry is set up once and copied for each of three runs, so every
 * run grades from nothing. Set-up takes shortcuts where they change nothing
 * grading sees: candidates and registrations are inserted with bulk SQL
 * (seats in order, exam numbers from sk_examno_format), answer sheets with
 * one prepared statement (random marks, 3 % absent, 1 in 1,000
 * disqualified). The bank, the six MM1 forms and every paper are built the
 * normal way (sk_form_build, sk_paper_build), so grading rebuilds exactly
 * the papers the registry records.
 *
 * Also measured: grading again with nothing new (reads and compares only),
 * and listing the changes after a key correction of an item on every paper.
 */
#include "bench.h"
#include "core/bank.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/keys.h"
#include "core/report.h"
#include "core/sitting.h"
#include "core/venue.h"
#include "exam/form.h"
#include "exam/grade.h"
#include "exam/paper.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUNS 3
#define PER_SITTING 50000
#define ROOMS 8
#define SIDE 80 /* 8 rooms of 80 x 80 = 51,200 seats */

static char dir[] = "/tmp/shiken-bench-grade.XXXXXX";

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

/* xorshift64*: the marks need to be varied, not secret. */
static uint64_t rng = 0x9E3779B97F4A7C15u;
static unsigned rnd(unsigned n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 0x2545F4914F6CDD1Du) >> 33) % n;
}

static unsigned char random_mark(int tf)
{
	unsigned r = rnd(1000);
	if (r < 20)
		return 0;                   /* blank */
	if (r < 30)
		return tf ? 3 : 5;          /* several marks */
	if (r < 32)
		return 0x80;                /* unclear */
	return (unsigned char)(1u << rnd(tf ? 2 : 3)); /* every MM1 item has at least 3 options */
}

static void setup(const char *path)
{
	char key[320], err[512];
	snprintf(key, sizeof(key), "%s.key", path);
	struct sk_db *db = NULL;
	if (sk_db_open(&db, path, SK_DB_CREATE, err, sizeof(err)) || sk_keys_create(db, key)) {
		fprintf(stderr, "bench: %s\n", db ? sk_db_errmsg(db) : err);
		exit(1);
	}
	sk_db_set_actor(db, "bench");
	sk_db_set_command(db, "bench");
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

	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "BIG");
	snprintf(v->name, sizeof(v->name), "Hall");
	snprintf(v->country, sizeof(v->country), "JP");
	snprintf(v->city, sizeof(v->city), "Tokyo");
	snprintf(v->address, sizeof(v->address), "1-1");
	for (int r = 0; r < ROOMS; r++) {
		snprintf(v->rooms[r].code, sizeof(v->rooms[r].code), "R%d", r);
		v->rooms[r].rows = SIDE;
		v->rooms[r].cols = SIDE;
	}
	v->nrooms = ROOMS;
	int outcome;
	must(sk_venue_save(db, v, &outcome, &rep), db, "venue");
	free(v);
	for (int k = 1; k <= 2; k++) {
		struct sk_sitting s;
		memset(&s, 0, sizeof(s));
		snprintf(s.code, sizeof(s.code), "BENCH%d", k);
		snprintf(s.exam_date, sizeof(s.exam_date), "2026-12-%02d", 12 + k);
		snprintf(s.start_time, sizeof(s.start_time), "09:30");
		snprintf(s.venue, sizeof(s.venue), "BIG");
		snprintf(s.fee_currency, sizeof(s.fee_currency), "JPY");
		snprintf(s.tests[0], sizeof(s.tests[0]), "MM1");
		s.ntests = 1;
		must(sk_sitting_save(db, &s, "12000", &outcome, &rep), db, "sitting");
	}
	sk_report_release(&rep);

	/* Candidates and registrations in bulk. */
	exec(db, "BEGIN");
	exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)"
		 " INSERT INTO candidate (reference, family_name, given_name, date_of_birth, gender, nationality,"
		 " residence_country, passport_enc, passport_hash, email, created_at, updated_at)"
		 " SELECT printf('B%06d', i), 'NGUYEN', 'VAN', '1998-04-01', 'M', 'VN', 'VN', randomblob(48),"
		 " randomblob(32), 'c@example.com', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z' FROM n");
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql,
			       "INSERT INTO registration (exam_number, sitting_id, test_id, candidate_id, room_id,"
			       " seat_row, seat_col, fee_status, created_at)"
			       " SELECT ?1, s.id, t.id, ?2, rm.id, ?4, ?5, 'paid', '2026-11-01T00:00:00Z'"
			       " FROM sitting s, test t, room rm JOIN venue v ON v.id = rm.venue_id"
			       " WHERE s.serial = ?6 AND t.code = 'MM1' AND v.code = 'BIG' AND rm.code = ?3",
			       -1, &st, NULL) != SQLITE_OK)
		must(SK_EDB, db, sqlite3_errmsg(db->sql));
	for (int k = 1; k <= 2; k++) {
		for (int i = 0; i < PER_SITTING; i++) {
			char examno[16], room[8];
			sk_examno_format(examno, k, i + 1);
			snprintf(room, sizeof(room), "R%d", i / (SIDE * SIDE));
			sqlite3_bind_text(st, 1, examno, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(st, 2, (k - 1) * PER_SITTING + i + 1);
			sqlite3_bind_text(st, 3, room, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(st, 4, (i % (SIDE * SIDE)) / SIDE + 1);
			sqlite3_bind_int(st, 5, i % SIDE + 1);
			sqlite3_bind_int(st, 6, k);
			if (sqlite3_step(st) != SQLITE_DONE)
				must(SK_EDB, db, sqlite3_errmsg(db->sql));
			sqlite3_reset(st);
		}
	}
	sqlite3_finalize(st);
	exec(db, "UPDATE sitting SET next_seq = 50001");
	exec(db, "COMMIT");

	/* Papers the normal way. */
	for (int k = 1; k <= 2; k++) {
		char code[16];
		snprintf(code, sizeof(code), "BENCH%d", k);
		struct sk_paper_stats ps;
		must(sk_paper_build(db, code, &ps, &rep), db, "papers");
		if (ps.built != PER_SITTING)
			must(SK_EVERIFY, db, "not every registration got a paper");
	}

	/* Answer sheets: 30 positions, 学科 (○×) first. */
	exec(db, "BEGIN");
	if (sqlite3_prepare_v2(db->sql,
			       "INSERT INTO response (registration_id, paper_code, marks, source, imported_at)"
			       " SELECT registration_id, code, ?2, 'bench.csv', '2026-12-20T00:00:00Z' FROM paper"
			       " WHERE registration_id = ?1", -1, &st, NULL) != SQLITE_OK)
		must(SK_EDB, db, sqlite3_errmsg(db->sql));
	for (int id = 1; id <= 2 * PER_SITTING; id++) {
		if (rnd(100) < 3)
			continue; /* absent */
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
	exec(db, "INSERT INTO incident (registration_id, kind, disqualify, note, proctor, created_at)"
		 " SELECT id, 'cheating', 1, 'phone', 'P', '2026-12-13T10:00:00Z' FROM registration WHERE id % 1000 = 7");
	exec(db, "COMMIT");
	sk_db_close(db);
}

static int64_t count(struct sk_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb");
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!in || !out) {
		perror(to);
		exit(1);
	}
	char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n) {
			perror(to);
			exit(1);
		}
	fclose(in);
	fclose(out);
}

static struct sk_db *open_copy(const char *base, int run)
{
	char path[300], key[320], base_key[320], err[512];
	snprintf(path, sizeof(path), "%s/run%d.db", dir, run);
	snprintf(key, sizeof(key), "%s.key", path);
	snprintf(base_key, sizeof(base_key), "%s.key", base);
	char side[320];
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	copy_file(base, path);
	copy_file(base_key, key);
	struct sk_db *db = NULL;
	if (sk_db_open(&db, path, 0, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	must(sk_keys_load(db, key), db, "keys");
	sk_db_set_actor(db, "bench");
	sk_db_set_command(db, "grade");
	return db;
}

static size_t grade_both(struct sk_db *db, int flags, size_t *changed)
{
	size_t graded = 0;
	*changed = 0;
	for (int k = 1; k <= 2; k++) {
		char code[16];
		snprintf(code, sizeof(code), "BENCH%d", k);
		struct sk_grade_stats st;
		struct sk_report rep = SK_REPORT_INIT;
		must(sk_grade_sitting(db, code, flags, NULL, NULL, &st, NULL, NULL, &rep), db, "grading");
		if (rep.count)
			must(SK_EVERIFY, db, "grading reported problems");
		sk_report_release(&rep);
		graded += st.graded;
		*changed += st.changed;
	}
	return graded;
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char base[300];
	snprintf(base, sizeof(base), "%s/base.db", dir);
	double t0 = bench_now();
	setup(base);
	bench_report("set up 100,000 registrations with papers and answer sheets", bench_now() - t0, "s", NULL);

	double first[RUNS], again[RUNS], rekey[RUNS];
	for (int run = 0; run < RUNS; run++) {
		struct sk_db *db = open_copy(base, run);
		size_t changed;
		t0 = bench_now();
		size_t graded = grade_both(db, 0, &changed);
		first[run] = bench_now() - t0;
		if (graded != 2 * PER_SITTING)
			must(SK_EVERIFY, db, "not every registration was graded");
		if (count(db, "SELECT count(*) FROM result") != 2 * PER_SITTING)
			must(SK_EVERIFY, db, "results were not written");
		t0 = bench_now();
		grade_both(db, 0, &changed);
		again[run] = bench_now() - t0;
		if (changed)
			must(SK_EVERIFY, db, "grading again changed results");
		/* An anchor (on every paper) accepts every answer: list what changes. */
		sqlite3_stmt *st = NULL;
		sqlite3_prepare_v2(db->sql,
				   "SELECT i.code FROM form_item fi JOIN item_version v ON v.id = fi.item_version_id"
				   " JOIN item i ON i.id = v.item_id WHERE fi.anchor = 1 LIMIT 1", -1, &st, NULL);
		char anchor[40] = "";
		if (sqlite3_step(st) == SQLITE_ROW)
			snprintf(anchor, sizeof(anchor), "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		must(sk_item_rekey(db, anchor, 0, "bench"), db, "rekey");
		t0 = bench_now();
		grade_both(db, SK_GRADE_DRY_RUN, &changed);
		rekey[run] = bench_now() - t0;
		if (!changed)
			must(SK_EVERIFY, db, "a key correction changed nothing");
		sk_db_close(db);
		char path[300];
		snprintf(path, sizeof(path), "%s/run%d.db", dir, run);
		unlink(path);
	}
	bench_report("grade 100,000 registrations x 30 items", bench_median(first, RUNS), "s", "< 3 s");
	bench_report("grade them again: nothing new", bench_median(again, RUNS), "s", NULL);
	bench_report("list the changes a key correction makes", bench_median(rekey, RUNS), "s", NULL);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
