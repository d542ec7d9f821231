/* agg.c - the aggregate functions (see agg.h). Results follow PostgreSQL:
 * count is bigint; sum of integers is exact (128-bit) and fails past the
 * bigint range; avg, variance and stddev are double precision, computed
 * as PostgreSQL's float8 aggregates do (Youngs-Cramer); an aggregate over
 * no rows is NULL, count 0. */
#include "sql/agg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory in an aggregate")
#define ST(T) T *s = (T *)(states + (size_t)gids[k] * stride + call->state_off)
#define FOR_ROWS for (uint32_t k = 0; k < nrows; k++)
/* Rows come in runs of one group (a scan delivers a series' rows in time
 * order, so a group of tags and a time bucket is a run): FOR_RUNS visits
 * each run [k, j) once, so that its rows fold into a local value, in row
 * order (the same result as row by row), stored once. */
#define FOR_RUNS for (uint32_t k = 0, j = 0; k < nrows; k = j)
#define RUN_ROWS for (j = k; j < nrows && gids[j] == gids[k]; j++)

int agg_charge(AggRun *run, size_t n, StErr *err)
{
	int rc = exec_charge(run->cx, n, err);
	if (rc == STELE_OK)
		run->charged += n;
	return rc;
}

static int arg_numeric(BindCtx *bc, AggCall *c, uint32_t k, StErr *err)
{
	Expr *a = c->args[k];
	if (a->untyped || a->type == STELE_TYPE_NONE)
		return bind_cast(bc, a, STELE_TYPE_DOUBLE, false, &c->args[k], err);
	if (!type_is_numeric(a->type))
		return bind_fail(bc, a->pos, STELE_ETYPE, err, "function %s(%s) does not exist",
		                 c->name, func_type_sql_name(a->type));
	return STELE_OK;
}

static int arg_to(BindCtx *bc, AggCall *c, uint32_t k, uint8_t t, StErr *err)
{
	Expr *a = c->args[k];
	if (!a->untyped && a->type != STELE_TYPE_NONE && a->type != t &&
	    !(t == STELE_TYPE_DOUBLE && type_is_numeric(a->type)))
		return bind_fail(bc, a->pos, STELE_ETYPE, err, "function %s(%s) does not exist",
		                 c->name, func_type_sql_name(a->type));
	return bind_cast(bc, a, t, false, &c->args[k], err);
}

/* ---- count ---- */

static int count_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	c->type = STELE_TYPE_BIGINT;
	c->state_size = sizeof(int64_t);
	return STELE_OK;
}
static void count_init(const AggCall *c, void *st) { *(int64_t *)st = 0; }
static int count_update(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
                        const uint32_t *gids, const uint32_t *rows, uint32_t nrows,
                        const Vec *args, StErr *err)
{
	FOR_RUNS {
		ST(int64_t);
		RUN_ROWS {}
		*s += j - k;
	}
	return STELE_OK;
}
static int count_merge(AggRun *run, const AggCall *c, void *d, const void *s, StErr *err)
{
	*(int64_t *)d += *(const int64_t *)s;
	return STELE_OK;
}
static int count_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	out->type = STELE_TYPE_BIGINT;
	out->null = false;
	out->v.i = *(int64_t *)st;
	return STELE_OK;
}
static int count_stats(AggRun *run, const AggCall *c, void *st, const AggStats *in,
                       StErr *err)
{
	*(int64_t *)st += (int64_t)in->n;
	return STELE_OK;
}

/* ---- sum and avg ---- */

typedef struct SumState {
	__int128 i;      /* BIGINT, UBIGINT (as unsigned), INTERVAL */
	double f;        /* DOUBLE */
	int64_t n;
} SumState;

