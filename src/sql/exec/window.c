/* window.c - Window: window functions over the rows of its child. Output:
 * the child's columns, then one column per call, rows in the child's
 * order.
 *
 *     open   reads every child row into a RowStore; then for each call:
 *            evaluates its partition, order and argument expressions over
 *            all rows, sorts row indexes by (partition, order), and walks
 *            each partition computing the function for every row:
 *              row_number, rank, dense_rank   from positions and peers
 *              lag, lead                      the row k before / after
 *              first_value, last_value        the frame's ends
 *              an aggregate                   over the frame: running
 *                                             (UNBOUNDED PRECEDING to
 *                                             CURRENT ROW) folds
 *                                             incrementally, peers
 *                                             together for RANGE; any
 *                                             other frame folds its rows
 *                                             anew for each row
 *     next   returns the stored rows with the results
 *     close  frees everything
 *
 * The default frame is PostgreSQL's: RANGE BETWEEN UNBOUNDED PRECEDING
 * AND CURRENT ROW with ORDER BY (peers included), the whole partition
 * without.
 */
#include <stdlib.h>
#include <string.h>

#include "sql/exec/plans.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory computing a window function")

typedef struct Window {
	Op op;
	const WinPlan *plan;
	RowStore rows;
	Vec *res;              /* [ncalls] results over all rows */
	Arena mem;
	size_t charged;        /* bytes charged to the query (eval_all) */
	uint32_t pos;
} Window;

/* One expression over every stored row, into a Vec of rs->n rows. */
static int eval_all(Window *w, const Expr *e, Vec *out, StErr *err)
{
	RowStore *rs = &w->rows;
	if (!vec_alloc(&w->mem, out, e->type, rs->n))
		return NOMEM(err);
	size_t bytes = (size_t)rs->n * (type_size(e->type) + 1);
	w->charged += bytes;
	int rc = exec_charge(w->op.cx, bytes, err);
	if (rc)
		return rc;
	Arena tmp = {0};
	EvalCtx ev = w->op.ev;
	ev.arena = &tmp;
	for (uint32_t from = 0; from < rs->n && rc == STELE_OK; from += VEC_ROWS) {
		uint32_t n = rs->n - from < VEC_ROWS ? rs->n - from : VEC_ROWS;
		Batch *b = rowstore_batch(rs, &tmp, NULL, from, n);
		Vec v;
		rc = b ? expr_eval(&ev, e, b, &v, err) : NOMEM(err);
		for (uint32_t i = 0; rc == STELE_OK && i < n; i++) {
			vec_copy_row(out, from + i, &v, i);
			if (out->type == STELE_TYPE_VARCHAR && !out->null[from + i] &&
			    !vec_copy_str(&w->mem, &out->d.s[from + i]))
				rc = NOMEM(err);
		}
		arena_reset(&tmp);
	}
	arena_free(&tmp);
	return rc;
}

typedef struct WinSort {
	Vec *part;
	uint32_t npart;
	Vec *ord;
	const bool *desc, *nulls_first;
	uint32_t norder;
} WinSort;

static int cmp_key(const Vec *v, uint32_t i, uint32_t j, bool desc, bool nulls_first)
{
	bool ni = v->type == STELE_TYPE_NONE || v->null[i];
	bool nj = v->type == STELE_TYPE_NONE || v->null[j];
	if (ni || nj) {
		if (ni && nj)
			return 0;
		int c = ni ? 1 : -1;
		return nulls_first ? -c : c;
	}
	int c = vec_cmp(v, i, v, j);
	return desc ? -c : c;
}

static int same_part(const WinSort *s, uint32_t i, uint32_t j)
{
	for (uint32_t k = 0; k < s->npart; k++)
		if (cmp_key(&s->part[k], i, j, false, false))
			return 0;
	return 1;
}

static int peers(const WinSort *s, uint32_t i, uint32_t j)
{
	for (uint32_t k = 0; k < s->norder; k++)
		if (cmp_key(&s->ord[k], i, j, false, false))
			return 0;
	return 1;
}

static int cmp_rows(const void *a, const void *b, void *arg)
{
	const WinSort *s = arg;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	for (uint32_t k = 0; k < s->npart; k++) {
		int c = cmp_key(&s->part[k], i, j, false, false);
		if (c)
			return c;
	}
	for (uint32_t k = 0; k < s->norder; k++) {
		int c = cmp_key(&s->ord[k], i, j, s->desc[k], s->nulls_first[k]);
		if (c)
			return c;
	}
	return i < j ? -1 : i > j;
}

