/*
 * float.h - the double codecs: ALP, ALP-RD, IEEE and Chimp128 (see codec.h).
 *
 * float_encode() picks the best of them for the values (ALP when the doubles
 * are decimals of few digits, ALP-RD for high-precision doubles of few
 * distinct front bits, IEEE for smooth full-precision walks, Chimp for
 * repeating values, PLAIN when nothing beats 8 bytes a value) and writes the
 * codec id byte and the payload. codec.c calls these two; nothing else does.
 * (CONST is codec.c's: it handles constant columns of every type.)
 */
#ifndef STELE_STORAGE_FLOAT_H
#define STELE_STORAGE_FLOAT_H

#include <stddef.h>
#include <stdint.h>

#include "storage/codecs/codec_impl.h"
#include "util/buf.h"
#include "util/err.h"

/* Appends [id][payload] for n doubles (n >= 1) to out; id is one of
 * CODEC_ALP, CODEC_ALP_RD, CODEC_IEEE, CODEC_CHIMP, CODEC_PLAIN, or o->force
 * when that is one of the first four. Every bit pattern round-trips. */
int float_encode(const double *v, size_t n, const CodecOpts *o, Buf *out, StErr *err);

/* Decodes the payload of codec `id` (ALP, ALP_RD, IEEE or CHIMP; the id byte not
 * included) from r into n doubles. STELE_ECORRUPT on any damage, never out
 * of bounds. */
int float_decode(int id, Rd *r, size_t n, double *out, StErr *err);

#endif
