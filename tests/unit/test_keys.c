/*
 * The key file: created private and in the documented format, loaded back to
 * the same sub-keys, and refused when others can read it, when it belongs to
 * another database, or when it is not well-formed — always with a message
 * that names the file and, where it helps, the line and the fix.
 */
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"
#include "unit.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
}

TestSuite(keys, .init = setup);

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	char *buf = calloc(1, 8192);
	cr_assert_not_null(buf);
	size_t n = fread(buf, 1, 8191, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Write a key file with mode 0600. */
static void write_key_file(const char *path, const char *text)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	size_t n = strlen(text);
	cr_assert_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
}

/* Close and reopen the database so no keys are attached. */
static void reopen(struct unit_db *u)
{
	sk_db_close(u->db);
	char err[512] = "";
	cr_assert_eq(sk_db_open(&u->db, u->path, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(u->db->keys);
}

static void assert_load_fails(struct unit_db *u, const char *path, int want, const char *needle)
{
	int rc = sk_keys_load(u->db, path);
	cr_assert_eq(rc, want, "got %s: %s", sk_errname(rc), sk_db_errmsg(u->db));
	cr_assert_null(u->db->keys, "nothing attached");
	cr_assert(strstr(sk_db_errmsg(u->db), path), "names the file: %s", sk_db_errmsg(u->db));
	if (needle)
		cr_assert(strstr(sk_db_errmsg(u->db), needle), "says '%s': %s", needle,
			  sk_db_errmsg(u->db));
}

/* The "database <id>" and "master <b64>" lines of a created key file. */
struct key_lines {
	char database[64];
	char master[64];
};

static struct key_lines key_lines(const char *path)
{
	struct key_lines k = { "", "" };
	char *text = read_all(path);
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
		if (!strncmp(l, "database ", 9))
			snprintf(k.database, sizeof(k.database), "%s", l + 9);
		else if (!strncmp(l, "master ", 7))
			snprintf(k.master, sizeof(k.master), "%s", l + 7);
	}
	free(text);
	return k;
}

/* ---- creating ---- */

Test(keys, create_writes_private_file)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	struct stat st;
	cr_assert_eq(stat(u.key_path, &st), 0);
	cr_assert(S_ISREG(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	unit_db_close(&u);
}

Test(keys, create_private_whatever_the_umask)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	mode_t old = umask(0);
	int rc = sk_keys_create(u.db, u.key_path);
	umask(old);
	cr_assert_eq(rc, 0, "%s", sk_db_errmsg(u.db));
	struct stat st;
	cr_assert_eq(stat(u.key_path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	unit_db_close(&u);
}

Test(keys, create_writes_documented_format)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char *text = read_all(u.key_path);
	cr_assert(strstr(text, "\nshiken-keys 2\n"), "%s", text);
	cr_assert_null(strstr(text, "\nsign "), "no signing key until one is asked for");
	cr_assert_eq(text[0], '#', "opens with a comment");
	struct key_lines k = key_lines(u.key_path);
	cr_assert_eq(strlen(k.database), 32);
	cr_assert_eq(strspn(k.database, "0123456789abcdef"), 32);
	unsigned char master[64];
	size_t got = 0;
	cr_assert_eq(sodium_base642bin(master, sizeof(master), k.master, strlen(k.master), NULL, &got,
				       NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	cr_assert_eq(got, 32);
	cr_assert_arr_eq(master, u.db->keys->master, 32);
	/* The id is recorded in the database, with a check value. */
	char *id = sk_db_meta_get(u.db, "database_id");
	cr_assert_str_eq(id, k.database);
	cr_assert_str_eq(u.db->keys->database_id, k.database);
	free(id);
	char *check = sk_db_meta_get(u.db, "key_check");
	cr_assert_eq(strlen(check), 64);
	cr_assert_eq(strspn(check, "0123456789abcdef"), 64);
	cr_assert_null(strstr(check, k.master), "the check value does not reveal the key");
	free(check);
	free(text);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(keys, sub_keys_are_distinct)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	for (int a = SK_KEY_DATA; a < SK_KEY_PURPOSES_; a++) {
		const unsigned char *ka = sk_keys_get(u.db, (enum sk_key_purpose)a);
		cr_assert_not_null(ka);
		cr_assert_neq(memcmp(ka, u.db->keys->master, 32), 0, "not the master itself");
		for (int b = a + 1; b < SK_KEY_PURPOSES_; b++)
			cr_assert_neq(memcmp(ka, sk_keys_get(u.db, (enum sk_key_purpose)b), 32), 0);
	}
	unit_db_close(&u);
}

Test(keys, two_databases_get_different_keys)
{
	struct unit_db a, b;
	unit_db_open(&a, 1);
	unit_db_open(&b, 1);
	cr_assert_neq(memcmp(a.db->keys->master, b.db->keys->master, 32), 0);
	cr_assert_str_neq(a.db->keys->database_id, b.db->keys->database_id);
	unit_db_close(&a);
	unit_db_close(&b);
}

Test(keys, create_refuses_existing_path)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	write_key_file(u.key_path, "someone else's\n");
	cr_assert_eq(sk_keys_create(u.db, u.key_path), SK_EEXISTS);
	cr_assert(strstr(sk_db_errmsg(u.db), u.key_path), "%s", sk_db_errmsg(u.db));
	cr_assert_null(u.db->keys);
	char *text = read_all(u.key_path);
	cr_assert_str_eq(text, "someone else's\n", "untouched");
	free(text);
	cr_assert_null(sk_db_meta_get(u.db, "database_id"), "nothing recorded");
	unit_db_close(&u);
}

Test(keys, create_in_missing_directory)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	char *path = unit_path(u.dir, "no/such/dir.key");
	cr_assert_eq(sk_keys_create(u.db, path), SK_EIO);
	cr_assert(strstr(sk_db_errmsg(u.db), path), "%s", sk_db_errmsg(u.db));
	cr_assert_null(u.db->keys);
	cr_assert_null(sk_db_meta_get(u.db, "database_id"));
	free(path);
	unit_db_close(&u);
}

Test(keys, default_path)
{
	char *p = sk_keys_default_path("/srv/exam/shiken.db");
	cr_assert_str_eq(p, "/srv/exam/shiken.db.key");
	free(p);
}

Test(keys, get_without_keys)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_null(sk_keys_get(u.db, SK_KEY_AUDIT));
	cr_assert_eq(u.db->err, SK_EKEYS);
	cr_assert_str_eq(sk_db_errmsg(u.db), "no key file loaded");
	unit_db_close(&u);
}

/* ---- loading ---- */

Test(keys, load_gives_same_sub_keys)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	unsigned char before[SK_KEY_PURPOSES_][32];
	for (int p = SK_KEY_DATA; p < SK_KEY_PURPOSES_; p++)
		memcpy(before[p], sk_keys_get(u.db, (enum sk_key_purpose)p), 32);
	reopen(&u);
	cr_assert_eq(sk_keys_load(u.db, u.key_path), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_not_null(u.db->keys);
	for (int p = SK_KEY_DATA; p < SK_KEY_PURPOSES_; p++)
		cr_assert_arr_eq(sk_keys_get(u.db, (enum sk_key_purpose)p), before[p], 32);
	unit_db_close(&u);
}

Test(keys, load_accepts_crlf_comments_and_blank_lines)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	struct key_lines k = key_lines(u.key_path);
	char text[512];
	snprintf(text, sizeof(text),
		 "# copied through Windows\r\n\r\nshiken-keys 1\r\n# the id\r\ndatabase %s\r\n\r\nmaster %s\r\n",
		 k.database, k.master);
	write_key_file(u.key_path, text);
	reopen(&u);
	cr_assert_eq(sk_keys_load(u.db, u.key_path), 0, "%s", sk_db_errmsg(u.db));
	unit_db_close(&u);
}

