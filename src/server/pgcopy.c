/*
 * pgcopy.c - COPY table [(columns)] FROM STDIN: rows in PostgreSQL's text
 * or CSV format become line protocol written with stele_write_lp.
 *
 *   COPY cpu FROM STDIN                      text: tab-separated, \N is NULL,
 *                                            backslash escapes (\t \n \\ \123 \x1f)
 *   COPY cpu (ts, host, usage) FROM STDIN    those columns, in that order
 *   COPY cpu FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER ',', NULL '')
 *   COPY cpu FROM STDIN CSV HEADER           the pre-9.0 spelling
 *
 * The table must exist (its columns, from information_schema.columns,
 * say which are tags, which fields and of what type, and where ts is) and
 * the session must be allowed to write. Each row is checked as it comes:
 * values are read with the engine's parsers (sql/sqlfmt.h: the same text a
 * literal may have), and a bad row ends the COPY with an error that names
 * its line and column (PostgreSQL's CONTEXT: "COPY cpu, line 3, column
 * usage: "abc""). ts must be given and not NULL; NULL tags and fields and
 * empty tags are left out of the point; a row needs one field value.
 *
 * Rows are written in batches of PG_COPY_CHUNK bytes of line protocol,
 * each committed atomically; a COPY larger than that is not atomic as a
 * whole: when a row fails, the batches before it stay written (the
 * error's detail says how many rows). The CSV record being read is
 * bounded by --max-line.
 *
 * Protocol: CopyInResponse, then CopyData until CopyDone ("COPY n") or
 * CopyFail (57014); Flush and Sync are ignored meanwhile, anything else
 * ends the COPY (08P01). After an error the rest of a simple Query is
 * dropped and ReadyForQuery follows; after an extended Execute the session
 * waits for Sync (pgquery.c drops CopyData that still comes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest/lp.h"
#include "server/errmap.h"
#include "server/metrics.h"
#include "server/pg_int.h"
#include "server/pgtext.h"
#include "sql/sqlfmt.h"

#define MAX_COPY_COLS 1024

struct PgCopy {
	char table[128];
	uint32_t ncols;
	PgColumn *cols;          /* the columns of a row, in input order */
	bool csv, header;
	char delim, quote, escape;
	char null_str[64];
	size_t null_len;
	Buf rec;                 /* the record being read (--max-line) */
	bool in_quotes;          /* CSV: inside a quoted field */
	bool escaped;            /* CSV: the byte before was the escape */
	Buf lp;                  /* line protocol not yet written */
	Buf lines;               /* input line of each line of lp (uint64) */
	uint64_t lineno;         /* input lines seen */
	uint64_t rec_line;       /* the line where the record began */
	uint64_t rows;           /* rows written */
	uint64_t pending;        /* rows in lp */
	bool ended;              /* "\." seen: the rest is ignored */
	char **fields;           /* one record's fields (into fbuf) */
	bool *nulls;
	Buf fbuf;
};

void pgcopy_free(PgCopy *cp)
{
	if (!cp)
		return;
	free(cp->cols);
	buf_free(&cp->rec);
	buf_free(&cp->lp);
	buf_free(&cp->lines);
	buf_free(&cp->fbuf);
	free(cp->fields);
	free(cp->nulls);
	free(cp);
}

bool pgcopy_is(const char *sql, size_t n)
{
	PgLex lx = pgtx_lex(sql, n);
	PgTok t = pgtx_next(&lx);
	return pgtx_is(&t, "copy");
}

/* ---- the statement ---- */

typedef struct Parser {
	PgLex lx;
	PgTok t;
} Parser;

static void adv(Parser *p) { p->t = pgtx_next(&p->lx); }

static int syntax(const Parser *p, StErr *err)
{
	if (p->t.kind == PGTK_END)
		return failf(err, STELE_EPARSE, "syntax error at end of input");
	return failf(err, STELE_EPARSE, "syntax error at or near \"%.*s\"", (int)p->t.n, p->t.p);
}

