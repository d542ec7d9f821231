/*
 * plans.h - the configuration the binder gives the operators that need
 * more than a few arguments: scans, aggregation, joins, windows and gap
 * filling. Everything here lives in the statement arena and is read-only
 * once the operator exists.
 */
#ifndef STELE_SQL_EXEC_PLANS_H
#define STELE_SQL_EXEC_PLANS_H

#include "sql/agg.h"
#include "sql/exec/exec.h"
#include "storage/series.h"

/* What a scan of one table produces. Output column k is, by kind[k]:
 *   SCAN_TS     the timestamp
 *   SCAN_TAG    tag ordinal src[k] (a varchar, NULL where the series
 *               lacks the tag)
 *   SCAN_FIELD  field column index src[k] of the table */
typedef enum ScanColKind { SCAN_TS, SCAN_TAG, SCAN_FIELD } ScanColKind;

typedef struct ScanPlan {
	uint32_t table;
	const char *table_name;
	int64_t tmin, tmax;         /* inclusive time range pushed down */
	TagPred *preds;             /* tag equality / IN pushed down */
	uint32_t npreds;
	bool empty;                 /* a pushed-down predicate can never hold */
	bool latest;                /* only the newest row of each series
	                               (DISTINCT ON (tags) ... ORDER BY tags, ts DESC) */
	uint32_t ncols;
	uint8_t *kind;              /* [ncols] ScanColKind */
	uint32_t *src;              /* [ncols] */
	uint8_t *types;             /* [ncols] */
	char **col_names;           /* [ncols], for EXPLAIN */
	char *pushed;               /* EXPLAIN: what was pushed down */
	/* The aggregation above may take whole blocks as statistics
	 * (op_scan_next_ex); stats_need[k] is what a block must hold of
	 * field column k for that (STATS_* in storage/scan.h). */
	bool stats;
	uint8_t *stats_need;        /* [ncols] */
} ScanPlan;

typedef struct AggPlan {
	Expr **groups;              /* GROUP BY keys, over the child's columns */
	uint32_t ngroups;
	AggCall **aggs;
	uint32_t naggs;
	/* Output: the group keys, then one column per aggregate. Without
	 * GROUP BY there is exactly one row, even for no input. */
	/* The child is a TableScan in statistics mode: the keys are over its
	 * tag columns only and aggregate i's argument is its column
	 * stats_col[i] (UINT32_MAX for count(*)). */
	bool stats;
	uint32_t *stats_col;        /* [naggs] */
} AggPlan;

/* A top-N by time over one table's scan, read in widening windows
 * (time_window.c). The scan's range is narrowed while it runs. */
typedef struct TimeWindowPlan {
	ScanPlan *scan;
	bool desc;                  /* the newest first */
	int64_t width, origin;      /* the leading sort key is time_bucket(width,
	                               ts, origin); width 0: ts itself */
	Expr *limit, *offset;       /* as the Sort's */
} TimeWindowPlan;

#define AGG_STATS_ROWS UINT32_MAX        /* stats_col: count(*) */
#define AGG_STATS_TS (UINT32_MAX - 1)    /* stats_col: the time column */

typedef enum JoinType { JOIN_INNER, JOIN_LEFT, JOIN_CROSS, JOIN_ASOF, JOIN_ASOF_LEFT } JoinType;

typedef struct JoinPlan {
	uint8_t type;               /* JoinType */
	Expr **lkeys, **rkeys;      /* equality keys over left / right columns */
	uint32_t nkeys;
	Expr *residual;             /* over the joined row (left cols then right) */
	/* ASOF: the right row with the greatest rts <= lts (ge) or the least
	 * rts >= lts (!ge), among those with equal keys. */
	Expr *lts, *rts;
	bool asof_ge;
	bool asof_strict;           /* > / < instead of >= / <= */
} JoinPlan;

typedef enum WinFunc {
	WF_ROW_NUMBER, WF_RANK, WF_DENSE_RANK, WF_LAG, WF_LEAD, WF_FIRST_VALUE, WF_LAST_VALUE,
	WF_AGG,
} WinFunc;

/* One window function call, with its expressions over the child's
 * columns. */
typedef struct WinCall {
	uint8_t func;               /* WinFunc */
	const char *name;
	AggCall *agg;               /* WF_AGG */
	Expr *arg, *offset, *dflt;  /* lag/lead/first_value/last_value */
	Expr **part;                /* PARTITION BY */
	uint32_t npart;
	Expr **ord;                 /* ORDER BY */
	bool *desc, *nulls_first;
	uint32_t norder;
	bool has_frame, rows;       /* ROWS frame (else RANGE) */
	uint8_t start, end;         /* FrameBound (ast.h) */
	Expr *start_n, *end_n;      /* offsets for PRECEDING / FOLLOWING */
	uint8_t type;
	uint32_t pos;
} WinCall;

typedef struct WinPlan {
	WinCall **calls;            /* output: child columns, then one per call */
	uint32_t ncalls;
} WinPlan;

/* Gap filling after a time_bucket_gapfill aggregation: the child is
 * sorted by (group keys..., bucket); for every group, every bucket from
 * start to finish is emitted, filled per column. */
typedef enum FillMode { FILL_NULL, FILL_LOCF, FILL_INTERPOLATE, FILL_KEY } FillMode;

typedef struct GapfillPlan {
	uint32_t bucket_col;
	uint32_t *group_cols;
	uint32_t ngroup;
	int64_t width, start, finish, origin;  /* finish exclusive */
	uint8_t *fill;              /* [child ncols] FillMode */
} GapfillPlan;

#endif
