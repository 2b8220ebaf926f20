/*
 * The check-in station of shiken serve (a web.h route module), the web
 * face of exam/checkin.h for proctors at the door:
 *
 *   GET  /checkin              sign-in page; then the choice of station;
 *                              then the station: counts and the scan field
 *   POST /checkin/login        sign in (name, password)
 *   POST /checkin/station      choose (or with clear=1 leave) the station
 *   POST /checkin/scan         look a scanned line up: the candidate, or why not
 *   POST /checkin/admit        admit the candidate of the line posted back
 *   POST /checkin/refuse       do not admit them (the proctor's decision)
 *   POST /checkin/logout       sign out
 *   GET  /checkin/photo/ID     a candidate's photo, to signed-in staff only
 *
 * Who: staff accounts (core/staff.h). The session id lives in a cookie
 * (HttpOnly; Secure; SameSite=Strict; Path=<mount>/checkin); the service is
 * meant to run behind TLS (--behind-proxy), and browsers and curl keep
 * Secure cookies on http://127.0.0.1 and localhost too, so the flag never
 * comes off. Anonymous requests get the sign-in page (GET /checkin) or a
 * redirect to it: never data. Graders get 403. Every form carries a CSRF
 * token (the session's, or before sign-in a double-submit cookie's),
 * compared in constant time; a wrong or missing one is 403 with nothing
 * changed.
 *
 * What is written goes through exam/checkin.h and core/staff.h, each write
 * one transaction with its audit record, the actor the signed-in account.
 * A scanned line is never trusted: admit and refuse post the original line
 * back and the library verifies it again.
 *
 * Pages: no script at all (the scan field has autofocus), one inline style
 * sheet allowed by its hash, images only from here; the idle station page
 * refreshes itself every 30 seconds (meta refresh) for the counts. Japanese
 * and English like the certificate page (?lang=, Accept-Language).
 */
#include "cli/cli.h"
#include "cli/web.h"
#include "cli/web_form.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/import.h"
#include "core/photo.h"
#include "core/refdata.h"
#include "core/staff.h"
#include "exam/checkin.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_COOKIE "shiken_session"
#define LOGIN_COOKIE "shiken_login"
#define REFRESH_SECONDS 30

static const char page_css[] =
	":root{color-scheme:light}"
	"*{box-sizing:border-box}"
	"body{margin:0;background:#eef0f2;color:#1b1b1b;font-size:17px;line-height:1.45;"
	"font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,"
	"\"Hiragino Sans\",\"Noto Sans JP\",\"Noto Sans CJK JP\",Meiryo,\"IPAexGothic\",sans-serif}"
	":lang(ja){font-family:\"Hiragino Sans\",\"Noto Sans JP\",\"Noto Sans CJK JP\",\"Yu Gothic UI\",Meiryo,"
	"\"IPAexGothic\",system-ui,sans-serif}"
	"header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.6rem 1rem;"
	"background:#1f3a5f;color:#fff}"
	"header b{font-size:1.1rem}"
	"header form{margin-left:auto;display:flex;gap:.5rem}"
	"header button{font-size:.9rem;padding:.3rem .8rem;background:#fff;color:#1f3a5f;border:0;border-radius:.3rem}"
	"main{max-width:60rem;margin:0 auto;padding:1rem}"
	"h1{font-size:1.5rem;margin:.2rem 0 1rem}"
	"label{display:block;font-weight:600;margin:.6rem 0 .2rem}"
	"input[type=text],input[type=password]{width:100%;font-size:1.3rem;padding:.5rem .6rem;"
	"border:2px solid #667;border-radius:.3rem}"
	"input:focus{outline:3px solid #f0b400;border-color:#1f3a5f}"
	".box{background:#fff;border-radius:.5rem;padding:1rem 1.2rem;margin:0 0 1rem}"
	".login{max-width:26rem;margin:3rem auto}"
	"button{font-size:1.1rem;padding:.6rem 1.4rem;border-radius:.3rem;border:0;cursor:pointer}"
	".go{background:#0b6b2f;color:#fff}"
	".no{background:#a4001d;color:#fff}"
	".plain{background:#dde;color:#1b1b1b}"
	".actions{display:flex;gap:1rem;margin-top:1rem;flex-wrap:wrap}"
	".scan input{font-size:1.6rem;font-family:ui-monospace,\"DejaVu Sans Mono\",monospace}"
	".alert{padding:.9rem 1.2rem;border-radius:.5rem;margin:0 0 1rem;color:#fff}"
	".alert h2{margin:0;font-size:1.6rem;letter-spacing:.02em}"
	".alert p{margin:.3rem 0 0;font-size:1.05rem}"
	".refused{background:#a4001d}"
	".admitted{background:#0b6b2f}"
	".notice{background:#fff6cc;color:#1b1b1b;border-left:.4rem solid #b88a00}"
	".card{display:flex;gap:1.2rem;align-items:flex-start}"
	".card img,.nophoto{width:9rem;height:12rem;object-fit:cover;border:1px solid #999;background:#ddd;flex:none}"
	".nophoto{display:flex;align-items:center;justify-content:center;text-align:center;font-size:.9rem;padding:.5rem}"
	".card dl{margin:0;flex:1;display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}"
	".card dt{color:#4a4a4a}"
	".card dd{margin:0;font-weight:700}"
	".card .who{grid-column:1/-1;font-size:1.5rem;font-family:system-ui,\"Segoe UI\",Roboto,\"Noto Sans\","
	"\"DejaVu Sans\",sans-serif}"
	".flag{color:#8f3a0c;font-weight:700}"
	".check{display:flex;gap:.5rem;align-items:center;font-weight:400}"
	".check input{width:1.4rem;height:1.4rem}"
	"table{border-collapse:collapse;width:100%}"
	"th,td{padding:.3rem .6rem;text-align:right;border-bottom:1px solid #ddd}"
	"th:first-child,td:first-child{text-align:left}"
	".error{color:#a4001d;font-weight:700}"
	"footer{text-align:center;font-size:.9rem;margin:1rem}"
	"footer a{margin:0 .5rem;color:#1f3a5f}";

