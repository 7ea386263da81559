/*
 * types.c - pass 2, type inference.
 *
 * Every variable, array key and value, function parameter and return is
 * a long, a string or a statistics aggregate.  Types flow both ways
 * through assignments, calls and comparisons; the walk repeats until
 * nothing changes, then one last walk reports conflicts and what stayed
 * unknown.
 */
#include <stdlib.h>
#include <string.h>
#include "stap.h"
#include "parser.h"

static Session *S;
static bool changed;
static bool report;	/* the last walk: say what is wrong */
static Func *cur_func;

const char *type_name(Type t)
{
	switch (t) {
	case TY_LONG: return "long";
	case TY_STRING: return "string";
	case TY_STATS: return "stats";
	default: return "unknown";
	}
}

static const char *describe(Node *n)
{
	switch (n->kind) {
	case ND_VAR: return arena_printf("'%s'", n->name);
	case ND_INDEX: return arena_printf("an element of '%s'", n->name);
	case ND_CALL: return arena_printf("'%s()'", n->name);
	case ND_NUM: return "a number";
	case ND_STR: return "a string literal";
	case ND_TARGET: return arena_printf("target variable '%s'", n->name);
	default: return "this expression";
	}
}

static void mismatch(Loc loc, const char *what, Type want, Type got, Loc *first)
{
	if (!report)
		return;
	error_at(loc, "semantic error: type mismatch",
		 "%s is used as a %s here, but it is a %s", what, type_name(want), type_name(got));
	if (first && first->file)
		note_at(*first, "its type was first inferred here");
}

/* Makes *t equal to want; records where a type was first inferred. */
static void unify(Type *t, Loc *first, Type want, Loc loc, const char *what)
{
	if (want == TY_UNKNOWN)
		return;
	if (*t == TY_UNKNOWN) {
		*t = want;
		if (first)
			*first = loc;
		changed = true;
		return;
	}
	if (*t != want)
		mismatch(loc, what, want, *t, first);
}

/* The type slot of an lvalue-like node: variable, array value, call result. */
static Type *slot(Node *n, Loc **first)
{
	*first = NULL;
	switch (n->kind) {
	case ND_VAR:
	case ND_INDEX:
		if (!n->var)
			return NULL;
		*first = &n->var->type_loc;
		return &n->var->type;
	case ND_CALL:
		if (!n->func)
			return NULL;
		*first = &n->func->ret_loc;
		return &n->func->ret;
	default:
		return NULL;
	}
}

/* Pushes an expected type into n (a variable or call takes it on). */
static void expect(Node *n, Type want)
{
	if (want == TY_UNKNOWN)
		return;
	Loc *first;
	Type *t = slot(n, &first);
	if (t) {
		unify(t, first, want, n->loc, describe(n));
		n->type = *t;
		return;
	}
	if (n->type == TY_UNKNOWN) {
		if (n->kind == ND_COND) {
			expect(n->then, want);
			expect(n->els, want);
		}
		return;
	}
	if (n->type != want)
		mismatch(n->loc, describe(n), want, n->type, NULL);
}

static Type infer(Node *n);

static void infer_keys(Var *v, Node *args, int nargs, Loc loc)
{
	if (!v)
		return;
	if (v->nkeys < 0) {
		v->nkeys = nargs;
		v->keys_loc = loc;
		changed = true;
	} else if (v->nkeys != nargs && report) {
		error_at(loc, "semantic error", "array '%s' is used with %d key%s here, but with "
			 "%d elsewhere", v->name, nargs, nargs == 1 ? "" : "s", v->nkeys);
		note_at(v->keys_loc, "'%s' was first used with %d key%s here", v->name, v->nkeys,
			v->nkeys == 1 ? "" : "s");
		return;
	}
	int i = 0;
	for (Node *a = args; a && i < MAX_KEYS; a = a->next, i++) {
		if (a->kind == ND_STAR)
			continue;
		Type t = infer(a);
		if (t == TY_STATS || t == TY_UNKNOWN) {
			if (t == TY_UNKNOWN && v->key_types[i] != TY_UNKNOWN)
				expect(a, v->key_types[i]);
			continue;
		}
		unify(&v->key_types[i], NULL, t, a->loc,
		      arena_printf("key %d of array '%s'", i + 1, v->name));
	}
}

