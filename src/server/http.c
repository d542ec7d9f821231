/*
 * http.c - the HTTP listener (http.h): libevent's evhttp on the loop
 * thread, routing, authentication, connection accounting and replies.
 * Writes (http_write.c) and SQL (http_sql.c) run on the workers.
 *
 * Life of a request: evhttp calls on_request on the loop thread with the
 * whole body read (up to --max-body, else evhttp answers 413). Cheap
 * requests (/ping, /health, /metrics, refusals) are answered there. A
 * write or SQL request becomes an HttpJob that owns the body and is pushed
 * to the workers; the worker builds the reply and posts it back with
 * srv_post (http_reply / http_chunk below run on the loop thread), because
 * an evhttp_request may be touched on the loop thread only. `active`
 * counts requests between arrival and reply; shutdown waits for it to be 0.
 *
 * Connections: evhttp has no connection limit, so the first request on a
 * connection registers it (and its close callback) here; past
 * --max-connections a request is answered 503 and its connection closed.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/ssl.h>

#include "server/auth.h"
#include "server/http.h"
#include "server/http_body.h"
#include "server/http_int.h"
#include "server/metrics.h"
#include "server/work.h"
#include "sql/text.h"
#include "storage/db.h"
#include "util/log.h"
#include "util/timeutil.h"

typedef struct Conn {
	struct evhttp_connection *evcon;
	HttpJob *job;            /* the request being answered by a worker */
} Conn;

struct Http {
	Server *s;
	struct evhttp *eh;
	struct evhttp_bound_socket *bound[2];
	int nbound;
	uint32_t active;         /* requests not yet answered */
	Conn *conns;             /* connections that sent a request */
	uint32_t nconns, cap;
};

/* ---- replies (loop thread) ---- */

static Conn *find_conn(Http *h, struct evhttp_connection *evcon)
{
	for (uint32_t i = 0; i < h->nconns; i++)
		if (h->conns[i].evcon == evcon)
			return &h->conns[i];
	return NULL;
}

void http_send(Http *h, struct evhttp_request *req, int code, const char *ctype, const char *body,
               size_t len)
{
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	if (ctype)
		evhttp_add_header(oh, "Content-Type", ctype);
	if (code >= 400)
		metrics_add(h->s->metrics, M_HTTP_ERRORS, 1);
	if (atomic_load(&h->s->stopping))
		evhttp_add_header(oh, "Connection", "close");
	struct evbuffer *b = evbuffer_new();
	if (b && len)
		evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, NULL, b);
	if (b)
		evbuffer_free(b);
}

void http_send_error(Http *h, struct evhttp_request *req, int code, const char *msg)
{
	Buf b = {0};
	buf_put(&b, "{\"error\":", 9);
	sqltext_json(&b, msg, strlen(msg));
	buf_put(&b, "}\n", 2);
	http_send(h, req, code, "application/json", b.failed ? "" : (const char *)b.data,
	          b.failed ? 0 : b.len);
	buf_free(&b);
}

/* A request is done: forget its job, count it. */
static void finish(Http *h, HttpJob *j)
{
	Conn *c = j->evcon ? find_conn(h, j->evcon) : NULL;
	if (c && c->job == j)
		c->job = NULL;
	h->active--;
}

void http_job_free(HttpJob *j)
{
	if (!j)
		return;
	if (j->body)
		evbuffer_free(j->body);
	if (j->pending_bytes)
		metrics_gauge(j->s->metrics, G_PENDING_BYTES, -(int64_t)j->pending_bytes);
	evhttp_clear_headers(&j->query);
	buf_free(&j->out);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j->sql);
	free(j);
}

/* Loop thread: the worker's complete reply. */
static void reply_cb(void *arg)
{
	HttpJob *j = arg;
	Http *h = j->h;
	for (uint32_t i = 0; i < j->nheaders; i++)
		evhttp_add_header(evhttp_request_get_output_headers(j->req), j->headers[i][0],
		                  j->headers[i][1]);
	http_send(h, j->req, j->code, j->ctype, (const char *)j->out.data, j->out.len);
	finish(h, j);
	http_job_free(j);
}

