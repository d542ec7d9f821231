/*
 * dbreg.h - the databases of a data directory, opened on first use.
 *
 * Each subdirectory of the data root whose name is a valid database name
 * ([A-Za-z0-9_-], 1-64 bytes, not starting with '-') is a database. A
 * database is opened the first time a request names it and stays open
 * until dbreg_free; a write may create it, a read never does. Handles are
 * shared by every thread (stele_db is thread-safe).
 */
#ifndef STELE_SERVER_DBREG_H
#define STELE_SERVER_DBREG_H

#include <stdbool.h>

#include "stele.h"
#include "util/err.h"

typedef struct DbReg DbReg;

#define DBREG_NAME_MAX 64

int dbreg_new(const char *root, const stele_options *opts, DbReg **out, StErr *err);

/* Closes every database (flushing each) and frees the registry. Returns the
 * first close error. */
int dbreg_free(DbReg *r, StErr *err);

/* STELE_OK when name may name a database; STELE_EINVAL with a message. */
int dbreg_check_name(const char *name, StErr *err);

/* The open handle of database `name` in *out, opening it (and creating it
 * when `create`) on first use. STELE_ENOENT "database \"x\" does not
 * exist" when it does not and !create. The handle is valid until
 * dbreg_free. */
int dbreg_get(DbReg *r, const char *name, bool create, stele_db **out, StErr *err);

/* Calls fn for every database open now (for metrics). */
void dbreg_each(DbReg *r, void (*fn)(void *arg, const char *name, stele_db *db), void *arg);

#endif
