/* bind.c - binding queries: WITH, UNION ALL, FROM (tables, subqueries,
 * joins, catalog views), WHERE with pushdown, GROUP BY and aggregates,
 * HAVING, window functions, DISTINCT [ON], ORDER BY, LIMIT/OFFSET (see
 * bind.h for the rules). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/bind.h"
#include "sql/sqltime.h"
#include "storage/db.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory binding a statement")
#define MAX_QUERY_DEPTH 64

int bind_init(Binder *b, stele_db *db, ExecCtx *cx, Arena *arena, const char *sql, StErr *err)
{
	memset(b, 0, sizeof *b);
	b->db = db;
	b->cx = cx;
	b->bc.arena = arena;
	b->bc.sql = sql;
	b->bc.ev = &b->ev;
	b->ev.arena = arena_alloc(arena, sizeof(Arena));
	if (!b->ev.arena)
		return NOMEM(err);
	memset(b->ev.arena, 0, sizeof(Arena));
	b->ev.now_ns = cx->now_ns;
	b->ev.params = cx->params;
	b->ev.nparams = cx->nparams;
	b->ev.exec = cx;
	if (db) {
		pthread_mutex_lock(&db->mu);
		int rc = catalog_copy(&db->cat, &b->cat, err);
		pthread_mutex_unlock(&db->mu);
		if (rc)
			return rc;
		b->have_cat = true;
	}
	return STELE_OK;
}

void bind_free(Binder *b)
{
	if (b->have_cat)
		catalog_free(&b->cat);
	b->have_cat = false;
	if (b->ev.arena)
		arena_free(b->ev.arena);
}

/* ---- the names a statement mentions ---- */

static void note_name(Binder *b, const char *z, uint32_t n)
{
	for (uint32_t i = 0; i < b->nnames; i++)
		if (strlen(b->names[i]) == n && memcmp(b->names[i], z, n) == 0)
			return;
	if (b->nnames == b->capnames) {
		uint32_t cap = b->capnames ? b->capnames * 2 : 16;
		const char **v = arena_alloc(b->bc.arena, cap * sizeof *v);
		if (!v) {
			b->any_star = true; /* fall back to reading everything */
			return;
		}
		if (b->nnames)
			memcpy(v, b->names, b->nnames * sizeof *v);
		b->names = v;
		b->capnames = cap;
	}
	char *s = bind_strdup(b, z, n);
	if (!s) {
		b->any_star = true;
		return;
	}
	b->names[b->nnames++] = s;
}

static void names_query(Binder *b, const Query *q);

static void names_ast(Binder *b, const Ast *a)
{
	if (!a)
		return;
	switch (a->kind) {
	case A_COL:
		note_name(b, a->name.z, a->name.n);
		break;
	case A_STAR:
		b->any_star = true;
		break;
	default:
		break;
	}
	names_ast(b, a->a);
	names_ast(b, a->b);
	names_ast(b, a->c);
	if (a->list)
		for (uint32_t i = 0; i < a->list->n; i++)
			names_ast(b, a->list->v[i]);
	if (a->fn) {
		names_ast(b, a->fn->filter);
		if (a->fn->within)
			for (uint32_t i = 0; i < a->fn->within->n; i++)
				names_ast(b, ((OrderItem *)a->fn->within->v[i])->e);
		if (a->fn->over) {
			const AstWindow *w = a->fn->over;
			for (uint32_t i = 0; w->partition && i < w->partition->n; i++)
				names_ast(b, w->partition->v[i]);
			for (uint32_t i = 0; w->order && i < w->order->n; i++)
				names_ast(b, ((OrderItem *)w->order->v[i])->e);
		}
		/* first(x, ts) and friends name ts; count(*) names nothing. */
	}
	if (a->query)
		names_query(b, a->query);
}

static void names_from(Binder *b, const FromItem *f)
{
	if (!f)
		return;
	if (f->kind == F_SUBQUERY)
		names_query(b, f->query);
	if (f->kind == F_JOIN) {
		names_from(b, f->left);
		names_from(b, f->right);
		names_ast(b, f->on);
		if (f->using_)
			for (uint32_t i = 0; i < f->using_->n; i++) {
				const Token *t = f->using_->v[i];
				note_name(b, t->z, t->n);
			}
	}
}

static void names_query(Binder *b, const Query *q)
{
	if (!q)
		return;
	if (q->with)
		for (uint32_t i = 0; i < q->with->n; i++)
			names_query(b, ((Cte *)q->with->v[i])->query);
	names_query(b, q->left);
	names_query(b, q->right);
	if (q->order)
		for (uint32_t i = 0; i < q->order->n; i++)
			names_ast(b, ((OrderItem *)q->order->v[i])->e);
	const SelectCore *c = q->core;
	if (!c)
		return;
	for (uint32_t i = 0; c->targets && i < c->targets->n; i++)
		names_ast(b, ((Target *)c->targets->v[i])->e);
	for (uint32_t i = 0; c->distinct_on && i < c->distinct_on->n; i++)
		names_ast(b, c->distinct_on->v[i]);
	names_from(b, c->from);
	names_ast(b, c->where);
	for (uint32_t i = 0; c->group && i < c->group->n; i++)
		names_ast(b, c->group->v[i]);
	names_ast(b, c->having);
	for (uint32_t i = 0; c->values && i < c->values->n; i++) {
		const AstList *row = c->values->v[i];
		for (uint32_t k = 0; k < row->n; k++)
			names_ast(b, row->v[k]);
	}
}

void bind_collect_names(Binder *b, const Stmt *s)
{
	if (s->query)
		names_query(b, s->query);
	names_ast(b, s->where);
	if (s->inner)
		bind_collect_names(b, s->inner);
}

static bool name_used(const Binder *b, const char *name)
{
	if (b->any_star)
		return true;
	for (uint32_t i = 0; i < b->nnames; i++)
		if (strcmp(b->names[i], name) == 0)
			return true;
	return false;
}

/* ---- FROM ---- */

static char *tokdup(Binder *b, const Token *t) { return bind_strdup(b, t->z, t->n); }

/* Renames the first columns of a relation (alias(c1, c2, ...)). */
static int rename_cols(Binder *b, Rel *r, const AstList *names, const char *rel, uint32_t pos,
                       StErr *err)
{
	if (!names)
		return STELE_OK;
	if (names->n > r->ncols)
		return bind_fail(&b->bc, pos, STELE_EINVAL, err,
		                 "table \"%s\" has %u columns available but %u columns specified",
		                 rel ? rel : "?", r->ncols, names->n);
	for (uint32_t i = 0; i < names->n; i++) {
		const Token *t = names->v[i];
		char *n = bind_strdup(b, t->z, t->n);
		if (!n)
			return NOMEM(err);
		r->cols[i].name = n;
	}
	return STELE_OK;
}

