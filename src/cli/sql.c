/*
 * sql.c - stele sql: run SQL against a database directory.
 *
 *     stele sql --db PATH [--format table|csv|json] [--read-only] [--timing] "STATEMENT"
 *     stele sql --db PATH [--format ...] [--echo] -f FILE   (a script)
 *     stele sql --db PATH                                   (a shell)
 *
 * With no statement and no -f, a terminal on stdin gets the interactive
 * shell (libedit: history in ~/.stele_history, statements over several
 * lines until ';', \timing, \d, \dt, \q); anything else on stdin is read
 * as a script. Scripts run every statement and report each failure;
 * --echo prints each statement before its result and the errors to
 * stdout, so that a script's whole output can be compared with a golden
 * file (tests/sql).
 *
 * The table format is psql's aligned one; csv is psql --csv's (NULL as an
 * empty field, "" for an empty string); json is an array of objects, one
 * per row, with numbers and booleans as JSON values.
 */
#include <editline/readline.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sql/text.h"
#include "sql/vec.h"
#include "util/buf.h"
#include "util/timeutil.h"

typedef enum Format { FMT_TABLE, FMT_CSV, FMT_JSON } Format;

typedef struct Sql {
	stele_db *db;
	Format fmt;
	bool echo;
	bool timing;
	FILE *out;
	int failures;
} Sql;

static bool is_null(const stele_column *c, uint32_t i)
{
	return c->type == STELE_TYPE_NONE || c->nulls[i];
}

/* Display width of UTF-8 text: one per character. */
static size_t width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

static bool right_aligned(stele_type t)
{
	return t == STELE_TYPE_BIGINT || t == STELE_TYPE_UBIGINT || t == STELE_TYPE_DOUBLE;
}

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

/* psql's aligned table: every row is kept to size the columns. */
static int print_table(Sql *s, stele_stmt *st, StErr *err)
{
	uint32_t nc = stele_stmt_ncols(st);
	Buf text = {0};
	size_t *offs = NULL, nrows = 0, cap = 0;
	uint8_t *nulls = NULL;
	size_t *w = calloc(nc + 1, sizeof *w);
	if (!w)
		return failf(err, STELE_ENOMEM, "out of memory");
	for (uint32_t c = 0; c < nc; c++) {
		const char *n = stele_stmt_col_name(st, c);
		w[c] = width(n, strlen(n));
	}
	int rc;
	const stele_batch *b;
	while ((rc = stele_next(st, &b, err)) == STELE_OK && b) {
		for (uint32_t i = 0; i < b->nrows; i++) {
			if ((nrows + 1) * nc + 1 > cap) {
				cap = cap ? cap * 2 : 1024;
				while (cap < (nrows + 1) * nc + 1)
					cap *= 2;
				size_t *o = realloc(offs, cap * sizeof *o);
				uint8_t *nn = realloc(nulls, cap);
				if (!o || !nn) {
					free(o ? o : offs);
					free(nn ? nn : nulls);
					free(w);
					buf_free(&text);
					return failf(err, STELE_ENOMEM, "out of memory");
				}
				offs = o;
				nulls = nn;
			}
			for (uint32_t c = 0; c < nc; c++) {
				size_t k = nrows * nc + c;
				offs[k] = text.len;
				nulls[k] = is_null(&b->cols[c], i);
				if (!nulls[k])
					sqltext_cell(&text, &b->cols[c], i);
				size_t cw = width((const char *)text.data + offs[k], text.len - offs[k]);
				if (cw > w[c])
					w[c] = cw;
			}
			nrows++;
		}
	}
	if (rc == STELE_OK && text.failed)
		rc = failf(err, STELE_ENOMEM, "out of memory");
	if (rc == STELE_OK) {
		FILE *f = s->out;
		for (uint32_t c = 0; c < nc; c++) {
			const char *n = stele_stmt_col_name(st, c);
			size_t nw = width(n, strlen(n)), left = (w[c] - nw) / 2;
			fputs(c ? "| " : " ", f);
			pad(f, left);
			fputs(n, f);
			if (c + 1 < nc)
				pad(f, w[c] - nw - left + 1);
		}
		fputc('\n', f);
		for (uint32_t c = 0; c < nc; c++) {
			if (c)
				fputc('+', f);
			for (size_t k = 0; k < w[c] + 2; k++)
				fputc('-', f);
		}
		fputc('\n', f);
		for (size_t r = 0; r < nrows; r++) {
			for (uint32_t c = 0; c < nc; c++) {
				size_t k = r * nc + c;
				size_t end = k + 1 < nrows * nc ? offs[k + 1] : text.len;
				const char *v = nulls[k] ? "" : (const char *)text.data + offs[k];
				size_t len = nulls[k] ? 0 : end - offs[k];
				size_t vw = width(v, len);
				fputs(c ? "| " : " ", f);
				bool ra = right_aligned(stele_stmt_col_type(st, c));
				if (ra)
					pad(f, w[c] - vw);
				fwrite(v, 1, len, f);
				if (!ra && c + 1 < nc)
					pad(f, w[c] - vw);
				if (c + 1 < nc)
					fputc(' ', f);
			}
			fputc('\n', f);
		}
		fprintf(f, "(%zu row%s)\n\n", nrows, nrows == 1 ? "" : "s");
	}
	free(offs);
	free(nulls);
	free(w);
	buf_free(&text);
	return rc;
}

