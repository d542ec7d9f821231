/*
 * parse.y - Stele's SQL grammar (lemon). PostgreSQL-flavoured: the
 * precedence of operators is PostgreSQL's, keywords that PostgreSQL does
 * not reserve fall back to identifiers, and the time-series extensions are
 * ordinary function calls (time_bucket, first, last, ...) so that the
 * grammar stays small.
 *
 * Each action is one call into an AST builder (ast.c). Every node lives in
 * the Parser's arena, so a failed parse leaks nothing and the nonterminals
 * need no %destructor: the arena is the destructor.
 *
 * Build: lemon generates parse.c and parse.h into the build directory
 * (CMakeLists.txt); neither is committed.
 */

%name sqlParse
%token_prefix TK_
%token_type {Token}
%default_type {void *}
%extra_argument {Parser *p}
%stack_size 1000

%include {
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sql/ast.h"
#include "sql/lexer.h"

#define YYNOERRORRECOVERY 1
#define YYPARSEFREENEVERNULL 1
}

%syntax_error {
	if (TOKEN.n == 0)
		parser_fail(p, STELE_EPARSE, TOKEN.pos, "syntax error at end of input");
	else
		parser_fail(p, STELE_EPARSE, TOKEN.pos, "syntax error at or near \"%.*s\"",
		            (int)(TOKEN.n > 64 ? 64 : TOKEN.n), TOKEN.z);
}
%stack_overflow {
	parser_fail(p, STELE_EPARSE, 0, "statement is nested too deeply");
}

/* Keywords PostgreSQL does not reserve are identifiers where a keyword
 * cannot stand. */
%fallback ID
  ABORT ADD ANALYZE ASOF BEGIN COLUMN COMMIT CURRENT DOUBLE EXPLAIN FILTER FIRST
  FOLLOWING IF INTERVAL LAST LEFT NULLS OUTER OVER PARTITION PRECEDING PRECISION RANGE
  ROLLBACK ROW ROWS SESSION SET SHOW START TABLES TAG TIME TIMESTAMP TRANSACTION
  UNBOUNDED VALUES VARYING WITHIN WITHOUT ZONE CHARACTER EXTRACT SUBSTRING
  INNER CROSS DELETE INSERT LOCAL.

%left UNION.
%left OR.
%left AND.
%right NOT.
%nonassoc IS ISNULL NOTNULL.
%nonassoc EQ NE LT GT LE GE.
%nonassoc BETWEEN IN LIKE ILIKE.
%left CONCAT.
%left PLUS MINUS.
%left STAR SLASH PERCENT.
%left CARET.
%right UMINUS.
%left DCOLON.
%left DOT.

input ::= cmdlist.
cmdlist ::= cmdlist SEMI ecmd.
cmdlist ::= ecmd.
ecmd ::= .
ecmd ::= cmd(X).                         { ast_add_stmt(p, X); }

%type cmd {Stmt *}
cmd(A) ::= select(X).                    { A = ast_stmt_select(p, X); }
cmd(A) ::= EXPLAIN(T) cmd(X).            { A = ast_explain(p, X, false, T); }
cmd(A) ::= EXPLAIN(T) ANALYZE cmd(X).    { A = ast_explain(p, X, true, T); }
cmd(A) ::= CREATE(T) TABLE ifnotexists(E) nm(N) LP coldefs(C) RP tableopts(O).
                                         { A = ast_create(p, N, C, O, E, T); }
