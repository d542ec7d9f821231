/*
 * http_write.c - InfluxDB's write endpoints: 1.x `POST /write?db=&rp=
 * &precision=&u=&p=` and 2.x `POST /api/v2/write?bucket=&org=&precision=`,
 * plain or gzip, answered as InfluxDB answers them (README.md, "HTTP").
 *
 * The loop thread checks the request (http_write_accept): credentials,
 * database name, precision, and the load: when the bodies waiting for a
 * worker already exceed --max-pending, the answer is 503 with
 * Retry-After. A worker then inflates a gzip body (zlib, bounded by
 * --max-body), blanks lines longer than --max-line (they are reported as
 * rejected; the line numbers of the rest stay right) and writes the body
 * as one batch with stele_write_lp, which commits the valid lines
 * atomically and makes them durable under the sync policy before it
 * returns. Only then is 204 sent.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include "server/errmap.h"
#include "server/http_body.h"
#include "server/http_int.h"
#include "server/metrics.h"
#include "sql/text.h"
#include "util/timeutil.h"

bool http_write_accept(Http *h, HttpJob *j)
{
	Server *s = j->s;
	bool v2 = strcmp(j->path, "/api/v2/write") == 0;
	const char *why = NULL;
	int code = http_authenticate(h, j->req, &j->query, &j->tok, &why);
	if (code) {
		http_refuse(h, j->req, code, why);
		return false;
	}
	const char *db = evhttp_find_header(&j->query, v2 ? "bucket" : "db");
	if (!db || !*db) {
		http_send_error(h, j->req, 400, v2 ? "bucket is required" : "database is required");
		return false;
	}
	/* InfluxDB 2.x buckets are often "db/rp": the database is the first part. */
	char name[DBREG_NAME_MAX + 2];
	snprintf(name, sizeof name, "%.*s", (int)strcspn(db, "/"), db);
	StErr e = {0};
	if (strlen(db) > 2 * DBREG_NAME_MAX || dbreg_check_name(name, &e) != STELE_OK) {
		http_send_error(h, j->req, 400, e.msg[0] ? e.msg : "database name is too long");
		return false;
	}
	if (!auth_allows(&j->tok, name, AUTH_WRITE)) {
		char msg[256];
		snprintf(msg, sizeof msg, "token \"%s\" may not write to database \"%s\"", j->tok.name,
		         name);
		http_refuse(h, j->req, 403, msg);
		return false;
	}
	snprintf(j->db, sizeof j->db, "%s", name);
	if (http_precision(evhttp_find_header(&j->query, "precision"), v2, &j->precision) != 0) {
		http_send_error(h, j->req, 400,
		                "invalid precision (use ns, us, ms or s; 1.x also n and u)");
		return false;
	}
	const char *enc = evhttp_find_header(evhttp_request_get_input_headers(j->req),
	                                     "Content-Encoding");
	if (enc && strcasecmp(enc, "gzip") == 0)
		j->gzip = true;
	else if (enc && strcasecmp(enc, "identity") != 0) {
		http_send_error(h, j->req, 415, "unsupported Content-Encoding (use gzip or identity)");
		return false;
	}
	struct evbuffer *in = evhttp_request_get_input_buffer(j->req);
	size_t len = evbuffer_get_length(in);
	if (metrics_gauge_value(s->metrics, G_PENDING_BYTES) + (int64_t)len >
	        (int64_t)s->cfg.max_pending &&
	    metrics_gauge_value(s->metrics, G_PENDING_BYTES) > 0) {
		metrics_add(s->metrics, M_WRITES_OVERLOADED, 1);
		evhttp_add_header(evhttp_request_get_output_headers(j->req), "Retry-After", "1");
		http_send_error(h, j->req, 503, "ingest is overloaded: retry later");
		return false;
	}
	j->body = evbuffer_new();
	if (!j->body || evbuffer_add_buffer(j->body, in) != 0) {
		http_send_error(h, j->req, 503, "out of memory");
		return false;
	}
	j->pending_bytes = len;
	metrics_gauge(s->metrics, G_PENDING_BYTES, (int64_t)len);
	metrics_add(s->metrics, M_WRITE_REQUESTS, 1);
	metrics_add(s->metrics, M_BYTES_INGESTED, len);
	return true;
}

#define KEEP_BYTES (64u << 20)

/* Each worker's body buffer hangs off a thread key, whose destructor frees
 * it when the worker ends. */
static pthread_key_t body_key;
static pthread_once_t body_once = PTHREAD_ONCE_INIT;

static void body_free(void *p)
{
	buf_free(p);
	free(p);
}

static void body_key_init(void)
{
	pthread_key_create(&body_key, body_free);
}

static Buf *worker_body(void)
{
	pthread_once(&body_once, body_key_init);
	Buf *b = pthread_getspecific(body_key);
	if (!b && (b = calloc(1, sizeof *b)) != NULL && pthread_setspecific(body_key, b) != 0) {
		free(b);
		b = NULL;
	}
	return b;
}

