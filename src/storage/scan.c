/* scan.c - merging segments and memtables into sorted, deduplicated
 * batches (see scan.h). */
#include "storage/scan.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "storage/db.h"

typedef struct Src {
	bool is_mem;
	Segment *seg;       /* segment source: one reference */
	uint32_t blk;       /* next block of the current sid to load */
	uint32_t blk_end;   /* one past the current sid's last block */
	MemTable *mem;      /* memtable source: one reference */
	Rows rows;          /* segment: the decoded block; memtable: its rows */
	uint32_t pos;       /* the current row */
	uint32_t end;       /* one past the current sid's rows (memtable) */
	uint32_t no_stats;  /* a block found not to qualify for statistics */
} Src;

struct Scan {
	uint32_t table;
	int64_t tmin, tmax;
	uint32_t *sids;
	uint32_t nsids, next_sid;
	uint32_t cur;       /* the sid being merged */
	bool in_sid;
	Src *srcs;          /* precedence order: oldest first */
	uint32_t nsrcs;
	uint32_t *act;      /* scratch: sources with a current row */
	Rows out;
	SegScratch scratch; /* for every block read */
	uint32_t batch_rows;
	TombSet tombs;      /* deletes the segments do not reflect yet */
	bool want_stats;
	uint8_t *stats_need; /* [ncols] STATS_* */
	BlockStats bs;
	bool stats_ready;   /* bs holds a block's statistics not yet returned */
};

static void src_free(Src *s)
{
	if (s->seg)
		seg_unref(s->seg);
	if (s->mem)
		mem_unref(s->mem);
	rows_free(&s->rows);
}

void scan_close(Scan *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->nsrcs; i++)
		src_free(&s->srcs[i]);
	free(s->srcs);
	free(s->sids);
	free(s->act);
	rows_free(&s->out);
	seg_scratch_free(&s->scratch);
	tombset_free(&s->tombs);
	free(s->stats_need);
	free(s->bs.cols);
	free(s);
}

void scan_sids(const Scan *s, const uint32_t **sids, uint32_t *n)
{
	*sids = s->sids;
	*n = s->nsids;
}

/* Positions a source at the start of sid's rows. */
static void src_set_sid(Scan *sc, Src *s, uint32_t sid)
{
	if (s->is_mem) {
		while (s->pos < s->rows.n && s->rows.sid[s->pos] < sid)
			s->pos++;
		s->end = s->pos;
		while (s->end < s->rows.n && s->rows.sid[s->end] == sid)
			s->end++;
		return;
	}
	const Segment *g = s->seg;
	uint32_t lo = s->blk, hi = g->nblocks;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g->blocks[mid].sid < sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t e = lo;
	while (e < g->nblocks && g->blocks[e].sid == sid)
		e++;
	s->blk = lo;
	s->blk_end = e;
	s->no_stats = UINT32_MAX;
	rows_clear(&s->rows);
	s->pos = 0;
	(void)sc;
}

/* Makes sure the source has a current row for the sid in range; false when
 * it has no more. */
static int src_ready(Scan *sc, Src *s, bool *has, StErr *err)
{
	if (s->is_mem) {
		*has = s->pos < s->end;
		return STELE_OK;
	}
	while (s->pos >= s->rows.n) {
		if (s->blk >= s->blk_end) {
			*has = false;
			return STELE_OK;
		}
		const BlockMeta *bm = &s->seg->blocks[s->blk];
		if (bm->min_ts > sc->tmax) {
			s->blk = s->blk_end;
			*has = false;
			return STELE_OK;
		}
		uint32_t b = s->blk++;
		if (bm->max_ts < sc->tmin)
			continue;
		rows_clear(&s->rows);
		s->pos = 0;
		int rc = seg_read_block_with(s->seg, b, &s->rows, &sc->scratch, err);
		if (rc)
			return rc;
		if (sc->tombs.n &&
		    tombset_touches(&sc->tombs, seg_reflects(&s->seg->info), bm->sid, bm->min_ts,
		                    bm->max_ts))
			tombset_filter(&sc->tombs, seg_reflects(&s->seg->info), &s->rows);
		while (s->pos < s->rows.n && s->rows.ts[s->pos] < sc->tmin)
			s->pos++;
	}
	if (s->rows.ts[s->pos] > sc->tmax) {
		s->blk = s->blk_end;
		s->pos = s->rows.n;
		*has = false;
		return STELE_OK;
	}
	*has = true;
	return STELE_OK;
}

