/*
 * Papers: forms given to seats, and each candidate's permutation of items
 * and options, all derived from the sitting key (see paper.h).
 *
 * The keyed streams, all BLAKE2b under the sitting key:
 *   "room-forms" over sitting/test/room  -> the room's slot offset and the
 *                                           shuffle of forms over slots
 *   "paper"      over the exam number    -> item order per section, then
 *                                           option order per displayed item
 *   "paper-code" over the exam number    -> the code's four digits
 */
#include "exam/paper.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/crypto.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/sitting.h"
#include "core/testdef.h"
#include "core/text.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sk_paper_release(struct sk_paper *p)
{
	for (int s = 0; s < p->nsections; s++)
		free(p->sections[s].items);
	memset(p, 0, sizeof(*p));
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", s ? s : "");
}

int sk_paper_code_parse(char out[SK_PAPER_CODE_LEN + 1], const char *input)
{
	out[0] = '\0';
	char *norm = NULL;
	if (sk_text_nfkc(&norm, input))
		return SK_EINPUT;
	char d[8];
	size_t n = 0;
	int bad = 0;
	for (const char *p = norm; *p; p++) {
		if (*p >= '0' && *p <= '9' && n < 7)
			d[n++] = *p;
		else if (*p != '-' && *p != ' ')
			bad = 1;
	}
	free(norm);
	d[n] = '\0';
	if (bad || n != 7)
		return SK_EINPUT;
	if (!sk_damm_valid(d))
		return SK_EVERIFY;
	snprintf(out, SK_PAPER_CODE_LEN + 1, "%.2s-%.4s-%c", d, d + 2, d[6]);
	return 0;
}

static void make_code(char out[SK_PAPER_CODE_LEN + 1], const unsigned char key[32],
		      const char *exam_number, int form_number)
{
	struct sk_draw d;
	sk_draw_init(&d, key, "paper-code", exam_number, strlen(exam_number));
	unsigned v = (unsigned)sk_draw_uniform(&d, 10000);
	sk_draw_done(&d);
	/* Formatted by hand: grading makes one for every paper of a sitting. */
	unsigned f = (unsigned)form_number % 100u;
	char digits[7] = { (char)('0' + f / 10), (char)('0' + f % 10), (char)('0' + v / 1000),
			   (char)('0' + v / 100 % 10), (char)('0' + v / 10 % 10), (char)('0' + v % 10), 0 };
	memcpy(out, digits, 2);
	out[2] = '-';
	memcpy(out + 3, digits + 2, 4);
	out[7] = '-';
	out[8] = (char)('0' + sk_damm_digit(digits));
	out[9] = '\0';
}

/* ---- the permutation ---- */

struct form_content {
	int64_t form_id;
	char form[32];
	int number;
	int nsections;
	struct sk_paper_section sections[8]; /* canonical order */
};

static void content_release(struct form_content *fc)
{
	for (int s = 0; s < fc->nsections; s++)
		free(fc->sections[s].items);
	memset(fc, 0, sizeof(*fc));
}

static const char sql_form_content[] =
	"SELECT s.code, s.name_ja, s.name_en, s.item_kind, fi.item_version_id, i.code, v.version,"
	" v.kind, v.noptions, v.fixed_order"
	" FROM form_item fi JOIN test_section s ON s.id = fi.section_id"
	" JOIN item_version v ON v.id = fi.item_version_id JOIN item i ON i.id = v.item_id"
	" WHERE fi.form_id = ?1 ORDER BY s.position, fi.position";

