/*
 * Candidate photos. Only PNG and JPEG are accepted, judged by content (the
 * bytes must decode completely, whatever the file is called), within size
 * limits that keep tickets and rosters printable. Photos are stored once in
 * the registry, keyed by their SHA-256.
 */
#ifndef SK_PHOTO_H
#define SK_PHOTO_H

#include <stddef.h>
#include <stdint.h>

#define SK_PHOTO_MAX_BYTES (2u * 1024 * 1024)
#define SK_PHOTO_MIN_SIDE 100
#define SK_PHOTO_MAX_SIDE 6000

struct sk_db;

struct sk_photo_info {
	const char *media_type; /* "image/png" or "image/jpeg" (static) */
	int width, height;
	unsigned char sha256[32];
};

/* Check that data[len] is a complete, decodable PNG or JPEG within the
 * limits (a PNG must end with IEND). Returns 0, SK_EINPUT, or SK_ENOMEM when
 * the decode buffer cannot be had; on failure *reason is a static English
 * template (N_-marked) taking one %s, the detail (limit or decoder message),
 * which *detail (out[96]) receives. reason and detail may be NULL. Never
 * crashes on any input. */
int sk_photo_check(struct sk_photo_info *out, const unsigned char *data, size_t len,
		   const char **reason, char detail[96]);

/* Read a whole file of at most max bytes. *out is malloc'd (caller frees).
 * Returns 0, SK_EIO (cannot read; errno kept), SK_ERANGE (too large). */
int sk_read_file(unsigned char **out, size_t *out_len, const char *path, size_t max);

/* Store a checked photo (or find the same bytes already stored); *out_id is
 * its row id. `info` must come from a successful sk_photo_check() of the same
 * bytes (its sha256 is trusted). Runs inside the caller's transaction and
 * writes no audit record: the caller's record covers it. */
int sk_photo_store(struct sk_db *db, int64_t *out_id, const unsigned char *data, size_t len,
		   const struct sk_photo_info *info);

/* Load a stored photo; *out is malloc'd, *media_type static. */
int sk_photo_load(struct sk_db *db, int64_t id, unsigned char **out, size_t *out_len,
		  const char **media_type);

#endif
