/*
 * The question bank: import, export, versions, reviews. An import checks
 * every row first (fields, furigana markup with its character position,
 * options against the key, the figure), then writes in one transaction: a
 * new item, a new version of a changed item, or nothing for an unchanged one.
 */
#include "core/bank.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"
#include "core/photo.h"
#include "core/ruby.h"
#include "core/testdef.h"
#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEALED_PREFIX "sealed:"

void sk_item_release(struct sk_item *it)
{
	free(it->stem);
	for (int i = 0; i < SK_ITEM_MAX_OPTIONS; i++)
		free(it->options[i]);
	free(it->enemy_group);
	free(it->figure_name);
	free(it->explanation);
	free(it->author);
	memset(it, 0, sizeof(*it));
}

const char *sk_difficulty_band(int d)
{
	return d <= 2 ? "easy" : d == 3 ? "medium" : "hard";
}

int sk_bank_required_approvals(struct sk_db *db)
{
	char *v = sk_db_meta_get(db, "review.approvals");
	int n = v ? atoi(v) : 2;
	free(v);
	return n >= 1 && n <= 9 ? n : 2;
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

static int open_key(struct sk_db *db, const char *code, const void *sealed, size_t len, char out[4])
{
	char ctx[80];
	snprintf(ctx, sizeof(ctx), "item-key:%s", code);
	unsigned char *plain = NULL;
	size_t plen = 0;
	int rc = sk_unseal(db, &plain, &plen, sealed, len, ctx);
	if (rc)
		return rc;
	snprintf(out, 4, "%s", plen < 4 ? (const char *)plain : "?");
	sodium_free(plain);
	return 0;
}

/* ---- reading ---- */

#define ITEM_SELECT \
	"SELECT i.id, v.id, i.code, t.code, s.code, v.version, v.cell, v.kind, v.stem," \
	" v.noptions, v.key_enc, v.difficulty, v.enemy_group, v.fixed_order, v.figure_id," \
	" v.figure_name, v.public, v.explanation, v.author, v.created_at, i.retired," \
	" (SELECT count(DISTINCT r.reviewer) FROM item_review r WHERE r.item_version_id = v.id" \
	"   AND r.decision = 'approve' AND r.reviewer <> v.author)," \
	" (SELECT count(*) FROM item_review r WHERE r.item_version_id = v.id AND r.decision = 'reject')" \
	" FROM item i JOIN item_version v ON v.item_id = i.id" \
	" JOIN test t ON t.id = i.test_id JOIN test_section s ON s.id = i.section_id"

static const char sql_options[] =
	"SELECT position, text FROM item_option WHERE item_version_id = ?1 ORDER BY position";

static int fill(struct sk_db *db, sqlite3_stmt *st, int with_key, int needed, struct sk_item *it)
{
	memset(it, 0, sizeof(*it));
	it->id = sqlite3_column_int64(st, 0);
	it->version_id = sqlite3_column_int64(st, 1);
	copy_col(it->code, sizeof(it->code), st, 2);
	copy_col(it->test, sizeof(it->test), st, 3);
	copy_col(it->section, sizeof(it->section), st, 4);
	it->version = sqlite3_column_int(st, 5);
	copy_col(it->cell, sizeof(it->cell), st, 6);
	copy_col(it->kind, sizeof(it->kind), st, 7);
	it->stem = sk_col_text(st, 8);
	it->noptions = sqlite3_column_int(st, 9);
	it->difficulty = sqlite3_column_int(st, 11);
	it->enemy_group = sk_col_text(st, 12);
	it->fixed_order = sqlite3_column_int(st, 13);
	it->figure_id = sqlite3_column_int64(st, 14);
	it->figure_name = sk_col_text(st, 15);
	it->is_public = sqlite3_column_int(st, 16);
	it->explanation = sk_col_text(st, 17);
	it->author = sk_col_text(st, 18);
	copy_col(it->created_at, sizeof(it->created_at), st, 19);
	int retired = sqlite3_column_int(st, 20);
	it->approvals = sqlite3_column_int(st, 21);
	it->rejections = sqlite3_column_int(st, 22);
	snprintf(it->status, sizeof(it->status), "%s",
		 retired ? "retired"
		 : it->approvals >= needed && !it->rejections ? "approved"
		 : it->approvals || it->rejections ? "reviewed" : "draft");
	if (!it->stem || !it->author) {
		sk_item_release(it);
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	}
	if (with_key) {
		int rc = open_key(db, it->code, sqlite3_column_blob(st, 10),
				  (size_t)sqlite3_column_bytes(st, 10), it->key);
		if (rc) {
			sk_item_release(it);
			return rc;
		}
	}
	sqlite3_stmt *o = sk_db_stmt(db, sql_options);
	if (!o) {
		sk_item_release(it);
		return db->err;
	}
	sqlite3_bind_int64(o, 1, it->version_id);
	while (sqlite3_step(o) == SQLITE_ROW) {
		int pos = sqlite3_column_int(o, 0);
		if (pos >= 0 && pos < SK_ITEM_MAX_OPTIONS)
			it->options[pos] = sk_col_text(o, 1);
	}
	sqlite3_reset(o);
	return 0;
}

static int get_one(struct sk_db *db, const char *sql, int (*bind)(sqlite3_stmt *, const void *),
		   const void *arg, int with_key, struct sk_item *out, const char *what)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "reading an item");
	bind(st, arg);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = fill(db, st, with_key, sk_bank_required_approvals(db), out);
	else if (rc == SQLITE_DONE)
		rc = sk_db_fail(db, SK_ENOTFOUND, "no item %s", what);
	else
		rc = sk_db_sqlfail(db, "reading an item");
	sqlite3_finalize(st);
	return rc;
}

struct code_version {
	const char *code;
	int version;
};

