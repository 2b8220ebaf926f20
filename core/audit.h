/*
 * The audit log: an append-only, hash-chained record of every change to the
 * registry. A record says when, who (actor), by which command, to which
 * entity (kind and key, e.g. "candidate", "VN-2026-0001"), what was done
 * ("create", "update", ...) and the detail as a JSON object.
 *
 * Each record carries two keyed BLAKE2b hashes under the audit key:
 *   mac   = H(k, "audit-record" || at || actor || command || entity ||
 *               entity_key || action || detail)   (each length-prefixed)
 *   chain = H(k, "audit-chain" || previous chain || seq || mac)
 * so an edited record fails its mac, and a removed, inserted or reordered
 * record breaks the chain. Triggers refuse UPDATE and DELETE. A truncated
 * tail is only visible against a head written down elsewhere: verification
 * reports the head (seq and chain) for that purpose.
 *
 * sk_audit_append() must run inside the transaction that makes the change,
 * so the change and its record commit or vanish together.
 */
#ifndef SK_AUDIT_H
#define SK_AUDIT_H

#include "core/report.h"

#include <stdint.h>

struct sk_db;

int sk_audit_append(struct sk_db *db, const char *entity, const char *entity_key,
		    const char *action, const char *detail_json);

struct sk_audit_record {
	int64_t seq;
	const char *at, *actor, *command, *entity, *entity_key, *action, *detail;
};

struct sk_audit_filter {
	const char *entity;     /* NULL: any */
	const char *entity_key; /* NULL: any */
	int64_t since_seq;      /* 0: from the start */
	int64_t limit;          /* 0: no limit; otherwise the newest `limit` */
};

/* Call cb for each matching record in order; a non-zero return from cb stops
 * the walk and is returned. Record strings are valid during the call only. */
int sk_audit_foreach(struct sk_db *db, const struct sk_audit_filter *filter,
		     int (*cb)(void *payload, const struct sk_audit_record *rec), void *payload);

struct sk_audit_result {
	int64_t records;
	int64_t head_seq;
	char head[65];        /* hex chain of the last record */
	struct sk_report problems; /* one entry per bad record; field = "record N" */
};

/* Verify the whole chain. Fills out (caller releases out->problems).
 * If expect_seq > 0, also checks that record expect_seq has chain
 * expect_head (hex in either case; at least its first 16 digits), proving
 * the log was not cut back before it.
 * Returns 0 when intact, SK_EVERIFY when out->problems lists problems. */
int sk_audit_verify(struct sk_db *db, struct sk_audit_result *out,
		    int64_t expect_seq, const char *expect_head)
	__attribute__((warn_unused_result));

#endif
