/*
 * segment.h - segments: immutable, compressed, columnar files of one table
 * and one time partition.
 *
 * A segment holds rows grouped by series (ascending sid) and sorted by ts,
 * in blocks of up to SEG_BLOCK_TARGET rows of one series. Each column of a
 * block is encoded on its own (codec.h) and carries statistics, so that
 * readers skip blocks by sid and time and answer aggregates without
 * decoding. Segments are written once (by flush or compaction), published
 * by the manifest, and deleted when a newer manifest no longer lists them.
 *
 * File layout:
 *     OFFSET  SIZE  DESCRIPTION
 *     0       8     magic "STELESEG"
 *     8       4     format version (1)
 *     12      4     table id
 *     16      8     partition start (ns)
 *     24      8     segment id
 *     32      ...   blocks, back to back; a block is:
 *                     the ts chunk (a codec stream of nrows timestamps),
 *                     then per column present in the block its chunk:
 *                       presence bitmap, ceil(nrows/8) bytes, bit i of byte
 *                       i/8 set when row i has a value (only when the
 *                       column has NULLs in the block), then the codec
 *                       stream of the non-NULL values,
 *                     then a CRC-32C of all the block's bytes before it
 *     I       L     index (below)
 *     end-56  8     index offset I
 *     end-48  4     index length L
 *     end-44  4     CRC-32C of the index
 *     end-40  32    SHA-256 of every byte before this field (content digest)
 *     end-8   8     magic "STELEEND"
 *
 * Index:
 *     varint ncols; per column: varint column index, u8 type
 *     varint nblocks; per block:
 *       varint sid, varint nrows, svarint min_ts, varint max_ts - min_ts,
 *       varint offset, varint length (with the CRC), varint ts chunk length,
 *       varint nchunks; per chunk:
 *         varint column slot (into the column list), varint null count,
 *         varint chunk length, then statistics of the non-NULL values. With
 *         one value, just the value (it is min, max, first, last and sum):
 *           DOUBLE u64 bits, BIGINT svarint, UBIGINT varint, BOOLEAN u8.
 *         With more:
 *           DOUBLE   f64 min, max, sum, first, last
 *           BIGINT   svarint min, max, first, last; sum as svarint high
 *                    64 bits then varint low 64 bits (an int128)
 *           UBIGINT  varint min, max, first, last; sum as varint high, varint
 *                    low 64 bits
 *           BOOLEAN  varint count of true, u8 first, u8 last
 *           VARCHAR  none
 *
 * Readers keep the index in memory and read a block with one pread,
 * checking its CRC before decoding.
 */
#ifndef STELE_STORAGE_SEGMENT_H
#define STELE_STORAGE_SEGMENT_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "storage/rows.h"
#include "util/buf.h"
#include "util/err.h"

#define SEG_BLOCK_ROWS 8192
/* The rows a writer puts in a block (a reader accepts up to SEG_BLOCK_ROWS,
 * as earlier versions wrote): a query decodes whole blocks, so a short
 * time window over long blocks decodes rows it then drops; and blocks
 * this short take bit layouts rather than slow-to-decode entropy coding
 * (pvec.c, ent_pays). 1024 rows (2.8 hours at 10 s) cost the devops data
 * 40% more bytes than 8192 and its query set 30% less CPU time
 * (src/storage/codecs/README.md, "Block size"). */
#define SEG_BLOCK_TARGET 1024
#define SEG_FOOTER 56
#define SEG_HEADER 32
#define SEG_DIGEST 32

/* Statistics of the non-NULL values of one column of one block. */
typedef struct ChunkStats {
	uint64_t min, max, first, last;  /* raw 8-byte values as in Rows */
	union {
		double f;       /* DOUBLE */
		__int128 i;     /* BIGINT, UBIGINT (as unsigned), BOOLEAN (trues) */
	} sum;
} ChunkStats;

typedef struct ChunkMeta {
	uint32_t slot;    /* into Segment.cols */
	uint32_t nnull;
	uint32_t off;     /* from the block's start */
	uint32_t len;
	ChunkStats st;
} ChunkMeta;

/* What a reader keeps in memory for each block: enough to choose blocks by
 * series and time. The rest of the block's index entry (its position and
 * chunks) is decoded from Segment.index when the block is read. */
typedef struct BlockMeta {
	uint32_t sid;
	uint32_t nrows;
	int64_t min_ts, max_ts;
	uint32_t entry;     /* offset in Segment.index of the entry's rest */
} BlockMeta;

/* A block's entry, decoded (seg_block_detail), and a cursor over its chunks
 * (seg_next_chunk). */
typedef struct BlockDetail {
	uint64_t off;       /* of the block in the file */
	uint32_t len;       /* with the CRC */
	uint32_t ts_len;
	uint32_t nchunks;
	uint32_t nrows;
	Rd rd;              /* at the next chunk entry */
	uint32_t next_off;  /* where the next chunk starts in the block */
	uint32_t left;      /* chunks not yet read */
} BlockDetail;

typedef struct SegCol {
	uint32_t col;   /* the table's column index */
	uint8_t type;
} SegCol;

/* What the manifest records of a segment. */
typedef struct SegInfo {
	uint64_t id;
	uint32_t table;
	int64_t part_start;
	int64_t min_ts, max_ts;
	uint64_t nrows;
	uint64_t size;       /* bytes */
	uint64_t max_seq;    /* newest WAL record whose rows it holds: orders
	                        segments for last-write-wins */
	uint64_t applied_seq; /* every delete up to this sequence number is
	                        reflected in its rows (tomb.h) */
	uint8_t digest[SEG_DIGEST];
} SegInfo;

/* The last row of every series of a segment (seg_last), for the latest
 * row per series: sids ascending; row k's value of segment column c at
 * v[k * ncols + c] (as in Rows; VARCHAR into heap), valid likewise. */
