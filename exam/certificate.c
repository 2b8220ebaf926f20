/*
 * Certificate numbers, certificate tokens and their claims, revocation and
 * the signed revocation list; see certificate.h for the formats. Whatever
 * comes from a token is checked here before anyone uses it: a token that
 * verifies was signed by us, but a key can leak, so the claims are still
 * read as untrusted JSON.
 */
#include "exam/certificate.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/keys.h"
#include "core/report.h"
#include "core/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seconds since the epoch that a token may carry: 2000-01-01 to 2199-12-31. */
#define TIME_MIN INT64_C(946684800)
#define TIME_MAX INT64_C(7258118399)

/* ---- numbers ---- */

char *sk_certno_format(char out[SK_CERTNO_LEN + 1], int year, int seq)
{
	char d[16];
	snprintf(d, sizeof(d), "%04u%06u", (unsigned)year % 10000u, (unsigned)seq % 1000000u);
	snprintf(out, SK_CERTNO_LEN + 1, "%.4s-%.6s-%c", d, d + 4, (char)('0' + sk_damm_digit(d)));
	return out;
}

int sk_certno_parse(char out[SK_CERTNO_LEN + 1], const char *input)
{
	out[0] = '\0';
	char *norm = NULL;
	if (sk_text_nfkc(&norm, input))
		return SK_EINPUT;
	char d[12];
	size_t n = 0;
	int bad = 0;
	for (const char *p = norm; *p && !bad; p++) {
		if (*p >= '0' && *p <= '9' && n < 11)
			d[n++] = *p;
		else if (*p != '-' && *p != ' ')
			bad = 1;
	}
	bad |= n != 11 || strlen(norm) > 2 * SK_CERTNO_LEN;
	free(norm);
	if (bad)
		return SK_EINPUT;
	d[n] = '\0';
	if (!sk_damm_valid(d))
		return SK_EVERIFY;
	int year = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
	if (year < 2000 || !strncmp(d + 4, "000000", 6))
		return SK_EINPUT;
	snprintf(out, SK_CERTNO_LEN + 1, "%.4s-%.6s-%c", d, d + 4, d[10]);
	return 0;
}

/* Canonical already: exactly "YYYY-NNNNNN-C" with a good check digit. */
static int certno_canonical(const char *s)
{
	char canon[SK_CERTNO_LEN + 1];
	return strlen(s) == SK_CERTNO_LEN && sk_certno_parse(canon, s) == 0 && !strcmp(canon, s);
}

/* ---- issuer ---- */

int sk_cert_issuer_valid(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (n >= SK_ISSUER_MAX || (unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e)
			return 0;
	return n > 0;
}

char *sk_cert_issuer(struct sk_db *db)
{
	char *v = sk_db_meta_get(db, SK_CONFIG_ISSUER);
	if (!v || !sk_cert_issuer_valid(v)) {
		free(v);
		sk_db_fail(db, SK_ENOTFOUND, N_("no certificate issuer set: run 'shiken config set cert.issuer URL'"));
		return NULL;
	}
	return v;
}

/* ---- settings for printing ---- */

/* Characters a base URL may hold past its scheme: RFC 3986's unreserved,
 * sub-delims, ':', '@', '/', '%' and IPv6 brackets; no query or fragment,
 * which the token's path segment must end. */
static int url_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("-._~!$&'()*+,;=:@/%[]", ch));
}

int sk_cert_base_url_valid(const char *s)
{
	size_t n = strlen(s), scheme = !strncmp(s, "https://", 8) ? 8 : !strncmp(s, "http://", 7) ? 7 : 0;
	if (!scheme || n > SK_BASE_URL_MAX || n == scheme || s[scheme] == '/' || s[n - 1] == '/')
		return 0;
	for (size_t i = scheme; i < n; i++)
		if (!url_char((unsigned char)s[i]))
			return 0;
	/* The host (and port) itself: letters, digits, '-', '.', ':' and brackets. */
	for (size_t i = scheme; i < n && s[i] != '/'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("-.:[]", s[i])))
			return 0;
	return 1;
}

char *sk_cert_base_url(struct sk_db *db)
{
	char *v = sk_db_meta_get(db, SK_CONFIG_BASE_URL);
	if (!v || !sk_cert_base_url_valid(v)) {
		free(v);
		sk_db_fail(db, SK_ENOTFOUND,
			   N_("no base URL for certificate QR codes set: run 'shiken config set cert.base_url https://HOST'"));
		return NULL;
	}
	return v;
}

