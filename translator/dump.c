/*
 * dump.c - prints the AST back as script text (-p1), one canonical form:
 * two-space indents, every statement on its own line, and parentheses
 * around every compound operand so that the parse is visible.
 */
#include <stdlib.h>
#include <string.h>
#include "stap.h"
#include "parser.h"

static void dump_stmt(Buf *b, Node *n, int depth);

static void indent(Buf *b, int depth)
{
	for (int i = 0; i < depth; i++)
		buf_puts(b, "  ");
}

void dump_string(Buf *b, const char *s, size_t len)
{
	buf_putc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		switch (c) {
		case '\n': buf_puts(b, "\\n"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '"': buf_puts(b, "\\\""); break;
		default:
			if (c < 32 || c >= 127)
				buf_printf(b, "\\%03o", c);
			else
				buf_putc(b, c);
		}
	}
	buf_putc(b, '"');
}

const char *op_text(int op)
{
	switch (op) {
	case TK_SHL: return "<<";
	case TK_SHR: return ">>";
	case TK_USHR: return ">>>";
	case TK_LE: return "<=";
	case TK_GE: return ">=";
	case TK_EQ: return "==";
	case TK_NE: return "!=";
	case TK_REGEQ: return "=~";
	case TK_REGNE: return "!~";
	case '+': return "+";
	case '-': return "-";
	case '*': return "*";
	case '/': return "/";
	case '%': return "%";
	case '&': return "&";
	case '|': return "|";
	case '^': return "^";
	case '<': return "<";
	case '>': return ">";
	case '.': return ".";
	}
	return "?";
}

static bool is_primary(Node *n)
{
	switch (n->kind) {
	case ND_NUM: case ND_STR: case ND_VAR: case ND_INDEX: case ND_CALL:
	case ND_STATOP: case ND_HIST: case ND_HIST_INDEX: case ND_PRINT:
	case ND_TARGET: case ND_CAST: case ND_DEFINED: case ND_ENTRY:
	case ND_VARREF: case ND_CONST: case ND_PROBEWRITE: case ND_EMBEDDED_EXPR:
	case ND_AUTOCAST:
		return n->num >= 0 || n->kind != ND_NUM;
	default:
		return false;
	}
}

static void dump_operand(Buf *b, Node *n)
{
	if (is_primary(n)) {
		dump_expr(b, n);
		return;
	}
	buf_putc(b, '(');
	dump_expr(b, n);
	buf_putc(b, ')');
}

static void dump_list(Buf *b, Node *args)
{
	for (Node *a = args; a; a = a->next) {
		dump_expr(b, a);
		if (a->next)
			buf_puts(b, ", ");
	}
}

static void dump_chain(Buf *b, Chain *c)
{
	for (; c; c = c->next) {
		switch (c->kind) {
		case CH_MEMBER:
			buf_printf(b, "->%s", c->name);
			break;
		case CH_INDEX:
			buf_putc(b, '[');
			dump_expr(b, c->index);
			buf_putc(b, ']');
			break;
		case CH_PRETTY:
			buf_putc(b, '$');
			break;
		case CH_PRETTY_DEEP:
			buf_puts(b, "$$");
			break;
		}
	}
}

