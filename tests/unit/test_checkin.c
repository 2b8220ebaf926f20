/*
 * Check-in at the door (exam/checkin.h): what a scanned or typed line turns
 * out to be, every refusal, admission with the passport check, a second
 * scan, the late cutoff, closing a room, and the counts — through the C API
 * a web station would use. The registry: eight synthetic candidates in two
 * rooms of sitting S1 (tests MM1, EE1) and one in sitting S2.
 */
#include "unit.h"
#include "core/audit.h"
#include "core/candidate.h"
#include "core/fee.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/venue.h"
#include "exam/checkin.h"
#include "exam/payload.h"

#include <sodium.h>

#define SEED 11
#define NCAND 9

struct world {
	struct unit_db u;
	char exam[NCAND][16];     /* exam numbers by candidate index */
	char ticket[NCAND][SK_PAYLOAD_MAX];
	char last4[NCAND][5];     /* each passport's last four characters */
	struct sk_checkin_station door_a;
};

static void must_import(struct sk_db *db, int (*fn)(struct sk_db *, const char *, const struct sk_import_opts *,
						    struct sk_import_stats *, struct sk_report *),
			const char *path)
{
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_import_stats st;
	int rc = fn(db, path, NULL, &st, &rep);
	cr_assert_eq(rc, 0, "importing %s: %s (%zu problems, first: %s %s)", path, sk_db_errmsg(db), rep.count,
		     rep.count ? rep.items[0].fmt : "", rep.count && rep.items[0].args[0] ? rep.items[0].args[0] : "");
	sk_import_stats_release(&st);
	sk_report_release(&rep);
}

static void add_sitting(struct sk_db *db, const char *code, const char *t1, const char *t2)
{
	struct sk_sitting s;
	struct sk_report rep = SK_REPORT_INIT;
	int outcome;
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "%s", code);
	snprintf(s.exam_date, sizeof(s.exam_date), "2026-12-13");
	snprintf(s.start_time, sizeof(s.start_time), "09:30");
	snprintf(s.venue, sizeof(s.venue), "V");
	snprintf(s.fee_currency, sizeof(s.fee_currency), "JPY");
	snprintf(s.tests[s.ntests++], sizeof(s.tests[0]), "%s", t1);
	if (t2)
		snprintf(s.tests[s.ntests++], sizeof(s.tests[0]), "%s", t2);
	cr_assert_eq(sk_sitting_save(db, &s, "12000", &outcome, &rep), 0, "%s", sk_db_errmsg(db));
	sk_report_release(&rep);
}

/* Candidates 0-3 in room A of S1 (0-2 MM1, 3 EE1), 4-7 in room B of S1,
 * 8 in S2. Every fee is paid but candidate 7's. */
static void build_world(struct world *w)
{
	memset(w, 0, sizeof(*w));
	unit_db_open(&w->u, 1);
	struct sk_db *db = w->u.db;
	char *csv = unit_path(w->u.dir, "c.csv"), *reg = unit_path(w->u.dir, "r.csv"),
	     *fees = unit_path(w->u.dir, "f.csv");
	char err[256];
	cr_assert_eq(sk_synth_write_candidates(csv, SEED, NCAND, 2026, NULL, 0, err, sizeof(err)), 0, "%s", err);
	must_import(db, sk_candidate_import, csv);
	struct sk_venue *v = calloc(1, sizeof(*v));
	snprintf(v->code, sizeof(v->code), "V");
	snprintf(v->name, sizeof(v->name), "Hall");
	snprintf(v->country, sizeof(v->country), "JP");
	snprintf(v->city, sizeof(v->city), "Tokyo");
	snprintf(v->address, sizeof(v->address), "1-1");
	snprintf(v->rooms[0].code, sizeof(v->rooms[0].code), "A");
	snprintf(v->rooms[1].code, sizeof(v->rooms[1].code), "B");
	v->rooms[0].rows = v->rooms[1].rows = 2;
	v->rooms[0].cols = v->rooms[1].cols = 2;
	v->nrooms = 2;
	int outcome;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_venue_save(db, v, &outcome, &rep), 0);
	free(v);
	add_sitting(db, "S1", "MM1", "EE1");
	add_sitting(db, "S2", "MM1", NULL);
	FILE *f = fopen(reg, "w"), *g = fopen(fees, "w");
	fprintf(f, "reference,sitting,test,room\n");
	fprintf(g, "reference,sitting,amount,currency,paid_at,method,receipt,kind\n");
	for (int i = 0; i < NCAND; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, SEED, (size_t)i, 2026);
		fprintf(f, "%s,%s,%s,%s\n", c.reference, i == 8 ? "S2" : "S1", i == 3 ? "EE1" : "MM1",
			i < 4 || i == 8 ? "A" : "B");
		if (i != 7)
			fprintf(g, "%s,%s,12000,JPY,2026-11-01,cash,R%d,payment\n", c.reference, i == 8 ? "S2" : "S1", i);
		char norm[32];
		cr_assert_eq(sk_passport_normalise(norm, c.passport_number), 0);
		snprintf(w->last4[i], sizeof(w->last4[i]), "%s", norm + strlen(norm) - 4);
	}
	fclose(f);
	fclose(g);
	must_import(db, sk_register_import, reg);
	must_import(db, sk_fee_import, fees);
	for (int i = 0; i < NCAND; i++) {
		struct sk_synth_candidate c;
		sk_synth_candidate(&c, SEED, (size_t)i, 2026);
		sqlite3_stmt *st = NULL;
		cr_assert_eq(sqlite3_prepare_v2(db->sql,
						"SELECT r.exam_number FROM registration r JOIN candidate c ON c.id = r.candidate_id"
						" WHERE c.reference = ?1",
						-1, &st, NULL),
			     SQLITE_OK);
		sqlite3_bind_text(st, 1, c.reference, -1, SQLITE_STATIC);
		cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
		snprintf(w->exam[i], sizeof(w->exam[i]), "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		cr_assert_eq(sk_payload_ticket(db, w->exam[i], w->ticket[i]), 0);
	}
	cr_assert_eq(sk_checkin_station_init(&w->door_a, db, "S1", "A", NULL, "door-A", "Sato", &rep), 0, "%s",
		     sk_db_errmsg(db));
	sk_report_release(&rep);
	free(csv);
	free(reg);
	free(fees);
}

