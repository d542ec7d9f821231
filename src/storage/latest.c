/*
 * latest.c - scan_latest: the newest row of each series (scan.h), without
 * reading the series' history.
 *
 * For a series, the newest time T is the greatest of: each segment's last
 * row of it (seg_last: built once per segment, from block statistics when
 * they fix the last row), and each memtable's newest row of it
 * (mem_latest, kept on write). The row at T is then made as a scan makes
 * it: the sources that have a row at T overlay it in precedence order
 * (segments by max_seq, the memtable being flushed, the active one), a
 * field's value coming from the newest source that has one. A memtable
 * holding several rows at T merges them itself (mem_extract).
 *
 * Consistency as scan_open: one manifest version and the memtables are
 * pinned at the start; every write acknowledged before the call is seen.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "storage/db.h"
#include "storage/scan.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory reading the latest rows")

typedef struct SegSrc {
	Segment *seg;
	const SegLast *last;
	uint32_t *slot;     /* [ncols]: the segment column of each output column,
	                       or UINT32_MAX */
	uint32_t pos;       /* cursor into last->sid (sids come ascending) */
} SegSrc;

static int cmp_seq(const void *a, const void *b)
{
	const Segment *x = *(Segment *const *)a, *y = *(Segment *const *)b;
	return x->info.max_seq < y->info.max_seq ? -1 : x->info.max_seq > y->info.max_seq;
}

/* Sets output row o's columns from a segment's last row k. */
static void overlay_seg(Rows *out, uint32_t o, const SegSrc *s, uint32_t k)
{
	const SegLast *l = s->last;
	for (uint32_t c = 0; c < out->ncols; c++) {
		uint32_t slot = s->slot[c];
		if (slot == UINT32_MAX)
			continue;
		size_t at = (size_t)k * l->ncols + slot;
		if (!l->valid[at])
			continue;
		ColVec *d = &out->cols[c];
		uint64_t v = l->v[at];
		if (d->type == STELE_TYPE_VARCHAR) {
			const char *p = (const char *)l->heap.data + (v >> 32);
			v = rows_put_str(out, p, (uint32_t)v);
		}
		d->v[o] = v;
		d->valid[o] = 1;
	}
}

/* Sets output row o's columns from memtable row r. */
static void overlay_mem(Rows *out, uint32_t o, const MemTbl *t, uint32_t r)
{
	for (uint32_t c = 0; c < out->ncols; c++) {
		uint32_t col = out->cols[c].col;
		if (col >= t->ncols || !t->cols[col].type || !t->cols[col].valid[r])
			continue;
		ColVec *d = &out->cols[c];
		uint64_t v = t->cols[col].v[r];
		if (d->type == STELE_TYPE_VARCHAR) {
			const char *p = (const char *)t->heap.data + (v >> 32);
			v = rows_put_str(out, p, (uint32_t)v);
		}
		d->v[o] = v;
		d->valid[o] = 1;
	}
}

/* Sets output row o's columns from row i of src (same columns). */
static void overlay_rows(Rows *out, uint32_t o, const Rows *src, uint32_t i)
{
	for (uint32_t c = 0; c < out->ncols; c++) {
		const ColVec *s = &src->cols[c];
		if (!s->valid[i])
			continue;
		uint64_t v = s->v[i];
		if (s->type == STELE_TYPE_VARCHAR) {
			uint32_t len;
			const char *p = rows_str(src, v, &len);
			v = rows_put_str(out, p, len);
		}
		out->cols[c].v[o] = v;
		out->cols[c].valid[o] = 1;
	}
}

