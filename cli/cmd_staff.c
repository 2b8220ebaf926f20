/*
 * shiken staff add|list|disable: the accounts that sign in to the web
 * service's check-in station (core/staff.h). A password is never an
 * argument (it would sit in the shell history and in ps): it is read from
 * the terminal twice without echo, or one line from standard input with
 * --password-stdin, for scripts.
 */
#include "cli/cli.h"
#include "core/db.h"
#include "core/error.h"
#include "core/staff.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char usage[] =
	N_("usage: shiken staff add|list|disable ...\n"
	   "\n"
	   "  add NAME --role ROLE [--password-stdin]   add an account\n"
	   "  list [--json]                             list the accounts\n"
	   "  disable NAME                              disable an account, ending its sessions\n"
	   "\n"
	   "Staff sign in to the check-in station of 'shiken serve' (/checkin).\n");
static const char usage_add[] =
	N_("usage: shiken staff add NAME --role admin|proctor|grader [--password-stdin]\n"
	   "\n"
	   "Add an account. NAME is 1 to 64 of a-z, 0-9, '.', '_', '-'. Roles: admin and\n"
	   "proctor may check candidates in; grader may not. The password (at least 10\n"
	   "characters) is asked twice on the terminal, without echo, or read as one\n"
	   "line from standard input with --password-stdin. It is kept only as an\n"
	   "Argon2id hash.\n");
static const char usage_list[] = N_("usage: shiken staff list [--json]\n");
static const char usage_disable[] =
	N_("usage: shiken staff disable NAME\n"
	   "\n"
	   "Disable an account: it can no longer sign in, and its sessions end now.\n"
	   "The account is kept (the audit log names it).\n");

/* One line from fd into buf (without its newline), echo off when fd is a
 * terminal. 1 read, 0 end of input, -1 too long or an error. */
static int read_secret(int fd, const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	int tty = isatty(fd) && tcgetattr(fd, &old) == 0;
	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		if (tcsetattr(fd, TCSAFLUSH, &quiet))
			return -1;
	}
	size_t n = 0;
	int rc = 0;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -1 : n ? 1 : 0;
			break;
		}
		if (c == '\n') {
			rc = 1;
			break;
		}
		if (n + 1 >= cap) {
			rc = -1;
			break;
		}
		buf[n++] = c;
	}
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (tty)
		tcsetattr(fd, TCSAFLUSH, &old);
	return rc;
}

static int cmd_add(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "password-stdin", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, usage_add);
		return EXIT_OK;
	}
	const char *role = NULL;
	int from_stdin = 0;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': role = optarg; break;
		case 's': from_stdin = 1; break;
		case ':': return cli_bad_usage(usage_add, _("option '%s' needs a value"), argv[optind - 1]);
		default: return cli_bad_usage(usage_add, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_bad_usage(usage_add, "%s", _("give one account NAME"));
	const char *name = argv[optind];
	if (!role)
		return cli_bad_usage(usage_add, "%s", _("give --role admin, proctor or grader"));
	if (!sk_staff_role_parse(role))
		return cli_bad_usage(usage_add, _("the role is admin, proctor or grader, not '%s'"), role);
	if (!sk_staff_name_valid(name))
		return cli_bad_usage(usage_add, "%s",
				     _("an account name is 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"));

	char pw[SK_STAFF_PASSWORD_MAX + 2], again[SK_STAFF_PASSWORD_MAX + 2];
	int rc = EXIT_FAIL;
	int fd = STDIN_FILENO, opened = -1;
	if (!from_stdin) {
		if ((opened = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0) {
			cli_error("%s", _("no terminal to ask the password on: use --password-stdin"));
			return EXIT_USAGE;
		}
		fd = opened;
	}
	int r = read_secret(fd, _("password: "), pw, sizeof(pw));
	if (r > 0 && !from_stdin)
		r = read_secret(fd, _("the same password again: "), again, sizeof(again));
	if (r <= 0) {
		cli_error("%s", r < 0 ? _("the password is too long or cannot be read") : _("no password given"));
		goto cleanup;
	}
	if (!from_stdin && strcmp(pw, again)) {
		cli_error("%s", _("the two passwords differ: nothing added"));
		goto cleanup;
	}
	int e = sk_staff_add(cli->db, name, role, pw);
	if (e) {
		rc = cli_db_error(cli, e, NULL);
		goto cleanup;
	}
	printf(_("account %s added (%s)\n"), name, role);
	rc = EXIT_OK;
cleanup:
	sodium_memzero(pw, sizeof(pw));
	sodium_memzero(again, sizeof(again));
	if (opened >= 0)
		close(opened);
	return rc;
}

struct list_state {
	int json;
	json_t *array;
	struct table table;
};

static int list_row(void *payload, const struct sk_staff *s)
{
	struct list_state *ls = payload;
	if (ls->json) {
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(s->name));
		json_object_set_new(o, "role", json_string(sk_staff_role_name(s->role)));
		json_object_set_new(o, "status", json_string(s->active ? "active" : "disabled"));
		json_object_set_new(o, "created_at", json_string(s->created_at));
		json_object_set_new(o, "disabled_at", s->disabled_at[0] ? json_string(s->disabled_at) : json_null());
		json_object_set_new(o, "last_login_at", s->last_login_at[0] ? json_string(s->last_login_at) : json_null());
		json_array_append_new(ls->array, o);
	} else {
		const char *row[] = { s->name, _(sk_staff_role_name(s->role)), s->active ? _("active") : _("disabled"),
				      s->created_at, s->last_login_at[0] ? s->last_login_at : "-" };
		table_add(&ls->table, row);
	}
	return 0;
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, usage_list);
		return EXIT_OK;
	}
	struct list_state ls = { 0 };
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c != 'j')
			return cli_bad_usage(usage_list, _("unknown option '%s'"), argv[optind - 1]);
		ls.json = 1;
	}
	if (optind < argc)
		return cli_bad_usage(usage_list, _("unexpected argument '%s'"), argv[optind]);
	static const char *headers[] = { N_("name"), N_("role"), N_("status"), N_("created"), N_("last sign-in") };
	if (ls.json && !(ls.array = json_array())) {
		cli_error("%s", _("out of memory"));
		return EXIT_FAIL;
	}
	if (!ls.json)
		table_init(&ls.table, 5, headers);
	int rc = sk_staff_list(cli->db, list_row, &ls);
	if (rc) {
		json_decref(ls.array);
		if (!ls.json)
			table_release(&ls.table);
		return cli_db_error(cli, rc, _("cannot list the accounts"));
	}
	if (ls.json) {
		cli_print_json(ls.array);
	} else {
		table_print(&ls.table, stdout);
		table_release(&ls.table);
	}
	return EXIT_OK;
}

static int cmd_disable(struct cli *cli, int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, usage_disable);
		return EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-')
		return cli_bad_usage(usage_disable, "%s", _("give one account NAME"));
	int rc = sk_staff_disable(cli->db, argv[1]);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	printf(_("account %s disabled\n"), argv[1]);
	return EXIT_OK;
}

const struct subcmd staff_subs[] = {
	{ "add", cmd_add, usage_add },
	{ "list", cmd_list, usage_list },
	{ "disable", cmd_disable, usage_disable },
	{ NULL, NULL, NULL },
};

int cmd_staff(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, staff_subs, usage, argc, argv);
}