cmd(A) ::= DROP(T) TABLE ifexists(E) nm(N).  { A = ast_drop(p, N, E, T); }
cmd(A) ::= ALTER(T) TABLE nm(N) ADD coldef(C).         { A = ast_alter_add(p, N, C, T); }
cmd(A) ::= ALTER(T) TABLE nm(N) ADD COLUMN coldef(C).  { A = ast_alter_add(p, N, C, T); }
cmd(A) ::= INSERT(T) INTO nm(N) collist(C) select(Q).  { A = ast_insert(p, N, C, Q, T); }
cmd(A) ::= DELETE(T) FROM nm(N) where(W).  { A = ast_delete(p, N, W, T); }
cmd(A) ::= SHOW(T) TABLES.               { A = ast_stmt(p, S_SHOW_TABLES, T); }
cmd(A) ::= SHOW(T) nm(N).                { A = ast_show(p, N, T); }
cmd(A) ::= SHOW(T) ALL(N).               { A = ast_show(p, N, T); }
cmd(A) ::= SHOW(T) TIME ZONE.            { A = ast_show(p, ast_token(p, "timezone", T.pos), T); }
cmd(A) ::= SET(T) setscope nm(N) EQ setvalue(V).  { A = ast_set(p, N, V, T); }
cmd(A) ::= SET(T) setscope nm(N) TO setvalue(V).  { A = ast_set(p, N, V, T); }
cmd(A) ::= SET(T) setscope TIME ZONE setvalue(V).  { A = ast_set(p, ast_token(p, "timezone", T.pos), V, T); }
cmd(A) ::= BEGIN(T) transaction_opt.     { A = ast_stmt(p, S_BEGIN, T); }
cmd(A) ::= START(T) TRANSACTION.         { A = ast_stmt(p, S_BEGIN, T); }
cmd(A) ::= COMMIT(T) transaction_opt.    { A = ast_stmt(p, S_COMMIT, T); }
cmd(A) ::= ROLLBACK(T) transaction_opt.  { A = ast_stmt(p, S_ROLLBACK, T); }
cmd(A) ::= ABORT(T) transaction_opt.     { A = ast_stmt(p, S_ROLLBACK, T); }

transaction_opt ::= .
transaction_opt ::= TRANSACTION.
setscope ::= .
setscope ::= SESSION.
setscope ::= LOCAL.

%type setvalue {Ast *}
setvalue(A) ::= expr(X).                 { A = X; }
setvalue(A) ::= DEFAULT(T).              { A = ast_lit(p, A_STR, T); }

%type ifnotexists {bool}
ifnotexists(A) ::= .                     { A = false; }
ifnotexists(A) ::= IF NOT EXISTS.        { A = true; }
%type ifexists {bool}
ifexists(A) ::= .                        { A = false; }
ifexists(A) ::= IF EXISTS.               { A = true; }

%type coldefs {AstList *}
coldefs(A) ::= coldef(X).                { A = ast_list(p, NULL, X); }
coldefs(A) ::= coldefs(L) COMMA coldef(X).  { A = ast_list(p, L, X); }
%type coldef {ColDef *}
coldef(A) ::= nm(N) typename(T).         { A = ast_coldef(p, N, T, false); }
coldef(A) ::= nm(N) typename(T) TAG.     { A = ast_coldef(p, N, T, true); }

%type tableopts {AstList *}
tableopts(A) ::= .                       { A = NULL; }
tableopts(A) ::= WITH LP tableoptlist(L) RP.  { A = L; }
%type tableoptlist {AstList *}
tableoptlist(A) ::= tableopt(X).         { A = ast_list(p, NULL, X); }
tableoptlist(A) ::= tableoptlist(L) COMMA tableopt(X).  { A = ast_list(p, L, X); }
%type tableopt {TableOpt *}
tableopt(A) ::= nm(N) EQ expr(V).        { A = ast_tableopt(p, N, V); }

%type collist {AstList *}
collist(A) ::= .                         { A = NULL; }
collist(A) ::= LP namelist(L) RP.        { A = L; }
%type namelist {AstList *}
namelist(A) ::= nm(N).                   { A = ast_list(p, NULL, ast_alloc_token(p, N)); }
namelist(A) ::= namelist(L) COMMA nm(N). { A = ast_list(p, L, ast_alloc_token(p, N)); }

/* Names. */
%type nm {Token}
nm(A) ::= ID(X).                         { A = X; }

/* Queries. */
%type select {Query *}
select(A) ::= selectbody(B) orderby(O) limit(L).
                                         { A = ast_query_tail(p, B, NULL, O, L.a, L.b); }
select(A) ::= WITH ctes(W) selectbody(B) orderby(O) limit(L).
                                         { A = ast_query_tail(p, B, W, O, L.a, L.b); }

