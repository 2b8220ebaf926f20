/*
 * The web service's core on libmicrohttpd (web.h): one request record per
 * request, from the moment its request line is read (the URI log callback)
 * to the moment it is done (the completion callback), which is what the
 * access log and the graceful stop count; routing below the mount prefix;
 * the responses every route shares; a pool of read-only database handles.
 *
 * Threads: libmicrohttpd's, either a pool of event loops on epoll (each
 * runs its handlers one at a time) or one thread per connection. Nothing
 * here is global: the server struct is shared, read-only after start but
 * for its atomics, the rate limiter's and the pool's locks.
 */
#include "cli/web.h"
#include "cli/web_rate.h"
#include "core/db.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/keys.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WEB_URI_MAX 8192        /* longest request target answered (a token is at most 4,096 bytes) */
#define WEB_LOG_TARGET_MAX 1024 /* of a target, kept for the access log */
#define WEB_RATE_CLIENTS 16384  /* clients the rate limiter remembers at once */
#define WEB_DB_MAX 64           /* read-only handles at most, with a thread per connection */
#define WEB_MEMORY_LIMIT (32u * 1024u) /* per connection: request line and headers must fit */

struct dbpool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const char *path;
	struct sk_db **idle;
	size_t nidle, nopen, max;
};

struct web_server {
	struct MHD_Daemon *mhd;
	struct web_config cfg;
	char base_url[1024]; /* without a trailing slash */
	const char *mount;   /* its path ("" or "/prefix"), within base_url */
	size_t mount_len;
	const struct web_module *const *modules;
	void **states;
	size_t nstarted;
	struct web_rate rate;
	struct dbpool pool;
	const char *const *langs;
	atomic_uint in_flight;
	atomic_uint_fast64_t served;
	atomic_int stopping;
	atomic_int log_failed;
};

/* One request, from its request line to its completion. */
struct request_rec {
	struct web_server *srv;
	uint64_t start_us;
	char *target;      /* as received, at most WEB_LOG_TARGET_MAX bytes kept */
	size_t target_len; /* its whole length */
	char method[16];
	char client[INET6_ADDRSTRLEN];     /* as the log shows it; "" until known */
	struct sockaddr_storage forwarded; /* behind a proxy: the client it named */
	unsigned status;   /* 0 until a response is queued */
	size_t bytes;
	int handled;
	/* A POST to a route that takes one: its body, or why it is refused. */
	int post;              /* the body is being collected */
	unsigned body_refused; /* 411 or 413, else 0 */
	struct sk_buf body;
};

/* web_request's hidden half. */
struct request_impl {
	struct MHD_Connection *conn;
	struct sk_db *db;
	struct sk_db *wdb; /* web_db_write()'s, closed after the handler */
	const struct sk_buf *body;
};

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the database pool ---- */

static int pool_init(struct dbpool *p, const char *path, size_t max)
{
	memset(p, 0, sizeof(*p));
	p->path = path;
	p->max = max;
	p->idle = calloc(max, sizeof(*p->idle));
	if (!p->idle)
		return SK_ENOMEM;
	if (pthread_mutex_init(&p->lock, NULL)) {
		free(p->idle);
		return SK_ENOMEM;
	}
	if (pthread_cond_init(&p->cond, NULL)) {
		pthread_mutex_destroy(&p->lock);
		free(p->idle);
		return SK_ENOMEM;
	}
	return 0;
}

static void pool_release(struct dbpool *p)
{
	if (!p->idle)
		return;
	for (size_t i = 0; i < p->nidle; i++)
		sk_db_close(p->idle[i]);
	free(p->idle);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	memset(p, 0, sizeof(*p));
}

static struct sk_db *pool_get(struct dbpool *p)
{
	pthread_mutex_lock(&p->lock);
	while (!p->nidle && p->nopen >= p->max)
		pthread_cond_wait(&p->cond, &p->lock);
	if (p->nidle) {
		struct sk_db *db = p->idle[--p->nidle];
		pthread_mutex_unlock(&p->lock);
		return db;
	}
	p->nopen++;
	pthread_mutex_unlock(&p->lock);
	/* Opening takes a while: outside the lock. */
	struct sk_db *db = NULL;
	char err[1024];
	if (sk_db_open(&db, p->path, SK_DB_READONLY, err, sizeof(err))) {
		fprintf(stderr, "shiken serve: %s\n", err);
		pthread_mutex_lock(&p->lock);
		p->nopen--;
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->lock);
		return NULL;
	}
	return db;
}