void dump_expr(Buf *b, Node *n)
{
	switch (n->kind) {
	case ND_NUM:
		buf_printf(b, "%lld", (long long)n->num);
		return;
	case ND_STR:
		dump_string(b, n->str, n->num);
		return;
	case ND_VAR:
		buf_puts(b, n->name);
		return;
	case ND_STAR:
		buf_putc(b, '*');
		return;
	case ND_INDEX:
		buf_printf(b, "%s[", n->name);
		dump_list(b, n->args);
		buf_putc(b, ']');
		return;
	case ND_CALL:
	case ND_PRINT:
		buf_printf(b, "%s(", n->name);
		dump_list(b, n->args);
		buf_putc(b, ')');
		return;
	case ND_BINOP:
	case ND_CMP:
	case ND_REGEX:
		dump_operand(b, n->lhs);
		buf_printf(b, " %s ", op_text(n->op));
		dump_operand(b, n->rhs);
		return;
	case ND_CONCAT:
		dump_operand(b, n->lhs);
		buf_puts(b, " . ");
		dump_operand(b, n->rhs);
		return;
	case ND_LOGAND:
	case ND_LOGOR:
		dump_operand(b, n->lhs);
		buf_puts(b, n->kind == ND_LOGAND ? " && " : " || ");
		dump_operand(b, n->rhs);
		return;
	case ND_NEG:
	case ND_PLUS:
	case ND_NOT:
	case ND_BITNOT:
	case ND_ADDR:
		buf_puts(b, n->kind == ND_NEG ? "-" : n->kind == ND_PLUS ? "+" :
			 n->kind == ND_NOT ? "!" : n->kind == ND_BITNOT ? "~" : "&");
		dump_operand(b, n->lhs);
		return;
	case ND_PREINC:
		buf_puts(b, n->op == '+' ? "++" : "--");
		dump_operand(b, n->lhs);
		return;
	case ND_POSTINC:
		dump_operand(b, n->lhs);
		buf_puts(b, n->op == '+' ? "++" : "--");
		return;
	case ND_ASSIGN:
		dump_expr(b, n->lhs);
		if (n->op)
			buf_printf(b, " %s= ", op_text(n->op));
		else
			buf_puts(b, " = ");
		dump_operand(b, n->rhs);
		return;
	case ND_AGG:
		dump_expr(b, n->lhs);
		buf_puts(b, " <<< ");
		dump_operand(b, n->rhs);
		return;
	case ND_COND:
		dump_operand(b, n->cond);
		buf_puts(b, " ? ");
		dump_operand(b, n->then);
		buf_puts(b, " : ");
		dump_operand(b, n->els);
		return;
	case ND_IN:
		if (n->nargs == 1 && n->args->kind != ND_STAR) {
			dump_operand(b, n->args);
		} else {
			buf_putc(b, '[');
			dump_list(b, n->args);
			buf_putc(b, ']');
		}
		buf_printf(b, " in %s", n->lhs->name);
		return;
	case ND_STATOP:
		buf_printf(b, "%s(", n->name);
		dump_expr(b, n->lhs);
		if (n->num)	/* @variance(s, N): N + 1 (parser.y) */
			buf_printf(b, ", %lld", (long long)n->num - 1);
		buf_putc(b, ')');
		return;
	case ND_HIST:
		buf_printf(b, "%s(", n->name);
		dump_list(b, n->args);
		buf_putc(b, ')');
		return;
	case ND_HIST_INDEX:
		dump_expr(b, n->lhs);
		buf_putc(b, '[');
		dump_expr(b, n->rhs);
		buf_putc(b, ']');
		return;
	case ND_TARGET:
		buf_puts(b, n->name);
		dump_chain(b, n->chain);
		return;
	case ND_CAST:
		buf_puts(b, "@cast(");
		dump_list(b, n->args);
		buf_putc(b, ')');
		dump_chain(b, n->chain);
		return;
	case ND_VARREF:
		buf_puts(b, "@var(");
		dump_list(b, n->args);
		buf_putc(b, ')');
		dump_chain(b, n->chain);
		return;
	case ND_AUTOCAST:
		/* (name)[i]: name[i] would read back as an array element */
		if (n->lhs->kind == ND_VAR && n->chain && n->chain->kind == CH_INDEX) {
			buf_putc(b, '(');
			dump_expr(b, n->lhs);
			buf_putc(b, ')');
		} else {
			dump_operand(b, n->lhs);
		}
		dump_chain(b, n->chain);
		return;
	case ND_DEFINED:
	case ND_ENTRY:
	case ND_CONST:
	case ND_PROBEWRITE:
		buf_puts(b, n->kind == ND_DEFINED ? "@defined(" : n->kind == ND_ENTRY ? "@entry(" :
			 n->kind == ND_CONST ? "@const(" : "@probewrite(");
		dump_expr(b, n->lhs);
		buf_putc(b, ')');
		return;
	case ND_EMBEDDED_EXPR:
		buf_printf(b, "%%{%s%%}", n->str);
		return;
	default:
		buf_printf(b, "<node %d>", n->kind);
		return;
	}
}

