/*
 * pgtext.c - PostgreSQL's lexical rules, as far as the front end needs
 * them (pgtext.h). Follows scan.l of PostgreSQL 15: identifiers may hold
 * '$' after the first character, operators are runs of
 * + - * / < > = ~ ! @ # % ^ & | ` ? (but "--" and a C comment's opening
 * start comments),
 * E'...' strings take backslash escapes, a dollar quote's tag is an
 * identifier without '$'.
 */
#include <string.h>

#include "server/pgtext.h"

static bool ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool ident_char(unsigned char c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static bool op_char(unsigned char c)
{
	return c && strchr("+-*/<>=~!@#%^&|`?", c) != NULL;
}

static bool space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Skips spaces and comments. */
static void skip(PgLex *lx)
{
	const char *p = lx->p, *e = lx->end;
	for (;;) {
		while (p < e && space((unsigned char)*p))
			p++;
		if (e - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < e && *p != '\n')
				p++;
			continue;
		}
		if (e - p >= 2 && p[0] == '/' && p[1] == '*') {
			int depth = 1;
			p += 2;
			while (p < e && depth) {
				if (e - p >= 2 && p[0] == '/' && p[1] == '*')
					depth++, p += 2;
				else if (e - p >= 2 && p[0] == '*' && p[1] == '/')
					depth--, p += 2;
				else
					p++;
			}
			continue;
		}
		break;
	}
	lx->p = p;
}

/* A quoted run from p (at the opening quote q) to after the closing one;
 * a doubled quote stays inside; `backslash`: \x escapes the next byte. */
static const char *quoted(const char *p, const char *e, char q, bool backslash)
{
	p++;
	while (p < e) {
		if (backslash && *p == '\\' && p + 1 < e) {
			p += 2;
			continue;
		}
		if (*p == q) {
			if (p + 1 < e && p[1] == q) {
				p += 2;
				continue;
			}
			return p + 1;
		}
		p++;
	}
	return e;
}

/* A dollar quote at p ("$tag$"); NULL when p does not start one. */
static const char *dollar(const char *p, const char *e)
{
	const char *t = p + 1;
	if (t < e && !ident_start((unsigned char)*t) && *t != '$')
		return NULL;
	while (t < e && *t != '$') {
		if (!ident_char((unsigned char)*t) || *t == '$')
			return NULL;
		t++;
	}
	if (t >= e)
		return NULL;
	size_t tag = (size_t)(t - p) + 1;   /* "$tag$" */
	for (const char *q = t + 1; q + tag <= e; q++)
		if (*q == '$' && memcmp(q, p, tag) == 0)
			return q + tag;
	return e;
}

