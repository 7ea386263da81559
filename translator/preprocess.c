/*
 * preprocess.c - between the lexer and the parser.
 *
 * Works on a file's token list, in this order:
 *   1. %( COND %? A %: B %) keeps A or B;
 *   2. @define NAME(a, b) %( BODY %) defines a macro, @NAME(x, y) expands it;
 *   3. $N becomes the tokens of command-line argument N, @N a string, $# and
 *      @# their count;
 *   4. probe-point components written without spaces (sys_*, {open,close})
 *      are glued into single TK_COMPONENT tokens.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include "stap.h"
#include "parser.h"

PreprocEnv preproc_env;

typedef struct Macro {
	const char *name;	/* without the @, interned */
	Vec params;		/* const char* */
	Token *body;		/* up to, not including, the closing %) */
	SrcFile *file;		/* NULL: a library macro, visible everywhere */
	struct Macro *next;
} Macro;

/* Macros by name: a hash of the interned name's address picks the chain. */
#define MACRO_BUCKETS 1024
static Macro *macros[MACRO_BUCKETS];

static Macro **macro_bucket(const char *name)
{
	return &macros[((uintptr_t)name >> 4) % MACRO_BUCKETS];
}
/*
 * Bounds on the expansions of one file, for recursive macros: a macro that
 * uses itself once expands forever, one that uses itself twice doubles the
 * tokens at each turn.
 */
static int expansions, expanded_tokens;
#define MAX_EXPANSIONS 100000
#define MAX_EXPANDED_TOKENS 500000
#define MAX_NESTING 1000	/* of %( %) conditionals */

/* ---- token lists ---- */

static Token *copy_token(const Token *t)
{
	Token *c = arena_alloc(sizeof(*c));
	*c = *t;
	c->next = NULL;
	return c;
}

typedef struct TokList {
	Token *head;
	Token *tail;
} TokList;

static void list_append(TokList *l, Token *t)
{
	t = copy_token(t);
	if (l->tail)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
}

const char *token_desc(const Token *t)
{
	switch (t->kind) {
	case 0:
		return "end of file";
	case TK_IDENT:
		return arena_printf("identifier '%s'", t->text);
	case TK_COMPONENT:
		return arena_printf("probe point component '%s'", t->text);
	case TK_NUMBER:
		return arena_printf("number %s", t->text);
	case TK_STRING:
		return "string literal";
	case TK_EMBEDDED:
		return "embedded C code";
	default:
		return arena_printf("'%s'", t->text);
	}
}

/* ---- conditions: %( kernel_v >= "5.4" && arch == "x86_64" %? ---- */

typedef struct CondValue {
	bool is_num;
	int64_t num;
	const char *str;
	bool is_version;	/* kernel_v and friends compare as versions */
	Token *config;		/* a CONFIG_ option: read as a number next to one */
	bool ok;
} CondValue;

static Token *cond_tok;		/* cursor into the condition's tokens, ending at a
				   kind-0 token that stands for the %? */

static const char *cond_desc(const Token *t)
{
	return t->kind ? token_desc(t) : "'%?'";
}

static const char *kconfig_value(const char *name)
{
	static Vec names, values;
	static bool loaded;
	if (!loaded) {
		loaded = true;
		FILE *f = preproc_env.kconfig_path ? fopen(preproc_env.kconfig_path, "r") : NULL;
		char line[1024];
		while (f && fgets(line, sizeof(line), f)) {
			char *eq = strchr(line, '=');
			if (strncmp(line, "CONFIG_", 7) != 0 || !eq)
				continue;
			char *val = eq + 1;
			val[strcspn(val, "\n")] = '\0';
			size_t vlen = strlen(val);
			if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
				val[vlen - 1] = '\0';
				val++;
			}
			vec_push(&names, (void *)intern(line, eq - line));
			vec_push(&values, arena_strdup(val));
		}
		if (f)
			fclose(f);
	}
	const char *n = intern_str(name);
	for (int i = 0; i < names.len; i++)
		if (names.items[i] == n)
			return values.items[i];
	return "";
}

