/*
 * shiken checkin: the terminal check-in station and its verbs. The station
 * reads lines — a handheld scanner types a ticket's QR code and Enter, a
 * proctor types an exam number — shows whose ticket it is or why it is
 * refused, asks for the passport check (and a yes to admit someone late or
 * marked absent), and admits through exam/checkin.h, which a web station
 * calls the same way. `close` marks who never came absent, `counts` says
 * where a room stands, `policy` sets a sitting's rules at the door.
 */
#include "cli/cli.h"
#include "core/buf.h"
#include "core/candidate.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/examno.h"
#include "core/keys.h"
#include "core/photo.h"
#include "core/refdata.h"
#include "core/registration.h"
#include "core/sitting.h"
#include "core/synth.h"
#include "core/text.h"
#include "exam/checkin.h"
#include "exam/payload.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	N_("usage: shiken checkin --sitting S [--room R] [--test T] --station NAME --proctor NAME\n"
	   "                      [--from FILE] [--photos DIR] [--brief]\n"
	   "       shiken checkin close|counts|policy ...\n"
	   "\n"
	   "The check-in station: reads one line at a time — a ticket's QR code as a\n"
	   "handheld scanner types it, or an exam number typed by hand — shows the\n"
	   "candidate (name, date of birth, nationality, test, room and seat, fee,\n"
	   "photo) and asks for the passport check: type its last 4 characters, or '+'\n"
	   "when checked by sight. A forged or altered ticket, another sitting's, room's\n"
	   "or test's, a ticket already used, an unpaid fee (unless the sitting's policy\n"
	   "admits it) are refused with the reason; someone after the late cutoff or\n"
	   "marked absent is admitted only on the proctor's yes. Ends at end of input.\n"
	   "\n"
	   "  --room R, --test T  admit only to this room, this test\n"
	   "  --station NAME      this station, as recorded (e.g. door-A)\n"
	   "  --proctor NAME      who is checking, as recorded\n"
	   "  --from FILE         read the lines from FILE instead of standard input\n"
	   "  --photos DIR        write each candidate's photo to DIR to look at\n"
	   "  --brief             one line per scan\n"
	   "\n"
	   "  close    mark who never came to a room absent\n"
	   "  counts   expected, present, late and absent per room\n"
	   "  policy   show or set the sitting's rules: unpaid fees, late cutoff\n"
	   "\n"
	   "Exit status: 0 every scan admitted; 1 a scan refused or not admitted, or a\n"
	   "failure; 2 bad usage; 3 a forged or altered ticket was scanned.\n");
static const char usage_close[] =
	N_("usage: shiken checkin close --sitting S --room R [--proctor NAME] [--station NAME]\n"
	   "\n"
	   "Mark every registration seated in the room that has not checked in absent,\n"
	   "recorded with the proctor (default: who is acting, --actor) and station\n"
	   "(default 'close'). Closing again marks only who is still missing. A proctor\n"
	   "may still admit someone marked absent at a station, which the record keeps.\n");
static const char usage_counts[] =
	N_("usage: shiken checkin counts --sitting S [--room R] [--json]\n"
	   "\n"
	   "Per room of the sitting's venue: registrations expected, present (late ones\n"
	   "included), late, absent, not yet checked in, and refusals kept, with the\n"
	   "total. Read in one go, so the numbers add up while stations are working.\n");
static const char usage_policy[] =
	N_("usage: shiken checkin policy --sitting S [--unpaid refuse|admit] [--late-after TIME|none]\n"
	   "\n"
	   "Show the sitting's rules at the door, or change them. --unpaid refuse (the\n"
	   "default) turns away a candidate whose fee is unpaid or refunded; admit lets\n"
	   "them in, flagged. --late-after sets the late cutoff with its time zone, as\n"
	   "the venue's clock reads: 09:45+07:00 on the exam date, or a full time such\n"
	   "as 2026-12-13T09:45+07:00 or 2026-12-13T02:45Z; someone scanned after it is\n"
	   "admitted only on the proctor's yes, and recorded as late. none: no cutoff.\n");

/* ---- words ---- */

static const char *fee_word(const char *status)
{
	static const char *const words[][2] = {
		{ "paid", N_("paid") },
		{ "unpaid", N_("unpaid") },
		{ "waived", N_("waived") },
		{ "refunded", N_("refunded") },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(status, words[i][0]))
			return _(words[i][1]);
	return status;
}

static const char *identity_word(const char *identity)
{
	if (!strcmp(identity, "passport"))
		return _("passport: last 4 characters match");
	if (!strcmp(identity, "sight"))
		return _("passport checked by sight");
	return identity;
}

static void full_name(char *out, size_t cap, const struct sk_checkin_view *v)
{
	if (v->given_name[0])
		snprintf(out, cap, "%s %s", v->family_name, v->given_name);
	else
		snprintf(out, cap, "%s", v->family_name);
}

