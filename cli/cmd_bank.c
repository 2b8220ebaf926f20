/* shiken bank import|export, shiken item list|show|review|retire|rekey */
#include "cli/cli.h"
#include "core/audit.h"
#include "core/bank.h"
#include "core/db.h"
#include "core/error.h"
#include "core/ruby.h"
#include "core/text.h"
#include "exam/grade.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage_bank[] =
	N_("usage: shiken bank import|export ...\n"
	   "\n"
	   "  import FILE.csv   add items, or new versions of changed ones (see README)\n"
	   "  export --out FILE.csv [--test T]\n"
	   "                    write the current versions; keys stay sealed\n");
static const char usage_import[] =
	N_("usage: shiken bank import FILE.csv [--encoding E] [--ignore-unknown] [--skip-invalid] [--dry-run]\n"
	   "\n"
	   "Add items to the question bank. A row whose item exists and differs makes a\n"
	   "new version of it, with no approvals; forms keep the version they have.\n"
	   "Furigana is written {漢字|かんじ}; a malformed one is named with its position.\n");
static const char usage_export[] =
	N_("usage: shiken bank export --out FILE.csv [--test T]\n"
	   "\n"
	   "Write the current version of every item (of test T) in the import format,\n"
	   "figures beside the file. Answer keys are written sealed: only this registry's\n"
	   "key file opens them, and importing the file back changes nothing.\n");

static int cmd_bank_import(struct cli *cli, int argc, char **argv)
{
	struct sk_import_opts opts;
	const char *file;
	int rc = cli_import_args(argc, argv, usage_import, &opts, &file);
	if (rc)
		return rc;
	return cli_import_run(cli, N_("items"), file, &opts, sk_bank_import);
}

static int cmd_bank_export(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' }, { "test", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *test = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 't': test = optarg; break;
		case ':':
			return cli_bad_usage(usage_export, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_export, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_export, _("unexpected argument '%s'"), argv[optind]);
	if (!out)
		return cli_bad_usage(usage_export, "%s", _("give --out FILE.csv"));
	int rc = sk_bank_export(cli->db, test, out);
	if (rc)
		return cli_db_error(cli, rc, _("bank export"));
	printf(_("wrote the bank to %s\n"), out);
	return EXIT_OK;
}

const struct subcmd bank_subs[] = {
	{ "import", cmd_bank_import, usage_import },
	{ "export", cmd_bank_export, usage_export },
	{ NULL, NULL, NULL },
};

int cmd_bank(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, bank_subs, usage_bank, argc, argv);
}

/* ---- items ---- */

static const char usage_item[] =
	N_("usage: shiken item list|show|review|retire|rekey ...\n"
	   "\n"
	   "  list              list items with their status and approvals\n"
	   "  show ID           show an item (a version with --version N)\n"
	   "  review ID --by NAME (--approve | --reject) [--comment TEXT]\n"
	   "  review --from FILE.csv\n"
	   "                    record the committee's review decisions\n"
	   "  retire ID --reason TEXT\n"
	   "                    keep an item out of new forms\n"
	   "  rekey ID (--key K | --accept-all) --reason TEXT\n"
	   "                    correct the key of a flawed item for grading\n");
static const char usage_list[] =
	N_("usage: shiken item list [--test T] [--section S] [--cell C] [--status draft|reviewed|approved|retired] [--json]\n");
static const char usage_show[] =
	N_("usage: shiken item show ID [--version N] [--with-key] [--json]\n"
	   "\n"
	   "--with-key shows the answer key (for the committee); it is recorded in the\n"
	   "audit log.\n");
static const char usage_review[] =
	N_("usage: shiken item review ID --by NAME (--approve | --reject) [--comment TEXT]\n"
	   "       shiken item review --from FILE.csv [--skip-invalid] [--dry-run]\n"
	   "\n"
	   "An item enters forms when approved by enough distinct reviewers (2 unless\n"
	   "'shiken config set review.approvals N'), none of them its author, and\n"
	   "rejected by none. Reviews belong to the current version. The CSV has the\n"
	   "columns item, reviewer, decision (approve or reject), comment.\n");
