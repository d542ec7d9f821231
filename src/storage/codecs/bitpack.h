/*
 * bitpack.h - fixed-width bit-packing of unsigned 64-bit values, the layer
 * under every integer-like codec (DOD, DELTA, FOR, ALP's integers, ALP-RD,
 * dictionary codes, exception positions).
 *
 * m values of w bits (0 <= w <= 64) take exactly bitpack_bytes(m, w) =
 * ceil(m * w / 8) bytes. Value i occupies bits [i*w, i*w + w) of the byte
 * string read as one little-endian integer: LSB first, no padding between
 * values, zero bits after the last one up to the byte boundary.
 *
 *     values a, b, c at w = 3:   byte 0 = c1 c0 b2 b1 b0 a2 a1 a0
 *                                byte 1 = 0  0  0  0  0  0  0  c2
 *
 * Hence 64 values at width w are exactly w little-endian 64-bit words; the
 * kernels pack and unpack such groups of 64 with the width a compile-time
 * constant (one specialised function per width), so the inner loop has no
 * per-value branches and no data-dependent shifts. A partial last group goes
 * through a zero-padded copy.
 */
#ifndef STELE_STORAGE_CODECS_BITPACK_H
#define STELE_STORAGE_CODECS_BITPACK_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Bits needed for v: 0 for 0, else 64 - clz(v). Branch-free: residuals
 * are zero often and unpredictably. */
static inline unsigned bits_of(uint64_t v)
{
	return (unsigned)(v != 0) * (64u - (unsigned)__builtin_clzll(v | 1));
}

/* Bytes that m values of w bits occupy. Callers keep m below 2^57. */
static inline size_t bitpack_bytes(size_t m, unsigned w)
{
	return (size_t)(((uint64_t)m * w + 7) / 8);
}

/* Appends m values packed at w bits. Each value is masked to w bits, so
 * wider values lose their high bits (callers pass w >= bits_of(max)). A
 * failed growth leaves out->failed set (see buf.h). */
void bitpack_put(Buf *out, const uint64_t *v, size_t m, unsigned w);

/* Unpacks m values of w bits from p, which must hold bitpack_bytes(m, w)
 * readable bytes (the caller checks that against the stream's length). */
void bitpack_get(const uint8_t *p, size_t m, unsigned w, uint64_t *out);

#endif
