/* agg_hash.c - HashAggregate: groups the child's rows by the GROUP BY keys
 * in a hash table and folds them into each group's aggregate states.
 *
 *     open   reads every child batch: evaluates the keys, finds or adds
 *            each row's group, and for each aggregate evaluates its
 *            arguments and FILTER, drops NULL arguments and (DISTINCT)
 *            repeated values, and calls the aggregate's update; then
 *            closes the child
 *     next   returns the groups in the order they first appeared: keys,
 *            then each aggregate's final value
 *     close  frees the groups
 *
 * Keys compare NULL equal to NULL (SQL grouping). Without GROUP BY there
 * is one group, returned even when the child had no rows.
 *
 * Memory: the keys (RowStore), the state rows and what aggregates keep
 * are all charged to the query.
 */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "sql/exec/plans.h"
#include "storage/scan.h"
#include "util/pool.h"

typedef struct Distinct {
	/* (gid, value) pairs seen: open addressing over entries. A value is
	 * kept in its type's width, a word (8 bytes) or a VARCHAR's string
	 * (16), not as a Datum (24): count(DISTINCT) of millions of numbers is
	 * mostly this table. */
	uint32_t *slots;       /* entry index + 1 */
	uint32_t mask;
	uint32_t *gid;
	uint64_t *word;        /* word types' bits */
	SqlStr *str;           /* VARCHAR */
	uint32_t n, cap;
} Distinct;

typedef struct Agg {
	Op op;
	const AggPlan *plan;
	RowStore keys;         /* one row per group */
	uint8_t *key_types;
	uint64_t *hashes;      /* [groups] */
	uint32_t *slots;       /* gid + 1 */
	uint32_t mask;
	uint8_t *states;       /* [groups][stride] */
	size_t stride, states_cap;
	uint32_t ngroups;
	Distinct *dist;        /* [naggs] */
	Arena mem;             /* aggregate-owned memory */
	AggRun run;
	size_t charged;
	uint32_t pos;
	bool scalar;
} Agg;

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory aggregating rows")

