/* The hash-chained audit log; see audit.h for the construction. */
#include "core/audit.h"
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void add_lp(crypto_generichash_state *st, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char len[4] = { (unsigned char)n, (unsigned char)(n >> 8),
				 (unsigned char)(n >> 16), (unsigned char)(n >> 24) };
	crypto_generichash_update(st, len, 4);
	if (n)
		crypto_generichash_update(st, (const unsigned char *)s, n);
}

static void record_mac(unsigned char out[32], const unsigned char *key,
		       const struct sk_audit_record *r)
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, 32, 32);
	crypto_generichash_update(&st, (const unsigned char *)"audit-record", 13);
	add_lp(&st, r->at);
	add_lp(&st, r->actor);
	add_lp(&st, r->command);
	add_lp(&st, r->entity);
	add_lp(&st, r->entity_key);
	add_lp(&st, r->action);
	add_lp(&st, r->detail);
	crypto_generichash_final(&st, out, 32);
}

static void chain_hash(unsigned char out[32], const unsigned char *key,
		       const unsigned char prev[32], int64_t seq, const unsigned char mac[32])
{
	unsigned char s[8];
	for (int i = 0; i < 8; i++)
		s[i] = (unsigned char)((uint64_t)seq >> (8 * i));
	crypto_generichash_state st;
	crypto_generichash_init(&st, key, 32, 32);
	crypto_generichash_update(&st, (const unsigned char *)"audit-chain", 12);
	crypto_generichash_update(&st, prev, 32);
	crypto_generichash_update(&st, s, 8);
	crypto_generichash_update(&st, mac, 32);
	crypto_generichash_final(&st, out, 32);
}

static const char sql_tail[] = "SELECT seq, chain FROM audit ORDER BY seq DESC LIMIT 1";
static const char sql_insert[] =
	"INSERT INTO audit (seq, at, actor, command, entity, entity_key, action, detail, mac, chain) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

int sk_audit_append(struct sk_db *db, const char *entity, const char *entity_key,
		    const char *action, const char *detail_json)
{
	const unsigned char *key = sk_keys_get(db, SK_KEY_AUDIT);
	if (!key)
		return SK_EKEYS;
	if (db->tx_depth <= 0)
		return sk_db_fail(db, SK_EINVAL, "audit record outside a transaction");

	int64_t seq = 1;
	unsigned char prev[32] = { 0 };
	int rc;
	sqlite3_stmt *st;
	if (db->audit_tail_known) {
		/* We hold the write lock since the tail was read: nobody else appended. */
		seq = db->audit_tail_seq + 1;
		memcpy(prev, db->audit_tail_chain, 32);
	} else {
		st = sk_db_stmt(db, sql_tail);
		if (!st)
			return db->err;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			seq = sqlite3_column_int64(st, 0) + 1;
			if (sqlite3_column_bytes(st, 1) == 32)
				memcpy(prev, sqlite3_column_blob(st, 1), 32);
		} else if (rc != SQLITE_DONE) {
			return sk_db_sqlfail(db, "reading the audit log");
		}
		sqlite3_reset(st);
	}

	char at[21];
	sk_db_now(db, at);
	struct sk_audit_record r = {
		.seq = seq, .at = at, .actor = db->actor, .command = db->command,
		.entity = entity, .entity_key = entity_key ? entity_key : "",
		.action = action, .detail = detail_json ? detail_json : "{}",
	};
	unsigned char mac[32], chain[32];
	record_mac(mac, key, &r);
	chain_hash(chain, key, prev, seq, mac);

	st = sk_db_stmt(db, sql_insert);
	if (!st)
		return db->err;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, r.at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r.actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r.command, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r.entity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r.entity_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r.action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r.detail, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, mac, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 10, chain, 32, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_sqlfail(db, "appending to the audit log");
	sqlite3_reset(st);
	if (rc == 0) {
		db->audit_tail_known = 1;
		db->audit_tail_seq = seq;
		memcpy(db->audit_tail_chain, chain, 32);
	} else {
		db->audit_tail_known = 0;
	}
	return rc;
}

static void fill_record(sqlite3_stmt *st, struct sk_audit_record *r)
{
	r->seq = sqlite3_column_int64(st, 0);
	r->at = (const char *)sqlite3_column_text(st, 1);
	r->actor = (const char *)sqlite3_column_text(st, 2);
	r->command = (const char *)sqlite3_column_text(st, 3);
	r->entity = (const char *)sqlite3_column_text(st, 4);
	r->entity_key = (const char *)sqlite3_column_text(st, 5);
	r->action = (const char *)sqlite3_column_text(st, 6);
	r->detail = (const char *)sqlite3_column_text(st, 7);
}

