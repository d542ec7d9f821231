/*
 * bench_query.c - Stele's side of the query benchmark (bench/README.md).
 *
 *   bench_query --db DIR --queries FILE [--warmup N] [--runs N]
 *               [--max-seconds S] [--threads N] [--out FILE] [--verbose]
 *
 * FILE holds one query per line, `ID<TAB>SQL` (blank lines and lines that
 * start with '#' are skipped). The database is opened once, read-only. For
 * each query:
 *
 *   1. one untimed execution whose rows are written out as the answer (it
 *      is also the first warm-up run);
 *   2. the rest of the --warmup runs (default 1 in all), untimed;
 *   3. --runs timed executions (default 5); with --max-seconds, the timed
 *      runs stop early, after at least 3 (or --runs, if fewer), once they
 *      have taken S seconds together.
 *
 * A timed execution is everything a client of the C API does for one
 * query: stele_prepare, stele_next until the last batch (touching every
 * value of every column, so nothing the engine computes lazily is left
 * out), stele_finalize; CLOCK_MONOTONIC around it. Only the public API
 * (stele.h) is used.
 *
 * Output (--out, default stdout), per query, the format bench/results.py
 * reads for every system:
 *
 *   query<TAB>ID<TAB>MEDIAN_MS<TAB>P95_MS<TAB>ROWS<TAB>T1,T2,...   (ms each)
 *   cols<TAB>NAME:TYPE<TAB>...
 *   <one line per row, values separated by tabs>
 *   end
 *
 * Values: integers in decimal; doubles as %.17g (round-trip exact, compared
 * with a tolerance); timestamps as RFC 3339 UTC instants
 * (2016-01-01T05:12:00Z, nanoseconds only when there are any); strings with
 * '\\', tab, newline and carriage return escaped as \\ \t \n \r; NULL as \N.
 * Median: the middle run (the mean of the two middle ones for an even
 * count); p95: nearest rank, the ceil(0.95 n)-th fastest run.
 *
 * Exit status: 0, 1 when a query fails (its error is printed and the run
 * stops), 2 on bad usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stele.h"

#define MAX_RUNS 10000

typedef struct Options {
	const char *db, *queries, *out;
	int warmup, runs;
	double max_seconds;
	int threads;          /* --threads: stele_options.query_threads (0: one a core) */
	bool verbose;
} Options;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median_of(const double *sorted, int n)
{
	return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static double p95_of(const double *sorted, int n)
{
	int rank = (int)ceil(0.95 * n);
	return sorted[(rank < 1 ? 1 : rank) - 1];
}

/* Writes a timestamp (ns since the epoch) as an RFC 3339 UTC instant. */
static void put_ts(FILE *f, int64_t ns)
{
	int64_t s = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0)
		frac += 1000000000, s -= 1;
	time_t t = (time_t)s;
	struct tm tm;
	gmtime_r(&t, &tm);
	fprintf(f, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	        tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (frac)
		fprintf(f, ".%09" PRId64, frac);
	fputc('Z', f);
}

static void put_str(FILE *f, stele_str s)
{
	for (uint32_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		switch (c) {
		case '\\': fputs("\\\\", f); break;
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		default: fputc(c, f);
		}
	}
}

static void put_value(FILE *f, const stele_column *c, uint32_t i)
{
	if (c->nulls && c->nulls[i]) {
		fputs("\\N", f);
		return;
	}
	switch (c->type) {
	case STELE_TYPE_DOUBLE: fprintf(f, "%.17g", c->v.f64[i]); break;
	case STELE_TYPE_BIGINT:
	case STELE_TYPE_INTERVAL: fprintf(f, "%" PRId64, c->v.i64[i]); break;
	case STELE_TYPE_BOOLEAN: fputs(c->v.i64[i] ? "true" : "false", f); break;
	case STELE_TYPE_UBIGINT: fprintf(f, "%" PRIu64, c->v.u64[i]); break;
	case STELE_TYPE_TIMESTAMP: put_ts(f, c->v.i64[i]); break;
	case STELE_TYPE_VARCHAR: put_str(f, c->v.str[i]); break;
	default: fputs("?", f);
	}
}

/* Reads every value of a batch, so that a lazily computed column cannot
 * make a run look cheaper than a client that uses the result; the sum
 * goes nowhere but keeps the compiler from dropping the loop. */
static uint64_t touch(const stele_batch *b)
{
	uint64_t h = 0;
	for (uint32_t c = 0; c < b->ncols; c++) {
		const stele_column *col = &b->cols[c];
		for (uint32_t i = 0; i < b->nrows; i++) {
			if (col->nulls && col->nulls[i])
				continue;
			if (col->type == STELE_TYPE_VARCHAR) {
				stele_str s = col->v.str[i];
				h += s.len + (s.len ? (uint8_t)s.ptr[0] : 0);
			} else if (col->type == STELE_TYPE_DOUBLE) {
				uint64_t bits;
				memcpy(&bits, &col->v.f64[i], sizeof bits);
				h += bits;
			} else {
				h += (uint64_t)col->v.i64[i];
			}
		}
	}
	return h;
}

static volatile uint64_t sink;

/* Runs sql once. With `answer`, writes the columns and rows there. *rows
 * gets the row count. Returns 0 or prints the error and returns 1. */
static int run_once(stele_db *db, const char *id, const char *sql, FILE *answer, uint64_t *rows)
{
	stele_err err;
	stele_stmt *st = NULL;
	const stele_batch *b;
	uint64_t n = 0, h = 0;
	int rc = stele_prepare(db, sql, -1, NULL, &st, &err);
	if (rc == STELE_OK && !st) {
		fprintf(stderr, "bench_query: %s: no statement\n", id);
		return 1;
	}
	if (rc == STELE_OK && answer) {
		uint32_t nc = stele_stmt_ncols(st);
		fputs("cols", answer);
		for (uint32_t c = 0; c < nc; c++)
			fprintf(answer, "\t%s:%s", stele_stmt_col_name(st, c),
			        stele_type_name(stele_stmt_col_type(st, c)));
		fputc('\n', answer);
	}
	while (rc == STELE_OK && (rc = stele_next(st, &b, &err)) == STELE_OK && b) {
		n += b->nrows;
		if (!answer) {
			h += touch(b);
			continue;
		}
		for (uint32_t i = 0; i < b->nrows; i++) {
			for (uint32_t c = 0; c < b->ncols; c++) {
				if (c)
					fputc('\t', answer);
				put_value(answer, &b->cols[c], i);
			}
			fputc('\n', answer);
		}
	}
	stele_finalize(st);
	if (rc != STELE_OK) {
		fprintf(stderr, "bench_query: %s: %s (%s)\n  %s\n", id, err.msg, stele_strerror(rc), sql);
		return 1;
	}
	sink += h;
	*rows = n;
	return 0;
}

static int run_query(stele_db *db, const Options *o, const char *id, const char *sql, FILE *out)
{
	static double times[MAX_RUNS], sorted[MAX_RUNS];
	uint64_t rows = 0, again = 0;
	/* The answer goes to a temporary file first: the query line that
	 * precedes it carries the timings, known only at the end. */
	FILE *ans = tmpfile();
	if (!ans) {
		fprintf(stderr, "bench_query: could not create a temporary file: %s\n", strerror(errno));
		return 1;
	}
	int bad = run_once(db, id, sql, ans, &rows);
	for (int i = 1; !bad && i < o->warmup; i++)
		bad = run_once(db, id, sql, NULL, &again);
	int n = 0;
	double total = 0;
	int at_least = o->runs < 3 ? o->runs : 3;
	while (!bad && n < o->runs) {
		double t0 = now_ms();
		bad = run_once(db, id, sql, NULL, &again);
		double t = now_ms() - t0;
		if (!bad && again != rows) {
			fprintf(stderr, "bench_query: %s: %" PRIu64 " rows in a timed run, %" PRIu64
			                " in the first\n", id, again, rows);
			bad = 1;
		}
		times[n++] = t;
		total += t;
		if (o->max_seconds > 0 && n >= at_least && total >= o->max_seconds * 1e3)
			break;
	}
	if (!bad) {
		memcpy(sorted, times, (size_t)n * sizeof *times);
		qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
		double med = n ? median_of(sorted, n) : 0, p95 = n ? p95_of(sorted, n) : 0;
		fprintf(out, "query\t%s\t%.4f\t%.4f\t%" PRIu64 "\t", id, med, p95, rows);
		for (int i = 0; i < n; i++)
			fprintf(out, "%s%.4f", i ? "," : "", times[i]);
		fputc('\n', out);
		rewind(ans);
		char buf[65536];
		size_t k;
		while ((k = fread(buf, 1, sizeof buf, ans)) > 0)
			fwrite(buf, 1, k, out);
		fputs("end\n", out);
		if (o->verbose)
			fprintf(stderr, "   %-34s median %10.3f ms  p95 %10.3f ms  %8" PRIu64 " rows\n", id,
			        med, p95, rows);
	}
	fclose(ans);
	return bad;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_query --db DIR --queries FILE [--warmup N] [--runs N] "
	                "[--max-seconds S] [--threads N] [--out FILE] [--verbose]\n");
	return 2;
}

