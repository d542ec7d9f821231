/* func_time.c - time functions: now(), date_trunc, date_part / extract,
 * to_timestamp, time_bucket and date_bin (the arithmetic is in
 * sqltime.c). */
#include <string.h>

#include "sql/func.h"
#include "sql/sqltime.h"

#define LOOP for (uint32_t i = 0; i < n; i++) if (!out->null[i])

static int arg_type(BindCtx *bc, Expr *e, uint32_t k, uint8_t t, StErr *err)
{
	Expr *a = e->args[k];
	if (!a->untyped && a->type != STELE_TYPE_NONE && a->type != t)
		return bind_fail(bc, a->pos, STELE_ETYPE, err,
		                 "function %s does not take %s as argument %u (%s expected)",
		                 e->name, func_type_sql_name(a->type), k + 1, func_type_sql_name(t));
	return bind_cast(bc, a, t, false, &e->args[k], err);
}

static int f_now(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++)
		out->d.i[i] = cx->now_ns;
	return STELE_OK;
}
static int b_now(BindCtx *bc, Expr *e, StErr *err)
{
	e->type = STELE_TYPE_TIMESTAMP;
	e->fn = f_now;
	return STELE_OK;
}

static int f_trunc(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		SqlStr u = a[0].d.s[i];
		int rc = sqltime_trunc(u.p, u.n, a[1].d.i[i], &out->d.i[i], err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}
static int b_trunc(BindCtx *bc, Expr *e, StErr *err)
{
	int rc = arg_type(bc, e, 0, STELE_TYPE_VARCHAR, err);
	if (rc == STELE_OK)
		rc = arg_type(bc, e, 1, STELE_TYPE_TIMESTAMP, err);
	if (rc)
		return rc;
	/* A constant unit is checked now, where its position is known. */
	if (e->args[0]->kind == E_CONST && !e->args[0]->val.null) {
		int64_t x;
		StErr uerr;
		SqlStr u = e->args[0]->val.v.s;
		if (sqltime_trunc(u.p, u.n, 0, &x, &uerr))
			return bind_fail(bc, e->args[0]->pos, uerr.code, err, "%s", uerr.msg);
	}
	e->type = STELE_TYPE_TIMESTAMP;
	e->strict = true;
	e->fn = f_trunc;
	return STELE_OK;
}

/* date_part(field, timestamp) and, for intervals, the epoch. */
static int f_part(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		SqlStr u = a[0].d.s[i];
		int rc = sqltime_part(u.p, u.n, a[1].d.i[i], &out->d.f[i], err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}

static bool unit_is(SqlStr u, const char *name)
{
	size_t k = strlen(name);
	if (u.n != k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char c = u.p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != name[i])
			return false;
	}
	return true;
}

/* Parts of an interval: epoch (seconds, with fraction), and the fields of
 * its days + HH:MM:SS form. */
static int f_part_iv(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		SqlStr u = a[0].d.s[i];
		int64_t v = a[1].d.i[i];
		int64_t day = v / (86400LL * 1000000000LL);
		int64_t rest = v - day * 86400LL * 1000000000LL;
		double r;
		if (unit_is(u, "epoch"))
			r = (double)v / 1e9;
		else if (unit_is(u, "day") || unit_is(u, "days"))
			r = (double)day;
		else if (unit_is(u, "hour") || unit_is(u, "hours"))
			r = (double)(rest / 3600000000000LL);
		else if (unit_is(u, "minute") || unit_is(u, "minutes"))
			r = (double)((rest / 60000000000LL) % 60);
		else if (unit_is(u, "second") || unit_is(u, "seconds"))
			r = (double)(rest % 60000000000LL) / 1e9;
		else if (unit_is(u, "millisecond") || unit_is(u, "milliseconds"))
			r = (double)(rest % 60000000000LL) / 1e6;
		else if (unit_is(u, "microsecond") || unit_is(u, "microseconds"))
			r = (double)(rest % 60000000000LL) / 1e3;
		else
			return failf(err, STELE_EINVAL, "unit \"%.*s\" not supported for type interval",
			             (int)u.n, u.p);
		out->d.f[i] = r;
	}
	return STELE_OK;
}

static int b_part(BindCtx *bc, Expr *e, StErr *err)
{
	int rc = arg_type(bc, e, 0, STELE_TYPE_VARCHAR, err);
	if (rc)
		return rc;
	bool iv = e->args[1]->type == STELE_TYPE_INTERVAL && !e->args[1]->untyped;
	if (!iv) {
		rc = arg_type(bc, e, 1, STELE_TYPE_TIMESTAMP, err);
		if (rc)
			return rc;
		if (e->args[0]->kind == E_CONST && !e->args[0]->val.null) {
			double x;
			StErr uerr;
			SqlStr u = e->args[0]->val.v.s;
			if (sqltime_part(u.p, u.n, 0, &x, &uerr))
				return bind_fail(bc, e->args[0]->pos, uerr.code, err, "%s", uerr.msg);
		}
	}
	e->type = STELE_TYPE_DOUBLE;
	e->strict = true;
	e->fn = iv ? f_part_iv : f_part;
	return STELE_OK;
}