/* For RANGE offsets: is row r's key on the inner side of the bound at
 * (row p's key -/+ off), as a frame start (key >= bound in the order's
 * direction) or end (key <= bound)? Integers and times compare exactly. */
static bool range_ok(const Vec *ov, uint32_t r, uint32_t p, int64_t off, bool preceding,
                     bool desc, bool is_start)
{
	int dir = (preceding ? -1 : 1) * (desc ? -1 : 1);
	int c;
	if (ov->type == STELE_TYPE_DOUBLE) {
		double bound = ov->d.f[p] + (double)off * dir, k = ov->d.f[r];
		c = k < bound ? -1 : k > bound;
	} else {
		__int128 bound = (__int128)ov->d.i[p] + (__int128)off * dir, k = ov->d.i[r];
		c = k < bound ? -1 : k > bound;
	}
	if (desc)
		c = -c;
	return is_start ? c >= 0 : c <= 0;
}

/* Frame [*lo, *hi] (positions in idx, inclusive; lo > hi: empty) of the
 * row at position p of the partition [ps, pe). */
static void frame(const WinCall *c, const WinSort *s, const uint32_t *idx, uint32_t ps,
                  uint32_t pe, uint32_t p, int64_t sn, int64_t en, int64_t *lo, int64_t *hi)
{
	int64_t a, z;
	/* Peer group of p. */
	uint32_t g0 = p, g1 = p;
	while (g0 > ps && peers(s, idx[g0 - 1], idx[p]))
		g0--;
	while (g1 + 1 < pe && peers(s, idx[g1 + 1], idx[p]))
		g1++;
	bool range = !c->rows;
	const Vec *ov = s->norder ? &s->ord[0] : NULL;
	switch (c->start) {
	case FB_UNBOUNDED_PRECEDING:
		a = ps;
		break;
	case FB_CURRENT:
		a = range ? g0 : p;
		break;
	case FB_PRECEDING:
	case FB_FOLLOWING: {
		if (!range) {
			a = c->start == FB_PRECEDING ? (int64_t)p - sn : (int64_t)p + sn;
			break;
		}
		/* RANGE offset: the first row whose key is within. */
		a = pe;
		for (uint32_t q = ps; q < pe; q++)
			if (!ov->null[idx[q]] &&
			    range_ok(ov, idx[q], idx[p], sn, c->start == FB_PRECEDING, s->desc[0], true)) {
				a = q;
				break;
			}
		break;
	}
	default:
		a = pe;
	}
	switch (c->end) {
	case FB_UNBOUNDED_FOLLOWING:
		z = (int64_t)pe - 1;
		break;
	case FB_CURRENT:
		z = range ? g1 : p;
		break;
	case FB_PRECEDING:
	case FB_FOLLOWING: {
		if (!range) {
			z = c->end == FB_PRECEDING ? (int64_t)p - en : (int64_t)p + en;
			break;
		}
		z = (int64_t)ps - 1;
		for (uint32_t q = ps; q < pe; q++)
			if (!ov->null[idx[q]] &&
			    range_ok(ov, idx[q], idx[p], en, c->end == FB_PRECEDING, s->desc[0], false))
				z = q;
		break;
	}
	default:
		z = (int64_t)ps - 1;
	}
	if (a < ps)
		a = ps;
	if (z >= pe)
		z = (int64_t)pe - 1;
	*lo = a;
	*hi = z;
}