int main(int argc, char **argv)
{
	Options o = {.warmup = 1, .runs = 5};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--verbose") == 0) {
			o.verbose = true;
			continue;
		}
		if (!v)
			return usage();
		if (strcmp(a, "--db") == 0)
			o.db = v;
		else if (strcmp(a, "--queries") == 0)
			o.queries = v;
		else if (strcmp(a, "--out") == 0)
			o.out = v;
		else if (strcmp(a, "--warmup") == 0)
			o.warmup = atoi(v);
		else if (strcmp(a, "--runs") == 0)
			o.runs = atoi(v);
		else if (strcmp(a, "--max-seconds") == 0)
			o.max_seconds = strtod(v, NULL);
		else if (strcmp(a, "--threads") == 0)
			o.threads = atoi(v);
		else
			return usage();
		i++;
	}
	if (!o.db || !o.queries || o.warmup < 0 || o.runs < 0 || o.runs > MAX_RUNS || o.threads < 0)
		return usage();

	FILE *in = fopen(o.queries, "r");
	if (!in) {
		fprintf(stderr, "bench_query: could not open \"%s\": %s\n", o.queries, strerror(errno));
		return 1;
	}
	FILE *out = o.out ? fopen(o.out, "w") : stdout;
	if (!out) {
		fprintf(stderr, "bench_query: could not open \"%s\": %s\n", o.out, strerror(errno));
		fclose(in);
		return 1;
	}
	stele_options opts;
	stele_options_init(&opts);
	opts.read_only = true;
	opts.create = false;
	opts.query_threads = (uint32_t)o.threads;
	stele_db *db;
	stele_err err;
	if (stele_open(o.db, &opts, &db, &err)) {
		fprintf(stderr, "bench_query: %s\n", err.msg);
		fclose(in);
		if (o.out)
			fclose(out);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int bad = 0, nq = 0;
	while (!bad && (len = getline(&line, &cap, in)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (len == 0 || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		if (!tab) {
			fprintf(stderr, "bench_query: %s: a line without a tab: %s\n", o.queries, line);
			bad = 1;
			break;
		}
		*tab = 0;
		bad = run_query(db, &o, line, tab + 1, out);
		nq++;
	}
	free(line);
	fclose(in);
	if (stele_close(db, &err) && !bad) {
		fprintf(stderr, "bench_query: %s\n", err.msg);
		bad = 1;
	}
	if (o.out && fclose(out) != 0 && !bad) {
		fprintf(stderr, "bench_query: could not write \"%s\": %s\n", o.out, strerror(errno));
		bad = 1;
	}
	if (!bad && o.verbose)
		fprintf(stderr, "bench_query: %d queries\n", nq);
	return bad;
}
