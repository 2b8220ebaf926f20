/*
 * Dates and times as exam staff write them: ISO and Excel's slash dates,
 * leap years, ages of people born on 29 February, day counts over the whole
 * supported range, clock times and payment timestamps.
 */
#include "core/date.h"
#include "core/error.h"

#include <criterion/criterion.h>
#include <string.h>

static struct sk_date D(int y, int m, int d)
{
	struct sk_date r = { y, m, d };
	return r;
}

static void assert_date(const char *s, int y, int m, int d)
{
	struct sk_date out;
	cr_assert_eq(sk_date_parse(&out, s), 0, "'%s' should parse", s);
	cr_assert_eq(out.year, y, "'%s'", s);
	cr_assert_eq(out.month, m, "'%s'", s);
	cr_assert_eq(out.day, d, "'%s'", s);
}

static void assert_not_date(const char *s)
{
	struct sk_date out = { 1, 1, 1 };
	cr_assert_eq(sk_date_parse(&out, s), SK_EINPUT, "'%s' should be refused", s);
	cr_assert_eq(out.year, 0, "'%s': out cleared", s);
	cr_assert_eq(out.month, 0);
	cr_assert_eq(out.day, 0);
}

/* ---- parsing ---- */

Test(date, iso_dates)
{
	assert_date("1999-02-03", 1999, 2, 3);
	assert_date("2026-12-31", 2026, 12, 31);
	assert_date("1900-01-01", 1900, 1, 1);
	assert_date("2199-12-31", 2199, 12, 31);
}

Test(date, slash_dates_as_excel_writes_them)
{
	assert_date("1999/2/3", 1999, 2, 3);
	assert_date("1999/02/03", 1999, 2, 3);
	assert_date("2024/12/1", 2024, 12, 1);
}

Test(date, iso_needs_two_digit_month_and_day)
{
	assert_not_date("1999-2-03");
	assert_not_date("1999-02-3");
}

Test(date, mixed_separators_refused)
{
	assert_not_date("1999-02/03");
	assert_not_date("1999/02-03");
}

Test(date, leap_years)
{
	assert_date("2000-02-29", 2000, 2, 29); /* divisible by 400 */
	assert_not_date("1900-02-29");          /* by 100, not by 400 */
	assert_date("2024-02-29", 2024, 2, 29);
	assert_not_date("2023-02-29");
	assert_not_date("2100-02-29");
	assert_not_date("2024-02-30");
}

Test(date, month_lengths)
{
	assert_date("2025-04-30", 2025, 4, 30);
	assert_not_date("2025-04-31");
	assert_not_date("2025-06-31");
	assert_not_date("2025-09-31");
	assert_not_date("2025-11-31");
	assert_date("2025-01-31", 2025, 1, 31);
	assert_not_date("2025-13-01");
	assert_not_date("2025-00-10");
	assert_not_date("2025-01-00");
	assert_not_date("2025-01-32");
}

Test(date, years_outside_range)
{
	assert_not_date("1899-12-31");
	assert_not_date("2200-01-01");
	assert_not_date("0000-01-01");
}

Test(date, full_width_digits_as_typed_with_an_ime)
{
	assert_date("１９９９-０２-０３", 1999, 2, 3);
	assert_date("２０００／１／９", 2000, 1, 9);
	assert_not_date("１９９９-０２-３０");
}

Test(date, malformed)
{
	assert_not_date("");
	assert_not_date("1999");
	assert_not_date("1999-02");
	assert_not_date("1999-02-");
	assert_not_date("99-02-03");
	assert_not_date("19990203");
	assert_not_date(" 1999-02-03");
	assert_not_date("1999-02-03 ");
	assert_not_date("1999-02-03T00:00");
	assert_not_date("1999.02.03");
	assert_not_date("1999-+2-03");
	assert_not_date("1999/2/");
	assert_not_date("1999//3");
	assert_not_date("1999/123/4");
}

