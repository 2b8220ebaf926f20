/* shiken backup FILE */
#include "cli/cli.h"
#include "core/db.h"
#include "core/error.h"
#include "core/photo.h"

#include <errno.h>
#include <sodium.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	N_("usage: shiken backup FILE [--force] [--with-key]\n"
	   "\n"
	   "Copy the database to FILE with SQLite's online backup: a consistent\n"
	   "snapshot even while others are writing. The copy is checked before it is\n"
	   "put in place. --with-key also copies the key file to FILE.key (mode 0600);\n"
	   "otherwise back the key file up yourself, apart from the database.\n"
	   "To restore: stop shiken, copy FILE over the database, delete any stale\n"
	   "-wal and -shm files beside it, and put the key file back beside it.\n");

int cmd_backup(struct cli *cli, int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, usage);
		return EXIT_OK;
	}
	int force = 0, with_key = 0;
	const char *dest = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = 1;
		else if (!strcmp(argv[i], "--with-key"))
			with_key = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_bad_usage(usage, _("unknown option '%s'"), argv[i]);
		else if (!dest)
			dest = argv[i];
		else
			return cli_bad_usage(usage, _("unexpected argument '%s'"), argv[i]);
	}
	if (!dest)
		return cli_bad_usage(usage, "%s", _("give the backup file"));
	int rc = sk_db_backup(cli->db, dest, force);
	if (rc)
		return cli_db_error(cli, rc, _("backup"));
	printf(_("backed up %s to %s\n"), cli->db_path, dest);
	if (!with_key) {
		printf(_("the key file %s is not in the backup: keep a copy of it apart from the database\n"),
		       cli->key_path);
		return EXIT_OK;
	}
	unsigned char *key = NULL;
	size_t len = 0;
	char path[4096];
	snprintf(path, sizeof(path), "%s.key", dest);
	if (sk_read_file(&key, &len, cli->key_path, 65536)) {
		cli_error(_("cannot read '%s': %s"), cli->key_path, strerror(errno));
		return EXIT_FAIL;
	}
	if (force)
		unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int ok = fd >= 0 && write(fd, key, len) == (ssize_t)len && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	sodium_memzero(key, len);
	free(key);
	if (!ok) {
		cli_error(_("cannot write '%s': %s"), path, strerror(errno));
		return EXIT_FAIL;
	}
	printf(_("copied the key file to %s (mode 0600)\n"), path);
	return EXIT_OK;
}
