/*
 * test_storage.c - the storage engine end to end through the C API: writes
 * read back exactly from the memtable, from segments and after reopening;
 * last write wins field by field; out-of-order data; schema conflicts;
 * retention; compaction; concurrent writers.
 */
#include "storage_util.h"

#include <pthread.h>
#include <unistd.h>

#include "util/timeutil.h"

static char dir[PATH_MAX];

static int setup(void **state)
{
	tu_tmpdir(dir, sizeof dir, "storage");
	return 0;
}

static int teardown(void **state)
{
	tu_rmtree(dir);
	return 0;
}

static const char three_rows[] =
	"cpu,host=b,region=eu usage=2.5,count=7i 2000\n"
	"cpu,region=eu,host=a usage=1.5,count=3i 1000\n"
	"cpu,host=a,region=eu usage=1.25,count=4i 3000\n";

static void test_memtable_segment_reopen(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_write(db, three_rows);
	/* Series in order of first appearance (host=b, then host=a); fields
	 * in the order the columns were created. */
	su_assert_table(db, "cpu", "cpu,host=b,region=eu usage=2.5,count=7i 2000\n"
	                           "cpu,host=a,region=eu usage=1.5,count=3i 1000\n"
	                           "cpu,host=a,region=eu usage=1.25,count=4i 3000\n");
	stele_err err;
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 1);
	char *after_flush = su_dump(db, "cpu");
	su_close(db);
	db = su_open(dir, &o);
	char *after_reopen = su_dump(db, "cpu");
	assert_string_equal(after_flush, after_reopen);
	assert_string_equal(after_reopen, "cpu,host=b,region=eu usage=2.5,count=7i 2000\n"
	                                  "cpu,host=a,region=eu usage=1.5,count=3i 1000\n"
	                                  "cpu,host=a,region=eu usage=1.25,count=4i 3000\n");
	free(after_flush);
	free(after_reopen);
	su_close(db);
}

static void test_last_write_wins_field_by_field(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_write(db, "m,t=a f=1,g=2 100\nm,t=a f=5 200\n");
	su_write(db, "m,t=a f=10 100\n");
	su_assert_table(db, "m", "m,t=a f=10,g=2 100\nm,t=a f=5 200\n");
	stele_err err;
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	/* A newer write in the memtable over a segment. */
	su_write(db, "m,t=a g=20 100\nm,t=a g=30 150\n");
	su_assert_table(db, "m", "m,t=a f=10,g=20 100\nm,t=a g=30 150\nm,t=a f=5 200\n");
	/* Two segments of one partition, newer over older. */
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 2);
	su_write(db, "m,t=a f=11 100\n");
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	const char *want = "m,t=a f=11,g=20 100\nm,t=a g=30 150\nm,t=a f=5 200\n";
	su_assert_table(db, "m", want);
	/* Compaction keeps the same answer in one segment. */
	assert_int_equal(stele_compact(db, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 1);
	su_assert_table(db, "m", want);
	su_close(db);
	db = su_open(dir, &o);
	su_assert_table(db, "m", want);
	su_close(db);
}

static void test_out_of_order_and_late(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_write(db, "m,t=a v=5i 5000\nm,t=a v=1i 1000\nm,t=a v=3i 3000\n");
	stele_err err;
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	/* Late data for a time already in a segment, and a new earliest. */
	su_write(db, "m,t=a v=2i 2000\nm,t=a v=0i 0\n");
	const char *want = "m,t=a v=0i 0\nm,t=a v=1i 1000\nm,t=a v=2i 2000\n"
	                   "m,t=a v=3i 3000\nm,t=a v=5i 5000\n";
	su_assert_table(db, "m", want);
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	su_assert_table(db, "m", want);
	/* A time range. */
	char *part = su_dump_range(db, "m", 1000, 3000);
	assert_string_equal(part, "m,t=a v=1i 1000\nm,t=a v=2i 2000\nm,t=a v=3i 3000\n");
	free(part);
	su_close(db);
}

