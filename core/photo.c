/*
 * Candidate photos: judging a file by its content and keeping it in the
 * registry. A photo is accepted only if it decodes completely (libpng's
 * simplified API for PNG, TurboJPEG for JPEG, with every decoder warning
 * taken as corruption), so a renamed GIF, a half-uploaded file or a damaged
 * scan is refused at import rather than discovered when tickets are printed.
 * Dimensions are read from the header and checked before the decode buffer
 * is allocated, which bounds the memory any input can make us use.
 */
#include "core/photo.h"
#include "core/db.h"
#include "core/error.h"
#include "core/report.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>
#include <unistd.h>

#define DETAIL_SIZE 96

static const char media_png[] = "image/png";
static const char media_jpeg[] = "image/jpeg";

static const unsigned char png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
static const unsigned char jpeg_magic[3] = { 0xff, 0xd8, 0xff };

static int starts_with(const unsigned char *data, size_t len, const void *magic, size_t n)
{
	return len >= n && memcmp(data, magic, n) == 0;
}

/* Name what the bytes are when they are not ours, so the message can say
 * "this is a GIF" instead of only "not a PNG or JPEG". */
static const char *sniff_format(const unsigned char *data, size_t len)
{
	if (len == 0)
		return "empty file";
	if (starts_with(data, len, "GIF87a", 6) || starts_with(data, len, "GIF89a", 6))
		return "GIF image";
	if (starts_with(data, len, "BM", 2))
		return "BMP image";
	if (starts_with(data, len, "II*\0", 4) || starts_with(data, len, "MM\0*", 4))
		return "TIFF image";
	if (starts_with(data, len, "%PDF", 4))
		return "PDF document";
	if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0)
		return "WebP image";
	if (len >= 12 && memcmp(data + 4, "ftyp", 4) == 0) {
		if (memcmp(data + 8, "avif", 4) == 0)
			return "AVIF image";
		if (memcmp(data + 8, "hei", 3) == 0 || memcmp(data + 8, "mif1", 4) == 0)
			return "HEIC image";
	}
	if (starts_with(data, len, "PK\3\4", 4))
		return "ZIP archive";
	if (len >= 2 && data[0] == 0xff && data[1] == 0xd8)
		return "damaged JPEG header";
	if (len >= 4 && data[0] == 0x89 && memcmp(data + 1, "PNG", 3) == 0)
		return "damaged PNG signature";
	return "unknown format";
}

/* "1.9 MiB", rounded up so a file just over the limit never reads as equal
 * to it. */
static void format_mib(char *out, size_t size, size_t bytes)
{
	const size_t mib = 1024 * 1024;
	size_t tenths = bytes / (mib / 10) + (bytes % (mib / 10) != 0);
	snprintf(out, size, "%zu.%zu MiB", tenths / 10, tenths % 10);
}

/* 0, or SK_EINPUT with the reason set. */
static int check_dimensions(int width, int height, const char **reason, char *detail)
{
	if (width > SK_PHOTO_MAX_SIDE || height > SK_PHOTO_MAX_SIDE) {
		*reason = N_("image is too large (%s)");
		snprintf(detail, DETAIL_SIZE, "%dx%d pixels, at most %dx%d", width, height,
			 SK_PHOTO_MAX_SIDE, SK_PHOTO_MAX_SIDE);
		return SK_EINPUT;
	}
	if (width < SK_PHOTO_MIN_SIDE || height < SK_PHOTO_MIN_SIDE) {
		*reason = N_("image is too small (%s)");
		snprintf(detail, DETAIL_SIZE, "%dx%d pixels, at least %dx%d", width, height,
			 SK_PHOTO_MIN_SIDE, SK_PHOTO_MIN_SIDE);
		return SK_EINPUT;
	}
	return 0;
}

/* libpng's simplified reader stops after the image data, so a file cut
 * just before its end still decodes: walk the chunks to find IEND. Data
 * after IEND is tolerated, as every viewer does. */