/* The refusal in words: a headline, and what to do. */
static void refusal_words(const struct sk_checkin_view *v, const char **title, const char **advice)
{
	*advice = NULL;
	switch (v->verdict) {
	case SK_CHECKIN_UNREADABLE:
		*title = _("not a ticket or an exam number");
		*advice = _("scan the ticket's QR code again, or type the exam number (like 0001-00042-6)");
		break;
	case SK_CHECKIN_CHECK_DIGIT:
		*title = _("the exam number has a wrong check digit");
		*advice = _("it was mistyped: type it again from the ticket");
		break;
	case SK_CHECKIN_FORGED:
		*title = _("FORGED OR ALTERED TICKET");
		*advice = _("its code does not match what shiken printed: do not admit; keep the ticket, check the "
			    "passport and call the chief proctor");
		break;
	case SK_CHECKIN_SHEET:
		*title = _("this is an answer-sheet code, not an admission ticket");
		*advice = _("scan the admission ticket");
		break;
	case SK_CHECKIN_UNKNOWN:
		*title = _("no registration has this exam number");
		*advice = _("check the number on the ticket; call the chief proctor");
		break;
	case SK_CHECKIN_WRONG_SITTING:
		*title = _("the ticket is for another sitting");
		break;
	case SK_CHECKIN_CANCELLED:
		*title = _("the registration was cancelled");
		*advice = _("do not admit; call the chief proctor");
		break;
	case SK_CHECKIN_ALREADY:
		*title = _("ALREADY CHECKED IN");
		*advice = _("a second person with the same ticket: do not admit; check the passport and record an "
			    "incident:");
		break;
	case SK_CHECKIN_WRONG_TEST:
		*title = _("the ticket is for another test");
		break;
	case SK_CHECKIN_WRONG_ROOM:
		*title = _("the seat is in another room");
		*advice = _("send the candidate to their room");
		break;
	case SK_CHECKIN_UNPAID:
		*title = _("the fee is not paid");
		*advice = _("this sitting admits nobody with an unpaid fee: send the candidate to the fee desk");
		break;
	case SK_CHECKIN_PASSPORT:
		*title = _("THE PASSPORT DOES NOT MATCH");
		*advice = _("its last 4 characters are not those on record: do not admit; scan again to retry");
		break;
	case SK_CHECKIN_UNCONFIRMED:
		*title = _("not admitted: the proctor did not confirm");
		break;
	case SK_CHECKIN_DECLINED:
		*title = _("not admitted: the proctor declined");
		break;
	default:
		*title = sk_checkin_verdict_name(v->verdict);
		break;
	}
}

/* ---- the station ---- */

struct station {
	struct cli *cli;
	struct sk_checkin_station st;
	struct sk_checkin_policy policy;
	FILE *in;
	int interactive;   /* input and output are a terminal: prompts, colour, bell */
	int brief;
	const char *photos;
	char pending[SK_CHECKIN_LINE_MAX + 64]; /* a scan read at a prompt, handled next */
	int has_pending;
	size_t scans, admitted, refused, forged, cancelled;
};

/* Read one line of at most cap-1 bytes without its newline. Returns 1 for
 * a line, 0 at end of input; *too_long when it was cut (the rest is
 * skipped). */
static int read_line(FILE *in, char *buf, size_t cap, int *too_long)
{
	*too_long = 0;
	if (!fgets(buf, (int)cap, in))
		return 0;
	size_t n = strlen(buf);
	if (n && buf[n - 1] == '\n') {
		buf[--n] = '\0';
	} else if (!feof(in)) {
		*too_long = 1;
		int c;
		while ((c = fgetc(in)) != EOF && c != '\n')
			;
	}
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 1;
}

/* A stored time ("2026-12-13T02:01:12Z") as the venue's clock reads it,
 * when the sitting's policy gave the venue's offset; else as stored. */
static const char *local_time(char out[48], const struct sk_checkin_policy *p, const char *utc)
{
	struct sk_date d;
	char day[11];
	int h, m, sec;
	snprintf(out, 48, "%s", utc);
	if (!p->late_after[0] || strlen(utc) != 20 || utc[10] != 'T' || utc[19] != 'Z')
		return out;
	snprintf(day, sizeof(day), "%.10s", utc);
	if (sk_date_parse(&d, day) || sscanf(utc + 11, "%2d:%2d:%2d", &h, &m, &sec) != 3)
		return out;
	int off = p->utc_offset;
	long long t = (long long)sk_date_days(&d) * 86400 + h * 3600 + m * 60 + sec + off * 60;
	long long days = t / 86400, rest = t % 86400;
	if (rest < 0) {
		rest += 86400;
		days--;
	}
	sk_date_from_days(&d, (long)days);
	sk_date_format(day, &d);
	int a = off < 0 ? -off : off;
	snprintf(out, 48, "%s %02d:%02d:%02d (UTC%c%02d:%02d)", day, (int)(rest / 3600), (int)(rest / 60 % 60),
		 (int)(rest % 60), off < 0 ? '-' : '+', a / 60, a % 60);
	return out;
}

static const char *venue_time(char out[48], const struct station *s, const char *utc)
{
	return local_time(out, &s->policy, utc);
}

static void prompt(struct station *s, const char *text)
{
	if (s->interactive) {
		printf("%s", text);
		fflush(stdout);
	}
}

/* Does a line read at a prompt look like the next scan rather than an
 * answer? A ticket code, or ten digits of an exam number. */
static int looks_like_scan(const char *line)
{
	char *norm = NULL;
	if (sk_text_nfkc(&norm, line)) {
		free(norm);
		return 0;
	}
	sk_text_trim(norm);
	int digits = 0, other = 0;
	for (const char *p = norm; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p != '-' && *p != ' ')
			other++;
	}
	int ticket = strlen(norm) >= 3 && (norm[0] | 0x20) == 's' && (norm[1] | 0x20) == 'k' && norm[2] == '1';
	int scan = ticket || (digits >= 9 && !other);
	free(norm);
	return scan;
}

