/*
 * bench_lp.c - line-protocol parsing speed on one core.
 *
 * Builds about 100 MB of TSBS devops cpu-only lines in memory (the format of
 * gen_devops: ten tags, ten integer fields, nanosecond timestamps), then
 * parses it for a few seconds in batches of 1 MiB (the size of a typical
 * HTTP write body: 5,000 lines of Telegraf or an InfluxDB client) and of
 * 4 MiB (what `stele import` parses at once), and prints MB/s and lines/s of
 * the best of three passes for each. A batch's parsed lines take about
 * twice its bytes, so at 4 MiB they no longer fit in the CPU's caches.
 *
 *   bench_lp [--mb N] [--seconds S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/lp.h"
#include "util/timeutil.h"


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
	static const char *const regions[] = {"us-east-1", "eu-central-1", "ap-northeast-1"};
	Buf data = {0};
	uint64_t lines = 0, x = 88172645463325252ULL;
	int vals[10] = {50, 50, 50, 50, 50, 50, 50, 50, 50, 50};
	for (long h = 0; data.len < mb * 1000000; h++) {
		char head[400];
		int hn = snprintf(head, sizeof head,
		                  "cpu,hostname=host_%ld,region=%s,datacenter=%sb,rack=%ld,os=Ubuntu16.04LTS,"
		                  "arch=x64,team=SF,service=%ld,service_version=%ld,"
		                  "service_environment=production ",
		                  h, regions[h % 3], regions[h % 3], h % 100, h % 20, h % 2);
		for (int t = 0; t < 8640 && data.len < mb * 1000000; t++) {
			char line[700];
			int n = 0;
			for (int k = 0; k < 10; k++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				vals[k] += (int)(x % 3) - 1;
				vals[k] = vals[k] < 0 ? 0 : vals[k] > 100 ? 100 : vals[k];
			}
			n = snprintf(line, sizeof line,
			             "usage_user=%di,usage_system=%di,usage_idle=%di,usage_nice=%di,"
			             "usage_iowait=%di,usage_irq=%di,usage_softirq=%di,usage_steal=%di,"
			             "usage_guest=%di,usage_guest_nice=%di %lld\n",
			             vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6], vals[7],
			             vals[8], vals[9], 1451606400000000000LL + t * 10000000000LL);
			buf_put(&data, head, (size_t)hn);
			buf_put(&data, line, (size_t)n);
			lines++;
		}
	}
	if (data.failed) {
		fprintf(stderr, "bench_lp: out of memory\n");
		return 1;
	}
	LpBatch b;
	lp_batch_init(&b);
	LpOptions o = {.precision = STELE_PRECISION_NS, .now_ns = 1, .first_line = 1};
	size_t *cut = malloc((data.len / (1u << 20) + 2) * sizeof *cut);
	printf("%llu lines of TSBS devops cpu-only line protocol, %.0f bytes a line\n",
	       (unsigned long long)lines, (double)data.len / (double)lines);
	static const size_t sizes[] = {1u << 20, 4u << 20};
	for (int s = 0; s < 2; s++) {
		/* Batch boundaries at line ends, as the importer cuts them. */
		size_t nb = 0, batch = sizes[s];
		for (size_t off = 0; off < data.len;) {
			size_t end = off + batch < data.len ? off + batch : data.len;
			while (end < data.len && data.data[end - 1] != '\n')
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
					if (lp_parse(&b, (const char *)data.data + off, cut[i] - off, &o,
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
				bytes += data.len;
				t1 = time_mono_ns();
			} while ((double)(t1 - t0) < seconds * 1e9 / 6);
			double mbs = (double)bytes / ((double)(t1 - t0) / 1e9) / 1e6;
			if (mbs > best)
				best = mbs;
		}
		double lps = best * 1e6 / ((double)data.len / (double)lines);
		printf("line-protocol parse, one core, %zu MiB batches: %.0f lines/s, %.0f MB/s\n",
		       batch >> 20, lps, best);
	}
	lp_batch_free(&b);
	free(cut);
	buf_free(&data);
	return 0;
}
