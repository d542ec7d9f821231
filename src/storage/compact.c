/*
 * compact.c - compaction and retention.
 *
 * Compaction merges a run of segments of one partition into one: a scan
 * over them (scan.h) gives every series' rows merged and deduplicated with
 * last-write-wins, and one writer makes the new segment, whose max_seq is
 * the largest of its inputs. A run is always consecutive in max_seq order,
 * so the merged segment keeps its place in precedence against the segments
 * left out (merging A and C around B would let A's old values win over B's).
 *
 * Which runs (size-tiered, so that each byte is rewritten O(log n) times,
 * not once per flush): in the background, the newest run of segments of
 * similar size, each older one at most COMPACT_GROWTH times the size of the
 * next newer, when it has COMPACT_MIN_SEGMENTS or more; four flush-sized
 * segments become one four times larger, four of those one sixteen times
 * larger, and so on. stele_compact() merges every partition whole. Retention drops
 * every segment of a partition that ends before now - the table's
 * retention. Both publish one new manifest for the pass and then delete
 * the files they replaced; open scans keep reading them through their open
 * descriptors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/batch.h"
#include "storage/db.h"
#include "storage/scan.h"
#include "util/io.h"
#include "util/log.h"
#include "util/timeutil.h"

#define ZSTD_LEVEL 3

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Merges segs[0..n) (one partition, precedence order) into one segment. */
static int merge_partition(stele_db *db, const Table *tab, Segment *const *segs, uint32_t n,
                           uint64_t id, Segment **out, StErr *err)
{
	uint32_t cols[CATALOG_MAX_COLUMNS];
	uint8_t types[CATALOG_MAX_COLUMNS];
	uint32_t nf = table_fields(tab, cols, types);
	size_t nall = 0;
	uint64_t max_seq = 0, applied = 0;
	for (uint32_t i = 0; i < n; i++) {
		nall += segs[i]->nblocks;
		if (segs[i]->info.max_seq > max_seq)
			max_seq = segs[i]->info.max_seq;
		if (segs[i]->info.applied_seq > applied)
			applied = segs[i]->info.applied_seq;
	}
	uint32_t *sids = malloc((nall + 1) * sizeof *sids);
	if (!sids)
		return failf(err, STELE_ENOMEM, "out of memory compacting");
	uint32_t ns = 0;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t b = 0; b < segs[i]->nblocks; b++)
			sids[ns++] = segs[i]->blocks[b].sid;
	qsort(sids, ns, sizeof *sids, cmp_u32);
	uint32_t u = 0;
	for (uint32_t i = 0; i < ns; i++)
		if (u == 0 || sids[u - 1] != sids[i])
			sids[u++] = sids[i];
	Scan *sc = NULL;
	SegWriter *w = NULL;
	TombSet tombs = {0};
	pthread_mutex_lock(&db->mu);
	int rc = db_tombset(db, tab->id, &tombs, err);
	pthread_mutex_unlock(&db->mu);
	/* The merge applies every delete of the table: the result reflects
	 * them all. */
	if (tombset_max_seq(&tombs) > applied)
		applied = tombset_max_seq(&tombs);
	if (rc == STELE_OK)
		rc = scan_open_sources(tab->id, segs, n, NULL, 0, sids, u, INT64_MIN, INT64_MAX, cols,
		                       types, nf, SEG_BLOCK_ROWS * 4, &tombs, &sc, err);
	tombset_free(&tombs);
	free(sids);
	if (rc == STELE_OK)
		rc = segw_open(db->path, tab->id, segs[0]->info.part_start, id, nf, cols, types,
		               ZSTD_LEVEL, &w, err);
	while (rc == STELE_OK) {
		const Rows *r;
		rc = scan_next(sc, &r, err);
		if (rc || !r)
			break;
		for (uint32_t a = 0; a < r->n && rc == STELE_OK;) {
			uint32_t b = a + 1;
			while (b < r->n && r->sid[b] == r->sid[a])
				b++;
			rc = segw_add(w, r, a, b, err);
			a = b;
		}
	}
	scan_close(sc);
	SegInfo info;
	if (rc == STELE_OK && segw_rows(w) == 0) {
		segw_abort(w);
		*out = NULL;
		return STELE_OK;
	}
	if (rc) {
		segw_abort(w);
		return rc;
	}
	rc = segw_finish(w, &info, err);
	if (rc)
		return rc;
	info.max_seq = max_seq;
	info.applied_seq = applied;
	char dir[PATH_MAX];
	seg_dir(dir, sizeof dir, db->path, info.table, info.part_start);
	rc = io_fsync_dir(dir, err);
	if (rc == STELE_OK)
		rc = seg_open(db->path, &info, out, err);
	if (rc) {
		char path[PATH_MAX];
		seg_path(path, sizeof path, db->path, info.table, info.part_start, info.id);
		unlink(path);
	}
	return rc;
}

