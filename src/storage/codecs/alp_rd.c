/*
 * alp_rd.c - CODEC_ALP_RD: ALP for "real doubles", the paper's answer to
 * high-precision values that no decimal exponent captures (section 3.4 of
 * Afroozeh et al., SIGMOD 2024).
 *
 * The front bits of such doubles (sign, exponent, first mantissa bits) take
 * few distinct values within a block, while the back bits are noise. Each
 * value is cut into a left part of lw <= 16 bits, coded through a dictionary
 * of at most 8 entries, and a right part of r = 64 - lw bits, bit-packed as
 * is. Left parts missing from the dictionary are exceptions. The cut and the
 * dictionary size are chosen on a sorted sample of left parts: sorting once
 * by the top 16 bits orders every shorter prefix too, so each of the 16 cuts
 * is priced in one pass over runs.
 *
 *     OFFSET  SIZE          DESCRIPTION
 *     0       1             r: right width, 48..63 (left width lw = 64 - r)
 *     1       1             d: dictionary entries, 1..8
 *     2       2*d           dictionary: left parts, u16 little-endian
 *     .       ceil(n*cw/8)  codes into the dictionary, cw = bits_of(d-1)
 *     .       ceil(n*r/8)   right parts: the low r bits of every value
 *     .       varint        e: exceptions, 0..n
 *     .       ceil(e*pw/8)  their positions, ascending, pw = bits_of(n-1)
 *     .       ceil(e*lw/8)  their left parts (their codes above are 0)
 *
 * Decoding: bits = dict[code] << r | right, then the exceptions' left parts
 * replace the top lw bits.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/codecs/bitpack.h"
#include "storage/codecs/codec_impl.h"

#define RD_SAMPLES 1024
#define RD_MAX_LW 16
#define RD_MAX_DICT 8

/* Sorts up to RD_SAMPLES keys: two counting passes of 8 bits. */
static void sort_u16(uint16_t *a, size_t n)
{
	uint16_t tmp[RD_SAMPLES];
	for (unsigned shift = 0; shift < 16; shift += 8) {
		size_t count[257] = {0};
		for (size_t i = 0; i < n; i++)
			count[((a[i] >> shift) & 0xff) + 1]++;
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			tmp[count[(a[i] >> shift) & 0xff]++] = a[i];
		memcpy(a, tmp, n * sizeof *a);
	}
}

typedef struct RdChoice {
	unsigned lw, d;
	uint16_t dict[RD_MAX_DICT];
} RdChoice;

/* Chooses the cut and dictionary from a sample of the top 16 bits. */
static void rd_choose(uint16_t *top, size_t ns, size_t n, RdChoice *best)
{
	sort_u16(top, ns);
	unsigned pw = bits_of(n - 1);
	uint64_t best_cost = UINT64_MAX;
	for (unsigned lw = 1; lw <= RD_MAX_LW; lw++) {
		unsigned shift = RD_MAX_LW - lw;
		size_t cnt[RD_MAX_DICT] = {0};  /* the largest runs, descending */
		uint16_t val[RD_MAX_DICT] = {0};
		size_t ndist = 0;
		for (size_t i = 0; i < ns;) {
			uint16_t x = (uint16_t)(top[i] >> shift);
			size_t j = i;
			while (j < ns && (top[j] >> shift) == x)
				j++;
			size_t c = j - i;
			ndist++;
			for (int k = 0; k < RD_MAX_DICT; k++) {
				if (c > cnt[k]) {
					memmove(cnt + k + 1, cnt + k, (RD_MAX_DICT - 1 - k) * sizeof *cnt);
					memmove(val + k + 1, val + k, (RD_MAX_DICT - 1 - k) * sizeof *val);
					cnt[k] = c;
					val[k] = x;
					break;
				}
			}
			i = j;
		}
		size_t covered = 0;
		for (unsigned d = 1; d <= RD_MAX_DICT && d <= ndist; d++) {
			covered += cnt[d - 1];
			uint64_t cost = ns * (uint64_t)(64 - lw + bits_of(d - 1)) +
			                (ns - covered) * (uint64_t)(pw + lw) + 16 * d;
			if (cost < best_cost) {
				best_cost = cost;
				best->lw = lw;
				best->d = d;
				memcpy(best->dict, val, sizeof val);
			}
		}
	}
}

