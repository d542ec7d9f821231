/* stmt.c - the SQL part of the public API (stele.h): prepare (parse and
 * bind), execute, stream batches, EXPLAIN [ANALYZE], finalize.
 *
 * A statement owns one arena for everything of its lifetime (syntax tree,
 * plan, constants) and the operator tree, whose run-time memory each
 * operator keeps and charges to the statement's ExecCtx. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/bind.h"
#include "sql/stmt.h"
#include "storage/db.h"
#include "util/pool.h"
#include "util/timeutil.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory preparing a statement")

static void explain_op(const Op *op, Buf *out, uint32_t depth, bool analyze, char ***lines,
                       uint32_t *n, uint32_t *cap, Arena *a);

uint32_t stele_stmt_ncols(const stele_stmt *st) { return st ? st->ncols : 0; }

const char *stele_stmt_col_name(const stele_stmt *st, uint32_t i)
{
	return st && i < st->ncols ? st->names[i] : NULL;
}

stele_type stele_stmt_col_type(const stele_stmt *st, uint32_t i)
{
	return st && i < st->ncols ? (stele_type)st->types[i] : STELE_TYPE_NONE;
}

const char *stele_stmt_tag(const stele_stmt *st) { return st ? st->tag : ""; }
uint64_t stele_stmt_rows(const stele_stmt *st) { return st ? st->rows : 0; }

bool stele_stmt_readonly(const stele_stmt *st)
{
	if (!st)
		return true;
	const Stmt *s = st->ast;
	if (s && s->kind == S_EXPLAIN && s->inner && (!s->analyze || s->inner->kind == S_SELECT))
		return true;
	switch (st->kind) {
	case S_SELECT:
	case S_SHOW_TABLES:
	case S_SHOW:
	case S_BEGIN:
	case S_COMMIT:
	case S_ROLLBACK:
		return true;
	default:
		return false;
	}
}

void stele_stmt_cancel(stele_stmt *st)
{
	if (st)
		atomic_store(&st->cancel, true);
}

static void stmt_close_ops(stele_stmt *st)
{
	if (st->opened && st->root)
		op_close(st->root);
	st->opened = false;
}

void stele_finalize(stele_stmt *st)
{
	if (!st)
		return;
	stmt_close_ops(st);
	op_free(st->root);
	op_free(st->inner);
	for (uint32_t i = 0; i < st->nsubs; i++) {
		subplan_reset(st->subs[i]);
		op_free(st->subs[i]->op);
	}
	/* Every byte an operator charged it released when it closed. */
	assert(atomic_load(&st->cx.mem_used) == 0);
	arena_free(&st->arena);
	free(st);
}

static int set_result(stele_stmt *st, const BoundQuery *bq)
{
	st->root = bq->op;
	st->ncols = bq->ncols;
	st->names = bq->names;
	st->types = bq->types;
	return STELE_OK;
}

static int prepare_explain(stele_stmt *st, Binder *b, const Stmt *s, StErr *err)
{
	if (s->inner->kind != S_SELECT)
		return bind_fail(&b->bc, s->inner->pos, STELE_EINVAL, err,
		                 "EXPLAIN supports only SELECT");
	BoundQuery bq;
	int rc = bind_query(b, s->inner->query, &bq, err);
	if (rc)
		return rc;
	st->inner = bq.op;
	st->analyze = s->analyze;
	st->ncols = 1;
	st->names = arena_alloc(&st->arena, sizeof *st->names);
	st->types = arena_alloc(&st->arena, 1);
	if (!st->names || !st->types)
		return NOMEM(err);
	st->names[0] = "QUERY PLAN";
	st->types[0] = STELE_TYPE_VARCHAR;
	return STELE_OK;
}

static uint8_t cmd_kind(const Stmt *s) { return s->kind; }

uint32_t stele_stmt_nparams(const stele_stmt *st) { return st ? st->nparams : 0; }

/* stele_prepare and stele_prepare_params: `mode` says how $N binds
 * (bind.h, PARAMS_*). */
