/*
 * Responses: answer-sheet marks from an OMR service's CSV and examiners'
 * section scores, checked row by row and stored with their audit records
 * (see response.h).
 *
 * Checking a mark needs what the candidate saw at that printed position:
 * its section's kind (○× or multiple choice) and, for multiple choice, how
 * many options it has. Items are shuffled within sections, so in general
 * that is a property of the candidate's own paper, which sk_paper_get()
 * rebuilds in about 0.1 ms -- 10 s for 100,000 sheets. But a paper keeps its
 * form's sections in order with their item counts, and when every
 * multiple-choice item of a section has as many options as the others the
 * shuffle changes nothing a mark can be checked against. So each form is
 * read once into a profile (sections, kinds, the fewest and most options in
 * each), and a paper is rebuilt only for a row that marks a letter some
 * items of its section lack -- rare, and always exact.
 */
#include "exam/response.h"
#include "core/audit.h"
#include "core/buf.h"
#include "core/csv.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/text.h"
#include "exam/paper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- marks ---------------------------------------------------------- */

enum { TOK_BAD = -1, TOK_SPACE = -2, TOK_SLASH = -3, TOK_STAR = -4 };
enum { KIND_MC = 1, KIND_TF = 2 };

/* One character of a mark: its bit (0-4) and whether it is a letter A-E
 * (KIND_MC) or ○/× (KIND_TF); or a separator, '*', or nothing we know. */
static int mark_token(int cp, int *kind)
{
	*kind = 0;
	if (cp >= 0xFF21 && cp <= 0xFF3A) /* full-width A-Z */
		cp = 'A' + (cp - 0xFF21);
	else if (cp >= 0xFF41 && cp <= 0xFF5A) /* full-width a-z */
		cp = 'a' + (cp - 0xFF41);
	if (cp >= 'a' && cp <= 'z')
		cp -= 'a' - 'A';
	if (cp >= 'A' && cp <= 'E') {
		*kind = KIND_MC;
		return cp - 'A';
	}
	switch (cp) {
	case 'O':
	case 0x25CB: /* ○ */
	case 0x25EF: /* ◯ */
	case 0x3007: /* 〇 */
		*kind = KIND_TF;
		return 0;
	case 'X':
	case 0x00D7: /* × */
	case 0x2715: /* ✕ */
		*kind = KIND_TF;
		return 1;
	case '*':
	case 0xFF0A: /* ＊ */
		return TOK_STAR;
	case ' ':
	case '\t':
	case 0x3000: /* ideographic space */
		return TOK_SPACE;
	case '/':
	case 0xFF0F: /* ／ */
		return TOK_SLASH;
	default:
		return TOK_BAD;
	}
}

int sk_mark_parse(const char *text, int tf, int noptions, unsigned char *mark, const char **why)
{
	*mark = SK_MARK_BLANK;
	*why = NULL;
	if (noptions < 2 || noptions > 5 || tf)
		noptions = tf ? 2 : (noptions < 2 ? 2 : 5);
	unsigned seen = 0;
	int marks = 0, star = 0, twice = 0, foreign = 0, bad = 0, slash_open = 0;
	const char *p = text;
	while (*p) {
		int cp, kind;
		size_t n = sk_utf8_decode(p, &cp);
		if (!n) {
			bad = 1;
			break;
		}
		p += n;
		int t = mark_token(cp, &kind);
		if (t == TOK_SPACE)
			continue;
		if (t == TOK_BAD) {
			bad = 1;
			continue;
		}
		if (t == TOK_SLASH) {
			/* only between two marks */
			if (!marks && !star)
				bad = 1;
			slash_open = 1;
			continue;
		}
		slash_open = 0;
		if (t == TOK_STAR) {
			star++;
			continue;
		}
		marks++;
		if (seen & (1u << t))
			twice = 1;
		seen |= 1u << t;
		if ((kind == KIND_TF) != !!tf || t >= noptions)
			foreign = 1;
	}
	if (slash_open)
		bad = 1;
	if (bad) {
		*why = N_("'%s' is not a mark (this question takes %s, several like AC, * or nothing)");
		return SK_EINPUT;
	}
	if (star && (marks || star > 1)) {
		*why = N_("'%s' mixes '*' (marks that could not be told apart) with other marks");
		return SK_EINPUT;
	}
	if (foreign) {
		*why = N_("'%s' is not an answer to this question (it takes %s)");
		return SK_EINPUT;
	}
	if (twice) {
		*why = N_("'%s' names the same answer twice");
		return SK_EINPUT;
	}
	*mark = star ? SK_MARK_UNCLEAR : (unsigned char)seen;
	return 0;
}

const char *sk_mark_format(unsigned char mark, int tf, char out[16])
{
	size_t n = 0;
	out[0] = '\0';
	if (mark & SK_MARK_UNCLEAR)
		out[n++] = '*';
	for (int b = 0; b < 5; b++) {
		if (!(mark & (1u << b)))
			continue;
		const char *s = NULL;
		if (tf && b == 0)
			s = "\xE2\x97\x8B"; /* ○ */
		else if (tf && b == 1)
			s = "\xC3\x97"; /* × */
		if (s) {
			memcpy(out + n, s, strlen(s));
			n += strlen(s);
		} else {
			out[n++] = (char)('A' + b);
		}
	}
	out[n] = '\0';
	return out;
}

/* What a question takes, for messages: "O/X", "A-D" (the same in every language). */
static const char *takes(int tf, int noptions, char out[8])
{
	if (tf)
		snprintf(out, 8, "O/X");
	else
		snprintf(out, 8, "A-%c", 'A' + (noptions < 2 ? 1 : noptions > 5 ? 4 : noptions - 1));
	return out;
}

/* ---- papers as far as marks need them --------------------------------- */

/* A form's answer-sheet layout: its sections in printed order, and for each
 * the fewest and most options its items have (2 for ○×). */