static int bind_table(Binder *b, const FromItem *f, Rel *out, StErr *err)
{
	char *name = tokdup(b, &f->name);
	const char *alias = f->alias.n ? tokdup(b, &f->alias) : name;
	if (!name || !alias)
		return NOMEM(err);
	if (f->schema.n) {
		char *schema = tokdup(b, &f->schema);
		if (!schema)
			return NOMEM(err);
		bool found;
		int rc = sysview_rel(b, schema, name, alias, out, &found, err);
		if (rc || found)
			return rc;
		if (strcmp(schema, "public") != 0)
			return bind_fail(&b->bc, f->pos, STELE_ENOENT, err,
			                 "relation \"%s.%s\" does not exist", schema, name);
	} else {
		/* A CTE of that name, innermost first. */
		for (uint32_t i = b->nctes; i-- > 0;) {
			if (strcmp(b->ctes[i].name, name) != 0)
				continue;
			uint32_t saved = b->nctes;
			b->nctes = b->ctes[i].depth; /* its body sees earlier CTEs only */
			BoundQuery bq;
			int rc = bind_query(b, b->ctes[i].query, &bq, err);
			b->nctes = saved;
			if (rc)
				return rc;
			out->op = bq.op;
			out->ncols = bq.ncols;
			out->cols = arena_alloc(b->bc.arena, (bq.ncols + 1) * sizeof *out->cols);
			if (!out->cols)
				return NOMEM(err);
			for (uint32_t k = 0; k < bq.ncols; k++)
				out->cols[k] = (BCol){alias, bq.names[k], bq.types[k], k};
			out->scan = NULL;
			rc = rename_cols(b, out, b->ctes[i].colnames, name, f->pos, err);
			if (rc == STELE_OK)
				rc = rename_cols(b, out, f->colnames, alias, f->pos, err);
			return rc;
		}
		bool found;
		int rc = sysview_rel(b, NULL, name, alias, out, &found, err);
		if (rc || found)
			return rc;
	}
	const Table *t = b->have_cat ? catalog_find(&b->cat, name, strlen(name)) : NULL;
	if (!t)
		return bind_fail(&b->bc, f->pos, STELE_ENOENT, err, "relation \"%s\" does not exist",
		                 name);
	ScanPlan *sp = arena_alloc(b->bc.arena, sizeof *sp);
	if (!sp)
		return NOMEM(err);
	memset(sp, 0, sizeof *sp);
	sp->table = t->id;
	sp->table_name = name;
	sp->tmin = INT64_MIN;
	sp->tmax = INT64_MAX;
	sp->kind = arena_alloc(b->bc.arena, t->ncols + 1);
	sp->src = arena_alloc(b->bc.arena, (t->ncols + 1) * sizeof *sp->src);
	sp->types = arena_alloc(b->bc.arena, t->ncols + 1);
	sp->col_names = arena_alloc(b->bc.arena, (t->ncols + 1) * sizeof *sp->col_names);
	out->cols = arena_alloc(b->bc.arena, (t->ncols + 1) * sizeof *out->cols);
	if (!sp->kind || !sp->src || !sp->types || !sp->col_names || !out->cols)
		return NOMEM(err);
	uint32_t n = 0;
	for (uint32_t c = 0; c < t->ncols; c++) {
		const Column *col = &t->cols[c];
		if (!name_used(b, col->name))
			continue;
		sp->kind[n] = col->kind == COL_TIME ? SCAN_TS : col->kind == COL_TAG ? SCAN_TAG
		                                                                   : SCAN_FIELD;
		sp->src[n] = col->kind == COL_TAG ? col->tagord : c;
		sp->types[n] = col->type;
		char *cn = bind_strdup(b, col->name, col->len);
		if (!cn)
			return NOMEM(err);
		out->cols[n] = (BCol){alias, cn, col->type, n};
		sp->col_names[n] = cn;
		n++;
	}
	sp->ncols = n;
	out->ncols = n;
	out->scan = sp;
	out->op = op_scan(b->cx, sp);
	if (!out->op)
		return NOMEM(err);
	if (f->colnames)
		return bind_fail(&b->bc, f->pos, STELE_EINVAL, err,
		                 "column aliases are not supported on table \"%s\"", name);
	return STELE_OK;
}


/* Splits an ON condition's conjuncts into equality keys (one side over
 * the left columns, the other over the right) and the rest. */
static bool refs_only(const Expr *e, uint32_t lo, uint32_t hi)
{
	if (e->kind == E_COL)
		return e->col >= lo && e->col < hi;
	if (e->kind == E_SUBQ || e->kind == E_IN_SUBQ || e->kind == E_EXISTS)
		return e->nargs == 0 || refs_only(e->args[0], lo, hi);
	for (uint32_t i = 0; i < e->nargs; i++)
		if (!refs_only(e->args[i], lo, hi))
			return false;
	return true;
}

static int shift_cols(Binder *b, Expr **pe, uint32_t by, StErr *err)
{
	Expr *e = *pe;
	Expr *c = arena_alloc(b->bc.arena, sizeof *c);
	if (!c)
		return NOMEM(err);
	*c = *e;
	if (c->kind == E_COL)
		c->col -= by;
	if (c->nargs) {
		c->args = arena_alloc(b->bc.arena, c->nargs * sizeof *c->args);
		if (!c->args)
			return NOMEM(err);
		for (uint32_t i = 0; i < c->nargs; i++) {
			c->args[i] = e->args[i];
			int rc = shift_cols(b, &c->args[i], by, err);
			if (rc)
				return rc;
		}
	}
	*pe = c;
	return STELE_OK;
}

