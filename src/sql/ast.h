/*
 * ast.h - the syntax tree of a SQL statement, as the grammar (parse.y)
 * builds it and the binder (bind.c) reads it.
 *
 * Every node lives in the statement's arena (Parser.arena) and dies with
 * it; nothing here is freed piece by piece. Nodes keep `pos`, the byte
 * offset in the statement text where they begin, so that errors can say
 * "at character N" as PostgreSQL does. Names are kept as written; the
 * binder folds unquoted names to lower case (the lexer marks quoted ones).
 *
 * The grammar's actions are one call each into the builders below
 * (STYLE.md, "The grammar is thin"). A builder that runs out of memory
 * records it in the Parser and returns NULL; the parse then fails.
 */
#ifndef STELE_SQL_AST_H
#define STELE_SQL_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/err.h"

/* A token: bytes of the statement text, and where they start. */
typedef struct Token {
	const char *z;
	uint32_t n;
	uint32_t pos;
	bool quoted;   /* a "quoted identifier" or a string literal with escapes
	                  already resolved into z */
} Token;

typedef enum AstKind {
	A_INT,         /* text: digits */
	A_FLOAT,       /* text: a numeric literal with '.' or an exponent */
	A_STR,         /* text: the string's value */
	A_NULL,
	A_BOOL,        /* ival: 0 or 1 */
	A_PARAM,       /* $N: ival = N */
	A_TYPED_STR,   /* type 'text' (TIMESTAMP '...', INTERVAL '...'): tname, text */
	A_COL,         /* [qual.]name */
	A_STAR,        /* [qual.]* */
	A_UNARY,       /* op: '-' '+' ; a */
	A_BINARY,      /* op: BinOp; a, b */
	A_AND, A_OR,   /* a, b */
	A_NOT,         /* a */
	A_ISNULL,      /* a IS [NOT] NULL: neg */
	A_ISBOOL,      /* a IS [NOT] TRUE/FALSE: ival = 1 true, 0 false; neg */
	A_DISTINCT_FROM, /* a IS [NOT] DISTINCT FROM b: neg */
	A_BETWEEN,     /* a BETWEEN b AND c; neg */
	A_IN,          /* a IN (list); neg */
	A_IN_SELECT,   /* a IN (query); neg */
	A_LIKE,        /* a LIKE b; neg; ival 1 for ILIKE */
	A_CASE,        /* CASE [a] WHEN..THEN.. [ELSE b] END: list of A_WHEN */
	A_WHEN,        /* a WHEN, b THEN */
	A_CAST,        /* a::tname */
	A_FUNC,        /* name(list); see AstFunc */
	A_SUBQUERY,    /* (query) as a scalar */
	A_EXISTS,      /* EXISTS (query) */
} AstKind;

typedef enum BinOp {
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW, OP_CONCAT,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
} BinOp;

typedef struct Ast Ast;
typedef struct Query Query;
typedef struct AstWindow AstWindow;

/* A list of nodes (expressions, select targets, order keys, ...). */
typedef struct AstList {
	uint32_t n, cap;
	void **v;
} AstList;

/* A type name as written: "double precision", "varchar(20)". */
typedef struct TypeName {
	char *name;      /* lower case, words joined by one space */
	int32_t arg;     /* (n), or -1 */
	uint32_t pos;
} TypeName;

/* Extra parts of a function call. */
typedef struct AstFunc {
	bool star;          /* count(*) */
	bool distinct;      /* agg(DISTINCT x) */
	Ast *filter;        /* FILTER (WHERE ...) */
	AstList *within;    /* WITHIN GROUP (ORDER BY ...): list of OrderItem */
	AstWindow *over;    /* OVER (...) */
} AstFunc;

struct Ast {
	uint8_t kind;       /* AstKind */
	uint8_t op;         /* BinOp, or a unary operator character */
	bool neg;
	int64_t ival;
	uint32_t pos;
	Token text;         /* literal text, function name */
	Token qual, name;   /* column: qualifier (n == 0 if none) and name */
	TypeName *tname;
	Ast *a, *b, *c;
	AstList *list;
	AstFunc *fn;
	Query *query;
};

/* ORDER BY item. nulls: 0 default, 1 FIRST, 2 LAST. */
typedef struct OrderItem {
	Ast *e;
	bool desc;
	uint8_t nulls;
} OrderItem;

/* Window frame bounds (ROWS/RANGE BETWEEN x AND y). */
typedef enum FrameBound {
	FB_UNBOUNDED_PRECEDING, FB_PRECEDING, FB_CURRENT, FB_FOLLOWING, FB_UNBOUNDED_FOLLOWING,
} FrameBound;

