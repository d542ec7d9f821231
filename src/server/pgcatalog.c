/*
 * pgcatalog.c - the catalog queries that PostgreSQL clients send, answered
 * from Stele's catalog (information_schema.columns, through the SQL API).
 *
 * The engine has no pg_catalog; clients' catalog queries use much it
 * lacks (OPERATOR(pg_catalog.~), COLLATE, regclass, quote_ident,
 * generate_series over arrays). So known query shapes are recognized in
 * their canonical form (pgtext.h: tokens, words lowercased, one space
 * apart) by phrases they contain, and answered here. The columns of an
 * answer are the query's own output columns, found by splitting its
 * SELECT list (an alias, else the last name of a column reference or
 * function call); each is filled by name, and a name the shape does not
 * know is NULL. So \d+ (more columns than \d) and other client versions
 * get a result of the shape they asked for.
 *
 *   shape (phrases matched)                         answer
 *   psql \dt, \d (pg_class, pg_get_userbyid(relowner),
 *     relkind IN (...'r'...), optional relname ~ pattern)
 *                                                   Schema, Name, Type, Owner per table
 *   psql \d NAME, step 1 (SELECT c.oid, n.nspname, c.relname
 *     ... relname OPERATOR(pg_catalog.~) 'pattern')  the tables matching
 *   step 2 (SELECT c.relchecks, c.relkind ... c.oid = 'N')
 *                                                   a plain table: no index, rules,
 *                                                   triggers; heap
 *   step 3 (FROM pg_attribute a ... attrelid = 'N')   its columns: name, format_type,
 *                                                   not null (ts)
 *   footers of \d (pg_policy, pg_statistic_ext, pg_publication, pg_inherits,
 *     pg_trigger, pg_constraint, pg_index, pg_rewrite), pg_extension (Grafana's
 *     TimescaleDB probe)                            no rows
 *   psql \l (pg_database)                           the databases of the data
 *                                                   directory the token may read
 *   Grafana: tables of information_schema.tables with quote_ident, with or
 *     without a schema; columns of a table (parse_ident('x')); schemata
 *   psycopg TypeInfo (FROM pg_type t WHERE t.oid = $1::regtype)
 *                                                   name, oid, array_oid, regtype,
 *                                                   delimiter of a known type
 *
 * Table OIDs are made up from the name (FNV-1a), so step 1's OID finds the
 * table in steps 2 and 3. Column types in \d are those of the values on
 * the wire (pgtypes.h): ts "timestamp with time zone", tags and varchar
 * fields "text", ubigint "numeric"; \d+ says in its Description whether
 * a column is the time, a tag or a field. Grafana's column list gives
 * information_schema's data_type, as the engine's own view says it.
 */
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "server/pg_int.h"
#include "server/pgtext.h"
#include "server/pgtypes.h"

#define MAX_ITEMS 32

/* ---- Stele's catalog ---- */

uint32_t pgcat_type_oid(stele_type t)
{
	return t == STELE_TYPE_VARCHAR ? PGTY_TEXT : pgty_oid(t);
}

static stele_type type_of(const char *data_type)
{
	static const struct {
		const char *name;
		stele_type t;
	} m[] = {{"double precision", STELE_TYPE_DOUBLE}, {"bigint", STELE_TYPE_BIGINT},
	         {"ubigint", STELE_TYPE_UBIGINT},         {"boolean", STELE_TYPE_BOOLEAN},
	         {"character varying", STELE_TYPE_VARCHAR},
	         {"timestamp without time zone", STELE_TYPE_TIMESTAMP},
	         {"interval", STELE_TYPE_INTERVAL}};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (!strcmp(m[i].name, data_type))
			return m[i].t;
	return STELE_TYPE_VARCHAR;
}

static uint32_t name_oid(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return 16384 + h % 1000000000u;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const PgTable *)a)->name, ((const PgTable *)b)->name);
}

