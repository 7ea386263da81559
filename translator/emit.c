/*
 * emit.c - pass 3: the AST as the C of a kernel module.
 *
 * The module reads like a hand-written one: one C function per probe
 * body (probe_N) and per script function (fn_NAME), a comment with the
 * script location above each, globals as g_NAME.  Script locals live in
 * per-CPU frames (struct probe_N_locals, struct fn_NAME_frame), never on
 * the kernel stack; only small numeric temporaries (tN) are C locals.
 *
 * Expressions become C expressions where they are pure; anything with
 * an effect or a runtime check (calls, assignments, division) is first
 * emitted as statements, in script order, and its value kept in a
 * temporary.  A runtime error sets c->last_error and jumps to the
 * current error label: "out" at the end of the function, or a catch.
 */
#include <stdlib.h>
#include <string.h>
#include "stap.h"
#include "parser.h"
#include "emit.h"

static Session *S;
static Program *P;

/* printf conversions used by the module, as one table (stp_fmts[]) */
static Buf fmt_table;
static int nfmts;

/* compiled regular expressions, rx_0, rx_1, ..., and the largest program */
static FILE *regex_out;
static int nregexes;
static int regex_max_insns;


/* ---- small helpers ---- */

void line(Gen *g, const char *fmt, ...)
{
	for (int i = 0; i < g->depth; i++)
		buf_putc(&g->code, '\t');
	va_list ap;
	va_start(ap, fmt);
	char *s;
	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	buf_puts(&g->code, s);
	free(s);
	buf_putc(&g->code, '\n');
}

const char *c_string(const char *s, size_t len)
{
	Buf b = {0};
	buf_putc(&b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];
		switch (c) {
		case '\n': buf_puts(&b, "\\n"); break;
		case '\t': buf_puts(&b, "\\t"); break;
		case '\r': buf_puts(&b, "\\r"); break;
		case '\\': buf_puts(&b, "\\\\"); break;
		case '"': buf_puts(&b, "\\\""); break;
		case '?': buf_puts(&b, "\\?"); break;	/* no trigraphs */
		default:
			if (c < 32 || c >= 127)
				buf_printf(&b, "\\%03o", c);
			else
				buf_putc(&b, c);
		}
	}
	buf_putc(&b, '"');
	return b.s;
}

const char *c_str(const char *s)
{
	return c_string(s, strlen(s));
}

const char *c_long(int64_t v)
{
	if (v == INT64_MIN)
		return "(-9223372036854775807LL - 1)";
	return arena_printf("%lldLL", (long long)v);
}

const char *loc_text(Loc loc)
{
	return arena_printf("%s:%d:%d", loc.file ? loc.file->name : "?", loc.line, loc.col);
}

/* "operator '/'", "keyword 'for'": what a node is, in error messages */
const char *node_what(Node *n)
{
	const char *what;
	switch (n->kind) {
	case ND_BINOP:
	case ND_CMP:
		what = arena_printf("operator '%s'", op_text(n->op));
		break;
	case ND_ASSIGN:
		what = n->op ? arena_printf("operator '%s='", op_text(n->op)) : "operator '='";
		break;
	case ND_VAR:
	case ND_INDEX:
		what = arena_printf("identifier '%s'", n->name);
		break;
	case ND_CALL:
		what = arena_printf("identifier '%s'", n->name);
		break;
	case ND_PRINT:
		what = arena_printf("identifier '%s'", n->name);
		break;
	case ND_STATOP:
	case ND_HIST:
		what = arena_printf("operator '%s'", n->name);
		break;
	case ND_WHILE:
		what = "keyword 'while'";
		break;
	case ND_FOR:
		what = "keyword 'for'";
		break;
	case ND_FOREACH:
		what = "keyword 'foreach'";
		break;
	case ND_NUM:
		what = arena_printf("number %lld", (long long)n->num);
		break;
	case ND_TARGET:
		what = arena_printf("identifier '%s'", n->name);
		break;
	case ND_STR:
		what = "string";
		break;
	default:
		what = "statement";
		break;
	}
	return what;
}

/* "operator '/' at <input>:1:23": where a runtime error happened */
const char *near(Node *n)
{
	return c_str(arena_printf("%s at %s", node_what(n), loc_text(n->loc)));
}

const char *new_temp(Gen *g)
{
	return arena_printf("t%d", g->ntemps++);
}

const char *new_strtemp(Gen *g)
{
	g->uses_frame = true;
	return arena_printf("l->tmp%d", g->nstrtemps++);
}

/* Jumps to the error label when a call or check has set an error. */
void check_error(Gen *g)
{
	line(g, "if (unlikely(c->last_error))");
	line(g, "\tgoto %s;", g->err_label);
}

/* After a call: an error raised inside without a location gets the call's. */
static void check_call_error(Gen *g, Node *call)
{
	line(g, "if (unlikely(c->last_error)) {");
	line(g, "\tif (!c->error_near)");
	line(g, "\t\tc->error_near = %s;", near(call));
	line(g, "\tgoto %s;", g->err_label);
	line(g, "}");
}

/* ---- which expressions need statements ---- */

/* False when n is a plain C expression: no effects, no runtime checks. */
bool needs_stmts(Node *n)
{
	if (!n)
		return false;
	switch (n->kind) {
	case ND_NUM:
	case ND_STR:
	case ND_VAR:
		return false;
	case ND_INDEX:
	case ND_IN:
		if (n->var && n->var->type == TY_STATS)
			return true;
		for (Node *a = n->args; a; a = a->next)
			if (a->kind != ND_STAR && needs_stmts(a))
				return true;
		return false;
	case ND_REGEX:
		return needs_stmts(n->lhs);
	case ND_BINOP:
		if ((n->op == '/' || n->op == '%') && !(n->rhs->kind == ND_NUM && n->rhs->num != 0))
			return true;
		return needs_stmts(n->lhs) || needs_stmts(n->rhs);
	case ND_CMP:
	case ND_LOGAND:
	case ND_LOGOR:
		return needs_stmts(n->lhs) || needs_stmts(n->rhs);
	case ND_NEG:
	case ND_PLUS:
	case ND_NOT:
	case ND_BITNOT:
		return needs_stmts(n->lhs);
	case ND_COND:
		return needs_stmts(n->cond) || needs_stmts(n->then) || needs_stmts(n->els);
	default:
		return true;
	}
}

static bool is_simple_value(const char *e)
{
	/* a temporary or a literal: safe to evaluate later; "(x + 1)" is not */
	return (e[0] == 't' && e[1] >= '0' && e[1] <= '9') || strncmp(e, "l->tmp", 6) == 0 ||
	       e[0] == '"' || (e[0] >= '0' && e[0] <= '9') ||
	       (e[0] == '-' && e[1] >= '0' && e[1] <= '9') || strcmp(e, c_long(INT64_MIN)) == 0;
}

/* Keeps a value in a temporary so that later statements cannot change it. */
const char *spill(Gen *g, Node *n, const char *e)
{
	if (is_simple_value(e))
		return e;
	if (n->type == TY_STRING) {
		const char *t = new_strtemp(g);
		line(g, "stp_strlcpy(%s, %s, MAXSTRINGLEN);", t, e);
		return t;
	}
	const char *t = new_temp(g);
	line(g, "s64 %s = %s;", t, e);
	return t;
}

/* ---- variables ---- */

const char *var_ref(Gen *g, Var *v)
{
	switch (v->kind) {
	case VAR_GLOBAL:
		return arena_printf("g_%s", v->name);
	case VAR_PARAM:
		g->uses_frame = true;
		return arena_printf("l->a_%s", v->name);
	default:
		g->uses_frame = true;
		return arena_printf("l->v_%s", v->name);
	}
}

/* ---- expressions ---- */

static const char *emit_binop(Gen *g, Node *n)
{
	const char *a = emit_expr(g, n->lhs);
	if (needs_stmts(n->rhs))
		a = spill(g, n->lhs, a);
	const char *b = emit_expr(g, n->rhs);
	switch (n->op) {
	case '/':
	case '%':
		if (n->rhs->kind != ND_NUM || n->rhs->num == 0) {
			a = spill(g, n->lhs, a);
			b = spill(g, n->rhs, b);
			line(g, "if (unlikely(%s == 0)) {", b);
			line(g, "\tstp_error(c, \"division by 0\", %s);", near(n));
			line(g, "\tgoto %s;", g->err_label);
			line(g, "}");
		}
		return arena_printf("%s(%s, %s)", n->op == '/' ? "stp_div" : "stp_mod", a, b);
	case TK_SHL:
		return arena_printf("(s64)((u64)%s << (%s & 63))", a, b);
	case TK_SHR:
		return arena_printf("(%s >> (%s & 63))", a, b);
	case TK_USHR:
		return arena_printf("(s64)((u64)%s >> (%s & 63))", a, b);
	case '+':
	case '-':
	case '*':
		/* wraps, and folded constants must not overflow in C (-Werror=overflow) */
		return arena_printf("(s64)((u64)%s %s (u64)%s)", a, op_text(n->op), b);
	default:
		return arena_printf("(%s %s %s)", a, op_text(n->op), b);
	}
}

