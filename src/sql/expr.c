/* expr.c - evaluation of bound expressions over batches (see expr.h). */
#include "sql/expr.h"

#include <stdio.h>
#include <string.h>

#include "sql/exec/exec.h"
#include "sql/sqlfmt.h"
#include "sql/text.h"
#include "util/buf.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory evaluating an expression")

Expr *expr_new(Arena *a, ExprKind k, uint8_t type, uint32_t pos)
{
	Expr *e = arena_alloc(a, sizeof *e);
	if (!e)
		return NULL;
	memset(e, 0, sizeof *e);
	e->kind = (uint8_t)k;
	e->type = type;
	e->pos = pos;
	return e;
}

Expr *expr_const(Arena *a, const Datum *d, uint32_t pos)
{
	Expr *e = expr_new(a, E_CONST, d->type, pos);
	if (e)
		e->val = *d;
	return e;
}

Expr *expr_col(Arena *a, uint32_t col, uint8_t type, const char *name, uint32_t pos)
{
	Expr *e = expr_new(a, E_COL, type, pos);
	if (e) {
		e->col = col;
		e->name = name;
	}
	return e;
}

Expr *expr_func(Arena *a, ScalarFn fn, const char *name, uint8_t type, bool strict,
                Expr **args, uint32_t nargs, uint32_t pos)
{
	Expr *e = expr_new(a, E_FUNC, type, pos);
	if (!e)
		return NULL;
	e->fn = fn;
	e->name = name;
	e->strict = strict;
	e->nargs = nargs;
	if (nargs) {
		e->args = arena_alloc(a, nargs * sizeof *e->args);
		if (!e->args)
			return NULL;
		memcpy(e->args, args, nargs * sizeof *args);
	}
	return e;
}

Batch *batch_gather(Arena *a, const Batch *in, const uint32_t *sel, uint32_t nsel)
{
	Batch *b = batch_alloc(a, in->ncols);
	if (!b)
		return NULL;
	b->n = nsel;
	for (uint32_t c = 0; c < in->ncols; c++) {
		const Vec *s = &in->cols[c];
		Vec *d = &b->cols[c];
		if (!vec_alloc(a, d, s->type, nsel))
			return NULL;
		if (s->type == STELE_TYPE_NONE)
			continue;
		for (uint32_t k = 0; k < nsel; k++)
			d->null[k] = s->null[sel[k]];
		if (s->type == STELE_TYPE_VARCHAR)
			for (uint32_t k = 0; k < nsel; k++)
				d->d.s[k] = s->d.s[sel[k]];
		else
			for (uint32_t k = 0; k < nsel; k++)
				d->d.u[k] = s->d.u[sel[k]];
	}
	return b;
}

/* out[sel[k]] = v[k] */
static void scatter(Vec *out, const uint32_t *sel, uint32_t nsel, const Vec *v)
{
	for (uint32_t k = 0; k < nsel; k++)
		vec_copy_row(out, sel[k], v, k);
}

static int eval_const(EvalCtx *cx, const Datum *d, uint8_t type, uint32_t n, Vec *out,
                      StErr *err)
{
	if (!vec_alloc(cx->arena, out, type, n))
		return NOMEM(err);
	if (type == STELE_TYPE_NONE)
		return STELE_OK;
	for (uint32_t i = 0; i < n; i++)
		vec_set(out, i, d);
	return STELE_OK;
}

/* Evaluates e on the rows sel[0..nsel) of in (all rows when nsel == in->n
 * and sel is NULL) into out, which has in->n rows; other rows untouched. */
static int eval_some(EvalCtx *cx, const Expr *e, const Batch *in, const uint32_t *sel,
                     uint32_t nsel, Vec *out, StErr *err)
{
	if (nsel == 0)
		return STELE_OK;
	const Batch *b = in;
	if (sel) {
		b = batch_gather(cx->arena, in, sel, nsel);
		if (!b)
			return NOMEM(err);
	}
	Vec v;
	int rc = expr_eval(cx, e, b, &v, err);
	if (rc)
		return rc;
	if (sel) {
		scatter(out, sel, nsel, &v);
	} else {
		for (uint32_t i = 0; i < nsel; i++)
			vec_copy_row(out, i, &v, i);
	}
	return STELE_OK;
}