/*
 * The body of a probe, function, if, loop: a block goes on the same line
 * and leaves the output after its '}' (returns true); another statement
 * goes on the next line, one level deeper, and ends its line.
 */
static bool dump_body(Buf *b, Node *n, int depth)
{
	if (n->kind == ND_BLOCK) {
		buf_puts(b, " {\n");
		for (Node *s = n->body; s; s = s->next)
			dump_stmt(b, s, depth + 1);
		indent(b, depth);
		buf_putc(b, '}');
		return true;
	}
	buf_putc(b, '\n');
	dump_stmt(b, n, depth + 1);
	return false;
}

static void end_body(Buf *b, bool brace)
{
	if (brace)
		buf_putc(b, '\n');
}

static void dump_foreach(Buf *b, Foreach *f)
{
	const char *sort = f->sort_dir > 0 ? "+" : "-";
	buf_puts(b, "foreach (");
	if (f->value) {
		buf_puts(b, f->value->name);
		if (f->sort_key == -1 && !f->sort_stat && f->sort_dir)
			buf_puts(b, sort);
		buf_puts(b, " = ");
	}
	buf_putc(b, '[');
	for (int i = 0; i < f->keys.len; i++) {
		Node *k = f->keys.items[i];
		buf_printf(b, "%s%s", i ? ", " : "", k->name);
		if (f->sort_key == i + 1)
			buf_puts(b, sort);
	}
	buf_puts(b, "] in ");
	dump_expr(b, f->array);
	if (f->sort_stat)
		buf_printf(b, " %s%s", f->sort_stat, sort);
	else if (f->sort_key == -1 && !f->value && f->sort_dir)
		buf_puts(b, sort);
	if (f->limit) {
		buf_puts(b, " limit ");
		dump_expr(b, f->limit);
	}
	buf_putc(b, ')');
}

static void dump_stmt(Buf *b, Node *n, int depth)
{
	indent(b, depth);
	switch (n->kind) {
	case ND_BLOCK:
		buf_puts(b, "{\n");
		for (Node *s = n->body; s; s = s->next)
			dump_stmt(b, s, depth + 1);
		indent(b, depth);
		buf_puts(b, "}\n");
		return;
	case ND_EXPR_STMT:
		dump_expr(b, n->lhs);
		break;
	case ND_NULL_STMT:
		buf_putc(b, ';');
		break;
	case ND_IF:
		buf_puts(b, "if (");
		dump_expr(b, n->cond);
		buf_putc(b, ')');
		if (!n->els) {
			end_body(b, dump_body(b, n->then, depth));
			return;
		}
		if (dump_body(b, n->then, depth)) {
			buf_puts(b, " else");
		} else {
			indent(b, depth);
			buf_puts(b, "else");
		}
		end_body(b, dump_body(b, n->els, depth));
		return;
	case ND_WHILE:
		buf_puts(b, "while (");
		dump_expr(b, n->cond);
		buf_putc(b, ')');
		end_body(b, dump_body(b, n->then, depth));
		return;
	case ND_FOR:
		buf_puts(b, "for (");
		if (n->init)
			dump_expr(b, n->init);
		buf_puts(b, "; ");
		if (n->cond)
			dump_expr(b, n->cond);
		buf_puts(b, "; ");
		if (n->inc)
			dump_expr(b, n->inc);
		buf_putc(b, ')');
		end_body(b, dump_body(b, n->then, depth));
		return;
	case ND_FOREACH:
		dump_foreach(b, n->foreach);
		end_body(b, dump_body(b, n->then, depth));
		return;
	case ND_BREAK:
		buf_puts(b, "break");
		break;
	case ND_CONTINUE:
		buf_puts(b, "continue");
		break;
	case ND_NEXT:
		buf_puts(b, "next");
		break;
	case ND_RETURN:
		buf_puts(b, "return");
		if (n->lhs) {
			buf_putc(b, ' ');
			dump_expr(b, n->lhs);
		}
		break;
	case ND_DELETE:
		buf_puts(b, "delete ");
		dump_expr(b, n->lhs);
		break;
	case ND_TRY:
		buf_puts(b, "try");
		dump_body(b, n->then, depth);
		buf_puts(b, " catch");
		if (n->lhs)
			buf_printf(b, " (%s)", n->lhs->name);
		end_body(b, dump_body(b, n->els, depth));
		return;
	case ND_EMBEDDED_STMT:
		buf_printf(b, "%%{%s%%}", n->str);
		break;
	default:
		dump_expr(b, n);
		break;
	}
	buf_putc(b, '\n');
}

