/*
 * float.h - the double codecs: ALP, ALP-RD and Chimp128 (see codec.h).
 *
 * float_encode() picks the best of them for the values (ALP when the doubles
 * are decimals of few digits, ALP-RD for high-precision doubles, Chimp where
 * neither wins) and writes the codec id byte and the payload. codec.c calls
 * these two; nothing else does.
 */
#ifndef STELE_STORAGE_FLOAT_H
#define STELE_STORAGE_FLOAT_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"

/* Appends [id][payload] for n doubles (n >= 1) to out; id is one of
 * CODEC_ALP, CODEC_ALP_RD, CODEC_CHIMP. Every bit pattern round-trips. */
int float_encode(const double *v, size_t n, Buf *out, StErr *err);

/* Decodes the payload of codec `id` (the id byte not included) into n
 * doubles. STELE_ECORRUPT on any damage, never out of bounds. */
int float_decode(uint8_t id, const uint8_t *p, size_t len, double *out, size_t n, StErr *err);

#endif