/* 1 for yes, 0 for no (or nothing), -1 for neither. */
static int yes_no(const char *answer)
{
	char *norm = NULL;
	if (sk_text_nfkc(&norm, answer)) {
		free(norm);
		return -1;
	}
	sk_text_trim(norm);
	int r = -1;
	if (!sk_ascii_casecmp(norm, "y") || !sk_ascii_casecmp(norm, "yes") || !strcmp(norm, "はい") ||
	    !strcmp(norm, _("yes")))
		r = 1;
	else if (!norm[0] || !sk_ascii_casecmp(norm, "n") || !sk_ascii_casecmp(norm, "no") || !strcmp(norm, "いいえ") ||
		 !strcmp(norm, _("no")))
		r = 0;
	free(norm);
	return r;
}

/* Read an answer at a prompt. 1: an answer in buf; 0: end of input; -1:
 * the line was the next scan (kept as pending). */
static int answer(struct station *s, const char *question, char *buf, size_t cap)
{
	int too_long;
	prompt(s, question);
	if (!read_line(s->in, buf, cap, &too_long))
		return 0;
	if (too_long) {
		/* No answer is that long: taken as none. */
		buf[0] = '\0';
		return 1;
	}
	if (looks_like_scan(buf)) {
		snprintf(s->pending, sizeof(s->pending), "%s", buf);
		s->has_pending = 1;
		return -1;
	}
	return 1;
}

static void rule(struct station *s)
{
	if (!s->brief)
		printf("%s\n", "────────────────────────────────────────────────────────────");
}

/* Loud: a refusal must not be missed at a busy door. */
static void loud_on(struct station *s)
{
	if (s->interactive)
		fputs("\a\033[1;31m", stdout);
}

static void loud_off(struct station *s)
{
	if (s->interactive)
		fputs("\033[0m", stdout);
}

static void show_label(const char *label, const char *value)
{
	/* Labels padded by display width, so Japanese ones line up too. */
	const char *l = _(label);
	size_t w = sk_text_width(l);
	printf("  %s", l);
	for (; w < 14; w++)
		putchar(' ');
	printf(" %s\n", value);
}

static void show_test(char *out, size_t cap, const struct sk_checkin_view *v)
{
	if (!strcmp(sk_i18n_current(), "ja"))
		snprintf(out, cap, "%s %s %d号", v->test, v->test_ja, v->level);
	else
		snprintf(out, cap, _("%s %s, level %d (%s %d号)"), v->test, v->test_en, v->level, v->test_ja, v->level);
}

static void show_country(char *out, size_t cap, const char *code)
{
	const struct sk_country *c = sk_country_find(code);
	if (!c)
		snprintf(out, cap, "%s", code);
	else
		snprintf(out, cap, "%s %s", code, !strcmp(sk_i18n_current(), "ja") ? c->name_ja : c->name_en);
}

/* The photo, written for the proctor to open when --photos was given. */
static void show_photo(struct station *s, const struct sk_checkin_view *v)
{
	char value[4200];
	if (!v->photo_id) {
		show_label(N_("photo"), _("none on record: compare the passport with care"));
		return;
	}
	if (!s->photos) {
		show_label(N_("photo"), _("on record (--photos DIR writes it to a file)"));
		return;
	}
	unsigned char *data = NULL;
	size_t len = 0;
	const char *media = NULL;
	int rc = sk_photo_load(s->cli->db, v->photo_id, &data, &len, &media);
	if (rc) {
		snprintf(value, sizeof(value), _("cannot be read: %s"), sk_db_errmsg(s->cli->db));
		show_label(N_("photo"), value);
		return;
	}
	snprintf(value, sizeof(value), "%s/%s.%s", s->photos, v->exam_number,
		 !strcmp(media, "image/png") ? "png" : "jpg");
	struct stat sb;
	if (stat(value, &sb) != 0 && cli_write_output(value, (const char *)data, len) != EXIT_OK)
		snprintf(value, sizeof(value), "%s", _("cannot be written (see above)"));
	free(data);
	show_label(N_("photo"), value);
}

static void show_card(struct station *s, const struct sk_checkin_view *v)
{
	char name[260], buf[512];
	full_name(name, sizeof(name), v);
	if (s->brief)
		return;
	rule(s);
	printf("%s  %s%s%s%s\n", v->exam_number, name, v->native_name[0] ? "  (" : "", v->native_name,
	       v->native_name[0] ? ")" : "");
	show_label(N_("date of birth"), v->date_of_birth);
	show_country(buf, sizeof(buf), v->nationality);
	show_label(N_("nationality"), buf);
	show_test(buf, sizeof(buf), v);
	show_label(N_("test"), buf);
	snprintf(buf, sizeof(buf), _("room %s, seat %s"), v->room, v->seat);
	show_label(N_("room and seat"), buf);
	show_label(N_("fee"), fee_word(v->fee_status));
	show_photo(s, v);
	if (!strcmp(v->source, "typed"))
		printf("  %s\n", _("typed by hand, not scanned: check the passport with care"));
	if (v->flags & SK_CHECKIN_FEE_UNPAID)
		printf("  %s\n", _("! fee unpaid: this sitting admits it; it is recorded"));
	if (v->flags & SK_CHECKIN_LATE)
		printf(_("  ! LATE: after the cutoff %s\n"), venue_time(buf, s, s->policy.late_after));
	if (v->flags & SK_CHECKIN_WAS_ABSENT)
		printf(_("  ! marked absent at %s by %s (station %s)\n"), venue_time(buf, s, v->prior_at),
		       v->prior_proctor, v->prior_station);
}