/* A worker's buffer stays unless it grew past KEEP_BYTES. */
static void trim_worker_body(void)
{
	Buf *b = pthread_getspecific(body_key);
	if (b && b->cap > KEEP_BYTES)
		buf_free(b);
}

void http_write_work(void *arg)
{
	HttpJob *j = arg;
	Server *s = j->s;
	char msg[1024];
	/* The body, contiguous for the parser, in this worker's buffer: it keeps
	 * its memory from request to request (no fresh pages to fault in each
	 * time), up to KEEP_BYTES. */
	size_t len = evbuffer_get_length(j->body);
	Buf *wb = worker_body();
	Buf inflated = {0};
	uint8_t *data = (uint8_t *)"";
	if (wb)
		buf_reset(wb);
	if (len) {
		if (!wb || !buf_reserve(wb, len)) {
			j->code = 503;
			snprintf(msg, sizeof msg, "out of memory");
			goto fail;
		}
		evbuffer_remove(j->body, wb->data, len);
		wb->len = len;
		data = wb->data;
	}
	if (j->gzip) {
		int code = http_gunzip(data, len, s->cfg.max_body, &inflated, msg, sizeof msg);
		if (code) {
			j->code = code;
			goto fail;
		}
		data = inflated.data ? inflated.data : (uint8_t *)"";
		len = inflated.len;
	}
	uint64_t long_first = 0;
	uint64_t nlong = http_blank_long_lines(data, len, s->cfg.max_line, &long_first);

	stele_db *db;
	StErr err = {0};
	int rc = dbreg_get(s->reg, j->db, true, &db, &err);
	if (rc != STELE_OK) {
		j->code = rc == STELE_EINVAL ? 400 : errmap_http(&err);
		snprintf(msg, sizeof msg, "%s", err.msg);
		goto fail;
	}
	stele_write_options wo = {.precision = (stele_precision)j->precision};
	stele_write_result res;
	rc = stele_write_lp(db, (const char *)data, len, &wo, &res, &err);
	metrics_add(s->metrics, M_ROWS_INGESTED, res.lines_written);
	metrics_add(s->metrics, M_VALUES_INGESTED, res.values_written);
	metrics_add(s->metrics, M_LINES_REJECTED, res.lines_rejected + nlong);
	bool rejected = rc == STELE_EPARSE || rc == STELE_ETYPE || rc == STELE_ELIMIT;
	if (rc != STELE_OK && !(rejected && res.n_errors > 0)) {
		/* Nothing was written: the batch could not be committed. */
		j->code = errmap_http(&err);
		if (rc == STELE_ENOSPC || rc == STELE_ENOMEM)
			http_job_header(j, "Retry-After", "5");
		snprintf(msg, sizeof msg, "write failed: %s", err.msg);
		goto fail;
	}
	if (rc == STELE_OK && nlong == 0) {
		j->code = 204;
		buf_reset(&j->out);
		metrics_observe(s->metrics, H_WRITE_SECONDS, time_mono_ns() - j->received_ns);
		http_job_reply(j);
		buf_free(&inflated);
		trim_worker_body();
		return;
	}
	/* Some lines were rejected; the others are written. */
	uint64_t nrej = res.lines_rejected + nlong;
	const stele_line_error *fe = res.n_errors ? &res.errors[0] : NULL;
	char first[600];
	uint64_t fline;
	if (nlong && (!fe || long_first < fe->line)) {
		fline = long_first;
		snprintf(first, sizeof first, "line %llu: line is longer than the limit of %zu bytes "
		         "(max-line)", (unsigned long long)long_first, s->cfg.max_line);
	} else {
		fline = fe->line;
		snprintf(first, sizeof first, "line %llu: %s", (unsigned long long)fe->line, fe->msg);
	}
	snprintf(msg, sizeof msg, "%s%s (%llu line%s rejected, %llu written)",
	         res.lines_written ? "partial write: " : "unable to parse: ", first,
	         (unsigned long long)nrej, nrej == 1 ? "" : "s",
	         (unsigned long long)res.lines_written);
	j->code = 400;
	buf_reset(&j->out);
	buf_put(&j->out, "{\"error\":", 9);
	sqltext_json(&j->out, msg, strlen(msg));
	char tail[160];
	snprintf(tail, sizeof tail, ",\"line\":%llu,\"lines_written\":%llu,\"lines_rejected\":%llu}\n",
	         (unsigned long long)fline, (unsigned long long)res.lines_written,
	         (unsigned long long)nrej);
	buf_put(&j->out, tail, strlen(tail));
	metrics_observe(s->metrics, H_WRITE_SECONDS, time_mono_ns() - j->received_ns);
	http_job_reply(j);
	buf_free(&inflated);
	trim_worker_body();
	return;
fail:
	buf_reset(&j->out);
	buf_put(&j->out, "{\"error\":", 9);
	sqltext_json(&j->out, msg, strlen(msg));
	buf_put(&j->out, "}\n", 2);
	http_job_reply(j);
	buf_free(&inflated);
	trim_worker_body();
}