static void pool_put(struct dbpool *p, struct sk_db *db)
{
	pthread_mutex_lock(&p->lock);
	p->idle[p->nidle++] = db;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* ---- what handlers call ---- */

int web_response_header(struct web_response *res, const char *name, const char *value)
{
	if (res->nheaders >= sizeof(res->headers) / sizeof(res->headers[0]))
		return SK_ENOMEM;
	char *v = strdup(value);
	if (!v)
		return SK_ENOMEM;
	res->headers[res->nheaders].name = name;
	res->headers[res->nheaders].value = v;
	res->nheaders++;
	return 0;
}

static void response_release(struct web_response *res)
{
	sk_buf_release(&res->body);
	for (unsigned i = 0; i < res->nheaders; i++)
		free(res->headers[i].value);
	res->nheaders = 0;
}

const char *web_query(struct web_request *req, const char *name)
{
	struct request_impl *impl = req->impl_;
	return MHD_lookup_connection_value(impl->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_header(struct web_request *req, const char *name)
{
	struct request_impl *impl = req->impl_;
	return MHD_lookup_connection_value(impl->conn, MHD_HEADER_KIND, name);
}

const char *web_tr(const struct web_request *req, const char *msgid)
{
	return sk_i18n_lookup(req->lang, msgid);
}

struct sk_db *web_db(struct web_request *req)
{
	struct request_impl *impl = req->impl_;
	if (!impl->db)
		impl->db = pool_get(&req->server->pool);
	return impl->db;
}

const char *web_body(struct web_request *req, size_t *len)
{
	struct request_impl *impl = req->impl_;
	*len = impl->body && impl->body->buf ? impl->body->len : 0;
	return *len ? impl->body->buf : "";
}

const char *web_cookie(struct web_request *req, const char *name)
{
	struct request_impl *impl = req->impl_;
	return MHD_lookup_connection_value(impl->conn, MHD_COOKIE_KIND, name);
}

struct sk_db *web_db_write(struct web_request *req)
{
	struct request_impl *impl = req->impl_;
	struct web_server *srv = req->server;
	if (impl->wdb)
		return impl->wdb;
	if (!srv->cfg.key_path) {
		fprintf(stderr, "shiken serve: no key file: the service does not write\n");
		return NULL;
	}
	char err[1024];
	struct sk_db *db = NULL;
	if (sk_db_open(&db, srv->cfg.db_path, 0, err, sizeof(err))) {
		fprintf(stderr, "shiken serve: %s\n", err);
		return NULL;
	}
	sk_db_set_clock(db, srv->cfg.fixed_now);
	sk_db_set_command(db, "serve");
	if (sk_keys_load(db, srv->cfg.key_path)) {
		fprintf(stderr, "shiken serve: %s\n", sk_db_errmsg(db));
		sk_db_close(db);
		return NULL;
	}
	return impl->wdb = db;
}

const char *web_base_url(const struct web_server *srv)
{
	return srv->base_url;
}

/* ---- responses ---- */

static void error_response(struct web_response *res, unsigned status, const char *text, int json)
{
	sk_buf_reset(&res->body);
	res->status = status;
	res->cache = "no-store";
	res->csp = NULL;
	if (json) {
		res->content_type = "application/json";
		sk_buf_adds(&res->body, "{\"error\":");
		sk_buf_add_json_str(&res->body, text);
		sk_buf_adds(&res->body, "}\n");
	} else {
		res->content_type = "text/plain; charset=utf-8";
		sk_buf_adds(&res->body, text);
		sk_buf_addch(&res->body, '\n');
	}
}

static enum MHD_Result queue(struct web_server *srv, struct request_rec *rec, struct MHD_Connection *conn,
			     struct web_response *res)
{
	size_t len = 0;
	char *body = sk_buf_detach(&res->body, &len);
	if (!body) {
		response_release(res);
		return MHD_NO; /* out of memory: drop the connection */
	}
	struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, body, free);
	if (!r) {
		free(body);
		response_release(res);
		return MHD_NO;
	}
	int ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					 res->content_type ? res->content_type : "text/plain; charset=utf-8") &&
		 MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, res->cache ? res->cache : "no-store") &&
		 MHD_add_response_header(r, "Content-Security-Policy", res->csp ? res->csp : WEB_CSP_NONE) &&
		 MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") &&
		 MHD_add_response_header(r, "Referrer-Policy", "no-referrer") &&
		 MHD_add_response_header(r, "X-Frame-Options", "DENY");
	for (unsigned i = 0; ok && i < res->nheaders; i++)
		ok = MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
	if (ok && atomic_load(&srv->stopping))
		ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	unsigned status = res->status ? res->status : 200;
	response_release(res);
	if (!ok) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	enum MHD_Result q = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	if (q == MHD_YES) {
		rec->status = status;
		rec->bytes = strcmp(rec->method, "HEAD") ? len : 0;
	}
	return q;
}

