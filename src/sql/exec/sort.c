/* sort.c - Sort: all rows of its child in the order of its keys
 * (PostgreSQL's: NULLs last ascending, first descending, unless NULLS
 * FIRST/LAST says otherwise). Ties keep their input order.
 *
 *     open   opens the child, evaluates the bound (LIMIT + OFFSET, when
 *            the binder gave them: top-N), reads every child batch into a
 *            RowStore, closes the child and sorts an index
 *     next   returns rows in index order, VEC_ROWS at a time
 *     close  frees the rows
 *
 * With a bound K the store is cut back to its best K rows whenever it
 * holds 2K + VEC_ROWS, so ORDER BY ... LIMIT n keeps O(n) rows however
 * many it reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/exec/exec.h"

int limit_eval(EvalCtx *ev, Expr *limit, Expr *offset, uint64_t *left, uint64_t *skip,
               bool *unlimited, StErr *err);

typedef struct Sort {
	Op op;
	SortKey *keys;
	uint32_t nkeys;
	Expr *limit, *offset;
	RowStore rs;
	uint32_t *idx;
	uint32_t pos;
	uint64_t bound;        /* 0: none */
} Sort;

typedef struct SortCtx {
	const RowStore *rs;
	const SortKey *keys;
	uint32_t nkeys;
} SortCtx;

static int cmp_idx(const void *a, const void *b, void *arg)
{
	const SortCtx *sc = arg;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	int c = sortkey_cmp(sc->rs, sc->keys, sc->nkeys, i, j);
	if (c)
		return c;
	return i < j ? -1 : i > j;
}

static int sort_index(Sort *s, StErr *err)
{
	free(s->idx);
	s->idx = malloc(((size_t)s->rs.n + 1) * sizeof *s->idx);
	if (!s->idx)
		return failf(err, STELE_ENOMEM, "out of memory sorting rows");
	for (uint32_t i = 0; i < s->rs.n; i++)
		s->idx[i] = i;
	SortCtx sc = {&s->rs, s->keys, s->nkeys};
	qsort_r(s->idx, s->rs.n, sizeof *s->idx, cmp_idx, &sc);
	return STELE_OK;
}

/* Keeps the best `bound` rows. */
static int cut(Sort *s, StErr *err)
{
	int rc = sort_index(s, err);
	if (rc)
		return rc;
	RowStore keep;
	rowstore_init(&keep, s->op.cx, s->op.ncols, s->op.types);
	Arena tmp = {0};
	for (uint64_t from = 0; from < s->bound && rc == STELE_OK; from += VEC_ROWS) {
		uint32_t n = (uint32_t)(s->bound - from < VEC_ROWS ? s->bound - from : VEC_ROWS);
		Batch *b = rowstore_batch(&s->rs, &tmp, s->idx + from, 0, n);
		rc = b ? rowstore_append(&keep, b, NULL, n, err)
		       : failf(err, STELE_ENOMEM, "out of memory sorting rows");
		arena_reset(&tmp);
	}
	arena_free(&tmp);
	rowstore_free(&s->rs);
	s->rs = keep;
	return rc;
}

static int sort_open(Op *op, StErr *err)
{
	Sort *s = (Sort *)op;
	rowstore_free(&s->rs);
	rowstore_init(&s->rs, op->cx, op->ncols, op->types);
	s->pos = 0;
	s->bound = 0;
	if (s->limit) {
		uint64_t left, skip;
		bool unlimited;
		int rc = limit_eval(&op->ev, s->limit, s->offset, &left, &skip, &unlimited, err);
		arena_reset(&op->out);
		if (rc)
			return rc;
		if (!unlimited)
			s->bound = left + skip >= left ? left + skip : UINT64_MAX;
		if (s->bound == 0)
			s->bound = 1; /* LIMIT 0: keep one row, the Limit above drops it */
	}
	int rc = op_open(op->kids[0], err);
	while (rc == STELE_OK) {
		Batch *b;
		rc = op_next(op->kids[0], &b, err);
		if (rc || !b)
			break;
		rc = rowstore_append(&s->rs, b, NULL, b->n, err);
		if (rc == STELE_OK && s->bound && s->bound < UINT32_MAX &&
		    s->rs.n >= 2 * s->bound + VEC_ROWS)
			rc = cut(s, err);
	}
	op_close(op->kids[0]);
	if (rc)
		return rc;
	if (s->bound && s->rs.n > s->bound) {
		rc = cut(s, err);
		if (rc)
			return rc;
	}
	return sort_index(s, err);
}

static int sort_next(Op *op, Batch **out, StErr *err)
{
	Sort *s = (Sort *)op;
	arena_reset(&op->out);
	if (s->pos >= s->rs.n) {
		*out = NULL;
		return STELE_OK;
	}
	uint32_t n = s->rs.n - s->pos;
	if (n > VEC_ROWS)
		n = VEC_ROWS;
	*out = rowstore_batch(&s->rs, &op->out, s->idx + s->pos, 0, n);
	s->pos += n;
	return *out ? STELE_OK : failf(err, STELE_ENOMEM, "out of memory sorting rows");
}

static void sort_close(Op *op)
{
	Sort *s = (Sort *)op;
	rowstore_free(&s->rs);
	free(s->idx);
	s->idx = NULL;
}

static void sort_explain(const Op *op, Buf *out)
{
	const Sort *s = (const Sort *)op;
	if (op->note) {
		buf_put(out, op->note, strlen(op->note));
		if (s->limit)
			buf_put(out, " (top-N)", 8);
		return;
	}
	buf_put(out, "Sort Key: ", 10);
	for (uint32_t k = 0; k < s->nkeys; k++) {
		char tmp[48];
		int n = snprintf(tmp, sizeof tmp, "%s#%u%s%s", k ? ", " : "", s->keys[k].col,
		                 s->keys[k].desc ? " DESC" : "",
		                 s->keys[k].nulls_first != s->keys[k].desc
		                         ? (s->keys[k].nulls_first ? " NULLS FIRST" : " NULLS LAST")
		                         : "");
		buf_put(out, tmp, (size_t)n);
	}
	if (s->limit)
		buf_put(out, " (top-N)", 8);
}

static const OpVt sort_vt = {"Sort", sort_open, sort_next, sort_close, sort_explain, NULL};

Op *op_sort(ExecCtx *cx, Op *kid, SortKey *keys, uint32_t nkeys, Expr *limit, Expr *offset)
{
	Sort *s = op_alloc(cx, sizeof *s);
	if (!s)
		return NULL;
	op_init(&s->op, &sort_vt, cx, kid->ncols, kid->types);
	s->op.kids[0] = kid;
	s->op.nkids = 1;
	s->keys = keys;
	s->nkeys = nkeys;
	s->limit = limit;
	s->offset = offset;
	rowstore_init(&s->rs, cx, kid->ncols, kid->types);
	return &s->op;
}
