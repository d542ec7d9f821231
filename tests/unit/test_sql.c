/* test_sql.c - the SQL C API (stele.h): prepare, typed batches, scripts,
 * errors with positions, parameters of a run (memory limit, timeout,
 * cancellation), results across flushes and over many batches. The SQL
 * language itself is tested by tests/sql (golden files) and tests/diff
 * (against PostgreSQL). */
#include "testutil.h"

#include <errno.h>
#include <math.h>

#include "stele.h"
#include "storage/db.h"
#include "util/io.h"

typedef struct Fixture {
	char dir[PATH_MAX];
	stele_db *db;
} Fixture;

static int setup(void **state)
{
	Fixture *f = calloc(1, sizeof *f);
	tu_tmpdir(f->dir, sizeof f->dir, "sql");
	stele_options o;
	stele_options_init(&o);
	o.sync = STELE_SYNC_NONE;
	stele_err err;
	assert_int_equal(stele_open(f->dir, &o, &f->db, &err), STELE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	Fixture *f = *state;
	if (f->db)
		stele_close(f->db, NULL);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

static void write_lp(stele_db *db, const char *lp)
{
	stele_write_result res;
	stele_err err;
	assert_int_equal(stele_write_lp(db, lp, strlen(lp), NULL, &res, &err), STELE_OK);
}

/* Runs sql and returns its one value as text in out ("NULL" for NULL). */
static void scalar(stele_db *db, const char *sql, char *out, size_t n)
{
	stele_stmt *st;
	stele_err err;
	int rc = stele_prepare(db, sql, -1, NULL, &st, &err);
	if (rc)
		fail_msg("prepare %s: %s", sql, err.msg);
	const stele_batch *b;
	rc = stele_next(st, &b, &err);
	if (rc)
		fail_msg("next %s: %s", sql, err.msg);
	assert_non_null(b);
	assert_int_equal(b->nrows, 1);
	const stele_column *c = &b->cols[0];
	if (c->nulls[0]) {
		snprintf(out, n, "NULL");
	} else {
		switch (c->type) {
		case STELE_TYPE_DOUBLE:
			snprintf(out, n, "%.17g", c->v.f64[0]);
			break;
		case STELE_TYPE_UBIGINT:
			snprintf(out, n, "%llu", (unsigned long long)c->v.u64[0]);
			break;
		case STELE_TYPE_VARCHAR:
			snprintf(out, n, "%.*s", (int)c->v.str[0].len, c->v.str[0].ptr);
			break;
		default:
			snprintf(out, n, "%lld", (long long)c->v.i64[0]);
		}
	}
	assert_int_equal(stele_next(st, &b, &err), STELE_OK);
	assert_null(b);
	stele_finalize(st);
}

static void expect_error(stele_db *db, const char *sql, int code, const char *msg)
{
	stele_stmt *st = NULL;
	stele_err err = {0};
	int rc = stele_prepare(db, sql, -1, NULL, &st, &err);
	if (rc == STELE_OK) {
		rc = stele_execute(st, &err);
		stele_finalize(st);
	}
	if (rc != code || strcmp(err.msg, msg) != 0)
		fail_msg("%s: got %d \"%s\", want %d \"%s\"", sql, rc, err.msg, code, msg);
}

static void test_typed_batches(void **state)
{
	Fixture *f = *state;
	write_lp(f->db, "m,dev=a d=1.5,i=-3i,u=7u,b=true,s=\"x\" 1000\n"
	                "m,dev=b d=-0.25,b=false 2000\n");
	stele_stmt *st;
	stele_err err;
	assert_int_equal(stele_prepare(f->db,
	                               "SELECT ts, dev, d, i, u, b, s, ts - ts AS iv FROM m "
	                               "ORDER BY ts",
	                               -1, NULL, &st, &err),
	                 STELE_OK);
	assert_int_equal(stele_stmt_ncols(st), 8);
	const char *names[] = {"ts", "dev", "d", "i", "u", "b", "s", "iv"};
	stele_type types[] = {STELE_TYPE_TIMESTAMP, STELE_TYPE_VARCHAR, STELE_TYPE_DOUBLE,
	                      STELE_TYPE_BIGINT,    STELE_TYPE_UBIGINT, STELE_TYPE_BOOLEAN,
	                      STELE_TYPE_VARCHAR,   STELE_TYPE_INTERVAL};
	for (uint32_t c = 0; c < 8; c++) {
		assert_string_equal(stele_stmt_col_name(st, c), names[c]);
		assert_int_equal(stele_stmt_col_type(st, c), types[c]);
	}
	assert_null(stele_stmt_col_name(st, 8));
	const stele_batch *b;
	assert_int_equal(stele_next(st, &b, &err), STELE_OK);
	assert_non_null(b);
	assert_int_equal(b->nrows, 2);
	assert_int_equal(b->ncols, 8);
	assert_int_equal(b->cols[0].v.i64[0], 1000);
	assert_int_equal(b->cols[0].v.i64[1], 2000);
	assert_int_equal(b->cols[1].v.str[1].len, 1);
	assert_memory_equal(b->cols[1].v.str[1].ptr, "b", 1);
	assert_true(b->cols[2].v.f64[0] == 1.5 && b->cols[2].v.f64[1] == -0.25);
	assert_int_equal(b->cols[3].v.i64[0], -3);
	assert_int_equal(b->cols[3].nulls[1], 1);
	assert_int_equal(b->cols[4].v.u64[0], 7);
	assert_int_equal(b->cols[5].v.i64[0], 1);
	assert_int_equal(b->cols[5].v.i64[1], 0);
	assert_int_equal(b->cols[6].nulls[0], 0);
	assert_int_equal(b->cols[6].nulls[1], 1);
	assert_int_equal(b->cols[7].v.i64[0], 0);
	assert_int_equal(stele_next(st, &b, &err), STELE_OK);
	assert_null(b);
	assert_string_equal(stele_stmt_tag(st), "SELECT 2");
	assert_int_equal(stele_stmt_rows(st), 2);
	stele_finalize(st);
	stele_finalize(NULL);
}

static void test_script_tail(void **state)
{
	Fixture *f = *state;
	const char *sql = "  SELECT 1; -- one\n SELECT 'a;b' ; /* end */ ;;  ";
	const char *tail;
	stele_stmt *st;
	stele_err err;
	assert_int_equal(stele_prepare(f->db, sql, -1, &tail, &st, &err), STELE_OK);
	assert_non_null(st);
	assert_ptr_equal(tail, strstr(sql, " -- one"));
	stele_finalize(st);
	assert_int_equal(stele_prepare(f->db, tail, -1, &tail, &st, &err), STELE_OK);
	assert_non_null(st);
	assert_int_equal(stele_stmt_col_type(st, 0), STELE_TYPE_VARCHAR);
	stele_finalize(st);
	/* Only comments and semicolons left: no statement. */
	assert_int_equal(stele_prepare(f->db, tail, -1, &tail, &st, &err), STELE_OK);
	assert_null(st);
	assert_ptr_equal(tail, sql + strlen(sql));
	/* A syntax error's tail is past its ';': a script goes on. */
	const char *bad = "SELECT FROM; SELECT 2";
	assert_int_equal(stele_prepare(f->db, bad, -1, &tail, &st, &err), STELE_EPARSE);
	assert_string_equal(err.msg, "syntax error at or near \"FROM\" at character 8");
	assert_string_equal(tail, " SELECT 2");
	/* Explicit length: the rest of the buffer is not read. */
	assert_int_equal(stele_prepare(f->db, "SELECT 5 garbage", 8, NULL, &st, &err), STELE_OK);
	stele_finalize(st);
}

static void test_values_and_errors(void **state)
{
	Fixture *f = *state;
	char v[128];
	scalar(f->db, "SELECT 6 * 7", v, sizeof v);
	assert_string_equal(v, "42");
	scalar(f->db, "SELECT 18446744073709551615", v, sizeof v);
	assert_string_equal(v, "18446744073709551615");
	scalar(f->db, "SELECT sqrt(2) * sqrt(2) > 1.9999", v, sizeof v);
	assert_string_equal(v, "1");
	scalar(f->db, "SELECT CASE WHEN 1 = 0 THEN 1 / 0 END", v, sizeof v);
	assert_string_equal(v, "NULL");
	scalar(f->db, "SELECT 'h\xc3\xa9llo'::varchar", v, sizeof v);
	assert_string_equal(v, "h\xc3\xa9llo");
	expect_error(f->db, "SELECT 1 / 0", STELE_EINVAL, "division by zero");
	/* Positions count characters, not bytes. */
	expect_error(f->db, "SELECT '\xc3\xa9', nope", STELE_ENOENT,
	             "column \"nope\" does not exist at character 13");
	expect_error(f->db, "SELECT * FROM nope", STELE_ENOENT,
	             "relation \"nope\" does not exist at character 15");
	expect_error(f->db, "SELECT 1 +", STELE_EPARSE, "syntax error at end of input at character 11");
	expect_error(f->db, "SELECT 'x", STELE_EPARSE, "unterminated quoted string at character 8");
	expect_error(f->db, "SELECT 1\x01", STELE_EPARSE,
	             "invalid byte 0x01 in statement at character 9");
	char withnul[] = "SELECT 1\0";
	stele_stmt *st;
	stele_err err;
	assert_int_equal(stele_prepare(f->db, withnul, sizeof withnul - 1, NULL, &st, &err),
	                 STELE_EPARSE);
	assert_string_equal(err.msg, "invalid byte 0x00 in statement at character 9");
}

/* Deep nesting fails cleanly, in the parser or the binder. */
static void test_nesting_limit(void **state)
{
	Fixture *f = *state;
	size_t depth = 5000;
	char *sql = malloc(depth * 2 + 16);
	strcpy(sql, "SELECT ");
	size_t k = strlen(sql);
	for (size_t i = 0; i < depth; i++)
		sql[k++] = '(';
	sql[k++] = '1';
	for (size_t i = 0; i < depth; i++)
		sql[k++] = ')';
	sql[k] = '\0';
	stele_stmt *st = NULL;
	stele_err err;
	int rc = stele_prepare(f->db, sql, -1, NULL, &st, &err);
	assert_int_not_equal(rc, STELE_OK);
	assert_null(st);
	assert_non_null(strstr(err.msg, "nested too deeply"));
	/* Not parentheses but operators: 1+1+1+... is left-deep, fine. */
	k = strlen("SELECT 1");
	strcpy(sql, "SELECT 1");
	for (size_t i = 0; i < 2000; i++) {
		sql[k++] = '+';
		sql[k++] = '1';
	}
	sql[k] = '\0';
	char v[64];
	scalar(f->db, sql, v, sizeof v);
	assert_string_equal(v, "2001");
	free(sql);
}

static void load_many(stele_db *db, int hosts, int points)
{
	char *buf = malloc((size_t)hosts * points * 64 + 1);
	size_t o = 0;
	for (int h = 0; h < hosts; h++)
		for (int i = 0; i < points; i++)
			o += (size_t)sprintf(buf + o, "cpu,host=h%d v=%d,w=\"s%d\" %lld\n", h, i, i % 7,
			                     (long long)(1451606400000000000LL + (long long)i * 1000000000LL));
	stele_write_result res;
	stele_err err;
	assert_int_equal(stele_write_lp(db, buf, o, NULL, &res, &err), STELE_OK);
	free(buf);
}

/* Results spanning many batches, memtable and segments alike. */
static void test_many_batches_and_flush(void **state)
{
	Fixture *f = *state;
	load_many(f->db, 10, 1000);
	char v[64];
	scalar(f->db, "SELECT count(*) FROM cpu", v, sizeof v);
	assert_string_equal(v, "10000");
	stele_err err;
	assert_int_equal(stele_flush(f->db, &err), STELE_OK);
	load_many(f->db, 12, 10); /* overwrites 100 rows, adds 20 */
	scalar(f->db, "SELECT count(*) FROM cpu", v, sizeof v);
	assert_string_equal(v, "10020");
	scalar(f->db, "SELECT sum(v) FROM cpu", v, sizeof v);
	assert_string_equal(v, "4995090");
	scalar(f->db, "SELECT count(DISTINCT w) FROM cpu WHERE host = 'h3'", v, sizeof v);
	assert_string_equal(v, "7");
	stele_stmt *st;
	assert_int_equal(stele_prepare(f->db, "SELECT host, v FROM cpu ORDER BY v DESC, host", -1,
	                               NULL, &st, &err),
	                 STELE_OK);
	const stele_batch *b;
	uint64_t rows = 0, batches = 0;
	double last = INFINITY;
	while (stele_next(st, &b, &err) == STELE_OK && b) {
		for (uint32_t i = 0; i < b->nrows; i++) {
			assert_true(b->cols[1].v.f64[i] <= last);
			last = b->cols[1].v.f64[i];
		}
		rows += b->nrows;
		batches++;
	}
	assert_int_equal(rows, 10020);
	assert_true(batches > 1);
	stele_finalize(st);
	/* Stopping early is fine: finalize closes what is open. */
	assert_int_equal(stele_prepare(f->db, "SELECT * FROM cpu", -1, NULL, &st, &err), STELE_OK);
	assert_int_equal(stele_next(st, &b, &err), STELE_OK);
	assert_non_null(b);
	stele_finalize(st);
}

static void test_memory_limit(void **state)
{
	Fixture *f = *state;
	load_many(f->db, 20, 1000);
	stele_close(f->db, NULL);
	stele_options o;
	stele_options_init(&o);
	o.sync = STELE_SYNC_NONE;
	o.query_memory = 64 * 1024;
	stele_err err;
	assert_int_equal(stele_open(f->dir, &o, &f->db, &err), STELE_OK);
	/* A sort of 20000 rows does not fit in 64 KiB... */
	expect_error(f->db, "SELECT host, v, w FROM cpu ORDER BY w, v", STELE_ELIMIT,
	             "query needs more than its memory limit of 65536 bytes (query_memory)");
	/* ...nor a grouping of 20000 groups... */
	expect_error(f->db, "SELECT host, v, count(*) FROM cpu GROUP BY host, v", STELE_ELIMIT,
	             "query needs more than its memory limit of 65536 bytes (query_memory)");
	/* ...but a streaming aggregate and a top-N do. */
	char v[64];
	scalar(f->db, "SELECT count(*) FROM cpu WHERE v > 10", v, sizeof v);
	assert_string_equal(v, "19780");
	scalar(f->db, "SELECT max(v) FROM (SELECT v FROM cpu ORDER BY v DESC LIMIT 5) t", v,
	       sizeof v);
	assert_string_equal(v, "999");
	/* SET raises it for later statements. */
	stele_stmt *st;
	assert_int_equal(stele_prepare(f->db, "SET query_memory = 100000000", -1, NULL, &st, &err),
	                 STELE_OK);
	assert_int_equal(stele_execute(st, &err), STELE_OK);
	stele_finalize(st);
	scalar(f->db, "SELECT count(*) FROM (SELECT host, v, count(*) FROM cpu GROUP BY host, v) t",
	       v, sizeof v);
	assert_string_equal(v, "20000");
}

static void test_cancel_and_timeout(void **state)
{
	Fixture *f = *state;
	load_many(f->db, 10, 1000);
	stele_stmt *st;
	stele_err err;
	/* A cross join of 10^4 x 10^4 rows would take long: cancel it. */
	assert_int_equal(stele_prepare(f->db, "SELECT count(*) FROM cpu a CROSS JOIN cpu b", -1, NULL,
	                               &st, &err),
	                 STELE_OK);
	stele_stmt_cancel(st);
	const stele_batch *b;
	assert_int_equal(stele_next(st, &b, &err), STELE_ELIMIT);
	assert_string_equal(err.msg, "canceling statement due to user request");
	/* A failed statement stays failed. */
	assert_int_equal(stele_next(st, &b, &err), STELE_ELIMIT);
	stele_finalize(st);
	assert_int_equal(stele_prepare(f->db, "SET statement_timeout = 50", -1, NULL, &st, &err),
	                 STELE_OK);
	assert_int_equal(stele_execute(st, &err), STELE_OK);
	stele_finalize(st);
	expect_error(f->db, "SELECT count(*) FROM cpu a CROSS JOIN cpu b", STELE_ELIMIT,
	             "canceling statement due to statement timeout");
	char v[64];
	scalar(f->db, "SELECT count(*) FROM cpu", v, sizeof v);
	assert_string_equal(v, "10000");
}

static void test_ddl_and_insert(void **state)
{
	Fixture *f = *state;
	stele_stmt *st;
	stele_err err;
	const char *script = "CREATE TABLE t (ts timestamp, k varchar TAG, x double);"
	                     "INSERT INTO t VALUES ('2016-01-01', 'a', 1), ('2016-01-02', 'b', 2);"
	                     "INSERT INTO t (ts, k, x) SELECT ts + interval '1 hour', k, x * 10 FROM t;";
	const char *tags[] = {"CREATE TABLE", "INSERT 0 2", "INSERT 0 2"};
	const char *p = script;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(stele_prepare(f->db, p, -1, &p, &st, &err), STELE_OK);
		assert_int_equal(stele_stmt_ncols(st), 0);
		if (stele_execute(st, &err))
			fail_msg("%s", err.msg);
		assert_string_equal(stele_stmt_tag(st), tags[i]);
		stele_finalize(st);
	}
	char v[64];
	scalar(f->db, "SELECT sum(x) FROM t", v, sizeof v);
	assert_string_equal(v, "33");
	/* Durable: a reopened database has the table and the rows. */
	stele_close(f->db, NULL);
	assert_int_equal(stele_open(f->dir, NULL, &f->db, &err), STELE_OK);
	scalar(f->db, "SELECT count(*) FROM t WHERE k = 'b'", v, sizeof v);
	assert_string_equal(v, "2");
	scalar(f->db, "SELECT data_type FROM information_schema.columns WHERE column_name = 'x'", v,
	       sizeof v);
	assert_string_equal(v, "double precision");
}

/* Runs sql and returns its rows as text "v,v;v,v;" (NULL as N). */
static const char *dbl_fmt = "%g%s"; /* rows_text's format of doubles */

static void rows_text(stele_db *db, const char *sql, char *out, size_t n)
{
	stele_stmt *st;
	stele_err err = {0};
	if (stele_prepare(db, sql, -1, NULL, &st, &err))
		fail_msg("prepare %s: %s", sql, err.msg);
	size_t o = 0;
	out[0] = '\0';
	const stele_batch *b;
	int rc;
	while ((rc = stele_next(st, &b, &err)) == STELE_OK && b) {
		for (uint32_t i = 0; i < b->nrows; i++) {
			for (uint32_t c = 0; c < b->ncols; c++) {
				const stele_column *col = &b->cols[c];
				const char *sep = c + 1 < b->ncols ? "," : ";";
				if (col->nulls[i])
					o += (size_t)snprintf(out + o, n - o, "N%s", sep);
				else if (col->type == STELE_TYPE_VARCHAR)
					o += (size_t)snprintf(out + o, n - o, "%.*s%s", (int)col->v.str[i].len,
					                      col->v.str[i].ptr, sep);
				else if (col->type == STELE_TYPE_DOUBLE)
					o += (size_t)snprintf(out + o, n - o, dbl_fmt, col->v.f64[i], sep);
				else
					o += (size_t)snprintf(out + o, n - o, "%lld%s", (long long)col->v.i64[i],
					                      sep);
			}
		}
	}
	if (rc)
		fail_msg("next %s: %s", sql, err.msg);
	stele_finalize(st);
}

/* The latest row per series (DISTINCT ON (tags) ... ORDER BY tags, ts
 * DESC) comes from scan_latest: segments' last rows and the memtables'
 * newest rows, merged field by field at the newest time; it must equal
 * what the full scan gives. */
static void test_latest_rows(void **state)
{
	Fixture *f = *state;
	stele_err err;
	write_lp(f->db, "m,h=a x=1,y=10 100\nm,h=a x=2 200\nm,h=b x=5,y=50 100\n"
	                "m,h=d x=1 100\nm,h=d y=1 100\n");
	assert_int_equal(stele_flush(f->db, &err), STELE_OK);
	/* In the memtable: a's newest time gets y from here, x from the
	 * segment; b gets an older row (ignored); c has two rows at its
	 * newest time (merged); d gets a newer row; e exists only here. */
	write_lp(f->db, "m,h=a y=20 200\nm,h=b x=6 50\nm,h=c x=7 300\nm,h=c y=8 300\n"
	                "m,h=d y=2 150\nm,h=e x=9 10\nm,h=c x=70 300\n");
	const char *fast = "SELECT DISTINCT ON (h) h, ts, x, y FROM m ORDER BY h, ts DESC";
	const char *slow = "SELECT DISTINCT ON (h) h, ts, x, y FROM (SELECT * FROM m) t "
	                   "ORDER BY h, ts DESC";
	char a[1024], b[1024];
	rows_text(f->db, fast, a, sizeof a);
	rows_text(f->db, slow, b, sizeof b);
	assert_string_equal(a, "a,200,2,20;b,100,5,50;c,300,70,8;d,150,N,2;e,10,9,N;");
	assert_string_equal(a, b);
	/* The plan says so. */
	char plan[4096];
	rows_text(f->db, "EXPLAIN SELECT DISTINCT ON (h) h, ts FROM m ORDER BY h, ts DESC", plan,
	          sizeof plan);
	assert_non_null(strstr(plan, "newest row of each series only"));
	/* With a tag predicate, and after everything is in segments. */
	rows_text(f->db, "SELECT DISTINCT ON (h) h, x FROM m WHERE h IN ('c', 'e') ORDER BY h, ts DESC",
	          a, sizeof a);
	assert_string_equal(a, "c,70;e,9;");
	assert_int_equal(stele_flush(f->db, &err), STELE_OK);
	rows_text(f->db, fast, a, sizeof a);
	assert_string_equal(a, b);
	/* A time bound is not the latest row: the full path answers. */
	rows_text(f->db, "SELECT DISTINCT ON (h) h, ts FROM m WHERE ts < 150::timestamp ORDER BY h, ts DESC", a,
	          sizeof a);
	assert_string_equal(a, "a,100;b,100;d,100;e,10;");
}

static void exec_sql(stele_db *db, const char *sql, const char *tag)
{
	stele_stmt *st;
	stele_err err;
	if (stele_prepare(db, sql, -1, NULL, &st, &err) || stele_execute(st, &err))
		fail_msg("%s: %s", sql, err.msg);
	if (tag)
		assert_string_equal(stele_stmt_tag(st), tag);
	stele_finalize(st);
}

/* Fails every rename of a manifest: a publish cannot finish. */
static int no_manifest(IoOp op, const char *path, void *ctx)
{
	(void)ctx;
	return op == IO_RENAME && strstr(path, "MANIFEST") ? EIO : 0;
}

/* DELETE over segments and memtables: durable, exact; when the segments
 * cannot be rewritten (the manifest cannot be replaced), the tombstone
 * hides the rows, also after a restart, until a compaction applies it.
 * DROP TABLE removes the table, its rows and its files. */
static void test_delete_and_drop(void **state)
{
	Fixture *f = *state;
	char a[2048];
	write_lp(f->db, "m,h=a x=1 100\nm,h=a x=2 200\nm,h=b x=3 200\nm,h=b x=4 300\n"
	                "n,k=z y=1 100\n");
	stele_err err;
	assert_int_equal(stele_flush(f->db, &err), STELE_OK);
	write_lp(f->db, "m,h=a x=5 250\nm,h=a x=6 400\n");
	exec_sql(f->db, "DELETE FROM m WHERE h = 'a' AND ts >= 150::timestamp AND ts <= 300::timestamp",
	         "DELETE 2");
	rows_text(f->db, "SELECT h, ts, x FROM m ORDER BY h, ts", a, sizeof a);
	assert_string_equal(a, "a,100,1;a,400,6;b,200,3;b,300,4;");
	/* The segments were rewritten: no tombstone is left. */
	assert_int_equal(f->db->ntombs, 0);
	/* A delete whose rewrite fails still holds. */
	io_set_fault_hook(no_manifest, NULL);
	exec_sql(f->db, "DELETE FROM m WHERE h = 'b' AND ts = 200::timestamp", "DELETE 1");
	io_set_fault_hook(NULL, NULL);
	assert_int_equal(f->db->ntombs, 1);
	rows_text(f->db, "SELECT h, ts, x FROM m ORDER BY h, ts", a, sizeof a);
	assert_string_equal(a, "a,100,1;a,400,6;b,300,4;");
	rows_text(f->db, "SELECT DISTINCT ON (h) h, ts FROM m ORDER BY h, ts DESC", a, sizeof a);
	assert_string_equal(a, "a,400;b,300;");
	/* After a restart: the WAL replays the delete over the segments. */
	stele_close(f->db, NULL);
	assert_int_equal(stele_open(f->dir, NULL, &f->db, &err), STELE_OK);
	rows_text(f->db, "SELECT h, ts, x FROM m ORDER BY h, ts", a, sizeof a);
	assert_string_equal(a, "a,100,1;a,400,6;b,300,4;");
	/* A compaction applies it to the files and drops the tombstone. */
	assert_int_equal(stele_compact(f->db, &err), STELE_OK);
	assert_int_equal(f->db->ntombs, 0);
	rows_text(f->db, "SELECT h, ts, x FROM m ORDER BY h, ts", a, sizeof a);
	assert_string_equal(a, "a,100,1;a,400,6;b,300,4;");
	/* DROP TABLE: gone, files too; the name can be used again. */
	exec_sql(f->db, "DROP TABLE n", "DROP TABLE");
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/data/1", f->dir);
	assert_false(io_exists(path));
	expect_error(f->db, "SELECT * FROM n", STELE_ENOENT,
	             "relation \"n\" does not exist at character 15");
	write_lp(f->db, "n,q=1 v=\"new\" 500\n");
	stele_close(f->db, NULL);
	assert_int_equal(stele_open(f->dir, NULL, &f->db, &err), STELE_OK);
	rows_text(f->db, "SELECT * FROM n", a, sizeof a);
	assert_string_equal(a, "500,1,new;");
	rows_text(f->db, "SHOW TABLES", a, sizeof a);
	assert_string_equal(a, "m;n;");
}

/* Aggregates over whole blocks from their statistics (count, sum, avg,
 * min, max, first, last, spread) must equal what the rows give, with
 * blocks that cannot be used that way (overlapping memtable rows, NULLs
 * for first/last, a delete not yet applied, a partial time range) read
 * row by row; a subquery in FROM defeats the statistics. */
static void test_stats_aggregates(void **state)
{
	Fixture *f = *state;
	stele_err err;
	/* a: 20000 rows (3 blocks), z NULL every 100th row; b: 10000 rows. */
	size_t cap = 30000 * 96, o = 0;
	char *lp = malloc(cap);
	for (int i = 1; i <= 20000; i++) {
		o += (size_t)snprintf(lp + o, cap - o, "m,h=a x=%di,y=%d.5,f=%s", i, i % 1000,
		                      i % 3 ? "true" : "false");
		if (i % 100 != 1)
			o += (size_t)snprintf(lp + o, cap - o, ",z=%d.25", i);
		o += (size_t)snprintf(lp + o, cap - o, " %d\n", i);
	}
	for (int i = 1; i <= 10000; i++)
		o += (size_t)snprintf(lp + o, cap - o, "m,h=b x=%di,y=%d,z=1,f=true %d\n", 2 * i, -i,
		                      i + 10);
	/* c starts first but its first z is later than a's: a block's first
	 * value is at its first time only without NULLs. */
	o += (size_t)snprintf(lp + o, cap - o, "m,h=c x=1i 0\nm,h=c z=3.5,f=false 3\n");
	stele_write_result res;
	assert_int_equal(stele_write_lp(f->db, lp, o, NULL, &res, &err), STELE_OK);
	free(lp);
	assert_int_equal(stele_flush(f->db, &err), STELE_OK);
	/* Overlaps a's second block; a delete in b's second block kept as a
	 * tombstone (its rewrite fails). */
	write_lp(f->db, "m,h=a x=-1i 9000\n");
	io_set_fault_hook(no_manifest, NULL);
	exec_sql(f->db, "DELETE FROM m WHERE h = 'b' AND ts >= 9000::timestamp AND ts <= 9100::timestamp",
	         "DELETE 101");
	io_set_fault_hook(NULL, NULL);
	assert_int_equal(f->db->ntombs, 1);
	static const char *const q[] = {
		"SELECT h, count(*), count(z), sum(x), avg(x), min(x), max(x), sum(y), avg(y), "
		"min(y), max(y), spread(y), first(x, ts), last(x, ts), first(z, ts), last(z, ts), "
		"first(f, ts), last(f, ts), count(f), min(ts), max(ts), bool_and(f), bool_or(f), "
		"every(f) FROM %s GROUP BY h ORDER BY h",
		"SELECT count(*), sum(x), min(z), max(z), last(y, ts), first(y, ts), first(z, ts), "
		"last(z, ts), first(f, ts) FROM %s",
		"SELECT h, count(*), sum(x), max(y), last(x, ts) FROM %s WHERE ts >= 100::timestamp "
		"AND ts < 16500::timestamp GROUP BY h ORDER BY h",
		"SELECT count(*), sum(x), last(x, ts) FROM %s WHERE h = 'a' AND ts >= 8193::timestamp",
	};
	char fast[8192], slow[8192], sql[1024], plan[8192];
	dbl_fmt = "%.17g%s";
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
			snprintf(sql, sizeof sql, q[k], "m");
			rows_text(f->db, sql, fast, sizeof fast);
			snprintf(sql, sizeof sql, q[k], "(SELECT * FROM m) t");
			rows_text(f->db, sql, slow, sizeof slow);
			if (strcmp(fast, slow) != 0)
				fail_msg("pass %d query %zu:\n  stats %s\n  rows  %s", pass, k, fast, slow);
		}
		rows_text(f->db, "SELECT count(*), sum(x), min(x), last(x, ts), count(z) FROM m "
		                 "WHERE h = 'a'", fast, sizeof fast);
		assert_string_equal(fast, "20000,200000999,-1,20000,19800;");
		rows_text(f->db, "SELECT count(*), sum(x), max(ts) FROM m WHERE h = 'b'", fast,
		          sizeof fast);
		assert_string_equal(fast, "9899,98183920,10010;");
		rows_text(f->db, "SELECT first(z, ts), last(z, ts), first(f, ts) FROM m", fast,
		          sizeof fast);
		assert_string_equal(fast, "2.25,20000.25,1;");
		/* Some blocks came as statistics. */
		rows_text(f->db, "EXPLAIN ANALYZE SELECT h, sum(x) FROM m GROUP BY h", plan,
		          sizeof plan);
		assert_non_null(strstr(plan, "whole blocks as their statistics ("));
		assert_null(strstr(plan, "whole blocks as their statistics (0)"));
		/* Not for what needs the rows. */
		rows_text(f->db, "EXPLAIN SELECT h, stddev(x) FROM m GROUP BY h", plan, sizeof plan);
		assert_null(strstr(plan, "statistics"));
		rows_text(f->db, "EXPLAIN SELECT sum(x) FROM m WHERE y > 0", plan, sizeof plan);
		assert_null(strstr(plan, "statistics"));
		/* Then with everything in segments and the delete applied. */
		assert_int_equal(stele_flush(f->db, &err), STELE_OK);
		assert_int_equal(stele_compact(f->db, &err), STELE_OK);
		assert_int_equal(f->db->ntombs, 0);
	}
	dbl_fmt = "%g%s";
}

