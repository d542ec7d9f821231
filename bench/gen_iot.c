/*
 * gen_iot.c - TSBS-equivalent `iot` (trucks) data as line protocol, written
 * for Stele's benchmarks (bench/README-iot.md has the whole definition).
 *
 * Two measurements per truck and tick, `readings` (latitude, longitude,
 * elevation, velocity, heading, grade, fuel_consumption) and `diagnostics`
 * (fuel_state, current_load, status), each a clamped random walk with the
 * steps, bounds, start values and precision of TSBS's iot use case. Tags:
 * name, fleet, driver, model, device_version; the model's load_capacity,
 * fuel_capacity and nominal_fuel_consumption are written as float fields of
 * both measurements (TSBS's InfluxDB serializer does the same with its
 * non-string tags), so that every system can do arithmetic with them.
 *
 * The stream is time-major as in TSBS (per tick: every truck's readings,
 * then every truck's diagnostics), cut into batches of 10 points, and
 * disordered as TSBS does it:
 *
 *   - before each batch, when batches are held back, the oldest held batch
 *     is written with probability 0.5;
 *   - a batch is missing with probability 0.01 (its points are never
 *     written), else held back (late) with probability 0.05;
 *   - within a batch, before each point, when points are held back, the
 *     oldest held point is put into the batch with probability 0.5; the
 *     point itself is missing with probability 0.1, else it loses one field
 *     (uniform among its measurement's fields) with probability 0.1 and one
 *     tag (uniform among the eight above) with probability 0.01, and is
 *     then held back (late) with probability 0.3;
 *   - at the end, every held batch, then every held point, is written.
 *
 * Late points keep their timestamps; a missing field or tag is left out of
 * the line. The values come from per-truck random streams and the disorder
 * from a stream of its own, so the disorder never changes a value; the same
 * options give byte-identical output everywhere (splitmix64/xoshiro256**
 * and Box-Muller here, not the C library's rand).
 *
 *   gen_iot [--trucks N] [--start RFC3339] [--duration D] [--interval D]
 *           [--seed S] [--ordered] [--out FILE] [--stats FILE]
 *
 * --ordered writes every point in order, with every field and tag (no
 * disorder at all). --stats writes KEY=VALUE counts of what was done.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "util/timeutil.h"

/* ---- random numbers (rng.h), and what the generator draws from them ---- */

/* Uniform in [lo, hi). */
static double rng_uniform(Rng *r, double lo, double hi)
{
	return lo + rng_unit(r) * (hi - lo);
}

static uint64_t rng_below(Rng *r, uint64_t n)
{
	return rng_next(r) % n;
}

