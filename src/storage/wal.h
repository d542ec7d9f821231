/*
 * wal.h - the write-ahead log: durable, checksummed, replayable batches.
 *
 * The WAL is a directory of files named by the sequence number of their
 * first record (wal/00000000000000000001.wal). Records are appended to the
 * newest file; a new file starts whenever the memtable is switched, so that a
 * file can be deleted once every record in it is in published segments.
 *
 * File layout:
 *     OFFSET  SIZE  DESCRIPTION
 *     0       8     magic "STELEWAL"
 *     8       4     format version (1)
 *     12      4     reserved: 0 (anything else is damage)
 *     16      ...   records, each:
 *                     0   4  CRC-32C of the record from offset 4 to its end
 *                     4   4  payload length L
 *                     8   8  commit sequence number (consecutive, from 1)
 *                     16  8  synced: the length of the file that an fsync had
 *                            made durable when this record was appended
 *                     24  1  record type (WAL_BATCH)
 *                     25  L  payload (batch.h)
 *
 * Replay reads every file in order. A record that is cut short or fails its
 * checksum is where the log ends, and the file is cut there, when it is in
 * the newest file and lies in its unsynced tail: no valid record follows, or
 * every valid record that follows says (by `synced`) that the bad one had
 * not been fsynced when it was written. After a power loss the unsynced tail
 * may hold any subset of its writes, some torn (the page cache writes pages
 * back in any order); nothing in it was acknowledged under sync=always. Any
 * other bad record is corruption: replay fails naming the file and offset,
 * unless `recover` is set, which skips to the next valid record and logs
 * what was lost.
 *
 * Durability (group commit): wal_append() writes a record with pwrite under
 * the database mutex; wal_sync_to() then waits outside it until an fsync has
 * covered the record. The first waiter becomes the leader and fsyncs for
 * everyone whose record was written before its fsync began; the others
 * wait for it. A failed fsync is never retried: the WAL becomes failed, every
 * waiter gets the error, and so does every later append.
 */
#ifndef STELE_STORAGE_WAL_H
#define STELE_STORAGE_WAL_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

#define WAL_DIR "wal"
#define WAL_HEADER 16
#define WAL_REC_HEADER 25
#define WAL_MAX_RECORD (1u << 30)

enum { WAL_BATCH = 1 };

typedef struct Wal {
	char dir[PATH_MAX];        /* db/wal */
	int fd;                    /* the file being appended to, or -1 */
	char path[PATH_MAX];
	uint64_t off;              /* its length */
	uint64_t first_seq;        /* sequence number its name carries */
	/* group commit, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t written_seq;      /* last record written */
	uint64_t synced_seq;       /* last record known durable */
	uint64_t written_off;      /* length of the current file after the last append */
	uint64_t synced_off;       /* length of the current file known durable */
	bool syncing;              /* a leader is in fsync */
	int failed;                /* sticky: a code once an fsync or cleanup failed */
	char failmsg[STELE_ERR_MSG_MAX];
	/* counters for stats and metrics */
	uint64_t nsyncs;
	uint64_t sync_ns;          /* total time spent in fsync */
	uint64_t bytes_written;
} Wal;

/* Called for each record during replay. */
typedef int (*WalRecordFn)(void *ctx, uint64_t seq, uint8_t type, const uint8_t *payload,
                           size_t len, StErr *err);

/* Sets up w for dbdir/wal (the directory is the caller's to create). */
void wal_init(Wal *w, const char *dbdir);
void wal_close(Wal *w);

/* Replays every record with seq > after_seq, in order, through fn; cuts a
 * torn tail (unless read_only). *last_seq gets the last sequence number seen
 * (after_seq if none). */
int wal_replay(Wal *w, uint64_t after_seq, bool recover, bool read_only, WalRecordFn fn,
               void *ctx, uint64_t *last_seq, StErr *err);

/* Starts a new file whose first record will be next_seq. The current file,
 * if any, is fsynced and closed first. */
int wal_rotate(Wal *w, uint64_t next_seq, StErr *err);

/* Reserves the record header at the start of an empty buffer. */
static inline void wal_record_begin(Buf *rec)
{
	uint8_t zero[WAL_REC_HEADER] = {0};
	buf_put(rec, zero, sizeof zero);
}

/* Fills in the header of rec (built after wal_record_begin) and appends it.
 * On a failed write the file is cut back, so the next append starts clean;
 * if that fails too, the WAL becomes failed. Caller serializes appends. */
int wal_append(Wal *w, Buf *rec, uint64_t seq, uint8_t type, StErr *err);

/* Waits until every record up to seq is durable (group commit). */
int wal_sync_to(Wal *w, uint64_t seq, StErr *err);

/* Deletes the files all of whose records have seq <= upto, except the
 * current one. */
int wal_remove_upto(Wal *w, uint64_t upto, StErr *err);

#endif
