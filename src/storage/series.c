/* series.c - the series index and series.dat (see series.h). */
#include "storage/series.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "ingest/lp.h"
#include "util/crc32c.h"
#include "util/io.h"

#define SER_MAGIC "STELESER"
#define SER_VERSION 1
#define SER_HEADER 16
enum { ENT_VALUE = 1, ENT_SERIES = 2 };

SeriesHash series_hash(const char *key, size_t len)
{
	XXH128_hash_t h = XXH3_128bits(key, len);
	SeriesHash s = {h.low64, h.high64};
	return s;
}

void series_init(SeriesIndex *sx)
{
	memset(sx, 0, sizeof *sx);
	sx->fd = -1;
}

static void posting_free(Posting *p)
{
	if (p->cap)
		free(p->u.many);
	memset(p, 0, sizeof *p);
}

static int posting_add(Posting *p, uint32_t sid)
{
	if (p->n == 0 && p->cap == 0) {
		p->u.one = sid;
		p->n = 1;
		return STELE_OK;
	}
	if (p->cap == 0) { /* inline -> heap */
		uint32_t *m = malloc(4 * sizeof *m);
		if (!m)
			return STELE_ENOMEM;
		m[0] = p->u.one;
		p->u.many = m;
		p->cap = 4;
	} else if (p->n == p->cap) {
		uint32_t *m = realloc(p->u.many, (size_t)p->cap * 2 * sizeof *m);
		if (!m)
			return STELE_ENOMEM;
		p->u.many = m;
		p->cap *= 2;
	}
	p->u.many[p->n++] = sid;
	return STELE_OK;
}

static inline const uint32_t *posting_sids(const Posting *p)
{
	return p->cap ? p->u.many : &p->u.one;
}

static void table_free(SeriesTable *t)
{
	for (uint32_t k = 0; k < t->ntags; k++) {
		for (uint32_t v = 0; v < t->dicts[k].n; v++)
			posting_free(&t->post[k][v]);
		free(t->post[k]);
		strdict_free(&t->dicts[k]);
	}
	free(t->dicts);
	free(t->post);
	free(t->cap_post);
	free(t->logged);
	posting_free(&t->all);
}

void series_free(SeriesIndex *sx)
{
	for (uint32_t i = 0; i < sx->ntables; i++)
		table_free(&sx->tables[i]);
	free(sx->tables);
	free(sx->hash);
	free(sx->off);
	free(sx->pool);
	hmap_free(&sx->map);
	io_close(sx->fd);
	series_init(sx);
}

uint32_t series_find(const SeriesIndex *sx, SeriesHash h)
{
	for (size_t i = hmap_find(&sx->map, h.lo); i != HMAP_END; i = hmap_next(&sx->map, h.lo, i)) {
		uint32_t sid = sx->map.vals[i];
		if (sx->hash[sid].hi == h.hi)
			return sid;
	}
	return NO_SID;
}

static int ensure_table(SeriesIndex *sx, uint32_t table, StErr *err)
{
	if (table < sx->ntables)
		return STELE_OK;
	SeriesTable *t = realloc(sx->tables, (table + 1) * sizeof *t);
	if (!t)
		return failf(err, STELE_ENOMEM, "out of memory in the series index");
	memset(t + sx->ntables, 0, (table + 1 - sx->ntables) * sizeof *t);
	sx->tables = t;
	sx->ntables = table + 1;
	return STELE_OK;
}

static int ensure_tag(SeriesTable *t, uint32_t ord, StErr *err)
{
	if (ord < t->ntags)
		return STELE_OK;
	uint32_t n = ord + 1;
	StrDict *d = realloc(t->dicts, n * sizeof *d);
	if (d)
		t->dicts = d;
	Posting **p = realloc(t->post, n * sizeof *p);
	if (p)
		t->post = p;
	uint32_t *c = realloc(t->cap_post, n * sizeof *c);
	if (c)
		t->cap_post = c;
	uint32_t *l = realloc(t->logged, n * sizeof *l);
	if (l)
		t->logged = l;
	if (!d || !p || !c || !l)
		return failf(err, STELE_ENOMEM, "out of memory in the series index");
	for (uint32_t k = t->ntags; k < n; k++) {
		memset(&t->dicts[k], 0, sizeof t->dicts[k]);
		t->post[k] = NULL;
		t->cap_post[k] = 0;
		t->logged[k] = 0;
	}
	t->ntags = n;
	return STELE_OK;
}

