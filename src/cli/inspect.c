/*
 * inspect.c - stele inspect FILE...: the structure of each WAL, segment,
 * manifest or series file, for debugging (like SQLite's showdb/showwal). The file
 * kind comes from its magic; every checksum is checked and reported.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "storage/batch.h"
#include "storage/codecs/codec.h"
#include "storage/manifest.h"
#include "storage/segment.h"
#include "storage/wal.h"
#include "util/crc32c.h"
#include "util/io.h"
#include "util/timeutil.h"

static const char *fmt_ts(int64_t ns, char *buf, size_t n)
{
	return time_format(ns, buf, n);
}

/* Counts the operations of a WAL batch payload. */
static void batch_summary(const uint8_t *p, size_t n)
{
	Rd r = rd_make(p, n);
	uint64_t ops[8] = {0}, rows = 0;
	while (rd_left(&r) > 0 && !r.bad) {
		uint8_t op = rd_u8(&r);
		size_t len;
		switch (op) {
		case OP_TABLE:
			rd_varint(&r), rd_str(&r, &len), rd_svarint(&r);
			break;
		case OP_COLUMN:
			rd_varint(&r), rd_varint(&r), rd_u8(&r), rd_u8(&r), rd_str(&r, &len);
			break;
		case OP_SERIES: {
			rd_varint(&r), rd_varint(&r), rd_u64(&r), rd_u64(&r);
			uint64_t k = rd_varint(&r);
			for (uint64_t i = 0; i < k && !r.bad; i++)
				rd_varint(&r), rd_str(&r, &len);
			break;
		}
		case OP_ROWS:
			/* Rows need the catalog to decode; count and stop. */
			rd_varint(&r);
			rows += rd_varint(&r);
			ops[op]++;
			printf("    ops: %" PRIu64 " tables, %" PRIu64 " columns, %" PRIu64
			       " series defined; %" PRIu64 " rows\n",
			       ops[OP_TABLE], ops[OP_COLUMN], ops[OP_SERIES], rows);
			return;
		case OP_RETENTION:
			rd_varint(&r), rd_svarint(&r);
			break;
		case OP_DELETE: {
			Tomb t;
			if (tomb_decode(&r, &t, NULL)) {
				printf("    bad delete operation\n");
				return;
			}
			char a[48], b[48];
			printf("    delete: table %u, %s .. %s, %u tag predicate%s\n", t.table,
			       fmt_ts(t.tmin, a, sizeof a), fmt_ts(t.tmax, b, sizeof b), t.npreds,
			       t.npreds == 1 ? "" : "s");
			tomb_free(&t);
			break;
		}
		case OP_DROP_TABLE:
			printf("    drop table %" PRIu64 "\n", rd_varint(&r));
			break;
		default:
			printf("    unknown operation %u\n", op);
			return;
		}
		if (op < 8)
			ops[op]++;
	}
	printf("    ops: %" PRIu64 " tables, %" PRIu64 " columns, %" PRIu64 " series defined, %" PRIu64
	       " retention changes, %" PRIu64 " deletes, %" PRIu64 " table drops\n",
	       ops[OP_TABLE], ops[OP_COLUMN], ops[OP_SERIES], ops[OP_RETENTION], ops[OP_DELETE],
	       ops[OP_DROP_TABLE]);
}

static int inspect_wal(const char *path, const uint8_t *d, size_t n)
{
	uint32_t version;
	memcpy(&version, d + 8, 4);
	printf("WAL file %s: %zu bytes, format version %u\n", path, n, version);
	uint64_t off = WAL_HEADER, nrec = 0;
	while (off < n) {
		if (n - off < WAL_REC_HEADER) {
			printf("  offset %" PRIu64 ": %zu trailing bytes (torn header)\n", off,
			       (size_t)(n - off));
			return 1;
		}
		uint32_t crc, len;
		uint64_t seq, synced;
		memcpy(&crc, d + off, 4);
		memcpy(&len, d + off + 4, 4);
		memcpy(&seq, d + off + 8, 8);
		memcpy(&synced, d + off + 16, 8);
		if (len > n - off - WAL_REC_HEADER) {
			printf("  offset %" PRIu64 ": record of %u bytes runs past the end (torn tail)\n",
			       off, len);
			return 1;
		}
		bool ok = crc32c(d + off + 4, WAL_REC_HEADER - 4 + (size_t)len) == crc;
		printf("  offset %" PRIu64 ": seq %" PRIu64 ", type %u, %u bytes, synced %" PRIu64
		       ", checksum %s\n",
		       off, seq, d[off + 24], len, synced, ok ? "ok" : "BAD");
		if (ok)
			batch_summary(d + off + WAL_REC_HEADER, len);
		off += WAL_REC_HEADER + (uint64_t)len;
		nrec++;
	}
	printf("  %" PRIu64 " records\n", nrec);
	return 0;
}

