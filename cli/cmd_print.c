/* shiken print tickets|rosters|booklets|sheets|notices|certificates: the documents of a sitting. */
#include "cli/cli.h"
#include "core/db.h"
#include "core/buf.h"
#include "core/candidate.h"
#include "core/csv.h"
#include "core/date.h"
#include "core/error.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/venue.h"
#include "exam/certificate.h"
#include "exam/ledger.h"
#include "exam/paper.h"
#include "exam/stats.h"
#include "print/common.h"
#include "print/print.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	N_("usage: shiken print tickets|rosters|booklets|sheets|notices|certificates|report --sitting S [options]\n"
	   "\n"
	   "  tickets       admission tickets (受験票), one per candidate\n"
	   "  rosters       attendance rosters (出席簿), one per room in seat order\n"
	   "  booklets      question booklets (問題冊子), one per candidate's paper\n"
	   "  sheets        answer sheets (解答用紙), machine-readable\n"
	   "  notices       result notices (合否結果通知書), one per graded candidate\n"
	   "  certificates  pass certificates (合格証明書), one per valid certificate\n"
	   "  report        the statistical report (試験結果統計報告) of a sitting or a period\n"
	   "\n"
	   "Options: --room R (one room), --out DIR (default ./print/SITTING),\n"
	   "--bundle (one PDF per room in seat order instead of one per candidate;\n"
	   "for booklets: booklet then answer sheet per candidate, for the print shop),\n"
	   "--page-size A4|A3|B4|B5|Letter (default A4).\n");
static const char usage_tickets[] =
	N_("usage: shiken print tickets --sitting S [--room R] [--out DIR] [--bundle] [--page-size SIZE] [--unpaid]\n"
	   "\n"
	   "One admission ticket per registration whose fee is paid or waived (--unpaid:\n"
	   "every registration); cancelled registrations get none.\n");
static const char usage_rosters[] =
	N_("usage: shiken print rosters --sitting S [--room R] [--out DIR] [--page-size SIZE]\n");
static const char usage_booklets[] =
	N_("usage: shiken print booklets --sitting S [--room R] [--out DIR] [--bundle] [--page-size SIZE]\n"
	   "\n"
	   "One booklet per paper (build papers first: shiken paper build). With --bundle,\n"
	   "one PDF per room in seat order: each candidate's booklet, then their answer sheet.\n");
static const char usage_sheets[] =
	N_("usage: shiken print sheets --sitting S [--room R] [--out DIR] [--bundle] [--page-size SIZE]\n");
static const char usage_notices[] =
	N_("usage: shiken print notices --sitting S [--room R] [--out DIR] [--bundle] [--page-size SIZE]\n"
	   "                            [--csv FILE]\n"
	   "\n"
	   "One result notice (合否結果通知書) per graded registration, in Japanese and\n"
	   "the candidate's language where a catalog exists, else English; registrations\n"
	   "not graded yet get none. --csv FILE also writes a mail-merge list: exam_number,\n"
	   "reference, family_name, given_name, email, language, outcome, each section's\n"
	   "code, points, max and passed, and the PDF's absolute path.\n");

static const char usage_report[] =
	N_("usage: shiken print report (--sitting S | --from DATE --to DATE) [--out FILE.pdf] [--min-cell N]\n"
	   "                           [--page-size SIZE]\n"
	   "\n"
	   "The statistical report (試験結果統計報告) in Japanese with English: applicants,\n"
	   "examinees, passed and pass rate per test; pass rate by test and by nationality;\n"
	   "score distributions per section with the pass mark; the pass rate across\n"
	   "sittings (with --sitting: it and up to eleven sittings before it); how the\n"
	   "figures are made. Groups of fewer candidates than the setting stats.min_cell\n"
	   "(default 5; --min-cell may only raise it) show no figures. Default file:\n"
	   "print/SITTING/report.pdf, or print/report-FROM-TO.pdf.\n");

