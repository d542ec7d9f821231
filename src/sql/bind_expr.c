/* bind_expr.c - binding expressions: names to columns, literals to typed
 * constants, operators and calls to implementations; aggregate calls are
 * collected into the scope's AggCtx (see bind.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/bind.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory binding a statement")
#define MAX_DEPTH 4000

char *bind_strdup(Binder *b, const char *s, size_t n)
{
	char *p = arena_alloc(b->bc.arena, n + 1);
	if (p) {
		if (n)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int bind_column(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err)
{
	const BCol *hit = NULL;
	bool rel_seen = false;
	for (uint32_t i = 0; sc && i < sc->ncols; i++) {
		const BCol *c = &sc->cols[i];
		if (a->qual.n) {
			if (!c->rel || strlen(c->rel) != a->qual.n ||
			    memcmp(c->rel, a->qual.z, a->qual.n) != 0)
				continue;
			rel_seen = true;
		}
		if (strlen(c->name) != a->name.n || memcmp(c->name, a->name.z, a->name.n) != 0)
			continue;
		if (hit && hit->idx != c->idx)
			return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
			                 "column reference \"%.*s\" is ambiguous", (int)a->name.n,
			                 a->name.z);
		hit = c;
	}
	if (!hit) {
		if (a->qual.n && !rel_seen)
			return bind_fail(&b->bc, a->pos, STELE_ENOENT, err,
			                 "missing FROM-clause entry for table \"%.*s\"", (int)a->qual.n,
			                 a->qual.z);
		if (a->qual.n)
			return bind_fail(&b->bc, a->pos, STELE_ENOENT, err,
			                 "column %.*s.%.*s does not exist", (int)a->qual.n, a->qual.z,
			                 (int)a->name.n, a->name.z);
		return bind_fail(&b->bc, a->pos, STELE_ENOENT, err, "column \"%.*s\" does not exist",
		                 (int)a->name.n, a->name.z);
	}
	*out = expr_col(b->bc.arena, hit->idx, hit->type, hit->name, a->pos);
	return *out ? STELE_OK : NOMEM(err);
}

static int bind_literal(Binder *b, const Ast *a, Expr **out, StErr *err)
{
	Datum d = {0};
	switch (a->kind) {
	case A_INT: {
		char tmp[32];
		if (a->text.n >= sizeof tmp)
			goto as_double;
		memcpy(tmp, a->text.z, a->text.n);
		tmp[a->text.n] = '\0';
		errno = 0;
		long long v = strtoll(tmp, NULL, 10);
		if (errno == ERANGE) {
			/* Past bigint: ubigint while it fits, then double. */
			errno = 0;
			unsigned long long u = strtoull(tmp, NULL, 10);
			if (errno == ERANGE)
				goto as_double;
			d.type = STELE_TYPE_UBIGINT;
			d.v.u = u;
			break;
		}
		d.type = STELE_TYPE_BIGINT;
		d.v.i = v;
		break;
	}
	as_double:
	case A_FLOAT: {
		char *tmp = bind_strdup(b, a->text.z, a->text.n);
		if (!tmp)
			return NOMEM(err);
		d.type = STELE_TYPE_DOUBLE;
		d.v.f = strtod(tmp, NULL);
		break;
	}
	case A_STR:
		d.type = STELE_TYPE_VARCHAR;
		d.v.s = (SqlStr){a->text.z, a->text.n};
		break;
	case A_NULL:
		d.type = STELE_TYPE_NONE;
		d.null = true;
		break;
	case A_BOOL:
		d.type = STELE_TYPE_BOOLEAN;
		d.v.i = a->ival;
		break;
	default:
		return failf(err, STELE_EINVAL, "internal error: not a literal");
	}
	*out = expr_const(b->bc.arena, &d, a->pos);
	if (!*out)
		return NOMEM(err);
	(*out)->untyped = a->kind == A_STR;
	return STELE_OK;
}

static int type_of(Binder *b, const TypeName *tn, uint8_t *t, StErr *err)
{
	if (!func_type_from_name(tn->name, t))
		return bind_fail(&b->bc, tn->pos, STELE_ENOENT, err, "type \"%s\" does not exist",
		                 tn->name);
	return STELE_OK;
}