int sk_audit_foreach(struct sk_db *db, const struct sk_audit_filter *f,
		     int (*cb)(void *payload, const struct sk_audit_record *rec), void *payload)
{
	static const char sql[] =
		"SELECT * FROM ("
		" SELECT seq, at, actor, command, entity, entity_key, action, detail FROM audit"
		" WHERE (?1 IS NULL OR entity = ?1) AND (?2 IS NULL OR entity_key = ?2) AND seq > ?3"
		" ORDER BY seq DESC LIMIT ?4"
		") ORDER BY seq";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "reading the audit log");
	if (f && f->entity)
		sqlite3_bind_text(st, 1, f->entity, -1, SQLITE_STATIC);
	if (f && f->entity_key)
		sqlite3_bind_text(st, 2, f->entity_key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f ? f->since_seq : 0);
	sqlite3_bind_int64(st, 4, f && f->limit > 0 ? f->limit : -1);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_audit_record r;
		fill_record(st, &r);
		int stop = cb(payload, &r);
		if (stop) {
			sqlite3_finalize(st);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : sk_db_sqlfail(db, "reading the audit log");
	sqlite3_finalize(st);
	return rc;
}

int sk_audit_verify(struct sk_db *db, struct sk_audit_result *out,
		    int64_t expect_seq, const char *expect_head)
{
	memset(out, 0, sizeof(*out));
	sk_report_init(&out->problems);
	const unsigned char *key = sk_keys_get(db, SK_KEY_AUDIT);
	if (!key)
		return SK_EKEYS;
	static const char sql[] =
		"SELECT seq, at, actor, command, entity, entity_key, action, detail, mac, chain "
		"FROM audit ORDER BY seq";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
		return sk_db_sqlfail(db, "reading the audit log");
	unsigned char prev[32] = { 0 };
	int64_t last_seq = 0;
	int found_expected = 0;
	int rc;
	char where[48], a0[32], a1[32];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_audit_record r;
		fill_record(st, &r);
		out->records++;
		snprintf(where, sizeof(where), "record %lld", (long long)r.seq);
		unsigned char mac[32], chain[32], stored_chain[32] = { 0 };
		int mac_ok = sqlite3_column_bytes(st, 8) == 32 &&
			     (record_mac(mac, key, &r),
			      sodium_memcmp(mac, sqlite3_column_blob(st, 8), 32) == 0);
		int chain_len_ok = sqlite3_column_bytes(st, 9) == 32;
		if (chain_len_ok)
			memcpy(stored_chain, sqlite3_column_blob(st, 9), 32);

		if (r.seq != last_seq + 1) {
			snprintf(a0, sizeof(a0), "%lld", (long long)(last_seq + 1));
			snprintf(a1, sizeof(a1), "%lld", (long long)(r.seq - 1));
			if (r.seq > last_seq + 1)
				sk_report_add(&out->problems, NULL, 0, where,
					      r.seq == last_seq + 2
						      ? N_("record %s is missing (deleted)")
						      : N_("records %s to %s are missing (deleted)"),
					      a0, a1, NULL);
		}
		if (!mac_ok) {
			sk_report_add(&out->problems, NULL, 0, where,
				      N_("contents do not match the record's MAC (edited, or added without the key)"),
				      NULL, NULL, NULL);
		} else {
			chain_hash(chain, key, prev, r.seq, mac);
			if (!chain_len_ok || sodium_memcmp(chain, stored_chain, 32) != 0) {
				if (r.seq == last_seq + 1)
					sk_report_add(&out->problems, NULL, 0, where,
						      N_("does not follow the record before it (a record was removed, inserted or reordered)"),
						      NULL, NULL, NULL);
			}
		}
		if (expect_seq > 0 && r.seq == expect_seq) {
			found_expected = 1;
			char hex[65];
			sodium_bin2hex(hex, sizeof(hex), stored_chain, 32);
			/* A head copied back from paper may be in capitals. */
			if (!expect_head || strncasecmp(hex, expect_head, strlen(expect_head)) != 0 ||
			    strlen(expect_head) < 16)
				sk_report_add(&out->problems, NULL, 0, where,
					      N_("does not match the head written down earlier"),
					      NULL, NULL, NULL);
		}
		memcpy(prev, stored_chain, 32);
		last_seq = r.seq;
	}
	if (rc != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "reading the audit log");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if (expect_seq > 0 && !found_expected) {
		snprintf(where, sizeof(where), "record %lld", (long long)expect_seq);
		sk_report_add(&out->problems, NULL, 0, where,
			      N_("is gone: the log was cut back below the head written down earlier"),
			      NULL, NULL, NULL);
	}
	out->head_seq = last_seq;
	sodium_bin2hex(out->head, sizeof(out->head), prev, 32);
	return out->problems.count ? SK_EVERIFY : 0;
}
