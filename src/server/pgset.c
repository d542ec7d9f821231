/*
 * pgset.c - a session's settings: what the startup packet and SET give,
 * what SHOW and current_setting() read, and the ParameterStatus reports.
 *
 * Settings are per session and change nothing in the engine, whose
 * settings (statement_timeout, query_memory) belong to a database and so
 * to every session of it: SET on the PostgreSQL wire never reaches the
 * engine. The server's --statement-timeout applies; SHOW
 * statement_timeout shows it until the session sets its own. What
 * clients set on connecting is accepted when Stele behaves that way
 * anyway, refused (22023, 0A000) when it cannot:
 *
 *   client_encoding      UTF8 only (also "utf-8", "unicode")
 *   DateStyle            ISO with MDY, DMY or YMD (output is always ISO)
 *   IntervalStyle        postgres only
 *   standard_conforming_strings  on only
 *   extra_float_digits   -15..3 (output is always the shortest exact form)
 *   TimeZone             any (values carry "+00", so instants stay right)
 *   application_name     up to 63 bytes, as PostgreSQL cuts it
 *   read-only ones       integer_datetimes, server_version(_num),
 *                        server_encoding, is_superuser,
 *                        session_authorization, ... (55P02)
 *   any other name       kept as given (up to PG_MAX_SETTINGS per session)
 *
 * Statements answered here (pgset_statement): SET [SESSION|LOCAL] name
 * {TO|=} value[, ...] | DEFAULT, SET TIME ZONE, SET NAMES, SET SCHEMA,
 * SET TRANSACTION ... and SET SESSION CHARACTERISTICS (accepted), RESET
 * name|ALL, SHOW name|ALL|TIME ZONE|TRANSACTION ISOLATION LEVEL (SHOW
 * TABLES is the engine's), DISCARD, DEALLOCATE.
 *
 * pgset_rewrite replaces the calls of session functions the engine does
 * not have by literals of their values, keeping PostgreSQL's column name
 * where the call is a whole output column: version(), current_setting(),
 * current_database(), current_schema[()], current_user, session_user,
 * current_role, pg_backend_pid(), each also as pg_catalog.name (not the
 * bare `user`, which PostgreSQL reserves but a Stele table may well have
 * as a tag). The
 * values come from the server (settings, names) and are quoted as SQL
 * string literals; nothing a client sends as a parameter goes there.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/pg_int.h"
#include "server/pgtext.h"

enum { REPORT = 1, READONLY = 2 };

typedef int (*Check)(const char *v, char *norm, size_t n, StErr *err);

static int check_encoding(const char *v, char *norm, size_t n, StErr *err)
{
	if (strcasecmp(v, "utf8") && strcasecmp(v, "utf-8") && strcasecmp(v, "unicode"))
		return failf(err, STELE_EINVAL,
		             "invalid value for parameter \"client_encoding\": \"%s\" (Stele speaks UTF8 "
		             "only)", v);
	snprintf(norm, n, "UTF8");
	return STELE_OK;
}

static int check_datestyle(const char *v, char *norm, size_t n, StErr *err)
{
	/* The output style stays ISO: a value may name ISO or nothing, and
	 * an order. */
	const char *order = "MDY";
	char w[32];
	const char *p = v;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t k = 0;
		while (*p && *p != ' ' && *p != ',') {
			if (k + 1 < sizeof w)
				w[k++] = (char)tolower((unsigned char)*p);
			p++;
		}
		w[k] = '\0';
		if (!k)
			break;
		if (!strcmp(w, "iso"))
			continue;
		if (!strcmp(w, "mdy") || !strcmp(w, "us") || !strcmp(w, "noneuropean"))
			order = "MDY";
		else if (!strcmp(w, "dmy") || !strcmp(w, "euro") || !strcmp(w, "european"))
			order = "DMY";
		else if (!strcmp(w, "ymd"))
			order = "YMD";
		else
			return failf(err, STELE_EINVAL, "invalid value for parameter \"DateStyle\": \"%s\" "
			             "(Stele prints dates in the ISO style only)", v);
	}
	snprintf(norm, n, "ISO, %s", order);
	return STELE_OK;
}