static int bind_join(Binder *b, const FromItem *f, Rel *out, StErr *err)
{
	Rel l, r;
	int rc = bind_from(b, f->left, &l, err);
	if (rc == STELE_OK)
		rc = bind_from(b, f->right, &r, err);
	if (rc)
		return rc;
	uint32_t n = l.ncols + r.ncols;
	out->cols = arena_alloc(b->bc.arena, (n + 1) * sizeof *out->cols);
	if (!out->cols)
		return NOMEM(err);
	for (uint32_t i = 0; i < l.ncols; i++) {
		out->cols[i] = l.cols[i];
		out->cols[i].idx = i;
	}
	for (uint32_t i = 0; i < r.ncols; i++) {
		out->cols[l.ncols + i] = r.cols[i];
		out->cols[l.ncols + i].idx = l.ncols + i;
	}
	out->ncols = n;
	out->scan = NULL;
	JoinPlan *jp = arena_alloc(b->bc.arena, sizeof *jp);
	if (!jp)
		return NOMEM(err);
	memset(jp, 0, sizeof *jp);
	switch (f->join) {
	case J_LEFT: jp->type = JOIN_LEFT; break;
	case J_CROSS: jp->type = JOIN_CROSS; break;
	case J_ASOF: jp->type = JOIN_ASOF; break;
	case J_ASOF_LEFT: jp->type = JOIN_ASOF_LEFT; break;
	default: jp->type = JOIN_INNER; break;
	}
	if (jp->type != JOIN_CROSS && !f->on && !f->using_)
		return bind_fail(&b->bc, f->pos, STELE_EPARSE, err,
		                 "syntax error: JOIN needs ON or USING");
	Scope sc = {out->cols, n, NULL};
	/* Conjuncts of the condition. */
	Expr *cond = NULL;
	Expr **conj = NULL;
	uint32_t nconj = 0;
	if (f->on) {
		rc = bind_pred(b, &sc, f->on, "JOIN/ON", &cond, err);
		if (rc)
			return rc;
		if (cond->kind == E_AND) {
			conj = cond->args;
			nconj = cond->nargs;
		} else {
			conj = &cond;
			nconj = 1;
		}
	} else if (f->using_) {
		nconj = f->using_->n;
		conj = arena_alloc(b->bc.arena, (nconj + 1) * sizeof *conj);
		if (!conj)
			return NOMEM(err);
		for (uint32_t i = 0; i < nconj; i++) {
			const Token *t = f->using_->v[i];
			Scope ls = {l.cols, l.ncols, NULL}, rs = {r.cols, r.ncols, NULL};
			Ast ca = {.kind = A_COL, .name = *t, .pos = t->pos};
			Expr *le, *re;
			rc = bind_expr(b, &ls, &ca, &le, err);
			if (rc == STELE_OK)
				rc = bind_expr(b, &rs, &ca, &re, err);
			if (rc)
				return rc;
			re->col += l.ncols;
			rc = bind_binary(&b->bc, OP_EQ, le, re, t->pos, &conj[i], err);
			if (rc)
				return rc;
		}
	}
	jp->lkeys = arena_alloc(b->bc.arena, (nconj + 1) * sizeof *jp->lkeys);
	jp->rkeys = arena_alloc(b->bc.arena, (nconj + 1) * sizeof *jp->rkeys);
	Expr **rest = arena_alloc(b->bc.arena, (nconj + 1) * sizeof *rest);
	if (!jp->lkeys || !jp->rkeys || !rest)
		return NOMEM(err);
	uint32_t nrest = 0;
	bool asof = jp->type == JOIN_ASOF || jp->type == JOIN_ASOF_LEFT;
	for (uint32_t i = 0; i < nconj; i++) {
		Expr *c = conj[i];
		bool is_cmp = c->kind == E_FUNC && c->nargs == 2 && c->name;
		if (is_cmp) {
			Expr *x = c->args[0], *y = c->args[1];
			bool xl = refs_only(x, 0, l.ncols) && expr_has_cols(x);
			bool yr = refs_only(y, l.ncols, n) && expr_has_cols(y);
			bool xr = refs_only(x, l.ncols, n) && expr_has_cols(x);
			bool yl = refs_only(y, 0, l.ncols) && expr_has_cols(y);
			const char *op = c->name;
			if ((xl && yr) || (xr && yl)) {
				Expr *le = xl ? x : y, *re = xl ? y : x;
				if (strcmp(op, "=") == 0) {
					rc = shift_cols(b, &re, l.ncols, err);
					if (rc)
						return rc;
					jp->lkeys[jp->nkeys] = le;
					jp->rkeys[jp->nkeys++] = re;
					continue;
				}
				if (asof && !jp->lts && le->type == STELE_TYPE_TIMESTAMP &&
				    (strcmp(op, ">=") == 0 || strcmp(op, ">") == 0 || strcmp(op, "<=") == 0 ||
				     strcmp(op, "<") == 0)) {
					/* Normalise to "left OP right". */
					bool ge = op[0] == '>';
					if (!xl)
						ge = !ge;
					rc = shift_cols(b, &re, l.ncols, err);
					if (rc)
						return rc;
					jp->lts = le;
					jp->rts = re;
					jp->asof_ge = ge;
					jp->asof_strict = op[1] == '\0';
					continue;
				}
			}
		}
		rest[nrest++] = c;
	}
	if (asof && !jp->lts)
		return bind_fail(&b->bc, f->pos, STELE_EINVAL, err,
		                 "ASOF JOIN needs a condition like left.ts >= right.ts");
	if (asof && nrest)
		return bind_fail(&b->bc, rest[0]->pos, STELE_EINVAL, err,
		                 "ASOF JOIN conditions must be equalities and one time comparison");
	if (nrest == 1) {
		jp->residual = rest[0];
	} else if (nrest > 1) {
		jp->residual = expr_new(b->bc.arena, E_AND, STELE_TYPE_BOOLEAN, rest[0]->pos);
		if (!jp->residual)
			return NOMEM(err);
		jp->residual->args = rest;
		jp->residual->nargs = nrest;
	}
	out->op = op_join(b->cx, l.op, r.op, jp);
	return out->op ? STELE_OK : NOMEM(err);
}

int bind_from(Binder *b, const FromItem *f, Rel *out, StErr *err)
{
	memset(out, 0, sizeof *out);
	switch (f->kind) {
	case F_TABLE:
		return bind_table(b, f, out, err);
	case F_SUBQUERY: {
		BoundQuery bq;
		int rc = bind_query(b, f->query, &bq, err);
		if (rc)
			return rc;
		const char *alias = f->alias.n ? tokdup(b, &f->alias) : NULL;
		out->op = bq.op;
		out->ncols = bq.ncols;
		out->cols = arena_alloc(b->bc.arena, (bq.ncols + 1) * sizeof *out->cols);
		if (!out->cols)
			return NOMEM(err);
		for (uint32_t k = 0; k < bq.ncols; k++)
			out->cols[k] = (BCol){alias, bq.names[k], bq.types[k], k};
		return rename_cols(b, out, f->colnames, alias, f->pos, err);
	}
	case F_JOIN:
		return bind_join(b, f, out, err);
	default:
		return failf(err, STELE_EINVAL, "internal error: bad FROM item");
	}
}

/* ---- SELECT ---- */

/* The name PostgreSQL gives an output column without an alias. */
static const char *target_name(Binder *b, const Ast *a)
{
	switch (a->kind) {
	case A_COL:
		return bind_strdup(b, a->name.z, a->name.n);
	case A_FUNC: {
		char *s = bind_strdup(b, a->text.z, a->text.n);
		for (char *c = s; c && *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c + 32);
		if (s && strcmp(s, "date_part") == 0 && a->list && a->list->n == 2 &&
		    a->pos < UINT32_MAX && b->bc.sql && strncasecmp(b->bc.sql + a->pos, "extract", 7) == 0)
			return "extract";
		if (s && strcmp(s, "substr") == 0 && b->bc.sql &&
		    strncasecmp(b->bc.sql + a->pos, "substring", 9) == 0)
			return "substring";
		return s;
	}
	case A_CAST:
		if (a->a && (a->a->kind == A_COL || a->a->kind == A_FUNC || a->a->kind == A_CAST))
			return target_name(b, a->a);
		return a->tname ? a->tname->name : "?column?";
	case A_TYPED_STR:
		return a->tname ? a->tname->name : "?column?";
	case A_CASE:
		return "case";
	case A_EXISTS:
		return "exists";
	case A_BOOL:
		return "bool";
	case A_SUBQUERY: {
		const Query *q = a->query;
		while (q && !q->core && q->left)
			q = q->left;
		if (q && q->core && q->core->targets && q->core->targets->n == 1) {
			const Target *t = q->core->targets->v[0];
			if (t->alias.n)
				return bind_strdup(b, t->alias.z, t->alias.n);
			return target_name(b, t->e);
		}
		return "?column?";
	}
	default:
		return "?column?";
	}
}

