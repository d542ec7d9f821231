/*
 * pgwire.c - the PostgreSQL listener (pgwire.h): accepting, connections,
 * moving bytes, TLS, timeouts, cancellation and shutdown. What the bytes
 * mean is decided on the workers (pgauth.c, pgquery.c, pgcopy.c); this
 * file never decodes a message.
 *
 * A connection (PgConn, pg_int.h) carries one session:
 *
 *   loop thread                         worker (one job at a time)
 *   -----------                         --------------------------
 *   accept: PgConn, bufferevent,
 *     auth deadline, refs = 1
 *   read_cb: no job running?  ───push──▶ job: while a whole message is in
 *     else kick = true                     the input: take it, handle it
 *                                          (decode, authenticate, run SQL,
 *                                          encode the answer into sess.out);
 *                                          flush sess.out to the bufferevent,
 *                                          waiting while the socket holds
 *                                          more than 1 MiB; then, unless
 *   write_cb: output drained below ◀─────   kick came meanwhile, running = 0
 *     256 KiB: signal the waiter
 *   wake: close after the output       ◀─── want_close / want_tls + event_active
 *     is written; answer 'S', TLS
 *   event_cb: EOF, error, timeouts
 *   close: bev freed, closed = 1,
 *     the running statement cancelled,
 *     waiters woken, loop's ref dropped
 *
 * So a session's messages are handled in order, one job at a time, and a
 * slow statement holds one worker, never the loop. Input is bounded by
 * the read high watermark (--max-line plus 64 KiB: libevent stops reading
 * until the job drains it); output by the wait above.
 *
 * Locks: c->mu guards what pg_int.h marks (mu), and the bufferevent
 * pointer: a worker uses the bufferevent only under c->mu, and the loop
 * frees it under c->mu, so a worker never touches a freed one. Callbacks
 * are deferred and unlocked (BEV_OPT_DEFER_CALLBACKS |
 * BEV_OPT_UNLOCK_CALLBACKS), so libevent holds no bufferevent lock when it
 * calls into this file and the order is always c->mu, then libevent's.
 * pg->mu guards the list of connections for CancelRequest lookups (taken
 * before a c->mu, never after); only the loop thread changes the list.
 *
 * Lifetime: a PgConn is freed when its last reference goes: the loop's
 * (until closed) or a job's (one per queued or running job). A worker
 * asks the loop for something only while the connection is open (checked
 * under c->mu), through the connection's own `wake` event, which the loop
 * frees when it closes; the loop does not end while a connection is open
 * (shutdown waits for pgw_active() == 0), so no request is ever lost.
 *
 * TLS: an SSLRequest is answered by the loop: 'S' written on the socket
 * itself (the input must hold nothing more: "received unencrypted data
 * after SSL request"), the plain bufferevent let go of its fd, and an
 * OpenSSL bufferevent made on the fd (accepting; the SSL_CTX is
 * server.c's, TLS 1.2 or later). 'N' without a TLS context.
 *
 * Limits: past --max-connections a session is refused at its startup
 * packet (53300); 16 more are let in for that refusal, and further ones
 * are closed at once. A session must authenticate within 60 s (or
 * --idle-timeout when shorter); an idle session is closed after
 * --idle-timeout (57P05), a client that reads nothing for that long too.
 *
 * Closing after a last answer (a FATAL, Terminate): once the output is
 * written the connection closes; when the client has sent more than was
 * read, the write side is shut first and its input dropped until it
 * closes (2 s at most), so that closing with unread input does not reset
 * the connection and lose the answer on the way (finish_close).
 *
 * Shutdown (pgw_stop): the listeners close; idle sessions get FATAL
 * 57P01 and are closed at once; a session whose job runs finishes the
 * statement it runs, then its job answers 57P01 and closes.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "server/metrics.h"
#include "server/pg_int.h"
#include "server/pgwire.h"
#include "server/work.h"
#include "util/log.h"

#define PG_EXTRA_CONNECTIONS 16   /* let in past the limit, to be refused */
#define BEV_OPTS (BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE | BEV_OPT_DEFER_CALLBACKS | \
                  BEV_OPT_UNLOCK_CALLBACKS)

