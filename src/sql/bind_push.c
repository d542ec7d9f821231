/* bind_push.c - predicate pushdown into a table scan (see bind.h).
 *
 * A conjunct of WHERE goes into the scan when the scan can apply it
 * exactly:
 *   ts OP c       OP one of = < <= > >=, c a constant (a literal, a
 *                 folded expression such as now() - interval '1 hour');
 *                 narrows [tmin, tmax]
 *   tag = 'v'     a tag column against a non-NULL constant string
 *   tag IN (...)  all constant strings; NULLs in the list never match
 * The scan then reads only the partitions, segments and blocks whose
 * time range meets [tmin, tmax] and only the series the tag index
 * matches. A conjunct that cannot hold (ts = NULL, tmin > tmax) makes the
 * scan read nothing. Everything else stays in the Filter above.
 */
#include <stdio.h>
#include <string.h>

#include "sql/bind.h"
#include "sql/text.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory binding a statement")

static bool is_cmp(const Expr *e, const char **op)
{
	if (e->kind != E_FUNC || e->nargs != 2 || !e->name)
		return false;
	static const char *ops[] = {"=", "<", "<=", ">", ">="};
	for (size_t i = 0; i < 5; i++)
		if (strcmp(e->name, ops[i]) == 0) {
			*op = ops[i];
			return true;
		}
	return false;
}

/* The mirror of an operator: c < ts is ts > c. */
static const char *flip(const char *op)
{
	if (strcmp(op, "<") == 0)
		return ">";
	if (strcmp(op, ">") == 0)
		return "<";
	if (strcmp(op, "<=") == 0)
		return ">=";
	if (strcmp(op, ">=") == 0)
		return "<=";
	return op;
}

static void put_ts(Buf *b, const char *what, int64_t v)
{
	Datum d = {.type = STELE_TYPE_TIMESTAMP, .v.i = v};
	buf_put(b, what, strlen(what));
	sqltext_datum(b, &d);
}

/* Adds `values` to a predicate on tag ordinal ord (a new predicate; the
 * scan intersects them). */
static int add_pred(Binder *b, ScanPlan *sp, uint32_t ord, const SqlStr *vals, uint32_t n,
                    StErr *err)
{
	TagPred *p = arena_alloc(b->bc.arena, (sp->npreds + 1) * sizeof *p);
	const char **v = arena_alloc(b->bc.arena, (n + 1) * sizeof *v);
	uint32_t *l = arena_alloc(b->bc.arena, (n + 1) * sizeof *l);
	if (!p || !v || !l)
		return NOMEM(err);
	if (sp->npreds)
		memcpy(p, sp->preds, sp->npreds * sizeof *p);
	for (uint32_t i = 0; i < n; i++) {
		v[i] = vals[i].p;
		l[i] = vals[i].n;
	}
	p[sp->npreds] = (TagPred){.ord = ord, .vals = v, .lens = l, .nvals = n};
	sp->preds = p;
	sp->npreds++;
	return STELE_OK;
}

