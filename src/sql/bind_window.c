/* bind_window.c - window function calls: f(...) OVER (PARTITION BY ...
 * ORDER BY ... [frame]). The calls are collected while the targets are
 * bound; bind_windows then puts one Window operator over the rows so far
 * (after grouping, when there is one) and points the targets at its
 * result columns. */
#include <stdlib.h>
#include <string.h>

#include "sql/bind.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory binding a statement")

static const struct {
	const char *name;
	uint8_t func;
	int8_t min_args, max_args;
} win_funcs[] = {
	{"row_number", WF_ROW_NUMBER, 0, 0}, {"rank", WF_RANK, 0, 0},
	{"dense_rank", WF_DENSE_RANK, 0, 0}, {"lag", WF_LAG, 1, 3},
	{"lead", WF_LEAD, 1, 3},             {"first_value", WF_FIRST_VALUE, 1, 1},
	{"last_value", WF_LAST_VALUE, 1, 1},
};

static int add_win(Binder *b, AggCtx *ac, WinCall *w, Expr *e, StErr *err)
{
	if (ac->nwins == ac->capwins) {
		uint32_t cap = ac->capwins ? ac->capwins * 2 : 8;
		WinCall **v = arena_alloc(b->bc.arena, cap * sizeof *v);
		Expr **ev = arena_alloc(b->bc.arena, cap * sizeof *ev);
		if (!v || !ev)
			return NOMEM(err);
		if (ac->nwins) {
			memcpy(v, ac->wins, ac->nwins * sizeof *v);
			memcpy(ev, ac->win_exprs, ac->nwins * sizeof *ev);
		}
		ac->wins = v;
		ac->win_exprs = ev;
		ac->capwins = cap;
	}
	e->col = ac->nwins;
	ac->wins[ac->nwins] = w;
	ac->win_exprs[ac->nwins++] = e;
	return STELE_OK;
}

int bind_window_call(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err);