/* Binds a to boolean for a logical context. */
static int bind_bool(Binder *b, const Scope *sc, const Ast *a, const char *what, Expr **out,
                     StErr *err)
{
	int rc = bind_expr(b, sc, a, out, err);
	if (rc)
		return rc;
	Expr *e = *out;
	if (e->untyped)
		return bind_cast(&b->bc, e, STELE_TYPE_BOOLEAN, false, out, err);
	if (e->type != STELE_TYPE_BOOLEAN && e->type != STELE_TYPE_NONE)
		return bind_fail(&b->bc, a->pos, STELE_ETYPE, err,
		                 "argument of %s must be type boolean, not type %s", what,
		                 func_type_sql_name(e->type));
	return STELE_OK;
}

int bind_pred(Binder *b, const Scope *sc, const Ast *a, const char *what, Expr **out,
              StErr *err)
{
	return bind_bool(b, sc, a, what, out, err);
}

/* AND/OR trees become one node with every operand. */
static int bind_logic(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err)
{
	Expr *l, *r;
	const char *what = a->kind == A_AND ? "AND" : "OR";
	int rc = bind_bool(b, sc, a->a, what, &l, err);
	if (rc == STELE_OK)
		rc = bind_bool(b, sc, a->b, what, &r, err);
	if (rc)
		return rc;
	ExprKind k = a->kind == A_AND ? E_AND : E_OR;
	uint32_t n = (l->kind == (uint8_t)k ? l->nargs : 1) + (r->kind == (uint8_t)k ? r->nargs : 1);
	Expr *e = expr_new(b->bc.arena, k, STELE_TYPE_BOOLEAN, a->pos);
	Expr **args = arena_alloc(b->bc.arena, n * sizeof *args);
	if (!e || !args)
		return NOMEM(err);
	uint32_t i = 0;
	Expr *sides[2] = {l, r};
	for (int s = 0; s < 2; s++) {
		if (sides[s]->kind == (uint8_t)k)
			for (uint32_t j = 0; j < sides[s]->nargs; j++)
				args[i++] = sides[s]->args[j];
		else
			args[i++] = sides[s];
	}
	e->args = args;
	e->nargs = n;
	*out = e;
	return STELE_OK;
}

static int new_node(Binder *b, ExprKind k, uint8_t type, uint32_t pos, Expr **args,
                    uint32_t nargs, Expr **out, StErr *err)
{
	Expr *e = expr_new(b->bc.arena, k, type, pos);
	if (!e)
		return NOMEM(err);
	if (nargs) {
		e->args = arena_alloc(b->bc.arena, nargs * sizeof *e->args);
		if (!e->args)
			return NOMEM(err);
		memcpy(e->args, args, nargs * sizeof *args);
	}
	e->nargs = nargs;
	*out = e;
	return STELE_OK;
}

static int bind_case(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err)
{
	uint32_t nw = a->list ? a->list->n : 0;
	uint32_t n = 2 * nw + (a->b != NULL);
	Expr **args = arena_alloc(b->bc.arena, (n + 1) * sizeof *args);
	Expr **vals = arena_alloc(b->bc.arena, (nw + 2) * sizeof *vals);
	if (!args || !vals)
		return NOMEM(err);
	Expr *operand = NULL;
	int rc = STELE_OK;
	if (a->a)
		rc = bind_expr(b, sc, a->a, &operand, err);
	for (uint32_t w = 0; w < nw && rc == STELE_OK; w++) {
		const Ast *when = a->list->v[w];
		if (operand) {
			Expr *v;
			rc = bind_expr(b, sc, when->a, &v, err);
			if (rc == STELE_OK)
				rc = bind_binary(&b->bc, OP_EQ, operand, v, when->pos, &args[2 * w], err);
		} else {
			rc = bind_bool(b, sc, when->a, "CASE/WHEN", &args[2 * w], err);
		}
		if (rc == STELE_OK)
			rc = bind_expr(b, sc, when->b, &vals[w], err);
	}
	if (rc == STELE_OK && a->b)
		rc = bind_expr(b, sc, a->b, &vals[nw], err);
	if (rc)
		return rc;
	uint8_t t;
	rc = bind_common_type(&b->bc, vals, nw + (a->b != NULL), "CASE", a->pos, &t, err);
	if (rc)
		return rc;
	for (uint32_t w = 0; w < nw; w++)
		args[2 * w + 1] = vals[w];
	if (a->b)
		args[n - 1] = vals[nw];
	rc = new_node(b, E_CASE, t, a->pos, args, n, out, err);
	if (rc == STELE_OK)
		(*out)->has_else = a->b != NULL;
	return rc;
}

