/*
 * alp.c - CODEC_ALP: doubles that are decimals, stored as integers
 * (Afroozeh, Kuffo, Boncz: "ALP: Adaptive Lossless floating-Point
 * Compression", SIGMOD 2024).
 *
 * A sensor reading of 21.5 or a price of 12.34 is the double nearest to a
 * decimal with few digits. With an exponent k, such a value v is the integer
 * N = round(v * 10^k) scaled back; the integers then go through the integer
 * codecs (ints.c), where a slowly moving gauge becomes small deltas. Values
 * that do not come back bit for bit (NaN, +-Inf, -0.0, too many digits,
 * |N| >= 2^51) are exceptions, stored raw.
 *
 * One change from the paper: the paper decodes with two multiplications,
 * N * 10^f * 10^-e, where 10^-e is inexact, so some decimals fail to
 * round-trip and become exceptions. Stele divides by the exact 10^k instead
 * (k <= 22: 10^22 is the largest power of ten a double holds exactly). IEEE
 * division rounds correctly, so N / 10^k is exactly the double nearest to
 * the decimal N / 10^k: every decimal with at most k fraction digits (and
 * |N| < 2^51) round-trips. The paper's exponent and factor then fold into
 * one signed exponent: k < 0 stores multiples of 10^-k (1200000.0 as 12 with
 * k = -5), decoded as N * 10^-k.
 *
 * The exponent is chosen per block by sampling (the paper's idea, one level):
 * for up to ALP_SAMPLES values spread over the block, find each one's
 * smallest working k; then for each k seen, price the block as sampled
 * integers' bit width plus exceptions, and take the cheapest.
 *
 *     OFFSET  SIZE          DESCRIPTION
 *     0       1             k, signed (int8), -22..22
 *     1       varint        e: number of exceptions, 0..n
 *     .       ceil(e*pw/8)  exception positions, ascending, pw = bits_of(n-1)
 *     .       8*e           exception values, raw bits, little-endian
 *     .       1             integer codec id: CONST, DOD, DELTA, FOR or PLAIN
 *     .       ...           its payload: n integers N (an exception's slot
 *                           holds its neighbour's N, to keep deltas small)
 *
 * Decoding: v = (double)N / 10^k (k >= 0) or (double)N * 10^-k (k < 0),
 * then exceptions patched in.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "storage/codecs/bitpack.h"
#include "storage/codecs/codec_impl.h"

#define ALP_KMAX 22
#define ALP_NONE 127
#define ALP_SAMPLES 64
#define ALP_EXC_BITS 64  /* an exception's value; its position comes on top */

static const double F10[ALP_KMAX + 1] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static inline double alp_dec(int64_t N, int k)
{
	return k >= 0 ? (double)N / F10[k] : (double)N * F10[-k];
}

/* Whether v comes back from exponent k, with its integer in *N. */
static inline bool alp_enc(double v, int k, int64_t *N)
{
	double x = k >= 0 ? v * F10[k] : v / F10[-k];
	if (!(fabs(x) < 0x1p51))  /* also NaN and Inf */
		return false;
	/* Round to nearest: exact for |x| < 2^51 (the ALP "magic number"). */
	double t = (x + 0x1.8p52) - 0x1.8p52;
	int64_t n = (int64_t)t;
	double back = alp_dec(n, k);
	if (memcmp(&back, &v, sizeof v) != 0)  /* bit for bit: -0.0 fails */
		return false;
	*N = n;
	return true;
}

/* The smallest k that works for v, or ALP_NONE. Working exponents form an
 * interval upward (N / 10^k is the same number as 10N / 10^(k+1)), so the
 * search stops at the first failure below 0 and the first success above. */
static int alp_digits(double v)
{
	int64_t N;
	if (alp_enc(v, 0, &N)) {
		int k = 0;
		while (k > -ALP_KMAX && alp_enc(v, k - 1, &N))
			k--;
		return k;
	}
	for (int k = 1; k <= ALP_KMAX; k++)
		if (alp_enc(v, k, &N))
			return k;
	return ALP_NONE;
}

