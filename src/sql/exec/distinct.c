/* distinct.c - DistinctOn: the first row of each distinct key (DISTINCT
 * ON), in input order; below it the binder has sorted by the ORDER BY,
 * whose leading keys are the DISTINCT ON keys, so "first" is the one that
 * ORDER BY ranks first.
 *
 *     open   opens the child
 *     next   passes rows whose key was not seen yet (a hash set of the
 *            keys seen, copied and charged to the query)
 *     close  closes the child, frees the set
 */
#include <stdlib.h>

#include "sql/exec/exec.h"

typedef struct DistinctOn {
	Op op;
	const uint32_t *keys;
	uint32_t nkeys;
	RowStore seen;        /* one row per key: the key columns */
	uint8_t *key_types;
	uint64_t *hashes;
	uint32_t *slots, mask;
	size_t charged;       /* bytes of hashes and slots charged */
} DistinctOn;

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory in DISTINCT ON")

static uint64_t row_hash(const DistinctOn *d, const Batch *in, uint32_t i)
{
	uint64_t h = 0x12345;
	for (uint32_t k = 0; k < d->nkeys; k++) {
		const Vec *v = &in->cols[d->keys[k]];
		uint64_t x = v->type == STELE_TYPE_NONE || v->null[i] ? 0x5bd1e995 : vec_hash(v, i);
		h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	}
	return h;
}

static bool same(const DistinctOn *d, const Batch *in, uint32_t i, uint32_t r)
{
	for (uint32_t k = 0; k < d->nkeys; k++) {
		const Vec *v = &in->cols[d->keys[k]], *s = &d->seen.cols[k];
		bool vn = v->type == STELE_TYPE_NONE || v->null[i], sn = s->null[r];
		if (vn || sn) {
			if (vn != sn)
				return false;
			continue;
		}
		if (vec_cmp(v, i, s, r) != 0)
			return false;
	}
	return true;
}

static int grow(DistinctOn *d, StErr *err)
{
	uint32_t cap = d->mask ? (d->mask + 1) * 2 : 1024;
	uint32_t *slots = calloc(cap, sizeof *slots);
	uint64_t *hs = realloc(d->hashes, (size_t)cap / 2 * sizeof *hs);
	if (!slots || !hs) {
		free(slots);
		if (hs)
			d->hashes = hs;
		return NOMEM(err);
	}
	d->hashes = hs;
	for (uint32_t r = 0; r < d->seen.n; r++) {
		uint32_t s = (uint32_t)d->hashes[r] & (cap - 1);
		while (slots[s])
			s = (s + 1) & (cap - 1);
		slots[s] = r + 1;
	}
	free(d->slots);
	d->slots = slots;
	d->mask = cap - 1;
	size_t bytes = (size_t)cap * sizeof *slots + (size_t)cap / 2 * sizeof *hs;
	size_t add = bytes > d->charged ? bytes - d->charged : 0;
	d->charged += add;
	return exec_charge(d->op.cx, add, err);
}

static void dist_free(DistinctOn *d)
{
	rowstore_free(&d->seen);
	free(d->hashes);
	free(d->slots);
	d->hashes = NULL;
	d->slots = NULL;
	d->mask = 0;
	exec_release(d->op.cx, d->charged);
	d->charged = 0;
}

static int dist_open(Op *op, StErr *err)
{
	DistinctOn *d = (DistinctOn *)op;
	dist_free(d);
	rowstore_init(&d->seen, op->cx, d->nkeys, d->key_types);
	return op_open(op->kids[0], err);
}

static int dist_next(Op *op, Batch **out, StErr *err)
{
	DistinctOn *d = (DistinctOn *)op;
	for (;;) {
		arena_reset(&op->out);
		Batch *in;
		int rc = op_next(op->kids[0], &in, err);
		if (rc || !in) {
			*out = NULL;
			return rc;
		}
		uint32_t *sel = arena_alloc(&op->out, ((size_t)in->n + 1) * sizeof *sel), nsel = 0;
		Batch *kb = batch_alloc(&op->out, d->nkeys);
		if (!sel || !kb)
			return NOMEM(err);
		for (uint32_t k = 0; k < d->nkeys; k++)
			kb->cols[k] = in->cols[d->keys[k]];
		kb->n = in->n;
		for (uint32_t i = 0; i < in->n; i++) {
			if (d->seen.n * 2 + 2 >= d->mask) {
				rc = grow(d, err);
				if (rc)
					return rc;
			}
			uint64_t h = row_hash(d, in, i);
			uint32_t s = (uint32_t)h & d->mask;
			bool found = false;
			for (; d->slots[s]; s = (s + 1) & d->mask) {
				uint32_t r = d->slots[s] - 1;
				if (d->hashes[r] == h && same(d, in, i, r)) {
					found = true;
					break;
				}
			}
			if (found)
				continue;
			uint32_t one = i;
			rc = rowstore_append(&d->seen, kb, &one, 1, err);
			if (rc)
				return rc;
			d->hashes[d->seen.n - 1] = h;
			d->slots[s] = d->seen.n;
			sel[nsel++] = i;
		}
		if (nsel == 0)
			continue;
		*out = nsel == in->n ? in : batch_gather(&op->out, in, sel, nsel);
		return *out ? STELE_OK : NOMEM(err);
	}
}

static void dist_close(Op *op)
{
	dist_free((DistinctOn *)op);
	op_close(op->kids[0]);
}

static void dist_explain(const Op *op, Buf *out) { (void)op; (void)out; }

static const OpVt dist_vt = {"DistinctOn", dist_open, dist_next, dist_close, dist_explain, NULL};

Op *op_distinct(ExecCtx *cx, Op *kid, const uint32_t *keys, uint32_t nkeys)
{
	DistinctOn *d = op_alloc(cx, sizeof *d);
	uint8_t *kt = op_alloc(cx, nkeys + 1);
	if (!d || !kt)
		return NULL;
	op_init(&d->op, &dist_vt, cx, kid->ncols, kid->types);
	d->op.kids[0] = kid;
	d->op.nkids = 1;
	d->keys = keys;
	d->nkeys = nkeys;
	for (uint32_t k = 0; k < nkeys; k++)
		kt[k] = kid->types[keys[k]];
	d->key_types = kt;
	rowstore_init(&d->seen, cx, nkeys, kt);
	return &d->op;
}