static int bind_in(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err)
{
	uint32_t n = 1 + a->list->n;
	Expr **args = arena_alloc(b->bc.arena, n * sizeof *args);
	if (!args)
		return NOMEM(err);
	int rc = bind_expr(b, sc, a->a, &args[0], err);
	for (uint32_t i = 1; i < n && rc == STELE_OK; i++)
		rc = bind_expr(b, sc, a->list->v[i - 1], &args[i], err);
	if (rc)
		return rc;
	uint8_t t;
	rc = bind_common_type(&b->bc, args, n, "IN", a->pos, &t, err);
	if (rc)
		return rc;
	rc = new_node(b, E_IN, STELE_TYPE_BOOLEAN, a->pos, args, n, out, err);
	if (rc == STELE_OK)
		(*out)->neg = a->neg;
	return rc;
}

/* A subquery in an expression: bound on its own (not correlated). */
static int bind_sub(Binder *b, const Ast *a, SubKind kind, Expr *lhs, Expr **out, StErr *err)
{
	BoundQuery bq;
	int rc = bind_query(b, a->query, &bq, err);
	if (rc)
		return rc;
	if (kind != SUB_EXISTS && bq.ncols != 1)
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
		                 bq.ncols > 1 ? "subquery has too many columns"
		                              : "subquery must return a column");
	SubPlan *sp = arena_alloc(b->bc.arena, sizeof *sp);
	if (!sp)
		return NOMEM(err);
	memset(sp, 0, sizeof *sp);
	sp->op = bq.op;
	sp->kind = (uint8_t)kind;
	if (b->nsubs == b->capsubs) {
		uint32_t cap = b->capsubs ? b->capsubs * 2 : 8;
		SubPlan **v = arena_alloc(b->bc.arena, cap * sizeof *v);
		if (!v)
			return NOMEM(err);
		if (b->nsubs)
			memcpy(v, b->subs, b->nsubs * sizeof *v);
		b->subs = v;
		b->capsubs = cap;
	}
	b->subs[b->nsubs++] = sp;
	ExprKind ek = kind == SUB_SCALAR ? E_SUBQ : kind == SUB_EXISTS ? E_EXISTS : E_IN_SUBQ;
	uint8_t t = kind == SUB_SCALAR ? bq.types[0] : STELE_TYPE_BOOLEAN;
	Expr *args[1] = {lhs};
	if (lhs) {
		rc = bind_cast(&b->bc, lhs, bq.types[0], false, &args[0], err);
		if (rc)
			return rc;
	}
	rc = new_node(b, ek, t, a->pos, args, lhs ? 1 : 0, out, err);
	if (rc == STELE_OK) {
		(*out)->sub = sp;
		(*out)->neg = a->neg;
	}
	return rc;
}

/* Adds (or finds an equal) aggregate call; returns its E_AGG node. */
static int add_agg(Binder *b, AggCtx *ac, AggCall *c, uint32_t pos, Expr **out, StErr *err)
{
	uint32_t idx = ac->ncalls;
	for (uint32_t i = 0; i < ac->ncalls; i++) {
		const AggCall *o = ac->calls[i];
		if (o->def != c->def || o->distinct != c->distinct || o->star != c->star ||
		    o->desc != c->desc ||
		    o->nargs != c->nargs || o->frac != c->frac || !expr_equal(o->filter, c->filter))
			continue;
		bool same = true;
		for (uint32_t k = 0; k < c->nargs && same; k++)
			same = expr_equal(o->args[k], c->args[k]);
		if (same) {
			idx = i;
			break;
		}
	}
	if (idx == ac->ncalls) {
		if (ac->ncalls == ac->cap) {
			uint32_t cap = ac->cap ? ac->cap * 2 : 8;
			AggCall **v = arena_alloc(b->bc.arena, cap * sizeof *v);
			if (!v)
				return NOMEM(err);
			if (ac->ncalls)
				memcpy(v, ac->calls, ac->ncalls * sizeof *v);
			ac->calls = v;
			ac->cap = cap;
		}
		ac->calls[ac->ncalls++] = c;
	}
	Expr *e = expr_new(b->bc.arena, E_AGG, ac->calls[idx]->type, pos);
	if (!e)
		return NOMEM(err);
	e->agg = ac->calls[idx];
	e->col = idx;
	*out = e;
	return STELE_OK;
}

