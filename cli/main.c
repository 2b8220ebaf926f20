/*
 * shiken's main(): global options, the command table, and the set-up each
 * command's flags ask for. Global options (--db, --key-file, --lang,
 * --actor) may stand anywhere before "--", so both `shiken --db x init` and
 * `shiken init --db x` work.
 */
#include "cli/cli.h"
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmd_help(struct cli *cli, int argc, char **argv);
static int cmd_version(struct cli *cli, int argc, char **argv);

const struct cmd cli_commands[] = {
	{ "init", cmd_init, 0, N_("create a new registry database and its key file"), NULL },
	{ "test", cmd_test, NEED_DB | NEED_KEYS, N_("list, show and add tests (試験)"), test_subs },
	{ "candidate", cmd_candidate, NEED_DB | WRITES_DB | NEED_KEYS,
	  N_("import, list, show and export candidates (受験者)"), candidate_subs },
	{ "venue", cmd_venue, NEED_DB | WRITES_DB | NEED_KEYS, N_("add, import and list venues and rooms"), venue_subs },
	{ "sitting", cmd_sitting, NEED_DB | WRITES_DB | NEED_KEYS,
	  N_("create, import, list and show sittings (試験回)"), sitting_subs },
	{ "register", cmd_register, NEED_DB | WRITES_DB | NEED_KEYS,
	  N_("register candidates for sittings; list and cancel registrations"), register_subs },
	{ "fee", cmd_fee, NEED_DB | WRITES_DB | NEED_KEYS, N_("record and list fee payments (受験料)"), fee_subs },
	{ "bank", cmd_bank, NEED_DB | WRITES_DB | NEED_KEYS, N_("import and export the question bank (問題)"), bank_subs },
	{ "item", cmd_item, NEED_DB | WRITES_DB | NEED_KEYS, N_("list, show, review and retire items"), item_subs },
	{ "blueprint", cmd_blueprint, NEED_DB | WRITES_DB | NEED_KEYS, N_("how many items of each area a form has"), blueprint_subs },
	{ "form", cmd_form, NEED_DB | WRITES_DB | NEED_KEYS, N_("build, list, show and lock parallel forms (パターン)"), form_subs },
	{ "paper", cmd_paper, NEED_DB | WRITES_DB | NEED_KEYS, N_("build each candidate's paper; show it and its key"), paper_subs },
	{ "print", cmd_print, NEED_DB | WRITES_DB | NEED_KEYS, N_("print tickets, rosters, booklets, answer sheets, notices and certificates (PDF)"), print_subs },
	{ "responses", cmd_responses, NEED_DB | WRITES_DB | NEED_KEYS,
	  N_("import the answer-sheet marks an OMR service read"), responses_subs },
	{ "scores", cmd_scores, NEED_DB | WRITES_DB | NEED_KEYS, N_("import examiners' section scores"), scores_subs },
	{ "incident", cmd_incident, NEED_DB | WRITES_DB | NEED_KEYS,
	  N_("record and list what happened at a sitting (cheating, disqualification)"), incident_subs },
	{ "checkin", cmd_checkin, NEED_DB | WRITES_DB | NEED_KEYS | VERB_OPTIONAL,
	  N_("the check-in station at the door: scan tickets, check passports, admit once"), checkin_subs },
	{ "grade", cmd_grade, NEED_DB | WRITES_DB | NEED_KEYS, N_("grade a sitting against each candidate's paper"), NULL },
	{ "result", cmd_result, NEED_DB | NEED_KEYS, N_("show a candidate's result item by item; list results"), result_subs },
	{ "ledger", cmd_ledger, NEED_DB | NEED_KEYS, N_("the candidate ledger (受験者台帳): show and export"), ledger_subs },
	{ "keys", cmd_keys, NEED_DB | WRITES_DB | NEED_KEYS,
	  N_("certificate signing keys: generate, list, retire, export as JWKS"), keys_subs },
	{ "cert", cmd_cert, NEED_DB | WRITES_DB | NEED_KEYS,
	  N_("certificates (合格証明書): issue, list, revoke, the signed revocation list"), cert_subs },
	{ "verify", cmd_verify, 0, N_("check a certificate's QR code or token, offline or against the registry"), NULL },
	{ "serve", cmd_serve, NEED_DB | NEED_KEYS,
	  N_("the web service: certificate verification page, JSON API, public keys"), NULL },
	{ "stats", cmd_stats, NEED_DB | WRITES_DB | NEED_KEYS,
	  N_("statistics: results by population, item analysis, forms, answer copying"), stats_subs },
	{ "staff", cmd_staff, NEED_DB | WRITES_DB | NEED_KEYS,
	  N_("staff accounts for the web check-in station: add, list, disable"), staff_subs },
	{ "config", cmd_config, NEED_DB | WRITES_DB | NEED_KEYS, N_("show and change settings"), config_subs },
	{ "audit", cmd_audit, NEED_DB | NEED_KEYS, N_("show and verify the audit log"), audit_subs },
	{ "backup", cmd_backup, NEED_DB | NEED_KEYS, N_("copy the database consistently while it is in use"), NULL },
	{ "generate", cmd_generate, 0, N_("write synthetic sample data (candidates CSV and photos)"), NULL },
	{ "demo", cmd_demo, 0, N_("run the whole job end to end on a fresh database"), NULL },
	{ "help", cmd_help, 0, N_("show the commands, or the help of one command"), NULL },
	{ "version", cmd_version, 0, N_("show the version"), NULL },
	{ NULL, NULL, 0, NULL, NULL },
};

