/*
 * fuzz_http.c - the HTTP write path's own handling of request bytes, on
 * arbitrary input (the request line and headers are libevent's to parse).
 *
 * Input: a flags byte, then the query string, the Authorization value and
 * the body, separated by the first two '\n'. Flags: bit 0 the body is gzip
 * (inflated by http_gunzip up to 64 KiB), bit 1 the 2.x endpoint, bits 2-4
 * a line limit (16 << k bytes). The query string goes through libevent's
 * evhttp_parse_query_str, its precision through http_precision, the
 * credentials through http_basic_secret, the body through
 * http_blank_long_lines and then stele_write_lp into a database opened
 * once (sync none). Asserted: an inflated body is within its limit; every
 * blanked line was longer than the limit and none left is; a write fails
 * only with a line error or succeeds, and counts add up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "fuzz.h"
#include "server/auth.h"
#include "server/http_body.h"
#include "util/io.h"

static stele_db *db;
static char dir[] = "/tmp/stele-fuzz-http-XXXXXX";

/* At exit the database is not closed: closing flushes, a flush hashes
 * segments with OpenSSL, and OpenSSL's own exit handler may have run
 * already. The handle stays reachable, so no leak is reported. */
static void cleanup(void)
{
	io_remove_tree(dir, NULL);
}

static void open_db(void)
{
	if (!mkdtemp(dir))
		abort();
	stele_options o;
	stele_options_init(&o);
	o.sync = STELE_SYNC_NONE;
	o.background = false;
	o.max_series = 10000;
	if (stele_open(dir, &o, &db, NULL) != STELE_OK)
		abort();
	atexit(cleanup);
}

static const uint8_t *cut(const uint8_t **p, const uint8_t *end, size_t *n)
{
	const uint8_t *s = *p;
	const uint8_t *nl = memchr(s, '\n', (size_t)(end - s));
	const uint8_t *e = nl ? nl : end;
	*n = (size_t)(e - s);
	*p = nl ? nl + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!db)
		open_db();
	if (size < 1)
		return 0;
	uint8_t flags = data[0];
	const uint8_t *p = data + 1, *end = data + size;
	size_t nq, na;
	const uint8_t *q = cut(&p, end, &nq);
	const uint8_t *a = cut(&p, end, &na);
	size_t nbody = (size_t)(end - p);

	char qs[1024], av[512];
	snprintf(qs, sizeof qs, "%.*s", (int)(nq < 1000 ? nq : 1000), (const char *)q);
	snprintf(av, sizeof av, "%.*s", (int)(na < 500 ? na : 500), (const char *)a);
	struct evkeyvalq params;
	TAILQ_INIT(&params);
	int prec = STELE_PRECISION_NS;
	if (evhttp_parse_query_str(qs, &params) == 0) {
		const char *pr = evhttp_find_header(&params, "precision");
		if (http_precision(pr, flags & 2, &prec) != 0)
			prec = STELE_PRECISION_NS;
	}
	evhttp_clear_headers(&params);
	char secret[AUTH_SECRET_MAX * 2];
	if (http_basic_secret(av, secret, sizeof secret) == 0 && strlen(secret) >= sizeof secret)
		abort();

	Buf inflated = {0};
	uint8_t *body = malloc(nbody + 1);
	if (!body)
		return 0;
	memcpy(body, p, nbody);
	size_t len = nbody;
	if (flags & 1) {
		char msg[256];
		int code = http_gunzip(body, nbody, 64 * 1024, &inflated, msg, sizeof msg);
		free(body);
		if (code) {
			if (code != 400 && code != 413 && code != 503)
				abort();
			buf_free(&inflated);
			return 0;
		}
		if (inflated.len > 64 * 1024)
			abort();
		body = inflated.data;
		len = inflated.len;
		inflated.data = NULL;
		if (!body)
			return 0;
	}
	size_t limit = (size_t)16 << ((flags >> 2) & 7);
	uint64_t first = 0;
	http_blank_long_lines(body, len, limit, &first);
	for (size_t s = 0; s < len;) {
		const uint8_t *nl = memchr(body + s, '\n', len - s);
		size_t e = nl ? (size_t)(nl - body) : len;
		if (e - s > limit && body[s] != '#')
			abort();
		s = e + 1;
	}
	stele_write_options wo = {.precision = (stele_precision)prec, .now_ns = 1};
	stele_write_result res;
	stele_err err;
	int rc = stele_write_lp(db, (const char *)body, len, &wo, &res, &err);
	if (rc != STELE_OK && rc != STELE_EPARSE && rc != STELE_ETYPE && rc != STELE_ELIMIT) {
		fprintf(stderr, "stele_write_lp: %d: %s\n", rc, err.msg);
		abort();
	}
	if (rc == STELE_OK && res.lines_rejected)
		abort();
	free(body);
	return 0;
}
