/*
 * ticket_codes DB SITTING: what a scanner reads from each admission ticket
 * of a sitting, without printing and decoding a thousand PDFs. One line per
 * live registration in exam-number order: exam number, room, seat,
 * candidate reference and the QR payload, tab-separated. The payload comes
 * from sk_payload_ticket(), the function print/ticket.c draws the QR code
 * from (tests/cli/test_print_tickets.sh checks that against real tickets).
 * For command-level tests only: it is not installed.
 */
#include "core/db.h"
#include "core/error.h"
#include "core/keys.h"
#include "core/registration.h"
#include "exam/payload.h"

#include <stdio.h>
#include <stdlib.h>

static int print_one(void *payload, const struct sk_registration *r)
{
	struct sk_db *db = payload;
	char code[SK_PAYLOAD_MAX];
	int rc = sk_payload_ticket(db, r->exam_number, code);
	if (rc)
		return rc;
	printf("%s\t%s\t%s\t%s\t%s\n", r->exam_number, r->room, r->seat, r->reference, code);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ticket_codes DB SITTING\n");
		return 2;
	}
	char err[1024];
	struct sk_db *db = NULL;
	if (sk_db_open(&db, argv[1], 0, err, sizeof(err))) {
		fprintf(stderr, "ticket_codes: %s\n", err);
		return 1;
	}
	char *key = sk_keys_default_path(argv[1]);
	struct sk_registration_filter f = { .sitting = argv[2] };
	int rc = key ? sk_keys_load(db, key) : SK_ENOMEM;
	if (!rc)
		rc = sk_registration_foreach(db, &f, print_one, db);
	if (rc)
		fprintf(stderr, "ticket_codes: %s\n", sk_db_errmsg(db));
	free(key);
	sk_db_close(db);
	return rc ? 1 : 0;
}