/* Overlays the valid fields of row i of src onto the last row of out. */
static void overlay(Rows *out, const Rows *src, uint32_t i)
{
	uint32_t o = out->n - 1;
	for (uint32_t c = 0; c < out->ncols; c++) {
		const ColVec *s = &src->cols[c];
		if (!s->valid[i])
			continue;
		ColVec *d = &out->cols[c];
		if (s->type == STELE_TYPE_VARCHAR) {
			uint32_t len;
			const char *p = rows_str(src, s->v[i], &len);
			d->v[o] = rows_put_str(out, p, len);
		} else {
			d->v[o] = s->v[i];
		}
		d->valid[o] = 1;
	}
}

/* Does source o have a row of the current sid in [lo, hi]? */
static bool src_overlaps(const Src *o, int64_t lo, int64_t hi)
{
	if (o->is_mem) {
		uint32_t a = o->pos, b = o->end;
		while (a < b) {
			uint32_t m = a + (b - a) / 2;
			if (o->rows.ts[m] < lo)
				a = m + 1;
			else
				b = m;
		}
		return a < o->end && o->rows.ts[a] <= hi;
	}
	if (o->pos < o->rows.n && o->rows.ts[o->pos] <= hi && o->rows.ts[o->rows.n - 1] >= lo)
		return true;
	for (uint32_t b = o->blk; b < o->blk_end; b++) {
		const BlockMeta *bm = &o->seg->blocks[b];
		if (bm->min_ts > hi)
			break;
		if (bm->max_ts >= lo)
			return true;
	}
	return false;
}

/* Fills sc->bs from block b of s when it qualifies (scan.h). */
static bool block_stats(Scan *sc, Src *s, uint32_t b)
{
	const Segment *g = s->seg;
	const BlockMeta *bm = &g->blocks[b];
	if (bm->min_ts < sc->tmin || bm->max_ts > sc->tmax)
		return false;
	if (sc->tombs.n &&
	    tombset_touches(&sc->tombs, seg_reflects(&g->info), bm->sid, bm->min_ts, bm->max_ts))
		return false;
	for (uint32_t i = 0; i < sc->nsrcs; i++)
		if (&sc->srcs[i] != s && src_overlaps(&sc->srcs[i], bm->min_ts, bm->max_ts))
			return false;
	uint32_t nc = sc->out.ncols;
	for (uint32_t c = 0; c < nc; c++) {
		sc->bs.cols[c].present = false;
		sc->bs.cols[c].type = sc->out.cols[c].type;
		sc->bs.cols[c].nnull = bm->nrows;
	}
	BlockDetail d;
	seg_block_detail(g, b, &d);
	ChunkMeta cm;
	while (seg_next_chunk(g, &d, &cm)) {
		uint32_t col = g->cols[cm.slot].col;
		for (uint32_t c = 0; c < nc; c++) {
			if (sc->out.cols[c].col != col)
				continue;
			sc->bs.cols[c].present = true;
			sc->bs.cols[c].nnull = cm.nnull;
			sc->bs.cols[c].st = cm.st;
		}
	}
	if (d.rd.bad)
		return false;
	for (uint32_t c = 0; c < nc; c++) {
		uint8_t need = sc->stats_need[c];
		if ((need & STATS_NO_NULL) && sc->bs.cols[c].nnull)
			return false;
		if ((need & STATS_NO_NAN) && sc->bs.cols[c].present &&
		    sc->bs.cols[c].type == STELE_TYPE_DOUBLE && isnan(sc->bs.cols[c].st.sum.f))
			return false; /* min and max leave NaN out; SQL's do not */
	}
	sc->bs.sid = bm->sid;
	sc->bs.nrows = bm->nrows;
	sc->bs.min_ts = bm->min_ts;
	sc->bs.max_ts = bm->max_ts;
	return true;
}

/* Looks for a qualifying undecoded block among the current sid's segment
 * sources; true (and the block passed over) when one is found. */
static bool next_stats(Scan *sc)
{
	for (uint32_t i = 0; i < sc->nsrcs; i++) {
		Src *s = &sc->srcs[i];
		if (s->is_mem || s->pos < s->rows.n || s->blk >= s->blk_end)
			continue;
		/* Blocks wholly before the range are skipped by src_ready. */
		if (s->seg->blocks[s->blk].max_ts < sc->tmin || s->blk == s->no_stats)
			continue;
		if (block_stats(sc, s, s->blk)) {
			s->blk++;
			return true;
		}
		/* What disqualified it (its range, its NULLs, another source's
		 * rows in its time) does not change until it is read. */
		s->no_stats = s->blk;
	}
	return false;
}

