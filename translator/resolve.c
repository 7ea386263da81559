/*
 * resolve.c - pass 2, elaboration: which library files the script needs,
 * what every name means, and which concrete probes every probe point is.
 *
 *   1. include_tapsets: starting from the user's script, pull in each
 *      library file that defines a function, alias or global it uses;
 *   2. resolve_points: expand aliases and hand each probe point to its
 *      probe family, giving DerivedProbes;
 *   3. resolve_body: bind identifiers to locals, parameters and globals,
 *      calls to functions (by arity and priority) or the print family;
 *   4. resolve_autocasts: lower '->' after values that carry debuginfo
 *      types (autocast.c), and take the branches of @defined(x->m);
 *   5. mark_used: drop what no probe reaches (unless -u).
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include "stap.h"
#include "parser.h"

static Session *S;
static Program *P;
Session *cur_session;
static Vec all_func_names;	/* every function parsed, for suggestions */
static Vec all_aliases;		/* every alias parsed (Probe *), for suggestions */

Var *new_var(const char *name, VarKind kind, Loc loc)
{
	Var *v = arena_alloc(sizeof(*v));
	v->name = name;
	v->kind = kind;
	v->loc = loc;
	v->nkeys = -1;
	return v;
}

static bool visible(bool is_private, SrcFile *def, SrcFile *from)
{
	return !is_private || def == from;
}

/* ---- 1. library files ---- */

static Func *find_func_anywhere(const char *name, SrcFile *from, bool used_only)
{
	for (int i = 0; i < P->funcs.len; i++) {
		Func *f = P->funcs.items[i];
		if (f->name == name && (!used_only || f->file->used) &&
		    visible(f->is_private, f->file, from))
			return f;
	}
	return NULL;
}

static Var *find_global(const char *name, SrcFile *from, bool used_only)
{
	for (int i = 0; i < P->globals.len; i++) {
		Var *v = P->globals.items[i];
		if (v->name == name && (!used_only || v->file->used) &&
		    visible(v->is_private, v->file, from))
			return v;
	}
	return NULL;
}

/* Does the pattern component (may hold * and {a,b}) match name? */
static bool component_match(const char *pattern, const char *name)
{
	const char *brace = strchr(pattern, '{');
	if (!brace)
		return fnmatch(pattern, name, 0) == 0;
	const char *close = strchr(brace, '}');
	if (!close)
		return false;
	const char *p = brace + 1;
	while (p <= close) {
		const char *end = p + strcspn(p, ",}");
		char *alt = arena_printf("%.*s%.*s%s", (int)(brace - pattern), pattern,
					 (int)(end - p), p, close + 1);
		if (component_match(alt, name))
			return true;
		p = end + 1;
	}
	return false;
}

/* Does the point written by the user match the alias name's components? */
static bool alias_matches(ProbePoint *alias_name, Component *user, Component **rest)
{
	Component *a = alias_name->comps;
	Component *u = user;
	for (; a; a = a->next, u = u->next) {
		if (!u)
			return false;
		if (strcmp(u->name, "**") == 0)
			return false;
		if (!component_match(u->name, a->name))
			return false;
		if (u->has_arg != a->has_arg)
			return false;
		if (u->has_arg) {
			if (u->arg->kind != a->arg->kind)
				return false;
			if (u->arg->kind == ND_NUM && u->arg->num != a->arg->num)
				return false;
			if (u->arg->kind == ND_STR && !component_match(u->arg->str, a->arg->str))
				return false;
		}
	}
	*rest = u;
	return true;
}

static bool include_file(SrcFile *f)
{
	if (f->used)
		return false;
	f->used = true;
	return true;
}

typedef struct RefScan {
	SrcFile *from;		/* the file whose names are looked up */
	bool changed;		/* a file was included */
} RefScan;

/* Includes the library files that define names used in *slot or under it. */
static void scan_refs(Node **slot, void *arg)
{
	RefScan *rs = arg;
	Node *n = *slot;
	if (n->kind == ND_CALL && !find_func_anywhere(n->name, rs->from, true) &&
	    !find_builtin(n->name)) {
		Func *f = find_func_anywhere(n->name, rs->from, false);
		if (f)
			rs->changed |= include_file(f->file);
	}
	if ((n->kind == ND_VAR || n->kind == ND_INDEX) && !find_global(n->name, rs->from, true)) {
		Var *g = find_global(n->name, rs->from, false);
		if (g && g->file->is_tapset)
			rs->changed |= include_file(g->file);
	}
	node_for_each_child(n, scan_refs, rs);
}

/* Includes the library files that n uses; true if any was new. */
static bool scan_tree(Node *n, SrcFile *from)
{
	RefScan rs = { .from = from };
	if (n)
		scan_refs(&n, &rs);
	return rs.changed;
}

static bool scan_points(ProbePoint *pp, SrcFile *from)
{
	bool changed = false;
	for (; pp; pp = pp->next) {
		for (int i = 0; i < P->aliases.len; i++) {
			Probe *a = P->aliases.items[i];
			if (a->file->used || !visible(a->is_private, a->file, from))
				continue;
			for (ProbePoint *name = a->points; name; name = name->next) {
				Component *rest;
				if (alias_matches(name, pp->comps, &rest))
					changed |= include_file(a->file);
			}
		}
		changed |= scan_tree(pp->cond, from);
	}
	return changed;
}

static void include_tapsets(void)
{
	/* the user's scripts (-e or FILE, and -E's); --dump-functions: every file */
	for (int i = 0; i < P->files.len; i++) {
		SrcFile *f = P->files.items[i];
		if (!f->is_tapset || S->dump == DUMP_FUNCTIONS)
			f->used = true;
	}
	bool changed = true;
	while (changed) {
		changed = false;
		for (int i = 0; i < P->probes.len; i++) {
			Probe *p = P->probes.items[i];
			if (!p->file->used)
				continue;
			changed |= scan_points(p->points, p->file);
			changed |= scan_tree(p->body, p->file);
		}
		for (int i = 0; i < P->aliases.len; i++) {
			Probe *p = P->aliases.items[i];
			if (!p->file->used)
				continue;
			changed |= scan_points(p->alias_targets, p->file);
			changed |= scan_tree(p->body, p->file);
		}
		for (int i = 0; i < P->funcs.len; i++) {
			Func *f = P->funcs.items[i];
			if (f->file->used)
				changed |= scan_tree(f->body, f->file);
		}
	}
}

/* Keeps only what the included files declare. */
static void keep_included(Vec *v, SrcFile *(*file_of)(void *))
{
	int n = 0;
	for (int i = 0; i < v->len; i++)
		if (file_of(v->items[i])->used)
			v->items[n++] = v->items[i];
	v->len = n;
}

static SrcFile *var_file(void *p) { return ((Var *)p)->file; }
static SrcFile *func_file(void *p) { return ((Func *)p)->file; }
static SrcFile *probe_file(void *p) { return ((Probe *)p)->file; }
static SrcFile *embedded_file(void *p) { return ((Embedded *)p)->loc.file; }

/*
 * A global declared in two files (twice in one is a parse error).  Functions
 * of one name and arity are not duplicates but overloads, tried in priority
 * order and, at one priority, in the order they were declared.
 */
static void check_duplicates(void)
{
	for (int i = 0; i < P->globals.len; i++) {
		Var *v = P->globals.items[i];
		for (int j = 0; j < i; j++) {
			Var *w = P->globals.items[j];
			if (w->name != v->name)
				continue;
			if (v->is_private || w->is_private) {
				if (v->file != w->file)
					continue;
			}
			error_at(v->loc, "semantic error", "duplicate global variable '%s'", v->name);
			note_at(w->loc, "'%s' was declared here first", w->name);
		}
	}
}

/* ---- tree copies, for alias bodies ---- */