char *sk_cert_url(const char *base_url, const char *token)
{
	size_t b = strlen(base_url), t = strlen(token);
	char *url = malloc(b + 3 + t + 1);
	if (url) {
		memcpy(url, base_url, b);
		memcpy(url + b, "/c/", 3);
		memcpy(url + b + 3, token, t + 1);
	}
	return url;
}

/* ---- claims ---- */

static int date_strict(const char *s)
{
	struct sk_date d;
	return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' && sk_date_parse(&d, s) == 0;
}

/* A name or label: 1..max bytes (0..max when may_be_empty), no control
 * characters, C1 (U+0080-U+009F, UTF-8 C2 80-9F) included: verifiers print
 * claims to terminals, where U+009B starts an escape sequence. jansson has
 * already refused invalid UTF-8. */
static int text_ok(const char *s, size_t max, int may_be_empty)
{
	if (!s)
		return 0;
	size_t n = 0;
	for (; s[n]; n++)
		if (n >= max || (unsigned char)s[n] < 0x20 || s[n] == 0x7f ||
		    ((unsigned char)s[n] == 0xc2 && (unsigned char)s[n + 1] >= 0x80 && (unsigned char)s[n + 1] <= 0x9f))
			return 0;
	return n > 0 || may_be_empty;
}

int sk_cert_issuer_name_valid(const char *s)
{
	/* '{', '|' and '}' are furigana markup to the printer (core/ruby.h). */
	return s && text_ok(s, 4 * SK_ISSUER_NAME_MAX, 0) && sk_utf8_invalid_at(s, strlen(s)) < 0 &&
	       sk_text_length(s) <= SK_ISSUER_NAME_MAX && !sk_text_blank(s) && !strpbrk(s, "{|}");
}

char *sk_cert_issuer_name(struct sk_db *db, const char *lang)
{
	int ja = !strcmp(lang, "ja");
	char *v = sk_db_meta_get(db, ja ? SK_CONFIG_ISSUER_NAME_JA : SK_CONFIG_ISSUER_NAME_EN);
	if (v && sk_cert_issuer_name_valid(v))
		return v;
	free(v);
	return sk_strdup(ja ? SK_CERT_ISSUER_NAME_JA_DEFAULT : SK_CERT_ISSUER_NAME_EN_DEFAULT);
}

static const char *claims_check(const struct sk_cert_claims *c)
{
	if (!c->issuer || !sk_cert_issuer_valid(c->issuer))
		return N_("the issuer (iss) is missing or malformed");
	if (!c->number || !certno_canonical(c->number))
		return N_("the certificate number (cert) is missing or malformed");
	if (!text_ok(c->family_name, 200, 0) || !text_ok(c->given_name, 200, 1))
		return N_("the name (family_name, given_name) is missing or malformed");
	if (!date_strict(c->birthdate))
		return N_("the date of birth (birthdate) is missing or malformed");
	if (!text_ok(c->test_code, 32, 0) || !text_ok(c->category_ja, 200, 0) ||
	    !text_ok(c->category_en, 200, 0) || c->level < 1 || c->level > 9)
		return N_("the test (code, category_ja, category_en, level) is missing or malformed");
	if (!date_strict(c->sitting_date))
		return N_("the sitting date (sitting_date) is missing or malformed");
	if (c->issued_at < TIME_MIN || c->issued_at > TIME_MAX)
		return N_("the issue time (iat) is missing or out of range");
	return NULL;
}

json_t *sk_cert_claims_json(const struct sk_cert_claims *c, const char **why)
{
	const char *w = claims_check(c);
	if (why)
		*why = w;
	if (w)
		return NULL;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s,s:i},s:s,s:I}", "iss", c->issuer, "cert",
			      c->number, "family_name", c->family_name, "given_name", c->given_name,
			      "birthdate", c->birthdate, "test", "code", c->test_code, "category_ja",
			      c->category_ja, "category_en", c->category_en, "level", c->level,
			      "sitting_date", c->sitting_date, "iat", (json_int_t)c->issued_at);
	if (!o && why)
		*why = N_("out of memory");
	return o;
}

