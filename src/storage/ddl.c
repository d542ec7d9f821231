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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storage/batch.h"
#include "storage/db.h"
#include "storage/scan.h"
#include "util/log.h"

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

/* ---- DELETE and DROP TABLE ---- */

/* Rows of the scan spec, counted. */
static int count_rows(stele_db *db, const ScanSpec *spec, uint64_t *n, StErr *err)
{
	Scan *sc;
	*n = 0;
	int rc = scan_open(db, spec, &sc, err);
	while (rc == STELE_OK) {
		const Rows *r;
		rc = scan_next(sc, &r, err);
		if (rc || !r)
			break;
		*n += r->n;
	}
	if (sc)
		scan_close(sc);
	return rc;
}

int db_delete(stele_db *db, const char *table, const TagPred *preds, uint32_t npreds,
              int64_t tmin, int64_t tmax, uint64_t *deleted, StErr *err)
{
	*deleted = 0;
	if (tmin > tmax)
		return STELE_OK;
	uint32_t tid = db_table_id(db, table);
	if (tid == UINT32_MAX)
		return failf(err, STELE_ENOENT, "relation \"%s\" does not exist", table);
	pthread_mutex_lock(&db->maint_mu);
	/* No flush or compaction runs now: the memtable being flushed can be
	 * changed like the active one, and the segments stay as they are. */
	ScanSpec spec = {.table = tid, .tmin = tmin, .tmax = tmax, .preds = preds,
	                 .npreds = npreds};
	int rc = count_rows(db, &spec, deleted, err);
	Tomb t = {.table = tid, .tmin = tmin, .tmax = tmax, .preds = (TagPred *)preds,
	          .npreds = npreds};
	uint64_t seq = 0;
	pthread_mutex_lock(&db->mu);
	if (rc == STELE_OK)
		rc = check_writable(db, err);
	if (rc == STELE_OK && !catalog_table(&db->cat, tid))
		rc = failf(err, STELE_ENOENT, "relation \"%s\" does not exist", table);
	if (rc == STELE_OK) {
		Buf *rec = &db->rec;
		buf_reset(rec);
		wal_record_begin(rec);
		buf_put(rec, db->pending.data, db->pending.len);
		buf_put_u8(rec, OP_DELETE);
		tomb_encode(&t, rec);
		rc = buf_check(rec, err, "WAL record");
		if (rc == STELE_OK)
			rc = wal_append(&db->wal, rec, db->seq + 1, WAL_BATCH, err);
		if (rc == STELE_OK) {
			seq = ++db->seq;
			buf_reset(&db->pending);
			if (!db->mem->min_seq)
				db->mem->min_seq = seq;
			db->mem->max_seq = seq;
			t.seq = seq;
			uint64_t removed;
			rc = db_add_tomb(db, &t, err);
			if (rc == STELE_OK)
				rc = batch_apply_delete(&db->sx, db->mem, &t, &removed, err);
			if (rc == STELE_OK && db->imm)
				rc = batch_apply_delete(&db->sx, db->imm, &t, &removed, err);
			if (rc) {
				/* The WAL has the delete and replay will apply it;
				 * this process can no longer tell what it holds. */
				db->fatal = rc;
				snprintf(db->fatal_msg, sizeof db->fatal_msg,
				         "applying a delete failed: %s", err ? err->msg : "");
			}
		}
	}
	pthread_mutex_unlock(&db->mu);
	if (rc == STELE_OK && db->opts.sync != STELE_SYNC_NONE)
		rc = wal_sync_to(&db->wal, seq, err);
	if (rc == STELE_OK) {
		/* Rewrite the segments the delete touches. Should this fail,
		 * the delete holds anyway (its tombstone filters every read);
		 * the next compaction tries again. */
		StErr cerr;
		if (db_rewrite_for_delete(db, tid, tmin, tmax, seq, &cerr) != STELE_OK)
			log_warn("could not rewrite the segments a delete touches: %s", cerr.msg);
	}
	pthread_mutex_unlock(&db->maint_mu);
	return rc;
}

int db_drop_table(stele_db *db, const char *table, bool if_exists, bool *dropped, StErr *err)
{
	*dropped = false;
	pthread_mutex_lock(&db->maint_mu);
	pthread_mutex_lock(&db->mu);
	int rc = check_writable(db, err);
	Table *t = rc ? NULL : catalog_find(&db->cat, table, strlen(table));
	if (rc == STELE_OK && !t) {
		if (!if_exists)
			rc = failf(err, STELE_ENOENT, "table \"%s\" does not exist", table);
		pthread_mutex_unlock(&db->mu);
		pthread_mutex_unlock(&db->maint_mu);
		return rc;
	}
	uint32_t tid = t ? t->id : 0;
	uint64_t seq = 0;
	if (rc == STELE_OK) {
		Buf *rec = &db->rec;
		buf_reset(rec);
		wal_record_begin(rec);
		buf_put(rec, db->pending.data, db->pending.len);
		buf_put_u8(rec, OP_DROP_TABLE);
		buf_put_varint(rec, tid);
		rc = buf_check(rec, err, "WAL record");
		if (rc == STELE_OK)
			rc = wal_append(&db->wal, rec, db->seq + 1, WAL_BATCH, err);
		if (rc == STELE_OK) {
			seq = ++db->seq;
			buf_reset(&db->pending);
			if (!db->mem->min_seq)
				db->mem->min_seq = seq;
			db->mem->max_seq = seq;
			catalog_drop(&db->cat, tid);
			uint32_t k = 0;
			for (uint32_t i = 0; i < db->ntombs; i++) {
				if (db->tombs[i].table == tid)
					tomb_free(&db->tombs[i]);
				else
					db->tombs[k++] = db->tombs[i];
			}
			db->ntombs = k;
			MemTable *mems[2] = {db->mem, db->imm};
			for (int m = 0; m < 2; m++) {
				if (!mems[m])
					continue;
				pthread_rwlock_wrlock(&mems[m]->lock);
				mem_drop_table(mems[m], tid);
				pthread_rwlock_unlock(&mems[m]->lock);
			}
			*dropped = true;
		}
	}
	Version *v = db->version;
	version_ref(v);
	uint64_t next_id = db->ms.next_seg_id;
	pthread_mutex_unlock(&db->mu);
	if (rc == STELE_OK && db->opts.sync != STELE_SYNC_NONE)
		rc = wal_sync_to(&db->wal, seq, err);
	if (rc == STELE_OK) {
		/* A manifest without the table and its segments, then their
		 * files. Should this fail, the WAL holds the drop: a restart (or
		 * the next publish) finishes it. */
		Segment **drop = calloc(v->nsegs + 1, sizeof *drop);
		uint32_t ndrop = 0;
		for (uint32_t i = 0; drop && i < v->nsegs; i++)
			if (v->segs[i]->info.table == tid)
				drop[ndrop++] = v->segs[i];
		bool in_doubt = false;
		StErr perr;
		int prc = drop ? db_publish(db, NULL, 0, drop, ndrop, 0, next_id, NULL, &in_doubt, &perr)
		               : STELE_ENOMEM;
		if (prc == STELE_OK) {
			for (uint32_t i = 0; i < ndrop; i++)
				seg_retire(drop[i]);
			char dir[PATH_MAX];
			snprintf(dir, sizeof dir, "%s/data/%u", db->path, tid);
			rmdir(dir);
		} else {
			log_warn("could not publish the drop of table \"%s\": %s", table,
			         drop ? perr.msg : "out of memory");
		}
		free(drop);
	}
	version_unref(v);
	pthread_mutex_unlock(&db->maint_mu);
	return rc;
}