static Chain *copy_chain(Chain *ch)
{
	Chain head = {0}, *tail = &head;
	for (; ch; ch = ch->next) {
		Chain *cc = arena_alloc(sizeof(*cc));
		*cc = *ch;
		cc->next = NULL;
		tail->next = cc;
		tail = cc;
	}
	return head.next;
}

static Foreach *copy_foreach(Foreach *f)
{
	Foreach *c = arena_alloc(sizeof(*c));
	*c = *f;
	c->keys = (Vec){0};
	for (int i = 0; i < f->keys.len; i++)
		vec_push(&c->keys, f->keys.items[i]);
	return c;
}

static void clone_child(Node **slot, void *arg);

/*
 * A copy of n and of everything under it.  Its next is still n's: in a
 * list, node_for_each_child goes on from there and copies that node next.
 */
static Node *clone_node(Node *n)
{
	Node *c = arena_alloc(sizeof(*c));
	*c = *n;
	if (n->foreach)
		c->foreach = copy_foreach(n->foreach);
	c->chain = copy_chain(n->chain);
	node_for_each_child(c, clone_child, NULL);
	return c;
}

static void clone_child(Node **slot, void *arg)
{
	*slot = clone_node(*slot);
}

static Node *clone(Node *n)
{
	if (!n)
		return NULL;
	Node *c = clone_node(n);
	c->next = NULL;
	return c;
}

Probe *probe_copy(Probe *p)
{
	Probe *c = arena_alloc(sizeof(*c));
	*c = *p;
	c->locals = (Vec){0};
	c->resolved = false;
	c->body = clone(p->body);
	return c;
}

static bool is_target(Node *n)
{
	switch (n->kind) {
	case ND_TARGET: case ND_CAST: case ND_VARREF: case ND_ENTRY:
	case ND_DEFINED: case ND_ADDR:
		return true;
	default:
		return false;
	}
}

static bool is_entry(Node *n)
{
	return n->kind == ND_ENTRY;
}

typedef struct Search {
	bool (*is)(Node *);
	bool found;
} Search;

static void search(Node **slot, void *arg)
{
	Search *s = arg;
	if (s->found)
		return;
	if (s->is(*slot))
		s->found = true;
	else
		node_for_each_child(*slot, search, s);
}

/* Does n, or a node under it, satisfy is? */
static bool body_has(Node *n, bool (*is)(Node *))
{
	Search s = { .is = is };
	if (n)
		search(&n, &s);
	return s.found;
}

/* Does the body use target variables (each address then needs its own copy)? */
bool body_has_targets(Node *n)
{
	return body_has(n, is_target);
}

/*
 * A probe its family resolved, to be run as an ordinary probe.  A family
 * with target variables lowers them at each address its own way: such a
 * probe gets its own copy of the body when it has any (or, for a family
 * with only @entry, when it has @entry: its slots are the probe's own),
 * unless the family lowers them the same way everywhere (targets_shared).
 */
DerivedProbe *new_derived(ProbeFamily *fam, Probe *probe, void *data, const char *pp)
{
	DerivedProbe *d = arena_alloc(sizeof(*d));
	bool own = fam->resolve_target ? !fam->targets_shared && body_has_targets(probe->body) :
		   fam->lower_entry && body_has(probe->body, is_entry);
	d->family = fam;
	d->probe = own ? probe_copy(probe) : probe;
	d->kind = PROBE_NORMAL;
	d->data = data;
	d->pp = pp;
	return d;
}

/* ---- 2. probe points ---- */

ProbeFamily *probe_families[] = {
	&family_begin, &family_end, &family_error, &family_never, &family_timer, &family_profile,
	&family_kprobe, &family_dwarf, &family_trace, &family_perf, &family_uprobe, &family_sdt, &family_plt, &family_process, &family_procfs,
	&family_stdin,
	&family_netfilter, &family_hwbkpt,
};
int probe_family_count = ARRAY_SIZE(probe_families);

static int alias_depth;

static void resolve_point(ProbePoint *pp, Probe *probe, Vec *out, bool *matched);

/* The point with the components of rest appended (suffixes pass through aliases). */
static ProbePoint *with_suffix(ProbePoint *target, Component *rest, Node *cond)
{
	ProbePoint *p = arena_alloc(sizeof(*p));
	*p = *target;
	p->next = NULL;
	Component head = {0}, *tail = &head;
	for (Component *c = target->comps; c; c = c->next) {
		Component *cc = arena_alloc(sizeof(*cc));
		*cc = *c;
		cc->next = NULL;
		tail->next = cc;
		tail = cc;
	}
	tail->next = rest;
	p->comps = head.next;
	if (cond)
		p->cond = cond;
	return p;
}

/* A new probe: the alias's body before (=) or after (+=) the user's. */
static Probe *combine(Probe *alias, Probe *user)
{
	Probe *p = arena_alloc(sizeof(*p));
	*p = *user;
	p->locals = (Vec){0};
	Node *a = clone(alias->body);
	Node *u = clone(user->body);
	Node *block = new_node(ND_BLOCK, user->body->loc);
	if (alias->is_epilogue) {
		block->body = u;
		u->next = a;
	} else {
		block->body = a;
		a->next = u;
	}
	p->body = block;
	return p;
}

static bool same_component(Component *a, Component *b)
{
	if (strcmp(a->name, b->name) != 0 || a->has_arg != b->has_arg)
		return false;
	if (!a->has_arg)
		return true;
	if (a->arg->kind != b->arg->kind)
		return false;
	return a->arg->kind == ND_NUM ? a->arg->num == b->arg->num
				      : strcmp(a->arg->str, b->arg->str) == 0;
}

/*
 * Would an alias whose name extends this one (syscall.open.return for
 * syscall.open) match the point as well?  Then that one, the more specific,
 * stands for it, as in SystemTap: a suffix is passed through an alias only
 * where no alias has a name for the whole point.
 */
static bool longer_alias_matches(ProbePoint *name, ProbePoint *pp, Probe *probe)
{
	for (int i = 0; i < P->aliases.len; i++) {
		Probe *b = P->aliases.items[i];
		if (!visible(b->is_private, b->file, probe->file))
			continue;
		for (ProbePoint *longer = b->points; longer; longer = longer->next) {
			Component *x = name->comps, *y = longer->comps;
			while (x && y && same_component(x, y)) {
				x = x->next;
				y = y->next;
			}
			Component *rest;
			if (!x && y && alias_matches(longer, pp->comps, &rest))
				return true;
		}
	}
	return false;
}

/* The alias name, with the suffix passed through it, as -l prints it */
static const char *alias_listing(ProbePoint *name, Component *rest)
{
	ProbePoint p = *name;
	p.comps = with_suffix(name, rest, NULL)->comps;
	p.optional = p.sufficient = false;
	p.cond = NULL;
	Buf b = {0};
	dump_probe_point(&b, &p);
	return b.s;
}

static bool try_aliases(ProbePoint *pp, Probe *probe, Vec *out)
{
	bool any = false;
	for (int i = 0; i < P->aliases.len; i++) {
		Probe *a = P->aliases.items[i];
		if (!visible(a->is_private, a->file, probe->file))
			continue;
		for (ProbePoint *name = a->points; name; name = name->next) {
			Component *rest;
			if (!alias_matches(name, pp->comps, &rest))
				continue;
			if (rest && longer_alias_matches(name, pp, probe))
				continue;
			if (++alias_depth > 20) {
				error_at(pp->loc, "semantic error",
					 "probe alias expansion is too deep (recursive alias?)");
				alias_depth--;
				return true;
			}
			Probe *combined = combine(a, probe);
			int before = out->len;
			for (ProbePoint *t = a->alias_targets; t; t = t->next) {
				ProbePoint *target = with_suffix(t, rest, pp->cond);
				/* optional passes down through the alias (SystemTap's rule) */
				target->optional |= pp->optional;
				bool matched = false;
				resolve_point(target, combined, out, &matched);
				if (matched && t->sufficient)
					break;
			}
			/* listed as the outermost alias, which runs last */
			const char *listed = alias_listing(name, rest);
			for (int j = before; j < out->len; j++)
				((DerivedProbe *)out->items[j])->alias_pp = listed;
			alias_depth--;
			any = true;
		}
	}
	return any;
}

