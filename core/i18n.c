/*
 * Reading compiled gettext catalogs (.mo) embedded by the build. The format
 * is a fixed binary table written by msgfmt with the original strings sorted,
 * so a lookup is a binary search. Every offset is bounds-checked even though
 * the catalogs are ours: a truncated build artefact must not crash us.
 */
#include "core/i18n.h"
#include "core/embed.h"
#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MO_MAGIC 0x950412deu
#define MO_MAGIC_SWAPPED 0xde120495u

static char current_lang[8] = "en";

char *sk_i18n_primary(char out[8], const char *lang)
{
	size_t i = 0;
	if (lang) {
		for (; lang[i] && i < 7; i++) {
			char c = lang[i];
			if (c == '_' || c == '-' || c == '.' || c == '@')
				break;
			out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		}
	}
	out[i] = '\0';
	return out;
}

static const struct sk_embedded *find_catalog(const char *lang)
{
	char prim[8], name[16];
	sk_i18n_primary(prim, lang);
	if (!prim[0])
		return NULL;
	strcpy(name, prim);
	strcat(name, ".mo");
	for (const struct sk_embedded *e = sk_embedded_catalogs; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

int sk_i18n_has(const char *lang)
{
	char prim[8];
	sk_i18n_primary(prim, lang);
	return strcmp(prim, "en") == 0 || find_catalog(prim) != NULL;
}

static uint32_t rd32(const unsigned char *p, int swapped)
{
	uint32_t v;
	memcpy(&v, p, 4);
	if (swapped)
		v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
	return v;
}

static const char *mo_lookup(const struct sk_embedded *cat, const char *msgid)
{
	const unsigned char *d = cat->data;
	size_t size = cat->size;
	if (size < 28)
		return NULL;
	uint32_t magic;
	memcpy(&magic, d, 4);
	int sw;
	if (magic == MO_MAGIC)
		sw = 0;
	else if (magic == MO_MAGIC_SWAPPED)
		sw = 1;
	else
		return NULL;
	uint32_t n = rd32(d + 8, sw), orig = rd32(d + 12, sw), trans = rd32(d + 16, sw);
	if ((uint64_t)orig + (uint64_t)n * 8 > size || (uint64_t)trans + (uint64_t)n * 8 > size)
		return NULL;
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint32_t len = rd32(d + orig + mid * 8, sw), off = rd32(d + orig + mid * 8 + 4, sw);
		if ((uint64_t)off + len >= size)
			return NULL;
		int c = strcmp(msgid, (const char *)d + off);
		if (c == 0) {
			uint32_t tlen = rd32(d + trans + mid * 8, sw);
			uint32_t toff = rd32(d + trans + mid * 8 + 4, sw);
			if ((uint64_t)toff + tlen >= size || tlen == 0)
				return NULL;
			return (const char *)d + toff;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *sk_i18n_lookup(const char *lang, const char *msgid)
{
	if (!msgid || !msgid[0])
		return msgid ? msgid : "";
	const struct sk_embedded *cat = find_catalog(lang);
	if (!cat)
		return msgid;
	const char *t = mo_lookup(cat, msgid);
	return t ? t : msgid;
}

int sk_i18n_set(const char *lang)
{
	char prim[8];
	sk_i18n_primary(prim, lang);
	if (!sk_i18n_has(prim)) {
		strcpy(current_lang, "en");
		return SK_ENOTFOUND;
	}
	strcpy(current_lang, prim);
	return 0;
}

const char *sk_i18n_from_env(void)
{
	static char chosen[8];
	const char *language = getenv("LANGUAGE");
	if (language && *language) {
		/* A colon-separated preference list: first one we have wins. */
		char tmp[256];
		strncpy(tmp, language, sizeof(tmp) - 1);
		tmp[sizeof(tmp) - 1] = '\0';
		for (char *save = NULL, *tok = strtok_r(tmp, ":", &save); tok;
		     tok = strtok_r(NULL, ":", &save)) {
			if (sk_i18n_has(tok))
				return sk_i18n_primary(chosen, tok);
		}
	}
	const char *vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v) {
			if (sk_i18n_has(v))
				return sk_i18n_primary(chosen, v);
			return "en";
		}
	}
	return "en";
}

const char *sk_i18n_current(void)
{
	return current_lang;
}

const char *sk_gettext(const char *msgid)
{
	if (current_lang[0] == 'e' && current_lang[1] == 'n' && !current_lang[2])
		return msgid;
	return sk_i18n_lookup(current_lang, msgid);
}

const char *const *sk_i18n_languages(void)
{
	static const char *langs[16];
	if (!langs[0]) {
		size_t k = 0;
		langs[k++] = "en";
		for (const struct sk_embedded *e = sk_embedded_catalogs; e->name && k < 15; e++) {
			static char names[15][8];
			sk_i18n_primary(names[k], e->name);
			if (strcmp(names[k], "en") != 0) {
				langs[k] = names[k];
				k++;
			}
		}
		langs[k] = NULL;
	}
	return langs;
}
