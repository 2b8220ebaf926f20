/*
 * Photo checks: PNG and JPEG made here with libpng and TurboJPEG are
 * accepted with their size and hash; damaged, foreign, empty, tiny, huge
 * and oversized files are refused with the right reason; mutated images
 * never crash the checker; stored photos are found again by content.
 */
#include "core/db.h"
#include "core/error.h"
#include "core/photo.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <png.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>
#include <unistd.h>

static void setup(void)
{
	cr_assert_geq(sodium_init(), 0);
}

TestSuite(photo, .init = setup);

/* A picture with enough detail that its compressed data is not tiny. */
static unsigned char *test_pixels(int width, int height, int channels)
{
	unsigned char *px = malloc((size_t)width * (size_t)height * (size_t)channels);
	cr_assert_not_null(px);
	uint32_t state = 12345;
	for (int y = 0; y < height; y++)
		for (int x = 0; x < width; x++)
			for (int c = 0; c < channels; c++) {
				state = state * 1103515245u + 12345u;
				px[((size_t)y * (size_t)width + (size_t)x) * (size_t)channels + (size_t)c] =
					(unsigned char)((x * 3 + y * 2 + c * 50) / 2 + (state >> 28));
			}
	return px;
}

static unsigned char *make_png(size_t *len, int width, int height, int gray)
{
	png_image image;
	memset(&image, 0, sizeof(image));
	image.version = PNG_IMAGE_VERSION;
	image.width = (png_uint_32)width;
	image.height = (png_uint_32)height;
	image.format = gray ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
	unsigned char *px = test_pixels(width, height, gray ? 1 : 3);
	png_alloc_size_t size = PNG_IMAGE_PNG_SIZE_MAX(image);
	unsigned char *out = malloc(size);
	cr_assert_not_null(out);
	cr_assert(png_image_write_to_memory(&image, out, &size, 0, px, 0, NULL), "%s",
		  image.message);
	free(px);
	*len = size;
	return out;
}

static unsigned char *make_jpeg(size_t *len, int width, int height)
{
	tjhandle tj = tjInitCompress();
	cr_assert_not_null(tj);
	unsigned char *px = test_pixels(width, height, 3), *jpeg = NULL;
	unsigned long size = 0;
	cr_assert_eq(tjCompress2(tj, px, width, 0, height, TJPF_RGB, &jpeg, &size, TJSAMP_420, 85,
				 0), 0, "%s", tjGetErrorStr2(tj));
	tjDestroy(tj);
	free(px);
	/* Hand back malloc'd memory like make_png, so callers free() both. */
	unsigned char *out = malloc(size);
	cr_assert_not_null(out);
	memcpy(out, jpeg, size);
	tjFree(jpeg);
	*len = size;
	return out;
}

/* Offset of the data of the first chunk of `type`, or 0. */
static size_t png_chunk(const unsigned char *png, size_t len, const char *type)
{
	size_t at = 8;
	while (at + 8 <= len) {
		size_t n = (size_t)png[at] << 24 | (size_t)png[at + 1] << 16 |
			   (size_t)png[at + 2] << 8 | png[at + 3];
		if (memcmp(png + at + 4, type, 4) == 0)
			return at + 8;
		at += 12 + n;
	}
	return 0;
}

static void assert_rejected(const unsigned char *data, size_t len, const char *want_reason,
			    const char *want_detail)
{
	struct sk_photo_info info;
	const char *reason = NULL;
	char detail[96];
	memset(&info, 0xaa, sizeof(info));
	int rc = sk_photo_check(&info, data, len, &reason, detail);
	cr_assert_eq(rc, SK_EINPUT, "rc %s", sk_errname(rc));
	cr_assert_not_null(reason);
	cr_assert_str_eq(reason, want_reason);
	if (want_detail)
		cr_assert_str_eq(detail, want_detail);
	else
		cr_assert_neq(detail[0], '\0');
	/* Out-parameters are cleared on failure. */
	cr_assert_null(info.media_type);
	cr_assert_eq(info.width, 0);
	cr_assert_eq(info.height, 0);
}

Test(photo, png_accepted)
{
	size_t len;
	unsigned char *png = make_png(&len, 120, 150, 0), sha[32];
	struct sk_photo_info info;
	const char *reason = "unset";
	char detail[96] = "unset";

	cr_assert_eq(sk_photo_check(&info, png, len, &reason, detail), 0, "%s", detail);
	cr_assert_str_eq(info.media_type, "image/png");
	cr_assert_eq(info.width, 120);
	cr_assert_eq(info.height, 150);
	crypto_hash_sha256(sha, png, len);
	cr_assert_arr_eq(info.sha256, sha, 32);
	cr_assert_null(reason);
	cr_assert_str_eq(detail, "");
	free(png);
}