static int64_t q(struct world *w, const char *sql)
{
	return unit_query_int(w->u.db->sql, sql);
}

static void audit_ok(struct world *w)
{
	struct sk_audit_result r;
	cr_assert_eq(sk_audit_verify(w->u.db, &r, 0, NULL), 0);
	sk_report_release(&r.problems);
	unit_assert_db_clean(w->u.db->sql);
}

static struct sk_checkin_view look(struct world *w, const struct sk_checkin_station *st, const char *line)
{
	struct sk_checkin_view v;
	cr_assert_eq(sk_checkin_lookup(&v, w->u.db, st, line), 0, "%s", sk_db_errmsg(w->u.db));
	return v;
}

static struct sk_checkin_view admit(struct world *w, const struct sk_checkin_station *st, const char *line,
				   const char *last4, unsigned confirmed)
{
	struct sk_checkin_admission a = {
		.identity = last4 ? SK_CHECKIN_BY_PASSPORT : SK_CHECKIN_BY_SIGHT,
		.passport_last4 = last4,
		.confirmed = confirmed,
	};
	struct sk_checkin_view v;
	cr_assert_eq(sk_checkin_admit(&v, w->u.db, st, line, &a), 0, "%s", sk_db_errmsg(w->u.db));
	return v;
}

/* ---- pure parts ---- */

Test(checkin, cutoffs_are_read_with_their_zone)
{
	char out[21];
	int off;
	cr_assert_eq(sk_checkin_parse_cutoff(out, &off, "09:45+07:00", "2026-12-13"), 0);
	cr_assert_str_eq(out, "2026-12-13T02:45:00Z");
	cr_assert_eq(off, 420);
	cr_assert_eq(sk_checkin_parse_cutoff(out, &off, "2026-12-13T09:45+07:00", NULL), 0);
	cr_assert_str_eq(out, "2026-12-13T02:45:00Z");
	cr_assert_eq(sk_checkin_parse_cutoff(out, &off, "2026-12-13 02:45:30Z", NULL), 0);
	cr_assert_str_eq(out, "2026-12-13T02:45:30Z");
	cr_assert_eq(off, 0);
	/* Across midnight and with a negative and a half-hour offset. */
	cr_assert_eq(sk_checkin_parse_cutoff(out, &off, "08:15+09:00", "2027-01-01"), 0);
	cr_assert_str_eq(out, "2026-12-31T23:15:00Z");
	cr_assert_eq(sk_checkin_parse_cutoff(out, &off, "20:00-05:30", "2026-12-13"), 0);
	cr_assert_str_eq(out, "2026-12-14T01:30:00Z");
	cr_assert_eq(off, -330);
	/* Cut short anywhere, too (the sanitizer build reads nothing past the end). */
	const char *bad[] = { "09:45", "9:45+07:00", "24:00Z", "09:60Z", "09:45+15:00", "09:45+07:00x", "09:45+0700",
			      "2026-02-30T09:45Z", "", "09:45:61Z", "tomorrow", "2026-12-13T09:45", "0", "09", "09:",
			      "09:4", "09:45:", "09:45:3", "09:45+", "09:45+0", "09:45+07", "09:45+07:", "09:45+07:0",
			      "2026-12-13T", "2026-12-13T0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(sk_checkin_parse_cutoff(out, &off, bad[i], "2026-12-13"), SK_EINPUT, "'%s' accepted", bad[i]);
		cr_assert_str_eq(out, "");
	}
	cr_assert_eq(sk_checkin_parse_cutoff(out, &off, "09:45Z", NULL), SK_EINPUT, "a time alone needs the date");
}