static int bind_code_version(sqlite3_stmt *st, const void *arg)
{
	const struct code_version *cv = arg;
	sqlite3_bind_text(st, 1, cv->code, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, cv->version);
	return 0;
}

static int bind_id(sqlite3_stmt *st, const void *arg)
{
	sqlite3_bind_int64(st, 1, *(const int64_t *)arg);
	return 0;
}

int sk_item_get(struct sk_db *db, const char *code, int version, int with_key, struct sk_item *out)
{
	static const char sql[] = ITEM_SELECT
		" WHERE i.code = ?1 AND v.version = CASE WHEN ?2 > 0 THEN ?2 ELSE i.current_version END";
	struct code_version cv = { code, version };
	char what[96];
	if (version > 0)
		snprintf(what, sizeof(what), "'%s' version %d", code, version);
	else
		snprintf(what, sizeof(what), "'%s'", code);
	return get_one(db, sql, bind_code_version, &cv, with_key, out, what);
}

int sk_item_get_version(struct sk_db *db, int64_t version_id, int with_key, struct sk_item *out)
{
	static const char sql[] = ITEM_SELECT " WHERE v.id = ?1";
	char what[48];
	snprintf(what, sizeof(what), "version with id %lld", (long long)version_id);
	return get_one(db, sql, bind_id, &version_id, with_key, out, what);
}

int sk_item_foreach(struct sk_db *db, const struct sk_item_filter *f,
		    int (*cb)(void *payload, const struct sk_item *item), void *payload)
{
	static const char sql[] = "SELECT * FROM (" ITEM_SELECT
		" WHERE v.version = i.current_version"
		" AND (?1 IS NULL OR t.code = ?1) AND (?2 IS NULL OR s.code = ?2)"
		" AND (?3 IS NULL OR v.cell = ?3)) ORDER BY 3";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "listing items");
	if (f && f->test)
		sqlite3_bind_text(st, 1, f->test, -1, SQLITE_STATIC);
	if (f && f->section)
		sqlite3_bind_text(st, 2, f->section, -1, SQLITE_STATIC);
	if (f && f->cell)
		sqlite3_bind_text(st, 3, f->cell, -1, SQLITE_STATIC);
	int needed = sk_bank_required_approvals(db);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_item it;
		if ((rc = fill(db, st, 0, needed, &it)))
			break;
		if (!f || !f->status || !strcmp(f->status, it.status))
			rc = cb(payload, &it);
		sk_item_release(&it);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "listing items");
	sqlite3_finalize(st);
	return rc;
}

int sk_item_reviews(struct sk_db *db, int64_t version_id,
		    int (*cb)(void *payload, const struct sk_review *r), void *payload)
{
	static const char sql[] = "SELECT reviewer, decision, coalesce(comment, ''), created_at"
				  " FROM item_review WHERE item_version_id = ?1 ORDER BY id";
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, version_id);
	int rc = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct sk_review r;
		copy_col(r.reviewer, sizeof(r.reviewer), st, 0);
		copy_col(r.decision, sizeof(r.decision), st, 1);
		copy_col(r.comment, sizeof(r.comment), st, 2);
		copy_col(r.created_at, sizeof(r.created_at), st, 3);
		if ((rc = cb(payload, &r)))
			break;
	}
	sqlite3_reset(st);
	return rc;
}

/* ---- import ---- */

enum { B_ITEM, B_TEST, B_SECTION, B_CELL, B_KIND, B_STEM, B_OPT_A, B_OPT_B, B_OPT_C, B_OPT_D,
       B_OPT_E, B_KEY, B_DIFFICULTY, B_ENEMY, B_FIXED, B_FIGURE, B_PUBLIC, B_EXPLANATION,
       B_AUTHOR, NCOLS };

static const struct sk_csv_col columns[] = {
	{ "item", "問題番号", SK_CSV_REQUIRED },
	{ "test", "試験区分", SK_CSV_REQUIRED },
	{ "section", "科目", SK_CSV_REQUIRED },
	{ "cell", "出題分野", SK_CSV_REQUIRED },
	{ "kind", "形式", SK_CSV_REQUIRED },
	{ "stem", "問題文", SK_CSV_REQUIRED },
	{ "option_a", "選択肢A", 0 },
	{ "option_b", "選択肢B", 0 },
	{ "option_c", "選択肢C", 0 },
	{ "option_d", "選択肢D", 0 },
	{ "option_e", "選択肢E", 0 },
	{ "key", "正解", SK_CSV_REQUIRED },
	{ "difficulty", "難易度", SK_CSV_REQUIRED },
	{ "enemy_group", "排他グループ", 0 },
	{ "fixed_order", "選択肢固定", 0 },
	{ "figure", "図", 0 },
	{ "public", "公開", 0 },
	{ "explanation", "解説", 0 },
	{ "author", "作成者", SK_CSV_REQUIRED },
};

struct item_in {
	const char *v[NCOLS];
	long line;
	int64_t test_id, section_id;
	char key[4];
	unsigned char *sealed_key; /* as given ("sealed:…"), decoded; owned */
	size_t sealed_len;
	int noptions;
	int difficulty, fixed_order, is_public;
	unsigned char *figure;     /* owned */
	size_t figure_len;
	struct sk_photo_info figure_info;
};

struct bank_ctx {
	struct sk_db *db;
	const struct sk_csv_doc *doc;
	struct sk_report *rep;
	int col[NCOLS];
	char *dir;
	struct sk_testdef *tests; /* cache */
	size_t ntests;
};

static int code_ok(const char *s, size_t max, const char *extra)
{
	size_t n = strlen(s);
	if (n < 1 || n > max)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      strchr(extra, *p)))
			return 0;
	return 1;
}

static int yes_no(const char *s, int *out)
{
	if (!*s || !sk_ascii_casecmp(s, "no") || !strcmp(s, "0") || !sk_ascii_casecmp(s, "false")) {
		*out = 0;
		return 0;
	}
	if (!sk_ascii_casecmp(s, "yes") || !strcmp(s, "1") || !sk_ascii_casecmp(s, "true")) {
		*out = 1;
		return 0;
	}
	return -1;
}