static void check_scalar(Node *n)
{
	if (!report || !n->var)
		return;
	if (n->var->is_array)
		error_at(n->loc, "semantic error",
			 "'%s' is an array and needs keys here: %s[...]", n->name, n->name);
}

static void check_array(Node *n)
{
	if (!report || !n->var)
		return;
	if (!n->var->is_array)
		error_at(n->loc, "semantic error", "'%s' is not an array", n->name);
}

static Type infer_assign(Node *n)
{
	Node *l = n->lhs;
	Type lt = infer(l);
	Type rt = infer(n->rhs);
	if (l->kind == ND_VAR)
		check_scalar(l);
	if (n->op == '.') {
		expect(l, TY_STRING);
		expect(n->rhs, TY_STRING);
		return TY_STRING;
	}
	if (n->op) {
		expect(l, TY_LONG);
		expect(n->rhs, TY_LONG);
		return TY_LONG;
	}
	if (rt == TY_STATS) {
		if (report)
			error_at(n->rhs->loc, "semantic error",
				 "a statistics aggregate is not a value: extract one with @count, "
				 "@sum, @min, @max, @avg");
		return TY_UNKNOWN;
	}
	if (lt == TY_STATS) {
		if (report)
			error_at(n->loc, "semantic error",
				 "'=' on the statistics variable %s; add values with '<<<'",
				 describe(l));
		return TY_STATS;
	}
	if (lt != TY_UNKNOWN && rt != TY_UNKNOWN && lt != rt) {
		Loc *first;
		slot(l, &first);
		if (report)
			error_at(n->rhs->loc, "semantic error: type mismatch",
				 "cannot assign %s, a %s, to %s, a %s", describe(n->rhs),
				 type_name(rt), describe(l), type_name(lt));
		if (report && first && first->file)
			note_at(*first, "%s was first inferred to be a %s here", describe(l),
				type_name(lt));
		return lt;
	}
	expect(l, rt);
	expect(n->rhs, l->type);
	return l->type;
}

#define MAX_FMT 128

/* printf's arguments against its format: count and types. */
static void check_format(Node *n)
{
	Node *fmt = n->args;
	if (fmt->kind != ND_STR) {
		if (report)
			error_at(fmt->loc, "semantic error",
				 "%s needs a literal format string", n->name);
		return;
	}
	FmtSpec specs[MAX_FMT];
	const char *err = NULL;
	int nspecs = parse_format(fmt->str, specs, MAX_FMT, &err);
	if (nspecs < 0) {
		if (report)
			error_at(fmt->loc, "semantic error", "%s", err);
		return;
	}
	Node *a = fmt->next;
	int want = 0;
	for (int i = 0; i < nspecs; i++) {
		FmtSpec *sp = &specs[i];
		if (!sp->conv)
			continue;
		Type types[3];
		int k = 0;
		if (sp->width == -2)
			types[k++] = TY_LONG;
		if (sp->prec == -2)
			types[k++] = TY_LONG;
		types[k++] = sp->arg_type;
		for (int j = 0; j < k; j++, want++) {
			if (!a)
				continue;
			if (a->type == TY_UNKNOWN) {
				expect(a, types[j]);
			} else if (a->type != types[j] && a->type != TY_STATS && report) {
				error_at(a->loc, "semantic error: type mismatch",
					 "format conversion '%%%c' takes a %s, but this argument "
					 "is a %s", sp->conv, type_name(types[j]), type_name(a->type));
			}
			a = a->next;
		}
	}
	int given = n->nargs - 1;
	if (given != want && report)
		error_at(given > want && a ? a->loc : n->loc, "semantic error",
			 "%s format takes %d argument%s, but %d %s given", n->name, want,
			 want == 1 ? "" : "s", given, given == 1 ? "is" : "are");
}