int bind_window_call(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err)
{
	if (!sc || !sc->agg || !sc->agg->wins_allowed) {
		bool nested = sc && sc->agg && sc->agg->where && strcmp(sc->agg->where, "window") == 0;
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
		                 nested ? "window function calls cannot be nested"
		                        : "window functions are not allowed in %s",
		                 sc && sc->agg && sc->agg->where ? sc->agg->where : "this context");
	}
	char *name = bind_strdup(b, a->text.z, a->text.n);
	if (!name)
		return NOMEM(err);
	for (char *c = name; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	WinCall *w = arena_alloc(b->bc.arena, sizeof *w);
	if (!w)
		return NOMEM(err);
	memset(w, 0, sizeof *w);
	w->name = name;
	w->pos = a->pos;
	/* Inside: aggregates allowed (over the grouped rows), windows not. */
	AggCtx inner_ac = *sc->agg;
	inner_ac.wins_allowed = false;
	inner_ac.where = "window";
	Scope inner = {sc->cols, sc->ncols, &inner_ac};
	uint32_t nargs = a->list ? a->list->n : 0;
	int rc = STELE_OK;
	int found = -1;
	for (size_t i = 0; i < sizeof win_funcs / sizeof win_funcs[0]; i++)
		if (strcmp(win_funcs[i].name, name) == 0)
			found = (int)i;
	if (found >= 0) {
		if ((int)nargs < win_funcs[found].min_args || (int)nargs > win_funcs[found].max_args)
			return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
			                 "function %s takes %d to %d arguments", name,
			                 win_funcs[found].min_args, win_funcs[found].max_args);
		if (a->fn->distinct || a->fn->star || a->fn->filter)
			return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
			                 "DISTINCT, * or FILTER is not allowed with %s", name);
		w->func = win_funcs[found].func;
		Expr *args[3] = {NULL, NULL, NULL};
		for (uint32_t i = 0; i < nargs && rc == STELE_OK; i++)
			rc = bind_expr(b, &inner, a->list->v[i], &args[i], err);
		if (rc)
			return rc;
		w->arg = args[0];
		if (w->arg && w->arg->untyped)
			rc = bind_cast(&b->bc, w->arg, STELE_TYPE_VARCHAR, false, &w->arg, err);
		if (rc == STELE_OK && args[1]) {
			rc = bind_cast(&b->bc, args[1], STELE_TYPE_BIGINT, false, &w->offset, err);
			if (rc == STELE_OK && expr_has_cols(w->offset))
				rc = bind_fail(&b->bc, args[1]->pos, STELE_EINVAL, err,
				               "the offset of %s must be a constant", name);
		}
		if (rc == STELE_OK && args[2])
			rc = bind_cast(&b->bc, args[2], w->arg->type, false, &w->dflt, err);
		if (rc)
			return rc;
		w->type = w->func <= WF_DENSE_RANK ? STELE_TYPE_BIGINT : w->arg->type;
	} else {
		const AggDef *ad = agg_lookup(name);
		if (!ad)
			return bind_fail(&b->bc, a->pos, STELE_ENOENT, err,
			                 "function %s is not a window function or an aggregate", name);
		if (a->fn->distinct)
			return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
			                 "DISTINCT is not implemented for window functions");
		if (a->fn->within)
			return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
			                 "OVER is not supported for ordered-set aggregate %s", name);
		AggCall *c = arena_alloc(b->bc.arena, sizeof *c);
		if (!c)
			return NOMEM(err);
		memset(c, 0, sizeof *c);
		c->def = ad;
		c->name = ad->name;
		c->star = a->fn->star;
		c->pos = a->pos;
		c->args = arena_alloc(b->bc.arena, (nargs + 1) * sizeof *c->args);
		if (!c->args)
			return NOMEM(err);
		for (uint32_t i = 0; i < nargs && rc == STELE_OK; i++)
			rc = bind_expr(b, &inner, a->list->v[i], &c->args[i], err);
		c->nargs = nargs;
		if (rc == STELE_OK && a->fn->filter)
			rc = bind_pred(b, &inner, a->fn->filter, "FILTER", &c->filter, err);
		if (rc == STELE_OK)
			rc = ad->bind(&b->bc, c, err);
		if (rc)
			return rc;
		w->func = WF_AGG;
		w->agg = c;
		w->type = c->type;
	}
	const AstWindow *ov = a->fn->over;
	w->npart = ov->partition ? ov->partition->n : 0;
	w->norder = ov->order ? ov->order->n : 0;
	w->part = arena_alloc(b->bc.arena, (w->npart + 1) * sizeof *w->part);
	w->ord = arena_alloc(b->bc.arena, (w->norder + 1) * sizeof *w->ord);
	w->desc = arena_alloc(b->bc.arena, w->norder + 1);
	w->nulls_first = arena_alloc(b->bc.arena, w->norder + 1);
	if (!w->part || !w->ord || !w->desc || !w->nulls_first)
		return NOMEM(err);
	for (uint32_t i = 0; i < w->npart && rc == STELE_OK; i++)
		rc = bind_expr(b, &inner, ov->partition->v[i], &w->part[i], err);
	for (uint32_t i = 0; i < w->norder && rc == STELE_OK; i++) {
		const OrderItem *oi = ov->order->v[i];
		rc = bind_expr(b, &inner, oi->e, &w->ord[i], err);
		w->desc[i] = oi->desc;
		w->nulls_first[i] = oi->nulls ? oi->nulls == 1 : oi->desc;
	}
	if (rc)
		return rc;
	/* The inner binding may have found more aggregates. */
	sc->agg->calls = inner_ac.calls;
	sc->agg->ncalls = inner_ac.ncalls;
	sc->agg->cap = inner_ac.cap;
	w->has_frame = ov->has_frame;
	w->rows = ov->rows;
	w->start = ov->has_frame ? ov->start : FB_UNBOUNDED_PRECEDING;
	w->end = ov->has_frame ? ov->end : FB_CURRENT;
	if (ov->has_frame) {
		if (w->start == FB_UNBOUNDED_FOLLOWING)
			return bind_fail(&b->bc, ov->pos, STELE_EINVAL, err,
			                 "frame start cannot be UNBOUNDED FOLLOWING");
		if (w->end == FB_UNBOUNDED_PRECEDING)
			return bind_fail(&b->bc, ov->pos, STELE_EINVAL, err,
			                 "frame end cannot be UNBOUNDED PRECEDING");
		Scope none = {NULL, 0, NULL};
		const Ast *bounds[2] = {ov->start_n, ov->end_n};
		Expr **dst[2] = {&w->start_n, &w->end_n};
		for (int k = 0; k < 2; k++) {
			if (!bounds[k])
				continue;
			rc = bind_expr(b, &none, bounds[k], dst[k], err);
			if (rc)
				return rc;
			if (!w->rows) {
				if (w->norder != 1)
					return bind_fail(&b->bc, ov->pos, STELE_EINVAL, err,
					                 "RANGE with offset PRECEDING/FOLLOWING requires exactly "
					                 "one ORDER BY column");
				uint8_t ot = w->ord[0]->type;
				uint8_t want = ot == STELE_TYPE_TIMESTAMP ? STELE_TYPE_INTERVAL : ot;
				if (ot != STELE_TYPE_TIMESTAMP && !type_is_numeric(ot))
					return bind_fail(&b->bc, ov->pos, STELE_EINVAL, err,
					                 "RANGE with offset needs a numeric or timestamp "
					                 "ORDER BY column");
				rc = bind_cast(&b->bc, *dst[k], want, false, dst[k], err);
			}
			if (rc)
				return rc;
		}
	}
	Expr *e = expr_new(b->bc.arena, E_WINDOW, w->type, a->pos);
	if (!e)
		return NOMEM(err);
	e->win = w;
	int r2 = add_win(b, sc->agg, w, e, err);
	if (r2)
		return r2;
	*out = e;
	return STELE_OK;
}

