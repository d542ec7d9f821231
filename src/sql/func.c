/* func.c - function lookup, type names, casts and common types (see
 * func.h). */
#include "sql/func.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sql/sqlfmt.h"
#include "sql/text.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory binding a statement")

int bind_fail(BindCtx *bc, uint32_t pos, int code, StErr *err, const char *fmt, ...)
{
	if (!err)
		return code;
	char msg[STELE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (bc && bc->sql)
		return failf(err, code, "%s at character %u", msg, sql_char_pos(bc->sql, pos));
	return failf(err, code, "%s", msg);
}

const FuncDef *func_lookup(const char *name)
{
	const FuncDef *tables[] = {func_math_defs, func_str_defs, func_time_defs};
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (const FuncDef *f = tables[t]; f->name; f++)
			if (strcmp(f->name, name) == 0)
				return f;
	return NULL;
}

static const struct {
	const char *name;
	uint8_t type;
} type_names[] = {
	{"double", STELE_TYPE_DOUBLE},        {"double precision", STELE_TYPE_DOUBLE},
	{"float", STELE_TYPE_DOUBLE},         {"float8", STELE_TYPE_DOUBLE},
	{"float4", STELE_TYPE_DOUBLE},        {"real", STELE_TYPE_DOUBLE},
	{"numeric", STELE_TYPE_DOUBLE},       {"decimal", STELE_TYPE_DOUBLE},
	{"bigint", STELE_TYPE_BIGINT},        {"int8", STELE_TYPE_BIGINT},
	{"int", STELE_TYPE_BIGINT},           {"integer", STELE_TYPE_BIGINT},
	{"int4", STELE_TYPE_BIGINT},          {"smallint", STELE_TYPE_BIGINT},
	{"int2", STELE_TYPE_BIGINT},          {"ubigint", STELE_TYPE_UBIGINT},
	{"boolean", STELE_TYPE_BOOLEAN},      {"bool", STELE_TYPE_BOOLEAN},
	{"varchar", STELE_TYPE_VARCHAR},      {"text", STELE_TYPE_VARCHAR},
	{"string", STELE_TYPE_VARCHAR},       {"char", STELE_TYPE_VARCHAR},
	{"character", STELE_TYPE_VARCHAR},    {"timestamp", STELE_TYPE_TIMESTAMP},
	{"timestamptz", STELE_TYPE_TIMESTAMP}, {"interval", STELE_TYPE_INTERVAL},
};

bool func_type_from_name(const char *name, uint8_t *type)
{
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (strcmp(type_names[i].name, name) == 0) {
			*type = type_names[i].type;
			return true;
		}
	return false;
}

const char *func_type_sql_name(uint8_t type)
{
	switch (type) {
	case STELE_TYPE_DOUBLE:
		return "double precision";
	case STELE_TYPE_NONE:
		return "unknown";
	default:
		return stele_type_name((stele_type)type);
	}
}

/* Casts. Each fills the non-NULL rows of out from args[0]. */

static int cast_i_to_f(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++)
		out->d.f[i] = (double)a->d.i[i];
	return STELE_OK;
}

static int cast_u_to_f(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++)
		out->d.f[i] = (double)a->d.u[i];
	return STELE_OK;
}

static int cast_f_to_i(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++) {
		if (out->null[i])
			continue;
		double r = rint(a->d.f[i]);
		if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
			return failf(err, STELE_EINVAL, "bigint out of range");
		out->d.i[i] = (int64_t)r;
	}
	return STELE_OK;
}

static int cast_f_to_u(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++) {
		if (out->null[i])
			continue;
		double r = rint(a->d.f[i]);
		if (!(r >= 0 && r < 18446744073709551616.0))
			return failf(err, STELE_EINVAL, "ubigint out of range");
		out->d.u[i] = (uint64_t)r;
	}
	return STELE_OK;
}