static Type infer_print(Node *n)
{
	const char *name = n->name;
	bool is_s = name[0] == 's';
	const char *base = is_s ? name + 1 : name;
	bool is_f = strcmp(base, "printf") == 0;
	for (Node *a = n->args; a; a = a->next) {
		if (a->kind == ND_HIST)
			infer(a);
		else
			infer(a);
	}
	if (is_f) {
		if (!n->args) {
			if (report)
				error_at(n->loc, "semantic error", "%s needs a format string", name);
		} else {
			expect(n->args, TY_STRING);
			check_format(n);
		}
	}
	if ((strcmp(base, "printd") == 0 || strcmp(base, "printdln") == 0) && n->args)
		expect(n->args, TY_STRING);
	for (Node *a = n->args; a && report; a = a->next) {
		if (a->type == TY_STATS)
			error_at(a->loc, "semantic error",
				 "%s cannot print a statistics aggregate; print @count(x), @sum(x)... "
				 "or @hist_log(x)", name);
		if (a->kind == ND_HIST && strcmp(base, "print") != 0 && strcmp(base, "println"))
			error_at(a->loc, "semantic error", "a histogram can be printed only with "
				 "print or println");
	}
	return is_s ? TY_STRING : TY_UNKNOWN;
}

static Type infer_call(Node *n)
{
	Func *f = n->func;
	int i = 0;
	for (Node *a = n->args; a; a = a->next, i++) {
		Type t = infer(a);
		if (!f)
			continue;
		for (Func *o = f; o; o = o->next_overload) {
			Var *p = o->params.items[i];
			if (t == TY_STATS) {
				if (report)
					error_at(a->loc, "semantic error", "a statistics aggregate cannot "
						 "be passed to a function");
				continue;
			}
			unify(&p->type, &p->type_loc, t, a->loc,
			      arena_printf("parameter '%s' of '%s'", p->name, f->name));
			expect(a, p->type);
		}
	}
	if (!f)
		return TY_UNKNOWN;
	for (Func *o = f->next_overload; o; o = o->next_overload) {
		unify(&f->ret, &f->ret_loc, o->ret, o->loc, arena_printf("'%s()'", f->name));
		unify(&o->ret, &o->ret_loc, f->ret, f->loc, arena_printf("'%s()'", f->name));
	}
	return f->ret;
}

#define MAX_LINEAR_BUCKETS 128

/* A statistics variable has one histogram shape, fixed by its @hist uses. */
static void set_histogram(Node *n)
{
	Var *v = n->lhs ? n->lhs->var : NULL;
	if (!v)
		return;
	int kind = strcmp(n->name, "@hist_log") == 0 ? HIST_LOG : HIST_LINEAR;
	int64_t lo = 0, hi = 0, step = 0;
	if (kind == HIST_LINEAR) {
		Node *a = n->args->next;
		if (!a || !a->next || !a->next->next || a->kind != ND_NUM ||
		    a->next->kind != ND_NUM || a->next->next->kind != ND_NUM)
			return;
		lo = a->num;
		hi = a->next->num;
		step = a->next->next->num;
		if (step <= 0 || hi <= lo) {
			error_at(a->loc, "semantic error",
				 "@hist_linear(v, low, high, step) needs low < high and step > 0");
			return;
		}
		if ((hi - lo) / step + 3 > MAX_LINEAR_BUCKETS) {
			error_at(a->loc, "semantic error",
				 "@hist_linear(v, %lld, %lld, %lld) makes %lld buckets; at most %d "
				 "are allowed (widen the step)", (long long)lo, (long long)hi,
				 (long long)step, (long long)((hi - lo) / step + 1),
				 MAX_LINEAR_BUCKETS - 2);
			return;
		}
	}
	if (v->hist && (v->hist != kind || v->hist_lo != lo || v->hist_hi != hi ||
			v->hist_step != step)) {
		error_at(n->loc, "semantic error",
			 "'%s' is already printed with another histogram shape: a statistics "
			 "variable has only one", v->name);
		return;
	}
	v->hist = kind;
	v->hist_lo = lo;
	v->hist_hi = hi;
	v->hist_step = step;
}

/*
 * A statistics variable keeps the running variance only if @variance reads
 * it (the update divides), with one bit shift for all its @variance uses.
 */
