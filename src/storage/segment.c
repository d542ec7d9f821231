/* segment.c - writing and reading segment files (see segment.h). */
#include "storage/segment.h"

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "storage/codecs/codec.h"
#include "util/crc32c.h"
#include "util/io.h"
#include "util/timeutil.h"

#define SEG_MAGIC "STELESEG"
#define SEG_END "STELEEND"
#define SEG_VERSION 1
#define SEG_WRITE_CHUNK (1u << 20)
#define SEG_MAX_INDEX (1u << 30)

void seg_dir(char *out, size_t n, const char *dbdir, uint32_t table, int64_t part_start)
{
	time_t secs = (time_t)time_floor_div(part_start, NS_PER_S);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char when[32];
	strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(out, n, "%s/data/%" PRIu32 "/%s", dbdir, table, when);
}

void seg_path(char *out, size_t n, const char *dbdir, uint32_t table, int64_t part_start,
              uint64_t id)
{
	char dir[PATH_MAX];
	seg_dir(dir, sizeof dir, dbdir, table, part_start);
	snprintf(out, n, "%s/%020" PRIu64 ".seg", dir, id);
}

/* ---- writing ---- */

struct SegWriter {
	char path[PATH_MAX];
	int fd;
	uint64_t off;       /* bytes written to the file */
	Buf out;            /* bytes waiting to be written */
	EVP_MD_CTX *sha;
	uint32_t table;
	int64_t part_start;
	uint64_t id;
	uint32_t ncols;
	uint32_t *cols;
	uint8_t *types;
	int zstd;
	Buf index;          /* block entries so far */
	uint32_t nblocks;
	uint64_t nrows;
	int64_t min_ts, max_ts;
	uint32_t last_sid;
	Buf blk;            /* the block being built */
	/* scratch for one column of one block */
	uint64_t *u64;
	double *f64;
	uint8_t *u8;
	uint32_t *offs;
	Buf strs;
	Buf chunks;         /* chunk entries of the block being built */
};

static int flush_out(SegWriter *w, StErr *err)
{
	if (w->out.len == 0)
		return STELE_OK;
	int rc = io_pwrite(w->fd, w->path, w->out.data, w->out.len, w->off, err);
	if (rc)
		return rc;
	if (EVP_DigestUpdate(w->sha, w->out.data, w->out.len) != 1)
		return failf(err, STELE_ENOMEM, "could not compute the digest of \"%s\"", w->path);
	w->off += w->out.len;
	buf_reset(&w->out);
	return STELE_OK;
}

int segw_open(const char *dbdir, uint32_t table, int64_t part_start, uint64_t id,
              uint32_t ncols, const uint32_t *cols, const uint8_t *types, int zstd_level,
              SegWriter **out, StErr *err)
{
	SegWriter *w = calloc(1, sizeof *w);
	if (!w)
		return failf(err, STELE_ENOMEM, "out of memory writing a segment");
	w->fd = -1;
	w->table = table;
	w->part_start = part_start;
	w->id = id;
	w->ncols = ncols;
	w->zstd = zstd_level;
	w->min_ts = INT64_MAX;
	w->max_ts = INT64_MIN;
	w->cols = malloc((ncols + 1) * sizeof *w->cols);
	w->types = malloc(ncols + 1);
	w->u64 = malloc(SEG_BLOCK_ROWS * sizeof *w->u64);
	w->f64 = malloc(SEG_BLOCK_ROWS * sizeof *w->f64);
	w->u8 = malloc(SEG_BLOCK_ROWS);
	w->offs = malloc((SEG_BLOCK_ROWS + 1) * sizeof *w->offs);
	w->sha = EVP_MD_CTX_new();
	if (!w->cols || !w->types || !w->u64 || !w->f64 || !w->u8 || !w->offs || !w->sha ||
	    EVP_DigestInit_ex(w->sha, EVP_sha256(), NULL) != 1) {
		segw_abort(w);
		return failf(err, STELE_ENOMEM, "out of memory writing a segment");
	}
	memcpy(w->cols, cols, ncols * sizeof *cols);
	memcpy(w->types, types, ncols);

	char dir[PATH_MAX];
	seg_dir(dir, sizeof dir, dbdir, table, part_start);
	char tdir[PATH_MAX], ddir[PATH_MAX];
	snprintf(ddir, sizeof ddir, "%s/data", dbdir);
	snprintf(tdir, sizeof tdir, "%s/data/%" PRIu32, dbdir, table);
	int rc = io_mkdir(ddir, err);
	if (rc == STELE_OK)
		rc = io_mkdir(tdir, err);
	if (rc == STELE_OK)
		rc = io_mkdir(dir, err);
	seg_path(w->path, sizeof w->path, dbdir, table, part_start, id);
	if (rc == STELE_OK)
		rc = io_open(w->path, O_WRONLY | O_CREAT | O_TRUNC, 0644, &w->fd, err);
	if (rc) {
		segw_abort(w);
		return rc;
	}
	buf_put(&w->out, SEG_MAGIC, 8);
	buf_put_u32(&w->out, SEG_VERSION);
	buf_put_u32(&w->out, table);
	buf_put_u64(&w->out, (uint64_t)part_start);
	buf_put_u64(&w->out, id);
	*out = w;
	return STELE_OK;
}

uint64_t segw_rows(const SegWriter *w)
{
	return w->nrows;
}

static void put_sum(Buf *b, __int128 sum, bool is_signed)
{
	uint64_t lo = (uint64_t)(unsigned __int128)sum;
	if (is_signed)
		buf_put_svarint(b, (int64_t)(sum >> 64));
	else
		buf_put_varint(b, (uint64_t)((unsigned __int128)sum >> 64));
	buf_put_varint(b, lo);
}

