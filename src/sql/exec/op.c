/* op.c - what every operator shares: the open/next/close wrappers with
 * their EXPLAIN ANALYZE counters, memory accounting, the row store,
 * sort-key comparison and subqueries (see exec.h). */
#include <stdlib.h>
#include <string.h>

#include "sql/exec/exec.h"
#include "util/timeutil.h"

void *op_alloc(ExecCtx *cx, size_t n)
{
	void *p = arena_alloc(cx->arena, n ? n : 1);
	if (p)
		memset(p, 0, n ? n : 1);
	return p;
}

void op_init(Op *op, const OpVt *vt, ExecCtx *cx, uint32_t ncols, uint8_t *types)
{
	memset(op, 0, sizeof *op);
	op->vt = vt;
	op->cx = cx;
	op->ncols = ncols;
	op->types = types;
	op->out.block_size = 64 * 1024;
	op->ev.arena = &op->out;
}

static void sync_ev(Op *op)
{
	ExecCtx *cx = op->cx;
	op->ev.params = cx->params;
	op->ev.nparams = cx->nparams;
	op->ev.now_ns = cx->now_ns;
	op->ev.exec = cx;
	op->ev.sql = cx->sql;
}

int op_open(Op *op, StErr *err)
{
	sync_ev(op);
	op->rows_out = op->batches_out = op->ns = 0;
	op->loops++;
	int64_t t0 = op->cx->analyze ? time_mono_ns() : 0;
	int rc = op->vt->open(op, err);
	if (op->cx->analyze)
		op->ns += (uint64_t)(time_mono_ns() - t0);
	return rc;
}

int op_next(Op *op, Batch **out, StErr *err)
{
	int rc = exec_check(op->cx, err);
	if (rc)
		return rc;
	int64_t t0 = op->cx->analyze ? time_mono_ns() : 0;
	/* Skip empty batches: a consumer sees rows or the end. */
	do {
		rc = op->vt->next(op, out, err);
	} while (rc == STELE_OK && *out && (*out)->n == 0);
	if (op->cx->analyze)
		op->ns += (uint64_t)(time_mono_ns() - t0);
	if (rc == STELE_OK && *out) {
		op->rows_out += (*out)->n;
		op->batches_out++;
	}
	return rc;
}

void op_close(Op *op)
{
	if (!op)
		return;
	op->vt->close(op);
	arena_reset(&op->out);
}

void op_free(Op *op)
{
	if (!op)
		return;
	if (op->vt->release)
		op->vt->release(op);
	for (uint32_t i = 0; i < op->nkids; i++)
		op_free(op->kids[i]);
	arena_free(&op->out);
}

int exec_charge(ExecCtx *cx, size_t n, StErr *err)
{
	size_t used = atomic_fetch_add(&cx->mem_used, n) + n;
	if (cx->mem_limit && used > cx->mem_limit)
		return failf(err, STELE_ELIMIT,
		             "query needs more than its memory limit of %zu bytes (query_memory)",
		             cx->mem_limit);
	return STELE_OK;
}

void exec_release(ExecCtx *cx, size_t n)
{
	size_t cur = atomic_load(&cx->mem_used);
	while (!atomic_compare_exchange_weak(&cx->mem_used, &cur, n > cur ? 0 : cur - n))
		;
}

int exec_check(ExecCtx *cx, StErr *err)
{
	if (cx->cancel && atomic_load_explicit(cx->cancel, memory_order_relaxed))
		return failf(err, STELE_ELIMIT, "canceling statement due to user request");
	if (cx->deadline_ns && time_mono_ns() > cx->deadline_ns)
		return failf(err, STELE_ELIMIT, "canceling statement due to statement timeout");
	return STELE_OK;
}

/* ---- RowStore ---- */

void rowstore_init(RowStore *rs, ExecCtx *cx, uint32_t ncols, const uint8_t *types)
{
	memset(rs, 0, sizeof *rs);
	rs->cx = cx;
	rs->ncols = ncols;
	rs->types = types;
	rs->strs.block_size = 256 * 1024;
}