static int bind_agg_call(Binder *b, const Scope *sc, const Ast *a, const AggDef *def,
                         Expr **out, StErr *err)
{
	const char *name = def->name;
	if (!sc || !sc->agg || !sc->agg->allowed) {
		if (sc && sc->agg && sc->agg->where && strcmp(sc->agg->where, "nested") == 0)
			return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
			                 "aggregate function calls cannot be nested");
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
		                 "aggregate functions are not allowed in %s",
		                 sc && sc->agg && sc->agg->where ? sc->agg->where : "this context");
	}
	AggCall *c = arena_alloc(b->bc.arena, sizeof *c);
	if (!c)
		return NOMEM(err);
	memset(c, 0, sizeof *c);
	c->def = def;
	c->name = name;
	c->pos = a->pos;
	c->star = a->fn->star;
	c->distinct = a->fn->distinct;
	uint32_t nargs = (a->list ? a->list->n : 0) + (a->fn->within ? a->fn->within->n : 0);
	bool ordered = strncmp(name, "percentile_", 11) == 0;
	if (ordered && !a->fn->within)
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
		                 "WITHIN GROUP is required for ordered-set aggregate %s", name);
	if (!ordered && a->fn->within)
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
		                 "%s is not an ordered-set aggregate, so it cannot have WITHIN GROUP",
		                 name);
	if (c->star && strcmp(name, "count") != 0)
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err, "%s(*) must be used with count",
		                 name);
	if (!c->star && (int)nargs < def->min_args + (strcmp(name, "count") == 0)) {
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
		                 "function %s takes at least %d argument%s", name,
		                 def->min_args + (strcmp(name, "count") == 0),
		                 def->min_args == 1 ? "" : "s");
	}
	if (def->max_args >= 0 && (int)nargs > def->max_args)
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
		                 "function %s takes at most %d argument%s", name, def->max_args,
		                 def->max_args == 1 ? "" : "s");
	c->args = arena_alloc(b->bc.arena, (nargs + 1) * sizeof *c->args);
	if (!c->args)
		return NOMEM(err);
	/* Arguments: in the same scope, with no aggregates inside. */
	AggCtx nested = {.allowed = false, .where = "nested"};
	Scope inner = {sc->cols, sc->ncols, &nested};
	uint32_t k = 0;
	int rc = STELE_OK;
	if (a->fn->within) {
		/* percentile_cont(f) WITHIN GROUP (ORDER BY x): args (x, f). */
		const OrderItem *oi = a->fn->within->v[0];
		c->desc = oi->desc;
		rc = bind_expr(b, &inner, oi->e, &c->args[k++], err);
	}
	for (uint32_t i = 0; a->list && i < a->list->n && rc == STELE_OK; i++)
		rc = bind_expr(b, &inner, a->list->v[i], &c->args[k++], err);
	c->nargs = k;
	if (rc == STELE_OK && a->fn->filter)
		rc = bind_bool(b, &inner, a->fn->filter, "FILTER", &c->filter, err);
	if (rc == STELE_OK)
		rc = def->bind(&b->bc, c, err);
	if (rc)
		return rc;
	return add_agg(b, sc->agg, c, a->pos, out, err);
}

int bind_window_call(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err);