static const char main_usage[] =
	N_("usage: shiken [--db FILE] [--key-file FILE] [--lang LANG] [--actor NAME] COMMAND [ARGS]\n"
	   "\n"
	   "Global options (accepted anywhere before '--'):\n"
	   "  --db FILE        the registry database (default ./shiken.db, or $SHIKEN_DB)\n"
	   "  --key-file FILE  the key file (default: the database path + \".key\")\n"
	   "  --lang LANG      language of messages: en, ja (default from the environment)\n"
	   "  --actor NAME     who is acting, for the audit log (default: the OS user)\n"
	   "  --version        show the version\n");

static void print_commands(FILE *out)
{
	cli_usage(out, main_usage);
	fprintf(out, "\n%s\n", _("Commands:"));
	for (const struct cmd *c = cli_commands; c->name; c++)
		fprintf(out, "  %-11s %s\n", c->name, _(c->summary));
	fprintf(out, "\n%s\n", _("Run 'shiken COMMAND --help' for the options of a command."));
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (argc > 1 && !strcmp(argv[1], "--all")) {
		/* Every command and verb, one a line: for scripts and the help test. */
		for (const struct cmd *c = cli_commands; c->name; c++) {
			printf("%s\n", c->name);
			for (const struct subcmd *s = c->subs; s && s->name; s++)
				printf("%s %s\n", c->name, s->name);
		}
		return EXIT_OK;
	}
	if (argc > 1 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h")) {
		for (const struct cmd *c = cli_commands; c->name; c++) {
			if (!strcmp(c->name, argv[1]) && c->fn != cmd_help) {
				char *hargv[] = { argv[1], "--help", NULL };
				struct cli sub = *cli;
				sub.command = c->name;
				return c->fn(&sub, 2, hargv);
			}
		}
		cli_error(_("'%s' is not a shiken command"), argv[1]);
		return EXIT_USAGE;
	}
	print_commands(stdout);
	return EXIT_OK;
}

static int cmd_version(struct cli *cli, int argc, char **argv)
{
	(void)cli;
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, N_("usage: shiken version\n\nShow the version of shiken and its schema.\n"));
		return EXIT_OK;
	}
	printf("shiken %s (schema %d)\n", SHIKEN_VERSION, sk_db_schema_latest());
	return EXIT_OK;
}