Test(photo, grey_png_accepted)
{
	size_t len;
	unsigned char *png = make_png(&len, 100, 100, 1);
	struct sk_photo_info info;
	const char *reason;
	char detail[96];
	cr_assert_eq(sk_photo_check(&info, png, len, &reason, detail), 0, "%s", detail);
	cr_assert_eq(info.width, 100);
	cr_assert_eq(info.height, 100);
	free(png);
}

Test(photo, jpeg_accepted)
{
	size_t len;
	unsigned char *jpeg = make_jpeg(&len, 160, 200), sha[32];
	struct sk_photo_info info;
	const char *reason;
	char detail[96];

	cr_assert_eq(sk_photo_check(&info, jpeg, len, &reason, detail), 0, "%s", detail);
	cr_assert_str_eq(info.media_type, "image/jpeg");
	cr_assert_eq(info.width, 160);
	cr_assert_eq(info.height, 200);
	crypto_hash_sha256(sha, jpeg, len);
	cr_assert_arr_eq(info.sha256, sha, 32);
	free(jpeg);
}

Test(photo, truncated_png_rejected)
{
	size_t len;
	unsigned char *png = make_png(&len, 200, 200, 0);
	assert_rejected(png, len / 2, "corrupt PNG image (%s)", NULL);
	/* Cut just before the end: the IEND chunk is missing. */
	assert_rejected(png, len - 12, "corrupt PNG image (%s)", NULL);
	free(png);
}

Test(photo, png_with_flipped_idat_byte_rejected)
{
	size_t len;
	unsigned char *png = make_png(&len, 200, 200, 0);
	size_t idat = png_chunk(png, len, "IDAT");
	cr_assert_gt(idat, 0);
	png[idat + 100] ^= 0x10;
	assert_rejected(png, len, "corrupt PNG image (%s)", "IDAT: CRC error");
	free(png);
}

Test(photo, truncated_jpeg_rejected)
{
	size_t len;
	unsigned char *jpeg = make_jpeg(&len, 200, 200);
	assert_rejected(jpeg, len / 2, "corrupt JPEG image (%s)", NULL);
	/* Missing only the end-of-image marker is still a warning, so refused. */
	assert_rejected(jpeg, len - 2, "corrupt JPEG image (%s)", NULL);
	free(jpeg);
}

Test(photo, gif_rejected)
{
	static const unsigned char gif[] = "GIF89a\x64\x00\x64\x00\x80\x00\x00";
	assert_rejected(gif, sizeof(gif) - 1, "not a PNG or JPEG image (%s)", "GIF image");
}

Test(photo, empty_rejected)
{
	assert_rejected((const unsigned char *)"", 0, "not a PNG or JPEG image (%s)", "empty file");
	assert_rejected(NULL, 0, "not a PNG or JPEG image (%s)", "empty file");
}

Test(photo, text_rejected)
{
	static const char text[] = "reference,family_name\n";
	assert_rejected((const unsigned char *)text, sizeof(text) - 1,
			"not a PNG or JPEG image (%s)", "unknown format");
}

Test(photo, small_png_rejected)
{
	size_t len;
	unsigned char *png = make_png(&len, 80, 90, 0);
	assert_rejected(png, len, "image is too small (%s)", "80x90 pixels, at least 100x100");
	free(png);
}

Test(photo, small_jpeg_rejected)
{
	size_t len;
	unsigned char *jpeg = make_jpeg(&len, 64, 120);
	assert_rejected(jpeg, len, "image is too small (%s)", "64x120 pixels, at least 100x100");
	free(jpeg);
}

Test(photo, wide_png_rejected)
{
	size_t len;
	unsigned char *png = make_png(&len, 6001, 120, 1);
	cr_assert_leq(len, SK_PHOTO_MAX_BYTES);
	assert_rejected(png, len, "image is too large (%s)", "6001x120 pixels, at most 6000x6000");
	free(png);
}

/* A header claiming 100000x100000 pixels and nothing behind it: refused
 * on the header, before any decoding or allocation. */
Test(photo, huge_declared_png_rejected)
{
	size_t len;
	unsigned char *png = make_png(&len, 100, 100, 0);
	size_t ihdr = png_chunk(png, len, "IHDR");
	cr_assert_eq(ihdr, 16);
	static const unsigned char dim[8] = { 0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0 };
	memcpy(png + ihdr, dim, sizeof(dim));
	assert_rejected(png, 33, "image is too large (%s)",
			"100000x100000 pixels, at most 6000x6000");
	free(png);
}

