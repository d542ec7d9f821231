/*
 * stele.h - the public C API of Stele, a time-series database.
 *
 * A database is a directory. Open it with stele_open(), write InfluxDB line
 * protocol into it with stele_write_lp(), make everything written so far
 * durable in compressed segments with stele_flush(), and close it with
 * stele_close().
 *
 * Errors: every fallible function returns an int from enum stele_code
 * (STELE_OK is 0) and, when the caller passes a stele_err, writes a human
 * message into it. The stele_err belongs to the caller (usually on its
 * stack); Stele never keeps a pointer to it.
 *
 * Threads: a stele_db handle may be used from several threads at once.
 * Concurrent writers share WAL fsyncs (group commit).
 */
#ifndef STELE_H
#define STELE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One enum of result codes for the whole library. */
enum stele_code {
	STELE_OK = 0,
	STELE_EINVAL,    /* a bad argument, option or request */
	STELE_ENOMEM,    /* out of memory */
	STELE_EIO,       /* an operating system I/O call failed */
	STELE_ENOSPC,    /* no space left on the device */
	STELE_ECORRUPT,  /* a file failed its checksum or format check */
	STELE_ENOENT,    /* no such database, table, column or file */
	STELE_EEXIST,    /* it exists already */
	STELE_EBUSY,     /* the database is open in another process */
	STELE_EPARSE,    /* input could not be parsed */
	STELE_ETYPE,     /* a value's type conflicts with its column's type */
	STELE_ELIMIT,    /* a configured limit was reached */
	STELE_EREADONLY, /* writes refused: read-only, or stopped after an
	                    unrecoverable I/O failure */
	STELE_EVERSION,  /* a file of an unsupported format version */
	STELE_NCODES
};

/* A static, lower-case description of a code ("checksum or format error"). */
const char *stele_strerror(int code);

#define STELE_ERR_MSG_MAX 512

/* The error object: owned by the caller, filled by the failing call. */
typedef struct stele_err {
	int code;                     /* the code the call returned */
	char msg[STELE_ERR_MSG_MAX];  /* "could not open segment \"...\": ..." */
} stele_err;

/* Column types. Tags are always STELE_TYPE_VARCHAR. */
typedef enum stele_type {
	STELE_TYPE_NONE = 0,
	STELE_TYPE_DOUBLE = 1,
	STELE_TYPE_BIGINT = 2,    /* int64 */
	STELE_TYPE_UBIGINT = 3,   /* uint64 */
	STELE_TYPE_BOOLEAN = 4,
	STELE_TYPE_VARCHAR = 5,
	STELE_TYPE_TIMESTAMP = 6, /* int64 nanoseconds since the Unix epoch, UTC */
	STELE_TYPE_INTERVAL = 7,  /* int64 nanoseconds (SQL results only) */
} stele_type;

/* The name a user sees for a type ("double", "bigint", ...). */
const char *stele_type_name(stele_type t);

/* When a write counts as durable (DESIGN.md, "Write path"). */
typedef enum stele_sync {
	STELE_SYNC_ALWAYS = 0,  /* fsync before acknowledging; writers share fsyncs */
	STELE_SYNC_INTERVAL,    /* fsync every sync_interval_ms in the background */
	STELE_SYNC_NONE,        /* leave it to the operating system */
} stele_sync;

typedef struct stele_options {
	stele_sync sync;            /* default STELE_SYNC_ALWAYS */
	uint32_t sync_interval_ms;  /* for STELE_SYNC_INTERVAL; default 100 */
	size_t memtable_bytes;      /* memtable limit; default 64 MiB */
	int64_t partition_ns;       /* partition interval of new tables; default 1 day */
	bool create;                /* create the directory if missing; default true */
	bool recover;               /* on WAL corruption, salvage the readable records
	                               instead of failing; default false */
	bool read_only;             /* no writes, no flushes, WAL not replayed into
	                               segments; default false */
	bool background;            /* flush and compact on background threads;
	                               default true */
	uint32_t max_series;        /* new series past this many are rejected
	                               (STELE_ELIMIT on their lines), so memory
	                               stays within what the index of that many
	                               needs; 0: no limit (the default) */
	size_t query_memory;        /* bytes one SQL statement may hold (sorts,
	                               groups, joins); over it the statement
	                               fails with STELE_ELIMIT; default 1 GiB,
	                               0: no limit */
	uint32_t statement_timeout_ms; /* a statement running longer fails with
	                               STELE_ELIMIT; default 0: none */
	uint32_t query_threads;     /* threads one statement may use; default 0:
	                               one per CPU */
} stele_options;

