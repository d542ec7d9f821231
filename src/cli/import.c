/*
 * import.c - stele import: load line-protocol files into a database.
 *
 * Workers (one per core, at most 4) share the work symmetrically. Each in
 * turn takes the input lock, reads the next chunk of whole lines (4 MiB,
 * --batch) and numbers it; then parses it with no lock held; then waits for
 * the chunk's turn and commits it (db_write_batch). Chunks commit in input
 * order, so a later line wins over an earlier one exactly as if the file
 * were written line by line, while reading, parsing and committing of
 * different chunks overlap on all cores. Each chunk is one atomic batch.
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
#include "util/buf.h"
#include "ingest/lp.h"
#include "storage/db.h"
#include "util/timeutil.h"

#define DEFAULT_CHUNK (4u << 20)
#define MAX_LINE (64u << 20)
#define MAX_WORKERS 4

typedef struct Chunk {
	char *data;          /* owned: the bytes the batch points into */
	size_t cap;          /* bytes allocated at data */
	size_t len;          /* bytes of whole lines in data */
	uint64_t first_line, last_line;
	uint64_t ticket;     /* commit order */
} Chunk;

typedef struct Import {
	stele_db *db;
	stele_precision prec;
	size_t chunk;
	bool progress;
	/* input, under in_mu */
	pthread_mutex_t in_mu;
	char **files;
	int nfiles, file;    /* file: the one being read */
	int fd;              /* -1 between files */
	char *carry;         /* the start of a line cut by the last chunk */
	size_t ncarry;
	bool eof;            /* every file read */
	uint64_t lineno;     /* lines read so far */
	uint64_t next_ticket;
	/* commits, under out_mu */
	pthread_mutex_t out_mu;
	pthread_cond_t turn_cv;
	uint64_t turn;       /* the ticket whose commit is next */
	bool stop;           /* a failure: everyone stops */
	int rc;
	char msg[STELE_ERR_MSG_MAX];
	uint64_t written, rejected, bytes;
	stele_line_error shown[STELE_LINE_ERRORS_KEPT];
	uint32_t nshown;
} Import;

static void import_fail(Import *im, int rc, const char *msg)
{
	pthread_mutex_lock(&im->out_mu);
	if (!im->stop) {
		im->stop = true;
		im->rc = rc;
		snprintf(im->msg, sizeof im->msg, "%s", msg);
	}
	pthread_cond_broadcast(&im->turn_cv);
	pthread_mutex_unlock(&im->out_mu);
}

/* Reads into c the next chunk of whole lines; false at the end of the
 * input or on failure (then im->stop is set). Caller holds in_mu. */