struct PgServer {
	Server *s;
	struct evconnlistener *lis[2];
	int nlis;
	pthread_mutex_t mu;      /* conns (changed on the loop thread only) */
	PgConn *conns;
	uint32_t nopen;          /* (mu) */
	int32_t next_pid;
	bool stopping;           /* loop thread */
	uint8_t mock_key[32];
};

static void conn_close(PgConn *c);
static void job(void *arg);

/* ---- references ---- */

static void conn_unref(PgConn *c)
{
	pthread_mutex_lock(&c->mu);
	int r = --c->refs;
	pthread_mutex_unlock(&c->mu);
	if (r > 0)
		return;
	pgq_free(&c->sess);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

/* Queues the session's job unless one runs. c->mu held. */
static void schedule_locked(PgConn *c)
{
	if (c->closed || c->want_close || c->want_tls)
		return;
	if (c->running) {
		c->kick = true;
		return;
	}
	c->running = true;
	c->refs++;
	if (workq_push(c->s->wq, job, c) != STELE_OK) {
		c->running = false;
		c->refs--;
		c->want_close = true;
		event_active(c->wake, EV_READ, 0);
	}
}

/* ---- loop thread: callbacks ---- */

/* Writes a FATAL ErrorResponse and closes once it is written. For a
 * session without a running job only (the loop writes then, no one else). */
static void loop_fatal(PgConn *c, const char *code, const char *msg)
{
	Buf b = {0};
	PgError e = {.severity = "FATAL", .code = code, .message = msg};
	pgp_error(&b, &e);
	pthread_mutex_lock(&c->mu);
	if (c->bev && !b.failed)
		bufferevent_write(c->bev, b.data, b.len);
	c->want_close = true;
	if (!c->closed)
		event_active(c->wake, EV_READ, 0);
	pthread_mutex_unlock(&c->mu);
	buf_free(&b);
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	PgConn *c = arg;
	if (c->lingering) {
		evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
		return;
	}
	pthread_mutex_lock(&c->mu);
	schedule_locked(c);
	pthread_mutex_unlock(&c->mu);
}

/* The last answer is written: close, but when the client has sent more
 * than was read, first shut the write side and drop what comes until it
 * closes (or a moment passes), so that its unread input does not make
 * the close a reset that loses the answer (a FATAL) on the way. */
static void finish_close(PgConn *c)
{
	struct bufferevent *bev = c->bev;
	if (!bev || c->lingering) {
		if (!bev)
			conn_close(c);
		return;
	}
	evutil_socket_t fd = bufferevent_getfd(bev);
	int unread = 0;
	if (fd >= 0 && ioctl(fd, FIONREAD, &unread) != 0)
		unread = 0;
	if (unread == 0 && evbuffer_get_length(bufferevent_get_input(bev)) == 0) {
		conn_close(c);
		return;
	}
	c->lingering = true;
	shutdown(fd, SHUT_WR);
	evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
	struct timeval tv = {c->stop ? 0 : 2, c->stop ? 500000 : 0};
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	bufferevent_enable(bev, EV_READ);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
	PgConn *c = arg;
	pthread_mutex_lock(&c->mu);
	pthread_cond_broadcast(&c->cv);
	bool done = c->want_close && c->bev &&
	            evbuffer_get_length(bufferevent_get_output(c->bev)) == 0;
	pthread_mutex_unlock(&c->mu);
	if (done)
		finish_close(c);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	PgConn *c = arg;
	if (c->lingering || (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))) {
		conn_close(c);
		return;
	}
	if (!(what & BEV_EVENT_TIMEOUT))
		return;
	if (what & BEV_EVENT_WRITING) {
		/* The client has read nothing for --idle-timeout. */
		conn_close(c);
		return;
	}
	pthread_mutex_lock(&c->mu);
	bool busy = c->running;
	if (busy && c->bev)
		bufferevent_enable(c->bev, EV_READ);   /* a statement runs: not idle */
	pthread_mutex_unlock(&c->mu);
	if (!busy)
		loop_fatal(c, "57P05", "terminating connection due to idle-session timeout");
}

