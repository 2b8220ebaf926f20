/*
 * Check-in (受付) at the door of the exam room: a proctor scans a
 * candidate's admission ticket (or types the exam number), sees who it
 * belongs to, checks their passport, and admits them — once. The terminal
 * station (`shiken checkin`) and the web station call the same functions:
 *
 *   sk_checkin_station_init()  where and who: sitting, optional room and
 *                              test, station name, proctor;
 *   sk_checkin_lookup()        what a scanned or typed line is: the
 *                              candidate, or why they are refused (reads
 *                              only; call it as often as you like);
 *   sk_checkin_admit()         admit them: checks everything again inside
 *                              the transaction that writes, so two stations
 *                              scanning one ticket admit it exactly once;
 *   sk_checkin_refuse()        keep a refusal the proctor was shown, or
 *                              their decision not to admit;
 *   sk_checkin_close()         mark who never came to a room absent;
 *   sk_checkin_counts()        per room: expected, present, late, absent.
 *
 * A scanned line is never trusted: a ticket code's MAC (exam/payload.h) is
 * verified before anything in it is read, lines are bounded
 * (SK_CHECKIN_LINE_MAX), and a forged or altered code yields
 * SK_CHECKIN_FORGED with nothing from it. A typed exam number has no MAC;
 * its check digit is verified and the record keeps that it was typed.
 *
 * The passport is checked by its last four characters, compared by keyed
 * hash with the number sealed in the registry (core/candidate.h), or by
 * sight; the record keeps which. The number is never returned, not even
 * masked: a station that showed its last four would defeat the check.
 *
 * Every write is one transaction with its audit record (entity "checkin",
 * key the exam number, or the sitting for a forged ticket; actions
 * "present", "absent", "refuse"), naming station and proctor. Grading
 * (exam/grade.h) reads check-ins: absent at the door and no answers is
 * absent; absent at the door with answers is not graded until resolved;
 * present with no answers is graded absent and reported.
 *
 * Errors: functions return 0 or a negative SK_E* code with the detail on
 * the handle (or, for bad input, in the report). A refusal is not an error:
 * it is the verdict in the view, with 0 returned.
 */
#ifndef SK_CHECKIN_H
#define SK_CHECKIN_H

#include "core/report.h"

#include <stddef.h>
#include <stdint.h>

struct sk_db;

#define SK_CHECKIN_NAME_MAX 100 /* station and proctor names, in characters */
#define SK_CHECKIN_LINE_MAX 200 /* a scanned or typed line, in bytes */

/* Where and who. Filled by sk_checkin_station_init(); the caller owns it
 * and may keep it as long as the session lasts. */
struct sk_checkin_station {
	int64_t sitting_id;
	char sitting[40];
	char exam_date[11];
	char start_time[16];         /* HH:MM at the venue */
	char venue[40];
	int64_t room_id;             /* 0: every room of the sitting */
	char room[24];
	int64_t test_id;             /* 0: every test of the sitting */
	char test[16];
	char station[4 * SK_CHECKIN_NAME_MAX + 1];
	char proctor[4 * SK_CHECKIN_NAME_MAX + 1];
};

/* Set up a station. room and test may be NULL (any). station and proctor
 * are required free text (at most SK_CHECKIN_NAME_MAX characters, no
 * control characters or line breaks, not starting with '=', '+' or '@').
 * Errors: SK_EINPUT with each problem in rep (field station or proctor);
 * SK_ENOTFOUND (no such sitting, a room its venue lacks, a test it does not
 * offer) recorded on db. */
int sk_checkin_station_init(struct sk_checkin_station *out, struct sk_db *db, const char *sitting,
			    const char *room, const char *test, const char *station, const char *proctor,
			    struct sk_report *rep);

/* A sitting's rules at the door. Without a stored policy: unpaid refused,
 * no late cutoff. */
struct sk_checkin_policy {
	int admit_unpaid;      /* 0: an unpaid (or refunded) fee is refused; 1: admitted, flagged */
	char late_after[21];   /* "YYYY-MM-DDTHH:MM:SSZ"; "" for no cutoff */
	int utc_offset;        /* minutes; how the cutoff was given, for showing it */
	int stored;            /* 1 when the sitting has a policy of its own */
};