static CondValue cond_operand(void)
{
	Token *t = cond_tok;
	CondValue v = { .ok = true };
	if (t->kind)
		cond_tok = t->next;
	switch (t->kind) {
	case TK_NUMBER:
		v.is_num = true;
		v.num = t->num;
		return v;
	case TK_STRING:
		v.str = t->text;
		return v;
	case TK_IDENT: {
		const char *n = t->text;
		if (strcmp(n, "kernel_v") == 0 || strcmp(n, "kernel_vr") == 0) {
			v.str = n[8] ? preproc_env.kernel_vr : preproc_env.kernel_v;
			v.is_version = true;
			return v;
		}
		if (strcmp(n, "systemtap_v") == 0) {
			v.str = preproc_env.systemtap_v;
			v.is_version = true;
			return v;
		}
		if (strcmp(n, "arch") == 0) {
			v.str = preproc_env.arch;
			return v;
		}
		if (strcmp(n, "runtime") == 0) {
			v.str = preproc_env.runtime;
			return v;
		}
		if (strcmp(n, "guru_mode") == 0) {
			v.is_num = true;
			v.num = preproc_env.guru_mode;
			return v;
		}
		if (strcmp(n, "systemtap_privilege") == 0) {
			v.str = "stapdev";
			return v;
		}
		if (strncmp(n, "CONFIG_", 7) == 0) {
			v.str = kconfig_value(n);
			v.config = t;
			return v;
		}
		error_at(t->loc, "parse error",
			 "unknown name '%s' in preprocessor condition (known: kernel_v, kernel_vr, "
			 "arch, runtime, systemtap_v, guru_mode, CONFIG_*)", n);
		v.ok = false;
		return v;
	}
	default:
		break;
	}
	error_at(t->loc, "parse error", "expected a name, string or number in preprocessor "
		 "condition, found %s", cond_desc(t));
	v.ok = false;
	return v;
}

static bool isdigit_ascii(char c)
{
	return c >= '0' && c <= '9';
}

/* Compares "6.1.192" and "6.1.0-56" piece by piece, numbers as numbers. */
static int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		if (isdigit_ascii(*a) && isdigit_ascii(*b)) {
			long x = strtol(a, (char **)&a, 10);
			long y = strtol(b, (char **)&b, 10);
			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return 0;
}

static bool compare(int op, int c)
{
	switch (op) {
	case TK_EQ: return c == 0;
	case TK_NE: return c != 0;
	case '<': return c < 0;
	case '>': return c > 0;
	case TK_LE: return c <= 0;
	case TK_GE: return c >= 0;
	}
	return false;
}

/* CONFIG_NR_CPUS >= 2: the option's value as a number, an unset one 0 */
static bool config_as_number(CondValue *v)
{
	if (!v->config || v->is_num)
		return true;
	if (!*v->str) {
		v->num = 0;
	} else if (!parse_number(v->str, &v->num)) {
		error_at(v->config->loc, "parse error",
			 "%s is \"%s\", not a number, so it cannot be compared with one",
			 v->config->text, v->str);
		return false;
	}
	v->is_num = true;
	return true;
}

/*
 * One comparison.  As in SystemTap, conditions have no parentheses and no
 * unary operators: a number is a literal without a sign.
 */
