/*
 * func.h - scalar functions, operators and casts, as the binder sees them.
 *
 * Binding a call picks, from the argument types, the one implementation
 * (a ScalarFn, expr.h) that evaluation runs, and inserts the casts its
 * arguments need, following PostgreSQL's rules where Stele has the same
 * types: integers widen to double, a string literal (type "unknown")
 * becomes whatever type its context wants, and there is no implicit cast
 * between text and numbers or times.
 *
 * Files: func.c (lookup, casts, type resolution), func_ops.c (arithmetic,
 * comparison, LIKE, ||), func_math.c, func_str.c, func_time.c.
 */
#ifndef STELE_SQL_FUNC_H
#define STELE_SQL_FUNC_H

#include "sql/ast.h"
#include "sql/expr.h"

/* What a bind callback may use. */
typedef struct BindCtx {
	Arena *arena;        /* the statement's: Expr nodes, constants */
	const char *sql;     /* statement text, for positions */
	EvalCtx *ev;         /* to fold constant arguments (units, patterns) */
} BindCtx;

/* Fails with "msg at character N" (N from byte offset pos). */
int bind_fail(BindCtx *bc, uint32_t pos, int code, StErr *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

typedef struct FuncDef {
	const char *name;
	int8_t min_args, max_args;   /* max -1: any number */
	/* Given e (E_FUNC, args bound, name set), sets e->fn, e->type,
	 * e->strict and e->aux, casting args as needed (e->args[i] =
	 * bind_cast(...)). May replace *e entirely (coalesce). */
	int (*bind)(BindCtx *bc, Expr *e, StErr *err);
} FuncDef;

/* The scalar function of that name (lower case), or NULL. */
const FuncDef *func_lookup(const char *name);

/* The type a type name denotes ("double precision" -> DOUBLE); false for an
 * unknown name. */
bool func_type_from_name(const char *name, uint8_t *type);
/* The name PostgreSQL gives a type, for messages ("double precision"). */
const char *func_type_sql_name(uint8_t type);

/* e converted to `type`: e itself when it has the type; a string literal
 * parsed now (a bad literal fails here, at its position); NULL retyped;
 * otherwise a cast node. Implicit casts (explicit_ false) allow only
 * widening numbers and literals; explicit ones every cast that exists.
 * Fails with "cannot cast type X to Y". */
int bind_cast(BindCtx *bc, Expr *e, uint8_t type, bool explicit_, Expr **out, StErr *err);

/* e as text the way its output function prints it (booleans t/f), for
 * || and concat(); text stays as it is. */
int bind_text_out(BindCtx *bc, Expr *e, Expr **out, StErr *err);

/* The type that values of several expressions share (CASE, COALESCE, IN,
 * UNION, VALUES), PostgreSQL's way: unknown literals follow the others,
 * all unknown is varchar, integers widen to double. Casts every args[i].
 * `what` names the construct in the error ("CASE types bigint and varchar
 * cannot be matched"). */
int bind_common_type(BindCtx *bc, Expr **args, uint32_t n, const char *what, uint32_t pos,
                     uint8_t *type, StErr *err);

/* Operators. */
int bind_binary(BindCtx *bc, BinOp op, Expr *l, Expr *r, uint32_t pos, Expr **out,
                StErr *err);
int bind_negate(BindCtx *bc, Expr *x, uint32_t pos, Expr **out, StErr *err);
int bind_like(BindCtx *bc, Expr *x, Expr *pat, bool ilike, bool neg, uint32_t pos,
              Expr **out, StErr *err);
/* x IS [NOT] DISTINCT FROM y. */
int bind_distinct_from(BindCtx *bc, Expr *x, Expr *y, bool neg, uint32_t pos, Expr **out,
                       StErr *err);
/* x IS [NOT] TRUE/FALSE. */
int bind_isbool(BindCtx *bc, Expr *x, bool v, bool neg, uint32_t pos, Expr **out, StErr *err);

/* time_bucket_gapfill: the call's constant arguments (start and finish
 * INT64_MIN when not given), in Expr.aux. */
typedef struct GapfillArgs {
	int64_t width, start, finish;
} GapfillArgs;
bool func_is_gapfill(const Expr *e);
/* e is time_bucket or date_bin with constant width and origin: true, with
 * them and the timestamp argument. */
bool func_bucket_args(const Expr *e, int64_t *width, int64_t *origin, const Expr **ts);
/* 1 for locf(x), 2 for interpolate(x), 0 for anything else. */
int func_fill_mode(const Expr *e);

/* A cast implementation from one type to another, or NULL. */
ScalarFn cast_fn(uint8_t from, uint8_t to);

/* The per-file tables, for func_lookup. */
extern const FuncDef func_math_defs[];
extern const FuncDef func_str_defs[];
extern const FuncDef func_time_defs[];

#endif