/* Standard normal by Box-Muller (one of the pair). */
static double rng_normal(Rng *r)
{
	double u = rng_unit(r), v = rng_unit(r);
	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* ---- the use case: TSBS's value sets and distributions --------------------- */

typedef struct Model {
	const char *name;
	int load_capacity, fuel_capacity, nominal_fuel_consumption;
} Model;

static const Model models[] = {
	{"F-150", 2000, 200, 15},
	{"G-2000", 5000, 300, 19},
	{"H-2", 1500, 150, 12},
};
static const char *const fleets[] = {"East", "West", "North", "South"};
static const char *const drivers[] = {"Derek", "Rodney", "Albert", "Andy", "Seth", "Trish"};
static const char *const device_versions[] = {"v1.0", "v1.5", "v2.0", "v2.3"};

enum { READINGS, DIAGNOSTICS };
static const char *const measurements[] = {"readings", "diagnostics"};

/* The fields of each measurement and the decimal digits each is written
 * with (TSBS truncates every value to this precision); status is an
 * integer field. The model's three numbers come first in every line. */
#define NREAD 7
#define NDIAG 3
#define NMODEL 3
static const char *const read_fields[NREAD] = {"latitude", "longitude", "elevation", "velocity",
                                               "heading",  "grade",     "fuel_consumption"};
static const int read_digits[NREAD] = {5, 5, 0, 0, 0, 0, 1};
static const char *const diag_fields[NDIAG] = {"fuel_state", "current_load", "status"};
static const int diag_digits[NDIAG] = {1, 0, 0};
static const char *const model_fields[NMODEL] = {"load_capacity", "fuel_capacity",
                                                 "nominal_fuel_consumption"};
/* The tags a point can lose: the five string tags, then the model's three. */
#define NTAGS 8

typedef struct Truck {
	Rng rng;
	const Model *model;
	const char *fleet, *driver, *device_version;
	double lat, lon, elevation, velocity, heading, grade, fuel_consumption;
	double fuel_state, current_load, status;
} Truck;

static void truck_init(Truck *t, uint64_t seed, long i)
{
	rng_seed(&t->rng, seed * 0x100000001b3ULL + (uint64_t)i);
	Rng *r = &t->rng;
	t->model = &models[rng_below(r, 3)];
	t->fleet = fleets[rng_below(r, 4)];
	t->driver = drivers[rng_below(r, 6)];
	t->device_version = device_versions[rng_below(r, 4)];
	t->lat = rng_unit(r) * 90.0;
	t->lon = rng_unit(r) * 180.0;
	t->elevation = rng_unit(r) * 500.0;
	t->velocity = 0;
	t->heading = rng_unit(r) * 360.0;
	t->grade = 0;
	t->fuel_consumption = 25;
	t->fuel_state = 1.0;
	t->current_load = 0;
	t->status = 0;
}

/* One tick of every walk (TSBS's Advance, in its order). */
static void truck_tick(Truck *t)
{
	Rng *r = &t->rng;
	t->lat = clamp(t->lat + rng_uniform(r, -0.005, 0.005), -90, 90);
	t->lon = clamp(t->lon + rng_uniform(r, -0.005, 0.005), -180, 180);
	t->elevation = clamp(t->elevation + rng_uniform(r, -10, 10), 0, 5000);
	t->velocity = clamp(t->velocity + rng_uniform(r, -10, 10), 0, 100);
	t->heading = clamp(t->heading + rng_uniform(r, -5, 5), 0, 360);
	t->grade = clamp(t->grade + rng_uniform(r, -5, 5), 0, 100);
	t->fuel_consumption = clamp(t->fuel_consumption + rng_uniform(r, -5, 5), 0, 50);
	/* refuelled when the tank is empty */
	t->fuel_state = clamp(t->fuel_state + rng_uniform(r, -0.001, 0), 0, 1);
	if (t->fuel_state == 0)
		t->fuel_state = 1;
	/* a new load with probability 0.05 */
	if (rng_unit(r) >= 0.95)
		t->current_load = rng_uniform(r, 0, 5000);
	t->status = clamp(t->status + rng_normal(r), 0, 5);
}

/* ---- points ----------------------------------------------------------------- */

/* One point, its values already truncated to their precision: value k
 * stands for k / 10^digits. */
typedef struct Point {
	int64_t ts;
	int32_t truck;
	uint8_t meas;
	int8_t no_field; /* index of the field left out, or -1 */
	int8_t no_tag;   /* index (0..NTAGS-1) of the tag left out, or -1 */
	int64_t v[NREAD];
} Point;

static int64_t truncated(double x, int digits)
{
	static const double scale[] = {1, 10, 100, 1000, 10000, 100000};
	return (int64_t)(x * scale[digits]);
}

static void point_make(Point *p, const Truck *t, int32_t i, int meas, int64_t ts)
{
	p->ts = ts;
	p->truck = i;
	p->meas = (uint8_t)meas;
	p->no_field = -1;
	p->no_tag = -1;
	if (meas == READINGS) {
		double x[NREAD] = {t->lat,     t->lon,   t->elevation,       t->velocity,
		                   t->heading, t->grade, t->fuel_consumption};
		for (int k = 0; k < NREAD; k++)
			p->v[k] = truncated(x[k], read_digits[k]);
	} else {
		double x[NDIAG] = {t->fuel_state, t->current_load, t->status};
		for (int k = 0; k < NDIAG; k++)
			p->v[k] = truncated(x[k], diag_digits[k]);
	}
}

/* ---- output ------------------------------------------------------------------- */

typedef struct Out {
	FILE *f;
	char *buf;
	size_t len, cap;
} Out;

static void out_flush(Out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
		fprintf(stderr, "gen_iot: write failed: %s\n", strerror(errno));
		exit(1);
	}
	o->len = 0;
}

