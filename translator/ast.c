/*
 * ast.c - the children of a node, listed once.
 *
 * Every walker over the whole tree (resolve.c's copies of alias bodies,
 * its tapset scan, its search for target variables and its marking of
 * what the probes reach, elide.c's locals, emit.c's lock sets) reaches a
 * node's children through node_for_each_child, so a new child field is
 * added here and nowhere else.  What a walker does at a node stays in
 * the walker; stap.h says which fields only alias children.
 *
 * Copyright (C) 2026 the stap authors.  GPL-2.0-or-later.
 */
#include "stap.h"

static void visit(Node **slot, NodeChildFn *fn, void *arg)
{
	if (*slot)
		fn(slot, arg);
}

/* fn may replace *slot: the list goes on from the replacement's next. */
static void visit_list(Node **slot, NodeChildFn *fn, void *arg)
{
	for (; *slot; slot = &(*slot)->next)
		fn(slot, arg);
}

/* The keys are a Vec of void *: each goes through a Node * of its own. */
static void visit_foreach(Foreach *f, NodeChildFn *fn, void *arg)
{
	for (int i = 0; i < f->keys.len; i++) {
		Node *key = f->keys.items[i];
		fn(&key, arg);
		f->keys.items[i] = key;
	}
	visit(&f->value, fn, arg);
	visit(&f->array, fn, arg);
	visit(&f->limit, fn, arg);
}

void node_for_each_child(Node *n, NodeChildFn *fn, void *arg)
{
	if (n->kind != ND_HIST)
		visit(&n->lhs, fn, arg);
	visit(&n->rhs, fn, arg);
	visit(&n->cond, fn, arg);
	visit(&n->then, fn, arg);
	visit(&n->els, fn, arg);
	visit(&n->init, fn, arg);
	visit(&n->inc, fn, arg);
	visit_list(&n->args, fn, arg);
	if (n->kind == ND_HIST)
		n->lhs = n->args;
	visit_list(&n->body, fn, arg);
	if (n->foreach)
		visit_foreach(n->foreach, fn, arg);
	for (Chain *c = n->chain; c; c = c->next)
		visit(&c->index, fn, arg);
}