/* The first segment of the newest run of similar sizes in segs[0..n). */
static uint32_t tier_start(Segment *const *segs, uint32_t n)
{
	uint32_t j = n - 1;
	while (j > 0 && segs[j - 1]->info.size <= COMPACT_GROWTH * segs[j]->info.size)
		j--;
	return j;
}

int db_compact(stele_db *db, uint32_t min_segments, StErr *err)
{
	bool full = min_segments <= 2;
	if (min_segments < 2)
		min_segments = 2;
	pthread_mutex_lock(&db->maint_mu);
	pthread_mutex_lock(&db->mu);
	Version *v = db->version;
	version_ref(v);
	Catalog cat;
	int rc = catalog_copy(&db->cat, &cat, err);
	uint64_t next_id = db->ms.next_seg_id;
	pthread_mutex_unlock(&db->mu);
	if (rc) {
		version_unref(v);
		pthread_mutex_unlock(&db->maint_mu);
		return rc;
	}
	int64_t now = time_now_ns();
	Segment **add = calloc(v->nsegs + 1, sizeof *add);
	Segment **drop = calloc(v->nsegs + 1, sizeof *drop);
	uint32_t nadd = 0, ndrop = 0, nexpired = 0;
	if (!add || !drop)
		rc = failf(err, STELE_ENOMEM, "out of memory compacting");
	/* The version is ordered by (table, partition, max_seq): walk it a
	 * partition at a time. */
	for (uint32_t i = 0; rc == STELE_OK && i < v->nsegs;) {
		const SegInfo *si = &v->segs[i]->info;
		uint32_t j = i + 1;
		while (j < v->nsegs && v->segs[j]->info.table == si->table &&
		       v->segs[j]->info.part_start == si->part_start)
			j++;
		const Table *tab = catalog_table(&cat, si->table);
		if (!tab) {
			/* A dropped table's segments (left by a crash before the
			 * drop's manifest): remove them. */
			for (uint32_t k = i; k < j; k++)
				drop[ndrop++] = v->segs[k];
			i = j;
			continue;
		}
		int64_t part_end = si->part_start + tab->partition_ns;
		if (tab->retention_ns && part_end <= now - tab->retention_ns) {
			for (uint32_t k = i; k < j; k++)
				drop[ndrop++] = v->segs[k];
			nexpired += j - i;
		} else if (j - i >= min_segments) {
			uint32_t from = full ? i : i + tier_start(v->segs + i, j - i);
			if (j - from >= min_segments) {
				Segment *merged = NULL;
				rc = merge_partition(db, tab, v->segs + from, j - from, next_id++, &merged,
				                     err);
				if (rc == STELE_OK) {
					if (merged)
						add[nadd++] = merged;
					for (uint32_t k = from; k < j; k++)
						drop[ndrop++] = v->segs[k];
				}
			}
		}
		i = j;
	}
	bool in_doubt = false;
	if (rc == STELE_OK && ndrop > 0)
		rc = db_publish(db, add, nadd, drop, ndrop, 0, next_id, NULL, &in_doubt, err);
	if (rc == STELE_OK && ndrop > 0) {
		/* The new manifest no longer lists them: remove the files. */
		for (uint32_t k = 0; k < ndrop; k++)
			seg_retire(drop[k]);
		pthread_mutex_lock(&db->mu);
		db->stats.compactions += nadd;
		db->stats.partitions_dropped += nexpired;
		pthread_mutex_unlock(&db->mu);
	} else if (rc && !in_doubt) {
		for (uint32_t k = 0; k < nadd; k++)
			unlink(add[k]->path);
	}
	for (uint32_t k = 0; k < nadd; k++)
		seg_unref(add[k]);
	free(add);
	free(drop);
	catalog_free(&cat);
	version_unref(v);
	pthread_mutex_unlock(&db->maint_mu);
	return rc;
}