static int check_intervalstyle(const char *v, char *norm, size_t n, StErr *err)
{
	if (strcasecmp(v, "postgres"))
		return failf(err, STELE_EINVAL, "invalid value for parameter \"IntervalStyle\": \"%s\" "
		             "(Stele supports: postgres)", v);
	snprintf(norm, n, "postgres");
	return STELE_OK;
}

static int check_on(const char *v, char *norm, size_t n, StErr *err)
{
	if (strcasecmp(v, "on") && strcasecmp(v, "true") && strcasecmp(v, "yes") && strcmp(v, "1"))
		return failf(err, STELE_EINVAL,
		             "invalid value for parameter \"standard_conforming_strings\": \"%s\" "
		             "(Stele supports: on)", v);
	snprintf(norm, n, "on");
	return STELE_OK;
}

static int check_float_digits(const char *v, char *norm, size_t n, StErr *err)
{
	char *end;
	long x = strtol(v, &end, 10);
	if (end == v || *end || x < -15 || x > 3)
		return failf(err, STELE_EINVAL,
		             "invalid value for parameter \"extra_float_digits\": \"%s\"", v);
	snprintf(norm, n, "%ld", x);
	return STELE_OK;
}

static int check_timezone(const char *v, char *norm, size_t n, StErr *err)
{
	snprintf(norm, n, "%s", !strcasecmp(v, "utc") ? "UTC" : v);
	return STELE_OK;
}

static int check_appname(const char *v, char *norm, size_t n, StErr *err)
{
	size_t k = 0;
	for (; v[k] && k < 63 && k + 1 < n; k++)
		norm[k] = v[k] >= 0x20 && v[k] < 0x7f ? v[k] : '?';
	norm[k] = '\0';
	return STELE_OK;
}

/* statement_timeout: a number of milliseconds, or with a unit, shown as
 * PostgreSQL shows it (the largest unit that divides it). */
static int check_timeout(const char *v, char *norm, size_t n, StErr *err)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 10);
	while (*end == ' ')
		end++;
	unsigned long long mul = 1;
	if (!strcmp(end, "") || !strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "s"))
		mul = 1000;
	else if (!strcmp(end, "min"))
		mul = 60000;
	else if (!strcmp(end, "h"))
		mul = 3600000;
	else if (!strcmp(end, "d"))
		mul = 86400000;
	else
		end = NULL;
	if (!end || end == v || v[0] == '-' || errno || x > UINT32_MAX / mul)
		return failf(err, STELE_EINVAL,
		             "invalid value for parameter \"statement_timeout\": \"%s\"", v);
	uint64_t ms = x * mul;
	static const struct {
		uint32_t ms;
		const char *unit;
	} units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}, {1, "ms"}};
	size_t u = 0;
	while (ms && ms % units[u].ms)
		u++;
	if (ms)
		snprintf(norm, n, "%llu%s", (unsigned long long)(ms / units[u].ms), units[u].unit);
	else
		snprintf(norm, n, "0");
	return STELE_OK;
}