/* Fills *o with the defaults above. */
void stele_options_init(stele_options *o);

/* Parses "always", "none" or "interval=Nms" into o->sync / o->sync_interval_ms. */
int stele_parse_sync(const char *text, stele_options *o, stele_err *err);

typedef struct stele_db stele_db;

/* Opens (or creates) the database directory `path`. A database is open in at
 * most one process at a time (STELE_EBUSY otherwise). On success *out is a
 * handle that stele_close() frees. `opts` may be NULL for the defaults. */
int stele_open(const char *path, const stele_options *opts, stele_db **out,
               stele_err *err);

/* Flushes the memtable, stops background work and frees `db`, even when it
 * returns an error (then the WAL still holds what could not be flushed). */
int stele_close(stele_db *db, stele_err *err);

typedef enum stele_precision {
	STELE_PRECISION_NS = 0,
	STELE_PRECISION_US,
	STELE_PRECISION_MS,
	STELE_PRECISION_S,
} stele_precision;

/* Parses "ns", "us", "ms" or "s" (also "n", "u", "µ" forms InfluxDB takes). */
int stele_parse_precision(const char *text, stele_precision *out, stele_err *err);

typedef struct stele_write_options {
	stele_precision precision;  /* unit of the timestamps in the input */
	uint64_t first_line;        /* number of the buffer's first line, for error
	                               messages (0 means 1) */
	int64_t now_ns;             /* time of receipt for lines without a timestamp;
	                               0 means the clock at the call */
} stele_write_options;

#define STELE_LINE_ERRORS_KEPT 10
#define STELE_LINE_ERROR_MSG_MAX 256

/* One rejected line. */
typedef struct stele_line_error {
	uint64_t line;     /* line number, from write_options.first_line */
	uint32_t column;   /* 1-based byte column where the problem was found */
	int code;          /* STELE_EPARSE, STELE_ETYPE or STELE_ELIMIT */
	char msg[STELE_LINE_ERROR_MSG_MAX];
} stele_line_error;

/* What a write did. Owned by the caller; fully overwritten by each write. */
typedef struct stele_write_result {
	uint64_t lines_written;   /* lines whose points were committed */
	uint64_t lines_rejected;  /* invalid lines, not written */
	uint64_t values_written;  /* field values committed */
	uint64_t seq;             /* commit sequence number of the batch (0: none) */
	uint32_t n_errors;        /* errors kept below, the first ones */
	stele_line_error errors[STELE_LINE_ERRORS_KEPT];
} stele_write_result;

/* Writes a buffer of line protocol as one batch: its valid lines are
 * committed atomically, all or none, and are durable under the sync policy
 * when the call returns. Invalid lines are rejected one by one and reported
 * in *res; they do not stop the valid ones.
 *
 * Returns STELE_OK when every line was written; the code of the first
 * rejected line when some were rejected (the valid ones are still written:
 * res->lines_written says how many); any other code when the batch could not
 * be committed (then res->lines_written is 0 and nothing was written).
 * `wo` may be NULL (nanoseconds, line 1, now). */
int stele_write_lp(stele_db *db, const char *buf, size_t len,
                   const stele_write_options *wo, stele_write_result *res,
                   stele_err *err);

/* Writes the memtable out as segments and waits until they are published. */
int stele_flush(stele_db *db, stele_err *err);

/* Merges the segments of every partition that has more than one into one,
 * and drops partitions past their table's retention. */
int stele_compact(stele_db *db, stele_err *err);

/* Sets the retention of `table` (0: keep forever). Partitions that end before
 * now - retention are dropped; older points are rejected on write. */
int stele_set_retention(stele_db *db, const char *table, int64_t retention_ns,
                        stele_err *err);

/* ---- SQL ----
 *
 * A statement is prepared from SQL text, executed, and its result read as
 * column batches:
 *
 *     stele_stmt *st;
 *     if (stele_prepare(db, "SELECT host, avg(usage) FROM cpu GROUP BY host",
 *                       -1, NULL, &st, &err) == STELE_OK) {
 *             const stele_batch *b;
 *             while (stele_next(st, &b, &err) == STELE_OK && b)
 *                     for (uint32_t i = 0; i < b->nrows; i++)
 *                             ... b->cols[1].v.f64[i] ...
 *             stele_finalize(st);
 *     }
 *
 * Errors carry PostgreSQL's wording; errors in the text say where
 * ("column \"usge\" does not exist at character 8").
 */

typedef struct stele_stmt stele_stmt;