static int png_has_iend(const unsigned char *data, size_t len)
{
	size_t at = 8;
	while (len - at >= 12) {
		size_t n = (size_t)data[at] << 24 | (size_t)data[at + 1] << 16 |
			   (size_t)data[at + 2] << 8 | data[at + 3];
		if (memcmp(data + at + 4, "IEND", 4) == 0)
			return 1;
		if (n > len - at - 12)
			return 0;
		at += 12 + n;
	}
	return 0;
}

/* Decode into 8-bit grey: every byte of the file is still read and checked
 * (CRCs, zlib stream, filters), at a third of the memory of RGB. libpng's
 * warnings (an odd colour profile, a damaged text chunk) leave the image
 * intact and are not held against it. */
static int check_png(struct sk_photo_info *out, const unsigned char *data, size_t len,
		     const char **reason, char *detail)
{
	png_image image;
	unsigned char *pixels = NULL;
	int rc = 0;

	/* Judge the declared size ourselves first: libpng would refuse a huge
	 * one as an error in IHDR, which reads as corruption. */
	if (len >= 24 && memcmp(data + 12, "IHDR", 4) == 0) {
		uint32_t w = (uint32_t)data[16] << 24 | (uint32_t)data[17] << 16 |
			     (uint32_t)data[18] << 8 | data[19];
		uint32_t h = (uint32_t)data[20] << 24 | (uint32_t)data[21] << 16 |
			     (uint32_t)data[22] << 8 | data[23];
		if ((w > SK_PHOTO_MAX_SIDE || h > SK_PHOTO_MAX_SIDE) && w <= INT32_MAX &&
		    h <= INT32_MAX && w && h)
			return check_dimensions((int)w, (int)h, reason, detail);
	}
	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&image, data, len)) {
		*reason = N_("corrupt PNG image (%s)");
		snprintf(detail, DETAIL_SIZE, "%s", image.message);
		rc = SK_EINPUT;
		goto cleanup;
	}
	/* libpng caps both sides at 1,000,000, so they fit an int. */
	if ((rc = check_dimensions((int)image.width, (int)image.height, reason, detail)))
		goto cleanup;
	image.format = PNG_FORMAT_GRAY;
	pixels = malloc(PNG_IMAGE_SIZE(image));
	if (!pixels) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
		*reason = N_("corrupt PNG image (%s)");
		snprintf(detail, DETAIL_SIZE, "%s", image.message);
		rc = SK_EINPUT;
		goto cleanup;
	}
	if (!png_has_iend(data, len)) {
		*reason = N_("corrupt PNG image (%s)");
		snprintf(detail, DETAIL_SIZE, "file is truncated: no IEND chunk");
		rc = SK_EINPUT;
		goto cleanup;
	}
	out->media_type = media_png;
	out->width = (int)image.width;
	out->height = (int)image.height;
cleanup:
	free(pixels);
	png_image_free(&image);
	return rc;
}

/* Grey output for colour JPEGs still runs the entropy decoder over every
 * component; CMYK cannot be converted to grey, so it is decoded as CMYK. */
