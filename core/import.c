/* Shared import machinery; see import.h. */
#include "core/import.h"
#include "core/buf.h"
#include "core/db.h"
#include "core/error.h"
#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sk_import_stats_release(struct sk_import_stats *s)
{
	free(s->rejects_path);
	memset(s, 0, sizeof(*s));
}

int sk_rowset_init(struct sk_rowset *rs, size_t records)
{
	rs->bad = calloc(records ? records : 1, 1);
	rs->count = records;
	return rs->bad ? 0 : SK_ENOMEM;
}

void sk_rowset_release(struct sk_rowset *rs)
{
	free(rs->bad);
	rs->bad = NULL;
	rs->count = 0;
}

int sk_import_end(struct sk_db *db, const struct sk_csv_doc *doc, const struct sk_rowset *rs,
		  const struct sk_import_opts *opts, struct sk_report *rep, struct sk_import_stats *stats)
{
	for (size_t i = 1; i < doc->count; i++)
		stats->rejected += rs->bad[i];
	if ((stats->rejected && !opts->skip_invalid) || opts->dry_run) {
		sk_db_rollback(db);
		if (stats->rejected && !opts->skip_invalid) {
			stats->added = stats->updated = stats->unchanged = 0;
			return SK_EINPUT;
		}
		return 0;
	}
	int rc = sk_db_commit(db);
	if (!rc && stats->rejected)
		rc = sk_import_write_rejects(doc, rs, rep, stats);
	return rc;
}

int sk_import_write_rejects(const struct sk_csv_doc *doc, const struct sk_rowset *rs,
			    struct sk_report *rep, struct sk_import_stats *stats)
{
	struct sk_buf out = SK_BUF_INIT, msg = SK_BUF_INIT, path = SK_BUF_INIT, tmp = SK_BUF_INIT;
	int rc = 0, fd = -1;
	const struct sk_csv_record *h = &doc->records[0];
	for (size_t f = 0; f < h->nfields; f++) {
		sk_csv_put_field(&out, h->fields[f]);
		sk_buf_addch(&out, ',');
	}
	sk_buf_adds(&out, "error\n");
	for (size_t i = 1; i < doc->count; i++) {
		if (!rs->bad[i])
			continue;
		const struct sk_csv_record *r = &doc->records[i];
		for (size_t f = 0; f < h->nfields; f++) {
			sk_csv_put_field(&out, sk_csv_field(r, (int)f));
			sk_buf_addch(&out, ',');
		}
		sk_buf_reset(&msg);
		for (size_t k = 0; k < rep->count; k++) {
			const struct sk_diag *d = &rep->items[k];
			if (d->line != r->line || !d->file || strcmp(d->file, doc->name))
				continue;
			if (msg.len)
				sk_buf_adds(&msg, "; ");
			struct sk_diag copy = *d;
			copy.file = NULL;
			sk_diag_format(&msg, &copy, NULL);
		}
		sk_csv_put_field(&out, msg.buf);
		sk_buf_addch(&out, '\n');
	}
	sk_buf_adds(&path, doc->name);
	sk_buf_adds(&path, ".rejects.csv");
	sk_buf_addf(&tmp, "%s.tmp%ld", path.buf, (long)getpid());
	if (sk_buf_failed(&out) || sk_buf_failed(&path) || sk_buf_failed(&tmp)) {
		sk_report_add(rep, doc->name, 0, NULL, N_("cannot write the rejected rows: %s"),
			      "out of memory", NULL, NULL);
		rc = SK_ENOMEM;
		goto cleanup;
	}
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, out.buf, out.len) != (ssize_t)out.len || fsync(fd) != 0 ||
	    close(fd) != 0 || (fd = -1, rename(tmp.buf, path.buf) != 0)) {
		int saved = errno ? errno : EIO;
		unlink(tmp.buf);
		sk_report_add(rep, path.buf, 0, NULL, N_("cannot write: %s"), strerror(saved), NULL,
			      NULL);
		rc = SK_EIO;
		goto cleanup;
	}
	fd = -1;
	stats->rejects_path = sk_buf_detach(&path, NULL);
