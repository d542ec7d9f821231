/*
 * http_sql.c - SQL over HTTP: `GET|POST /api/v1/sql?db=NAME&q=STATEMENT`
 * (README.md, "HTTP"). The statement comes from q= in the URL, or from a
 * form-encoded POST body's q=, or is the whole POST body of any other
 * content type. One statement per request.
 *
 * Results stream: rows are formatted into a chunk of about 256 KiB, and
 * the next chunk is formatted while the previous one is being written, so
 * a result of any size holds at most two chunks in memory. A result that
 * fits in one chunk goes out as one reply with Content-Length. An error
 * before the first row is a JSON error with a 4xx/5xx status; an error
 * after rows went out (a timeout, say) ends the JSON with an "error"
 * member (CSV: a last line "ERROR: message"), since the status is sent.
 *
 * Permissions: every statement needs read on the database; one that is not
 * read-only (stele_stmt_readonly) needs write as well. A database that does
 * not exist is created only for a token that may write to it and a
 * statement that does not begin like a query.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "server/errmap.h"
#include "server/http_int.h"
#include "server/metrics.h"
#include "sql/text.h"
#include "sql/vec.h"
#include "util/timeutil.h"

#define CHUNK_BYTES (256 * 1024)

bool http_sql_accept(Http *h, HttpJob *j)
{
	const char *why = NULL;
	int code = http_authenticate(h, j->req, &j->query, &j->tok, &why);
	if (code) {
		http_refuse(h, j->req, code, why);
		return false;
	}
	struct evkeyvalq *ih = evhttp_request_get_input_headers(j->req);
	struct evbuffer *in = evhttp_request_get_input_buffer(j->req);
	const char *ctype = evhttp_find_header(ih, "Content-Type");
	const char *q = evhttp_find_header(&j->query, "q");
	struct evkeyvalq form;
	TAILQ_INIT(&form);
	size_t blen = evbuffer_get_length(in);
	char *body = NULL;
	if (blen) {
		body = malloc(blen + 1);
		if (!body) {
			http_send_error(h, j->req, 503, "out of memory");
			return false;
		}
		evbuffer_copyout(in, body, blen);
		body[blen] = '\0';
		if (memchr(body, '\0', blen)) {
			free(body);
			http_send_error(h, j->req, 400, "the request body holds a NUL byte");
			return false;
		}
	}
	const char *dbp = evhttp_find_header(&j->query, "db");
	if (body && ctype && strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0) {
		if (evhttp_parse_query_str(body, &form) != 0) {
			free(body);
			http_send_error(h, j->req, 400, "malformed form body");
			return false;
		}
		if (!q)
			q = evhttp_find_header(&form, "q");
		if (!dbp)
			dbp = evhttp_find_header(&form, "db");
	} else if (body && !q) {
		q = body;
	}
	bool ok = false;
	StErr e = {0};
	if (!q || !*q) {
		http_send_error(h, j->req, 400, "no statement: give it as q= or as the request body");
	} else if (!dbp || !*dbp) {
		http_send_error(h, j->req, 400, "database is required (db=NAME)");
	} else if (dbreg_check_name(dbp, &e) != STELE_OK) {
		http_send_error(h, j->req, 400, e.msg);
	} else if (!auth_allows(&j->tok, dbp, AUTH_READ)) {
		char msg[256];
		snprintf(msg, sizeof msg, "token \"%s\" may not read database \"%s\"", j->tok.name, dbp);
		http_refuse(h, j->req, 403, msg);
	} else if (!(j->sql = strdup(q))) {
		http_send_error(h, j->req, 503, "out of memory");
	} else {
		snprintf(j->db, sizeof j->db, "%s", dbp);
		const char *accept = evhttp_find_header(ih, "Accept");
		const char *fmt = evhttp_find_header(&j->query, "format");
		if (!fmt)
			fmt = evhttp_find_header(&form, "format");
		j->csv = (accept && strstr(accept, "text/csv")) || (fmt && !strcmp(fmt, "csv"));
		if (fmt && strcmp(fmt, "csv") && strcmp(fmt, "json"))
			http_send_error(h, j->req, 400, "format must be json or csv");
		else
			ok = true;
	}
	evhttp_clear_headers(&form);
	free(body);
	return ok;
}

/* Whether the statement text begins like a query (no database is created
 * for it). */
static bool looks_like_query(const char *s)
{
	while (isspace((unsigned char)*s) || *s == '(')
		s++;
	static const char *const words[] = {"select", "with", "show", "explain", "values", "table"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t n = strlen(words[i]);
		if (strncasecmp(s, words[i], n) == 0 && !isalnum((unsigned char)s[n]) && s[n] != '_')
			return true;
	}
	return false;
}