static const struct sk_testdef *find_test(struct bank_ctx *c, const char *code)
{
	for (size_t i = 0; i < c->ntests; i++)
		if (!strcmp(c->tests[i].code, code))
			return &c->tests[i];
	struct sk_testdef t;
	if (sk_testdef_get(c->db, code, &t)) {
		sk_db_clear_error(c->db);
		return NULL;
	}
	struct sk_testdef *p = realloc(c->tests, (c->ntests + 1) * sizeof(*p));
	if (!p)
		return NULL;
	c->tests = p;
	c->tests[c->ntests] = t;
	return &c->tests[c->ntests++];
}

#define ROW_ERR(field, fmt, a0, a1, a2) \
	(sk_report_add(c->rep, c->doc->name, rec->line, (field), (fmt), (a0), (a1), (a2)), bad++)

/* Text with furigana: length limit, control characters, markup. */
static int check_rich(struct bank_ctx *c, const struct sk_csv_record *rec, const char *field,
		      const char *v, size_t max)
{
	int bad = 0;
	char limit[24];
	if (sk_text_length(v) > max) {
		snprintf(limit, sizeof(limit), "%zu", max);
		return ROW_ERR(field, N_("too long (at most %s characters)"), limit, NULL, NULL);
	}
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 && *p != '\n')
			return ROW_ERR(field, N_("contains a control character"), NULL, NULL, NULL);
	if (v[0] == '=' || v[0] == '+' || v[0] == '@')
		return ROW_ERR(field, N_("must not start with '=', '+' or '@' (a spreadsheet would run it as a formula)"),
			       NULL, NULL, NULL);
	size_t pos;
	const char *why;
	if (sk_ruby_check(v, &pos, &why)) {
		char at[24];
		snprintf(at, sizeof(at), "%zu", pos);
		ROW_ERR(field, N_("malformed furigana at character %s: %s"), at, why, NULL);
	}
	return bad;
}