struct section_profile {
	int first, count; /* positions first .. first + count - 1 */
	int tf;
	int min_opts, max_opts;
};

struct form_profile {
	int64_t form_id;
	int npositions;
	int nsections;
	struct section_profile sec[8];
};

struct profiles {
	struct form_profile *v;
	size_t n, alloc;
};

static const char sql_form_profile[] =
	"SELECT s.id, v.kind, v.noptions FROM form_item fi JOIN test_section s ON s.id = fi.section_id"
	" JOIN item_version v ON v.id = fi.item_version_id WHERE fi.form_id = ?1 ORDER BY s.position, fi.position";

static int load_profile(struct sk_db *db, int64_t form_id, struct form_profile *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->form_id = form_id;
	sqlite3_stmt *st = sk_db_stmt(db, sql_form_profile);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, form_id);
	int64_t section = 0;
	int rc = 0, step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t sid = sqlite3_column_int64(st, 0);
		int tf = strcmp((const char *)sqlite3_column_text(st, 1), "mc") != 0;
		int nopt = tf ? 2 : sqlite3_column_int(st, 2);
		if (!fp->nsections || sid != section) {
			if (fp->nsections == 8) {
				rc = sk_db_fail(db, SK_ERANGE, "a form has at most 8 sections");
				break;
			}
			section = sid;
			fp->nsections++;
			fp->sec[fp->nsections - 1].first = fp->npositions;
			fp->sec[fp->nsections - 1].tf = tf;
			fp->sec[fp->nsections - 1].min_opts = nopt;
			fp->sec[fp->nsections - 1].max_opts = nopt;
		}
		struct section_profile *s = &fp->sec[fp->nsections - 1];
		s->count++;
		if (nopt < s->min_opts)
			s->min_opts = nopt;
		if (nopt > s->max_opts)
			s->max_opts = nopt;
		fp->npositions++;
	}
	sqlite3_reset(st);
	if (!rc && step != SQLITE_DONE)
		rc = sk_db_sqlfail(db, "reading a form");
	return rc;
}

static int profile_of(struct sk_db *db, struct profiles *ps, int64_t form_id, const struct form_profile **out)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].form_id == form_id) {
			*out = &ps->v[i];
			return 0;
		}
	if (ps->n == ps->alloc) {
		size_t alloc = ps->alloc ? ps->alloc * 2 : 16;
		struct form_profile *v = realloc(ps->v, alloc * sizeof(*v));
		if (!v)
			return sk_db_fail(db, SK_ENOMEM, "out of memory");
		ps->v = v;
		ps->alloc = alloc;
	}
	int rc = load_profile(db, form_id, &ps->v[ps->n]);
	if (rc)
		return rc;
	*out = &ps->v[ps->n++];
	return 0;
}

/* Position p's section in the profile. */
static int section_at(const struct form_profile *fp, int p)
{
	int s = 0;
	while (s + 1 < fp->nsections && p >= fp->sec[s + 1].first)
		s++;
	return s;
}

/* Per printed position: ○× or not, and the options, from the rebuilt paper. */
static int exact_options(struct sk_db *db, const char *exam_number, int npositions, unsigned char *tf,
			 unsigned char *nopts)
{
	struct sk_paper p;
	int rc = sk_paper_get(db, exam_number, &p);
	if (rc)
		return rc;
	int k = 0;
	for (int s = 0; s < p.nsections; s++)
		for (int i = 0; i < p.sections[s].nitems && k < npositions; i++, k++) {
			const struct sk_paper_item *it = &p.sections[s].items[i];
			tf[k] = strcmp(it->kind, "mc") != 0;
			nopts[k] = (unsigned char)(tf[k] ? 2 : it->noptions);
		}
	sk_paper_release(&p);
	if (k != npositions)
		return sk_db_fail(db, SK_EVERIFY, "the paper of %s does not match its form", exam_number);
	return 0;
}

/* "○ × - AC *": marks as the audit log and messages show them. */
static void marks_text(struct sk_buf *b, const unsigned char *marks, size_t n, const struct form_profile *fp)
{
	for (size_t k = 0; k < n; k++) {
		char m[16];
		int tf = fp ? fp->sec[section_at(fp, (int)k)].tf : 0;
		if (k)
			sk_buf_addch(b, ' ');
		sk_buf_adds(b, marks[k] ? sk_mark_format(marks[k], tf, m) : "-");
	}
}

/* ---- shared row checks ------------------------------------------------ */

struct reg_hit {
	int64_t id;
	char exam_number[SK_EXAMNO_LEN + 1];
};

/* Parse an exam number field; reports and returns non-zero when bad. */
static int parse_examno(struct sk_report *rep, const char *file, long line, const char *value,
			char out[SK_EXAMNO_LEN + 1])
{
	char shown[SK_SHOWN_MAX];
	if (!*value) {
		sk_report_add(rep, file, line, "exam_number", N_("is empty"), NULL, NULL, NULL);
		return 1;
	}
	int p = sk_examno_parse(out, value, NULL, NULL);
	if (p == SK_EINPUT)
		sk_report_add(rep, file, line, "exam_number", N_("'%s' is not an exam number (like 0001-00042-6)"),
			      sk_import_shown(shown, value), NULL, NULL);
	else if (p)
		sk_report_add(rep, file, line, "exam_number", N_("'%s' has a wrong check digit (mistyped?)"),
			      sk_import_shown(shown, value), NULL, NULL);
	return p != 0;
}

struct keyed_row {
	const char *key; /* exam number, or exam number + section */
	size_t record;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed_row *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->record < y->record ? -1 : x->record > y->record;
}

/* ---- answer sheets ---------------------------------------------------- */

enum { R_EXAMNO, R_PAPER, RCOLS };
static const struct sk_csv_col response_columns[] = {
	{ "exam_number", "受験番号", SK_CSV_REQUIRED },
	{ "paper_code", "用紙コード", SK_CSV_REQUIRED },
};

