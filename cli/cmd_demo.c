/*
 * shiken demo: the whole job end to end on a fresh database in a folder of
 * its own. Every step runs through the same command code staff use
 * (cli_run), so the demo is also a smoke test of the real commands. It grows
 * with each part of the system.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/import.h"
#include "core/synth.h"
#include "core/db.h"
#include "exam/certificate.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
	N_("usage: shiken demo [--out DIR] [--count N] [--seed S] [--force] [--assets DIR]\n"
	   "\n"
	   "Run the whole job on a fresh database in DIR (default ./demo-out):\n"
	   "generate N sample candidates (default 300) with photos, import them with\n"
	   "venues and sittings, register them, record fees, show how a file with\n"
	   "mistakes is refused, import the sample question bank with its reviews,\n"
	   "build parallel forms and every candidate's paper, print, grade simulated\n"
	   "answer sheets, print result notices, issue, print and verify certificates,\n"
	   "export the registry, verify the audit log and make a backup. --force\n"
	   "replaces an earlier demo in DIR; --assets names the folder with the sample\n"
	   "bank (default: ./assets or the one beside the binary).\n");

struct demo {
	struct cli cli;
	char dir[2048];
	char path[4096];
	int step;
};

static const char *at(struct demo *d, const char *name)
{
	snprintf(d->path, sizeof(d->path), "%s/%s", d->dir, name);
	return d->path;
}

static void heading(struct demo *d, const char *title)
{
	printf("\n== %d. %s ==\n", ++d->step, title);
	fflush(stdout);
}

/* A staff account for the web check-in station (shiken serve, /checkin):
 * an admin with a random password, kept in a file of mode 0600, given to
 * the real command on its standard input (--password-stdin). 0 or an exit
 * code. */
static int demo_staff(struct demo *d, char *password_file, size_t cap);

/* Run a shiken command; argv is NULL-terminated. */
static int run(struct demo *d, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	va_start(ap, d);
	char *a;
	printf("$ shiken");
	while ((a = va_arg(ap, char *)) && argc < 31) {
		argv[argc++] = a;
		printf(" %s", a);
	}
	va_end(ap);
	argv[argc] = NULL;
	printf("\n");
	fflush(stdout);
	int rc = cli_run(&d->cli, argc, argv);
	fflush(stdout);
	fflush(stderr);
	return rc;
}

static int write_file(const char *path, const struct sk_buf *b)
{
	FILE *f = fopen(path, "w");
	if (!f || fwrite(b->buf, 1, b->len, f) != b->len || fclose(f) != 0) {
		cli_error(_("cannot write '%s': %s"), path, strerror(errno));
		return -1;
	}
	return 0;
}

struct place {
	const char *country, *sitting, *venue, *tests, *fee, *currency;
	const char *methods[3];
};

static const struct place places[] = {
	{ "JP", "2026-12-TOKYO", "TKY1", "MM1;EE1;ST1;MM2;EE2;ST2", "12000", "JPY",
	  { "bank_transfer", "convenience_store", "card" } },
	{ "VN", "2026-12-HANOI", "HAN1", "MM1;EE1;ST1", "800000", "VND", { "bank_transfer", "cash", "online" } },
	{ "ID", "2026-12-JAKARTA", "JKT1", "MM1;EE1;ST1", "450000", "IDR", { "online", "bank_transfer", "cash" } },
	{ "PH", "2027-01-MANILA", "MNL1", "MM1;EE1", "2500", "PHP", { "cash", "online", "bank_transfer" } },
};
#define NPLACES (sizeof(places) / sizeof(places[0]))

static const struct place *place_for(const char *residence)
{
	for (size_t i = 0; i < NPLACES; i++)
		if (!strcmp(places[i].country, residence))
			return &places[i];
	return NULL;
}

