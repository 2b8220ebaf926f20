/*
 * Reference data: country codes in any case, currency minor units, money
 * amounts as staff type them (and the typos that must not become a
 * different amount), and BCP 47 language tags.
 */
#include "core/error.h"
#include "core/refdata.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* ---- countries ---- */

Test(refdata, country_alpha2_any_case)
{
	const struct sk_country *c = sk_country_find("VN");
	cr_assert_not_null(c);
	cr_assert_str_eq(c->alpha2, "VN");
	cr_assert_str_eq(c->alpha3, "VNM");
	cr_assert_str_eq(c->name_en, "Vietnam");
	cr_assert_eq(sk_country_find("vn"), c);
	cr_assert_eq(sk_country_find("Vn"), c);
}

Test(refdata, country_alpha3_any_case)
{
	const struct sk_country *c = sk_country_find("PHL");
	cr_assert_not_null(c);
	cr_assert_str_eq(c->alpha2, "PH");
	cr_assert_eq(sk_country_find("phl"), c);
	cr_assert_eq(sk_country_find("pHl"), c);
	cr_assert_eq(sk_country_find("PH"), c);
}

Test(refdata, country_names_in_japanese)
{
	const struct sk_country *c = sk_country_find("JP");
	cr_assert_not_null(c);
	cr_assert_str_eq(c->name_ja, "日本");
	cr_assert_not_null(sk_country_find("IDN"));
	cr_assert_not_null(sk_country_find("MM"));
	cr_assert_not_null(sk_country_find("NPL"));
}

Test(refdata, country_first_and_last_in_table)
{
	cr_assert_not_null(sk_country_find("AD"));
	cr_assert_not_null(sk_country_find("ZW"));
	cr_assert_not_null(sk_country_find("and"));
	cr_assert_not_null(sk_country_find("zwe"));
}

Test(refdata, unknown_country_codes)
{
	const char *bad[] = { "", "X", "XX", "QQ", "XXX", "VNMM", "V1", "V-", "VN ", " VN", "ＶＮ",
			      "1234", "vnm\n", "ZZZ" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_null(sk_country_find(bad[i]), "'%s'", bad[i]);
}

Test(refdata, every_alpha2_and_alpha3_agree)
{
	/* Walk every two- and three-letter code: what alpha-2 finds, alpha-3
	 * finds too, and the other way round. Also proves any lookup that
	 * relies on the table's order finds every entry. */
	char code[4];
	int found2 = 0, found3 = 0;
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++) {
			snprintf(code, sizeof(code), "%c%c", a, b);
			const struct sk_country *c = sk_country_find(code);
			if (!c)
				continue;
			found2++;
			cr_assert_str_eq(c->alpha2, code);
			cr_assert_eq(sk_country_find(c->alpha3), c, "%s/%s", code, c->alpha3);
		}
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++)
			for (char z = 'A'; z <= 'Z'; z++) {
				snprintf(code, sizeof(code), "%c%c%c", a, b, z);
				const struct sk_country *c = sk_country_find(code);
				if (!c)
					continue;
				found3++;
				cr_assert_str_eq(c->alpha3, code);
				cr_assert_eq(sk_country_find(c->alpha2), c, "%s/%s", code, c->alpha2);
			}
	cr_assert_eq(found2, found3);
	cr_assert_geq(found2, 240, "ISO 3166-1 has 249 codes; found %d", found2);
}

/* ---- currencies ---- */

Test(refdata, currency_exponents)
{
	cr_assert_eq(sk_currency_exponent("JPY"), 0);
	cr_assert_eq(sk_currency_exponent("USD"), 2);
	cr_assert_eq(sk_currency_exponent("VND"), 0);
	cr_assert_eq(sk_currency_exponent("PHP"), 2);
	cr_assert_eq(sk_currency_exponent("KWD"), 3);
	cr_assert_eq(sk_currency_exponent("BHD"), 3);
	cr_assert_eq(sk_currency_exponent("jpy"), 0);
	cr_assert_eq(sk_currency_exponent("usd"), 2);
}

Test(refdata, unknown_currencies)
{
	cr_assert_eq(sk_currency_exponent("XYZ"), -1);
	cr_assert_eq(sk_currency_exponent(""), -1);
	cr_assert_eq(sk_currency_exponent("US"), -1);
	cr_assert_eq(sk_currency_exponent("USDD"), -1);
	cr_assert_eq(sk_currency_exponent("U$D"), -1);
}

/* ---- money ---- */

static void assert_money(const char *s, const char *cur, int64_t want)
{
	int64_t v = -1;
	cr_assert_eq(sk_money_parse(&v, s, cur), 0, "'%s' %s", s, cur);
	cr_assert_eq(v, want, "'%s' %s: got %lld", s, cur, (long long)v);
}

static void assert_not_money(const char *s, const char *cur)
{
	int64_t v = 99;
	cr_assert_eq(sk_money_parse(&v, s, cur), SK_EINPUT, "'%s' %s should be refused", s, cur);
	cr_assert_eq(v, 0, "'%s': out cleared", s);
}

