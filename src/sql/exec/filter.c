/* filter.c - Filter: the rows of its child for which a predicate is TRUE.
 *
 *     open   opens the child
 *     next   pulls child batches, keeps the rows where the predicate is
 *            TRUE (not FALSE, not NULL); batches left empty are skipped
 *     close  closes the child
 */
#include "sql/exec/exec.h"

typedef struct Filter {
	Op op;
	Expr *pred;
} Filter;

static int filter_open(Op *op, StErr *err) { return op_open(op->kids[0], err); }

static int filter_next(Op *op, Batch **out, StErr *err)
{
	Filter *f = (Filter *)op;
	for (;;) {
		arena_reset(&op->out);
		Batch *in;
		int rc = op_next(op->kids[0], &in, err);
		if (rc || !in) {
			*out = NULL;
			return rc;
		}
		uint32_t *sel = arena_alloc(&op->out, (in->n + 1) * sizeof *sel), nsel;
		if (!sel)
			return failf(err, STELE_ENOMEM, "out of memory filtering rows");
		rc = expr_filter(&op->ev, f->pred, in, sel, &nsel, err);
		if (rc)
			return rc;
		if (nsel == 0)
			continue;
		if (nsel == in->n) {
			*out = in;
			return STELE_OK;
		}
		*out = batch_gather(&op->out, in, sel, nsel);
		return *out ? STELE_OK : failf(err, STELE_ENOMEM, "out of memory filtering rows");
	}
}

static void filter_close(Op *op) { op_close(op->kids[0]); }

static void filter_explain(const Op *op, Buf *out)
{
	buf_put(out, "Filter: ", 8);
	expr_explain(((const Filter *)op)->pred, out, NULL);
}

static const OpVt filter_vt = {"Filter", filter_open, filter_next, filter_close, filter_explain, NULL};

Op *op_filter(ExecCtx *cx, Op *kid, Expr *pred)
{
	Filter *f = op_alloc(cx, sizeof *f);
	if (!f)
		return NULL;
	op_init(&f->op, &filter_vt, cx, kid->ncols, kid->types);
	f->op.kids[0] = kid;
	f->op.nkids = 1;
	f->pred = pred;
	return &f->op;
}