static void print_stat(uint8_t type, const ChunkStats *st)
{
	double a, b;
	switch (type) {
	case STELE_TYPE_DOUBLE:
		memcpy(&a, &st->min, 8);
		memcpy(&b, &st->max, 8);
		printf(" min %.17g max %.17g sum %.17g", a, b, st->sum.f);
		break;
	case STELE_TYPE_BIGINT:
		printf(" min %" PRId64 " max %" PRId64 " sum %.0Lf", (int64_t)st->min, (int64_t)st->max,
		       (long double)st->sum.i);
		break;
	case STELE_TYPE_UBIGINT:
		printf(" min %" PRIu64 " max %" PRIu64 " sum %.0Lf", st->min, st->max,
		       (long double)(unsigned __int128)st->sum.i);
		break;
	case STELE_TYPE_BOOLEAN:
		printf(" true %.0Lf", (long double)st->sum.i);
		break;
	default:
		break;
	}
}

static int inspect_segment(const char *path, const uint8_t *d, size_t n)
{
	if (n < SEG_HEADER + SEG_FOOTER) {
		printf("segment %s: only %zu bytes\n", path, n);
		return 1;
	}
	SegInfo info = {0};
	uint32_t version;
	memcpy(&version, d + 8, 4);
	memcpy(&info.table, d + 12, 4);
	memcpy(&info.part_start, d + 16, 8);
	memcpy(&info.id, d + 24, 8);
	memcpy(info.digest, d + n - 40, SEG_DIGEST);
	info.size = n;
	char when[48];
	printf("segment %s: %zu bytes, format version %u, table %u, partition %s, id %" PRIu64 "\n",
	       path, n, version, info.table, fmt_ts(info.part_start, when, sizeof when), info.id);
	Segment *s;
	StErr err;
	int rc = seg_open_path(path, &info, &s, &err);
	if (rc) {
		printf("  could not open: %s\n", err.msg);
		return 1;
	}
	printf("  %u columns:", s->ncols);
	for (uint32_t c = 0; c < s->ncols; c++)
		printf(" #%u(%s)", s->cols[c].col, stele_type_name(s->cols[c].type));
	printf("\n  %u blocks\n", s->nblocks);
	for (uint32_t b = 0; b < s->nblocks; b++) {
		const BlockMeta *bm = &s->blocks[b];
		BlockDetail bd;
		seg_block_detail(s, b, &bd);
		char t1[48], t2[48];
		printf("  block %u: sid %u, %u rows, %s .. %s, offset %" PRIu64 ", %u bytes (ts %u, %s)\n",
		       b, bm->sid, bm->nrows, fmt_ts(bm->min_ts, t1, sizeof t1),
		       fmt_ts(bm->max_ts, t2, sizeof t2), bd.off, bd.len, bd.ts_len,
		       codec_name(d[bd.off]));
		ChunkMeta cm;
		while (seg_next_chunk(s, &bd, &cm)) {
			uint32_t skip = cm.nnull ? (bm->nrows + 7) / 8 : 0;
			uint8_t type = s->cols[cm.slot].type;
			printf("    column #%u: %u bytes, %u nulls, %s,", s->cols[cm.slot].col, cm.len,
			       cm.nnull, skip < cm.len ? codec_name(d[bd.off + cm.off + skip]) : "-");
			print_stat(type, &cm.st);
			printf("\n");
		}
	}
	rc = seg_verify(s, &err);
	printf("  block checksums and content digest: %s\n", rc ? err.msg : "ok");
	seg_unref(s);
	return rc ? 1 : 0;
}