/* Say why a line or a candidate is refused. */
static void show_refusal(struct station *s, const struct sk_checkin_view *v, const char *line)
{
	const char *title, *advice;
	char name[260], shown[SK_SHOWN_MAX], when[48];
	refusal_words(v, &title, &advice);
	full_name(name, sizeof(name), v);
	if (s->brief) {
		loud_on(s);
		printf("%s %s: %s", _("REFUSED"), v->exam_number[0] && v->verdict != SK_CHECKIN_FORGED ? v->exam_number
											     : sk_import_shown(shown, line),
		       title);
		loud_off(s);
		if (v->verdict == SK_CHECKIN_ALREADY)
			printf(_(" (at %s, station %s, by %s)"), venue_time(when, s, v->prior_at), v->prior_station,
			       v->prior_proctor);
		putchar('\n');
		return;
	}
	rule(s);
	loud_on(s);
	printf("!!! %s — %s !!!\n", _("REFUSED"), title);
	loud_off(s);
	switch (v->verdict) {
	case SK_CHECKIN_UNREADABLE:
	case SK_CHECKIN_CHECK_DIGIT:
	case SK_CHECKIN_FORGED:
		printf("  %s\n", sk_import_shown(shown, line));
		break;
	case SK_CHECKIN_SHEET:
	case SK_CHECKIN_UNKNOWN:
		printf("  %s\n", v->exam_number);
		break;
	case SK_CHECKIN_WRONG_SITTING:
		printf(_("  %s %s: sitting %s on %s, not %s on %s\n"), v->exam_number, name, v->sitting, v->exam_date,
		       s->st.sitting, s->st.exam_date);
		break;
	case SK_CHECKIN_ALREADY:
		printf(_("  %s %s was checked in at %s at station %s by %s\n"), v->exam_number, name,
		       venue_time(when, s, v->prior_at), v->prior_station, v->prior_proctor);
		break;
	case SK_CHECKIN_WRONG_TEST:
		printf(_("  %s %s sits %s; this station admits to %s\n"), v->exam_number, name, v->test, s->st.test);
		break;
	case SK_CHECKIN_WRONG_ROOM:
		printf(_("  %s %s: room %s, seat %s (this is room %s)\n"), v->exam_number, name, v->room, v->seat,
		       s->st.room);
		break;
	case SK_CHECKIN_UNPAID:
		printf(_("  %s %s: fee %s\n"), v->exam_number, name, fee_word(v->fee_status));
		break;
	default:
		printf("  %s %s\n", v->exam_number, name);
		break;
	}
	if (advice)
		printf("  → %s\n", advice);
	if (v->verdict == SK_CHECKIN_ALREADY)
		printf("    shiken incident add %s --kind impersonation --note TEXT --proctor NAME\n", v->exam_number);
}

/* Keep the refusal (those worth keeping) and count it. */
static int refuse(struct station *s, const struct sk_checkin_view *v, enum sk_checkin_verdict why)
{
	s->refused++;
	if (why == SK_CHECKIN_FORGED)
		s->forged++;
	int rc = sk_checkin_refuse(s->cli->db, &s->st, v, why);
	return rc ? cli_db_error(s->cli, rc, _("cannot keep the refusal")) : 0;
}

/* One scan, start to end. Returns 0 to go on, or an exit code to stop. */
static int handle(struct station *s, const char *line)
{
	struct sk_checkin_view v;
	struct sk_db *db = s->cli->db;
	char buf[SK_CHECKIN_LINE_MAX + 64], name[260];
	s->scans++;
	int rc = sk_checkin_lookup(&v, db, &s->st, line);
	if (rc)
		return cli_db_error(s->cli, rc, _("cannot look the ticket up"));
	if (v.verdict != SK_CHECKIN_ADMISSIBLE) {
		show_refusal(s, &v, line);
		return refuse(s, &v, v.verdict);
	}
	show_card(s, &v);
	full_name(name, sizeof(name), &v);

	struct sk_checkin_admission a = { 0 };
	char last4[SK_CHECKIN_LINE_MAX + 64] = "";
	for (int round = 0; round < 3; round++) {
		unsigned ask = (v.flags & SK_CHECKIN_CONFIRM) & ~a.confirmed;
		if (ask) {
			int r, yes = 0;
			/* At a terminal a slip of the finger is asked again; from a
			 * file anything but yes is no. */
			do
				r = answer(s, _("admit anyway? (y/N) "), buf, sizeof(buf));
			while (r > 0 && (yes = yes_no(buf)) < 0 && s->interactive);
			if (r <= 0 || yes != 1) {
				if (r <= 0) {
					s->cancelled++;
					printf("%s %s %s: %s\n", _("NOT ADMITTED"), v.exam_number, name,
					       r < 0 ? _("a new scan came first") : _("input ended"));
					return 0;
				}
				v.verdict = SK_CHECKIN_DECLINED;
				show_refusal(s, &v, line);
				return refuse(s, &v, SK_CHECKIN_DECLINED);
			}
			a.confirmed |= ask;
		}
		while (!a.identity) {
			int r = answer(s, _("passport: type its last 4 characters, '+' if checked by sight, "
					    "Enter to cancel: "),
				       last4, sizeof(last4));
			char norm[5];
			if (r > 0 && !strcmp(last4, "+")) {
				a.identity = SK_CHECKIN_BY_SIGHT;
			} else if (r > 0 && !sk_checkin_last4_normalise(norm, last4)) {
				a.identity = SK_CHECKIN_BY_PASSPORT;
				a.passport_last4 = last4;
				sodium_memzero(norm, sizeof(norm));
			} else if (r > 0 && !sk_text_blank(last4)) {
				printf("  %s\n", _("type exactly 4 letters or digits, '+', or nothing to cancel"));
				if (!s->interactive) {
					/* A file cannot be asked again: one wrong answer ends it. */
					r = 0;
				} else {
					continue;
				}
			}
			if (!a.identity) {
				s->cancelled++;
				printf("%s %s %s: %s\n", _("NOT ADMITTED"), v.exam_number, name,
				       r < 0 ? _("a new scan came first") : _("cancelled"));
				sodium_memzero(last4, sizeof(last4));
				return 0;
			}
		}
		struct sk_checkin_view done;
		rc = sk_checkin_admit(&done, db, &s->st, line, &a);
		if (rc) {
			sodium_memzero(last4, sizeof(last4));
			return cli_db_error(s->cli, rc, _("cannot record the check-in"));
		}
		if (done.admitted) {
			sodium_memzero(last4, sizeof(last4));
			s->admitted++;
			printf(_("%s %s %s → room %s, seat %s (%s)%s%s\n"), _("ADMITTED"), done.exam_number, name,
			       done.room, done.seat, identity_word(done.identity),
			       (done.flags & SK_CHECKIN_LATE) ? _(", late") : "",
			       (done.flags & SK_CHECKIN_FEE_UNPAID) ? _(", fee unpaid") : "");
			return 0;
		}
		if (done.verdict == SK_CHECKIN_UNCONFIRMED) {
			/* Something changed since the scan (the cutoff passed, the
			 * room was closed): show it and ask again. */
			v = done;
			show_card(s, &v);
			continue;
		}
		sodium_memzero(last4, sizeof(last4));
		show_refusal(s, &done, line);
		/* admit kept the refusal itself. */
		s->refused++;
		return 0;
	}
	sodium_memzero(last4, sizeof(last4));
	s->cancelled++;
	printf("%s %s %s: %s\n", _("NOT ADMITTED"), v.exam_number, name, _("its state kept changing; scan again"));
	return 0;
}

