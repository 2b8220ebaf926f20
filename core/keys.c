/*
 * Key file creation, loading and signing-key rotation; see keys.h for the
 * format. A new file is written with O_EXCL and mode 0600 in one step, a
 * changed one through a private temporary file renamed into place, so there
 * is no moment when a key is readable by others or half written.
 */
#include "core/keys.h"
#include "core/audit.h"
#include "core/report.h"
#include "core/db.h"
#include "core/error.h"
#include "core/jws.h"

#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KDF_CONTEXT "shikenv1"

char *sk_keys_default_path(const char *db_path)
{
	size_t n = strlen(db_path);
	char *p = malloc(n + 5);
	if (p) {
		memcpy(p, db_path, n);
		memcpy(p + n, ".key", 5);
	}
	return p;
}

void sk_keys_free(struct sk_keys *keys)
{
	if (keys)
		sodium_free(keys);
}

static struct sk_keys *keys_alloc(void)
{
	if (sodium_init() < 0)
		return NULL;
	struct sk_keys *k = sodium_malloc(sizeof(*k));
	if (k)
		sodium_memzero(k, sizeof(*k));
	return k;
}

static void derive(struct sk_keys *k)
{
	for (int p = 1; p < SK_KEY_PURPOSES_; p++)
		crypto_kdf_derive_from_key(k->sub[p], SK_KEY_BYTES, (uint64_t)p, KDF_CONTEXT, k->master);
}

static void check_value(const struct sk_keys *k, char out[65])
{
	unsigned char h[32];
	static const char label[] = "shiken key check";
	crypto_generichash(h, sizeof(h), (const unsigned char *)label, sizeof(label) - 1,
			   k->sub[SK_KEY_CHECK], SK_KEY_BYTES);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

const unsigned char *sk_keys_get(struct sk_db *db, enum sk_key_purpose purpose)
{
	if (!db->keys) {
		sk_db_fail(db, SK_EKEYS, "no key file loaded");
		return NULL;
	}
	return db->keys->sub[purpose];
}

/* The key file's text (version 2) in a sodium_malloc'd string: *out, and
 * its length. 0 or SK_ENOMEM. */
static int keys_format(const struct sk_keys *k, char **out, size_t *out_len)
{
	size_t cap = 1024 + k->nsign * 160;
	char *text = sodium_malloc(cap);
	*out = NULL;
	if (!text)
		return SK_ENOMEM;
	char b64[sodium_base64_ENCODED_LEN(SK_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof(b64), k->master, SK_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL);
	size_t n = (size_t)snprintf(text, cap,
				    "# shiken key file for database %s\n"
				    "# Keep it private (mode 0600) and back it up apart from the database:\n"
				    "# without it, passport numbers and sitting keys cannot be decrypted.\n"
				    "shiken-keys %d\n"
				    "database %s\n"
				    "master %s\n",
				    k->database_id, SK_KEYS_VERSION, k->database_id, b64);
	if (k->nsign)
		n += (size_t)snprintf(text + n, cap - n,
				      "# certificate signing keys (Ed25519): kid, created, status, secret key\n");
	for (size_t i = 0; i < k->nsign && n < cap; i++) {
		/* The secret half is the seed: the public half is derived again. */
		sodium_bin2base64(b64, sizeof(b64), k->sign[i].secret, SK_ED25519_SEED,
				  sodium_base64_VARIANT_ORIGINAL);
		n += (size_t)snprintf(text + n, cap - n, "sign %s %s %s %s\n", k->sign[i].kid,
				      k->sign[i].created, k->sign[i].active ? "active" : "retired", b64);
	}
	sodium_memzero(b64, sizeof(b64));
	if (n >= cap) { /* cannot happen: every line is bounded */
		sodium_free(text);
		return SK_ENOMEM;
	}
	*out = text;
	*out_len = n;
	return 0;
}

int sk_keys_create(struct sk_db *db, const char *path)
{
	struct sk_keys *k = keys_alloc();
	if (!k)
		return sk_db_fail(db, SK_ENOMEM, "cannot allocate secure memory for keys");
	int rc = 0, fd = -1;
	char *text = NULL;
	size_t n = 0;
	randombytes_buf(k->master, sizeof(k->master));
	unsigned char id[16];
	randombytes_buf(id, sizeof(id));
	sodium_bin2hex(k->database_id, sizeof(k->database_id), id, sizeof(id));
	k->version = SK_KEYS_VERSION;
	derive(k);
	if (keys_format(k, &text, &n)) {
		rc = sk_db_fail(db, SK_ENOMEM, "cannot allocate secure memory for keys");
		goto cleanup;
	}

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = sk_db_fail(db, errno == EEXIST ? SK_EEXISTS : SK_EIO,
				errno == EEXIST ? N_("key file '%s' already exists; it belongs to another database")
						: N_("cannot create key file '%s': %s"),
				path, strerror(errno));
		goto cleanup;
	}
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
		rc = sk_db_fail(db, SK_EIO, "cannot write key file '%s': %s", path, strerror(errno));
		unlink(path);
		goto cleanup;
	}

	char check[65];
	check_value(k, check);
	if ((rc = sk_db_meta_set(db, "database_id", k->database_id)) ||
	    (rc = sk_db_meta_set(db, "key_check", check))) {
		unlink(path);
		goto cleanup;
	}
	sk_keys_free(db->keys);
	db->keys = k;
	k = NULL;
cleanup:
	if (fd >= 0)
		close(fd);
	if (text)
		sodium_free(text);
	sk_keys_free(k);
	return rc;
}