/* s as a CSV field on f (sqltext_csv). */
static void csv_field(FILE *f, const char *s, size_t n)
{
	Buf b = {0};
	sqltext_csv(&b, s, n);
	if (!b.failed)
		fwrite(b.data, 1, b.len, f);
	buf_free(&b);
}

static int print_csv(Sql *s, stele_stmt *st, StErr *err)
{
	FILE *f = s->out;
	uint32_t nc = stele_stmt_ncols(st);
	for (uint32_t c = 0; c < nc; c++) {
		if (c)
			fputc(',', f);
		const char *n = stele_stmt_col_name(st, c);
		csv_field(f, n, strlen(n));
	}
	fputc('\n', f);
	Buf b = {0};
	int rc;
	const stele_batch *bt;
	while ((rc = stele_next(st, &bt, err)) == STELE_OK && bt) {
		for (uint32_t i = 0; i < bt->nrows; i++) {
			for (uint32_t c = 0; c < nc; c++) {
				if (c)
					fputc(',', f);
				if (is_null(&bt->cols[c], i))
					continue;
				buf_reset(&b);
				sqltext_cell(&b, &bt->cols[c], i);
				csv_field(f, (const char *)b.data, b.len);
			}
			fputc('\n', f);
		}
	}
	buf_free(&b);
	return rc;
}

/* s as a JSON string on f (sqltext_json). */
static void json_str(FILE *f, const char *s, size_t n)
{
	Buf b = {0};
	sqltext_json(&b, s, n);
	if (!b.failed)
		fwrite(b.data, 1, b.len, f);
	buf_free(&b);
}

static int print_json(Sql *s, stele_stmt *st, StErr *err)
{
	FILE *f = s->out;
	uint32_t nc = stele_stmt_ncols(st);
	Buf b = {0};
	int rc;
	const stele_batch *bt;
	bool first = true;
	fputc('[', f);
	while ((rc = stele_next(st, &bt, err)) == STELE_OK && bt) {
		for (uint32_t i = 0; i < bt->nrows; i++) {
			fputs(first ? "\n{" : ",\n{", f);
			first = false;
			for (uint32_t c = 0; c < nc; c++) {
				const stele_column *col = &bt->cols[c];
				const char *n = stele_stmt_col_name(st, c);
				if (c)
					fputc(',', f);
				json_str(f, n, strlen(n));
				fputc(':', f);
				if (is_null(col, i)) {
					fputs("null", f);
					continue;
				}
				buf_reset(&b);
				sqltext_cell(&b, col, i);
				bool bare = col->type == STELE_TYPE_BIGINT || col->type == STELE_TYPE_UBIGINT ||
				            (col->type == STELE_TYPE_DOUBLE && isfinite(col->v.f64[i]));
				if (col->type == STELE_TYPE_BOOLEAN)
					fputs(col->v.i64[i] ? "true" : "false", f);
				else if (bare)
					fwrite(b.data, 1, b.len, f);
				else
					json_str(f, (const char *)b.data, b.len);
			}
			fputc('}', f);
		}
	}
	fputs(first ? "]\n" : "\n]\n", f);
	buf_free(&b);
	return rc;
}

/* Prints err as psql does ("ERROR:  message"). */
static void report(Sql *s, const StErr *err)
{
	fflush(s->out);
	FILE *f = s->echo ? s->out : stderr;
	fprintf(f, "ERROR:  %s\n", err->msg);
	if (s->echo)
		fputc('\n', f);
	fflush(f);
	s->failures++;
}

