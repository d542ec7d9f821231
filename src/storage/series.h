/*
 * series.h - the series index: which series exist, their tags, and which
 * series carry each tag value.
 *
 * A series is one tag set of one table, named by its canonical series key
 * (lp.h). It gets a dense id (sid) 0, 1, 2, ... in order of creation, for
 * the life of the database. Storage is by sid: segments and memtables hold
 * sids, never tag strings.
 *
 *  - lookup: the 128-bit XXH3 hash of the canonical key -> sid, through an
 *    HMap on the low 64 bits and the whole hash kept per series. Two keys
 *    are taken as equal when their 128-bit hashes are.
 *  - tags: per table and tag column, a dictionary of the values (StrDict,
 *    value ids "vids"); per series, the vid of each tag column of its table
 *    (NO_VID where the series lacks that tag).
 *  - postings: per table, tag column and vid, the ascending sids that carry
 *    it; per table, all its sids.
 *
 * Memory per series (devops, ten tags): about 120 bytes, measured by
 * series_bytes().
 *
 * Persistence: series.dat, an append-only log written at each flush with
 * the series and tag values created since the last one, in creation order
 * (so that replaying it gives every sid and vid again). The manifest records
 * how many bytes of it are committed; a longer file has an uncommitted tail
 * that open cuts off. Series created since are defined again in the WAL.
 *
 * series.dat:
 *     OFFSET  SIZE  DESCRIPTION
 *     0       8     magic "STELESER"
 *     8       4     format version (1)
 *     12      4     reserved: 0 (anything else is damage)
 *     16      ...   chunks, each:
 *                     0  4  CRC-32C of the rest of the chunk (from offset 4)
 *                     4  4  payload length L
 *                     8  L  entries, each a u8 kind then:
 *                           1 VALUE   varint table, varint tagord, varint vid,
 *                                     str value
 *                           2 SERIES  varint sid, varint table, u64 hash_lo,
 *                                     u64 hash_hi, varint n, n x varint (vid+1,
 *                                     0 for none)
 *
 * Locking: changed under the database mutex; readers take it too, or use
 * facts that never change once written (a series' table and tags).
 */
#ifndef STELE_STORAGE_SERIES_H
#define STELE_STORAGE_SERIES_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/catalog.h"
#include "util/buf.h"
#include "util/strdict.h"

#define NO_SID UINT32_MAX
#define NO_VID UINT32_MAX
#define SERIES_FILE "series.dat"

typedef struct SeriesHash {
	uint64_t lo, hi;
} SeriesHash;

SeriesHash series_hash(const char *key, size_t len);

/* The ascending sids of one tag value. Small lists live inline. */
typedef struct Posting {
	uint32_t n, cap;
	union {
		uint32_t one;    /* cap == 0: the single sid (n == 1) */
		uint32_t *many;  /* cap > 0 */
	} u;
} Posting;

typedef struct SeriesTable {
	uint32_t ntags;      /* tag ordinals with a dictionary */
	StrDict *dicts;      /* [ntags] */
	Posting **post;      /* [ntags][dicts[k].n] */
	uint32_t *cap_post;  /* [ntags] */
	uint32_t *logged;    /* [ntags]: values already in series.dat */
	Posting all;         /* every sid of the table */
} SeriesTable;

typedef struct SeriesIndex {
	uint32_t n, cap;        /* series */
	SeriesHash *hash;       /* [n] */
	uint32_t *off;          /* [n]: offset in pool of the series' entry:
	                           table id, ntags, then ntags vids */
	uint32_t *pool;
	size_t npool, cap_pool;
	HMap map;               /* hash lo -> sid */
	SeriesTable *tables;    /* by table id */
	uint32_t ntables;
	uint32_t max_series;    /* 0: no limit */
	/* series.dat */
	int fd;                 /* -1 when not open */
	uint64_t file_len;      /* bytes written and synced */
	uint32_t nlogged;       /* series in the file */
} SeriesIndex;

void series_init(SeriesIndex *sx);
void series_free(SeriesIndex *sx);

/* The sid of the key with hash h, or NO_SID. */
uint32_t series_find(const SeriesIndex *sx, SeriesHash h);

/* The vid of value s of tag ordinal `ord` in `table`, adding it if absent. */
int series_intern_value(SeriesIndex *sx, uint32_t table, uint32_t ord, const char *s, size_t n,
                        uint32_t *vid, StErr *err);

/* Creates a series of `table` with hash h and vids[ord] for ord < ntags
 * (NO_VID for absent tags); *sid gets its id (sx->n before the call). */
int series_create(SeriesIndex *sx, uint32_t table, SeriesHash h, const uint32_t *vids,
                  uint32_t ntags, uint32_t *sid, StErr *err);

static inline uint32_t series_table(const SeriesIndex *sx, uint32_t sid)
{
	return sx->pool[sx->off[sid]];
}

/* The vid of tag ordinal `ord` of the series, or NO_VID. */
static inline uint32_t series_vid(const SeriesIndex *sx, uint32_t sid, uint32_t ord)
{
	const uint32_t *e = sx->pool + sx->off[sid];
	return ord < e[1] ? e[2 + ord] : NO_VID;
}

/* The value of tag ordinal `ord` of the series: NULL (and *len 0) if the
 * series lacks the tag. Valid until the next change of the index. */
const char *series_tag(const SeriesIndex *sx, uint32_t sid, uint32_t ord, size_t *len);

/* Appends the canonical series key of sid (lp.h) to out. */
void series_key(const SeriesIndex *sx, const Catalog *cat, uint32_t sid, Buf *out);

/* A tag predicate: the tag with ordinal `ord` has one of the values. */
typedef struct TagPred {
	uint32_t ord;
	const char *const *vals;
	const uint32_t *lens;
	uint32_t nvals;
} TagPred;

/* The ascending sids of `table` that satisfy every predicate (all of the
 * table's sids when npreds is 0). *out is malloc'd; the caller frees it. */
int series_match(const SeriesIndex *sx, uint32_t table, const TagPred *preds, uint32_t npreds,
                 uint32_t **out, uint32_t *n, StErr *err);

/* Opens dir/series.dat (creating it if absent), cuts it to committed_len
 * and loads its entries. committed_len 0 means a new database. */
int series_open_log(SeriesIndex *sx, const char *dir, uint64_t committed_len, StErr *err);

/* Appends the series and values created since the last call as one chunk,
 * and fsyncs. On success sx->file_len is the new committed length, which the
 * next manifest must record. On failure the file is cut back and nothing is
 * marked logged. */
int series_log_append(SeriesIndex *sx, const char *dir, StErr *err);

size_t series_bytes(const SeriesIndex *sx);

#endif