Test(date, format_round_trip)
{
	char out[11];
	struct sk_date d = D(2005, 3, 7);
	cr_assert_str_eq(sk_date_format(out, &d), "2005-03-07");
	struct sk_date back;
	cr_assert_eq(sk_date_parse(&back, out), 0);
	cr_assert_eq(sk_date_cmp(&back, &d), 0);
}

Test(date, compare)
{
	struct sk_date a = D(2024, 2, 28), b = D(2024, 2, 29), c = D(2025, 1, 1);
	cr_assert_lt(sk_date_cmp(&a, &b), 0);
	cr_assert_gt(sk_date_cmp(&c, &b), 0);
	cr_assert_eq(sk_date_cmp(&b, &b), 0);
	struct sk_date m1 = D(2024, 1, 31), m2 = D(2024, 2, 1);
	cr_assert_lt(sk_date_cmp(&m1, &m2), 0);
}

/* ---- age ---- */

Test(date, age_on_and_before_birthday)
{
	struct sk_date dob = D(2000, 6, 15);
	struct sk_date before = D(2018, 6, 14), on = D(2018, 6, 15), after = D(2018, 6, 16);
	cr_assert_eq(sk_date_age(&dob, &before), 17);
	cr_assert_eq(sk_date_age(&dob, &on), 18);
	cr_assert_eq(sk_date_age(&dob, &after), 18);
	struct sk_date earlier_month = D(2018, 5, 30);
	cr_assert_eq(sk_date_age(&dob, &earlier_month), 17);
}

Test(date, age_of_29_february_birthday_in_common_year)
{
	struct sk_date dob = D(2008, 2, 29);
	struct sk_date feb28 = D(2026, 2, 28), mar1 = D(2026, 3, 1);
	cr_assert_eq(sk_date_age(&dob, &feb28), 17, "not yet 18 on 28 February");
	cr_assert_eq(sk_date_age(&dob, &mar1), 18, "18 on 1 March");
}

Test(date, age_of_29_february_birthday_in_leap_year)
{
	struct sk_date dob = D(2004, 2, 29);
	struct sk_date feb28 = D(2024, 2, 28), feb29 = D(2024, 2, 29);
	cr_assert_eq(sk_date_age(&dob, &feb28), 19);
	cr_assert_eq(sk_date_age(&dob, &feb29), 20);
}

Test(date, age_on_day_of_birth_is_zero)
{
	struct sk_date dob = D(2020, 1, 1);
	cr_assert_eq(sk_date_age(&dob, &dob), 0);
}

/* ---- day counts ---- */

Test(date, days_known_values)
{
	struct sk_date epoch = D(1970, 1, 1), y2k = D(2000, 1, 1), first = D(1900, 1, 1),
		       d2024 = D(2024, 2, 29);
	cr_assert_eq(sk_date_days(&epoch), 0);
	cr_assert_eq(sk_date_days(&y2k), 10957);
	cr_assert_eq(sk_date_days(&first), -25567);
	cr_assert_eq(sk_date_days(&d2024), 19782);
}

Test(date, days_round_trip_over_whole_range)
{
	/* Every day from 1900-01-01 to 2199-12-31: consecutive, valid, and
	 * back to the same day count. */
	struct sk_date first = D(1900, 1, 1), last = D(2199, 12, 31);
	long from = sk_date_days(&first), to = sk_date_days(&last);
	struct sk_date prev = D(1899, 12, 31);
	char s[11];
	for (long z = from; z <= to; z++) {
		struct sk_date d, parsed;
		sk_date_from_days(&d, z);
		cr_assert_eq(sk_date_days(&d), z);
		cr_assert_gt(sk_date_cmp(&d, &prev), 0);
		cr_assert_eq(sk_date_parse(&parsed, sk_date_format(s, &d)), 0, "%s", s);
		cr_assert_eq(sk_date_cmp(&parsed, &d), 0);
		prev = d;
	}
	cr_assert_eq(to - from + 1, 300 * 365 + 73, "73 leap days in 1900-2199");
}