/* ORDER BY ts (or a time bucket) LIMIT n reads widening windows at the
 * end of the time span (TimeWindow): the same rows as the whole scan,
 * also when the data is sparse, filtered, offset, or ascending. */
static void test_time_window(void **state)
{
	Fixture *f = *state;
	stele_err err;
	/* Dense recent data for a and b, and a few rows far in the past. */
	size_t cap = 4000 * 64, o = 0;
	char *lp = malloc(cap);
	for (int i = 0; i < 3000; i++)
		o += (size_t)snprintf(lp + o, cap - o, "m,h=%s x=%di %lld\n", i % 2 ? "a" : "b", i % 97,
		                      (long long)(1000000000000LL + (long long)i * 1000000000LL));
	for (int i = 0; i < 5; i++)
		o += (size_t)snprintf(lp + o, cap - o, "m,h=c x=%di %lld\n", 1000 + i,
		                      (long long)(i * 60000000000LL));
	stele_write_result res;
	assert_int_equal(stele_write_lp(f->db, lp, o, NULL, &res, &err), STELE_OK);
	free(lp);
	static const char *const q[] = {
		"SELECT ts, h, x FROM %s ORDER BY ts DESC, h LIMIT 7",
		"SELECT ts, h, x FROM %s ORDER BY ts DESC LIMIT 3 OFFSET 2990",
		"SELECT ts, x FROM %s WHERE x > 95 ORDER BY ts DESC LIMIT 40",
		"SELECT ts, x FROM %s WHERE h = 'c' ORDER BY ts DESC LIMIT 2",
		"SELECT ts, h, x FROM %s ORDER BY ts LIMIT 8",
		"SELECT ts, x FROM %s WHERE ts < 1000100000000::timestamp ORDER BY ts DESC LIMIT 4",
		"SELECT time_bucket('1 minute', ts) AS b, max(x), count(*) FROM %s GROUP BY b "
		"ORDER BY b DESC LIMIT 5",
		"SELECT time_bucket('1 minute', ts) AS b, h, sum(x) FROM %s GROUP BY b, h "
		"ORDER BY b DESC, h LIMIT 5",
		"SELECT time_bucket('10 minutes', ts) AS b, count(*) FROM %s GROUP BY b "
		"HAVING count(*) < 500 ORDER BY b DESC LIMIT 3",
		"SELECT time_bucket('1 minute', ts) AS b, min(x) FROM %s GROUP BY b ORDER BY b LIMIT 6",
		"SELECT ts, count(*) FROM %s GROUP BY ts ORDER BY ts DESC LIMIT 3",
		"SELECT ts, x FROM %s ORDER BY ts DESC LIMIT 0",
		"SELECT ts, x FROM %s ORDER BY ts DESC LIMIT 100000",
	};
	char fast[65536], slow[65536], sql[1024];
	for (int pass = 0; pass < 2; pass++) {
		for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
			snprintf(sql, sizeof sql, q[k], "m");
			rows_text(f->db, sql, fast, sizeof fast);
			snprintf(sql, sizeof sql, q[k], "(SELECT * FROM m) t");
			rows_text(f->db, sql, slow, sizeof slow);
			if (strcmp(fast, slow) != 0)
				fail_msg("pass %d query %zu:\n  window %s\n  all    %s", pass, k, fast, slow);
		}
		assert_int_equal(stele_flush(f->db, &err), STELE_OK);
	}
	rows_text(f->db, "SELECT ts, x FROM m WHERE h = 'c' ORDER BY ts DESC LIMIT 2", fast,
	          sizeof fast);
	assert_string_equal(fast, "240000000000,1004;180000000000,1003;");
	/* The first window (2 hours back from 03:10) starts inside the 01:00
	 * bucket: it must start at 01:00 to count both its rows. */
	write_lp(f->db, "w v=1 3600000000000\nw v=2 7100000000000\nw v=3 11400000000000\n");
	rows_text(f->db, "SELECT time_bucket('1 hour', ts) AS b, count(*) FROM w GROUP BY b "
	                 "ORDER BY b DESC LIMIT 2", fast, sizeof fast);
	assert_string_equal(fast, "10800000000000,1;3600000000000,2;");
	rows_text(f->db, "SELECT time_bucket('1 hour', ts) AS b, count(*) FROM w GROUP BY b "
	                 "ORDER BY b LIMIT 1", fast, sizeof fast);
	assert_string_equal(fast, "3600000000000,2;");
	/* One narrow pass for the dense data, more for the sparse. */
	char plan[8192];
	rows_text(f->db, "EXPLAIN ANALYZE SELECT ts FROM m ORDER BY ts DESC LIMIT 3", plan,
	          sizeof plan);
	if (!strstr(plan, "TimeWindow  (newest first, in widening windows; 1 pass)"))
		fail_msg("%s", plan);
	rows_text(f->db, "EXPLAIN ANALYZE SELECT ts FROM m WHERE h = 'c' ORDER BY ts DESC LIMIT 1",
	          plan, sizeof plan);
	assert_non_null(strstr(plan, "passes)"));
	rows_text(f->db, "EXPLAIN SELECT ts FROM m ORDER BY x DESC LIMIT 5", plan, sizeof plan);
	assert_null(strstr(plan, "TimeWindow"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_typed_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_script_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nesting_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_batches_and_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_and_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ddl_and_insert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_and_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_aggregates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_window, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