Test(refdata, money_plain)
{
	assert_money("12000", "JPY", 12000);
	assert_money("0", "JPY", 0);
	assert_money("35", "USD", 3500);
	assert_money("35.5", "USD", 3550);
	assert_money("35.50", "USD", 3550);
	assert_money("0.05", "USD", 5);
	assert_money("1.234", "KWD", 1234);
	assert_money("1.2", "KWD", 1200);
}

Test(refdata, money_grouping_commas)
{
	assert_money("12,000", "JPY", 12000);
	assert_money("1,234,567", "JPY", 1234567);
	assert_money("1,234.56", "USD", 123456);
	assert_money("999", "JPY", 999);
}

Test(refdata, money_misplaced_commas_refused)
{
	/* "35,50" is 35.50 where the comma is the decimal mark (Vietnam,
	 * Indonesia): read as 3,550 it would charge a hundred times the fee. */
	assert_not_money("35,50", "USD");
	assert_not_money("1,0000", "JPY");
	assert_not_money("12,00", "JPY");
	assert_not_money("1,2,3", "JPY");
	assert_not_money("1,,000", "JPY");
	assert_not_money(",100", "JPY");
	assert_not_money("100,", "JPY");
	assert_not_money("1234,567", "JPY");
	assert_not_money("1,234.5,6", "USD");
}

Test(refdata, money_too_many_decimals)
{
	assert_not_money("35.505", "USD");
	assert_not_money("1.5", "JPY"); /* yen have no minor unit */
	assert_not_money("1.0", "JPY");
	assert_not_money("1.2345", "KWD");
}

Test(refdata, money_negative_and_junk)
{
	assert_not_money("-100", "JPY");
	assert_not_money("+100", "JPY");
	assert_not_money("", "JPY");
	assert_not_money(".", "USD");
	assert_not_money(".50", "USD");
	assert_not_money("12.", "USD");
	assert_not_money("1.2.3", "USD");
	assert_not_money("12 000", "JPY");
	assert_not_money("¥12000", "JPY");
	assert_not_money("12000円", "JPY");
	assert_not_money("１２０００", "JPY"); /* normalise full-width first */
	assert_not_money("1e5", "JPY");
}

Test(refdata, money_unknown_currency)
{
	assert_not_money("100", "XYZ");
	assert_not_money("100", "");
}

Test(refdata, money_too_large)
{
	assert_money("999,999,999,999,999", "JPY", INT64_C(999999999999999));
	assert_not_money("1000000000000000", "JPY");
}

Test(refdata, money_format)
{
	char out[40];
	cr_assert_str_eq(sk_money_format(out, 12000, "JPY"), "12,000");
	cr_assert_str_eq(sk_money_format(out, 0, "JPY"), "0");
	cr_assert_str_eq(sk_money_format(out, 999, "JPY"), "999");
	cr_assert_str_eq(sk_money_format(out, 1000, "JPY"), "1,000");
	cr_assert_str_eq(sk_money_format(out, 1234567, "JPY"), "1,234,567");
	cr_assert_str_eq(sk_money_format(out, 3550, "USD"), "35.50");
	cr_assert_str_eq(sk_money_format(out, 5, "USD"), "0.05");
	cr_assert_str_eq(sk_money_format(out, 123456789, "USD"), "1,234,567.89");
	cr_assert_str_eq(sk_money_format(out, 1234, "KWD"), "1.234");
	cr_assert_str_eq(sk_money_format(out, -3550, "USD"), "-35.50");
	cr_assert_str_eq(sk_money_format(out, INT64_MIN, "JPY"), "-9,223,372,036,854,775,808");
}

Test(refdata, money_format_parse_round_trip)
{
	const char *curs[] = { "JPY", "USD", "KWD" };
	char out[40];
	for (size_t c = 0; c < 3; c++)
		for (int64_t v = 0; v < INT64_C(100000000000); v = v * 7 + 3) {
			int64_t back = -1;
			sk_money_format(out, v, curs[c]);
			cr_assert_eq(sk_money_parse(&back, out, curs[c]), 0, "%s %s", out, curs[c]);
			cr_assert_eq(back, v, "%s %s", out, curs[c]);
		}
}

/* ---- language tags ---- */

Test(refdata, language_tags_well_formed)
{
	const char *ok[] = { "vi", "fil", "ja", "en", "zh-Hant-TW", "en-US-x-foo", "sr-Latn-RS",
			     "id", "my", "ne", "km", "en-US", "es-419", "zh-yue-HK",
			     "de-CH-1996", "sl-rozaj-biske", "en-a-bbb-x-a-ccc", "tlh",
			     "EN-us", "qaa" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert(sk_language_tag_ok(ok[i]), "'%s' should be well-formed", ok[i]);
}

Test(refdata, language_tags_malformed)
{
	/* 4-8 letter primary subtags are reserved or registered oddities:
	 * 'english' is not a language tag anyone means. */
	cr_assert(!sk_language_tag_ok("abcde"));
	cr_assert(!sk_language_tag_ok("english"));
	const char *bad[] = { "", "e", "toolonglang1", "en--US", "en-US-", "-en", "en_US",
			      "en-US-x", "en-a", "en-a-x-foo", "1a", "en-Latn-Latn-US-toolongvariant1",
			      "ja JP", "ja-JP.UTF-8", "日本語", "en-US-x-waytoolongx" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(sk_language_tag_ok(bad[i]), "'%s' should be refused", bad[i]);
}