/* A "sign" entry: "<kid> <created> <active|retired> <base64 seed>". */
static const char *parse_sign(struct sk_keys *k, char *value)
{
	char *f[4];
	for (int i = 0; i < 4; i++) {
		f[i] = value;
		char *sp = strchr(value, ' ');
		if (i < 3) {
			if (!sp)
				return "expected 'sign KID CREATED STATUS KEY'";
			*sp = '\0';
			value = sp + 1;
		} else if (sp) {
			return "expected 'sign KID CREATED STATUS KEY'";
		}
	}
	if (k->nsign == SK_SIGN_KEYS_MAX)
		return "too many signing keys";
	struct sk_sign_key *s = &k->sign[k->nsign];
	if (strlen(f[1]) != 20 || f[1][4] != '-' || f[1][7] != '-' || f[1][10] != 'T' || f[1][19] != 'Z')
		return "signing key creation time is not like 2026-11-22T09:00:00Z";
	if (!strcmp(f[2], "active"))
		s->active = 1;
	else if (strcmp(f[2], "retired") != 0)
		return "signing key status is neither 'active' nor 'retired'";
	unsigned char seed[SK_ED25519_SEED], pk[SK_ED25519_PUBLIC];
	size_t got = 0;
	if (sodium_base642bin(seed, sizeof(seed), f[3], strlen(f[3]), NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != SK_ED25519_SEED) {
		sodium_memzero(seed, sizeof(seed));
		return "signing key is not 32 bytes of base64";
	}
	crypto_sign_seed_keypair(pk, s->secret, seed);
	sodium_memzero(seed, sizeof(seed));
	sk_jws_kid(s->kid, pk);
	/* The kid is written beside the key so people can tell keys apart; a
	 * kid that does not match its key means the line was edited or damaged. */
	if (strcmp(s->kid, f[0]) != 0)
		return "signing key does not match its kid";
	memcpy(s->created, f[1], 21);
	for (size_t i = 0; i < k->nsign; i++) {
		if (!strcmp(k->sign[i].kid, s->kid))
			return "signing key appears twice";
		if (s->active && k->sign[i].active)
			return "two signing keys are active";
	}
	k->nsign++;
	return NULL;
}

/* Parse the key file text in place. Returns 0 or a reason (static). */
static const char *parse_keys(struct sk_keys *k, char *text, long *out_line)
{
	int have_header = 0, have_db = 0, have_master = 0;
	long line = 0;
	/* Split by hand: strtok would skip blank lines and miscount the line
	 * numbers that the messages give. */
	for (char *l = text, *next; l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		if (!next && !*l)
			break;
		line++;
		*out_line = line;
		size_t len = strlen(l);
		if (len && l[len - 1] == '\r')
			l[--len] = '\0';
		if (!len || l[0] == '#')
			continue;
		char *value = strchr(l, ' ');
		if (!value)
			return "expected 'name value'";
		*value++ = '\0';
		if (!have_header) {
			if (strcmp(l, "shiken-keys") != 0)
				return "not a shiken key file";
			if (strcmp(value, "1") == 0)
				k->version = 1;
			else if (strcmp(value, "2") == 0)
				k->version = 2;
			else
				return "key file version not supported by this build";
			have_header = 1;
		} else if (strcmp(l, "database") == 0) {
			if (have_db)
				return "'database' appears twice";
			if (strlen(value) != 32 || strspn(value, "0123456789abcdef") != 32)
				return "database id is not 32 hex digits";
			memcpy(k->database_id, value, 33);
			have_db = 1;
		} else if (strcmp(l, "master") == 0) {
			if (have_master)
				return "'master' appears twice";
			size_t got = 0;
			if (sodium_base642bin(k->master, sizeof(k->master), value, strlen(value), NULL,
					      &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
			    got != SK_KEY_BYTES)
				return "master key is not 32 bytes of base64";
			have_master = 1;
		} else if (strcmp(l, "sign") == 0 && k->version >= 2) {
			const char *why = parse_sign(k, value);
			if (why)
				return why;
		} else {
			return "unknown entry";
		}
	}
	if (!have_header)
		return "not a shiken key file";
	if (!have_db || !have_master)
		return "incomplete key file (needs database and master)";
	return NULL;
}

/* Read, check and parse the key file at path into a new sk_keys (*out),
 * without looking at the database. */
static int keys_read(struct sk_db *db, const char *path, struct sk_keys **out)
{
	int rc = 0, fd = -1;
	char *text = NULL;
	*out = NULL;
	struct sk_keys *k = keys_alloc();
	if (!k)
		return sk_db_fail(db, SK_ENOMEM, "cannot allocate secure memory for keys");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			rc = sk_db_fail(db, SK_ENOTFOUND,
					"no key file '%s': put back the copy made with the database (without it, "
					"passport numbers and sitting keys cannot be read), or give --key-file", path);
		else
			rc = sk_db_fail(db, SK_EIO, "cannot open key file '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		rc = sk_db_fail(db, SK_EIO, "cannot stat key file '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	if (st.st_mode & 077) {
		/* Write access for others is as bad: they could swap the keys. */
		rc = sk_db_fail(db, SK_EKEYS,
				st.st_mode & 044
					? N_("key file '%s' can be read by others (mode %04o); run: chmod 600 '%s'")
					: N_("key file '%s' is open to others (mode %04o); run: chmod 600 '%s'"),
				path, (unsigned)(st.st_mode & 07777), path);
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > 65536) {
		rc = sk_db_fail(db, SK_EKEYS, "key file '%s' is not a key file", path);
		goto cleanup;
	}
	size_t size = (size_t)st.st_size;
	text = sodium_malloc(size + 1);
	if (!text) {
		rc = sk_db_fail(db, SK_ENOMEM, "cannot allocate secure memory for keys");
		goto cleanup;
	}
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, text + got, size - got);
		if (n <= 0) {
			rc = sk_db_fail(db, SK_EIO, "cannot read key file '%s'", path);
			goto cleanup;
		}
		got += (size_t)n;
	}
	text[size] = '\0';
	long line = 0;
	const char *why = parse_keys(k, text, &line);
	if (why) {
		rc = sk_db_fail(db, SK_EKEYS, "%s:%ld: %s", path, line, why);
		goto cleanup;
	}
	derive(k);
	*out = k;
	k = NULL;
cleanup:
	if (fd >= 0)
		close(fd);
	if (text)
		sodium_free(text);
	sk_keys_free(k);
	return rc;
}

