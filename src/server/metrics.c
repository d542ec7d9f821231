/*
 * metrics.c - counters, gauges and histograms (metrics.h) and their
 * Prometheus text rendering. The databases' counters are read under their
 * own locks at render time; nothing here is kept twice.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/dbreg.h"
#include "server/metrics.h"
#include "server/server.h"
#include "storage/db.h"
#include "util/timeutil.h"

/* Upper bounds of the histogram buckets, in seconds. */
static const double bounds[] = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05,
                                0.1,    0.5,    1,     5,     10,   60};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

typedef struct Hist {
	atomic_uint_fast64_t buckets[NBOUNDS + 1];   /* last: +Inf */
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_ns;
} Hist;

struct Metrics {
	atomic_uint_fast64_t c[M_NCOUNTERS];
	atomic_int_fast64_t g[G_NGAUGES];
	Hist h[H_NHISTS];
};

static const struct {
	const char *name, *help;
} counters[M_NCOUNTERS] = {
	[M_HTTP_REQUESTS] = {"stele_http_requests_total", "HTTP requests received."},
	[M_HTTP_ERRORS] = {"stele_http_errors_total", "HTTP requests answered with a 4xx or 5xx status."},
	[M_WRITE_REQUESTS] = {"stele_write_requests_total", "Line-protocol write requests."},
	[M_ROWS_INGESTED] = {"stele_rows_ingested_total", "Rows (lines) written."},
	[M_VALUES_INGESTED] = {"stele_values_ingested_total", "Field values written."},
	[M_BYTES_INGESTED] = {"stele_bytes_ingested_total", "Bytes of write requests, as received."},
	[M_LINES_REJECTED] = {"stele_lines_rejected_total", "Lines rejected as invalid."},
	[M_WRITES_OVERLOADED] = {"stele_writes_overloaded_total", "Write requests answered 503 because ingest was overloaded."},
	[M_QUERIES] = {"stele_queries_total", "SQL statements run."},
	[M_QUERY_ERRORS] = {"stele_query_errors_total", "SQL statements that failed."},
	[M_AUTH_FAILURES] = {"stele_auth_failures_total", "Requests refused for authentication or authorization."},
	[M_CONNECTIONS_HTTP] = {"stele_http_connections_total", "HTTP connections accepted."},
	[M_CONNECTIONS_PG] = {"stele_pg_connections_total", "PostgreSQL connections accepted."},
};

static const struct {
	const char *name, *help;
} gauges[G_NGAUGES] = {
	[G_OPEN_HTTP] = {"stele_http_connections", "HTTP connections open now."},
	[G_OPEN_PG] = {"stele_pg_connections", "PostgreSQL connections open now."},
	[G_PENDING_BYTES] = {"stele_write_pending_bytes", "Bytes of write requests waiting for a worker."},
};

static const struct {
	const char *name, *help;
} hists[H_NHISTS] = {
	[H_QUERY_SECONDS] = {"stele_query_duration_seconds", "Time to run a SQL statement to its end."},
	[H_WRITE_SECONDS] = {"stele_write_duration_seconds", "Time from a write request's body to its acknowledgement."},
};

int metrics_new(Metrics **out)
{
	Metrics *m = calloc(1, sizeof *m);
	if (!m)
		return STELE_ENOMEM;
	*out = m;
	return STELE_OK;
}

void metrics_free(Metrics *m)
{
	free(m);
}

void metrics_add(Metrics *m, MetricCounter c, uint64_t n)
{
	atomic_fetch_add_explicit(&m->c[c], n, memory_order_relaxed);
}

void metrics_gauge(Metrics *m, MetricGauge g, int64_t delta)
{
	atomic_fetch_add_explicit(&m->g[g], delta, memory_order_relaxed);
}

int64_t metrics_gauge_value(Metrics *m, MetricGauge g)
{
	return atomic_load_explicit(&m->g[g], memory_order_relaxed);
}

void metrics_observe(Metrics *m, MetricHist h, int64_t ns)
{
	Hist *x = &m->h[h];
	double s = (double)ns / 1e9;
	size_t k = 0;
	while (k < NBOUNDS && s > bounds[k])
		k++;
	atomic_fetch_add_explicit(&x->buckets[k], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&x->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&x->sum_ns, ns > 0 ? (uint64_t)ns : 0, memory_order_relaxed);
}

