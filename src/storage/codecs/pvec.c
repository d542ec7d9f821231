/*
 * pvec.c - packed vectors (layouts in pvec.h).
 *
 * The plan is exact, not estimated: one pass gathers a histogram of bit
 * widths (which prices every PFor width w in O(64)) and the widths of the
 * mini-blocks; the smallest layout wins. Decoding never allocates: PFor
 * exceptions are patched 64 at a time from stack buffers (64 positions of
 * pw bits start on a byte boundary, so every group of 64 can be unpacked on
 * its own).
 */
#include "storage/codecs/pvec.h"

#include <string.h>

#include "storage/codecs/bitpack.h"
#include "storage/codecs/codec_impl.h"

/* Size of PV_PACK at low width w, given e exceptions. */
static size_t pack_size(size_t m, unsigned w, size_t e, unsigned maxw)
{
	size_t s = 2 + bitpack_bytes(m, w) + varint_len(e);
	if (e)
		s += 1 + bitpack_bytes(e, bits_of(m - 1)) + bitpack_bytes(e, maxw - w);
	return s;
}

void pv_plan(const uint64_t *v, size_t m, int force, bool for_zstd, PvPlan *plan)
{
	size_t hist[65] = {0};
	size_t mini = 1 + (m + 63) / 64;
	uint64_t all = 0;
	for (size_t g = 0; g < m; g += 64) {
		size_t c = m - g < 64 ? m - g : 64;
		uint64_t or = 0;
		for (size_t i = 0; i < c; i++) {
			or |= v[g + i];
			hist[bits_of(v[g + i])]++;
		}
		all |= or;
		mini += bitpack_bytes(c, bits_of(or));
	}
	unsigned maxw = bits_of(all);
	plan->maxw = maxw;
	if (m == 0) {
		*plan = (PvPlan){PV_ZERO, 0, 0, 0};
		return;
	}

	/* PFor: e(w) = values wider than w, counted down from maxw. */
	size_t e = 0, best_pack = SIZE_MAX;
	unsigned best_w = maxw;
	for (int w = (int)maxw; w >= 0; w--) {
		size_t s = pack_size(m, (unsigned)w, e, maxw);
		if (s < best_pack) {
			best_pack = s;
			best_w = (unsigned)w;
		}
		e += hist[w];
	}
	unsigned k = maxw ? (maxw + 7) / 8 : 1;
	size_t bytes = 2 + (size_t)k * m;

	int kind = force;
	if (kind == PV_AUTO) {
		if (maxw == 0)
			kind = PV_ZERO;
		else if (for_zstd)
			kind = PV_BYTES;
		else
			kind = best_pack <= mini ? PV_PACK : PV_MINI;
	}
	if (kind == PV_ZERO && maxw != 0)
		kind = PV_PACK;
	switch (kind) {
	case PV_ZERO:
		*plan = (PvPlan){PV_ZERO, 0, 0, 1};
		break;
	case PV_PACK:
		*plan = (PvPlan){PV_PACK, best_w, maxw, best_pack};
		break;
	case PV_MINI:
		*plan = (PvPlan){PV_MINI, 0, maxw, mini};
		break;
	default:
		*plan = (PvPlan){PV_BYTES, k, maxw, bytes};
		break;
	}
}

static void write_pack(Buf *out, const uint64_t *v, size_t m, unsigned w, unsigned maxw)
{
	buf_put_u8(out, (uint8_t)w);
	bitpack_put(out, v, m, w);
	uint64_t lim = w >= 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1;
	size_t e = 0;
	for (size_t i = 0; i < m; i++)
		e += v[i] > lim;
	buf_put_varint(out, e);
	if (!e)
		return;
	unsigned hw = maxw - w, pw = bits_of(m - 1);
	buf_put_u8(out, (uint8_t)hw);
	/* Positions, then high bits: two passes in groups of 64, so that
	 * neither needs a heap copy. */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t tmp[64];
		size_t c = 0;
		for (size_t i = 0; i < m; i++) {
			if (v[i] <= lim)
				continue;
			tmp[c++] = pass == 0 ? i : v[i] >> w;
			if (c == 64) {
				bitpack_put(out, tmp, 64, pass == 0 ? pw : hw);
				c = 0;
			}
		}
		bitpack_put(out, tmp, c, pass == 0 ? pw : hw);
	}
}

static uint64_t group_or(const uint64_t *v, size_t c)
{
	uint64_t or = 0;
	for (size_t i = 0; i < c; i++)
		or |= v[i];
	return or;
}

static void write_mini(Buf *out, const uint64_t *v, size_t m)
{
	size_t nmb = (m + 63) / 64;
	for (size_t g = 0; g < nmb; g++) {
		size_t c = m - 64 * g < 64 ? m - 64 * g : 64;
		buf_put_u8(out, (uint8_t)bits_of(group_or(v + 64 * g, c)));
	}
	/* The widths again rather than a pointer into out, which may move. */
	for (size_t g = 0; g < nmb; g++) {
		size_t c = m - 64 * g < 64 ? m - 64 * g : 64;
		bitpack_put(out, v + 64 * g, c, bits_of(group_or(v + 64 * g, c)));
	}
}

