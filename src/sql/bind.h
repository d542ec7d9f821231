/*
 * bind.h - the binder: from a parsed statement (ast.h) to a tree of
 * operators (exec.h) with typed, resolved expressions (expr.h).
 *
 * Names: unquoted identifiers arrive folded to lower case. A column
 * reference resolves in the scope of the FROM clause (every relation's
 * columns; a qualifier picks one relation); an unknown name fails with
 * PostgreSQL's message and position (`column "usge_user" does not exist
 * at character 8`), an ambiguous one likewise.
 *
 * Planning decisions made here (the optimizer of DESIGN.md, "Read path"):
 *   - a scan reads only the columns the statement names;
 *   - conjuncts of WHERE on a single table that bound the time
 *     (ts >= / > / < / <= / = / BETWEEN a constant or now()-relative
 *     expression) or pin tags (tag = 'v', tag IN (...)) go into the scan,
 *     which prunes partitions, segments and blocks by them and matches
 *     series through the tag index; the rest stays a Filter;
 *   - ORDER BY ... LIMIT n sorts with a bound (top-N).
 *
 * Files: bind.c (statements, queries, FROM, SELECT), bind_expr.c
 * (expressions, aggregates and window calls), bind_push.c (pushdown),
 * sysview.c (SHOW TABLES, information_schema).
 */
#ifndef STELE_SQL_BIND_H
#define STELE_SQL_BIND_H

#include "sql/agg.h"
#include "sql/ast.h"
#include "sql/exec/plans.h"
#include "sql/func.h"
#include "storage/catalog.h"

enum { PARAMS_LATE = 0, PARAMS_VALUES, PARAMS_NULLS };

/* A column visible to expressions. */
typedef struct BCol {
	const char *rel;       /* relation name or alias; NULL for none */
	const char *name;
	uint8_t type;
	uint32_t idx;          /* column of the input batch */
} BCol;

/* A bound relation: an operator and the columns it produces. */
typedef struct Rel {
	Op *op;
	BCol *cols;
	uint32_t ncols;
	ScanPlan *scan;        /* when op is a bare table scan: pushdown target */
} Rel;

/* Where aggregate and window calls found while binding go. */
typedef struct AggCtx {
	bool allowed;          /* aggregates allowed here */
	const char *where;     /* for the error: "WHERE", "GROUP BY", ... */
	AggCall **calls;
	uint32_t ncalls, cap;
	WinCall **wins;        /* window calls (their Expr nodes) */
	Expr **win_exprs;
	uint32_t nwins, capwins;
	bool wins_allowed;
} AggCtx;

typedef struct Scope {
	const BCol *cols;
	uint32_t ncols;
	AggCtx *agg;           /* NULL: no aggregates or windows allowed */
} Scope;

typedef struct CteDef {
	const char *name;
	Query *query;
	AstList *colnames;     /* WITH name(c1, ...): Token*, or NULL */
	uint32_t depth;        /* CTEs visible: those defined before */
} CteDef;

typedef struct Binder {
	BindCtx bc;            /* arena, statement text */
	ExecCtx *cx;
	EvalCtx ev;            /* for folding constants at bind time */
	struct stele_db *db;
	Catalog cat;           /* a snapshot of the catalog */
	bool have_cat;
	/* Column names the statement mentions: scans read only these. */
	const char **names;
	uint32_t nnames, capnames;
	bool any_star;
	CteDef *ctes;
	uint32_t nctes, capctes;
	uint32_t depth;        /* nesting, bounded */
	uint32_t nparams;      /* highest $N seen */
	uint8_t *param_types;  /* [nparams]: NONE until inferred */
	/* Parameter values known when binding (stele_prepare_params): with
	 * PARAMS_VALUES each $N binds as a constant of param_vals[N-1], with
	 * PARAMS_NULLS as a NULL of no type; PARAMS_LATE (stele_prepare)
	 * leaves E_PARAM nodes for ExecCtx.params. */
	uint8_t param_mode;    /* PARAMS_LATE, PARAMS_VALUES, PARAMS_NULLS */
	const stele_param *param_vals;
	uint32_t nparam_vals;
	SubPlan **subs;        /* every subquery made, for the statement to
	                          reset and free */
	uint32_t nsubs, capsubs;
} Binder;

/* The output list of a SELECT while it is bound: visible targets first,
 * then hidden columns (sort keys, DISTINCT ON keys). */
typedef struct BindOut {
	Expr **e;
	char **names;
	uint32_t n, cap;
	uint32_t nvisible;
} BindOut;

/* Output of binding a query. */
typedef struct BoundQuery {
	Op *op;
	uint32_t ncols;
	char **names;
	uint8_t *types;
} BoundQuery;

int bind_init(Binder *b, struct stele_db *db, ExecCtx *cx, Arena *arena, const char *sql,
              StErr *err);
void bind_free(Binder *b);

/* Collects the column names a statement mentions (call before binding). */
void bind_collect_names(Binder *b, const Stmt *s);

int bind_query(Binder *b, const Query *q, BoundQuery *out, StErr *err);

/* bind_plan.c. The aggregation ap over op (rows of `from`, filtered by
 * pred when not NULL): a HashAggregate, over block statistics where they
 * answer it, or parallel workers merged; *op becomes it. */
int bind_agg_op(Binder *b, const Rel *from, Expr *pred, AggPlan *ap, Op **op, StErr *err);
/* The TimeWindow plan for a sort led by k0 with LIMIT lim OFFSET off over
 * `from`, or NULL when the sort is not by time over one table's scan. */
TimeWindowPlan *bind_time_window(Binder *b, const Rel *from, const Expr *k0, bool desc,
                                 bool grouped, Expr **groups, uint32_t ngroups, Expr *lim,
                                 Expr *off);

/* Binds one FROM item (a table, a subquery, a join). */
int bind_from(Binder *b, const FromItem *f, Rel *out, StErr *err);

/* Binds an expression over a scope. */
int bind_expr(Binder *b, const Scope *sc, const Ast *a, Expr **out, StErr *err);
/* Binds a predicate: must be boolean ("argument of WHERE must be type
 * boolean, not type bigint"). */
int bind_pred(Binder *b, const Scope *sc, const Ast *a, const char *what, Expr **out,
              StErr *err);

/* Replaces, in e, subexpressions equal to groups[k] by column k and
 * aggregate calls by column ngroups + i; fails on a remaining column
 * reference (it is neither grouped nor aggregated). */
int bind_rewrite_grouped(Binder *b, Expr **e, Expr **groups, uint32_t ngroups,
                         const AggCtx *ac, StErr *err);

/* Pushes what it can of pred into the scan; *rest gets what must still be
 * filtered (NULL when nothing). */
int bind_pushdown(Binder *b, Rel *r, Expr *pred, Expr **rest, StErr *err);

/* SHOW TABLES and the information_schema views as VALUES relations. */
int sysview_show_tables(Binder *b, BoundQuery *out, StErr *err);
int sysview_rel(Binder *b, const char *schema, const char *name, const char *alias, Rel *out,
                bool *found, StErr *err);

/* Is there an aggregate call (outside any subquery and OVER) in a? */
bool bind_has_agg(const Ast *a);
bool bind_has_window(const Ast *a);

char *bind_strdup(Binder *b, const char *s, size_t n);

#endif
