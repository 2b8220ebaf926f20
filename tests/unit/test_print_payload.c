/*
 * The QR payloads of admission tickets and answer sheets (exam/payload.c).
 * A proctor's scanner must accept every genuine code and refuse a forged or
 * altered one, and tell "not one of ours" (SK_EINPUT) from "ours but wrong"
 * (SK_EVERIFY). The MAC is checked here against the format payload.h
 * documents, computed independently with libsodium, so that a check-in app
 * written elsewhere can verify tickets too.
 */
#include "core/examno.h"
#include "core/keys.h"
#include "exam/payload.h"
#include "unit.h"

#include <sodium.h>

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The documented MAC: BLAKE2b keyed with the ticket key over
 * "shiken-qr-v1" 0x00 body, first 80 bits, Crockford base32. */
static void expected_mac(char out[17], struct sk_db *db, const char *body)
{
	const unsigned char *key = sk_keys_get(db, SK_KEY_TICKET);
	cr_assert_not_null(key);
	crypto_generichash_state st;
	unsigned char h[32];
	crypto_generichash_init(&st, key, 32, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)"shiken-qr-v1", 12);
	crypto_generichash_update(&st, (const unsigned char *)"", 1);
	crypto_generichash_update(&st, (const unsigned char *)body, strlen(body));
	crypto_generichash_final(&st, h, sizeof(h));
	unsigned bits = 0;
	int have = 0, k = 0;
	for (int i = 0; i < 10; i++) {
		bits = (bits << 8) | h[i];
		have += 8;
		while (have >= 5) {
			out[k++] = crockford[(bits >> (have - 5)) & 31];
			have -= 5;
		}
	}
	out[k] = '\0';
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

Test(payload, ticket_has_the_documented_form)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char p[SK_PAYLOAD_MAX], mac[17];
	cr_assert_eq(sk_payload_ticket(u.db, "0001-00042-6", p), 0, "%s", sk_db_errmsg(u.db));
	cr_assert_eq(strncmp(p, "SK1T:0001-00042-6:", 18), 0, "%s", p);
	cr_assert_eq(strlen(p), 18 + 16, "%s", p);
	for (const char *c = p + 18; *c; c++)
		cr_assert_not_null(strchr(crockford, *c), "'%c' is not Crockford base32", *c);
	expected_mac(mac, u.db, "SK1T:0001-00042-6");
	cr_assert_str_eq(p + 18, mac);
	/* The same number gives the same code: a reprinted ticket still scans. */
	char again[SK_PAYLOAD_MAX];
	cr_assert_eq(sk_payload_ticket(u.db, "0001-00042-6", again), 0);
	cr_assert_str_eq(again, p);
	unit_db_close(&u);
}

Test(payload, ticket_verifies)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char p[SK_PAYLOAD_MAX];
	cr_assert_eq(sk_payload_ticket(u.db, "0001-00042-6", p), 0);
	struct sk_payload out;
	cr_assert_eq(sk_payload_verify(u.db, p, &out), 0);
	cr_assert_eq(out.kind, 'T');
	cr_assert_str_eq(out.exam_number, "0001-00042-6");
	cr_assert_str_eq(out.sitting, "");
	cr_assert_str_eq(out.paper_code, "");
	cr_assert_eq(out.page, 0);
	unit_db_close(&u);
}

Test(payload, scanner_line_endings_are_accepted)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char p[SK_PAYLOAD_MAX], line[SK_PAYLOAD_MAX + 4];
	cr_assert_eq(sk_payload_ticket(u.db, "0001-00042-6", p), 0);
	struct sk_payload out;
	static const char *const ends[] = { "\n", "\r\n", " " };
	for (size_t i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "%s%s", p, ends[i]);
		cr_assert_eq(sk_payload_verify(u.db, line, &out), 0, "ending %zu", i);
		cr_assert_str_eq(out.exam_number, "0001-00042-6");
	}
	unit_db_close(&u);
}

/* Every single-character change is refused: in the exam number and the MAC
 * as a forgery (SK_EVERIFY); in the "SK1T:" prefix and the separators
 * either way; never accepted, and the output is left cleared. */
