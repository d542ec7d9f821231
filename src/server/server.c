/*
 * server.c - `stele serve`: configuration, listening sockets, TLS, the
 * event loop and the order of shutdown (server.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "server/auth.h"
#include "server/dbreg.h"
#include "server/http.h"
#include "server/metrics.h"
#include "server/pgwire.h"
#include "server/server.h"
#include "server/work.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/pool.h"
#include "util/timeutil.h"

void srv_config_init(SrvConfig *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->http, sizeof c->http, "[::]:8086");
	snprintf(c->pg, sizeof c->pg, "[::]:5432");
	stele_options_init(&c->db);
	c->max_body = 256u << 20;
	c->max_line = 1u << 20;
	c->max_connections = 1000;
	c->idle_timeout_s = 300;
	uint32_t cpus = pool_cpus();
	c->workers = cpus * 2 < 4 ? 4 : cpus * 2;
	c->max_pending = 1u << 30;
}

static int parse_size(const char *v, uint64_t *out, StErr *err)
{
	if (!buf_parse_size(v, out))
		return failf(err, STELE_EINVAL, "invalid size \"%s\" (a number with K, M or G)", v);
	return STELE_OK;
}

static int parse_uint(const char *v, uint64_t max, uint64_t *out, StErr *err)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (end == v || *end || errno || n > max || v[0] == '-')
		return failf(err, STELE_EINVAL, "invalid number \"%s\"", v);
	*out = n;
	return STELE_OK;
}

/* A duration as time_parse_duration reads it ("30s", "1500ms", "5m",
 * "2h"; "min" too), or a bare number of `unit_ns`. */
static int parse_duration(const char *v, int64_t unit_ns, int64_t *out, StErr *err)
{
	size_t n = strlen(v), digits = strspn(v, "0123456789");
	if (n && digits == n) {
		uint64_t u;
		int rc = parse_uint(v, (uint64_t)INT64_MAX / (uint64_t)unit_ns, &u, err);
		if (rc == STELE_OK)
			*out = (int64_t)u * unit_ns;
		return rc;
	}
	char m[64];
	if (n > 3 && n < sizeof m && strcmp(v + n - 3, "min") == 0) {
		snprintf(m, sizeof m, "%.*sm", (int)(n - 3), v);
		v = m;
	}
	int rc = time_parse_duration(v, out, err);
	if (rc == STELE_OK && *out < 0)
		rc = failf(err, STELE_EINVAL, "invalid duration \"%s\"", v);
	return rc;
}

static int parse_bool(const char *v, bool *out, StErr *err)
{
	if (!strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "0"))
		*out = false;
	else
		return failf(err, STELE_EINVAL, "invalid boolean \"%s\"", v);
	return STELE_OK;
}

static int set_str(char *dst, size_t cap, const char *v, const char *name, StErr *err)
{
	if (strlen(v) >= cap)
		return failf(err, STELE_EINVAL, "%s is too long", name);
	snprintf(dst, cap, "%s", v);
	return STELE_OK;
}

