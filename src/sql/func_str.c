/* func_str.c - string functions. Positions and lengths count characters
 * (UTF-8), as in PostgreSQL with a UTF-8 database; case mapping is ASCII
 * (PostgreSQL's "C" collation). */
#include <ctype.h>
#include <string.h>

#include "sql/func.h"
#include "util/buf.h"

#define NOMEM(err) failf(err, STELE_ENOMEM, "out of memory binding a statement")
#define LOOP for (uint32_t i = 0; i < n; i++) if (!out->null[i])
#define OOM(err) failf(err, STELE_ENOMEM, "out of memory in a string function")

static inline bool is_cont(char c) { return ((unsigned char)c & 0xc0) == 0x80; }

static uint32_t nchars(SqlStr s)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < s.n; i++)
		k += !is_cont(s.p[i]);
	return k;
}

/* Byte offset of character number c (0-based) in s, or s.n past its end. */
static uint32_t char_off(SqlStr s, uint64_t c)
{
	uint32_t i = 0;
	while (i < s.n && c > 0) {
		i++;
		while (i < s.n && is_cont(s.p[i]))
			i++;
		c--;
	}
	return i;
}

static int arg_text(BindCtx *bc, Expr *e, uint32_t k, StErr *err)
{
	Expr *a = e->args[k];
	if (!a->untyped && a->type != STELE_TYPE_NONE && a->type != STELE_TYPE_VARCHAR)
		return bind_fail(bc, a->pos, STELE_ETYPE, err, "function %s(%s) does not exist",
		                 e->name, func_type_sql_name(a->type));
	return bind_cast(bc, a, STELE_TYPE_VARCHAR, false, &e->args[k], err);
}

static int arg_int(BindCtx *bc, Expr *e, uint32_t k, StErr *err)
{
	Expr *a = e->args[k];
	if (!a->untyped && a->type != STELE_TYPE_NONE && a->type != STELE_TYPE_BIGINT &&
	    a->type != STELE_TYPE_UBIGINT)
		return bind_fail(bc, a->pos, STELE_ETYPE, err,
		                 "function %s(..., %s) does not exist", e->name,
		                 func_type_sql_name(a->type));
	return bind_cast(bc, a, STELE_TYPE_BIGINT, false, &e->args[k], err);
}

/* Binds with argument kinds from `sig` ('s' text, 'i' bigint) and result
 * type t. */
static int bind_sig(BindCtx *bc, Expr *e, const char *sig, uint8_t t, ScalarFn fn, StErr *err)
{
	for (uint32_t k = 0; k < e->nargs; k++) {
		char c = sig[k < strlen(sig) ? k : strlen(sig) - 1];
		int rc = c == 's' ? arg_text(bc, e, k, err) : arg_int(bc, e, k, err);
		if (rc)
			return rc;
	}
	e->type = t;
	e->strict = true;
	e->fn = fn;
	return STELE_OK;
}

static int f_lower(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	bool up = e->aux != NULL;
	LOOP {
		SqlStr s = a[0].d.s[i];
		char *p = arena_alloc(cx->arena, s.n ? s.n : 1);
		if (!p)
			return OOM(err);
		for (uint32_t k = 0; k < s.n; k++)
			p[k] = (char)(up ? toupper((unsigned char)s.p[k]) : tolower((unsigned char)s.p[k]));
		out->d.s[i] = (SqlStr){p, s.n};
	}
	return STELE_OK;
}
static int b_lower(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "s", STELE_TYPE_VARCHAR, f_lower, err);
}
static int b_upper(BindCtx *bc, Expr *e, StErr *err)
{
	int rc = bind_sig(bc, e, "s", STELE_TYPE_VARCHAR, f_lower, err);
	e->aux = (void *)1;
	return rc;
}

static int f_length(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP out->d.i[i] = nchars(a[0].d.s[i]);
	return STELE_OK;
}
static int b_length(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "s", STELE_TYPE_BIGINT, f_length, err);
}
static int f_octets(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP out->d.i[i] = a[0].d.s[i].n;
	return STELE_OK;
}
static int b_octets(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "s", STELE_TYPE_BIGINT, f_octets, err);
}

/* substr(s, start [, count]), 1-based, PostgreSQL's rules for a start
 * before 1. */