/* Runs one prepared statement and prints its result. */
static int run_stmt(Sql *s, stele_stmt *st)
{
	StErr err = {0};
	int64_t t0 = time_mono_ns();
	int rc;
	if (stele_stmt_ncols(st) == 0) {
		rc = stele_execute(st, &err);
		if (rc == STELE_OK)
			fprintf(s->out, "%s\n%s", stele_stmt_tag(st), s->echo ? "\n" : "");
	} else if (s->fmt == FMT_CSV) {
		rc = print_csv(s, st, &err);
	} else if (s->fmt == FMT_JSON) {
		rc = print_json(s, st, &err);
	} else {
		rc = print_table(s, st, &err);
	}
	if (rc)
		report(s, &err);
	if (s->timing)
		fprintf(s->out, "Time: %.3f ms\n", (double)(time_mono_ns() - t0) / 1e6);
	fflush(s->out);
	return rc;
}

/* Runs every statement of text; prints each when echoing. */
static void run_text(Sql *s, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		/* Start at the statement's first token, so that positions in
		 * errors count from there (as psql sends statements). */
		for (;;) {
			while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
				p++;
			if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				if (s->echo)
					fwrite(p, 1, (size_t)((nl ? nl + 1 : end) - p), s->out);
				p = nl ? nl + 1 : end;
				continue;
			}
			break;
		}
		if (p >= end)
			break;
		stele_stmt *st = NULL;
		StErr err = {0};
		const char *tail;
		int rc = stele_prepare(s->db, p, end - p, &tail, &st, &err);
		if (s->echo) {
			/* The statement's text without the whitespace around it. */
			const char *a = p, *z = tail;
			while (a < z && (*a == ' ' || *a == '\n' || *a == '\t' || *a == '\r'))
				a++;
			while (z > a && (z[-1] == ' ' || z[-1] == '\n' || z[-1] == '\t' || z[-1] == '\r'))
				z--;
			if (z > a) {
				fwrite(a, 1, (size_t)(z - a), s->out);
				fputc('\n', s->out);
			}
		}
		if (rc) {
			report(s, &err);
		} else if (st) {
			run_stmt(s, st);
			stele_finalize(st);
		}
		if (tail <= p)
			break;
		p = tail;
	}
}

static int read_all(FILE *f, Buf *b)
{
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(b, chunk, n);
	return ferror(f) || b->failed ? -1 : 0;
}

/* Is the text a complete statement: ends with ';' outside quotes and
 * comments? */
static bool complete(const char *s, size_t n)
{
	char q = 0;
	bool line_comment = false, last_semi = false;
	int block = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (line_comment) {
			if (c == '\n')
				line_comment = false;
			continue;
		}
		if (block) {
			if (c == '*' && i + 1 < n && s[i + 1] == '/') {
				block--;
				i++;
			}
			continue;
		}
		if (q) {
			if (c == q)
				q = 0;
			continue;
		}
		if (c == '\'' || c == '"') {
			q = c;
			last_semi = false;
		} else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
			line_comment = true;
		} else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
			block++;
			i++;
		} else if (c == ';') {
			last_semi = true;
		} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			last_semi = false;
		}
	}
	return last_semi && !q && !block;
}

static void describe(Sql *s, const char *arg)
{
	char q[1024];
	if (!arg || !*arg) {
		snprintf(q, sizeof q, "SHOW TABLES");
	} else {
		Buf b = {0};
		for (const char *c = arg; *c; c++) {
			if (*c == '\'')
				buf_put_u8(&b, '\'');
			buf_put_u8(&b, (uint8_t)*c);
		}
		buf_put_u8(&b, 0);
		snprintf(q, sizeof q,
		         "SELECT column_name AS \"Column\", data_type AS \"Type\", column_kind AS "
		         "\"Kind\" FROM information_schema.columns WHERE table_name = '%s' ORDER BY "
		         "ordinal_position",
		         b.data ? (const char *)b.data : "");
		buf_free(&b);
	}
	run_text(s, q, strlen(q));
}