int srv_config_set(SrvConfig *c, const char *name, const char *v, StErr *err)
{
	uint64_t u;
	int64_t d;
	int rc;
	if (!strcmp(name, "data"))
		return set_str(c->data, sizeof c->data, v, name, err);
	if (!strcmp(name, "http"))
		return set_str(c->http, sizeof c->http, strcmp(v, "off") ? v : "", name, err);
	if (!strcmp(name, "pg"))
		return set_str(c->pg, sizeof c->pg, strcmp(v, "off") ? v : "", name, err);
	if (!strcmp(name, "tls-cert"))
		return set_str(c->tls_cert, sizeof c->tls_cert, v, name, err);
	if (!strcmp(name, "tls-key"))
		return set_str(c->tls_key, sizeof c->tls_key, v, name, err);
	if (!strcmp(name, "insecure"))
		return parse_bool(v, &c->insecure, err);
	if (!strcmp(name, "sync"))
		return stele_parse_sync(v, &c->db, err);
	if (!strcmp(name, "memtable")) {
		if ((rc = parse_size(v, &u, err)) == 0)
			c->db.memtable_bytes = u;
		return rc;
	}
	if (!strcmp(name, "max-series")) {
		if ((rc = parse_uint(v, UINT32_MAX, &u, err)) == 0)
			c->db.max_series = (uint32_t)u;
		return rc;
	}
	if (!strcmp(name, "query-memory")) {
		if ((rc = parse_size(v, &u, err)) == 0)
			c->db.query_memory = u;
		return rc;
	}
	if (!strcmp(name, "query-threads")) {
		if ((rc = parse_uint(v, 1024, &u, err)) == 0)
			c->db.query_threads = (uint32_t)u;
		return rc;
	}
	if (!strcmp(name, "statement-timeout")) {
		if ((rc = parse_duration(v, 1000000, &d, err)) == 0) {
			if (d / 1000000 > UINT32_MAX)
				return failf(err, STELE_EINVAL, "statement-timeout is too long");
			c->db.statement_timeout_ms = (uint32_t)(d / 1000000);
		}
		return rc;
	}
	if (!strcmp(name, "max-body")) {
		if ((rc = parse_size(v, &u, err)) == 0) {
			if (u < 1024 || u > (8ull << 30))
				return failf(err, STELE_EINVAL, "max-body must be between 1K and 8G");
			c->max_body = u;
		}
		return rc;
	}
	if (!strcmp(name, "max-line")) {
		if ((rc = parse_size(v, &u, err)) == 0) {
			if (u < 256 || u > (1u << 30))
				return failf(err, STELE_EINVAL, "max-line must be between 256 and 1G");
			c->max_line = u;
		}
		return rc;
	}
	if (!strcmp(name, "max-pending")) {
		if ((rc = parse_size(v, &u, err)) == 0)
			c->max_pending = u;
		return rc;
	}
	if (!strcmp(name, "max-connections")) {
		if ((rc = parse_uint(v, 1000000, &u, err)) == 0) {
			if (u == 0)
				return failf(err, STELE_EINVAL, "max-connections must be at least 1");
			c->max_connections = (uint32_t)u;
		}
		return rc;
	}
	if (!strcmp(name, "idle-timeout")) {
		if ((rc = parse_duration(v, 1000000000, &d, err)) == 0) {
			if (d < 1000000000 || d / 1000000000 > 86400 * 365)
				return failf(err, STELE_EINVAL, "idle-timeout must be between 1s and a year");
			c->idle_timeout_s = (uint32_t)(d / 1000000000);
		}
		return rc;
	}
	if (!strcmp(name, "workers")) {
		if ((rc = parse_uint(v, 1024, &u, err)) == 0) {
			if (u == 0)
				return failf(err, STELE_EINVAL, "workers must be at least 1");
			c->workers = (uint32_t)u;
		}
		return rc;
	}
	return failf(err, STELE_EINVAL, "unknown option \"%s\"", name);
}

int srv_config_file(SrvConfig *c, const char *path, StErr *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return failf(err, err_from_errno(errno), "could not open config file \"%s\": %s", path,
		             strerror(errno));
	char line[4096];
	int lineno = 0, rc = STELE_OK;
	while (rc == STELE_OK && fgets(line, sizeof line, f)) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			rc = failf(err, STELE_EINVAL, "%s:%d: line is too long", path, lineno);
			break;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		char *e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = failf(err, STELE_EINVAL, "%s:%d: expected \"name = value\"", path, lineno);
			break;
		}
		char *ke = eq;
		while (ke > s && isspace((unsigned char)ke[-1]))
			ke--;
		*ke = '\0';
		char *v = eq + 1;
		while (isspace((unsigned char)*v))
			v++;
		size_t vl = strlen(v);
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v[vl - 1] = '\0';
			v++;
		}
		if (!strcmp(s, "config")) {
			rc = failf(err, STELE_EINVAL, "%s:%d: a config file cannot name another", path, lineno);
			break;
		}
		rc = srv_config_set(c, s, v, err);
		if (rc)
			err_prefix(err, "%s:%d", path, lineno);
	}
	fclose(f);
	return rc;
}