void pgcat_free_tables(PgTable *t, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(t[i].cols);
	free(t);
}

static void str_of(const stele_column *c, uint32_t r, char *out, size_t n)
{
	if (c->type != STELE_TYPE_VARCHAR || c->nulls[r])
		snprintf(out, n, "%s", "");
	else
		snprintf(out, n, "%.*s", (int)c->v.str[r].len, c->v.str[r].ptr);
}

int pgcat_tables(PgConn *c, PgTable **out, uint32_t *nout, StErr *err)
{
	*out = NULL;
	*nout = 0;
	static const char q[] = "SELECT table_name, column_name, data_type, column_kind "
	                        "FROM information_schema.columns";
	stele_stmt *st;
	int rc = stele_prepare(c->sess.sdb, q, -1, NULL, &st, err);
	if (rc)
		return rc;
	PgTable *t = NULL;
	uint32_t n = 0, cap = 0;
	const stele_batch *b;
	while (rc == STELE_OK && (rc = stele_next(st, &b, err)) == STELE_OK && b) {
		for (uint32_t r = 0; r < b->nrows && rc == STELE_OK; r++) {
			char tn[128], cn[128], dt[64], kind[16];
			str_of(&b->cols[0], r, tn, sizeof tn);
			str_of(&b->cols[1], r, cn, sizeof cn);
			str_of(&b->cols[2], r, dt, sizeof dt);
			str_of(&b->cols[3], r, kind, sizeof kind);
			if (!n || strcmp(t[n - 1].name, tn)) {
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					PgTable *v = realloc(t, cap * sizeof *v);
					if (!v) {
						rc = failf(err, STELE_ENOMEM, "out of memory");
						break;
					}
					t = v;
				}
				memset(&t[n], 0, sizeof t[n]);
				snprintf(t[n].name, sizeof t[n].name, "%s", tn);
				t[n].oid = name_oid(tn);
				n++;
			}
			PgTable *x = &t[n - 1];
			PgColumn *v = realloc(x->cols, (x->ncols + 1) * sizeof *v);
			if (!v) {
				rc = failf(err, STELE_ENOMEM, "out of memory");
				break;
			}
			x->cols = v;
			PgColumn *col = &x->cols[x->ncols++];
			snprintf(col->name, sizeof col->name, "%s", cn);
			snprintf(col->data_type, sizeof col->data_type, "%s", dt);
			col->type = type_of(dt);
			col->kind = !strcmp(kind, "time") ? 'T' : !strcmp(kind, "tag") ? 't' : 'f';
		}
	}
	stele_finalize(st);
	if (rc) {
		pgcat_free_tables(t, n);
		return rc;
	}
	if (n)
		qsort(t, n, sizeof *t, by_name);
	*out = t;
	*nout = n;
	return STELE_OK;
}

/* ---- the SELECT list of a query ---- */

typedef struct Items {
	uint32_t n;
	char name[MAX_ITEMS][64];
} Items;

/* The output column names of the first SELECT of sql, as PostgreSQL
 * names them: the alias after AS; else, casts aside, the last name of a
 * column reference (c.relname) or of a function call
 * (pg_catalog.format_type(...)); else "?column?". */