static void set_variance(Var *v, Node *n)
{
	if (!v)
		return;
	v->variance = true;
	if (!n || !n->num)
		return;
	if (v->variance_shift && v->variance_shift != n->num) {
		error_at(n->loc, "semantic error",
			 "'%s' already has the @variance bit shift %d: a statistics variable "
			 "has only one", v->name, v->variance_shift - 1);
		return;
	}
	v->variance_shift = n->num;
}

static Type infer_stat_target(Node *n)
{
	Node *a = n->lhs;
	if (!a || !a->var)
		return TY_UNKNOWN;
	if (a->kind == ND_INDEX)
		infer_keys(a->var, a->args, a->nargs, a->loc);
	unify(&a->var->type, &a->var->type_loc, TY_STATS, a->loc, describe(a));
	a->type = TY_STATS;
	return TY_STATS;
}

static Type infer(Node *n)
{
	Type t = TY_UNKNOWN;
	switch (n->kind) {
	case ND_NUM:
		return n->type = TY_LONG;
	case ND_STR:
		return n->type = TY_STRING;
	case ND_VAR:
		if (!n->var)
			return TY_UNKNOWN;
		return n->type = n->var->type;
	case ND_INDEX:
		check_array(n);
		infer_keys(n->var, n->args, n->nargs, n->loc);
		return n->type = n->var ? n->var->type : TY_UNKNOWN;
	case ND_CALL:
		return n->type = infer_call(n);
	case ND_PRINT:
		return n->type = infer_print(n);
	case ND_ASSIGN:
		return n->type = infer_assign(n);
	case ND_AGG: {
		Node *l = n->lhs;
		if (l->kind == ND_INDEX)
			infer_keys(l->var, l->args, l->nargs, l->loc);
		else
			check_scalar(l);
		if (l->var)
			unify(&l->var->type, &l->var->type_loc, TY_STATS, l->loc, describe(l));
		if (l->kind == ND_VAR && l->var && l->var->kind != VAR_GLOBAL && report)
			error_at(l->loc, "semantic error",
				 "statistics variable '%s' must be a global", l->name);
		l->type = TY_STATS;
		infer(n->rhs);
		expect(n->rhs, TY_LONG);
		return n->type = TY_UNKNOWN;
	}
	case ND_BINOP:
		infer(n->lhs);
		infer(n->rhs);
		expect(n->lhs, TY_LONG);
		expect(n->rhs, TY_LONG);
		return n->type = TY_LONG;
	case ND_LOGAND:
	case ND_LOGOR:
		infer(n->lhs);
		infer(n->rhs);
		expect(n->lhs, TY_LONG);
		expect(n->rhs, TY_LONG);
		return n->type = TY_LONG;
	case ND_CMP: {
		Type l = infer(n->lhs);
		Type r = infer(n->rhs);
		if (l == TY_UNKNOWN)
			expect(n->lhs, r);
		else
			expect(n->rhs, l);
		if (n->lhs->type == TY_STATS || n->rhs->type == TY_STATS) {
			if (report)
				error_at(n->loc, "semantic error",
					 "cannot compare a statistics aggregate");
		}
		return n->type = TY_LONG;
	}
	case ND_REGEX:
		infer(n->lhs);
		infer(n->rhs);
		expect(n->lhs, TY_STRING);
		if (n->rhs->kind != ND_STR && report)
			error_at(n->rhs->loc, "semantic error",
				 "the right side of %s must be a string literal (a regular expression)",
				 n->op == TK_REGEQ ? "=~" : "!~");
		if (n->rhs->kind == ND_STR && report) {
			const char *err;
			if (!regex_compile(n->rhs->str, &err))
				error_at(n->rhs->loc, "semantic error",
					 "invalid regular expression: %s", err);
		}
		return n->type = TY_LONG;
	case ND_CONCAT:
		infer(n->lhs);
		infer(n->rhs);
		expect(n->lhs, TY_STRING);
		expect(n->rhs, TY_STRING);
		return n->type = TY_STRING;
	case ND_NEG:
	case ND_PLUS:
	case ND_NOT:
	case ND_BITNOT:
		infer(n->lhs);
		expect(n->lhs, TY_LONG);
		return n->type = TY_LONG;
	case ND_PREINC:
	case ND_POSTINC:
		infer(n->lhs);
		if (n->lhs->kind == ND_VAR)
			check_scalar(n->lhs);
		expect(n->lhs, TY_LONG);
		return n->type = TY_LONG;
	case ND_COND: {
		infer(n->cond);
		expect(n->cond, TY_LONG);
		Type a = infer(n->then);
		Type b = infer(n->els);
		if (a == TY_UNKNOWN)
			expect(n->then, b);
		else
			expect(n->els, a);
		return n->type = n->then->type != TY_UNKNOWN ? n->then->type : n->els->type;
	}
	case ND_IN:
		infer_keys(n->var, n->args, n->nargs, n->loc);
		return n->type = TY_LONG;
	case ND_STATOP:
		infer_stat_target(n);
		if (report && strcmp(n->name, "@variance") == 0)
			set_variance(n->lhs ? n->lhs->var : NULL, n);
		return n->type = TY_LONG;
	case ND_HIST:
		infer_stat_target(n);
		for (Node *a = n->args->next; a; a = a->next) {
			infer(a);
			expect(a, TY_LONG);
			if (a->kind != ND_NUM && report)
				error_at(a->loc, "semantic error",
					 "@hist_linear's bounds and step must be number literals");
		}
		if (report)
			set_histogram(n);
		return n->type = TY_UNKNOWN;
	case ND_HIST_INDEX:
		infer(n->lhs);
		infer(n->rhs);
		expect(n->rhs, TY_LONG);
		return n->type = TY_LONG;
	case ND_EMBEDDED_EXPR:
		return n->type = TY_LONG;
	case ND_TARGET:
		/* the script values it reads: @cast's pointer, [i], an autocast's operand */
		for (int k = 0; n->target && k < n->target->nindexes; k++) {
			infer(n->target->indexes[k]);
			expect(n->target->indexes[k], TY_LONG);
		}
		return n->type;	/* its family said: a long, or a string ($var$) */
	default:
		return t;
	}
}