static int f_substr(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		SqlStr s = a[0].d.s[i];
		int64_t start = a[1].d.i[i];
		int64_t end;   /* exclusive, 1-based */
		if (e->nargs == 3) {
			int64_t cnt = a[2].d.i[i];
			if (cnt < 0)
				return failf(err, STELE_EINVAL, "negative substring length not allowed");
			if (__builtin_add_overflow(start, cnt, &end))
				end = INT64_MAX;
		} else {
			end = INT64_MAX;
		}
		if (start < 1)
			start = 1;
		if (end <= start) {
			out->d.s[i] = (SqlStr){"", 0};
			continue;
		}
		uint32_t b0 = char_off(s, (uint64_t)(start - 1));
		uint32_t b1 = end == INT64_MAX ? s.n : char_off(s, (uint64_t)(end - 1));
		out->d.s[i] = (SqlStr){s.p + b0, b1 - b0};
	}
	return STELE_OK;
}
static int b_substr(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "sii", STELE_TYPE_VARCHAR, f_substr, err);
}

/* left(s, k) / right(s, k): negative k drops |k| characters from the
 * other end. */
static int f_leftright(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	bool right = e->aux != NULL;
	LOOP {
		SqlStr s = a[0].d.s[i];
		int64_t k = a[1].d.i[i];
		uint32_t len = nchars(s);
		uint64_t keep;
		if (k >= 0)
			keep = (uint64_t)k < len ? (uint64_t)k : len;
		else
			keep = (uint64_t)(-(k + 1)) + 1 >= len ? 0 : len - (uint64_t)(-(k + 1)) - 1;
		uint32_t b;
		if (right) {
			b = char_off(s, len - keep);
			out->d.s[i] = (SqlStr){s.p + b, s.n - b};
		} else {
			b = char_off(s, keep);
			out->d.s[i] = (SqlStr){s.p, b};
		}
	}
	return STELE_OK;
}
static int b_left(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "si", STELE_TYPE_VARCHAR, f_leftright, err);
}
static int b_right(BindCtx *bc, Expr *e, StErr *err)
{
	int rc = bind_sig(bc, e, "si", STELE_TYPE_VARCHAR, f_leftright, err);
	e->aux = (void *)1;
	return rc;
}

/* concat(...) and concat_ws(sep, ...): NULL arguments are skipped. */
static int f_concat(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	bool ws = e->aux != NULL;
	for (uint32_t i = 0; i < n; i++) {
		if (ws && (a[0].type == STELE_TYPE_NONE || a[0].null[i])) {
			out->null[i] = 1;
			continue;
		}
		SqlStr sep = ws ? a[0].d.s[i] : (SqlStr){"", 0};
		size_t len = 0;
		uint32_t parts = 0;
		for (uint32_t k = ws; k < e->nargs; k++)
			if (a[k].type != STELE_TYPE_NONE && !a[k].null[i]) {
				len += a[k].d.s[i].n;
				parts++;
			}
		if (parts > 1)
			len += (size_t)sep.n * (parts - 1);
		if (len > UINT32_MAX)
			return failf(err, STELE_ELIMIT, "string is too long");
		char *p = arena_alloc(cx->arena, len ? len : 1);
		if (!p)
			return OOM(err);
		size_t o = 0;
		parts = 0;
		for (uint32_t k = ws; k < e->nargs; k++) {
			if (a[k].type == STELE_TYPE_NONE || a[k].null[i])
				continue;
			if (parts++ && sep.n) {
				memcpy(p + o, sep.p, sep.n);
				o += sep.n;
			}
			if (a[k].d.s[i].n)
				memcpy(p + o, a[k].d.s[i].p, a[k].d.s[i].n);
			o += a[k].d.s[i].n;
		}
		out->null[i] = 0;
		out->d.s[i] = (SqlStr){p, (uint32_t)len};
	}
	return STELE_OK;
}
static int bind_concat(BindCtx *bc, Expr *e, bool ws, StErr *err)
{
	for (uint32_t k = 0; k < e->nargs; k++) {
		int rc = bind_text_out(bc, e->args[k], &e->args[k], err);
		if (rc)
			return rc;
	}
	e->type = STELE_TYPE_VARCHAR;
	e->strict = false;
	e->fn = f_concat;
	e->aux = ws ? (void *)1 : NULL;
	return STELE_OK;
}
static int b_concat(BindCtx *bc, Expr *e, StErr *err) { return bind_concat(bc, e, false, err); }
static int b_concat_ws(BindCtx *bc, Expr *e, StErr *err) { return bind_concat(bc, e, true, err); }

static const char *find(SqlStr s, SqlStr sub, uint32_t from)
{
	if (sub.n == 0)
		return s.p + from;
	if (sub.n > s.n)
		return NULL;
	for (uint32_t i = from; i + sub.n <= s.n; i++)
		if (memcmp(s.p + i, sub.p, sub.n) == 0)
			return s.p + i;
	return NULL;
}

static int f_strpos(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		SqlStr s = a[0].d.s[i];
		const char *p = find(s, a[1].d.s[i], 0);
		out->d.i[i] = p ? nchars((SqlStr){s.p, (uint32_t)(p - s.p)}) + 1 : 0;
	}
	return STELE_OK;
}
static int b_strpos(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "ss", STELE_TYPE_BIGINT, f_strpos, err);
}