static const struct Known {
	const char *name;
	const char *def;
	uint8_t flags;
	Check check;
	const char *desc;
} known[] = {
	{"application_name", "", REPORT, check_appname, "Sets the application name."},
	{"client_encoding", "UTF8", REPORT, check_encoding, "Sets the client's character set encoding."},
	{"DateStyle", "ISO, MDY", REPORT, check_datestyle, "Sets the display format for date and time values."},
	{"default_transaction_read_only", "off", REPORT, NULL, "Sets the default read-only status of new transactions."},
	{"in_hot_standby", "off", REPORT | READONLY, NULL, "Shows whether hot standby is currently active."},
	{"integer_datetimes", "on", REPORT | READONLY, NULL, "Shows whether datetimes are integer based."},
	{"IntervalStyle", "postgres", REPORT, check_intervalstyle, "Sets the display format for interval values."},
	{"is_superuser", "off", REPORT | READONLY, NULL, "Shows whether the current user is a superuser."},
	{"server_encoding", "UTF8", REPORT | READONLY, NULL, "Shows the server (database) character set encoding."},
	{"server_version", "15.0 (Stele)", REPORT | READONLY, NULL, "Shows the server version."},
	{"session_authorization", "", REPORT | READONLY, NULL, "Sets the session user name."},
	{"standard_conforming_strings", "on", REPORT, check_on, "Causes '...' strings to treat backslashes literally."},
	{"TimeZone", "UTC", REPORT, check_timezone, "Sets the time zone for displaying and interpreting time stamps."},
	{"server_version_num", "150000", READONLY, NULL, "Shows the server version as an integer."},
	{"extra_float_digits", "1", 0, check_float_digits, "Sets the number of digits displayed for floating-point values."},
	{"search_path", "\"$user\", public", 0, NULL, "Sets the schema search order for names that are not schema-qualified."},
	{"statement_timeout", "0", 0, check_timeout, "Sets the maximum allowed duration of any statement."},
	{"lock_timeout", "0", 0, NULL, "Sets the maximum allowed duration of any wait for a lock."},
	{"idle_in_transaction_session_timeout", "0", 0, NULL, "Sets the maximum allowed idle time between queries, when in a transaction."},
	{"idle_session_timeout", "0", 0, NULL, "Sets the maximum allowed idle time between queries, when not in a transaction."},
	{"default_transaction_isolation", "read committed", 0, NULL, "Sets the transaction isolation level of each new transaction."},
	{"transaction_isolation", "read committed", 0, NULL, "Sets the current transaction's isolation level."},
	{"transaction_read_only", "off", 0, NULL, "Sets the current transaction's read-only status."},
	{"client_min_messages", "notice", 0, NULL, "Sets the message levels that are sent to the client."},
	{"lc_messages", "C", 0, NULL, "Sets the language in which messages are displayed."},
	{"lc_monetary", "C", 0, NULL, "Sets the locale for formatting monetary amounts."},
	{"lc_numeric", "C", 0, NULL, "Sets the locale for formatting numbers."},
	{"lc_time", "C", 0, NULL, "Sets the locale for formatting date and time values."},
	{"bytea_output", "hex", 0, NULL, "Sets the output format for bytea."},
	{"jit", "off", 0, NULL, "Allow JIT compilation."},
	{"max_identifier_length", "63", READONLY, NULL, "Shows the maximum identifier length."},
	{"row_security", "on", 0, NULL, "Enable row security."},
	{"xmloption", "content", 0, NULL, "Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments."},
	{"timezone_abbreviations", "Default", 0, NULL, "Selects a file of time zone abbreviations."},
	{"synchronous_commit", "on", 0, NULL, "Sets the current transaction's synchronization level."},
};

#define NKNOWN (sizeof known / sizeof known[0])

const char *const pgset_reported[] = {
	"application_name", "client_encoding", "DateStyle", "default_transaction_read_only",
	"in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser", "server_encoding",
	"server_version", "session_authorization", "standard_conforming_strings", "TimeZone", NULL};

static int find_known(const char *name)
{
	for (size_t i = 0; i < NKNOWN; i++)
		if (!strcasecmp(known[i].name, name))
			return (int)i;
	return -1;
}

bool pgset_is_reported(const char *name)
{
	int k = find_known(name);
	return k >= 0 && (known[k].flags & REPORT);
}

void pgset_init(PgSettings *st, const char *user, bool superuser, uint32_t timeout_ms)
{
	pgset_free(st);
	memset(st, 0, sizeof *st);
	_Static_assert(NKNOWN <= sizeof st->known / sizeof st->known[0], "room for the settings");
	st->nknown = NKNOWN;
	for (size_t i = 0; i < NKNOWN; i++) {
		snprintf(st->known[i].name, sizeof st->known[i].name, "%s", known[i].name);
		snprintf(st->known[i].value, sizeof st->known[i].value, "%s", known[i].def);
	}
	st->timeout_ms = timeout_ms;
	char v[64];
	snprintf(v, sizeof v, "%u", timeout_ms);
	StErr e;
	check_timeout(v, st->known[find_known("statement_timeout")].value, PG_SETTING_MAX, &e);
	pgset_put(st, "session_authorization", user);
	pgset_put(st, "is_superuser", superuser ? "on" : "off");
}

void pgset_free(PgSettings *st)
{
	free(st->extra);
	st->extra = NULL;
	st->nextra = 0;
}

void pgset_put(PgSettings *st, const char *name, const char *value)
{
	int k = find_known(name);
	if (k >= 0)
		snprintf(st->known[k].value, sizeof st->known[k].value, "%s", value);
}

