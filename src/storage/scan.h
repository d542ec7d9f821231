/*
 * scan.h - the storage read interface: the rows of one table over a time
 * range, for the series matching tag predicates, for chosen columns, as
 * column batches (Rows) that merge the memtables and every segment,
 * deduplicated, in (sid, ts) order.
 *
 * Sources and precedence: for each series the scan merges its blocks in
 * every segment that overlaps the range and its rows in the memtables. On
 * equal (sid, ts) the newer source wins field by field (a NULL never erases
 * a value): segments in order of max_seq, then the memtable being flushed,
 * then the active memtable.
 *
 * Consistency: scan_open pins a manifest version and references the
 * memtables; it reads the memtables' matching rows at open. The scan sees
 * every write acknowledged before scan_open, and no half-made flush or
 * compaction.
 *
 * Memory: bounded by the batch size, one decoded block per segment source,
 * and the memtables' matching rows.
 */
#ifndef STELE_STORAGE_SCAN_H
#define STELE_STORAGE_SCAN_H

#include <stdint.h>

#include "stele.h"
#include "storage/manifest.h"
#include "storage/memtable.h"
#include "storage/rows.h"
#include "storage/series.h"
#include "storage/tomb.h"

typedef struct ScanSpec {
	uint32_t table;
	int64_t tmin, tmax;       /* inclusive */
	const TagPred *preds;     /* AND of predicates; none: every series */
	uint32_t npreds;
	const uint32_t *cols;     /* field column indexes to return */
	uint32_t ncols;
	uint32_t batch_rows;      /* rows a batch aims at; 0: 4096 */
	uint32_t nshards, shard;  /* nshards > 1: read only part `shard` of the
	                             matched series (every nshards-th, from
	                             the shard-th, for parallel scans) */
	bool want_stats;          /* scan_next_ex may give a block's statistics
	                             instead of its rows (see there) */
	const uint8_t *stats_need; /* [ncols] or NULL, with want_stats: what a
	                              block must hold of each column to qualify
	                              (STATS_* flags) */
} ScanSpec;

/* Conditions for a block to come as statistics (ScanSpec.stats_need). */
enum {
	STATS_NO_NULL = 1,  /* the column has a value in every row (first, last) */
	STATS_NO_NAN = 2,   /* a DOUBLE column has no NaN (min, max) */
};

/* The statistics of a whole block, given instead of its rows: every row of
 * series `sid` with ts in [min_ts, max_ts] that the scan would return is in
 * it, no other source has a row of the series in that time, and no delete
 * touches it. cols[k] describes spec column k: `present` false when the
 * block has no value of it (all NULL). */
typedef struct BlockStats {
	uint32_t sid;
	uint32_t nrows;
	int64_t min_ts, max_ts;
	struct {
		bool present;
		uint8_t type;
		uint32_t nnull;
		ChunkStats st;
	} *cols;                  /* [ncols] */
} BlockStats;

typedef struct Scan Scan;

int scan_open(stele_db *db, const ScanSpec *spec, Scan **out, StErr *err);

/* The next batch: *out points to rows owned by the scan, valid until the
 * next call; NULL at the end. A batch holds at most batch_rows rows, sorted
 * by (sid, ts). */
int scan_next(Scan *s, const Rows **out, StErr *err);
void scan_close(Scan *s);

/* As scan_next, but with want_stats a whole block that qualifies comes as
 * *stats (and *rows NULL) without being decoded: for aggregates that fold
 * statistics (count, sum, min, max, first, last). Both NULL at the end.
 * Rows and statistics come in no particular order then. */
int scan_next_ex(Scan *s, const Rows **rows, const BlockStats **stats, StErr *err);

/* The ascending sids the scan reads: those that matched its predicates at
 * scan_open. Valid until scan_close. */
void scan_sids(const Scan *s, const uint32_t **sids, uint32_t *n);

/* The newest row of each series matching spec's predicates (its time
 * range is ignored), for spec's columns, sorted by sid, into out (which it
 * rows_init's; the caller rows_free's it). *sids gets the matched sids
 * (malloc'd, the caller frees), some of which may have no row. Reads the
 * last row of each series in each segment (cached with the segment) and
 * the memtables' newest rows, not the series' history (latest.c). */
int scan_latest(stele_db *db, const ScanSpec *spec, Rows *out, uint32_t **sids,
                uint32_t *nsids, bool *unavailable, StErr *err);
/* *unavailable: a delete not yet applied to the segments touches the
 * table; the caller reads with a full scan instead. */

/* What a read sees, pinned: the current manifest version and the
 * memtables (the one being flushed, if any, then the active one), one
 * reference each, which the caller drops (version_unref, mem_unref). The
 * caller holds db->mu. Returns the number of memtables. */
uint32_t scan_pin(stele_db *db, Version **v, MemTable *mems[2]);

/* The time span of the table's rows, in segments and memtables as of now
 * (all series; deleted rows may still count): false when it has none. */
bool scan_time_span(stele_db *db, uint32_t table, int64_t *min, int64_t *max);

/* A scan over given sources, for compaction and tests: the segments (in
 * precedence order, oldest first) and memtables (oldest first), for the
 * ascending sids. Takes references to what it keeps. */
int scan_open_sources(uint32_t table, Segment *const *segs, uint32_t nsegs,
                      MemTable *const *mems, uint32_t nmems, const uint32_t *sids,
                      uint32_t nsids, int64_t tmin, int64_t tmax, const uint32_t *cols,
                      const uint8_t *types, uint32_t ncols, uint32_t batch_rows,
                      TombSet *tombs, Scan **out, StErr *err);
/* tombs (may be NULL): the table's tombstones, which the scan takes over
 * (*tombs is emptied, also on failure); rows of a segment older than a
 * tombstone that it covers are dropped as blocks are read. Memtables
 * reflect deletes already. */

#endif
