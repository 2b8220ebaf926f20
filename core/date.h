/*
 * Calendar dates and times as exam staff write them. Dates are stored as
 * "YYYY-MM-DD"; input may also use '/' as Excel writes Japanese dates
 * ("1999/2/3"). Only the proleptic Gregorian calendar, years 1900-2199.
 */
#ifndef SK_DATE_H
#define SK_DATE_H

struct sk_date {
	int year, month, day;
};

/* Parse a date. 0, or SK_EINPUT when it is not a real date. */
int sk_date_parse(struct sk_date *out, const char *s);
/* "YYYY-MM-DD" into out[11]. */
char *sk_date_format(char out[11], const struct sk_date *d);
/* Completed years of age on `on` for someone born on `dob`; someone born on
 * 29 February becomes a year older on 1 March in common years. */
int sk_date_age(const struct sk_date *dob, const struct sk_date *on);
/* Compare: negative, 0, positive. */
int sk_date_cmp(const struct sk_date *a, const struct sk_date *b);
/* Days since 1970-01-01 (negative before). */
long sk_date_days(const struct sk_date *d);
/* The date `days` after 1970-01-01. */
void sk_date_from_days(struct sk_date *out, long days);
/* Today (UTC) for a time in seconds since the epoch. */
void sk_date_from_time(struct sk_date *out, long long seconds);
/* A time in seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ" (UTC) in
 * out[21]; returns out. */
char *sk_time_format(char out[21], long long seconds);

/* Parse "HH:MM" (24 h) into minutes since midnight; 0 or SK_EINPUT. */
int sk_time_parse(int *out_minutes, const char *s);

/* Parse a payment time: a date, or a date and "HH:MM[:SS]" separated by a
 * space or 'T', optional trailing 'Z'. Normalised into out[20] as
 * "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS". 0 or SK_EINPUT. */
int sk_datetime_parse(char out[20], const char *s);

#endif
