/* QR payloads with MACs; see payload.h. */
#include "exam/payload.h"
#include "core/crypto.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/keys.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAC_BYTES 10
#define MAC_CHARS 16

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void base32(char out[MAC_CHARS + 1], const unsigned char mac[MAC_BYTES])
{
	unsigned bits = 0;
	int have = 0, k = 0;
	for (int i = 0; i < MAC_BYTES; i++) {
		bits = ((bits << 8) | mac[i]) & 0xFFFu; /* never more than 12 bits pending */
		have += 8;
		while (have >= 5) {
			out[k++] = crockford[(bits >> (have - 5)) & 31];
			have -= 5;
		}
	}
	out[k] = '\0';
}

static int mac_of(struct sk_db *db, const char *body, char out[MAC_CHARS + 1])
{
	const unsigned char *key = sk_keys_get(db, SK_KEY_TICKET);
	if (!key)
		return SK_EKEYS;
	unsigned char h[32];
	sk_keyed_hash(h, key, "shiken-qr-v1", body, strlen(body));
	base32(out, h);
	sodium_memzero(h, sizeof(h));
	return 0;
}

static int finish(struct sk_db *db, char *out, const char *body)
{
	char mac[MAC_CHARS + 1];
	int rc = mac_of(db, body, mac);
	if (rc)
		return rc;
	if ((size_t)snprintf(out, SK_PAYLOAD_MAX, "%s:%s", body, mac) >= SK_PAYLOAD_MAX)
		return sk_db_fail(db, SK_ERANGE, "QR payload too long");
	return 0;
}

int sk_payload_ticket(struct sk_db *db, const char *exam_number, char out[SK_PAYLOAD_MAX])
{
	char body[SK_PAYLOAD_MAX];
	snprintf(body, sizeof(body), "SK1T:%s", exam_number);
	return finish(db, out, body);
}

int sk_payload_sheet(struct sk_db *db, const char *sitting, const char *exam_number,
		     const char *paper_code, int page, char out[SK_PAYLOAD_MAX])
{
	char body[SK_PAYLOAD_MAX];
	if ((size_t)snprintf(body, sizeof(body), "SK1S:%s:%s:%s:%d", sitting, exam_number, paper_code, page) >=
	    sizeof(body))
		return sk_db_fail(db, SK_ERANGE, "QR payload too long");
	return finish(db, out, body);
}

int sk_payload_verify(struct sk_db *db, const char *scanned, struct sk_payload *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = strlen(scanned);
	/* Scanners may add a newline or spaces. */
	while (n && (scanned[n - 1] == '\n' || scanned[n - 1] == '\r' || scanned[n - 1] == ' '))
		n--;
	if (n < 6 || n >= SK_PAYLOAD_MAX || strncmp(scanned, "SK1", 3) || scanned[4] != ':' ||
	    (scanned[3] != 'T' && scanned[3] != 'S'))
		return SK_EINPUT;
	char text[SK_PAYLOAD_MAX];
	memcpy(text, scanned, n);
	text[n] = '\0';
	char *colon = strrchr(text, ':');
	if (!colon || strlen(colon + 1) != MAC_CHARS)
		return SK_EINPUT;
	*colon = '\0';
	char want[MAC_CHARS + 1];
	int rc = mac_of(db, text, want);
	if (rc)
		return rc;
	if (sodium_memcmp(want, colon + 1, MAC_CHARS) != 0)
		return SK_EVERIFY;
	/* Genuine: now the fields may be read. */
	char *fields[6];
	int nf = 0;
	char *save = NULL;
	for (char *t = strtok_r(text, ":", &save); t && nf < 6; t = strtok_r(NULL, ":", &save))
		fields[nf++] = t;
	out->kind = text[3];
	if (out->kind == 'T' && nf == 2) {
		snprintf(out->exam_number, sizeof(out->exam_number), "%s", fields[1]);
	} else if (out->kind == 'S' && nf == 5) {
		snprintf(out->sitting, sizeof(out->sitting), "%s", fields[1]);
		snprintf(out->exam_number, sizeof(out->exam_number), "%s", fields[2]);
		snprintf(out->paper_code, sizeof(out->paper_code), "%s", fields[3]);
		out->page = atoi(fields[4]);
	} else {
		memset(out, 0, sizeof(*out));
		return SK_EINPUT;
	}
	char canon[SK_EXAMNO_LEN + 1];
	if (sk_examno_parse(canon, out->exam_number, NULL, NULL)) {
		memset(out, 0, sizeof(*out));
		return SK_EINPUT;
	}
	return 0;
}
