/*
 * errmap.c - Stele errors as HTTP statuses and SQLSTATEs (errmap.h).
 *
 * The code decides first; where one code stands for several PostgreSQL
 * conditions (STELE_ENOENT: a table, a column, a function; STELE_ELIMIT: a
 * timeout, a cancel, a memory limit) a phrase of the message decides. The
 * phrases are the engine's own wording (src/sql/), PostgreSQL's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/errmap.h"

typedef struct Rule {
	int code;             /* -1: any */
	const char *phrase;   /* NULL: any message */
	const char *sqlstate;
	int http;
} Rule;

/* First match wins. */
static const Rule rules[] = {
	{STELE_ENOENT, "column", "42703", 400},
	{STELE_ENOENT, "relation", "42P01", 404},
	{STELE_ENOENT, "table", "42P01", 404},
	{STELE_ENOENT, "function", "42883", 400},
	{STELE_ENOENT, "type", "42704", 400},
	{STELE_ENOENT, "database", "3D000", 404},
	{STELE_ENOENT, NULL, "42704", 404},
	{STELE_EEXIST, NULL, "42P07", 409},
	{STELE_EPARSE, NULL, "42601", 400},
	{STELE_ETYPE, "does not exist", "42883", 400},
	{STELE_ETYPE, "invalid input syntax for type timestamp", "22007", 400},
	{STELE_ETYPE, "invalid input syntax for type interval", "22007", 400},
	{STELE_ETYPE, "invalid input syntax", "22P02", 400},
	{STELE_ETYPE, NULL, "42804", 400},
	{STELE_EINVAL, "division by zero", "22012", 400},
	{STELE_EINVAL, "syntax error", "42601", 400},
	{STELE_EINVAL, "GROUP BY", "42803", 400},
	{STELE_EINVAL, "ambiguous", "42702", 400},
	{STELE_EINVAL, "out of range", "22003", 400},
	{STELE_EINVAL, "invalid input syntax for type timestamp", "22007", 400},
	{STELE_EINVAL, "invalid input syntax for type interval", "22007", 400},
	{STELE_EINVAL, "invalid input syntax", "22P02", 400},
	{STELE_EINVAL, "there is no parameter", "42P02", 400},
	{STELE_EINVAL, "invalid value for parameter", "22023", 400},
	{STELE_EINVAL, "unrecognized configuration parameter", "42704", 400},
	{STELE_EINVAL, "not supported", "0A000", 400},
	{STELE_EINVAL, NULL, "42601", 400},
	{STELE_ELIMIT, "user request", "57014", 400},
	{STELE_ELIMIT, "statement timeout", "57014", 400},
	{STELE_ELIMIT, "memory", "53200", 400},
	{STELE_ELIMIT, "series", "54000", 400},
	{STELE_ELIMIT, NULL, "54000", 400},
	{STELE_ENOMEM, NULL, "53200", 503},
	{STELE_ENOSPC, NULL, "53100", 507},
	{STELE_EREADONLY, NULL, "25006", 503},
	{STELE_ECORRUPT, NULL, "XX001", 500},
	{STELE_EBUSY, NULL, "55006", 503},
	{STELE_EIO, NULL, "58030", 500},
	{STELE_EVERSION, NULL, "XX000", 500},
	{-1, NULL, "XX000", 500},
};

static const Rule *find(const StErr *e)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		const Rule *r = &rules[i];
		if (r->code != -1 && r->code != e->code)
			continue;
		if (r->phrase && !strstr(e->msg, r->phrase))
			continue;
		return r;
	}
	return &rules[sizeof rules / sizeof rules[0] - 1];
}

int errmap_http(const StErr *e)
{
	return find(e)->http;
}

const char *errmap_sqlstate(const StErr *e)
{
	return find(e)->sqlstate;
}

static const char *suffix(const StErr *e)
{
	const char *p = strstr(e->msg, " at character ");
	const char *last = NULL;
	while (p) {
		last = p;
		p = strstr(p + 1, " at character ");
	}
	return last;
}

int errmap_position(const StErr *e)
{
	const char *p = suffix(e);
	if (!p)
		return 0;
	char *end;
	long n = strtol(p + 14, &end, 10);
	return n > 0 && n < 1000000000 && (*end == '\0' || *end == '\n') ? (int)n : 0;
}

void errmap_message(const StErr *e, char *out, size_t n)
{
	const char *p = errmap_position(e) ? suffix(e) : NULL;
	size_t len = p ? (size_t)(p - e->msg) : strlen(e->msg);
	snprintf(out, n, "%.*s", (int)len, e->msg);
}
