/* gapfill.c - GapFill: after a time_bucket_gapfill aggregation, every
 * bucket from start to finish for every group, the missing ones filled.
 *
 *     open   reads the child's rows (the SELECT's output plus hidden group
 *            keys), sorts them by (group keys, bucket)
 *     next   walks each group's buckets from `start` to `finish` (and any
 *            rows outside that range as they are): an existing row as it
 *            is; a missing bucket with the group's keys, the bucket time,
 *            and per column NULL, the previous row's value (locf) or the
 *            value on the line between the neighbouring rows (interpolate)
 *     close  frees the rows
 */
#include <stdlib.h>
#include <string.h>

#include "sql/exec/plans.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory filling gaps")
#define MAX_BUCKETS (1u << 24)

typedef struct Gapfill {
	Op op;
	const GapfillPlan *plan;
	RowStore rows;
	uint32_t *idx;
	SortKey *keys;
	/* Walk state. */
	uint32_t g0, g1;      /* the current group: idx[g0 .. g1) */
	uint32_t pos;         /* next existing row of the group */
	int64_t next_bucket;  /* next bucket time to emit */
	bool in_group;
	uint32_t next_group;
} Gapfill;

static int cmp_idx(const void *a, const void *b, void *arg)
{
	const Gapfill *g = arg;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	int c = sortkey_cmp(&g->rows, g->keys, g->plan->ngroup + 1, i, j);
	return c ? c : (i < j ? -1 : i > j);
}

static bool same_group(const Gapfill *g, uint32_t i, uint32_t j)
{
	return sortkey_cmp(&g->rows, g->keys, g->plan->ngroup, i, j) == 0;
}

static int gf_open(Op *op, StErr *err)
{
	Gapfill *g = (Gapfill *)op;
	rowstore_free(&g->rows);
	free(g->idx);
	g->idx = NULL;
	rowstore_init(&g->rows, op->cx, op->ncols, op->types);
	const GapfillPlan *p = g->plan;
	if (p->finish > p->start && (uint64_t)((p->finish - p->start) / p->width) > MAX_BUCKETS)
		return failf(err, STELE_ELIMIT,
		             "time_bucket_gapfill would make more than %u buckets per group",
		             MAX_BUCKETS);
	int rc = exec_collect(op->kids[0], &g->rows, err);
	if (rc)
		return rc;
	uint32_t n = g->rows.n;
	g->idx = malloc(((size_t)n + 1) * sizeof *g->idx);
	if (!g->idx)
		return NOMEM(err);
	for (uint32_t i = 0; i < n; i++)
		g->idx[i] = i;
	qsort_r(g->idx, n, sizeof *g->idx, cmp_idx, g);
	g->next_group = 0;
	g->in_group = false;
	return STELE_OK;
}

static int64_t bucket_of(const Gapfill *g, uint32_t r)
{
	const Vec *b = &g->rows.cols[g->plan->bucket_col];
	return b->null[r] ? INT64_MIN : b->d.i[r];
}

/* Fills output row k of b as the missing bucket t of the group whose
 * neighbouring rows are prev and next (UINT32_MAX: none). */
static void fill_row(Gapfill *g, Batch *b, uint32_t k, int64_t t, uint32_t prev, uint32_t next)
{
	const GapfillPlan *p = g->plan;
	uint32_t any = g->idx[g->g0];
	for (uint32_t c = 0; c < g->op.ncols; c++) {
		Vec *v = &b->cols[c];
		const Vec *s = &g->rows.cols[c];
		if (c == p->bucket_col) {
			v->null[k] = 0;
			v->d.i[k] = t;
			continue;
		}
		uint8_t mode = p->fill[c];
		if (mode == FILL_KEY) {
			vec_copy_row(v, k, s, any);
			continue;
		}
		v->null[k] = 1;
		if (mode == FILL_LOCF && prev != UINT32_MAX) {
			vec_copy_row(v, k, s, prev);
		} else if (mode == FILL_INTERPOLATE && prev != UINT32_MAX && next != UINT32_MAX &&
		           !s->null[prev] && !s->null[next]) {
			double t0 = (double)bucket_of(g, prev), t1 = (double)bucket_of(g, next);
			double f = t1 > t0 ? ((double)t - t0) / (t1 - t0) : 0;
			v->null[k] = 0;
			switch (v->type) {
			case STELE_TYPE_DOUBLE:
				v->d.f[k] = s->d.f[prev] + f * (s->d.f[next] - s->d.f[prev]);
				break;
			case STELE_TYPE_BIGINT:
			case STELE_TYPE_INTERVAL:
			case STELE_TYPE_TIMESTAMP: {
				double x = (double)s->d.i[prev] +
				           f * ((double)s->d.i[next] - (double)s->d.i[prev]);
				v->d.i[k] = (int64_t)(x < 0 ? x - 0.5 : x + 0.5);
				break;
			}
			case STELE_TYPE_UBIGINT: {
				double x = (double)s->d.u[prev] +
				           f * ((double)s->d.u[next] - (double)s->d.u[prev]);
				v->d.u[k] = (uint64_t)(x + 0.5);
				break;
			}
			default:
				v->null[k] = 1;
			}
		}
	}
}

