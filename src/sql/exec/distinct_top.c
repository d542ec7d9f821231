/* distinct_top.c - DistinctTop: for DISTINCT ON, only the row of each
 * distinct key that the ORDER BY ranks first, before the sort, so that the
 * sort above it orders one row per key instead of the whole input (the
 * latest reading of each device, say: a scan of every row, then a sort of
 * a few).
 *
 *     open   opens the child
 *     next   on the first call reads the whole input: each batch is first
 *            reduced to its best row per key (a hash table over the batch),
 *            and each of those is appended to the store and, when the ORDER
 *            BY ranks it before the key's best so far, becomes the key's
 *            best; then returns the best rows, 1024 at a time, in no order
 *            (the sort above orders them, DistinctOn above that keeps one)
 *     close  closes the child, frees the store
 *
 * Rows that lose stay in the store until close: at most one per key per
 * input batch. Ties in the ORDER BY keep the row seen first, which
 * PostgreSQL also allows (it keeps an unspecified one). Memory is charged
 * to the query through the store and the table.
 */
#include <stdlib.h>
#include <string.h>

#include "sql/exec/exec.h"

typedef struct DistinctTop {
	Op op;
	const uint32_t *keys;     /* DISTINCT ON columns */
	uint32_t nkeys;
	const SortKey *order;     /* the ORDER BY keys after them */
	uint32_t norder;
	RowStore rows;            /* candidates; best[] indexes the winners */
	uint64_t *hashes;         /* [rows.n]: key hash of each stored row */
	uint32_t cap_hashes;
	uint32_t *best;           /* [nbest]: the current winner of each key */
	uint32_t nbest, cap_best;
	uint32_t *slots, mask;    /* key -> 1 + index into best[] */
	size_t charged;
	bool loaded;
	uint32_t emitted;
} DistinctTop;

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory in DISTINCT ON")
#define OUT_ROWS 1024

static uint64_t key_hash(const DistinctTop *d, const Vec *cols, uint32_t i)
{
	uint64_t h = 0x12345;
	for (uint32_t k = 0; k < d->nkeys; k++) {
		const Vec *v = &cols[d->keys[k]];
		uint64_t x = v->type == STELE_TYPE_NONE || v->null[i] ? 0x5bd1e995 : vec_hash(v, i);
		h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	}
	return h;
}

/* Whether row i of a and row j of b have the same DISTINCT ON key
 * (NULLs equal, as DISTINCT has them). */
static bool same_key(const DistinctTop *d, const Vec *a, uint32_t i, const Vec *b, uint32_t j)
{
	for (uint32_t k = 0; k < d->nkeys; k++) {
		const Vec *x = &a[d->keys[k]], *y = &b[d->keys[k]];
		bool xn = x->type == STELE_TYPE_NONE || x->null[i];
		bool yn = y->type == STELE_TYPE_NONE || y->null[j];
		if (xn || yn) {
			if (xn != yn)
				return false;
			continue;
		}
		if (vec_cmp(x, i, y, j) != 0)
			return false;
	}
	return true;
}

/* Negative when row i of a ranks before row j of b by the ORDER BY keys
 * that follow the DISTINCT ON ones (sortkey_cmp's order). */
static int rank_cmp(const DistinctTop *d, const Vec *a, uint32_t i, const Vec *b, uint32_t j)
{
	for (uint32_t k = 0; k < d->norder; k++) {
		const SortKey *sk = &d->order[k];
		const Vec *x = &a[sk->col], *y = &b[sk->col];
		bool xn = x->type == STELE_TYPE_NONE || x->null[i];
		bool yn = y->type == STELE_TYPE_NONE || y->null[j];
		int c;
		if (xn || yn) {
			if (xn && yn)
				continue;
			c = xn ? 1 : -1; /* NULLs last... */
			return sk->nulls_first ? -c : c;
		}
		c = vec_cmp(x, i, y, j);
		if (c)
			return sk->desc ? -c : c;
	}
	return 0;
}

static int charge(DistinctTop *d, size_t bytes, StErr *err)
{
	d->charged += bytes;
	return exec_charge(d->op.cx, bytes, err);
}

static int grow_slots(DistinctTop *d, StErr *err)
{
	uint32_t cap = d->mask ? (d->mask + 1) * 2 : 1024;
	uint32_t *slots = calloc(cap, sizeof *slots);
	if (!slots)
		return NOMEM(err);
	for (uint32_t b = 0; b < d->nbest; b++) {
		uint32_t s = (uint32_t)d->hashes[d->best[b]] & (cap - 1);
		while (slots[s])
			s = (s + 1) & (cap - 1);
		slots[s] = b + 1;
	}
	free(d->slots);
	d->slots = slots;
	int rc = charge(d, (size_t)(cap - (d->mask ? d->mask + 1 : 0)) * sizeof *slots, err);
	d->mask = cap - 1;
	return rc;
}