static const struct web_route *find_route(struct web_server *srv, const char *path, void **state)
{
	for (size_t m = 0; m < srv->nstarted; m++) {
		for (const struct web_route *r = srv->modules[m]->routes; r->path; r++) {
			int hit = (r->flags & WEB_PREFIX) ? !strncmp(path, r->path, strlen(r->path))
							  : !strcmp(path, r->path);
			if (hit) {
				*state = srv->states[m];
				return r;
			}
		}
	}
	return NULL;
}

static int is_api_path(const char *path)
{
	return !strncmp(path, "/api/", 5) || !strcmp(path, "/api");
}

static void address_text(char out[INET6_ADDRSTRLEN], const struct sockaddr *addr)
{
	snprintf(out, INET6_ADDRSTRLEN, "-");
	if (addr && addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, out, INET6_ADDRSTRLEN);
	else if (addr && addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, out, INET6_ADDRSTRLEN);
}

static int is_loopback(const struct sockaddr *a)
{
	static const unsigned char v6_loopback[16] = { [15] = 1 };
	static const unsigned char v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (a && a->sa_family == AF_INET)
		return ((const unsigned char *)&((const struct sockaddr_in *)a)->sin_addr)[0] == 127;
	if (a && a->sa_family == AF_INET6) {
		const unsigned char *b = ((const struct sockaddr_in6 *)a)->sin6_addr.s6_addr;
		return !memcmp(b, v6_loopback, 16) || (!memcmp(b, v4_mapped, 12) && b[12] == 127);
	}
	return 0;
}

/* The client a request is from: the peer, or behind a reverse proxy on
 * this machine the address it forwarded for. Its text goes into
 * rec->client for the handler and the access log. */
