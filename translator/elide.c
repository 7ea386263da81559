// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elide.c - drop assignments to probe locals that nothing reads, when
 * computing the value has no effect.
 *
 * A probe reached through an alias runs the alias's whole body: every
 * syscall.read hit would format argstr, every vfs.read walk the file's
 * path, although the script reads one variable or none.  As SystemTap
 * does, such a store goes when its value is "pure": made of constants,
 * locals, target reads, sprintf and functions that are pure themselves
 * (embedded C marked pure, or script functions whose bodies only compute
 * into their own locals).  The only effect that may be lost is a runtime
 * error the dead value would have raised (a fault reading memory).
 * Reads of globals, regex matches (they set matched()), ++, calls with
 * effects and anything else unknown keep the store.  Only the tapsets'
 * stores go: the script's own run as written.  -u keeps them all.
 *
 * It runs after pass 2 has resolved and typed everything (stap -L still
 * lists every variable with its type); locals no longer named leave the
 * probe's frame, and functions no longer called leave the module.
 */
#include <string.h>
#include "stap.h"

enum { PURITY_UNKNOWN, PURITY_COMPUTING, PURITY_PURE, PURITY_IMPURE };

typedef struct FuncPurity {
	Func *func;
	int state;
} FuncPurity;

static Vec purities;	/* FuncPurity* */

static bool pure_expr(Node *n, Func *in);
static bool pure_stmts(Node *n, Func *in);

static FuncPurity *purity_of(Func *f)
{
	for (int i = 0; i < purities.len; i++) {
		FuncPurity *p = purities.items[i];
		if (p->func == f)
			return p;
	}
	FuncPurity *p = arena_alloc(sizeof(*p));
	p->func = f;
	vec_push(&purities, p);
	return p;
}

/* Recursion counts as impure: a cycle is not worth proving. */
static bool pure_func(Func *f)
{
	FuncPurity *p = purity_of(f);
	if (p->state == PURITY_UNKNOWN) {
		p->state = PURITY_COMPUTING;
		bool pure;
		if (f->is_embedded)
			pure = f->pure;
		else
			pure = pure_stmts(f->body, f);
		p->state = pure ? PURITY_PURE : PURITY_IMPURE;
	}
	return p->state == PURITY_PURE;
}

static bool pure_list(Node *n, Func *in)
{
	for (; n; n = n->next)
		if (!pure_expr(n, in))
			return false;
	return true;
}

/* A variable a function may write without effect: its own. */
static bool own_var(Node *n, Func *in)
{
	return in && n->kind == ND_VAR && n->var && n->var->kind != VAR_GLOBAL;
}

static bool pure_expr(Node *n, Func *in)
{
	if (!n)
		return true;
	switch (n->kind) {
	case ND_NUM:
	case ND_STR:
	case ND_CONST:
		return true;
	case ND_VAR:
		return n->var && n->var->kind != VAR_GLOBAL;
	case ND_BINOP:
	case ND_LOGAND:
	case ND_LOGOR:
	case ND_CMP:
	case ND_CONCAT:
		return pure_expr(n->lhs, in) && pure_expr(n->rhs, in);
	case ND_NEG:
	case ND_PLUS:
	case ND_NOT:
	case ND_BITNOT:
		return pure_expr(n->lhs, in);
	case ND_COND:
		return pure_expr(n->cond, in) && pure_expr(n->then, in) &&
		       pure_expr(n->els, in);
	case ND_TARGET:
		if (!n->target)
			return false;
		for (int k = 0; k < n->target->nindexes; k++)
			if (!pure_expr(n->target->indexes[k], in))
				return false;
		return true;
	case ND_PRINT:
		return strncmp(n->name, "sprint", 6) == 0 && pure_list(n->args, in);
	case ND_CALL:
		return n->func && pure_list(n->args, in) && pure_func(n->func);
	case ND_ASSIGN:
	case ND_PREINC:
	case ND_POSTINC:
		/* inside a function, computing into its own locals */
		return own_var(n->lhs, in) && pure_expr(n->rhs, in);
	default:
		return false;
	}
}

static bool pure_stmts(Node *n, Func *in)
{
	for (; n; n = n->next) {
		bool pure;
		switch (n->kind) {
		case ND_BLOCK:
			pure = pure_stmts(n->body, in);
			break;
		case ND_EXPR_STMT:
		case ND_RETURN:
			pure = pure_expr(n->lhs, in);
			break;
		case ND_IF:
			pure = pure_expr(n->cond, in) && pure_stmts(n->then, in) &&
			       pure_stmts(n->els, in);
			break;
		case ND_WHILE:
			pure = pure_expr(n->cond, in) && pure_stmts(n->then, in);
			break;
		case ND_FOR:
			pure = pure_expr(n->init, in) && pure_expr(n->cond, in) &&
			       pure_expr(n->inc, in) && pure_stmts(n->then, in);
			break;
		case ND_BREAK:
		case ND_CONTINUE:
		case ND_NULL_STMT:
			pure = true;
			break;
		default:
			pure = false;
			break;
		}
		if (!pure)
			return false;
	}
	return true;
}

