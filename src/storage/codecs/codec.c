/*
 * codec.c - the codec front door (codec.h): dispatch by type, CONST and
 * PLAIN for every type, the choice for booleans and strings, and the zstd
 * stage over any payload.
 *
 * CONST payload (all n values equal, bit for bit):
 *     TIMESTAMP, BIGINT, UBIGINT, DOUBLE   8 bytes: the value, little-endian
 *     BOOLEAN                              1 byte: 0 or 1
 *     VARCHAR                              varint length, then the bytes
 *
 * PLAIN payload:
 *     TIMESTAMP, BIGINT, UBIGINT, DOUBLE   8*n bytes: the values, little-endian
 *     BOOLEAN                              n bytes, each 0 or 1
 *     VARCHAR                              n varint lengths, then all the
 *                                          bytes, back to back
 *
 * The zstd stage: codec_encode() first writes the smallest stream without
 * zstd (A). With zstd allowed and A's payload at least ZSTD_MIN_INPUT bytes,
 * it also tries zstd over A's payload, and zstd over a second encoding whose
 * packed vectors are byte-aligned (PV_BYTES), which zstd's Huffman stage
 * codes close to the entropy of small residuals, where bit-packing has to
 * round each up to whole bits; it keeps whichever of the three is smallest.
 * The zstd frame holds its content size; the decoder never allocates more
 * than the largest payload n values of the type can have.
 *
 * zstd contexts are cached per thread (freed at thread exit).
 */
#include "storage/codecs/codec.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "storage/codecs/codec_impl.h"
#include "storage/codecs/float.h"

#define ZSTD_MIN_INPUT 24
/* Largest zstd window a stream may use: bounds the decoder's memory. */
#define ZSTD_WINDOW_LOG_MAX 24

int codec_corrupt(StErr *err, const char *codec, const char *what)
{
	return failf(err, STELE_ECORRUPT, "corrupt %s stream: %s", codec, what);
}

static bool is_int_type(stele_type t)
{
	return t == STELE_TYPE_TIMESTAMP || t == STELE_TYPE_BIGINT || t == STELE_TYPE_UBIGINT;
}

static bool is_wide_type(stele_type t) { return is_int_type(t) || t == STELE_TYPE_DOUBLE; }

/* For messages; stele_type_name() is the API's, kept out of the codecs so
 * that they link on their own. */