int sk_cert_claims_read(struct sk_cert_claims *out, const json_t *payload, const char **why)
{
	memset(out, 0, sizeof(*out));
	const json_t *test = json_object_get(payload, "test");
	const json_t *level = json_object_get(test, "level"), *iat = json_object_get(payload, "iat");
	struct sk_cert_claims c = {
		.issuer = json_string_value(json_object_get(payload, "iss")),
		.number = json_string_value(json_object_get(payload, "cert")),
		.family_name = json_string_value(json_object_get(payload, "family_name")),
		.given_name = json_string_value(json_object_get(payload, "given_name")),
		.birthdate = json_string_value(json_object_get(payload, "birthdate")),
		.test_code = json_string_value(json_object_get(test, "code")),
		.category_ja = json_string_value(json_object_get(test, "category_ja")),
		.category_en = json_string_value(json_object_get(test, "category_en")),
		.level = json_is_integer(level) && json_integer_value(level) >= 1 && json_integer_value(level) <= 9
				 ? (int)json_integer_value(level)
				 : 0,
		.sitting_date = json_string_value(json_object_get(payload, "sitting_date")),
		.issued_at = json_is_integer(iat) ? (int64_t)json_integer_value(iat) : 0,
	};
	const char *w = claims_check(&c);
	if (why)
		*why = w;
	if (w)
		return SK_EINPUT;
	*out = c;
	return 0;
}

int sk_cert_sign(struct sk_db *db, char **out, const struct sk_cert_claims *c)
{
	*out = NULL;
	const char *why = NULL;
	json_t *payload = sk_cert_claims_json(c, &why);
	if (!payload)
		return sk_db_fail(db, SK_EINPUT, "%s", why);
	int rc = sk_keys_sign(db, out, SK_CERT_TYP, payload);
	json_decref(payload);
	return rc;
}

/* ---- revocation lists ---- */

void sk_revocations_release(struct sk_revocations *r)
{
	free(r->items);
	memset(r, 0, sizeof(*r));
}

static int revoked_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sk_revoked *)a)->number, ((const struct sk_revoked *)b)->number);
}

const struct sk_revoked *sk_revocations_find(const struct sk_revocations *r, const char *number)
{
	struct sk_revoked key;
	if (!r->count || strlen(number) != SK_CERTNO_LEN)
		return NULL;
	memcpy(key.number, number, SK_CERTNO_LEN + 1);
	return bsearch(&key, r->items, r->count, sizeof(key), revoked_cmp);
}

/* Read a verified revocation list payload into out. NULL, or what is wrong. */
static const char *revocations_parse(struct sk_revocations *out, const json_t *payload)
{
	const char *iss = json_string_value(json_object_get(payload, "iss"));
	const json_t *iat = json_object_get(payload, "iat"), *list = json_object_get(payload, "revoked");
	if (!iss || !sk_cert_issuer_valid(iss))
		return N_("the revocation list's issuer (iss) is missing or malformed");
	if (!json_is_integer(iat) || json_integer_value(iat) < TIME_MIN || json_integer_value(iat) > TIME_MAX)
		return N_("the revocation list's issue time (iat) is missing or out of range");
	if (!json_is_array(list))
		return N_("the revocation list has no list of revoked certificates");
	size_t n = json_array_size(list);
	out->items = calloc(n ? n : 1, sizeof(*out->items));
	if (!out->items)
		return N_("out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(list, i);
		const char *number = json_string_value(json_object_get(e, "cert"));
		const json_t *at = json_object_get(e, "at");
		if (!number || !certno_canonical(number) || !json_is_integer(at) ||
		    json_integer_value(at) < TIME_MIN || json_integer_value(at) > TIME_MAX)
			return N_("an entry of the revocation list is malformed");
		memcpy(out->items[i].number, number, SK_CERTNO_LEN + 1);
		out->items[i].at = (int64_t)json_integer_value(at);
	}
	qsort(out->items, n, sizeof(*out->items), revoked_cmp);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(out->items[i - 1].number, out->items[i].number))
			return N_("the revocation list names a certificate twice");
	memcpy(out->issuer, iss, strlen(iss) + 1);
	out->issued_at = (int64_t)json_integer_value(iat);
	out->count = n;
	return NULL;
}

