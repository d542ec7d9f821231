/* time_window.c - TimeWindow: a top-N by time (ORDER BY ts DESC LIMIT n,
 * or by a time bucket that is a group key) that reads only the newest
 * (or, ascending, the oldest) stretch of time it needs.
 *
 *     open   narrows the scan to a window at the end of the table's time
 *            span, runs the child (the Sort with its limit, and what is
 *            below it) to the end, and keeps its rows; when the child gave
 *            fewer than LIMIT + OFFSET rows and the window did not cover
 *            the whole range, widens the window eightfold and runs the
 *            child again
 *     next   returns the rows kept
 *     close  frees them and gives the scan back its range
 *
 * Why a narrower window gives the same answer: every row outside it sorts
 * after every row inside it (its time is older), so once the window holds
 * LIMIT + OFFSET result rows they are the first ones. With a bucket key,
 * the window starts on a bucket boundary, so each bucket in it has all
 * its rows (time_bucket is monotonic and no later than its argument).
 * Filters on rows and on groups (WHERE, HAVING) keep this true. The work
 * of all the runs is at most about 8/7 of the last one.
 */
#include <stdio.h>
#include <string.h>

#include "sql/exec/plans.h"
#include "sql/sqltime.h"
#include "storage/db.h"
#include "storage/scan.h"

typedef struct TimeWindow {
	Op op;
	const TimeWindowPlan *plan;
	int64_t tmin, tmax;       /* the scan's own range */
	RowStore rows;
	uint32_t pos;
	uint32_t passes;
} TimeWindow;

static int64_t sat_add(int64_t a, __int128 b)
{
	__int128 s = (__int128)a + b;
	return s > INT64_MAX ? INT64_MAX : s < INT64_MIN ? INT64_MIN : (int64_t)s;
}

/* The start of the bucket holding t (t itself without buckets). */
static int bucket(const TimeWindowPlan *p, int64_t t, int64_t *out, StErr *err)
{
	if (p->width == 0) {
		*out = t;
		return STELE_OK;
	}
	return sqltime_bucket(p->width, t, p->origin, out, err);
}

/* Narrows the scan to the window of width w at the end of [lo, hi]; *all
 * when it covers the whole range (the scan then has its own range). */
static int narrow(TimeWindow *tw, int64_t lo, int64_t hi, __int128 w, bool *all, StErr *err)
{
	ScanPlan *sp = tw->plan->scan;
	sp->tmin = tw->tmin;
	sp->tmax = tw->tmax;
	*all = true;
	if (tw->plan->desc) {
		int64_t start = sat_add(hi, -w + 1);
		if (start <= lo)
			return STELE_OK;
		int rc = bucket(tw->plan, start, &start, err);
		if (rc || start <= lo)
			return rc;
		sp->tmin = start;
	} else {
		int64_t end = sat_add(lo, w);
		if (end > hi)
			return STELE_OK;
		/* Buckets that start by `end` - 1 end by it. */
		int rc = bucket(tw->plan, end, &end, err);
		if (rc || end - 1 >= hi)
			return rc;
		sp->tmax = end - 1;
	}
	*all = false;
	return STELE_OK;
}

int limit_eval(EvalCtx *ev, Expr *limit, Expr *offset, uint64_t *left, uint64_t *skip,
               bool *unlimited, StErr *err);

static int tw_open(Op *op, StErr *err)
{
	TimeWindow *tw = (TimeWindow *)op;
	const TimeWindowPlan *p = tw->plan;
	rowstore_free(&tw->rows);
	rowstore_init(&tw->rows, op->cx, op->ncols, op->types);
	tw->pos = 0;
	tw->passes = 0;
	p->scan->tmin = tw->tmin;
	p->scan->tmax = tw->tmax;
	uint64_t left, skip;
	bool unlimited;
	int rc = limit_eval(&op->ev, p->limit, p->offset, &left, &skip, &unlimited, err);
	if (rc)
		return rc;
	__int128 need = (__int128)left + skip;
	int64_t lo, hi;
	bool all = true;
	__int128 w = 0;
	if (!unlimited && need > 0 && scan_time_span(op->cx->db, p->scan->table, &lo, &hi)) {
		lo = lo > tw->tmin ? lo : tw->tmin;
		hi = hi < tw->tmax ? hi : tw->tmax;
		/* With buckets, room for `need` of them; without, a thousandth
		 * of the span. */
		w = p->width ? (__int128)p->width * need : ((__int128)hi - lo) / 1024 + 1;
		if (lo <= hi)
			all = false;
	}
	for (;;) {
		if (!all && (rc = narrow(tw, lo, hi, w, &all, err)) != STELE_OK)
			return rc;
		tw->passes++;
		rc = exec_collect(op->kids[0], &tw->rows, err);
		if (rc || all || (__int128)tw->rows.n >= need)
			return rc;
		rowstore_free(&tw->rows);
		rowstore_init(&tw->rows, op->cx, op->ncols, op->types);
		w *= 8;
	}
}

static int tw_next(Op *op, Batch **out, StErr *err)
{
	TimeWindow *tw = (TimeWindow *)op;
	arena_reset(&op->out);
	*out = NULL;
	if (tw->pos >= tw->rows.n)
		return STELE_OK;
	uint32_t n = tw->rows.n - tw->pos < VEC_ROWS ? tw->rows.n - tw->pos : VEC_ROWS;
	*out = rowstore_batch(&tw->rows, &op->out, NULL, tw->pos, n);
	if (!*out)
		return failf(err, STELE_ENOMEM, "out of memory returning rows");
	tw->pos += n;
	return STELE_OK;
}

static void tw_close(Op *op)
{
	TimeWindow *tw = (TimeWindow *)op;
	rowstore_free(&tw->rows);
	tw->plan->scan->tmin = tw->tmin;
	tw->plan->scan->tmax = tw->tmax;
}

static void tw_explain(const Op *op, Buf *out)
{
	const TimeWindow *tw = (const TimeWindow *)op;
	char tmp[96];
	int k = snprintf(tmp, sizeof tmp, "%s first, in widening windows",
	                 tw->plan->desc ? "newest" : "oldest");
	buf_put(out, tmp, (size_t)k);
	if (op->cx->analyze) {
		k = snprintf(tmp, sizeof tmp, "; %u pass%s", tw->passes, tw->passes == 1 ? "" : "es");
		buf_put(out, tmp, (size_t)k);
	}
}

static const OpVt tw_vt = {"TimeWindow", tw_open, tw_next, tw_close, tw_explain, NULL};

Op *op_time_window(ExecCtx *cx, Op *kid, const TimeWindowPlan *plan)
{
	TimeWindow *tw = op_alloc(cx, sizeof *tw);
	if (!tw)
		return NULL;
	op_init(&tw->op, &tw_vt, cx, kid->ncols, kid->types);
	tw->op.kids[0] = kid;
	tw->op.nkids = 1;
	tw->plan = plan;
	tw->tmin = plan->scan->tmin;
	tw->tmax = plan->scan->tmax;
	rowstore_init(&tw->rows, cx, kid->ncols, kid->types);
	return &tw->op;
}