static const char *type_label(stele_type t)
{
	static const char *const names[] = {"none", "double", "bigint", "ubigint",
	                                    "boolean", "varchar", "timestamp"};
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

/* ---- CONST and PLAIN ---------------------------------------------------- */

bool const_fits(stele_type type, const void *vals, size_t n)
{
	if (is_wide_type(type)) {
		const uint64_t *v = vals;  /* bits of doubles: NaN payloads and -0.0 differ */
		for (size_t i = 1; i < n; i++)
			if (memcmp(&v[i], &v[0], 8) != 0)
				return false;
		return true;
	}
	if (type == STELE_TYPE_BOOLEAN) {
		const uint8_t *v = vals;
		for (size_t i = 1; i < n; i++)
			if (!v[i] != !v[0])
				return false;
		return true;
	}
	const StrVec *sv = vals;
	uint32_t len = sv->offs[1] - sv->offs[0];
	for (size_t i = 1; i < n; i++)
		if (sv->offs[i + 1] - sv->offs[i] != len ||
		    (len && memcmp(sv->bytes + sv->offs[i], sv->bytes, len) != 0))
			return false;
	return true;
}

void const_encode(stele_type type, const void *vals, size_t n, Buf *out)
{
	if (is_wide_type(type)) {
		buf_put(out, vals, 8);
	} else if (type == STELE_TYPE_BOOLEAN) {
		buf_put_u8(out, *(const uint8_t *)vals != 0);
	} else {
		const StrVec *sv = vals;
		/* only empty strings: bytes may be NULL */
		buf_put_str(out, sv->bytes ? (const char *)sv->bytes + sv->offs[0] : "",
		            sv->offs[1] - sv->offs[0]);
	}
}

int const_decode(stele_type type, Rd *r, size_t n, void *vals, Buf *strbytes, StErr *err)
{
	if (is_wide_type(type)) {
		const uint8_t *p = rd_bytes(r, 8);
		if (!p)
			return codec_corrupt(err, "const", "truncated");
		uint8_t *out = vals;
		for (size_t i = 0; i < n; i++)
			memcpy(out + 8 * i, p, 8);
		return STELE_OK;
	}
	if (type == STELE_TYPE_BOOLEAN) {
		uint8_t b = rd_u8(r);
		if (r->bad || b > 1)
			return codec_corrupt(err, "const", "not a boolean");
		memset(vals, b, n);
		return STELE_OK;
	}
	size_t len;
	const char *s = rd_str(r, &len);
	if (r->bad)
		return codec_corrupt(err, "const", "truncated");
	if ((uint64_t)len * n > UINT32_MAX)
		return codec_corrupt(err, "const", "strings longer than 4 GiB in all");
	uint32_t *offs = vals;
	if (!buf_reserve(strbytes, len * n))
		return buf_check(strbytes, err, "decoded strings");
	offs[0] = 0;
	for (size_t i = 0; i < n; i++) {
		buf_put(strbytes, s, len);
		offs[i + 1] = (uint32_t)((i + 1) * len);
	}
	return STELE_OK;
}

void plain_encode(stele_type type, const void *vals, size_t n, Buf *out)
{
	if (is_wide_type(type)) {
		buf_put(out, vals, 8 * n);
	} else if (type == STELE_TYPE_BOOLEAN) {
		const uint8_t *v = vals;
		if (!buf_reserve(out, n))
			return;
		for (size_t i = 0; i < n; i++)
			out->data[out->len++] = v[i] != 0;
	} else {
		const StrVec *sv = vals;
		for (size_t i = 0; i < n; i++)
			buf_put_varint(out, sv->offs[i + 1] - sv->offs[i]);
		buf_put(out, sv->bytes + sv->offs[0], sv->offs[n] - sv->offs[0]);
	}
}

int plain_decode(stele_type type, Rd *r, size_t n, void *vals, Buf *strbytes, StErr *err)
{
	if (is_wide_type(type)) {
		const uint8_t *p = rd_bytes(r, 8 * n);
		if (!p)
			return codec_corrupt(err, "plain", "truncated");
		memcpy(vals, p, 8 * n);
		return STELE_OK;
	}
	if (type == STELE_TYPE_BOOLEAN) {
		const uint8_t *p = rd_bytes(r, n);
		if (!p)
			return codec_corrupt(err, "plain", "truncated");
		uint8_t *out = vals, or = 0;
		for (size_t i = 0; i < n; i++)
			or |= out[i] = p[i];
		if (or > 1)
			return codec_corrupt(err, "plain", "not a boolean");
		return STELE_OK;
	}
	uint32_t *offs = vals;
	uint64_t total = 0;
	offs[0] = 0;
	for (size_t i = 0; i < n; i++) {
		total += rd_varint(r);
		if (r->bad || total > rd_left(r))
			return codec_corrupt(err, "plain", "truncated strings");
		offs[i + 1] = (uint32_t)total;  /* total <= len of the stream */
	}
	if (total > UINT32_MAX)
		return codec_corrupt(err, "plain", "strings longer than 4 GiB in all");
	buf_put(strbytes, rd_bytes(r, (size_t)total), (size_t)total);
	return buf_check(strbytes, err, "decoded strings");
}

/* ---- choosing, per type -------------------------------------------------- */

static size_t plain_str_size(const StrVec *sv, size_t n)
{
	size_t s = sv->offs[n] - sv->offs[0];
	for (size_t i = 0; i < n; i++)
		s += varint_len(sv->offs[i + 1] - sv->offs[i]);
	return s;
}

static int no_fit(StErr *err, int force, stele_type type)
{
	return failf(err, STELE_EINVAL, "codec %s does not fit type %s",
	             codec_name((uint8_t)force), type_label(type));
}

/* Appends [id][payload] without zstd. */
static int encode_raw(stele_type type, const void *vals, size_t n, const CodecOpts *o,
                      Buf *out, StErr *err)
{
	int force = o->force;
	if (is_int_type(type))
		return ints_encode(vals, n, type != STELE_TYPE_UBIGINT, o, out, err);
	if (force == CODEC_CONST && !const_fits(type, vals, n))
		return failf(err, STELE_EINVAL, "codec const needs equal values");
	if (force == CODEC_CONST || (force == CODEC_AUTO && const_fits(type, vals, n))) {
		buf_put_u8(out, CODEC_CONST);
		const_encode(type, vals, n, out);
		return STELE_OK;
	}
	if (force == CODEC_PLAIN) {
		buf_put_u8(out, CODEC_PLAIN);
		plain_encode(type, vals, n, out);
		return STELE_OK;
	}
	switch (type) {
	case STELE_TYPE_DOUBLE:
		return float_encode(vals, n, o, out, err);
	case STELE_TYPE_BOOLEAN:
		if (force != CODEC_AUTO && force != CODEC_BITMAP)
			return no_fit(err, force, type);
		buf_put_u8(out, CODEC_BITMAP);
		bitmap_encode(vals, n, out);
		return STELE_OK;
	default: {
		if (force != CODEC_AUTO && force != CODEC_DICT)
			return no_fit(err, force, type);
		size_t start = out->len;
		buf_put_u8(out, CODEC_DICT);
		int rc = dict_encode(vals, n, o, out, err);
		if (rc != STELE_OK || force == CODEC_DICT)
			return rc;
		if (out->len - start > 1 + plain_str_size(vals, n)) {
			out->len = start;
			buf_put_u8(out, CODEC_PLAIN);
			plain_encode(type, vals, n, out);
		}
		return STELE_OK;
	}
	}
}

/* ---- the zstd stage ----------------------------------------------------- */

typedef struct ZCtx {
	ZSTD_CCtx *c;
	ZSTD_DCtx *d;
} ZCtx;

static pthread_key_t zkey;
static pthread_once_t zonce = PTHREAD_ONCE_INIT;
static int zkey_rc;

static void zctx_free(void *p)
{
	ZCtx *z = p;
	ZSTD_freeCCtx(z->c);
	ZSTD_freeDCtx(z->d);
	free(z);
}

static void zkey_make(void) { zkey_rc = pthread_key_create(&zkey, zctx_free); }

static ZCtx *zctx(void)
{
	pthread_once(&zonce, zkey_make);
	if (zkey_rc != 0)
		return NULL;
	ZCtx *z = pthread_getspecific(zkey);
	if (z)
		return z;
	z = calloc(1, sizeof *z);
	if (!z)
		return NULL;
	z->c = ZSTD_createCCtx();
	z->d = ZSTD_createDCtx();
	if (!z->c || !z->d || pthread_setspecific(zkey, z) != 0) {
		zctx_free(z);
		return NULL;
	}
	ZSTD_DCtx_setParameter(z->d, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
	return z;
}

/* Appends a zstd frame of src to out. */
static int zstd_put(const uint8_t *src, size_t len, int level, Buf *out, StErr *err)
{
	ZCtx *z = zctx();
	if (!z)
		return failf(err, STELE_ENOMEM, "out of memory creating a zstd context");
	size_t cap = ZSTD_compressBound(len);
	if (!buf_reserve(out, cap))
		return buf_check(out, err, "compressed column");
	ZSTD_CCtx_reset(z->c, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(z->c, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(z->c, ZSTD_c_checksumFlag, 0);
	ZSTD_CCtx_setParameter(z->c, ZSTD_c_contentSizeFlag, 1);
	size_t rc = ZSTD_compress2(z->c, out->data + out->len, cap, src, len);
	if (ZSTD_isError(rc))
		return failf(err, STELE_EINVAL, "zstd could not compress a column: %s",
		             ZSTD_getErrorName(rc));
	out->len += rc;
	return STELE_OK;
}

/* Whether zstd's LZ stage may find something that the entropy layout
 * (pvec.h) has not already taken: runs and repeats. Numeric payloads are
 * entropy-coded already, so zstd gains on them only through matches; this
 * looks for matches of at least LZ_MIN_MATCH bytes in the raw values, as a
 * fast LZ parser would, and says yes when they cover a quarter of them. */
#define LZ_MIN_MATCH 32
#define LZ_HASH_BITS 12

static inline uint64_t load64(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

/* The length of the match of a and b (a before b), from `from` bytes on,
 * up to the end of the input: eight bytes a step, then one. */
static size_t match_len(const uint8_t *a, const uint8_t *b, size_t from, size_t max)
{
	size_t l = from;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; l + 8 <= max; l += 8) {
		uint64_t x = load64(a + l) ^ load64(b + l);
		if (x)
			return l + (size_t)__builtin_ctzll(x) / 8;
	}
#endif
	while (l < max && a[l] == b[l])
		l++;
	return l;
}

static bool lz_promising(const uint8_t *p, size_t len)
{
	uint32_t last[1 << LZ_HASH_BITS] = {0};  /* position + 1 */
	size_t covered = 0;
	for (size_t i = 0; i + 8 <= len;) {
		uint64_t w = load64(p + i);
		uint32_t h = (uint32_t)((w * 0x9e3779b97f4a7c15ULL) >> (64 - LZ_HASH_BITS));
		size_t cand = last[h];
		last[h] = (uint32_t)(i + 1);
		if (cand && load64(p + cand - 1) == w) {
			size_t l = match_len(p + cand - 1, p + i, 8, len - i);
			if (l >= LZ_MIN_MATCH) {
				covered += l;
				if (covered * 4 >= len)
					return true;
				i += l;
				continue;
			}
		}
		i += 8;
	}
	return covered * 4 >= len;
}

/* The most payload bytes a stream of n values of `type` can hold. */
static uint64_t payload_cap(stele_type type, size_t n)
{
	if (is_wide_type(type))
		return 32 * (uint64_t)n + 256;  /* ALP with every value an exception */
	if (type == STELE_TYPE_BOOLEAN)
		return (uint64_t)n + 16;
	return (uint64_t)UINT32_MAX + 10 * (uint64_t)n + 16;
}

/* Decompresses the zstd frame p[0..len) into out (reset first). */
static int zstd_get(stele_type type, size_t n, const uint8_t *p, size_t len, Buf *out,
                    StErr *err)
{
	ZCtx *z = zctx();
	if (!z)
		return failf(err, STELE_ENOMEM, "out of memory creating a zstd context");
	uint64_t cap = payload_cap(type, n);
	unsigned long long claim = ZSTD_getFrameContentSize(p, len);
	if (claim == ZSTD_CONTENTSIZE_ERROR || claim == ZSTD_CONTENTSIZE_UNKNOWN || claim > cap)
		return codec_corrupt(err, "zstd", "bad frame header");
	/* The claim is checked by the decompression; allocate it only when it
	 * is plausible for the input, else grow with the real output. */
	size_t want = claim <= 64 * (uint64_t)len + 65536 ? (size_t)claim : 65536;
	buf_reset(out);
	if (!buf_reserve(out, want ? want : 1))
		return buf_check(out, err, "decompressed column");
	ZSTD_DCtx_reset(z->d, ZSTD_reset_session_only);
	ZSTD_inBuffer in = {p, len, 0};
	for (;;) {
		if (out->len == out->cap) {
			if (out->len >= claim)
				return codec_corrupt(err, "zstd", "frame longer than its header says");
			size_t more = out->cap < claim - out->len ? out->cap : (size_t)(claim - out->len);
			if (!buf_grow(out, more))
				return buf_check(out, err, "decompressed column");
		}
		ZSTD_outBuffer o = {out->data, out->cap, out->len};
		size_t rc = ZSTD_decompressStream(z->d, &o, &in);
		out->len = o.pos;
		if (ZSTD_isError(rc))
			return failf(err, STELE_ECORRUPT, "corrupt zstd stream: %s",
			             ZSTD_getErrorName(rc));
		if (rc == 0)
			break;
		if (in.pos == in.size && o.pos < o.size)
			return codec_corrupt(err, "zstd", "truncated frame");
	}
	if (in.pos != len || out->len != claim)
		return codec_corrupt(err, "zstd", "frame does not fill the stream");
	return STELE_OK;
}

int codec_encode_opts(stele_type type, const void *vals, size_t n, const CodecOpts *o,
                      int zstd_level, int zstd, Buf *out, StErr *err)
{
	if (type < STELE_TYPE_DOUBLE || type > STELE_TYPE_TIMESTAMP)
		return failf(err, STELE_EINVAL, "no codec for column type %d", (int)type);
	if (n == 0 || n > CODEC_MAX_N || !vals)
		return failf(err, STELE_EINVAL, "cannot encode %zu values", n);
	if (zstd_level < 0 || zstd_level > 19)
		return failf(err, STELE_EINVAL, "zstd level %d is not in 0..19", zstd_level);
	if (type == STELE_TYPE_VARCHAR) {
		const StrVec *sv = vals;
		if (sv->offs[0] != 0)
			return failf(err, STELE_EINVAL, "string offsets must start at 0");
		for (size_t i = 0; i < n; i++)
			if (sv->offs[i + 1] < sv->offs[i])
				return failf(err, STELE_EINVAL, "string offsets must not decrease");
	}
	size_t start = out->len;
	CodecOpts oa = *o;
	oa.for_zstd = zstd == 2;
	int rc = encode_raw(type, vals, n, &oa, out, err);
	if (rc == STELE_OK)
		rc = buf_check(out, err, "encoded column");
	if (rc != STELE_OK || zstd == 0 || zstd_level == 0)
		return rc;

	Buf b = {0}, za = {0}, zb = {0};
	const uint8_t *payload = out->data + start + 1;
	size_t plen = out->len - start - 1;
	if (zstd == 2) {  /* forced */
		rc = zstd_put(payload, plen, zstd_level, &za, err);
		if (rc == STELE_OK) {
			out->data[start] |= CODEC_ZSTD;
			out->len = start + 1;
			buf_put(out, za.data, za.len);
			rc = buf_check(out, err, "encoded column");
		}
		buf_free(&za);
		return rc;
	}
	if (plen < ZSTD_MIN_INPUT || (is_wide_type(type) && n <= UINT32_MAX / 8 &&
	                              !lz_promising(vals, 8 * n)))
		return STELE_OK;
	/* za: zstd over A. zb: zstd over the byte-aligned encoding, if that
	 * differs from A. */
	rc = zstd_put(payload, plen, zstd_level, &za, err);
	if (rc == STELE_OK && type != STELE_TYPE_BOOLEAN) {
		oa.for_zstd = true;
		rc = encode_raw(type, vals, n, &oa, &b, err);
		if (rc == STELE_OK)
			rc = buf_check(&b, err, "encoded column");
		if (rc == STELE_OK && (b.len != plen + 1 || memcmp(b.data, out->data + start, b.len)))
			rc = zstd_put(b.data + 1, b.len - 1, zstd_level, &zb, err);
	}
	if (rc == STELE_OK) {
		bool use_b = zb.len && zb.len < za.len && zb.len < plen;
		bool use_a = !use_b && za.len && za.len < plen;
		if (use_a || use_b) {
			uint8_t id = (use_b ? b.data[0] : out->data[start]) | CODEC_ZSTD;
			out->len = start;
			buf_put_u8(out, id);
			buf_put(out, use_b ? zb.data : za.data, use_b ? zb.len : za.len);
			rc = buf_check(out, err, "encoded column");
		}
	}
	buf_free(&b);
	buf_free(&za);
	buf_free(&zb);
	return rc;
}

int codec_encode(stele_type type, const void *vals, size_t n, int zstd_level, Buf *out,
                 StErr *err)
{
	CodecOpts o = {CODEC_AUTO, PV_AUTO, false};
	return codec_encode_opts(type, vals, n, &o, zstd_level, 1, out, err);
}

int codec_encode_as(stele_type type, const void *vals, size_t n, uint8_t header,
                    int zstd_level, Buf *out, StErr *err)
{
	CodecOpts o = {header & ~CODEC_ZSTD, PV_AUTO, false};
	bool z = header & CODEC_ZSTD;
	if (z && zstd_level == 0)
		return failf(err, STELE_EINVAL, "codec %s needs a zstd level", codec_name(header));
	return codec_encode_opts(type, vals, n, &o, z ? zstd_level : 0, z ? 2 : 0, out, err);
}

/* ---- decoding ------------------------------------------------------------ */

static int decode_raw(stele_type type, int id, Rd *r, size_t n, void *vals, Buf *strbytes,
                      StErr *err)
{
	if (id == CODEC_CONST)
		return const_decode(type, r, n, vals, strbytes, err);
	if (id == CODEC_PLAIN)
		return plain_decode(type, r, n, vals, strbytes, err);
	if (is_int_type(type)) {
		if (id == CODEC_DOD || id == CODEC_DELTA || id == CODEC_FOR)
			return ints_decode(id, r, n, vals, err);
	} else if (type == STELE_TYPE_DOUBLE) {
		if (id == CODEC_ALP || id == CODEC_ALP_RD || id == CODEC_CHIMP || id == CODEC_IEEE)
			return float_decode(id, r, n, vals, err);
	} else if (type == STELE_TYPE_BOOLEAN) {
		if (id == CODEC_BITMAP)
			return bitmap_decode(r, n, vals, err);
	} else if (id == CODEC_DICT) {
		return dict_decode(r, n, vals, strbytes, err);
	}
	return failf(err, STELE_ECORRUPT, "corrupt column: codec %s does not fit type %s",
	             codec_name((uint8_t)id), type_label(type));
}

int codec_decode(stele_type type, const uint8_t *p, size_t len, size_t n, void *vals,
                 Buf *strbytes, StErr *err)
{
	if (type < STELE_TYPE_DOUBLE || type > STELE_TYPE_TIMESTAMP)
		return failf(err, STELE_EINVAL, "no codec for column type %d", (int)type);
	if (n == 0 || n > CODEC_MAX_N || !vals || (type == STELE_TYPE_VARCHAR && !strbytes))
		return failf(err, STELE_EINVAL, "cannot decode %zu values", n);
	if (type == STELE_TYPE_VARCHAR)
		buf_reset(strbytes);
	if (len == 0)
		return failf(err, STELE_ECORRUPT, "corrupt column: empty stream");
	Buf z = {0};
	const uint8_t *payload = p + 1;
	size_t plen = len - 1;
	int rc = STELE_OK;
	if (p[0] & CODEC_ZSTD) {
		rc = zstd_get(type, n, payload, plen, &z, err);
		payload = z.data;
		plen = z.len;
	}
	if (rc == STELE_OK) {
		Rd r = rd_make(payload, plen);
		rc = decode_raw(type, p[0] & ~CODEC_ZSTD, &r, n, vals, strbytes, err);
		if (rc == STELE_OK && (r.bad || rd_left(&r) != 0))
			rc = failf(err, STELE_ECORRUPT, "corrupt %s column: %s", codec_name(p[0]),
			           r.bad ? "truncated" : "trailing bytes");
	}
	buf_free(&z);
	return rc;
}

int codec_id(const uint8_t *p, size_t len)
{
	return len ? p[0] & ~CODEC_ZSTD : -1;
}

const char *codec_name(uint8_t header)
{
	static const char *const names[][2] = {
		[CODEC_PLAIN] = {"plain", "plain+zstd"},
		[CODEC_CONST] = {"const", "const+zstd"},
		[CODEC_DOD] = {"dod", "dod+zstd"},
		[CODEC_DELTA] = {"delta", "delta+zstd"},
		[CODEC_FOR] = {"for", "for+zstd"},
		[CODEC_ALP] = {"alp", "alp+zstd"},
		[CODEC_ALP_RD] = {"alp_rd", "alp_rd+zstd"},
		[CODEC_CHIMP] = {"chimp", "chimp+zstd"},
		[CODEC_IEEE] = {"ieee", "ieee+zstd"},
		[CODEC_BITMAP] = {"bitmap", "bitmap+zstd"},
		[CODEC_DICT] = {"dict", "dict+zstd"},
	};
	unsigned id = header & ~CODEC_ZSTD;
	if (id >= sizeof names / sizeof names[0] || !names[id][0])
		return "unknown";
	return names[id][(header & CODEC_ZSTD) != 0];
}
