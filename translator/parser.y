%{
/*
 * parser.y - the script language's grammar; builds the AST of stap.h.
 *
 * Statements need no semicolons, so an expression followed by a token
 * that could continue it is continued (x = 1 -y is a subtraction), as
 * SystemTap does; bison's default shift gives exactly that, and the
 * conflicts it resolves are counted by %expect below.  The same shift
 * makes name[i] an array element, while '->' and '[ ]' after any other
 * expression ((name)[i], f()->x) are an autocast (ND_AUTOCAST).
 */
#include <stdlib.h>
#include <string.h>
#include "stap.h"

static ParseResult *result;
static SrcFile *cur_file;
static Token *cursor;
static bool next_is_private;
static Buf str_buf;		/* adjacent string literals being joined */
static ProbePoint *pp_tail;	/* the last point of the probe_points being built */
static bool in_function;	/* parsing a function's body: 'return' is allowed */

int yylex(void);
static void yyerror(const char *msg);

static Loc L(Token *t) { return t->loc; }
static Node *make_call_or_at(Token *name, Node *args, Chain *chain, Node *index, int pretty);
static bool takes_chain(const char *op);
static void buf_putn(Buf *b, const char *s, int64_t n);
static ProbePoint *last_point(ProbePoint *pp);
static Node *make_target(Token *t, Chain *chain, int pretty);
static Node *make_autocast(Node *base, Chain *c, Token *op, int pretty);
static Node *check_lvalue(Node *n, const char *what);
static Node *push_node(Node *list, Node *item);
static Node *reverse_nodes(Node *list);
static Chain *push_chain(Chain *list, Chain *c);
static Chain *reverse_chain(Chain *list);
static int count(Node *list);
static Node *new_foreach(Loc loc, Foreach *f, Node *body);
static void add_global(Token *name, bool wrap, Node *size, Node *init);
static Node *array_size(Token *t);
static void check_privileged(Token *t, const char *what);
static void check_print_args(Token *name, Node *args, Token *close);
static Func *new_func(Token *name, Type ret, Vec *params, int priority);
static Var *new_param(Token *name, Type t);
static void add_param(Vec *params, Token *name, Type t);
static Chain *new_chain(ChainKind kind, Token *t, Node *index);
static Chain *chain_append(Chain *list, Chain *c);
static Node *new_ident_var(Token *t);
static Foreach *fe;
static int fe_sorts;
static void foreach_sort(Token *at, int key, int dir);
static void foreach_sort_stat(Token *op, int dir);
static Vec *one_seq(Component *c);
static Vec *component_product(Vec *heads, Vec *tails);
static Vec *with_suffix(Vec *seqs, Token *mark, Node *cond);
static ProbePoint *new_probe_points(Vec *seqs);
%}

%union {
	Token *tok;
	Node *node;
	Chain *chain;
	Component *comp;
	ProbePoint *pp;
	Func *func;
	Vec *vec;
	int num;
	Type type;
}

/* keywords: keep contiguous, preprocess.c treats this range as keywords */
%token <tok> TK_PROBE "'probe'" TK_GLOBAL "'global'" TK_PRIVATE "'private'"
%token <tok> TK_FUNCTION "'function'" TK_IF "'if'" TK_ELSE "'else'"
%token <tok> TK_FOR "'for'" TK_FOREACH "'foreach'" TK_IN "'in'"
%token <tok> TK_LIMIT "'limit'" TK_RETURN "'return'" TK_DELETE "'delete'"
%token <tok> TK_WHILE "'while'" TK_BREAK "'break'" TK_CONTINUE "'continue'"
%token <tok> TK_NEXT "'next'" TK_TRY "'try'" TK_CATCH "'catch'"
%token <tok> TK_STRING_TYPE "'string'" TK_LONG_TYPE "'long'"

%token <tok> TK_IDENT "identifier" TK_NUMBER "number" TK_STRING "string"
%token <tok> TK_TARGET "target variable" TK_AT_IDENT "@operator"
%token <tok> TK_EMBEDDED "embedded C" TK_COMPONENT "probe point component"
%token <tok> TK_ARG "$N" TK_ARG_STR "@N" TK_ARGC "'$#'" TK_ARGC_STR "'@#'"
%token <tok> TK_DOLLAR2 "'$$'"
%token <tok> TK_PP_IF "'%('" TK_PP_THEN "'%?'" TK_PP_ELSE "'%:'" TK_PP_END "'%)'"

%token <tok> TK_AGG "'<<<'" TK_USHR "'>>>'" TK_SHL "'<<'" TK_SHR "'>>'"
%token <tok> TK_LE "'<='" TK_GE "'>='" TK_EQ "'=='" TK_NE "'!='"
%token <tok> TK_REGEQ "'=~'" TK_REGNE "'!~'" TK_ANDAND "'&&'" TK_OROR "'||'"
%token <tok> TK_INC "'++'" TK_DEC "'--'" TK_ARROW "'->'"
%token <tok> TK_ADD_ASSIGN "'+='" TK_SUB_ASSIGN "'-='" TK_MUL_ASSIGN "'*='"
%token <tok> TK_DIV_ASSIGN "'/='" TK_MOD_ASSIGN "'%='" TK_AND_ASSIGN "'&='"
%token <tok> TK_OR_ASSIGN "'|='" TK_XOR_ASSIGN "'^='" TK_CAT_ASSIGN "'.='"
%token <tok> TK_SHL_ASSIGN "'<<='" TK_SHR_ASSIGN "'>>='"
%token <tok> '+' '-' '*' '/' '%' '<' '>' '=' '!' '~' '&' '|' '^' '?' ':' '.'
%token <tok> ',' ';' '(' ')' '{' '}' '[' ']' '$'

%type <node> stmt simple_stmt block stmts expr opt_expr primary postfix unary literal
%type <node> args opt_args key key_list strings opt_init catch_var
%type <node> fe_head fe_array fe_limit
%type <chain> chain
%type <comp> component
%type <vec> components component_group alternatives alternative
%type <pp> probe_point probe_points
%type <num> opt_pretty opt_sort assign_op opt_priority
%type <type> opt_type
%type <vec> params opt_params
%type <tok> fname opt_mark
%type <node> opt_cond
%type <func> function_head

%precedence NO_SEMI
%precedence ';'
%right '=' TK_ADD_ASSIGN TK_SUB_ASSIGN TK_MUL_ASSIGN TK_DIV_ASSIGN TK_MOD_ASSIGN
	TK_AND_ASSIGN TK_OR_ASSIGN TK_XOR_ASSIGN TK_CAT_ASSIGN TK_SHL_ASSIGN
	TK_SHR_ASSIGN TK_AGG
