/* project.c - Project: one output column per expression, evaluated over
 * each child batch.
 *
 *     open   opens the child
 *     next   evaluates every expression over the next child batch
 *     close  closes the child
 *
 * With no child (SELECT without FROM) it produces one row.
 */
#include "sql/exec/exec.h"

typedef struct Project {
	Op op;
	Expr **exprs;
	uint32_t n;
	bool done;            /* no child: the one row was returned */
} Project;

static int project_open(Op *op, StErr *err)
{
	((Project *)op)->done = false;
	return op->nkids ? op_open(op->kids[0], err) : STELE_OK;
}

static int project_next(Op *op, Batch **out, StErr *err)
{
	Project *p = (Project *)op;
	arena_reset(&op->out);
	Batch one = {.n = 1}, *in = &one;
	if (op->nkids) {
		int rc = op_next(op->kids[0], &in, err);
		if (rc || !in) {
			*out = NULL;
			return rc;
		}
	} else if (p->done) {
		*out = NULL;
		return STELE_OK;
	}
	p->done = true;
	Batch *b = batch_alloc(&op->out, p->n);
	if (!b)
		return failf(err, STELE_ENOMEM, "out of memory projecting rows");
	b->n = in->n;
	for (uint32_t i = 0; i < p->n; i++) {
		int rc = expr_eval(&op->ev, p->exprs[i], in, &b->cols[i], err);
		if (rc)
			return rc;
		/* The column keeps the declared type even for a NULL literal. */
		if (b->cols[i].type != op->types[i]) {
			Vec v;
			if (!vec_alloc(&op->out, &v, op->types[i], in->n))
				return failf(err, STELE_ENOMEM, "out of memory projecting rows");
			for (uint32_t r = 0; r < in->n; r++)
				v.null[r] = 1;
			b->cols[i] = v;
		}
	}
	*out = b;
	return STELE_OK;
}

static void project_close(Op *op)
{
	if (op->nkids)
		op_close(op->kids[0]);
}

static void project_explain(const Op *op, Buf *out)
{
	const Project *p = (const Project *)op;
	buf_put(out, "Output: ", 8);
	for (uint32_t i = 0; i < p->n; i++) {
		if (i)
			buf_put(out, ", ", 2);
		expr_explain(p->exprs[i], out, NULL);
	}
}

static const OpVt project_vt = {"Project", project_open, project_next, project_close,
                                project_explain, NULL};

Op *op_project(ExecCtx *cx, Op *kid, Expr **exprs, uint32_t n)
{
	Project *p = op_alloc(cx, sizeof *p);
	uint8_t *types = op_alloc(cx, n + 1);
	if (!p || !types)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		types[i] = exprs[i]->type;
	op_init(&p->op, &project_vt, cx, n, types);
	if (kid) {
		p->op.kids[0] = kid;
		p->op.nkids = 1;
	}
	p->exprs = exprs;
	p->n = n;
	return &p->op;
}
