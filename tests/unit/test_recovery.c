/*
 * test_recovery.c - crashes and damage: a process killed after acknowledged
 * writes loses none of them; a torn WAL tail is cut; corruption inside the
 * WAL, a segment or the manifest is reported with the file and offset; a
 * failed fsync stops writes; a full disk rejects a write, loses nothing, and
 * writes resume when space returns.
 */
#include "storage_util.h"

#include "storage/wal.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[PATH_MAX];

static int setup(void **state)
{
	tu_tmpdir(dir, sizeof dir, "recovery");
	return 0;
}

static int teardown(void **state)
{
	io_set_fault_hook(NULL, NULL);
	tu_rmtree(dir);
	return 0;
}

/* Runs fn in a child process that dies without closing the database. */
static void in_crashing_child(void (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0); /* no stele_close: a crash after the last write */
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void child_write(const char *text)
{
	stele_options o = su_opts();
	o.sync = STELE_SYNC_ALWAYS;
	stele_db *db;
	stele_err err;
	if (stele_open(dir, &o, &db, &err) != STELE_OK)
		_exit(10);
	stele_write_result res;
	if (stele_write_lp(db, text, strlen(text), NULL, &res, &err) != STELE_OK)
		_exit(11);
}

/* Writes n batches, each in a child process that dies without closing the
 * database after its write was acknowledged. */
static void write_batches(int n)
{
	for (int i = 0; i < n; i++) {
		fflush(NULL);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			char line[64];
			snprintf(line, sizeof line, "m,t=a v=%di %d\n", i + 1, i + 1);
			child_write(line);
			_exit(0);
		}
		int status;
		waitpid(pid, &status, 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

/* The path of the newest WAL file holding records. */
static void newest_wal(char *out, size_t n)
{
	char wal[PATH_MAX + 8];
	snprintf(wal, sizeof wal, "%s/wal", dir);
	DIR *d = opendir(wal);
	assert_non_null(d);
	struct dirent *de;
	char best[64] = "";
	off_t best_size = 0;
	while ((de = readdir(d)) != NULL) {
		if (!strstr(de->d_name, ".wal"))
			continue;
		char p[PATH_MAX + 80];
		snprintf(p, sizeof p, "%s/%s", wal, de->d_name);
		struct stat st;
		stat(p, &st);
		if (st.st_size > 16 && strcmp(de->d_name, best) > 0) {
			snprintf(best, sizeof best, "%s", de->d_name);
			best_size = st.st_size;
		}
	}
	closedir(d);
	assert_true(best_size > 0);
	snprintf(out, n, "%s/%s", wal, best);
}

static void test_crash_keeps_acknowledged(void **state)
{
	write_batches(3);
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_assert_table(db, "m", "m,t=a v=1i 1\nm,t=a v=2i 2\nm,t=a v=3i 3\n");
	su_close(db);
}

static off_t file_size(const char *p)
{
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	return st.st_size;
}

static void flip_byte(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	uint8_t b;
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= 0x40;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

static void test_torn_tail_is_cut(void **state)
{
	write_batches(2);
	char wal[PATH_MAX + 80];
	newest_wal(wal, sizeof wal);
	off_t good = file_size(wal);
	/* Half of a record header, as a crash mid-append leaves it. */
	int fd = open(wal, O_WRONLY | O_APPEND);
	uint8_t torn[9] = {1, 2, 3, 4, 200, 0, 0, 0, 9};
	assert_int_equal(write(fd, torn, sizeof torn), (ssize_t)sizeof torn);
	close(fd);
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_assert_table(db, "m", "m,t=a v=1i 1\nm,t=a v=2i 2\n");
	su_close(db);
	(void)good;
}

static void test_corrupt_wal_record(void **state)
{
	write_batches(3);
	/* Each write went to a fresh WAL file (each open starts one); find
	 * the one holding the second record: the middle of the three. */
	char wal[PATH_MAX + 8];
	snprintf(wal, sizeof wal, "%s/wal", dir);
	struct dirent **names;
	int n = scandir(wal, &names, NULL, alphasort);
	assert_true(n > 0);
	char files[8][PATH_MAX + 80];
	int nf = 0;
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX + 80];
		snprintf(p, sizeof p, "%s/%s", wal, names[i]->d_name);
		if (strstr(names[i]->d_name, ".wal") && file_size(p) > 16 && nf < 8)
			snprintf(files[nf++], sizeof files[0], "%s", p);
		free(names[i]);
	}
	free(names);
	assert_int_equal(nf, 3);
	/* Damage a payload byte of the middle record. Its file is not the
	 * newest, so this cannot be a torn tail: every file before the newest
	 * was fsynced whole before the next one began. */
	off_t sz = file_size(files[1]);
	flip_byte(files[1], sz - 2);
	stele_options o = su_opts();
	stele_db *db;
	stele_err err;
	assert_int_equal(stele_open(dir, &o, &db, &err), STELE_ECORRUPT);
	char want[PATH_MAX + 200];
	snprintf(want, sizeof want, "WAL file \"%s\" is corrupt at offset 16", files[1]);
	assert_non_null(strstr(err.msg, want));
	o.recover = true;
	db = su_open(dir, &o);
	su_assert_table(db, "m", "m,t=a v=1i 1\nm,t=a v=3i 3\n");
	su_close(db);
}

static void test_corruption_inside_one_file(void **state)
{
	/* Three records in one WAL file, the middle one damaged. */
	pid_t pid;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		stele_options o = su_opts();
		o.sync = STELE_SYNC_ALWAYS;
		stele_db *db;
		stele_err err;
		if (stele_open(dir, &o, &db, &err))
			_exit(10);
		stele_write_result res;
		const char *l[] = {"m,t=a v=1i 1\n", "m,t=a v=2i 2\n", "m,t=a v=3i 3\n"};
		for (int i = 0; i < 3; i++)
			if (stele_write_lp(db, l[i], strlen(l[i]), NULL, &res, &err))
				_exit(11);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char wal[PATH_MAX + 80];
	newest_wal(wal, sizeof wal);
	/* Find the second record: records start at 16; read lengths. */
	int fd = open(wal, O_RDONLY);
	uint32_t len1;
	assert_int_equal(pread(fd, &len1, 4, 16 + 4), 4);
	close(fd);
	off_t second = WAL_HEADER + WAL_REC_HEADER + len1;
	flip_byte(wal, second + 20);
	stele_options o = su_opts();
	stele_db *db;
	stele_err err;
	assert_int_equal(stele_open(dir, &o, &db, &err), STELE_ECORRUPT);
	char want[PATH_MAX + 200];
	snprintf(want, sizeof want, "WAL file \"%s\" is corrupt at offset %lld", wal,
	         (long long)second);
	assert_non_null(strstr(err.msg, want));
	/* Recover skips the damaged record and keeps the rest. */
	o.recover = true;
	db = su_open(dir, &o);
	su_assert_table(db, "m", "m,t=a v=1i 1\nm,t=a v=3i 3\n");
	su_close(db);
}

static int fsync_fails(IoOp op, const char *path, void *ctx)
{
	return op == IO_FSYNC && strstr(path, "/wal/") ? EIO : 0;
}

static void test_failed_fsync_stops_writes(void **state)
{
	stele_options o = su_opts();
	o.sync = STELE_SYNC_ALWAYS;
	stele_db *db = su_open(dir, &o);
	su_write(db, "m v=1i 1\n");
	io_set_fault_hook(fsync_fails, NULL);
	stele_write_result res;
	stele_err err;
	assert_int_equal(stele_write_lp(db, "m v=2i 2\n", 9, NULL, &res, &err), STELE_EIO);
	assert_int_equal(res.lines_written, 0);
	io_set_fault_hook(NULL, NULL);
	/* Never retried, never acknowledged: writes stay refused. */
	assert_int_equal(stele_write_lp(db, "m v=3i 3\n", 9, NULL, &res, &err), STELE_EREADONLY);
	assert_non_null(strstr(err.msg, "writes stopped after a failed fsync"));
	assert_int_equal(stele_close(db, &err), STELE_EREADONLY);
	/* What reached the disk is recovered on the next open. */
	db = su_open(dir, &o);
	char *got = su_dump(db, "m");
	assert_non_null(strstr(got, "m v=1i 1\n"));
	assert_null(strstr(got, "v=3i"));
	free(got);
	su_close(db);
}

static int wal_full(IoOp op, const char *path, void *ctx)
{
	return op == IO_WRITE && strstr(path, "/wal/") ? ENOSPC : 0;
}

static void child_enospc(void)
{
	stele_options o = su_opts();
	o.sync = STELE_SYNC_ALWAYS;
	stele_db *db;
	stele_err err;
	stele_write_result res;
	if (stele_open(dir, &o, &db, &err))
		_exit(10);
	if (stele_write_lp(db, "m,t=a v=1i 1\n", 13, NULL, &res, &err))
		_exit(11);
	io_set_fault_hook(wal_full, NULL);
	/* A new series in a batch that cannot be written. */
	if (stele_write_lp(db, "m,t=new v=2i 2\n", 15, NULL, &res, &err) != STELE_ENOSPC)
		_exit(12);
	if (!strstr(err.msg, "No space left on device"))
		_exit(13);
	io_set_fault_hook(NULL, NULL);
	/* Space is back: the same series in the next batch is defined in it. */
	if (stele_write_lp(db, "m,t=new v=3i 3\n", 15, NULL, &res, &err))
		_exit(14);
}

static void test_full_disk_then_resume(void **state)
{
	in_crashing_child(child_enospc);
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_assert_table(db, "m", "m,t=a v=1i 1\nm,t=new v=3i 3\n");
	su_close(db);
}

static int seg_full(IoOp op, const char *path, void *ctx)
{
	return op == IO_WRITE && strstr(path, ".seg") ? ENOSPC : 0;
}

static void test_flush_fails_then_succeeds(void **state)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_write(db, "m,t=a v=1i 1\n");
	io_set_fault_hook(seg_full, NULL);
	stele_err err;
	assert_int_equal(stele_flush(db, &err), STELE_ENOSPC);
	io_set_fault_hook(NULL, NULL);
	su_assert_table(db, "m", "m,t=a v=1i 1\n");
	assert_int_equal(db->version->nsegs, 0);
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	assert_int_equal(db->version->nsegs, 1);
	su_close(db);
	db = su_open(dir, &o);
	su_assert_table(db, "m", "m,t=a v=1i 1\n");
	su_close(db);
}

/* Writes one row, flushes, closes; returns the segment's path. */
static void one_segment(char *seg, size_t n)
{
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	su_write(db, "m,t=a v=1i 1\nm,t=a v=2i 2\n");
	stele_err err;
	assert_int_equal(stele_flush(db, &err), STELE_OK);
	snprintf(seg, n, "%s", db->version->segs[0]->path);
	su_close(db);
}

static void test_corrupt_segment_block(void **state)
{
	char seg[PATH_MAX];
	one_segment(seg, sizeof seg);
	flip_byte(seg, 40); /* inside the first block */
	stele_options o = su_opts();
	stele_db *db;
	stele_err err;
	/* The manifest's content digest no longer matches the file... but
	 * open checks only the footer and index; reading finds the block. */
	assert_int_equal(stele_open(dir, &o, &db, &err), STELE_OK);
	uint32_t col = 2;
	ScanSpec spec = {.table = 0, .tmin = INT64_MIN, .tmax = INT64_MAX, .cols = &col,
	                 .ncols = 1};
	Scan *sc;
	assert_int_equal(scan_open(db, &spec, &sc, &err), STELE_OK);
	const Rows *r;
	assert_int_equal(scan_next(sc, &r, &err), STELE_ECORRUPT);
	char want[PATH_MAX + 100];
	snprintf(want, sizeof want, "segment \"%s\" is corrupt at offset 32: block checksum mismatch",
	         seg);
	assert_string_equal(err.msg, want);
	scan_close(sc);
	su_close(db);
}

static void test_corrupt_segment_index_and_footer(void **state)
{
	char seg[PATH_MAX];
	one_segment(seg, sizeof seg);
	off_t sz = file_size(seg);
	stele_options o = su_opts();
	stele_db *db;
	stele_err err;
	flip_byte(seg, sz - 60); /* the index's last byte */
	assert_int_equal(stele_open(dir, &o, &db, &err), STELE_ECORRUPT);
	assert_non_null(strstr(err.msg, "index checksum mismatch"));
	flip_byte(seg, sz - 60);
	flip_byte(seg, sz - 20); /* the digest */
	assert_int_equal(stele_open(dir, &o, &db, &err), STELE_ECORRUPT);
	assert_non_null(strstr(err.msg, "content digest does not match the manifest"));
	flip_byte(seg, sz - 20);
	assert_int_equal(truncate(seg, sz - 1), 0);
	assert_int_equal(stele_open(dir, &o, &db, &err), STELE_ECORRUPT);
	assert_non_null(strstr(err.msg, "the manifest says"));
}

static void test_corrupt_manifest(void **state)
{
	char seg[PATH_MAX];
	one_segment(seg, sizeof seg);
	char man[PATH_MAX + 16];
	snprintf(man, sizeof man, "%s/MANIFEST", dir);
	flip_byte(man, 20);
	stele_options o = su_opts();
	stele_db *db;
	stele_err err;
	assert_int_equal(stele_open(dir, &o, &db, &err), STELE_ECORRUPT);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof want, "manifest \"%s\" fails its checksum", man);
	assert_string_equal(err.msg, want);
}

