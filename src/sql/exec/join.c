/* join.c - HashJoin, NestedLoop (CROSS) and AsofJoin: the rows of the left
 * child combined with the matching rows of the right child; output
 * columns are the left child's, then the right's.
 *
 *     open   reads the whole right child into a RowStore with its key
 *            values, and indexes it: a hash table of the keys (inner and
 *            left joins; NULL keys never match) or, for ASOF, the rows of
 *            each key sorted by their time; opens the left child
 *     next   for each left batch finds every left row's candidates, up to
 *            VEC_ROWS pairs at a time; keeps the pairs the residual
 *            condition holds for; a LEFT join adds the left rows that kept
 *            none, with NULLs on the right
 *     close  frees the right rows, closes the left child
 *
 * ASOF JOIN pairs each left row with one right row of equal keys: the one
 * with the greatest time <= (or <) the left row's for left.ts >= right.ts,
 * the least >= (or >) for left.ts <= right.ts.
 */
#include <stdlib.h>
#include <string.h>

#include "sql/exec/plans.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory joining rows")

typedef struct Join {
	Op op;
	const JoinPlan *plan;
	uint32_t nleft, nright;
	uint8_t *rtypes;       /* right columns, then its keys, then rts */
	RowStore right;
	uint64_t *rhash;
	uint32_t *head, *next, mask;   /* hash chains: row index + 1 */
	uint32_t *order;       /* ASOF: right rows sorted by (hash, keys, rts) */
	/* The left batch being joined. */
	Batch *lb;
	Arena larena;          /* its key values, hashes and flags */
	Vec *lkeys, lts;
	uint64_t *lhash;
	uint8_t *matched;
	uint32_t li;           /* next left row */
	uint32_t cand;         /* next candidate of row li (chain pos + 1, or
	                          cross/asof index); 0: start */
	bool in_row;
	bool ldone;
	size_t charged;        /* index bytes charged (the RowStore has its own) */
} Join;

static bool asof(const Join *j)
{
	return j->plan->type == JOIN_ASOF || j->plan->type == JOIN_ASOF_LEFT;
}
static bool left_outer(const Join *j)
{
	return j->plan->type == JOIN_LEFT || j->plan->type == JOIN_ASOF_LEFT;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	return h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
}

/* Hash of the keys of row i; false when a key is NULL (never matches). */
static bool key_hash(const Vec *keys, uint32_t nkeys, uint32_t i, uint64_t *h)
{
	uint64_t x = 0x7f4a7c15;
	for (uint32_t k = 0; k < nkeys; k++) {
		if (keys[k].type == STELE_TYPE_NONE || keys[k].null[i])
			return false;
		x = mix(x, vec_hash(&keys[k], i));
	}
	*h = x;
	return true;
}

static bool keys_eq(const Join *j, uint32_t li, uint32_t r)
{
	uint32_t nk = j->plan->nkeys;
	for (uint32_t k = 0; k < nk; k++) {
		const Vec *rv = &j->right.cols[j->nright + k];
		if (rv->null[r] || vec_cmp(&j->lkeys[k], li, rv, r) != 0)
			return false;
	}
	return true;
}

typedef struct AsofCtx {
	const Join *j;
} AsofCtx;

static int asof_cmp(const void *a, const void *b, void *arg)
{
	const Join *j = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (j->rhash[x] != j->rhash[y])
		return j->rhash[x] < j->rhash[y] ? -1 : 1;
	uint32_t nk = j->plan->nkeys;
	for (uint32_t k = 0; k < nk; k++) {
		const Vec *v = &j->right.cols[j->nright + k];
		int c = vec_cmp(v, x, v, y);
		if (c)
			return c;
	}
	const Vec *t = &j->right.cols[j->nright + nk];
	int c = vec_cmp(t, x, t, y);
	return c ? c : (x < y ? -1 : x > y);
}

static void join_free(Join *j)
{
	rowstore_free(&j->right);
	free(j->rhash);
	free(j->head);
	free(j->next);
	free(j->order);
	j->rhash = NULL;
	j->head = j->next = j->order = NULL;
	j->mask = 0;
	arena_free(&j->larena);
	j->lb = NULL;
	exec_release(j->op.cx, j->charged);
	j->charged = 0;
}

