/*
 * Candidate import and lookup. An import runs in three passes: every row is
 * checked on its own (each bad field reported), rows are checked against each
 * other (the same reference or passport twice in one file), and then, in one
 * transaction, against the registry (a passport held by another reference)
 * while the good rows are written with their audit records. Nothing is
 * committed when any row is bad, unless the caller asked to skip bad rows.
 */
#include "core/candidate.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"
#include "core/photo.h"
#include "core/refdata.h"
#include "core/text.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	C_REFERENCE, C_FAMILY, C_GIVEN, C_NATIVE, C_DOB, C_GENDER, C_NATIONALITY,
	C_RESIDENCE, C_REGION, C_PASSPORT, C_EMAIL, C_PHONE, C_LANGUAGE, C_MFG,
	C_INTERN, C_JLEVEL, C_ARRANGE, C_PHOTO, NCOLS
};

const struct sk_csv_col sk_candidate_columns[] = {
	{ "reference", "申込番号", SK_CSV_REQUIRED },
	{ "family_name", "姓", SK_CSV_REQUIRED },
	{ "given_name", "名", 0 },
	{ "native_name", "現地語氏名", 0 },
	{ "date_of_birth", "生年月日", SK_CSV_REQUIRED },
	{ "gender", "性別", SK_CSV_REQUIRED },
	{ "nationality", "国籍", SK_CSV_REQUIRED },
	{ "residence_country", "居住国", SK_CSV_REQUIRED },
	{ "residence_region", "居住地域", 0 },
	{ "passport_number", "旅券番号", SK_CSV_REQUIRED },
	{ "email", "メールアドレス", 0 },
	{ "phone", "電話番号", 0 },
	{ "language", "言語", 0 },
	{ "mfg_experience_months", "製造業経験月数", 0 },
	{ "former_intern", "元技能実習生", 0 },
	{ "japanese_level", "日本語能力", 0 },
	{ "arrangements", "配慮事項", 0 },
	{ "photo", "写真", 0 },
};
const size_t sk_candidate_ncolumns = NCOLS;

void sk_candidate_release(struct sk_candidate *c)
{
	free(c->reference);
	free(c->family_name);
	free(c->given_name);
	free(c->native_name);
	free(c->date_of_birth);
	free(c->gender);
	free(c->nationality);
	free(c->residence_country);
	free(c->residence_region);
	free(c->passport_masked);
	free(c->email);
	free(c->phone);
	free(c->language);
	free(c->japanese_level);
	free(c->arrangements);
	free(c->created_at);
	free(c->updated_at);
	memset(c, 0, sizeof(*c));
}

/* ---- field checks ---- */

char *sk_passport_mask(char out[32], const char *number)
{
	size_t n = strlen(number);
	size_t keep = n > 4 ? 4 : n;
	size_t stars = n - keep;
	if (stars > 27)
		stars = 27;
	memset(out, '*', stars);
	memcpy(out + stars, number + n - keep, keep);
	out[stars + keep] = '\0';
	return out;
}

int sk_passport_normalise(char out[32], const char *input)
{
	out[0] = '\0';
	char *norm = NULL;
	if (sk_text_nfkc(&norm, input))
		return SK_EINPUT;
	size_t n = 0;
	int bad = 0;
	for (const char *p = norm; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) || n >= 20) {
			bad = 1;
			break;
		}
		out[n++] = c;
	}
	free(norm);
	out[n] = '\0';
	if (bad || n < 5) {
		out[0] = '\0';
		return SK_EINPUT;
	}
	return 0;
}

int sk_passport_hash(struct sk_db *db, unsigned char out[32], const char *normalised)
{
	const unsigned char *key = sk_keys_get(db, SK_KEY_LOOKUP);
	if (!key)
		return SK_EKEYS;
	sk_keyed_hash(out, key, "passport", normalised, strlen(normalised));
	return 0;
}

/* A Latin-script name as printed in a passport's visual zone. Returns 0
 * when fine, -1 with the first offending character (as UTF-8 in bad[8]), or
 * -2 when there is no letter at all. */
static int latin_name_ok(const char *s, char bad[8])
{
	int letters = 0;
	while (*s) {
		int cp;
		size_t n = sk_utf8_decode(s, &cp);
		if (!n)
			return 0;
		int ok = (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
			 (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
			 (cp >= 0x1E00 && cp <= 0x1EFF);
		if (ok) {
			letters++;
		} else if (!(cp == ' ' || cp == '-' || cp == '\'' || cp == 0x2019 || cp == '.' ||
			     (cp >= 0x300 && cp <= 0x36F))) {
			memcpy(bad, s, n);
			bad[n] = '\0';
			return -1;
		}
		s += n;
	}
	return letters ? 0 : -2;
}

static int email_ok(const char *s)
{
	size_t n = strlen(s);
	const char *at = strchr(s, '@');
	if (n > 254 || !at || at == s || strchr(at + 1, '@') || at - s > 64)
		return 0;
	const char *dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || !dot[1] || strstr(at, ".."))
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == ',' || *p == '"' || *p == '<' || *p == '>')
			return 0;
	return 1;
}

static int phone_ok(const char *s)
{
	int digits = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '+' && p == s)
			;
		else if (!strchr(" -()", *p))
			return 0;
	}
	return digits >= 6 && digits <= 15;
}

