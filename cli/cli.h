/*
 * The command line: shared state and helpers for cli/cmd_*.c. Commands are
 * listed once in main.c's table with flags saying what they need; the
 * dispatcher opens the database and key file for them, sets the audit actor
 * and command, and turns their return value into the exit code.
 */
#ifndef SK_CLI_H
#define SK_CLI_H

#include "core/i18n.h"
#include "core/import.h"
#include "core/report.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define _(s) sk_gettext(s)

/* Exit codes (README documents them). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_VERIFY = 3, /* verification failed: audit verify, verify (a certificate not valid) */
};

enum cmd_flags {
	NEED_DB = 1 << 0,    /* open an existing database */
	WRITES_DB = 1 << 1,  /* changes it (documentation; all writes are transactions) */
	NEED_KEYS = 1 << 2,  /* load the key file */
	VERB_OPTIONAL = 1 << 3, /* has verbs, yet runs without one when given options (checkin) */
};

struct sk_db;

struct cli {
	const char *db_path;
	char *key_path;
	const char *actor;
	const char *key_override; /* --key-file, or NULL for "<db>.key" */
	struct sk_db *db;
	const char *argv0;
	const char *command;    /* "candidate" */
	const char *subcommand; /* "import" */
};

struct subcmd;

struct cmd {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	unsigned flags;
	const char *summary;        /* N_() */
	const struct subcmd *subs;  /* its verbs, or NULL */
};

extern const struct cmd cli_commands[];

/* The commands, one file each (cli/cmd_<name>.c), with their verbs. */
int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_test(struct cli *cli, int argc, char **argv);
int cmd_candidate(struct cli *cli, int argc, char **argv);
int cmd_venue(struct cli *cli, int argc, char **argv);
int cmd_sitting(struct cli *cli, int argc, char **argv);
int cmd_register(struct cli *cli, int argc, char **argv);
int cmd_fee(struct cli *cli, int argc, char **argv);
int cmd_audit(struct cli *cli, int argc, char **argv);
int cmd_backup(struct cli *cli, int argc, char **argv);
int cmd_generate(struct cli *cli, int argc, char **argv);
int cmd_demo(struct cli *cli, int argc, char **argv);
int cmd_bank(struct cli *cli, int argc, char **argv);
int cmd_item(struct cli *cli, int argc, char **argv);
int cmd_blueprint(struct cli *cli, int argc, char **argv);
int cmd_form(struct cli *cli, int argc, char **argv);
int cmd_paper(struct cli *cli, int argc, char **argv);
int cmd_config(struct cli *cli, int argc, char **argv);
int cmd_print(struct cli *cli, int argc, char **argv);
int cmd_responses(struct cli *cli, int argc, char **argv);
int cmd_scores(struct cli *cli, int argc, char **argv);
int cmd_incident(struct cli *cli, int argc, char **argv);
int cmd_grade(struct cli *cli, int argc, char **argv);
int cmd_result(struct cli *cli, int argc, char **argv);
int cmd_ledger(struct cli *cli, int argc, char **argv);
int cmd_keys(struct cli *cli, int argc, char **argv);
int cmd_cert(struct cli *cli, int argc, char **argv);
int cmd_verify(struct cli *cli, int argc, char **argv);
int cmd_checkin(struct cli *cli, int argc, char **argv);
int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_staff(struct cli *cli, int argc, char **argv);


/* Run one command (argv[0] is its name) as main() would: open the database
 * and key file its flags ask for, run it, close. Returns its exit code. The
 * demo runs its steps through here. */
int cli_run(const struct cli *base, int argc, char **argv);

/* Open the database for a command that decides itself whether it needs one
 * (verify): as cli_run does for NEED_DB, with the key file when need_keys.
 * On success cli->db is set and the caller closes it. Returns an exit code. */
int cli_open_db(struct cli *cli, int argc, char **argv, int need_keys);

