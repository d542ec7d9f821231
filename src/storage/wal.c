/* wal.c - WAL files: replay, append, group commit, rotation (see wal.h). */
#include "storage/wal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/crc32c.h"
#include "util/io.h"
#include "util/log.h"
#include "util/timeutil.h"

#define WAL_MAGIC "STELEWAL"
#define WAL_VERSION 1

void wal_init(Wal *w, const char *dbdir)
{
	memset(w, 0, sizeof *w);
	w->fd = -1;
	snprintf(w->dir, sizeof w->dir, "%s/%s", dbdir, WAL_DIR);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
}

void wal_close(Wal *w)
{
	io_close(w->fd);
	w->fd = -1;
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The first sequence numbers of the WAL files, ascending, malloc'd. */
static int list_files(const char *dir, uint64_t **out, size_t *n, StErr *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return failf(err, err_from_errno(errno), "could not open directory \"%s\": %s", dir,
		             strerror(errno));
	uint64_t *v = NULL;
	size_t nv = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		size_t len = strlen(de->d_name);
		if (len != 24 || strcmp(de->d_name + 20, ".wal") != 0)
			continue;
		uint64_t seq = strtoull(de->d_name, &end, 10);
		if (end != de->d_name + 20)
			continue;
		if (nv == cap) {
			cap = cap ? cap * 2 : 16;
			uint64_t *p = realloc(v, cap * sizeof *p);
			if (!p) {
				free(v);
				closedir(d);
				return failf(err, STELE_ENOMEM, "out of memory listing the WAL");
			}
			v = p;
		}
		v[nv++] = seq;
	}
	closedir(d);
	if (nv)
		qsort(v, nv, sizeof *v, cmp_u64);
	*out = v;
	*n = nv;
	return STELE_OK;
}

static void file_path(char *out, size_t n, const char *dir, uint64_t seq)
{
	snprintf(out, n, "%s/%020" PRIu64 ".wal", dir, seq);
}

typedef struct RecHdr {
	uint32_t crc, len;
	uint64_t seq;
	uint64_t synced;
	uint8_t type;
} RecHdr;

static RecHdr read_hdr(const uint8_t *p)
{
	RecHdr h;
	memcpy(&h.crc, p, 4);
	memcpy(&h.len, p + 4, 4);
	memcpy(&h.seq, p + 8, 8);
	memcpy(&h.synced, p + 16, 8);
	h.type = p[24];
	return h;
}

/* Is there a complete record with a good checksum at `off`, with a sequence
 * number after `prev`? */
static bool valid_at(const uint8_t *data, uint64_t size, uint64_t off, uint64_t prev)
{
	if (size - off < WAL_REC_HEADER)
		return false;
	RecHdr h = read_hdr(data + off);
	if (h.len > size - off - WAL_REC_HEADER || h.seq <= prev || h.type != WAL_BATCH)
		return false;
	return crc32c(data + off + 4, WAL_REC_HEADER - 4 + (size_t)h.len) == h.crc;
}

/* Is the bad record at `bad` in the unsynced tail of the file: does every
 * valid record from `next` on say it was written before `bad` was known
 * durable? */
static bool unsynced_tail(const uint8_t *data, uint64_t size, uint64_t bad, uint64_t next,
                          uint64_t floor)
{
	for (uint64_t off = next; off < size;) {
		if (!valid_at(data, size, off, floor)) {
			off++;
			continue;
		}
		RecHdr h = read_hdr(data + off);
		if (h.synced > bad)
			return false;
		off += WAL_REC_HEADER + (uint64_t)h.len;
	}
	return true;
}