enum sk_verdict sk_revocations_read(struct sk_revocations *out, const char *token, size_t len,
				    const struct sk_keyring *ring, const char **detail)
{
	memset(out, 0, sizeof(*out));
	struct sk_jws_result r;
	enum sk_verdict v = sk_jws_verify(&r, token, len, SK_REVOCATIONS_MAX_TOKEN, SK_REVOCATIONS_TYP, ring);
	*detail = r.detail;
	if (v == SK_VERDICT_VALID && (*detail = revocations_parse(out, r.payload))) {
		sk_revocations_release(out);
		v = SK_VERDICT_MALFORMED;
	}
	sk_jws_result_release(&r);
	return v;
}

/* "YYYY-MM-DDTHH:MM:SSZ" (as sk_db_now writes) to seconds; -1 if not. */
static int64_t stamp_seconds(const char *s)
{
	struct sk_date d;
	char date[11];
	int h, m, sec, end = 0;
	if (!s || strlen(s) != 20 || sscanf(s + 11, "%2d:%2d:%2dZ%n", &h, &m, &sec, &end) != 3 || end != 9)
		return -1;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (s[10] != 'T' || sk_date_parse(&d, date))
		return -1;
	return (int64_t)sk_date_days(&d) * 86400 + h * 3600 + m * 60 + sec;
}

int sk_revocations_build(struct sk_db *db, char **out, size_t *out_count)
{
	static const char sql[] = "SELECT number, revoked_at FROM certificate WHERE status = 'revoked' ORDER BY number";
	*out = NULL;
	*out_count = 0;
	char *issuer = sk_cert_issuer(db);
	if (!issuer)
		return db->err;
	int rc = 0;
	json_t *list = json_array();
	json_t *payload = json_pack("{s:s,s:I,s:o}", "iss", issuer, "iat", (json_int_t)sk_db_now_seconds(db),
				    "revoked", json_incref(list));
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st) {
		rc = db->err;
		goto cleanup;
	}
	if (!list || !payload) {
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
		goto cleanup;
	}
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *number = (const char *)sqlite3_column_text(st, 0);
		int64_t at = stamp_seconds((const char *)sqlite3_column_text(st, 1));
		if (at < 0) {
			rc = sk_db_fail(db, SK_EDB, "certificate %s: revoked_at is not a time", number);
			break;
		}
		if (json_array_append_new(list, json_pack("{s:s,s:I}", "cert", number, "at", (json_int_t)at))) {
			rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading revoked certificates");
	sqlite3_reset(st);
	if (!rc && !(rc = sk_keys_sign(db, out, SK_REVOCATIONS_TYP, payload)))
		*out_count = json_array_size(list);
cleanup:
	json_decref(payload);
	json_decref(list);
	free(issuer);
	return rc;
}

/* ---- verifying certificates ---- */

void sk_cert_check_release(struct sk_cert_check *c)
{
	json_decref(c->payload);
	memset(c, 0, sizeof(*c));
}

/* Is the number revoked in the certificate table? 0 (and *at) or an error. */
static int db_revoked(struct sk_db *db, const char *number, int *revoked, int64_t *at)
{
	static const char sql[] = "SELECT revoked_at FROM certificate WHERE number = ?1 AND status = 'revoked'";
	*revoked = 0;
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*revoked = 1;
		*at = stamp_seconds((const char *)sqlite3_column_text(st, 0));
	}
	int rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : sk_db_sqlfail(db, "looking up a certificate");
	sqlite3_reset(st);
	return rc;
}

int sk_cert_verify(struct sk_cert_check *out, const char *token, size_t len, const struct sk_cert_verify_opts *opts)
{
	memset(out, 0, sizeof(*out));
	struct sk_jws_result r;
	out->verdict = sk_jws_verify(&r, token, len, SK_JWS_MAX_TOKEN, SK_CERT_TYP, opts->keys);
	out->detail = r.detail;
	memcpy(out->kid, r.kid, sizeof(out->kid));
	if (out->verdict != SK_VERDICT_VALID) {
		sk_jws_result_release(&r);
		return 0;
	}
	json_t *payload = r.payload;
	r.payload = NULL;
	sk_jws_result_release(&r);
	return sk_cert_verify_payload(out, payload, opts);
}

