/*
 * hmap.h - an open-addressing hash index from 64-bit hashes to 32-bit values.
 *
 * HMap stores only (hash, value) pairs; the caller owns the keys and decides
 * equality. Several entries may share a hash: look one up by walking the
 * candidates and comparing the real keys:
 *
 *     for (size_t i = hmap_find(m, h); i != HMAP_END; i = hmap_next(m, h, i))
 *             if (key_equal(m->vals[i], key))
 *                     return m->vals[i];
 *
 * Linear probing over a power-of-two table kept at most 70% full; the hash
 * 0 is stored as 1 (0 marks an empty slot). No deletion: an owner that
 * removes keys rebuilds its map. Memory: 12 bytes a slot, about 20 bytes an
 * entry.
 */
#ifndef STELE_UTIL_HMAP_H
#define STELE_UTIL_HMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define HMAP_END SIZE_MAX

typedef struct HMap {
	uint64_t *hashes;  /* 0: empty slot */
	uint32_t *vals;
	size_t mask;       /* slots - 1; 0 before the first put */
	size_t n;          /* entries */
} HMap;

static inline uint64_t hmap_fix(uint64_t h) { return h ? h : 1; }

/* The first slot holding hash h, or HMAP_END. */
static inline size_t hmap_find(const HMap *m, uint64_t h)
{
	if (!m->hashes)
		return HMAP_END;
	h = hmap_fix(h);
	for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
		if (m->hashes[i] == h)
			return i;
		if (m->hashes[i] == 0)
			return HMAP_END;
	}
}

/* The next slot after `slot` holding hash h, or HMAP_END. */
static inline size_t hmap_next(const HMap *m, uint64_t h, size_t slot)
{
	h = hmap_fix(h);
	for (size_t i = (slot + 1) & m->mask;; i = (i + 1) & m->mask) {
		if (m->hashes[i] == h)
			return i;
		if (m->hashes[i] == 0)
			return HMAP_END;
	}
}

/* Adds (h, v), growing the table as needed. STELE_OK or STELE_ENOMEM. */
int hmap_put(HMap *m, uint64_t h, uint32_t v);
/* Ensures room for n entries without growing. */
int hmap_reserve(HMap *m, size_t n);
void hmap_free(HMap *m);
/* Bytes allocated. */
size_t hmap_bytes(const HMap *m);

#endif