/* Header width without trailing unnamed cells (as core/csv.c counts it). */
static size_t header_width(const struct sk_csv_record *h)
{
	size_t n = h->nfields;
	while (n > 0 && !h->fields[n - 1][0])
		n--;
	return n;
}

/* The position a header names: "12", "q12", "Q12", "問12" (digits ASCII or
 * full-width); 0 when it names none, -1 when it is a position out of range. */
static int position_of(const char *name)
{
	const char *p = name;
	if (*p == 'q' || *p == 'Q')
		p++;
	else if (!strncmp(p, "\xE5\x95\x8F", 3)) /* 問 */
		p += 3;
	long v = 0;
	int digits = 0;
	while (*p) {
		int d;
		if (*p >= '0' && *p <= '9') {
			d = *p - '0';
			p++;
		} else if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBC &&
			   (unsigned char)p[2] >= 0x90 && (unsigned char)p[2] <= 0x99) { /* ０-９ */
			d = (unsigned char)p[2] - 0x90;
			p += 3;
		} else {
			return 0;
		}
		if (v < 100000)
			v = v * 10 + d;
		digits++;
	}
	if (!digits)
		return 0;
	return v >= 1 && v <= SK_MARK_MAX_POSITIONS ? (int)v : -1;
}

struct sheet_header {
	int col[RCOLS];
	int npos;                            /* positions 1..npos have columns */
	int pos_col[SK_MARK_MAX_POSITIONS];  /* field index of position k+1 */
};

static int map_sheet_header(const struct sk_csv_doc *doc, int ignore_unknown, struct sheet_header *h,
			    struct sk_report *rep)
{
	size_t before = rep->count;
	/* Named columns; everything else is ours to look at below. */
	sk_csv_map(doc, response_columns, RCOLS, 1, h->col, rep);
	const struct sk_csv_record *hr = &doc->records[0];
	size_t width = header_width(hr);
	for (int k = 0; k < SK_MARK_MAX_POSITIONS; k++)
		h->pos_col[k] = -1;
	h->npos = 0;
	char shown[SK_SHOWN_MAX], limit[24], other[SK_SHOWN_MAX];
	for (size_t f = 0; f < width; f++) {
		const char *name = hr->fields[f];
		if (!*name || (int)f == h->col[R_EXAMNO] || (int)f == h->col[R_PAPER])
			continue;
		int pos = position_of(name);
		if (pos < 0) {
			snprintf(limit, sizeof(limit), "%d", SK_MARK_MAX_POSITIONS);
			sk_report_add(rep, doc->name, hr->line, sk_import_shown(shown, name),
				      N_("question positions run from 1 to %s"), limit, NULL, NULL);
			continue;
		}
		if (pos == 0) {
			/* a second exam_number or paper_code was reported by sk_csv_map */
			char canon[64];
			snprintf(canon, sizeof(canon), "%s", name);
			for (char *c = canon; *c; c++)
				*c = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : (*c == ' ' || *c == '-') ? '_' : *c;
			if (!strcmp(canon, "exam_number") || !strcmp(canon, "paper_code") ||
			    !strcmp(name, "受験番号") || !strcmp(name, "用紙コード"))
				continue;
			if (!ignore_unknown)
				sk_report_add(rep, doc->name, hr->line, sk_import_shown(shown, name),
					      N_("unknown column (use --ignore-unknown to skip it)"), NULL, NULL, NULL);
			continue;
		}
		if (h->pos_col[pos - 1] >= 0) {
			sk_report_add(rep, doc->name, hr->line, sk_import_shown(shown, name),
				      N_("the same question position as column '%s'"),
				      sk_import_shown(other, hr->fields[h->pos_col[pos - 1]]), NULL, NULL);
			continue;
		}
		h->pos_col[pos - 1] = (int)f;
		if (pos > h->npos)
			h->npos = pos;
	}
	if (h->npos == 0) {
		sk_report_add(rep, doc->name, hr->line, "header",
			      N_("no columns for question positions (1, 2, ... or q1, q2, ...)"), NULL, NULL, NULL);
	} else {
		for (int k = 0; k < h->npos; k++)
			if (h->pos_col[k] < 0) {
				snprintf(limit, sizeof(limit), "%d", k + 1);
				sk_report_add(rep, doc->name, hr->line, "header",
					      N_("no column for question %s (positions run from 1 without gaps)"), limit,
					      NULL, NULL);
			}
	}
	return rep->count > before ? SK_EINPUT : 0;
}

static const char sql_sheet_reg[] =
	"SELECT r.id, r.status, p.form_id, p.code, x.paper_code, x.marks, x.source"
	" FROM registration r LEFT JOIN paper p ON p.registration_id = r.id"
	" LEFT JOIN response x ON x.registration_id = r.id WHERE r.exam_number = ?1";
static const char sql_response_put[] =
	"INSERT INTO response (registration_id, paper_code, marks, source, imported_at) VALUES (?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT (registration_id) DO UPDATE SET paper_code = excluded.paper_code, marks = excluded.marks,"
	" source = excluded.source, imported_at = excluded.imported_at";

struct sheet_ctx {
	struct sk_db *db;
	const struct sk_csv_doc *doc;
	const struct sheet_header *h;
	struct sk_report *rep;
	struct profiles profiles;
	int replace;
	char now[21];
	struct sk_buf detail, text;
};

#define SHEET_ERR(field, fmt, a0, a1) \
	(sk_report_add(c->rep, c->doc->name, rec->line, (field), (fmt), (a0), (a1), NULL), bad = 1)

/* Check one row against the registry and write it. *outcome: -1 bad, 0
 * unchanged, 1 added, 2 replaced. Returns 0 or an error that stops the
 * import (database, memory). */