static int parse_row(struct bank_ctx *c, const struct sk_csv_record *rec, struct item_in *in)
{
	int bad = 0;
	memset(in, 0, sizeof(*in));
	in->line = rec->line;
	for (int k = 0; k < NCOLS; k++)
		in->v[k] = sk_csv_field(rec, c->col[k]);
	const char *const *v = in->v;

	if (!code_ok(v[B_ITEM], 32, "-_."))
		ROW_ERR("item", N_("'%s' is not an item id (1-32 letters, digits, '-', '_', '.')"), v[B_ITEM], NULL, NULL);
	const struct sk_testdef *t = find_test(c, v[B_TEST]);
	const struct sk_section *sec = NULL;
	if (!t) {
		ROW_ERR("test", N_("no test '%s' (see 'shiken test list')"), v[B_TEST], NULL, NULL);
	} else {
		in->test_id = t->id;
		for (size_t i = 0; i < t->nsections; i++)
			if (!strcmp(t->sections[i].code, v[B_SECTION]))
				sec = &t->sections[i];
		if (!sec)
			ROW_ERR("section", N_("test '%s' has no section '%s'"), t->code, v[B_SECTION], NULL);
		else
			in->section_id = sec->id;
	}
	if (!code_ok(v[B_CELL], 32, "-_"))
		ROW_ERR("cell", N_("'%s' is not a blueprint cell code (letters, digits, '-', '_')"), v[B_CELL], NULL, NULL);
	int tf = !strcmp(v[B_KIND], "tf"), mc = !strcmp(v[B_KIND], "mc");
	if (!tf && !mc)
		ROW_ERR("kind", N_("'%s' is not tf (○×) or mc (multiple choice)"), v[B_KIND], NULL, NULL);
	else if (sec && strcmp(sec->item_kind, v[B_KIND]))
		ROW_ERR("kind", N_("section '%s' takes %s items, not %s"), sec->code, sec->item_kind, v[B_KIND]);
	if (!*v[B_STEM])
		ROW_ERR("stem", N_("is empty"), NULL, NULL, NULL);
	else
		bad += check_rich(c, rec, "stem", v[B_STEM], 2000);

	/* Options: none for tf; 3-5 without gaps for mc. */
	int last = -1, gap = 0;
	for (int o = 0; o < SK_ITEM_MAX_OPTIONS; o++) {
		const char *opt = v[B_OPT_A + o];
		if (*opt) {
			if (last != o - 1)
				gap = 1;
			last = o;
			bad += check_rich(c, rec, columns[B_OPT_A + o].name, opt, 500);
		}
	}
	in->noptions = last + 1;
	if (tf && in->noptions)
		ROW_ERR("option_a", N_("a ○× item has no options"), NULL, NULL, NULL);
	else if (mc && gap)
		ROW_ERR("option_a", N_("options must be filled from A without gaps"), NULL, NULL, NULL);
	else if (mc && in->noptions < 3)
		ROW_ERR("option_c", N_("a multiple-choice item needs 3 to 5 options"), NULL, NULL, NULL);

	/* The key, plain or sealed by an export of this registry. */
	const char *key = v[B_KEY];
	if (!strncmp(key, SEALED_PREFIX, strlen(SEALED_PREFIX))) {
		const char *b64 = key + strlen(SEALED_PREFIX);
		size_t cap = strlen(b64), got = 0;
		in->sealed_key = malloc(cap + 1);
		if (!in->sealed_key ||
		    sodium_base642bin(in->sealed_key, cap, b64, strlen(b64), NULL, &got, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    open_key(c->db, v[B_ITEM], in->sealed_key, got, in->key) != 0) {
			sk_db_clear_error(c->db);
			ROW_ERR("key", N_("the sealed key does not open with this registry's key file (was it exported from another one?)"),
				NULL, NULL, NULL);
			in->key[0] = '\0';
		}
		in->sealed_len = got;
	} else if (tf) {
		if (!strcmp(key, "O") || !strcmp(key, "o") || !strcmp(key, "○"))
			strcpy(in->key, "O");
		else if (!strcmp(key, "X") || !strcmp(key, "x") || !strcmp(key, "×"))
			strcpy(in->key, "X");
		else
			ROW_ERR("key", N_("'%s' is not O (○) or X (×)"), key, NULL, NULL);
	} else if (mc) {
		if (strlen(key) == 1 && key[0] >= 'A' && key[0] <= 'E')
			snprintf(in->key, sizeof(in->key), "%s", key);
		else
			ROW_ERR("key", N_("'%s' is not an option letter A-E"), key, NULL, NULL);
	}
	if (in->key[0] && tf && strcmp(in->key, "O") && strcmp(in->key, "X"))
		ROW_ERR("key", N_("'%s' is not O (○) or X (×)"), in->key, NULL, NULL);
	if (in->key[0] && mc && (in->key[0] < 'A' || in->key[0] - 'A' >= in->noptions)) {
		char n[8];
		snprintf(n, sizeof(n), "%c", (char)('A' + (in->noptions > 0 ? in->noptions - 1 : 0)));
		ROW_ERR("key", N_("'%s' is not one of the options (A-%s)"), in->key, n, NULL);
	}

	char *end = NULL;
	long d = strtol(v[B_DIFFICULTY], &end, 10);
	if (!*v[B_DIFFICULTY] || *end || d < 1 || d > 5)
		ROW_ERR("difficulty", N_("'%s' is not a difficulty from 1 to 5"), v[B_DIFFICULTY], NULL, NULL);
	else
		in->difficulty = (int)d;
	if (*v[B_ENEMY] && !code_ok(v[B_ENEMY], 40, "-_."))
		ROW_ERR("enemy_group", N_("'%s' is not a group name (letters, digits, '-', '_', '.')"), v[B_ENEMY], NULL, NULL);
	if (yes_no(v[B_FIXED], &in->fixed_order))
		ROW_ERR("fixed_order", N_("'%s' is not yes or no"), v[B_FIXED], NULL, NULL);
	if (yes_no(v[B_PUBLIC], &in->is_public))
		ROW_ERR("public", N_("'%s' is not yes or no"), v[B_PUBLIC], NULL, NULL);
	if (*v[B_EXPLANATION])
		bad += check_rich(c, rec, "explanation", v[B_EXPLANATION], 2000);
	char limit[24];
	const char *why;
	if (!*v[B_AUTHOR])
		ROW_ERR("author", N_("is empty"), NULL, NULL, NULL);
	else if ((why = sk_check_text(v[B_AUTHOR], 80, limit)))
		ROW_ERR("author", why, limit, NULL, NULL);

	if (*v[B_FIGURE]) {
		char *path = sk_path_join(c->dir, v[B_FIGURE]);
		int prc = path ? sk_read_file(&in->figure, &in->figure_len, path, SK_PHOTO_MAX_BYTES) : SK_ENOMEM;
		if (prc == SK_ERANGE) {
			ROW_ERR("figure", N_("'%s' is larger than 2 MiB"), v[B_FIGURE], NULL, NULL);
		} else if (prc) {
			ROW_ERR("figure", N_("cannot read '%s': %s"), v[B_FIGURE],
				prc == SK_ENOMEM ? "out of memory" : strerror(errno), NULL);
		} else {
			const char *reason = NULL;
			char detail[96];
			if (sk_photo_check(&in->figure_info, in->figure, in->figure_len, &reason, detail)) {
				ROW_ERR("figure", reason, detail, NULL, NULL);
			} else if (strcmp(in->figure_info.media_type, "image/png")) {
				ROW_ERR("figure", N_("'%s' is not a PNG image"), v[B_FIGURE], NULL, NULL);
			}
		}
		free(path);
	}
	return bad;
}

static void free_in(struct item_in *in)
{
	free(in->sealed_key);
	free(in->figure);
	in->sealed_key = NULL;
	in->figure = NULL;
}

static const char sql_item_by_code[] =
	"SELECT i.id, i.test_id, i.section_id, i.current_version, i.retired, v.id, v.cell, v.kind,"
	" v.stem, v.noptions, v.key_enc, v.difficulty, coalesce(v.enemy_group, ''), v.fixed_order,"
	" coalesce(p.sha256, x''), coalesce(v.figure_name, ''), v.public, coalesce(v.explanation, ''),"
	" v.author FROM item i JOIN item_version v ON v.item_id = i.id AND v.version = i.current_version"
	" LEFT JOIN photo p ON p.id = v.figure_id WHERE i.code = ?1";
static const char sql_insert_item[] =
	"INSERT INTO item (code, test_id, section_id, current_version, created_at)"
	" VALUES (?1, ?2, ?3, 1, ?4)";
static const char sql_insert_version[] =
	"INSERT INTO item_version (item_id, version, cell, kind, stem, noptions, key_enc, difficulty,"
	" enemy_group, fixed_order, figure_id, figure_name, public, explanation, author, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
static const char sql_insert_option[] =
	"INSERT INTO item_option (item_version_id, position, text) VALUES (?1, ?2, ?3)";
static const char sql_bump_version[] = "UPDATE item SET current_version = ?2 WHERE id = ?1";

static void bind_opt(sqlite3_stmt *st, int idx, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, idx);
}

static void diff_field(struct sk_buf *d, const char *name, const char *old, const char *now)
{
	if (!strcmp(old ? old : "", now ? now : ""))
		return;
	sk_buf_addf(d, "%s\"%s\":[", d->len > 1 ? "," : "", name);
	sk_buf_add_json_str(d, old);
	sk_buf_addch(d, ',');
	sk_buf_add_json_str(d, now);
	sk_buf_addch(d, ']');
}

