/*
 * lp.c - the InfluxDB line protocol parser: lp_parse() and the LpBatch it
 * fills. The grammar it accepts, its choices on Influx's edge cases, its
 * invariants and its error messages are in src/ingest/README.md; the
 * escaping writers are in lp_write.c, float conversion in lp_num.c.
 *
 * How a buffer is parsed. lp_parse() walks the buffer line by line. Blank
 * lines and comments are skipped; every other line goes to parse_line(),
 * which reads measurement, tags, fields and timestamp left to right and
 * finds the line's end itself (a string field value may run over newlines,
 * so a line is not simply "up to the next '\n'"). A line either becomes an
 * LpLine, or fails at the first problem: then its tags and fields are taken
 * back, line_extent() finds where the bad line ends (with the same rules,
 * but forgiving), and one error is recorded.
 *
 * Why it is fast. Names and unquoted values end at one of five bytes:
 * ',' '=' ' ' '\\' '\n'. The parser keeps a bit mask of where those bytes
 * are in a 64-byte window of the input (computed with SSE2, or AVX2 where
 * the CPU has it), so finding the end of a token is a shift and a count of
 * trailing zeros, and a window is computed once for all tokens in it. Names
 * without a backslash, and strings without one, are not copied: their LpStr
 * points into the input. Integers and timestamps are parsed by hand; floats
 * by lp_parse_double(), exact, fast for short decimals. Error messages are
 * formatted only for the errors that will be kept.
 *
 * Memory. Tags, fields and lines go into the batch's growing arrays;
 * unescaped names and strings and built series keys go into its arena.
 * lp_parse() itself allocates only two small scratch arrays (the input
 * columns of one line's tags and fields, for error messages), freed before
 * it returns.
 */
#include "ingest/lp.h"

#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <pthread.h>

#include <xxhash.h>

#include "ingest/lp_num.h"
#include "util/timeutil.h"

#define LP_DEFAULT_MAX_LINE (64u * 1024 * 1024)
#define LP_MIN_TS (INT64_MIN + 2) /* Influx keeps the two lowest for itself */
#define LP_MAX_TS (INT64_MAX - 1) /* and the highest */
#define ARENA_MAX_BLOCK ((size_t)16 * 1024 * 1024)

enum { LINE_OK, LINE_BAD, LINE_NOMEM };

/* ---- Where the special bytes are ---------------------------------------
 *
 * special64(p) returns a mask with bit i set when p[i] is one of
 * , = space \ newline, for the 64 bytes at p (all readable).
 */

static const uint8_t special_byte[256] = {
	['\n'] = 1, [' '] = 1, [','] = 1, ['='] = 1, ['\\'] = 1,
};

static uint64_t special64_scalar(const char *p)
{
	uint64_t m = 0;
	for (int i = 0; i < 64; i++)
		m |= (uint64_t)special_byte[(unsigned char)p[i]] << i;
	return m;
}

#if defined(__x86_64__)
static uint64_t special64_sse2(const char *p)
{
	const __m128i comma = _mm_set1_epi8(','), eq = _mm_set1_epi8('=');
	const __m128i sp = _mm_set1_epi8(' '), bs = _mm_set1_epi8('\\');
	const __m128i nl = _mm_set1_epi8('\n');
	uint64_t m = 0;
	for (int i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		__m128i r = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, eq)),
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, sp), _mm_cmpeq_epi8(v, bs)),
			             _mm_cmpeq_epi8(v, nl)));
		m |= (uint64_t)(uint32_t)_mm_movemask_epi8(r) << (16 * i);
	}
	return m;
}

/* The five bytes classified by nibbles: a byte is special when the bits
 * its low nibble selects and those its high nibble selects meet. Bits:
 * 1 '\n' (0x0A), 2 ' ' (0x20), 4 ',' (0x2C), 8 '=' (0x3D), 16 '\\' (0x5C). */
__attribute__((target("avx2"))) static uint64_t special64_avx2(const char *p)
{
	const __m256i lo_tbl = _mm256_setr_epi8(2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 20, 8, 0, 0,
	                                        2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 20, 8, 0, 0);
	const __m256i hi_tbl = _mm256_setr_epi8(1, 0, 6, 8, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	                                        1, 0, 6, 8, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
	uint64_t m = 0;
	for (int i = 0; i < 2; i++) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * i));
		__m256i lo = _mm256_shuffle_epi8(lo_tbl, _mm256_and_si256(v, nib));
		__m256i hi = _mm256_shuffle_epi8(hi_tbl,
		                                 _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
		__m256i none = _mm256_cmpeq_epi8(_mm256_and_si256(lo, hi), zero);
		m |= (uint64_t)(uint32_t)~_mm256_movemask_epi8(none) << (32 * i);
	}
	return m;
}
#endif

static uint64_t (*special64)(const char *p) = special64_scalar;
static pthread_once_t special64_once = PTHREAD_ONCE_INIT;

static void pick_special64(void)
{
#if defined(__x86_64__)
	__builtin_cpu_init();
	special64 = __builtin_cpu_supports("avx2") ? special64_avx2 : special64_sse2;
#endif
}

/* ---- The parser's state ------------------------------------------------ */

/* A recently parsed measurement and tag set: a line that repeats one byte
 * for byte shares its parse instead of parsing, sorting and building its
 * key again. Sources send many points of each series, in runs (host-major)
 * or in rounds (time-major); a small direct-mapped table keyed by a hash of
 * the raw bytes catches both. Entries point into the input and the batch's
 * tags of lines that were kept, valid for one lp_parse() call. */
#define SEEN_SLOTS 256
typedef struct Seen {
	const char *raw;  /* measurement and tags as in the input */
	uint32_t len;     /* 0: empty slot */
	uint32_t tag0, ntags;
	LpStr meas, series;
} Seen;