/* The demo's check-in (cli/cmd_checkin.c): scan most tickets of a sitting
 * at one station per room (from files written to DIR/input), a forged
 * ticket and a ticket used twice among them, record the impersonation
 * incident, close the rooms, show the counts. seed and count are the
 * demo's, to know the sample candidates' passports. Returns an exit code. */
int cli_checkin_demo(const struct cli *cli, const char *dir, const char *sitting, unsigned long seed,
		     unsigned long count);

/* A subcommand table for commands with verbs ("candidate import"). */
struct subcmd {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *usage; /* N_(): synopsis and options, shown by --help */
};

extern const struct subcmd test_subs[], candidate_subs[], venue_subs[], sitting_subs[],
	register_subs[], fee_subs[], audit_subs[], bank_subs[], item_subs[], blueprint_subs[],
	form_subs[], paper_subs[], config_subs[], print_subs[], responses_subs[], scores_subs[],
	incident_subs[], result_subs[], ledger_subs[], keys_subs[], cert_subs[], checkin_subs[], stats_subs[],
	staff_subs[];

/* Dispatch argv[1] among subs; prints usage and returns EXIT_USAGE when the
 * verb is missing or unknown. `usage` describes the command as a whole. */
int cli_dispatch(struct cli *cli, const struct subcmd *subs, const char *usage, int argc,
		 char **argv);

/* Messages. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the handle's last error ("shiken: <what>: <detail>", or just the
 * detail when what is NULL) and return EXIT_FAIL (EXIT_VERIFY for SK_EVERIFY). */
int cli_db_error(struct cli *cli, int rc, const char *what);
/* Print every diagnostic of a report, translated, to stderr. */
void cli_print_report(const struct sk_report *rep);
/* Print a usage text to out. */
void cli_usage(FILE *out, const char *usage);
/* Print a short "bad usage" message plus a hint and return EXIT_USAGE. */
int cli_bad_usage(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Non-zero if argv has --help or -h (before any "--"). */
int cli_wants_help(int argc, char **argv);

/* Import options shared by every "X import" command:
 * --encoding, --ignore-unknown, --skip-invalid, --dry-run. Parses argv,
 * leaving the single FILE in *file. Returns 0, or an exit code. */
int cli_import_args(int argc, char **argv, const char *usage, struct sk_import_opts *opts,
		    const char **file);
/* Run an import and print its outcome. `noun` names what is counted
 * (N_("candidates")). Returns an exit code. */
int cli_import_run(struct cli *cli, const char *noun, const char *file,
		   const struct sk_import_opts *opts,
		   int (*fn)(struct sk_db *, const char *, const struct sk_import_opts *,
			     struct sk_import_stats *, struct sk_report *));

/* Progress on stderr when it is a terminal. */
void cli_progress(void *payload, size_t done, size_t total);
void cli_progress_end(void);

/* Tables: collect rows of strings, print aligned by display width. */
struct table {
	size_t ncols, nrows, alloc;
	const char **headers;
	char **cells; /* nrows * ncols, owned */
};
void table_init(struct table *t, size_t ncols, const char **headers);
void table_add(struct table *t, const char *const *row);
void table_print(const struct table *t, FILE *out);
void table_release(struct table *t);

/* Output formats for list commands. */
enum out_format { OUT_TABLE, OUT_CSV, OUT_JSON };

/* Print a jansson value (steals the reference) with a newline. */
void cli_print_json(json_t *v);

/* The clock fixed by $SHIKEN_NOW ("2026-11-22T09:00:00Z") for tests and
 * reproducible demos: *out is seconds since the epoch, or -1 when unset.
 * Returns non-zero (after printing why) when the variable is malformed. */
int cli_fixed_now(int64_t *out);

/* Write `data` to path atomically (mode 0600: it may hold personal data), or
 * to stdout when path is NULL or "-". */
int cli_write_output(const char *path, const char *data, size_t len);
/* The same with the file's mode: 0644 for what is meant to be published
 * (the JWK Set, the signed revocation list). */
int cli_write_file(const char *path, const char *data, size_t len, mode_t mode);

#endif
