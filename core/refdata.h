/*
 * Reference data and code validators: ISO 3166-1 countries (with English
 * and Japanese names), ISO 4217 currencies and their minor units, BCP 47
 * language tags, and money amounts.
 */
#ifndef SK_REFDATA_H
#define SK_REFDATA_H

#include <stdint.h>

struct sk_country {
	const char *alpha2, *alpha3, *name_en, *name_ja;
};

/* Look up a country by alpha-2 or alpha-3 code, any case; NULL if unknown. */
const struct sk_country *sk_country_find(const char *code);

/* Minor-unit digits of an ISO 4217 currency (JPY 0, USD 2, KWD 3), or -1
 * when the code is unknown. */
int sk_currency_exponent(const char *code);

/* Parse an amount in `currency` ("12000", "12,000", "35.50") into minor
 * units. 0, or SK_EINPUT (not a number, too many decimals, negative, or
 * commas that do not group by three: "35,50" is refused, not read as 3550). */
int sk_money_parse(int64_t *out, const char *s, const char *currency);
/* Format minor units back: "12,000" for JPY, "35.50" for USD; out[40]. */
char *sk_money_format(char out[40], int64_t amount, const char *currency);

/* Non-zero if tag is a well-formed BCP 47 language tag (RFC 5646 langtag:
 * language[-script][-region][-variant]*[-extension]*[-privateuse]).
 * The check is of form only; the registry is not consulted. */
int sk_language_tag_ok(const char *tag);

#endif
