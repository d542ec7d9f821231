/*
 * bench_codec.c - compression and speed of the column codecs.
 *
 *     build/bench/bench_codec [--hosts N] [--quick]
 *
 * Generates characteristic columns, cuts them into blocks (never across a
 * series), encodes and decodes every block, checks the round trip, and
 * prints per dataset and codec: bits per value, encode and decode speed in
 * MB/s of raw values (8 bytes a number, 1 a boolean, the string bytes plus 4
 * a string), and which codecs the automatic choice took.
 *
 * Then the TSBS devops cpu-only dataset as a whole: per host ten integer
 * fields, each a random walk with N(0,1) steps clamped to [0, 100] and
 * truncated to an integer, one row every 10 s for a day (8640 rows),
 * timestamps in ns, host-major order. For block sizes 1024, 4096 and 8192
 * and zstd levels 0, 1, 3: bytes per field value, timestamps included,
 * counting the codec streams alone and with an assumed block overhead
 * (see BLOCK_OVERHEAD), next to a VictoriaMetrics-style baseline.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "storage/codecs/codec.h"
#include "util/buf.h"

/* Assumed per-block cost outside the codec streams, for the "on disk"
 * figure: a 32-byte block header, and per column a 4-byte stream length and
 * 48 bytes of statistics (count, min, max, sum, first, last). The segment
 * format decides the real figure. */
#define BLOCK_HEADER 32
#define COLUMN_OVERHEAD (4 + 48)
#define DAY_ROWS 8640
#define AUTO 0xff

static uint64_t rng_s = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
	rng_s ^= rng_s >> 12;
	rng_s ^= rng_s << 25;
	rng_s ^= rng_s >> 27;
	return rng_s * 2685821657736338717ULL;
}

static double unif(void) { return (double)(rnd() >> 11) * 0x1p-53; }

