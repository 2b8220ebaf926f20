/*
 * The certificate routes of shiken serve (a web.h route module):
 *
 *   GET /                       what to do (scan the QR code)
 *   GET /c/TOKEN                the page a phone opens from a certificate's
 *                               QR code: VALID, REVOKED or NOT VALID, why,
 *                               and the details to compare with the passport
 *   GET /api/v1/verify?token=T  the same verdict as JSON
 *   GET /.well-known/jwks.json  the public keys (active and retired)
 *
 * The keys and the issuer are read once at start from the key file and the
 * registry; revocation is looked up in the registry on every request.
 * Verdicts for garbage are answers too: 200 with NOT VALID (malformed),
 * never an error status. Tokens whose signature verified are remembered
 * (web_cache.h), so a certificate checked again costs a database lookup,
 * not an Ed25519 verification.
 *
 * The page is one self-contained HTML document: no script, no external
 * resource, one inline style sheet allowed by its hash in the
 * Content-Security-Policy, inline SVG icons. Everything from a token is
 * HTML-escaped, though its signature was checked.
 */
#include "cli/cli.h"
#include "cli/web.h"
#include "cli/web_cache.h"
#include "core/date.h"
#include "core/db.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/jws.h"
#include "core/keys.h"
#include "exam/certificate.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Mobile first: one column, big type, readable at arm's length; Japanese
 * text in a Japanese font of the phone's own (no web fonts: nothing loads
 * from elsewhere). */
static const char page_css[] =
	":root{color-scheme:light}"
	"*{box-sizing:border-box}"
	"html{-webkit-text-size-adjust:100%;text-size-adjust:100%}"
	"body{margin:0;background:#f3f3f1;color:#1b1b1b;font-size:18px;line-height:1.5;"
	"font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,"
	"\"Hiragino Sans\",\"Hiragino Kaku Gothic ProN\",\"Noto Sans JP\",\"Noto Sans CJK JP\","
	"\"Yu Gothic UI\",Meiryo,\"IPAexGothic\",sans-serif}"
	":lang(ja){font-family:\"Hiragino Sans\",\"Hiragino Kaku Gothic ProN\",\"Noto Sans JP\","
	"\"Noto Sans CJK JP\",\"Yu Gothic UI\",\"Yu Gothic\",Meiryo,\"IPAexGothic\",system-ui,sans-serif;"
	"line-break:strict;word-break:auto-phrase}"
	"main{max-width:36rem;margin:0 auto;padding-bottom:1.5rem}"
	".verdict{color:#fff;padding:1.25rem 1rem 1.25rem;text-align:center}"
	".v-valid .verdict{background:#0b6b2f}"
	".v-revoked .verdict{background:#8f3a0c}"
	".v-invalid .verdict{background:#a4001d}"
	".v-home .verdict{background:#1f3a5f}"
	".v-home h1{font-size:2rem;text-transform:none}"
	".verdict svg{display:block;margin:0 auto .5rem;width:4.5rem;height:4.5rem}"
	"h1{margin:0;font-size:2.9rem;line-height:1.1;font-weight:800;letter-spacing:.03em;text-transform:uppercase}"
	".reason{margin:.6rem auto 0;max-width:30rem;font-size:1.15rem}"
	".note{margin:1rem;padding:.8rem 1rem;border-left:.4rem solid;font-weight:700;font-size:1.1rem}"
	".compare{background:#fff6cc;border-color:#b88a00}"
	".stop{background:#ffe4e4;border-color:#a4001d}"
	"dl{margin:1rem;padding:.2rem 1rem;background:#fff;border-radius:.5rem}"
	"dl div{padding:.55rem 0;border-bottom:1px solid #e1e1e1}"
	"dl div:last-child{border-bottom:0}"
	"dt{font-size:.9rem;color:#4a4a4a}"
	"dd{margin:0;font-size:1.3rem;font-weight:700;overflow-wrap:anywhere}"
	/* Passport names are Latin, often Vietnamese (NGUYỄN): a Latin font
	 * first even on a Japanese page, whose fonts lack those letters. */
	"dd.id{font-size:1.6rem;letter-spacing:.02em;font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,"
	"\"Noto Sans\",\"Helvetica Neue\",Arial,\"DejaVu Sans\",sans-serif}"
	"dd small{display:block;font-size:1rem;font-weight:400;color:#3a3a3a}"
	".tech{margin:1rem;font-size:.9rem;color:#4a4a4a;overflow-wrap:anywhere}"
	"nav{margin:1.25rem 1rem;text-align:center}"
	"nav a{display:inline-block;min-width:7rem;margin:.25rem;padding:.6rem 1rem;border:1px solid #777;"
	"border-radius:.4rem;background:#fff;color:#1b1b1b;text-decoration:none}"
	"nav a[aria-current]{background:#1b1b1b;color:#fff;border-color:#1b1b1b}"
	"footer{margin:1rem;font-size:.85rem;color:#4a4a4a;text-align:center;overflow-wrap:anywhere}";