struct checkin_state {
	char csp[320];
	char base[1100];   /* the mount path + "/checkin" */
	char cookie[1200]; /* "; Path=...; HttpOnly; Secure; SameSite=Strict" */
};

static int checkin_start(void **out, struct web_server *srv, struct sk_db *db)
{
	*out = NULL;
	struct checkin_state *st = calloc(1, sizeof(*st));
	if (!st)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	const char *url = web_base_url(srv), *host = strstr(url, "://");
	const char *path = host ? strchr(host + 3, '/') : NULL;
	snprintf(st->base, sizeof(st->base), "%s/checkin", path ? path : "");
	snprintf(st->cookie, sizeof(st->cookie), "; Path=%s; HttpOnly; Secure; SameSite=Strict", st->base);
	unsigned char hash[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	crypto_hash_sha256(hash, (const unsigned char *)page_css, sizeof(page_css) - 1);
	sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash), sodium_base64_VARIANT_ORIGINAL);
	snprintf(st->csp, sizeof(st->csp),
		 "default-src 'none'; style-src 'sha256-%s'; img-src 'self'; form-action 'self'; "
		 "frame-ancestors 'none'; base-uri 'none'",
		 b64);
	*out = st;
	return 0;
}

static void checkin_stop(void *state)
{
	free(state);
}

/* ---- one request ---- */

struct ctx {
	struct checkin_state *st;
	struct web_request *req;
	struct web_response *res;
	struct sk_db *db;
	struct sk_staff_session sess;
	const char *token; /* the session cookie */
	char csrf[SK_STAFF_TOKEN_LEN + 1];
	struct web_form form;
};

static const char *tr(struct ctx *c, const char *msgid)
{
	return web_tr(c->req, msgid);
}

static void esc(struct ctx *c, const char *s)
{
	web_html_escape(&c->res->body, s);
}

static void add(struct ctx *c, const char *s)
{
	sk_buf_adds(&c->res->body, s);
}

/* An address below /checkin, in the page's language: "/prefix/checkin/scan?lang=ja". */
static void href(struct ctx *c, const char *sub)
{
	esc(c, c->st->base);
	esc(c, sub);
	add(c, "?lang=");
	esc(c, c->req->lang);
}

static void page_start(struct ctx *c, const char *title, int refresh)
{
	struct web_response *res = c->res;
	res->content_type = "text/html; charset=utf-8";
	res->csp = c->st->csp;
	res->cache = "no-store";
	add(c, "<!DOCTYPE html>\n<html lang=\"");
	esc(c, c->req->lang);
	add(c, "\"><head><meta charset=\"utf-8\">"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	       "<meta name=\"robots\" content=\"noindex, nofollow\">");
	if (refresh) {
		sk_buf_addf(&res->body, "<meta http-equiv=\"refresh\" content=\"%d; url=", REFRESH_SECONDS);
		href(c, "");
		add(c, "\">");
	}
	add(c, "<title>");
	esc(c, tr(c, title));
	add(c, " — ");
	esc(c, tr(c, N_("Check-in")));
	add(c, "</title><style>");
	add(c, page_css);
	add(c, "</style></head>\n<body>");
}

static void csrf_field(struct ctx *c, const char *value)
{
	add(c, "<input type=\"hidden\" name=\"csrf\" value=\"");
	esc(c, value);
	add(c, "\">");
}

/* The bar on top for a signed-in proctor: who, where, sign out. */
static void header_bar(struct ctx *c, const struct sk_checkin_station *stn)
{
	add(c, "<header><b>");
	esc(c, tr(c, N_("Check-in")));
	add(c, "</b>");
	if (stn) {
		add(c, "<span>");
		esc(c, stn->sitting);
		add(c, " · ");
		esc(c, stn->exam_date);
		add(c, " · ");
		esc(c, stn->venue);
		if (stn->room[0]) {
			char room[80];
			snprintf(room, sizeof(room), tr(c, N_("room %s")), stn->room);
			add(c, " · ");
			esc(c, room);
		}
		add(c, "</span><span>");
		esc(c, tr(c, N_("station")));
		add(c, " ");
		esc(c, stn->station);
		add(c, "</span>");
	}
	add(c, "<span>");
	esc(c, c->sess.name);
	add(c, " (");
	esc(c, tr(c, sk_staff_role_name(c->sess.role)));
	add(c, ")</span><form method=\"post\" action=\"");
	href(c, "/station");
	add(c, "\">");
	csrf_field(c, c->csrf);
	if (stn) {
		add(c, "<input type=\"hidden\" name=\"clear\" value=\"1\"><button type=\"submit\">");
		esc(c, tr(c, N_("Change station")));
		add(c, "</button>");
	}
	add(c, "<button type=\"submit\" formaction=\"");
	href(c, "/logout");
	add(c, "\">");
	esc(c, tr(c, N_("Sign out")));
	add(c, "</button></form></header>\n<main>");
}