struct AstWindow {
	AstList *partition;   /* expressions */
	AstList *order;       /* OrderItem */
	bool has_frame;
	bool rows;            /* ROWS (else RANGE) */
	uint8_t start, end;   /* FrameBound */
	Ast *start_n, *end_n; /* offsets for FB_PRECEDING / FB_FOLLOWING */
	uint32_t pos;
};

/* SELECT target: expression and alias. */
typedef struct Target {
	Ast *e;
	Token alias;          /* n == 0: none */
} Target;

typedef enum FromKind { F_TABLE, F_SUBQUERY, F_JOIN } FromKind;
typedef enum JoinKind { J_INNER, J_LEFT, J_CROSS, J_ASOF, J_ASOF_LEFT } JoinKind;

typedef struct FromItem FromItem;
struct FromItem {
	uint8_t kind;         /* FromKind */
	uint8_t join;         /* JoinKind */
	Token schema, name;   /* F_TABLE: [schema.]name */
	Token alias;
	Query *query;         /* F_SUBQUERY */
	FromItem *left, *right;
	AstList *colnames;    /* AS alias(c1, c2, ...): list of Token* */
	Ast *on;              /* F_JOIN */
	AstList *using_;      /* F_JOIN USING (names): list of Token* */
	uint32_t pos;
};

/* One SELECT ... [FROM] [WHERE] [GROUP BY] [HAVING], or VALUES. */
typedef struct SelectCore {
	bool distinct;
	AstList *distinct_on; /* DISTINCT ON (exprs) */
	AstList *targets;     /* Target */
	FromItem *from;       /* NULL: none (a comma list is a cross join) */
	Ast *where;
	AstList *group;       /* expressions */
	Ast *having;
	AstList *values;      /* VALUES: list of rows, each an AstList of Ast */
	uint32_t pos;
} SelectCore;

/* A common table expression. */
typedef struct Cte {
	Token name;
	AstList *colnames;    /* WITH name(c1, ...) AS: list of Token*, or NULL */
	Query *query;
} Cte;

/* A query: a SELECT core or a UNION ALL of queries, with ORDER BY / LIMIT. */
struct Query {
	AstList *with;        /* Cte */
	SelectCore *core;     /* or NULL when a set operation: */
	Query *left, *right;  /* left UNION ALL right */
	bool union_all;
	AstList *order;       /* OrderItem */
	Ast *limit, *offset;
	uint32_t pos;
};

/* Column definition in CREATE TABLE / ALTER TABLE ADD COLUMN. */
typedef struct ColDef {
	Token name;
	TypeName *type;
	bool is_tag;
} ColDef;

/* Option NAME = value in CREATE TABLE ... WITH (...). */
typedef struct TableOpt {
	Token name;
	Ast *value;
} TableOpt;

typedef enum StmtKind {
	S_SELECT, S_EXPLAIN, S_CREATE_TABLE, S_DROP_TABLE, S_ALTER_ADD, S_INSERT, S_DELETE,
	S_SHOW_TABLES, S_SET, S_SHOW, S_BEGIN, S_COMMIT, S_ROLLBACK,
} StmtKind;

typedef struct Stmt {
	uint8_t kind;         /* StmtKind */
	bool analyze;         /* EXPLAIN ANALYZE */
	bool if_exists, if_not_exists;
	struct Stmt *inner;   /* EXPLAIN's statement */
	Query *query;         /* SELECT, INSERT ... SELECT */
	Token table;          /* CREATE/DROP/ALTER/INSERT/DELETE target; SET/SHOW name */
	AstList *coldefs;     /* ColDef */
	AstList *opts;        /* TableOpt */
	AstList *cols;        /* INSERT column list: Token* */
	Ast *where;           /* DELETE */
	Ast *value;           /* SET name = value */
	uint32_t pos;
} Stmt;

/* The parse of one statement text. */
typedef struct Parser {
	Arena *arena;
	const char *sql;      /* the statement text (not NUL-terminated) */
	uint32_t len;
	AstList *stmts;       /* Stmt*, one per ';'-separated statement */
	int rc;               /* first failure: STELE_EPARSE, STELE_ENOMEM */
	StErr *err;
	uint32_t err_pos;     /* byte offset of the failure */
} Parser;

/* Parses `sql` into p->stmts. With first_only, stops after the first
 * statement and sets *end to the offset just past its ';' (or the end).
 * On failure returns STELE_EPARSE (with "syntax error at or near \"X\"
 * at character N") or STELE_ENOMEM. p->arena must be set; everything is
 * allocated there. */
int sql_parse(Parser *p, const char *sql, size_t len, bool first_only, uint32_t *end,
              StErr *err);

