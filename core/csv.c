/*
 * CSV reading on libcsv. The bytes are decoded to UTF-8 first (iconv for
 * CP932), then fed to libcsv one physical line at a time so we always know
 * the line a record starts on; libcsv keeps its state across lines, so quoted
 * fields may span lines. Field strings live in an arena owned by the doc.
 */
#include "core/csv.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/import.h"
#include "core/text.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	char data[];
};

struct sk_csv_arena {
	struct arena_chunk *head;
};

static void *arena_alloc(struct sk_csv_arena *a, size_t n, size_t align)
{
	struct arena_chunk *c = a->head;
	if (c) {
		size_t off = (c->used + align - 1) & ~(align - 1);
		if (off + n <= c->size) {
			c->used = off + n;
			return c->data + off;
		}
	}
	size_t size = n + align > 256 * 1024 ? n + align : 256 * 1024;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->next = a->head;
	a->head = c;
	size_t off = (size_t)(-(uintptr_t)c->data & (align - 1));
	c->used = off + n;
	c->size = size;
	return c->data + off;
}

static void arena_free(struct sk_csv_arena *a)
{
	if (!a)
		return;
	for (struct arena_chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void sk_csv_release(struct sk_csv_doc *doc)
{
	free(doc->records);
	free(doc->name);
	arena_free(doc->arena);
	memset(doc, 0, sizeof(*doc));
}

/* ---- decoding ---- */

static long line_of(const char *s, size_t off)
{
	long line = 1;
	for (size_t i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

static void report_invalid(struct sk_report *rep, const char *name, const char *s, size_t off,
			   const char *fmt)
{
	char byte[8], col[24];
	snprintf(byte, sizeof(byte), "0x%02X", (unsigned char)s[off]);
	size_t start = off;
	while (start > 0 && s[start - 1] != '\n')
		start--;
	snprintf(col, sizeof(col), "%zu", off - start + 1);
	sk_report_add(rep, name, line_of(s, off), "encoding", fmt, byte, col, NULL);
}

static int is_cp932(const char *e)
{
	return !sk_ascii_casecmp(e, "cp932") || !sk_ascii_casecmp(e, "shift_jis") ||
	       !sk_ascii_casecmp(e, "shift-jis") || !sk_ascii_casecmp(e, "sjis") ||
	       !sk_ascii_casecmp(e, "windows-31j") || !sk_ascii_casecmp(e, "ms932");
}

static int is_utf8(const char *e)
{
	return !sk_ascii_casecmp(e, "utf-8") || !sk_ascii_casecmp(e, "utf8");
}

/* Count the well-formed multi-byte UTF-8 sequences and the bytes that
 * start no well-formed sequence. */
static void utf8_census(const unsigned char *s, size_t len, size_t *multi, size_t *invalid)
{
	*multi = *invalid = 0;
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		/* continuation bytes, and the range of the first (no overlong
		 * forms, no surrogates, nothing past U+10FFFF) */
		size_t n = 0;
		unsigned char lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			lo = c == 0xE0 ? 0xA0 : 0x80;
			hi = c == 0xED ? 0x9F : 0xBF;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			lo = c == 0xF0 ? 0x90 : 0x80;
			hi = c == 0xF4 ? 0x8F : 0xBF;
		}
		int ok = n != 0 && n < len - i;
		for (size_t k = 1; ok && k <= n; k++) {
			unsigned char t = s[i + k];
			if (k == 1 ? (t < lo || t > hi) : (t < 0x80 || t > 0xBF))
				ok = 0;
		}
		if (ok) {
			(*multi)++;
			i += n + 1;
		} else {
			(*invalid)++;
			i++;
		}
	}
}

/* Convert CP932 bytes to UTF-8. Returns 0, or the offset+1 of the first byte
 * that is not CP932 as a negative number. */
static long from_cp932(struct sk_buf *out, const char *s, size_t len)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	if (cd == (iconv_t)-1)
		return -1;
	char *in = (char *)s;
	size_t inleft = len;
	long rc = 0;
	while (inleft > 0) {
		if (sk_buf_grow(out, inleft * 2 + 16)) {
			rc = -1;
			break;
		}
		char *o = out->buf + out->len;
		size_t oleft = out->alloc - out->len - 1;
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		out->len = (size_t)(o - out->buf);
		out->buf[out->len] = '\0';
		if (r == (size_t)-1 && errno != E2BIG) {
			rc = -(long)(in - s) - 1;
			break;
		}
	}
	iconv_close(cd);
	return rc;
}

/* ---- parsing ---- */

struct parse_state {
	struct sk_csv_doc *doc;
	struct sk_report *rep;
	char **fields;
	size_t nfields, afields;
	size_t alloc_records;
	long record_line;
	int at_record_start;
	int failed;
};

static void on_field(void *data, size_t len, void *payload)
{
	struct parse_state *ps = payload;
	if (ps->failed)
		return;
	if (ps->nfields == ps->afields) {
		size_t n = ps->afields ? ps->afields * 2 : 32;
		char **p = realloc(ps->fields, n * sizeof(*p));
		if (!p) {
			ps->failed = SK_ENOMEM;
			return;
		}
		ps->fields = p;
		ps->afields = n;
	}
	char *f = arena_alloc(ps->doc->arena, len + 1, 1);
	if (!f) {
		ps->failed = SK_ENOMEM;
		return;
	}
	memcpy(f, data, len);
	f[len] = '\0';
	sk_text_trim(f);
	/* NFC; ASCII needs nothing. */
	for (size_t i = 0; f[i]; i++) {
		if ((unsigned char)f[i] >= 0x80) {
			char *nfc = NULL;
			if (sk_text_nfc(&nfc, f) == 0) {
				size_t n = strlen(nfc);
				char *g = arena_alloc(ps->doc->arena, n + 1, 1);
				if (g)
					memcpy(g, nfc, n + 1);
				free(nfc);
				if (!g) {
					ps->failed = SK_ENOMEM;
					return;
				}
				f = g;
			}
			break;
		}
	}
	ps->fields[ps->nfields++] = f;
}

static void on_record(int c, void *payload)
{
	(void)c;
	struct parse_state *ps = payload;
	if (ps->failed)
		return;
	size_t n = ps->nfields;
	ps->nfields = 0;
	ps->at_record_start = 1;
	int blank = 1;
	for (size_t i = 0; i < n && blank; i++)
		if (ps->fields[i][0])
			blank = 0;
	if (blank)
		return;
	struct sk_csv_doc *doc = ps->doc;
	if (doc->count == ps->alloc_records) {
		size_t na = ps->alloc_records ? ps->alloc_records * 2 : 256;
		struct sk_csv_record *p = realloc(doc->records, na * sizeof(*p));
		if (!p) {
			ps->failed = SK_ENOMEM;
			return;
		}
		doc->records = p;
		ps->alloc_records = na;
	}
	char **f = arena_alloc(doc->arena, n * sizeof(char *), sizeof(char *));
	if (!f) {
		ps->failed = SK_ENOMEM;
		return;
	}
	memcpy(f, ps->fields, n * sizeof(char *));
	struct sk_csv_record *r = &doc->records[doc->count++];
	r->line = ps->record_line;
	r->nfields = n;
	r->fields = f;
}

static int line_is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

static int parse_utf8(struct sk_csv_doc *doc, const char *s, size_t len, struct sk_report *rep)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return SK_ENOMEM;
	struct parse_state ps = { .doc = doc, .rep = rep, .at_record_start = 1 };
	long line = 0;
	size_t pos = 0;
	int rc = 0;
	while (pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (s + pos)) + 1 : len - pos;
		line++;
		if (ps.at_record_start && !line_is_blank(s + pos, n)) {
			ps.record_line = line;
			ps.at_record_start = 0;
		}
		if (csv_parse(&p, s + pos, n, on_field, on_record, &ps) != n) {
			if (csv_error(&p) == CSV_EPARSE)
				sk_report_add(rep, doc->name, line, "csv",
					      N_("malformed quoting (a quote inside an unquoted field, or text after a closing quote)"),
					      NULL, NULL, NULL);
			else
				ps.failed = SK_ENOMEM;
			rc = SK_EINPUT;
			break;
		}
		if (ps.failed)
			break;
		pos += n;
	}
	if (!rc && !ps.failed && csv_fini(&p, on_field, on_record, &ps) != 0) {
		sk_report_add(rep, doc->name, ps.record_line, "csv",
			      N_("quoted field is never closed (it starts on this line and runs to the end of the file)"),
			      NULL, NULL, NULL);
		rc = SK_EINPUT;
	}
	csv_free(&p);
	free(ps.fields);
	if (ps.failed)
		return ps.failed;
	return rc;
}

