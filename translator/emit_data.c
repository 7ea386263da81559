/*
 * emit_data.c - pass 3 for global arrays and statistics: their
 * declarations, element access, <<<, @count and friends, histograms,
 * "in", delete and foreach.  The runtime side is runtime/map.c and
 * runtime/stat.c.
 *
 * An element access passes its keys as a compound literal,
 *   stp_map_get_long(g_a, (union stp_key[]){ { .n = t1 }, { .s = l->s } })
 * and a store first gets the element's storage (inserting it), so that
 * a full array is one check: "Array overflow".
 */
#include <string.h>
#include "stap.h"
#include "parser.h"
#include "emit.h"

static bool is_stats(Var *v)
{
	return v->type == TY_STATS;
}

static const char *stat_type_name(Var *v)
{
	return v->hist || v->variance ? arena_printf("&g_%s_stat", v->name) : "NULL";
}

/* ---- declarations ---- */

/* Plain statistics (no histogram, no @variance) have no type: <<< stays cheap. */
static void emit_stat_type(FILE *out, Var *v)
{
	if (!v->hist && !v->variance)
		return;
	fprintf(out, "static const struct stp_stat_type g_%s_stat = {\n", v->name);
	if (v->hist == HIST_LOG)
		fprintf(out, "\t.hist = STP_HIST_LOG,\n\t.nbuckets = 128,\n");
	else if (v->hist == HIST_LINEAR)
		fprintf(out, "\t.hist = STP_HIST_LINEAR,\n\t.lo = %s,\n\t.hi = %s,\n\t.step = %s,\n"
			"\t.nbuckets = %lld,\n", c_long(v->hist_lo), c_long(v->hist_hi),
			c_long(v->hist_step),
			(long long)((v->hist_hi - v->hist_lo) / v->hist_step + 3));
	if (v->variance)
		fprintf(out, "\t.variance = 1,\n\t.shift = %d,\n",
			v->variance_shift ? v->variance_shift - 1 : 0);
	fprintf(out, "};\n");
}

void emit_global_decl(FILE *out, Var *v)
{
	fprintf(out, "/* global %s at %s */\n", v->name, loc_text(v->loc));
	if (is_stats(v))
		emit_stat_type(out, v);
	if (v->is_array) {
		fprintf(out, "static const struct stp_map_type g_%s_type = {\n\t.nkeys = %d,\n"
			"\t.key_kind = {", v->name, v->nkeys);
		for (int i = 0; i < v->nkeys; i++)
			fprintf(out, "%s%s", i ? ", " : " ",
				v->key_types[i] == TY_STRING ? "STP_STRING" : "STP_LONG");
		fprintf(out, " },\n\t.value_kind = %s,\n",
			v->type == TY_STRING ? "STP_STRING" : is_stats(v) ? "STP_STATS" : "STP_LONG");
		if (v->wrap)
			fprintf(out, "\t.wrap = true,\n");
		if (v->max_entries)
			fprintf(out, "\t.max_entries = %lld,\n", (long long)v->max_entries);
		else
			fprintf(out, "\t.max_entries = MAXMAPENTRIES,\n");
		fprintf(out, "\t.strlen = MAXSTRINGLEN,\n\t.stat = %s,\n};\n", stat_type_name(v));
		fprintf(out, "static struct %s *g_%s;\n", is_stats(v) ? "stp_pmap" : "stp_map",
			v->name);
	} else if (is_stats(v)) {
		fprintf(out, "static struct stp_stats *g_%s;\n", v->name);
	} else if (v->type == TY_STRING) {
		const char *init = v->init ? c_string(v->init->str, v->init->num) : "\"\"";
		fprintf(out, "static char g_%s[MAXSTRINGLEN] = %s;\n", v->name, init);
		fprintf(out, "STP_PARAM_STRING(%s);\n", v->name);
	} else {
		fprintf(out, "static s64 g_%s = %s;\n", v->name, v->init ? c_long(v->init->num) : "0");
		/* its type goes in .modinfo, where staprun checks the names it is given */
		fprintf(out, "STP_PARAM_LONG(%s);\n", v->name);
	}
	if (v->needs_lock)
		fprintf(out, "static stp_rwlock_t g_%s_lock = STP_RWLOCK_INIT;\n", v->name);
	fprintf(out, "\n");
}