%type ctes {AstList *}
ctes(A) ::= cte(X).                      { A = ast_list(p, NULL, X); }
ctes(A) ::= ctes(L) COMMA cte(X).        { A = ast_list(p, L, X); }
%type cte {Cte *}
cte(A) ::= nm(N) AS LP select(Q) RP.     { A = ast_cte(p, N, NULL, Q); }
cte(A) ::= nm(N) LP namelist(L) RP AS LP select(Q) RP.  { A = ast_cte(p, N, L, Q); }

%type selectbody {Query *}
selectbody(A) ::= selectcore(X).         { A = ast_query(p, X); }
selectbody(A) ::= selectbody(L) UNION ALL selectcore(R).
                                         { A = ast_union(p, L, ast_query(p, R), true); }
selectbody(A) ::= selectbody(L) UNION selectcore(R).
                                         { A = ast_union(p, L, ast_query(p, R), false); }

%type selectcore {SelectCore *}
selectcore(A) ::= SELECT(T) distinct(D) targets(L) from(F) where(W) groupby(G) having(H).
                                         { A = ast_select(p, D.all, D.on, L, F, W, G, H, T); }
selectcore(A) ::= VALUES(T) valuerows(R). { A = ast_values(p, R, T); }

%type valuerows {AstList *}
valuerows(A) ::= LP exprlist(X) RP.      { A = ast_list(p, NULL, X); }
valuerows(A) ::= valuerows(L) COMMA LP exprlist(X) RP.  { A = ast_list(p, L, X); }

%type distinct {DistinctSpec}
%include {
typedef struct DistinctSpec { bool all; AstList *on; } DistinctSpec;
typedef struct LimitSpec { Ast *a, *b; } LimitSpec;
}
distinct(A) ::= .                        { A.all = false; A.on = NULL; }
distinct(A) ::= ALL.                     { A.all = false; A.on = NULL; }
distinct(A) ::= DISTINCT.                { A.all = true; A.on = NULL; }
distinct(A) ::= DISTINCT ON LP exprlist(L) RP.  { A.all = false; A.on = L; }

%type targets {AstList *}
targets(A) ::= target(X).                { A = ast_list(p, NULL, X); }
targets(A) ::= targets(L) COMMA target(X).  { A = ast_list(p, L, X); }
%type target {Target *}
target(A) ::= expr(X).                   { A = ast_target(p, X, NULL); }
target(A) ::= expr(X) AS nm(N).          { A = ast_target(p, X, &N); }
target(A) ::= expr(X) ID(N).             { A = ast_target(p, X, &N); }
target(A) ::= STAR(T).                   { A = ast_target(p, ast_star(p, NULL, T), NULL); }
target(A) ::= nm(Q) DOT STAR(T).         { A = ast_target(p, ast_star(p, &Q, T), NULL); }

%type from {FromItem *}
from(A) ::= .                            { A = NULL; }
from(A) ::= FROM fromlist(X).            { A = X; }
%type fromlist {FromItem *}
fromlist(A) ::= fromitem(X).             { A = X; }
fromlist(A) ::= fromlist(L) COMMA fromitem(R).  { A = ast_join(p, L, R, J_CROSS, NULL, NULL); }
%type fromitem {FromItem *}
fromitem(A) ::= tableref(X).             { A = X; }
fromitem(A) ::= fromitem(L) joinop(K) tableref(R) joincond(C).
                                         { A = ast_join(p, L, R, K, C.on, C.using_); }
%type tableref {FromItem *}
tableref(A) ::= nm(N) alias(X).
                                         { A = ast_from_alias(p, ast_from_table(p, NULL, N, NULL), X.name, X.cols); }
tableref(A) ::= nm(S) DOT nm(N) alias(X).
                                         { A = ast_from_alias(p, ast_from_table(p, &S, N, NULL), X.name, X.cols); }
tableref(A) ::= LP(T) select(Q) RP alias(X).
                                         { A = ast_from_alias(p, ast_from_subquery(p, Q, NULL, T), X.name, X.cols); }
%include {
typedef struct AliasSpec { Token name; AstList *cols; } AliasSpec;
}
%type alias {AliasSpec}
alias(A) ::= .                           { A.name.z = NULL; A.name.n = 0; A.name.pos = 0; A.name.quoted = false; A.cols = NULL; }
alias(A) ::= AS nm(N).                   { A.name = N; A.cols = NULL; }
alias(A) ::= ID(N).                      { A.name = N; A.cols = NULL; }
alias(A) ::= AS nm(N) LP namelist(L) RP. { A.name = N; A.cols = L; }
alias(A) ::= ID(N) LP namelist(L) RP.    { A.name = N; A.cols = L; }