int sk_csv_parse(struct sk_csv_doc *out, const char *name, const char *bytes, size_t len,
		 const char *encoding, struct sk_report *rep)
{
	memset(out, 0, sizeof(*out));
	struct sk_buf conv = SK_BUF_INIT;
	int rc = 0;
	size_t before = rep->count;
	out->name = strdup(name);
	out->arena = calloc(1, sizeof(*out->arena));
	if (!out->name || !out->arena) {
		rc = SK_ENOMEM;
		goto fail;
	}
	int auto_enc = !encoding || !*encoding || !sk_ascii_casecmp(encoding, "auto");
	if (!auto_enc && !is_utf8(encoding) && !is_cp932(encoding)) {
		sk_report_add(rep, name, 0, "encoding",
			      N_("'%s' is not a supported encoding (use utf-8 or cp932)"), encoding,
			      NULL, NULL);
		rc = SK_EINPUT;
		goto fail;
	}
	const char *s = bytes;
	int bom = len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0;
	if (bom) {
		s += 3;
		len -= 3;
	}
	if (len >= 2 && ((unsigned char)s[0] == 0xFF && (unsigned char)s[1] == 0xFE)) {
		sk_report_add(rep, name, 1, "encoding",
			      N_("the file is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8\" or \"CSV\""),
			      NULL, NULL, NULL);
		rc = SK_EINPUT;
		goto fail;
	}
	long bad = sk_utf8_invalid_at(s, len);
	/* A file of UTF-8 text with a stray byte or two (pasted from a
	 * Latin-1 source, say) can also pass as CP932, decoding every Japanese
	 * character into nonsense: when well-formed UTF-8 outnumbers the
	 * bytes that are not, report the bytes instead of guessing CP932.
	 * Real CP932 text is almost never well-formed UTF-8. */
	int mostly_utf8 = 0;
	if (auto_enc && bad >= 0) {
		size_t multi, invalid;
		utf8_census((const unsigned char *)s, len, &multi, &invalid);
		mostly_utf8 = multi > invalid;
	}
	if (bom || (auto_enc && (bad < 0 || mostly_utf8)) || (!auto_enc && is_utf8(encoding))) {
		if (bad >= 0) {
			/* counted in the file's bytes, the BOM included, as an
			 * editor or `cut -b` shows them */
			report_invalid(rep, name, bytes, (size_t)(s - bytes) + (size_t)bad,
				       auto_enc || bom
					       ? N_("invalid UTF-8 (byte %s at column %s)")
					       : N_("invalid UTF-8 (byte %s at column %s); if Excel saved this file, try --encoding cp932"));
			rc = SK_EINPUT;
			goto fail;
		}
		out->encoding = "utf-8";
	} else {
		long r = from_cp932(&conv, s, len);
		if (r == -1 && conv.failed) {
			rc = SK_ENOMEM;
			goto fail;
		}
		if (r < 0) {
			size_t off = (size_t)(s - bytes) + (size_t)(-r - 1);
			report_invalid(rep, name, bytes, off,
				       auto_enc ? N_("neither UTF-8 nor CP932 (byte %s at column %s)")
						: N_("invalid CP932 (byte %s at column %s)"));
			rc = SK_EINPUT;
			goto fail;
		}
		long nul = sk_utf8_invalid_at(conv.buf, conv.len);
		if (nul >= 0) {
			report_invalid(rep, name, conv.buf, (size_t)nul,
				       N_("invalid character (byte %s at column %s)"));
			rc = SK_EINPUT;
			goto fail;
		}
		s = conv.buf;
		len = conv.len;
		out->encoding = "cp932";
	}
	rc = parse_utf8(out, s, len, rep);
	if (rc)
		goto fail;
	if (out->count == 0) {
		sk_report_add(rep, name, 1, "header", N_("the file is empty; expected a header row"),
			      NULL, NULL, NULL);
		rc = SK_EINPUT;
		goto fail;
	}
	sk_buf_release(&conv);
	return 0;
fail:
	if (rc == SK_ENOMEM && rep->count == before)
		sk_report_add(rep, name, 0, NULL, N_("out of memory"), NULL, NULL, NULL);
	sk_buf_release(&conv);
	sk_csv_release(out);
	return rc;
}