static void page_end(struct ctx *c)
{
	add(c, "</main><footer>");
	for (const char *const *l = sk_i18n_languages(); *l; l++) {
		if (strcmp(*l, "en") && strcmp(*l, "ja"))
			continue;
		add(c, "<a href=\"");
		esc(c, c->st->base);
		add(c, "?lang=");
		esc(c, *l);
		add(c, "\" lang=\"");
		esc(c, *l);
		add(c, "\">");
		add(c, !strcmp(*l, "ja") ? "日本語" : "English");
		add(c, "</a>");
	}
	add(c, "</footer></body></html>\n");
}

static int set_cookie(struct ctx *c, const char *name, const char *value, const char *extra)
{
	struct sk_buf v = SK_BUF_INIT;
	sk_buf_addf(&v, "%s=%s%s%s", name, value, c->st->cookie, extra);
	int rc = sk_buf_failed(&v) ? SK_ENOMEM : web_response_header(c->res, "Set-Cookie", v.buf);
	sk_buf_release(&v);
	return rc;
}

/* 303 to /checkin (a path: the browser keeps scheme and host). */
static int redirect_home(struct ctx *c)
{
	struct sk_buf loc = SK_BUF_INIT;
	sk_buf_addf(&loc, "%s?lang=%s", c->st->base, c->req->lang);
	int rc = sk_buf_failed(&loc) ? SK_ENOMEM : web_response_header(c->res, "Location", loc.buf);
	sk_buf_release(&loc);
	c->res->status = 303;
	sk_buf_reset(&c->res->body);
	c->res->content_type = "text/plain; charset=utf-8";
	add(c, "see ");
	add(c, c->st->base);
	add(c, "\n");
	return rc;
}

static int plain(struct ctx *c, unsigned status, const char *msgid)
{
	c->res->status = status;
	page_start(c, msgid, 0);
	add(c, "<main><div class=\"box\"><p class=\"error\">");
	esc(c, tr(c, msgid));
	add(c, "</p><p><a href=\"");
	href(c, "");
	add(c, "\">");
	esc(c, tr(c, N_("Back to the check-in station")));
	add(c, "</a></p></div>");
	page_end(c);
	return 0;
}

/* ---- signing in ---- */

static int login_page(struct ctx *c, unsigned status, const char *error)
{
	char token[SK_STAFF_TOKEN_LEN + 1];
	sk_staff_token_new(token);
	int rc = set_cookie(c, LOGIN_COOKIE, token, "; Max-Age=3600");
	if (rc)
		return rc;
	c->res->status = status;
	page_start(c, N_("Sign in"), 0);
	add(c, "<main><form class=\"box login\" method=\"post\" action=\"");
	href(c, "/login");
	add(c, "\"><h1>");
	esc(c, tr(c, N_("Check-in station: sign in")));
	add(c, "</h1>");
	if (error) {
		add(c, "<p class=\"error\" role=\"alert\">");
		esc(c, error);
		add(c, "</p>");
	}
	csrf_field(c, token);
	add(c, "<label for=\"name\">");
	esc(c, tr(c, N_("Account name")));
	add(c, "</label><input type=\"text\" id=\"name\" name=\"name\" autocomplete=\"username\" autocapitalize=\"none\" "
	       "spellcheck=\"false\" maxlength=\"64\" required autofocus><label for=\"password\">");
	esc(c, tr(c, N_("Password")));
	add(c, "</label><input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" "
	       "maxlength=\"1024\" required><div class=\"actions\"><button class=\"go\" type=\"submit\">");
	esc(c, tr(c, N_("Sign in")));
	add(c, "</button></div></form>");
	page_end(c);
	sodium_memzero(token, sizeof(token));
	return 0;
}

static int do_login(struct ctx *c)
{
	const char *given = web_form_get(&c->form, "csrf");
	if (!sk_staff_token_equal(web_cookie(c->req, LOGIN_COOKIE), given))
		return plain(c, 403, N_("The form has expired or did not come from this page: reload it and try again."));
	const char *name = web_form_get(&c->form, "name"), *password = web_form_get(&c->form, "password");
	struct sk_login login;
	int rc = sk_staff_login(&login, c->db, name ? name : "", password ? password : "", c->req->client);
	if (rc)
		return rc;
	if (login.outcome == SK_LOGIN_LOCKED) {
		char when[21], msg[512];
		sk_time_format(when, (long long)login.locked_until);
		when[16] = '\0';
		when[10] = ' ';
		snprintf(msg, sizeof(msg), tr(c, N_("Too many failed sign-ins: try again after %s UTC.")), when);
		char retry[24];
		snprintf(retry, sizeof(retry), "%lld", (long long)(login.locked_until - c->req->now));
		if ((rc = web_response_header(c->res, "Retry-After", retry)))
			return rc;
		return login_page(c, 429, msg);
	}
	if (login.outcome != SK_LOGIN_OK)
		return login_page(c, 200, tr(c, N_("Wrong account name or password.")));
	rc = set_cookie(c, SESSION_COOKIE, login.token, "");
	sodium_memzero(&login, sizeof(login));
	if (!rc)
		rc = set_cookie(c, LOGIN_COOKIE, "", "; Max-Age=0");
	return rc ? rc : redirect_home(c);
}

static int do_logout(struct ctx *c)
{
	int rc = sk_staff_logout(c->db, c->token);
	if (!rc)
		rc = set_cookie(c, SESSION_COOKIE, "", "; Max-Age=0");
	return rc ? rc : redirect_home(c);
}