%right '?' ':'
%left TK_OROR
%left TK_ANDAND
%left '|'
%left '^'
%left '&'
%precedence TK_IN
%left TK_EQ TK_NE '<' '>' TK_LE TK_GE TK_REGEQ TK_REGNE
%left TK_SHL TK_SHR TK_USHR
%left '.'
%left '+' '-'
%left '*' '/' '%'
%precedence NO_ELSE
%precedence TK_ELSE

%define parse.error custom
%expect 40

%%

file:	%empty
	| file toplevel
	;

toplevel:
	  global_decl
	| function_decl
	| probe_decl
	| TK_PRIVATE { next_is_private = true; } private_decl { next_is_private = false; }
	| TK_EMBEDDED
		{
			check_privileged($1, "embedded code");
			Embedded *e = arena_alloc(sizeof(*e));
			e->code = $1->text;
			e->loc = $1->loc;
			vec_push(&result->embedded, e);
		}
	| ';'
	| error		/* resume at the next probe, function or global */
		{ in_function = false; }
	;

private_decl: global_decl | function_decl ;

/* ---- globals ---- */

global_decl: TK_GLOBAL global_list ;

global_list: global_item | global_list ',' global_item ;

global_item:
	  TK_IDENT opt_init			{ add_global($1, false, NULL, $2); }
	| TK_IDENT '%' opt_init			{ add_global($1, true, NULL, $3); }
	| TK_IDENT '[' ']'			{ add_global($1, false, new_num(0, L($1)), NULL); }
	| TK_IDENT '[' TK_NUMBER ']'		{ add_global($1, false, array_size($3), NULL); }
	| TK_IDENT '%' '[' TK_NUMBER ']'	{ add_global($1, true, array_size($4), NULL); }
	| TK_IDENT '[' TK_NUMBER ']' '%'	{ add_global($1, true, array_size($3), NULL); }
	| TK_IDENT '%' '[' ']'			{ add_global($1, true, new_num(0, L($1)), NULL); }
	;

opt_init: %empty { $$ = NULL; } | '=' literal { $$ = $2; } ;

literal:
	  TK_NUMBER		{ $$ = new_num($1->num, L($1)); }
	| '-' TK_NUMBER		{ $$ = new_num((int64_t)(0 - (uint64_t)$2->num), L($1)); }
	| strings
	;

/* "a" "b" is "ab"; the pieces gather in str_buf (strings do not nest) */
strings:
	  TK_STRING
		{
			$$ = new_str($1->text, L($1));
			$$->num = $1->num;
			str_buf = (Buf){0};
		}
	| strings TK_STRING
		{
			if (str_buf.len == 0)
				buf_putn(&str_buf, $1->str, $1->num);
			buf_putn(&str_buf, $2->text, $2->num);
			$$ = $1;
			$$->str = str_buf.s;
			$$->num = (int64_t)str_buf.len;
		}
	;

/* ---- functions ---- */

/* 'return' is allowed from the head on, until the function is complete */
function_decl:
	  function_head block
		{
			$1->body = $2;
			vec_push(&result->funcs, $1);
			in_function = false;
		}
	| function_head TK_EMBEDDED
		{
			Func *f = $1;
			check_privileged($2, "embedded code");
			f->body = new_node(ND_EMBEDDED_STMT, L($2));
			f->body->str = $2->text;
			f->is_embedded = true;
			f->pure = strstr($2->text, "/* pure */") != NULL;
			f->unprivileged = strstr($2->text, "/* unprivileged */") != NULL;
			f->guru = strstr($2->text, "/* guru */") != NULL;
			vec_push(&result->funcs, f);
			in_function = false;
		}
	;

function_head:
	  TK_FUNCTION fname opt_type '(' opt_params ')' opt_priority
		{
			$$ = new_func($2, $3, $5, $7);
			in_function = true;
		}
	;

fname: TK_IDENT | TK_STRING_TYPE | TK_LONG_TYPE ;

opt_type:
	  %empty		{ $$ = TY_UNKNOWN; }
	| ':' TK_LONG_TYPE	{ $$ = TY_LONG; }
	| ':' TK_STRING_TYPE	{ $$ = TY_STRING; }
	;

opt_priority:
	  %empty		{ $$ = cur_file->is_tapset ? 1 : 0; }
	| ':' TK_NUMBER		{ $$ = (int)$2->num; }
	;

opt_params: %empty { $$ = arena_alloc(sizeof(Vec)); } | params ;

params:
	  TK_IDENT opt_type
		{ $$ = arena_alloc(sizeof(Vec)); vec_push($$, new_param($1, $2)); }
	| params ',' TK_IDENT opt_type
		{ $$ = $1; add_param($$, $3, $4); }
	;

/* ---- probes and aliases ---- */

probe_decl:
	  TK_PROBE probe_points block
		{
			Probe *p = arena_alloc(sizeof(*p));
			p->points = $2;
			p->body = $3;
			p->loc = L($1);
			p->file = cur_file;
			p->is_private = next_is_private;
			vec_push(&result->probes, p);
		}
	| TK_PROBE probe_points '=' probe_points block
		{
			Probe *p = arena_alloc(sizeof(*p));
			p->points = $2;
			p->alias_targets = $4;
			p->body = $5;
			p->loc = L($1);
			p->file = cur_file;
			p->is_alias = true;
			p->is_private = next_is_private;
			vec_push(&result->aliases, p);
		}
	| TK_PROBE probe_points TK_ADD_ASSIGN probe_points block
		{
			Probe *p = arena_alloc(sizeof(*p));
			p->points = $2;
			p->alias_targets = $4;
			p->body = $5;
			p->loc = L($1);
			p->file = cur_file;
			p->is_alias = true;
			p->is_epilogue = true;
			p->is_private = next_is_private;
			vec_push(&result->aliases, p);
		}
	;

probe_points:
	  probe_point			{ $$ = $1; pp_tail = last_point($1); }
	| probe_points ',' probe_point
		{
			pp_tail->next = $3;
			pp_tail = last_point($3);
			$$ = $1;
		}
	;

/* one point as written; brace expansion may make it several */
probe_point:
	  components opt_mark opt_cond	{ $$ = new_probe_points(with_suffix($1, $2, $3)); }
	;

opt_mark: %empty { $$ = NULL; } | '?' | '!' ;

opt_cond: %empty { $$ = NULL; } | TK_IF '(' expr ')' { $$ = $3; } ;

