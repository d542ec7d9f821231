/*
 * test_lp.c - the line-protocol parser and writers: every type and its
 * limits, every escape in every position, every error with its message,
 * line and column, canonical series keys, and round trips of random names
 * and doubles through the writers and back.
 */
#include "testutil.h"

#include <float.h>
#include <math.h>

#include "ingest/lp.h"

static LpBatch B;

static int setup(void **state)
{
	lp_batch_init(&B);
	return 0;
}

static int teardown(void **state)
{
	lp_batch_free(&B);
	return 0;
}

/* Parses text into B (reset first) with nanosecond precision, now = 42. */
static void parse_opts(const char *text, stele_precision prec, uint32_t max_line)
{
	lp_batch_reset(&B);
	LpOptions o = {.precision = prec, .now_ns = 42, .first_line = 1, .max_line = max_line};
	stele_err err;
	assert_int_equal(lp_parse(&B, text, strlen(text), &o, &err), STELE_OK);
}

static void parse(const char *text)
{
	parse_opts(text, STELE_PRECISION_NS, 0);
}

static bool str_is(LpStr s, const char *want)
{
	return s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

#define assert_str(s, want)                                                                \
	do {                                                                               \
		LpStr s_ = (s);                                                            \
		if (!str_is(s_, (want)))                                                   \
			fail_msg("got \"%.*s\", want \"%s\"", (int)s_.n, s_.p, (want));    \
	} while (0)

static const LpField *field(uint32_t line, uint32_t i)
{
	assert_true(line < B.nlines);
	assert_true(i < B.lines[line].nfields);
	return &B.fields[B.lines[line].field0 + i];
}

static const LpTag *tag(uint32_t line, uint32_t i)
{
	assert_true(i < B.lines[line].ntags);
	return &B.tags[B.lines[line].tag0 + i];
}

/* Parses one bad line and checks its single error. */
static void bad(const char *text, uint32_t column, const char *msg)
{
	parse(text);
	if (B.nlines != 0 || B.nrejected != 1 || B.nerrors != 1)
		fail_msg("\"%s\": %u lines, %llu rejected", text, B.nlines,
		         (unsigned long long)B.nrejected);
	if (strcmp(B.errors[0].msg, msg) != 0)
		fail_msg("\"%s\": message \"%s\", want \"%s\"", text, B.errors[0].msg, msg);
	if (B.errors[0].column != column)
		fail_msg("\"%s\": column %u, want %u", text, B.errors[0].column, column);
	assert_int_equal(B.errors[0].line, 1);
	assert_int_equal(B.errors[0].code, STELE_EPARSE);
}

static void test_basic_line(void **state)
{
	parse("cpu,host=a,region=eu usage=1.5,count=3i,up=t,name=\"x y\",big=7u 1000\n");
	assert_int_equal(B.nlines, 1);
	assert_int_equal(B.nrejected, 0);
	const LpLine *l = &B.lines[0];
	assert_str(l->measurement, "cpu");
	assert_str(l->series, "cpu,host=a,region=eu");
	assert_int_equal(l->ntags, 2);
	assert_str(tag(0, 0)->key, "host");
	assert_str(tag(0, 0)->val, "a");
	assert_str(tag(0, 1)->key, "region");
	assert_str(tag(0, 1)->val, "eu");
	assert_int_equal(l->nfields, 5);
	assert_str(field(0, 0)->key, "usage");
	assert_int_equal(field(0, 0)->type, STELE_TYPE_DOUBLE);
	assert_true(field(0, 0)->v.f == 1.5);
	assert_int_equal(field(0, 1)->type, STELE_TYPE_BIGINT);
	assert_true(field(0, 1)->v.i == 3);
	assert_int_equal(field(0, 2)->type, STELE_TYPE_BOOLEAN);
	assert_true(field(0, 2)->v.b);
	assert_int_equal(field(0, 3)->type, STELE_TYPE_VARCHAR);
	assert_str(field(0, 3)->v.s, "x y");
	assert_int_equal(field(0, 4)->type, STELE_TYPE_UBIGINT);
	assert_true(field(0, 4)->v.u == 7);
	assert_true(l->ts == 1000);
	assert_int_equal(l->lineno, 1);
	/* No tags, no timestamp: the receipt time. */
	parse("m f=1");
	assert_int_equal(B.nlines, 1);
	assert_str(B.lines[0].series, "m");
	assert_int_equal(B.lines[0].ntags, 0);
	assert_true(B.lines[0].ts == 42);
}

static void test_floats(void **state)
{
	static const struct {
		const char *text;
		double want;
	} cases[] = {
		{"1", 1.0},           {"-1", -1.0},         {"1.5", 1.5},
		{".5", 0.5},          {"5.", 5.0},          {"-.25", -0.25},
		{"1e3", 1000.0},      {"1E3", 1000.0},      {"1e+3", 1000.0},
		{"2.5e-3", 0.0025},   {"0", 0.0},           {"0.1", 0.1},
		{"1.7976931348623157e308", DBL_MAX},        {"4.9406564584124654e-324", 5e-324},
		{"2.2250738585072014e-308", DBL_MIN},       {"1e-400", 0.0},
		{"123456789012345678901234567890", 1.2345678901234568e29},
		{"0.30000000000000004", 0.30000000000000004},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char line[128];
		snprintf(line, sizeof line, "m f=%s 1", cases[i].text);
		parse(line);
		if (B.nlines != 1)
			fail_msg("%s: rejected: %s", cases[i].text, B.errors[0].msg);
		assert_int_equal(field(0, 0)->type, STELE_TYPE_DOUBLE);
		if (memcmp(&field(0, 0)->v.f, &cases[i].want, 8) != 0)
			fail_msg("%s: got %.17g", cases[i].text, field(0, 0)->v.f);
	}
	/* -0 keeps its sign. */
	parse("m f=-0 1");
	assert_true(signbit(field(0, 0)->v.f) && field(0, 0)->v.f == 0.0);
	parse("m f=-0.0e5 1");
	assert_true(signbit(field(0, 0)->v.f));
}

static void test_integers_and_booleans(void **state)
{
	parse("m a=0i,b=-1i,c=9223372036854775807i,d=-9223372036854775808i,"
	      "e=0u,f=18446744073709551615u 1");
	assert_int_equal(B.nlines, 1);
	assert_true(field(0, 0)->v.i == 0);
	assert_true(field(0, 1)->v.i == -1);
	assert_true(field(0, 2)->v.i == INT64_MAX);
	assert_true(field(0, 3)->v.i == INT64_MIN);
	assert_int_equal(field(0, 4)->type, STELE_TYPE_UBIGINT);
	assert_true(field(0, 4)->v.u == 0);
	assert_true(field(0, 5)->v.u == UINT64_MAX);
	static const char *const yes[] = {"t", "T", "true", "True", "TRUE"};
	static const char *const no[] = {"f", "F", "false", "False", "FALSE"};
	for (int i = 0; i < 5; i++) {
		char line[64];
		snprintf(line, sizeof line, "m b=%s 1", yes[i]);
		parse(line);
		assert_int_equal(field(0, 0)->type, STELE_TYPE_BOOLEAN);
		assert_true(field(0, 0)->v.b);
		snprintf(line, sizeof line, "m b=%s 1", no[i]);
		parse(line);
		assert_int_equal(field(0, 0)->type, STELE_TYPE_BOOLEAN);
		assert_false(field(0, 0)->v.b);
	}
}

static void test_value_errors(void **state)
{
	bad("m f=12x9i 1", 5, "invalid integer \"12x9i\"");
	bad("m f=i 1", 5, "invalid field value \"i\"");
	bad("m f=9223372036854775808i 1", 5, "integer 9223372036854775808i is out of range");
	bad("m f=-9223372036854775809i 1", 5, "integer -9223372036854775809i is out of range");
	bad("m f=-1u 1", 5, "invalid unsigned integer \"-1u\"");
	bad("m f=18446744073709551616u 1", 5,
	    "unsigned integer 18446744073709551616u is out of range");
	bad("m f=inf 1", 5, "invalid float \"inf\": not a finite number");
	bad("m f=-Infinity 1", 5, "invalid float \"-Infinity\": not a finite number");
	bad("m f=NaN 1", 5, "invalid float \"NaN\": not a finite number");
	bad("m f=1e400 1", 5, "float 1e400 is out of range");
	bad("m f=1.2.3 1", 5, "invalid float \"1.2.3\"");
	bad("m f=+1 1", 5, "invalid float \"+1\"");
	bad("m f=1e 1", 5, "invalid float \"1e\"");
	bad("m f=yes 1", 5, "invalid field value \"yes\"");
	bad("m f=\"abc 1", 5, "unterminated string");
	bad("m f=\"a\"x 1", 8, "unexpected text after string value");
	bad("m f= 1", 5, "missing value for field key \"f\"");
	bad("m f=1i,f=2 1", 8, "conflicting types for field key \"f\"");
}

static void test_structure_errors(void **state)
{
	bad("m", 2, "missing field set");
	bad("m ", 3, "missing field set");
	bad("m,t=a", 6, "missing field set");
	bad("m,t=a ", 7, "missing field set");
	bad(",t=a f=1 1", 1, "missing measurement");
	bad("m,=a f=1 1", 3, "missing tag key");
	bad("m,t f=1 1", 4, "missing \"=\" after tag key \"t\"");
	bad("m,t= f=1 1", 5, "missing value for tag key \"t\"");
	bad("m,t=a,t=b f=1 1", 7, "duplicate tag key \"t\"");
	bad("m,u=a,t=b,u=c f=1 1", 11, "duplicate tag key \"u\"");
	bad("m =1 1", 3, "missing field key");
	bad("m f 1", 4, "missing \"=\" after field key \"f\"");
	bad("m f=1 abc", 7, "invalid timestamp \"abc\"");
	bad("m f=1 12a", 7, "invalid timestamp \"12a\"");
	bad("m f=1 99999999999999999999", 7, "timestamp 99999999999999999999 is out of range");
	bad("m f=1 1 2", 9, "unexpected text after timestamp");
}

static void test_escapes_in_every_position(void **state)
{
	/* Measurement: comma and space escaped; '=' as it is. */
	parse("c\\,p\\ u=x f=1 1");
	assert_int_equal(B.nlines, 1);
	assert_str(B.lines[0].measurement, "c,p u=x");
	assert_str(B.lines[0].series, "c\\,p\\ u=x");
	/* Tag keys and values: comma, equals, space. */
	parse("m,ho\\ st\\=x=a\\=b\\,c\\ d f=1 1");
	assert_str(tag(0, 0)->key, "ho st=x");
	assert_str(tag(0, 0)->val, "a=b,c d");
	assert_str(B.lines[0].series, "m,ho\\ st\\=x=a\\=b\\,c\\ d");
	/* Field keys. */
	parse("m us\\=a\\,g\\ e=1 1");
	assert_str(field(0, 0)->key, "us=a,g e");
	/* A backslash before anything else is itself; "\\" is one backslash. */
	parse("m\\x,t=a\\b,k\\\\=v\\\\ f\\y=1 1");
	assert_int_equal(B.nlines, 1);
	assert_str(B.lines[0].measurement, "m\\x");
	assert_str(tag(0, 0)->key, "k\\");
	assert_str(tag(0, 0)->val, "v\\");
	assert_str(tag(0, 1)->key, "t");
	assert_str(tag(0, 1)->val, "a\\b");
	assert_str(field(0, 0)->key, "f\\y");
	assert_str(B.lines[0].series, "m\\\\x,k\\\\=v\\\\,t=a\\\\b");
	/* String values: \" and \\; other backslashes as they are. */
	parse("m s=\"a \\\"q\\\" \\\\ b\\n c, d=e\" 1");
	assert_int_equal(B.nlines, 1);
	assert_str(field(0, 0)->v.s, "a \"q\" \\ b\\n c, d=e");
	parse("m s=\"\" 1");
	assert_str(field(0, 0)->v.s, "");
	/* An unescaped '=' in a tag value is part of it. */
	parse("m,t=a=b f=1 1");
	assert_str(tag(0, 0)->val, "a=b");
	assert_str(B.lines[0].series, "m,t=a\\=b");
}

static void test_canonical_series_keys(void **state)
{
	/* Already canonical: the key is the input itself. */
	const char *in = "cpu,a=1,b=2 f=1 1";
	parse(in);
	assert_ptr_equal(B.lines[0].series.p, in);
	assert_str(B.lines[0].series, "cpu,a=1,b=2");
	/* The same series spelled differently gives the same key. */
	const char *spellings[] = {"cpu,b=2,a=1 f=1 1", "cpu,a=1,b=2 g=1 2", "cpu,b=2,a=1 f=2"};
	for (int i = 0; i < 3; i++) {
		parse(spellings[i]);
		assert_str(B.lines[0].series, "cpu,a=1,b=2");
	}
	parse("cpu,z=1,a\\,b=x\\ y,m=\\= f=1 1");
	assert_str(B.lines[0].series, "cpu,a\\,b=x\\ y,m=\\=,z=1");
	assert_str(tag(0, 0)->key, "a,b");
	/* Sorting is bytewise, shorter first. */
	parse("m,ab=1,a=2,B=3 f=1 1");
	assert_str(B.lines[0].series, "m,B=3,a=2,ab=1");
}

static void test_repeated_series_lines(void **state)
{
	/* Consecutive lines of one series share its parsed tags and key; a
	 * change anywhere in the tag set, a bad line, or a longer tag set
	 * starting the same must not be mistaken for a repeat. */
	parse("m,z=1,a=2 f=1 1\n"
	      "m,z=1,a=2 f=2,g=3i 2\n"
	      "m,z=1,a=2x f=3 3\n"
	      "m,z=1,a=2,b=4 f=4 4\n"
	      "m,z=1,a=2 f=x 5\n"
	      "m,z=1,a=2 f=6 6\n"
	      "m,z=1,a=2 f=7\n");
	assert_int_equal(B.nlines, 6);
	assert_int_equal(B.nrejected, 1);
	assert_int_equal(B.errors[0].line, 5);
	const char *keys[] = {"m,a=2,z=1", "m,a=2,z=1", "m,a=2x,z=1", "m,a=2,b=4,z=1",
	                      "m,a=2,z=1", "m,a=2,z=1"};
	for (uint32_t i = 0; i < 6; i++) {
		assert_str(B.lines[i].series, keys[i]);
		assert_str(B.lines[i].measurement, "m");
		assert_str(tag(i, 0)->key, "a");
		assert_str(tag(i, B.lines[i].ntags - 1)->key, "z");
	}
	assert_int_equal(B.lines[3].ntags, 3);
	assert_str(tag(3, 1)->key, "b");
	assert_str(tag(2, 0)->val, "2x");
	assert_int_equal(B.lines[1].nfields, 2);
	assert_true(field(1, 1)->v.i == 3);
	assert_true(B.lines[4].ts == 6 && field(4, 0)->v.f == 6.0);
	assert_true(B.lines[5].ts == 42);
	/* Rounds of many series (time-major order), more than the parser
	 * remembers at once: each line still gets exactly its own tags. */
	Buf t = {0};
	for (int round = 0; round < 3; round++)
		for (int s = 0; s < 700; s++) {
			char line[96];
			snprintf(line, sizeof line, "m,zone=z%d,host=h%d v=%di %d\n", s % 7, s, round,
			         round);
			buf_put(&t, line, strlen(line));
		}
	buf_put(&t, "", 1);
	parse((char *)t.data);
	assert_int_equal(B.nlines, 2100);
	for (uint32_t i = 0; i < 2100; i++) {
		char host[16], zone[16], key[48];
		snprintf(host, sizeof host, "h%u", i % 700);
		snprintf(zone, sizeof zone, "z%u", i % 700 % 7);
		snprintf(key, sizeof key, "m,host=%s,zone=%s", host, zone);
		assert_str(B.lines[i].series, key);
		assert_int_equal(B.lines[i].ntags, 2);
		assert_str(tag(i, 0)->val, host);
		assert_str(tag(i, 1)->val, zone);
		assert_true(field(i, 0)->v.i == (int64_t)(i / 700));
	}
	buf_free(&t);
	/* Escaped names repeat too. */
	parse("a\\ b,k=v\\,w f=1 1\na\\ b,k=v\\,w f=2 2\n");
	assert_int_equal(B.nlines, 2);
	assert_str(B.lines[1].measurement, "a b");
	assert_str(tag(1, 0)->val, "v,w");
	assert_str(B.lines[1].series, "a\\ b,k=v\\,w");
}

static void test_lines_comments_crlf(void **state)
{
	parse("# a comment\n\n   \n\t# indented comment\nm f=1 1\r\nm f=2i 2\r\n  m f=3 3");
	assert_int_equal(B.nlines, 3);
	assert_int_equal(B.nrejected, 0);
	assert_int_equal(B.lines[0].lineno, 5);
	assert_int_equal(B.lines[1].lineno, 6);
	assert_int_equal(B.lines[2].lineno, 7);
	assert_int_equal(field(1, 0)->type, STELE_TYPE_BIGINT);
	assert_true(B.lines[1].ts == 2);
	assert_true(B.lines[2].ts == 3);
	/* A CRLF line without a timestamp: the value does not take the \r. */
	parse("m f=5i\r\nm s=\"x\"\r\n");
	assert_int_equal(B.nlines, 2);
	assert_true(field(0, 0)->v.i == 5);
	assert_str(field(1, 0)->v.s, "x");
	/* A string may hold newlines; the next line's number counts them. */
	parse("m s=\"a\nb\" 1\nm f=1 2\nm f=x 3");
	assert_int_equal(B.nlines, 2);
	assert_str(field(0, 0)->v.s, "a\nb");
	assert_int_equal(B.lines[1].lineno, 3);
	assert_int_equal(B.errors[0].line, 4);
	/* The line's text and length. */
	parse("m f=1 1\nxx f=2 2\n");
	assert_int_equal(B.lines[1].len, 8);
	assert_memory_equal(B.lines[1].text, "xx f=2 2", 8);
}

static void test_precision_and_range(void **state)
{
	parse_opts("m f=1 1700000000", STELE_PRECISION_S, 0);
	assert_true(B.lines[0].ts == 1700000000LL * 1000000000LL);
	parse_opts("m f=1 1700000000123", STELE_PRECISION_MS, 0);
	assert_true(B.lines[0].ts == 1700000000123LL * 1000000LL);
	parse_opts("m f=1 -5", STELE_PRECISION_US, 0);
	assert_true(B.lines[0].ts == -5000);
	parse_opts("m f=1 9223372037", STELE_PRECISION_S, 0);
	assert_int_equal(B.nlines, 0);
	assert_string_equal(B.errors[0].msg, "timestamp 9223372037 is out of range");
	/* The receipt time is cut to the precision, as InfluxDB does. */
	parse_opts("m f=1", STELE_PRECISION_S, 0);
	assert_true(B.lines[0].ts == 0);
	parse_opts("m f=1", STELE_PRECISION_NS, 0);
	assert_true(B.lines[0].ts == 42);
	parse("m f=1 -9223372036854775806");
	assert_int_equal(B.nlines, 1);
	assert_true(B.lines[0].ts == INT64_MIN + 2);
	parse("m f=1 9223372036854775806");
	assert_true(B.lines[0].ts == INT64_MAX - 1);
	bad("m f=1 9223372036854775807", 7, "timestamp 9223372036854775807 is out of range");
	bad("m f=1 -9223372036854775807", 7, "timestamp -9223372036854775807 is out of range");
	assert_true(lp_precision_ns(STELE_PRECISION_MS) == 1000000);
}

static void test_repeated_fields(void **state)
{
	parse("m f=1,g=2,f=3 1");
	assert_int_equal(B.lines[0].nfields, 2);
	assert_str(field(0, 0)->key, "f");
	assert_true(field(0, 0)->v.f == 3.0);
	assert_str(field(0, 1)->key, "g");
	/* Past 64 fields the parser deduplicates another way. */
	Buf t = {0};
	buf_put(&t, "m ", 2);
	for (int i = 0; i < 100; i++) {
		char kv[32];
		snprintf(kv, sizeof kv, "%sk%d=%di", i ? "," : "", i % 70, i);
		buf_put(&t, kv, strlen(kv));
	}
	buf_put(&t, " 1", 3);
	parse((char *)t.data);
	assert_int_equal(B.nlines, 1);
	assert_int_equal(B.lines[0].nfields, 70);
	for (int i = 0; i < 70; i++) {
		char k[8];
		snprintf(k, sizeof k, "k%d", i);
		assert_str(field(0, (uint32_t)i)->key, k);
		assert_true(field(0, (uint32_t)i)->v.i == (i < 30 ? i + 70 : i));
	}
	buf_free(&t);
}

static void test_errors_kept_in_line_order(void **state)
{
	Buf t = {0};
	for (int i = 1; i <= 30; i++) {
		const char *line = i % 2 ? "m f=x 1\n" : "m f=1 1\n";
		buf_put(&t, line, strlen(line));
	}
	buf_put(&t, "", 1);
	parse((char *)t.data);
	assert_int_equal(B.nlines, 15);
	assert_int_equal(B.nrejected, 15);
	assert_int_equal(B.nerrors, STELE_LINE_ERRORS_KEPT);
	for (uint32_t i = 0; i < B.nerrors; i++)
		assert_int_equal(B.errors[i].line, 2 * i + 1);
	/* A later rejection goes into line order, pushing out the last. */
	lp_batch_reject(&B, 4, 3, STELE_ETYPE, "type %s", "conflict");
	assert_int_equal(B.nrejected, 16);
	assert_int_equal(B.errors[2].line, 4);
	assert_string_equal(B.errors[2].msg, "type conflict");
	assert_int_equal(B.errors[2].code, STELE_ETYPE);
	assert_int_equal(B.errors[3].line, 5);
	assert_int_equal(B.errors[9].line, 17);
	/* One after the last kept is counted, not kept. */
	lp_batch_reject(&B, 28, 1, STELE_ETYPE, "late");
	assert_int_equal(B.nrejected, 17);
	assert_int_equal(B.errors[9].line, 17);
	buf_free(&t);
	/* The first line's number comes from the options. */
	lp_batch_reset(&B);
	LpOptions o = {.now_ns = 1, .first_line = 1000};
	assert_int_equal(lp_parse(&B, "m f=1 1\nbad\n", 12, &o, NULL), STELE_OK);
	assert_int_equal(B.lines[0].lineno, 1000);
	assert_int_equal(B.errors[0].line, 1001);
}

static void test_line_end(void **state)
{
	const char *t = "m,t=a\\ x s=\"a\nb\",f=1 1\n# c \"\nm f=2\nm s=\"open\n";
	const char *end = t + strlen(t);
	const char *e = lp_line_end(t, end);
	assert_non_null(e);
	assert_int_equal(e - t, 22); /* the newline inside the string is skipped */
	e = lp_line_end(e + 1, end);
	assert_non_null(e); /* a comment ends at its newline, quotes and all */
	assert_memory_equal(e + 1, "m f=2", 5);
	e = lp_line_end(e + 1, end);
	assert_non_null(e);
	assert_null(lp_line_end(e + 1, end)); /* a string still open */
	const char *nonl = "m f=1";
	assert_null(lp_line_end(nonl, nonl + 5)); /* no newline yet */
}

static void test_line_limit(void **state)
{
	parse_opts("m f=1 1\nm f=123456789012345678901234567890 1\nm f=2 2", STELE_PRECISION_NS,
	           20);
	assert_int_equal(B.nlines, 2);
	assert_int_equal(B.nrejected, 1);
	assert_int_equal(B.errors[0].line, 2);
	assert_int_equal(B.errors[0].code, STELE_ELIMIT);
	assert_int_equal(B.errors[0].column, 21);
	assert_string_equal(B.errors[0].msg, "line is longer than the limit of 20 bytes");
	assert_true(B.lines[1].ts == 2);
	/* A line parsed whole but then rejected as too long is not
	 * remembered for the lines that repeat its tags (found by fuzz_lp). */
	parse_opts("m,t=b f=1,g=123456789012345678901 1\nm,z=1 h=1 1\nm,t=b f=2 2\n",
	           STELE_PRECISION_NS, 30);
	assert_int_equal(B.nlines, 2);
	assert_int_equal(B.nrejected, 1);
	assert_str(B.lines[1].series, "m,t=b");
	assert_int_equal(B.lines[1].ntags, 1);
	assert_str(tag(1, 0)->key, "t");
	assert_str(tag(1, 0)->val, "b");
}

/* ---- writers ---- */

static char *put(void (*fn)(Buf *, const char *, size_t), const char *s)
{
	static Buf b;
	buf_reset(&b);
	fn(&b, s, strlen(s));
	buf_put(&b, "", 1);
	return (char *)b.data;
}

static void test_writers_escape(void **state)
{
	assert_string_equal(put(lp_put_measurement, "a,b c=d\\e"), "a\\,b\\ c=d\\\\e");
	assert_string_equal(put(lp_put_tag, "a,b c=d\\e"), "a\\,b\\ c\\=d\\\\e");
	assert_string_equal(put(lp_put_field_key, "a,b c=d\\e"), "a\\,b\\ c\\=d\\\\e");
	assert_string_equal(put(lp_put_string_value, "say \"hi\" \\ ok"),
	                    "\"say \\\"hi\\\" \\\\ ok\"");
	assert_string_equal(put(lp_put_string_value, ""), "\"\"");
}

static const char *dbl(double v)
{
	static Buf b;
	buf_reset(&b);
	lp_put_double(&b, v);
	buf_put(&b, "", 1);
	return (char *)b.data;
}

static void test_put_double_shortest(void **state)
{
	assert_string_equal(dbl(10), "10");
	assert_string_equal(dbl(0.1), "0.1");
	assert_string_equal(dbl(-0.0), "-0");
	assert_string_equal(dbl(1.5), "1.5");
	assert_string_equal(dbl(100), "100");
	assert_string_equal(dbl(1e16), "1e+16");
	assert_string_equal(dbl(1e-5), "1e-05");
	assert_string_equal(dbl(0.001), "0.001");
	assert_string_equal(dbl(123456789012345680.0), "123456789012345680");
	assert_string_equal(dbl(1.2345678901234568e+30), "1.2345678901234568e+30");
	assert_string_equal(dbl(DBL_MAX), "1.7976931348623157e+308");
	assert_string_equal(dbl(5e-324), "5e-324");
	assert_string_equal(dbl(0.30000000000000004), "0.30000000000000004");
}

/* Writes v, parses it back as a field value, and compares bits. */
static void double_round_trip(double v)
{
	char line[80];
	snprintf(line, sizeof line, "m f=%s 1", dbl(v));
	parse(line);
	if (B.nlines != 1)
		fail_msg("%s: rejected: %s", line, B.errors[0].msg);
	if (memcmp(&field(0, 0)->v.f, &v, 8) != 0)
		fail_msg("%.17g wrote \"%s\", read back %.17g", v, dbl(v), field(0, 0)->v.f);
}

static void test_put_double_round_trip(void **state)
{
	static const double special[] = {0.0,     -0.0,     5e-324,  -5e-324, DBL_MIN, -DBL_MIN,
	                                 DBL_MAX, -DBL_MAX, 0.1,     1e300,   1e-300,  10,
	                                 1e16,    1e22,     1e23,    2.5e-5,  1.0 / 3, 9007199254740993.0,
	                                 123456789012345680.0};
	for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
		double_round_trip(special[i]);
	TuRng r = {0x5eed};
	for (int i = 0; i < 20000; i++) {
		uint64_t bits = tu_rand(&r);
		double v;
		memcpy(&v, &bits, 8);
		if (!isfinite(v))
			continue;
		double_round_trip(v);
		/* And decimals of a few digits, as sensors send them. */
		double d = (double)(int64_t)(tu_rand(&r) % 2000001 - 1000000) / 100.0;
		double_round_trip(d);
	}
}

/* A random name drawn from bytes that need escaping and bytes that do not. */
static void rand_name(TuRng *r, char *out, size_t max)
{
	static const char alphabet[] = "ab,= \\\"#\txyz\xc3\xa9";
	size_t n = 1 + tu_below(r, max - 2);
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[tu_below(r, sizeof alphabet - 1)];
	out[n] = '\0';
	/* Names never start with blanks or '#' (a comment) and never end in a
	 * lone backslash: those are not names the parser can give back. */
	if (out[0] == ' ' || out[0] == '\t' || out[0] == '#')
		out[0] = 'q';
}

static void test_property_writers_and_parser_agree(void **state)
{
	TuRng r = {12345};
	for (int iter = 0; iter < 3000; iter++) {
		char meas[16], k1[16], v1[16], k2[16], v2[16], fk[16], sv[24];
		rand_name(&r, meas, sizeof meas);
		rand_name(&r, k1, sizeof k1);
		rand_name(&r, v1, sizeof v1);
		do
			rand_name(&r, k2, sizeof k2);
		while (strcmp(k1, k2) == 0);
		rand_name(&r, v2, sizeof v2);
		rand_name(&r, fk, sizeof fk);
		rand_name(&r, sv, sizeof sv);
		Buf line = {0};
		lp_put_measurement(&line, meas, strlen(meas));
		buf_put_u8(&line, ',');
		lp_put_tag(&line, k1, strlen(k1));
		buf_put_u8(&line, '=');
		lp_put_tag(&line, v1, strlen(v1));
		buf_put_u8(&line, ',');
		lp_put_tag(&line, k2, strlen(k2));
		buf_put_u8(&line, '=');
		lp_put_tag(&line, v2, strlen(v2));
		buf_put_u8(&line, ' ');
		lp_put_field_key(&line, fk, strlen(fk));
		buf_put_u8(&line, '=');
		lp_put_string_value(&line, sv, strlen(sv));
		buf_put(&line, " 7", 3);
		parse((char *)line.data);
		if (B.nlines != 1)
			fail_msg("iteration %d: \"%s\" rejected: %s", iter, (char *)line.data,
			         B.errors[0].msg);
		assert_str(B.lines[0].measurement, meas);
		/* Tags come back sorted by key. */
		bool first = strcmp(k1, k2) < 0;
		assert_str(tag(0, 0)->key, first ? k1 : k2);
		assert_str(tag(0, 0)->val, first ? v1 : v2);
		assert_str(tag(0, 1)->key, first ? k2 : k1);
		assert_str(tag(0, 1)->val, first ? v2 : v1);
		assert_str(field(0, 0)->key, fk);
		assert_str(field(0, 0)->v.s, sv);
		/* The key rebuilt from the parts with the writers is the
		 * parser's canonical key. */
		Buf key = {0};
		lp_put_measurement(&key, meas, strlen(meas));
		for (int t = 0; t < 2; t++) {
			const LpTag *tg = tag(0, (uint32_t)t);
			buf_put_u8(&key, ',');
			lp_put_tag(&key, tg->key.p, tg->key.n);
			buf_put_u8(&key, '=');
			lp_put_tag(&key, tg->val.p, tg->val.n);
		}
		if (key.len != B.lines[0].series.n ||
		    memcmp(key.data, B.lines[0].series.p, key.len) != 0)
			fail_msg("iteration %d: rebuilt key \"%.*s\", parser's \"%.*s\"", iter,
			         (int)key.len, (char *)key.data, (int)B.lines[0].series.n,
			         B.lines[0].series.p);
		buf_free(&key);
		buf_free(&line);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_line),
		cmocka_unit_test(test_floats),
		cmocka_unit_test(test_integers_and_booleans),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_escapes_in_every_position),
		cmocka_unit_test(test_canonical_series_keys),
		cmocka_unit_test(test_repeated_series_lines),
		cmocka_unit_test(test_lines_comments_crlf),
		cmocka_unit_test(test_precision_and_range),
		cmocka_unit_test(test_repeated_fields),
		cmocka_unit_test(test_errors_kept_in_line_order),
		cmocka_unit_test(test_line_end),
		cmocka_unit_test(test_line_limit),
		cmocka_unit_test(test_writers_escape),
		cmocka_unit_test(test_put_double_shortest),
		cmocka_unit_test(test_put_double_round_trip),
		cmocka_unit_test(test_property_writers_and_parser_agree),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