int scan_latest(stele_db *db, const ScanSpec *spec, Rows *out, uint32_t **sids_out,
                uint32_t *nsids_out, bool *unavailable, StErr *err)
{
	*sids_out = NULL;
	*nsids_out = 0;
	*unavailable = false;
	uint32_t *sids = NULL, nsids = 0;
	uint8_t *types = malloc(spec->ncols + 1);
	if (!types)
		return NOMEM(err);
	pthread_mutex_lock(&db->mu);
	const Table *t = catalog_table(&db->cat, spec->table);
	int rc = STELE_OK;
	if (!t)
		rc = failf(err, STELE_ENOENT, "table %u does not exist", spec->table);
	for (uint32_t i = 0; rc == STELE_OK && i < spec->ncols; i++) {
		if (spec->cols[i] >= t->ncols || t->cols[spec->cols[i]].kind != COL_FIELD)
			rc = failf(err, STELE_EINVAL, "column %u of table \"%s\" is not a field",
			           spec->cols[i], t->name);
		else
			types[i] = t->cols[spec->cols[i]].type;
	}
	for (uint32_t i = 0; rc == STELE_OK && i < db->ntombs; i++)
		if (db->tombs[i].table == spec->table)
			*unavailable = true;
	if (*unavailable) {
		pthread_mutex_unlock(&db->mu);
		free(types);
		return STELE_OK;
	}
	if (rc == STELE_OK)
		rc = series_match(&db->sx, spec->table, spec->preds, spec->npreds, &sids, &nsids, err);
	Version *v = NULL;
	MemTable *mems[2];
	uint32_t nmems = rc == STELE_OK ? scan_pin(db, &v, mems) : 0;
	pthread_mutex_unlock(&db->mu);
	if (rc) {
		free(types);
		free(sids);
		return rc;
	}
	SegSrc *segs = calloc((size_t)v->nsegs + 1, sizeof *segs);
	Segment **order = malloc(((size_t)v->nsegs + 1) * sizeof *order);
	uint32_t nsegs = 0;
	uint32_t *dups = NULL, ndups = 0;
	if (!segs || !order || rows_init(out, spec->ncols, spec->cols, types) ||
	    rows_reserve(out, nsids ? nsids : 1)) {
		rc = NOMEM(err);
		goto done;
	}
	for (uint32_t i = 0; i < v->nsegs; i++)
		if (v->segs[i]->info.table == spec->table)
			order[nsegs++] = v->segs[i];
	qsort(order, nsegs, sizeof *order, cmp_seq);
	for (uint32_t i = 0; i < nsegs && rc == STELE_OK; i++) {
		SegSrc *s = &segs[i];
		s->seg = order[i];
		rc = seg_last(s->seg, &s->last, err);
		s->slot = malloc((spec->ncols + 1) * sizeof *s->slot);
		if (rc == STELE_OK && !s->slot)
			rc = NOMEM(err);
		for (uint32_t c = 0; rc == STELE_OK && c < spec->ncols; c++) {
			s->slot[c] = UINT32_MAX;
			for (uint32_t k = 0; k < s->seg->ncols; k++)
				if (s->seg->cols[k].col == spec->cols[c])
					s->slot[c] = k;
		}
	}
	dups = malloc(((size_t)nsids + 1) * sizeof *dups);
	if (rc == STELE_OK && !dups)
		rc = NOMEM(err);
	if (rc)
		goto done;
	const MemTbl *mt[2] = {NULL, NULL};
	for (uint32_t m = 0; m < nmems; m++) {
		pthread_rwlock_rdlock(&mems[m]->lock);
		mt[m] = mem_table(mems[m], spec->table);
	}
	for (uint32_t j = 0; j < nsids; j++) {
		uint32_t sid = sids[j];
		int64_t best = INT64_MIN;
		bool any = false;
		for (uint32_t i = 0; i < nsegs; i++) {
			SegSrc *s = &segs[i];
			const SegLast *l = s->last;
			while (s->pos < l->n && l->sid[s->pos] < sid)
				s->pos++;
			if (s->pos < l->n && l->sid[s->pos] == sid && (!any || l->ts[s->pos] > best)) {
				best = l->ts[s->pos];
				any = true;
			}
		}
		uint32_t mrow[2];
		bool mhas[2] = {false, false}, mdup[2] = {false, false};
		for (uint32_t m = 0; m < nmems; m++) {
			mhas[m] = mem_latest(mt[m], sid, &mrow[m], &mdup[m]);
			if (mhas[m] && (!any || mt[m]->ts[mrow[m]] > best)) {
				best = mt[m]->ts[mrow[m]];
				any = true;
			}
		}
		if (!any)
			continue;
		uint32_t o = out->n++;
		out->sid[o] = sid;
		out->ts[o] = best;
		for (uint32_t c = 0; c < out->ncols; c++) {
			out->cols[c].valid[o] = 0;
			out->cols[c].v[o] = 0;
		}
		for (uint32_t i = 0; i < nsegs; i++) {
			const SegSrc *s = &segs[i];
			if (s->pos < s->last->n && s->last->sid[s->pos] == sid && s->last->ts[s->pos] == best)
				overlay_seg(out, o, s, s->pos);
		}
		bool dup = false;
		for (uint32_t m = 0; m < nmems; m++)
			if (mhas[m] && mt[m]->ts[mrow[m]] == best) {
				overlay_mem(out, o, mt[m], mrow[m]);
				dup = dup || mdup[m];
			}
		if (dup)
			dups[ndups++] = o;
	}
	for (uint32_t m = 0; m < nmems; m++)
		pthread_rwlock_unlock(&mems[m]->lock);
	/* Series whose newest time has several memtable rows: the merged row
	 * of each memtable, in precedence order. */
	for (uint32_t d = 0; d < ndups && rc == STELE_OK; d++) {
		uint32_t o = dups[d], sid = out->sid[o];
		uint64_t *bits = calloc(sid / 64 + 1, sizeof *bits);
		if (!bits) {
			rc = NOMEM(err);
			break;
		}
		bits[sid / 64] |= 1ull << (sid % 64);
		for (uint32_t m = 0; m < nmems && rc == STELE_OK; m++) {
			Rows one;
			if (rows_init(&one, spec->ncols, spec->cols, types)) {
				rc = NOMEM(err);
				break;
			}
			rc = mem_extract(mems[m], spec->table, bits, sid + 1, out->ts[o], out->ts[o], &one,
			                 err);
			if (rc == STELE_OK && one.n == 1)
				overlay_rows(out, o, &one, 0);
			rows_free(&one);
		}
		free(bits);
	}
	if (rc == STELE_OK && out->heap.failed)
		rc = NOMEM(err);
	if (rc == STELE_OK) {
		*sids_out = sids;
		*nsids_out = nsids;
		sids = NULL;
	}
done:
	for (uint32_t i = 0; segs && i < nsegs; i++)
		free(segs[i].slot);
	free(segs);
	free(order);
	free(dups);
	for (uint32_t i = 0; i < nmems; i++)
		mem_unref(mems[i]);
	version_unref(v);
	free(types);
	free(sids);
	return rc;
}
