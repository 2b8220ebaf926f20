/* shiken paper build|show|key|verify */
#include "cli/cli.h"
#include "core/bank.h"
#include "core/db.h"
#include "core/error.h"
#include "core/registration.h"
#include "core/ruby.h"
#include "exam/paper.h"

#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	N_("usage: shiken paper build|show|key|verify ...\n"
	   "\n"
	   "  build --sitting S   give every registration its paper (form by seat, own order)\n"
	   "  show EXAMNO         the paper as printed, in text\n"
	   "  key EXAMNO          displayed answer -> canonical option, for graders\n"
	   "  verify EXAMNO | --sitting S\n"
	   "                      rebuild papers and check them against what was recorded\n");
static const char usage_build[] =
	N_("usage: shiken paper build --sitting S\n"
	   "\n"
	   "Give each registration of the sitting that has none its paper: the form for\n"
	   "its seat (neighbours, diagonals included, never share a form) with items and\n"
	   "options in an order derived from the secret sitting key and the exam number.\n"
	   "The forms used are locked. Running it again builds only what is missing.\n");
static const char usage_show[] = N_("usage: shiken paper show EXAMNO [--json]\n");
static const char usage_key[] =
	N_("usage: shiken paper key EXAMNO [--json]\n"
	   "\n"
	   "For each printed question: the item and version, and for multiple choice\n"
	   "which canonical option each printed letter is (A=C: printed A is option C).\n");
static const char usage_verify[] = N_("usage: shiken paper verify EXAMNO | --sitting S\n");

static int cmd_build(struct cli *cli, int argc, char **argv)
{
	const char *sitting = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sitting") && i + 1 < argc)
			sitting = argv[++i];
		else if (!strncmp(argv[i], "--sitting=", 10))
			sitting = argv[i] + 10;
		else
			return cli_bad_usage(usage_build, _("unexpected argument '%s'"), argv[i]);
	}
	if (!sitting)
		return cli_bad_usage(usage_build, "%s", _("give --sitting S"));
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_paper_stats st;
	int rc = sk_paper_build(cli->db, sitting, &st, &rep);
	cli_print_report(&rep);
	sk_report_release(&rep);
	if (rc == SK_EINPUT) {
		cli_error(_("%s: no papers were built"), sitting);
		return EXIT_FAIL;
	}
	if (rc)
		return cli_db_error(cli, rc, NULL);
	printf(_("%s: %zu registrations; papers: %zu built, %zu already built\n"), sitting, st.registrations,
	       st.built, st.unchanged);
	return EXIT_OK;
}

static json_t *paper_json(const struct sk_paper *p, int with_items, struct sk_db *db)
{
	char hex[65];
	sodium_bin2hex(hex, sizeof(hex), p->digest, 32);
	json_t *o = json_object();
	json_object_set_new(o, "exam_number", json_string(p->exam_number));
	json_object_set_new(o, "sitting", json_string(p->sitting));
	json_object_set_new(o, "test", json_string(p->test));
	json_object_set_new(o, "form", json_string(p->form));
	json_object_set_new(o, "paper_code", json_string(p->code));
	json_object_set_new(o, "digest", json_string(hex));
	json_t *secs = json_array();
	int number = 0;
	for (int s = 0; s < p->nsections; s++) {
		json_t *so = json_object();
		json_object_set_new(so, "section", json_string(p->sections[s].code));
		json_t *items = json_array();
		for (int i = 0; i < p->sections[s].nitems; i++) {
			const struct sk_paper_item *pi = &p->sections[s].items[i];
			json_t *io = json_object();
			json_object_set_new(io, "number", json_integer(++number));
			json_object_set_new(io, "item", json_string(pi->item));
			json_object_set_new(io, "version", json_integer(pi->version));
			json_t *map = json_array();
			for (int d = 0; d < SK_ITEM_MAX_OPTIONS && pi->option_of[d] >= 0; d++) {
				char c[2] = { (char)('A' + pi->option_of[d]), 0 };
				json_array_append_new(map, json_string(c));
			}
			json_object_set_new(io, "options", map);
			if (with_items && db) {
				struct sk_item it;
				if (sk_item_get_version(db, pi->item_version_id, 0, &it) == 0) {
					json_object_set_new(io, "stem", json_string(it.stem));
					json_t *shown = json_array();
					for (int d = 0; d < SK_ITEM_MAX_OPTIONS && pi->option_of[d] >= 0; d++) {
						const char *t = !strcmp(it.kind, "tf") ? (pi->option_of[d] ? "×" : "○")
							       : it.options[pi->option_of[d]];
						json_array_append_new(shown, json_string(t ? t : ""));
					}
					json_object_set_new(io, "shown", shown);
					sk_item_release(&it);
				}
			}
			json_array_append_new(items, io);
		}
		json_object_set_new(so, "items", items);
		json_array_append_new(secs, so);
	}
	json_object_set_new(o, "sections", secs);
	return o;
}

static int one_examno(const char *usage_text, int argc, char **argv, const char **examno, int *json)
{
	*examno = NULL;
	*json = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			*json = 1;
		else if (!*examno && argv[i][0] != '-')
			*examno = argv[i];
		else
			return cli_bad_usage(usage_text, _("unexpected argument '%s'"), argv[i]);
	}
	if (!*examno)
		return cli_bad_usage(usage_text, "%s", _("give an exam number"));
	return 0;
}

