/*
 * The key file: the secrets that must never be in the database. It sits
 * beside the database (DB.key), is created with mode 0600, and is refused if
 * anyone but its owner can read or write it. It holds one random master key from which
 * libsodium's KDF derives a sub-key per purpose, the id of the database
 * it belongs to, and the Ed25519 keys that sign certificates. Lose it and
 * every sealed value (passport numbers, sitting keys) is gone for good.
 *
 * File format (text, one entry a line, '#' comments):
 *     shiken-keys 2
 *     database <32 hex digits>
 *     master <base64 of 32 bytes>
 *     sign <kid> <created> <active|retired> <base64 of the 32-byte Ed25519 secret key>
 *
 * `database` and `master` appear once. Each `sign` line is one signing key:
 * its kid (jws.h: the first 16 characters of its RFC 7638 thumbprint,
 * checked against the key when the file is read), when it was made
 * ("YYYY-MM-DDTHH:MM:SSZ"), its status and its secret key (the RFC 8032
 * private key, i.e. libsodium's seed, which is also a JWK's "d"). At most
 * one key is active: it signs everything from now on; retired keys still
 * verify what they signed. Version 1 files (no `sign` lines) are still read;
 * they are rewritten as version 2 when a signing key is first added.
 *
 * Every change to the file writes a new file (mode 0600, fsync) beside it
 * and renames it into place, so a crash leaves the old file or the new one,
 * never half of one. Changes are made while holding the database's write
 * lock, re-reading the file first, so two processes cannot lose each
 * other's keys.
 *
 * Ownership: the keys live in a sodium_malloc() region owned by the handle
 * they are attached to (db->keys), wiped when it closes.
 */
#ifndef SK_KEYS_H
#define SK_KEYS_H

#include "core/jws.h"

#include <stddef.h>

#define SK_KEY_BYTES 32
#define SK_KEYS_VERSION 2    /* the version this build writes */
#define SK_SIGN_KEYS_MAX 32  /* signing keys a file may hold (a rotation a year is plenty) */

enum sk_key_purpose {
	SK_KEY_DATA = 1,   /* AEAD sealing of secret fields */
	SK_KEY_LOOKUP = 2, /* keyed hashes to find sealed values */
	SK_KEY_AUDIT = 3,  /* audit log MACs */
	SK_KEY_TICKET = 4, /* admission ticket and answer sheet MACs */
	SK_KEY_CHECK = 5,  /* proves a key file belongs to a database */
	SK_KEY_PURPOSES_
};

/* One certificate signing key. */
struct sk_sign_key {
	char kid[SK_KID_LEN + 1];
	char created[21];                  /* "YYYY-MM-DDTHH:MM:SSZ" */
	int active;                        /* 1: signs; 0: retired, still verifies */
	unsigned char secret[SK_ED25519_SECRET]; /* libsodium's form: seed || public key */
};

struct sk_keys {
	unsigned char master[SK_KEY_BYTES];
	unsigned char sub[SK_KEY_PURPOSES_][SK_KEY_BYTES];
	char database_id[33];
	int version;  /* of the file as read: 1 or 2 */
	size_t nsign; /* signing keys, oldest first */
	struct sk_sign_key sign[SK_SIGN_KEYS_MAX];
};

struct sk_db;

/* Default key file path for a database path: "<db>.key"; caller frees. */
char *sk_keys_default_path(const char *db_path);

/* Create a new key file at path for a new database (records its id in meta
 * and a check value that later opens compare). Refuses to overwrite a file.
 * Attaches the keys to db. Errors recorded on db: SK_EEXISTS, SK_EIO. */
int sk_keys_create(struct sk_db *db, const char *path);

/* Load the key file at path, check it is private and belongs to db, attach
 * it. Errors: SK_ENOTFOUND, SK_EKEYS (permissions, format, wrong database). */
int sk_keys_load(struct sk_db *db, const char *path);

/* A sub-key; NULL (with SK_EKEYS recorded) when no keys are attached. */
const unsigned char *sk_keys_get(struct sk_db *db, enum sk_key_purpose purpose);

void sk_keys_free(struct sk_keys *keys);

/* ---- certificate signing keys ---- */

/* Make a new Ed25519 signing key, active from now on; the active one (if
 * any) is retired. The key file at path (the one loaded) is re-read under
 * the database's write lock, changed and replaced atomically; the audit log
 * records the new key (kid and public key, never the secret) and the
 * retirement. *out_kid receives the new kid, *out_retired the kid of the
 * key it replaced ("" when there was none). Errors (recorded): SK_EFULL
 * (SK_SIGN_KEYS_MAX keys already), SK_EKEYS (the file changed to another
 * master key meanwhile, or cannot be read), SK_EIO, SK_EDB, SK_ENOMEM. */
int sk_keys_sign_generate(struct sk_db *db, const char *path, char out_kid[SK_KID_LEN + 1],
			  char out_retired[SK_KID_LEN + 1]);

/* Retire signing key kid: it no longer signs but still verifies. Retiring
 * the active key leaves nothing to sign with, so it needs `force`.
 * Errors: SK_ENOTFOUND (no such kid), SK_EEXISTS (already retired),
 * SK_ECONFLICT (the active key without force), as for generate. */
int sk_keys_sign_retire(struct sk_db *db, const char *path, const char *kid, int force);

/* The active signing key, or NULL with SK_ENOTFOUND recorded (or SK_EKEYS
 * when no key file is loaded). Owned by the handle. */
const struct sk_sign_key *sk_keys_signer(struct sk_db *db);

/* Add the public half of every signing key, active and retired, to ring.
 * 0, SK_EKEYS (no key file loaded) or SK_ENOMEM (recorded). */
int sk_keys_keyring(struct sk_db *db, struct sk_keyring *ring);

/* Sign a JSON object as a compact JWS of type typ with the active key
 * (jws.h). *out is malloc'd. Errors as sk_keys_signer, or SK_ENOMEM. */
int sk_keys_sign(struct sk_db *db, char **out, const char *typ, const json_t *payload);

#endif