/*
 * The component sequences a point expands to: syscall.{open,close}.return is
 * syscall.open.return and syscall.close.return.  Groups nest, and hold whole
 * sequences: {kernel,module("nfs")}.function("nfs*").  An alternative that
 * ends the point may carry its own marks and condition, as in SystemTap:
 * kernel.{trace("a")!, trace("b")}.  While parsing, each sequence (a Seq) is
 * kept last component first, so that a long one grows in constant time per
 * component and shares its start with its expansions.
 */
components:
	  component_group
	| components '.' component_group	{ $$ = component_product($1, $3); }
	;

component_group:
	  component			{ $$ = one_seq($1); }
	| '{' alternatives '}'		{ $$ = $2; }
	;

alternatives:
	  alternative
	| alternatives ',' alternative
		{
			$$ = $1;
			for (int i = 0; i < $3->len; i++)
				vec_push($$, $3->items[i]);
		}
	;

alternative: components opt_mark opt_cond	{ $$ = with_suffix($1, $2, $3); } ;

component:
	  TK_COMPONENT
		{
			$$ = arena_alloc(sizeof(Component));
			$$->name = $1->text;
			$$->loc = L($1);
		}
	| TK_COMPONENT '(' literal ')'
		{
			$$ = arena_alloc(sizeof(Component));
			$$->name = $1->text;
			$$->loc = L($1);
			$$->arg = $3;
			$$->has_arg = true;
		}
	;

/* ---- statements ---- */

block:
	  '{' stmts '}'
		{
			$$ = new_node(ND_BLOCK, L($1));
			$$->body = reverse_nodes($2);
		}
	| '{' stmts error '}'
		{
			$$ = new_node(ND_BLOCK, L($1));
			$$->body = reverse_nodes($2);
		}
	;

/* lists (statements, arguments, keys, chains) are built newest first, in
   constant time per item, and reversed once when complete */
stmts:
	  %empty		{ $$ = NULL; }
	| stmts stmt		{ $$ = push_node($1, $2); }
	| stmts error ';'	{ $$ = $1; yyerrok; }
	;

stmt:
	  block
	| ';'			{ $$ = new_node(ND_NULL_STMT, L($1)); }
	| simple_stmt %prec NO_SEMI
	| simple_stmt ';'
	| TK_IF '(' expr ')' stmt %prec NO_ELSE
		{
			$$ = new_node(ND_IF, L($1));
			$$->cond = $3;
			$$->then = $5;
		}
	| TK_IF '(' expr ')' stmt TK_ELSE stmt
		{
			$$ = new_node(ND_IF, L($1));
			$$->cond = $3;
			$$->then = $5;
			$$->els = $7;
		}
	| TK_WHILE '(' expr ')' stmt
		{
			$$ = new_node(ND_WHILE, L($1));
			$$->cond = $3;
			$$->then = $5;
		}
	| TK_FOR '(' opt_expr ';' opt_expr ';' opt_expr ')' stmt
		{
			$$ = new_node(ND_FOR, L($1));
			$$->init = $3;
			$$->cond = $5;
			$$->inc = $7;
			$$->then = $9;
		}
	| fe_head stmt
		{
			$$ = $1;
			$$->then = $2;
		}
	| TK_TRY block TK_CATCH catch_var block
		{
			$$ = new_node(ND_TRY, L($1));
			$$->then = $2;
			$$->lhs = $4;
			$$->els = $5;
		}
	;

/* statements that may end with a ';' (and need not) */
simple_stmt:
	  expr
		{
			$$ = new_node(ND_EXPR_STMT, $1->loc);
			$$->lhs = $1;
		}
	| TK_BREAK		{ $$ = new_node(ND_BREAK, L($1)); }
	| TK_CONTINUE		{ $$ = new_node(ND_CONTINUE, L($1)); }
	| TK_NEXT		{ $$ = new_node(ND_NEXT, L($1)); }
	| TK_RETURN
		{
			$$ = new_node(ND_RETURN, L($1));
			if (!in_function)
				error_at(L($1), "parse error", "found 'return' not in function context");
		}
	| TK_RETURN expr
		{
			$$ = new_node(ND_RETURN, L($1));
			$$->lhs = $2;
			if (!in_function)
				error_at(L($1), "parse error", "found 'return' not in function context");
		}
	| TK_DELETE expr
		{
			$$ = new_node(ND_DELETE, L($1));
			$$->lhs = $2;
		}
	;

catch_var:
	  %empty		{ $$ = NULL; }
	| '(' TK_IDENT ')'	{ $$ = new_ident_var($2); }
	;

opt_expr: %empty { $$ = NULL; } | expr ;

/*
 * foreach (VARS in ARRAY limit N): a node of its own before the body, since
 * the body may hold another foreach, which reuses fe.
 */
fe_head:
	  TK_FOREACH '(' { fe = arena_alloc(sizeof(Foreach)); fe_sorts = 0; }
	  fe_vars TK_IN fe_array fe_limit ')'
		{
			fe->array = $6;
			fe->limit = $7;
			$$ = new_foreach(L($1), fe, NULL);
		}
	;

fe_vars:
	  fe_key
	| '[' fe_keys ']'
	| TK_IDENT opt_sort '=' { fe->value = new_ident_var($1); foreach_sort($1, -1, $2); }
	  fe_key_or_list
	;

fe_key_or_list: fe_key | '[' fe_keys ']' ;

fe_keys: fe_key | fe_keys ',' fe_key ;

fe_key:
	  TK_IDENT opt_sort
		{
			vec_push(&fe->keys, new_ident_var($1));
			foreach_sort($1, fe->keys.len, $2);
		}
	;

opt_sort:
	  %empty	{ $$ = 0; }
	| '+'		{ $$ = 1; }
	| '-'		{ $$ = -1; }
	;

fe_array:
	  TK_IDENT opt_sort
		{
			$$ = new_ident_var($1);
			foreach_sort($1, -1, $2);
		}
	| TK_IDENT '[' key_list ']' opt_sort
		{
			$$ = new_node(ND_INDEX, L($1));
			$$->name = $1->text;
			$$->args = reverse_nodes($3);
			$$->nargs = count($$->args);
			foreach_sort($1, -1, $5);
		}
	| TK_IDENT TK_AT_IDENT opt_sort
		{
			$$ = new_ident_var($1);
			foreach_sort_stat($2, $3);
		}
	| TK_AT_IDENT '(' args ')' opt_sort
		{
			$$ = make_call_or_at($1, reverse_nodes($3), NULL, NULL, 0);
			foreach_sort($1, -1, $5);
		}
	;

fe_limit: %empty { $$ = NULL; } | TK_LIMIT expr { $$ = $2; } ;

/* ---- expressions ---- */

