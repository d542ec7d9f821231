/* vec.c - column vectors, batches and values (see vec.h). */
#include "sql/vec.h"

#include <math.h>
#include <xxhash.h>

bool vec_alloc(Arena *a, Vec *v, uint8_t type, uint32_t n)
{
	size_t cap = n ? n : 1;
	v->type = type;
	v->null = arena_alloc(a, cap);
	v->d.p = arena_alloc(a, cap * type_size(type));
	if (!v->null || !v->d.p)
		return false;
	memset(v->null, type == STELE_TYPE_NONE, cap);
	memset(v->d.p, 0, cap * type_size(type));
	return true;
}

Batch *batch_alloc(Arena *a, uint32_t ncols)
{
	Batch *b = arena_alloc(a, sizeof *b);
	if (!b)
		return NULL;
	b->n = 0;
	b->ncols = ncols;
	b->cols = arena_alloc(a, (ncols ? ncols : 1) * sizeof *b->cols);
	if (!b->cols)
		return NULL;
	memset(b->cols, 0, (ncols ? ncols : 1) * sizeof *b->cols);
	return b;
}

bool vec_copy_str(Arena *a, SqlStr *s)
{
	if (s->n == 0) {
		s->p = "";
		return true;
	}
	char *p = arena_dup(a, s->p, s->n);
	if (!p)
		return false;
	s->p = p;
	return true;
}

static int cmp_double(double x, double y)
{
	if (isnan(x))
		return isnan(y) ? 0 : 1;
	if (isnan(y))
		return -1;
	return x < y ? -1 : x > y ? 1 : 0;
}

static int cmp_str(SqlStr a, SqlStr b)
{
	uint32_t n = a.n < b.n ? a.n : b.n;
	int c = n ? memcmp(a.p, b.p, n) : 0;
	if (c)
		return c < 0 ? -1 : 1;
	return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

int datum_cmp(uint8_t type, const Datum *a, const Datum *b)
{
	switch (type) {
	case STELE_TYPE_DOUBLE:
		return cmp_double(a->v.f, b->v.f);
	case STELE_TYPE_UBIGINT:
		return a->v.u < b->v.u ? -1 : a->v.u > b->v.u ? 1 : 0;
	case STELE_TYPE_VARCHAR:
		return cmp_str(a->v.s, b->v.s);
	case STELE_TYPE_NONE:
		return 0;
	default:
		return a->v.i < b->v.i ? -1 : a->v.i > b->v.i ? 1 : 0;
	}
}

int vec_cmp(const Vec *a, uint32_t i, const Vec *b, uint32_t j)
{
	switch (a->type) {
	case STELE_TYPE_DOUBLE:
		return cmp_double(a->d.f[i], b->d.f[j]);
	case STELE_TYPE_UBIGINT:
		return a->d.u[i] < b->d.u[j] ? -1 : a->d.u[i] > b->d.u[j] ? 1 : 0;
	case STELE_TYPE_VARCHAR:
		return cmp_str(a->d.s[i], b->d.s[j]);
	case STELE_TYPE_NONE:
		return 0;
	default:
		return a->d.i[i] < b->d.i[j] ? -1 : a->d.i[i] > b->d.i[j] ? 1 : 0;
	}
}

static uint64_t hash_double(double f)
{
	/* Equal values hash equally: -0 as 0, every NaN alike. */
	if (f == 0)
		f = 0;
	if (isnan(f))
		f = NAN;
	uint64_t u;
	memcpy(&u, &f, 8);
	return XXH3_64bits(&u, 8);
}

uint64_t vec_hash(const Vec *v, uint32_t i)
{
	switch (v->type) {
	case STELE_TYPE_DOUBLE:
		return hash_double(v->d.f[i]);
	case STELE_TYPE_VARCHAR:
		return XXH3_64bits(v->d.s[i].p, v->d.s[i].n);
	case STELE_TYPE_NONE:
		return 0;
	default:
		return XXH3_64bits(&v->d.u[i], 8);
	}
}

uint64_t datum_hash(const Datum *d)
{
	if (d->null)
		return 0x9e3779b97f4a7c15ull;
	switch (d->type) {
	case STELE_TYPE_DOUBLE:
		return hash_double(d->v.f);
	case STELE_TYPE_VARCHAR:
		return XXH3_64bits(d->v.s.p, d->v.s.n);
	case STELE_TYPE_NONE:
		return 0;
	default:
		return XXH3_64bits(&d->v.u, 8);
	}
}
