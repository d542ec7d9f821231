/* table_scan.c - TableScan: the rows of one table from the storage engine
 * (storage/scan.h), over the time range and for the series that the
 * binder pushed down, as batches of the columns the query uses.
 *
 *     open   opens a storage scan (pinning a manifest version and the
 *            memtables), then, under the database mutex, copies the tag
 *            values of every matched series that the query reads
 *     next   turns the next storage batch (Rows) into a Batch: ts and
 *            numeric fields are used in place, NULLs from the validity
 *            bytes, strings and tags as SqlStr
 *     close  closes the storage scan
 *
 * Rows come sorted by (series, ts); nothing here depends on it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/exec/plans.h"
#include "storage/db.h"
#include "storage/scan.h"
#include "util/timeutil.h"

typedef struct TableScan {
	Op op;
	const ScanPlan *plan;
	Scan *scan;
	uint32_t *fields;          /* field column indexes for the storage scan */
	uint32_t nfields;
	uint32_t *field_slot;      /* [ncols]: the Rows column of a field output */
	/* Tags of the matched series: for output column k that is a tag,
	 * tagv[k][j] is the value for the j-th matched sid. */
	const uint32_t *sids;
	uint32_t nsids;
	SqlStr **tagv;
	uint8_t **tagnull;
	Arena tags;
	bool done;
	/* plan->latest: the newest rows, read at open, returned in batches */
	Rows latest;
	uint32_t *latest_sids;
	uint32_t latest_pos;
	Rows window;             /* a batch's worth of `latest`, for next() */
	uint32_t shard, nshards; /* the part of the series this scan reads */
	bool use_latest;         /* reading `latest` (plan->latest, when possible) */
	size_t charged;          /* bytes charged to the query (tags) */
	uint8_t *stats_need;     /* [nfields] plan->stats_need by storage column */
	uint64_t stats_blocks;   /* blocks given as statistics (EXPLAIN ANALYZE) */
} TableScan;

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory scanning a table")

static int load_tags(TableScan *ts, StErr *err)
{
	const ScanPlan *p = ts->plan;
	stele_db *db = ts->op.cx->db;
	if (ts->scan)
		scan_sids(ts->scan, &ts->sids, &ts->nsids);
	uint32_t n = ts->nsids;
	int rc = STELE_OK;
	pthread_mutex_lock(&db->mu);
	const SeriesIndex *sx = &db->sx;
	for (uint32_t k = 0; k < p->ncols && rc == STELE_OK; k++) {
		if (p->kind[k] != SCAN_TAG)
			continue;
		uint32_t ord = p->src[k];
		ts->tagv[k] = arena_alloc(&ts->tags, ((size_t)n + 1) * sizeof(SqlStr));
		ts->tagnull[k] = arena_alloc(&ts->tags, (size_t)n + 1);
		if (!ts->tagv[k] || !ts->tagnull[k]) {
			rc = NOMEM(err);
			break;
		}
		/* One copy of each distinct value. */
		uint32_t ndict = 0;
		if (p->table < sx->ntables && ord < sx->tables[p->table].ntags)
			ndict = sx->tables[p->table].dicts[ord].n;
		SqlStr *byvid = calloc((size_t)ndict + 1, sizeof *byvid);
		if (!byvid) {
			rc = NOMEM(err);
			break;
		}
		for (uint32_t j = 0; j < n; j++) {
			uint32_t vid = series_vid(sx, ts->sids[j], ord);
			if (vid == NO_VID || vid >= ndict) {
				ts->tagnull[k][j] = 1;
				ts->tagv[k][j] = (SqlStr){"", 0};
				continue;
			}
			if (!byvid[vid].p) {
				size_t len;
				const char *s = series_tag(sx, ts->sids[j], ord, &len);
				char *c = arena_alloc(&ts->tags, len ? len : 1);
				if (!c) {
					rc = NOMEM(err);
					break;
				}
				memcpy(c, s, len);
				byvid[vid] = (SqlStr){c, (uint32_t)len};
			}
			ts->tagnull[k][j] = 0;
			ts->tagv[k][j] = byvid[vid];
		}
		free(byvid);
	}
	pthread_mutex_unlock(&db->mu);
	if (rc == STELE_OK) {
		ts->charged = ts->tags.used;
		rc = exec_charge(ts->op.cx, ts->charged, err);
	}
	return rc;
}