static int inspect_manifest(const char *path, const uint8_t *d, size_t n)
{
	ManifestState ms;
	Catalog cat = {0};
	SegInfo *infos;
	uint32_t ns, nt;
	Tomb *tombs;
	StErr err;
	if (manifest_decode(d, n, path, &ms, &cat, &infos, &ns, &tombs, &nt, &err)) {
		printf("%s\n", err.msg);
		return 1;
	}
	printf("manifest %s: %zu bytes, number %" PRIu64 ", checkpoint seq %" PRIu64
	       ", next segment id %" PRIu64 ", series.dat committed %" PRIu64 " bytes\n",
	       path, n, ms.number, ms.checkpoint, ms.next_seg_id, ms.series_len);
	for (uint32_t i = 0; i < cat.ntables; i++) {
		const Table *t = cat.tables[i];
		if (!t)
			continue;
		printf("  table %u \"%s\": partition %" PRId64 " s, retention %" PRId64 " s\n", t->id,
		       t->name, (int64_t)(t->partition_ns / NS_PER_S),
		       (int64_t)(t->retention_ns / NS_PER_S));
		for (uint32_t c = 0; c < t->ncols; c++)
			printf("    #%u %s %s %s\n", c, t->cols[c].name, stele_type_name(t->cols[c].type),
			       t->cols[c].kind == COL_TAG ? "tag" : t->cols[c].kind == COL_FIELD ? "field"
			                                                                         : "time");
	}
	for (uint32_t i = 0; i < ns; i++) {
		char a[48], b[48];
		printf("  segment %" PRIu64 ": table %u, partition %s, %" PRIu64 " rows, %s .. %s, %" PRIu64
		       " bytes, max seq %" PRIu64 "\n",
		       infos[i].id, infos[i].table, fmt_ts(infos[i].part_start, a, sizeof a),
		       infos[i].nrows, fmt_ts(infos[i].min_ts, a, sizeof a),
		       fmt_ts(infos[i].max_ts, b, sizeof b), infos[i].size, infos[i].max_seq);
	}
	for (uint32_t i = 0; i < nt; i++) {
		char a[48], b[48];
		printf("  delete (seq %" PRIu64 ") not yet in every segment: table %u, %s .. %s, %u tag "
		       "predicate%s\n",
		       tombs[i].seq, tombs[i].table, fmt_ts(tombs[i].tmin, a, sizeof a),
		       fmt_ts(tombs[i].tmax, b, sizeof b), tombs[i].npreds,
		       tombs[i].npreds == 1 ? "" : "s");
		tomb_free(&tombs[i]);
	}
	free(tombs);
	free(infos);
	catalog_free(&cat);
	return 0;
}

static int inspect_series(const char *path, const uint8_t *d, size_t n)
{
	printf("series file %s: %zu bytes\n", path, n);
	uint64_t off = 16;
	int bad = 0;
	while (off < n) {
		if (n - off < 8) {
			printf("  offset %" PRIu64 ": %zu trailing bytes\n", off, (size_t)(n - off));
			return 1;
		}
		uint32_t crc, len;
		memcpy(&crc, d + off, 4);
		memcpy(&len, d + off + 4, 4);
		if (len > n - off - 8) {
			printf("  offset %" PRIu64 ": chunk of %u bytes runs past the end\n", off, len);
			return 1;
		}
		bool ok = crc32c(d + off + 4, 4 + (size_t)len) == crc;
		uint64_t vals = 0, ser = 0;
		Rd r = rd_make(d + off + 8, len);
		while (ok && rd_left(&r) > 0 && !r.bad) {
			uint8_t kind = rd_u8(&r);
			size_t sl;
			if (kind == 1) {
				rd_varint(&r), rd_varint(&r), rd_varint(&r), rd_str(&r, &sl);
				vals++;
			} else if (kind == 2) {
				rd_varint(&r), rd_varint(&r), rd_u64(&r), rd_u64(&r);
				uint64_t k = rd_varint(&r);
				for (uint64_t i = 0; i < k && !r.bad; i++)
					rd_varint(&r);
				ser++;
			} else {
				r.bad = true;
			}
		}
		printf("  offset %" PRIu64 ": chunk of %u bytes, checksum %s, %" PRIu64
		       " tag values, %" PRIu64 " series%s\n",
		       off, len, ok ? "ok" : "BAD", vals, ser, r.bad ? " (bad entry)" : "");
		bad |= !ok || r.bad;
		off += 8 + (uint64_t)len;
	}
	return bad;
}

static int inspect_one(const char *path)
{
	uint8_t *d;
	size_t n;
	StErr err;
	if (io_read_file(path, &d, &n, SIZE_MAX / 2, &err))
		return cli_fail("inspect", EXIT_FAILED, "%s", err.msg);
	int rc;
	if (n >= 8 && memcmp(d, "STELEWAL", 8) == 0)
		rc = inspect_wal(path, d, n);
	else if (n >= 8 && memcmp(d, "STELESEG", 8) == 0)
		rc = inspect_segment(path, d, n);
	else if (n >= 8 && memcmp(d, "STELEMAN", 8) == 0)
		rc = inspect_manifest(path, d, n);
	else if (n >= 8 && memcmp(d, "STELESER", 8) == 0)
		rc = inspect_series(path, d, n);
	else
		rc = cli_fail("inspect", EXIT_FAILED, "\"%s\" is not a Stele file", path);
	free(d);
	return rc;
}

int cmd_inspect(int argc, char **argv)
{
	if (argc < 2)
		return cli_fail("inspect", EXIT_USAGE, "usage: stele inspect FILE...");
	int worst = 0;
	for (int i = 1; i < argc; i++) {
		int rc = inspect_one(argv[i]);
		if (rc > worst)
			worst = rc;
	}
	return worst;
}
