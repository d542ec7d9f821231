/* limit.c - Limit: skips OFFSET rows of its child, then passes LIMIT rows
 * and stops pulling.
 *
 *     open   evaluates LIMIT and OFFSET (constants or parameters; negative
 *            is an error, as in PostgreSQL), opens the child
 *     next   slices child batches
 *     close  closes the child
 */
#include <stdio.h>

#include "sql/exec/exec.h"

typedef struct Limit {
	Op op;
	Expr *limit, *offset;
	uint64_t left, skip;
	bool unlimited;
} Limit;

int limit_eval(EvalCtx *ev, Expr *limit, Expr *offset, uint64_t *left, uint64_t *skip,
               bool *unlimited, StErr *err);

int limit_eval(EvalCtx *ev, Expr *limit, Expr *offset, uint64_t *left, uint64_t *skip,
               bool *unlimited, StErr *err)
{
	*unlimited = true;
	*skip = 0;
	*left = 0;
	Datum d;
	if (limit) {
		int rc = expr_eval_const(ev, limit, &d, err);
		if (rc)
			return rc;
		if (!d.null) {
			if (d.v.i < 0)
				return failf(err, STELE_EINVAL, "LIMIT must not be negative");
			*unlimited = false;
			*left = (uint64_t)d.v.i;
		}
	}
	if (offset) {
		int rc = expr_eval_const(ev, offset, &d, err);
		if (rc)
			return rc;
		if (!d.null) {
			if (d.v.i < 0)
				return failf(err, STELE_EINVAL, "OFFSET must not be negative");
			*skip = (uint64_t)d.v.i;
		}
	}
	return STELE_OK;
}

static int limit_open(Op *op, StErr *err)
{
	Limit *l = (Limit *)op;
	int rc = limit_eval(&op->ev, l->limit, l->offset, &l->left, &l->skip, &l->unlimited, err);
	arena_reset(&op->out);
	if (rc)
		return rc;
	return op_open(op->kids[0], err);
}

static int limit_next(Op *op, Batch **out, StErr *err)
{
	Limit *l = (Limit *)op;
	arena_reset(&op->out);
	*out = NULL;
	for (;;) {
		if (!l->unlimited && l->left == 0)
			return STELE_OK;
		Batch *in;
		int rc = op_next(op->kids[0], &in, err);
		if (rc || !in)
			return rc;
		uint32_t from = 0, n = in->n;
		if (l->skip) {
			if (l->skip >= n) {
				l->skip -= n;
				continue;
			}
			from = (uint32_t)l->skip;
			n -= from;
			l->skip = 0;
		}
		if (!l->unlimited && n > l->left)
			n = (uint32_t)l->left;
		if (!l->unlimited)
			l->left -= n;
		if (from == 0 && n == in->n) {
			*out = in;
			return STELE_OK;
		}
		Batch *b = batch_alloc(&op->out, in->ncols);
		if (!b)
			return failf(err, STELE_ENOMEM, "out of memory in LIMIT");
		b->n = n;
		for (uint32_t c = 0; c < in->ncols; c++) {
			Vec v = in->cols[c];
			if (v.type != STELE_TYPE_NONE) {
				v.null += from;
				v.d.p = (char *)v.d.p + (size_t)from * type_size(v.type);
			}
			b->cols[c] = v;
		}
		*out = b;
		return STELE_OK;
	}
}

static void limit_close(Op *op) { op_close(op->kids[0]); }

static void limit_explain(const Op *op, Buf *out)
{
	const Limit *l = (const Limit *)op;
	if (l->limit) {
		buf_put(out, "limit: ", 7);
		expr_explain(l->limit, out, NULL);
	}
	if (l->offset) {
		buf_put(out, l->limit ? ", offset: " : "offset: ", l->limit ? 10 : 8);
		expr_explain(l->offset, out, NULL);
	}
}

static const OpVt limit_vt = {"Limit", limit_open, limit_next, limit_close, limit_explain, NULL};

Op *op_limit(ExecCtx *cx, Op *kid, Expr *limit, Expr *offset)
{
	Limit *l = op_alloc(cx, sizeof *l);
	if (!l)
		return NULL;
	op_init(&l->op, &limit_vt, cx, kid->ncols, kid->types);
	l->op.kids[0] = kid;
	l->op.nkids = 1;
	l->limit = limit;
	l->offset = offset;
	return &l->op;
}