static void put_stats(Buf *b, uint8_t type, uint32_t count, const ChunkStats *st)
{
	if (count == 1) {
		/* min, max, first, last and sum are all the one value. */
		switch (type) {
		case STELE_TYPE_DOUBLE:
			buf_put_u64(b, st->first);
			break;
		case STELE_TYPE_BIGINT:
			buf_put_svarint(b, (int64_t)st->first);
			break;
		case STELE_TYPE_UBIGINT:
			buf_put_varint(b, st->first);
			break;
		case STELE_TYPE_BOOLEAN:
			buf_put_u8(b, (uint8_t)st->first);
			break;
		default:
			break;
		}
		return;
	}
	switch (type) {
	case STELE_TYPE_DOUBLE:
		buf_put_u64(b, st->min);
		buf_put_u64(b, st->max);
		buf_put_f64(b, st->sum.f);
		buf_put_u64(b, st->first);
		buf_put_u64(b, st->last);
		break;
	case STELE_TYPE_BIGINT:
		buf_put_svarint(b, (int64_t)st->min);
		buf_put_svarint(b, (int64_t)st->max);
		buf_put_svarint(b, (int64_t)st->first);
		buf_put_svarint(b, (int64_t)st->last);
		put_sum(b, st->sum.i, true);
		break;
	case STELE_TYPE_UBIGINT:
		buf_put_varint(b, st->min);
		buf_put_varint(b, st->max);
		buf_put_varint(b, st->first);
		buf_put_varint(b, st->last);
		put_sum(b, st->sum.i, false);
		break;
	case STELE_TYPE_BOOLEAN:
		buf_put_varint(b, (uint64_t)st->sum.i);
		buf_put_u8(b, (uint8_t)st->first);
		buf_put_u8(b, (uint8_t)st->last);
		break;
	default:
		break;
	}
}

/* Statistics of the m dense values in w's scratch. */
static void compute_stats(const SegWriter *w, uint8_t type, uint32_t m, ChunkStats *st)
{
	memset(st, 0, sizeof *st);
	if (type == STELE_TYPE_VARCHAR || m == 0)
		return;
	if (type == STELE_TYPE_BOOLEAN) {
		__int128 t = 0;
		for (uint32_t i = 0; i < m; i++)
			t += w->u8[i];
		st->sum.i = t;
		st->first = w->u8[0];
		st->last = w->u8[m - 1];
		st->min = st->max = 0;
		return;
	}
	st->first = w->u64[0];
	st->last = w->u64[m - 1];
	if (type == STELE_TYPE_DOUBLE) {
		double lo = NAN, hi = NAN, sum = 0;
		for (uint32_t i = 0; i < m; i++) {
			double d = w->f64[i];
			sum += d;
			if (isnan(d))
				continue;
			if (isnan(lo) || d < lo)
				lo = d;
			if (isnan(hi) || d > hi)
				hi = d;
		}
		memcpy(&st->min, &lo, 8);
		memcpy(&st->max, &hi, 8);
		st->sum.f = sum;
	} else if (type == STELE_TYPE_BIGINT) {
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		__int128 sum = 0;
		for (uint32_t i = 0; i < m; i++) {
			int64_t v = (int64_t)w->u64[i];
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
			sum += v;
		}
		st->min = (uint64_t)lo;
		st->max = (uint64_t)hi;
		st->sum.i = sum;
	} else {
		uint64_t lo = UINT64_MAX, hi = 0;
		unsigned __int128 sum = 0;
		for (uint32_t i = 0; i < m; i++) {
			uint64_t v = w->u64[i];
			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
			sum += v;
		}
		st->min = lo;
		st->max = hi;
		st->sum.i = (__int128)sum;
	}
}

