/* test_util.c - unit tests for src/util: buffers, varints, hash map, string
 * dictionary, CRC-32C, time parsing and the I/O layer's fault hook. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/crc32c.h"
#include "util/hmap.h"
#include "util/strdict.h"
#include "util/timeutil.h"

static void test_varint_roundtrip(void **state)
{
	static const uint64_t vals[] = {0, 1, 127, 128, 255, 300, 16383, 16384,
	                                UINT32_MAX, (uint64_t)1 << 63, UINT64_MAX};
	Buf b = {0};
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		buf_put_varint(&b, vals[i]);
		buf_put_svarint(&b, (int64_t)vals[i]);
	}
	assert_int_equal(buf_check(&b, NULL, "x"), STELE_OK);
	Rd r = rd_make(b.data, b.len);
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		assert_true(rd_varint(&r) == vals[i]);
		assert_true(rd_svarint(&r) == (int64_t)vals[i]);
	}
	assert_false(r.bad);
	assert_int_equal(rd_left(&r), 0);
	/* Reading on sets bad and yields zero. */
	assert_int_equal(rd_varint(&r), 0);
	assert_true(r.bad);
	buf_free(&b);
}

static void test_varint_malformed(void **state)
{
	/* Eleven continuation bytes: longer than any uint64. */
	uint8_t over[11];
	memset(over, 0xff, sizeof over);
	Rd r = rd_make(over, sizeof over);
	assert_int_equal(rd_varint(&r), 0);
	assert_true(r.bad);
	/* A tenth byte above 1 overflows 64 bits. */
	uint8_t big[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
	r = rd_make(big, sizeof big);
	rd_varint(&r);
	assert_true(r.bad);
	/* Truncated. */
	uint8_t cut[2] = {0x80, 0x80};
	r = rd_make(cut, sizeof cut);
	rd_varint(&r);
	assert_true(r.bad);
}

static void test_buf_limit(void **state)
{
	Buf b = {.max = 100};
	char x[60] = {0};
	buf_put(&b, x, 60);
	assert_int_equal(b.len, 60);
	buf_put(&b, x, 60);
	assert_int_equal(b.failed, BUF_TOOBIG);
	stele_err err;
	assert_int_equal(buf_check(&b, &err, "the body"), STELE_ELIMIT);
	assert_string_equal(err.msg, "the body is larger than the limit of 100 bytes");
	buf_free(&b);
}

static void test_rd_str(void **state)
{
	Buf b = {0};
	buf_put_str(&b, "hello", 5);
	Rd r = rd_make(b.data, b.len);
	size_t n;
	const char *s = rd_str(&r, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(s, "hello", 5);
	/* A length that runs past the end. */
	r = rd_make(b.data, b.len - 1);
	assert_null(rd_str(&r, &n));
	assert_true(r.bad);
	buf_free(&b);
}

static void test_hmap_collisions(void **state)
{
	HMap m = {0};
	/* 10,000 values under 100 hashes, so every lookup walks collisions. */
	for (uint32_t v = 0; v < 10000; v++)
		assert_int_equal(hmap_put(&m, v % 100 + 1, v), STELE_OK);
	assert_int_equal(m.n, 10000);
	for (uint64_t h = 0; h < 100; h++) {
		uint64_t sum = 0, count = 0;
		for (size_t i = hmap_find(&m, h + 1); i != HMAP_END; i = hmap_next(&m, h + 1, i)) {
			assert_int_equal(m.vals[i] % 100, h);
			sum += m.vals[i];
			count++;
		}
		assert_int_equal(count, 100);
		assert_int_equal(sum, 100 * h + 100 * 99 / 2 * 100);
	}
	assert_int_equal(hmap_find(&m, 1000), HMAP_END);
	/* Hash 0 is stored as 1: a lookup of 0 finds the entries of 1 too,
	 * which is why callers compare keys. */
	assert_int_not_equal(hmap_find(&m, 0), HMAP_END);
	hmap_free(&m);
}

static void test_strdict(void **state)
{
	StrDict d = {0};
	char s[32];
	for (uint32_t i = 0; i < 5000; i++) {
		snprintf(s, sizeof s, "host_%u", i);
		uint32_t id;
		assert_int_equal(strdict_intern(&d, s, strlen(s), &id), STELE_OK);
		assert_int_equal(id, i);
	}
	uint32_t id;
	assert_int_equal(strdict_intern(&d, "host_42", 7, &id), STELE_OK);
	assert_int_equal(id, 42);
	assert_int_equal(strdict_find(&d, "host_4999", 9), 4999);
	assert_int_equal(strdict_find(&d, "host_5000", 9), UINT32_MAX);
	/* The empty string is a string like any other. */
	assert_int_equal(strdict_intern(&d, "", 0, &id), STELE_OK);
	assert_int_equal(id, 5000);
	size_t n;
	const char *p = strdict_str(&d, 1234, &n);
	assert_int_equal(n, 9);
	assert_memory_equal(p, "host_1234", 9);
	strdict_free(&d);
}

static void test_crc32c(void **state)
{
	assert_int_equal(crc32c("123456789", 9), 0xe3069283u);
	assert_int_equal(crc32c("", 0), 0);
	uint32_t c = crc32c("1234", 4);
	assert_int_equal(crc32c_extend(c, "56789", 5), 0xe3069283u);
}

static void test_time_parse(void **state)
{
	int64_t ns;
	stele_err err;
	assert_int_equal(time_parse("2016-01-01T00:00:00Z", &ns, &err), STELE_OK);
	assert_true(ns == 1451606400LL * NS_PER_S);
	assert_int_equal(time_parse("2016-01-01T00:00:10.5Z", &ns, &err), STELE_OK);
	assert_true(ns == 1451606410LL * NS_PER_S + 500000000);
	assert_int_equal(time_parse("2016-01-01T02:00:00+02:00", &ns, &err), STELE_OK);
	assert_true(ns == 1451606400LL * NS_PER_S);
	assert_int_equal(time_parse("2016-01-01", &ns, &err), STELE_OK);
	assert_true(ns == 1451606400LL * NS_PER_S);
	assert_int_equal(time_parse("1969-12-31T23:59:59.999999999Z", &ns, &err), STELE_OK);
	assert_true(ns == -1);
	assert_int_equal(time_parse("-42", &ns, &err), STELE_OK);
	assert_true(ns == -42);
	assert_int_equal(time_parse("2016-13-01T00:00:00Z", &ns, &err), STELE_EINVAL);
	assert_int_equal(time_parse("yesterday", &ns, &err), STELE_EINVAL);
	assert_string_equal(err.msg, "invalid timestamp \"yesterday\": expected RFC 3339 "
	                             "(2016-01-01T00:00:00Z) or integer nanoseconds");
	assert_int_equal(time_parse("99999999999999999999", &ns, &err), STELE_EINVAL);

	char out[48];
	assert_string_equal(time_format(1451606410LL * NS_PER_S + 500000000, out, sizeof out),
	                    "2016-01-01T00:00:10.5Z");
	assert_string_equal(time_format(-1, out, sizeof out), "1969-12-31T23:59:59.999999999Z");
	assert_string_equal(time_format(0, out, sizeof out), "1970-01-01T00:00:00Z");
}

static void test_time_duration(void **state)
{
	int64_t ns;
	assert_int_equal(time_parse_duration("30d", &ns, NULL), STELE_OK);
	assert_true(ns == 30 * NS_PER_DAY);
	assert_int_equal(time_parse_duration("100ms", &ns, NULL), STELE_OK);
	assert_true(ns == 100 * NS_PER_MS);
	assert_int_equal(time_parse_duration("0", &ns, NULL), STELE_OK);
	assert_true(ns == 0);
	assert_int_equal(time_parse_duration("5 parsecs", &ns, NULL), STELE_EINVAL);
	assert_int_equal(time_parse_duration("99999999999w", &ns, NULL), STELE_EINVAL);
	assert_int_equal(time_parse_duration("-1s", &ns, NULL), STELE_EINVAL);
}

static void test_arena(void **state)
{
	Arena a = {.block_size = 128};
	char *p = arena_alloc(&a, 100);
	char *q = arena_alloc(&a, 100); /* a second block */
	char *r = arena_alloc(&a, 1000); /* bigger than a block */
	assert_non_null(p);
	assert_non_null(q);
	assert_non_null(r);
	memset(p, 1, 100);
	memset(q, 2, 100);
	memset(r, 3, 1000);
	assert_int_equal(((uintptr_t)q) % 8, 0);
	assert_int_equal(p[99], 1);
	arena_reset(&a);
	assert_int_equal(a.used, 0);
	assert_non_null(arena_dup(&a, "abc", 4));
	arena_free(&a);
}

static int fail_fsync(IoOp op, const char *path, void *ctx)
{
	return op == IO_FSYNC ? EIO : 0;
}

static void test_io_fault_hook(void **state)
{
	char dir[PATH_MAX];
	tu_tmpdir(dir, sizeof dir, "io");
	stele_err err;
	assert_int_equal(io_write_file_atomic(dir, "f", "abc", 3, NULL, &err), STELE_OK);
	uint8_t *data;
	size_t len;
	char path[PATH_MAX + 8];
	snprintf(path, sizeof path, "%s/f", dir);
	assert_int_equal(io_read_file(path, &data, &len, 100, &err), STELE_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "abc", 3);
	free(data);

	io_set_fault_hook(fail_fsync, NULL);
	assert_int_equal(io_write_file_atomic(dir, "f", "xyz", 3, NULL, &err), STELE_EIO);
	io_set_fault_hook(NULL, NULL);
	assert_non_null(strstr(err.msg, "could not fsync"));
	/* The old contents survive a failed atomic write. */
	assert_int_equal(io_read_file(path, &data, &len, 100, &err), STELE_OK);
	assert_memory_equal(data, "abc", 3);
	free(data);
	assert_int_equal(io_read_file(path, &data, &len, 2, &err), STELE_ECORRUPT);
	tu_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint_roundtrip), cmocka_unit_test(test_varint_malformed),
		cmocka_unit_test(test_buf_limit),        cmocka_unit_test(test_rd_str),
		cmocka_unit_test(test_hmap_collisions),  cmocka_unit_test(test_strdict),
		cmocka_unit_test(test_crc32c),           cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_time_duration),    cmocka_unit_test(test_arena),
		cmocka_unit_test(test_io_fault_hook),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