static void infer_stmt(Node *n);

static void infer_foreach(Node *n)
{
	Foreach *f = n->foreach;
	Node *a = f->array;
	Var *arr = a->var;
	if (a->kind == ND_HIST) {
		infer(a);
		for (int i = 0; i < f->keys.len; i++)
			expect(f->keys.items[i], TY_LONG);
		if (f->keys.len != 1 && report)
			error_at(a->loc, "semantic error",
				 "foreach over a histogram takes one variable, the bucket");
		if (f->value)
			expect(f->value, TY_LONG);
	} else if (arr) {
		if (report && !arr->is_array)
			error_at(a->loc, "semantic error", "'%s' is not an array", arr->name);
		if (a->kind == ND_INDEX)
			infer_keys(arr, a->args, a->nargs, a->loc);
		if (arr->nkeys < 0) {
			arr->nkeys = f->keys.len;
			arr->keys_loc = n->loc;
			changed = true;
		} else if (arr->nkeys != f->keys.len && report) {
			error_at(n->loc, "semantic error",
				 "foreach takes %d key variable%s for array '%s', not %d",
				 arr->nkeys, arr->nkeys == 1 ? "" : "s", arr->name, f->keys.len);
		}
		for (int i = 0; i < f->keys.len && i < MAX_KEYS; i++) {
			Node *k = f->keys.items[i];
			infer(k);
			if (k->var && k->var->type == TY_UNKNOWN)
				expect(k, arr->key_types[i]);
			else if (k->var)
				unify(&arr->key_types[i], NULL, k->var->type, k->loc,
				      arena_printf("key %d of array '%s'", i + 1, arr->name));
		}
		if (f->value) {
			if (arr->type == TY_STATS) {
				if (report)
					error_at(f->value->loc, "semantic error",
						 "'%s' is a statistics array: foreach cannot bind its "
						 "values; use @count(%s[...]) and friends", arr->name,
						 arr->name);
			} else {
				infer(f->value);
				expect(f->value, arr->type);
				if (f->value->var)
					unify(&arr->type, &arr->type_loc, f->value->var->type,
					      f->value->loc, describe(f->value));
			}
		}
		if (f->sort_stat && arr->type != TY_STATS && arr->type != TY_UNKNOWN && report)
			error_at(n->loc, "semantic error",
				 "sorting by %s needs a statistics array", f->sort_stat);
		if (f->sort_stat && report && strcmp(f->sort_stat, "@variance") == 0)
			set_variance(arr, NULL);
	}
	if (f->limit) {
		infer(f->limit);
		expect(f->limit, TY_LONG);
	}
	infer_stmt(n->then);
}

