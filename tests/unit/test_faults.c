/*
 * test_faults.c - injected I/O failures, one at a time, at every point of a
 * workload: the k-th open, read, write, fsync, rename, truncate, mkdir or
 * directory fsync fails (EIO, or ENOSPC for writes), for every k the
 * workload reaches. The workload runs in a child process that acknowledges
 * each write that returned success and then dies without closing (or closes,
 * if it gets that far). Afterwards the database must open, hold every
 * acknowledged write exactly, and hold nothing that was never written.
 */
#include "storage_util.h"

#include "util/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#define BATCHES 12

static char dir[PATH_MAX];
static long long base; /* seconds: a recent time, inside the retention */

typedef struct Fault {
	IoOp op;
	int err;
	int nth;     /* fail the nth operation of kind op (1-based); 0: count only */
	int seen[IO_NOPS];
} Fault;

static Fault fault;

static int hook(IoOp op, const char *path, void *ctx)
{
	fault.seen[op]++;
	if (fault.nth && op == fault.op && fault.seen[op] == fault.nth)
		return fault.err;
	return 0;
}

/* Batch i: two points, one of them overwriting batch i-3's second point's
 * field in a series shared across batches. */
static void batch_text(int i, char *out, size_t n)
{
	snprintf(out, n, "f,s=a v=%di %lld\nf,s=b%d w=%d.5 %lld\n", i, base + 1000 + i, i % 3, i,
	         base + 2000 + i);
}

/* The workload: writes, a flush, more writes, a compaction, more writes,
 * retention, close. Reports each acknowledged batch on fd. */
static void workload(int ackfd)
{
	stele_options o = su_opts();
	o.sync = STELE_SYNC_ALWAYS;
	o.memtable_bytes = 1 << 20;
	stele_db *db;
	stele_err err;
	if (stele_open(dir, &o, &db, &err) != STELE_OK)
		_exit(20);
	stele_write_options wo = {.precision = STELE_PRECISION_S};
	for (int i = 0; i < BATCHES; i++) {
		char text[128];
		batch_text(i, text, sizeof text);
		stele_write_result res;
		if (stele_write_lp(db, text, strlen(text), &wo, &res, &err) == STELE_OK) {
			uint8_t b = (uint8_t)i;
			if (write(ackfd, &b, 1) != 1)
				_exit(21);
		}
		if (i == 3 || i == 7 || i == 9)
			stele_flush(db, &err);
		if (i == 9)
			stele_compact(db, &err);
		if (i == 10)
			stele_set_retention(db, "f", 30LL * 86400 * 1000000000LL, &err);
	}
	stele_close(db, &err);
}

/* Runs the workload in a child with the fault armed; returns the set of
 * acknowledged batches as a bitmask. */
static uint32_t run_child(IoOp op, int err, int nth)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		memset(&fault, 0, sizeof fault);
		fault.op = op;
		fault.err = err;
		fault.nth = nth;
		io_set_fault_hook(hook, NULL);
		workload(p[1]);
		_exit(0);
	}
	close(p[1]);
	uint32_t acked = 0;
	uint8_t b;
	while (read(p[0], &b, 1) == 1)
		acked |= 1u << b;
	close(p[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("op %d, failure %d: the workload died of signal %d", op, nth,
		         WTERMSIG(status));
	return acked;
}

/* Opens the database with no fault and checks its rows against the
 * acknowledged batches. */
static void check(IoOp op, int nth, uint32_t acked)
{
	stele_options o = su_opts();
	stele_db *db;
	stele_err err;
	int rc = stele_open(dir, &o, &db, &err);
	if (rc)
		fail_msg("op %d, failure %d: the database does not open: %s", op, nth, err.msg);
	char *got = su_dump(db, "f");
	su_close(db);
	/* Every row must be one some batch wrote. */
	int vseen[BATCHES] = {0};
	for (char *line = got; *line;) {
		char *nl = strchr(line, '\n');
		*nl = '\0';
		int v, shard;
		long long ts;
		double w;
		if (sscanf(line, "f,s=a v=%di %lld", &v, &ts) == 2) {
			if (v < 0 || v >= BATCHES || ts != (base + 1000 + v) * 1000000000LL)
				fail_msg("op %d, failure %d: a row never written: %s", op, nth, line);
			vseen[v] = 1;
		} else if (sscanf(line, "f,s=b%d w=%lf %lld", &shard, &w, &ts) == 3) {
			long long i = ts / 1000000000LL - base - 2000;
			if (i < 0 || i >= BATCHES || shard != i % 3 || w != (double)i + 0.5)
				fail_msg("op %d, failure %d: a row never written: %s", op, nth, line);
		} else {
			fail_msg("op %d, failure %d: a row never written: %s", op, nth, line);
		}
		*nl = '\n';
		line = nl + 1;
	}
	/* Every acknowledged batch is there, both of its rows. */
	for (int i = 0; i < BATCHES; i++) {
		if (!(acked >> i & 1))
			continue;
		char b[96];
		snprintf(b, sizeof b, "f,s=b%d w=%d.5 %lld\n", i % 3, i,
		         (base + 2000 + i) * 1000000000LL);
		if (!vseen[i] || !strstr(got, b))
			fail_msg("op %d, failure %d: acknowledged batch %d is missing", op, nth, i);
	}
	free(got);
}

static void sweep(IoOp op, int err, int *total)
{
	/* How many operations of this kind the workload makes. */
	tu_tmpdir(dir, sizeof dir, "faults");
	int p[2];
	assert_int_equal(pipe(p), 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		memset(&fault, 0, sizeof fault);
		io_set_fault_hook(hook, NULL);
		workload(open("/dev/null", O_WRONLY));
		if (write(p[1], &fault.seen[op], sizeof fault.seen[op]) != sizeof fault.seen[op])
			_exit(30);
		_exit(0);
	}
	close(p[1]);
	int count = 0;
	assert_int_equal(read(p[0], &count, sizeof count), sizeof count);
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	tu_rmtree(dir);
	assert_true(count > 0);
	for (int k = 1; k <= count; k++) {
		tu_tmpdir(dir, sizeof dir, "faults");
		uint32_t acked = run_child(op, err, k);
		check(op, k, acked);
		tu_rmtree(dir);
	}
	*total += count;
}

static void test_every_failure(void **state)
{
	base = (long long)(time_now_ns() / 1000000000LL) - 86400;
	int total = 0;
	sweep(IO_WRITE, EIO, &total);
	sweep(IO_WRITE, ENOSPC, &total);
	sweep(IO_FSYNC, EIO, &total);
	sweep(IO_FSYNC_DIR, EIO, &total);
	sweep(IO_RENAME, EIO, &total);
	sweep(IO_OPEN, EIO, &total);
	sweep(IO_READ, EIO, &total);
	sweep(IO_TRUNCATE, EIO, &total);
	sweep(IO_MKDIR, EIO, &total);
	print_message("%d failure points, each survived\n", total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
