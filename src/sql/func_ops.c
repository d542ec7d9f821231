/* func_ops.c - operators: arithmetic, comparison, ||, LIKE, IS DISTINCT
 * FROM (see func.h). Errors are PostgreSQL's: "division by zero",
 * "bigint out of range", "value out of range: overflow". */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "sql/func.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory binding a statement")
#define LOOP for (uint32_t i = 0; i < n; i++) if (!out->null[i])

static const char *op_names[] = {"+", "-", "*", "/", "%", "^", "||",
                                 "=", "<>", "<", "<=", ">", ">="};

/* ---- bigint ---- */

static int add_i(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP if (__builtin_add_overflow(a[0].d.i[i], a[1].d.i[i], &out->d.i[i]))
		return failf(err, STELE_EINVAL, "bigint out of range");
	return STELE_OK;
}
static int sub_i(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP if (__builtin_sub_overflow(a[0].d.i[i], a[1].d.i[i], &out->d.i[i]))
		return failf(err, STELE_EINVAL, "bigint out of range");
	return STELE_OK;
}
static int mul_i(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP if (__builtin_mul_overflow(a[0].d.i[i], a[1].d.i[i], &out->d.i[i]))
		return failf(err, STELE_EINVAL, "bigint out of range");
	return STELE_OK;
}
static int div_i(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		int64_t x = a[0].d.i[i], y = a[1].d.i[i];
		if (y == 0)
			return failf(err, STELE_EINVAL, "division by zero");
		if (y == -1) {
			if (x == INT64_MIN)
				return failf(err, STELE_EINVAL, "bigint out of range");
			out->d.i[i] = -x;
		} else {
			out->d.i[i] = x / y;
		}
	}
	return STELE_OK;
}
static int mod_i(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		int64_t y = a[1].d.i[i];
		if (y == 0)
			return failf(err, STELE_EINVAL, "division by zero");
		out->d.i[i] = y == -1 ? 0 : a[0].d.i[i] % y;
	}
	return STELE_OK;
}
static int neg_i(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		if (a[0].d.i[i] == INT64_MIN)
			return failf(err, STELE_EINVAL, "%s out of range",
			             e->type == STELE_TYPE_INTERVAL ? "interval" : "bigint");
		out->d.i[i] = -a[0].d.i[i];
	}
	return STELE_OK;
}

/* ---- ubigint ---- */

static int add_u(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP if (__builtin_add_overflow(a[0].d.u[i], a[1].d.u[i], &out->d.u[i]))
		return failf(err, STELE_EINVAL, "ubigint out of range");
	return STELE_OK;
}
static int sub_u(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP if (__builtin_sub_overflow(a[0].d.u[i], a[1].d.u[i], &out->d.u[i]))
		return failf(err, STELE_EINVAL, "ubigint out of range");
	return STELE_OK;
}
static int mul_u(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP if (__builtin_mul_overflow(a[0].d.u[i], a[1].d.u[i], &out->d.u[i]))
		return failf(err, STELE_EINVAL, "ubigint out of range");
	return STELE_OK;
}
static int div_u(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		if (a[1].d.u[i] == 0)
			return failf(err, STELE_EINVAL, "division by zero");
		out->d.u[i] = a[0].d.u[i] / a[1].d.u[i];
	}
	return STELE_OK;
}
static int mod_u(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		if (a[1].d.u[i] == 0)
			return failf(err, STELE_EINVAL, "division by zero");
		out->d.u[i] = a[0].d.u[i] % a[1].d.u[i];
	}
	return STELE_OK;
}

/* ---- double ---- */

