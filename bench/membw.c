/*
 * membw.c - the machine's memory bandwidth, for the distance from Stele's
 * hot paths to the physical limit (bench/README.md, "Hot paths").
 *
 *     build/bench/membw [--mib N] [--threads N]
 *
 * Over a buffer of N MiB (default 1024, far past any cache), written once
 * so that every page is mapped, three measures on each of --threads
 * threads (default 1) at once, each over its own part of the buffer:
 *
 *     read   the sum of every 64-bit word (what a scan of decoded values
 *            costs at least)
 *     write  every word set (memset)
 *     copy   memcpy of one half of a part to the other
 *
 * Each is the best of 5 passes, in GB/s (10^9 bytes) summed over the
 * threads; copy counts the bytes read and written. Output, one per line:
 * read_gbps=X, write_gbps=X, copy_gbps=X. The sum is printed to stderr so
 * the compiler cannot drop the reads.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PASSES = 5, MAX_THREADS = 64 };

typedef struct Part {
	uint64_t *p;
	size_t words;
	int what;          /* 0 read, 1 write, 2 copy */
	uint64_t sum;
	pthread_barrier_t *start;
	double secs;
} Part;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void *run(void *arg)
{
	Part *pt = arg;
	pthread_barrier_wait(pt->start);
	double t0 = now();
	if (pt->what == 0) {
		/* four sums, so that the adds do not wait on each other */
		uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
		for (size_t i = 0; i + 4 <= pt->words; i += 4) {
			s0 += pt->p[i];
			s1 += pt->p[i + 1];
			s2 += pt->p[i + 2];
			s3 += pt->p[i + 3];
		}
		pt->sum += s0 + s1 + s2 + s3;
	} else if (pt->what == 1) {
		memset(pt->p, (int)(pt->sum & 0x7f), pt->words * sizeof *pt->p);
	} else {
		size_t half = pt->words / 2;
		memcpy(pt->p, pt->p + half, half * sizeof *pt->p);
	}
	pt->secs = now() - t0;
	return NULL;
}

int main(int argc, char **argv)
{
	size_t mib = 1024;
	int threads = 1;
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--mib") == 0)
			mib = (size_t)strtoull(argv[++i], NULL, 10);
		else if (i + 1 < argc && strcmp(argv[i], "--threads") == 0)
			threads = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: membw [--mib N] [--threads N]\n");
			return 2;
		}
	}
	if (mib < 16 || threads < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "membw: --mib 16 or more, --threads 1 to %d\n", MAX_THREADS);
		return 2;
	}
	size_t words = mib * 1024 * 1024 / sizeof(uint64_t);
	uint64_t *buf = malloc(words * sizeof *buf);
	if (!buf) {
		fprintf(stderr, "membw: could not allocate %zu MiB\n", mib);
		return 1;
	}
	for (size_t i = 0; i < words; i++)
		buf[i] = i * 0x9e3779b97f4a7c15ull;
	static const char *names[] = {"read", "write", "copy"};
	uint64_t sum = 0;
	for (int what = 0; what < 3; what++) {
		double best = 0;
		for (int pass = 0; pass < PASSES; pass++) {
			pthread_barrier_t start;
			pthread_barrier_init(&start, NULL, (unsigned)threads);
			Part parts[MAX_THREADS];
			pthread_t tid[MAX_THREADS];
			size_t per = words / (size_t)threads / 8 * 8;
			for (int t = 0; t < threads; t++) {
				parts[t] = (Part){.p = buf + (size_t)t * per, .words = per, .what = what,
				                  .sum = sum, .start = &start};
				if (pthread_create(&tid[t], NULL, run, &parts[t]) != 0) {
					fprintf(stderr, "membw: could not start a thread\n");
					return 1;
				}
			}
			double slowest = 0;
			for (int t = 0; t < threads; t++) {
				pthread_join(tid[t], NULL);
				sum += parts[t].sum;
				if (parts[t].secs > slowest)
					slowest = parts[t].secs;
			}
			pthread_barrier_destroy(&start);
			/* copy moves each byte of half the part twice (read, write) */
			double bytes = (double)per * sizeof *buf * (double)threads;
			double gbps = bytes / slowest / 1e9;
			if (gbps > best)
				best = gbps;
		}
		printf("%s_gbps=%.2f\n", names[what], best);
	}
	fprintf(stderr, "membw: checksum %llu\n", (unsigned long long)sum);
	free(buf);
	return 0;
}