/* Offers row i of batch in (its key's hash h) as its key's best. */
static int offer(DistinctTop *d, const Batch *in, uint32_t i, uint64_t h, StErr *err)
{
	if (d->nbest * 2 + 2 >= d->mask) {
		int rc = grow_slots(d, err);
		if (rc)
			return rc;
	}
	uint32_t s = (uint32_t)h & d->mask;
	for (; d->slots[s]; s = (s + 1) & d->mask) {
		uint32_t r = d->best[d->slots[s] - 1];
		if (d->hashes[r] == h && same_key(d, in->cols, i, d->rows.cols, r))
			break;
	}
	uint32_t r = d->slots[s] ? d->best[d->slots[s] - 1] : UINT32_MAX;
	if (r != UINT32_MAX && rank_cmp(d, in->cols, i, d->rows.cols, r) >= 0)
		return STELE_OK; /* the key's best stays */
	uint32_t at = d->rows.n;
	if (at == d->cap_hashes) {
		uint32_t cap = d->cap_hashes ? d->cap_hashes * 2 : 256;
		uint64_t *hs = realloc(d->hashes, (size_t)cap * sizeof *hs);
		if (!hs)
			return NOMEM(err);
		d->hashes = hs;
		int rc = charge(d, (size_t)(cap - d->cap_hashes) * sizeof *hs, err);
		d->cap_hashes = cap;
		if (rc)
			return rc;
	}
	int rc = rowstore_append(&d->rows, in, &i, 1, err);
	if (rc)
		return rc;
	d->hashes[at] = h;
	if (r != UINT32_MAX) {
		d->best[d->slots[s] - 1] = at;
		return STELE_OK;
	}
	if (d->nbest == d->cap_best) {
		uint32_t cap = d->cap_best ? d->cap_best * 2 : 256;
		uint32_t *b = realloc(d->best, (size_t)cap * sizeof *b);
		if (!b)
			return NOMEM(err);
		d->best = b;
		rc = charge(d, (size_t)(cap - d->cap_best) * sizeof *b, err);
		d->cap_best = cap;
		if (rc)
			return rc;
	}
	d->best[d->nbest++] = at;
	d->slots[s] = d->nbest;
	return STELE_OK;
}

/* Reduces a batch to its best row per key, then offers those. */
static int take(DistinctTop *d, const Batch *in, StErr *err)
{
	uint32_t cap = 16;
	while (cap < 2 * in->n)
		cap *= 2;
	Arena *a = &d->op.out;
	uint32_t *tab = arena_alloc(a, (size_t)cap * sizeof *tab);   /* 1 + row */
	uint64_t *hs = arena_alloc(a, ((size_t)in->n + 1) * sizeof *hs);
	uint32_t *win = arena_alloc(a, ((size_t)in->n + 1) * sizeof *win), nwin = 0;
	if (!tab || !hs || !win)
		return NOMEM(err);
	memset(tab, 0, (size_t)cap * sizeof *tab);
	for (uint32_t i = 0; i < in->n; i++) {
		uint64_t h = key_hash(d, in->cols, i);
		hs[i] = h;
		uint32_t s = (uint32_t)h & (cap - 1);
		for (; tab[s]; s = (s + 1) & (cap - 1)) {
			uint32_t j = win[tab[s] - 1];
			if (hs[j] == h && same_key(d, in->cols, i, in->cols, j))
				break;
		}
		if (!tab[s]) {
			win[nwin++] = i;
			tab[s] = nwin;
		} else if (rank_cmp(d, in->cols, i, in->cols, win[tab[s] - 1]) < 0) {
			win[tab[s] - 1] = i;
		}
	}
	for (uint32_t w = 0; w < nwin; w++) {
		int rc = offer(d, in, win[w], hs[win[w]], err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}

static void top_free(DistinctTop *d)
{
	rowstore_free(&d->rows);
	free(d->hashes);
	free(d->best);
	free(d->slots);
	d->hashes = NULL;
	d->best = NULL;
	d->slots = NULL;
	d->nbest = d->cap_best = d->mask = d->cap_hashes = 0;
	exec_release(d->op.cx, d->charged);
	d->charged = 0;
	d->loaded = false;
	d->emitted = 0;
}

static int top_open(Op *op, StErr *err)
{
	DistinctTop *d = (DistinctTop *)op;
	top_free(d);
	rowstore_init(&d->rows, op->cx, op->ncols, op->types);
	return op_open(op->kids[0], err);
}

static int top_next(Op *op, Batch **out, StErr *err)
{
	DistinctTop *d = (DistinctTop *)op;
	while (!d->loaded) {
		arena_reset(&op->out);
		Batch *in;
		int rc = op_next(op->kids[0], &in, err);
		if (rc) {
			*out = NULL;
			return rc;
		}
		if (!in) {
			d->loaded = true;
			break;
		}
		rc = take(d, in, err);
		if (rc) {
			*out = NULL;
			return rc;
		}
	}
	arena_reset(&op->out);
	uint32_t n = d->nbest - d->emitted;
	if (n == 0) {
		*out = NULL;
		return STELE_OK;
	}
	if (n > OUT_ROWS)
		n = OUT_ROWS;
	*out = rowstore_batch(&d->rows, &op->out, d->best + d->emitted, 0, n);
	d->emitted += n;
	return *out ? STELE_OK : NOMEM(err);
}

static void top_close(Op *op)
{
	top_free((DistinctTop *)op);
	op_close(op->kids[0]);
}

static void top_explain(const Op *op, Buf *out) { (void)op; (void)out; }

static const OpVt top_vt = {"DistinctTop", top_open, top_next, top_close, top_explain, NULL};

Op *op_distinct_top(ExecCtx *cx, Op *kid, const uint32_t *keys, uint32_t nkeys,
                    const SortKey *order, uint32_t norder)
{
	DistinctTop *d = op_alloc(cx, sizeof *d);
	if (!d)
		return NULL;
	op_init(&d->op, &top_vt, cx, kid->ncols, kid->types);
	d->op.kids[0] = kid;
	d->op.nkids = 1;
	d->keys = keys;
	d->nkeys = nkeys;
	d->order = order;
	d->norder = norder;
	rowstore_init(&d->rows, cx, kid->ncols, kid->types);
	return &d->op;
}