static int check_f(double r, double x, double y, bool zero_ok, StErr *err)
{
	if (isinf(r) && !isinf(x) && !isinf(y))
		return failf(err, STELE_EINVAL, "value out of range: overflow");
	if (!zero_ok && r == 0 && x != 0)
		return failf(err, STELE_EINVAL, "value out of range: underflow");
	return STELE_OK;
}
static int add_f(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		double x = a[0].d.f[i], y = a[1].d.f[i], r = x + y;
		if (check_f(r, x, y, true, err))
			return STELE_EINVAL;
		out->d.f[i] = r;
	}
	return STELE_OK;
}
static int sub_f(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		double x = a[0].d.f[i], y = a[1].d.f[i], r = x - y;
		if (check_f(r, x, y, true, err))
			return STELE_EINVAL;
		out->d.f[i] = r;
	}
	return STELE_OK;
}
static int mul_f(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		double x = a[0].d.f[i], y = a[1].d.f[i], r = x * y;
		if (check_f(r, x, y, y == 0 || x == 0, err))
			return STELE_EINVAL;
		out->d.f[i] = r;
	}
	return STELE_OK;
}
static int div_f(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		double x = a[0].d.f[i], y = a[1].d.f[i];
		if (y == 0)
			return failf(err, STELE_EINVAL, "division by zero");
		double r = x / y;
		if (check_f(r, x, y, isinf(y), err))
			return STELE_EINVAL;
		out->d.f[i] = r;
	}
	return STELE_OK;
}
static int mod_f(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		if (a[1].d.f[i] == 0)
			return failf(err, STELE_EINVAL, "division by zero");
		out->d.f[i] = fmod(a[0].d.f[i], a[1].d.f[i]);
	}
	return STELE_OK;
}
static int pow_f(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		double x = a[0].d.f[i], y = a[1].d.f[i];
		if (x == 0 && y < 0)
			return failf(err, STELE_EINVAL,
			             "zero raised to a negative power is undefined");
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
static int neg_f(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP out->d.f[i] = -a[0].d.f[i];
	return STELE_OK;
}

/* ---- intervals and timestamps (int64 ns) ---- */

static int add_t(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP if (__builtin_add_overflow(a[0].d.i[i], a[1].d.i[i], &out->d.i[i]))
		return failf(err, STELE_EINVAL, "%s out of range",
		             e->type == STELE_TYPE_TIMESTAMP ? "timestamp" : "interval");
	return STELE_OK;
}
static int sub_t(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP if (__builtin_sub_overflow(a[0].d.i[i], a[1].d.i[i], &out->d.i[i]))
		return failf(err, STELE_EINVAL, "%s out of range",
		             e->type == STELE_TYPE_TIMESTAMP ? "timestamp" : "interval");
	return STELE_OK;
}
/* interval * double (args in either order: the interval is args[iv]). */
static int mul_iv(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	int iv = a[0].type == STELE_TYPE_INTERVAL ? 0 : 1;
	LOOP {
		double r = rint((double)a[iv].d.i[i] * a[1 - iv].d.f[i]);
		if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
			return failf(err, STELE_EINVAL, "interval out of range");
		out->d.i[i] = (int64_t)r;
	}
	return STELE_OK;
}
static int div_iv(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		double y = a[1].d.f[i];
		if (y == 0)
			return failf(err, STELE_EINVAL, "division by zero");
		double r = rint((double)a[0].d.i[i] / y);
		if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
			return failf(err, STELE_EINVAL, "interval out of range");
		out->d.i[i] = (int64_t)r;
	}
	return STELE_OK;
}

/* ---- text ---- */

static int concat_s(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		SqlStr x = a[0].d.s[i], y = a[1].d.s[i];
		size_t len = (size_t)x.n + y.n;
		if (len > UINT32_MAX)
			return failf(err, STELE_ELIMIT, "string is too long");
		char *p = arena_alloc(cx->arena, len ? len : 1);
		if (!p)
			return failf(err, STELE_ENOMEM, "out of memory concatenating strings");
		if (x.n)
			memcpy(p, x.p, x.n);
		if (y.n)
			memcpy(p + x.n, y.p, y.n);
		out->d.s[i] = (SqlStr){p, (uint32_t)len};
	}
	return STELE_OK;
}

/* ---- comparisons: result int64 0/1 ---- */

#define CMP_FN(name, field, expr)                                                       \
	static int name(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out,       \
	                StErr *err)                                                     \
	{                                                                               \
		LOOP {                                                                  \
			__typeof__(a[0].d.field[0]) x = a[0].d.field[i], y = a[1].d.field[i]; \
			out->d.i[i] = (expr);                                           \
		}                                                                       \
		return STELE_OK;                                                        \
	}

