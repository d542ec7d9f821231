/*
 * float.c - choosing the codec of a column of doubles.
 *
 * ALP first: it is the fastest both ways and wins by far on decimals. When
 * it needs more than ALP_GOOD_BITS a value (high-precision doubles, or many
 * exceptions), ALP-RD and Chimp128 are encoded too and the smallest of the
 * three, or PLAIN, is kept.
 */
#include "storage/codecs/float.h"

#include "storage/codecs/codec_impl.h"

#define ALP_GOOD_BITS 24

typedef int (*FloatEnc)(const double *v, size_t n, Buf *out, StErr *err);

static int put_plain(const double *v, size_t n, Buf *out)
{
	buf_put_u8(out, CODEC_PLAIN);
	plain_encode(STELE_TYPE_DOUBLE, v, n, out);
	return STELE_OK;
}

/* Encodes [id][payload] into a scratch Buf and keeps it in out if smaller
 * than the `best` bytes out holds from `start`. */
static int try_codec(uint8_t id, FloatEnc enc, const double *v, size_t n, Buf *out,
                     size_t start, StErr *err)
{
	Buf t = {0};
	buf_put_u8(&t, id);
	int rc = enc(v, n, &t, err);
	if (rc == STELE_OK)
		rc = buf_check(&t, err, "encoded doubles");
	if (rc == STELE_OK && t.len < out->len - start) {
		out->len = start;
		buf_put(out, t.data, t.len);
	}
	buf_free(&t);
	return rc;
}

int float_encode(const double *v, size_t n, const CodecOpts *o, Buf *out, StErr *err)
{
	switch (o->force) {
	case CODEC_AUTO:
		break;
	case CODEC_ALP:
		buf_put_u8(out, CODEC_ALP);
		return alp_encode(v, n, o, out, err);
	case CODEC_ALP_RD:
		buf_put_u8(out, CODEC_ALP_RD);
		return alp_rd_encode(v, n, out, err);
	case CODEC_CHIMP:
		buf_put_u8(out, CODEC_CHIMP);
		return chimp_encode(v, n, out, err);
	default:
		return failf(err, STELE_EINVAL, "codec %s does not fit doubles",
		             codec_name((uint8_t)o->force));
	}
	size_t start = out->len;
	buf_put_u8(out, CODEC_ALP);
	int rc = alp_encode(v, n, o, out, err);
	if (rc == STELE_OK)
		rc = buf_check(out, err, "encoded doubles");
	if (rc == STELE_OK && (out->len - start) * 8 > ALP_GOOD_BITS * (uint64_t)n + 64) {
		rc = try_codec(CODEC_ALP_RD, alp_rd_encode, v, n, out, start, err);
		if (rc == STELE_OK)
			rc = try_codec(CODEC_CHIMP, chimp_encode, v, n, out, start, err);
	}
	if (rc == STELE_OK && out->len - start > 1 + 8 * n) {
		out->len = start;
		put_plain(v, n, out);
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
	default:
		return codec_corrupt(err, "double", "unknown codec id");
	}
}