static int write_inputs(struct demo *d, uint64_t seed, size_t count, struct sk_date *today)
{
	struct sk_buf b = SK_BUF_INIT;
	/* Venues: one row per room. */
	sk_buf_adds(&b, "venue,name,country,city,address,room,rows,columns\n"
			"TKY1,東京試験センター,JP,東京都千代田区,千代田区神田一丁目2-3 神田ビル5階,A,8,10\n"
			"TKY1,東京試験センター,JP,東京都千代田区,千代田区神田一丁目2-3 神田ビル5階,B,6,8\n"
			"HAN1,Hanoi Test Centre,VN,Hà Nội,\"12 Trần Hưng Đạo, Hoàn Kiếm\",A,8,10\n"
			"HAN1,Hanoi Test Centre,VN,Hà Nội,\"12 Trần Hưng Đạo, Hoàn Kiếm\",B,6,8\n"
			"JKT1,Jakarta Test Centre,ID,Jakarta,\"Jl. Jend. Sudirman Kav. 21\",A,6,8\n"
			"MNL1,Manila Test Centre,PH,Manila,\"1200 Ayala Avenue, Makati\",A,5,8\n");
	if (write_file(at(d, "input/venues.csv"), &b))
		goto fail;
	sk_buf_reset(&b);
	sk_buf_adds(&b, "sitting,date,start_time,venue,tests,capacity,fee,currency\n");
	static const char *dates[] = { "2026-12-13", "2026-12-13", "2026-12-20", "2027-01-17" };
	for (size_t i = 0; i < NPLACES; i++)
		sk_buf_addf(&b, "%s,%s,09:30,%s,%s,,%s,%s\n", places[i].sitting, dates[i], places[i].venue,
			    places[i].tests, places[i].fee, places[i].currency);
	if (write_file(at(d, "input/sittings.csv"), &b))
		goto fail;

	/* Registrations by where candidates live; fees for most of them. */
	struct sk_buf fees = SK_BUF_INIT;
	sk_buf_reset(&b);
	sk_buf_adds(&b, "reference,sitting,test\n");
	sk_buf_adds(&fees, "reference,sitting,amount,currency,paid_at,method,receipt,kind\n");
	char paid_at[11];
	struct sk_date pd;
	size_t refund_done = 0;
	for (size_t i = 0; i < count; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, seed, i, 2026);
		const struct place *p = place_for(c.residence_country);
		if (!p)
			continue;
		unsigned h = (unsigned)((i * 2654435761u) >> 7) % 100;
		const char *test = h < 55 ? "MM1" : h < 85 ? "EE1" : "ST1";
		if (!strcmp(p->country, "PH") && !strcmp(test, "ST1"))
			test = "MM1";
		sk_buf_addf(&b, "%s,%s,%s\n", c.reference, p->sitting, test);
		sk_date_from_days(&pd, sk_date_days(today) - 1 - (long)(h % 20));
		sk_date_format(paid_at, &pd);
		if (h < 88) {
			sk_buf_addf(&fees, "%s,%s,%s,%s,%s,%s,R-%s-%05zu,payment\n", c.reference, p->sitting,
				    p->fee, p->currency, paid_at, p->methods[h % 3], p->venue, i + 1);
			if (h == 7 && !refund_done++)
				sk_buf_addf(&fees, "%s,%s,%s,%s,%s,%s,R-%s-%05zu-REFUND,refund\n", c.reference,
					    p->sitting, p->fee, p->currency, paid_at, p->methods[0], p->venue, i + 1);
		} else if (h < 91) {
			sk_buf_addf(&fees, "%s,%s,,%s,%s,voucher,W-%s-%05zu,waiver\n", c.reference, p->sitting,
				    p->currency, paid_at, p->venue, i + 1);
		}
	}
	int bad = write_file(at(d, "input/registrations.csv"), &b) ||
		  write_file(at(d, "input/fees.csv"), &fees);
	sk_buf_release(&fees);
	if (bad)
		goto fail;

	/* A file with mistakes, to show that it is refused whole. */
	struct sk_synth_candidate c0;
	sk_synth_candidate(&c0, seed, 0, 2026);
	sk_buf_reset(&b);
	sk_buf_addf(&b,
		    "reference,family_name,given_name,date_of_birth,gender,nationality,residence_country,passport_number,email\n"
		    "LATE-0001,TRAN,THI MAI,1999-02-30,F,VN,VN,C7654321,mai.tran@example.com\n"
		    "LATE-0002,SANTOS,JOSE,2000-07-14,M,XX,PH,P1234567B,jose.santos@example.com\n"
		    "LATE-0003,NGUYEN,VAN AN,2001-05-06,M,VN,VN,%s,an.nguyen@example.com\n"
		    "LATE-0004,PUTRI,AYU,2002-01-09,F,ID,ID,B9876543,ayu.putri@example.com\n",
		    c0.passport_number);
	if (write_file(at(d, "input/candidates-with-mistakes.csv"), &b))
		goto fail;
	sk_buf_release(&b);
	return 0;