Test(photo, oversized_file_rejected)
{
	size_t len = SK_PHOTO_MAX_BYTES + 1;
	unsigned char *big = calloc(1, len);
	cr_assert_not_null(big);
	memcpy(big, "\x89PNG\r\n\x1a\n", 8);
	assert_rejected(big, len, "image file is too large (%s)", "2.1 MiB, at most 2 MiB");
	free(big);
}

Test(photo, optional_reason_and_detail)
{
	struct sk_photo_info info;
	cr_assert_eq(sk_photo_check(&info, (const unsigned char *)"x", 1, NULL, NULL), SK_EINPUT);
}

/* Whatever the bytes, the answer is 0 or SK_EINPUT with a reason, and
 * nothing crashes or leaks (run under the sanitizers). */
static void fuzz_one(const unsigned char *data, size_t len)
{
	struct sk_photo_info info;
	const char *reason = NULL;
	char detail[96];
	int rc = sk_photo_check(&info, data, len, &reason, detail);
	if (rc == 0) {
		cr_assert_not_null(info.media_type);
		cr_assert_geq(info.width, SK_PHOTO_MIN_SIDE);
		cr_assert_geq(info.height, SK_PHOTO_MIN_SIDE);
		return;
	}
	cr_assert_eq(rc, SK_EINPUT, "rc %s", sk_errname(rc));
	cr_assert_not_null(reason);
	cr_assert_not_null(strstr(reason, "%s"));
	cr_assert_lt(strlen(detail), 96);
}

static void fuzz_image(const unsigned char *image, size_t len, uint32_t seed)
{
	unsigned char *copy = malloc(len);
	cr_assert_not_null(copy);
	/* Every truncation of the first 200 bytes, then strides. */
	for (size_t n = 0; n < len; n += n < 200 ? 1 : 97) {
		memcpy(copy, image, n);
		fuzz_one(copy, n);
	}
	uint32_t state = seed;
	for (int round = 0; round < 400; round++) {
		memcpy(copy, image, len);
		int flips = 1 + round % 8;
		for (int k = 0; k < flips; k++) {
			state = state * 1664525u + 1013904223u;
			size_t at = (state >> 8) % len;
			state = state * 1664525u + 1013904223u;
			if (round % 3 == 0)
				copy[at] = (unsigned char)(state >> 24); /* any byte */
			else
				copy[at] ^= (unsigned char)(1u << ((state >> 24) & 7));
		}
		fuzz_one(copy, len);
	}
	free(copy);
}

Test(photo, fuzz_png)
{
	size_t len;
	unsigned char *png = make_png(&len, 110, 120, 0);
	fuzz_image(png, len, 1);
	free(png);
}

Test(photo, fuzz_jpeg)
{
	size_t len;
	unsigned char *jpeg = make_jpeg(&len, 110, 120);
	fuzz_image(jpeg, len, 2);
	free(jpeg);
}

Test(photo, fuzz_random_after_magic)
{
	unsigned char buf[4096];
	uint32_t state = 7;
	for (int round = 0; round < 300; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			state = state * 1664525u + 1013904223u;
			buf[i] = (unsigned char)(state >> 24);
		}
		size_t len = 1 + (size_t)round * 13 % sizeof(buf);
		if (round % 2)
			memcpy(buf, "\x89PNG\r\n\x1a\n", len < 8 ? len : 8);
		else
			memcpy(buf, "\xff\xd8\xff", len < 3 ? len : 3);
		fuzz_one(buf, len);
	}
}

/* ---- files ---- */

