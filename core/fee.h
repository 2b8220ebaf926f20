/*
 * Fees (受験料). Each payment, refund or waiver is one record with a unique
 * receipt number, in the sitting's currency. The registration's fee status
 * follows from its records:
 *   waived   — a waiver is recorded (or the sitting charges nothing);
 *   paid     — payments minus refunds reach the sitting's fee;
 *   refunded — a refund brought the net below the fee;
 *   unpaid   — otherwise (partial payments included).
 * Importing the same receipt again changes nothing; the same receipt number
 * with different details is refused.
 */
#ifndef SK_FEE_H
#define SK_FEE_H

#include "core/import.h"
#include "core/report.h"

#include <stdint.h>

struct sk_payment {
	int64_t id;
	char exam_number[16];
	char reference[40];
	char kind[12];      /* payment, refund, waiver */
	int64_t amount;     /* minor units */
	char currency[4];
	char paid_at[20];
	char method[24];
	char receipt[48];
	char created_at[21];
};

struct sk_db;

/* Import fee records: columns exam_number or reference (with sitting when
 * the candidate has several registrations), amount, currency, paid_at,
 * method, receipt, kind (optional, default payment). */
int sk_fee_import(struct sk_db *db, const char *path, const struct sk_import_opts *opts,
		  struct sk_import_stats *stats, struct sk_report *rep);

/* Payments of one registration (exam_number) or all (NULL), oldest first. */
int sk_fee_foreach(struct sk_db *db, const char *exam_number, const char *sitting,
		   int (*cb)(void *payload, const struct sk_payment *p), void *payload);

/* Recompute and store the fee status of a registration (inside the caller's
 * transaction); *out_status (may be NULL, out[12]) receives it. */
int sk_fee_refresh(struct sk_db *db, int64_t registration_id, char out_status[12], int *changed);

#endif
