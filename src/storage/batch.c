/* batch.c - encoding and applying WAL batch payloads (see batch.h). */
#include "storage/batch.h"

#include <stdlib.h>
#include <string.h>

void batch_put_table(Buf *b, const Table *t)
{
	buf_put_u8(b, OP_TABLE);
	buf_put_varint(b, t->id);
	buf_put_str(b, t->name, t->len);
	buf_put_svarint(b, t->partition_ns);
}

void batch_put_column(Buf *b, const Table *t, uint32_t index)
{
	const Column *c = &t->cols[index];
	buf_put_u8(b, OP_COLUMN);
	buf_put_varint(b, t->id);
	buf_put_varint(b, index);
	buf_put_u8(b, c->kind);
	buf_put_u8(b, c->type);
	buf_put_str(b, c->name, c->len);
}

void batch_put_series(Buf *b, const SeriesIndex *sx, const Catalog *cat, uint32_t sid)
{
	const uint32_t *e = sx->pool + sx->off[sid];
	uint32_t n = 0;
	for (uint32_t k = 0; k < e[1]; k++)
		n += e[2 + k] != NO_VID;
	buf_put_u8(b, OP_SERIES);
	buf_put_varint(b, sid);
	buf_put_varint(b, e[0]);
	buf_put_u64(b, sx->hash[sid].lo);
	buf_put_u64(b, sx->hash[sid].hi);
	buf_put_varint(b, n);
	for (uint32_t k = 0; k < e[1]; k++) {
		if (e[2 + k] == NO_VID)
			continue;
		size_t len;
		const char *v = series_tag(sx, sid, k, &len);
		buf_put_varint(b, k);
		buf_put_str(b, v, len);
	}
}

void batch_put_retention(Buf *b, const Table *t)
{
	buf_put_u8(b, OP_RETENTION);
	buf_put_varint(b, t->id);
	buf_put_svarint(b, t->retention_ns);
}

static int bad(StErr *err, const char *what)
{
	return failf(err, STELE_ECORRUPT, "bad %s in WAL batch", what);
}

static int apply_table(Catalog *cat, Rd *r, bool replay, StErr *err)
{
	uint64_t id = rd_varint(r);
	size_t len;
	const char *name = rd_str(r, &len);
	int64_t part = rd_svarint(r);
	if (r->bad || part <= 0)
		return bad(err, "table definition");
	if (!replay)
		return STELE_OK;
	Table *t = catalog_table(cat, (uint32_t)id);
	if (t) {
		if (t->len != len || memcmp(t->name, name, len) != 0)
			return bad(err, "table definition (conflicts with the catalog)");
		return STELE_OK;
	}
	if (id < cat->ntables)
		return STELE_OK; /* dropped since (the manifest says so) */
	if (id != cat->ntables)
		return bad(err, "table id");
	return catalog_add_table(cat, name, len, part, NULL, err);
}

static int apply_column(Catalog *cat, Rd *r, bool replay, StErr *err)
{
	uint64_t tid = rd_varint(r), index = rd_varint(r);
	uint8_t kind = rd_u8(r), type = rd_u8(r);
	size_t len;
	const char *name = rd_str(r, &len);
	if (r->bad)
		return bad(err, "column definition");
	if (!replay)
		return STELE_OK;
	Table *t = catalog_table(cat, (uint32_t)tid);
	if (!t && tid < cat->ntables)
		return STELE_OK; /* a table dropped since */
	if (!t)
		return bad(err, "column definition (unknown table)");
	if (index < t->ncols) {
		const Column *c = &t->cols[index];
		if (c->kind != kind || c->type != type || c->len != len || memcmp(c->name, name, len))
			return bad(err, "column definition (conflicts with the catalog)");
		return STELE_OK;
	}
	if (index != t->ncols ||
	    !((kind == COL_TAG && type == STELE_TYPE_VARCHAR) ||
	      (kind == COL_FIELD && type >= STELE_TYPE_DOUBLE && type <= STELE_TYPE_VARCHAR)))
		return bad(err, "column definition");
	return table_add_column(t, name, len, kind, type, NULL, err);
}