int sk_cert_verify_payload(struct sk_cert_check *out, json_t *payload, const struct sk_cert_verify_opts *opts)
{
	out->verdict = SK_VERDICT_VALID;
	out->detail = NULL;
	out->payload = NULL;
	memset(&out->claims, 0, sizeof(out->claims));
	out->revoked_at = 0;
	const char *why = NULL;
	if (sk_cert_claims_read(&out->claims, payload, &why)) {
		json_decref(payload);
		memset(&out->claims, 0, sizeof(out->claims));
		out->verdict = SK_VERDICT_MALFORMED;
		out->detail = why;
		return 0;
	}
	out->payload = payload; /* the claims point into it */
	if (opts->issuer && strcmp(opts->issuer, out->claims.issuer) != 0) {
		out->verdict = SK_VERDICT_WRONG_ISSUER;
		out->detail = N_("the token names another issuer (iss)");
		return 0;
	}
	const struct sk_revoked *rev = NULL;
	if (opts->revocations && !strcmp(opts->revocations->issuer, out->claims.issuer))
		rev = sk_revocations_find(opts->revocations, out->claims.number);
	if (rev) {
		out->verdict = SK_VERDICT_REVOKED;
		out->detail = N_("the revocation list names this certificate");
		out->revoked_at = rev->at;
		return 0;
	}
	if (opts->db) {
		int revoked = 0;
		int64_t at = 0;
		int rc = db_revoked(opts->db, out->claims.number, &revoked, &at);
		if (rc)
			return rc;
		if (revoked) {
			out->verdict = SK_VERDICT_REVOKED;
			out->detail = N_("the registry records this certificate as revoked");
			out->revoked_at = at > 0 ? at : 0;
		}
	}
	return 0;
}

void sk_cert_token_from_text(const char *text, size_t text_len, const char **start, size_t *len)
{
	*start = text;
	*len = text_len;
	/* A URL: the token is the path segment after the last "/c/", up to a
	 * query or fragment. Anything else is taken as the token itself. */
	if (!(text_len >= 7 && !strncmp(text, "http://", 7)) && !(text_len >= 8 && !strncmp(text, "https://", 8)))
		return;
	size_t end = 0;
	while (end < text_len && text[end] != '?' && text[end] != '#')
		end++;
	size_t at = 0;
	int found = 0;
	for (size_t i = 0; i + 3 <= end; i++)
		if (text[i] == '/' && text[i + 1] == 'c' && text[i + 2] == '/') {
			at = i + 3;
			found = 1;
		}
	if (!found) {
		*len = 0;
		return;
	}
	*start = text + at;
	*len = end - at;
}

/* ---- issuing ---- */

/* A passed registration of the sitting, as read before anything is
 * written (the certificate table changes while they are issued). */
struct passed {
	int64_t registration_id;
	char *exam_number, *family_name, *given_name, *birthdate, *test, *category_ja, *category_en,
		*sitting_date, *certificate;
	int level;
};

static void passed_release(struct passed *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].exam_number);
		free(p[i].family_name);
		free(p[i].given_name);
		free(p[i].birthdate);
		free(p[i].test);
		free(p[i].category_ja);
		free(p[i].category_en);
		free(p[i].sitting_date);
		free(p[i].certificate);
	}
	free(p);
}

static int read_passed(struct sk_db *db, int64_t sitting_id, struct passed **out, size_t *out_n)
{
	static const char sql[] =
		"SELECT r.id, r.exam_number, c.family_name, c.given_name, c.date_of_birth, t.code, t.category_ja,"
		" t.category_en, t.level, s.exam_date, ce.number"
		" FROM registration r JOIN result res ON res.registration_id = r.id"
		" JOIN candidate c ON c.id = r.candidate_id JOIN test t ON t.id = r.test_id"
		" JOIN sitting s ON s.id = r.sitting_id LEFT JOIN certificate ce ON ce.registration_id = r.id"
		" WHERE r.sitting_id = ?1 AND r.status = 'registered' AND res.outcome = 'pass'"
		" ORDER BY r.exam_number";
	*out = NULL;
	*out_n = 0;
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, sitting_id);
	struct passed *list = NULL;
	size_t n = 0, cap = 0;
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t a = cap ? cap * 2 : 64;
			struct passed *p = realloc(list, a * sizeof(*p));
			if (!p) {
				rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
				break;
			}
			list = p;
			cap = a;
		}
		struct passed *p = &list[n++];
		p->registration_id = sqlite3_column_int64(st, 0);
		p->exam_number = sk_col_text(st, 1);
		p->family_name = sk_col_text(st, 2);
		p->given_name = sk_col_text(st, 3);
		p->birthdate = sk_col_text(st, 4);
		p->test = sk_col_text(st, 5);
		p->category_ja = sk_col_text(st, 6);
		p->category_en = sk_col_text(st, 7);
		p->level = sqlite3_column_int(st, 8);
		p->sitting_date = sk_col_text(st, 9);
		p->certificate = sk_col_text(st, 10);
		if (!p->exam_number || !p->family_name || !p->birthdate || !p->test || !p->category_ja ||
		    !p->category_en || !p->sitting_date) {
			rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading passed registrations");
	sqlite3_reset(st);
	if (rc) {
		passed_release(list, n);
		return rc;
	}
	*out = list;
	*out_n = n;
	return 0;
}