/* ---- choosing the station ---- */

static int station_page(struct ctx *c, const char *error, const char *sitting, const char *room, const char *station)
{
	page_start(c, N_("Choose the station"), 0);
	header_bar(c, NULL);
	add(c, "<form class=\"box\" method=\"post\" action=\"");
	href(c, "/station");
	add(c, "\"><h1>");
	esc(c, tr(c, N_("Where is this station?")));
	add(c, "</h1>");
	if (error) {
		add(c, "<p class=\"error\" role=\"alert\">");
		esc(c, error);
		add(c, "</p>");
	}
	csrf_field(c, c->csrf);
	static const struct {
		const char *id, *label, *hint;
	} fields[] = {
		{ "sitting", N_("Sitting (code)"), NULL },
		{ "room", N_("Room (empty: every room of the sitting)"), NULL },
		{ "station", N_("Station name (e.g. door A-1)"), NULL },
	};
	const char *values[] = { sitting, room, station };
	for (size_t i = 0; i < 3; i++) {
		add(c, "<label for=\"");
		add(c, fields[i].id);
		add(c, "\">");
		esc(c, tr(c, fields[i].label));
		add(c, "</label><input type=\"text\" id=\"");
		add(c, fields[i].id);
		add(c, "\" name=\"");
		add(c, fields[i].id);
		add(c, "\" maxlength=\"100\" autocomplete=\"off\" value=\"");
		esc(c, values[i] ? values[i] : "");
		add(c, i == 1 ? "\">" : i == 0 ? "\" required autofocus>" : "\" required>");
	}
	add(c, "<div class=\"actions\"><button class=\"go\" type=\"submit\">");
	esc(c, tr(c, N_("Open the station")));
	add(c, "</button></div></form>");
	page_end(c);
	return 0;
}

/* The station of the session, set up again for this request. 0, 1 when
 * none is chosen (or it no longer exists), or an error. */
static int station_of(struct ctx *c, struct sk_checkin_station *out)
{
	if (!c->sess.sitting[0] || !c->sess.station[0])
		return 1;
	struct sk_report rep;
	sk_report_init(&rep);
	int rc = sk_checkin_station_init(out, c->db, c->sess.sitting, c->sess.room[0] ? c->sess.room : NULL, NULL,
					 c->sess.station, c->sess.name, &rep);
	sk_report_release(&rep);
	if (rc == SK_EINPUT || rc == SK_ENOTFOUND) {
		sk_db_clear_error(c->db);
		return 1;
	}
	return rc;
}

static int do_station(struct ctx *c)
{
	if (web_form_get(&c->form, "clear")) {
		int rc = sk_staff_session_station(c->db, c->token, NULL, NULL, NULL);
		return rc ? rc : redirect_home(c);
	}
	const char *sitting = web_form_get(&c->form, "sitting"), *room = web_form_get(&c->form, "room"),
		   *station = web_form_get(&c->form, "station");
	if (!sitting || !*sitting || !station || !*station)
		return station_page(c, tr(c, N_("Give the sitting and the station name.")), sitting, room, station);
	struct sk_checkin_station stn;
	struct sk_report rep;
	sk_report_init(&rep);
	int rc = sk_checkin_station_init(&stn, c->db, sitting, room && *room ? room : NULL, NULL, station,
					 c->sess.name, &rep);
	if (rc == SK_EINPUT || rc == SK_ENOTFOUND) {
		struct sk_buf msg = SK_BUF_INIT;
		if (rc == SK_EINPUT && rep.count) {
			struct sk_diag d = rep.items[0];
			d.fmt = tr(c, d.fmt);
			sk_diag_format(&msg, &d, NULL);
		} else {
			sk_buf_adds(&msg, tr(c, N_("No such sitting, or no such room at its venue.")));
		}
		sk_report_release(&rep);
		sk_db_clear_error(c->db);
		rc = sk_buf_failed(&msg) ? SK_ENOMEM : station_page(c, msg.buf, sitting, room, station);
		sk_buf_release(&msg);
		return rc;
	}
	sk_report_release(&rep);
	if (rc)
		return rc;
	rc = sk_staff_session_station(c->db, c->token, stn.sitting, stn.room[0] ? stn.room : NULL, stn.station);
	return rc ? rc : redirect_home(c);
}

/* ---- the station ---- */

struct counts {
	struct ctx *c;
	int rows;
};

static int count_row(void *payload, const struct sk_checkin_count *n)
{
	struct counts *cs = payload;
	struct sk_buf *b = &cs->c->res->body;
	sk_buf_adds(b, "<tr><td>");
	web_html_escape(b, n->room);
	sk_buf_addf(b, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>", n->expected,
		    n->present, n->late, n->absent, n->waiting, n->refused);
	cs->rows++;
	return 0;
}

static int counts_box(struct ctx *c, const struct sk_checkin_station *stn)
{
	static const char *const heads[] = { N_("room"), N_("expected"), N_("present"), N_("late"),
					     N_("absent"), N_("not yet"), N_("refused") };
	add(c, "<section class=\"box\"><table><tr>");
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		add(c, "<th>");
		esc(c, tr(c, heads[i]));
		add(c, "</th>");
	}
	add(c, "</tr>");
	struct counts cs = { c, 0 };
	int rc = sk_checkin_counts(c->db, stn->sitting, stn->room[0] ? stn->room : NULL, count_row, &cs);
	add(c, "</table></section>");
	return rc;
}