%type joinop {JoinKind}
joinop(A) ::= JOIN.                      { A = J_INNER; }
joinop(A) ::= INNER JOIN.                { A = J_INNER; }
joinop(A) ::= LEFT JOIN.                 { A = J_LEFT; }
joinop(A) ::= LEFT OUTER JOIN.           { A = J_LEFT; }
joinop(A) ::= CROSS JOIN.                { A = J_CROSS; }
joinop(A) ::= ASOF JOIN.                 { A = J_ASOF; }
joinop(A) ::= ASOF LEFT JOIN.            { A = J_ASOF_LEFT; }
%type joincond {JoinCond}
%include {
typedef struct JoinCond { Ast *on; AstList *using_; } JoinCond;
}
joincond(A) ::= .                        { A.on = NULL; A.using_ = NULL; }
joincond(A) ::= ON expr(X).              { A.on = X; A.using_ = NULL; }
joincond(A) ::= USING LP namelist(L) RP. { A.on = NULL; A.using_ = L; }

%type where {Ast *}
where(A) ::= .                           { A = NULL; }
where(A) ::= WHERE expr(X).              { A = X; }
%type groupby {AstList *}
groupby(A) ::= .                         { A = NULL; }
groupby(A) ::= GROUP BY exprlist(L).     { A = L; }
%type having {Ast *}
having(A) ::= .                          { A = NULL; }
having(A) ::= HAVING expr(X).            { A = X; }

%type orderby {AstList *}
orderby(A) ::= .                         { A = NULL; }
orderby(A) ::= ORDER BY sortlist(L).     { A = L; }
%type sortlist {AstList *}
sortlist(A) ::= sortitem(X).             { A = ast_list(p, NULL, X); }
sortlist(A) ::= sortlist(L) COMMA sortitem(X).  { A = ast_list(p, L, X); }
%type sortitem {OrderItem *}
sortitem(A) ::= expr(X) sortdir(D) nulls(N).  { A = ast_order(p, X, D, N); }
%type sortdir {bool}
sortdir(A) ::= .                         { A = false; }
sortdir(A) ::= ASC.                      { A = false; }
sortdir(A) ::= DESC.                     { A = true; }
%type nulls {int}
nulls(A) ::= .                           { A = 0; }
nulls(A) ::= NULLS FIRST.                { A = 1; }
nulls(A) ::= NULLS LAST.                 { A = 2; }

%type limit {LimitSpec}
limit(A) ::= .                           { A.a = NULL; A.b = NULL; }
limit(A) ::= LIMIT expr(X).              { A.a = X; A.b = NULL; }
limit(A) ::= LIMIT ALL.                  { A.a = NULL; A.b = NULL; }
limit(A) ::= LIMIT expr(X) OFFSET expr(Y).  { A.a = X; A.b = Y; }
limit(A) ::= LIMIT ALL OFFSET expr(Y).   { A.a = NULL; A.b = Y; }
limit(A) ::= OFFSET expr(Y).             { A.a = NULL; A.b = Y; }
limit(A) ::= OFFSET expr(Y) LIMIT expr(X).  { A.a = X; A.b = Y; }

/* Expressions. */
%type exprlist {AstList *}
exprlist(A) ::= expr(X).                 { A = ast_list(p, NULL, X); }
exprlist(A) ::= exprlist(L) COMMA expr(X).  { A = ast_list(p, L, X); }

