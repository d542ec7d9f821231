/* bind_plan.c - the binder's choices of how a query runs, where the SQL
 * leaves it open: aggregation over block statistics or as parallel
 * workers (bind_agg_op), and a top-N by time over widening windows
 * (bind_time_window). */
#include <string.h>

#include "sql/bind.h"
#include "sql/exec/plans.h"
#include "storage/scan.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory binding a statement")

static bool has_subquery(const Expr *e)
{
	if (!e)
		return false;
	if (e->kind == E_SUBQ || e->kind == E_IN_SUBQ || e->kind == E_EXISTS)
		return true;
	for (uint32_t i = 0; i < e->nargs; i++)
		if (has_subquery(e->args[i]))
			return true;
	return false;
}

/* Can the aggregation take whole blocks of the scan as their statistics?
 * When the scan is all there is below it (every condition pushed down),
 * the keys are tags (constant over a block, which holds one series), and
 * every aggregate folds statistics (AggDef.stats) of a plain column:
 * count of anything, sum and avg of numbers, min and max of numbers or
 * the time, first and last of a number or boolean by the time, spread of
 * a double, bool_and, bool_or and every of a boolean. Fills in the plans when so. */
static int stats_plan(Binder *b, const Rel *from, Op *op, AggPlan *ap, StErr *err)
{
	ScanPlan *sp = from->scan;
	if (!sp || op != from->op || sp->latest || sp->empty || ap->naggs == 0)
		return STELE_OK;
	for (uint32_t i = 0; i < ap->ngroups; i++) {
		const Expr *g = ap->groups[i];
		if (g->kind != E_COL || g->col >= sp->ncols || sp->kind[g->col] != SCAN_TAG)
			return STELE_OK;
	}
	uint32_t *col = arena_alloc(b->bc.arena, ap->naggs * sizeof *col);
	uint8_t *need = arena_alloc(b->bc.arena, sp->ncols + 1);
	if (!col || !need)
		return NOMEM(err);
	memset(need, 0, sp->ncols + 1);
	for (uint32_t i = 0; i < ap->naggs; i++) {
		const AggCall *c = ap->aggs[i];
		if (!c->def->stats || c->filter || c->distinct)
			return STELE_OK;
		if (c->star || c->nargs == 0) {
			col[i] = AGG_STATS_ROWS;
			continue;
		}
		const Expr *a = c->args[0];
		if (a->kind != E_COL || a->col >= sp->ncols)
			return STELE_OK;
		uint8_t kind = sp->kind[a->col], t = sp->types[a->col];
		const char *f = c->def->name;
		bool num = t == STELE_TYPE_DOUBLE || t == STELE_TYPE_BIGINT || t == STELE_TYPE_UBIGINT;
		bool first = strcmp(f, "first") == 0 || strcmp(f, "last") == 0;
		bool ok;
		if (kind == SCAN_TS)
			ok = strcmp(f, "count") == 0 || strcmp(f, "min") == 0 || strcmp(f, "max") == 0;
		else if (kind != SCAN_FIELD)
			ok = false;
		else if (strcmp(f, "count") == 0)
			ok = true;
		else if (strcmp(f, "spread") == 0)
			ok = t == STELE_TYPE_DOUBLE;
		else if (first)
			ok = num || t == STELE_TYPE_BOOLEAN;
		else if (c->def->name[0] == 'b' || strcmp(f, "every") == 0)
			ok = t == STELE_TYPE_BOOLEAN; /* bool_and, bool_or */
		else
			ok = num; /* sum, avg, mean, min, max */
		if (first) {
			const Expr *by = c->args[1];
			ok = ok && by->kind == E_COL && by->col < sp->ncols && sp->kind[by->col] == SCAN_TS;
		}
		if (!ok)
			return STELE_OK;
		col[i] = kind == SCAN_TS ? AGG_STATS_TS : a->col;
		if (kind != SCAN_FIELD)
			continue;
		if (first)
			need[a->col] |= STATS_NO_NULL;
		else if (strcmp(f, "count") && strcmp(f, "sum") && t == STELE_TYPE_DOUBLE &&
		         strcmp(f, "avg") && strcmp(f, "mean"))
			need[a->col] |= STATS_NO_NAN;
	}
	sp->stats = true;
	sp->stats_need = need;
	ap->stats = true;
	ap->stats_col = col;
	return STELE_OK;
}

/* The aggregation over `op`. Over a scan of one table (and its filter),
 * with aggregates whose partial results merge, it runs as one worker per
 * thread, each over its part of the series, merged at the end. */
int bind_agg_op(Binder *b, const Rel *from, Expr *pred, AggPlan *ap, Op **op, StErr *err)
{
	int rc = stats_plan(b, from, *op, ap, err);
	if (rc)
		return rc;
	uint32_t k = b->cx->nthreads;
	bool par = k > 1 && from->scan && *op && !from->scan->latest && !from->scan->empty &&
	           !has_subquery(pred);
	for (uint32_t i = 0; par && i < ap->ngroups; i++)
		par = !has_subquery(ap->groups[i]);
	for (uint32_t i = 0; par && i < ap->naggs; i++) {
		const AggCall *c = ap->aggs[i];
		par = c->def->merge && !c->distinct && !has_subquery(c->filter);
		for (uint32_t j = 0; par && j < c->nargs; j++)
			par = !has_subquery(c->args[j]);
	}
	if (!par) {
		*op = op_agg(b->cx, *op, ap);
		return *op ? STELE_OK : NOMEM(err);
	}
	Op **w = arena_alloc(b->bc.arena, k * sizeof *w);
	if (!w)
		return NOMEM(err);
	op_scan_set_shard(from->op, 0, k);
	w[0] = op_agg(b->cx, *op, ap);
	for (uint32_t i = 1; i < k && w[0]; i++) {
		Op *s = op_scan(b->cx, from->scan);
		if (!s)
			return NOMEM(err);
		op_scan_set_shard(s, i, k);
		if (pred && !(s = op_filter(b->cx, s, pred)))
			return NOMEM(err);
		if (!(w[i] = op_agg(b->cx, s, ap)))
			return NOMEM(err);
	}
	if (!w[0])
		return NOMEM(err);
	*op = op_agg_parallel(b->cx, w, k);
	return *op ? STELE_OK : NOMEM(err);
}

/* ORDER BY time DESC (or ASC) LIMIT n over one table's scan: the plan of
 * a TimeWindow (exec/time_window.c) over the sort, or NULL. The leading
 * key k0 must be the scan's time column or, grouped, a group key that is
 * the time or time_bucket(constant width, time [, constant origin]). */
TimeWindowPlan *bind_time_window(Binder *b, const Rel *from, const Expr *k0, bool desc,
                                 bool grouped, Expr **groups, uint32_t ngroups, Expr *lim,
                                 Expr *off)
{
	ScanPlan *sp = from->scan;
	if (!sp || sp->latest || sp->empty || k0->kind != E_COL)
		return NULL;
	const Expr *t = k0;
	int64_t width = 0, origin = 0;
	if (grouped) {
		if (k0->col >= ngroups)
			return NULL;
		t = groups[k0->col];
		if (t->kind != E_COL && !func_bucket_args(t, &width, &origin, &t))
			return NULL;
	}
	if (t->kind != E_COL || t->col >= sp->ncols || sp->kind[t->col] != SCAN_TS)
		return NULL;
	TimeWindowPlan *tw = arena_alloc(b->bc.arena, sizeof *tw);
	if (!tw)
		return NULL;
	*tw = (TimeWindowPlan){sp, desc, width, origin, lim, off};
	return tw;
}
