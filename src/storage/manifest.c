/* manifest.c - reading and writing MANIFEST; versions (see manifest.h). */
#include "storage/manifest.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc32c.h"
#include "util/io.h"

#define MAN_MAGIC "STELEMAN"
#define MAN_VERSION 2

static int cmp_seg(const void *a, const void *b)
{
	const SegInfo *x = &(*(Segment *const *)a)->info, *y = &(*(Segment *const *)b)->info;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	if (x->part_start != y->part_start)
		return x->part_start < y->part_start ? -1 : 1;
	if (x->max_seq != y->max_seq)
		return x->max_seq < y->max_seq ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

Version *version_new(Segment *const *segs, uint32_t n)
{
	Version *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	v->segs = malloc((n + 1) * sizeof *v->segs);
	if (!v->segs) {
		free(v);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		v->segs[i] = segs[i];
		seg_ref(segs[i]);
	}
	v->nsegs = n;
	qsort(v->segs, n, sizeof *v->segs, cmp_seg);
	atomic_init(&v->refs, 1);
	return v;
}

void version_ref(Version *v)
{
	atomic_fetch_add(&v->refs, 1);
}

void version_unref(Version *v)
{
	if (!v || atomic_fetch_sub(&v->refs, 1) != 1)
		return;
	for (uint32_t i = 0; i < v->nsegs; i++)
		seg_unref(v->segs[i]);
	free(v->segs);
	free(v);
}

int manifest_write(const char *dbdir, const ManifestState *ms, const Catalog *cat,
                   const Version *v, const Tomb *tombs, uint32_t ntombs, bool *replaced,
                   StErr *err)
{
	*replaced = false;
	Buf b = {0};
	buf_put(&b, MAN_MAGIC, 8);
	buf_put_u32(&b, MAN_VERSION);
	buf_put_u32(&b, 0);
	buf_put_varint(&b, ms->number);
	buf_put_varint(&b, ms->checkpoint);
	buf_put_varint(&b, ms->next_seg_id);
	buf_put_varint(&b, ms->series_len);
	catalog_encode(cat, &b);
	buf_put_varint(&b, v ? v->nsegs : 0);
	for (uint32_t i = 0; v && i < v->nsegs; i++) {
		const SegInfo *s = &v->segs[i]->info;
		buf_put_varint(&b, s->id);
		buf_put_varint(&b, s->table);
		buf_put_svarint(&b, s->part_start);
		buf_put_svarint(&b, s->min_ts);
		buf_put_svarint(&b, s->max_ts);
		buf_put_varint(&b, s->nrows);
		buf_put_varint(&b, s->size);
		buf_put_varint(&b, s->max_seq);
		buf_put_varint(&b, s->applied_seq);
		buf_put(&b, s->digest, SEG_DIGEST);
	}
	buf_put_varint(&b, ntombs);
	for (uint32_t i = 0; i < ntombs; i++) {
		buf_put_varint(&b, tombs[i].seq);
		tomb_encode(&tombs[i], &b);
	}
	int rc = buf_check(&b, err, "the manifest");
	if (rc == STELE_OK) {
		uint32_t crc = crc32c(b.data + 16, b.len - 16);
		memcpy(b.data + 12, &crc, 4);
		rc = io_write_file_atomic(dbdir, MANIFEST_FILE, b.data, b.len, replaced, err);
	}
	buf_free(&b);
	return rc;
}

int manifest_decode(const uint8_t *data, size_t len, const char *path, ManifestState *ms,
                    Catalog *cat, SegInfo **infos, uint32_t *n, Tomb **tombs,
                    uint32_t *ntombs, StErr *err)
{
	memset(ms, 0, sizeof *ms);
	*infos = NULL;
	*n = 0;
	*tombs = NULL;
	*ntombs = 0;
	SegInfo *si = NULL;
	int rc = STELE_OK;
	if (len < 16 || memcmp(data, MAN_MAGIC, 8) != 0)
		return failf(err, STELE_ECORRUPT, "\"%s\" is not a Stele manifest", path);
	uint32_t version, crc;
	memcpy(&version, data + 8, 4);
	memcpy(&crc, data + 12, 4);
	if (version != MAN_VERSION && version != 1)
		return failf(err, STELE_EVERSION, "manifest \"%s\" has format version %u", path,
		             version);
	if (crc32c(data + 16, len - 16) != crc)
		return failf(err, STELE_ECORRUPT, "manifest \"%s\" fails its checksum", path);
	Rd r = rd_make(data + 16, len - 16);
	ms->number = rd_varint(&r);
	ms->checkpoint = rd_varint(&r);
	ms->next_seg_id = rd_varint(&r);
	ms->series_len = rd_varint(&r);
	rc = catalog_decode(cat, &r, err);
	if (rc)
		return err_prefix(err, "manifest \"%s\"", path);
	uint64_t ns = rd_varint(&r);
	if (r.bad || ns > len)
		return failf(err, STELE_ECORRUPT, "manifest \"%s\": bad segment count", path);
	si = calloc(ns + 1, sizeof *si);
	if (!si)
		return failf(err, STELE_ENOMEM, "out of memory reading the manifest");
	for (uint64_t i = 0; i < ns; i++) {
		SegInfo *s = &si[i];
		s->id = rd_varint(&r);
		uint64_t table = rd_varint(&r);
		s->part_start = rd_svarint(&r);
		s->min_ts = rd_svarint(&r);
		s->max_ts = rd_svarint(&r);
		s->nrows = rd_varint(&r);
		s->size = rd_varint(&r);
		s->max_seq = rd_varint(&r);
		s->applied_seq = version >= 2 ? rd_varint(&r) : 0;
		const uint8_t *d = rd_bytes(&r, SEG_DIGEST);
		if (r.bad || !catalog_table(cat, (uint32_t)table) || s->id >= ms->next_seg_id ||
		    s->min_ts > s->max_ts) {
			free(si);
			return failf(err, STELE_ECORRUPT, "manifest \"%s\": bad segment entry %llu", path,
			             (unsigned long long)i);
		}
		s->table = (uint32_t)table;
		memcpy(s->digest, d, SEG_DIGEST);
	}
	Tomb *tb = NULL;
	uint64_t nt = 0;
	if (version >= 2) {
		nt = rd_varint(&r);
		if (r.bad || nt > len) {
			free(si);
			return failf(err, STELE_ECORRUPT, "manifest \"%s\": bad tombstone count", path);
		}
		tb = calloc(nt + 1, sizeof *tb);
		if (!tb) {
			free(si);
			return failf(err, STELE_ENOMEM, "out of memory reading the manifest");
		}
		for (uint64_t i = 0; i < nt; i++) {
			uint64_t seq = rd_varint(&r);
			StErr terr;
			if (r.bad || tomb_decode(&r, &tb[i], &terr) || !catalog_table(cat, tb[i].table) ||
			    tb[i].tmin > tb[i].tmax) {
				for (uint64_t k = 0; k <= i; k++)
					tomb_free(&tb[k]);
				free(tb);
				free(si);
				return failf(err, STELE_ECORRUPT, "manifest \"%s\": bad tombstone %llu", path,
				             (unsigned long long)i);
			}
			tb[i].seq = seq;
		}
	}
	if (rd_left(&r) != 0) {
		for (uint64_t k = 0; k < nt; k++)
			tomb_free(&tb[k]);
		free(tb);
		free(si);
		return failf(err, STELE_ECORRUPT, "manifest \"%s\": trailing bytes", path);
	}
	*infos = si;
	*n = (uint32_t)ns;
	*tombs = tb;
	*ntombs = (uint32_t)nt;
	return STELE_OK;
}

int manifest_read(const char *dbdir, ManifestState *ms, Catalog *cat, SegInfo **infos,
                  uint32_t *n, Tomb **tombs, uint32_t *ntombs, bool *exists, StErr *err)
{
	memset(ms, 0, sizeof *ms);
	*infos = NULL;
	*n = 0;
	*tombs = NULL;
	*ntombs = 0;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dbdir, MANIFEST_FILE);
	*exists = io_exists(path);
	if (!*exists)
		return STELE_OK;
	uint8_t *data;
	size_t len;
	int rc = io_read_file(path, &data, &len, MANIFEST_MAX, err);
	if (rc)
		return rc;
	rc = manifest_decode(data, len, path, ms, cat, infos, n, tombs, ntombs, err);
	free(data);
	return rc;
}