static int sum_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	Expr *a = c->args[0];
	if (a->type != STELE_TYPE_INTERVAL || a->untyped) {
		int rc = arg_numeric(bc, c, 0, err);
		if (rc)
			return rc;
	}
	c->type = c->args[0]->type;
	c->state_size = sizeof(SumState);
	return STELE_OK;
}
static int avg_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	int rc = sum_bind(bc, c, err);
	if (c->type != STELE_TYPE_INTERVAL)
		c->type = STELE_TYPE_DOUBLE;
	return rc;
}
static void sum_init(const AggCall *c, void *st) { memset(st, 0, sizeof(SumState)); }
static int sum_update(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
                      const uint32_t *gids, const uint32_t *rows, uint32_t nrows,
                      const Vec *args, StErr *err)
{
	const Vec *v = &args[0];
	switch (v->type) {
	case STELE_TYPE_DOUBLE:
		FOR_RUNS {
			ST(SumState);
			double f = s->f;
			RUN_ROWS
				f += v->d.f[rows[j]];
			s->f = f;
			s->n += j - k;
		}
		break;
	case STELE_TYPE_UBIGINT:
		FOR_RUNS {
			ST(SumState);
			__int128 acc = s->i;
			RUN_ROWS
				acc += (__int128)v->d.u[rows[j]];
			s->i = acc;
			s->n += j - k;
		}
		break;
	default:
		FOR_RUNS {
			ST(SumState);
			__int128 acc = s->i;
			RUN_ROWS
				acc += v->d.i[rows[j]];
			s->i = acc;
			s->n += j - k;
		}
	}
	return STELE_OK;
}
static int sum_merge(AggRun *run, const AggCall *c, void *d, const void *src, StErr *err)
{
	SumState *a = d;
	const SumState *b = src;
	a->i += b->i;
	a->f += b->f;
	a->n += b->n;
	return STELE_OK;
}
static int sum_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	SumState *s = st;
	out->type = c->type;
	out->null = s->n == 0;
	if (out->null)
		return STELE_OK;
	switch (c->type) {
	case STELE_TYPE_DOUBLE:
		out->v.f = s->f;
		break;
	case STELE_TYPE_UBIGINT:
		if (s->i > (__int128)UINT64_MAX)
			return failf(err, STELE_EINVAL, "ubigint out of range");
		out->v.u = (uint64_t)s->i;
		break;
	default:
		if (s->i > INT64_MAX || s->i < INT64_MIN)
			return failf(err, STELE_EINVAL, "%s out of range",
			             c->type == STELE_TYPE_INTERVAL ? "interval" : "bigint");
		out->v.i = (int64_t)s->i;
	}
	return STELE_OK;
}
static int avg_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	SumState *s = st;
	out->type = c->type;
	out->null = s->n == 0;
	if (out->null)
		return STELE_OK;
	const Expr *a = c->args[0];
	if (c->type == STELE_TYPE_INTERVAL) {
		out->v.i = (int64_t)(s->i / s->n);
	} else if (a->type == STELE_TYPE_DOUBLE) {
		out->v.f = s->f / (double)s->n;
	} else {
		/* Exact sum divided once: as close as a double gets to
		 * PostgreSQL's numeric average. */
		out->v.f = (double)s->i / (double)s->n;
	}
	return STELE_OK;
}
static int sum_stats(AggRun *run, const AggCall *c, void *st, const AggStats *in, StErr *err)
{
	SumState *s = st;
	if (in->n == 0)
		return STELE_OK;
	if (in->type == STELE_TYPE_DOUBLE)
		s->f += in->st->sum.f;
	else
		s->i += in->st->sum.i; /* UBIGINT's sum is unsigned, in range */
	s->n += (int64_t)in->n;
	return STELE_OK;
}

/* ---- min and max ---- */

typedef struct MinMaxState {
	Datum best;
	bool has;
} MinMaxState;

static int minmax_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	Expr *a = c->args[0];
	if (a->untyped) {
		int rc = bind_cast(bc, a, STELE_TYPE_VARCHAR, false, &c->args[0], err);
		if (rc)
			return rc;
	}
	c->type = c->args[0]->type;
	c->state_size = sizeof(MinMaxState);
	return STELE_OK;
}
static void minmax_init(const AggCall *c, void *st) { memset(st, 0, sizeof(MinMaxState)); }

static int keep(AggRun *run, MinMaxState *s, const Vec *v, uint32_t row, StErr *err)
{
	s->best = vec_get(v, row);
	s->has = true;
	if (v->type == STELE_TYPE_VARCHAR) {
		if (!vec_copy_str(run->arena, &s->best.v.s))
			return NOMEM(err);
		return agg_charge(run, s->best.v.s.n, err);
	}
	return STELE_OK;
}