int wal_replay(Wal *w, uint64_t after_seq, bool recover, bool read_only, WalRecordFn fn,
               void *ctx, uint64_t *last_seq, StErr *err)
{
	uint64_t *files;
	size_t nfiles;
	int rc = list_files(w->dir, &files, &nfiles, err);
	if (rc)
		return rc;
	uint64_t prev = after_seq;
	uint64_t last = 0; /* last seq seen in any record, checkpointed or not */
	for (size_t i = 0; i < nfiles && rc == STELE_OK; i++) {
		char path[PATH_MAX];
		file_path(path, sizeof path, w->dir, files[i]);
		/* A file whose records all precede the checkpoint needs no reading. */
		if (i + 1 < nfiles && files[i + 1] != 0 && files[i + 1] - 1 <= after_seq)
			continue;
		uint8_t *data;
		size_t size;
		rc = io_read_file(path, &data, &size, SIZE_MAX / 2, err);
		if (rc)
			break;
		if (size < WAL_HEADER || memcmp(data, WAL_MAGIC, 8) != 0) {
			if (size < WAL_HEADER && i + 1 == nfiles) {
				/* Created but its header never made it to disk. */
				free(data);
				log_warn("WAL file \"%s\" has no header; removing it", path);
				if (!read_only)
					rc = io_unlink(path, err);
				continue;
			}
			rc = failf(err, STELE_ECORRUPT, "\"%s\" is not a Stele WAL file", path);
			free(data);
			break;
		}
		uint32_t version, reserved;
		memcpy(&version, data + 8, 4);
		memcpy(&reserved, data + 12, 4);
		if (version != WAL_VERSION || reserved != 0) {
			rc = reserved ? failf(err, STELE_ECORRUPT, "WAL file \"%s\" has a damaged header",
			                      path)
			              : failf(err, STELE_EVERSION, "WAL file \"%s\" has format version %u",
			                      path, version);
			free(data);
			break;
		}
		uint64_t off = WAL_HEADER;
		while (off < size && rc == STELE_OK) {
			uint64_t floor = prev > last ? prev : last;
			if (valid_at(data, size, off, last)) {
				RecHdr h = read_hdr(data + off);
				if (h.seq > prev)
					rc = fn(ctx, h.seq, h.type, data + off + WAL_REC_HEADER, h.len, err);
				if (rc)
					break;
				prev = h.seq > prev ? h.seq : prev;
				last = h.seq;
				off += WAL_REC_HEADER + (uint64_t)h.len;
				continue;
			}
			/* A bad record: a torn tail, or corruption if a good one follows
			 * or the file is not the newest (each file is fsynced whole
			 * before the next one starts, so only the newest can be torn). */
			bool newest = i + 1 == nfiles;
			uint64_t next = off + 1;
			while (next < size && !valid_at(data, size, next, floor))
				next++;
			if (newest && (next >= size || unsynced_tail(data, size, off, next, floor))) {
				log_warn("WAL file \"%s\": cutting a torn tail of %llu bytes at offset %llu",
				         path, (unsigned long long)(size - off), (unsigned long long)off);
				if (!read_only) {
					int fd;
					rc = io_open(path, O_WRONLY, 0, &fd, err);
					if (rc == STELE_OK) {
						rc = io_truncate(fd, path, off, err);
						if (rc == STELE_OK)
							rc = io_fsync(fd, path, err);
						io_close(fd);
					}
				}
				break;
			}
			if (!recover) {
				rc = failf(err, STELE_ECORRUPT,
				           "WAL file \"%s\" is corrupt at offset %llu: a damaged record "
				           "with %s after it; open with recover to skip the damaged bytes",
				           path, (unsigned long long)off,
				           next < size ? "valid records" : "newer WAL files");
				break;
			}
			if (next >= size) {
				log_warn("WAL file \"%s\": skipping %llu damaged bytes at offset %llu "
				         "(recover)",
				         path, (unsigned long long)(size - off), (unsigned long long)off);
				break;
			}
			log_warn("WAL file \"%s\": skipping %llu damaged bytes at offset %llu (recover)",
			         path, (unsigned long long)(next - off), (unsigned long long)off);
			off = next;
		}
		free(data);
	}
	free(files);
	if (rc == STELE_OK) {
		w->written_seq = w->synced_seq = prev;
		*last_seq = prev;
	}
	return rc;
}

static int open_new(Wal *w, uint64_t first_seq, StErr *err)
{
	char path[PATH_MAX];
	file_path(path, sizeof path, w->dir, first_seq);
	int fd;
	int rc = io_open(path, O_RDWR | O_CREAT | O_TRUNC, 0644, &fd, err);
	if (rc)
		return rc;
	uint8_t hdr[WAL_HEADER] = {0};
	memcpy(hdr, WAL_MAGIC, 8);
	uint32_t v = WAL_VERSION;
	memcpy(hdr + 8, &v, 4);
	rc = io_pwrite(fd, path, hdr, sizeof hdr, 0, err);
	if (rc == STELE_OK)
		rc = io_fsync(fd, path, err);
	if (rc == STELE_OK)
		rc = io_fsync_dir(w->dir, err);
	if (rc) {
		io_close(fd);
		unlink(path);
		return rc;
	}
	w->fd = fd;
	memcpy(w->path, path, sizeof path);
	w->off = WAL_HEADER;
	w->written_off = w->synced_off = WAL_HEADER; /* the header was fsynced */
	w->first_seq = first_seq;
	return STELE_OK;
}

