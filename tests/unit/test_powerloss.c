/*
 * test_powerloss.c - simulated power loss at every I/O operation of a
 * workload (in the manner of SQLite's crash tests).
 *
 * A recording I/O hook keeps, for each file, its contents at its last fsync,
 * and for each directory, its entries at its last directory fsync. The
 * workload (writes with sync=always, flushes, a compaction, a retention
 * change) runs in a child process that stops dead just before its k-th I/O
 * operation, for every k. The test then builds what a disk would hold after
 * a power loss at that instant: the directory tree as last fsynced, each
 * file with its contents as last fsynced (empty if never), and nothing
 * else. The database built so must open, hold every write that was
 * acknowledged before the loss, and hold nothing that was never written.
 *
 * A second mode keeps, besides what was fsynced, a random subset of the
 * writes made since each file's last fsync, in order, the last one kept
 * possibly torn: the page cache writes pages back in any order, and a
 * power loss can catch one half written.
 */
#include "storage_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/timeutil.h"

#define BATCHES 10

static char root[PATH_MAX];    /* scratch for one iteration */
static char dbdir[PATH_MAX];   /* root/db: the live database */
static char shadow[PATH_MAX];  /* root/shadow: what is durable */
static char crashed[PATH_MAX]; /* root/crashed: the disk after the loss */
static long long base;
static stele_sync sync_mode;   /* the workload's sync policy */
static int crash_at;           /* stop before this operation; 0: never */
static int ops;                /* operations seen */

/* Copies src's bytes to dst (plain POSIX: not through the hooked layer). */
static void copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0)
		_exit(40);
	char b[65536];
	ssize_t n;
	while ((n = read(in, b, sizeof b)) > 0)
		if (write(out, b, (size_t)n) != n)
			_exit(41);
	close(in);
	close(out);
}

/* Records the entries of directory `path` as durable: "name inode kind". */
static void snapshot_dir(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return;
	char list[PATH_MAX + 64];
	snprintf(list, sizeof list, "%s/d-%llu", shadow, (unsigned long long)st.st_ino);
	FILE *f = fopen(list, "w");
	DIR *d = opendir(path);
	if (!f || !d)
		_exit(42);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char child[PATH_MAX + 300];
		snprintf(child, sizeof child, "%s/%s", path, de->d_name);
		struct stat cs;
		if (lstat(child, &cs) != 0)
			continue;
		fprintf(f, "%s %llu %c\n", de->d_name, (unsigned long long)cs.st_ino,
		        S_ISDIR(cs.st_mode) ? 'd' : 'f');
	}
	closedir(d);
	fclose(f);
}

static int recorder(IoOp op, const char *path, void *ctx)
{
	if (++ops == crash_at)
		_exit(0); /* the power goes */
	struct stat st;
	if (op == IO_FSYNC && stat(path, &st) == 0) {
		char keep[PATH_MAX + 64];
		snprintf(keep, sizeof keep, "%s/f-%llu", shadow, (unsigned long long)st.st_ino);
		copy_file(path, keep);
		/* What was written before is durable now. */
		snprintf(keep, sizeof keep, "%s/j-%llu", shadow, (unsigned long long)st.st_ino);
		unlink(keep);
	} else if (op == IO_FSYNC_DIR) {
		snapshot_dir(path);
	}
	return 0;
}

/* Journals each write (or truncation: buf NULL) made since the file's last
 * fsync: u8 kind, u64 offset, u32 length, the bytes. */
static void journal(const char *path, uint64_t off, const void *buf, size_t n, void *ctx)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return;
	char j[PATH_MAX + 64];
	snprintf(j, sizeof j, "%s/j-%llu", shadow, (unsigned long long)st.st_ino);
	FILE *f = fopen(j, "ab");
	if (!f)
		_exit(44);
	uint8_t kind = buf ? 'w' : 't';
	uint32_t len = (uint32_t)n;
	fwrite(&kind, 1, 1, f);
	fwrite(&off, 8, 1, f);
	fwrite(&len, 4, 1, f);
	if (buf)
		fwrite(buf, 1, n, f);
	fclose(f);
}