fail:
	sk_buf_release(&b);
	return -1;
}

/* Certificates point at the web service (shiken serve) on this machine. */
#define DEMO_BASE_URL "http://127.0.0.1:8080"

static int first_token(void *payload, const struct sk_cert_row *row)
{
	snprintf(payload, SK_JWS_MAX_TOKEN + 1, "%s", row->token);
	return 1;
}

/* The URL the QR code of the demo's first certificate holds. */
static int first_cert_url(const char *db_path, char *out, size_t cap)
{
	struct sk_db *db = NULL;
	char err[512], token[SK_JWS_MAX_TOKEN + 1] = "";
	if (sk_db_open(&db, db_path, 0, err, sizeof(err))) {
		cli_error("%s", err);
		return -1;
	}
	int rc = sk_cert_foreach(db, "valid", first_token, token);
	if (rc != 1 || !*token) {
		cli_error("%s", rc && rc != 1 ? sk_db_errmsg(db) : _("no certificates"));
		sk_db_close(db);
		return -1;
	}
	sk_db_close(db);
	snprintf(out, cap, "%s/c/%s", DEMO_BASE_URL, token);
	return 0;
}

/* The assets folder: as given, else ./assets, else beside the binary
 * (build/cli/shiken -> assets/). */
static int find_assets(char *out, size_t cap, const char *given)
{
	char probe[4200];
	if (given) {
		snprintf(out, cap, "%s", given);
		snprintf(probe, sizeof(probe), "%s/bank/blueprints.csv", out);
		return access(probe, R_OK) ? -1 : 0;
	}
	snprintf(out, cap, "assets");
	if (access("assets/bank/blueprints.csv", R_OK) == 0)
		return 0;
	char exe[2000];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	snprintf(out, cap, "%s/../../assets", exe);
	snprintf(probe, sizeof(probe), "%s/bank/blueprints.csv", out);
	return access(probe, R_OK) ? -1 : 0;
}

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },  { "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' }, { "force", no_argument, NULL, 'f' },
		{ "assets", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, usage);
		return EXIT_OK;
	}
	const char *out = "demo-out", *assets_opt = NULL;
	unsigned long count = 300, seed = 2026;
	int force = 0;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'o': out = optarg; break;
		case 'n':
			count = strtoul(optarg, &end, 10);
			if (*end || count < 10 || count > 1000)
				return cli_bad_usage(usage, "%s", _("--count takes a number from 10 to 1000"));
			break;
		case 's':
			seed = strtoul(optarg, &end, 10);
			if (*end)
				return cli_bad_usage(usage, _("'%s' is not a number"), optarg);
			break;
		case 'f': force = 1; break;
		case 'a': assets_opt = optarg; break;
		case ':':
			return cli_bad_usage(usage, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage, _("unexpected argument '%s'"), argv[optind]);

	char assets[2048];
	if (find_assets(assets, sizeof(assets), assets_opt)) {
		cli_error("%s", _("cannot find the sample question bank (assets/bank); give --assets DIR"));
		return EXIT_FAIL;
	}
	struct demo *d = calloc(1, sizeof(*d));
	if (!d)
		return EXIT_FAIL;
	int code = EXIT_FAIL;
	snprintf(d->dir, sizeof(d->dir), "%s", out);
	char db_path[4096], key_path[4096];
	snprintf(db_path, sizeof(db_path), "%s/shiken.db", out);
	snprintf(key_path, sizeof(key_path), "%s/shiken.db.key", out);
	if (access(db_path, F_OK) == 0) {
		if (!force) {
			cli_error(_("'%s' holds an earlier demo; use --force to replace it"), out);
			goto done;
		}
		const char *old[] = { "shiken.db", "shiken.db-wal", "shiken.db-shm", "shiken.db.key",
				      "backup/shiken-backup.db", "backup/shiken-backup.db.key" };
		for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++)
			unlink(at(d, old[i]));
	}
	const char *dirs[] = { "", "/input", "/export", "/backup" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s%s", out, dirs[i]);
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			cli_error(_("cannot create '%s': %s"), p, strerror(errno));
			goto done;
		}
	}
	d->cli = *cli;
	d->cli.db_path = db_path;
	d->cli.key_override = key_path;

	int64_t fixed = -1;
	if (cli_fixed_now(&fixed))
		goto done;
	struct sk_date today;
	sk_date_from_time(&today, fixed >= 0 ? fixed : (long long)time(NULL));

	char count_s[24], seed_s[24], photos_s[24];
	snprintf(count_s, sizeof(count_s), "%lu", count);
	snprintf(seed_s, sizeof(seed_s), "%lu", seed);
	snprintf(photos_s, sizeof(photos_s), "%lu", count);
	char cand_csv[4096];
	snprintf(cand_csv, sizeof(cand_csv), "%s/input/candidates.csv", out);

	heading(d, _("a new registry database and its key file"));
	if (run(d, "init", NULL))
		goto done;
	heading(d, _("the tests: three manufacturing categories, 1号 and 2号"));
	if (run(d, "test", "list", NULL))
		goto done;
	heading(d, _("sample applicants with photos (synthetic, deterministic from the seed)"));
	if (run(d, "generate", "candidates", "--count", count_s, "--seed", seed_s, "--photos",
		photos_s, "--out", cand_csv, NULL))
		goto done;
	if (write_inputs(d, seed, count, &today))
		goto done;
	heading(d, _("import the applicants, venues and sittings"));
	if (run(d, "candidate", "import", cand_csv, NULL) ||
	    run(d, "venue", "import", at(d, "input/venues.csv"), NULL))
		goto done;
	char sittings_csv[4096];
	snprintf(sittings_csv, sizeof(sittings_csv), "%s/input/sittings.csv", out);
	if (run(d, "sitting", "import", sittings_csv, NULL))
		goto done;
	heading(d, _("importing the same file again changes nothing"));
	if (run(d, "candidate", "import", cand_csv, NULL))
		goto done;
	heading(d, _("a file with mistakes is refused whole, each mistake named"));
	char bad_csv[4096];
	snprintf(bad_csv, sizeof(bad_csv), "%s/input/candidates-with-mistakes.csv", out);
	if (run(d, "candidate", "import", bad_csv, NULL) != EXIT_FAIL) {
		cli_error("%s", _("the file with mistakes was not refused"));
		goto done;
	}
	printf("%s\n", _("(refused as expected: nothing was imported)"));
	heading(d, _("register candidates: exam numbers and random seats"));
	char reg_csv[4096], fee_csv[4096];
	snprintf(reg_csv, sizeof(reg_csv), "%s/input/registrations.csv", out);
	snprintf(fee_csv, sizeof(fee_csv), "%s/input/fees.csv", out);
	if (run(d, "register", "import", reg_csv, NULL))
		goto done;
	heading(d, _("record fees"));
	if (run(d, "fee", "import", fee_csv, NULL))
		goto done;
	if (run(d, "sitting", "list", NULL))
		goto done;
	heading(d, _("the question bank: items, the committee's reviews, blueprints"));
	char bank[3][4096], reviews[3][4096], blueprints[4096];
	static const char *bank_tests[] = { "MM1", "EE1", "ST1" };
	for (int t = 0; t < 3; t++) {
		snprintf(bank[t], sizeof(bank[t]), "%s/bank/%s.csv", assets, bank_tests[t]);
		snprintf(reviews[t], sizeof(reviews[t]), "%s/bank/reviews-%s.csv", assets, bank_tests[t]);
		if (run(d, "bank", "import", bank[t], NULL) || run(d, "item", "review", "--from", reviews[t], NULL))
			goto done;
	}
	snprintf(blueprints, sizeof(blueprints), "%s/bank/blueprints.csv", assets);
	if (run(d, "blueprint", "import", blueprints, NULL) || run(d, "blueprint", "show", "--test", "MM1", NULL))
		goto done;
	heading(d, _("parallel forms: six for MM1 with five anchors, four for EE1 and ST1"));
	if (run(d, "form", "build", "--test", "MM1", "--count", "6", "--anchors", "5", "--seed", seed_s, NULL) ||
	    run(d, "form", "build", "--test", "EE1", "--count", "4", "--seed", seed_s, NULL) ||
	    run(d, "form", "build", "--test", "ST1", "--count", "4", "--seed", seed_s, NULL) ||
	    run(d, "form", "sample", "--test", "MM1", NULL))
		goto done;
	heading(d, _("papers: a form per seat (no neighbour shares one), items and options shuffled"));
	for (size_t i = 0; i < NPLACES; i++)
		if (run(d, "paper", "build", "--sitting", places[i].sitting, NULL))
			goto done;
	char first[SK_EXAMNO_LEN + 1];
	sk_examno_format(first, 1, 1);
	if (run(d, "paper", "show", first, NULL) || run(d, "paper", "key", first, NULL) ||
	    run(d, "paper", "verify", "--sitting", places[0].sitting, NULL))
		goto done;
	heading(d, _("print: booklets with answer sheets (one bundle per room), admission tickets, rosters"));
	char print_dir[4096];
	snprintf(print_dir, sizeof(print_dir), "%s/print/%s", out, places[0].sitting);
	if (run(d, "print", "booklets", "--sitting", places[0].sitting, "--bundle", "--out", print_dir, NULL) ||
	    run(d, "print", "tickets", "--sitting", places[0].sitting, "--out", print_dir, NULL) ||
	    run(d, "print", "rosters", "--sitting", places[0].sitting, "--out", print_dir, NULL))
		goto done;
	/* Check-in at the door (cli/cmd_checkin.c), before grading. */
	heading(d, _("check-in: a station per room scans tickets and checks passports; the rooms close"));
	if (cli_checkin_demo(&d->cli, out, places[0].sitting, seed, count))
		goto done;
	heading(d, _("after the sitting: answer sheets back from the OMR service (simulated), one incident"));
	char resp_csv[4096], notice_csv[4200], ledger_csv[4096], caught[SK_EXAMNO_LEN + 1];
	snprintf(resp_csv, sizeof(resp_csv), "%s/input/responses-%s.csv", out, places[0].sitting);
	snprintf(notice_csv, sizeof(notice_csv), "%s/notices-mail-merge.csv", print_dir);
	snprintf(ledger_csv, sizeof(ledger_csv), "%s/export/ledger.csv", out);
	sk_examno_format(caught, 1, 7);
	if (run(d, "generate", "responses", "--sitting", places[0].sitting, "--seed", seed_s, "--out", resp_csv,
		NULL) ||
	    run(d, "responses", "import", resp_csv, NULL) ||
	    run(d, "incident", "add", caught, "--kind", "cheating", "--disqualify", "--note",
		_("copied from a neighbour's answer sheet; sheet taken, candidate warned"), "--proctor",
		"Demo Proctor", NULL))
		goto done;
	heading(d, _("grade every sheet against its own paper; counts per test"));
	if (run(d, "grade", "--sitting", places[0].sitting, NULL) || run(d, "grade", "--sitting", places[0].sitting, NULL))
		goto done;
	heading(d, _("an appeal: one candidate's result item by item"));
	if (run(d, "result", "show", first, NULL))
		goto done;
	heading(d, _("result notices (one PDF each, a bundle, a mail-merge list) and the candidate ledger"));
	if (run(d, "print", "notices", "--sitting", places[0].sitting, "--out", print_dir, "--csv", notice_csv,
		NULL) ||
	    run(d, "print", "notices", "--sitting", places[0].sitting, "--bundle", "--out", print_dir, NULL) ||
	    run(d, "ledger", "export", "--excel", "--out", ledger_csv, NULL))
		goto done;
	heading(d, _("certificates: issuer and base URL, a signing key, one per pass, printed, one verified"));
	char cert_url[SK_JWS_MAX_TOKEN + 64];
	/* The database is new: it has no signing key yet. */
	if (run(d, "config", "set", "cert.issuer", DEMO_BASE_URL, NULL) ||
	    run(d, "config", "set", "cert.base_url", DEMO_BASE_URL, NULL) || run(d, "keys", "generate", NULL) ||
	    run(d, "cert", "issue", "--sitting", places[0].sitting, NULL) ||
	    run(d, "cert", "issue", "--sitting", places[0].sitting, NULL) ||
	    run(d, "print", "certificates", "--sitting", places[0].sitting, "--out", print_dir, NULL) ||
	    run(d, "print", "certificates", "--sitting", places[0].sitting, "--bundle", "--out", print_dir, NULL) ||
	    first_cert_url(db_path, cert_url, sizeof(cert_url)) || run(d, "verify", cert_url, NULL))
		goto done;
	/* One character changed: the signature no longer matches. */
	size_t mid = strlen(cert_url) - 20;
	cert_url[mid] = cert_url[mid] == 'A' ? 'B' : 'A';
	if (run(d, "verify", cert_url, NULL) != EXIT_VERIFY) {
		cli_error("%s", _("an altered certificate was not refused"));
		goto done;
	}
	printf("%s\n", _("(refused as expected: the altered certificate is not valid)"));
	heading(d, _("export the registry"));
	char exp_c[4096], exp_p[4096], exp_r[4096], exp_f[4096], exp_u[4096];
	snprintf(exp_c, sizeof(exp_c), "%s/export/candidates.csv", out);
	snprintf(exp_p, sizeof(exp_p), "%s/export/photos", out);
	snprintf(exp_r, sizeof(exp_r), "%s/export/registrations.csv", out);
	snprintf(exp_f, sizeof(exp_f), "%s/export/fees.csv", out);
	snprintf(exp_u, sizeof(exp_u), "%s/export/unpaid.csv", out);
	if (run(d, "candidate", "export", "--excel", "--photos", exp_p, "--out", exp_c, NULL) ||
	    run(d, "register", "list", "--csv", "--out", exp_r, NULL) ||
	    run(d, "register", "list", "--unpaid", "--csv", "--out", exp_u, NULL) ||
	    run(d, "fee", "list", "--csv", "--out", exp_f, NULL))
		goto done;
	heading(d, _("a staff account for the web check-in station (shiken serve, /checkin)"));
	char password_file[4096];
	if (demo_staff(d, password_file, sizeof(password_file)) || run(d, "staff", "list", NULL))
		goto done;
	heading(d, _("verify the audit log and back up"));
	if (run(d, "audit", "verify", NULL) ||
	    run(d, "backup", at(d, "backup/shiken-backup.db"), "--with-key", NULL))
		goto done;

	/* ---- statistics (issue 8): its own block, kept apart ---- */
	heading(d, _("statistics: results by nationality, item analysis, forms, answer copying, the report"));
	char st_results[4096], st_items[4096], st_report[4200];
	snprintf(st_results, sizeof(st_results), "%s/export/results-by-nationality.csv", out);
	snprintf(st_items, sizeof(st_items), "%s/export/items-MM1.csv", out);
	snprintf(st_report, sizeof(st_report), "%s/report.pdf", print_dir);
	if (run(d, "stats", "results", "--sitting", places[0].sitting, "--by", "test,nationality", "--out", st_results,
		NULL) ||
	    run(d, "stats", "items", "--test", "MM1", "--sitting", places[0].sitting, "--csv", "--out", st_items, NULL) ||
	    run(d, "stats", "forms", "--test", "MM1", "--sitting", places[0].sitting, NULL) ||
	    run(d, "stats", "collusion", "--sitting", places[0].sitting, NULL) ||
	    run(d, "print", "report", "--sitting", places[0].sitting, "--out", st_report, NULL))
		goto done;
	printf("  %-40s %s\n", st_results, _("results by test and nationality (small groups hidden)"));
	printf("  %-40s %s\n", st_items, _("item analysis of MM1 for the expert committee"));
	printf("  %-40s %s\n", st_report, _("the statistical report (試験結果統計報告)"));

	printf("\n%s\n", _("Done. Where things are:"));
	printf("  %-40s %s\n", db_path, _("the registry database (SQLite, WAL)"));
	printf("  %-40s %s\n", key_path, _("its key file (mode 0600): keep it private"));
	printf("  %-40s %s\n", cand_csv, _("the sample applicants; photos in input/photos/"));
	printf("  %s/input/{venues,sittings,registrations,fees}.csv\n", out);
	printf("  %-40s %s\n", print_dir, _("PDFs: papers-ROOM.pdf (booklet + answer sheet per seat), tickets/, roster-ROOM.pdf"));
	printf("  %-40s %s\n", notice_csv, _("result notices: notices/EXAMNO.pdf to send, notices-ROOM.pdf to print, this list for mail merge"));
	printf("  %-40s %s\n", print_dir, _("pass certificates: certificates/NUMBER.pdf, certificates-ROOM.pdf to print"));
	printf("  %-40s %s\n", ledger_csv, _("the candidate ledger (受験者台帳), UTF-8 with BOM"));
	printf("  %-40s %s\n", exp_c, _("candidates as exported (UTF-8 with BOM for Excel)"));
	printf("  %-40s %s\n", exp_r, _("registrations with exam numbers and seats"));
	printf("  %-40s %s\n", exp_u, _("registrations whose fee is not paid"));
	printf("  %-40s %s\n", exp_f, _("fee records"));
	printf("  %s/backup/  %s\n", out, _("a consistent backup with its key file"));
	printf("  %-40s %s\n", password_file, _("the password of the staff account demo-admin (check-in station)"));
	code = EXIT_OK;