/* Write one checked row. *outcome: 0 unchanged, 1 added, 2 new version, -1 refused. */
static int write_row(struct bank_ctx *c, struct item_in *in, int *outcome)
{
	struct sk_db *db = c->db;
	const char *const *v = in->v;
	struct sk_buf d = SK_BUF_INIT;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	int64_t item_id = 0, figure_id = 0;
	int version = 1, rc = 0;
	char now[21];
	sk_db_now(db, now);
	*outcome = 0;

	sqlite3_stmt *st = sk_db_stmt(db, sql_item_by_code);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, v[B_ITEM], -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		item_id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_int64(st, 1) != in->test_id || sqlite3_column_int64(st, 2) != in->section_id) {
			sqlite3_reset(st);
			sk_report_add(c->rep, c->doc->name, in->line, "item",
				      N_("item '%s' belongs to another test or section; an item never moves (retire it and add a new one)"),
				      v[B_ITEM], NULL, NULL);
			*outcome = -1;
			return 0;
		}
		if (sqlite3_column_int(st, 4)) {
			sqlite3_reset(st);
			sk_report_add(c->rep, c->doc->name, in->line, "item",
				      N_("item '%s' is retired; add a new item instead"), v[B_ITEM], NULL, NULL);
			*outcome = -1;
			return 0;
		}
		version = sqlite3_column_int(st, 3) + 1;
		char old_key[4] = "";
		if (in->sealed_key && (size_t)sqlite3_column_bytes(st, 10) == in->sealed_len &&
		    !memcmp(in->sealed_key, sqlite3_column_blob(st, 10), in->sealed_len))
			snprintf(old_key, sizeof(old_key), "%s", in->key);
		else if ((rc = open_key(db, v[B_ITEM], sqlite3_column_blob(st, 10),
					(size_t)sqlite3_column_bytes(st, 10), old_key))) {
			sqlite3_reset(st);
			return rc;
		}
		char nopt[8], diff[8], fixed[8], pub[8], old_nopt[8], old_diff[8], old_fixed[8], old_pub[8];
		snprintf(nopt, sizeof(nopt), "%d", in->noptions);
		snprintf(old_nopt, sizeof(old_nopt), "%d", sqlite3_column_int(st, 9));
		snprintf(diff, sizeof(diff), "%d", in->difficulty);
		snprintf(old_diff, sizeof(old_diff), "%d", sqlite3_column_int(st, 11));
		snprintf(fixed, sizeof(fixed), "%d", in->fixed_order);
		snprintf(old_fixed, sizeof(old_fixed), "%d", sqlite3_column_int(st, 13));
		snprintf(pub, sizeof(pub), "%d", in->is_public);
		snprintf(old_pub, sizeof(old_pub), "%d", sqlite3_column_int(st, 16));
		sk_buf_addch(&d, '{');
		diff_field(&d, "cell", (const char *)sqlite3_column_text(st, 6), v[B_CELL]);
		diff_field(&d, "kind", (const char *)sqlite3_column_text(st, 7), v[B_KIND]);
		diff_field(&d, "stem", (const char *)sqlite3_column_text(st, 8), v[B_STEM]);
		diff_field(&d, "options", old_nopt, nopt);
		if (strcmp(old_key, in->key))
			sk_buf_addf(&d, "%s\"key\":\"changed\"", d.len > 1 ? "," : "");
		diff_field(&d, "difficulty", old_diff, diff);
		diff_field(&d, "enemy_group", (const char *)sqlite3_column_text(st, 12), v[B_ENEMY]);
		diff_field(&d, "fixed_order", old_fixed, fixed);
		int fig_changed = sqlite3_column_bytes(st, 14) != (in->figure ? 32 : 0) ||
				  (in->figure && memcmp(sqlite3_column_blob(st, 14), in->figure_info.sha256, 32));
		if (fig_changed)
			sk_buf_addf(&d, "%s\"figure\":\"changed\"", d.len > 1 ? "," : "");
		else
			diff_field(&d, "figure", (const char *)sqlite3_column_text(st, 15), v[B_FIGURE]);
		diff_field(&d, "public", old_pub, pub);
		diff_field(&d, "explanation", (const char *)sqlite3_column_text(st, 17), v[B_EXPLANATION]);
		diff_field(&d, "author", (const char *)sqlite3_column_text(st, 18), v[B_AUTHOR]);
		int64_t old_version_id = sqlite3_column_int64(st, 5);
		sqlite3_reset(st);
		/* Options compared one by one. */
		if (d.len <= 1 || !strcmp(d.buf, "{")) {
			sqlite3_stmt *o = sk_db_stmt(db, sql_options);
			if (!o) {
				rc = db->err;
				goto cleanup;
			}
			sqlite3_bind_int64(o, 1, old_version_id);
			while (sqlite3_step(o) == SQLITE_ROW) {
				int pos = sqlite3_column_int(o, 0);
				if (pos < 0 || pos >= SK_ITEM_MAX_OPTIONS)
					continue;
				char name[16];
				snprintf(name, sizeof(name), "option_%c", 'a' + pos);
				diff_field(&d, name, (const char *)sqlite3_column_text(o, 1), v[B_OPT_A + pos]);
			}
			sqlite3_reset(o);
		}
		sk_buf_addch(&d, '}');
		if (!strcmp(d.buf, "{}"))
			goto cleanup; /* unchanged */
	} else if (step != SQLITE_DONE) {
		sqlite3_reset(st);
		return sk_db_sqlfail(db, "reading an item");
	} else {
		sqlite3_reset(st);
		st = sk_db_stmt(db, sql_insert_item);
		if (!st)
			return db->err;
		sqlite3_bind_text(st, 1, v[B_ITEM], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, in->test_id);
		sqlite3_bind_int64(st, 3, in->section_id);
		sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = sk_db_sqlfail(db, "adding an item");
			sqlite3_reset(st);
			goto cleanup;
		}
		sqlite3_reset(st);
		item_id = sqlite3_last_insert_rowid(db->sql);
		sk_buf_adds(&d, "{\"cell\":");
		sk_buf_add_json_str(&d, v[B_CELL]);
		sk_buf_addf(&d, ",\"kind\":\"%s\",\"difficulty\":%d,\"author\":", v[B_KIND], in->difficulty);
		sk_buf_add_json_str(&d, v[B_AUTHOR]);
		sk_buf_addch(&d, '}');
	}

	if (in->figure && (rc = sk_photo_store(db, &figure_id, in->figure, in->figure_len, &in->figure_info)))
		goto cleanup;
	if (in->sealed_key) {
		sealed = malloc(in->sealed_len);
		if (!sealed) {
			rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
			goto cleanup;
		}
		memcpy(sealed, in->sealed_key, in->sealed_len);
		sealed_len = in->sealed_len;
	} else {
		char ctx[80];
		snprintf(ctx, sizeof(ctx), "item-key:%s", v[B_ITEM]);
		if ((rc = sk_seal(db, &sealed, &sealed_len, in->key, strlen(in->key), ctx)))
			goto cleanup;
	}
	st = sk_db_stmt(db, sql_insert_version);
	if (!st) {
		rc = db->err;
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, item_id);
	sqlite3_bind_int(st, 2, version);
	sqlite3_bind_text(st, 3, v[B_CELL], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, v[B_KIND], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, v[B_STEM], -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, in->noptions);
	sqlite3_bind_blob(st, 7, sealed, (int)sealed_len, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, in->difficulty);
	bind_opt(st, 9, v[B_ENEMY]);
	sqlite3_bind_int(st, 10, in->fixed_order);
	if (figure_id)
		sqlite3_bind_int64(st, 11, figure_id);
	bind_opt(st, 12, in->figure ? v[B_FIGURE] : NULL);
	sqlite3_bind_int(st, 13, in->is_public);
	bind_opt(st, 14, v[B_EXPLANATION]);
	sqlite3_bind_text(st, 15, v[B_AUTHOR], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "adding an item version");
		sqlite3_reset(st);
		goto cleanup;
	}
	sqlite3_reset(st);
	int64_t version_id = sqlite3_last_insert_rowid(db->sql);
	for (int o = 0; o < in->noptions; o++) {
		st = sk_db_stmt(db, sql_insert_option);
		if (!st) {
			rc = db->err;
			goto cleanup;
		}
		sqlite3_bind_int64(st, 1, version_id);
		sqlite3_bind_int(st, 2, o);
		sqlite3_bind_text(st, 3, v[B_OPT_A + o], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = sk_db_sqlfail(db, "adding an option");
			sqlite3_reset(st);
			goto cleanup;
		}
		sqlite3_reset(st);
	}
	if (version > 1) {
		st = sk_db_stmt(db, sql_bump_version);
		if (!st) {
			rc = db->err;
			goto cleanup;
		}
		sqlite3_bind_int64(st, 1, item_id);
		sqlite3_bind_int(st, 2, version);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = sk_db_sqlfail(db, "versioning an item");
			sqlite3_reset(st);
			goto cleanup;
		}
		sqlite3_reset(st);
	}
	if (sk_buf_failed(&d)) {
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
		goto cleanup;
	}
	char action[24];
	snprintf(action, sizeof(action), version > 1 ? "version %d" : "create", version);
	if ((rc = sk_audit_append(db, "item", v[B_ITEM], action, d.buf)))
		goto cleanup;
	*outcome = version > 1 ? 2 : 1;
