/*
 * ddl.c - schema changes made by statements rather than by writes: CREATE
 * TABLE and ALTER TABLE ... ADD COLUMN.
 *
 * Each change is made under the database mutex like the definitions a
 * write creates (write.c): into the catalog, and into db->pending, which
 * goes into a WAL record of its own here (with a retention operation when
 * the table has one), durable before the call returns. Should the append
 * fail, the definitions stay pending and reach the WAL with the next
 * record, as those of a failed write do (batch.h).
 */
#include <pthread.h>
#include <string.h>

#include "storage/batch.h"
#include "storage/db.h"

/* Appends db->pending (and `extra`) as one WAL record; caller holds mu. */
static int log_pending(stele_db *db, const Table *retention_of, uint64_t *seq, StErr *err)
{
	Buf *rec = &db->rec;
	buf_reset(rec);
	wal_record_begin(rec);
	buf_put(rec, db->pending.data, db->pending.len);
	if (retention_of)
		batch_put_retention(rec, retention_of);
	int rc = buf_check(rec, err, "WAL record");
	if (rc == STELE_OK)
		rc = wal_append(&db->wal, rec, db->seq + 1, WAL_BATCH, err);
	if (rc == STELE_OK) {
		*seq = ++db->seq;
		buf_reset(&db->pending);
		if (!db->mem->min_seq)
			db->mem->min_seq = *seq;
		db->mem->max_seq = *seq;
	}
	return rc;
}

static int check_writable(stele_db *db, StErr *err)
{
	if (db->opts.read_only)
		return failf(err, STELE_EREADONLY, "database \"%s\" is open read-only", db->path);
	if (db->fatal)
		return failf(err, db->fatal, "%s", db->fatal_msg);
	return STELE_OK;
}

static int valid_field_type(uint8_t t)
{
	return t == STELE_TYPE_DOUBLE || t == STELE_TYPE_BIGINT || t == STELE_TYPE_UBIGINT ||
	       t == STELE_TYPE_BOOLEAN || t == STELE_TYPE_VARCHAR;
}

static int check_def(const Table *t, const DbColumnDef *c, StErr *err)
{
	if (c->kind == COL_TAG && c->type != STELE_TYPE_VARCHAR)
		return failf(err, STELE_ETYPE, "tag column \"%s\" must be of type varchar, not %s",
		             c->name, stele_type_name(c->type));
	if (c->kind == COL_FIELD && !valid_field_type(c->type))
		return failf(err, STELE_ETYPE,
		             "column \"%s\" cannot be of type %s: fields are double, bigint, ubigint, "
		             "boolean or varchar",
		             c->name, stele_type_name(c->type));
	if (t && table_find_column(t, c->name, strlen(c->name)) != UINT32_MAX)
		return failf(err, STELE_EEXIST, "column \"%s\" of relation \"%s\" already exists",
		             c->name, t->name);
	return STELE_OK;
}

int db_create_table(stele_db *db, const char *name, const DbColumnDef *cols, uint32_t ncols,
                    int64_t partition_ns, int64_t retention_ns, bool if_not_exists,
                    bool *created, StErr *err)
{
	*created = false;
	if (partition_ns < 0 || retention_ns < 0)
		return failf(err, STELE_EINVAL, "partition interval and retention must not be negative");
	/* The definitions are checked before anything changes. */
	for (uint32_t i = 0; i < ncols; i++) {
		int rc = check_def(NULL, &cols[i], err);
		if (rc)
			return rc;
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(cols[i].name, cols[j].name) == 0)
				return failf(err, STELE_EEXIST, "column \"%s\" specified more than once",
				             cols[i].name);
	}
	pthread_mutex_lock(&db->mu);
	int rc = check_writable(db, err);
	Table *t = NULL;
	if (rc == STELE_OK && catalog_find(&db->cat, name, strlen(name))) {
		if (!if_not_exists)
			rc = failf(err, STELE_EEXIST, "relation \"%s\" already exists", name);
		pthread_mutex_unlock(&db->mu);
		return rc;
	}
	if (rc == STELE_OK)
		rc = catalog_add_table(&db->cat, name, strlen(name),
		                       partition_ns ? partition_ns : db->opts.partition_ns, &t, err);
	if (rc == STELE_OK)
		batch_put_table(&db->pending, t);
	for (uint32_t i = 0; i < ncols && rc == STELE_OK; i++) {
		uint32_t idx;
		rc = table_add_column(t, cols[i].name, strlen(cols[i].name), (ColKind)cols[i].kind,
		                      (stele_type)cols[i].type, &idx, err);
		if (rc == STELE_OK)
			batch_put_column(&db->pending, t, idx);
	}
	uint64_t seq = 0;
	if (rc == STELE_OK) {
		t->retention_ns = retention_ns;
		rc = log_pending(db, retention_ns ? t : NULL, &seq, err);
	}
	pthread_mutex_unlock(&db->mu);
	if (rc == STELE_OK && db->opts.sync != STELE_SYNC_NONE)
		rc = wal_sync_to(&db->wal, seq, err);
	if (rc == STELE_OK)
		*created = true;
	return rc;
}

int db_add_column(stele_db *db, const char *table, const DbColumnDef *col, bool if_not_exists,
                  StErr *err)
{
	pthread_mutex_lock(&db->mu);
	int rc = check_writable(db, err);
	Table *t = rc ? NULL : catalog_find(&db->cat, table, strlen(table));
	if (rc == STELE_OK && !t)
		rc = failf(err, STELE_ENOENT, "relation \"%s\" does not exist", table);
	if (rc == STELE_OK && if_not_exists &&
	    table_find_column(t, col->name, strlen(col->name)) != UINT32_MAX) {
		pthread_mutex_unlock(&db->mu);
		return STELE_OK;
	}
	if (rc == STELE_OK)
		rc = check_def(t, col, err);
	uint32_t idx;
	if (rc == STELE_OK)
		rc = table_add_column(t, col->name, strlen(col->name), (ColKind)col->kind,
		                      (stele_type)col->type, &idx, err);
	uint64_t seq = 0;
	if (rc == STELE_OK) {
		batch_put_column(&db->pending, t, idx);
		rc = log_pending(db, NULL, &seq, err);
	}
	pthread_mutex_unlock(&db->mu);
	if (rc == STELE_OK && db->opts.sync != STELE_SYNC_NONE)
		rc = wal_sync_to(&db->wal, seq, err);
	return rc;
}
