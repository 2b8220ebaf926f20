/*
 * Diagnostics collected while reading a file: one entry per problem, in the
 * shape `file:line: field: reason`. The library never formats the reason in
 * a language: `fmt` is an English printf template with only %s conversions
 * (marked with N_() so the catalogs pick it up) and `args` are its values;
 * the command line translates `fmt` and formats the message.
 *
 * Ownership: the report owns copies of every string it is given.
 */
#ifndef SK_REPORT_H
#define SK_REPORT_H

#include <stddef.h>

/* Marks a string for translation without translating it (gettext's N_). */
#define N_(s) (s)

#define SK_DIAG_ARGS 3

struct sk_diag {
	char *file;   /* may be NULL */
	long line;    /* 0 when the problem is not on a line */
	char *field;  /* column or field name; may be NULL */
	const char *fmt; /* static English template */
	char *args[SK_DIAG_ARGS];
};

struct sk_report {
	struct sk_diag *items;
	size_t count;
	size_t alloc;
	int failed; /* an allocation failed; some entries are missing */
};

#define SK_REPORT_INIT { 0, 0, 0, 0 }

void sk_report_init(struct sk_report *r);
void sk_report_release(struct sk_report *r);
/* Add a diagnostic; any of file, field and the args may be NULL. */
void sk_report_add(struct sk_report *r, const char *file, long line, const char *field,
		   const char *fmt, const char *a0, const char *a1, const char *a2);
/* Format one diagnostic, translating fmt with `translate` (may be NULL).
 * The result is `file:line: field: reason` (parts omitted when absent) and is
 * written to `out` (a struct sk_buf *). */
struct sk_buf;
void sk_diag_format(struct sk_buf *out, const struct sk_diag *d,
		    const char *(*translate)(const char *msgid));

#endif