static const char usage_certificates[] =
	N_("usage: shiken print certificates --sitting S [--room R] [--out DIR] [--bundle]\n"
	   "\n"
	   "One pass certificate (合格証明書) per valid certificate of the sitting\n"
	   "(issue them first: shiken cert issue), as certificates/NUMBER.pdf, or with\n"
	   "--bundle one PDF per room in seat order (certificates-ROOM.pdf). A4 portrait,\n"
	   "Japanese and English, with the QR code BASE_URL/c/TOKEN: set the base URL\n"
	   "first (shiken config set cert.base_url https://HOST). Revoked certificates\n"
	   "are not printed.\n");

enum kind { K_TICKETS, K_ROSTERS, K_BOOKLETS, K_SHEETS, K_NOTICES, K_CERTIFICATES };

struct job {
	struct cli *cli;
	enum kind kind;
	const char *sitting, *room, *out, *csv;
	int bundle, unpaid;
	size_t skipped_unpaid, skipped_pending, skipped_revoked, skipped_uncertified;
	/* notices, certificates: the sitting's ledger rows, in exam-number order */
	struct sk_ledger_row *results;
	size_t nresults, aresults;
	const struct sk_page_size *size;
	struct sk_registration *regs;
	size_t nregs, aregs;
	size_t files, pages;
};

static int keep_result(void *payload, const struct sk_ledger_row *row)
{
	struct job *j = payload;
	if (j->nresults == j->aresults) {
		size_t a = j->aresults ? j->aresults * 2 : 64;
		struct sk_ledger_row *p = realloc(j->results, a * sizeof(*p));
		if (!p)
			return SK_ENOMEM;
		j->results = p;
		j->aresults = a;
	}
	j->results[j->nresults++] = *row;
	return 0;
}

static int by_exam_number(const void *a, const void *b)
{
	return strcmp(((const struct sk_ledger_row *)a)->exam_number, ((const struct sk_ledger_row *)b)->exam_number);
}

/* The ledger row of a registration of the sitting, or NULL. */
static const struct sk_ledger_row *result_of(const struct job *j, const char *exam_number)
{
	struct sk_ledger_row key;
	snprintf(key.exam_number, sizeof(key.exam_number), "%s", exam_number);
	return j->nresults ? bsearch(&key, j->results, j->nresults, sizeof(key), by_exam_number) : NULL;
}

static int collect(void *payload, const struct sk_registration *r)
{
	struct job *j = payload;
	if (!strcmp(r->status, "cancelled"))
		return 0;
	/* A notice tells a result: none before grading. */
	if (j->kind == K_NOTICES) {
		const struct sk_ledger_row *res = result_of(j, r->exam_number);
		if (!res || !strcmp(res->outcome, "pending")) {
			j->skipped_pending++;
			return 0;
		}
	}
	/* A certificate once issued, and only while valid. */
	if (j->kind == K_CERTIFICATES) {
		const struct sk_ledger_row *res = result_of(j, r->exam_number);
		if (!res || !res->certificate[0]) {
			if (res && !strcmp(res->outcome, "pass"))
				j->skipped_uncertified++;
			return 0;
		}
		struct sk_cert cert;
		int rc = sk_cert_of_registration(j->cli->db, r->exam_number, &cert);
		if (rc)
			return rc;
		int revoked = strcmp(cert.status, "valid") != 0;
		if (revoked)
			fprintf(stderr, _("certificate %s (%s) is revoked: not printed\n"), cert.number, r->exam_number);
		sk_cert_release(&cert);
		if (revoked) {
			j->skipped_revoked++;
			return 0;
		}
	}
	/* A ticket is the receipt for a paid (or waived) fee. */
	if (j->kind == K_TICKETS && !j->unpaid && strcmp(r->fee_status, "paid") && strcmp(r->fee_status, "waived")) {
		j->skipped_unpaid++;
		return 0;
	}
	if (j->nregs == j->aregs) {
		size_t a = j->aregs ? j->aregs * 2 : 256;
		struct sk_registration *p = realloc(j->regs, a * sizeof(*p));
		if (!p)
			return SK_ENOMEM;
		j->regs = p;
		j->aregs = a;
	}
	j->regs[j->nregs++] = *r;
	return 0;
}

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

