/*
 * The candidate ledger (受験者台帳): the registry's permanent record of
 * every attempt of every candidate — exam number, sitting and date, test,
 * section scores against their pass marks, outcome (pass, fail, absent,
 * disqualified; pending until graded; cancelled), the grading run, and the
 * certificate number once one is issued. Read from the `ledger` view and
 * result_section (core/sql/0005); nothing here writes.
 */
#ifndef SK_LEDGER_H
#define SK_LEDGER_H

#include <stddef.h>
#include <stdint.h>

struct sk_db;

/* A section of the attempt's test and its score; points and max_points
 * are -1 (passed 0) when no score is stored: pending, absent, cancelled. */
struct sk_ledger_section {
	char code[32];
	char name_ja[64], name_en[64];
	int points, max_points, pass_percent, passed;
};

struct sk_ledger_row {
	char reference[40];        /* candidate */
	char family_name[128], given_name[128];
	char date_of_birth[11];
	char nationality[3];
	char exam_number[16];
	char sitting[40];
	char exam_date[11];
	char test[16];
	char category_ja[96], category_en[96];
	int level;
	char outcome[16];          /* pass, fail, absent, disqualified, pending, cancelled */
	char graded_at[24];
	int64_t run_id;
	char certificate[32];      /* "" until issued */
	int nsections;             /* every section of the test, in order */
	struct sk_ledger_section sections[8];
};

struct sk_ledger_filter {
	const char *candidate;     /* reference, or NULL */
	const char *sitting;       /* code, or NULL */
	const char *test;          /* code, or NULL */
	const char *outcome;       /* or NULL */
};

/* Call cb for each matching attempt, ordered by candidate reference then
 * exam date and exam number. A non-zero return from cb stops and is
 * returned. SK_ENOTFOUND when filter->candidate names no candidate. */
int sk_ledger_foreach(struct sk_db *db, const struct sk_ledger_filter *filter,
		      int (*cb)(void *payload, const struct sk_ledger_row *row), void *payload);

/* How many section positions an export needs so that every attempt fits:
 * the most sections any test of the registry has (at least 1, at most 8).
 * It depends on the tests, not on a filter, so exports of one registry
 * share their columns. Negative SK_E* on error. */
int sk_ledger_section_slots(struct sk_db *db);

#endif
