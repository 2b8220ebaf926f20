/*
 * Message catalogs: language names normalised to their primary subtag, the
 * embedded Japanese catalog answering a message from locales/ja.po, the
 * fallback to the English msgid, the process-wide language, and the choice
 * of language from LANGUAGE, LC_ALL, LC_MESSAGES and LANG. Criterion runs
 * each test in its own process, so environment changes do not leak.
 */
#include "core/error.h"
#include "core/i18n.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* A msgid that locales/ja.po translates. */
#define MSGID "Commands:"
#define MSGSTR_JA "コマンド:"

static void clear_env(void)
{
	unsetenv("LANGUAGE");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANG");
}

/* ---- names ---- */

static void assert_primary(const char *in, const char *want)
{
	char out[8];
	memset(out, 'x', sizeof(out));
	cr_assert_eq(sk_i18n_primary(out, in), out);
	cr_assert_str_eq(out, want, "'%s'", in ? in : "(null)");
}

Test(i18n, primary_subtag)
{
	assert_primary("ja", "ja");
	assert_primary("ja_JP.UTF-8", "ja");
	assert_primary("ja-JP", "ja");
	assert_primary("JA", "ja");
	assert_primary("Ja_jp", "ja");
	assert_primary("sr@latin", "sr");
	assert_primary("vi.UTF-8", "vi");
	assert_primary("fil", "fil");
	assert_primary("C", "c");
	assert_primary("", "");
	assert_primary(NULL, "");
}

Test(i18n, primary_subtag_is_bounded)
{
	assert_primary("averyverylonglanguagename", "averyve");
}

Test(i18n, has_catalog)
{
	cr_assert(sk_i18n_has("en"));
	cr_assert(sk_i18n_has("en_US.UTF-8"));
	cr_assert(sk_i18n_has("ja"));
	cr_assert(sk_i18n_has("ja_JP.UTF-8"));
	cr_assert_not(sk_i18n_has("xx"));
	cr_assert_not(sk_i18n_has(""));
	cr_assert_not(sk_i18n_has("C"));
	cr_assert_not(sk_i18n_has("jap"), "only the primary subtag matches");
}

Test(i18n, languages_list)
{
	const char *const *langs = sk_i18n_languages();
	cr_assert_str_eq(langs[0], "en");
	int ja = 0, n = 0;
	for (; langs[n]; n++) {
		if (!strcmp(langs[n], "ja"))
			ja = 1;
		cr_assert(n == 0 || strcmp(langs[n], "en"), "en only once");
	}
	cr_assert(ja);
	cr_assert_lt(n, 16);
	cr_assert_eq(sk_i18n_languages(), langs, "the same list every time");
}

/* ---- lookups ---- */

Test(i18n, japanese_catalog_answers)
{
	cr_assert_str_eq(sk_i18n_lookup("ja", MSGID), MSGSTR_JA);
	cr_assert_str_eq(sk_i18n_lookup("ja_JP.UTF-8", MSGID), MSGSTR_JA);
}

Test(i18n, unknown_msgid_falls_back)
{
	const char *msgid = "no such message in any catalog";
	cr_assert_eq(sk_i18n_lookup("ja", msgid), msgid);
	/* Near misses are not matches. */
	cr_assert_str_eq(sk_i18n_lookup("ja", "Commands"), "Commands");
	cr_assert_str_eq(sk_i18n_lookup("ja", "Commands: "), "Commands: ");
	cr_assert_str_eq(sk_i18n_lookup("ja", "commands:"), "commands:");
}

Test(i18n, english_and_unknown_languages_fall_back)
{
	const char *msgid = MSGID;
	cr_assert_eq(sk_i18n_lookup("en", msgid), msgid);
	cr_assert_eq(sk_i18n_lookup("xx", msgid), msgid);
	cr_assert_eq(sk_i18n_lookup("", msgid), msgid);
	cr_assert_eq(sk_i18n_lookup(NULL, msgid), msgid);
}

Test(i18n, empty_msgid_is_not_the_header)
{
	/* The .mo header is stored under "": never hand it out. */
	cr_assert_str_eq(sk_i18n_lookup("ja", ""), "");
	cr_assert_str_eq(sk_i18n_lookup("ja", NULL), "");
}

/* ---- the process-wide language ---- */

Test(i18n, default_is_english)
{
	cr_assert_str_eq(sk_i18n_current(), "en");
	const char *msgid = MSGID;
	cr_assert_eq(sk_gettext(msgid), msgid);
}

Test(i18n, set_japanese)
{
	cr_assert_eq(sk_i18n_set("ja_JP.UTF-8"), 0);
	cr_assert_str_eq(sk_i18n_current(), "ja");
	cr_assert_str_eq(sk_gettext(MSGID), MSGSTR_JA);
	cr_assert_str_eq(sk_gettext("untranslated"), "untranslated");
	cr_assert_eq(sk_i18n_set("en"), 0);
	cr_assert_str_eq(sk_gettext(MSGID), MSGID);
}

Test(i18n, set_unknown_falls_back_to_english)
{
	cr_assert_eq(sk_i18n_set("ja"), 0);
	cr_assert_eq(sk_i18n_set("xx_XX"), SK_ENOTFOUND);
	cr_assert_str_eq(sk_i18n_current(), "en");
	cr_assert_str_eq(sk_gettext(MSGID), MSGID);
}

/* ---- the environment ---- */

Test(i18n, env_nothing_set)
{
	clear_env();
	cr_assert_str_eq(sk_i18n_from_env(), "en");
}

Test(i18n, env_lang)
{
	clear_env();
	setenv("LANG", "ja_JP.UTF-8", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "ja");
}

Test(i18n, env_lc_messages_over_lang)
{
	clear_env();
	setenv("LANG", "en_US.UTF-8", 1);
	setenv("LC_MESSAGES", "ja_JP.UTF-8", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "ja");
}

Test(i18n, env_lc_all_over_lc_messages)
{
	clear_env();
	setenv("LC_MESSAGES", "ja_JP.UTF-8", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "en", "LC_ALL decides, even for English");
	setenv("LC_ALL", "ja_JP.UTF-8", 1);
	setenv("LC_MESSAGES", "C", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "ja");
}

Test(i18n, env_empty_variables_are_skipped)
{
	clear_env();
	setenv("LC_ALL", "", 1);
	setenv("LC_MESSAGES", "", 1);
	setenv("LANG", "ja_JP.UTF-8", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "ja");
}

Test(i18n, env_language_first)
{
	clear_env();
	setenv("LC_ALL", "en_US.UTF-8", 1);
	setenv("LANGUAGE", "ja", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "ja");
}

Test(i18n, env_language_preference_list)
{
	clear_env();
	setenv("LANGUAGE", "fr:de_DE:ja_JP:en", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "ja", "the first one we have");
	setenv("LANGUAGE", "fr:en:ja", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "en");
}

Test(i18n, env_language_without_catalog_falls_through)
{
	clear_env();
	setenv("LANGUAGE", "fr:de", 1);
	setenv("LANG", "ja_JP.UTF-8", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "ja");
	setenv("LANGUAGE", "", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "ja");
}

Test(i18n, env_unknown_locale_is_english)
{
	clear_env();
	setenv("LANG", "xx_XX.UTF-8", 1);
	cr_assert_str_eq(sk_i18n_from_env(), "en");
}