/* One number from a query with one bound integer. */
static int count_of(struct sk_db *db, const char *sql, int64_t id, int64_t *out)
{
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	*out = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return step == SQLITE_ROW ? 0 : sk_db_sqlfail(db, "reading the registry");
}

/* The last sequence number used in a year (0 for none). */
static int last_seq(struct sk_db *db, int year, int *out)
{
	static const char sql[] = "SELECT MAX(number) FROM certificate WHERE number >= ?1 AND number < ?2";
	char lo[16], hi[16];
	snprintf(lo, sizeof(lo), "%04d-", year % 10000);
	snprintf(hi, sizeof(hi), "%04d-", (year + 1) % 10000);
	*out = 0;
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	const char *max = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (max && strlen(max) == SK_CERTNO_LEN)
		*out = atoi(max + 5);
	sqlite3_reset(st);
	return step == SQLITE_ROW ? 0 : sk_db_sqlfail(db, "reading certificate numbers");
}

static int report_stale(struct sk_db *db, int64_t sitting_id,
			int (*on_stale)(void *payload, const struct sk_cert_stale *c), void *payload, size_t *count)
{
	static const char sql[] =
		"SELECT ce.number, r.exam_number,"
		" CASE WHEN r.status = 'cancelled' THEN 'cancelled' ELSE COALESCE(res.outcome, 'pending') END"
		" FROM certificate ce JOIN registration r ON r.id = ce.registration_id"
		" LEFT JOIN result res ON res.registration_id = r.id"
		" WHERE r.sitting_id = ?1 AND ce.status = 'valid'"
		" AND (r.status = 'cancelled' OR res.outcome IS NULL OR res.outcome <> 'pass')"
		" ORDER BY ce.number";
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, sitting_id);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_cert_stale c = { (const char *)sqlite3_column_text(st, 0),
					   (const char *)sqlite3_column_text(st, 1),
					   (const char *)sqlite3_column_text(st, 2) };
		(*count)++;
		if (on_stale && (rc = on_stale(payload, &c)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading certificates");
	sqlite3_reset(st);
	return rc;
}

/* Sign, store and audit one certificate. */
static int issue_one(struct sk_db *db, const struct passed *p, const char *number, const char *issuer,
		     const char *kid, int64_t issued_at, const char *stamp, const char *sitting)
{
	static const char sql[] = "INSERT INTO certificate (number, registration_id, token, kid, issued_at)"
				  " VALUES (?1, ?2, ?3, ?4, ?5)";
	struct sk_cert_claims c = {
		.issuer = issuer, .number = number, .family_name = p->family_name,
		.given_name = p->given_name ? p->given_name : "", .birthdate = p->birthdate,
		.test_code = p->test, .category_ja = p->category_ja, .category_en = p->category_en,
		.level = p->level, .sitting_date = p->sitting_date, .issued_at = issued_at,
	};
	const char *why = claims_check(&c);
	if (why)
		return sk_db_fail(db, SK_EINPUT, N_("registration %s: its certificate cannot be signed: %s"),
				  p->exam_number, why);
	char *token = NULL;
	int rc = sk_cert_sign(db, &token, &c);
	if (rc)
		return rc;
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st) {
		free(token);
		return db->err;
	}
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, p->registration_id);
	sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, stamp, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	free(token);
	if (step != SQLITE_DONE)
		return sk_db_sqlfail(db, "storing a certificate");
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_adds(&d, "{\"exam_number\":");
	sk_buf_add_json_str(&d, p->exam_number);
	sk_buf_adds(&d, ",\"sitting\":");
	sk_buf_add_json_str(&d, sitting);
	sk_buf_adds(&d, ",\"test\":");
	sk_buf_add_json_str(&d, p->test);
	sk_buf_adds(&d, ",\"kid\":");
	sk_buf_add_json_str(&d, kid);
	sk_buf_adds(&d, "}");
	rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
			       : sk_audit_append(db, "certificate", number, "issue", d.buf);
	sk_buf_release(&d);
	return rc;
}

