/* catalog.c - tables and columns (see catalog.h). */
#include "storage/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "util/err.h"

static void table_free(Table *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->ncols; i++)
		free(t->cols[i].name);
	free(t->cols);
	free(t->tagcols);
	free(t->name);
	hmap_free(&t->colmap);
	free(t);
}

void catalog_free(Catalog *c)
{
	for (uint32_t i = 0; i < c->ntables; i++) {
		table_free(c->tables[i]);
		if (c->ghosts)
			table_free(c->ghosts[i]);
	}
	free(c->tables);
	free(c->ghosts);
	hmap_free(&c->tabmap);
	memset(c, 0, sizeof *c);
}

/* Makes room for ghosts up to cap_tables. */
static int ghost_room(Catalog *c)
{
	Table **g = realloc(c->ghosts, (c->cap_tables ? c->cap_tables : 1) * sizeof *g);
	if (!g)
		return STELE_ENOMEM;
	if (!c->ghosts)
		memset(g, 0, (c->cap_tables ? c->cap_tables : 1) * sizeof *g);
	c->ghosts = g;
	return STELE_OK;
}

void catalog_drop(Catalog *c, uint32_t id)
{
	if (id >= c->ntables || !c->tables[id])
		return;
	Table *t = c->tables[id];
	c->tables[id] = NULL;
	if (ghost_room(c) == STELE_OK) {
		if (c->ghosts[id])
			table_free(c->ghosts[id]);
		c->ghosts[id] = t;
	} else {
		table_free(t);
	}
}

Table *catalog_find(const Catalog *c, const char *name, size_t len)
{
	uint64_t h = XXH3_64bits(name, len);
	for (size_t i = hmap_find(&c->tabmap, h); i != HMAP_END; i = hmap_next(&c->tabmap, h, i)) {
		Table *t = c->tables[c->tabmap.vals[i]];
		if (t && t->len == len && memcmp(t->name, name, len) == 0)
			return t;
	}
	return NULL;
}

uint32_t table_find_column(const Table *t, const char *name, size_t len)
{
	uint64_t h = XXH3_64bits(name, len);
	for (size_t i = hmap_find(&t->colmap, h); i != HMAP_END; i = hmap_next(&t->colmap, h, i)) {
		const Column *col = &t->cols[t->colmap.vals[i]];
		if (col->len == len && memcmp(col->name, name, len) == 0)
			return t->colmap.vals[i];
	}
	return UINT32_MAX;
}