typedef struct Parser {
	LpBatch *b;
	const char *bufend;  /* end of the input */
	const char *win;     /* the window: 64 bytes of input starting here */
	uint64_t bits;       /* bit i: win[i] is special (see special64) */
	int64_t mult;        /* nanoseconds per timestamp unit */
	int64_t now;         /* timestamp of lines without one, in ns */
	uint64_t lineno;     /* number of the line being parsed */
	const char *ls;      /* its first byte (column 1) */
	uint32_t nl_inside;  /* newlines inside its string values */
	uint32_t *tcol;      /* input column of each of its tags */
	uint32_t *fcol;      /* input column of each of its fields */
	uint32_t cap_tcol, cap_fcol;
	/* its error, when parse_line() returns LINE_BAD */
	const char *err_at;
	char err_msg[STELE_LINE_ERROR_MSG_MAX];
	/* Measurement and tag sets of recent good lines as they appear in the
	 * input, and what they parsed to (see Seen). */
	struct Seen *seen;
	struct Seen *seen_slot;  /* where the line just parsed goes, if kept */
	struct Seen seen_new;
} Parser;

/* Loads the window at p. */
static void load_window(Parser *P, const char *p)
{
	size_t left = (size_t)(P->bufend - p);
	P->win = p;
	if (left >= 64) {
		P->bits = special64(p);
	} else {
		char tail[64] = {0};
		memcpy(tail, p, left);
		P->bits = special64(tail) & ((UINT64_C(1) << left) - 1);
	}
}

/* The first special byte at or after p, or end if none comes before it. */
static inline const char *next_special(Parser *P, const char *p, const char *end)
{
	for (;;) {
		size_t off = (size_t)(p - P->win);
		if (off < 64) {
			uint64_t m = P->bits >> off;
			if (m) {
				const char *r = p + __builtin_ctzll(m);
				return r < end ? r : end;
			}
			p = P->win + 64;
		}
		if (p >= end)
			return end;
		load_window(P, p);
	}
}

/* Does the line end at p? At the end of the input, at '\n', or at a '\r'
 * that ends the input or precedes '\n'. */
static inline bool is_eol(const char *p, const char *end)
{
	return p == end || *p == '\n' || (*p == '\r' && (p + 1 == end || p[1] == '\n'));
}

/* Where the next line starts, p being a line end (is_eol). */
static inline const char *after_eol(const char *p, const char *end)
{
	if (p == end)
		return end;
	if (*p == '\r' && p + 1 < end)
		p++;
	return p + 1;
}

/* ---- Error messages ---------------------------------------------------- */

/* Input text quoted in a message is cut to TOK_MAX bytes (on a UTF-8
 * character boundary) and marked with "...". Use with "%.*s%s". */
#define TOK_MAX 64
static int tok_width(const char *s, size_t n)
{
	if (n <= TOK_MAX)
		return (int)n;
	size_t w = TOK_MAX;
	while (w > TOK_MAX - 3 && ((unsigned char)s[w] & 0xC0) == 0x80)
		w--;
	return (int)w;
}
#define TOK(s, n) tok_width((s), (n)), (s), ((n) > TOK_MAX ? "..." : "")
#define TOKS(str) TOK((str).p, (size_t)(str).n)

/* Would an error on line `lineno` be among the kept ones? */
static bool would_keep(const LpBatch *b, uint64_t lineno)
{
	return b->nerrors < STELE_LINE_ERRORS_KEPT ||
	       lineno < b->errors[STELE_LINE_ERRORS_KEPT - 1].line;
}

/* The slot for an error on line `lineno`, keeping errors[] sorted by line
 * (stable) and holding the first STELE_LINE_ERRORS_KEPT; NULL if it is not
 * among them. */
static stele_line_error *error_slot(LpBatch *b, uint64_t lineno)
{
	if (!would_keep(b, lineno))
		return NULL;
	uint32_t n = b->nerrors, i = n;
	while (i > 0 && b->errors[i - 1].line > lineno)
		i--;
	uint32_t nmove = (n == STELE_LINE_ERRORS_KEPT ? n - 1 : n) - i;
	memmove(&b->errors[i + 1], &b->errors[i], nmove * sizeof b->errors[0]);
	if (n < STELE_LINE_ERRORS_KEPT)
		b->nerrors++;
	return &b->errors[i];
}

/* Fails the current line at `at`; formats the message only if it will be
 * kept. */
__attribute__((format(printf, 3, 4))) static int fail(Parser *P, const char *at,
                                                      const char *fmt, ...)
{
	P->err_at = at;
	P->err_msg[0] = '\0';
	if (would_keep(P->b, P->lineno)) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(P->err_msg, sizeof P->err_msg, fmt, ap);
		va_end(ap);
	}
	return LINE_BAD;
}

/* ---- Growing arrays ---------------------------------------------------- */

/* Doubles the capacity of an array of `elem`-byte entries; NULL (and the
 * array untouched) if out of memory or past 2^31 entries. */
static void *grow_array(void *a, uint32_t *cap, size_t elem, uint32_t first)
{
	uint32_t nc = *cap ? *cap * 2 : first;
	if (*cap >= (UINT32_C(1) << 31))
		return NULL;
	void *p = realloc(a, (size_t)nc * elem);
	if (p)
		*cap = nc;
	return p;
}

static bool push_tcol(Parser *P, uint32_t i, uint32_t col)
{
	if (i >= P->cap_tcol) {
		uint32_t *t = grow_array(P->tcol, &P->cap_tcol, sizeof *t, 64);
		if (!t)
			return false;
		P->tcol = t;
	}
	P->tcol[i] = col;
	return true;
}

static bool push_fcol(Parser *P, uint32_t i, uint32_t col)
{
	if (i >= P->cap_fcol) {
		uint32_t *t = grow_array(P->fcol, &P->cap_fcol, sizeof *t, 64);
		if (!t)
			return false;
		P->fcol = t;
	}
	P->fcol[i] = col;
	return true;
}

/* ---- Names: measurement, tag keys and values, field keys --------------- */

enum { NAME_MEAS, NAME_TAGKEY, NAME_TAGVAL, NAME_FIELDKEY };

/* In a name of this kind, does backslash-c stand for c? (Otherwise both
 * bytes stand for themselves.) */
static inline bool escapable(int kind, char c)
{
	return c == ',' || c == ' ' || c == '\\' || (c == '=' && kind != NAME_MEAS);
}