Test(date, from_time_utc)
{
	struct sk_date d;
	sk_date_from_time(&d, 0);
	cr_assert_eq(sk_date_cmp(&d, &(struct sk_date){ 1970, 1, 1 }), 0);
	sk_date_from_time(&d, 86399);
	cr_assert_eq(d.day, 1);
	sk_date_from_time(&d, 86400);
	cr_assert_eq(d.day, 2);
	sk_date_from_time(&d, -1);
	cr_assert_eq(sk_date_cmp(&d, &(struct sk_date){ 1969, 12, 31 }), 0);
	sk_date_from_time(&d, -86400);
	cr_assert_eq(sk_date_cmp(&d, &(struct sk_date){ 1969, 12, 31 }), 0);
	sk_date_from_time(&d, -86401);
	cr_assert_eq(sk_date_cmp(&d, &(struct sk_date){ 1969, 12, 30 }), 0);
	sk_date_from_time(&d, 1795339800); /* 2026-11-22T09:30:00Z */
	cr_assert_eq(sk_date_cmp(&d, &(struct sk_date){ 2026, 11, 22 }), 0);
}

/* ---- times ---- */

Test(date, times)
{
	int m = -1;
	cr_assert_eq(sk_time_parse(&m, "00:00"), 0);
	cr_assert_eq(m, 0);
	cr_assert_eq(sk_time_parse(&m, "09:30"), 0);
	cr_assert_eq(m, 570);
	cr_assert_eq(sk_time_parse(&m, "9:30"), 0);
	cr_assert_eq(m, 570);
	cr_assert_eq(sk_time_parse(&m, "23:59"), 0);
	cr_assert_eq(m, 1439);
}

Test(date, bad_times)
{
	const char *bad[] = { "24:00", "12:60", "12:5", "12", "12:", ":30", "123:00", "12:00:00",
			      "12.30", " 12:30", "12:30 ", "", "ab:cd", "-1:30" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int m = 77;
		cr_assert_eq(sk_time_parse(&m, bad[i]), SK_EINPUT, "'%s'", bad[i]);
		cr_assert_eq(m, 0, "'%s': out cleared", bad[i]);
	}
}

/* ---- date-times ---- */

static void assert_datetime(const char *in, const char *want)
{
	char out[20];
	memset(out, 'x', sizeof(out));
	cr_assert_eq(sk_datetime_parse(out, in), 0, "'%s'", in);
	cr_assert_str_eq(out, want, "'%s'", in);
}

Test(date, datetime_normalised)
{
	assert_datetime("2026-05-01", "2026-05-01");
	assert_datetime("2026/5/1", "2026-05-01");
	assert_datetime("2026-05-01 09:30", "2026-05-01T09:30:00");
	assert_datetime("2026-05-01T09:30:15", "2026-05-01T09:30:15");
	assert_datetime("2026-05-01T09:30:15Z", "2026-05-01T09:30:15");
	assert_datetime("2026-05-01 9:05Z", "2026-05-01T09:05:00");
	assert_datetime("2026/5/1 23:59:59", "2026-05-01T23:59:59");
}

Test(date, bad_datetimes)
{
	const char *bad[] = { "", "2026-05-01T", "2026-05-01 ", "2026-02-30 10:00",
			      "2026-05-01 24:00", "2026-05-01 10:60", "2026-05-01 10:00:60",
			      "2026-05-01 10:00:5", "2026-05-01 10:00+09:00", "2026-05-01 10:00ZZ",
			      "2026-05-01Z", "2026-05-01  10:00", "now",
			      "2026-05-01-and-a-long-tail 10:00" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[20] = "unset";
		cr_assert_eq(sk_datetime_parse(out, bad[i]), SK_EINPUT, "'%s'", bad[i]);
		cr_assert_str_eq(out, "", "'%s': out cleared", bad[i]);
	}
}
