/* values.c - Values: rows given in the statement (VALUES lists, the
 * catalog views), each cell an expression without column references.
 *
 *     open   evaluates every cell (so now() and parameters are current)
 *     next   returns the rows in batches of up to VEC_ROWS
 *     close  releases them
 */
#include <stdio.h>

#include "sql/exec/exec.h"

typedef struct Values {
	Op op;
	Expr ***rows;         /* [nrows][ncols] */
	uint32_t nrows;
	RowStore rs;
	uint32_t pos;
} Values;

static int values_open(Op *op, StErr *err)
{
	Values *v = (Values *)op;
	rowstore_free(&v->rs);
	rowstore_init(&v->rs, op->cx, op->ncols, op->types);
	v->pos = 0;
	Arena tmp = {0};
	EvalCtx ev = op->ev;
	ev.arena = &tmp;
	int rc = STELE_OK;
	for (uint32_t r = 0; r < v->nrows && rc == STELE_OK; r++) {
		Batch *b = batch_alloc(&tmp, op->ncols);
		if (!b) {
			rc = failf(err, STELE_ENOMEM, "out of memory evaluating VALUES");
			break;
		}
		b->n = 1;
		Batch one = {.n = 1};
		for (uint32_t c = 0; c < op->ncols && rc == STELE_OK; c++) {
			rc = expr_eval(&ev, v->rows[r][c], &one, &b->cols[c], err);
			if (rc == STELE_OK && b->cols[c].type != op->types[c]) {
				/* A NULL literal in a typed column. */
				Vec nv;
				if (!vec_alloc(&tmp, &nv, op->types[c], 1))
					rc = failf(err, STELE_ENOMEM, "out of memory evaluating VALUES");
				nv.null[0] = 1;
				b->cols[c] = nv;
			}
		}
		if (rc == STELE_OK)
			rc = rowstore_append(&v->rs, b, NULL, 1, err);
		arena_reset(&tmp);
	}
	arena_free(&tmp);
	return rc;
}

static int values_next(Op *op, Batch **out, StErr *err)
{
	Values *v = (Values *)op;
	arena_reset(&op->out);
	if (v->pos >= v->rs.n) {
		*out = NULL;
		return STELE_OK;
	}
	uint32_t n = v->rs.n - v->pos;
	if (n > VEC_ROWS)
		n = VEC_ROWS;
	*out = rowstore_batch(&v->rs, &op->out, NULL, v->pos, n);
	v->pos += n;
	return *out ? STELE_OK : failf(err, STELE_ENOMEM, "out of memory in VALUES");
}

static void values_close(Op *op) { rowstore_free(&((Values *)op)->rs); }

static void values_explain(const Op *op, Buf *out)
{
	char tmp[48];
	int k = snprintf(tmp, sizeof tmp, "rows: %u", ((const Values *)op)->nrows);
	buf_put(out, tmp, (size_t)k);
}

static const OpVt values_vt = {"Values", values_open, values_next, values_close,
                               values_explain, NULL};

Op *op_values(ExecCtx *cx, uint32_t ncols, uint8_t *types, Expr ***rows, uint32_t nrows)
{
	Values *v = op_alloc(cx, sizeof *v);
	if (!v)
		return NULL;
	op_init(&v->op, &values_vt, cx, ncols, types);
	v->rows = rows;
	v->nrows = nrows;
	rowstore_init(&v->rs, cx, ncols, types);
	return &v->op;
}