static void select_items(const char *sql, size_t len, Items *it)
{
	it->n = 0;
	PgLex lx = pgtx_lex(sql, len);
	PgTok t;
	do
		t = pgtx_next(&lx);
	while (t.kind != PGTK_END && !pgtx_is(&t, "select"));
	enum { START, IDENT, DOT, CALL, OTHER } state = START;
	PgTok ident = {PGTK_END, NULL, 0}, alias = ident;
	bool cast = false, any = false;
	int depth = 0;
	for (;;) {
		t = pgtx_next(&lx);
		bool end = t.kind == PGTK_END ||
		           (depth == 0 && (pgtx_is(&t, "from") || pgtx_punct(&t, ";")));
		if (end || (depth == 0 && pgtx_punct(&t, ","))) {
			if (any && it->n < MAX_ITEMS) {
				char *nm = it->name[it->n++];
				if (alias.kind != PGTK_END || state == IDENT || state == CALL)
					pgtx_value(alias.kind != PGTK_END ? &alias : &ident, nm, 64);
				else
					snprintf(nm, 64, "?column?");
			}
			if (end)
				break;
			state = START;
			ident = alias = (PgTok){PGTK_END, NULL, 0};
			cast = any = false;
			continue;
		}
		any = true;
		if (depth > 0) {
			if (pgtx_punct(&t, "("))
				depth++;
			else if (pgtx_punct(&t, ")"))
				depth--;
			continue;
		}
		if (pgtx_is(&t, "as")) {
			PgLex l2 = lx;
			PgTok a = pgtx_next(&l2);
			if (a.kind == PGTK_WORD || a.kind == PGTK_QIDENT) {
				lx = l2;
				alias = a;
				continue;
			}
		}
		if (pgtx_punct(&t, "(")) {
			depth++;
			if (!cast)
				state = state == IDENT ? CALL : OTHER;
			continue;
		}
		if (pgtx_punct(&t, "::")) {
			cast = true;
			continue;
		}
		if (cast)
			continue;
		if ((t.kind == PGTK_WORD || t.kind == PGTK_QIDENT) && (state == START || state == DOT)) {
			state = IDENT;
			ident = t;
		} else if (pgtx_punct(&t, ".") && state == IDENT) {
			state = DOT;
		} else {
			state = OTHER;
		}
	}
}

/* ---- results ---- */

typedef const char *(*Getter)(void *ctx, const char *col, char *buf, size_t n);

static uint32_t col_oid(const char *name)
{
	static const char *const bools[] = {"relhasindex", "relhasrules", "relhastriggers",
	                                    "relrowsecurity", "relforcerowsecurity", "relhasoids",
	                                    "relispartition", "attnotnull", NULL};
	for (const char *const *b = bools; *b; b++)
		if (!strcmp(*b, name))
			return PGTY_BOOL;
	if (!strcmp(name, "oid") || !strcmp(name, "array_oid") || !strcmp(name, "reltablespace"))
		return PGTY_OID;
	if (!strcmp(name, "relchecks"))
		return PGTY_INT2;
	return PGTY_TEXT;
}

static void columns(PgResult *res, const Items *it)
{
	for (uint32_t i = 0; i < it->n && i < PGR_MAXCOLS; i++)
		pgr_col(res, it->name[i], col_oid(it->name[i]));
}

static void row(PgResult *res, const Items *it, Getter get, void *ctx)
{
	for (uint32_t i = 0; i < it->n && i < PGR_MAXCOLS; i++) {
		char buf[256];
		pgr_str(res, get(ctx, it->name[i], buf, sizeof buf));
	}
	pgr_end_row(res);
}

/* A string literal after `phrase` in the canonical text, into out. */
static bool literal_after(const char *canon, const char *phrase, char *out, size_t n)
{
	const char *p = strstr(canon, phrase);
	if (!p)
		return false;
	p += strlen(phrase);
	while (*p == ' ')
		p++;
	PgLex lx = pgtx_lex(p, strlen(p));
	PgTok t = pgtx_next(&lx);
	if (t.kind != PGTK_STRING)
		return false;
	pgtx_value(&t, out, n);
	return true;
}

