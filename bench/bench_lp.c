/*
 * bench_lp.c - line-protocol parsing speed on one core.
 *
 * Builds about 100 MB of TSBS devops cpu-only lines in memory (the format of
 * gen_devops: ten tags, ten integer fields, nanosecond timestamps) in two
 * orders, host-major (gen_devops's order; a source's points in a run) and
 * time-major (TSBS's order; no two consecutive lines of one series), then
 * parses each for a few seconds in batches of 1 MiB (the size of a typical
 * HTTP write body: 5,000 lines of Telegraf or an InfluxDB client) and of
 * 4 MiB (what `stele import` parses at once), and prints MB/s and lines/s of
 * the best of three passes for each. A line that repeats a recent line's
 * measurement and tags shares their parse, in either order.
 *
 *   bench_lp [--mb N] [--seconds S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/lp.h"
#include "util/timeutil.h"


/* One line of host h at step t; the field values from the xorshift state. */
static void put_line(Buf *out, long h, long t, uint64_t *x)
{
	static const char *const regions[] = {"us-east-1", "eu-central-1", "ap-northeast-1"};
	char line[800];
	int v[10];
	for (int k = 0; k < 10; k++) {
		*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
		v[k] = (int)(*x % 101);
	}
	int n = snprintf(line, sizeof line,
	                 "cpu,hostname=host_%ld,region=%s,datacenter=%sb,rack=%ld,os=Ubuntu16.04LTS,"
	                 "arch=x64,team=SF,service=%ld,service_version=%ld,"
	                 "service_environment=production usage_user=%di,usage_system=%di,"
	                 "usage_idle=%di,usage_nice=%di,usage_iowait=%di,usage_irq=%di,"
	                 "usage_softirq=%di,usage_steal=%di,usage_guest=%di,usage_guest_nice=%di "
	                 "%lld\n",
	                 h, regions[h % 3], regions[h % 3], h % 100, h % 20, h % 2, v[0], v[1], v[2],
	                 v[3], v[4], v[5], v[6], v[7], v[8], v[9],
	                 1451606400000000000LL + (long long)t * 10000000000LL);
	buf_put(out, line, (size_t)n);
}

int main(int argc, char **argv)
{
	size_t mb = 100;
	double seconds = 3;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--mb") == 0)
			mb = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--seconds") == 0)
			seconds = strtod(argv[i + 1], NULL);
	}
	/* The same rows in two orders: host-major (each host's rows in a run,
	 * as gen_devops writes them and as one source sends them) and
	 * time-major (every host at each step, as TSBS writes them: no two
	 * consecutive lines of one series). */
	Buf orders[2] = {{0}, {0}};
	uint64_t lines = 0;
	long hosts = 100, steps = (long)(mb * 1000000 / 350 / 100 + 1);
	for (int order = 0; order < 2; order++) {
		uint64_t x = 88172645463325252ULL;
		long outer = order == 0 ? hosts : steps, inner = order == 0 ? steps : hosts;
		for (long a = 0; a < outer; a++) {
			for (long z = 0; z < inner; z++) {
				long h = order == 0 ? a : z, t = order == 0 ? z : a;
				put_line(&orders[order], h, t, &x);
				if (order == 0)
					lines++;
			}
		}
		if (orders[order].failed) {
			fprintf(stderr, "bench_lp: out of memory\n");
			return 1;
		}
	}
	LpBatch b;
	lp_batch_init(&b);
	LpOptions o = {.precision = STELE_PRECISION_NS, .now_ns = 1, .first_line = 1};
	size_t *cut = malloc((orders[0].len / (1u << 20) + 2) * sizeof *cut);
	printf("%llu lines of TSBS devops cpu-only line protocol, %.0f bytes a line\n",
	       (unsigned long long)lines, (double)orders[0].len / (double)lines);
	static const size_t sizes[] = {1u << 20, 4u << 20};
	static const char *const names[] = {"host-major", "time-major"};
	for (int order = 0; order < 2; order++) {
		Buf *data = &orders[order];
		for (int s = 0; s < 2; s++) {
			/* Batch boundaries at line ends, as the importer cuts them. */
			size_t nb = 0, batch = sizes[s];
			for (size_t off = 0; off < data->len;) {
				size_t end = off + batch < data->len ? off + batch : data->len;
				while (end < data->len && data->data[end - 1] != '\n')
					end++;
				cut[nb++] = end;
				off = end;
			}
			double best = 0;
			for (int pass = 0; pass < 3; pass++) {
				int64_t t0 = time_mono_ns(), t1;
				uint64_t bytes = 0;
				do {
					size_t off = 0;
					for (size_t i = 0; i < nb; i++) {
						lp_batch_reset(&b);
						if (lp_parse(&b, (const char *)data->data + off, cut[i] - off, &o,
						             NULL)) {
							fprintf(stderr, "bench_lp: out of memory\n");
							return 1;
						}
						if (b.nrejected) {
							fprintf(stderr, "bench_lp: %s\n", b.errors[0].msg);
							return 1;
						}
						off = cut[i];
					}
					bytes += data->len;
					t1 = time_mono_ns();
				} while ((double)(t1 - t0) < seconds * 1e9 / 12);
				double mbs = (double)bytes / ((double)(t1 - t0) / 1e9) / 1e6;
				if (mbs > best)
					best = mbs;
			}
			double lps = best * 1e6 / ((double)data->len / (double)lines);
			printf("line-protocol parse, one core, %s, %zu MiB batches: %.0f lines/s, "
			       "%.0f MB/s\n",
			       names[order], batch >> 20, lps, best);
		}
	}
	lp_batch_free(&b);
	free(cut);
	buf_free(&orders[0]);
	buf_free(&orders[1]);
	return 0;
}
