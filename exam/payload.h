/*
 * What the QR codes on admission tickets and answer sheets carry: the data,
 * plus a MAC under the key file's ticket key so a forged or altered code is
 * refused when scanned. The MAC is 80 bits of keyed BLAKE2b, written in
 * Crockford base32 (no I, L, O, U) to stay short and easy to read aloud.
 *
 *   ticket: "SK1T:<exam number>:<mac>"                     e.g. SK1T:0001-00042-6:8Z3Q0W5K1M7R2T4C
 *   sheet:  "SK1S:<sitting>:<exam number>:<paper code>:<page>:<mac>"
 *
 * Verification recomputes the MAC before trusting any field, and compares in
 * constant time.
 */
#ifndef SK_PAYLOAD_H
#define SK_PAYLOAD_H

#include <stddef.h>

#define SK_PAYLOAD_MAX 160

struct sk_db;

int sk_payload_ticket(struct sk_db *db, const char *exam_number, char out[SK_PAYLOAD_MAX]);
int sk_payload_sheet(struct sk_db *db, const char *sitting, const char *exam_number,
		     const char *paper_code, int page, char out[SK_PAYLOAD_MAX]);

struct sk_payload {
	char kind;              /* 'T' ticket, 'S' sheet */
	char sitting[48];
	char exam_number[16];
	char paper_code[16];
	int page;
};

/* Check a scanned payload. 0 when genuine (fields in out); SK_EINPUT when it
 * is not a shiken code at all; SK_EVERIFY when the MAC does not match (forged,
 * altered, or from another registry). */
int sk_payload_verify(struct sk_db *db, const char *scanned, struct sk_payload *out)
	__attribute__((warn_unused_result));

#endif
