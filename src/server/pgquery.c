/*
 * pgquery.c - the simple and extended query protocols of an authenticated
 * session: statements, portals, results, errors, transaction status.
 *
 * Both protocols run statements through portals. A statement's text is
 * classified first (classify):
 *
 *   PGK_EMPTY   only spaces, comments, ';'       EmptyQueryResponse
 *   PGK_COPY    COPY ... FROM STDIN              pgcopy.c
 *   PGK_LOCAL   SET, SHOW, RESET, DISCARD,       answered here from the
 *               DEALLOCATE (pgset.c), catalog    session and Stele's catalog
 *               queries (pgcatalog.c)
 *   PGK_ENGINE  everything else                  the SQL engine, after
 *                                                pgset_rewrite of version(),
 *                                                current_setting(), ...
 *
 * Simple query ('Q'): the text is split into statements (pgtext.h); each
 * gets a portal of its own, RowDescription, DataRows and CommandComplete;
 * the first error ends the message; ReadyForQuery closes it. A COPY
 * keeps what follows it (sess.rest) until CopyDone, as PostgreSQL does.
 *
 * Extended query: Parse makes a PgStmt: the engine prepares the text
 * without values (stele_prepare_params with params NULL: every $N a NULL,
 * or a typed NULL where Parse declared a type) to check it and to learn
 * its columns and parameters, and lets it go. Bind prepares it again
 * with the values (pgtypes.h turns them into stele_params; they are never
 * spliced into the text), into a PgPortal that owns the engine statement.
 * Execute sends up to its row limit and answers PortalSuspended when rows
 * are left (the portal keeps its batch and row); a later Execute goes on.
 * An error makes the session drop every message up to Sync; Sync answers
 * ReadyForQuery and, outside a transaction block, closes every portal.
 *
 * Permissions: a statement that is not read-only (stele_stmt_readonly)
 * needs write on the database (42501 otherwise). Local statements need
 * nothing more than the read access the session has.
 *
 * Transaction status: Stele commits every statement on its own; BEGIN,
 * COMMIT and ROLLBACK are accepted (the engine's), and the status byte
 * follows them so that clients that track it (psycopg, JDBC) see what
 * they expect: 'T' after BEGIN, 'E' after an error inside the block (then
 * statements other than COMMIT/ROLLBACK fail with 25P02, and COMMIT
 * answers ROLLBACK, as in PostgreSQL), 'I' after COMMIT or ROLLBACK.
 *
 * Memory: statements and portals have an arena each and are bounded in
 * number (PG_MAX_STMTS, PG_MAX_PORTALS) and statement text in bytes
 * (PG_MAX_STMT_BYTES); output goes to the socket every PG_OUT_FLUSH bytes,
 * so a result of any size holds little (pgwire.c bounds what waits).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/errmap.h"
#include "server/metrics.h"
#include "server/pg_int.h"
#include "server/pgtext.h"
#include "server/pgtypes.h"
#include "util/timeutil.h"

/* ---- PgResult ---- */

void pgr_init(PgResult *r)
{
	memset(r, 0, sizeof *r);
	r->cells.max = (size_t)64 << 20;
}

void pgr_free(PgResult *r)
{
	buf_free(&r->cells);
}

void pgr_col(PgResult *r, const char *name, uint32_t oid)
{
	if (r->ncols >= PGR_MAXCOLS)
		return;
	uint32_t k = r->ncols++;
	snprintf(r->names[k], sizeof r->names[k], "%s", name);
	r->cols[k] = (PgColDesc){.name = r->names[k], .type_oid = oid, .typlen = pgty_len(oid),
	                         .typmod = -1};
}

void pgr_cell(PgResult *r, const char *v, size_t n)
{
	int32_t len = v ? (int32_t)n : -1;
	buf_put(&r->cells, &len, 4);
	if (v)
		buf_put(&r->cells, v, n);
}

void pgr_end_row(PgResult *r)
{
	r->nrows++;
}

/* ---- errors ---- */

void pgq_error(PgConn *c, const char *code, const StErr *e, size_t offset)
{
	PgSess *ss = &c->sess;
	char msg[STELE_ERR_MSG_MAX];
	errmap_message(e, msg, sizeof msg);
	int pos = errmap_position(e);
	PgError pe = {.severity = "ERROR", .code = code && *code ? code : errmap_sqlstate(e),
	              .message = msg, .position = pos ? pos + (int)offset : 0};
	pgp_error(&ss->out, &pe);
	if (ss->tx == 'T')
		ss->tx = 'E';
}