static double normal(void)
{
	static int have;
	static double spare;
	if (have) {
		have = 0;
		return spare;
	}
	double u = unif(), v = unif();
	double r = sqrt(-2.0 * log(u > 0 ? u : 0x1p-53));
	spare = r * sin(2 * M_PI * v);
	have = 1;
	return r * cos(2 * M_PI * v);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A column cut into blocks. */
typedef struct Block {
	const void *vals;  /* into the dataset's array, or a StrVec for strings */
	size_t n;
	StrVec sv;         /* strings: offsets rebased to 0 */
} Block;

typedef struct Dataset {
	const char *name;
	stele_type type;
	void *vals;        /* the whole column */
	size_t n;
	StrVec sv;         /* strings */
	size_t series;     /* series length: blocks never cross a series */
	Block *blocks;
	size_t nblocks;
	double raw_bytes;  /* for MB/s */
} Dataset;

static size_t esize(stele_type t) { return t == STELE_TYPE_BOOLEAN ? 1 : 8; }

/* Cuts every series into blocks of bs rows, the last one shorter; or,
 * balanced, into the same number of blocks of equal length (8640 rows at
 * bs = 8192: two of 4320 rather than 8192 and 448). */
static void cut_blocks_as(Dataset *d, size_t bs, bool balanced)
{
	free(d->blocks);
	for (size_t i = 0; d->type == STELE_TYPE_VARCHAR && i < d->nblocks; i++)
		free((void *)d->blocks[i].sv.offs);
	size_t nb = 0;
	for (size_t s = 0; s < d->n; s += d->series)
		nb += (d->series + bs - 1) / bs;
	d->blocks = calloc(nb, sizeof *d->blocks);
	d->nblocks = 0;
	if (balanced) {
		size_t nper = (d->series + bs - 1) / bs;
		bs = (d->series + nper - 1) / nper;
	}
	for (size_t s = 0; s < d->n; s += d->series) {
		for (size_t at = s; at < s + d->series; at += bs) {
			Block *b = &d->blocks[d->nblocks++];
			b->n = at + bs <= s + d->series ? bs : s + d->series - at;
			if (d->type == STELE_TYPE_VARCHAR) {
				uint32_t *o = malloc((b->n + 1) * sizeof *o);
				for (size_t i = 0; i <= b->n; i++)
					o[i] = d->sv.offs[at + i] - d->sv.offs[at];
				b->sv.offs = o;
				b->sv.bytes = d->sv.bytes + d->sv.offs[at];
				b->vals = &b->sv;
			} else {
				b->vals = (const char *)d->vals + at * esize(d->type);
			}
		}
	}
}

static void cut_blocks(Dataset *d, size_t bs) { cut_blocks_as(d, bs, false); }

typedef struct Result {
	size_t bytes;       /* codec streams */
	double enc_mbs, dec_mbs;
	size_t mix[256];    /* blocks per header byte */
} Result;

/* Encodes and decodes every block (repeated until it has run a while) and
 * checks the round trip. header AUTO: codec_encode(); else forced. */
static int run(Dataset *d, uint8_t header, int level, Result *res)
{
	memset(res, 0, sizeof *res);
	Buf out = {0};
	size_t *at = malloc((d->nblocks + 1) * sizeof *at);
	StErr err = {0};
	int reps = 0;
	double t0 = now_s(), t = 0;
	do {
		buf_reset(&out);
		for (size_t i = 0; i < d->nblocks; i++) {
			at[i] = out.len;
			Block *b = &d->blocks[i];
			int rc = header == AUTO
			                 ? codec_encode(d->type, b->vals, b->n, level, &out, &err)
			                 : codec_encode_as(d->type, b->vals, b->n, header, level, &out,
			                                   &err);
			if (rc != STELE_OK) {
				buf_free(&out);
				free(at);
				return rc;
			}
		}
		at[d->nblocks] = out.len;
		reps++;
		t = now_s() - t0;
	} while (t < 0.25);
	res->enc_mbs = d->raw_bytes * reps / t / 1e6;
	res->bytes = out.len;
	for (size_t i = 0; i < d->nblocks; i++)
		res->mix[out.data[at[i]]]++;

	size_t maxn = 0;
	for (size_t i = 0; i < d->nblocks; i++)
		maxn = d->blocks[i].n > maxn ? d->blocks[i].n : maxn;
	void *dec = malloc((maxn + 1) * 8);
	Buf sb = {0};
	reps = 0;
	t0 = now_s();
	do {
		for (size_t i = 0; i < d->nblocks; i++) {
			Block *b = &d->blocks[i];
			int rc = codec_decode(d->type, out.data + at[i], at[i + 1] - at[i], b->n, dec, &sb,
			                      &err);
			if (rc != STELE_OK) {
				fprintf(stderr, "%s: decode failed: %s\n", d->name, err.msg);
				exit(1);
			}
			if (reps == 0) {
				bool same = d->type == STELE_TYPE_VARCHAR
				                    ? memcmp(dec, b->sv.offs, (b->n + 1) * 4) == 0 &&
				                              memcmp(sb.data, b->sv.bytes, sb.len) == 0
				                    : memcmp(dec, b->vals, b->n * esize(d->type)) == 0;
				if (!same) {
					fprintf(stderr, "%s: round trip failed in block %zu\n", d->name, i);
					exit(1);
				}
			}
		}
		reps++;
		t = now_s() - t0;
	} while (t < 0.25);
	res->dec_mbs = d->raw_bytes * reps / t / 1e6;
	free(dec);
	buf_free(&sb);
	buf_free(&out);
	free(at);
	return STELE_OK;
}

static void print_mix(const Result *r, size_t nblocks, char *s, size_t cap)
{
	size_t len = 0;
	s[0] = 0;
	for (int h = 0; h < 256; h++) {
		if (!r->mix[h])
			continue;
		len += (size_t)snprintf(s + len, cap - len, "%s%s %.0f%%", len ? ", " : "",
		                        codec_name((uint8_t)h), 100.0 * r->mix[h] / nblocks);
		if (len >= cap)
			break;
	}
}

static void report(Dataset *d, uint8_t header, int level)
{
	Result r;
	if (run(d, header, level, &r) != STELE_OK)
		return;  /* the codec does not fit these values (CONST) */
	char name[32], mix[160] = "";
	if (header == AUTO)
		snprintf(name, sizeof name, "auto (zstd %d)", level);
	else
		snprintf(name, sizeof name, "%s", codec_name(header));
	if (header == AUTO)
		print_mix(&r, d->nblocks, mix, sizeof mix);
	printf("%-16s %-16s %9.3f %10.0f %10.0f   %s\n", d->name, name, 8.0 * r.bytes / d->n,
	       r.enc_mbs, r.dec_mbs, mix);
}

/* ---- datasets ------------------------------------------------------------ */

static Dataset *devops_ts, *devops_fields;

static Dataset *new_dataset(const char *name, stele_type type, size_t n, size_t series)
{
	Dataset *d = calloc(1, sizeof *d);
	d->name = name;
	d->type = type;
	d->n = n;
	d->series = series ? series : n;
	if (type != STELE_TYPE_VARCHAR)
		d->vals = malloc(n * esize(type));
	d->raw_bytes = (double)n * esize(type);
	return d;
}

/* TSBS devops cpu-only: timestamps, and the ten fields of every host, each
 * field of a host one series (host-major: a block holds one host's rows). */
static void make_devops(size_t hosts)
{
	devops_ts = new_dataset("devops ts", STELE_TYPE_TIMESTAMP, hosts * DAY_ROWS, DAY_ROWS);
	devops_fields = new_dataset("devops fields", STELE_TYPE_BIGINT, hosts * 10 * DAY_ROWS,
	                            DAY_ROWS);
	int64_t *ts = devops_ts->vals, *f = devops_fields->vals;
	const int64_t start = 1451606400LL * 1000000000LL;  /* 2016-01-01T00:00:00Z */
	for (size_t h = 0; h < hosts; h++) {
		for (size_t r = 0; r < DAY_ROWS; r++)
			ts[h * DAY_ROWS + r] = start + (int64_t)r * 10 * 1000000000LL;
		for (size_t k = 0; k < 10; k++) {
			double x = unif() * 100.0;
			int64_t *s = f + (h * 10 + k) * DAY_ROWS;
			for (size_t r = 0; r < DAY_ROWS; r++) {
				x += normal();
				x = x < 0 ? 0 : x > 100 ? 100 : x;
				s[r] = (int64_t)x;
			}
		}
	}
}

static Dataset *make_tsbs_floats(size_t hosts)
{
	/* The same walk as TSBS really stores it: full-precision doubles. */
	Dataset *d = new_dataset("devops floats", STELE_TYPE_DOUBLE, hosts * DAY_ROWS, DAY_ROWS);
	double *v = d->vals;
	for (size_t h = 0; h < hosts; h++) {
		double x = unif() * 100.0;
		for (size_t r = 0; r < DAY_ROWS; r++) {
			x += normal();
			x = x < 0 ? 0 : x > 100 ? 100 : x;
			v[h * DAY_ROWS + r] = x;
		}
	}
	return d;
}

static Dataset *make_temps(size_t n)
{
	Dataset *d = new_dataset("temperature", STELE_TYPE_DOUBLE, n, DAY_ROWS);
	double *v = d->vals, x = 20;
	for (size_t i = 0; i < n; i++) {
		if (i % DAY_ROWS == 0)
			x = 15 + unif() * 10;
		x += normal() * 0.05;
		v[i] = round(x * 10) / 10;  /* one decimal, as a sensor reports it */
	}
	return d;
}

static Dataset *make_gps(size_t n)
{
	/* Vehicles: latitude and longitude with 6 decimals (about 0.1 m),
	 * moving a few metres a sample; one column of latitudes. */
	Dataset *d = new_dataset("gps latitude", STELE_TYPE_DOUBLE, n, DAY_ROWS);
	double *v = d->vals, lat = 0, vel = 0;
	for (size_t i = 0; i < n; i++) {
		if (i % DAY_ROWS == 0)
			lat = 40 + unif() * 15, vel = 0;
		vel = 0.9 * vel + normal() * 2e-5;
		lat += vel;
		v[i] = round(lat * 1e6) / 1e6;
	}
	return d;
}

static Dataset *make_precise(size_t n)
{
	Dataset *d = new_dataset("random doubles", STELE_TYPE_DOUBLE, n, 0);
	double *v = d->vals;
	for (size_t i = 0; i < n; i++)
		v[i] = unif() * 1000.0;
	return d;
}

static Dataset *make_float32(size_t n)
{
	/* A sensor that reports float32 (most MCUs), stored widened. */
	Dataset *d = new_dataset("float32 sensor", STELE_TYPE_DOUBLE, n, DAY_ROWS);
	double *v = d->vals, x = 0;
	for (size_t i = 0; i < n; i++) {
		if (i % DAY_ROWS == 0)
			x = 900 + unif() * 200;  /* hPa */
		x += normal() * 0.01;
		v[i] = (double)(float)x;
	}
	return d;
}

static Dataset *make_counter(size_t n)
{
	Dataset *d = new_dataset("counter", STELE_TYPE_BIGINT, n, DAY_ROWS);
	int64_t *v = d->vals, c = 0;
	for (size_t i = 0; i < n; i++) {
		c += (int64_t)(rnd() % 2000);  /* bytes sent per 10 s */
		v[i] = c;
	}
	return d;
}

static Dataset *make_jitter_ts(size_t n)
{
	Dataset *d = new_dataset("jittered ts", STELE_TYPE_TIMESTAMP, n, DAY_ROWS);
	int64_t *v = d->vals;
	for (size_t i = 0; i < n; i++)  /* 10 s +- up to 5 ms of network jitter */
		v[i] = 1451606400LL * 1000000000LL + (int64_t)i * 10000000000LL +
		       (int64_t)(rnd() % 10000000) - 5000000;
	return d;
}

static Dataset *make_bools(size_t n)
{
	Dataset *d = new_dataset("alarm flag", STELE_TYPE_BOOLEAN, n, DAY_ROWS);
	uint8_t *v = d->vals, on = 0;
	for (size_t i = 0; i < n; i++) {
		if (rnd() % 500 == 0)
			on = !on;
		v[i] = on;
	}
	return d;
}

static Dataset *make_strings(const char *name, size_t n, int distinct)
{
	Dataset *d = new_dataset(name, STELE_TYPE_VARCHAR, n, DAY_ROWS);
	uint32_t *offs = malloc((n + 1) * sizeof *offs);
	Buf bytes = {0};
	offs[0] = 0;
	for (size_t i = 0; i < n; i++) {
		char tmp[64];
		int k = distinct ? snprintf(tmp, sizeof tmp, "%016llx", (unsigned long long)rnd())
		                 : snprintf(tmp, sizeof tmp, "state_%s",
		                            (const char *[]){"idle", "running", "error", "stopped"}
		                                    [rnd() % 64 ? (i / 700) % 2 : rnd() % 4]);
		buf_put(&bytes, tmp, (size_t)k);
		offs[i + 1] = (uint32_t)bytes.len;
	}
	d->sv.offs = offs;
	d->sv.bytes = (const char *)bytes.data;
	d->raw_bytes = (double)bytes.len + 4.0 * n;
	return d;
}

/* ---- the devops total and a VictoriaMetrics-style baseline --------------- */

/* VictoriaMetrics stores a block (up to 8192 rows of a series) as zigzag
 * varint deltas (delta-of-deltas for timestamps) compressed with zstd at a
 * level that grows with the block (lib/encoding). This is our rendering of
 * that idea for comparison, not VictoriaMetrics' code: codec streams only. */
static size_t vm_block(const int64_t *v, size_t n, bool dod)
{
	Buf b = {0};
	int64_t prev = 0, prevd = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t d = (int64_t)((uint64_t)v[i] - (uint64_t)prev);
		buf_put_svarint(&b, dod && i > 1 ? (int64_t)((uint64_t)d - (uint64_t)prevd) : d);
		prevd = d;
		prev = v[i];
	}
	int level = n <= 128 ? 1 : n <= 1024 ? 2 : n <= 8192 ? 3 : 4;
	size_t cap = ZSTD_compressBound(b.len);
	void *z = malloc(cap);
	size_t zn = ZSTD_compress(z, cap, b.data, b.len, level);
	free(z);
	size_t out = zn < b.len ? zn : b.len;
	buf_free(&b);
	return out + 1;
}

