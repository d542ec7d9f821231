/*
 * io.h - the storage I/O layer: every file access of the storage engine goes
 * through these functions, so that tests can inject faults.
 *
 * Each function returns a stele code and names the file in the message:
 * "could not write to \"wal/0000001.wal\": No space left on device".
 * Short reads and writes are retried until complete; EINTR is retried.
 * A failed fsync is reported, never retried by this layer (after a failed
 * fsync the kernel may have dropped the dirty pages: the caller must treat
 * the file's unsynced contents as lost).
 *
 * Fault injection: io_set_fault_hook() installs a function that is asked
 * before each operation and may return an errno value to fail it with. The
 * hook is process-wide; only tests set it.
 */
#ifndef STELE_UTIL_IO_H
#define STELE_UTIL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

typedef enum IoOp {
	IO_OPEN,
	IO_READ,
	IO_WRITE,
	IO_FSYNC,
	IO_RENAME,
	IO_UNLINK,
	IO_TRUNCATE,
	IO_MKDIR,
	IO_FSYNC_DIR,
	IO_NOPS
} IoOp;

/* Returns 0 to let the operation run, or an errno value to fail it. */
typedef int (*IoFaultHook)(IoOp op, const char *path, void *ctx);
void io_set_fault_hook(IoFaultHook hook, void *ctx);

/* Called after each successful write with its bytes, and after each
 * truncation with buf NULL and n the new length: lets tests record what a
 * power loss could keep. Process-wide; only tests set it. */
typedef void (*IoWriteHook)(const char *path, uint64_t off, const void *buf, size_t n,
                            void *ctx);
void io_set_write_hook(IoWriteHook hook, void *ctx);

/* open(2) with O_CLOEXEC added. */
int io_open(const char *path, int flags, int mode, int *fd, StErr *err);
void io_close(int fd);
/* Reads exactly n bytes at off; STELE_ECORRUPT if the file is shorter. */
int io_pread(int fd, const char *path, void *buf, size_t n, uint64_t off, StErr *err);
/* Writes exactly n bytes at off. */
int io_pwrite(int fd, const char *path, const void *buf, size_t n, uint64_t off, StErr *err);
/* fdatasync(2). */
int io_fsync(int fd, const char *path, StErr *err);
int io_truncate(int fd, const char *path, uint64_t len, StErr *err);
int io_file_size(int fd, const char *path, uint64_t *size, StErr *err);
int io_rename(const char *from, const char *to, StErr *err);
/* unlink(2); a missing file is not an error. */
int io_unlink(const char *path, StErr *err);
/* mkdir(2), then an fsync of the parent so the new entry is durable; an
 * existing directory is not an error. */
int io_mkdir(const char *path, StErr *err);
/* Opens the directory and fsyncs it, making renames and creations in it durable. */
int io_fsync_dir(const char *path, StErr *err);
/* Removes a directory and everything in it. */
int io_remove_tree(const char *path, StErr *err);
/* Reads a whole (small) file into a malloc'd buffer the caller frees. */
int io_read_file(const char *path, uint8_t **data, size_t *len, size_t max, StErr *err);
/* Writes a file atomically: path.tmp, fsync, rename over path, fsync dir.
 * *replaced (may be NULL) says whether the rename happened: after a failure
 * with *replaced true the new contents are in place but may not be durable,
 * so the caller must be ready for either the old or the new file to be the
 * one found after a crash. */
int io_write_file_atomic(const char *dir, const char *name, const void *data, size_t len,
                         bool *replaced, StErr *err);
bool io_exists(const char *path);

#endif