%type expr {Ast *}
expr(A) ::= INTEGER(X).                  { A = ast_lit(p, A_INT, X); }
expr(A) ::= FLOAT(X).                    { A = ast_lit(p, A_FLOAT, X); }
expr(A) ::= STRING(X).                   { A = ast_lit(p, A_STR, X); }
expr(A) ::= NULL(X).                     { A = ast_lit(p, A_NULL, X); }
expr(A) ::= TRUE(X).                     { A = ast_bool(p, true, X); }
expr(A) ::= FALSE(X).                    { A = ast_bool(p, false, X); }
expr(A) ::= PARAM(X).                    { A = ast_param(p, X); }
expr(A) ::= nm(T) STRING(S).             { A = ast_typed_str(p, ast_typename(p, T, NULL, -1), S); }
expr(A) ::= TIMESTAMP(T) STRING(S).      { A = ast_typed_str(p, ast_typename(p, T, NULL, -1), S); }
expr(A) ::= INTERVAL(T) STRING(S).       { A = ast_typed_str(p, ast_typename(p, T, NULL, -1), S); }
expr(A) ::= nm(N).                       { A = ast_col(p, NULL, N); }
expr(A) ::= nm(Q) DOT nm(N).             { A = ast_col(p, &Q, N); }
expr(A) ::= LP expr(X) RP.               { A = X; }
expr(A) ::= LP(T) select(Q) RP.          { A = ast_subquery(p, Q, false, T); }
expr(A) ::= EXISTS(T) LP select(Q) RP.   { A = ast_subquery(p, Q, true, T); }
expr(A) ::= CURRENT_TIMESTAMP(T).        { A = ast_func(p, T, NULL, false, false); }

expr(A) ::= expr(X) PLUS expr(Y).        { A = ast_binary(p, OP_ADD, X, Y); }
expr(A) ::= expr(X) MINUS expr(Y).       { A = ast_binary(p, OP_SUB, X, Y); }
expr(A) ::= expr(X) STAR expr(Y).        { A = ast_binary(p, OP_MUL, X, Y); }
expr(A) ::= expr(X) SLASH expr(Y).       { A = ast_binary(p, OP_DIV, X, Y); }
expr(A) ::= expr(X) PERCENT expr(Y).     { A = ast_binary(p, OP_MOD, X, Y); }
expr(A) ::= expr(X) CARET expr(Y).       { A = ast_binary(p, OP_POW, X, Y); }
expr(A) ::= expr(X) CONCAT expr(Y).      { A = ast_binary(p, OP_CONCAT, X, Y); }
expr(A) ::= expr(X) EQ expr(Y).          { A = ast_binary(p, OP_EQ, X, Y); }
expr(A) ::= expr(X) NE expr(Y).          { A = ast_binary(p, OP_NE, X, Y); }
expr(A) ::= expr(X) LT expr(Y).          { A = ast_binary(p, OP_LT, X, Y); }
expr(A) ::= expr(X) LE expr(Y).          { A = ast_binary(p, OP_LE, X, Y); }
expr(A) ::= expr(X) GT expr(Y).          { A = ast_binary(p, OP_GT, X, Y); }
expr(A) ::= expr(X) GE expr(Y).          { A = ast_binary(p, OP_GE, X, Y); }
expr(A) ::= MINUS(T) expr(X). [UMINUS]   { A = ast_unary(p, '-', X, T); }
expr(A) ::= PLUS(T) expr(X). [UMINUS]    { A = ast_unary(p, '+', X, T); }
expr(A) ::= expr(X) DCOLON typename(T).  { A = ast_cast(p, X, T); }
expr(A) ::= CAST LP expr(X) AS typename(T) RP.  { A = ast_cast(p, X, T); }