static int minmax_update(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
                         const uint32_t *gids, const uint32_t *rows, uint32_t nrows,
                         const Vec *args, StErr *err)
{
	const Vec *v = &args[0];
	bool want_max = call->def->name[1] == 'a';
	if (v->type == STELE_TYPE_DOUBLE) {
		/* datum_cmp's order, inline: NaN above every number, equal values
		 * (0 and -0) keep the first */
		FOR_RUNS {
			ST(MinMaxState);
			if (!s->has) {
				s->best.type = STELE_TYPE_DOUBLE;
				s->best.v.f = v->d.f[rows[k]];
				s->has = true;
			}
			double best = s->best.v.f;
			if (want_max) {
				RUN_ROWS {
					double x = v->d.f[rows[j]];
					if (x > best || (isnan(x) && !isnan(best)))
						best = x;
				}
			} else {
				RUN_ROWS {
					double x = v->d.f[rows[j]];
					if (x < best || (isnan(best) && !isnan(x)))
						best = x;
				}
			}
			s->best.v.f = best;
		}
		return STELE_OK;
	}
	if (v->type == STELE_TYPE_BIGINT || v->type == STELE_TYPE_TIMESTAMP ||
	    v->type == STELE_TYPE_INTERVAL || v->type == STELE_TYPE_UBIGINT) {
		bool u = v->type == STELE_TYPE_UBIGINT;
		FOR_RUNS {
			ST(MinMaxState);
			if (!s->has) {  /* the run's first value, compared with itself */
				s->best.type = v->type;
				s->best.v.u = v->d.u[rows[k]];
				s->has = true;
			}
			uint64_t best = s->best.v.u;
			if (u) {
				RUN_ROWS {
					uint64_t x = v->d.u[rows[j]];
					best = want_max ? (x > best ? x : best) : (x < best ? x : best);
				}
			} else {
				RUN_ROWS {
					int64_t x = v->d.i[rows[j]], b = (int64_t)best;
					best = (uint64_t)(want_max ? (x > b ? x : b) : (x < b ? x : b));
				}
			}
			s->best.v.u = best;
		}
		return STELE_OK;
	}
	FOR_ROWS {
		ST(MinMaxState);
		if (!s->has) {
			int rc = keep(run, s, v, rows[k], err);
			if (rc)
				return rc;
			continue;
		}
		Datum d = vec_get(v, rows[k]);
		int c = datum_cmp(v->type, &d, &s->best);
		if (want_max ? c > 0 : c < 0) {
			int rc = keep(run, s, v, rows[k], err);
			if (rc)
				return rc;
		}
	}
	return STELE_OK;
}
static int minmax_merge(AggRun *run, const AggCall *c, void *d, const void *src, StErr *err)
{
	MinMaxState *a = d;
	const MinMaxState *b = src;
	if (!b->has)
		return STELE_OK;
	bool want_max = c->def->name[1] == 'a';
	int cmp = a->has ? datum_cmp(c->type, &b->best, &a->best) : 0;
	if (!a->has || (want_max ? cmp > 0 : cmp < 0)) {
		a->best = b->best;
		a->has = true;
		if (c->type == STELE_TYPE_VARCHAR && !vec_copy_str(run->arena, &a->best.v.s))
			return NOMEM(err);
	}
	return STELE_OK;
}
static int minmax_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	MinMaxState *s = st;
	*out = s->best;
	out->type = c->type;
	out->null = !s->has;
	return STELE_OK;
}
static int minmax_stats(AggRun *run, const AggCall *c, void *st, const AggStats *in,
                        StErr *err)
{
	MinMaxState *s = st;
	if (in->n == 0)
		return STELE_OK;
	bool want_max = c->def->name[1] == 'a';
	Datum d = {.type = in->type, .v.u = want_max ? in->st->max : in->st->min};
	int cmp = s->has ? datum_cmp(in->type, &d, &s->best) : 0;
	if (!s->has || (want_max ? cmp > 0 : cmp < 0)) {
		s->best = d;
		s->has = true;
	}
	return STELE_OK;
}

/* ---- variance and standard deviation (Youngs-Cramer, as PostgreSQL) ---- */

typedef struct VarState {
	double n, sx, sxx;
} VarState;

static int var_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	int rc = arg_to(bc, c, 0, STELE_TYPE_DOUBLE, err);
	c->type = STELE_TYPE_DOUBLE;
	c->state_size = sizeof(VarState);
	return rc;
}
static void var_init(const AggCall *c, void *st) { memset(st, 0, sizeof(VarState)); }
static int var_update(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
                      const uint32_t *gids, const uint32_t *rows, uint32_t nrows,
                      const Vec *args, StErr *err)
{
	const Vec *v = &args[0];
	FOR_ROWS {
		ST(VarState);
		double x = v->d.f[rows[k]];
		s->n += 1;
		s->sx += x;
		if (s->n > 1) {
			double tmp = x * s->n - s->sx;
			s->sxx += tmp * tmp / (s->n * (s->n - 1));
		} else {
			s->sxx = 0;
		}
	}
	return STELE_OK;
}
static int var_merge(AggRun *run, const AggCall *c, void *d, const void *src, StErr *err)
{
	VarState *a = d;
	const VarState *b = src;
	if (b->n == 0)
		return STELE_OK;
	if (a->n == 0) {
		*a = *b;
		return STELE_OK;
	}
	double n = a->n + b->n;
	double tmp = a->sx / a->n - b->sx / b->n;
	a->sxx = a->sxx + b->sxx + a->n * b->n * tmp * tmp / n;
	a->sx += b->sx;
	a->n = n;
	return STELE_OK;
}
static int var_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	VarState *s = st;
	const char *nm = c->def->name;
	bool pop = strstr(nm, "_pop") != NULL;
	bool sd = strncmp(nm, "stddev", 6) == 0;
	out->type = STELE_TYPE_DOUBLE;
	double denom = pop ? s->n : s->n - 1;
	out->null = pop ? s->n == 0 : s->n <= 1;
	if (out->null)
		return STELE_OK;
	double var = s->sxx / denom;
	out->v.f = sd ? sqrt(var) : var;
	return STELE_OK;
}