int sk_csv_read(struct sk_csv_doc *out, const char *path, const char *encoding,
		struct sk_report *rep)
{
	memset(out, 0, sizeof(*out));
	FILE *f = fopen(path, "rb");
	if (!f) {
		sk_report_add(rep, path, 0, NULL, N_("cannot open: %s"), strerror(errno), NULL, NULL);
		return SK_EIO;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		sk_report_add(rep, path, 0, NULL, N_("not a regular file"), NULL, NULL, NULL);
		return SK_EIO;
	}
	if ((unsigned long long)st.st_size > SK_CSV_MAX_FILE) {
		fclose(f);
		sk_report_add(rep, path, 0, NULL, N_("file is larger than 256 MiB"), NULL, NULL, NULL);
		return SK_EINPUT;
	}
	size_t size = (size_t)st.st_size;
	char *bytes = malloc(size + 1);
	if (!bytes) {
		fclose(f);
		return SK_ENOMEM;
	}
	size_t got = fread(bytes, 1, size, f);
	int ioerr = ferror(f);
	fclose(f);
	if (got != size || ioerr) {
		free(bytes);
		sk_report_add(rep, path, 0, NULL, N_("read error"), NULL, NULL, NULL);
		return SK_EIO;
	}
	bytes[size] = '\0';
	int rc = sk_csv_parse(out, path, bytes, size, encoding, rep);
	free(bytes);
	return rc;
}

