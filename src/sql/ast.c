/* ast.c - syntax tree builders for the grammar, and the parse driver (see
 * ast.h). */
#include "sql/ast.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/lexer.h"
#include "parse.h"

/* lemon's interface (parse.c). */
void *sqlParseAlloc(void *(*alloc)(size_t));
void sqlParseFree(void *parser, void (*release)(void *));
void sqlParse(void *parser, int code, Token tok, Parser *p);

uint32_t sql_char_pos(const char *sql, uint32_t off)
{
	uint32_t n = 1;
	for (uint32_t i = 0; i < off; i++)
		if (((unsigned char)sql[i] & 0xc0) != 0x80)
			n++;
	return n;
}

int parser_fail(Parser *p, int rc, uint32_t pos, const char *fmt, ...)
{
	if (p->rc)
		return p->rc;
	p->rc = rc;
	p->err_pos = pos;
	if (p->err) {
		char msg[STELE_ERR_MSG_MAX];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		if (rc == STELE_EPARSE)
			failf(p->err, rc, "%s at character %u", msg, sql_char_pos(p->sql, pos));
		else
			failf(p->err, rc, "%s", msg);
	}
	return rc;
}

void *ast_alloc(Parser *p, size_t n)
{
	void *m = arena_alloc(p->arena, n);
	if (!m) {
		parser_fail(p, STELE_ENOMEM, 0, "out of memory parsing a statement");
		return NULL;
	}
	memset(m, 0, n);
	return m;
}

Token *ast_alloc_token(Parser *p, Token t)
{
	Token *m = ast_alloc(p, sizeof *m);
	if (m)
		*m = t;
	return m;
}

Token ast_token(Parser *p, const char *text, uint32_t pos)
{
	(void)p;
	return (Token){.z = text, .n = (uint32_t)strlen(text), .pos = pos};
}

AstList *ast_list(Parser *p, AstList *l, void *item)
{
	if (!l) {
		l = ast_alloc(p, sizeof *l);
		if (!l)
			return NULL;
	}
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 4;
		void **v = ast_alloc(p, cap * sizeof *v);
		if (!v)
			return l;
		if (l->n)
			memcpy(v, l->v, l->n * sizeof *v);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = item;
	return l;
}

static Ast *node(Parser *p, AstKind k, uint32_t pos)
{
	Ast *a = ast_alloc(p, sizeof *a);
	if (a) {
		a->kind = (uint8_t)k;
		a->pos = pos;
	}
	return a;
}

Ast *ast_lit(Parser *p, AstKind k, Token t)
{
	Ast *a = node(p, k, t.pos);
	if (a)
		a->text = t;
	return a;
}

Ast *ast_bool(Parser *p, bool v, Token t)
{
	Ast *a = node(p, A_BOOL, t.pos);
	if (a)
		a->ival = v;
	return a;
}

Ast *ast_param(Parser *p, Token t)
{
	Ast *a = node(p, A_PARAM, t.pos);
	if (a) {
		a->text = t;
		a->ival = strtol(t.z + 1, NULL, 10);
	}
	return a;
}

Ast *ast_typed_str(Parser *p, TypeName *t, Token s)
{
	Ast *a = node(p, A_TYPED_STR, t ? t->pos : s.pos);
	if (a) {
		a->tname = t;
		a->text = s;
	}
	return a;
}

Ast *ast_col(Parser *p, Token *qual, Token name)
{
	Ast *a = node(p, A_COL, qual ? qual->pos : name.pos);
	if (a) {
		if (qual)
			a->qual = *qual;
		a->name = name;
	}
	return a;
}

Ast *ast_star(Parser *p, Token *qual, Token at)
{
	Ast *a = node(p, A_STAR, qual ? qual->pos : at.pos);
	if (a && qual)
		a->qual = *qual;
	return a;
}

Ast *ast_unary(Parser *p, char op, Ast *x, Token at)
{
	Ast *a = node(p, A_UNARY, at.pos);
	if (a) {
		a->op = (uint8_t)op;
		a->a = x;
	}
	return a;
}