int srv_split_addr(const char *addr, char *host, size_t nhost, uint16_t *port, StErr *err)
{
	const char *colon;
	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');
		if (!rb || rb[1] != ':')
			return failf(err, STELE_EINVAL, "invalid address \"%s\" (expected [V6]:PORT)", addr);
		if ((size_t)(rb - addr - 1) >= nhost)
			return failf(err, STELE_EINVAL, "invalid address \"%s\"", addr);
		snprintf(host, nhost, "%.*s", (int)(rb - addr - 1), addr + 1);
		colon = rb + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || memchr(addr, ':', (size_t)(colon - addr)))
			return failf(err, STELE_EINVAL, "invalid address \"%s\" (expected HOST:PORT)", addr);
		if ((size_t)(colon - addr) >= nhost)
			return failf(err, STELE_EINVAL, "invalid address \"%s\"", addr);
		snprintf(host, nhost, "%.*s", (int)(colon - addr), addr);
	}
	uint64_t p;
	StErr e = {0};
	if (parse_uint(colon + 1, 65535, &p, &e) != STELE_OK)
		return failf(err, STELE_EINVAL, "invalid port in \"%s\"", addr);
	*port = (uint16_t)p;
	return STELE_OK;
}

static int listen_sa(const struct sockaddr *sa, socklen_t len, const char *addr, int *fd,
                     StErr *err)
{
	int s = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return failf(err, STELE_EIO, "could not listen on %s: %s", addr, strerror(errno));
	int one = 1, zero = 0;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		/* [::] is both families; a named IPv6 address only its own. */
		int only = !IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, only ? &one : &zero, sizeof one);
	}
	if (bind(s, sa, len) != 0 || listen(s, 1024) != 0) {
		int e = errno;
		close(s);
		return failf(err, STELE_EIO, "could not listen on %s: %s", addr, strerror(e));
	}
	*fd = s;
	return STELE_OK;
}

int srv_listen(const char *addr, int *fd, StErr *err)
{
	char host[256];
	uint16_t port;
	int rc = srv_split_addr(addr, host, sizeof host, &port, err);
	if (rc)
		return rc;
	char ps[8];
	snprintf(ps, sizeof ps, "%u", port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *res;
	int g = getaddrinfo(host[0] ? host : "::", ps, &hints, &res);
	if (g != 0)
		return failf(err, STELE_EINVAL, "could not resolve \"%s\": %s", host, gai_strerror(g));
	rc = listen_sa(res->ai_addr, res->ai_addrlen, addr, fd, err);
	freeaddrinfo(res);
	return rc;
}

/* Whether addr's host is a loopback address (for --insecure). */
static bool is_loopback(const char *addr)
{
	char host[256];
	uint16_t port;
	StErr e = {0};
	if (srv_split_addr(addr, host, sizeof host, &port, &e))
		return false;
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return strcmp(host, "localhost") == 0;
}

/* The listening sockets of one listener: with --insecure and a wildcard
 * address, both loopbacks (127.0.0.1 and ::1, the latter when the host
 * has IPv6); otherwise the address given. */
static int open_listener(const SrvConfig *c, const char *what, const char *addr, int *fds,
                         int *nfds, StErr *err)
{
	*nfds = 0;
	char host[256];
	uint16_t port;
	int rc = srv_split_addr(addr, host, sizeof host, &port, err);
	if (rc)
		return err_prefix(err, "--%s", what);
	bool wildcard = !host[0] || !strcmp(host, "::") || !strcmp(host, "0.0.0.0");
	if (c->insecure && wildcard) {
		char a[64];
		snprintf(a, sizeof a, "127.0.0.1:%u", port);
		if ((rc = srv_listen(a, &fds[0], err)) != 0)
			return rc;
		*nfds = 1;
		snprintf(a, sizeof a, "[::1]:%u", port);
		StErr e6 = {0};
		if (srv_listen(a, &fds[1], &e6) == STELE_OK)
			*nfds = 2;
		return STELE_OK;
	}
	if (c->insecure && !is_loopback(addr))
		return failf(err, STELE_EINVAL,
		             "--insecure listens on loopback only; --%s %s is not a loopback address", what,
		             addr);
	if ((rc = srv_listen(addr, &fds[0], err)) != 0)
		return rc;
	*nfds = 1;
	return STELE_OK;
}

static int tls_setup(Server *s, StErr *err)
{
	const SrvConfig *c = &s->cfg;
	if (!c->tls_cert[0] && !c->tls_key[0])
		return STELE_OK;
	if (!c->tls_cert[0] || !c->tls_key[0])
		return failf(err, STELE_EINVAL, "TLS needs both --tls-cert and --tls-key");
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx)
		return failf(err, STELE_ENOMEM, "could not create a TLS context");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	char ebuf[256];
	if (SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert) != 1) {
		ERR_error_string_n(ERR_get_error(), ebuf, sizeof ebuf);
		SSL_CTX_free(ctx);
		return failf(err, STELE_EINVAL, "could not load TLS certificate \"%s\": %s", c->tls_cert,
		             ebuf);
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, c->tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ERR_error_string_n(ERR_get_error(), ebuf, sizeof ebuf);
		SSL_CTX_free(ctx);
		return failf(err, STELE_EINVAL, "could not load TLS key \"%s\": %s", c->tls_key, ebuf);
	}
	s->tls = ctx;
	return STELE_OK;
}

