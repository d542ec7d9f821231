/* func_math.c - numeric functions, and the conditional ones that pick
 * among their arguments (coalesce, nullif, greatest, least). Messages are
 * PostgreSQL's. */
#include <math.h>
#include <string.h>

#include "sql/func.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory binding a statement")
#define LOOP for (uint32_t i = 0; i < n; i++) if (!out->null[i])

/* Casts argument k to double; false on failure. */
static int arg_double(BindCtx *bc, Expr *e, uint32_t k, StErr *err)
{
	Expr *a = e->args[k];
	if (!a->untyped && a->type != STELE_TYPE_NONE && !type_is_numeric(a->type))
		return bind_fail(bc, a->pos, STELE_ETYPE, err,
		                 "function %s(%s) does not exist", e->name,
		                 func_type_sql_name(a->type));
	return bind_cast(bc, a, STELE_TYPE_DOUBLE, false, &e->args[k], err);
}

static int arg_bigint(BindCtx *bc, Expr *e, uint32_t k, StErr *err)
{
	Expr *a = e->args[k];
	if (!a->untyped && a->type != STELE_TYPE_NONE && a->type != STELE_TYPE_BIGINT &&
	    a->type != STELE_TYPE_UBIGINT)
		return bind_fail(bc, a->pos, STELE_ETYPE, err,
		                 "function %s(..., %s) does not exist", e->name,
		                 func_type_sql_name(a->type));
	return bind_cast(bc, a, STELE_TYPE_BIGINT, false, &e->args[k], err);
}

/* One-argument double functions. */
#define F1(name, body)                                                                  \
	static int name(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out,       \
	                StErr *err)                                                     \
	{                                                                               \
		LOOP {                                                                  \
			double x = a[0].d.f[i];                                         \
			body;                                                           \
		}                                                                       \
		return STELE_OK;                                                        \
	}

F1(f_floor, out->d.f[i] = floor(x))
F1(f_ceil, out->d.f[i] = ceil(x))
F1(f_trunc, out->d.f[i] = trunc(x))
F1(f_rint, out->d.f[i] = rint(x))
F1(f_abs, out->d.f[i] = fabs(x))
F1(f_sign, out->d.f[i] = x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0)
F1(f_sqrt, if (x < 0) return failf(err, STELE_EINVAL,
                                   "cannot take square root of a negative number");
   out->d.f[i] = sqrt(x))
F1(f_cbrt, out->d.f[i] = cbrt(x))
F1(f_ln, if (x == 0) return failf(err, STELE_EINVAL, "cannot take logarithm of zero");
   if (x < 0) return failf(err, STELE_EINVAL, "cannot take logarithm of a negative number");
   out->d.f[i] = log(x))
F1(f_log10, if (x == 0) return failf(err, STELE_EINVAL, "cannot take logarithm of zero");
   if (x < 0) return failf(err, STELE_EINVAL, "cannot take logarithm of a negative number");
   out->d.f[i] = log10(x))
F1(f_exp, double r = exp(x);
   if (isinf(r) && isfinite(x)) return failf(err, STELE_EINVAL, "value out of range: overflow");
   if (r == 0 && isfinite(x)) return failf(err, STELE_EINVAL, "value out of range: underflow");
   out->d.f[i] = r)
F1(f_sin, out->d.f[i] = sin(x))
F1(f_cos, out->d.f[i] = cos(x))
F1(f_tan, out->d.f[i] = tan(x))
F1(f_asin, if (x < -1 || x > 1) return failf(err, STELE_EINVAL, "input is out of range");
   out->d.f[i] = asin(x))
F1(f_acos, if (x < -1 || x > 1) return failf(err, STELE_EINVAL, "input is out of range");
   out->d.f[i] = acos(x))
F1(f_atan, out->d.f[i] = atan(x))
F1(f_degrees, out->d.f[i] = x * (180.0 / M_PI))
F1(f_radians, out->d.f[i] = x * (M_PI / 180.0))

static int i_identity(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	memcpy(out->d.u, a[0].d.u, (size_t)n * 8);
	return STELE_OK;
}

static int i_abs(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		int64_t x = a[0].d.i[i];
		if (x == INT64_MIN)
			return failf(err, STELE_EINVAL, "bigint out of range");
		out->d.i[i] = x < 0 ? -x : x;
	}
	return STELE_OK;
}

/* Binds a one-argument function: doubles through fd; integers through fi
 * (when non-NULL, keeping the type) or else widened to double. */
static int bind_num1(BindCtx *bc, Expr *e, ScalarFn fd, ScalarFn fi, StErr *err)
{
	Expr *a = e->args[0];
	e->strict = true;
	if (fi && (a->type == STELE_TYPE_BIGINT || a->type == STELE_TYPE_UBIGINT) && !a->untyped) {
		e->type = a->type;
		e->fn = (fi == i_abs && a->type == STELE_TYPE_UBIGINT) ? i_identity : fi;
		return STELE_OK;
	}
	int rc = arg_double(bc, e, 0, err);
	if (rc)
		return rc;
	e->type = STELE_TYPE_DOUBLE;
	e->fn = fd;
	return STELE_OK;
}