cleanup:
	sk_buf_release(&d);
	free(sealed);
	return rc;
}

int sk_bank_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		   struct sk_import_stats *stats, struct sk_report *rep)
{
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct sk_rowset rs = { 0 };
	struct item_in *rows = NULL;
	struct bank_ctx c = { .db = db, .doc = &doc, .rep = rep };
	size_t nrows = 0;
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	if (!sk_keys_get(db, SK_KEY_DATA)) {
		rc = SK_EKEYS;
		goto cleanup;
	}
	if ((rc = sk_csv_map(&doc, columns, NCOLS, opts->ignore_unknown, c.col, rep)))
		goto cleanup;
	c.dir = sk_path_dirname(path);
	nrows = doc.count - 1;
	stats->rows = nrows;
	if (!c.dir || sk_rowset_init(&rs, doc.count) || !(rows = calloc(nrows ? nrows : 1, sizeof(*rows)))) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < nrows; i++) {
		const struct sk_csv_record *rec = &doc.records[i + 1];
		if (sk_csv_check_width(&doc, rec, rep) || parse_row(&c, rec, &rows[i]))
			rs.bad[i + 1] = 1;
		rows[i].line = rec->line;
		/* The same item twice in one file. */
		for (size_t k = 0; k < i && !rs.bad[i + 1]; k++) {
			if (!rs.bad[k + 1] && !strcmp(rows[k].v[B_ITEM], rows[i].v[B_ITEM])) {
				char first[24];
				snprintf(first, sizeof(first), "%ld", rows[k].line);
				sk_report_add(rep, doc.name, rec->line, "item",
					      N_("'%s' appears again (first on line %s)"), rows[i].v[B_ITEM], first, NULL);
				rs.bad[i + 1] = 1;
			}
		}
	}
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	for (size_t i = 0; i < nrows; i++) {
		if (rs.bad[i + 1])
			continue;
		int outcome = 0;
		if ((rc = write_row(&c, &rows[i], &outcome))) {
			sk_db_rollback(db);
			goto cleanup;
		}
		if (outcome < 0)
			rs.bad[i + 1] = 1;
		else if (outcome == 1)
			stats->added++;
		else if (outcome == 2)
			stats->updated++;
		else
			stats->unchanged++;
	}
	rc = sk_import_end(db, &doc, &rs, opts, rep, stats);