static int charge(Agg *a, size_t n, StErr *err)
{
	a->charged += n;
	return exec_charge(a->op.cx, n, err);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static bool keys_equal(const Agg *a, const Vec *kv, uint32_t row, uint32_t gid)
{
	for (uint32_t k = 0; k < a->plan->ngroups; k++) {
		const Vec *v = &kv[k], *g = &a->keys.cols[k];
		bool vn = v->type == STELE_TYPE_NONE || v->null[row];
		bool gn = g->null[gid];
		if (vn || gn) {
			if (vn != gn)
				return false;
			continue;
		}
		if (vec_cmp(v, row, g, gid) != 0)
			return false;
	}
	return true;
}

/* A table of open-addressing slots twice the size of the one whose mask is
 * given (or 1024), zeroed and charged to the query. */
static int new_slots(Agg *a, uint32_t mask, uint32_t **out, uint32_t *cap, StErr *err)
{
	*cap = mask ? (mask + 1) * 2 : 1024;
	uint32_t *slots = calloc(*cap, sizeof *slots);
	if (!slots)
		return NOMEM(err);
	int rc = charge(a, (size_t)*cap * sizeof *slots, err);
	if (rc) {
		free(slots);
		return rc;
	}
	*out = slots;
	return STELE_OK;
}

/* Puts entry index e (stored as e + 1) at hash h's first free slot. */
static void slot_put(uint32_t *slots, uint32_t cap, uint64_t h, uint32_t e)
{
	uint32_t s = (uint32_t)h & (cap - 1);
	while (slots[s])
		s = (s + 1) & (cap - 1);
	slots[s] = e + 1;
}

static int grow_table(Agg *a, StErr *err)
{
	uint32_t *slots, cap;
	int rc = new_slots(a, a->mask, &slots, &cap, err);
	if (rc)
		return rc;
	for (uint32_t g = 0; g < a->ngroups; g++)
		slot_put(slots, cap, a->hashes[g], g);
	free(a->slots);
	a->slots = slots;
	a->mask = cap - 1;
	return STELE_OK;
}

static int new_group(Agg *a, StErr *err)
{
	uint32_t g = a->ngroups;
	if ((size_t)(g + 1) * a->stride > a->states_cap) {
		size_t cap = a->states_cap ? a->states_cap * 2 : a->stride * (a->scalar ? 1 : 64);
		if (cap < (size_t)(g + 1) * a->stride)
			cap = (size_t)(g + 1) * a->stride;
		uint8_t *st = realloc(a->states, cap);
		if (!st)
			return NOMEM(err);
		int rc = charge(a, cap - a->states_cap, err);
		a->states = st;
		a->states_cap = cap;
		if (rc)
			return rc;
		uint64_t *hs = realloc(a->hashes, cap / a->stride * sizeof *hs);
		if (!hs)
			return NOMEM(err);
		a->hashes = hs;
	}
	uint8_t *row = a->states + (size_t)g * a->stride;
	for (uint32_t i = 0; i < a->plan->naggs; i++) {
		const AggCall *c = a->plan->aggs[i];
		c->def->init(c, row + c->state_off);
	}
	a->ngroups++;
	return STELE_OK;
}

/* gids[i] for every row of the batch, adding groups as needed. */
static int find_groups(Agg *a, const Batch *in, uint32_t *gids, StErr *err)
{
	const AggPlan *p = a->plan;
	uint32_t n = in->n;
	if (p->ngroups == 0) {
		memset(gids, 0, (size_t)n * sizeof *gids);
		return STELE_OK;
	}
	Vec *kv = arena_alloc(&a->op.out, p->ngroups * sizeof *kv);
	uint64_t *h = arena_alloc(&a->op.out, (size_t)(n + 1) * sizeof *h);
	if (!kv || !h)
		return NOMEM(err);
	for (uint32_t k = 0; k < p->ngroups; k++) {
		int rc = expr_eval(&a->op.ev, p->groups[k], in, &kv[k], err);
		if (rc)
			return rc;
	}
	/* Rows often repeat the previous row's keys (a scan delivers a
	 * series' rows in time order: same tags, same time bucket): such a
	 * row joins the previous row's group without a lookup. */
	uint8_t *same = arena_alloc(&a->op.out, n + 1);
	if (!same)
		return NOMEM(err);
	same[0] = 0;
	memset(same + 1, 1, n ? n - 1 : 0);
	for (uint32_t k = 0; k < p->ngroups; k++) {
		const Vec *v = &kv[k];
		if (v->type == STELE_TYPE_NONE)
			continue;
		if (v->type == STELE_TYPE_VARCHAR) {
			for (uint32_t i = 1; i < n; i++) {
				if (!same[i])
					continue;
				if (v->null[i] != v->null[i - 1]) {
					same[i] = 0;
					continue;
				}
				SqlStr x = v->d.s[i], y = v->d.s[i - 1];
				same[i] = v->null[i] || (x.n == y.n && (x.p == y.p || memcmp(x.p, y.p, x.n) == 0));
			}
		} else if (v->type == STELE_TYPE_DOUBLE) {
			for (uint32_t i = 1; i < n; i++)
				same[i] &= v->null[i] == v->null[i - 1] &&
				           (v->null[i] || vec_cmp(v, i, v, i - 1) == 0);
		} else {
			for (uint32_t i = 1; i < n; i++)
				same[i] &= v->null[i] == v->null[i - 1] &&
				           (v->null[i] || v->d.u[i] == v->d.u[i - 1]);
		}
	}
	for (uint32_t i = 0; i < n; i++)
		h[i] = 0x12345678;
	for (uint32_t k = 0; k < p->ngroups; k++) {
		const Vec *v = &kv[k];
		for (uint32_t i = 0; i < n; i++)
			if (!same[i])
				h[i] = mix(h[i], (v->type == STELE_TYPE_NONE || v->null[i]) ? 0x5bd1e995
				                                                           : vec_hash(v, i));
	}
	Batch kb = {.n = 1, .ncols = p->ngroups, .cols = kv};
	uint32_t one;
	for (uint32_t i = 0; i < n; i++) {
		if (same[i]) {
			gids[i] = gids[i - 1];
			continue;
		}
		if (a->ngroups * 2 >= a->mask) {
			int rc = grow_table(a, err);
			if (rc)
				return rc;
		}
		uint32_t s = (uint32_t)h[i] & a->mask;
		uint32_t g = UINT32_MAX;
		for (; a->slots[s]; s = (s + 1) & a->mask) {
			uint32_t c = a->slots[s] - 1;
			if (a->hashes[c] == h[i] && keys_equal(a, kv, i, c)) {
				g = c;
				break;
			}
		}
		if (g == UINT32_MAX) {
			g = a->ngroups;
			int rc = new_group(a, err);
			if (rc)
				return rc;
			a->hashes[g] = h[i];
			a->slots[s] = g + 1;
			one = i;
			kb.n = in->n;
			rc = rowstore_append(&a->keys, &kb, &one, 1, err);
			if (rc)
				return rc;
		}
		gids[i] = g;
	}
	return STELE_OK;
}

static Datum dist_val(const Distinct *d, uint8_t type, uint32_t e)
{
	Datum x = {.type = type};
	if (type == STELE_TYPE_VARCHAR)
		x.v.s = d->str[e];
	else
		x.v.u = d->word[e];
	return x;
}

/* Room for one more entry: the arrays (doubled) and the slots (kept at
 * most half full). */
static int dist_grow(Agg *a, Distinct *d, uint8_t type, StErr *err)
{
	if (d->n * 2 + 2 >= d->mask) {
		uint32_t *slots, cap;
		int rc = new_slots(a, d->mask, &slots, &cap, err);
		if (rc)
			return rc;
		for (uint32_t e = 0; e < d->n; e++) {
			Datum x = dist_val(d, type, e);
			slot_put(slots, cap, mix(datum_hash(&x), d->gid[e]), e);
		}
		free(d->slots);
		d->slots = slots;
		d->mask = cap - 1;
	}
	if (d->n < d->cap)
		return STELE_OK;
	uint32_t cap = d->cap ? d->cap * 2 : 1024;
	uint32_t *g = realloc(d->gid, cap * sizeof *g);
	if (!g)
		return NOMEM(err);
	d->gid = g;
	size_t width;
	if (type == STELE_TYPE_VARCHAR) {
		SqlStr *v = realloc(d->str, cap * sizeof *v);
		if (!v)
			return NOMEM(err);
		d->str = v;
		width = sizeof *v;
	} else {
		uint64_t *v = realloc(d->word, cap * sizeof *v);
		if (!v)
			return NOMEM(err);
		d->word = v;
		width = sizeof *v;
	}
	int rc = charge(a, (size_t)(cap - d->cap) * (sizeof *g + width), err);
	d->cap = cap;
	return rc;
}

/* Keeps rows whose (gid, value) was not seen before by this aggregate. */
static int distinct_rows(Agg *a, Distinct *d, const Vec *v, const uint32_t *gids,
                         uint32_t *rows, uint32_t *nrows, StErr *err)
{
	uint32_t k = 0;
	for (uint32_t r = 0; r < *nrows; r++) {
		uint32_t i = rows[r];
		int rc = dist_grow(a, d, v->type, err);
		if (rc)
			return rc;
		Datum x = vec_get(v, i);
		uint32_t s = (uint32_t)mix(datum_hash(&x), gids[i]) & d->mask;
		bool seen = false;
		for (; d->slots[s]; s = (s + 1) & d->mask) {
			uint32_t e = d->slots[s] - 1;
			if (d->gid[e] != gids[i])
				continue;
			Datum y = dist_val(d, v->type, e);
			if (datum_cmp(v->type, &y, &x) == 0) {
				seen = true;
				break;
			}
		}
		if (seen)
			continue;
		d->gid[d->n] = gids[i];
		if (x.type == STELE_TYPE_VARCHAR) {
			if (!vec_copy_str(&a->mem, &x.v.s))
				return NOMEM(err);
			rc = charge(a, x.v.s.n, err);
			if (rc)
				return rc;
			d->str[d->n] = x.v.s;
		} else {
			d->word[d->n] = x.v.u;
		}
		d->slots[s] = ++d->n;
		rows[k++] = i;
	}
	*nrows = k;
	return STELE_OK;
}

static int fold(Agg *a, const Batch *in, const uint32_t *gids, StErr *err)
{
	const AggPlan *p = a->plan;
	uint32_t n = in->n;
	uint32_t *rows = arena_alloc(&a->op.out, (size_t)(n + 1) * sizeof *rows);
	uint32_t *g2 = arena_alloc(&a->op.out, (size_t)(n + 1) * sizeof *g2);
	uint32_t *all = arena_alloc(&a->op.out, (size_t)(n + 1) * sizeof *all);
	if (!rows || !g2 || !all)
		return NOMEM(err);
	for (uint32_t i = 0; i < n; i++)
		all[i] = i;
	for (uint32_t ai = 0; ai < p->naggs; ai++) {
		const AggCall *c = p->aggs[ai];
		Vec *args = arena_alloc(&a->op.out, (c->nargs + 1) * sizeof *args);
		if (!args)
			return NOMEM(err);
		for (uint32_t k = 0; k < c->nargs; k++) {
			int rc = expr_eval(&a->op.ev, c->args[k], in, &args[k], err);
			if (rc)
				return rc;
		}
		/* The common case: no FILTER, no NULL argument, no DISTINCT:
		 * every row, in order, with its group. */
		bool every = !c->filter && !c->distinct;
		for (uint32_t k = 0; k < c->nargs && every; k++)
			every = args[k].type != STELE_TYPE_NONE && !memchr(args[k].null, 1, n);
		if (every) {
			int rc = c->def->update(&a->run, c, a->states, a->stride, gids, all, n, args, err);
			if (rc)
				return rc;
			continue;
		}
		uint32_t nrows = 0;
		if (c->filter) {
			int rc = expr_filter(&a->op.ev, c->filter, in, rows, &nrows, err);
			if (rc)
				return rc;
		} else {
			for (uint32_t i = 0; i < n; i++)
				rows[i] = i;
			nrows = n;
		}
		/* Aggregates ignore rows with a NULL argument. */
		uint32_t k = 0;
		for (uint32_t r = 0; r < nrows; r++) {
			bool skip = false;
			for (uint32_t x = 0; x < c->nargs && !skip; x++)
				skip = args[x].type == STELE_TYPE_NONE || args[x].null[rows[r]];
			if (!skip)
				rows[k++] = rows[r];
		}
		nrows = k;
		if (c->distinct && c->nargs) {
			int rc = distinct_rows(a, &a->dist[ai], &args[0], gids, rows, &nrows, err);
			if (rc)
				return rc;
		}
		for (uint32_t r = 0; r < nrows; r++)
			g2[r] = gids[rows[r]];
		int rc = c->def->update(&a->run, c, a->states, a->stride, g2, rows, nrows, args, err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}

/* Folds a block's statistics into group gid (plan->stats). */
static int fold_stats(Agg *a, const BlockStats *bs, uint32_t gid, StErr *err)
{
	const AggPlan *p = a->plan;
	uint8_t *row = a->states + (size_t)gid * a->stride;
	for (uint32_t ai = 0; ai < p->naggs; ai++) {
		const AggCall *c = p->aggs[ai];
		AggStats in = {.type = STELE_TYPE_NONE, .n = bs->nrows, .min_ts = bs->min_ts,
		               .max_ts = bs->max_ts};
		uint32_t k = p->stats_col[ai];
		ChunkStats tst;
		if (k == AGG_STATS_TS) {
			memset(&tst, 0, sizeof tst);
			tst.min = tst.first = (uint64_t)bs->min_ts;
			tst.max = tst.last = (uint64_t)bs->max_ts;
			in.type = STELE_TYPE_TIMESTAMP;
			in.st = &tst;
		} else if (k != AGG_STATS_ROWS) {
			uint32_t slot = op_scan_field_slot(a->op.kids[0], k);
			in.type = bs->cols[slot].type;
			in.n = bs->cols[slot].present ? bs->nrows - bs->cols[slot].nnull : 0;
			in.st = &bs->cols[slot].st;
		}
		int rc = c->def->stats(&a->run, c, row + c->state_off, &in, err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}

static void agg_free(Agg *a)
{
	rowstore_free(&a->keys);
	free(a->hashes);
	free(a->slots);
	free(a->states);
	a->hashes = NULL;
	a->slots = NULL;
	a->states = NULL;
	a->states_cap = 0;
	a->mask = 0;
	a->ngroups = 0;
	if (a->dist)
		for (uint32_t i = 0; i < a->plan->naggs; i++) {
			free(a->dist[i].slots);
			free(a->dist[i].gid);
			free(a->dist[i].word);
			free(a->dist[i].str);
			memset(&a->dist[i], 0, sizeof a->dist[i]);
		}
	arena_free(&a->mem);
	exec_release(a->op.cx, a->charged + a->run.charged);
	a->charged = 0;
	a->run.charged = 0;
}

static int agg_open(Op *op, StErr *err)
{
	Agg *a = (Agg *)op;
	agg_free(a);
	rowstore_init(&a->keys, op->cx, a->plan->ngroups, a->key_types);
	a->run.cx = op->cx;
	a->run.arena = &a->mem;
	a->pos = 0;
	int rc = STELE_OK;
	if (a->scalar)
		rc = new_group(a, err);
	if (rc == STELE_OK)
		rc = op_open(op->kids[0], err);
	while (rc == STELE_OK) {
		Batch *in;
		const BlockStats *bs = NULL;
		arena_reset(&op->out);
		if (a->plan->stats)
			rc = op_scan_next_ex(op->kids[0], &in, &bs, err);
		else
			rc = op_next(op->kids[0], &in, err);
		if (rc || !in)
			break;
		uint32_t *gids = arena_alloc(&op->out, ((size_t)in->n + 1) * sizeof *gids);
		if (!gids) {
			rc = NOMEM(err);
			break;
		}
		rc = find_groups(a, in, gids, err);
		if (rc == STELE_OK)
			rc = bs ? fold_stats(a, bs, gids[0], err) : fold(a, in, gids, err);
	}
	op_close(op->kids[0]);
	arena_reset(&op->out);
	return rc;
}

static int agg_next(Op *op, Batch **out, StErr *err)
{
	Agg *a = (Agg *)op;
	const AggPlan *p = a->plan;
	arena_reset(&op->out);
	*out = NULL;
	if (a->pos >= a->ngroups)
		return STELE_OK;
	uint32_t n = a->ngroups - a->pos;
	if (n > VEC_ROWS)
		n = VEC_ROWS;
	Batch *b = batch_alloc(&op->out, op->ncols);
	if (!b)
		return NOMEM(err);
	b->n = n;
	if (p->ngroups) {
		Batch *kb = rowstore_batch(&a->keys, &op->out, NULL, a->pos, n);
		if (!kb)
			return NOMEM(err);
		memcpy(b->cols, kb->cols, p->ngroups * sizeof *b->cols);
	}
	for (uint32_t ai = 0; ai < p->naggs; ai++) {
		const AggCall *c = p->aggs[ai];
		Vec *v = &b->cols[p->ngroups + ai];
		if (!vec_alloc(&op->out, v, c->type, n))
			return NOMEM(err);
		for (uint32_t k = 0; k < n; k++) {
			Datum d;
			uint8_t *st = a->states + (size_t)(a->pos + k) * a->stride + c->state_off;
			int rc = c->def->final(&a->run, c, st, &d, err);
			if (rc)
				return rc;
			vec_set(v, k, &d);
		}
	}
	a->pos += n;
	*out = b;
	return STELE_OK;
}

static void agg_close(Op *op) { agg_free((Agg *)op); }

static void agg_explain(const Op *op, Buf *out)
{
	const AggPlan *p = ((const Agg *)op)->plan;
	if (p->ngroups) {
		buf_put(out, "Group Key: ", 11);
		for (uint32_t k = 0; k < p->ngroups; k++) {
			if (k)
				buf_put(out, ", ", 2);
			expr_explain(p->groups[k], out, NULL);
		}
		if (p->naggs)
			buf_put(out, "; ", 2);
	}
	if (p->naggs)
		buf_put(out, "Aggregates: ", 12);
	for (uint32_t i = 0; i < p->naggs; i++) {
		const AggCall *c = p->aggs[i];
		if (i)
			buf_put(out, ", ", 2);
		buf_put(out, c->name, strlen(c->name));
		buf_put_u8(out, '(');
		if (c->star)
			buf_put_u8(out, '*');
		if (c->distinct)
			buf_put(out, "DISTINCT ", 9);
		for (uint32_t k = 0; k < c->nargs; k++) {
			if (k)
				buf_put(out, ", ", 2);
			expr_explain(c->args[k], out, NULL);
		}
		buf_put_u8(out, ')');
	}
}

static const OpVt agg_vt = {"HashAggregate", agg_open, agg_next, agg_close, agg_explain, NULL};

/* ---- parallel aggregation ---- */

typedef struct AggPar {
	Op op;
	Agg **w;
	uint32_t n;
	int *rc;
	StErr *errs;
} AggPar;

static void par_job(void *arg, uint32_t i)
{
	AggPar *ap = arg;
	ap->rc[i] = op_open(&ap->w[i]->op, &ap->errs[i]);
}

/* Are key row r of a's store and key row s of b's store equal? */
static bool rows_equal(const Agg *a, uint32_t r, const Agg *b, uint32_t s)
{
	for (uint32_t k = 0; k < a->plan->ngroups; k++) {
		const Vec *x = &a->keys.cols[k], *y = &b->keys.cols[k];
		if (x->null[r] || y->null[s]) {
			if (x->null[r] != y->null[s])
				return false;
			continue;
		}
		if (vec_cmp(x, r, y, s) != 0)
			return false;
	}
	return true;
}

/* Folds every group of src into dst (both aggregations of one plan). */
static int merge_into(Agg *dst, Agg *src, StErr *err)
{
	const AggPlan *p = dst->plan;
	Arena tmp = {0};
	int rc = STELE_OK;
	for (uint32_t g = 0; g < src->ngroups && rc == STELE_OK; g++) {
		uint32_t d = UINT32_MAX;
		if (p->ngroups == 0) {
			d = 0;
		} else {
			if (dst->ngroups * 2 >= dst->mask && (rc = grow_table(dst, err)) != STELE_OK)
				break;
			uint64_t h = src->hashes[g];
			uint32_t s = (uint32_t)h & dst->mask;
			for (; dst->slots[s]; s = (s + 1) & dst->mask) {
				uint32_t c = dst->slots[s] - 1;
				if (dst->hashes[c] == h && rows_equal(dst, c, src, g)) {
					d = c;
					break;
				}
			}
			if (d == UINT32_MAX) {
				d = dst->ngroups;
				rc = new_group(dst, err);
				if (rc)
					break;
				dst->hashes[d] = h;
				dst->slots[s] = d + 1;
				Batch *kb = rowstore_batch(&src->keys, &tmp, NULL, g, 1);
				rc = kb ? rowstore_append(&dst->keys, kb, NULL, 1, err) : NOMEM(err);
				arena_reset(&tmp);
			}
		}
		for (uint32_t i = 0; i < p->naggs && rc == STELE_OK; i++) {
			const AggCall *c = p->aggs[i];
			rc = c->def->merge(&dst->run, c, dst->states + (size_t)d * dst->stride + c->state_off,
			                   src->states + (size_t)g * src->stride + c->state_off, err);
		}
	}
	arena_free(&tmp);
	return rc;
}

static int par_open(Op *op, StErr *err)
{
	AggPar *ap = (AggPar *)op;
	for (uint32_t i = 0; i < ap->n; i++) {
		ap->rc[i] = STELE_OK;
		err_clear(&ap->errs[i]);
	}
	pool_run(op->cx->pool, par_job, ap, ap->n);
	for (uint32_t i = 0; i < ap->n; i++)
		if (ap->rc[i]) {
			if (err)
				*err = ap->errs[i];
			return ap->rc[i];
		}
	for (uint32_t i = 1; i < ap->n; i++) {
		int rc = merge_into(ap->w[0], ap->w[i], err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}

static int par_next(Op *op, Batch **out, StErr *err)
{
	return op_next(&((AggPar *)op)->w[0]->op, out, err);
}

static void par_close(Op *op)
{
	AggPar *ap = (AggPar *)op;
	for (uint32_t i = 0; i < ap->n; i++)
		op_close(&ap->w[i]->op);
}

static void par_explain(const Op *op, Buf *out)
{
	const AggPar *ap = (const AggPar *)op;
	char tmp[64];
	int k = snprintf(tmp, sizeof tmp, "%u workers, merged; the first shown", ap->n);
	buf_put(out, tmp, (size_t)k);
}

/* Workers past the first are not kids[] (EXPLAIN shows one). */
static void par_release(Op *op)
{
	AggPar *ap = (AggPar *)op;
	for (uint32_t i = 1; i < ap->n; i++)
		op_free(&ap->w[i]->op);
}

static const OpVt par_vt = {"ParallelAggregate", par_open, par_next, par_close, par_explain,
                            par_release};

Op *op_agg_parallel(ExecCtx *cx, Op **workers, uint32_t n)
{
	AggPar *ap = op_alloc(cx, sizeof *ap);
	if (!ap)
		return NULL;
	ap->w = op_alloc(cx, n * sizeof *ap->w);
	ap->rc = op_alloc(cx, n * sizeof *ap->rc);
	ap->errs = op_alloc(cx, n * sizeof *ap->errs);
	if (!ap->w || !ap->rc || !ap->errs)
		return NULL;
	op_init(&ap->op, &par_vt, cx, workers[0]->ncols, workers[0]->types);
	for (uint32_t i = 0; i < n; i++)
		ap->w[i] = (Agg *)workers[i];
	ap->n = n;
	ap->op.kids[0] = workers[0];
	ap->op.nkids = 1;
	return &ap->op;
}

Op *op_agg(ExecCtx *cx, Op *kid, const AggPlan *plan)
{
	Agg *a = op_alloc(cx, sizeof *a);
	uint32_t ncols = plan->ngroups + plan->naggs;
	uint8_t *types = op_alloc(cx, ncols + 1);
	uint8_t *kt = op_alloc(cx, plan->ngroups + 1);
	if (!a || !types || !kt)
		return NULL;
	for (uint32_t k = 0; k < plan->ngroups; k++)
		types[k] = kt[k] = plan->groups[k]->type;
	size_t off = 0;
	for (uint32_t i = 0; i < plan->naggs; i++) {
		AggCall *c = plan->aggs[i];
		types[plan->ngroups + i] = c->type;
		c->state_off = (uint32_t)off;
		off += (c->state_size + 15) & ~(size_t)15;
	}
	op_init(&a->op, &agg_vt, cx, ncols, types);
	a->op.kids[0] = kid;
	a->op.nkids = 1;
	a->plan = plan;
	a->key_types = kt;
	a->stride = off ? off : 16;
	a->scalar = plan->ngroups == 0;
	a->dist = op_alloc(cx, (plan->naggs + 1) * sizeof *a->dist);
	a->mem.block_size = 64 * 1024;
	if (!a->dist)
		return NULL;
	rowstore_init(&a->keys, cx, plan->ngroups, kt);
	return &a->op;
}