static int f_to_ts(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		int rc = sqltime_from_epoch(a[0].d.f[i], &out->d.i[i], err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}
static int b_to_ts(BindCtx *bc, Expr *e, StErr *err)
{
	Expr *a = e->args[0];
	if (!a->untyped && a->type != STELE_TYPE_NONE && !type_is_numeric(a->type))
		return bind_fail(bc, a->pos, STELE_ETYPE, err, "function to_timestamp(%s) does not exist",
		                 func_type_sql_name(a->type));
	int rc = bind_cast(bc, a, STELE_TYPE_DOUBLE, false, &e->args[0], err);
	if (rc)
		return rc;
	e->type = STELE_TYPE_TIMESTAMP;
	e->strict = true;
	e->fn = f_to_ts;
	return STELE_OK;
}

/* time_bucket(width, ts [, origin timestamp | offset interval]) and
 * date_bin(width, ts, origin). aux: 0 default origin, 1 origin argument,
 * 2 offset argument. */
static int f_bucket(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	uintptr_t mode = (uintptr_t)e->aux;
	/* Times mostly come in order, so a row usually falls in the previous
	 * row's bucket [lo, hi) of the same width and origin: no division. */
	int64_t lo = 0, hi = 0, lw = 0, lorigin = 0;
	LOOP {
		int64_t origin = SQLTIME_BUCKET_ORIGIN;
		if (mode == 1)
			origin = a[2].d.i[i];
		else if (mode == 2 && __builtin_add_overflow(origin, a[2].d.i[i], &origin))
			return failf(err, STELE_EINVAL, "timestamp out of range");
		int64_t w = a[0].d.i[i], t = a[1].d.i[i];
		if (t >= lo && t < hi && w == lw && origin == lorigin) {
			out->d.i[i] = lo;
			continue;
		}
		int rc = sqltime_bucket(w, t, origin, &out->d.i[i], err);
		if (rc)
			return rc;
		lo = out->d.i[i];
		lw = w;
		lorigin = origin;
		if (__builtin_add_overflow(lo, w, &hi))
			hi = lo;  /* the last bucket: no shortcut */
	}
	return STELE_OK;
}

static int bind_bucket(BindCtx *bc, Expr *e, bool date_bin, StErr *err)
{
	int rc = arg_type(bc, e, 0, STELE_TYPE_INTERVAL, err);
	if (rc == STELE_OK)
		rc = arg_type(bc, e, 1, STELE_TYPE_TIMESTAMP, err);
	if (rc)
		return rc;
	uintptr_t mode = 0;
	if (e->nargs == 3) {
		bool offset = !date_bin && e->args[2]->type == STELE_TYPE_INTERVAL &&
		              !e->args[2]->untyped;
		rc = arg_type(bc, e, 2, offset ? STELE_TYPE_INTERVAL : STELE_TYPE_TIMESTAMP, err);
		if (rc)
			return rc;
		mode = offset ? 2 : 1;
	}
	Expr *w = e->args[0];
	if (w->kind == E_CONST && !w->val.null && w->val.v.i <= 0)
		return bind_fail(bc, w->pos, STELE_EINVAL, err, "stride must be greater than zero");
	e->type = STELE_TYPE_TIMESTAMP;
	e->strict = true;
	e->fn = f_bucket;
	e->aux = (void *)mode;
	return STELE_OK;
}
static int b_bucket(BindCtx *bc, Expr *e, StErr *err) { return bind_bucket(bc, e, false, err); }
static int b_date_bin(BindCtx *bc, Expr *e, StErr *err) { return bind_bucket(bc, e, true, err); }

/* time_bucket_gapfill(width, ts [, start [, finish]]): time_bucket with
 * the default origin; start and finish only tell the binder which
 * buckets to fill (bind.c), so they are left out of the evaluation. */
static int f_bucket_gapfill(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out,
                            StErr *err)
{
	LOOP {
		int rc = sqltime_bucket(a[0].d.i[i], a[1].d.i[i], SQLTIME_BUCKET_ORIGIN, &out->d.i[i],
		                        err);
		if (rc)
			return rc;
	}
	return STELE_OK;
}

static int b_bucket_gapfill(BindCtx *bc, Expr *e, StErr *err)
{
	int rc = arg_type(bc, e, 0, STELE_TYPE_INTERVAL, err);
	if (rc == STELE_OK)
		rc = arg_type(bc, e, 1, STELE_TYPE_TIMESTAMP, err);
	for (uint32_t k = 2; rc == STELE_OK && k < e->nargs; k++) {
		rc = arg_type(bc, e, k, STELE_TYPE_TIMESTAMP, err);
		if (rc == STELE_OK && e->args[k]->kind != E_CONST)
			rc = bind_fail(bc, e->args[k]->pos, STELE_EINVAL, err,
			               "the start and finish of time_bucket_gapfill must be constants");
	}
	if (rc)
		return rc;
	Expr *w = e->args[0];
	if (w->kind != E_CONST || w->val.null || w->val.v.i <= 0)
		return bind_fail(bc, w->pos, STELE_EINVAL, err,
		                 "the width of time_bucket_gapfill must be a positive constant interval");
	GapfillArgs *ga = arena_alloc(bc->arena, sizeof *ga);
	if (!ga)
		return failf(err, STELE_ENOMEM, "out of memory binding a statement");
	ga->width = w->val.v.i;
	ga->start = e->nargs > 2 && !e->args[2]->val.null ? e->args[2]->val.v.i : INT64_MIN;
	ga->finish = e->nargs > 3 && !e->args[3]->val.null ? e->args[3]->val.v.i : INT64_MIN;
	e->nargs = 2;
	e->aux = ga;
	e->aux_size = sizeof *ga;
	e->type = STELE_TYPE_TIMESTAMP;
	e->strict = true;
	e->fn = f_bucket_gapfill;
	return STELE_OK;
}

bool func_bucket_args(const Expr *e, int64_t *width, int64_t *origin, const Expr **ts)
{
	if (e->kind != E_FUNC || e->fn != f_bucket || e->nargs < 2)
		return false;
	const Expr *w = e->args[0];
	if (w->kind != E_CONST || w->val.null || w->val.v.i <= 0)
		return false;
	uintptr_t mode = (uintptr_t)e->aux;
	*origin = SQLTIME_BUCKET_ORIGIN;
	if (mode) {
		const Expr *o = e->args[2];
		if (o->kind != E_CONST || o->val.null)
			return false;
		if (mode == 1)
			*origin = o->val.v.i;
		else if (__builtin_add_overflow(*origin, o->val.v.i, origin))
			return false;
	}
	*width = w->val.v.i;
	*ts = e->args[1];
	return true;
}

bool func_is_gapfill(const Expr *e) { return e->kind == E_FUNC && e->fn == f_bucket_gapfill; }

/* locf(x) and interpolate(x): x itself; the gap filling after them reads
 * which of them a column is (func_fill_mode). */
static int f_identity(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++)
		vec_copy_row(out, i, &a[0], i);
	return STELE_OK;
}
static int f_interpolate(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	return f_identity(cx, e, a, n, out, err);
}