static bool cond_primary(bool *ok)
{
	Token *op_tok;
	CondValue l = cond_operand();
	op_tok = cond_tok;
	int op = op_tok->kind;
	if (op != TK_EQ && op != TK_NE && op != '<' && op != '>' && op != TK_LE && op != TK_GE) {
		if (l.ok)
			error_at(op_tok->loc, "parse error",
				 "expected a comparison (== != < > <= >=) in preprocessor condition, "
				 "found %s", cond_desc(op_tok));
		*ok = false;
		return false;
	}
	cond_tok = cond_tok->next;
	CondValue r = cond_operand();
	if (!l.ok || !r.ok) {
		*ok = false;
		return false;
	}
	if (l.is_num != r.is_num && !(config_as_number(&l) && config_as_number(&r))) {
		*ok = false;
		return false;
	}
	if (l.is_num != r.is_num) {
		error_at(op_tok->loc, "parse error",
			 "preprocessor condition compares a number with a string");
		*ok = false;
		return false;
	}
	if (l.is_num)
		return compare(op, l.num < r.num ? -1 : l.num > r.num);
	/* == and != match shell wildcards, as in arch == "i?86" */
	if ((op == TK_EQ || op == TK_NE) && strpbrk(r.str, "*?[")) {
		bool m = fnmatch(r.str, l.str, 0) == 0;
		return op == TK_EQ ? m : !m;
	}
	if (l.is_version || r.is_version)
		return compare(op, version_cmp(l.str, r.str));
	return compare(op, strcmp(l.str, r.str));
}

static bool cond_and(bool *ok)
{
	bool v = cond_primary(ok);
	while (*ok && cond_tok->kind == TK_ANDAND) {
		cond_tok = cond_tok->next;
		bool r = cond_primary(ok);
		v = v && r;
	}
	return v;
}

static bool cond_or(bool *ok)
{
	bool v = cond_and(ok);
	while (*ok && cond_tok->kind == TK_OROR) {
		cond_tok = cond_tok->next;
		bool r = cond_and(ok);
		v = v || r;
	}
	return v;
}

/* ---- the main walk ---- */

static Token *cur;		/* next input token */
static TokList out;
static bool gave_up;		/* the rest of the file is dropped (give_up) */

static Macro *find_macro(const char *name, SrcFile *file)
{
	name = intern_str(name);
	for (Macro *m = *macro_bucket(name); m; m = m->next)
		if (m->name == name && (!m->file || m->file == file))
			return m;
	return NULL;
}

static void process(bool active, bool in_branch);
static void do_conditional_body(bool active, Token *start);

/* After an error that makes the rest pointless: drops the rest of the file. */
static void give_up(void)
{
	while (cur->kind)
		cur = cur->next;
	gave_up = true;
	expansions = MAX_EXPANSIONS + 1;	/* none in what is left of a condition */
}

/* %( COND %? A [%: B] %) */
static void do_conditional(bool active)
{
	static int depth;
	Token *start = cur;
	if (depth >= MAX_NESTING) {
		error_at(start->loc, "parse error", "'%%(' conditionals nested more than %d deep",
			 MAX_NESTING);
		give_up();
		return;
	}
	depth++;
	do_conditional_body(active, start);
	depth--;
}

static void do_conditional_body(bool active, Token *start)
{
	cur = cur->next;
	/* the condition: tokens up to %?, with $N and @N already usable */
	TokList cond = {0};
	while (cur->kind && cur->kind != TK_PP_THEN && cur->kind != TK_PP_IF &&
	       cur->kind != TK_PP_END) {
		list_append(&cond, cur);
		cur = cur->next;
	}
	if (cur->kind != TK_PP_THEN) {
		error_at(start->loc, "parse error",
			 "'%%(' without '%%?' (a conditional is %%( CONDITION %%? TOKENS %%: TOKENS %%))");
		if (cur->kind == TK_PP_END)
			cur = cur->next;
		return;
	}
	Token *then = cur;
	cur = cur->next;
	bool value = false;
	if (active) {
		Token end = { .kind = 0, .text = "%?", .loc = then->loc };
		if (cond.tail)
			cond.tail->next = &end;
		/* expand $N/@N in the condition itself */
		Token *saved = cur;
		TokList saved_out = out;
		out = (TokList){0};
		cur = cond.head ? cond.head : &end;
		process(true, false);
		Token *expanded = out.head;
		if (out.tail)
			out.tail->next = &end;
		out = saved_out;
		cur = saved;
		cond_tok = expanded ? expanded : &end;
		bool ok = true;
		value = cond_or(&ok);
		if (ok && cond_tok->kind != 0) {
			error_at(cond_tok->loc, "parse error",
				 "unexpected %s in preprocessor condition", token_desc(cond_tok));
		}
	}
	process(active && value, true);
	if (cur->kind == TK_PP_ELSE) {
		cur = cur->next;
		process(active && !value, true);
	}
	if (cur->kind != TK_PP_END) {
		if (!gave_up)
			error_at(start->loc, "parse error", "'%%(' without a closing '%%)'");
		return;
	}
	cur = cur->next;
}

