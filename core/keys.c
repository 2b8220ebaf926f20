/*
 * Key file creation and loading; see keys.h for the format. The file is
 * written with O_EXCL and mode 0600 in one step, so there is no moment when
 * a fresh key is readable by others.
 */
#include "core/keys.h"
#include "core/report.h"
#include "core/db.h"
#include "core/error.h"

#include <errno.h>
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

int sk_keys_create(struct sk_db *db, const char *path)
{
	struct sk_keys *k = keys_alloc();
	if (!k)
		return sk_db_fail(db, SK_ENOMEM, "cannot allocate secure memory for keys");
	int rc = 0, fd = -1;
	char *text = NULL;
	randombytes_buf(k->master, sizeof(k->master));
	unsigned char id[16];
	randombytes_buf(id, sizeof(id));
	sodium_bin2hex(k->database_id, sizeof(k->database_id), id, sizeof(id));
	derive(k);

	char b64[sodium_base64_ENCODED_LEN(SK_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof(b64), k->master, SK_KEY_BYTES, sodium_base64_VARIANT_ORIGINAL);
	size_t cap = 1024;
	text = sodium_malloc(cap);
	if (!text) {
		rc = sk_db_fail(db, SK_ENOMEM, "cannot allocate secure memory for keys");
		goto cleanup;
	}
	int n = snprintf(text, cap,
			 "# shiken key file for database %s\n"
			 "# Keep it private (mode 0600) and back it up apart from the database:\n"
			 "# without it, passport numbers and sitting keys cannot be decrypted.\n"
			 "shiken-keys 1\n"
			 "database %s\n"
			 "master %s\n",
			 k->database_id, k->database_id, b64);
	sodium_memzero(b64, sizeof(b64));

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = sk_db_fail(db, errno == EEXIST ? SK_EEXISTS : SK_EIO,
				errno == EEXIST ? N_("key file '%s' already exists; it belongs to another database")
						: N_("cannot create key file '%s': %s"),
				path, strerror(errno));
		goto cleanup;
	}
	if (write(fd, text, (size_t)n) != n || fsync(fd) != 0) {
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
			if (strcmp(value, "1") != 0)
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

int sk_keys_load(struct sk_db *db, const char *path)
{
	int rc = 0, fd = -1;
	char *text = NULL, *db_id = NULL, *stored_check = NULL;
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
	if (fd >= 0)
		close(fd);
	if (text)
		sodium_free(text);
	free(db_id);
	free(stored_check);
	sk_keys_free(k);
	return rc;
}
