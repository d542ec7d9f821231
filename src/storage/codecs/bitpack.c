/*
 * bitpack.c - the packing kernels behind bitpack.h.
 *
 * pack64/unpack64 move one group of 64 values to or from w little-endian
 * words. They are written once, generic in w, and instantiated for every w
 * in 1..64 with w a constant, so that the compiler unrolls the 64 steps
 * and every shift and word index becomes an immediate. The tables
 * pack_fns[w] / unpack_fns[w] pick the instance at run time, once per group.
 */
#include "storage/codecs/bitpack.h"

#include <string.h>

static inline uint64_t ld64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline void st64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static inline uint64_t mask_of(unsigned w)
{
	return w >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
}

/* 64 values -> w words at out (8 * w bytes). */
static inline __attribute__((always_inline)) void pack64(const uint64_t *in, uint8_t *out,
                                                          const unsigned w)
{
	const uint64_t mask = mask_of(w);
	uint64_t acc = 0;
	unsigned fill = 0, word = 0;
#pragma GCC unroll 64
	for (unsigned i = 0; i < 64; i++) {
		uint64_t v = in[i] & mask;
		acc |= v << fill;
		fill += w;
		if (fill >= 64) {
			st64(out + 8 * word++, acc);
			fill -= 64;
			acc = fill ? v >> (w - fill) : 0;
		}
	}
}

/* w words at in (8 * w bytes) -> 64 values. */
static inline __attribute__((always_inline)) void unpack64(const uint8_t *in, uint64_t *out,
                                                            const unsigned w)
{
	const uint64_t mask = mask_of(w);
#pragma GCC unroll 64
	for (unsigned i = 0; i < 64; i++) {
		unsigned bit = i * w, k = bit >> 6, sh = bit & 63;
		uint64_t v = ld64(in + 8 * k) >> sh;
		if (sh + w > 64)
			v |= ld64(in + 8 * (k + 1)) << (64 - sh);
		out[i] = v & mask;
	}
}

typedef void (*PackFn)(const uint64_t *in, uint8_t *out);
typedef void (*UnpackFn)(const uint8_t *in, uint64_t *out);

#define KERNELS(W)                                                                   \
	static void pack_##W(const uint64_t *in, uint8_t *out) { pack64(in, out, W); } \
	static void unpack_##W(const uint8_t *in, uint64_t *out) { unpack64(in, out, W); }
#define K8(a, b, c, d, e, f, g, h) KERNELS(a) KERNELS(b) KERNELS(c) KERNELS(d) \
	KERNELS(e) KERNELS(f) KERNELS(g) KERNELS(h)
K8(1, 2, 3, 4, 5, 6, 7, 8)
K8(9, 10, 11, 12, 13, 14, 15, 16)
K8(17, 18, 19, 20, 21, 22, 23, 24)
K8(25, 26, 27, 28, 29, 30, 31, 32)
K8(33, 34, 35, 36, 37, 38, 39, 40)
K8(41, 42, 43, 44, 45, 46, 47, 48)
K8(49, 50, 51, 52, 53, 54, 55, 56)
K8(57, 58, 59, 60, 61, 62, 63, 64)

#define P8(x, a, b, c, d, e, f, g, h) x##a, x##b, x##c, x##d, x##e, x##f, x##g, x##h
#define ALL_WIDTHS(x)                                                              \
	P8(x, 1, 2, 3, 4, 5, 6, 7, 8), P8(x, 9, 10, 11, 12, 13, 14, 15, 16),              \
	P8(x, 17, 18, 19, 20, 21, 22, 23, 24), P8(x, 25, 26, 27, 28, 29, 30, 31, 32),     \
	P8(x, 33, 34, 35, 36, 37, 38, 39, 40), P8(x, 41, 42, 43, 44, 45, 46, 47, 48),     \
	P8(x, 49, 50, 51, 52, 53, 54, 55, 56), P8(x, 57, 58, 59, 60, 61, 62, 63, 64)

static const PackFn pack_fns[65] = {NULL, ALL_WIDTHS(pack_)};
static const UnpackFn unpack_fns[65] = {NULL, ALL_WIDTHS(unpack_)};

void bitpack_put(Buf *out, const uint64_t *v, size_t m, unsigned w)
{
	size_t nbytes = bitpack_bytes(m, w);
	if (w == 0 || m == 0 || !buf_reserve(out, nbytes))
		return;
	uint8_t *p = out->data + out->len;
	PackFn fn = pack_fns[w];
	size_t full = m / 64;
	for (size_t g = 0; g < full; g++)
		fn(v + 64 * g, p + 8 * w * g);
	size_t tail = m % 64;
	if (tail) {
		uint64_t in[64] = {0};
		uint8_t words[8 * 64];
		memcpy(in, v + 64 * full, tail * sizeof *in);
		fn(in, words);
		memcpy(p + 8 * w * full, words, bitpack_bytes(tail, w));
	}
	out->len += nbytes;
}

void bitpack_get(const uint8_t *p, size_t m, unsigned w, uint64_t *out)
{
	if (w == 0) {
		memset(out, 0, m * sizeof *out);
		return;
	}
	UnpackFn fn = unpack_fns[w];
	size_t full = m / 64;
	for (size_t g = 0; g < full; g++)
		fn(p + 8 * w * g, out + 64 * g);
	size_t tail = m % 64;
	if (tail) {
		uint8_t words[8 * 64] = {0};
		uint64_t vals[64];
		memcpy(words, p + 8 * w * full, bitpack_bytes(tail, w));
		fn(words, vals);
		memcpy(out + 64 * full, vals, tail * sizeof *out);
	}
}