typedef struct stele_str {
	const char *ptr;             /* not NUL-terminated */
	uint32_t len;
} stele_str;

/* One column of a result batch. Values by type: BOOLEAN (0/1), BIGINT,
 * TIMESTAMP (ns since the epoch, UTC) and INTERVAL (ns) in i64; UBIGINT in
 * u64; DOUBLE in f64; VARCHAR in str. nulls[i] is 1 where row i is NULL
 * (its value is then meaningless). */
typedef struct stele_column {
	stele_type type;
	const uint8_t *nulls;
	union {
		const int64_t *i64;
		const uint64_t *u64;
		const double *f64;
		const stele_str *str;
	} v;
} stele_column;

/* A batch of result rows. Owned by the statement; valid until the next
 * stele_next() or stele_finalize() on it. */
typedef struct stele_batch {
	uint32_t nrows, ncols;
	const stele_column *cols;
} stele_batch;

/* Prepares the first statement of sql[0..len) (len -1: NUL-terminated).
 * When tail is not NULL, *tail points just past that statement (at the
 * rest of a script; at the end when there is no more). Text holding only
 * spaces, comments and semicolons gives STELE_OK with *out NULL. A
 * statement is bound when prepared: names resolve and types check then.
 * The statement may not outlive db; stele_finalize frees it. */
int stele_prepare(stele_db *db, const char *sql, ptrdiff_t len, const char **tail,
                  stele_stmt **out, stele_err *err);

/* A value for a statement parameter ($1, $2, ...) of
 * stele_prepare_params. Values by type as in stele_column: BOOLEAN (0/1),
 * BIGINT, TIMESTAMP and INTERVAL in i64, UBIGINT in u64, DOUBLE in f64,
 * VARCHAR in str. STELE_TYPE_NONE is text of no declared type, in str: the
 * statement reads it as it reads a string literal ('...'), so it takes
 * the type its context asks for (`ts > $1` reads it as a timestamp).
 * The bytes str points to need to live only during the call. */
typedef struct stele_param {
	stele_type type;
	bool is_null;                /* NULL (of any type when type is NONE) */
	union {
		int64_t i64;
		uint64_t u64;
		double f64;
		stele_str str;
	} v;
} stele_param;

/* As stele_prepare, with values for the statement's parameters: $N is
 * params[N - 1], bound when the statement is prepared as a constant of
 * its type (the values never become SQL text), so a parameter is as good
 * as a literal for pruning. A $N past nparams fails ("there is no
 * parameter $N", with its position). With params NULL every $N is a NULL
 * of whatever type its context asks for: that describes a statement whose
 * values are not known yet (its result columns, stele_stmt_nparams). */
int stele_prepare_params(stele_db *db, const char *sql, ptrdiff_t len, const char **tail,
                         const stele_param *params, uint32_t nparams, stele_stmt **out,
                         stele_err *err);

/* The parameters the statement names: its highest $N (0: none). */
uint32_t stele_stmt_nparams(const stele_stmt *st);

/* Result columns (0 for statements without a result). */
uint32_t stele_stmt_ncols(const stele_stmt *st);
const char *stele_stmt_col_name(const stele_stmt *st, uint32_t i);
stele_type stele_stmt_col_type(const stele_stmt *st, uint32_t i);

/* The next batch of the result in *out, or NULL at the end. The first call
 * executes the statement (a statement without a result does all its work
 * then). */
int stele_next(stele_stmt *st, const stele_batch **out, stele_err *err);

/* Runs the statement to its end, discarding rows. */
int stele_execute(stele_stmt *st, stele_err *err);

/* PostgreSQL's command tag once the statement has run: "SELECT 3",
 * "INSERT 0 10", "CREATE TABLE", ... Valid until stele_finalize. */
const char *stele_stmt_tag(const stele_stmt *st);

/* Whether the statement only reads: a query, SHOW, EXPLAIN of a query (an
 * EXPLAIN ANALYZE of a write runs the write), or a transaction statement.
 * Servers check write permission on the others (DDL, INSERT, DELETE,
 * SET). */
bool stele_stmt_readonly(const stele_stmt *st);

/* Rows returned or changed so far. */
uint64_t stele_stmt_rows(const stele_stmt *st);

/* Asks a running statement, from any thread, to stop: its stele_next then
 * fails with STELE_ELIMIT "canceling statement due to user request". */
void stele_stmt_cancel(stele_stmt *st);

/* Frees the statement (NULL is fine). */
void stele_finalize(stele_stmt *st);

#ifdef __cplusplus
}
#endif
#endif /* STELE_H */