/*
 * After an error in the name or parameters of a @define, skips the body if
 * it starts on the @define's line, so that it is not read as a conditional.
 */
static void skip_bad_define(Token *def)
{
	/*
	 * Only as far as the line goes in the text: a macro's expansions repeat
	 * its line's positions, and the pending ones may be many.
	 */
	Token *t = cur;
	int col = def->loc.col;
	while (t->kind && t->kind != TK_PP_IF && t->loc.file == def->loc.file &&
	       t->loc.line == def->loc.line && t->loc.col > col) {
		col = t->loc.col;
		t = t->next;
	}
	if (t->kind != TK_PP_IF || t->loc.line != def->loc.line)
		return;
	int depth = 0;
	for (; t->kind; t = t->next) {
		if (t->kind == TK_PP_IF)
			depth++;
		else if (t->kind == TK_PP_END && --depth == 0)
			break;
	}
	cur = t->kind ? t->next : t;
}

/* @define NAME[(a, b)] %( BODY %) */
static void do_define(bool active)
{
	Token *def = cur;
	cur = cur->next;
	if (cur->kind != TK_IDENT) {
		error_at(cur->loc, "parse error", "expected a macro name after @define, found %s",
			 token_desc(cur));
		skip_bad_define(def);
		return;
	}
	Macro *m = arena_alloc(sizeof(*m));
	m->name = cur->text;
	m->file = def->loc.file->is_tapset && def->loc.file->name &&
		strstr(def->loc.file->name, ".stpm") ? NULL : def->loc.file;
	cur = cur->next;
	if (cur->kind == '(') {
		cur = cur->next;
		while (cur->kind == TK_IDENT) {
			vec_push(&m->params, (void *)cur->text);
			cur = cur->next;
			if (cur->kind != ',')
				break;
			cur = cur->next;
		}
		if (cur->kind != ')') {
			error_at(cur->loc, "parse error",
				 "expected ')' after the parameters of macro '%s', found %s",
				 m->name, token_desc(cur));
			skip_bad_define(def);
			return;
		}
		cur = cur->next;
	}
	if (cur->kind != TK_PP_IF) {
		error_at(cur->loc, "parse error",
			 "expected '%%(' to start the body of macro '%s', found %s",
			 m->name, token_desc(cur));
		return;
	}
	cur = cur->next;
	TokList body = {0};
	int depth = 0;
	while (cur->kind && !(cur->kind == TK_PP_END && depth == 0)) {
		if (cur->kind == TK_PP_IF)
			depth++;
		else if (cur->kind == TK_PP_END)
			depth--;
		list_append(&body, cur);
		cur = cur->next;
	}
	if (!cur->kind) {
		error_at(def->loc, "parse error", "macro '%s' has no closing '%%)'", m->name);
		return;
	}
	cur = cur->next;
	m->body = body.head;
	if (!active)
		return;
	Macro *old = find_macro(m->name, def->loc.file);
	if (old && old->file == m->file) {
		error_at(def->loc, "parse error", "macro '@%s' is already defined", m->name);
		return;
	}
	Macro **bucket = macro_bucket(m->name);
	m->next = *bucket;
	*bucket = m;
}

/* Splices tokens in front of the rest of the input. */
static void push_front(TokList l)
{
	if (!l.head)
		return;
	l.tail->next = cur;
	cur = l.head;
}

/*
 * The tokens of one argument, up to the ',' or ')' that ends it (returned),
 * or NULL at end of file.
 */