static int sheet_row(struct sheet_ctx *c, const struct sk_csv_record *rec, const char *examno, int *outcome)
{
	struct sk_db *db = c->db;
	const struct sheet_header *h = c->h;
	char shown[SK_SHOWN_MAX], code[SK_PAPER_CODE_LEN + 1];
	int bad = 0;
	*outcome = -1;

	const char *code_in = sk_csv_field(rec, h->col[R_PAPER]);
	int cp = 0;
	if (!*code_in)
		SHEET_ERR("paper_code", N_("is empty"), NULL, NULL);
	else if ((cp = sk_paper_code_parse(code, code_in)) == SK_EINPUT)
		SHEET_ERR("paper_code", N_("'%s' is not a paper code (like 03-4812-7)"), sk_import_shown(shown, code_in), NULL);
	else if (cp)
		SHEET_ERR("paper_code", N_("'%s' has a wrong check digit (misread?)"), sk_import_shown(shown, code_in), NULL);

	sqlite3_stmt *st = sk_db_stmt(db, sql_sheet_reg);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, examno, -1, SQLITE_STATIC);
	int64_t reg_id = 0, form_id = 0;
	char paper_code[SK_PAPER_CODE_LEN + 1] = "", old_code[SK_PAPER_CODE_LEN + 1] = "", source[300] = "";
	unsigned char old[SK_MARK_MAX_POSITIONS];
	int old_n = -1, cancelled = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		reg_id = sqlite3_column_int64(st, 0);
		cancelled = strcmp((const char *)sqlite3_column_text(st, 1), "registered") != 0;
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			form_id = sqlite3_column_int64(st, 2);
			snprintf(paper_code, sizeof(paper_code), "%s", (const char *)sqlite3_column_text(st, 3));
		}
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			snprintf(old_code, sizeof(old_code), "%s", (const char *)sqlite3_column_text(st, 4));
			int n = sqlite3_column_bytes(st, 5);
			old_n = n > SK_MARK_MAX_POSITIONS ? SK_MARK_MAX_POSITIONS : n;
			if (old_n > 0)
				memcpy(old, sqlite3_column_blob(st, 5), (size_t)old_n);
			snprintf(source, sizeof(source), "%s", (const char *)sqlite3_column_text(st, 6));
		}
	}
	sqlite3_reset(st);
	if (!reg_id) {
		SHEET_ERR("exam_number", N_("no registration with exam number %s"), examno, NULL);
		return 0;
	}
	if (cancelled) {
		SHEET_ERR("exam_number", N_("registration %s was cancelled"), examno, NULL);
		return 0;
	}
	if (!form_id) {
		SHEET_ERR("paper_code", N_("%s has no paper (build papers with 'shiken paper build')"), examno, NULL);
		return 0;
	}
	if (!bad && strcmp(code, paper_code)) {
		sk_report_add(c->rep, c->doc->name, rec->line, "paper_code",
			      N_("'%s' is not the paper of %s (%s): another candidate's sheet, or misread?"), code, examno,
			      paper_code);
		bad = 1;
	}
	const struct form_profile *fp = NULL;
	int rc = profile_of(db, &c->profiles, form_id, &fp);
	if (rc)
		return rc;
	char a[24], b[24];
	if (fp->npositions > SK_MARK_MAX_POSITIONS) {
		snprintf(a, sizeof(a), "%d", fp->npositions);
		snprintf(b, sizeof(b), "%d", SK_MARK_MAX_POSITIONS);
		SHEET_ERR("paper_code", N_("the paper has %s questions; answer sheets hold at most %s"), a, b);
		return 0;
	}
	if (fp->npositions > h->npos) {
		snprintf(a, sizeof(a), "%d", fp->npositions);
		snprintf(b, sizeof(b), "%d", h->npos);
		SHEET_ERR("paper_code", N_("the paper has %s questions but the file has columns for only %s"), a, b);
	}

	/* The marks. */
	unsigned char marks[SK_MARK_MAX_POSITIONS];
	unsigned char tf[SK_MARK_MAX_POSITIONS], nopts[SK_MARK_MAX_POSITIONS];
	int exact = 0;
	int npos = fp->npositions < h->npos ? fp->npositions : h->npos;
	memset(marks, 0, sizeof(marks));
	for (int k = 0; k < h->npos; k++) {
		const char *v = sk_csv_field(rec, h->pos_col[k]);
		const char *colname = c->doc->records[0].fields[h->pos_col[k]];
		if (k >= npos) {
			if (*v) {
				snprintf(a, sizeof(a), "%d", fp->npositions);
				SHEET_ERR(colname, N_("'%s' is marked, but the paper has only %s questions"),
					  sk_import_shown(shown, v), a);
			}
			continue;
		}
		if (!*v)
			continue;
		int s = section_at(fp, k);
		int is_tf = fp->sec[s].tf, n = fp->sec[s].max_opts;
		if (exact) {
			is_tf = tf[k];
			n = nopts[k];
		}
		const char *why;
		int r = sk_mark_parse(v, is_tf, n, &marks[k], &why);
		/* A letter some items of this section lack: look at this paper. */
		int unsure = !exact && fp->sec[s].min_opts != fp->sec[s].max_opts &&
			     (r || (marks[k] != SK_MARK_UNCLEAR && (marks[k] >> fp->sec[s].min_opts)));
		if (unsure) {
			if ((rc = exact_options(db, examno, fp->npositions, tf, nopts)))
				return rc;
			exact = 1;
			is_tf = tf[k];
			n = nopts[k];
			r = sk_mark_parse(v, is_tf, n, &marks[k], &why);
		}
		if (r) {
			char t[8];
			SHEET_ERR(colname, why, sk_import_shown(shown, v), takes(is_tf, n, t));
		}
	}
	if (bad)
		return 0;

	/* Against what was imported before. */
	size_t n = (size_t)fp->npositions;
	if (old_n >= 0 && (size_t)old_n == n && !memcmp(old, marks, n) && !strcmp(old_code, code)) {
		*outcome = 0;
		return 0;
	}
	if (old_n >= 0 && !c->replace) {
		sk_report_add(c->rep, c->doc->name, rec->line, "exam_number",
			      N_("%s already has other marks (from %s); use --replace to replace them"), examno, source,
			      NULL);
		return 0;
	}
	char src[300];
	snprintf(src, sizeof(src), "%s:%ld", c->doc->name, rec->line);
	if (!(st = sk_db_stmt(db, sql_response_put)))
		return db->err;
	sqlite3_bind_int64(st, 1, reg_id);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, marks, (int)n, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, src, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->now, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		return sk_db_sqlfail(db, "storing a response");

	struct sk_buf *d = &c->detail;
	sk_buf_reset(d);
	sk_buf_adds(d, "{\"paper_code\":");
	if (old_n >= 0 && strcmp(old_code, code)) {
		sk_buf_addch(d, '[');
		sk_buf_add_json_str(d, old_code);
		sk_buf_addch(d, ',');
		sk_buf_add_json_str(d, code);
		sk_buf_addch(d, ']');
	} else {
		sk_buf_add_json_str(d, code);
	}
	sk_buf_adds(d, ",\"marks\":");
	if (old_n >= 0) {
		sk_buf_reset(&c->text);
		marks_text(&c->text, old, (size_t)old_n, (size_t)old_n == n ? fp : NULL);
		sk_buf_addch(d, '[');
		sk_buf_add_json_str(d, c->text.buf);
		sk_buf_addch(d, ',');
	}
	sk_buf_reset(&c->text);
	marks_text(&c->text, marks, n, fp);
	sk_buf_add_json_str(d, c->text.buf);
	if (old_n >= 0)
		sk_buf_addch(d, ']');
	sk_buf_adds(d, ",\"source\":");
	sk_buf_add_json_str(d, src);
	sk_buf_addch(d, '}');
	if (sk_buf_failed(d) || sk_buf_failed(&c->text))
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	if ((rc = sk_audit_append(db, "response", examno, old_n >= 0 ? "replace" : "create", d->buf)))
		return rc;
	*outcome = old_n >= 0 ? 2 : 1;
	return 0;
}