int series_intern_value(SeriesIndex *sx, uint32_t table, uint32_t ord, const char *s, size_t n,
                        uint32_t *vid, StErr *err)
{
	int rc = ensure_table(sx, table, err);
	if (rc == STELE_OK)
		rc = ensure_tag(&sx->tables[table], ord, err);
	if (rc)
		return rc;
	SeriesTable *t = &sx->tables[table];
	StrDict *d = &t->dicts[ord];
	uint32_t before = d->n;
	if (strdict_intern(d, s, n, vid))
		return failf(err, STELE_ENOMEM, "out of memory in the series index");
	if (d->n > before && d->n > t->cap_post[ord]) {
		uint32_t cap = t->cap_post[ord] ? t->cap_post[ord] * 2 : 16;
		Posting *p = realloc(t->post[ord], cap * sizeof *p);
		if (!p)
			return failf(err, STELE_ENOMEM, "out of memory in the series index");
		memset(p + t->cap_post[ord], 0, (cap - t->cap_post[ord]) * sizeof *p);
		t->post[ord] = p;
		t->cap_post[ord] = cap;
	}
	return STELE_OK;
}

static int grow_series(SeriesIndex *sx, size_t pool_extra, StErr *err)
{
	if (sx->n == sx->cap) {
		uint32_t cap = sx->cap ? sx->cap * 2 : 1024;
		SeriesHash *h = realloc(sx->hash, cap * sizeof *h);
		if (h)
			sx->hash = h;
		uint32_t *o = realloc(sx->off, cap * sizeof *o);
		if (o)
			sx->off = o;
		if (!h || !o)
			return failf(err, STELE_ENOMEM, "out of memory in the series index");
		sx->cap = cap;
	}
	if (sx->npool + pool_extra > sx->cap_pool) {
		size_t cap = sx->cap_pool ? sx->cap_pool * 2 : 8192;
		while (cap < sx->npool + pool_extra)
			cap *= 2;
		if (cap > UINT32_MAX)
			return failf(err, STELE_ELIMIT, "the series index is full");
		uint32_t *p = realloc(sx->pool, cap * sizeof *p);
		if (!p)
			return failf(err, STELE_ENOMEM, "out of memory in the series index");
		sx->pool = p;
		sx->cap_pool = cap;
	}
	return STELE_OK;
}

int series_create(SeriesIndex *sx, uint32_t table, SeriesHash h, const uint32_t *vids,
                  uint32_t ntags, uint32_t *sid, StErr *err)
{
	if (sx->max_series && sx->n >= sx->max_series)
		return failf(err, STELE_ELIMIT,
		             "new series refused: the database has reached its limit of %u series",
		             sx->max_series);
	if (sx->n == NO_SID - 1)
		return failf(err, STELE_ELIMIT, "the database has the maximum number of series");
	/* Trailing absent tags need no room. */
	while (ntags > 0 && vids[ntags - 1] == NO_VID)
		ntags--;
	int rc = ensure_table(sx, table, err);
	if (rc == STELE_OK)
		rc = grow_series(sx, 2 + (size_t)ntags, err);
	if (rc)
		return rc;
	SeriesTable *t = &sx->tables[table];
	uint32_t id = sx->n;
	if (hmap_put(&sx->map, h.lo, id) || posting_add(&t->all, id))
		return failf(err, STELE_ENOMEM, "out of memory in the series index");
	for (uint32_t k = 0; k < ntags; k++) {
		if (vids[k] == NO_VID)
			continue;
		if (k >= t->ntags || vids[k] >= t->dicts[k].n)
			return failf(err, STELE_ECORRUPT, "series %u refers to an unknown tag value", id);
		if (posting_add(&t->post[k][vids[k]], id))
			return failf(err, STELE_ENOMEM, "out of memory in the series index");
	}
	sx->hash[id] = h;
	sx->off[id] = (uint32_t)sx->npool;
	sx->pool[sx->npool++] = table;
	sx->pool[sx->npool++] = ntags;
	memcpy(sx->pool + sx->npool, vids, ntags * sizeof *vids);
	sx->npool += ntags;
	sx->n++;
	*sid = id;
	return STELE_OK;
}