/* Read a sitting's policy. SK_ENOTFOUND: no such sitting. */
int sk_checkin_policy_get(struct sk_checkin_policy *out, struct sk_db *db, const char *sitting);

/* Store a sitting's policy (audited: entity "checkin-policy", key the
 * sitting, old and new values). Setting the policy in force changes
 * nothing and writes no record. SK_ENOTFOUND: no such sitting; SK_EINPUT: a
 * malformed late_after or offset. */
int sk_checkin_policy_set(struct sk_db *db, const char *sitting, const struct sk_checkin_policy *p);

/* Read a late cutoff as staff write it, always with its zone:
 * "2026-12-13T09:45+07:00", "2026-12-13T02:45Z", "2026-12-13 09:45:00+07:00",
 * or just "09:45+07:00" on exam_date (YYYY-MM-DD). out[21] receives UTC
 * ("2026-12-13T02:45:00Z"), *utc_offset the offset in minutes (0 for Z).
 * 0, or SK_EINPUT (out is "" then). */
int sk_checkin_parse_cutoff(char out[21], int *utc_offset, const char *text, const char *exam_date);

/* What a line turned out to be. ADMISSIBLE: the proctor may admit, after
 * checking the passport (and confirming any SK_CHECKIN_CONFIRM flags). */
enum sk_checkin_verdict {
	SK_CHECKIN_ADMISSIBLE = 0,
	SK_CHECKIN_UNREADABLE,    /* neither a ticket code nor an exam number */
	SK_CHECKIN_CHECK_DIGIT,   /* an exam number with a wrong check digit (mistyped) */
	SK_CHECKIN_FORGED,        /* a ticket code whose MAC does not match: forged or altered */
	SK_CHECKIN_SHEET,         /* a genuine answer-sheet code, not a ticket */
	SK_CHECKIN_UNKNOWN,       /* no registration has this exam number */
	SK_CHECKIN_WRONG_SITTING, /* the registration is for another sitting */
	SK_CHECKIN_CANCELLED,     /* the registration was cancelled */
	SK_CHECKIN_ALREADY,       /* already checked in: prior_* say when, where, by whom */
	SK_CHECKIN_WRONG_TEST,    /* not the test this station admits to */
	SK_CHECKIN_WRONG_ROOM,    /* seated in another room: room and seat say where */
	SK_CHECKIN_UNPAID,        /* fee unpaid (or refunded) and the sitting refuses that */
	SK_CHECKIN_PASSPORT,      /* the passport's last four characters do not match */
	SK_CHECKIN_UNCONFIRMED,   /* admit without the proctor's yes to a CONFIRM flag */
	SK_CHECKIN_DECLINED,      /* the proctor decided not to admit (sk_checkin_refuse) */
};

/* Flags on an admissible view. */
#define SK_CHECKIN_LATE 0x1u        /* after the sitting's late cutoff */
#define SK_CHECKIN_WAS_ABSENT 0x2u  /* marked absent when the room was closed */
#define SK_CHECKIN_FEE_UNPAID 0x4u  /* fee unpaid, admitted by the sitting's policy */
#define SK_CHECKIN_NO_PHOTO 0x8u    /* no photo on record to compare with */
/* The flags a proctor must say yes to before admitting. */
#define SK_CHECKIN_CONFIRM (SK_CHECKIN_LATE | SK_CHECKIN_WAS_ABSENT)

/* A line looked up, or an admission made. Strings are "" when unknown:
 * for UNREADABLE, CHECK_DIGIT and FORGED nothing but verdict and source is
 * filled. */
struct sk_checkin_view {
	enum sk_checkin_verdict verdict;
	unsigned flags;              /* SK_CHECKIN_LATE ... */
	char source[8];              /* "ticket" (MAC verified) or "typed" */
	char exam_number[16];
	int64_t registration_id;
	char reference[40];
	char family_name[128], given_name[128], native_name[256];
	char date_of_birth[11];
	char nationality[3];
	char sitting[40];            /* the registration's sitting */
	char exam_date[11];
	char test[16];
	char test_ja[96], test_en[96];
	int level;
	char room[24], seat[16];
	char fee_status[12];         /* unpaid, paid, waived, refunded */
	int64_t photo_id;            /* 0: none */
	/* The row already there: for ALREADY (present) and WAS_ABSENT. */
	char prior_status[8];
	char prior_at[21];
	char prior_station[4 * SK_CHECKIN_NAME_MAX + 1];
	char prior_proctor[4 * SK_CHECKIN_NAME_MAX + 1];
	/* After sk_checkin_admit(): 1 and the time when admitted. */
	int admitted;
	char at[21];
	char identity[12];           /* "passport" or "sight" */
};