/* ---- first(x, ts) and last(x, ts) ---- */

typedef struct FirstState {
	Datum v;
	int64_t ts;
	bool has;
} FirstState;

static int first_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	Expr *a = c->args[0];
	int rc = STELE_OK;
	if (a->untyped)
		rc = bind_cast(bc, a, STELE_TYPE_VARCHAR, false, &c->args[0], err);
	if (rc == STELE_OK)
		rc = arg_to(bc, c, 1, STELE_TYPE_TIMESTAMP, err);
	c->type = c->args[0]->type;
	c->state_size = sizeof(FirstState);
	return rc;
}
static void first_init(const AggCall *c, void *st) { memset(st, 0, sizeof(FirstState)); }
static int first_update(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
                        const uint32_t *gids, const uint32_t *rows, uint32_t nrows,
                        const Vec *args, StErr *err)
{
	bool last = call->def->name[0] == 'l';
	const Vec *v = &args[0], *t = &args[1];
	FOR_ROWS {
		ST(FirstState);
		int64_t ts = t->d.i[rows[k]];
		if (s->has && (last ? ts < s->ts : ts >= s->ts))
			continue;
		if (s->has && last && ts == s->ts)
			continue;
		s->v = vec_get(v, rows[k]);
		s->ts = ts;
		s->has = true;
		if (v->type == STELE_TYPE_VARCHAR) {
			if (!vec_copy_str(run->arena, &s->v.v.s))
				return NOMEM(err);
			int rc = agg_charge(run, s->v.v.s.n, err);
			if (rc)
				return rc;
		}
	}
	return STELE_OK;
}
static int first_merge(AggRun *run, const AggCall *c, void *d, const void *src, StErr *err)
{
	bool last = c->def->name[0] == 'l';
	FirstState *a = d;
	const FirstState *b = src;
	if (!b->has)
		return STELE_OK;
	if (!a->has || (last ? b->ts > a->ts : b->ts < a->ts)) {
		*a = *b;
		if (c->type == STELE_TYPE_VARCHAR && !vec_copy_str(run->arena, &a->v.v.s))
			return NOMEM(err);
	}
	return STELE_OK;
}
static int first_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	FirstState *s = st;
	*out = s->v;
	out->type = c->type;
	out->null = !s->has;
	return STELE_OK;
}
/* The block has a value in every row (STATS_NO_NULL): its first value is
 * at min_ts, its last at max_ts. */
static int first_stats(AggRun *run, const AggCall *c, void *st, const AggStats *in,
                       StErr *err)
{
	FirstState *s = st;
	if (in->n == 0)
		return STELE_OK;
	bool last = c->def->name[0] == 'l';
	int64_t ts = last ? in->max_ts : in->min_ts;
	if (s->has && (last ? ts <= s->ts : ts >= s->ts))
		return STELE_OK;
	s->v = (Datum){.type = in->type, .v.u = last ? in->st->last : in->st->first};
	s->ts = ts;
	s->has = true;
	return STELE_OK;
}

/* ---- spread(x) = max - min ---- */

typedef struct SpreadState {
	double min, max;
	bool has;
} SpreadState;

static int spread_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	int rc = arg_to(bc, c, 0, STELE_TYPE_DOUBLE, err);
	c->type = STELE_TYPE_DOUBLE;
	c->state_size = sizeof(SpreadState);
	return rc;
}
static void spread_init(const AggCall *c, void *st) { memset(st, 0, sizeof(SpreadState)); }
static int spread_update(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
                         const uint32_t *gids, const uint32_t *rows, uint32_t nrows,
                         const Vec *args, StErr *err)
{
	const Vec *v = &args[0];
	FOR_ROWS {
		ST(SpreadState);
		double x = v->d.f[rows[k]];
		if (!s->has) {
			s->min = s->max = x;
			s->has = true;
		} else {
			if (x < s->min)
				s->min = x;
			if (x > s->max)
				s->max = x;
		}
	}
	return STELE_OK;
}
static int spread_merge(AggRun *run, const AggCall *c, void *d, const void *src, StErr *err)
{
	SpreadState *a = d;
	const SpreadState *b = src;
	if (!b->has)
		return STELE_OK;
	if (!a->has) {
		*a = *b;
		return STELE_OK;
	}
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
	return STELE_OK;
}
static int spread_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	SpreadState *s = st;
	out->type = STELE_TYPE_DOUBLE;
	out->null = !s->has;
	out->v.f = s->has ? s->max - s->min : 0;
	return STELE_OK;
}
static int spread_stats(AggRun *run, const AggCall *c, void *st, const AggStats *in,
                        StErr *err)
{
	SpreadState *s = st;
	if (in->n == 0)
		return STELE_OK;
	double lo, hi;
	memcpy(&lo, &in->st->min, 8);
	memcpy(&hi, &in->st->max, 8);
	if (!s->has) {
		s->min = lo;
		s->max = hi;
		s->has = true;
		return STELE_OK;
	}
	if (lo < s->min)
		s->min = lo;
	if (hi > s->max)
		s->max = hi;
	return STELE_OK;
}

