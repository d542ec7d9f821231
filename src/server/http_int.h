/*
 * http_int.h - what http.c shares with the endpoints that run on the
 * workers (http_write.c, http_sql.c). Not for other modules.
 */
#ifndef STELE_SERVER_HTTP_INT_H
#define STELE_SERVER_HTTP_INT_H

#include <pthread.h>
#include <sys/queue.h>
#include <stdbool.h>

#include <event2/keyvalq_struct.h>

#include "server/auth.h"
#include "server/dbreg.h"
#include "server/server.h"
#include "util/buf.h"

struct evhttp_request;
struct evhttp_connection;
struct evbuffer;

#define HTTP_JOB_HEADERS 4

/* One request handed to a worker. Created and freed on the loop thread;
 * between dispatch and its reply (or last chunk) only the worker touches
 * it, except `gone`/`unsent`, under mu. */
typedef struct HttpJob {
	Http *h;
	Server *s;
	struct evhttp_request *req;      /* loop thread only */
	struct evhttp_connection *evcon; /* loop thread only; NULL once closed */
	char path[64];
	struct evkeyvalq query;          /* the URL's parameters */
	struct evbuffer *body;           /* the request body, moved out of req */
	size_t pending_bytes;            /* counted in G_PENDING_BYTES */
	char *sql;                       /* SQL text (http_sql.c) */
	AuthToken tok;
	int64_t received_ns;
	int precision;                   /* stele_precision */
	bool gzip;
	bool csv;
	char db[DBREG_NAME_MAX + 1];
	/* the reply */
	int code;
	const char *ctype;               /* a static string */
	Buf out;                         /* the body, or the next chunk */
	char headers[HTTP_JOB_HEADERS][2][64];
	uint32_t nheaders;
	/* streaming */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool streaming;                  /* the reply has started */
	bool unsent;                     /* a chunk is queued, not yet written */
	bool gone;                       /* the client went away */
} HttpJob;

HttpJob *http_job_new(Http *h, struct evhttp_request *req, const char *path);
void http_job_free(HttpJob *j);

/* Worker: sends j->code/ctype/headers/out as the whole reply; j is freed on
 * the loop thread afterwards. */
void http_job_reply(HttpJob *j);
void http_job_header(HttpJob *j, const char *name, const char *value);

/* Worker: sends j->out as the next chunk of a 200 reply with j->ctype
 * (starting the reply on the first call) and waits until the chunk before
 * it was written, so that one chunk at most waits in memory. With `last`,
 * ends the reply and frees j (do not touch it after). False when the
 * client is gone: stop producing, but still make a last call. */
bool http_job_stream(HttpJob *j, bool last);

/* Loop thread. */
void http_send(Http *h, struct evhttp_request *req, int code, const char *ctype,
               const char *body, size_t len);
void http_send_error(Http *h, struct evhttp_request *req, int code, const char *msg);
void http_refuse(Http *h, struct evhttp_request *req, int code, const char *msg);
/* 0 with *tok filled, or 401 with *why. */
int http_authenticate(Http *h, struct evhttp_request *req, const struct evkeyvalq *query,
                      AuthToken *tok, const char **why);

/* Loop thread: checks a write request (method, auth, parameters, load)
 * and takes its body into j; false when it was answered already. */
bool http_write_accept(Http *h, HttpJob *j);
void http_write_work(void *arg);

bool http_sql_accept(Http *h, HttpJob *j);
void http_sql_work(void *arg);

#endif
