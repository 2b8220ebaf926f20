/*
 * Exam numbers and their Damm check digit. The point of the check digit is
 * that a proctor who mistypes one digit, or swaps two neighbours, is told so
 * instead of checking in somebody else: the tests prove that for every
 * single-digit substitution and every adjacent transposition, over all
 * five-digit strings and over real exam numbers, through the parser.
 */
#include "core/error.h"
#include "core/examno.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* ---- the check digit itself ---- */

Test(examno, damm_known_values)
{
	/* The worked example from Damm's paper and the usual references. */
	cr_assert_eq(sk_damm_digit("572"), 4);
	cr_assert(sk_damm_valid("5724"));
	cr_assert_not(sk_damm_valid("5723"));
	cr_assert_eq(sk_damm_digit(""), 0);
	cr_assert_not(sk_damm_valid(""));
}

Test(examno, damm_refuses_non_digits)
{
	/* Out-of-contract input must not index outside the table. */
	cr_assert_eq(sk_damm_digit("12a"), -1);
	cr_assert_eq(sk_damm_digit("1-2"), -1);
	cr_assert_eq(sk_damm_digit("\xff"), -1);
	cr_assert_not(sk_damm_valid("5724 "));
	cr_assert_not(sk_damm_valid("a"));
}

/* For a string of digits that passes the check, every change of one digit to
 * another and every swap of two different neighbours must fail it. */
static void assert_detects_all(char *s, size_t n)
{
	cr_assert(sk_damm_valid(s), "%s should be valid", s);
	for (size_t i = 0; i < n; i++) {
		char orig = s[i];
		for (char c = '0'; c <= '9'; c++) {
			if (c == orig)
				continue;
			s[i] = c;
			if (sk_damm_valid(s))
				cr_assert_fail("substitution at %zu not caught: %s", i, s);
		}
		s[i] = orig;
	}
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == s[i + 1])
			continue;
		char t = s[i];
		s[i] = s[i + 1];
		s[i + 1] = t;
		if (sk_damm_valid(s))
			cr_assert_fail("transposition at %zu not caught: %s", i, s);
		s[i + 1] = s[i];
		s[i] = t;
	}
}

Test(examno, damm_catches_every_error_in_all_short_strings)
{
	/* Every string of five digits plus its check digit: each quasigroup
	 * state is reached from every state with every digit, so this covers
	 * every step the check makes in a longer string too. */
	char s[8];
	for (int v = 0; v < 100000; v++) {
		snprintf(s, sizeof(s), "%05d", v);
		s[5] = (char)('0' + sk_damm_digit(s));
		s[6] = '\0';
		assert_detects_all(s, 6);
	}
}

/* ---- real exam numbers through the parser ---- */

static void digits_of(char out[11], const char *examno)
{
	size_t n = 0;
	for (const char *p = examno; *p; p++)
		if (*p != '-')
			out[n++] = *p;
	out[n] = '\0';
	cr_assert_eq(n, 10, "%s", examno);
}

Test(examno, parser_refuses_every_typo_in_real_numbers)
{
	/* Serials 1..50, 200 sequences spread over the whole range: every
	 * position, every substitute digit, every adjacent swap. */
	char no[SK_EXAMNO_LEN + 1], d[11], canon[SK_EXAMNO_LEN + 1];
	long checked = 0;
	for (int serial = 1; serial <= 50; serial++) {
		for (int k = 0; k < 200; k++) {
			int seq = 1 + k * 499 + serial;
			sk_examno_format(no, serial, seq);
			digits_of(d, no);
			cr_assert_eq(sk_examno_parse(canon, d, NULL, NULL), 0, "%s", d);
			for (int i = 0; i < 10; i++) {
				char orig = d[i];
				for (char c = '0'; c <= '9'; c++) {
					if (c == orig)
						continue;
					d[i] = c;
					int rc = sk_examno_parse(canon, d, NULL, NULL);
					if (rc != SK_EVERIFY)
						cr_assert_fail("%s (from %s): got %s", d, no, sk_errname(rc));
					checked++;
				}
				d[i] = orig;
			}
			for (int i = 0; i < 9; i++) {
				if (d[i] == d[i + 1])
					continue;
				char t = d[i];
				d[i] = d[i + 1];
				d[i + 1] = t;
				int rc = sk_examno_parse(canon, d, NULL, NULL);
				if (rc != SK_EVERIFY)
					cr_assert_fail("%s (from %s): swap not caught", d, no);
				d[i + 1] = d[i];
				d[i] = t;
				checked++;
			}
		}
	}
	cr_assert_gt(checked, 50L * 200 * 90);
}

/* ---- format and parse ---- */