static Token *macro_arg(TokList *arg)
{
	int depth = 0;
	for (; cur->kind; cur = cur->next) {
		if (cur->kind == '(' || cur->kind == '[' || cur->kind == '{')
			depth++;
		else if (depth && (cur->kind == ')' || cur->kind == ']' || cur->kind == '}'))
			depth--;
		else if (!depth && (cur->kind == ')' || cur->kind == ','))
			return cur;
		list_append(arg, cur);
	}
	return NULL;
}

/*
 * The arguments of a use of m, in SystemTap's words when they do not match
 * its parameters.  A macro without parameters takes no arguments: a '('
 * after it stays, so that @m(x) can name a function.
 */
static bool macro_args(Macro *m, Token *use, Vec *args)
{
	int n = m->params.len;
	if (!n)
		return true;
	if (cur->kind != '(') {
		error_at(cur->loc, "parse error", "expected '(' in invocation of macro '@%s' "
			 "taking %d parameter%s", m->name, n, n == 1 ? "" : "s");
		return false;
	}
	cur = cur->next;
	for (int i = 0; i < n; i++) {
		TokList *arg = arena_alloc(sizeof(*arg));
		Token *end = macro_arg(arg);
		if (!end) {
			error_at(use->loc, "parse error", "could not find end of macro invocation");
			return false;
		}
		if (end->kind == ',' && i + 1 == n) {
			error_at(end->loc, "parse error",
				 "too many parameters for macro '@%s' (expected %d)", m->name, n);
			return false;
		}
		if (end->kind == ')' && i + 1 != n) {
			error_at(end->loc, "parse error",
				 "too few parameters for macro '@%s' (expected %d)", m->name, n);
			return false;
		}
		vec_push(args, arg);
		cur = end->next;
	}
	return true;
}

static void expand_macro(Macro *m)
{
	Token *use = cur;
	cur = cur->next;
	if (++expansions > MAX_EXPANSIONS) {
		if (expansions == MAX_EXPANSIONS + 1)
			error_at(use->loc, "parse error", "more than %d macro expansions "
				 "(is macro '@%s' recursive?)", MAX_EXPANSIONS, m->name);
		return;
	}
	Vec args = {0};		/* TokList* per parameter */
	if (!macro_args(m, use, &args))
		return;
	TokList body = {0};
	for (Token *t = m->body; t; t = t->next) {
		int p = -1;
		if (t->kind == TK_AT_IDENT)
			for (int i = 0; i < m->params.len; i++)
				if (strcmp(t->text + 1, m->params.items[i]) == 0)
					p = i;
		TokList *arg = p < 0 ? NULL : args.items[p];
		for (Token *a = arg ? arg->head : t; a; a = arg ? a->next : NULL) {
			if (++expanded_tokens > MAX_EXPANDED_TOKENS) {
				error_at(use->loc, "parse error", "macro expansions make more than "
					 "%d tokens (is macro '@%s' recursive?)",
					 MAX_EXPANDED_TOKENS, m->name);
				give_up();
				return;
			}
			list_append(&body, a);
		}
	}
	if (body.head)
		body.head->space_before = use->space_before;
	push_front(body);
}

