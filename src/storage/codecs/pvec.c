/*
 * pvec.c - packed vectors (layouts in pvec.h).
 *
 * The plan is exact for the bit layouts: one pass gathers a histogram of bit
 * widths (which prices every PFor width w in O(64)) and the widths of the
 * mini-blocks. PV_ENTROPY is priced from a histogram of its symbols (their
 * order-0 entropy, entropy.c); if its real size comes out above PV_PACK's,
 * pv_write() writes PV_PACK instead, so the estimate can cost a choice but
 * never bytes. Decoding allocates only PV_ENTROPY's m symbol bytes (on the
 * stack up to 8192, a block's rows): PFor
 * exceptions are patched 64 at a time from stack buffers (64 positions of
 * pw bits start on a byte boundary, so every group of 64 unpacks alone).
 */
#include "storage/codecs/pvec.h"

#include <stdlib.h>
#include <string.h>

#include "storage/codecs/bitpack.h"
#include "storage/codecs/codec_impl.h"
#include "storage/codecs/entropy.h"

#define SYM_BITS 8  /* PV_ENTROPY's symbols are bytes */

static inline uint64_t low_mask(unsigned w)
{
	return w >= 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1;
}

/* Bytes of the exception part (varint e and what follows) at low width w. */
static size_t exc_size(size_t m, unsigned w, size_t e, unsigned maxw)
{
	size_t s = varint_len(e);
	if (e)
		s += 1 + bitpack_bytes(e, bits_of(m - 1)) + bitpack_bytes(e, maxw - w);
	return s;
}

/* The histogram of the symbols one raw bit wider: nsym / 2 of them. */
static void halve(uint32_t *h, unsigned nsym)
{
	for (unsigned k = 0; k < nsym / 2; k++)
		h[k] = h[2 * k] + h[2 * k + 1];
}

/* Whether some raw width s could give PV_ENTROPY a size under need: the
 * sizes plan_entropy() would price, each from ent_estimate_floor(), so
 * with one log2 a width instead of one a symbol. hist is left as it was. */
static bool entropy_may_pay(const uint32_t *hist, unsigned nsym, size_t m, unsigned s0,
                            unsigned w, size_t exc, size_t need)
{
	uint32_t h[1 << SYM_BITS];
	memcpy(h, hist, nsym * sizeof h[0]);
	for (unsigned s = s0; s < w; s++) {
		if (3 + bitpack_bytes(m, s) + ent_estimate_floor(h, nsym, m) + exc < need)
			return true;
		halve(h, nsym);
		nsym /= 2;
	}
	return false;
}

/* PV_ENTROPY at low width w: the best raw width *s and the estimated size;
 * SIZE_MAX when no width can come under need (the estimate is then not
 * made: it took a quarter of an import's time, for short blocks that
 * almost never take entropy coding). */
static size_t plan_entropy(const uint64_t *v, size_t m, unsigned w, size_t e, unsigned maxw,
                           size_t need, unsigned *s_out)
{
	unsigned s0 = w > SYM_BITS ? w - SYM_BITS : 0;
	unsigned nsym = 1u << (w - s0);
	/* Four histograms, so that runs of one symbol do not wait on their
	 * own increments. */
	uint32_t h4[4][1 << SYM_BITS], hist[1 << SYM_BITS];
	for (int k = 0; k < 4; k++)
		memset(h4[k], 0, nsym * sizeof h4[k][0]);
	uint64_t mask = low_mask(w);
	size_t i = 0;
	for (; i + 4 <= m; i += 4) {
		h4[0][(v[i] & mask) >> s0]++;
		h4[1][(v[i + 1] & mask) >> s0]++;
		h4[2][(v[i + 2] & mask) >> s0]++;
		h4[3][(v[i + 3] & mask) >> s0]++;
	}
	for (; i < m; i++)
		h4[0][(v[i] & mask) >> s0]++;
	for (unsigned k = 0; k < nsym; k++)
		hist[k] = h4[0][k] + h4[1][k] + h4[2][k] + h4[3][k];
	size_t exc = exc_size(m, w, e, maxw);
	if (need != SIZE_MAX && !entropy_may_pay(hist, nsym, m, s0, w, exc, need))
		return SIZE_MAX;
	size_t best = SIZE_MAX;
	for (unsigned s = s0; s < w; s++) {
		size_t size = 3 + bitpack_bytes(m, s) + ent_estimate(hist, nsym, m);
		if (size >= best)
			break;  /* one more raw bit no longer pays */
		best = size;
		*s_out = s;
		halve(hist, nsym);  /* symbols of s + 1 */
		nsym /= 2;
	}
	return best + exc;
}