typedef struct Post {
	void (*fn)(void *arg);
	void *arg;
} Post;

static void post_cb(evutil_socket_t fd, short what, void *arg)
{
	Post p = *(Post *)arg;
	free(arg);
	p.fn(p.arg);
}

int srv_post(Server *s, void (*fn)(void *arg), void *arg)
{
	Post *p = malloc(sizeof *p);
	if (!p)
		return STELE_ENOMEM;
	*p = (Post){fn, arg};
	struct timeval zero = {0, 0};
	if (event_base_once(s->base, -1, EV_TIMEOUT, post_cb, p, &zero) != 0) {
		free(p);
		return STELE_ENOMEM;
	}
	return STELE_OK;
}

/* ---- shutdown ---- */

typedef struct Run {
	Server *s;
	struct event *sigterm, *sigint, *drain;
	int signals;
	int64_t stop_ns;
} Run;

static void drain_cb(evutil_socket_t fd, short what, void *arg)
{
	Run *r = arg;
	uint32_t h = r->s->http ? http_active(r->s) : 0;
	uint32_t p = r->s->pg ? pgw_active(r->s) : 0;
	if (h == 0 && p == 0) {
		event_base_loopexit(r->s->base, NULL);
		return;
	}
	if (time_mono_ns() - r->stop_ns > 5 * 1000000000LL && ((time_mono_ns() - r->stop_ns) / 1000000000LL) % 5 == 0)
		log_info("shutting down: waiting for %u HTTP requests and %u PostgreSQL sessions", h, p);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	Run *r = arg;
	if (++r->signals > 1) {
		/* Acknowledged writes are in the WAL already. */
		static const char msg[] = "stele serve: second signal, exiting now\n";
		ssize_t w = write(2, msg, sizeof msg - 1);
		(void)w;
		_exit(1);
	}
	log_warn("received %s: shutting down (a second signal exits at once)",
	         sig == SIGTERM ? "SIGTERM" : "SIGINT");
	atomic_store(&r->s->stopping, true);
	if (r->s->http)
		http_stop(r->s);
	if (r->s->pg)
		pgw_stop(r->s);
	r->stop_ns = time_mono_ns();
	struct timeval tv = {0, 20000};
	r->drain = event_new(r->s->base, -1, EV_PERSIST, drain_cb, r);
	if (r->drain)
		event_add(r->drain, &tv);
	else
		event_base_loopexit(r->s->base, NULL);
}

