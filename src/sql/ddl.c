/* ddl.c - statements without a query result: CREATE TABLE, ALTER TABLE
 * ... ADD COLUMN, INSERT, SET, SHOW, and the transaction statements
 * (accepted for clients' sake: every statement commits on its own).
 *
 * INSERT turns its rows into line protocol and writes them as the write
 * path does, in batches of up to INSERT_BATCH bytes, each committed whole;
 * values are cast to the columns' types when the statement is prepared
 * (VALUES) or run (INSERT ... SELECT). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/lp.h"
#include "sql/sqlfmt.h"
#include "sql/stmt.h"
#include "sql/text.h"
#include "storage/db.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory preparing a statement")
#define INSERT_BATCH (4u << 20)

/* What a prepared DDL statement carries to its execution. */
typedef struct DdlPlan {
	/* CREATE TABLE / ALTER TABLE */
	char *table;
	DbColumnDef *cols;
	uint32_t ncols;
	int64_t partition_ns, retention_ns;
	bool if_not_exists;
	/* INSERT: the source rows, one column per target column */
	Op *src;
	uint8_t *kinds;          /* ColKind of each target column */
	char **colnames;
	uint32_t ts_slot;        /* source column of ts, or UINT32_MAX: now() */
	/* SET */
	char *name;
	Datum value;
	/* DELETE: what was pushed into the table's scan */
	ScanPlan *scan;
	/* DROP TABLE */
	bool if_exists;
} DdlPlan;

static char *dup_tok(Binder *b, Token t) { return bind_strdup(b, t.z, t.n); }

/* A constant interval option ('30 days', interval '1 day'). */
static int interval_opt(Binder *b, const TableOpt *o, int64_t *out, StErr *err)
{
	Scope none = {NULL, 0, NULL};
	Expr *e;
	int rc = bind_expr(b, &none, o->value, &e, err);
	if (rc == STELE_OK)
		rc = bind_cast(&b->bc, e, STELE_TYPE_INTERVAL, true, &e, err);
	if (rc)
		return rc;
	if (e->kind != E_CONST || e->val.null || e->val.v.i < 0)
		return bind_fail(&b->bc, o->value->pos, STELE_EINVAL, err,
		                 "option \"%.*s\" needs a constant interval of zero or more",
		                 (int)o->name.n, o->name.z);
	*out = e->val.v.i;
	return STELE_OK;
}

static int coldef(Binder *b, const ColDef *c, DbColumnDef *out, StErr *err)
{
	uint8_t t;
	if (!func_type_from_name(c->type->name, &t))
		return bind_fail(&b->bc, c->type->pos, STELE_ENOENT, err, "type \"%s\" does not exist",
		                 c->type->name);
	out->name = dup_tok(b, c->name);
	out->kind = c->is_tag ? COL_TAG : COL_FIELD;
	out->type = t;
	if (!out->name)
		return NOMEM(err);
	return STELE_OK;
}

static int prepare_create(Binder *b, const Stmt *s, DdlPlan *dp, StErr *err)
{
	dp->table = dup_tok(b, s->table);
	dp->cols = arena_alloc(b->bc.arena, (s->coldefs->n + 1) * sizeof *dp->cols);
	if (!dp->table || !dp->cols)
		return NOMEM(err);
	dp->if_not_exists = s->if_not_exists;
	for (uint32_t i = 0; i < s->coldefs->n; i++) {
		const ColDef *c = s->coldefs->v[i];
		DbColumnDef d;
		int rc = coldef(b, c, &d, err);
		if (rc)
			return rc;
		if (strcmp(d.name, "ts") == 0) {
			/* The time column is implicit; declaring it is allowed. */
			if (d.type != STELE_TYPE_TIMESTAMP || c->is_tag)
				return bind_fail(&b->bc, c->name.pos, STELE_ETYPE, err,
				                 "column \"ts\" must be of type timestamp");
			continue;
		}
		if (d.type == STELE_TYPE_TIMESTAMP)
			return bind_fail(&b->bc, c->type->pos, STELE_ETYPE, err,
			                 "column \"%s\": only \"ts\" can be of type timestamp", d.name);
		dp->cols[dp->ncols++] = d;
	}
	for (uint32_t i = 0; s->opts && i < s->opts->n; i++) {
		const TableOpt *o = s->opts->v[i];
		char *name = dup_tok(b, o->name);
		if (!name)
			return NOMEM(err);
		int rc;
		if (strcmp(name, "retention") == 0 || strcmp(name, "ttl") == 0)
			rc = interval_opt(b, o, &dp->retention_ns, err);
		else if (strcmp(name, "partition_interval") == 0 || strcmp(name, "partition") == 0)
			rc = interval_opt(b, o, &dp->partition_ns, err);
		else
			rc = bind_fail(&b->bc, o->name.pos, STELE_EINVAL, err,
			               "unrecognized table option \"%s\" (retention, partition_interval)",
			               name);
		if (rc)
			return rc;
	}
	return STELE_OK;
}

