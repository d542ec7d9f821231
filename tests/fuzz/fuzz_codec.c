/*
 * fuzz_codec.c - the column codecs. The input, after two bytes that pick a
 * type and a count, is decoded as a stream (a result or an error, never a
 * crash or an out-of-bounds access); and, read as values of that type, it is
 * encoded and decoded again, which must give the same values bit for bit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "storage/codecs/codec.h"

#define MAXV 4096

static const stele_type types[] = {STELE_TYPE_DOUBLE, STELE_TYPE_BIGINT, STELE_TYPE_UBIGINT,
                                   STELE_TYPE_BOOLEAN, STELE_TYPE_VARCHAR, STELE_TYPE_TIMESTAMP};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	stele_type type = types[data[0] % 6];
	static const size_t counts[] = {1, 7, 64, 1000};
	size_t n = counts[data[1] & 3];
	const uint8_t *p = data + 2;
	size_t len = size - 2;

	/* Decoding arbitrary bytes. */
	uint64_t *vals = malloc((MAXV + 1) * sizeof *vals);
	uint64_t *back = malloc((MAXV + 1) * sizeof *back);
	Buf strs = {0}, enc = {0};
	if (!vals || !back)
		abort();
	codec_decode(type, p, len, n, vals, &strs, NULL);

	/* Round trip of the bytes read as values. */
	int zstd = (data[1] >> 2) & 1 ? 3 : 0;
	if (type == STELE_TYPE_VARCHAR) {
		/* Strings split at each 0xff byte. */
		uint32_t offs[MAXV + 1], m = 0;
		offs[0] = 0;
		for (size_t i = 0; i < len && m < MAXV; i++)
			if (p[i] == 0xff)
				offs[++m] = (uint32_t)i;
		offs[++m] = (uint32_t)len;
		StrVec sv = {offs, (const char *)p};
		if (codec_encode(type, &sv, m, zstd, &enc, NULL) != STELE_OK)
			abort();
		uint32_t *boffs = (uint32_t *)back;
		if (codec_decode(type, enc.data, enc.len, m, boffs, &strs, NULL) != STELE_OK)
			abort();
		for (uint32_t i = 0; i < m; i++) {
			uint32_t a = offs[i + 1] - offs[i], b = boffs[i + 1] - boffs[i];
			if (a != b || (a && memcmp(p + offs[i], strs.data + boffs[i], a) != 0))
				abort();
		}
	} else {
		size_t m, w = type == STELE_TYPE_BOOLEAN ? 1 : 8;
		m = len / w;
		if (m > MAXV)
			m = MAXV;
		if (m > 0) {
			if (type == STELE_TYPE_BOOLEAN) {
				uint8_t *b8 = (uint8_t *)vals, *o8 = (uint8_t *)back;
				for (size_t i = 0; i < m; i++)
					b8[i] = p[i] & 1;
				if (codec_encode(type, b8, m, zstd, &enc, NULL) != STELE_OK ||
				    codec_decode(type, enc.data, enc.len, m, o8, NULL, NULL) != STELE_OK ||
				    memcmp(b8, o8, m) != 0)
					abort();
			} else {
				memcpy(vals, p, m * 8);
				if (codec_encode(type, vals, m, zstd, &enc, NULL) != STELE_OK ||
				    codec_decode(type, enc.data, enc.len, m, back, NULL, NULL) != STELE_OK ||
				    memcmp(vals, back, m * 8) != 0)
					abort();
			}
		}
	}
	buf_free(&strs);
	buf_free(&enc);
	free(vals);
	free(back);
	return 0;
}