int srv_run(const SrvConfig *cfg, StErr *err)
{
	if (!cfg->data[0])
		return failf(err, STELE_EINVAL, "--data ROOT is required");
	if (!cfg->http[0] && !cfg->pg[0])
		return failf(err, STELE_EINVAL, "both listeners are off (--http off --pg off)");
	Server *s = calloc(1, sizeof *s);
	if (!s)
		return failf(err, STELE_ENOMEM, "out of memory");
	s->cfg = *cfg;
	s->started_ns = time_now_ns();
	int hfds[2], pfds[2], nh = 0, np = 0;
	Run r = {.s = s};
	signal(SIGPIPE, SIG_IGN);
	evthread_use_pthreads();
	int rc = metrics_new(&s->metrics) ? failf(err, STELE_ENOMEM, "out of memory") : STELE_OK;
	if (rc == STELE_OK)
		rc = dbreg_new(cfg->data, &cfg->db, &s->reg, err);
	if (rc == STELE_OK)
		rc = auth_new(cfg->data, cfg->insecure, &s->auth, err);
	if (rc == STELE_OK && !cfg->insecure && auth_count(s->auth) == 0)
		rc = failf(err, STELE_EINVAL,
		           "no access token is configured: create one with \"stele token create --data "
		           "%s --name NAME --admin\", or start with --insecure (loopback only, no "
		           "authentication)", cfg->data);
	if (rc == STELE_OK)
		rc = tls_setup(s, err);
	if (rc == STELE_OK && cfg->http[0])
		rc = open_listener(cfg, "http", cfg->http, hfds, &nh, err);
	if (rc == STELE_OK && cfg->pg[0])
		rc = open_listener(cfg, "pg", cfg->pg, pfds, &np, err);
	if (rc == STELE_OK && !(s->base = event_base_new()))
		rc = failf(err, STELE_ENOMEM, "could not create the event loop");
	if (rc == STELE_OK)
		rc = workq_new(cfg->workers, &s->wq, err);
	if (rc == STELE_OK && nh) {
		rc = http_start(s, hfds, nh, err);
		nh = 0;
	}
	if (rc == STELE_OK && np) {
		rc = pgw_start(s, pfds, np, err);
		np = 0;
	}
	if (rc == STELE_OK) {
		r.sigterm = evsignal_new(s->base, SIGTERM, signal_cb, &r);
		r.sigint = evsignal_new(s->base, SIGINT, signal_cb, &r);
		if (!r.sigterm || !r.sigint || event_add(r.sigterm, NULL) || event_add(r.sigint, NULL))
			rc = failf(err, STELE_ENOMEM, "could not install signal handlers");
	}
	if (rc == STELE_OK) {
		log_warn("serving %s: http %s, postgresql %s%s%s", cfg->data,
		         cfg->http[0] ? cfg->http : "off", cfg->pg[0] ? cfg->pg : "off",
		         s->tls ? ", TLS" : "", cfg->insecure ? ", insecure (loopback only)" : "");
		fflush(stderr);
		event_base_dispatch(s->base);
	}
	for (int i = 0; i < nh; i++)
		close(hfds[i]);
	for (int i = 0; i < np; i++)
		close(pfds[i]);
	/* The loop has ended: finish what the workers hold, then close. */
	workq_free(s->wq);
	if (s->http)
		http_free(s);
	if (s->pg)
		pgw_free(s);
	if (r.drain)
		event_free(r.drain);
	if (r.sigterm)
		event_free(r.sigterm);
	if (r.sigint)
		event_free(r.sigint);
	StErr ce = {0};
	int crc = dbreg_free(s->reg, &ce);
	if (rc == STELE_OK && crc != STELE_OK) {
		rc = crc;
		*err = ce;
	}
	auth_free(s->auth);
	metrics_free(s->metrics);
	if (s->base)
		event_base_free(s->base);
	if (s->tls)
		SSL_CTX_free(s->tls);
	free(s);
	if (rc == STELE_OK)
		log_warn("stopped");
	return rc;
}