static void test_orphan_segment_removed(void **state)
{
	char seg[PATH_MAX];
	one_segment(seg, sizeof seg);
	char orphan[PATH_MAX + 16];
	snprintf(orphan, sizeof orphan, "%s.orphan.seg", seg);
	FILE *f = fopen(orphan, "w");
	fputs("left by a crash", f);
	fclose(f);
	stele_options o = su_opts();
	stele_db *db = su_open(dir, &o);
	assert_false(io_exists(orphan));
	assert_true(io_exists(seg));
	su_assert_table(db, "m", "m,t=a v=1i 1\nm,t=a v=2i 2\n");
	su_close(db);
}

static uint8_t *slurp(const char *path, size_t *n)
{
	uint8_t *d;
	assert_int_equal(io_read_file(path, &d, n, 1 << 20, NULL), STELE_OK);
	return d;
}

static void spit(const char *path, const uint8_t *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	fclose(f);
}

/* Opens read-only (nothing on disk changes) and dumps table m; returns the
 * open's code, *out the dump when it opened. */
static int open_and_dump(char **out)
{
	stele_options o = su_opts();
	o.read_only = true;
	stele_db *db;
	stele_err err;
	int rc = stele_open(dir, &o, &db, &err);
	*out = NULL;
	if (rc == STELE_OK) {
		*out = su_dump(db, "m");
		su_close(db);
	}
	return rc;
}