Test(payload, any_changed_character_fails)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char p[SK_PAYLOAD_MAX];
	cr_assert_eq(sk_payload_ticket(u.db, "0001-00042-6", p), 0);
	size_t n = strlen(p);
	struct sk_payload out;
	size_t tried = 0;
	for (size_t i = 0; i < n; i++) {
		char orig = p[i];
		for (int c = 0x21; c < 0x7F; c++) {
			if (c == orig)
				continue;
			p[i] = (char)c;
			int rc = sk_payload_verify(u.db, p, &out);
			if (i >= 5 && c != ':' && orig != ':')
				cr_assert_eq(rc, SK_EVERIFY, "%s gave %s", p, sk_errname(rc));
			else
				cr_assert(rc == SK_EVERIFY || rc == SK_EINPUT, "%s gave %s", p, sk_errname(rc));
			cr_assert(all_zero(&out, sizeof(out)), "%s left fields behind", p);
			tried++;
		}
		p[i] = orig;
	}
	cr_assert_gt(tried, 3000);
	/* A character dropped or added is refused too. */
	char q[SK_PAYLOAD_MAX + 8];
	for (size_t i = 0; i < n; i++) {
		snprintf(q, sizeof(q), "%.*s%s", (int)i, p, p + i + 1);
		cr_assert_neq(sk_payload_verify(u.db, q, &out), 0, "%s", q);
		snprintf(q, sizeof(q), "%.*sA%s", (int)i, p, p + i);
		cr_assert_neq(sk_payload_verify(u.db, q, &out), 0, "%s", q);
	}
	unit_db_close(&u);
}

Test(payload, a_changed_exam_number_gets_another_mac)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char a[SK_PAYLOAD_MAX], b[SK_PAYLOAD_MAX];
	cr_assert_eq(sk_payload_ticket(u.db, "0001-00042-6", a), 0);
	cr_assert_eq(sk_payload_ticket(u.db, "0001-00043-4", b), 0);
	cr_assert_str_neq(a + 18, b + 18);
	/* A forger who pastes one ticket's MAC on another number is refused. */
	char forged[SK_PAYLOAD_MAX];
	snprintf(forged, sizeof(forged), "SK1T:0001-00043-4:%s", a + 18);
	struct sk_payload out;
	cr_assert_eq(sk_payload_verify(u.db, forged, &out), SK_EVERIFY);
	unit_db_close(&u);
}

Test(payload, garbage_is_not_a_shiken_code)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char long_text[400];
	memset(long_text, 'A', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	memcpy(long_text, "SK1T:", 5);
	static const char *const garbage[] = {
		"",
		"S",
		"SK1T",
		"SK1T:",
		"hello, world",
		"https://example.com/verify?t=1",
		"SK2T:0001-00042-6:0123456789ABCDEF",
		"SK1X:0001-00042-6:0123456789ABCDEF",
		"sk1t:0001-00042-6:0123456789ABCDEF",
		"SK1T0001-00042-6:0123456789ABCDEF",
		"SK1T:0001-00042-6",
		"SK1T:0001-00042-6:",
		"SK1T:0001-00042-6:0123456789ABCDE",
		"SK1T:0001-00042-6:0123456789ABCDEF0",
		"\x01\x02\x03\xff\xfe",
		"\xef\xbb\xbfSK1T:0001-00042-6:0123456789ABCDEF",
	};
	struct sk_payload out;
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		int rc = sk_payload_verify(u.db, garbage[i], &out);
		cr_assert_eq(rc, SK_EINPUT, "'%s' gave %s", garbage[i], sk_errname(rc));
		cr_assert(all_zero(&out, sizeof(out)));
	}
	cr_assert_eq(sk_payload_verify(u.db, long_text, &out), SK_EINPUT);
	/* Shaped like a ticket but with a made-up MAC: a forgery. */
	cr_assert_eq(sk_payload_verify(u.db, "SK1T:0001-00042-6:0123456789ABCDEF", &out), SK_EVERIFY);
	unit_db_close(&u);
}

Test(payload, genuine_mac_over_a_bad_exam_number_is_refused)
{
	/* Fields are checked after the MAC: even a code we signed must carry a
	 * real exam number to be accepted. */
	struct unit_db u;
	unit_db_open(&u, 1);
	char p[SK_PAYLOAD_MAX];
	struct sk_payload out;
	cr_assert_eq(sk_payload_ticket(u.db, "0001-00042-5", p), 0); /* wrong check digit */
	cr_assert_eq(sk_payload_verify(u.db, p, &out), SK_EINPUT);
	cr_assert(all_zero(&out, sizeof(out)));
	cr_assert_eq(sk_payload_ticket(u.db, "nobody", p), 0);
	cr_assert_eq(sk_payload_verify(u.db, p, &out), SK_EINPUT);
	unit_db_close(&u);
}