static int prepare_alter(Binder *b, const Stmt *s, DdlPlan *dp, StErr *err)
{
	dp->table = dup_tok(b, s->table);
	dp->cols = arena_alloc(b->bc.arena, sizeof *dp->cols);
	if (!dp->table || !dp->cols)
		return NOMEM(err);
	const ColDef *c = s->coldefs->v[0];
	int rc = coldef(b, c, &dp->cols[0], err);
	if (rc)
		return rc;
	if (dp->cols[0].type == STELE_TYPE_TIMESTAMP)
		return bind_fail(&b->bc, c->type->pos, STELE_ETYPE, err,
		                 "column \"%s\": only \"ts\" can be of type timestamp", dp->cols[0].name);
	dp->ncols = 1;
	return STELE_OK;
}

/* The cast of an INSERT value to its column: what PostgreSQL's assignment
 * casts allow (numbers to numbers, literals to anything), not text to
 * numbers or times. */
static int assign(Binder *b, Expr *e, uint8_t type, const char *col, Expr **out, StErr *err)
{
	if (!e->untyped && e->type != type && e->type != STELE_TYPE_NONE &&
	    (e->type == STELE_TYPE_VARCHAR ||
	     (type != STELE_TYPE_VARCHAR && !(type_is_numeric(type) && type_is_numeric(e->type)) &&
	      !(type_is_numeric(type) && e->type == STELE_TYPE_BOOLEAN))))
		return bind_fail(&b->bc, e->pos, STELE_ETYPE, err,
		                 "column \"%s\" is of type %s but expression is of type %s", col,
		                 func_type_sql_name(type), func_type_sql_name(e->type));
	return bind_cast(&b->bc, e, type, true, out, err);
}

/* The source operators are the statement's st->inner, which it frees
 * (as an EXPLAIN's). */
