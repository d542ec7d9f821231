/* sysview.c - the catalog as relations: SHOW TABLES,
 * information_schema.tables and information_schema.columns, built from
 * the binder's catalog snapshot as VALUES rows. Column names and values
 * follow PostgreSQL's information_schema (table_schema 'public',
 * table_type 'BASE TABLE', data_type 'double precision', ...), plus
 * Stele's column_kind ('time', 'tag', 'field'). */
#include <string.h>

#include "sql/bind.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory binding a statement")

typedef struct ViewBuilder {
	Binder *b;
	uint32_t ncols;
	Expr ***rows;
	uint32_t nrows, cap;
	int rc;
} ViewBuilder;

static Expr **new_row(ViewBuilder *v, StErr *err)
{
	if (v->nrows == v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 16;
		Expr ***r = arena_alloc(v->b->bc.arena, cap * sizeof *r);
		if (!r) {
			v->rc = NOMEM(err);
			return NULL;
		}
		if (v->nrows)
			memcpy(r, v->rows, v->nrows * sizeof *r);
		v->rows = r;
		v->cap = cap;
	}
	Expr **row = arena_alloc(v->b->bc.arena, v->ncols * sizeof *row);
	if (!row) {
		v->rc = NOMEM(err);
		return NULL;
	}
	v->rows[v->nrows++] = row;
	return row;
}

/* A string constant; copied, since catalog names die with the binder's
 * snapshot. */
static Expr *str(ViewBuilder *v, const char *s, StErr *err)
{
	s = bind_strdup(v->b, s, strlen(s));
	if (!s) {
		v->rc = NOMEM(err);
		return NULL;
	}
	Datum d = {.type = STELE_TYPE_VARCHAR, .v.s = {s, (uint32_t)strlen(s)}};
	Expr *e = expr_const(v->b->bc.arena, &d, 0);
	if (!e)
		v->rc = NOMEM(err);
	return e;
}

static Expr *num(ViewBuilder *v, int64_t x, StErr *err)
{
	Datum d = {.type = STELE_TYPE_BIGINT, .v.i = x};
	Expr *e = expr_const(v->b->bc.arena, &d, 0);
	if (!e)
		v->rc = NOMEM(err);
	return e;
}

static const char *sql_type(uint8_t t)
{
	switch (t) {
	case STELE_TYPE_TIMESTAMP:
		return "timestamp without time zone";
	case STELE_TYPE_VARCHAR:
		return "character varying";
	default:
		return func_type_sql_name(t);
	}
}

static int finish(ViewBuilder *v, const char *const *names, const uint8_t *types,
                  const char *alias, Rel *out, BoundQuery *bq, StErr *err)
{
	if (v->rc)
		return v->rc;
	Binder *b = v->b;
	uint8_t *t = arena_alloc(b->bc.arena, v->ncols + 1);
	if (!t)
		return NOMEM(err);
	memcpy(t, types, v->ncols);
	Op *op = op_values(b->cx, v->ncols, t, v->rows, v->nrows);
	if (!op)
		return NOMEM(err);
	if (out) {
		out->op = op;
		out->ncols = v->ncols;
		out->scan = NULL;
		out->cols = arena_alloc(b->bc.arena, v->ncols * sizeof *out->cols);
		if (!out->cols)
			return NOMEM(err);
		for (uint32_t k = 0; k < v->ncols; k++)
			out->cols[k] = (BCol){alias, names[k], t[k], k};
	}
	if (bq) {
		bq->op = op;
		bq->ncols = v->ncols;
		bq->types = t;
		bq->names = arena_alloc(b->bc.arena, v->ncols * sizeof *bq->names);
		if (!bq->names)
			return NOMEM(err);
		for (uint32_t k = 0; k < v->ncols; k++)
			bq->names[k] = (char *)names[k];
	}
	return STELE_OK;
}