/* A one-character option value ('x'). */
static int char_opt(Parser *p, const char *what, char *out, StErr *err)
{
	char v[8];
	if (p->t.kind != PGTK_STRING)
		return syntax(p, err);
	if (pgtx_value(&p->t, v, sizeof v) != 1)
		return failf(err, STELE_EINVAL, "COPY %s must be a single one-byte character", what);
	*out = v[0];
	adv(p);
	return STELE_OK;
}

static int bool_opt(Parser *p, bool *out)
{
	*out = true;
	if (pgtx_is(&p->t, "true") || pgtx_is(&p->t, "on") || (p->t.kind == PGTK_NUMBER &&
	                                                        p->t.n == 1 && p->t.p[0] == '1')) {
		adv(p);
	} else if (pgtx_is(&p->t, "false") || pgtx_is(&p->t, "off") ||
	           (p->t.kind == PGTK_NUMBER && p->t.n == 1 && p->t.p[0] == '0')) {
		*out = false;
		adv(p);
	}
	return STELE_OK;
}

static int option(Parser *p, PgCopy *cp, bool legacy, StErr *err)
{
	PgTok o = p->t;
	adv(p);
	if (pgtx_is(&o, "format")) {
		char v[16];
		pgtx_value(&p->t, v, sizeof v);
		if (!strcmp(v, "csv"))
			cp->csv = true;
		else if (!strcmp(v, "text"))
			cp->csv = false;
		else
			return failf(err, STELE_EINVAL, "COPY format \"%s\" not supported (text or csv)", v);
		adv(p);
		return STELE_OK;
	}
	if (pgtx_is(&o, "csv")) {
		cp->csv = true;
		return STELE_OK;
	}
	if (pgtx_is(&o, "binary"))
		return failf(err, STELE_EINVAL, "COPY format \"binary\" not supported (text or csv)");
	if (pgtx_is(&o, "header"))
		return legacy ? (cp->header = true, STELE_OK) : bool_opt(p, &cp->header);
	if (legacy && pgtx_is(&p->t, "as"))
		adv(p);
	if (pgtx_is(&o, "delimiter"))
		return char_opt(p, "delimiter", &cp->delim, err);
	if (pgtx_is(&o, "quote"))
		return char_opt(p, "quote", &cp->quote, err);
	if (pgtx_is(&o, "escape"))
		return char_opt(p, "escape", &cp->escape, err);
	if (pgtx_is(&o, "null")) {
		if (p->t.kind != PGTK_STRING)
			return syntax(p, err);
		cp->null_len = pgtx_value(&p->t, cp->null_str, sizeof cp->null_str);
		adv(p);
		return STELE_OK;
	}
	if (pgtx_is(&o, "encoding")) {
		char v[16];
		pgtx_value(&p->t, v, sizeof v);
		adv(p);
		if (strcasecmp(v, "utf8") && strcasecmp(v, "utf-8"))
			return failf(err, STELE_EINVAL, "COPY encoding \"%s\" not supported (UTF8)", v);
		return STELE_OK;
	}
	if (pgtx_is(&o, "freeze"))
		return legacy ? STELE_OK : bool_opt(p, &(bool){false});
	return failf(err, STELE_EINVAL, "option \"%.*s\" not recognized", (int)o.n, o.p);
}

