/*
 * Diagnostics: the report keeps its own copies of what it is given, grows
 * past its first allocation, and formats each entry as
 * `file:line: field: reason`, leaving out what is absent and translating
 * the template through the caller's function.
 */
#include "core/buf.h"
#include "core/report.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *format(const struct sk_diag *d, const char *(*translate)(const char *))
{
	struct sk_buf b = SK_BUF_INIT;
	sk_diag_format(&b, d, translate);
	return sk_buf_detach(&b, NULL);
}

static void assert_formats(const struct sk_diag *d, const char *want)
{
	char *s = format(d, NULL);
	cr_assert_str_eq(s, want);
	free(s);
}

Test(report, init_is_empty)
{
	struct sk_report r = SK_REPORT_INIT;
	cr_assert_eq(r.count, 0);
	cr_assert_null(r.items);
	sk_report_release(&r);
	sk_report_init(&r);
	cr_assert_eq(r.count, 0);
	sk_report_release(&r);
	sk_report_release(&r);
}

Test(report, add_copies_strings)
{
	struct sk_report r;
	sk_report_init(&r);
	char file[] = "candidates.csv", field[] = "date_of_birth", arg[] = "1999-02-30";
	sk_report_add(&r, file, 14, field, N_("'%s' is not a date"), arg, NULL, NULL);
	memset(file, 'x', sizeof(file) - 1);
	memset(field, 'x', sizeof(field) - 1);
	memset(arg, 'x', sizeof(arg) - 1);
	cr_assert_eq(r.count, 1);
	cr_assert_str_eq(r.items[0].file, "candidates.csv");
	cr_assert_str_eq(r.items[0].field, "date_of_birth");
	cr_assert_str_eq(r.items[0].args[0], "1999-02-30");
	cr_assert_null(r.items[0].args[1]);
	cr_assert_eq(r.items[0].line, 14);
	cr_assert_eq(r.failed, 0);
	assert_formats(&r.items[0], "candidates.csv:14: date_of_birth: '1999-02-30' is not a date");
	sk_report_release(&r);
}

Test(report, grows_and_keeps_order)
{
	struct sk_report r;
	sk_report_init(&r);
	for (int i = 0; i < 1000; i++) {
		char n[16];
		snprintf(n, sizeof(n), "%d", i);
		sk_report_add(&r, "f.csv", i + 2, "row", N_("problem %s"), n, NULL, NULL);
	}
	cr_assert_eq(r.count, 1000);
	cr_assert_eq(r.failed, 0);
	for (int i = 0; i < 1000; i += 97) {
		char want[64];
		snprintf(want, sizeof(want), "f.csv:%d: row: problem %d", i + 2, i);
		assert_formats(&r.items[i], want);
	}
	sk_report_release(&r);
	cr_assert_eq(r.count, 0);
	cr_assert_null(r.items);
}

Test(report, format_leaves_out_what_is_absent)
{
	struct sk_report r;
	sk_report_init(&r);
	sk_report_add(&r, "f.csv", 0, "header", N_("the file is empty"), NULL, NULL, NULL);
	sk_report_add(&r, "f.csv", 3, NULL, N_("read error"), NULL, NULL, NULL);
	sk_report_add(&r, NULL, 0, "record 4", N_("is missing"), NULL, NULL, NULL);
	sk_report_add(&r, NULL, 7, NULL, N_("alone"), NULL, NULL, NULL);
	assert_formats(&r.items[0], "f.csv: header: the file is empty");
	assert_formats(&r.items[1], "f.csv:3: read error");
	assert_formats(&r.items[2], "record 4: is missing");
	assert_formats(&r.items[3], "alone");
	sk_report_release(&r);
}

Test(report, format_with_three_args_and_missing_args)
{
	struct sk_report r;
	sk_report_init(&r);
	sk_report_add(&r, "f.csv", 2, "seat", N_("%s, %s and %s"), "a", "b", "c");
	sk_report_add(&r, "f.csv", 2, "seat", N_("[%s][%s]"), "a", NULL, NULL);
	assert_formats(&r.items[0], "f.csv:2: seat: a, b and c");
	assert_formats(&r.items[1], "f.csv:2: seat: [a][]");
	sk_report_release(&r);
}

Test(report, arguments_are_not_templates)
{
	/* A value from a file with a % in it is printed, not interpreted. */
	struct sk_report r;
	sk_report_init(&r);
	sk_report_add(&r, "100%s.csv", 1, "%n%s", N_("'%s' is bad"), "%s%n%x", NULL, NULL);
	assert_formats(&r.items[0], "100%s.csv:1: %n%s: '%s%n%x' is bad");
	sk_report_release(&r);
}

static const char *to_japanese(const char *msgid)
{
	if (!strcmp(msgid, "'%s' is not a date"))
		return "「%s」は日付ではありません";
	return msgid;
}

Test(report, format_translates_template_only)
{
	struct sk_report r;
	sk_report_init(&r);
	sk_report_add(&r, "c.csv", 5, "date_of_birth", N_("'%s' is not a date"), "1999-02-30", NULL,
		      NULL);
	char *s = format(&r.items[0], to_japanese);
	cr_assert_str_eq(s, "c.csv:5: date_of_birth: 「1999-02-30」は日付ではありません");
	free(s);
	sk_report_release(&r);
}

Test(report, format_appends_to_buffer)
{
	struct sk_report r;
	sk_report_init(&r);
	sk_report_add(&r, "a", 1, NULL, N_("x"), NULL, NULL, NULL);
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_adds(&b, "error: ");
	sk_diag_format(&b, &r.items[0], NULL);
	cr_assert_str_eq(b.buf, "error: a:1: x");
	sk_buf_release(&b);
	sk_report_release(&r);
}