/* quote_ident: as is when it is a lower-case identifier, else quoted. */
static void quote_ident(const char *s, char *out, size_t n)
{
	bool plain = *s && ((*s >= 'a' && *s <= 'z') || *s == '_');
	for (const char *p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
	static const char *const reserved[] = {"all", "and", "as", "select", "from", "where",
	                                       "table", "user", "order", "group", "limit", NULL};
	for (const char *const *r = reserved; *r && plain; r++)
		if (!strcmp(*r, s))
			plain = false;
	if (plain) {
		snprintf(out, n, "%s", s);
		return;
	}
	size_t k = 0;
	if (n < 3)
		return;
	out[k++] = '"';
	for (const char *p = s; *p && k + 3 < n; p++) {
		if (*p == '"')
			out[k++] = '"';
		out[k++] = *p;
	}
	out[k++] = '"';
	out[k] = '\0';
}

/* ---- the shapes ---- */

typedef struct Ctx {
	PgConn *c;
	const PgTable *t;
	const PgColumn *col;
	const char *dbname;
	const char *str;
} Ctx;

static const char *format_type(const PgColumn *col)
{
	return col->type == STELE_TYPE_VARCHAR ? "text" : pgty_format_type(pgcat_type_oid(col->type));
}

static const char *get_table_list(void *ctx, const char *col, char *buf, size_t n)
{
	const Ctx *x = ctx;
	if (!strcmp(col, "Schema"))
		return "public";
	if (!strcmp(col, "Name"))
		return x->t->name;
	if (!strcmp(col, "Type"))
		return "table";
	if (!strcmp(col, "Owner"))
		return "stele";
	if (!strcmp(col, "Persistence"))
		return "permanent";
	if (!strcmp(col, "Access method"))
		return "heap";
	if (!strcmp(col, "Size"))
		return "0 bytes";
	return NULL;
}

static const char *get_lookup(void *ctx, const char *col, char *buf, size_t n)
{
	const Ctx *x = ctx;
	if (!strcmp(col, "oid")) {
		snprintf(buf, n, "%u", x->t->oid);
		return buf;
	}
	if (!strcmp(col, "nspname"))
		return "public";
	if (!strcmp(col, "relname"))
		return x->t->name;
	return NULL;
}

static const char *get_relinfo(void *ctx, const char *col, char *buf, size_t n)
{
	static const struct {
		const char *col, *v;
	} m[] = {{"relchecks", "0"},         {"relkind", "r"},           {"relhasindex", "f"},
	         {"relhasrules", "f"},       {"relhastriggers", "f"},    {"relrowsecurity", "f"},
	         {"relforcerowsecurity", "f"}, {"relhasoids", "f"},      {"relispartition", "f"},
	         {"?column?", ""},           {"reltablespace", "0"},     {"reloftype", ""},
	         {"relpersistence", "p"},    {"relreplident", "d"},      {"amname", "heap"},
	         {"reloptions", ""}};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (!strcmp(m[i].col, col))
			return m[i].v;
	return NULL;
}

static const char *get_attr(void *ctx, const char *col, char *buf, size_t n)
{
	const Ctx *x = ctx;
	if (!strcmp(col, "attname"))
		return x->col->name;
	if (!strcmp(col, "format_type"))
		return format_type(x->col);
	if (!strcmp(col, "attnotnull"))
		return x->col->kind == 'T' ? "t" : "f";
	if (!strcmp(col, "attidentity") || !strcmp(col, "attgenerated") ||
	    !strcmp(col, "attcompression"))
		return "";
	if (!strcmp(col, "attstorage"))
		return x->col->type == STELE_TYPE_VARCHAR ? "x" : "p";
	if (!strcmp(col, "col_description"))
		return x->col->kind == 'T' ? "time" : x->col->kind == 't' ? "tag" : "field";
	return NULL;
}

static const char *get_db(void *ctx, const char *col, char *buf, size_t n)
{
	const Ctx *x = ctx;
	if (!strcmp(col, "Name"))
		return x->dbname;
	if (!strcmp(col, "Owner"))
		return "stele";
	if (!strcmp(col, "Encoding"))
		return "UTF8";
	if (!strcmp(col, "Collate") || !strcmp(col, "Ctype"))
		return "C";
	if (!strcmp(col, "Locale Provider"))
		return "libc";
	return NULL;
}

static const char *get_str(void *ctx, const char *col, char *buf, size_t n)
{
	return ((const Ctx *)ctx)->str;
}

/* psql's pattern ('^(cpu)$') after OPERATOR(pg_catalog.~) on relname,
 * compiled; false when there is none. */
static int relname_pattern(const char *canon, regex_t *re, bool *have, StErr *err)
{
	char pat[512];
	*have = literal_after(canon, "relname operator ( pg_catalog . ~ )", pat, sizeof pat);
	if (!*have)
		return STELE_OK;
	if (regcomp(re, pat, REG_EXTENDED | REG_NOSUB) != 0)
		return failf(err, STELE_EINVAL, "invalid regular expression: %s", pat);
	return STELE_OK;
}

static bool oid_table(const char *canon, const char *phrase, const PgTable *ts, uint32_t n,
                      const PgTable **t)
{
	char v[32];
	*t = NULL;
	if (!literal_after(canon, phrase, v, sizeof v))
		return true;
	uint32_t oid = (uint32_t)strtoul(v, NULL, 10);
	for (uint32_t i = 0; i < n; i++)
		if (ts[i].oid == oid)
			*t = &ts[i];
	return true;
}

static int list_databases(PgConn *c, const Items *it, PgResult *res, StErr *err)
{
	columns(res, it);
	DIR *d = opendir(c->s->cfg.data);
	if (!d)
		return STELE_OK;
	char (*names)[DBREG_NAME_MAX + 1] = NULL;
	uint32_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		StErr ce;
		if (dbreg_check_name(e->d_name, &ce) != STELE_OK ||
		    !auth_allows(&c->sess.tok, e->d_name, AUTH_READ))
			continue;
		char path[PATH_MAX];
		struct stat sb;
		snprintf(path, sizeof path, "%s/%s", c->s->cfg.data, e->d_name);
		if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			void *v = realloc(names, cap * sizeof *names);
			if (!v)
				break;
			names = v;
		}
		snprintf(names[n++], sizeof names[0], "%s", e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
	for (uint32_t i = 0; i < n; i++) {
		Ctx x = {.c = c, .dbname = names[i]};
		row(res, it, get_db, &x);
	}
	free(names);
	return STELE_OK;
}

static const struct {
	const char *name;      /* as regtype names it */
	const char *alias;     /* another spelling */
	uint32_t oid, array;
} types[] = {
	{"boolean", "bool", 16, 1000},
	{"bigint", "int8", 20, 1016},
	{"smallint", "int2", 21, 1005},
	{"integer", "int4", 23, 1007},
	{"text", NULL, 25, 1009},
	{"oid", NULL, 26, 1028},
	{"real", "float4", 700, 1021},
	{"double precision", "float8", 701, 1022},
	{"character varying", "varchar", 1043, 1015},
	{"timestamp without time zone", "timestamp", 1114, 1115},
	{"timestamp with time zone", "timestamptz", 1184, 1185},
	{"interval", NULL, 1186, 1187},
	{"numeric", NULL, 1700, 1231},
};

static int type_info(const Items *it, const char *name, PgResult *res, StErr *err)
{
	columns(res, it);
	if (!name)
		return STELE_OK;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		if (strcasecmp(types[i].name, name) && (!types[i].alias || strcasecmp(types[i].alias, name)))
			continue;
		for (uint32_t k = 0; k < it->n && k < PGR_MAXCOLS; k++) {
			char buf[64];
			const char *col = it->name[k];
			const char *v = NULL;
			if (!strcmp(col, "name"))
				v = pgty_name(types[i].oid);
			else if (!strcmp(col, "oid"))
				snprintf(buf, sizeof buf, "%u", types[i].oid), v = buf;
			else if (!strcmp(col, "array_oid"))
				snprintf(buf, sizeof buf, "%u", types[i].array), v = buf;
			else if (!strcmp(col, "regtype"))
				v = types[i].name;
			else if (!strcmp(col, "delimiter"))
				v = ",";
			pgr_str(res, v);
		}
		pgr_end_row(res);
		return STELE_OK;
	}
	return failf(err, STELE_ENOENT, "type \"%s\" does not exist", name);
}

