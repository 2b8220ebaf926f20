/*
 * shiken serve: the web face of the registry (web.h): the certificate
 * verification page a phone opens from a QR code, its JSON API and the
 * public keys. Binds the listening socket itself (so a busy port is a clear
 * error and port 0 picks a free one, which it prints), starts the server
 * with its route modules, then waits for a signal: SIGHUP reopens the
 * access log (for logrotate), SIGINT and SIGTERM stop it gracefully:
 * no new connections, requests in progress answered (at most --grace
 * seconds), exit 0.
 */
#include "cli/cli.h"
#include "cli/web.h"
#include "core/db.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char usage[] =
	N_("usage: shiken serve --base-url URL [--listen ADDR:PORT] [--access-log FILE|-]\n"
	   "                    [--threads N] [--rate-limit N] [--burst N]\n"
	   "                    [--max-connections N] [--max-per-client N] [--timeout SECONDS]\n"
	   "                    [--grace SECONDS] [--cache N] [--behind-proxy]\n"
	   "\n"
	   "Serve the certificate verification page (/c/TOKEN, the address in a\n"
	   "certificate's QR code), its JSON API (/api/v1/verify?token=TOKEN), the public\n"
	   "keys (/.well-known/jwks.json) and a health check (/healthz). Revocation is\n"
	   "read from the registry at every request. Stop it with SIGTERM or Ctrl-C:\n"
	   "requests in progress are answered first. SIGHUP reopens the access log.\n"
	   "  --base-url URL           the public address, e.g. https://verify.example.jp;\n"
	   "                           a path in it (https://example.jp/cert) is where the\n"
	   "                           routes live\n"
	   "  --listen ADDR:PORT       where to listen (default 127.0.0.1:8080; [::1]:8080,\n"
	   "                           :8080 for every address, port 0 for any free port)\n"
	   "  --access-log FILE|-      one line per request, to FILE or standard output\n"
	   "  --threads N              a pool of N event loops (default: a thread for each\n"
	   "                           connection, which spreads kept-alive connections\n"
	   "                           over the CPUs better)\n"
	   "  --rate-limit N           requests a second per client address (default 10;\n"
	   "                           0: no limit); more get 429 with Retry-After\n"
	   "  --burst N                requests a client may make at once (default 50)\n"
	   "  --max-connections N      connections in all (default 1000)\n"
	   "  --max-per-client N       connections from one address (default 64)\n"
	   "  --timeout SECONDS        close a connection idle this long (default 15)\n"
	   "  --grace SECONDS          at stop, wait this long for requests (default 10)\n"
	   "  --cache N                remember N verified tokens (default 10000; 0: off)\n"
	   "  --behind-proxy           a reverse proxy on this machine (TLS) forwards the\n"
	   "                           requests: the client is the last X-Forwarded-For\n"
	   "                           address of a loopback peer; --max-per-client is off\n");

/* The route modules, in the order their routes are matched. A new module
 * (the check-in station) is one more line. */
static const struct web_module *const modules[] = { &web_health, &web_cert, &web_checkin, NULL };

/* A whole number in [min, max] from an option; 0 or an exit code. */
static int number_arg(unsigned long *out, const char *opt, const char *s, unsigned long min, unsigned long max)
{
	char *end = NULL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || !*s || *end || *s == '-' || v < min || v > max)
		return cli_bad_usage(usage, _("%s takes a whole number from %lu to %lu, not '%s'"), opt, min, max, s);
	*out = v;
	return 0;
}

/* An http(s) URL without a query, fragment, spaces or control characters. */
static int base_url_ok(const char *s)
{
	size_t scheme = !strncmp(s, "https://", 8) ? 8 : !strncmp(s, "http://", 7) ? 7 : 0;
	if (!scheme || !s[scheme] || s[scheme] == '/' || strlen(s) > 900)
		return 0;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || *p == '?' || *p == '#' || *p == '"' ||
		    *p == '<' || *p == '>' || *p == '\\')
			return 0;
	return 1;
}

