/*
 * CSV in and out, the lingua franca with exam staff. Reading takes a whole
 * file, works out its encoding (UTF-8 with or without BOM, or CP932 as Excel
 * writes Japanese), normalises every field to NFC, and hands back records
 * with the line each one starts on, so every later complaint can say
 * `file:line: column: reason`. Parsing is libcsv's (strict mode).
 *
 * Ownership: a struct sk_csv_doc owns all its strings; release it with
 * sk_csv_release(). Problems go to the caller's report.
 */
#ifndef SK_CSV_H
#define SK_CSV_H

#include "core/report.h"

#include <stddef.h>

#define SK_CSV_MAX_FILE (256u * 1024 * 1024)

struct sk_csv_record {
	long line;
	size_t nfields;
	char **fields;
};

struct sk_csv_doc {
	char *name;             /* as given: shown in messages */
	const char *encoding;   /* "utf-8" or "cp932": what was read */
	size_t count;           /* records, the header included */
	struct sk_csv_record *records;
	struct sk_csv_arena *arena;
};

/* Read and parse the file at path. encoding is NULL or "auto" (detect),
 * "utf-8" or "cp932" (also "shift_jis", "sjis", "windows-31j"). Detection
 * takes a file that is not valid UTF-8 for CP932 unless it is mostly
 * well-formed UTF-8 (then its bad bytes are reported); UTF-16 is refused
 * with a message of its own.
 * Records that are entirely blank are dropped. Returns 0, SK_EINPUT with the
 * problems in rep (encoding, quoting, empty file), SK_EIO (also in rep),
 * SK_ENOMEM. On error the doc is released. */
int sk_csv_read(struct sk_csv_doc *out, const char *path, const char *encoding,
		struct sk_report *rep);
/* The same for bytes in memory; `name` is used in messages. */
int sk_csv_parse(struct sk_csv_doc *out, const char *name, const char *bytes, size_t len,
		 const char *encoding, struct sk_report *rep);
void sk_csv_release(struct sk_csv_doc *doc);

/* Column description for sk_csv_map(). */
struct sk_csv_col {
	const char *name;     /* canonical name, snake_case */
	const char *alias;    /* a second accepted header (Japanese), or NULL */
	unsigned flags;
};
#define SK_CSV_REQUIRED 1u

/* Map the header (record 0) onto cols: index_out[i] is the field index of
 * cols[i], or -1 when absent. Header names match case-insensitively with
 * spaces and hyphens read as '_'; trailing unnamed header cells are ignored. Problems (unknown columns unless
 * ignore_unknown, duplicates, missing required columns) go to rep; returns
 * SK_EINPUT if there were any. */
int sk_csv_map(const struct sk_csv_doc *doc, const struct sk_csv_col *cols, size_t ncols,
	       int ignore_unknown, int *index_out, struct sk_report *rep);

/* Check a data record has the header's field count (trailing empty fields
 * are forgiven); reports to rep and returns SK_EINPUT if not. */
int sk_csv_check_width(const struct sk_csv_doc *doc, const struct sk_csv_record *rec,
		       struct sk_report *rep);

/* The field of rec at index, or "" when index < 0 or past the end. */
const char *sk_csv_field(const struct sk_csv_record *rec, int index);

/* Writing: append one field (quoted when needed) or a whole row with "\n". */
struct sk_buf;
void sk_csv_put_field(struct sk_buf *out, const char *s);
void sk_csv_put_row(struct sk_buf *out, const char *const *fields, size_t n);

#endif
