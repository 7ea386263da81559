/*
 * entry.c - @entry(expr) in .return probes, for every family whose
 * .return probes can run code at the function's entry (kernel.function,
 * process.function, kprobe.function).
 *
 * Each @entry(expr) of a .return probe d becomes "slot k = expr" in a
 * helper probe run at the entry (its family's entry handler runs it; it
 * is not registered on its own), and its place in d reads slot k.  The
 * runtime keeps a call's slots with the call (in the return slot, the
 * kretprobe instance's data or the uprobe's entry record: runtime
 * stp_entry_slot), so recursion and concurrent calls each see their own.
 */
#include <string.h>
#include "stap.h"

/*
 * The helper probe of d: d's point with an empty body and the family's
 * data hdata, added to the session's probes (after those resolved so far,
 * so that its id is its row in the module's probe table).
 */
DerivedProbe *entry_helper_new(DerivedProbe *d, void *hdata)
{
	Probe *p = arena_alloc(sizeof(*p));
	*p = *d->probe;
	p->locals = (Vec){0};
	p->body = new_node(ND_BLOCK, d->probe->body->loc);
	p->resolved = true;	/* made of nodes resolved in d's body */
	DerivedProbe *h = arena_alloc(sizeof(*h));
	*h = *d;
	h->probe = p;
	h->data = hdata;
	h->pp = arena_printf("%s (@entry)", d->pp);	/* in messages from its errors */
	h->helper = true;
	h->id = cur_session->derived.len;
	vec_push(&cur_session->derived, h);
	return h;
}

/*
 * Slot k of a .return probe's call, and "slot k = expr" at the end of its
 * helper's body, which fills it at the function's entry.
 */
TargetCode *entry_slot_store(DerivedProbe *helper, Node *expr, Loc loc, int k)
{
	TargetCode *slot = arena_alloc(sizeof(*slot));
	slot->c_expr = arena_printf("stp_entry_slot(c, %d)", k);
	slot->write_addr = arena_printf("stp_entry_slot_addr(c, %d)", k);
	slot->write_size = 8;
	slot->write_reg = -1;
	Node *lhs = new_node(ND_TARGET, loc);
	lhs->name = "@entry";
	lhs->target = slot;
	lhs->type = TY_LONG;
	Node *stmt = new_node(ND_EXPR_STMT, loc);
	stmt->lhs = new_binary(ND_ASSIGN, 0, lhs, expr, loc);
	Node **tail = &helper->probe->body->body;
	while (*tail)
		tail = &(*tail)->next;
	*tail = stmt;
	return slot;
}

/*
 * n, @entry(expr) with expr resolved, becomes a read of slot k, and
 * helper computes expr into it at entry.  The value keeps the C type expr
 * carried (for a '->' after it).
 */
void entry_lower_to_slot(DerivedProbe *helper, Node *n, int k)
{
	TargetCode *slot = entry_slot_store(helper, n->lhs, n->loc, k);
	Node *next = n->next;
	Loc loc = n->loc;
	ValueType *vt = n->lhs->vtype;
	memset(n, 0, sizeof(*n));
	n->kind = ND_TARGET;
	n->loc = loc;
	n->name = "@entry";
	n->next = next;
	n->target = slot;
	n->type = TY_LONG;
	n->vtype = vt;
}