/* ---- aggregates over all their points: percentiles, twa, rate ---- */

typedef struct Point {
	int64_t ts;
	double v;
} Point;

typedef struct ListState {
	Point *p;
	uint32_t n, cap;
} ListState;

static void list_init(const AggCall *c, void *st) { memset(st, 0, sizeof(ListState)); }

static int list_push(AggRun *run, ListState *s, int64_t ts, double v, StErr *err)
{
	if (s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 8;
		if (cap < s->cap)
			return failf(err, STELE_ELIMIT, "too many values in one group");
		Point *p = arena_alloc(run->arena, (size_t)cap * sizeof *p);
		if (!p)
			return NOMEM(err);
		int rc = agg_charge(run, (size_t)cap * sizeof *p, err);
		if (rc)
			return rc;
		if (s->n)
			memcpy(p, s->p, s->n * sizeof *p);
		s->p = p;
		s->cap = cap;
	}
	s->p[s->n++] = (Point){ts, v};
	return STELE_OK;
}

static int list_update(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
                       const uint32_t *gids, const uint32_t *rows, uint32_t nrows,
                       const Vec *args, StErr *err)
{
	const Vec *v = &args[0];
	const Vec *t = call->nargs > 1 && args[1].type == STELE_TYPE_TIMESTAMP ? &args[1] : NULL;
	FOR_ROWS {
		ST(ListState);
		int rc = list_push(run, s, t ? t->d.i[rows[k]] : 0, v->d.f[rows[k]], err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}
static int list_merge(AggRun *run, const AggCall *c, void *d, const void *src, StErr *err)
{
	ListState *a = d;
	const ListState *b = src;
	for (uint32_t i = 0; i < b->n; i++) {
		int rc = list_push(run, a, b->p[i].ts, b->p[i].v, err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}

static int cmp_v(const void *x, const void *y)
{
	double a = ((const Point *)x)->v, b = ((const Point *)y)->v;
	if (isnan(a))
		return isnan(b) ? 0 : 1;
	if (isnan(b))
		return -1;
	return a < b ? -1 : a > b;
}
static int cmp_ts(const void *x, const void *y)
{
	int64_t a = ((const Point *)x)->ts, b = ((const Point *)y)->ts;
	return a < b ? -1 : a > b;
}

static void reverse(ListState *s)
{
	for (uint32_t i = 0, j = s->n ? s->n - 1 : 0; i < j; i++, j--) {
		Point t = s->p[i];
		s->p[i] = s->p[j];
		s->p[j] = t;
	}
}

/* percentile_cont(frac) WITHIN GROUP (ORDER BY x): the argument list the
 * binder gives is (x, frac). */
static int pct_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	int rc = arg_to(bc, c, 0, STELE_TYPE_DOUBLE, err);
	if (rc)
		return rc;
	if (c->nargs > 1) {
		rc = arg_to(bc, c, 1, STELE_TYPE_DOUBLE, err);
		if (rc)
			return rc;
		Expr *f = c->args[1];
		if (f->kind != E_CONST || f->val.null)
			return bind_fail(bc, f->pos, STELE_EINVAL, err,
			                 "the fraction of %s must be a constant", c->name);
		c->frac = f->val.v.f;
		if (!(c->frac >= 0 && c->frac <= 1))
			return bind_fail(bc, f->pos, STELE_EINVAL, err,
			                 "percentile value %g is not between 0 and 1", c->frac);
		c->nargs = 1;
	} else {
		c->frac = 0.5; /* median(x) */
	}
	c->type = STELE_TYPE_DOUBLE;
	c->state_size = sizeof(ListState);
	return STELE_OK;
}
static int pct_cont_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	ListState *s = st;
	out->type = STELE_TYPE_DOUBLE;
	out->null = s->n == 0;
	if (out->null)
		return STELE_OK;
	qsort(s->p, s->n, sizeof *s->p, cmp_v);
	if (c->desc)
		reverse(s);
	double pos = c->frac * (double)(s->n - 1);
	uint32_t lo = (uint32_t)floor(pos), hi = (uint32_t)ceil(pos);
	double a = s->p[lo].v, b = s->p[hi].v;
	out->v.f = lo == hi ? a : a + (pos - lo) * (b - a);
	return STELE_OK;
}
static int pct_disc_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	ListState *s = st;
	out->type = STELE_TYPE_DOUBLE;
	out->null = s->n == 0;
	if (out->null)
		return STELE_OK;
	qsort(s->p, s->n, sizeof *s->p, cmp_v);
	if (c->desc)
		reverse(s);
	/* The first value whose position in the order reaches frac. */
	double want = c->frac * (double)s->n;
	uint32_t k = (uint32_t)ceil(want);
	if (k > 0)
		k--;
	if (k >= s->n)
		k = s->n - 1;
	out->v.f = s->p[k].v;
	return STELE_OK;
}

/* approx_percentile(x, frac): a log-bucketed histogram with 1% relative
 * accuracy (DDSketch's idea), constant memory per group. */
#define SK_BUCKETS 2048
#define SK_GAMMA 1.02
typedef struct SketchState {
	uint32_t *pos, *neg;   /* [SK_BUCKETS] counts, allocated on first use */
	uint64_t zeros, n;
} SketchState;

static int sketch_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	int rc = pct_bind(bc, c, err);
	c->state_size = sizeof(SketchState);
	return rc;
}
static void sketch_init(const AggCall *c, void *st) { memset(st, 0, sizeof(SketchState)); }
static int sk_index(double x)
{
	/* Buckets cover [1e-300, 1e300]: index of log base gamma, offset. */
	double l = log(x) / log(SK_GAMMA);
	int k = (int)ceil(l) + SK_BUCKETS / 2;
	return k < 0 ? 0 : k >= SK_BUCKETS ? SK_BUCKETS - 1 : k;
}
static double sk_value(int k)
{
	double hi = pow(SK_GAMMA, k - SK_BUCKETS / 2);
	return 2 * hi / (1 + SK_GAMMA);
}
static int sketch_add(AggRun *run, SketchState *s, double x, uint64_t times, StErr *err)
{
	if (isnan(x))
		return STELE_OK;
	s->n += times;
	if (x == 0) {
		s->zeros += times;
		return STELE_OK;
	}
	uint32_t **b = x > 0 ? &s->pos : &s->neg;
	if (!*b) {
		*b = arena_alloc(run->arena, SK_BUCKETS * sizeof **b);
		if (!*b)
			return NOMEM(err);
		memset(*b, 0, SK_BUCKETS * sizeof **b);
		int rc = agg_charge(run, SK_BUCKETS * sizeof **b, err);
		if (rc)
			return rc;
	}
	(*b)[sk_index(fabs(x))] += (uint32_t)times;
	return STELE_OK;
}
static int sketch_update(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
                         const uint32_t *gids, const uint32_t *rows, uint32_t nrows,
                         const Vec *args, StErr *err)
{
	FOR_ROWS {
		ST(SketchState);
		int rc = sketch_add(run, s, args[0].d.f[rows[k]], 1, err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}
static int sketch_merge(AggRun *run, const AggCall *c, void *d, const void *src, StErr *err)
{
	SketchState *a = d;
	const SketchState *b = src;
	for (int k = 0; k < SK_BUCKETS; k++) {
		if (b->pos && b->pos[k]) {
			int rc = sketch_add(run, a, sk_value(k), b->pos[k], err);
			if (rc)
				return rc;
		}
		if (b->neg && b->neg[k]) {
			int rc = sketch_add(run, a, -sk_value(k), b->neg[k], err);
			if (rc)
				return rc;
		}
	}
	a->zeros += b->zeros;
	a->n += b->zeros;
	return STELE_OK;
}
static int sketch_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	SketchState *s = st;
	out->type = STELE_TYPE_DOUBLE;
	out->null = s->n == 0;
	if (out->null)
		return STELE_OK;
	uint64_t rank = (uint64_t)floor(c->frac * (double)(s->n - 1)), seen = 0;
	for (int k = SK_BUCKETS - 1; s->neg && k >= 0; k--) {
		seen += s->neg[k];
		if (seen > rank) {
			out->v.f = -sk_value(k);
			return STELE_OK;
		}
	}
	seen += s->zeros;
	if (seen > rank) {
		out->v.f = 0;
		return STELE_OK;
	}
	for (int k = 0; s->pos && k < SK_BUCKETS; k++) {
		seen += s->pos[k];
		if (seen > rank) {
			out->v.f = sk_value(k);
			return STELE_OK;
		}
	}
	out->v.f = s->pos ? sk_value(SK_BUCKETS - 1) : 0;
	return STELE_OK;
}

/* twa(x, ts), rate(x, ts), derivative(x, ts): over the group's points in
 * time order. */
static int series_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	int rc = arg_to(bc, c, 0, STELE_TYPE_DOUBLE, err);
	if (rc == STELE_OK)
		rc = arg_to(bc, c, 1, STELE_TYPE_TIMESTAMP, err);
	c->type = STELE_TYPE_DOUBLE;
	c->state_size = sizeof(ListState);
	return rc;
}