const char *series_tag(const SeriesIndex *sx, uint32_t sid, uint32_t ord, size_t *len)
{
	uint32_t vid = series_vid(sx, sid, ord);
	if (vid == NO_VID) {
		*len = 0;
		return NULL;
	}
	return strdict_str(&sx->tables[series_table(sx, sid)].dicts[ord], vid, len);
}

void series_key(const SeriesIndex *sx, const Catalog *cat, uint32_t sid, Buf *out)
{
	uint32_t tid = series_table(sx, sid);
	const Table *t = catalog_table(cat, tid);
	lp_put_measurement(out, t->name, t->len);
	const uint32_t *e = sx->pool + sx->off[sid];
	/* Tags in ascending bytewise order of their keys: insertion sort of
	 * the (few) present ordinals. */
	uint32_t ords[256], *o = ords, n = 0;
	if (e[1] > 256 && !(o = malloc(e[1] * sizeof *o))) {
		out->failed = BUF_NOMEM;
		return;
	}
	for (uint32_t k = 0; k < e[1]; k++) {
		if (e[2 + k] == NO_VID)
			continue;
		const Column *ck = &t->cols[t->tagcols[k]];
		uint32_t j = n++;
		while (j > 0) {
			const Column *cj = &t->cols[t->tagcols[o[j - 1]]];
			size_t m = ck->len < cj->len ? ck->len : cj->len;
			int c = memcmp(cj->name, ck->name, m);
			if (c < 0 || (c == 0 && cj->len <= ck->len))
				break;
			o[j] = o[j - 1];
			j--;
		}
		o[j] = k;
	}
	for (uint32_t i = 0; i < n; i++) {
		const Column *c = &t->cols[t->tagcols[o[i]]];
		size_t vlen;
		const char *v = strdict_str(&sx->tables[tid].dicts[o[i]], e[2 + o[i]], &vlen);
		buf_put_u8(out, ',');
		lp_put_tag(out, c->name, c->len);
		buf_put_u8(out, '=');
		lp_put_tag(out, v, vlen);
	}
	if (o != ords)
		free(o);
}

/* Merges the ascending lists a and b (deduplicated) into out. */
static uint32_t merge_union(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb,
                            uint32_t *out)
{
	uint32_t i = 0, j = 0, n = 0;
	while (i < na && j < nb) {
		if (a[i] < b[j])
			out[n++] = a[i++];
		else if (b[j] < a[i])
			out[n++] = b[j++];
		else {
			out[n++] = a[i++];
			j++;
		}
	}
	while (i < na)
		out[n++] = a[i++];
	while (j < nb)
		out[n++] = b[j++];
	return n;
}

/* Keeps in a (ascending) the elements also in b (ascending); returns the count. */
static uint32_t intersect(uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb)
{
	uint32_t i = 0, j = 0, n = 0;
	while (i < na && j < nb) {
		if (a[i] < b[j])
			i++;
		else if (b[j] < a[i])
			j++;
		else {
			a[n++] = a[i++];
			j++;
		}
	}
	return n;
}

/* The union of the postings of one predicate, malloc'd into *out. */
static int pred_sids(const SeriesTable *t, const TagPred *p, uint32_t **out, uint32_t *n)
{
	uint32_t *acc = NULL, nacc = 0;
	for (uint32_t i = 0; i < p->nvals; i++) {
		if (p->ord >= t->ntags)
			break;
		uint32_t vid = strdict_find(&t->dicts[p->ord], p->vals[i], p->lens[i]);
		if (vid == NO_VID)
			continue;
		const Posting *ps = &t->post[p->ord][vid];
		uint32_t *m = malloc(((size_t)nacc + ps->n + 1) * sizeof *m);
		if (!m) {
			free(acc);
			return STELE_ENOMEM;
		}
		nacc = merge_union(acc, nacc, posting_sids(ps), ps->n, m);
		free(acc);
		acc = m;
	}
	*out = acc;
	*n = nacc;
	return STELE_OK;
}

