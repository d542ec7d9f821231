/*
 * db.h - the database handle (struct stele_db) and its internal API for the
 * rest of Stele (CLI, SQL, server).
 *
 * Life of a write (stele_write_lp): parse outside any lock; under `mu`,
 * resolve tables, columns and series (creating them), encode one WAL
 * record, append it, apply it to the active memtable; outside `mu`, wait
 * for the WAL to be durable. A full memtable becomes `imm` and a background
 * thread flushes it to segments and publishes a new manifest; writers that
 * fill the next one before that wait (back-pressure).
 *
 * Locks, in the order they are taken:
 *   maint_mu  one flush, compaction or retention pass at a time (the only
 *             code that writes segments and the manifest)
 *   mu        catalog, series index, sequence numbers, memtable and version
 *             pointers, WAL appends, pending definitions, state
 *   MemTable.lock, Wal.mu   leaf locks
 */
#ifndef STELE_STORAGE_DB_H
#define STELE_STORAGE_DB_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "stele.h"
#include "storage/catalog.h"
#include "storage/manifest.h"
#include "storage/memtable.h"
#include "storage/series.h"
#include "storage/tomb.h"
#include "storage/wal.h"
#include "util/buf.h"

#define DB_POOL 8
#define COMPACT_MIN_SEGMENTS 4
#define COMPACT_GROWTH 4

typedef struct DbCounters {
	uint64_t lines_written, lines_rejected, values_written, batches;
	uint64_t flushes, flush_ns, compactions, segments_written;
	uint64_t partitions_dropped;
} DbCounters;

struct stele_db {
	char path[PATH_MAX];
	stele_options opts;
	int lockfd;

	pthread_mutex_t mu;
	pthread_cond_t cv;         /* imm flushed, background state changed */
	Catalog cat;
	SeriesIndex sx;
	Wal wal;
	uint64_t seq;              /* last commit sequence number assigned */
	MemTable *mem;             /* active */
	MemTable *imm;             /* full, being flushed; or NULL */
	Version *version;
	ManifestState ms;
	Buf pending;               /* definitions not yet in a WAL record */
	Buf rec, rows;             /* scratch for building a record */
	int fatal;                 /* nonzero: writes refused (see fatal_msg) */
	char fatal_msg[STELE_ERR_MSG_MAX];
	int bg_err;                /* last background failure, 0 once one succeeds */
	char bg_msg[STELE_ERR_MSG_MAX];
	DbCounters stats;

	pthread_mutex_t maint_mu;
	pthread_t bg, syncer;
	bool bg_started, syncer_started;
	bool stopping;
	bool want_compact;

	pthread_mutex_t pool_mu;
	void *pool[DB_POOL];       /* LpBatch objects for reuse */
	int npool;
	struct Pool *qpool;        /* query worker threads (db_query_pool) */
	bool qpool_tried;
	Tomb *tombs;               /* deletes segments do not reflect yet (tomb.h);
	                              under mu */
	uint32_t ntombs, cap_tombs;
};

/* The tombstones of `table` with the series each covers, for a read.
 * Caller holds mu. */
int db_tombset(stele_db *db, uint32_t table, TombSet *out, StErr *err);

/* Adds a tombstone (a copy). Caller holds mu. */
int db_add_tomb(stele_db *db, const Tomb *t, StErr *err);

/* DELETE FROM table: rows of series matching preds with ts in [tmin,
 * tmax]; *deleted gets how many rows were visible and matched (ddl.c). */
int db_delete(stele_db *db, const char *table, const TagPred *preds, uint32_t npreds,
              int64_t tmin, int64_t tmax, uint64_t *deleted, StErr *err);

/* Rewrites, without the rows the tombstones kill, every partition of
 * `table` overlapping [tmin, tmax] that holds a segment older than seq,
 * and publishes the result (compact.c). Caller holds maint_mu. */
int db_rewrite_for_delete(stele_db *db, uint32_t table, int64_t tmin, int64_t tmax,
                          uint64_t seq, StErr *err);

/* DROP TABLE (ddl.c). */
int db_drop_table(stele_db *db, const char *table, bool if_exists, bool *dropped, StErr *err);

/* The worker threads parallel queries share: query_threads - 1 of them
 * (the caller is the last), started on first use; NULL when queries run
 * on one thread. */
struct Pool *db_query_pool(stele_db *db);

/* Writes the immutable memtable, if any, to segments and publishes them. */
int db_flush_imm(stele_db *db, StErr *err);

/* Makes the active memtable immutable (waiting for a previous flush) and
 * flushes it. */
int db_flush_all(stele_db *db, StErr *err);

/* Applies retention, and compacts: with min_segments <= 2 every partition of
 * two or more segments whole; otherwise the newest run of similar-sized
 * segments of a partition when it has min_segments or more (compact.c).
 * Takes maint_mu. */
int db_compact(stele_db *db, uint32_t min_segments, StErr *err);

/* Publishes a new version and manifest in place of the current one, with
 * `add` added and `drop` removed, the WAL checkpoint moved to `checkpoint`
 * and the next segment id to `next_seg_id`; appends new series to
 * series.dat first. When `flushed` is the immutable memtable, it is
 * released. Caller holds maint_mu, not mu.
 *
 * On failure the in-memory state is unchanged, except that the segment ids
 * up to next_seg_id are never used again; *in_doubt says whether the new
 * manifest may still be the one a restart finds (its rename happened), in
 * which case the caller must not delete the new segment files: the next
 * publish or the next open's orphan sweep decides their fate. */
int db_publish(stele_db *db, Segment *const *add, uint32_t nadd, Segment *const *drop,
               uint32_t ndrop, uint64_t checkpoint, uint64_t next_seg_id, MemTable *flushed,
               bool *in_doubt, StErr *err);

/* The start of the partition holding ts. */
int64_t db_partition_start(int64_t ts, int64_t partition_ns);

/* Waits (under mu) until the active memtable has room, switching it when
 * it is full; writers wait here while a flush is behind. */
int db_make_room(stele_db *db, StErr *err);

struct LpBatch;

/* Steps 2-4 of a write (write.c) for lines already parsed: what
 * stele_write_lp does after lp_parse. `now` is the receipt time the batch
 * was parsed with (for retention checks). Callers that parse on other
 * threads commit batches in the order they want them to win. */
int db_write_batch(stele_db *db, struct LpBatch *b, int64_t now, stele_write_result *res,
                   StErr *err);

/* The table id of `name`, or UINT32_MAX. */
uint32_t db_table_id(stele_db *db, const char *name);

/* A column of CREATE TABLE / ALTER TABLE (ddl.c). */
typedef struct DbColumnDef {
	const char *name;
	uint8_t kind;    /* COL_TAG or COL_FIELD */
	uint8_t type;    /* VARCHAR for tags; a field type */
} DbColumnDef;

/* Creates table `name` with its ts column and then cols (checked first:
 * tags are varchar, fields double/bigint/ubigint/boolean/varchar, names
 * distinct), durable in the WAL on return. partition_ns 0: the database's
 * default. An existing table is STELE_EEXIST, or STELE_OK with *created
 * false when if_not_exists. */
int db_create_table(stele_db *db, const char *name, const DbColumnDef *cols, uint32_t ncols,
                    int64_t partition_ns, int64_t retention_ns, bool if_not_exists,
                    bool *created, StErr *err);

/* Adds a column to a table (ALTER TABLE ... ADD COLUMN). */
int db_add_column(stele_db *db, const char *table, const DbColumnDef *col, bool if_not_exists,
                  StErr *err);

#endif