Test(examno, format_shape)
{
	char out[SK_EXAMNO_LEN + 1];
	cr_assert_str_eq(sk_examno_format(out, 1, 42), "0001-00042-6");
	cr_assert_eq(strlen(out), SK_EXAMNO_LEN);
	cr_assert_str_eq(sk_examno_format(out, 9999, 99999), "9999-99999-0");
	char d[11];
	digits_of(d, out);
	cr_assert(sk_damm_valid(d));
}

Test(examno, parse_round_trips_format)
{
	char no[SK_EXAMNO_LEN + 1], canon[SK_EXAMNO_LEN + 1];
	for (int serial = 1; serial <= 9999; serial += 101)
		for (int seq = 1; seq <= 99999; seq += 3331) {
			int s = -1, q = -1;
			sk_examno_format(no, serial, seq);
			cr_assert_eq(sk_examno_parse(canon, no, &s, &q), 0, "%s", no);
			cr_assert_str_eq(canon, no);
			cr_assert_eq(s, serial);
			cr_assert_eq(q, seq);
		}
}

static void assert_parses(const char *input, const char *want, int want_serial, int want_seq)
{
	char canon[SK_EXAMNO_LEN + 1];
	int s = -1, q = -1;
	cr_assert_eq(sk_examno_parse(canon, input, &s, &q), 0, "'%s'", input);
	cr_assert_str_eq(canon, want, "'%s'", input);
	cr_assert_eq(s, want_serial, "'%s'", input);
	cr_assert_eq(q, want_seq, "'%s'", input);
}

Test(examno, parse_with_and_without_hyphens)
{
	assert_parses("0001-00042-6", "0001-00042-6", 1, 42);
	assert_parses("0001000426", "0001-00042-6", 1, 42);
	assert_parses("0001 00042 6", "0001-00042-6", 1, 42);
}

Test(examno, parse_full_width)
{
	assert_parses("０００１-０００４２-６", "0001-00042-6", 1, 42);
	assert_parses("０００１－０００４２－６", "0001-00042-6", 1, 42); /* full-width hyphens */
	assert_parses("０００１０００４２６", "0001-00042-6", 1, 42);
	assert_parses("0001　00042　6", "0001-00042-6", 1, 42); /* ideographic spaces */
}

Test(examno, parse_serial_and_seq_optional)
{
	char canon[SK_EXAMNO_LEN + 1];
	cr_assert_eq(sk_examno_parse(canon, "9999-99999-0", NULL, NULL), 0);
	cr_assert_str_eq(canon, "9999-99999-0");
}

static void assert_refused(const char *input, int want)
{
	char canon[SK_EXAMNO_LEN + 1];
	memset(canon, 'x', sizeof(canon));
	int s = 77, q = 77;
	int rc = sk_examno_parse(canon, input, &s, &q);
	cr_assert_eq(rc, want, "'%s': got %s, want %s", input, sk_errname(rc), sk_errname(want));
	cr_assert_str_eq(canon, "", "'%s': out cleared", input);
	cr_assert_eq(s, 0, "'%s': serial cleared", input);
	cr_assert_eq(q, 0, "'%s': seq cleared", input);
}

Test(examno, parse_refuses_wrong_length)
{
	assert_refused("", SK_EINPUT);
	assert_refused("0001-0042-6", SK_EINPUT);     /* nine digits */
	assert_refused("0001-000042-6", SK_EINPUT);   /* eleven digits */
	assert_refused("00010004261", SK_EINPUT);
	assert_refused("0001-00042-", SK_EINPUT);
	assert_refused("-", SK_EINPUT);
}

Test(examno, parse_refuses_letters_and_symbols)
{
	assert_refused("0001-0004A-6", SK_EINPUT);
	assert_refused("O001-00042-6", SK_EINPUT); /* letter O for zero */
	assert_refused("0001/00042/6", SK_EINPUT);
	assert_refused("0001-00042-6x", SK_EINPUT);
	assert_refused("#0001-00042-6", SK_EINPUT);
	assert_refused("0001.00042.6", SK_EINPUT);
}

Test(examno, parse_refuses_invalid_utf8)
{
	assert_refused("0001-00042-6\xff", SK_EINPUT);
}

Test(examno, parse_refuses_wrong_check_digit)
{
	for (char c = '0'; c <= '9'; c++) {
		if (c == '6')
			continue;
		char in[16];
		snprintf(in, sizeof(in), "0001-00042-%c", c);
		assert_refused(in, SK_EVERIFY);
	}
}

Test(examno, parse_refuses_zero_serial_or_sequence)
{
	/* Serials run 0001-9999 and sequences 00001-99999: a number of zeros
	 * passes the Damm check but names no registration. */
	char no[SK_EXAMNO_LEN + 1];
	assert_refused("0000-00000-0", SK_EINPUT);
	assert_refused(sk_examno_format(no, 0, 42), SK_EINPUT);
	assert_refused(sk_examno_format(no, 7, 0), SK_EINPUT);
}