int alp_sample(const double *v, size_t n, double *est_bits)
{
	size_t ns = n < ALP_SAMPLES ? n : ALP_SAMPLES;
	int digits[ALP_SAMPLES];
	double sample[ALP_SAMPLES];
	for (size_t i = 0; i < ns; i++) {
		sample[i] = v[i * n / ns];
		digits[i] = alp_digits(sample[i]);
	}
	int best_k = 0;
	uint64_t best_cost = ns * (uint64_t)(ALP_EXC_BITS + 16);  /* all exceptions */
	bool tried[2 * ALP_KMAX + 1] = {false};
	for (size_t c = 0; c < ns; c++) {
		int k = digits[c];
		if (k == ALP_NONE || tried[k + ALP_KMAX])
			continue;
		tried[k + ALP_KMAX] = true;
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		size_t exc = 0;
		for (size_t i = 0; i < ns; i++) {
			int64_t N;
			if (digits[i] > k || !alp_enc(sample[i], k, &N)) {
				exc++;
				continue;
			}
			lo = N < lo ? N : lo;
			hi = N > hi ? N : hi;
		}
		uint64_t width = bits_of((uint64_t)hi - (uint64_t)lo);
		uint64_t cost = ns * width + exc * (ALP_EXC_BITS + 16);
		if (cost < best_cost || (cost == best_cost && k < best_k)) {
			best_cost = cost;
			best_k = k;
		}
	}
	*est_bits = (double)best_cost / (double)ns;
	return best_k;
}

int alp_encode(const double *v, size_t n, int k, const CodecOpts *o, Buf *out, StErr *err)
{
	int64_t *ints = malloc(n * sizeof *ints);
	uint64_t *exc = malloc(n * sizeof *exc);  /* positions */
	if (!ints || !exc) {
		free(ints);
		free(exc);
		return failf(err, STELE_ENOMEM, "out of memory encoding %zu doubles", n);
	}
	size_t ne = 0;
	int64_t fill = 0;
	bool have_fill = false;
	for (size_t i = 0; i < n; i++) {
		int64_t N;
		if (alp_enc(v[i], k, &N)) {
			if (!have_fill) {  /* exceptions before the first value */
				for (size_t j = 0; j < i; j++)
					ints[j] = N;
				have_fill = true;
			}
			ints[i] = fill = N;
		} else {
			exc[ne++] = i;
			ints[i] = fill;
		}
	}
	buf_put_u8(out, (uint8_t)(int8_t)k);
	buf_put_varint(out, ne);
	bitpack_put(out, exc, ne, bits_of(n - 1));
	for (size_t i = 0; i < ne; i++)
		buf_put(out, &v[exc[i]], 8);
	CodecOpts io = *o;
	io.force = CODEC_AUTO;
	int rc = ints_encode((const uint64_t *)ints, n, true, &io, out, err);
	free(ints);
	free(exc);
	return rc;
}

int alp_decode(Rd *r, size_t n, double *out, StErr *err)
{
	int k = (int8_t)rd_u8(r);
	uint64_t ne = rd_varint(r);
	if (r->bad)
		return codec_corrupt(err, "alp", "truncated");
	if (k < -ALP_KMAX || k > ALP_KMAX || ne > n)
		return codec_corrupt(err, "alp", "bad header");
	unsigned pw = bits_of(n - 1);
	const uint8_t *pos = rd_bytes(r, bitpack_bytes((size_t)ne, pw));
	const uint8_t *vals = rd_bytes(r, 8 * (size_t)ne);
	int id = rd_u8(r);
	if (r->bad)
		return codec_corrupt(err, "alp", "truncated");
	uint64_t *ints = malloc(n * sizeof *ints);
	if (!ints)
		return failf(err, STELE_ENOMEM, "out of memory decoding %zu doubles", n);
	int rc = ints_decode(id, r, n, ints, err);
	if (rc == STELE_OK) {
		if (k >= 0) {
			double p = F10[k];
			for (size_t i = 0; i < n; i++)
				out[i] = (double)(int64_t)ints[i] / p;
		} else {
			double p = F10[-k];
			for (size_t i = 0; i < n; i++)
				out[i] = (double)(int64_t)ints[i] * p;
		}
		uint64_t at[64];
		size_t prev = 0;
		for (size_t g = 0; g < ne && rc == STELE_OK; g += 64) {
			size_t c = ne - g < 64 ? (size_t)ne - g : 64;
			bitpack_get(pos + (g / 64) * 8 * pw, c, pw, at);
			for (size_t i = 0; i < c; i++) {
				if (at[i] >= n || (g + i > 0 && at[i] <= prev)) {
					rc = codec_corrupt(err, "alp", "exception position out of order");
					break;
				}
				prev = (size_t)at[i];
				memcpy(&out[prev], vals + 8 * (g + i), 8);
			}
		}
	}
	free(ints);
	return rc;
}