int wal_rotate(Wal *w, uint64_t next_seq, StErr *err)
{
	pthread_mutex_lock(&w->mu);
	while (w->syncing)
		pthread_cond_wait(&w->cv, &w->mu);
	int rc = w->failed ? failf(err, w->failed, "%s", w->failmsg) : STELE_OK;
	if (rc == STELE_OK && w->fd >= 0 && w->synced_seq < w->written_seq) {
		rc = io_fsync(w->fd, w->path, err);
		if (rc) {
			w->failed = rc;
			snprintf(w->failmsg, sizeof w->failmsg, "%s", err ? err->msg : "fsync failed");
		} else {
			w->synced_seq = w->written_seq;
			w->nsyncs++;
		}
		pthread_cond_broadcast(&w->cv);
	}
	if (rc == STELE_OK) {
		/* An empty current file (no record since it began) is replaced. */
		int old = w->fd;
		char oldpath[PATH_MAX];
		memcpy(oldpath, w->path, sizeof oldpath);
		bool old_empty = old >= 0 && w->off == WAL_HEADER;
		w->fd = -1;
		rc = open_new(w, next_seq, err);
		if (rc) {
			w->fd = old;
		} else {
			io_close(old);
			if (old_empty && strcmp(oldpath, w->path) != 0)
				unlink(oldpath);
		}
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

int wal_append(Wal *w, Buf *rec, uint64_t seq, uint8_t type, StErr *err)
{
	int rc = buf_check(rec, err, "WAL record");
	if (rc)
		return rc;
	if (rec->len - WAL_REC_HEADER > WAL_MAX_RECORD)
		return failf(err, STELE_ELIMIT, "batch of %zu bytes is larger than the WAL record limit",
		             rec->len - WAL_REC_HEADER);
	pthread_mutex_lock(&w->mu);
	rc = w->failed ? failf(err, w->failed, "%s", w->failmsg) : STELE_OK;
	pthread_mutex_unlock(&w->mu);
	if (rc)
		return rc;
	uint32_t len = (uint32_t)(rec->len - WAL_REC_HEADER);
	pthread_mutex_lock(&w->mu);
	uint64_t synced = w->synced_off;
	pthread_mutex_unlock(&w->mu);
	memcpy(rec->data + 4, &len, 4);
	memcpy(rec->data + 8, &seq, 8);
	memcpy(rec->data + 16, &synced, 8);
	rec->data[24] = type;
	uint32_t crc = crc32c(rec->data + 4, rec->len - 4);
	memcpy(rec->data, &crc, 4);
	rc = io_pwrite(w->fd, w->path, rec->data, rec->len, w->off, err);
	if (rc) {
		/* Cut the partial record off so the next append starts clean. */
		StErr e2;
		if (io_truncate(w->fd, w->path, w->off, &e2) != STELE_OK) {
			pthread_mutex_lock(&w->mu);
			w->failed = STELE_EIO;
			snprintf(w->failmsg, sizeof w->failmsg,
			         "writes stopped: could not cut a failed write off the WAL: %s", e2.msg);
			pthread_mutex_unlock(&w->mu);
		}
		return rc;
	}
	w->off += rec->len;
	pthread_mutex_lock(&w->mu);
	w->written_seq = seq;
	w->written_off = w->off;
	w->bytes_written += rec->len;
	pthread_mutex_unlock(&w->mu);
	return STELE_OK;
}

int wal_sync_to(Wal *w, uint64_t seq, StErr *err)
{
	pthread_mutex_lock(&w->mu);
	while (w->synced_seq < seq && !w->failed) {
		if (w->syncing) {
			pthread_cond_wait(&w->cv, &w->mu);
			continue;
		}
		w->syncing = true;
		uint64_t target = w->written_seq, target_off = w->written_off;
		int fd = w->fd;
		char path[PATH_MAX];
		memcpy(path, w->path, sizeof path);
		pthread_mutex_unlock(&w->mu);
		StErr e;
		int64_t t0 = time_mono_ns();
		int rc = io_fsync(fd, path, &e);
		int64_t took = time_mono_ns() - t0;
		pthread_mutex_lock(&w->mu);
		w->syncing = false;
		w->nsyncs++;
		w->sync_ns += (uint64_t)took;
		if (rc) {
			w->failed = rc;
			snprintf(w->failmsg, sizeof w->failmsg,
			         "writes stopped after a failed fsync of the WAL (%s); restart the "
			         "database to recover from what is on disk",
			         e.msg);
		} else if (target > w->synced_seq) {
			w->synced_seq = target;
			if (target_off > w->synced_off)
				w->synced_off = target_off;
		}
		pthread_cond_broadcast(&w->cv);
	}
	int rc = w->synced_seq >= seq ? STELE_OK : failf(err, w->failed, "%s", w->failmsg);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

int wal_remove_upto(Wal *w, uint64_t upto, StErr *err)
{
	uint64_t *files;
	size_t n;
	int rc = list_files(w->dir, &files, &n, err);
	if (rc)
		return rc;
	bool removed = false;
	for (size_t i = 0; i + 1 < n && rc == STELE_OK; i++) {
		if (files[i] == w->first_seq || files[i + 1] - 1 > upto)
			continue;
		char path[PATH_MAX];
		file_path(path, sizeof path, w->dir, files[i]);
		rc = io_unlink(path, err);
		removed = true;
	}
	free(files);
	if (rc == STELE_OK && removed)
		rc = io_fsync_dir(w->dir, err);
	return rc;
}
