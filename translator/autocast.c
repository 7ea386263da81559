/*
 * autocast.c - pass 2: '->' and '[ ]' after any expression whose value
 * carries a debuginfo type (SystemTap's autocast).
 *
 * A $var, @cast, @var or & value has the type its probe family found
 * (Node.vtype, set by probe_dwarf.c).  The type flows on through a plain
 * '=' into the variable (a global too), out of a variable where it is
 * read, through ?: when both sides carry the same one, and out of a
 * function through 'return', as in SystemTap: not into parameters.  A
 * variable or function given two different types carries none
 * (no_vtype).  Once the types stop changing, each autocast whose operand
 * has a type is lowered like @cast by probe_dwarf.c, and its value
 * carries a type in turn; resolve.c repeats the two until nothing more
 * is lowered, deciding the @defined(...) of autocasts in between (their
 * ?: and if branches wait for the answer, unresolved: n->deferred).
 */
#include <string.h>
#include "stap.h"

ValueType no_vtype;

static Session *S;
static Func *cur_func;
static bool changed;

/* ---- the expressions that run: one walk for flow, lowering and errors ---- */

static void flow(Node *n);

static void visit_list(Node *n, void (*fn)(Node *))
{
	for (; n; n = n->next)
		fn(n);
}

/*
 * Calls fn on the expressions and statements under n that will run.  A
 * lowered target runs its index expressions only; an @defined and the
 * branches that wait for it (deferred) are resolve.c's to decide (flow
 * only gives its operand types); an & of an autocast is lowered as a
 * whole, after the autocast's operand.
 */
static void visit_children(Node *n, void (*fn)(Node *))
{
	if (n->kind == ND_TARGET) {
		for (int k = 0; n->target && k < n->target->nindexes; k++)
			fn(n->target->indexes[k]);
		return;
	}
	if (n->kind == ND_DEFINED) {
		if (fn == flow)		/* its operand's type decides it */
			fn(n->lhs);
		return;
	}
	if (n->kind == ND_ADDR && n->lhs->kind == ND_AUTOCAST) {
		visit_children(n->lhs, fn);
		return;
	}
	if (n->deferred) {
		fn(n->cond);
		return;
	}
	Node *kids[] = { n->lhs != n->args ? n->lhs : NULL, n->rhs, n->cond, n->then, n->els,
			 n->init, n->inc };
	for (size_t i = 0; i < ARRAY_SIZE(kids); i++)
		if (kids[i])
			fn(kids[i]);
	visit_list(n->args, fn);
	visit_list(n->body, fn);
	if (n->foreach) {
		if (n->foreach->array)
			fn(n->foreach->array);
		if (n->foreach->limit)
			fn(n->foreach->limit);
	}
	for (Chain *c = n->chain; c; c = c->next)
		if (c->index)
			fn(c->index);
}

static bool probe_seen_before(int i)
{
	DerivedProbe *d = S->derived.items[i];
	for (int j = 0; j < i; j++)
		if (((DerivedProbe *)S->derived.items[j])->probe == d->probe)
			return true;
	return false;
}

/* fn over every probe body (once each, shared or not) and function body. */
static void visit_bodies(void (*fn)(Node *))
{
	for (int i = 0; i < S->derived.len; i++) {
		if (probe_seen_before(i))
			continue;
		cur_func = NULL;
		fn(((DerivedProbe *)S->derived.items[i])->probe->body);
	}
	for (int i = 0; i < S->prog.funcs.len; i++) {
		Func *f = S->prog.funcs.items[i];
		cur_func = f;
		if (!f->is_embedded)
			fn(f->body);
	}
	cur_func = NULL;
}

/* ---- where types flow ---- */

/* A slot (a variable's, a function's) takes v; two different types make none. */
static void merge(ValueType **slot, ValueType *v)
{
	if (!v || *slot == &no_vtype || (*slot && dwarf_same_vtype(*slot, v)))
		return;
	*slot = *slot ? &no_vtype : v;
	changed = true;
}