static bool next_chunk(Import *im, Chunk *c)
{
	char msg[STELE_ERR_MSG_MAX];
	for (;;) {
		if (im->eof)
			return false;
		if (im->fd < 0) {
			if (im->file >= im->nfiles) {
				im->eof = true;
				if (im->ncarry == 0)
					return false;
				break; /* the last file's unterminated last line */
			}
			const char *name = im->files[im->file];
			im->fd = strcmp(name, "-") == 0 ? 0 : open(name, O_RDONLY | O_CLOEXEC);
			if (im->fd < 0) {
				snprintf(msg, sizeof msg, "could not open \"%s\": %s", name, strerror(errno));
				import_fail(im, STELE_ENOENT, msg);
				return false;
			}
		}
		break;
	}
	size_t cap = im->ncarry + im->chunk;
	if (c->cap < cap) {
		/* Room for a chunk and some carried-over line, so the buffer
		 * is not reallocated (and copied) for every chunk. */
		size_t want = cap + cap / 8;
		char *nb = realloc(c->data, want);
		if (!nb) {
			import_fail(im, STELE_ENOMEM, "out of memory reading the input");
			return false;
		}
		c->data = nb;
		c->cap = want;
	}
	if (im->ncarry)
		memcpy(c->data, im->carry, im->ncarry);
	size_t len = im->ncarry;
	bool file_end = im->fd < 0;
	/* Fill the chunk; keep reading while it holds no newline at all (a
	 * line longer than the chunk), up to MAX_LINE. */
	while (!file_end) {
		while (len < c->cap) {
			ssize_t r = read(im->fd, c->data + len, c->cap - len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				snprintf(msg, sizeof msg, "could not read \"%s\": %s", im->files[im->file],
				         strerror(errno));
				import_fail(im, STELE_EIO, msg);
				return false;
			}
			if (r == 0) {
				file_end = true;
				break;
			}
			len += (size_t)r;
		}
		if (file_end || memchr(c->data + im->ncarry, '\n', len - im->ncarry) ||
		    c->cap > MAX_LINE)
			break;
		char *nb = realloc(c->data, c->cap * 2);
		if (!nb) {
			import_fail(im, STELE_ENOMEM, "out of memory reading the input");
			return false;
		}
		c->data = nb;
		c->cap *= 2;
	}
	/* Cut after the last whole line; the rest waits for the next chunk. A
	 * file's end also ends its last line. Without a '"' in the chunk no
	 * newline can be inside a string value, so the last newline is the
	 * cut; otherwise whole lines are walked from the chunk's start. */
	size_t cut = len;
	if (!file_end) {
		char *nl = memrchr(c->data, '\n', len);
		if (nl)
			cut = (size_t)(nl - c->data) + 1;
		if (nl && memchr(c->data, '"', cut)) {
			const char *p = c->data, *e;
			while ((e = lp_line_end(p, c->data + len)) != NULL)
				p = e + 1;
			cut = (size_t)(p - c->data);
		}
		if (cut == 0 && c->cap <= MAX_LINE) {
			/* Not one whole line yet (a string value spanning the
			 * chunk): read on into a bigger buffer. */
			im->ncarry = len;
			char *nc = realloc(im->carry, len);
			if (!nc) {
				import_fail(im, STELE_ENOMEM, "out of memory reading the input");
				return false;
			}
			im->carry = nc;
			memcpy(im->carry, c->data, len);
			return next_chunk(im, c);
		}
	}
	if (file_end && im->fd >= 0) {
		if (im->fd > 0)
			close(im->fd);
		im->fd = -1;
		im->file++;
	}
	im->ncarry = len - cut;
	if (im->ncarry) {
		char *nc = realloc(im->carry, im->ncarry);
		if (!nc) {
			import_fail(im, STELE_ENOMEM, "out of memory reading the input");
			return false;
		}
		im->carry = nc;
		memcpy(im->carry, c->data + cut, im->ncarry);
	}
	uint64_t lines = 0;
	for (const char *q = c->data; (q = memchr(q, '\n', (size_t)(c->data + cut - q))) != NULL;
	     q++)
		lines++;
	if (cut > 0 && c->data[cut - 1] != '\n')
		lines++;
	c->len = cut;
	c->first_line = im->lineno + 1;
	im->lineno += lines;
	c->last_line = im->lineno;
	c->ticket = im->next_ticket++;
	return true;
}

static void *worker_main(void *arg)
{
	Import *im = arg;
	Chunk c = {0};
	LpBatch b;
	lp_batch_init(&b);
	for (;;) {
		pthread_mutex_lock(&im->in_mu);
		bool stop = im->stop;
		bool more = !stop && next_chunk(im, &c);
		pthread_mutex_unlock(&im->in_mu);
		if (!more)
			break;
		LpOptions o = {0};
		o.precision = im->prec;
		o.now_ns = time_now_ns();
		o.first_line = c.first_line;
		lp_batch_reset(&b);
		StErr err;
		int rc = lp_parse(&b, c.data, c.len, &o, &err);
		pthread_mutex_lock(&im->out_mu);
		while (im->turn != c.ticket && !im->stop)
			pthread_cond_wait(&im->turn_cv, &im->out_mu);
		if (im->stop) {
			pthread_mutex_unlock(&im->out_mu);
			break;
		}
		stele_write_result res;
		if (rc == STELE_OK)
			rc = db_write_batch(im->db, &b, o.now_ns, &res, &err);
		if (rc == STELE_OK || rc == STELE_EPARSE || rc == STELE_ETYPE || rc == STELE_ELIMIT) {
			im->written += res.lines_written;
			im->rejected += res.lines_rejected;
			im->bytes += c.len;
			for (uint32_t k = 0; k < res.n_errors && im->nshown < STELE_LINE_ERRORS_KEPT; k++)
				im->shown[im->nshown++] = res.errors[k];
			if (im->progress) {
				printf("committed through line %llu\n", (unsigned long long)c.last_line);
				fflush(stdout);
			}
			im->turn++;
			pthread_cond_broadcast(&im->turn_cv);
			pthread_mutex_unlock(&im->out_mu);
			continue;
		}
		pthread_mutex_unlock(&im->out_mu);
		import_fail(im, rc, err.msg);
		break;
	}
	lp_batch_free(&b);
	free(c.data);
	return NULL;
}

