/* test_codec.c - property tests of the column codecs (src/storage/codecs).
 *
 * Every dataset is encoded by the automatic choice (without and with zstd)
 * and by every codec that fits its type, forced, in every packed-vector
 * layout, and must come back bit for bit into a buffer of exactly n values
 * (so that ASan sees any overrun). Characteristic inputs must get the codec
 * they are meant for. Damaged streams (every truncation, random byte flips,
 * random payloads behind every header) must decode to n values or fail with
 * STELE_ECORRUPT, never crash. */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include "storage/codecs/codec.h"
#include "storage/codecs/codec_impl.h"
#include "storage/codecs/entropy.h"
#include "storage/codecs/pvec.h"

static const size_t sizes[] = {1, 2, 3, 127, 128, 129, 4096, 65536};
#define NSIZES (sizeof sizes / sizeof sizes[0])
/* The full matrix of forced codecs and layouts runs up to this n. */
#define MATRIX_MAX_N 4096

/* ---- helpers ------------------------------------------------------------- */

static size_t elem_size(stele_type t) { return t == STELE_TYPE_BOOLEAN ? 1 : 8; }

/* Decodes s and checks it against vals, bit for bit. */
static void check_decode(stele_type t, const void *vals, size_t n, const uint8_t *s,
                         size_t len)
{
	StErr err = {0};
	if (t == STELE_TYPE_VARCHAR) {
		const StrVec *sv = vals;
		uint32_t *offs = malloc((n + 1) * sizeof *offs);
		Buf bytes = {0};
		int rc = codec_decode(t, s, len, n, offs, &bytes, &err);
		if (rc != STELE_OK)
			fail_msg("%s, n=%zu: %s", codec_name(s[0]), n, err.msg);
		assert_memory_equal(offs, sv->offs, (n + 1) * sizeof *offs);
		assert_int_equal(bytes.len, sv->offs[n]);
		if (bytes.len)
			assert_memory_equal(bytes.data, sv->bytes, bytes.len);
		free(offs);
		buf_free(&bytes);
		return;
	}
	void *out = malloc(n * elem_size(t));
	int rc = codec_decode(t, s, len, n, out, NULL, &err);
	if (rc != STELE_OK)
		fail_msg("%s, n=%zu: %s", codec_name(s[0]), n, err.msg);
	if (memcmp(out, vals, n * elem_size(t)) != 0) {
		for (size_t i = 0; i < n; i++)
			if (memcmp((char *)out + i * elem_size(t), (const char *)vals + i * elem_size(t),
			           elem_size(t)) != 0)
				fail_msg("%s, n=%zu: value %zu differs", codec_name(s[0]), n, i);
	}
	free(out);
}

/* Encodes with the automatic choice; returns the header byte. */
static uint8_t roundtrip_auto(stele_type t, const void *vals, size_t n, int level)
{
	Buf b = {0};
	StErr err = {0};
	if (codec_encode(t, vals, n, level, &b, &err) != STELE_OK)
		fail_msg("encode n=%zu: %s", n, err.msg);
	check_decode(t, vals, n, b.data, b.len);
	uint8_t h = b.data[0];
	buf_free(&b);
	return h;
}

static const int int_codecs[] = {CODEC_PLAIN, CODEC_CONST, CODEC_DOD, CODEC_DELTA, CODEC_FOR};
static const int dbl_codecs[] = {CODEC_PLAIN, CODEC_CONST, CODEC_ALP, CODEC_ALP_RD,
                                 CODEC_CHIMP, CODEC_IEEE};
static const int bool_codecs[] = {CODEC_PLAIN, CODEC_CONST, CODEC_BITMAP};
static const int str_codecs[] = {CODEC_PLAIN, CODEC_CONST, CODEC_DICT};

static void codecs_of(stele_type t, const int **ids, size_t *nids)
{
	switch (t) {
	case STELE_TYPE_DOUBLE:
		*ids = dbl_codecs, *nids = 6;
		break;
	case STELE_TYPE_BOOLEAN:
		*ids = bool_codecs, *nids = 3;
		break;
	case STELE_TYPE_VARCHAR:
		*ids = str_codecs, *nids = 3;
		break;
	default:
		*ids = int_codecs, *nids = 5;
		break;
	}
}