CMP_FN(eq_i, i, x == y)
CMP_FN(ne_i, i, x != y)
CMP_FN(lt_i, i, x < y)
CMP_FN(le_i, i, x <= y)
CMP_FN(gt_i, i, x > y)
CMP_FN(ge_i, i, x >= y)
CMP_FN(eq_u, u, x == y)
CMP_FN(ne_u, u, x != y)
CMP_FN(lt_u, u, x < y)
CMP_FN(le_u, u, x <= y)
CMP_FN(gt_u, u, x > y)
CMP_FN(ge_u, u, x >= y)

/* Doubles compare as PostgreSQL's float8 does: NaN equals NaN and sorts
 * above everything. */
static inline int fcmp(double x, double y)
{
	if (isnan(x))
		return isnan(y) ? 0 : 1;
	if (isnan(y))
		return -1;
	return x < y ? -1 : x > y;
}
CMP_FN(eq_f, f, fcmp(x, y) == 0)
CMP_FN(ne_f, f, fcmp(x, y) != 0)
CMP_FN(lt_f, f, fcmp(x, y) < 0)
CMP_FN(le_f, f, fcmp(x, y) <= 0)
CMP_FN(gt_f, f, fcmp(x, y) > 0)
CMP_FN(ge_f, f, fcmp(x, y) >= 0)

static inline int scmp(SqlStr x, SqlStr y)
{
	uint32_t m = x.n < y.n ? x.n : y.n;
	int c = m ? memcmp(x.p, y.p, m) : 0;
	if (c)
		return c;
	return x.n < y.n ? -1 : x.n > y.n;
}
CMP_FN(eq_s, s, x.n == y.n && (x.n == 0 || memcmp(x.p, y.p, x.n) == 0))
CMP_FN(ne_s, s, !(x.n == y.n && (x.n == 0 || memcmp(x.p, y.p, x.n) == 0)))
CMP_FN(lt_s, s, scmp(x, y) < 0)
CMP_FN(le_s, s, scmp(x, y) <= 0)
CMP_FN(gt_s, s, scmp(x, y) > 0)
CMP_FN(ge_s, s, scmp(x, y) >= 0)

static ScalarFn cmp_fn(BinOp op, uint8_t t)
{
	static const ScalarFn fi[] = {eq_i, ne_i, lt_i, le_i, gt_i, ge_i};
	static const ScalarFn fu[] = {eq_u, ne_u, lt_u, le_u, gt_u, ge_u};
	static const ScalarFn ff[] = {eq_f, ne_f, lt_f, le_f, gt_f, ge_f};
	static const ScalarFn fs[] = {eq_s, ne_s, lt_s, le_s, gt_s, ge_s};
	int k = (int)op - OP_EQ;
	switch (t) {
	case STELE_TYPE_UBIGINT:
		return fu[k];
	case STELE_TYPE_DOUBLE:
		return ff[k];
	case STELE_TYPE_VARCHAR:
		return fs[k];
	default:
		return fi[k];
	}
}

static int no_operator(BindCtx *bc, BinOp op, const Expr *l, const Expr *r, uint32_t pos,
                       StErr *err)
{
	return bind_fail(bc, pos, STELE_ETYPE, err, "operator does not exist: %s %s %s",
	                 func_type_sql_name(l->untyped ? STELE_TYPE_VARCHAR : l->type),
	                 op_names[op],
	                 func_type_sql_name(r->untyped ? STELE_TYPE_VARCHAR : r->type));
}

/* Gives two operands one type for comparison: like bind_common_type but
 * with the operator's error message. */
