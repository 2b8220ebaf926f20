/*
 * The growable buffer: never NULL, always NUL-terminated, grows across many
 * appends, detaches the bytes exactly once, escapes JSON strings, and keeps
 * an allocation failure sticky until reset.
 */
#include "core/buf.h"
#include "core/error.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

Test(buf, init_is_empty_not_null)
{
	struct sk_buf b;
	sk_buf_init(&b);
	cr_assert_not_null(b.buf);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.buf, "");
	cr_assert_eq(sk_buf_failed(&b), 0);
	sk_buf_release(&b);
	cr_assert_not_null(b.buf);
}

Test(buf, static_initialiser_matches_init)
{
	struct sk_buf b = SK_BUF_INIT;
	cr_assert_not_null(b.buf);
	cr_assert_str_eq(b.buf, "");
	sk_buf_adds(&b, "x");
	cr_assert_str_eq(b.buf, "x");
	sk_buf_release(&b);
}

Test(buf, appends_in_order)
{
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_adds(&b, "受験");
	sk_buf_addch(&b, '-');
	sk_buf_add(&b, "番号xyz", 6);
	sk_buf_addf(&b, ":%d:%s", 42, "ok");
	cr_assert_eq(sk_buf_failed(&b), 0);
	cr_assert_str_eq(b.buf, "受験-番号:42:ok");
	cr_assert_eq(b.len, strlen("受験-番号:42:ok"));
	sk_buf_release(&b);
}

Test(buf, empty_appends_change_nothing)
{
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_add(&b, "", 0);
	sk_buf_adds(&b, "");
	sk_buf_addf(&b, "%s", "");
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.buf, "");
	sk_buf_release(&b);
}

Test(buf, embedded_nul_kept_by_add)
{
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_add(&b, "a\0b", 3);
	cr_assert_eq(b.len, 3);
	cr_assert_eq(memcmp(b.buf, "a\0b", 4), 0);
	sk_buf_release(&b);
}

Test(buf, grows_over_many_appends)
{
	struct sk_buf b = SK_BUF_INIT;
	for (int i = 0; i < 100000; i++)
		sk_buf_addch(&b, (char)('a' + i % 26));
	cr_assert_eq(sk_buf_failed(&b), 0);
	cr_assert_eq(b.len, 100000);
	cr_assert_geq(b.alloc, b.len + 1);
	cr_assert_eq(b.buf[b.len], '\0');
	for (int i = 0; i < 100000; i += 997)
		cr_assert_eq(b.buf[i], 'a' + i % 26);
	sk_buf_release(&b);
}

Test(buf, addf_longer_than_first_allocation)
{
	struct sk_buf b = SK_BUF_INIT;
	char big[1000];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sk_buf_adds(&b, "<");
	sk_buf_addf(&b, "%s>%05d", big, 7);
	cr_assert_eq(b.len, 1 + 999 + 1 + 5);
	cr_assert_eq(b.buf[0], '<');
	cr_assert_str_eq(b.buf + 1000, ">00007");
	sk_buf_release(&b);
}

Test(buf, grow_reserves_room)
{
	struct sk_buf b = SK_BUF_INIT;
	cr_assert_eq(sk_buf_grow(&b, 500), 0);
	cr_assert_geq(b.alloc, 501);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.buf, "");
	sk_buf_release(&b);
}

Test(buf, reset_keeps_allocation)
{
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_adds(&b, "something long enough");
	size_t alloc = b.alloc;
	char *p = b.buf;
	sk_buf_reset(&b);
	cr_assert_eq(b.len, 0);
	cr_assert_str_eq(b.buf, "");
	cr_assert_eq(b.alloc, alloc);
	cr_assert_eq(b.buf, p);
	sk_buf_release(&b);
}

Test(buf, reset_of_unallocated_buffer)
{
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_reset(&b);
	cr_assert_str_eq(b.buf, "");
	cr_assert_eq(b.len, 0);
}

Test(buf, detach_takes_bytes_and_reinitialises)
{
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_adds(&b, "hello");
	size_t len = 0;
	char *s = sk_buf_detach(&b, &len);
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "hello");
	cr_assert_eq(len, 5);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(b.alloc, 0);
	cr_assert_str_eq(b.buf, "");
	cr_assert_neq(b.buf, s);
	free(s);
	/* The buffer is usable again. */
	sk_buf_adds(&b, "again");
	cr_assert_str_eq(b.buf, "again");
	sk_buf_release(&b);
}

Test(buf, detach_of_empty_buffer_is_freeable_string)
{
	struct sk_buf b = SK_BUF_INIT;
	size_t len = 99;
	char *s = sk_buf_detach(&b, &len);
	cr_assert_not_null(s);
	cr_assert_str_eq(s, "");
	cr_assert_eq(len, 0);
	cr_assert_neq(s, sk_buf_empty);
	free(s);
	/* out_len may be NULL. */
	s = sk_buf_detach(&b, NULL);
	cr_assert_not_null(s);
	free(s);
}

Test(buf, impossible_growth_fails_and_sticks)
{
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_adds(&b, "kept");
	cr_assert_eq(sk_buf_grow(&b, SIZE_MAX - 2), SK_ENOMEM);
	cr_assert_eq(sk_buf_failed(&b), 1);
	/* Later adds are no-ops; the bytes before the failure are untouched. */
	sk_buf_adds(&b, "lost");
	sk_buf_addf(&b, "%d", 5);
	cr_assert_str_eq(b.buf, "kept");
	cr_assert_eq(b.len, 4);
	cr_assert_eq(sk_buf_grow(&b, 1), SK_ENOMEM);
	/* Detach refuses a failed buffer and frees it. */
	size_t len = 99;
	cr_assert_null(sk_buf_detach(&b, &len));
	cr_assert_eq(len, 0);
	cr_assert_str_eq(b.buf, "");
	cr_assert_eq(sk_buf_failed(&b), 0);
}

Test(buf, reset_clears_failure)
{
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_adds(&b, "x");
	cr_assert_eq(sk_buf_grow(&b, SIZE_MAX / 2), SK_ENOMEM);
	cr_assert(sk_buf_failed(&b));
	sk_buf_reset(&b);
	cr_assert_eq(sk_buf_failed(&b), 0);
	sk_buf_adds(&b, "ok");
	cr_assert_str_eq(b.buf, "ok");
	sk_buf_release(&b);
}

Test(buf, json_string_escapes)
{
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_add_json_str(&b, "a\"b\\c\nd\re\tf\x01g\x1fh 受験");
	cr_assert_str_eq(b.buf, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001fh 受験\"");
	sk_buf_release(&b);
}

Test(buf, json_null_and_empty)
{
	struct sk_buf b = SK_BUF_INIT;
	sk_buf_add_json_str(&b, NULL);
	sk_buf_addch(&b, ',');
	sk_buf_add_json_str(&b, "");
	cr_assert_str_eq(b.buf, "null,\"\"");
	sk_buf_release(&b);
}