static const struct sockaddr *client_address(struct web_server *srv, struct MHD_Connection *conn,
					     struct request_rec *rec)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *addr = ci ? ci->client_addr : NULL;
	if (srv->cfg.behind_proxy && is_loopback(addr) &&
	    web_forwarded_for(&rec->forwarded, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For")) == 0)
		addr = (const struct sockaddr *)&rec->forwarded;
	address_text(rec->client, addr);
	return addr;
}

static void dispatch(struct web_server *srv, struct request_rec *rec, struct MHD_Connection *conn,
		     const char *url, struct web_response *res)
{
	const struct sockaddr *addr = client_address(srv, conn, rec);
	if (rec->target_len > WEB_URI_MAX) {
		error_response(res, MHD_HTTP_URI_TOO_LONG, "URI too long", is_api_path(url));
		return;
	}
	/* Below the mount prefix: "/prefix" and "/prefix/..." only. */
	const char *path = url;
	if (srv->mount_len) {
		if (strncmp(url, srv->mount, srv->mount_len) ||
		    (url[srv->mount_len] != '/' && url[srv->mount_len] != '\0')) {
			error_response(res, MHD_HTTP_NOT_FOUND, "not found", 0);
			return;
		}
		path = url[srv->mount_len] ? url + srv->mount_len : "/";
	}
	int api = is_api_path(path);
	void *state = NULL;
	const struct web_route *route = find_route(srv, path, &state);
	if (!route) {
		error_response(res, MHD_HTTP_NOT_FOUND, "not found", api);
		return;
	}
	api = (route->flags & WEB_API) != 0;
	int get = !strcmp(rec->method, "GET") || !strcmp(rec->method, "HEAD");
	int post = !strcmp(rec->method, "POST");
	if (!(get && (route->methods & WEB_GET)) && !(post && (route->methods & WEB_POST))) {
		error_response(res, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", api);
		/* Out of memory for the header: the 405 still goes, without it. */
		(void)web_response_header(res, MHD_HTTP_HEADER_ALLOW,
					  !(route->methods & WEB_POST) ? "GET, HEAD"
					  : (route->methods & WEB_GET) ? "GET, HEAD, POST" : "POST");
		return;
	}
	if (post && rec->body_refused) {
		error_response(res, rec->body_refused,
			       rec->body_refused == MHD_HTTP_LENGTH_REQUIRED ? "length required" : "request body too large",
			       api);
		return;
	}
	if (srv->cfg.rate > 0 && !(route->flags & WEB_NO_LIMIT)) {
		unsigned char key[WEB_RATE_KEY];
		unsigned retry = 1;
		web_rate_key(key, addr);
		if (!web_rate_take(&srv->rate, key, mono_us(), &retry)) {
			char value[16];
			error_response(res, MHD_HTTP_TOO_MANY_REQUESTS, "too many requests: try again later", api);
			snprintf(value, sizeof(value), "%u", retry);
			(void)web_response_header(res, "Retry-After", value); /* as for Allow */
			return;
		}
	}

	char lang[WEB_LANG_MAX];
	web_lang_choose(lang, MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lang"),
			MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE), srv->langs);
	struct request_impl impl = { conn, NULL, NULL, post ? &rec->body : NULL };
	struct web_request req = {
		.method = rec->method,
		.path = path,
		.lang = lang,
		.client = rec->client,
		.now = srv->cfg.fixed_now >= 0 ? srv->cfg.fixed_now : (int64_t)time(NULL),
		.server = srv,
		.impl_ = &impl,
	};
	int rc = route->handle(state, &req, res);
	if (impl.db) {
		if (rc && sk_db_errmsg(impl.db)[0])
			fprintf(stderr, "shiken serve: %s\n", sk_db_errmsg(impl.db));
		sk_db_clear_error(impl.db);
		pool_put(&srv->pool, impl.db);
	}
	if (impl.wdb) {
		if (rc && sk_db_errmsg(impl.wdb)[0])
			fprintf(stderr, "shiken serve: %s\n", sk_db_errmsg(impl.wdb));
		sk_db_close(impl.wdb);
	}
	if (rc) {
		struct sk_buf t = SK_BUF_INIT;
		web_log_target(&t, rec->target, WEB_LOG_TARGET_MAX);
		fprintf(stderr, "shiken serve: %s %s: %s\n", rec->method, t.buf, sk_strerror(rc));
		sk_buf_release(&t);
		if (rc == SK_EDB || rc == SK_EBUSY || rc == SK_ESCHEMA)
			error_response(res, MHD_HTTP_SERVICE_UNAVAILABLE, "service unavailable: try again later", api);
		else
			error_response(res, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal error", api);
	}
}

/* ---- libmicrohttpd's callbacks ---- */

/* Whether the route a URL reaches takes POST (its body is then collected). */
static int takes_post(struct web_server *srv, const char *url)
{
	const char *path = url;
	if (srv->mount_len) {
		if (strncmp(url, srv->mount, srv->mount_len) ||
		    (url[srv->mount_len] != '/' && url[srv->mount_len] != '\0'))
			return 0;
		path = url[srv->mount_len] ? url + srv->mount_len : "/";
	}
	void *state;
	const struct web_route *route = find_route(srv, path, &state);
	return route && (route->methods & WEB_POST);
}

/* A POST's Content-Length: 0 with the length, 411 without one, 413 beyond
 * WEB_BODY_MAX. */
static unsigned post_length(struct MHD_Connection *conn)
{
	const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (!length || !*length ||
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return MHD_HTTP_LENGTH_REQUIRED;
	size_t n = 0;
	for (const char *p = length; *p; p++) {
		if (*p < '0' || *p > '9')
			return MHD_HTTP_LENGTH_REQUIRED;
		if (n > WEB_BODY_MAX)
			return MHD_HTTP_CONTENT_TOO_LARGE;
		n = n * 10 + (size_t)(*p - '0');
	}
	return n > WEB_BODY_MAX ? MHD_HTTP_CONTENT_TOO_LARGE : 0;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)conn;
	struct web_server *srv = cls;
	struct request_rec *rec = calloc(1, sizeof(*rec));
	if (!rec)
		return NULL;
	rec->srv = srv;
	rec->start_us = mono_us();
	rec->target_len = strlen(uri);
	rec->target = strndup(uri, WEB_LOG_TARGET_MAX);
	sk_buf_init(&rec->body);
	if (!rec->target) {
		free(rec);
		return NULL;
	}
	atomic_fetch_add(&srv->in_flight, 1);
	return rec;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	(void)version;
	(void)upload_data;
	struct web_server *srv = cls;
	struct request_rec *rec = *req_cls;
	if (!rec)
		return MHD_NO; /* out of memory when the request began */
	if (rec->handled) {
		/* A body after the response: not read, and the connection closes. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rec->post) {
		if (*upload_data_size) {
			/* Never beyond the Content-Length checked, which libmicrohttpd
			 * holds the client to; checked again all the same. */
			if (rec->body.len + *upload_data_size > WEB_BODY_MAX)
				rec->body_refused = MHD_HTTP_CONTENT_TOO_LARGE;
			else
				sk_buf_add(&rec->body, upload_data, *upload_data_size);
			*upload_data_size = 0;
			return MHD_YES;
		}
		if (sk_buf_failed(&rec->body))
			return MHD_NO; /* out of memory: drop the connection */
	}
	if (!rec->method[0]) {
		snprintf(rec->method, sizeof(rec->method), "%s", method);
		/* A GET or HEAD without a body is answered on the next call, once
		 * libmicrohttpd has seen the whole request: answered now, the
		 * connection could not be kept alive. Anything else is answered
		 * now, and its body (we take none) never read. */
		int get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
		const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (get && (!length || !strcmp(length, "0")) &&
		    !MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
			return MHD_YES;
		/* A POST to a route that takes one: its body is collected first,
		 * when its length is given and small enough. */
		if (!strcmp(method, "POST") && takes_post(srv, url) &&
		    !(rec->body_refused = post_length(conn))) {
			rec->post = 1;
			return MHD_YES;
		}
	}
	rec->handled = 1;
	struct web_response res = { .body = SK_BUF_INIT };
	dispatch(srv, rec, conn, url, &res);
	return queue(srv, rec, conn, &res);
}

static void log_line(struct web_server *srv, struct request_rec *rec, struct MHD_Connection *conn)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[32], client[INET6_ADDRSTRLEN];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	if (rec->client[0]) {
		memcpy(client, rec->client, sizeof(client));
	} else {
		/* Not routed (a request cut off before its headers ended): the peer. */
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		address_text(client, ci ? ci->client_addr : NULL);
	}

	struct sk_buf b = SK_BUF_INIT;
	sk_buf_addf(&b, "%s.%03ldZ %s \"%s ", when, ts.tv_nsec / 1000000, client,
		    rec->method[0] ? rec->method : "-");
	web_log_target(&b, rec->target, WEB_LOG_TARGET_MAX);
	sk_buf_adds(&b, "\" ");
	if (rec->status)
		sk_buf_addf(&b, "%u", rec->status);
	else
		sk_buf_addch(&b, '-');
	sk_buf_addf(&b, " %zu %llu\n", rec->bytes, (unsigned long long)(mono_us() - rec->start_us));
	/* One write a line (O_APPEND): lines from many threads never mix. */
	if (!sk_buf_failed(&b) && write(srv->cfg.log_fd, b.buf, b.len) != (ssize_t)b.len &&
	    !atomic_exchange(&srv->log_failed, 1))
		fprintf(stderr, "shiken serve: cannot write the access log; lines are lost\n");
	sk_buf_release(&b);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)toe;
	struct web_server *srv = cls;
	struct request_rec *rec = *req_cls;
	if (!rec)
		return;
	*req_cls = NULL;
	if (srv->cfg.log_fd >= 0)
		log_line(srv, rec, conn);
	if (rec->status)
		atomic_fetch_add(&srv->served, 1);
	sk_buf_release(&rec->body);
	free(rec->target);
	free(rec);
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	fprintf(stderr, "shiken serve: %s\n", msg);
}