cleanup:
	if (rc)
		stats->rejects_failed = 1;
	if (fd >= 0)
		close(fd);
	sk_buf_release(&out);
	sk_buf_release(&msg);
	sk_buf_release(&path);
	sk_buf_release(&tmp);
	return rc;
}

struct diag_pos {
	long line;
	size_t index;
};

static int cmp_diag_pos(const void *a, const void *b)
{
	const struct diag_pos *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void sk_import_sort_report(struct sk_report *rep, size_t from)
{
	if (from >= rep->count || rep->count - from < 2)
		return;
	size_t n = rep->count - from;
	struct diag_pos *pos = malloc(n * sizeof(*pos));
	struct sk_diag *sorted = malloc(n * sizeof(*sorted));
	if (pos && sorted) {
		for (size_t i = 0; i < n; i++)
			pos[i] = (struct diag_pos){ rep->items[from + i].line, from + i };
		qsort(pos, n, sizeof(*pos), cmp_diag_pos);
		for (size_t i = 0; i < n; i++)
			sorted[i] = rep->items[pos[i].index];
		memcpy(rep->items + from, sorted, n * sizeof(*sorted));
	}
	free(pos);
	free(sorted);
}

const char *sk_import_shown(char out[SK_SHOWN_MAX], const char *value)
{
	if (!value)
		return NULL;
	size_t len = 0, chars = 0;
	const char *p = value;
	while (*p) {
		if (chars == SK_SHOWN_CHARS) {
			memcpy(out + len, "\xE2\x80\xA6", 3); /* … */
			len += 3;
			break;
		}
		int cp;
		size_t n = sk_utf8_decode(p, &cp);
		if (!n) {
			len += (size_t)snprintf(out + len, 8, "\\x%02X", (unsigned char)*p);
			p++;
		} else if (cp < 0x20 || cp == 0x7F) {
			len += (size_t)snprintf(out + len, 8, "\\x%02X", (unsigned)cp);
			p += n;
		} else if (cp >= 0x80 && cp <= 0x9F) {
			len += (size_t)snprintf(out + len, 8, "\\u%04X", (unsigned)cp);
			p += n;
		} else {
			memcpy(out + len, p, n);
			len += n;
			p += n;
		}
		chars++;
	}
	out[len] = '\0';
	return out;
}

void sk_import_unify_breaks(struct sk_csv_doc *doc)
{
	for (size_t r = 0; r < doc->count; r++) {
		const struct sk_csv_record *rec = &doc->records[r];
		for (size_t f = 0; f < rec->nfields; f++) {
			char *s = rec->fields[f], *to;
			if (!(to = strchr(s, '\r')))
				continue;
			for (const char *from = to; *from; from++) {
				if (*from == '\r') {
					*to++ = '\n';
					if (from[1] == '\n')
						from++;
				} else {
					*to++ = *from;
				}
			}
			*to = '\0';
		}
	}
}

char *sk_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

char *sk_path_join(const char *dir, const char *name)
{
	if (name[0] == '/')
		return strdup(name);
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

const char *sk_check_text(const char *value, size_t max_chars, char limit[24])
{
	snprintf(limit, 24, "%zu", max_chars);
	if (sk_text_length(value) > max_chars)
		return N_("too long (at most %s characters)");
	/* C0 but for tab and line break, DEL, and C1 (U+0080-U+009F, which
	 * UTF-8 writes as 0xC2 0x80-0x9F). */
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7F ||
		    (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
			return N_("contains a control character");
	if (value[0] == '=' || value[0] == '+' || value[0] == '@')
		return N_("must not start with '=', '+' or '@' (a spreadsheet would run it as a formula)");
	return NULL;
}