static PgSetting *find_extra(const PgSettings *st, const char *name)
{
	for (uint32_t i = 0; i < st->nextra; i++)
		if (!strcasecmp(st->extra[i].name, name))
			return &st->extra[i];
	return NULL;
}

int pgset_set(PgSettings *st, const char *name, const char *value, StErr *err)
{
	if (strlen(value) >= PG_SETTING_MAX)
		return failf(err, STELE_EINVAL, "invalid value for parameter \"%s\": the value is too long",
		             name);
	int k = find_known(name);
	if (k >= 0) {
		if (known[k].flags & READONLY)
			return failf(err, STELE_EINVAL, "parameter \"%s\" cannot be changed", known[k].name);
		char norm[PG_SETTING_MAX];
		if (known[k].check) {
			int rc = known[k].check(value, norm, sizeof norm, err);
			if (rc)
				return rc;
		} else {
			snprintf(norm, sizeof norm, "%s", value);
		}
		snprintf(st->known[k].value, sizeof st->known[k].value, "%s", norm);
		return STELE_OK;
	}
	size_t nl = strlen(name);
	if (nl == 0 || nl >= sizeof st->extra[0].name)
		return failf(err, STELE_EINVAL, "invalid configuration parameter name \"%s\"", name);
	for (size_t i = 0; i < nl; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '.')
			return failf(err, STELE_EINVAL, "invalid configuration parameter name \"%s\"", name);
	PgSetting *x = find_extra(st, name);
	if (!x) {
		if (st->nextra >= PG_MAX_SETTINGS)
			return failf(err, STELE_ELIMIT, "too many settings in one session (%d)",
			             PG_MAX_SETTINGS);
		PgSetting *v = realloc(st->extra, (st->nextra + 1) * sizeof *v);
		if (!v)
			return failf(err, STELE_ENOMEM, "out of memory");
		st->extra = v;
		x = &st->extra[st->nextra++];
		snprintf(x->name, sizeof x->name, "%s", name);
	}
	snprintf(x->value, sizeof x->value, "%s", value);
	return STELE_OK;
}

/* Back to the default: the startup's value is not kept apart. */
static void reset(PgSettings *st, const char *name)
{
	int k = find_known(name);
	if (k >= 0) {
		if (!(known[k].flags & READONLY)) {
			if (!strcmp(known[k].name, "statement_timeout")) {
				char v[32];
				StErr e;
				snprintf(v, sizeof v, "%u", st->timeout_ms);
				check_timeout(v, st->known[k].value, PG_SETTING_MAX, &e);
			} else {
				snprintf(st->known[k].value, sizeof st->known[k].value, "%s", known[k].def);
			}
		}
		return;
	}
	PgSetting *x = find_extra(st, name);
	if (x) {
		*x = st->extra[--st->nextra];
	}
}

const char *pgset_get(const PgSettings *st, const char *name)
{
	int k = find_known(name);
	if (k >= 0)
		return st->known[k].value;
	const PgSetting *x = find_extra(st, name);
	return x ? x->value : NULL;
}

/* ---- statements ---- */

#define MAXTOK 128

typedef struct Toks {
	PgTok t[MAXTOK];
	uint32_t n;
	bool overflow;
} Toks;

static void lex_all(const char *sql, size_t n, Toks *ts)
{
	PgLex lx = pgtx_lex(sql, n);
	ts->n = 0;
	ts->overflow = false;
	for (;;) {
		PgTok t = pgtx_next(&lx);
		if (t.kind == PGTK_END)
			break;
		if (pgtx_punct(&t, ";"))
			continue;
		if (ts->n == MAXTOK) {
			ts->overflow = true;
			break;
		}
		ts->t[ts->n++] = t;
	}
}

static bool is(const Toks *ts, uint32_t i, const char *w)
{
	return i < ts->n && pgtx_is(&ts->t[i], w);
}

static void add_report(PgResult *res, const char *name)
{
	int k = find_known(name);
	if (k >= 0 && (known[k].flags & REPORT) && res->nreport < 4)
		snprintf(res->report[res->nreport++], sizeof res->report[0], "%s", known[k].name);
}

/* The values from token i on, joined by ", ". `quoted`: "identifiers"
 * keep their quotes (search_path, a list of names, as PostgreSQL shows it). */
