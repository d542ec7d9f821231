/*
 * ints.c - choosing the codec of a column of 64-bit integers (BIGINT,
 * UBIGINT, TIMESTAMP, and the integers ALP makes of decimals).
 *
 * The candidates are CONST, DOD, DELTA, FOR and PLAIN. Each transform's
 * residuals are computed once and its packed vector planned exactly
 * (pvec.h), so the choice is by the true encoded size, not an estimate:
 * regular timestamps end up as DOD with an all-zero vector, counters and
 * gauges as DELTA, values jumping within a band as FOR, noise as PLAIN.
 * Ties go to the earlier of DOD, DELTA, FOR, PLAIN.
 */
#include <stdlib.h>

#include "storage/codecs/codec_impl.h"

enum { T_DOD, T_DELTA, T_FOR, T_N };

int ints_encode(const uint64_t *v, size_t n, bool is_signed, const CodecOpts *o, Buf *out,
                StErr *err)
{
	int force = o->force;
	if (force == CODEC_CONST || (force == CODEC_AUTO && const_fits(STELE_TYPE_BIGINT, v, n))) {
		if (!const_fits(STELE_TYPE_BIGINT, v, n))
			return failf(err, STELE_EINVAL, "codec const needs equal values");
		buf_put_u8(out, CODEC_CONST);
		const_encode(STELE_TYPE_BIGINT, v, n, out);
		return STELE_OK;
	}
	if (force == CODEC_PLAIN) {
		buf_put_u8(out, CODEC_PLAIN);
		plain_encode(STELE_TYPE_BIGINT, v, n, out);
		return STELE_OK;
	}
	if (force != CODEC_AUTO && force != CODEC_DOD && force != CODEC_DELTA &&
	    force != CODEC_FOR)
		return failf(err, STELE_EINVAL, "codec %s does not fit integers",
		             codec_name((uint8_t)force));

	uint64_t *res = malloc(T_N * n * sizeof *res);
	if (!res)
		return failf(err, STELE_ENOMEM, "out of memory encoding %zu integers", n);
	uint64_t base = for_base(v, n, is_signed);
	size_t m[T_N], size[T_N];
	PvPlan plan[T_N];
	m[T_DOD] = dod_residuals(v, n, res + T_DOD * n);
	m[T_DELTA] = delta_residuals(v, n, res + T_DELTA * n);
	m[T_FOR] = for_residuals(v, n, base, res + T_FOR * n);
	int best = -1;
	size_t best_size = 1 + 8 * n;  /* PLAIN */
	for (int t = 0; t < T_N; t++) {
		static const int ids[T_N] = {CODEC_DOD, CODEC_DELTA, CODEC_FOR};
		if (force != CODEC_AUTO && force != ids[t])
			continue;
		pv_plan(res + t * n, m[t], o->layout, o->for_zstd, &plan[t]);
		size_t head = t == T_DOD     ? dod_head_size(v, n)
		              : t == T_DELTA ? delta_head_size(v, n, res + T_DELTA * n)
		                             : for_head_size(base);
		size[t] = 1 + head + plan[t].size;
		if (force != CODEC_AUTO || size[t] < best_size) {
			best = t;
			best_size = size[t];
		}
	}
	switch (best) {
	case T_DOD:
		buf_put_u8(out, CODEC_DOD);
		dod_write(out, v, n, res + T_DOD * n, &plan[T_DOD]);
		break;
	case T_DELTA:
		buf_put_u8(out, CODEC_DELTA);
		delta_write(out, v, n, res + T_DELTA * n, &plan[T_DELTA]);
		break;
	case T_FOR:
		buf_put_u8(out, CODEC_FOR);
		for_write(out, base, n, res + T_FOR * n, &plan[T_FOR]);
		break;
	default:
		buf_put_u8(out, CODEC_PLAIN);
		plain_encode(STELE_TYPE_BIGINT, v, n, out);
		break;
	}
	free(res);
	return STELE_OK;
}

int ints_decode(int id, Rd *r, size_t n, uint64_t *out, StErr *err)
{
	switch (id) {
	case CODEC_CONST:
		return const_decode(STELE_TYPE_BIGINT, r, n, out, NULL, err);
	case CODEC_PLAIN:
		return plain_decode(STELE_TYPE_BIGINT, r, n, out, NULL, err);
	case CODEC_DOD:
		return dod_decode(r, n, out, err);
	case CODEC_DELTA:
		return delta_decode(r, n, out, err);
	case CODEC_FOR:
		return for_decode(r, n, out, err);
	default:
		return codec_corrupt(err, "integer", "unknown codec id");
	}
}