/* Report each exam number (or key) that appears on several rows, on every
 * one of them, and mark them all bad: which sheet is right is for a person
 * to find out. keys[i].key is NULL for rows already bad. */
static void report_repeats(const struct sk_csv_doc *doc, struct keyed_row *keys, size_t n, unsigned char *bad,
			   const char *field, const char *fmt_first, const char *fmt_again, struct sk_report *rep, const char *(*shown_key)(const struct keyed_row *, char *, size_t))
{
	qsort(keys, n, sizeof(*keys), cmp_keyed);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && !strcmp(keys[j].key, keys[i].key))
			j++;
		if (j - i > 1) {
			char what[128], line[24];
			shown_key(&keys[i], what, sizeof(what));
			for (size_t k = i; k < j; k++) {
				const struct sk_csv_record *rec = &doc->records[keys[k].record];
				if (k == i)
					snprintf(line, sizeof(line), "%ld", doc->records[keys[i + 1].record].line);
				else
					snprintf(line, sizeof(line), "%ld", doc->records[keys[i].record].line);
				sk_report_add(rep, doc->name, rec->line, field, k == i ? fmt_first : fmt_again, what, line,
					      NULL);
				bad[keys[k].record] = 1;
			}
		}
		i = j;
	}
}

static const char *shown_examno(const struct keyed_row *k, char *out, size_t cap)
{
	snprintf(out, cap, "%s", k->key);
	return out;
}

int sk_responses_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts, int replace,
			struct sk_import_stats *stats, struct sk_report *rep)
{
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct sk_rowset rs = { 0 };
	struct sheet_header *h = NULL;
	char (*examno)[SK_EXAMNO_LEN + 1] = NULL;
	struct keyed_row *keys = NULL;
	struct sheet_ctx c = { .db = db, .rep = rep, .replace = replace, .detail = SK_BUF_INIT, .text = SK_BUF_INIT };
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	c.doc = &doc;
	size_t before = rep->count;
	h = malloc(sizeof(*h));
	if (!h) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	c.h = h;
	if ((rc = map_sheet_header(&doc, opts->ignore_unknown, h, rep)))
		goto cleanup;
	size_t nrows = doc.count - 1;
	stats->rows = nrows;
	if (sk_rowset_init(&rs, doc.count) || !(examno = calloc(doc.count, sizeof(*examno))) ||
	    !(keys = calloc(doc.count, sizeof(*keys)))) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	/* Rows on their own, then rows against each other. */
	size_t nkeys = 0;
	for (size_t i = 1; i < doc.count; i++) {
		const struct sk_csv_record *rec = &doc.records[i];
		if (sk_csv_check_width(&doc, rec, rep) ||
		    parse_examno(rep, doc.name, rec->line, sk_csv_field(rec, h->col[R_EXAMNO]), examno[i])) {
			rs.bad[i] = 1;
			continue;
		}
		keys[nkeys++] = (struct keyed_row){ examno[i], i };
	}
	report_repeats(&doc, keys, nkeys, rs.bad, "exam_number", N_("%s appears again on line %s"),
		       N_("%s appears again (first on line %s)"), rep, shown_examno);