static void shell(Sql *s)
{
	char hist[4096] = "";
	const char *home = getenv("HOME");
	if (home) {
		snprintf(hist, sizeof hist, "%s/.stele_history", home);
		read_history(hist);
	}
	printf("stele sql shell: end statements with ';', \\? for help, \\q to quit\n");
	Buf stmt = {0};
	for (;;) {
		char *line = readline(stmt.len ? "stele-> " : "stele=> ");
		if (!line)
			break;
		const char *l = line;
		while (*l == ' ' || *l == '\t')
			l++;
		if (stmt.len == 0 && *l == '\\') {
			add_history(line);
			if (strncmp(l, "\\q", 2) == 0) {
				free(line);
				break;
			} else if (strncmp(l, "\\timing", 7) == 0) {
				s->timing = !s->timing;
				printf("Timing is %s.\n", s->timing ? "on" : "off");
			} else if (strncmp(l, "\\dt", 3) == 0) {
				describe(s, NULL);
			} else if (strncmp(l, "\\d", 2) == 0) {
				const char *a = l + 2;
				while (*a == ' ')
					a++;
				describe(s, a);
			} else {
				printf("\\d [TABLE]  describe a table (or list tables)\n"
				       "\\dt         list tables\n"
				       "\\timing     toggle timing of statements\n"
				       "\\q          quit\n");
			}
			free(line);
			continue;
		}
		if (stmt.len)
			buf_put_u8(&stmt, '\n');
		buf_put(&stmt, line, strlen(line));
		free(line);
		if (stmt.failed) {
			fprintf(stderr, "ERROR:  statement too long\n");
			buf_reset(&stmt);
			continue;
		}
		if (!complete((const char *)stmt.data, stmt.len))
			continue;
		buf_put_u8(&stmt, 0);
		add_history((const char *)stmt.data);
		run_text(s, (const char *)stmt.data, stmt.len - 1);
		buf_reset(&stmt);
	}
	if (hist[0])
		write_history(hist);
	buf_free(&stmt);
}

int cmd_sql(int argc, char **argv)
{
	const char *dbpath = NULL, *format = "table", *file = NULL, *statement = NULL,
	           *threads = NULL;
	bool bad = false, echo = false, read_only = false, timing = false;
	for (int i = 1; i < argc && !bad; i++) {
		if (cli_opt(argc, argv, &i, "--db", &dbpath, &bad) ||
		    cli_opt(argc, argv, &i, "--format", &format, &bad) ||
		    cli_opt(argc, argv, &i, "-f", &file, &bad) ||
		    cli_opt(argc, argv, &i, "--threads", &threads, &bad))
			continue;
		if (strcmp(argv[i], "--echo") == 0)
			echo = true;
		else if (strcmp(argv[i], "--timing") == 0)
			timing = true;
		else if (strcmp(argv[i], "--read-only") == 0)
			read_only = true;
		else if (argv[i][0] == '-' && argv[i][1] == '-')
			bad = !!cli_fail("sql", EXIT_USAGE, "unknown option \"%s\"", argv[i]);
		else if (!statement)
			statement = argv[i];
		else
			bad = !!cli_fail("sql", EXIT_USAGE, "more than one statement argument");
	}
	Sql s = {.out = stdout, .echo = echo, .timing = timing};
	if (!bad && strcmp(format, "table") == 0)
		s.fmt = FMT_TABLE;
	else if (!bad && strcmp(format, "csv") == 0)
		s.fmt = FMT_CSV;
	else if (!bad && strcmp(format, "json") == 0)
		s.fmt = FMT_JSON;
	else if (!bad)
		bad = !!cli_fail("sql", EXIT_USAGE, "--format must be table, csv or json");
	if (bad || !dbpath)
		return bad ? EXIT_USAGE
		           : cli_fail("sql", EXIT_USAGE,
		                      "usage: stele sql --db PATH [--format table|csv|json] "
		                      "[--echo] [--read-only] [--timing] [--threads N] [-f FILE | STATEMENT]");
	if (file && statement)
		return cli_fail("sql", EXIT_USAGE, "give a statement or -f FILE, not both");
	stele_options opts;
	stele_options_init(&opts);
	opts.read_only = read_only;
	if (threads) {
		char *end;
		long t = strtol(threads, &end, 10);
		if (*end || t < 1 || t > 1024)
			return cli_fail("sql", EXIT_USAGE, "--threads must be a number from 1 to 1024");
		opts.query_threads = (uint32_t)t;
	}
	stele_err err;
	if (stele_open(dbpath, &opts, &s.db, &err))
		return cli_fail("sql", EXIT_FAILED, "%s", err.msg);
	if (statement) {
		run_text(&s, statement, strlen(statement));
	} else if (file || !isatty(STDIN_FILENO)) {
		FILE *f = file ? (strcmp(file, "-") == 0 ? stdin : fopen(file, "r")) : stdin;
		Buf text = {0};
		if (!f || read_all(f, &text)) {
			if (f && f != stdin)
				fclose(f);
			buf_free(&text);
			stele_close(s.db, NULL);
			return cli_fail("sql", EXIT_FAILED, "could not read \"%s\"", file ? file : "-");
		}
		if (f != stdin)
			fclose(f);
		run_text(&s, text.data ? (const char *)text.data : "", text.len);
		buf_free(&text);
	} else {
		shell(&s);
	}
	if (stele_close(s.db, &err)) {
		fprintf(stderr, "stele sql: %s\n", err.msg);
		return EXIT_FAILED;
	}
	return s.failures ? EXIT_FAILED : 0;
}