/* init_globals() and free_globals(): the arrays and aggregates, made at load. */
void emit_global_init(FILE *out, Program *prog)
{
	fprintf(out, "static int init_globals(void)\n{\n");
	for (int i = 0; i < prog->globals.len; i++) {
		Var *v = prog->globals.items[i];
		if (v->is_array)
			fprintf(out, "\tg_%s = stp_%s_new(&g_%s_type);\n", v->name,
				is_stats(v) ? "pmap" : "map", v->name);
		else if (is_stats(v))
			fprintf(out, "\tg_%s = stp_stats_new(%s);\n", v->name, stat_type_name(v));
		else
			continue;
		fprintf(out, "\tif (!g_%s)\n\t\treturn -ENOMEM;\n", v->name);
	}
	fprintf(out, "\treturn 0;\n}\n\nstatic void free_globals(void)\n{\n");
	for (int i = 0; i < prog->globals.len; i++) {
		Var *v = prog->globals.items[i];
		if (v->is_array)
			fprintf(out, "\tstp_%s_free(g_%s);\n", is_stats(v) ? "pmap" : "map", v->name);
		else if (is_stats(v))
			fprintf(out, "\tstp_stats_free(g_%s);\n", v->name);
	}
	fprintf(out, "}\n\n");
}

/* ---- keys ---- */

/*
 * The keys of an element as a compound literal; '*' keys set their bit
 * in *wild.  force_spill keeps every key in a temporary, for when more
 * statements follow before the keys are used.
 */
static const char *emit_keys(Gen *g, Node *args, unsigned *wild, bool force_spill)
{
	const char *vals[MAX_KEYS];
	Node *nodes[MAX_KEYS];
	int n = 0;
	*wild = 0;
	for (Node *a = args; a && n < MAX_KEYS; a = a->next, n++) {
		nodes[n] = a;
		if (a->kind == ND_STAR) {
			*wild |= 1u << n;
			vals[n] = "0";
			continue;
		}
		const char *v = emit_expr(g, a);
		bool later = false;
		for (Node *b = a->next; b; b = b->next)
			if (needs_stmts(b))
				later = true;
		if (later || force_spill)
			v = spill(g, a, v);
		vals[n] = v;
	}
	Buf b = {0};
	buf_puts(&b, "(union stp_key[]){");
	for (int i = 0; i < n; i++) {
		bool str = nodes[i]->kind != ND_STAR && nodes[i]->type == TY_STRING;
		buf_printf(&b, "%s { .%c = %s }", i ? "," : "", str ? 's' : 'n', vals[i]);
	}
	buf_puts(&b, " }");
	return b.s;
}

static void overflow_error(Gen *g, Node *n, Var *v)
{
	if (v->max_entries)
		line(g, "\tstp_errorf(c, %s, \"Array overflow, check size limit (%lld)\");", near(n),
		     (long long)v->max_entries);
	else
		line(g, "\tstp_error(c, \"Array overflow, check MAXMAPENTRIES\", %s);", near(n));
	line(g, "\tgoto %s;", g->err_label);
}

/* ---- elements ---- */

const char *emit_index_read(Gen *g, Node *n)
{
	Var *v = n->var;
	unsigned wild;
	const char *keys = emit_keys(g, n->args, &wild, false);
	if (is_stats(v)) {
		error_at(n->loc, "semantic error",
			 "'%s' holds statistics: read them with @count(%s[...]) and friends",
			 v->name, v->name);
		return "0";
	}
	if (v->type == TY_STRING)
		return arena_printf("stp_map_get_str(g_%s, %s)", v->name, keys);
	return arena_printf("stp_map_get_long(g_%s, %s)", v->name, keys);
}

/* Storage for an element, inserted when missing: the name of its pointer. */
static const char *element_ref(Gen *g, Node *target, const char *keys)
{
	Var *v = target->var;
	const char *r = new_temp(g);
	if (v->type == TY_STRING)
		line(g, "char *%s = stp_map_ref_str(g_%s, %s);", r, v->name, keys);
	else
		line(g, "s64 *%s = stp_map_ref_long(g_%s, %s);", r, v->name, keys);
	line(g, "if (unlikely(!%s)) {", r);
	overflow_error(g, target, v);
	line(g, "}");
	return r;
}