static const char usage_retire[] = N_("usage: shiken item retire ID --reason TEXT\n");
static const char usage_rekey[] =
	N_("usage: shiken item rekey ID (--key K | --accept-all) --reason TEXT\n"
	   "\n"
	   "Correct the key of the item's current version for grading, as when an item\n"
	   "turns out flawed: from now on exactly the options K score (several letters\n"
	   "accept either: --key BC; O or X for a ○× item), or with --accept-all any one\n"
	   "clear answer does. Blank answers and several marks still score nothing.\n"
	   "Corrections are kept forever and audited; the newest is in force. Then run\n"
	   "'shiken grade --sitting S' for each sitting that used the item: it lists\n"
	   "the results that change and writes them with --confirm.\n");

struct list_state {
	int json;
	json_t *array;
	struct table table;
};

static json_t *item_json(const struct sk_item *it, int with_key)
{
	json_t *o = json_object();
	json_object_set_new(o, "item", json_string(it->code));
	json_object_set_new(o, "version", json_integer(it->version));
	json_object_set_new(o, "test", json_string(it->test));
	json_object_set_new(o, "section", json_string(it->section));
	json_object_set_new(o, "cell", json_string(it->cell));
	json_object_set_new(o, "kind", json_string(it->kind));
	json_object_set_new(o, "stem", json_string(it->stem));
	json_t *opts = json_array();
	for (int i = 0; i < it->noptions; i++)
		json_array_append_new(opts, json_string(it->options[i] ? it->options[i] : ""));
	json_object_set_new(o, "options", opts);
	if (with_key)
		json_object_set_new(o, "key", json_string(it->key));
	json_object_set_new(o, "difficulty", json_integer(it->difficulty));
	json_object_set_new(o, "band", json_string(sk_difficulty_band(it->difficulty)));
	json_object_set_new(o, "enemy_group", it->enemy_group ? json_string(it->enemy_group) : json_null());
	json_object_set_new(o, "fixed_order", json_boolean(it->fixed_order));
	json_object_set_new(o, "figure", it->figure_name ? json_string(it->figure_name) : json_null());
	json_object_set_new(o, "public", json_boolean(it->is_public));
	json_object_set_new(o, "author", json_string(it->author));
	json_object_set_new(o, "status", json_string(it->status));
	json_object_set_new(o, "approvals", json_integer(it->approvals));
	json_object_set_new(o, "rejections", json_integer(it->rejections));
	return o;
}

static int list_row(void *payload, const struct sk_item *it)
{
	struct list_state *ls = payload;
	if (ls->json) {
		json_array_append_new(ls->array, item_json(it, 0));
		return 0;
	}
	char version[16], diff[8], reviews[32], stem[160];
	snprintf(version, sizeof(version), "v%d", it->version);
	snprintf(diff, sizeof(diff), "%d", it->difficulty);
	snprintf(reviews, sizeof(reviews), "%d/%d", it->approvals, it->rejections);
	char *plain = sk_ruby_plain(it->stem, 0);
	/* The first 30 characters of the stem, on one line. */
	size_t n = 0, chars = 0;
	for (const char *p = plain ? plain : it->stem; *p && n < sizeof(stem) - 4 && chars < 30; chars++) {
		int cp;
		size_t k = sk_utf8_decode(p, &cp);
		if (!k)
			break;
		if (cp == '\n') {
			stem[n++] = ' ';
		} else {
			memcpy(stem + n, p, k);
			n += k;
		}
		p += k;
	}
	stem[n] = '\0';
	if (plain && sk_text_length(plain) > 30)
		strcat(stem, "…");
	free(plain);
	const char *row[] = { it->code, version, it->section, it->cell, it->kind, diff, _(it->status), reviews, stem };
	table_add(&ls->table, row);
	return 0;
}