static int check_jpeg(struct sk_photo_info *out, const unsigned char *data, size_t len,
		      const char **reason, char *detail)
{
	tjhandle tj = NULL;
	unsigned char *pixels = NULL;
	int rc = 0, width = 0, height = 0, subsamp = 0, colorspace = 0;

	tj = tjInitDecompress();
	if (!tj) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	if (tjDecompressHeader3(tj, data, (unsigned long)len, &width, &height, &subsamp,
				&colorspace) != 0) {
		*reason = N_("corrupt JPEG image (%s)");
		snprintf(detail, DETAIL_SIZE, "%s", tjGetErrorStr2(tj));
		rc = SK_EINPUT;
		goto cleanup;
	}
	if ((rc = check_dimensions(width, height, reason, detail)))
		goto cleanup;
	int format = (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) ? TJPF_CMYK : TJPF_GRAY;
	pixels = malloc((size_t)width * (size_t)height * (size_t)tjPixelSize[format]);
	if (!pixels) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	if (tjDecompress2(tj, data, (unsigned long)len, pixels, width, 0, height, format,
			  TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0) {
		*reason = N_("corrupt JPEG image (%s)");
		snprintf(detail, DETAIL_SIZE, "%s", tjGetErrorStr2(tj));
		rc = SK_EINPUT;
		goto cleanup;
	}
	out->media_type = media_jpeg;
	out->width = width;
	out->height = height;
cleanup:
	free(pixels);
	if (tj)
		tjDestroy(tj);
	return rc;
}

int sk_photo_check(struct sk_photo_info *out, const unsigned char *data, size_t len,
		   const char **reason, char detail[96])
{
	const char *reason_local = NULL;
	char detail_local[DETAIL_SIZE];
	int rc = 0;

	if (!reason)
		reason = &reason_local;
	if (!detail)
		detail = detail_local;
	memset(out, 0, sizeof(*out));
	*reason = NULL;
	detail[0] = '\0';

	if (!data)
		len = 0;
	if (len > SK_PHOTO_MAX_BYTES) {
		char size[32];
		format_mib(size, sizeof(size), len);
		*reason = N_("image file is too large (%s)");
		snprintf(detail, DETAIL_SIZE, "%s, at most %u MiB", size,
			 SK_PHOTO_MAX_BYTES / (1024 * 1024));
		rc = SK_EINPUT;
		goto cleanup;
	}
	if (starts_with(data, len, png_magic, sizeof(png_magic))) {
		rc = check_png(out, data, len, reason, detail);
	} else if (starts_with(data, len, jpeg_magic, sizeof(jpeg_magic))) {
		rc = check_jpeg(out, data, len, reason, detail);
	} else {
		*reason = N_("not a PNG or JPEG image (%s)");
		snprintf(detail, DETAIL_SIZE, "%s", sniff_format(data, len));
		rc = SK_EINPUT;
	}
	if (rc)
		goto cleanup;
	crypto_hash_sha256(out->sha256, data, len);
cleanup:
	if (rc == SK_ENOMEM) {
		/* Callers print *reason on any failure: keep it usable. */
		*reason = N_("cannot check the image (%s)");
		snprintf(detail, DETAIL_SIZE, "out of memory");
	}
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

int sk_read_file(unsigned char **out, size_t *out_len, const char *path, size_t max)
{
	unsigned char *buf = NULL;
	size_t len = 0, alloc = 0;
	/* Read one byte past max to tell "exactly max" from "more". */
	size_t limit = max < SIZE_MAX ? max + 1 : max;
	int fd = -1, rc = 0, saved_errno = 0;
	struct stat st;

	*out = NULL;
	*out_len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = SK_EIO;
		goto cleanup;
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		rc = SK_EIO;
		goto cleanup;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
		rc = SK_ERANGE;
		goto cleanup;
	}
	/* The size is a hint only (pipes report 0, a file may grow meanwhile). */
	alloc = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 64 * 1024;
	if (alloc > limit)
		alloc = limit;
	buf = malloc(alloc ? alloc : 1);
	if (!buf) {
		rc = SK_ENOMEM;
		goto cleanup;
	}
	for (;;) {
		if (len == alloc) {
			if (len >= limit)
				break;
			size_t grow = alloc < limit / 2 ? alloc * 2 : limit;
			unsigned char *p = realloc(buf, grow);
			if (!p) {
				rc = SK_ENOMEM;
				goto cleanup;
			}
			buf = p;
			alloc = grow;
		}
		ssize_t n = read(fd, buf + len, alloc - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = SK_EIO;
			goto cleanup;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		rc = SK_ERANGE;
		goto cleanup;
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
cleanup:
	saved_errno = errno;
	free(buf);
	if (fd >= 0)
		close(fd);
	errno = saved_errno;
	return rc;
}

static const char sql_photo_find[] = "SELECT id FROM photo WHERE sha256 = ?1";
static const char sql_photo_insert[] =
	"INSERT INTO photo (sha256, media_type, width, height, data) "
	"VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_photo_load[] = "SELECT media_type, data FROM photo WHERE id = ?1";

/* The stored media type as one of our static strings, or NULL. */
static const char *static_media_type(const char *s)
{
	if (s && strcmp(s, media_png) == 0)
		return media_png;
	if (s && strcmp(s, media_jpeg) == 0)
		return media_jpeg;
	return NULL;
}

int sk_photo_store(struct sk_db *db, int64_t *out_id, const unsigned char *data, size_t len,
		   const struct sk_photo_info *info)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	*out_id = 0;
	if (!data || len == 0 || len > SK_PHOTO_MAX_BYTES || !info ||
	    !static_media_type(info->media_type)) {
		rc = sk_db_fail(db, SK_EINVAL, "storing a photo: not a checked photo");
		goto cleanup;
	}
	st = sk_db_stmt(db, sql_photo_find);
	if (!st) {
		rc = db->err ? db->err : SK_EDB;
		goto cleanup;
	}
	sqlite3_bind_blob(st, 1, info->sha256, sizeof(info->sha256), SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*out_id = sqlite3_column_int64(st, 0);
		goto cleanup;
	}
	if (step != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "looking up a photo");
		goto cleanup;
	}
	sqlite3_reset(st);

	st = sk_db_stmt(db, sql_photo_insert);
	if (!st) {
		rc = db->err ? db->err : SK_EDB;
		goto cleanup;
	}
	sqlite3_bind_blob(st, 1, info->sha256, sizeof(info->sha256), SQLITE_STATIC);
	sqlite3_bind_text(st, 2, info->media_type, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, info->width);
	sqlite3_bind_int(st, 4, info->height);
	sqlite3_bind_blob64(st, 5, data, (sqlite3_uint64)len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sk_db_sqlfail(db, "storing a photo");
		goto cleanup;
	}
	*out_id = sqlite3_last_insert_rowid(db->sql);
cleanup:
	if (st)
		sqlite3_reset(st);
	return rc;
}

int sk_photo_load(struct sk_db *db, int64_t id, unsigned char **out, size_t *out_len,
		  const char **media_type)
{
	sqlite3_stmt *st = NULL;
	unsigned char *bytes = NULL;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	*media_type = NULL;
	st = sk_db_stmt(db, sql_photo_load);
	if (!st) {
		rc = db->err ? db->err : SK_EDB;
		goto cleanup;
	}
	sqlite3_bind_int64(st, 1, id);
	int step = sqlite3_step(st);
	if (step == SQLITE_DONE) {
		rc = sk_db_fail(db, SK_ENOTFOUND, "no photo with id %lld", (long long)id);
		goto cleanup;
	}
	if (step != SQLITE_ROW) {
		rc = sk_db_sqlfail(db, "loading a photo");
		goto cleanup;
	}
	const char *type = static_media_type((const char *)sqlite3_column_text(st, 0));
	if (!type) {
		rc = sk_db_fail(db, SK_ESCHEMA, "photo %lld has an unknown media type",
				(long long)id);
		goto cleanup;
	}
	const void *blob = sqlite3_column_blob(st, 1);
	size_t len = (size_t)sqlite3_column_bytes(st, 1);
	bytes = malloc(len ? len : 1);
	if (!bytes) {
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (len)
		memcpy(bytes, blob, len);
	*out = bytes;
	*out_len = len;
	*media_type = type;
	bytes = NULL;
cleanup:
	free(bytes);
	if (st)
		sqlite3_reset(st);
	return rc;
}