Test(checkin, typed_passport_characters_are_normalised)
{
	char out[5];
	cr_assert_eq(sk_checkin_last4_normalise(out, "1234"), 0);
	cr_assert_str_eq(out, "1234");
	cr_assert_eq(sk_checkin_last4_normalise(out, "ａｂ１２"), 0);
	cr_assert_str_eq(out, "AB12");
	cr_assert_eq(sk_checkin_last4_normalise(out, " 12 3-4 "), 0);
	cr_assert_str_eq(out, "1234");
	const char *bad[] = { "", "123", "12345", "12é4", "12+4", "+", "1\n234" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(sk_checkin_last4_normalise(out, bad[i]), SK_EINPUT, "'%s' accepted", bad[i]);
		cr_assert_str_eq(out, "");
	}
}

Test(checkin, verdict_names_are_stable)
{
	cr_assert_str_eq(sk_checkin_verdict_name(SK_CHECKIN_FORGED), "forged");
	cr_assert_str_eq(sk_checkin_verdict_name(SK_CHECKIN_ALREADY), "already");
	cr_assert_str_eq(sk_checkin_verdict_name(SK_CHECKIN_WRONG_ROOM), "wrong_room");
	cr_assert_str_eq(sk_checkin_verdict_name((enum sk_checkin_verdict)99), "unknown");
	cr_assert(sk_checkin_refusal_kept(SK_CHECKIN_ALREADY));
	cr_assert(!sk_checkin_refusal_kept(SK_CHECKIN_UNREADABLE));
	cr_assert(!sk_checkin_refusal_kept(SK_CHECKIN_UNCONFIRMED));
}

/* ---- lines ---- */

Test(checkin, a_genuine_ticket_shows_its_candidate, .timeout = 60)
{
	struct world w;
	build_world(&w);
	struct sk_checkin_view v = look(&w, &w.door_a, w.ticket[0]);
	cr_assert_eq(v.verdict, SK_CHECKIN_ADMISSIBLE);
	cr_assert_str_eq(v.source, "ticket");
	cr_assert_str_eq(v.exam_number, w.exam[0]);
	cr_assert_str_eq(v.sitting, "S1");
	cr_assert_str_eq(v.room, "A");
	cr_assert_str_eq(v.test, "MM1");
	cr_assert_str_eq(v.fee_status, "paid");
	cr_assert_neq(v.family_name[0], '\0');
	cr_assert_eq(strlen(v.date_of_birth), 10);
	cr_assert_eq(v.flags, SK_CHECKIN_NO_PHOTO);
	/* Scanners typing through a Japanese input method or with Caps Lock. */
	char lower[SK_PAYLOAD_MAX], wide[4 * SK_PAYLOAD_MAX], padded[SK_PAYLOAD_MAX + 8];
	snprintf(lower, sizeof(lower), "%s", w.ticket[0]);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	size_t n = 0;
	for (const char *p = w.ticket[0]; *p; p++) {
		unsigned cp = 0xFF00u + (unsigned)(*p - 0x20); /* full-width form */
		wide[n++] = (char)(0xE0 | (cp >> 12));
		wide[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		wide[n++] = (char)(0x80 | (cp & 0x3F));
	}
	wide[n] = '\0';
	snprintf(padded, sizeof(padded), "  %s\r\n", w.ticket[0]);
	cr_assert_eq(look(&w, &w.door_a, lower).verdict, SK_CHECKIN_ADMISSIBLE);
	cr_assert_eq(look(&w, &w.door_a, padded).verdict, SK_CHECKIN_ADMISSIBLE);
	cr_assert_eq(look(&w, &w.door_a, wide).verdict, SK_CHECKIN_ADMISSIBLE);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin") + q(&w, "SELECT count(*) FROM checkin_refusal"), 0,
		     "a lookup writes nothing");
	unit_db_close(&w.u);
}