	sk_db_now(db, c.now);
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	for (size_t i = 1; i < doc.count; i++) {
		if (rs.bad[i])
			continue;
		int outcome;
		if ((rc = sheet_row(&c, &doc.records[i], examno[i], &outcome))) {
			sk_db_rollback(db);
			goto cleanup;
		}
		if (outcome < 0)
			rs.bad[i] = 1;
		else if (outcome == 0)
			stats->unchanged++;
		else if (outcome == 1)
			stats->added++;
		else
			stats->updated++;
		if (opts->progress && (i % 1024 == 0 || i + 1 == doc.count))
			opts->progress(opts->progress_payload, i, nrows);
	}
	for (size_t i = 1; i < doc.count; i++)
		stats->rejected += rs.bad[i];
	sk_import_sort_report(rep, before);
	if ((stats->rejected && !opts->skip_invalid) || opts->dry_run) {
		sk_db_rollback(db);
		if (stats->rejected && !opts->skip_invalid) {
			stats->added = stats->updated = stats->unchanged = 0;
			rc = SK_EINPUT;
		}
		goto cleanup;
	}
	if ((rc = sk_db_commit(db)))
		goto cleanup;
	if (stats->rejected)
		rc = sk_import_write_rejects(&doc, &rs, rep, stats);
cleanup:
	sk_buf_release(&c.detail);
	sk_buf_release(&c.text);
	free(c.profiles.v);
	free(keys);
	free(examno);
	free(h);
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}

int sk_response_get(struct sk_db *db, const char *exam_number, unsigned char marks[SK_MARK_MAX_POSITIONS],
		    size_t *n, char paper_code[16])
{
	static const char sql[] = "SELECT x.paper_code, x.marks FROM response x"
				  " JOIN registration r ON r.id = x.registration_id WHERE r.exam_number = ?1";
	*n = 0;
	paper_code[0] = '\0';
	char canon[SK_EXAMNO_LEN + 1];
	int p = sk_examno_parse(canon, exam_number, NULL, NULL);
	if (p == SK_EINPUT)
		return sk_db_fail(db, SK_EINPUT, "'%s' is not an exam number (like 0001-00042-6)", exam_number);
	if (p)
		return sk_db_fail(db, SK_EINPUT, "'%s' has a wrong check digit (mistyped?)", exam_number);
	sqlite3_stmt *st = sk_db_stmt(db, sql);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		sqlite3_reset(st);
		if (step != SQLITE_DONE)
			return sk_db_sqlfail(db, "reading a response");
		return sk_db_fail(db, SK_ENOTFOUND, "no answer sheet was imported for %s", canon);
	}
	snprintf(paper_code, 16, "%s", (const char *)sqlite3_column_text(st, 0));
	int len = sqlite3_column_bytes(st, 1);
	if (len > SK_MARK_MAX_POSITIONS)
		len = SK_MARK_MAX_POSITIONS;
	if (len > 0)
		memcpy(marks, sqlite3_column_blob(st, 1), (size_t)len);
	*n = (size_t)len;
	sqlite3_reset(st);
	return 0;
}

/* ---- examiners' scores ------------------------------------------------ */

enum { S_EXAMNO, S_SECTION, S_POINTS, S_MAX, S_EXAMINERS, S_NOTE, SCOLS };
static const struct sk_csv_col score_columns[] = {
	{ "exam_number", "受験番号", SK_CSV_REQUIRED }, { "section", "科目", SK_CSV_REQUIRED },
	{ "points", "得点", SK_CSV_REQUIRED },          { "max_points", "満点", SK_CSV_REQUIRED },
	{ "examiners", "採点者", SK_CSV_REQUIRED },     { "note", "備考", 0 },
};

#define SCORE_MAX 1000000

/* A whole number 0..SCORE_MAX in ASCII digits; -1 if not. */
static long parse_points(const char *s)
{
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 7)
		return -1;
	long v = strtol(s, NULL, 10);
	return v <= SCORE_MAX ? v : -1;
}

struct score_in {
	char examno[SK_EXAMNO_LEN + 1];
	char *key;        /* examno + '\n' + section, for repeats */
	long points, max_points;
	char *examiners;  /* "A; B" */
};

static const char sql_score_reg[] =
	"SELECT r.id, r.status, t.code, s.id, s.item_kind FROM registration r JOIN test t ON t.id = r.test_id"
	" LEFT JOIN test_section s ON s.test_id = r.test_id AND s.code = ?2 WHERE r.exam_number = ?1";
static const char sql_score_old[] =
	"SELECT points, max_points, examiners, note, source FROM section_score"
	" WHERE registration_id = ?1 AND section_id = ?2";
static const char sql_score_put[] =
	"INSERT INTO section_score (registration_id, section_id, points, max_points, examiners, note, source, imported_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (registration_id, section_id) DO UPDATE SET"
	" points = excluded.points, max_points = excluded.max_points, examiners = excluded.examiners,"
	" note = excluded.note, source = excluded.source, imported_at = excluded.imported_at";

#define ROW_ERR(field, fmt, a0, a1) \
	(sk_report_add(rep, doc->name, rec->line, (field), (fmt), (a0), (a1), NULL), bad = 1)