done:
	free(d);
	return code;
}

static int demo_staff(struct demo *d, char *password_file, size_t cap)
{
	unsigned char raw[16];
	char password[sodium_base64_ENCODED_LEN(16, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 1];
	if (sodium_init() < 0) {
		cli_error("%s", _("libsodium cannot start"));
		return EXIT_FAIL;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(password, sizeof(password) - 1, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	size_t n = strlen(password);
	password[n] = '\n';
	snprintf(password_file, cap, "%s", at(d, "staff-demo-admin-password.txt"));
	int rc = cli_write_output(password_file, password, n + 1);
	sodium_memzero(password, sizeof(password));
	if (rc)
		return rc;
	/* The command reads the password on its standard input, as a script
	 * gives it: the file, for the length of the command. */
	int saved = dup(STDIN_FILENO), fd = open(password_file, O_RDONLY | O_CLOEXEC);
	if (saved < 0 || fd < 0 || dup2(fd, STDIN_FILENO) < 0) {
		cli_error(_("cannot read '%s': %s"), password_file, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (saved >= 0)
			close(saved);
		return EXIT_FAIL;
	}
	close(fd);
	rc = run(d, "staff", "add", "demo-admin", "--role", "admin", "--password-stdin", NULL);
	if (dup2(saved, STDIN_FILENO) < 0 && !rc) {
		cli_error("%s", strerror(errno));
		rc = EXIT_FAIL;
	}
	close(saved);
	return rc;
}