static int rs_grow(RowStore *rs, uint32_t need, StErr *err)
{
	if (need <= rs->cap)
		return STELE_OK;
	uint32_t cap = rs->cap ? rs->cap : 1024;
	while (cap < need) {
		if (cap > UINT32_MAX / 2)
			return failf(err, STELE_ELIMIT, "too many rows kept by one operator");
		cap *= 2;
	}
	if (!rs->cols) {
		rs->cols = calloc(rs->ncols ? rs->ncols : 1, sizeof *rs->cols);
		if (!rs->cols)
			return failf(err, STELE_ENOMEM, "out of memory keeping rows");
	}
	size_t add = 0;
	for (uint32_t c = 0; c < rs->ncols; c++) {
		Vec *v = &rs->cols[c];
		size_t es = type_size(rs->types[c]);
		uint8_t *nn = realloc(v->null, cap);
		if (!nn)
			return failf(err, STELE_ENOMEM, "out of memory keeping rows");
		v->null = nn;
		void *d = realloc(v->d.p, (size_t)cap * es);
		if (!d)
			return failf(err, STELE_ENOMEM, "out of memory keeping rows");
		v->d.p = d;
		v->type = rs->types[c];
		add += (size_t)(cap - rs->cap) * (es + 1);
	}
	rs->cap = cap;
	rs->charged += add;
	return exec_charge(rs->cx, add, err);
}

int rowstore_append(RowStore *rs, const Batch *b, const uint32_t *sel, uint32_t n, StErr *err)
{
	if (!sel)
		n = b->n;
	if (n == 0)
		return STELE_OK;
	int rc = rs_grow(rs, rs->n + n, err);
	if (rc)
		return rc;
	size_t before = rs->strs.used;
	for (uint32_t c = 0; c < rs->ncols; c++) {
		const Vec *s = &b->cols[c];
		Vec *d = &rs->cols[c];
		for (uint32_t k = 0; k < n; k++) {
			uint32_t i = sel ? sel[k] : k;
			uint32_t o = rs->n + k;
			if (s->type == STELE_TYPE_NONE || s->null[i]) {
				d->null[o] = 1;
				if (d->type == STELE_TYPE_VARCHAR)
					d->d.s[o] = (SqlStr){"", 0};
				else
					d->d.u[o] = 0;
				continue;
			}
			d->null[o] = 0;
			if (d->type == STELE_TYPE_VARCHAR) {
				d->d.s[o] = s->d.s[i];
				if (!vec_copy_str(&rs->strs, &d->d.s[o]))
					return failf(err, STELE_ENOMEM, "out of memory keeping rows");
			} else {
				d->d.u[o] = s->d.u[i];
			}
		}
	}
	rs->n += n;
	size_t grew = rs->strs.used - before;
	rs->charged += grew;
	return exec_charge(rs->cx, grew, err);
}

Batch *rowstore_batch(const RowStore *rs, Arena *a, const uint32_t *idx, uint32_t from,
                      uint32_t n)
{
	Batch *b = batch_alloc(a, rs->ncols);
	if (!b)
		return NULL;
	b->n = n;
	for (uint32_t c = 0; c < rs->ncols; c++) {
		const Vec *s = &rs->cols[c];
		Vec *d = &b->cols[c];
		if (!idx) {
			/* A window onto the store: no copy. */
			d->type = rs->types[c];
			d->null = s->null + from;
			d->d.u = (uint64_t *)((char *)s->d.p + (size_t)from * type_size(d->type));
			continue;
		}
		if (!vec_alloc(a, d, rs->types[c], n))
			return NULL;
		for (uint32_t k = 0; k < n; k++)
			vec_copy_row(d, k, s, idx[k]);
	}
	return b;
}

void rowstore_free(RowStore *rs)
{
	if (rs->cols)
		for (uint32_t c = 0; c < rs->ncols; c++) {
			free(rs->cols[c].null);
			free(rs->cols[c].d.p);
		}
	free(rs->cols);
	arena_free(&rs->strs);
	if (rs->cx)
		exec_release(rs->cx, rs->charged);
	ExecCtx *cx = rs->cx;
	uint32_t ncols = rs->ncols;
	const uint8_t *types = rs->types;
	memset(rs, 0, sizeof *rs);
	rs->cx = cx;
	rs->ncols = ncols;
	rs->types = types;
	rs->strs.block_size = 256 * 1024;
}