static void scan_form(struct ctx *c)
{
	add(c, "<form class=\"box scan\" method=\"post\" action=\"");
	href(c, "/scan");
	add(c, "\"><label for=\"line\">");
	esc(c, tr(c, N_("Scan the ticket's QR code, or type the exam number")));
	add(c, "</label>");
	csrf_field(c, c->csrf);
	add(c, "<input type=\"text\" id=\"line\" name=\"line\" maxlength=\"200\" autocomplete=\"off\" "
	       "autocapitalize=\"none\" spellcheck=\"false\" required autofocus></form>");
}

static void full_name(char *out, size_t cap, const struct sk_checkin_view *v)
{
	if (v->given_name[0])
		snprintf(out, cap, "%s %s", v->family_name, v->given_name);
	else
		snprintf(out, cap, "%s", v->family_name);
}

/* A time as stored ("2026-12-13T02:41:07Z") as "2026-12-13 02:41 UTC". */
static void when(char out[32], const char *utc)
{
	if (strlen(utc) == 20)
		snprintf(out, 32, "%.10s %.5s UTC", utc, utc + 11);
	else
		snprintf(out, 32, "%s", utc);
}

static const char *fee_word(const char *status)
{
	static const struct {
		const char *status, *word;
	} words[] = { { "paid", N_("paid") }, { "unpaid", N_("unpaid") }, { "waived", N_("waived") },
		      { "refunded", N_("refunded") } };
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(words[i].status, status))
			return words[i].word;
	return status;
}

/* The refusal in words: a headline, and what to do (msgids shared with
 * the terminal station). */
static void refusal_words(enum sk_checkin_verdict v, const char **title, const char **advice)
{
	*advice = NULL;
	switch (v) {
	case SK_CHECKIN_UNREADABLE:
		*title = N_("not a ticket or an exam number");
		*advice = N_("scan the ticket's QR code again, or type the exam number (like 0001-00042-6)");
		break;
	case SK_CHECKIN_CHECK_DIGIT:
		*title = N_("the exam number has a wrong check digit");
		*advice = N_("it was mistyped: type it again from the ticket");
		break;
	case SK_CHECKIN_FORGED:
		*title = N_("FORGED OR ALTERED TICKET");
		*advice = N_("its code does not match what shiken printed: do not admit; keep the ticket and call the "
			     "chief proctor");
		break;
	case SK_CHECKIN_SHEET:
		*title = N_("this is an answer-sheet code, not an admission ticket");
		*advice = N_("scan the admission ticket");
		break;
	case SK_CHECKIN_UNKNOWN:
		*title = N_("no registration has this exam number");
		*advice = N_("check the number on the ticket; call the chief proctor");
		break;
	case SK_CHECKIN_WRONG_SITTING:
		*title = N_("the ticket is for another sitting");
		break;
	case SK_CHECKIN_CANCELLED:
		*title = N_("the registration was cancelled");
		*advice = N_("do not admit; call the chief proctor");
		break;
	case SK_CHECKIN_ALREADY:
		*title = N_("ALREADY CHECKED IN");
		*advice = N_("a second person with the same ticket: do not admit; check the passport and call the "
			     "chief proctor");
		break;
	case SK_CHECKIN_WRONG_TEST:
		*title = N_("the ticket is for another test");
		break;
	case SK_CHECKIN_WRONG_ROOM:
		*title = N_("the seat is in another room");
		*advice = N_("send the candidate to their room");
		break;
	case SK_CHECKIN_UNPAID:
		*title = N_("the fee is not paid");
		*advice = N_("this sitting admits nobody with an unpaid fee: send the candidate to the fee desk");
		break;
	case SK_CHECKIN_PASSPORT:
		*title = N_("THE PASSPORT DOES NOT MATCH");
		*advice = N_("its last 4 characters are not those on record: do not admit; scan again to retry");
		break;
	case SK_CHECKIN_UNCONFIRMED:
		*title = N_("not admitted: the proctor did not confirm");
		break;
	case SK_CHECKIN_DECLINED:
		*title = N_("not admitted: the proctor declined");
		break;
	case SK_CHECKIN_ADMISSIBLE:
	default:
		*title = "";
		break;
	}
}

