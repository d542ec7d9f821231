/*
 * exec.h - the executor: physical operators that pass column batches.
 *
 * A plan is a tree of Op. Each operator is one file in exec/ and one
 * constructor here; its vtable has
 *
 *     open(op)         start (or restart) producing rows; opens children
 *     next(op, &b)     the next batch in *b, or NULL at the end
 *     close(op)        release what open and next acquired; children too
 *     explain(op, out) the operator's details for EXPLAIN
 *
 * Operators pull from their children (kids[]). A batch returned by next()
 * stays valid until the next call of next() or close() on the same
 * operator; its memory comes from the operator's `out` arena, which next()
 * resets first. An operator that must keep rows longer (sort, aggregation,
 * joins) copies them into memory of its own and charges it to the query
 * (exec_charge), so that a query over its memory limit fails with an
 * error instead of growing the process.
 *
 * The configuration of an operator is fixed when the binder makes it; the
 * state that open() sets up lives beside it in the same struct and is
 * reset by the next open(), so a prepared statement runs again.
 */
#ifndef STELE_SQL_EXEC_H
#define STELE_SQL_EXEC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sql/expr.h"
#include "util/buf.h"

typedef struct Op Op;

/* Per-execution context shared by every operator of a statement. */
typedef struct ExecCtx {
	struct stele_db *db;
	Arena *arena;              /* the statement's: operators, their
	                              configuration, output types */
	int64_t now_ns;            /* now() of the statement */
	const Datum *params;
	uint32_t nparams;
	const char *sql;
	size_t mem_limit;          /* bytes operators may keep; 0: none */
	atomic_size_t mem_used;    /* charged by every thread of the statement */
	int64_t deadline_ns;       /* monotonic; 0: none */
	atomic_bool *cancel;       /* set by another thread to cancel; may be NULL */
	bool analyze;              /* EXPLAIN ANALYZE: time every operator */
	uint32_t nthreads;         /* for parallel operators */
	struct Pool *pool;         /* their worker threads (util/pool.h) */
} ExecCtx;

typedef struct OpVt {
	const char *name;
	int (*open)(Op *op, StErr *err);
	int (*next)(Op *op, Batch **out, StErr *err);
	void (*close)(Op *op);
	void (*explain)(const Op *op, Buf *out);
	/* Frees operators the op owns besides kids[] (optional). */
	void (*release)(Op *op);
} OpVt;

struct Op {
	const OpVt *vt;
	Op *kids[2];
	uint32_t nkids;
	uint32_t ncols;           /* output columns */
	uint8_t *types;           /* [ncols] */
	ExecCtx *cx;
	Arena out;                /* output batch memory, reset per next() */
	EvalCtx ev;               /* arena = &out */
	/* EXPLAIN ANALYZE counters */
	uint64_t rows_out, batches_out, ns;
	uint64_t loops;
	char *note;               /* what the optimizer did here (EXPLAIN), or NULL */
};

/* Zeroed memory from the statement arena for an operator or its
 * configuration; NULL when out of memory. */
void *op_alloc(ExecCtx *cx, size_t n);

/* Sets up the common part of an op: vtable, output types, children. */
void op_init(Op *op, const OpVt *vt, ExecCtx *cx, uint32_t ncols, uint8_t *types);

/* The wrappers every caller uses: they keep the EXPLAIN ANALYZE counters
 * and check for cancellation and the statement timeout. */
int op_open(Op *op, StErr *err);
int op_next(Op *op, Batch **out, StErr *err);
void op_close(Op *op);
/* Frees what the op tree holds outside the statement arena (after
 * op_close). */
void op_free(Op *op);

/* Charges n more bytes to the query; STELE_ELIMIT when over its limit. */
int exec_charge(ExecCtx *cx, size_t n, StErr *err);
void exec_release(ExecCtx *cx, size_t n);
/* STELE_ELIMIT for a timeout or cancellation, STELE_OK otherwise. */
int exec_check(ExecCtx *cx, StErr *err);

/* A growable set of rows kept by an operator (sort, join, window): one
 * Vec per column, strings copied into its own arena, memory charged to
 * the query. */
typedef struct RowStore {
	uint32_t n, cap, ncols;
	const uint8_t *types;
	Vec *cols;
	Arena strs;
	size_t charged;
	ExecCtx *cx;
} RowStore;

void rowstore_init(RowStore *rs, ExecCtx *cx, uint32_t ncols, const uint8_t *types);
/* Appends rows sel[0..n) of b (all rows when sel is NULL). */
int rowstore_append(RowStore *rs, const Batch *b, const uint32_t *sel, uint32_t n, StErr *err);
/* A batch over rows idx[0..n) (or rows [from, from+n) when idx is NULL),
 * allocated from a; strings point into the store. */
