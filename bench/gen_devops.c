/*
 * gen_devops.c - TSBS-equivalent devops `cpu-only` data as line protocol,
 * written for Stele's benchmarks.
 *
 * Per host, ten string tags fixed at random from the seed (hostname, region,
 * datacenter, rack, os, arch, team, service, service_version,
 * service_environment; the value sets are TSBS's), and ten integer fields
 * usage_user ... usage_guest_nice, each a random walk that starts uniform in
 * [0, 100], takes N(0, 1) steps, is clamped to [0, 100] and is written
 * truncated to an integer. One row per host every --interval, host-major
 * (every row of host_0, then host_1, ...), nanosecond timestamps. The same
 * options give byte-identical output on every run and machine: the random
 * numbers come from splitmix64/xoshiro256** here, not from the C library.
 *
 *   gen_devops [--hosts N] [--start RFC3339] [--duration D] [--interval D]
 *              [--seed S] [--out FILE]
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "util/timeutil.h"

static uint64_t rng_below(Rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* Standard normal by Box-Muller (one of the pair; simple and exact enough). */
static double rng_normal(Rng *r)
{
	double u = rng_unit(r), v = rng_unit(r);
	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

typedef struct Region {
	const char *name;
	const char *dcs[4];
	int ndc;
} Region;

/* The value sets of TSBS's devops use case. */
static const Region regions[] = {
	{"us-east-1", {"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1e"}, 4},
	{"us-west-1", {"us-west-1a", "us-west-1b"}, 2},
	{"us-west-2", {"us-west-2a", "us-west-2b", "us-west-2c"}, 3},
	{"eu-west-1", {"eu-west-1a", "eu-west-1b", "eu-west-1c"}, 3},
	{"eu-central-1", {"eu-central-1a", "eu-central-1b"}, 2},
	{"ap-southeast-1", {"ap-southeast-1a", "ap-southeast-1b"}, 2},
	{"ap-southeast-2", {"ap-southeast-2a", "ap-southeast-2b"}, 2},
	{"ap-northeast-1", {"ap-northeast-1a", "ap-northeast-1c"}, 2},
	{"sa-east-1", {"sa-east-1a", "sa-east-1b", "sa-east-1c"}, 3},
};
static const char *const teams[] = {"SF", "NYC", "LON", "CHI"};
static const char *const oses[] = {"Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"};
static const char *const arches[] = {"x64", "x86"};
static const char *const envs[] = {"production", "staging", "test"};
static const char *const fields[] = {"usage_user",   "usage_system", "usage_idle",
                                     "usage_nice",   "usage_iowait", "usage_irq",
                                     "usage_softirq", "usage_steal", "usage_guest",
                                     "usage_guest_nice"};
#define NFIELDS 10

typedef struct Out {
	FILE *f;
	char *buf;
	size_t len, cap;
} Out;

static void out_flush(Out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
		fprintf(stderr, "gen_devops: write failed: %s\n", strerror(errno));
		exit(1);
	}
	o->len = 0;
}

static inline void out_put(Out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap)
		out_flush(o);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* Appends the decimal digits of v. */
static inline void out_int(Out *o, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[n++] = '-';
	if (o->len + (size_t)n > o->cap)
		out_flush(o);
	while (n)
		o->buf[o->len++] = tmp[--n];
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_devops [--hosts N] [--start RFC3339] [--duration D] "
	                "[--interval D] [--seed S] [--out FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	long hosts = 100;
	uint64_t seed = 123;
	int64_t start = 1451606400LL * NS_PER_S, duration = NS_PER_DAY, interval = 10 * NS_PER_S;
	const char *path = NULL;
	stele_err err;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			return usage();
		if (strcmp(a, "--hosts") == 0) {
			hosts = strtol(v, NULL, 10);
		} else if (strcmp(a, "--start") == 0) {
			if (time_parse(v, &start, &err))
				return fprintf(stderr, "gen_devops: %s\n", err.msg), 2;
		} else if (strcmp(a, "--duration") == 0) {
			if (time_parse_duration(v, &duration, &err))
				return fprintf(stderr, "gen_devops: %s\n", err.msg), 2;
		} else if (strcmp(a, "--interval") == 0) {
			if (time_parse_duration(v, &interval, &err) || interval <= 0)
				return fprintf(stderr, "gen_devops: bad --interval\n"), 2;
		} else if (strcmp(a, "--seed") == 0) {
			seed = strtoull(v, NULL, 10);
		} else if (strcmp(a, "--out") == 0) {
			path = v;
		} else {
			return usage();
		}
		i++;
	}
	if (hosts <= 0)
		return usage();
	Out o = {stdout, NULL, 0, 1 << 20};
	if (path && !(o.f = fopen(path, "w"))) {
		fprintf(stderr, "gen_devops: could not open \"%s\": %s\n", path, strerror(errno));
		return 1;
	}
	o.buf = malloc(o.cap);
	if (!o.buf)
		return 1;
	int64_t steps = duration / interval;
	char head[512];
	for (long h = 0; h < hosts; h++) {
		Rng r;
		rng_seed(&r, seed * 0x100000001b3ULL + (uint64_t)h);
		const Region *rg = &regions[rng_below(&r, sizeof regions / sizeof regions[0])];
		const char *dc = rg->dcs[rng_below(&r, (uint64_t)rg->ndc)];
		int rack = (int)rng_below(&r, 100);
		const char *arch = arches[rng_below(&r, 2)];
		const char *os = oses[rng_below(&r, 3)];
		int service = (int)rng_below(&r, 20), version = (int)rng_below(&r, 2);
		const char *env = envs[rng_below(&r, 3)];
		const char *team = teams[rng_below(&r, 4)];
		int hn = snprintf(head, sizeof head,
		                  "cpu,hostname=host_%ld,region=%s,datacenter=%s,rack=%d,os=%s,arch=%s,"
		                  "team=%s,service=%d,service_version=%d,service_environment=%s ",
		                  h, rg->name, dc, rack, os, arch, team, service, version, env);
		double walk[NFIELDS];
		for (int k = 0; k < NFIELDS; k++)
			walk[k] = 100.0 * rng_unit(&r);
		for (int64_t t = 0; t < steps; t++) {
			out_put(&o, head, (size_t)hn);
			for (int k = 0; k < NFIELDS; k++) {
				if (t > 0) {
					walk[k] += rng_normal(&r);
					walk[k] = walk[k] < 0 ? 0 : walk[k] > 100 ? 100 : walk[k];
				}
				if (k)
					out_put(&o, ",", 1);
				out_put(&o, fields[k], strlen(fields[k]));
				out_put(&o, "=", 1);
				out_int(&o, (int64_t)walk[k]);
				out_put(&o, "i", 1);
			}
			out_put(&o, " ", 1);
			out_int(&o, start + t * interval);
			out_put(&o, "\n", 1);
		}
	}
	out_flush(&o);
	free(o.buf);
	if (path && fclose(o.f) != 0) {
		fprintf(stderr, "gen_devops: could not write \"%s\": %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}