static int scan_op_open(Op *op, StErr *err)
{
	TableScan *ts = (TableScan *)op;
	const ScanPlan *p = ts->plan;
	ts->done = p->empty;
	if (ts->done)
		return STELE_OK;
	ScanSpec spec = {.table = p->table,
	                 .tmin = p->tmin,
	                 .tmax = p->tmax,
	                 .preds = p->preds,
	                 .npreds = p->npreds,
	                 .cols = ts->fields,
	                 .ncols = ts->nfields,
	                 .batch_rows = VEC_ROWS,
	                 .shard = ts->shard,
	                 .nshards = ts->nshards,
	                 .want_stats = p->stats,
	                 .stats_need = ts->stats_need};
	ts->stats_blocks = 0;
	memset(ts->stats_need, 0, ts->nfields + 1);
	for (uint32_t k = 0; p->stats && k < p->ncols; k++)
		if (p->kind[k] == SCAN_FIELD)
			ts->stats_need[ts->field_slot[k]] |= p->stats_need[k];
	ts->use_latest = false;
	if (p->latest) {
		ts->latest_pos = 0;
		bool unavailable;
		int rc = scan_latest(op->cx->db, &spec, &ts->latest, &ts->latest_sids, &ts->nsids,
		                     &unavailable, err);
		if (rc)
			return rc;
		if (!unavailable) {
			ts->use_latest = true;
			ts->sids = ts->latest_sids;
			return load_tags(ts, err);
		}
		/* A delete is being applied: every row, and the operators above
		 * pick the newest as they would. */
	}
	int rc = scan_open(op->cx->db, &spec, &ts->scan, err);
	if (rc)
		return rc;
	return load_tags(ts, err);
}

/* The next window of the newest rows, as a storage batch would be. */
static const Rows *next_latest(TableScan *ts)
{
	Rows *l = &ts->latest;
	if (ts->latest_pos >= l->n)
		return NULL;
	uint32_t n = l->n - ts->latest_pos < VEC_ROWS ? l->n - ts->latest_pos : VEC_ROWS;
	Rows *w = &ts->window;
	*w = *l;
	w->n = n;
	w->sid = l->sid + ts->latest_pos;
	w->ts = l->ts + ts->latest_pos;
	w->cols = arena_alloc(&ts->op.out, (l->ncols + 1) * sizeof *w->cols);
	if (!w->cols)
		return NULL;
	for (uint32_t c = 0; c < l->ncols; c++) {
		w->cols[c] = l->cols[c];
		w->cols[c].v += ts->latest_pos;
		w->cols[c].valid += ts->latest_pos;
	}
	ts->latest_pos += n;
	return w;
}

/* The batch of storage rows r. */
static int rows_batch(TableScan *ts, const Rows *r, Batch **out, StErr *err)
{
	Op *op = &ts->op;
	const ScanPlan *p = ts->plan;
	uint32_t n = r->n;
	Batch *b = batch_alloc(&op->out, p->ncols);
	uint8_t *nonull = arena_alloc(&op->out, n + 1);
	if (!b || !nonull)
		return NOMEM(err);
	memset(nonull, 0, n + 1);
	b->n = n;
	/* The matched-sid index of each row: rows come by ascending sid. */
	uint32_t *pos = NULL;
	for (uint32_t k = 0; k < p->ncols; k++) {
		Vec *v = &b->cols[k];
		v->type = p->types[k];
		switch (p->kind[k]) {
		case SCAN_TS:
			v->d.i = r->ts;
			v->null = nonull;
			break;
		case SCAN_FIELD: {
			const ColVec *cv = &r->cols[ts->field_slot[k]];
			if (!memchr(cv->valid, 0, n)) {
				v->null = nonull; /* the usual case: a value in every row */
			} else {
				v->null = arena_alloc(&op->out, n + 1);
				if (!v->null)
					return NOMEM(err);
				for (uint32_t i = 0; i < n; i++)
					v->null[i] = !cv->valid[i];
			}
			if (v->type == STELE_TYPE_VARCHAR) {
				v->d.s = arena_alloc(&op->out, (size_t)(n + 1) * sizeof(SqlStr));
				if (!v->d.s)
					return NOMEM(err);
				for (uint32_t i = 0; i < n; i++) {
					if (!cv->valid[i]) {
						v->d.s[i] = (SqlStr){"", 0};
						continue;
					}
					uint32_t len;
					const char *s = rows_str(r, cv->v[i], &len);
					v->d.s[i] = (SqlStr){s, len};
				}
			} else {
				v->d.u = cv->v;
			}
			break;
		}
		case SCAN_TAG: {
			if (!pos) {
				pos = arena_alloc(&op->out, (size_t)(n + 1) * sizeof *pos);
				if (!pos)
					return NOMEM(err);
				uint32_t j = 0;
				for (uint32_t i = 0; i < n; i++) {
					uint32_t sid = r->sid[i];
					if (j >= ts->nsids || ts->sids[j] > sid)
						j = 0;
					while (j < ts->nsids && ts->sids[j] < sid)
						j++;
					pos[i] = j < ts->nsids && ts->sids[j] == sid ? j : UINT32_MAX;
				}
			}
			v->d.s = arena_alloc(&op->out, (size_t)(n + 1) * sizeof(SqlStr));
			v->null = arena_alloc(&op->out, n + 1);
			if (!v->d.s || !v->null)
				return NOMEM(err);
			for (uint32_t i = 0; i < n; i++) {
				if (pos[i] == UINT32_MAX) {
					v->null[i] = 1;
					v->d.s[i] = (SqlStr){"", 0};
				} else {
					v->null[i] = ts->tagnull[k][pos[i]];
					v->d.s[i] = ts->tagv[k][pos[i]];
				}
			}
			break;
		}
		}
	}
	*out = b;
	return STELE_OK;
}

