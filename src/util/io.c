/* io.c - the POSIX implementation of the storage I/O layer (see io.h). */
#include "util/io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The test hooks: set from one thread while others do I/O (a background
 * flush), so each hook and its context are read together under hook_mu;
 * with no hook set, an I/O call costs one relaxed atomic load. */
static pthread_mutex_t hook_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool hooks_on;
static IoFaultHook fault_hook;
static void *fault_ctx;
static IoWriteHook write_hook;
static void *write_ctx;

static void hooks_update(void)
{
	atomic_store_explicit(&hooks_on, fault_hook || write_hook, memory_order_relaxed);
}

void io_set_fault_hook(IoFaultHook hook, void *ctx)
{
	pthread_mutex_lock(&hook_mu);
	fault_hook = hook;
	fault_ctx = ctx;
	hooks_update();
	pthread_mutex_unlock(&hook_mu);
}

void io_set_write_hook(IoWriteHook hook, void *ctx)
{
	pthread_mutex_lock(&hook_mu);
	write_hook = hook;
	write_ctx = ctx;
	hooks_update();
	pthread_mutex_unlock(&hook_mu);
}

static int fault(IoOp op, const char *path)
{
	if (!atomic_load_explicit(&hooks_on, memory_order_relaxed))
		return 0;
	pthread_mutex_lock(&hook_mu);
	IoFaultHook fn = fault_hook;
	void *ctx = fault_ctx;
	pthread_mutex_unlock(&hook_mu);
	return fn ? fn(op, path, ctx) : 0;
}

static void wrote(const char *path, uint64_t off, const void *buf, size_t n)
{
	if (!atomic_load_explicit(&hooks_on, memory_order_relaxed))
		return;
	pthread_mutex_lock(&hook_mu);
	IoWriteHook fn = write_hook;
	void *ctx = write_ctx;
	pthread_mutex_unlock(&hook_mu);
	if (fn)
		fn(path, off, buf, n, ctx);
}

static int fail_errno(StErr *err, int e, const char *what, const char *path)
{
	return failf(err, err_from_errno(e), "could not %s \"%s\": %s", what, path, strerror(e));
}

int io_open(const char *path, int flags, int mode, int *fd, StErr *err)
{
	int e = fault(IO_OPEN, path);
	if (e)
		return fail_errno(err, e, "open", path);
	int f;
	do
		f = open(path, flags | O_CLOEXEC, mode);
	while (f < 0 && errno == EINTR);
	if (f < 0)
		return fail_errno(err, errno, "open", path);
	*fd = f;
	return STELE_OK;
}

void io_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

int io_pread(int fd, const char *path, void *buf, size_t n, uint64_t off, StErr *err)
{
	int e = fault(IO_READ, path);
	if (e)
		return fail_errno(err, e, "read from", path);
	uint8_t *p = buf;
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail_errno(err, errno, "read from", path);
		if (r == 0)
			return failf(err, STELE_ECORRUPT,
			             "could not read from \"%s\": file ends at offset %llu", path,
			             (unsigned long long)off);
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return STELE_OK;
}

int io_pwrite(int fd, const char *path, const void *buf, size_t n, uint64_t off, StErr *err)
{
	int e = fault(IO_WRITE, path);
	if (e)
		return fail_errno(err, e, "write to", path);
	const uint8_t *p = buf;
	wrote(path, off, buf, n);
	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return fail_errno(err, errno, "write to", path);
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return STELE_OK;
}

int io_fsync(int fd, const char *path, StErr *err)
{
	int e = fault(IO_FSYNC, path);
	if (e)
		return fail_errno(err, e, "fsync", path);
	if (fdatasync(fd) < 0)
		return fail_errno(err, errno, "fsync", path);
	return STELE_OK;
}

int io_truncate(int fd, const char *path, uint64_t len, StErr *err)
{
	int e = fault(IO_TRUNCATE, path);
	if (e)
		return fail_errno(err, e, "truncate", path);
	if (ftruncate(fd, (off_t)len) < 0)
		return fail_errno(err, errno, "truncate", path);
	wrote(path, len, NULL, 0);
	return STELE_OK;
}