static int apply_series(Catalog *cat, SeriesIndex *sx, Rd *r, bool replay, StErr *err)
{
	uint64_t sid = rd_varint(r), tid = rd_varint(r);
	SeriesHash h;
	h.lo = rd_u64(r);
	h.hi = rd_u64(r);
	uint64_t n = rd_varint(r);
	if (r->bad || n > CATALOG_MAX_COLUMNS)
		return bad(err, "series definition");
	const Table *t = replay ? catalog_table(cat, (uint32_t)tid) : NULL;
	if (replay && !t && tid < cat->ntables)
		t = catalog_ghost(cat, (uint32_t)tid); /* a table dropped since */
	if (replay && !t && tid >= cat->ntables)
		return bad(err, "series definition (unknown table)");
	uint32_t vids[CATALOG_MAX_COLUMNS];
	/* A series of a dropped table whose columns are unknown keeps its
	 * place in the numbering with the tags it names. */
	uint32_t ntags = t ? t->ntags : (uint32_t)n;
	for (uint32_t k = 0; k < ntags; k++)
		vids[k] = NO_VID;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t ord = rd_varint(r);
		size_t len;
		const char *v = rd_str(r, &len);
		if (r->bad)
			return bad(err, "series definition");
		if (!replay || sid < sx->n)
			continue;
		if (ord >= ntags)
			return bad(err, "series definition (unknown tag)");
		int rc = series_intern_value(sx, (uint32_t)tid, (uint32_t)ord, v, len, &vids[ord], err);
		if (rc)
			return rc;
	}
	if (!replay)
		return STELE_OK;
	if (sid < sx->n) {
		if (sx->hash[sid].lo != h.lo || sx->hash[sid].hi != h.hi)
			return bad(err, "series definition (conflicts with the series index)");
		return STELE_OK;
	}
	if (sid != sx->n)
		return bad(err, "series id");
	uint32_t got;
	return series_create(sx, (uint32_t)tid, h, vids, ntags, &got, err);
}

static int apply_rows(Catalog *cat, SeriesIndex *sx, MemTable *mem, Rd *r, uint64_t *nrows,
                      StErr *err)
{
	uint64_t tid = rd_varint(r), n = rd_varint(r);
	const Table *t = catalog_table(cat, (uint32_t)tid);
	/* Rows of a table dropped since are read (to get past them) and
	 * left out. */
	bool keep = t != NULL;
	if (!t)
		t = catalog_ghost(cat, (uint32_t)tid);
	if (r->bad || !t)
		return bad(err, "rows (unknown table)");
	int64_t ts = 0;
	int rc = STELE_OK;
	pthread_rwlock_wrlock(&mem->lock);
	for (uint64_t i = 0; i < n && rc == STELE_OK; i++) {
		uint64_t sid = rd_varint(r);
		ts = (int64_t)((uint64_t)ts + (uint64_t)rd_svarint(r));
		uint64_t nf = rd_varint(r);
		if (r->bad || sid >= sx->n || series_table(sx, (uint32_t)sid) != tid ||
		    nf > t->ncols) {
			rc = bad(err, "row");
			break;
		}
		MemTbl *mt = NULL;
		uint32_t row = 0;
		if (keep)
			rc = mem_row(mem, (uint32_t)tid, (uint32_t)sid, ts, &mt, &row);
		for (uint64_t f = 0; f < nf && rc == STELE_OK; f++) {
			uint64_t col = rd_varint(r);
			if (col >= t->ncols || t->cols[col].kind != COL_FIELD) {
				rc = bad(err, "field column");
				break;
			}
			uint8_t type = t->cols[col].type;
			uint64_t v = 0;
			switch (type) {
			case STELE_TYPE_DOUBLE:
				v = rd_u64(r);
				break;
			case STELE_TYPE_BIGINT:
				v = (uint64_t)rd_svarint(r);
				break;
			case STELE_TYPE_UBIGINT:
				v = rd_varint(r);
				break;
			case STELE_TYPE_BOOLEAN:
				v = rd_u8(r) != 0;
				break;
			default: {
				size_t len;
				const char *s = rd_str(r, &len);
				if (r->bad || len > UINT32_MAX) {
					rc = bad(err, "string value");
					break;
				}
				if (!keep)
					continue;
				rc = mem_put_str(mem, mt, row, (uint32_t)col, s, (uint32_t)len);
				if (rc == STELE_ENOMEM)
					rc = failf(err, rc, "out of memory in the memtable");
				continue;
			}
			}
			if (r->bad) {
				rc = bad(err, "field value");
				break;
			}
			if (keep)
				rc = mem_put(mem, mt, row, (uint32_t)col, type, v);
		}
		if (rc == STELE_ENOMEM || rc == STELE_ELIMIT)
			rc = failf(err, rc, "out of memory in the memtable");
	}
	pthread_rwlock_unlock(&mem->lock);
	if (rc == STELE_OK)
		*nrows += n;
	return rc;
}