static int bind_call(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err)
{
	char *name = bind_strdup(b, a->text.z, a->text.n);
	if (!name)
		return NOMEM(err);
	for (char *c = name; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	if (a->fn->over)
		return bind_window_call(b, sc, a, out, err);
	static const char *const window_only[] = {"row_number", "rank", "dense_rank", "lag",
	                                          "lead", "first_value", "last_value"};
	for (size_t i = 0; i < sizeof window_only / sizeof window_only[0]; i++)
		if (strcmp(name, window_only[i]) == 0)
			return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
			                 "window function %s requires an OVER clause", name);
	const AggDef *ad = agg_lookup(name);
	if (ad)
		return bind_agg_call(b, sc, a, ad, out, err);
	if (a->fn->filter)
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
		                 "FILTER specified, but %s is not an aggregate function", name);
	if (a->fn->distinct)
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
		                 "DISTINCT specified, but %s is not an aggregate function", name);
	if (a->fn->within)
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
		                 "%s is not an ordered-set aggregate, so it cannot have WITHIN GROUP",
		                 name);
	if (a->fn->star)
		return bind_fail(&b->bc, a->pos, STELE_EINVAL, err, "%s(*) must be used with count",
		                 name);
	uint32_t nargs = a->list ? a->list->n : 0;
	Expr **args = arena_alloc(b->bc.arena, (nargs + 1) * sizeof *args);
	if (!args)
		return NOMEM(err);
	for (uint32_t i = 0; i < nargs; i++) {
		int rc = bind_expr(b, sc, a->list->v[i], &args[i], err);
		if (rc)
			return rc;
	}
	const FuncDef *fd = func_lookup(name);
	if (!fd || (int)nargs < fd->min_args || (fd->max_args >= 0 && (int)nargs > fd->max_args)) {
		char sig[256];
		size_t o = 0;
		sig[0] = '\0';
		for (uint32_t i = 0; i < nargs && o < sizeof sig - 32; i++)
			o += (size_t)snprintf(sig + o, sizeof sig - o, "%s%s", i ? ", " : "",
			                      args[i]->untyped ? "unknown"
			                                       : func_type_sql_name(args[i]->type));
		return bind_fail(&b->bc, a->pos, STELE_ENOENT, err, "function %s(%s) does not exist",
		                 name, sig);
	}
	Expr *e = expr_new(b->bc.arena, E_FUNC, STELE_TYPE_NONE, a->pos);
	if (!e)
		return NOMEM(err);
	e->name = fd->name;
	e->args = args;
	e->nargs = nargs;
	int rc = fd->bind(&b->bc, e, err);
	if (rc)
		return rc;
	*out = e;
	return STELE_OK;
}

/* Folds a function or operator over constants into a constant (now()
 * included: it is fixed for the statement), so that pushdown and pruning
 * see values. A failure (1/0 in constants) is left for execution, where
 * PostgreSQL reports it too. */
static int fold(Binder *b, Expr **pe, StErr *err)
{
	Expr *e = *pe;
	if (e->kind != E_FUNC)
		return STELE_OK;
	for (uint32_t i = 0; i < e->nargs; i++)
		if (e->args[i]->kind != E_CONST)
			return STELE_OK;
	Datum d;
	StErr ferr;
	int rc = expr_eval_const(&b->ev, e, &d, &ferr);
	if (rc == STELE_OK) {
		if (d.type == STELE_TYPE_VARCHAR && !d.null && !vec_copy_str(b->bc.arena, &d.v.s)) {
			arena_reset(b->ev.arena);
			return NOMEM(err);
		}
		Expr *c = expr_const(b->bc.arena, &d, e->pos);
		if (!c) {
			arena_reset(b->ev.arena);
			return NOMEM(err);
		}
		*pe = c;
	}
	arena_reset(b->ev.arena);
	return STELE_OK;
}

/* $k+1 as the constant of its value (stele_prepare_params): typed values
 * as constants of their type, text of no type as an untyped literal (as
 * '...' would be), and, without values, a NULL of no type. */