int scan_next_ex(Scan *sc, const Rows **rows, const BlockStats **stats, StErr *err)
{
	*stats = NULL;
	*rows = NULL;
	if (sc->stats_ready) {
		sc->stats_ready = false;
		*stats = &sc->bs;
		return STELE_OK;
	}
	int rc = scan_next(sc, rows, err);
	if (rc == STELE_OK && !*rows && sc->stats_ready) {
		sc->stats_ready = false;
		*stats = &sc->bs;
	}
	return rc;
}

/* One past the last of s's rows in [s->pos, lim) at or before `last`
 * (rows are in ts order): a binary search. */
static uint32_t run_end(const Src *s, uint32_t lim, int64_t last)
{
	if (lim <= s->pos || s->rows.ts[lim - 1] <= last)
		return lim;
	uint32_t lo = s->pos, hi = lim - 1;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->rows.ts[mid] > last)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int scan_next(Scan *sc, const Rows **out, StErr *err)
{
	rows_clear(&sc->out);
	*out = NULL;
	while (sc->out.n < sc->batch_rows) {
		if (!sc->in_sid) {
			if (sc->next_sid >= sc->nsids)
				break;
			sc->cur = sc->sids[sc->next_sid++];
			for (uint32_t i = 0; i < sc->nsrcs; i++)
				src_set_sid(sc, &sc->srcs[i], sc->cur);
			sc->in_sid = true;
		}
		if (sc->want_stats && next_stats(sc)) {
			/* The rows gathered so far first, then the statistics
			 * (scan_next_ex). */
			sc->stats_ready = true;
			break;
		}
		uint32_t nact = 0;
		for (uint32_t i = 0; i < sc->nsrcs; i++) {
			bool has;
			int rc = src_ready(sc, &sc->srcs[i], &has, err);
			if (rc)
				return rc;
			if (has)
				sc->act[nact++] = i;
		}
		if (nact == 0) {
			sc->in_sid = false;
			continue;
		}
		if (nact == 1) {
			/* One source: copy a run. */
			Src *s = &sc->srcs[sc->act[0]];
			uint32_t lim = s->is_mem ? s->end : s->rows.n;
			uint32_t room = sc->batch_rows - sc->out.n;
			if (lim - s->pos > room)
				lim = s->pos + room;
			/* The run ends at the first row past tmax; copied whole. */
			lim = run_end(s, lim, sc->tmax);
			rows_copy_run(&sc->out, &s->rows, s->pos, lim - s->pos);
			s->pos = lim;
			lim = s->is_mem ? s->end : s->rows.n;
			if (s->pos < lim && s->rows.ts[s->pos] > sc->tmax) {
				/* Past the range: this source is done for the sid. */
				if (s->is_mem)
					s->pos = s->end;
				else {
					s->blk = s->blk_end;
					s->pos = s->rows.n;
				}
			}
			continue;
		}
		/* Several sources: the one with the oldest row, and the oldest
		 * row of the others. Sources mostly hold different stretches of
		 * time (a segment flushed before the next), so the first one's
		 * rows before the others' first are a run, copied whole; rows of
		 * one time in several sources merge one by one below. */
		int64_t min = INT64_MAX, min2 = INT64_MAX;
		uint32_t first_src = 0;
		for (uint32_t k = 0; k < nact; k++) {
			const Src *s = &sc->srcs[sc->act[k]];
			int64_t t = s->rows.ts[s->pos];
			if (t < min) {
				min2 = min;
				min = t;
				first_src = sc->act[k];
			} else if (t < min2) {
				min2 = t;
			}
		}
		if (min < min2) {
			Src *s = &sc->srcs[first_src];
			uint32_t lim = s->is_mem ? s->end : s->rows.n;
			uint32_t room = sc->batch_rows - sc->out.n;
			if (lim - s->pos > room)
				lim = s->pos + room;
			/* the run: rows before min2 and not past tmax */
			int64_t last = min2 - 1 < sc->tmax ? min2 - 1 : sc->tmax;
			lim = run_end(s, lim, last);
			if (lim > s->pos) {
				rows_copy_run(&sc->out, &s->rows, s->pos, lim - s->pos);
				s->pos = lim;
				continue;
			}
		}
		bool first = true;
		for (uint32_t k = 0; k < nact; k++) {
			Src *s = &sc->srcs[sc->act[k]];
			if (s->rows.ts[s->pos] != min)
				continue;
			if (first)
				rows_copy_row(&sc->out, &s->rows, s->pos);
			else
				overlay(&sc->out, &s->rows, s->pos);
			first = false;
			s->pos++;
		}
	}
	if (sc->out.heap.failed)
		return failf(err, STELE_ENOMEM, "out of memory in a scan");
	if (sc->out.n > 0)
		*out = &sc->out;
	return STELE_OK;
}