Ast *ast_binary(Parser *p, BinOp op, Ast *x, Ast *y)
{
	Ast *a = node(p, A_BINARY, x ? x->pos : 0);
	if (a) {
		a->op = (uint8_t)op;
		a->a = x;
		a->b = y;
	}
	return a;
}

Ast *ast_logic(Parser *p, AstKind k, Ast *x, Ast *y)
{
	Ast *a = node(p, k, x ? x->pos : 0);
	if (a) {
		a->a = x;
		a->b = y;
	}
	return a;
}

Ast *ast_not(Parser *p, Ast *x, Token at)
{
	Ast *a = node(p, A_NOT, at.pos);
	if (a)
		a->a = x;
	return a;
}

Ast *ast_isnull(Parser *p, Ast *x, bool neg)
{
	Ast *a = node(p, A_ISNULL, x ? x->pos : 0);
	if (a) {
		a->a = x;
		a->neg = neg;
	}
	return a;
}

Ast *ast_isbool(Parser *p, Ast *x, bool v, bool neg)
{
	Ast *a = node(p, A_ISBOOL, x ? x->pos : 0);
	if (a) {
		a->a = x;
		a->ival = v;
		a->neg = neg;
	}
	return a;
}

Ast *ast_distinct_from(Parser *p, Ast *x, Ast *y, bool neg)
{
	Ast *a = node(p, A_DISTINCT_FROM, x ? x->pos : 0);
	if (a) {
		a->a = x;
		a->b = y;
		a->neg = neg;
	}
	return a;
}

Ast *ast_between(Parser *p, Ast *x, Ast *lo, Ast *hi, bool neg)
{
	Ast *a = node(p, A_BETWEEN, x ? x->pos : 0);
	if (a) {
		a->a = x;
		a->b = lo;
		a->c = hi;
		a->neg = neg;
	}
	return a;
}

Ast *ast_in(Parser *p, Ast *x, AstList *l, bool neg)
{
	Ast *a = node(p, A_IN, x ? x->pos : 0);
	if (a) {
		a->a = x;
		a->list = l;
		a->neg = neg;
	}
	return a;
}

Ast *ast_in_select(Parser *p, Ast *x, Query *q, bool neg)
{
	Ast *a = node(p, A_IN_SELECT, x ? x->pos : 0);
	if (a) {
		a->a = x;
		a->query = q;
		a->neg = neg;
	}
	return a;
}

Ast *ast_like(Parser *p, Ast *x, Ast *pat, bool neg, bool ilike)
{
	Ast *a = node(p, A_LIKE, x ? x->pos : 0);
	if (a) {
		a->a = x;
		a->b = pat;
		a->neg = neg;
		a->ival = ilike;
	}
	return a;
}

Ast *ast_case(Parser *p, Ast *operand, AstList *whens, Ast *els, Token at)
{
	Ast *a = node(p, A_CASE, at.pos);
	if (a) {
		a->a = operand;
		a->list = whens;
		a->b = els;
	}
	return a;
}

Ast *ast_when(Parser *p, Ast *cond, Ast *then)
{
	Ast *a = node(p, A_WHEN, cond ? cond->pos : 0);
	if (a) {
		a->a = cond;
		a->b = then;
	}
	return a;
}

Ast *ast_cast(Parser *p, Ast *x, TypeName *t)
{
	Ast *a = node(p, A_CAST, x ? x->pos : 0);
	if (a) {
		a->a = x;
		a->tname = t;
	}
	return a;
}

Ast *ast_func(Parser *p, Token name, AstList *args, bool distinct, bool star)
{
	Ast *a = node(p, A_FUNC, name.pos);
	AstFunc *f = ast_alloc(p, sizeof *f);
	if (a && f) {
		a->text = name;
		a->list = args;
		a->fn = f;
		f->distinct = distinct;
		f->star = star;
	}
	return a;
}