Batch *rowstore_batch(const RowStore *rs, Arena *a, const uint32_t *idx, uint32_t from,
                      uint32_t n);
void rowstore_free(RowStore *rs);

/* Sort keys: an expression result column and its direction. */
typedef struct SortKey {
	uint32_t col;             /* column of the rows being sorted */
	bool desc;
	bool nulls_first;         /* PostgreSQL's default: NULLs last ascending,
	                             first descending */
} SortKey;

/* Compares rows i and j of rs by the keys; PostgreSQL's order (sort.c). */
int sortkey_cmp(const RowStore *rs, const SortKey *keys, uint32_t nkeys, uint32_t i, uint32_t j);

/* Operator constructors (one file each under exec/). Each returns NULL
 * when out of memory. */
struct ScanPlan;
Op *op_scan(ExecCtx *cx, const struct ScanPlan *plan);
/* Makes a scan read only part `shard` of `nshards` of its series. */
void op_scan_set_shard(Op *scan, uint32_t shard, uint32_t nshards);
/* A scan whose plan has `stats`: as op_next, or a whole block's statistics
 * (*stats set) with *out a one-row batch of the block's series: its tags,
 * ts the block's first, fields NULL. */
struct BlockStats;
int op_scan_next_ex(Op *scan, Batch **out, const struct BlockStats **stats, StErr *err);
/* The BlockStats.cols index of scan output column k (a field). */
uint32_t op_scan_field_slot(const Op *scan, uint32_t k);
Op *op_filter(ExecCtx *cx, Op *kid, Expr *pred);
Op *op_project(ExecCtx *cx, Op *kid, Expr **exprs, uint32_t n);
Op *op_values(ExecCtx *cx, uint32_t ncols, uint8_t *types, Expr ***rows, uint32_t nrows);
Op *op_limit(ExecCtx *cx, Op *kid, Expr *limit, Expr *offset);
Op *op_sort(ExecCtx *cx, Op *kid, SortKey *keys, uint32_t nkeys, Expr *limit, Expr *offset);
Op *op_union(ExecCtx *cx, Op *a, Op *b);
Op *op_distinct(ExecCtx *cx, Op *kid, const uint32_t *keys, uint32_t nkeys);
/* The best row of each DISTINCT ON key by the ORDER BY keys after them
 * (distinct_top.c), below the sort. */
Op *op_distinct_top(ExecCtx *cx, Op *kid, const uint32_t *keys, uint32_t nkeys,
                    const SortKey *order, uint32_t norder);
struct AggPlan;
Op *op_agg(ExecCtx *cx, Op *kid, const struct AggPlan *plan);
/* Parallel aggregation: workers[i] are aggregations (op_agg) of the same
 * plan over disjoint parts of the input; they run on the statement's
 * threads and their groups are merged (each aggregate's merge). */
Op *op_agg_parallel(ExecCtx *cx, Op **workers, uint32_t n);
struct JoinPlan;
Op *op_join(ExecCtx *cx, Op *left, Op *right, const struct JoinPlan *plan);
struct WinPlan;
Op *op_window(ExecCtx *cx, Op *kid, const struct WinPlan *plan);
struct GapfillPlan;
Op *op_gapfill(ExecCtx *cx, Op *kid, const struct GapfillPlan *plan);
struct TimeWindowPlan;
Op *op_time_window(ExecCtx *cx, Op *kid, const struct TimeWindowPlan *plan);

/* Runs op to the end and keeps its rows (subqueries). */
int exec_collect(Op *op, RowStore *rs, StErr *err);

/* An uncorrelated subquery in an expression, run once per execution on
 * first use (subquery.c): a scalar subquery's value (NULL when it has no
 * rows; an error when more than one), EXISTS, or IN's set of values. */
typedef enum SubKind { SUB_SCALAR, SUB_EXISTS, SUB_IN } SubKind;
typedef struct SubPlan {
	Op *op;
	uint8_t kind;             /* SubKind */
	bool done;
	Datum value;              /* SUB_SCALAR */
	bool has_null;            /* SUB_IN: a NULL among the values */
	RowStore rows;            /* the rows (one column) */
	uint32_t *slots;          /* SUB_IN: hash table of row indexes + 1 */
	uint32_t mask;
} SubPlan;

int subplan_run(SubPlan *sp, StErr *err);
/* Does the IN set hold row i of x (non-NULL, of the set's type)? */
bool subplan_contains(const SubPlan *sp, const Vec *x, uint32_t i);
/* Releases what a run kept, so that the next execution runs it again. */
void subplan_reset(SubPlan *sp);

#endif