static void check_divisor(Gen *g, Node *n, const char *v)
{
	line(g, "if (unlikely(%s == 0)) {", v);
	line(g, "\tstp_error(c, \"division by 0\", %s);", near(n));
	line(g, "\tgoto %s;", g->err_label);
	line(g, "}");
}

const char *emit_index_assign(Gen *g, Node *n)
{
	Node *target = n->lhs;
	Var *v = target->var;
	unsigned wild;
	const char *keys = emit_keys(g, target->args, &wild, needs_stmts(n->rhs));
	const char *val = emit_expr(g, n->rhs);
	if ((n->op == '/' || n->op == '%') && !(n->rhs->kind == ND_NUM && n->rhs->num)) {
		val = spill(g, n->rhs, val);
		check_divisor(g, n, val);
	}
	const char *r = element_ref(g, target, keys);
	if (v->type == TY_STRING) {
		if (n->op == '.')
			line(g, "stp_strlcat(%s, %s, MAXSTRINGLEN);", r, val);
		else
			line(g, "stp_strlcpy(%s, %s, MAXSTRINGLEN);", r, val);
		return r;
	}
	switch (n->op) {
	case 0:
		line(g, "*%s = %s;", r, val);
		break;
	case '/':
	case '%':
		line(g, "*%s = %s(*%s, %s);", r, n->op == '/' ? "stp_div" : "stp_mod", r, val);
		break;
	case TK_SHL:
		line(g, "*%s = (s64)((u64)*%s << (%s & 63));", r, r, val);
		break;
	case TK_SHR:
		line(g, "*%s >>= (%s & 63);", r, val);
		break;
	default:
		line(g, "*%s %s= %s;", r, op_text(n->op), val);
		break;
	}
	return arena_printf("*%s", r);
}

const char *emit_index_incdec(Gen *g, Node *n, bool want_value)
{
	Node *target = n->lhs;
	unsigned wild;
	const char *keys = emit_keys(g, target->args, &wild, false);
	const char *r = element_ref(g, target, keys);
	const char *op = n->op == '+' ? "++" : "--";
	if (n->kind == ND_PREINC || !want_value) {
		line(g, "%s*%s;", op, r);
		return arena_printf("*%s", r);
	}
	const char *t = new_temp(g);
	line(g, "s64 %s = (*%s)%s;", t, r, op);
	return t;
}

/* ---- statistics ---- */

void emit_aggregate(Gen *g, Node *n)
{
	Node *target = n->lhs;
	Var *v = target->var;
	if (target->kind == ND_VAR) {
		const char *val = emit_expr(g, n->rhs);
		line(g, "stp_stats_add(g_%s, %s);", v->name, val);
		return;
	}
	unsigned wild;
	const char *keys = emit_keys(g, target->args, &wild, needs_stmts(n->rhs));
	const char *val = emit_expr(g, n->rhs);
	line(g, "if (unlikely(stp_pmap_add(g_%s, %s, %s))) {", v->name, keys, val);
	overflow_error(g, target, v);
	line(g, "}");
}

/* The merged statistics of a variable or an array element: a pointer's name. */
static const char *read_stat(Gen *g, Node *target)
{
	Var *v = target->var;
	const char *st = arena_printf("st%d", g->ntemps++);
	if (target->kind == ND_VAR) {
		line(g, "const struct stp_stat *%s = stp_stats_read(g_%s);", st, v->name);
	} else {
		unsigned wild;
		const char *keys = emit_keys(g, target->args, &wild, false);
		line(g, "const struct stp_stat *%s = stp_pmap_get(g_%s, %s);", st, v->name, keys);
	}
	return st;
}

static const char *stat_op_name(const char *op)
{
	if (strcmp(op, "@count") == 0) return "STP_STAT_COUNT";
	if (strcmp(op, "@sum") == 0) return "STP_STAT_SUM";
	if (strcmp(op, "@min") == 0) return "STP_STAT_MIN";
	if (strcmp(op, "@max") == 0) return "STP_STAT_MAX";
	if (strcmp(op, "@avg") == 0) return "STP_STAT_AVG";
	return "STP_STAT_VARIANCE";
}