typedef struct SegLast {
	uint32_t n, ncols;
	uint32_t *sid;
	int64_t *ts;
	uint64_t *v;
	uint8_t *valid;
	Buf heap;
} SegLast;

/* An open segment. Shared by manifest versions; freed with the last ref. */
typedef struct Segment {
	SegInfo info;
	char path[PATH_MAX];
	int fd;             /* kept open for reads; -1 past the budget (below) */
	bool own_fd;        /* fd counts against the budget */
	atomic_bool retired; /* unlink the file at the last unref (seg_retire) */
	uint32_t ncols;
	SegCol *cols;
	uint32_t nblocks;
	BlockMeta *blocks;  /* ascending (sid, min_ts) */
	uint8_t *index;     /* the index as on disk, checked at open */
	uint32_t index_len;
	atomic_int refs;
	pthread_mutex_t last_mu;
	SegLast *last;      /* built on first use by seg_last, under last_mu */
} Segment;

/* Open segments keep their file open for reads while the process holds
 * fewer than a budget of such files: half the soft limit on open files
 * (RLIMIT_NOFILE) when the first segment opens, so that a database of
 * more segments than the limit allows still reads them all. A segment
 * opened past the budget opens its file for each read and closes it
 * after (a system call more a block). seg_set_fd_budget sets the budget
 * (tests; n < 0 goes back to the default); seg_fds_held tells how many
 * are held. */
void seg_set_fd_budget(int n);
int seg_fds_held(void);

/* Removes the file of a segment a published manifest no longer lists, and
 * its partition directory once empty. Readers that pinned an older version
 * go on reading it: through the descriptor of a segment that keeps one
 * (the file is unlinked at once), or, for a segment past the budget, by
 * name, so its file goes with the segment's last reference. */
void seg_retire(Segment *s);

/* The file name of a segment: DIR/data/<table>/<partition>/<id>.seg, where
 * the partition is its start as YYYYMMDDTHHMMSSZ. Also its directory. */
void seg_path(char *out, size_t n, const char *dbdir, uint32_t table, int64_t part_start,
              uint64_t id);
void seg_dir(char *out, size_t n, const char *dbdir, uint32_t table, int64_t part_start);

/* The sequence number below which a delete no longer concerns the
 * segment: its rows reflect every delete up to it. */
static inline uint64_t seg_reflects(const SegInfo *si)
{
	return si->max_seq > si->applied_seq ? si->max_seq : si->applied_seq;
}

/* Opens a segment and loads its index; checks the footer, the index CRC and
 * that the header matches `info` (from the manifest). The result has one
 * reference. */
int seg_open(const char *dbdir, const SegInfo *info, Segment **out, StErr *err);
/* The same for a file at any path (stele inspect). */
int seg_open_path(const char *path, const SegInfo *info, Segment **out, StErr *err);
void seg_ref(Segment *s);
void seg_unref(Segment *s);

/* Reads block b, checks its CRC, and appends its rows to out for out's
 * columns (rows_init'd with column indexes of the table); columns the block
 * lacks are NULL. */
int seg_read_block(Segment *s, uint32_t b, Rows *out, StErr *err);

/* The buffers a block read needs (the block's bytes, its decoded values
 * and string offsets), kept from one read to the next by a reader of many
 * blocks: a fresh allocation for each block costs page faults, since the
 * allocator gives freed memory back. Zero-initialized; seg_scratch_free. */
typedef struct SegScratch {
	uint8_t *data;
	size_t data_cap;
	uint64_t *dense;
	uint32_t *offs;
	uint32_t rows_cap;
	uint8_t *done;
	uint32_t done_cap;
	Buf strs;
} SegScratch;

/* seg_read_block with the buffers of sc. */
int seg_read_block_with(Segment *s, uint32_t b, Rows *out, SegScratch *sc, StErr *err);
void seg_scratch_free(SegScratch *sc);

/* The first block of sid (or the first after it), by binary search. */
uint32_t seg_find_sid(const Segment *s, uint32_t sid);

/* Decodes block b's index entry into d, positioned at its first chunk. */
void seg_block_detail(const Segment *s, uint32_t b, BlockDetail *d);
/* The next chunk of the block: false after the last. */
bool seg_next_chunk(const Segment *s, BlockDetail *d, ChunkMeta *cm);

/* The last row of each series in the segment, built on the first call
 * (from block statistics where a block's last row is fully known from
 * them, else by decoding that block) and kept with the segment. Valid
 * while the caller holds a reference to s. */
int seg_last(Segment *s, const SegLast **out, StErr *err);

/* Checks every block's CRC and the content digest (stele verify). */
int seg_verify(Segment *s, StErr *err);

typedef struct SegWriter SegWriter;

/* Starts writing a segment for rows of the given columns (table column
 * indexes and types, in Rows order). zstd_level as in codec_encode. */
int segw_open(const char *dbdir, uint32_t table, int64_t part_start, uint64_t id,
              uint32_t ncols, const uint32_t *cols, const uint8_t *types, int zstd_level,
              SegWriter **out, StErr *err);

/* Adds rows [from, to) of r, all of one sid, ascending ts without
 * duplicates, with r's columns matching the writer's. Sids must come in
 * ascending order. */
int segw_add(SegWriter *w, const Rows *r, uint32_t from, uint32_t to, StErr *err);

/* Rows added so far. */
uint64_t segw_rows(const SegWriter *w);

/* Writes the index and footer, fsyncs and closes; fills info (max_seq is
 * the caller's to set). Frees w. */
int segw_finish(SegWriter *w, SegInfo *info, StErr *err);

/* Abandons the segment: closes and removes the file. Frees w. */
void segw_abort(SegWriter *w);

#endif
