/*
 * The web service's core (shiken serve): an HTTP server on libmicrohttpd
 * that routes requests to route modules, and everything a module should not
 * have to think about: security headers, methods, unknown paths, long URLs,
 * the per-client rate limit, the language of the request, a read-only
 * database handle per request, the access log, and a graceful stop.
 *
 * A route module (web_cert.c: the certificate page, its JSON API and the
 * public keys) is a table of routes plus start/stop hooks:
 *
 *   static const struct web_route routes[] = {
 *       { "/checkin/", WEB_PREFIX, WEB_GET, checkin_page },
 *       { NULL, 0, 0, NULL },
 *   };
 *   const struct web_module web_checkin = { "checkin", routes, checkin_start, checkin_stop };
 *
 * and one line in cmd_serve.c's module list. start() runs once before the
 * server listens, with the command's database handle (read-write, key file
 * loaded): load what every request needs there. Handlers run on the
 * server's worker threads, many at once: what start() made must be
 * read-only or locked. A handler fills the response and returns 0, or
 * returns a negative SK_E* code (503 for database trouble, 500 otherwise;
 * the detail goes to standard error, never to the client).
 *
 * Paths are matched after the mount prefix (the path of --base-url) is
 * taken off, so modules never see it. Every response gets
 * X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer,
 * X-Frame-Options: DENY, a Content-Security-Policy (WEB_CSP_NONE unless the
 * handler sets its own) and Cache-Control (no-store unless the handler says
 * otherwise).
 *
 * Request bodies: a route that takes WEB_POST gets its body, collected
 * before the handler is called (web_body()). A POST must say its
 * Content-Length (411 otherwise) of at most WEB_BODY_MAX bytes (413
 * otherwise, answered before the body is read). Other routes read no body.
 */
#ifndef SK_WEB_H
#define SK_WEB_H

#include "cli/web_text.h"
#include "core/buf.h"

#include <stdint.h>

struct sk_db;
struct web_server;
struct web_request;

/* A CSP that allows nothing: JSON, plain text, anything without a page. */
#define WEB_CSP_NONE "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

/* Methods a route takes (HEAD goes with GET). */
enum web_method { WEB_GET = 1 << 0, WEB_POST = 1 << 1 };

/* The largest request body taken (a POST's form), in bytes. */
#define WEB_BODY_MAX 8192

enum web_route_flags {
	WEB_PREFIX = 1 << 0,   /* path is a prefix ("/c/"), else the whole path */
	WEB_API = 1 << 1,      /* errors as JSON {"error": ...}, else plain text */
	WEB_NO_LIMIT = 1 << 2, /* not rate limited (health checks) */
};

struct web_response {
	unsigned status;          /* 200 unless set */
	const char *content_type; /* static string; default text/plain; charset=utf-8 */
	const char *cache;        /* Cache-Control, static; default no-store */
	const char *csp;          /* Content-Security-Policy, borrowed for the request; default WEB_CSP_NONE */
	struct sk_buf body;
	unsigned nheaders;
	struct {
		const char *name; /* static */
		char *value;      /* owned */
	} headers[8];
};

/* Add a header to the response (value copied). Beyond eight, or out of
 * memory, it is dropped and SK_ENOMEM returned. */
int web_response_header(struct web_response *res, const char *name, const char *value);

struct web_route {
	const char *path;
	unsigned flags;   /* enum web_route_flags */
	unsigned methods; /* enum web_method */
	int (*handle)(void *state, struct web_request *req, struct web_response *res);
};

struct web_module {
	const char *name;
	const struct web_route *routes; /* ended by a route with path NULL */
	/* Set *state up from the command's database handle. 0, or an SK_E* code
	 * with the detail recorded on db. May be NULL. */
	int (*start)(void **state, struct web_server *srv, struct sk_db *db);
	/* Free the state after the last request. May be NULL. */
	void (*stop)(void *state);
};

/* What a handler may ask of its request. Strings are valid until the
 * handler returns. */