static void expand_arg(Token *t)
{
	cur = cur->next;
	if (t->kind == TK_ARGC || t->kind == TK_ARGC_STR) {
		Token n = *t;
		n.next = NULL;
		if (t->kind == TK_ARGC) {
			n.kind = TK_NUMBER;
			n.num = preproc_env.argc;
			n.text = arena_printf("%d", preproc_env.argc);
		} else {
			n.kind = TK_STRING;
			n.text = arena_printf("%d", preproc_env.argc);
			n.num = strlen(n.text);
		}
		list_append(&out, &n);
		return;
	}
	int i = atoi(t->text + 1);
	if (i < 1 || i > preproc_env.argc) {
		/* SystemTap's words, in pass 1 as there */
		error_at(t->loc, "parse error", "command line argument %s out of range [1-%d]%s",
			 t->text, preproc_env.argc,
			 preproc_env.argc ? "" : " (no arguments were given after the script)");
		return;
	}
	preproc_env.arg_used[i - 1] = true;
	const char *val = preproc_env.argv[i - 1];
	if (t->kind == TK_ARG_STR) {
		Token s = *t;
		s.next = NULL;
		s.kind = TK_STRING;
		s.text = intern_str(val);
		s.num = strlen(val);
		list_append(&out, &s);
		return;
	}
	SrcFile *f = arena_alloc(sizeof(*f));
	f->name = arena_printf("<argument %s>", t->text);
	f->text = val;
	f->len = strlen(val);
	Token *toks = lex_file(f);
	TokList l = {0};
	for (Token *a = toks; a->kind; a = a->next) {
		if (a->kind == TK_ARG || a->kind == TK_ARG_STR || a->kind == TK_ARGC ||
		    a->kind == TK_ARGC_STR) {
			/* $1 holding "$1" would paste itself forever */
			error_at(t->loc, "parse error", "command line argument %s ('%s') refers "
				 "to command line arguments itself", t->text, val);
			return;
		}
		Token *c = copy_token(a);
		if (!l.head)
			c->space_before = t->space_before;
		if (l.tail)
			l.tail->next = c;
		else
			l.head = c;
		l.tail = c;
	}
	push_front(l);
}

/*
 * Copies tokens from cur to out, expanding as it goes, until end of file
 * or, inside a conditional branch, the %: or %) that ends the branch.
 */
static void process(bool active, bool in_branch)
{
	while (cur->kind) {
		Token *t = cur;
		switch (t->kind) {
		case TK_PP_IF:
			do_conditional(active);
			continue;
		case TK_PP_ELSE:
		case TK_PP_END:
			if (in_branch)
				return;
			error_at(t->loc, "parse error", "'%s' without a matching '%%('", t->text);
			cur = cur->next;
			continue;
		case TK_PP_THEN:
			error_at(t->loc, "parse error", "'%%?' without a matching '%%('");
			cur = cur->next;
			continue;
		case TK_AT_IDENT:
			if (strcmp(t->text, "@define") == 0) {
				do_define(active);
				continue;
			}
			if (active) {
				Macro *m = find_macro(t->text + 1, t->loc.file);
				if (m) {
					expand_macro(m);
					continue;
				}
			}
			break;
		case TK_ARG:
		case TK_ARG_STR:
		case TK_ARGC:
		case TK_ARGC_STR:
			if (active) {
				expand_arg(t);
				continue;
			}
			break;
		}
		if (active)
			list_append(&out, t);
		cur = cur->next;
	}
}

/* ---- probe-point components ---- */

static bool is_keyword(int kind)
{
	return kind >= TK_PROBE && kind <= TK_LONG_TYPE;
}

static bool component_part(int kind)
{
	return kind == TK_IDENT || kind == '*' || kind == TK_NUMBER || is_keyword(kind);
}

/* Can t go on a probe point after a brace group closes? */
static bool continues_point(Token *t)
{
	return t->kind == '.' || t->kind == ',' || t->kind == '{' || t->kind == '?' ||
	       t->kind == '!' || t->kind == TK_IF;
}

/*
 * Does the '{' at t open a brace expansion, {a,b.c,d("x")!,e if (x)}, rather
 * than a block?  Only for messages, and for a '{' glued to a component,
 * which opens the body (as in SystemTap) unless it holds a comma outside
 * parentheses: then it is a misplaced brace expansion.
 */
static bool looks_like_braces(Token *t, bool need_comma)
{
	int depth = 0, parens = 0;
	bool comma = false;
	for (Token *p = t; p->kind; p = p->next) {
		if (parens) {	/* a component's argument, a condition */
			parens += p->kind == '(' ? 1 : p->kind == ')' ? -1 : 0;
			continue;
		}
		switch (p->kind) {
		case '{':
			depth++;
			break;
		case '}':
			if (--depth == 0)
				return (comma || !need_comma) && p != t->next &&
				       (!need_comma || continues_point(p->next));
			break;
		case '(':
			parens = 1;
			break;
		case ',':
			if (parens)
				return false;
			comma = true;
			break;
		case '.': case '-': case TK_STRING: case '!': case '?':
			break;
		default:
			if (!component_part(p->kind))
				return false;
		}
	}
	return false;
}