#define B1(name, fd, fi)                                                        \
	static int name(BindCtx *bc, Expr *e, StErr *err)                       \
	{                                                                       \
		return bind_num1(bc, e, fd, fi, err);                           \
	}
B1(b_floor, f_floor, i_identity)
B1(b_ceil, f_ceil, i_identity)
B1(b_abs, f_abs, i_abs)
B1(b_sign, f_sign, NULL)
B1(b_sqrt, f_sqrt, NULL)
B1(b_cbrt, f_cbrt, NULL)
B1(b_ln, f_ln, NULL)
B1(b_exp, f_exp, NULL)
B1(b_sin, f_sin, NULL)
B1(b_cos, f_cos, NULL)
B1(b_tan, f_tan, NULL)
B1(b_asin, f_asin, NULL)
B1(b_acos, f_acos, NULL)
B1(b_atan, f_atan, NULL)
B1(b_degrees, f_degrees, NULL)
B1(b_radians, f_radians, NULL)

/* round(x [, digits]) and trunc(x [, digits]): with digits, to that many
 * decimal places, halves away from zero (round). */
static int f_round_n(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	bool is_trunc = e->aux != NULL;
	LOOP {
		double x = a[0].d.f[i];
		int64_t d = a[1].d.i[i];
		if (d > 300)
			d = 300;
		if (d < -300)
			d = -300;
		double p = pow(10.0, (double)(d < 0 ? -d : d));
		double r;
		if (!isfinite(x)) {
			r = x;
		} else if (d >= 0) {
			double s = x * p;
			r = isfinite(s) ? (is_trunc ? trunc(s) : round(s)) / p : x;
		} else {
			r = (is_trunc ? trunc(x / p) : round(x / p)) * p;
		}
		out->d.f[i] = r;
	}
	return STELE_OK;
}

static int bind_round_like(BindCtx *bc, Expr *e, bool is_trunc, StErr *err)
{
	if (e->nargs == 1)
		return bind_num1(bc, e, is_trunc ? f_trunc : f_rint, i_identity, err);
	int rc = arg_double(bc, e, 0, err);
	if (rc == STELE_OK)
		rc = arg_bigint(bc, e, 1, err);
	if (rc)
		return rc;
	e->type = STELE_TYPE_DOUBLE;
	e->strict = true;
	e->fn = f_round_n;
	e->aux = is_trunc ? (void *)1 : NULL;
	return STELE_OK;
}
static int b_round(BindCtx *bc, Expr *e, StErr *err) { return bind_round_like(bc, e, false, err); }
static int b_trunc(BindCtx *bc, Expr *e, StErr *err) { return bind_round_like(bc, e, true, err); }

static int f_pow(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		double x = a[0].d.f[i], y = a[1].d.f[i];
		if (x == 0 && y < 0)
			return failf(err, STELE_EINVAL, "zero raised to a negative power is undefined");
		if (x < 0 && floor(y) != y && isfinite(y))
			return failf(err, STELE_EINVAL,
			             "a negative number raised to a non-integer power yields a "
			             "complex result");
		double r = pow(x, y);
		if (isinf(r) && isfinite(x) && isfinite(y))
			return failf(err, STELE_EINVAL, "value out of range: overflow");
		out->d.f[i] = r;
	}
	return STELE_OK;
}

static int f_log2(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		double b = a[0].d.f[i], x = a[1].d.f[i];
		if (b == 0 || x == 0)
			return failf(err, STELE_EINVAL, "cannot take logarithm of zero");
		if (b < 0 || x < 0)
			return failf(err, STELE_EINVAL, "cannot take logarithm of a negative number");
		if (b == 1)
			return failf(err, STELE_EINVAL, "division by zero");
		out->d.f[i] = log(x) / log(b);
	}
	return STELE_OK;
}

static int f_atan2(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP out->d.f[i] = atan2(a[0].d.f[i], a[1].d.f[i]);
	return STELE_OK;
}

static int bind_num2(BindCtx *bc, Expr *e, ScalarFn fn, StErr *err)
{
	int rc = arg_double(bc, e, 0, err);
	if (rc == STELE_OK)
		rc = arg_double(bc, e, 1, err);
	if (rc)
		return rc;
	e->type = STELE_TYPE_DOUBLE;
	e->strict = true;
	e->fn = fn;
	return STELE_OK;
}
static int b_pow(BindCtx *bc, Expr *e, StErr *err) { return bind_num2(bc, e, f_pow, err); }
static int b_atan2(BindCtx *bc, Expr *e, StErr *err) { return bind_num2(bc, e, f_atan2, err); }
static int b_log(BindCtx *bc, Expr *e, StErr *err)
{
	if (e->nargs == 1)
		return bind_num1(bc, e, f_log10, NULL, err);
	return bind_num2(bc, e, f_log2, err);
}

