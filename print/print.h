/*
 * The documents a sitting puts on paper. Each function appends its pages to
 * a document (print/doc.h); the caller decides what goes in one file — one
 * candidate, or a room's bundle in seat order. Papers and answer sheets show
 * the exam number and paper code, never the candidate's name.
 *
 * All return 0, or an SK_E* code with a reason in err (e.g. a name with a
 * character no installed font has: the reason names the character and the
 * field).
 */
#ifndef SK_PRINT_H
#define SK_PRINT_H

#include "print/doc.h"

#include <stddef.h>

struct sk_db;

struct sk_print_opts {
	const char *lang; /* the candidate's language for instructions; NULL: theirs from the registry */
};

/* 受験票: photo, passport name, date of birth, exam number, test, date and
 * time, venue and address, room and seat, what to bring, a QR (exam number
 * and MAC) for check-in. One page. */
int sk_print_ticket(struct sk_db *db, const char *exam_number, const struct sk_print_opts *o,
		    struct sk_doc *doc, char *err, size_t errlen);

/* 出席簿: a room's candidates in seat order with photo, name, exam number and
 * a box for the signature; as many pages as it takes, page x / y. */
int sk_print_roster(struct sk_db *db, const char *sitting, const char *room,
		    const struct sk_print_opts *o, struct sk_doc *doc, char *err, size_t errlen);

/* Items set once and placed on many papers: a cache per sitting. */
struct sk_print_cache;
struct sk_print_cache *sk_print_cache_new(void);
void sk_print_cache_free(struct sk_print_cache *c);

/* 問題冊子: the cover, then 学科 and 実技 with items numbered as on the sheet,
 * options labelled, figures placed, no item split across pages. */
int sk_print_booklet(struct sk_db *db, const char *exam_number, const struct sk_print_opts *o,
		     struct sk_print_cache *cache, struct sk_doc *doc, char *err, size_t errlen);

/* 解答用紙: machine-readable answer sheet with corner marks, a QR (sitting,
 * exam number, paper code, page, MAC), one bubble row per item. The bubble
 * positions are recorded in the registry (sheet_layout) for scanners. */
int sk_print_sheet(struct sk_db *db, const char *exam_number, const struct sk_print_opts *o,
		   struct sk_print_cache *cache, struct sk_doc *doc, char *err, size_t errlen);

/* 合否結果通知書: the result of one graded registration — passport name,
 * exam number, test, sitting and date, the outcome (合格, 不合格, 欠席, 失格),
 * each section's score against its pass mark, and what happens next — in
 * Japanese (with furigana) and the candidate's language where a catalog
 * has it (o->lang overrides), otherwise English. One page. SK_ECONFLICT
 * for a registration not graded yet or cancelled. */
int sk_print_notice(struct sk_db *db, const char *exam_number, const struct sk_print_opts *o,
		    struct sk_doc *doc, char *err, size_t errlen);

/* 試験結果統計報告: the statistics of a selection (one sitting, or the
 * sittings of a period; exam/stats.h) for the ministry and the exam body —
 * who sat and passed per test, pass rate by test and by nationality, score
 * distributions with the pass mark, the pass rate across sittings (with a
 * sitting: it and up to eleven before it), how the figures are made — in
 * Japanese with English, charts as vector graphics. Groups of fewer than
 * min_cell candidates show no figures. SK_EINPUT when nobody in the
 * selection has a result yet. */
struct sk_stats_selection;
int sk_print_stats_report(struct sk_db *db, const struct sk_stats_selection *sel, int min_cell, struct sk_doc *doc,
			  char *err, size_t errlen);

/* 合格証明書: the pass certificate of one registration, A4 portrait only:
 * the holder (passport name, date of birth, nationality), the test and the
 * date passed, the certificate number, the statement of certification,
 * the date of issue and the exam body (settings cert.issuer_name_ja/_en),
 * a border and the emblem in vector, and the QR code holding
 * BASE_URL/c/TOKEN (setting cert.base_url) with the number and where to
 * verify under it. What it says of the holder and the test is read from the
 * stored token after it verified with the key file. One page.
 * SK_ENOTFOUND: no certificate issued, or no base URL set; SK_ECONFLICT:
 * revoked; SK_EVERIFY: the token does not verify; SK_EINVAL: not A4. */
int sk_print_certificate(struct sk_db *db, const char *exam_number, const struct sk_print_opts *o,
			 struct sk_doc *doc, char *err, size_t errlen);

#endif