/* Every codec of the type, forced, in every layout, with and without zstd. */
static void roundtrip_forced(stele_type t, const void *vals, size_t n)
{
	const int *ids;
	size_t nids;
	codecs_of(t, &ids, &nids);
	bool is_const = const_fits(t, vals, n);
	for (size_t c = 0; c < nids; c++) {
		for (int layout = PV_AUTO; layout < PV_NKINDS; layout++) {
			if (layout != PV_AUTO && (n > MATRIX_MAX_N || ids[c] == CODEC_PLAIN ||
			                          ids[c] == CODEC_CONST || ids[c] == CODEC_BITMAP))
				continue;
			for (int z = 0; z < 2; z++) {
				CodecOpts o = {ids[c], layout, false};
				Buf b = {0};
				StErr err = {0};
				int rc = codec_encode_opts(t, vals, n, &o, z ? 1 : 0, z ? 2 : 0, &b, &err);
				if (ids[c] == CODEC_CONST && !is_const) {
					assert_int_equal(rc, STELE_EINVAL);
				} else {
					if (rc != STELE_OK)
						fail_msg("encode %s n=%zu: %s", codec_name((uint8_t)ids[c]), n,
						         err.msg);
					assert_int_equal(codec_id(b.data, b.len), ids[c]);
					assert_int_equal(!!(b.data[0] & CODEC_ZSTD), z);
					check_decode(t, vals, n, b.data, b.len);
				}
				buf_free(&b);
			}
		}
	}
}

/* The automatic choice at levels 0 and 3, and the forced matrix. Returns the
 * codec chosen without zstd. */
static int roundtrip_all(stele_type t, const void *vals, size_t n)
{
	int id = roundtrip_auto(t, vals, n, 0);
	assert_int_equal(id & CODEC_ZSTD, 0);
	roundtrip_auto(t, vals, n, 3);
	roundtrip_forced(t, vals, n);
	return id;
}

/* ---- integers ------------------------------------------------------------ */

typedef enum IntSet {
	I_CONST, I_EXTREMES, I_ALTERNATE, I_NOISE, I_MONOTONIC, I_WALK, I_TS_REGULAR,
	I_TS_IRREGULAR, I_BAND, I_SPARSE, I_WRAP, I_TS_OUTLIER, I_NSETS
} IntSet;

static const char *const int_set_names[] = {
	"const", "extremes", "alternate", "noise", "monotonic", "walk", "ts_regular",
	"ts_irregular", "band", "sparse", "wrap", "ts_outlier",
};

static void gen_ints(IntSet set, int64_t *v, size_t n, TuRng *rng)
{
	static const int64_t extremes[] = {INT64_MIN, INT64_MAX, 0, -1, 1, INT64_MIN + 1,
	                                   INT64_MAX - 1};
	int64_t ts = 1451606400000000000LL, acc = 0;
	for (size_t i = 0; i < n; i++) {
		switch (set) {
		case I_CONST:
			v[i] = -42;
			break;
		case I_EXTREMES:
			v[i] = extremes[tu_below(rng, 7)];
			break;
		case I_ALTERNATE:
			v[i] = i % 2 ? INT64_MAX : INT64_MIN;
			break;
		case I_NOISE:
			v[i] = (int64_t)tu_rand(rng);
			break;
		case I_MONOTONIC:
			acc += (int64_t)tu_below(rng, 11);
			v[i] = acc;
			break;
		case I_WALK:
			acc += (int64_t)tu_below(rng, 7) - 3;
			v[i] = acc;
			break;
		case I_TS_REGULAR:
			v[i] = ts + (int64_t)i * 10 * 1000000000LL;
			break;
		case I_TS_IRREGULAR:
			ts += 10 * 1000000000LL + (int64_t)tu_below(rng, 2000001) - 1000000;
			if (tu_below(rng, 100) == 0)
				ts += (int64_t)tu_below(rng, 3600) * 1000000000LL;  /* a gap */
			if (tu_below(rng, 200) == 0)
				ts -= 25 * 1000000000LL;  /* out of order */
			v[i] = ts;
			break;
		case I_BAND:
			v[i] = 1000 + (int64_t)tu_below(rng, 16);
			break;
		case I_SPARSE:
			v[i] = tu_below(rng, 50) == 0 ? (int64_t)(tu_rand(rng) >> 8) : 0;
			break;
		case I_WRAP:  /* crosses INT64_MAX -> INT64_MIN as uint64 would */
			v[i] = (int64_t)((uint64_t)INT64_MAX - 40 + 7 * (uint64_t)i);
			break;
		case I_TS_OUTLIER:
			v[i] = ts + (int64_t)i * 1000000000LL;
			if (i == n / 2)
				v[i] = INT64_MIN;
			break;
		default:
			break;
		}
	}
}

