/* Diagnostics collection; see report.h. */
#include "core/report.h"
#include "core/buf.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sk_report_init(struct sk_report *r)
{
	memset(r, 0, sizeof(*r));
}

void sk_report_release(struct sk_report *r)
{
	for (size_t i = 0; i < r->count; i++) {
		struct sk_diag *d = &r->items[i];
		free(d->file);
		free(d->field);
		for (int k = 0; k < SK_DIAG_ARGS; k++)
			free(d->args[k]);
	}
	free(r->items);
	sk_report_init(r);
}

void sk_report_add(struct sk_report *r, const char *file, long line, const char *field,
		   const char *fmt, const char *a0, const char *a1, const char *a2)
{
	if (r->count == r->alloc) {
		size_t alloc = r->alloc ? r->alloc * 2 : 16;
		struct sk_diag *p = realloc(r->items, alloc * sizeof(*p));
		if (!p) {
			r->failed = 1;
			return;
		}
		r->items = p;
		r->alloc = alloc;
	}
	struct sk_diag *d = &r->items[r->count++];
	memset(d, 0, sizeof(*d));
	d->file = sk_strdup(file);
	d->line = line;
	d->field = sk_strdup(field);
	d->fmt = fmt;
	d->args[0] = sk_strdup(a0);
	d->args[1] = sk_strdup(a1);
	d->args[2] = sk_strdup(a2);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
void sk_diag_format(struct sk_buf *out, const struct sk_diag *d,
		    const char *(*translate)(const char *msgid))
{
	if (d->file) {
		sk_buf_adds(out, d->file);
		if (d->line > 0)
			sk_buf_addf(out, ":%ld", d->line);
		sk_buf_adds(out, ": ");
	}
	if (d->field) {
		sk_buf_adds(out, d->field);
		sk_buf_adds(out, ": ");
	}
	const char *fmt = translate ? translate(d->fmt) : d->fmt;
	sk_buf_addf(out, fmt, d->args[0] ? d->args[0] : "", d->args[1] ? d->args[1] : "",
		    d->args[2] ? d->args[2] : "");
}
#pragma GCC diagnostic pop
