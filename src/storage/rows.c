/* rows.c - allocation and copying for Rows (see rows.h). */
#include "storage/rows.h"

#include <stdlib.h>

int rows_init(Rows *r, uint32_t ncols, const uint32_t *cols, const uint8_t *types)
{
	memset(r, 0, sizeof *r);
	if (ncols) {
		r->cols = calloc(ncols, sizeof *r->cols);
		if (!r->cols)
			return STELE_ENOMEM;
	}
	r->ncols = ncols;
	for (uint32_t i = 0; i < ncols; i++) {
		r->cols[i].col = cols[i];
		r->cols[i].type = types[i];
	}
	return STELE_OK;
}

int rows_reserve(Rows *r, uint32_t n)
{
	if (n <= r->cap)
		return STELE_OK;
	uint32_t cap = r->cap ? r->cap : 256;
	while (cap < n)
		cap = cap > UINT32_MAX / 2 ? n : cap * 2;
	void *p;
	if (!(p = realloc(r->sid, (size_t)cap * sizeof *r->sid)))
		return STELE_ENOMEM;
	r->sid = p;
	if (!(p = realloc(r->ts, (size_t)cap * sizeof *r->ts)))
		return STELE_ENOMEM;
	r->ts = p;
	for (uint32_t c = 0; c < r->ncols; c++) {
		if (!(p = realloc(r->cols[c].v, (size_t)cap * sizeof *r->cols[c].v)))
			return STELE_ENOMEM;
		r->cols[c].v = p;
		if (!(p = realloc(r->cols[c].valid, cap)))
			return STELE_ENOMEM;
		r->cols[c].valid = p;
	}
	r->cap = cap;
	return STELE_OK;
}

void rows_clear(Rows *r)
{
	r->n = 0;
	buf_reset(&r->heap);
}

void rows_free(Rows *r)
{
	free(r->sid);
	free(r->ts);
	for (uint32_t c = 0; c < r->ncols; c++) {
		free(r->cols[c].v);
		free(r->cols[c].valid);
	}
	free(r->cols);
	buf_free(&r->heap);
	memset(r, 0, sizeof *r);
}

void rows_copy_row(Rows *dst, const Rows *src, uint32_t i)
{
	uint32_t j = dst->n++;
	dst->sid[j] = src->sid[i];
	dst->ts[j] = src->ts[i];
	for (uint32_t c = 0; c < dst->ncols; c++) {
		const ColVec *s = &src->cols[c];
		ColVec *d = &dst->cols[c];
		d->valid[j] = s->valid[i];
		if (s->type == STELE_TYPE_VARCHAR && s->valid[i]) {
			uint32_t len;
			const char *p = rows_str(src, s->v[i], &len);
			d->v[j] = rows_put_str(dst, p, len);
		} else {
			d->v[j] = s->v[i];
		}
	}
}

void rows_copy_run(Rows *dst, const Rows *src, uint32_t from, uint32_t n)
{
	uint32_t j = dst->n;
	memcpy(dst->sid + j, src->sid + from, (size_t)n * sizeof *dst->sid);
	memcpy(dst->ts + j, src->ts + from, (size_t)n * sizeof *dst->ts);
	for (uint32_t c = 0; c < dst->ncols; c++) {
		const ColVec *s = &src->cols[c];
		ColVec *d = &dst->cols[c];
		memcpy(d->valid + j, s->valid + from, n);
		if (s->type != STELE_TYPE_VARCHAR) {
			memcpy(d->v + j, s->v + from, (size_t)n * sizeof *d->v);
			continue;
		}
		for (uint32_t k = 0; k < n; k++) {
			if (!s->valid[from + k]) {
				d->v[j + k] = 0;
				continue;
			}
			uint32_t len;
			const char *p = rows_str(src, s->v[from + k], &len);
			d->v[j + k] = rows_put_str(dst, p, len);
		}
	}
	dst->n += n;
}

size_t rows_bytes(const Rows *r)
{
	return (size_t)r->cap * (sizeof(uint32_t) + sizeof(int64_t) + r->ncols * 9) + r->heap.cap;
}