expr:
	  unary
	| expr assign_op expr %prec '='
		{
			$$ = new_binary(ND_ASSIGN, $2, check_lvalue($1, "assignment"), $3, $1->loc);
		}
	| expr TK_AGG expr
		{
			$$ = new_binary(ND_AGG, 0, check_lvalue($1, "'<<<'"), $3, L($2));
		}
	| expr '?' expr ':' expr
		{
			$$ = new_node(ND_COND, L($2));
			$$->cond = $1;
			$$->then = $3;
			$$->els = $5;
		}
	| expr TK_OROR expr	{ $$ = new_binary(ND_LOGOR, 0, $1, $3, L($2)); }
	| expr TK_ANDAND expr	{ $$ = new_binary(ND_LOGAND, 0, $1, $3, L($2)); }
	| expr '|' expr		{ $$ = new_binary(ND_BINOP, '|', $1, $3, L($2)); }
	| expr '^' expr		{ $$ = new_binary(ND_BINOP, '^', $1, $3, L($2)); }
	| expr '&' expr		{ $$ = new_binary(ND_BINOP, '&', $1, $3, L($2)); }
	| expr TK_IN TK_IDENT
		{
			$$ = new_node(ND_IN, L($2));
			$$->args = $1;
			$$->nargs = 1;
			$$->lhs = new_ident_var($3);
		}
	| '[' key_list ']' TK_IN TK_IDENT
		{
			$$ = new_node(ND_IN, L($4));
			$$->args = reverse_nodes($2);
			$$->nargs = count($$->args);
			$$->lhs = new_ident_var($5);
		}
	| expr TK_EQ expr	{ $$ = new_binary(ND_CMP, TK_EQ, $1, $3, L($2)); }
	| expr TK_NE expr	{ $$ = new_binary(ND_CMP, TK_NE, $1, $3, L($2)); }
	| expr '<' expr		{ $$ = new_binary(ND_CMP, '<', $1, $3, L($2)); }
	| expr '>' expr		{ $$ = new_binary(ND_CMP, '>', $1, $3, L($2)); }
	| expr TK_LE expr	{ $$ = new_binary(ND_CMP, TK_LE, $1, $3, L($2)); }
	| expr TK_GE expr	{ $$ = new_binary(ND_CMP, TK_GE, $1, $3, L($2)); }
	| expr TK_REGEQ expr	{ $$ = new_binary(ND_REGEX, TK_REGEQ, $1, $3, L($2)); }
	| expr TK_REGNE expr	{ $$ = new_binary(ND_REGEX, TK_REGNE, $1, $3, L($2)); }
	| expr TK_SHL expr	{ $$ = new_binary(ND_BINOP, TK_SHL, $1, $3, L($2)); }
	| expr TK_SHR expr	{ $$ = new_binary(ND_BINOP, TK_SHR, $1, $3, L($2)); }
	| expr TK_USHR expr	{ $$ = new_binary(ND_BINOP, TK_USHR, $1, $3, L($2)); }
	| expr '.' expr		{ $$ = new_binary(ND_CONCAT, 0, $1, $3, L($2)); }
	| expr '+' expr		{ $$ = new_binary(ND_BINOP, '+', $1, $3, L($2)); }
	| expr '-' expr		{ $$ = new_binary(ND_BINOP, '-', $1, $3, L($2)); }
	| expr '*' expr		{ $$ = new_binary(ND_BINOP, '*', $1, $3, L($2)); }
	| expr '/' expr		{ $$ = new_binary(ND_BINOP, '/', $1, $3, L($2)); }
	| expr '%' expr		{ $$ = new_binary(ND_BINOP, '%', $1, $3, L($2)); }
	;

assign_op:
	  '='			{ $$ = 0; }
	| TK_ADD_ASSIGN		{ $$ = '+'; }
	| TK_SUB_ASSIGN		{ $$ = '-'; }
	| TK_MUL_ASSIGN		{ $$ = '*'; }
	| TK_DIV_ASSIGN		{ $$ = '/'; }
	| TK_MOD_ASSIGN		{ $$ = '%'; }
	| TK_AND_ASSIGN		{ $$ = '&'; }
	| TK_OR_ASSIGN		{ $$ = '|'; }
	| TK_XOR_ASSIGN		{ $$ = '^'; }
	| TK_CAT_ASSIGN		{ $$ = '.'; }
	| TK_SHL_ASSIGN		{ $$ = TK_SHL; }
	| TK_SHR_ASSIGN		{ $$ = TK_SHR; }
	;

unary:
	  postfix
	| '-' unary
		{
			if ($2->kind == ND_NUM) {
				$$ = $2;
				$$->num = (int64_t)(0 - (uint64_t)$2->num);
				$$->loc = L($1);
			} else {
				$$ = new_node(ND_NEG, L($1));
				$$->lhs = $2;
			}
		}
	| '+' unary	{ $$ = new_node(ND_PLUS, L($1)); $$->lhs = $2; }
	| '!' unary	{ $$ = new_node(ND_NOT, L($1)); $$->lhs = $2; }
	| '~' unary	{ $$ = new_node(ND_BITNOT, L($1)); $$->lhs = $2; }
	| '&' unary
		{
			if ($2->kind != ND_TARGET && $2->kind != ND_CAST && $2->kind != ND_VARREF &&
			    $2->kind != ND_AUTOCAST) {
				error_at(L($1), "parse error",
					 "'&' applies only to a target variable ($var->member, @var or @cast)");
			}
			$$ = new_node(ND_ADDR, L($1));
			$$->lhs = $2;
		}
	| TK_INC primary
		{
			$$ = new_node(ND_PREINC, L($1));
			$$->op = '+';
			$$->lhs = check_lvalue($2, "'++'");
		}
	| TK_DEC primary
		{
			$$ = new_node(ND_PREINC, L($1));
			$$->op = '-';
			$$->lhs = check_lvalue($2, "'--'");
		}
	;

/* ++ and -- apply to a primary only: x-- ++y is x-- then ++y, as in SystemTap */
postfix:
	  primary
	| primary TK_INC
		{
			$$ = new_node(ND_POSTINC, L($2));
			$$->op = '+';
			$$->lhs = check_lvalue($1, "'++'");
		}
	| primary TK_DEC
		{
			$$ = new_node(ND_POSTINC, L($2));
			$$->op = '-';
			$$->lhs = check_lvalue($1, "'--'");
		}
	;