/* Tries one conjunct; *taken when the scan applies it. */
static int try_push(Binder *b, ScanPlan *sp, const Expr *c, bool *taken, Buf *note, StErr *err)
{
	*taken = false;
	const char *op;
	if (is_cmp(c, &op)) {
		const Expr *x = c->args[0], *y = c->args[1];
		if (x->kind != E_COL) {
			const Expr *t = x;
			x = y;
			y = t;
			op = flip(op);
		}
		if (x->kind != E_COL || y->kind != E_CONST)
			return STELE_OK;
		uint32_t k = x->col;
		if (sp->kind[k] == SCAN_TS && x->type == STELE_TYPE_TIMESTAMP) {
			*taken = true;
			if (y->val.null) {
				sp->empty = true;
				return STELE_OK;
			}
			int64_t v = y->val.v.i;
			int64_t lo = INT64_MIN, hi = INT64_MAX;
			if (strcmp(op, "=") == 0)
				lo = hi = v;
			else if (strcmp(op, ">=") == 0)
				lo = v;
			else if (strcmp(op, ">") == 0) {
				if (v == INT64_MAX)
					sp->empty = true;
				else
					lo = v + 1;
			} else if (strcmp(op, "<=") == 0)
				hi = v;
			else if (v == INT64_MIN)
				sp->empty = true;
			else
				hi = v - 1;
			if (lo > sp->tmin)
				sp->tmin = lo;
			if (hi < sp->tmax)
				sp->tmax = hi;
			return STELE_OK;
		}
		if (sp->kind[k] == SCAN_TAG && strcmp(op, "=") == 0 &&
		    y->type == STELE_TYPE_VARCHAR) {
			*taken = true;
			if (y->val.null) {
				sp->empty = true;
				return STELE_OK;
			}
			if (note->len)
				buf_put(note, ", ", 2);
			buf_put(note, x->name, strlen(x->name));
			buf_put(note, " = ", 3);
			Datum d = y->val;
			buf_put_u8(note, '\'');
			sqltext_datum(note, &d);
			buf_put_u8(note, '\'');
			return add_pred(b, sp, sp->src[k], &y->val.v.s, 1, err);
		}
		return STELE_OK;
	}
	if (c->kind == E_IN && !c->neg && c->args[0]->kind == E_COL &&
	    sp->kind[c->args[0]->col] == SCAN_TAG) {
		SqlStr *vals = arena_alloc(b->bc.arena, c->nargs * sizeof *vals);
		if (!vals)
			return NOMEM(err);
		uint32_t n = 0;
		for (uint32_t i = 1; i < c->nargs; i++) {
			const Expr *v = c->args[i];
			if (v->kind != E_CONST || v->type != STELE_TYPE_VARCHAR)
				return STELE_OK;
			if (!v->val.null)
				vals[n++] = v->val.v.s;
		}
		*taken = true;
		if (n == 0) {
			sp->empty = true;
			return STELE_OK;
		}
		if (note->len)
			buf_put(note, ", ", 2);
		const char *nm = c->args[0]->name;
		buf_put(note, nm, strlen(nm));
		char tmp[32];
		int k = snprintf(tmp, sizeof tmp, " IN (%u values)", n);
		buf_put(note, tmp, (size_t)k);
		return add_pred(b, sp, sp->src[c->args[0]->col], vals, n, err);
	}
	return STELE_OK;
}

int bind_pushdown(Binder *b, Rel *r, Expr *pred, Expr **rest, StErr *err)
{
	ScanPlan *sp = r->scan;
	Expr *one[1] = {pred};
	Expr **conj = pred->kind == E_AND ? pred->args : one;
	uint32_t n = pred->kind == E_AND ? pred->nargs : 1;
	Expr **keep = arena_alloc(b->bc.arena, (n + 1) * sizeof *keep);
	if (!keep)
		return NOMEM(err);
	uint32_t nkeep = 0;
	Buf note = {0};
	int64_t tmin0 = sp->tmin, tmax0 = sp->tmax;
	for (uint32_t i = 0; i < n; i++) {
		bool taken;
		int rc = try_push(b, sp, conj[i], &taken, &note, err);
		if (rc) {
			buf_free(&note);
			return rc;
		}
		if (!taken)
			keep[nkeep++] = conj[i];
	}
	if (sp->tmin > sp->tmax)
		sp->empty = true;
	if (sp->tmin != tmin0 || sp->tmax != tmax0) {
		Buf t = {0};
		if (sp->tmin != INT64_MIN)
			put_ts(&t, "ts >= ", sp->tmin);
		if (sp->tmax != INT64_MAX)
			put_ts(&t, sp->tmin != INT64_MIN ? " AND ts <= " : "ts <= ", sp->tmax);
		if (note.len)
			buf_put(&t, ", ", 2);
		buf_put(&t, note.data, note.len);
		buf_free(&note);
		note = t;
	}
	if (note.len && !note.failed) {
		sp->pushed = bind_strdup(b, (const char *)note.data, note.len);
		if (!sp->pushed) {
			buf_free(&note);
			return NOMEM(err);
		}
	}
	buf_free(&note);
	if (nkeep == 0) {
		*rest = NULL;
	} else if (nkeep == 1) {
		*rest = keep[0];
	} else {
		Expr *e = expr_new(b->bc.arena, E_AND, STELE_TYPE_BOOLEAN, pred->pos);
		if (!e)
			return NOMEM(err);
		e->args = keep;
		e->nargs = nkeep;
		*rest = e;
	}
	return STELE_OK;
}