static int cast_i_to_u(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++) {
		if (out->null[i])
			continue;
		if (a->d.i[i] < 0)
			return failf(err, STELE_EINVAL, "ubigint out of range");
		out->d.u[i] = (uint64_t)a->d.i[i];
	}
	return STELE_OK;
}

static int cast_u_to_i(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++) {
		if (out->null[i])
			continue;
		if (a->d.u[i] > (uint64_t)INT64_MAX)
			return failf(err, STELE_EINVAL, "bigint out of range");
		out->d.i[i] = (int64_t)a->d.u[i];
	}
	return STELE_OK;
}

/* The same 8-byte word: timestamp <-> bigint <-> interval, bool -> int. */
static int cast_word(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	memcpy(out->d.u, a->d.u, (size_t)n * 8);
	return STELE_OK;
}

static int cast_to_bool(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	for (uint32_t i = 0; i < n; i++)
		out->d.i[i] = a->d.u[i] != 0;
	return STELE_OK;
}

static int cast_f_to_bool(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out,
                          StErr *err)
{
	for (uint32_t i = 0; i < n; i++)
		out->d.i[i] = a->d.f[i] != 0;
	return STELE_OK;
}

/* Any type to its text, in the arena: as CAST(x AS text) (booleans "true"
 * and "false") or, for concatenation, as the output function prints it
 * ("t" and "f"), which is what PostgreSQL's || and concat() use. */
static int to_text(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, bool cast,
                   StErr *err)
{
	Buf b = {0};
	for (uint32_t i = 0; i < n; i++) {
		if (out->null[i])
			continue;
		buf_reset(&b);
		Datum d = vec_get(a, i);
		if (d.type == STELE_TYPE_BOOLEAN && cast)
			buf_put(&b, d.v.i ? "true" : "false", d.v.i ? 4 : 5);
		else
			sqltext_datum(&b, &d);
		if (b.failed) {
			buf_free(&b);
			return failf(err, STELE_ENOMEM, "out of memory casting to text");
		}
		char *p = b.len ? arena_dup(cx->arena, b.data, b.len) : "";
		if (!p) {
			buf_free(&b);
			return failf(err, STELE_ENOMEM, "out of memory casting to text");
		}
		out->d.s[i] = (SqlStr){p, (uint32_t)b.len};
	}
	buf_free(&b);
	return STELE_OK;
}

static int cast_to_text(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	return to_text(cx, e, a, n, out, true, err);
}

static int text_out(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	return to_text(cx, e, a, n, out, false, err);
}

int bind_text_out(BindCtx *bc, Expr *e, Expr **out, StErr *err)
{
	if (e->type == STELE_TYPE_VARCHAR || e->untyped || e->type == STELE_TYPE_NONE)
		return bind_cast(bc, e, STELE_TYPE_VARCHAR, false, out, err);
	Expr *c = expr_func(bc->arena, text_out, "::text", STELE_TYPE_VARCHAR, true, &e, 1, e->pos);
	if (!c)
		return NOMEM(err);
	*out = c;
	return STELE_OK;
}

/* Text to a value: the parsers of sqlfmt.h. */
static int parse_text(uint8_t type, const char *s, size_t n, Datum *d, StErr *err)
{
	d->type = type;
	d->null = false;
	switch (type) {
	case STELE_TYPE_DOUBLE:
		return sqlfmt_parse_double(s, n, &d->v.f, err);
	case STELE_TYPE_BIGINT:
		return sqlfmt_parse_bigint(s, n, &d->v.i, err);
	case STELE_TYPE_UBIGINT:
		return sqlfmt_parse_ubigint(s, n, &d->v.u, err);
	case STELE_TYPE_BOOLEAN: {
		bool b = false;
		int rc = sqlfmt_parse_bool(s, n, &b, err);
		d->v.i = rc == STELE_OK && b;
		return rc;
	}
	case STELE_TYPE_TIMESTAMP:
		return sqlfmt_parse_timestamp(s, n, &d->v.i, err);
	case STELE_TYPE_INTERVAL:
		return sqlfmt_parse_interval(s, n, &d->v.i, err);
	default:
		return failf(err, STELE_EINVAL, "cannot cast text to %s", stele_type_name(type));
	}
}