int sk_keys_load(struct sk_db *db, const char *path)
{
	struct sk_keys *k = NULL;
	char *db_id = NULL, *stored_check = NULL;
	int rc = keys_read(db, path, &k);
	if (rc)
		return rc;
	db_id = sk_db_meta_get(db, "database_id");
	stored_check = sk_db_meta_get(db, "key_check");
	char check[65];
	check_value(k, check);
	if (!db_id || !stored_check) {
		rc = sk_db_fail(db, SK_EKEYS, "database '%s' has no key check; it was not made by 'shiken init'",
				db->path);
		goto cleanup;
	}
	if (strcmp(db_id, k->database_id) != 0 || strlen(stored_check) != 64 ||
	    sodium_memcmp(check, stored_check, 64) != 0) {
		rc = sk_db_fail(db, SK_EKEYS, "key file '%s' does not belong to database '%s'", path,
				db->path);
		goto cleanup;
	}
	sk_keys_free(db->keys);
	db->keys = k;
	k = NULL;
cleanup:
	free(db_id);
	free(stored_check);
	sk_keys_free(k);
	return rc;
}

/* ---- signing keys ---- */

/* Replace the key file at path with k's text: a private temporary file in
 * the same directory, written and synced, renamed over the old one, and
 * the directory synced so the rename survives a crash. */
