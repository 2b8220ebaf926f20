/*
 * Sittings (試験回): one date and start time at one venue, offering one or
 * more tests, with a capacity and a fee. Each sitting gets a serial number
 * (the first part of its exam numbers) and a secret key, sealed with the data
 * key, from which seats (and later paper permutations) are derived.
 */
#ifndef SK_SITTING_H
#define SK_SITTING_H

#include "core/import.h"
#include "core/report.h"

#include <stdint.h>

struct sk_sitting {
	int64_t id;
	char code[40];
	int serial;
	char exam_date[11];  /* YYYY-MM-DD */
	char start_time[16]; /* HH:MM, local time at the venue */
	char venue[40];      /* venue code */
	int64_t venue_id;
	int capacity;
	int64_t fee_amount;  /* minor units */
	char fee_currency[8];
	size_t ntests;
	char tests[16][16];  /* test codes */
	int registered;      /* live registrations (filled by get/foreach) */
};

struct sk_db;

/* Create a sitting, or update the one with the same code. Capacity 0 means
 * every seat of the venue. Refused: unknown venue or test, capacity above
 * the venue's seats or below the registrations already made, removing a test
 * that has registrations (cancelled ones too), a new date on which a
 * registered candidate would be under age, a new currency once fee records
 * exist. A changed fee recomputes every registration's fee status. Date and
 * time are stored as YYYY-MM-DD and HH:MM however typed. Nothing is written
 * when anything is refused. *outcome: 0 unchanged, 1 added, 2 updated.
 * `fee` is the amount as typed ("12000", "35.50"). */
int sk_sitting_save(struct sk_db *db, const struct sk_sitting *s, const char *fee,
		    int *outcome, struct sk_report *rep);

/* Import sittings: columns sitting, date, start_time, venue, tests (codes
 * separated by ';' or spaces), capacity (optional), fee, currency. */
int sk_sitting_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		      struct sk_import_stats *stats, struct sk_report *rep);

/* Split a list of test codes ("MM1;EE1" or "MM1 EE1") into s->tests.
 * 0, or -1 when there are more than 16. */
int sk_sitting_parse_tests(struct sk_sitting *s, const char *list);

int sk_sitting_get(struct sk_db *db, const char *code, struct sk_sitting *out);
int sk_sitting_get_id(struct sk_db *db, int64_t id, struct sk_sitting *out);
int sk_sitting_foreach(struct sk_db *db, int (*cb)(void *payload, const struct sk_sitting *s),
		       void *payload);

/* Open the sitting's secret key into key[32] (wipe it after use). */
int sk_sitting_key(struct sk_db *db, int64_t sitting_id, unsigned char key[32]);

#endif