int alp_rd_encode(const double *v, size_t n, Buf *out, StErr *err)
{
	size_t ns = n < RD_SAMPLES ? n : RD_SAMPLES;
	uint16_t top[RD_SAMPLES];
	for (size_t i = 0; i < ns; i++) {
		uint64_t b;
		memcpy(&b, &v[i * n / ns], 8);
		top[i] = (uint16_t)(b >> 48);
	}
	RdChoice ch = {16, 1, {0}};  /* rd_choose always finds one */
	rd_choose(top, ns, n, &ch);
	unsigned lw = ch.lw, r = 64 - lw, cw = bits_of(ch.d - 1);

	uint64_t *codes = malloc(4 * n * sizeof *codes);
	if (!codes)
		return failf(err, STELE_ENOMEM, "out of memory encoding %zu doubles", n);
	uint64_t *rights = codes + n, *epos = codes + 2 * n, *eleft = codes + 3 * n;
	uint64_t rmask = ((uint64_t)1 << r) - 1;
	size_t ne = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t b;
		memcpy(&b, &v[i], 8);
		uint16_t left = (uint16_t)(b >> r);
		rights[i] = b & rmask;
		codes[i] = 0;
		unsigned k = 0;
		while (k < ch.d && ch.dict[k] != left)
			k++;
		if (k < ch.d) {
			codes[i] = k;
		} else {
			epos[ne] = i;
			eleft[ne++] = left;
		}
	}
	buf_put_u8(out, (uint8_t)r);
	buf_put_u8(out, (uint8_t)ch.d);
	for (unsigned k = 0; k < ch.d; k++)
		buf_put_u16(out, ch.dict[k]);
	bitpack_put(out, codes, n, cw);
	bitpack_put(out, rights, n, r);
	buf_put_varint(out, ne);
	bitpack_put(out, epos, ne, bits_of(n - 1));
	bitpack_put(out, eleft, ne, lw);
	free(codes);
	return STELE_OK;
}

int alp_rd_decode(Rd *r, size_t n, double *out, StErr *err)
{
	unsigned rw = rd_u8(r), d = rd_u8(r);
	if (r->bad)
		return codec_corrupt(err, "alp_rd", "truncated");
	if (rw < 64 - RD_MAX_LW || rw > 63 || d < 1 || d > RD_MAX_DICT)
		return codec_corrupt(err, "alp_rd", "bad header");
	uint64_t dict[RD_MAX_DICT] = {0};  /* codes >= d of a damaged stream read 0 */
	for (unsigned k = 0; k < d; k++)
		dict[k] = rd_u16(r);
	unsigned lw = 64 - rw, cw = bits_of(d - 1), pw = bits_of(n - 1);
	const uint8_t *codes = rd_bytes(r, bitpack_bytes(n, cw));
	const uint8_t *rights = rd_bytes(r, bitpack_bytes(n, rw));
	uint64_t ne = rd_varint(r);
	if (r->bad || ne > n)
		return codec_corrupt(err, "alp_rd", "truncated");
	const uint8_t *epos = rd_bytes(r, bitpack_bytes((size_t)ne, pw));
	const uint8_t *eleft = rd_bytes(r, bitpack_bytes((size_t)ne, lw));
	if (r->bad)
		return codec_corrupt(err, "alp_rd", "truncated exceptions");

	/* Groups of 64 start on byte boundaries in every packed array. */
	uint64_t c[64], rt[64];
	for (size_t g = 0; g < n; g += 64) {
		size_t m = n - g < 64 ? n - g : 64;
		bitpack_get(codes + (g / 64) * 8 * cw, m, cw, c);
		bitpack_get(rights + (g / 64) * 8 * rw, m, rw, rt);
		for (size_t i = 0; i < m; i++) {
			uint64_t b = dict[c[i] & (RD_MAX_DICT - 1)] << rw | rt[i];
			memcpy(&out[g + i], &b, 8);
		}
	}
	uint64_t rmask = ((uint64_t)1 << rw) - 1;
	size_t prev = 0;
	for (size_t g = 0; g < ne; g += 64) {
		size_t m = ne - g < 64 ? (size_t)ne - g : 64;
		bitpack_get(epos + (g / 64) * 8 * pw, m, pw, c);
		bitpack_get(eleft + (g / 64) * 8 * lw, m, lw, rt);
		for (size_t i = 0; i < m; i++) {
			if (c[i] >= n || (g + i > 0 && c[i] <= prev))
				return codec_corrupt(err, "alp_rd", "exception position out of order");
			prev = (size_t)c[i];
			uint64_t b;
			memcpy(&b, &out[prev], 8);
			b = (b & rmask) | rt[i] << rw;
			memcpy(&out[prev], &b, 8);
		}
	}
	return STELE_OK;
}