static int gf_next(Op *op, Batch **out, StErr *err)
{
	Gapfill *g = (Gapfill *)op;
	const GapfillPlan *p = g->plan;
	arena_reset(&op->out);
	*out = NULL;
	Batch *b = batch_alloc(&op->out, op->ncols);
	if (!b)
		return NOMEM(err);
	for (uint32_t c = 0; c < op->ncols; c++)
		if (!vec_alloc(&op->out, &b->cols[c], op->types[c], VEC_ROWS))
			return NOMEM(err);
	uint32_t k = 0;
	uint32_t n = g->rows.n;
	while (k < VEC_ROWS) {
		if (!g->in_group) {
			if (g->next_group >= n)
				break;
			g->g0 = g->next_group;
			g->g1 = g->g0 + 1;
			while (g->g1 < n && same_group(g, g->idx[g->g0], g->idx[g->g1]))
				g->g1++;
			g->next_group = g->g1;
			g->pos = g->g0;
			g->next_bucket = p->start;
			g->in_group = true;
		}
		int64_t have = g->pos < g->g1 ? bucket_of(g, g->idx[g->pos]) : INT64_MAX;
		bool can_fill = g->next_bucket < p->finish;
		if (have != INT64_MAX && (!can_fill || have <= g->next_bucket)) {
			/* An existing row. */
			uint32_t r = g->idx[g->pos++];
			for (uint32_t c = 0; c < op->ncols; c++)
				vec_copy_row(&b->cols[c], k, &g->rows.cols[c], r);
			k++;
			if (have >= g->next_bucket && have != INT64_MIN)
				g->next_bucket = have > INT64_MAX - p->width ? INT64_MAX : have + p->width;
			continue;
		}
		if (!can_fill) {
			g->in_group = false;
			continue;
		}
		uint32_t prev = g->pos > g->g0 ? g->idx[g->pos - 1] : UINT32_MAX;
		uint32_t next = g->pos < g->g1 ? g->idx[g->pos] : UINT32_MAX;
		fill_row(g, b, k++, g->next_bucket, prev, next);
		g->next_bucket += p->width;
	}
	if (k == 0)
		return STELE_OK;
	b->n = k;
	*out = b;
	return STELE_OK;
}

static void gf_close(Op *op)
{
	Gapfill *g = (Gapfill *)op;
	rowstore_free(&g->rows);
	free(g->idx);
	g->idx = NULL;
}

static void gf_explain(const Op *op, Buf *out)
{
	(void)op;
	buf_put(out, "every bucket of every group", 27);
}

static const OpVt gf_vt = {"GapFill", gf_open, gf_next, gf_close, gf_explain, NULL};

Op *op_gapfill(ExecCtx *cx, Op *kid, const GapfillPlan *plan)
{
	Gapfill *g = op_alloc(cx, sizeof *g);
	SortKey *keys = op_alloc(cx, (plan->ngroup + 1) * sizeof *keys);
	if (!g || !keys)
		return NULL;
	op_init(&g->op, &gf_vt, cx, kid->ncols, kid->types);
	g->op.kids[0] = kid;
	g->op.nkids = 1;
	g->plan = plan;
	for (uint32_t i = 0; i < plan->ngroup; i++)
		keys[i] = (SortKey){plan->group_cols[i], false, false};
	keys[plan->ngroup] = (SortKey){plan->bucket_col, false, false};
	g->keys = keys;
	rowstore_init(&g->rows, cx, kid->ncols, kid->types);
	return &g->op;
}