static int out_add(Binder *b, BindOut *o, Expr *e, const char *name, StErr *err)
{
	if (o->n == o->cap) {
		uint32_t cap = o->cap ? o->cap * 2 : 16;
		Expr **ne = arena_alloc(b->bc.arena, cap * sizeof *ne);
		char **nn = arena_alloc(b->bc.arena, cap * sizeof *nn);
		if (!ne || !nn)
			return NOMEM(err);
		if (o->n) {
			memcpy(ne, o->e, o->n * sizeof *ne);
			memcpy(nn, o->names, o->n * sizeof *nn);
		}
		o->e = ne;
		o->names = nn;
		o->cap = cap;
	}
	o->e[o->n] = e;
	o->names[o->n++] = (char *)name;
	return STELE_OK;
}

/* Expands the targets (with * and t.*) into bound expressions. */
static int bind_targets(Binder *b, const SelectCore *c, const Scope *sc, BindOut *o, StErr *err)
{
	for (uint32_t i = 0; i < c->targets->n; i++) {
		const Target *t = c->targets->v[i];
		if (t->e->kind == A_STAR) {
			const Ast *s = t->e;
			bool any = false;
			for (uint32_t k = 0; k < sc->ncols; k++) {
				const BCol *col = &sc->cols[k];
				if (s->qual.n && (!col->rel || strlen(col->rel) != s->qual.n ||
				                  memcmp(col->rel, s->qual.z, s->qual.n) != 0))
					continue;
				Expr *e = expr_col(b->bc.arena, col->idx, col->type, col->name, s->pos);
				if (!e)
					return NOMEM(err);
				int rc = out_add(b, o, e, col->name, err);
				if (rc)
					return rc;
				any = true;
			}
			if (!any && s->qual.n)
				return bind_fail(&b->bc, s->pos, STELE_ENOENT, err,
				                 "missing FROM-clause entry for table \"%.*s\"", (int)s->qual.n,
				                 s->qual.z);
			if (!any && sc->ncols == 0 && !s->qual.n)
				return bind_fail(&b->bc, s->pos, STELE_EINVAL, err,
				                 "SELECT * with no tables specified is not valid");
			continue;
		}
		Expr *e;
		int rc = bind_expr(b, sc, t->e, &e, err);
		if (rc)
			return rc;
		if (e->untyped) {
			/* An unknown literal in the output is text. */
			rc = bind_cast(&b->bc, e, STELE_TYPE_VARCHAR, false, &e, err);
			if (rc)
				return rc;
		}
		const char *name = t->alias.n ? tokdup(b, &t->alias) : target_name(b, t->e);
		if (!name)
			return NOMEM(err);
		rc = out_add(b, o, e, name, err);
		if (rc)
			return rc;
	}
	o->nvisible = o->n;
	return STELE_OK;
}

/* Output column k (0-based) that an ORDER BY / GROUP BY item names by
 * ordinal or output name, or -1. For GROUP BY, input columns win. */
static int out_ref(Binder *b, const BindOut *o, const Ast *a, const Scope *sc, bool group,
                   StErr *err, int *rc)
{
	*rc = STELE_OK;
	if (a->kind == A_INT) {
		long k = strtol(a->text.z, NULL, 10);
		if (k < 1 || k > (long)o->nvisible) {
			*rc = bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
			                "%s position %ld is not in select list",
			                group ? "GROUP BY" : "ORDER BY", k);
			return -1;
		}
		return (int)k - 1;
	}
	if (a->kind != A_COL || a->qual.n)
		return -1;
	if (group) {
		for (uint32_t i = 0; i < sc->ncols; i++)
			if (strlen(sc->cols[i].name) == a->name.n &&
			    memcmp(sc->cols[i].name, a->name.z, a->name.n) == 0)
				return -1;
	}
	int hit = -1;
	for (uint32_t i = 0; i < o->nvisible; i++) {
		if (strlen(o->names[i]) != a->name.n || memcmp(o->names[i], a->name.z, a->name.n) != 0)
			continue;
		if (hit >= 0 && !expr_equal(o->e[hit], o->e[i])) {
			*rc = bind_fail(&b->bc, a->pos, STELE_EINVAL, err,
			                "ORDER BY \"%.*s\" is ambiguous", (int)a->name.n, a->name.z);
			return -1;
		}
		if (hit < 0)
			hit = (int)i;
	}
	return hit;
}

/* Does e use an aggregate (E_AGG) anywhere? */
static bool uses_agg(const Expr *e)
{
	if (e->kind == E_AGG)
		return true;
	for (uint32_t i = 0; i < e->nargs; i++)
		if (uses_agg(e->args[i]))
			return true;
	return false;
}

int bind_window_call(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err);
int bind_windows(Binder *b, Op **op, uint32_t *ncols_in, AggCtx *ac, BindOut *o, Expr **groups,
                 uint32_t ngroups, bool grouped, StErr *err);

/* Plans the gap filling of a grouping whose key k is time_bucket_gapfill:
 * the buckets come from its start and finish, or from the time range
 * pushed into a scan of one table (WHERE ts >= ... AND ts < ...); every
 * other group key becomes a column of the output (hidden if need be) to
 * fill gaps per group; columns that are locf(...) or interpolate(...)
 * are filled so, the others with NULL. */