int series_match(const SeriesIndex *sx, uint32_t table, const TagPred *preds, uint32_t npreds,
                 uint32_t **out, uint32_t *n, StErr *err)
{
	*out = NULL;
	*n = 0;
	if (table >= sx->ntables)
		return STELE_OK;
	const SeriesTable *t = &sx->tables[table];
	uint32_t *acc = NULL, nacc = 0;
	if (npreds == 0) {
		nacc = t->all.n;
		acc = malloc(((size_t)nacc + 1) * sizeof *acc);
		if (!acc)
			return failf(err, STELE_ENOMEM, "out of memory matching series");
		if (nacc)
			memcpy(acc, posting_sids(&t->all), nacc * sizeof *acc);
	}
	for (uint32_t i = 0; i < npreds; i++) {
		uint32_t *s, ns;
		if (pred_sids(t, &preds[i], &s, &ns)) {
			free(acc);
			return failf(err, STELE_ENOMEM, "out of memory matching series");
		}
		if (i == 0) {
			acc = s;
			nacc = ns;
		} else {
			nacc = intersect(acc, nacc, s, ns);
			free(s);
		}
		if (nacc == 0)
			break;
	}
	*out = acc;
	*n = nacc;
	return STELE_OK;
}

/* ---- series.dat ---- */

static void log_path(char *out, size_t n, const char *dir)
{
	snprintf(out, n, "%s/%s", dir, SERIES_FILE);
}

static int apply_entries(SeriesIndex *sx, Rd *r, const char *path, uint64_t off, StErr *err)
{
	while (rd_left(r) > 0) {
		uint8_t kind = rd_u8(r);
		if (kind == ENT_VALUE) {
			uint64_t table = rd_varint(r), ord = rd_varint(r), vid = rd_varint(r);
			size_t len;
			const char *s = rd_str(r, &len);
			if (r->bad || table >= CATALOG_MAX_TABLES || ord >= CATALOG_MAX_COLUMNS)
				break;
			uint32_t got;
			int rc = series_intern_value(sx, (uint32_t)table, (uint32_t)ord, s, len, &got, err);
			if (rc)
				return rc;
			if (got != vid)
				break;
		} else if (kind == ENT_SERIES) {
			uint64_t sid = rd_varint(r), table = rd_varint(r);
			SeriesHash h;
			h.lo = rd_u64(r);
			h.hi = rd_u64(r);
			uint64_t nt = rd_varint(r);
			if (r->bad || sid != sx->n || table >= CATALOG_MAX_TABLES || nt > CATALOG_MAX_COLUMNS)
				break;
			uint32_t vids[CATALOG_MAX_COLUMNS];
			for (uint64_t k = 0; k < nt; k++)
				vids[k] = (uint32_t)(rd_varint(r) - 1);
			if (r->bad)
				break;
			uint32_t got;
			int rc = series_create(sx, (uint32_t)table, h, vids, (uint32_t)nt, &got, err);
			if (rc == STELE_ECORRUPT)
				break;
			if (rc)
				return rc;
		} else {
			r->bad = true;
			break;
		}
	}
	if (r->bad || rd_left(r) > 0)
		return failf(err, STELE_ECORRUPT, "series file \"%s\": bad entry in chunk at offset %llu",
		             path, (unsigned long long)off);
	return STELE_OK;
}