static void test_ints_roundtrip(void **state)
{
	TuRng rng = {0x9e3779b97f4a7c15ULL};
	for (int set = 0; set < I_NSETS; set++) {
		for (size_t s = 0; s < NSIZES; s++) {
			size_t n = sizes[s];
			int64_t *v = malloc(n * sizeof *v);
			gen_ints((IntSet)set, v, n, &rng);
			int id = roundtrip_all(STELE_TYPE_BIGINT, v, n);
			roundtrip_all(STELE_TYPE_TIMESTAMP, v, n);
			roundtrip_all(STELE_TYPE_UBIGINT, v, n);
			/* The codec meant for each characteristic input. */
			int want = -1;
			if (set == I_CONST || n == 1)
				want = CODEC_CONST;
			else if (set == I_TS_REGULAR)
				want = CODEC_DOD;
			else if (n >= 128 && (set == I_WALK || set == I_MONOTONIC))
				want = CODEC_DELTA;
			else if (n >= 128 && set == I_BAND)
				want = CODEC_FOR;
			else if (n >= 128 && set == I_NOISE)
				want = CODEC_PLAIN;
			/* Jittered timestamps: DELTA (less the typical interval) stores
			 * the change of jitter, DOD its second difference; an outlier
			 * costs DELTA two exceptions, DOD three: either may win. */
			if (n >= 128 && (set == I_TS_IRREGULAR || set == I_TS_OUTLIER) &&
			    id != CODEC_DOD && id != CODEC_DELTA)
				fail_msg("ts_irregular n=%zu: chose %s", n, codec_name((uint8_t)id));
			if (want >= 0 && id != want)
				fail_msg("%s n=%zu: chose %s, not %s", int_set_names[set], n,
				         codec_name((uint8_t)id), codec_name((uint8_t)want));
			free(v);
		}
	}
}

static void test_uint_extremes(void **state)
{
	static const uint64_t ex[] = {0, 1, UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63,
	                              ((uint64_t)1 << 63) - 1};
	TuRng rng = {7};
	for (size_t s = 0; s < NSIZES; s++) {
		size_t n = sizes[s];
		uint64_t *v = malloc(n * sizeof *v);
		for (size_t i = 0; i < n; i++)
			v[i] = ex[tu_below(&rng, 6)];
		roundtrip_all(STELE_TYPE_UBIGINT, v, n);
		/* A narrow band at the top of the unsigned range: FOR's minimum is
		 * unsigned, so the band is 4 bits wide. */
		for (size_t i = 0; i < n; i++)
			v[i] = UINT64_MAX - tu_below(&rng, 16);
		int id = roundtrip_all(STELE_TYPE_UBIGINT, v, n);
		if (n >= 128)
			assert_int_equal(id, CODEC_FOR);
		free(v);
	}
}

/* Regular timestamps cost a few bytes per block, whatever its length. */
static void test_regular_timestamps_are_free(void **state)
{
	size_t n = 8192;
	int64_t *v = malloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = 1700000000000000000LL + (int64_t)i * 10000000000LL;
	Buf b = {0};
	assert_int_equal(codec_encode(STELE_TYPE_TIMESTAMP, v, n, 3, &b, NULL), STELE_OK);
	assert_int_equal(b.data[0], CODEC_DOD);
	assert_true(b.len <= 16);
	buf_free(&b);
	free(v);
}

/* PFor keeps one outlier from widening the block. */
static void test_outlier_patched(void **state)
{
	size_t n = 4096;
	int64_t *v = malloc(n * sizeof *v);
	TuRng rng = {3};
	for (size_t i = 0; i < n; i++)
		v[i] = (int64_t)tu_below(&rng, 8);
	v[1000] = INT64_MAX;
	Buf b = {0};
	assert_int_equal(codec_encode(STELE_TYPE_BIGINT, v, n, 0, &b, NULL), STELE_OK);
	/* 3 bits a value plus one exception: well under 4 bits a value. */
	assert_true(b.len * 8 < 4 * n);
	check_decode(STELE_TYPE_BIGINT, v, n, b.data, b.len);
	buf_free(&b);
	free(v);
}

/* ---- doubles ------------------------------------------------------------- */

typedef enum DblSet {
	D_CENTS, D_TEMP, D_GPS, D_PRECISE, D_SPECIALS, D_MIXED, D_BITS, D_CYCLE, D_COUNTER,
	D_ROUND, D_CONST_NAN, D_CONST_NEGZERO, D_SUBNORMAL, D_WALK, D_FLOAT32, D_CROSSING,
	D_NSETS
} DblSet;

static const char *const dbl_set_names[] = {
	"cents", "temp", "gps", "precise", "specials", "mixed", "bits", "cycle", "counter",
	"round", "const_nan", "const_negzero", "subnormal", "walk", "float32", "crossing",
};

static double from_bits(uint64_t b)
{
	double d;
	memcpy(&d, &b, 8);
	return d;
}

static double special(TuRng *rng)
{
	static const uint64_t bits[] = {
		0x7ff8000000000000ULL, /* quiet NaN */
		0x7ff8000000000123ULL, /* NaN with payload */
		0xfff8000000000000ULL, /* negative NaN */
		0x7ff0000000000001ULL, /* signalling NaN */
		0xfff7ffffffffffffULL, /* negative signalling NaN, full payload */
		0x7ff0000000000000ULL, /* +Inf */
		0xfff0000000000000ULL, /* -Inf */
		0x8000000000000000ULL, /* -0.0 */
		0x0000000000000000ULL, /* +0.0 */
		0x0000000000000001ULL, /* smallest subnormal */
		0x000fffffffffffffULL, /* largest subnormal */
		0x8000000000000001ULL, /* negative subnormal */
		0x7fefffffffffffffULL, /* DBL_MAX */
		0xffefffffffffffffULL, /* -DBL_MAX */
		0x0010000000000000ULL, /* DBL_MIN */
	};
	return from_bits(bits[tu_below(rng, sizeof bits / sizeof bits[0])]);
}