static int bind_gapfill(Binder *b, const Rel *from, Expr **groups, uint32_t ngroups, uint32_t k,
                        BindOut *o, GapfillPlan **out, StErr *err)
{
	const GapfillArgs *ga = groups[k]->aux;
	GapfillPlan *gp = arena_alloc(b->bc.arena, sizeof *gp);
	if (!gp)
		return NOMEM(err);
	memset(gp, 0, sizeof *gp);
	gp->width = ga->width;
	gp->origin = SQLTIME_BUCKET_ORIGIN;
	int64_t start = ga->start, finish = ga->finish;
	if (start == INT64_MIN && from->scan && from->scan->tmin != INT64_MIN)
		start = from->scan->tmin;
	if (finish == INT64_MIN && from->scan && from->scan->tmax != INT64_MAX)
		finish = from->scan->tmax + 1;
	if (start == INT64_MIN || finish == INT64_MIN)
		return bind_fail(&b->bc, groups[k]->pos, STELE_EINVAL, err,
		                 "time_bucket_gapfill needs a start and a finish: give them as "
		                 "arguments, or bound ts in WHERE (ts >= ... AND ts < ...)");
	StErr berr;
	if (sqltime_bucket(gp->width, start, gp->origin, &gp->start, &berr))
		return bind_fail(&b->bc, groups[k]->pos, berr.code, err, "%s", berr.msg);
	gp->finish = finish;
	/* The output columns of the group keys. */
	gp->group_cols = arena_alloc(b->bc.arena, (ngroups + 1) * sizeof *gp->group_cols);
	if (!gp->group_cols)
		return NOMEM(err);
	for (uint32_t j = 0; j < ngroups; j++) {
		int col = -1;
		for (uint32_t i = 0; i < o->n && col < 0; i++)
			if (o->e[i]->kind == E_COL && o->e[i]->col == j)
				col = (int)i;
		if (col < 0) {
			Expr *c = expr_col(b->bc.arena, j, groups[j]->type, NULL, groups[j]->pos);
			if (!c || out_add(b, o, c, NULL, err))
				return NOMEM(err);
			col = (int)o->n - 1;
		}
		if (j == k)
			gp->bucket_col = (uint32_t)col;
		else
			gp->group_cols[gp->ngroup++] = (uint32_t)col;
	}
	gp->fill = arena_alloc(b->bc.arena, o->n + 1);
	if (!gp->fill)
		return NOMEM(err);
	for (uint32_t i = 0; i < o->n; i++) {
		int m = func_fill_mode(o->e[i]);
		gp->fill[i] = m == 1 ? FILL_LOCF : m == 2 ? FILL_INTERPOLATE : FILL_NULL;
	}
	for (uint32_t j = 0; j < gp->ngroup; j++)
		gp->fill[gp->group_cols[j]] = FILL_KEY;
	*out = gp;
	return STELE_OK;
}

typedef struct SortSpec {
	SortKey *keys;
	uint32_t n;
	char *note;
} SortSpec;