static int f_starts_with(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		SqlStr s = a[0].d.s[i], p = a[1].d.s[i];
		out->d.i[i] = p.n <= s.n && (p.n == 0 || memcmp(s.p, p.p, p.n) == 0);
	}
	return STELE_OK;
}
static int b_starts_with(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "ss", STELE_TYPE_BOOLEAN, f_starts_with, err);
}

static int f_replace(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	Buf b = {0};
	LOOP {
		SqlStr s = a[0].d.s[i], from = a[1].d.s[i], to = a[2].d.s[i];
		if (from.n == 0) {
			out->d.s[i] = s;
			continue;
		}
		buf_reset(&b);
		uint32_t pos = 0;
		const char *hit;
		while ((hit = find(s, from, pos)) != NULL) {
			uint32_t h = (uint32_t)(hit - s.p);
			buf_put(&b, s.p + pos, h - pos);
			buf_put(&b, to.p, to.n);
			pos = h + from.n;
		}
		buf_put(&b, s.p + pos, s.n - pos);
		char *p = b.len ? arena_dup(cx->arena, b.data, b.len) : "";
		if (b.failed || !p || b.len > UINT32_MAX) {
			buf_free(&b);
			return OOM(err);
		}
		out->d.s[i] = (SqlStr){p, (uint32_t)b.len};
	}
	buf_free(&b);
	return STELE_OK;
}
static int b_replace(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "sss", STELE_TYPE_VARCHAR, f_replace, err);
}

/* btrim/ltrim/rtrim(s [, chars]); aux: 1 left, 2 right, 3 both. Only
 * ASCII trim characters are matched byte by byte. */
static int f_trim(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	uintptr_t mode = (uintptr_t)e->aux;
	LOOP {
		SqlStr s = a[0].d.s[i];
		SqlStr set = e->nargs > 1 ? a[1].d.s[i] : (SqlStr){" ", 1};
		uint32_t b = 0, en = s.n;
		if (mode & 1)
			while (b < en && memchr(set.p, s.p[b], set.n))
				b++;
		if (mode & 2)
			while (en > b && memchr(set.p, s.p[en - 1], set.n))
				en--;
		out->d.s[i] = (SqlStr){s.p + b, en - b};
	}
	return STELE_OK;
}
static int bind_trim(BindCtx *bc, Expr *e, uintptr_t mode, StErr *err)
{
	int rc = bind_sig(bc, e, "ss", STELE_TYPE_VARCHAR, f_trim, err);
	e->aux = (void *)mode;
	return rc;
}
static int b_btrim(BindCtx *bc, Expr *e, StErr *err) { return bind_trim(bc, e, 3, err); }
static int b_ltrim(BindCtx *bc, Expr *e, StErr *err) { return bind_trim(bc, e, 1, err); }
static int b_rtrim(BindCtx *bc, Expr *e, StErr *err) { return bind_trim(bc, e, 2, err); }

static int f_repeat(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		SqlStr s = a[0].d.s[i];
		int64_t k = a[1].d.i[i];
		if (k <= 0 || s.n == 0) {
			out->d.s[i] = (SqlStr){"", 0};
			continue;
		}
		if ((uint64_t)k * s.n > (64u << 20))
			return failf(err, STELE_ELIMIT, "requested length too large");
		size_t len = (size_t)k * s.n;
		char *p = arena_alloc(cx->arena, len);
		if (!p)
			return OOM(err);
		for (int64_t r = 0; r < k; r++)
			memcpy(p + (size_t)r * s.n, s.p, s.n);
		out->d.s[i] = (SqlStr){p, (uint32_t)len};
	}
	return STELE_OK;
}
static int b_repeat(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "si", STELE_TYPE_VARCHAR, f_repeat, err);
}

static int f_reverse(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		SqlStr s = a[0].d.s[i];
		char *p = arena_alloc(cx->arena, s.n ? s.n : 1);
		if (!p)
			return OOM(err);
		/* Characters, not bytes, in reverse. */
		uint32_t o = s.n, k = 0;
		while (k < s.n) {
			uint32_t c = k + 1;
			while (c < s.n && is_cont(s.p[c]))
				c++;
			o -= c - k;
			memcpy(p + o, s.p + k, c - k);
			k = c;
		}
		out->d.s[i] = (SqlStr){p, s.n};
	}
	return STELE_OK;
}
static int b_reverse(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "s", STELE_TYPE_VARCHAR, f_reverse, err);
}