const char *emit_statop(Gen *g, Node *n)
{
	if (!n->lhs->var)
		return "0";
	const char *st = read_stat(g, n->lhs);
	/* as in SystemTap, only @count and @sum of nothing are defined (0) */
	if (strcmp(n->name, "@count") != 0 && strcmp(n->name, "@sum") != 0) {
		line(g, "if (unlikely(%s->count == 0)) {", st);
		line(g, "\tstp_error(c, \"empty aggregate\", %s);", near(n));
		line(g, "\tgoto %s;", g->err_label);
		line(g, "}");
	}
	const char *t = new_temp(g);
	line(g, "s64 %s = stp_stat_extract(%s, %s, %s);", t, st, stat_type_name(n->lhs->var),
	     stat_op_name(n->name));
	return t;
}

const char *emit_hist_index(Gen *g, Node *n)
{
	Node *hist = n->lhs;
	Var *v = hist->lhs->var;
	if (!v)
		return "0";
	const char *st = read_stat(g, hist->lhs);
	const char *i = spill(g, n->rhs, emit_expr(g, n->rhs));
	line(g, "if (unlikely(%s->count == 0)) {", st);
	line(g, "\tstp_error(c, \"empty aggregate\", %s);", near(hist));
	line(g, "\tgoto %s;", g->err_label);
	line(g, "}");
	line(g, "if (unlikely(%s < 0 || %s >= (%s)->nbuckets)) {", i, i, stat_type_name(v));
	line(g, "\tstp_error(c, \"histogram index out of range\", %s);", near(hist));
	line(g, "\tgoto %s;", g->err_label);
	line(g, "}");
	const char *t = new_temp(g);
	line(g, "s64 %s = stp_hist_bucket(%s, %s, %s);", t, st, stat_type_name(v), i);
	return t;
}

void emit_hist_print(Gen *g, const char *sink, Node *n, Node *print)
{
	Var *v = n->lhs->var;
	if (!v)
		return;
	const char *st = read_stat(g, n->lhs);
	line(g, "if (unlikely(%s->count == 0)) {", st);
	line(g, "\tstp_error(c, \"empty aggregate\", %s);", near(print));
	line(g, "\tgoto %s;", g->err_label);
	line(g, "}");
	line(g, "stp_hist_print(%s, %s, %s);", sink, st, stat_type_name(v));
}

/* ---- in, delete ---- */

const char *emit_in(Gen *g, Node *n)
{
	Var *v = n->var;
	if (!v)
		return "0";
	unsigned wild;
	const char *keys = emit_keys(g, n->args, &wild, false);
	return arena_printf("(s64)stp_%s_exists(g_%s, %s, 0x%x)", is_stats(v) ? "pmap" : "map",
			    v->name, keys, wild);
}

void emit_delete(Gen *g, Node *n)
{
	Node *t = n->lhs;
	Var *v = t->var;
	if (!v)
		return;
	const char *kind = is_stats(v) ? "pmap" : "map";
	if (t->kind == ND_VAR) {
		const char *ref = var_ref(g, v);
		if (v->is_array)
			line(g, "stp_%s_clear(g_%s);", kind, v->name);
		else if (is_stats(v))
			line(g, "stp_stats_clear(g_%s);", v->name);
		else if (v->type == TY_STRING)
			line(g, "%s[0] = '\\0';", ref);
		else
			line(g, "%s = 0;", ref);
		return;
	}
	unsigned wild;
	const char *keys = emit_keys(g, t->args, &wild, false);
	line(g, "stp_%s_delete(g_%s, %s, 0x%x);", kind, v->name, keys, wild);
}

/* ---- foreach ---- */

static void bind_loop_var(Gen *g, Node *var, const char *value_expr, bool is_string)
{
	const char *ref = var_ref(g, var->var);
	if (is_string)
		line(g, "stp_strlcpy(%s, %s, MAXSTRINGLEN);", ref, value_expr);
	else
		line(g, "%s = %s;", ref, value_expr);
}