static const char *emit_cmp(Gen *g, Node *n)
{
	const char *a = emit_expr(g, n->lhs);
	if (needs_stmts(n->rhs))
		a = spill(g, n->lhs, a);
	const char *b = emit_expr(g, n->rhs);
	if (n->lhs->type == TY_STRING)
		return arena_printf("(s64)(strcmp(%s, %s) %s 0)", a, b, op_text(n->op));
	return arena_printf("(s64)(%s %s %s)", a, op_text(n->op), b);
}

/* && and ||: the right side runs only when it decides the value. */
static const char *emit_logical(Gen *g, Node *n)
{
	const char *a = emit_expr(g, n->lhs);
	bool and = n->kind == ND_LOGAND;
	if (!needs_stmts(n->rhs)) {
		const char *b = emit_expr(g, n->rhs);
		return arena_printf("(s64)(%s %s %s)", a, and ? "&&" : "||", b);
	}
	const char *t = new_temp(g);
	line(g, "s64 %s = %s;", t, and ? "0" : "1");
	line(g, "if (%s%s) {", and ? "" : "!", a);
	g->depth++;
	const char *b = emit_expr(g, n->rhs);
	line(g, "%s = %s != 0;", t, b);
	g->depth--;
	line(g, "}");
	return t;
}

static const char *emit_cond(Gen *g, Node *n)
{
	const char *c = emit_expr(g, n->cond);
	if (!needs_stmts(n->then) && !needs_stmts(n->els)) {
		const char *a = emit_expr(g, n->then);
		const char *b = emit_expr(g, n->els);
		return arena_printf("(%s ? %s : %s)", c, a, b);
	}
	bool str = n->type == TY_STRING;
	const char *t = str ? new_strtemp(g) : new_temp(g);
	if (!str)
		line(g, "s64 %s;", t);
	line(g, "if (%s) {", c);
	g->depth++;
	const char *a = emit_expr(g, n->then);
	if (str)
		line(g, "stp_strlcpy(%s, %s, MAXSTRINGLEN);", t, a);
	else
		line(g, "%s = %s;", t, a);
	g->depth--;
	line(g, "} else {");
	g->depth++;
	const char *b = emit_expr(g, n->els);
	if (str)
		line(g, "stp_strlcpy(%s, %s, MAXSTRINGLEN);", t, b);
	else
		line(g, "%s = %s;", t, b);
	g->depth--;
	line(g, "}");
	return t;
}

static const char *emit_concat(Gen *g, Node *n)
{
	const char *a = emit_expr(g, n->lhs);
	const char *t = new_strtemp(g);
	if (needs_stmts(n->rhs)) {
		line(g, "stp_strlcpy(%s, %s, MAXSTRINGLEN);", t, a);
		const char *b = emit_expr(g, n->rhs);
		line(g, "stp_strlcat(%s, %s, MAXSTRINGLEN);", t, b);
		return t;
	}
	const char *b = emit_expr(g, n->rhs);
	line(g, "stp_strlcpy(%s, %s, MAXSTRINGLEN);", t, a);
	line(g, "stp_strlcat(%s, %s, MAXSTRINGLEN);", t, b);
	return t;
}

/* ---- target variables, as their probe family lowered them (TargetCode) ---- */

static const char *add_fmt(FmtSpec *s);

/* The family's C with STP_IDX(k) replaced by the index values. */
static const char *target_c(const char *c, const char **idx)
{
	Buf b = {0};
	buf_puts(&b, "");
	while (*c) {
		if (strncmp(c, "STP_IDX(", 8) == 0) {
			int k = atoi(c + 8);
			buf_printf(&b, "(%s)", idx[k]);
			c = strchr(c, ')') + 1;
		} else {
			buf_putc(&b, *c++);
		}
	}
	return b.s;
}

static const char **target_indexes(Gen *g, TargetCode *t)
{
	const char **idx = arena_alloc(sizeof(char *) * (t->nindexes + 1));
	for (int k = 0; k < t->nindexes; k++)
		idx[k] = spill(g, t->indexes[k], emit_expr(g, t->indexes[k]));
	return idx;
}

/* One value that may read memory: into a temporary, then the fault check. */
static const char *target_read(Gen *g, Node *n, const char *c)
{
	const char *t = new_temp(g);
	line(g, "s64 %s = (s64)(%s);", t, c);
	check_call_error(g, n);
	return t;
}

/* A string at an address, "quoted"; its address in hex if it cannot be read. */
static void put_quoted(Gen *g, const char *sink, const char *addr, const char *buf,
		       const char *size, bool user)
{
	FmtSpec hex = { .conv = 'x', .width = -1, .prec = -1 };
	line(g, "if (stp_%cread_string(c, %s, %s, %s)) {", user ? 'u' : 'k', addr, buf, size);
	line(g, "\tstp_put_char(%s, '\"');", sink);
	line(g, "\tstp_put_escaped(%s, %s);", sink, buf);
	line(g, "\tstp_put_char(%s, '\"');", sink);
	line(g, "} else {");
	line(g, "\tc->last_error = NULL;");
	line(g, "\tstp_put_str(%s, \"0x\");", sink);
	line(g, "\tstp_fmt_long(%s, %s, %s);", sink, add_fmt(&hex), addr);
	line(g, "}");
}

/* $var$, $$parms: the pieces printed into a string temporary. */
static const char *emit_target_string(Gen *g, Node *n, TargetCode *t, const char **idx)
{
	const char *result = new_strtemp(g);
	const char *buf = NULL;
	const char *sk = arena_printf("sk%d", g->ntemps++);
	const char *sink = arena_printf("&%s", sk);
	FmtSpec hex = { .conv = 'x', .width = -1, .prec = -1 };
	line(g, "struct stp_sink %s;", sk);
	line(g, "stp_sink_init_str(%s, %s, MAXSTRINGLEN);", sink, result);
	for (int i = 0; i < t->pieces.len; i++) {
		TargetPiece *p = t->pieces.items[i];
		if (p->kind == TP_TEXT) {
			line(g, "stp_put_str(%s, %s);", sink, c_str(p->c));
			continue;
		}
		const char *v = p->kind == TP_BUFFER ? p->c : target_read(g, n, target_c(p->c, idx));
		switch (p->kind) {
		case TP_DEC:
			line(g, "stp_put_long(%s, %s);", sink, v);
			break;
		case TP_HEX:
			line(g, "stp_put_str(%s, \"0x\");", sink);
			line(g, "stp_fmt_long(%s, %s, %s);", sink, add_fmt(&hex), v);
			break;
		case TP_BUFFER:
			line(g, "stp_put_str(%s, %s);", sink, p->c);
			break;
		case TP_STRING:
		case TP_CHARS:
			if (!buf)
				buf = new_strtemp(g);
			put_quoted(g, sink, v, buf, p->kind == TP_STRING ? "MAXSTRINGLEN" :
				   arena_printf("min_t(size_t, %lld, MAXSTRINGLEN)",
						(long long)p->len + 1), p->user);
			break;
		default:
			break;
		}
	}
	return result;
}

static const char *emit_target(Gen *g, Node *n)
{
	TargetCode *t = n->target;
	if (!t) {
		error_at(n->loc, "semantic error", "target variable '%s' was not resolved", n->name);
		return "0";
	}
	const char **idx = target_indexes(g, t);
	if (n->type == TY_STRING)
		return emit_target_string(g, n, t, idx);
	return target_read(g, n, target_c(t->c_expr, idx));
}