static int tables_view(Binder *b, bool show, const char *alias, Rel *out, BoundQuery *bq,
                       StErr *err)
{
	static const char *const names[] = {"table_catalog", "table_schema", "table_name",
	                                    "table_type"};
	static const uint8_t types[] = {STELE_TYPE_VARCHAR, STELE_TYPE_VARCHAR, STELE_TYPE_VARCHAR,
	                                STELE_TYPE_VARCHAR};
	static const char *const show_names[] = {"table_name"};
	ViewBuilder v = {.b = b, .ncols = show ? 1 : 4};
	/* Sorted by name, as SHOW and psql's \dt list them. */
	uint32_t n = b->have_cat ? b->cat.ntables : 0;
	const Table **ts = arena_alloc(b->bc.arena, (n + 1) * sizeof *ts);
	if (!ts)
		return NOMEM(err);
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++)
		if (b->cat.tables[i]) {
			const Table *t = b->cat.tables[i];
			uint32_t j = m++;
			while (j > 0 && strcmp(ts[j - 1]->name, t->name) > 0) {
				ts[j] = ts[j - 1];
				j--;
			}
			ts[j] = t;
		}
	for (uint32_t i = 0; i < m && v.rc == STELE_OK; i++) {
		Expr **row = new_row(&v, err);
		if (!row)
			break;
		if (show) {
			row[0] = str(&v, ts[i]->name, err);
		} else {
			row[0] = str(&v, "stele", err);
			row[1] = str(&v, "public", err);
			row[2] = str(&v, ts[i]->name, err);
			row[3] = str(&v, "BASE TABLE", err);
		}
	}
	return finish(&v, show ? show_names : names, types, alias, out, bq, err);
}

static int columns_view(Binder *b, const char *alias, Rel *out, StErr *err)
{
	static const char *const names[] = {"table_catalog", "table_schema",   "table_name",
	                                    "column_name",   "ordinal_position", "data_type",
	                                    "is_nullable",   "column_kind"};
	static const uint8_t types[] = {STELE_TYPE_VARCHAR, STELE_TYPE_VARCHAR, STELE_TYPE_VARCHAR,
	                                STELE_TYPE_VARCHAR, STELE_TYPE_BIGINT,  STELE_TYPE_VARCHAR,
	                                STELE_TYPE_VARCHAR, STELE_TYPE_VARCHAR};
	ViewBuilder v = {.b = b, .ncols = 8};
	uint32_t n = b->have_cat ? b->cat.ntables : 0;
	for (uint32_t i = 0; i < n && v.rc == STELE_OK; i++) {
		const Table *t = b->cat.tables[i];
		if (!t)
			continue;
		for (uint32_t c = 0; c < t->ncols && v.rc == STELE_OK; c++) {
			const Column *col = &t->cols[c];
			Expr **row = new_row(&v, err);
			if (!row)
				break;
			row[0] = str(&v, "stele", err);
			row[1] = str(&v, "public", err);
			row[2] = str(&v, t->name, err);
			row[3] = str(&v, col->name, err);
			row[4] = num(&v, c + 1, err);
			row[5] = str(&v, sql_type(col->type), err);
			row[6] = str(&v, col->kind == COL_TIME ? "NO" : "YES", err);
			row[7] = str(&v, col->kind == COL_TIME ? "time" : col->kind == COL_TAG ? "tag"
			                                                                   : "field",
			             err);
		}
	}
	return finish(&v, names, types, alias, out, NULL, err);
}

int sysview_show_tables(Binder *b, BoundQuery *out, StErr *err)
{
	return tables_view(b, true, NULL, NULL, out, err);
}

int sysview_rel(Binder *b, const char *schema, const char *name, const char *alias, Rel *out,
                bool *found, StErr *err)
{
	*found = false;
	if (schema && strcmp(schema, "information_schema") != 0)
		return STELE_OK;
	if (!schema) /* unqualified names are tables; the views need a schema */
		return STELE_OK;
	if (strcmp(name, "tables") == 0) {
		*found = true;
		return tables_view(b, false, alias, out, NULL, err);
	}
	if (strcmp(name, "columns") == 0) {
		*found = true;
		return columns_view(b, alias, out, err);
	}
	return STELE_OK;
}