void http_job_reply(HttpJob *j)
{
	if (srv_post(j->s, reply_cb, j) != STELE_OK) {
		/* The loop is out of memory; nothing better to do than wait. */
		while (srv_post(j->s, reply_cb, j) != STELE_OK)
			usleep(1000);
	}
}

void http_job_header(HttpJob *j, const char *name, const char *value)
{
	if (j->nheaders < HTTP_JOB_HEADERS) {
		snprintf(j->headers[j->nheaders][0], sizeof j->headers[0][0], "%s", name);
		snprintf(j->headers[j->nheaders][1], sizeof j->headers[0][1], "%s", value);
		j->nheaders++;
	}
}

/* ---- streaming (a large SQL result) ---- */

static void chunk_done(struct evhttp_connection *evcon, void *arg)
{
	HttpJob *j = arg;
	pthread_mutex_lock(&j->mu);
	j->unsent = false;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

typedef struct Chunk {
	HttpJob *j;
	struct evbuffer *b;
	int kind;                /* 0 first, 1 more, 2 last */
} Chunk;

static void chunk_cb(void *arg)
{
	Chunk *c = arg;
	HttpJob *j = c->j;
	Http *h = j->h;
	bool gone = evhttp_request_get_connection(j->req) == NULL;
	if (c->kind == 0 && !gone) {
		struct evkeyvalq *oh = evhttp_request_get_output_headers(j->req);
		evhttp_add_header(oh, "Content-Type", j->ctype);
		evhttp_send_reply_start(j->req, 200, "OK");
	}
	if (!gone && evbuffer_get_length(c->b))
		evhttp_send_reply_chunk_with_cb(j->req, c->b, chunk_done, j);
	else
		chunk_done(NULL, j);
	if (gone) {
		pthread_mutex_lock(&j->mu);
		j->gone = true;
		pthread_cond_signal(&j->cv);
		pthread_mutex_unlock(&j->mu);
	}
	evbuffer_free(c->b);
	if (c->kind == 2) {
		/* Frees the request, also when its connection is gone. */
		evhttp_send_reply_end(j->req);
		finish(h, j);
		http_job_free(j);
	}
	free(c);
}

bool http_job_stream(HttpJob *j, bool last)
{
	pthread_mutex_lock(&j->mu);
	while (j->unsent && !j->gone)
		pthread_cond_wait(&j->cv, &j->mu);
	bool gone = j->gone;
	j->unsent = !last;
	pthread_mutex_unlock(&j->mu);
	Chunk *c = malloc(sizeof *c);
	struct evbuffer *b = evbuffer_new();
	while (!c || !b) {
		usleep(1000);
		if (!c)
			c = malloc(sizeof *c);
		if (!b)
			b = evbuffer_new();
	}
	if (!gone && j->out.len)
		evbuffer_add(b, j->out.data, j->out.len);
	buf_reset(&j->out);
	/* A reply that is one chunk in all goes out whole (http_job_reply). */
	assert(j->streaming || !last);
	*c = (Chunk){j, b, !j->streaming ? 0 : last ? 2 : 1};
	j->streaming = true;
	while (srv_post(j->s, chunk_cb, c) != STELE_OK)
		usleep(1000);
	return !gone;
}

/* ---- authentication ---- */

static const char *query_get(const struct evkeyvalq *q, const char *k)
{
	return evhttp_find_header(q, k);
}

int http_authenticate(Http *h, struct evhttp_request *req, const struct evkeyvalq *query,
                      AuthToken *tok, const char **why)
{
	Auth *a = h->s->auth;
	if (auth_insecure(a)) {
		memset(tok, 0, sizeof *tok);
		snprintf(tok->name, sizeof tok->name, "insecure");
		tok->admin = true;
		return 0;
	}
	const char *hdr = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	char secret[AUTH_SECRET_MAX * 2];
	secret[0] = '\0';
	if (hdr) {
		while (*hdr == ' ')
			hdr++;
		if (strncasecmp(hdr, "Token ", 6) == 0 || strncasecmp(hdr, "Bearer ", 7) == 0) {
			const char *v = hdr + (hdr[0] == 'T' || hdr[0] == 't' ? 6 : 7);
			while (*v == ' ')
				v++;
			snprintf(secret, sizeof secret, "%s", v);
		} else if (strncasecmp(hdr, "Basic ", 6) == 0) {
			if (http_basic_secret(hdr + 6, secret, sizeof secret) != 0) {
				*why = "malformed Basic credentials";
				return 401;
			}
		} else {
			*why = "unsupported Authorization scheme (use Token, Bearer or Basic)";
			return 401;
		}
	} else {
		const char *p = query_get(query, "p");
		if (p)
			snprintf(secret, sizeof secret, "%s", p);
	}
	if (!secret[0]) {
		*why = "authorization failed: no token given";
		return 401;
	}
	if (auth_by_secret(a, secret, strlen(secret), tok) != STELE_OK) {
		*why = "authorization failed";
		return 401;
	}
	return 0;
}

/* Refuses a request for authentication or authorization. */
void http_refuse(Http *h, struct evhttp_request *req, int code, const char *msg)
{
	metrics_add(h->s->metrics, M_AUTH_FAILURES, 1);
	if (code == 401)
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
		                  "Token realm=\"stele\"");
	http_send_error(h, req, code, msg);
}

