/*
 * import.c - stele import: load line-protocol files into a database.
 *
 * Two threads: a reader cuts the input into chunks of whole lines and
 * parses them; the main thread commits the parsed batches in input order
 * (db_write_batch), so a later line wins over an earlier one exactly as if
 * the file were written line by line. Each chunk is one atomic batch.
 * With --progress, after each batch commits the importer prints
 * "committed through line N" (durable under --sync always).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ingest/lp.h"
#include "storage/db.h"
#include "util/timeutil.h"

#define DEFAULT_CHUNK (4u << 20)
#define MAX_LINE (64u << 20)
#define QDEPTH 2
#define NJOBS (QDEPTH + 1)

typedef struct Job {
	LpBatch batch;
	int64_t now;
	uint64_t last_line;  /* number of the chunk's last line */
	size_t bytes;
	char *data;          /* the chunk the batch points into */
	size_t cap;          /* bytes allocated at data */
} Job;

typedef struct Pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	Job *q[NJOBS];
	int head, n;
	bool done;          /* the reader has finished (or failed) */
	bool stop;          /* the committer gave up */
	int rc;             /* the reader's failure */
	char msg[STELE_ERR_MSG_MAX];
	Job *free_jobs[NJOBS];
	int nfree;
	/* input */
	char **files;
	int nfiles;
	stele_precision prec;
	size_t chunk;       /* bytes of input per batch */
} Pipe;

static Job *take_free(Pipe *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->nfree == 0 && !p->stop)
		pthread_cond_wait(&p->cv, &p->mu);
	Job *j = p->stop ? NULL : p->free_jobs[--p->nfree];
	pthread_mutex_unlock(&p->mu);
	return j;
}

static void push(Pipe *p, Job *j)
{
	pthread_mutex_lock(&p->mu);
	p->q[(p->head + p->n) % NJOBS] = j;
	p->n++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void reader_fail(Pipe *p, int rc, const char *fmt, const char *a, const char *b)
{
	pthread_mutex_lock(&p->mu);
	p->rc = rc;
	snprintf(p->msg, sizeof p->msg, fmt, a, b);
	pthread_mutex_unlock(&p->mu);
}

/* Reads one file a chunk of whole lines at a time and queues parsed jobs. */
static bool read_file(Pipe *p, const char *name, uint64_t *lineno)
{
	int fd = strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		reader_fail(p, STELE_ENOENT, "could not open \"%s\": %s", name, strerror(errno));
		return false;
	}
	char *carry = NULL;
	size_t ncarry = 0;
	bool eof = false, ok = true;
	while (!eof && ok) {
		Job *j = take_free(p);
		if (!j) {
			ok = false;
			break;
		}
		size_t cap = ncarry + p->chunk;
		if (j->cap < cap) {
			/* Room for a chunk and some carried-over line, so the buffer
			 * is not reallocated (and copied) for every chunk. */
			size_t want = cap + cap / 8;
			char *nb = realloc(j->data, want);
			if (!nb) {
				reader_fail(p, STELE_ENOMEM, "out of memory reading \"%s\"%s", name, "");
				ok = false;
				break;
			}
			j->data = nb;
			j->cap = want;
		}
		char *buf = j->data;
		if (ncarry)
			memcpy(buf, carry, ncarry);
		size_t len = ncarry;
		/* Fill the chunk; keep reading while it holds no newline at all
		 * (a line longer than the chunk), up to MAX_LINE. */
		for (;;) {
			while (len < cap) {
				ssize_t r = read(fd, buf + len, cap - len);
				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0) {
					reader_fail(p, STELE_EIO, "could not read \"%s\": %s", name,
					            strerror(errno));
					ok = false;
					break;
				}
				if (r == 0) {
					eof = true;
					break;
				}
				len += (size_t)r;
			}
			if (!ok || eof || memchr(buf + ncarry, '\n', len - ncarry) || cap > MAX_LINE)
				break;
			char *bigger = realloc(buf, cap * 2);
			if (!bigger) {
				reader_fail(p, STELE_ENOMEM, "out of memory reading \"%s\"%s", name, "");
				ok = false;
				break;
			}
			j->data = buf = bigger;
			cap *= 2;
			j->cap = cap;
		}
		if (!ok) {
			pthread_mutex_lock(&p->mu);
			p->free_jobs[p->nfree++] = j;
			pthread_mutex_unlock(&p->mu);
			break;
		}
		/* Cut after the last newline; the rest waits for the next chunk. */
		size_t cut = len;
		if (!eof) {
			char *nl = memrchr(buf, '\n', len);
			if (nl)
				cut = (size_t)(nl - buf) + 1;
		}
		free(carry);
		carry = NULL;
		ncarry = len - cut;
		if (ncarry) {
			carry = malloc(ncarry);
			if (!carry) {
				reader_fail(p, STELE_ENOMEM, "out of memory reading \"%s\"%s", name, "");
				ok = false;
				break;
			}
			memcpy(carry, buf + cut, ncarry);
		}
		uint64_t lines = 0;
		for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + cut - q))) != NULL; q++)
			lines++;
		if (cut > 0 && buf[cut - 1] != '\n')
			lines++;
		LpOptions o = {0};
		o.precision = p->prec;
		o.now_ns = time_now_ns();
		o.first_line = *lineno + 1;
		lp_batch_reset(&j->batch);
		StErr e;
		if (lp_parse(&j->batch, buf, cut, &o, &e)) {
			reader_fail(p, e.code, "%s%s", e.msg, "");
			ok = false;
			break;
		}
		*lineno += lines;
		j->now = o.now_ns;
		j->last_line = *lineno;
		j->bytes = cut;
		push(p, j);
	}
	free(carry);
	if (fd > 0)
		close(fd);
	return ok;
}