static void error_code(PgConn *c, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void error_code(PgConn *c, const char *code, const char *fmt, ...)
{
	StErr e = {.code = STELE_EINVAL};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	pgq_error(c, code, &e, 0);
}

/* ---- statements and portals ---- */

static PgStmt *find_stmt(PgSess *ss, const char *name)
{
	for (PgStmt *s = ss->stmts; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static void stmt_free(PgSess *ss, PgStmt *st)
{
	if (st->name[0])
		ss->nstmts--;
	ss->stmt_bytes -= st->sqllen;
	arena_free(&st->arena);
	free(st);
}

static void stmt_drop(PgSess *ss, PgStmt *st)
{
	for (PgStmt **p = &ss->stmts; *p; p = &(*p)->next)
		if (*p == st) {
			*p = st->next;
			break;
		}
	stmt_free(ss, st);
}

static PgPortal *find_portal(PgSess *ss, const char *name)
{
	for (PgPortal *p = ss->portals; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

static void portal_free(PgSess *ss, PgPortal *p)
{
	if (p->name[0])
		ss->nportals--;
	stele_finalize(p->st);
	if (p->local) {
		pgr_free(p->local);
		free(p->local);
	}
	arena_free(&p->arena);
	free(p);
}

static void portal_drop(PgSess *ss, PgPortal *pt)
{
	for (PgPortal **p = &ss->portals; *p; p = &(*p)->next)
		if (*p == pt) {
			*p = pt->next;
			break;
		}
	portal_free(ss, pt);
}

static void drop_portals(PgSess *ss)
{
	while (ss->portals) {
		PgPortal *p = ss->portals;
		ss->portals = p->next;
		portal_free(ss, p);
	}
}

bool pgq_deallocate(PgConn *c, const char *name)
{
	PgSess *ss = &c->sess;
	if (!name) {
		for (PgStmt **p = &ss->stmts; *p;) {
			PgStmt *st = *p;
			if (st->name[0]) {
				*p = st->next;
				stmt_free(ss, st);
			} else {
				p = &st->next;
			}
		}
		return true;
	}
	PgStmt *st = find_stmt(ss, name);
	if (!st || !name[0])
		return false;
	stmt_drop(ss, st);
	return true;
}

void pgq_free(PgSess *ss)
{
	drop_portals(ss);
	while (ss->stmts) {
		PgStmt *st = ss->stmts;
		ss->stmts = st->next;
		stmt_free(ss, st);
	}
	pgcopy_free(ss->copy);
	ss->copy = NULL;
	buf_free(&ss->msg);
	buf_free(&ss->out);
	free(ss->scram_first_bare);
	ss->scram_first_bare = NULL;
	free(ss->rest);
	ss->rest = NULL;
	pgset_free(&ss->set);
}

static char *adup(Arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* The columns of an engine statement, into the arena, with formats. */
static PgColDesc *engine_cols(Arena *a, stele_stmt *st, uint32_t *n, const uint8_t *formats,
                              uint16_t nformats)
{
	*n = stele_stmt_ncols(st);
	PgColDesc *cols = arena_alloc(a, (*n + 1) * sizeof *cols);
	if (!cols)
		return NULL;
	for (uint32_t i = 0; i < *n; i++) {
		uint32_t oid = pgty_oid(stele_stmt_col_type(st, i));
		const char *nm = stele_stmt_col_name(st, i);
		cols[i] = (PgColDesc){.name = adup(a, nm, strlen(nm)), .type_oid = oid,
		                      .typlen = pgty_len(oid), .typmod = -1,
		                      .format = pgp_format(nformats, formats, i)};
		if (!cols[i].name)
			return NULL;
	}
	return cols;
}

/* What a statement's text is: PGK_*. */
static uint8_t classify(PgConn *c, const char *sql, size_t n)
{
	bool blank;
	pgtx_split(sql, n, &blank);
	if (blank)
		return PGK_EMPTY;
	if (pgcopy_is(sql, n))
		return PGK_COPY;
	PgLex lx = pgtx_lex(sql, n);
	PgTok t = pgtx_next(&lx), t2 = pgtx_next(&lx);
	if (pgtx_is(&t, "set") || pgtx_is(&t, "reset") || pgtx_is(&t, "discard") ||
	    pgtx_is(&t, "deallocate") || (pgtx_is(&t, "show") && !pgtx_is(&t2, "tables")))
		return PGK_LOCAL;
	return PGK_ENGINE;
}

/* 1 for BEGIN / START, 2 COMMIT / END, 3 ROLLBACK / ABORT, 0 others. */
static int txn_word(const char *sql, size_t n)
{
	PgLex lx = pgtx_lex(sql, n);
	PgTok t = pgtx_next(&lx);
	if (pgtx_is(&t, "begin") || pgtx_is(&t, "start"))
		return 1;
	if (pgtx_is(&t, "commit") || pgtx_is(&t, "end"))
		return 2;
	if (pgtx_is(&t, "rollback") || pgtx_is(&t, "abort"))
		return 3;
	return 0;
}

/* The text the engine gets: with session functions as literals. *text
 * points at sql or into buf. */
static int engine_text(PgConn *c, const char *sql, size_t n, Buf *buf, const char **text,
                       size_t *len, StErr *err)
{
	int rc;
	*text = sql;
	*len = n;
	buf->max = 2 * n + 4096;
	if (pgset_rewrite(c, sql, n, buf, err, &rc)) {
		if (buf->failed)
			return failf(err, STELE_ENOMEM, "out of memory");
		*text = (const char *)buf->data;
		*len = buf->len;
		return STELE_OK;
	}
	*text = sql;
	*len = n;
	return rc;
}

/* The highest $N in the text (for statements the engine does not see). */
static uint32_t text_params(const char *sql, size_t n)
{
	PgLex lx = pgtx_lex(sql, n);
	uint32_t max = 0;
	for (PgTok t = pgtx_next(&lx); t.kind != PGTK_END; t = pgtx_next(&lx))
		if (t.kind == PGTK_PARAM && t.n <= 6) {
			uint32_t k = (uint32_t)strtoul(t.p + 1, NULL, 10);
			if (k > max)
				max = k;
		}
	return max;
}

/* A local statement's answer (SET & co. from pgset.c, else the catalog).
 * 1 ok, -1 error (*err, res->errcode), 0 not local after all. */
static int run_local(PgConn *c, const char *sql, size_t n, bool dry, const char *const *params,
                     uint32_t nparams, PgResult *res, StErr *err)
{
	int r = pgset_statement(c, sql, n, dry, res, err);
	if (r == 0)
		r = pgcat_query(c, sql, n, params, nparams, res, err);
	return r;
}

/* ---- Parse ---- */

/* Whether s[0..n) holds no statement. */
static bool only_blank(const char *s, size_t n)
{
	while (n) {
		bool blank;
		size_t k = pgtx_split(s, n, &blank);
		if (!blank)
			return false;
		s += k;
		n -= k;
	}
	return true;
}

/* Prepares st's text without values to learn what it is. *code gets the
 * SQLSTATE of a failure that errmap would not name ("" otherwise). */
static int describe_stmt(PgConn *c, PgStmt *st, char code[6], StErr *err)
{
	PgSess *ss = &c->sess;
	st->kind = classify(c, st->sql, st->sqllen);
	if (st->kind == PGK_EMPTY || st->kind == PGK_COPY)
		return STELE_OK;
	if (st->kind == PGK_LOCAL || st->kind == PGK_ENGINE) {
		PgResult res;
		pgr_init(&res);
		int r = run_local(c, st->sql, st->sqllen, true, NULL, 0, &res, err);
		if (r != 0) {
			st->kind = PGK_LOCAL;
			st->nparams = text_params(st->sql, st->sqllen);
			if (st->nparams < st->ntypes)
				st->nparams = st->ntypes;
			st->ncols = res.ncols;
			st->cols = arena_alloc(&st->arena, (res.ncols + 1) * sizeof *st->cols);
			for (uint32_t i = 0; st->cols && i < res.ncols; i++) {
				st->cols[i] = res.cols[i];
				st->cols[i].name = adup(&st->arena, res.names[i], strlen(res.names[i]));
			}
			snprintf(code, 6, "%s", res.errcode);
			pgr_free(&res);
			if (r < 0)
				return err->code ? err->code : STELE_EINVAL;
			return st->cols ? STELE_OK : failf(err, STELE_ENOMEM, "out of memory");
		}
		pgr_free(&res);
		st->kind = PGK_ENGINE;
	}
	Buf rw = {0};
	const char *text = NULL;
	size_t len = 0;
	int rc = engine_text(c, st->sql, st->sqllen, &rw, &text, &len, err);
	stele_stmt *s = NULL;
	const char *tail = NULL;
	if (rc == STELE_OK)
		rc = stele_prepare_params(ss->sdb, text, (ptrdiff_t)len, &tail, NULL, 0, &s, err);
	if (rc == STELE_OK && tail && !only_blank(tail, (size_t)(text + len - tail))) {
		stele_finalize(s);
		s = NULL;
		rc = failf(err, STELE_EPARSE, "cannot insert multiple commands into a prepared statement");
	}
	if (rc == STELE_OK && !s)
		st->kind = PGK_EMPTY;
	if (rc == STELE_OK && s) {
		st->nparams = stele_stmt_nparams(s);
		if (st->nparams < st->ntypes)
			st->nparams = st->ntypes;
		bool typed = false;
		for (uint32_t i = 0; i < st->ntypes; i++)
			typed |= pgty_param_type(st->types[i]) != STELE_TYPE_NONE;
		if (typed) {
			/* Declared types give the result its types (SELECT $1 with
			 * int8 is bigint): prepare again with typed NULLs. */
			stele_param *p = calloc(st->nparams + 1, sizeof *p);
			stele_stmt *s2 = NULL;
			StErr e2 = {0};
			for (uint32_t i = 0; p && i < st->nparams; i++)
				p[i] = (stele_param){.type = i < st->ntypes ? pgty_param_type(st->types[i])
				                                            : STELE_TYPE_NONE,
				                     .is_null = true};
			if (p && stele_prepare_params(ss->sdb, text, (ptrdiff_t)len, NULL, p, st->nparams,
			                              &s2, &e2) == STELE_OK && s2) {
				stele_finalize(s);
				s = s2;
			}
			free(p);
		}
		st->cols = engine_cols(&st->arena, s, &st->ncols, NULL, 0);
		if (!st->cols)
			rc = failf(err, STELE_ENOMEM, "out of memory");
		stele_finalize(s);
	}
	buf_free(&rw);
	return rc;
}

static void parse_msg(PgConn *c, const uint8_t *body, size_t n)
{
	PgSess *ss = &c->sess;
	PgParse p;
	StErr err = {0};
	if (pgp_parse(body, n, &p, &err) != STELE_OK) {
		pgq_error(c, "08P01", &err, 0);
		ss->skip_to_sync = true;
		return;
	}
	bool named = p.name[0] != '\0';
	if (named && find_stmt(ss, p.name)) {
		error_code(c, "42P05", "prepared statement \"%s\" already exists", p.name);
		ss->skip_to_sync = true;
		return;
	}
	if (!named) {
		PgStmt *old = find_stmt(ss, "");
		if (old)
			stmt_drop(ss, old);
	}
	if ((named && ss->nstmts >= PG_MAX_STMTS) || ss->stmt_bytes + p.sqllen > PG_MAX_STMT_BYTES) {
		error_code(c, "54000", "too many prepared statements in this session (at most %d, "
		           "%u MiB of text)", PG_MAX_STMTS, PG_MAX_STMT_BYTES >> 20);
		ss->skip_to_sync = true;
		return;
	}
	PgStmt *st = calloc(1, sizeof *st);
	if (!st) {
		error_code(c, "53200", "out of memory");
		ss->skip_to_sync = true;
		return;
	}
	st->arena.block_size = 4096;
	st->name = adup(&st->arena, p.name, strlen(p.name));
	st->sql = adup(&st->arena, p.sql, p.sqllen);
	st->sqllen = p.sqllen;
	st->ntypes = p.ntypes;
	st->types = arena_alloc(&st->arena, (p.ntypes + 1) * sizeof *st->types);
	if (!st->name || !st->sql || !st->types) {
		arena_free(&st->arena);
		free(st);
		error_code(c, "53200", "out of memory");
		ss->skip_to_sync = true;
		return;
	}
	for (uint32_t i = 0; i < p.ntypes; i++)
		st->types[i] = pgp_get_u32(p.types + 4 * i);
	char code[6] = "";
	int rc = describe_stmt(c, st, code, &err);
	if (rc != STELE_OK) {
		arena_free(&st->arena);
		free(st);
		pgq_error(c, code, &err, 0);
		ss->skip_to_sync = true;
		return;
	}
	if (named)
		ss->nstmts++;
	ss->stmt_bytes += st->sqllen;
	st->next = ss->stmts;
	ss->stmts = st;
	pgp_empty(&ss->out, '1');
}

/* ---- Bind ---- */

/* Opens a portal for text sql of kind `kind` with the values of a Bind
 * (or none), into *out. Errors go to the client (pgq_error) and give
 * false. `offset`: characters before sql in the Query message. */
static bool portal_open(PgConn *c, const char *name, uint8_t kind, const char *sql, size_t n,
                        const stele_param *vals, const char *const *texts, uint32_t nparams,
                        uint16_t nformats, const uint8_t *formats, size_t offset,
                        PgPortal **out)
{
	PgSess *ss = &c->sess;
	*out = NULL;
	PgPortal *pt = calloc(1, sizeof *pt);
	if (!pt) {
		error_code(c, "53200", "out of memory");
		return false;
	}
	pt->arena.block_size = 4096;
	pt->kind = kind;
	pt->name = adup(&pt->arena, name, strlen(name));
	pt->sql = adup(&pt->arena, sql, n);
	pt->sqllen = n;
	StErr err = {0};
	int rc = pt->name && pt->sql ? STELE_OK : failf(&err, STELE_ENOMEM, "out of memory");
	const char *code = NULL;
	if (rc == STELE_OK && (kind == PGK_LOCAL || kind == PGK_ENGINE)) {
		pt->local = malloc(sizeof *pt->local);
		if (!pt->local) {
			rc = failf(&err, STELE_ENOMEM, "out of memory");
		} else {
			pgr_init(pt->local);
			/* SET & co. run at Execute; a catalog query runs now. */
			int r = run_local(c, sql, n, true, texts, nparams, pt->local, &err);
			if (r == 0) {
				/* Not local: the engine's. */
				pgr_free(pt->local);
				free(pt->local);
				pt->local = NULL;
			} else if (r < 0) {
				rc = err.code ? err.code : STELE_EINVAL;
				code = pt->local->errcode;
			}
			if (pt->local) {
				pt->kind = kind = PGK_LOCAL;
				pt->ncols = pt->local->ncols;
				pt->cols = arena_alloc(&pt->arena, (pt->ncols + 1) * sizeof *pt->cols);
				for (uint32_t i = 0; pt->cols && i < pt->ncols; i++) {
					pt->cols[i] = pt->local->cols[i];
					pt->cols[i].format = pgp_format(nformats, formats, i);
				}
			}
		}
	}
	if (rc == STELE_OK && kind == PGK_ENGINE) {
		Buf rw = {0};
		const char *text = NULL;
		size_t len = 0;
		rc = engine_text(c, sql, n, &rw, &text, &len, &err);
		static const stele_param none;
		if (rc == STELE_OK)
			rc = stele_prepare_params(ss->sdb, text, (ptrdiff_t)len, NULL, vals ? vals : &none,
			                          nparams, &pt->st, &err);
		buf_free(&rw);
		if (rc == STELE_OK && !pt->st)
			pt->kind = PGK_EMPTY;
		if (rc == STELE_OK && pt->st && !stele_stmt_readonly(pt->st) && !ss->can_write) {
			metrics_add(c->s->metrics, M_AUTH_FAILURES, 1);
			rc = failf(&err, STELE_EREADONLY,
			           "permission denied: token \"%s\" may not write to database \"%s\"",
			           ss->tok.name, ss->db);
			code = "42501";
		}
		if (rc == STELE_OK && pt->st) {
			pt->cols = engine_cols(&pt->arena, pt->st, &pt->ncols, formats, nformats);
			if (!pt->cols)
				rc = failf(&err, STELE_ENOMEM, "out of memory");
		}
	}
	if (rc == STELE_OK && nformats > 1 && nformats != pt->ncols) {
		rc = failf(&err, STELE_EPARSE, "bind message has %u result formats but query has %u "
		           "columns", nformats, pt->ncols);
		code = "08P01";
	}
	if (rc != STELE_OK) {
		if (kind == PGK_ENGINE || kind == PGK_LOCAL)
			metrics_add(c->s->metrics, M_QUERY_ERRORS, 1);
		pgq_error(c, code, &err, offset);
		portal_free(ss, pt);
		return false;
	}
	*out = pt;
	return true;
}

static void bind_msg(PgConn *c, const uint8_t *body, size_t n)
{
	PgSess *ss = &c->sess;
	PgBind b;
	StErr err = {0};
	if (pgp_bind(body, n, &b, &err) != STELE_OK) {
		pgq_error(c, "08P01", &err, 0);
		ss->skip_to_sync = true;
		return;
	}
	PgStmt *st = find_stmt(ss, b.stmt);
	bool ok = true;
	if (!st) {
		if (b.stmt[0])
			error_code(c, "26000", "prepared statement \"%s\" does not exist", b.stmt);
		else
			error_code(c, "26000", "unnamed prepared statement does not exist");
		ok = false;
	} else if (b.nparams != st->nparams) {
		error_code(c, "08P01", "bind message supplies %u parameters, but prepared statement "
		           "\"%s\" requires %u", b.nparams, b.stmt, st->nparams);
		ok = false;
	} else if (b.portal[0] && find_portal(ss, b.portal)) {
		error_code(c, "42P03", "cursor \"%s\" already exists", b.portal);
		ok = false;
	} else if (b.portal[0] && ss->nportals >= PG_MAX_PORTALS) {
		error_code(c, "54000", "too many portals in this session (at most %d)", PG_MAX_PORTALS);
		ok = false;
	}
	if (ok && !b.portal[0]) {
		PgPortal *old = find_portal(ss, "");
		if (old)
			portal_drop(ss, old);
	}
	stele_param *vals = NULL;
	const char **texts = NULL;
	Arena scratch = {.block_size = 4096};
	if (ok && b.nparams) {
		vals = calloc(b.nparams, sizeof *vals);
		texts = calloc(b.nparams, sizeof *texts);
		if (!vals || !texts) {
			error_code(c, "53200", "out of memory");
			ok = false;
		}
	}
	for (uint32_t i = 0; ok && i < b.nparams; i++) {
		uint32_t oid = i < st->ntypes ? st->types[i] : 0;
		int16_t fmt = pgp_format(b.nformats, b.formats, i);
		const PgValue *v = &b.params[i];
		if (v->len < 0) {
			vals[i] = (stele_param){.type = pgty_param_type(oid), .is_null = true};
			continue;
		}
		if (pgty_param(oid, fmt, v->p, v->len, &scratch, &vals[i], &err) != STELE_OK) {
			err_prefix(&err, "parameter $%u", i + 1);
			pgq_error(c, fmt ? "22P03" : NULL, &err, 0);
			ok = false;
			break;
		}
		if (st->kind == PGK_LOCAL) {
			/* Catalog queries read their values as text. */
			if (vals[i].type == STELE_TYPE_NONE)
				texts[i] = adup(&scratch, vals[i].v.str.ptr, vals[i].v.str.len);
			else if (fmt == 0)
				texts[i] = adup(&scratch, (const char *)v->p, (size_t)v->len);
		}
	}
	PgPortal *pt = NULL;
	if (ok)
		ok = portal_open(c, b.portal, st->kind, st->sql, st->sqllen, vals,
		                 (const char *const *)texts, b.nparams, b.nresults, b.results, 0, &pt);
	free(vals);
	free(texts);
	arena_free(&scratch);
	free(b.params);
	if (!ok) {
		ss->skip_to_sync = true;
		return;
	}
	if (pt->name[0])
		ss->nportals++;
	pt->next = ss->portals;
	ss->portals = pt;
	pgp_empty(&ss->out, '2');
}

/* ---- Describe, Close ---- */

static void row_desc(PgSess *ss, const PgColDesc *cols, uint32_t n)
{
	if (n)
		pgp_row_desc(&ss->out, cols, n);
	else
		pgp_empty(&ss->out, 'n');
}

static void describe_msg(PgConn *c, const uint8_t *body, size_t n)
{
	PgSess *ss = &c->sess;
	PgTarget t;
	StErr err = {0};
	if (pgp_target(body, n, &t, &err) != STELE_OK) {
		pgq_error(c, "08P01", &err, 0);
		ss->skip_to_sync = true;
		return;
	}
	if (t.kind == 'S') {
		PgStmt *st = find_stmt(ss, t.name);
		if (!st) {
			error_code(c, "26000", "prepared statement \"%s\" does not exist", t.name);
			ss->skip_to_sync = true;
			return;
		}
		uint32_t *oids = calloc(st->nparams + 1, sizeof *oids);
		if (!oids) {
			error_code(c, "53200", "out of memory");
			ss->skip_to_sync = true;
			return;
		}
		/* Unspecified types are text: the values are read like literals. */
		for (uint32_t i = 0; i < st->nparams; i++)
			oids[i] = i < st->ntypes && st->types[i] ? st->types[i] : PGTY_TEXT;
		pgp_param_desc(&ss->out, oids, st->nparams);
		free(oids);
		row_desc(ss, st->cols, st->ncols);
		return;
	}
	PgPortal *pt = find_portal(ss, t.name);
	if (!pt) {
		error_code(c, "34000", "portal \"%s\" does not exist", t.name);
		ss->skip_to_sync = true;
		return;
	}
	row_desc(ss, pt->cols, pt->ncols);
}

static void close_msg(PgConn *c, const uint8_t *body, size_t n)
{
	PgSess *ss = &c->sess;
	PgTarget t;
	StErr err = {0};
	if (pgp_target(body, n, &t, &err) != STELE_OK) {
		pgq_error(c, "08P01", &err, 0);
		ss->skip_to_sync = true;
		return;
	}
	/* Closing what does not exist is no error. */
	if (t.kind == 'S') {
		PgStmt *st = find_stmt(ss, t.name);
		if (st)
			stmt_drop(ss, st);
	} else {
		PgPortal *pt = find_portal(ss, t.name);
		if (pt)
			portal_drop(ss, pt);
	}
	pgp_empty(&ss->out, '3');
}

/* ---- Execute ---- */

static void patch_be32(Buf *b, size_t at, uint32_t v)
{
	if (b->failed || at + 4 > b->len)
		return;
	uint8_t *p = b->data + at;
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void data_row(Buf *out, const PgPortal *pt, const stele_batch *b, uint32_t r)
{
	size_t at = pgp_begin(out, 'D');
	pgp_put_i16(out, (int16_t)pt->ncols);
	for (uint32_t i = 0; i < pt->ncols; i++) {
		const stele_column *col = i < b->ncols ? &b->cols[i] : NULL;
		if (!col || col->type == STELE_TYPE_NONE || col->nulls[r]) {
			pgp_put_i32(out, -1);
		} else if (pt->cols[i].format == 1) {
			pgty_binary(out, col, r);
		} else {
			size_t lat = out->len;
			pgp_put_i32(out, 0);
			pgty_text(out, col, r);
			patch_be32(out, lat, (uint32_t)(out->len - lat - 4));
		}
	}
	pgp_end(out, at);
}

/* A text cell of a local result in binary, for the types local results
 * use. */
static void local_binary(Buf *out, uint32_t oid, const char *v, int32_t len)
{
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%.*s", len < 31 ? (int)len : 31, v);
	switch (oid) {
	case PGTY_BOOL:
		pgp_put_i32(out, 1);
		buf_put_u8(out, tmp[0] == 't');
		return;
	case PGTY_INT2:
		pgp_put_i32(out, 2);
		pgp_put_i16(out, (int16_t)strtol(tmp, NULL, 10));
		return;
	case PGTY_INT4:
	case PGTY_OID:
		pgp_put_i32(out, 4);
		pgp_put_i32(out, (int32_t)strtoul(tmp, NULL, 10));
		return;
	case PGTY_INT8:
		pgp_put_i32(out, 8);
		pgp_put_i64(out, strtoll(tmp, NULL, 10));
		return;
	default:
		pgp_put_i32(out, len);
		buf_put(out, v, (size_t)len);
	}
}

/* Sends rows of a local result, up to maxrows (0: all); true when all
 * are sent. */
static bool local_rows(PgSess *ss, PgPortal *pt, int32_t maxrows, uint64_t *sent)
{
	PgResult *r = pt->local;
	while (pt->row < r->nrows) {
		if (maxrows && *sent >= (uint64_t)maxrows)
			return false;
		size_t at = pgp_begin(&ss->out, 'D');
		pgp_put_i16(&ss->out, (int16_t)r->ncols);
		for (uint32_t i = 0; i < r->ncols; i++) {
			int32_t len;
			memcpy(&len, r->cells.data + pt->cell_off, 4);
			pt->cell_off += 4;
			const char *v = (const char *)r->cells.data + pt->cell_off;
			if (len < 0) {
				pgp_put_i32(&ss->out, -1);
				continue;
			}
			pt->cell_off += (size_t)len;
			if (pt->cols[i].format == 1) {
				local_binary(&ss->out, r->cols[i].type_oid, v, len);
			} else {
				pgp_put_i32(&ss->out, len);
				buf_put(&ss->out, v, (size_t)len);
			}
		}
		pgp_end(&ss->out, at);
		pt->row++;
		(*sent)++;
	}
	return true;
}

/* Runs (or goes on with) a portal, sending at most maxrows rows (0: all).
 * Returns -1 after an error (answered), 1 when a COPY started, 0 else.
 * `offset`: characters before the statement in the Query message. */
static int portal_run(PgConn *c, PgPortal *pt, int32_t maxrows, size_t offset)
{
	PgSess *ss = &c->sess;
	Server *s = c->s;
	StErr err = {0};
	if (pt->kind == PGK_EMPTY) {
		pgp_empty(&ss->out, 'I');
		return 0;
	}
	int tw = txn_word(pt->sql, pt->sqllen);
	if (ss->tx == 'E' && !pt->started) {
		if (tw == 2 || tw == 3) {
			/* The failed block ends; its COMMIT is a ROLLBACK. */
			pt->started = pt->done = true;
			ss->tx = 'I';
			pgp_complete(&ss->out, "ROLLBACK");
			return 0;
		}
		error_code(c, "25P02", "current transaction is aborted, commands ignored until end of "
		           "transaction block");
		return -1;
	}
	if (pt->kind == PGK_COPY) {
		if (pt->started) {
			pgp_complete(&ss->out, "COPY 0");
			return 0;
		}
		pt->started = true;
		return pgcopy_start(c, pt->sql, pt->sqllen) ? 1 : -1;
	}
	uint64_t sent = 0;
	if (pt->kind == PGK_LOCAL) {
		if (!pt->started) {
			pt->started = true;
			metrics_add(s->metrics, M_QUERIES, 1);
			PgLex lx = pgtx_lex(pt->sql, pt->sqllen);
			PgTok t = pgtx_next(&lx);
			if (!pgtx_is(&t, "show") && (pgtx_is(&t, "set") || pgtx_is(&t, "reset") ||
			                              pgtx_is(&t, "discard") || pgtx_is(&t, "deallocate"))) {
				/* Now it takes effect. */
				pgr_free(pt->local);
				pgr_init(pt->local);
				if (pgset_statement(c, pt->sql, pt->sqllen, false, pt->local, &err) < 0) {
					metrics_add(s->metrics, M_QUERY_ERRORS, 1);
					pgq_error(c, pt->local->errcode, &err, offset);
					return -1;
				}
			}
		}
		bool all = local_rows(ss, pt, maxrows, &sent);
		if (!all) {
			pgp_empty(&ss->out, 's');
			return 0;
		}
		char tag[80];
		if (pt->local->tag[0])
			snprintf(tag, sizeof tag, "%s", pt->local->tag);
		else
			snprintf(tag, sizeof tag, "SELECT %llu", (unsigned long long)sent);
		pgp_complete(&ss->out, tag);
		for (uint32_t i = 0; i < pt->local->nreport; i++)
			pgp_param_status(&ss->out, pt->local->report[i],
			                 pgset_get(&ss->set, pt->local->report[i]));
		pt->local->nreport = 0;
		pt->done = true;
		return 0;
	}
	/* The engine. */
	if (!pt->started) {
		pt->started = true;
		pt->t0 = time_mono_ns();
		metrics_add(s->metrics, M_QUERIES, 1);
	}
	int rc = STELE_OK;
	bool alive = true;
	pgw_set_active(c, pt->st);
	while (!pt->done) {
		if (!pt->b || pt->row >= pt->b->nrows) {
			rc = stele_next(pt->st, &pt->b, &err);
			pt->row = 0;
			if (rc != STELE_OK)
				break;
			if (!pt->b) {
				pt->done = true;
				break;
			}
		}
		if (maxrows && sent >= (uint64_t)maxrows)
			break;
		data_row(&ss->out, pt, pt->b, pt->row++);
		sent++;
		if (ss->out.len >= PG_OUT_FLUSH && !(alive = pgw_flush(c)))
			break;
	}
	pgw_set_active(c, NULL);
	if (pt->done || rc != STELE_OK)
		metrics_observe(s->metrics, H_QUERY_SECONDS, time_mono_ns() - pt->t0);
	if (!alive)
		return -1;
	if (rc != STELE_OK) {
		metrics_add(s->metrics, M_QUERY_ERRORS, 1);
		pgq_error(c, NULL, &err, offset);
		pt->done = true;
		return -1;
	}
	if (!pt->done) {
		pgp_empty(&ss->out, 's');
		return 0;
	}
	const char *tag = stele_stmt_tag(pt->st);
	char buf[80];
	if (!strncmp(tag, "SHOW", 4)) {
		tag = "SHOW";
	} else if (stele_stmt_ncols(pt->st)) {
		/* The rows of this Execute, as PostgreSQL counts them. */
		snprintf(buf, sizeof buf, "SELECT %llu", (unsigned long long)sent);
		tag = buf;
	}
	if (!strcmp(tag, "BEGIN"))
		ss->tx = 'T';
	else if (!strcmp(tag, "COMMIT") || !strcmp(tag, "ROLLBACK"))
		ss->tx = 'I';
	pgp_complete(&ss->out, tag);
	return 0;
}

static void execute_msg(PgConn *c, const uint8_t *body, size_t n)
{
	PgSess *ss = &c->sess;
	PgExecute e;
	StErr err = {0};
	if (pgp_execute(body, n, &e, &err) != STELE_OK) {
		pgq_error(c, "08P01", &err, 0);
		ss->skip_to_sync = true;
		return;
	}
	PgPortal *pt = find_portal(ss, e.portal);
	if (!pt) {
		error_code(c, "34000", "portal \"%s\" does not exist", e.portal);
		ss->skip_to_sync = true;
		return;
	}
	if (pt->done && pt->kind != PGK_EMPTY) {
		/* Run to its end already: no more rows. */
		pgp_complete(&ss->out, pt->kind == PGK_ENGINE && stele_stmt_ncols(pt->st) ? "SELECT 0"
		                       : pt->kind == PGK_LOCAL && pt->local->tag[0] ? pt->local->tag
		                                                                  : "SELECT 0");
		return;
	}
	int r = portal_run(c, pt, e.maxrows, 0);
	if (r < 0)
		ss->skip_to_sync = true;
	else if (r == 1)
		ss->copy_simple = false;
}

/* ---- simple query ---- */

/* Runs the statements of sql[0..n); `offset`: characters before it in
 * the Query message; `any`: a statement ran before it (no
 * EmptyQueryResponse then). Ends with ReadyForQuery unless a COPY
 * started. */
static void run_script(PgConn *c, const char *sql, size_t n, size_t offset, bool any)
{
	PgSess *ss = &c->sess;
	const char *p = sql, *end = sql + n;
	while (p < end) {
		bool blank;
		size_t k = pgtx_split(p, (size_t)(end - p), &blank);
		const char *piece = p;
		p += k;
		if (blank)
			continue;
		any = true;
		size_t off = offset + pgtx_chars(sql, (size_t)(piece - sql));
		uint8_t kind = classify(c, piece, k);
		PgPortal *pt;
		if (!portal_open(c, "", kind, piece, k, NULL, NULL, 0, 0, NULL, off, &pt))
			break;
		if (pt->ncols)
			pgp_row_desc(&ss->out, pt->cols, pt->ncols);
		int r = portal_run(c, pt, 0, off);
		portal_free(ss, pt);
		if (r == 1) {
			/* COPY: the rest waits for CopyDone. */
			free(ss->rest);
			ss->rest = NULL;
			ss->nrest = (size_t)(end - p);
			if (ss->nrest) {
				ss->rest = malloc(ss->nrest);
				if (ss->rest)
					memcpy(ss->rest, p, ss->nrest);
				else
					ss->nrest = 0;
			}
			ss->rest_chars = off + pgtx_chars(piece, k);
			ss->copy_simple = true;
			return;
		}
		if (r < 0 || ss->closing)
			break;
		if (ss->out.len >= PG_OUT_FLUSH)
			pgw_flush(c);
	}
	if (!any)
		pgp_empty(&ss->out, 'I');
	pgp_ready(&ss->out, ss->tx);
}

void pgq_simple_rest(PgConn *c)
{
	PgSess *ss = &c->sess;
	char *rest = ss->rest;
	size_t n = ss->nrest;
	ss->rest = NULL;
	ss->nrest = 0;
	run_script(c, rest ? rest : "", n, ss->rest_chars, true);
	free(rest);
}

static void query_msg(PgConn *c, const uint8_t *body, size_t n)
{
	PgSess *ss = &c->sess;
	const char *sql;
	size_t len;
	StErr err = {0};
	if (pgp_cstring(body, n, &sql, &len, &err) != STELE_OK) {
		pgq_error(c, "08P01", &err, 0);
		pgp_ready(&ss->out, ss->tx);
		return;
	}
	run_script(c, sql, len, 0, false);
}

/* ---- dispatch ---- */

void pgq_handle(PgConn *c)
{
	PgSess *ss = &c->sess;
	uint8_t type = ss->msg.data[0];
	const uint8_t *body = ss->msg.data + 5;
	size_t n = ss->msg.len - 5;
	if (ss->state == PGS_COPY_IN) {
		pgcopy_handle(c, (char)type, body, n);
		return;
	}
	if (type == 'd' || type == 'c' || type == 'f') {
		/* Copy messages outside COPY (after a failed one): dropped. */
		return;
	}
	if (ss->skip_to_sync && type != 'S' && type != 'X')
		return;
	switch (type) {
	case 'Q':
		query_msg(c, body, n);
		break;
	case 'P':
		parse_msg(c, body, n);
		break;
	case 'B':
		bind_msg(c, body, n);
		break;
	case 'D':
		describe_msg(c, body, n);
		break;
	case 'E':
		execute_msg(c, body, n);
		break;
	case 'C':
		close_msg(c, body, n);
		break;
	case 'S':
		ss->skip_to_sync = false;
		if (ss->tx == 'I')
			drop_portals(ss);
		pgp_ready(&ss->out, ss->tx);
		break;
	case 'H':
		pgw_flush(c);
		break;
	case 'X':
		ss->closing = true;
		ss->state = PGS_CLOSING;
		break;
	case 'F':
		error_code(c, "0A000", "the function call protocol is not supported");
		pgp_ready(&ss->out, ss->tx);
		break;
	default:
		pga_fatal(c, "08P01", "invalid frontend message type %d", type);
	}
}