static int values(const Toks *ts, uint32_t i, bool quoted, char *out, size_t cap, StErr *err)
{
	size_t k = 0;
	out[0] = '\0';
	bool want = true;
	for (; i < ts->n; i++) {
		const PgTok *t = &ts->t[i];
		if (pgtx_punct(t, ",")) {
			if (want)
				return failf(err, STELE_EPARSE, "syntax error at or near \",\"");
			want = true;
			continue;
		}
		if (!want)
			return failf(err, STELE_EPARSE, "syntax error at or near \"%.*s\"", (int)t->n, t->p);
		char v[PG_SETTING_MAX];
		if ((pgtx_punct(t, "-") || pgtx_punct(t, "+")) && i + 1 < ts->n &&
		    ts->t[i + 1].kind == PGTK_NUMBER) {
			char num[64];
			pgtx_value(&ts->t[i + 1], num, sizeof num);
			snprintf(v, sizeof v, "%s%s", t->p[0] == '-' ? "-" : "", num);
			i++;
		} else if (t->kind == PGTK_QIDENT && quoted) {
			snprintf(v, sizeof v, "%.*s", (int)t->n, t->p);
		} else if (t->kind == PGTK_STRING || t->kind == PGTK_WORD || t->kind == PGTK_QIDENT ||
		           t->kind == PGTK_NUMBER) {
			pgtx_value(t, v, sizeof v);
		} else {
			return failf(err, STELE_EPARSE, "syntax error at or near \"%.*s\"", (int)t->n, t->p);
		}
		k += (size_t)snprintf(out + k, k < cap ? cap - k : 0, "%s%s", k ? ", " : "", v);
		if (k >= cap)
			return failf(err, STELE_EINVAL, "the value is too long");
		want = false;
	}
	if (want)
		return failf(err, STELE_EPARSE, "syntax error at end of input");
	return STELE_OK;
}

/* A setting name at token i: word or word.word. */
static int setting_name(const Toks *ts, uint32_t *i, char *out, size_t cap, StErr *err)
{
	if (*i >= ts->n || (ts->t[*i].kind != PGTK_WORD && ts->t[*i].kind != PGTK_QIDENT))
		return failf(err, STELE_EPARSE, "syntax error at or near \"%.*s\"",
		             *i < ts->n ? (int)ts->t[*i].n : 0, *i < ts->n ? ts->t[*i].p : "");
	size_t k = pgtx_value(&ts->t[(*i)++], out, cap);
	while (*i + 1 < ts->n && pgtx_punct(&ts->t[*i], ".") &&
	       (ts->t[*i + 1].kind == PGTK_WORD || ts->t[*i + 1].kind == PGTK_QIDENT) && k + 2 < cap) {
		out[k++] = '.';
		k += pgtx_value(&ts->t[*i + 1], out + k, cap - k);
		*i += 2;
	}
	return STELE_OK;
}

static int do_set(PgConn *c, const Toks *ts, PgResult *res, StErr *err)
{
	PgSettings *st = &c->sess.set;
	uint32_t i = 1;
	if (is(ts, i, "session") && !is(ts, i + 1, "characteristics") &&
	    !is(ts, i + 1, "authorization"))
		i++;
	else if (is(ts, i, "local"))
		i++;
	snprintf(res->tag, sizeof res->tag, "SET");
	if (is(ts, i, "transaction") || (is(ts, i, "session") && is(ts, i + 1, "characteristics")))
		return STELE_OK;
	if (is(ts, i, "role") || (is(ts, i, "session") && is(ts, i + 1, "authorization")))
		return failf(err, STELE_EINVAL, "SET ROLE and SET SESSION AUTHORIZATION are not supported");
	char name[64], value[PG_SETTING_MAX];
	if (is(ts, i, "time") && is(ts, i + 1, "zone")) {
		snprintf(name, sizeof name, "TimeZone");
		i += 2;
		if (is(ts, i, "interval"))
			i++;
		if (is(ts, i, "local") || is(ts, i, "default")) {
			reset(st, name);
			add_report(res, name);
			return STELE_OK;
		}
	} else if (is(ts, i, "names")) {
		snprintf(name, sizeof name, "client_encoding");
		i++;
	} else if (is(ts, i, "schema")) {
		snprintf(name, sizeof name, "search_path");
		i++;
	} else {
		int rc = setting_name(ts, &i, name, sizeof name, err);
		if (rc)
			return rc;
		if (!is(ts, i, "to") && !(i < ts->n && pgtx_punct(&ts->t[i], "=")))
			return failf(err, STELE_EPARSE, "syntax error at or near \"%.*s\"",
			             i < ts->n ? (int)ts->t[i].n : 0, i < ts->n ? ts->t[i].p : "");
		i++;
		if (is(ts, i, "default") && i + 1 == ts->n) {
			reset(st, name);
			add_report(res, name);
			return STELE_OK;
		}
	}
	int rc = values(ts, i, !strcasecmp(name, "search_path"), value, sizeof value, err);
	if (rc == STELE_OK)
		rc = pgset_set(st, name, value, err);
	if (rc == STELE_OK)
		add_report(res, name);
	return rc;
}