void tomblist_free(TombList *l)
{
	for (uint32_t i = 0; i < l->n; i++)
		tomb_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

int batch_apply_delete(SeriesIndex *sx, MemTable *mem, const Tomb *t, uint64_t *removed,
                       StErr *err)
{
	uint32_t *sids = NULL, ns = 0;
	*removed = 0;
	int rc = series_match(sx, t->table, t->preds, t->npreds, &sids, &ns, err);
	if (rc || ns == 0) {
		free(sids);
		return rc;
	}
	uint32_t nb = sids[ns - 1] + 1;
	uint64_t *bits = calloc(nb / 64 + 1, sizeof *bits);
	if (!bits) {
		free(sids);
		return failf(err, STELE_ENOMEM, "out of memory applying a delete");
	}
	for (uint32_t i = 0; i < ns; i++)
		bits[sids[i] / 64] |= 1ull << (sids[i] % 64);
	free(sids);
	pthread_rwlock_wrlock(&mem->lock);
	*removed = mem_delete(mem, t->table, bits, nb, t->tmin, t->tmax);
	pthread_rwlock_unlock(&mem->lock);
	free(bits);
	return STELE_OK;
}

static int apply_delete(Catalog *cat, SeriesIndex *sx, MemTable *mem, Rd *r, TombList *out,
                        StErr *err)
{
	Tomb t;
	int rc = tomb_decode(r, &t, err);
	if (rc)
		return rc;
	if (t.tmin > t.tmax || t.table >= cat->ntables) {
		tomb_free(&t);
		return bad(err, "delete");
	}
	if (!catalog_table(cat, t.table)) { /* a table dropped since */
		tomb_free(&t);
		return STELE_OK;
	}
	uint64_t removed;
	rc = batch_apply_delete(sx, mem, &t, &removed, err);
	if (rc == STELE_OK && out) {
		if (out->n == out->cap) {
			uint32_t cap = out->cap ? out->cap * 2 : 4;
			Tomb *v = realloc(out->v, cap * sizeof *v);
			if (!v)
				rc = failf(err, STELE_ENOMEM, "out of memory applying a delete");
			else {
				out->v = v;
				out->cap = cap;
			}
		}
		if (rc == STELE_OK) {
			out->v[out->n++] = t;
			return STELE_OK;
		}
	}
	tomb_free(&t);
	return rc;
}

static int apply_drop(Catalog *cat, MemTable *mem, Rd *r, bool replay, StErr *err)
{
	uint64_t tid = rd_varint(r);
	if (r->bad || tid >= cat->ntables || (!replay && !catalog_table(cat, (uint32_t)tid)))
		return bad(err, "table drop");
	if (replay)
		catalog_drop(cat, (uint32_t)tid);
	pthread_rwlock_wrlock(&mem->lock);
	mem_drop_table(mem, (uint32_t)tid);
	pthread_rwlock_unlock(&mem->lock);
	return STELE_OK;
}

int batch_apply(Catalog *cat, SeriesIndex *sx, MemTable *mem, const uint8_t *p, size_t n,
                bool replay, uint64_t *nrows, TombList *deletes, StErr *err)
{
	Rd r = rd_make(p, n);
	*nrows = 0;
	int rc = STELE_OK;
	while (rc == STELE_OK && rd_left(&r) > 0) {
		uint8_t op = rd_u8(&r);
		switch (op) {
		case OP_TABLE:
			rc = apply_table(cat, &r, replay, err);
			break;
		case OP_COLUMN:
			rc = apply_column(cat, &r, replay, err);
			break;
		case OP_SERIES:
			rc = apply_series(cat, sx, &r, replay, err);
			break;
		case OP_ROWS:
			rc = apply_rows(cat, sx, mem, &r, nrows, err);
			break;
		case OP_RETENTION: {
			uint64_t tid = rd_varint(&r);
			int64_t ret = rd_svarint(&r);
			Table *t = catalog_table(cat, (uint32_t)tid);
			if (r.bad || ret < 0 || (!t && tid >= cat->ntables))
				rc = bad(err, "retention");
			else if (replay && t)
				t->retention_ns = ret;
			break;
		}
		case OP_DELETE:
			rc = apply_delete(cat, sx, mem, &r, deletes, err);
			break;
		case OP_DROP_TABLE:
			rc = apply_drop(cat, mem, &r, replay, err);
			break;
		default:
			rc = bad(err, "operation code");
		}
	}
	return rc;
}
