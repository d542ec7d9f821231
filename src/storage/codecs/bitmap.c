/*
 * bitmap.c - CODEC_BITMAP: booleans, one bit each. Long runs (a flag that is
 * rarely set) are left to the zstd stage.
 *
 *     OFFSET  SIZE         DESCRIPTION
 *     0       ceil(n/8)    value i is bit i % 8 of byte i / 8; the bits after
 *                          the last value are 0
 */
#include <string.h>

#include "storage/codecs/codec_impl.h"

void bitmap_encode(const uint8_t *v, size_t n, Buf *out)
{
	size_t nb = (n + 7) / 8;
	if (!buf_reserve(out, nb))
		return;
	uint8_t *p = out->data + out->len;
	memset(p, 0, nb);
	for (size_t i = 0; i < n; i++)
		p[i / 8] |= (uint8_t)((v[i] != 0) << (i % 8));
	out->len += nb;
}

int bitmap_decode(Rd *r, size_t n, uint8_t *out, StErr *err)
{
	size_t nb = (n + 7) / 8;
	const uint8_t *p = rd_bytes(r, nb);
	if (!p)
		return codec_corrupt(err, "bitmap", "truncated");
	if (n % 8 && p[nb - 1] >> (n % 8))
		return codec_corrupt(err, "bitmap", "bits set past the last value");
	for (size_t i = 0; i < n / 8; i++) {
		unsigned b = p[i];
		for (unsigned j = 0; j < 8; j++)
			out[8 * i + j] = (b >> j) & 1;
	}
	for (size_t i = n / 8 * 8; i < n; i++)
		out[i] = (p[i / 8] >> (i % 8)) & 1;
	return STELE_OK;
}