Ast *ast_func_extras(Parser *p, Ast *f, AstList *within, Ast *filter, AstWindow *over)
{
	if (f && f->fn) {
		f->fn->within = within;
		f->fn->filter = filter;
		f->fn->over = over;
	}
	return f;
}

Ast *ast_func2(Parser *p, const char *name, Token at, Ast *x, Ast *y, Ast *z)
{
	AstList *l = ast_list(p, NULL, x);
	l = ast_list(p, l, y);
	if (z)
		l = ast_list(p, l, z);
	return ast_func(p, ast_token(p, name, at.pos), l, false, false);
}

Ast *ast_subquery(Parser *p, Query *q, bool exists, Token at)
{
	Ast *a = node(p, exists ? A_EXISTS : A_SUBQUERY, at.pos);
	if (a)
		a->query = q;
	return a;
}

TypeName *ast_typename(Parser *p, Token t, const char *more, int32_t arg)
{
	TypeName *tn = ast_alloc(p, sizeof *tn);
	if (!tn)
		return NULL;
	tn->pos = t.pos;
	tn->arg = arg;
	if (more) {
		tn->name = (char *)more;
	} else {
		char *s = ast_alloc(p, t.n + 1);
		if (!s)
			return NULL;
		for (uint32_t i = 0; i < t.n; i++)
			s[i] = (char)(t.z[i] >= 'A' && t.z[i] <= 'Z' ? t.z[i] + 32 : t.z[i]);
		tn->name = s;
	}
	return tn;
}

TypeName *ast_typename_word(Parser *p, TypeName *t, Token word)
{
	if (!t)
		return NULL;
	size_t n = strlen(t->name);
	char *s = ast_alloc(p, n + word.n + 2);
	if (!s)
		return NULL;
	memcpy(s, t->name, n);
	s[n] = ' ';
	memcpy(s + n + 1, word.z, word.n);
	t->name = s;
	return t;
}

OrderItem *ast_order(Parser *p, Ast *e, bool desc, int nulls)
{
	OrderItem *o = ast_alloc(p, sizeof *o);
	if (o) {
		o->e = e;
		o->desc = desc;
		o->nulls = (uint8_t)nulls;
	}
	return o;
}

AstWindow *ast_window(Parser *p, AstList *partition, AstList *order, Token at)
{
	AstWindow *w = ast_alloc(p, sizeof *w);
	if (w) {
		w->partition = partition;
		w->order = order;
		w->pos = at.pos;
	}
	return w;
}

AstWindow *ast_frame(Parser *p, AstWindow *w, bool rows, int start, Ast *sn, int end, Ast *en)
{
	if (w) {
		w->has_frame = true;
		w->rows = rows;
		w->start = (uint8_t)start;
		w->end = (uint8_t)end;
		w->start_n = sn;
		w->end_n = en;
	}
	return w;
}

Target *ast_target(Parser *p, Ast *e, Token *alias)
{
	Target *t = ast_alloc(p, sizeof *t);
	if (t) {
		t->e = e;
		if (alias)
			t->alias = *alias;
	}
	return t;
}

FromItem *ast_from_table(Parser *p, Token *schema, Token name, Token *alias)
{
	FromItem *f = ast_alloc(p, sizeof *f);
	if (f) {
		f->kind = F_TABLE;
		if (schema)
			f->schema = *schema;
		f->name = name;
		if (alias)
			f->alias = *alias;
		f->pos = schema ? schema->pos : name.pos;
	}
	return f;
}

FromItem *ast_from_subquery(Parser *p, Query *q, Token *alias, Token at)
{
	FromItem *f = ast_alloc(p, sizeof *f);
	if (f) {
		f->kind = F_SUBQUERY;
		f->query = q;
		if (alias)
			f->alias = *alias;
		f->pos = at.pos;
	}
	return f;
}