static int bind_param_value(Binder *b, const Ast *a, uint32_t k, Expr **out, StErr *err)
{
	Datum d = {.type = STELE_TYPE_NONE, .null = true};
	bool untyped = false;
	if (b->param_mode == PARAMS_VALUES) {
		if (k >= b->nparam_vals)
			return bind_fail(&b->bc, a->pos, STELE_EINVAL, err, "there is no parameter $%u",
			                 k + 1);
		const stele_param *p = &b->param_vals[k];
		if (p->type > STELE_TYPE_INTERVAL)
			return failf(err, STELE_EINVAL, "parameter $%u has an unknown type %d", k + 1,
			             (int)p->type);
		d.type = (uint8_t)p->type;
		d.null = p->is_null;
		if (!p->is_null && (p->type == STELE_TYPE_NONE || p->type == STELE_TYPE_VARCHAR)) {
			char *s = bind_strdup(b, p->v.str.len ? p->v.str.ptr : "", p->v.str.len);
			if (!s)
				return NOMEM(err);
			d.type = STELE_TYPE_VARCHAR;
			d.v.s = (SqlStr){s, p->v.str.len};
			untyped = p->type == STELE_TYPE_NONE;
		} else if (!p->is_null && p->type == STELE_TYPE_BOOLEAN) {
			d.v.i = p->v.i64 != 0;
		} else if (!p->is_null) {
			d.v.u = p->v.u64;   /* one 8-byte word, whatever the type */
		}
	}
	*out = expr_const(b->bc.arena, &d, a->pos);
	if (!*out)
		return NOMEM(err);
	(*out)->untyped = untyped;
	return STELE_OK;
}

