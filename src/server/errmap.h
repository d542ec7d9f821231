/*
 * errmap.h - what a Stele error becomes on the wire: one table mapping each
 * code (and, where a code covers several cases, the message) to an HTTP
 * status and to a PostgreSQL SQLSTATE.
 */
#ifndef STELE_SERVER_ERRMAP_H
#define STELE_SERVER_ERRMAP_H

#include "util/err.h"

/* The HTTP status for a failed SQL statement or write. */
int errmap_http(const StErr *e);

/* The five-character SQLSTATE for e ("42703", "57014", ...). */
const char *errmap_sqlstate(const StErr *e);

/* The 1-based character position an error message names ("... at
 * character 8"), 0 when none. */
int errmap_position(const StErr *e);

/* The message without its " at character N" suffix, into out[n]. */
void errmap_message(const StErr *e, char *out, size_t n);

#endif