static int eval_case(EvalCtx *cx, const Expr *e, const Batch *in, Vec *out, StErr *err)
{
	uint32_t n = in->n;
	if (!vec_alloc(cx->arena, out, e->type, n))
		return NOMEM(err);
	memset(out->null, 1, n ? n : 1);
	uint32_t *rem = arena_alloc(cx->arena, (n + 1) * sizeof *rem);
	uint32_t *hit = arena_alloc(cx->arena, (n + 1) * sizeof *hit);
	if (!rem || !hit)
		return NOMEM(err);
	for (uint32_t i = 0; i < n; i++)
		rem[i] = i;
	uint32_t nrem = n;
	uint32_t npairs = (e->nargs - e->has_else) / 2;
	for (uint32_t w = 0; w < npairs && nrem > 0; w++) {
		const Batch *b = in;
		if (nrem != n) {
			b = batch_gather(cx->arena, in, rem, nrem);
			if (!b)
				return NOMEM(err);
		}
		Vec c;
		int rc = expr_eval(cx, e->args[2 * w], b, &c, err);
		if (rc)
			return rc;
		uint32_t nhit = 0, nrest = 0;
		for (uint32_t k = 0; k < nrem; k++) {
			if (c.type != STELE_TYPE_NONE && !c.null[k] && c.d.i[k])
				hit[nhit++] = rem[k];
			else
				rem[nrest++] = rem[k];
		}
		rc = eval_some(cx, e->args[2 * w + 1], in, nhit == n ? NULL : hit, nhit, out, err);
		if (rc)
			return rc;
		nrem = nrest;
	}
	if (e->has_else && nrem > 0)
		return eval_some(cx, e->args[e->nargs - 1], in, nrem == n ? NULL : rem, nrem, out,
		                 err);
	return STELE_OK;
}

static int eval_coalesce(EvalCtx *cx, const Expr *e, const Batch *in, Vec *out, StErr *err)
{
	uint32_t n = in->n;
	if (!vec_alloc(cx->arena, out, e->type, n))
		return NOMEM(err);
	memset(out->null, 1, n ? n : 1);
	uint32_t *rem = arena_alloc(cx->arena, (n + 1) * sizeof *rem);
	if (!rem)
		return NOMEM(err);
	for (uint32_t i = 0; i < n; i++)
		rem[i] = i;
	uint32_t nrem = n;
	for (uint32_t a = 0; a < e->nargs && nrem > 0; a++) {
		const Batch *b = in;
		if (nrem != n) {
			b = batch_gather(cx->arena, in, rem, nrem);
			if (!b)
				return NOMEM(err);
		}
		Vec v;
		int rc = expr_eval(cx, e->args[a], b, &v, err);
		if (rc)
			return rc;
		uint32_t nrest = 0;
		for (uint32_t k = 0; k < nrem; k++) {
			if (v.type != STELE_TYPE_NONE && !v.null[k])
				vec_copy_row(out, rem[k], &v, k);
			else
				rem[nrest++] = rem[k];
		}
		nrem = nrest;
	}
	return STELE_OK;
}

/* Three-valued AND / OR over all arguments. */
static int eval_logic(EvalCtx *cx, const Expr *e, const Batch *in, Vec *out, StErr *err)
{
	uint32_t n = in->n;
	if (!vec_alloc(cx->arena, out, STELE_TYPE_BOOLEAN, n))
		return NOMEM(err);
	bool is_and = e->kind == E_AND;
	/* Start from the identity: TRUE for AND, FALSE for OR. */
	for (uint32_t i = 0; i < n; i++)
		out->d.i[i] = is_and;
	for (uint32_t a = 0; a < e->nargs; a++) {
		Vec v;
		int rc = expr_eval(cx, e->args[a], in, &v, err);
		if (rc)
			return rc;
		for (uint32_t i = 0; i < n; i++) {
			bool vn = v.type == STELE_TYPE_NONE || v.null[i];
			bool vt = !vn && v.d.i[i];
			if (is_and) {
				/* FALSE dominates; NULL unless some FALSE. */
				if (!vn && !vt) {
					out->d.i[i] = 0;
					out->null[i] = 0;
				} else if (vn && (out->null[i] || out->d.i[i])) {
					out->null[i] = 1;
				}
			} else {
				if (vt) {
					out->d.i[i] = 1;
					out->null[i] = 0;
				} else if (vn && (out->null[i] || !out->d.i[i])) {
					out->null[i] = 1;
				}
			}
		}
	}
	/* A definite answer clears NULL. */
	for (uint32_t i = 0; i < n; i++)
		if (out->null[i])
			out->d.i[i] = 0;
	return STELE_OK;
}

/* x [NOT] IN (list): TRUE if some element equals x; NULL if none does but
 * x or some element is NULL; FALSE otherwise. Elements are of x's type. */