static int write_block(SegWriter *w, const Rows *r, uint32_t from, uint32_t n, StErr *err)
{
	Buf *blk = &w->blk;
	buf_reset(blk);
	buf_reset(&w->chunks);
	int rc = codec_encode(STELE_TYPE_TIMESTAMP, r->ts + from, n, w->zstd, blk, err);
	if (rc)
		return rc;
	uint32_t ts_len = (uint32_t)blk->len;
	uint32_t nchunks = 0;
	for (uint32_t c = 0; c < w->ncols; c++) {
		const ColVec *cv = &r->cols[c];
		uint8_t type = w->types[c];
		uint32_t m = 0;
		for (uint32_t i = 0; i < n; i++)
			m += cv->valid[from + i];
		if (m == 0)
			continue;
		size_t start = blk->len;
		if (m < n) {
			size_t nb = (n + 7) / 8;
			if (!buf_reserve(blk, nb))
				break;
			uint8_t *bits = blk->data + blk->len;
			memset(bits, 0, nb);
			for (uint32_t i = 0; i < n; i++)
				bits[i / 8] |= (uint8_t)(cv->valid[from + i] << (i % 8));
			blk->len += nb;
		}
		const void *vals;
		StrVec sv;
		uint32_t k = 0;
		if (type == STELE_TYPE_VARCHAR) {
			buf_reset(&w->strs);
			w->offs[0] = 0;
			for (uint32_t i = 0; i < n; i++) {
				if (!cv->valid[from + i])
					continue;
				uint32_t len;
				const char *s = rows_str(r, cv->v[from + i], &len);
				buf_put(&w->strs, s, len);
				if (w->strs.len > UINT32_MAX)
					w->strs.failed = BUF_TOOBIG;
				w->offs[++k] = (uint32_t)w->strs.len;
			}
			rc = buf_check(&w->strs, err, "a string column block");
			if (rc)
				return rc;
			sv.offs = w->offs;
			sv.bytes = (const char *)w->strs.data;
			vals = &sv;
		} else if (type == STELE_TYPE_BOOLEAN) {
			for (uint32_t i = 0; i < n; i++)
				if (cv->valid[from + i])
					w->u8[k++] = (uint8_t)cv->v[from + i];
			vals = w->u8;
		} else {
			for (uint32_t i = 0; i < n; i++)
				if (cv->valid[from + i])
					w->u64[k++] = cv->v[from + i];
			if (type == STELE_TYPE_DOUBLE) {
				memcpy(w->f64, w->u64, (size_t)m * 8);
				vals = w->f64;
			} else {
				vals = w->u64;
			}
		}
		ChunkStats st;
		compute_stats(w, type, m, &st);
		rc = codec_encode(type, vals, m, w->zstd, blk, err);
		if (rc)
			return rc;
		buf_put_varint(&w->chunks, c);
		buf_put_varint(&w->chunks, n - m);
		buf_put_varint(&w->chunks, blk->len - start);
		put_stats(&w->chunks, type, m, &st);
		nchunks++;
	}
	buf_put_u32(blk, crc32c(blk->data, blk->len));
	rc = buf_check(blk, err, "a segment block");
	if (rc == STELE_OK)
		rc = buf_check(&w->chunks, err, "a segment block");
	if (rc)
		return rc;
	int64_t min_ts = r->ts[from], max_ts = r->ts[from + n - 1];
	Buf *ix = &w->index;
	buf_put_varint(ix, r->sid[from]);
	buf_put_varint(ix, n);
	buf_put_svarint(ix, min_ts);
	buf_put_varint(ix, (uint64_t)max_ts - (uint64_t)min_ts);
	buf_put_varint(ix, w->off + w->out.len);
	buf_put_varint(ix, blk->len);
	buf_put_varint(ix, ts_len);
	buf_put_varint(ix, nchunks);
	buf_put(ix, w->chunks.data, w->chunks.len);
	rc = buf_check(ix, err, "a segment index");
	if (rc)
		return rc;
	buf_put(&w->out, blk->data, blk->len);
	rc = buf_check(&w->out, err, "a segment");
	if (rc == STELE_OK && w->out.len >= SEG_WRITE_CHUNK)
		rc = flush_out(w, err);
	if (rc)
		return rc;
	w->nblocks++;
	w->nrows += n;
	if (min_ts < w->min_ts)
		w->min_ts = min_ts;
	if (max_ts > w->max_ts)
		w->max_ts = max_ts;
	return STELE_OK;
}

int segw_add(SegWriter *w, const Rows *r, uint32_t from, uint32_t to, StErr *err)
{
	if (from >= to)
		return STELE_OK;
	if (w->nblocks > 0 && r->sid[from] < w->last_sid)
		return failf(err, STELE_EINVAL, "segment rows out of series order");
	w->last_sid = r->sid[from];
	while (from < to) {
		uint32_t n = to - from > SEG_BLOCK_TARGET ? SEG_BLOCK_TARGET : to - from;
		int rc = write_block(w, r, from, n, err);
		if (rc)
			return rc;
		from += n;
	}
	return STELE_OK;
}

static void writer_free(SegWriter *w)
{
	io_close(w->fd);
	buf_free(&w->out);
	buf_free(&w->index);
	buf_free(&w->blk);
	buf_free(&w->strs);
	buf_free(&w->chunks);
	EVP_MD_CTX_free(w->sha);
	free(w->cols);
	free(w->types);
	free(w->u64);
	free(w->f64);
	free(w->u8);
	free(w->offs);
	free(w);
}

void segw_abort(SegWriter *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		unlink(w->path);
	writer_free(w);
}

int segw_finish(SegWriter *w, SegInfo *info, StErr *err)
{
	/* The index: its head (the column list and block count), then the
	 * block entries built as blocks were written. */
	Buf head = {0};
	buf_put_varint(&head, w->ncols);
	for (uint32_t c = 0; c < w->ncols; c++) {
		buf_put_varint(&head, w->cols[c]);
		buf_put_u8(&head, w->types[c]);
	}
	buf_put_varint(&head, w->nblocks);
	int rc = buf_check(&head, err, "a segment index");
	size_t ix_len = head.len + w->index.len;
	if (rc == STELE_OK && ix_len > SEG_MAX_INDEX)
		rc = failf(err, STELE_ELIMIT, "segment index of %zu bytes is too large", ix_len);
	uint64_t ix_off = w->off + w->out.len;
	uint32_t crc = 0;
	if (rc == STELE_OK) {
		crc = crc32c_extend(crc32c(head.data, head.len), w->index.data, w->index.len);
		buf_put(&w->out, head.data, head.len);
		rc = flush_out(w, err);
	}
	if (rc == STELE_OK && w->index.len) {
		/* Written from its own buffer, not copied into `out`. */
		rc = io_pwrite(w->fd, w->path, w->index.data, w->index.len, w->off, err);
		if (rc == STELE_OK && EVP_DigestUpdate(w->sha, w->index.data, w->index.len) != 1)
			rc = failf(err, STELE_ENOMEM, "could not compute the digest of \"%s\"", w->path);
		if (rc == STELE_OK)
			w->off += w->index.len;
	}
	buf_free(&head);
	uint8_t footer[SEG_FOOTER];
	if (rc == STELE_OK) {
		uint32_t len = (uint32_t)ix_len;
		memcpy(footer, &ix_off, 8);
		memcpy(footer + 8, &len, 4);
		memcpy(footer + 12, &crc, 4);
		if (EVP_DigestUpdate(w->sha, footer, 16) != 1 ||
		    EVP_DigestFinal_ex(w->sha, footer + 16, NULL) != 1)
			rc = failf(err, STELE_ENOMEM, "could not compute the digest of \"%s\"", w->path);
		memcpy(footer + 48, SEG_END, 8);
	}
	if (rc == STELE_OK)
		rc = io_pwrite(w->fd, w->path, footer, sizeof footer, w->off, err);
	if (rc == STELE_OK)
		rc = io_fsync(w->fd, w->path, err);
	if (rc) {
		segw_abort(w);
		return rc;
	}
	memset(info, 0, sizeof *info);
	info->id = w->id;
	info->table = w->table;
	info->part_start = w->part_start;
	info->min_ts = w->min_ts;
	info->max_ts = w->max_ts;
	info->nrows = w->nrows;
	info->size = w->off + sizeof footer;
	memcpy(info->digest, footer + 16, SEG_DIGEST);
	writer_free(w);
	return STELE_OK;
}