/* $var = value (guru mode): memory through the fault-safe writer, or a register. */
static const char *emit_target_assign(Gen *g, Node *n)
{
	Node *l = n->lhs;
	TargetCode *t = l->target;
	if (t && t->write_buffer && (!n->op || n->op == '.')) {
		/* the buffer may be larger than a string: .= appends past MAXSTRINGLEN */
		const char *v = spill(g, n->rhs, emit_expr(g, n->rhs));
		line(g, "stp_%s(%s, %s, %s);", n->op ? "strlcat" : "strlcpy", t->write_buffer, v,
		     t->write_buffer_size);
		return v;
	}
	if (n->op || !t || (!t->write_addr && t->write_reg < 0)) {
		error_at(n->loc, "semantic error", "only '=' can write target variable '%s' "
			 "(and '.=' procfs's $value), and only one in memory or in a register",
			 l->name);
		return "0";
	}
	const char **idx = target_indexes(g, t);
	const char *v = spill(g, n->rhs, emit_expr(g, n->rhs));
	if (t->write_addr)
		line(g, "stp_kwrite(c, %s, %d, %s);", target_c(t->write_addr, idx), t->write_size, v);
	else
		line(g, "stp_dwarf_reg_set(c, %d, %s);", t->write_reg, v);
	check_call_error(g, n);
	return v;
}

/* Stores value into the lvalue target (a scalar variable). */
static void store(Gen *g, Node *target, const char *value)
{
	const char *ref = var_ref(g, target->var);
	if (target->type == TY_STRING) {
		if (strcmp(ref, value) != 0)
			line(g, "stp_strlcpy(%s, %s, MAXSTRINGLEN);", ref, value);
	} else {
		line(g, "%s = %s;", ref, value);
	}
}

static const char *emit_assign(Gen *g, Node *n)
{
	Node *l = n->lhs;
	if (l->kind == ND_INDEX && l->var)
		return emit_index_assign(g, n);
	if (l->kind == ND_TARGET)
		return emit_target_assign(g, n);
	if (l->kind != ND_VAR || !l->var) {
		error_at(n->loc, "semantic error", "assignment to this target is not supported");
		return "0";
	}
	const char *ref = var_ref(g, l->var);
	const char *v = emit_expr(g, n->rhs);
	switch (n->op) {
	case 0:
		store(g, l, v);
		return ref;
	case '.':
		line(g, "stp_strlcat(%s, %s, MAXSTRINGLEN);", ref, v);
		return ref;
	case '/':
	case '%':
		if (n->rhs->kind != ND_NUM || n->rhs->num == 0) {
			v = spill(g, n->rhs, v);
			line(g, "if (unlikely(%s == 0)) {", v);
			line(g, "\tstp_error(c, \"division by 0\", %s);", near(n));
			line(g, "\tgoto %s;", g->err_label);
			line(g, "}");
		}
		line(g, "%s = %s(%s, %s);", ref, n->op == '/' ? "stp_div" : "stp_mod", ref, v);
		return ref;
	case TK_SHL:
		line(g, "%s = (s64)((u64)%s << (%s & 63));", ref, ref, v);
		return ref;
	case TK_SHR:
		line(g, "%s >>= (%s & 63);", ref, v);
		return ref;
	default:
		line(g, "%s %s= %s;", ref, op_text(n->op), v);
		return ref;
	}
}

static const char *emit_incdec(Gen *g, Node *n, bool want_value)
{
	Node *l = n->lhs;
	if (l->kind == ND_INDEX && l->var)
		return emit_index_incdec(g, n, want_value);
	if (l->kind != ND_VAR || !l->var) {
		error_at(n->loc, "semantic error", "'++' and '--' on this target are not supported");
		return "0";
	}
	const char *ref = var_ref(g, l->var);
	const char *op = n->op == '+' ? "++" : "--";
	if (n->kind == ND_PREINC || !want_value) {
		line(g, "%s%s;", op, ref);
		return ref;
	}
	const char *t = new_temp(g);
	line(g, "s64 %s = %s%s;", t, ref, op);
	return t;
}

/* s =~ "re": the pattern compiled here, matched by the runtime's Pike VM */
static const char *emit_regex(Gen *g, Node *n)
{
	const char *err;
	Regex *rx = regex_compile(n->rhs->str, &err);
	if (!rx)
		return "0";
	const char *name = arena_printf("rx_%d", nregexes++);
	regex_emit(regex_out, rx, name, n->rhs->str);
	if (rx->ninsns > regex_max_insns)
		regex_max_insns = rx->ninsns;
	const char *subject = emit_expr(g, n->lhs);
	return arena_printf("%sstp_regex_match(&%s, %s)", n->op == TK_REGNE ? "!" : "", name,
			    subject);
}

/* ---- calls ---- */

static const char *fn_name(Func *f)
{
	return arena_printf("fn_%s_%d", f->name, f->id);
}

/*
 * A call to a function with overloads of the same arity tries them in
 * priority order: one that says "next" (c->nexted) passes the call on.
 */
/* MAXNESTING is reported, as SystemTap does, near the called function's name */
static const char *near_decl(Func *f)
{
	return c_str(arena_printf("identifier '%s' at %s", f->name, loc_text(f->loc)));
}

static const char *emit_overloaded_call(Gen *g, Node *n, bool want_value)
{
	Func *head = n->func;
	const char *vals[MAX_KEYS * 4];
	int nargs = 0;
	for (Node *a = n->args; a && nargs < (int)ARRAY_SIZE(vals); a = a->next)
		vals[nargs++] = spill(g, a, emit_expr(g, a));
	const char *result = "0";
	bool str = head->ret == TY_STRING;
	if (want_value && head->ret != TY_UNKNOWN) {
		result = str ? new_strtemp(g) : new_temp(g);
		if (!str)
			line(g, "s64 %s = 0;", result);
	}
	int id = g->ntemps++;
	for (Func *f = head; f; f = f->next_overload) {
		const char *fr = arena_printf("f%d", g->ntemps++);
		line(g, "struct %s_frame *%s = stp_frame_push(c, sizeof(*%s), %s);", fn_name(f),
		     fr, fr, near_decl(f));
		line(g, "if (unlikely(!%s))", fr);
		line(g, "\tgoto %s;", g->err_label);
		for (int i = 0; i < nargs; i++) {
			Var *p = f->params.items[i];
			if (p->type == TY_STRING)
				line(g, "stp_strlcpy(%s->a_%s, %s, MAXSTRINGLEN);", fr, p->name, vals[i]);
			else
				line(g, "%s->a_%s = %s;", fr, p->name, vals[i]);
		}
		line(g, "c->nexted = false;");
		line(g, "%s(c, %s);", fn_name(f), fr);
		line(g, "if (!c->nexted) {");
		if (want_value && str)
			line(g, "\tstp_strlcpy(%s, %s->ret, MAXSTRINGLEN);", result, fr);
		else if (want_value && head->ret == TY_LONG)
			line(g, "\t%s = %s->ret;", result, fr);
		line(g, "\tstp_frame_pop(c, sizeof(*%s));", fr);
		line(g, "\tgoto call_done_%d;", id);
		line(g, "}");
		line(g, "stp_frame_pop(c, sizeof(*%s));", fr);
	}
	line(g, "stp_error(c, \"next: no more overloads of function '%s'\", %s);", head->name,
	     near(n));
	line(g, "call_done_%d:", id);
	check_call_error(g, n);
	return result;
}

static const char *emit_call(Gen *g, Node *n, bool want_value)
{
	Func *f = n->func;
	if (!f)
		return "0";
	if (f->next_overload)
		return emit_overloaded_call(g, n, want_value);
	const char *fr = arena_printf("f%d", g->ntemps++);
	line(g, "struct %s_frame *%s = stp_frame_push(c, sizeof(*%s), %s);", fn_name(f), fr, fr,
	     near_decl(f));
	line(g, "if (unlikely(!%s))", fr);
	line(g, "\tgoto %s;", g->err_label);
	int i = 0;
	for (Node *a = n->args; a; a = a->next, i++) {
		Var *p = f->params.items[i];
		const char *v = emit_expr(g, a);
		if (p->type == TY_STRING)
			line(g, "stp_strlcpy(%s->a_%s, %s, MAXSTRINGLEN);", fr, p->name, v);
		else
			line(g, "%s->a_%s = %s;", fr, p->name, v);
	}
	if (f->uses_next)
		line(g, "c->nexted = false;");
	line(g, "%s(c, %s);", fn_name(f), fr);
	const char *result = "0";
	if (want_value && f->ret == TY_STRING) {
		result = new_strtemp(g);
		line(g, "stp_strlcpy(%s, %s->ret, MAXSTRINGLEN);", result, fr);
	} else if (want_value && f->ret == TY_LONG) {
		result = new_temp(g);
		line(g, "s64 %s = %s->ret;", result, fr);
	}
	line(g, "stp_frame_pop(c, sizeof(*%s));", fr);
	if (f->uses_next) {
		line(g, "if (unlikely(c->nexted))");
		line(g, "\tstp_error(c, \"next: no more overloads of function '%s'\", %s);", f->name,
		     near(n));
	}
	check_call_error(g, n);
	return result;
}

