/*
 * Unicode text helpers on top of utf8proc: validation, NFC normalisation,
 * display width, trimming. All strings are UTF-8 and NUL-terminated.
 *
 * Returned strings are heap-allocated and owned by the caller unless noted.
 */
#ifndef SK_TEXT_H
#define SK_TEXT_H

#include <stddef.h>

/* Byte offset of the first invalid UTF-8 sequence in s[0..len), or -1 if the
 * whole range is valid. Overlong forms, surrogates and NUL are invalid. */
long sk_utf8_invalid_at(const char *s, size_t len);

/* Normalise to NFC. *out is a new string (caller frees). 0 or SK_EINPUT for
 * invalid UTF-8, SK_ENOMEM. ASCII input is copied without calling utf8proc. */
int sk_text_nfc(char **out, const char *s);

/* Normalise to NFKC with case folding off: full-width digits and letters as
 * typed on a Japanese keyboard become ASCII. Same contract as sk_text_nfc(). */
int sk_text_nfkc(char **out, const char *s);

/* Number of code points in s (valid UTF-8 assumed). */
size_t sk_text_length(const char *s);

/* Terminal display width of s: East Asian wide characters count 2. */
size_t sk_text_width(const char *s);

/* Trim ASCII and Unicode white space (incl. U+3000) at both ends, in place. */
char *sk_text_trim(char *s);

/* Non-zero if s is empty after trimming. */
int sk_text_blank(const char *s);

/* ASCII-only upper-casing in place; returns s. */
char *sk_ascii_upper(char *s);
char *sk_ascii_lower(char *s);

/* Case-insensitive ASCII comparison. */
int sk_ascii_casecmp(const char *a, const char *b);

/* strdup that returns NULL for NULL. */
char *sk_strdup(const char *s);

/* Decode one code point at s; returns bytes consumed (0 at NUL or invalid). */
size_t sk_utf8_decode(const char *s, int *out_cp);

#endif