/* Inline SVG (not an image request): a tick, an exclamation mark, a cross. */
static const char icon_valid[] =
	"<svg viewBox=\"0 0 48 48\" aria-hidden=\"true\"><circle cx=\"24\" cy=\"24\" r=\"23\" fill=\"#fff\"/>"
	"<path d=\"M13 25l7 7 15-16\" fill=\"none\" stroke=\"#0b6b2f\" stroke-width=\"5\" "
	"stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>";
static const char icon_revoked[] =
	"<svg viewBox=\"0 0 48 48\" aria-hidden=\"true\"><circle cx=\"24\" cy=\"24\" r=\"23\" fill=\"#fff\"/>"
	"<path d=\"M24 11v16\" stroke=\"#8f3a0c\" stroke-width=\"5\" stroke-linecap=\"round\"/>"
	"<circle cx=\"24\" cy=\"35\" r=\"3.2\" fill=\"#8f3a0c\"/></svg>";
static const char icon_invalid[] =
	"<svg viewBox=\"0 0 48 48\" aria-hidden=\"true\"><circle cx=\"24\" cy=\"24\" r=\"23\" fill=\"#fff\"/>"
	"<path d=\"M15 15l18 18M33 15L15 33\" stroke=\"#a4001d\" stroke-width=\"5\" "
	"stroke-linecap=\"round\"/></svg>";

/* Languages by their own names, for the switch at the bottom. */
static const struct {
	const char *code, *name;
} autonyms[] = {
	{ "en", "English" }, { "ja", "日本語" }, { "vi", "Tiếng Việt" }, { "id", "Bahasa Indonesia" },
	{ "tl", "Filipino" }, { "my", "မြန်မာ" },  { "ne", "नेपाली" },        { "km", "ខ្មែរ" },
	{ "th", "ไทย" },      { "mn", "Монгол" }, { "uz", "Oʻzbek" },       { "zh", "中文" },
};

struct cert_state {
	struct sk_keyring ring;
	char *issuer;
	char *jwks;     /* the JWK Set, serialised once */
	char csp[256];  /* the page's policy, with its style sheet's hash */
	struct web_cache cache;
};

/* The one setting a module reads from the command line: how many verified
 * tokens to remember (cmd_serve.c sets it before the server starts). */
size_t web_cert_cache_entries = 10000;

