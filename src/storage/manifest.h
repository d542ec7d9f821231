/*
 * manifest.h - the manifest: which segments are live, the catalog, and how
 * far the WAL has been made redundant. And Version, its in-memory image.
 *
 * The manifest is one file, MANIFEST, replaced atomically on every change
 * (write MANIFEST.tmp, fsync, rename over MANIFEST, fsync the directory), so
 * a crash leaves either the old or the new one whole. Readers pin a Version
 * (the live segments, opened) and never see a half-made change.
 *
 * File layout:
 *     OFFSET  SIZE  DESCRIPTION
 *     0       8     magic "STELEMAN"
 *     8       4     format version (2; 1 is read: it has no tombstones)
 *     12      4     CRC-32C of everything after this field
 *     16      ...   body:
 *                     varint number (1, 2, ... one more each write)
 *                     varint checkpoint: every WAL record with a sequence
 *                            number <= it is in the segments listed
 *                     varint next segment id
 *                     varint committed length of series.dat
 *                     the catalog (catalog.h)
 *                     varint nsegments; per segment: varint id, varint
 *                       table, svarint partition start, svarint min_ts,
 *                       svarint max_ts, varint nrows, varint size in bytes,
 *                       varint max_seq, (version 2) varint applied_seq,
 *                       32 bytes SHA-256 content digest
 *                     (version 2) varint ntombstones; per tombstone:
 *                       varint seq, then its encoding (tomb.h)
 */
#ifndef STELE_STORAGE_MANIFEST_H
#define STELE_STORAGE_MANIFEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "storage/catalog.h"
#include "storage/segment.h"
#include "storage/tomb.h"

#define MANIFEST_FILE "MANIFEST"
#define MANIFEST_MAX (1u << 30)

typedef struct ManifestState {
	uint64_t number;
	uint64_t checkpoint;
	uint64_t next_seg_id;
	uint64_t series_len;
} ManifestState;

/* The live segments, ordered by (table, partition start, max_seq, id): for
 * each partition oldest data first. Immutable once published. */
typedef struct Version {
	atomic_int refs;
	uint32_t nsegs;
	Segment **segs;  /* one reference each */
} Version;

/* A version holding segs[0..n) (taking a reference to each), sorted. */
Version *version_new(Segment *const *segs, uint32_t n);
void version_ref(Version *v);
void version_unref(Version *v);

/* Writes MANIFEST atomically. After a failure, *replaced says whether the
 * new manifest may nonetheless be the one a restart finds (io.h). */
int manifest_write(const char *dbdir, const ManifestState *ms, const Catalog *cat,
                   const Version *v, const Tomb *tombs, uint32_t ntombs, bool *replaced,
                   StErr *err);

/* Reads MANIFEST into *ms, *cat and a malloc'd array of segment infos.
 * *exists is false (and the rest empty) when there is no manifest yet. */
int manifest_read(const char *dbdir, ManifestState *ms, Catalog *cat, SegInfo **infos,
                  uint32_t *n, Tomb **tombs, uint32_t *ntombs, bool *exists, StErr *err);

/* The same from the bytes of a manifest file named `path` (for messages). */
int manifest_decode(const uint8_t *data, size_t len, const char *path, ManifestState *ms,
                    Catalog *cat, SegInfo **infos, uint32_t *n, Tomb **tombs,
                    uint32_t *ntombs, StErr *err);

#endif
