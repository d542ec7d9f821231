/*
 * entropy.h - order-0 entropy coding of byte symbols: the stage that takes
 * small residuals from their bit width down to their entropy (a random walk
 * with N(0,1) steps has deltas of about 2.15 bits of entropy, which
 * bit-packing stores in 3 bits and zstd's Huffman stage in 2.3 to 3).
 *
 * The coders are htscodecs' order-0 coders, from Debian's libhtscodecs: the
 * entropy coders of the CRAM format in htslib, fuzzed upstream. Short
 * streams go to the adaptive arithmetic coder (no table to pay for), long
 * ones to static rANS, which decodes about 2.5 times as fast for 1-2% more
 * bytes (entropy.c).
 *
 * Stream:
 *     OFFSET  SIZE    DESCRIPTION
 *     0       1       coder: ENT_ARITH (arith_dynamic) or ENT_RANS
 *                     (rANS_static4x16)
 *     1       varint  c: bytes of the coded symbols
 *     .       c       the coder's stream: its first byte is 0x00 (order 0)
 *                     or 0x20 (stored: incompressible), then m as an
 *                     htscodecs varint, then the coder's bytes. The decoder
 *                     rejects every other form, so that only these paths of
 *                     the library ever see a damaged stream.
 */
#ifndef STELE_STORAGE_CODECS_ENTROPY_H
#define STELE_STORAGE_CODECS_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

enum { ENT_ARITH = 0, ENT_RANS = 1 };

/* Streams of this many symbols and more use rANS. */
#define ENT_RANS_MIN 2048

/* Appends the stream of m symbols (m >= 1). Sets out->failed on failure. */
void ent_put(Buf *out, const uint8_t *sym, size_t m);

/* Reads a stream of exactly m symbols into out. STELE_ECORRUPT on damage. */
int ent_get(Rd *r, size_t m, uint8_t *out, StErr *err);

/* Estimated bytes of ent_put() for symbols with the histogram hist[0..nsym)
 * (m of them): their order-0 entropy plus the adaptive model's learning. */
size_t ent_estimate(const uint32_t *hist, unsigned nsym, size_t m);

/* A lower bound of ent_estimate() for the same histogram, with one log2
 * instead of one a symbol: no symbol costs less than log2(m / the largest
 * count) bits. */
size_t ent_estimate_floor(const uint32_t *hist, unsigned nsym, size_t m);

#endif