/* Mode 2: applies a random subset of the journal of inode ino to the file
 * at path, in order, the last write kept possibly torn. */
static void apply_journal(unsigned long long ino, const char *path, TuRng *r)
{
	char j[PATH_MAX + 64];
	snprintf(j, sizeof j, "%s/j-%llu", shadow, ino);
	FILE *f = fopen(j, "rb");
	if (!f)
		return;
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	uint8_t kind;
	uint64_t off;
	uint32_t len;
	static uint8_t data[1 << 22];
	while (fread(&kind, 1, 1, f) == 1 && fread(&off, 8, 1, f) == 1 && fread(&len, 4, 1, f) == 1) {
		if (kind == 'w' && (len > sizeof data || fread(data, 1, len, f) != len))
			break;
		if (tu_below(r, 2))
			continue; /* this one never reached the disk */
		if (kind == 't') {
			assert_int_equal(ftruncate(fd, (off_t)off), 0);
			continue;
		}
		uint32_t keep = tu_below(r, 4) ? len : (uint32_t)tu_below(r, len + 1); /* torn */
		assert_int_equal(pwrite(fd, data, keep, (off_t)off), (ssize_t)keep);
	}
	close(fd);
	fclose(f);
}

static int which_workload;      /* 0: writes, flushes, compaction; 1: deletes and drops */
static void workload_deletes(int ackfd);

static void workload(int ackfd)
{
	if (which_workload == 1) {
		workload_deletes(ackfd);
		return;
	}
	stele_options o = su_opts();
	o.sync = sync_mode;
	stele_db *db;
	stele_err err;
	if (stele_open(dbdir, &o, &db, &err) != STELE_OK)
		_exit(0); /* a loss during open: nothing was acknowledged */
	stele_write_options wo = {.precision = STELE_PRECISION_S};
	for (int i = 0; i < BATCHES; i++) {
		char text[160];
		snprintf(text, sizeof text, "p,s=a v=%di %lld\np,s=b%d w=%d.5 %lld\n", i,
		         base + 1000 + i, i % 3, i, base + 2000 + i);
		stele_write_result res;
		if (stele_write_lp(db, text, strlen(text), &wo, &res, &err) == STELE_OK) {
			uint8_t b = (uint8_t)i;
			if (write(ackfd, &b, 1) != 1)
				_exit(43);
		}
		if (i == 2 || i == 5 || i == 7 || i == 8)
			stele_flush(db, &err);
		if (i == 8)
			stele_compact(db, &err);
		if (i == 6)
			stele_set_retention(db, "p", 30LL * 86400 * 1000000000LL, &err);
	}
	stele_close(db, &err);
}

/* Rebuilds directory `dst` from the durable listing of the directory whose
 * inode is ino; with r, mode 2 (unsynced writes partly kept). */
static void rebuild(unsigned long long ino, const char *dst, TuRng *r)
{
	char list[PATH_MAX + 64];
	snprintf(list, sizeof list, "%s/d-%llu", shadow, ino);
	FILE *f = fopen(list, "r");
	if (!f)
		return; /* never fsynced: empty */
	char name[512], kind;
	unsigned long long child;
	while (fscanf(f, "%511s %llu %c", name, &child, &kind) == 3) {
		char path[PATH_MAX + 600];
		snprintf(path, sizeof path, "%s/%s", dst, name);
		if (kind == 'd') {
			assert_int_equal(mkdir(path, 0755), 0);
			rebuild(child, path, r);
			continue;
		}
		char keep[PATH_MAX + 64];
		snprintf(keep, sizeof keep, "%s/f-%llu", shadow, child);
		if (io_exists(keep))
			copy_file(keep, path);
		else
			close(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)); /* data never synced */
		if (r)
			apply_journal(child, path, r);
	}
	fclose(f);
}