static int build(Join *j, StErr *err)
{
	const JoinPlan *p = j->plan;
	Op *r = j->op.kids[1];
	uint32_t nk = p->nkeys, ncols = j->nright + nk + (asof(j) ? 1 : 0);
	rowstore_init(&j->right, j->op.cx, ncols, j->rtypes);
	int rc = op_open(r, err);
	Arena tmp = {0};
	EvalCtx ev = j->op.ev;
	ev.arena = &tmp;
	while (rc == STELE_OK) {
		Batch *b;
		rc = op_next(r, &b, err);
		if (rc || !b)
			break;
		Batch *wide = batch_alloc(&tmp, ncols);
		if (!wide) {
			rc = NOMEM(err);
			break;
		}
		wide->n = b->n;
		memcpy(wide->cols, b->cols, j->nright * sizeof *b->cols);
		for (uint32_t k = 0; k < nk && rc == STELE_OK; k++)
			rc = expr_eval(&ev, p->rkeys[k], b, &wide->cols[j->nright + k], err);
		if (rc == STELE_OK && asof(j))
			rc = expr_eval(&ev, p->rts, b, &wide->cols[j->nright + nk], err);
		if (rc == STELE_OK)
			rc = rowstore_append(&j->right, wide, NULL, b->n, err);
		arena_reset(&tmp);
	}
	arena_free(&tmp);
	op_close(r);
	if (rc)
		return rc;
	uint32_t n = j->right.n;
	j->rhash = malloc(((size_t)n + 1) * sizeof *j->rhash);
	if (!j->rhash)
		return NOMEM(err);
	j->charged += (size_t)n * 8;
	rc = exec_charge(j->op.cx, (size_t)n * 8, err);
	if (rc)
		return rc;
	Vec *rk = j->right.cols ? j->right.cols + j->nright : NULL;
	if (asof(j)) {
		/* Rows with a NULL key or time never match: leave them out. */
		j->order = malloc(((size_t)n + 1) * sizeof *j->order);
		if (!j->order)
			return NOMEM(err);
		uint32_t m = 0;
		const Vec *t = n ? &j->right.cols[j->nright + nk] : NULL;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t h = 0;
			if (!key_hash(rk, nk, i, &h) || t->null[i])
				continue;
			j->rhash[i] = h;
			j->order[m++] = i;
		}
		qsort_r(j->order, m, sizeof *j->order, asof_cmp, j);
		j->mask = m; /* ASOF: count of ordered rows */
		j->charged += (size_t)n * 4;
		return exec_charge(j->op.cx, (size_t)n * 4, err);
	}
	if (p->type == JOIN_CROSS || nk == 0)
		return STELE_OK;
	uint32_t cap = 16;
	while (cap < n * 2 + 2)
		cap *= 2;
	j->head = calloc(cap, sizeof *j->head);
	j->next = calloc((size_t)n + 1, sizeof *j->next);
	if (!j->head || !j->next)
		return NOMEM(err);
	j->mask = cap - 1;
	for (uint32_t i = n; i-- > 0;) {
		uint64_t h;
		if (!key_hash(rk, nk, i, &h))
			continue;
		j->rhash[i] = h;
		uint32_t s = (uint32_t)h & j->mask;
		j->next[i] = j->head[s];
		j->head[s] = i + 1;
	}
	j->charged += (size_t)cap * 4 + (size_t)n * 4;
	return exec_charge(j->op.cx, (size_t)cap * 4 + (size_t)n * 4, err);
}

static int join_open(Op *op, StErr *err)
{
	Join *j = (Join *)op;
	join_free(j);
	j->ldone = false;
	j->lb = NULL;
	int rc = build(j, err);
	if (rc)
		return rc;
	return op_open(op->kids[0], err);
}

/* Pulls the next left batch and evaluates its keys. */
static int next_left(Join *j, StErr *err)
{
	const JoinPlan *p = j->plan;
	arena_reset(&j->larena);
	j->lb = NULL;
	Batch *b;
	int rc = op_next(j->op.kids[0], &b, err);
	if (rc || !b) {
		j->ldone = true;
		return rc;
	}
	EvalCtx ev = j->op.ev;
	ev.arena = &j->larena;
	j->lkeys = arena_alloc(&j->larena, (p->nkeys + 1) * sizeof *j->lkeys);
	j->lhash = arena_alloc(&j->larena, ((size_t)b->n + 1) * sizeof *j->lhash);
	j->matched = arena_alloc(&j->larena, (size_t)b->n + 1);
	if (!j->lkeys || !j->lhash || !j->matched)
		return NOMEM(err);
	memset(j->matched, 0, (size_t)b->n + 1);
	for (uint32_t k = 0; k < p->nkeys; k++) {
		rc = expr_eval(&ev, p->lkeys[k], b, &j->lkeys[k], err);
		if (rc)
			return rc;
	}
	if (asof(j)) {
		rc = expr_eval(&ev, p->lts, b, &j->lts, err);
		if (rc)
			return rc;
	}
	j->lb = b;
	j->li = 0;
	j->cand = 0;
	j->in_row = false;
	return STELE_OK;
}