cleanup:
	if (rows)
		for (size_t i = 0; i < nrows; i++)
			free_in(&rows[i]);
	free(rows);
	free(c.dir);
	free(c.tests);
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}

/* ---- export ---- */

struct export_state {
	struct sk_db *db;
	struct sk_buf csv;
	const char *dir;
	int rc;
};

static int mkdirs_for(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

static int export_row(void *payload, const struct sk_item *it)
{
	struct export_state *es = payload;
	static const char sql_key[] = "SELECT key_enc FROM item_version WHERE id = ?1";
	sqlite3_stmt *st = sk_db_stmt(es->db, sql_key);
	if (!st)
		return es->db->err;
	sqlite3_bind_int64(st, 1, it->version_id);
	char *b64 = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
		b64 = malloc(strlen(SEALED_PREFIX) + cap);
		if (b64) {
			strcpy(b64, SEALED_PREFIX);
			sodium_bin2base64(b64 + strlen(SEALED_PREFIX), cap, sqlite3_column_blob(st, 0), n,
					  sodium_base64_VARIANT_ORIGINAL);
		}
	}
	sqlite3_reset(st);
	if (!b64)
		return sk_db_fail(es->db, SK_ENOMEM, "out of memory");
	if (it->figure_id && it->figure_name) {
		unsigned char *data = NULL;
		size_t len = 0;
		const char *type = NULL;
		char *path = sk_path_join(es->dir, it->figure_name);
		int rc = path ? sk_photo_load(es->db, it->figure_id, &data, &len, &type) : SK_ENOMEM;
		if (!rc) {
			FILE *f = mkdirs_for(path) ? NULL : fopen(path, "wb");
			if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
				rc = sk_db_fail(es->db, SK_EIO, "cannot write '%s': %s", path, strerror(errno));
		}
		free(data);
		free(path);
		if (rc) {
			free(b64);
			return rc;
		}
	}
	char diff[8];
	snprintf(diff, sizeof(diff), "%d", it->difficulty);
	const char *row[NCOLS] = {
		it->code, it->test, it->section, it->cell, it->kind, it->stem,
		it->options[0], it->options[1], it->options[2], it->options[3], it->options[4],
		b64, diff, it->enemy_group, it->fixed_order ? "yes" : "", it->figure_name,
		it->is_public ? "yes" : "", it->explanation, it->author,
	};
	sk_csv_put_row(&es->csv, row, NCOLS);
	free(b64);
	return 0;
}

int sk_bank_export(struct sk_db *db, const char *test, const char *csv_path)
{
	struct export_state es = { .db = db, .csv = SK_BUF_INIT };
	char *dir = sk_path_dirname(csv_path);
	if (!dir)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	es.dir = dir;
	const char *header[NCOLS];
	for (int i = 0; i < NCOLS; i++)
		header[i] = columns[i].name;
	sk_csv_put_row(&es.csv, header, NCOLS);
	struct sk_item_filter f = { .test = test };
	int rc = sk_item_foreach(db, &f, export_row, &es);
	if (!rc && sk_buf_failed(&es.csv))
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	if (!rc) {
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s.tmp%ld", csv_path, (long)getpid());
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int ok = fd >= 0 && write(fd, es.csv.buf, es.csv.len) == (ssize_t)es.csv.len && fsync(fd) == 0;
		if (fd >= 0 && close(fd) != 0)
			ok = 0;
		if (!ok || rename(tmp, csv_path) != 0) {
			rc = sk_db_fail(db, SK_EIO, "cannot write '%s': %s", csv_path, strerror(errno));
			unlink(tmp);
		}
	}
	sk_buf_release(&es.csv);
	free(dir);
	return rc;
}

/* ---- reviews ---- */

static const char sql_review_target[] =
	"SELECT v.id, v.author, i.retired, v.version FROM item i JOIN item_version v"
	" ON v.item_id = i.id AND v.version = i.current_version WHERE i.code = ?1";
static const char sql_review_existing[] =
	"SELECT decision, coalesce(comment, '') FROM item_review WHERE item_version_id = ?1 AND reviewer = ?2";
static const char sql_review_insert[] =
	"INSERT INTO item_review (item_version_id, reviewer, decision, comment, created_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT (item_version_id, reviewer) DO UPDATE SET decision = excluded.decision,"
	" comment = excluded.comment, created_at = excluded.created_at";

/* Inside a transaction. Refusals return SK_ECONFLICT with detail on db. */
static int review_in_tx(struct sk_db *db, const char *code, const char *reviewer,
			const char *decision, const char *comment, int *outcome, const char **why)
{
	*outcome = 0;
	*why = NULL;
	if (strcmp(decision, "approve") && strcmp(decision, "reject"))
		return sk_db_fail(db, SK_EINPUT, "'%s' is not approve or reject", decision);
	sqlite3_stmt *st = sk_db_stmt(db, sql_review_target);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		*why = N_("no item '%s'");
		return sk_db_fail(db, SK_ENOTFOUND, "no item '%s'", code);
	}
	int64_t vid = sqlite3_column_int64(st, 0);
	char author[128];
	copy_col(author, sizeof(author), st, 1);
	int retired = sqlite3_column_int(st, 2), version = sqlite3_column_int(st, 3);
	sqlite3_reset(st);
	if (retired) {
		*why = N_("item '%s' is retired");
		return sk_db_fail(db, SK_ECONFLICT, "item '%s' is retired", code);
	}
	if (!strcmp(author, reviewer)) {
		*why = N_("item '%s' was written by this reviewer, who cannot review it");
		return sk_db_fail(db, SK_ECONFLICT, "'%s' wrote item '%s' and cannot review it", reviewer, code);
	}
	st = sk_db_stmt(db, sql_review_existing);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, vid);
	sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_STATIC);
	int existed = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		existed = 1;
		int same = !strcmp((const char *)sqlite3_column_text(st, 0), decision) &&
			   !strcmp((const char *)sqlite3_column_text(st, 1), comment ? comment : "");
		sqlite3_reset(st);
		if (same)
			return 0;
	} else {
		sqlite3_reset(st);
	}
	char now[21];
	sk_db_now(db, now);
	st = sk_db_stmt(db, sql_review_insert);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, vid);
	sqlite3_bind_text(st, 2, reviewer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, decision, -1, SQLITE_STATIC);
	bind_opt(st, 4, comment);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_sqlfail(db, "recording a review");
	sqlite3_reset(st);
	if (rc)
		return rc;
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_addf(&d, "{\"version\":%d,\"reviewer\":", version);
	sk_buf_add_json_str(&d, reviewer);
	sk_buf_addf(&d, ",\"decision\":\"%s\",\"comment\":", decision);
	sk_buf_add_json_str(&d, comment && *comment ? comment : NULL);
	sk_buf_addch(&d, '}');
	rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
			       : sk_audit_append(db, "item", code, "review", d.buf);
	sk_buf_release(&d);
	if (!rc)
		*outcome = existed ? 2 : 1;
	return rc;
}

