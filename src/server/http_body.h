/*
 * http_body.h - request handling on bytes alone: precision names, gzip
 * bodies, over-long lines, Basic credentials (http_body.c). No libevent,
 * no server state; fuzz_http drives these with arbitrary input.
 */
#ifndef STELE_SERVER_HTTP_BODY_H
#define STELE_SERVER_HTTP_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stele.h"
#include "util/buf.h"

/* The stele_precision for an InfluxDB precision parameter: 1.x takes ns, n,
 * us, u, ms, s; 2.x (v2) ns, us, ms, s; none is ns. -1 when unknown. */
int http_precision(const char *p, bool v2, int *out);

/* Inflates a gzip body (concatenated members too) into out, at most max
 * bytes: 0; 413 over the limit; 400 when it is not valid gzip; 503 out of
 * memory. msg gets the reason. */
int http_gunzip(const uint8_t *in, size_t n, size_t max, Buf *out, char *msg, size_t nmsg);

/* Comments out lines longer than max: their first byte becomes '#', the
 * parser skips them, and the caller reports them. Returns how many; *first
 * is the first one's line number. */
uint64_t http_blank_long_lines(uint8_t *p, size_t n, size_t max, uint64_t *first);

/* The secret of "Basic base64(user:secret)" credentials (v is what follows
 * "Basic "), into secret[cap]. -1 when they are not valid base64. */
int http_basic_secret(const char *v, char *secret, size_t cap);

#endif
