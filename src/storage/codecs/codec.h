/*
 * codec.h - column codecs: how one column of one block is stored.
 *
 * codec_encode() takes the n non-null values of one column of a block (nulls
 * are kept apart, in the block's presence bitmap) and writes a self-describing
 * stream: one header byte, then the codec's payload.
 *
 *     OFFSET  SIZE  DESCRIPTION
 *     0       1     codec id (enum CodecId) | CODEC_ZSTD if the payload that
 *                   follows is zstd-compressed
 *     1       ...   payload: the codec's bytes, or a zstd frame holding them
 *
 * The encoder picks the codec per column per block: the smallest of the
 * candidates that fit the type and the values (constant runs, bit widths,
 * entropy of the residuals, whether ALP fits the doubles), then zstd over the
 * result when that makes it smaller. The decoder trusts nothing: any stream,
 * however damaged, decodes to exactly n values or fails with STELE_ECORRUPT;
 * it never reads or writes out of bounds, never crashes, and never allocates
 * more than n values of the type can need. (Damage to entropy-coded bytes
 * often decodes to wrong values: the block checksum must catch it.)
 *
 * Block size: blocks of up to 8192 rows compress best for their cost (see
 * README.md beside this file for the measurements).
 *
 * All functions are thread-safe; zstd contexts are cached per thread.
 *
 * Value layouts, for both directions:
 *     STELE_TYPE_TIMESTAMP, STELE_TYPE_BIGINT   int64_t[n]
 *     STELE_TYPE_UBIGINT                        uint64_t[n]
 *     STELE_TYPE_DOUBLE                         double[n], bit for bit (NaN
 *                                               payloads and -0.0 included)
 *     STELE_TYPE_BOOLEAN                        uint8_t[n], each 0 or 1
 *     STELE_TYPE_VARCHAR                        StrVec (offsets + bytes)
 */
#ifndef STELE_STORAGE_CODEC_H
#define STELE_STORAGE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "stele.h"
#include "util/buf.h"
#include "util/err.h"

typedef enum CodecId {
	CODEC_PLAIN = 0,    /* any type: the values as stored in memory
	                       (strings: varint lengths, then the bytes) */
	CODEC_CONST = 1,    /* any type: one value, n times */
	CODEC_DOD = 2,      /* int64: delta-of-delta (timestamps) */
	CODEC_DELTA = 3,    /* int64/uint64: delta (less a bias), zigzag,
	                       bit-packing or entropy coding (pvec.h) */
	CODEC_FOR = 4,      /* int64/uint64: frame of reference, bit-packing */
	CODEC_ALP = 16,     /* double: ALP, decimals as integers (SIGMOD 2024) */
	CODEC_ALP_RD = 17,  /* double: ALP for real doubles (front bits dictionary) */
	CODEC_CHIMP = 18,   /* double: Chimp128 XOR coding (VLDB 2022) */
	CODEC_IEEE = 19,    /* double: the bit patterns as integers, through
	                       the integer codecs (high-precision walks) */
	CODEC_BITMAP = 32,  /* boolean: one bit a value */
	CODEC_DICT = 33,    /* varchar: dictionary + bit-packed codes */
	CODEC_ZSTD = 0x80,  /* flag: the payload is zstd-compressed */
} CodecId;

/* A vector of n strings: string i is bytes[offs[i] .. offs[i+1]). */
typedef struct StrVec {
	const uint32_t *offs;  /* n + 1 entries, offs[0] == 0, non-decreasing */
	const char *bytes;
} StrVec;

/* Appends the encoding of n values (n >= 1) of `type` to out. `vals` points
 * to the layout above (a StrVec for VARCHAR). zstd_level 0 turns the zstd
 * stage off; 1..19 allows it where it shrinks the stream. */
int codec_encode(stele_type type, const void *vals, size_t n, int zstd_level, Buf *out,
                 StErr *err);

/* Like codec_encode(), but with the codec given by the caller instead of
 * chosen: `header` is a CodecId that fits the type, with CODEC_ZSTD added to
 * put the payload through zstd at `zstd_level` unconditionally. For tests,
 * benchmarks and tools. STELE_EINVAL if the codec does not fit the type, or
 * (CONST) the values. */
int codec_encode_as(stele_type type, const void *vals, size_t n, uint8_t header,
                    int zstd_level, Buf *out, StErr *err);

/* Decodes a stream of exactly n values of `type` into vals (room for n; for
 * VARCHAR a uint32_t[n + 1] of offsets, and the bytes are appended to
 * *strbytes after it is reset; strbytes->max, if set, limits them).
 * STELE_ECORRUPT on any damage detected. */
int codec_decode(stele_type type, const uint8_t *p, size_t len, size_t n, void *vals,
                 Buf *strbytes, StErr *err);

/* The codec id of a stream (without the zstd flag), or -1 for an empty one. */
int codec_id(const uint8_t *p, size_t len);
/* "delta", "alp", "dict+zstd", ... for a stream's header byte. */
const char *codec_name(uint8_t header);

#endif
