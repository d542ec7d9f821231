/* strdict.c - interning for StrDict (see strdict.h). */
#include "util/strdict.h"

#include <stdlib.h>
#include <xxhash.h>

uint32_t strdict_find(const StrDict *d, const char *s, size_t n)
{
	uint64_t h = XXH3_64bits(s, n);
	for (size_t i = hmap_find(&d->map, h); i != HMAP_END; i = hmap_next(&d->map, h, i)) {
		uint32_t id = d->map.vals[i];
		size_t len;
		const char *p = strdict_str(d, id, &len);
		if (len == n && (n == 0 || memcmp(p, s, n) == 0))
			return id;
	}
	return UINT32_MAX;
}

int strdict_intern(StrDict *d, const char *s, size_t n, uint32_t *id)
{
	uint32_t found = strdict_find(d, s, n);
	if (found != UINT32_MAX) {
		*id = found;
		return STELE_OK;
	}
	if (d->n == UINT32_MAX - 1)
		return STELE_ELIMIT;
	if (d->n + 1 >= d->cap || !d->offs) {
		uint32_t cap = d->cap ? d->cap * 2 : 16;
		uint64_t *offs = realloc(d->offs, ((size_t)cap + 1) * sizeof *offs);
		if (!offs)
			return STELE_ENOMEM;
		if (!d->offs)
			offs[0] = 0;
		d->offs = offs;
		d->cap = cap;
	}
	buf_put(&d->bytes, s, n);
	if (d->bytes.failed)
		return STELE_ENOMEM;
	if (hmap_put(&d->map, XXH3_64bits(s, n), d->n))
		return STELE_ENOMEM;
	d->offs[d->n + 1] = d->bytes.len;
	*id = d->n++;
	return STELE_OK;
}

void strdict_free(StrDict *d)
{
	buf_free(&d->bytes);
	free(d->offs);
	hmap_free(&d->map);
	memset(d, 0, sizeof *d);
}

size_t strdict_bytes(const StrDict *d)
{
	return d->bytes.cap + ((size_t)d->cap + 1) * sizeof(uint64_t) + hmap_bytes(&d->map);
}
