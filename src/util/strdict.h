/*
 * strdict.h - interned strings with dense ids 0, 1, 2, ...
 *
 * Used for names (tables, columns) and for tag values. The bytes live in one
 * growing buffer, so a string is reached through its id; a pointer returned
 * by strdict_str() stays valid only until the next strdict_intern().
 */
#ifndef STELE_UTIL_STRDICT_H
#define STELE_UTIL_STRDICT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/hmap.h"

typedef struct StrDict {
	Buf bytes;       /* all strings, back to back */
	uint64_t *offs;  /* offs[id]..offs[id+1]: the bytes of id; n+1 entries */
	uint32_t n;      /* strings */
	uint32_t cap;    /* entries allocated in offs, minus one */
	HMap map;        /* hash of the bytes -> id */
} StrDict;

/* Id of the string, or UINT32_MAX if absent. */
uint32_t strdict_find(const StrDict *d, const char *s, size_t n);
/* Id of the string, adding it if absent. STELE_OK or STELE_ENOMEM. */
int strdict_intern(StrDict *d, const char *s, size_t n, uint32_t *id);

static inline const char *strdict_str(const StrDict *d, uint32_t id, size_t *len)
{
	*len = (size_t)(d->offs[id + 1] - d->offs[id]);
	/* no bytes yet when every string so far is empty */
	return d->bytes.data ? (const char *)d->bytes.data + d->offs[id] : "";
}

void strdict_free(StrDict *d);
size_t strdict_bytes(const StrDict *d);

#endif