static int compute(Window *w, const WinCall *c, Vec *res, StErr *err)
{
	RowStore *rs = &w->rows;
	uint32_t n = rs->n;
	int rc;
	WinSort s = {0};
	s.npart = c->npart;
	s.norder = c->norder;
	s.desc = c->desc;
	s.nulls_first = c->nulls_first;
	s.part = arena_alloc(&w->mem, (c->npart + 1) * sizeof *s.part);
	s.ord = arena_alloc(&w->mem, (c->norder + 1) * sizeof *s.ord);
	if (!s.part || !s.ord)
		return NOMEM(err);
	for (uint32_t k = 0; k < c->npart; k++)
		if ((rc = eval_all(w, c->part[k], &s.part[k], err)))
			return rc;
	for (uint32_t k = 0; k < c->norder; k++)
		if ((rc = eval_all(w, c->ord[k], &s.ord[k], err)))
			return rc;
	Vec arg = {0};
	if (c->arg && (rc = eval_all(w, c->arg, &arg, err)))
		return rc;
	const AggCall *ac = c->agg;
	Vec *aargs = NULL;
	Vec filt = {0};
	if (ac) {
		aargs = arena_alloc(&w->mem, (ac->nargs + 1) * sizeof *aargs);
		if (!aargs)
			return NOMEM(err);
		for (uint32_t k = 0; k < ac->nargs; k++)
			if ((rc = eval_all(w, ac->args[k], &aargs[k], err)))
				return rc;
		if (ac->filter && (rc = eval_all(w, ac->filter, &filt, err)))
			return rc;
	}
	int64_t off = 1, sn = 0, en = 0;
	Datum dflt = {.type = c->type, .null = true};
	Datum d;
	if (c->offset) {
		if ((rc = expr_eval_const(&w->op.ev, c->offset, &d, err)))
			return rc;
		off = d.null ? 0 : d.v.i;
	}
	if (c->dflt && (rc = expr_eval_const(&w->op.ev, c->dflt, &dflt, err)))
		return rc;
	if (dflt.type == STELE_TYPE_VARCHAR && !dflt.null && !vec_copy_str(&w->mem, &dflt.v.s))
		return NOMEM(err);
	if (c->start_n) {
		if ((rc = expr_eval_const(&w->op.ev, c->start_n, &d, err)))
			return rc;
		sn = d.null ? 0 : d.type == STELE_TYPE_DOUBLE ? (int64_t)d.v.f : d.v.i;
		if (sn < 0)
			return failf(err, STELE_EINVAL, "frame starting offset must not be negative");
	}
	if (c->end_n) {
		if ((rc = expr_eval_const(&w->op.ev, c->end_n, &d, err)))
			return rc;
		en = d.null ? 0 : d.type == STELE_TYPE_DOUBLE ? (int64_t)d.v.f : d.v.i;
		if (en < 0)
			return failf(err, STELE_EINVAL, "frame ending offset must not be negative");
	}
	arena_reset(&w->op.out);
	uint32_t *idx = malloc(((size_t)n + 1) * sizeof *idx);
	uint32_t *rows = malloc(((size_t)n + 1) * sizeof *rows);
	uint32_t *gids = calloc((size_t)n + 1, sizeof *gids);
	uint8_t *state = NULL;
	AggRun run = {.cx = w->op.cx, .arena = &w->mem};
	if (!idx || !rows || !gids) {
		rc = NOMEM(err);
		goto out;
	}
	if (ac && !(state = aligned_alloc(16, ((size_t)ac->state_size + 15) & ~(size_t)15))) {
		rc = NOMEM(err);
		goto out;
	}
	for (uint32_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof *idx, cmp_rows, &s);
	if (!vec_alloc(&w->mem, res, c->type, n)) {
		rc = NOMEM(err);
		goto out;
	}
	bool running = c->start == FB_UNBOUNDED_PRECEDING && c->end == FB_CURRENT;
	if (c->norder == 0 && c->start == FB_UNBOUNDED_PRECEDING && c->end == FB_CURRENT &&
	    !c->rows)
		running = false; /* no ORDER BY: every row is a peer of every other */
	for (uint32_t ps = 0; ps < n && rc == STELE_OK;) {
		uint32_t pe = ps + 1;
		while (pe < n && same_part(&s, idx[ps], idx[pe]))
			pe++;
		int64_t rank = 1, dense = 1;
		if (ac && running)
			ac->def->init(ac, state);
		uint32_t folded = ps; /* running: rows [ps, folded) are in state */
		for (uint32_t p = ps; p < pe && rc == STELE_OK; p++) {
			uint32_t r = idx[p];
			if (p > ps && !peers(&s, idx[p - 1], r)) {
				rank = p - ps + 1;
				dense++;
			}
			Datum v = {.type = c->type};
			switch (c->func) {
			case WF_ROW_NUMBER:
				v.v.i = p - ps + 1;
				break;
			case WF_RANK:
				v.v.i = rank;
				break;
			case WF_DENSE_RANK:
				v.v.i = dense;
				break;
			case WF_LAG:
			case WF_LEAD: {
				int64_t q = c->func == WF_LAG ? (int64_t)p - off : (int64_t)p + off;
				if (q < ps || q >= pe)
					v = dflt;
				else
					v = vec_get(&arg, idx[q]);
				break;
			}
			case WF_FIRST_VALUE:
			case WF_LAST_VALUE: {
				int64_t lo, hi;
				frame(c, &s, idx, ps, pe, p, sn, en, &lo, &hi);
				if (lo > hi)
					v.null = true;
				else
					v = vec_get(&arg, idx[c->func == WF_FIRST_VALUE ? lo : hi]);
				break;
			}
			default: {
				int64_t lo, hi;
				frame(c, &s, idx, ps, pe, p, sn, en, &lo, &hi);
				uint32_t from = (uint32_t)lo, to = (uint32_t)(hi + 1);
				if (!running) {
					ac->def->init(ac, state);
					folded = from;
				}
				if (lo > hi)
					to = folded;
				uint32_t nr = 0;
				for (uint32_t q = folded; q < to; q++) {
					uint32_t x = idx[q];
					bool skip = ac->filter && (filt.null[x] || !filt.d.i[x]);
					for (uint32_t k = 0; k < ac->nargs && !skip; k++)
						skip = aargs[k].type == STELE_TYPE_NONE || aargs[k].null[x];
					if (!skip)
						rows[nr++] = x;
				}
				if (to > folded)
					folded = to;
				if (nr)
					rc = ac->def->update(&run, ac, state, 0, gids, rows, nr, aargs, err);
				if (rc == STELE_OK)
					rc = ac->def->final(&run, ac, state, &v, err);
				break;
			}
			}
			if (rc)
				break;
			if (v.type == STELE_TYPE_VARCHAR && !v.null && !vec_copy_str(&w->mem, &v.v.s)) {
				rc = NOMEM(err);
				break;
			}
			v.type = c->type;
			vec_set(res, r, &v);
		}
		ps = pe;
	}
out:
	free(idx);
	free(rows);
	free(gids);
	free(state);
	return rc;
}