/* foreach (b in @hist_log(x)): every bucket, empty ones too, as in SystemTap */
static void emit_foreach_hist(Gen *g, Node *n)
{
	Foreach *f = n->foreach;
	Node *hist = f->array;
	Var *v = hist->lhs->var;
	if (!v)
		return;
	const char *st = read_stat(g, hist->lhs);
	const char *lim = f->limit ? spill(g, f->limit, emit_expr(g, f->limit)) : NULL;
	const char *b = new_temp(g), *cnt = new_temp(g);
	line(g, "s64 %s = 0;", cnt);
	line(g, "(void)%s;", st);
	line(g, "for (s64 %s = 0; %s < (%s)->nbuckets; %s++) {", b, b, stat_type_name(v), b);
	g->depth++;
	emit_actions(g, loop_cost(n->then), n);
	if (lim) {
		line(g, "if (%s++ >= %s)", cnt, lim);
		line(g, "\tbreak;");
	} else {
		line(g, "(void)%s;", cnt);
	}
	bind_loop_var(g, f->keys.items[0], b, false);
	if (f->value)
		bind_loop_var(g, f->value, arena_printf("stp_hist_bucket(%s, %s, %s)", st,
							stat_type_name(v), b), false);
	g->depth--;
	const char *saved = g->continue_stmt;
	g->continue_stmt = "continue;";
	emit_loop_body(g, n->then);
	g->continue_stmt = saved;
	line(g, "}");
}

static const char *sort_stat_op(Foreach *f)
{
	return f->sort_stat ? stat_op_name(f->sort_stat) : "STP_STAT_COUNT";
}

void emit_foreach(Gen *g, Node *n)
{
	Foreach *f = n->foreach;
	if (f->array->kind == ND_HIST) {
		emit_foreach_hist(g, n);
		return;
	}
	Var *v = f->array->var;
	if (!v)
		return;
	const char *m = new_temp(g), *node = new_temp(g), *cnt = new_temp(g);
	if (is_stats(v))
		line(g, "struct stp_map *%s = stp_pmap_agg(g_%s);", m, v->name);
	else
		line(g, "struct stp_map *%s = g_%s;", m, v->name);
	if (f->sort_dir)
		line(g, "stp_map_sort(%s, %d, %d, %s);", m, f->sort_key < 0 ? 0 : f->sort_key,
		     f->sort_dir, sort_stat_op(f));
	const char *lim = f->limit ? spill(g, f->limit, emit_expr(g, f->limit)) : NULL;
	const char *slice = NULL;
	unsigned wild = 0;
	if (f->array->kind == ND_INDEX)
		slice = emit_keys(g, f->array->args, &wild, true);
	line(g, "s64 %s = 0;", cnt);
	line(g, "for (struct stp_map_node *%s = stp_map_first(%s); %s; %s = stp_map_next(%s, %s)) {",
	     node, m, node, node, m, node);
	g->depth++;
	emit_actions(g, loop_cost(n->then), n);
	if (slice) {
		line(g, "if (!stp_node_in_slice(%s, %s, %s, 0x%x))", m, node, slice, wild);
		line(g, "\tcontinue;");
	}
	if (lim) {
		line(g, "if (%s++ >= %s)", cnt, lim);
		line(g, "\tbreak;");
	} else {
		line(g, "(void)%s;", cnt);
	}
	for (int i = 0; i < f->keys.len; i++) {
		Node *k = f->keys.items[i];
		bool str = v->key_types[i] == TY_STRING;
		bind_loop_var(g, k, arena_printf("stp_node_key_%s(%s, %s, %d)", str ? "str" : "long",
						 m, node, i), str);
	}
	if (f->value) {
		bool str = v->type == TY_STRING;
		bind_loop_var(g, f->value, str ? arena_printf("(const char *)stp_node_value(%s, %s)",
							     m, node) :
				 arena_printf("*(s64 *)stp_node_value(%s, %s)", m, node), str);
	}
	g->depth--;
	const char *saved = g->continue_stmt;
	g->continue_stmt = "continue;";
	emit_loop_body(g, n->then);
	g->continue_stmt = saved;
	line(g, "}");
}