int bind_expr(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err)
{
	if (!a)
		return failf(err, STELE_EINVAL, "internal error: missing expression");
	if (++b->depth > MAX_DEPTH) {
		b->depth--;
		return bind_fail(&b->bc, a->pos, STELE_ELIMIT, err, "expression is nested too deeply");
	}
	int rc = STELE_OK;
	Expr *x, *y;
	switch (a->kind) {
	case A_INT:
	case A_FLOAT:
	case A_STR:
	case A_NULL:
	case A_BOOL:
		rc = bind_literal(b, a, out, err);
		break;
	case A_PARAM: {
		if (a->ival < 1 || a->ival > 65535) {
			rc = bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
			               "there is no parameter $%lld", (long long)a->ival);
			break;
		}
		uint32_t k = (uint32_t)a->ival - 1;
		if (k + 1 > b->nparams)
			b->nparams = k + 1;
		if (b->param_mode != PARAMS_LATE) {
			rc = bind_param_value(b, a, k, out, err);
			break;
		}
		uint8_t t = b->param_types && k < b->cx->nparams ? b->param_types[k] : STELE_TYPE_NONE;
		Expr *e = expr_new(b->bc.arena, E_PARAM, t == STELE_TYPE_NONE ? STELE_TYPE_VARCHAR : t,
		                   a->pos);
		if (!e) {
			rc = NOMEM(err);
			break;
		}
		e->col = k;
		e->untyped = t == STELE_TYPE_NONE;
		*out = e;
		break;
	}
	case A_TYPED_STR: {
		uint8_t t;
		rc = type_of(b, a->tname, &t, err);
		if (rc == STELE_OK)
			rc = bind_literal(b, &(Ast){.kind = A_STR, .text = a->text, .pos = a->pos}, &x, err);
		if (rc == STELE_OK)
			rc = bind_cast(&b->bc, x, t, true, out, err);
		break;
	}
	case A_COL:
		rc = bind_column(b, sc, a, out, err);
		break;
	case A_STAR:
		rc = bind_fail(&b->bc, a->pos, STELE_EINVAL, err, "* is not allowed here");
		break;
	case A_UNARY:
		rc = bind_expr(b, sc, a->a, &x, err);
		if (rc)
			break;
		if (a->op == '-') {
			rc = bind_negate(&b->bc, x, a->pos, out, err);
		} else if (!x->untyped && x->type != STELE_TYPE_NONE && !type_is_numeric(x->type) &&
		           x->type != STELE_TYPE_INTERVAL) {
			rc = bind_fail(&b->bc, a->pos, STELE_ETYPE, err, "operator does not exist: + %s",
			               func_type_sql_name(x->type));
		} else {
			rc = x->untyped ? bind_cast(&b->bc, x, STELE_TYPE_DOUBLE, false, out, err)
			                : STELE_OK;
			if (!x->untyped)
				*out = x;
		}
		break;
	case A_BINARY:
		rc = bind_expr(b, sc, a->a, &x, err);
		if (rc == STELE_OK)
			rc = bind_expr(b, sc, a->b, &y, err);
		if (rc == STELE_OK)
			rc = bind_binary(&b->bc, (BinOp)a->op, x, y, a->b ? a->b->pos : a->pos, out, err);
		if (rc == STELE_OK && a->b && (*out)->kind == E_FUNC)
			(*out)->pos = a->pos;
		break;
	case A_AND:
	case A_OR:
		rc = bind_logic(b, sc, a, out, err);
		break;
	case A_NOT:
		rc = bind_bool(b, sc, a->a, "NOT", &x, err);
		if (rc == STELE_OK)
			rc = new_node(b, E_NOT, STELE_TYPE_BOOLEAN, a->pos, &x, 1, out, err);
		break;
	case A_ISNULL:
		rc = bind_expr(b, sc, a->a, &x, err);
		if (rc == STELE_OK)
			rc = new_node(b, E_ISNULL, STELE_TYPE_BOOLEAN, a->pos, &x, 1, out, err);
		if (rc == STELE_OK)
			(*out)->neg = a->neg;
		break;
	case A_ISBOOL:
		rc = bind_expr(b, sc, a->a, &x, err);
		if (rc == STELE_OK)
			rc = bind_isbool(&b->bc, x, a->ival != 0, a->neg, a->pos, out, err);
		break;
	case A_DISTINCT_FROM:
		rc = bind_expr(b, sc, a->a, &x, err);
		if (rc == STELE_OK)
			rc = bind_expr(b, sc, a->b, &y, err);
		if (rc == STELE_OK)
			rc = bind_distinct_from(&b->bc, x, y, a->neg, a->pos, out, err);
		break;
	case A_BETWEEN: {
		Expr *lo, *hi, *ge, *le;
		rc = bind_expr(b, sc, a->a, &x, err);
		if (rc == STELE_OK)
			rc = bind_expr(b, sc, a->b, &lo, err);
		if (rc == STELE_OK)
			rc = bind_expr(b, sc, a->c, &hi, err);
		if (rc == STELE_OK)
			rc = bind_binary(&b->bc, OP_GE, x, lo, a->pos, &ge, err);
		if (rc == STELE_OK)
			rc = bind_binary(&b->bc, OP_LE, x, hi, a->pos, &le, err);
		if (rc)
			break;
		Expr *both[2] = {ge, le};
		rc = new_node(b, E_AND, STELE_TYPE_BOOLEAN, a->pos, both, 2, &x, err);
		if (rc == STELE_OK && a->neg)
			rc = new_node(b, E_NOT, STELE_TYPE_BOOLEAN, a->pos, &x, 1, &x, err);
		if (rc == STELE_OK)
			*out = x;
		break;
	}
	case A_IN:
		rc = bind_in(b, sc, a, out, err);
		break;
	case A_IN_SELECT:
		rc = bind_expr(b, sc, a->a, &x, err);
		if (rc == STELE_OK)
			rc = bind_sub(b, a, SUB_IN, x, out, err);
		break;
	case A_LIKE:
		rc = bind_expr(b, sc, a->a, &x, err);
		if (rc == STELE_OK)
			rc = bind_expr(b, sc, a->b, &y, err);
		if (rc == STELE_OK)
			rc = bind_like(&b->bc, x, y, a->ival != 0, a->neg, a->pos, out, err);
		break;
	case A_CASE:
		rc = bind_case(b, sc, a, out, err);
		break;
	case A_CAST: {
		uint8_t t;
		rc = type_of(b, a->tname, &t, err);
		if (rc == STELE_OK)
			rc = bind_expr(b, sc, a->a, &x, err);
		if (rc == STELE_OK)
			rc = bind_cast(&b->bc, x, t, true, out, err);
		break;
	}
	case A_FUNC:
		rc = bind_call(b, sc, a, out, err);
		break;
	case A_SUBQUERY:
		rc = bind_sub(b, a, SUB_SCALAR, NULL, out, err);
		break;
	case A_EXISTS:
		rc = bind_sub(b, a, SUB_EXISTS, NULL, out, err);
		break;
	default:
		rc = bind_fail(&b->bc, a->pos, STELE_EINVAL, err, "unsupported expression");
	}
	b->depth--;
	if (rc == STELE_OK)
		rc = fold(b, out, err);
	return rc;
}