/* Parses the statement into cp (table, column names in names[]). */
static int parse_copy(const char *sql, size_t n, PgCopy *cp, char (*names)[128],
                      uint32_t *nnames, const char **code, StErr *err)
{
	Parser p = {.lx = pgtx_lex(sql, n)};
	adv(&p);   /* COPY */
	adv(&p);
	*nnames = 0;
	if (p.t.kind != PGTK_WORD && p.t.kind != PGTK_QIDENT)
		return syntax(&p, err);
	pgtx_value(&p.t, cp->table, sizeof cp->table);
	adv(&p);
	if (pgtx_punct(&p.t, ".")) {
		if (strcmp(cp->table, "public")) {
			*code = "3F000";
			return failf(err, STELE_ENOENT, "schema \"%s\" does not exist", cp->table);
		}
		adv(&p);
		if (p.t.kind != PGTK_WORD && p.t.kind != PGTK_QIDENT)
			return syntax(&p, err);
		pgtx_value(&p.t, cp->table, sizeof cp->table);
		adv(&p);
	}
	if (pgtx_punct(&p.t, "(")) {
		for (;;) {
			adv(&p);
			if (p.t.kind != PGTK_WORD && p.t.kind != PGTK_QIDENT)
				return syntax(&p, err);
			if (*nnames == MAX_COPY_COLS)
				return failf(err, STELE_ELIMIT, "too many columns");
			pgtx_value(&p.t, names[(*nnames)++], 128);
			adv(&p);
			if (pgtx_punct(&p.t, ")"))
				break;
			if (!pgtx_punct(&p.t, ","))
				return syntax(&p, err);
		}
		adv(&p);
	}
	if (pgtx_is(&p.t, "to")) {
		*code = "0A000";
		return failf(err, STELE_EINVAL, "COPY TO is not supported: use SELECT");
	}
	if (!pgtx_is(&p.t, "from"))
		return syntax(&p, err);
	adv(&p);
	if (!pgtx_is(&p.t, "stdin")) {
		*code = "0A000";
		return failf(err, STELE_EINVAL, "COPY FROM a file or program is not supported: use "
		             "FROM STDIN");
	}
	adv(&p);
	if (pgtx_is(&p.t, "with"))
		adv(&p);
	if (pgtx_punct(&p.t, "(")) {
		adv(&p);
		while (!pgtx_punct(&p.t, ")")) {
			if (p.t.kind != PGTK_WORD)
				return syntax(&p, err);
			int rc = option(&p, cp, false, err);
			if (rc)
				return rc;
			if (pgtx_punct(&p.t, ","))
				adv(&p);
			else if (!pgtx_punct(&p.t, ")"))
				return syntax(&p, err);
		}
		adv(&p);
	} else {
		while (p.t.kind == PGTK_WORD) {
			int rc = option(&p, cp, true, err);
			if (rc)
				return rc;
		}
	}
	if (pgtx_punct(&p.t, ";"))
		adv(&p);
	if (p.t.kind != PGTK_END)
		return syntax(&p, err);
	return STELE_OK;
}