static void test_every_wal_byte_flipped(void **state)
{
	/* Three records in one WAL file; each byte in turn damaged. Damage
	 * in the last record reads as a torn tail (the first two rows come
	 * back); anywhere else the database refuses to open. Never a crash,
	 * never a wrong row. */
	pid_t pid;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		stele_options o = su_opts();
		o.sync = STELE_SYNC_ALWAYS;
		stele_db *db;
		stele_err err;
		if (stele_open(dir, &o, &db, &err))
			_exit(10);
		stele_write_result res;
		const char *l[] = {"m,t=a v=1i 1\n", "m,t=a v=2i 2\n", "m,t=a v=3i 3\n"};
		for (int i = 0; i < 3; i++)
			if (stele_write_lp(db, l[i], strlen(l[i]), NULL, &res, &err))
				_exit(11);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char wal[PATH_MAX + 80];
	newest_wal(wal, sizeof wal);
	size_t n;
	uint8_t *orig = slurp(wal, &n);
	/* Where the last record starts. */
	uint32_t len;
	size_t off = 16, last = 0;
	while (off < n) {
		memcpy(&len, orig + off + 4, 4);
		last = off;
		off += WAL_REC_HEADER + len;
	}
	assert_int_equal(off, n);
	int refused = 0, torn = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t *d = malloc(n);
		memcpy(d, orig, n);
		d[i] ^= 0x10;
		spit(wal, d, n);
		free(d);
		char *got;
		int rc = open_and_dump(&got);
		if (rc == STELE_OK) {
			if (i < last)
				fail_msg("damage at offset %zu (before the last record) accepted", i);
			assert_string_equal(got, "m,t=a v=1i 1\nm,t=a v=2i 2\n");
			torn++;
		} else {
			assert_true(rc == STELE_ECORRUPT || rc == STELE_EVERSION);
			refused++;
		}
		free(got);
	}
	assert_int_equal(torn, n - last);
	assert_int_equal(refused, last);
	spit(wal, orig, n);
	char *got = NULL;
	assert_int_equal(open_and_dump(&got), STELE_OK);
	assert_string_equal(got, "m,t=a v=1i 1\nm,t=a v=2i 2\nm,t=a v=3i 3\n");
	free(got);
	free(orig);
}