/* ---- printing ---- */

static const char *add_fmt(FmtSpec *s)
{
	int flags = 0;
	for (const char *f = s->flags; *f; f++)
		flags |= *f == '-' ? 1 : *f == '+' ? 2 : *f == ' ' ? 4 : *f == '#' ? 8 : 16;
	buf_printf(&fmt_table, "\t{ '%c', 0x%02x, %d, %d },\n", s->conv, flags,
		   s->width == -2 ? -1 : s->width, s->prec == -2 ? -1 : s->prec);
	return arena_printf("&stp_fmts[%d]", nfmts++);
}

/* One value as print() shows it: numbers in decimal, strings as they are. */
static void print_value(Gen *g, const char *sink, Node *a, const char *v)
{
	if (a->type == TY_STRING)
		line(g, "stp_put_str(%s, %s);", sink, v);
	else
		line(g, "stp_put_long(%s, %s);", sink, v);
}

static void emit_printf(Gen *g, Node *n, const char *sink, Node *args)
{
	FmtSpec specs[128];
	const char *err;
	int nspecs = parse_format(args->str, specs, 128, &err);
	Node *a = args->next;
	/* arguments first, in order, so that their effects happen before output */
	const char *vals[128];
	Node *nodes[128];
	int nv = 0;
	for (Node *p = a; p && nv < 128; p = p->next) {
		const char *v = emit_expr(g, p);
		if (p->next && needs_stmts(p->next))
			v = spill(g, p, v);
		vals[nv] = v;
		nodes[nv++] = p;
	}
	int k = 0;
	for (int i = 0; i < nspecs; i++) {
		FmtSpec *s = &specs[i];
		if (!s->conv) {
			line(g, "stp_put_mem(%s, %s, %zu);", sink, c_str(s->literal),
			     strlen(s->literal));
			continue;
		}
		const char *width = NULL, *prec = NULL;
		if (s->width == -2)
			width = vals[k++];
		if (s->prec == -2)
			prec = vals[k++];
		if (k >= nv)
			break;
		const char *v = vals[k];
		Node *node = nodes[k++];
		bool plain = !s->flags[0] && s->width == -1 && s->prec == -1;
		if (plain && s->conv == 's') {
			line(g, "stp_put_str(%s, %s);", sink, v);
		} else if (plain && (s->conv == 'd' || s->conv == 'i')) {
			line(g, "stp_put_long(%s, %s);", sink, v);
		} else if (width || prec) {
			const char *f = new_temp(g);
			line(g, "struct stp_fmt %s = *%s;", f, add_fmt(s));
			if (width)
				line(g, "%s.width = stp_clamp_width(%s);", f, width);
			if (prec)
				line(g, "%s.prec = stp_clamp_width(%s);", f, prec);
			line(g, "stp_fmt_%s(%s, &%s, %s);", node->type == TY_STRING ? "str" : "long",
			     sink, f, v);
		} else {
			line(g, "stp_fmt_%s(%s, %s, %s);", node->type == TY_STRING ? "str" : "long",
			     sink, add_fmt(s), v);
		}
	}
}

static const char *emit_print(Gen *g, Node *n)
{
	bool to_string = n->name[0] == 's';
	const char *base = to_string ? n->name + 1 : n->name;
	const char *sink = "&c->out";
	/* print's own value: nothing, but "c ? printf(...) : printf(...)" has one */
	const char *result = n->type == TY_STRING ? "\"\"" : "0";
	if (to_string) {
		result = new_strtemp(g);
		const char *sk = arena_printf("sk%d", g->ntemps++);
		line(g, "struct stp_sink %s;", sk);
		sink = arena_printf("&%s", sk);
		/* the arguments may use the temporary too: fill a private one */
		line(g, "stp_sink_init_str(%s, %s, MAXSTRINGLEN);", sink, result);
	}
	if (strcmp(base, "printf") == 0) {
		emit_printf(g, n, sink, n->args);
		return result;
	}
	bool delim = strncmp(base, "printd", 6) == 0;
	bool ln = base[strlen(base) - 1] == 'n';
	Node *first = delim ? n->args->next : n->args;
	const char *d = delim ? spill(g, n->args, emit_expr(g, n->args)) : NULL;
	const char *vals[256];
	int nv = 0;
	for (Node *a = first; a && nv < 256; a = a->next) {
		if (a->kind == ND_HIST) {
			vals[nv++] = NULL;	/* printed in place */
			continue;
		}
		const char *v = emit_expr(g, a);
		if (a->next && needs_stmts(a->next))
			v = spill(g, a, v);
		vals[nv++] = v;
	}
	int i = 0;
	for (Node *a = first; a && i < nv; a = a->next, i++) {
		if (delim && i > 0)
			line(g, "stp_put_str(%s, %s);", sink, d);
		if (a->kind == ND_HIST)
			emit_hist_print(g, sink, a, n);
		else
			print_value(g, sink, a, vals[i]);
	}
	if (ln)
		line(g, "stp_put_char(%s, '\\n');", sink);
	return result;
}

/* ---- expressions ---- */

const char *emit_expr(Gen *g, Node *n)
{
	switch (n->kind) {
	case ND_NUM:
		return c_long(n->num);
	case ND_STR:
		return c_string(n->str, n->num);
	case ND_VAR:
		if (!n->var)
			return "0";
		return var_ref(g, n->var);
	case ND_BINOP:
		return emit_binop(g, n);
	case ND_CMP:
		return emit_cmp(g, n);
	case ND_LOGAND:
	case ND_LOGOR:
		return emit_logical(g, n);
	case ND_NEG:
		return arena_printf("(s64)(0 - (u64)%s)", emit_expr(g, n->lhs));
	case ND_PLUS:
		return emit_expr(g, n->lhs);
	case ND_NOT:
		return arena_printf("(s64)!%s", emit_expr(g, n->lhs));
	case ND_BITNOT:
		return arena_printf("(~%s)", emit_expr(g, n->lhs));
	case ND_COND:
		return emit_cond(g, n);
	case ND_CONCAT:
		return emit_concat(g, n);
	case ND_ASSIGN:
		return emit_assign(g, n);
	case ND_PREINC:
	case ND_POSTINC:
		return emit_incdec(g, n, true);
	case ND_CALL:
		return emit_call(g, n, true);
	case ND_PRINT:
		return emit_print(g, n);
	case ND_EMBEDDED_EXPR:
		return arena_printf("((s64)(%s))", n->str);
	case ND_REGEX:
		return emit_regex(g, n);
	case ND_INDEX:
		return emit_index_read(g, n);
	case ND_IN:
		return emit_in(g, n);
	case ND_STATOP:
		return emit_statop(g, n);
	case ND_HIST_INDEX:
		return emit_hist_index(g, n);
	case ND_AGG:
		emit_aggregate(g, n);
		return "0";
	case ND_TARGET:
		return emit_target(g, n);
	default:
		error_at(n->loc, "semantic error", "this construct is not supported yet in pass 3");
		return "0";
	}
}

/* An expression whose value nobody uses. */
void emit_effect(Gen *g, Node *n)
{
	switch (n->kind) {
	case ND_PREINC:
	case ND_POSTINC:
		emit_incdec(g, n, false);
		return;
	case ND_CALL:
		emit_call(g, n, false);
		return;
	default:
		emit_expr(g, n);
		return;
	}
}

/* ---- statements ---- */

static int count_stmts(Node *block)
{
	int n = 0;
	for (Node *s = block->body; s; s = s->next)
		if (s->kind != ND_NULL_STMT && s->kind != ND_BLOCK)
			n++;
	return n;
}

void emit_actions(Gen *g, int n, Node *where)
{
	if (n <= 0)
		return;
	line(g, "if (unlikely((c->actions -= %d) < 0)) {", n);
	line(g, "\tstp_error(c, \"MAXACTION exceeded\", %s);", near(where));
	line(g, "\tgoto %s;", g->err_label);
	line(g, "}");
}

static void emit_block(Gen *g, Node *n)
{
	emit_actions(g, count_stmts(n), n->body ? n->body : n);
	for (Node *s = n->body; s; s = s->next)
		emit_stmt(g, s);
}