static void banner(struct station *s)
{
	printf(_("check-in station %s: sitting %s (%s %s, venue %s)"), s->st.station, s->st.sitting, s->st.exam_date,
	       s->st.start_time, s->st.venue);
	if (s->st.room[0])
		printf(_(", room %s"), s->st.room);
	if (s->st.test[0])
		printf(_(", test %s"), s->st.test);
	printf(_(", proctor %s\n"), s->st.proctor);
	printf("  %s", s->policy.admit_unpaid ? _("unpaid fees admitted (flagged)") : _("unpaid fees refused"));
	char when[48];
	if (s->policy.late_after[0])
		printf(_("; late after %s\n"), venue_time(when, s, s->policy.late_after));
	else
		printf("; %s\n", _("no late cutoff"));
	if (s->interactive)
		printf("%s\n", _("scan a ticket or type an exam number; Ctrl-D ends"));
	fflush(stdout);
}

static int station(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' }, { "room", required_argument, NULL, 'r' },
		{ "test", required_argument, NULL, 't' },    { "station", required_argument, NULL, 'n' },
		{ "proctor", required_argument, NULL, 'p' }, { "from", required_argument, NULL, 'f' },
		{ "photos", required_argument, NULL, 'P' },  { "brief", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },	     { NULL, 0, NULL, 0 },
	};
	const char *sitting = NULL, *room = NULL, *test = NULL, *station_name = NULL, *proctor = NULL, *from = NULL;
	struct station *s = calloc(1, sizeof(*s));
	if (!s) {
		cli_error("%s", _("out of memory"));
		return EXIT_FAIL;
	}
	int code = EXIT_FAIL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sitting = optarg; break;
		case 'r': room = optarg; break;
		case 't': test = optarg; break;
		case 'n': station_name = optarg; break;
		case 'p': proctor = optarg; break;
		case 'f': from = optarg; break;
		case 'P': s->photos = optarg; break;
		case 'b': s->brief = 1; break;
		case 'h':
			cli_usage(stdout, usage);
			free(s);
			return EXIT_OK;
		case ':':
			free(s);
			return cli_bad_usage(usage, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			free(s);
			return cli_bad_usage(usage, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc) {
		free(s);
		return cli_bad_usage(usage, _("unexpected argument '%s'"), argv[optind]);
	}
	if (!sitting || !station_name || !proctor) {
		free(s);
		return cli_bad_usage(usage, "%s", _("give --sitting, --station and --proctor"));
	}
	s->cli = cli;
	sk_db_set_command(cli->db, "checkin");
	struct sk_report rep = SK_REPORT_INIT;
	int rc = sk_checkin_station_init(&s->st, cli->db, sitting, room, test, station_name, proctor, &rep);
	size_t problems = rep.count;
	cli_print_report(&rep);
	sk_report_release(&rep);
	if (rc) {
		code = problems ? EXIT_USAGE : cli_db_error(cli, rc, NULL);
		goto done;
	}
	if ((rc = sk_checkin_policy_get(&s->policy, cli->db, sitting))) {
		code = cli_db_error(cli, rc, NULL);
		goto done;
	}
	if (s->photos) {
		struct stat sb;
		if (mkdir(s->photos, 0700) != 0 && (stat(s->photos, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
			cli_error(_("cannot create '%s'"), s->photos);
			goto done;
		}
	}
	s->in = from ? fopen(from, "r") : stdin;
	if (!s->in) {
		cli_error(_("cannot read '%s'"), from);
		goto done;
	}
	s->interactive = !from && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	banner(s);

	char line[SK_CHECKIN_LINE_MAX + 64];
	code = EXIT_OK;
	for (;;) {
		int too_long = 0;
		if (s->has_pending) {
			snprintf(line, sizeof(line), "%s", s->pending);
			s->has_pending = 0;
		} else {
			prompt(s, _("scan> "));
			if (!read_line(s->in, line, sizeof(line), &too_long))
				break;
		}
		if (!too_long && sk_text_blank(line))
			continue;
		int r = handle(s, too_long ? "" : line);
		fflush(stdout);
		if (r) {
			code = r;
			break;
		}
	}
	if (from && s->in)
		fclose(s->in);
	s->in = NULL;
	if (code == EXIT_OK || s->scans) {
		printf(_("station %s: %zu scans: %zu admitted, %zu refused, %zu not admitted\n"), s->st.station, s->scans,
		       s->admitted, s->refused, s->cancelled);
		if (s->forged)
			printf(_("%zu forged or altered tickets were refused\n"), s->forged);
	}
	if (code == EXIT_OK)
		code = s->forged ? EXIT_VERIFY : (s->refused || s->cancelled) ? EXIT_FAIL : EXIT_OK;
done:
	free(s);
	return code;
}

/* ---- close, counts, policy ---- */

static int cmd_close(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' }, { "room", required_argument, NULL, 'r' },
		{ "proctor", required_argument, NULL, 'p' }, { "station", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sitting = NULL, *room = NULL, *proctor = NULL, *station_name = "close";
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sitting = optarg; break;
		case 'r': room = optarg; break;
		case 'p': proctor = optarg; break;
		case 'n': station_name = optarg; break;
		case ':':
			return cli_bad_usage(usage_close, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_close, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_close, _("unexpected argument '%s'"), argv[optind]);
	if (!sitting || !room)
		return cli_bad_usage(usage_close, "%s", _("give --sitting and --room"));
	if (!proctor)
		proctor = cli->actor;
	struct sk_report rep = SK_REPORT_INIT;
	struct sk_checkin_station st;
	int rc = sk_checkin_station_init(&st, cli->db, sitting, room, NULL, station_name, proctor, &rep);
	size_t problems = rep.count;
	cli_print_report(&rep);
	sk_report_release(&rep);
	if (rc)
		return problems ? EXIT_USAGE : cli_db_error(cli, rc, NULL);
	size_t marked = 0;
	if ((rc = sk_checkin_close(&marked, cli->db, &st)))
		return cli_db_error(cli, rc, NULL);
	if (marked)
		printf(_("%s room %s: %zu marked absent\n"), st.sitting, st.room, marked);
	else
		printf(_("%s room %s: nobody missing; nothing marked\n"), st.sitting, st.room);
	return EXIT_OK;
}

struct counts_state {
	int json;
	json_t *rooms;
	struct table table;
	struct sk_checkin_count total;
};

static json_t *count_json(const struct sk_checkin_count *c)
{
	json_t *o = json_object();
	if (c->room[0])
		json_object_set_new(o, "room", json_string(c->room));
	json_object_set_new(o, "expected", json_integer((json_int_t)c->expected));
	json_object_set_new(o, "present", json_integer((json_int_t)c->present));
	json_object_set_new(o, "late", json_integer((json_int_t)c->late));
	json_object_set_new(o, "absent", json_integer((json_int_t)c->absent));
	json_object_set_new(o, "waiting", json_integer((json_int_t)c->waiting));
	json_object_set_new(o, "refused", json_integer((json_int_t)c->refused));
	return o;
}

static void count_row(struct table *t, const char *room, const struct sk_checkin_count *c)
{
	char v[6][24];
	snprintf(v[0], sizeof(v[0]), "%zu", c->expected);
	snprintf(v[1], sizeof(v[1]), "%zu", c->present);
	snprintf(v[2], sizeof(v[2]), "%zu", c->late);
	snprintf(v[3], sizeof(v[3]), "%zu", c->absent);
	snprintf(v[4], sizeof(v[4]), "%zu", c->waiting);
	snprintf(v[5], sizeof(v[5]), "%zu", c->refused);
	const char *row[] = { room, v[0], v[1], v[2], v[3], v[4], v[5] };
	table_add(t, row);
}

static int counts_row(void *payload, const struct sk_checkin_count *c)
{
	struct counts_state *cs = payload;
	cs->total.expected += c->expected;
	cs->total.present += c->present;
	cs->total.late += c->late;
	cs->total.absent += c->absent;
	cs->total.waiting += c->waiting;
	cs->total.refused += c->refused;
	if (cs->json)
		json_array_append_new(cs->rooms, count_json(c));
	else
		count_row(&cs->table, c->room, c);
	return 0;
}

static int cmd_counts(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' },
		{ "room", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sitting = NULL, *room = NULL;
	struct counts_state cs;
	memset(&cs, 0, sizeof(cs));
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sitting = optarg; break;
		case 'r': room = optarg; break;
		case 'j': cs.json = 1; break;
		case ':':
			return cli_bad_usage(usage_counts, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_counts, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_counts, _("unexpected argument '%s'"), argv[optind]);
	if (!sitting)
		return cli_bad_usage(usage_counts, "%s", _("give --sitting S"));
	static const char *headers[] = { N_("room"), N_("expected"), N_("present"), N_("late"),
					 N_("absent"), N_("not yet"), N_("refused") };
	table_init(&cs.table, 7, headers);
	cs.rooms = json_array();
	int rc = sk_checkin_counts(cli->db, sitting, room, counts_row, &cs);
	int code = EXIT_OK;
	if (rc) {
		code = cli_db_error(cli, rc, NULL);
	} else if (cs.json) {
		json_t *o = json_object();
		json_object_set_new(o, "sitting", json_string(sitting));
		json_object_set_new(o, "rooms", json_incref(cs.rooms));
		json_object_set_new(o, "total", count_json(&cs.total));
		cli_print_json(o);
	} else {
		if (!room)
			count_row(&cs.table, _("total"), &cs.total);
		table_print(&cs.table, stdout);
	}
	json_decref(cs.rooms);
	table_release(&cs.table);
	return code;
}

static void show_policy(const char *sitting, const struct sk_checkin_policy *p)
{
	printf(_("sitting %s at the door:\n"), sitting);
	printf("  %s\n", p->admit_unpaid ? _("unpaid fees: admitted, flagged") : _("unpaid fees: refused"));
	if (p->late_after[0]) {
		char local[48];
		printf(_("  late after: %s (at the venue: %s)\n"), p->late_after, local_time(local, p, p->late_after));
	} else {
		printf("  %s\n", _("late after: no cutoff"));
	}
	if (!p->stored)
		printf("  %s\n", _("(the defaults: no policy of its own)"));
}

static int cmd_policy(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sitting", required_argument, NULL, 's' },
		{ "unpaid", required_argument, NULL, 'u' },
		{ "late-after", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sitting = NULL, *unpaid = NULL, *late = NULL;
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sitting = optarg; break;
		case 'u': unpaid = optarg; break;
		case 'l': late = optarg; break;
		case ':':
			return cli_bad_usage(usage_policy, _("option '%s' needs a value"), argv[optind - 1]);
		default:
			return cli_bad_usage(usage_policy, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage_policy, _("unexpected argument '%s'"), argv[optind]);
	if (!sitting)
		return cli_bad_usage(usage_policy, "%s", _("give --sitting S"));
	if (unpaid && strcmp(unpaid, "refuse") && strcmp(unpaid, "admit"))
		return cli_bad_usage(usage_policy, _("--unpaid takes refuse or admit, not '%s'"), unpaid);
	struct sk_checkin_policy p;
	int rc = sk_checkin_policy_get(&p, cli->db, sitting);
	if (rc)
		return cli_db_error(cli, rc, NULL);
	if (unpaid || late) {
		struct sk_checkin_policy want = p;
		if (unpaid)
			want.admit_unpaid = !strcmp(unpaid, "admit");
		if (late && !strcmp(late, "none")) {
			want.late_after[0] = '\0';
			want.utc_offset = 0;
		} else if (late) {
			char shown[SK_SHOWN_MAX];
			/* The exam date makes "09:45+07:00" a whole time. */
			struct sk_sitting sit;
			if ((rc = sk_sitting_get(cli->db, sitting, &sit)))
				return cli_db_error(cli, rc, NULL);
			if (sk_checkin_parse_cutoff(want.late_after, &want.utc_offset, late, sit.exam_date))
				return cli_bad_usage(usage_policy,
						     _("'%s' is not a time with its zone, like 09:45+07:00 or "
						       "2026-12-13T09:45+07:00"),
						     sk_import_shown(shown, late));
		}
		if ((rc = sk_checkin_policy_set(cli->db, sitting, &want)))
			return cli_db_error(cli, rc, NULL);
		if ((rc = sk_checkin_policy_get(&p, cli->db, sitting)))
			return cli_db_error(cli, rc, NULL);
	}
	show_policy(sitting, &p);
	return EXIT_OK;
}

const struct subcmd checkin_subs[] = {
	{ "close", cmd_close, usage_close },
	{ "counts", cmd_counts, usage_counts },
	{ "policy", cmd_policy, usage_policy },
	{ NULL, NULL, NULL },
};

int cmd_checkin(struct cli *cli, int argc, char **argv)
{
	/* No verb, options: the station itself. */
	if (argc >= 2 && argv[1][0] == '-' && strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))
		return station(cli, argc, argv);
	return cli_dispatch(cli, checkin_subs, usage, argc, argv);
}

/* ---- the demo's check-in ---- */

struct demo_reg {
	char exam_number[16];
	char room[24];
	char reference[40];
	char code[SK_PAYLOAD_MAX];
	int paid;
};

struct demo_list {
	struct demo_reg *regs;
	size_t n, cap;
	struct sk_db *db;
};

static int demo_collect(void *payload, const struct sk_registration *r)
{
	struct demo_list *l = payload;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 128;
		struct demo_reg *p = realloc(l->regs, nc * sizeof(*p));
		if (!p)
			return sk_db_fail(l->db, SK_ENOMEM, "out of memory");
		l->regs = p;
		l->cap = nc;
	}
	struct demo_reg *d = &l->regs[l->n];
	memset(d, 0, sizeof(*d));
	snprintf(d->exam_number, sizeof(d->exam_number), "%s", r->exam_number);
	snprintf(d->room, sizeof(d->room), "%s", r->room);
	snprintf(d->reference, sizeof(d->reference), "%s", r->reference);
	d->paid = !strcmp(r->fee_status, "paid") || !strcmp(r->fee_status, "waived");
	int rc = sk_payload_ticket(l->db, r->exam_number, d->code);
	if (!rc)
		l->n++;
	return rc;
}

/* Run a command as the demo does: shown, then run. */
static int demo_run(const struct cli *cli, char **argv)
{
	int argc = 0;
	printf("$ shiken");
	for (; argv[argc]; argc++)
		printf(" %s", argv[argc]);
	printf("\n");
	fflush(stdout);
	int rc = cli_run(cli, argc, argv);
	fflush(stdout);
	fflush(stderr);
	return rc;
}

int cli_checkin_demo(const struct cli *cli, const char *dir, const char *sitting, unsigned long seed,
		     unsigned long count)
{
	static const char *const proctors[] = { "Sato Yui", "Tanaka Ken", "Suzuki Aoi", "Ito Ren" };
	struct demo_list l = { 0 };
	struct sk_db *db = NULL;
	char err[1024], path[4200], station_name[40], *rooms[4] = { 0 };
	size_t nrooms = 0;
	int code = EXIT_FAIL, rc;
	FILE *f = NULL;
	if (sk_db_open(&db, cli->db_path, 0, err, sizeof(err))) {
		cli_error("%s", err);
		return EXIT_FAIL;
	}
	struct sk_registration_filter filter = { .sitting = sitting };
	l.db = db;
	char *key = cli->key_override ? strdup(cli->key_override) : sk_keys_default_path(cli->db_path);
	rc = key ? sk_keys_load(db, key) : sk_db_fail(db, SK_ENOMEM, "out of memory");
	free(key);
	if (rc || (rc = sk_registration_foreach(db, &filter, demo_collect, &l))) {
		cli_db_error(&(struct cli){ .db = db }, rc, NULL);
		goto done;
	}
	for (size_t i = 0; i < l.n; i++) {
		size_t r = 0;
		while (r < nrooms && strcmp(rooms[r], l.regs[i].room))
			r++;
		if (r == nrooms && nrooms < 4)
			rooms[nrooms++] = l.regs[i].room;
	}
	for (size_t i = 1; i < nrooms; i++)
		for (size_t j = i; j > 0 && strcmp(rooms[j - 1], rooms[j]) > 0; j--) {
			char *t = rooms[j];
			rooms[j] = rooms[j - 1];
			rooms[j - 1] = t;
		}
	/* What each room's scanner will read: most candidates, a few no-shows,
	 * answers only where the station will ask (an unpaid fee is refused
	 * at once), a forged ticket at the first door and, at the second, a
	 * ticket already used at the first. */
	const char *reused = NULL;
	for (size_t r = 0; r < nrooms; r++) {
		snprintf(path, sizeof(path), "%s/input/checkin-%s.txt", dir, rooms[r]);
		if (!(f = fopen(path, "w"))) {
			cli_error(_("cannot write '%s': %s"), path, strerror(errno));
			goto done;
		}
		size_t k = 0;
		for (size_t i = 0; i < l.n; i++) {
			struct demo_reg *d = &l.regs[i];
			if (strcmp(d->room, rooms[r]) || ++k % 11 == 0)
				continue;
			fprintf(f, "%s\n", d->code);
			if (!d->paid)
				continue;
			if (!reused)
				reused = d->code;
			char last4[8] = "+";
			for (unsigned long j = 0; k % 4 && j < count; j++) {
				struct sk_synth_candidate c;
				sk_synth_candidate(&c, seed, j, 2026);
				char norm[32];
				if (!strcmp(c.reference, d->reference) && !sk_passport_normalise(norm, c.passport_number)) {
					snprintf(last4, sizeof(last4), "%s", norm + strlen(norm) - 4);
					break;
				}
			}
			fprintf(f, "%s\n", last4);
			if (r == 0 && k == 5) {
				/* The exam number of a ticket changed by hand, MAC kept. */
				char forged[SK_PAYLOAD_MAX];
				snprintf(forged, sizeof(forged), "%s", d->code);
				forged[13] = forged[13] == '9' ? '8' : (char)(forged[13] + 1);
				fprintf(f, "%s\n", forged);
			}
		}
		if (r == 1 && reused)
			fprintf(f, "%s\n", reused);
		if (fclose(f) != 0) {
			f = NULL;
			cli_error(_("cannot write '%s': %s"), path, strerror(errno));
			goto done;
		}
		f = NULL;
	}
	sk_db_close(db);
	db = NULL;

	char *policy[] = { "checkin", "policy", "--sitting", (char *)sitting, NULL };
	if (demo_run(cli, policy))
		goto done;
	for (size_t r = 0; r < nrooms; r++) {
		snprintf(path, sizeof(path), "%s/input/checkin-%s.txt", dir, rooms[r]);
		snprintf(station_name, sizeof(station_name), "door-%s", rooms[r]);
		char *argv[] = { "checkin", "--sitting", (char *)sitting, "--room", rooms[r], "--station", station_name,
				 "--proctor", (char *)proctors[r], "--from", path, "--brief", NULL };
		/* Refusals are part of the show: 1 and 3 are expected here. */
		rc = demo_run(cli, argv);
		if (rc != EXIT_OK && rc != EXIT_FAIL && rc != EXIT_VERIFY)
			goto done;
	}
	if (reused && nrooms > 1) {
		char examno[16], note[200];
		snprintf(examno, sizeof(examno), "%.12s", reused + 5);
		snprintf(note, sizeof(note),
			 "a second person showed this ticket at door-%s after its holder was admitted; turned away",
			 rooms[1]);
		char *argv[] = { "incident", "add", examno, "--kind", "impersonation", "--note", note,
				 "--proctor", (char *)proctors[1], NULL };
		if (demo_run(cli, argv))
			goto done;
	}
	for (size_t r = 0; r < nrooms; r++) {
		char *argv[] = { "checkin", "close", "--sitting", (char *)sitting, "--room", rooms[r],
				 "--proctor", (char *)proctors[r], NULL };
		if (demo_run(cli, argv))
			goto done;
	}
	char *counts[] = { "checkin", "counts", "--sitting", (char *)sitting, NULL };
	if (demo_run(cli, counts))
		goto done;
	code = EXIT_OK;
done:
	if (f)
		fclose(f);
	sk_db_close(db);
	free(l.regs);
	return code;
}