/* What a call returns: what every overload of the function returns. */
static ValueType *returns(Func *f)
{
	ValueType *v = f->ret_vtype;
	for (Func *g = f->next_overload; g; g = g->next_overload)
		if (!v || !g->ret_vtype || !dwarf_same_vtype(v, g->ret_vtype))
			return v || g->ret_vtype ? &no_vtype : NULL;
	return v;
}

static void flow(Node *n)
{
	visit_children(n, flow);
	switch (n->kind) {
	case ND_VAR:
		n->vtype = n->var ? n->var->vtype : NULL;
		return;
	case ND_ASSIGN:
		if (n->op)
			return;
		n->vtype = n->rhs->vtype;
		if (n->lhs->kind == ND_VAR && n->lhs->var)
			merge(&n->lhs->var->vtype, n->vtype);
		return;
	case ND_COND:
		n->vtype = n->then->vtype && n->els->vtype &&
			   dwarf_same_vtype(n->then->vtype, n->els->vtype) ? n->then->vtype : NULL;
		return;
	case ND_CALL:
		n->vtype = n->func ? returns(n->func) : NULL;
		return;
	case ND_RETURN:
		if (cur_func && n->lhs)
			merge(&cur_func->ret_vtype, n->lhs->vtype);
		return;
	default:
		return;
	}
}

/* Walks until the types of variables and functions stop changing. */
void autocast_flow(Session *s)
{
	S = s;
	do {
		changed = false;
		visit_bodies(flow);
	} while (changed);
}

/* ---- lowering ---- */

static int lowered;

/* The autocast of n (n itself, or what & takes the address of), or NULL. */
static Node *autocast_of(Node *n)
{
	if (n->kind == ND_ADDR)
		n = n->lhs;
	return n->kind == ND_AUTOCAST ? n : NULL;
}

/* After an error: a number, so that nothing tries it again. */
static void drop(Node *n)
{
	Node *next = n->next;
	Loc loc = n->loc;
	memset(n, 0, sizeof(*n));
	n->kind = ND_NUM;
	n->type = TY_LONG;
	n->tmp = -1;
	n->loc = loc;
	n->next = next;
}

static void lower_ready(Node *n)
{
	visit_children(n, lower_ready);
	Node *a = autocast_of(n);
	if (!a || !a->lhs->vtype || a->lhs->vtype == &no_vtype)
		return;
	if (!dwarf_lower_autocast(n, false))
		drop(n);
	lowered++;
}

int autocast_lower(Session *s)
{
	S = s;
	lowered = 0;
	visit_bodies(lower_ready);
	return lowered;
}

/*
 * @defined(autocast): lowers it quietly, an inner autocast first.  1 if
 * it can be read, 0 if not, -1 if its operand has no type yet (it may
 * get one).
 */
static int try_lower(Node *n)
{
	Node *a = autocast_of(n);
	if (!a)
		return n->kind == ND_TARGET ? 1 : 0;
	Node *op = a->lhs;
	if (autocast_of(op)) {
		int r = try_lower(op);
		if (r <= 0)
			return r;
	}
	if (!op->vtype)
		return -1;
	if (op->vtype == &no_vtype)
		return 0;
	return dwarf_lower_autocast(n, true);
}

int autocast_defined(Node *defined)
{
	return try_lower(defined->lhs);
}

/* ---- what stays ---- */

static void report(Node *n)
{
	visit_children(n, report);
	Node *a = autocast_of(n);
	if (!a)
		return;
	if (a->lhs->vtype == &no_vtype)
		error_at(a->loc, "semantic error", "unknown type in dereference (the value is "
			 "given different types in different places)");
	else
		error_at(a->loc, "semantic error", "unknown type in dereference");
	drop(n);
}

void autocast_report(Session *s)
{
	S = s;
	visit_bodies(report);
}