static int scan_op_next(Op *op, Batch **out, StErr *err)
{
	TableScan *ts = (TableScan *)op;
	arena_reset(&op->out);
	*out = NULL;
	if (ts->done)
		return STELE_OK;
	const Rows *r = NULL;
	int rc = STELE_OK;
	if (ts->use_latest) {
		r = next_latest(ts);
		if (!r && ts->latest_pos < ts->latest.n)
			return NOMEM(err);
	} else {
		rc = scan_next(ts->scan, &r, err);
	}
	if (rc)
		return rc;
	if (!r) {
		ts->done = true;
		return STELE_OK;
	}
	return rows_batch(ts, r, out, err);
}

/* The one-row batch that stands for block statistics bs. */
static int stats_batch(TableScan *ts, const BlockStats *bs, Batch **out, StErr *err)
{
	Op *op = &ts->op;
	const ScanPlan *p = ts->plan;
	Batch *b = batch_alloc(&op->out, p->ncols);
	if (!b)
		return NOMEM(err);
	b->n = 1;
	uint32_t lo = 0, hi = ts->nsids;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ts->sids[mid] < bs->sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	bool found = lo < ts->nsids && ts->sids[lo] == bs->sid;
	for (uint32_t k = 0; k < p->ncols; k++) {
		Vec *v = &b->cols[k];
		if (!vec_alloc(&op->out, v, p->types[k], 1))
			return NOMEM(err);
		Datum d = {.type = p->types[k], .null = true};
		if (p->kind[k] == SCAN_TS) {
			d.null = false;
			d.v.i = bs->min_ts;
		} else if (p->kind[k] == SCAN_TAG && found && !ts->tagnull[k][lo]) {
			d.null = false;
			d.v.s = ts->tagv[k][lo];
		}
		vec_set(v, 0, &d);
	}
	*out = b;
	return STELE_OK;
}

int op_scan_next_ex(Op *op, Batch **out, const BlockStats **stats, StErr *err)
{
	TableScan *ts = (TableScan *)op;
	*stats = NULL;
	if (!ts->plan->stats || ts->use_latest || !ts->scan)
		return op_next(op, out, err);
	int rc = exec_check(op->cx, err);
	if (rc)
		return rc;
	int64_t t0 = op->cx->analyze ? time_mono_ns() : 0;
	arena_reset(&op->out);
	*out = NULL;
	while (!ts->done) {
		const Rows *r;
		rc = scan_next_ex(ts->scan, &r, stats, err);
		if (rc)
			break;
		if (*stats) {
			rc = stats_batch(ts, *stats, out, err);
			ts->stats_blocks++;
			op->rows_out += (*stats)->nrows;
			break;
		}
		if (!r) {
			ts->done = true;
			break;
		}
		rc = rows_batch(ts, r, out, err);
		if (rc || (*out && (*out)->n))
			break;
	}
	if (op->cx->analyze)
		op->ns += (uint64_t)(time_mono_ns() - t0);
	if (rc == STELE_OK && *out) {
		if (!*stats)
			op->rows_out += (*out)->n;
		op->batches_out++;
	}
	return rc;
}

