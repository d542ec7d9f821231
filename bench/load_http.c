/*
 * load_http.c - the load client of the HTTP ingest benchmark (bench/README.md,
 * "HTTP ingest"), and the server that discards, against which its own
 * ceiling is measured.
 *
 *   load_http --url http://HOST:PORT/PATH?QUERY --file FILE [--workers N]
 *             [--batch-lines N] [--values-per-line N] [--header 'Name: value']...
 *             [--timeout S] [--out FILE] [--quiet]
 *   load_http --against-discard [--discard-mode MODE] --file FILE [the same options]
 *   load_http --discard PORT [--discard-mode MODE]
 *
 * The client. FILE (line protocol) is read whole into memory and cut into
 * batches of --batch-lines lines (default 5,000), each a slice of the file
 * that ends at the end of a line; a line is found by the rules of line
 * protocol (a newline inside a quoted string value does not end it), and its
 * fields are counted the same way (commas outside quotes and escapes), so
 * the values/s are exact; --values-per-line sets them instead. Every batch's
 * request head is written then too:
 *
 *   POST PATH?QUERY HTTP/1.1 / Host / Content-Type / Content-Length /
 *   Connection: keep-alive / the --header lines
 *
 * None of this is timed. Then --workers threads (default 1) each open one
 * TCP connection (TCP_NODELAY), wait for the others, and take batch after
 * batch from one shared atomic counter until none is left: one sendmsg of
 * the head and the body (a slice of the file, no copy) per request, then
 * the whole response is read: status line, headers, and a body framed by
 * Content-Length, by chunked transfer coding (extensions and trailers
 * included) or by the end of the connection; 1xx responses are skipped.
 * The connection is kept alive unless the response says `Connection: close`
 * (or is HTTP/1.0 without keep-alive); then the next batch opens a new one.
 * A kept-alive connection that the server closed (the request could not be
 * sent, or the connection ended before any byte of the response) is opened
 * again and the batch sent once more; on a fresh connection that is a
 * failure. Every response must be 2xx: otherwise the batch, its lines, the
 * status and the start of the body are printed, every worker stops, and
 * the exit status is 1.
 *
 * The clock (CLOCK_MONOTONIC) runs from the moment every worker is
 * connected until the last response is read. Reported (stdout, and with
 * --out as KEY=VALUE lines): rows (lines that are not blank or comments),
 * values, body bytes, wall time, rows/s, values/s, MB/s, each batch's
 * latency (p50, p99, max), the CPU time of the worker threads
 * (RUSAGE_THREAD), and the reconnections.
 *
 * The discard server (--discard PORT on 127.0.0.1, or --against-discard: a
 * thread of this process on an ephemeral port, the client then sent to it)
 * reads each request whole (Content-Length bodies; `Expect: 100-continue`
 * answered) and answers without doing anything else but counting requests,
 * body bytes and lines (newlines, and a last line without one); one thread
 * per connection. --discard-mode picks the answer, so that the smoke test
 * exercises every path of the client's response parser:
 *
 *   ok        204 No Content (the default: the client's ceiling)
 *   length    200 with a Content-Length body
 *   chunked   200 with a chunked body, a chunk extension and a trailer
 *   continue  100 Continue, then 204
 *   close     204 with Connection: close, and the connection closed
 *   drop      the second request of every connection read and not
 *             answered: the connection is closed (not counted)
 *   error     400 with a JSON body (the client must fail and print it)
 *
 * --discard PORT serves until SIGTERM or SIGINT, then prints its counts
 * ("discard: C connections, R requests, L lines, B bytes") and exits 0.
 * With --against-discard the counts must equal what the client sent.
 *
 * Exit status: 0; 1 when a request failed or the counts disagree; 2 on bad
 * usage or when the file cannot be read.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 256
#define MAX_HEADERS 16
#define CONN_BUF (64 * 1024)      /* a connection's receive buffer */
#define MAX_HEAD (32 * 1024)      /* the longest response head accepted */
#define BODY_KEEP 4096            /* bytes of a response body kept to print */
#define DISCARD_BUF (256 * 1024)  /* a discard connection's receive buffer */

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_of(const struct rusage *u)
{
	return (double)u->ru_utime.tv_sec + (double)u->ru_utime.tv_usec / 1e6 +
	       (double)u->ru_stime.tv_sec + (double)u->ru_stime.tv_usec / 1e6;
}

/* ---- the line protocol: lines and their fields --------------------------- */

/* Scans one line from p: returns its length with its newline, and sets
 * *nfields to the number of fields (0 for a blank line or a comment) and
 * *is_row. A newline ends the line except inside a quoted string field
 * value; backslash escapes one character in the measurement, tags and
 * field keys, and '"' or '\' inside a string value. */
static size_t scan_line(const char *p, const char *end, uint32_t *nfields, bool *is_row)
{
	const char *s = p;
	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r'))
		s++;
	if (s == end || *s == '\n' || *s == '#') {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		*nfields = 0;
		*is_row = false;
		return nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
	}
	*is_row = true;
	/* measurement and tags: up to the first unescaped space */
	while (s < end && *s != ' ' && *s != '\n') {
		if (*s == '\\' && s + 1 < end && s[1] != '\n')
			s++;
		s++;
	}
	uint32_t n = 0;
	if (s < end && *s == ' ') {
		while (s < end && *s == ' ')
			s++;
		if (s < end && *s != '\n')
			n = 1;
		/* fields: up to an unescaped space or newline outside quotes */
		bool in_str = false;
		while (s < end) {
			char c = *s;
			if (in_str) {
				if (c == '\\' && s + 1 < end)
					s++;
				else if (c == '"')
					in_str = false;
			} else if (c == ' ' || c == '\n') {
				break;
			} else if (c == '\\' && s + 1 < end && s[1] != '\n') {
				s++;
			} else if (c == '"' && s > p && s[-1] == '=') {
				in_str = true;
			} else if (c == ',') {
				n++;
			}
			s++;
		}
	}
	*nfields = n;
	const char *nl = s < end ? memchr(s, '\n', (size_t)(end - s)) : NULL;
	return nl ? (size_t)(nl + 1 - p) : (size_t)(end - p);
}

