/* Dates and times; see date.h. */
#include "core/date.h"
#include "core/error.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Read 1..max digits; returns the count read. */
static int digits(const char **p, int max, int *out)
{
	int n = 0, v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*out = v;
	return n;
}

int sk_date_parse(struct sk_date *out, const char *s)
{
	memset(out, 0, sizeof(*out));
	for (const char *q = s; *q; q++) {
		if ((unsigned char)*q >= 0x80) {
			/* Full-width digits and separators as typed with a Japanese IME. */
			char *ascii = NULL;
			if (sk_text_nfkc(&ascii, s) || !ascii)
				return SK_EINPUT;
			int rc = strcmp(ascii, s) ? sk_date_parse(out, ascii) : SK_EINPUT;
			free(ascii);
			return rc;
		}
	}
	const char *p = s;
	int y, m, d;
	if (digits(&p, 4, &y) != 4)
		return SK_EINPUT;
	char sep = *p;
	if (sep != '-' && sep != '/')
		return SK_EINPUT;
	p++;
	int nm = digits(&p, 2, &m);
	if (*p++ != sep)
		return SK_EINPUT;
	int nd = digits(&p, 2, &d);
	if (*p)
		return SK_EINPUT;
	if (sep == '-' && (nm != 2 || nd != 2))
		return SK_EINPUT;
	if (nm == 0 || nd == 0)
		return SK_EINPUT;
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return SK_EINPUT;
	out->year = y;
	out->month = m;
	out->day = d;
	return 0;
}

char *sk_date_format(char out[11], const struct sk_date *d)
{
	unsigned y = (unsigned)d->year % 10000u, m = (unsigned)d->month % 100u, dd = (unsigned)d->day % 100u;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + dd / 10);
	out[9] = (char)('0' + dd % 10);
	out[10] = '\0';
	return out;
}

int sk_date_cmp(const struct sk_date *a, const struct sk_date *b)
{
	if (a->year != b->year)
		return a->year - b->year;
	if (a->month != b->month)
		return a->month - b->month;
	return a->day - b->day;
}

int sk_date_age(const struct sk_date *dob, const struct sk_date *on)
{
	int age = on->year - dob->year;
	if (on->month < dob->month || (on->month == dob->month && on->day < dob->day))
		age--;
	return age;
}

/* Howard Hinnant's days_from_civil. */
long sk_date_days(const struct sk_date *d)
{
	long y = d->year - (d->month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long mp = (d->month + 9) % 12;
	long doy = (153 * mp + 2) / 5 + d->day - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void sk_date_from_days(struct sk_date *out, long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp < 10 ? mp + 3 : mp - 9;
	out->year = (int)(y + (m <= 2));
	out->month = (int)m;
	out->day = (int)d;
}

void sk_date_from_time(struct sk_date *out, long long seconds)
{
	long long days = seconds / 86400;
	if (seconds < 0 && seconds % 86400)
		days--;
	sk_date_from_days(out, (long)days);
}

char *sk_time_format(char out[21], long long seconds)
{
	/* By hand, not snprintf: every audit record and row stamp comes here. */
	struct sk_date d;
	sk_date_from_time(&d, seconds);
	sk_date_format(out, &d);
	long long secs = seconds % 86400;
	if (secs < 0)
		secs += 86400;
	int h = (int)(secs / 3600), m = (int)(secs / 60 % 60), s = (int)(secs % 60);
	out[10] = 'T';
	out[11] = (char)('0' + h / 10);
	out[12] = (char)('0' + h % 10);
	out[13] = ':';
	out[14] = (char)('0' + m / 10);
	out[15] = (char)('0' + m % 10);
	out[16] = ':';
	out[17] = (char)('0' + s / 10);
	out[18] = (char)('0' + s % 10);
	out[19] = 'Z';
	out[20] = '\0';
	return out;
}

int sk_time_parse(int *out_minutes, const char *s)
{
	*out_minutes = 0;
	const char *p = s;
	int h, m;
	int nh = digits(&p, 2, &h);
	if (nh == 0 || *p++ != ':')
		return SK_EINPUT;
	if (digits(&p, 2, &m) != 2 || *p)
		return SK_EINPUT;
	if (h > 23 || m > 59)
		return SK_EINPUT;
	*out_minutes = h * 60 + m;
	return 0;
}

int sk_datetime_parse(char out[20], const char *s)
{
	out[0] = '\0';
	char date[16];
	size_t n = strcspn(s, " T");
	if (n >= sizeof(date))
		return SK_EINPUT;
	memcpy(date, s, n);
	date[n] = '\0';
	struct sk_date d;
	if (sk_date_parse(&d, date))
		return SK_EINPUT;
	char ds[11];
	sk_date_format(ds, &d);
	if (!s[n]) {
		memcpy(out, ds, 11);
		return 0;
	}
	const char *p = s + n + 1;
	int h, m, sec = 0;
	if (digits(&p, 2, &h) == 0 || *p++ != ':' || digits(&p, 2, &m) != 2)
		return SK_EINPUT;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &sec) != 2)
			return SK_EINPUT;
	}
	if (*p == 'Z')
		p++;
	if (*p || h > 23 || m > 59 || sec > 59)
		return SK_EINPUT;
	snprintf(out, 20, "%sT%02d:%02d:%02d", ds, h, m, sec);
	return 0;
}