static void refusal_box(struct ctx *c, const struct sk_checkin_view *v, const struct sk_checkin_station *stn,
			const char *line)
{
	const char *title, *advice;
	char name[260], t[32], shown[SK_SHOWN_MAX], buf[300];
	refusal_words(v->verdict, &title, &advice);
	full_name(name, sizeof(name), v);
	add(c, "<section class=\"alert refused\" role=\"alert\"><h2>");
	esc(c, tr(c, N_("REFUSED")));
	add(c, " — ");
	esc(c, tr(c, title));
	add(c, "</h2><p>");
	switch (v->verdict) {
	case SK_CHECKIN_UNREADABLE:
	case SK_CHECKIN_CHECK_DIGIT:
	case SK_CHECKIN_FORGED:
		esc(c, sk_import_shown(shown, line));
		break;
	case SK_CHECKIN_ALREADY:
		when(t, v->prior_at);
		esc(c, v->exam_number);
		add(c, " ");
		esc(c, name);
		add(c, ": ");
		esc(c, tr(c, N_("checked in at")));
		add(c, " ");
		esc(c, t);
		add(c, ", ");
		esc(c, tr(c, N_("station")));
		add(c, " ");
		esc(c, v->prior_station);
		add(c, ", ");
		esc(c, tr(c, N_("by")));
		add(c, " ");
		esc(c, v->prior_proctor);
		break;
	case SK_CHECKIN_WRONG_SITTING:
		esc(c, v->exam_number);
		add(c, " ");
		esc(c, name);
		add(c, ": ");
		esc(c, v->sitting);
		add(c, " ");
		esc(c, v->exam_date);
		break;
	case SK_CHECKIN_WRONG_ROOM:
		esc(c, v->exam_number);
		add(c, " ");
		esc(c, name);
		add(c, ": ");
		snprintf(buf, sizeof(buf), tr(c, N_("room %s, seat %s (this is room %s)")), v->room, v->seat, stn->room);
		esc(c, buf);
		break;
	case SK_CHECKIN_UNPAID:
		esc(c, v->exam_number);
		add(c, " ");
		esc(c, name);
		add(c, ": ");
		esc(c, tr(c, N_("fee")));
		add(c, " ");
		esc(c, tr(c, fee_word(v->fee_status)));
		break;
	default:
		esc(c, v->exam_number);
		add(c, " ");
		esc(c, name);
		break;
	}
	add(c, "</p>");
	if (advice) {
		add(c, "<p>→ ");
		esc(c, tr(c, advice));
		add(c, "</p>");
	}
	add(c, "</section>");
}

static void detail_row(struct ctx *c, const char *label, const char *value)
{
	add(c, "<dt>");
	esc(c, tr(c, label));
	add(c, "</dt><dd>");
	esc(c, value);
	add(c, "</dd>");
}

/* The candidate as the terminal shows them, and the admit/refuse form. */
static void candidate_card(struct ctx *c, const struct sk_checkin_view *v, const char *line, const char *problem)
{
	char name[260], buf[512];
	full_name(name, sizeof(name), v);
	int ja = !strcmp(c->req->lang, "ja");
	struct sk_buf *b = &c->res->body;
	if (problem) {
		add(c, "<p class=\"alert notice\" role=\"alert\">");
		esc(c, problem);
		add(c, "</p>");
	}
	add(c, "<section class=\"box card\">");
	if (v->photo_id) {
		add(c, "<img alt=\"");
		esc(c, tr(c, N_("photo on record")));
		add(c, "\" src=\"");
		esc(c, c->st->base);
		sk_buf_addf(b, "/photo/%lld\">", (long long)v->photo_id);
	} else {
		add(c, "<div class=\"nophoto\">");
		esc(c, tr(c, N_("none on record: compare the passport with care")));
		add(c, "</div>");
	}
	add(c, "<dl><dd class=\"who\">");
	esc(c, v->exam_number);
	add(c, " ");
	esc(c, name);
	if (v->native_name[0]) {
		add(c, " (");
		esc(c, v->native_name);
		add(c, ")");
	}
	add(c, "</dd>");
	detail_row(c, N_("date of birth"), v->date_of_birth);
	const struct sk_country *country = sk_country_find(v->nationality);
	snprintf(buf, sizeof(buf), "%s %s", v->nationality, country ? (ja ? country->name_ja : country->name_en) : "");
	detail_row(c, N_("nationality"), buf);
	if (ja)
		snprintf(buf, sizeof(buf), "%s %s %d号", v->test, v->test_ja, v->level);
	else
		snprintf(buf, sizeof(buf), tr(c, N_("%s %s, level %d (%s %d号)")), v->test, v->test_en, v->level,
			 v->test_ja, v->level);
	detail_row(c, N_("test"), buf);
	snprintf(buf, sizeof(buf), tr(c, N_("room %s, seat %s")), v->room, v->seat);
	detail_row(c, N_("room and seat"), buf);
	detail_row(c, N_("fee"), tr(c, fee_word(v->fee_status)));
	add(c, "</dl></section>");

	add(c, "<form class=\"box\" method=\"post\" action=\"");
	href(c, "/admit");
	add(c, "\">");
	csrf_field(c, c->csrf);
	add(c, "<input type=\"hidden\" name=\"line\" value=\"");
	esc(c, line);
	add(c, "\">");
	if (!strcmp(v->source, "typed")) {
		add(c, "<p class=\"flag\">");
		esc(c, tr(c, N_("typed by hand, not scanned: check the passport with care")));
		add(c, "</p>");
	}
	if (v->flags & SK_CHECKIN_FEE_UNPAID) {
		add(c, "<p class=\"flag\">");
		esc(c, tr(c, N_("! fee unpaid: this sitting admits it; it is recorded")));
		add(c, "</p>");
	}
	if (v->flags & SK_CHECKIN_LATE) {
		add(c, "<label class=\"check flag\"><input type=\"checkbox\" name=\"late\" value=\"1\">");
		esc(c, tr(c, N_("LATE: after the cutoff. Admit anyway?")));
		add(c, "</label>");
	}
	if (v->flags & SK_CHECKIN_WAS_ABSENT) {
		char t[32];
		when(t, v->prior_at);
		add(c, "<label class=\"check flag\"><input type=\"checkbox\" name=\"absent\" value=\"1\">");
		snprintf(buf, sizeof(buf), tr(c, N_("marked absent at %s by %s (station %s). Admit anyway?")), t,
			 v->prior_proctor, v->prior_station);
		esc(c, buf);
		add(c, "</label>");
	}
	add(c, "<label for=\"last4\">");
	esc(c, tr(c, N_("Passport: its last 4 characters")));
	add(c, "</label><input type=\"text\" id=\"last4\" name=\"last4\" maxlength=\"16\" autocomplete=\"off\" "
	       "autocapitalize=\"characters\" spellcheck=\"false\">"
	       "<label class=\"check\"><input type=\"checkbox\" name=\"sight\" value=\"1\">");
	esc(c, tr(c, N_("or: passport checked by sight")));
	add(c, "</label><div class=\"actions\"><button class=\"go\" type=\"submit\">");
	esc(c, tr(c, N_("Admit")));
	add(c, "</button><button class=\"no\" type=\"submit\" formaction=\"");
	href(c, "/refuse");
	add(c, "\">");
	esc(c, tr(c, N_("Do not admit")));
	add(c, "</button></div></form>");
}