static void devops_total(size_t bs, bool balanced)
{
	cut_blocks_as(devops_ts, bs, balanced);
	cut_blocks_as(devops_fields, bs, balanced);
	double nvals = (double)devops_fields->n;
	size_t blocks = devops_ts->nblocks;  /* a block: ts + 10 fields */
	double overhead = (double)blocks * (BLOCK_HEADER + 11 * COLUMN_OVERHEAD);
	for (int li = 0; li < 3; li++) {
		static const int levels[] = {0, 1, 3};
		Result rt, rf;
		run(devops_ts, AUTO, levels[li], &rt);
		run(devops_fields, AUTO, levels[li], &rf);
		double codec = (double)(rt.bytes + rf.bytes);
		char mix[160];
		print_mix(&rf, devops_fields->nblocks, mix, sizeof mix);
		printf("%6zu%s zstd %d  %8.4f  %8.4f  %8.4f  %8.4f   %8.0f %8.0f   %s\n", bs,
		       balanced ? "b" : " ", levels[li], 8.0 * rt.bytes / devops_ts->n, 8.0 * rf.bytes / nvals,
		       codec / nvals, (codec + overhead) / nvals, rf.enc_mbs, rf.dec_mbs, mix);
	}
	size_t vm = 0;
	for (size_t i = 0; i < devops_ts->nblocks; i++)
		vm += vm_block(devops_ts->blocks[i].vals, devops_ts->blocks[i].n, true);
	for (size_t i = 0; i < devops_fields->nblocks; i++)
		vm += vm_block(devops_fields->blocks[i].vals, devops_fields->blocks[i].n, false);
	printf("%6zu%s VM-style                      %8.4f  %8.4f\n", bs, balanced ? "b" : " ",
	       vm / nvals,
	       (vm + overhead) / nvals);
}

