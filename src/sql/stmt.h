/*
 * stmt.h - the statement object behind stele_stmt (stele.h), shared by
 * stmt.c (prepare, run, EXPLAIN) and ddl.c (statements without a result
 * set: CREATE/DROP/ALTER TABLE, INSERT, DELETE, SET, SHOW, transactions).
 */
#ifndef STELE_SQL_STMT_H
#define STELE_SQL_STMT_H

#include <stdatomic.h>

#include "sql/bind.h"

struct stele_stmt {
	struct stele_db *db;
	Arena arena;            /* everything of the statement's lifetime */
	ExecCtx cx;
	Stmt *ast;
	uint8_t kind;           /* StmtKind */
	Op *root;               /* the result's operators; NULL: no result set
	                           (or EXPLAIN before it runs) */
	Op *inner;              /* EXPLAIN: the plan explained */
	bool analyze;
	uint32_t ncols;
	uint32_t nparams;       /* the highest $N named */
	char **names;
	uint8_t *types;
	SubPlan **subs;
	uint32_t nsubs;
	bool started, opened, done;
	int failed;             /* a run failed: the code */
	stele_column *pcols;
	stele_batch pb;
	char tag[64];
	uint64_t rows;
	atomic_bool cancel;
	void *ddl;               /* ddl.c's plan for a statement without a query */
};

/* Binds a statement that is not a query (ddl.c). May set a result
 * (SHOW). */
int ddl_prepare(stele_stmt *st, Binder *b, const Stmt *s, StErr *err);
/* Runs it; sets st->tag and st->rows. */
int ddl_execute(stele_stmt *st, StErr *err);

#endif