/* Bind and listen on ADDR:PORT ("127.0.0.1:8080", "[::1]:8080", ":8080").
 * The socket, or after saying why -2 (not ADDR:PORT) or -1 (cannot listen
 * there); *shown receives the address bound. */
static int listen_on(const char *spec, char *shown, size_t shown_len)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	if (!colon || !colon[1] || (size_t)(colon - spec) >= sizeof(host)) {
		cli_error(_("--listen takes ADDR:PORT (e.g. 127.0.0.1:8080), not '%s'"), spec);
		return -2;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (host[0] == '[') {
		size_t n = strlen(host);
		if (n < 3 || host[n - 1] != ']') {
			cli_error(_("--listen takes ADDR:PORT (e.g. 127.0.0.1:8080), not '%s'"), spec);
			return -2;
		}
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int gai = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
	if (gai) {
		cli_error(_("cannot listen on '%s': %s"), spec, gai_strerror(gai));
		return -1;
	}
	/* Every address: IPv6 first, taking IPv4 too where the system allows. */
	struct addrinfo *order[2] = { NULL, NULL };
	for (struct addrinfo *a = res; a; a = a->ai_next)
		if (!order[a->ai_family == AF_INET6 ? 0 : 1])
			order[a->ai_family == AF_INET6 ? 0 : 1] = a;
	int fd = -1, err = 0;
	for (int i = 0; i < 2 && fd < 0; i++) {
		struct addrinfo *a = order[i];
		if (!a)
			continue;
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1, zero = 0;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (a->ai_family == AF_INET6 && !host[0])
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, a->ai_addr, a->ai_addrlen) || listen(fd, 512)) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		cli_error(_("cannot listen on '%s': %s"), spec, strerror(err ? err : EADDRNOTAVAIL));
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char h[NI_MAXHOST], p[NI_MAXSERV];
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p, sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(shown, shown_len, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
	else
		snprintf(shown, shown_len, "%s", spec);
	return fd;
}

static int open_log(const char *path)
{
	if (!strcmp(path, "-"))
		return STDOUT_FILENO;
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "base-url", required_argument, NULL, 'b' },
		{ "access-log", required_argument, NULL, 'a' },
		{ "threads", required_argument, NULL, 't' },
		{ "rate-limit", required_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'B' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "max-per-client", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 'o' },
		{ "grace", required_argument, NULL, 'g' },
		{ "cache", required_argument, NULL, 'c' },
		{ "behind-proxy", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	if (cli_wants_help(argc, argv)) {
		cli_usage(stdout, usage);
		return EXIT_OK;
	}
	const char *listen_spec = "127.0.0.1:8080", *base_url = NULL, *log_path = NULL;
	unsigned long threads = 0, rate = 10, burst = 50,
		      max_conn = 1000, max_client = 64, timeout = 15, grace = 10, cache = 10000;
	int behind_proxy = 0;
	optind = 0;
	opterr = 0;
	int c, r;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': listen_spec = optarg; break;
		case 'b': base_url = optarg; break;
		case 'a': log_path = optarg; break;
		case 'P': behind_proxy = 1; break;
		case 't': if ((r = number_arg(&threads, "--threads", optarg, 1, 256))) return r; break;
		case 'r': if ((r = number_arg(&rate, "--rate-limit", optarg, 0, 1000000))) return r; break;
		case 'B': if ((r = number_arg(&burst, "--burst", optarg, 1, 1000000))) return r; break;
		case 'm': if ((r = number_arg(&max_conn, "--max-connections", optarg, 1, 100000))) return r; break;
		case 'M': if ((r = number_arg(&max_client, "--max-per-client", optarg, 1, 100000))) return r; break;
		case 'o': if ((r = number_arg(&timeout, "--timeout", optarg, 1, 3600))) return r; break;
		case 'g': if ((r = number_arg(&grace, "--grace", optarg, 0, 3600))) return r; break;
		case 'c': if ((r = number_arg(&cache, "--cache", optarg, 0, 1000000))) return r; break;
		case ':': return cli_bad_usage(usage, _("option '%s' needs a value"), argv[optind - 1]);
		default: return cli_bad_usage(usage, _("unknown option '%s'"), argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_bad_usage(usage, _("unexpected argument '%s'"), argv[optind]);
	if (!base_url)
		return cli_bad_usage(usage, "%s", _("give the public address: --base-url https://HOST"));
	if (!base_url_ok(base_url))
		return cli_bad_usage(usage, _("'%s' is not a base URL: http:// or https://, a host, an optional path"),
				     base_url);
	int64_t fixed_now = -1;
	if (cli_fixed_now(&fixed_now))
		return EXIT_USAGE;

	int log_fd = -1;
	if (log_path && (log_fd = open_log(log_path)) < 0) {
		cli_error(_("cannot open the access log '%s': %s"), log_path, strerror(errno));
		return EXIT_FAIL;
	}
	char shown[INET6_ADDRSTRLEN + 16];
	int fd = listen_on(listen_spec, shown, sizeof(shown));
	if (fd < 0) {
		if (log_fd > STDOUT_FILENO)
			close(log_fd);
		return fd == -2 ? EXIT_USAGE : EXIT_FAIL;
	}

	/* Signals are taken by sigwait() below, never by a handler: blocked
	 * here, before any worker thread exists, so every thread inherits the
	 * mask. A client that goes away must not kill us with SIGPIPE. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	web_cert_cache_entries = cache;
	struct web_config cfg = {
		.listen_fd = fd,
		.base_url = base_url,
		.db_path = cli->db_path,
		.threads = (unsigned)threads,
		.max_connections = (unsigned)max_conn,
		.max_per_client = (unsigned)max_client,
		.behind_proxy = behind_proxy,
		.timeout = (unsigned)timeout,
		.rate = (double)rate,
		.burst = (double)burst,
		.log_fd = log_fd,
		.fixed_now = fixed_now,
		.key_path = cli->key_path,
	};
	struct web_server *srv = NULL;
	char err[1024];
	if (web_server_start(&srv, &cfg, modules, cli->db, err, sizeof(err))) {
		cli_error("%s", _(err));
		if (log_fd > STDOUT_FILENO)
			close(log_fd);
		return EXIT_FAIL;
	}
	if (!threads)
		fprintf(stderr, _("shiken serve: listening on %s, a thread per connection\n"), shown);
	else
		fprintf(stderr, _("shiken serve: listening on %s, %lu worker threads\n"), shown, threads);
	fflush(stderr);

	int sig = 0;
	for (;;) {
		if (sigwait(&sigs, &sig))
			continue;
		if (sig != SIGHUP)
			break;
		if (log_path && log_fd > STDOUT_FILENO) {
			/* Swap the file under the same descriptor: writers never see a
			 * closed one. */
			int nfd = open_log(log_path);
			if (nfd < 0 || dup2(nfd, log_fd) < 0)
				cli_warn(_("cannot reopen the access log '%s': %s"), log_path, strerror(errno));
			if (nfd >= 0)
				close(nfd);
		}
	}
	fprintf(stderr, _("shiken serve: stopping (%s): answering the requests in progress\n"),
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	uint64_t served = 0;
	unsigned cut = web_server_stop(srv, (unsigned)grace, &served);
	/* The signals stay blocked: a second Ctrl-C pending now must not turn a
	 * clean stop into death by signal. */
	if (log_fd > STDOUT_FILENO)
		close(log_fd);
	fprintf(stderr, _("shiken serve: stopped after %llu requests\n"), (unsigned long long)served);
	if (cut) {
		cli_error(_("%u requests were still in progress after %lu seconds and were cut off"), cut, grace);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