bool pgcopy_start(PgConn *c, const char *sql, size_t n)
{
	PgSess *ss = &c->sess;
	StErr err = {0};
	const char *code = NULL;
	metrics_add(c->s->metrics, M_QUERIES, 1);
	PgCopy *cp = calloc(1, sizeof *cp);
	char (*names)[128] = malloc(MAX_COPY_COLS * sizeof *names);
	PgTable *ts = NULL;
	uint32_t nt = 0, nnames = 0;
	int rc = cp && names ? STELE_OK : failf(&err, STELE_ENOMEM, "out of memory");
	if (rc == STELE_OK) {
		cp->delim = 0;
		cp->quote = cp->escape = '"';
		cp->null_len = (size_t)-1;
		rc = parse_copy(sql, n, cp, names, &nnames, &code, &err);
	}
	if (rc == STELE_OK) {
		if (!cp->delim)
			cp->delim = cp->csv ? ',' : '\t';
		if (cp->null_len == (size_t)-1)
			cp->null_len = (size_t)snprintf(cp->null_str, sizeof cp->null_str, "%s",
			                                cp->csv ? "" : "\\N");
		if (cp->delim == '\n' || cp->delim == '\r' || (cp->csv && cp->delim == cp->quote))
			rc = failf(&err, STELE_EINVAL, "COPY delimiter cannot be that character");
	}
	if (rc == STELE_OK && !ss->can_write) {
		metrics_add(c->s->metrics, M_AUTH_FAILURES, 1);
		code = "42501";
		rc = failf(&err, STELE_EREADONLY,
		           "permission denied: token \"%s\" may not write to database \"%s\"",
		           ss->tok.name, ss->db);
	}
	if (rc == STELE_OK)
		rc = pgcat_tables(c, &ts, &nt, &err);
	const PgTable *t = NULL;
	for (uint32_t i = 0; rc == STELE_OK && i < nt; i++)
		if (!strcmp(ts[i].name, cp->table))
			t = &ts[i];
	if (rc == STELE_OK && !t) {
		code = "42P01";
		rc = failf(&err, STELE_ENOENT, "relation \"%s\" does not exist", cp->table);
	}
	if (rc == STELE_OK) {
		cp->ncols = nnames ? nnames : t->ncols;
		cp->cols = calloc(cp->ncols + 1, sizeof *cp->cols);
		cp->fields = calloc(cp->ncols + 1, sizeof *cp->fields);
		cp->nulls = calloc(cp->ncols + 1, sizeof *cp->nulls);
		if (!cp->cols || !cp->fields || !cp->nulls)
			rc = failf(&err, STELE_ENOMEM, "out of memory");
	}
	bool have_ts = false;
	for (uint32_t i = 0; rc == STELE_OK && i < cp->ncols; i++) {
		if (!nnames) {
			cp->cols[i] = t->cols[i];
		} else {
			const PgColumn *found = NULL;
			for (uint32_t k = 0; k < t->ncols; k++)
				if (!strcmp(t->cols[k].name, names[i]))
					found = &t->cols[k];
			for (uint32_t k = 0; k < i && found; k++)
				if (!strcmp(cp->cols[k].name, names[i])) {
					code = "42701";
					rc = failf(&err, STELE_EINVAL, "column \"%s\" specified more than once",
					           names[i]);
				}
			if (!found && rc == STELE_OK) {
				code = "42703";
				rc = failf(&err, STELE_ENOENT, "column \"%s\" of relation \"%s\" does not exist",
				           names[i], cp->table);
			}
			if (found)
				cp->cols[i] = *found;
		}
		have_ts |= cp->cols[i].kind == 'T';
	}
	if (rc == STELE_OK && !have_ts) {
		code = "23502";
		rc = failf(&err, STELE_EINVAL, "COPY %s without its time column: every row needs ts",
		           cp->table);
	}
	pgcat_free_tables(ts, nt);
	free(names);
	if (rc != STELE_OK) {
		pgcopy_free(cp);
		metrics_add(c->s->metrics, M_QUERY_ERRORS, 1);
		pgq_error(c, code, &err, 0);
		return false;
	}
	cp->rec.max = c->s->cfg.max_line;
	/* A chunk, and room for the longest row's line protocol past it. */
	cp->lp.max = (size_t)PG_COPY_CHUNK + c->s->cfg.max_line * 3 + (size_t)cp->ncols * 400 +
	             65536;
	cp->fbuf.max = c->s->cfg.max_line + 65536;
	ss->copy = cp;
	ss->state = PGS_COPY_IN;
	pgp_copy_in(&ss->out, 0, (uint16_t)cp->ncols);
	return true;
}

/* ---- rows ---- */

/* Ends the COPY: the error (if any) is answered, and the protocol goes
 * on as pgquery.c needs it. */