Test(keys, load_accepts_owner_read_only)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	cr_assert_eq(chmod(u.key_path, 0400), 0);
	reopen(&u);
	cr_assert_eq(sk_keys_load(u.db, u.key_path), 0, "%s", sk_db_errmsg(u.db));
	unit_db_close(&u);
}

Test(keys, load_refuses_group_readable)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	cr_assert_eq(chmod(u.key_path, 0640), 0);
	reopen(&u);
	assert_load_fails(&u, u.key_path, SK_EKEYS, "can be read by others (mode 0640)");
	char fix[600];
	snprintf(fix, sizeof(fix), "chmod 600 '%s'", u.key_path);
	cr_assert(strstr(sk_db_errmsg(u.db), fix), "names the fix: %s", sk_db_errmsg(u.db));
	unit_db_close(&u);
}

Test(keys, load_refuses_other_readable)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	cr_assert_eq(chmod(u.key_path, 0604), 0);
	reopen(&u);
	assert_load_fails(&u, u.key_path, SK_EKEYS, "chmod 600");
	unit_db_close(&u);
}

Test(keys, load_refuses_group_writable)
{
	/* Whoever can write the key file can swap the keys under us. */
	struct unit_db u;
	unit_db_open(&u, 1);
	cr_assert_eq(chmod(u.key_path, 0620), 0);
	reopen(&u);
	assert_load_fails(&u, u.key_path, SK_EKEYS, "chmod 600");
	cr_assert_null(strstr(sk_db_errmsg(u.db), "read by others"), "it is not readable: %s",
		       sk_db_errmsg(u.db));
	unit_db_close(&u);
}