/* The matching right row for left row i of an ASOF join, or UINT32_MAX. */
static uint32_t asof_find(Join *j, uint32_t i)
{
	uint64_t h;
	if (!key_hash(j->lkeys, j->plan->nkeys, i, &h) || j->lts.null[i])
		return UINT32_MAX;
	int64_t lt = j->lts.d.i[i];
	const Vec *t = &j->right.cols[j->nright + j->plan->nkeys];
	uint32_t lo = 0, hi = j->mask;
	/* First row of the hash run. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (j->rhash[j->order[mid]] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t best = UINT32_MAX;
	for (uint32_t k = lo; k < j->mask && j->rhash[j->order[k]] == h; k++) {
		uint32_t r = j->order[k];
		if (!keys_eq(j, i, r))
			continue;
		int64_t rt = t->d.i[r];
		bool ok = j->plan->asof_ge ? (j->plan->asof_strict ? rt < lt : rt <= lt)
		                           : (j->plan->asof_strict ? rt > lt : rt >= lt);
		if (!ok)
			continue;
		if (j->plan->asof_ge) {
			best = r; /* ascending times: the last that qualifies */
		} else {
			best = r; /* the first that qualifies */
			break;
		}
	}
	return best;
}

static int join_next(Op *op, Batch **out, StErr *err)
{
	Join *j = (Join *)op;
	const JoinPlan *p = j->plan;
	*out = NULL;
	for (;;) {
		arena_reset(&op->out);
		if (!j->lb || j->li >= j->lb->n) {
			if (j->ldone)
				return STELE_OK;
			int rc = next_left(j, err);
			if (rc)
				return rc;
			if (!j->lb)
				return STELE_OK;
		}
		Batch *lb = j->lb;
		uint32_t cap = VEC_ROWS;
		uint32_t *pl = arena_alloc(&op->out, (size_t)(cap + lb->n + 1) * sizeof *pl);
		uint32_t *pr = arena_alloc(&op->out, (size_t)(cap + lb->n + 1) * sizeof *pr);
		uint32_t *done = arena_alloc(&op->out, ((size_t)lb->n + 1) * sizeof *done);
		if (!pl || !pr || !done)
			return NOMEM(err);
		uint32_t np = 0, ndone = 0;
		/* Candidate pairs. */
		while (j->li < lb->n && np < cap) {
			uint32_t i = j->li;
			if (asof(j)) {
				uint32_t r = asof_find(j, i);
				if (r != UINT32_MAX) {
					pl[np] = i;
					pr[np++] = r;
				}
				done[ndone++] = i;
				j->li++;
				continue;
			}
			if (p->type == JOIN_CROSS || p->nkeys == 0) {
				uint32_t r = j->cand;
				while (r < j->right.n && np < cap) {
					pl[np] = i;
					pr[np++] = r++;
				}
				if (r >= j->right.n) {
					done[ndone++] = i;
					j->li++;
					j->cand = 0;
				} else {
					j->cand = r;
				}
				continue;
			}
			uint32_t r1;
			if (!j->in_row) {
				uint64_t h;
				r1 = 0;
				if (key_hash(j->lkeys, p->nkeys, i, &h)) {
					j->lhash[i] = h;
					r1 = j->head[(uint32_t)h & j->mask];
				}
				j->in_row = true;
			} else {
				r1 = j->cand;
			}
			while (r1 && np < cap) {
				uint32_t r = r1 - 1;
				if (j->rhash[r] == j->lhash[i] && keys_eq(j, i, r)) {
					pl[np] = i;
					pr[np++] = r;
				}
				r1 = j->next[r];
			}
			if (r1 == 0) {
				done[ndone++] = i;
				j->li++;
				j->in_row = false;
				j->cand = 0;
			} else {
				j->cand = r1;
			}
		}
		/* The joined rows. */
		uint32_t ncols = j->nleft + j->nright;
		Batch *b = batch_alloc(&op->out, ncols);
		if (!b)
			return NOMEM(err);
		b->n = np;
		for (uint32_t c = 0; c < j->nleft; c++) {
			Vec *d = &b->cols[c];
			if (!vec_alloc(&op->out, d, op->types[c], np + lb->n))
				return NOMEM(err);
			for (uint32_t k = 0; k < np; k++)
				vec_copy_row(d, k, &lb->cols[c], pl[k]);
		}
		for (uint32_t c = 0; c < j->nright; c++) {
			Vec *d = &b->cols[j->nleft + c];
			if (!vec_alloc(&op->out, d, op->types[j->nleft + c], np + lb->n))
				return NOMEM(err);
			for (uint32_t k = 0; k < np; k++)
				vec_copy_row(d, k, &j->right.cols[c], pr[k]);
		}
		uint32_t nkeep = np;
		if (p->residual && np) {
			uint32_t *sel = arena_alloc(&op->out, ((size_t)np + 1) * sizeof *sel);
			if (!sel)
				return NOMEM(err);
			int rc = expr_filter(&op->ev, p->residual, b, sel, &nkeep, err);
			if (rc)
				return rc;
			for (uint32_t k = 0; k < nkeep; k++) {
				j->matched[pl[sel[k]]] = 1;
				for (uint32_t c = 0; c < ncols; c++)
					vec_copy_row(&b->cols[c], k, &b->cols[c], sel[k]);
			}
		} else {
			for (uint32_t k = 0; k < np; k++)
				j->matched[pl[k]] = 1;
		}
		b->n = nkeep;
		if (left_outer(j)) {
			for (uint32_t k = 0; k < ndone; k++) {
				uint32_t i = done[k];
				if (j->matched[i])
					continue;
				uint32_t o = b->n++;
				for (uint32_t c = 0; c < j->nleft; c++)
					vec_copy_row(&b->cols[c], o, &lb->cols[c], i);
				for (uint32_t c = 0; c < j->nright; c++)
					b->cols[j->nleft + c].null[o] = 1;
			}
		}
		if (b->n) {
			*out = b;
			return STELE_OK;
		}
	}
}