static void putf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(Buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void head(Buf *b, const char *name, const char *help, const char *type)
{
	putf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Sums of the databases' own counters. */
typedef struct DbSums {
	uint64_t dbs, series, mem_bytes, fsyncs, fsync_ns, wal_bytes;
	uint64_t flushes, flush_ns, compactions, segments, batches;
	int fatal;
} DbSums;

static void sum_db(void *arg, const char *name, stele_db *db)
{
	DbSums *s = arg;
	s->dbs++;
	pthread_mutex_lock(&db->mu);
	s->series += db->sx.n;
	s->mem_bytes += db->mem ? db->mem->bytes : 0;
	s->mem_bytes += db->imm ? db->imm->bytes : 0;
	s->flushes += db->stats.flushes;
	s->flush_ns += db->stats.flush_ns;
	s->compactions += db->stats.compactions;
	s->segments += db->stats.segments_written;
	s->batches += db->stats.batches;
	s->fatal += db->fatal != 0;
	pthread_mutex_unlock(&db->mu);
	pthread_mutex_lock(&db->wal.mu);
	s->fsyncs += db->wal.nsyncs;
	s->fsync_ns += db->wal.sync_ns;
	s->wal_bytes += db->wal.bytes_written;
	pthread_mutex_unlock(&db->wal.mu);
}

/* Resident and peak memory of the process, from /proc/self/status. */
static void proc_mem(uint64_t *rss, uint64_t *hwm)
{
	*rss = *hwm = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof line, f)) {
		unsigned long long kb;
		if (sscanf(line, "VmRSS: %llu kB", &kb) == 1)
			*rss = kb * 1024;
		else if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
			*hwm = kb * 1024;
	}
	fclose(f);
}

void metrics_render(Server *s, Buf *b)
{
	Metrics *m = s->metrics;
	for (int i = 0; i < M_NCOUNTERS; i++) {
		head(b, counters[i].name, counters[i].help, "counter");
		putf(b, "%s %" PRIu64 "\n", counters[i].name,
		     (uint64_t)atomic_load_explicit(&m->c[i], memory_order_relaxed));
	}
	for (int i = 0; i < G_NGAUGES; i++) {
		head(b, gauges[i].name, gauges[i].help, "gauge");
		putf(b, "%s %" PRId64 "\n", gauges[i].name,
		     (int64_t)atomic_load_explicit(&m->g[i], memory_order_relaxed));
	}
	for (int i = 0; i < H_NHISTS; i++) {
		Hist *h = &m->h[i];
		head(b, hists[i].name, hists[i].help, "histogram");
		uint64_t cum = 0;
		for (size_t k = 0; k <= NBOUNDS; k++) {
			cum += atomic_load_explicit(&h->buckets[k], memory_order_relaxed);
			if (k < NBOUNDS)
				putf(b, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", hists[i].name, bounds[k], cum);
			else
				putf(b, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", hists[i].name, cum);
		}
		putf(b, "%s_sum %.9f\n%s_count %" PRIu64 "\n", hists[i].name,
		     (double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9, hists[i].name,
		     (uint64_t)atomic_load_explicit(&h->count, memory_order_relaxed));
	}
	DbSums d = {0};
	dbreg_each(s->reg, sum_db, &d);
	head(b, "stele_databases_open", "Databases open now.", "gauge");
	putf(b, "stele_databases_open %" PRIu64 "\n", d.dbs);
	head(b, "stele_series", "Series in the open databases.", "gauge");
	putf(b, "stele_series %" PRIu64 "\n", d.series);
	head(b, "stele_memtable_bytes", "Memory held by memtables.", "gauge");
	putf(b, "stele_memtable_bytes %" PRIu64 "\n", d.mem_bytes);
	head(b, "stele_wal_fsync_seconds", "Time spent in WAL fsyncs.", "summary");
	putf(b, "stele_wal_fsync_seconds_sum %.9f\nstele_wal_fsync_seconds_count %" PRIu64 "\n",
	     (double)d.fsync_ns / 1e9, d.fsyncs);
	head(b, "stele_wal_bytes_total", "Bytes appended to WALs.", "counter");
	putf(b, "stele_wal_bytes_total %" PRIu64 "\n", d.wal_bytes);
	head(b, "stele_commits_total", "Write batches committed.", "counter");
	putf(b, "stele_commits_total %" PRIu64 "\n", d.batches);
	head(b, "stele_flushes_total", "Memtable flushes.", "counter");
	putf(b, "stele_flushes_total %" PRIu64 "\n", d.flushes);
	head(b, "stele_flush_seconds_total", "Time spent flushing memtables.", "counter");
	putf(b, "stele_flush_seconds_total %.9f\n", (double)d.flush_ns / 1e9);
	head(b, "stele_compactions_total", "Compactions run.", "counter");
	putf(b, "stele_compactions_total %" PRIu64 "\n", d.compactions);
	head(b, "stele_segments_written_total", "Segments written by flushes and compactions.",
	     "counter");
	putf(b, "stele_segments_written_total %" PRIu64 "\n", d.segments);
	head(b, "stele_databases_failed", "Open databases that stopped taking writes after an I/O failure.",
	     "gauge");
	putf(b, "stele_databases_failed %d\n", d.fatal);
	uint64_t rss, hwm;
	proc_mem(&rss, &hwm);
	head(b, "stele_memory_resident_bytes", "Resident memory of the process.", "gauge");
	putf(b, "stele_memory_resident_bytes %" PRIu64 "\n", rss);
	head(b, "stele_memory_resident_peak_bytes", "Peak resident memory of the process.", "gauge");
	putf(b, "stele_memory_resident_peak_bytes %" PRIu64 "\n", hwm);
	head(b, "stele_uptime_seconds", "Seconds since the server started.", "gauge");
	putf(b, "stele_uptime_seconds %.3f\n", (double)(time_now_ns() - s->started_ns) / 1e9);
}