static int cmd_item_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "test", required_argument, NULL, 't' },    { "section", required_argument, NULL, 's' },
		{ "cell", required_argument, NULL, 'c' },    { "status", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },          { NULL, 0, NULL, 0 },
	};
	struct sk_item_filter f = { 0 };
	struct list_state ls = { 0 };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 't': f.test = optarg; break;
		case 's': f.section = optarg; break;
		case 'c': f.cell = optarg; break;
		case 'S':
			if (strcmp(optarg, "draft") && strcmp(optarg, "reviewed") && strcmp(optarg, "approved") &&
			    strcmp(optarg, "retired"))
				return cli_bad_usage(usage_list, _("'%s' is not draft, reviewed, approved or retired"), optarg);
			f.status = optarg;
			break;
		case 'j': ls.json = 1; break;
		case ':':
			return cli_bad_usage(usage_list, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_list, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_list, _("unexpected argument '%s'"), argv[optind]);
	static const char *headers[] = { N_("item"), N_("ver."), N_("section"), N_("cell"), N_("kind"),
					 N_("diff."), N_("status"), N_("ok/ng"), N_("stem") };
	table_init(&ls.table, 9, headers);
	ls.array = json_array();
	int rc = sk_item_foreach(cli->db, &f, list_row, &ls);
	int code = EXIT_OK;
	if (rc)
		code = cli_db_error(cli, rc, _("listing items"));
	else if (ls.json)
		cli_print_json(json_incref(ls.array));
	else
		table_print(&ls.table, stdout);
	json_decref(ls.array);
	table_release(&ls.table);
	return code;
}

static int print_review(void *payload, const struct sk_review *r)
{
	json_t *a = payload;
	if (a) {
		json_t *o = json_object();
		json_object_set_new(o, "reviewer", json_string(r->reviewer));
		json_object_set_new(o, "decision", json_string(r->decision));
		json_object_set_new(o, "comment", r->comment[0] ? json_string(r->comment) : json_null());
		json_object_set_new(o, "at", json_string(r->created_at));
		json_array_append_new(a, o);
		return 0;
	}
	printf("  %s  %-8s %s%s%s\n", r->created_at, _(r->decision), r->reviewer, r->comment[0] ? ": " : "",
	       r->comment);
	return 0;
}

static int cmd_item_show(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", required_argument, NULL, 'v' }, { "with-key", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },          { NULL, 0, NULL, 0 },
	};
	int version = 0, with_key = 0, json = 0;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'v': {
			char *end = NULL;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 100000)
				return cli_bad_usage(usage_show, _("'%s' is not a version number"), optarg);
			version = (int)v;
			break;
		}
		case 'k': with_key = 1; break;
		case 'j': json = 1; break;
		case ':':
			return cli_bad_usage(usage_show, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_show, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_bad_usage(usage_show, "%s", _("give one item id"));
	const char *code = argv[optind];
	struct sk_item it;
	int rc = sk_item_get(cli->db, code, version, with_key, &it);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	if (with_key) {
		char detail[64];
		snprintf(detail, sizeof(detail), "{\"version\":%d}", it.version);
		if ((rc = sk_db_begin(cli->db)) || (rc = sk_audit_append(cli->db, "item", it.code, "show key", detail)) ||
		    (rc = sk_db_commit(cli->db))) {
			sk_item_release(&it);
			return cli_db_error(cli, rc, _("audit log"));
		}
	}
	if (json) {
		json_t *o = item_json(&it, with_key);
		json_t *reviews = json_array();
		sk_item_reviews(cli->db, it.version_id, print_review, reviews);
		json_object_set_new(o, "reviews", reviews);
		cli_print_json(o);
		sk_item_release(&it);
		return EXIT_OK;
	}
	printf("%s v%d  %s %s  %s  %s %d (%s)  %s\n", it.code, it.version, it.test, it.section, it.cell,
	       _("difficulty"), it.difficulty, _(sk_difficulty_band(it.difficulty)), _(it.status));
	char *plain = sk_ruby_plain(it.stem, 1);
	printf("\n%s\n", plain ? plain : it.stem);
	free(plain);
	if (!strcmp(it.kind, "tf")) {
		printf("  ○ / ×\n");
	} else {
		for (int i = 0; i < it.noptions; i++) {
			char *o = sk_ruby_plain(it.options[i] ? it.options[i] : "", 1);
			printf("  %c. %s\n", 'A' + i, o ? o : "");
			free(o);
		}
	}
	if (with_key)
		printf("\n%s %s\n", _("key:"), !strcmp(it.key, "O") ? "○" : !strcmp(it.key, "X") ? "×" : it.key);
	if (it.fixed_order)
		printf("%s\n", _("options keep their order"));
	if (it.enemy_group)
		printf("%s %s\n", _("enemy group:"), it.enemy_group);
	if (it.figure_name)
		printf("%s %s\n", _("figure:"), it.figure_name);
	if (it.explanation) {
		char *e = sk_ruby_plain(it.explanation, 1);
		printf("%s %s\n", _("explanation:"), e ? e : it.explanation);
		free(e);
	}
	printf("%s %s%s\n", _("author:"), it.author, it.is_public ? _(" (public sample question)") : "");
	printf("%s %d, %s %d, %s %d\n", _("approvals:"), it.approvals, _("rejections:"), it.rejections,
	       _("needed:"), sk_bank_required_approvals(cli->db));
	sk_item_reviews(cli->db, it.version_id, print_review, NULL);
	sk_item_release(&it);
	return EXIT_OK;
}