static int keys_save(struct sk_db *db, const struct sk_keys *k, const char *path)
{
	char *text = NULL, *tmp = NULL, *dir = NULL;
	size_t n = 0;
	int fd = -1, rc = 0;
	if (keys_format(k, &text, &n) || !(tmp = malloc(strlen(path) + 8)) || !(dir = strdup(path))) {
		rc = sk_db_fail(db, SK_ENOMEM, "cannot allocate secure memory for keys");
		goto cleanup;
	}
	memcpy(tmp, path, strlen(path));
	memcpy(tmp + strlen(path), ".XXXXXX", 8);
	fd = mkstemp(tmp); /* mode 0600 whatever the umask */
	if (fd < 0) {
		rc = sk_db_fail(db, SK_EIO, N_("cannot write key file '%s': %s"), path, strerror(errno));
		goto cleanup;
	}
	if (fchmod(fd, 0600) != 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
		rc = sk_db_fail(db, SK_EIO, N_("cannot write key file '%s': %s"), path, strerror(errno));
		unlink(tmp);
		goto cleanup;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = sk_db_fail(db, SK_EIO, N_("cannot write key file '%s': %s"), path, strerror(errno));
		unlink(tmp);
		goto cleanup;
	}
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
cleanup:
	if (fd >= 0)
		close(fd);
	if (text)
		sodium_free(text);
	free(tmp);
	free(dir);
	return rc;
}

/* Begin a change of the signing keys: take the write lock, then read the
 * key file again (another process may have changed it since we loaded it)
 * into *fresh, and check it still holds our master key. */
static int change_begin(struct sk_db *db, const char *path, struct sk_keys **fresh)
{
	*fresh = NULL;
	if (!db->keys)
		return sk_db_fail(db, SK_EKEYS, "no key file loaded");
	int rc = sk_db_begin(db);
	if (rc)
		return rc;
	if ((rc = keys_read(db, path, fresh)))
		goto fail;
	if (strcmp((*fresh)->database_id, db->keys->database_id) != 0 ||
	    sodium_memcmp((*fresh)->master, db->keys->master, SK_KEY_BYTES) != 0) {
		rc = sk_db_fail(db, SK_EKEYS, N_("key file '%s' was replaced by another while in use; nothing was changed"),
				path);
		goto fail;
	}
	return 0;
fail:
	sk_db_rollback(db);
	sk_keys_free(*fresh);
	*fresh = NULL;
	return rc;
}

/* End a change: audit records are in; save the file, commit, and attach
 * the new keys. If the commit fails the old file is put back. */
static int change_end(struct sk_db *db, const char *path, struct sk_keys *fresh, const struct sk_keys *before)
{
	int rc = keys_save(db, fresh, path);
	if (rc) {
		sk_db_rollback(db);
		sk_keys_free(fresh);
		return rc;
	}
	if ((rc = sk_db_commit(db))) {
		char msg[sizeof(db->errmsg)];
		memcpy(msg, db->errmsg, sizeof(msg));
		sk_db_rollback(db);
		keys_save(db, before, path);
		sk_db_fail(db, rc, "%s", msg);
		sk_keys_free(fresh);
		return rc;
	}
	sk_keys_free(db->keys);
	db->keys = fresh;
	return 0;
}

static int audit_json(struct sk_db *db, const char *kid, const char *action, json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	json_decref(detail);
	if (!text)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	int rc = sk_audit_append(db, "signing_key", kid, action, text);
	free(text);
	return rc;
}