enum shown { SHOW_IDLE, SHOW_CANDIDATE, SHOW_REFUSED, SHOW_ADMITTED };

/* The station page: what happened, the scan field, the candidate, counts. */
static int station_view(struct ctx *c, const struct sk_checkin_station *stn, enum shown what,
			const struct sk_checkin_view *v, const char *line, const char *problem)
{
	page_start(c, N_("Check-in station"), what == SHOW_IDLE);
	header_bar(c, stn);
	if (what == SHOW_REFUSED)
		refusal_box(c, v, stn, line);
	if (what == SHOW_ADMITTED) {
		char name[260], buf[800];
		full_name(name, sizeof(name), v);
		add(c, "<section class=\"alert admitted\" role=\"status\"><h2>");
		esc(c, tr(c, N_("ADMITTED")));
		add(c, "</h2><p>");
		snprintf(buf, sizeof(buf), tr(c, N_("%s %s → room %s, seat %s")), v->exam_number, name, v->room, v->seat);
		esc(c, buf);
		add(c, " (");
		esc(c, tr(c, !strcmp(v->identity, "passport") ? N_("passport: last 4 characters match")
							       : N_("passport checked by sight")));
		add(c, ")");
		if (v->flags & SK_CHECKIN_LATE)
			esc(c, tr(c, N_(", late")));
		if (v->flags & SK_CHECKIN_FEE_UNPAID)
			esc(c, tr(c, N_(", fee unpaid")));
		add(c, "</p></section>");
	}
	scan_form(c);
	if (what == SHOW_CANDIDATE)
		candidate_card(c, v, line, problem);
	int rc = counts_box(c, stn);
	page_end(c);
	return rc;
}

static const char *line_of(struct ctx *c)
{
	const char *line = web_form_get(&c->form, "line");
	return line && *line && strlen(line) <= SK_CHECKIN_LINE_MAX ? line : NULL;
}

static int do_scan(struct ctx *c, const struct sk_checkin_station *stn)
{
	const char *line = line_of(c);
	if (!line)
		return station_view(c, stn, SHOW_IDLE, NULL, NULL, NULL);
	struct sk_checkin_view v;
	int rc = sk_checkin_lookup(&v, c->db, stn, line);
	if (rc)
		return rc;
	if (v.verdict == SK_CHECKIN_ADMISSIBLE)
		return station_view(c, stn, SHOW_CANDIDATE, &v, line, NULL);
	/* As at the terminal: a refusal shown is kept. */
	if ((rc = sk_checkin_refuse(c->db, stn, &v, v.verdict)))
		return rc;
	return station_view(c, stn, SHOW_REFUSED, &v, line, NULL);
}

static int do_admit(struct ctx *c, const struct sk_checkin_station *stn)
{
	const char *line = line_of(c);
	if (!line)
		return station_view(c, stn, SHOW_IDLE, NULL, NULL, NULL);
	struct sk_checkin_admission a = { 0 };
	const char *last4 = web_form_get(&c->form, "last4");
	char norm[5];
	if (web_form_get(&c->form, "sight")) {
		a.identity = SK_CHECKIN_BY_SIGHT;
	} else if (last4 && !sk_checkin_last4_normalise(norm, last4)) {
		a.identity = SK_CHECKIN_BY_PASSPORT;
		a.passport_last4 = last4;
		sodium_memzero(norm, sizeof(norm));
	}
	if (web_form_get(&c->form, "late"))
		a.confirmed |= SK_CHECKIN_LATE;
	if (web_form_get(&c->form, "absent"))
		a.confirmed |= SK_CHECKIN_WAS_ABSENT;
	struct sk_checkin_view v;
	int rc;
	if (!a.identity) {
		/* Nothing written: show the candidate again and say what is missing. */
		if ((rc = sk_checkin_lookup(&v, c->db, stn, line)))
			return rc;
		if (v.verdict != SK_CHECKIN_ADMISSIBLE)
			return station_view(c, stn, SHOW_REFUSED, &v, line, NULL);
		return station_view(c, stn, SHOW_CANDIDATE, &v, line,
				    tr(c, N_("Type the passport's last 4 letters or digits, or tick "
					     "\"checked by sight\".")));
	}
	if ((rc = sk_checkin_admit(&v, c->db, stn, line, &a)))
		return rc;
	if (v.admitted)
		return station_view(c, stn, SHOW_ADMITTED, &v, line, NULL);
	if (v.verdict == SK_CHECKIN_UNCONFIRMED) {
		struct sk_checkin_view now;
		if ((rc = sk_checkin_lookup(&now, c->db, stn, line)))
			return rc;
		if (now.verdict == SK_CHECKIN_ADMISSIBLE)
			return station_view(c, stn, SHOW_CANDIDATE, &now, line,
					    tr(c, N_("Confirm the marked points to admit, or do not admit.")));
		v = now;
	}
	/* admit kept the refusal itself. */
	return station_view(c, stn, SHOW_REFUSED, &v, line, NULL);
}