static int bind_select(Binder *b, const SelectCore *c, const AstList *order, const Ast *limit,
                       const Ast *offset, BoundQuery *bq, StErr *err)
{
	int rc;
	Rel from = {0};
	if (c->values) {
		/* VALUES (...), (...): a relation of constants. */
		uint32_t nrows = c->values->n;
		uint32_t ncols = ((AstList *)c->values->v[0])->n;
		Expr ***rows = arena_alloc(b->bc.arena, nrows * sizeof *rows);
		if (!rows)
			return NOMEM(err);
		Scope none = {NULL, 0, NULL};
		for (uint32_t r = 0; r < nrows; r++) {
			const AstList *row = c->values->v[r];
			if (row->n != ncols)
				return bind_fail(&b->bc, ((Ast *)row->v[0])->pos, STELE_EINVAL, err,
				                 "VALUES lists must all be the same length");
			rows[r] = arena_alloc(b->bc.arena, ncols * sizeof **rows);
			if (!rows[r])
				return NOMEM(err);
			for (uint32_t k = 0; k < ncols; k++) {
				rc = bind_expr(b, &none, row->v[k], &rows[r][k], err);
				if (rc)
					return rc;
			}
		}
		uint8_t *types = arena_alloc(b->bc.arena, ncols + 1);
		char **names = arena_alloc(b->bc.arena, (ncols + 1) * sizeof *names);
		Expr **col = arena_alloc(b->bc.arena, (nrows + 1) * sizeof *col);
		if (!types || !names || !col)
			return NOMEM(err);
		for (uint32_t k = 0; k < ncols; k++) {
			for (uint32_t r = 0; r < nrows; r++)
				col[r] = rows[r][k];
			rc = bind_common_type(&b->bc, col, nrows, "VALUES", c->pos, &types[k], err);
			if (rc)
				return rc;
			if (types[k] == STELE_TYPE_NONE)
				types[k] = STELE_TYPE_VARCHAR;
			for (uint32_t r = 0; r < nrows; r++) {
				rc = bind_cast(&b->bc, col[r], types[k], false, &rows[r][k], err);
				if (rc)
					return rc;
			}
			char nm[32];
			snprintf(nm, sizeof nm, "column%u", k + 1);
			names[k] = bind_strdup(b, nm, strlen(nm));
		}
		bq->op = op_values(b->cx, ncols, types, rows, nrows);
		bq->ncols = ncols;
		bq->names = names;
		bq->types = types;
		if (!bq->op)
			return NOMEM(err);
		if (order || limit || offset) {
			/* Sort and limit by output column, as for a union. */
			return STELE_OK;
		}
		return STELE_OK;
	}
	if (c->from) {
		rc = bind_from(b, c->from, &from, err);
		if (rc)
			return rc;
	}
	Scope sc = {from.cols, from.ncols, NULL};
	Op *op = from.op;
	bool where_filtered = false;
	Expr *where_pred = NULL;

	/* WHERE: no aggregates; pushed into a bare scan where it can be. */
	if (c->where) {
		AggCtx none = {.allowed = false, .where = "WHERE"};
		Scope ws = sc;
		ws.agg = &none;
		Expr *pred;
		rc = bind_pred(b, &ws, c->where, "WHERE", &pred, err);
		if (rc)
			return rc;
		if (from.scan) {
			rc = bind_pushdown(b, &from, pred, &pred, err);
			if (rc)
				return rc;
		}
		if (pred) {
			where_filtered = true;
			where_pred = pred;
			op = op ? op_filter(b->cx, op, pred) : NULL;
			if (!op)
				return c->from ? NOMEM(err)
				               : bind_fail(&b->bc, c->where->pos, STELE_EINVAL, err,
				                           "WHERE needs a FROM clause");
		}
	}

	/* Targets, with aggregates and window calls collected. */
	bool grouped = c->group != NULL || c->having != NULL;
	for (uint32_t i = 0; !grouped && i < c->targets->n; i++)
		grouped = bind_has_agg(((Target *)c->targets->v[i])->e);
	for (uint32_t i = 0; !grouped && order && i < order->n; i++)
		grouped = bind_has_agg(((OrderItem *)order->v[i])->e);
	AggCtx ac = {.allowed = true, .where = NULL, .wins_allowed = true};
	Scope ts = sc;
	ts.agg = &ac;
	BindOut o = {0};
	rc = bind_targets(b, c, &ts, &o, err);
	if (rc)
		return rc;

	/* GROUP BY keys: input columns, ordinals, output names, or
	 * expressions. */
	uint32_t ngroups = c->group ? c->group->n : 0;
	Expr **groups = arena_alloc(b->bc.arena, (ngroups + 1) * sizeof *groups);
	if (!groups)
		return NOMEM(err);
	AggCtx gnone = {.allowed = false, .where = "GROUP BY"};
	Scope gs = sc;
	gs.agg = &gnone;
	for (uint32_t i = 0; i < ngroups; i++) {
		const Ast *g = c->group->v[i];
		int k = out_ref(b, &o, g, &sc, true, err, &rc);
		if (rc)
			return rc;
		if (k >= 0) {
			groups[i] = o.e[k];
			if (uses_agg(groups[i]))
				return bind_fail(&b->bc, g->pos, STELE_EINVAL, err,
				                 "aggregate functions are not allowed in GROUP BY");
		} else {
			rc = bind_expr(b, &gs, g, &groups[i], err);
			if (rc)
				return rc;
		}
	}

	/* HAVING, and ORDER BY items that are expressions over the input. */
	Expr *having = NULL;
	if (c->having) {
		rc = bind_pred(b, &ts, c->having, "HAVING", &having, err);
		if (rc)
			return rc;
	}
	uint32_t norder = order ? order->n : 0;
	int *oref = arena_alloc(b->bc.arena, (norder + 1) * sizeof *oref);
	Expr **oexpr = arena_alloc(b->bc.arena, (norder + 1) * sizeof *oexpr);
	Expr **don = NULL;
	uint32_t ndon = c->distinct_on ? c->distinct_on->n : 0;
	if (!oref || !oexpr)
		return NOMEM(err);
	for (uint32_t i = 0; i < norder; i++) {
		const OrderItem *oi = order->v[i];
		oref[i] = out_ref(b, &o, oi->e, &sc, false, err, &rc);
		if (rc)
			return rc;
		oexpr[i] = NULL;
		if (oref[i] < 0) {
			rc = bind_expr(b, &ts, oi->e, &oexpr[i], err);
			if (rc)
				return rc;
		}
	}
	if (ndon) {
		don = arena_alloc(b->bc.arena, ndon * sizeof *don);
		if (!don)
			return NOMEM(err);
		for (uint32_t i = 0; i < ndon; i++) {
			const Ast *d = c->distinct_on->v[i];
			int k = out_ref(b, &o, d, &sc, false, err, &rc);
			if (rc)
				return rc;
			if (k >= 0)
				don[i] = o.e[k];
			else if ((rc = bind_expr(b, &ts, d, &don[i], err)) != STELE_OK)
				return rc;
		}
	}

	/* Aggregation. */
	uint32_t ncols_in = from.ncols;
	if (grouped || ac.ncalls) {
		AggPlan *ap = arena_alloc(b->bc.arena, sizeof *ap);
		if (!ap)
			return NOMEM(err);
		memset(ap, 0, sizeof *ap);
		ap->groups = groups;
		ap->ngroups = ngroups;
		ap->aggs = ac.calls;
		ap->naggs = ac.ncalls;
		if (!op) {
			/* SELECT count(*) with no FROM: one empty row to fold. */
			op = op_project(b->cx, NULL, NULL, 0);
			if (!op)
				return NOMEM(err);
		}
		rc = bind_agg_op(b, &from, where_pred, ap, &op, err);
		if (rc)
			return rc;
		for (uint32_t i = 0; i < o.n; i++) {
			rc = bind_rewrite_grouped(b, &o.e[i], groups, ngroups, &ac, err);
			if (rc)
				return rc;
		}
		if (having) {
			rc = bind_rewrite_grouped(b, &having, groups, ngroups, &ac, err);
			if (rc)
				return rc;
			op = op_filter(b->cx, op, having);
			if (!op)
				return NOMEM(err);
		}
		for (uint32_t i = 0; i < norder; i++)
			if (oexpr[i] && (rc = bind_rewrite_grouped(b, &oexpr[i], groups, ngroups, &ac,
			                                            err)) != STELE_OK)
				return rc;
		for (uint32_t i = 0; i < ndon; i++)
			if ((rc = bind_rewrite_grouped(b, &don[i], groups, ngroups, &ac, err)) != STELE_OK)
				return rc;
		ncols_in = ngroups + ac.ncalls;
	}

	/* Window functions: computed over the rows so far. */
	if (ac.nwins) {
		/* ORDER BY expressions may hold window calls too: they are part
		 * of the same projection below. */
		for (uint32_t i = 0; i < norder; i++)
			if (oexpr[i]) {
				rc = out_add(b, &o, oexpr[i], NULL, err);
				if (rc)
					return rc;
				oexpr[i] = NULL;
				oref[i] = (int)o.n - 1;
			}
		rc = bind_windows(b, &op, &ncols_in, &ac, &o, groups, ngroups, grouped || ac.ncalls,
		                  err);
		if (rc)
			return rc;
	}

	/* The projection: visible targets, then hidden sort and DISTINCT ON
	 * keys. */
	SortKey *keys = arena_alloc(b->bc.arena, (norder + ndon + 1) * sizeof *keys);
	if (!keys)
		return NOMEM(err);
	Buf note = {0};
	for (uint32_t i = 0; i < norder; i++) {
		const OrderItem *oi = order->v[i];
		int k = oref[i];
		if (k < 0) {
			for (uint32_t j = 0; j < o.n && k < 0; j++)
				if (expr_equal(o.e[j], oexpr[i]))
					k = (int)j;
			if (k < 0) {
				if (c->distinct) {
					buf_free(&note);
					return bind_fail(&b->bc, oi->e->pos, STELE_EINVAL, err,
					                 "for SELECT DISTINCT, ORDER BY expressions must appear "
					                 "in select list");
				}
				rc = out_add(b, &o, oexpr[i], NULL, err);
				if (rc) {
					buf_free(&note);
					return rc;
				}
				k = (int)o.n - 1;
			}
		}
		keys[i].col = (uint32_t)k;
		keys[i].desc = oi->desc;
		keys[i].nulls_first = oi->nulls ? oi->nulls == 1 : oi->desc;
		buf_put(&note, i ? ", " : "Sort Key: ", i ? 2 : 10);
		expr_explain(o.e[k], &note, NULL);
		if (oi->desc)
			buf_put(&note, " DESC", 5);
		if (oi->nulls)
			buf_put(&note, oi->nulls == 1 ? " NULLS FIRST" : " NULLS LAST",
			        oi->nulls == 1 ? 12 : 11);
	}
	uint32_t *doncols = NULL;
	if (ndon) {
		doncols = arena_alloc(b->bc.arena, ndon * sizeof *doncols);
		if (!doncols) {
			buf_free(&note);
			return NOMEM(err);
		}
		for (uint32_t i = 0; i < ndon; i++) {
			int k = -1;
			for (uint32_t j = 0; j < o.n && k < 0; j++)
				if (expr_equal(o.e[j], don[i]))
					k = (int)j;
			if (k < 0) {
				rc = out_add(b, &o, don[i], NULL, err);
				if (rc) {
					buf_free(&note);
					return rc;
				}
				k = (int)o.n - 1;
			}
			doncols[i] = (uint32_t)k;
			/* PostgreSQL: DISTINCT ON keys lead the ORDER BY. */
			if (i < norder && keys[i].col != doncols[i] &&
			    !expr_equal(o.e[keys[i].col], don[i])) {
				buf_free(&note);
				return bind_fail(&b->bc, ((Ast *)c->distinct_on->v[i])->pos, STELE_EINVAL, err,
				                 "SELECT DISTINCT ON expressions must match initial ORDER BY "
				                 "expressions");
			}
		}
	}
	char *note_s = NULL;
	if (note.len && !note.failed)
		note_s = bind_strdup(b, (const char *)note.data, note.len);
	buf_free(&note);

	/* The latest row per series: DISTINCT ON (tags) ... ORDER BY the same
	 * tags, ts DESC, over one table with at most tag predicates. The row
	 * each group keeps is the newest row of one of its series, so the
	 * scan need return only those (scan_latest). */
	if (ndon && from.scan && !where_filtered && !grouped && !ac.ncalls && !ac.nwins &&
	    from.scan->tmin == INT64_MIN && from.scan->tmax == INT64_MAX && norder > ndon) {
		bool ok = keys[ndon].desc;
		for (uint32_t i = 0; i < ndon && ok; i++)
			ok = don[i]->kind == E_COL && from.scan->kind[don[i]->col] == SCAN_TAG;
		const Expr *tk = o.e[keys[ndon].col];
		ok = ok && tk->kind == E_COL && from.scan->kind[tk->col] == SCAN_TS;
		if (ok)
			from.scan->latest = true;
	}

	/* Gap filling: a time_bucket_gapfill group key. */
	GapfillPlan *gp = NULL;
	for (uint32_t k = 0; k < ngroups && (grouped || ac.ncalls); k++) {
		if (!func_is_gapfill(groups[k]))
			continue;
		if (gp)
			return bind_fail(&b->bc, groups[k]->pos, STELE_EINVAL, err,
			                 "only one time_bucket_gapfill is allowed");
		rc = bind_gapfill(b, &from, groups, ngroups, k, &o, &gp, err);
		if (rc)
			return rc;
	}
	for (uint32_t i = 0; i < o.n; i++)
		if (uses_agg(o.e[i]) || o.e[i]->kind == E_WINDOW)
			return failf(err, STELE_EINVAL, "internal error: unresolved aggregate");
	op = op_project(b->cx, op, o.e, o.n);
	if (!op)
		return NOMEM(err);
	if (gp) {
		op = op_gapfill(b->cx, op, gp);
		if (!op)
			return NOMEM(err);
	}

	Expr *lim = NULL, *off = NULL;
	AggCtx lnone = {.allowed = false, .where = "LIMIT"};
	Scope ls = {NULL, 0, &lnone};
	if (limit) {
		rc = bind_expr(b, &ls, limit, &lim, err);
		if (rc == STELE_OK)
			rc = bind_cast(&b->bc, lim, STELE_TYPE_BIGINT, false, &lim, err);
		if (rc)
			return rc;
	}
	if (offset) {
		rc = bind_expr(b, &ls, offset, &off, err);
		if (rc == STELE_OK)
			rc = bind_cast(&b->bc, off, STELE_TYPE_BIGINT, false, &off, err);
		if (rc)
			return rc;
	}

	if (c->distinct) {
		/* DISTINCT: group by every output column. */
		AggPlan *dp = arena_alloc(b->bc.arena, sizeof *dp);
		Expr **dg = arena_alloc(b->bc.arena, (o.nvisible + 1) * sizeof *dg);
		if (!dp || !dg)
			return NOMEM(err);
		memset(dp, 0, sizeof *dp);
		for (uint32_t i = 0; i < o.nvisible; i++) {
			dg[i] = expr_col(b->bc.arena, i, o.e[i]->type, o.names[i], 0);
			if (!dg[i])
				return NOMEM(err);
		}
		dp->groups = dg;
		dp->ngroups = o.nvisible;
		dp->aggs = NULL;
		dp->naggs = 0;
		op = op_agg(b->cx, op, dp);
		if (!op)
			return NOMEM(err);
		op->vt = op->vt; /* HashAggregate used for DISTINCT */
		op->note = "Distinct";
	}
	if (ndon && !(from.scan && from.scan->latest)) {
		/* Only each key's first row in the ORDER BY goes on to the sort. */
		op = op_distinct_top(b->cx, op, doncols, ndon, norder > ndon ? keys + ndon : NULL,
		                     norder > ndon ? norder - ndon : 0);
		if (!op)
			return NOMEM(err);
	}
	if (norder) {
		op = op_sort(b->cx, op, keys, norder, ndon ? NULL : lim, ndon ? NULL : off);
		if (!op)
			return NOMEM(err);
		op->note = note_s;
		TimeWindowPlan *tw = NULL;
		if (lim && !ndon && !c->distinct && !gp && !ac.nwins)
			tw = bind_time_window(b, &from, o.e[keys[0].col], keys[0].desc,
			                      grouped || ac.ncalls, groups, ngroups, lim, off);
		if (tw && !(op = op_time_window(b->cx, op, tw)))
			return NOMEM(err);
	}
	if (ndon) {
		op = op_distinct(b->cx, op, doncols, ndon);
		if (!op)
			return NOMEM(err);
	}
	if (lim || off) {
		op = op_limit(b->cx, op, lim, off);
		if (!op)
			return NOMEM(err);
	}
	if (o.n > o.nvisible) {
		Expr **vis = arena_alloc(b->bc.arena, o.nvisible * sizeof *vis);
		if (!vis)
			return NOMEM(err);
		for (uint32_t i = 0; i < o.nvisible; i++) {
			vis[i] = expr_col(b->bc.arena, i, o.e[i]->type, o.names[i], 0);
			if (!vis[i])
				return NOMEM(err);
		}
		op = op_project(b->cx, op, vis, o.nvisible);
		if (!op)
			return NOMEM(err);
	}
	bq->op = op;
	bq->ncols = o.nvisible;
	bq->names = o.names;
	bq->types = arena_alloc(b->bc.arena, o.nvisible + 1);
	if (!bq->types)
		return NOMEM(err);
	for (uint32_t i = 0; i < o.nvisible; i++)
		bq->types[i] = o.e[i]->type;
	(void)ncols_in;
	return STELE_OK;
}

