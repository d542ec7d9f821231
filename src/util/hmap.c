/* hmap.c - growth and insertion for HMap (see hmap.h). */
#include "util/hmap.h"

#include <stdlib.h>

static void place(uint64_t *hashes, uint32_t *vals, size_t mask, uint64_t h, uint32_t v)
{
	size_t i = h & mask;
	while (hashes[i] != 0)
		i = (i + 1) & mask;
	hashes[i] = h;
	vals[i] = v;
}

static int resize(HMap *m, size_t slots)
{
	uint64_t *hashes = calloc(slots, sizeof *hashes);
	uint32_t *vals = malloc(slots * sizeof *vals);
	if (!hashes || !vals) {
		free(hashes);
		free(vals);
		return STELE_ENOMEM;
	}
	if (m->hashes) {
		for (size_t i = 0; i <= m->mask; i++)
			if (m->hashes[i])
				place(hashes, vals, slots - 1, m->hashes[i], m->vals[i]);
	}
	free(m->hashes);
	free(m->vals);
	m->hashes = hashes;
	m->vals = vals;
	m->mask = slots - 1;
	return STELE_OK;
}

int hmap_reserve(HMap *m, size_t n)
{
	size_t slots = m->hashes ? m->mask + 1 : 16;
	while (n * 10 > slots * 7)
		slots *= 2;
	if (m->hashes && slots == m->mask + 1)
		return STELE_OK;
	return resize(m, slots);
}

int hmap_put(HMap *m, uint64_t h, uint32_t v)
{
	if (!m->hashes || (m->n + 1) * 10 > (m->mask + 1) * 7) {
		int rc = hmap_reserve(m, m->n + 1);
		if (rc)
			return rc;
	}
	place(m->hashes, m->vals, m->mask, hmap_fix(h), v);
	m->n++;
	return STELE_OK;
}

void hmap_free(HMap *m)
{
	free(m->hashes);
	free(m->vals);
	m->hashes = NULL;
	m->vals = NULL;
	m->mask = 0;
	m->n = 0;
}

size_t hmap_bytes(const HMap *m)
{
	return m->hashes ? (m->mask + 1) * (sizeof(uint64_t) + sizeof(uint32_t)) : 0;
}