static void error_json(Buf *b, const StErr *e)
{
	char msg[STELE_ERR_MSG_MAX];
	errmap_message(e, msg, sizeof msg);
	buf_put(b, "{\"message\":", 11);
	sqltext_json(b, msg, strlen(msg));
	char tail[96];
	int pos = errmap_position(e);
	if (pos)
		snprintf(tail, sizeof tail, ",\"position\":%d,\"sqlstate\":\"%s\"}", pos, errmap_sqlstate(e));
	else
		snprintf(tail, sizeof tail, ",\"sqlstate\":\"%s\"}", errmap_sqlstate(e));
	buf_put(b, tail, strlen(tail));
}

/* The whole reply is an error. */
static void reply_error(HttpJob *j, const StErr *e, int code)
{
	j->code = code ? code : errmap_http(e);
	buf_reset(&j->out);
	buf_put(&j->out, "{\"error\":", 9);
	error_json(&j->out, e);
	buf_put(&j->out, "}\n", 2);
	j->ctype = "application/json";
	http_job_reply(j);
}

static void put_header(HttpJob *j, stele_stmt *st)
{
	uint32_t nc = stele_stmt_ncols(st);
	Buf *b = &j->out;
	if (j->csv) {
		for (uint32_t c = 0; c < nc; c++) {
			if (c)
				buf_put_u8(b, ',');
			const char *n = stele_stmt_col_name(st, c);
			sqltext_csv(b, n, strlen(n));
		}
		buf_put_u8(b, '\n');
		return;
	}
	buf_put(b, "{\"columns\":[", 12);
	for (uint32_t c = 0; c < nc; c++) {
		const char *n = stele_stmt_col_name(st, c);
		const char *t = stele_type_name(stele_stmt_col_type(st, c));
		buf_put(b, c ? ",{\"name\":" : "{\"name\":", c ? 9 : 8);
		sqltext_json(b, n, strlen(n));
		buf_put(b, ",\"type\":", 8);
		sqltext_json(b, t, strlen(t));
		buf_put_u8(b, '}');
	}
	buf_put(b, "],\"rows\":[", 10);
}

static void put_rows(HttpJob *j, const stele_batch *bt, uint64_t *nrows, Buf *tmp)
{
	Buf *b = &j->out;
	for (uint32_t i = 0; i < bt->nrows; i++) {
		if (!j->csv)
			buf_put(b, *nrows ? ",\n[" : "\n[", *nrows ? 3 : 2);
		(*nrows)++;
		for (uint32_t c = 0; c < bt->ncols; c++) {
			const stele_column *col = &bt->cols[c];
			if (c)
				buf_put_u8(b, ',');
			bool null = col->type == STELE_TYPE_NONE || col->nulls[i];
			if (null) {
				if (!j->csv)
					buf_put(b, "null", 4);
				continue;
			}
			if (col->type == STELE_TYPE_BOOLEAN && !j->csv) {
				buf_put(b, col->v.i64[i] ? "true" : "false", col->v.i64[i] ? 4 : 5);
				continue;
			}
			buf_reset(tmp);
			sqltext_cell(tmp, col, i);
			if (j->csv) {
				sqltext_csv(b, (const char *)tmp->data, tmp->len);
				continue;
			}
			bool bare = col->type == STELE_TYPE_BIGINT || col->type == STELE_TYPE_UBIGINT ||
			            (col->type == STELE_TYPE_DOUBLE && isfinite(col->v.f64[i]));
			if (bare)
				buf_put(b, tmp->data, tmp->len);
			else
				sqltext_json(b, (const char *)tmp->data, tmp->len);
		}
		if (j->csv)
			buf_put_u8(b, '\n');
		else
			buf_put_u8(b, ']');
	}
}

static void put_end(HttpJob *j, stele_stmt *st, uint64_t nrows, const StErr *e)
{
	Buf *b = &j->out;
	if (j->csv) {
		if (e) {
			buf_put(b, "ERROR: ", 7);
			buf_put(b, e->msg, strlen(e->msg));
			buf_put_u8(b, '\n');
		}
		return;
	}
	buf_put(b, nrows ? "\n]" : "]", nrows ? 2 : 1);
	char tail[128];
	snprintf(tail, sizeof tail, ",\"row_count\":%llu,\"command\":", (unsigned long long)nrows);
	buf_put(b, tail, strlen(tail));
	const char *tag = stele_stmt_tag(st);
	sqltext_json(b, tag, strlen(tag));
	if (e) {
		buf_put(b, ",\"error\":", 9);
		error_json(b, e);
	}
	buf_put(b, "}\n", 2);
}

