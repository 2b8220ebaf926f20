/*
 * Responses: what comes back from a sitting.
 *
 * Answer-sheet marks arrive as the CSV an OMR reading service returns: the
 * exam number, the paper code printed on the sheet, then one column per
 * printed question position ("1", "2", ... or "q1", "q2", ...) holding the
 * mark read there:
 *
 *   O or ○, X or ×    a 学科 (true/false) answer
 *   A to E            a 実技 (multiple-choice) answer
 *   (empty)           nothing marked
 *   AC, A C, A/C      several marks (scored wrong and flagged, not refused)
 *   *                 several marks the reader could not tell apart
 *
 * Stored per registration as one byte per position (core/sql/0005): bit 0
 * = ○/A, bit 1 = ×/B, bits 2-4 = C-E, 0 blank, SK_MARK_UNCLEAR for '*'.
 *
 * Checks, each reported as file:line: column: reason: an unknown or
 * cancelled exam number; a paper code that is not that registration's
 * paper (or a registration without a paper); a mark beyond the paper's
 * last question; a mark that question cannot have (E on a four-option
 * question, A on a ○× question, O on a multiple-choice one); the same exam
 * number twice in the file; a registration already imported with different
 * marks (unless replace). Importing the same marks again changes nothing.
 * All or nothing unless opts->skip_invalid.
 *
 * Sections graded by examiners (item kind 'scored') come from their own
 * CSV: exam_number, section (its code), points, max_points, examiners (one
 * or more names, ';'-separated), note (optional). Same rules: all or
 * nothing, a different score for one already imported only with replace.
 *
 * Every stored or replaced response and score is audited (entity
 * "response" / "score", key the exam number).
 */
#ifndef SK_RESPONSE_H
#define SK_RESPONSE_H

#include "core/import.h"
#include "core/report.h"

#include <stddef.h>
#include <stdint.h>

#define SK_MARK_BLANK 0x00
#define SK_MARK_UNCLEAR 0x80
#define SK_MARK_MAX_POSITIONS 200

struct sk_db;

/* Import answer-sheet marks (see above). With replace, a registration
 * already imported with other marks takes the new ones (audited with the
 * old and new marks). stats: added, updated (replaced), unchanged, skipped. */
int sk_responses_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts, int replace,
			struct sk_import_stats *stats, struct sk_report *rep);

/* Import examiners' section scores (see above). */
int sk_scores_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts, int replace,
		     struct sk_import_stats *stats, struct sk_report *rep);

/* The marks of one registration: *n positions into marks[]. SK_ENOTFOUND
 * when none were imported. */
int sk_response_get(struct sk_db *db, const char *exam_number, unsigned char marks[SK_MARK_MAX_POSITIONS],
		    size_t *n, char paper_code[16]);

/* A mark as printed ("A", "○", "AC", "*", "" for blank) into out[16];
 * tf: bit 0 is ○ and bit 1 is ×. */
const char *sk_mark_format(unsigned char mark, int tf, char out[16]);

/* Parse a mark as an OMR CSV holds it (see above) for a question of the
 * given kind and option count: 0 with *mark set, or SK_EINPUT with a
 * reason in why (for the report). Letters may be lower case or full-width;
 * ○ may also be written ◯ or 〇, × also ✕, * also ＊; several marks may be
 * separated by spaces or '/'. why is an English template (N_) whose first
 * %s is the text as written and whose second, when it has one, is what the
 * question takes ("O or X", "A-D"). */
int sk_mark_parse(const char *text, int tf, int noptions, unsigned char *mark, const char **why);

#endif