/* Row checks that need no registry. */
static int score_fields(const struct sk_csv_doc *doc, const struct sk_csv_record *rec, const int *col,
			struct score_in *in, struct sk_report *rep)
{
	int bad = 0;
	char shown[SK_SHOWN_MAX], limit[24];
	const char *f[SCOLS];
	for (int k = 0; k < SCOLS; k++)
		f[k] = sk_csv_field(rec, col[k]);
	if (parse_examno(rep, doc->name, rec->line, f[S_EXAMNO], in->examno))
		bad = 1;
	if (!*f[S_SECTION])
		ROW_ERR("section", N_("is empty"), NULL, NULL);
	in->points = parse_points(f[S_POINTS]);
	in->max_points = parse_points(f[S_MAX]);
	if (in->points < 0)
		ROW_ERR("points", *f[S_POINTS] ? N_("'%s' is not a whole number of points (0 or more)") : N_("is empty"),
			sk_import_shown(shown, f[S_POINTS]), NULL);
	if (in->max_points <= 0)
		ROW_ERR("max_points", *f[S_MAX] ? N_("'%s' is not a whole number of points above 0") : N_("is empty"),
			sk_import_shown(shown, f[S_MAX]), NULL);
	if (in->points >= 0 && in->max_points > 0 && in->points > in->max_points) {
		char a[24], b[24];
		snprintf(a, sizeof(a), "%ld", in->points);
		snprintf(b, sizeof(b), "%ld", in->max_points);
		ROW_ERR("points", N_("%s points are more than max_points (%s)"), a, b);
	}
	/* Examiners: one or more names separated by ';'. */
	struct sk_buf names = SK_BUF_INIT;
	const char *why;
	if (!*f[S_EXAMINERS]) {
		ROW_ERR("examiners", N_("is empty"), NULL, NULL);
	} else if ((why = sk_check_text(f[S_EXAMINERS], 500, limit))) {
		ROW_ERR("examiners", why, limit, NULL);
	} else {
		const char *p = f[S_EXAMINERS];
		int empty = 0;
		for (;;) {
			size_t len = strcspn(p, ";");
			char *name = strndup(p, len);
			if (!name) {
				sk_buf_release(&names);
				return SK_ENOMEM;
			}
			sk_text_trim(name);
			if (!*name)
				empty = 1;
			else {
				if (names.len)
					sk_buf_adds(&names, "; ");
				sk_buf_adds(&names, name);
			}
			free(name);
			if (!p[len])
				break;
			p += len + 1;
		}
		if (empty)
			ROW_ERR("examiners", N_("'%s' has an empty name (names are separated by ';')"),
				sk_import_shown(shown, f[S_EXAMINERS]), NULL);
	}
	if (*f[S_NOTE] && (why = sk_check_text(f[S_NOTE], 500, limit)))
		ROW_ERR("note", why, limit, NULL);
	if (sk_buf_failed(&names)) {
		sk_buf_release(&names);
		return SK_ENOMEM;
	}
	in->examiners = sk_buf_detach(&names, NULL);
	if (!in->examiners)
		return SK_ENOMEM;
	if (!bad) {
		size_t a = strlen(in->examno), b = strlen(f[S_SECTION]);
		in->key = malloc(a + b + 2);
		if (!in->key)
			return SK_ENOMEM;
		memcpy(in->key, in->examno, a);
		in->key[a] = '\n';
		memcpy(in->key + a + 1, f[S_SECTION], b + 1);
	}
	return bad ? SK_EINPUT : 0;
}

static const char *shown_score_key(const struct keyed_row *k, char *out, size_t cap)
{
	size_t n = strcspn(k->key, "\n");
	snprintf(out, cap, "%.*s", (int)n, k->key);
	return out;
}

struct score_ctx {
	struct sk_db *db;
	const struct sk_csv_doc *doc;
	const int *col;
	struct sk_report *rep;
	int replace;
	char now[21];
};

static int score_row(struct score_ctx *c, const struct sk_csv_record *rec, const struct score_in *in, int *outcome)
{
	struct sk_db *db = c->db;
	const struct sk_csv_doc *doc = c->doc;
	struct sk_report *rep = c->rep;
	const char *section = sk_csv_field(rec, c->col[S_SECTION]);
	const char *note = sk_csv_field(rec, c->col[S_NOTE]);
	char shown[SK_SHOWN_MAX];
	int bad = 0;
	*outcome = -1;
	sqlite3_stmt *st = sk_db_stmt(db, sql_score_reg);
	if (!st)
		return db->err;
	sqlite3_bind_text(st, 1, in->examno, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, section, -1, SQLITE_STATIC);
	int64_t reg_id = 0, section_id = 0;
	int cancelled = 0;
	char test[16] = "", kind[8] = "";
	if (sqlite3_step(st) == SQLITE_ROW) {
		reg_id = sqlite3_column_int64(st, 0);
		cancelled = strcmp((const char *)sqlite3_column_text(st, 1), "registered") != 0;
		snprintf(test, sizeof(test), "%s", (const char *)sqlite3_column_text(st, 2));
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			section_id = sqlite3_column_int64(st, 3);
			snprintf(kind, sizeof(kind), "%s", (const char *)sqlite3_column_text(st, 4));
		}
	}
	sqlite3_reset(st);
	if (!reg_id)
		ROW_ERR("exam_number", N_("no registration with exam number %s"), in->examno, NULL);
	else if (cancelled)
		ROW_ERR("exam_number", N_("registration %s was cancelled"), in->examno, NULL);
	else if (!section_id)
		ROW_ERR("section", N_("test %s has no section '%s'"), test, sk_import_shown(shown, section));
	else if (strcmp(kind, "scored"))
		ROW_ERR("section", N_("section '%s' of %s is not scored by examiners: its marks come from answer sheets"),
			section, test);
	if (bad)
		return 0;

	if (!(st = sk_db_stmt(db, sql_score_old)))
		return db->err;
	sqlite3_bind_int64(st, 1, reg_id);
	sqlite3_bind_int64(st, 2, section_id);
	int have_old = 0;
	long old_points = 0, old_max = 0;
	char *old_examiners = NULL, *old_note = NULL, *old_source = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		have_old = 1;
		old_points = (long)sqlite3_column_int64(st, 0);
		old_max = (long)sqlite3_column_int64(st, 1);
		old_examiners = sk_col_text(st, 2);
		old_note = sk_col_text(st, 3);
		old_source = sk_col_text(st, 4);
	}
	sqlite3_reset(st);
	int rc = 0;
	if (have_old && (!old_examiners || !old_note || !old_source)) {
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
		goto done;
	}
	if (have_old && old_points == in->points && old_max == in->max_points &&
	    !strcmp(old_examiners, in->examiners) && !strcmp(old_note, note)) {
		*outcome = 0;
		goto done;
	}
	if (have_old && !c->replace) {
		char a[48];
		snprintf(a, sizeof(a), "%ld/%ld", old_points, old_max);
		sk_report_add(rep, doc->name, rec->line, "exam_number",
			      N_("%s already has a score for this section (%s, from %s); use --replace to replace it"),
			      in->examno, a, old_source);
		goto done;
	}
	char src[300];
	snprintf(src, sizeof(src), "%s:%ld", doc->name, rec->line);
	if (!(st = sk_db_stmt(db, sql_score_put))) {
		rc = db->err;
		goto done;
	}
	sqlite3_bind_int64(st, 1, reg_id);
	sqlite3_bind_int64(st, 2, section_id);
	sqlite3_bind_int64(st, 3, in->points);
	sqlite3_bind_int64(st, 4, in->max_points);
	sqlite3_bind_text(st, 5, in->examiners, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, src, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, c->now, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "storing a section score");
		goto done;
	}
	struct sk_buf d = SK_BUF_INIT;
	sk_buf_adds(&d, "{\"section\":");
	sk_buf_add_json_str(&d, section);
	if (have_old) {
		sk_buf_addf(&d, ",\"points\":[%ld,%ld],\"max_points\":[%ld,%ld],\"examiners\":[", old_points, in->points,
			    old_max, in->max_points);
		sk_buf_add_json_str(&d, old_examiners);
		sk_buf_addch(&d, ',');
		sk_buf_add_json_str(&d, in->examiners);
		sk_buf_adds(&d, "],\"note\":[");
		sk_buf_add_json_str(&d, old_note);
		sk_buf_addch(&d, ',');
		sk_buf_add_json_str(&d, note);
		sk_buf_addch(&d, ']');
	} else {
		sk_buf_addf(&d, ",\"points\":%ld,\"max_points\":%ld,\"examiners\":", in->points, in->max_points);
		sk_buf_add_json_str(&d, in->examiners);
		sk_buf_adds(&d, ",\"note\":");
		sk_buf_add_json_str(&d, note);
	}
	sk_buf_adds(&d, ",\"source\":");
	sk_buf_add_json_str(&d, src);
	sk_buf_addch(&d, '}');
	if (sk_buf_failed(&d))
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
	else
		rc = sk_audit_append(db, "score", in->examno, have_old ? "replace" : "create", d.buf);
	sk_buf_release(&d);
	if (!rc)
		*outcome = have_old ? 2 : 1;