static int cast_from_text(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out,
                          StErr *err)
{
	for (uint32_t i = 0; i < n; i++) {
		if (out->null[i])
			continue;
		Datum d;
		int rc = parse_text(e->type, a->d.s[i].p, a->d.s[i].n, &d, err);
		if (rc)
			return rc;
		out->d.u[i] = d.v.u;
	}
	return STELE_OK;
}

/* From the NULL type: every row is NULL already (the call is strict). */
static int cast_null(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	return STELE_OK;
}

ScalarFn cast_fn(uint8_t from, uint8_t to)
{
	if (from == STELE_TYPE_NONE)
		return cast_null;
	if (to == STELE_TYPE_VARCHAR)
		return cast_to_text;
	if (from == STELE_TYPE_VARCHAR)
		return cast_from_text;
	switch (to) {
	case STELE_TYPE_DOUBLE:
		if (from == STELE_TYPE_BIGINT)
			return cast_i_to_f;
		if (from == STELE_TYPE_UBIGINT)
			return cast_u_to_f;
		if (from == STELE_TYPE_BOOLEAN)
			return cast_i_to_f;
		return NULL;
	case STELE_TYPE_BIGINT:
		if (from == STELE_TYPE_DOUBLE)
			return cast_f_to_i;
		if (from == STELE_TYPE_UBIGINT)
			return cast_u_to_i;
		if (from == STELE_TYPE_BOOLEAN || from == STELE_TYPE_TIMESTAMP ||
		    from == STELE_TYPE_INTERVAL)
			return cast_word;
		return NULL;
	case STELE_TYPE_UBIGINT:
		if (from == STELE_TYPE_DOUBLE)
			return cast_f_to_u;
		if (from == STELE_TYPE_BIGINT)
			return cast_i_to_u;
		if (from == STELE_TYPE_BOOLEAN)
			return cast_word;
		return NULL;
	case STELE_TYPE_BOOLEAN:
		if (from == STELE_TYPE_BIGINT || from == STELE_TYPE_UBIGINT)
			return cast_to_bool;
		if (from == STELE_TYPE_DOUBLE)
			return cast_f_to_bool;
		return NULL;
	case STELE_TYPE_TIMESTAMP:
	case STELE_TYPE_INTERVAL:
		if (from == STELE_TYPE_BIGINT)
			return cast_word;
		return NULL;
	default:
		return NULL;
	}
}

static bool implicit_ok(uint8_t from, uint8_t to)
{
	if (from == STELE_TYPE_NONE)
		return true;
	if (to == STELE_TYPE_DOUBLE)
		return from == STELE_TYPE_BIGINT || from == STELE_TYPE_UBIGINT;
	if (to == STELE_TYPE_BIGINT)
		return from == STELE_TYPE_UBIGINT;
	if (to == STELE_TYPE_UBIGINT)
		return from == STELE_TYPE_BIGINT;
	return false;
}

static const char *cast_name(uint8_t to)
{
	switch (to) {
	case STELE_TYPE_DOUBLE:
		return "::double";
	case STELE_TYPE_BIGINT:
		return "::bigint";
	case STELE_TYPE_UBIGINT:
		return "::ubigint";
	case STELE_TYPE_BOOLEAN:
		return "::boolean";
	case STELE_TYPE_VARCHAR:
		return "::varchar";
	case STELE_TYPE_TIMESTAMP:
		return "::timestamp";
	case STELE_TYPE_INTERVAL:
		return "::interval";
	default:
		return "::?";
	}
}