/* The slow path of a name that starts at `start` and has a backslash at
 * `bs`: finds its end, unescapes it into the arena, clears *canon when its
 * escaping is not the canonical one. Returns the delimiter (or end), NULL
 * when out of memory. */
static const char *name_slow(Parser *P, const char *start, const char *bs, const char *end,
                             int kind, LpStr *out, bool *canon)
{
	const char *p = bs;
	while (p < end) {
		if (*p == '\\') {
			if (p + 1 < end && p[1] != '\n') {
				*canon &= escapable(kind, p[1]);
				p = next_special(P, p + 2, end);
			} else {
				*canon = false; /* a lone backslash at the end of the line */
				p = next_special(P, p + 1, end);
			}
		} else if (*p == '=' && kind == NAME_MEAS) {
			p = next_special(P, p + 1, end);
		} else if (*p == '=' && kind == NAME_TAGVAL) {
			*canon = false;
			p = next_special(P, p + 1, end);
		} else {
			break;
		}
	}
	char *d = arena_alloc(&P->b->arena, (size_t)(p - start));
	if (!d)
		return NULL;
	char *o = d;
	for (const char *s = start; s < p;) {
		if (*s == '\\' && s + 1 < p) {
			if (!escapable(kind, s[1]))
				*o++ = '\\';
			*o++ = s[1];
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	out->p = d;
	out->n = (uint32_t)(o - d);
	return p;
}

static inline int str_cmp(LpStr a, LpStr b)
{
	/* Keys are never empty: compare the first bytes inline. */
	if (a.p[0] != b.p[0])
		return (unsigned char)a.p[0] < (unsigned char)b.p[0] ? -1 : 1;
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
	if (c)
		return c;
	return (a.n > b.n) - (a.n < b.n);
}

static inline bool str_eq(LpStr a, LpStr b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

/* ---- String field values ----------------------------------------------- */

/* The first '"', '\\' or '\n' in [p, end), or end. */
static inline const char *find_quote_bs_nl(const char *p, const char *end, const char *bufend)
{
#if defined(__x86_64__)
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
	const __m128i nl = _mm_set1_epi8('\n');
	while (p < end && bufend - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i r = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
		                         _mm_cmpeq_epi8(v, nl));
		unsigned m = (unsigned)_mm_movemask_epi8(r);
		if (m) {
			p += __builtin_ctz(m);
			return p < end ? p : end;
		}
		p += 16;
	}
#else
	(void)bufend;
#endif
	for (; p < end; p++)
		if (*p == '"' || *p == '\\' || *p == '\n')
			return p;
	return end;
}

/* The closing quote of the string opened at `open`, or NULL if there is
 * none before end. Inside, backslash-anything is a pair (so \" does not
 * close); *nl counts the newlines passed, *esc says whether a backslash
 * was seen. */
static const char *find_close_quote(const char *open, const char *end, const char *bufend,
                                    uint32_t *nl, bool *esc)
{
	const char *p = open + 1;
	for (;;) {
		p = find_quote_bs_nl(p, end, bufend);
		if (p == end)
			return NULL;
		if (*p == '"')
			return p;
		if (*p == '\n') {
			(*nl)++;
			p++;
			continue;
		}
		*esc = true;
		if (p + 1 == end)
			return NULL;
		*nl += p[1] == '\n';
		p += 2;
	}
}

/* Unescapes the content of a string value (\" is ", \\ is \, any other
 * backslash is itself) into the arena. */
static bool unescape_string(Parser *P, const char *s, const char *e, LpStr *out)
{
	char *d = arena_alloc(&P->b->arena, (size_t)(e - s));
	if (!d)
		return false;
	char *o = d;
	while (s < e) {
		if (*s == '\\' && s + 1 < e && (s[1] == '"' || s[1] == '\\')) {
			*o++ = s[1];
			s += 2;
		} else {
			*o++ = *s++;
		}
	}
	out->p = d;
	out->n = (uint32_t)(o - d);
	return true;
}

/* ---- Numbers and booleans ---------------------------------------------- */

/* Reads decimal digits from p: their value into *out, *ovf set if it
 * passed UINT64_MAX. Returns the first non-digit. */
static inline const char *scan_digits(const char *p, const char *end, uint64_t *out, bool *ovf)
{
	uint64_t v = 0;
	unsigned d;
	while (p < end && (d = (unsigned)(unsigned char)*p - '0') <= 9) {
		bool m = __builtin_mul_overflow(v, 10, &v);
		bool a = __builtin_add_overflow(v, d, &v);
		*ovf |= m || a;
		p++;
	}
	*out = v;
	return p;
}

static bool ieq(const char *s, size_t n, const char *word)
{
	size_t i = 0;
	for (; i < n && word[i]; i++)
		if ((s[i] | 0x20) != word[i])
			return false;
	return i == n && word[i] == '\0';
}

/* "inf", "-Infinity", "NaN", ...: what people write for non-finite floats. */
static bool is_nonfinite_word(const char *s, size_t n)
{
	if (n && (*s == '-' || *s == '+')) {
		s++;
		n--;
	}
	return ieq(s, n, "inf") || ieq(s, n, "infinity") || ieq(s, n, "nan");
}

static bool parse_bool(const char *s, size_t n, bool *out)
{
	switch (n) {
	case 1:
		if (*s == 't' || *s == 'T')
			return *out = true;
		if (*s == 'f' || *s == 'F')
			return !(*out = false);
		return false;
	case 4:
		*out = true;
		return !memcmp(s, "true", 4) || !memcmp(s, "True", 4) || !memcmp(s, "TRUE", 4);
	case 5:
		*out = false;
		return !memcmp(s, "false", 5) || !memcmp(s, "False", 5) || !memcmp(s, "FALSE", 5);
	default:
		return false;
	}
}

/* Parses the unquoted field value [v, te), not empty, into f. */
static int parse_value(Parser *P, const char *v, const char *te, LpField *f)
{
	size_t n = (size_t)(te - v);
	unsigned char c = (unsigned char)*v;
	if ((unsigned)(c - '0') <= 9 || c == '-' || c == '.' || c == '+') {
		char last = te[-1];
		uint64_t u;
		bool ovf = false;
		if (last == 'i') {
			bool neg = c == '-';
			const char *s = v + neg;
			const char *x = scan_digits(s, te - 1, &u, &ovf);
			if (x == s || x != te - 1)
				return fail(P, v, "invalid integer \"%.*s%s\"", TOK(v, n));
			if (ovf || u > (neg ? UINT64_C(1) << 63 : (uint64_t)INT64_MAX))
				return fail(P, v, "integer %.*s%s is out of range", TOK(v, n));
			f->type = STELE_TYPE_BIGINT;
			f->v.i = !neg ? (int64_t)u : u == UINT64_C(1) << 63 ? INT64_MIN : -(int64_t)u;
			return LINE_OK;
		}
		if (last == 'u') {
			const char *x = scan_digits(v, te - 1, &u, &ovf);
			if (x == v || x != te - 1)
				return fail(P, v, "invalid unsigned integer \"%.*s%s\"", TOK(v, n));
			if (ovf)
				return fail(P, v, "unsigned integer %.*s%s is out of range", TOK(v, n));
			f->type = STELE_TYPE_UBIGINT;
			f->v.u = u;
			return LINE_OK;
		}
		switch (lp_parse_double(v, n, &f->v.f)) {
		case LP_NUM_OK:
			f->type = STELE_TYPE_DOUBLE;
			return LINE_OK;
		case LP_NUM_RANGE:
			return fail(P, v, "float %.*s%s is out of range", TOK(v, n));
		case LP_NUM_NOMEM:
			return LINE_NOMEM;
		default:
			break;
		}
		if (is_nonfinite_word(v, n))
			return fail(P, v, "invalid float \"%.*s%s\": not a finite number", TOK(v, n));
		return fail(P, v, "invalid float \"%.*s%s\"", TOK(v, n));
	}
	if (parse_bool(v, n, &f->v.b)) {
		f->type = STELE_TYPE_BOOLEAN;
		return LINE_OK;
	}
	if (is_nonfinite_word(v, n))
		return fail(P, v, "invalid float \"%.*s%s\": not a finite number", TOK(v, n));
	return fail(P, v, "invalid field value \"%.*s%s\"", TOK(v, n));
}

/* ---- Tag order and the series key -------------------------------------- */

typedef struct SortCtx {
	const LpTag *tags;
	const LpField *fields;
} SortCtx;

static int cmp_tag_idx(const void *a, const void *b, void *ctx)
{
	const LpTag *t = ((const SortCtx *)ctx)->tags;
	return str_cmp(t[*(const uint32_t *)a].key, t[*(const uint32_t *)b].key);
}

/* Sorts the line's n tags (from tag0) by key, with their columns, and
 * rejects a duplicate key at its later occurrence. */
static int sort_tags(Parser *P, uint32_t tag0, uint32_t n)
{
	LpTag *t = P->b->tags + tag0;
	uint32_t *col = P->tcol;
	if (n <= 24) {
		for (uint32_t i = 1; i < n; i++) {
			LpTag x = t[i];
			uint32_t xc = col[i], j = i;
			for (; j > 0 && str_cmp(t[j - 1].key, x.key) > 0; j--) {
				t[j] = t[j - 1];
				col[j] = col[j - 1];
			}
			t[j] = x;
			col[j] = xc;
		}
	} else {
		uint32_t *idx = malloc((size_t)n * sizeof *idx);
		LpTag *tt = malloc((size_t)n * sizeof *tt);
		uint32_t *cc = malloc((size_t)n * sizeof *cc);
		if (!idx || !tt || !cc) {
			free(idx);
			free(tt);
			free(cc);
			return LINE_NOMEM;
		}
		for (uint32_t i = 0; i < n; i++)
			idx[i] = i;
		SortCtx ctx = {.tags = t};
		qsort_r(idx, n, sizeof *idx, cmp_tag_idx, &ctx);
		for (uint32_t i = 0; i < n; i++) {
			tt[i] = t[idx[i]];
			cc[i] = col[idx[i]];
		}
		memcpy(t, tt, (size_t)n * sizeof *t);
		memcpy(col, cc, (size_t)n * sizeof *col);
		free(idx);
		free(tt);
		free(cc);
	}
	for (uint32_t i = 1; i < n; i++)
		if (str_eq(t[i - 1].key, t[i].key)) {
			uint32_t c = col[i] > col[i - 1] ? col[i] : col[i - 1];
			return fail(P, P->ls + c, "duplicate tag key \"%.*s%s\"", TOKS(t[i].key));
		}
	return LINE_OK;
}

static inline bool canon_escaped(int kind, char c)
{
	return c == ',' || c == ' ' || c == '\\' || (c == '=' && kind != NAME_MEAS);
}

static size_t escaped_len(LpStr s, int kind)
{
	size_t n = s.n;
	for (uint32_t i = 0; i < s.n; i++)
		n += canon_escaped(kind, s.p[i]);
	return n;
}

static char *put_escaped(char *o, LpStr s, int kind)
{
	for (uint32_t i = 0; i < s.n; i++) {
		if (canon_escaped(kind, s.p[i]))
			*o++ = '\\';
		*o++ = s.p[i];
	}
	return o;
}

/* Builds the canonical series key of a line in the arena. `plain`: no
 * name of the key needs escaping, so the pieces are copied as they are. */
static bool build_series(Parser *P, LpLine *L, bool plain)
{
	const LpTag *t = L->ntags ? P->b->tags + L->tag0 : NULL;
	size_t n = plain ? L->measurement.n : escaped_len(L->measurement, NAME_MEAS);
	for (uint32_t i = 0; i < L->ntags; i++)
		n += 2 + (plain ? (size_t)t[i].key.n + t[i].val.n
		                : escaped_len(t[i].key, NAME_TAGKEY) + escaped_len(t[i].val, NAME_TAGVAL));
	if (n > UINT32_MAX)
		return false;
	char *d = arena_alloc(&P->b->arena, n), *o = d;
	if (!d)
		return false;
	if (plain) {
		memcpy(o, L->measurement.p, L->measurement.n);
		o += L->measurement.n;
		for (uint32_t i = 0; i < L->ntags; i++) {
			*o++ = ',';
			memcpy(o, t[i].key.p, t[i].key.n);
			o += t[i].key.n;
			*o++ = '=';
			memcpy(o, t[i].val.p, t[i].val.n);
			o += t[i].val.n;
		}
	} else {
		o = put_escaped(o, L->measurement, NAME_MEAS);
		for (uint32_t i = 0; i < L->ntags; i++) {
			*o++ = ',';
			o = put_escaped(o, t[i].key, NAME_TAGKEY);
			*o++ = '=';
			o = put_escaped(o, t[i].val, NAME_TAGVAL);
		}
	}
	L->series.p = d;
	L->series.n = (uint32_t)(o - d);
	return true;
}

/* ---- Repeated field keys ----------------------------------------------- */

/* One of 64 bits for a field key, from its length and last bytes: a cheap
 * filter before comparing keys. */
static inline uint64_t key_bit(LpStr k)
{
	uint32_t x = 0;
	if (k.n >= 4)
		memcpy(&x, k.p + k.n - 4, 4);
	else
		for (uint32_t i = 0; i < k.n; i++)
			x = x << 8 | (unsigned char)k.p[i];
	uint64_t h = ((uint64_t)x | (uint64_t)k.n << 32) * UINT64_C(0x9E3779B97F4A7C15);
	return UINT64_C(1) << (h >> 58);
}

static int cmp_field_idx(const void *a, const void *b, void *ctx)
{
	const LpField *f = ((const SortCtx *)ctx)->fields;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	int c = str_cmp(f[i].key, f[j].key);
	return c ? c : (i > j) - (i < j);
}

/* For lines with more fields than key_bit() can filter: sorts their
 * indices by key, then merges each run of a repeated key into its first
 * position with its last value. */
static int dedup_fields(Parser *P, uint32_t field0, uint32_t n)
{
	LpField *f = P->b->fields + field0;
	uint32_t *idx = malloc((size_t)n * sizeof *idx);
	uint8_t *gone = calloc(n, 1);
	if (!idx || !gone) {
		free(idx);
		free(gone);
		return LINE_NOMEM;
	}
	for (uint32_t i = 0; i < n; i++)
		idx[i] = i;
	SortCtx ctx = {.fields = f};
	qsort_r(idx, n, sizeof *idx, cmp_field_idx, &ctx);
	int r = LINE_OK;
	for (uint32_t g = 0, h; g < n && r == LINE_OK; g = h) {
		for (h = g + 1; h < n && str_eq(f[idx[g]].key, f[idx[h]].key); h++) {
			if (f[idx[h]].type != f[idx[g]].type) {
				r = fail(P, P->ls + P->fcol[idx[h]],
				         "conflicting types for field key \"%.*s%s\"", TOKS(f[idx[h]].key));
				break;
			}
			gone[idx[h]] = 1;
		}
		if (r == LINE_OK && h - g > 1)
			f[idx[g]].v = f[idx[h - 1]].v;
	}
	if (r == LINE_OK) {
		uint32_t w = 0;
		for (uint32_t i = 0; i < n; i++)
			if (!gone[i]) {
				f[w] = f[i];
				P->fcol[w++] = P->fcol[i];
			}
		P->b->nfields = field0 + w;
	}
	free(idx);
	free(gone);
	return r;
}

/* ---- One line ---------------------------------------------------------- */

/* Parses the line that starts at ls, whose first non-blank byte q is
 * neither a line end nor '#', reading no further than end. On LINE_OK
 * fills *L (but does not append it) and sets *cend to the end of its
 * content (its terminator or end). On LINE_BAD, P->err_at and P->err_msg
 * say why; the tags and fields it appended are for the caller to drop. */
static int parse_line(Parser *P, const char *ls, const char *q, const char *end, LpLine *L,
                      const char **cend)
{
	LpBatch *b = P->b;
	const uint32_t tag0 = b->ntags, field0 = b->nfields;
	bool sorted = true; /* tag keys strictly ascending so far */
	bool canon = true;  /* ... and every name escaped canonically */
	bool plain = true;  /* no name of the key has a byte that needs escaping */
	LpStr meas;

	const char *e;
	const char *key_end;
	uint32_t ntags;
	Seen *seen = NULL;
	if (P->seen) {
		/* The raw measurement and tag set end at the first unescaped
		 * space; with a backslash in them, take the normal path. */
		const char *s = q;
		for (;;) {
			s = next_special(P, s, end);
			if (s == end || *s == '\n' || *s == '\\')
				break;
			if (*s == ' ')
				break;
			s++;
		}
		if (s < end && *s == ' ' && s > q) {
			uint32_t n = (uint32_t)(s - q);
			seen = &P->seen[XXH3_64bits(q, n) & (SEEN_SLOTS - 1)];
			if (seen->len == n && memcmp(seen->raw, q, n) == 0) {
				/* Identical bytes parse identically: take its
				 * measurement, tags and key. */
				meas = seen->meas;
				e = key_end = s;
				L->tag0 = seen->tag0;
				ntags = seen->ntags;
				L->series = seen->series;
				seen = NULL;
				goto fields;
			}
		}
	}

	/* Measurement: up to an unescaped ',' or ' '. */
	e = next_special(P, q, end);
	while (e < end && *e == '=')
		e = next_special(P, e + 1, end);
	if (e < end && *e == '\\') {
		plain = false;
		if (!(e = name_slow(P, q, e, end, NAME_MEAS, &meas, &canon)))
			return LINE_NOMEM;
	} else {
		meas.p = q;
		meas.n = (uint32_t)(e - q);
	}
	if (meas.n == 0)
		return fail(P, q, "missing measurement");
	if (e == end || *e == '\n')
		return fail(P, e, "missing field set");
	key_end = e;

	/* Tag set: ,key=value ... */
	while (*e == ',') {
		const char *k = e + 1;
		LpStr key, val;
		e = next_special(P, k, end);
		if (e < end && *e == '\\') {
			plain = false;
			if (!(e = name_slow(P, k, e, end, NAME_TAGKEY, &key, &canon)))
				return LINE_NOMEM;
		} else {
			key.p = k;
			key.n = (uint32_t)(e - k);
		}
		if (key.n == 0)
			return fail(P, k, "missing tag key");
		if (e == end || *e != '=')
			return fail(P, e, "missing \"=\" after tag key \"%.*s%s\"", TOKS(key));
		const char *v = e + 1;
		e = next_special(P, v, end);
		while (e < end && *e == '=') {
			canon = plain = false;
			e = next_special(P, e + 1, end);
		}
		if (e < end && *e == '\\') {
			plain = false;
			if (!(e = name_slow(P, v, e, end, NAME_TAGVAL, &val, &canon)))
				return LINE_NOMEM;
		} else {
			val.p = v;
			val.n = (uint32_t)(e - v);
		}
		if (val.n == 0)
			return fail(P, v, "missing value for tag key \"%.*s%s\"", TOKS(key));
		uint32_t i = b->ntags - tag0;
		if (b->ntags == b->cap_tags) {
			LpTag *t = grow_array(b->tags, &b->cap_tags, sizeof *t, 1024);
			if (!t)
				return LINE_NOMEM;
			b->tags = t;
		}
		if (!push_tcol(P, i, (uint32_t)(k - ls)))
			return LINE_NOMEM;
		b->tags[b->ntags].key = key;
		b->tags[b->ntags].val = val;
		b->ntags++;
		if (sorted && i > 0) {
			int c = str_cmp(b->tags[b->ntags - 2].key, key);
			if (c == 0)
				return fail(P, k, "duplicate tag key \"%.*s%s\"", TOKS(key));
			sorted = c < 0;
		}
		key_end = e;
		if (e == end || *e == '\n')
			return fail(P, e, "missing field set");
	}
	/* Now *e == ' '. */
	ntags = b->ntags - tag0;
	if (!sorted) {
		canon = false;
		int r = sort_tags(P, tag0, ntags);
		if (r != LINE_OK)
			return r;
	}
	L->tag0 = tag0;
	if (canon) {
		L->series.p = q;
		L->series.n = (uint32_t)(key_end - q);
	} else {
		L->measurement = meas;
		L->ntags = ntags;
		if (!build_series(P, L, plain))
			return LINE_NOMEM;
	}
fields:;

	/* Field set: key=value,... */
	const char *f = e + 1;
	while (f < end && (*f == ' ' || *f == '\t'))
		f++;
	if (is_eol(f, end))
		return fail(P, f, "missing field set");
	uint64_t bloom = 0;
	int64_t ts = P->now;
	const char *te; /* end of the last value read */
	for (;;) {
		const char *k = f;
		LpField fv;
		bool dummy = true;
		e = next_special(P, k, end);
		if (e < end && *e == '\\') {
			if (!(e = name_slow(P, k, e, end, NAME_FIELDKEY, &fv.key, &dummy)))
				return LINE_NOMEM;
		} else {
			fv.key.p = k;
			fv.key.n = (uint32_t)(e - k);
			if ((e == end || *e == '\n') && fv.key.n && k[fv.key.n - 1] == '\r')
				fv.key.n--;
		}
		if (fv.key.n == 0)
			return fail(P, k, "missing field key");
		if (e == end || *e != '=')
			return fail(P, e, "missing \"=\" after field key \"%.*s%s\"", TOKS(fv.key));
		const char *v = e + 1;
		if (v < end && *v == '"') {
			uint32_t nl = 0;
			bool esc = false;
			const char *close = find_close_quote(v, end, P->bufend, &nl, &esc);
			if (!close)
				return fail(P, v, "unterminated string");
			fv.type = STELE_TYPE_VARCHAR;
			if (esc) {
				if (!unescape_string(P, v + 1, close, &fv.v.s))
					return LINE_NOMEM;
			} else {
				fv.v.s.p = v + 1;
				fv.v.s.n = (uint32_t)(close - v - 1);
			}
			P->nl_inside += nl;
			te = e = close + 1;
			if (e < end && *e != ',' && *e != ' ' && !is_eol(e, end))
				return fail(P, e, "unexpected text after string value");
		} else {
			e = next_special(P, v, end);
			while (e < end && (*e == '=' || *e == '\\'))
				e = next_special(P, e + 1, end);
			te = e;
			if ((e == end || *e == '\n') && te > v && te[-1] == '\r')
				te--;
			if (te == v)
				return fail(P, v, "missing value for field key \"%.*s%s\"", TOKS(fv.key));
			int r = parse_value(P, v, te, &fv);
			if (r != LINE_OK)
				return r;
		}

		/* A repeated key: the last value wins, in the first one's place. */
		uint32_t nf = b->nfields - field0;
		if (nf < 64) {
			uint64_t bit = key_bit(fv.key);
			if (bloom & bit) {
				uint32_t i = field0;
				while (i < b->nfields && !str_eq(b->fields[i].key, fv.key))
					i++;
				if (i < b->nfields) {
					if (b->fields[i].type != fv.type)
						return fail(P, k, "conflicting types for field key \"%.*s%s\"",
						            TOKS(fv.key));
					b->fields[i].v = fv.v;
					goto next_field;
				}
			}
			bloom |= bit;
		}
		if (b->nfields == b->cap_fields) {
			LpField *t = grow_array(b->fields, &b->cap_fields, sizeof *t, 1024);
			if (!t)
				return LINE_NOMEM;
			b->fields = t;
		}
		if (!push_fcol(P, nf, (uint32_t)(k - ls)))
			return LINE_NOMEM;
		b->fields[b->nfields++] = fv;
	next_field:
		if (e < end && *e == ',') {
			f = e + 1;
			continue;
		}
		if (e == end || *e != ' ') {
			*cend = te; /* the line ends after the field set */
			break;
		}

		/* Timestamp, optional: -?digits, then only blanks. */
		const char *t = e + 1;
		while (t < end && (*t == ' ' || *t == '\t'))
			t++;
		if (is_eol(t, end)) {
			*cend = t;
			break;
		}
		const char *t0 = t;
		bool neg = *t == '-', ovf = false;
		uint64_t u;
		t += neg;
		const char *d0 = t;
		t = scan_digits(t, end, &u, &ovf);
		if (t == d0 || (t < end && *t != ' ' && *t != '\t' && !is_eol(t, end))) {
			const char *x = t;
			while (x < end && *x != ' ' && *x != '\t' && !is_eol(x, end))
				x++;
			return fail(P, t0, "invalid timestamp \"%.*s%s\"", TOK(t0, (size_t)(x - t0)));
		}
		if (ovf || u > (neg ? UINT64_C(1) << 63 : (uint64_t)INT64_MAX) ||
		    __builtin_mul_overflow(neg ? (int64_t)(0 - u) : (int64_t)u, P->mult, &ts) ||
		    ts < LP_MIN_TS || ts > LP_MAX_TS)
			return fail(P, t0, "timestamp %.*s%s is out of range",
			            TOK(t0, (size_t)(t - t0)));
		while (t < end && (*t == ' ' || *t == '\t'))
			t++;
		if (!is_eol(t, end))
			return fail(P, t, "unexpected text after timestamp");
		*cend = t;
		break;
	}
	const uint32_t nfields = b->nfields - field0;
	if (nfields > 64) {
		int r = dedup_fields(P, field0, nfields);
		if (r != LINE_OK)
			return r;
	}

	L->measurement = meas;
	L->ntags = ntags;
	L->field0 = field0;
	L->nfields = b->nfields - field0;
	L->ts = ts;
	L->lineno = P->lineno;
	L->text = ls;
	/* Remembered once the caller keeps the line (it may still reject it
	 * as too long, and take its tags back). */
	P->seen_slot = seen;
	if (seen) {
		P->seen_new.raw = q;
		P->seen_new.len = (uint32_t)(key_end - q);
		P->seen_new.meas = meas;
		P->seen_new.series = L->series;
		P->seen_new.tag0 = L->tag0;
		P->seen_new.ntags = ntags;
	}
	return LINE_OK;
}

/* ---- Where a bad line ends ---------------------------------------------
 *
 * The same structure as parse_line(), reduced to what decides the line's
 * end: backslash pairs in names, and string values (a '"' right after the
 * '=' of a field key), which may hold newlines. A string with no closing
 * quote before the end of the input ends, forgivingly, at the first newline
 * after its opening quote. Returns the line's terminating '\n' (or the end
 * of the input) and counts the newlines inside strings into *nl.
 */
static const char *line_extent(const char *ls, const char *bufend, uint32_t *nl, bool *open)
{
	enum { S_KEY, S_FKEY, S_VALUE } st = S_KEY;
	const char *p = ls;
	while (p < bufend && (*p == ' ' || *p == '\t'))
		p++;
	while (p < bufend && *p != '\n') {
		char c = *p;
		if (st != S_VALUE && c == '\\' && p + 1 < bufend && p[1] != '\n') {
			p += 2;
			continue;
		}
		p++;
		if (c == ' ') {
			if (st != S_KEY)
				break; /* the timestamp section: no strings */
			st = S_FKEY;
			while (p < bufend && (*p == ' ' || *p == '\t'))
				p++;
		} else if (c == '=' && st == S_FKEY) {
			st = S_VALUE;
			if (p < bufend && *p == '"') {
				uint32_t n = 0;
				bool esc = false;
				const char *close = find_close_quote(p, bufend, bufend, &n, &esc);
				if (!close) {
					*open = true;
					break; /* unterminated: ends at the next newline */
				}
				*nl += n;
				p = close + 1;
			}
		} else if (c == ',' && st == S_VALUE) {
			st = S_FKEY;
		}
	}
	const char *e = p < bufend ? memchr(p, '\n', (size_t)(bufend - p)) : NULL;
	return e ? e : bufend;
}

const char *lp_line_end(const char *ls, const char *end)
{
	const char *q = ls;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q < end && *q == '#')
		return memchr(q, '\n', (size_t)(end - q));
	uint32_t nl = 0;
	bool open = false;
	const char *e = line_extent(ls, end, &nl, &open);
	return open || e == end ? NULL : e;
}

/* ---- The batch --------------------------------------------------------- */

void lp_batch_init(LpBatch *b)
{
	memset(b, 0, sizeof *b);
}

void lp_batch_reset(LpBatch *b)
{
	/* Size the arena's block to what a batch needs, so that a workload
	 * settles on one block that is reused instead of a chain of blocks
	 * that is freed and allocated again for every batch. */
	size_t bs = b->arena.block_size ? b->arena.block_size : 64 * 1024;
	if (b->arena.used > bs && bs < ARENA_MAX_BLOCK) {
		while (bs < b->arena.used && bs < ARENA_MAX_BLOCK)
			bs *= 2;
		arena_free(&b->arena);
		b->arena.block_size = bs;
	} else {
		arena_reset(&b->arena);
	}
	b->nlines = b->ntags = b->nfields = 0;
	b->nrejected = 0;
	b->nerrors = 0;
}

/* Grows a batch array to hold `need` elements. */
static bool reserve_array(void **a, uint32_t *cap, uint64_t need, size_t elem, uint32_t first)
{
	while (*cap < need) {
		void *t = grow_array(*a, cap, elem, first);
		if (!t)
			return false;
		*a = t;
	}
	return true;
}

int lp_batch_append(LpBatch *dst, const LpBatch *src, StErr *err)
{
	uint64_t nl = (uint64_t)dst->nlines + src->nlines, nt = (uint64_t)dst->ntags + src->ntags,
	         nf = (uint64_t)dst->nfields + src->nfields;
	if (nl > UINT32_MAX || nt > UINT32_MAX || nf > UINT32_MAX ||
	    !reserve_array((void **)&dst->lines, &dst->cap_lines, nl, sizeof *dst->lines, 256) ||
	    !reserve_array((void **)&dst->tags, &dst->cap_tags, nt, sizeof *dst->tags, 1024) ||
	    !reserve_array((void **)&dst->fields, &dst->cap_fields, nf, sizeof *dst->fields, 1024))
		return failf(err, STELE_ENOMEM, "out of memory joining parsed lines");
	for (uint32_t i = 0; i < src->nlines; i++) {
		LpLine l = src->lines[i];
		l.tag0 += dst->ntags;
		l.field0 += dst->nfields;
		dst->lines[dst->nlines + i] = l;
	}
	if (src->ntags)
		memcpy(dst->tags + dst->ntags, src->tags, src->ntags * sizeof *src->tags);
	if (src->nfields)
		memcpy(dst->fields + dst->nfields, src->fields, src->nfields * sizeof *src->fields);
	dst->nlines = (uint32_t)nl;
	dst->ntags = (uint32_t)nt;
	dst->nfields = (uint32_t)nf;
	dst->nrejected += src->nrejected;
	for (uint32_t i = 0; i < src->nerrors; i++) {
		stele_line_error *e = error_slot(dst, src->errors[i].line);
		if (e)
			*e = src->errors[i];
	}
	return STELE_OK;
}

void lp_batch_free(LpBatch *b)
{
	free(b->lines);
	free(b->tags);
	free(b->fields);
	arena_free(&b->arena);
	memset(b, 0, sizeof *b);
}

int64_t lp_precision_ns(stele_precision p)
{
	switch (p) {
	case STELE_PRECISION_NS:
		return 1;
	case STELE_PRECISION_US:
		return NS_PER_US;
	case STELE_PRECISION_MS:
		return NS_PER_MS;
	case STELE_PRECISION_S:
		return NS_PER_S;
	default:
		return 0;
	}
}

void lp_batch_reject(LpBatch *b, uint64_t lineno, uint32_t column, int code, const char *fmt,
                     ...)
{
	b->nrejected++;
	stele_line_error *e = error_slot(b, lineno);
	if (!e)
		return;
	e->line = lineno;
	e->column = column;
	e->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

/* Records the rejection of the line at ls..(its extent): the parse error
 * in P, or the line limit if the line is longer than max_line. */
static void reject_line(Parser *P, const char *ls, const char *ext, uint32_t max_line,
                        bool failed)
{
	const char *ce = ext;
	if (ce > ls && ce[-1] == '\r')
		ce--;
	if ((size_t)(ce - ls) > max_line) {
		lp_batch_reject(P->b, P->lineno, max_line + 1, STELE_ELIMIT,
		                "line is longer than the limit of %" PRIu32 " bytes", max_line);
		return;
	}
	(void)failed;
	P->b->nrejected++;
	stele_line_error *e = error_slot(P->b, P->lineno);
	if (!e)
		return;
	e->line = P->lineno;
	e->column = (uint32_t)(P->err_at - ls) + 1;
	e->code = STELE_EPARSE;
	memcpy(e->msg, P->err_msg, sizeof e->msg);
}

int lp_parse(LpBatch *b, const char *buf, size_t len, const LpOptions *o, StErr *err)
{
	static const LpOptions defaults = {0};
	if (!o)
		o = &defaults;
	Seen seen[SEEN_SLOTS];
	memset(seen, 0, sizeof seen);
	Parser P = {.b = b, .bufend = buf + len, .win = NULL, .seen = seen};
	P.mult = lp_precision_ns(o->precision);
	if (P.mult == 0)
		return failf(err, STELE_EINVAL, "invalid timestamp precision %d", (int)o->precision);
	/* Influx truncates the receipt time to the precision of the write. */
	P.now = time_floor_div(o->now_ns, P.mult) * P.mult;
	P.lineno = o->first_line ? o->first_line : 1;
	const uint32_t max_line = o->max_line ? o->max_line : LP_DEFAULT_MAX_LINE;
	pthread_once(&special64_once, pick_special64);

	int rc = STELE_OK;
	const char *p = buf, *bufend = buf + len;
	while (p < bufend) {
		const char *ls = p, *q = p;
		while (q < bufend && (*q == ' ' || *q == '\t'))
			q++;
		if (q == bufend)
			break;
		if (*q == '\n') {
			p = q + 1;
			P.lineno++;
			continue;
		}
		if (*q == '\r' && (q + 1 == bufend || q[1] == '\n')) {
			p = q + 1;
			continue;
		}
		if (*q == '#') {
			q = memchr(q, '\n', (size_t)(bufend - q));
			if (!q)
				break;
			p = q + 1;
			P.lineno++;
			continue;
		}

		/* The parser reads at most max_line + 2 bytes of a line (room for
		 * "\r\n" after max_line bytes): a longer line is cut there, and
		 * then found too long below. */
		const char *end = (size_t)(bufend - ls) - 2 > max_line ? ls + max_line + 2 : bufend;
		if ((size_t)(bufend - ls) < 2)
			end = bufend;
		const uint32_t tag0 = b->ntags, field0 = b->nfields;
		P.ls = ls;
		P.nl_inside = 0;
		LpLine L;
		const char *cend = NULL;
		int r = parse_line(&P, ls, q, end, &L, &cend);
		if (r == LINE_OK && (size_t)(cend - ls) <= max_line) {
			if (b->nlines == b->cap_lines) {
				LpLine *t = grow_array(b->lines, &b->cap_lines, sizeof *t, 256);
				if (!t) {
					r = LINE_NOMEM;
					goto nomem;
				}
				b->lines = t;
			}
			L.len = (uint32_t)(cend - ls);
			b->lines[b->nlines++] = L;
			if (P.seen_slot)
				*P.seen_slot = P.seen_new;
			P.lineno += 1 + P.nl_inside;
			p = after_eol(cend, bufend);
			continue;
		}
	nomem:
		b->ntags = tag0;
		b->nfields = field0;
		if (r == LINE_NOMEM) {
			rc = failf(err, STELE_ENOMEM, "out of memory parsing line %" PRIu64, P.lineno);
			break;
		}
		uint32_t nl = 0;
		bool open = false;
		const char *ext = line_extent(ls, bufend, &nl, &open);
		if (r == LINE_BAD && P.err_at > ext) {
			/* Cannot happen (line_extent follows parse_line); never loop. */
			nl = 0;
			ext = memchr(P.err_at, '\n', (size_t)(bufend - P.err_at));
			if (!ext)
				ext = bufend;
		}
		reject_line(&P, ls, ext, max_line, r == LINE_BAD);
		P.lineno += 1 + nl;
		p = ext < bufend ? ext + 1 : bufend;
	}
	free(P.tcol);
	free(P.fcol);
	return rc;
}
