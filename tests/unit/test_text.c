/*
 * Unicode helpers: UTF-8 validation with the offset of the first bad byte,
 * NFC and NFKC normalisation as exam staff's input needs it (Vietnamese
 * names typed decomposed, full-width digits from a Japanese keyboard),
 * display width, trimming of ideographic and no-break spaces, ASCII case.
 */
#include "core/error.h"
#include "core/text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long invalid_at(const char *s, size_t len)
{
	return sk_utf8_invalid_at(s, len);
}

/* ---- validation ---- */

Test(text, valid_utf8_is_minus_one)
{
	const char *s = "Nguyễn 受験者 ✓ 😀";
	cr_assert_eq(invalid_at(s, strlen(s)), -1);
	cr_assert_eq(invalid_at("", 0), -1);
}

Test(text, lone_continuation_byte)
{
	cr_assert_eq(invalid_at("ab\x80" "cd", 5), 2);
}

Test(text, invalid_lead_bytes)
{
	cr_assert_eq(invalid_at("x\xff", 2), 1);
	cr_assert_eq(invalid_at("xy\xfe", 3), 2);
	cr_assert_eq(invalid_at("\xf8\x88\x80\x80\x80", 5), 0); /* old 5-byte form */
}

Test(text, overlong_forms)
{
	cr_assert_eq(invalid_at("a\xc0\xaf", 3), 1);         /* '/' in two bytes */
	cr_assert_eq(invalid_at("ab\xc1\xbf", 4), 2);
	cr_assert_eq(invalid_at("\xe0\x80\xaf", 3), 0);      /* three bytes */
	cr_assert_eq(invalid_at("abc\xf0\x80\x80\xaf", 7), 3); /* four bytes */
}

Test(text, surrogates)
{
	cr_assert_eq(invalid_at("ok\xed\xa0\x80", 5), 2); /* U+D800 */
	cr_assert_eq(invalid_at("\xed\xbf\xbf", 3), 0);   /* U+DFFF */
	cr_assert_eq(invalid_at("\xed\x9f\xbf", 3), -1);  /* U+D7FF is fine */
}

Test(text, beyond_unicode)
{
	cr_assert_eq(invalid_at("\xf4\x90\x80\x80", 4), 0); /* U+110000 */
	cr_assert_eq(invalid_at("\xf4\x8f\xbf\xbf", 4), -1); /* U+10FFFF */
}

Test(text, truncated_sequences)
{
	cr_assert_eq(invalid_at("abc\xe5\x8f", 5), 3);
	cr_assert_eq(invalid_at("\xf0\x9f\x98", 3), 0);
	cr_assert_eq(invalid_at("\xc3", 1), 0);
	/* A sequence cut short by the next character, not by the end. */
	cr_assert_eq(invalid_at("a\xe5\x8f" "b", 4), 1);
	/* The length given is what counts, not a NUL further on. */
	cr_assert_eq(invalid_at("\xe5\x8f\x97", 2), 0);
}

Test(text, nul_is_invalid)
{
	cr_assert_eq(invalid_at("ab\0cd", 5), 2);
}

/* ---- normalisation ---- */

Test(text, nfc_composes_decomposed_vietnamese)
{
	char *out = NULL;
	/* "Nguyễn" typed as ê + combining tilde (U+0303). */
	cr_assert_eq(sk_text_nfc(&out, "Nguy\xc3\xaa\xcc\x83n"), 0);
	cr_assert_str_eq(out, "Nguy\xe1\xbb\x85n"); /* U+1EC5 */
	free(out);
	/* Fully decomposed: e + circumflex (U+0302) + tilde. */
	cr_assert_eq(sk_text_nfc(&out, "Nguye\xcc\x82\xcc\x83n"), 0);
	cr_assert_str_eq(out, "Nguy\xe1\xbb\x85n");
	free(out);
}

Test(text, nfc_composes_kana_voicing_mark)
{
	char *out = NULL;
	/* か + combining dakuten (U+3099) is が. */
	cr_assert_eq(sk_text_nfc(&out, "\xe3\x81\x8b\xe3\x82\x99"), 0);
	cr_assert_str_eq(out, "が");
	free(out);
}

Test(text, nfc_keeps_full_width)
{
	char *out = NULL;
	cr_assert_eq(sk_text_nfc(&out, "０１２ＡＢ"), 0);
	cr_assert_str_eq(out, "０１２ＡＢ");
	free(out);
}

Test(text, nfc_ascii_copied)
{
	char *out = NULL;
	const char *in = "Plain ASCII 123";
	cr_assert_eq(sk_text_nfc(&out, in), 0);
	cr_assert_str_eq(out, in);
	cr_assert_neq(out, in);
	free(out);
}

Test(text, nfc_refuses_invalid_utf8)
{
	char *out = (char *)"unset";
	cr_assert_eq(sk_text_nfc(&out, "ab\xc0\xaf"), SK_EINPUT);
	cr_assert_null(out);
	out = (char *)"unset";
	cr_assert_eq(sk_text_nfc(&out, "\xed\xa0\x80"), SK_EINPUT);
	cr_assert_null(out);
}

Test(text, nfkc_full_width_to_ascii)
{
	char *out = NULL;
	cr_assert_eq(sk_text_nfkc(&out, "０００１－００００１－５"), 0);
	cr_assert_str_eq(out, "0001-00001-5");
	free(out);
	cr_assert_eq(sk_text_nfkc(&out, "ＡＢＣ　ａｂｃ"), 0);
	cr_assert_str_eq(out, "ABC abc"); /* U+3000 becomes a space; no case folding */
	free(out);
}