/* A loop's body: its statements count against the loop's own budget check. */
void emit_loop_body(Gen *g, Node *n)
{
	g->depth++;
	if (n->kind == ND_BLOCK) {
		for (Node *s = n->body; s; s = s->next)
			emit_stmt(g, s);
	} else {
		emit_stmt(g, n);
	}
	g->depth--;
}

int loop_cost(Node *body)
{
	return 1 + (body->kind == ND_BLOCK ? count_stmts(body) : 1);
}

/* A loop or if body: always braced, one level deeper. */
static void emit_body(Gen *g, Node *n)
{
	g->depth++;
	if (n->kind == ND_BLOCK)
		emit_block(g, n);
	else
		emit_stmt(g, n);
	g->depth--;
}

static void emit_if(Gen *g, Node *n)
{
	const char *c = emit_expr(g, n->cond);
	line(g, "if (%s) {", c);
	emit_body(g, n->then);
	if (n->els) {
		line(g, "} else {");
		emit_body(g, n->els);
	}
	line(g, "}");
}

/*
 * while and for: for (;;) { budget; test; body; increment }.  A script
 * "continue" in a for loop jumps to the increment, which may itself be
 * statements, so it is a goto there.
 */
static void emit_loop(Gen *g, Node *n)
{
	if (n->init)
		emit_effect(g, n->init);
	const char *saved = g->continue_stmt;
	int id = g->nloops++;
	g->continue_stmt = n->inc ? arena_printf("goto continue_%d;", id) : "continue;";
	line(g, "for (;;) {");
	g->depth++;
	emit_actions(g, loop_cost(n->then), n);
	if (n->cond) {
		const char *c = emit_expr(g, n->cond);
		line(g, "if (!%s)", c);
		line(g, "\tbreak;");
	}
	g->depth--;
	emit_loop_body(g, n->then);
	if (n->inc) {
		line(g, "continue_%d: __attribute__((unused));", id);
		g->depth++;
		line(g, ";");
		emit_effect(g, n->inc);
		g->depth--;
	}
	line(g, "}");
	g->continue_stmt = saved;
}

/*
 * abort() (tapsets/logging.stp) ends the probe with c->last_error set to
 * stp_abort_error: try/catch passes it on, and the handler clears it at
 * its end, so that it is neither caught nor reported.  Only programs that
 * call abort() pay for the checks.
 */
static bool abort_used;

static void emit_try(Gen *g, Node *n)
{
	int id = g->ntry++;
	const char *saved = g->err_label;
	const char *catch_label = arena_printf("catch_%d", id);
	line(g, "/* try */");
	line(g, "{");
	g->err_label = catch_label;
	emit_body(g, n->then);
	g->err_label = saved;
	line(g, "}");
	line(g, "goto try_end_%d;", id);
	line(g, "%s: __attribute__((unused));", catch_label);
	if (abort_used) {
		line(g, "if (unlikely(c->last_error == stp_abort_error))");
		line(g, "\tgoto %s;\t/* abort() is not caught */", saved);
	}
	line(g, "{");
	g->depth++;
	if (n->lhs && n->lhs->var)
		line(g, "stp_strlcpy(%s, c->last_error, MAXSTRINGLEN);", var_ref(g, n->lhs->var));
	line(g, "c->last_error = NULL;");
	g->depth--;
	emit_body(g, n->els);
	line(g, "}");
	line(g, "try_end_%d: ;", id);
}

void emit_stmt(Gen *g, Node *n)
{
	switch (n->kind) {
	case ND_BLOCK:
		line(g, "{");
		emit_body(g, n);
		line(g, "}");
		return;
	case ND_NULL_STMT:
		return;
	case ND_EXPR_STMT:
		if (!needs_stmts(n->lhs)) {
			warn_at(n->loc, "eliding side-effect-free expression");
			return;
		}
		emit_effect(g, n->lhs);
		return;
	case ND_IF:
		emit_if(g, n);
		return;
	case ND_WHILE:
	case ND_FOR:
		emit_loop(g, n);
		return;
	case ND_BREAK:
		line(g, "break;");
		return;
	case ND_CONTINUE:
		line(g, "%s", g->continue_stmt);
		return;
	case ND_NEXT:
		/* in a function: hand the call to the next overload */
		if (g->func)
			line(g, "c->nexted = true;");
		line(g, "goto out;");
		return;
	case ND_RETURN:
		if (n->lhs) {
			const char *v = emit_expr(g, n->lhs);
			if (g->func->ret == TY_STRING)
				line(g, "stp_strlcpy(l->ret, %s, MAXSTRINGLEN);", v);
			else
				line(g, "l->ret = %s;", v);
			g->uses_frame = true;
		}
		line(g, "goto out;");
		return;
	case ND_DELETE:
		emit_delete(g, n);
		return;
	case ND_FOREACH:
		emit_foreach(g, n);
		return;
	case ND_TRY:
		emit_try(g, n);
		return;
	default:
		error_at(n->loc, "semantic error", "this statement is not supported yet in pass 3");
		return;
	}
}

/* ---- frames: locals, parameters and temporaries ---- */

static void emit_var_field(Buf *b, Var *v, const char *prefix)
{
	if (v->type == TY_STRING)
		buf_printf(b, "\tchar %s%s[MAXSTRINGLEN];\n", prefix, v->name);
	else
		buf_printf(b, "\ts64 %s%s;\n", prefix, v->name);
}

static void emit_frame_struct(Buf *out, const char *name, Func *f, Vec *locals, int nstrtemps)
{
	buf_printf(out, "struct %s {\n", name);
	bool empty = true;
	if (f) {
		for (int i = 0; i < f->params.len; i++) {
			emit_var_field(out, f->params.items[i], "a_");
			empty = false;
		}
		if (f->ret == TY_STRING) {
			buf_puts(out, "\tchar ret[MAXSTRINGLEN];\n");
			empty = false;
		} else if (f->ret == TY_LONG) {
			buf_puts(out, "\ts64 ret;\n");
			empty = false;
		}
	}
	for (int i = 0; i < locals->len; i++) {
		emit_var_field(out, locals->items[i], "v_");
		empty = false;
	}
	for (int i = 0; i < nstrtemps; i++) {
		buf_printf(out, "\tchar tmp%d[MAXSTRINGLEN];\n", i);
		empty = false;
	}
	if (empty)
		buf_puts(out, "\tchar unused;\n");
	buf_puts(out, "};\n\n");
}

static void init_locals(Buf *out, Vec *locals)
{
	for (int i = 0; i < locals->len; i++) {
		Var *v = locals->items[i];
		if (v->type == TY_STRING)
			buf_printf(out, "\tl->v_%s[0] = '\\0';\n", v->name);
		else
			buf_printf(out, "\tl->v_%s = 0;\n", v->name);
	}
}

/* ---- functions ---- */

/*
 * Embedded C that is not our tapsets' (a -g script's, or a tapset of the
 * user's) is written for SystemTap: it gets runtime/embedded.h, and, as
 * SystemTap compiles it, no warnings about what it leaves unused.
 */
static bool is_foreign_c(SrcFile *f)
{
	size_t n = strlen(S->tapset_dir);
	return !f || !f->is_tapset || strncmp(f->name, S->tapset_dir, n) != 0 || f->name[n] != '/';
}

static const char foreign_c_begin[] =
	"#pragma GCC diagnostic push\n"
	"#pragma GCC diagnostic ignored \"-Wunused-variable\"\n"
	"#pragma GCC diagnostic ignored \"-Wunused-but-set-variable\"\n"
	"#pragma GCC diagnostic ignored \"-Wunused-function\"\n"
	"#pragma GCC diagnostic ignored \"-Wunused-label\"\n";
static const char foreign_c_end[] = "#pragma GCC diagnostic pop\n";

/* --compatible=4.8 as STAP_VERSION's arguments: "4, 8" */
static const char *compat_version_args(void)
{
	const char *v = preproc_env.systemtap_v ? preproc_env.systemtap_v : "4.8";
	int major = atoi(v);
	const char *dot = strchr(v, '.');
	return arena_printf("%d, %d", major, dot ? atoi(dot + 1) : 0);
}

/* Does the program hold embedded C written for SystemTap? */
static bool has_foreign_c(Program *prog)
{
	for (int i = 0; i < prog->embedded.len; i++)
		if (is_foreign_c(((Embedded *)prog->embedded.items[i])->loc.file))
			return true;
	for (int i = 0; i < prog->funcs.len; i++) {
		Func *f = prog->funcs.items[i];
		if (f->is_embedded && is_foreign_c(f->loc.file))
			return true;
	}
	return false;
}