static void test_every_segment_byte_flipped(void **state)
{
	/* Each byte of a segment in turn damaged: opening or reading it
	 * fails with a corruption error naming the file; never a crash, never
	 * a wrong row. */
	char seg[PATH_MAX];
	one_segment(seg, sizeof seg);
	size_t n;
	uint8_t *orig = slurp(seg, &n);
	for (size_t i = 0; i < n; i++) {
		uint8_t *d = malloc(n);
		memcpy(d, orig, n);
		d[i] ^= 0x01;
		spit(seg, d, n);
		free(d);
		stele_options o = su_opts();
		o.read_only = true;
		stele_db *db;
		stele_err err;
		int rc = stele_open(dir, &o, &db, &err);
		if (rc == STELE_OK) {
			uint32_t col = 2;
			ScanSpec spec = {.table = 0, .tmin = INT64_MIN, .tmax = INT64_MAX,
			                 .cols = &col, .ncols = 1};
			Scan *sc;
			assert_int_equal(scan_open(db, &spec, &sc, &err), STELE_OK);
			const Rows *r;
			rc = scan_next(sc, &r, &err);
			if (rc == STELE_OK)
				fail_msg("damage at offset %zu of %zu not detected", i, n);
			scan_close(sc);
			su_close(db);
		}
		if (rc != STELE_ECORRUPT && rc != STELE_EVERSION)
			fail_msg("offset %zu: code %d: %s", i, rc, err.msg);
		if (!strstr(err.msg, seg))
			fail_msg("offset %zu: the message does not name the file: %s", i, err.msg);
	}
	spit(seg, orig, n);
	free(orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_crash_keeps_acknowledged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_is_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_wal_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corruption_inside_one_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_fsync_stops_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_then_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_fails_then_succeeds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_segment_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_segment_index_and_footer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_segment_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_wal_byte_flipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_segment_byte_flipped, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
