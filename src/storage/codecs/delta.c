/*
 * delta.c - CODEC_DELTA: first value, then the differences of neighbours
 * less a bias, zigzagged and packed. Suits counters and slowly moving
 * gauges, whose differences are much narrower than the values.
 *
 * The bias is the middle of the central range of (a sample of) the
 * differences, from the 1/16 to the 15/16 quantile: a counter that grows by
 * 0..10 a row then stores -5..5 (4 bits) where plain zigzag would store
 * 0..20 (5 bits), and timestamps with jitter store the jitter's change
 * alone. Quantiles, not the extremes or the mean, so that a rare jump (a
 * counter reset) stays one PFor exception instead of shifting every value.
 * Differences are taken mod 2^64, so any int64/uint64 sequence round-trips,
 * extremes included.
 *
 *     OFFSET  SIZE     DESCRIPTION
 *     0       varint   zz(v[0])
 *     .       varint   zz(bias)                                  (n >= 2)
 *     .       ...      packed vector (pvec.h) of the n-1 values
 *                      zz(v[i] - v[i-1] - bias), i = 1 .. n-1
 *
 * zz(x) = (x << 1) ^ (x >> 63 arithmetic): 0, -1, 1, -2 -> 0, 1, 2, 3.
 */
#include "storage/codecs/codec_impl.h"

#define DELTA_SAMPLES 63

static uint64_t delta_bias(const uint64_t *v, size_t n)
{
	if (n < 2)
		return 0;
	size_t m = n - 1, ns = m < DELTA_SAMPLES ? m : DELTA_SAMPLES;
	uint64_t s[DELTA_SAMPLES];  /* differences, as signed order (top bit flipped) */
	for (size_t i = 0; i < ns; i++) {
		size_t at = 1 + i * m / ns;
		uint64_t x = (v[at] - v[at - 1]) ^ ((uint64_t)1 << 63);
		size_t j = i;
		for (; j > 0 && s[j - 1] > x; j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
	/* The middle of the central ~7/8 of the differences. */
	uint64_t lo = s[ns / 16] ^ ((uint64_t)1 << 63), hi = s[ns - 1 - ns / 16] ^ ((uint64_t)1 << 63);
	return lo + (hi - lo) / 2;
}

size_t delta_residuals(const uint64_t *v, size_t n, uint64_t *res)
{
	uint64_t bias = delta_bias(v, n);
	for (size_t i = 1; i < n; i++)
		res[i - 1] = zz_enc(v[i] - v[i - 1] - bias);
	return n - 1;
}

/* The bias back from the first residual, so that it is computed once. */
static uint64_t bias_of(const uint64_t *v, const uint64_t *res)
{
	return v[1] - v[0] - zz_dec(res[0]);
}

size_t delta_head_size(const uint64_t *v, size_t n, const uint64_t *res)
{
	return varint_len(zz_enc(v[0])) + (n >= 2 ? varint_len(zz_enc(bias_of(v, res))) : 0);
}

void delta_write(Buf *out, const uint64_t *v, size_t n, const uint64_t *res, const PvPlan *plan)
{
	buf_put_varint(out, zz_enc(v[0]));
	if (n < 2)
		return;
	buf_put_varint(out, zz_enc(bias_of(v, res)));
	pv_write(out, res, n - 1, plan);
}

int delta_decode(Rd *r, size_t n, uint64_t *out, StErr *err)
{
	out[0] = zz_dec(rd_varint(r));
	if (n < 2)
		return STELE_OK;
	uint64_t bias = zz_dec(rd_varint(r));
	int rc = pv_read(r, n - 1, out + 1, err);
	if (rc != STELE_OK)
		return rc;
	uint64_t acc = out[0];
	for (size_t i = 1; i < n; i++) {
		acc += zz_dec(out[i]) + bias;
		out[i] = acc;
	}
	return STELE_OK;
}