uint32_t scan_pin(stele_db *db, Version **v, MemTable *mems[2])
{
	uint32_t n = 0;
	*v = db->version;
	version_ref(*v);
	if (db->imm) {
		mems[n++] = db->imm;
		mem_ref(db->imm);
	}
	mems[n++] = db->mem;
	mem_ref(db->mem);
	return n;
}

bool scan_time_span(stele_db *db, uint32_t table, int64_t *min, int64_t *max)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	Version *v;
	MemTable *mems[2];
	pthread_mutex_lock(&db->mu);
	uint32_t nmems = scan_pin(db, &v, mems);
	pthread_mutex_unlock(&db->mu);
	for (uint32_t i = 0; i < v->nsegs; i++) {
		const SegInfo *si = &v->segs[i]->info;
		if (si->table != table || si->nrows == 0)
			continue;
		lo = si->min_ts < lo ? si->min_ts : lo;
		hi = si->max_ts > hi ? si->max_ts : hi;
	}
	version_unref(v);
	/* A memtable's own lock, not under the database mutex (as scans). */
	for (uint32_t k = 0; k < nmems; k++) {
		pthread_rwlock_rdlock(&mems[k]->lock);
		const MemTbl *t = mem_table(mems[k], table);
		if (t && t->n) {
			lo = t->min_ts < lo ? t->min_ts : lo;
			hi = t->max_ts > hi ? t->max_ts : hi;
		}
		pthread_rwlock_unlock(&mems[k]->lock);
		mem_unref(mems[k]);
	}
	*min = lo;
	*max = hi;
	return lo <= hi;
}

int scan_open_sources(uint32_t table, Segment *const *segs, uint32_t nsegs,
                      MemTable *const *mems, uint32_t nmems, const uint32_t *sids,
                      uint32_t nsids, int64_t tmin, int64_t tmax, const uint32_t *cols,
                      const uint8_t *types, uint32_t ncols, uint32_t batch_rows,
                      TombSet *tombs, Scan **out, StErr *err)
{
	Scan *sc = calloc(1, sizeof *sc);
	if (!sc) {
		if (tombs)
			tombset_free(tombs);
		return failf(err, STELE_ENOMEM, "out of memory opening a scan");
	}
	if (tombs) {
		sc->tombs = *tombs;
		memset(tombs, 0, sizeof *tombs);
	}
	sc->table = table;
	sc->tmin = tmin;
	sc->tmax = tmax;
	sc->batch_rows = batch_rows ? batch_rows : 4096;
	sc->srcs = calloc((size_t)nsegs + nmems + 1, sizeof *sc->srcs);
	sc->act = malloc(((size_t)nsegs + nmems + 1) * sizeof *sc->act);
	sc->sids = malloc(((size_t)nsids + 1) * sizeof *sc->sids);
	uint64_t *bits = NULL;
	uint32_t nbits = 0;
	int rc = STELE_OK;
	if (!sc->srcs || !sc->act || !sc->sids ||
	    rows_init(&sc->out, ncols, cols, types) ||
	    rows_reserve(&sc->out, sc->batch_rows)) {
		rc = failf(err, STELE_ENOMEM, "out of memory opening a scan");
		goto fail;
	}
	if (nsids)
		memcpy(sc->sids, sids, nsids * sizeof *sids);
	sc->nsids = nsids;
	for (uint32_t i = 0; i < nsegs; i++) {
		Src *s = &sc->srcs[sc->nsrcs++];
		s->seg = segs[i];
		seg_ref(segs[i]);
		if (rows_init(&s->rows, ncols, cols, types)) {
			rc = failf(err, STELE_ENOMEM, "out of memory opening a scan");
			goto fail;
		}
	}
	if (nmems && nsids) {
		nbits = sids[nsids - 1] + 1;
		bits = calloc((nbits + 63) / 64, sizeof *bits);
		if (!bits) {
			rc = failf(err, STELE_ENOMEM, "out of memory opening a scan");
			goto fail;
		}
		for (uint32_t i = 0; i < nsids; i++)
			bits[sids[i] / 64] |= 1ull << (sids[i] % 64);
	}
	for (uint32_t i = 0; i < nmems && nsids; i++) {
		Src *s = &sc->srcs[sc->nsrcs++];
		s->is_mem = true;
		s->mem = mems[i];
		mem_ref(mems[i]);
		if (rows_init(&s->rows, ncols, cols, types)) {
			rc = failf(err, STELE_ENOMEM, "out of memory opening a scan");
			goto fail;
		}
		rc = mem_extract(mems[i], table, bits, nbits, tmin, tmax, &s->rows, err);
		if (rc)
			goto fail;
	}
	free(bits);
	*out = sc;
	return STELE_OK;
fail:
	free(bits);
	scan_close(sc);
	return rc;
}

