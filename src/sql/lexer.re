/*
 * lexer.re - the SQL lexer (see lexer.h). re2c turns this file into
 * lexer.c in the build directory.
 *
 * The text is scanned from a NUL-terminated copy in the arena (sql_parse
 * makes it); a NUL byte before the end is an error. Keywords are matched
 * case-insensitively by re2c itself ('select' in single quotes); a longer
 * word is an identifier, as is a keyword in quotes.
 */
#include <ctype.h>
#include <string.h>

#include "sql/lexer.h"
#include "parse.h"

/* An identifier folded to lower case (ASCII only, as PostgreSQL does). */
static int ident(Parser *p, const char *s, uint32_t n, uint32_t pos, Token *t)
{
	char *z = ast_alloc(p, n + 1);
	if (!z)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		z[i] = (char)tolower((unsigned char)s[i]);
	z[n] = '\0';
	*t = (Token){.z = z, .n = n, .pos = pos};
	return TK_ID;
}

/* A quoted string or identifier body [s, e) with doubled quote characters
 * `q`, and for E'' strings backslash escapes. */
static int unquote(Parser *p, const char *s, const char *e, char q, bool escapes, uint32_t pos,
                   Token *t, int code)
{
	char *z = ast_alloc(p, (size_t)(e - s) + 1);
	if (!z)
		return -1;
	uint32_t n = 0;
	for (const char *c = s; c < e; c++) {
		if (*c == q && c + 1 < e && c[1] == q) {
			z[n++] = q;
			c++;
		} else if (escapes && *c == '\\' && c + 1 < e) {
			c++;
			switch (*c) {
			case 'n': z[n++] = '\n'; break;
			case 't': z[n++] = '\t'; break;
			case 'r': z[n++] = '\r'; break;
			case 'b': z[n++] = '\b'; break;
			case 'f': z[n++] = '\f'; break;
			default: z[n++] = *c; break;
			}
		} else {
			z[n++] = *c;
		}
	}
	z[n] = '\0';
	*t = (Token){.z = z, .n = n, .pos = pos, .quoted = true};
	return code;
}

/* Skips a C-style comment from just after its opening; nested ones too.
 * Returns the offset after it, or UINT32_MAX when it never ends. */
static uint32_t skip_comment(const char *s, uint32_t i, uint32_t len)
{
	int depth = 1;
	while (i + 1 < len) {
		if (s[i] == '*' && s[i + 1] == '/') {
			i += 2;
			if (--depth == 0)
				return i;
		} else if (s[i] == '/' && s[i + 1] == '*') {
			i += 2;
			depth++;
		} else {
			i++;
		}
	}
	return UINT32_MAX;
}