void pv_write(Buf *out, const uint64_t *v, size_t m, const PvPlan *plan)
{
	if (m == 0)
		return;
	buf_put_u8(out, (uint8_t)plan->kind);
	switch (plan->kind) {
	case PV_ZERO:
		break;
	case PV_PACK:
		write_pack(out, v, m, plan->w, plan->maxw);
		break;
	case PV_MINI:
		write_mini(out, v, m);
		break;
	case PV_BYTES: {
		unsigned k = plan->w;
		buf_put_u8(out, (uint8_t)k);
		if (!buf_reserve(out, (size_t)k * m))
			return;
		uint8_t *p = out->data + out->len;
		for (unsigned j = 0; j < k; j++)
			for (size_t i = 0; i < m; i++)
				*p++ = (uint8_t)(v[i] >> (8 * j));
		out->len += (size_t)k * m;
		break;
	}
	}
}

static int corrupt(Rd *r, StErr *err, const char *what)
{
	r->bad = true;
	return failf(err, STELE_ECORRUPT, "corrupt packed vector: %s", what);
}

static int read_pack(Rd *r, size_t m, uint64_t *out, StErr *err)
{
	unsigned w = rd_u8(r);
	if (w > 64)
		return corrupt(r, err, "width above 64");
	const uint8_t *p = rd_bytes(r, bitpack_bytes(m, w));
	uint64_t e = rd_varint(r);
	if (!p || r->bad)
		return corrupt(r, err, "truncated");
	bitpack_get(p, m, w, out);
	if (e == 0)
		return STELE_OK;
	unsigned hw = rd_u8(r), pw = bits_of(m - 1);
	if (e > m || hw == 0 || hw + w > 64)
		return corrupt(r, err, "bad exceptions");
	size_t ne = (size_t)e;
	const uint8_t *pos = rd_bytes(r, bitpack_bytes(ne, pw));
	const uint8_t *high = rd_bytes(r, bitpack_bytes(ne, hw));
	if (!pos || !high)
		return corrupt(r, err, "truncated exceptions");
	uint64_t at[64], hi[64];
	size_t prev = 0;
	for (size_t g = 0; g < ne; g += 64) {
		size_t c = ne - g < 64 ? ne - g : 64;
		bitpack_get(pos + (g / 64) * 8 * pw, c, pw, at);
		bitpack_get(high + (g / 64) * 8 * hw, c, hw, hi);
		for (size_t i = 0; i < c; i++) {
			if (at[i] >= m || (g + i > 0 && at[i] <= prev))
				return corrupt(r, err, "exception position out of order");
			prev = (size_t)at[i];
			out[prev] |= hi[i] << w;
		}
	}
	return STELE_OK;
}

static int read_mini(Rd *r, size_t m, uint64_t *out, StErr *err)
{
	size_t nmb = (m + 63) / 64;
	const uint8_t *widths = rd_bytes(r, nmb);
	if (!widths)
		return corrupt(r, err, "truncated");
	size_t total = 0;
	for (size_t g = 0; g < nmb; g++) {
		if (widths[g] > 64)
			return corrupt(r, err, "width above 64");
		size_t c = m - 64 * g < 64 ? m - 64 * g : 64;
		total += bitpack_bytes(c, widths[g]);
	}
	const uint8_t *p = rd_bytes(r, total);
	if (!p)
		return corrupt(r, err, "truncated");
	for (size_t g = 0; g < nmb; g++) {
		size_t c = m - 64 * g < 64 ? m - 64 * g : 64;
		bitpack_get(p, c, widths[g], out + 64 * g);
		p += bitpack_bytes(c, widths[g]);
	}
	return STELE_OK;
}

static int read_bytes(Rd *r, size_t m, uint64_t *out, StErr *err)
{
	unsigned k = rd_u8(r);
	if (k < 1 || k > 8)
		return corrupt(r, err, "bad byte count");
	const uint8_t *p = rd_bytes(r, (size_t)k * m);
	if (!p)
		return corrupt(r, err, "truncated");
	for (size_t i = 0; i < m; i++)
		out[i] = p[i];
	for (unsigned j = 1; j < k; j++) {
		const uint8_t *plane = p + (size_t)j * m;
		for (size_t i = 0; i < m; i++)
			out[i] |= (uint64_t)plane[i] << (8 * j);
	}
	return STELE_OK;
}

int pv_read(Rd *r, size_t m, uint64_t *out, StErr *err)
{
	if (m == 0)
		return r->bad ? corrupt(r, err, "truncated") : STELE_OK;
	int kind = rd_u8(r);
	int rc;
	switch (r->bad ? -1 : kind) {
	case PV_ZERO:
		memset(out, 0, m * sizeof *out);
		rc = STELE_OK;
		break;
	case PV_PACK:
		rc = read_pack(r, m, out, err);
		break;
	case PV_MINI:
		rc = read_mini(r, m, out, err);
		break;
	case PV_BYTES:
		rc = read_bytes(r, m, out, err);
		break;
	default:
		rc = corrupt(r, err, r->bad ? "truncated" : "unknown layout");
		break;
	}
	if (rc != STELE_OK)
		memset(out, 0, m * sizeof *out);
	return rc;
}