int sk_keys_sign_generate(struct sk_db *db, const char *path, char out_kid[SK_KID_LEN + 1],
			  char out_retired[SK_KID_LEN + 1])
{
	out_kid[0] = out_retired[0] = '\0';
	struct sk_keys *fresh = NULL, *before = keys_alloc();
	if (!before)
		return sk_db_fail(db, SK_ENOMEM, "cannot allocate secure memory for keys");
	int rc = change_begin(db, path, &fresh);
	if (rc)
		goto cleanup;
	memcpy(before, fresh, sizeof(*before));
	if (fresh->nsign == SK_SIGN_KEYS_MAX) {
		rc = sk_db_fail(db, SK_EFULL, N_("key file '%s' already holds %d signing keys, the most it can"),
				path, SK_SIGN_KEYS_MAX);
		goto fail;
	}
	struct sk_sign_key *key = &fresh->sign[fresh->nsign];
	unsigned char pk[SK_ED25519_PUBLIC];
	for (int unique = 0; !unique;) {
		crypto_sign_keypair(pk, key->secret);
		sk_jws_kid(key->kid, pk);
		/* 96-bit kids do not collide; if they ever did, the file could
		 * not be read back. */
		unique = 1;
		for (size_t i = 0; i < fresh->nsign; i++)
			if (!strcmp(fresh->sign[i].kid, key->kid))
				unique = 0;
	}
	sk_db_now(db, key->created);
	key->active = 1;
	char *x = sk_base64url(pk, sizeof(pk));
	rc = audit_json(db, key->kid, "generate",
			x ? json_pack("{s:s,s:s,s:s}", "alg", "EdDSA", "x", x, "created", key->created) : NULL);
	free(x);
	if (rc)
		goto fail;
	for (size_t i = 0; i < fresh->nsign; i++) {
		if (!fresh->sign[i].active)
			continue;
		fresh->sign[i].active = 0;
		memcpy(out_retired, fresh->sign[i].kid, SK_KID_LEN + 1);
		if ((rc = audit_json(db, fresh->sign[i].kid, "retire", json_pack("{s:s}", "replaced_by", key->kid))))
			goto fail;
	}
	fresh->nsign++;
	fresh->version = SK_KEYS_VERSION;
	memcpy(out_kid, key->kid, SK_KID_LEN + 1);
	rc = change_end(db, path, fresh, before);
	fresh = NULL;
	if (rc)
		out_kid[0] = out_retired[0] = '\0';
	goto cleanup;
fail:
	sk_db_rollback(db);
	out_retired[0] = '\0';
cleanup:
	sk_keys_free(fresh);
	sk_keys_free(before);
	return rc;
}

int sk_keys_sign_retire(struct sk_db *db, const char *path, const char *kid, int force)
{
	struct sk_keys *fresh = NULL, *before = keys_alloc();
	if (!before)
		return sk_db_fail(db, SK_ENOMEM, "cannot allocate secure memory for keys");
	int rc = change_begin(db, path, &fresh);
	if (rc)
		goto cleanup;
	memcpy(before, fresh, sizeof(*before));
	struct sk_sign_key *key = NULL;
	for (size_t i = 0; i < fresh->nsign; i++)
		if (!strcmp(fresh->sign[i].kid, kid))
			key = &fresh->sign[i];
	if (!key) {
		rc = sk_db_fail(db, SK_ENOTFOUND, N_("no signing key '%s'"), kid);
		goto fail;
	}
	if (!key->active) {
		rc = sk_db_fail(db, SK_EEXISTS, N_("signing key '%s' is already retired"), kid);
		goto fail;
	}
	if (!force) {
		rc = sk_db_fail(db, SK_ECONFLICT,
				N_("signing key '%s' is the active one: 'shiken keys generate' replaces it, "
				   "'--force' retires it and leaves no key to sign with"),
				kid);
		goto fail;
	}
	key->active = 0;
	if ((rc = audit_json(db, kid, "retire", json_pack("{s:b}", "forced", 1))))
		goto fail;
	fresh->version = SK_KEYS_VERSION;
	rc = change_end(db, path, fresh, before);
	fresh = NULL;
	goto cleanup;
fail:
	sk_db_rollback(db);
cleanup:
	sk_keys_free(fresh);
	sk_keys_free(before);
	return rc;
}

const struct sk_sign_key *sk_keys_signer(struct sk_db *db)
{
	if (!db->keys) {
		sk_db_fail(db, SK_EKEYS, "no key file loaded");
		return NULL;
	}
	for (size_t i = 0; i < db->keys->nsign; i++)
		if (db->keys->sign[i].active)
			return &db->keys->sign[i];
	sk_db_fail(db, SK_ENOTFOUND, N_("no active signing key: run 'shiken keys generate'"));
	return NULL;
}

int sk_keys_keyring(struct sk_db *db, struct sk_keyring *ring)
{
	if (!db->keys)
		return sk_db_fail(db, SK_EKEYS, "no key file loaded");
	for (size_t i = 0; i < db->keys->nsign; i++) {
		const struct sk_sign_key *k = &db->keys->sign[i];
		/* libsodium's secret key ends with the public key. */
		if (sk_keyring_add(ring, k->kid, k->secret + SK_ED25519_SEED))
			return sk_db_fail(db, SK_ENOMEM, "out of memory");
	}
	return 0;
}

int sk_keys_sign(struct sk_db *db, char **out, const char *typ, const json_t *payload)
{
	*out = NULL;
	const struct sk_sign_key *k = sk_keys_signer(db);
	if (!k)
		return db->err;
	int rc = sk_jws_sign(out, typ, k->kid, k->secret, payload);
	if (rc)
		return sk_db_fail(db, rc, "cannot sign: %s", sk_strerror(rc));
	return 0;
}