/* Every piece written is far shorter than the buffer. */
static void out_put(Out *o, const char *s, size_t n)
{
	if (o->len + n > o->cap)
		out_flush(o);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void out_str(Out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* k / 10^digits in decimal, exactly, without trailing zeros: the nearest
 * double to this text is the double k / 10^digits, so every reader gets
 * the value TSBS's truncation gives. */
static void out_fixed(Out *o, int64_t k, int digits)
{
	char d[32], text[40];
	uint64_t u = k < 0 ? 0 - (uint64_t)k : (uint64_t)k;
	int n = 0, len = 0;
	do { /* the digits of |k|, least significant first */
		d[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n <= digits) /* at least one digit before the point */
		d[n++] = '0';
	int lsd = 0; /* trailing zeros after the point are left out */
	while (lsd < digits && d[lsd] == '0')
		lsd++;
	if (k < 0) /* never zero */
		text[len++] = '-';
	for (int i = n - 1; i >= lsd; i--) {
		if (i == digits - 1)
			text[len++] = '.';
		text[len++] = d[i];
	}
	out_put(o, text, (size_t)len);
}

static void out_int(Out *o, int64_t v)
{
	out_fixed(o, v, 0);
}

typedef struct Stats {
	uint64_t generated, written[2], batches, batches_missing, batches_late, points_missing,
		points_late, fields_nulled, tags_nulled, behind_series;
} Stats;

typedef struct Gen {
	Out out;
	const Truck *trucks;
	int64_t *latest; /* per truck and measurement: the greatest ts written so far */
	Stats st;
} Gen;

static void write_point(Gen *g, const Point *p)
{
	Out *o = &g->out;
	const Truck *t = &g->trucks[p->truck];
	char num[24];
	out_str(o, measurements[p->meas]);
	const char *keys[5] = {"name", "fleet", "driver", "model", "device_version"};
	const char *vals[5] = {NULL, t->fleet, t->driver, t->model->name, t->device_version};
	snprintf(num, sizeof num, "truck_%d", (int)p->truck);
	vals[0] = num;
	for (int k = 0; k < 5; k++) {
		if (p->no_tag == k)
			continue;
		out_put(o, ",", 1);
		out_str(o, keys[k]);
		out_put(o, "=", 1);
		out_str(o, vals[k]);
	}
	bool first = true;
	int mv[NMODEL] = {t->model->load_capacity, t->model->fuel_capacity,
	                  t->model->nominal_fuel_consumption};
	for (int k = 0; k < NMODEL; k++) {
		if (p->no_tag == 5 + k)
			continue;
		out_put(o, first ? " " : ",", 1);
		first = false;
		out_str(o, model_fields[k]);
		out_put(o, "=", 1);
		out_int(o, mv[k]);
	}
	int nf = p->meas == READINGS ? NREAD : NDIAG;
	for (int k = 0; k < nf; k++) {
		if (p->no_field == k)
			continue;
		out_put(o, first ? " " : ",", 1);
		first = false;
		if (p->meas == READINGS) {
			out_str(o, read_fields[k]);
			out_put(o, "=", 1);
			out_fixed(o, p->v[k], read_digits[k]);
		} else {
			out_str(o, diag_fields[k]);
			out_put(o, "=", 1);
			out_fixed(o, p->v[k], diag_digits[k]);
			if (k == 2)
				out_put(o, "i", 1);
		}
	}
	out_put(o, " ", 1);
	out_int(o, p->ts);
	out_put(o, "\n", 1);
	g->st.written[p->meas]++;
	int64_t *last = &g->latest[2 * p->truck + p->meas];
	if (p->ts < *last)
		g->st.behind_series++;
	else
		*last = p->ts;
}

/* A FIFO of points or of batches (a batch: up to BATCH points). */
#define BATCH 10

typedef struct Fifo {
	void *items;
	size_t size, head, n, cap;
} Fifo;

static void *fifo_push(Fifo *q)
{
	if (q->head + q->n == q->cap) {
		if (q->head > 0) {
			memmove(q->items, (char *)q->items + q->head * q->size, q->n * q->size);
			q->head = 0;
		}
		if (q->n == q->cap) {
			q->cap = q->cap ? 2 * q->cap : 64;
			q->items = realloc(q->items, q->cap * q->size);
			if (!q->items) {
				fprintf(stderr, "gen_iot: out of memory\n");
				exit(1);
			}
		}
	}
	return (char *)q->items + (q->head + q->n++) * q->size;
}

static void *fifo_pop(Fifo *q)
{
	void *p = (char *)q->items + q->head * q->size;
	q->head++;
	q->n--;
	return p;
}

typedef struct Batch {
	int n;
	Point p[2 * BATCH];
} Batch;

static void write_batch(Gen *g, const Batch *b)
{
	for (int i = 0; i < b->n; i++)
		write_point(g, &b->p[i]);
}

static int usage(void)
{
	fprintf(stderr, "usage: gen_iot [--trucks N] [--start RFC3339] [--duration D] "
	                "[--interval D] [--seed S] [--ordered] [--out FILE] [--stats FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	long ntrucks = 100;
	uint64_t seed = 123;
	int64_t start = 1451606400LL * NS_PER_S, duration = NS_PER_DAY, interval = 10 * NS_PER_S;
	const char *path = NULL, *stats_path = NULL;
	bool ordered = false;
	stele_err err;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--ordered") == 0) {
			ordered = true;
			continue;
		}
		if (!v)
			return usage();
		if (strcmp(a, "--trucks") == 0) {
			ntrucks = strtol(v, NULL, 10);
		} else if (strcmp(a, "--start") == 0) {
			if (time_parse(v, &start, &err))
				return fprintf(stderr, "gen_iot: %s\n", err.msg), 2;
		} else if (strcmp(a, "--duration") == 0) {
			if (time_parse_duration(v, &duration, &err))
				return fprintf(stderr, "gen_iot: %s\n", err.msg), 2;
		} else if (strcmp(a, "--interval") == 0) {
			if (time_parse_duration(v, &interval, &err) || interval <= 0)
				return fprintf(stderr, "gen_iot: bad --interval\n"), 2;
		} else if (strcmp(a, "--seed") == 0) {
			seed = strtoull(v, NULL, 10);
		} else if (strcmp(a, "--out") == 0) {
			path = v;
		} else if (strcmp(a, "--stats") == 0) {
			stats_path = v;
		} else {
			return usage();
		}
		i++;
	}
	if (ntrucks <= 0 || ntrucks > 100000000)
		return usage();
	Gen g = {.out = {stdout, NULL, 0, 1 << 20}};
	if (path && !(g.out.f = fopen(path, "w"))) {
		fprintf(stderr, "gen_iot: could not open \"%s\": %s\n", path, strerror(errno));
		return 1;
	}
	Truck *trucks = calloc((size_t)ntrucks, sizeof *trucks);
	g.latest = calloc(2 * (size_t)ntrucks, sizeof *g.latest);
	g.out.buf = malloc(g.out.cap);
	if (!trucks || !g.latest || !g.out.buf)
		return fprintf(stderr, "gen_iot: out of memory\n"), 1;
	for (long i = 0; i < ntrucks; i++) {
		truck_init(&trucks[i], seed, i);
		g.latest[2 * i] = g.latest[2 * i + 1] = INT64_MIN;
	}
	g.trucks = trucks;
	Rng dis;
	rng_seed(&dis, seed ^ 0x5d15a7d3c0ffee11ULL);
	Fifo held_points = {.size = sizeof(Point)}, held_batches = {.size = sizeof(Batch)};
	Batch cur;
	int64_t steps = duration / interval;
	/* the stream: per tick, per measurement, per truck; in groups of BATCH */
	int64_t total = steps * 2 * ntrucks, made = 0;
	Point group[BATCH];
	while (made < total) {
		int ng = 0;
		for (; ng < BATCH && made < total; ng++, made++) {
			int64_t tick = made / (2 * ntrucks), rest = made % (2 * ntrucks);
			int meas = (int)(rest / ntrucks);
			int32_t truck = (int32_t)(rest % ntrucks);
			if (tick > 0 && rest == 0)
				for (long i = 0; i < ntrucks; i++)
					truck_tick(&trucks[i]);
			point_make(&group[ng], &trucks[truck], truck, meas, start + tick * interval);
		}
		g.st.generated += (uint64_t)ng;
		g.st.batches++;
		if (ordered) {
			for (int i = 0; i < ng; i++)
				write_point(&g, &group[i]);
			continue;
		}
		if (held_batches.n && rng_unit(&dis) < 0.5)
			write_batch(&g, fifo_pop(&held_batches));
		if (rng_unit(&dis) < 0.01) {
			g.st.batches_missing++;
			g.st.points_missing += (uint64_t)ng;
			continue;
		}
		bool late = rng_unit(&dis) < 0.05;
		cur.n = 0;
		for (int i = 0; i < ng; i++) {
			if (held_points.n && rng_unit(&dis) < 0.5)
				cur.p[cur.n++] = *(Point *)fifo_pop(&held_points);
			Point *p = &group[i];
			if (rng_unit(&dis) < 0.1) {
				g.st.points_missing++;
				continue;
			}
			if (rng_unit(&dis) < 0.1) {
				int nf = p->meas == READINGS ? NREAD : NDIAG;
				p->no_field = (int8_t)rng_below(&dis, (uint64_t)nf);
				g.st.fields_nulled++;
			}
			if (rng_unit(&dis) < 0.01) {
				p->no_tag = (int8_t)rng_below(&dis, NTAGS);
				g.st.tags_nulled++;
			}
			if (rng_unit(&dis) < 0.3) {
				*(Point *)fifo_push(&held_points) = *p;
				g.st.points_late++;
				continue;
			}
			cur.p[cur.n++] = *p;
		}
		if (late && cur.n) {
			*(Batch *)fifo_push(&held_batches) = cur;
			g.st.batches_late++;
		} else {
			write_batch(&g, &cur);
		}
	}
	while (held_batches.n)
		write_batch(&g, fifo_pop(&held_batches));
	while (held_points.n)
		write_point(&g, fifo_pop(&held_points));
	out_flush(&g.out);
	free(g.out.buf);
	free(held_points.items);
	free(held_batches.items);
	free(trucks);
	free(g.latest);
	if (path && fclose(g.out.f) != 0) {
		fprintf(stderr, "gen_iot: could not write \"%s\": %s\n", path, strerror(errno));
		return 1;
	}
	if (stats_path) {
		FILE *f = fopen(stats_path, "w");
		if (!f)
			return fprintf(stderr, "gen_iot: could not open \"%s\": %s\n", stats_path,
			               strerror(errno)),
			       1;
		const Stats *s = &g.st;
		fprintf(f,
		        "points_generated=%llu\nrows_readings=%llu\nrows_diagnostics=%llu\n"
		        "batches=%llu\nbatches_missing=%llu\nbatches_late=%llu\npoints_missing=%llu\n"
		        "points_late=%llu\nfields_nulled=%llu\ntags_nulled=%llu\n"
		        "points_behind_their_series=%llu\n",
		        (unsigned long long)s->generated, (unsigned long long)s->written[0],
		        (unsigned long long)s->written[1], (unsigned long long)s->batches,
		        (unsigned long long)s->batches_missing, (unsigned long long)s->batches_late,
		        (unsigned long long)s->points_missing, (unsigned long long)s->points_late,
		        (unsigned long long)s->fields_nulled, (unsigned long long)s->tags_nulled,
		        (unsigned long long)s->behind_series);
		if (fclose(f) != 0)
			return fprintf(stderr, "gen_iot: could not write \"%s\"\n", stats_path), 1;
	}
	return 0;
}
