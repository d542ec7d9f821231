/*
 * bitio.h - a bit stream writer and a bounds-checked reader, for codecs whose
 * fields have data-dependent widths (Chimp). Bits go LSB first: the first
 * field written takes the lowest bits of the first byte; the last byte is
 * padded with zeros.
 */
#ifndef STELE_STORAGE_CODECS_BITIO_H
#define STELE_STORAGE_CODECS_BITIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"

typedef struct BitW {
	Buf *out;
	uint64_t acc;   /* pending bits, the oldest lowest */
	unsigned fill;  /* pending bit count, 0..63 */
} BitW;

/* Writes the low nb bits of v (0 <= nb <= 64; v < 2^nb). */
static inline void bw_put(BitW *w, uint64_t v, unsigned nb)
{
	if (nb == 0)
		return;
	w->acc |= v << w->fill;
	if (w->fill + nb < 64) {
		w->fill += nb;
		return;
	}
	buf_put_u64(w->out, w->acc);
	unsigned used = 64 - w->fill;  /* bits of v already in acc */
	w->acc = used < 64 ? v >> used : 0;
	w->fill = w->fill + nb - 64;
}

/* Writes the pending bits out, padded to a byte. */
static inline void bw_flush(BitW *w)
{
	uint8_t b[8];
	memcpy(b, &w->acc, 8);
	buf_put(w->out, b, (w->fill + 7) / 8);
	w->acc = 0;
	w->fill = 0;
}

typedef struct BitR {
	const uint8_t *p;
	size_t len;   /* bytes */
	uint64_t pos; /* bits consumed */
	bool bad;     /* read past the end */
} BitR;

static inline uint64_t br_load(const BitR *r, size_t byte)
{
	uint64_t v = 0;
	if (byte + 8 <= r->len)
		memcpy(&v, r->p + byte, 8);
	else if (byte < r->len)
		memcpy(&v, r->p + byte, r->len - byte);
	return v;
}

/* Reads nb bits (0 <= nb <= 64); past the end: 0, and bad is set. */
static inline uint64_t br_get(BitR *r, unsigned nb)
{
	if (nb == 0)
		return 0;
	if ((uint64_t)r->len * 8 - r->pos < nb) {
		r->bad = true;
		r->pos = (uint64_t)r->len * 8;
		return 0;
	}
	size_t byte = (size_t)(r->pos >> 3);
	unsigned sh = r->pos & 7;
	uint64_t v = br_load(r, byte) >> sh;
	if (sh + nb > 64)
		v |= br_load(r, byte + 8) << (64 - sh);
	r->pos += nb;
	return nb == 64 ? v : v & (((uint64_t)1 << nb) - 1);
}

#endif
