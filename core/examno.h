/*
 * Exam numbers (受験番号). Format: SSSS-NNNNN-C, ten digits —
 *   SSSS   the sitting's serial number (0001-9999),
 *   NNNNN  the registration's sequence within the sitting (00001-99999),
 *   C      a Damm check digit over the nine digits before it.
 * Damm's quasigroup catches every single wrong digit and every swap of two
 * adjacent digits, the two commonest typing errors. Input may omit the
 * hyphens or use full-width digits.
 */
#ifndef SK_EXAMNO_H
#define SK_EXAMNO_H

#define SK_EXAMNO_LEN 12 /* "0001-00042-6" */

/* The Damm check digit of a string of decimal digits, or -1 when the string
 * holds anything but '0'..'9'. */
int sk_damm_digit(const char *digits);
/* Non-zero if digits (check digit last) passes the Damm check. */
int sk_damm_valid(const char *digits);

/* Format an exam number into out[13]. */
char *sk_examno_format(char out[SK_EXAMNO_LEN + 1], int serial, int seq);

/* Parse a typed or scanned exam number into canonical form out[13].
 * Returns 0, SK_EINPUT (wrong shape, or serial or sequence 0) or SK_EVERIFY
 * (check digit wrong). serial/seq may be NULL; on error out is "" and
 * serial/seq are 0. */
int sk_examno_parse(char out[SK_EXAMNO_LEN + 1], const char *input, int *serial, int *seq);

#endif