/* ---- reading ---- */

static int corrupt(StErr *err, const Segment *s, uint64_t off, const char *what)
{
	return failf(err, STELE_ECORRUPT, "segment \"%s\" is corrupt at offset %llu: %s", s->path,
	             (unsigned long long)off, what);
}

static __int128 get_sum(Rd *r, bool is_signed)
{
	__int128 hi = is_signed ? (__int128)rd_svarint(r) : (__int128)rd_varint(r);
	uint64_t lo = rd_varint(r);
	return (__int128)(((unsigned __int128)hi << 64) | lo);
}

static void get_stats(Rd *r, uint8_t type, uint32_t count, ChunkStats *st)
{
	memset(st, 0, sizeof *st);
	if (count == 1) {
		uint64_t v = 0;
		switch (type) {
		case STELE_TYPE_DOUBLE:
			v = rd_u64(r);
			memcpy(&st->sum.f, &v, 8);
			break;
		case STELE_TYPE_BIGINT:
			v = (uint64_t)rd_svarint(r);
			st->sum.i = (int64_t)v;
			break;
		case STELE_TYPE_UBIGINT:
			v = rd_varint(r);
			st->sum.i = (__int128)v;
			break;
		case STELE_TYPE_BOOLEAN:
			v = rd_u8(r) != 0;
			st->sum.i = (__int128)v;
			break;
		default:
			return;
		}
		st->min = st->max = st->first = st->last = v;
		if (type == STELE_TYPE_BOOLEAN)
			st->min = st->max = 0;
		return;
	}
	switch (type) {
	case STELE_TYPE_DOUBLE:
		st->min = rd_u64(r);
		st->max = rd_u64(r);
		st->sum.f = rd_f64(r);
		st->first = rd_u64(r);
		st->last = rd_u64(r);
		break;
	case STELE_TYPE_BIGINT:
		st->min = (uint64_t)rd_svarint(r);
		st->max = (uint64_t)rd_svarint(r);
		st->first = (uint64_t)rd_svarint(r);
		st->last = (uint64_t)rd_svarint(r);
		st->sum.i = get_sum(r, true);
		break;
	case STELE_TYPE_UBIGINT:
		st->min = rd_varint(r);
		st->max = rd_varint(r);
		st->first = rd_varint(r);
		st->last = rd_varint(r);
		st->sum.i = get_sum(r, false);
		break;
	case STELE_TYPE_BOOLEAN:
		st->sum.i = (__int128)rd_varint(r);
		st->first = rd_u8(r);
		st->last = rd_u8(r);
		break;
	default:
		break;
	}
}

/* Checks the whole index and keeps per block what pruning needs. */
static int parse_index(Segment *s, uint64_t ix_off, StErr *err)
{
	Rd r = rd_make(s->index, s->index_len);
	uint64_t ncols = rd_varint(&r);
	if (r.bad || ncols > 65536)
		return corrupt(err, s, ix_off, "bad column count");
	s->cols = malloc((ncols + 1) * sizeof *s->cols);
	if (!s->cols)
		return failf(err, STELE_ENOMEM, "out of memory opening a segment");
	s->ncols = (uint32_t)ncols;
	for (uint32_t c = 0; c < ncols; c++) {
		s->cols[c].col = (uint32_t)rd_varint(&r);
		s->cols[c].type = rd_u8(&r);
		if (s->cols[c].type < STELE_TYPE_DOUBLE || s->cols[c].type > STELE_TYPE_VARCHAR)
			return corrupt(err, s, ix_off, "bad column type");
	}
	uint64_t nblocks = rd_varint(&r);
	if (r.bad || nblocks > s->index_len)
		return corrupt(err, s, ix_off, "bad block count");
	s->blocks = malloc((nblocks + 1) * sizeof *s->blocks);
	if (!s->blocks)
		return failf(err, STELE_ENOMEM, "out of memory opening a segment");
	s->nblocks = (uint32_t)nblocks;
	for (uint32_t b = 0; b < nblocks; b++) {
		BlockMeta *bm = &s->blocks[b];
		uint64_t sid = rd_varint(&r), nrows = rd_varint(&r);
		bm->min_ts = rd_svarint(&r);
		bm->max_ts = (int64_t)((uint64_t)bm->min_ts + rd_varint(&r));
		bm->entry = (uint32_t)(r.p - s->index);
		uint64_t off = rd_varint(&r);
		uint64_t blen = rd_varint(&r), ts_len = rd_varint(&r), nc = rd_varint(&r);
		if (r.bad || sid >= UINT32_MAX || nrows == 0 || nrows > SEG_BLOCK_ROWS ||
		    bm->max_ts < bm->min_ts || off < SEG_HEADER || blen < 4 || off + blen > ix_off ||
		    ts_len > blen - 4 || nc > ncols)
			return corrupt(err, s, ix_off, "bad block entry");
		if (b > 0 && (sid < s->blocks[b - 1].sid ||
		              (sid == s->blocks[b - 1].sid && bm->min_ts <= s->blocks[b - 1].max_ts)))
			return corrupt(err, s, ix_off, "blocks out of order");
		bm->sid = (uint32_t)sid;
		bm->nrows = (uint32_t)nrows;
		uint64_t coff = ts_len;
		uint64_t prev_slot = 0;
		for (uint64_t k = 0; k < nc; k++) {
			uint64_t slot = rd_varint(&r), nnull = rd_varint(&r), clen = rd_varint(&r);
			if (r.bad || slot >= ncols || nnull >= nrows || clen > blen - 4 - coff ||
			    (k > 0 && slot <= prev_slot))
				return corrupt(err, s, ix_off, "bad chunk entry");
			ChunkStats st;
			get_stats(&r, s->cols[slot].type, (uint32_t)(nrows - nnull), &st);
			coff += clen;
			prev_slot = slot;
		}
		if (r.bad || coff != blen - 4)
			return corrupt(err, s, ix_off, "chunk lengths do not add up");
	}
	if (r.bad || rd_left(&r) != 0)
		return corrupt(err, s, ix_off, "bad index");
	return STELE_OK;
}