/* ---- routing ---- */

static void conn_closed(struct evhttp_connection *evcon, void *arg)
{
	Http *h = arg;
	for (uint32_t i = 0; i < h->nconns; i++) {
		if (h->conns[i].evcon != evcon)
			continue;
		HttpJob *j = h->conns[i].job;
		if (j) {
			pthread_mutex_lock(&j->mu);
			j->gone = true;
			j->evcon = NULL;
			pthread_cond_signal(&j->cv);
			pthread_mutex_unlock(&j->mu);
		}
		h->conns[i] = h->conns[--h->nconns];
		metrics_gauge(h->s->metrics, G_OPEN_HTTP, -1);
		return;
	}
}

/* Registers the request's connection; false when over the limit. */
static bool track(Http *h, struct evhttp_request *req, Conn **out)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	*out = NULL;
	if (!evcon)
		return true;
	Conn *c = find_conn(h, evcon);
	if (c) {
		*out = c;
		return true;
	}
	if (h->nconns >= h->s->cfg.max_connections)
		return false;
	if (h->nconns == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 64;
		Conn *a = realloc(h->conns, cap * sizeof *a);
		if (!a)
			return false;
		h->conns = a;
		h->cap = cap;
	}
	c = &h->conns[h->nconns++];
	*c = (Conn){evcon, NULL};
	evhttp_connection_set_closecb(evcon, conn_closed, h);
	metrics_add(h->s->metrics, M_CONNECTIONS_HTTP, 1);
	metrics_gauge(h->s->metrics, G_OPEN_HTTP, 1);
	*out = c;
	return true;
}

HttpJob *http_job_new(Http *h, struct evhttp_request *req, const char *path)
{
	HttpJob *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->h = h;
	j->s = h->s;
	j->req = req;
	j->evcon = evhttp_request_get_connection(req);
	j->code = 200;
	j->ctype = "application/json";
	j->received_ns = time_mono_ns();
	TAILQ_INIT(&j->query);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	snprintf(j->path, sizeof j->path, "%s", path);
	return j;
}

/* Hands j to the workers; the request is answered from there. */
static void dispatch(Http *h, Conn *c, HttpJob *j, void (*fn)(void *arg))
{
	if (c)
		c->job = j;
	if (workq_push(h->s->wq, fn, j) != STELE_OK) {
		if (c)
			c->job = NULL;
		http_send_error(h, j->req, 503, "out of memory");
		http_job_free(j);
		return;
	}
	h->active++;
}

