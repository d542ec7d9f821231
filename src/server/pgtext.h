/*
 * pgtext.h - SQL text as the PostgreSQL front end needs to see it before
 * the engine does: tokens (to split a Query message into statements, to
 * recognize SET, SHOW, COPY and the catalog queries of clients), and a
 * canonical form of a statement for matching known query shapes.
 *
 * The lexer knows PostgreSQL's lexical rules that decide where a token
 * ends: '...' strings with '' inside, E'...' with backslash escapes,
 * $tag$...$tag$ dollar quotes, "..." identifiers, -- and nested C-style
 * comments, $N parameters, operators, numbers. It never fails: an
 * unterminated string or comment runs to the end of the text. Pure
 * functions (tests/fuzz/fuzz_pgwire.c runs them).
 */
#ifndef STELE_SERVER_PGTEXT_H
#define STELE_SERVER_PGTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

typedef enum PgTokKind {
	PGTK_END = 0,
	PGTK_WORD,       /* identifier or keyword, unquoted */
	PGTK_QIDENT,     /* "quoted identifier" */
	PGTK_STRING,     /* '...', E'...', $$...$$ (quotes included) */
	PGTK_NUMBER,
	PGTK_PARAM,      /* $1 */
	PGTK_OP,         /* operators, :: included */
	PGTK_PUNCT,      /* ( ) , ; [ ] . : one character */
} PgTokKind;

typedef struct PgTok {
	PgTokKind kind;
	const char *p;   /* the token's bytes in the text */
	size_t n;
} PgTok;

typedef struct PgLex {
	const char *p, *end;
} PgLex;

static inline PgLex pgtx_lex(const char *s, size_t n)
{
	PgLex lx = {s, s + n};
	return lx;
}

/* The next token, after spaces and comments; PGTK_END at the end. */
PgTok pgtx_next(PgLex *lx);

/* Length of the first statement of s[0..n), its ';' included (n when
 * there is none). *blank: it holds no token (only spaces, comments and
 * the ';'). */
size_t pgtx_split(const char *s, size_t n, bool *blank);

/* Whether t is the word w (unquoted, any case). */
bool pgtx_is(const PgTok *t, const char *w);
/* Whether t is the punctuation or operator text p. */
bool pgtx_punct(const PgTok *t, const char *p);

/* The value of a string token (quotes removed, '' and E'' escapes
 * decoded), of an identifier (a WORD lowercased, a QIDENT unquoted) or
 * the text of another token, into out[cap] NUL-terminated; cut to fit.
 * Returns its length. */
size_t pgtx_value(const PgTok *t, char *out, size_t cap);

/* The canonical form of s[0..n): its tokens separated by one space, words
 * lowercased, everything else as written. Comparing canonical forms
 * ignores spacing, line breaks, comments and case. */
void pgtx_canon(const char *s, size_t n, Buf *out);

/* Characters (UTF-8) in s[0..n), for error positions. */
size_t pgtx_chars(const char *s, size_t n);

#endif