static int cert_start(void **out, struct web_server *srv, struct sk_db *db)
{
	(void)srv;
	*out = NULL;
	struct cert_state *st = calloc(1, sizeof(*st));
	if (!st)
		return sk_db_fail(db, SK_ENOMEM, "out of memory");
	int rc = sk_keys_keyring(db, &st->ring);
	if (rc)
		goto fail;
	if (!st->ring.count) {
		rc = sk_db_fail(db, SK_ENOTFOUND, N_("no certificate signing keys: run 'shiken keys generate'"));
		goto fail;
	}
	if (!(st->issuer = sk_cert_issuer(db))) {
		rc = db->err ? db->err : SK_ENOTFOUND;
		goto fail;
	}
	json_t *jwks = sk_jwks_from_keyring(&st->ring);
	st->jwks = jwks ? json_dumps(jwks, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(jwks);
	if (!st->jwks) {
		rc = sk_db_fail(db, SK_ENOMEM, "out of memory");
		goto fail;
	}
	unsigned char hash[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	crypto_hash_sha256(hash, (const unsigned char *)page_css, sizeof(page_css) - 1);
	sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash), sodium_base64_VARIANT_ORIGINAL);
	snprintf(st->csp, sizeof(st->csp),
		 "default-src 'none'; style-src 'sha256-%s'; frame-ancestors 'none'; base-uri 'none'; "
		 "form-action 'none'",
		 b64);
	if ((rc = web_cache_init(&st->cache, web_cert_cache_entries))) {
		sk_db_fail(db, rc, "cannot set up the certificate cache: %s", sk_strerror(rc));
		goto fail;
	}
	*out = st;
	return 0;
fail:
	sk_keyring_release(&st->ring);
	free(st->issuer);
	free(st->jwks);
	free(st);
	return rc;
}

static void cert_stop(void *state)
{
	struct cert_state *st = state;
	if (!st)
		return;
	web_cache_release(&st->cache);
	sk_keyring_release(&st->ring);
	free(st->issuer);
	free(st->jwks);
	free(st);
}

/* Verify a token against the keys, the issuer and the registry, through
 * the cache. 0 (chk filled), or an error from the database. */
static int check(struct cert_state *st, struct web_request *req, const char *token, size_t len,
		 struct sk_cert_check *chk)
{
	memset(chk, 0, sizeof(*chk));
	struct sk_db *db = web_db(req);
	if (!db)
		return SK_EDB;
	struct sk_cert_verify_opts opts = { .keys = &st->ring, .issuer = st->issuer, .revocations = NULL, .db = db };
	char *text = NULL;
	if (len <= SK_JWS_MAX_TOKEN && web_cache_get(&st->cache, token, len, chk->kid, &text)) {
		json_t *payload = json_loads(text, 0, NULL);
		free(text);
		if (payload)
			return sk_cert_verify_payload(chk, payload, &opts);
		memset(chk, 0, sizeof(*chk)); /* out of memory: check it the long way */
	}
	int rc = sk_cert_verify(chk, token, len, &opts);
	if (!rc && chk->payload && (text = json_dumps(chk->payload, JSON_COMPACT | JSON_PRESERVE_ORDER))) {
		web_cache_put(&st->cache, token, len, chk->kid, text);
		free(text);
	}
	return rc;
}

/* ---- the page ---- */

/* "1995-04-01" also as passports print it: "01 APR 1995" (ICAO 9303). */
static void passport_date(struct sk_buf *b, const char *iso)
{
	static const char months[12][4] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
					    "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
	struct sk_date d;
	web_html_escape(b, iso);
	if (sk_date_parse(&d, iso) == 0)
		sk_buf_addf(b, "<small>%02d %s %04d</small>", d.day, months[d.month - 1], d.year);
}

static void row_start(struct sk_buf *b, const struct web_request *req, const char *label, const char *cls)
{
	sk_buf_adds(b, "<div><dt>");
	web_html_escape(b, web_tr(req, label));
	sk_buf_adds(b, cls ? "</dt><dd class=\"" : "</dt><dd>");
	if (cls) {
		sk_buf_adds(b, cls);
		sk_buf_adds(b, "\">");
	}
}

static void row(struct sk_buf *b, const struct web_request *req, const char *label, const char *value,
		const char *cls)
{
	row_start(b, req, label, cls);
	web_html_escape(b, value);
	sk_buf_adds(b, "</dd></div>");
}