/* lpad/rpad(s, len [, fill]): aux 1 for rpad. */
static int f_pad(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	bool right = e->aux != NULL;
	LOOP {
		SqlStr s = a[0].d.s[i];
		int64_t len = a[1].d.i[i];
		SqlStr fill = e->nargs > 2 ? a[2].d.s[i] : (SqlStr){" ", 1};
		if (len < 0)
			len = 0;
		if (len > (64 << 20))
			return failf(err, STELE_ELIMIT, "requested length too large");
		uint32_t have = nchars(s);
		if ((uint64_t)len <= have || fill.n == 0) {
			uint32_t b = char_off(s, (uint64_t)len < have ? (uint64_t)len : have);
			out->d.s[i] = (SqlStr){s.p, b};
			continue;
		}
		uint32_t need = (uint32_t)len - have, fillc = nchars(fill);
		Buf b = {0};
		if (right)
			buf_put(&b, s.p, s.n);
		for (uint32_t k = 0; k < need; k++) {
			uint32_t c0 = char_off(fill, k % fillc), c1 = char_off(fill, k % fillc + 1);
			buf_put(&b, fill.p + c0, c1 - c0);
		}
		if (!right)
			buf_put(&b, s.p, s.n);
		char *p = b.len ? arena_dup(cx->arena, b.data, b.len) : "";
		size_t bl = b.len;
		bool bad = b.failed;
		buf_free(&b);
		if (bad || !p)
			return OOM(err);
		out->d.s[i] = (SqlStr){p, (uint32_t)bl};
	}
	return STELE_OK;
}
static int b_lpad(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "sis", STELE_TYPE_VARCHAR, f_pad, err);
}
static int b_rpad(BindCtx *bc, Expr *e, StErr *err)
{
	int rc = bind_sig(bc, e, "sis", STELE_TYPE_VARCHAR, f_pad, err);
	e->aux = (void *)1;
	return rc;
}

static int f_split_part(EvalCtx *cx, const Expr *e, Vec *a, uint32_t n, Vec *out, StErr *err)
{
	LOOP {
		SqlStr s = a[0].d.s[i], d = a[1].d.s[i];
		int64_t k = a[2].d.i[i];
		if (k == 0)
			return failf(err, STELE_EINVAL, "field position must not be zero");
		if (d.n == 0) {
			out->d.s[i] = (k == 1 || k == -1) ? s : (SqlStr){"", 0};
			continue;
		}
		/* Field boundaries. */
		uint32_t starts[2] = {0, 0};
		uint32_t nf = 1, pos = 0;
		const char *hit;
		while ((hit = find(s, d, pos)) != NULL) {
			nf++;
			pos = (uint32_t)(hit - s.p) + d.n;
		}
		int64_t want = k > 0 ? k : (int64_t)nf + k + 1;
		if (want < 1 || want > nf) {
			out->d.s[i] = (SqlStr){"", 0};
			continue;
		}
		pos = 0;
		for (int64_t f = 1; f < want; f++) {
			hit = find(s, d, pos);
			pos = (uint32_t)(hit - s.p) + d.n;
		}
		starts[0] = pos;
		hit = find(s, d, pos);
		starts[1] = hit ? (uint32_t)(hit - s.p) : s.n;
		out->d.s[i] = (SqlStr){s.p + starts[0], starts[1] - starts[0]};
	}
	return STELE_OK;
}
static int b_split_part(BindCtx *bc, Expr *e, StErr *err)
{
	return bind_sig(bc, e, "ssi", STELE_TYPE_VARCHAR, f_split_part, err);
}

const FuncDef func_str_defs[] = {
	{"lower", 1, 1, b_lower},
	{"upper", 1, 1, b_upper},
	{"length", 1, 1, b_length},
	{"char_length", 1, 1, b_length},
	{"character_length", 1, 1, b_length},
	{"octet_length", 1, 1, b_octets},
	{"substr", 2, 3, b_substr},
	{"substring", 2, 3, b_substr},
	{"left", 2, 2, b_left},
	{"right", 2, 2, b_right},
	{"concat", 1, -1, b_concat},
	{"concat_ws", 2, -1, b_concat_ws},
	{"strpos", 2, 2, b_strpos},
	{"starts_with", 2, 2, b_starts_with},
	{"replace", 3, 3, b_replace},
	{"btrim", 1, 2, b_btrim},
	{"trim", 1, 2, b_btrim},
	{"ltrim", 1, 2, b_ltrim},
	{"rtrim", 1, 2, b_rtrim},
	{"repeat", 2, 2, b_repeat},
	{"reverse", 1, 1, b_reverse},
	{"lpad", 2, 3, b_lpad},
	{"rpad", 2, 3, b_rpad},
	{"split_part", 3, 3, b_split_part},
	{NULL, 0, 0, NULL},
};