static void join_close(Op *op)
{
	join_free((Join *)op);
	op_close(op->kids[0]);
}

static void join_explain(const Op *op, Buf *out)
{
	const JoinPlan *p = ((const Join *)op)->plan;
	static const char *names[] = {"Inner", "Left", "Cross", "Asof", "Asof Left"};
	buf_put(out, names[p->type], strlen(names[p->type]));
	if (p->nkeys) {
		buf_put(out, "; Hash Cond: ", 13);
		for (uint32_t k = 0; k < p->nkeys; k++) {
			if (k)
				buf_put(out, " AND ", 5);
			expr_explain(p->lkeys[k], out, NULL);
			buf_put(out, " = ", 3);
			expr_explain(p->rkeys[k], out, NULL);
		}
	}
	if (p->lts) {
		buf_put(out, "; Time Cond: ", 13);
		expr_explain(p->lts, out, NULL);
		buf_put(out, p->asof_ge ? (p->asof_strict ? " > " : " >= ")
		                        : (p->asof_strict ? " < " : " <= "),
		        p->asof_strict ? 3 : 4);
		expr_explain(p->rts, out, NULL);
	}
	if (p->residual) {
		buf_put(out, "; Join Filter: ", 15);
		expr_explain(p->residual, out, NULL);
	}
}

static const OpVt join_vt = {"Join", join_open, join_next, join_close, join_explain, NULL};

Op *op_join(ExecCtx *cx, Op *left, Op *right, const JoinPlan *plan)
{
	Join *j = op_alloc(cx, sizeof *j);
	uint32_t ncols = left->ncols + right->ncols;
	uint8_t *types = op_alloc(cx, ncols + 1);
	uint8_t *rt = op_alloc(cx, right->ncols + plan->nkeys + 2);
	if (!j || !types || !rt)
		return NULL;
	memcpy(types, left->types, left->ncols);
	memcpy(types + left->ncols, right->types, right->ncols);
	memcpy(rt, right->types, right->ncols);
	for (uint32_t k = 0; k < plan->nkeys; k++)
		rt[right->ncols + k] = plan->rkeys[k]->type;
	if (plan->rts)
		rt[right->ncols + plan->nkeys] = plan->rts->type;
	op_init(&j->op, &join_vt, cx, ncols, types);
	j->op.kids[0] = left;
	j->op.kids[1] = right;
	j->op.nkids = 2;
	j->plan = plan;
	j->nleft = left->ncols;
	j->nright = right->ncols;
	j->rtypes = rt;
	j->larena.block_size = 64 * 1024;
	return &j->op;
}
