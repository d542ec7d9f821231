/* err.c - error codes, their descriptions, and the StErr helpers. */
#include "util/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const code_text[STELE_NCODES] = {
	[STELE_OK] = "success",
	[STELE_EINVAL] = "invalid argument",
	[STELE_ENOMEM] = "out of memory",
	[STELE_EIO] = "input/output error",
	[STELE_ENOSPC] = "no space left on device",
	[STELE_ECORRUPT] = "checksum or format error",
	[STELE_ENOENT] = "not found",
	[STELE_EEXIST] = "already exists",
	[STELE_EBUSY] = "in use by another process",
	[STELE_EPARSE] = "syntax error",
	[STELE_ETYPE] = "type conflict",
	[STELE_ELIMIT] = "limit reached",
	[STELE_EREADONLY] = "writes refused",
	[STELE_EVERSION] = "unsupported format version",
};

const char *stele_strerror(int code)
{
	if (code < 0 || code >= STELE_NCODES)
		return "unknown error";
	return code_text[code];
}

int failf(StErr *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

int err_prefix(StErr *err, const char *fmt, ...)
{
	if (!err)
		return STELE_EIO;
	char head[STELE_ERR_MSG_MAX], old[STELE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	snprintf(err->msg, sizeof err->msg, "%s: %s", head, old);
	return err->code;
}

void err_clear(StErr *err)
{
	if (err) {
		err->code = STELE_OK;
		err->msg[0] = '\0';
	}
}

int err_from_errno(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		return STELE_ENOSPC;
	case ENOENT:
		return STELE_ENOENT;
	case ENOMEM:
		return STELE_ENOMEM;
	case EEXIST:
		return STELE_EEXIST;
	default:
		return STELE_EIO;
	}
}