/* "123", "64K", "4M", "1G" -> bytes (buf_parse_size). */
static bool parse_size(const char *s, size_t *out)
{
	uint64_t v;
	if (!buf_parse_size(s, &v) || v > SIZE_MAX)
		return false;
	*out = (size_t)v;
	return true;
}

int cmd_import(int argc, char **argv)
{
	const char *dbpath = NULL, *prec = "ns", *sync = NULL, *memtable = NULL, *batch = NULL,
	           *max_series = NULL;
	bool progress = false, recover = false, bad = false;
	char **files = calloc((size_t)argc + 1, sizeof *files);
	int nfiles = 0;
	for (int i = 1; i < argc && !bad; i++) {
		if (cli_opt(argc, argv, &i, "--db", &dbpath, &bad) ||
		    cli_opt(argc, argv, &i, "--precision", &prec, &bad) ||
		    cli_opt(argc, argv, &i, "--sync", &sync, &bad) ||
		    cli_opt(argc, argv, &i, "--memtable", &memtable, &bad) ||
		    cli_opt(argc, argv, &i, "--batch", &batch, &bad) ||
		    cli_opt(argc, argv, &i, "--max-series", &max_series, &bad))
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
	stele_precision prec_v;
	size_t chunk = DEFAULT_CHUNK;
	if (stele_parse_precision(prec, &prec_v, &err) ||
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
	if (batch) {
		if (!parse_size(batch, &v) || v < 1024 || v > (256u << 20)) {
			free(files);
			return cli_fail("import", EXIT_USAGE,
			                "invalid --batch \"%s\": expected bytes from 1K to 256M", batch);
		}
		chunk = v;
	}
	if (max_series) {
		if (!parse_size(max_series, &v) || v == 0 || v > UINT32_MAX - 1) {
			free(files);
			return cli_fail("import", EXIT_USAGE, "invalid --max-series \"%s\"", max_series);
		}
		opts.max_series = (uint32_t)v;
	}
	opts.recover = recover;
	stele_db *db;
	if (stele_open(dbpath, &opts, &db, &err)) {
		free(files);
		return cli_fail("import", EXIT_FAILED, "%s", err.msg);
	}
	Import im = {.db = db, .prec = prec_v, .chunk = chunk, .progress = progress,
	             .files = files, .nfiles = nfiles, .fd = -1};
	pthread_mutex_init(&im.in_mu, NULL);
	pthread_mutex_init(&im.out_mu, NULL);
	pthread_cond_init(&im.turn_cv, NULL);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nworkers = ncpu < 1 ? 1 : ncpu > MAX_WORKERS ? MAX_WORKERS : (int)ncpu;
	pthread_t th[MAX_WORKERS];
	int started = 0;
	int64_t t0 = time_mono_ns();
	for (int i = 1; i < nworkers; i++)
		if (pthread_create(&th[started], NULL, worker_main, &im) == 0)
			started++;
	worker_main(&im);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	int rc = im.rc;
	if (rc)
		failf(&err, rc, "%s", im.msg);
	if (im.fd > 0)
		close(im.fd);
	free(im.carry);
	stele_err cerr;
	int crc = stele_close(db, &cerr);
	if (rc == STELE_OK && crc) {
		rc = crc;
		err = cerr;
	}
	double secs = (double)(time_mono_ns() - t0) / 1e9;
	for (uint32_t k = 0; k < im.nshown; k++)
		fprintf(stderr, "line %llu, column %u: %s\n", (unsigned long long)im.shown[k].line,
		        im.shown[k].column, im.shown[k].msg);
	if (im.rejected > im.nshown)
		fprintf(stderr, "... and %llu more rejected lines\n",
		        (unsigned long long)(im.rejected - im.nshown));
	printf("%llu lines written, %llu rejected in %.2f s (%.0f rows/s, %.1f MB/s)\n",
	       (unsigned long long)im.written, (unsigned long long)im.rejected, secs,
	       secs > 0 ? (double)im.written / secs : 0.0,
	       secs > 0 ? (double)im.bytes / secs / 1e6 : 0.0);
	pthread_mutex_destroy(&im.in_mu);
	pthread_mutex_destroy(&im.out_mu);
	pthread_cond_destroy(&im.turn_cv);
	free(files);
	if (rc)
		return cli_fail("import", EXIT_FAILED, "%s", err.msg);
	return im.rejected ? EXIT_REJECTED : 0;
}
