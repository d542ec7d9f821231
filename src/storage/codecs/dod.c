/*
 * dod.c - CODEC_DOD: delta-of-delta, for timestamps (Gorilla, VLDB 2015).
 * Rows that arrive at a regular interval have second differences of zero,
 * which the packed vector stores as PV_ZERO: a block of any length then
 * costs a few bytes. Jitter costs a few bits a row; gaps and out-of-order
 * rows become wide values or PFor exceptions and still round-trip. All
 * arithmetic is mod 2^64.
 *
 *     OFFSET  SIZE     DESCRIPTION
 *     0       varint   zz(v[0])
 *     .       varint   zz(v[1] - v[0])                       (n >= 2)
 *     .       ...      packed vector (pvec.h) of the n-2 values   (n >= 3)
 *                      zz((v[i] - v[i-1]) - (v[i-1] - v[i-2])), i = 2 .. n-1
 */
#include "storage/codecs/codec_impl.h"

size_t dod_residuals(const uint64_t *v, size_t n, uint64_t *res)
{
	if (n < 3)
		return 0;
	uint64_t prev = v[1] - v[0];
	for (size_t i = 2; i < n; i++) {
		uint64_t d = v[i] - v[i - 1];
		res[i - 2] = zz_enc(d - prev);
		prev = d;
	}
	return n - 2;
}

size_t dod_head_size(const uint64_t *v, size_t n)
{
	return varint_len(zz_enc(v[0])) + (n >= 2 ? varint_len(zz_enc(v[1] - v[0])) : 0);
}

void dod_write(Buf *out, const uint64_t *v, size_t n, const uint64_t *res, const PvPlan *plan)
{
	buf_put_varint(out, zz_enc(v[0]));
	if (n >= 2)
		buf_put_varint(out, zz_enc(v[1] - v[0]));
	if (n >= 3)
		pv_write(out, res, n - 2, plan);
}

int dod_decode(Rd *r, size_t n, uint64_t *out, StErr *err)
{
	out[0] = zz_dec(rd_varint(r));
	if (n < 2)
		return STELE_OK;
	uint64_t d = zz_dec(rd_varint(r));
	out[1] = out[0] + d;
	if (n < 3)
		return STELE_OK;
	int rc = pv_read(r, n - 2, out + 2, err);
	if (rc != STELE_OK)
		return rc;
	uint64_t acc = out[1];
	for (size_t i = 2; i < n; i++) {
		d += zz_dec(out[i]);
		acc += d;
		out[i] = acc;
	}
	return STELE_OK;
}