static int unify(BindCtx *bc, BinOp op, Expr **l, Expr **r, uint32_t pos, uint8_t *t,
                 StErr *err)
{
	Expr *a = *l, *b = *r;
	bool an = a->type == STELE_TYPE_NONE && !a->untyped;
	bool bn = b->type == STELE_TYPE_NONE && !b->untyped;
	if (an && bn) {
		*t = STELE_TYPE_NONE;
		return STELE_OK;
	}
	if (a->untyped && b->untyped) {
		*t = STELE_TYPE_VARCHAR;
	} else if (a->untyped || an) {
		*t = b->type;
	} else if (b->untyped || bn) {
		*t = a->type;
	} else if (a->type == b->type) {
		*t = a->type;
	} else if (type_is_numeric(a->type) && type_is_numeric(b->type)) {
		if (a->type == STELE_TYPE_DOUBLE || b->type == STELE_TYPE_DOUBLE)
			*t = STELE_TYPE_DOUBLE;
		else if (a->type == STELE_TYPE_UBIGINT && b->type == STELE_TYPE_UBIGINT)
			*t = STELE_TYPE_UBIGINT;
		else
			*t = STELE_TYPE_BIGINT;
	} else {
		return no_operator(bc, op, a, b, pos, err);
	}
	int rc = bind_cast(bc, a, *t, false, l, err);
	if (rc == STELE_OK)
		rc = bind_cast(bc, b, *t, false, r, err);
	return rc;
}

static int make(BindCtx *bc, ScalarFn fn, BinOp op, uint8_t type, Expr *l, Expr *r,
                uint32_t pos, Expr **out, StErr *err)
{
	Expr *args[2] = {l, r};
	*out = expr_func(bc->arena, fn, op_names[op], type, true, args, 2, pos);
	return *out ? STELE_OK : NOMEM(err);
}

static int null_result(BindCtx *bc, uint8_t type, uint32_t pos, Expr **out, StErr *err)
{
	Datum d = {.type = type, .null = true};
	*out = expr_const(bc->arena, &d, pos);
	return *out ? STELE_OK : NOMEM(err);
}