/* ---- which locals a probe body names ---- */

static void add_var(Vec *vars, Var *v)
{
	for (int i = 0; i < vars->len; i++)
		if (vars->items[i] == v)
			return;
	vec_push(vars, v);
}

static bool has_var(Vec *vars, Var *v)
{
	for (int i = 0; i < vars->len; i++)
		if (vars->items[i] == v)
			return true;
	return false;
}

typedef struct LocalScan {
	Vec *out;
	bool reads_only;
} LocalScan;

/*
 * The locals named in *slot and under it: every one, or with reads_only
 * those read (the target of a plain '=' is only written).  A lowered
 * target's index expressions are among its children (stap.h).
 */
static void scan_locals(Node **slot, void *arg)
{
	LocalScan *ls = arg;
	Node *n = *slot;
	if (n->var && n->var->kind == VAR_LOCAL)
		add_var(ls->out, n->var);
	bool store = n->kind == ND_ASSIGN && !n->op && n->lhs && n->lhs->kind == ND_VAR;
	if (ls->reads_only && store) {
		if (n->rhs)		/* an assignment's other child */
			scan_locals(&n->rhs, ls);
		return;
	}
	node_for_each_child(n, scan_locals, ls);
}

static void collect_locals(Node *body, Vec *out, bool reads_only)
{
	LocalScan ls = { .out = out, .reads_only = reads_only };
	if (body)
		scan_locals(&body, &ls);
}

/* ---- the stores that go ---- */

static bool dead_store(Node *stmt, Vec *read)
{
	if (stmt->kind != ND_EXPR_STMT || !stmt->lhs || stmt->lhs->kind != ND_ASSIGN)
		return false;
	Node *a = stmt->lhs;
	if (!stmt->loc.file || !stmt->loc.file->is_tapset)
		return false;	/* the script's own stores run as written */
	if (a->op || a->lhs->kind != ND_VAR || !a->lhs->var || a->lhs->var->kind != VAR_LOCAL)
		return false;
	return !has_var(read, a->lhs->var) && pure_expr(a->rhs, NULL);
}

/*
 * Turns the dead stores under n (a statement list) into empty statements;
 * true if any went.  Emptied, not unlinked: an if's or a loop's body is
 * a single statement that must stay.
 */
static bool drop_stores(Node *n, Vec *read)
{
	bool dropped = false;
	for (; n; n = n->next) {
		if (dead_store(n, read)) {
			n->kind = ND_NULL_STMT;
			n->lhs = NULL;
			dropped = true;
			continue;
		}
		switch (n->kind) {
		case ND_BLOCK:
			dropped |= drop_stores(n->body, read);
			break;
		case ND_IF:
		case ND_TRY:
			dropped |= drop_stores(n->then, read);
			dropped |= drop_stores(n->els, read);
			break;
		case ND_WHILE:
		case ND_FOR:
		case ND_FOREACH:
			dropped |= drop_stores(n->then, read);
			break;
		default:
			break;
		}
	}
	return dropped;
}

/*
 * A dropped store can leave the locals its value read unread in turn.
 * Locals no longer named at all leave the frame: no zeroing per hit.
 */
static void elide_probe(Probe *p)
{
	bool dropped = false;
	for (int round = 0; round < 100; round++) {
		Vec read = {0};
		collect_locals(p->body, &read, true);
		if (!drop_stores(p->body->body, &read))
			break;
		dropped = true;
	}
	if (!dropped)
		return;
	Vec named = {0};
	collect_locals(p->body, &named, false);
	int n = 0;
	for (int i = 0; i < p->locals.len; i++)
		if (has_var(&named, p->locals.items[i]))
			p->locals.items[n++] = p->locals.items[i];
	p->locals.len = n;
}

void elide_dead_stores(Program *prog, Session *s)
{
	if (s->unoptimized)
		return;
	for (int i = 0; i < s->derived.len; i++) {
		DerivedProbe *d = s->derived.items[i];
		if (d->probe->body && d->probe->body->kind == ND_BLOCK)
			elide_probe(d->probe);
	}
	drop_unused_funcs(prog, s);
}