/* Replaces the E_WINDOW nodes in e by the window operator's columns. */
static int place(Binder *b, Expr **pe, uint32_t base, StErr *err)
{
	Expr *e = *pe;
	if (e->kind == E_WINDOW) {
		Expr *c = expr_col(b->bc.arena, base + e->col, e->type, e->win->name, e->pos);
		if (!c)
			return NOMEM(err);
		*pe = c;
		return STELE_OK;
	}
	if (!e->nargs)
		return STELE_OK;
	Expr *c = arena_alloc(b->bc.arena, sizeof *c);
	Expr **args = arena_alloc(b->bc.arena, e->nargs * sizeof *args);
	if (!c || !args)
		return NOMEM(err);
	*c = *e;
	memcpy(args, e->args, e->nargs * sizeof *args);
	c->args = args;
	for (uint32_t i = 0; i < c->nargs; i++) {
		int rc = place(b, &c->args[i], base, err);
		if (rc)
			return rc;
	}
	*pe = c;
	return STELE_OK;
}

int bind_windows(Binder *b, Op **op, uint32_t *ncols_in, AggCtx *ac, BindOut *o, Expr **groups,
                 uint32_t ngroups, bool grouped, StErr *err);

int bind_windows(Binder *b, Op **op, uint32_t *ncols_in, AggCtx *ac, BindOut *o, Expr **groups,
                 uint32_t ngroups, bool grouped, StErr *err)
{
	int rc;
	if (grouped) {
		for (uint32_t i = 0; i < ac->nwins; i++) {
			WinCall *w = ac->wins[i];
			Expr **lists[3] = {w->part, w->ord, NULL};
			uint32_t counts[3] = {w->npart, w->norder, 0};
			for (int l = 0; l < 2; l++)
				for (uint32_t k = 0; k < counts[l]; k++)
					if ((rc = bind_rewrite_grouped(b, &lists[l][k], groups, ngroups, ac, err)))
						return rc;
			Expr **one[3] = {&w->arg, &w->offset, &w->dflt};
			for (int k = 0; k < 3; k++)
				if (*one[k] && (rc = bind_rewrite_grouped(b, one[k], groups, ngroups, ac, err)))
					return rc;
			if (w->agg) {
				for (uint32_t k = 0; k < w->agg->nargs; k++)
					if ((rc = bind_rewrite_grouped(b, &w->agg->args[k], groups, ngroups, ac,
					                               err)))
						return rc;
				if (w->agg->filter &&
				    (rc = bind_rewrite_grouped(b, &w->agg->filter, groups, ngroups, ac, err)))
					return rc;
			}
		}
	}
	if (!*op) {
		*op = op_project(b->cx, NULL, NULL, 0);
		if (!*op)
			return NOMEM(err);
	}
	WinPlan *wp = arena_alloc(b->bc.arena, sizeof *wp);
	if (!wp)
		return NOMEM(err);
	wp->calls = ac->wins;
	wp->ncalls = ac->nwins;
	uint32_t base = (*op)->ncols;
	*op = op_window(b->cx, *op, wp);
	if (!*op)
		return NOMEM(err);
	for (uint32_t i = 0; i < o->n; i++)
		if ((rc = place(b, &o->e[i], base, err)))
			return rc;
	*ncols_in = base + ac->nwins;
	return STELE_OK;
}