/* Time-weighted average: the trapezoid rule over consecutive points,
 * divided by the time covered; one point (or all at one time) is its
 * plain mean. */
static int twa_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	ListState *s = st;
	out->type = STELE_TYPE_DOUBLE;
	out->null = s->n == 0;
	if (out->null)
		return STELE_OK;
	qsort(s->p, s->n, sizeof *s->p, cmp_ts);
	double span = (double)(s->p[s->n - 1].ts - s->p[0].ts);
	if (span == 0) {
		double sum = 0;
		for (uint32_t i = 0; i < s->n; i++)
			sum += s->p[i].v;
		out->v.f = sum / s->n;
		return STELE_OK;
	}
	double area = 0;
	for (uint32_t i = 1; i < s->n; i++)
		area += (s->p[i].v + s->p[i - 1].v) / 2 * (double)(s->p[i].ts - s->p[i - 1].ts);
	out->v.f = area / span;
	return STELE_OK;
}

/* rate: the increase of a counter per second between the first and last
 * point, where a drop means the counter restarted from zero (the value
 * after the drop counts whole); derivative: (last - first) per second,
 * drops included. NULL with fewer than two distinct times. */
static int rate_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	ListState *s = st;
	bool is_rate = c->def->name[0] == 'r';
	out->type = STELE_TYPE_DOUBLE;
	qsort(s->p, s->n, sizeof *s->p, cmp_ts);
	out->null = s->n < 2 || s->p[s->n - 1].ts == s->p[0].ts;
	if (out->null)
		return STELE_OK;
	double delta = 0;
	if (is_rate) {
		for (uint32_t i = 1; i < s->n; i++) {
			double d = s->p[i].v - s->p[i - 1].v;
			delta += d >= 0 ? d : s->p[i].v;
		}
	} else {
		delta = s->p[s->n - 1].v - s->p[0].v;
	}
	out->v.f = delta / ((double)(s->p[s->n - 1].ts - s->p[0].ts) / 1e9);
	return STELE_OK;
}