primary:
	  TK_NUMBER		{ $$ = new_num($1->num, L($1)); }
	| strings
	| TK_IDENT		{ $$ = new_ident_var($1); }
	| TK_IDENT '[' key_list ']'
		{
			$$ = new_node(ND_INDEX, L($1));
			$$->name = $1->text;
			$$->args = reverse_nodes($3);
			$$->nargs = count($$->args);
		}
	| TK_IDENT '(' opt_args ')'
		{
			$$ = new_node(ND_CALL, L($1));
			$$->name = $1->text;
			$$->args = $3;
			$$->nargs = count($3);
			check_print_args($1, $3, $4);
		}
	| '(' expr ')'		{ $$ = $2; }
	| primary TK_ARROW TK_IDENT opt_pretty
		{ $$ = make_autocast($1, new_chain(CH_MEMBER, $3, NULL), $2, $4); }
	| primary '[' expr ']' opt_pretty
		{ $$ = make_autocast($1, new_chain(CH_INDEX, $2, $3), $2, $5); }
	| TK_TARGET chain opt_pretty	{ $$ = make_target($1, reverse_chain($2), $3); }
	| TK_AT_IDENT '(' opt_args ')' chain opt_pretty
		{
			$$ = make_call_or_at($1, $3, reverse_chain($5), NULL, $6);
		}
	| TK_AT_IDENT '(' opt_args ')' '[' expr ']' chain opt_pretty
		{
			/* @hist_log(s)[i] is a bucket; @var("a")[i] an element */
			Chain *rest = reverse_chain($8);
			if (takes_chain($1->text) || strcmp($1->text, "@entry") == 0)
				$$ = make_call_or_at($1, $3,
					push_chain(rest, new_chain(CH_INDEX, $5, $6)), NULL, $9);
			else
				$$ = make_call_or_at($1, $3, rest, $6, $9);
		}
	| TK_AT_IDENT
		{
			error_at(L($1), "parse error",
				 "unknown operator or undefined macro '%s'", $1->text);
			$$ = new_num(0, L($1));
		}
	| TK_EMBEDDED
		{
			check_privileged($1, "embedded expression code");
			$$ = new_node(ND_EMBEDDED_EXPR, L($1));
			$$->str = $1->text;
		}
	;

chain:
	  %empty		{ $$ = NULL; }
	| chain TK_ARROW TK_IDENT	{ $$ = push_chain($1, new_chain(CH_MEMBER, $3, NULL)); }
	| chain '[' expr ']'	{ $$ = push_chain($1, new_chain(CH_INDEX, $2, $3)); }
	;

opt_pretty: %empty { $$ = 0; } | '$' { $$ = 1; } | TK_DOLLAR2 { $$ = 2; } ;

opt_args: %empty { $$ = NULL; } | args { $$ = reverse_nodes($1); } ;

args:
	  expr
	| args ',' expr		{ $$ = push_node($1, $3); }
	;

key_list:
	  key
	| key_list ',' key	{ $$ = push_node($1, $3); }
	;

key:
	  expr
	| '*'			{ $$ = new_node(ND_STAR, L($1)); }
	;

%%

static ProbePoint *last_point(ProbePoint *pp)
{
	while (pp->next)
		pp = pp->next;
	return pp;
}

static void buf_putn(Buf *b, const char *s, int64_t n)
{
	buf_puts(b, "");	/* a NUL-terminated buffer even when n is 0 */
	for (int64_t i = 0; i < n; i++)
		buf_putc(b, s[i]);
}

Node *new_node(NodeKind kind, Loc loc)
{
	Node *n = arena_alloc(sizeof(*n));
	n->kind = kind;
	n->loc = loc;
	n->tmp = -1;
	return n;
}

Node *new_num(int64_t num, Loc loc)
{
	Node *n = new_node(ND_NUM, loc);
	n->num = num;
	n->type = TY_LONG;
	return n;
}

Node *new_str(const char *s, Loc loc)
{
	Node *n = new_node(ND_STR, loc);
	n->str = s;
	n->num = (int64_t)strlen(s);
	n->type = TY_STRING;
	return n;
}

Node *new_binary(NodeKind kind, int op, Node *lhs, Node *rhs, Loc loc)
{
	Node *n = new_node(kind, loc);
	n->op = op;
	n->lhs = lhs;
	n->rhs = rhs;
	return n;
}

static Node *new_ident_var(Token *t)
{
	Node *n = new_node(ND_VAR, t->loc);
	n->name = t->text;
	return n;
}

static Node *push_node(Node *list, Node *item)
{
	item->next = list;
	return item;
}

static Node *reverse_nodes(Node *list)
{
	Node *r = NULL;
	while (list) {
		Node *next = list->next;
		list->next = r;
		r = list;
		list = next;
	}
	return r;
}

static Chain *push_chain(Chain *list, Chain *c)
{
	c->next = list;
	return c;
}

static Chain *reverse_chain(Chain *list)
{
	Chain *r = NULL;
	while (list) {
		Chain *next = list->next;
		list->next = r;
		r = list;
		list = next;
	}
	return r;
}

static int count(Node *list)
{
	int n = 0;
	for (; list; list = list->next)
		n++;
	return n;
}

static Node *check_lvalue(Node *n, const char *what)
{
	switch (n->kind) {
	case ND_VAR:
	case ND_INDEX:
	case ND_TARGET:
	case ND_CAST:
	case ND_VARREF:
	case ND_AUTOCAST:
		return n;
	default:
		error_at(n->loc, "parse error",
			 "the left side of %s must be a variable, an array element "
			 "or a target variable", what);
		return n;
	}
}

static Chain *new_chain(ChainKind kind, Token *t, Node *index)
{
	Chain *c = arena_alloc(sizeof(*c));
	c->kind = kind;
	c->name = t->text;
	c->loc = t->loc;
	c->index = index;
	return c;
}

static Chain *chain_append(Chain *list, Chain *c)
{
	if (!list)
		return c;
	Chain *p = list;
	while (p->next)
		p = p->next;
	p->next = c;
	return list;
}

static Node *make_target(Token *t, Chain *chain, int pretty)
{
	Node *n = new_node(ND_TARGET, t->loc);
	n->name = t->text;
	if (pretty)
		chain = chain_append(chain, new_chain(pretty == 2 ? CH_PRETTY_DEEP : CH_PRETTY,
						      t, NULL));
	n->chain = chain;
	return n;
}

static bool ends_pretty(Chain *c)
{
	while (c && c->next)
		c = c->next;
	return c && (c->kind == CH_PRETTY || c->kind == CH_PRETTY_DEEP);
}

/*
 * base->name or base[i] (c), where base is no $var: SystemTap's autocast,
 * read as the debuginfo type base's value carries (resolve.c finds it).
 * It continues the chain of a $var, @cast, @var or autocast before it, so
 * ($p)->x is $p->x.  name[i] on a plain name stays an array element (the
 * grammar shifts '[' after TK_IDENT): (name)[i] is the autocast.
 */
