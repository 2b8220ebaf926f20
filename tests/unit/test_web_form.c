/*
 * The check-in station's forms: application/x-www-form-urlencoded bodies
 * decoded strictly and within bounds (cli/web_form.h).
 */
#include "cli/web_form.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static int parse(struct web_form *f, const char *body)
{
	return web_form_parse(f, body, strlen(body));
}

Test(web_form, fields_decoded)
{
	struct web_form f;
	cr_assert_eq(parse(&f, "line=SK1.abc%2Bdef&last4=ab+12&csrf=x_y-z&sight"), 0);
	cr_assert_eq(f.count, 4);
	cr_assert_str_eq(web_form_get(&f, "line"), "SK1.abc+def");
	cr_assert_str_eq(web_form_get(&f, "last4"), "ab 12");
	cr_assert_str_eq(web_form_get(&f, "csrf"), "x_y-z");
	cr_assert_str_eq(web_form_get(&f, "sight"), "");
	cr_assert_null(web_form_get(&f, "missing"));
	web_form_release(&f);
}

Test(web_form, utf8_and_empty_pieces)
{
	struct web_form f;
	cr_assert_eq(parse(&f, "&&name=%E4%BD%90%E8%97%A4&&empty=&"), 0);
	cr_assert_eq(f.count, 2);
	cr_assert_str_eq(web_form_get(&f, "name"), "佐藤");
	cr_assert_str_eq(web_form_get(&f, "empty"), "");
	web_form_release(&f);
	cr_assert_eq(parse(&f, ""), 0);
	cr_assert_eq(f.count, 0);
	web_form_release(&f);
}

Test(web_form, broken_escapes_refused)
{
	const char *bad[] = { "a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=1%" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct web_form f;
		cr_assert_eq(parse(&f, bad[i]), -1, "%s", bad[i]);
		cr_assert_eq(f.count, 0);
		cr_assert_null(f.store);
	}
}

Test(web_form, controls_nul_and_bad_utf8_refused)
{
	const char *bad[] = { "a=%00", "a=x%0Ay", "a=%7F", "a=%C3%28", "a=%ED%A0%80", "a=%C0%AF", "=1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct web_form f;
		cr_assert_eq(parse(&f, bad[i]), -1, "%s", bad[i]);
	}
	/* A NUL byte in the body itself. */
	struct web_form f;
	cr_assert_eq(web_form_parse(&f, "a=1\0b=2", 7), -1);
	/* A tab is text. */
	cr_assert_eq(parse(&f, "a=x%09y"), 0);
	cr_assert_str_eq(web_form_get(&f, "a"), "x\ty");
	web_form_release(&f);
}

Test(web_form, a_name_twice_refused)
{
	struct web_form f;
	cr_assert_eq(parse(&f, "csrf=a&line=1&csrf=b"), -1);
	cr_assert_eq(parse(&f, "csrf=a&cs%72f=b"), -1);
}

Test(web_form, at_most_sixteen_fields)
{
	char body[512] = "";
	for (int i = 0; i < WEB_FORM_FIELDS; i++)
		snprintf(body + strlen(body), sizeof(body) - strlen(body), "%sf%d=%d", i ? "&" : "", i, i);
	struct web_form f;
	cr_assert_eq(parse(&f, body), 0);
	cr_assert_eq(f.count, WEB_FORM_FIELDS);
	cr_assert_str_eq(web_form_get(&f, "f15"), "15");
	web_form_release(&f);
	strcat(body, "&one=more");
	cr_assert_eq(parse(&f, body), -1);
}

Test(web_form, escapes_only_shrink)
{
	/* Every field decoded into a buffer as long as the body: the longest
	 * case is names and values without escapes, and many empty values. */
	struct web_form f;
	cr_assert_eq(parse(&f, "a&b&c&d&e&f&g&h&i&j&k&l&m&n&o&p"), 0);
	cr_assert_eq(f.count, 16);
	cr_assert_str_eq(web_form_get(&f, "p"), "");
	web_form_release(&f);
}