Test(text, nfkc_half_width_katakana_to_full)
{
	char *out = NULL;
	cr_assert_eq(sk_text_nfkc(&out, "ｶﾞ"), 0); /* half-width ka + voiced mark */
	cr_assert_str_eq(out, "ガ");
	free(out);
}

Test(text, nfkc_refuses_invalid_utf8)
{
	char *out = (char *)"unset";
	cr_assert_eq(sk_text_nfkc(&out, "\xff"), SK_EINPUT);
	cr_assert_null(out);
}

/* ---- length and width ---- */

Test(text, length_counts_code_points)
{
	cr_assert_eq(sk_text_length(""), 0);
	cr_assert_eq(sk_text_length("abc"), 3);
	cr_assert_eq(sk_text_length("受験者"), 3);
	cr_assert_eq(sk_text_length("Nguyễn"), 6);
	cr_assert_eq(sk_text_length("😀a"), 2);
}

Test(text, width_of_cjk_is_two)
{
	cr_assert_eq(sk_text_width("abc"), 3);
	cr_assert_eq(sk_text_width("受験者"), 6);
	cr_assert_eq(sk_text_width("カタカナ"), 8);
	cr_assert_eq(sk_text_width("０１"), 4);  /* full-width digits */
	cr_assert_eq(sk_text_width("ｶﾀｶﾅ"), 4);  /* half-width katakana */
	cr_assert_eq(sk_text_width("a受b"), 4);
	cr_assert_eq(sk_text_width(""), 0);
}

Test(text, width_of_combining_mark_is_zero)
{
	cr_assert_eq(sk_text_width("e\xcc\x83"), 1);
	cr_assert_eq(sk_text_width("Nguy\xc3\xaa\xcc\x83n"), 6);
}

Test(text, width_counts_invalid_bytes_as_one)
{
	cr_assert_eq(sk_text_width("a\xff" "b"), 3);
}

/* ---- trimming ---- */

static void assert_trim(const char *in, const char *want)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", in);
	char *r = sk_text_trim(buf);
	cr_assert_eq(r, buf, "trim returns its argument");
	cr_assert_str_eq(buf, want, "trim('%s')", in);
}

Test(text, trim_ascii_space)
{
	assert_trim("  abc \t\r\n", "abc");
	assert_trim("abc", "abc");
	assert_trim("a b", "a b");
	assert_trim("", "");
	assert_trim("   ", "");
}

Test(text, trim_ideographic_space)
{
	assert_trim("\xe3\x80\x80山田\xe3\x80\x80", "山田");
	assert_trim("\xe3\x80\x80\xe3\x80\x80", "");
	assert_trim("山\xe3\x80\x80田", "山\xe3\x80\x80田");
}

Test(text, trim_no_break_space)
{
	assert_trim("\xc2\xa0Tran\xc2\xa0", "Tran");
	assert_trim("x\xc2\xa0", "x");
	assert_trim("\xc2\xa0x", "x");
}

Test(text, trim_other_unicode_spaces_and_bom)
{
	assert_trim("\xef\xbb\xbfname", "name");          /* BOM */
	assert_trim("\xe2\x80\x83wide\xe2\x80\x82", "wide"); /* em and en space */
}

Test(text, trim_keeps_non_space_at_edges)
{
	assert_trim("受", "受");
	assert_trim(" \xe3\x81\x82", "\xe3\x81\x82");
}

Test(text, blank)
{
	cr_assert(sk_text_blank(""));
	cr_assert(sk_text_blank(" \t\xe3\x80\x80\xc2\xa0"));
	cr_assert_not(sk_text_blank(" x "));
	cr_assert_not(sk_text_blank("\xe3\x80\x80受"));
	cr_assert_not(sk_text_blank("\xff"));
}

/* ---- ASCII helpers ---- */

Test(text, ascii_case_leaves_other_bytes)
{
	char s[] = "abcXYZ-受験ä";
	cr_assert_str_eq(sk_ascii_upper(s), "ABCXYZ-受験ä");
	cr_assert_str_eq(sk_ascii_lower(s), "abcxyz-受験ä");
}

Test(text, ascii_casecmp)
{
	cr_assert_eq(sk_ascii_casecmp("UTF-8", "utf-8"), 0);
	cr_assert_lt(sk_ascii_casecmp("abc", "abd"), 0);
	cr_assert_gt(sk_ascii_casecmp("abcd", "ABC"), 0);
	cr_assert_lt(sk_ascii_casecmp("", "a"), 0);
}

Test(text, strdup_null)
{
	cr_assert_null(sk_strdup(NULL));
	char *s = sk_strdup("x");
	cr_assert_str_eq(s, "x");
	free(s);
}

Test(text, utf8_decode)
{
	int cp = -1;
	cr_assert_eq(sk_utf8_decode("受x", &cp), 3);
	cr_assert_eq(cp, 0x53D7);
	cr_assert_eq(sk_utf8_decode("A", &cp), 1);
	cr_assert_eq(cp, 'A');
	cr_assert_eq(sk_utf8_decode("", &cp), 0);
	cr_assert_eq(cp, 0);
	cr_assert_eq(sk_utf8_decode("\xc0\xaf", &cp), 0);
	cr_assert_eq(cp, 0);
	cr_assert_eq(sk_utf8_decode("\xe5\x8f", &cp), 0);
	cr_assert_eq(cp, 0);
}
