/*
 * lexer.h - the SQL lexer (lexer.re, turned into C by re2c at build time).
 *
 * Tokens are PostgreSQL's: identifiers (unquoted ones folded to lower
 * case; "quoted" ones kept as written, "" for a quote), keywords (any
 * case), integers and decimals, 'strings' ('' for a quote; E'...' with
 * backslash escapes), $N parameters, operators, -- and C-style comments
 * (nested, as PostgreSQL allows).
 */
#ifndef STELE_SQL_LEXER_H
#define STELE_SQL_LEXER_H

#include "sql/ast.h"

/* The next token of p->sql from byte *off: its code (TK_* from parse.h),
 * 0 at the end of the text, or -1 after a lexical error (recorded in p).
 * Token text that needs rewriting (folded or unescaped) is copied into
 * p->arena; otherwise t->z points into p->sql. */
int sql_lex(Parser *p, uint32_t *off, Token *t);

#endif