int sql_lex(Parser *p, uint32_t *off, Token *t)
{
	const char *base = p->sql;
	for (;;) {
		const char *YYCURSOR = base + *off, *YYMARKER = YYCURSOR, *tok = YYCURSOR;
		uint32_t pos = *off;
#define TOKEN(code)                                                              \
	do {                                                                     \
		*t = (Token){.z = tok, .n = (uint32_t)(YYCURSOR - tok), .pos = pos}; \
		*off = (uint32_t)(YYCURSOR - base);                              \
		return (code);                                                   \
	} while (0)
	/*!re2c
		re2c:define:YYCTYPE = "unsigned char";
		re2c:yyfill:enable = 0;
		re2c:flags:input = custom;
		re2c:api:style = free-form;
		re2c:define:YYPEEK = "*(const unsigned char *)YYCURSOR";
		re2c:define:YYSKIP = "++YYCURSOR;";
		re2c:define:YYBACKUP = "YYMARKER = YYCURSOR;";
		re2c:define:YYRESTORE = "YYCURSOR = YYMARKER;";

		digit = [0-9];
		letter = [a-zA-Z_\x80-\xff];
		word = letter (letter | digit | "$")*;
		space = [ \t\r\n\f\v]+;
		exp = [eE] [+-]? digit+;

		"\x00" {
			if (pos >= p->len) {
				*t = (Token){.z = base + p->len, .n = 0, .pos = p->len};
				*off = p->len;
				return 0;
			}
			parser_fail(p, STELE_EPARSE, pos, "invalid byte 0x00 in statement");
			return -1;
		}
		space { *off = (uint32_t)(YYCURSOR - base); continue; }
		"--" [^\n\x00]* { *off = (uint32_t)(YYCURSOR - base); continue; }
		"/*" {
			uint32_t e = skip_comment(base, (uint32_t)(YYCURSOR - base), p->len);
			if (e == UINT32_MAX) {
				parser_fail(p, STELE_EPARSE, pos, "unterminated /* comment");
				return -1;
			}
			*off = e;
			continue;
		}

		'abort' { TOKEN(TK_ABORT); }
		'add' { TOKEN(TK_ADD); }
		'all' { TOKEN(TK_ALL); }
		'alter' { TOKEN(TK_ALTER); }
		'analyze' | 'analyse' { TOKEN(TK_ANALYZE); }
		'and' { TOKEN(TK_AND); }
		'as' { TOKEN(TK_AS); }
		'asc' { TOKEN(TK_ASC); }
		'asof' { TOKEN(TK_ASOF); }
		'begin' { TOKEN(TK_BEGIN); }
		'between' { TOKEN(TK_BETWEEN); }
		'by' { TOKEN(TK_BY); }
		'case' { TOKEN(TK_CASE); }
		'cast' { TOKEN(TK_CAST); }
		'character' { TOKEN(TK_CHARACTER); }
		'column' { TOKEN(TK_COLUMN); }
		'commit' { TOKEN(TK_COMMIT); }
		'create' { TOKEN(TK_CREATE); }
		'cross' { TOKEN(TK_CROSS); }
		'current' { TOKEN(TK_CURRENT); }
		'current_timestamp' { TOKEN(TK_CURRENT_TIMESTAMP); }
		'default' { TOKEN(TK_DEFAULT); }
		'delete' { TOKEN(TK_DELETE); }
		'desc' { TOKEN(TK_DESC); }
		'distinct' { TOKEN(TK_DISTINCT); }
		'double' { TOKEN(TK_DOUBLE); }
		'drop' { TOKEN(TK_DROP); }
		'else' { TOKEN(TK_ELSE); }
		'end' { TOKEN(TK_END); }
		'exists' { TOKEN(TK_EXISTS); }
		'explain' { TOKEN(TK_EXPLAIN); }
		'extract' { TOKEN(TK_EXTRACT); }
		'false' { TOKEN(TK_FALSE); }
		'filter' { TOKEN(TK_FILTER); }
		'first' { TOKEN(TK_FIRST); }
		'following' { TOKEN(TK_FOLLOWING); }
		'for' { TOKEN(TK_FOR); }
		'from' { TOKEN(TK_FROM); }
		'group' { TOKEN(TK_GROUP); }
		'having' { TOKEN(TK_HAVING); }
		'if' { TOKEN(TK_IF); }
		'ilike' { TOKEN(TK_ILIKE); }
		'in' { TOKEN(TK_IN); }
		'inner' { TOKEN(TK_INNER); }
		'insert' { TOKEN(TK_INSERT); }
		'interval' { TOKEN(TK_INTERVAL); }
		'into' { TOKEN(TK_INTO); }
		'is' { TOKEN(TK_IS); }
		'isnull' { TOKEN(TK_ISNULL); }
		'join' { TOKEN(TK_JOIN); }
		'last' { TOKEN(TK_LAST); }
		'left' { TOKEN(TK_LEFT); }
		'like' { TOKEN(TK_LIKE); }
		'limit' { TOKEN(TK_LIMIT); }
		'local' { TOKEN(TK_LOCAL); }
		'not' { TOKEN(TK_NOT); }
		'notnull' { TOKEN(TK_NOTNULL); }
		'null' { TOKEN(TK_NULL); }
		'nulls' { TOKEN(TK_NULLS); }
		'offset' { TOKEN(TK_OFFSET); }
		'on' { TOKEN(TK_ON); }
		'or' { TOKEN(TK_OR); }
		'order' { TOKEN(TK_ORDER); }
		'outer' { TOKEN(TK_OUTER); }
		'over' { TOKEN(TK_OVER); }
		'partition' { TOKEN(TK_PARTITION); }
		'preceding' { TOKEN(TK_PRECEDING); }
		'precision' { TOKEN(TK_PRECISION); }
		'range' { TOKEN(TK_RANGE); }
		'rollback' { TOKEN(TK_ROLLBACK); }
		'row' { TOKEN(TK_ROW); }
		'rows' { TOKEN(TK_ROWS); }
		'select' { TOKEN(TK_SELECT); }
		'session' { TOKEN(TK_SESSION); }
		'set' { TOKEN(TK_SET); }
		'show' { TOKEN(TK_SHOW); }
		'start' { TOKEN(TK_START); }
		'substring' { TOKEN(TK_SUBSTRING); }
		'table' { TOKEN(TK_TABLE); }
		'tables' { TOKEN(TK_TABLES); }
		'tag' { TOKEN(TK_TAG); }
		'then' { TOKEN(TK_THEN); }
		'time' { TOKEN(TK_TIME); }
		'timestamp' { TOKEN(TK_TIMESTAMP); }
		'to' { TOKEN(TK_TO); }
		'transaction' { TOKEN(TK_TRANSACTION); }
		'true' { TOKEN(TK_TRUE); }
		'unbounded' { TOKEN(TK_UNBOUNDED); }
		'union' { TOKEN(TK_UNION); }
		'using' { TOKEN(TK_USING); }
		'values' { TOKEN(TK_VALUES); }
		'varying' { TOKEN(TK_VARYING); }
		'when' { TOKEN(TK_WHEN); }
		'where' { TOKEN(TK_WHERE); }
		'with' { TOKEN(TK_WITH); }
		'within' { TOKEN(TK_WITHIN); }
		'without' { TOKEN(TK_WITHOUT); }
		'zone' { TOKEN(TK_ZONE); }

		word {
			*off = (uint32_t)(YYCURSOR - base);
			return ident(p, tok, (uint32_t)(YYCURSOR - tok), pos, t);
		}
		["] ([^"\x00] | ["]["])* ["] {
			*off = (uint32_t)(YYCURSOR - base);
			if (YYCURSOR - tok == 2) {
				parser_fail(p, STELE_EPARSE, pos, "zero-length delimited identifier");
				return -1;
			}
			return unquote(p, tok + 1, YYCURSOR - 1, '"', false, pos, t, TK_ID);
		}
		["] { parser_fail(p, STELE_EPARSE, pos, "unterminated quoted identifier"); return -1; }
		['] ([^'\x00] | [']['])* ['] {
			*off = (uint32_t)(YYCURSOR - base);
			return unquote(p, tok + 1, YYCURSOR - 1, '\'', false, pos, t, TK_STRING);
		}
		[eE] ['] ([^'\\\x00] | [']['] | "\\" [^\x00])* ['] {
			*off = (uint32_t)(YYCURSOR - base);
			return unquote(p, tok + 2, YYCURSOR - 1, '\'', true, pos, t, TK_STRING);
		}
		[eE]? ['] { parser_fail(p, STELE_EPARSE, pos, "unterminated quoted string"); return -1; }

		digit+ { TOKEN(TK_INTEGER); }
		(digit+ "." digit* | "." digit+) exp? | digit+ exp { TOKEN(TK_FLOAT); }
		"$" digit+ { TOKEN(TK_PARAM); }

		"(" { TOKEN(TK_LP); }
		")" { TOKEN(TK_RP); }
		"," { TOKEN(TK_COMMA); }
		";" { TOKEN(TK_SEMI); }
		"." { TOKEN(TK_DOT); }
		"*" { TOKEN(TK_STAR); }
		"+" { TOKEN(TK_PLUS); }
		"-" { TOKEN(TK_MINUS); }
		"/" { TOKEN(TK_SLASH); }
		"%" { TOKEN(TK_PERCENT); }
		"^" { TOKEN(TK_CARET); }
		"||" { TOKEN(TK_CONCAT); }
		"::" { TOKEN(TK_DCOLON); }
		"=" | "==" { TOKEN(TK_EQ); }
		"<>" | "!=" { TOKEN(TK_NE); }
		"<" { TOKEN(TK_LT); }
		"<=" { TOKEN(TK_LE); }
		">" { TOKEN(TK_GT); }
		">=" { TOKEN(TK_GE); }

		* {
			unsigned char c = (unsigned char)*tok;
			if (c >= 0x20 && c < 0x7f)
				parser_fail(p, STELE_EPARSE, pos, "syntax error at or near \"%c\"", c);
			else
				parser_fail(p, STELE_EPARSE, pos, "invalid byte 0x%02x in statement", c);
			return -1;
		}
	*/
#undef TOKEN
	}
}