static int do_reset(PgConn *c, const Toks *ts, PgResult *res, StErr *err)
{
	PgSettings *st = &c->sess.set;
	snprintf(res->tag, sizeof res->tag, "RESET");
	uint32_t i = 1;
	if (is(ts, i, "all") && ts->n == 2) {
		for (size_t k = 0; k < NKNOWN; k++) {
			reset(st, known[k].name);
			add_report(res, known[k].name);
		}
		st->nextra = 0;
		return STELE_OK;
	}
	char name[64];
	if (is(ts, i, "time") && is(ts, i + 1, "zone")) {
		snprintf(name, sizeof name, "TimeZone");
	} else if (is(ts, i, "role") || is(ts, i, "session")) {
		return STELE_OK;
	} else {
		int rc = setting_name(ts, &i, name, sizeof name, err);
		if (rc)
			return rc;
	}
	reset(st, name);
	add_report(res, name);
	return STELE_OK;
}

static int do_show(PgConn *c, const Toks *ts, PgResult *res, StErr *err)
{
	const PgSettings *st = &c->sess.set;
	snprintf(res->tag, sizeof res->tag, "SHOW");
	uint32_t i = 1;
	if (is(ts, i, "all") && ts->n == 2) {
		pgr_col(res, "name", 25);
		pgr_col(res, "setting", 25);
		pgr_col(res, "description", 25);
		/* Sorted by name, as PostgreSQL lists them. */
		const char *order[NKNOWN];
		for (size_t k = 0; k < NKNOWN; k++) {
			size_t j = k;
			while (j > 0 && strcasecmp(order[j - 1], known[k].name) > 0) {
				order[j] = order[j - 1];
				j--;
			}
			order[j] = known[k].name;
		}
		for (size_t k = 0; k < NKNOWN; k++) {
			int x = find_known(order[k]);
			pgr_str(res, known[x].name);
			pgr_str(res, st->known[x].value);
			pgr_str(res, known[x].desc);
			pgr_end_row(res);
		}
		for (uint32_t k = 0; k < st->nextra; k++) {
			pgr_str(res, st->extra[k].name);
			pgr_str(res, st->extra[k].value);
			pgr_str(res, "");
			pgr_end_row(res);
		}
		return STELE_OK;
	}
	char name[64];
	if (is(ts, i, "time") && is(ts, i + 1, "zone") && ts->n == 3) {
		snprintf(name, sizeof name, "TimeZone");
	} else if (is(ts, i, "transaction") && is(ts, i + 1, "isolation")) {
		snprintf(name, sizeof name, "transaction_isolation");
	} else if (is(ts, i, "session") && is(ts, i + 1, "authorization")) {
		snprintf(name, sizeof name, "session_authorization");
	} else {
		int rc = setting_name(ts, &i, name, sizeof name, err);
		if (rc)
			return rc;
		if (i < ts->n)
			return failf(err, STELE_EPARSE, "syntax error at or near \"%.*s\"", (int)ts->t[i].n,
			             ts->t[i].p);
	}
	const char *v = pgset_get(st, name);
	if (!v)
		return failf(err, STELE_EINVAL, "unrecognized configuration parameter \"%s\"", name);
	int k = find_known(name);
	pgr_col(res, k >= 0 ? known[k].name : name, 25);
	pgr_str(res, v);
	pgr_end_row(res);
	return STELE_OK;
}