static void setup_bev(PgConn *c, struct bufferevent *bev)
{
	const SrvConfig *cfg = &c->s->cfg;
	bufferevent_setcb(bev, read_cb, write_cb, event_cb, c);
	bufferevent_setwatermark(bev, EV_READ, 0, cfg->max_line + 5 + 64 * 1024);
	bufferevent_setwatermark(bev, EV_WRITE, PG_OUT_LOW, 0);
	struct timeval tv = {(time_t)cfg->idle_timeout_s, 0};
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/* The worker answered an SSLRequest with "yes": 'S' on the socket, then
 * TLS on the same fd. c->mu held; c->running stays set from the job until
 * here. False when the client sent more after its SSLRequest (the caller
 * refuses that). */
static bool start_tls(PgConn *c)
{
	struct bufferevent *plain = c->bev;
	evutil_socket_t fd = bufferevent_getfd(plain);
	c->running = false;
	if (evbuffer_get_length(bufferevent_get_input(plain)) > 0)
		return false;
	SSL *ssl = SSL_new(c->s->tls);
	if (!ssl || send(fd, "S", 1, MSG_NOSIGNAL) != 1) {
		SSL_free(ssl);
		c->want_close = true;
		return true;
	}
	bufferevent_setfd(plain, -1);  /* the fd passes to the TLS bufferevent */
	bufferevent_free(plain);
	struct bufferevent *tls = bufferevent_openssl_socket_new(
		c->s->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPTS);
	c->bev = tls;
	if (!tls) {
		SSL_free(ssl);
		close(fd);
		c->want_close = true;
		return true;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(tls, 1);
	setup_bev(c, tls);
	if (evbuffer_get_length(bufferevent_get_input(tls)))
		schedule_locked(c);
	return true;
}

/* A worker's request (want_close, want_tls). */
static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	PgConn *c = arg;
	pthread_mutex_lock(&c->mu);
	if (c->closed) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	bool unencrypted = false;
	if (c->want_tls) {
		c->want_tls = false;
		unencrypted = !start_tls(c);
		if (c->stop)
			c->want_close = true;   /* stopping: no handshake now */
	}
	bool close_now = false;
	if (c->want_close) {
		if (!c->bev || evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
			close_now = true;
		else
			/* write_cb closes when the output is empty. */
			bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	}
	pthread_mutex_unlock(&c->mu);
	if (unencrypted)
		loop_fatal(c, "08P01", "received unencrypted data after SSL request");
	else if (close_now)
		finish_close(c);
}

static void auth_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	PgConn *c = arg;
	pthread_mutex_lock(&c->mu);
	bool authed = c->authed, busy = c->running;
	pthread_mutex_unlock(&c->mu);
	if (authed)
		return;
	if (busy) {
		/* Answer at a message boundary: look again in a second. */
		struct timeval tv = {1, 0};
		evtimer_add(c->auth_timer, &tv);
		return;
	}
	loop_fatal(c, "57014", "canceling authentication due to timeout");
}

/* Loop thread: closes the connection (idempotent). */
static void conn_close(PgConn *c)
{
	PgServer *pg = c->pg;
	pthread_mutex_lock(&c->mu);
	if (c->closed) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	c->closed = true;
	if (c->active)
		stele_stmt_cancel(c->active);   /* nobody will read its rows */
	struct bufferevent *bev = c->bev;
	c->bev = NULL;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (bev)
		bufferevent_free(bev);
	event_free(c->wake);
	c->wake = NULL;
	event_free(c->auth_timer);
	c->auth_timer = NULL;
	pthread_mutex_lock(&pg->mu);
	if (c->prev)
		c->prev->next = c->next;
	else
		pg->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pg->nopen--;
	pthread_mutex_unlock(&pg->mu);
	metrics_gauge(c->s->metrics, G_OPEN_PG, -1);
	conn_unref(c);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
	PgServer *pg = arg;
	Server *s = pg->s;
	metrics_add(s->metrics, M_CONNECTIONS_PG, 1);
	if (pg->stopping || pg->nopen >= s->cfg.max_connections + PG_EXTRA_CONNECTIONS) {
		close(fd);
		return;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	PgConn *c = calloc(1, sizeof *c);
	struct bufferevent *bev = c ? bufferevent_socket_new(s->base, fd, BEV_OPTS) : NULL;
	if (!bev) {
		free(c);
		close(fd);
		log_warn("postgresql: out of memory accepting a connection");
		return;
	}
	c->pg = pg;
	c->s = s;
	c->refs = 1;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->bev = bev;
	c->wake = event_new(s->base, -1, 0, wake_cb, c);
	c->auth_timer = evtimer_new(s->base, auth_timeout_cb, c);
	PgSess *ss = &c->sess;
	ss->state = PGS_STARTUP;
	ss->tx = 'I';
	ss->msg.max = (s->cfg.max_line > PGP_STARTUP_MAX ? s->cfg.max_line : PGP_STARTUP_MAX) + 64;
	ss->out.max = (size_t)1 << 30;
	ss->reject_full = pg->nopen >= s->cfg.max_connections;
	c->pid = ++pg->next_pid;
	if (pg->next_pid == INT32_MAX)
		pg->next_pid = 0;
	uint32_t key = 0;
	RAND_bytes((unsigned char *)&key, sizeof key);
	c->key = (int32_t)key;
	pthread_mutex_lock(&pg->mu);
	c->next = pg->conns;
	if (pg->conns)
		pg->conns->prev = c;
	pg->conns = c;
	pg->nopen++;
	pthread_mutex_unlock(&pg->mu);
	metrics_gauge(s->metrics, G_OPEN_PG, 1);
	if (!c->wake || !c->auth_timer) {
		conn_close(c);
		return;
	}
	uint32_t t = s->cfg.idle_timeout_s < PG_AUTH_TIMEOUT_S ? s->cfg.idle_timeout_s
	                                                        : PG_AUTH_TIMEOUT_S;
	struct timeval tv = {(time_t)t, 0};
	evtimer_add(c->auth_timer, &tv);
	setup_bev(c, bev);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	int e = EVUTIL_SOCKET_ERROR();
	log_warn("postgresql: accept failed: %s", evutil_socket_error_to_string(e));
}

/* ---- worker: the session's job and its I/O ---- */

int pgw_take(PgConn *c, bool startup, StErr *err)
{
	PgSess *ss = &c->sess;
	pthread_mutex_lock(&c->mu);
	if (!c->bev) {
		pthread_mutex_unlock(&c->mu);
		return 0;
	}
	struct evbuffer *in = bufferevent_get_input(c->bev);
	size_t have = evbuffer_get_length(in);
	uint8_t head[5];
	size_t hn = have < 5 ? have : 5;
	if (hn)
		evbuffer_copyout(in, head, hn);
	size_t total;
	int rc = pgp_frame(head, hn, startup, c->s->cfg.max_line, &total, err);
	if (rc == STELE_OK && (total == 0 || have < total)) {
		pthread_mutex_unlock(&c->mu);
		return 0;
	}
	if (rc == STELE_OK) {
		buf_reset(&ss->msg);
		if (!buf_reserve(&ss->msg, total)) {
			rc = failf(err, STELE_ENOMEM, "out of memory for a message of %zu bytes", total);
		} else {
			evbuffer_remove(in, ss->msg.data, total);
			ss->msg.len = total;
		}
	}
	pthread_mutex_unlock(&c->mu);
	return rc == STELE_OK ? 1 : -1;
}

size_t pgw_pending_input(PgConn *c)
{
	pthread_mutex_lock(&c->mu);
	size_t n = c->bev ? evbuffer_get_length(bufferevent_get_input(c->bev)) : 0;
	pthread_mutex_unlock(&c->mu);
	return n;
}

bool pgw_flush(PgConn *c)
{
	PgSess *ss = &c->sess;
	if (ss->out.failed) {
		/* A result that could not be encoded: say so instead. */
		buf_reset(&ss->out);
		PgError e = {.severity = "FATAL", .code = "53200",
		             .message = "out of memory encoding the result"};
		pgp_error(&ss->out, &e);
		ss->closing = true;
	}
	pthread_mutex_lock(&c->mu);
	if (c->bev && ss->out.len)
		bufferevent_write(c->bev, ss->out.data, ss->out.len);
	while (c->bev && evbuffer_get_length(bufferevent_get_output(c->bev)) > PG_OUT_HIGH)
		pthread_cond_wait(&c->cv, &c->mu);
	bool ok = c->bev != NULL;
	pthread_mutex_unlock(&c->mu);
	buf_reset(&ss->out);
	if (ss->out.cap > 4 * PG_OUT_HIGH) {
		size_t max = ss->out.max;
		buf_free(&ss->out);
		ss->out.max = max;
	}
	return ok;
}

void pgw_start_tls(PgConn *c)
{
	pthread_mutex_lock(&c->mu);
	if (!c->closed)
		c->want_tls = true;
	pthread_mutex_unlock(&c->mu);
}

void pgw_authed(PgConn *c)
{
	pthread_mutex_lock(&c->mu);
	c->authed = true;
	pthread_mutex_unlock(&c->mu);
}

void pgw_set_active(PgConn *c, stele_stmt *st)
{
	pthread_mutex_lock(&c->mu);
	c->active = st;
	if (st && c->closed)
		stele_stmt_cancel(st);
	pthread_mutex_unlock(&c->mu);
}

void pgw_cancel(PgServer *pg, int32_t pid, int32_t key)
{
	pthread_mutex_lock(&pg->mu);
	for (PgConn *c = pg->conns; c; c = c->next) {
		if (c->pid != pid || c->key != key)
			continue;
		pthread_mutex_lock(&c->mu);
		if (c->active)
			stele_stmt_cancel(c->active);
		pthread_mutex_unlock(&c->mu);
		break;
	}
	pthread_mutex_unlock(&pg->mu);
}

const uint8_t *pgw_mock_key(PgServer *pg) { return pg->mock_key; }

/* Whether the server stops (or the connection closed): the job checks at
 * every message boundary. */
static bool check_stop(PgConn *c, bool *closed)
{
	pthread_mutex_lock(&c->mu);
	bool stop = c->stop;
	*closed = c->closed;
	pthread_mutex_unlock(&c->mu);
	return stop;
}

static void job(void *arg)
{
	PgConn *c = arg;
	PgSess *ss = &c->sess;
	bool handoff = false;
	for (;;) {
		pthread_mutex_lock(&c->mu);
		c->kick = false;
		pthread_mutex_unlock(&c->mu);
		bool closed;
		while (!ss->closing) {
			if (check_stop(c, &closed) && !closed) {
				pga_fatal(c, "57P01", "terminating connection due to administrator command");
				break;
			}
			if (closed)
				break;
			StErr err = {0};
			int r = pgw_take(c, ss->state == PGS_STARTUP, &err);
			if (r == 0)
				break;
			if (r < 0) {
				pga_fatal(c, "08P01", "%s", err.msg);
				break;
			}
			if (ss->state < PGS_READY)
				pga_handle(c);
			else
				pgq_handle(c);
			if (ss->msg.cap > 256 * 1024) {
				/* Idle sessions do not keep a big message's memory. */
				size_t max = ss->msg.max;
				buf_free(&ss->msg);
				ss->msg.max = max;
			}
			pthread_mutex_lock(&c->mu);
			handoff = c->want_tls;
			pthread_mutex_unlock(&c->mu);
			if (handoff)
				break;
			if (ss->out.len >= PG_OUT_FLUSH)
				pgw_flush(c);
		}
		pgw_flush(c);
		pthread_mutex_lock(&c->mu);
		if (handoff || c->want_tls) {
			/* The loop answers 'S' and clears running. */
			if (!c->closed)
				event_active(c->wake, EV_READ, 0);
			else
				c->running = false;
			pthread_mutex_unlock(&c->mu);
			break;
		}
		if (ss->closing && !c->closed) {
			c->want_close = true;
			event_active(c->wake, EV_READ, 0);
		}
		/* More input came, or the server stops (pgw_stop saw this job
		 * running and left the goodbye to it): once more. */
		if ((c->kick || (c->stop && !ss->closing)) && !c->closed && !c->want_close) {
			pthread_mutex_unlock(&c->mu);
			continue;
		}
		c->running = false;
		pthread_mutex_unlock(&c->mu);
		break;
	}
	conn_unref(c);
}

/* ---- pgwire.h ---- */

int pgw_start(Server *s, const int *fds, int nfds, StErr *err)
{
	PgServer *pg = calloc(1, sizeof *pg);
	if (!pg) {
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		return failf(err, STELE_ENOMEM, "out of memory");
	}
	pg->s = s;
	pthread_mutex_init(&pg->mu, NULL);
	RAND_bytes(pg->mock_key, sizeof pg->mock_key);
	s->pg = pg;
	int rc = STELE_OK;
	for (int i = 0; i < nfds && i < 2; i++) {
		if (rc != STELE_OK) {
			close(fds[i]);
			continue;
		}
		pg->lis[i] = evconnlistener_new(s->base, accept_cb, pg,
		                                LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fds[i]);
		if (!pg->lis[i]) {
			close(fds[i]);
			rc = failf(err, STELE_ENOMEM, "could not listen for PostgreSQL connections");
			continue;
		}
		evconnlistener_set_error_cb(pg->lis[i], accept_error_cb);
		pg->nlis = i + 1;
	}
	return rc;
}

void pgw_stop(Server *s)
{
	PgServer *pg = s->pg;
	if (!pg)
		return;
	pg->stopping = true;
	for (int i = 0; i < pg->nlis; i++)
		if (pg->lis[i]) {
			evconnlistener_free(pg->lis[i]);
			pg->lis[i] = NULL;
		}
	/* The list changes on this thread only: walk it without pg->mu. */
	PgConn *next;
	for (PgConn *c = pg->conns; c; c = next) {
		next = c->next;
		pthread_mutex_lock(&c->mu);
		c->stop = true;
		bool idle = !c->running && !c->want_close && !c->closed;
		if (c->bev) {
			/* Do not wait long for clients that read nothing. */
			struct timeval tv = {5, 0};
			bufferevent_set_timeouts(c->bev, NULL, &tv);
		}
		pthread_mutex_unlock(&c->mu);
		if (idle)
			loop_fatal(c, "57P01", "terminating connection due to administrator command");
	}
}

uint32_t pgw_active(Server *s)
{
	PgServer *pg = s->pg;
	if (!pg)
		return 0;
	pthread_mutex_lock(&pg->mu);
	uint32_t n = pg->nopen;
	pthread_mutex_unlock(&pg->mu);
	return n;
}

void pgw_free(Server *s)
{
	PgServer *pg = s->pg;
	if (!pg)
		return;
	for (int i = 0; i < pg->nlis; i++)
		if (pg->lis[i])
			evconnlistener_free(pg->lis[i]);
	/* The loop has ended and the workers are gone: close what is left. */
	while (pg->conns)
		conn_close(pg->conns);
	pthread_mutex_destroy(&pg->mu);
	free(pg);
	s->pg = NULL;
}