/* fixed_order is kept in option_of[0] < 0 while loading: -1 fixed, 0 free. */
static int load_content(struct sk_db *db, int64_t form_id, struct form_content *fc)
{
	memset(fc, 0, sizeof(*fc));
	fc->form_id = form_id;
	sqlite3_stmt *st = sk_db_stmt(db, sql_form_content);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, form_id);
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sec = (const char *)sqlite3_column_text(st, 0);
		struct sk_paper_section *s = fc->nsections ? &fc->sections[fc->nsections - 1] : NULL;
		if (!s || strcmp(s->code, sec)) {
			if (fc->nsections == 8) {
				rc = sk_db_fail(db, SK_ERANGE, "a form has at most 8 sections");
				break;
			}
			s = &fc->sections[fc->nsections++];
			copy_col(s->code, sizeof(s->code), st, 0);
			copy_col(s->name_ja, sizeof(s->name_ja), st, 1);
			copy_col(s->name_en, sizeof(s->name_en), st, 2);
			copy_col(s->kind, sizeof(s->kind), st, 3);
			s->items = calloc(SK_PAPER_MAX_ITEMS, sizeof(*s->items));
			if (!s->items) {
				rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
				break;
			}
		}
		if (s->nitems == SK_PAPER_MAX_ITEMS) {
			rc = sk_db_fail(db, SK_ERANGE, "a section has at most %d items", SK_PAPER_MAX_ITEMS);
			break;
		}
		struct sk_paper_item *it = &s->items[s->nitems++];
		it->item_version_id = sqlite3_column_int64(st, 4);
		copy_col(it->item, sizeof(it->item), st, 5);
		it->version = sqlite3_column_int(st, 6);
		copy_col(it->kind, sizeof(it->kind), st, 7);
		it->noptions = sqlite3_column_int(st, 8);
		it->option_of[0] = sqlite3_column_int(st, 9) ? -1 : 0;
	}
	sqlite3_reset(st);
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading a form");
	if (rc)
		content_release(fc);
	return rc;
}

/* The paper of exam_number on this form: items shuffled per section, then
 * options per displayed item. Fills p's sections (allocated). */
static int permute(const struct form_content *fc, const unsigned char key[32],
		   const char *exam_number, struct sk_paper *p)
{
	struct sk_draw d;
	sk_draw_init(&d, key, "paper", exam_number, strlen(exam_number));
	p->nsections = fc->nsections;
	for (int s = 0; s < fc->nsections; s++) {
		const struct sk_paper_section *src = &fc->sections[s];
		struct sk_paper_section *dst = &p->sections[s];
		*dst = *src;
		dst->items = malloc((size_t)(src->nitems ? src->nitems : 1) * sizeof(*dst->items));
		if (!dst->items) {
			sk_draw_done(&d);
			return SK_ENOMEM;
		}
		memcpy(dst->items, src->items, (size_t)src->nitems * sizeof(*dst->items));
		for (int i = dst->nitems; i > 1; i--) {
			int j = (int)sk_draw_uniform(&d, (uint64_t)i);
			struct sk_paper_item t = dst->items[i - 1];
			dst->items[i - 1] = dst->items[j];
			dst->items[j] = t;
		}
	}
	for (int s = 0; s < p->nsections; s++) {
		struct sk_paper_section *sec = &p->sections[s];
		for (int i = 0; i < sec->nitems; i++) {
			struct sk_paper_item *it = &sec->items[i];
			int fixed = it->option_of[0] < 0 || strcmp(it->kind, "mc");
			int n = !strcmp(it->kind, "mc") ? it->noptions : 2;
			for (int o = 0; o < SK_ITEM_MAX_OPTIONS; o++)
				it->option_of[o] = o < n ? o : -1;
			if (fixed)
				continue;
			for (int k = n; k > 1; k--) {
				int j = (int)sk_draw_uniform(&d, (uint64_t)k);
				int t = it->option_of[k - 1];
				it->option_of[k - 1] = it->option_of[j];
				it->option_of[j] = t;
			}
		}
	}
	sk_draw_done(&d);
	return 0;
}

/* The digest's input is streamed through a small buffer and formatted by
 * hand: grading rebuilds and checks every paper of a sitting, and printf
 * would be most of its time. */
struct digest_input {
	crypto_generichash_state st;
	size_t n;
	unsigned char buf[512];
};