static void page_details(struct sk_buf *b, const struct web_request *req, const struct sk_cert_check *chk)
{
	const struct sk_cert_claims *c = &chk->claims;
	int ja = !strcmp(req->lang, "ja");
	char t[21];
	sk_buf_adds(b, "<dl>");
	row(b, req, N_("Certificate number"), c->number, "id");
	row(b, req, N_("Surname"), c->family_name, "id");
	row(b, req, N_("Given names"), *c->given_name ? c->given_name : "—", "id");
	row_start(b, req, N_("Date of birth"), "id");
	passport_date(b, c->birthdate);
	sk_buf_adds(b, "</dd></div>");
	row_start(b, req, N_("Test"), NULL);
	/* The category in the page's language; the official Japanese name
	 * too on pages in other languages. */
	if (!ja) {
		web_html_escape(b, c->category_en);
		sk_buf_adds(b, " <span lang=\"ja\">");
	}
	web_html_escape(b, c->category_ja);
	if (!ja)
		sk_buf_adds(b, "</span>");
	sk_buf_adds(b, "<small>");
	sk_buf_addf(b, web_tr(req, N_("Level %d")), c->level);
	sk_buf_adds(b, " · ");
	web_html_escape(b, c->test_code);
	sk_buf_adds(b, "</small></dd></div>");
	row(b, req, N_("Date of the test"), c->sitting_date, NULL);
	sk_time_format(t, (long long)c->issued_at);
	t[10] = '\0';
	row(b, req, N_("Date of issue"), t, NULL);
	if (chk->verdict == SK_VERDICT_REVOKED && chk->revoked_at > 0) {
		sk_time_format(t, (long long)chk->revoked_at);
		t[10] = '\0';
		row(b, req, N_("Revoked on"), t, NULL);
	}
	row(b, req, N_("Issuer"), c->issuer, NULL);
	sk_buf_adds(b, "</dl>");
}

/* The document up to <main>: language, title, the style sheet. */
static void page_start(struct sk_buf *b, const struct web_request *req, const char *title, const char *cls)
{
	sk_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"");
	web_html_escape(b, req->lang);
	sk_buf_adds(b, "\"><head><meta charset=\"utf-8\">"
		       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		       "<meta name=\"robots\" content=\"noindex, nofollow\"><title>");
	if (title) {
		web_html_escape(b, web_tr(req, title));
		sk_buf_adds(b, " — ");
	}
	web_html_escape(b, web_tr(req, N_("Certificate check")));
	sk_buf_adds(b, "</title><style>");
	sk_buf_adds(b, page_css);
	sk_buf_adds(b, "</style></head>\n<body><main class=\"");
	sk_buf_adds(b, cls);
	sk_buf_adds(b, "\">");
}

/* The language links, the time of the check (when there was one), the end
 * of the document. */
static void page_end(struct sk_buf *b, const struct web_request *req, int checked)
{
	sk_buf_adds(b, "\n<nav>");
	for (const char *const *l = sk_i18n_languages(); *l; l++) {
		const char *name = *l;
		for (size_t i = 0; i < sizeof(autonyms) / sizeof(autonyms[0]); i++)
			if (!strcmp(autonyms[i].code, *l))
				name = autonyms[i].name;
		sk_buf_adds(b, "<a href=\"?lang=");
		web_html_escape(b, *l);
		sk_buf_adds(b, "\" hreflang=\"");
		web_html_escape(b, *l);
		sk_buf_adds(b, "\" lang=\"");
		web_html_escape(b, *l);
		sk_buf_adds(b, strcmp(*l, req->lang) ? "\">" : "\" aria-current=\"page\">");
		web_html_escape(b, name);
		sk_buf_adds(b, "</a>");
	}
	char t[21];
	sk_time_format(t, (long long)req->now);
	t[10] = ' ';
	t[16] = '\0';
	sk_buf_adds(b, "</nav>\n");
	if (checked) {
		sk_buf_adds(b, "<footer>");
		web_html_escape(b, web_tr(req, N_("Checked at")));
		sk_buf_adds(b, " ");
		web_html_escape(b, t);
		sk_buf_adds(b, " UTC</footer>");
	}
	sk_buf_adds(b, "</main></body></html>\n");
}

