/*
 * pgtypes.c - type OIDs and value formats of the PostgreSQL wire
 * (pgtypes.h). Text comes from sql/text.h (PostgreSQL's output functions
 * as the engine implements them), cut to microseconds and given the
 * "+00" of a timestamptz; binary is PostgreSQL's *_send / *_recv.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "server/pgproto.h"
#include "server/pgtypes.h"
#include "sql/sqlfmt.h"
#include "sql/text.h"

#define NS_PER_US 1000LL
#define US_PER_DAY 86400000000LL

uint32_t pgty_oid(stele_type t)
{
	switch (t) {
	case STELE_TYPE_DOUBLE:
		return PGTY_FLOAT8;
	case STELE_TYPE_BIGINT:
		return PGTY_INT8;
	case STELE_TYPE_UBIGINT:
		return PGTY_NUMERIC;
	case STELE_TYPE_BOOLEAN:
		return PGTY_BOOL;
	case STELE_TYPE_TIMESTAMP:
		return PGTY_TIMESTAMPTZ;
	case STELE_TYPE_INTERVAL:
		return PGTY_INTERVAL;
	default:
		return PGTY_TEXT;
	}
}

int16_t pgty_len(uint32_t oid)
{
	switch (oid) {
	case PGTY_BOOL:
	case PGTY_CHAR:
		return 1;
	case PGTY_INT2:
		return 2;
	case PGTY_INT4:
	case PGTY_OID:
	case PGTY_FLOAT4:
	case PGTY_DATE:
		return 4;
	case PGTY_INT8:
	case PGTY_FLOAT8:
	case PGTY_TIMESTAMP:
	case PGTY_TIMESTAMPTZ:
		return 8;
	case PGTY_INTERVAL:
		return 16;
	case PGTY_NAME:
		return 64;
	default:
		return -1;
	}
}

static const struct {
	uint32_t oid;
	const char *name, *format;
} names[] = {
	{PGTY_BOOL, "bool", "boolean"},
	{PGTY_BYTEA, "bytea", "bytea"},
	{PGTY_CHAR, "char", "\"char\""},
	{PGTY_NAME, "name", "name"},
	{PGTY_INT8, "int8", "bigint"},
	{PGTY_INT2, "int2", "smallint"},
	{PGTY_INT4, "int4", "integer"},
	{PGTY_TEXT, "text", "text"},
	{PGTY_OID, "oid", "oid"},
	{PGTY_FLOAT4, "float4", "real"},
	{PGTY_FLOAT8, "float8", "double precision"},
	{PGTY_UNKNOWN, "unknown", "unknown"},
	{PGTY_BPCHAR, "bpchar", "character"},
	{PGTY_VARCHAR, "varchar", "character varying"},
	{PGTY_DATE, "date", "date"},
	{PGTY_TIMESTAMP, "timestamp", "timestamp without time zone"},
	{PGTY_TIMESTAMPTZ, "timestamptz", "timestamp with time zone"},
	{PGTY_INTERVAL, "interval", "interval"},
	{PGTY_NUMERIC, "numeric", "numeric"},
};

const char *pgty_name(uint32_t oid)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].oid == oid)
			return names[i].name;
	return NULL;
}

const char *pgty_format_type(uint32_t oid)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].oid == oid)
			return names[i].format;
	return "unknown";
}

/* ---- results ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void pgty_text(Buf *out, const stele_column *c, uint32_t i)
{
	Datum d = {.type = (uint8_t)c->type};
	switch (c->type) {
	case STELE_TYPE_VARCHAR:
		d.v.s = (SqlStr){c->v.str[i].ptr, c->v.str[i].len};
		break;
	case STELE_TYPE_TIMESTAMP:
		d.v.i = floor_div(c->v.i64[i], NS_PER_US) * NS_PER_US;
		break;
	case STELE_TYPE_INTERVAL:
		d.v.i = c->v.i64[i] / NS_PER_US * NS_PER_US;
		break;
	default:
		d.v.u = c->v.u64[i];
	}
	sqltext_datum(out, &d);
	if (c->type == STELE_TYPE_TIMESTAMP)
		buf_put(out, "+00", 3);
}

/* numeric_send of an unsigned integer: base-10000 digits, most
 * significant first, trailing zero digits dropped (weight keeps them). */