static int mkdir_p(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int save(struct job *j, struct sk_doc *doc, const char *path)
{
	if (sk_doc_save(doc, path)) {
		cli_error(_("cannot write '%s': %s"), path, sk_doc_error(doc));
		return EXIT_FAIL;
	}
	j->files++;
	j->pages += (size_t)sk_doc_pages(doc);
	return EXIT_OK;
}

/* Commit what printing recorded once the file is written; otherwise roll
 * it back and remove the file, so the registry never claims a sheet that
 * was not printed. */
static int finish(struct job *j, int code, const char *path)
{
	if (code == EXIT_OK && sk_db_commit(j->cli->db) == 0)
		return EXIT_OK;
	if (code == EXIT_OK) {
		code = cli_db_error(j->cli, j->cli->db->err, NULL);
		unlink(path);
	} else {
		sk_db_rollback(j->cli->db);
	}
	return code;
}

static int add_one(struct job *j, struct sk_print_cache *cache, const struct sk_registration *r,
		   struct sk_doc *doc, enum kind kind)
{
	char err[512] = "";
	struct sk_print_opts o = { 0 };
	int rc;
	switch (kind) {
	case K_TICKETS:
		rc = sk_print_ticket(j->cli->db, r->exam_number, &o, doc, err, sizeof(err));
		break;
	case K_BOOKLETS:
		rc = sk_print_booklet(j->cli->db, r->exam_number, &o, cache, doc, err, sizeof(err));
		break;
	case K_SHEETS:
		rc = sk_print_sheet(j->cli->db, r->exam_number, &o, cache, doc, err, sizeof(err));
		break;
	case K_NOTICES:
		rc = sk_print_notice(j->cli->db, r->exam_number, &o, doc, err, sizeof(err));
		break;
	case K_CERTIFICATES:
		rc = sk_print_certificate(j->cli->db, r->exam_number, &o, doc, err, sizeof(err));
		break;
	default:
		rc = SK_EINVAL;
	}
	if (rc) {
		const char *why = err[0] ? err : sk_db_errmsg(j->cli->db);
		if (strstr(why, r->exam_number))
			cli_error("%s", why);
		else
			cli_error("%s: %s", r->exam_number, why);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* Booklets and sheets need every paper: say which are missing before
 * writing anything, rather than stopping half-way through a sitting. */
static int papers_ready(struct job *j)
{
	size_t missing = 0;
	for (size_t i = 0; i < j->nregs; i++) {
		int have = sk_paper_exists(j->cli->db, j->regs[i].exam_number);
		if (have < 0)
			return cli_db_error(j->cli, -have, NULL);
		if (!have && missing++ < 10)
			cli_error(_("%s has no paper yet"), j->regs[i].exam_number);
	}
	if (!missing)
		return EXIT_OK;
	cli_error(_("%zu registrations have no paper: run 'shiken paper build --sitting %s' first; nothing was printed"),
		  missing, j->sitting);
	return EXIT_FAIL;
}

/* The mail-merge list of the notices just written (README: "Result
 * notices"): one row per notice in seat order, the PDF by absolute path so
 * a mail program finds it wherever the list is opened. */
static int write_mail_merge(struct job *j, const char *dir)
{
	int slots = sk_ledger_section_slots(j->cli->db);
	if (slots < 0)
		return cli_db_error(j->cli, slots, NULL);
	struct sk_buf csv = SK_BUF_INIT;
	const char *row[7 + 4 * 8 + 1];
	char names[8][4][32], nums[8][2][16];
	size_t n = 0;
	static const char *const head[] = { "exam_number", "reference", "family_name", "given_name",
					    "email", "language", "outcome" };
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		row[n++] = head[i];
	for (int s = 0; s < slots; s++) {
		snprintf(names[s][0], sizeof(names[s][0]), "section%d", s + 1);
		snprintf(names[s][1], sizeof(names[s][1]), "section%d_points", s + 1);
		snprintf(names[s][2], sizeof(names[s][2]), "section%d_max", s + 1);
		snprintf(names[s][3], sizeof(names[s][3]), "section%d_passed", s + 1);
		for (int f = 0; f < 4; f++)
			row[n++] = names[s][f];
	}
	row[n++] = "pdf";
	sk_csv_put_row(&csv, row, n);
	int code = EXIT_OK;
	for (size_t i = 0; i < j->nregs && code == EXIT_OK; i++) {
		const struct sk_registration *r = &j->regs[i];
		const struct sk_ledger_row *res = result_of(j, r->exam_number);
		struct sk_candidate c;
		int rc = sk_candidate_get(j->cli->db, r->reference, &c);
		if (rc) {
			code = cli_db_error(j->cli, rc, NULL);
			break;
		}
		char path[4400], *abs;
		if (j->bundle)
			snprintf(path, sizeof(path), "%s/notices-%s.pdf", dir, r->room);
		else
			snprintf(path, sizeof(path), "%s/notices/%s.pdf", dir, r->exam_number);
		if (!(abs = realpath(path, NULL))) {
			cli_error(_("cannot read '%s': %s"), path, strerror(errno));
			sk_candidate_release(&c);
			code = EXIT_FAIL;
			break;
		}
		n = 0;
		row[n++] = r->exam_number;
		row[n++] = c.reference;
		row[n++] = c.family_name;
		row[n++] = c.given_name ? c.given_name : "";
		row[n++] = c.email ? c.email : "";
		row[n++] = c.language ? c.language : "";
		row[n++] = res ? res->outcome : "";
		/* Scores as the notice shows them: none for the absent, and a
		 * disqualified candidate's do not count. */
		int shown = res && (!strcmp(res->outcome, "pass") || !strcmp(res->outcome, "fail"));
		for (int s = 0; s < slots; s++) {
			const struct sk_ledger_section *sec = res && s < res->nsections ? &res->sections[s] : NULL;
			int scored = shown && sec && sec->max_points > 0;
			snprintf(nums[s][0], sizeof(nums[s][0]), "%d", scored ? sec->points : 0);
			snprintf(nums[s][1], sizeof(nums[s][1]), "%d", scored ? sec->max_points : 0);
			row[n++] = sec ? sec->code : "";
			row[n++] = scored ? nums[s][0] : "";
			row[n++] = scored ? nums[s][1] : "";
			row[n++] = scored ? (sec->passed ? "yes" : "no") : "";
		}
		row[n++] = abs;
		sk_csv_put_row(&csv, row, n);
		free(abs);
		sk_candidate_release(&c);
	}
	if (code == EXIT_OK && sk_buf_failed(&csv)) {
		cli_error("%s", _("out of memory"));
		code = EXIT_FAIL;
	}
	if (code == EXIT_OK)
		code = cli_write_output(j->csv, csv.buf, csv.len);
	sk_buf_release(&csv);
	return code;
}

static int run_job(struct job *j)
{
	char err[512] = "";
	const struct sk_fontset *fs = sk_print_fonts(err, sizeof(err));
	if (!fs) {
		cli_error("%s", err);
		return EXIT_FAIL;
	}
	struct sk_sitting s;
	int rc = sk_sitting_get(j->cli->db, j->sitting, &s);
	if (rc)
		return cli_db_error(j->cli, rc, NULL);
	if (j->kind == K_CERTIFICATES) {
		/* Refuse before anything else: no certificate prints without it. */
		char *base = sk_cert_base_url(j->cli->db);
		if (!base)
			return cli_db_error(j->cli, j->cli->db->err, NULL);
		free(base);
	}
	if (j->kind == K_NOTICES || j->kind == K_CERTIFICATES) {
		struct sk_ledger_filter lf = { .sitting = j->sitting };
		if ((rc = sk_ledger_foreach(j->cli->db, &lf, keep_result, j)))
			return rc == SK_ENOMEM ? (cli_error("%s", _("out of memory")), EXIT_FAIL) : cli_db_error(j->cli, rc, NULL);
		qsort(j->results, j->nresults, sizeof(*j->results), by_exam_number);
	}
	struct sk_registration_filter f = { .sitting = j->sitting, .room = j->room };
	if ((rc = sk_registration_foreach(j->cli->db, &f, collect, j)))
		return cli_db_error(j->cli, rc, NULL);
	if (j->skipped_unpaid)
		fprintf(stderr, _("%zu registrations get no ticket until their fee is paid (see 'shiken register list --unpaid'; --unpaid prints them anyway)\n"),
			j->skipped_unpaid);
	if (j->skipped_pending && j->nregs)
		fprintf(stderr, _("%zu registrations are not graded yet and get no notice (see 'shiken grade --sitting %s')\n"),
			j->skipped_pending, j->sitting);
	if (j->kind == K_CERTIFICATES && j->skipped_uncertified)
		fprintf(stderr, _("%zu passed registrations have no certificate yet and are not printed (see 'shiken cert issue --sitting %s')\n"),
			j->skipped_uncertified, j->sitting);
	if (j->kind == K_CERTIFICATES && !j->nregs && (j->skipped_uncertified || j->skipped_revoked || j->nresults)) {
		if (j->room)
			cli_error(_("no valid certificate in room '%s' of sitting '%s': nothing was printed"), j->room, j->sitting);
		else
			cli_error(_("no valid certificate in sitting '%s': nothing was printed"), j->sitting);
		return EXIT_FAIL;
	}
	if (!j->nregs && j->skipped_pending) {
		if (j->room)
			cli_error(_("no registration in room '%s' of sitting '%s' is graded yet: nothing was printed (see 'shiken grade --sitting %s')"),
				  j->room, j->sitting, j->sitting);
		else
			cli_error(_("no registration of sitting '%s' is graded yet: nothing was printed (see 'shiken grade --sitting %s')"),
				  j->sitting, j->sitting);
		return EXIT_FAIL;
	}
	if (!j->nregs) {
		struct sk_venue v;
		int known = 1;
		if (j->room && sk_venue_get(j->cli->db, s.venue, &v) == 0) {
			known = 0;
			for (size_t r = 0; r < v.nrooms; r++)
				known |= !strcmp(v.rooms[r].code, j->room);
		}
		if (!known)
			cli_error(_("venue '%s' of sitting '%s' has no room '%s'"), s.venue, j->sitting, j->room);
		else
			cli_error(j->room ? _("no registrations in room '%s' of sitting '%s'")
					  : _("no registrations in sitting '%s%s'"),
				  j->room ? j->room : "", j->sitting);
		return EXIT_FAIL;
	}
	if ((j->kind == K_BOOKLETS || j->kind == K_SHEETS) && papers_ready(j) != EXIT_OK)
		return EXIT_FAIL;
	qsort(j->regs, j->nregs, sizeof(*j->regs), seat_order);
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", j->out);
	if (mkdir_p(dir)) {
		cli_error(_("cannot create '%s': %s"), dir, strerror(errno));
		return EXIT_FAIL;
	}
	static const char *const names[] = { "tickets", "roster", "booklets", "sheets", "notices", "certificates" };
	struct sk_doc_opts dopts = { .size = j->size, .author = "shiken" };
	struct sk_print_cache *cache = sk_print_cache_new();
	if (!cache)
		return EXIT_FAIL;
	int code = EXIT_OK;
	int tty = isatty(STDERR_FILENO);
	size_t i = 0;
	while (i < j->nregs && code == EXIT_OK) {
		/* One room at a time. */
		size_t k = i;
		while (k < j->nregs && !strcmp(j->regs[k].room, j->regs[i].room))
			k++;
		const char *room = j->regs[i].room;
		char path[4400];
		if (j->kind == K_ROSTERS) {
			struct sk_doc *doc = NULL;
			if (sk_doc_new(&doc, fs, &dopts)) {
				code = EXIT_FAIL;
				break;
			}
			if (sk_print_roster(j->cli->db, j->sitting, room, NULL, doc, err, sizeof(err))) {
				cli_error("%s: %s", room, err[0] ? err : sk_db_errmsg(j->cli->db));
				code = EXIT_FAIL;
			} else {
				snprintf(path, sizeof(path), "%s/roster-%s.pdf", dir, room);
				code = save(j, doc, path);
			}
			sk_doc_free(doc);
		} else if (j->bundle) {
			struct sk_doc *doc = NULL;
			if (sk_doc_new(&doc, fs, &dopts)) {
				code = EXIT_FAIL;
				break;
			}
			/* Answer sheets record their layout: kept only if the file is
			 * written, and in one transaction rather than one per sheet. */
			if (sk_db_begin(j->cli->db)) {
				sk_doc_free(doc);
				code = cli_db_error(j->cli, j->cli->db->err, NULL);
				break;
			}
			for (size_t r = i; r < k && code == EXIT_OK; r++) {
				code = add_one(j, cache, &j->regs[r], doc, j->kind);
				if (code == EXIT_OK && j->kind == K_BOOKLETS)
					code = add_one(j, cache, &j->regs[r], doc, K_SHEETS);
				if (tty)
					fprintf(stderr, "\r%zu / %zu", r + 1, j->nregs);
			}
			snprintf(path, sizeof(path), "%s/%s-%s.pdf", dir, j->kind == K_BOOKLETS ? "papers" : names[j->kind],
				 room);
			if (code == EXIT_OK)
				code = save(j, doc, path);
			code = finish(j, code, path);
			sk_doc_free(doc);
		} else {
			char sub[4200];
			snprintf(sub, sizeof(sub), "%s/%s", dir, names[j->kind]);
			if (mkdir_p(sub)) {
				cli_error(_("cannot create '%s': %s"), sub, strerror(errno));
				code = EXIT_FAIL;
				break;
			}
			for (size_t r = i; r < k && code == EXIT_OK; r++) {
				struct sk_doc *doc = NULL;
				if (sk_doc_new(&doc, fs, &dopts)) {
					code = EXIT_FAIL;
					break;
				}
				if (sk_db_begin(j->cli->db)) {
					sk_doc_free(doc);
					code = cli_db_error(j->cli, j->cli->db->err, NULL);
					break;
				}
				code = add_one(j, cache, &j->regs[r], doc, j->kind);
				/* Certificates by their number, the rest by exam number. */
				const struct sk_ledger_row *res = result_of(j, j->regs[r].exam_number);
				snprintf(path, sizeof(path), "%s/%s.pdf", sub,
					 j->kind == K_CERTIFICATES && res ? res->certificate : j->regs[r].exam_number);
				if (code == EXIT_OK)
					code = save(j, doc, path);
				code = finish(j, code, path);
				sk_doc_free(doc);
				if (tty)
					fprintf(stderr, "\r%zu / %zu", r + 1, j->nregs);
			}
		}
		i = k;
	}
	if (tty)
		fputs("\r\033[K", stderr);
	sk_print_cache_free(cache);
	if (code == EXIT_OK && j->csv)
		code = write_mail_merge(j, dir);
	if (code == EXIT_OK)
		printf(_("%s: %zu files, %zu pages in %s\n"), j->sitting, j->files, j->pages, dir);
	return code;
}

static int parse(struct cli *cli, enum kind kind, const char *usage_text, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' }, { "room", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },     { "bundle", no_argument, NULL, 'b' },
		{ "page-size", required_argument, NULL, 'p' }, { "unpaid", no_argument, NULL, 'u' },
		{ "csv", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct job j = { .cli = cli, .kind = kind };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		/* "--room --out DIR": the value is missing, not "--out". */
		if (optarg && !strncmp(optarg, "--", 2) && (c == 's' || c == 'r' || c == 'o' || c == 'p' || c == 'c'))
			return cli_bad_usage(usage_text, _("option '%s' needs a value"), argv[optind - 2]);
		switch (c) {
		case 's': j.sitting = optarg; break;
		case 'r': j.room = optarg; break;
		case 'o': j.out = optarg; break;
		case 'b':
			if (kind == K_ROSTERS)
				return cli_bad_usage(usage_text, "%s", _("rosters are one file per room already"));
			j.bundle = 1;
			break;
		case 'c':
			if (kind != K_NOTICES)
				return cli_bad_usage(usage_text, "%s", _("--csv is for notices"));
			j.csv = optarg;
			break;
		case 'u':
			if (kind != K_TICKETS)
				return cli_bad_usage(usage_text, "%s", _("--unpaid is for tickets"));
			j.unpaid = 1;
			break;
		case 'p':
			if (kind == K_CERTIFICATES)
				return cli_bad_usage(usage_text, "%s", _("certificates are printed on A4 only"));
			if (!(j.size = sk_page_size_find(optarg)))
				return cli_bad_usage(usage_text, _("'%s' is not a page size (A4, A3, B4, B5, Letter)"), optarg);
			break;
		case ':':
			return cli_bad_usage(usage_text, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_text, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_text, _("unexpected argument '%s'"), argv[optind]);
	if (!j.sitting)
		return cli_bad_usage(usage_text, "%s", _("give --sitting S"));
	char out[4096];
	if (!j.out) {
		snprintf(out, sizeof(out), "print/%s", j.sitting);
		j.out = out;
	}
	int rc = run_job(&j);
	free(j.regs);
	free(j.results);
	return rc;
}

static int cmd_tickets(struct cli *cli, int argc, char **argv)
{
	return parse(cli, K_TICKETS, usage_tickets, argc, argv);
}

static int cmd_rosters(struct cli *cli, int argc, char **argv)
{
	return parse(cli, K_ROSTERS, usage_rosters, argc, argv);
}

static int cmd_booklets(struct cli *cli, int argc, char **argv)
{
	return parse(cli, K_BOOKLETS, usage_booklets, argc, argv);
}

static int cmd_sheets(struct cli *cli, int argc, char **argv)
{
	return parse(cli, K_SHEETS, usage_sheets, argc, argv);
}

static int cmd_notices(struct cli *cli, int argc, char **argv)
{
	return parse(cli, K_NOTICES, usage_notices, argc, argv);
}

static int cmd_certificates(struct cli *cli, int argc, char **argv)
{
	return parse(cli, K_CERTIFICATES, usage_certificates, argc, argv);
}

static int cmd_report(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' }, { "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },	     { "out", required_argument, NULL, 'o' },
		{ "min-cell", required_argument, NULL, 'm' }, { "page-size", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct sk_stats_selection sel = { 0 };
	const char *out = NULL;
	const struct sk_page_size *size = NULL;
	long min_cell = 0;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (optarg && !strncmp(optarg, "--", 2))
			return cli_bad_usage(usage_report, _("option '%s' needs a value"), argv[optind - 2]);
		char *end = NULL;
		switch (c) {
		case 's': sel.sitting = optarg; break;
		case 'f': sel.from = optarg; break;
		case 't': sel.to = optarg; break;
		case 'o': out = optarg; break;
		case 'm':
			min_cell = strtol(optarg, &end, 10);
			if (!*optarg || *end || min_cell < 1 || min_cell > 1000)
				return cli_bad_usage(usage_report, _("--min-cell takes a number from 1 to 1000, not '%s'"), optarg);
			break;
		case 'p':
			if (!(size = sk_page_size_find(optarg)))
				return cli_bad_usage(usage_report, _("'%s' is not a page size (A4, A3, B4, B5, Letter)"), optarg);
			break;
		case ':':
			return cli_bad_usage(usage_report, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_report, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_report, _("unexpected argument '%s'"), argv[optind]);
	if (sel.sitting && (sel.from || sel.to))
		return cli_bad_usage(usage_report, "%s", _("give --sitting or a period (--from, --to), not both"));
	if (!sel.sitting && !sel.from && !sel.to)
		return cli_bad_usage(usage_report, "%s", _("give --sitting S, or a period with --from and --to"));
	char from[11], to[11];
	struct sk_date d;
	const char **dates[2] = { &sel.from, &sel.to };
	char *bufs[2] = { from, to };
	for (int i = 0; i < 2; i++) {
		if (!*dates[i])
			continue;
		if (sk_date_parse(&d, *dates[i]))
			return cli_bad_usage(usage_report, _("'%s' is not a date (YYYY-MM-DD)"), *dates[i]);
		*dates[i] = sk_date_format(bufs[i], &d);
	}
	if (sel.from && sel.to && strcmp(sel.from, sel.to) > 0)
		return cli_bad_usage(usage_report, _("the period ends (%s) before it starts (%s)"), sel.to, sel.from);
	int floor = sk_stats_min_cell(cli->db);
	if (min_cell && min_cell < floor)
		return cli_bad_usage(usage_report, _("--min-cell cannot go below the setting stats.min_cell (%d)"), floor);
	struct sk_sitting s;
	int rc;
	if (sel.sitting && (rc = sk_sitting_get(cli->db, sel.sitting, &s)))
		return cli_db_error(cli, rc, NULL);
	char path[4200];
	if (out)
		snprintf(path, sizeof(path), "%s", out);
	else if (sel.sitting)
		snprintf(path, sizeof(path), "print/%s/report.pdf", sel.sitting);
	else
		snprintf(path, sizeof(path), "print/report-%s-%s.pdf", sel.from ? sel.from : "start",
			 sel.to ? sel.to : "end");
	char err[512] = "";
	const struct sk_fontset *fs = sk_print_fonts(err, sizeof(err));
	if (!fs) {
		cli_error("%s", err);
		return EXIT_FAIL;
	}
	struct sk_doc_opts dopts = { .size = size, .author = "shiken", .title = "試験結果統計報告 Statistical Report on Test Results" };
	struct sk_doc *doc = NULL;
	if (sk_doc_new(&doc, fs, &dopts)) {
		cli_error("%s", _("out of memory"));
		return EXIT_FAIL;
	}
	int code = EXIT_OK;
	if ((rc = sk_print_stats_report(cli->db, &sel, min_cell ? (int)min_cell : floor, doc, err, sizeof(err)))) {
		cli_error("%s", err[0] ? err : sk_db_errmsg(cli->db));
		code = EXIT_FAIL;
	} else {
		char *slash = strrchr(path, '/');
		if (slash) {
			*slash = '\0';
			if (mkdir_p(path)) {
				cli_error(_("cannot create '%s': %s"), path, strerror(errno));
				code = EXIT_FAIL;
			}
			*slash = '/';
		}
		if (code == EXIT_OK && sk_doc_save(doc, path)) {
			cli_error(_("cannot write '%s': %s"), path, sk_doc_error(doc));
			code = EXIT_FAIL;
		}
		if (code == EXIT_OK)
			printf(_("%s: %d pages\n"), path, sk_doc_pages(doc));
	}
	sk_doc_free(doc);
	return code;
}

const struct subcmd print_subs[] = {
	{ "tickets", cmd_tickets, usage_tickets },
	{ "rosters", cmd_rosters, usage_rosters },
	{ "booklets", cmd_booklets, usage_booklets },
	{ "sheets", cmd_sheets, usage_sheets },
	{ "notices", cmd_notices, usage_notices },
	{ "certificates", cmd_certificates, usage_certificates },
	{ "report", cmd_report, usage_report },
	{ NULL, NULL, NULL },
};

int cmd_print(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, print_subs, usage, argc, argv);
}
