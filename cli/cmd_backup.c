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
#include <sys/stat.h>
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

/* Non-zero when both paths name one existing file. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

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
	char path[4096];
	snprintf(path, sizeof(path), "%s.key", dest);
	/* --force replaces a backup, never the registry or its key: renamed
	 * over the live database the copy would meet its stale -wal file. */
	if (same_file(dest, cli->db_path)) {
		cli_error(_("backup: '%s' is the database itself"), dest);
		return EXIT_FAIL;
	}
	if (same_file(dest, cli->key_path) || (with_key && same_file(path, cli->key_path))) {
		cli_error(_("backup: '%s' is the key file"), same_file(dest, cli->key_path) ? dest : path);
		return EXIT_FAIL;
	}
	/* Refuse before copying anything: a backup whose key could not be
	 * written beside it is the one that gets restored without its key. */
	if (with_key && !force && access(path, F_OK) == 0) {
		cli_error(_("backup: '%s' already exists (use --force to replace it)"), path);
		return EXIT_FAIL;
	}
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