expr(A) ::= expr(X) AND expr(Y).         { A = ast_logic(p, A_AND, X, Y); }
expr(A) ::= expr(X) OR expr(Y).          { A = ast_logic(p, A_OR, X, Y); }
expr(A) ::= NOT(T) expr(X).              { A = ast_not(p, X, T); }
expr(A) ::= expr(X) IS NULL.             { A = ast_isnull(p, X, false); }
expr(A) ::= expr(X) ISNULL.              { A = ast_isnull(p, X, false); }
expr(A) ::= expr(X) IS NOT NULL.         { A = ast_isnull(p, X, true); }
expr(A) ::= expr(X) NOTNULL.             { A = ast_isnull(p, X, true); }
expr(A) ::= expr(X) IS TRUE.             { A = ast_isbool(p, X, true, false); }
expr(A) ::= expr(X) IS NOT TRUE.         { A = ast_isbool(p, X, true, true); }
expr(A) ::= expr(X) IS FALSE.            { A = ast_isbool(p, X, false, false); }
expr(A) ::= expr(X) IS NOT FALSE.        { A = ast_isbool(p, X, false, true); }
expr(A) ::= expr(X) IS DISTINCT FROM expr(Y). [IS]  { A = ast_distinct_from(p, X, Y, false); }
expr(A) ::= expr(X) IS NOT DISTINCT FROM expr(Y). [IS]  { A = ast_distinct_from(p, X, Y, true); }
expr(A) ::= expr(X) BETWEEN expr(Y) AND expr(Z). [BETWEEN]  { A = ast_between(p, X, Y, Z, false); }
expr(A) ::= expr(X) NOT BETWEEN expr(Y) AND expr(Z). [BETWEEN]  { A = ast_between(p, X, Y, Z, true); }
expr(A) ::= expr(X) IN LP exprlist(L) RP.  { A = ast_in(p, X, L, false); }
expr(A) ::= expr(X) NOT IN LP exprlist(L) RP. [IN]  { A = ast_in(p, X, L, true); }
expr(A) ::= expr(X) IN LP select(Q) RP.  { A = ast_in_select(p, X, Q, false); }
expr(A) ::= expr(X) NOT IN LP select(Q) RP. [IN]  { A = ast_in_select(p, X, Q, true); }
expr(A) ::= expr(X) LIKE expr(Y).        { A = ast_like(p, X, Y, false, false); }
expr(A) ::= expr(X) NOT LIKE expr(Y). [LIKE]  { A = ast_like(p, X, Y, true, false); }
expr(A) ::= expr(X) ILIKE expr(Y).       { A = ast_like(p, X, Y, false, true); }
expr(A) ::= expr(X) NOT ILIKE expr(Y). [LIKE]  { A = ast_like(p, X, Y, true, true); }

expr(A) ::= CASE(T) caseoperand(O) whens(W) caseelse(E) END.  { A = ast_case(p, O, W, E, T); }
%type caseoperand {Ast *}
caseoperand(A) ::= .                     { A = NULL; }
caseoperand(A) ::= expr(X).              { A = X; }
%type whens {AstList *}
whens(A) ::= when(X).                    { A = ast_list(p, NULL, X); }
whens(A) ::= whens(L) when(X).           { A = ast_list(p, L, X); }
%type when {Ast *}
when(A) ::= WHEN expr(C) THEN expr(V).   { A = ast_when(p, C, V); }
%type caseelse {Ast *}
caseelse(A) ::= .                        { A = NULL; }
caseelse(A) ::= ELSE expr(X).            { A = X; }

/* Calls. The SQL-standard special forms become ordinary calls. */
expr(A) ::= call(F) within(W) filter(FL) over(O).  { A = ast_func_extras(p, F, W, FL, O); }
%type call {Ast *}
call(A) ::= nm(N) LP RP.                 { A = ast_func(p, N, NULL, false, false); }
call(A) ::= nm(N) LP STAR RP.            { A = ast_func(p, N, NULL, false, true); }
call(A) ::= nm(N) LP exprlist(L) RP.     { A = ast_func(p, N, L, false, false); }
call(A) ::= nm(N) LP DISTINCT exprlist(L) RP.  { A = ast_func(p, N, L, true, false); }
expr(A) ::= EXTRACT(T) LP nm(F) FROM expr(X) RP.
                                         { A = ast_func2(p, "date_part", T, ast_lit(p, A_STR, F), X, NULL); }
expr(A) ::= EXTRACT(T) LP STRING(F) FROM expr(X) RP.
                                         { A = ast_func2(p, "date_part", T, ast_lit(p, A_STR, F), X, NULL); }
expr(A) ::= SUBSTRING(T) LP exprlist(L) RP.  { A = ast_func(p, T, L, false, false); }
expr(A) ::= SUBSTRING(T) LP expr(X) FROM expr(Y) RP.
                                         { A = ast_func2(p, "substr", T, X, Y, NULL); }
expr(A) ::= SUBSTRING(T) LP expr(X) FROM expr(Y) FOR expr(Z) RP.
                                         { A = ast_func2(p, "substr", T, X, Y, Z); }