FromItem *ast_join(Parser *p, FromItem *l, FromItem *r, JoinKind k, Ast *on, AstList *using_)
{
	FromItem *f = ast_alloc(p, sizeof *f);
	if (f) {
		f->kind = F_JOIN;
		f->join = (uint8_t)k;
		f->left = l;
		f->right = r;
		f->on = on;
		f->using_ = using_;
		f->pos = r ? r->pos : 0;
	}
	return f;
}

SelectCore *ast_select(Parser *p, bool distinct, AstList *distinct_on, AstList *targets,
                       FromItem *from, Ast *where, AstList *group, Ast *having, Token at)
{
	SelectCore *s = ast_alloc(p, sizeof *s);
	if (s) {
		s->distinct = distinct;
		s->distinct_on = distinct_on;
		s->targets = targets;
		s->from = from;
		s->where = where;
		s->group = group;
		s->having = having;
		s->pos = at.pos;
	}
	return s;
}

SelectCore *ast_values(Parser *p, AstList *rows, Token at)
{
	SelectCore *s = ast_alloc(p, sizeof *s);
	if (s) {
		s->values = rows;
		s->pos = at.pos;
	}
	return s;
}

Query *ast_query(Parser *p, SelectCore *core)
{
	Query *q = ast_alloc(p, sizeof *q);
	if (q) {
		q->core = core;
		q->pos = core ? core->pos : 0;
	}
	return q;
}

Query *ast_union(Parser *p, Query *l, Query *r, bool all)
{
	Query *q = ast_alloc(p, sizeof *q);
	if (q) {
		q->left = l;
		q->right = r;
		q->union_all = all;
		q->pos = l ? l->pos : 0;
	}
	return q;
}

Query *ast_query_tail(Parser *p, Query *q, AstList *with, AstList *order, Ast *limit,
                      Ast *offset)
{
	if (!q)
		return NULL;
	if (q->order || q->limit || q->offset || q->with) {
		/* A body that already carries a tail: wrap it. */
		Query *w = ast_alloc(p, sizeof *w);
		if (!w)
			return NULL;
		w->left = q;
		w->pos = q->pos;
		q = w;
	}
	q->with = with;
	q->order = order;
	q->limit = limit;
	q->offset = offset;
	return q;
}

FromItem *ast_from_alias(Parser *p, FromItem *f, Token alias, AstList *cols)
{
	if (f) {
		if (alias.n)
			f->alias = alias;
		f->colnames = cols;
	}
	return f;
}

Cte *ast_cte(Parser *p, Token name, AstList *cols, Query *q)
{
	Cte *c = ast_alloc(p, sizeof *c);
	if (c) {
		c->name = name;
		c->colnames = cols;
		c->query = q;
	}
	return c;
}

ColDef *ast_coldef(Parser *p, Token name, TypeName *t, bool is_tag)
{
	ColDef *c = ast_alloc(p, sizeof *c);
	if (c) {
		c->name = name;
		c->type = t;
		c->is_tag = is_tag;
	}
	return c;
}

TableOpt *ast_tableopt(Parser *p, Token name, Ast *value)
{
	TableOpt *o = ast_alloc(p, sizeof *o);
	if (o) {
		o->name = name;
		o->value = value;
	}
	return o;
}

Stmt *ast_stmt(Parser *p, StmtKind k, Token at)
{
	Stmt *s = ast_alloc(p, sizeof *s);
	if (s) {
		s->kind = (uint8_t)k;
		s->pos = at.pos;
	}
	return s;
}

Stmt *ast_stmt_select(Parser *p, Query *q)
{
	Stmt *s = ast_alloc(p, sizeof *s);
	if (s) {
		s->kind = S_SELECT;
		s->query = q;
		s->pos = q ? q->pos : 0;
	}
	return s;
}

Stmt *ast_explain(Parser *p, Stmt *inner, bool analyze, Token at)
{
	Stmt *s = ast_stmt(p, S_EXPLAIN, at);
	if (s) {
		s->inner = inner;
		s->analyze = analyze;
	}
	return s;
}

