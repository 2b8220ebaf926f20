/* Exam numbers with a Damm check digit; see examno.h. */
#include "core/examno.h"
#include "core/error.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The weakly totally anti-symmetric quasigroup of order 10 (Damm 2004). */
static const unsigned char damm[10][10] = {
	{ 0, 3, 1, 7, 5, 9, 8, 6, 4, 2 }, { 7, 0, 9, 2, 1, 5, 4, 8, 6, 3 },
	{ 4, 2, 0, 6, 8, 7, 1, 3, 5, 9 }, { 1, 7, 5, 0, 9, 8, 3, 4, 2, 6 },
	{ 6, 1, 2, 3, 0, 4, 5, 9, 7, 8 }, { 3, 6, 7, 4, 2, 0, 9, 5, 8, 1 },
	{ 5, 8, 6, 9, 7, 2, 0, 1, 3, 4 }, { 8, 9, 4, 5, 3, 6, 2, 0, 1, 7 },
	{ 9, 4, 3, 8, 6, 1, 7, 2, 0, 5 }, { 2, 5, 8, 1, 4, 3, 6, 7, 9, 0 },
};

int sk_damm_digit(const char *digits)
{
	int interim = 0;
	for (const char *p = digits; *p; p++) {
		/* Anything else would index outside the table. */
		if (*p < '0' || *p > '9')
			return -1;
		interim = damm[interim][*p - '0'];
	}
	return interim;
}

int sk_damm_valid(const char *digits)
{
	return *digits && sk_damm_digit(digits) == 0;
}

char *sk_examno_format(char out[SK_EXAMNO_LEN + 1], int serial, int seq)
{
	char d[16];
	snprintf(d, sizeof(d), "%04u%05u", (unsigned)serial % 10000u, (unsigned)seq % 100000u);
	snprintf(out, SK_EXAMNO_LEN + 1, "%.4s-%.5s-%c", d, d + 4, (char)('0' + sk_damm_digit(d)));
	return out;
}

int sk_examno_parse(char out[SK_EXAMNO_LEN + 1], const char *input, int *serial, int *seq)
{
	out[0] = '\0';
	if (serial)
		*serial = 0;
	if (seq)
		*seq = 0;
	char *norm = NULL;
	if (sk_text_nfkc(&norm, input))
		return SK_EINPUT;
	char d[11];
	size_t n = 0;
	int bad = 0;
	for (const char *p = norm; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == 10) {
				bad = 1;
				break;
			}
			d[n++] = *p;
		} else if (*p != '-' && *p != ' ') {
			bad = 1;
			break;
		}
	}
	free(norm);
	d[n] = '\0';
	if (bad || n != 10)
		return SK_EINPUT;
	if (!sk_damm_valid(d))
		return SK_EVERIFY;
	int s = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
	int q = atoi(d + 4) / 10;
	/* Zeros pass the Damm check (leading zeros never change it) but no
	 * sitting or registration has serial or sequence 0. */
	if (s == 0 || q == 0)
		return SK_EINPUT;
	if (serial)
		*serial = s;
	if (seq)
		*seq = q;
	snprintf(out, SK_EXAMNO_LEN + 1, "%.4s-%.5s-%c", d, d + 4, d[9]);
	return 0;
}