/*
 * Glues the tokens of one component starting at t; returns the last one used.
 * outside: not inside a brace expansion (where a '{' was checked already).
 */
static Token *glue_component(Token *t, Buf *text, bool outside)
{
	Token *last = t;
	for (;;) {
		buf_puts(text, t->text);
		last = t;
		t = t->next;
		if (t->space_before || !component_part(t->kind))
			break;
	}
	if (outside && t->kind == '{' && !t->space_before && looks_like_braces(t, true))
		error_at(t->loc, "parse error", "a brace expansion must be a whole probe point "
			 "component: write a.{b,c}, not a{b,c}");
	return last;
}

/*
 * Between 'probe' and the body, each run of name parts written without
 * spaces (sys_*, 2nd*) becomes one TK_COMPONENT.  A '{' where a component
 * may start opens a brace expansion, which the parser expands; any other
 * '{' outside parentheses and groups opens the body.
 */
static Token *glue_probe_points(Token *toks)
{
	/* a C member may be named like a script keyword: $r->next, $t->string */
	for (Token *t = toks; t && t->kind; t = t->next)
		if (t->kind == TK_ARROW && t->next && is_keyword(t->next->kind))
			t->next->kind = TK_IDENT;
	bool in_points = false;	/* between 'probe' and the body's '{' */
	bool at_start = false;	/* the next token starts a component */
	int parens = 0;
	int groups = 0;		/* open brace expansions */
	for (Token *t = toks; t && t->kind; t = t->next) {
		if (!in_points) {
			if (t->kind == TK_PROBE) {
				in_points = true;
				at_start = true;
				groups = 0;
			}
			continue;
		}
		if (parens) {
			if (t->kind == '(')
				parens++;
			else if (t->kind == ')')
				parens--;
			continue;
		}
		if (at_start && component_part(t->kind)) {
			Buf text = {0};
			Token *last = glue_component(t, &text, groups == 0);
			t->kind = TK_COMPONENT;
			t->text = intern(text.s, text.len);
			t->next = last->next;
			at_start = false;
			continue;
		}
		switch (t->kind) {
		case '.': case ',': case '=': case TK_ADD_ASSIGN:
			at_start = true;
			break;
		case '(':
			parens = 1;
			at_start = false;
			break;
		case '{':
			if (at_start && groups == 0 && !looks_like_braces(t, false)) {
				error_at(t->loc, "parse error", "expected a probe point, found '{'");
				in_points = false;
			} else if (at_start) {
				groups++;
			} else if (groups == 0) {
				in_points = false;
			}
			break;
		case '}':
			if (groups > 0)
				groups--;
			at_start = false;
			break;
		default:
			at_start = false;
			break;
		}
	}
	return toks;
}

Token *preprocess(Token *toks)
{
	expansions = expanded_tokens = 0;
	gave_up = false;
	cur = toks;
	out = (TokList){0};
	process(true, false);
	Token *end = copy_token(cur);	/* the kind-0 token */
	if (out.tail)
		out.tail->next = end;
	else
		out.head = end;
	return glue_probe_points(out.head);
}

void preproc_load_macros(SrcFile *file)
{
	Token *toks = lex_file(file);
	cur = toks;
	out = (TokList){0};
	process(true, false);
	if (out.head)
		error_at(out.head->loc, "parse error",
			 "a macro library file holds only @define, found %s",
			 token_desc(out.head));
}

void preproc_check_args(void)
{
	for (int i = 0; i < preproc_env.argc; i++)
		if (!preproc_env.arg_used[i])
			warn_plain("unused command line argument $%d ('%s')", i + 1,
				   preproc_env.argv[i]);
}