/* ---- the load ------------------------------------------------------------- */

typedef struct Batch {
	size_t off, len;        /* the body: a slice of the file */
	uint64_t first_line;    /* the file's line number of its first line (1-based) */
	uint32_t nlines;        /* the file's lines in it: newlines, and a last line
	                           without one (blank lines and comments included) */
	uint32_t nrows;         /* lines that are rows */
	uint64_t nvalues;       /* fields of those rows */
	const char *head;       /* the request head, in Load.heads */
	size_t nhead;
} Batch;

typedef struct Url {
	char host[256];         /* without brackets */
	char port[16];
	char hostport[300];     /* as written in the URL, for Host: */
	char target[4096];      /* path and query */
} Url;

typedef struct Load {
	char *data;             /* the whole file; owned */
	size_t ndata;
	Batch *batches;         /* owned */
	size_t nbatches;
	char *heads;            /* every batch's request head, one after another; owned */
	uint64_t nrows, nvalues;
	uint64_t nlines;        /* the sum of Batch.nlines: what the discard server counts */
} Load;

typedef struct Options {
	const char *url, *file, *out;
	int workers;
	uint32_t batch_lines;
	int64_t values_per_line;        /* -1: counted */
	const char *headers[MAX_HEADERS];
	int nheaders;
	int timeout_s;
	bool quiet, against_discard;
	int discard_port;               /* -1: not a discard server */
	const char *discard_mode;
} Options;

static int read_file(const char *path, Load *l)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "load_http: could not open \"%s\": %s\n", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "load_http: \"%s\" is not a regular file\n", path);
		fclose(f);
		return -1;
	}
	l->ndata = (size_t)st.st_size;
	l->data = malloc(l->ndata + 1);
	if (!l->data) {
		fprintf(stderr, "load_http: out of memory reading %zu bytes\n", l->ndata);
		fclose(f);
		return -1;
	}
	size_t got = fread(l->data, 1, l->ndata, f);
	int bad = got != l->ndata || ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "load_http: could not read \"%s\"\n", path);
		return -1;
	}
	return 0;
}

/* The file's lines in p[0..n): its newlines, and a last one without a newline. */
static uint32_t count_lines(const char *p, size_t n)
{
	uint32_t k = 0;
	for (const char *q = p, *e = p + n; (q = memchr(q, '\n', (size_t)(e - q))); q++)
		k++;
	return k + (n && p[n - 1] != '\n');
}

/* Cuts the file into batches of o->batch_lines rows (blank lines and
 * comments ride along with the rows around them) and writes each request
 * head. */
static int make_batches(Load *l, const Options *o, const Url *u)
{
	size_t cap = 1024;
	l->batches = malloc(cap * sizeof *l->batches);
	if (!l->batches)
		return -1;
	const char *p = l->data, *end = l->data + l->ndata;
	uint64_t line = 1;
	while (p < end) {
		if (l->nbatches == cap) {
			Batch *nb = realloc(l->batches, 2 * cap * sizeof *nb);
			if (!nb)
				return -1;
			l->batches = nb;
			cap *= 2;
		}
		Batch *b = &l->batches[l->nbatches];
		*b = (Batch){.off = (size_t)(p - l->data), .first_line = line};
		while (p < end && b->nrows < o->batch_lines) {
			uint32_t nf;
			bool is_row;
			size_t n = scan_line(p, end, &nf, &is_row);
			b->nlines += count_lines(p, n);
			p += n;
			if (is_row) {
				b->nrows++;
				b->nvalues += o->values_per_line >= 0 ? (uint64_t)o->values_per_line : nf;
			}
		}
		/* trailing blank lines and comments join the last batch */
		while (p < end) {
			uint32_t nf;
			bool is_row;
			size_t n = scan_line(p, end, &nf, &is_row);
			if (is_row)
				break;
			b->nlines += count_lines(p, n);
			p += n;
		}
		b->len = (size_t)(p - l->data) - b->off;
		line += b->nlines;
		l->nrows += b->nrows;
		l->nvalues += b->nvalues;
		l->nlines += b->nlines;
		l->nbatches++;
	}
	size_t extra = 0;
	for (int i = 0; i < o->nheaders; i++)
		extra += strlen(o->headers[i]) + 2;
	size_t per = strlen(u->target) + strlen(u->hostport) + extra + 256;
	l->heads = malloc(per * (l->nbatches ? l->nbatches : 1));
	if (!l->heads)
		return -1;
	char *h = l->heads;
	for (size_t k = 0; k < l->nbatches; k++) {
		Batch *b = &l->batches[k];
		int n = snprintf(h, per,
		                 "POST %s HTTP/1.1\r\n"
		                 "Host: %s\r\n"
		                 "User-Agent: stele-load_http\r\n"
		                 "Content-Type: text/plain; charset=utf-8\r\n"
		                 "Content-Length: %zu\r\n"
		                 "Connection: keep-alive\r\n",
		                 u->target, u->hostport, b->len);
		for (int i = 0; i < o->nheaders; i++)
			n += snprintf(h + n, per - (size_t)n, "%s\r\n", o->headers[i]);
		n += snprintf(h + n, per - (size_t)n, "\r\n");
		b->head = h;
		b->nhead = (size_t)n;
		h += n;
	}
	return 0;
}

