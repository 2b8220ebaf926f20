/*
 * What every CSV import shares: its options, its tally, and the rejects
 * file. An import checks every row first, reports every problem as
 * `file:line: column: reason`, and then either changes nothing (the default:
 * all or nothing) or, with skip_invalid, imports the good rows and writes the
 * bad ones, with their reasons, to "<input>.rejects.csv" beside the input.
 * The writes happen in one transaction with their audit records.
 */
#ifndef SK_IMPORT_H
#define SK_IMPORT_H

#include "core/csv.h"
#include "core/report.h"

#include <stddef.h>

struct sk_db;

struct sk_import_opts {
	const char *encoding;   /* NULL: detect */
	int ignore_unknown;     /* unknown columns are skipped, not errors */
	int skip_invalid;       /* import good rows, write bad ones to rejects */
	int dry_run;            /* check everything, change nothing */
	/* Progress while writing rows; may be NULL. */
	void (*progress)(void *payload, size_t done, size_t total);
	void *progress_payload;
};

struct sk_import_stats {
	size_t rows;       /* data rows read */
	size_t added;
	size_t updated;
	size_t unchanged;
	size_t rejected;
	char *rejects_path; /* set when a rejects file was written; caller frees */
	int rejects_failed; /* the rows were committed, their rejects file not written */
};

void sk_import_stats_release(struct sk_import_stats *s);

/* Tracks which rows of a doc are bad. */
struct sk_rowset {
	unsigned char *bad; /* per record index */
	size_t count;
};

int sk_rowset_init(struct sk_rowset *rs, size_t records);
void sk_rowset_release(struct sk_rowset *rs);

/* Write "<path>.rejects.csv": the header plus an `error` column, then each
 * bad record with the messages about its line (formatted in English).
 * Written to a temporary file and renamed, mode 0600 (it may hold personal
 * data). Sets stats->rejects_path. Called after the good rows are
 * committed, so a failure (SK_EIO, SK_ENOMEM) is added to rep, naming the
 * file, for the caller to say the rows went in but their rejects did not. */
int sk_import_write_rejects(const struct sk_csv_doc *doc, const struct sk_rowset *rs,
			    struct sk_report *rep, struct sk_import_stats *stats);

/* End an import whose rows were written inside the transaction begun on db:
 * count the rows rs marks bad into stats->rejected; then roll back — with
 * SK_EINPUT and every count zero when a row was bad and opts->skip_invalid
 * not given, or keeping the counts for opts->dry_run — or commit and, when
 * rows were skipped, write their rejects file (sk_import_write_rejects).
 * Returns 0 or the error. */
int sk_import_end(struct sk_db *db, const struct sk_csv_doc *doc, const struct sk_rowset *rs,
		  const struct sk_import_opts *opts, struct sk_report *rep, struct sk_import_stats *stats);

/* Put the report's entries from index `from` on in line order, keeping the
 * order of entries on the same line: checks run in passes (each row, then
 * rows against each other, then against the registry), but people read a
 * report top to bottom. Left as it is if memory runs out. */
void sk_import_sort_report(struct sk_report *rep, size_t from);

/* A value from the file as quoted in a message: control characters spelled
 * out ("\x1B", "\u0085") so a file cannot drive the terminal it is reported
 * on, and cut after SK_SHOWN_CHARS characters with "…" so one runaway field
 * does not flood it. Returns out, or NULL for NULL. */
#define SK_SHOWN_CHARS 48
#define SK_SHOWN_MAX (SK_SHOWN_CHARS * 6 + 8)
const char *sk_import_shown(char out[SK_SHOWN_MAX], const char *value);

/* Make every line break inside the doc's fields "\n": a cell with a line
 * break reads the same whether the file ends its lines with CRLF, CR or LF,
 * and its CR is not taken for a control character. In place. */
void sk_import_unify_breaks(struct sk_csv_doc *doc);

/* Directory part of a path ("." when none); caller frees. */
char *sk_path_dirname(const char *path);
/* Join dir and a relative name (an absolute name is returned as is). */
char *sk_path_join(const char *dir, const char *name);

/* Free-text checks shared by importers. Each returns NULL when the value is
 * acceptable, or a reason template with one %s for the limit. */
const char *sk_check_text(const char *value, size_t max_chars, char limit[24]);

#endif