/* Canonical case for a BCP 47 tag: "vi", "zh-Hant-TW", "fil". */
static void language_canon(char *tag)
{
	int i = 0;
	for (char *p = tag; *p; i++) {
		char *dash = strchr(p, '-');
		size_t len = dash ? (size_t)(dash - p) : strlen(p);
		for (size_t k = 0; k < len; k++) {
			char c = p[k];
			int upper = (i > 0 && len == 2) || (i > 0 && len == 4 && k == 0);
			if (upper && c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			else if (!upper && c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			p[k] = c;
		}
		p += len;
		if (*p == '-')
			p++;
	}
}

static int yes_no(const char *s)
{
	static const char *const yes[] = { "yes", "y", "true", "1", "はい", "有", "○" };
	static const char *const no[] = { "no", "n", "false", "0", "いいえ", "無", "×" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!sk_ascii_casecmp(s, yes[i]))
			return 1;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (!sk_ascii_casecmp(s, no[i]))
			return 0;
	return -1;
}

static const char *gender_code(const char *s)
{
	if (!sk_ascii_casecmp(s, "m") || !sk_ascii_casecmp(s, "male") || !strcmp(s, "男") ||
	    !strcmp(s, "男性"))
		return "M";
	if (!sk_ascii_casecmp(s, "f") || !sk_ascii_casecmp(s, "female") || !strcmp(s, "女") ||
	    !strcmp(s, "女性"))
		return "F";
	if (!sk_ascii_casecmp(s, "x"))
		return "X";
	return NULL;
}

static const char *japanese_level(const char *s)
{
	static const char *const levels[] = { "N1", "N2", "N3", "N4", "N5", "JFT-A2", "none" };
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!sk_ascii_casecmp(s, levels[i]))
			return levels[i];
	return NULL;
}

/* ---- one row ---- */

struct cand_in {
	const char *v[NCOLS];    /* raw (NFC, trimmed) values; "" when absent */
	char reference[40];
	const char *gender;
	const char *nationality, *residence;
	char dob[11];
	char passport[32];
	unsigned char passport_hash[32];
	int hashed;              /* passport_hash computed */
	unsigned char *sealed;   /* passport sealed ahead of writing; owned */
	size_t sealed_len;
	char language[72];
	int mfg_months;          /* -1 */
	int former_intern;       /* -1 */
	const char *jlevel;
	unsigned char *photo;    /* owned */
	size_t photo_len;
	struct sk_photo_info photo_info;
	long line;
	size_t record;
};

struct import_ctx {
	struct sk_db *db;
	char **known;      /* references already in the registry, sorted */
	size_t nknown;
	const struct sk_csv_doc *doc;
	struct sk_report *rep;
	int col[NCOLS];
	char *dir;
	struct sk_date today;
};

/* Values from the file are quoted through sk_import_shown(): cut short and
 * with control characters spelled out. */
#define ROW_ERR(field, fmt, a0, a1)                                                          \
	(sk_report_add(ctx->rep, ctx->doc->name, rec->line, (field), (fmt),                  \
		       sk_import_shown(shown0, (a0)), sk_import_shown(shown1, (a1)), NULL), \
	 bad++)

static int check_free_text(struct import_ctx *ctx, const struct sk_csv_record *rec, int c,
			   size_t max)
{
	const char *v = sk_csv_field(rec, ctx->col[c]);
	char limit[24];
	const char *why = sk_check_text(v, max, limit);
	if (!why)
		return 0;
	sk_report_add(ctx->rep, ctx->doc->name, rec->line, sk_candidate_columns[c].name, why,
		      limit, NULL, NULL);
	return 1;
}

static int parse_row(struct import_ctx *ctx, const struct sk_csv_record *rec, struct cand_in *in)
{
	int bad = 0;
	memset(in, 0, sizeof(*in));
	in->line = rec->line;
	in->mfg_months = -1;
	in->former_intern = -1;
	for (int c = 0; c < NCOLS; c++)
		in->v[c] = sk_csv_field(rec, ctx->col[c]);
	const char *const *v = in->v;
	char shown0[SK_SHOWN_MAX], shown1[SK_SHOWN_MAX];

	/* reference */
	size_t rl = strlen(v[C_REFERENCE]);
	if (!rl)
		ROW_ERR("reference", N_("is empty"), NULL, NULL);
	else if (rl > 32 || strspn(v[C_REFERENCE], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./") != rl)
		ROW_ERR("reference", N_("'%s' is not a reference (1-32 letters, digits, '-', '_', '.', '/')"),
			v[C_REFERENCE], NULL);
	else
		memcpy(in->reference, v[C_REFERENCE], rl + 1);

	/* names */
	char badch[8];
	int nameok;
	if (!*v[C_FAMILY])
		ROW_ERR("family_name", N_("is empty"), NULL, NULL);
	else if (sk_text_length(v[C_FAMILY]) > 60)
		ROW_ERR("family_name", N_("too long (at most %s characters)"), "60", NULL);
	else if ((nameok = latin_name_ok(v[C_FAMILY], badch)) == -2)
		ROW_ERR("family_name", N_("'%s' has no letters"), v[C_FAMILY], NULL);
	else if (nameok)
		ROW_ERR("family_name", N_("'%s' is not written in Latin letters as in the passport (character '%s')"),
			v[C_FAMILY], badch);
	if (*v[C_GIVEN]) {
		if (sk_text_length(v[C_GIVEN]) > 60)
			ROW_ERR("given_name", N_("too long (at most %s characters)"), "60", NULL);
		else if ((nameok = latin_name_ok(v[C_GIVEN], badch)) == -2)
			ROW_ERR("given_name", N_("'%s' has no letters"), v[C_GIVEN], NULL);
		else if (nameok)
			ROW_ERR("given_name", N_("'%s' is not written in Latin letters as in the passport (character '%s')"),
				v[C_GIVEN], badch);
	}
	bad += check_free_text(ctx, rec, C_NATIVE, 100);

	/* date of birth */
	struct sk_date dob, oldest = ctx->today;
	oldest.year -= 100; /* 29 February sorts between the 28th and 1 March */
	if (!*v[C_DOB])
		ROW_ERR("date_of_birth", N_("is empty"), NULL, NULL);
	else if (sk_date_parse(&dob, v[C_DOB]))
		ROW_ERR("date_of_birth", N_("'%s' is not a date (YYYY-MM-DD)"), v[C_DOB], NULL);
	else if (sk_date_cmp(&dob, &ctx->today) > 0)
		ROW_ERR("date_of_birth", N_("'%s' is in the future"), v[C_DOB], NULL);
	else if (sk_date_cmp(&dob, &oldest) < 0)
		ROW_ERR("date_of_birth", N_("'%s' is more than 100 years ago"), v[C_DOB], NULL);
	else
		sk_date_format(in->dob, &dob);

	/* gender */
	if (!*v[C_GENDER])
		ROW_ERR("gender", N_("is empty"), NULL, NULL);
	else if (!(in->gender = gender_code(v[C_GENDER])))
		ROW_ERR("gender", N_("'%s' is not M, F or X"), v[C_GENDER], NULL);

	/* countries */
	const struct sk_country *cty;
	if (!*v[C_NATIONALITY])
		ROW_ERR("nationality", N_("is empty"), NULL, NULL);
	else if (!(cty = sk_country_find(v[C_NATIONALITY])))
		ROW_ERR("nationality", N_("'%s' is not an ISO 3166-1 country code"), v[C_NATIONALITY], NULL);
	else
		in->nationality = cty->alpha2;
	if (!*v[C_RESIDENCE])
		ROW_ERR("residence_country", N_("is empty"), NULL, NULL);
	else if (!(cty = sk_country_find(v[C_RESIDENCE])))
		ROW_ERR("residence_country", N_("'%s' is not an ISO 3166-1 country code"), v[C_RESIDENCE], NULL);
	else
		in->residence = cty->alpha2;
	bad += check_free_text(ctx, rec, C_REGION, 80);

	/* passport */
	if (!*v[C_PASSPORT])
		ROW_ERR("passport_number", N_("is empty"), NULL, NULL);
	else if (sk_passport_normalise(in->passport, v[C_PASSPORT]))
		ROW_ERR("passport_number", N_("is not a passport number (5-20 letters and digits)"), NULL, NULL);

	/* contact */
	if (*v[C_EMAIL] && !email_ok(v[C_EMAIL]))
		ROW_ERR("email", N_("'%s' is not an email address"), v[C_EMAIL], NULL);
	else if (v[C_EMAIL][0] == '=' || v[C_EMAIL][0] == '+')
		/* a valid address, but exported as is it would be a formula */
		ROW_ERR("email", N_("must not start with '=', '+' or '@' (a spreadsheet would run it as a formula)"),
			NULL, NULL);
	if (*v[C_PHONE] && !phone_ok(v[C_PHONE]))
		ROW_ERR("phone", N_("'%s' is not a phone number (digits, spaces, '-', '(', ')', a leading '+')"),
			v[C_PHONE], NULL);
	if (!*v[C_EMAIL] && !*v[C_PHONE])
		ROW_ERR("email", N_("an email address or a phone number is needed to reach the candidate"),
			NULL, NULL);

	/* language */
	if (*v[C_LANGUAGE]) {
		if (strlen(v[C_LANGUAGE]) >= sizeof(in->language) || !sk_language_tag_ok(v[C_LANGUAGE]))
			ROW_ERR("language", N_("'%s' is not a BCP 47 language tag (like vi, id, fil, my, ne, ja)"),
				v[C_LANGUAGE], NULL);
		else {
			strcpy(in->language, v[C_LANGUAGE]);
			language_canon(in->language);
		}
	}

	/* background */
	if (*v[C_MFG]) {
		char *end = NULL;
		errno = 0;
		long m = strtol(v[C_MFG], &end, 10);
		if (errno || *end || end == v[C_MFG] || m < 0 || m > 600)
			ROW_ERR("mfg_experience_months", N_("'%s' is not a number of months from 0 to 600"),
				v[C_MFG], NULL);
		else
			in->mfg_months = (int)m;
	}
	if (*v[C_INTERN] && (in->former_intern = yes_no(v[C_INTERN])) < 0)
		ROW_ERR("former_intern", N_("'%s' is not yes or no"), v[C_INTERN], NULL);
	if (*v[C_JLEVEL] && !(in->jlevel = japanese_level(v[C_JLEVEL])))
		ROW_ERR("japanese_level", N_("'%s' is not N1-N5, JFT-A2 or none"), v[C_JLEVEL], NULL);
	bad += check_free_text(ctx, rec, C_ARRANGE, 500);

	/* photo */
	if (*v[C_PHOTO]) {
		char *path = sk_path_join(ctx->dir, v[C_PHOTO]);
		int prc = path ? sk_read_file(&in->photo, &in->photo_len, path, SK_PHOTO_MAX_BYTES) : SK_ENOMEM;
		if (prc == SK_ERANGE) {
			ROW_ERR("photo", N_("'%s' is larger than 2 MiB"), v[C_PHOTO], NULL);
		} else if (prc) {
			ROW_ERR("photo", N_("cannot read '%s': %s"), v[C_PHOTO],
				prc == SK_ENOMEM ? "out of memory" : strerror(errno));
		} else {
			const char *why = NULL;
			char detail[96];
			if (sk_photo_check(&in->photo_info, in->photo, in->photo_len, &why, detail)) {
				sk_report_add(ctx->rep, ctx->doc->name, rec->line, "photo", why, detail, NULL, NULL);
				bad++;
			}
		}
		free(path);
		if (bad) {
			free(in->photo);
			in->photo = NULL;
		}
	}
	return bad;
}

/* ---- comparing with the registry ---- */

static const char sql_by_passport[] = "SELECT reference FROM candidate WHERE passport_hash = ?1";
static const char sql_by_reference[] =
	"SELECT c.id, family_name, given_name, native_name, date_of_birth, gender, nationality,"
	" residence_country, residence_region, passport_hash, email, phone, language,"
	" mfg_experience_months, former_intern, japanese_level, arrangements, p.sha256"
	" FROM candidate c LEFT JOIN photo p ON p.id = c.photo_id WHERE reference = ?1";
static const char sql_insert[] =
	"INSERT INTO candidate (reference, family_name, given_name, native_name, date_of_birth,"
	" gender, nationality, residence_country, residence_region, passport_enc, passport_hash,"
	" email, phone, language, mfg_experience_months, former_intern, japanese_level,"
	" arrangements, photo_id, created_at, updated_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	" ?18, ?19, ?20, ?20)";
static const char sql_update[] =
	"UPDATE candidate SET family_name = ?2, given_name = ?3, native_name = ?4,"
	" date_of_birth = ?5, gender = ?6, nationality = ?7, residence_country = ?8,"
	" residence_region = ?9, passport_enc = coalesce(?10, passport_enc),"
	" passport_hash = ?11, email = ?12, phone = ?13, language = ?14,"
	" mfg_experience_months = ?15, former_intern = ?16, japanese_level = ?17,"
	" arrangements = ?18, photo_id = coalesce(?19, photo_id), updated_at = ?20"
	" WHERE reference = ?1";

static void bind_int_or_null(sqlite3_stmt *st, int idx, int v)
{
	if (v < 0)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int(st, idx, v);
}

/* Text column compare treating NULL and "" alike. */
static int text_differs(sqlite3_stmt *st, int col, const char *v)
{
	const char *old = (const char *)sqlite3_column_text(st, col);
	return strcmp(old ? old : "", v ? v : "") != 0;
}

static void diff_text(struct sk_buf *d, const char *name, sqlite3_stmt *st, int col, const char *v)
{
	if (!text_differs(st, col, v))
		return;
	const char *old = (const char *)sqlite3_column_text(st, col);
	sk_buf_addf(d, "%s\"%s\":[", d->len > 1 ? "," : "", name);
	sk_buf_add_json_str(d, old);
	sk_buf_addch(d, ',');
	sk_buf_add_json_str(d, v && *v ? v : NULL);
	sk_buf_addch(d, ']');
}

static void diff_int(struct sk_buf *d, const char *name, sqlite3_stmt *st, int col, int v)
{
	int was_null = sqlite3_column_type(st, col) == SQLITE_NULL;
	int old = sqlite3_column_int(st, col);
	if ((was_null && v < 0) || (!was_null && v == old))
		return;
	sk_buf_addf(d, "%s\"%s\":[", d->len > 1 ? "," : "", name);
	if (was_null)
		sk_buf_adds(d, "null");
	else
		sk_buf_addf(d, "%d", old);
	if (v < 0)
		sk_buf_adds(d, ",null]");
	else
		sk_buf_addf(d, ",%d]", v);
}

/* Bind text that outlives the statement's step, or NULL when empty. */
static void bind_opt(sqlite3_stmt *st, int idx, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

static void bind_row(sqlite3_stmt *st, const struct cand_in *in)
{
	sqlite3_bind_text(st, 1, in->reference, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->v[C_FAMILY], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->v[C_GIVEN], -1, SQLITE_STATIC);
	bind_opt(st, 4, in->v[C_NATIVE]);
	sqlite3_bind_text(st, 5, in->dob, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, in->gender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, in->nationality, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, in->residence, -1, SQLITE_STATIC);
	bind_opt(st, 9, in->v[C_REGION]);
	sqlite3_bind_blob(st, 11, in->passport_hash, 32, SQLITE_STATIC);
	bind_opt(st, 12, in->v[C_EMAIL]);
	bind_opt(st, 13, in->v[C_PHONE]);
	bind_opt(st, 14, in->language);
	bind_int_or_null(st, 15, in->mfg_months);
	bind_int_or_null(st, 16, in->former_intern);
	bind_opt(st, 17, in->jlevel);
	bind_opt(st, 18, in->v[C_ARRANGE]);
}

static void created_detail(struct sk_buf *d, const struct cand_in *in)
{
	sk_buf_adds(d, "{\"family_name\":");
	sk_buf_add_json_str(d, in->v[C_FAMILY]);
	sk_buf_adds(d, ",\"given_name\":");
	sk_buf_add_json_str(d, in->v[C_GIVEN]);
	sk_buf_adds(d, ",\"date_of_birth\":");
	sk_buf_add_json_str(d, in->dob);
	sk_buf_adds(d, ",\"nationality\":");
	sk_buf_add_json_str(d, in->nationality);
	sk_buf_adds(d, ",\"passport_number\":\"set\"");
	if (in->photo)
		sk_buf_adds(d, ",\"photo\":\"set\"");
	sk_buf_addch(d, '}');
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load the references already in the registry, so rows for new candidates
 * (most of a first import) need no lookup. Inside the import transaction. */
static int load_known(struct import_ctx *ctx)
{
	static const char sql[] = "SELECT reference FROM candidate ORDER BY reference";
	sqlite3_stmt *st = sk_db_stmt(ctx->db, sql);
	if (!st)
		return ctx->db->err;
	size_t alloc = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (ctx->nknown == alloc) {
			alloc = alloc ? alloc * 2 : 1024;
			char **p = realloc(ctx->known, alloc * sizeof(char *));
			if (!p) {
				sqlite3_reset(st);
				return sk_db_fail(ctx->db, SK_ENOMEM, "out of memory");
			}
			ctx->known = p;
		}
		if (!(ctx->known[ctx->nknown] = sk_col_text(st, 0))) {
			sqlite3_reset(st);
			return sk_db_fail(ctx->db, SK_ENOMEM, "out of memory");
		}
		ctx->nknown++;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return sk_db_sqlfail(ctx->db, "reading candidates");
	/* SQLite's text order is memcmp order, the same as strcmp for UTF-8. */
	return 0;
}

/* Is the row's passport number held by another reference? Reports it. */
static int passport_held_elsewhere(struct import_ctx *ctx, const struct cand_in *in, int *held)
{
	*held = 0;
	sqlite3_stmt *st = sk_db_stmt(ctx->db, sql_by_passport);
	if (!st)
		return ctx->db->err;
	sqlite3_bind_blob(st, 1, in->passport_hash, 32, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		const char *other = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(other, in->reference) != 0) {
			sk_report_add(ctx->rep, ctx->doc->name, in->line, "passport_number",
				      N_("already registered to candidate '%s' (possible impersonation)"),
				      other, NULL, NULL);
			*held = 1;
		}
	} else if (step != SQLITE_DONE) {
		sqlite3_reset(st);
		return sk_db_sqlfail(ctx->db, "looking up a passport number");
	}
	sqlite3_reset(st);
	return 0;
}

/* Write one checked row. *outcome: 0 unchanged, 1 added, 2 updated,
 * -1 refused (reported). */
static int write_row(struct import_ctx *ctx, struct cand_in *in, int *outcome)
{
	struct sk_db *db = ctx->db;
	struct sk_buf detail = SK_BUF_INIT;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	int rc = 0;
	char now[21];
	sk_db_now(db, now);
	*outcome = 0;

	if (!in->hashed && (rc = sk_passport_hash(db, in->passport_hash, in->passport)))
		return rc;
	sqlite3_stmt *st;
	int64_t photo_id = 0;
	int held;
	st = sk_db_stmt(db, sql_by_reference);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, in->reference, -1, SQLITE_STATIC);
	const char *key = in->reference;
	/* bsearch() may not be given NULL, even for no elements (an empty
	 * registry): UBSan stops there. */
	int known = ctx->nknown && bsearch(&key, ctx->known, ctx->nknown, sizeof(char *), cmp_str);
	int step = known ? sqlite3_step(st) : SQLITE_DONE;
	if (step == SQLITE_ROW) {
		sk_buf_addch(&detail, '{');
		diff_text(&detail, "family_name", st, 1, in->v[C_FAMILY]);
		diff_text(&detail, "given_name", st, 2, in->v[C_GIVEN]);
		diff_text(&detail, "native_name", st, 3, in->v[C_NATIVE]);
		diff_text(&detail, "date_of_birth", st, 4, in->dob);
		diff_text(&detail, "gender", st, 5, in->gender);
		diff_text(&detail, "nationality", st, 6, in->nationality);
		diff_text(&detail, "residence_country", st, 7, in->residence);
		diff_text(&detail, "residence_region", st, 8, in->v[C_REGION]);
		int passport_changed = sqlite3_column_bytes(st, 9) != 32 ||
				       memcmp(sqlite3_column_blob(st, 9), in->passport_hash, 32) != 0;
		if (passport_changed)
			sk_buf_addf(&detail, "%s\"passport_number\":\"changed\"", detail.len > 1 ? "," : "");
		diff_text(&detail, "email", st, 10, in->v[C_EMAIL]);
		diff_text(&detail, "phone", st, 11, in->v[C_PHONE]);
		diff_text(&detail, "language", st, 12, in->language);
		diff_int(&detail, "mfg_experience_months", st, 13, in->mfg_months);
		diff_int(&detail, "former_intern", st, 14, in->former_intern);
		diff_text(&detail, "japanese_level", st, 15, in->jlevel);
		diff_text(&detail, "arrangements", st, 16, in->v[C_ARRANGE]);
		int photo_changed = in->photo &&
				    (sqlite3_column_bytes(st, 17) != 32 ||
				     memcmp(sqlite3_column_blob(st, 17), in->photo_info.sha256, 32) != 0);
		if (photo_changed)
			sk_buf_addf(&detail, "%s\"photo\":\"changed\"", detail.len > 1 ? "," : "");
		sk_buf_addch(&detail, '}');
		sqlite3_reset(st);
		if (detail.len <= 2)
			goto cleanup; /* unchanged */

		if (passport_changed) {
			if ((rc = passport_held_elsewhere(ctx, in, &held)))
				goto cleanup;
			if (held) {
				*outcome = -1;
				goto cleanup;
			}
		}
		if (photo_changed &&
		    (rc = sk_photo_store(db, &photo_id, in->photo, in->photo_len, &in->photo_info)))
			goto cleanup;
		if (passport_changed) {
			char ctxs[64];
			snprintf(ctxs, sizeof(ctxs), "passport:%s", in->reference);
			if ((rc = sk_seal(db, &sealed, &sealed_len, in->passport, strlen(in->passport), ctxs)))
				goto cleanup;
		}
		st = sk_db_stmt(db, sql_update);
		if (!st) {
			rc = db->err;
			goto cleanup;
		}
		bind_row(st, in);
		if (sealed)
			sqlite3_bind_blob(st, 10, sealed, (int)sealed_len, SQLITE_STATIC);
		if (photo_id)
			sqlite3_bind_int64(st, 19, photo_id);
		sqlite3_bind_text(st, 20, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = sk_db_sqlfail(db, "updating a candidate");
			sqlite3_reset(st);
			goto cleanup;
		}
		sqlite3_reset(st);
		if ((rc = sk_audit_append(db, "candidate", in->reference, "update", detail.buf)))
			goto cleanup;
		*outcome = 2;
	} else if (step == SQLITE_DONE) {
		sqlite3_reset(st);
		/* The passport check: a query up front only when a photo would be
		 * stored first; otherwise the UNIQUE index catches it at insert. */
		if (in->photo) {
			if ((rc = passport_held_elsewhere(ctx, in, &held)))
				goto cleanup;
			if (held) {
				*outcome = -1;
				goto cleanup;
			}
		}
		if (in->photo &&
		    (rc = sk_photo_store(db, &photo_id, in->photo, in->photo_len, &in->photo_info)))
			goto cleanup;
		if (in->sealed) {
			sealed = in->sealed;
			sealed_len = in->sealed_len;
			in->sealed = NULL;
		} else {
			char ctxs[64];
			snprintf(ctxs, sizeof(ctxs), "passport:%s", in->reference);
			if ((rc = sk_seal(db, &sealed, &sealed_len, in->passport, strlen(in->passport), ctxs)))
				goto cleanup;
		}
		st = sk_db_stmt(db, sql_insert);
		if (!st) {
			rc = db->err;
			goto cleanup;
		}
		bind_row(st, in);
		sqlite3_bind_blob(st, 10, sealed, (int)sealed_len, SQLITE_STATIC);
		if (photo_id)
			sqlite3_bind_int64(st, 19, photo_id);
		sqlite3_bind_text(st, 20, now, -1, SQLITE_STATIC);
		step = sqlite3_step(st);
		sqlite3_reset(st);
		if (step == SQLITE_CONSTRAINT) {
			if ((rc = passport_held_elsewhere(ctx, in, &held)))
				goto cleanup;
			if (held) {
				*outcome = -1;
				goto cleanup;
			}
		}
		if (step != SQLITE_DONE) {
			rc = sk_db_sqlfail(db, "adding a candidate");
			goto cleanup;
		}
		created_detail(&detail, in);
		if ((rc = sk_audit_append(db, "candidate", in->reference, "create", detail.buf)))
			goto cleanup;
		*outcome = 1;
	} else {
		sqlite3_reset(st);
		rc = sk_db_sqlfail(db, "reading a candidate");
	}
cleanup:
	if (sk_buf_failed(&detail) && !rc)
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	sk_buf_release(&detail);
	free(sealed);
	return rc;
}

/* ---- duplicates within the file ---- */

/* A set of strings (references, passport numbers) remembering the row each
 * was first seen on, so duplicates are found as rows arrive. */
struct strset {
	size_t cap, count;
	const char **keys;
	size_t *rows;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int strset_init(struct strset *set, size_t expected)
{
	set->cap = 64;
	while (set->cap < expected * 2)
		set->cap *= 2;
	set->count = 0;
	set->keys = calloc(set->cap, sizeof(*set->keys));
	set->rows = calloc(set->cap, sizeof(*set->rows));
	return set->keys && set->rows ? 0 : SK_ENOMEM;
}

static void strset_release(struct strset *set)
{
	free(set->keys);
	free(set->rows);
	memset(set, 0, sizeof(*set));
}

/* The row key was first seen on, or (size_t)-1 after adding it for `row`. */
static size_t strset_add(struct strset *set, const char *key, size_t row)
{
	size_t i = (size_t)fnv1a(key) & (set->cap - 1);
	while (set->keys[i]) {
		if (!strcmp(set->keys[i], key))
			return set->rows[i];
		i = (i + 1) & (set->cap - 1);
	}
	set->keys[i] = key;
	set->rows[i] = row;
	set->count++;
	return (size_t)-1;
}

/* Is row i (checked, good) the same reference or passport as an earlier
 * good row? Reports it and returns 1. The sets are sized for every row, so
 * they never fill up. */
static int is_duplicate(struct import_ctx *ctx, struct cand_in *rows, size_t i, struct strset *refs,
			struct strset *passports)
{
	struct cand_in *in = &rows[i];
	char line[24];
	size_t first = strset_add(refs, in->reference, i);
	if (first != (size_t)-1) {
		snprintf(line, sizeof(line), "%ld", rows[first].line);
		sk_report_add(ctx->rep, ctx->doc->name, in->line, "reference",
			      N_("'%s' appears again (first on line %s)"), in->reference, line, NULL);
		return 1;
	}
	first = strset_add(passports, in->passport, i);
	if (first != (size_t)-1) {
		snprintf(line, sizeof(line), "%ld", rows[first].line);
		sk_report_add(ctx->rep, ctx->doc->name, in->line, "passport_number",
			      N_("same passport number as line %s (reference '%s'; possible impersonation)"),
			      line, rows[first].reference, NULL);
		return 1;
	}
	return 0;
}

/* ---- checking rows on the second core ---- */

/* The rows are checked by a worker thread while this one writes the rows
 * checked before them: checking (parsing, validating, reading photos,
 * hashing and sealing passport numbers) is a quarter of the work, and two
 * cores do both at once. The worker only reads shared state and writes its
 * own rows and report; `done` publishes each finished row. */
struct checker {
	struct import_ctx ctx;   /* a copy whose rep is `rep` below */
	struct sk_report rep;
	struct cand_in *rows;
	unsigned char *bad;      /* rs.bad: bad[i + 1] for row i */
	size_t nrows;
	_Atomic size_t done;
	_Atomic int failed;
};

static int reference_known(const struct import_ctx *ctx, const char *reference)
{
	const char *key = reference;
	return ctx->nknown && bsearch(&key, ctx->known, ctx->nknown, sizeof(char *), cmp_str);
}

static void *check_rows(void *arg)
{
	struct checker *c = arg;
	const struct sk_csv_doc *doc = c->ctx.doc;
	for (size_t i = 0; i < c->nrows && !atomic_load(&c->failed); i++) {
		const struct sk_csv_record *rec = &doc->records[i + 1];
		struct cand_in *in = &c->rows[i];
		in->record = i + 1;
		in->line = rec->line;
		if (sk_csv_check_width(doc, rec, &c->rep)) {
			c->bad[i + 1] = 1;
		} else if (parse_row(&c->ctx, rec, in)) {
			c->bad[i + 1] = 1;
		} else {
			in->record = i + 1;
			if (sk_passport_hash(c->ctx.db, in->passport_hash, in->passport) == 0)
				in->hashed = 1;
			/* A new candidate's passport is sealed here, off the writer's path. */
			if (!reference_known(&c->ctx, in->reference)) {
				char ctxs[64];
				snprintf(ctxs, sizeof(ctxs), "passport:%s", in->reference);
				if (sk_seal(c->ctx.db, &in->sealed, &in->sealed_len, in->passport,
					    strlen(in->passport), ctxs))
					in->sealed = NULL;
			}
		}
		if (c->rep.failed)
			atomic_store(&c->failed, 1);
		atomic_store_explicit(&c->done, i + 1, memory_order_release);
	}
	return NULL;
}

static void wait_for_row(struct checker *c, size_t i)
{
	unsigned spins = 0;
	while (atomic_load_explicit(&c->done, memory_order_acquire) <= i) {
		if (atomic_load(&c->failed))
			return;
		if (++spins < 64)
			continue;
		struct timespec ts = { 0, 20000 };
		nanosleep(&ts, NULL);
	}
}

int sk_candidate_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
			struct sk_import_stats *stats, struct sk_report *rep)
{
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct sk_rowset rs = { 0 };
	struct cand_in *rows = NULL;
	struct import_ctx ctx = { .db = db, .doc = &doc, .rep = rep };
	struct strset refs = { 0 }, passports = { 0 };
	struct checker *checker = NULL;
	pthread_t worker;
	int worker_running = 0;
	size_t nrows = 0;
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	if (!sk_keys_get(db, SK_KEY_DATA)) {
		rc = SK_EKEYS;
		goto cleanup;
	}
	sk_date_from_time(&ctx.today, sk_db_now_seconds(db));
	size_t before = rep->count;
	if ((rc = sk_csv_map(&doc, sk_candidate_columns, NCOLS, opts->ignore_unknown, ctx.col, rep)))
		goto cleanup;
	sk_import_unify_breaks(&doc);
	ctx.dir = sk_path_dirname(path);
	if (!ctx.dir || sk_rowset_init(&rs, doc.count)) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	nrows = doc.count - 1;
	stats->rows = nrows;
	rows = calloc(nrows ? nrows : 1, sizeof(*rows));
	if (!rows) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	if ((rc = load_known(&ctx))) {
		sk_db_rollback(db);
		goto cleanup;
	}
	if (strset_init(&refs, nrows) || strset_init(&passports, nrows)) {
		sk_db_rollback(db);
		rc = SK_ENOMEM;
		goto cleanup;
	}
	checker = calloc(1, sizeof(*checker));
	if (!checker) {
		sk_db_rollback(db);
		rc = SK_ENOMEM;
		goto cleanup;
	}
	checker->ctx = ctx;
	checker->ctx.rep = &checker->rep;
	checker->rows = rows;
	checker->bad = rs.bad;
	checker->nrows = nrows;
	atomic_init(&checker->done, 0);
	atomic_init(&checker->failed, 0);
	if (pthread_create(&worker, NULL, check_rows, checker) != 0) {
		/* No second thread: check here, then write. */
		check_rows(checker);
	} else {
		worker_running = 1;
	}
	for (size_t i = 0; i < nrows; i++) {
		wait_for_row(checker, i);
		if (atomic_load(&checker->failed)) {
			rc = SK_ENOMEM;
			break;
		}
		if (rs.bad[i + 1])
			continue;
		if (is_duplicate(&ctx, rows, i, &refs, &passports)) {
			rs.bad[i + 1] = 1;
			continue;
		}
		int outcome = 0;
		if ((rc = write_row(&ctx, &rows[i], &outcome)))
			break;
		if (outcome < 0)
			rs.bad[i + 1] = 1;
		else if (outcome == 1)
			stats->added++;
		else if (outcome == 2)
			stats->updated++;
		else
			stats->unchanged++;
		if (opts->progress && (i % 1024 == 0 || i + 1 == nrows))
			opts->progress(opts->progress_payload, i + 1, nrows);
	}
	if (worker_running) {
		if (rc)
			atomic_store(&checker->failed, 1);
		pthread_join(worker, NULL);
		worker_running = 0;
	}
	/* The checker's findings join the report (sorted by line below). */
	for (size_t k = 0; k < checker->rep.count; k++) {
		const struct sk_diag *dg = &checker->rep.items[k];
		sk_report_add(rep, dg->file, dg->line, dg->field, dg->fmt, dg->args[0], dg->args[1], dg->args[2]);
	}
	if (rc) {
		sk_db_rollback(db);
		goto cleanup;
	}
	sk_import_sort_report(rep, before);
	rc = sk_import_end(db, &doc, &rs, opts, rep, stats);
cleanup:
	if (checker) {
		sk_report_release(&checker->rep);
		free(checker);
	}
	strset_release(&refs);
	strset_release(&passports);
	if (rows)
		for (size_t i = 0; i < nrows; i++) {
			free(rows[i].photo);
			free(rows[i].sealed);
		}
	free(rows);
	free(ctx.dir);
	for (size_t i = 0; i < ctx.nknown; i++)
		free(ctx.known[i]);
	free(ctx.known);
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}

/* ---- reading ---- */

static const char sql_select[] =
	"SELECT id, reference, family_name, given_name, native_name, date_of_birth, gender,"
	" nationality, residence_country, residence_region, passport_enc, email, phone, language,"
	" mfg_experience_months, former_intern, japanese_level, arrangements, photo_id,"
	" created_at, updated_at FROM candidate";

static int fill(struct sk_db *db, sqlite3_stmt *st, struct sk_candidate *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->reference = sk_col_text(st, 1);
	c->family_name = sk_col_text(st, 2);
	c->given_name = sk_col_text(st, 3);
	c->native_name = sk_col_text(st, 4);
	c->date_of_birth = sk_col_text(st, 5);
	c->gender = sk_col_text(st, 6);
	c->nationality = sk_col_text(st, 7);
	c->residence_country = sk_col_text(st, 8);
	c->residence_region = sk_col_text(st, 9);
	c->email = sk_col_text(st, 11);
	c->phone = sk_col_text(st, 12);
	c->language = sk_col_text(st, 13);
	c->mfg_experience_months = sqlite3_column_type(st, 14) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 14);
	c->former_intern = sqlite3_column_type(st, 15) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 15);
	c->japanese_level = sk_col_text(st, 16);
	c->arrangements = sk_col_text(st, 17);
	c->photo_id = sqlite3_column_int64(st, 18);
	c->created_at = sk_col_text(st, 19);
	c->updated_at = sk_col_text(st, 20);

	char ctxs[64], mask[32];
	snprintf(ctxs, sizeof(ctxs), "passport:%s", c->reference ? c->reference : "");
	unsigned char *plain = NULL;
	size_t plen = 0;
	int rc = sk_unseal(db, &plain, &plen, sqlite3_column_blob(st, 10),
			   (size_t)sqlite3_column_bytes(st, 10), ctxs);
	if (rc) {
		sk_candidate_release(c);
		return rc;
	}
	c->passport_masked = strdup(sk_passport_mask(mask, (const char *)plain));
	sodium_free(plain);
	if (!c->reference || !c->passport_masked) {
		sk_candidate_release(c);
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	}
	return 0;
}