Stmt *ast_create(Parser *p, Token name, AstList *cols, AstList *opts, bool if_not_exists,
                 Token at)
{
	Stmt *s = ast_stmt(p, S_CREATE_TABLE, at);
	if (s) {
		s->table = name;
		s->coldefs = cols;
		s->opts = opts;
		s->if_not_exists = if_not_exists;
	}
	return s;
}

Stmt *ast_drop(Parser *p, Token name, bool if_exists, Token at)
{
	Stmt *s = ast_stmt(p, S_DROP_TABLE, at);
	if (s) {
		s->table = name;
		s->if_exists = if_exists;
	}
	return s;
}

Stmt *ast_alter_add(Parser *p, Token name, ColDef *c, Token at)
{
	Stmt *s = ast_stmt(p, S_ALTER_ADD, at);
	if (s) {
		s->table = name;
		s->coldefs = ast_list(p, NULL, c);
	}
	return s;
}

Stmt *ast_insert(Parser *p, Token name, AstList *cols, Query *q, Token at)
{
	Stmt *s = ast_stmt(p, S_INSERT, at);
	if (s) {
		s->table = name;
		s->cols = cols;
		s->query = q;
	}
	return s;
}

Stmt *ast_delete(Parser *p, Token name, Ast *where, Token at)
{
	Stmt *s = ast_stmt(p, S_DELETE, at);
	if (s) {
		s->table = name;
		s->where = where;
	}
	return s;
}

Stmt *ast_set(Parser *p, Token name, Ast *value, Token at)
{
	Stmt *s = ast_stmt(p, S_SET, at);
	if (s) {
		s->table = name;
		s->value = value;
	}
	return s;
}

Stmt *ast_show(Parser *p, Token name, Token at)
{
	Stmt *s = ast_stmt(p, S_SHOW, at);
	if (s)
		s->table = name;
	return s;
}

void ast_add_stmt(Parser *p, Stmt *s)
{
	if (s)
		p->stmts = ast_list(p, p->stmts, s);
}

int sql_parse(Parser *p, const char *sql, size_t len, bool first_only, uint32_t *end,
              StErr *err)
{
	if (end)
		*end = (uint32_t)len;
	p->err = err;
	p->rc = STELE_OK;
	p->stmts = NULL;
	if (len > UINT32_MAX - 1)
		return parser_fail(p, STELE_ELIMIT, 0, "statement is too long");
	/* The lexer reads a NUL-terminated copy. */
	char *copy = arena_alloc(p->arena, len + 1);
	if (!copy)
		return parser_fail(p, STELE_ENOMEM, 0, "out of memory parsing a statement");
	memcpy(copy, sql, len);
	copy[len] = '\0';
	p->sql = copy;
	p->len = (uint32_t)len;
	void *lp = sqlParseAlloc(malloc);
	if (!lp)
		return parser_fail(p, STELE_ENOMEM, 0, "out of memory parsing a statement");
	uint32_t off = 0;
	Token t;
	int last = 0;
	for (;;) {
		int code = sql_lex(p, &off, &t);
		if (code < 0 || p->rc)
			break;
		last = code;
		sqlParse(lp, code, t, p);
		if (code == 0 || p->rc)
			break;
		if (first_only && code == TK_SEMI && p->stmts && p->stmts->n > 0) {
			/* The first statement is complete: end the parse here. */
			if (end)
				*end = off;
			sqlParse(lp, 0, (Token){.z = p->sql + off, .n = 0, .pos = off}, p);
			break;
		}
	}
	sqlParseFree(lp, free);
	if (p->rc == STELE_EPARSE && first_only && end) {
		/* The failed statement ends at the next ';' (or the end): a
		 * script goes on after it. */
		*end = last == TK_SEMI ? off : p->len;
		int code = last == TK_SEMI ? 0 : 1;
		while (code > 0 && (code = sql_lex(p, &off, &t)) > 0)
			if (code == TK_SEMI) {
				*end = off;
				break;
			}
	}
	if (p->rc == STELE_OK && (!p->stmts || p->stmts->n == 0))
		p->stmts = NULL;
	return p->rc;
}
