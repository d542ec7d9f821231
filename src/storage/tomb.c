/* tomb.c - tombstones (see tomb.h). */
#include "storage/tomb.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PREDS 256
#define MAX_VALS 65536

void tomb_encode(const Tomb *t, Buf *out)
{
	buf_put_varint(out, t->table);
	buf_put_svarint(out, t->tmin);
	buf_put_svarint(out, t->tmax);
	buf_put_varint(out, t->npreds);
	for (uint32_t i = 0; i < t->npreds; i++) {
		const TagPred *p = &t->preds[i];
		buf_put_varint(out, p->ord);
		buf_put_varint(out, p->nvals);
		for (uint32_t k = 0; k < p->nvals; k++)
			buf_put_str(out, p->vals[k], p->lens[k]);
	}
}

void tomb_free(Tomb *t)
{
	if (!t)
		return;
	free(t->preds);
	free(t->blob);
	t->preds = NULL;
	t->blob = NULL;
	t->npreds = 0;
}

/* Lays the predicates out in one allocation: TagPred[n], then per
 * predicate its pointer and length arrays, then the bytes. */
static int build(Tomb *t, uint32_t npreds, const uint32_t *ords, const uint32_t *nvals,
                 const char *const *vals, const uint32_t *lens, StErr *err)
{
	size_t nv = 0, bytes = 0;
	for (uint32_t i = 0; i < npreds; i++)
		nv += nvals[i];
	for (size_t k = 0; k < nv; k++)
		bytes += lens[k];
	t->preds = calloc(npreds + 1, sizeof *t->preds);
	t->blob = malloc(nv * (sizeof(char *) + sizeof(uint32_t)) + bytes + 1);
	if (!t->preds || !t->blob) {
		tomb_free(t);
		return failf(err, STELE_ENOMEM, "out of memory reading a delete");
	}
	const char **pv = (const char **)t->blob;
	uint32_t *pl = (uint32_t *)(t->blob + nv * sizeof(char *));
	char *pb = t->blob + nv * (sizeof(char *) + sizeof(uint32_t));
	size_t k = 0;
	for (uint32_t i = 0; i < npreds; i++) {
		TagPred *p = &t->preds[i];
		p->ord = ords[i];
		p->nvals = nvals[i];
		p->vals = pv + k;
		p->lens = pl + k;
		for (uint32_t j = 0; j < nvals[i]; j++, k++) {
			if (lens[k])
				memcpy(pb, vals[k], lens[k]);
			pv[k] = pb;
			pl[k] = lens[k];
			pb += lens[k];
		}
	}
	t->npreds = npreds;
	return STELE_OK;
}

int tomb_decode(Rd *r, Tomb *t, StErr *err)
{
	memset(t, 0, sizeof *t);
	t->table = (uint32_t)rd_varint(r);
	t->tmin = rd_svarint(r);
	t->tmax = rd_svarint(r);
	uint64_t np = rd_varint(r);
	if (r->bad || np > MAX_PREDS)
		return failf(err, STELE_ECORRUPT, "bad delete record");
	uint32_t ords[MAX_PREDS], nvals[MAX_PREDS];
	size_t total = 0;
	/* Two passes: count, then point at the bytes in place. */
	Rd probe = *r;
	for (uint64_t i = 0; i < np; i++) {
		ords[i] = (uint32_t)rd_varint(&probe);
		uint64_t n = rd_varint(&probe);
		if (probe.bad || n > MAX_VALS)
			return failf(err, STELE_ECORRUPT, "bad delete record");
		nvals[i] = (uint32_t)n;
		total += n;
		for (uint64_t k = 0; k < n; k++) {
			size_t len;
			rd_str(&probe, &len);
		}
	}
	if (probe.bad)
		return failf(err, STELE_ECORRUPT, "bad delete record");
	const char **vals = malloc((total + 1) * sizeof *vals);
	uint32_t *lens = malloc((total + 1) * sizeof *lens);
	if (!vals || !lens) {
		free(vals);
		free(lens);
		return failf(err, STELE_ENOMEM, "out of memory reading a delete");
	}
	size_t k = 0;
	for (uint64_t i = 0; i < np; i++) {
		rd_varint(r);
		rd_varint(r);
		for (uint32_t j = 0; j < nvals[i]; j++, k++) {
			size_t len;
			vals[k] = rd_str(r, &len);
			lens[k] = (uint32_t)len;
		}
	}
	int rc = r->bad ? failf(err, STELE_ECORRUPT, "bad delete record")
	                : build(t, (uint32_t)np, ords, nvals, vals, lens, err);
	free(vals);
	free(lens);
	return rc;
}

int tomb_copy(const Tomb *src, Tomb *dst, StErr *err)
{
	Buf b = {0};
	tomb_encode(src, &b);
	int rc = buf_check(&b, err, "a delete");
	if (rc == STELE_OK) {
		Rd r = rd_make(b.data, b.len);
		rc = tomb_decode(&r, dst, err);
		dst->seq = src->seq;
	}
	buf_free(&b);
	return rc;
}

void tombset_free(TombSet *ts)
{
	for (uint32_t i = 0; i < ts->n; i++) {
		tomb_free(&ts->tombs[i]);
		free(ts->bits[i]);
	}
	free(ts->tombs);
	free(ts->bits);
	free(ts->nbits);
	memset(ts, 0, sizeof *ts);
}

static bool has_sid(const TombSet *ts, uint32_t i, uint32_t sid)
{
	return sid < ts->nbits[i] && (ts->bits[i][sid / 64] >> (sid % 64) & 1);
}

bool tombset_touches(const TombSet *ts, uint64_t max_seq, uint32_t sid, int64_t tmin,
                     int64_t tmax)
{
	for (uint32_t i = 0; ts && i < ts->n; i++) {
		const Tomb *t = &ts->tombs[i];
		if (max_seq < t->seq && tmax >= t->tmin && tmin <= t->tmax && has_sid(ts, i, sid))
			return true;
	}
	return false;
}

uint64_t tombset_max_seq(const TombSet *ts)
{
	uint64_t m = 0;
	for (uint32_t i = 0; ts && i < ts->n; i++)
		if (ts->tombs[i].seq > m)
			m = ts->tombs[i].seq;
	return m;
}

uint32_t tombset_filter(const TombSet *ts, uint64_t max_seq, Rows *r)
{
	if (!ts || ts->n == 0 || r->n == 0)
		return 0;
	uint32_t k = 0;
	for (uint32_t i = 0; i < r->n; i++) {
		bool dead = false;
		for (uint32_t j = 0; j < ts->n && !dead; j++) {
			const Tomb *t = &ts->tombs[j];
			dead = max_seq < t->seq && r->ts[i] >= t->tmin && r->ts[i] <= t->tmax &&
			       has_sid(ts, j, r->sid[i]);
		}
		if (dead)
			continue;
		if (k != i) {
			r->sid[k] = r->sid[i];
			r->ts[k] = r->ts[i];
			for (uint32_t c = 0; c < r->ncols; c++) {
				r->cols[c].v[k] = r->cols[c].v[i];
				r->cols[c].valid[k] = r->cols[c].valid[i];
			}
		}
		k++;
	}
	uint32_t removed = r->n - k;
	r->n = k;
	return removed;
}
