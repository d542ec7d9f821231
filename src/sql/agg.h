/*
 * agg.h - aggregate functions.
 *
 * An aggregate keeps one fixed-size state per group, inside the group's
 * row of states (AggState layout below), and has four steps:
 *
 *     init(call, st)                   a new group's state
 *     update(run, call, ...)           fold a batch of rows into their
 *                                      groups' states
 *     merge(run, call, dst, src)       fold another partial state in
 *                                      (parallel partial aggregation)
 *     final(run, call, st, &datum)     the result
 *
 * The aggregation operator (exec/agg_hash.c) evaluates the arguments,
 * applies FILTER, drops rows whose arguments are NULL (every aggregate
 * here ignores NULLs, as SQL's do; count(*) has no argument) and removes
 * duplicates for DISTINCT before calling update, so update sees only the
 * rows it must fold.
 *
 * Some aggregates also fold a whole block's statistics without its rows
 * (stats, below): the aggregation does so when the binder found every
 * aggregate of the query can (bind.c, stats_eligible).
 *
 * States that need memory beyond their fixed size (min/max of strings,
 * the values of a percentile, the points of rate/twa) allocate it from
 * run->arena and charge it to the query (AggRun.cx).
 */
#ifndef STELE_SQL_AGG_H
#define STELE_SQL_AGG_H

#include "sql/exec/exec.h"
#include "sql/func.h"
#include "storage/segment.h"

typedef struct AggDef AggDef;

/* One aggregate call of a query, bound. */
typedef struct AggCall {
	const AggDef *def;
	const char *name;    /* as written, lower case */
	Expr **args;         /* over the aggregation's input */
	uint32_t nargs;
	Expr *filter;        /* FILTER (WHERE ...) or NULL */
	bool distinct;
	bool star;           /* count(*) */
	uint8_t type;        /* result type */
	double frac;         /* percentile fraction(s): constant argument */
	bool desc;           /* WITHIN GROUP (ORDER BY x DESC) */
	uint32_t state_off;  /* offset of the state in a group's state row */
	uint32_t state_size;
	uint32_t pos;
} AggCall;

/* Aggregation-wide run state. */
typedef struct AggRun {
	ExecCtx *cx;
	Arena *arena;        /* memory that lives as long as the groups */
	size_t charged;      /* bytes charged to the query so far */
} AggRun;

/* The statistics of one aggregate argument over a block of one series:
 * n values that are not NULL (for count(*), the block's rows) and, when
 * n > 0, their ChunkStats; the block's rows span [min_ts, max_ts]. */
typedef struct AggStats {
	uint8_t type;        /* the argument's type */
	uint64_t n;
	const ChunkStats *st;
	int64_t min_ts, max_ts;
} AggStats;

struct AggDef {
	const char *name;
	int8_t min_args, max_args;
	/* Checks and casts call->args, sets call->type and state_size. */
	int (*bind)(BindCtx *bc, AggCall *call, StErr *err);
	void (*init)(const AggCall *call, void *st);
	/* For k < nrows: fold row rows[k] of args into the state at
	 * states + gids[k] * stride + call->state_off. */
	int (*update)(AggRun *run, const AggCall *call, uint8_t *states, size_t stride,
	              const uint32_t *gids, const uint32_t *rows, uint32_t nrows, const Vec *args,
	              StErr *err);
	int (*merge)(AggRun *run, const AggCall *call, void *dst, const void *src, StErr *err);
	int (*final)(AggRun *run, const AggCall *call, void *st, Datum *out, StErr *err);
	/* Folds a block's statistics into the state st; NULL when the
	 * aggregate needs the values themselves. first and last need a block
	 * without NULLs, min, max and spread one without NaN (the binder asks
	 * the scan for such blocks: STATS_* in storage/scan.h). */
	int (*stats)(AggRun *run, const AggCall *call, void *st, const AggStats *in, StErr *err);
};

/* The aggregate of that name, or NULL. */
const AggDef *agg_lookup(const char *name);

/* Charges n bytes of run->arena use to the query. */
int agg_charge(AggRun *run, size_t n, StErr *err);

#endif
