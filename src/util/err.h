/*
 * err.h - the one error channel (STYLE.md, "One error channel").
 *
 * Fallible functions return an int from enum stele_code and describe the
 * failure in a caller-owned StErr. failf() does both in one statement:
 *
 *     if (fd < 0)
 *             return failf(err, STELE_EIO, "could not open \"%s\": %s",
 *                          path, strerror(errno));
 *
 * `err` may be NULL everywhere; then only the code is returned.
 */
#ifndef STELE_UTIL_ERR_H
#define STELE_UTIL_ERR_H

#include "stele.h"

typedef stele_err StErr;

/* Sets err->code and err->msg; returns `code`. */
int failf(StErr *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "context: " to the message already in err; returns err->code
 * (or STELE_EIO when err is NULL). */
int err_prefix(StErr *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Resets err to STELE_OK with an empty message. */
void err_clear(StErr *err);

/* Maps an errno value to a code: ENOSPC/EDQUOT -> STELE_ENOSPC,
 * ENOENT -> STELE_ENOENT, ENOMEM -> STELE_ENOMEM, others -> STELE_EIO. */
int err_from_errno(int e);

#endif
