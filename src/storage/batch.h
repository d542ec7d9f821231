/*
 * batch.h - the payload of a WAL batch record: one write, committed whole.
 *
 * A payload is a sequence of operations, each a u8 code then its fields:
 *
 *     OP_TABLE      varint id, str name, svarint partition_ns
 *     OP_COLUMN     varint table, varint index, u8 kind, u8 type, str name
 *     OP_SERIES     varint sid, varint table, u64 hash lo, u64 hash hi,
 *                   varint ntags, then per tag: varint ordinal, str value
 *     OP_ROWS       varint table, varint nrows, then per row:
 *                     varint sid, svarint ts - previous row's ts (0 first),
 *                     varint nfields, then per field: varint column index,
 *                     the value by the column's type: DOUBLE u64 bits,
 *                     BIGINT svarint, UBIGINT varint, BOOLEAN u8, VARCHAR str
 *     OP_RETENTION  varint table, svarint retention_ns
 *     OP_DELETE     a tombstone (tomb.h): the table's rows of the matching
 *                   series in a time range are deleted
 *     OP_DROP_TABLE varint table
 *
 * Definitions (tables, columns, series) that are not yet in the manifest
 * and series.dat come before the rows that use them: every record carries
 * the definitions made since the last record that reached the WAL, so a
 * record that failed to be written takes none with it. Replay applies
 * definitions it does not have yet and checks those it has.
 *
 * Applying a record (live or on replay) goes through batch_apply(), so what
 * a replay rebuilds is what the live write built.
 */
#ifndef STELE_STORAGE_BATCH_H
#define STELE_STORAGE_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/catalog.h"
#include "storage/memtable.h"
#include "storage/series.h"
#include "storage/tomb.h"
#include "util/buf.h"

enum {
	OP_TABLE = 1, OP_COLUMN = 2, OP_SERIES = 3, OP_ROWS = 4, OP_RETENTION = 5, OP_DELETE = 6,
	OP_DROP_TABLE = 7,
};

/* The deletes a record holds, for the caller to keep as tombstones. */
typedef struct TombList {
	Tomb *v;
	uint32_t n, cap;
} TombList;
void tomblist_free(TombList *l);

/* Applies payload p[0..n): definitions into cat/sx when `replay`, rows into
 * mem. *nrows gets the number of rows applied. A delete removes its rows
 * from mem and is appended to `deletes` (when not NULL); a table drop
 * removes the table from cat and its rows from mem. */
int batch_apply(Catalog *cat, SeriesIndex *sx, MemTable *mem, const uint8_t *p, size_t n,
                bool replay, uint64_t *nrows, TombList *deletes, StErr *err);

/* Removes from mem the rows a delete kills (and returns how many). */
int batch_apply_delete(SeriesIndex *sx, MemTable *mem, const Tomb *t, uint64_t *removed,
                       StErr *err);

/* Encoders of the definitions. */
void batch_put_table(Buf *b, const Table *t);
void batch_put_column(Buf *b, const Table *t, uint32_t index);
void batch_put_series(Buf *b, const SeriesIndex *sx, const Catalog *cat, uint32_t sid);
void batch_put_retention(Buf *b, const Table *t);

#endif