int pgset_statement(PgConn *c, const char *sql, size_t n, bool dry, PgResult *res, StErr *err)
{
	Toks *ts = malloc(sizeof *ts);
	if (!ts) {
		failf(err, STELE_ENOMEM, "out of memory");
		return 1;
	}
	lex_all(sql, n, ts);
	int rc = 0;
	bool mine = true;
	if (ts->n == 0 || ts->t[0].kind != PGTK_WORD) {
		mine = false;
	} else if (ts->overflow && (is(ts, 0, "set") || is(ts, 0, "show") || is(ts, 0, "reset"))) {
		rc = failf(err, STELE_ELIMIT, "statement is too long");
	} else if (dry && (is(ts, 0, "set") || is(ts, 0, "reset") || is(ts, 0, "discard") ||
	                   is(ts, 0, "deallocate"))) {
		/* Described before it runs: no result columns, no effect yet. */
	} else if (is(ts, 0, "set")) {
		rc = do_set(c, ts, res, err);
	} else if (is(ts, 0, "reset")) {
		rc = do_reset(c, ts, res, err);
	} else if (is(ts, 0, "show") && !(is(ts, 1, "tables") && ts->n == 2)) {
		rc = do_show(c, ts, res, err);
	} else if (is(ts, 0, "discard") && ts->n == 2) {
		char w[16];
		pgtx_value(&ts->t[1], w, sizeof w);
		for (char *x = w; *x; x++)
			*x = (char)toupper((unsigned char)*x);
		if (!strcmp(w, "ALL")) {
			pgset_init(&c->sess.set, c->sess.user, c->sess.tok.admin, c->s->cfg.db.statement_timeout_ms);
			pgq_deallocate(c, NULL);
		}
		snprintf(res->tag, sizeof res->tag, "DISCARD %s", w);
	} else if (is(ts, 0, "deallocate")) {
		uint32_t i = is(ts, 1, "prepare") ? 2 : 1;
		if (is(ts, i, "all") && i + 1 == ts->n) {
			pgq_deallocate(c, NULL);
			snprintf(res->tag, sizeof res->tag, "DEALLOCATE ALL");
		} else if (i + 1 == ts->n) {
			char name[128];
			pgtx_value(&ts->t[i], name, sizeof name);
			if (!pgq_deallocate(c, name)) {
				snprintf(res->errcode, sizeof res->errcode, "26000");
				rc = failf(err, STELE_ENOENT, "prepared statement \"%s\" does not exist", name);
			}
			snprintf(res->tag, sizeof res->tag, "DEALLOCATE");
		} else {
			rc = failf(err, STELE_EPARSE, "syntax error in DEALLOCATE");
		}
	} else {
		mine = false;
	}
	if (rc && !res->errcode[0])
		snprintf(res->errcode, sizeof res->errcode, "%s",
		         strstr(err->msg, "cannot be changed") ? "55P02"
		         : strstr(err->msg, "unrecognized") ? "42704"
		         : strstr(err->msg, "not supported") ? "0A000"
		         : rc == STELE_EPARSE ? "42601" : "22023");
	free(ts);
	return !mine ? 0 : rc ? -1 : 1;
}

/* ---- session functions as literals ---- */

static void put_literal(Buf *out, const char *v)
{
	if (!v) {
		buf_put(out, "NULL", 4);
		return;
	}
	buf_put_u8(out, '\'');
	for (const char *p = v; *p; p++) {
		if (*p == '\'')
			buf_put_u8(out, '\'');
		buf_put_u8(out, (uint8_t)*p);
	}
	buf_put_u8(out, '\'');
}

/* Whether the token ends an output column (for the alias). */
static bool ends_column(const PgTok *t)
{
	static const char *const words[] = {"from", "into", "where", "group", "order", "limit",
	                                    "union", "having", "offset", NULL};
	if (t->kind == PGTK_END || pgtx_punct(t, ",") || pgtx_punct(t, ";"))
		return true;
	for (const char *const *w = words; *w; w++)
		if (pgtx_is(t, *w))
			return true;
	return false;
}

