/*
 * chimp.c - CODEC_CHIMP: Chimp128 (Liakos, Papakonstantinopoulou, Kotidis:
 * "Chimp: Efficient Lossless Floating Point Compression for Time Series
 * Databases", VLDB 2022), the fallback for doubles that are neither decimals
 * (ALP) nor of few distinct front bits (ALP-RD), e.g. repeating values.
 *
 * Each value is XORed with a reference: one of the previous 128 values whose
 * XOR has many trailing zeros (found through a table indexed by the low 14
 * bits), else the previous value. The XOR is then stored by its leading
 * zeros (rounded down to 0, 8, 12, 16, 18, 20, 22 or 24) and, when it has
 * more than 13 trailing zeros, its trailing zeros too.
 *
 * Layout: a bit stream (bitio.h, LSB first) filling the payload to its end,
 * zero-padded to a byte.
 *
 *     FIELD                       BITS   MEANING
 *     first value                 64     raw
 *     then per value:
 *     flag 0, slot                2+7    equal to the value in ring slot
 *     flag 1, slot, L, c, bits    2+7+3+6+c
 *                                        x = bits << (64 - lead - c),
 *                                        value = ring[slot] ^ x
 *     flag 2, bits                2+64-lead'  value = prev ^ bits, with lead'
 *                                        the leading zeros of the last flag 3
 *     flag 3, L, bits             2+3+64-lead  value = prev ^ bits; lead' = lead
 *
 * The ring holds the last 128 values, value i in slot i mod 128. L is the
 * index of the leading-zero count in the rounding table.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/codecs/bitio.h"
#include "storage/codecs/codec_impl.h"

#define CHIMP_RING 128
#define CHIMP_THRESHOLD 13  /* 6 + log2(CHIMP_RING) */
#define CHIMP_KEY_BITS 14

static const uint8_t lead_of_code[8] = {0, 8, 12, 16, 18, 20, 22, 24};

static unsigned lead_code(unsigned clz)
{
	unsigned c = 0;
	while (c < 7 && lead_of_code[c + 1] <= clz)
		c++;
	return c;
}

int chimp_encode(const double *dv, size_t n, Buf *out, StErr *err)
{
	uint32_t *last = calloc(1u << CHIMP_KEY_BITS, sizeof *last);  /* index + 1 */
	if (!last)
		return failf(err, STELE_ENOMEM, "out of memory encoding %zu doubles", n);
	BitW w = {out, 0, 0};
	uint64_t first;  /* doubles are read as bits through memcpy */
	memcpy(&first, &dv[0], 8);
	bw_put(&w, first, 64);
	last[first & ((1u << CHIMP_KEY_BITS) - 1)] = 1;
	unsigned stored_lead = 65;
	uint64_t prev = first;
	for (size_t i = 1; i < n; i++) {
		uint64_t x, cur;
		memcpy(&cur, &dv[i], 8);
		unsigned key = cur & ((1u << CHIMP_KEY_BITS) - 1);
		size_t ref = i - 1;
		uint64_t refv = prev;
		if (last[key] && i - (last[key] - 1) <= CHIMP_RING) {
			uint64_t cv;
			memcpy(&cv, &dv[last[key] - 1], 8);
			uint64_t cx = cur ^ cv;
			if (cx == 0 || (unsigned)__builtin_ctzll(cx) > CHIMP_THRESHOLD) {
				ref = last[key] - 1;
				refv = cv;
			}
		}
		x = cur ^ refv;
		if (x == 0) {
			bw_put(&w, 0, 2);
			bw_put(&w, ref % CHIMP_RING, 7);
		} else {
			unsigned code = lead_code((unsigned)__builtin_clzll(x));
			unsigned lead = lead_of_code[code], tz = (unsigned)__builtin_ctzll(x);
			if (tz > CHIMP_THRESHOLD) {
				unsigned c = 64 - lead - tz;
				bw_put(&w, 1, 2);
				bw_put(&w, ref % CHIMP_RING, 7);
				bw_put(&w, code, 3);
				bw_put(&w, c, 6);
				bw_put(&w, x >> tz, c);
			} else if (lead == stored_lead) {
				bw_put(&w, 2, 2);
				bw_put(&w, x, 64 - lead);
			} else {
				bw_put(&w, 3, 2);
				bw_put(&w, code, 3);
				bw_put(&w, x, 64 - lead);
				stored_lead = lead;
			}
		}
		last[key] = (uint32_t)(i + 1);
		prev = cur;
	}
	bw_flush(&w);
	free(last);
	return STELE_OK;
}

int chimp_decode(Rd *r, size_t n, double *out, StErr *err)
{
	size_t len = rd_left(r);
	BitR br = {rd_bytes(r, len), len, 0, false};
	uint64_t ring[CHIMP_RING] = {0};
	uint64_t prev = br_get(&br, 64);
	unsigned stored_lead = 0;
	ring[0] = prev;
	memcpy(&out[0], &prev, 8);
	for (size_t i = 1; i < n && !br.bad; i++) {
		uint64_t v;
		unsigned flag = (unsigned)br_get(&br, 2);
		if (flag == 0) {
			v = ring[br_get(&br, 7)];
		} else if (flag == 1) {
			unsigned slot = (unsigned)br_get(&br, 7);
			unsigned lead = lead_of_code[br_get(&br, 3)];
			unsigned c = (unsigned)br_get(&br, 6);
			if (c == 0 || lead + c > 64)
				return codec_corrupt(err, "chimp", "bad significant bits");
			v = ring[slot] ^ br_get(&br, c) << (64 - lead - c);
		} else if (flag == 2) {
			v = prev ^ br_get(&br, 64 - stored_lead);
		} else {
			stored_lead = lead_of_code[br_get(&br, 3)];
			v = prev ^ br_get(&br, 64 - stored_lead);
		}
		ring[i % CHIMP_RING] = v;
		prev = v;
		memcpy(&out[i], &v, 8);
	}
	if (br.bad)
		return codec_corrupt(err, "chimp", "truncated");
	if ((br.pos + 7) / 8 != len)
		return codec_corrupt(err, "chimp", "trailing bytes");
	return STELE_OK;
}