int sk_item_review(struct sk_db *db, const char *code, const char *reviewer, const char *decision,
		   const char *comment, int *outcome)
{
	*outcome = 0;
	char limit[24];
	if (!reviewer || !*reviewer || sk_check_text(reviewer, 80, limit))
		return sk_db_fail(db, SK_EINPUT, "give the reviewer's name (at most 80 characters)");
	if (comment && sk_check_text(comment, 1000, limit))
		return sk_db_fail(db, SK_EINPUT, "the comment is too long or has control characters");
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	const char *why;
	if ((rc = review_in_tx(db, code, reviewer, decision, comment, outcome, &why))) {
		sk_db_rollback(db);
		return rc;
	}
	return sk_db_commit(db);
}

int sk_review_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		     struct sk_import_stats *stats, struct sk_report *rep)
{
	static const struct sk_csv_col rcols[] = {
		{ "item", "問題番号", SK_CSV_REQUIRED },
		{ "reviewer", "審査者", SK_CSV_REQUIRED },
		{ "decision", "判定", SK_CSV_REQUIRED },
		{ "comment", "コメント", 0 },
	};
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct sk_rowset rs = { 0 };
	int col[4];
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	if ((rc = sk_csv_map(&doc, rcols, 4, opts->ignore_unknown, col, rep)))
		goto cleanup;
	if (sk_rowset_init(&rs, doc.count)) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	stats->rows = doc.count - 1;
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	for (size_t i = 1; i < doc.count; i++) {
		const struct sk_csv_record *rec = &doc.records[i];
		if (sk_csv_check_width(&doc, rec, rep)) {
			rs.bad[i] = 1;
			continue;
		}
		const char *item = sk_csv_field(rec, col[0]), *who = sk_csv_field(rec, col[1]);
		const char *decision = sk_csv_field(rec, col[2]), *comment = sk_csv_field(rec, col[3]);
		char limit[24];
		const char *why;
		if (!*who || (why = sk_check_text(who, 80, limit))) {
			sk_report_add(rep, doc.name, rec->line, "reviewer", *who ? why : N_("is empty"), limit, NULL, NULL);
			rs.bad[i] = 1;
			continue;
		}
		if (strcmp(decision, "approve") && strcmp(decision, "reject")) {
			sk_report_add(rep, doc.name, rec->line, "decision", N_("'%s' is not approve or reject"),
				      decision, NULL, NULL);
			rs.bad[i] = 1;
			continue;
		}
		if ((why = sk_check_text(comment, 1000, limit))) {
			sk_report_add(rep, doc.name, rec->line, "comment", why, limit, NULL, NULL);
			rs.bad[i] = 1;
			continue;
		}
		int outcome = 0;
		const char *refusal = NULL;
		int r = review_in_tx(db, item, who, decision, comment, &outcome, &refusal);
		if (refusal) {
			sk_report_add(rep, doc.name, rec->line, r == SK_ENOTFOUND ? "item" : "reviewer", refusal,
				      item, NULL, NULL);
			sk_db_clear_error(db);
			rs.bad[i] = 1;
			continue;
		}
		if (r) {
			rc = r;
			sk_db_rollback(db);
			goto cleanup;
		}
		if (outcome == 1)
			stats->added++;
		else if (outcome == 2)
			stats->updated++;
		else
			stats->unchanged++;
	}
	rc = sk_import_end(db, &doc, &rs, opts, rep, stats);
cleanup:
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}

int sk_item_retire(struct sk_db *db, const char *code, const char *reason)
{
	static const char sql[] = "UPDATE item SET retired = 1 WHERE code = ?1 AND retired = 0";
	struct sk_item it;
	int rc = sk_item_get(db, code, 0, 0, &it);
	if (rc)
		return rc;
	int retired = !strcmp(it.status, "retired");
	sk_item_release(&it);
	if (retired)
		return sk_db_fail(db, SK_ECONFLICT, "item '%s' is already retired", code);
	if ((rc = sk_db_begin(db)))
		return rc;
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "retiring an item");
		sqlite3_reset(st);
		goto fail;
	}
	sqlite3_reset(st);
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_adds(&d, "{\"reason\":");
	sk_buf_add_json_str(&d, reason ? reason : "");
	sk_buf_addch(&d, '}');
	rc = sk_buf_failed(&d) ? sk_db_fail(db, SK_ENOMEM, "out of memory")
			       : sk_audit_append(db, "item", code, "retire", d.buf);
	sk_buf_release(&d);
	if (rc)
		goto fail;
	return sk_db_commit(db);
fail:
	sk_db_rollback(db);
	return rc;
}