bool pgset_rewrite(PgConn *c, const char *sql, size_t n, Buf *out, StErr *err, int *rc)
{
	PgSess *ss = &c->sess;
	*rc = STELE_OK;
	bool any = false;
	PgLex lx = pgtx_lex(sql, n);
	const char *copied = sql;   /* out holds the text before this */
	PgTok prev = {PGTK_END, sql, 0};
	int depth = 0;
	for (PgTok t = pgtx_next(&lx); t.kind != PGTK_END; t = pgtx_next(&lx)) {
		PgTok name = t;
		PgLex at = lx;          /* after the name */
		if (pgtx_is(&t, "pg_catalog")) {
			PgLex l2 = lx;
			PgTok dot = pgtx_next(&l2), w = pgtx_next(&l2);
			if (pgtx_punct(&dot, ".") && w.kind == PGTK_WORD) {
				name = w;
				at = l2;
			}
		}
		char fn[32] = "";
		if (name.kind == PGTK_WORD && name.n < sizeof fn && !pgtx_punct(&prev, "."))
			pgtx_value(&name, fn, sizeof fn);
		PgLex l3 = at;
		PgTok open = pgtx_next(&l3);
		bool call = pgtx_punct(&open, "(");
		char val[32];
		const char *v = NULL;
		bool matched = false;
		if (call && (!strcmp(fn, "version") || !strcmp(fn, "current_database") ||
		             !strcmp(fn, "current_schema") || !strcmp(fn, "pg_backend_pid"))) {
			PgTok close = pgtx_next(&l3);
			if (pgtx_punct(&close, ")")) {
				matched = true;
				if (!strcmp(fn, "version"))
					v = "PostgreSQL 15.0 (Stele) on x86_64-pc-linux-gnu, 64-bit";
				else if (!strcmp(fn, "current_database"))
					v = ss->db;
				else if (!strcmp(fn, "current_schema"))
					v = "public";
				else
					snprintf(val, sizeof val, "%d", (int)c->pid), v = val;
				at = l3;
			}
		} else if (call && !strcmp(fn, "current_setting")) {
			PgTok arg = pgtx_next(&l3), next = pgtx_next(&l3);
			bool missing_ok = false;
			if (pgtx_punct(&next, ",")) {
				PgTok b = pgtx_next(&l3);
				missing_ok = pgtx_is(&b, "true") || (b.kind == PGTK_STRING && b.n >= 3 &&
				                                     (b.p[1] == 't' || b.p[1] == 'T'));
				next = pgtx_next(&l3);
			}
			if (arg.kind == PGTK_STRING && pgtx_punct(&next, ")")) {
				char sname[64];
				pgtx_value(&arg, sname, sizeof sname);
				v = pgset_get(&ss->set, sname);
				if (!v && !missing_ok) {
					*rc = failf(err, STELE_EINVAL, "unrecognized configuration parameter \"%s\"",
					            sname);
					return false;
				}
				matched = true;
				at = l3;
			}
		} else if (!call && (!strcmp(fn, "current_user") || !strcmp(fn, "session_user") ||
		                     !strcmp(fn, "current_role") || !strcmp(fn, "current_schema"))) {
			matched = true;
			v = !strcmp(fn, "current_schema") ? "public" : ss->user;
		}
		if (!matched) {
			if (pgtx_punct(&t, "("))
				depth++;
			else if (pgtx_punct(&t, ")"))
				depth--;
			prev = t;
			continue;
		}
		any = true;
		buf_put(out, copied, (size_t)(t.p - copied));
		put_literal(out, v);
		/* Casts after the call stay; the column is named after the
		 * function when the call (with its casts) is a whole output
		 * column, as PostgreSQL names it. */
		const char *call_end = at.p, *chain_end = at.p;
		PgLex l4 = at;
		PgTok nx = pgtx_next(&l4);
		while (pgtx_punct(&nx, "::")) {
			PgTok ty = pgtx_next(&l4);
			if (ty.kind != PGTK_WORD)
				break;
			chain_end = l4.p;
			at = l4;
			nx = pgtx_next(&l4);
		}
		buf_put(out, call_end, (size_t)(chain_end - call_end));
		bool head = depth == 0 && (pgtx_is(&prev, "select") || pgtx_punct(&prev, ",") ||
		                           pgtx_is(&prev, "distinct"));
		if (head && ends_column(&nx)) {
			buf_put(out, " AS \"", 5);
			buf_put(out, fn, strlen(fn));
			buf_put_u8(out, '"');
		}
		copied = chain_end;
		lx = at;
		prev = (PgTok){PGTK_WORD, chain_end, 0};
	}
	if (any)
		buf_put(out, copied, (size_t)(sql + n - copied));
	return any;
}
