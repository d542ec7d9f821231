/*
 * metrics.h - the server's counters and histograms, and /metrics in the
 * Prometheus text exposition format (version 0.0.4).
 *
 * Counters are atomics, bumped from any thread without locks; histograms
 * have fixed buckets (seconds) and are atomics too.
 */
#ifndef STELE_SERVER_METRICS_H
#define STELE_SERVER_METRICS_H

#include <stdint.h>

#include "util/buf.h"

typedef struct Metrics Metrics;
struct Server;

typedef enum MetricCounter {
	M_HTTP_REQUESTS,       /* every HTTP request */
	M_HTTP_ERRORS,         /* answered 4xx/5xx */
	M_WRITE_REQUESTS,      /* /write and /api/v2/write */
	M_ROWS_INGESTED,       /* lines written, all protocols */
	M_VALUES_INGESTED,
	M_BYTES_INGESTED,      /* request bytes of writes, before decompression */
	M_LINES_REJECTED,
	M_WRITES_OVERLOADED,   /* answered 503 */
	M_QUERIES,             /* SQL statements run, all protocols */
	M_QUERY_ERRORS,
	M_AUTH_FAILURES,       /* 401/403, 28000/42501 */
	M_CONNECTIONS_HTTP,    /* accepted, total */
	M_CONNECTIONS_PG,
	M_NCOUNTERS
} MetricCounter;

typedef enum MetricGauge {
	G_OPEN_HTTP,           /* connections open now */
	G_OPEN_PG,
	G_PENDING_BYTES,       /* write bodies queued for workers */
	G_NGAUGES
} MetricGauge;

typedef enum MetricHist {
	H_QUERY_SECONDS,
	H_WRITE_SECONDS,       /* a write request, body to acknowledgement */
	H_NHISTS
} MetricHist;

int metrics_new(Metrics **out);
void metrics_free(Metrics *m);

void metrics_add(Metrics *m, MetricCounter c, uint64_t n);
void metrics_gauge(Metrics *m, MetricGauge g, int64_t delta);
int64_t metrics_gauge_value(Metrics *m, MetricGauge g);
void metrics_observe(Metrics *m, MetricHist h, int64_t ns);

/* The whole exposition, with the databases' own counters (WAL fsyncs and
 * their latency, flushes, compactions, series, memtable bytes) and the
 * process's memory. */
void metrics_render(struct Server *s, Buf *out);

#endif