/* ---- bool_and / bool_or ---- */

typedef struct BoolState {
	bool has, v;
} BoolState;

static int bool_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	int rc = arg_to(bc, c, 0, STELE_TYPE_BOOLEAN, err);
	c->type = STELE_TYPE_BOOLEAN;
	c->state_size = sizeof(BoolState);
	return rc;
}
static void bool_init(const AggCall *c, void *st) { memset(st, 0, sizeof(BoolState)); }
static int bool_update(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
                       const uint32_t *gids, const uint32_t *rows, uint32_t nrows,
                       const Vec *args, StErr *err)
{
	bool is_and = strcmp(call->def->name, "bool_or") != 0;
	FOR_ROWS {
		ST(BoolState);
		bool x = args[0].d.i[rows[k]] != 0;
		s->v = s->has ? (is_and ? s->v && x : s->v || x) : x;
		s->has = true;
	}
	return STELE_OK;
}
static int bool_merge(AggRun *run, const AggCall *c, void *d, const void *src, StErr *err)
{
	bool is_and = strcmp(c->def->name, "bool_or") != 0;
	BoolState *a = d;
	const BoolState *b = src;
	if (b->has) {
		a->v = a->has ? (is_and ? a->v && b->v : a->v || b->v) : b->v;
		a->has = true;
	}
	return STELE_OK;
}
/* A block's sum of a boolean column counts its trues. */
static int bool_stats(AggRun *run, const AggCall *c, void *st, const AggStats *in, StErr *err)
{
	BoolState *s = st;
	if (in->n == 0)
		return STELE_OK;
	bool is_and = strcmp(c->def->name, "bool_or") != 0;
	bool x = is_and ? in->st->sum.i == (__int128)in->n : in->st->sum.i > 0;
	s->v = s->has ? (is_and ? s->v && x : s->v || x) : x;
	s->has = true;
	return STELE_OK;
}
static int bool_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	BoolState *s = st;
	out->type = STELE_TYPE_BOOLEAN;
	out->null = !s->has;
	out->v.i = s->v;
	return STELE_OK;
}

/* ---- string_agg(x, sep) ---- */

typedef struct StrAggState {
	char *p;         /* in run->arena; NULL before the first value */
	uint32_t n, cap;
} StrAggState;