%type within {AstList *}
within(A) ::= .                          { A = NULL; }
within(A) ::= WITHIN GROUP LP ORDER BY sortlist(L) RP.  { A = L; }
%type filter {Ast *}
filter(A) ::= .                          { A = NULL; }
filter(A) ::= FILTER LP WHERE expr(X) RP.  { A = X; }
%type over {AstWindow *}
over(A) ::= .                            { A = NULL; }
over(A) ::= OVER(T) LP partition(P) orderby(O) RP.  { A = ast_window(p, P, O, T); }
over(A) ::= OVER(T) LP partition(P) orderby(O) frame(F) RP.
                                         { A = ast_frame(p, ast_window(p, P, O, T), F.rows, F.s, F.sn, F.e, F.en); }
%type partition {AstList *}
partition(A) ::= .                       { A = NULL; }
partition(A) ::= PARTITION BY exprlist(L).  { A = L; }

%include {
typedef struct FrameSpec { bool rows; int s, e; Ast *sn, *en; } FrameSpec;
typedef struct BoundSpec { int k; Ast *n; } BoundSpec;
}
%type frame {FrameSpec}
frame(A) ::= framekind(K) bound(S).      { A.rows = K; A.s = S.k; A.sn = S.n; A.e = FB_CURRENT; A.en = NULL; }
frame(A) ::= framekind(K) BETWEEN bound(S) AND bound(E).
                                         { A.rows = K; A.s = S.k; A.sn = S.n; A.e = E.k; A.en = E.n; }
%type framekind {bool}
framekind(A) ::= ROWS.                   { A = true; }
framekind(A) ::= RANGE.                  { A = false; }
%type bound {BoundSpec}
bound(A) ::= UNBOUNDED PRECEDING.        { A.k = FB_UNBOUNDED_PRECEDING; A.n = NULL; }
bound(A) ::= UNBOUNDED FOLLOWING.        { A.k = FB_UNBOUNDED_FOLLOWING; A.n = NULL; }
bound(A) ::= CURRENT ROW.                { A.k = FB_CURRENT; A.n = NULL; }
bound(A) ::= INTEGER(X) PRECEDING.       { A.k = FB_PRECEDING; A.n = ast_lit(p, A_INT, X); }
bound(A) ::= INTEGER(X) FOLLOWING.       { A.k = FB_FOLLOWING; A.n = ast_lit(p, A_INT, X); }
bound(A) ::= INTERVAL(T) STRING(S) PRECEDING.
                                         { A.k = FB_PRECEDING; A.n = ast_typed_str(p, ast_typename(p, T, NULL, -1), S); }
bound(A) ::= INTERVAL(T) STRING(S) FOLLOWING.
                                         { A.k = FB_FOLLOWING; A.n = ast_typed_str(p, ast_typename(p, T, NULL, -1), S); }

/* Type names, including PostgreSQL's multi-word ones. */
%type typename {TypeName *}
typename(A) ::= nm(N).                   { A = ast_typename(p, N, NULL, -1); }
typename(A) ::= nm(N) LP INTEGER(X) RP.  { A = ast_typename(p, N, NULL, (int32_t)strtol(X.z, NULL, 10)); }
typename(A) ::= DOUBLE(N).               { A = ast_typename(p, N, NULL, -1); }
typename(A) ::= DOUBLE(N) PRECISION.     { A = ast_typename(p, N, "double precision", -1); }
typename(A) ::= TIMESTAMP(N).            { A = ast_typename(p, N, NULL, -1); }
typename(A) ::= TIMESTAMP(N) WITH TIME ZONE.  { A = ast_typename(p, N, "timestamptz", -1); }
typename(A) ::= TIMESTAMP(N) WITHOUT TIME ZONE.  { A = ast_typename(p, N, "timestamp", -1); }
typename(A) ::= INTERVAL(N).             { A = ast_typename(p, N, NULL, -1); }
typename(A) ::= CHARACTER(N) VARYING.    { A = ast_typename(p, N, "varchar", -1); }
typename(A) ::= CHARACTER(N) VARYING LP INTEGER(X) RP.
                                         { A = ast_typename(p, N, "varchar", (int32_t)strtol(X.z, NULL, 10)); }