/* STAP_ARG_name for each parameter of f, for its embedded C */
static void define_args(Buf *out, Func *f)
{
	for (int i = 0; i < f->params.len; i++) {
		Var *p = f->params.items[i];
		buf_printf(out, "#define STAP_ARG_%s (l->a_%s)\n", p->name, p->name);
	}
}

static void undefine_args(Buf *out, Func *f)
{
	for (int i = 0; i < f->params.len; i++)
		buf_printf(out, "#undef STAP_ARG_%s\n", ((Var *)f->params.items[i])->name);
}

static void emit_embedded_func(Buf *out, Func *f)
{
	const char *name = fn_name(f);
	bool foreign = is_foreign_c(f->loc.file);
	buf_printf(out, "/* function %s at %s (embedded C) */\n", f->name, loc_text(f->loc));
	if (foreign)
		buf_puts(out, foreign_c_begin);
	buf_printf(out, "static void %s(struct stp_context *c, struct %s_frame *l)\n{\n", name, name);
	buf_puts(out, "#define CONTEXT c\n");
	define_args(out, f);
	if (f->ret != TY_UNKNOWN)
		buf_puts(out, "#define STAP_RETVALUE (l->ret)\n");
	buf_puts(out, "#define STAP_RETURN(v) do { STAP_RETVALUE = (v); goto out; } while (0)\n");
	buf_puts(out, "#define STAP_ERROR(...) do { stp_errorf(c, NULL, __VA_ARGS__); goto out; } "
		      "while (0)\n");
	buf_puts(out, "#define STAP_NEXT do { c->nexted = true; goto out; } while (0)\n");
	buf_puts(out, "\t(void)l;\n\t{\n");
	buf_puts(out, f->body->str);
	buf_puts(out, "\n\t}\n\tgoto out;\nout: __attribute__((unused));\n\t;\n");
	buf_puts(out, "#undef CONTEXT\n");
	undefine_args(out, f);
	if (f->ret != TY_UNKNOWN)
		buf_puts(out, "#undef STAP_RETVALUE\n");
	buf_puts(out, "#undef STAP_RETURN\n#undef STAP_ERROR\n#undef STAP_NEXT\n}\n");
	if (foreign)
		buf_puts(out, foreign_c_end);
	buf_puts(out, "\n");
}

/* Is there embedded C (%{ expr %}) in n's subtree? */
static bool has_embedded_expr(Node *n)
{
	for (; n; n = n->next) {
		if (n->kind == ND_EMBEDDED_EXPR)
			return true;
		if (has_embedded_expr(n->lhs) || has_embedded_expr(n->rhs) ||
		    has_embedded_expr(n->cond) || has_embedded_expr(n->then) ||
		    has_embedded_expr(n->els) || has_embedded_expr(n->init) ||
		    has_embedded_expr(n->inc) || has_embedded_expr(n->body) ||
		    (n->kind != ND_HIST && has_embedded_expr(n->args)))
			return true;
		if (n->foreach && has_embedded_expr(n->foreach->limit))
			return true;
	}
	return false;
}

static void emit_func(Buf *structs, Buf *out, Func *f)
{
	const char *name = fn_name(f);
	if (f->is_embedded) {
		emit_frame_struct(structs, arena_printf("%s_frame", name), f, &f->locals, 0);
		emit_embedded_func(out, f);
		return;
	}
	Gen g = { .err_label = "out", .func = f, .continue_stmt = "continue;" };
	g.depth = 1;
	emit_block(&g, f->body);
	emit_frame_struct(structs, arena_printf("%s_frame", name), f, &f->locals, g.nstrtemps);
	/* %{ S_ISDIR(STAP_ARG_mode) %} in a script function reads its parameter */
	bool args = has_embedded_expr(f->body);
	buf_printf(out, "/* function %s at %s */\n", f->name, loc_text(f->loc));
	buf_printf(out, "static void %s(struct stp_context *c, struct %s_frame *l)\n{\n", name, name);
	if (args)
		define_args(out, f);
	init_locals(out, &f->locals);
	if (f->ret == TY_STRING)
		buf_puts(out, "\tl->ret[0] = '\\0';\n");
	else if (f->ret == TY_LONG)
		buf_puts(out, "\tl->ret = 0;\n");
	buf_puts(out, g.code.s ? g.code.s : "");
	buf_puts(out, "out: __attribute__((unused));\n\t;\n");
	if (args)
		undefine_args(out, f);
	buf_puts(out, "}\n\n");
}

/* ---- probes ---- */

/*
 * The globals a handler needs, taken in one order (the globals' order,
 * so no two probes can deadlock), unrolled; a lock it cannot get skips
 * the hit, after releasing the ones it holds.  modes: per global, 'r',
 * 'w' or 0; NULL when the handler needs none.
 */
static void emit_lock_ladder(Buf *out, const char *modes, Buf *unlocks)
{
	int held = 0;
	for (int i = 0; modes && i < P->globals.len; i++) {
		if (!modes[i])
			continue;
		Var *v = P->globals.items[i];
		const char *how = modes[i] == 'w' ? "write" : "read";
		buf_printf(out, "\tif (unlikely(!stp_%s_lock(&g_%s_lock)))\n\t\tgoto locked_%d;\n",
			   how, v->name, held);
		/* released in the reverse order, each label releasing one fewer */
		Buf u = {0};
		buf_printf(&u, "\tstp_%s_unlock(&g_%s_lock);\nlocked_%d:\n", how, v->name, held);
		buf_puts(&u, unlocks->s ? unlocks->s : "");
		*unlocks = u;
		held++;
	}
}

/* Returns whether the probe has a frame (struct probe_ID_locals). */
static bool emit_probe_handler(Buf *structs, Buf *out, Probe *p, int id, const char *pp,
			       const char *lock_modes)
{
	Gen g = { .err_label = "out", .continue_stmt = "continue;" };
	g.depth = 1;
	emit_block(&g, p->body);
	bool frame = p->locals.len || g.nstrtemps;
	const char *sname = arena_printf("probe_%d_locals", id);
	if (frame)
		emit_frame_struct(structs, sname, NULL, &p->locals, g.nstrtemps);
	buf_printf(out, "/* probe %s at %s */\n", pp, loc_text(p->loc));
	buf_printf(out, "static void probe_%d(struct stp_context *c)\n{\n", id);
	Buf unlocks = {0};
	emit_lock_ladder(out, lock_modes, &unlocks);
	if (frame) {
		buf_printf(out, "\tstruct %s *l = (struct %s *)c->frames;\n\n", sname, sname);
		buf_puts(out, "\tc->frame_top = sizeof(*l);\n");
		init_locals(out, &p->locals);
	}
	buf_puts(out, g.code.s ? g.code.s : "");
	buf_puts(out, "out: __attribute__((unused));\n");
	buf_puts(out, unlocks.s ? unlocks.s : "");
	if (abort_used)
		buf_puts(out, "\tif (c->last_error == stp_abort_error)\n"
			      "\t\tc->last_error = NULL;\t/* abort() ended it: no error */\n");
	buf_puts(out, "\t;\n}\n\n");
	return frame;
}

/* The union of the lock sets of the probes that run handler h. */
static const char *handler_locks(Probe *h, char **lock_modes)
{
	char *modes = NULL;
	for (int i = 0; i < S->derived.len; i++) {
		DerivedProbe *d = S->derived.items[i];
		if (d->probe != h || !lock_modes[i])
			continue;
		if (!modes)
			modes = arena_alloc(P->globals.len);
		for (int j = 0; j < P->globals.len; j++)
			if (lock_modes[i][j] == 'w' || (lock_modes[i][j] && !modes[j]))
				modes[j] = lock_modes[i][j];
	}
	return modes;
}

/* ---- globals and locks ---- */

static void emit_globals(FILE *out)
{
	if (!P->globals.len)
		return;
	fprintf(out, "/* ---- globals ---- */\n\n");
	for (int i = 0; i < P->globals.len; i++)
		emit_global_decl(out, P->globals.items[i]);
}

/* Globals a body reads and writes, through the functions it calls too. */
typedef struct LockSet {
	char *mode;		/* per global: 0 none, 'r' read, 'w' write */
	Vec funcs_seen;
} LockSet;

static void note_var(LockSet *ls, Var *v, bool writing)
{
	if (!v || v->kind != VAR_GLOBAL)
		return;
	if (writing)
		ls->mode[v->index] = 'w';
	else if (!ls->mode[v->index])
		ls->mode[v->index] = 'r';
}