static int stragg_bind(BindCtx *bc, AggCall *c, StErr *err)
{
	int rc = arg_to(bc, c, 0, STELE_TYPE_VARCHAR, err);
	if (rc == STELE_OK)
		rc = arg_to(bc, c, 1, STELE_TYPE_VARCHAR, err);
	c->type = STELE_TYPE_VARCHAR;
	c->state_size = sizeof(StrAggState);
	return rc;
}
static void stragg_init(const AggCall *c, void *st) { memset(st, 0, sizeof(StrAggState)); }
static int stragg_put(AggRun *run, StrAggState *s, SqlStr x, StErr *err)
{
	if ((uint64_t)s->n + x.n > (64u << 20))
		return failf(err, STELE_ELIMIT, "string_agg result is too long");
	if (s->n + x.n > s->cap) {
		uint32_t cap = s->cap ? s->cap : 64;
		while (cap < s->n + x.n)
			cap *= 2;
		char *p = arena_alloc(run->arena, cap);
		if (!p)
			return NOMEM(err);
		int rc = agg_charge(run, cap, err);
		if (rc)
			return rc;
		if (s->n)
			memcpy(p, s->p, s->n);
		s->p = p;
		s->cap = cap;
	}
	if (x.n)
		memcpy(s->p + s->n, x.p, x.n);
	s->n += x.n;
	return STELE_OK;
}
static int stragg_update(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
                         const uint32_t *gids, const uint32_t *rows, uint32_t nrows,
                         const Vec *args, StErr *err)
{
	FOR_ROWS {
		ST(StrAggState);
		int rc = STELE_OK;
		if (s->p)
			rc = stragg_put(run, s, args[1].d.s[rows[k]], err);
		else if (!(s->p = arena_alloc(run->arena, 1)))
			return NOMEM(err);
		if (rc == STELE_OK)
			rc = stragg_put(run, s, args[0].d.s[rows[k]], err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}
static int stragg_final(AggRun *run, const AggCall *c, void *st, Datum *out, StErr *err)
{
	StrAggState *s = st;
	out->type = STELE_TYPE_VARCHAR;
	out->null = !s->p;
	if (s->p)
		out->v.s = (SqlStr){s->p, s->n};
	return STELE_OK;
}

static const AggDef agg_defs[] = {
	{"count", 0, 1, count_bind, count_init, count_update, count_merge, count_final, count_stats},
	{"sum", 1, 1, sum_bind, sum_init, sum_update, sum_merge, sum_final, sum_stats},
	{"avg", 1, 1, avg_bind, sum_init, sum_update, sum_merge, avg_final, sum_stats},
	{"mean", 1, 1, avg_bind, sum_init, sum_update, sum_merge, avg_final, sum_stats},
	{"min", 1, 1, minmax_bind, minmax_init, minmax_update, minmax_merge, minmax_final,
	 minmax_stats},
	{"max", 1, 1, minmax_bind, minmax_init, minmax_update, minmax_merge, minmax_final,
	 minmax_stats},
	{"stddev", 1, 1, var_bind, var_init, var_update, var_merge, var_final, NULL},
	{"stddev_samp", 1, 1, var_bind, var_init, var_update, var_merge, var_final, NULL},
	{"stddev_pop", 1, 1, var_bind, var_init, var_update, var_merge, var_final, NULL},
	{"variance", 1, 1, var_bind, var_init, var_update, var_merge, var_final, NULL},
	{"var_samp", 1, 1, var_bind, var_init, var_update, var_merge, var_final, NULL},
	{"var_pop", 1, 1, var_bind, var_init, var_update, var_merge, var_final, NULL},
	{"first", 2, 2, first_bind, first_init, first_update, first_merge, first_final,
	 first_stats},
	{"last", 2, 2, first_bind, first_init, first_update, first_merge, first_final,
	 first_stats},
	{"spread", 1, 1, spread_bind, spread_init, spread_update, spread_merge, spread_final,
	 spread_stats},
	{"percentile_cont", 2, 2, pct_bind, list_init, list_update, list_merge, pct_cont_final, NULL},
	{"percentile_disc", 2, 2, pct_bind, list_init, list_update, list_merge, pct_disc_final, NULL},
	{"median", 1, 1, pct_bind, list_init, list_update, list_merge, pct_cont_final, NULL},
	{"approx_percentile", 2, 2, sketch_bind, sketch_init, sketch_update, sketch_merge,
	 sketch_final, NULL},
	{"twa", 2, 2, series_bind, list_init, list_update, list_merge, twa_final, NULL},
	{"rate", 2, 2, series_bind, list_init, list_update, list_merge, rate_final, NULL},
	{"derivative", 2, 2, series_bind, list_init, list_update, list_merge, rate_final, NULL},
	{"bool_and", 1, 1, bool_bind, bool_init, bool_update, bool_merge, bool_final, bool_stats},
	{"bool_or", 1, 1, bool_bind, bool_init, bool_update, bool_merge, bool_final, bool_stats},
	{"every", 1, 1, bool_bind, bool_init, bool_update, bool_merge, bool_final, bool_stats},
	{"string_agg", 2, 2, stragg_bind, stragg_init, stragg_update, NULL, stragg_final, NULL},
};

const AggDef *agg_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof agg_defs / sizeof agg_defs[0]; i++)
		if (strcmp(agg_defs[i].name, name) == 0)
			return &agg_defs[i];
	return NULL;
}
