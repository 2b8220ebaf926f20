/*
 * mint_cert: a test tool that signs any claims read from standard input
 * (the payload object of exam/certificate.h) with the registry's active key
 * and prints the token; given an exam number it also records the
 * certificate for that registration, as 'cert issue' does. The tests of
 * verify use it for claims issue would never make (chosen numbers and
 * times, other issuers). Only the command-level tests use it.
 *
 *     mint_cert DB KEYFILE [EXAM_NUMBER] < claims.json
 */
#include "core/date.h"
#include "core/db.h"
#include "core/keys.h"
#include "exam/certificate.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int die(const char *what, const char *detail)
{
	fprintf(stderr, "mint_cert: %s: %s\n", what, detail ? detail : "");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4)
		return die("usage", "mint_cert DB KEYFILE [EXAM_NUMBER] < claims.json");
	char err[512];
	struct sk_db *db = NULL;
	if (sk_db_open(&db, argv[1], 0, err, sizeof(err)))
		return die("database", err);
	if (sk_keys_load(db, argv[2]))
		return die("key file", sk_db_errmsg(db));
	json_error_t jerr;
	json_t *payload = json_loadf(stdin, 0, &jerr);
	if (!payload)
		return die("claims", jerr.text);
	struct sk_cert_claims c;
	const char *why = NULL;
	if (sk_cert_claims_read(&c, payload, &why))
		return die("claims", why);
	char *token = NULL;
	if (sk_cert_sign(db, &token, &c))
		return die("signing", sk_db_errmsg(db));
	if (argc == 4) {
		static const char sql[] = "INSERT INTO certificate (number, registration_id, token, kid, issued_at)"
					  " SELECT ?1, id, ?2, ?3, ?4 FROM registration WHERE exam_number = ?5";
		char issued[21];
		sk_time_format(issued, (long long)c.issued_at);
		sqlite3_stmt *st = sk_db_stmt(db, sql);
		if (!st)
			return die("database", sk_db_errmsg(db));
		sqlite3_bind_text(st, 1, c.number, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, token, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, sk_keys_signer(db)->kid, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, issued, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, argv[3], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db->sql) != 1)
			return die("recording", sqlite3_errmsg(db->sql));
		sqlite3_reset(st);
	}
	puts(token);
	free(token);
	json_decref(payload);
	sk_db_close(db);
	return 0;
}