static void on_ping(Http *h, struct evhttp_request *req)
{
	struct evkeyvalq *oh = evhttp_request_get_output_headers(req);
	evhttp_add_header(oh, "X-Influxdb-Version", "1.8.10-stele");
	evhttp_add_header(oh, "X-Influxdb-Build", "OSS");
	http_send(h, req, 204, NULL, NULL, 0);
}

typedef struct Health {
	int failed;
	Buf *b;
} Health;

static void health_db(void *arg, const char *name, stele_db *db)
{
	Health *hc = arg;
	char msg[STELE_ERR_MSG_MAX];
	pthread_mutex_lock(&db->mu);
	bool fatal = db->fatal != 0;
	if (fatal)
		snprintf(msg, sizeof msg, "%s", db->fatal_msg);
	pthread_mutex_unlock(&db->mu);
	if (fatal) {
		hc->failed++;
		buf_put(hc->b, hc->failed > 1 ? "," : "", hc->failed > 1);
		buf_put(hc->b, "{\"name\":", 8);
		sqltext_json(hc->b, name, strlen(name));
		buf_put(hc->b, ",\"status\":\"fail\",\"message\":", 27);
		sqltext_json(hc->b, msg, strlen(msg));
		buf_put(hc->b, "}", 1);
	}
}

static void on_health(Http *h, struct evhttp_request *req)
{
	Buf checks = {0}, b = {0};
	Health hc = {0, &checks};
	dbreg_each(h->s->reg, health_db, &hc);
	bool stopping = atomic_load(&h->s->stopping);
	const char *status = hc.failed || stopping ? "fail" : "pass";
	char head[256];
	snprintf(head, sizeof head,
	         "{\"name\":\"stele\",\"status\":\"%s\",\"message\":\"%s\",\"version\":\"0.1\","
	         "\"checks\":[",
	         status,
	         stopping ? "shutting down" : hc.failed ? "a database stopped taking writes"
	                                                : "ready for queries and writes");
	buf_put(&b, head, strlen(head));
	buf_put(&b, checks.data, checks.len);
	buf_put(&b, "]}\n", 3);
	http_send(h, req, hc.failed || stopping ? 503 : 200, "application/json",
	          b.failed ? "" : (const char *)b.data, b.failed ? 0 : b.len);
	buf_free(&b);
	buf_free(&checks);
}

static void on_metrics(Http *h, struct evhttp_request *req, const struct evkeyvalq *q)
{
	AuthToken tok;
	const char *why = NULL;
	int code = http_authenticate(h, req, q, &tok, &why);
	if (code) {
		http_refuse(h, req, code, why);
		return;
	}
	Buf b = {0};
	metrics_render(h->s, &b);
	if (b.failed)
		http_send_error(h, req, 500, "out of memory");
	else
		http_send(h, req, 200, "text/plain; version=0.0.4", (const char *)b.data, b.len);
	buf_free(&b);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	Http *h = arg;
	Server *s = h->s;
	metrics_add(s->metrics, M_HTTP_REQUESTS, 1);
	Conn *c;
	if (!track(h, req, &c)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
		http_send_error(h, req, 503, "too many connections (max-connections)");
		return;
	}
	if (atomic_load(&s->stopping)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "5");
		http_send_error(h, req, 503, "the server is shutting down");
		return;
	}
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	const char *qs = uri ? evhttp_uri_get_query(uri) : NULL;
	if (!path || !*path)
		path = "/";
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	HttpJob *j = http_job_new(h, req, path);
	if (!j) {
		http_send_error(h, req, 503, "out of memory");
		return;
	}
	if (qs && evhttp_parse_query_str(qs, &j->query) != 0) {
		http_send_error(h, req, 400, "malformed query string");
		http_job_free(j);
		return;
	}
	bool get = cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD;
	bool post = cmd == EVHTTP_REQ_POST;
	void (*work)(void *) = NULL;
	if (!strcmp(path, "/ping")) {
		on_ping(h, req);
	} else if (!strcmp(path, "/health")) {
		on_health(h, req);
	} else if (!strcmp(path, "/metrics") && get) {
		on_metrics(h, req, &j->query);
	} else if (!strcmp(path, "/write") || !strcmp(path, "/api/v2/write")) {
		if (!post) {
			evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "POST");
			http_send_error(h, req, 405, "use POST to write");
		} else if (http_write_accept(h, j)) {
			work = http_write_work;
		}
	} else if (!strcmp(path, "/api/v1/sql")) {
		if (!get && !post) {
			evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, POST");
			http_send_error(h, req, 405, "use GET or POST for SQL");
		} else if (http_sql_accept(h, j)) {
			work = http_sql_work;
		}
	} else if (!strcmp(path, "/metrics")) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET");
		http_send_error(h, req, 405, "use GET for metrics");
	} else {
		char msg[200];
		snprintf(msg, sizeof msg, "no such endpoint: %.100s", path);
		http_send_error(h, req, 404, msg);
	}
	if (work)
		dispatch(h, c, j, work);
	else
		http_job_free(j);
}