static Node *make_autocast(Node *base, Chain *c, Token *op, int pretty)
{
	Node *n = base;
	bool continues = base->kind == ND_AUTOCAST || base->kind == ND_CAST ||
			 base->kind == ND_VARREF ||
			 (base->kind == ND_TARGET && strncmp(base->name, "$$", 2) != 0);
	if (continues && ends_pretty(base->chain))
		error_at(op->loc, "parse error", "'%s' cannot follow a pretty-printed value ('$')",
			 op->text);
	if (!continues) {
		n = new_node(ND_AUTOCAST, op->loc);
		n->lhs = base;
	}
	n->chain = chain_append(n->chain, c);
	if (pretty)
		n->chain = chain_append(n->chain, new_chain(pretty == 2 ? CH_PRETTY_DEEP :
							    CH_PRETTY, op, NULL));
	return n;
}

static const char *stat_ops[] = {
	"@count", "@sum", "@min", "@max", "@avg", "@variance",
};

/*
 * @variance(s, N): the second argument is the bit shift of the integer
 * running variance (runtime/stat.c), kept in the node as N + 1 so that
 * types.c can tell @variance(s, 0) from @variance(s).
 */
static void variance_shift(Node *n, Node *args)
{
	Node *shift = args->next;
	if (shift->kind != ND_NUM || shift->num < 0 || shift->num > 62)
		error_at(shift->loc, "parse error",
			 "@variance's second argument is a bit shift: a number from 0 to 62");
	n->num = shift->num + 1;
	args->next = NULL;
}

/* The @operators that take '->' and '[ ]' after them, as $target does. */
static bool takes_chain(const char *op)
{
	return strcmp(op, "@cast") == 0 || strcmp(op, "@var") == 0;
}

/* @count(x), @hist_log(x)[2], @cast(p, "type")->member, @defined(...), ... */
static Node *make_call_or_at(Token *name, Node *args, Chain *chain, Node *index, int pretty)
{
	const char *op = name->text;
	int nargs = count(args);
	Node *n = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(stat_ops); i++)
		if (strcmp(op, stat_ops[i]) == 0) {
			n = new_node(ND_STATOP, name->loc);
			n->name = intern_str(op);
			n->lhs = args;
			if (nargs == 2 && strcmp(op, "@variance") == 0)
				variance_shift(n, args);
			else if (nargs != 1)
				error_at(name->loc, "parse error", "%s takes one argument", op);
		}
	if (n) {
	} else if (strcmp(op, "@hist_linear") == 0 || strcmp(op, "@hist_log") == 0) {
		n = new_node(ND_HIST, name->loc);
		n->name = intern_str(op);
		n->args = args;
		n->nargs = nargs;
		n->lhs = args;
		if (strcmp(op, "@hist_log") == 0 && nargs != 1)
			error_at(name->loc, "parse error", "@hist_log takes one argument");
		if (strcmp(op, "@hist_linear") == 0 && nargs != 4)
			error_at(name->loc, "parse error",
				 "@hist_linear takes four arguments: (stats, low, high, step)");
		if (index) {
			Node *h = new_node(ND_HIST_INDEX, name->loc);
			h->lhs = n;
			h->rhs = index;
			n = h;
			index = NULL;
		}
	} else if (strcmp(op, "@cast") == 0) {
		n = new_node(ND_CAST, name->loc);
		n->args = args;
		n->nargs = nargs;
		if (nargs < 2 || nargs > 3)
			error_at(name->loc, "parse error",
				 "@cast takes (pointer, \"type\"[, \"module\"])");
	} else if (strcmp(op, "@var") == 0) {
		n = new_node(ND_VARREF, name->loc);
		n->args = args;
		n->nargs = nargs;
		if (nargs < 1 || nargs > 2)
			error_at(name->loc, "parse error", "@var takes (\"name@file\"[, \"module\"])");
	} else if (strcmp(op, "@defined") == 0) {
		n = new_node(ND_DEFINED, name->loc);
		n->lhs = args;
		if (nargs != 1)
			error_at(name->loc, "parse error", "@defined takes one argument");
	} else if (strcmp(op, "@entry") == 0) {
		n = new_node(ND_ENTRY, name->loc);
		n->lhs = args;
		if (nargs != 1)
			error_at(name->loc, "parse error", "@entry takes one argument");
	} else if (strcmp(op, "@const") == 0) {
		n = new_node(ND_CONST, name->loc);
		n->lhs = args;
		if (nargs != 1 || args->kind != ND_STR)
			error_at(name->loc, "parse error", "@const takes one string argument");
		else
			check_privileged(name, "using @const operator");
	} else if (strcmp(op, "@probewrite") == 0) {
		n = new_node(ND_PROBEWRITE, name->loc);
		n->lhs = args;
		if (nargs != 1)
			error_at(name->loc, "parse error", "@probewrite takes one argument");
	} else {
		error_at(name->loc, "parse error", "unknown operator or undefined macro '%s'", op);
		return new_num(0, name->loc);
	}
	if (index)
		error_at(name->loc, "parse error", "%s cannot be indexed with '[ ]'", op);
	if (!takes_chain(op)) {
		if (chain && n->kind == ND_ENTRY) {
			/* @entry($p)->x: an autocast of the value saved at entry */
			Node *a = new_node(ND_AUTOCAST, chain->loc);
			a->lhs = n;
			a->chain = chain;
			n = a;
		} else if (chain) {
			error_at(chain->loc, "parse error",
				 "%s cannot be followed by '->' or '[ ]'", op);
		}
		if (pretty && !chain)
			error_at(name->loc, "parse error", "%s cannot be followed by '$'", op);
		else if (pretty)
			n->chain = chain_append(n->chain, new_chain(pretty == 2 ? CH_PRETTY_DEEP :
								    CH_PRETTY, name, NULL));
		return n;
	}
	if (pretty)
		chain = chain_append(chain, new_chain(pretty == 2 ? CH_PRETTY_DEEP : CH_PRETTY,
						      name, NULL));
	n->chain = chain;
	return n;
}

static Node *new_foreach(Loc loc, Foreach *f, Node *body)
{
	Node *n = new_node(ND_FOREACH, loc);
	n->foreach = f;
	n->then = body;
	return n;
}

static void foreach_sort(Token *at, int key, int dir)
{
	if (!dir)
		return;
	if (++fe_sorts > 1) {
		error_at(at->loc, "parse error",
			 "foreach may sort by only one key or the value ('+' or '-' once)");
		return;
	}
	fe->sort_key = key;
	fe->sort_dir = dir;
}