static int eval_in(EvalCtx *cx, const Expr *e, const Batch *in, Vec *out, StErr *err)
{
	uint32_t n = in->n;
	Vec x;
	int rc = expr_eval(cx, e->args[0], in, &x, err);
	if (rc)
		return rc;
	if (!vec_alloc(cx->arena, out, STELE_TYPE_BOOLEAN, n))
		return NOMEM(err);
	uint8_t *found = arena_alloc(cx->arena, n + 1), *sawnull = arena_alloc(cx->arena, n + 1);
	if (!found || !sawnull)
		return NOMEM(err);
	memset(found, 0, n + 1);
	memset(sawnull, 0, n + 1);
	for (uint32_t a = 1; a < e->nargs; a++) {
		Vec v;
		rc = expr_eval(cx, e->args[a], in, &v, err);
		if (rc)
			return rc;
		for (uint32_t i = 0; i < n; i++) {
			if (found[i])
				continue;
			if (v.type == STELE_TYPE_NONE || v.null[i]) {
				sawnull[i] = 1;
				continue;
			}
			if (x.type == STELE_TYPE_NONE || x.null[i])
				continue;
			if (vec_cmp(&x, i, &v, i) == 0)
				found[i] = 1;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		bool xn = x.type == STELE_TYPE_NONE || x.null[i];
		if (found[i]) {
			out->d.i[i] = !e->neg;
		} else if (xn || sawnull[i]) {
			out->null[i] = 1;
		} else {
			out->d.i[i] = e->neg;
		}
	}
	return STELE_OK;
}

static int eval_subquery(EvalCtx *cx, const Expr *e, const Batch *in, Vec *out, StErr *err)
{
	uint32_t n = in->n;
	SubPlan *sp = (SubPlan *)e->sub;
	int rc = subplan_run(sp, err);
	if (rc)
		return rc;
	if (e->kind == E_SUBQ)
		return eval_const(cx, &sp->value, e->type, n, out, err);
	if (e->kind == E_EXISTS) {
		Datum d = {.type = STELE_TYPE_BOOLEAN, .v.i = sp->rows.n > 0};
		return eval_const(cx, &d, STELE_TYPE_BOOLEAN, n, out, err);
	}
	Vec x;
	rc = expr_eval(cx, e->args[0], in, &x, err);
	if (rc)
		return rc;
	if (!vec_alloc(cx->arena, out, STELE_TYPE_BOOLEAN, n))
		return NOMEM(err);
	for (uint32_t i = 0; i < n; i++) {
		if (x.type == STELE_TYPE_NONE || x.null[i]) {
			if (sp->rows.n > 0)
				out->null[i] = 1;
			else
				out->d.i[i] = e->neg;
			continue;
		}
		if (subplan_contains(sp, &x, i))
			out->d.i[i] = !e->neg;
		else if (sp->has_null)
			out->null[i] = 1;
		else
			out->d.i[i] = e->neg;
	}
	return STELE_OK;
}

int expr_eval(EvalCtx *cx, const Expr *e, const Batch *in, Vec *out, StErr *err)
{
	uint32_t n = in->n;
	switch (e->kind) {
	case E_COL:
		*out = in->cols[e->col];
		return STELE_OK;
	case E_CONST:
		return eval_const(cx, &e->val, e->type, n, out, err);
	case E_PARAM: {
		if (e->col >= cx->nparams)
			return failf(err, STELE_EINVAL, "there is no parameter $%u", e->col + 1);
		return eval_const(cx, &cx->params[e->col], e->type, n, out, err);
	}
	case E_FUNC: {
		Vec *args = arena_alloc(cx->arena, (e->nargs + 1) * sizeof *args);
		if (!args)
			return NOMEM(err);
		for (uint32_t a = 0; a < e->nargs; a++) {
			int rc = expr_eval(cx, e->args[a], in, &args[a], err);
			if (rc)
				return rc;
		}
		if (!vec_alloc(cx->arena, out, e->type, n))
			return NOMEM(err);
		if (e->strict) {
			for (uint32_t a = 0; a < e->nargs; a++) {
				const Vec *v = &args[a];
				if (v->type == STELE_TYPE_NONE) {
					memset(out->null, 1, n);
					break;
				}
				for (uint32_t i = 0; i < n; i++)
					out->null[i] |= v->null[i];
			}
		}
		return e->fn(cx, e, args, n, out, err);
	}
	case E_AND:
	case E_OR:
		return eval_logic(cx, e, in, out, err);
	case E_NOT: {
		Vec v;
		int rc = expr_eval(cx, e->args[0], in, &v, err);
		if (rc)
			return rc;
		if (!vec_alloc(cx->arena, out, STELE_TYPE_BOOLEAN, n))
			return NOMEM(err);
		for (uint32_t i = 0; i < n; i++) {
			if (v.type == STELE_TYPE_NONE || v.null[i])
				out->null[i] = 1;
			else
				out->d.i[i] = !v.d.i[i];
		}
		return STELE_OK;
	}
	case E_ISNULL: {
		Vec v;
		int rc = expr_eval(cx, e->args[0], in, &v, err);
		if (rc)
			return rc;
		if (!vec_alloc(cx->arena, out, STELE_TYPE_BOOLEAN, n))
			return NOMEM(err);
		for (uint32_t i = 0; i < n; i++) {
			bool isnull = v.type == STELE_TYPE_NONE || v.null[i];
			out->d.i[i] = isnull != e->neg;
		}
		return STELE_OK;
	}
	case E_CASE:
		return eval_case(cx, e, in, out, err);
	case E_COALESCE:
		return eval_coalesce(cx, e, in, out, err);
	case E_IN:
		return eval_in(cx, e, in, out, err);
	case E_SUBQ:
	case E_IN_SUBQ:
	case E_EXISTS:
		return eval_subquery(cx, e, in, out, err);
	default:
		return failf(err, STELE_EINVAL, "internal error: unexpected expression kind %d",
		             e->kind);
	}
}

int expr_filter(EvalCtx *cx, const Expr *e, const Batch *in, uint32_t *sel, uint32_t *nsel,
                StErr *err)
{
	Vec v;
	int rc = expr_eval(cx, e, in, &v, err);
	if (rc)
		return rc;
	uint32_t k = 0;
	if (v.type != STELE_TYPE_NONE)
		for (uint32_t i = 0; i < in->n; i++)
			if (!v.null[i] && v.d.i[i])
				sel[k++] = i;
	*nsel = k;
	return STELE_OK;
}

int expr_eval_const(EvalCtx *cx, const Expr *e, Datum *out, StErr *err)
{
	Batch one = {.n = 1, .ncols = 0, .cols = NULL};
	Vec v;
	int rc = expr_eval(cx, e, &one, &v, err);
	if (rc)
		return rc;
	*out = vec_get(&v, 0);
	out->type = e->type;
	return STELE_OK;
}

bool expr_equal(const Expr *a, const Expr *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind || a->type != b->type || a->neg != b->neg ||
	    a->nargs != b->nargs || a->has_else != b->has_else)
		return false;
	switch (a->kind) {
	case E_COL:
	case E_PARAM:
		return a->col == b->col;
	case E_CONST:
		if (a->val.null || b->val.null)
			return a->val.null == b->val.null;
		return datum_cmp(a->type, &a->val, &b->val) == 0;
	case E_FUNC:
		if (a->fn != b->fn || a->aux_size != b->aux_size)
			return false;
		if (a->aux_size ? memcmp(a->aux, b->aux, a->aux_size) != 0 : a->aux != b->aux)
			return false;
		break;
	case E_SUBQ:
	case E_IN_SUBQ:
	case E_EXISTS:
		if (a->sub != b->sub)
			return false;
		break;
	case E_AGG:
	case E_WINDOW:
		return false; /* compared by the binder's own rules */
	default:
		break;
	}
	for (uint32_t i = 0; i < a->nargs; i++)
		if (!expr_equal(a->args[i], b->args[i]))
			return false;
	return true;
}