int sk_cert_issue(struct sk_db *db, const char *sitting, int flags,
		  int (*on_issue)(void *payload, const struct sk_cert_issued *c),
		  int (*on_stale)(void *payload, const struct sk_cert_stale *c), void *payload,
		  struct sk_cert_issue_stats *stats)
{
	static const char sitting_sql[] = "SELECT id FROM sitting WHERE code = ?1";
	static const char runs_sql[] = "SELECT COUNT(*) FROM grading_run WHERE sitting_id = ?1";
	static const char pending_sql[] =
		"SELECT COUNT(*) FROM registration r LEFT JOIN result res ON res.registration_id = r.id"
		" WHERE r.sitting_id = ?1 AND r.status = 'registered' AND res.registration_id IS NULL";
	memset(stats, 0, sizeof(*stats));
	char *issuer = NULL;
	struct passed *list = NULL;
	size_t n = 0;
	int64_t sitting_id = 0, runs = 0, pending = 0;

	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	sqlite3_stmt *st = sk_db_stmt(db, sitting_sql);
	if (!st) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_text(st, 1, sitting, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		sitting_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (step == SQLITE_DONE) {
		rc = sk_db_fail(db, SK_ENOTFOUND, N_("no sitting '%s'"), sitting);
		goto fail;
	}
	if (step != SQLITE_ROW) {
		rc = sk_db_sqlfail(db, "reading the sitting");
		goto fail;
	}
	if (!(issuer = sk_cert_issuer(db))) {
		rc = db->err;
		goto fail;
	}
	const struct sk_sign_key *signer = sk_keys_signer(db);
	if (!signer) {
		rc = db->err;
		goto fail;
	}
	memcpy(stats->kid, signer->kid, sizeof(stats->kid));
	if ((rc = count_of(db, runs_sql, sitting_id, &runs)) || (rc = count_of(db, pending_sql, sitting_id, &pending)))
		goto fail;
	if (!runs) {
		rc = sk_db_fail(db, SK_ECONFLICT, N_("sitting '%s' is not graded yet: run 'shiken grade --sitting %s' first"),
				sitting, sitting);
		goto fail;
	}
	stats->pending = (size_t)pending;
	if ((rc = read_passed(db, sitting_id, &list, &n)))
		goto fail;

	/* Numbers in the year of issue, by the registry's clock. */
	int64_t now = sk_db_now_seconds(db);
	char stamp[21];
	sk_time_format(stamp, (long long)now);
	int year = atoi(stamp), seq = 0;
	if ((rc = last_seq(db, year, &seq)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		struct passed *p = &list[i];
		stats->passed++;
		if (p->certificate) {
			stats->had++;
			continue;
		}
		if (seq >= 999999) {
			rc = sk_db_fail(db, SK_EFULL, N_("the certificate numbers of %d are used up (999,999)"), year);
			goto fail;
		}
		char number[SK_CERTNO_LEN + 1];
		sk_certno_format(number, year, ++seq);
		if ((rc = issue_one(db, p, number, issuer, signer->kid, now, stamp, sitting)))
			goto fail;
		if (!stats->issued++)
			memcpy(stats->first, number, sizeof(number));
		memcpy(stats->last, number, sizeof(number));
		struct sk_cert_issued c = { number, p->exam_number, p->family_name, p->given_name ? p->given_name : "",
					    p->test };
		if (on_issue && (rc = on_issue(payload, &c)))
			goto fail;
	}
	if ((rc = report_stale(db, sitting_id, on_stale, payload, &stats->stale)))
		goto fail;
	passed_release(list, n);
	free(issuer);
	if (flags & SK_CERT_DRY_RUN) {
		sk_db_rollback(db);
		return 0;
	}
	return sk_db_commit(db);
fail:
	passed_release(list, n);
	free(issuer);
	sk_db_rollback(db);
	return rc;
}

int sk_cert_of_registration(struct sk_db *db, const char *exam_number, struct sk_cert *out)
{
	static const char sql[] =
		"SELECT ce.number, r.exam_number, ce.kid, ce.issued_at, ce.status, ce.revoked_at, ce.token"
		" FROM certificate ce JOIN registration r ON r.id = ce.registration_id WHERE r.exam_number = ?1";
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, exam_number, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(st), rc = 0;
	if (step == SQLITE_ROW) {
		char *f[] = { out->number, out->exam_number, out->kid, out->issued_at, out->status, out->revoked_at };
		size_t cap[] = { sizeof(out->number), sizeof(out->exam_number), sizeof(out->kid),
				 sizeof(out->issued_at), sizeof(out->status), sizeof(out->revoked_at) };
		for (int i = 0; i < 6; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			snprintf(f[i], cap[i], "%s", v ? v : "");
		}
		if (!(out->token = sk_col_text(st, 6)))
			rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	} else if (step == SQLITE_DONE) {
		rc = SK_ENOTFOUND;
	} else {
		rc = sk_db_sqlfail(db, "reading a certificate");
	}
	sqlite3_reset(st);
	if (rc)
		sk_cert_release(out);
	return rc;
}

void sk_cert_release(struct sk_cert *c)
{
	free(c->token);
	memset(c, 0, sizeof(*c));
}

/* ---- revoking and listing ---- */

int sk_cert_revoke(struct sk_db *db, const char *number, const char *reason)
{
	static const char get_sql[] = "SELECT status FROM certificate WHERE number = ?1";
	static const char sql[] = "UPDATE certificate SET status = 'revoked', revoked_at = ?2, reason = ?3"
				  " WHERE number = ?1 AND status = 'valid'";
	if (!reason || !text_ok(reason, 4 * 500, 0) || sk_utf8_invalid_at(reason, strlen(reason)) >= 0 ||
	    sk_text_length(reason) > 500 || sk_text_blank(reason))
		return sk_db_fail(db, SK_EINPUT, N_("a reason is needed: 1 to 500 characters on one line"));
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	sqlite3_stmt *st = sk_db_stmt(db, get_sql);
	if (!st) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	int revoked = step == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "revoked");
	sqlite3_reset(st);
	if (step == SQLITE_DONE) {
		rc = sk_db_fail(db, SK_ENOTFOUND, N_("no certificate '%s'"), number);
		goto fail;
	}
	if (step != SQLITE_ROW) {
		rc = sk_db_sqlfail(db, "looking up a certificate");
		goto fail;
	}
	if (revoked) {
		rc = sk_db_fail(db, SK_EEXISTS, N_("certificate '%s' is already revoked"), number);
		goto fail;
	}
	char now[21];
	sk_db_now(db, now);
	if (!(st = sk_db_stmt(db, sql))) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE || sqlite3_changes(db->sql) != 1) {
		rc = sk_db_sqlfail(db, "revoking a certificate");
		goto fail;
	}
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_adds(&d, "{\"reason\":");
	sk_buf_add_json_str(&d, reason);
	sk_buf_adds(&d, "}");
	rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
			       : sk_audit_append(db, "certificate", number, "revoke", d.buf);
	sk_buf_release(&d);
	if (rc)
		goto fail;
	return sk_db_commit(db);
fail:
	sk_db_rollback(db);
	return rc;
}

int sk_cert_foreach(struct sk_db *db, const char *status,
		    int (*cb)(void *payload, const struct sk_cert_row *row), void *payload)
{
	static const char sql[] =
		"SELECT ce.number, r.exam_number, c.family_name, c.given_name, t.code, ce.issued_at,"
		" ce.status, ce.revoked_at, ce.reason, ce.kid, ce.token"
		" FROM certificate ce JOIN registration r ON r.id = ce.registration_id"
		" JOIN candidate c ON c.id = r.candidate_id JOIN test t ON t.id = r.test_id"
		" WHERE ?1 IS NULL OR ce.status = ?1 ORDER BY ce.number";
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	if (status)
		sqlite3_bind_text(st, 1, status, -1, SQLITE_TRANSIENT);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_cert_row row;
		const char **f[] = { &row.number,    &row.exam_number, &row.family_name, &row.given_name,
				     &row.test,      &row.issued_at,   &row.status,      &row.revoked_at,
				     &row.reason,    &row.kid,         &row.token };
		for (int i = 0; i < 11; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			*f[i] = v ? v : "";
		}
		if ((rc = cb(payload, &row)))
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing certificates");
	sqlite3_reset(st);
	return rc;
}