uint32_t op_scan_field_slot(const Op *op, uint32_t k)
{
	return ((const TableScan *)op)->field_slot[k];
}

static void scan_op_close(Op *op)
{
	TableScan *ts = (TableScan *)op;
	if (ts->scan)
		scan_close(ts->scan);
	ts->scan = NULL;
	rows_free(&ts->latest);
	memset(&ts->latest, 0, sizeof ts->latest);
	free(ts->latest_sids);
	ts->latest_sids = NULL;
	exec_release(op->cx, ts->charged);
	ts->charged = 0;
	arena_free(&ts->tags);
	memset(ts->tagv, 0, ts->plan->ncols * sizeof *ts->tagv);
}

static void scan_op_explain(const Op *op, Buf *out)
{
	const ScanPlan *p = ((const TableScan *)op)->plan;
	buf_put(out, "on ", 3);
	buf_put(out, p->table_name, strlen(p->table_name));
	buf_put(out, " reading ", 9);
	if (p->ncols == 0)
		buf_put(out, "no columns", 10);
	for (uint32_t k = 0; k < p->ncols; k++) {
		if (k)
			buf_put(out, ", ", 2);
		const char *n = p->col_names ? p->col_names[k] : "?";
		buf_put(out, n, strlen(n));
	}
	if (p->pushed && *p->pushed) {
		buf_put(out, "; ", 2);
		buf_put(out, p->pushed, strlen(p->pushed));
	}
	if (p->empty)
		buf_put(out, "; never true: reads nothing", 27);
	if (p->latest)
		buf_put(out, "; newest row of each series only", 32);
	const TableScan *ts = (const TableScan *)op;
	if (p->stats) {
		static const char m[] = "; whole blocks as their statistics";
		buf_put(out, m, sizeof m - 1);
		if (op->cx->analyze) {
			char tmp[64];
			int k = snprintf(tmp, sizeof tmp, " (%llu)",
			                 (unsigned long long)ts->stats_blocks);
			buf_put(out, tmp, (size_t)k);
		}
	}
	if (ts->nshards > 1) {
		char tmp[64];
		int k = snprintf(tmp, sizeof tmp, "; part %u of %u of the series", ts->shard + 1,
		                 ts->nshards);
		buf_put(out, tmp, (size_t)k);
	}
}

void op_scan_set_shard(Op *op, uint32_t shard, uint32_t nshards)
{
	TableScan *ts = (TableScan *)op;
	ts->shard = shard;
	ts->nshards = nshards;
}

static const OpVt scan_vt = {"TableScan", scan_op_open, scan_op_next, scan_op_close,
                             scan_op_explain, NULL};

Op *op_scan(ExecCtx *cx, const ScanPlan *plan)
{
	TableScan *ts = op_alloc(cx, sizeof *ts);
	if (!ts)
		return NULL;
	op_init(&ts->op, &scan_vt, cx, plan->ncols, plan->types);
	ts->plan = plan;
	ts->fields = op_alloc(cx, (plan->ncols + 1) * sizeof *ts->fields);
	ts->field_slot = op_alloc(cx, (plan->ncols + 1) * sizeof *ts->field_slot);
	ts->tagv = op_alloc(cx, (plan->ncols + 1) * sizeof *ts->tagv);
	ts->tagnull = op_alloc(cx, (plan->ncols + 1) * sizeof *ts->tagnull);
	if (!ts->fields || !ts->field_slot || !ts->tagv || !ts->tagnull)
		return NULL;
	for (uint32_t k = 0; k < plan->ncols; k++) {
		if (plan->kind[k] != SCAN_FIELD)
			continue;
		/* The same field twice reads once. */
		uint32_t slot = ts->nfields;
		for (uint32_t j = 0; j < ts->nfields; j++)
			if (ts->fields[j] == plan->src[k])
				slot = j;
		if (slot == ts->nfields)
			ts->fields[ts->nfields++] = plan->src[k];
		ts->field_slot[k] = slot;
	}
	/* Filled at open: the binder decides on statistics after this. */
	ts->stats_need = op_alloc(cx, ts->nfields + 1);
	if (!ts->stats_need)
		return NULL;
	ts->tags.block_size = 64 * 1024;
	return &ts->op;
}
