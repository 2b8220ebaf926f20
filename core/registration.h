/*
 * Registrations: a candidate in a sitting for a test. Each gets an exam
 * number (examno.h) and a seat drawn at random among the free seats of the
 * sitting's rooms by a keyed draw from the sitting key and the exam number —
 * reproducible by whoever holds the key, unpredictable to anyone else, so
 * friends who register together do not end up side by side.
 *
 * Refused: an unknown candidate, sitting or test; a test the sitting does not
 * offer; a candidate under the test's minimum age on the exam date; a second
 * registration in the same sitting; a full sitting or room. Registering the
 * same candidate for the same sitting and test again changes nothing.
 */
#ifndef SK_REGISTRATION_H
#define SK_REGISTRATION_H

#include "core/examno.h"
#include "core/import.h"
#include "core/report.h"

#include <stdint.h>

struct sk_registration {
	int64_t id;
	char exam_number[SK_EXAMNO_LEN + 1];
	char sitting[40];
	char exam_date[11];
	char test[16];
	char reference[40];
	char family_name[128], given_name[128];
	char nationality[3];
	char room[24];
	int seat_row, seat_col;
	char seat[16];          /* "C-07" */
	char fee_status[12];    /* unpaid, paid, waived, refunded */
	char status[12];        /* registered, cancelled */
	char created_at[21];
};

struct sk_registration_filter {
	const char *sitting;    /* code or NULL */
	const char *test;       /* code or NULL */
	const char *reference;  /* candidate or NULL */
	const char *room;       /* room code or NULL */
	int unpaid_only;
	int include_cancelled;
};

struct sk_db;

/* Register one candidate. `room` may be NULL (any room of the venue).
 * On success out_exam_number (may be NULL) receives the exam number and
 * *outcome is 1 (added) or 0 (already registered the same way).
 * Problems go to rep (file/line as given, may be NULL/0): SK_EINPUT. */
int sk_register(struct sk_db *db, const char *reference, const char *sitting, const char *test,
		const char *room, char out_exam_number[SK_EXAMNO_LEN + 1], int *outcome,
		struct sk_report *rep);

/* Import registrations: columns reference, sitting, test, room (optional). */
int sk_register_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		       struct sk_import_stats *stats, struct sk_report *rep);

/* Cancel a registration (its seat is freed; the exam number is never
 * reused). SK_ENOTFOUND, SK_ECONFLICT (already cancelled). */
int sk_register_cancel(struct sk_db *db, const char *exam_number, const char *reason);

int sk_registration_get(struct sk_db *db, const char *exam_number, struct sk_registration *out);
int sk_registration_foreach(struct sk_db *db, const struct sk_registration_filter *f,
			    int (*cb)(void *payload, const struct sk_registration *r),
			    void *payload);

#endif