int series_open_log(SeriesIndex *sx, const char *dir, uint64_t committed_len, StErr *err)
{
	char path[PATH_MAX];
	log_path(path, sizeof path, dir);
	int fd;
	int rc = io_open(path, O_RDWR | O_CREAT, 0644, &fd, err);
	if (rc)
		return rc;
	uint64_t size;
	rc = io_file_size(fd, path, &size, err);
	if (rc)
		goto fail;
	if (committed_len == 0) {
		/* A new database (or one whose first flush never committed). */
		uint8_t hdr[SER_HEADER] = {0};
		memcpy(hdr, SER_MAGIC, 8);
		uint32_t v = SER_VERSION;
		memcpy(hdr + 8, &v, 4);
		rc = io_truncate(fd, path, 0, err);
		if (rc == STELE_OK)
			rc = io_pwrite(fd, path, hdr, sizeof hdr, 0, err);
		if (rc == STELE_OK)
			rc = io_fsync(fd, path, err);
		if (rc)
			goto fail;
		sx->fd = fd;
		sx->file_len = SER_HEADER;
		return STELE_OK;
	}
	if (size < committed_len) {
		rc = failf(err, STELE_ECORRUPT,
		           "series file \"%s\" has %llu bytes, but the manifest committed %llu", path,
		           (unsigned long long)size, (unsigned long long)committed_len);
		goto fail;
	}
	if (committed_len > SIZE_MAX / 2) {
		rc = failf(err, STELE_ECORRUPT, "series file \"%s\" is too large", path);
		goto fail;
	}
	uint8_t *data = malloc(committed_len);
	if (!data) {
		rc = failf(err, STELE_ENOMEM, "out of memory reading \"%s\"", path);
		goto fail;
	}
	rc = io_pread(fd, path, data, committed_len, 0, err);
	if (rc == STELE_OK && (committed_len < SER_HEADER || memcmp(data, SER_MAGIC, 8) != 0))
		rc = failf(err, STELE_ECORRUPT, "\"%s\" is not a Stele series file", path);
	if (rc == STELE_OK) {
		uint32_t v, reserved;
		memcpy(&v, data + 8, 4);
		memcpy(&reserved, data + 12, 4);
		if (reserved)
			rc = failf(err, STELE_ECORRUPT, "series file \"%s\" has a damaged header", path);
		else if (v != SER_VERSION)
			rc = failf(err, STELE_EVERSION, "series file \"%s\" has format version %u", path, v);
	}
	uint64_t off = SER_HEADER;
	while (rc == STELE_OK && off < committed_len) {
		if (committed_len - off < 8) {
			rc = failf(err, STELE_ECORRUPT, "series file \"%s\": truncated chunk at offset %llu",
			           path, (unsigned long long)off);
			break;
		}
		uint32_t crc, len;
		memcpy(&crc, data + off, 4);
		memcpy(&len, data + off + 4, 4);
		if (len > committed_len - off - 8 || crc32c(data + off + 4, 4 + (size_t)len) != crc) {
			rc = failf(err, STELE_ECORRUPT,
			           "series file \"%s\": checksum mismatch in chunk at offset %llu", path,
			           (unsigned long long)off);
			break;
		}
		Rd r = rd_make(data + off + 8, len);
		rc = apply_entries(sx, &r, path, off, err);
		off += 8 + (uint64_t)len;
	}
	free(data);
	if (rc)
		goto fail;
	if (size > committed_len) {
		rc = io_truncate(fd, path, committed_len, err);
		if (rc)
			goto fail;
	}
	for (uint32_t i = 0; i < sx->ntables; i++)
		for (uint32_t k = 0; k < sx->tables[i].ntags; k++)
			sx->tables[i].logged[k] = sx->tables[i].dicts[k].n;
	sx->nlogged = sx->n;
	sx->fd = fd;
	sx->file_len = committed_len;
	return STELE_OK;
fail:
	io_close(fd);
	return rc;
}

#define SER_CHUNK_TARGET (4u << 20)

/* Fills in the length and CRC of the chunk in b, writes it at *off and
 * starts the next one in b. */