int cli_open_db(struct cli *cli, int argc, char **argv, int need_keys)
{
	int64_t fixed_now = -1;
	if (cli_fixed_now(&fixed_now))
		return EXIT_USAGE;
	char errmsg[1024];
	if (sk_db_open(&cli->db, cli->db_path, 0, errmsg, sizeof(errmsg))) {
		cli_error("%s", errmsg);
		return EXIT_FAIL;
	}
	sk_db_set_clock(cli->db, fixed_now);
	sk_db_set_actor(cli->db, cli->actor);
	char command[128];
	snprintf(command, sizeof(command), "%s%s%s", cli->command, argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	sk_db_set_command(cli->db, command);
	if (need_keys && sk_keys_load(cli->db, cli->key_path)) {
		cli_error("%s", sk_db_errmsg(cli->db));
		sk_db_close(cli->db);
		cli->db = NULL;
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int cli_run(const struct cli *base, int argc, char **argv)
{
	struct cli cli = *base;
	cli.db = NULL;
	cli.key_path = NULL;
	const struct cmd *cmd = NULL;
	for (const struct cmd *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			cmd = c;
	if (!cmd) {
		cli_error(_("'%s' is not a shiken command; see 'shiken help'"), argv[0]);
		return EXIT_USAGE;
	}
	cli.command = cmd->name;
	int sub_argc = argc;
	char **sub_argv = argv;
	cli.key_path = cli.key_override ? strdup(cli.key_override) : sk_keys_default_path(cli.db_path);
	if (!cli.key_path) {
		cli_error("out of memory");
		return EXIT_FAIL;
	}

	/* --help, a missing or unknown verb never need a database. */
	int known_verb = !cmd->subs;
	for (const struct subcmd *s = cmd->subs; s && s->name && sub_argc > 1; s++)
		if (!strcmp(s->name, sub_argv[1]))
			known_verb = 1;
	if ((cmd->flags & VERB_OPTIONAL) && sub_argc > 1 && sub_argv[1][0] == '-')
		known_verb = 1;
	if (cli_wants_help(sub_argc, sub_argv) || !(cmd->flags & NEED_DB) || !known_verb) {
		int r = cmd->fn(&cli, sub_argc, sub_argv);
		free(cli.key_path);
		return r;
	}
	int rc = cli_open_db(&cli, sub_argc, sub_argv, cmd->flags & NEED_KEYS);
	if (rc) {
		free(cli.key_path);
		return rc;
	}
	rc = cmd->fn(&cli, sub_argc, sub_argv);
	sk_db_close(cli.db);
	free(cli.key_path);
	return rc;
}

static const char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	return pw && pw->pw_name ? pw->pw_name : "unknown";
}

/* Take the value of a global option at argv[*i]: "--opt=value" or
 * "--opt value". Returns NULL if argv[*i] is not this option. */
static const char *take_global(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	(*i)++;
	return argv[*i];
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	cli.argv0 = argv[0];
	const char *lang = NULL;
	cli.db_path = getenv("SHIKEN_DB");
	const char *key_path = NULL;
	cli.actor = getenv("SHIKEN_ACTOR");

	/* Pull the global options out of argv. */
	int out = 1, i;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			break;
		}
		int missing = 0;
		const char *v;
		if ((v = take_global(argc, argv, &i, "--db", &missing)))
			cli.db_path = v;
		else if ((v = take_global(argc, argv, &i, "--key-file", &missing)))
			key_path = v;
		else if ((v = take_global(argc, argv, &i, "--lang", &missing)))
			lang = v;
		else if ((v = take_global(argc, argv, &i, "--actor", &missing)))
			cli.actor = v;
		else if (!missing)
			argv[out++] = argv[i];
		if (missing) {
			sk_i18n_set(lang ? lang : sk_i18n_from_env());
			cli_error(_("option '%s' needs a value"), argv[i]);
			return EXIT_USAGE;
		}
	}
	for (; i < argc; i++)
		argv[out++] = argv[i];
	argc = out;
	argv[argc] = NULL;

	if (lang && !sk_i18n_has(lang)) {
		sk_i18n_set(sk_i18n_from_env());
		cli_warn(_("no messages for language '%s'; using English"), lang);
		lang = "en";
	}
	sk_i18n_set(lang ? lang : sk_i18n_from_env());
	if (!cli.db_path || !*cli.db_path)
		cli.db_path = "shiken.db";
	if (!cli.actor || !*cli.actor)
		cli.actor = os_user();

	if (argc < 2) {
		print_commands(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version(&cli, 1, argv + 1);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_commands(stdout);
		return EXIT_OK;
	}
	cli.key_override = key_path;
	return cli_run(&cli, argc - 1, argv + 1);
}