static int do_refuse(struct ctx *c, const struct sk_checkin_station *stn)
{
	const char *line = line_of(c);
	if (!line)
		return station_view(c, stn, SHOW_IDLE, NULL, NULL, NULL);
	struct sk_checkin_view v;
	int rc = sk_checkin_lookup(&v, c->db, stn, line);
	if (rc)
		return rc;
	if (v.verdict == SK_CHECKIN_ADMISSIBLE) {
		v.verdict = SK_CHECKIN_DECLINED;
		if ((rc = sk_checkin_refuse(c->db, stn, &v, SK_CHECKIN_DECLINED)))
			return rc;
	}
	/* Otherwise the refusal was kept when the line was scanned. */
	return station_view(c, stn, SHOW_REFUSED, &v, line, NULL);
}

static int photo(struct ctx *c, const char *id_text)
{
	char *end = NULL;
	long long id = strtoll(id_text, &end, 10);
	if (!*id_text || *end || id <= 0)
		return plain(c, 404, N_("No such photo."));
	unsigned char *data = NULL;
	size_t len = 0;
	const char *media = NULL;
	int rc = sk_photo_load(c->db, id, &data, &len, &media);
	if (rc == SK_ENOTFOUND) {
		sk_db_clear_error(c->db);
		return plain(c, 404, N_("No such photo."));
	}
	if (rc)
		return rc;
	sk_buf_add(&c->res->body, data, len);
	free(data);
	c->res->content_type = media;
	c->res->cache = "no-store";
	return sk_buf_failed(&c->res->body) ? SK_ENOMEM : 0;
}

/* ---- the routes ---- */

static int handle(struct checkin_state *st, struct web_request *req, struct web_response *res)
{
	struct ctx c = { .st = st, .req = req, .res = res };
	int post = !strcmp(req->method, "POST");
	const char *sub = req->path + strlen("/checkin"); /* "", "/", "/scan", "/photo/7" */
	if (!(c.db = web_db_write(req)))
		return SK_EDB;
	int rc = 0;
	if (post) {
		size_t len = 0;
		const char *body = web_body(req, &len);
		int f = web_form_parse(&c.form, body, len);
		if (f == -2)
			return SK_ENOMEM;
		if (f) {
			plain(&c, 400, N_("The form could not be read."));
			goto done;
		}
	}
	if (post && !strcmp(sub, "/login")) {
		rc = do_login(&c);
		goto done;
	}
	c.token = web_cookie(req, SESSION_COOKIE);
	rc = c.token ? sk_staff_session_get(&c.sess, c.db, c.token) : SK_ENOTFOUND;
	if (rc == SK_ENOTFOUND) {
		/* Anonymous: the sign-in page, or a way to it. Never data. */
		rc = !post && (!*sub || !strcmp(sub, "/")) ? login_page(&c, 200, NULL) : redirect_home(&c);
		goto done;
	}
	if (rc)
		goto done;
	sk_db_set_actor(c.db, c.sess.name);
	if ((rc = sk_staff_csrf(c.csrf, c.token)))
		goto done;
	if (post && !sk_staff_csrf_check(c.token, web_form_get(&c.form, "csrf"))) {
		rc = plain(&c, 403, N_("The form has expired or did not come from this page: reload it and try again."));
		goto done;
	}
	if (post && !strcmp(sub, "/logout")) {
		rc = do_logout(&c);
		goto done;
	}
	if (c.sess.role != SK_STAFF_ADMIN && c.sess.role != SK_STAFF_PROCTOR) {
		rc = plain(&c, 403, N_("Your account may not check candidates in."));
		goto done;
	}
	if (!post && !strncmp(sub, "/photo/", 7)) {
		rc = photo(&c, sub + 7);
		goto done;
	}
	if (post && !strcmp(sub, "/station")) {
		rc = do_station(&c);
		goto done;
	}
	struct sk_checkin_station stn;
	int none = station_of(&c, &stn);
	if (none < 0) {
		rc = none;
		goto done;
	}
	if (!post && (!*sub || !strcmp(sub, "/")))
		rc = none ? station_page(&c, NULL, NULL, NULL, NULL) : station_view(&c, &stn, SHOW_IDLE, NULL, NULL, NULL);
	else if (!post)
		rc = plain(&c, 404, N_("Not found."));
	else if (none)
		rc = redirect_home(&c);
	else if (!strcmp(sub, "/scan"))
		rc = do_scan(&c, &stn);
	else if (!strcmp(sub, "/admit"))
		rc = do_admit(&c, &stn);
	else if (!strcmp(sub, "/refuse"))
		rc = do_refuse(&c, &stn);
	else
		rc = plain(&c, 404, N_("Not found."));
done:
	web_form_release(&c.form);
	sodium_memzero(c.csrf, sizeof(c.csrf));
	return rc;
}

static int checkin_route(void *state, struct web_request *req, struct web_response *res)
{
	return handle(state, req, res);
}

static const struct web_route checkin_routes[] = {
	{ "/checkin", 0, WEB_GET, checkin_route },
	{ "/checkin/", WEB_PREFIX, WEB_GET | WEB_POST, checkin_route },
	{ NULL, 0, 0, NULL },
};

const struct web_module web_checkin = { "checkin", checkin_routes, checkin_start, checkin_stop };