static int prepare_insert(stele_stmt *st, Binder *b, const Stmt *s, DdlPlan *dp, StErr *err)
{
	dp->table = dup_tok(b, s->table);
	if (!dp->table)
		return NOMEM(err);
	const Table *t = b->have_cat ? catalog_find(&b->cat, dp->table, strlen(dp->table)) : NULL;
	if (!t)
		return bind_fail(&b->bc, s->table.pos, STELE_ENOENT, err,
		                 "relation \"%s\" does not exist", dp->table);
	/* The target columns. */
	uint32_t n = s->cols ? s->cols->n : t->ncols;
	uint32_t *idx = arena_alloc(b->bc.arena, (n + 1) * sizeof *idx);
	dp->kinds = arena_alloc(b->bc.arena, n + 1);
	dp->colnames = arena_alloc(b->bc.arena, (n + 1) * sizeof *dp->colnames);
	if (!idx || !dp->kinds || !dp->colnames)
		return NOMEM(err);
	dp->ts_slot = UINT32_MAX;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t c = i;
		if (s->cols) {
			const Token *tk = s->cols->v[i];
			c = table_find_column(t, tk->z, tk->n);
			if (c == UINT32_MAX)
				return bind_fail(&b->bc, tk->pos, STELE_ENOENT, err,
				                 "column \"%.*s\" of relation \"%s\" does not exist",
				                 (int)tk->n, tk->z, t->name);
			for (uint32_t j = 0; j < i; j++)
				if (idx[j] == c)
					return bind_fail(&b->bc, tk->pos, STELE_EINVAL, err,
					                 "column \"%.*s\" specified more than once", (int)tk->n,
					                 tk->z);
		}
		idx[i] = c;
		dp->kinds[i] = t->cols[c].kind;
		dp->colnames[i] = bind_strdup(b, t->cols[c].name, t->cols[c].len);
		if (!dp->colnames[i])
			return NOMEM(err);
		if (t->cols[c].kind == COL_TIME)
			dp->ts_slot = i;
	}
	const Query *q = s->query;
	Expr **casts = arena_alloc(b->bc.arena, (n + 1) * sizeof *casts);
	uint8_t *types = arena_alloc(b->bc.arena, n + 1);
	if (!casts || !types)
		return NOMEM(err);
	for (uint32_t i = 0; i < n; i++)
		types[i] = t->cols[idx[i]].type;
	if (q->core && q->core->values && !q->order && !q->limit && !q->offset) {
		/* VALUES: each value cast to its column now. */
		const AstList *rows = q->core->values;
		Expr ***vr = arena_alloc(b->bc.arena, rows->n * sizeof *vr);
		if (!vr)
			return NOMEM(err);
		Scope none = {NULL, 0, NULL};
		for (uint32_t r = 0; r < rows->n; r++) {
			const AstList *row = rows->v[r];
			if (row->n != n)
				return bind_fail(&b->bc, ((Ast *)row->v[0])->pos, STELE_EINVAL, err,
				                 row->n > n ? "INSERT has more expressions than target columns"
				                            : "INSERT has more target columns than expressions");
			vr[r] = arena_alloc(b->bc.arena, n * sizeof **vr);
			if (!vr[r])
				return NOMEM(err);
			for (uint32_t k = 0; k < n; k++) {
				Expr *e;
				int rc = bind_expr(b, &none, row->v[k], &e, err);
				if (rc == STELE_OK)
					rc = assign(b, e, types[k], dp->colnames[k], &vr[r][k], err);
				if (rc)
					return rc;
			}
		}
		dp->src = op_values(b->cx, n, types, vr, rows->n);
		st->inner = dp->src;
		return dp->src ? STELE_OK : NOMEM(err);
	}
	BoundQuery bq;
	int rc = bind_query(b, q, &bq, err);
	if (rc)
		return rc;
	if (bq.ncols != n)
		return bind_fail(&b->bc, q->pos, STELE_EINVAL, err,
		                 bq.ncols > n ? "INSERT has more expressions than target columns"
		                              : "INSERT has more target columns than expressions");
	for (uint32_t i = 0; i < n; i++) {
		Expr *c = expr_col(b->bc.arena, i, bq.types[i], bq.names[i], q->pos);
		if (!c)
			return NOMEM(err);
		rc = assign(b, c, types[i], dp->colnames[i], &casts[i], err);
		if (rc)
			return rc;
	}
	dp->src = op_project(b->cx, bq.op, casts, n);
	st->inner = dp->src;
	return dp->src ? STELE_OK : NOMEM(err);
}

/* The settings SET and SHOW know: Stele's own, and those PostgreSQL
 * clients set or ask for (accepted, shown with PostgreSQL's values). */
static const struct {
	const char *name;
	const char *value;      /* shown; NULL: from the options */
	const char *allowed;    /* values SET accepts, comma-separated; NULL: any */
} settings[] = {
	{"statement_timeout", NULL, NULL},
	{"query_memory", NULL, NULL},
	{"timezone", "UTC", "utc,gmt,etc/utc,z,+00,00:00,+00:00,0"},
	{"datestyle", "ISO, MDY", NULL},
	{"intervalstyle", "postgres", "postgres"},
	{"client_encoding", "UTF8", "utf8,utf-8,unicode"},
	{"server_encoding", "UTF8", NULL},
	{"extra_float_digits", "1", NULL},
	{"application_name", "", NULL},
	{"search_path", "\"$user\", public", NULL},
	{"standard_conforming_strings", "on", "on"},
	{"server_version", "15.0 (Stele)", NULL},
	{"integer_datetimes", "on", NULL},
	{"transaction_isolation", "read committed", NULL},
	{"default_transaction_isolation", "read committed", NULL},
	{"lc_messages", "C", NULL},
	{"lc_monetary", "C", NULL},
	{"lc_numeric", "C", NULL},
	{"lc_time", "C", NULL},
	{"bytea_output", "hex", NULL},
	{"client_min_messages", "notice", NULL},
	{"jit", "off", NULL},
};