static void gen_doubles(DblSet set, double *v, size_t n, TuRng *rng)
{
	double a = 20.0, lat = 52.520008, lon = 13.404954;
	int64_t cents = 1234;
	double cyc[4];
	for (int i = 0; i < 4; i++)
		cyc[i] = (double)(tu_rand(rng) >> 11) * 0x1p-53 * 1000.0;
	for (size_t i = 0; i < n; i++) {
		switch (set) {
		case D_CENTS:
			cents += (int64_t)tu_below(rng, 201) - 100;
			v[i] = (double)cents / 100.0;  /* 12.34 */
			break;
		case D_TEMP:
			a += ((double)tu_below(rng, 1001) - 500.0) / 2000.0;
			v[i] = round(a * 10.0) / 10.0;
			break;
		case D_GPS:
			lat += ((double)tu_below(rng, 201) - 100.0) * 1e-6;
			lon += ((double)tu_below(rng, 201) - 100.0) * 1e-6;
			v[i] = i % 2 ? round(lon * 1e6) / 1e6 : round(lat * 1e6) / 1e6;
			break;
		case D_PRECISE:
			v[i] = (double)(tu_rand(rng) >> 11) * 0x1p-53 * 2000.0 - 1000.0;
			break;
		case D_SPECIALS:
			v[i] = special(rng);
			break;
		case D_MIXED:
			v[i] = tu_below(rng, 8) == 0 ? special(rng) : (double)tu_below(rng, 10000) / 100.0;
			break;
		case D_BITS:
			v[i] = from_bits(tu_rand(rng));
			break;
		case D_CYCLE:
			v[i] = cyc[tu_below(rng, 4)];
			break;
		case D_COUNTER:
			v[i] = (double)(1000000 + 3 * (int64_t)i);
			break;
		case D_ROUND:
			v[i] = (double)(int64_t)tu_below(rng, 100) * 1e5;
			break;
		case D_CONST_NAN:
			v[i] = from_bits(0x7ff800000000beefULL);
			break;
		case D_CONST_NEGZERO:
			v[i] = -0.0;
			break;
		case D_SUBNORMAL:
			v[i] = from_bits(tu_below(rng, (uint64_t)1 << 52));
			break;
		case D_WALK:  /* full precision, as TSBS stores its cpu fields */
			a += ((double)(tu_rand(rng) >> 11) * 0x1p-53 - 0.5) * 2.0;
			v[i] = a;
			break;
		case D_FLOAT32:  /* a float32 sensor's readings, widened */
			a += ((double)(tu_rand(rng) >> 11) * 0x1p-53 - 0.5) * 0.1;
			v[i] = (double)(float)a;
			break;
		case D_CROSSING:  /* a full-precision walk around zero */
			a = i ? a + ((double)(tu_rand(rng) >> 11) * 0x1p-53 - 0.5) * 1e-3 : 0.0;
			v[i] = a;
			break;
		default:
			break;
		}
	}
}

static void test_doubles_roundtrip(void **state)
{
	TuRng rng = {0x1234567};
	for (int set = 0; set < D_NSETS; set++) {
		for (size_t s = 0; s < NSIZES; s++) {
			size_t n = sizes[s];
			double *v = malloc(n * sizeof *v);
			gen_doubles((DblSet)set, v, n, &rng);
			int id = roundtrip_all(STELE_TYPE_DOUBLE, v, n);
			int want = -1;
			if (set == D_CONST_NAN || set == D_CONST_NEGZERO || n == 1)
				want = CODEC_CONST;
			else if (n >= 128 && (set == D_CENTS || set == D_TEMP || set == D_GPS ||
			                      set == D_COUNTER || set == D_ROUND))
				want = CODEC_ALP;
			else if (n >= 128 && set == D_PRECISE)
				want = CODEC_ALP_RD;
			else if (n >= 128 && set == D_CYCLE)
				want = CODEC_CHIMP;
			else if (n >= 128 && (set == D_WALK || set == D_FLOAT32))
				want = CODEC_IEEE;
			else if (n >= 128 && set == D_BITS)
				want = CODEC_PLAIN;
			if (want >= 0 && id != want)
				fail_msg("%s n=%zu: chose %s, not %s", dbl_set_names[set], n,
				         codec_name((uint8_t)id), codec_name((uint8_t)want));
			free(v);
		}
	}
}

/* ALP's exact division makes every short decimal round-trip without
 * exceptions, including those the paper's multiplication misses. */