static int bind_arith(BindCtx *bc, BinOp op, Expr *l, Expr *r, uint32_t pos, Expr **out,
                      StErr *err)
{
	/* Times and intervals first: their operand types decide the result. */
	uint8_t lt = l->untyped ? STELE_TYPE_NONE : l->type;
	uint8_t rt = r->untyped ? STELE_TYPE_NONE : r->type;
	int rc;
	if (lt == STELE_TYPE_TIMESTAMP || rt == STELE_TYPE_TIMESTAMP ||
	    lt == STELE_TYPE_INTERVAL || rt == STELE_TYPE_INTERVAL) {
		/* An untyped literal beside a time takes the type that makes
		 * sense: interval with a timestamp for + and -, timestamp with
		 * a timestamp for -. */
		if (l->untyped)
			rc = bind_cast(bc, l, op == OP_SUB && rt == STELE_TYPE_INTERVAL
			                          ? STELE_TYPE_TIMESTAMP
			                          : (rt == STELE_TYPE_TIMESTAMP ? STELE_TYPE_INTERVAL
			                                                         : rt),
			               false, &l, err);
		else if (r->untyped)
			rc = bind_cast(bc, r, STELE_TYPE_INTERVAL, false, &r, err);
		else
			rc = STELE_OK;
		if (rc)
			return rc;
		lt = l->type;
		rt = r->type;
		if (lt == STELE_TYPE_NONE || rt == STELE_TYPE_NONE)
			return null_result(bc, lt == STELE_TYPE_NONE ? rt : lt, pos, out, err);
		if (op == OP_ADD && lt == STELE_TYPE_TIMESTAMP && rt == STELE_TYPE_INTERVAL)
			return make(bc, add_t, op, STELE_TYPE_TIMESTAMP, l, r, pos, out, err);
		if (op == OP_ADD && lt == STELE_TYPE_INTERVAL && rt == STELE_TYPE_TIMESTAMP)
			return make(bc, add_t, op, STELE_TYPE_TIMESTAMP, r, l, pos, out, err);
		if (op == OP_SUB && lt == STELE_TYPE_TIMESTAMP && rt == STELE_TYPE_INTERVAL)
			return make(bc, sub_t, op, STELE_TYPE_TIMESTAMP, l, r, pos, out, err);
		if (op == OP_SUB && lt == STELE_TYPE_TIMESTAMP && rt == STELE_TYPE_TIMESTAMP)
			return make(bc, sub_t, op, STELE_TYPE_INTERVAL, l, r, pos, out, err);
		if ((op == OP_ADD || op == OP_SUB) && lt == STELE_TYPE_INTERVAL &&
		    rt == STELE_TYPE_INTERVAL)
			return make(bc, op == OP_ADD ? add_t : sub_t, op, STELE_TYPE_INTERVAL, l, r, pos,
			            out, err);
		if (op == OP_MUL && (lt == STELE_TYPE_INTERVAL) != (rt == STELE_TYPE_INTERVAL)) {
			Expr **num = lt == STELE_TYPE_INTERVAL ? &r : &l;
			if (type_is_numeric((*num)->type)) {
				rc = bind_cast(bc, *num, STELE_TYPE_DOUBLE, false, num, err);
				if (rc)
					return rc;
				return make(bc, mul_iv, op, STELE_TYPE_INTERVAL, l, r, pos, out, err);
			}
		}
		if (op == OP_DIV && lt == STELE_TYPE_INTERVAL && type_is_numeric(rt)) {
			rc = bind_cast(bc, r, STELE_TYPE_DOUBLE, false, &r, err);
			if (rc)
				return rc;
			return make(bc, div_iv, op, STELE_TYPE_INTERVAL, l, r, pos, out, err);
		}
		return no_operator(bc, op, l, r, pos, err);
	}
	if (op == OP_POW) {
		/* Always in double precision, as PostgreSQL's float8 ^. */
		if (l->type == STELE_TYPE_NONE && !l->untyped)
			return null_result(bc, STELE_TYPE_DOUBLE, pos, out, err);
		if (r->type == STELE_TYPE_NONE && !r->untyped)
			return null_result(bc, STELE_TYPE_DOUBLE, pos, out, err);
		if ((!l->untyped && !type_is_numeric(l->type)) ||
		    (!r->untyped && !type_is_numeric(r->type)))
			return no_operator(bc, op, l, r, pos, err);
		rc = bind_cast(bc, l, STELE_TYPE_DOUBLE, false, &l, err);
		if (rc == STELE_OK)
			rc = bind_cast(bc, r, STELE_TYPE_DOUBLE, false, &r, err);
		if (rc)
			return rc;
		return make(bc, pow_f, op, STELE_TYPE_DOUBLE, l, r, pos, out, err);
	}
	/* An untyped literal in arithmetic with a number is a number of
	 * that type; two of them are an error as in PostgreSQL. */
	if (l->untyped && r->untyped)
		return no_operator(bc, op, l, r, pos, err);
	uint8_t t;
	rc = unify(bc, op, &l, &r, pos, &t, err);
	if (rc)
		return rc;
	if (t == STELE_TYPE_NONE)
		return null_result(bc, STELE_TYPE_BIGINT, pos, out, err);
	static const ScalarFn fi[] = {add_i, sub_i, mul_i, div_i, mod_i};
	static const ScalarFn fu[] = {add_u, sub_u, mul_u, div_u, mod_u};
	static const ScalarFn ff[] = {add_f, sub_f, mul_f, div_f, mod_f};
	switch (t) {
	case STELE_TYPE_BIGINT:
		return make(bc, fi[op], op, t, l, r, pos, out, err);
	case STELE_TYPE_UBIGINT:
		return make(bc, fu[op], op, t, l, r, pos, out, err);
	case STELE_TYPE_DOUBLE:
		return make(bc, ff[op], op, t, l, r, pos, out, err);
	default:
		return no_operator(bc, op, l, r, pos, err);
	}
}

int bind_binary(BindCtx *bc, BinOp op, Expr *l, Expr *r, uint32_t pos, Expr **out, StErr *err)
{
	int rc;
	if (op == OP_CONCAT) {
		/* text || anything: the other side becomes text. */
		bool lt = l->untyped || l->type == STELE_TYPE_VARCHAR;
		bool rt = r->untyped || r->type == STELE_TYPE_VARCHAR;
		if (!lt && !rt && !(l->type == STELE_TYPE_NONE || r->type == STELE_TYPE_NONE))
			return no_operator(bc, op, l, r, pos, err);
		rc = bind_text_out(bc, l, &l, err);
		if (rc == STELE_OK)
			rc = bind_text_out(bc, r, &r, err);
		if (rc)
			return rc;
		return make(bc, concat_s, op, STELE_TYPE_VARCHAR, l, r, pos, out, err);
	}
	if (op >= OP_EQ) {
		uint8_t t;
		rc = unify(bc, op, &l, &r, pos, &t, err);
		if (rc)
			return rc;
		if (t == STELE_TYPE_NONE)
			return null_result(bc, STELE_TYPE_BOOLEAN, pos, out, err);
		return make(bc, cmp_fn(op, t), op, STELE_TYPE_BOOLEAN, l, r, pos, out, err);
	}
	return bind_arith(bc, op, l, r, pos, out, err);
}