int main(int argc, char **argv)
{
	size_t hosts = 100;
	bool quick = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hosts") && i + 1 < argc)
			hosts = (size_t)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--quick"))
			quick = true;
		else {
			fprintf(stderr, "usage: bench_codec [--hosts N] [--quick]\n");
			return 2;
		}
	}
	if (quick)
		hosts = 10;
	size_t n = hosts * DAY_ROWS;
	make_devops(hosts);
	Dataset *sets[] = {
		devops_ts,         devops_fields,       make_jitter_ts(n), make_counter(n),
		make_temps(n),     make_gps(n),         make_precise(n),   make_tsbs_floats(hosts),
		make_float32(n),
		make_bools(n),     make_strings("states", n, 0), make_strings("unique ids", n, 1),
	};
	const size_t bs = 4096;
	printf("Per dataset, blocks of %zu rows; MB/s of raw values, one core.\n\n", bs);
	printf("%-16s %-16s %9s %10s %10s   %s\n", "dataset", "codec", "bits/val", "enc MB/s",
	       "dec MB/s", "automatic choice");
	for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
		Dataset *d = sets[s];
		cut_blocks(d, bs);
		report(d, AUTO, 0);
		report(d, AUTO, 3);
		static const uint8_t ints[] = {CODEC_PLAIN, CODEC_DOD, CODEC_DELTA, CODEC_FOR};
		static const uint8_t dbls[] = {CODEC_PLAIN, CODEC_ALP, CODEC_ALP_RD, CODEC_CHIMP,
		                               CODEC_IEEE};
		static const uint8_t bools[] = {CODEC_PLAIN, CODEC_BITMAP};
		static const uint8_t strs[] = {CODEC_PLAIN, CODEC_DICT};
		const uint8_t *ids = d->type == STELE_TYPE_DOUBLE    ? dbls
		                     : d->type == STELE_TYPE_BOOLEAN ? bools
		                     : d->type == STELE_TYPE_VARCHAR ? strs
		                                                     : ints;
		size_t nids = d->type == STELE_TYPE_DOUBLE    ? 5
		              : d->type == STELE_TYPE_BOOLEAN ? 2
		              : d->type == STELE_TYPE_VARCHAR ? 2
		                                              : 4;
		for (size_t k = 0; k < nids && !quick; k++) {
			report(d, ids[k], 0);
			report(d, ids[k] | CODEC_ZSTD, 3);
		}
		printf("\n");
	}

	printf("TSBS devops cpu-only, %zu hosts x %d rows x 10 integer fields.\n", hosts, DAY_ROWS);
	printf("bits/val: per timestamp and per field value; B/val: bytes per field value,\n"
	       "timestamps included, codec streams alone and with an assumed block\n"
	       "overhead of %d + 11 x %d bytes. MB/s: the fields.\n\n",
	       BLOCK_HEADER, COLUMN_OVERHEAD);
	printf("VM-style: our rendering of VictoriaMetrics' scheme (varint deltas + zstd),\n"
	       "not VictoriaMetrics itself; src/storage/codecs/README.md has a measurement\n"
	       "of VictoriaMetrics 1.79.5 on this dataset (0.356 bytes a value).\n\n");
	printf("%6s  %-6s  %8s  %8s  %8s  %8s   %8s %8s   %s\n", "block", "", "ts b/v",
	       "field b/v", "B/val", "+ovhd", "enc MB/s", "dec MB/s", "field codecs");
	static const size_t bsizes[] = {1024, 4096, 8192, 16384};
	for (size_t i = 0; i < 4; i++)
		devops_total(bsizes[i], false);
	printf("Balanced (b): a series' blocks of equal length, at most the block size.\n");
	devops_total(4096, true);
	devops_total(8192, true);
	return 0;
}