static int b_locf(BindCtx *bc, Expr *e, StErr *err)
{
	Expr *a = e->args[0];
	if (a->untyped) {
		int rc = bind_cast(bc, a, STELE_TYPE_VARCHAR, false, &e->args[0], err);
		if (rc)
			return rc;
	}
	e->type = e->args[0]->type;
	e->fn = f_identity;
	return STELE_OK;
}

static int b_interpolate(BindCtx *bc, Expr *e, StErr *err)
{
	Expr *a = e->args[0];
	if (!a->untyped && a->type != STELE_TYPE_NONE && !type_is_numeric(a->type) &&
	    a->type != STELE_TYPE_TIMESTAMP && a->type != STELE_TYPE_INTERVAL)
		return bind_fail(bc, a->pos, STELE_ETYPE, err,
		                 "interpolate() needs a number or a time, not %s",
		                 func_type_sql_name(a->type));
	if (a->untyped) {
		int rc = bind_cast(bc, a, STELE_TYPE_DOUBLE, false, &e->args[0], err);
		if (rc)
			return rc;
	}
	e->type = e->args[0]->type;
	e->fn = f_interpolate;
	return STELE_OK;
}

int func_fill_mode(const Expr *e)
{
	if (e->kind != E_FUNC)
		return 0;
	if (e->fn == f_identity)
		return 1;
	if (e->fn == f_interpolate)
		return 2;
	return 0;
}

const FuncDef func_time_defs[] = {
	{"now", 0, 0, b_now},
	{"current_timestamp", 0, 0, b_now},
	{"localtimestamp", 0, 0, b_now},
	{"transaction_timestamp", 0, 0, b_now},
	{"statement_timestamp", 0, 0, b_now},
	{"date_trunc", 2, 2, b_trunc},
	{"date_part", 2, 2, b_part},
	{"to_timestamp", 1, 1, b_to_ts},
	{"time_bucket", 2, 3, b_bucket},
	{"date_bin", 3, 3, b_date_bin},
	{"time_bucket_gapfill", 2, 4, b_bucket_gapfill},
	{"locf", 1, 1, b_locf},
	{"interpolate", 1, 1, b_interpolate},
	{NULL, 0, 0, NULL},
};