Test(payload, another_registrys_key_fails)
{
	struct unit_db a, b;
	unit_db_open(&a, 1);
	unit_db_open(&b, 1);
	char pa[SK_PAYLOAD_MAX], pb[SK_PAYLOAD_MAX];
	cr_assert_eq(sk_payload_ticket(a.db, "0001-00042-6", pa), 0);
	cr_assert_eq(sk_payload_ticket(b.db, "0001-00042-6", pb), 0);
	cr_assert_str_neq(pa, pb);
	struct sk_payload out;
	cr_assert_eq(sk_payload_verify(b.db, pa, &out), SK_EVERIFY);
	cr_assert_eq(sk_payload_verify(a.db, pb, &out), SK_EVERIFY);
	cr_assert_eq(sk_payload_verify(a.db, pa, &out), 0);
	unit_db_close(&b);
	unit_db_close(&a);
}

Test(payload, without_keys_nothing_is_signed_or_trusted)
{
	struct unit_db u;
	unit_db_open(&u, 0);
	char p[SK_PAYLOAD_MAX];
	cr_assert_eq(sk_payload_ticket(u.db, "0001-00042-6", p), SK_EKEYS);
	struct sk_payload out;
	cr_assert_eq(sk_payload_verify(u.db, "SK1T:0001-00042-6:0123456789ABCDEF", &out), SK_EKEYS);
	unit_db_close(&u);
}

Test(payload, sheet_verifies_and_tampering_fails)
{
	struct unit_db u;
	unit_db_open(&u, 1);
	char p[SK_PAYLOAD_MAX], mac[17];
	cr_assert_eq(sk_payload_sheet(u.db, "2026-12-HAN", "0001-00042-6", "MM1-F3", 2, p), 0);
	cr_assert_eq(strncmp(p, "SK1S:2026-12-HAN:0001-00042-6:MM1-F3:2:", 39), 0, "%s", p);
	expected_mac(mac, u.db, "SK1S:2026-12-HAN:0001-00042-6:MM1-F3:2");
	cr_assert_str_eq(p + 39, mac);
	struct sk_payload out;
	cr_assert_eq(sk_payload_verify(u.db, p, &out), 0);
	cr_assert_eq(out.kind, 'S');
	cr_assert_str_eq(out.sitting, "2026-12-HAN");
	cr_assert_str_eq(out.exam_number, "0001-00042-6");
	cr_assert_str_eq(out.paper_code, "MM1-F3");
	cr_assert_eq(out.page, 2);
	/* Another page, paper or candidate: not what was printed. */
	char q[SK_PAYLOAD_MAX];
	snprintf(q, sizeof(q), "SK1S:2026-12-HAN:0001-00042-6:MM1-F3:3:%s", mac);
	cr_assert_eq(sk_payload_verify(u.db, q, &out), SK_EVERIFY);
	snprintf(q, sizeof(q), "SK1S:2026-12-HAN:0001-00042-6:MM1-F4:2:%s", mac);
	cr_assert_eq(sk_payload_verify(u.db, q, &out), SK_EVERIFY);
	/* A sheet's MAC does not make a ticket. */
	snprintf(q, sizeof(q), "SK1T:0001-00042-6:%s", mac);
	cr_assert_eq(sk_payload_verify(u.db, q, &out), SK_EVERIFY);
	unit_db_close(&u);
}

Test(payload, macs_do_not_collide_over_a_sitting)
{
	/* 80 bits: no two of 5,000 exam numbers may share a MAC. */
	struct unit_db u;
	unit_db_open(&u, 1);
	enum { N = 5000 };
	char(*macs)[17] = calloc(N, 17);
	cr_assert_not_null(macs);
	for (int i = 0; i < N; i++) {
		char no[SK_EXAMNO_LEN + 1], p[SK_PAYLOAD_MAX];
		sk_examno_format(no, 1, i + 1);
		cr_assert_eq(sk_payload_ticket(u.db, no, p), 0);
		memcpy(macs[i], p + 18, 17);
	}
	qsort(macs, N, 17, (int (*)(const void *, const void *))strcmp);
	for (int i = 1; i < N; i++)
		cr_assert_str_neq(macs[i - 1], macs[i]);
	free(macs);
	unit_db_close(&u);
}