struct web_request {
	const char *method; /* "GET", "HEAD" */
	const char *path;   /* decoded, below the mount prefix: "/c/eyJ..." */
	const char *lang;   /* the chosen language ("en", "ja"): ?lang=, Accept-Language */
	const char *client; /* the client's address, as text */
	int64_t now;        /* the time of the request, seconds since the epoch */
	struct web_server *server;
	void *impl_;        /* web.c's */
};

/* A decoded query parameter, or NULL. */
const char *web_query(struct web_request *req, const char *name);
/* A request header, or NULL. */
const char *web_header(struct web_request *req, const char *name);
/* msgid translated into the request's language. */
const char *web_tr(const struct web_request *req, const char *msgid);
/* A read-only database handle for this request (the same one each call),
 * given back when the handler returns; NULL (with the reason on standard
 * error) when none can be opened. */
struct sk_db *web_db(struct web_request *req);

/* ---- for modules with forms and writes ---- */

/* The request's body (a WEB_POST route's), NUL-terminated, *len its length
 * (it may hold NUL bytes); "" for requests without one. */
const char *web_body(struct web_request *req, size_t *len);
/* A cookie of the request (libmicrohttpd parses the Cookie header), or
 * NULL. */
const char *web_cookie(struct web_request *req, const char *name);
/* A read-write database handle for this request with the key file loaded
 * (web_config.key_path), the server's clock and the command "serve",
 * opened for the request (the same one each call) and closed when the
 * handler returns; the handler sets the audit actor. NULL (with the reason
 * on standard error) when it cannot be opened. Writes queue for SQLite's
 * write lock (sk_db_begin). */
struct sk_db *web_db_write(struct web_request *req);
/* The server's base URL (--base-url, without a trailing slash). */
const char *web_base_url(const struct web_server *srv);

struct web_config {
	int listen_fd;            /* a bound, listening socket; the server closes it */
	const char *base_url;     /* https://verify.example.jp or .../prefix */
	const char *db_path;      /* opened read-only by the workers */
	unsigned threads;         /* 0: a thread per connection; N: a pool of N event loops */
	unsigned max_connections; /* in all */
	unsigned max_per_client;  /* connections from one address (not behind a proxy) */
	int behind_proxy;         /* loopback peers are a reverse proxy: the client is the
				   * last X-Forwarded-For address (rate limit, log) */
	unsigned timeout;         /* seconds a connection may idle or dawdle */
	double rate, burst;       /* requests a second per client, bursts; rate 0: no limit */
	int log_fd;               /* access log, or -1 */
	int64_t fixed_now;        /* the clock for pages ($SHIKEN_NOW), or -1 */
	const char *key_path;     /* the key file, for web_db_write(); NULL: no writes */
};

/* Start serving with the modules (NULL-terminated list), each started with
 * db first. On error returns an SK_E* code with a message in err[errlen]
 * (English) and nothing running; cfg->listen_fd is closed either way when
 * the server is gone. */
int web_server_start(struct web_server **out, const struct web_config *cfg,
		     const struct web_module *const *modules, struct sk_db *db, char *err, size_t errlen);

/* Stop gracefully: stop accepting, let requests in progress finish (at most
 * grace seconds), close every connection, stop the modules and free the
 * server. Returns the number of requests that were cut off at the deadline
 * (0 normally). *served, if given, receives the number of requests
 * answered. */
unsigned web_server_stop(struct web_server *srv, unsigned grace, uint64_t *served);

/* ---- the route modules cmd_serve.c mounts ---- */

/* GET /healthz: 200 "ok" when a worker can read the registry, else 503.
 * Not rate limited (load balancers poll it). web.c. */
extern const struct web_module web_health;
/* The certificate page, its JSON API, the JWK Set. web_cert.c. */
extern const struct web_module web_cert;
/* How many verified tokens web_cert remembers (0: none); set before the
 * server starts. */
extern size_t web_cert_cache_entries;
/* The check-in station for proctors: sign-in, the station, the photos.
 * web_checkin.c. */
extern const struct web_module web_checkin;

#endif