static void test_alp_decimals_exact(void **state)
{
	size_t n = 4096;
	double *v = malloc(n * sizeof *v);
	TuRng rng = {99};
	for (size_t i = 0; i < n; i++)
		v[i] = (double)((int64_t)tu_below(&rng, 2000000) - 1000000) / 1000.0;
	Buf b = {0};
	assert_int_equal(codec_encode(STELE_TYPE_DOUBLE, v, n, 0, &b, NULL), STELE_OK);
	assert_int_equal(b.data[0], CODEC_ALP);
	assert_int_equal(b.data[1], 3);  /* k */
	assert_int_equal(b.data[2], 0);  /* no exceptions */
	check_decode(STELE_TYPE_DOUBLE, v, n, b.data, b.len);
	buf_free(&b);
	free(v);
}

/* ---- compression ------------------------------------------------------------ */

static double normal(TuRng *rng)
{
	double u = ((double)(tu_rand(rng) >> 11) + 0.5) * 0x1p-53;
	double v = (double)(tu_rand(rng) >> 11) * 0x1p-53;
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Bits a value of the automatic choice, averaged over 16 blocks. */
static double bits_per_value(stele_type t, const void *vals, size_t n, size_t nblocks)
{
	size_t bytes = 0;
	for (size_t b = 0; b < nblocks; b++) {
		Buf out = {0};
		const char *block = (const char *)vals + b * n * 8;
		assert_int_equal(codec_encode(t, block, n, 3, &out, NULL), STELE_OK);
		check_decode(t, block, n, out.data, out.len);
		bytes += out.len;
		buf_free(&out);
	}
	return 8.0 * (double)bytes / (double)(n * nblocks);
}

/* Ceilings on the size of characteristic data: a slip in a size estimate
 * (which never breaks a round trip) must not go unnoticed. */
static void test_compression_ceilings(void **state)
{
	enum { N = 4096, B = 16 };
	TuRng rng = {2024};
	int64_t *iv = malloc(N * B * sizeof *iv);
	double *dv = malloc(N * B * sizeof *dv);
	/* TSBS devops cpu field: N(0,1) walk clamped to [0, 100], truncated;
	 * its deltas have about 2.15 bits of entropy. */
	for (size_t b = 0; b < B; b++) {
		double x = (double)tu_below(&rng, 100);
		for (size_t i = 0; i < N; i++) {
			x += normal(&rng);
			x = x < 0 ? 0 : x > 100 ? 100 : x;
			iv[b * N + i] = (int64_t)x;
			dv[b * N + i] = x;
		}
	}
	double devops = bits_per_value(STELE_TYPE_BIGINT, iv, N, B);
	double walk = bits_per_value(STELE_TYPE_DOUBLE, dv, N, B);
	/* Temperatures with one decimal. */
	double t = 20;
	for (size_t i = 0; i < N * B; i++) {
		t += normal(&rng) * 0.05;
		dv[i] = round(t * 10) / 10;
	}
	double temp = bits_per_value(STELE_TYPE_DOUBLE, dv, N, B);
	/* A float32 sensor widened to double. */
	for (size_t i = 0; i < N * B; i++) {
		t += normal(&rng) * 0.01;
		dv[i] = (double)(float)(1000 + t);
	}
	double f32 = bits_per_value(STELE_TYPE_DOUBLE, dv, N, B);
	print_message("bits a value: devops %.3f, full-precision walk %.2f, temperature %.3f, "
	              "float32 %.2f\n", devops, walk, temp, f32);
	assert_true(devops < 2.35);
	assert_true(walk < 51.5);
	assert_true(temp < 1.7);
	assert_true(f32 < 11.0);
	free(iv);
	free(dv);
}

/* The packed-vector plan skips the entropy estimate when its floor already
 * loses (pvec.c); that keeps every choice only if the floor is never above
 * the estimate. Histograms of every shape: one symbol, two, flat, geometric,
 * sparse, random, over every symbol count and sizes up to a block's. */
static void test_entropy_floor(void **state)
{
	TuRng rng = {77};
	uint32_t hist[256];
	for (int round = 0; round < 20000; round++) {
		unsigned nsym = 1u << tu_below(&rng, 9);
		size_t m = 1 + tu_below(&rng, round % 2 ? 8192 : 3000);
		int shape = round % 6;
		memset(hist, 0, sizeof hist);
		for (size_t i = 0; i < m; i++) {
			unsigned k;
			switch (shape) {
			case 0: k = 0; break;
			case 1: k = (unsigned)tu_below(&rng, 2) % nsym; break;
			case 2: k = (unsigned)tu_below(&rng, nsym); break;
			case 3: {
				k = 0;
				while (k + 1 < nsym && tu_below(&rng, 2))
					k++;
				break;
			}
			case 4: k = (unsigned)(tu_below(&rng, 4) * 37) % nsym; break;
			default: k = (unsigned)(tu_below(&rng, nsym) * tu_below(&rng, nsym)) % nsym; break;
			}
			hist[k]++;
		}
		size_t est = ent_estimate(hist, nsym, m), floor = ent_estimate_floor(hist, nsym, m);
		if (floor > est)
			fail_msg("shape %d, %u symbols, m=%zu: floor %zu above estimate %zu", shape, nsym,
			         m, floor, est);
		if (shape == 0)  /* one symbol: no entropy, both the same */
			assert_int_equal(floor, est);
	}
}

/* ---- booleans and strings ------------------------------------------------ */

static void test_bools_roundtrip(void **state)
{
	TuRng rng = {5};
	for (int set = 0; set < 4; set++) {
		for (size_t s = 0; s < NSIZES; s++) {
			size_t n = sizes[s];
			uint8_t *v = malloc(n);
			for (size_t i = 0; i < n; i++)
				v[i] = set == 0 ? 1 : set == 1 ? 0 : set == 2 ? tu_below(&rng, 2)
				                                              : tu_below(&rng, 500) == 0;
			int id = roundtrip_all(STELE_TYPE_BOOLEAN, v, n);
			bool is_const = const_fits(STELE_TYPE_BOOLEAN, v, n);
			assert_int_equal(id, is_const ? CODEC_CONST : CODEC_BITMAP);
			free(v);
		}
	}
}

typedef enum StrSet { S_EMPTY, S_FEW, S_DISTINCT, S_BINARY, S_LONG, S_MIXED, S_NSETS } StrSet;

static const char *const str_set_names[] = {"empty", "few", "distinct", "binary", "long",
                                            "mixed"};

/* Fills sv (offs and bytes malloc'd: free both). */
static void gen_strings(StrSet set, StrVec *sv, size_t n, TuRng *rng)
{
	uint32_t *offs = malloc((n + 1) * sizeof *offs);
	Buf bytes = {0};
	offs[0] = 0;
	for (size_t i = 0; i < n; i++) {
		char tmp[64];
		switch (set) {
		case S_EMPTY:
			break;
		case S_FEW: {
			int k = snprintf(tmp, sizeof tmp, "host_%u", (unsigned)tu_below(rng, 5));
			buf_put(&bytes, tmp, (size_t)k);
			break;
		}
		case S_DISTINCT: {
			int k = snprintf(tmp, sizeof tmp, "%016llx-%zu",
			                 (unsigned long long)tu_rand(rng), i);
			buf_put(&bytes, tmp, (size_t)k);
			break;
		}
		case S_BINARY: {
			size_t len = tu_below(rng, 40);
			for (size_t j = 0; j < len; j++)
				buf_put_u8(&bytes, (uint8_t)tu_below(rng, 4) * 85);  /* NULs too */
			break;
		}
		case S_LONG: {
			size_t len = i % 7 == 0 ? 5000 + tu_below(rng, 5000) : tu_below(rng, 3);
			for (size_t j = 0; j < len; j++)
				buf_put_u8(&bytes, (uint8_t)('a' + (i + j) % 26));
			break;
		}
		case S_MIXED:
			if (tu_below(rng, 2))
				buf_put(&bytes, "on", 2);
			break;
		default:
			break;
		}
		offs[i + 1] = (uint32_t)bytes.len;
	}
	sv->offs = offs;
	sv->bytes = bytes.len ? (const char *)bytes.data : (const char *)calloc(1, 1);
}

static void test_strings_roundtrip(void **state)
{
	TuRng rng = {11};
	for (int set = 0; set < S_NSETS; set++) {
		for (size_t s = 0; s < NSIZES; s++) {
			size_t n = sizes[s];
			if (set == S_LONG && n > 4096)
				continue;
			StrVec sv;
			gen_strings((StrSet)set, &sv, n, &rng);
			int id = roundtrip_all(STELE_TYPE_VARCHAR, &sv, n);
			int want = -1;
			if (set == S_EMPTY || n == 1)
				want = CODEC_CONST;
			else if (n >= 128 && (set == S_FEW || set == S_MIXED))
				want = CODEC_DICT;
			else if (n >= 128 && set == S_DISTINCT)
				want = CODEC_PLAIN;
			if (want >= 0 && id != want)
				fail_msg("%s n=%zu: chose %s, not %s", str_set_names[set], n,
				         codec_name((uint8_t)id), codec_name((uint8_t)want));
			free((void *)sv.offs);
			free((void *)sv.bytes);
		}
	}
}

/* ---- damage ---------------------------------------------------------------- */

/* Decodes a possibly damaged stream: STELE_OK with n values or
 * STELE_ECORRUPT with a message. Returns the code. */
static int decode_damaged(stele_type t, const uint8_t *s, size_t len, size_t n)
{
	StErr err = {0};
	uint8_t *copy = malloc(len ? len : 1);  /* exact size: ASan sees overreads */
	memcpy(copy, s, len);
	int rc;
	if (t == STELE_TYPE_VARCHAR) {
		uint32_t *offs = malloc((n + 1) * sizeof *offs);
		Buf bytes = {0};
		rc = codec_decode(t, copy, len, n, offs, &bytes, &err);
		if (rc == STELE_OK) {
			assert_int_equal(offs[0], 0);
			for (size_t i = 0; i < n; i++)
				assert_true(offs[i] <= offs[i + 1]);
			assert_int_equal(offs[n], bytes.len);
		}
		free(offs);
		buf_free(&bytes);
	} else {
		void *out = malloc(n * elem_size(t));
		rc = codec_decode(t, copy, len, n, out, NULL, &err);
		if (rc == STELE_OK && t == STELE_TYPE_BOOLEAN)
			for (size_t i = 0; i < n; i++)
				assert_true(((uint8_t *)out)[i] <= 1);
		free(out);
	}
	free(copy);
	if (rc != STELE_OK) {
		if (rc != STELE_ECORRUPT)
			fail_msg("damaged stream: code %d (%s)", rc, err.msg);
		assert_true(err.msg[0] != '\0');
	}
	return rc;
}

static size_t truncations_caught, truncations_total;

static void damage_stream(stele_type t, const uint8_t *s, size_t len, size_t n, TuRng *rng,
                          int flips)
{
	for (size_t cut = 0; cut < len; cut++) {
		truncations_total++;
		truncations_caught += decode_damaged(t, s, cut, n) == STELE_ECORRUPT;
	}
	uint8_t *d = malloc(len);
	for (int f = 0; f < flips; f++) {
		memcpy(d, s, len);
		size_t at = tu_below(rng, len);
		d[at] ^= (uint8_t)(1 + tu_below(rng, 255));
		if (f % 4 == 3)  /* sometimes a second byte */
			d[tu_below(rng, len)] = (uint8_t)tu_rand(rng);
		decode_damaged(t, d, len, n);
	}
	free(d);
}

/* Damages the stream of every codec (forced, with and without zstd, in
 * every layout) of a sample of datasets. */
static void damage_all(stele_type t, const void *vals, size_t n, TuRng *rng)
{
	const int *ids;
	size_t nids;
	codecs_of(t, &ids, &nids);
	for (size_t c = 0; c < nids; c++) {
		for (int layout = PV_AUTO; layout < PV_NKINDS; layout++) {
			for (int z = 0; z < 2; z++) {
				CodecOpts o = {ids[c], layout, false};
				Buf b = {0};
				if (codec_encode_opts(t, vals, n, &o, z ? 1 : 0, z ? 2 : 0, &b, NULL) ==
				    STELE_OK)
					damage_stream(t, b.data, b.len, n, rng, 300);
				buf_free(&b);
			}
		}
	}
}

static void test_damage(void **state)
{
	TuRng rng = {0xdeadbeef};
	static const size_t dn[] = {1, 3, 70, 200};
	for (size_t s = 0; s < sizeof dn / sizeof dn[0]; s++) {
		size_t n = dn[s];
		int64_t *iv = malloc(n * sizeof *iv);
		for (int set = 0; set < I_NSETS; set += 2) {
			gen_ints((IntSet)set, iv, n, &rng);
			damage_all(STELE_TYPE_BIGINT, iv, n, &rng);
		}
		double *dv = malloc(n * sizeof *dv);
		static const DblSet dsets[] = {D_CENTS, D_MIXED, D_PRECISE, D_CYCLE, D_BITS};
		for (size_t k = 0; k < sizeof dsets / sizeof dsets[0]; k++) {
			gen_doubles(dsets[k], dv, n, &rng);
			damage_all(STELE_TYPE_DOUBLE, dv, n, &rng);
		}
		uint8_t *bv = malloc(n);
		for (size_t i = 0; i < n; i++)
			bv[i] = tu_below(&rng, 2);
		damage_all(STELE_TYPE_BOOLEAN, bv, n, &rng);
		for (int set = 0; set < S_NSETS; set++) {
			if (set == S_LONG)
				continue;
			StrVec sv;
			gen_strings((StrSet)set, &sv, n, &rng);
			damage_all(STELE_TYPE_VARCHAR, &sv, n, &rng);
			free((void *)sv.offs);
			free((void *)sv.bytes);
		}
		free(iv);
		free(dv);
		free(bv);
	}
	/* Streams of 2048 values and more are rANS-coded: damage those too. */
	size_t n = 2100;
	int64_t *iv = malloc(n * sizeof *iv);
	gen_ints(I_WALK, iv, n, &rng);
	double *dv = malloc(n * sizeof *dv);
	gen_doubles(D_TEMP, dv, n, &rng);
	StrVec sv;
	gen_strings(S_FEW, &sv, n, &rng);
	for (int z = 0; z < 2; z++) {
		CodecOpts o = {CODEC_AUTO, PV_ENTROPY, false};
		Buf b[3] = {{0}};
		assert_int_equal(codec_encode_opts(STELE_TYPE_BIGINT, iv, n, &o, z, z ? 2 : 0, &b[0], NULL), 0);
		assert_int_equal(codec_encode_opts(STELE_TYPE_DOUBLE, dv, n, &o, z, z ? 2 : 0, &b[1], NULL), 0);
		assert_int_equal(codec_encode_opts(STELE_TYPE_VARCHAR, &sv, n, &o, z, z ? 2 : 0, &b[2], NULL), 0);
		damage_stream(STELE_TYPE_BIGINT, b[0].data, b[0].len, n, &rng, 2000);
		damage_stream(STELE_TYPE_DOUBLE, b[1].data, b[1].len, n, &rng, 2000);
		damage_stream(STELE_TYPE_VARCHAR, b[2].data, b[2].len, n, &rng, 2000);
		for (int i = 0; i < 3; i++)
			buf_free(&b[i]);
	}
	free(iv);
	free(dv);
	free((void *)sv.offs);
	free((void *)sv.bytes);

	/* Almost every cut is detected; the rest decode to n values. */
	print_message("truncations detected: %zu of %zu\n", truncations_caught,
	              truncations_total);
	assert_true(truncations_caught * 100 >= truncations_total * 95);
}

/* Random payloads behind every header byte. */
static void test_random_payloads(void **state)
{
	TuRng rng = {0xfeed};
	static const stele_type types[] = {STELE_TYPE_BIGINT, STELE_TYPE_UBIGINT,
	                                   STELE_TYPE_TIMESTAMP, STELE_TYPE_DOUBLE,
	                                   STELE_TYPE_BOOLEAN, STELE_TYPE_VARCHAR};
	uint8_t s[96];
	for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
		for (int h = 0; h < 256; h++) {
			for (int k = 0; k < 40; k++) {
				size_t len = 1 + tu_below(&rng, sizeof s - 1);
				s[0] = (uint8_t)h;
				for (size_t i = 1; i < len; i++)  /* small bytes: plausible fields */
					s[i] = (uint8_t)(k % 2 ? tu_rand(&rng) : tu_below(&rng, 4));
				decode_damaged(types[t], s, len, 1 + tu_below(&rng, 150));
			}
		}
	}
}