PgTok pgtx_next(PgLex *lx)
{
	skip(lx);
	const char *p = lx->p, *e = lx->end;
	PgTok t = {PGTK_END, p, 0};
	if (p >= e)
		return t;
	unsigned char c = (unsigned char)*p;
	const char *q = p + 1;
	if ((c == 'E' || c == 'e') && q < e && *q == '\'') {
		t.kind = PGTK_STRING;
		q = quoted(q, e, '\'', true);
	} else if ((c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n') && q < e &&
	           *q == '\'') {
		t.kind = PGTK_STRING;
		q = quoted(q, e, '\'', false);
	} else if ((c == 'U' || c == 'u') && e - q >= 2 && q[0] == '&' && (q[1] == '\'' || q[1] == '"')) {
		t.kind = q[1] == '\'' ? PGTK_STRING : PGTK_QIDENT;
		q = quoted(q + 1, e, q[1], false);
	} else if (ident_start(c)) {
		t.kind = PGTK_WORD;
		while (q < e && ident_char((unsigned char)*q))
			q++;
	} else if (c == '\'') {
		t.kind = PGTK_STRING;
		q = quoted(p, e, '\'', false);
	} else if (c == '"') {
		t.kind = PGTK_QIDENT;
		q = quoted(p, e, '"', false);
	} else if (c == '$' && q < e && is_digit((unsigned char)*q)) {
		t.kind = PGTK_PARAM;
		while (q < e && is_digit((unsigned char)*q))
			q++;
	} else if (c == '$' && (q = dollar(p, e)) != NULL) {
		t.kind = PGTK_STRING;
	} else if (is_digit(c) || (c == '.' && q < e && is_digit((unsigned char)*q))) {
		t.kind = PGTK_NUMBER;
		q = p;
		while (q < e && (is_digit((unsigned char)*q) || *q == '.' || *q == '_'))
			q++;
		if (q < e && (*q == 'e' || *q == 'E')) {
			const char *x = q + 1;
			if (x < e && (*x == '+' || *x == '-'))
				x++;
			if (x < e && is_digit((unsigned char)*x)) {
				q = x;
				while (q < e && is_digit((unsigned char)*q))
					q++;
			}
		}
	} else if (c == ':' && q < e && *q == ':') {
		t.kind = PGTK_OP;
		q++;
	} else if (op_char(c)) {
		t.kind = PGTK_OP;
		q = p;
		while (q < e && op_char((unsigned char)*q)) {
			if (e - q >= 2 && ((q[0] == '-' && q[1] == '-') || (q[0] == '/' && q[1] == '*')) &&
			    q > p)
				break;
			q++;
		}
	} else {
		t.kind = PGTK_PUNCT;
		q = p + 1;
		/* A lone '$' or a UTF-8 lead byte handled above; everything else
		 * is one byte. */
	}
	t.n = (size_t)(q - p);
	lx->p = q;
	return t;
}

size_t pgtx_split(const char *s, size_t n, bool *blank)
{
	PgLex lx = pgtx_lex(s, n);
	*blank = true;
	for (;;) {
		PgTok t = pgtx_next(&lx);
		if (t.kind == PGTK_END)
			return n;
		if (t.kind == PGTK_PUNCT && t.p[0] == ';')
			return (size_t)(lx.p - s);
		*blank = false;
	}
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

bool pgtx_is(const PgTok *t, const char *w)
{
	if (t->kind != PGTK_WORD || strlen(w) != t->n)
		return false;
	for (size_t i = 0; i < t->n; i++)
		if (lower(t->p[i]) != lower(w[i]))
			return false;
	return true;
}

bool pgtx_punct(const PgTok *t, const char *p)
{
	return (t->kind == PGTK_PUNCT || t->kind == PGTK_OP) && strlen(p) == t->n &&
	       memcmp(t->p, p, t->n) == 0;
}

size_t pgtx_value(const PgTok *t, char *out, size_t cap)
{
	size_t k = 0;
	if (cap == 0)
		return 0;
#define PUT(ch) do { char ch_ = (ch); if (k + 1 < cap) out[k++] = ch_; } while (0)
	const char *p = t->p, *e = t->p + t->n;
	if (t->kind == PGTK_WORD) {
		for (; p < e; p++)
			PUT(lower(*p));
	} else if (t->kind == PGTK_QIDENT || (t->kind == PGTK_STRING && (*p == '\'' ||
	           ((*p == 'E' || *p == 'e') && p + 1 < e && p[1] == '\'')))) {
		bool esc = *p == 'E' || *p == 'e';
		if (esc)
			p++;
		char q = *p++;
		if (e > p && e[-1] == q)
			e--;
		while (p < e) {
			if (*p == q && p + 1 < e && p[1] == q) {
				PUT(q);
				p += 2;
			} else if (esc && *p == '\\' && p + 1 < e) {
				char c = p[1];
				PUT(c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'b' ? '\b'
				    : c == 'f' ? '\f' : c);
				p += 2;
			} else {
				PUT(*p++);
			}
		}
	} else if (t->kind == PGTK_STRING && *p == '$') {
		const char *tag = memchr(p + 1, '$', t->n - 1);
		size_t tl = tag ? (size_t)(tag - p) + 1 : t->n;
		if (t->n >= 2 * tl)
			for (const char *x = p + tl; x < e - tl; x++)
				PUT(*x);
	} else {
		for (; p < e; p++)
			PUT(*p);
	}
#undef PUT
	out[k] = '\0';
	return k;
}

void pgtx_canon(const char *s, size_t n, Buf *out)
{
	PgLex lx = pgtx_lex(s, n);
	bool first = true;
	for (;;) {
		PgTok t = pgtx_next(&lx);
		if (t.kind == PGTK_END)
			break;
		if (!first)
			buf_put_u8(out, ' ');
		first = false;
		if (t.kind == PGTK_WORD) {
			if (!buf_reserve(out, t.n))
				return;
			for (size_t i = 0; i < t.n; i++)
				out->data[out->len++] = (uint8_t)lower(t.p[i]);
		} else {
			buf_put(out, t.p, t.n);
		}
	}
}

size_t pgtx_chars(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}