int sk_candidate_get(struct sk_db *db, const char *reference, struct sk_candidate *out)
{
	static const char sql[] =
		"SELECT id, reference, family_name, given_name, native_name, date_of_birth, gender,"
		" nationality, residence_country, residence_region, passport_enc, email, phone, language,"
		" mfg_experience_months, former_intern, japanese_level, arrangements, photo_id,"
		" created_at, updated_at FROM candidate WHERE reference = ?1";
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, reference, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = fill(db, st, out);
	else if (rc == SQLITE_DONE)
		rc = sk_db_fail(db, SK_ENOTFOUND, "no candidate with reference '%s'", reference);
	else
		rc = sk_db_sqlfail(db, "reading a candidate");
	sqlite3_reset(st);
	return rc;
}

int sk_candidate_foreach(struct sk_db *db, const struct sk_candidate_filter *f,
			 int (*cb)(void *payload, const struct sk_candidate *c), void *payload)
{
	struct sk_buf sql = SK_BUF_INIT;
	sk_buf_adds(&sql, sql_select);
	sk_buf_adds(&sql, " WHERE (?1 IS NULL OR nationality = ?1)"
			  " AND (?2 IS NULL OR instr(upper(reference), upper(?2)) OR instr(upper(family_name), upper(?2))"
			  " OR instr(upper(given_name), upper(?2)) OR instr(native_name, ?2))"
			  " ORDER BY reference LIMIT ?3");
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sk_buf_failed(&sql))
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(db->sql, sql.buf, -1, &st, NULL) != SQLITE_OK) {
		rc = sk_db_sqlfail(db, "listing candidates");
		goto cleanup;
	}
	if (f && f->nationality)
		sqlite3_bind_text(st, 1, f->nationality, -1, SQLITE_STATIC);
	if (f && f->search)
		sqlite3_bind_text(st, 2, f->search, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f && f->limit > 0 ? f->limit : -1);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_candidate c;
		if ((rc = fill(db, st, &c)))
			goto cleanup;
		rc = cb(payload, &c);
		sk_candidate_release(&c);
		if (rc)
			goto cleanup;
	}
	if (step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing candidates");
cleanup:
	sqlite3_finalize(st);
	sk_buf_release(&sql);
	return rc;
}