done:
	free(old_examiners);
	free(old_note);
	free(old_source);
	return rc;
}

int sk_scores_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts, int replace,
		     struct sk_import_stats *stats, struct sk_report *rep)
{
	static const struct sk_import_opts defaults = { 0 };
	if (!opts)
		opts = &defaults;
	memset(stats, 0, sizeof(*stats));
	struct sk_csv_doc doc;
	struct sk_rowset rs = { 0 };
	struct score_in *rows = NULL;
	struct keyed_row *keys = NULL;
	int col[SCOLS];
	int rc = sk_csv_read(&doc, path, opts->encoding, rep);
	if (rc)
		return rc;
	size_t before = rep->count;
	if ((rc = sk_csv_map(&doc, score_columns, SCOLS, opts->ignore_unknown, col, rep)))
		goto cleanup;
	sk_import_unify_breaks(&doc);
	size_t nrows = doc.count - 1;
	stats->rows = nrows;
	if (sk_rowset_init(&rs, doc.count) || !(rows = calloc(doc.count, sizeof(*rows))) ||
	    !(keys = calloc(doc.count, sizeof(*keys)))) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	size_t nkeys = 0;
	for (size_t i = 1; i < doc.count; i++) {
		const struct sk_csv_record *rec = &doc.records[i];
		if (sk_csv_check_width(&doc, rec, rep)) {
			rs.bad[i] = 1;
			continue;
		}
		int r = score_fields(&doc, rec, col, &rows[i], rep);
		if (r == SK_ENOMEM) {
			rc = r;
			goto cleanup;
		}
		if (r) {
			rs.bad[i] = 1;
			continue;
		}
		keys[nkeys++] = (struct keyed_row){ rows[i].key, i };
	}
	report_repeats(&doc, keys, nkeys, rs.bad, "exam_number", N_("%s appears again for this section on line %s"),
		       N_("%s appears again for this section (first on line %s)"), rep, shown_score_key);

	struct score_ctx c = { .db = db, .doc = &doc, .col = col, .rep = rep, .replace = replace };
	sk_db_now(db, c.now);
	if ((rc = sk_db_begin(db)))
		goto cleanup;
	for (size_t i = 1; i < doc.count; i++) {
		if (rs.bad[i])
			continue;
		int outcome;
		if ((rc = score_row(&c, &doc.records[i], &rows[i], &outcome))) {
			sk_db_rollback(db);
			goto cleanup;
		}
		if (outcome < 0)
			rs.bad[i] = 1;
		else if (outcome == 0)
			stats->unchanged++;
		else if (outcome == 1)
			stats->added++;
		else
			stats->updated++;
		if (opts->progress && (i % 1024 == 0 || i + 1 == doc.count))
			opts->progress(opts->progress_payload, i, nrows);
	}
	for (size_t i = 1; i < doc.count; i++)
		stats->rejected += rs.bad[i];
	sk_import_sort_report(rep, before);
	if ((stats->rejected && !opts->skip_invalid) || opts->dry_run) {
		sk_db_rollback(db);
		if (stats->rejected && !opts->skip_invalid) {
			stats->added = stats->updated = stats->unchanged = 0;
			rc = SK_EINPUT;
		}
		goto cleanup;
	}
	if ((rc = sk_db_commit(db)))
		goto cleanup;
	if (stats->rejected)
		rc = sk_import_write_rejects(&doc, &rs, rep, stats);
cleanup:
	if (rows)
		for (size_t i = 0; i < doc.count; i++) {
			free(rows[i].key);
			free(rows[i].examiners);
		}
	free(rows);
	free(keys);
	sk_rowset_release(&rs);
	sk_csv_release(&doc);
	return rc;
}