static void dg_put(struct digest_input *d, const void *data, size_t len)
{
	if (d->n + len > sizeof(d->buf)) {
		crypto_generichash_update(&d->st, d->buf, d->n);
		d->n = 0;
	}
	if (len > sizeof(d->buf)) {
		crypto_generichash_update(&d->st, data, len);
		return;
	}
	memcpy(d->buf + d->n, data, len);
	d->n += len;
}

static void dg_str(struct digest_input *d, const char *s)
{
	dg_put(d, s, strlen(s));
}

static void dg_int(struct digest_input *d, long long v)
{
	char t[24];
	int k = (int)sizeof(t);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	do {
		t[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		t[--k] = '-';
	dg_put(d, t + k, sizeof(t) - (size_t)k);
}

/* Digest of exactly what the paper shows, in order: BLAKE2b of
 *   "shiken-paper-v1\n" sitting "\n" exam number "\n" form "\n" code "\n"
 * then per section "[code]\n" and per displayed item
 *   "<position from 1> <item version id>" " <canonical letter>"... "\n". */
static void paper_digest(struct sk_paper *p)
{
	struct digest_input d;
	d.n = 0;
	crypto_generichash_init(&d.st, NULL, 0, 32);
	dg_str(&d, "shiken-paper-v1\n");
	const char *head[] = { p->sitting, p->exam_number, p->form, p->code };
	for (int i = 0; i < 4; i++) {
		dg_str(&d, head[i]);
		dg_put(&d, "\n", 1);
	}
	for (int s = 0; s < p->nsections; s++) {
		dg_put(&d, "[", 1);
		dg_str(&d, p->sections[s].code);
		dg_put(&d, "]\n", 2);
		for (int i = 0; i < p->sections[s].nitems; i++) {
			const struct sk_paper_item *it = &p->sections[s].items[i];
			dg_int(&d, i + 1);
			dg_put(&d, " ", 1);
			dg_int(&d, (long long)it->item_version_id);
			for (int o = 0; o < SK_ITEM_MAX_OPTIONS && it->option_of[o] >= 0; o++) {
				char t[2] = { ' ', (char)('A' + it->option_of[o]) };
				dg_put(&d, t, 2);
			}
			dg_put(&d, "\n", 1);
		}
	}
	crypto_generichash_update(&d.st, d.buf, d.n);
	crypto_generichash_final(&d.st, p->digest, 32);
	sodium_memzero(&d, sizeof(d));
}

/* ---- building ---- */

struct test_plan {
	int64_t test_id;
	char test[16];
	int nforms;
	int64_t forms[64];         /* by slot */
	int numbers[64];
	struct form_content *content; /* per slot, loaded lazily */
};

static const char sql_slots[] =
	"SELECT sf.slot, f.id, f.number FROM sitting_form sf JOIN form f ON f.id = sf.form_id"
	" WHERE sf.sitting_id = ?1 AND sf.test_id = ?2 ORDER BY sf.slot";
static const char sql_live_forms[] =
	"SELECT id, number FROM form WHERE test_id = ?1 AND kind = 'live' ORDER BY number";
static const char sql_add_slot[] =
	"INSERT INTO sitting_form (sitting_id, test_id, slot, form_id) VALUES (?1, ?2, ?3, ?4)";
static const char sql_lock[] = "UPDATE form SET status = 'locked' WHERE id = ?1 AND status = 'draft'";
static const char sql_regs[] =
	"SELECT r.id, r.exam_number, r.test_id, t.code, r.room_id, rm.code, r.seat_row, r.seat_col,"
	" (SELECT 1 FROM paper p WHERE p.registration_id = r.id)"
	" FROM registration r JOIN test t ON t.id = r.test_id JOIN room rm ON rm.id = r.room_id"
	" JOIN sitting s ON s.id = r.sitting_id"
	" WHERE s.code = ?1 AND r.status = 'registered' ORDER BY r.exam_number";
static const char sql_insert_paper[] =
	"INSERT INTO paper (registration_id, form_id, code, digest, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";

struct reg_row {
	int64_t id, test_id, room_id;
	char exam_number[16], test[16], room[24];
	int row, col, has_paper;
};

/* Do any two registrations of this test sit next to each other? */
static int has_neighbours(const struct reg_row *regs, size_t n, int64_t test_id)
{
	for (size_t i = 0; i < n; i++) {
		if (regs[i].test_id != test_id)
			continue;
		for (size_t k = i + 1; k < n; k++) {
			if (regs[k].test_id != test_id || regs[k].room_id != regs[i].room_id)
				continue;
			int dr = abs(regs[k].row - regs[i].row), dc = abs(regs[k].col - regs[i].col);
			if (dr <= 1 && dc <= 1)
				return 1;
		}
	}
	return 0;
}

static int plan_test(struct sk_db *db, int64_t sitting_id, const char *sitting, const struct reg_row *regs,
		     size_t nregs, struct test_plan *tp, struct sk_report *rep, int *changed)
{
	sqlite3_stmt *st = sk_db_stmt(db, sql_slots);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, sitting_id);
	sqlite3_bind_int64(st, 2, tp->test_id);
	while (sqlite3_step(st) == SQLITE_ROW && tp->nforms < 64) {
		tp->forms[tp->nforms] = sqlite3_column_int64(st, 1);
		tp->numbers[tp->nforms++] = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (tp->nforms)
		return 0; /* fixed by an earlier build */
	if (!(st = sk_db_stmt(db, sql_live_forms)))
		return db->err;
	sqlite3_bind_int64(st, 1, tp->test_id);
	while (sqlite3_step(st) == SQLITE_ROW && tp->nforms < 64) {
		tp->forms[tp->nforms] = sqlite3_column_int64(st, 0);
		tp->numbers[tp->nforms++] = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	int need = has_neighbours(regs, nregs, tp->test_id) ? 4 : 1;
	if (tp->nforms < need) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "%d", tp->nforms);
		snprintf(b, sizeof(b), "%d", need);
		sk_report_add(rep, sitting, 0, tp->test,
			      need > 1 ? N_("has %s forms; papers need at least %s so that neighbours never share one (build them with 'shiken form build')")
				       : N_("has %s forms; papers need at least %s (build them with 'shiken form build')"),
			      a, b, NULL);
		return SK_EINPUT;
	}
	for (int k = 0; k < tp->nforms; k++) {
		if (!(st = sk_db_stmt(db, sql_add_slot)))
			return db->err;
		sqlite3_bind_int64(st, 1, sitting_id);
		sqlite3_bind_int64(st, 2, tp->test_id);
		sqlite3_bind_int(st, 3, k);
		sqlite3_bind_int64(st, 4, tp->forms[k]);
		int step = sqlite3_step(st);
		sqlite3_reset(st);
		if (step != SQLITE_DONE)
			return sk_db_sqlfail(db, "fixing a sitting's forms");
		if (!(st = sk_db_stmt(db, sql_lock)))
			return db->err;
		sqlite3_bind_int64(st, 1, tp->forms[k]);
		step = sqlite3_step(st);
		int locked = sqlite3_changes(db->sql);
		sqlite3_reset(st);
		if (step != SQLITE_DONE)
			return sk_db_sqlfail(db, "locking a form");
		if (locked) {
			char detail[96];
			snprintf(detail, sizeof(detail), "{\"sitting\":\"%s\"}", sitting);
			int rc = sk_audit_append(db, "form", "", "lock", detail);
			if (rc)
				return rc;
		}
	}
	*changed = 1;
	return 0;
}

/* The slot of a seat: neighbours (8 directions) always differ for k >= 4,
 * because their slots differ by 1, 2 or 3 (mod k). */
static int seat_slot(const unsigned char key[32], const char *sitting, const char *test,
		     const char *room, int row, int col, int k, int *perm)
{
	char input[128];
	snprintf(input, sizeof(input), "%s/%s/%s", sitting, test, room);
	struct sk_draw d;
	sk_draw_init(&d, key, "room-forms", input, strlen(input));
	int offset = (int)sk_draw_uniform(&d, (uint64_t)k);
	for (int i = 0; i < k; i++)
		perm[i] = i;
	for (int i = k; i > 1; i--) {
		int j = (int)sk_draw_uniform(&d, (uint64_t)i);
		int t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	sk_draw_done(&d);
	int slot = (2 * row + col + offset) % k;
	return perm[slot];
}

int sk_paper_build(struct sk_db *db, const char *sitting, struct sk_paper_stats *stats,
		   struct sk_report *rep)
{
	memset(stats, 0, sizeof(*stats));
	struct sk_sitting s;
	int rc = sk_sitting_get(db, sitting, &s);
	if (rc)
		return rc;
	unsigned char key[32];
	struct reg_row *regs = NULL;
	size_t nregs = 0, alloc = 0;
	struct test_plan *plans = calloc(16, sizeof(*plans));
	size_t nplans = 0;
	crypto_generichash_state all;
	crypto_generichash_init(&all, NULL, 0, 32);
	if (!plans)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	if ((rc = sk_db_begin(db)))
		goto done;
	if ((rc = sk_sitting_key(db, s.id, key)))
		goto fail;
	sqlite3_stmt *st = sk_db_stmt(db, sql_regs);
	if (!st) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_text(st, 1, sitting, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (nregs == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			struct reg_row *p = realloc(regs, alloc * sizeof(*p));
			if (!p) {
				sqlite3_reset(st);
				rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
				goto fail;
			}
			regs = p;
		}
		struct reg_row *r = &regs[nregs++];
		r->id = sqlite3_column_int64(st, 0);
		copy_col(r->exam_number, sizeof(r->exam_number), st, 1);
		r->test_id = sqlite3_column_int64(st, 2);
		copy_col(r->test, sizeof(r->test), st, 3);
		r->room_id = sqlite3_column_int64(st, 4);
		copy_col(r->room, sizeof(r->room), st, 5);
		r->row = sqlite3_column_int(st, 6);
		r->col = sqlite3_column_int(st, 7);
		r->has_paper = sqlite3_column_int(st, 8);
	}
	sqlite3_reset(st);
	stats->registrations = nregs;
	int changed = 0;
	int short_tests = 0;
	for (size_t i = 0; i < nregs; i++) {
		size_t t = 0;
		for (; t < nplans; t++)
			if (plans[t].test_id == regs[i].test_id)
				break;
		if (t < nplans)
			continue;
		if (nplans == 16) {
			rc = sk_db_fail(db, SK_ERANGE, "a sitting offers at most 16 tests");
			goto fail;
		}
		plans[t].test_id = regs[i].test_id;
		snprintf(plans[t].test, sizeof(plans[t].test), "%s", regs[i].test);
		nplans++;
		int r = plan_test(db, s.id, s.code, regs, nregs, &plans[t], rep, &changed);
		if (r == SK_EINPUT)
			short_tests++;
		else if (r) {
			rc = r;
			goto fail;
		}
	}
	if (short_tests) {
		rc = SK_EINPUT;
		goto fail;
	}
	char now[21];
	sk_db_now(db, now);
	for (size_t i = 0; i < nregs; i++) {
		struct reg_row *r = &regs[i];
		if (r->has_paper) {
			stats->unchanged++;
			continue;
		}
		struct test_plan *tp = NULL;
		for (size_t t = 0; t < nplans; t++)
			if (plans[t].test_id == r->test_id)
				tp = &plans[t];
		int perm[64];
		int slot = seat_slot(key, s.code, tp->test, r->room, r->row, r->col, tp->nforms, perm);
		if (!tp->content && !(tp->content = calloc((size_t)tp->nforms, sizeof(*tp->content)))) {
			rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
			goto fail;
		}
		struct form_content *fc = &tp->content[slot];
		if (!fc->form_id) {
			if ((rc = load_content(db, tp->forms[slot], fc)))
				goto fail;
			fc->number = tp->numbers[slot];
		}
		struct sk_paper p;
		memset(&p, 0, sizeof(p));
		snprintf(p.exam_number, sizeof(p.exam_number), "%s", r->exam_number);
		snprintf(p.sitting, sizeof(p.sitting), "%s", s.code);
		snprintf(p.test, sizeof(p.test), "%s", tp->test);
		snprintf(p.form, sizeof(p.form), "%s-F%02d", tp->test, fc->number);
		p.form_number = fc->number;
		make_code(p.code, key, r->exam_number, fc->number);
		if (permute(fc, key, r->exam_number, &p)) {
			sk_paper_release(&p);
			rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
			goto fail;
		}
		paper_digest(&p);
		crypto_generichash_update(&all, p.digest, 32);
		if (!(st = sk_db_stmt(db, sql_insert_paper))) {
			sk_paper_release(&p);
			rc = db->err;
			goto fail;
		}
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_int64(st, 2, tp->forms[slot]);
		sqlite3_bind_text(st, 3, p.code, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, p.digest, 32, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		int step = sqlite3_step(st);
		sqlite3_reset(st);
		sk_paper_release(&p);
		if (step != SQLITE_DONE) {
			rc = sk_db_sqlfail(db, "storing a paper");
			goto fail;
		}
		stats->built++;
	}
	if (stats->built) {
		unsigned char root[32];
		char hex[65], detail[200];
		crypto_generichash_final(&all, root, 32);
		sodium_bin2hex(hex, sizeof(hex), root, 32);
		snprintf(detail, sizeof(detail), "{\"papers\":%zu,\"digest\":\"%s\"}", stats->built, hex);
		if ((rc = sk_audit_append(db, "papers", s.code, "build", detail)))
			goto fail;
	}
	(void)changed;
	rc = sk_db_commit(db);
	goto done;
fail:
	sk_db_rollback(db);
done:
	sodium_memzero(key, sizeof(key));
	for (size_t t = 0; t < nplans; t++) {
		if (plans[t].content)
			for (int k = 0; k < plans[t].nforms; k++)
				content_release(&plans[t].content[k]);
		free(plans[t].content);
	}
	free(plans);
	free(regs);
	return rc;
}

static const char sql_paper_of[] =
	"SELECT p.form_id, f.number, f.code, p.code, p.digest, s.id, s.code, t.code, r.exam_number"
	" FROM paper p JOIN registration r ON r.id = p.registration_id"
	" JOIN form f ON f.id = p.form_id JOIN sitting s ON s.id = r.sitting_id"
	" JOIN test t ON t.id = r.test_id WHERE r.exam_number = ?1";

static int rebuild(struct sk_db *db, const char *exam_number, struct sk_paper *out,
		   char stored_code[SK_PAPER_CODE_LEN + 1], unsigned char stored_digest[32])
{
	memset(out, 0, sizeof(*out));
	char canon[SK_EXAMNO_LEN + 1];
	int p = sk_examno_parse(canon, exam_number, NULL, NULL);
	if (p == SK_EINPUT)
		return sk_db_fail(db, SK_EINPUT, "'%s' is not an exam number (like 0001-00042-6)", exam_number);
	if (p)
		return sk_db_fail(db, SK_EINPUT, "'%s' has a wrong check digit (mistyped?)", exam_number);
	sqlite3_stmt *st = sk_db_stmt(db, sql_paper_of);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return sk_db_fail(db, SK_ENOTFOUND, "%s has no paper yet (run 'shiken paper build')", canon);
	}
	int64_t form_id = sqlite3_column_int64(st, 0), sitting_id = sqlite3_column_int64(st, 5);
	int number = sqlite3_column_int(st, 1);
	copy_col(out->form, sizeof(out->form), st, 2);
	copy_col(stored_code, SK_PAPER_CODE_LEN + 1, st, 3);
	if (sqlite3_column_bytes(st, 4) == 32)
		memcpy(stored_digest, sqlite3_column_blob(st, 4), 32);
	copy_col(out->sitting, sizeof(out->sitting), st, 6);
	copy_col(out->test, sizeof(out->test), st, 7);
	copy_col(out->exam_number, sizeof(out->exam_number), st, 8);
	sqlite3_reset(st);
	out->form_number = number;
	unsigned char key[32];
	int rc = sk_sitting_key(db, sitting_id, key);
	if (rc)
		return rc;
	struct form_content fc;
	if ((rc = load_content(db, form_id, &fc))) {
		sodium_memzero(key, sizeof(key));
		return rc;
	}
	/* The form code printed is "TEST-Fnn" also for older forms. */
	make_code(out->code, key, out->exam_number, number);
	rc = permute(&fc, key, out->exam_number, out);
	sodium_memzero(key, sizeof(key));
	content_release(&fc);
	if (rc) {
		sk_paper_release(out);
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	}
	paper_digest(out);
	return 0;
}

int sk_paper_get(struct sk_db *db, const char *exam_number, struct sk_paper *out)
{
	char code[SK_PAPER_CODE_LEN + 1];
	unsigned char digest[32];
	return rebuild(db, exam_number, out, code, digest);
}

int sk_paper_verify(struct sk_db *db, const char *exam_number)
{
	char code[SK_PAPER_CODE_LEN + 1];
	unsigned char digest[32] = { 0 };
	struct sk_paper p;
	int rc = rebuild(db, exam_number, &p, code, digest);
	if (rc)
		return rc;
	int same = !strcmp(code, p.code) && !sodium_memcmp(digest, p.digest, 32);
	sk_paper_release(&p);
	return same ? 0 : sk_db_fail(db, SK_EVERIFY, "the paper of %s no longer matches what was printed", exam_number);
}

int sk_paper_exists(struct sk_db *db, const char *exam_number)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM paper p JOIN registration r ON r.id = p.registration_id"
				  " WHERE r.exam_number = ?1)";
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return -(db->err ? db->err : SK_EDB);
	sqlite3_bind_text(st, 1, exam_number, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	int have = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_reset(st);
	if (have < 0)
		return -sk_db_sqlfail(db, "looking for a paper");
	return have;
}

/* ---- many papers of one sitting ---- */

struct set_form {
	char code[32];
	char test[16];
	struct form_content fc; /* fc.form_id, fc.number */
};

struct sk_paper_set {
	struct sk_db *db;
	char sitting[40];
	unsigned char *key; /* sodium_malloc'd, 32 bytes */
	size_t nforms, alloc;
	struct set_form *forms;
};

static const char sql_set_forms[] =
	"SELECT f.id FROM sitting_form sf JOIN form f ON f.id = sf.form_id"
	" WHERE sf.sitting_id = ?1 ORDER BY f.id";
static const char sql_set_form[] =
	"SELECT f.code, f.number, t.code FROM form f JOIN test t ON t.id = f.test_id WHERE f.id = ?1";

static int set_load_form(struct sk_paper_set *set, int64_t form_id, struct set_form **out)
{
	struct sk_db *db = set->db;
	*out = NULL;
	if (set->nforms == set->alloc) {
		size_t alloc = set->alloc ? set->alloc * 2 : 16;
		struct set_form *p = realloc(set->forms, alloc * sizeof(*p));
		if (!p)
			return sk_db_fail(db, SK_ENOMEM, "out of memory");
		set->forms = p;
		set->alloc = alloc;
	}
	struct set_form *sf = &set->forms[set->nforms];
	memset(sf, 0, sizeof(*sf));
	sqlite3_stmt *st = sk_db_stmt(db, sql_set_form);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, form_id);
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		sqlite3_reset(st);
		return step == SQLITE_DONE ? sk_db_fail(db, SK_ENOTFOUND, "no form with id %lld", (long long)form_id)
					   : sk_db_sqlfail(db, "reading a form");
	}
	copy_col(sf->code, sizeof(sf->code), st, 0);
	int number = sqlite3_column_int(st, 1);
	copy_col(sf->test, sizeof(sf->test), st, 2);
	sqlite3_reset(st);
	int rc = load_content(db, form_id, &sf->fc);
	if (rc)
		return rc;
	sf->fc.number = number;
	set->nforms++;
	*out = sf;
	return 0;
}

