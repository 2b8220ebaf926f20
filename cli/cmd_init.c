/* shiken init: a new database and its key file. */
#include "cli/cli.h"
#include "core/audit.h"
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	N_("usage: shiken init [--db FILE] [--key-file FILE]\n"
	   "\n"
	   "Create a new registry database and, beside it, its key file (mode 0600).\n"
	   "The key file holds the keys that protect passport numbers and sitting\n"
	   "keys: back it up apart from the database. Without it they are lost.\n");

static void remove_db_files(const char *path)
{
	const char *suffix[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

int cmd_init(struct cli *cli, int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, usage);
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_bad_usage(usage, _("unexpected argument '%s'"), argv[1]);
	/* The database first: running init twice must say so, not blame the
	 * key file that belongs to that very database. */
	struct stat st;
	if (stat(cli->db_path, &st) == 0 && st.st_size > 0) {
		cli_error(_("database '%s' already exists"), cli->db_path);
		return EXIT_FAIL;
	}
	if (access(cli->key_path, F_OK) == 0) {
		cli_error(_("key file '%s' already exists; it belongs to another database"), cli->key_path);
		return EXIT_FAIL;
	}
	char errmsg[1024];
	struct sk_db *db = NULL;
	int rc = sk_db_open(&db, cli->db_path, SK_DB_CREATE, errmsg, sizeof(errmsg));
	if (rc) {
		cli_error("%s", errmsg);
		return EXIT_FAIL;
	}
	cli->db = db;
	int64_t now = -1;
	if (cli_fixed_now(&now)) {
		sk_db_close(db);
		remove_db_files(cli->db_path);
		return EXIT_USAGE;
	}
	sk_db_set_clock(db, now);
	sk_db_set_actor(db, cli->actor);
	sk_db_set_command(db, "init");
	if ((rc = sk_keys_create(db, cli->key_path))) {
		int code = cli_db_error(cli, rc, _("creating the key file"));
		sk_db_close(db);
		remove_db_files(cli->db_path);
		return code;
	}
	char detail[128];
	snprintf(detail, sizeof(detail), "{\"schema\":%d}", sk_db_schema_latest());
	if ((rc = sk_db_begin(db)) || (rc = sk_audit_append(db, "database", "", "init", detail)) ||
	    (rc = sk_db_commit(db))) {
		int code = cli_db_error(cli, rc, _("initialising"));
		sk_db_close(db);
		remove_db_files(cli->db_path);
		unlink(cli->key_path);
		return code;
	}
	sk_db_close(db);
	cli->db = NULL;
	printf(_("created database %s (schema %d)\n"), cli->db_path, sk_db_schema_latest());
	printf(_("created key file %s (mode 0600): back it up apart from the database; "
		 "without it, passport numbers and sitting keys cannot be read\n"),
	       cli->key_path);
	return EXIT_OK;
}