static void infer_stmt(Node *n)
{
	switch (n->kind) {
	case ND_BLOCK:
		for (Node *s = n->body; s; s = s->next)
			infer_stmt(s);
		return;
	case ND_EXPR_STMT:
		infer(n->lhs);
		return;
	case ND_IF:
		infer(n->cond);
		expect(n->cond, TY_LONG);
		infer_stmt(n->then);
		if (n->els)
			infer_stmt(n->els);
		return;
	case ND_WHILE:
	case ND_FOR:
		if (n->init)
			infer(n->init);
		if (n->cond) {
			infer(n->cond);
			expect(n->cond, TY_LONG);
		}
		if (n->inc)
			infer(n->inc);
		infer_stmt(n->then);
		return;
	case ND_FOREACH:
		infer_foreach(n);
		return;
	case ND_RETURN:
		if (n->lhs && cur_func) {
			Type t = infer(n->lhs);
			if (t == TY_STATS && report)
				error_at(n->lhs->loc, "semantic error",
					 "a function cannot return a statistics aggregate");
			else if (t == TY_UNKNOWN && cur_func->ret == TY_UNKNOWN && report)
				/* return f(n) in f, and nothing else says what f returns */
				error_at(n->lhs->loc, "semantic error",
					 "unresolved type of the value function '%s' returns: give "
					 "it a type (function %s:long or function %s:string)",
					 cur_func->name, cur_func->name, cur_func->name);
			else
				unify(&cur_func->ret, &cur_func->ret_loc, t, n->lhs->loc,
				      arena_printf("the return value of '%s'", cur_func->name));
			expect(n->lhs, cur_func->ret);
		}
		return;
	case ND_DELETE:
		if (n->lhs->kind == ND_INDEX)
			infer_keys(n->lhs->var, n->lhs->args, n->lhs->nargs, n->lhs->loc);
		return;
	case ND_TRY:
		infer_stmt(n->then);
		if (n->lhs) {
			infer(n->lhs);
			expect(n->lhs, TY_STRING);
		}
		infer_stmt(n->els);
		return;
	default:
		return;
	}
}

static bool probe_seen_before(int i)
{
	DerivedProbe *d = S->derived.items[i];
	for (int j = 0; j < i; j++)
		if (((DerivedProbe *)S->derived.items[j])->probe == d->probe)
			return true;
	return false;
}

/* The walk over probes from derived[first] on, and (all == true) the rest. */
static void walk(Program *prog, int first, bool all)
{
	for (int i = first; i < S->derived.len; i++) {
		DerivedProbe *d = S->derived.items[i];
		if (probe_seen_before(i))
			continue;
		cur_func = NULL;
		infer_stmt(d->probe->body);
	}
	if (!all)
		return;
	for (int i = 0; i < prog->funcs.len; i++) {
		Func *f = prog->funcs.items[i];
		cur_func = f;
		if (!f->is_embedded)
			infer_stmt(f->body);
	}
	for (int i = 0; i < prog->globals.len; i++) {
		Var *v = prog->globals.items[i];
		if (v->init)
			unify(&v->type, &v->type_loc, v->init->type, v->init->loc, describe(v->init));
	}
	cur_func = NULL;
}