static void load_free(Load *l)
{
	free(l->data);
	free(l->batches);
	free(l->heads);
}

/* "http://HOST[:PORT][/PATH[?QUERY]]"; HOST may be "[V6]". */
static int parse_url(const char *s, Url *u)
{
	memset(u, 0, sizeof *u);
	if (strncmp(s, "http://", 7) != 0) {
		fprintf(stderr, "load_http: --url must start with http:// (no TLS here)\n");
		return -1;
	}
	s += 7;
	size_t nhp = strcspn(s, "/?");
	if (nhp == 0 || nhp >= sizeof u->hostport) {
		fprintf(stderr, "load_http: --url has no host\n");
		return -1;
	}
	memcpy(u->hostport, s, nhp);
	const char *t = s + nhp;
	if (strlen(t) + 2 > sizeof u->target) {
		fprintf(stderr, "load_http: --url is too long\n");
		return -1;
	}
	snprintf(u->target, sizeof u->target, "%s%s", *t == '/' ? "" : "/", t);
	const char *hp = u->hostport, *colon;
	if (hp[0] == '[') {
		const char *rb = strchr(hp, ']');
		if (!rb || (rb[1] != '\0' && rb[1] != ':')) {
			fprintf(stderr, "load_http: --url has a bad IPv6 host\n");
			return -1;
		}
		snprintf(u->host, sizeof u->host, "%.*s", (int)(rb - hp - 1), hp + 1);
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = strrchr(hp, ':');
		snprintf(u->host, sizeof u->host, "%.*s", (int)(colon ? colon - hp : (long)strlen(hp)), hp);
	}
	snprintf(u->port, sizeof u->port, "%s", colon && colon[1] ? colon + 1 : "80");
	return 0;
}

/* ---- a client connection and its responses -------------------------------- */

typedef struct Conn {
	int fd;                 /* -1: not connected */
	uint64_t nreq;          /* requests answered on this connection */
	char *buf;              /* CONN_BUF bytes; buf[pos..len) not yet parsed */
	size_t pos, len;
} Conn;

typedef struct Response {
	int status;
	bool is_http10;
	bool close;             /* the server ends the connection after it */
	char reason[128];
	char body[BODY_KEEP + 1];   /* the body's first bytes */
	size_t nbody;
	uint64_t body_len;
} Response;

enum { RESP_OK = 0, RESP_EMPTY = 1, RESP_ERR = 2 };

typedef struct Run {
	const Options *o;
	const Url *url;
	struct addrinfo *addr;
	Load *load;
	atomic_size_t next;         /* the next batch to send */
	atomic_bool failed;
	pthread_mutex_t mu;         /* serialises failure messages */
	pthread_barrier_t start;
	double *latency;            /* per batch, seconds */
	atomic_uint_fast64_t reconnects, non204;
} Run;

typedef struct Worker {
	Run *run;
	int id;
	Conn conn;
	double cpu_s;
	pthread_t thread;
} Worker;