void dump_probe_point(Buf *b, ProbePoint *pp)
{
	for (Component *c = pp->comps; c; c = c->next) {
		buf_puts(b, c->name);
		if (c->has_arg) {
			buf_putc(b, '(');
			dump_expr(b, c->arg);
			buf_putc(b, ')');
		}
		if (c->next)
			buf_putc(b, '.');
	}
	if (pp->sufficient)
		buf_putc(b, '!');
	else if (pp->optional)
		buf_putc(b, '?');
	if (pp->cond) {
		buf_puts(b, " if (");
		dump_expr(b, pp->cond);
		buf_putc(b, ')');
	}
}

static void dump_points(Buf *b, ProbePoint *pp)
{
	for (; pp; pp = pp->next) {
		dump_probe_point(b, pp);
		if (pp->next)
			buf_puts(b, ", ");
	}
}

static void dump_probe(Buf *b, Probe *p)
{
	buf_puts(b, p->is_private ? "private probe " : "probe ");
	dump_points(b, p->points);
	if (p->is_alias) {
		buf_puts(b, p->is_epilogue ? " += " : " = ");
		dump_points(b, p->alias_targets);
	}
	end_body(b, dump_body(b, p->body, 0));
}

static void dump_global(Buf *b, Var *v)
{
	buf_printf(b, "%sglobal %s", v->is_private ? "private " : "", v->name);
	if (v->wrap)
		buf_putc(b, '%');
	if (v->is_array && v->max_entries)
		buf_printf(b, "[%lld]", (long long)v->max_entries);
	else if (v->is_array && !v->wrap)
		buf_puts(b, "[]");
	if (v->init) {
		buf_puts(b, " = ");
		dump_expr(b, v->init);
	}
	buf_putc(b, '\n');
}

static void dump_func(Buf *b, Func *f)
{
	buf_printf(b, "%sfunction %s", f->is_private ? "private " : "", f->name);
	if (f->decl_ret != TY_UNKNOWN)
		buf_printf(b, ":%s", type_name(f->decl_ret));
	buf_putc(b, '(');
	for (int i = 0; i < f->params.len; i++) {
		Var *p = f->params.items[i];
		buf_printf(b, "%s%s", i ? ", " : "", p->name);
		if (p->type != TY_UNKNOWN)
			buf_printf(b, ":%s", type_name(p->type));
	}
	buf_putc(b, ')');
	if (f->priority != (f->file->is_tapset ? 1 : 0))
		buf_printf(b, ":%d", f->priority);
	if (f->is_embedded)
		buf_printf(b, " %%{%s%%}\n", f->body->str);
	else
		end_body(b, dump_body(b, f->body, 0));
}