/*
 * Does a foreach write its array?  Sorting reorders it, merging rewrites
 * an aggregate.  Over a histogram, the histogram's operand is what is
 * merged (below).
 */
static bool foreach_writes_array(Foreach *f)
{
	Var *arr = f->array->kind == ND_HIST ? NULL : f->array->var;
	return arr && (f->sort_dir || arr->type == TY_STATS);
}

/* Does parent write its child child (else it only reads it)? */
static bool writes_child(Node *parent, Node *child)
{
	switch (parent->kind) {
	case ND_ASSIGN:
	case ND_PREINC:
	case ND_POSTINC:
	case ND_DELETE:
	case ND_TRY:		/* the catch variable */
		return child == parent->lhs;
	case ND_STATOP:
	case ND_HIST:
		/*
		 * Reading an aggregate merges all CPUs' parts into it:
		 * exclusive.  (<<< updates only this CPU's part: ND_AGG
		 * only reads its lhs, a shared lock.)
		 */
		return child == parent->lhs;
	case ND_FOREACH: {
		Foreach *f = parent->foreach;
		if (child == f->value)
			return true;
		for (int i = 0; i < f->keys.len; i++)
			if (child == f->keys.items[i])
				return true;
		return child == f->array && foreach_writes_array(f);
	}
	default:
		return false;
	}
}

typedef struct LockWalk {
	LockSet *ls;
	Node *parent;
} LockWalk;

static void collect_locks(LockSet *ls, Node *n, bool writing);

static void lock_child(Node **slot, void *arg)
{
	LockWalk *w = arg;
	collect_locks(w->ls, *slot, writes_child(w->parent, *slot));
}

static void collect_func_locks(LockSet *ls, Func *f)
{
	for (; f; f = f->next_overload) {
		bool seen = false;
		for (int i = 0; i < ls->funcs_seen.len; i++)
			if (ls->funcs_seen.items[i] == f)
				seen = true;
		if (seen)
			continue;
		vec_push(&ls->funcs_seen, f);
		if (!f->is_embedded)
			collect_locks(ls, f->body, false);
	}
}

/* n's globals, and those of the functions it calls; writing: n is written. */
static void collect_locks(LockSet *ls, Node *n, bool writing)
{
	if (!n)
		return;
	if (n->kind == ND_VAR || n->kind == ND_INDEX)
		note_var(ls, n->var, writing);
	LockWalk w = { .ls = ls, .parent = n };
	node_for_each_child(n, lock_child, &w);
	if (n->kind == ND_CALL)
		collect_func_locks(ls, n->func);
}

/*
 * Each probe's lock set: which globals it reads ('r') and writes ('w').
 * begin and end probes never run alongside other probes: no locks.
 */
static char **compute_locks(Session *s, Program *prog)
{
	char **modes = arena_alloc(sizeof(char *) * (s->derived.len + 1));
	for (int i = 0; i < s->derived.len; i++) {
		DerivedProbe *d = s->derived.items[i];
		if (d->kind != PROBE_NORMAL || !prog->globals.len)
			continue;
		LockSet ls = { .mode = arena_alloc(prog->globals.len) };
		collect_locks(&ls, d->probe->body, false);
		for (int j = 0; j < prog->globals.len; j++) {
			if (!ls.mode[j])
				continue;
			modes[i] = ls.mode;
			((Var *)prog->globals.items[j])->needs_lock = true;
		}
	}
	return modes;
}

/* ---- the module ---- */

