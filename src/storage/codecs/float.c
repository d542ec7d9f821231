/*
 * float.c - choosing the codec of a column of doubles.
 *
 * ALP's sample first (alp.c): when it predicts ALP_GOOD_BITS a value or
 * fewer, the column is decimals and ALP is kept without trying the others
 * (the common case, and the fastest both ways). Otherwise every candidate
 * that can win is encoded and the smallest kept:
 *   - ALP, unless its sample predicts it no better than raw;
 *   - ALP-RD (high-precision values with few distinct front bits);
 *   - IEEE (bit patterns through the integer codecs: smooth walks);
 *   - Chimp128, only when the sample shows values repeating within the last
 *     CHIMP_WINDOW, the one thing it does better than the rest;
 *   - PLAIN when nothing beats 8 bytes a value.
 */
#include "storage/codecs/float.h"

#include <string.h>

#include "storage/codecs/codec_impl.h"

#define ALP_GOOD_BITS 24
#define REPEAT_SAMPLE 512
#define CHIMP_WINDOW 16

typedef int (*FloatEnc)(const double *v, size_t n, const CodecOpts *o, Buf *out, StErr *err);

static int enc_alp_rd(const double *v, size_t n, const CodecOpts *o, Buf *out, StErr *err)
{
	return alp_rd_encode(v, n, out, err);
}

static int enc_chimp(const double *v, size_t n, const CodecOpts *o, Buf *out, StErr *err)
{
	return chimp_encode(v, n, out, err);
}

/* Whether at least 1/16 of the first values repeat one of the
 * CHIMP_WINDOW values before them, bit for bit. */
static bool repeats(const double *v, size_t n)
{
	size_t m = n < REPEAT_SAMPLE ? n : REPEAT_SAMPLE, hits = 0;
	for (size_t i = 1; i < m; i++) {
		for (size_t j = i > CHIMP_WINDOW ? i - CHIMP_WINDOW : 0; j < i; j++) {
			if (memcmp(&v[i], &v[j], 8) == 0) {
				hits++;
				break;
			}
		}
	}
	return hits * 16 >= m && m > 1;
}

/* Encodes [id][payload] into a scratch Buf and keeps it in out (from
 * start) if out holds nothing yet or something larger. */
static int try_codec(uint8_t id, FloatEnc enc, const double *v, size_t n, const CodecOpts *o,
                     Buf *out, size_t start, StErr *err)
{
	Buf t = {0};
	buf_put_u8(&t, id);
	int rc = enc(v, n, o, &t, err);
	if (rc == STELE_OK)
		rc = buf_check(&t, err, "encoded doubles");
	if (rc == STELE_OK && (out->len == start || t.len < out->len - start)) {
		out->len = start;
		buf_put(out, t.data, t.len);
	}
	buf_free(&t);
	return rc;
}

static int enc_alp_sampled(const double *v, size_t n, const CodecOpts *o, Buf *out,
                           StErr *err)
{
	double est;
	return alp_encode(v, n, alp_sample(v, n, &est), o, out, err);
}

int float_encode(const double *v, size_t n, const CodecOpts *o, Buf *out, StErr *err)
{
	static const struct {
		int id;
		FloatEnc enc;
	} forced[] = {
		{CODEC_ALP, enc_alp_sampled},
		{CODEC_ALP_RD, enc_alp_rd},
		{CODEC_CHIMP, enc_chimp},
		{CODEC_IEEE, ieee_encode},
	};
	if (o->force != CODEC_AUTO) {
		for (size_t i = 0; i < sizeof forced / sizeof forced[0]; i++) {
			if (forced[i].id == o->force) {
				buf_put_u8(out, (uint8_t)o->force);
				return forced[i].enc(v, n, o, out, err);
			}
		}
		return failf(err, STELE_EINVAL, "codec %s does not fit doubles",
		             codec_name((uint8_t)o->force));
	}
	size_t start = out->len;
	double est;
	int k = alp_sample(v, n, &est);
	int rc = STELE_OK;
	if (est <= ALP_GOOD_BITS) {
		buf_put_u8(out, CODEC_ALP);
		rc = alp_encode(v, n, k, o, out, err);
		if (rc == STELE_OK)
			rc = buf_check(out, err, "encoded doubles");
		if (rc != STELE_OK || (out->len - start) * 8 <= ALP_GOOD_BITS * (uint64_t)n + 64)
			return rc;
	} else if (est < 64) {
		rc = try_codec(CODEC_ALP, enc_alp_sampled, v, n, o, out, start, err);
	}
	if (rc == STELE_OK)
		rc = try_codec(CODEC_ALP_RD, enc_alp_rd, v, n, o, out, start, err);
	if (rc == STELE_OK)
		rc = try_codec(CODEC_IEEE, ieee_encode, v, n, o, out, start, err);
	if (rc == STELE_OK && repeats(v, n))
		rc = try_codec(CODEC_CHIMP, enc_chimp, v, n, o, out, start, err);
	if (rc == STELE_OK && out->len - start > 1 + 8 * n) {
		out->len = start;
		buf_put_u8(out, CODEC_PLAIN);
		plain_encode(STELE_TYPE_DOUBLE, v, n, out);
	}
	return rc;
}

int float_decode(int id, Rd *r, size_t n, double *out, StErr *err)
{
	switch (id) {
	case CODEC_ALP:
		return alp_decode(r, n, out, err);
	case CODEC_ALP_RD:
		return alp_rd_decode(r, n, out, err);
	case CODEC_CHIMP:
		return chimp_decode(r, n, out, err);
	case CODEC_IEEE:
		return ieee_decode(r, n, out, err);
	default:
		return codec_corrupt(err, "double", "unknown codec id");
	}
}