static void test_all_types_exact(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	const char *text =
		"t,k=v d=-0,i=-9223372036854775808i,u=18446744073709551615u,b=true,"
		"s=\"quote \\\" and backslash \\\\ and, comma\" 1\n"
		"t,k=v d=1.7976931348623157e+308,i=9223372036854775807i,u=0u,b=false,s=\"\" 2\n"
		"t,k=v d=5e-324,i=0i,u=1u,b=t,s=\"x\" 3\n";
	su_write(db, text);
	const char *want =
		"t,k=v d=-0,i=-9223372036854775808i,u=18446744073709551615u,b=true,"
		"s=\"quote \\\" and backslash \\\\ and, comma\" 1\n"
		"t,k=v d=1.7976931348623157e+308,i=9223372036854775807i,u=0u,b=false,s=\"\" 2\n"
		"t,k=v d=5e-324,i=0i,u=1u,b=true,s=\"x\" 3\n";
	su_assert_table(db, "t", want);
	stele_err err;
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	su_assert_table(db, "t", want);
	su_close(db);
	db = su_open(dir, &o);
	su_assert_table(db, "t", want);
	su_close(db);
}

static void test_schema_conflicts(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_write(db, "cpu,host=a usage=1i 1\n");
	const char *text = "cpu,host=a usage=2i 2\n"
	                   "cpu,host=a usage=2.5 3\n"
	                   "cpu,host=a host=1i 4\n"
	                   "cpu,usage=x other=1i 5\n"
	                   "cpu,host=a ts=1i 6\n"
	                   "cpu,host=b usage=3i 7\n";
	stele_write_result res;
	stele_err err;
	int rc = stele_write_lp(db, text, strlen(text), NULL, &res, &err);
	assert_int_equal(rc, STELE_ETYPE);
	assert_int_equal(res.lines_written, 2);
	assert_int_equal(res.lines_rejected, 4);
	assert_int_equal(res.n_errors, 4);
	assert_int_equal(res.errors[0].line, 2);
	assert_int_equal(res.errors[0].column, 12);
	assert_int_equal(res.errors[0].code, STELE_ETYPE);
	assert_string_equal(res.errors[0].msg,
	                    "column \"usage\" of table \"cpu\" is bigint, but the line gives double");
	assert_int_equal(res.errors[1].line, 3);
	assert_string_equal(res.errors[1].msg, "column \"host\" of table \"cpu\" is a tag, not a field");
	assert_int_equal(res.errors[2].line, 4);
	assert_string_equal(res.errors[2].msg,
	                    "column \"usage\" of table \"cpu\" is a field, not a tag");
	assert_int_equal(res.errors[3].line, 5);
	assert_string_equal(res.errors[3].msg,
	                    "\"ts\" is the timestamp column and cannot be a field name");
	assert_string_equal(err.msg, "line 2, column 12: column \"usage\" of table \"cpu\" is "
	                             "bigint, but the line gives double");
	su_assert_table(db, "cpu", "cpu,host=a usage=1i 1\ncpu,host=a usage=2i 2\n"
	                           "cpu,host=b usage=3i 7\n");
	/* Names past the limit reject their line only. */
	char *longname = malloc(5000), *buf = malloc(20000);
	memset(longname, 'n', 4097);
	longname[4097] = '\0';
	snprintf(buf, 20000, "ok v=1i 1\n%s v=1i 2\nok,%s=x v=2i 3\nok %s=1i 4\nok v=3i 5\n",
	         longname, longname, longname);
	rc = stele_write_lp(db, buf, strlen(buf), NULL, &res, &err);
	assert_int_equal(rc, STELE_ELIMIT);
	assert_int_equal(res.lines_written, 2);
	assert_int_equal(res.lines_rejected, 3);
	assert_int_equal(res.errors[0].line, 2);
	assert_string_equal(res.errors[0].msg,
	                    "table name of 4097 bytes is longer than the limit of 4096 bytes");
	assert_int_equal(res.errors[1].line, 3);
	assert_string_equal(res.errors[1].msg,
	                    "column name of 4097 bytes is longer than the limit of 4096 bytes");
	assert_int_equal(res.errors[2].line, 4);
	su_assert_table(db, "ok", "ok v=1i 1\nok v=3i 5\n");
	/* err may be NULL: the result still says what happened. */
	rc = stele_write_lp(db, buf, strlen(buf), NULL, &res, NULL);
	assert_int_equal(rc, STELE_ELIMIT);
	assert_int_equal(res.lines_rejected, 3);
	free(longname);
	free(buf);
	/* A tag and a field of one name in a new table. */
	text = "new,x=1 x=2i 1\n";
	rc = stele_write_lp(db, text, strlen(text), NULL, &res, &err);
	assert_int_equal(rc, STELE_EPARSE);
	assert_string_equal(res.errors[0].msg, "\"x\" is both a tag and a field");
	assert_int_equal(db_table_id(db, "new"), UINT32_MAX);
	su_close(db);
}