static int cmd_item_review(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },      { "approve", no_argument, NULL, 'a' },
		{ "reject", no_argument, NULL, 'r' },        { "comment", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, 'f' },    { "skip-invalid", no_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },       { "encoding", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	const char *by = NULL, *comment = NULL, *from = NULL, *decision = NULL;
	struct sk_import_opts opts = { 0 };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': by = optarg; break;
		case 'a':
		case 'r':
			if (decision)
				return cli_bad_usage(usage_review, "%s", _("give --approve or --reject, not both"));
			decision = c == 'a' ? "approve" : "reject";
			break;
		case 'c': comment = optarg; break;
		case 'f': from = optarg; break;
		case 's': opts.skip_invalid = 1; break;
		case 'n': opts.dry_run = 1; break;
		case 'e': opts.encoding = optarg; break;
		case ':':
			return cli_bad_usage(usage_review, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_review, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (from) {
		if (optind < argc || by || decision)
			return cli_bad_usage(usage_review, "%s", _("--from takes the reviews from the file only"));
		return cli_import_run(cli, N_("reviews"), from, &opts, sk_review_import);
	}
	if (argc - optind != 1)
		return cli_bad_usage(usage_review, "%s", _("give one item id"));
	if (!by || !decision)
		return cli_bad_usage(usage_review, "%s", _("give --by NAME and --approve or --reject"));
	int outcome = 0;
	int rc = sk_item_review(cli->db, argv[optind], by, decision, comment, &outcome);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	struct sk_item it;
	if ((rc = sk_item_get(cli->db, argv[optind], 0, 0, &it)))
		return cli_db_error(cli, rc, NULL);
	printf(outcome == 0 ? _("%s v%d: review unchanged; status %s (%d approvals)\n")
	       : _("%s v%d: review recorded; status %s (%d approvals)\n"),
	       it.code, it.version, _(it.status), it.approvals);
	sk_item_release(&it);
	return EXIT_OK;
}

static int cmd_item_retire(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, 'r' }, { NULL, 0, NULL, 0 },
	};
	const char *reason = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c == 'r')
			reason = optarg;
		else if (c == ':')
			return cli_bad_usage(usage_retire, _("option '%s' needs a value"), argv[optind - 1]);
		else
			return cli_bad_usage(usage_retire, _("unknown option '%s'"), argv[optind - 1]);
	}
	if (argc - optind != 1)
		return cli_bad_usage(usage_retire, "%s", _("give one item id"));
	if (!reason || !*reason)
		return cli_bad_usage(usage_retire, "%s", _("give --reason"));
	int rc = sk_item_retire(cli->db, argv[optind], reason);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	printf(_("item %s retired: it enters no new form; forms that have it keep it\n"), argv[optind]);
	return EXIT_OK;
}