/* Look a scanned or typed line up for this station, reading only. Returns
 * 0 with the verdict in out, or a database/key error (out cleared). */
int sk_checkin_lookup(struct sk_checkin_view *out, struct sk_db *db, const struct sk_checkin_station *st,
		      const char *line);

enum sk_checkin_identity {
	SK_CHECKIN_BY_PASSPORT = 1, /* the proctor typed the passport's last four characters */
	SK_CHECKIN_BY_SIGHT = 2,    /* the proctor compared passport and person by sight */
};

struct sk_checkin_admission {
	enum sk_checkin_identity identity;
	const char *passport_last4; /* as typed, for SK_CHECKIN_BY_PASSPORT */
	unsigned confirmed;         /* the SK_CHECKIN_CONFIRM flags the proctor said yes to */
};

/* Normalise typed passport characters (full-width, lower case, spaces) into
 * out[5]: exactly four ASCII letters or digits. 0 or SK_EINPUT. */
int sk_checkin_last4_normalise(char out[5], const char *typed);

/* Admit the candidate of this line (the same line that was looked up: it is
 * verified again). In one transaction: look up again, check the passport,
 * write the check-in and its audit record. Returns 0 with out->admitted 1,
 * or 0 with the refusal in out->verdict — PASSPORT when the characters do
 * not match, ALREADY when another station was quicker, UNCONFIRMED when a
 * CONFIRM flag lacks the proctor's yes (nothing written then), or any
 * lookup verdict. Refusals are kept as sk_checkin_refuse() keeps them.
 * SK_EINPUT (recorded on db): no identity, or passport characters that are
 * not four letters or digits. */
int sk_checkin_admit(struct sk_checkin_view *out, struct sk_db *db, const struct sk_checkin_station *st,
		     const char *line, const struct sk_checkin_admission *a);

/* Non-zero if a refusal for this reason is kept (sk_checkin_refuse writes
 * it): not for unreadable or mistyped lines, answer-sheet codes, or an
 * admission that only lacked a confirmation. */
int sk_checkin_refusal_kept(enum sk_checkin_verdict why);

/* Keep a refusal: why is view->verdict (as shown to the proctor) or
 * SK_CHECKIN_DECLINED (the proctor did not admit an admissible candidate,
 * e.g. late). One transaction: a checkin_refusal row and an audit record.
 * Does nothing (0) for reasons that are not kept. */
int sk_checkin_refuse(struct sk_db *db, const struct sk_checkin_station *st, const struct sk_checkin_view *view,
		      enum sk_checkin_verdict why);

/* The stable name of a verdict ("forged", "already", "wrong_room", ...),
 * as stored and audited. */
const char *sk_checkin_verdict_name(enum sk_checkin_verdict v);

/* Close the station's room (st->room_id must be set: SK_EINVAL otherwise):
 * every live registration of the sitting seated there that has no
 * check-in is marked absent, in one transaction with one audit record
 * each. *out_marked says how many (0 when nobody was missing: nothing is
 * written then). */
int sk_checkin_close(size_t *out_marked, struct sk_db *db, const struct sk_checkin_station *st);

struct sk_checkin_count {
	char room[24];
	size_t expected;   /* live registrations seated in the room */
	size_t present;    /* checked in (late ones included) */
	size_t late;       /* of those, admitted after the cutoff */
	size_t absent;     /* marked absent */
	size_t waiting;    /* neither yet */
	size_t refused;    /* refusals kept for registrations of the room */
};

/* Counts per room of the sitting's venue, in room order, from one
 * consistent read; room (may be NULL) picks one. The callback's non-zero
 * return stops and is returned. SK_ENOTFOUND: no such sitting or room. */
int sk_checkin_counts(struct sk_db *db, const char *sitting, const char *room,
		      int (*cb)(void *payload, const struct sk_checkin_count *c), void *payload);

#endif