static void page(struct sk_buf *b, const struct web_request *req, const struct sk_cert_check *chk)
{
	enum sk_verdict v = chk->verdict;
	const char *cls = v == SK_VERDICT_VALID ? "v-valid" : v == SK_VERDICT_REVOKED ? "v-revoked" : "v-invalid";
	/* Capitals come from the style sheet (h1): "REVOKED" is already a
	 * column heading with another meaning in Japanese. */
	const char *word = v == SK_VERDICT_VALID ? N_("Valid") : v == SK_VERDICT_REVOKED ? N_("Revoked") : N_("Not valid");
	const char *icon = v == SK_VERDICT_VALID ? icon_valid : v == SK_VERDICT_REVOKED ? icon_revoked : icon_invalid;

	page_start(b, req, word, cls);
	sk_buf_adds(b, "<section class=\"verdict\">");
	sk_buf_adds(b, icon);
	sk_buf_adds(b, "<h1>");
	web_html_escape(b, web_tr(req, word));
	sk_buf_adds(b, "</h1><p class=\"reason\">");
	web_html_escape(b, web_tr(req, sk_verdict_sentence(v)));
	sk_buf_adds(b, "</p></section>\n");

	if (v == SK_VERDICT_VALID) {
		sk_buf_adds(b, "<p class=\"note compare\">");
		web_html_escape(b, web_tr(req, N_("Compare the surname, given names and date of birth with the "
						  "holder's passport.")));
		sk_buf_adds(b, "</p>");
	} else {
		sk_buf_adds(b, "<p class=\"note stop\">");
		web_html_escape(b, web_tr(req, v == SK_VERDICT_REVOKED
						       ? N_("Do not accept this certificate: it no longer proves "
							    "a pass.")
						       : N_("Do not accept this certificate. Scan the QR code on "
							    "the original once more; if it says the same, ask the "
							    "issuer.")));
		sk_buf_adds(b, "</p>");
	}
	/* Details only of a certificate this registry signed (valid or revoked):
	 * the claims of a token that failed are nothing to read. */
	if (chk->payload && (v == SK_VERDICT_VALID || v == SK_VERDICT_REVOKED))
		page_details(b, req, chk);
	if (chk->detail && v != SK_VERDICT_VALID) {
		sk_buf_adds(b, "<p class=\"tech\">");
		web_html_escape(b, web_tr(req, N_("Technical detail")));
		sk_buf_adds(b, ": ");
		web_html_escape(b, web_tr(req, chk->detail));
		sk_buf_adds(b, " (");
		sk_buf_adds(b, sk_verdict_code(v));
		sk_buf_adds(b, ")</p>");
	}
	page_end(b, req, 1);
}

static int html_reply(struct cert_state *st, struct web_response *res)
{
	res->content_type = "text/html; charset=utf-8";
	res->csp = st->csp;
	res->cache = "no-store";
	if (web_response_header(res, "Vary", "Accept-Language") ||
	    web_response_header(res, "X-Robots-Tag", "noindex, nofollow"))
		return SK_ENOMEM;
	return sk_buf_failed(&res->body) ? SK_ENOMEM : 0;
}

/* GET /: what somebody who typed the address finds. */
static int cert_home(void *state, struct web_request *req, struct web_response *res)
{
	struct sk_buf *b = &res->body;
	page_start(b, req, NULL, "v-home");
	sk_buf_adds(b, "<section class=\"verdict\"><h1>");
	web_html_escape(b, web_tr(req, N_("Certificate check")));
	sk_buf_adds(b, "</h1></section>\n<p class=\"note compare\">");
	web_html_escape(b, web_tr(req, N_("To check a pass certificate, scan the QR code printed on it with "
					  "the camera of your phone.")));
	sk_buf_adds(b, "</p>");
	page_end(b, req, 0);
	return html_reply(state, res);
}