/* ORDER BY / LIMIT over a union or VALUES: by output column. */
static int bind_tail(Binder *b, const Query *q, BoundQuery *bq, StErr *err)
{
	int rc;
	uint32_t norder = q->order ? q->order->n : 0;
	Op *op = bq->op;
	if (norder) {
		SortKey *keys = arena_alloc(b->bc.arena, norder * sizeof *keys);
		if (!keys)
			return NOMEM(err);
		BCol *cols = arena_alloc(b->bc.arena, (bq->ncols + 1) * sizeof *cols);
		if (!cols)
			return NOMEM(err);
		for (uint32_t i = 0; i < bq->ncols; i++)
			cols[i] = (BCol){NULL, bq->names[i], bq->types[i], i};
		Scope sc = {cols, bq->ncols, NULL};
		for (uint32_t i = 0; i < norder; i++) {
			const OrderItem *oi = q->order->v[i];
			int k = -1;
			if (oi->e->kind == A_INT) {
				long v = strtol(oi->e->text.z, NULL, 10);
				if (v < 1 || v > (long)bq->ncols)
					return bind_fail(&b->bc, oi->e->pos, STELE_EINVAL, err,
					                 "ORDER BY position %ld is not in select list", v);
				k = (int)v - 1;
			} else {
				Expr *e;
				rc = bind_expr(b, &sc, oi->e, &e, err);
				if (rc)
					return rc;
				if (e->kind != E_COL)
					return bind_fail(&b->bc, oi->e->pos, STELE_EINVAL, err,
					                 "invalid UNION/INTERSECT/EXCEPT ORDER BY clause");
				k = (int)e->col;
			}
			keys[i].col = (uint32_t)k;
			keys[i].desc = oi->desc;
			keys[i].nulls_first = oi->nulls ? oi->nulls == 1 : oi->desc;
		}
		op = op_sort(b->cx, op, keys, norder, NULL, NULL);
		if (!op)
			return NOMEM(err);
	}
	if (q->limit || q->offset) {
		AggCtx lnone = {.allowed = false, .where = "LIMIT"};
		Scope ls = {NULL, 0, &lnone};
		Expr *lim = NULL, *off = NULL;
		if (q->limit && ((rc = bind_expr(b, &ls, q->limit, &lim, err)) != STELE_OK ||
		                 (rc = bind_cast(&b->bc, lim, STELE_TYPE_BIGINT, false, &lim, err)) !=
		                         STELE_OK))
			return rc;
		if (q->offset && ((rc = bind_expr(b, &ls, q->offset, &off, err)) != STELE_OK ||
		                  (rc = bind_cast(&b->bc, off, STELE_TYPE_BIGINT, false, &off, err)) !=
		                          STELE_OK))
			return rc;
		op = op_limit(b->cx, op, lim, off);
		if (!op)
			return NOMEM(err);
	}
	bq->op = op;
	return STELE_OK;
}

