/*
 * Message catalogs. The `.po` files in locales/ are compiled with msgfmt at
 * build time and embedded in the binary, so translations work on a fresh
 * machine with no system locales generated. English is the source language:
 * a message without a translation is shown as written.
 *
 * Only the command line and the document printers choose a language; the
 * library layers record English templates (see report.h) and never translate.
 * The process-wide language is set once at start-up; lookups are read-only
 * and thread-safe after that.
 */
#ifndef SK_I18N_H
#define SK_I18N_H

/* Normalise a language name ("ja_JP.UTF-8", "ja-JP", "JA") to its primary
 * subtag ("ja") in out[8]; returns out. */
char *sk_i18n_primary(char out[8], const char *lang);

/* Non-zero if a catalog exists for the language ("en" always exists). */
int sk_i18n_has(const char *lang);

/* The translation of msgid in `lang`, or msgid itself. Never NULL. */
const char *sk_i18n_lookup(const char *lang, const char *msgid);

/* Set the process-wide language; unknown languages fall back to English.
 * Returns 0, or SK_ENOTFOUND when there is no catalog for it. */
int sk_i18n_set(const char *lang);

/* The language named by the environment: LANGUAGE, LC_ALL, LC_MESSAGES, LANG
 * in that order; "en" when none names a language we have. */
const char *sk_i18n_from_env(void);

/* The process-wide language ("en" by default). */
const char *sk_i18n_current(void);

/* Translate with the process-wide language. */
const char *sk_gettext(const char *msgid);

/* Languages with a catalog, NULL-terminated, "en" first. */
const char *const *sk_i18n_languages(void);

#endif
