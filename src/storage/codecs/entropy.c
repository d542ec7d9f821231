/*
 * entropy.c - the entropy stage (entropy.h), on htscodecs.
 *
 * Two of its order-0 coders: the adaptive arithmetic coder (arith_dynamic)
 * needs no table, so it wins on short streams (12% on 448 symbols, 6% on
 * 1024); static rANS (rANS_static4x16) pays for a frequency table but
 * decodes about 2.5 times as fast, and on 2048 symbols and more costs only
 * 1-2% more. The length decides, and the stream says which was used.
 */
#include "storage/codecs/entropy.h"

#include <htscodecs/arith_dynamic.h>
#include <htscodecs/rANS_static4x16.h>
#include <math.h>
#include <string.h>

#include "storage/codecs/codec_impl.h"

#define HTS_ORDER0 0x00  /* the two forms a stream may take: order 0 ... */
#define HTS_STORED 0x20  /* ... or stored (htscodecs' X_CAT) */

void ent_put(Buf *out, const uint8_t *sym, size_t m)
{
	int coder = m >= ENT_RANS_MIN ? ENT_RANS : ENT_ARITH;
	unsigned int cap = coder == ENT_RANS ? rans_compress_bound_4x16((unsigned int)m, 0)
	                                     : arith_compress_bound((unsigned int)m, 0);
	Buf tmp = {0};
	if (!buf_reserve(&tmp, cap)) {
		out->failed = tmp.failed;
		return;
	}
	unsigned int len = cap;
	/* htscodecs does not write through `in`; its prototypes lack const. */
	unsigned char *in = (unsigned char *)(uintptr_t)sym;
	unsigned char *ok = coder == ENT_RANS
	                            ? rans_compress_to_4x16(in, (unsigned int)m, tmp.data, &len, 0)
	                            : arith_compress_to(in, (unsigned int)m, tmp.data, &len, 0);
	if (!ok) {
		out->failed = BUF_NOMEM;
	} else {
		buf_put_u8(out, (uint8_t)coder);
		buf_put_varint(out, len);
		buf_put(out, tmp.data, len);
	}
	buf_free(&tmp);
}

int ent_get(Rd *r, size_t m, uint8_t *out, StErr *err)
{
	int coder = rd_u8(r);
	uint64_t len = rd_varint(r);
	if (r->bad || len > rd_left(r) || len < 2)
		return codec_corrupt(err, "entropy", "truncated");
	const uint8_t *p = rd_bytes(r, (size_t)len);
	if ((coder != ENT_ARITH && coder != ENT_RANS) || (p[0] != HTS_ORDER0 && p[0] != HTS_STORED))
		return codec_corrupt(err, "entropy", "unknown coder");
	unsigned int got = (unsigned int)m;
	unsigned char *in = (unsigned char *)(uintptr_t)p;
	memset(out, 0, m);
	unsigned char *ok = coder == ENT_RANS
	                            ? rans_uncompress_to_4x16(in, (unsigned int)len, out, &got)
	                            : arith_uncompress_to(in, (unsigned int)len, out, &got);
	if (!ok || got != m)
		return codec_corrupt(err, "entropy", "bad entropy-coded stream");
	return STELE_OK;
}

/* The arithmetic coder's learning, or rANS's table: about 12 or 16 bits a
 * symbol seen; then the headers. */
static size_t ent_bytes(double bits, unsigned used, size_t m)
{
	double per_sym = m >= ENT_RANS_MIN ? 16.0 : 12.0;
	return (size_t)(bits + per_sym * used) / 8 + 12;
}

size_t ent_estimate(const uint32_t *hist, unsigned nsym, size_t m)
{
	double bits = 0;
	unsigned used = 0;
	for (unsigned i = 0; i < nsym; i++) {
		if (hist[i]) {
			bits -= hist[i] * log2((double)hist[i] / (double)m);
			used++;
		}
	}
	return ent_bytes(bits, used, m);
}

size_t ent_estimate_floor(const uint32_t *hist, unsigned nsym, size_t m)
{
	uint32_t top = 0;
	unsigned used = 0;
	for (unsigned i = 0; i < nsym; i++) {
		used += hist[i] != 0;
		top = hist[i] > top ? hist[i] : top;
	}
	if (!top)
		return ent_bytes(0, 0, m);
	/* -sum h log2(h/m) >= m log2(m/top); a bit less than that, so that
	 * rounding in either sum cannot lift the bound above the estimate. */
	double bits = (double)m * log2((double)m / (double)top);
	bits = bits - 1 - bits * 1e-9;
	return ent_bytes(bits > 0 ? bits : 0, used, m);
}