void seg_block_detail(const Segment *s, uint32_t b, BlockDetail *d)
{
	const BlockMeta *bm = &s->blocks[b];
	d->rd = rd_make(s->index + bm->entry, s->index_len - bm->entry);
	d->off = rd_varint(&d->rd);
	d->len = (uint32_t)rd_varint(&d->rd);
	d->ts_len = (uint32_t)rd_varint(&d->rd);
	d->nchunks = (uint32_t)rd_varint(&d->rd);
	d->left = d->nchunks;
	d->next_off = d->ts_len;
	d->nrows = bm->nrows;
}

bool seg_next_chunk(const Segment *s, BlockDetail *d, ChunkMeta *cm)
{
	if (d->left == 0 || d->rd.bad)
		return false;
	d->left--;
	cm->slot = (uint32_t)rd_varint(&d->rd);
	cm->nnull = (uint32_t)rd_varint(&d->rd);
	cm->len = (uint32_t)rd_varint(&d->rd);
	cm->off = d->next_off;
	d->next_off += cm->len;
	/* The index was checked at open, so the slot is in range. */
	if (cm->slot >= s->ncols)
		return false;
	get_stats(&d->rd, s->cols[cm->slot].type, d->nrows - cm->nnull, &cm->st);
	return !d->rd.bad;
}

/* The budget of segment files held open (segment.h); 0 until the first
 * segment opens or a test sets it. */
static atomic_int fd_budget;
static atomic_int fd_held;

void seg_set_fd_budget(int n)
{
	atomic_store(&fd_budget, n < 0 ? 0 : n > 0 ? n : -1);
}

int seg_fds_held(void)
{
	return atomic_load(&fd_held);
}

static int budget(void)
{
	int b = atomic_load(&fd_budget);
	if (b == 0) {
		struct rlimit rl;
		rlim_t soft = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
		if (soft == RLIM_INFINITY || soft > (rlim_t)1 << 30)
			soft = (rlim_t)1 << 30;
		b = (int)(soft / 2);
		if (b < 1)
			b = -1;
		int zero = 0;
		if (!atomic_compare_exchange_strong(&fd_budget, &zero, b))
			b = zero;
	}
	return b < 0 ? 0 : b;  /* -1: none */
}

/* Whether a newly opened segment may keep its file open; takes one. */
static bool fd_take(void)
{
	int b = budget();
	int held = atomic_load(&fd_held);
	while (held < b)
		if (atomic_compare_exchange_weak(&fd_held, &held, held + 1))
			return true;
	return false;
}

/* pread of a segment: through its own file, or one opened for this read. */
static int seg_pread(const Segment *s, void *buf, size_t n, uint64_t off, StErr *err)
{
	if (s->fd >= 0)
		return io_pread(s->fd, s->path, buf, n, off, err);
	int fd;
	int rc = io_open(s->path, O_RDONLY, 0, &fd, err);
	if (rc)
		return rc;
	rc = io_pread(fd, s->path, buf, n, off, err);
	io_close(fd);
	return rc;
}

int seg_open(const char *dbdir, const SegInfo *info, Segment **out, StErr *err)
{
	char path[PATH_MAX];
	seg_path(path, sizeof path, dbdir, info->table, info->part_start, info->id);
	return seg_open_path(path, info, out, err);
}