static void failf(Run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the first failure of the run; later ones (other workers stopping
 * because of it) are not printed. */
static void failf(Run *r, const char *fmt, ...)
{
	pthread_mutex_lock(&r->mu);
	if (!atomic_exchange(&r->failed, true)) {
		va_list ap;
		va_start(ap, fmt);
		fputs("load_http: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	pthread_mutex_unlock(&r->mu);
}

static void conn_close(Conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->nreq = 0;
	c->pos = c->len = 0;
}

static int conn_open(Conn *c, Run *r, char *msg, size_t nmsg)
{
	int last = 0;
	for (struct addrinfo *a = r->addr; a; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			last = errno;
			continue;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			last = errno;
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct timeval tv = {.tv_sec = r->o->timeout_s};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		c->fd = fd;
		c->nreq = 0;
		c->pos = c->len = 0;
		return 0;
	}
	snprintf(msg, nmsg, "could not connect to %s: %s", r->url->hostport, strerror(last));
	return -1;
}

/* Reads more bytes into the buffer: > 0 read, 0 the peer closed, -1 an
 * error (errno), -2 the buffer is full. */
static ssize_t conn_fill(Conn *c)
{
	if (c->pos == c->len)
		c->pos = c->len = 0;
	else if (c->len == CONN_BUF && c->pos > 0) {
		memmove(c->buf, c->buf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	if (c->len == CONN_BUF)
		return -2;
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, CONN_BUF - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			c->len += (size_t)n;
		return n;
	}
}

static void read_error(const Run *r, ssize_t n, const char *what, char *msg, size_t nmsg)
{
	if (n == 0)
		snprintf(msg, nmsg, "the server closed the connection %s", what);
	else if (n == -2)
		snprintf(msg, nmsg, "a line of the response over %d bytes %s", CONN_BUF, what);
	else if (errno == EAGAIN || errno == EWOULDBLOCK)
		snprintf(msg, nmsg, "no answer within %d s %s", r->o->timeout_s, what);
	else
		snprintf(msg, nmsg, "could not read the response %s: %s", what, strerror(errno));
}

/* One line of the response (CRLF or LF ended), without its end; valid
 * until the next read. */
static int conn_line(Conn *c, const Run *r, char **line, size_t *n, char *msg, size_t nmsg)
{
	for (;;) {
		char *nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
		if (nl) {
			*line = c->buf + c->pos;
			*n = (size_t)(nl - *line);
			if (*n && nl[-1] == '\r')
				(*n)--;
			c->pos = (size_t)(nl + 1 - c->buf);
			return 0;
		}
		ssize_t k = conn_fill(c);
		if (k <= 0) {
			read_error(r, k, "in the middle of a response", msg, nmsg);
			return -1;
		}
	}
}

static void keep_body(Response *resp, const char *p, size_t n)
{
	size_t room = BODY_KEEP - resp->nbody;
	if (n > room)
		n = room;
	memcpy(resp->body + resp->nbody, p, n);
	resp->nbody += n;
	resp->body[resp->nbody] = '\0';
}

/* Consumes n body bytes; n == UINT64_MAX: up to the end of the connection. */
static int conn_body(Conn *c, const Run *r, Response *resp, uint64_t n, char *msg, size_t nmsg)
{
	while (n > 0) {
		if (c->pos == c->len) {
			ssize_t k = conn_fill(c);
			if (k == 0 && n == UINT64_MAX)
				return 0;
			if (k <= 0) {
				read_error(r, k, "in the middle of a response body", msg, nmsg);
				return -1;
			}
		}
		size_t m = c->len - c->pos;
		if ((uint64_t)m > n)
			m = (size_t)n;
		keep_body(resp, c->buf + c->pos, m);
		resp->body_len += m;
		c->pos += m;
		if (n != UINT64_MAX)
			n -= m;
	}
	return 0;
}

static bool has_token(const char *v, size_t n, const char *tok)
{
	size_t t = strlen(tok);
	for (size_t i = 0; i + t <= n; i++)
		if (strncasecmp(v + i, tok, t) == 0 && (i == 0 || v[i - 1] == ',' || v[i - 1] == ' ') &&
		    (i + t == n || v[i + t] == ',' || v[i + t] == ' ' || v[i + t] == ';'))
			return true;
	return false;
}

/* Reads one whole response. RESP_EMPTY: the connection ended (or was
 * reset) before any byte of it came, which on a kept-alive connection
 * means the server closed it, and the request may be sent again. */
static int read_response(Conn *c, const Run *r, Response *resp, char *msg, size_t nmsg)
{
	memset(resp, 0, offsetof(Response, body));
	resp->body[0] = '\0';
	resp->nbody = 0;
	resp->body_len = 0;
	if (c->pos == c->len) {
		ssize_t k = conn_fill(c);
		if (k == 0 || (k < 0 && (errno == ECONNRESET || errno == EPIPE)))
			return RESP_EMPTY;
		if (k < 0) {
			read_error(r, k, "", msg, nmsg);
			return RESP_ERR;
		}
	}
	for (;;) { /* 1xx responses come before the final one */
		char *line;
		size_t n;
		if (conn_line(c, r, &line, &n, msg, nmsg) != 0)
			return RESP_ERR;
		size_t nhead = n + 2;
		/* HTTP/D.D SSS[ reason] */
		if (n < 12 || memcmp(line, "HTTP/", 5) != 0 || line[5] < '0' || line[5] > '9' ||
		    line[6] != '.' || line[7] < '0' || line[7] > '9' || line[8] != ' ' ||
		    line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' ||
		    line[11] < '0' || line[11] > '9' || (n > 12 && line[12] != ' ')) {
			snprintf(msg, nmsg, "not an HTTP response: \"%.*s\"", (int)(n < 200 ? n : 200), line);
			return RESP_ERR;
		}
		int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
		resp->status = status;
		resp->is_http10 = line[5] == '1' && line[7] == '0';
		size_t nr = n > 13 ? n - 13 : 0;
		snprintf(resp->reason, sizeof resp->reason, "%.*s", (int)(nr < 127 ? nr : 127),
		         line + 13);
		bool chunked = false, has_len = false, keep_alive = false;
		uint64_t clen = 0;
		resp->close = false;
		for (;;) {
			if (conn_line(c, r, &line, &n, msg, nmsg) != 0)
				return RESP_ERR;
			nhead += n + 2;
			if (nhead > MAX_HEAD) {
				snprintf(msg, nmsg, "a response head over %d bytes", MAX_HEAD);
				return RESP_ERR;
			}
			if (n == 0)
				break;
			char *colon = memchr(line, ':', n);
			if (!colon)
				continue;
			size_t nn = (size_t)(colon - line);
			char *v = colon + 1, *ve = line + n;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
				ve--;
			size_t nv = (size_t)(ve - v);
			if (nn == 14 && strncasecmp(line, "Content-Length", 14) == 0) {
				char tmp[32];
				char *e;
				snprintf(tmp, sizeof tmp, "%.*s", (int)(nv < 31 ? nv : 31), v);
				uint64_t x = strtoull(tmp, &e, 10);
				if (e == tmp || *e || (has_len && x != clen)) {
					snprintf(msg, nmsg, "a bad Content-Length: \"%s\"", tmp);
					return RESP_ERR;
				}
				clen = x;
				has_len = true;
			} else if (nn == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0) {
				chunked = has_token(v, nv, "chunked");
				if (!chunked && !has_token(v, nv, "identity")) {
					snprintf(msg, nmsg, "a transfer coding not supported: \"%.*s\"", (int)nv, v);
					return RESP_ERR;
				}
			} else if (nn == 10 && strncasecmp(line, "Connection", 10) == 0) {
				if (has_token(v, nv, "close"))
					resp->close = true;
				if (has_token(v, nv, "keep-alive"))
					keep_alive = true;
			}
		}
		if (resp->is_http10 && !keep_alive)
			resp->close = true;
		if (status >= 100 && status < 200) {
			if (status == 101) {
				snprintf(msg, nmsg, "the server switched protocols (101)");
				return RESP_ERR;
			}
			continue;
		}
		if (status == 204 || status == 304)
			return RESP_OK;
		if (chunked) {
			for (;;) {
				if (conn_line(c, r, &line, &n, msg, nmsg) != 0)
					return RESP_ERR;
				char tmp[32];
				char *e;
				snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 31 ? n : 31), line);
				uint64_t size = strtoull(tmp, &e, 16);
				if (e == tmp || (*e && *e != ';' && *e != ' ')) {
					snprintf(msg, nmsg, "a bad chunk size: \"%s\"", tmp);
					return RESP_ERR;
				}
				if (size == 0)
					break;
				if (conn_body(c, r, resp, size, msg, nmsg) != 0 ||
				    conn_line(c, r, &line, &n, msg, nmsg) != 0)
					return RESP_ERR;
				if (n != 0) {
					snprintf(msg, nmsg, "a chunk not followed by CRLF");
					return RESP_ERR;
				}
			}
			do { /* trailers, up to an empty line */
				if (conn_line(c, r, &line, &n, msg, nmsg) != 0)
					return RESP_ERR;
			} while (n != 0);
			return RESP_OK;
		}
		if (has_len)
			return conn_body(c, r, resp, clen, msg, nmsg) == 0 ? RESP_OK : RESP_ERR;
		resp->close = true;
		return conn_body(c, r, resp, UINT64_MAX, msg, nmsg) == 0 ? RESP_OK : RESP_ERR;
	}
}

/* Sends every byte of iov[0..n): 0, or an errno. */
static int send_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
		ssize_t k = sendmsg(fd, &m, MSG_NOSIGNAL);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		while (n > 0 && (size_t)k >= iov->iov_len) {
			k -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

static void print_body(const Response *resp)
{
	if (resp->body_len == 0) {
		fputs("  (no body)\n", stderr);
		return;
	}
	fprintf(stderr, "  %s%s\n", resp->body,
	        resp->body_len > resp->nbody ? " [...]" : "");
}

/* Sends batch k and reads its response; 0, or -1 with the failure printed. */
static int post_batch(Worker *w, size_t k)
{
	Run *r = w->run;
	Conn *c = &w->conn;
	const Batch *b = &r->load->batches[k];
	char msg[512];
	Response resp;
	for (int attempt = 0;; attempt++) {
		if (c->fd < 0 && conn_open(c, r, msg, sizeof msg) != 0) {
			failf(r, "batch %zu (lines %" PRIu64 "-%" PRIu64 "): %s", k + 1, b->first_line,
			      b->first_line + b->nlines - 1, msg);
			return -1;
		}
		bool is_reused = c->nreq > 0;
		struct iovec iov[2] = {{(void *)b->head, b->nhead},
		                       {r->load->data + b->off, b->len}};
		int serr = send_all(c->fd, iov, b->len ? 2 : 1);
		if (serr == EAGAIN || serr == EWOULDBLOCK) {
			failf(r, "batch %zu: the request could not be sent within %d s", k + 1,
			      r->o->timeout_s);
			return -1;
		}
		/* after a failed send, a response may still be waiting (an error
		 * the server sent before it closed) */
		int rc = read_response(c, r, &resp, msg, sizeof msg);
		if (rc == RESP_OK) {
			c->nreq++;
			if (resp.close)
				conn_close(c);
			if (resp.status < 200 || resp.status > 299) {
				pthread_mutex_lock(&r->mu);
				if (!atomic_exchange(&r->failed, true)) {
					fprintf(stderr, "load_http: batch %zu (lines %" PRIu64 "-%" PRIu64
					        ", %zu bytes): HTTP %d %s\n", k + 1, b->first_line,
					        b->first_line + b->nlines - 1, b->len, resp.status, resp.reason);
					print_body(&resp);
				}
				pthread_mutex_unlock(&r->mu);
				return -1;
			}
			if (resp.status != 204)
				atomic_fetch_add(&r->non204, 1);
			return 0;
		}
		conn_close(c);
		if (rc == RESP_EMPTY && is_reused && attempt == 0) {
			atomic_fetch_add(&r->reconnects, 1);
			continue;
		}
		if (rc == RESP_EMPTY)
			snprintf(msg, sizeof msg, "%s",
			         serr ? strerror(serr) : "the server closed the connection without an answer");
		failf(r, "batch %zu (lines %" PRIu64 "-%" PRIu64 "): %s", k + 1, b->first_line,
		      b->first_line + b->nlines - 1, msg);
		return -1;
	}
}

static void *worker_main(void *arg)
{
	Worker *w = arg;
	Run *r = w->run;
	char msg[512];
	w->conn.fd = -1;
	if (conn_open(&w->conn, r, msg, sizeof msg) != 0)
		failf(r, "worker %d: %s", w->id, msg);
	pthread_barrier_wait(&r->start);
	struct rusage u0, u1;
	getrusage(RUSAGE_THREAD, &u0);
	while (!atomic_load(&r->failed)) {
		size_t k = atomic_fetch_add(&r->next, 1);
		if (k >= r->load->nbatches)
			break;
		double t = now_s();
		if (post_batch(w, k) != 0)
			break;
		r->latency[k] = now_s() - t;
	}
	getrusage(RUSAGE_THREAD, &u1);
	w->cpu_s = cpu_of(&u1) - cpu_of(&u0);
	conn_close(&w->conn);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Runs the load; 0, or 1 when a request failed. */
static int run_load(const Options *o, const Url *u, Load *l)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
	int gai = getaddrinfo(u->host, u->port, &hints, &ai);
	if (gai != 0) {
		fprintf(stderr, "load_http: could not resolve \"%s\": %s\n", u->host, gai_strerror(gai));
		return 1;
	}
	Run r = {.o = o, .url = u, .addr = ai, .load = l};
	pthread_mutex_init(&r.mu, NULL);
	pthread_barrier_init(&r.start, NULL, (unsigned)o->workers + 1);
	r.latency = calloc(l->nbatches ? l->nbatches : 1, sizeof *r.latency);
	Worker *ws = calloc((size_t)o->workers, sizeof *ws);
	for (int i = 0; i < o->workers; i++) {
		ws[i].conn.buf = malloc(CONN_BUF);
		ws[i].run = &r;
		ws[i].id = i + 1;
		if (!ws[i].conn.buf || pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0) {
			fprintf(stderr, "load_http: could not start worker %d\n", i + 1);
			exit(1);
		}
	}
	pthread_barrier_wait(&r.start);
	double t0 = now_s();
	for (int i = 0; i < o->workers; i++)
		pthread_join(ws[i].thread, NULL);
	double wall = now_s() - t0;
	double cpu = 0;
	for (int i = 0; i < o->workers; i++) {
		cpu += ws[i].cpu_s;
		free(ws[i].conn.buf);
	}
	free(ws);
	freeaddrinfo(ai);
	int bad = atomic_load(&r.failed);
	if (!bad) {
		qsort(r.latency, l->nbatches, sizeof *r.latency, cmp_double);
		size_t nb = l->nbatches;
		double p50 = nb ? r.latency[(nb + 1) / 2 - 1] : 0;
		double p99 = nb ? r.latency[(size_t)((double)nb * 0.99 + 0.999999) - 1] : 0;
		double mx = nb ? r.latency[nb - 1] : 0;
		double w = wall > 0 ? wall : 1e-9;
		if (!o->quiet) {
			printf("load_http: %" PRIu64 " rows, %" PRIu64 " values, %zu bytes in %zu batches "
			       "of %u lines, %d worker%s, to %s%s\n", l->nrows, l->nvalues, l->ndata, nb,
			       o->batch_lines, o->workers, o->workers == 1 ? "" : "s", u->hostport,
			       u->target);
			printf("load_http: %.3f s: %.0f rows/s, %.0f values/s, %.1f MB/s; batch latency "
			       "p50 %.2f ms, p99 %.2f ms, max %.2f ms; client CPU %.2f s; %" PRIuFAST64
			       " reconnects\n", wall, (double)l->nrows / w, (double)l->nvalues / w,
			       (double)l->ndata / w / 1e6, p50 * 1e3, p99 * 1e3, mx * 1e3, cpu,
			       atomic_load(&r.reconnects));
		}
		if (o->out) {
			FILE *f = strcmp(o->out, "-") == 0 ? stdout : fopen(o->out, "w");
			if (!f) {
				fprintf(stderr, "load_http: could not write \"%s\": %s\n", o->out,
				        strerror(errno));
				bad = 1;
			} else {
				fprintf(f, "rows=%" PRIu64 "\nvalues=%" PRIu64 "\nlines=%" PRIu64
				        "\nbytes=%zu\nbatches=%zu\nbatch_lines=%u\nworkers=%d\n"
				        "wall_s=%.6f\nrows_per_s=%.0f\nvalues_per_s=%.0f\nmb_per_s=%.2f\n"
				        "latency_p50_ms=%.3f\nlatency_p99_ms=%.3f\nlatency_max_ms=%.3f\n"
				        "client_cpu_s=%.3f\nreconnects=%" PRIuFAST64 "\nnon204=%" PRIuFAST64
				        "\n", l->nrows, l->nvalues, l->nlines, l->ndata, nb, o->batch_lines,
				        o->workers, wall, (double)l->nrows / w, (double)l->nvalues / w,
				        (double)l->ndata / w / 1e6, p50 * 1e3, p99 * 1e3, mx * 1e3, cpu,
				        atomic_load(&r.reconnects), atomic_load(&r.non204));
				if (f != stdout)
					fclose(f);
			}
		}
	}
	free(r.latency);
	pthread_barrier_destroy(&r.start);
	pthread_mutex_destroy(&r.mu);
	return bad ? 1 : 0;
}

/* ---- the discard server --------------------------------------------------- */

enum { D_OK, D_LENGTH, D_CHUNKED, D_CONTINUE, D_CLOSE, D_DROP, D_ERROR };
static const char *const discard_modes[] = {"ok", "length", "chunked", "continue",
                                            "close", "drop", "error"};

typedef struct DConn {
	struct Discard *d;
	int fd;                 /* -1 once the thread has closed it (under Discard.mu) */
	pthread_t thread;
	struct DConn *next;
} DConn;

typedef struct Discard {
	int lfd;
	int mode;
	pthread_t accept_thread;
	pthread_mutex_t mu;
	DConn *conns;           /* every connection so far, to join */
	atomic_uint_fast64_t nconns, nrequests, nlines, nbytes;
} Discard;

static int send_str(int fd, const char *s)
{
	struct iovec iov = {(void *)s, strlen(s)};
	return send_all(fd, &iov, 1);
}

/* Serves one connection: requests one after another; the counts are kept
 * per connection and added when a request has been answered. */
static void *discard_conn(void *arg)
{
	DConn *dc = arg;
	Discard *d = dc->d;
	int fd = dc->fd;
	char *buf = malloc(DISCARD_BUF);
	size_t pos = 0, len = 0;
	uint64_t nreq = 0;
	while (buf) {
		/* the request head */
		char *end;
		while (!(end = memmem(buf + pos, len - pos, "\r\n\r\n", 4))) {
			if (pos > 0) {
				memmove(buf, buf + pos, len - pos);
				len -= pos;
				pos = 0;
			}
			if (len == DISCARD_BUF) {
				send_str(fd, "HTTP/1.1 431 Request Header Fields Too Large\r\n"
				             "Content-Length: 0\r\nConnection: close\r\n\r\n");
				goto done;
			}
			ssize_t n = recv(fd, buf + len, DISCARD_BUF - len, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				goto done;
			len += (size_t)n;
		}
		char *head = buf + pos;
		size_t nhead = (size_t)(end + 4 - head);
		uint64_t clen = 0;
		bool expect = false, bad = false;
		for (char *l = memchr(head, '\n', nhead); l && l < end; l = memchr(l, '\n', (size_t)(end - l))) {
			l++;
			if (strncasecmp(l, "Content-Length:", 15) == 0)
				clen = strtoull(l + 15, NULL, 10);
			else if (strncasecmp(l, "Transfer-Encoding:", 18) == 0)
				bad = true;
			else if (strncasecmp(l, "Expect:", 7) == 0)
				expect = true;
		}
		pos += nhead;
		if (bad) {
			send_str(fd, "HTTP/1.1 501 Not Implemented\r\nContent-Length: 29\r\n"
			             "Connection: close\r\n\r\nonly Content-Length bodies\r\n\r\n");
			goto done;
		}
		if (expect && send_str(fd, "HTTP/1.1 100 Continue\r\n\r\n") != 0)
			goto done;
		/* the body: counted and thrown away */
		uint64_t lines = 0, left = clen;
		char last = '\n';
		while (left > 0) {
			if (pos == len) {
				pos = len = 0;
				ssize_t n = recv(fd, buf, DISCARD_BUF, 0);
				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0)
					goto done;
				len = (size_t)n;
			}
			size_t m = len - pos;
			if ((uint64_t)m > left)
				m = (size_t)left;
			const char *p = buf + pos, *e = p + m;
			while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
				lines++;
				p++;
			}
			last = buf[pos + m - 1];
			pos += m;
			left -= m;
		}
		if (clen > 0 && last != '\n')
			lines++;
		const char *reply;
		bool do_close = false;
		switch (d->mode) {
		case D_LENGTH:
			reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\n"
			        "discarded\n";
			break;
		case D_CHUNKED:
			reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			        "Transfer-Encoding: chunked\r\n\r\n"
			        "4;note=first\r\nall \r\nA\r\ndiscarded\n\r\n0\r\nX-Trailer: yes\r\n\r\n";
			break;
		case D_CONTINUE:
			reply = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
			break;
		case D_CLOSE:
			reply = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
			do_close = true;
			break;
		case D_DROP:
			if (nreq == 1)
				goto done;
			reply = "HTTP/1.1 204 No Content\r\n\r\n";
			break;
		case D_ERROR:
			reply = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
			        "Content-Length: 43\r\n\r\n{\"error\":\"the discard server's error mode\"}";
			break;
		default:
			reply = "HTTP/1.1 204 No Content\r\n\r\n";
		}
		if (send_str(fd, reply) != 0)
			goto done;
		nreq++;
		atomic_fetch_add(&d->nrequests, 1);
		atomic_fetch_add(&d->nlines, lines);
		atomic_fetch_add(&d->nbytes, clen);
		if (do_close)
			goto done;
	}
done:
	free(buf);
	pthread_mutex_lock(&d->mu);
	close(fd);
	dc->fd = -1;
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

static void *discard_accept(void *arg)
{
	Discard *d = arg;
	for (;;) {
		int fd = accept4(d->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL; /* the listener was shut down */
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		DConn *dc = calloc(1, sizeof *dc);
		if (!dc) {
			close(fd);
			continue;
		}
		dc->d = d;
		dc->fd = fd;
		pthread_mutex_lock(&d->mu);
		if (pthread_create(&dc->thread, NULL, discard_conn, dc) != 0) {
			pthread_mutex_unlock(&d->mu);
			close(fd);
			free(dc);
			continue;
		}
		dc->next = d->conns;
		d->conns = dc;
		pthread_mutex_unlock(&d->mu);
		atomic_fetch_add(&d->nconns, 1);
	}
}

/* Listens on 127.0.0.1:port (0: any free port, returned in *port). */
static int discard_start(Discard *d, int *port, int mode)
{
	memset(d, 0, sizeof *d);
	d->mode = mode;
	pthread_mutex_init(&d->mu, NULL);
	d->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(d->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t na = sizeof a;
	if (d->lfd < 0 || bind(d->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(d->lfd, 128) != 0 || getsockname(d->lfd, (struct sockaddr *)&a, &na) != 0) {
		fprintf(stderr, "load_http: could not listen on 127.0.0.1:%d: %s\n", *port,
		        strerror(errno));
		return -1;
	}
	*port = ntohs(a.sin_port);
	if (pthread_create(&d->accept_thread, NULL, discard_accept, d) != 0) {
		fprintf(stderr, "load_http: could not start the discard server\n");
		return -1;
	}
	return 0;
}

/* Stops accepting, ends the connections that are left, joins every thread. */
static void discard_stop(Discard *d)
{
	shutdown(d->lfd, SHUT_RDWR);
	pthread_join(d->accept_thread, NULL);
	close(d->lfd);
	pthread_mutex_lock(&d->mu);
	for (DConn *c = d->conns; c; c = c->next)
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR);
	DConn *list = d->conns;
	d->conns = NULL;
	pthread_mutex_unlock(&d->mu);
	while (list) {
		DConn *next = list->next;
		pthread_join(list->thread, NULL);
		free(list);
		list = next;
	}
	pthread_mutex_destroy(&d->mu);
}

static void discard_print(Discard *d)
{
	printf("discard: %" PRIuFAST64 " connections, %" PRIuFAST64 " requests, %" PRIuFAST64
	       " lines, %" PRIuFAST64 " bytes\n", atomic_load(&d->nconns),
	       atomic_load(&d->nrequests), atomic_load(&d->nlines), atomic_load(&d->nbytes));
	fflush(stdout);
}

static int serve_discard(int port, int mode)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* every thread inherits it */
	Discard d;
	if (discard_start(&d, &port, mode) != 0)
		return 1;
	printf("discard: listening on 127.0.0.1:%d, mode %s\n", port, discard_modes[mode]);
	fflush(stdout);
	int sig;
	sigwait(&set, &sig);
	discard_stop(&d);
	discard_print(&d);
	return 0;
}

/* ---- main ----------------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr,
	        "usage: load_http --url http://HOST:PORT/PATH?QUERY --file FILE [--workers N]\n"
	        "                 [--batch-lines N] [--values-per-line N] [--header 'Name: value']...\n"
	        "                 [--timeout S] [--out FILE] [--quiet]\n"
	        "       load_http --against-discard [--discard-mode MODE] --file FILE [...]\n"
	        "       load_http --discard PORT [--discard-mode MODE]\n"
	        "modes: ok (204), length, chunked, continue, close, drop, error\n");
	return 2;
}

int main(int argc, char **argv)
{
	Options o = {.workers = 1, .batch_lines = 5000, .values_per_line = -1, .timeout_s = 300,
	             .discard_port = -1, .discard_mode = "ok"};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--quiet") == 0) {
			o.quiet = true;
			continue;
		}
		if (strcmp(a, "--against-discard") == 0) {
			o.against_discard = true;
			continue;
		}
		if (!v)
			return usage();
		if (strcmp(a, "--url") == 0)
			o.url = v;
		else if (strcmp(a, "--file") == 0)
			o.file = v;
		else if (strcmp(a, "--out") == 0)
			o.out = v;
		else if (strcmp(a, "--workers") == 0)
			o.workers = atoi(v);
		else if (strcmp(a, "--batch-lines") == 0)
			o.batch_lines = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(a, "--values-per-line") == 0)
			o.values_per_line = strtoll(v, NULL, 10);
		else if (strcmp(a, "--timeout") == 0)
			o.timeout_s = atoi(v);
		else if (strcmp(a, "--discard") == 0)
			o.discard_port = atoi(v);
		else if (strcmp(a, "--discard-mode") == 0)
			o.discard_mode = v;
		else if (strcmp(a, "--header") == 0) {
			if (o.nheaders == MAX_HEADERS || !strchr(v, ':') || strpbrk(v, "\r\n"))
				return usage();
			o.headers[o.nheaders++] = v;
		} else
			return usage();
		i++;
	}
	int mode = -1;
	for (int m = 0; m < (int)(sizeof discard_modes / sizeof *discard_modes); m++)
		if (strcmp(o.discard_mode, discard_modes[m]) == 0)
			mode = m;
	if (mode < 0)
		return usage();
	if (o.discard_port >= 0) {
		if (o.discard_port > 65535 || o.url || o.file || o.against_discard)
			return usage();
		return serve_discard(o.discard_port, mode);
	}
	if (!o.file || (!o.url && !o.against_discard) || (o.url && o.against_discard) ||
	    o.workers < 1 || o.workers > MAX_WORKERS || o.batch_lines < 1 || o.timeout_s < 1)
		return usage();

	Discard d;
	char url_text[128];
	if (o.against_discard) {
		signal(SIGPIPE, SIG_IGN);
		int port = 0;
		if (discard_start(&d, &port, mode) != 0)
			return 1;
		snprintf(url_text, sizeof url_text, "http://127.0.0.1:%d/write?db=bench&precision=ns",
		         port);
		o.url = url_text;
	}
	Url u;
	Load l = {0};
	int rc = 2;
	if (parse_url(o.url, &u) != 0)
		goto out;
	if (read_file(o.file, &l) != 0)
		goto out;
	if (make_batches(&l, &o, &u) != 0) {
		fprintf(stderr, "load_http: out of memory\n");
		goto out;
	}
	rc = run_load(&o, &u, &l);
out:
	if (o.against_discard) {
		discard_stop(&d);
		if (!o.quiet)
			discard_print(&d);
		if (rc == 0 && (atomic_load(&d.nlines) != l.nlines || atomic_load(&d.nbytes) != l.ndata ||
		                atomic_load(&d.nrequests) != l.nbatches)) {
			fprintf(stderr, "load_http: the discard server counted %" PRIuFAST64 " requests, %"
			        PRIuFAST64 " lines, %" PRIuFAST64 " bytes; the client sent %zu, %" PRIu64
			        ", %zu\n", atomic_load(&d.nrequests), atomic_load(&d.nlines),
			        atomic_load(&d.nbytes), l.nbatches, l.nlines, l.ndata);
			rc = 1;
		}
	}
	load_free(&l);
	return rc;
}