void sk_paper_set_free(struct sk_paper_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nforms; i++)
		content_release(&set->forms[i].fc);
	free(set->forms);
	if (set->key)
		sodium_free(set->key); /* sodium_free wipes it */
	free(set);
}

int sk_paper_set_new(struct sk_db *db, const char *sitting, struct sk_paper_set **out)
{
	*out = NULL;
	struct sk_sitting s;
	int rc = sk_sitting_get(db, sitting, &s);
	if (rc)
		return rc;
	struct sk_paper_set *set = calloc(1, sizeof(*set));
	if (!set)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	set->db = db;
	snprintf(set->sitting, sizeof(set->sitting), "%s", s.code);
	if (!(set->key = sodium_malloc(32))) {
		free(set);
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	}
	if ((rc = sk_sitting_key(db, s.id, set->key)))
		goto fail;
	/* The forms fixed for the sitting; ids first, since loading a form
	 * uses cached statements of its own. */
	int64_t ids[256];
	size_t n = 0;
	sqlite3_stmt *st = sk_db_stmt(db, sql_set_forms);
	if (!st) {
		rc = db->err;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, s.id);
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		if (n < 256 && (n == 0 || ids[n - 1] != id))
			ids[n++] = id;
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "reading a sitting's forms");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		struct set_form *sf;
		if ((rc = set_load_form(set, ids[i], &sf)))
			goto fail;
	}
	*out = set;
	return 0;