bool expr_has_cols(const Expr *e)
{
	if (!e)
		return false;
	if (e->kind == E_COL || e->kind == E_AGG || e->kind == E_WINDOW)
		return true;
	for (uint32_t i = 0; i < e->nargs; i++)
		if (expr_has_cols(e->args[i]))
			return true;
	return false;
}

static void put_datum(Buf *out, const Datum *d)
{
	if (d->null) {
		buf_put(out, "NULL", 4);
		return;
	}
	switch (d->type) {
	case STELE_TYPE_VARCHAR:
		buf_put_u8(out, '\'');
		for (uint32_t i = 0; i < d->v.s.n; i++) {
			if (d->v.s.p[i] == '\'')
				buf_put_u8(out, '\'');
			buf_put_u8(out, (uint8_t)d->v.s.p[i]);
		}
		buf_put_u8(out, '\'');
		break;
	case STELE_TYPE_TIMESTAMP:
		buf_put_u8(out, '\'');
		sqlfmt_timestamp(out, d->v.i);
		buf_put(out, "'::timestamp", 12);
		break;
	case STELE_TYPE_INTERVAL:
		buf_put_u8(out, '\'');
		sqlfmt_interval(out, d->v.i);
		buf_put(out, "'::interval", 11);
		break;
	default:
		sqltext_datum(out, d);
	}
}