Test(keys, load_refuses_other_databases_key_file)
{
	struct unit_db a, b;
	unit_db_open(&a, 1);
	unit_db_open(&b, 1);
	reopen(&b);
	assert_load_fails(&b, a.key_path, SK_EKEYS, "does not belong to database");
	cr_assert(strstr(sk_db_errmsg(b.db), b.path), "%s", sk_db_errmsg(b.db));
	unit_db_close(&a);
	unit_db_close(&b);
}

Test(keys, load_refuses_key_with_forged_database_id)
{
	/* Someone copies our database id into another key file: the check value
	 * still tells the keys apart. */
	struct unit_db a, b;
	unit_db_open(&a, 1);
	unit_db_open(&b, 1);
	struct key_lines ka = key_lines(a.key_path), kb = key_lines(b.key_path);
	char text[512];
	snprintf(text, sizeof(text), "shiken-keys 1\ndatabase %s\nmaster %s\n", kb.database, ka.master);
	char *forged = unit_path(b.dir, "forged.key");
	write_key_file(forged, text);
	reopen(&b);
	assert_load_fails(&b, forged, SK_EKEYS, "does not belong to database");
	free(forged);
	unit_db_close(&a);
	unit_db_close(&b);
}

Test(keys, load_refuses_database_without_key_check)
{
	struct unit_db a, b;
	unit_db_open(&a, 1);
	unit_db_open(&b, 0);
	int rc = sk_keys_load(b.db, a.key_path);
	cr_assert_eq(rc, SK_EKEYS, "%s", sk_errname(rc));
	cr_assert(strstr(sk_db_errmsg(b.db), "no key check"), "%s", sk_db_errmsg(b.db));
	cr_assert_null(b.db->keys);
	unit_db_close(&a);
	unit_db_close(&b);
}

Test(keys, load_missing_file)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	char *path = unit_path(u.dir, "nope.key");
	assert_load_fails(&u, path, SK_ENOTFOUND, NULL);
	free(path);
	unit_db_close(&u);
}

Test(keys, load_refuses_directory)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	cr_assert_eq(chmod(u.dir, 0700), 0);
	assert_load_fails(&u, u.dir, SK_EKEYS, "is not a key file");
	unit_db_close(&u);
}