static void check_known(Var *v, const char *what)
{
	if (v->type == TY_UNKNOWN) {
		if (v->is_array && v->nkeys >= 0)
			error_at(v->loc, "semantic error",
				 "unresolved type of %s '%s': nothing stores a value in it", what,
				 v->name);
		else
			error_at(v->loc, "semantic error",
				 "unresolved type of %s '%s': give it a value, or a type "
				 "(name:long, name:string)", what, v->name);
	}
	if (v->is_array) {
		if (v->nkeys < 0) {
			error_at(v->loc, "semantic error",
				 "array '%s' is never indexed: its keys have no type", v->name);
			return;
		}
		for (int i = 0; i < v->nkeys; i++)
			if (v->key_types[i] == TY_UNKNOWN)
				error_at(v->loc, "semantic error",
					 "unresolved type of key %d of array '%s'", i + 1, v->name);
	}
}

static void check_locals(Vec *locals, const char *where)
{
	for (int i = 0; i < locals->len; i++) {
		Var *v = locals->items[i];
		if (!v->written && v->read)
			warn_at(v->loc, "local variable '%s' is read but never assigned in %s", v->name,
				where);
		if (v->type == TY_UNKNOWN && !v->written) {
			v->type = TY_LONG;	/* read-only local: reads as 0 */
			continue;
		}
		check_known(v, "local variable");
	}
}

static void infer_to_fixed_point(Program *prog, int first, bool all)
{
	for (int iter = 0; iter < 100; iter++) {
		changed = false;
		walk(prog, first, all);
		if (!changed)
			break;
	}
	report = true;
	walk(prog, first, all);
	report = false;
}

static void check_probe_locals(int first)
{
	for (int i = first; i < S->derived.len; i++) {
		DerivedProbe *d = S->derived.items[i];
		if (!probe_seen_before(i))
			check_locals(&d->probe->locals, arena_printf("probe %s", d->pp));
	}
}

/* MAXSTRINGLEN as -D sets it, or 0 when it is not a plain number. */
static long max_string_len(void)
{
	long n = 512;
	for (int i = 0; i < S->defines.len; i++) {
		const char *d = S->defines.items[i];
		if (strncmp(d, "MAXSTRINGLEN=", 13) == 0) {
			char *end;
			n = strtol(d + 13, &end, 0);
			if (*end || end == d + 13)
				n = 0;
		}
	}
	return n;
}

/*
 * A string global's initializer is a C array's: longer than MAXSTRINGLEN
 * less its NUL, it would be a compiler's error (or an unterminated
 * string), so it is the script's error here.
 */
static void check_string_init(Var *v)
{
	long max = max_string_len();
	if (v->type == TY_STRING && v->init && v->init->kind == ND_STR && max > 0 &&
	    v->init->num >= max)
		error_at(v->init->loc, "semantic error",
			 "string initializer of global '%s' is %lld bytes long; MAXSTRINGLEN "
			 "(%ld) holds at most %ld", v->name, (long long)v->init->num, max,
			 max - 1);
}

bool infer_types(Program *prog, Session *s)
{
	S = s;
	int errors = error_count;
	for (int i = 0; i < prog->funcs.len; i++) {
		Func *f = prog->funcs.items[i];
		f->ret = f->decl_ret;
		if (f->ret != TY_UNKNOWN)
			f->ret_loc = f->loc;
		for (int j = 0; j < f->params.len; j++) {
			Var *p = f->params.items[j];
			if (p->type != TY_UNKNOWN)
				p->type_loc = p->loc;
		}
	}
	infer_to_fixed_point(prog, 0, true);
	if (error_count > errors)
		return false;

	for (int i = 0; i < prog->globals.len; i++) {
		Var *v = prog->globals.items[i];
		if (v->type == TY_UNKNOWN && !v->is_array && !v->written) {
			v->type = TY_LONG;
			continue;
		}
		check_known(v, "global");
		check_string_init(v);
	}
	for (int i = 0; i < prog->funcs.len; i++) {
		Func *f = prog->funcs.items[i];
		for (int j = 0; j < f->params.len; j++)
			check_known(f->params.items[j], "parameter");
		check_locals(&f->locals, arena_printf("function '%s'", f->name));
	}
	check_probe_locals(0);
	return error_count == errors;
}

/* Types of probes added after the program's: the ones that print globals. */
bool infer_types_of_new_probes(Program *prog, Session *s, int first)
{
	S = s;
	int errors = error_count;
	infer_to_fixed_point(prog, first, false);
	check_probe_locals(first);
	return error_count == errors;
}
