/*
 * ieee.c - CODEC_IEEE: doubles as their IEEE 754 bit patterns read as
 * integers, through the integer chooser (ints.c).
 *
 * For full-precision measurements that move a little each step (TSBS's
 * cpu fields as it really stores them: a random walk in doubles), two
 * neighbours share sign and exponent, so their patterns differ by about
 * the step in units of the last place: DELTA with the entropy layout stores
 * ~50 bits a value where Chimp needs ~53. Two transforms first:
 *   - trailing zero bits common to every value are shifted out: doubles
 *     widened from float32 (29 zero bits) or with short mantissas shrink;
 *   - sign-magnitude becomes two's complement order (negative values are
 *     stored as ~magnitude), so a series that crosses zero keeps small
 *     deltas, and -0.0 (-1) stays distinct from +0.0 (0).
 *
 *     OFFSET  SIZE     DESCRIPTION
 *     0       1        t: common trailing zero bits of the magnitudes, 0..63
 *     1       1        integer codec id: CONST, DOD, DELTA, FOR or PLAIN
 *     2       ...      its payload: the n integers
 *                      y = sign ? ~(magnitude >> t) : magnitude >> t
 */
#include <stdlib.h>
#include <string.h>

#include "storage/codecs/codec_impl.h"

#define MAG_MASK (~(uint64_t)0 >> 1)

int ieee_encode(const double *v, size_t n, const CodecOpts *o, Buf *out, StErr *err)
{
	uint64_t *y = malloc(n * sizeof *y);
	if (!y)
		return failf(err, STELE_ENOMEM, "out of memory encoding %zu doubles", n);
	uint64_t all = 0;
	for (size_t i = 0; i < n; i++) {
		memcpy(&y[i], &v[i], 8);
		all |= y[i] & MAG_MASK;
	}
	unsigned t = all ? (unsigned)__builtin_ctzll(all) : 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t mag = (y[i] & MAG_MASK) >> t;
		y[i] = y[i] >> 63 ? ~mag : mag;
	}
	buf_put_u8(out, (uint8_t)t);
	CodecOpts io = *o;
	io.force = CODEC_AUTO;
	int rc = ints_encode(y, n, true, &io, out, err);
	free(y);
	return rc;
}

int ieee_decode(Rd *r, size_t n, double *out, StErr *err)
{
	unsigned t = rd_u8(r);
	int id = rd_u8(r);
	if (r->bad)
		return codec_corrupt(err, "ieee", "truncated");
	if (t > 63)
		return codec_corrupt(err, "ieee", "shift above 63");
	uint64_t *y = malloc(n * sizeof *y);
	if (!y)
		return failf(err, STELE_ENOMEM, "out of memory decoding %zu doubles", n);
	int rc = ints_decode(id, r, n, y, err);
	if (rc == STELE_OK) {
		for (size_t i = 0; i < n; i++) {
			uint64_t neg = y[i] >> 63;
			uint64_t bits = (neg << 63) | (((neg ? ~y[i] : y[i]) << t) & MAG_MASK);
			memcpy(&out[i], &bits, 8);
		}
	}
	free(y);
	return rc;
}