/* Copy `tmpl` into out, replacing {db} and {master} by the real values. */
static void fill_template(char *out, size_t cap, const char *tmpl, const struct key_lines *k)
{
	size_t n = 0;
	for (const char *p = tmpl; *p;) {
		const char *v = NULL;
		if (!strncmp(p, "{db}", 4)) {
			v = k->database;
			p += 4;
		} else if (!strncmp(p, "{master}", 8)) {
			v = k->master;
			p += 8;
		}
		if (v) {
			size_t len = strlen(v);
			cr_assert_lt(n + len, cap);
			memcpy(out + n, v, len);
			n += len;
		} else {
			cr_assert_lt(n + 1, cap);
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
}

/* A malformed key file is refused with the line and the reason. */
static void assert_malformed(const char *tmpl, const char *want)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	struct key_lines k = key_lines(u.key_path);
	char text[1024];
	fill_template(text, sizeof(text), tmpl, &k);
	char *bad = unit_path(u.dir, "bad.key");
	write_key_file(bad, text);
	reopen(&u);
	assert_load_fails(&u, bad, SK_EKEYS, want);
	free(bad);
	unit_db_close(&u);
}

Test(keys, malformed_header)
{
	assert_malformed("shiken-keys 3\ndatabase {db}\nmaster {master}\n",
			 ":1: key file version not supported by this build");
	assert_malformed("shiken-keys 02\ndatabase {db}\nmaster {master}\n",
			 ":1: key file version not supported by this build");
	assert_malformed("other-keys 1\ndatabase {db}\nmaster {master}\n", ":1: not a shiken key file");
	assert_malformed("database {db}\nmaster {master}\nshiken-keys 1\n", ":1: not a shiken key file");
	assert_malformed("hello\n", ":1: expected 'name value'");
}

Test(keys, empty_or_comment_only)
{
	assert_malformed("", "not a shiken key file");
	assert_malformed("# nothing here\n", "not a shiken key file");
}

Test(keys, malformed_base64)
{
	assert_malformed("shiken-keys 1\ndatabase {db}\nmaster !!!!{master}\n",
			 ":3: master key is not 32 bytes of base64");
	/* 31 bytes, then 33 bytes. */
	assert_malformed("shiken-keys 1\ndatabase {db}\nmaster AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",
			 ":3: master key is not 32 bytes of base64");
	assert_malformed("shiken-keys 1\ndatabase {db}\nmaster AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
			 ":3: master key is not 32 bytes of base64");
	assert_malformed("shiken-keys 1\ndatabase {db}\nmaster {master} \n",
			 ":3: master key is not 32 bytes of base64");
}

Test(keys, malformed_database_id)
{
	assert_malformed("shiken-keys 1\ndatabase {db}0\nmaster {master}\n",
			 ":2: database id is not 32 hex digits");
	assert_malformed("shiken-keys 1\ndatabase 0123456789abcdef0123456789abcdeG\nmaster {master}\n",
			 ":2: database id is not 32 hex digits");
	assert_malformed("shiken-keys 1\ndatabase 0123456789ABCDEF0123456789ABCDEF\nmaster {master}\n",
			 ":2: database id is not 32 hex digits");
}

Test(keys, unknown_entry)
{
	assert_malformed("shiken-keys 1\ndatabase {db}\nmaster {master}\nsigning abc\n",
			 ":4: unknown entry");
}

Test(keys, missing_master_or_database)
{
	assert_malformed("shiken-keys 1\ndatabase {db}\n", "incomplete key file");
	assert_malformed("shiken-keys 1\nmaster {master}\n", "incomplete key file");
}

Test(keys, duplicate_entries_refused)
{
	/* Which of two master keys is meant? Refuse rather than guess. */
	assert_malformed("shiken-keys 1\ndatabase {db}\nmaster {master}\n"
			 "master AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
			 ":4: 'master' appears twice");
	assert_malformed("shiken-keys 1\ndatabase {db}\ndatabase {db}\nmaster {master}\n",
			 ":3: 'database' appears twice");
	assert_malformed("shiken-keys 1\nshiken-keys 1\ndatabase {db}\nmaster {master}\n",
			 ":2: unknown entry");
}

Test(keys, line_numbers_count_blank_lines)
{
	assert_malformed("# key file\n\n\nshiken-keys 1\n\ndatabase {db}\n\nmaster {master}\n\nbogus 1\n",
			 ":10: unknown entry");
}

/* ---- signing keys ---- */

/* The n-th "sign ..." line of a key file (without the newline), or "". */
static void sign_line(char out[256], const char *path, int n)
{
	char *text = read_all(path);
	out[0] = '\0';
	int seen = 0;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n"))
		if (!strncmp(l, "sign ", 5) && seen++ == n)
			snprintf(out, 256, "%s", l);
	free(text);
}

static int64_t audit_count(struct unit_db *u, const char *action)
{
	char q[256];
	snprintf(q, sizeof(q), "SELECT count(*) FROM audit WHERE entity = 'signing_key' AND action = '%s'", action);
	return unit_query_int(u->db->sql, q);
}

Test(keys, generate_adds_an_active_key_and_audits_no_secret)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	cr_assert_null(sk_keys_signer(u.db));
	cr_assert_eq(u.db->err, SK_ENOTFOUND);
	char kid[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	mode_t old = umask(0);
	int rc = sk_keys_sign_generate(u.db, u.key_path, kid, retired);
	umask(old);
	cr_assert_eq(rc, 0, "%s", sk_db_errmsg(u.db));
	cr_assert_eq(strlen(kid), SK_KID_LEN);
	cr_assert_str_eq(retired, "");
	struct stat st;
	cr_assert_eq(stat(u.key_path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "still private after the rewrite: %o", st.st_mode & 0777);
	const struct sk_sign_key *k = sk_keys_signer(u.db);
	cr_assert_not_null(k);
	cr_assert_str_eq(k->kid, kid);
	cr_assert_str_eq(k->created, "2026-11-22T09:30:00Z", "the handle's clock");
	/* kid = the first 16 characters of the RFC 7638 thumbprint. */
	char t[44];
	sk_jwk_thumbprint(t, k->secret + 32);
	cr_assert_eq(strncmp(t, kid, SK_KID_LEN), 0);
	char line[256], want[64];
	sign_line(line, u.key_path, 0);
	snprintf(want, sizeof(want), "sign %s 2026-11-22T09:30:00Z active ", kid);
	cr_assert_eq(strncmp(line, want, strlen(want)), 0, "%s", line);
	/* Audited, with the public key; the secret appears nowhere. */
	cr_assert_eq(audit_count(&u, "generate"), 1);
	char *seed64 = strrchr(line, ' ') + 1;
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM audit WHERE instr(detail, 'x') > 0"), 1);
	char q[256];
	snprintf(q, sizeof(q), "SELECT count(*) FROM audit WHERE instr(detail, '%.20s') > 0", seed64);
	cr_assert_eq(unit_query_int(u.db->sql, q), 0, "the secret key is not in the audit log");
	/* The database holds no key material at all. */
	snprintf(q, sizeof(q), "SELECT count(*) FROM meta WHERE instr(value, '%.20s') > 0", seed64);
	cr_assert_eq(unit_query_int(u.db->sql, q), 0);
	unit_assert_db_clean(u.db->sql);
	unit_db_close(&u);
}

Test(keys, generate_retires_the_previous_key_and_reloads_the_same)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char a[SK_KID_LEN + 1], b[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, a, retired), 0);
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, b, retired), 0);
	cr_assert_str_eq(retired, a);
	cr_assert_eq(audit_count(&u, "retire"), 1);
	unsigned char secret_a[64];
	memcpy(secret_a, u.db->keys->sign[0].secret, 64);
	reopen(&u);
	cr_assert_eq(sk_keys_load(u.db, u.key_path), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_eq(u.db->keys->version, 2);
	cr_assert_eq(u.db->keys->nsign, 2);
	cr_assert_str_eq(u.db->keys->sign[0].kid, a);
	cr_assert_eq(u.db->keys->sign[0].active, 0);
	cr_assert_arr_eq(u.db->keys->sign[0].secret, secret_a, 64, "the retired key is kept whole");
	cr_assert_str_eq(sk_keys_signer(u.db)->kid, b);
	struct sk_keyring ring = SK_KEYRING_INIT;
	cr_assert_eq(sk_keys_keyring(u.db, &ring), 0);
	cr_assert_eq(ring.count, 2);
	cr_assert_not_null(sk_keyring_find(&ring, a));
	sk_keyring_release(&ring);
	unit_db_close(&u);
}

