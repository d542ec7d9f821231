/*
 * for.c - CODEC_FOR: frame of reference. Every value is stored as its
 * distance from the block's minimum, so values that stay within a narrow
 * band but jump around inside it (no use for DELTA) take the band's width.
 * The minimum is signed for BIGINT and unsigned for UBIGINT; distances are
 * taken mod 2^64 and are then always non-negative.
 *
 *     OFFSET  SIZE     DESCRIPTION
 *     0       varint   zz(base), base = the minimum
 *     .       ...      packed vector (pvec.h) of the n values v[i] - base
 */
#include "storage/codecs/codec_impl.h"

uint64_t for_base(const uint64_t *v, size_t n, bool is_signed)
{
	uint64_t flip = is_signed ? (uint64_t)1 << 63 : 0;  /* signed order as unsigned */
	uint64_t min = v[0] ^ flip;
	for (size_t i = 1; i < n; i++)
		if ((v[i] ^ flip) < min)
			min = v[i] ^ flip;
	return min ^ flip;
}

size_t for_residuals(const uint64_t *v, size_t n, uint64_t base, uint64_t *res)
{
	for (size_t i = 0; i < n; i++)
		res[i] = v[i] - base;
	return n;
}

size_t for_head_size(uint64_t base)
{
	return varint_len(zz_enc(base));
}

void for_write(Buf *out, uint64_t base, size_t n, const uint64_t *res, const PvPlan *plan)
{
	buf_put_varint(out, zz_enc(base));
	pv_write(out, res, n, plan);
}

int for_decode(Rd *r, size_t n, uint64_t *out, StErr *err)
{
	uint64_t base = zz_dec(rd_varint(r));
	int rc = pv_read(r, n, out, err);
	if (rc != STELE_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		out[i] += base;
	return STELE_OK;
}