static int cmd_show(struct cli *cli, int argc, char **argv)
{
	const char *examno;
	int json, rc = one_examno(usage_show, argc, argv, &examno, &json);
	if (rc)
		return rc;
	struct sk_paper p;
	if ((rc = sk_paper_get(cli->db, examno, &p)))
		return cli_db_error(cli, rc, NULL);
	if (json) {
		cli_print_json(paper_json(&p, 1, cli->db));
		sk_paper_release(&p);
		return EXIT_OK;
	}
	printf("%s  %s  %s %s  %s %s\n", p.sitting, p.test, _("exam number"), p.exam_number, _("paper code"),
	       p.code);
	int number = 0;
	for (int s = 0; s < p.nsections; s++) {
		const struct sk_paper_section *sec = &p.sections[s];
		printf("\n【%s】 %s\n", sec->name_ja, sec->name_en);
		for (int i = 0; i < sec->nitems; i++) {
			const struct sk_paper_item *pi = &sec->items[i];
			struct sk_item it;
			if ((rc = sk_item_get_version(cli->db, pi->item_version_id, 0, &it))) {
				sk_paper_release(&p);
				return cli_db_error(cli, rc, NULL);
			}
			char *stem = sk_ruby_plain(it.stem, 1);
			printf("\n%s%d. %s\n", _("Q"), ++number, stem ? stem : it.stem);
			free(stem);
			if (!strcmp(it.kind, "tf")) {
				printf("   ○  ×\n");
			} else {
				for (int d = 0; d < SK_ITEM_MAX_OPTIONS && pi->option_of[d] >= 0; d++) {
					char *o = sk_ruby_plain(it.options[pi->option_of[d]] ? it.options[pi->option_of[d]] : "", 1);
					printf("   %c. %s\n", 'A' + d, o ? o : "");
					free(o);
				}
			}
			sk_item_release(&it);
		}
	}
	sk_paper_release(&p);
	return EXIT_OK;
}

static int cmd_key(struct cli *cli, int argc, char **argv)
{
	const char *examno;
	int json, rc = one_examno(usage_key, argc, argv, &examno, &json);
	if (rc)
		return rc;
	struct sk_paper p;
	if ((rc = sk_paper_get(cli->db, examno, &p)))
		return cli_db_error(cli, rc, NULL);
	if (json) {
		cli_print_json(paper_json(&p, 0, NULL));
		sk_paper_release(&p);
		return EXIT_OK;
	}
	printf("%s  %s %s  %s %s  %s\n", p.exam_number, _("paper code"), p.code, _("form"), p.form, p.sitting);
	int number = 0;
	for (int s = 0; s < p.nsections; s++) {
		printf("[%s]\n", p.sections[s].code);
		for (int i = 0; i < p.sections[s].nitems; i++) {
			const struct sk_paper_item *pi = &p.sections[s].items[i];
			printf("  %3d  %-14s v%-2d", ++number, pi->item, pi->version);
			if (!strcmp(pi->kind, "mc"))
				for (int d = 0; d < SK_ITEM_MAX_OPTIONS && pi->option_of[d] >= 0; d++)
					printf(" %c=%c", 'A' + d, 'A' + pi->option_of[d]);
			else
				printf(" ○ ×");
			putchar('\n');
		}
	}
	sk_paper_release(&p);
	return EXIT_OK;
}

struct verify_state {
	struct sk_db *db;
	size_t ok, bad, missing;
};

static int verify_one(void *payload, const struct sk_registration *r)
{
	struct verify_state *vs = payload;
	int rc = sk_paper_verify(vs->db, r->exam_number);
	if (rc == 0)
		vs->ok++;
	else if (rc == SK_ENOTFOUND)
		vs->missing++;
	else if (rc == SK_EVERIFY) {
		vs->bad++;
		cli_error("%s", sk_db_errmsg(vs->db));
	} else
		return rc;
	sk_db_clear_error(vs->db);
	return 0;
}

static int cmd_verify_papers(struct cli *cli, int argc, char **argv)
{
	const char *sitting = NULL, *examno = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sitting") && i + 1 < argc)
			sitting = argv[++i];
		else if (!examno && argv[i][0] != '-')
			examno = argv[i];
		else
			return cli_bad_usage(usage_verify, _("unexpected argument '%s'"), argv[i]);
	}
	if (!!sitting == !!examno)
		return cli_bad_usage(usage_verify, "%s", _("give an exam number or --sitting S"));
	if (examno) {
		int rc = sk_paper_verify(cli->db, examno);
		if (rc)
			return cli_db_error(cli, rc, NULL);
		printf(_("%s: the paper matches what was recorded when it was built\n"), examno);
		return EXIT_OK;
	}
	struct verify_state vs = { .db = cli->db };
	struct sk_registration_filter f = { .sitting = sitting };
	int rc = sk_registration_foreach(cli->db, &f, verify_one, &vs);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	printf(_("%s: %zu papers match, %zu do not, %zu registrations have none\n"), sitting, vs.ok, vs.bad,
	       vs.missing);
	return vs.bad ? EXIT_VERIFY : EXIT_OK;
}

const struct subcmd paper_subs[] = {
	{ "build", cmd_build, usage_build },
	{ "show", cmd_show, usage_show },
	{ "key", cmd_key, usage_key },
	{ "verify", cmd_verify_papers, usage_verify },
	{ NULL, NULL, NULL },
};

int cmd_paper(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, paper_subs, usage, argc, argv);
}