int seg_open_path(const char *path, const SegInfo *info, Segment **out, StErr *err)
{
	Segment *s = calloc(1, sizeof *s);
	if (!s)
		return failf(err, STELE_ENOMEM, "out of memory opening a segment");
	s->info = *info;
	s->fd = -1;
	atomic_init(&s->refs, 1);
	atomic_init(&s->retired, false);
	pthread_mutex_init(&s->last_mu, NULL);
	snprintf(s->path, sizeof s->path, "%s", path);
	int rc = io_open(s->path, O_RDONLY, 0, &s->fd, err);
	uint64_t size = 0;
	if (rc == STELE_OK)
		rc = io_file_size(s->fd, s->path, &size, err);
	if (rc == STELE_OK && size != info->size)
		rc = failf(err, STELE_ECORRUPT, "segment \"%s\" has %llu bytes, the manifest says %llu",
		           s->path, (unsigned long long)size, (unsigned long long)info->size);
	uint8_t hdr[SEG_HEADER], foot[SEG_FOOTER];
	if (rc == STELE_OK && size < SEG_HEADER + SEG_FOOTER)
		rc = corrupt(err, s, 0, "file too short");
	if (rc == STELE_OK)
		rc = io_pread(s->fd, s->path, hdr, sizeof hdr, 0, err);
	if (rc == STELE_OK)
		rc = io_pread(s->fd, s->path, foot, sizeof foot, size - SEG_FOOTER, err);
	if (rc == STELE_OK) {
		uint32_t version, table;
		int64_t part;
		uint64_t id;
		memcpy(&version, hdr + 8, 4);
		memcpy(&table, hdr + 12, 4);
		memcpy(&part, hdr + 16, 8);
		memcpy(&id, hdr + 24, 8);
		if (memcmp(hdr, SEG_MAGIC, 8) != 0)
			rc = corrupt(err, s, 0, "bad magic");
		else if (version != SEG_VERSION)
			rc = failf(err, STELE_EVERSION, "segment \"%s\" has format version %u", s->path,
			           version);
		else if (table != info->table || part != info->part_start || id != info->id)
			rc = corrupt(err, s, 12, "header does not match the manifest");
		else if (memcmp(foot + 48, SEG_END, 8) != 0)
			rc = corrupt(err, s, size - 8, "bad end magic");
		else if (memcmp(foot + 16, info->digest, SEG_DIGEST) != 0)
			rc = corrupt(err, s, size - 40, "content digest does not match the manifest");
	}
	uint64_t ix_off = 0;
	uint32_t ix_len = 0, ix_crc = 0;
	if (rc == STELE_OK) {
		memcpy(&ix_off, foot, 8);
		memcpy(&ix_len, foot + 8, 4);
		memcpy(&ix_crc, foot + 12, 4);
		if (ix_off < SEG_HEADER || ix_off > size - SEG_FOOTER ||
		    ix_len != size - SEG_FOOTER - ix_off)
			rc = corrupt(err, s, size - SEG_FOOTER, "bad index position");
	}
	if (rc == STELE_OK && !(s->index = malloc(ix_len ? ix_len : 1)))
		rc = failf(err, STELE_ENOMEM, "out of memory opening a segment");
	s->index_len = ix_len;
	if (rc == STELE_OK)
		rc = io_pread(s->fd, s->path, s->index, ix_len, ix_off, err);
	if (rc == STELE_OK && crc32c(s->index, ix_len) != ix_crc)
		rc = corrupt(err, s, ix_off, "index checksum mismatch");
	if (rc == STELE_OK)
		rc = parse_index(s, ix_off, err);
	if (rc) {
		seg_unref(s);
		return rc;
	}
	if (fd_take()) {
		s->own_fd = true;
	} else {
		io_close(s->fd);
		s->fd = -1;
	}
	*out = s;
	return STELE_OK;
}

void seg_ref(Segment *s)
{
	atomic_fetch_add(&s->refs, 1);
}

static void seglast_free(SegLast *l)
{
	if (!l)
		return;
	free(l->sid);
	free(l->ts);
	free(l->v);
	free(l->valid);
	buf_free(&l->heap);
	free(l);
}

/* The file and, once it is empty, its partition directory. */
static void remove_file(const char *path)
{
	unlink(path);
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		rmdir(dir); /* succeeds only once the partition is empty */
	}
}

void seg_retire(Segment *s)
{
	if (s->fd >= 0)
		remove_file(s->path);
	else
		atomic_store(&s->retired, true);
}

void seg_unref(Segment *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	seglast_free(s->last);
	pthread_mutex_destroy(&s->last_mu);
	if (s->fd >= 0)
		io_close(s->fd);
	if (s->own_fd)
		atomic_fetch_sub(&fd_held, 1);
	if (atomic_load(&s->retired))
		remove_file(s->path);
	free(s->cols);
	free(s->blocks);
	free(s->index);
	free(s);
}

