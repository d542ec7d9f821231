/*
 * server.h - the `stele serve` process: configuration, the objects every
 * listener shares, and the threading rules they follow.
 *
 * Threads:
 *   - one event-loop thread runs `base` (libevent, made thread-aware with
 *     evthread_use_pthreads before the base exists). It accepts
 *     connections and moves bytes; it never parses a body, writes to a
 *     database or runs a query.
 *   - `cfg.workers` worker threads (work.h) do that: ingest, SQL, and
 *     anything else that may block. A worker hands a result back to the
 *     loop with srv_post(); libevent objects that are not thread-safe
 *     (evhttp requests) are touched only on the loop thread.
 *   - each database has its own background threads (storage/README.md).
 *
 * Shutdown (srv_run): the first SIGTERM/SIGINT stops the listeners, lets
 * requests in flight finish (a write that was acknowledged was durable
 * before its acknowledgement), closes every database (flushing its
 * memtable) and returns 0. A second signal exits the process at once with
 * status 1; acknowledged writes are in the WAL already, so none is lost.
 */
#ifndef STELE_SERVER_H
#define STELE_SERVER_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stele.h"
#include "util/err.h"

struct event_base;
struct ssl_ctx_st;
typedef struct DbReg DbReg;
typedef struct Auth Auth;
typedef struct Metrics Metrics;
typedef struct WorkQ WorkQ;
typedef struct Http Http;
typedef struct PgServer PgServer;

/* Every option of `stele serve`; each is also a config-file key (the name
 * without the leading dashes). Defaults in srv_config_init and README.md. */
typedef struct SrvConfig {
	char data[PATH_MAX];        /* --data: the data directory (required) */
	char http[256];             /* --http HOST:PORT ("" or "off": none) */
	char pg[256];               /* --pg HOST:PORT ("" or "off": none) */
	char tls_cert[PATH_MAX];    /* --tls-cert PEM: TLS on every listener */
	char tls_key[PATH_MAX];     /* --tls-key PEM */
	bool insecure;              /* --insecure: no tokens needed, loopback only */
	stele_options db;           /* --sync, --memtable, --max-series,
	                               --statement-timeout, --query-memory */
	size_t max_body;            /* --max-body: bytes of one HTTP body,
	                               after decompression */
	size_t max_line;            /* --max-line: bytes of one line of line
	                               protocol, and of one PG message */
	uint32_t max_connections;   /* --max-connections per listener */
	uint32_t idle_timeout_s;    /* --idle-timeout: seconds a connection may
	                               sit without a request */
	uint32_t workers;           /* --workers: ingest and query threads */
	size_t max_pending;         /* --max-pending: bytes of write bodies queued
	                               for the workers; past it, 503 */
} SrvConfig;

/* The defaults: [::]:8086 for HTTP, [::]:5432 for PostgreSQL, sync always,
 * 256 MiB bodies, 1 MiB lines, 1,000 connections, 300 s idle, 2 workers
 * per CPU (at least 4), 1 GiB pending. */
void srv_config_init(SrvConfig *c);

/* Sets one option from its name ("http", "max-body", ...) and text value.
 * Sizes as buf_parse_size reads them (K, M, G); durations as
 * time_parse_duration does (ns us ms s m h d w, and min), a bare number
 * in the option's unit (ms for statement-timeout, s for idle-timeout). */
int srv_config_set(SrvConfig *c, const char *name, const char *value, StErr *err);

/* Reads a config file: one "name = value" per line, '#' comments, blank
 * lines. Errors name the file and line. */
int srv_config_file(SrvConfig *c, const char *path, StErr *err);

typedef struct Server {
	SrvConfig cfg;
	struct event_base *base;
	struct ssl_ctx_st *tls;     /* NULL: plain TCP */
	DbReg *reg;
	Auth *auth;
	Metrics *metrics;
	WorkQ *wq;
	Http *http;
	PgServer *pg;
	atomic_bool stopping;       /* a signal came: refuse new work */
	int64_t started_ns;
} Server;

/* Runs the server until a signal stops it. Returns 0 after a clean stop;
 * an error when it could not start (the message says why). */
int srv_run(const SrvConfig *cfg, StErr *err);

/* Runs fn(arg) on the loop thread, soon. Callable from any thread. */
int srv_post(Server *s, void (*fn)(void *arg), void *arg);

/* Parses "HOST:PORT", "[V6]:PORT" or ":PORT" into host (bracket-free,
 * "" for any) and port. */
int srv_split_addr(const char *addr, char *host, size_t nhost, uint16_t *port, StErr *err);

/* Opens a listening socket on addr: "[::]" listens dual-stack (IPv6 and
 * IPv4), a named host on that address only. Returns the fd. */
int srv_listen(const char *addr, int *fd, StErr *err);

#endif