static bool has(const char *canon, const char *phrase) { return strstr(canon, phrase) != NULL; }

/* The shape of canon, if known: the handler index. */
enum {
	Q_NONE, Q_TABLE_LIST, Q_LOOKUP, Q_RELINFO, Q_ATTRS, Q_EMPTY, Q_DATABASES, Q_GRAFANA_TABLES,
	Q_GRAFANA_COLUMNS, Q_SCHEMATA, Q_TYPEINFO
};

static int shape(const char *q)
{
	if (has(q, "from pg_catalog . pg_class c") &&
	    has(q, "pg_catalog . pg_get_userbyid ( c . relowner )") && has(q, "c . relkind in ("))
		return Q_TABLE_LIST;
	if (has(q, "select c . oid , n . nspname , c . relname from pg_catalog . pg_class c"))
		return Q_LOOKUP;
	if (has(q, "select c . relchecks , c . relkind") && has(q, "where c . oid ="))
		return Q_RELINFO;
	if (has(q, "from pg_catalog . pg_attribute a") && has(q, "a . attrelid =") &&
	    has(q, "format_type ( a . atttypid , a . atttypmod )"))
		return Q_ATTRS;
	if (has(q, "from pg_catalog . pg_database d"))
		return Q_DATABASES;
	if (has(q, "from information_schema . tables") && has(q, "quote_ident ( table_name )"))
		return Q_GRAFANA_TABLES;
	if (has(q, "quote_ident ( column_name ) as \"column\"") &&
	    has(q, "from information_schema . columns"))
		return Q_GRAFANA_COLUMNS;
	if (has(q, "from information_schema . schemata"))
		return Q_SCHEMATA;
	if (has(q, "from pg_type t") && has(q, "t . oid = $1 :: regtype"))
		return Q_TYPEINFO;
	static const char *const empty[] = {
		"pg_catalog . pg_policy",    "pg_catalog . pg_statistic_ext", "pg_catalog . pg_publication",
		"pg_catalog . pg_inherits",  "pg_catalog . pg_trigger",       "pg_catalog . pg_constraint",
		"pg_catalog . pg_index",     "pg_catalog . pg_rewrite",       "from pg_extension",
		"pg_catalog . pg_extension", NULL};
	for (const char *const *e = empty; *e; e++)
		if (has(q, *e))
			return Q_EMPTY;
	return Q_NONE;
}