static void test_tag_predicates(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_write(db, "m,host=a,dc=x v=1i 1\nm,host=b,dc=x v=2i 1\nm,host=c,dc=y v=3i 1\n"
	             "m,host=d v=4i 1\n");
	uint32_t tid = db_table_id(db, "m");
	/* The first line's tags, sorted by key, made the columns: dc, host. */
	const Table *t = db->cat.tables[tid];
	assert_string_equal(t->cols[1].name, "dc");
	assert_string_equal(t->cols[2].name, "host");
	const char *dcx[] = {"x"}, *hosts[] = {"b", "c", "zzz"};
	uint32_t l1[] = {1}, l3[] = {1, 1, 3};
	TagPred p[2] = {{.ord = 0, .vals = dcx, .lens = l1, .nvals = 1},
	                {.ord = 1, .vals = hosts, .lens = l3, .nvals = 3}};
	uint32_t *sids, n;
	stele_err err;
	assert_int_equal(series_match(&db->sx, tid, p, 1, &sids, &n, &err), STELE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(sids[0], 0);
	assert_int_equal(sids[1], 1);
	free(sids);
	assert_int_equal(series_match(&db->sx, tid, p, 2, &sids, &n, &err), STELE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(sids[0], 1);
	free(sids);
	assert_int_equal(series_match(&db->sx, tid, p + 1, 1, &sids, &n, &err), STELE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(sids[0], 1);
	assert_int_equal(sids[1], 2);
	free(sids);
	/* Through a scan: the series with dc=x. */
	uint32_t col = 3;
	assert_string_equal(db->cat.tables[tid]->cols[col].name, "v");
	ScanSpec spec = {.table = tid, .tmin = INT64_MIN, .tmax = INT64_MAX, .preds = p,
	                 .npreds = 1, .cols = &col, .ncols = 1};
	Scan *sc;
	assert_int_equal(scan_open(db, &spec, &sc, &err), STELE_OK);
	const Rows *r;
	assert_int_equal(scan_next(sc, &r, &err), STELE_OK);
	assert_non_null(r);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->cols[0].v[0], 1);
	assert_int_equal(r->cols[0].v[1], 2);
	assert_int_equal(scan_next(sc, &r, &err), STELE_OK);
	assert_null(r);
	scan_close(sc);
	su_close(db);
}

static void test_partitions_and_retention(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	int64_t day = NS_PER_DAY, now = time_now_ns();
	int64_t today = time_floor_div(now, day) * day;
	char text[512];
	snprintf(text, sizeof text, "m,t=a v=1i %lld\nm,t=a v=2i %lld\nm,t=a v=3i %lld\n",
	         (long long)(today - 10 * day), (long long)(today - 2 * day), (long long)today);
	su_write(db, text);
	stele_err err;
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 3); /* one per day */
	assert_int_equal(stele_set_retention(db, "m", 5 * day, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 2);
	char want[512];
	snprintf(want, sizeof want, "m,t=a v=2i %lld\nm,t=a v=3i %lld\n",
	         (long long)(today - 2 * day), (long long)today);
	su_assert_table(db, "m", want);
	/* Points older than the retention are rejected. */
	snprintf(text, sizeof text, "m,t=a v=9i %lld\n", (long long)(today - 6 * day));
	stele_write_result res;
	assert_int_equal(stele_write_lp(db, text, strlen(text), NULL, &res, &err), STELE_ELIMIT);
	assert_int_equal(res.lines_rejected, 1);
	assert_non_null(strstr(res.errors[0].msg, "is older than the retention of table \"m\""));
	assert_int_equal(stele_set_retention(db, "nope", day, &err), STELE_ENOENT);
	assert_string_equal(err.msg, "table \"nope\" does not exist");
	su_close(db);
	/* The retention survives a reopen (WAL, then manifest). */
	db = su_open(dir, &o);
	uint32_t tid = db_table_id(db, "m");
	assert_true(db->cat.tables[tid]->retention_ns == 5 * day);
	su_close(db);
}

/* Five flushes of three rows each into table m: five segments. */
static void write_five_segments(stele_db *db)
{
	stele_err err;
	for (int f = 0; f < 5; f++) {
		char line[128];
		for (int h = 0; h < 3; h++) {
			snprintf(line, sizeof line, "m,h=%d v=%di %d\n", h, f * 10 + h, 1000 + f);
			su_write(db, line);
		}
		assert_int_equal(stele_flush(db, &err), STELE_OK);
	}
}

static void test_compaction_merges(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	stele_err err;
	Buf want = {0};
	write_five_segments(db);
	assert_int_equal(db->version->nsegs, 5);
	char *before = su_dump(db, "m");
	assert_int_equal(stele_compact(db, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 1);
	assert_int_equal(db->version->segs[0]->info.nrows, 15);
	char *after = su_dump(db, "m");
	assert_string_equal(before, after);
	assert_non_null(strstr(after, "m,h=2 v=42i 1004\n"));
	free(before);
	free(after);
	buf_free(&want);
	su_close(db);
}

static void test_tiered_compaction(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	stele_err err;
	/* One large segment, then four small ones of one partition. */
	Buf text = {0};
	for (int i = 0; i < 20000; i++) {
		char line[96];
		snprintf(line, sizeof line, "m,h=%d v=%di %d\n", i % 20, i, 1000000 + i);
		buf_put(&text, line, strlen(line));
	}
	stele_write_result res;
	assert_int_equal(stele_write_lp(db, (char *)text.data, text.len, NULL, &res, &err), STELE_OK);
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	uint64_t big = db->version->segs[0]->info.id;
	for (int f = 0; f < 4; f++) {
		char line[96];
		/* Each overwrites a row of the large segment and adds one. */
		snprintf(line, sizeof line, "m,h=0 v=%di 1000000\nm,h=1 v=%di %d\n", -f, f, 5 + f);
		su_write(db, line);
		assert_int_equal(stele_flush(db, &err), STELE_OK);
	}
	assert_int_equal(db->version->nsegs, 5);
	char *before = su_dump(db, "m");
	/* The background policy merges the four small ones only. */
	assert_int_equal(db_compact(db, COMPACT_MIN_SEGMENTS, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 2);
	assert_true(db->version->segs[0]->info.id == big);
	assert_int_equal(db->version->segs[1]->info.nrows, 5);
	char *after = su_dump(db, "m");
	assert_string_equal(before, after);
	assert_non_null(strstr(after, "m,h=0 v=-3i 1000000\n"));
	/* Run again: two segments of unlike size are left alone. */
	assert_int_equal(db_compact(db, COMPACT_MIN_SEGMENTS, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 2);
	/* stele_compact merges the partition whole. */
	assert_int_equal(stele_compact(db, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 1);
	char *whole = su_dump(db, "m");
	assert_string_equal(before, whole);
	free(before);
	free(after);
	free(whole);
	buf_free(&text);
	su_close(db);
}

static void test_many_rows_small_memtable(void **state)
{
	/* A 1 MiB memtable fills many times: flushes happen inside writes
	 * (back-pressure without background threads), and every row stays. */
	stele_options o = su_opts();
	o.memtable_bytes = 1 << 20;
	stele_db *db = su_open(dir, &o);
	Buf text = {0};
	int64_t total = 0;
	for (int batch = 0; batch < 20; batch++) {
		buf_reset(&text);
		for (int i = 0; i < 2000; i++) {
			char line[128];
			int h = i % 50;
			int64_t ts = (int64_t)(batch * 2000 + i) * 1000000000LL;
			snprintf(line, sizeof line, "m,h=h%d a=%di,b=%d.5 %lld\n", h, i, batch,
			         (long long)ts);
			buf_put(&text, line, strlen(line));
			total++;
		}
		stele_write_result res;
		stele_err err;
		assert_int_equal(stele_write_lp(db, (char *)text.data, text.len, NULL, &res, &err),
		                 STELE_OK);
		assert_int_equal(res.lines_written, 2000);
	}
	assert_true(db->stats.flushes > 0);
	assert_true(db->mem->bytes < (2u << 20));
	char *got = su_dump(db, "m");
	int64_t lines = 0;
	for (char *p = got; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, total);
	su_close(db);
	db = su_open(dir, &o);
	char *again = su_dump(db, "m");
	assert_string_equal(got, again);
	free(got);
	free(again);
	buf_free(&text);
	su_close(db);
}

typedef struct WriterArg {
	stele_db *db;
	int id;
} WriterArg;

static void *writer(void *p)
{
	WriterArg *a = p;
	for (int i = 0; i < 100; i++) {
		char line[128];
		snprintf(line, sizeof line, "w,writer=%d n=%di %d\n", a->id, i, i);
		stele_write_result res;
		stele_err err;
		if (stele_write_lp(a->db, line, strlen(line), NULL, &res, &err) != STELE_OK)
			return (void *)1;
	}
	return NULL;
}

static void test_concurrent_writers_group_commit(void **state)
{
	stele_options o = su_opts();
	o.sync = STELE_SYNC_ALWAYS;
	o.background = true;
	stele_db *db = su_open(dir, &o);
	pthread_t th[4];
	WriterArg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (WriterArg){db, i};
		pthread_create(&th[i], NULL, writer, &args[i]);
	}
	for (int i = 0; i < 4; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	assert_int_equal(db->stats.batches, 400);
	/* Every batch was durable before its write returned. */
	assert_true(db->wal.synced_seq >= db->seq);
	su_close(db);
	db = su_open(dir, &o);
	char *got = su_dump(db, "w");
	int lines = 0;
	for (char *p = got; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, 400);
	assert_non_null(strstr(got, "w,writer=3 n=99i 99\n"));
	free(got);
	su_close(db);
}

static int slow_wal_fsync(IoOp op, const char *path, void *ctx)
{
	if (op == IO_FSYNC && strstr(path, "/wal/"))
		usleep(20000);
	return 0;
}

static void test_writers_share_fsyncs(void **state)
{
	/* With a slow disk, writers that arrive while a leader is in fsync
	 * are covered by the next fsync together. */
	stele_options o = su_opts();
	o.sync = STELE_SYNC_ALWAYS;
	stele_db *db = su_open(dir, &o);
	io_set_fault_hook(slow_wal_fsync, NULL);
	uint64_t syncs_before = db->wal.nsyncs;
	pthread_t th[4];
	WriterArg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (WriterArg){db, i};
		pthread_create(&th[i], NULL, writer, &args[i]);
	}
	for (int i = 0; i < 4; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		assert_null(ret);
	}
	io_set_fault_hook(NULL, NULL);
	uint64_t syncs = db->wal.nsyncs - syncs_before;
	assert_int_equal(db->stats.batches, 400);
	/* Four writers, one batch each in flight: about 100 fsyncs, never
	 * one per batch. */
	if (syncs > 300)
		fail_msg("%llu fsyncs for 400 batches", (unsigned long long)syncs);
	su_close(db);
}

static int slow_segments(IoOp op, const char *path, void *ctx)
{
	if (op == IO_WRITE && strstr(path, ".seg"))
		usleep(2000);
	return 0;
}

static void test_memory_bounded_under_slow_flush(void **state)
{
	/* Flushing is slowed down; a writer that outruns it waits instead of
	 * growing memory. 1 MiB memtables hold at most 2 MiB each (arrays
	 * double), the active one and the one being flushed: 4 MiB, while
	 * about 12 MiB of rows are written. */
	stele_options o = su_opts();
	o.background = true;
	o.memtable_bytes = 1 << 20;
	stele_db *db = su_open(dir, &o);
	io_set_fault_hook(slow_segments, NULL);
	Buf text = {0};
	size_t peak = 0;
	uint64_t rows = 0;
	for (int batch = 0; batch < 120; batch++) {
		buf_reset(&text);
		for (int i = 0; i < 1000; i++) {
			char line[160];
			snprintf(line, sizeof line, "m,h=h%d a=%di,b=%di,c=%di,d=%di,e=%di %lld\n", i % 100,
			         i, batch, i + batch, i * 2, i * 3,
			         (long long)(batch * 1000 + i) * 1000000000LL);
			buf_put(&text, line, strlen(line));
			rows++;
		}
		stele_write_result res;
		stele_err err;
		assert_int_equal(stele_write_lp(db, (char *)text.data, text.len, NULL, &res, &err),
		                 STELE_OK);
		pthread_mutex_lock(&db->mu);
		size_t held = db->mem->bytes + (db->imm ? db->imm->bytes : 0);
		pthread_mutex_unlock(&db->mu);
		if (held > peak)
			peak = held;
	}
	io_set_fault_hook(NULL, NULL);
	if (peak > (4u << 20))
		fail_msg("memtables held %zu bytes", peak);
	assert_true(db->stats.flushes >= 3);
	char *got = su_dump(db, "m");
	uint64_t lines = 0;
	for (char *p = got; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_true(lines == rows);
	free(got);
	buf_free(&text);
	su_close(db);
}

static void test_series_limit(void **state)
{
	stele_options o = su_opts();
	o.max_series = 3;
	stele_db *db = su_open(dir, &o);
	const char *text = "m,h=1 v=1i 1\nm,h=2 v=2i 1\nm,h=3 v=3i 1\nm,h=4 v=4i 1\n"
	                   "m,h=1 v=5i 2\nm,h=5 v=6i 1\n";
	stele_write_result res;
	stele_err err;
	assert_int_equal(stele_write_lp(db, text, strlen(text), NULL, &res, &err), STELE_ELIMIT);
	assert_int_equal(res.lines_written, 4);
	assert_int_equal(res.lines_rejected, 2);
	assert_int_equal(res.errors[0].line, 4);
	assert_int_equal(res.errors[0].code, STELE_ELIMIT);
	assert_string_equal(res.errors[0].msg,
	                    "new series refused: the database has reached its limit of 3 series");
	assert_int_equal(res.errors[1].line, 6);
	assert_int_equal(db->sx.n, 3);
	su_close(db);
	/* Reopened with a lower limit: the series it has stay and take writes. */
	o.max_series = 2;
	db = su_open(dir, &o);
	su_write(db, "m,h=3 v=7i 3\n");
	su_assert_table(db, "m", "m,h=1 v=1i 1\nm,h=1 v=5i 2\nm,h=2 v=2i 1\nm,h=3 v=3i 1\n"
	                         "m,h=3 v=7i 3\n");
	su_close(db);
}

static void test_busy_and_read_only(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_write(db, "m v=1i 1\n");
	stele_db *other;
	stele_err err;
	assert_int_equal(stele_open(dir, &o, &other, &err), STELE_EBUSY);
	assert_non_null(strstr(err.msg, "is open in another process"));
	su_close(db);
	o.read_only = true;
	db = su_open(dir, &o);
	su_assert_table(db, "m", "m v=1i 1\n");
	stele_write_result res;
	assert_int_equal(stele_write_lp(db, "m v=2i 2\n", 9, NULL, &res, &err), STELE_EREADONLY);
	su_close(db);
	char missing[PATH_MAX + 16];
	snprintf(missing, sizeof missing, "%s/nope", dir);
	assert_int_equal(stele_open(missing, &o, &db, &err), STELE_ENOENT);
}

/* Past the budget of open segment files, segments open their file for each
 * read: every row reads back the same, and closing gives the files back. */
static void test_segment_fd_budget(void **state)
{
	assert_int_equal(seg_fds_held(), 0);
	seg_set_fd_budget(2);
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	stele_err err;
	write_five_segments(db);
	assert_int_equal(db->version->nsegs, 5);
	assert_int_equal(seg_fds_held(), 2);
	int without = 0;
	for (uint32_t i = 0; i < db->version->nsegs; i++)
		without += db->version->segs[i]->fd < 0;
	assert_int_equal(without, 3);
	char *before = su_dump(db, "m");
	assert_non_null(strstr(before, "m,h=2 v=42i 1004\n"));
	assert_non_null(strstr(before, "m,h=0 v=0i 1000\n"));
	su_close(db);
	assert_int_equal(seg_fds_held(), 0);

	seg_set_fd_budget(0);  /* none: every read opens its file */
	db = su_open(dir, &o);
	assert_int_equal(seg_fds_held(), 0);
	char *none = su_dump(db, "m");
	assert_string_equal(before, none);
	/* A reader that pinned the version before the compaction still reads
	 * the segments it replaced: without a descriptor, by name, so their
	 * files stay until the last reference goes. */
	pthread_mutex_lock(&db->mu);
	Version *old = db->version;
	version_ref(old);
	pthread_mutex_unlock(&db->mu);
	assert_int_equal(stele_compact(db, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 1);
	assert_true(db->version->segs[0]->fd < 0);
	char paths[5][PATH_MAX];
	assert_int_equal(old->nsegs, 5);
	for (uint32_t i = 0; i < old->nsegs; i++) {
		snprintf(paths[i], sizeof paths[i], "%s", old->segs[i]->path);
		assert_int_equal(access(paths[i], F_OK), 0);
		assert_int_equal(seg_verify(old->segs[i], &err), STELE_OK);
	}
	version_unref(old);
	for (int i = 0; i < 5; i++)
		assert_int_not_equal(access(paths[i], F_OK), 0);
	char *after = su_dump(db, "m");
	assert_string_equal(before, after);
	su_close(db);
	seg_set_fd_budget(-1);
	db = su_open(dir, &o);
	assert_int_equal(seg_fds_held(), 1);
	su_close(db);
	assert_int_equal(seg_fds_held(), 0);
	free(before);
	free(none);
	free(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_memtable_segment_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last_write_wins_field_by_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order_and_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_types_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_conflicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tag_predicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partitions_and_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiered_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_fd_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_rows_small_memtable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers_group_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writers_share_fsyncs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_bounded_under_slow_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_series_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_and_read_only, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