static void finish(PgConn *c, const char *code, const StErr *e, const char *where,
                   const char *detail)
{
	PgSess *ss = &c->sess;
	PgCopy *cp = ss->copy;
	if (e) {
		metrics_add(c->s->metrics, M_QUERY_ERRORS, 1);
		char msg[STELE_ERR_MSG_MAX];
		snprintf(msg, sizeof msg, "%s", e->msg);
		PgError pe = {.severity = "ERROR", .code = code ? code : errmap_sqlstate(e), .message = msg,
		              .where = where, .detail = detail};
		pgp_error(&ss->out, &pe);
		if (ss->tx == 'T')
			ss->tx = 'E';
	} else {
		char tag[64];
		snprintf(tag, sizeof tag, "COPY %llu", (unsigned long long)cp->rows);
		pgp_complete(&ss->out, tag);
	}
	pgcopy_free(cp);
	ss->copy = NULL;
	ss->state = PGS_READY;
	if (ss->copy_simple) {
		if (e) {
			free(ss->rest);
			ss->rest = NULL;
			ss->nrest = 0;
			pgp_ready(&ss->out, ss->tx);
		} else {
			pgq_simple_rest(c);
		}
	} else if (e) {
		ss->skip_to_sync = true;
	}
}

/* Writes the line protocol gathered so far. */
static int write_lp(PgConn *c, StErr *err, char *where, size_t nwhere, char *detail,
                    size_t ndetail)
{
	PgCopy *cp = c->sess.copy;
	if (!cp->lp.len)
		return STELE_OK;
	stele_write_options wo = {.precision = STELE_PRECISION_NS, .first_line = 1};
	stele_write_result res;
	int rc = stele_write_lp(c->sess.sdb, (const char *)cp->lp.data, cp->lp.len, &wo, &res, err);
	Metrics *m = c->s->metrics;
	metrics_add(m, M_ROWS_INGESTED, res.lines_written);
	metrics_add(m, M_VALUES_INGESTED, res.values_written);
	metrics_add(m, M_LINES_REJECTED, res.lines_rejected);
	uint64_t before = cp->rows;
	cp->rows += res.lines_written;
	if (rc != STELE_OK && res.n_errors) {
		const stele_line_error *le = &res.errors[0];
		uint64_t k = le->line >= 1 ? le->line - 1 : 0, line = 0;
		if (k * 8 + 8 <= cp->lines.len)
			memcpy(&line, cp->lines.data + k * 8, 8);
		snprintf(where, nwhere, "COPY %s, line %llu", cp->table, (unsigned long long)line);
		failf(err, le->code, "%s", le->msg);
	}
	if (rc != STELE_OK && detail)
		snprintf(detail, ndetail, "%llu rows of this COPY were written (line protocol batches "
		         "are committed on their own)", (unsigned long long)cp->rows);
	(void)before;
	buf_reset(&cp->lp);
	buf_reset(&cp->lines);
	cp->pending = 0;
	return rc;
}

/* Decodes the text format's backslash escapes of s[0..n) into out. */
static void unescape_text(const char *s, size_t n, Buf *out)
{
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch != '\\' || i + 1 == n) {
			buf_put_u8(out, (uint8_t)ch);
			continue;
		}
		char e = s[++i];
		switch (e) {
		case 'b': buf_put_u8(out, '\b'); break;
		case 'f': buf_put_u8(out, '\f'); break;
		case 'n': buf_put_u8(out, '\n'); break;
		case 'r': buf_put_u8(out, '\r'); break;
		case 't': buf_put_u8(out, '\t'); break;
		case 'v': buf_put_u8(out, '\v'); break;
		case 'x': {
			int v = 0, k = 0;
			while (k < 2 && i + 1 < n && strchr("0123456789abcdefABCDEF", s[i + 1]) && s[i + 1]) {
				char h = s[++i];
				v = v * 16 + (h <= '9' ? h - '0' : (h | 32) - 'a' + 10);
				k++;
			}
			if (k)
				buf_put_u8(out, (uint8_t)v);
			else
				buf_put_u8(out, 'x');
			break;
		}
		default:
			if (e >= '0' && e <= '7') {
				int v = e - '0', k = 1;
				while (k < 3 && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7') {
					v = v * 8 + (s[++i] - '0');
					k++;
				}
				buf_put_u8(out, (uint8_t)v);
			} else {
				buf_put_u8(out, (uint8_t)e);
			}
		}
	}
}