int stele_set_retention(stele_db *db, const char *table, int64_t retention_ns, stele_err *err)
{
	if (retention_ns < 0)
		return failf(err, STELE_EINVAL, "retention must not be negative");
	if (db->opts.read_only)
		return failf(err, STELE_EREADONLY, "database \"%s\" is open read-only", db->path);
	pthread_mutex_lock(&db->mu);
	Table *t = catalog_find(&db->cat, table, strlen(table));
	int rc = STELE_OK;
	if (!t)
		rc = failf(err, STELE_ENOENT, "table \"%s\" does not exist", table);
	else if (db->fatal)
		rc = failf(err, db->fatal, "%s", db->fatal_msg);
	uint64_t seq = 0;
	if (rc == STELE_OK) {
		int64_t old = t->retention_ns;
		t->retention_ns = retention_ns;
		Buf *rec = &db->rec;
		buf_reset(rec);
		wal_record_begin(rec);
		buf_put(rec, db->pending.data, db->pending.len);
		batch_put_retention(rec, t);
		rc = wal_append(&db->wal, rec, db->seq + 1, WAL_BATCH, err);
		if (rc) {
			t->retention_ns = old;
		} else {
			seq = ++db->seq;
			buf_reset(&db->pending);
			if (!db->mem->min_seq)
				db->mem->min_seq = seq;
			db->mem->max_seq = seq;
		}
	}
	pthread_mutex_unlock(&db->mu);
	if (rc == STELE_OK && db->opts.sync != STELE_SYNC_NONE)
		rc = wal_sync_to(&db->wal, seq, err);
	if (rc == STELE_OK)
		rc = db_compact(db, UINT32_MAX, err);
	return rc;
}

int db_rewrite_for_delete(stele_db *db, uint32_t table, int64_t tmin, int64_t tmax,
                          uint64_t seq, StErr *err)
{
	pthread_mutex_lock(&db->mu);
	Version *v = db->version;
	version_ref(v);
	Catalog cat;
	int rc = catalog_copy(&db->cat, &cat, err);
	uint64_t next_id = db->ms.next_seg_id;
	pthread_mutex_unlock(&db->mu);
	if (rc) {
		version_unref(v);
		return rc;
	}
	const Table *tab = catalog_table(&cat, table);
	Segment **add = calloc(v->nsegs + 1, sizeof *add);
	Segment **drop = calloc(v->nsegs + 1, sizeof *drop);
	uint32_t nadd = 0, ndrop = 0;
	if (!add || !drop)
		rc = failf(err, STELE_ENOMEM, "out of memory applying a delete");
	for (uint32_t i = 0; rc == STELE_OK && tab && i < v->nsegs;) {
		const SegInfo *si = &v->segs[i]->info;
		uint32_t j = i + 1;
		while (j < v->nsegs && v->segs[j]->info.table == si->table &&
		       v->segs[j]->info.part_start == si->part_start)
			j++;
		bool touched = false;
		for (uint32_t k = i; k < j && si->table == table; k++) {
			const SegInfo *x = &v->segs[k]->info;
			touched = touched || (seg_reflects(x) < seq && x->max_ts >= tmin && x->min_ts <= tmax);
		}
		if (touched) {
			/* The whole partition, so that the run is consecutive in
			 * max_seq order (compact.c's rule). */
			Segment *merged = NULL;
			rc = merge_partition(db, tab, v->segs + i, j - i, next_id++, &merged, err);
			if (rc == STELE_OK) {
				if (merged)
					add[nadd++] = merged;
				for (uint32_t k = i; k < j; k++)
					drop[ndrop++] = v->segs[k];
			}
		}
		i = j;
	}
	bool in_doubt = false;
	if (rc == STELE_OK && (ndrop > 0 || nadd > 0))
		rc = db_publish(db, add, nadd, drop, ndrop, 0, next_id, NULL, &in_doubt, err);
	else if (rc == STELE_OK)
		/* Nothing to rewrite: a publish still drops the tombstone. */
		rc = db_publish(db, NULL, 0, NULL, 0, 0, next_id, NULL, &in_doubt, err);
	if (rc == STELE_OK) {
		for (uint32_t k = 0; k < ndrop; k++)
			seg_retire(drop[k]);
	} else if (!in_doubt) {
		for (uint32_t k = 0; k < nadd; k++)
			unlink(add[k]->path);
	}
	for (uint32_t k = 0; k < nadd; k++)
		seg_unref(add[k]);
	free(add);
	free(drop);
	catalog_free(&cat);
	version_unref(v);
	return rc;
}