static int cert_page(void *state, struct web_request *req, struct web_response *res)
{
	struct cert_state *st = state;
	const char *token = req->path + strlen("/c/");
	struct sk_cert_check chk;
	int rc = check(st, req, token, strlen(token), &chk);
	if (rc) {
		sk_cert_check_release(&chk);
		return rc;
	}
	page(&res->body, req, &chk);
	sk_cert_check_release(&chk);
	return html_reply(st, res);
}

/* ---- the JSON API ---- */

static int json_reply(struct web_response *res, unsigned status, json_t *o)
{
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text)
		return SK_ENOMEM;
	sk_buf_adds(&res->body, text);
	sk_buf_addch(&res->body, '\n');
	free(text);
	res->status = status;
	res->content_type = "application/json";
	if (web_response_header(res, "Access-Control-Allow-Origin", "*"))
		return SK_ENOMEM;
	return sk_buf_failed(&res->body) ? SK_ENOMEM : 0;
}

static int cert_api_verify(void *state, struct web_request *req, struct web_response *res)
{
	struct cert_state *st = state;
	const char *input = web_query(req, "token");
	if (!input || !*input) {
		res->cache = "no-store";
		return json_reply(res, 400, json_pack("{s:s}", "error", "give the token: /api/v1/verify?token=TOKEN"));
	}
	/* The token, or the whole URL a QR code holds. */
	const char *token;
	size_t len;
	sk_cert_token_from_text(input, strlen(input), &token, &len);
	struct sk_cert_check chk;
	int rc = check(st, req, token, len, &chk);
	if (rc) {
		sk_cert_check_release(&chk);
		return rc;
	}
	json_t *o = json_object();
	enum sk_verdict v = chk.verdict;
	/* Every member or none: a verdict missing a part is not sent. */
	int failed = json_object_set_new(o, "verdict", json_string(sk_verdict_code(v))) |
		     json_object_set_new(o, "reason", json_string(web_tr(req, sk_verdict_sentence(v)))) |
		     json_object_set_new(o, "detail", chk.detail ? json_string(web_tr(req, chk.detail)) : json_null()) |
		     json_object_set_new(o, "kid", *chk.kid ? json_string(chk.kid) : json_null());
	if (chk.payload)
		failed |= json_object_set(o, "certificate", chk.payload);
	if (chk.revoked_at > 0) {
		char t[21];
		failed |= json_object_set_new(o, "revoked_at", json_string(sk_time_format(t, (long long)chk.revoked_at)));
	}
	sk_cert_check_release(&chk);
	if (failed) {
		json_decref(o);
		return SK_ENOMEM;
	}
	res->cache = "no-store";
	return json_reply(res, 200, o);
}

static int cert_jwks(void *state, struct web_request *req, struct web_response *res)
{
	(void)req;
	struct cert_state *st = state;
	sk_buf_adds(&res->body, st->jwks);
	sk_buf_addch(&res->body, '\n');
	res->content_type = "application/jwk-set+json";
	res->cache = "public, max-age=300";
	if (web_response_header(res, "Access-Control-Allow-Origin", "*"))
		return SK_ENOMEM;
	return sk_buf_failed(&res->body) ? SK_ENOMEM : 0;
}

static const struct web_route cert_routes[] = {
	{ "/", 0, WEB_GET, cert_home },
	{ "/c/", WEB_PREFIX, WEB_GET, cert_page },
	{ "/api/v1/verify", WEB_API, WEB_GET, cert_api_verify },
	{ "/.well-known/jwks.json", WEB_API, WEB_GET, cert_jwks },
	{ NULL, 0, 0, NULL },
};

const struct web_module web_cert = { "cert", cert_routes, cert_start, cert_stop };
