/* test_write_parallel.c - a large stele_write_lp buffer is parsed in parts
 * on several threads (write.c, parse_buffer) and must give exactly what
 * one sequential parse gives: the same lines written and rejected, the
 * same kept errors with their absolute line numbers and columns, the same
 * rows. Each buffer is written into a database with four query threads
 * (up to four parts) and into one with one (a single parse), and the two
 * are compared; buffers with string values (newlines inside quotes, which
 * forbid a cut after them) and without. */
#include "testutil.h"

#include "stele.h"

/* Builds about `bytes` of devops-like line protocol. Every 997th line is
 * malformed; with `strings`, every 1500th line carries a string value
 * holding a newline, the first of them at line `first_string`. */
static char *make_lp(size_t bytes, bool strings, uint32_t first_string, size_t *len)
{
	size_t cap = bytes + 4096;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t n = 0;
	for (uint32_t i = 1; n + 512 < bytes; i++) {
		int w;
		if (i % 997 == 0)
			w = snprintf(buf + n, cap - n, "cpu,host=h%u usage_user= %u\n", i % 50, i);
		else if (strings && i >= first_string && (i - first_string) % 1500 == 0)
			w = snprintf(buf + n, cap - n, "cpu,host=h%u note=\"two\nlines %u\" %u\n", i % 50, i,
			             i);
		else
			w = snprintf(buf + n, cap - n,
			             "cpu,host=h%u,region=r%u usage_user=%ui,usage_system=%u.5 %u\n",
			             i % 50, i % 7, i % 100, i % 37, i);
		n += (size_t)w;
	}
	*len = n;
	return buf;
}

typedef struct Outcome {
	int rc;
	stele_write_result res;
	char rows[256];
} Outcome;

static void write_into(const char *name, uint32_t threads, const char *lp, size_t len, Outcome *out)
{
	bool strings = memchr(lp, '"', len) != NULL;
	char dir[PATH_MAX];
	tu_tmpdir(dir, sizeof dir, name);
	stele_options o;
	stele_options_init(&o);
	o.sync = STELE_SYNC_NONE;
	o.query_threads = threads;
	stele_db *db;
	stele_err err;
	assert_int_equal(stele_open(dir, &o, &db, &err), STELE_OK);
	memset(out, 0, sizeof *out);
	out->rc = stele_write_lp(db, lp, len, NULL, &out->res, &err);
	stele_stmt *st;
	const char *q = strings ? "SELECT count(*), count(note), sum(usage_user), "
	                          "sum(usage_system), count(DISTINCT host), max(ts) FROM cpu"
	                        : "SELECT count(*), 0::bigint, sum(usage_user), "
	                          "sum(usage_system), count(DISTINCT host), max(ts) FROM cpu";
	assert_int_equal(stele_prepare(db, q, -1, NULL, &st, &err), STELE_OK);
	const stele_batch *b;
	assert_int_equal(stele_next(st, &b, &err), STELE_OK);
	assert_non_null(b);
	snprintf(out->rows, sizeof out->rows, "%lld %lld %lld %.17g %lld %lld",
	         (long long)b->cols[0].v.i64[0], (long long)b->cols[1].v.i64[0],
	         (long long)b->cols[2].v.i64[0], b->cols[3].v.f64[0],
	         (long long)b->cols[4].v.i64[0], (long long)b->cols[5].v.i64[0]);
	stele_finalize(st);
	assert_int_equal(stele_close(db, &err), STELE_OK);
	tu_rmtree(dir);
}

static void same(const Outcome *a, const Outcome *b)
{
	assert_int_equal(a->rc, b->rc);
	assert_int_equal(a->res.lines_written, b->res.lines_written);
	assert_int_equal(a->res.lines_rejected, b->res.lines_rejected);
	assert_int_equal(a->res.values_written, b->res.values_written);
	assert_int_equal(a->res.n_errors, b->res.n_errors);
	for (uint32_t i = 0; i < a->res.n_errors; i++) {
		assert_int_equal(a->res.errors[i].line, b->res.errors[i].line);
		assert_int_equal(a->res.errors[i].column, b->res.errors[i].column);
		assert_int_equal(a->res.errors[i].code, b->res.errors[i].code);
		assert_string_equal(a->res.errors[i].msg, b->res.errors[i].msg);
	}
	assert_string_equal(a->rows, b->rows);
}

static void check(bool strings, uint32_t first_string, size_t bytes)
{
	size_t len;
	char *lp = make_lp(bytes, strings, first_string, &len);
	Outcome par, seq;
	write_into("wpar", 4, lp, len, &par);
	write_into("wseq", 1, lp, len, &seq);
	same(&par, &seq);
	assert_int_equal(par.rc, STELE_EPARSE);
	assert_true(par.res.lines_rejected > 0);
	/* without strings, the rejected lines are exactly every 997th */
	for (uint32_t i = 0; i < par.res.n_errors && !strings; i++)
		assert_int_equal(par.res.errors[i].line % 997, 0);
	free(lp);
}

/* No quotes: up to four parts; errors in every part keep their numbers. */
static void test_parallel_parse_plain(void **state)
{
	check(false, 0, 6u << 20);
	size_t len;
	char *lp = make_lp(6u << 20, false, 0, &len);
	Outcome o;
	write_into("wcount", 4, lp, len, &o);
	uint64_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += lp[i] == '\n';
	assert_int_equal(o.res.lines_written + o.res.lines_rejected, lines);
	assert_int_equal(o.res.lines_rejected, lines / 997);
	assert_int_equal(o.res.n_errors, STELE_LINE_ERRORS_KEPT);
	assert_int_equal(o.res.errors[0].line, 997);
	assert_int_equal(o.res.errors[STELE_LINE_ERRORS_KEPT - 1].line, 997 * STELE_LINE_ERRORS_KEPT);
	free(lp);
}

/* A string with a newline early: no cut after it, so one part. */
static void test_parallel_parse_string_first(void **state)
{
	check(true, 1, 3u << 20);
}

/* Strings with newlines only late in the buffer: cuts before them only. */
static void test_parallel_parse_string_late(void **state)
{
	check(true, 40000, 6u << 20);
}

/* A buffer just above the threshold, and one that ends without a newline. */
static void test_parallel_parse_edges(void **state)
{
	size_t len;
	char *lp = make_lp((1u << 20) + 4096, false, 0, &len);
	Outcome par, seq;
	write_into("wpar", 4, lp, len, &par);
	write_into("wseq", 1, lp, len, &seq);
	same(&par, &seq);
	len--; /* drop the last newline */
	write_into("wpar", 4, lp, len, &par);
	write_into("wseq", 1, lp, len, &seq);
	same(&par, &seq);
	free(lp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parallel_parse_plain),
		cmocka_unit_test(test_parallel_parse_string_first),
		cmocka_unit_test(test_parallel_parse_string_late),
		cmocka_unit_test(test_parallel_parse_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