static uint32_t run(int k)
{
	tu_tmpdir(root, sizeof root, "powerloss");
	snprintf(dbdir, sizeof dbdir, "%s/db", root);
	snprintf(shadow, sizeof shadow, "%s/shadow", root);
	snprintf(crashed, sizeof crashed, "%s/crashed", root);
	assert_int_equal(mkdir(shadow, 0755), 0);
	assert_int_equal(mkdir(dbdir, 0755), 0);
	/* The database directory exists, durably empty, before it begins. */
	ops = 0;
	snapshot_dir(dbdir);
	int p[2];
	assert_int_equal(pipe(p), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		crash_at = k;
		io_set_fault_hook(recorder, NULL);
		io_set_write_hook(journal, NULL);
		workload(p[1]);
		/* Count the operations for the caller through the exit code
		 * of the dry run (k == 0). */
		_exit(k == 0 ? (ops > 250 ? 250 : ops) : 0);
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
		fail_msg("loss at operation %d: the workload died of signal %d", k, WTERMSIG(status));
	if (k == 0)
		return (uint32_t)WEXITSTATUS(status);
	return acked;
}

static void check(int k, uint32_t acked, TuRng *r)
{
	struct stat st;
	assert_int_equal(stat(dbdir, &st), 0);
	io_remove_tree(crashed, NULL);
	assert_int_equal(mkdir(crashed, 0755), 0);
	rebuild((unsigned long long)st.st_ino, crashed, r);
	stele_options o = su_opts();
	stele_db *db;
	stele_err err;
	if (stele_open(crashed, &o, &db, &err) != STELE_OK)
		fail_msg("loss at operation %d: the database does not open: %s", k, err.msg);
	char *got = su_dump(db, "p");
	su_close(db);
	uint32_t seen = 0;
	for (char *line = got; *line;) {
		char *nl = strchr(line, '\n');
		*nl = '\0';
		int v, shard;
		long long ts;
		double w;
		if (sscanf(line, "p,s=a v=%di %lld", &v, &ts) == 2 && v >= 0 && v < BATCHES &&
		    ts == (base + 1000 + v) * 1000000000LL) {
			seen |= 1u << v;
		} else if (sscanf(line, "p,s=b%d w=%lf %lld", &shard, &w, &ts) == 3) {
			long long i = ts / 1000000000LL - base - 2000;
			if (i < 0 || i >= BATCHES || shard != i % 3 || w != (double)i + 0.5)
				fail_msg("loss at operation %d: a row never written: %s", k, line);
		} else {
			fail_msg("loss at operation %d: a row never written: %s", k, line);
		}
		*nl = '\n';
		line = nl + 1;
	}
	for (int i = 0; i < BATCHES; i++) {
		char b[96];
		snprintf(b, sizeof b, "p,s=b%d w=%d.5 %lld\n", i % 3, i,
		         (base + 2000 + i) * 1000000000LL);
		bool whole = (seen >> i & 1) && strstr(got, b);
		if (sync_mode == STELE_SYNC_ALWAYS && (acked >> i & 1) && !whole)
			fail_msg("loss at operation %d: acknowledged batch %d is missing", k, i);
		/* Batches are atomic and replay stops at the first gap: what
		 * survives is whole batches, the first ones. */
		if ((seen >> i & 1) && !whole)
			fail_msg("loss at operation %d: half of batch %d survived", k, i);
		if (i > 0 && (seen >> i & 1) && !(seen >> (i - 1) & 1))
			fail_msg("loss at operation %d: batch %d survived but not batch %d", k, i, i - 1);
	}
	free(got);
}

static void test_power_loss_at_every_operation(void **state)
{
	sync_mode = STELE_SYNC_ALWAYS;
	base = (long long)(time_now_ns() / 1000000000LL) - 86400;
	int total = (int)run(0);
	tu_rmtree(root);
	assert_true(total > 50 && total < 250);
	for (int k = 1; k <= total; k++) {
		uint32_t acked = run(k);
		check(k, acked, NULL);
		/* The same loss, keeping random parts of what was not synced. */
		for (int trial = 0; trial < 3; trial++) {
			TuRng r = {(uint64_t)k * 7919 + (uint64_t)trial + 1};
			check(k, acked, &r);
		}
		tu_rmtree(root);
	}
	print_message("power lost at each of %d operations, 4 ways each: every acknowledged write "
	              "survived\n",
	              total);
}

static void test_power_loss_without_fsync(void **state)
{
	/* sync=none: acknowledged writes may be lost, but the database must
	 * open, and what survives is whole batches, the first ones, even when
	 * the disk kept later writes of the WAL's unsynced tail and lost
	 * earlier ones. */
	sync_mode = STELE_SYNC_NONE;
	base = (long long)(time_now_ns() / 1000000000LL) - 86400;
	int total = (int)run(0);
	tu_rmtree(root);
	assert_true(total > 30 && total < 250);
	for (int k = 1; k <= total; k++) {
		uint32_t acked = run(k);
		check(k, acked, NULL);
		for (int trial = 0; trial < 4; trial++) {
			TuRng r = {(uint64_t)k * 104729 + (uint64_t)trial + 1};
			check(k, acked, &r);
		}
		tu_rmtree(root);
	}
}

/* Workload 1: rows in segments and in the memtable, a delete of some of
 * them, more rows, a table dropped. Acks: bit 0 batch A, 1 batch B, 2 the
 * delete, 3 batch C, 4 the drop. */
static void ack(int fd, int bit)
{
	uint8_t b = (uint8_t)bit;
	if (write(fd, &b, 1) != 1)
		_exit(43);
}

static void workload_deletes(int ackfd)
{
	stele_options o = su_opts();
	o.sync = STELE_SYNC_ALWAYS;
	stele_db *db;
	stele_err err;
	if (stele_open(dbdir, &o, &db, &err) != STELE_OK)
		_exit(0);
	stele_write_options wo = {.precision = STELE_PRECISION_S};
	stele_write_result res;
	char text[256];
	snprintf(text, sizeof text,
	         "p,s=a v=1i %lld\np,s=a v=2i %lld\np,s=b v=3i %lld\nq,s=z v=9i %lld\n", base + 1,
	         base + 2, base + 2, base + 1);
	if (stele_write_lp(db, text, strlen(text), &wo, &res, &err) == STELE_OK)
		ack(ackfd, 0);
	stele_flush(db, &err);
	snprintf(text, sizeof text, "p,s=a v=4i %lld\n", base + 3);
	if (stele_write_lp(db, text, strlen(text), &wo, &res, &err) == STELE_OK)
		ack(ackfd, 1);
	const char *vals[] = {"a"};
	uint32_t lens[] = {1};
	TagPred pred = {.ord = 0, .vals = vals, .lens = lens, .nvals = 1};
	uint64_t n;
	/* s=a from base+1 to base+3: v=1, 2 (a segment) and 4 (the memtable). */
	if (db_delete(db, "p", &pred, 1, (base + 1) * 1000000000LL, (base + 3) * 1000000000LL, &n,
	              &err) == STELE_OK)
		ack(ackfd, 2);
	snprintf(text, sizeof text, "p,s=a v=5i %lld\n", base + 2);
	if (stele_write_lp(db, text, strlen(text), &wo, &res, &err) == STELE_OK)
		ack(ackfd, 3);
	bool dropped;
	if (db_drop_table(db, "q", false, &dropped, &err) == STELE_OK)
		ack(ackfd, 4);
	stele_flush(db, &err);
	stele_close(db, &err);
}

static void check_deletes(int k, uint32_t acked, TuRng *r)
{
	struct stat st;
	assert_int_equal(stat(dbdir, &st), 0);
	io_remove_tree(crashed, NULL);
	assert_int_equal(mkdir(crashed, 0755), 0);
	rebuild((unsigned long long)st.st_ino, crashed, r);
	stele_options o = su_opts();
	stele_db *db;
	stele_err err;
	if (stele_open(crashed, &o, &db, &err) != STELE_OK)
		fail_msg("loss at operation %d: the database does not open: %s", k, err.msg);
	char *p = su_dump(db, "p"), *q = su_dump(db, "q");
	su_close(db);
	char l1[64], l2[64], l3[64], l4[64], l5[64], lq[64];
	snprintf(l1, sizeof l1, "p,s=a v=1i %lld000000000\n", base + 1);
	snprintf(l2, sizeof l2, "p,s=a v=2i %lld000000000\n", base + 2);
	snprintf(l3, sizeof l3, "p,s=b v=3i %lld000000000\n", base + 2);
	snprintf(l4, sizeof l4, "p,s=a v=4i %lld000000000\n", base + 3);
	snprintf(l5, sizeof l5, "p,s=a v=5i %lld000000000\n", base + 2);
	snprintf(lq, sizeof lq, "q,s=z v=9i %lld000000000\n", base + 1);
	bool has1 = strstr(p, l1), has2 = strstr(p, l2), has3 = strstr(p, l3), has4 = strstr(p, l4),
	     has5 = strstr(p, l5), hasq = strstr(q, lq);
	/* What each acknowledgment promises (a delete or drop may also be
	 * durable without having been acknowledged). */
	if ((acked & 1) && !has3)
		fail_msg("loss at %d: acknowledged batch A lost:\n%s", k, p);
	if ((acked & 2) && has1 && !has4)
		fail_msg("loss at %d: acknowledged batch B lost:\n%s", k, p);
	if ((acked & 4) && (has1 || has2 || has4))
		fail_msg("loss at %d: acknowledged delete undone:\n%s", k, p);
	if ((acked & 8) && !has5)
		fail_msg("loss at %d: acknowledged batch C lost:\n%s", k, p);
	if ((acked & 16) && hasq)
		fail_msg("loss at %d: acknowledged drop undone", k);
	/* Order and atomicity: what survives is a prefix of the history,
	 * each change whole. */
	if (has5 && (has1 || has2 || has4))
		fail_msg("loss at %d: batch C survived but the delete before it did not:\n%s", k, p);
	if (!has3 && (has1 || has2 || has4 || has5 || hasq))
		fail_msg("loss at %d: later rows survived without batch A:\n%s", k, p);
	if (has1 != has2)
		fail_msg("loss at %d: half of batch A or of the delete survived:\n%s", k, p);
	if (has3 && !has1 && has4)
		fail_msg("loss at %d: the delete kept a row it covers:\n%s", k, p);
	if (q[0] && !hasq)
		fail_msg("loss at %d: table q holds a row never written:\n%s", k, q);
	free(p);
	free(q);
}

static void test_power_loss_delete_and_drop(void **state)
{
	sync_mode = STELE_SYNC_ALWAYS;
	which_workload = 1;
	base = (long long)(time_now_ns() / 1000000000LL) - 86400;
	int total = (int)run(0);
	tu_rmtree(root);
	assert_true(total > 30 && total < 250);
	for (int k = 1; k <= total; k++) {
		uint32_t acked = run(k);
		check_deletes(k, acked, NULL);
		for (int trial = 0; trial < 3; trial++) {
			TuRng r = {(uint64_t)k * 6007 + (uint64_t)trial + 1};
			check_deletes(k, acked, &r);
		}
		tu_rmtree(root);
	}
	which_workload = 0;
	print_message("power lost at each of %d operations of deletes and drops, 4 ways each: "
	              "every acknowledged change survived, nothing undone came back\n",
	              total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_loss_at_every_operation),
		cmocka_unit_test(test_power_loss_without_fsync),
		cmocka_unit_test(test_power_loss_delete_and_drop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
