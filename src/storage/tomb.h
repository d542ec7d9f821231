/*
 * tomb.h - tombstones: the deletes (DELETE FROM t WHERE time range and
 * tags) that segments written before them do not yet reflect.
 *
 * A delete is committed as a WAL record (OP_DELETE, batch.h) with sequence
 * number seq. The memtables are changed at once; segments are immutable,
 * so the delete becomes a tombstone: every row of a segment whose max_seq
 * (or the deletes it reflects, applied_seq) is below seq, of a series
 * matching the tag predicates and with ts in
 * [tmin, tmax], is dead. Scans drop dead rows as they read blocks (so do
 * compactions, which is how a delete reaches the disk), and the database
 * rewrites the affected segments right after the delete. A tombstone is
 * kept (in memory and in the manifest) while a segment it applies to is
 * live, and dropped at the first publish after none is.
 *
 * Encoding (in OP_DELETE and in the manifest):
 *     varint table, svarint tmin, svarint tmax, varint npreds; per
 *     predicate: varint tag ordinal, varint nvals, nvals x str value
 */
#ifndef STELE_STORAGE_TOMB_H
#define STELE_STORAGE_TOMB_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/rows.h"
#include "storage/series.h"
#include "util/buf.h"

typedef struct Tomb {
	uint64_t seq;
	uint32_t table;
	int64_t tmin, tmax;      /* inclusive */
	TagPred *preds;          /* owned, with their strings (blob) */
	uint32_t npreds;
	char *blob;
} Tomb;

void tomb_encode(const Tomb *t, Buf *out);
/* Decodes one tombstone (seq set by the caller). */
int tomb_decode(Rd *r, Tomb *t, StErr *err);
int tomb_copy(const Tomb *src, Tomb *dst, StErr *err);
void tomb_free(Tomb *t);

/* The tombstones of one table for a read, with the series each covers:
 * built under the database mutex (tombset_build in db.c), used without it.
 * A source whose max_seq is below a tombstone's seq drops its rows. */
typedef struct TombSet {
	uint32_t n;
	Tomb *tombs;             /* copies */
	uint64_t **bits;         /* [n] sid bitmaps */
	uint32_t *nbits;         /* [n] */
} TombSet;

void tombset_free(TombSet *ts);

/* Does any tombstone apply to a segment that reflects the deletes up to
 * `reflects` (seg_reflects) and holds sid in [tmin, tmax]? */
bool tombset_touches(const TombSet *ts, uint64_t reflects, uint32_t sid, int64_t tmin,
                     int64_t tmax);

/* Removes from r (rows of one such segment) the rows the tombstones kill;
 * returns how many. Strings stay where they are in the heap. */
uint32_t tombset_filter(const TombSet *ts, uint64_t reflects, Rows *r);

/* The greatest seq in the set (0 when empty). */
uint64_t tombset_max_seq(const TombSet *ts);

#endif