static void put_args(const Expr *e, Buf *out, char *const *names, uint32_t from)
{
	for (uint32_t i = from; i < e->nargs; i++) {
		if (i > from)
			buf_put(out, ", ", 2);
		expr_explain(e->args[i], out, names);
	}
}

void expr_explain(const Expr *e, Buf *out, char *const *names)
{
	char tmp[64];
	switch (e->kind) {
	case E_COL:
		if (e->name) {
			buf_put(out, e->name, strlen(e->name));
		} else if (names && names[e->col]) {
			buf_put(out, names[e->col], strlen(names[e->col]));
		} else {
			int k = snprintf(tmp, sizeof tmp, "#%u", e->col);
			buf_put(out, tmp, (size_t)k);
		}
		return;
	case E_CONST:
		put_datum(out, &e->val);
		return;
	case E_PARAM: {
		int k = snprintf(tmp, sizeof tmp, "$%u", e->col + 1);
		buf_put(out, tmp, (size_t)k);
		return;
	}
	case E_FUNC: {
		const char *name = e->name ? e->name : "?";
		bool infix = e->nargs == 2 && !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
		if (infix) {
			buf_put_u8(out, '(');
			expr_explain(e->args[0], out, names);
			buf_put_u8(out, ' ');
			buf_put(out, name, strlen(name));
			buf_put_u8(out, ' ');
			expr_explain(e->args[1], out, names);
			buf_put_u8(out, ')');
		} else if (name[0] == ':' && name[1] == ':' && e->nargs == 1) {
			expr_explain(e->args[0], out, names);
			buf_put(out, name, strlen(name));
		} else {
			buf_put(out, name, strlen(name));
			buf_put_u8(out, '(');
			put_args(e, out, names, 0);
			buf_put_u8(out, ')');
		}
		return;
	}
	case E_AND:
	case E_OR:
		buf_put_u8(out, '(');
		for (uint32_t i = 0; i < e->nargs; i++) {
			if (i)
				buf_put(out, e->kind == E_AND ? " AND " : " OR ", e->kind == E_AND ? 5 : 4);
			expr_explain(e->args[i], out, names);
		}
		buf_put_u8(out, ')');
		return;
	case E_NOT:
		buf_put(out, "NOT ", 4);
		expr_explain(e->args[0], out, names);
		return;
	case E_ISNULL:
		buf_put_u8(out, '(');
		expr_explain(e->args[0], out, names);
		buf_put(out, e->neg ? " IS NOT NULL)" : " IS NULL)", e->neg ? 13 : 9);
		return;
	case E_CASE: {
		buf_put(out, "CASE", 4);
		uint32_t np = (e->nargs - e->has_else) / 2;
		for (uint32_t w = 0; w < np; w++) {
			buf_put(out, " WHEN ", 6);
			expr_explain(e->args[2 * w], out, names);
			buf_put(out, " THEN ", 6);
			expr_explain(e->args[2 * w + 1], out, names);
		}
		if (e->has_else) {
			buf_put(out, " ELSE ", 6);
			expr_explain(e->args[e->nargs - 1], out, names);
		}
		buf_put(out, " END", 4);
		return;
	}
	case E_COALESCE:
		buf_put(out, "COALESCE(", 9);
		put_args(e, out, names, 0);
		buf_put_u8(out, ')');
		return;
	case E_IN:
		buf_put_u8(out, '(');
		expr_explain(e->args[0], out, names);
		buf_put(out, e->neg ? " NOT IN (" : " IN (", e->neg ? 9 : 5);
		put_args(e, out, names, 1);
		buf_put(out, "))", 2);
		return;
	case E_SUBQ:
		buf_put(out, "(subquery)", 10);
		return;
	case E_IN_SUBQ:
		buf_put_u8(out, '(');
		expr_explain(e->args[0], out, names);
		buf_put(out, e->neg ? " NOT IN (subquery))" : " IN (subquery))", e->neg ? 19 : 15);
		return;
	case E_EXISTS:
		buf_put(out, "EXISTS (subquery)", 17);
		return;
	default:
		buf_put(out, "?", 1);
	}
}