Test(keys, version_1_file_opens_and_is_upgraded_when_a_key_is_added)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	struct key_lines k = key_lines(u.key_path);
	char text[512];
	snprintf(text, sizeof(text), "# an old key file\nshiken-keys 1\ndatabase %s\nmaster %s\n", k.database, k.master);
	write_key_file(u.key_path, text);
	unsigned char before[SK_KEY_PURPOSES_][32];
	for (int p = SK_KEY_DATA; p < SK_KEY_PURPOSES_; p++)
		memcpy(before[p], sk_keys_get(u.db, (enum sk_key_purpose)p), 32);
	reopen(&u);
	cr_assert_eq(sk_keys_load(u.db, u.key_path), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_eq(u.db->keys->version, 1);
	cr_assert_eq(u.db->keys->nsign, 0);
	/* Reading alone changes nothing. */
	char *same = read_all(u.key_path);
	cr_assert_str_eq(same, text);
	free(same);
	char kid[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, kid, retired), 0, "%s", sk_db_errmsg(u.db));
	char *upgraded = read_all(u.key_path);
	cr_assert(strstr(upgraded, "\nshiken-keys 2\n"), "%s", upgraded);
	struct key_lines k2 = key_lines(u.key_path);
	cr_assert_str_eq(k2.database, k.database);
	cr_assert_str_eq(k2.master, k.master);
	free(upgraded);
	reopen(&u);
	cr_assert_eq(sk_keys_load(u.db, u.key_path), 0, "%s", sk_db_errmsg(u.db));
	for (int p = SK_KEY_DATA; p < SK_KEY_PURPOSES_; p++)
		cr_assert_arr_eq(sk_keys_get(u.db, (enum sk_key_purpose)p), before[p], 32, "sub-keys unchanged");
	cr_assert_str_eq(sk_keys_signer(u.db)->kid, kid);
	/* No temporary file is left beside it. */
	DIR *d = opendir(u.dir);
	struct dirent *e;
	while ((e = readdir(d)))
		cr_assert_null(strstr(e->d_name, ".key."), "left behind: %s", e->d_name);
	closedir(d);
	unit_db_close(&u);
}

