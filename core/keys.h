/*
 * The key file: the secrets that must never be in the database. It sits
 * beside the database (DB.key), is created with mode 0600, and is refused if
 * anyone but its owner can read or write it. It holds one random master key from which
 * libsodium's KDF derives a sub-key per purpose, and the id of the database
 * it belongs to. Lose it and every sealed value (passport numbers, sitting
 * keys) is gone for good.
 *
 * File format (text, one entry a line, '#' comments, each entry once):
 *     shiken-keys 1
 *     database <32 hex digits>
 *     master <base64 of 32 bytes>
 *
 * Ownership: the keys live in a sodium_malloc() region owned by the handle
 * they are attached to (db->keys), wiped when it closes.
 */
#ifndef SK_KEYS_H
#define SK_KEYS_H

#include <stddef.h>

#define SK_KEY_BYTES 32

enum sk_key_purpose {
	SK_KEY_DATA = 1,   /* AEAD sealing of secret fields */
	SK_KEY_LOOKUP = 2, /* keyed hashes to find sealed values */
	SK_KEY_AUDIT = 3,  /* audit log MACs */
	SK_KEY_TICKET = 4, /* admission ticket and answer sheet MACs */
	SK_KEY_CHECK = 5,  /* proves a key file belongs to a database */
	SK_KEY_PURPOSES_
};

struct sk_keys {
	unsigned char master[SK_KEY_BYTES];
	unsigned char sub[SK_KEY_PURPOSES_][SK_KEY_BYTES];
	char database_id[33];
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

#endif