static char *dupname(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int table_add_column(Table *t, const char *name, size_t len, ColKind kind, stele_type type,
                     uint32_t *index, StErr *err)
{
	if (t->ncols >= CATALOG_MAX_COLUMNS)
		return failf(err, STELE_ELIMIT, "table \"%s\" has the maximum of %d columns", t->name,
		             CATALOG_MAX_COLUMNS);
	if (len == 0)
		return failf(err, STELE_EINVAL, "empty column name");
	if (len > CATALOG_MAX_NAME)
		return failf(err, STELE_ELIMIT,
		             "column name of %zu bytes is longer than the limit of %d bytes", len,
		             CATALOG_MAX_NAME);
	if (t->ncols == t->cap_cols) {
		uint32_t cap = t->cap_cols ? t->cap_cols * 2 : 16;
		Column *cols = realloc(t->cols, cap * sizeof *cols);
		if (!cols)
			return failf(err, STELE_ENOMEM, "out of memory adding a column");
		t->cols = cols;
		t->cap_cols = cap;
	}
	if (kind == COL_TAG) {
		uint32_t *tc = realloc(t->tagcols, (t->ntags + 1) * sizeof *tc);
		if (!tc)
			return failf(err, STELE_ENOMEM, "out of memory adding a column");
		t->tagcols = tc;
	}
	char *copy = dupname(name, len);
	if (!copy || hmap_put(&t->colmap, XXH3_64bits(name, len), t->ncols)) {
		free(copy);
		return failf(err, STELE_ENOMEM, "out of memory adding a column");
	}
	Column *c = &t->cols[t->ncols];
	c->name = copy;
	c->len = (uint32_t)len;
	c->kind = (uint8_t)kind;
	c->type = (uint8_t)type;
	c->tagord = 0;
	if (kind == COL_TAG) {
		c->tagord = (uint16_t)t->ntags;
		t->tagcols[t->ntags++] = t->ncols;
	}
	if (index)
		*index = t->ncols;
	t->ncols++;
	return STELE_OK;
}

uint32_t table_fields(const Table *t, uint32_t *cols, uint8_t *types)
{
	uint32_t n = 0;
	for (uint32_t c = 0; c < t->ncols; c++) {
		if (t->cols[c].kind == COL_FIELD) {
			cols[n] = c;
			if (types)
				types[n] = t->cols[c].type;
			n++;
		}
	}
	return n;
}

static int add_table_with_id(Catalog *c, uint32_t id, const char *name, size_t len,
                             int64_t partition_ns, Table **out, StErr *err)
{
	if (id >= CATALOG_MAX_TABLES)
		return failf(err, STELE_ELIMIT, "the database has the maximum of %d tables",
		             CATALOG_MAX_TABLES);
	if (len == 0)
		return failf(err, STELE_EINVAL, "empty table name");
	if (len > CATALOG_MAX_NAME)
		return failf(err, STELE_ELIMIT,
		             "table name of %zu bytes is longer than the limit of %d bytes", len,
		             CATALOG_MAX_NAME);
	if (id >= c->cap_tables) {
		uint32_t cap = c->cap_tables ? c->cap_tables : 16;
		while (cap <= id)
			cap *= 2;
		Table **tabs = realloc(c->tables, cap * sizeof *tabs);
		if (!tabs)
			return failf(err, STELE_ENOMEM, "out of memory adding a table");
		memset(tabs + c->cap_tables, 0, (cap - c->cap_tables) * sizeof *tabs);
		c->tables = tabs;
		if (c->ghosts) {
			Table **g = realloc(c->ghosts, cap * sizeof *g);
			if (!g)
				return failf(err, STELE_ENOMEM, "out of memory adding a table");
			memset(g + c->cap_tables, 0, (cap - c->cap_tables) * sizeof *g);
			c->ghosts = g;
		}
		c->cap_tables = cap;
	}
	Table *t = calloc(1, sizeof *t);
	if (!t || !(t->name = dupname(name, len))) {
		free(t);
		return failf(err, STELE_ENOMEM, "out of memory adding a table");
	}
	t->id = id;
	t->len = (uint32_t)len;
	t->partition_ns = partition_ns;
	int rc = table_add_column(t, TS_COLUMN, strlen(TS_COLUMN), COL_TIME,
	                          STELE_TYPE_TIMESTAMP, NULL, err);
	if (rc == STELE_OK && hmap_put(&c->tabmap, XXH3_64bits(name, len), id))
		rc = failf(err, STELE_ENOMEM, "out of memory adding a table");
	if (rc) {
		table_free(t);
		return rc;
	}
	c->tables[id] = t;
	if (id >= c->ntables)
		c->ntables = id + 1;
	if (out)
		*out = t;
	return STELE_OK;
}

int catalog_add_table(Catalog *c, const char *name, size_t len, int64_t partition_ns,
                      Table **out, StErr *err)
{
	return add_table_with_id(c, c->ntables, name, len, partition_ns, out, err);
}

void catalog_encode(const Catalog *c, Buf *out)
{
	buf_put_varint(out, c->ntables);
	for (uint32_t i = 0; i < c->ntables; i++) {
		const Table *t = c->tables[i];
		buf_put_varint(out, i);
		if (!t) {
			const Table *g = catalog_ghost(c, i);
			buf_put_str(out, "", 0);
			buf_put_svarint(out, g ? g->partition_ns : 0);
			buf_put_svarint(out, 0);
			buf_put_varint(out, g ? g->ncols : 0);
			for (uint32_t j = 0; g && j < g->ncols; j++) {
				buf_put_str(out, g->cols[j].name, g->cols[j].len);
				buf_put_u8(out, g->cols[j].kind);
				buf_put_u8(out, g->cols[j].type);
			}
			continue;
		}
		buf_put_str(out, t->name, t->len);
		buf_put_svarint(out, t->partition_ns);
		buf_put_svarint(out, t->retention_ns);
		buf_put_varint(out, t->ncols);
		for (uint32_t j = 0; j < t->ncols; j++) {
			buf_put_str(out, t->cols[j].name, t->cols[j].len);
			buf_put_u8(out, t->cols[j].kind);
			buf_put_u8(out, t->cols[j].type);
		}
	}
}

static bool valid_field_type(uint8_t type)
{
	return type >= STELE_TYPE_DOUBLE && type <= STELE_TYPE_VARCHAR;
}

int catalog_decode(Catalog *c, Rd *r, StErr *err)
{
	uint64_t n = rd_varint(r);
	if (r->bad || n > CATALOG_MAX_TABLES)
		return failf(err, STELE_ECORRUPT, "bad table count in catalog");
	for (uint64_t i = 0; i < n; i++) {
		uint64_t id = rd_varint(r);
		size_t len;
		const char *name = rd_str(r, &len);
		int64_t part = rd_svarint(r), ret = rd_svarint(r);
		uint64_t ncols = rd_varint(r);
		if (r->bad || id != i || ncols > CATALOG_MAX_COLUMNS)
			return failf(err, STELE_ECORRUPT, "bad table entry %llu in catalog",
			             (unsigned long long)i);
		if (len == 0) { /* a dropped table, with its columns when known */
			if (c->ntables <= id)
				c->ntables = (uint32_t)id + 1;
			if (c->ntables > c->cap_tables) {
				Table **tabs = realloc(c->tables, c->ntables * sizeof *tabs);
				if (!tabs)
					return failf(err, STELE_ENOMEM, "out of memory reading catalog");
				memset(tabs + c->cap_tables, 0,
				       (c->ntables - c->cap_tables) * sizeof *tabs);
				c->tables = tabs;
				if (c->ghosts) {
					Table **g = realloc(c->ghosts, c->ntables * sizeof *g);
					if (!g)
						return failf(err, STELE_ENOMEM, "out of memory reading catalog");
					memset(g + c->cap_tables, 0, (c->ntables - c->cap_tables) * sizeof *g);
					c->ghosts = g;
				}
				c->cap_tables = c->ntables;
			}
			if (ncols == 0)
				continue;
			if (part <= 0)
				return failf(err, STELE_ECORRUPT, "bad dropped table in catalog");
			/* Build it as a table named by its id, then make it a ghost. */
			char gname[32];
			int gl = snprintf(gname, sizeof gname, "dropped %llu", (unsigned long long)id);
			Table *g;
			int rc = add_table_with_id(c, (uint32_t)id, gname, (size_t)gl, part, &g, err);
			for (uint64_t j = 0; rc == STELE_OK && j < ncols; j++) {
				size_t clen;
				const char *cname = rd_str(r, &clen);
				uint8_t kind = rd_u8(r), type = rd_u8(r);
				if (r->bad)
					rc = failf(err, STELE_ECORRUPT, "truncated catalog");
				else if (j == 0 && (kind != COL_TIME || type != STELE_TYPE_TIMESTAMP))
					rc = failf(err, STELE_ECORRUPT, "bad ts column in catalog");
				else if (j > 0 && !((kind == COL_TAG && type == STELE_TYPE_VARCHAR) ||
				                    (kind == COL_FIELD && valid_field_type(type))))
					rc = failf(err, STELE_ECORRUPT, "bad column in catalog");
				else if (j > 0)
					rc = table_add_column(g, cname, clen, kind, type, NULL, err);
			}
			if (rc)
				return rc;
			catalog_drop(c, (uint32_t)id);
			continue;
		}
		if (part <= 0 || ret < 0 || ncols == 0)
			return failf(err, STELE_ECORRUPT, "bad table \"%.*s\" in catalog", (int)len, name);
		Table *t;
		int rc = add_table_with_id(c, (uint32_t)id, name, len, part, &t, err);
		if (rc)
			return rc;
		t->retention_ns = ret;
		for (uint64_t j = 0; j < ncols; j++) {
			size_t clen;
			const char *cname = rd_str(r, &clen);
			uint8_t kind = rd_u8(r), type = rd_u8(r);
			if (r->bad)
				return failf(err, STELE_ECORRUPT, "truncated catalog");
			if (j == 0) { /* ts, created with the table */
				if (kind != COL_TIME || type != STELE_TYPE_TIMESTAMP)
					return failf(err, STELE_ECORRUPT, "bad ts column in catalog");
				continue;
			}
			if (!((kind == COL_TAG && type == STELE_TYPE_VARCHAR) ||
			      (kind == COL_FIELD && valid_field_type(type))))
				return failf(err, STELE_ECORRUPT, "bad column \"%.*s\" in catalog",
				             (int)clen, cname);
			rc = table_add_column(t, cname, clen, kind, type, NULL, err);
			if (rc)
				return rc;
		}
	}
	return STELE_OK;
}

int catalog_copy(const Catalog *src, Catalog *dst, StErr *err)
{
	Buf b = {0};
	catalog_encode(src, &b);
	int rc = buf_check(&b, err, "catalog");
	if (rc == STELE_OK) {
		memset(dst, 0, sizeof *dst);
		Rd r = rd_make(b.data, b.len);
		rc = catalog_decode(dst, &r, err);
		if (rc)
			catalog_free(dst);
	}
	buf_free(&b);
	return rc;
}

size_t catalog_bytes(const Catalog *c)
{
	size_t n = c->cap_tables * sizeof(Table *) + hmap_bytes(&c->tabmap);
	for (uint32_t i = 0; i < c->ntables; i++) {
		const Table *t = c->tables[i];
		if (t)
			n += sizeof *t + t->cap_cols * sizeof(Column) + hmap_bytes(&t->colmap);
	}
	return n;
}