static int answer(PgConn *c, int kind, const char *q, const char *sql, size_t n,
                  const char *const *params, uint32_t nparams, PgResult *res, StErr *err)
{
	Items it;
	select_items(sql, n, &it);
	if (kind == Q_EMPTY) {
		columns(res, &it);
		return STELE_OK;
	}
	if (kind == Q_DATABASES)
		return list_databases(c, &it, res, err);
	if (kind == Q_TYPEINFO)
		return type_info(&it, nparams ? params[0] : NULL, res, err);
	if (kind == Q_SCHEMATA) {
		columns(res, &it);
		Ctx x = {.str = "public"};
		row(res, &it, get_str, &x);
		return STELE_OK;
	}
	PgTable *ts;
	uint32_t nt;
	int rc = pgcat_tables(c, &ts, &nt, err);
	if (rc)
		return rc;
	columns(res, &it);
	regex_t re;
	bool pattern = false;
	const PgTable *t;
	switch (kind) {
	case Q_TABLE_LIST:
	case Q_LOOKUP:
		rc = relname_pattern(q, &re, &pattern, err);
		if (rc)
			break;
		/* \dt asks for relkind 'r' (tables); \di, \dv ... get nothing. */
		if (kind == Q_TABLE_LIST && !has(q, "'r'"))
			break;
		for (uint32_t i = 0; i < nt; i++) {
			if (pattern && regexec(&re, ts[i].name, 0, NULL, 0) != 0)
				continue;
			Ctx x = {.c = c, .t = &ts[i]};
			row(res, &it, kind == Q_LOOKUP ? get_lookup : get_table_list, &x);
		}
		if (pattern)
			regfree(&re);
		break;
	case Q_RELINFO:
		oid_table(q, "where c . oid =", ts, nt, &t);
		if (t) {
			Ctx x = {.c = c, .t = t};
			row(res, &it, get_relinfo, &x);
		}
		break;
	case Q_ATTRS:
		oid_table(q, "a . attrelid =", ts, nt, &t);
		for (uint32_t i = 0; t && i < t->ncols; i++) {
			Ctx x = {.c = c, .t = t, .col = &t->cols[i]};
			row(res, &it, get_attr, &x);
		}
		break;
	case Q_GRAFANA_TABLES: {
		char schema[128];
		bool one = literal_after(q, "where quote_ident ( table_schema ) =", schema, sizeof schema);
		for (uint32_t i = 0; i < nt && (!one || !strcmp(schema, "public")); i++) {
			char qi[300];
			quote_ident(ts[i].name, qi, sizeof qi);
			Ctx x = {.str = qi};
			row(res, &it, get_str, &x);
		}
		break;
	}
	case Q_GRAFANA_COLUMNS: {
		char name[300];
		if (!literal_after(q, "parse_ident (", name, sizeof name))
			break;
		const char *tn = name;
		if (!strncmp(name, "public.", 7))
			tn = name + 7;
		char unq[300];
		if (tn[0] == '"' && strlen(tn) >= 2) {
			snprintf(unq, sizeof unq, "%.*s", (int)strlen(tn) - 2, tn + 1);
			tn = unq;
		}
		for (uint32_t i = 0; i < nt; i++) {
			if (strcmp(ts[i].name, tn))
				continue;
			for (uint32_t k = 0; k < ts[i].ncols; k++) {
				char qi[300];
				quote_ident(ts[i].cols[k].name, qi, sizeof qi);
				for (uint32_t m = 0; m < it.n && m < PGR_MAXCOLS; m++) {
					const PgColumn *col = &ts[i].cols[k];
					pgr_str(res, !strcmp(it.name[m], "column") ? qi : col->data_type);
				}
				pgr_end_row(res);
			}
		}
		break;
	}
	default:
		break;
	}
	pgcat_free_tables(ts, nt);
	return rc;
}

int pgcat_query(PgConn *c, const char *sql, size_t n, const char *const *params,
                uint32_t nparams, PgResult *res, StErr *err)
{
	/* Cheap test first: every shape names a catalog. */
	bool maybe = false;
	static const char *const hints[] = {"pg_", "information_schema", "PG_", "INFORMATION_SCHEMA"};
	for (size_t i = 0; i < sizeof hints / sizeof hints[0] && !maybe; i++)
		maybe = memmem(sql, n, hints[i], strlen(hints[i])) != NULL;
	if (!maybe)
		return 0;
	Buf canon = {0};
	canon.max = 2 * n + 64;
	pgtx_canon(sql, n, &canon);
	buf_put_u8(&canon, 0);
	if (canon.failed) {
		buf_free(&canon);
		return 0;
	}
	int kind = shape((const char *)canon.data);
	int r = 0;
	if (kind != Q_NONE) {
		int rc = answer(c, kind, (const char *)canon.data, sql, n, params, nparams, res, err);
		r = rc == STELE_OK ? 1 : -1;
		if (rc == STELE_ENOENT && kind == Q_TYPEINFO)
			snprintf(res->errcode, sizeof res->errcode, "42704");
	}
	buf_free(&canon);
	return r;
}