static void *reader_main(void *arg)
{
	Pipe *p = arg;
	uint64_t lineno = 0;
	for (int i = 0; i < p->nfiles; i++)
		if (!read_file(p, p->files[i], &lineno))
			break;
	pthread_mutex_lock(&p->mu);
	p->done = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* "123", "64K", "4M", "1G" -> bytes. */
static bool parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || errno)
		return false;
	int shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || v > (SIZE_MAX >> shift))
		return false;
	*out = (size_t)v << shift;
	return true;
}

int cmd_import(int argc, char **argv)
{
	const char *dbpath = NULL, *prec = "ns", *sync = NULL, *memtable = NULL, *batch = NULL;
	bool progress = false, recover = false, bad = false;
	char **files = calloc((size_t)argc + 1, sizeof *files);
	int nfiles = 0;
	for (int i = 1; i < argc && !bad; i++) {
		if (cli_opt(argc, argv, &i, "--db", &dbpath, &bad) ||
		    cli_opt(argc, argv, &i, "--precision", &prec, &bad) ||
		    cli_opt(argc, argv, &i, "--sync", &sync, &bad) ||
		    cli_opt(argc, argv, &i, "--memtable", &memtable, &bad) ||
		    cli_opt(argc, argv, &i, "--batch", &batch, &bad))
			continue;
		if (strcmp(argv[i], "--progress") == 0)
			progress = true;
		else if (strcmp(argv[i], "--recover") == 0)
			recover = true;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			bad = !!cli_fail("import", EXIT_USAGE, "unknown option \"%s\"", argv[i]);
		else
			files[nfiles++] = argv[i];
	}
	if (bad || !dbpath || nfiles == 0) {
		free(files);
		return bad ? EXIT_USAGE
		           : cli_fail("import", EXIT_USAGE,
		                      "usage: stele import --db PATH [--precision P] [--sync S] FILE...");
	}
	stele_options opts;
	stele_options_init(&opts);
	stele_err err;
	Pipe p = {0};
	if (stele_parse_precision(prec, &p.prec, &err) ||
	    (sync && stele_parse_sync(sync, &opts, &err))) {
		free(files);
		return cli_fail("import", EXIT_USAGE, "%s", err.msg);
	}
	size_t v;
	if (memtable) {
		if (!parse_size(memtable, &v) || v < (1u << 20)) {
			free(files);
			return cli_fail("import", EXIT_USAGE,
			                "invalid --memtable \"%s\": expected bytes, at least 1M", memtable);
		}
		opts.memtable_bytes = v;
	}
	p.chunk = DEFAULT_CHUNK;
	if (batch) {
		if (!parse_size(batch, &v) || v < 1024 || v > (256u << 20)) {
			free(files);
			return cli_fail("import", EXIT_USAGE,
			                "invalid --batch \"%s\": expected bytes from 1K to 256M", batch);
		}
		p.chunk = v;
	}
	opts.recover = recover;
	stele_db *db;
	if (stele_open(dbpath, &opts, &db, &err)) {
		free(files);
		return cli_fail("import", EXIT_FAILED, "%s", err.msg);
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	p.files = files;
	p.nfiles = nfiles;
	Job jobs[NJOBS];
	memset(jobs, 0, sizeof jobs);
	for (int i = 0; i < NJOBS; i++) {
		lp_batch_init(&jobs[i].batch);
		p.free_jobs[p.nfree++] = &jobs[i];
	}
	int64_t t0 = time_mono_ns();
	pthread_t reader;
	pthread_create(&reader, NULL, reader_main, &p);

	uint64_t written = 0, rejected = 0, bytes = 0;
	stele_line_error shown[STELE_LINE_ERRORS_KEPT];
	uint32_t nshown = 0;
	int rc = STELE_OK;
	for (;;) {
		pthread_mutex_lock(&p.mu);
		while (p.n == 0 && !p.done)
			pthread_cond_wait(&p.cv, &p.mu);
		Job *j = NULL;
		if (p.n > 0) {
			j = p.q[p.head];
			p.head = (p.head + 1) % NJOBS;
			p.n--;
		}
		pthread_mutex_unlock(&p.mu);
		if (!j)
			break;
		stele_write_result res;
		int wrc = db_write_batch(db, &j->batch, j->now, &res, &err);
		written += res.lines_written;
		rejected += res.lines_rejected;
		bytes += j->bytes;
		for (uint32_t k = 0; k < res.n_errors && nshown < STELE_LINE_ERRORS_KEPT; k++)
			shown[nshown++] = res.errors[k];
		if (wrc && wrc != STELE_EPARSE && wrc != STELE_ETYPE && wrc != STELE_ELIMIT) {
			rc = wrc;
			pthread_mutex_lock(&p.mu);
			p.stop = true;
			pthread_cond_broadcast(&p.cv);
			pthread_mutex_unlock(&p.mu);
			break;
		}
		if (progress) {
			printf("committed through line %llu\n", (unsigned long long)j->last_line);
			fflush(stdout);
		}
		pthread_mutex_lock(&p.mu);
		p.free_jobs[p.nfree++] = j;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_join(reader, NULL);
	if (rc == STELE_OK && p.rc)
		rc = failf(&err, p.rc, "%s", p.msg);
	stele_err cerr;
	int crc = stele_close(db, &cerr);
	if (rc == STELE_OK && crc) {
		rc = crc;
		err = cerr;
	}
	double secs = (double)(time_mono_ns() - t0) / 1e9;
	for (uint32_t k = 0; k < nshown; k++)
		fprintf(stderr, "line %llu, column %u: %s\n", (unsigned long long)shown[k].line,
		        shown[k].column, shown[k].msg);
	if (rejected > nshown)
		fprintf(stderr, "... and %llu more rejected lines\n",
		        (unsigned long long)(rejected - nshown));
	printf("%llu lines written, %llu rejected in %.2f s (%.0f rows/s, %.1f MB/s)\n",
	       (unsigned long long)written, (unsigned long long)rejected, secs,
	       secs > 0 ? (double)written / secs : 0.0, secs > 0 ? (double)bytes / secs / 1e6 : 0.0);
	for (int i = 0; i < NJOBS; i++) {
		lp_batch_free(&jobs[i].batch);
		free(jobs[i].data);
	}
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	free(files);
	if (rc)
		return cli_fail("import", EXIT_FAILED, "%s", err.msg);
	return rejected ? EXIT_REJECTED : 0;
}