/* Casts a bound query's columns to the given types (a UNION side). */
static int cast_columns(Binder *b, BoundQuery *bq, const uint8_t *types, StErr *err)
{
	bool same = true;
	for (uint32_t i = 0; i < bq->ncols; i++)
		same = same && bq->types[i] == types[i];
	if (same)
		return STELE_OK;
	Expr **e = arena_alloc(b->bc.arena, bq->ncols * sizeof *e);
	if (!e)
		return NOMEM(err);
	for (uint32_t i = 0; i < bq->ncols; i++) {
		e[i] = expr_col(b->bc.arena, i, bq->types[i], bq->names[i], 0);
		if (!e[i])
			return NOMEM(err);
		int rc = bind_cast(&b->bc, e[i], types[i], false, &e[i], err);
		if (rc)
			return rc;
	}
	bq->op = op_project(b->cx, bq->op, e, bq->ncols);
	if (!bq->op)
		return NOMEM(err);
	bq->types = bq->op->types;
	return STELE_OK;
}

int bind_query(Binder *b, const Query *q, BoundQuery *out, StErr *err)
{
	if (++b->depth > MAX_QUERY_DEPTH) {
		b->depth--;
		return bind_fail(&b->bc, q->pos, STELE_ELIMIT, err, "query is nested too deeply");
	}
	uint32_t saved_ctes = b->nctes;
	int rc = STELE_OK;
	for (uint32_t i = 0; q->with && i < q->with->n && rc == STELE_OK; i++) {
		const Cte *c = q->with->v[i];
		if (b->nctes == b->capctes) {
			uint32_t cap = b->capctes ? b->capctes * 2 : 8;
			CteDef *v = arena_alloc(b->bc.arena, cap * sizeof *v);
			if (!v) {
				rc = NOMEM(err);
				break;
			}
			if (b->nctes)
				memcpy(v, b->ctes, b->nctes * sizeof *v);
			b->ctes = v;
			b->capctes = cap;
		}
		char *name = tokdup(b, &c->name);
		if (!name) {
			rc = NOMEM(err);
			break;
		}
		for (uint32_t k = saved_ctes; k < b->nctes; k++)
			if (strcmp(b->ctes[k].name, name) == 0)
				rc = bind_fail(&b->bc, c->name.pos, STELE_EINVAL, err,
				               "WITH query name \"%s\" specified more than once", name);
		b->ctes[b->nctes] = (CteDef){name, c->query, c->colnames, b->nctes};
		b->nctes++;
	}
	if (rc == STELE_OK) {
		if (q->core) {
			rc = bind_select(b, q->core, q->order, q->limit, q->offset, out, err);
			if (rc == STELE_OK && q->core->values && (q->order || q->limit || q->offset))
				rc = bind_tail(b, q, out, err);
		} else if (q->left && !q->right) {
			rc = bind_query(b, q->left, out, err);
			if (rc == STELE_OK)
				rc = bind_tail(b, q, out, err);
		} else {
			BoundQuery l, r;
			rc = bind_query(b, q->left, &l, err);
			if (rc == STELE_OK)
				rc = bind_query(b, q->right, &r, err);
			if (rc == STELE_OK && l.ncols != r.ncols)
				rc = bind_fail(&b->bc, q->right->pos, STELE_EINVAL, err,
				               "each UNION query must have the same number of columns");
			uint8_t *types = NULL;
			if (rc == STELE_OK && !(types = arena_alloc(b->bc.arena, l.ncols + 1)))
				rc = NOMEM(err);
			for (uint32_t i = 0; rc == STELE_OK && i < l.ncols; i++) {
				uint8_t t = l.types[i];
				if (t != r.types[i]) {
					Expr lx = {.kind = E_COL, .type = l.types[i]};
					Expr rx = {.kind = E_COL, .type = r.types[i]};
					Expr *pair[2] = {&lx, &rx};
					/* Only the resulting type matters here. */
					BindCtx probe = b->bc;
					probe.ev = NULL;
					rc = bind_common_type(&probe, pair, 2, "UNION", q->pos, &t, err);
				}
				types[i] = t == STELE_TYPE_NONE ? STELE_TYPE_VARCHAR : t;
			}
			if (rc == STELE_OK)
				rc = cast_columns(b, &l, types, err);
			if (rc == STELE_OK)
				rc = cast_columns(b, &r, types, err);
			if (rc == STELE_OK) {
				out->op = op_union(b->cx, l.op, r.op);
				out->ncols = l.ncols;
				out->names = l.names;
				out->types = types;
				if (!out->op)
					rc = NOMEM(err);
			}
			if (rc == STELE_OK && !q->union_all) {
				/* UNION: distinct rows. */
				AggPlan *dp = arena_alloc(b->bc.arena, sizeof *dp);
				Expr **dg = arena_alloc(b->bc.arena, (out->ncols + 1) * sizeof *dg);
				if (!dp || !dg)
					rc = NOMEM(err);
				else
					memset(dp, 0, sizeof *dp);
				for (uint32_t i = 0; rc == STELE_OK && i < out->ncols; i++)
					if (!(dg[i] = expr_col(b->bc.arena, i, types[i], out->names[i], 0)))
						rc = NOMEM(err);
				if (rc == STELE_OK) {
					dp->groups = dg;
					dp->ngroups = out->ncols;
					out->op = op_agg(b->cx, out->op, dp);
					if (!out->op)
						rc = NOMEM(err);
					else
						out->op->note = "Distinct";
				}
			}
			if (rc == STELE_OK)
				rc = bind_tail(b, q, out, err);
		}
	}
	b->nctes = saved_ctes;
	b->depth--;
	return rc;
}