/* Prints the declarations of each file in the order the file holds them. */
void dump_program(FILE *out, Program *prog, bool user_only)
{
	for (int i = 0; i < prog->files.len; i++) {
		SrcFile *f = prog->files.items[i];
		if (user_only && f->is_tapset)
			continue;
		Buf b = {0};
		buf_printf(&b, "# file %s\n", f->name);
		for (int j = 0; j < prog->embedded.len; j++) {
			Embedded *e = prog->embedded.items[j];
			if (e->loc.file == f)
				buf_printf(&b, "%%{%s%%}\n", e->code);
		}
		for (int j = 0; j < prog->globals.len; j++) {
			Var *v = prog->globals.items[j];
			if (v->file == f)
				dump_global(&b, v);
		}
		for (int j = 0; j < prog->aliases.len; j++) {
			Probe *p = prog->aliases.items[j];
			if (p->file == f)
				dump_probe(&b, p);
		}
		for (int j = 0; j < prog->probes.len; j++) {
			Probe *p = prog->probes.items[j];
			if (p->file == f)
				dump_probe(&b, p);
		}
		for (int j = 0; j < prog->funcs.len; j++) {
			Func *fn = prog->funcs.items[j];
			if (fn->file == f)
				dump_func(&b, fn);
		}
		fputs(b.s, out);
	}
}

/* ---- --dump-probe-types, --dump-probe-aliases, --dump-functions ---- */

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Prints lines (char *) sorted, each once. */
static void print_sorted(FILE *out, Vec *lines)
{
	if (lines->len)
		qsort(lines->items, lines->len, sizeof(void *), compare_strings);
	for (int i = 0; i < lines->len; i++)
		if (i == 0 || strcmp(lines->items[i], lines->items[i - 1]) != 0)
			fprintf(out, "%s\n", (char *)lines->items[i]);
}

/* Every form of point the families take: "timer.ms(number)" for "timer.ms(N)" */
void dump_probe_types(FILE *out)
{
	Vec lines = {0};
	for (int i = 0; i < probe_family_count; i++) {
		const char *const *shapes = probe_families[i]->shapes;
		for (; shapes && *shapes; shapes++) {
			Buf b = {0};
			for (const char *s = *shapes; *s; s++) {
				if (s[0] == '(' && (s[1] == 'N' || s[1] == 'S') && s[2] == ')') {
					buf_puts(&b, s[1] == 'N' ? "(number)" : "(string)");
					s += 2;
				} else {
					buf_putc(&b, *s);
				}
			}
			vec_push(&lines, b.s);
		}
	}
	print_sorted(out, &lines);
}

/* Public names: not private, not "_internal" */
static bool is_public(const char *name, bool is_private)
{
	return !is_private && name[0] != '_';
}

/* "syscall.open = dw_syscall.open!, nd_syscall.open?", each alias name once */
void dump_probe_aliases(FILE *out, Program *prog)
{
	Vec lines = {0};
	for (int i = 0; i < prog->aliases.len; i++) {
		Probe *a = prog->aliases.items[i];
		Buf targets = {0};
		for (ProbePoint *t = a->alias_targets; t; t = t->next) {
			dump_probe_point(&targets, t);
			if (t->next)
				buf_puts(&targets, ", ");
		}
		for (ProbePoint *name = a->points; name; name = name->next) {
			Buf b = {0};
			dump_probe_point(&b, name);
			if (is_public(b.s, a->is_private))
				vec_push(&lines, arena_printf("%s %s %s", b.s,
							      a->is_epilogue ? "+=" : "=", targets.s));
		}
	}
	print_sorted(out, &lines);
}

/* "execname:string ()", marked unprivileged as SystemTap marks it, with the
   types pass 2 inferred */
void dump_functions(FILE *out, Program *prog)
{
	Vec lines = {0};
	for (int i = 0; i < prog->funcs.len; i++) {
		Func *f = prog->funcs.items[i];
		if (!f->file->is_tapset || !is_public(f->name, f->is_private))
			continue;
		Buf b = {0};
		buf_printf(&b, "%s:%s (", f->name, type_name(f->ret));
		for (int j = 0; j < f->params.len; j++) {
			Var *v = f->params.items[j];
			buf_printf(&b, "%s%s:%s", j ? ", " : "", v->name, type_name(v->type));
		}
		buf_puts(&b, f->unprivileged ? ") /* unprivileged */" : ")");
		vec_push(&lines, b.s);
	}
	print_sorted(out, &lines);
}