/* The names of a form, "timer.ms(N).randomize(N)" -> timer, ms, randomize */
static Vec shape_names(const char *shape)
{
	Vec names = {0};
	for (const char *s = shape; *s;) {
		size_t n = strcspn(s, ".(");
		vec_push(&names, (void *)intern(s, n));
		s += n;
		if (*s == '(')
			s += strcspn(s, ")") + (s[strcspn(s, ")")] == ')');
		s += *s == '.';
	}
	return names;
}

/* Every known form of point, as its component names (Vec *): for suggestions. */
static Vec known_points(void)
{
	Vec points = {0};
	for (int i = 0; i < probe_family_count; i++) {
		ProbeFamily *fam = probe_families[i];
		for (const char *const *sh = fam->shapes; sh && *sh; sh++) {
			Vec *v = arena_alloc(sizeof(*v));
			*v = shape_names(*sh);
			vec_push(&points, v);
		}
		if (fam->shapes)
			continue;
		/* no forms listed: its first names, and second ones if it says */
		const char *firsts[] = { fam->first, fam->first_alt };
		for (int f = 0; f < 2 && firsts[f]; f++) {
			for (const char **sec = fam->seconds; !sec || *sec; sec++) {
				Vec *v = arena_alloc(sizeof(*v));
				vec_push(v, (void *)firsts[f]);
				if (sec)
					vec_push(v, (void *)*sec);
				vec_push(&points, v);
				if (!sec)
					break;
			}
		}
	}
	for (int i = 0; i < all_aliases.len; i++) {
		Probe *a = all_aliases.items[i];
		for (ProbePoint *name = a->is_private ? NULL : a->points; name; name = name->next) {
			Vec *v = arena_alloc(sizeof(*v));
			for (Component *c = name->comps; c; c = c->next)
				vec_push(v, (void *)c->name);
			vec_push(&points, v);
		}
	}
	return points;
}

/* Do pp's first k components name the first k of known? */
static bool prefix_known(ProbePoint *pp, Vec *known, int k)
{
	Component *c = pp->comps;
	for (int i = 0; i < k; i++, c = c->next)
		if (!c || i >= known->len || !component_match(c->name, known->items[i]))
			return false;
	return true;
}

/*
 * For "no match": the names close to pp's first component that no known
 * point has after the ones before it (opnat after syscall: openat), and
 * that component in *bad; NULL when none is close.
 */
static const char *similar_components(ProbePoint *pp, Component **bad)
{
	Vec known = known_points();
	int depth = 0;
	for (Component *c = pp->comps; c; c = c->next, depth++) {
		bool any = false;
		for (int i = 0; i < known.len && !any; i++)
			any = prefix_known(pp, known.items[i], depth + 1);
		if (!any)
			break;
	}
	*bad = pp->comps;
	for (int i = 0; i < depth && *bad; i++)
		*bad = (*bad)->next;
	if (!*bad || strpbrk((*bad)->name, "*?[{"))
		return NULL;
	Vec names = {0};
	for (int i = 0; i < known.len; i++) {
		Vec *k = known.items[i];
		if (k->len > depth && prefix_known(pp, k, depth))
			vec_push(&names, k->items[depth]);
	}
	return similar_names((*bad)->name, (const char **)names.items, names.len, 5);
}

/* Does fam take this point: its first component, and its second if it says? */
static bool family_claims(ProbeFamily *fam, ProbePoint *pp)
{
	Component *c = pp->comps;
	if (!component_match(c->name, fam->first) &&
	    !(fam->first_alt && component_match(c->name, fam->first_alt)))
		return false;
	if (!fam->seconds)
		return true;
	/* module("m").function: the second component is the one after the module */
	Component *second = c->next;
	if (!second)
		return false;
	for (const char **s = fam->seconds; *s; s++)
		if (component_match(second->name, *s))
			return true;
	return false;
}

/* Does a component name of the point hold a wildcard ("timer.*")? */
static bool has_wild_names(ProbePoint *pp)
{
	for (Component *c = pp->comps; c; c = c->next)
		if (strpbrk(c->name, "*{"))
			return true;
	return false;
}

/*
 * The point with the names of shape ("timer.ms(N)") for its wildcards, or
 * NULL when the shape does not fit: as many components, each name
 * matching, each argument there and of its kind where the shape has one.
 */
static ProbePoint *fit_shape(ProbePoint *pp, const char *shape)
{
	Component head = {0}, *tail = &head;
	Component *u = pp->comps;
	for (const char *s = shape; *s; u = u->next) {
		size_t len = strcspn(s, ".(");
		const char *name = arena_printf("%.*s", (int)len, s);
		s += len;
		char arg = 0;
		if (*s == '(') {
			arg = s[1];
			s += 3;
		}
		if (*s == '.')
			s++;
		if (!u || !component_match(u->name, name) || u->has_arg != (arg != 0))
			return NULL;
		if (arg && u->arg->kind != (arg == 'N' ? ND_NUM : ND_STR))
			return NULL;
		Component *c = arena_alloc(sizeof(*c));
		*c = *u;
		c->name = name;
		c->next = NULL;
		tail->next = c;
		tail = c;
	}
	if (u)
		return NULL;
	ProbePoint *p = arena_alloc(sizeof(*p));
	*p = *pp;
	p->next = NULL;
	p->comps = head.next;
	/* one form that finds nothing is no error: the others may (SystemTap's rule) */
	p->optional = true;
	return p;
}

/* Resolves each form of fam's points that the wildcards fit; false if none did. */
static bool expand_shapes(ProbeFamily *fam, ProbePoint *pp, Probe *probe, Vec *out)
{
	bool any = false;
	int errors = error_count;
	for (const char *const *s = fam->shapes; *s && error_count == errors; s++) {
		ProbePoint *p = fit_shape(pp, *s);
		if (!p)
			continue;
		any = true;
		fam->resolve(p, p->comps, probe, out);	/* timer.*(0): one error is enough */
	}
	return any;
}

static void resolve_point(ProbePoint *pp, Probe *probe, Vec *out, bool *matched)
{
	int before = out->len;
	int errors = error_count;
	bool wild = has_wild_names(pp);
	bool handled = try_aliases(pp, probe, out);
	bool expanded = false;
	for (int i = 0; i < probe_family_count; i++) {
		ProbeFamily *fam = probe_families[i];
		if (!fam->resolve)
			continue;
		if (wild && fam->shapes) {
			if (expand_shapes(fam, pp, probe, out))
				handled = expanded = true;
			continue;
		}
		if (handled || !family_claims(fam, pp))
			continue;
		handled = true;
		fam->resolve(pp, pp->comps, probe, out);
	}
	*matched = out->len > before;
	if (error_count > errors)
		return;
	if ((!handled || (expanded && !*matched)) && !pp->optional && !S->listing) {
		Component *bad;
		const char *sim = similar_components(pp, &bad);
		Buf b = {0};
		dump_probe_point(&b, pp);
		if (sim)
			error_at(bad->loc, "semantic error",
				 "no match for probe point '%s' (similar: %s)", b.s, sim);
		else
			error_at(pp->loc, "semantic error", "no match for probe point '%s'", b.s);
	}
}