/* Each connection's bufferevent: over TLS it wraps an SSL object. Reads
 * take up to 1 MiB at a time (libevent's default is 16 KiB), so a large
 * write body costs a few syscalls, not hundreds. */
#define READ_MAX (1 << 20)

static struct bufferevent *conn_bev(struct event_base *base, void *arg)
{
	Http *h = arg;
	struct bufferevent *bev;
	if (h->s->tls) {
		SSL *ssl = SSL_new(h->s->tls);
		if (!ssl)
			return NULL;
		bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
		                                     BEV_OPT_CLOSE_ON_FREE);
	} else {
		bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	}
	if (bev)
		bufferevent_set_max_single_read(bev, READ_MAX);
	return bev;
}

int http_start(Server *s, const int *fds, int nfds, StErr *err)
{
	Http *h = calloc(1, sizeof *h);
	if (!h) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		return failf(err, STELE_ENOMEM, "out of memory");
	}
	h->s = s;
	s->http = h;
	h->eh = evhttp_new(s->base);
	if (!h->eh) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		return failf(err, STELE_ENOMEM, "could not create the HTTP server");
	}
	evhttp_set_max_body_size(h->eh, (ev_ssize_t)s->cfg.max_body);
	evhttp_set_max_headers_size(h->eh, 64 * 1024);
	evhttp_set_timeout(h->eh, (int)s->cfg.idle_timeout_s);
	evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
	                                      EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                                      EVHTTP_REQ_OPTIONS);
	evhttp_set_default_content_type(h->eh, "application/json");
	/* Over --max-body: read the rest before closing, so the client sees the 413. */
	evhttp_set_flags(h->eh, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_gencb(h->eh, on_request, h);
	evhttp_set_bevcb(h->eh, conn_bev, h);
	for (int i = 0; i < nfds; i++) {
		h->bound[i] = evhttp_accept_socket_with_handle(h->eh, fds[i]);
		if (!h->bound[i]) {
			for (int k = i; k < nfds; k++)
				close(fds[k]);
			return failf(err, STELE_EIO, "could not accept HTTP connections");
		}
		h->nbound = i + 1;
	}
	return STELE_OK;
}

void http_stop(Server *s)
{
	Http *h = s->http;
	for (int i = 0; i < h->nbound; i++)
		evhttp_del_accept_socket(h->eh, h->bound[i]);
	h->nbound = 0;
}

uint32_t http_active(Server *s)
{
	return s->http->active;
}

void http_free(Server *s)
{
	Http *h = s->http;
	if (!h)
		return;
	if (h->eh)
		evhttp_free(h->eh);
	free(h->conns);
	free(h);
	s->http = NULL;
}