/* K as typed: letters A-E (either case) for multiple choice, O/X or ○/×
 * for ○×, optionally separated by spaces, commas or slashes. */
static int parse_accept(const char *k, int tf, unsigned *mask)
{
	*mask = 0;
	for (const char *p = k; *p;) {
		if (*p == ' ' || *p == ',' || *p == '/') {
			p++;
		} else if (tf && !strncmp(p, "○", strlen("○"))) {
			*mask |= 1;
			p += strlen("○");
		} else if (tf && !strncmp(p, "×", strlen("×"))) {
			*mask |= 2;
			p += strlen("×");
		} else if (tf && (*p == 'O' || *p == 'o' || *p == 'X' || *p == 'x')) {
			*mask |= (*p == 'O' || *p == 'o') ? 1u : 2u;
			p++;
		} else if (!tf && ((*p >= 'A' && *p <= 'E') || (*p >= 'a' && *p <= 'e'))) {
			*mask |= 1u << ((*p | 0x20) - 'a');
			p++;
		} else {
			return -1;
		}
	}
	return *mask ? 0 : -1;
}

static int cmd_item_rekey(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },   { "accept-all", no_argument, NULL, 'a' },
		{ "reason", required_argument, NULL, 'r' }, { NULL, 0, NULL, 0 },
	};
	const char *key = NULL, *reason = NULL;
	int all = 0;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'a': all = 1; break;
		case 'r': reason = optarg; break;
		case ':':
			return cli_bad_usage(usage_rekey, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_rekey, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_bad_usage(usage_rekey, "%s", _("give one item id"));
	if (!key == !all)
		return cli_bad_usage(usage_rekey, "%s", _("give --key K or --accept-all"));
	if (!reason || !*reason)
		return cli_bad_usage(usage_rekey, "%s", _("give --reason"));
	const char *code = argv[optind];
	struct sk_item it;
	int rc = sk_item_get(cli->db, code, 0, 0, &it);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	int tf = !strcmp(it.kind, "tf"), version = it.version;
	char item[40];
	snprintf(item, sizeof(item), "%s", it.code);
	sk_item_release(&it);
	unsigned mask = 0;
	if (key && parse_accept(key, tf, &mask))
		return cli_bad_usage(usage_rekey,
				     tf ? _("'%s' is not an answer of a ○× item (O or X)")
					: _("'%s' is not a set of options (letters A to E, like BC)"),
				     key);
	if ((rc = sk_item_rekey(cli->db, item, mask, reason)))
		return cli_db_error(cli, rc, NULL);
	if (all) {
		printf(_("%s v%d: key corrected: every clear answer scores\n"), item, version);
	} else {
		char letters[24] = "";
		for (int o = 0; o < SK_ITEM_MAX_OPTIONS; o++)
			if ((mask >> o) & 1) {
				size_t n = strlen(letters);
				snprintf(letters + n, sizeof(letters) - n, "%s%s", n ? " " : "",
					 tf ? (o ? "×" : "○") : (const char[]){ (char)('A' + o), 0 });
			}
		printf(_("%s v%d: key corrected: %s now scores\n"), item, version, letters);
	}
	printf("%s\n", _("re-grade each sitting that used it: shiken grade --sitting S (changes need --confirm)"));
	return EXIT_OK;
}

const struct subcmd item_subs[] = {
	{ "list", cmd_item_list, usage_list },
	{ "show", cmd_item_show, usage_show },
	{ "review", cmd_item_review, usage_review },
	{ "retire", cmd_item_retire, usage_retire },
	{ "rekey", cmd_item_rekey, usage_rekey },
	{ NULL, NULL, NULL },
};

int cmd_item(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, item_subs, usage_item, argc, argv);
}