/* Wraps the body in "if (!(cond)) next" for a conditional probe point. */
static Probe *with_condition(Probe *probe, Node *cond)
{
	Probe *p = arena_alloc(sizeof(*p));
	*p = *probe;
	p->locals = (Vec){0};
	Node *test = new_node(ND_IF, cond->loc);
	Node *neg = new_node(ND_NOT, cond->loc);
	neg->lhs = clone(cond);
	test->cond = neg;
	test->then = new_node(ND_NEXT, cond->loc);
	Node *block = new_node(ND_BLOCK, probe->body->loc);
	block->body = test;
	test->next = clone(probe->body);
	p->body = block;
	return p;
}

static void resolve_points(void)
{
	int id = 0;
	for (int i = 0; i < P->probes.len; i++) {
		Probe *probe = P->probes.items[i];
		for (ProbePoint *pp = probe->points; pp; pp = pp->next) {
			Probe *body = pp->cond ? with_condition(probe, pp->cond) : probe;
			int before = S->derived.len;
			bool matched = false;
			resolve_point(pp, body, &S->derived, &matched);
			for (int j = before; j < S->derived.len; j++) {
				DerivedProbe *d = S->derived.items[j];
				d->point = pp;
				d->id = id++;
			}
			if (matched && pp->sufficient)
				break;
		}
	}
}

/* ---- 3. names in bodies ---- */

typedef struct Scope {
	DerivedProbe *derived;	/* the probe whose body this is (target variables) */
	Probe *probe;		/* a probe body, or */
	Func *func;		/* a function body */
	SrcFile *file;
	Vec *locals;
	int loops;		/* break/continue allowed when > 0 */
	Vec foreach_arrays;	/* Var*: arrays being iterated, must not change */
} Scope;

static void resolve_expr(Node *n, Scope *sc);
static void resolve_stmt(Node *n, Scope *sc);

/*
 * An @defined(...) of an autocast: its answer waits for the types that
 * values carry (autocast.c), and so do the branches of the ?: or if it
 * decides, unresolved until then (they may name what is not there).
 */
typedef struct Pending {
	Node *n;	/* the @defined, or the ?: or if whose condition it is */
	Scope sc;	/* where n is, to resolve the branch taken */
	bool done;
} Pending;
static Vec pending;

/* Does @defined(...) test an autocast, x->member or &x->member? */
static bool defined_autocast(Node *n)
{
	if (n->kind != ND_DEFINED || !n->lhs)
		return false;
	Node *t = n->lhs->kind == ND_ADDR ? n->lhs->lhs : n->lhs;
	return t->kind == ND_AUTOCAST;
}

static void add_pending(Node *n, Scope *sc)
{
	Pending *p = arena_alloc(sizeof(*p));
	p->n = n;
	p->sc = *sc;
	p->sc.foreach_arrays = (Vec){0};
	for (int i = 0; i < sc->foreach_arrays.len; i++)
		vec_push(&p->sc.foreach_arrays, sc->foreach_arrays.items[i]);
	vec_push(&pending, p);
}

/*
 * A condition made of @defined(...) tests, with ! && || between them:
 * known before the branches of its ?: or if are looked at.
 */
static bool defined_test(Node *n)
{
	switch (n->kind) {
	case ND_DEFINED:
		return true;
	case ND_NOT:
		return defined_test(n->lhs);
	case ND_LOGAND:
	case ND_LOGOR:
		return defined_test(n->lhs) && defined_test(n->rhs);
	default:
		return false;
	}
}

/* Does the test hold an @defined of an autocast (one that waits for types)? */
static bool test_waits(Node *n)
{
	if (n->kind == ND_DEFINED)
		return defined_autocast(n);
	return (n->lhs && test_waits(n->lhs)) || (n->rhs && test_waits(n->rhs));
}

/* The test's value once its @defined are numbers, or -1. */
static int test_value(Node *n)
{
	switch (n->kind) {
	case ND_NUM:
		return n->num != 0;
	case ND_NOT: {
		int v = test_value(n->lhs);
		return v < 0 ? v : !v;
	}
	case ND_LOGAND:
	case ND_LOGOR: {
		int a = test_value(n->lhs), b = test_value(n->rhs);
		if (a < 0 || b < 0)
			return -1;
		return n->kind == ND_LOGAND ? a && b : a || b;
	}
	default:
		return -1;
	}
}

static void resolve_test_parts(Node *n, Scope *sc);

/*
 * The ?: or if n whose test waits for autocast types: its @defined are
 * resolved as far as they can be, its branches later (decide_pending).
 */
static bool deferred(Node *n, Scope *sc)
{
	if (!defined_test(n->cond) || !test_waits(n->cond))
		return false;
	resolve_test_parts(n->cond, sc);
	n->deferred = true;
	add_pending(n, sc);
	return true;
}

static Var *find_local(Scope *sc, const char *name)
{
	if (sc->func)
		for (int i = 0; i < sc->func->params.len; i++) {
			Var *v = sc->func->params.items[i];
			if (v->name == name)
				return v;
		}
	for (int i = 0; i < sc->locals->len; i++) {
		Var *v = sc->locals->items[i];
		if (v->name == name)
			return v;
	}
	return NULL;
}

static Var *lookup_var(Scope *sc, Node *n, bool create)
{
	Var *v = find_local(sc, n->name);
	if (v)
		return v;
	v = find_global(n->name, sc->file, true);
	if (v)
		return v;
	if (!create)
		return NULL;
	v = new_var(n->name, VAR_LOCAL, n->loc);
	v->index = sc->locals->len;
	vec_push(sc->locals, v);
	return v;
}

static const char **global_names(int *n)
{
	const char **names = arena_alloc(sizeof(char *) * (P->globals.len + 1));
	int k = 0;
	for (int i = 0; i < P->globals.len; i++)
		names[k++] = ((Var *)P->globals.items[i])->name;
	*n = k;
	return names;
}

static Var *lookup_array(Scope *sc, Node *n)
{
	Var *v = find_global(n->name, sc->file, true);
	if (v) {
		v->is_array = true;
		return v;
	}
	int k;
	const char **names = global_names(&k);
	const char *sim = closest_name(n->name, names, k);
	if (find_local(sc, n->name))
		error_at(n->loc, "semantic error",
			 "'%s' is a local variable and cannot be used as an array "
			 "(arrays must be declared global)", n->name);
	else if (sim)
		error_at(n->loc, "semantic error",
			 "unresolved array '%s' (did you mean '%s'? arrays must be declared global)",
			 n->name, sim);
	else
		error_at(n->loc, "semantic error",
			 "unresolved array '%s': declare it with 'global %s'", n->name, n->name);
	return NULL;
}

static void check_not_iterated(Scope *sc, Var *v, Loc loc)
{
	for (int i = 0; i < sc->foreach_arrays.len; i++)
		if (sc->foreach_arrays.items[i] == v)
			error_at(loc, "semantic error",
				 "array '%s' is modified inside a foreach loop over it", v->name);
}

