/*
 * Furigana (ruby) markup in Japanese text: "{漢字|かんじ}" puts the reading
 * かんじ over the base 漢字. Outside markup the characters '{', '|' and '}'
 * are not allowed (write the full-width ｛｜｝ for a literal one), so a typo
 * in the markup is always caught, with the character position, instead of
 * being printed.
 */
#ifndef SK_RUBY_H
#define SK_RUBY_H

#include <stddef.h>

struct sk_ruby_seg {
	const char *base;      /* points into the text */
	size_t base_len;       /* bytes */
	const char *reading;   /* NULL for plain text */
	size_t reading_len;
};

/* Check markup. Returns 0, or SK_EINPUT with *char_pos the 1-based
 * character position of the problem and *reason a static English template
 * (N_-marked, no conversions). */
int sk_ruby_check(const char *text, size_t *char_pos, const char **reason);

/* Split text into segments (plain runs and base/reading pairs). *out is
 * malloc'd; its pointers point into text. Same errors as sk_ruby_check. */
int sk_ruby_parse(const char *text, struct sk_ruby_seg **out, size_t *count);

/* The text without markup: "漢字を" or, with readings, "漢字(かんじ)を".
 * Caller frees; NULL on bad markup or no memory. */
char *sk_ruby_plain(const char *text, int with_readings);

#endif