Test(keys, two_processes_do_not_lose_each_others_keys)
{
	/* Both loaded the file before either added a key: the second re-reads
	 * it under the write lock, so the first one's key survives. */
	struct unit_db u;
	unit_db_open(&u, 1);
	struct sk_db *other = NULL;
	char err[256];
	cr_assert_eq(sk_db_open(&other, u.path, 0, err, sizeof(err)), 0, "%s", err);
	sk_db_set_clock(other, SK_TEST_NOW);
	cr_assert_eq(sk_keys_load(other, u.key_path), 0);
	char a[SK_KID_LEN + 1], b[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, a, retired), 0);
	cr_assert_eq(sk_keys_sign_generate(other, u.key_path, b, retired), 0, "%s", sk_db_errmsg(other));
	cr_assert_str_eq(retired, a, "the second saw the first's key");
	cr_assert_eq(other->keys->nsign, 2);
	reopen(&u);
	cr_assert_eq(sk_keys_load(u.db, u.key_path), 0);
	cr_assert_eq(u.db->keys->nsign, 2);
	cr_assert_str_eq(sk_keys_signer(u.db)->kid, b);
	sk_db_close(other);
	unit_db_close(&u);
}

Test(keys, retire_rules)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char a[SK_KID_LEN + 1], b[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	cr_assert_eq(sk_keys_sign_retire(u.db, u.key_path, "nope", 0), SK_ENOTFOUND);
	cr_assert_str_eq(sk_db_errmsg(u.db), "no signing key 'nope'");
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, a, retired), 0);
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, b, retired), 0);
	char *before = read_all(u.key_path);
	int64_t records = unit_query_int(u.db->sql, "SELECT count(*) FROM audit");
	cr_assert_eq(sk_keys_sign_retire(u.db, u.key_path, a, 0), SK_EEXISTS);
	cr_assert(strstr(sk_db_errmsg(u.db), "is already retired"), "%s", sk_db_errmsg(u.db));
	cr_assert_eq(sk_keys_sign_retire(u.db, u.key_path, b, 0), SK_ECONFLICT);
	cr_assert(strstr(sk_db_errmsg(u.db), "'--force'"), "%s", sk_db_errmsg(u.db));
	char *after = read_all(u.key_path);
	cr_assert_str_eq(after, before, "refusals leave the file alone");
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM audit"), records, "and the audit log");
	free(after);
	cr_assert_eq(sk_keys_sign_retire(u.db, u.key_path, b, 1), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_null(sk_keys_signer(u.db), "nothing signs now");
	cr_assert_eq(audit_count(&u, "retire"), 2);
	struct sk_keyring ring = SK_KEYRING_INIT;
	cr_assert_eq(sk_keys_keyring(u.db, &ring), 0);
	cr_assert_eq(ring.count, 2, "both still verify");
	sk_keyring_release(&ring);
	free(before);
	unit_db_close(&u);
}