Test(checkin, a_forged_or_altered_ticket_yields_nothing_from_it, .timeout = 60)
{
	struct world w;
	build_world(&w);
	/* Another candidate's exam number under this MAC; a MAC changed; a
	 * ticket of another registry (other key); a cut code. */
	char altered[SK_PAYLOAD_MAX], remac[SK_PAYLOAD_MAX], cut[SK_PAYLOAD_MAX];
	snprintf(altered, sizeof(altered), "SK1T:%s:%s", w.exam[1], strrchr(w.ticket[0], ':') + 1);
	snprintf(remac, sizeof(remac), "%s", w.ticket[0]);
	size_t n = strlen(remac);
	remac[n - 1] = remac[n - 1] == 'A' ? 'B' : 'A';
	snprintf(cut, sizeof(cut), "%.*s", (int)strlen(w.ticket[0]) - 3, w.ticket[0]);
	struct unit_db other;
	unit_db_open(&other, 1);
	char foreign[SK_PAYLOAD_MAX];
	cr_assert_eq(sk_payload_ticket(other.db, w.exam[0], foreign), 0);
	unit_db_close(&other);
	const char *lines[] = { altered, remac, foreign, cut };
	for (size_t i = 0; i < 4; i++) {
		struct sk_checkin_view v = look(&w, &w.door_a, lines[i]);
		cr_assert_eq(v.verdict, SK_CHECKIN_FORGED, "'%s'", lines[i]);
		cr_assert_eq(v.registration_id, 0);
		cr_assert_str_eq(v.exam_number, "");
		cr_assert_str_eq(v.family_name, "");
	}
	/* Kept, naming nobody; audited under the sitting. */
	struct sk_checkin_view v = look(&w, &w.door_a, altered);
	cr_assert_eq(sk_checkin_refuse(w.u.db, &w.door_a, &v, v.verdict), 0);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin_refusal WHERE reason = 'forged' AND registration_id IS NULL"), 1);
	cr_assert_eq(q(&w, "SELECT count(*) FROM audit WHERE entity = 'checkin' AND entity_key = 'S1' AND action = 'refuse'"
			   " AND json_extract(detail, '$.reason') = 'forged' AND json_extract(detail, '$.station') = 'door-A'"),
		     1);
	/* Admitting it changes nothing but the refusal kept. */
	v = admit(&w, &w.door_a, altered, NULL, 0);
	cr_assert_eq(v.verdict, SK_CHECKIN_FORGED);
	cr_assert_eq(v.admitted, 0);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin"), 0);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin_refusal"), 2);
	audit_ok(&w);
	unit_db_close(&w.u);
}

Test(checkin, typed_numbers_sheet_codes_and_garbage, .timeout = 60)
{
	struct world w;
	build_world(&w);
	char typed[32];
	snprintf(typed, sizeof(typed), "%.4s%.5s%c", w.exam[0], w.exam[0] + 5, w.exam[0][11]);
	struct sk_checkin_view v = look(&w, &w.door_a, typed);
	cr_assert_eq(v.verdict, SK_CHECKIN_ADMISSIBLE);
	cr_assert_str_eq(v.source, "typed");
	cr_assert_str_eq(v.exam_number, w.exam[0]);
	/* One digit wrong: the Damm check digit catches it. */
	typed[6] = typed[6] == '9' ? '0' : (char)(typed[6] + 1);
	cr_assert_eq(look(&w, &w.door_a, typed).verdict, SK_CHECKIN_CHECK_DIGIT);
	char sheet[SK_PAYLOAD_MAX];
	cr_assert_eq(sk_payload_sheet(w.u.db, "S1", w.exam[0], "P1", 1, sheet), 0);
	v = look(&w, &w.door_a, sheet);
	cr_assert_eq(v.verdict, SK_CHECKIN_SHEET);
	char big[600];
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	const char *junk[] = { "", "   ", "hello", "1234", big, "\xff\xfe", "SK1X:whatever", "0001-00001" };
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		cr_assert_eq(look(&w, &w.door_a, junk[i]).verdict, SK_CHECKIN_UNREADABLE, "'%s'", junk[i]);
	/* Nothing of these is kept. */
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		v = look(&w, &w.door_a, junk[i]);
		cr_assert_eq(sk_checkin_refuse(w.u.db, &w.door_a, &v, v.verdict), 0);
	}
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin_refusal"), 0);
	unit_db_close(&w.u);
}