int bind_negate(BindCtx *bc, Expr *x, uint32_t pos, Expr **out, StErr *err)
{
	if (x->untyped) {
		int rc = bind_cast(bc, x, STELE_TYPE_DOUBLE, false, &x, err);
		if (rc)
			return rc;
	}
	ScalarFn fn;
	uint8_t t = x->type;
	switch (t) {
	case STELE_TYPE_NONE:
		return null_result(bc, STELE_TYPE_BIGINT, pos, out, err);
	case STELE_TYPE_BIGINT:
	case STELE_TYPE_INTERVAL:
		fn = neg_i;
		break;
	case STELE_TYPE_UBIGINT: {
		int rc = bind_cast(bc, x, STELE_TYPE_BIGINT, false, &x, err);
		if (rc)
			return rc;
		fn = neg_i;
		t = STELE_TYPE_BIGINT;
		break;
	}
	case STELE_TYPE_DOUBLE:
		fn = neg_f;
		break;
	default:
		return bind_fail(bc, pos, STELE_ETYPE, err, "operator does not exist: - %s",
		                 func_type_sql_name(t));
	}
	/* Fold a negated constant: -5 is a literal. */
	if (x->kind == E_CONST && !x->val.null) {
		Datum d = x->val;
		if (t == STELE_TYPE_DOUBLE) {
			d.v.f = -d.v.f;
		} else {
			if (d.v.i == INT64_MIN)
				return bind_fail(bc, pos, STELE_EINVAL, err, "bigint out of range");
			d.v.i = -d.v.i;
		}
		d.type = t;
		*out = expr_const(bc->arena, &d, pos);
		return *out ? STELE_OK : NOMEM(err);
	}
	*out = expr_func(bc->arena, fn, "-", t, true, &x, 1, pos);
	return *out ? STELE_OK : NOMEM(err);
}

/* ---- LIKE ---- */

typedef struct LikeAux {
	bool ilike, neg;
} LikeAux;

static inline char fold(char c, bool ci)
{
	return ci ? (char)tolower((unsigned char)c) : c;
}

/* SQL LIKE with % and _, backslash escaping the next pattern character.
 * Iterative, backtracking only to the last %: O(len(s) * len(p)) worst. */
static bool like_match(const char *s, uint32_t ns, const char *p, uint32_t np, bool ci)
{
	uint32_t si = 0, pi = 0, star_p = UINT32_MAX, star_s = 0;
	while (si < ns) {
		if (pi < np && p[pi] == '%') {
			star_p = ++pi;
			star_s = si;
			continue;
		}
		if (pi < np) {
			char pc = p[pi];
			uint32_t adv = 1;
			bool any = pc == '_';
			if (pc == '\\' && pi + 1 < np) {
				pc = p[pi + 1];
				adv = 2;
				any = false;
			}
			if (any) {
				/* _ matches one character: skip a whole UTF-8 one. */
				si++;
				while (si < ns && ((unsigned char)s[si] & 0xc0) == 0x80)
					si++;
				pi += adv;
				continue;
			}
			if (fold(pc, ci) == fold(s[si], ci)) {
				si++;
				pi += adv;
				continue;
			}
		}
		if (star_p == UINT32_MAX)
			return false;
		pi = star_p;
		si = ++star_s;
	}
	while (pi < np && p[pi] == '%')
		pi++;
	return pi == np;
}

static int like_fn(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	const LikeAux *la = e->aux;
	LOOP {
		SqlStr s = a[0].d.s[i], p = a[1].d.s[i];
		out->d.i[i] = like_match(s.p, s.n, p.p, p.n, la->ilike) != la->neg;
	}
	return STELE_OK;
}

