/*
 * expr.h - bound expressions and their vectorized evaluation.
 *
 * The binder (bind.c) turns syntax (ast.h) into Expr trees whose every node
 * has a result type and whose column references are indexes into the
 * input batch of the operator that evaluates them. Operators, casts and
 * functions are all E_FUNC nodes with the implementation chosen at bind
 * time for the argument types (func.h), so evaluation does no type
 * dispatch per row.
 *
 * expr_eval evaluates a tree over a whole batch at once: the arguments
 * first, then the node, each into a Vec from the context's arena. CASE
 * and COALESCE evaluate a branch only for the rows that reach it, so that
 * `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` never divides by zero, as in
 * PostgreSQL.
 *
 * Expr trees are immutable once bound and live in the statement's arena;
 * everything evaluation makes lives in EvalCtx.arena, which the calling
 * operator resets per batch.
 */
#ifndef STELE_SQL_EXPR_H
#define STELE_SQL_EXPR_H

#include "sql/vec.h"
#include "util/err.h"

typedef enum ExprKind {
	E_CONST,        /* val */
	E_COL,          /* input column `col` */
	E_PARAM,        /* statement parameter `col` (0-based) */
	E_FUNC,         /* fn(args): operators, casts, scalar functions */
	E_AND, E_OR,    /* args[0..nargs), three-valued */
	E_NOT,
	E_ISNULL,       /* args[0] IS [NOT] NULL (neg) */
	E_CASE,         /* args: cond0, val0, cond1, val1, ..., [else] (has_else) */
	E_COALESCE,     /* first non-NULL of args, evaluated lazily */
	E_IN,           /* args[0] [NOT] IN (args[1..]); NULL rules of SQL */
	E_SUBQ,         /* scalar subquery: sub */
	E_IN_SUBQ,      /* args[0] [NOT] IN (sub) */
	E_EXISTS,       /* EXISTS (sub) */
	E_AGG,          /* binder only: an aggregate call (agg), replaced by E_COL */
	E_WINDOW,       /* binder only: a window call (win), replaced by E_COL */
} ExprKind;

typedef struct Expr Expr;
typedef struct EvalCtx EvalCtx;
struct SubPlan;
struct AggCall;
struct WinCall;

/* A scalar function body: fills out (allocated, of e->type, null[] already
 * set for strict functions) for the n rows from the evaluated args. It
 * must not read the values of NULL rows and may set more rows NULL. */
typedef int (*ScalarFn)(EvalCtx *cx, const Expr *e, Vec *args, uint32_t n, Vec *out,
                        StErr *err);

struct Expr {
	uint8_t kind;       /* ExprKind */
	uint8_t type;       /* result type (stele_type; NONE: the NULL literal) */
	bool neg;           /* NOT IN, IS NOT NULL */
	bool strict;        /* E_FUNC: a NULL argument gives NULL */
	bool has_else;      /* E_CASE */
	bool untyped;       /* E_CONST: a string literal not yet given a type
	                       (PostgreSQL's "unknown"); the binder converts
	                       it to the type its context needs */
	uint32_t col;       /* E_COL, E_PARAM */
	uint32_t pos;       /* byte offset in the statement, for errors */
	uint32_t nargs;
	Expr **args;
	Datum val;          /* E_CONST (strings in the statement arena) */
	ScalarFn fn;        /* E_FUNC */
	const char *name;   /* E_FUNC: function or operator name (EXPLAIN);
	                       E_COL: the column's name */
	void *aux;          /* E_FUNC: data bound with the call (a mode, or a
	                       struct of aux_size bytes) */
	uint32_t aux_size;  /* bytes at aux, compared by expr_equal; 0: aux is
	                       a value compared as a pointer */
	struct SubPlan *sub;
	struct AggCall *agg;
	struct WinCall *win;
};

/* What evaluation needs besides the batch. */
struct EvalCtx {
	Arena *arena;             /* results; reset by the caller */
	const Datum *params;      /* statement parameters */
	uint32_t nparams;
	int64_t now_ns;           /* now() of the statement */
	struct ExecCtx *exec;     /* for subqueries */
	const char *sql;          /* the statement text, for positions in errors */
};

/* Evaluates e over the batch into *out. Column references return the
 * input Vec itself (no copy). */
int expr_eval(EvalCtx *cx, const Expr *e, const Batch *in, Vec *out, StErr *err);

/* Evaluates a predicate and returns the rows where it is TRUE (not FALSE
 * or NULL) as ascending indexes into sel (room for in->n); *nsel gets the
 * count. */
int expr_filter(EvalCtx *cx, const Expr *e, const Batch *in, uint32_t *sel, uint32_t *nsel,
                StErr *err);

/* Evaluates an expression that references no columns (a constant, a
 * parameter, now()) to one value. Strings live in cx->arena. */
int expr_eval_const(EvalCtx *cx, const Expr *e, Datum *out, StErr *err);

/* A new batch of the rows sel[0..nsel) of in, in that order; NULL when out
 * of memory. Strings are not copied. */
Batch *batch_gather(Arena *a, const Batch *in, const uint32_t *sel, uint32_t nsel);

/* Structural equality of two bound expressions (GROUP BY matching). */
bool expr_equal(const Expr *a, const Expr *b);

/* Does e reference input columns (E_COL) anywhere? */
bool expr_has_cols(const Expr *e);

/* Appends a readable form of e to out (EXPLAIN). `names` gives the input
 * column names when known (may be NULL). */
struct Buf;
void expr_explain(const Expr *e, struct Buf *out, char *const *names);

/* Builders used by the binder; nodes come from arena a. NULL when out of
 * memory. */
Expr *expr_new(Arena *a, ExprKind k, uint8_t type, uint32_t pos);
Expr *expr_const(Arena *a, const Datum *d, uint32_t pos);
Expr *expr_col(Arena *a, uint32_t col, uint8_t type, const char *name, uint32_t pos);
Expr *expr_func(Arena *a, ScalarFn fn, const char *name, uint8_t type, bool strict,
                Expr **args, uint32_t nargs, uint32_t pos);

#endif