static bool is_print(const char *name)
{
	static const char *names[] = {
		"print", "println", "printf", "printd", "printdln",
		"sprint", "sprintln", "sprintf", "sprintd", "sprintdln",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static const char **func_names(int *n)
{
	const char **names = arena_alloc(sizeof(char *) * (all_func_names.len + 16));
	int k = 0;
	for (int i = 0; i < all_func_names.len; i++)
		names[k++] = all_func_names.items[i];
	static const char *prints[] = { "print", "println", "printf", "sprint", "sprintf",
					"sprintln", "printd", "printdln" };
	for (size_t i = 0; i < ARRAY_SIZE(prints); i++)
		names[k++] = prints[i];
	*n = k;
	return names;
}

/*
 * Links functions of the same name, arity and visibility into one chain,
 * lowest priority first: a call runs the head, "next" moves along.
 */
static void link_overloads(void)
{
	for (int i = 0; i < P->funcs.len; i++) {
		Func *f = P->funcs.items[i];
		for (int j = 0; j < i; j++) {
			Func *head = P->funcs.items[j];
			if (head->overloaded || head->name != f->name ||
			    head->params.len != f->params.len ||
			    head->is_private != f->is_private ||
			    (f->is_private && head->file != f->file))
				continue;
			f->overloaded = true;
			if (f->priority < head->priority) {
				/* f becomes the head: swap places in the table */
				f->overloaded = false;
				head->overloaded = true;
				f->next_overload = head;
				P->funcs.items[j] = f;
				P->funcs.items[i] = head;
				break;
			}
			Func **pp = &head->next_overload;
			while (*pp && (*pp)->priority <= f->priority)
				pp = &(*pp)->next_overload;
			f->next_overload = *pp;
			*pp = f;
			break;
		}
	}
}

/* The head of the overload chain of name with nargs parameters. */
static Func *find_overloads(const char *name, int nargs, SrcFile *from, int *other_arity)
{
	*other_arity = -1;
	for (int i = 0; i < P->funcs.len; i++) {
		Func *f = P->funcs.items[i];
		if (f->name != name || f->overloaded || !visible(f->is_private, f->file, from))
			continue;
		if (f->params.len == nargs)
			return f;
		*other_arity = f->params.len;
	}
	return NULL;
}

static void resolve_call(Node *n, Scope *sc)
{
	for (Node *a = n->args; a; a = a->next)
		resolve_expr(a, sc);
	if (is_print(n->name)) {
		n->kind = ND_PRINT;
		return;
	}
	int other;
	n->func = find_overloads(intern_str(n->name), n->nargs, sc->file, &other);
	if (n->func && n->func->guru && !S->guru)
		error_at(n->loc, "semantic error",
			 "function '%s' is allowed only with -g (guru mode): it is not safe "
			 "in every probe", n->name);
	if (n->func)
		return;
	if (other >= 0) {
		error_at(n->loc, "semantic error",
			 "function '%s' takes %d argument%s, but %d %s given", n->name, other,
			 other == 1 ? "" : "s", n->nargs, n->nargs == 1 ? "is" : "are");
		return;
	}
	int k;
	const char **names = func_names(&k);
	const char *sim = similar_names(n->name, names, k, 5);
	if (sim)
		error_at(n->loc, "semantic error", "unresolved function '%s' (similar: %s)",
			 n->name, sim);
	else
		error_at(n->loc, "semantic error", "unresolved function '%s'", n->name);
}

static void resolve_list(Node *n, Scope *sc)
{
	for (; n; n = n->next)
		resolve_expr(n, sc);
}

/* An array element or a whole array in delete, in, foreach, stats. */
static void resolve_index(Node *n, Scope *sc, bool stars_ok)
{
	n->var = lookup_array(sc, n);
	for (Node *a = n->args; a; a = a->next) {
		if (a->kind == ND_STAR) {
			if (!stars_ok)
				error_at(a->loc, "semantic error",
					 "'*' is allowed as an array key only in delete, in, and "
					 "foreach");
			continue;
		}
		resolve_expr(a, sc);
	}
	if (n->nargs > MAX_KEYS)
		error_at(n->loc, "semantic error", "array '%s' has %d keys; at most %d are allowed",
			 n->name, n->nargs, MAX_KEYS);
}

/*
 * Does writing n write memory the module does not own?  $var, @var,
 * @cast and a typed value's members (f->m) name kernel or user memory
 * wherever they appear (a DWARF probe, timer, begin, kprobe.function, a
 * function); only a family's own variables, procfs's $value, are the
 * module's.
 */
static bool writes_foreign_memory(Node *n, Scope *sc)
{
	if (n->kind == ND_TARGET)
		return !(sc->derived && sc->derived->family->resolve_target &&
			 sc->derived->family->targets_writable);
	return n->kind == ND_CAST || n->kind == ND_VARREF || n->kind == ND_AUTOCAST;
}

static void resolve_lvalue(Node *n, Scope *sc)
{
	if (n->kind == ND_VAR) {
		n->var = lookup_var(sc, n, true);
		n->var->written = true;
		if (n->var->kind == VAR_GLOBAL)
			check_not_iterated(sc, n->var, n->loc);
	} else if (n->kind == ND_INDEX) {
		resolve_index(n, sc, false);
		if (n->var) {
			n->var->written = true;
			check_not_iterated(sc, n->var, n->loc);
		}
	} else {
		if (!S->guru && writes_foreign_memory(n, sc)) {
			error_at(n->loc, "semantic error",
				 "write to target variable not permitted; need stap -g");
			return;
		}
		resolve_expr(n, sc);
	}
}

/*
 * The script expressions inside a target expression: array indexes,
 * @cast's pointer, @entry's and &'s operand.  @defined's operand is left
 * to the family, which tries it quietly.
 */
static void resolve_target_children(Node *n, Scope *sc)
{
	for (Chain *c = n->chain; c; c = c->next)
		if (c->index)
			resolve_expr(c->index, sc);
	if (n->kind == ND_CAST && n->args)
		resolve_expr(n->args, sc);
	if (n->kind == ND_ENTRY)
		resolve_expr(n->lhs, sc);
	if (n->kind == ND_ADDR)
		resolve_target_children(n->lhs, sc);	/* & wants the place, not the value */
}

/* @cast(...), &@cast(...) or @defined(@cast(...)): they need no probe. */
static bool is_cast(Node *n)
{
	if (n->kind == ND_ADDR || n->kind == ND_DEFINED)
		n = n->lhs;
	return n->kind == ND_CAST;
}

/* After its @defined folded to numbers: the branch a test takes, or NULL. */
static Node *folded_branch(Node *n)
{
	int v = test_value(n->cond);
	if (v < 0)
		return NULL;
	return v ? n->then : n->els;
}

/*
 * if (@defined($x)) folded: the dead branch may name what is not there,
 * so only the branch taken stays, as the then branch of "if (1)".
 */
static void keep_taken_branch(Node *n)
{
	if (test_value(n->cond) < 0)
		return;
	Node *taken = folded_branch(n);
	n->then = taken ? taken : new_node(ND_NULL_STMT, n->loc);
	n->els = NULL;
	n->cond = new_num(1, n->cond->loc);
}

/*
 * An expression whose value is thrown away (a statement, a for loop's init
 * and step): there x += 1, x++ and x = v only write x, and like SystemTap,
 * globals only written that way are still displayed at exit.
 */
static void resolve_effect(Node *n, Scope *sc)
{
	switch (n->kind) {
	case ND_ASSIGN:
	case ND_AGG:
		resolve_lvalue(n->lhs, sc);
		resolve_expr(n->rhs, sc);
		return;
	case ND_PREINC:
	case ND_POSTINC:
		resolve_lvalue(n->lhs, sc);
		return;
	default:
		resolve_expr(n, sc);
		return;
	}
}

/* @defined(x->m) or &x->m: the autocast waits for types (autocast.c). */
static bool of_autocast(Node *n, Scope *sc)
{
	if (n->kind == ND_DEFINED ? !defined_autocast(n) : n->lhs->kind != ND_AUTOCAST)
		return false;
	resolve_expr(n->lhs, sc);
	if (n->kind == ND_DEFINED)
		add_pending(n, sc);
	return true;
}

/* The @defined of a test that waits: those of autocasts wait too, the rest fold. */
static void resolve_test_parts(Node *n, Scope *sc)
{
	if (n->kind == ND_DEFINED)
		resolve_expr(n, sc);
	else if (n->kind != ND_NUM)
		for (Node *k = n->lhs; k; k = k == n->lhs ? n->rhs : NULL)
			resolve_test_parts(k, sc);
}

static void resolve_expr(Node *n, Scope *sc)
{
	if (n->kind == ND_COND && defined_test(n->cond)) {
		if (deferred(n, sc))
			return;
		resolve_expr(n->cond, sc);
		Node *b = folded_branch(n);
		if (b) {
			Node *next = n->next;
			*n = *b;
			n->next = next;
			resolve_expr(n, sc);
			return;
		}
		resolve_expr(n->then, sc);
		resolve_expr(n->els, sc);
		return;
	}
	switch (n->kind) {
	case ND_NUM:
	case ND_STR:
		return;
	case ND_VAR:
		n->var = lookup_var(sc, n, true);
		n->var->read = true;
		return;
	case ND_INDEX:
		resolve_index(n, sc, false);
		if (n->var)
			n->var->read = true;
		return;
	case ND_STAR:
		error_at(n->loc, "parse error", "'*' is not an expression here");
		return;
	case ND_CALL:
		resolve_call(n, sc);
		return;
	case ND_ASSIGN:
	case ND_AGG:
	case ND_PREINC:
	case ND_POSTINC:
		/*
		 * As in SystemTap, an update whose value is used, as in
		 * if (!x++) or y = (x += 2), reads x; y = (x = 5) does not.
		 */
		resolve_effect(n, sc);
		if ((n->kind == ND_PREINC || n->kind == ND_POSTINC ||
		     (n->kind == ND_ASSIGN && n->op)) && n->lhs->var)
			n->lhs->var->read = true;
		return;
	case ND_IN:
		n->lhs->kind = ND_INDEX;
		n->lhs->args = n->args;
		n->lhs->nargs = n->nargs;
		resolve_index(n->lhs, sc, true);
		n->var = n->lhs->var;
		if (n->var)
			n->var->read = true;
		return;
	case ND_STATOP:
	case ND_HIST:
		if (n->lhs->kind == ND_VAR || n->lhs->kind == ND_INDEX) {
			Node *a = n->lhs;
			if (a->kind == ND_VAR) {
				a->var = lookup_var(sc, a, false);
				if (!a->var || a->var->kind != VAR_GLOBAL) {
					error_at(a->loc, "semantic error",
						 "%s needs a global statistics variable, '%s' is not one",
						 n->name, a->name);
					a->var = NULL;
				}
			} else {
				resolve_index(a, sc, false);
			}
			if (a->var)
				a->var->read = true;
		} else {
			error_at(n->lhs->loc, "semantic error",
				 "%s needs a statistics variable (x <<< value)", n->name);
		}
		if (n->kind == ND_HIST)
			resolve_list(n->args->next, sc);
		return;
	case ND_HIST_INDEX:
		resolve_expr(n->lhs, sc);
		resolve_expr(n->rhs, sc);
		return;
	case ND_EMBEDDED_EXPR:	/* the parser allowed it (tapset or -g) */
		return;
	case ND_AUTOCAST:	/* lowered when its operand's type is known (autocast.c) */
		resolve_expr(n->lhs, sc);
		for (Chain *c = n->chain; c; c = c->next)
			if (c->index)
				resolve_expr(c->index, sc);
		return;
	case ND_DEFINED:
	case ND_ADDR:
		if (of_autocast(n, sc))
			return;
		/* fall through */
	case ND_TARGET:
	case ND_CAST:
	case ND_VARREF:
	case ND_ENTRY:
		if (n->kind == ND_TARGET && n->target)
			return;		/* a shared body's @cast, lowered already */
		if (sc->derived && sc->derived->family->resolve_target) {
			resolve_target_children(n, sc);
			sc->derived->family->resolve_target(sc->derived, n);
			return;
		}
		if (n->kind == ND_ENTRY && sc->derived && sc->derived->family->lower_entry) {
			resolve_target_children(n, sc);
			sc->derived->family->lower_entry(sc->derived, n);
			return;
		}
		if (is_cast(n)) {
			resolve_target_children(n, sc);
			dwarf_lower_cast(n);
			return;
		}
		if (n->kind == ND_DEFINED) {
			/* as in SystemTap: what this probe cannot resolve is not defined */
			Node *next = n->next;
			Loc loc = n->loc;
			memset(n, 0, sizeof(*n));
			n->kind = ND_NUM;
			n->type = TY_LONG;
			n->loc = loc;
			n->next = next;
			return;
		}
		/* fall through */
	case ND_CONST:
	case ND_PROBEWRITE:
		error_at(n->loc, "semantic error",
			 "target variables and @var/@entry/@defined/@const are not "
			 "available in this probe (only DWARF-based probes have them)");
		return;
	default:
		break;
	}
	if (n->lhs)
		resolve_expr(n->lhs, sc);
	if (n->rhs)
		resolve_expr(n->rhs, sc);
	if (n->cond)
		resolve_expr(n->cond, sc);
	if (n->then)
		resolve_expr(n->then, sc);
	if (n->els)
		resolve_expr(n->els, sc);
	resolve_list(n->args, sc);
}

static void resolve_foreach(Node *n, Scope *sc)
{
	Foreach *f = n->foreach;
	Node *a = f->array;
	Var *arr = NULL;
	if (a->kind == ND_VAR) {
		arr = lookup_array(sc, a);
		a->var = arr;
	} else if (a->kind == ND_INDEX) {
		resolve_index(a, sc, true);
		arr = a->var;
	} else if (a->kind == ND_HIST) {
		resolve_expr(a, sc);
	}
	if (arr)
		arr->read = true;
	for (int i = 0; i < f->keys.len; i++) {
		Node *k = f->keys.items[i];
		k->var = lookup_var(sc, k, true);
		k->var->written = true;
		if (k->var->kind == VAR_GLOBAL)
			error_at(k->loc, "semantic error",
				 "foreach loop variable '%s' must be a local, not a global", k->name);
	}
	if (f->value) {
		f->value->var = lookup_var(sc, f->value, true);
		f->value->var->written = true;
	}
	if (f->limit)
		resolve_expr(f->limit, sc);
	if (arr)
		vec_push(&sc->foreach_arrays, arr);
	sc->loops++;
	resolve_stmt(n->then, sc);
	sc->loops--;
	if (arr)
		sc->foreach_arrays.len--;
}

static void resolve_stmt(Node *n, Scope *sc)
{
	switch (n->kind) {
	case ND_BLOCK:
		for (Node *s = n->body; s; s = s->next)
			resolve_stmt(s, sc);
		return;
	case ND_EXPR_STMT:
		resolve_effect(n->lhs, sc);
		return;
	case ND_NULL_STMT:
		return;
	case ND_IF: {
		bool defined = defined_test(n->cond);
		if (defined && deferred(n, sc))
			return;
		resolve_expr(n->cond, sc);
		if (defined)
			keep_taken_branch(n);
		resolve_stmt(n->then, sc);
		if (n->els)
			resolve_stmt(n->els, sc);
		return;
	}
	case ND_WHILE:
	case ND_FOR:
		if (n->init)
			resolve_effect(n->init, sc);
		if (n->cond)
			resolve_expr(n->cond, sc);
		if (n->inc)
			resolve_effect(n->inc, sc);
		sc->loops++;
		resolve_stmt(n->then, sc);
		sc->loops--;
		return;
	case ND_FOREACH:
		resolve_foreach(n, sc);
		return;
	case ND_BREAK:
	case ND_CONTINUE:
		if (!sc->loops)
			error_at(n->loc, "semantic error", "'%s' outside of a loop",
				 n->kind == ND_BREAK ? "break" : "continue");
		return;
	case ND_NEXT:
		if (sc->func)
			sc->func->uses_next = true;
		return;
	case ND_RETURN:		/* only in functions: the parser saw to it */
		if (n->lhs)
			resolve_expr(n->lhs, sc);
		return;
	case ND_DELETE: {
		Node *t = n->lhs;
		if (t->kind == ND_INDEX) {
			resolve_index(t, sc, true);
		} else if (t->kind == ND_VAR) {
			t->var = lookup_var(sc, t, true);
		} else {
			error_at(t->loc, "semantic error",
				 "delete takes a variable, an array or an array element");
			return;
		}
		if (t->var) {
			/* SystemTap counts a delete as a read and a write: a global
			   that is deleted is not displayed at exit */
			t->var->written = true;
			t->var->read = true;
			if (t->var->kind == VAR_GLOBAL)
				check_not_iterated(sc, t->var, t->loc);
		}
		return;
	}
	case ND_TRY:
		resolve_stmt(n->then, sc);
		if (n->lhs) {
			n->lhs->var = lookup_var(sc, n->lhs, true);
			n->lhs->var->written = true;
		}
		resolve_stmt(n->els, sc);
		return;
	case ND_EMBEDDED_STMT:
		return;
	default:
		resolve_expr(n, sc);
		return;
	}
}

static void resolve_probe_body(Probe *p, DerivedProbe *d)
{
	if (p->resolved)
		return;
	p->resolved = true;	/* once, even when several points share it */
	Scope sc = { .derived = d, .probe = p, .file = p->file, .locals = &p->locals };
	resolve_stmt(p->body, &sc);
}

static void resolve_func_body(Func *f)
{
	Scope sc = { .func = f, .file = f->file, .locals = &f->locals };
	if (f->is_embedded) {
		if (strstr(f->body->str, "STAP_NEXT"))
			f->uses_next = true;
		return;
	}
	resolve_stmt(f->body, &sc);
}

/* ---- 4. autocasts, once every name is bound ---- */

/* n becomes the number v, where it stands (@defined(...) folded to 0 or 1). */
void node_become_number(Node *n, int64_t v)
{
	Node *next = n->next;
	Loc loc = n->loc;
	memset(n, 0, sizeof(*n));
	n->kind = ND_NUM;
	n->num = v;
	n->type = TY_LONG;
	n->tmp = -1;
	n->loc = loc;
	n->next = next;
}

/* Takes the branch of a deferred ?: or if that its @defined chose, and resolves it. */
static void take_branch(Pending *p)
{
	Node *n = p->n;
	n->deferred = false;
	if (n->kind == ND_IF) {
		keep_taken_branch(n);
		resolve_stmt(n->then, &p->sc);
		return;
	}
	Node *next = n->next;
	*n = *folded_branch(n);
	n->next = next;
	resolve_expr(n, &p->sc);
}

/*
 * Decides one @defined(autocast): the first whose operand's type is
 * known, or with force the first left (its operand will have none: 0);
 * or takes the branch of a ?: or if whose test is now known.
 */
static bool decide_pending(bool force)
{
	for (int i = 0; i < pending.len; i++) {
		Pending *p = pending.items[i];
		if (p->done)
			continue;
		if (p->n->kind == ND_DEFINED) {
			int yes = autocast_defined(p->n);
			if (yes < 0 && !force)
				continue;
			node_become_number(p->n, yes > 0);
		} else if (test_value(p->n->cond) < 0) {
			continue;	/* its @defined come first */
		} else {
			take_branch(p);
		}
		p->done = true;
		return true;
	}
	return false;
}

/*
 * Types flow to a fixed point, then the autocasts they allow are lowered,
 * whose values carry types further; an @defined is decided only when
 * nothing else moves, since the branch it takes may give others types.
 */
static void resolve_autocasts(void)
{
	for (;;) {
		autocast_flow(S);
		if (autocast_lower(S) || decide_pending(false) || decide_pending(true))
			continue;
		break;
	}
	autocast_report(S);
}

/* ---- 5. what the probes reach ---- */

static void mark_node(Node *n);

static void mark_func(Func *f)
{
	for (; f; f = f->next_overload) {
		if (f->used)
			continue;
		f->used = true;
		mark_node(f->body);
	}
}

static void mark_child(Node **slot, void *arg)
{
	mark_node(*slot);
}

static void mark_node(Node *n)
{
	if (!n)
		return;
	if (n->var)
		n->var->used = true;
	if (n->func)
		mark_func(n->func);
	node_for_each_child(n, mark_child, NULL);
}

/* P->funcs keeps the functions marked used, numbered in emit order. */
static void keep_used_funcs(void)
{
	int n = 0;
	for (int i = 0; i < P->funcs.len; i++) {
		Func *f = P->funcs.items[i];
		if (f->used) {
			f->id = n;
			P->funcs.items[n++] = f;
		}
	}
	P->funcs.len = n;
}

static void mark_used(void)
{
	for (int i = 0; i < S->derived.len; i++) {
		DerivedProbe *d = S->derived.items[i];
		mark_node(d->probe->body);
	}
	if (S->unoptimized) {
		for (int i = 0; i < P->funcs.len; i++)
			mark_func(P->funcs.items[i]);
		for (int i = 0; i < P->globals.len; i++)
			((Var *)P->globals.items[i])->used = true;
	}
	int n = 0;
	for (int i = 0; i < P->globals.len; i++) {
		Var *v = P->globals.items[i];
		if (v->used) {
			v->index = n;
			P->globals.items[n++] = v;
		} else if (!v->file->is_tapset) {
			warn_at(v->loc, "eliding unused variable '%s'", v->name);
		}
	}
	P->globals.len = n;
	keep_used_funcs();
}

/* After elide.c: the functions that only dropped stores called go too. */
void drop_unused_funcs(Program *prog, Session *s)
{
	S = s;
	P = prog;
	for (int i = 0; i < P->funcs.len; i++)
		((Func *)P->funcs.items[i])->used = false;
	for (int i = 0; i < S->derived.len; i++)
		mark_node(((DerivedProbe *)S->derived.items[i])->probe->body);
	keep_used_funcs();
}

/* ---- the pass ---- */

bool resolve_program(Program *prog, Session *s)
{
	cur_session = s;
	S = s;
	P = prog;
	int errors = error_count;
	for (int i = 0; i < P->funcs.len; i++) {
		Func *f = P->funcs.items[i];
		if (!f->is_private && f->name[0] != '_')
			vec_push(&all_func_names, (void *)f->name);
	}
	for (int i = 0; i < P->aliases.len; i++)	/* a copy: keep_included drops some */
		vec_push(&all_aliases, P->aliases.items[i]);
	include_tapsets();
	keep_included(&P->globals, var_file);
	keep_included(&P->funcs, func_file);
	keep_included(&P->probes, probe_file);
	keep_included(&P->aliases, probe_file);
	keep_included(&P->embedded, embedded_file);
	check_duplicates();
	link_overloads();
	for (int i = 0; i < P->globals.len; i++) {
		Var *v = P->globals.items[i];
		if (v->init && v->is_array)
			error_at(v->init->loc, "semantic error",
				 "array '%s' cannot have an initial value", v->name);
	}
	resolve_points();
	if (error_count > errors)
		return false;
	for (int i = 0; i < S->derived.len; i++) {
		DerivedProbe *d = S->derived.items[i];
		resolve_probe_body(d->probe, d);
	}
	for (int i = 0; i < P->funcs.len; i++)
		resolve_func_body(P->funcs.items[i]);
	if (error_count == errors)
		resolve_autocasts();
	if (error_count > errors)
		return false;
	if (S->derived.len == 0 && !S->listing) {
		error_plain("semantic error", "no probes found");
		return false;
	}
	mark_used();
	return error_count == errors;
}

/* ---- globals written and never read: printed at the end ---- */

static const char *display_format(Type t)
{
	return t == TY_STRING ? "\\\"%#s\\\"" : "%d";
}

/* The script text of the end probe that prints global v, as SystemTap does. */
static const char *display_probe(Var *v)
{
	const char *n = v->name;
	if (!v->is_array && v->type == TY_STATS)
		return arena_printf(
			"probe end { if (@count(%s) == 0) printf(\"%s @count=0x0\\n\") else "
			"printf(\"%s @count=%%d @min=%%d @max=%%d @sum=%%d @avg=%%d\\n\", @count(%s), "
			"@min(%s), @max(%s), @sum(%s), @avg(%s)) }\n", n, n, n, n, n, n, n, n);
	if (!v->is_array)
		return arena_printf("probe end { printf(\"%s=%s\\n\", %s) }\n", n,
				    display_format(v->type), n);
	Buf keys = {0}, fmt = {0}, elem = {0};
	for (int i = 0; i < v->nkeys; i++) {
		buf_printf(&keys, "%s__idx%d", i ? ", " : "", i);
		buf_printf(&fmt, "%s%s", i ? "," : "", display_format(v->key_types[i]));
	}
	buf_printf(&elem, "%s[%s]", n, keys.s);
	if (v->type == TY_STATS)
		return arena_printf(
			"probe end { foreach ([%s] in %s-) printf(\"%s[%s] @count=%%d @min=%%d "
			"@max=%%d @sum=%%d @avg=%%d\\n\", %s, @count(%s), @min(%s), @max(%s), "
			"@sum(%s), @avg(%s)) }\n", keys.s, n, n, fmt.s, keys.s, elem.s, elem.s,
			elem.s, elem.s, elem.s);
	return arena_printf("probe end { foreach (__val = [%s] in %s-) printf(\"%s[%s]=%s\\n\", "
			    "%s, __val) }\n", keys.s, n, n, fmt.s, display_format(v->type), keys.s);
}

bool add_global_display(Program *prog, Session *s)
{
	S = s;
	P = prog;
	Buf text = {0};
	for (int i = 0; i < prog->globals.len; i++) {
		Var *v = prog->globals.items[i];
		if (v->file->is_tapset || v->is_private || v->read || !v->written)
			continue;
		if (v->is_array && v->nkeys <= 0)
			continue;
		buf_puts(&text, display_probe(v));
	}
	if (!text.len)
		return true;
	SrcFile *f = arena_alloc(sizeof(*f));
	f->name = "<globals display>";
	f->text = text.s;
	f->len = text.len;
	f->is_tapset = true;
	f->used = true;
	ParseResult r = {0};
	if (!parse_file(f, &r))
		return false;
	int first = s->derived.len;
	for (int i = 0; i < r.probes.len; i++) {
		Probe *p = r.probes.items[i];
		bool matched;
		resolve_point(p->points, p, &s->derived, &matched);
	}
	for (int i = first; i < s->derived.len; i++) {
		DerivedProbe *d = s->derived.items[i];
		d->point = d->probe->points;
		d->id = i;
		resolve_probe_body(d->probe, d);
		mark_node(d->probe->body);
	}
	return infer_types_of_new_probes(prog, s, first);
}

/* ---- -l and -L ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char **)a, *(const char **)b);
}

/* "NAME:TYPE" of each of the probe body's locals, in the order they appear */
static void list_locals(Buf *b, Probe *p)
{
	for (int i = 0; i < p->locals.len; i++) {
		Var *v = p->locals.items[i];
		buf_printf(b, " %s:%s", v->name, type_name(v->type));
	}
}

/* Is d one of the user script's probes, not a tapset's? */
static bool from_user(DerivedProbe *d, Probe *user)
{
	for (ProbePoint *pp = user->points; pp; pp = pp->next)
		if (d->point == pp)
			return true;
	return false;
}

/*
 * The points the user script's one probe ("probe PATTERN {}", written by
 * main.c) resolves to, one a line, sorted, without repeats.  A probe
 * reached through an alias prints as the alias's name, as in SystemTap.
 * With -L each is followed by its variables: for an alias the locals of
 * its body with their inferred types, then the target variables of the
 * point it expands to.  0 when anything matched.
 */
int list_probes(Program *prog, Session *s, bool with_vars)
{
	cur_session = s;
	S = s;
	P = prog;
	Probe *user = P->probes.items[0];
	Vec found = {0};
	if (with_vars) {
		/* the variables' types need the bodies resolved: all of pass 2 */
		if (!resolve_program(prog, s) || !infer_types(prog, s))
			return 1;
		for (int i = 0; i < S->derived.len; i++) {
			DerivedProbe *d = S->derived.items[i];
			if (from_user(d, user) && !d->helper)
				vec_push(&found, d);
		}
	} else {
		for (ProbePoint *pp = user->points; pp; pp = pp->next) {
			bool matched;
			resolve_point(pp, user, &found, &matched);
		}
		if (error_count)
			return 1;
	}
	Vec lines = {0};
	for (int i = 0; i < found.len; i++) {
		DerivedProbe *d = found.items[i];
		Buf b = {0};
		buf_puts(&b, d->alias_pp ? d->alias_pp : d->pp);
		if (with_vars) {
			list_locals(&b, d->probe);
			if (d->family && d->family->list_vars)
				buf_puts(&b, d->family->list_vars(d));
		}
		vec_push(&lines, b.s);
	}
	if (lines.len)
		qsort(lines.items, lines.len, sizeof(void *), cmp_str);
	for (int i = 0; i < lines.len; i++)
		if (i == 0 || strcmp(lines.items[i], lines.items[i - 1]) != 0)
			printf("%s\n", (char *)lines.items[i]);
	if (!lines.len) {
		Buf b = {0};
		dump_probe_point(&b, user->points);
		for (ProbePoint *pp = user->points->next; pp; pp = pp->next) {
			buf_puts(&b, ", ");
			dump_probe_point(&b, pp);
		}
		error_plain(NULL, "no probe point matches '%s'", b.s);
		return 1;
	}
	return 0;
}

/* ---- -p2 ---- */

static void dump_var_type(Buf *b, Var *v)
{
	buf_printf(b, "%s:%s", v->name, type_name(v->type));
	if (v->is_array) {
		buf_puts(b, " [");
		for (int i = 0; i < v->nkeys; i++)
			buf_printf(b, "%s%s", i ? ", " : "", type_name(v->key_types[i]));
		buf_putc(b, ']');
	}
}

void dump_elaborated(FILE *out, Session *s)
{
	Program *prog = &s->prog;
	Buf b = {0};
	buf_puts(&b, "");
	if (prog->globals.len)
		buf_puts(&b, "# globals\n");
	for (int i = 0; i < prog->globals.len; i++) {
		dump_var_type(&b, prog->globals.items[i]);
		buf_putc(&b, '\n');
	}
	if (prog->funcs.len)
		buf_puts(&b, "# functions\n");
	for (int i = 0; i < prog->funcs.len; i++) {
		Func *f = prog->funcs.items[i];
		buf_printf(&b, "%s:%s (", f->name, type_name(f->ret));
		for (int j = 0; j < f->params.len; j++) {
			if (j)
				buf_puts(&b, ", ");
			dump_var_type(&b, f->params.items[j]);
		}
		buf_puts(&b, ")\n");
		if (f->locals.len)
			buf_puts(&b, "  # locals\n");
		for (int j = 0; j < f->locals.len; j++) {
			buf_puts(&b, "  ");
			dump_var_type(&b, f->locals.items[j]);
			buf_putc(&b, '\n');
		}
	}
	buf_puts(&b, "# probes\n");
	for (int i = 0; i < s->derived.len; i++) {
		DerivedProbe *d = s->derived.items[i];
		Buf pp = {0};
		dump_probe_point(&pp, d->point);
		buf_printf(&b, "%s /* <- %s */\n", d->pp, pp.s);
		Probe *p = d->probe;
		bool first = true;
		for (int j = 0; j < i; j++)
			if (((DerivedProbe *)s->derived.items[j])->probe == p)
				first = false;
		if (!first || !p->locals.len)
			continue;
		buf_puts(&b, "  # locals\n");
		for (int j = 0; j < p->locals.len; j++) {
			buf_puts(&b, "  ");
			dump_var_type(&b, p->locals.items[j]);
			buf_putc(&b, '\n');
		}
	}
	fputs(b.s, out);
}