static void put_numeric_u64(Buf *out, uint64_t v)
{
	int16_t d[5];
	int n = 0;
	while (v) {
		d[n++] = (int16_t)(v % 10000);
		v /= 10000;
	}
	int weight = n - 1, lo = 0;
	while (lo < n && d[lo] == 0)
		lo++;
	int nd = n - lo;
	pgp_put_i32(out, 8 + 2 * nd);
	pgp_put_i16(out, (int16_t)nd);
	pgp_put_i16(out, (int16_t)(n ? weight : 0));
	pgp_put_i16(out, 0);   /* sign: positive */
	pgp_put_i16(out, 0);   /* dscale */
	for (int k = n - 1; k >= lo; k--)
		pgp_put_i16(out, d[k]);
}

void pgty_binary(Buf *out, const stele_column *c, uint32_t i)
{
	switch (c->type) {
	case STELE_TYPE_DOUBLE: {
		uint64_t bits;
		memcpy(&bits, &c->v.f64[i], 8);
		pgp_put_i32(out, 8);
		pgp_put_i64(out, (int64_t)bits);
		return;
	}
	case STELE_TYPE_BIGINT:
		pgp_put_i32(out, 8);
		pgp_put_i64(out, c->v.i64[i]);
		return;
	case STELE_TYPE_UBIGINT:
		put_numeric_u64(out, c->v.u64[i]);
		return;
	case STELE_TYPE_BOOLEAN:
		pgp_put_i32(out, 1);
		buf_put_u8(out, c->v.i64[i] ? 1 : 0);
		return;
	case STELE_TYPE_TIMESTAMP:
		pgp_put_i32(out, 8);
		pgp_put_i64(out, floor_div(c->v.i64[i], NS_PER_US) - PGTY_EPOCH_US);
		return;
	case STELE_TYPE_INTERVAL: {
		int64_t us = c->v.i64[i] / NS_PER_US;
		pgp_put_i32(out, 16);
		pgp_put_i64(out, us % US_PER_DAY);
		pgp_put_i32(out, (int32_t)(us / US_PER_DAY));
		pgp_put_i32(out, 0);
		return;
	}
	case STELE_TYPE_VARCHAR:
		pgp_put_i32(out, (int32_t)c->v.str[i].len);
		buf_put(out, c->v.str[i].ptr, c->v.str[i].len);
		return;
	default:
		pgp_put_i32(out, 0);
		return;
	}
}

/* ---- parameters ---- */

stele_type pgty_param_type(uint32_t oid)
{
	switch (oid) {
	case PGTY_BOOL:
		return STELE_TYPE_BOOLEAN;
	case PGTY_INT2:
	case PGTY_INT4:
	case PGTY_INT8:
		return STELE_TYPE_BIGINT;
	case PGTY_FLOAT4:
	case PGTY_FLOAT8:
		return STELE_TYPE_DOUBLE;
	case PGTY_TIMESTAMP:
	case PGTY_TIMESTAMPTZ:
		return STELE_TYPE_TIMESTAMP;
	case PGTY_INTERVAL:
		return STELE_TYPE_INTERVAL;
	default:
		return STELE_TYPE_NONE;
	}
}

/* Whether s[0..n) is valid UTF-8 without NUL bytes (PostgreSQL's text
 * input refuses both). */