Test(checkin, wrong_sitting_room_test_cancelled_and_unpaid_are_refused, .timeout = 60)
{
	struct world w;
	build_world(&w);
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_checkin_station mm1_a;
	cr_assert_eq(sk_checkin_station_init(&mm1_a, w.u.db, "S1", "A", "MM1", "door-A2", "Ito", &rep), 0);
	struct sk_checkin_view v = look(&w, &w.door_a, w.ticket[8]);
	cr_assert_eq(v.verdict, SK_CHECKIN_WRONG_SITTING);
	cr_assert_str_eq(v.sitting, "S2");
	v = look(&w, &w.door_a, w.ticket[4]);
	cr_assert_eq(v.verdict, SK_CHECKIN_WRONG_ROOM);
	cr_assert_str_eq(v.room, "B");
	cr_assert_neq(v.seat[0], '\0');
	cr_assert_eq(look(&w, &mm1_a, w.ticket[3]).verdict, SK_CHECKIN_WRONG_TEST);
	cr_assert_eq(look(&w, &w.door_a, w.ticket[3]).verdict, SK_CHECKIN_ADMISSIBLE, "door-A takes every test");
	/* Unpaid: refused by default, admitted and flagged when the sitting says so. */
	struct sk_checkin_station door_b;
	cr_assert_eq(sk_checkin_station_init(&door_b, w.u.db, "S1", "B", NULL, "door-B", "Tanaka", &rep), 0);
	v = look(&w, &door_b, w.ticket[7]);
	cr_assert_eq(v.verdict, SK_CHECKIN_UNPAID);
	cr_assert_str_eq(v.fee_status, "unpaid");
	v = admit(&w, &door_b, w.ticket[7], NULL, 0);
	cr_assert_eq(v.verdict, SK_CHECKIN_UNPAID);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin"), 0);
	struct sk_checkin_policy p = { .admit_unpaid = 1 };
	cr_assert_eq(sk_checkin_policy_set(w.u.db, "S1", &p), 0);
	v = look(&w, &door_b, w.ticket[7]);
	cr_assert_eq(v.verdict, SK_CHECKIN_ADMISSIBLE);
	cr_assert(v.flags & SK_CHECKIN_FEE_UNPAID);
	v = admit(&w, &door_b, w.ticket[7], NULL, 0);
	cr_assert(v.admitted);
	cr_assert_eq(q(&w, "SELECT fee_unpaid FROM checkin"), 1);
	/* Cancelled. */
	cr_assert_eq(sk_register_cancel(w.u.db, w.exam[5], "withdrew"), 0);
	cr_assert_eq(look(&w, &door_b, w.ticket[5]).verdict, SK_CHECKIN_CANCELLED);
	/* Kept with the registration they concern. */
	v = look(&w, &w.door_a, w.ticket[4]);
	cr_assert_eq(sk_checkin_refuse(w.u.db, &w.door_a, &v, v.verdict), 0);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin_refusal f JOIN registration r ON r.id = f.registration_id"
			   " WHERE f.reason = 'wrong_room' AND f.station = 'door-A' AND f.proctor = 'Sato'"),
		     1);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin_refusal WHERE reason = 'unpaid'"), 1, "admit kept its refusal");
	audit_ok(&w);
	sk_report_release(&rep);
	unit_db_close(&w.u);
}

Test(checkin, bad_stations_are_refused, .timeout = 60)
{
	struct world w;
	build_world(&w);
	struct sk_checkin_station st;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_checkin_station_init(&st, w.u.db, "S1", NULL, NULL, "", "=cmd", &rep), SK_EINPUT);
	cr_assert_eq(rep.count, 2);
	cr_assert_str_eq(rep.items[0].field, "station");
	cr_assert_str_eq(rep.items[1].field, "proctor");
	sk_report_release(&rep);
	cr_assert_eq(sk_checkin_station_init(&st, w.u.db, "S1", NULL, NULL, "door\n2", "P", &rep), SK_EINPUT);
	sk_report_release(&rep);
	cr_assert_eq(sk_checkin_station_init(&st, w.u.db, "S9", NULL, NULL, "d", "P", &rep), SK_ENOTFOUND);
	cr_assert_eq(sk_checkin_station_init(&st, w.u.db, "S1", "Z", NULL, "d", "P", &rep), SK_ENOTFOUND);
	cr_assert_eq(sk_checkin_station_init(&st, w.u.db, "S1", NULL, "ST2", "d", "P", &rep), SK_ENOTFOUND);
	cr_assert_eq(st.sitting_id, 0);
	sk_report_release(&rep);
	unit_db_close(&w.u);
}

/* ---- admission ---- */

