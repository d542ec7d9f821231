/*
 * codec_impl.h - what the codec files share among themselves; the rest of
 * Stele sees only codec.h.
 *
 * Every codec is a pair: an encoder that appends its payload (without the id
 * byte) to a Buf, and a decoder that reads the payload from an Rd positioned
 * after the id byte and writes exactly n values. Decoders report damage with
 * STELE_ECORRUPT and a message; the caller (codec.c) then checks that the Rd
 * was consumed exactly, so trailing bytes are damage too.
 *
 * Who chooses: codec.c picks by type, handles CONST and PLAIN for every type
 * and runs the zstd stage; ints.c picks among the integer codecs (and ALP
 * reuses it for its integers); float.c picks among the double codecs;
 * codec.c picks PLAIN or DICT for strings.
 */
#ifndef STELE_STORAGE_CODECS_CODEC_IMPL_H
#define STELE_STORAGE_CODECS_CODEC_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/codecs/codec.h"
#include "storage/codecs/pvec.h"

#define CODEC_AUTO (-1)

/* Zigzag on the bits of 64-bit integers, all in uint64_t arithmetic so
 * that wrap-around is defined (differences are taken mod 2^64). */
static inline uint64_t zz_enc(uint64_t d) { return (d << 1) ^ (0 - (d >> 63)); }
static inline uint64_t zz_dec(uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }

/* Bytes of buf_put_varint(v). */
static inline size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Largest n a stream may hold: bounds every size computation (and so every
 * allocation) in the codecs. */
#define CODEC_MAX_N ((size_t)1 << 31)

/* How the encoders choose. codec_encode() chooses everything. */
typedef struct CodecOpts {
	int force;      /* CODEC_AUTO, or the CodecId to use (no zstd flag) */
	int layout;     /* PV_AUTO, or the PvKind of every packed vector (tests) */
	bool for_zstd;  /* a zstd stage follows: prefer byte-aligned layouts */
} CodecOpts;

/* codec.c: the encoder behind codec_encode() and codec_encode_as().
 * zstd: 0 never, 1 where it shrinks the stream, 2 always (forced). */
int codec_encode_opts(stele_type type, const void *vals, size_t n, const CodecOpts *o,
                      int zstd_level, int zstd, Buf *out, StErr *err);

/* codec.c: CONST and PLAIN, for every type. Strings are a StrVec in, and
 * uint32_t offsets plus bytes appended to `strbytes` out. */
bool const_fits(stele_type type, const void *vals, size_t n);
void const_encode(stele_type type, const void *vals, size_t n, Buf *out);
int const_decode(stele_type type, Rd *r, size_t n, void *vals, Buf *strbytes, StErr *err);
void plain_encode(stele_type type, const void *vals, size_t n, Buf *out);
int plain_decode(stele_type type, Rd *r, size_t n, void *vals, Buf *strbytes, StErr *err);

/* ints.c: 64-bit integers (BIGINT, UBIGINT, TIMESTAMP; ALP's integers).
 * Appends [id][payload], id one of CONST, DOD, DELTA, FOR, PLAIN; FOR's
 * reference is the signed or unsigned minimum per is_signed. */
int ints_encode(const uint64_t *v, size_t n, bool is_signed, const CodecOpts *o, Buf *out,
                StErr *err);
/* Decodes the payload of integer codec `id`. */
int ints_decode(int id, Rd *r, size_t n, uint64_t *out, StErr *err);

/* dod.c, delta.c, for.c: residuals (m of them, returned), the bytes before
 * the packed vector, the payload, and its decoder. DELTA's head size and
 * payload take its residuals, from which they read the bias back. */
size_t dod_residuals(const uint64_t *v, size_t n, uint64_t *res);
size_t dod_head_size(const uint64_t *v, size_t n);
void dod_write(Buf *out, const uint64_t *v, size_t n, const uint64_t *res, const PvPlan *plan);
int dod_decode(Rd *r, size_t n, uint64_t *out, StErr *err);

size_t delta_residuals(const uint64_t *v, size_t n, uint64_t *res);
size_t delta_head_size(const uint64_t *v, size_t n, const uint64_t *res);
void delta_write(Buf *out, const uint64_t *v, size_t n, const uint64_t *res,
                 const PvPlan *plan);
int delta_decode(Rd *r, size_t n, uint64_t *out, StErr *err);

/* FOR's reference: the minimum, signed or unsigned. */
uint64_t for_base(const uint64_t *v, size_t n, bool is_signed);
size_t for_residuals(const uint64_t *v, size_t n, uint64_t base, uint64_t *res);
size_t for_head_size(uint64_t base);
void for_write(Buf *out, uint64_t base, size_t n, const uint64_t *res, const PvPlan *plan);
int for_decode(Rd *r, size_t n, uint64_t *out, StErr *err);

/* alp.c, alp_rd.c, chimp.c, ieee.c: payloads of the double codecs. Each
 * encodes any values (ALP with every value an exception if need be);
 * float.c compares the sizes. alp_sample() picks ALP's exponent from a
 * sample and estimates the bits a value ALP will take. */
int alp_sample(const double *v, size_t n, double *est_bits);
int alp_encode(const double *v, size_t n, int k, const CodecOpts *o, Buf *out, StErr *err);
int alp_decode(Rd *r, size_t n, double *out, StErr *err);
int alp_rd_encode(const double *v, size_t n, Buf *out, StErr *err);
int alp_rd_decode(Rd *r, size_t n, double *out, StErr *err);
int chimp_encode(const double *v, size_t n, Buf *out, StErr *err);
int chimp_decode(Rd *r, size_t n, double *out, StErr *err);
int ieee_encode(const double *v, size_t n, const CodecOpts *o, Buf *out, StErr *err);
int ieee_decode(Rd *r, size_t n, double *out, StErr *err);

/* bitmap.c: booleans, one bit each. */
void bitmap_encode(const uint8_t *v, size_t n, Buf *out);
int bitmap_decode(Rd *r, size_t n, uint8_t *out, StErr *err);

/* dict.c: strings as a dictionary plus packed codes. */
int dict_encode(const StrVec *sv, size_t n, const CodecOpts *o, Buf *out, StErr *err);
int dict_decode(Rd *r, size_t n, uint32_t *offs, Buf *strbytes, StErr *err);

/* Fails with STELE_ECORRUPT: "corrupt <codec> stream: <what>". */
int codec_corrupt(StErr *err, const char *codec, const char *what);

#endif