int bind_like(BindCtx *bc, Expr *x, Expr *pat, bool ilike, bool neg, uint32_t pos, Expr **out,
              StErr *err)
{
	if ((!x->untyped && x->type != STELE_TYPE_VARCHAR && x->type != STELE_TYPE_NONE) ||
	    (!pat->untyped && pat->type != STELE_TYPE_VARCHAR && pat->type != STELE_TYPE_NONE))
		return bind_fail(bc, pos, STELE_ETYPE, err, "operator does not exist: %s %s %s",
		                 func_type_sql_name(x->type), ilike ? "~~*" : "~~",
		                 func_type_sql_name(pat->type));
	int rc = bind_cast(bc, x, STELE_TYPE_VARCHAR, false, &x, err);
	if (rc == STELE_OK)
		rc = bind_cast(bc, pat, STELE_TYPE_VARCHAR, false, &pat, err);
	if (rc)
		return rc;
	LikeAux *la = arena_alloc(bc->arena, sizeof *la);
	if (!la)
		return NOMEM(err);
	memset(la, 0, sizeof *la);
	la->ilike = ilike;
	la->neg = neg;
	Expr *args[2] = {x, pat};
	const char *name = ilike ? (neg ? "!~~*" : "~~*") : (neg ? "!~~" : "~~");
	*out = expr_func(bc->arena, like_fn, name, STELE_TYPE_BOOLEAN, true, args, 2, pos);
	if (!*out)
		return NOMEM(err);
	(*out)->aux = la;
	(*out)->aux_size = sizeof *la;
	return STELE_OK;
}

/* ---- IS [NOT] DISTINCT FROM, IS [NOT] TRUE/FALSE: never NULL ---- */

static int distinct_fn(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++) {
		bool xn = a[0].type == STELE_TYPE_NONE || a[0].null[i];
		bool yn = a[1].type == STELE_TYPE_NONE || a[1].null[i];
		bool same = xn || yn ? xn == yn : vec_cmp(&a[0], i, &a[1], i) == 0;
		out->d.i[i] = same == e->neg; /* neg: IS NOT DISTINCT FROM */
		out->null[i] = 0;
	}
	return STELE_OK;
}

int bind_distinct_from(BindCtx *bc, Expr *x, Expr *y, bool neg, uint32_t pos, Expr **out,
                       StErr *err)
{
	uint8_t t;
	int rc = unify(bc, OP_EQ, &x, &y, pos, &t, err);
	if (rc)
		return rc;
	Expr *args[2] = {x, y};
	*out = expr_func(bc->arena, distinct_fn, neg ? "is not distinct from" : "is distinct from",
	                 STELE_TYPE_BOOLEAN, false, args, 2, pos);
	if (!*out)
		return NOMEM(err);
	(*out)->neg = neg;
	return STELE_OK;
}

static int isbool_fn(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	bool want = e->val.v.i != 0;
	for (uint32_t i = 0; i < n; i++) {
		bool xn = a[0].type == STELE_TYPE_NONE || a[0].null[i];
		bool is = !xn && (a[0].d.i[i] != 0) == want;
		out->d.i[i] = is != e->neg;
		out->null[i] = 0;
	}
	return STELE_OK;
}

int bind_isbool(BindCtx *bc, Expr *x, bool v, bool neg, uint32_t pos, Expr **out, StErr *err)
{
	int rc = bind_cast(bc, x, STELE_TYPE_BOOLEAN, false, &x, err);
	if (rc)
		return rc;
	if (x->type != STELE_TYPE_BOOLEAN && x->type != STELE_TYPE_NONE)
		return bind_fail(bc, pos, STELE_ETYPE, err,
		                 "argument of IS %s must be type boolean, not type %s",
		                 v ? "TRUE" : "FALSE", func_type_sql_name(x->type));
	*out = expr_func(bc->arena, isbool_fn, v ? "is true" : "is false", STELE_TYPE_BOOLEAN,
	                 false, &x, 1, pos);
	if (!*out)
		return NOMEM(err);
	(*out)->neg = neg;
	(*out)->val.v.i = v;
	return STELE_OK;
}
