/*
 * testutil.h - helpers shared by the cmocka unit tests: temporary
 * directories and a deterministic random generator.
 */
#ifndef STELE_TESTUTIL_H
#define STELE_TESTUTIL_H

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "util/io.h"

/* Makes a fresh empty directory under $STELE_TEST_TMP (or /tmp) and writes
 * its path into out. */
static inline void tu_tmpdir(char *out, size_t n, const char *name)
{
	const char *base = getenv("STELE_TEST_TMP");
	if (!base)
		base = "/tmp";
	mkdir(base, 0755);
	snprintf(out, n, "%s/%s-XXXXXX", base, name);
	assert_non_null(mkdtemp(out));
}

static inline void tu_rmtree(const char *path)
{
	assert_int_equal(io_remove_tree(path, NULL), 0);
}

/* xorshift64*: a small deterministic generator for property tests. */
typedef struct TuRng {
	uint64_t s;
} TuRng;

static inline uint64_t tu_rand(TuRng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 2685821657736338717ULL;
}

/* Uniform in [0, n). */
static inline uint64_t tu_below(TuRng *r, uint64_t n) { return n ? tu_rand(r) % n : 0; }

#endif