static void window_free(Window *w)
{
	rowstore_free(&w->rows);
	exec_release(w->op.cx, w->charged);
	w->charged = 0;
	arena_free(&w->mem);
}

static int window_open(Op *op, StErr *err)
{
	Window *w = (Window *)op;
	window_free(w);
	Op *kid = op->kids[0];
	rowstore_init(&w->rows, op->cx, kid->ncols, kid->types);
	w->pos = 0;
	int rc = exec_collect(kid, &w->rows, err);
	if (rc)
		return rc;
	w->res = arena_alloc(&w->mem, (w->plan->ncalls + 1) * sizeof *w->res);
	if (!w->res)
		return NOMEM(err);
	for (uint32_t i = 0; i < w->plan->ncalls && rc == STELE_OK; i++)
		rc = compute(w, w->plan->calls[i], &w->res[i], err);
	return rc;
}

static int window_next(Op *op, Batch **out, StErr *err)
{
	Window *w = (Window *)op;
	arena_reset(&op->out);
	*out = NULL;
	if (w->pos >= w->rows.n)
		return STELE_OK;
	uint32_t n = w->rows.n - w->pos;
	if (n > VEC_ROWS)
		n = VEC_ROWS;
	Batch *kb = rowstore_batch(&w->rows, &op->out, NULL, w->pos, n);
	Batch *b = batch_alloc(&op->out, op->ncols);
	if (!kb || !b)
		return NOMEM(err);
	b->n = n;
	memcpy(b->cols, kb->cols, w->rows.ncols * sizeof *b->cols);
	for (uint32_t i = 0; i < w->plan->ncalls; i++) {
		Vec v = w->res[i];
		v.null += w->pos;
		v.d.p = (char *)v.d.p + (size_t)w->pos * type_size(v.type);
		b->cols[w->rows.ncols + i] = v;
	}
	w->pos += n;
	*out = b;
	return STELE_OK;
}

static void window_close(Op *op) { window_free((Window *)op); }

static void window_explain(const Op *op, Buf *out)
{
	const WinPlan *p = ((const Window *)op)->plan;
	for (uint32_t i = 0; i < p->ncalls; i++) {
		if (i)
			buf_put(out, ", ", 2);
		buf_put(out, p->calls[i]->name, strlen(p->calls[i]->name));
		buf_put(out, "()", 2);
	}
}

static const OpVt window_vt = {"WindowAgg", window_open, window_next, window_close,
                               window_explain, NULL};

Op *op_window(ExecCtx *cx, Op *kid, const WinPlan *plan)
{
	Window *w = op_alloc(cx, sizeof *w);
	uint32_t ncols = kid->ncols + plan->ncalls;
	uint8_t *types = op_alloc(cx, ncols + 1);
	if (!w || !types)
		return NULL;
	memcpy(types, kid->types, kid->ncols);
	for (uint32_t i = 0; i < plan->ncalls; i++)
		types[kid->ncols + i] = plan->calls[i]->type;
	op_init(&w->op, &window_vt, cx, ncols, types);
	w->op.kids[0] = kid;
	w->op.nkids = 1;
	w->plan = plan;
	w->mem.block_size = 64 * 1024;
	rowstore_init(&w->rows, cx, kid->ncols, kid->types);
	return &w->op;
}