static bool utf8_ok(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t k;
		uint32_t cp;
		if ((c & 0xe0) == 0xc0)
			k = 1, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			k = 2, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			k = 3, cp = c & 0x07;
		else
			return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
		if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

static int bad_binary(uint32_t oid, StErr *err)
{
	const char *n = pgty_name(oid);
	return failf(err, STELE_EINVAL, "incorrect binary data format for type %s",
	             n ? n : "unknown");
}

/* numeric_recv into decimal text (get_str_from_var's output). */
static int numeric_text(const uint8_t *v, int32_t len, Arena *scratch, stele_param *out,
                        StErr *err)
{
	if (len < 8)
		return bad_binary(PGTY_NUMERIC, err);
	int ndigits = (int16_t)pgp_get_u16(v);
	int weight = (int16_t)pgp_get_u16(v + 2);
	uint16_t sign = pgp_get_u16(v + 4);
	int dscale = (int16_t)pgp_get_u16(v + 6);
	if (ndigits < 0 || dscale < 0 || dscale > 1000 || ndigits > 1000 ||
	    len != 8 + 2 * ndigits || weight < -1000 || weight > 1000)
		return bad_binary(PGTY_NUMERIC, err);
	const char *special = sign == 0xC000 ? "NaN" : sign == 0xD000 ? "Infinity"
	                    : sign == 0xF000 ? "-Infinity" : NULL;
	if (!special && sign != 0 && sign != 0x4000)
		return bad_binary(PGTY_NUMERIC, err);
	size_t cap = 16 + (size_t)(weight > 0 ? weight + 1 : 1) * 4 + (size_t)dscale + 4;
	char *s = arena_alloc(scratch, cap);
	if (!s)
		return failf(err, STELE_ENOMEM, "out of memory");
	size_t n = 0;
	if (special) {
		n = (size_t)snprintf(s, cap, "%s", special);
	} else {
		if (sign == 0x4000)
			s[n++] = '-';
		/* Integer part: digit groups 0..weight. */
		if (weight < 0) {
			s[n++] = '0';
		} else {
			for (int g = 0; g <= weight; g++) {
				int d = g < ndigits ? (int16_t)pgp_get_u16(v + 8 + 2 * g) : 0;
				if (d < 0 || d > 9999)
					return bad_binary(PGTY_NUMERIC, err);
				n += (size_t)snprintf(s + n, cap - n, g == 0 ? "%d" : "%04d", d);
			}
		}
		if (dscale > 0) {
			s[n++] = '.';
			for (int k = 0; k < dscale; k++) {
				/* Decimal digit k after the point lives in group
				 * weight + 1 + k / 4. */
				int g = weight + 1 + k / 4;
				int d = g >= 0 && g < ndigits ? (int16_t)pgp_get_u16(v + 8 + 2 * g) : 0;
				if (d < 0 || d > 9999)
					return bad_binary(PGTY_NUMERIC, err);
				static const int div[] = {1000, 100, 10, 1};
				s[n++] = (char)('0' + d / div[k % 4] % 10);
			}
		}
	}
	out->type = STELE_TYPE_NONE;
	out->v.str = (stele_str){s, (uint32_t)n};
	return STELE_OK;
}

static int text_param(uint32_t oid, const uint8_t *v, int32_t len, stele_param *out,
                      StErr *err)
{
	const char *s = (const char *)v;
	size_t n = (size_t)len;
	if (!utf8_ok(v, n))
		return failf(err, STELE_EINVAL, "invalid byte sequence for encoding \"UTF8\"");
	bool b;
	switch (pgty_param_type(oid)) {
	case STELE_TYPE_BIGINT:
		out->type = STELE_TYPE_BIGINT;
		return sqlfmt_parse_bigint(s, n, &out->v.i64, err);
	case STELE_TYPE_DOUBLE:
		out->type = STELE_TYPE_DOUBLE;
		return sqlfmt_parse_double(s, n, &out->v.f64, err);
	case STELE_TYPE_BOOLEAN:
		out->type = STELE_TYPE_BOOLEAN;
		if (sqlfmt_parse_bool(s, n, &b, err))
			return STELE_EINVAL;
		out->v.i64 = b;
		return STELE_OK;
	case STELE_TYPE_TIMESTAMP:
		out->type = STELE_TYPE_TIMESTAMP;
		return sqlfmt_parse_timestamp(s, n, &out->v.i64, err);
	case STELE_TYPE_INTERVAL:
		out->type = STELE_TYPE_INTERVAL;
		return sqlfmt_parse_interval(s, n, &out->v.i64, err);
	default:
		out->type = STELE_TYPE_NONE;
		out->v.str = (stele_str){s, (uint32_t)n};
		return STELE_OK;
	}
}

/* Microseconds since 2000 (and days) as nanoseconds since 1970. */
static int us_to_ns(int64_t us, int64_t days, bool since_2000, int64_t *out)
{
	int64_t t;
	if (__builtin_mul_overflow(days, US_PER_DAY, &t) || __builtin_add_overflow(us, t, &t))
		return -1;
	if (since_2000 && __builtin_add_overflow(t, PGTY_EPOCH_US, &t))
		return -1;
	return __builtin_mul_overflow(t, NS_PER_US, out) ? -1 : 0;
}

int pgty_param(uint32_t oid, int16_t format, const uint8_t *v, int32_t len, Arena *scratch,
               stele_param *out, StErr *err)
{
	memset(out, 0, sizeof *out);
	if (len > 0 && (uint32_t)len > UINT32_MAX / 2)
		return failf(err, STELE_EINVAL, "parameter is too long");
	if (format == 0)
		return text_param(oid, v, len, out, err);
	switch (oid) {
	case PGTY_BOOL:
		if (len != 1)
			return bad_binary(oid, err);
		out->type = STELE_TYPE_BOOLEAN;
		out->v.i64 = v[0] != 0;
		return STELE_OK;
	case PGTY_INT2:
		if (len != 2)
			return bad_binary(oid, err);
		out->type = STELE_TYPE_BIGINT;
		out->v.i64 = (int16_t)pgp_get_u16(v);
		return STELE_OK;
	case PGTY_INT4:
	case PGTY_OID:
		if (len != 4)
			return bad_binary(oid, err);
		out->type = STELE_TYPE_BIGINT;
		out->v.i64 = oid == PGTY_OID ? (int64_t)pgp_get_u32(v) : (int32_t)pgp_get_u32(v);
		return STELE_OK;
	case PGTY_INT8:
		if (len != 8)
			return bad_binary(oid, err);
		out->type = STELE_TYPE_BIGINT;
		out->v.i64 = (int64_t)pgp_get_u64(v);
		return STELE_OK;
	case PGTY_FLOAT4: {
		if (len != 4)
			return bad_binary(oid, err);
		uint32_t bits = pgp_get_u32(v);
		float f;
		memcpy(&f, &bits, 4);
		out->type = STELE_TYPE_DOUBLE;
		out->v.f64 = f;
		return STELE_OK;
	}
	case PGTY_FLOAT8: {
		if (len != 8)
			return bad_binary(oid, err);
		uint64_t bits = pgp_get_u64(v);
		memcpy(&out->v.f64, &bits, 8);
		out->type = STELE_TYPE_DOUBLE;
		return STELE_OK;
	}
	case PGTY_TIMESTAMP:
	case PGTY_TIMESTAMPTZ:
		if (len != 8)
			return bad_binary(oid, err);
		out->type = STELE_TYPE_TIMESTAMP;
		if (us_to_ns((int64_t)pgp_get_u64(v), 0, true, &out->v.i64))
			return failf(err, STELE_EINVAL, "timestamp out of range");
		return STELE_OK;
	case PGTY_INTERVAL: {
		if (len != 16)
			return bad_binary(oid, err);
		int32_t days = (int32_t)pgp_get_u32(v + 8), months = (int32_t)pgp_get_u32(v + 12);
		if (months != 0)
			return failf(err, STELE_EINVAL,
			             "interval with months is not supported: Stele intervals have a fixed "
			             "length (months and years vary)");
		out->type = STELE_TYPE_INTERVAL;
		if (us_to_ns((int64_t)pgp_get_u64(v), days, false, &out->v.i64))
			return failf(err, STELE_EINVAL, "interval out of range");
		return STELE_OK;
	}
	case PGTY_NUMERIC:
		return numeric_text(v, len, scratch, out, err);
	case 0:
	case PGTY_TEXT:
	case PGTY_VARCHAR:
	case PGTY_BPCHAR:
	case PGTY_NAME:
	case PGTY_UNKNOWN:
		/* text_recv: the bytes themselves. */
		if (!utf8_ok(v, (size_t)len))
			return failf(err, STELE_EINVAL, "invalid byte sequence for encoding \"UTF8\"");
		out->type = STELE_TYPE_NONE;
		out->v.str = (stele_str){(const char *)v, (uint32_t)len};
		return STELE_OK;
	default:
		return failf(err, STELE_EINVAL, "binary format for parameters of type %u is not supported",
		             oid);
	}
}
