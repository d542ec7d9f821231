/* test_sql_params.c - statement parameters through the C API
 * (stele_prepare_params, stele_stmt_nparams): typed values, text of no
 * type read as a literal in its context, NULLs, a missing value, the
 * describe form (params NULL), pushdown of a parameter, INSERT with
 * parameters, and a value that must never be read as SQL. */
#include "testutil.h"

#include "stele.h"

typedef struct Fixture {
	char dir[PATH_MAX];
	stele_db *db;
} Fixture;

static int setup(void **state)
{
	Fixture *f = calloc(1, sizeof *f);
	tu_tmpdir(f->dir, sizeof f->dir, "sqlparams");
	stele_options o;
	stele_options_init(&o);
	o.sync = STELE_SYNC_NONE;
	stele_err err;
	assert_int_equal(stele_open(f->dir, &o, &f->db, &err), STELE_OK);
	static const char lp[] = "cpu,host=a usage=1.5,n=3i,ok=true 1000000000\n"
	                         "cpu,host=b usage=2.5,n=4i,ok=false 2000000000\n"
	                         "cpu,host=a usage=3.5,n=5i,ok=true 3000000000\n";
	stele_write_result res;
	assert_int_equal(stele_write_lp(f->db, lp, sizeof lp - 1, NULL, &res, &err), STELE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	Fixture *f = *state;
	stele_close(f->db, NULL);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

static stele_param text(const char *s)
{
	return (stele_param){.type = STELE_TYPE_NONE, .v.str = {s, (uint32_t)strlen(s)}};
}

static stele_param i64(stele_type t, int64_t v)
{
	return (stele_param){.type = t, .v.i64 = v};
}

/* Runs sql with params; the rows as "v|v|...;" text into out. */
static int run(stele_db *db, const char *sql, const stele_param *p, uint32_t n, char *out,
               size_t cap, stele_err *err)
{
	stele_stmt *st;
	int rc = stele_prepare_params(db, sql, -1, NULL, p, n, &st, err);
	if (rc)
		return rc;
	size_t len = 0;
	out[0] = '\0';
	const stele_batch *b;
	while ((rc = stele_next(st, &b, err)) == STELE_OK && b)
		for (uint32_t r = 0; r < b->nrows; r++)
			for (uint32_t c = 0; c < b->ncols; c++) {
				const stele_column *col = &b->cols[c];
				const char *sep = c + 1 < b->ncols ? "|" : ";";
				if (col->type == STELE_TYPE_NONE || col->nulls[r])
					len += (size_t)snprintf(out + len, cap - len, "NULL%s", sep);
				else if (col->type == STELE_TYPE_DOUBLE)
					len += (size_t)snprintf(out + len, cap - len, "%g%s", col->v.f64[r], sep);
				else if (col->type == STELE_TYPE_VARCHAR)
					len += (size_t)snprintf(out + len, cap - len, "%.*s%s",
					                        (int)col->v.str[r].len, col->v.str[r].ptr, sep);
				else
					len += (size_t)snprintf(out + len, cap - len, "%lld%s",
					                        (long long)col->v.i64[r], sep);
			}
	stele_finalize(st);
	return rc;
}

static void expect_rows(stele_db *db, const char *sql, const stele_param *p, uint32_t n,
                        const char *want)
{
	char got[1024];
	stele_err err = {0};
	int rc = run(db, sql, p, n, got, sizeof got, &err);
	if (rc)
		fail_msg("%s: %s", sql, err.msg);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", sql, got, want);
}

static void test_typed_and_text(void **state)
{
	Fixture *f = *state;
	/* Text of no type takes the type of its context: a timestamp, a
	 * double, a tag. */
	stele_param p[3] = {text("1970-01-01 00:00:01.5"), text("2"), text("a")};
	expect_rows(f->db, "SELECT n FROM cpu WHERE ts > $1 AND usage > $2 AND host = $3", p, 3,
	            "5;");
	/* Typed values. */
	stele_param q[4] = {i64(STELE_TYPE_BIGINT, 4), {.type = STELE_TYPE_DOUBLE, .v.f64 = 2.0},
	                    i64(STELE_TYPE_BOOLEAN, 1), i64(STELE_TYPE_TIMESTAMP, 1000000000)};
	expect_rows(f->db, "SELECT n, usage FROM cpu WHERE n >= $1 AND usage > $2 AND ok = $3 "
	                   "AND ts > $4",
	            q, 4, "5|3.5;");
	/* A typed value's type is the column's type of SELECT $1. */
	stele_stmt *st;
	stele_err err;
	stele_param r[2] = {i64(STELE_TYPE_BIGINT, 7),
	                    {.type = STELE_TYPE_VARCHAR, .v.str = {"x", 1}}};
	assert_int_equal(stele_prepare_params(f->db, "SELECT $1, $2, $1 + 1", -1, NULL, r, 2, &st,
	                                      &err),
	                 STELE_OK);
	assert_int_equal(stele_stmt_nparams(st), 2);
	assert_int_equal(stele_stmt_col_type(st, 0), STELE_TYPE_BIGINT);
	assert_int_equal(stele_stmt_col_type(st, 1), STELE_TYPE_VARCHAR);
	assert_int_equal(stele_stmt_col_type(st, 2), STELE_TYPE_BIGINT);
	stele_finalize(st);
	/* Untyped text alone in the output is text, as in PostgreSQL. */
	stele_param t = text("hello");
	expect_rows(f->db, "SELECT $1", &t, 1, "hello;");
	/* The same parameter twice; parameters in LIMIT. */
	stele_param l[2] = {text("a"), i64(STELE_TYPE_BIGINT, 1)};
	expect_rows(f->db, "SELECT usage FROM cpu WHERE host = $1 OR host = $1 ORDER BY ts LIMIT $2",
	            l, 2, "1.5;");
}

static void test_nulls_and_errors(void **state)
{
	Fixture *f = *state;
	stele_param n[2] = {{.type = STELE_TYPE_NONE, .is_null = true},
	                    {.type = STELE_TYPE_BIGINT, .is_null = true}};
	expect_rows(f->db, "SELECT $1 IS NULL, $2 + 1, coalesce($2, 9)", n, 2, "1|NULL|9;");
	expect_rows(f->db, "SELECT count(*) FROM cpu WHERE host = $1", n, 1, "0;");
	/* A missing value names its place. */
	stele_err err = {0};
	char out[64];
	stele_param one = text("a");
	assert_int_equal(run(f->db, "SELECT 1 WHERE $2 = 'x'", &one, 1, out, sizeof out, &err),
	                 STELE_EINVAL);
	assert_string_equal(err.msg, "there is no parameter $2 at character 16");
	/* Bad text for its context fails like a bad literal, at the $N. */
	stele_param bad = text("yesterday-ish");
	assert_int_not_equal(run(f->db, "SELECT n FROM cpu WHERE ts > $1", &bad, 1, out, sizeof out,
	                         &err),
	                     STELE_OK);
	assert_non_null(strstr(err.msg, "invalid input syntax for type timestamp: \"yesterday-ish\""));
	assert_non_null(strstr(err.msg, "at character 30"));
	/* A value is a value, never SQL. */
	stele_param inj = text("a' OR '1'='1");
	expect_rows(f->db, "SELECT count(*) FROM cpu WHERE host = $1", &inj, 1, "0;");
	stele_param bogus = {.type = (stele_type)42};
	assert_int_equal(run(f->db, "SELECT $1", &bogus, 1, out, sizeof out, &err), STELE_EINVAL);
}

static void test_describe(void **state)
{
	Fixture *f = *state;
	stele_stmt *st;
	stele_err err;
	/* Without values: the statement binds, its columns and the number of
	 * parameters are known, and it runs with NULLs. */
	assert_int_equal(stele_prepare_params(f->db,
	                                      "SELECT host, usage FROM cpu WHERE usage > $1 AND "
	                                      "ts > $3",
	                                      -1, NULL, NULL, 0, &st, &err),
	                 STELE_OK);
	assert_int_equal(stele_stmt_nparams(st), 3);
	assert_int_equal(stele_stmt_ncols(st), 2);
	assert_int_equal(stele_stmt_col_type(st, 0), STELE_TYPE_VARCHAR);
	assert_int_equal(stele_stmt_col_type(st, 1), STELE_TYPE_DOUBLE);
	const stele_batch *b;
	assert_int_equal(stele_next(st, &b, &err), STELE_OK);
	assert_null(b);
	stele_finalize(st);
	assert_int_equal(stele_prepare(f->db, "SELECT 1", -1, NULL, &st, &err), STELE_OK);
	assert_int_equal(stele_stmt_nparams(st), 0);
	stele_finalize(st);
	/* stele_prepare keeps parameters for later: running fails. */
	assert_int_equal(stele_prepare(f->db, "SELECT $1", -1, NULL, &st, &err), STELE_OK);
	assert_int_equal(stele_stmt_nparams(st), 1);
	assert_int_not_equal(stele_next(st, &b, &err), STELE_OK);
	stele_finalize(st);
}

static void test_insert(void **state)
{
	Fixture *f = *state;
	stele_param p[4] = {text("2020-01-01 00:00:00"), text("c"),
	                    {.type = STELE_TYPE_DOUBLE, .v.f64 = 9.25}, i64(STELE_TYPE_BIGINT, 11)};
	stele_stmt *st;
	stele_err err;
	assert_int_equal(stele_prepare_params(f->db,
	                                      "INSERT INTO cpu (ts, host, usage, n) VALUES ($1, $2, "
	                                      "$3, $4)",
	                                      -1, NULL, p, 4, &st, &err),
	                 STELE_OK);
	assert_int_equal(stele_execute(st, &err), STELE_OK);
	assert_string_equal(stele_stmt_tag(st), "INSERT 0 1");
	stele_finalize(st);
	stele_param h = text("c");
	expect_rows(f->db, "SELECT usage, n FROM cpu WHERE host = $1", &h, 1, "9.25|11;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_typed_and_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nulls_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_describe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
