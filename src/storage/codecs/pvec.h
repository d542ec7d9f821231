/*
 * pvec.h - packed vectors: how a codec stores m unsigned 64-bit residuals
 * (zigzag deltas, offsets from a minimum, dictionary codes). DOD, DELTA,
 * FOR, ALP's integers and DICT's codes all end in one packed vector; m is
 * known from the context (never stored), and m == 0 takes no bytes at all.
 *
 * The first byte picks the layout; the encoder computes the exact size of
 * each layout from one pass of statistics and writes the smallest (or, when
 * a zstd stage follows, the byte-aligned one that zstd's entropy coder reads
 * best).
 *
 *     OFFSET  SIZE              DESCRIPTION
 *     0       1                 kind: PV_ZERO, PV_PACK, PV_MINI or PV_BYTES
 *
 *   PV_ZERO (0): every value is 0. Nothing follows.
 *
 *   PV_PACK (1): one width for all, with patched exceptions (PFor).
 *     1       1                 w: width of the packed low bits, 0..64
 *     2       ceil(m*w/8)       the low w bits of every value (bitpack.h)
 *     .       varint            e: number of exceptions, 0..m
 *   when e > 0:
 *     .       1                 hw: width of the exceptions' high bits,
 *                               1..64-w
 *     .       ceil(e*pw/8)      exception positions, pw = bits_of(m-1) bits
 *                               each, ascending
 *     .       ceil(e*hw/8)      exception high bits: value = low | high << w
 *
 *   PV_MINI (2): mini-blocks of 64 values, each with its own width, so one
 *   outlier widens only its own 64 values.
 *     1       ceil(m/64)        w_j: width of mini-block j, 0..64
 *     .       ...               mini-block j: ceil(c_j*w_j/8) bytes, c_j = 64
 *                               except for the last one
 *
 *   PV_BYTES (3): byte planes (byte-stream split), for a zstd stage.
 *     1       1                 k: bytes a value, 1..8
 *     2       k*m               plane 0 (the low byte of every value), then
 *                               plane 1, ... plane k-1
 *
 *   PV_ENTROPY (4): PFor whose low bits are entropy-coded: the top <= 8
 *   bits of each value's low part are a symbol for the order-0 arithmetic
 *   coder (entropy.h), the bits under them, mostly noise, stay raw. Values
 *   spread like a bell curve cost their entropy instead of their width.
 *     1       1                 w: width of the low part, 1..64
 *     2       1                 s: raw bits, 0..w-1, with w - s <= 8
 *     3       ceil(m*s/8)       the low s bits of every value (bitpack.h)
 *     .       ...               entropy stream (entropy.h) of the m symbols
 *                               (v mod 2^w) >> s
 *     .       varint            e: exceptions, then as in PV_PACK
 */
#ifndef STELE_STORAGE_CODECS_PVEC_H
#define STELE_STORAGE_CODECS_PVEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

enum PvKind {
	PV_ZERO = 0,
	PV_PACK = 1,
	PV_MINI = 2,
	PV_BYTES = 3,
	PV_ENTROPY = 4,
	PV_NKINDS,
	PV_AUTO = -1
};

/* A layout chosen for one vector, with its size. */
typedef struct PvPlan {
	int kind;          /* enum PvKind */
	unsigned w;        /* PV_PACK, PV_ENTROPY: low width; PV_BYTES: bytes a value */
	unsigned s;        /* PV_ENTROPY: raw bits under the symbols */
	unsigned maxw;     /* bits_of(max value) */
	size_t size;       /* bytes pv_write() appends; estimated for PV_ENTROPY */
	unsigned pack_w;   /* the best PV_PACK, which PV_ENTROPY falls back to */
	size_t pack_size;  /* when its coded size turns out larger */
} PvPlan;

/* Chooses the layout of m values: `force` is PV_AUTO or a kind (falls back
 * to the nearest that can hold the values: PV_ZERO needs all zeros);
 * `for_zstd` prefers PV_BYTES unless the values are all zero. */
void pv_plan(const uint64_t *v, size_t m, int force, bool for_zstd, PvPlan *plan);

/* Appends v[0..m) in the planned layout (nothing when m == 0). */
void pv_write(Buf *out, const uint64_t *v, size_t m, const PvPlan *plan);

/* Reads m values from r into out. STELE_ECORRUPT (r->bad set) on any damage;
 * out is fully written either way. */
int pv_read(Rd *r, size_t m, uint64_t *out, StErr *err);

#endif