#define MAX_EXPANDED_POINTS 10000
static bool expansion_failed;	/* reported once per probe point */

/* A copy of the (reversed) sequence c, followed by rest. */
static Component *copy_components(Component *c, Component *rest)
{
	Component *first = rest, **link = &first;
	for (; c; c = c->next) {
		Component *n = arena_alloc(sizeof(*n));
		*n = *c;
		n->next = rest;
		*link = n;
		link = &n->next;
	}
	return first;
}

/* A component sequence of a point being parsed, with what follows it. */
typedef struct Seq {
	Component *comps;	/* last component first */
	Token *mark;		/* '?' or '!' after it, or NULL */
	Node *cond;		/* if (cond) after it, or NULL */
} Seq;

static Vec *one_seq(Component *c)
{
	Seq *q = arena_alloc(sizeof(*q));
	q->comps = c;
	Vec *v = arena_alloc(sizeof(*v));
	vec_push(v, q);
	return v;
}

/* Every sequence of heads followed by every sequence of tails, in that order. */
static Vec *component_product(Vec *heads, Vec *tails)
{
	bool reported = false;
	for (int i = 0; i < heads->len; i++) {
		Seq *h = heads->items[i];
		if ((h->mark || h->cond) && !reported)
			error_at(h->mark ? h->mark->loc : h->cond->loc, "parse error",
				 "'?', '!' or condition must only be specified in suffix");
		reported |= h->mark || h->cond;
		h->mark = NULL;
		h->cond = NULL;
	}
	if ((int64_t)heads->len * tails->len > MAX_EXPANDED_POINTS) {
		Seq *t = tails->items[0];
		if (!expansion_failed)
			error_at(t->comps->loc, "parse error", "brace expansion makes more than %d "
				 "probe points", MAX_EXPANDED_POINTS);
		expansion_failed = true;
		Vec *one = arena_alloc(sizeof(*one));
		vec_push(one, heads->items[0]);
		return one;
	}
	Vec *out = arena_alloc(sizeof(*out));
	for (int i = 0; i < heads->len; i++)
		for (int j = 0; j < tails->len; j++) {
			Seq *h = heads->items[i], *t = tails->items[j];
			Seq *q = arena_alloc(sizeof(*q));
			*q = *t;
			q->comps = copy_components(t->comps, h->comps);
			vec_push(out, q);
		}
	return out;
}

/* The marks and condition written after seqs, given to each of them. */
static Vec *with_suffix(Vec *seqs, Token *mark, Node *cond)
{
	bool mark_again = false, cond_again = false;
	for (int i = 0; i < seqs->len; i++) {
		Seq *q = seqs->items[i];
		if (mark && q->mark)
			mark_again = true;
		else if (mark)
			q->mark = mark;
		if (cond && q->cond)
			cond_again = true;
		else if (cond)
			q->cond = cond;
	}
	if (mark_again)
		error_at(mark->loc, "parse error", "'?' or '!' respecified");
	if (cond_again)
		error_at(cond->loc, "parse error", "condition respecified");
	return seqs;
}

/* One ProbePoint per component sequence, in order. */
static ProbePoint *new_probe_points(Vec *seqs)
{
	ProbePoint *first = NULL, **link = &first;
	expansion_failed = false;
	for (int i = 0; i < seqs->len; i++) {
		Seq *q = seqs->items[i];
		ProbePoint *pp = arena_alloc(sizeof(*pp));
		for (Component *c = q->comps; c; c = c->next) {
			Component *n = arena_alloc(sizeof(*n));
			*n = *c;
			n->next = pp->comps;
			pp->comps = n;
		}
		pp->loc = pp->comps->loc;
		pp->optional = q->mark != NULL;
		pp->sufficient = q->mark && q->mark->kind == '!';
		pp->cond = q->cond;
		*link = pp;
		link = &pp->next;
	}
	return first;
}

/* foreach (k in s @sum-): sorts by one extractor of a statistics array's values */
static void foreach_sort_stat(Token *op, int dir)
{
	bool known = false;
	for (size_t i = 0; i < ARRAY_SIZE(stat_ops); i++)
		if (strcmp(op->text, stat_ops[i]) == 0)
			known = true;
	if (!known) {
		error_at(op->loc, "parse error", "foreach cannot sort by '%s' (sort by @count, "
			 "@sum, @min, @max, @avg or @variance)", op->text);
		return;
	}
	if (!dir) {
		error_at(op->loc, "parse error", "sorting by %s needs '+' or '-' after it", op->text);
		return;
	}
	foreach_sort(op, -1, dir);
	fe->sort_stat = op->text;
}

/*
 * Embedded C, and @const, which names a C macro: only in the library or
 * with -g.  SystemTap's words: "embedded code in unprivileged script; need
 * stap -g", "using @const operator not permitted; ...".
 */
static void check_privileged(Token *t, const char *what)
{
	if (cur_file->is_tapset || preproc_env.guru_mode)
		return;
	error_at(t->loc, "parse error", "%s %s; need stap -g", what,
		 strcmp(what, "using @const operator") == 0 ? "not permitted" :
		 "in unprivileged script");
}

/*
 * The print functions' fixed arguments, as SystemTap parses them: printf
 * takes a literal format, printd and printdln a literal delimiter and two or
 * more values, print a value; and so do sprintf, sprintd...
 */
static void check_print_args(Token *name, Node *args, Token *close)
{
	const char *f = name->text;
	const char *base = f[0] == 's' ? f + 1 : f;	/* sprintd is printd's */
	bool format = strcmp(base, "printf") == 0;
	bool delim = strcmp(base, "printd") == 0 || strcmp(base, "printdln") == 0;
	bool value = strcmp(base, "print") == 0;
	if ((format || delim) && (!args || args->kind != ND_STR)) {
		error_at(args ? args->loc : close->loc, "parse error",
			 "expected literal string (%s's %s)", f, format ? "format" : "delimiter");
		return;
	}
	if (delim && count(args) < 3)
		error_at(close->loc, "parse error", "%s takes a delimiter and two or more values", f);
	if (value && !args)
		error_at(close->loc, "parse error", "%s takes a value", f);
}

static Func *new_func(Token *name, Type ret, Vec *params, int priority)
{
	Func *f = arena_alloc(sizeof(*f));
	f->name = name->text;
	f->loc = L(name);
	f->decl_ret = ret;
	f->params = *params;
	f->priority = priority;
	f->is_private = next_is_private;
	f->file = cur_file;
	return f;
}

/* global a[N]: SystemTap takes sizes from 1 to INT_MAX */
static Node *array_size(Token *t)
{
	if (t->num < 1 || t->num > INT32_MAX)
		error_at(t->loc, "parse error", "array size out of range");
	return new_num(t->num, L(t));
}