void http_sql_work(void *arg)
{
	HttpJob *j = arg;
	Server *s = j->s;
	int64_t t0 = time_mono_ns();
	metrics_add(s->metrics, M_QUERIES, 1);
	StErr err = {0};
	stele_db *db;
	bool create = auth_allows(&j->tok, j->db, AUTH_WRITE) && !looks_like_query(j->sql);
	int rc = dbreg_get(s->reg, j->db, create, &db, &err);
	if (rc != STELE_OK) {
		metrics_add(s->metrics, M_QUERY_ERRORS, 1);
		reply_error(j, &err, rc == STELE_ENOENT ? 404 : 0);
		return;
	}
	stele_stmt *st = NULL;
	const char *tail = NULL;
	rc = stele_prepare(db, j->sql, -1, &tail, &st, &err);
	if (rc == STELE_OK && !st)
		rc = failf(&err, STELE_EINVAL, "no statement: the text holds none");
	if (rc == STELE_OK && tail && *tail) {
		stele_stmt *more = NULL;
		StErr e2 = {0};
		if (stele_prepare(db, tail, -1, NULL, &more, &e2) != STELE_OK || more)
			rc = failf(&err, STELE_EINVAL, "only one statement per request is supported");
		stele_finalize(more);
	}
	if (rc == STELE_OK && !stele_stmt_readonly(st) && !auth_allows(&j->tok, j->db, AUTH_WRITE)) {
		metrics_add(s->metrics, M_AUTH_FAILURES, 1);
		rc = failf(&err, STELE_EREADONLY, "token \"%s\" may not write to database \"%s\"",
		           j->tok.name, j->db);
		stele_finalize(st);
		metrics_add(s->metrics, M_QUERY_ERRORS, 1);
		reply_error(j, &err, 403);
		return;
	}
	const stele_batch *bt = NULL;
	if (rc == STELE_OK)
		rc = stele_next(st, &bt, &err);
	if (rc != STELE_OK) {
		stele_finalize(st);
		metrics_add(s->metrics, M_QUERY_ERRORS, 1);
		metrics_observe(s->metrics, H_QUERY_SECONDS, time_mono_ns() - t0);
		reply_error(j, &err, 0);
		return;
	}
	j->ctype = j->csv ? "text/csv; charset=utf-8" : "application/json";
	buf_reset(&j->out);
	if (stele_stmt_ncols(st) == 0) {
		/* A statement without a result set. */
		const char *tag = stele_stmt_tag(st);
		if (j->csv) {
			j->code = 200;
			http_job_header(j, "X-Stele-Command", tag);
		} else {
			buf_put(&j->out, "{\"command\":", 11);
			sqltext_json(&j->out, tag, strlen(tag));
			char t2[64];
			snprintf(t2, sizeof t2, ",\"rows_affected\":%llu}\n",
			         (unsigned long long)stele_stmt_rows(st));
			buf_put(&j->out, t2, strlen(t2));
		}
		stele_finalize(st);
		metrics_observe(s->metrics, H_QUERY_SECONDS, time_mono_ns() - t0);
		http_job_reply(j);
		return;
	}
	put_header(j, st);
	Buf tmp = {0};
	uint64_t nrows = 0;
	bool alive = true;
	while (bt && alive) {
		put_rows(j, bt, &nrows, &tmp);
		if (j->out.failed) {
			rc = failf(&err, STELE_ENOMEM, "out of memory formatting the result");
			break;
		}
		if (j->out.len >= CHUNK_BYTES)
			alive = http_job_stream(j, false);
		if (!alive)
			break;
		rc = stele_next(st, &bt, &err);
		if (rc != STELE_OK)
			break;
	}
	buf_free(&tmp);
	if (!alive)
		stele_stmt_cancel(st);
	if (rc != STELE_OK)
		metrics_add(s->metrics, M_QUERY_ERRORS, 1);
	if (rc != STELE_OK && !j->streaming) {
		stele_finalize(st);
		metrics_observe(s->metrics, H_QUERY_SECONDS, time_mono_ns() - t0);
		reply_error(j, &err, 0);
		return;
	}
	put_end(j, st, nrows, rc != STELE_OK ? &err : NULL);
	stele_finalize(st);
	metrics_observe(s->metrics, H_QUERY_SECONDS, time_mono_ns() - t0);
	if (!j->streaming) {
		j->code = 200;
		http_job_reply(j);
	} else {
		http_job_stream(j, true);
	}
}
