/* Helpers shared by the commands: messages, usage, imports, tables, output. */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("shiken: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "shiken: %s", _("warning: "));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int cli_db_error(struct cli *cli, int rc, const char *what)
{
	const char *detail = cli->db ? sk_db_errmsg(cli->db) : "";
	if (detail && *detail && !what)
		cli_error("%s", detail);
	else if (detail && *detail)
		cli_error("%s: %s", what, detail);
	else
		cli_error("%s: %s", what, sk_strerror(rc));
	return rc == SK_EVERIFY ? EXIT_VERIFY : EXIT_FAIL;
}

void cli_print_report(const struct sk_report *rep)
{
	struct sk_buf line = SK_BUF_INIT;
	for (size_t i = 0; i < rep->count; i++) {
		sk_buf_reset(&line);
		sk_diag_format(&line, &rep->items[i], sk_gettext);
		fprintf(stderr, "%s\n", line.buf);
	}
	if (rep->failed)
		fprintf(stderr, "%s\n", _("(some messages were lost: out of memory)"));
	sk_buf_release(&line);
}

void cli_usage(FILE *out, const char *usage)
{
	fputs(_(usage), out);
}

int cli_bad_usage(const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("shiken: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (usage) {
		fputc('\n', stderr);
		cli_usage(stderr, usage);
	}
	return EXIT_USAGE;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

int cli_dispatch(struct cli *cli, const struct subcmd *subs, const char *usage, int argc,
		 char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		FILE *out = argc < 2 ? stderr : stdout;
		cli_usage(out, usage);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (const struct subcmd *s = subs; s->name; s++) {
		if (!strcmp(s->name, argv[1])) {
			cli->subcommand = s->name;
			if (cli_wants_help(argc - 1, argv + 1)) {
				cli_usage(stdout, s->usage);
				return EXIT_OK;
			}
			return s->fn(cli, argc - 1, argv + 1);
		}
	}
	return cli_bad_usage(usage, _("'%s %s' is not a shiken command"), cli->command, argv[1]);
}

int cli_fixed_now(int64_t *out)
{
	*out = -1;
	const char *now = getenv("SHIKEN_NOW");
	if (!now || !*now)
		return 0;
	int y, mo, d, h, mi, s;
	char z = 0, extra = 0;
	int n = sscanf(now, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &y, &mo, &d, &h, &mi, &s, &z, &extra);
	struct sk_date dt = { y, mo, d }, check;
	char date[11];
	if (n >= 6)
		sk_date_format(date, &dt);
	if ((n != 6 && !(n == 7 && z == 'Z')) || sk_date_parse(&check, date) || h > 23 || mi > 59 ||
	    s > 59 || h < 0 || mi < 0 || s < 0) {
		cli_error(_("SHIKEN_NOW='%s' is not a time like 2026-11-22T09:00:00Z"), now);
		return 1;
	}
	*out = (int64_t)sk_date_days(&dt) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}

/* ---- imports ---- */

int cli_import_args(int argc, char **argv, const char *usage, struct sk_import_opts *opts,
		    const char **file)
{
	static const struct option longopts[] = {
		{ "encoding", required_argument, NULL, 'e' },
		{ "ignore-unknown", no_argument, NULL, 'u' },
		{ "skip-invalid", no_argument, NULL, 's' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	memset(opts, 0, sizeof(*opts));
	*file = NULL;
	optind = 0;
	opterr = 0;
	int c, files = 0;
	/* Options may follow the file, as the usage lines show them: "-" hands
	 * us each file in place, whatever POSIXLY_CORRECT says. */
	while ((c = getopt_long(argc, argv, "-:", longopts, NULL)) != -1) {
		switch (c) {
		case 1:
			if (!files++)
				*file = optarg;
			break;
		case 'e':
			if (sk_ascii_casecmp(optarg, "auto") && sk_ascii_casecmp(optarg, "utf-8") &&
			    sk_ascii_casecmp(optarg, "utf8") && sk_ascii_casecmp(optarg, "cp932") &&
			    sk_ascii_casecmp(optarg, "shift_jis") && sk_ascii_casecmp(optarg, "shift-jis") &&
			    sk_ascii_casecmp(optarg, "sjis") && sk_ascii_casecmp(optarg, "windows-31j") &&
			    sk_ascii_casecmp(optarg, "ms932"))
				return cli_bad_usage(usage, _("'%s' is not a supported encoding (use utf-8 or cp932)"), optarg);
			opts->encoding = optarg;
			break;
		case 'u':
			opts->ignore_unknown = 1;
			break;
		case 's':
			opts->skip_invalid = 1;
			break;
		case 'n':
			opts->dry_run = 1;
			break;
		case ':':
			*file = NULL;
			return cli_bad_usage(usage, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			*file = NULL;
			return cli_bad_usage(usage, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++) /* after "--" */
		if (!files++)
			*file = argv[optind];
	if (files != 1) {
		*file = NULL;
		return cli_bad_usage(usage, "%s", _("give exactly one CSV file"));
	}
	if (isatty(STDERR_FILENO)) {
		opts->progress = cli_progress;
		opts->progress_payload = NULL;
	}
	return 0;
}

/* "1 row" or "N rows" (the catalogs have no plural forms; Japanese needs none). */
static const char *rows_phrase(char buf[48], size_t n)
{
	if (n == 1)
		snprintf(buf, 48, "%s", _("1 row"));
	else
		snprintf(buf, 48, _("%zu rows"), n);
	return buf;
}

static void print_import_summary(const char *noun, const char *file,
				 const struct sk_import_stats *st, const struct sk_import_opts *opts)
{
	char rows[48];
	printf(_("%s: %s; %s: %zu added, %zu updated, %zu unchanged"), file, rows_phrase(rows, st->rows),
	       _(noun), st->added, st->updated, st->unchanged);
	if (st->rejected)
		printf(_("; %s rejected"), rows_phrase(rows, st->rejected));
	putchar('\n');
	if (st->rejects_path)
		printf(_("rejected rows and their errors: %s\n"), st->rejects_path);
	if (opts->dry_run)
		printf("%s\n", _("dry run: nothing was changed"));
}

int cli_import_run(struct cli *cli, const char *noun, const char *file,
		   const struct sk_import_opts *opts,
		   int (*fn)(struct sk_db *, const char *, const struct sk_import_opts *,
			     struct sk_import_stats *, struct sk_report *))
{
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_import_stats st;
	int rc = fn(cli->db, file, opts, &st, &rep);
	cli_progress_end();
	cli_print_report(&rep);
	int exit_code = EXIT_OK;
	if (rc == SK_EINPUT) {
		if (st.rejected)
			cli_error(_("%s: rows with errors: %zu of %zu; nothing was changed"), file,
				  st.rejected, st.rows);
		else
			cli_error(_("%s: nothing was changed"), file);
		exit_code = EXIT_FAIL;
	} else if (st.rejects_failed) {
		/* The good rows are in (the report says why their rejects are not). */
		print_import_summary(noun, file, &st, opts);
		exit_code = EXIT_FAIL;
	} else if (rc && rc != SK_EIO) {
		exit_code = cli_db_error(cli, rc, file);
	} else if (rc == SK_EIO && rep.count == 0) {
		exit_code = cli_db_error(cli, rc, file);
	} else if (rc == SK_EIO) {
		exit_code = EXIT_FAIL;
	} else {
		print_import_summary(noun, file, &st, opts);
	}
	sk_import_stats_release(&st);
	sk_report_release(&rep);
	return exit_code;
}

static int progress_shown;

void cli_progress(void *payload, size_t done, size_t total)
{
	(void)payload;
	fprintf(stderr, "\r%zu / %zu", done, total);
	progress_shown = 1;
}

void cli_progress_end(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

/* ---- tables ---- */

void table_init(struct table *t, size_t ncols, const char **headers)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->headers = headers;
}

void table_add(struct table *t, const char *const *row)
{
	if (t->nrows == t->alloc) {
		size_t alloc = t->alloc ? t->alloc * 2 : 64;
		char **p = realloc(t->cells, alloc * t->ncols * sizeof(char *));
		if (!p)
			return;
		t->cells = p;
		t->alloc = alloc;
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = strdup(row[c] ? row[c] : "");
	t->nrows++;
}

void table_print(const struct table *t, FILE *out)
{
	size_t *w = calloc(t->ncols, sizeof(size_t));
	if (!w)
		return;
	for (size_t c = 0; c < t->ncols; c++)
		w[c] = sk_text_width(_(t->headers[c]));
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t cw = s ? sk_text_width(s) : 0;
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? _(t->headers[c]) : t->cells[(r - 1) * t->ncols + c];
			if (!s)
				s = "";
			fputs(s, out);
			if (c + 1 < t->ncols)
				for (size_t pad = sk_text_width(s); pad < w[c] + 2; pad++)
					fputc(' ', out);
		}
		fputc('\n', out);
	}
	free(w);
}

void table_release(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void cli_print_json(json_t *v)
{
	if (!v)
		return;
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		puts(s);
		free(s);
	}
	json_decref(v);
}

int cli_write_output(const char *path, const char *data, size_t len)
{
	return cli_write_file(path, data, len, 0600);
}

int cli_write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	if (!path || !strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
			cli_error(_("cannot write to standard output: %s"), strerror(errno));
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	struct sk_buf tmp = SK_BUF_INIT;
	sk_buf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
	int fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int ok = fd >= 0 && fchmod(fd, mode) == 0 && write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (ok && rename(tmp.buf, path) != 0)
		ok = 0;
	if (!ok) {
		cli_error(_("cannot write '%s': %s"), path, strerror(errno));
		unlink(tmp.buf);
	}
	sk_buf_release(&tmp);
	return ok ? EXIT_OK : EXIT_FAIL;
}