static void add_global(Token *name, bool wrap, Node *size, Node *init)
{
	for (int i = 0; i < result->globals.len; i++) {
		Var *w = result->globals.items[i];
		if (w->name == name->text) {
			error_at(name->loc, "parse error", "duplicate global name '%s'", w->name);
			note_at(w->loc, "'%s' was declared here first", w->name);
			return;
		}
	}
	Var *v = new_var(name->text, VAR_GLOBAL, name->loc);
	v->wrap = wrap;
	if (size) {
		v->is_array = true;
		v->max_entries = size->num;
	}
	if (wrap && !size)
		v->is_array = true;
	v->init = init;
	v->is_private = next_is_private;
	v->file = cur_file;
	if (init)
		v->type = init->type;
	vec_push(&result->globals, v);
}

static Var *new_param(Token *name, Type t)
{
	Var *v = new_var(name->text, VAR_PARAM, name->loc);
	v->type = t;
	return v;
}

static void add_param(Vec *params, Token *name, Type t)
{
	for (int i = 0; i < params->len; i++) {
		Var *p = params->items[i];
		if (p->name == name->text) {
			error_at(name->loc, "parse error", "duplicate parameter '%s'", p->name);
			note_at(p->loc, "'%s' is the parameter here already", p->name);
			return;
		}
	}
	vec_push(params, new_param(name, t));
}

/* ---- the token stream and errors ---- */

static Token *last_token;
static Token *open_braces[64];	/* innermost unclosed '{', for errors at EOF */
static int brace_depth;

int yylex(void)
{
	Token *t = cursor;
	if (t->kind)
		cursor = t->next;
	if (t->kind == '{') {
		if (brace_depth < 64)
			open_braces[brace_depth] = t;
		brace_depth++;
	} else if (t->kind == '}' && brace_depth > 0) {
		brace_depth--;
	}
	last_token = t;
	yylval.tok = t;
	return t->kind;
}

static void yyerror(const char *msg)
{
	if (strcmp(msg, "memory exhausted") == 0)
		msg = "nested too deeply (the parser's stack is full)";
	error_at(last_token->loc, "parse error", "%s", msg);
}

static int yyreport_syntax_error(const yypcontext_t *ctx)
{
	yysymbol_kind_t expected[6];
	int n = yypcontext_expected_tokens(ctx, expected, 6);
	Token *t = last_token;
	Buf b = {0};
	if (n > 0 && n <= 5) {
		buf_puts(&b, "expected ");
		for (int i = 0; i < n; i++) {
			if (i)
				buf_puts(&b, i == n - 1 ? " or " : ", ");
			buf_puts(&b, yysymbol_name(expected[i]));
		}
		buf_puts(&b, ", found ");
	} else {
		buf_puts(&b, "unexpected ");
	}
	buf_puts(&b, token_desc(t));
	if (t->kind == 0 && brace_depth > 0 && brace_depth <= 64) {
		error_at(t->loc, "parse error", "%s: a '{' is not closed", b.s);
		note_at(open_braces[brace_depth - 1]->loc, "this '{' has no matching '}'");
		return 0;
	}
	error_at(t->loc, "parse error", "%s", b.s);
	return 0;
}

/*
 * ---- a bound on nesting ----
 * The passes walk the AST recursively.  The parser's stack bounds most
 * nesting, but not left-associative chains (1 + 1 + ... + 1), so every tree
 * is measured here, without recursion, and a too deep one is an error.
 */

#define MAX_DEPTH 10000

typedef struct DepthItem {
	Node *n;
	int depth;
} DepthItem;

static DepthItem *depth_stack;
static int depth_len, depth_cap;

static void depth_push(Node *n, int depth)
{
	if (!n)
		return;
	if (depth_len == depth_cap) {
		int cap = depth_cap ? depth_cap * 2 : 256;
		DepthItem *s = arena_alloc(cap * sizeof(*s));
		if (depth_len)
			memcpy(s, depth_stack, depth_len * sizeof(*s));
		depth_stack = s;
		depth_cap = cap;
	}
	depth_stack[depth_len++] = (DepthItem){ n, depth };
}

static bool check_depth(Node *root)
{
	depth_len = 0;
	depth_push(root, 1);
	while (depth_len) {
		DepthItem it = depth_stack[--depth_len];
		Node *n = it.n;
		if (it.depth > MAX_DEPTH) {
			error_at(n->loc, "parse error", "nested more than %d levels deep", MAX_DEPTH);
			return false;
		}
		int d = it.depth + 1;
		depth_push(n->lhs, d);
		depth_push(n->rhs, d);
		depth_push(n->cond, d);
		depth_push(n->then, d);
		depth_push(n->els, d);
		depth_push(n->init, d);
		depth_push(n->inc, d);
		for (Node *a = n->args; a; a = a->next)
			if (a != n->lhs)	/* @hist_log(x): lhs is args */
				depth_push(a, d);
		for (Node *b = n->body; b; b = b->next)
			depth_push(b, d);
		for (Chain *c = n->chain; c; c = c->next)
			depth_push(c->index, d);
		if (n->foreach) {
			depth_push(n->foreach->array, d);
			depth_push(n->foreach->limit, d);
		}
	}
	return true;
}

static bool check_points_depth(ProbePoint *pp)
{
	for (Node *last = NULL; pp; pp = pp->next) {
		if (pp->cond && pp->cond != last && !check_depth(pp->cond))
			return false;
		last = pp->cond;	/* brace expansions share their condition */
	}
	return true;
}

static void check_depths(ParseResult *r)
{
	for (int i = 0; i < r->funcs.len; i++)
		if (!check_depth(((Func *)r->funcs.items[i])->body))
			return;
	for (int pass = 0; pass < 2; pass++) {
		Vec *v = pass ? &r->aliases : &r->probes;
		for (int i = 0; i < v->len; i++) {
			Probe *p = v->items[i];
			if (!check_points_depth(p->points) || !check_depth(p->body))
				return;
		}
	}
}

bool parse_file(SrcFile *file, ParseResult *out)
{
	int errors_before = error_count;
	result = out;
	cur_file = file;
	Token *toks = lex_file(file);
	cursor = preprocess(toks);
	brace_depth = 0;
	in_function = false;
	if (!file->is_tapset && error_count == errors_before && !cursor->kind)
		error_plain(NULL, "input file '%s' is empty%s", file->name,
			    toks->kind ? " after preprocessing" : "");
	if (error_count == errors_before)
		yyparse();
	if (error_count == errors_before)
		check_depths(out);
	return error_count == errors_before;
}