/* Splits the record into cp->fields / cp->nulls; STELE_OK or a 22P04
 * error. Field texts live in cp->fbuf, NUL-terminated. */
static int split(PgCopy *cp, const char *r, size_t n, StErr *err)
{
	buf_reset(&cp->fbuf);
	size_t offs[MAX_COPY_COLS + 1];
	uint32_t nf = 0;
	size_t i = 0;
	for (;;) {
		if (nf == cp->ncols)
			return failf(err, STELE_EINVAL, "extra data after last expected column");
		offs[nf] = cp->fbuf.len;
		cp->nulls[nf] = false;
		if (!cp->csv) {
			size_t j = i;
			while (j < n && r[j] != cp->delim) {
				if (r[j] == '\\' && j + 1 < n)
					j++;
				j++;
			}
			if (j > n)
				j = n;
			if (j - i == cp->null_len && memcmp(r + i, cp->null_str, cp->null_len) == 0)
				cp->nulls[nf] = true;
			else
				unescape_text(r + i, j - i, &cp->fbuf);
			i = j;
		} else {
			bool quoted = false;
			size_t start = i;
			while (i < n && r[i] != cp->delim) {
				if (r[i] == cp->quote) {
					quoted = true;
					i++;
					while (i < n) {
						/* "" (or the escape and a quote) is a quote; a
						 * lone quote ends the quoted part. */
						if (r[i] == cp->escape && i + 1 < n &&
						    (r[i + 1] == cp->quote ||
						     (cp->escape != cp->quote && r[i + 1] == cp->escape))) {
							buf_put_u8(&cp->fbuf, (uint8_t)r[i + 1]);
							i += 2;
							continue;
						}
						if (r[i] == cp->quote) {
							i++;
							break;
						}
						buf_put_u8(&cp->fbuf, (uint8_t)r[i++]);
					}
					continue;
				}
				buf_put_u8(&cp->fbuf, (uint8_t)r[i++]);
			}
			if (!quoted && i - start == cp->null_len &&
			    memcmp(r + start, cp->null_str, cp->null_len) == 0)
				cp->nulls[nf] = true;
		}
		buf_put_u8(&cp->fbuf, 0);
		nf++;
		if (i >= n)
			break;
		i++;   /* the delimiter */
	}
	if (cp->fbuf.failed)
		return failf(err, STELE_ELIMIT, "row is too long");
	if (nf < cp->ncols)
		return failf(err, STELE_EINVAL, "missing data for column \"%s\"", cp->cols[nf].name);
	for (uint32_t k = 0; k < nf; k++)
		cp->fields[k] = (char *)cp->fbuf.data + offs[k];
	return STELE_OK;
}