uint32_t seg_find_sid(const Segment *s, uint32_t sid)
{
	uint32_t lo = 0, hi = s->nblocks;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (s->blocks[mid].sid < sid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Decodes one chunk of a block into out's column cv, rows base.. */
static int read_chunk(Segment *s, const BlockDetail *d, const ChunkMeta *cm, const uint8_t *data,
                      Rows *out, ColVec *cv, uint32_t base, uint64_t *dense, uint32_t *offs,
                      Buf *strs, StErr *err)
{
	uint32_t n = d->nrows;
	if (s->cols[cm->slot].type != cv->type)
		return corrupt(err, s, d->off, "column type differs from the catalog");
	const uint8_t *p = data + cm->off;
	size_t len = cm->len;
	uint32_t m = n - cm->nnull;
	if (cm->nnull) {
		size_t nb = (n + 7) / 8;
		if (len < nb)
			return corrupt(err, s, d->off + cm->off, "chunk shorter than its bitmap");
		uint32_t count = 0;
		for (uint32_t i = 0; i < n; i++) {
			cv->valid[base + i] = (p[i / 8] >> (i % 8)) & 1;
			count += cv->valid[base + i];
		}
		if (count != m)
			return corrupt(err, s, d->off + cm->off, "bitmap disagrees with the null count");
		p += nb;
		len -= nb;
	} else {
		memset(cv->valid + base, 1, n);
	}
	int rc;
	if (cv->type == STELE_TYPE_VARCHAR) {
		rc = codec_decode(cv->type, p, len, m, offs, strs, err);
		if (rc)
			return rc;
		uint32_t k = 0;
		for (uint32_t i = 0; i < n; i++) {
			if (!cv->valid[base + i]) {
				cv->v[base + i] = 0;
				continue;
			}
			cv->v[base + i] = rows_put_str(out, (const char *)strs->data + offs[k],
			                               offs[k + 1] - offs[k]);
			k++;
		}
		return out->heap.failed ? failf(err, STELE_ENOMEM, "out of memory reading a segment")
		                        : STELE_OK;
	}
	if (cv->type == STELE_TYPE_BOOLEAN) {
		uint8_t *b8 = (uint8_t *)dense;
		rc = codec_decode(cv->type, p, len, m, b8, NULL, err);
		if (rc)
			return rc;
		uint32_t k = 0;
		for (uint32_t i = 0; i < n; i++)
			cv->v[base + i] = cv->valid[base + i] ? b8[k++] : 0;
		return STELE_OK;
	}
	/* 8-byte types decode straight into place when there are no NULLs. */
	uint64_t *dst = cm->nnull ? dense : cv->v + base;
	rc = codec_decode(cv->type, p, len, m, dst, NULL, err);
	if (rc || !cm->nnull)
		return rc;
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++)
		cv->v[base + i] = cv->valid[base + i] ? dense[k++] : 0;
	return STELE_OK;
}

/* Fills row k of l from the last row of block b (the last block of its
 * series): from the chunk statistics when every chunk has no NULL and no
 * string, else by decoding the block. */
static int last_of_block(Segment *s, uint32_t b, SegLast *l, uint32_t k, Rows *tmp, StErr *err)
{
	const BlockMeta *bm = &s->blocks[b];
	uint32_t nc = s->ncols;
	l->sid[k] = bm->sid;
	l->ts[k] = bm->max_ts;
	memset(l->valid + (size_t)k * nc, 0, nc);
	memset(l->v + (size_t)k * nc, 0, (size_t)nc * sizeof *l->v);
	BlockDetail d;
	seg_block_detail(s, b, &d);
	ChunkMeta cm;
	bool need_decode = false;
	while (seg_next_chunk(s, &d, &cm)) {
		if (cm.nnull || s->cols[cm.slot].type == STELE_TYPE_VARCHAR) {
			need_decode = true;
			break;
		}
		/* No NULL in the chunk: its last value is the last row's. */
		l->v[(size_t)k * nc + cm.slot] = cm.st.last;
		l->valid[(size_t)k * nc + cm.slot] = 1;
	}
	if (!need_decode)
		return STELE_OK;
	rows_clear(tmp);
	int rc = seg_read_block(s, b, tmp, err);
	if (rc)
		return rc;
	if (tmp->n == 0)
		return failf(err, STELE_ECORRUPT, "segment \"%s\": block %u has no rows", s->path, b);
	uint32_t last = tmp->n - 1;
	l->ts[k] = tmp->ts[last];
	for (uint32_t c = 0; c < nc; c++) {
		const ColVec *cv = &tmp->cols[c];
		size_t at = (size_t)k * nc + c;
		l->valid[at] = cv->valid[last];
		if (!cv->valid[last])
			l->v[at] = 0;
		else if (cv->type == STELE_TYPE_VARCHAR) {
			uint32_t len;
			const char *p = rows_str(tmp, cv->v[last], &len);
			uint64_t off = l->heap.len;
			buf_put(&l->heap, p, len);
			l->v[at] = (off << 32) | len;
		} else {
			l->v[at] = cv->v[last];
		}
	}
	return buf_check(&l->heap, err, "segment last rows");
}

int seg_last(Segment *s, const SegLast **out, StErr *err)
{
	pthread_mutex_lock(&s->last_mu);
	if (s->last) {
		*out = s->last;
		pthread_mutex_unlock(&s->last_mu);
		return STELE_OK;
	}
	SegLast *l = calloc(1, sizeof *l);
	uint32_t nsids = 0;
	for (uint32_t b = 0; b < s->nblocks; b++)
		nsids += b + 1 == s->nblocks || s->blocks[b + 1].sid != s->blocks[b].sid;
	int rc = STELE_OK;
	uint32_t nc = s->ncols;
	Rows tmp = {0};
	uint32_t *cols = malloc((nc + 1) * sizeof *cols);
	uint8_t *types = malloc(nc + 1);
	if (!l || !cols || !types) {
		rc = failf(err, STELE_ENOMEM, "out of memory reading a segment's last rows");
		goto out;
	}
	for (uint32_t c = 0; c < nc; c++) {
		cols[c] = s->cols[c].col;
		types[c] = s->cols[c].type;
	}
	l->ncols = nc;
	l->sid = malloc(((size_t)nsids + 1) * sizeof *l->sid);
	l->ts = malloc(((size_t)nsids + 1) * sizeof *l->ts);
	l->v = malloc(((size_t)nsids * nc + 1) * sizeof *l->v);
	l->valid = malloc((size_t)nsids * nc + 1);
	if (!l->sid || !l->ts || !l->v || !l->valid || rows_init(&tmp, nc, cols, types)) {
		rc = failf(err, STELE_ENOMEM, "out of memory reading a segment's last rows");
		goto out;
	}
	for (uint32_t b = 0; b < s->nblocks && rc == STELE_OK; b++)
		if (b + 1 == s->nblocks || s->blocks[b + 1].sid != s->blocks[b].sid)
			rc = last_of_block(s, b, l, l->n++, &tmp, err);
out:
	rows_free(&tmp);
	free(cols);
	free(types);
	if (rc) {
		seglast_free(l);
		pthread_mutex_unlock(&s->last_mu);
		return rc;
	}
	s->last = l;
	*out = l;
	pthread_mutex_unlock(&s->last_mu);
	return STELE_OK;
}

void seg_scratch_free(SegScratch *sc)
{
	free(sc->data);
	free(sc->dense);
	free(sc->offs);
	free(sc->done);
	buf_free(&sc->strs);
	memset(sc, 0, sizeof *sc);
}

/* Grows sc to hold a block of len bytes and n rows read into ncols columns. */
static bool scratch_reserve(SegScratch *sc, size_t len, uint32_t n, uint32_t ncols)
{
	if (len > sc->data_cap) {
		uint8_t *p = realloc(sc->data, len);
		if (!p)
			return false;
		sc->data = p;
		sc->data_cap = len;
	}
	if (n + 1 > sc->rows_cap) {
		uint64_t *d = realloc(sc->dense, ((size_t)n + 1) * sizeof *d);
		if (!d)
			return false;
		sc->dense = d;
		uint32_t *o = realloc(sc->offs, ((size_t)n + 1) * sizeof *o);
		if (!o)
			return false;
		sc->offs = o;
		sc->rows_cap = n + 1;
	}
	if (ncols + 1 > sc->done_cap) {
		uint8_t *p = realloc(sc->done, ncols + 1);
		if (!p)
			return false;
		sc->done = p;
		sc->done_cap = ncols + 1;
	}
	memset(sc->done, 0, ncols + 1);
	buf_reset(&sc->strs);
	return true;
}

int seg_read_block(Segment *s, uint32_t b, Rows *out, StErr *err)
{
	SegScratch sc = {0};
	int rc = seg_read_block_with(s, b, out, &sc, err);
	seg_scratch_free(&sc);
	return rc;
}

int seg_read_block_with(Segment *s, uint32_t b, Rows *out, SegScratch *sc, StErr *err)
{
	const BlockMeta *bm = &s->blocks[b];
	BlockDetail d;
	seg_block_detail(s, b, &d);
	uint32_t n = bm->nrows;
	int rc = STELE_OK;
	if (!scratch_reserve(sc, d.len, n, out->ncols) || rows_reserve(out, out->n + n)) {
		rc = failf(err, STELE_ENOMEM, "out of memory reading a segment");
		goto done;
	}
	uint8_t *data = sc->data, *done = sc->done;
	uint64_t *dense = sc->dense;
	uint32_t *offs = sc->offs;
	Buf *strs = &sc->strs;
	rc = seg_pread(s, data, d.len, d.off, err);
	if (rc)
		goto done;
	uint32_t crc;
	memcpy(&crc, data + d.len - 4, 4);
	if (crc32c(data, d.len - 4) != crc) {
		rc = corrupt(err, s, d.off, "block checksum mismatch");
		goto done;
	}
	uint32_t base = out->n;
	rc = codec_decode(STELE_TYPE_TIMESTAMP, data, d.ts_len, n, out->ts + base, NULL, err);
	for (uint32_t i = 0; rc == STELE_OK && i < n; i++) {
		out->sid[base + i] = bm->sid;
		if (out->ts[base + i] < bm->min_ts || out->ts[base + i] > bm->max_ts ||
		    (i > 0 && out->ts[base + i] <= out->ts[base + i - 1]))
			rc = corrupt(err, s, d.off, "timestamps out of order or range");
	}
	ChunkMeta cm;
	while (rc == STELE_OK && seg_next_chunk(s, &d, &cm)) {
		uint32_t col = s->cols[cm.slot].col;
		for (uint32_t c = 0; rc == STELE_OK && c < out->ncols; c++) {
			if (out->cols[c].col != col)
				continue;
			rc = read_chunk(s, &d, &cm, data, out, &out->cols[c], base, dense, offs, strs,
			                err);
			done[c] = 1;
		}
	}
	for (uint32_t c = 0; rc == STELE_OK && c < out->ncols; c++) {
		if (done[c])
			continue;
		memset(out->cols[c].v + base, 0, (size_t)n * sizeof *out->cols[c].v);
		memset(out->cols[c].valid + base, 0, n);
	}
	if (rc && err && !strstr(err->msg, s->path))
		err_prefix(err, "segment \"%s\" block at offset %llu", s->path,
		           (unsigned long long)d.off);
	if (rc == STELE_OK)
		out->n += n;
done:
	return rc;
}

int seg_verify(Segment *s, StErr *err)
{
	EVP_MD_CTX *sha = EVP_MD_CTX_new();
	uint8_t *buf = malloc(SEG_WRITE_CHUNK);
	int rc = STELE_OK;
	if (!sha || !buf || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
		rc = failf(err, STELE_ENOMEM, "out of memory verifying a segment");
		goto done;
	}
	uint64_t end = s->info.size - SEG_DIGEST - 8;
	for (uint64_t off = 0; off < end && rc == STELE_OK;) {
		size_t n = end - off > SEG_WRITE_CHUNK ? SEG_WRITE_CHUNK : (size_t)(end - off);
		rc = seg_pread(s, buf, n, off, err);
		if (rc == STELE_OK && EVP_DigestUpdate(sha, buf, n) != 1)
			rc = failf(err, STELE_ENOMEM, "could not compute a digest");
		off += n;
	}
	uint8_t digest[SEG_DIGEST];
	if (rc == STELE_OK && EVP_DigestFinal_ex(sha, digest, NULL) != 1)
		rc = failf(err, STELE_ENOMEM, "could not compute a digest");
	if (rc == STELE_OK && memcmp(digest, s->info.digest, SEG_DIGEST) != 0)
		rc = corrupt(err, s, 0, "content digest mismatch");
	for (uint32_t b = 0; b < s->nblocks && rc == STELE_OK; b++) {
		BlockDetail d;
		seg_block_detail(s, b, &d);
		uint8_t *data = malloc(d.len);
		if (!data) {
			rc = failf(err, STELE_ENOMEM, "out of memory verifying a segment");
			break;
		}
		rc = seg_pread(s, data, d.len, d.off, err);
		uint32_t crc;
		if (rc == STELE_OK) {
			memcpy(&crc, data + d.len - 4, 4);
			if (crc32c(data, d.len - 4) != crc)
				rc = corrupt(err, s, d.off, "block checksum mismatch");
		}
		free(data);
	}
done:
	EVP_MD_CTX_free(sha);
	free(buf);
	return rc;
}