static int b_mod(BindCtx *bc, Expr *e, StErr *err)
{
	Expr *r;
	int rc = bind_binary(bc, OP_MOD, e->args[0], e->args[1], e->pos, &r, err);
	if (rc == STELE_OK)
		*e = *r;
	return rc;
}

static int f_pi(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++)
		out->d.f[i] = M_PI;
	return STELE_OK;
}
static int b_pi(BindCtx *bc, Expr *e, StErr *err)
{
	e->type = STELE_TYPE_DOUBLE;
	e->fn = f_pi;
	return STELE_OK;
}

/* ---- conditionals ---- */

static int b_coalesce(BindCtx *bc, Expr *e, StErr *err)
{
	int rc = bind_common_type(bc, e->args, e->nargs, "COALESCE", e->pos, &e->type, err);
	if (rc)
		return rc;
	e->kind = E_COALESCE;
	return STELE_OK;
}

static int f_nullif(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++) {
		bool xn = a[0].type == STELE_TYPE_NONE || a[0].null[i];
		bool yn = a[1].type == STELE_TYPE_NONE || a[1].null[i];
		if (xn || (!yn && vec_cmp(&a[0], i, &a[1], i) == 0))
			out->null[i] = 1;
		else
			vec_copy_row(out, i, &a[0], i);
	}
	return STELE_OK;
}

static int b_nullif(BindCtx *bc, Expr *e, StErr *err)
{
	Expr *cmp;
	/* Checks that the two can be compared, and gives them one type. */
	int rc = bind_binary(bc, OP_EQ, e->args[0], e->args[1], e->pos, &cmp, err);
	if (rc)
		return rc;
	if (cmp->kind == E_FUNC) {
		e->args[0] = cmp->args[0];
		e->args[1] = cmp->args[1];
	}
	e->type = e->args[0]->type;
	if (e->args[0]->untyped)
		e->type = STELE_TYPE_VARCHAR;
	e->strict = false;
	e->fn = f_nullif;
	return STELE_OK;
}

static int f_minmax(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	bool want_max = e->aux != NULL;
	for (uint32_t i = 0; i < n; i++) {
		int best = -1;
		for (uint32_t k = 0; k < e->nargs; k++) {
			if (a[k].type == STELE_TYPE_NONE || a[k].null[i])
				continue;
			if (best < 0) {
				best = (int)k;
				continue;
			}
			int c = vec_cmp(&a[k], i, &a[best], i);
			if (want_max ? c > 0 : c < 0)
				best = (int)k;
		}
		if (best < 0)
			out->null[i] = 1;
		else
			vec_copy_row(out, i, &a[best], i);
	}
	return STELE_OK;
}

static int bind_minmax(BindCtx *bc, Expr *e, bool want_max, StErr *err)
{
	int rc = bind_common_type(bc, e->args, e->nargs, want_max ? "GREATEST" : "LEAST", e->pos,
	                          &e->type, err);
	if (rc)
		return rc;
	e->strict = false;
	e->fn = f_minmax;
	e->aux = want_max ? (void *)1 : NULL;
	return STELE_OK;
}
static int b_greatest(BindCtx *bc, Expr *e, StErr *err) { return bind_minmax(bc, e, true, err); }
static int b_least(BindCtx *bc, Expr *e, StErr *err) { return bind_minmax(bc, e, false, err); }

const FuncDef func_math_defs[] = {
	{"abs", 1, 1, b_abs},         {"round", 1, 2, b_round},     {"floor", 1, 1, b_floor},
	{"ceil", 1, 1, b_ceil},       {"ceiling", 1, 1, b_ceil},    {"trunc", 1, 2, b_trunc},
	{"sign", 1, 1, b_sign},       {"sqrt", 1, 1, b_sqrt},       {"cbrt", 1, 1, b_cbrt},
	{"ln", 1, 1, b_ln},           {"log", 1, 2, b_log},         {"log10", 1, 1, b_log},
	{"exp", 1, 1, b_exp},         {"power", 2, 2, b_pow},       {"pow", 2, 2, b_pow},
	{"mod", 2, 2, b_mod},         {"pi", 0, 0, b_pi},           {"sin", 1, 1, b_sin},
	{"cos", 1, 1, b_cos},         {"tan", 1, 1, b_tan},         {"asin", 1, 1, b_asin},
	{"acos", 1, 1, b_acos},       {"atan", 1, 1, b_atan},       {"atan2", 2, 2, b_atan2},
	{"degrees", 1, 1, b_degrees}, {"radians", 1, 1, b_radians}, {"coalesce", 1, -1, b_coalesce},
	{"nullif", 2, 2, b_nullif},   {"greatest", 1, -1, b_greatest}, {"least", 1, -1, b_least},
	{NULL, 0, 0, NULL},
};