/* One record: checked, converted and added to the line protocol. */
static int record(PgConn *c, const char *r, size_t n, const char **code, char *where,
                  size_t nwhere, StErr *err)
{
	PgCopy *cp = c->sess.copy;
	if (n == 2 && r[0] == '\\' && r[1] == '.') {
		cp->ended = true;
		return STELE_OK;
	}
	if (cp->csv && cp->header) {
		cp->header = false;
		return STELE_OK;
	}
	snprintf(where, nwhere, "COPY %s, line %llu", cp->table, (unsigned long long)cp->rec_line);
	int rc = split(cp, r, n, err);
	if (rc) {
		*code = "22P04";
		return rc;
	}
	Buf *lp = &cp->lp;
	size_t start = lp->len;
	lp_put_measurement(lp, cp->table, strlen(cp->table));
	int64_t ts = 0;
	for (uint32_t i = 0; i < cp->ncols; i++) {
		const PgColumn *col = &cp->cols[i];
		if (col->kind == 'T') {
			if (cp->nulls[i]) {
				*code = "23502";
				return failf(err, STELE_EINVAL, "null value in column \"%s\" of relation \"%s\" "
				             "violates not-null constraint", col->name, cp->table);
			}
			const char *v = cp->fields[i];
			if (sqlfmt_parse_timestamp(v, strlen(v), &ts, err)) {
				snprintf(where, nwhere, "COPY %s, line %llu, column %s: \"%.100s\"", cp->table,
				         (unsigned long long)cp->rec_line, col->name, v);
				*code = "22007";
				return STELE_EINVAL;
			}
		} else if (col->kind == 't' && !cp->nulls[i] && cp->fields[i][0]) {
			if (strpbrk(cp->fields[i], "\n\r")) {
				snprintf(where, nwhere, "COPY %s, line %llu, column %s", cp->table,
				         (unsigned long long)cp->rec_line, col->name);
				*code = "22P02";
				lp->len = start;
				return failf(err, STELE_EINVAL, "a tag value cannot hold a line break");
			}
			buf_put_u8(lp, ',');
			lp_put_tag(lp, col->name, strlen(col->name));
			buf_put_u8(lp, '=');
			lp_put_tag(lp, cp->fields[i], strlen(cp->fields[i]));
		}
	}
	bool first = true;
	for (uint32_t i = 0; i < cp->ncols; i++) {
		const PgColumn *col = &cp->cols[i];
		if (col->kind != 'f' || cp->nulls[i])
			continue;
		const char *v = cp->fields[i];
		size_t vn = strlen(v);
		buf_put_u8(lp, first ? ' ' : ',');
		first = false;
		lp_put_field_key(lp, col->name, strlen(col->name));
		buf_put_u8(lp, '=');
		char num[32];
		int nk, prc = STELE_OK;
		double d;
		int64_t iv;
		uint64_t uv;
		bool b;
		switch (col->type) {
		case STELE_TYPE_DOUBLE:
			if ((prc = sqlfmt_parse_double(v, vn, &d, err)) == STELE_OK)
				lp_put_double(lp, d);
			break;
		case STELE_TYPE_BIGINT:
			if ((prc = sqlfmt_parse_bigint(v, vn, &iv, err)) == STELE_OK) {
				nk = snprintf(num, sizeof num, "%lldi", (long long)iv);
				buf_put(lp, num, (size_t)nk);
			}
			break;
		case STELE_TYPE_UBIGINT:
			if ((prc = sqlfmt_parse_ubigint(v, vn, &uv, err)) == STELE_OK) {
				nk = snprintf(num, sizeof num, "%lluu", (unsigned long long)uv);
				buf_put(lp, num, (size_t)nk);
			}
			break;
		case STELE_TYPE_BOOLEAN:
			if ((prc = sqlfmt_parse_bool(v, vn, &b, err)) == STELE_OK)
				buf_put_u8(lp, b ? 't' : 'f');
			break;
		default:
			lp_put_string_value(lp, v, vn);
		}
		if (prc) {
			snprintf(where, nwhere, "COPY %s, line %llu, column %s: \"%.100s\"", cp->table,
			         (unsigned long long)cp->rec_line, col->name, v);
			*code = "22P02";
			lp->len = start;
			return prc;
		}
	}
	if (first) {
		lp->len = start;
		*code = "23502";
		return failf(err, STELE_EINVAL, "row has no field values: Stele stores a row of \"%s\" "
		             "only with at least one field", cp->table);
	}
	char tsb[32];
	int k = snprintf(tsb, sizeof tsb, " %lld\n", (long long)ts);
	buf_put(lp, tsb, (size_t)k);
	buf_put(&cp->lines, &cp->rec_line, 8);
	cp->pending++;
	if (lp->failed || cp->lines.failed)
		return failf(err, STELE_ENOMEM, "out of memory converting COPY rows");
	if (lp->len >= PG_COPY_CHUNK) {
		rc = write_lp(c, err, where, nwhere, NULL, 0);
		if (rc)
			*code = NULL;
	}
	return rc;
}

