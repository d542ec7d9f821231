/*
 * catalog.h - the schema of a database: its tables and their columns.
 *
 * Every table has the timestamp column `ts` at index 0, then tag and field
 * columns in order of creation. Ids and column indexes are dense and never
 * reused while the database lives; a column's kind and type never change.
 * Schema on write creates tables and columns as lines arrive (DESIGN.md,
 * "Data model"); the catalog is persisted in the manifest, and changes made
 * since the last manifest are repeated in the WAL.
 *
 * Locking: the catalog belongs to the database and is changed under the
 * database mutex only. Readers that run without the mutex work from a copy
 * (catalog_copy) or from immutable facts (a column's type).
 */
#ifndef STELE_STORAGE_CATALOG_H
#define STELE_STORAGE_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "stele.h"
#include "util/buf.h"
#include "util/hmap.h"

#define TS_COLUMN "ts"
#define CATALOG_MAX_TABLES 100000
#define CATALOG_MAX_COLUMNS 4096
#define CATALOG_MAX_NAME 4096

typedef enum ColKind { COL_TIME = 0, COL_TAG = 1, COL_FIELD = 2 } ColKind;

typedef struct Column {
	char *name;       /* owned, NUL-terminated */
	uint32_t len;     /* name length */
	uint8_t kind;     /* ColKind */
	uint8_t type;     /* stele_type: TIMESTAMP, VARCHAR for tags, or a field type */
	uint16_t tagord;  /* for tags: ordinal among the table's tags (0, 1, ...) */
} Column;

typedef struct Table {
	uint32_t id;
	char *name;            /* owned, NUL-terminated */
	uint32_t len;
	int64_t partition_ns;  /* partition interval, > 0 */
	int64_t retention_ns;  /* 0: keep forever */
	Column *cols;          /* cols[0] is ts */
	uint32_t ncols, cap_cols;
	uint32_t ntags;        /* tag columns among cols */
	uint32_t *tagcols;     /* column index of each tag ordinal */
	HMap colmap;           /* hash(name) -> column index */
} Table;

typedef struct Catalog {
	Table **tables;  /* by id; NULL for dropped ids */
	uint32_t ntables, cap_tables;
	HMap tabmap;     /* hash(name) -> table id */
	Table **ghosts;  /* [cap_tables]: the columns of dropped tables, so that
	                    WAL records written before a drop still decode on
	                    replay; NULL where unknown */
} Catalog;

void catalog_free(Catalog *c);

Table *catalog_find(const Catalog *c, const char *name, size_t len);
static inline Table *catalog_table(const Catalog *c, uint32_t id)
{
	return id < c->ntables ? c->tables[id] : NULL;
}

/* Creates a table with id c->ntables and its `ts` column. */
int catalog_add_table(Catalog *c, const char *name, size_t len, int64_t partition_ns,
                      Table **out, StErr *err);

/* Drops table id (its id is never reused; its name may be). Its columns
 * stay as a ghost (catalog_ghost). */
void catalog_drop(Catalog *c, uint32_t id);
/* A dropped table's definition, or NULL. */
static inline const Table *catalog_ghost(const Catalog *c, uint32_t id)
{
	return id < c->ntables && c->ghosts ? c->ghosts[id] : NULL;
}

/* Index of the column, or UINT32_MAX. */
uint32_t table_find_column(const Table *t, const char *name, size_t len);

/* Appends a column; its index is t->ncols before the call. */
int table_add_column(Table *t, const char *name, size_t len, ColKind kind, stele_type type,
                     uint32_t *index, StErr *err);

/* The field columns of t, in column order: their indexes into cols[] and
 * types into types[] (room for t->ncols each); returns how many. */
uint32_t table_fields(const Table *t, uint32_t *cols, uint8_t *types);

/* Serialized form, in the manifest (see manifest.h):
 *     varint ntables, then per table: varint id, str name, svarint partition_ns,
 *     svarint retention_ns, varint ncols, per column: str name, u8 kind, u8 type
 * Dropped ids are written as id with an empty name, then partition,
 * retention and columns of the dropped table (none when unknown). */
void catalog_encode(const Catalog *c, Buf *out);
int catalog_decode(Catalog *c, Rd *r, StErr *err);

/* A deep copy for readers outside the database mutex. */
int catalog_copy(const Catalog *src, Catalog *dst, StErr *err);

/* Bytes of memory held. */
size_t catalog_bytes(const Catalog *c);

#endif