/* The size PV_ENTROPY's estimate must come under to be taken over best,
 * the bit layouts' size.
 * Below ENT_RANS_MIN values the stream would take the arithmetic coder,
 * which decodes about ten times slower than bit unpacking: there it must
 * save 30% of the bytes. 1024-row blocks of the devops data then take bit
 * layouts only: 40% more bytes than 8192-row blocks with entropy coding,
 * and its query set takes 30% less CPU time, its 8- and 12-hour queries
 * half (src/storage/codecs/README.md, "Block size"). */
static size_t ent_must_beat(size_t best, size_t m)
{
	return m >= ENT_RANS_MIN ? best : best - best * 3 / 10;
}

void pv_plan(const uint64_t *v, size_t m, int force, bool for_zstd, PvPlan *plan)
{
	memset(plan, 0, sizeof *plan);
	if (m == 0)
		return;  /* PV_ZERO, no bytes */
	size_t h4[4][65] = {{0}}, hist[65];  /* four: see plan_entropy() */
	size_t mini = 1 + (m + 63) / 64;
	uint64_t all = 0;
	for (size_t g = 0; g < m; g += 64) {
		size_t c = m - g < 64 ? m - g : 64;
		uint64_t or = 0;
		for (size_t i = 0; i < c; i++) {
			or |= v[g + i];
			h4[i & 3][bits_of(v[g + i])]++;
		}
		all |= or;
		mini += bitpack_bytes(c, bits_of(or));
	}
	for (unsigned w = 0; w <= 64; w++)
		hist[w] = h4[0][w] + h4[1][w] + h4[2][w] + h4[3][w];
	unsigned maxw = bits_of(all);
	plan->maxw = maxw;

	/* PFor: e(w) = values wider than w, counted down from maxw. */
	size_t e = 0, pack = SIZE_MAX, wider[65];
	unsigned pack_w = maxw;
	for (int w = (int)maxw; w >= 0; w--) {
		wider[w] = e;
		size_t s = 2 + bitpack_bytes(m, (unsigned)w) + exc_size(m, (unsigned)w, e, maxw);
		if (s < pack) {
			pack = s;
			pack_w = (unsigned)w;
		}
		e += hist[w];
	}
	plan->pack_w = pack_w;
	plan->pack_size = pack;
	unsigned k = maxw ? (maxw + 7) / 8 : 1;
	size_t bytes = 2 + (size_t)k * m;

	/* Entropy coding makes a wide symbol cheap when it is rare, so its
	 * exceptions start above max(PFor's width, 8 bits), not at PFor's. */
	unsigned ew = pack_w > SYM_BITS ? pack_w : maxw < SYM_BITS ? maxw : SYM_BITS;
	ew = ew ? ew : 1;
	unsigned es = 0;
	size_t ent = SIZE_MAX;
	size_t need = ent_must_beat(pack < mini ? pack : mini, m);
	if (force == PV_ENTROPY || (force == PV_AUTO && !for_zstd && maxw > 0))
		ent = plan_entropy(v, m, ew, ew <= maxw ? wider[ew] : 0, maxw,
		                   force == PV_ENTROPY ? SIZE_MAX : need, &es);

	int kind = force;
	if (kind == PV_AUTO) {
		if (maxw == 0)
			kind = PV_ZERO;
		else if (for_zstd)
			kind = PV_BYTES;
		else if (ent < need)
			kind = PV_ENTROPY;
		else
			kind = pack <= mini ? PV_PACK : PV_MINI;
	}
	if (kind == PV_ZERO && maxw != 0)
		kind = PV_PACK;
	plan->kind = kind;
	switch (kind) {
	case PV_ZERO:
		plan->size = 1;
		break;
	case PV_PACK:
		plan->w = pack_w;
		plan->size = pack;
		break;
	case PV_MINI:
		plan->size = mini;
		break;
	case PV_ENTROPY:
		plan->w = ew;
		plan->s = es;
		plan->size = ent;
		break;
	default:
		plan->w = k;
		plan->size = bytes;
		break;
	}
}

/* The exception part: e, then positions and high bits in groups of 64, so
 * that neither needs a heap copy. */