static void emit_limits(FILE *out)
{
	fprintf(out, "/* limits: stap -D NAME=VALUE overrides each */\n");
	for (int i = 0; i < S->defines.len; i++) {
		char *d = arena_strdup(S->defines.items[i]);
		char *eq = strchr(d, '=');
		if (eq) {
			*eq = '\0';
			fprintf(out, "#define %s %s\n", d, eq + 1);
		} else {
			fprintf(out, "#define %s 1\n", d);
		}
	}
	static const char *defaults[][2] = {
		{ "MAXSTRINGLEN", "512" },
		{ "MAXACTION", "1000" },
		{ "MAXACTION_INTERRUPTIBLE", "(MAXACTION * 10)" },
		{ "MAXNESTING", "10" },
		{ "MAXERRORS", "0" },
		{ "MAXSKIPPED", "100" },
		{ "MAXTRYLOCK", "100" },
		{ "MAXMAPENTRIES", "2048" },
		{ "STP_PRINT_BUFSIZE", "8192" },
		{ "STP_OVERLOAD_INTERVAL", "1000000000LL" },
		{ "STP_OVERLOAD_THRESHOLD", "500000000LL" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		fprintf(out, "#ifndef %s\n#define %s %s\n#endif\n", defaults[i][0], defaults[i][0],
			defaults[i][1]);
	if (S->bufsize_mb)
		fprintf(out, "#define STP_BUFSIZE (%dUL << 20)\n", S->bufsize_mb);
	else
		fprintf(out, "#ifndef STP_BUFSIZE\n#define STP_BUFSIZE (1UL << 20)\n#endif\n");
	fprintf(out, "\n");
}

static Probe **handler_probes(int *nout)
{
	Probe **list = arena_alloc(sizeof(Probe *) * (S->derived.len + 1));
	int n = 0;
	for (int i = 0; i < S->derived.len; i++) {
		DerivedProbe *d = S->derived.items[i];
		bool seen = false;
		for (int j = 0; j < n; j++)
			if (list[j] == d->probe)
				seen = true;
		if (!seen) {
			d->probe->id = n;
			list[n++] = d->probe;
		}
	}
	*nout = n;
	return list;
}

/* stap -t: how each probe came from what the script says, for the report */
static void emit_probe_from(FILE *out, Session *s)
{
	fprintf(out, "/* stap -t: each probe's point as the script writes it */\n"
		"static const char *const stp_probe_from[] = {\n");
	for (int i = 0; i < s->derived.len; i++) {
		DerivedProbe *d = s->derived.items[i];
		Buf b = {0};
		buf_puts(&b, " from: ");
		if (d->point)
			dump_probe_point(&b, d->point);
		else
			buf_puts(&b, d->pp);
		fprintf(out, "\t[%d] = %s,\n", d->id, c_str(b.s));
	}
	fprintf(out, "};\n\n");
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case PROBE_BEGIN: return "STP_PROBE_BEGIN";
	case PROBE_END: return "STP_PROBE_END";
	case PROBE_ERROR: return "STP_PROBE_ERROR";
	default: return "STP_PROBE_NORMAL";
	}
}

bool emit_module(Program *prog, Session *s, FILE *out)
{
	S = s;
	P = prog;
	int errors = error_count;
	fmt_table = (Buf){0};
	nfmts = 0;
	char *regex_text = NULL;
	size_t regex_len = 0;
	regex_out = open_memstream(&regex_text, &regex_len);
	nregexes = 0;
	regex_max_insns = 0;
	abort_used = false;
	for (int i = 0; i < prog->funcs.len; i++) {
		Func *f = prog->funcs.items[i];
		if (f->file->is_tapset && strcmp(f->name, "abort") == 0)
			abort_used = true;
	}

	fprintf(out, "/*\n * Generated by stap %s from %s; do not edit.\n * Module %s for kernel %s.\n */\n",
		STAP_VERSION, s->script_file ? s->script_file : "<input>", s->module_name,
		s->kernel_release);
	fprintf(out, "#include \"stp.h\"\n#include <linux/module.h>\n#include <linux/string.h>\n\n");
	bool foreign = has_foreign_c(prog);
	if (foreign)	/* what C written for SystemTap uses */
		fprintf(out, "#define STAP_COMPAT_VERSION STAP_VERSION(%s)\n#include \"embedded.h\"\n\n",
			compat_version_args());
	fprintf(out, "MODULE_LICENSE(\"GPL\");\nMODULE_DESCRIPTION(\"stap script %s\");\n",
		s->script_file ? s->script_file : "<input>");
	for (int i = 0; i < s->modinfo.len; i++) {	/* --modinfo NAME=VALUE */
		const char *nv = s->modinfo.items[i];
		size_t n = strcspn(nv, "=");
		fprintf(out, "MODULE_INFO(%.*s, %s);\n", (int)n, nv, c_str(nv + n + 1));
	}
	fprintf(out, "\n");
	emit_limits(out);
	char **lock_modes = compute_locks(s, prog);
	emit_globals(out);

	for (int i = 0; i < prog->embedded.len; i++) {
		Embedded *e = prog->embedded.items[i];
		bool wrap = foreign && is_foreign_c(e->loc.file);
		fprintf(out, "/* embedded C at %s */\n%s%s\n%s\n", loc_text(e->loc),
			wrap ? foreign_c_begin : "", e->code, wrap ? foreign_c_end : "");
	}

	/* bodies first, into buffers: they decide the frame and format tables */
	Buf structs = {0}, funcs = {0}, probes = {0};
	buf_puts(&structs, "");
	buf_puts(&funcs, "");
	buf_puts(&probes, "");
	for (int i = 0; i < prog->funcs.len; i++) {
		Func *f = prog->funcs.items[i];
		buf_printf(&structs, "struct %s_frame;\n", fn_name(f));
	}
	for (int i = 0; i < prog->funcs.len; i++)
		emit_func(&structs, &funcs, prog->funcs.items[i]);
	int nhandlers;
	Probe **handlers = handler_probes(&nhandlers);
	bool *has_frame = arena_alloc(sizeof(*has_frame) * (nhandlers + 1));
	for (int i = 0; i < nhandlers; i++) {
		const char *pp = "?";
		for (int j = 0; j < s->derived.len; j++) {
			DerivedProbe *d = s->derived.items[j];
			if (d->probe == handlers[i]) {
				pp = d->pp;
				break;
			}
		}
		has_frame[i] = emit_probe_handler(&structs, &probes, handlers[i], i, pp,
						  handler_locks(handlers[i], lock_modes));
	}
	if (error_count > errors)
		return false;

	fprintf(out, "/* ---- frames: script locals live here, one per CPU, not on the stack ---- */\n\n");
	fputs(structs.s, out);
	for (int i = 0; i < prog->funcs.len; i++) {
		Func *f = prog->funcs.items[i];
		fprintf(out, "static void %s(struct stp_context *c, struct %s_frame *l);\n",
			fn_name(f), fn_name(f));
	}
	fprintf(out, "\n");
	if (nfmts)
		fprintf(out, "/* printf conversions: conv, flags, width, precision */\n"
			"static const struct stp_fmt stp_fmts[] = {\n%s};\n\n", fmt_table.s);
	fclose(regex_out);
	if (regex_len)
		fprintf(out, "/* ---- regular expressions: programs for stp_regex_match ---- */\n\n%s",
			regex_text);
	free(regex_text);
	fputs(funcs.s, out);
	fputs(probes.s, out);

	fprintf(out, "/* ---- probes ---- */\n\n");
	fprintf(out, "static const struct stp_probe stp_probes[] = {\n");
	for (int i = 0; i < s->derived.len; i++) {
		DerivedProbe *d = s->derived.items[i];
		fprintf(out, "\t[%d] = {\n\t\t.pp = %s,\n\t\t.loc = %s,\n\t\t.handler = probe_%d,\n"
			"\t\t.kind = %s,\n\t\t.index = %d,\n",
			d->id, c_str(d->pp), c_str(loc_text(d->probe->loc)), d->probe->id,
			kind_name(d->kind), d->id);
		fprintf(out, "\t},\n");
	}
	fprintf(out, "};\n\n");
	if (s->timing)
		emit_probe_from(out, s);

	/* each family's table, then the groups the runtime registers */
	int ngroups = 0;
	int *counts = arena_alloc(sizeof(*counts) * probe_family_count);
	for (int f = 0; f < probe_family_count; f++) {
		ProbeFamily *fam = probe_families[f];
		DerivedProbe **list = arena_alloc(sizeof(*list) * (s->derived.len + 1));
		int n = 0;
		for (int i = 0; i < s->derived.len; i++) {
			DerivedProbe *d = s->derived.items[i];
			if (d->family == fam)
				list[n++] = d;
		}
		counts[f] = n;
		if (n && fam->emit)
			fam->emit(out, list, n);
		if (n && fam->ops_name)
			ngroups++;
	}
	if (ngroups) {
		fprintf(out, "static const struct stp_probe_group stp_groups[] = {\n");
		for (int f = 0; f < probe_family_count; f++) {
			ProbeFamily *fam = probe_families[f];
			if (counts[f] && fam->ops_name)
				fprintf(out, "\t{ &%s, %s, ARRAY_SIZE(%s) },\n", fam->ops_name,
					fam->table_name, fam->table_name);
		}
		fprintf(out, "};\n\n");
	}

	emit_global_init(out, prog);
	int nubinaries = emit_usym_tables(out, s, program_needs_lines(prog, "pragma:ulines"));
	bool klines = program_needs_lines(prog, "pragma:lines") && emit_kernel_lines(out, s);

	/* frames: the largest probe's locals, then MAXNESTING function frames */
	fprintf(out, "union stp_probe_frames {\n\tchar none;\n");
	for (int i = 0; i < nhandlers; i++)
		if (has_frame[i])
			fprintf(out, "\tstruct probe_%d_locals p%d;\n", i, i);
	fprintf(out, "};\n\nunion stp_fn_frames {\n\tchar none;\n");
	for (int i = 0; i < prog->funcs.len; i++)
		fprintf(out, "\tstruct %s_frame f%d;\n", fn_name(prog->funcs.items[i]), i);
	fprintf(out, "};\n\n");

	fprintf(out, "const struct stp_script stp_script = {\n");
	fprintf(out, "\t.name = %s,\n", c_str(s->script_file ? s->script_file : "<input>"));
	for (int f = 0; f < probe_family_count; f++) {
		ProbeFamily *fam = probe_families[f];
		if (counts[f] && fam->session_field)
			fprintf(out, "\t.%s = %s,\n\t.n%s = ARRAY_SIZE(%s),\n", fam->session_field,
				fam->table_name, fam->session_field, fam->table_name);
	}
	if (ngroups)
		fprintf(out, "\t.groups = stp_groups,\n\t.ngroups = ARRAY_SIZE(stp_groups),\n");
	fprintf(out, "\t.init_globals = init_globals,\n\t.free_globals = free_globals,\n");
	if (nubinaries)
		fprintf(out, "\t.ubinaries = stp_ubinaries,\n"
			"\t.nubinaries = ARRAY_SIZE(stp_ubinaries),\n");
	if (s->timing)
		fprintf(out, "\t.timing = &stp_timing_ops,\n\t.probes = stp_probes,\n"
			"\t.nprobes = ARRAY_SIZE(stp_probes),\n\t.probe_from = stp_probe_from,\n");
	if (klines)
		fprintf(out, "\t.klines = &stp_klines,\n");
	/* a family that reads kernel globals says how to find KASLR's offset */
	fprintf(out, "#ifdef STP_KASLR_ANCHOR\n\t.kaslr_anchor = STP_KASLR_ANCHOR,\n"
		"\t.kaslr_anchor_link = STP_KASLR_ANCHOR_LINK,\n#endif\n");
	/* ... and the vmlinux's build-id, checked before the probes go in */
	fprintf(out, "#ifdef STP_KERNEL_BUILD_ID\n\t.kernel_build_id = STP_KERNEL_BUILD_ID,\n"
		"\t.kernel_build_id_len = sizeof(STP_KERNEL_BUILD_ID) - 1,\n"
		"\t.kernel_build_id_link = STP_KERNEL_BUILD_ID_LINK,\n#endif\n");
	fprintf(out,
		"\t.maxaction = MAXACTION,\n"
		"\t.maxaction_interruptible = MAXACTION_INTERRUPTIBLE,\n"
		"\t.maxnesting = MAXNESTING,\n"
		"\t.maxerrors = MAXERRORS,\n"
		"\t.maxskipped = MAXSKIPPED,\n"
		"\t.maxtrylock = MAXTRYLOCK,\n"
		"#ifndef STP_NO_OVERLOAD\n"
		"\t.overload_interval = STP_OVERLOAD_INTERVAL,\n"
		"\t.overload_threshold = STP_OVERLOAD_THRESHOLD,\n"
		"#endif\n"
		"\t.maxstringlen = MAXSTRINGLEN,\n"
		"\t.regex_max_insns = %d,\n"
		"\t.frame_size = sizeof(union stp_probe_frames) +\n"
		"\t\t      MAXNESTING * ALIGN(sizeof(union stp_fn_frames), 8),\n"
		"\t.bufsize = STP_BUFSIZE,\n"
		"\t.print_bufsize = STP_PRINT_BUFSIZE,\n"
		"\t.suppress_handler_errors = %s,\n"
		"\t.bulk = %s,\n"
		"};\n", regex_max_insns, s->suppress_handler_errors ? "true" : "false",
		s->bulk ? "true" : "false");
	return error_count == errors;
}