/* PostgreSQL's order: ascending puts NULLs last, descending first, unless
 * NULLS FIRST / LAST says otherwise. */
int sortkey_cmp(const RowStore *rs, const SortKey *keys, uint32_t nkeys, uint32_t i, uint32_t j)
{
	for (uint32_t k = 0; k < nkeys; k++) {
		const Vec *v = &rs->cols[keys[k].col];
		bool ni = v->type == STELE_TYPE_NONE || v->null[i];
		bool nj = v->type == STELE_TYPE_NONE || v->null[j];
		int c;
		if (ni || nj) {
			if (ni && nj)
				continue;
			c = ni ? 1 : -1; /* NULLs last... */
			return keys[k].nulls_first ? -c : c;
		} else {
			c = vec_cmp(v, i, v, j);
		}
		if (c)
			return keys[k].desc ? -c : c;
	}
	return 0;
}

int exec_collect(Op *op, RowStore *rs, StErr *err)
{
	int rc = op_open(op, err);
	while (rc == STELE_OK) {
		Batch *b;
		rc = op_next(op, &b, err);
		if (rc || !b)
			break;
		rc = rowstore_append(rs, b, NULL, b->n, err);
	}
	op_close(op);
	return rc;
}

/* ---- subqueries ---- */

int subplan_run(SubPlan *sp, StErr *err)
{
	if (sp->done)
		return STELE_OK;
	rowstore_init(&sp->rows, sp->op->cx, sp->op->ncols, sp->op->types);
	int rc = exec_collect(sp->op, &sp->rows, err);
	if (rc)
		return rc;
	if (sp->kind == SUB_SCALAR) {
		if (sp->rows.n > 1)
			return failf(err, STELE_EINVAL,
			             "more than one row returned by a subquery used as an expression");
		sp->value = sp->rows.n ? vec_get(&sp->rows.cols[0], 0)
		                       : (Datum){.type = sp->op->types[0], .null = true};
		sp->value.type = sp->op->types[0];
	} else if (sp->kind == SUB_IN) {
		uint32_t cap = 16;
		while (cap < sp->rows.n * 2 + 2)
			cap *= 2;
		sp->slots = calloc(cap, sizeof *sp->slots);
		if (!sp->slots)
			return failf(err, STELE_ENOMEM, "out of memory running a subquery");
		sp->mask = cap - 1;
		const Vec *v = sp->rows.n ? &sp->rows.cols[0] : NULL;
		for (uint32_t i = 0; i < sp->rows.n; i++) {
			if (v->type == STELE_TYPE_NONE || v->null[i]) {
				sp->has_null = true;
				continue;
			}
			uint32_t h = (uint32_t)vec_hash(v, i) & sp->mask;
			while (sp->slots[h])
				h = (h + 1) & sp->mask;
			sp->slots[h] = i + 1;
		}
	}
	sp->done = true;
	return STELE_OK;
}

bool subplan_contains(const SubPlan *sp, const Vec *x, uint32_t i)
{
	if (!sp->slots || sp->rows.n == 0 || sp->rows.cols[0].type == STELE_TYPE_NONE)
		return false;
	const Vec *v = &sp->rows.cols[0];
	uint32_t h = (uint32_t)vec_hash(x, i) & sp->mask;
	for (; sp->slots[h]; h = (h + 1) & sp->mask) {
		uint32_t r = sp->slots[h] - 1;
		if (vec_cmp(x, i, v, r) == 0)
			return true;
	}
	return false;
}

void subplan_reset(SubPlan *sp)
{
	/* Also after a failed run, which may have kept rows. */
	rowstore_free(&sp->rows);
	free(sp->slots);
	sp->slots = NULL;
	sp->has_null = false;
	sp->done = false;
}