static void write_exceptions(Buf *out, const uint64_t *v, size_t m, unsigned w, unsigned maxw)
{
	uint64_t lim = low_mask(w);
	size_t e = 0;
	for (size_t i = 0; i < m; i++)
		e += v[i] > lim;
	buf_put_varint(out, e);
	if (!e)
		return;
	unsigned hw = maxw - w, pw = bits_of(m - 1);
	buf_put_u8(out, (uint8_t)hw);
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

static void write_pack(Buf *out, const uint64_t *v, size_t m, unsigned w, unsigned maxw)
{
	buf_put_u8(out, PV_PACK);
	buf_put_u8(out, (uint8_t)w);
	bitpack_put(out, v, m, w);
	write_exceptions(out, v, m, w, maxw);
}

static void write_entropy(Buf *out, const uint64_t *v, size_t m, const PvPlan *plan)
{
	size_t start = out->len;
	unsigned w = plan->w, s = plan->s;
	uint8_t *sym = malloc(m);
	if (!sym) {
		out->failed = BUF_NOMEM;
		return;
	}
	uint64_t mask = low_mask(w);
	for (size_t i = 0; i < m; i++)
		sym[i] = (uint8_t)((v[i] & mask) >> s);
	buf_put_u8(out, PV_ENTROPY);
	buf_put_u8(out, (uint8_t)w);
	buf_put_u8(out, (uint8_t)s);
	bitpack_put(out, v, m, s);
	ent_put(out, sym, m);
	write_exceptions(out, v, m, w, plan->maxw);
	free(sym);
	if (!out->failed && out->len - start > plan->pack_size) {
		out->len = start;
		write_pack(out, v, m, plan->pack_w, plan->maxw);
	}
}

void pv_write(Buf *out, const uint64_t *v, size_t m, const PvPlan *plan)
{
	if (m == 0)
		return;
	switch (plan->kind) {
	case PV_ZERO:
		buf_put_u8(out, PV_ZERO);
		break;
	case PV_PACK:
		write_pack(out, v, m, plan->w, plan->maxw);
		break;
	case PV_MINI:
		buf_put_u8(out, PV_MINI);
		write_mini(out, v, m);
		break;
	case PV_ENTROPY:
		write_entropy(out, v, m, plan);
		break;
	default: {
		unsigned k = plan->w;
		buf_put_u8(out, PV_BYTES);
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

/* Reads the exception part and patches out (low width w). */
static int read_exceptions(Rd *r, size_t m, unsigned w, uint64_t *out, StErr *err)
{
	uint64_t e = rd_varint(r);
	if (r->bad)
		return corrupt(r, err, "truncated");
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

static int read_pack(Rd *r, size_t m, uint64_t *out, StErr *err)
{
	unsigned w = rd_u8(r);
	if (w > 64)
		return corrupt(r, err, "width above 64");
	const uint8_t *p = rd_bytes(r, bitpack_bytes(m, w));
	if (!p)
		return corrupt(r, err, "truncated");
	bitpack_get(p, m, w, out);
	return read_exceptions(r, m, w, out, err);
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

static int read_entropy(Rd *r, size_t m, uint64_t *out, StErr *err)
{
	unsigned w = rd_u8(r), s = rd_u8(r);
	if (r->bad)
		return corrupt(r, err, "truncated");
	if (w < 1 || w > 64 || s >= w || w - s > SYM_BITS)
		return corrupt(r, err, "bad entropy widths");
	const uint8_t *low = rd_bytes(r, bitpack_bytes(m, s));
	if (!low)
		return corrupt(r, err, "truncated");
	/* A block's symbols fit on the stack; a fresh heap buffer for each
	 * would cost page faults, since glibc gives freed memory back. */
	uint8_t local[8192];
	uint8_t *sym = m <= sizeof local ? local : malloc(m);
	if (!sym)
		return failf(err, STELE_ENOMEM, "out of memory decoding %zu values", m);
	int rc = ent_get(r, m, sym, err);
	if (rc == STELE_OK) {
		if (s == 0) {  /* no raw low bits: the symbols are the values */
			for (size_t i = 0; i < m; i++)
				out[i] = sym[i];
		} else {
			bitpack_get(low, m, s, out);
			for (size_t i = 0; i < m; i++)
				out[i] |= (uint64_t)sym[i] << s;
		}
		rc = read_exceptions(r, m, w, out, err);
	}
	if (sym != local)
		free(sym);
	return rc;
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
	case PV_ENTROPY:
		rc = read_entropy(r, m, out, err);
		break;
	default:
		rc = corrupt(r, err, r->bad ? "truncated" : "unknown layout");
		break;
	}
	if (rc != STELE_OK)
		memset(out, 0, m * sizeof *out);
	return rc;
}
