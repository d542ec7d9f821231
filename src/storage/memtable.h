/*
 * memtable.h - recent writes in memory, by table, in arrival order.
 *
 * Each table's part (MemTbl) is a set of column arrays that grow together:
 * sid[], ts[], and per field column v[] and valid[] (the layout of Rows,
 * rows.h). A row is appended per point; sorting by (sid, ts) and merging of
 * duplicates happen when rows are read out (mem_extract), for a flush or a
 * scan. Later rows win over earlier ones with the same (sid, ts), field by
 * field: a later row's NULL does not erase an earlier value.
 *
 * Bounds: `bytes` counts every array allocated; the database switches to a
 * new memtable when it passes the configured limit and makes writers wait
 * while the previous one is still being flushed.
 *
 * Locking: one writer at a time appends, holding `lock` for writing (the
 * database mutex serializes writers); readers extract under the read lock.
 * A memtable is reference-counted: the database holds one reference while
 * it is active or waiting for flush, and each reader one while it reads.
 */
#ifndef STELE_STORAGE_MEMTABLE_H
#define STELE_STORAGE_MEMTABLE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "storage/rows.h"
#include "util/err.h"

typedef struct MemCol {
	uint8_t type;    /* stele_type; 0 while the column has no value here */
	uint64_t *v;     /* [cap], as in Rows */
	uint8_t *valid;  /* [cap], zero-filled as it grows */
} MemCol;

typedef struct MemTbl {
	uint32_t table;
	uint32_t n, cap;
	uint32_t *sid;
	int64_t *ts;
	MemCol *cols;     /* [ncols], by the table's column index */
	uint32_t ncols;
	Buf heap;         /* VARCHAR bytes */
	int64_t min_ts, max_ts;
	uint32_t max_sid;
	/* The newest row of each series, for the latest row per series:
	 * last[sid] is the last-arrived row with the greatest ts (UINT32_MAX:
	 * none); last_dup[sid] says an earlier row has that same ts, whose
	 * fields the newest row may only partly overwrite. [last_cap]. */
	uint32_t *last;
	uint8_t *last_dup;
	uint32_t last_cap;
} MemTbl;

typedef struct MemTable {
	MemTbl **tabs;    /* by table id; NULL where the table has no rows */
	uint32_t ntabs;
	size_t bytes;     /* memory held by the arrays */
	uint64_t rows;    /* rows appended */
	uint64_t min_seq; /* WAL sequence numbers of the batches applied */
	uint64_t max_seq;
	pthread_rwlock_t lock;
	atomic_int refs;
} MemTable;

/* A new empty memtable with one reference, or NULL when out of memory. */
MemTable *mem_new(void);
void mem_ref(MemTable *m);
void mem_unref(MemTable *m);

/* Appends a row (sid, ts) with no field values to `table`; *tbl and *row say
 * where to put its values. Caller holds the write lock. */
int mem_row(MemTable *m, uint32_t table, uint32_t sid, int64_t ts, MemTbl **tbl, uint32_t *row);
int mem_put_slow(MemTable *m, MemTbl *t, uint32_t row, uint32_t col, uint8_t type, uint64_t v);

/* Sets column `col` (of `type`) of the row. For VARCHAR use mem_put_str. */
static inline int mem_put(MemTable *m, MemTbl *t, uint32_t row, uint32_t col, uint8_t type,
                          uint64_t v)
{
	if (col < t->ncols && t->cols[col].type) {
		t->cols[col].v[row] = v;
		t->cols[col].valid[row] = 1;
		return STELE_OK;
	}
	return mem_put_slow(m, t, row, col, type, v);
}
int mem_put_str(MemTable *m, MemTbl *t, uint32_t row, uint32_t col, const char *s, uint32_t n);

/* Appends to `out` the rows of `table` whose sid is in `sids` (a bitmap of
 * nsids bits; NULL for all) and whose ts is in [tmin, tmax], sorted by
 * (sid, ts) with duplicates merged, for the columns `out` was set up with
 * (rows_init). `out` must be empty. Takes the read lock. */
int mem_extract(MemTable *m, uint32_t table, const uint64_t *sids, uint32_t nsids,
                int64_t tmin, int64_t tmax, Rows *out, StErr *err);

/* The same in two steps, for reading a large (immutable) memtable out a
 * window at a time: mem_order() gives the positions of the table's rows in
 * (sid, ts, arrival) order (malloc'd, the caller frees); mem_gather()
 * appends rows order[from..to) to out, merging duplicates. A window must not
 * split a run of equal (sid, ts). No locking: for immutable memtables. */
int mem_order(const MemTbl *t, uint32_t **order, uint32_t *n, StErr *err);
int mem_gather(const MemTbl *t, const uint32_t *order, uint32_t from, uint32_t to, Rows *out,
               StErr *err);

/* The newest row of sid in t: false when t has none; *dup when other rows
 * share its ts (then only mem_extract gives the merged row). Caller holds
 * the read lock (or the memtable is immutable). */
static inline bool mem_latest(const MemTbl *t, uint32_t sid, uint32_t *row, bool *dup)
{
	if (!t || sid >= t->last_cap || t->last[sid] == UINT32_MAX)
		return false;
	*row = t->last[sid];
	*dup = t->last_dup[sid] != 0;
	return true;
}

/* Removes the rows of `table` whose sid is in the bitmap (nsids bits) and
 * ts in [tmin, tmax]; returns how many. Caller holds the write lock. */
uint64_t mem_delete(MemTable *m, uint32_t table, const uint64_t *sids, uint32_t nsids,
                    int64_t tmin, int64_t tmax);
/* Removes every row of `table`. Caller holds the write lock. */
void mem_drop_table(MemTable *m, uint32_t table);

/* The table's part, or NULL. */
static inline MemTbl *mem_table(const MemTable *m, uint32_t table)
{
	return table < m->ntabs ? m->tabs[table] : NULL;
}

#endif