fail:
	sk_paper_set_free(set);
	return rc;
}

int sk_paper_set_get(struct sk_paper_set *set, int64_t form_id, const char *exam_number,
		     struct sk_paper *out)
{
	memset(out, 0, sizeof(*out));
	struct set_form *sf = NULL;
	for (size_t i = 0; i < set->nforms && !sf; i++)
		if (set->forms[i].fc.form_id == form_id)
			sf = &set->forms[i];
	int rc;
	if (!sf && (rc = set_load_form(set, form_id, &sf)))
		return rc;
	snprintf(out->exam_number, sizeof(out->exam_number), "%s", exam_number);
	snprintf(out->sitting, sizeof(out->sitting), "%s", set->sitting);
	snprintf(out->test, sizeof(out->test), "%s", sf->test);
	snprintf(out->form, sizeof(out->form), "%s", sf->code);
	out->form_number = sf->fc.number;
	make_code(out->code, set->key, out->exam_number, sf->fc.number);
	if (permute(&sf->fc, set->key, out->exam_number, out)) {
		sk_paper_release(out);
		return sk_db_fail(set->db, SK_ENOMEM, "out of memory");
	}
	paper_digest(out);
	return 0;
}

int sk_paper_set_order(struct sk_paper_set *set, int64_t form_id, const char *exam_number, struct sk_paper *out)
{
	memset(out, 0, sizeof(*out));
	struct set_form *sf = NULL;
	for (size_t i = 0; i < set->nforms && !sf; i++)
		if (set->forms[i].fc.form_id == form_id)
			sf = &set->forms[i];
	int rc;
	if (!sf && (rc = set_load_form(set, form_id, &sf)))
		return rc;
	size_t n = strlen(exam_number);
	if (n >= sizeof(out->exam_number))
		return sk_db_fail(set->db, SK_EINVAL, "'%s' is not an exam number", exam_number);
	memcpy(out->exam_number, exam_number, n + 1);
	out->form_number = sf->fc.number;
	if (permute(&sf->fc, set->key, out->exam_number, out)) {
		sk_paper_release(out);
		return sk_db_fail(set->db, SK_ENOMEM, "out of memory");
	}
	return 0;
}
