/* union.c - Append (UNION ALL): every row of the first child, then every
 * row of the second. The binder has cast both to the same column types.
 *
 *     open   opens the first child
 *     next   passes its batches; at its end closes it and opens the second
 *     close  closes whichever is open
 */
#include "sql/exec/exec.h"

typedef struct Append {
	Op op;
	uint32_t cur;          /* child being read; 2 when done */
} Append;

static int append_open(Op *op, StErr *err)
{
	((Append *)op)->cur = 0;
	return op_open(op->kids[0], err);
}

static int append_next(Op *op, Batch **out, StErr *err)
{
	Append *a = (Append *)op;
	*out = NULL;
	while (a->cur < 2) {
		int rc = op_next(op->kids[a->cur], out, err);
		if (rc || *out)
			return rc;
		op_close(op->kids[a->cur]);
		a->cur++;
		if (a->cur == 2)
			return STELE_OK;
		rc = op_open(op->kids[a->cur], err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}

static void append_close(Op *op)
{
	Append *a = (Append *)op;
	if (a->cur < 2)
		op_close(op->kids[a->cur]);
	a->cur = 2;
}

static void append_explain(const Op *op, Buf *out) { (void)op; (void)out; }

static const OpVt append_vt = {"Append", append_open, append_next, append_close,
                               append_explain, NULL};

Op *op_union(ExecCtx *cx, Op *x, Op *y)
{
	Append *a = op_alloc(cx, sizeof *a);
	if (!a)
		return NULL;
	op_init(&a->op, &append_vt, cx, x->ncols, x->types);
	a->op.kids[0] = x;
	a->op.kids[1] = y;
	a->op.nkids = 2;
	a->cur = 2;
	return &a->op;
}