Test(checkin, admitted_once_with_the_passport_checked, .timeout = 60)
{
	struct world w;
	build_world(&w);
	/* The wrong last four: refused and kept, nothing admitted. */
	char wrong[5];
	snprintf(wrong, sizeof(wrong), "%s", w.last4[0]);
	wrong[3] = wrong[3] == '9' ? '0' : wrong[3] == 'Z' ? 'A' : (char)(wrong[3] + 1);
	struct sk_checkin_view v = admit(&w, &w.door_a, w.ticket[0], wrong, 0);
	cr_assert_eq(v.verdict, SK_CHECKIN_PASSPORT);
	cr_assert_eq(v.admitted, 0);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin"), 0);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin_refusal WHERE reason = 'passport'"), 1);
	/* Another candidate's last four do not open this one either. */
	if (strcmp(w.last4[1], w.last4[0]))
		cr_assert_eq(admit(&w, &w.door_a, w.ticket[0], w.last4[1], 0).verdict, SK_CHECKIN_PASSPORT);
	/* Malformed characters are bad input, not a refusal. */
	struct sk_checkin_admission bad = { .identity = SK_CHECKIN_BY_PASSPORT, .passport_last4 = "12" };
	cr_assert_eq(sk_checkin_admit(&v, w.u.db, &w.door_a, w.ticket[0], &bad), SK_EINPUT);
	struct sk_checkin_admission none = { 0 };
	cr_assert_eq(sk_checkin_admit(&v, w.u.db, &w.door_a, w.ticket[0], &none), SK_EINPUT);
	/* Typed in lower case: matched. */
	char lower[5];
	snprintf(lower, sizeof(lower), "%s", w.last4[0]);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	v = admit(&w, &w.door_a, w.ticket[0], lower, 0);
	cr_assert(v.admitted, "verdict %s", sk_checkin_verdict_name(v.verdict));
	cr_assert_str_eq(v.identity, "passport");
	cr_assert_str_eq(v.at, "2026-11-22T09:30:00Z");
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin WHERE status = 'present' AND station = 'door-A'"
			   " AND proctor = 'Sato' AND source = 'ticket' AND identity = 'passport' AND late = 0"),
		     1);
	cr_assert_eq(q(&w, "SELECT count(*) FROM audit WHERE entity = 'checkin' AND action = 'present'"
			   " AND json_extract(detail, '$.identity') = 'passport' AND json_extract(detail, '$.proctor') = 'Sato'"),
		     1);
	/* The passport number appears nowhere in what was written. */
	struct sk_synth_candidate c;
	sk_synth_candidate(&c, SEED, 0, 2026);
	char like[128];
	snprintf(like, sizeof(like), "SELECT count(*) FROM audit WHERE detail LIKE '%%%s%%'", c.passport_number);
	cr_assert_eq(q(&w, like), 0);

	/* The same ticket again, at another station: refused, saying when,
	 * where and by whom; kept; nothing else changes. */
	struct sk_checkin_station door_a2;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_checkin_station_init(&door_a2, w.u.db, "S1", "A", NULL, "door-A2", "Ito", &rep), 0);
	v = look(&w, &door_a2, w.ticket[0]);
	cr_assert_eq(v.verdict, SK_CHECKIN_ALREADY);
	cr_assert_str_eq(v.prior_station, "door-A");
	cr_assert_str_eq(v.prior_proctor, "Sato");
	cr_assert_str_eq(v.prior_at, "2026-11-22T09:30:00Z");
	v = admit(&w, &door_a2, w.ticket[0], NULL, 0);
	cr_assert_eq(v.verdict, SK_CHECKIN_ALREADY);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin"), 1);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin_refusal WHERE reason = 'already' AND station = 'door-A2'"), 1);
	cr_assert_eq(q(&w, "SELECT count(*) FROM audit WHERE action = 'refuse'"
			   " AND json_extract(detail, '$.checked_in.station') = 'door-A'"),
		     1);
	/* By sight, typed. */
	char typed[16];
	snprintf(typed, sizeof(typed), "%s", w.exam[1]);
	v = admit(&w, &w.door_a, typed, NULL, 0);
	cr_assert(v.admitted);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin WHERE source = 'typed' AND identity = 'sight'"), 1);
	/* A check-in is final: the schema refuses to change or remove it. */
	char *msg = NULL;
	cr_assert_neq(sqlite3_exec(w.u.db->sql, "UPDATE checkin SET station = 'x'", NULL, NULL, &msg), SQLITE_OK);
	sqlite3_free(msg);
	cr_assert_neq(sqlite3_exec(w.u.db->sql, "DELETE FROM checkin", NULL, NULL, &msg), SQLITE_OK);
	sqlite3_free(msg);
	cr_assert_neq(sqlite3_exec(w.u.db->sql, "DELETE FROM checkin_refusal", NULL, NULL, &msg), SQLITE_OK);
	sqlite3_free(msg);
	audit_ok(&w);
	sk_report_release(&rep);
	unit_db_close(&w.u);
}