static int write_chunk(SeriesIndex *sx, const char *path, Buf *b, uint64_t *off, StErr *err)
{
	int rc = buf_check(b, err, "series log chunk");
	if (rc)
		return rc;
	uint32_t len = (uint32_t)(b->len - 8);
	memcpy(b->data + 4, &len, 4);
	uint32_t crc = crc32c(b->data + 4, b->len - 4);
	memcpy(b->data, &crc, 4);
	rc = io_pwrite(sx->fd, path, b->data, b->len, *off, err);
	if (rc == STELE_OK)
		*off += b->len;
	buf_reset(b);
	buf_put_u32(b, 0); /* crc */
	buf_put_u32(b, 0); /* len */
	return rc;
}

int series_log_append(SeriesIndex *sx, const char *dir, StErr *err)
{
	char path[PATH_MAX];
	log_path(path, sizeof path, dir);
	/* Chunks of about SER_CHUNK_TARGET bytes, so that a million new series
	 * do not need their whole encoding in memory at once. */
	Buf b = {0};
	buf_put_u32(&b, 0); /* crc */
	buf_put_u32(&b, 0); /* len */
	uint64_t off = sx->file_len;
	int rc = STELE_OK;
	for (uint32_t i = 0; rc == STELE_OK && i < sx->ntables; i++) {
		SeriesTable *t = &sx->tables[i];
		for (uint32_t k = 0; rc == STELE_OK && k < t->ntags; k++) {
			for (uint32_t v = t->logged[k]; rc == STELE_OK && v < t->dicts[k].n; v++) {
				size_t len;
				const char *s = strdict_str(&t->dicts[k], v, &len);
				buf_put_u8(&b, ENT_VALUE);
				buf_put_varint(&b, i);
				buf_put_varint(&b, k);
				buf_put_varint(&b, v);
				buf_put_str(&b, s, len);
				if (b.len >= SER_CHUNK_TARGET)
					rc = write_chunk(sx, path, &b, &off, err);
			}
		}
	}
	for (uint32_t sid = sx->nlogged; rc == STELE_OK && sid < sx->n; sid++) {
		const uint32_t *e = sx->pool + sx->off[sid];
		buf_put_u8(&b, ENT_SERIES);
		buf_put_varint(&b, sid);
		buf_put_varint(&b, e[0]);
		buf_put_u64(&b, sx->hash[sid].lo);
		buf_put_u64(&b, sx->hash[sid].hi);
		buf_put_varint(&b, e[1]);
		for (uint32_t k = 0; k < e[1]; k++)
			buf_put_varint(&b, (uint64_t)e[2 + k] + 1);
		if (b.len >= SER_CHUNK_TARGET)
			rc = write_chunk(sx, path, &b, &off, err);
	}
	if (rc == STELE_OK && b.len > 8)
		rc = write_chunk(sx, path, &b, &off, err);
	if (rc == STELE_OK && off > sx->file_len)
		rc = io_fsync(sx->fd, path, err);
	if (rc) {
		/* Cut what was written so the next append starts clean. */
		StErr e2;
		io_truncate(sx->fd, path, sx->file_len, &e2);
	} else {
		sx->file_len = off;
		for (uint32_t i = 0; i < sx->ntables; i++)
			for (uint32_t k = 0; k < sx->tables[i].ntags; k++)
				sx->tables[i].logged[k] = sx->tables[i].dicts[k].n;
		sx->nlogged = sx->n;
	}
	buf_free(&b);
	return rc;
}

size_t series_bytes(const SeriesIndex *sx)
{
	size_t n = (size_t)sx->cap * (sizeof(SeriesHash) + sizeof(uint32_t)) +
	           sx->cap_pool * sizeof(uint32_t) + hmap_bytes(&sx->map);
	for (uint32_t i = 0; i < sx->ntables; i++) {
		const SeriesTable *t = &sx->tables[i];
		n += t->all.cap * sizeof(uint32_t);
		for (uint32_t k = 0; k < t->ntags; k++) {
			n += strdict_bytes(&t->dicts[k]) + t->cap_post[k] * sizeof(Posting);
			for (uint32_t v = 0; v < t->dicts[k].n; v++)
				n += t->post[k][v].cap * sizeof(uint32_t);
		}
	}
	return n;
}