/* Reports a failure at byte offset pos; returns rc. Only the first sticks. */
int parser_fail(Parser *p, int rc, uint32_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The 1-based character position (UTF-8 aware) of byte offset off. */
uint32_t sql_char_pos(const char *sql, uint32_t off);

/* Builders called by the grammar. */
void *ast_alloc(Parser *p, size_t n);
Token *ast_alloc_token(Parser *p, Token t);
Token ast_token(Parser *p, const char *text, uint32_t pos);
AstList *ast_list(Parser *p, AstList *l, void *item);
Ast *ast_lit(Parser *p, AstKind k, Token t);
Ast *ast_bool(Parser *p, bool v, Token t);
Ast *ast_param(Parser *p, Token t);
Ast *ast_typed_str(Parser *p, TypeName *t, Token s);
Ast *ast_col(Parser *p, Token *qual, Token name);
Ast *ast_star(Parser *p, Token *qual, Token at);
Ast *ast_unary(Parser *p, char op, Ast *a, Token at);
Ast *ast_binary(Parser *p, BinOp op, Ast *a, Ast *b);
Ast *ast_logic(Parser *p, AstKind k, Ast *a, Ast *b);
Ast *ast_not(Parser *p, Ast *a, Token at);
Ast *ast_isnull(Parser *p, Ast *a, bool neg);
Ast *ast_isbool(Parser *p, Ast *a, bool v, bool neg);
Ast *ast_distinct_from(Parser *p, Ast *a, Ast *b, bool neg);
Ast *ast_between(Parser *p, Ast *a, Ast *lo, Ast *hi, bool neg);
Ast *ast_in(Parser *p, Ast *a, AstList *l, bool neg);
Ast *ast_in_select(Parser *p, Ast *a, Query *q, bool neg);
Ast *ast_like(Parser *p, Ast *a, Ast *pat, bool neg, bool ilike);
Ast *ast_case(Parser *p, Ast *operand, AstList *whens, Ast *els, Token at);
Ast *ast_when(Parser *p, Ast *cond, Ast *then);
Ast *ast_cast(Parser *p, Ast *a, TypeName *t);
Ast *ast_func(Parser *p, Token name, AstList *args, bool distinct, bool star);
Ast *ast_func_extras(Parser *p, Ast *f, AstList *within, Ast *filter, AstWindow *over);
Ast *ast_func2(Parser *p, const char *name, Token at, Ast *a, Ast *b, Ast *c);
Ast *ast_subquery(Parser *p, Query *q, bool exists, Token at);
TypeName *ast_typename(Parser *p, Token t, const char *more, int32_t arg);
TypeName *ast_typename_word(Parser *p, TypeName *t, Token word);
OrderItem *ast_order(Parser *p, Ast *e, bool desc, int nulls);
AstWindow *ast_window(Parser *p, AstList *partition, AstList *order, Token at);
AstWindow *ast_frame(Parser *p, AstWindow *w, bool rows, int start, Ast *sn, int end, Ast *en);
Target *ast_target(Parser *p, Ast *e, Token *alias);
FromItem *ast_from_table(Parser *p, Token *schema, Token name, Token *alias);
FromItem *ast_from_subquery(Parser *p, Query *q, Token *alias, Token at);
FromItem *ast_join(Parser *p, FromItem *l, FromItem *r, JoinKind k, Ast *on, AstList *using_);
SelectCore *ast_select(Parser *p, bool distinct, AstList *distinct_on, AstList *targets,
                       FromItem *from, Ast *where, AstList *group, Ast *having, Token at);
SelectCore *ast_values(Parser *p, AstList *rows, Token at);
Query *ast_query(Parser *p, SelectCore *core);
Query *ast_union(Parser *p, Query *l, Query *r, bool all);
Query *ast_query_tail(Parser *p, Query *q, AstList *with, AstList *order, Ast *limit,
                      Ast *offset);
Cte *ast_cte(Parser *p, Token name, AstList *cols, Query *q);
FromItem *ast_from_alias(Parser *p, FromItem *f, Token alias, AstList *cols);
ColDef *ast_coldef(Parser *p, Token name, TypeName *t, bool is_tag);
TableOpt *ast_tableopt(Parser *p, Token name, Ast *value);
Stmt *ast_stmt(Parser *p, StmtKind k, Token at);
Stmt *ast_stmt_select(Parser *p, Query *q);
Stmt *ast_explain(Parser *p, Stmt *inner, bool analyze, Token at);
Stmt *ast_create(Parser *p, Token name, AstList *cols, AstList *opts, bool if_not_exists,
                 Token at);
Stmt *ast_drop(Parser *p, Token name, bool if_exists, Token at);
Stmt *ast_alter_add(Parser *p, Token name, ColDef *c, Token at);
Stmt *ast_insert(Parser *p, Token name, AstList *cols, Query *q, Token at);
Stmt *ast_delete(Parser *p, Token name, Ast *where, Token at);
Stmt *ast_set(Parser *p, Token name, Ast *value, Token at);
Stmt *ast_show(Parser *p, Token name, Token at);
void ast_add_stmt(Parser *p, Stmt *s);

#endif