/* A zstd frame whose header claims a huge size must not be believed. */
static void test_zstd_huge_claim(void **state)
{
	/* zstd frame: magic, descriptor with an 8-byte content size of 2^40. */
	uint8_t s[] = {CODEC_PLAIN | CODEC_ZSTD, 0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0, 0, 0, 0,
	               1, 0, 0, 0, 1, 0, 0};
	assert_int_equal(decode_damaged(STELE_TYPE_BIGINT, s, sizeof s, 10), STELE_ECORRUPT);
	assert_int_equal(decode_damaged(STELE_TYPE_VARCHAR, s, sizeof s, 10), STELE_ECORRUPT);
}

static void test_api_errors(void **state)
{
	int64_t v[2] = {1, 2};
	Buf b = {0};
	StErr err = {0};
	assert_int_equal(codec_encode(STELE_TYPE_BIGINT, v, 0, 0, &b, &err), STELE_EINVAL);
	assert_int_equal(codec_encode(STELE_TYPE_NONE, v, 2, 0, &b, &err), STELE_EINVAL);
	assert_int_equal(codec_encode_as(STELE_TYPE_BIGINT, v, 2, CODEC_CONST, 0, &b, &err),
	                 STELE_EINVAL);
	assert_int_equal(codec_encode_as(STELE_TYPE_BIGINT, v, 2, CODEC_ALP, 0, &b, &err),
	                 STELE_EINVAL);
	assert_int_equal(codec_encode_as(STELE_TYPE_DOUBLE, v, 2, CODEC_DICT, 0, &b, &err),
	                 STELE_EINVAL);
	assert_int_equal(b.len, 0);
	assert_int_equal(codec_decode(STELE_TYPE_BIGINT, (const uint8_t *)"", 0, 2, v, NULL,
	                              &err),
	                 STELE_ECORRUPT);
	/* A double codec in an integer column. */
	assert_int_equal(codec_encode_as(STELE_TYPE_DOUBLE, v, 2, CODEC_ALP, 0, &b, &err),
	                 STELE_OK);
	assert_int_equal(codec_decode(STELE_TYPE_BIGINT, b.data, b.len, 2, v, NULL, &err),
	                 STELE_ECORRUPT);
	buf_free(&b);
	assert_int_equal(codec_id(NULL, 0), -1);
	assert_string_equal(codec_name(CODEC_DELTA | CODEC_ZSTD), "delta+zstd");
	assert_string_equal(codec_name(CODEC_ALP_RD), "alp_rd");
	assert_string_equal(codec_name(0x7f), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ints_roundtrip),
		cmocka_unit_test(test_uint_extremes),
		cmocka_unit_test(test_regular_timestamps_are_free),
		cmocka_unit_test(test_outlier_patched),
		cmocka_unit_test(test_doubles_roundtrip),
		cmocka_unit_test(test_alp_decimals_exact),
		cmocka_unit_test(test_compression_ceilings),
		cmocka_unit_test(test_entropy_floor),
		cmocka_unit_test(test_bools_roundtrip),
		cmocka_unit_test(test_strings_roundtrip),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_random_payloads),
		cmocka_unit_test(test_zstd_huge_claim),
		cmocka_unit_test(test_api_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