int bind_cast(BindCtx *bc, Expr *e, uint8_t type, bool explicit_, Expr **out, StErr *err)
{
	if (e->type == type && !e->untyped) {
		*out = e;
		return STELE_OK;
	}
	if (e->kind == E_CONST && (e->val.null || e->type == STELE_TYPE_NONE)) {
		Expr *c = expr_new(bc->arena, E_CONST, type, e->pos);
		if (!c)
			return NOMEM(err);
		c->val.type = type;
		c->val.null = true;
		*out = c;
		return STELE_OK;
	}
	if (e->kind == E_CONST && e->untyped) {
		Expr *c = expr_new(bc->arena, E_CONST, type, e->pos);
		if (!c)
			return NOMEM(err);
		if (type == STELE_TYPE_VARCHAR) {
			c->val = e->val;
			c->val.type = type;
		} else {
			StErr perr;
			if (parse_text(type, e->val.v.s.p, e->val.v.s.n, &c->val, &perr))
				return bind_fail(bc, e->pos, perr.code, err, "%s", perr.msg);
		}
		*out = c;
		return STELE_OK;
	}
	if (e->type == type) {
		*out = e;
		return STELE_OK;
	}
	ScalarFn fn = cast_fn(e->type, type);
	if (!fn || (!explicit_ && !implicit_ok(e->type, type)))
		return bind_fail(bc, e->pos, STELE_ETYPE, err, "cannot cast type %s to %s",
		                 func_type_sql_name(e->type), func_type_sql_name(type));
	Expr *c = expr_func(bc->arena, fn, cast_name(type), type, true, &e, 1, e->pos);
	if (!c)
		return NOMEM(err);
	/* Fold a cast of a constant now, so that pushdown and pruning see
	 * the value. */
	if (e->kind == E_CONST && bc->ev) {
		Datum d;
		StErr cerr;
		if (expr_eval_const(bc->ev, c, &d, &cerr))
			return bind_fail(bc, e->pos, cerr.code, err, "%s", cerr.msg);
		if (d.type == STELE_TYPE_VARCHAR && !d.null && !vec_copy_str(bc->arena, &d.v.s))
			return NOMEM(err);
		c = expr_const(bc->arena, &d, e->pos);
		if (!c)
			return NOMEM(err);
	}
	*out = c;
	return STELE_OK;
}

/* Numeric rank for widening: bigint < ubigint < double. */
static int numeric_rank(uint8_t t)
{
	switch (t) {
	case STELE_TYPE_BIGINT:
		return 1;
	case STELE_TYPE_UBIGINT:
		return 2;
	case STELE_TYPE_DOUBLE:
		return 3;
	default:
		return 0;
	}
}

int bind_common_type(BindCtx *bc, Expr **args, uint32_t n, const char *what, uint32_t pos,
                     uint8_t *type, StErr *err)
{
	uint8_t t = STELE_TYPE_NONE;
	bool any_unknown = false;
	for (uint32_t i = 0; i < n; i++) {
		const Expr *a = args[i];
		if (a->untyped) {
			any_unknown = true;
			continue;
		}
		if (a->type == STELE_TYPE_NONE)
			continue;
		if (t == STELE_TYPE_NONE) {
			t = a->type;
			continue;
		}
		if (t == a->type)
			continue;
		int ra = numeric_rank(t), rb = numeric_rank(a->type);
		if (ra && rb) {
			/* bigint with ubigint is double only if it must be:
			 * PostgreSQL has no ubigint; take the wider. */
			t = ra > rb ? t : a->type;
			if ((t == STELE_TYPE_UBIGINT) && (ra == 1 || rb == 1))
				t = STELE_TYPE_BIGINT;
			continue;
		}
		return bind_fail(bc, a->pos, STELE_ETYPE, err, "%s types %s and %s cannot be matched",
		                 what, func_type_sql_name(t), func_type_sql_name(a->type));
	}
	if (t == STELE_TYPE_NONE && any_unknown)
		t = STELE_TYPE_VARCHAR;
	for (uint32_t i = 0; i < n; i++) {
		if (t == STELE_TYPE_NONE)
			break;
		int rc = bind_cast(bc, args[i], t, false, &args[i], err);
		if (rc)
			return rc;
	}
	*type = t;
	(void)pos;
	return STELE_OK;
}