/* ---- the server's own route ---- */

static int health(void *state, struct web_request *req, struct web_response *res)
{
	(void)state;
	struct sk_db *db = web_db(req);
	if (!db)
		return SK_EDB;
	/* Reads the schema: the file is there, readable and an SQLite database. */
	int rc = sk_db_exec(db, "SELECT count(*) FROM sqlite_schema");
	if (rc)
		return rc;
	sk_buf_adds(&res->body, "ok\n");
	return 0;
}

static const struct web_route health_routes[] = {
	{ "/healthz", WEB_NO_LIMIT, WEB_GET, health },
	{ NULL, 0, 0, NULL },
};

const struct web_module web_health = { "health", health_routes, NULL, NULL };

/* ---- start and stop ---- */

static void stop_modules(struct web_server *srv)
{
	while (srv->nstarted) {
		srv->nstarted--;
		if (srv->modules[srv->nstarted]->stop)
			srv->modules[srv->nstarted]->stop(srv->states[srv->nstarted]);
	}
}

static void server_free(struct web_server *srv)
{
	stop_modules(srv);
	free(srv->states);
	pool_release(&srv->pool);
	if (srv->cfg.rate > 0)
		web_rate_release(&srv->rate);
	free(srv);
}

int web_server_start(struct web_server **out, const struct web_config *cfg,
		     const struct web_module *const *modules, struct sk_db *db, char *err, size_t errlen)
{
	*out = NULL;
	int rc = SK_ENOMEM;
	struct web_server *srv = calloc(1, sizeof(*srv));
	size_t nmodules = 0;
	while (modules[nmodules])
		nmodules++;
	if (!srv || !(srv->states = calloc(nmodules + 1, sizeof(*srv->states)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	srv->cfg = *cfg;
	srv->modules = modules;
	srv->langs = sk_i18n_languages(); /* made here, before any worker runs */

	/* The mount prefix: the path of the base URL. */
	const char *u = cfg->base_url, *host = strstr(u, "://");
	size_t ulen = strlen(u);
	while (ulen && u[ulen - 1] == '/')
		ulen--;
	if (!host || ulen >= sizeof(srv->base_url)) {
		rc = SK_EINVAL;
		snprintf(err, errlen, "'%s' is not a base URL", u);
		goto fail;
	}
	memcpy(srv->base_url, u, ulen);
	srv->base_url[ulen] = '\0';
	const char *slash = strchr(srv->base_url + (host - u) + 3, '/');
	srv->mount = slash ? slash : "";
	srv->mount_len = strlen(srv->mount);

	if (cfg->rate > 0 && (rc = web_rate_init(&srv->rate, cfg->rate, cfg->burst, WEB_RATE_CLIENTS))) {
		srv->cfg.rate = 0;
		snprintf(err, errlen, "cannot set up the rate limit: %s", sk_strerror(rc));
		goto fail;
	}
	size_t handles = cfg->threads ? cfg->threads
				      : cfg->max_connections < WEB_DB_MAX ? cfg->max_connections : WEB_DB_MAX;
	if ((rc = pool_init(&srv->pool, cfg->db_path, handles ? handles : 1))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (; srv->nstarted < nmodules; srv->nstarted++) {
		const struct web_module *m = modules[srv->nstarted];
		if (m->start && (rc = m->start(&srv->states[srv->nstarted], srv, db))) {
			snprintf(err, errlen, "%s", sk_db_errmsg(db)[0] ? sk_db_errmsg(db) : sk_strerror(rc));
			goto fail;
		}
	}

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	flags |= cfg->threads ? MHD_USE_EPOLL : MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
	unsigned pool_size = cfg->threads < 2 ? 0 : cfg->threads;
	srv->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)cfg->listen_fd, MHD_OPTION_CONNECTION_LIMIT,
		cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->behind_proxy ? 0u : cfg->max_per_client,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)WEB_MEMORY_LIMIT, MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, srv, pool_size ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, pool_size,
		MHD_OPTION_END);
	if (!srv->mhd) {
		rc = SK_EIO;
		snprintf(err, errlen, "cannot start the HTTP server (libmicrohttpd refused the settings)");
		goto fail;
	}
	*out = srv;
	return 0;
fail:
	close(cfg->listen_fd);
	if (srv)
		server_free(srv);
	return rc;
}

unsigned web_server_stop(struct web_server *srv, unsigned grace, uint64_t *served)
{
	atomic_store(&srv->stopping, 1);
	MHD_socket ls = MHD_quiesce_daemon(srv->mhd);
	/* Refuse new connections now rather than leave them waiting in the
	 * backlog until the stop: shutdown() turns the listening socket away
	 * from the port, and the descriptor stays valid for libmicrohttpd's
	 * threads until MHD_stop_daemon, as it requires. */
	if (ls != MHD_INVALID_SOCKET)
		shutdown(ls, SHUT_RDWR);
	uint64_t deadline = mono_us() + (uint64_t)grace * 1000000u;
	while (atomic_load(&srv->in_flight) && mono_us() < deadline) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	unsigned cut = atomic_load(&srv->in_flight);
	MHD_stop_daemon(srv->mhd);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	if (served)
		*served = atomic_load(&srv->served);
	server_free(srv);
	return cut;
}