/* CopyData: complete records are handled as they arrive. */
static void data(PgConn *c, const uint8_t *p, size_t n)
{
	PgCopy *cp = c->sess.copy;
	metrics_add(c->s->metrics, M_BYTES_INGESTED, n);
	char where[256] = "";
	const char *code = NULL;
	StErr err = {0};
	for (size_t i = 0; i < n && !cp->ended; i++) {
		char ch = (char)p[i];
		if (cp->rec.len == 0 && !cp->in_quotes)
			cp->rec_line = cp->lineno + 1;
		if (ch == 0) {
			snprintf(where, sizeof where, "COPY %s, line %llu", cp->table,
			         (unsigned long long)cp->rec_line);
			failf(&err, STELE_EINVAL, "invalid byte sequence for encoding \"UTF8\": 0x00");
			finish(c, "22021", &err, where, NULL);
			return;
		}
		if (ch == '\n') {
			cp->lineno++;
			if (!cp->in_quotes) {
				size_t len = cp->rec.len;
				if (len && cp->rec.data[len - 1] == '\r')
					len--;
				int rc = record(c, (const char *)cp->rec.data, len, &code, where, sizeof where,
				                &err);
				buf_reset(&cp->rec);
				if (rc) {
					finish(c, code, &err, where[0] ? where : NULL, NULL);
					return;
				}
				continue;
			}
		} else if (cp->csv && cp->escaped) {
			cp->escaped = false;
		} else if (cp->csv && cp->in_quotes && ch == cp->escape && cp->escape != cp->quote) {
			cp->escaped = true;
		} else if (cp->csv && ch == cp->quote) {
			cp->in_quotes = !cp->in_quotes;
		}
		buf_put_u8(&cp->rec, (uint8_t)ch);
		if (cp->rec.failed) {
			failf(&err, STELE_ELIMIT, "COPY line %llu is longer than %zu bytes (--max-line)",
			      (unsigned long long)cp->rec_line, cp->rec.max);
			finish(c, "54000", &err, NULL, NULL);
			return;
		}
	}
}

static void done(PgConn *c)
{
	PgCopy *cp = c->sess.copy;
	char where[256] = "", detail[128] = "";
	const char *code = NULL;
	StErr err = {0};
	if (cp->in_quotes && !cp->ended) {
		snprintf(where, sizeof where, "COPY %s, line %llu", cp->table,
		         (unsigned long long)cp->rec_line);
		failf(&err, STELE_EINVAL, "unterminated CSV quoted field");
		finish(c, "22P04", &err, where, NULL);
		return;
	}
	if (cp->rec.len && !cp->ended) {
		/* A last line without its newline. */
		cp->lineno++;
		if (record(c, (const char *)cp->rec.data, cp->rec.len, &code, where, sizeof where,
		           &err)) {
			finish(c, code, &err, where, NULL);
			return;
		}
	}
	if (write_lp(c, &err, where, sizeof where, detail, sizeof detail) != STELE_OK) {
		finish(c, NULL, &err, where[0] ? where : NULL, detail[0] ? detail : NULL);
		return;
	}
	finish(c, NULL, NULL, NULL, NULL);
}

void pgcopy_handle(PgConn *c, char type, const uint8_t *body, size_t n)
{
	StErr err = {0};
	switch (type) {
	case 'd':
		data(c, body, n);
		return;
	case 'c':
		done(c);
		return;
	case 'f': {
		const char *msg = "";
		size_t len;
		if (pgp_cstring(body, n, &msg, &len, &err) != STELE_OK)
			msg = "";
		failf(&err, STELE_ELIMIT, "COPY from stdin failed: %s", msg);
		finish(c, "57014", &err, NULL, NULL);
		return;
	}
	case 'H':
	case 'S':
		return;
	default:
		failf(&err, STELE_EPARSE, "unexpected message type 0x%02X during COPY from stdin",
		      (unsigned char)type);
		finish(c, "08P01", &err, NULL, NULL);
	}
}