int io_file_size(int fd, const char *path, uint64_t *size, StErr *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return fail_errno(err, errno, "stat", path);
	*size = (uint64_t)st.st_size;
	return STELE_OK;
}

int io_rename(const char *from, const char *to, StErr *err)
{
	int e = fault(IO_RENAME, to);
	if (e || rename(from, to) < 0) {
		e = e ? e : errno;
		return failf(err, err_from_errno(e), "could not rename \"%s\" to \"%s\": %s", from,
		             to, strerror(e));
	}
	return STELE_OK;
}

int io_unlink(const char *path, StErr *err)
{
	int e = fault(IO_UNLINK, path);
	if (e)
		return fail_errno(err, e, "remove", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return fail_errno(err, errno, "remove", path);
	return STELE_OK;
}

int io_mkdir(const char *path, StErr *err)
{
	int e = fault(IO_MKDIR, path);
	if (e)
		return fail_errno(err, e, "create directory", path);
	if (mkdir(path, 0755) < 0) {
		if (errno == EEXIST)
			return STELE_OK;
		return fail_errno(err, errno, "create directory", path);
	}
	/* The new directory's entry lives in its parent: make it durable, or
	 * a power loss could take the directory and all it will hold. */
	char parent[PATH_MAX];
	snprintf(parent, sizeof parent, "%s", path);
	char *slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, sizeof parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	return io_fsync_dir(parent, err);
}

int io_fsync_dir(const char *path, StErr *err)
{
	int e = fault(IO_FSYNC_DIR, path);
	if (e)
		return fail_errno(err, e, "fsync directory", path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(err, errno, "open directory", path);
	int rc = fsync(fd) < 0 ? fail_errno(err, errno, "fsync directory", path) : STELE_OK;
	close(fd);
	return rc;
}

int io_remove_tree(const char *path, StErr *err)
{
	DIR *d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return STELE_OK;
		if (errno == ENOTDIR)
			return io_unlink(path, err);
		return fail_errno(err, errno, "open directory", path);
	}
	int rc = STELE_OK;
	struct dirent *de;
	char child[PATH_MAX];
	while (rc == STELE_OK && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(child, sizeof child, "%s/%s", path, de->d_name);
		struct stat st;
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			rc = io_remove_tree(child, err);
		else
			rc = io_unlink(child, err);
	}
	closedir(d);
	if (rc == STELE_OK && rmdir(path) < 0 && errno != ENOENT)
		rc = fail_errno(err, errno, "remove directory", path);
	return rc;
}

int io_read_file(const char *path, uint8_t **data, size_t *len, size_t max, StErr *err)
{
	int fd;
	int rc = io_open(path, O_RDONLY, 0, &fd, err);
	if (rc)
		return rc;
	uint64_t size;
	rc = io_file_size(fd, path, &size, err);
	if (rc == STELE_OK && size > max)
		rc = failf(err, STELE_ECORRUPT, "file \"%s\" is %llu bytes, more than the %zu expected",
		           path, (unsigned long long)size, max);
	uint8_t *p = NULL;
	if (rc == STELE_OK) {
		p = malloc(size ? size : 1);
		if (!p)
			rc = failf(err, STELE_ENOMEM, "out of memory reading \"%s\"", path);
	}
	if (rc == STELE_OK)
		rc = io_pread(fd, path, p, (size_t)size, 0, err);
	io_close(fd);
	if (rc) {
		free(p);
		return rc;
	}
	*data = p;
	*len = (size_t)size;
	return STELE_OK;
}

int io_write_file_atomic(const char *dir, const char *name, const void *data, size_t len,
                         bool *replaced, StErr *err)
{
	if (replaced)
		*replaced = false;
	char path[PATH_MAX], tmp[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
	int fd;
	int rc = io_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644, &fd, err);
	if (rc)
		return rc;
	rc = io_pwrite(fd, tmp, data, len, 0, err);
	if (rc == STELE_OK)
		rc = io_fsync(fd, tmp, err);
	io_close(fd);
	if (rc == STELE_OK) {
		rc = io_rename(tmp, path, err);
		if (rc) {
			unlink(tmp);
			return rc;
		}
		if (replaced)
			*replaced = true;
		return io_fsync_dir(dir, err);
	}
	unlink(tmp);
	return rc;
}

bool io_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}