static int prepare(stele_db *db, const char *sql, ptrdiff_t len, const char **tail,
                   uint8_t mode, const stele_param *params, uint32_t nparams,
                   stele_stmt **out, stele_err *err)
{
	*out = NULL;
	if (len < 0)
		len = (ptrdiff_t)strlen(sql);
	stele_stmt *st = calloc(1, sizeof *st);
	if (!st)
		return NOMEM(err);
	st->db = db;
	st->arena.block_size = 16 * 1024;
	atomic_init(&st->cancel, false);
	ExecCtx *cx = &st->cx;
	cx->db = db;
	cx->arena = &st->arena;
	cx->now_ns = time_now_ns();
	cx->mem_limit = db ? db->opts.query_memory : 0;
	cx->cancel = &st->cancel;
	cx->pool = db ? db_query_pool(db) : NULL;
	cx->nthreads = pool_threads(cx->pool) + 1;
	Parser p = {.arena = &st->arena};
	uint32_t end;
	int rc = sql_parse(&p, sql, (size_t)len, true, &end, err);
	if (tail)
		*tail = sql + (rc && rc != STELE_EPARSE ? len : (ptrdiff_t)end);
	if (rc) {
		stele_finalize(st);
		return rc;
	}
	if (!p.stmts) {
		stele_finalize(st);
		return STELE_OK;
	}
	/* Keep the text of this statement for positions in errors. */
	cx->sql = p.sql;
	Stmt *s = p.stmts->v[0];
	st->kind = cmd_kind(s);
	st->ast = s;
	Binder b;
	rc = bind_init(&b, db, cx, &st->arena, p.sql, err);
	b.param_mode = mode;
	b.param_vals = params;
	b.nparam_vals = nparams;
	if (rc == STELE_OK) {
		bind_collect_names(&b, s);
		switch (s->kind) {
		case S_SELECT: {
			BoundQuery bq;
			rc = bind_query(&b, s->query, &bq, err);
			if (rc == STELE_OK)
				rc = set_result(st, &bq);
			break;
		}
		case S_EXPLAIN:
			rc = prepare_explain(st, &b, s, err);
			break;
		case S_SHOW_TABLES: {
			BoundQuery bq;
			rc = sysview_show_tables(&b, &bq, err);
			if (rc == STELE_OK)
				rc = set_result(st, &bq);
			break;
		}
		default:
			rc = ddl_prepare(st, &b, s, err);
			break;
		}
	}
	st->subs = b.subs;
	st->nsubs = b.nsubs;
	st->nparams = b.nparams;
	bind_free(&b);
	if (rc) {
		stele_finalize(st);
		return rc;
	}
	*out = st;
	return STELE_OK;
}

int stele_prepare(stele_db *db, const char *sql, ptrdiff_t len, const char **tail,
                  stele_stmt **out, stele_err *err)
{
	return prepare(db, sql, len, tail, PARAMS_LATE, NULL, 0, out, err);
}

int stele_prepare_params(stele_db *db, const char *sql, ptrdiff_t len, const char **tail,
                         const stele_param *params, uint32_t nparams, stele_stmt **out,
                         stele_err *err)
{
	return prepare(db, sql, len, tail, params ? PARAMS_VALUES : PARAMS_NULLS, params,
	               params ? nparams : 0, out, err);
}

/* Deadline from the options, at the start of a run. */
static void start_clock(stele_stmt *st)
{
	uint32_t ms = st->db ? st->db->opts.statement_timeout_ms : 0;
	st->cx.deadline_ns = ms ? time_mono_ns() + (int64_t)ms * NS_PER_MS : 0;
}

static int run_explain(stele_stmt *st, StErr *err)
{
	int rc = STELE_OK;
	uint64_t rows = 0;
	int64_t t0 = time_mono_ns();
	if (st->analyze) {
		st->cx.analyze = true;
		rc = op_open(st->inner, err);
		while (rc == STELE_OK) {
			Batch *b;
			rc = op_next(st->inner, &b, err);
			if (rc || !b)
				break;
			rows += b->n;
		}
		op_close(st->inner);
		if (rc)
			return rc;
	}
	Buf line = {0};
	char **lines = NULL;
	uint32_t n = 0, cap = 0;
	explain_op(st->inner, &line, 0, st->analyze, &lines, &n, &cap, &st->arena);
	if (st->analyze) {
		char tmp[96];
		snprintf(tmp, sizeof tmp, "Execution Time: %.3f ms",
		         (double)(time_mono_ns() - t0) / 1e6);
		buf_reset(&line);
		buf_put(&line, tmp, strlen(tmp));
		explain_op(NULL, &line, 0, false, &lines, &n, &cap, &st->arena);
	}
	buf_free(&line);
	(void)rows;
	/* The lines as a VALUES relation. */
	Expr ***vrows = arena_alloc(&st->arena, (n + 1) * sizeof *vrows);
	if (!vrows)
		return NOMEM(err);
	for (uint32_t i = 0; i < n; i++) {
		vrows[i] = arena_alloc(&st->arena, sizeof **vrows);
		Datum d = {.type = STELE_TYPE_VARCHAR, .v.s = {lines[i], (uint32_t)strlen(lines[i])}};
		if (!vrows[i] || !(vrows[i][0] = expr_const(&st->arena, &d, 0)))
			return NOMEM(err);
	}
	st->root = op_values(&st->cx, 1, st->types, vrows, n);
	return st->root ? STELE_OK : NOMEM(err);
}