int scan_open(stele_db *db, const ScanSpec *spec, Scan **out, StErr *err)
{
	uint32_t *sids = NULL, nsids = 0;
	uint8_t *types = malloc(spec->ncols + 1);
	if (!types)
		return failf(err, STELE_ENOMEM, "out of memory opening a scan");
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
	if (rc == STELE_OK)
		rc = series_match(&db->sx, spec->table, spec->preds, spec->npreds, &sids, &nsids, err);
	TombSet tombs = {0};
	if (rc == STELE_OK)
		rc = db_tombset(db, spec->table, &tombs, err);
	if (rc == STELE_OK && spec->nshards > 1 && nsids) {
		/* Every nshards-th series, not a contiguous part: series made
		 * later (a tag missing from some points, say) often have far
		 * fewer rows than the first ones, and a series keeps its part
		 * when series are added while the parts are opened. */
		uint32_t k = 0;
		for (uint32_t i = spec->shard; i < nsids; i += spec->nshards)
			sids[k++] = sids[i];
		nsids = k;
	}
	Version *v = NULL;
	MemTable *mems[2];
	uint32_t nmems = rc == STELE_OK ? scan_pin(db, &v, mems) : 0;
	pthread_mutex_unlock(&db->mu);
	if (rc) {
		tombset_free(&tombs);
		free(types);
		free(sids);
		return rc;
	}
	/* The table's segments that overlap the range, oldest data first. */
	Segment **segs = malloc((v->nsegs + 1) * sizeof *segs);
	uint32_t nsegs = 0;
	if (!segs) {
		rc = failf(err, STELE_ENOMEM, "out of memory opening a scan");
	} else {
		for (uint32_t i = 0; i < v->nsegs; i++) {
			const SegInfo *si = &v->segs[i]->info;
			if (si->table == spec->table && si->max_ts >= spec->tmin && si->min_ts <= spec->tmax)
				segs[nsegs++] = v->segs[i];
		}
		/* Within the table the version is ordered by partition then
		 * max_seq; partitions hold disjoint times, so ordering all by
		 * max_seq keeps precedence right within each. */
		for (uint32_t i = 1; i < nsegs; i++) {
			Segment *x = segs[i];
			uint32_t j = i;
			while (j > 0 && segs[j - 1]->info.max_seq > x->info.max_seq) {
				segs[j] = segs[j - 1];
				j--;
			}
			segs[j] = x;
		}
		rc = scan_open_sources(spec->table, segs, nsegs, mems, nmems, sids, nsids, spec->tmin,
		                       spec->tmax, spec->cols, types, spec->ncols, spec->batch_rows,
		                       &tombs, out, err);
		if (rc == STELE_OK && spec->want_stats) {
			Scan *sc = *out;
			sc->want_stats = true;
			sc->bs.cols = calloc(spec->ncols + 1, sizeof *sc->bs.cols);
			sc->stats_need = calloc(spec->ncols + 1, 1);
			if (!sc->bs.cols || !sc->stats_need) {
				scan_close(sc);
				*out = NULL;
				rc = failf(err, STELE_ENOMEM, "out of memory opening a scan");
			} else if (spec->stats_need) {
				memcpy(sc->stats_need, spec->stats_need, spec->ncols);
			}
		}
	}
	tombset_free(&tombs);
	free(segs);
	for (uint32_t i = 0; i < nmems; i++)
		mem_unref(mems[i]);
	version_unref(v);
	free(types);
	free(sids);
	return rc;
}