static int find_setting(const char *name)
{
	for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
		if (strcmp(settings[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void setting_value(const stele_stmt *st, int k, char *out, size_t n)
{
	const stele_options *o = &st->db->opts;
	if (strcmp(settings[k].name, "statement_timeout") == 0) {
		/* As PostgreSQL shows it: the largest unit that divides it. */
		static const struct {
			uint32_t ms;
			const char *unit;
		} units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}, {1, "ms"}};
		uint32_t ms = o->statement_timeout_ms;
		size_t u = 0;
		while (ms && ms % units[u].ms)
			u++;
		if (ms)
			snprintf(out, n, "%" PRIu32 "%s", ms / units[u].ms, units[u].unit);
		else
			snprintf(out, n, "0");
	}
	else if (strcmp(settings[k].name, "query_memory") == 0)
		snprintf(out, n, "%zu", o->query_memory);
	else
		snprintf(out, n, "%s", settings[k].value);
}

static int prepare_show(stele_stmt *st, Binder *b, const Stmt *s, StErr *err)
{
	char *name = dup_tok(b, s->table);
	if (!name)
		return NOMEM(err);
	for (char *c = name; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	bool all = strcmp(name, "all") == 0;
	int k = all ? 0 : find_setting(name);
	if (k < 0)
		return bind_fail(&b->bc, s->table.pos, STELE_ENOENT, err,
		                 "unrecognized configuration parameter \"%s\"", name);
	uint32_t nrows = all ? (uint32_t)(sizeof settings / sizeof settings[0]) : 1;
	uint32_t ncols = all ? 2 : 1;
	Expr ***rows = arena_alloc(b->bc.arena, nrows * sizeof *rows);
	uint8_t *types = arena_alloc(b->bc.arena, 2);
	char **names = arena_alloc(b->bc.arena, 2 * sizeof *names);
	if (!rows || !types || !names)
		return NOMEM(err);
	types[0] = types[1] = STELE_TYPE_VARCHAR;
	names[0] = all ? "name" : name;
	names[1] = "setting";
	for (uint32_t r = 0; r < nrows; r++) {
		int i = all ? (int)r : k;
		char v[128];
		setting_value(st, i, v, sizeof v);
		rows[r] = arena_alloc(b->bc.arena, ncols * sizeof **rows);
		char *vs = bind_strdup(b, v, strlen(v));
		if (!rows[r] || !vs)
			return NOMEM(err);
		Datum dn = {.type = STELE_TYPE_VARCHAR,
		            .v.s = {settings[i].name, (uint32_t)strlen(settings[i].name)}};
		Datum dv = {.type = STELE_TYPE_VARCHAR, .v.s = {vs, (uint32_t)strlen(vs)}};
		uint32_t c = 0;
		if (all && !(rows[r][c++] = expr_const(b->bc.arena, &dn, 0)))
			return NOMEM(err);
		if (!(rows[r][c] = expr_const(b->bc.arena, &dv, 0)))
			return NOMEM(err);
	}
	st->root = op_values(b->cx, ncols, types, rows, nrows);
	st->ncols = ncols;
	st->names = names;
	st->types = types;
	return st->root ? STELE_OK : NOMEM(err);
}

static int prepare_set(Binder *b, const Stmt *s, DdlPlan *dp, StErr *err)
{
	dp->name = dup_tok(b, s->table);
	if (!dp->name)
		return NOMEM(err);
	for (char *c = dp->name; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	int k = find_setting(dp->name);
	if (k < 0)
		return bind_fail(&b->bc, s->table.pos, STELE_ENOENT, err,
		                 "unrecognized configuration parameter \"%s\"", dp->name);
	/* The value: a literal, a number, or a bare word (SET x TO ISO). */
	const Ast *v = s->value;
	if (v->kind == A_COL && !v->qual.n) {
		dp->value.type = STELE_TYPE_VARCHAR;
		dp->value.v.s = (SqlStr){v->name.z, v->name.n};
	} else {
		Scope none = {NULL, 0, NULL};
		Expr *e;
		int rc = bind_expr(b, &none, v, &e, err);
		if (rc == STELE_OK && e->kind != E_CONST)
			rc = bind_fail(&b->bc, v->pos, STELE_EINVAL, err,
			               "SET needs a constant value");
		if (rc)
			return rc;
		dp->value = e->val;
	}
	if (settings[k].allowed && dp->value.type == STELE_TYPE_VARCHAR &&
	    !(v->kind == A_STR && strcmp(settings[k].name, "timezone") != 0 && 0)) {
		char val[64];
		uint32_t n = dp->value.v.s.n < sizeof val - 1 ? dp->value.v.s.n : sizeof val - 2;
		for (uint32_t i = 0; i < n; i++) {
			char c = dp->value.v.s.p[i];
			val[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		val[n] = '\0';
		const char *a = settings[k].allowed;
		bool ok = strcmp(val, "default") == 0;
		while (!ok && *a) {
			size_t l = strcspn(a, ",");
			ok = l == n && memcmp(a, val, n) == 0;
			a += l + (a[l] == ',');
		}
		if (!ok)
			return bind_fail(&b->bc, v->pos, STELE_EINVAL, err,
			                 "invalid value for parameter \"%s\": \"%s\" (Stele supports: %s)",
			                 settings[k].name, val, settings[k].allowed);
	}
	return STELE_OK;
}

/* DELETE FROM t [WHERE ...]: the condition must go into the scan whole
 * (time ranges and tag equalities), since that is what a delete records. */
static int prepare_delete(Binder *b, const Stmt *s, DdlPlan *dp, StErr *err)
{
	dp->table = dup_tok(b, s->table);
	if (!dp->table)
		return NOMEM(err);
	FromItem f = {.kind = F_TABLE, .name = s->table, .pos = s->table.pos};
	Rel r;
	/* The scan must see the columns the condition names. */
	int rc = bind_from(b, &f, &r, err);
	if (rc)
		return rc;
	if (!r.scan)
		return bind_fail(&b->bc, s->table.pos, STELE_EINVAL, err,
		                 "cannot delete from \"%s\"", dp->table);
	dp->scan = r.scan;
	if (!s->where)
		return STELE_OK;
	AggCtx none = {.allowed = false, .where = "WHERE"};
	Scope sc = {r.cols, r.ncols, &none};
	Expr *pred, *rest;
	rc = bind_pred(b, &sc, s->where, "WHERE", &pred, err);
	if (rc == STELE_OK)
		rc = bind_pushdown(b, &r, pred, &rest, err);
	if (rc)
		return rc;
	if (rest)
		return bind_fail(&b->bc, rest->pos, STELE_EINVAL, err,
		                 "DELETE supports only conditions on ts (=, <, <=, >, >=, BETWEEN) "
		                 "and on tags (=, IN), joined by AND");
	return STELE_OK;
}

int ddl_prepare(stele_stmt *st, Binder *b, const Stmt *s, StErr *err)
{
	DdlPlan *dp = arena_alloc(b->bc.arena, sizeof *dp);
	if (!dp)
		return NOMEM(err);
	memset(dp, 0, sizeof *dp);
	st->ddl = dp;
	switch (s->kind) {
	case S_BEGIN:
	case S_COMMIT:
	case S_ROLLBACK:
		return STELE_OK;
	case S_SET:
		return prepare_set(b, s, dp, err);
	case S_SHOW:
		return prepare_show(st, b, s, err);
	case S_CREATE_TABLE:
		return prepare_create(b, s, dp, err);
	case S_ALTER_ADD:
		return prepare_alter(b, s, dp, err);
	case S_INSERT:
		return prepare_insert(st, b, s, dp, err);
	case S_DROP_TABLE:
		dp->table = dup_tok(b, s->table);
		dp->if_exists = s->if_exists;
		return dp->table ? STELE_OK : NOMEM(err);
	case S_DELETE:
		return prepare_delete(b, s, dp, err);
	default:
		return bind_fail(&b->bc, s->pos, STELE_EINVAL, err, "unsupported statement");
	}
}

/* A setting's value as a count of milliseconds / bytes. */
static int setting_number(const Datum *v, bool is_time, uint64_t *out, StErr *err)
{
	if (v->null || v->type == STELE_TYPE_NONE) {
		*out = 0;
		return STELE_OK;
	}
	if (v->type == STELE_TYPE_BIGINT) {
		if (v->v.i < 0)
			return failf(err, STELE_EINVAL, "the value must not be negative");
		*out = (uint64_t)v->v.i;
		return STELE_OK;
	}
	if (v->type == STELE_TYPE_VARCHAR) {
		const char *s = v->v.s.p;
		uint32_t n = v->v.s.n;
		if (n == 7 && strncasecmp(s, "default", 7) == 0) {
			*out = is_time ? 0 : (uint64_t)1 << 30;
			return STELE_OK;
		}
		if (is_time) {
			/* '5s', '100ms', '1 minute': PostgreSQL's units. */
			int64_t ns;
			char tmp[64];
			uint32_t k = n < sizeof tmp - 1 ? n : sizeof tmp - 1;
			memcpy(tmp, s, k);
			tmp[k] = '\0';
			char *end;
			long long plain = strtoll(tmp, &end, 10);
			if (*end == '\0' && end != tmp && plain >= 0) {
				*out = (uint64_t)plain;
				return STELE_OK;
			}
			if (sqlfmt_parse_interval(s, n, &ns, err))
				return STELE_EINVAL;
			if (ns < 0)
				return failf(err, STELE_EINVAL, "the value must not be negative");
			*out = (uint64_t)(ns / 1000000);
			return STELE_OK;
		}
		int64_t x;
		if (sqlfmt_parse_bigint(s, n, &x, err))
			return STELE_EINVAL;
		*out = x < 0 ? 0 : (uint64_t)x;
		return STELE_OK;
	}
	return failf(err, STELE_EINVAL, "invalid value");
}

static int run_set(stele_stmt *st, DdlPlan *dp, StErr *err)
{
	uint64_t v;
	if (strcmp(dp->name, "statement_timeout") == 0) {
		if (setting_number(&dp->value, true, &v, err))
			return err_prefix(err, "invalid value for parameter \"statement_timeout\"");
		st->db->opts.statement_timeout_ms = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	} else if (strcmp(dp->name, "query_memory") == 0) {
		if (setting_number(&dp->value, false, &v, err))
			return err_prefix(err, "invalid value for parameter \"query_memory\"");
		st->db->opts.query_memory = (size_t)v;
	}
	snprintf(st->tag, sizeof st->tag, "SET");
	return STELE_OK;
}

/* Appends one row (row i of b) as a line of line protocol. */
static int put_line(Buf *lp, const char *table, const DdlPlan *dp, const Batch *b, uint32_t i,
                    int64_t now, StErr *err)
{
	size_t start = lp->len;
	lp_put_measurement(lp, table, strlen(table));
	for (uint32_t c = 0; c < b->ncols; c++) {
		const Vec *v = &b->cols[c];
		if (dp->kinds[c] != COL_TAG || v->type == STELE_TYPE_NONE || v->null[i] ||
		    v->d.s[i].n == 0)
			continue;
		buf_put_u8(lp, ',');
		lp_put_tag(lp, dp->colnames[c], strlen(dp->colnames[c]));
		buf_put_u8(lp, '=');
		lp_put_tag(lp, v->d.s[i].p, v->d.s[i].n);
	}
	char sep = ' ';
	for (uint32_t c = 0; c < b->ncols; c++) {
		const Vec *v = &b->cols[c];
		if (dp->kinds[c] != COL_FIELD || v->type == STELE_TYPE_NONE || v->null[i])
			continue;
		buf_put_u8(lp, (uint8_t)sep);
		sep = ',';
		lp_put_field_key(lp, dp->colnames[c], strlen(dp->colnames[c]));
		buf_put_u8(lp, '=');
		char num[32];
		int k;
		switch (v->type) {
		case STELE_TYPE_DOUBLE:
			if (!isfinite(v->d.f[i])) {
				lp->len = start;
				return failf(err, STELE_EINVAL,
				             "column \"%s\": NaN and infinite values cannot be stored",
				             dp->colnames[c]);
			}
			lp_put_double(lp, v->d.f[i]);
			break;
		case STELE_TYPE_BIGINT:
			k = snprintf(num, sizeof num, "%" PRId64 "i", v->d.i[i]);
			buf_put(lp, num, (size_t)k);
			break;
		case STELE_TYPE_UBIGINT:
			k = snprintf(num, sizeof num, "%" PRIu64 "u", v->d.u[i]);
			buf_put(lp, num, (size_t)k);
			break;
		case STELE_TYPE_BOOLEAN:
			buf_put(lp, v->d.i[i] ? "true" : "false", v->d.i[i] ? 4 : 5);
			break;
		default:
			lp_put_string_value(lp, v->d.s[i].p, v->d.s[i].n);
		}
	}
	if (sep == ' ') {
		lp->len = start;
		return failf(err, STELE_EINVAL,
		             "INSERT into \"%s\": a row needs a value in at least one field column",
		             table);
	}
	int64_t ts = now;
	if (dp->ts_slot != UINT32_MAX) {
		const Vec *v = &b->cols[dp->ts_slot];
		if (v->type == STELE_TYPE_NONE || v->null[i]) {
			lp->len = start;
			return failf(err, STELE_EINVAL,
			             "null value in column \"ts\" of relation \"%s\" violates not-null "
			             "constraint",
			             table);
		}
		ts = v->d.i[i];
	}
	char tsb[32];
	int k = snprintf(tsb, sizeof tsb, " %" PRId64 "\n", ts);
	buf_put(lp, tsb, (size_t)k);
	return buf_check(lp, err, "INSERT");
}

static int flush_lp(stele_stmt *st, Buf *lp, uint64_t *written, StErr *err)
{
	if (lp->len == 0)
		return STELE_OK;
	stele_write_result res;
	int rc = stele_write_lp(st->db, (const char *)lp->data, lp->len, NULL, &res, err);
	*written += res.lines_written;
	if (rc && res.n_errors)
		failf(err, rc, "%s", res.errors[0].msg);
	buf_reset(lp);
	return rc;
}

static int run_insert(stele_stmt *st, DdlPlan *dp, StErr *err)
{
	Buf lp = {0};
	uint64_t written = 0;
	int rc = op_open(dp->src, err);
	while (rc == STELE_OK) {
		Batch *b;
		rc = op_next(dp->src, &b, err);
		if (rc || !b)
			break;
		for (uint32_t i = 0; i < b->n && rc == STELE_OK; i++)
			rc = put_line(&lp, dp->table, dp, b, i, st->cx.now_ns, err);
		if (rc == STELE_OK && lp.len >= INSERT_BATCH)
			rc = flush_lp(st, &lp, &written, err);
	}
	op_close(dp->src);
	if (rc == STELE_OK)
		rc = flush_lp(st, &lp, &written, err);
	buf_free(&lp);
	st->rows = written;
	snprintf(st->tag, sizeof st->tag, "INSERT 0 %" PRIu64, written);
	return rc;
}

int ddl_execute(stele_stmt *st, StErr *err)
{
	DdlPlan *dp = st->ddl;
	int rc;
	bool created;
	switch (st->kind) {
	case S_BEGIN:
		snprintf(st->tag, sizeof st->tag, "BEGIN");
		return STELE_OK;
	case S_COMMIT:
		snprintf(st->tag, sizeof st->tag, "COMMIT");
		return STELE_OK;
	case S_ROLLBACK:
		snprintf(st->tag, sizeof st->tag, "ROLLBACK");
		return STELE_OK;
	case S_SET:
		return run_set(st, dp, err);
	case S_CREATE_TABLE:
		rc = db_create_table(st->db, dp->table, dp->cols, dp->ncols, dp->partition_ns,
		                     dp->retention_ns, dp->if_not_exists, &created, err);
		if (rc == STELE_OK)
			snprintf(st->tag, sizeof st->tag, "CREATE TABLE");
		return rc;
	case S_ALTER_ADD:
		rc = db_add_column(st->db, dp->table, &dp->cols[0], false, err);
		if (rc == STELE_OK)
			snprintf(st->tag, sizeof st->tag, "ALTER TABLE");
		return rc;
	case S_INSERT:
		return run_insert(st, dp, err);
	case S_DELETE: {
		uint64_t n = 0;
		rc = dp->scan->empty ? STELE_OK
		                     : db_delete(st->db, dp->table, dp->scan->preds, dp->scan->npreds,
		                                 dp->scan->tmin, dp->scan->tmax, &n, err);
		st->rows = n;
		if (rc == STELE_OK)
			snprintf(st->tag, sizeof st->tag, "DELETE %" PRIu64, n);
		return rc;
	}
	case S_DROP_TABLE: {
		bool dropped;
		rc = db_drop_table(st->db, dp->table, dp->if_exists, &dropped, err);
		if (rc == STELE_OK)
			snprintf(st->tag, sizeof st->tag, "DROP TABLE");
		return rc;
	}
	default:
		return failf(err, STELE_EINVAL, "unsupported statement");
	}
}