static void add_line(Buf *line, char ***lines, uint32_t *n, uint32_t *cap, Arena *a)
{
	if (line->failed)
		return;
	if (*n == *cap) {
		uint32_t c = *cap ? *cap * 2 : 32;
		char **v = arena_alloc(a, c * sizeof *v);
		if (!v)
			return;
		if (*n)
			memcpy(v, *lines, *n * sizeof *v);
		*lines = v;
		*cap = c;
	}
	char *s = arena_alloc(a, line->len + 1);
	if (!s)
		return;
	memcpy(s, line->data, line->len);
	s[line->len] = '\0';
	(*lines)[(*n)++] = s;
}

static void explain_op(const Op *op, Buf *out, uint32_t depth, bool analyze, char ***lines,
                       uint32_t *n, uint32_t *cap, Arena *a)
{
	if (!op) {
		add_line(out, lines, n, cap, a);
		return;
	}
	buf_reset(out);
	for (uint32_t i = 0; i + 1 < depth; i++)
		buf_put(out, "      ", 6);
	if (depth)
		buf_put(out, "  ->  ", 6);
	const char *name = op->vt->name;
	if (op->note && strcmp(op->note, "Distinct") == 0)
		name = "HashAggregate (Distinct)";
	buf_put(out, name, strlen(name));
	Buf det = {0};
	op->vt->explain(op, &det);
	if (det.len && !det.failed) {
		buf_put(out, "  (", 3);
		buf_put(out, det.data, det.len);
		buf_put_u8(out, ')');
	}
	buf_free(&det);
	if (analyze) {
		char tmp[128];
		int k = snprintf(tmp, sizeof tmp, "  [actual rows=%llu batches=%llu time=%.3f ms]",
		                 (unsigned long long)op->rows_out, (unsigned long long)op->batches_out,
		                 (double)op->ns / 1e6);
		buf_put(out, tmp, (size_t)k);
	}
	add_line(out, lines, n, cap, a);
	for (uint32_t i = 0; i < op->nkids; i++)
		explain_op(op->kids[i], out, depth + 1, analyze, lines, n, cap, a);
}

static void fill_public(stele_stmt *st, const Batch *b)
{
	st->pb.nrows = b->n;
	st->pb.ncols = b->ncols;
	for (uint32_t c = 0; c < b->ncols && c < st->ncols; c++) {
		const Vec *v = &b->cols[c];
		stele_column *pc = &st->pcols[c];
		pc->type = (stele_type)st->types[c];
		pc->nulls = v->null;
		pc->v.i64 = v->d.i;
	}
	st->pb.cols = st->pcols;
}

int stele_next(stele_stmt *st, const stele_batch **out, stele_err *err)
{
	*out = NULL;
	if (!st)
		return STELE_OK;
	if (st->failed)
		return failf(err, st->failed, "the statement failed earlier; prepare it again");
	int rc = STELE_OK;
	if (!st->started) {
		st->started = true;
		start_clock(st);
		for (uint32_t i = 0; i < st->nsubs; i++)
			subplan_reset(st->subs[i]);
		if (st->kind == S_EXPLAIN) {
			rc = run_explain(st, err);
		} else if (!st->root) {
			rc = ddl_execute(st, err);
			st->done = true;
		}
		if (rc == STELE_OK && st->root) {
			st->pcols = arena_alloc(&st->arena, (st->ncols + 1) * sizeof *st->pcols);
			if (!st->pcols)
				rc = NOMEM(err);
			if (rc == STELE_OK) {
				rc = op_open(st->root, err);
				/* Closed even after a failed open: operators release
				 * what a partial open acquired. */
				st->opened = true;
			}
		}
		if (rc) {
			st->failed = rc;
			stmt_close_ops(st);
			return rc;
		}
	}
	if (st->done || !st->root)
		return STELE_OK;
	Batch *b;
	rc = op_next(st->root, &b, err);
	if (rc) {
		st->failed = rc;
		stmt_close_ops(st);
		return rc;
	}
	if (!b) {
		st->done = true;
		stmt_close_ops(st);
		if (!st->tag[0])
			snprintf(st->tag, sizeof st->tag, "%s %llu",
			         st->kind == S_SHOW_TABLES || st->kind == S_SHOW ? "SHOW" : "SELECT",
			         (unsigned long long)st->rows);
		return STELE_OK;
	}
	st->rows += b->n;
	fill_public(st, b);
	*out = &st->pb;
	return STELE_OK;
}

int stele_execute(stele_stmt *st, stele_err *err)
{
	const stele_batch *b;
	int rc;
	do {
		rc = stele_next(st, &b, err);
	} while (rc == STELE_OK && b);
	return rc;
}