Test(checkin, late_needs_the_proctors_yes, .timeout = 60)
{
	struct world w;
	build_world(&w);
	struct sk_checkin_policy p = { 0 };
	/* The clock is 2026-11-22T09:30Z; the cutoff a minute before. */
	cr_assert_eq(sk_checkin_parse_cutoff(p.late_after, &p.utc_offset, "2026-11-22T09:29+00:00", NULL), 0);
	cr_assert_eq(sk_checkin_policy_set(w.u.db, "S1", &p), SK_EINPUT, "a cutoff weeks from the exam date");
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin_policy"), 0);
	sk_db_set_clock(w.u.db, 1797157200); /* 2026-12-13T10:20:00Z */
	cr_assert_eq(sk_checkin_parse_cutoff(p.late_after, &p.utc_offset, "19:15+09:00", "2026-12-13"), 0);
	cr_assert_eq(sk_checkin_policy_set(w.u.db, "S1", &p), 0);
	int64_t records = q(&w, "SELECT count(*) FROM audit");
	cr_assert_eq(sk_checkin_policy_set(w.u.db, "S1", &p), 0);
	cr_assert_eq(q(&w, "SELECT count(*) FROM audit"), records, "the same policy again writes nothing");
	struct sk_checkin_policy got;
	cr_assert_eq(sk_checkin_policy_get(&got, w.u.db, "S1"), 0);
	cr_assert_str_eq(got.late_after, "2026-12-13T10:15:00Z");
	cr_assert_eq(got.utc_offset, 540);
	cr_assert(got.stored);

	struct sk_checkin_view v = look(&w, &w.door_a, w.ticket[2]);
	cr_assert_eq(v.verdict, SK_CHECKIN_ADMISSIBLE);
	cr_assert(v.flags & SK_CHECKIN_LATE);
	/* Without the yes: nothing written at all. */
	records = q(&w, "SELECT count(*) FROM audit");
	v = admit(&w, &w.door_a, w.ticket[2], NULL, 0);
	cr_assert_eq(v.verdict, SK_CHECKIN_UNCONFIRMED);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin") + q(&w, "SELECT count(*) FROM checkin_refusal"), 0);
	cr_assert_eq(q(&w, "SELECT count(*) FROM audit"), records);
	/* Declined: kept. */
	cr_assert_eq(sk_checkin_refuse(w.u.db, &w.door_a, &v, SK_CHECKIN_DECLINED), 0);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin_refusal WHERE reason = 'declined'"), 1);
	/* With it: admitted, late. */
	v = admit(&w, &w.door_a, w.ticket[2], NULL, SK_CHECKIN_LATE);
	cr_assert(v.admitted);
	cr_assert_eq(q(&w, "SELECT late FROM checkin"), 1);
	/* At the cutoff itself: not late. */
	sk_db_set_clock(w.u.db, 1797156900); /* 10:15:00Z: at the cutoff is not after it */
	v = look(&w, &w.door_a, w.ticket[1]);
	cr_assert_eq(v.flags & SK_CHECKIN_LATE, 0);
	audit_ok(&w);
	unit_db_close(&w.u);
}

struct count_acc {
	struct sk_checkin_count c[4];
	int n;
};

static int collect_count(void *payload, const struct sk_checkin_count *c)
{
	struct count_acc *a = payload;
	cr_assert_lt(a->n, 4);
	a->c[a->n++] = *c;
	return 0;
}