/* ---- header mapping ---- */

static void canon_header(char *out, size_t cap, const char *s)
{
	size_t i = 0;
	for (; *s && i + 1 < cap; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == ' ' || c == '-')
			c = '_';
		out[i++] = c;
	}
	out[i] = '\0';
}

/* The header's width without its trailing unnamed cells: Excel writes a
 * comma for every column anything was ever typed in, the header row too. */
static size_t header_width(const struct sk_csv_doc *doc)
{
	const struct sk_csv_record *h = &doc->records[0];
	size_t n = h->nfields;
	while (n > 0 && !h->fields[n - 1][0])
		n--;
	return n;
}

int sk_csv_map(const struct sk_csv_doc *doc, const struct sk_csv_col *cols, size_t ncols,
	       int ignore_unknown, int *index_out, struct sk_report *rep)
{
	size_t before = rep->count;
	const struct sk_csv_record *h = &doc->records[0];
	size_t width = header_width(doc);
	for (size_t i = 0; i < ncols; i++)
		index_out[i] = -1;
	for (size_t f = 0; f < width; f++) {
		char name[256];
		canon_header(name, sizeof(name), h->fields[f]);
		if (!name[0]) {
			char pos[24];
			snprintf(pos, sizeof(pos), "%zu", f + 1);
			sk_report_add(rep, doc->name, h->line, "header",
				      N_("column %s has no name"), pos, NULL, NULL);
			continue;
		}
		size_t i = 0;
		for (; i < ncols; i++)
			if (!strcmp(name, cols[i].name) ||
			    (cols[i].alias && !strcmp(h->fields[f], cols[i].alias)))
				break;
		if (i == ncols) {
			char shown[SK_SHOWN_MAX];
			if (!ignore_unknown)
				sk_report_add(rep, doc->name, h->line, sk_import_shown(shown, h->fields[f]),
					      N_("unknown column (use --ignore-unknown to skip it)"),
					      NULL, NULL, NULL);
			continue;
		}
		if (index_out[i] >= 0) {
			sk_report_add(rep, doc->name, h->line, cols[i].name,
				      N_("column appears twice"), NULL, NULL, NULL);
			continue;
		}
		index_out[i] = (int)f;
	}
	for (size_t i = 0; i < ncols; i++)
		if ((cols[i].flags & SK_CSV_REQUIRED) && index_out[i] < 0)
			sk_report_add(rep, doc->name, h->line, cols[i].name,
				      N_("required column is missing"), NULL, NULL, NULL);
	return rep->count > before ? SK_EINPUT : 0;
}

int sk_csv_check_width(const struct sk_csv_doc *doc, const struct sk_csv_record *rec,
		       struct sk_report *rep)
{
	size_t want = header_width(doc);
	size_t have = rec->nfields;
	while (have > want && !rec->fields[have - 1][0])
		have--;
	if (have == want)
		return 0;
	char a[24], b[24];
	snprintf(a, sizeof(a), "%zu", rec->nfields);
	snprintf(b, sizeof(b), "%zu", want);
	sk_report_add(rep, doc->name, rec->line, "row",
		      N_("has %s fields; the header has %s"), a, b, NULL);
	return SK_EINPUT;
}

const char *sk_csv_field(const struct sk_csv_record *rec, int index)
{
	if (index < 0 || (size_t)index >= rec->nfields)
		return "";
	return rec->fields[index];
}

/* ---- writing ---- */

void sk_csv_put_field(struct sk_buf *out, const char *s)
{
	if (!s)
		return;
	/* Readers here trim every field, so edge spaces are not quoted: they
	 * would not survive a round trip anyway. */
	if (!s[strcspn(s, ",\"\r\n")]) {
		sk_buf_adds(out, s);
		return;
	}
	sk_buf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			sk_buf_addch(out, '"');
		sk_buf_addch(out, *s);
	}
	sk_buf_addch(out, '"');
}

void sk_csv_put_row(struct sk_buf *out, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sk_buf_addch(out, ',');
		sk_csv_put_field(out, fields[i]);
	}
	sk_buf_addch(out, '\n');
}