static char *temp_dir(void)
{
	char *dir = strdup("/tmp/shiken-photo-XXXXXX");
	cr_assert_not_null(dir);
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

static char *path_in(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	cr_assert_not_null(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

Test(photo, read_file)
{
	char *dir = temp_dir(), *path = path_in(dir, "a.bin");
	unsigned char *data = NULL;
	size_t len = 99;
	write_bytes(path, "hello", 5);

	cr_assert_eq(sk_read_file(&data, &len, path, 5), 0);
	cr_assert_eq(len, 5);
	cr_assert_arr_eq(data, "hello", 5);
	free(data);

	cr_assert_eq(sk_read_file(&data, &len, path, 4), SK_ERANGE);
	cr_assert_null(data);
	cr_assert_eq(len, 0);

	write_bytes(path, "", 0);
	cr_assert_eq(sk_read_file(&data, &len, path, 10), 0);
	cr_assert_not_null(data);
	cr_assert_eq(len, 0);
	free(data);

	unlink(path);
	free(path);
	rmdir(dir);
	free(dir);
}

Test(photo, read_file_errors)
{
	char *dir = temp_dir(), *path = path_in(dir, "missing.png");
	unsigned char *data = (unsigned char *)"x";
	size_t len = 1;

	errno = 0;
	cr_assert_eq(sk_read_file(&data, &len, path, 100), SK_EIO);
	cr_assert_eq(errno, ENOENT);
	cr_assert_null(data);

	errno = 0;
	cr_assert_eq(sk_read_file(&data, &len, dir, 100), SK_EIO);
	cr_assert_eq(errno, EISDIR);
	cr_assert_null(data);

	free(path);
	rmdir(dir);
	free(dir);
}

/* ---- the registry ---- */

struct fixture {
	char *dir, *path;
	struct sk_db *db;
};

static void open_db(struct fixture *f)
{
	char err[256];
	f->dir = temp_dir();
	f->path = path_in(f->dir, "shiken.db");
	cr_assert_eq(sk_db_open(&f->db, f->path, SK_DB_CREATE, err, sizeof(err)), 0, "%s", err);
}

static void close_db(struct fixture *f)
{
	char *wal = NULL;
	sk_db_close(f->db);
	unlink(f->path);
	wal = malloc(strlen(f->path) + 5);
	cr_assert_not_null(wal);
	sprintf(wal, "%s-wal", f->path);
	unlink(wal);
	sprintf(wal, "%s-shm", f->path);
	unlink(wal);
	free(wal);
	free(f->path);
	rmdir(f->dir);
	free(f->dir);
}

static int64_t photo_count(struct sk_db *db)
{
	sqlite3_stmt *st = NULL;
	cr_assert_eq(sqlite3_prepare_v2(db->sql, "SELECT count(*) FROM photo", -1, &st, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

Test(photo, store_and_load)
{
	struct fixture f;
	size_t png_len, jpeg_len, len;
	unsigned char *png = make_png(&png_len, 120, 150, 0);
	unsigned char *jpeg = make_jpeg(&jpeg_len, 130, 170), *loaded = NULL;
	struct sk_photo_info png_info, jpeg_info;
	const char *reason, *type = NULL;
	char detail[96];
	int64_t a = 0, b = 0, c = 0;

	open_db(&f);
	cr_assert_eq(sk_photo_check(&png_info, png, png_len, &reason, detail), 0);
	cr_assert_eq(sk_photo_check(&jpeg_info, jpeg, jpeg_len, &reason, detail), 0);
	cr_assert_eq(sk_db_begin(f.db), 0);
	cr_assert_eq(sk_photo_store(f.db, &a, png, png_len, &png_info), 0, "%s",
		     sk_db_errmsg(f.db));
	cr_assert_eq(sk_photo_store(f.db, &b, jpeg, jpeg_len, &jpeg_info), 0, "%s",
		     sk_db_errmsg(f.db));
	/* The same bytes again: the same row. */
	cr_assert_eq(sk_photo_store(f.db, &c, png, png_len, &png_info), 0);
	cr_assert_eq(sk_db_commit(f.db), 0);
	cr_assert_gt(a, 0);
	cr_assert_neq(a, b);
	cr_assert_eq(a, c);
	cr_assert_eq(photo_count(f.db), 2);

	cr_assert_eq(sk_photo_load(f.db, b, &loaded, &len, &type), 0);
	cr_assert_str_eq(type, "image/jpeg");
	cr_assert_eq(len, jpeg_len);
	cr_assert_arr_eq(loaded, jpeg, len);
	free(loaded);
	cr_assert_eq(sk_photo_load(f.db, a, &loaded, &len, &type), 0);
	cr_assert_str_eq(type, "image/png");
	cr_assert_eq(len, png_len);
	cr_assert_arr_eq(loaded, png, len);
	free(loaded);

	cr_assert_eq(sk_db_check(f.db), 0, "%s", sk_db_errmsg(f.db));
	close_db(&f);
	free(png);
	free(jpeg);
}

Test(photo, load_missing)
{
	struct fixture f;
	unsigned char *data = (unsigned char *)"x";
	size_t len = 1;
	const char *type = "x";

	open_db(&f);
	cr_assert_eq(sk_photo_load(f.db, 42, &data, &len, &type), SK_ENOTFOUND);
	cr_assert_null(data);
	cr_assert_eq(len, 0);
	cr_assert_null(type);
	cr_assert_neq(sk_db_errmsg(f.db)[0], '\0');
	close_db(&f);
}

Test(photo, store_refuses_unchecked)
{
	struct fixture f;
	struct sk_photo_info info;
	int64_t id = 7;

	memset(&info, 0, sizeof(info)); /* what a failed check leaves */
	open_db(&f);
	cr_assert_eq(sk_photo_store(f.db, &id, (const unsigned char *)"GIF89a", 6, &info),
		     SK_EINVAL);
	cr_assert_eq(id, 0);
	cr_assert_eq(photo_count(f.db), 0);
	cr_assert_eq(sk_db_check(f.db), 0);
	close_db(&f);
}