Test(checkin, closing_marks_the_rest_absent_and_counts_add_up, .timeout = 60)
{
	struct world w;
	build_world(&w);
	cr_assert(admit(&w, &w.door_a, w.ticket[0], NULL, 0).admitted);
	cr_assert(admit(&w, &w.door_a, w.ticket[1], w.last4[1], 0).admitted);
	struct sk_checkin_view v = look(&w, &w.door_a, w.ticket[0]);
	cr_assert_eq(sk_checkin_refuse(w.u.db, &w.door_a, &v, v.verdict), 0);
	size_t marked = 99;
	struct sk_checkin_station anywhere;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_checkin_station_init(&anywhere, w.u.db, "S1", NULL, NULL, "hall", "Sato", &rep), 0);
	cr_assert_eq(sk_checkin_close(&marked, w.u.db, &anywhere), SK_EINVAL, "closing needs a room");
	cr_assert_eq(marked, 0);
	cr_assert_eq(sk_checkin_close(&marked, w.u.db, &w.door_a), 0);
	cr_assert_eq(marked, 2);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin WHERE status = 'absent' AND station = 'door-A'"), 2);
	cr_assert_eq(q(&w, "SELECT count(*) FROM audit WHERE entity = 'checkin' AND action = 'absent'"), 2);
	/* Again: nobody missing, nothing written. */
	int64_t records = q(&w, "SELECT count(*) FROM audit");
	cr_assert_eq(sk_checkin_close(&marked, w.u.db, &w.door_a), 0);
	cr_assert_eq(marked, 0);
	cr_assert_eq(q(&w, "SELECT count(*) FROM audit"), records);

	/* Someone marked absent turns up: only on the proctor's yes. */
	v = look(&w, &w.door_a, w.ticket[2]);
	cr_assert_eq(v.verdict, SK_CHECKIN_ADMISSIBLE);
	cr_assert(v.flags & SK_CHECKIN_WAS_ABSENT);
	cr_assert_str_eq(v.prior_status, "absent");
	cr_assert_eq(admit(&w, &w.door_a, w.ticket[2], NULL, 0).verdict, SK_CHECKIN_UNCONFIRMED);
	cr_assert(admit(&w, &w.door_a, w.ticket[2], NULL, SK_CHECKIN_WAS_ABSENT).admitted);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin WHERE status = 'present' AND absent_at IS NOT NULL"), 1);

	struct count_acc acc;
	memset(&acc, 0, sizeof(acc));
	cr_assert_eq(sk_checkin_counts(w.u.db, "S1", NULL, collect_count, &acc), 0);
	struct sk_checkin_count *c = acc.c;
	cr_assert_eq(acc.n, 2);
	cr_assert_str_eq(c[0].room, "A");
	cr_assert_eq(c[0].expected, 4);
	cr_assert_eq(c[0].present, 3);
	cr_assert_eq(c[0].absent, 1);
	cr_assert_eq(c[0].waiting, 0);
	cr_assert_eq(c[0].refused, 1);
	cr_assert_str_eq(c[1].room, "B");
	cr_assert_eq(c[1].expected, 4);
	cr_assert_eq(c[1].waiting, 4);
	audit_ok(&w);
	sk_report_release(&rep);
	unit_db_close(&w.u);
}

/* Two stations (two connections) both see a ticket as admissible; the one
 * that admits second is refused inside its transaction, not by its lookup. */
Test(checkin, the_admission_is_judged_again_inside_its_transaction, .timeout = 60)
{
	struct world w;
	build_world(&w);
	char err[256];
	struct sk_db *other = NULL;
	cr_assert_eq(sk_db_open(&other, w.u.path, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(sk_keys_load(other, w.u.key_path), 0, "%s", sk_db_errmsg(other));
	sk_db_set_clock(other, SK_TEST_NOW + 5);
	struct sk_checkin_station door_a2;
	struct sk_report rep = SK_REPORT_INIT;
	cr_assert_eq(sk_checkin_station_init(&door_a2, other, "S1", "A", NULL, "door-A2", "Ito", &rep), 0);
	struct sk_checkin_view mine = look(&w, &w.door_a, w.ticket[0]), theirs;
	cr_assert_eq(sk_checkin_lookup(&theirs, other, &door_a2, w.ticket[0]), 0);
	cr_assert_eq(mine.verdict, SK_CHECKIN_ADMISSIBLE);
	cr_assert_eq(theirs.verdict, SK_CHECKIN_ADMISSIBLE);
	struct sk_checkin_admission by_sight = { .identity = SK_CHECKIN_BY_SIGHT };
	cr_assert_eq(sk_checkin_admit(&theirs, other, &door_a2, w.ticket[0], &by_sight), 0);
	cr_assert(theirs.admitted);
	struct sk_checkin_view late = admit(&w, &w.door_a, w.ticket[0], NULL, 0);
	cr_assert_eq(late.verdict, SK_CHECKIN_ALREADY);
	cr_assert_str_eq(late.prior_station, "door-A2");
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin"), 1);
	cr_assert_eq(q(&w, "SELECT count(*) FROM checkin_refusal WHERE reason = 'already' AND station = 'door-A'"), 1);
	sk_db_close(other);
	sk_report_release(&rep);
	audit_ok(&w);
	unit_db_close(&w.u);
}