/* ---- rewriting over grouped output ---- */

static int rewrite(Binder *b, Expr **pe, Expr **groups, uint32_t ngroups, const AggCtx *ac,
                   StErr *err)
{
	Expr *e = *pe;
	for (uint32_t k = 0; k < ngroups; k++)
		if (expr_equal(e, groups[k])) {
			Expr *c = expr_col(b->bc.arena, k, e->type, e->kind == E_COL ? e->name : NULL,
			                   e->pos);
			if (!c)
				return NOMEM(err);
			*pe = c;
			return STELE_OK;
		}
	if (e->kind == E_AGG) {
		Expr *c = expr_col(b->bc.arena, ngroups + e->col, e->type, e->agg->name, e->pos);
		if (!c)
			return NOMEM(err);
		*pe = c;
		return STELE_OK;
	}
	if (e->kind == E_COL)
		return bind_fail(&b->bc, e->pos, STELE_EINVAL, err,
		                 "column \"%s\" must appear in the GROUP BY clause or be used in an "
		                 "aggregate function",
		                 e->name ? e->name : "?");
	if (e->kind == E_WINDOW)
		return STELE_OK;
	if (e->nargs) {
		/* Copy before changing: the node may be shared. */
		Expr *c = arena_alloc(b->bc.arena, sizeof *c);
		Expr **args = arena_alloc(b->bc.arena, e->nargs * sizeof *args);
		if (!c || !args)
			return NOMEM(err);
		*c = *e;
		memcpy(args, e->args, e->nargs * sizeof *args);
		c->args = args;
		for (uint32_t i = 0; i < c->nargs; i++) {
			int rc = rewrite(b, &c->args[i], groups, ngroups, ac, err);
			if (rc)
				return rc;
		}
		*pe = c;
	}
	return STELE_OK;
}

int bind_rewrite_grouped(Binder *b, Expr **e, Expr **groups, uint32_t ngroups,
                         const AggCtx *ac, StErr *err)
{
	return rewrite(b, e, groups, ngroups, ac, err);
}

/* ---- syntax checks ---- */

static bool has_kind(const Ast *a, bool want_window);

static bool list_has(const AstList *l, bool want_window)
{
	for (uint32_t i = 0; l && i < l->n; i++)
		if (has_kind(l->v[i], want_window))
			return true;
	return false;
}

static bool has_kind(const Ast *a, bool want_window)
{
	if (!a)
		return false;
	if (a->kind == A_FUNC) {
		char name[64];
		uint32_t n = a->text.n < sizeof name - 1 ? a->text.n : (uint32_t)sizeof name - 1;
		for (uint32_t i = 0; i < n; i++)
			name[i] = (char)(a->text.z[i] >= 'A' && a->text.z[i] <= 'Z' ? a->text.z[i] + 32
			                                                           : a->text.z[i]);
		name[n] = '\0';
		if (a->fn && a->fn->over) {
			if (want_window)
				return true;
			/* An aggregate over a window is not a grouping aggregate,
			 * but its arguments may hold one. */
			return list_has(a->list, false);
		}
		if (!want_window && agg_lookup(name))
			return true;
	}
	if (a->kind == A_SUBQUERY || a->kind == A_EXISTS || a->kind == A_IN_SELECT)
		return a->kind == A_IN_SELECT && has_kind(a->a, want_window);
	if (has_kind(a->a, want_window) || has_kind(a->b, want_window) ||
	    has_kind(a->c, want_window))
		return true;
	if (a->kind == A_CASE || a->kind == A_IN || a->kind == A_FUNC)
		return list_has(a->list, want_window);
	if (a->kind == A_WHEN)
		return false;
	return false;
}

bool bind_has_agg(const Ast *a) { return has_kind(a, false); }
bool bind_has_window(const Ast *a) { return has_kind(a, true); }