Test(keys, failed_rewrite_changes_nothing)
{
	/* The key file vanished after it was loaded: the change is refused,
	 * nothing is audited, no file appears. */
	struct unit_db u;
	unit_db_open(&u, 1);
	char *moved = unit_path(u.dir, "moved.key");
	cr_assert_eq(rename(u.key_path, moved), 0);
	int64_t records = unit_query_int(u.db->sql, "SELECT count(*) FROM audit");
	char kid[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, kid, retired), SK_ENOTFOUND);
	cr_assert_str_eq(kid, "");
	cr_assert_eq(unit_query_int(u.db->sql, "SELECT count(*) FROM audit"), records);
	cr_assert_neq(access(u.key_path, F_OK), 0);
	cr_assert_eq(u.db->tx_depth, 0, "no transaction left open");
	/* A different key file put in its place is not overwritten. */
	struct unit_db v;
	unit_db_open(&v, 1);
	char *text = read_all(v.key_path);
	write_key_file(u.key_path, text);
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, kid, retired), SK_EKEYS);
	cr_assert(strstr(sk_db_errmsg(u.db), "was replaced by another"), "%s", sk_db_errmsg(u.db));
	char *now = read_all(u.key_path);
	cr_assert_str_eq(now, text);
	free(now);
	free(text);
	free(moved);
	unit_db_close(&v);
	unit_db_close(&u);
}

/* A key file whose one real "sign" line was changed by edit() is refused
 * with the reason `want`. */
static void assert_sign_malformed(const char *(*edit)(char *line), const char *want)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char kid[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, kid, retired), 0);
	char line[256];
	sign_line(line, u.key_path, 0);
	struct key_lines k = key_lines(u.key_path);
	const char *changed = edit(line);
	char text[1024];
	snprintf(text, sizeof(text), "shiken-keys 2\ndatabase %s\nmaster %s\n%s\n", k.database, k.master, changed);
	char *bad = unit_path(u.dir, "bad.key");
	write_key_file(bad, text);
	reopen(&u);
	assert_load_fails(&u, bad, SK_EKEYS, want);
	free(bad);
	unit_db_close(&u);
}

/* Edits of "sign KID CREATED STATUS KEY" (KID at 5, CREATED at 22, STATUS at 43). */
static char edited[600];

static const char *kid_changed(char *l)
{
	l[5] ^= 1;
	return l;
}

static const char *status_bad(char *l)
{
	snprintf(edited, sizeof(edited), "%.43spaused%s", l, l + 49);
	return edited;
}

static const char *twice(char *l)
{
	snprintf(edited, sizeof(edited), "%s\n%s", l, l);
	return edited;
}

static const char *two_active(char *l)
{
	/* A second, different key that also claims to be active. */
	unsigned char pk[32], sk[64];
	crypto_sign_keypair(pk, sk);
	char kid[SK_KID_LEN + 1], seed[64];
	sk_jws_kid(kid, pk);
	sodium_bin2base64(seed, sizeof(seed), sk, 32, sodium_base64_VARIANT_ORIGINAL);
	snprintf(edited, sizeof(edited), "%s\nsign %s 2026-11-22T09:30:00Z active %s", l, kid, seed);
	return edited;
}

static const char *short_key(char *l)
{
	snprintf(edited, sizeof(edited), "%.*sA=", (int)strlen(l) - 5, l);
	return edited;
}

static const char *missing_field(char *l)
{
	*strrchr(l, ' ') = '\0';
	return l;
}

static const char *bad_time(char *l)
{
	l[22 + 10] = ' '; /* the 'T' of the creation time */
	return l;
}

Test(keys, malformed_signing_keys)
{
	assert_sign_malformed(kid_changed, ":4: signing key does not match its kid");
	assert_sign_malformed(status_bad, ":4: signing key status is neither 'active' nor 'retired'");
	assert_sign_malformed(twice, ":5: signing key appears twice");
	assert_sign_malformed(two_active, ":5: two signing keys are active");
	assert_sign_malformed(short_key, ":4: signing key is not 32 bytes of base64");
	assert_sign_malformed(missing_field, ":4: expected 'sign KID CREATED STATUS KEY'");
	assert_sign_malformed(bad_time, ":4: expected 'sign KID CREATED STATUS KEY'");
}

Test(keys, sign_entries_need_version_2)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char kid[SK_KID_LEN + 1], retired[SK_KID_LEN + 1];
	cr_assert_eq(sk_keys_sign_generate(u.db, u.key_path, kid, retired), 0);
	char line[256];
	sign_line(line, u.key_path, 0);
	struct key_lines k = key_lines(u.key_path);
	char text[1024];
	snprintf(text, sizeof(text), "shiken-keys 1\ndatabase %s\nmaster %s\n%s\n", k.database, k.master, line);
	write_key_file(u.key_path, text);
	reopen(&u);
	assert_load_fails(&u, u.key_path, SK_EKEYS, ":4: unknown entry");
	unit_db_close(&u);
}
