/*
 * probe_trace.c - kernel.trace("SYSTEM:EVENT") and kernel.trace("EVENT"),
 * with wildcards: the static tracepoints of the kernel and of its modules
 * (runtime/tracepoint.c).
 *
 * Every tracepoint NAME has a function __traceiter_NAME(void *data,
 * ARGS...) in the vmlinux, or in the .ko of the module that defines it,
 * declared in the trace header that defines the event; its debuginfo
 * gives the arguments' names and types, and the header's TRACE_SYSTEM
 * gives the event's system.  The modules searched are those the script
 * names elsewhere (module("NAME") probe points), those given with
 * -d NAME.ko, and the installed module named like the event's system
 * (kernel.trace("stap_testmod:*") looks at stap_testmod.ko).  The module's
 * handler for a tracepoint receives the same arguments and lays them out
 * as a call of __traceiter_NAME would (registers, then the stack), so
 * that the arguments are read as $vars by the DWARF family's target
 * variable code, exactly as at that function's entry.
 *
 * Without the kernel's debuginfo, the tracepoints come from BTF (btf.c):
 * the kernel's, and each searched module's (its .ko's, split on the
 * kernel's), which describe the same __traceiter_NAME functions with
 * their parameters' names and types: the arguments are then given
 * to the DWARF family's code with their places in the handler's pt_regs
 * (dwarf_given_data), and their struct types read members from BTF.  BTF
 * has no source files, so an event's system comes from the running
 * kernel's tracefs or from the trace headers' TRACE_SYSTEM.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stap.h"
#include "btf.h"
#include "dwarf.h"

#define TRACEITER "__traceiter_"
#define MAX_TRACE_ARGS 12	/* the most any 6.x tracepoint has is 10 */

typedef struct TraceData {
	const char *event;	/* "sched_switch" */
	const char *system;	/* "sched" */
	const char *module;	/* the module defining it, or NULL: the vmlinux */
	DwFunc *iter;		/* __traceiter_sched_switch; NULL from BTF */
	DwVar **vars;		/* from BTF: the arguments */
	int nargs;		/* without the data pointer */
	bool optional;
	void *dwarf;		/* for dwarf_lower_target */
} TraceData;

static const char *trace_seconds[] = { "trace", NULL };
static const char *trace_suffixes[] = { "trace", NULL };
static const char *const trace_shapes[] = { "kernel.trace(S)", NULL };

/* ---- events' systems, from the trace headers' TRACE_SYSTEM ---- */

typedef struct HeaderSystem {
	const char *file;	/* as DWARF names it: "include/trace/events/sched.h" */
	const char *system;
} HeaderSystem;
static Vec header_systems;

/* The last "#define TRACE_SYSTEM x" of the kernel source file path. */
static const char *read_trace_system(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[512], name[128];
	const char *system = NULL;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " # define TRACE_SYSTEM %127[A-Za-z0-9_]", name) == 1 ||
		    sscanf(line, " #define TRACE_SYSTEM %127[A-Za-z0-9_]", name) == 1)
			system = arena_strdup(name);
	}
	fclose(f);
	return system;
}

/*
 * For a header the headers package does not ship, the name its events
 * most likely have: "fs/iomap/trace.h" -> "iomap", "xfs_trace.h" -> "xfs".
 */
static const char *guess_system(const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	if (strcmp(base, "trace.h") == 0 && base > file + 1) {
		const char *dir = base - 1;
		while (dir > file && dir[-1] != '/')
			dir--;
		return arena_strndup(dir, base - 1 - dir);
	}
	size_t n = strlen(base);
	if (n > 2 && strcmp(base + n - 2, ".h") == 0)
		n -= 2;
	if (n > 6 && strncmp(base + n - 6, "_trace", 6) == 0)
		n -= 6;
	if (n > 6 && strncmp(base, "trace_", 6) == 0) {
		base += 6;
		n -= 6;
	}
	return arena_strndup(base, n);
}

/*
 * The system of the events declared in file: its TRACE_SYSTEM in the
 * kernel's source tree (Debian's headers package), or a guess.
 */
static const char *system_of(const char *file)
{
	for (int i = 0; i < header_systems.len; i++) {
		HeaderSystem *h = header_systems.items[i];
		if (strcmp(h->file, file) == 0)
			return h->system;
	}
	Session *s = cur_session;
	/* a module built out of the tree names its headers by absolute paths */
	const char *system = file[0] == '/' ? read_trace_system(file) : read_trace_system(
		arena_printf("/lib/modules/%s/source/%s", s->kernel_release, file));
	if (!system && s->build_dir)
		system = read_trace_system(arena_printf("%s/%s", s->build_dir, file));
	if (!system)
		system = guess_system(file);
	HeaderSystem *h = arena_alloc(sizeof(*h));
	h->file = file;
	h->system = system;
	vec_push(&header_systems, h);
	return system;
}

/* ---- resolving ---- */

static void add_module(Vec *mods, DwModule *m)
{
	for (int i = 0; i < mods->len; i++)
		if (mods->items[i] == m)
			return;
	vec_push(mods, m);
}

/* A system without wildcards in the pattern ("stap_testmod:*"), or NULL. */
static const char *literal_system(const char *pattern)
{
	const char *colon = strchr(pattern, ':');
	if (!colon || colon == pattern || strcspn(pattern, "*?[") < (size_t)(colon - pattern))
		return NULL;
	return arena_strndup(pattern, colon - pattern);
}

/*
 * The modules kernel.trace(pattern) searches after the kernel: those of
 * -d NAME.ko (the first *ndashd, which must be readable), of the script's
 * module("NAME") points, and the installed module named like the
 * pattern's system, if there is one.
 */
static Vec searched_modules(const char *pattern, int *ndashd)
{
	Session *s = cur_session;
	Vec names = {0};
	for (int i = 0; i < s->kmod_files.len; i++)
		vec_push(&names, s->kmod_files.items[i]);
	*ndashd = names.len;
	for (int i = 0; i < s->prog.probes.len; i++) {
		Probe *p = s->prog.probes.items[i];
		for (ProbePoint *pp = p->points; pp; pp = pp->next) {
			Component *c = pp->comps;
			if (strcmp(c->name, "module") == 0 && c->has_arg && c->arg->kind == ND_STR &&
			    !c->arg->str[strcspn(c->arg->str, "*?[")])
				vec_push(&names, (void *)c->arg->str);
		}
	}
	const char *system = literal_system(pattern);
	if (system)
		vec_push(&names, (void *)system);
	return names;
}

/* The debuginfo kernel.trace(pattern) searches: the kernel's, then searched_modules'. */
static bool trace_modules(DwModule *kernel, const char *pattern, Loc loc, Vec *mods)
{
	const char *why;
	int ndashd;
	Vec names = searched_modules(pattern, &ndashd);
	vec_push(mods, kernel);
	for (int i = 0; i < names.len; i++) {
		DwModule *m = dwarf_open_module(names.items[i], &why);
		if (!m && i < ndashd) {
			error_at(loc, "semantic error", "kernel.trace: -d %s: %s",
				 (char *)names.items[i], why);
			return false;
		}
		if (m)
			add_module(mods, m);
	}
	return true;
}

/* Arguments a tracepoint handler can take: 8-byte registers and stack slots. */
static bool args_fit(DwFunc *f)
{
	if (f->nparams < 1 || f->nparams - 1 > MAX_TRACE_ARGS)
		return false;
	for (int i = 0; i < f->nparams; i++) {
		DwType *t = f->params[i].type;
		if (!t || t->size > 8 || t->kind == DT_STRUCT || t->kind == DT_UNION ||
		    t->kind == DT_FLOAT)
			return false;
	}
	return true;
}

static bool event_matches(const char *pattern, const char *system, const char *event)
{
	if (strchr(pattern, ':'))
		return fnmatch(pattern, arena_printf("%s:%s", system, event), 0) == 0;
	return fnmatch(pattern, event, 0) == 0;
}

static void no_match(Component *c, const char *pattern, Vec *names)
{
	const char *sim = similar_names(pattern, (const char **)names->items, names->len, 5);
	error_at(c->arg ? c->arg->loc : c->loc, "semantic error",
		 "no match for probe point kernel.trace(\"%s\")%s%s%s", pattern,
		 sim ? " (similar: " : "", sim ? sim : "", sim ? ")" : "");
}

/* The tracepoints of m matching pattern, as probes; their names go to names. */
static int resolve_in(DwModule *m, bool is_module, const char *pattern, ProbePoint *pp,
		      Probe *probe, Vec *out, Vec *names)
{
	DwFuncList iters = dw_find_functions(m, TRACEITER "*", false, false);
	int found = 0;
	for (int i = 0; i < iters.len; i++) {
		DwFunc *f = iters.items[i];
		const char *event = f->name + strlen(TRACEITER);
		const char *system = system_of(f->decl_file);
		vec_push(names, (void *)arena_printf("%s:%s", system, event));
		if (!event_matches(pattern, system, event))
			continue;
		dw_func_params(m, f);
		if (!args_fit(f)) {
			if (cur_session->pass_verbose[1])
				fprintf(stderr, "kernel.trace(\"%s:%s\"): skipped: its arguments do not "
					"fit in registers and stack slots\n", system, event);
			continue;
		}
		/* the same tracepoint twice (two points of one probe) is probed once */
		bool seen = false;
		for (int j = 0; j < out->len && !seen; j++) {
			DerivedProbe *o = out->items[j];
			seen = o->family == &family_trace && o->probe == probe &&
			       ((TraceData *)o->data)->iter == f;
		}
		if (seen)
			continue;
		TraceData *td = arena_alloc(sizeof(*td));
		td->event = event;
		td->system = system;
		td->module = is_module ? dw_module_name(m) : NULL;
		td->iter = f;
		td->nargs = f->nparams - 1;
		td->optional = pp->optional;
		const char *where = arena_printf("kernel.trace(\"%s:%s\")", system, event);
		td->dwarf = dwarf_entry_data(m, f, where);
		vec_push(out, new_derived(&family_trace, probe, td, where));
		found++;
	}
	return found;
}


/* ---- without debuginfo: the kernel's BTF ---- */

/*
 * BTF has the functions __traceiter_NAME with their parameters' names
 * and types (the same function the DWARF route reads), but no source
 * files: an event's system is trace_system_of's (trace_systems.c).
 */

/* Where the tracepoint handler's pt_regs has argument i (after the data pointer). */
static DwLoc arg_location(int i)
{
	static const int regs[] = { 4, 1, 2, 8, 9 };	/* DWARF: rsi, rdx, rcx, r8, r9 */
	if (i < 5)
		return (DwLoc){ .kind = DL_REGISTER, .reg = regs[i] };
	/* above the return address slot at sp (emit_handler's stack[]): from
	   the call's frame address, sp + 8, as the DWARF route spells it */
	const char *cfa = "(STP_REG(c, 7) + 0x8ULL)";
	return (DwLoc){ .kind = DL_MEMORY,
			.c_expr = i == 5 ? cfa : arena_printf("(%s + 0x%xULL)", cfa, 8 * (i - 5)) };
}

/* The arguments of a __traceiter_ FUNC, after the data pointer; -1 if they do not fit. */
static int btf_args(struct btf *b, const struct btf_type *func, DwVar ***vars, DwLoc **locs)
{
	const struct btf_type *proto = btf__type_by_id(b, func->type);
	if (!proto || !btf_is_func_proto(proto))
		return -1;
	int n = btf_vlen(proto) - 1;
	if (n < 0 || n > MAX_TRACE_ARGS)
		return -1;
	const struct btf_param *p = btf_params(proto) + 1;
	*vars = arena_alloc(sizeof(**vars) * (n + 1));
	*locs = arena_alloc(sizeof(**locs) * (n + 1));
	for (int i = 0; i < n; i++) {
		DwVar *v = arena_alloc(sizeof(*v));
		v->name = btf__name_by_offset(b, p[i].name_off);
		v->type = btf_dw_type(b, p[i].type);
		v->is_param = true;
		DwType *t = v->type;
		if (!p[i].type || !v->name || !*v->name || t->size > 8 || t->kind == DT_STRUCT ||
		    t->kind == DT_UNION || t->kind == DT_FLOAT || t->kind == DT_VOID)
			return -1;
		(*vars)[i] = v;
		(*locs)[i] = arg_location(i);
	}
	return n;
}

static bool btf_event_matches(const char *pattern, const char *system, const char *event)
{
	if (strchr(pattern, ':'))
		return system && event_matches(pattern, system, event);
	return fnmatch(pattern, event, 0) == 0;
}

/* The same tracepoint twice (two points of one probe) is probed once. */
static bool already_probed(Vec *out, Probe *probe, const char *event, const char *module)
{
	for (int j = 0; j < out->len; j++) {
		DerivedProbe *o = out->items[j];
		TraceData *td = o->data;
		if (o->family == &family_trace && o->probe == probe &&
		    strcmp(td->event, event) == 0 &&
		    (td->module == module || (td->module && module && !strcmp(td->module, module))))
			return true;
	}
	return false;
}

static struct btf *sorting_btf;

static int cmp_func_name(const void *a, const void *b)
{
	const struct btf_type *x = btf__type_by_id(sorting_btf, *(const int *)a);
	const struct btf_type *y = btf__type_by_id(sorting_btf, *(const int *)b);
	return strcmp(btf__name_by_offset(sorting_btf, x->name_off),
		      btf__name_by_offset(sorting_btf, y->name_off));
}

/*
 * The ids of b's own __traceiter_ functions (a module's: not the kernel's
 * it is split on), by name, as the DWARF route has them.
 */
static Vec traceiters(struct btf *b)
{
	const struct btf *base = btf__base_btf(b);
	int first = base ? (int)btf__type_cnt(base) : 1;
	int n = btf__type_cnt(b);
	int *all = malloc(sizeof(int) * n);
	int len = 0;
	Vec ids = {0};
	if (!all)
		fatal("out of memory");
	for (int id = first; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b, id);
		if (btf_is_func(t) &&
		    strncmp(btf__name_by_offset(b, t->name_off), TRACEITER, strlen(TRACEITER)) == 0)
			all[len++] = id;
	}
	sorting_btf = b;
	qsort(all, len, sizeof(int), cmp_func_name);
	for (int i = 0; i < len; i++)
		vec_push(&ids, (void *)(intptr_t)all[i]);
	free(all);
	return ids;
}

/*
 * The tracepoints of the vmlinux (module NULL) or of a module matching
 * pattern, from BTF, as probes.  A module's event whose header the
 * headers package lacks is of the module's system: the name its trace
 * header most likely gives (nfs's are "nfs").
 */
static int resolve_btf(struct btf *b, const char *module, const char *pattern, ProbePoint *pp,
		       Probe *probe, Vec *out, Vec *names)
{
	int found = 0;
	Vec ids = traceiters(b);
	for (int i = 0; i < ids.len; i++) {
		const struct btf_type *t = btf__type_by_id(b, (int)(intptr_t)ids.items[i]);
		const char *name = btf__name_by_offset(b, t->name_off);
		const char *event = name + strlen(TRACEITER);
		const char *system = trace_system_of(cur_session->kernel_release, event);
		if (!system && module)
			system = module;
		const char *where = system ? arena_printf("kernel.trace(\"%s:%s\")", system, event) :
				     arena_printf("kernel.trace(\"%s\")", event);
		vec_push(names, (void *)(system ? arena_printf("%s:%s", system, event) : event));
		if (!btf_event_matches(pattern, system, event) ||
		    already_probed(out, probe, event, module))
			continue;
		DwVar **vars;
		DwLoc *locs;
		int nargs = btf_args(b, t, &vars, &locs);
		if (nargs < 0) {
			if (cur_session->pass_verbose[1])
				fprintf(stderr, "%s: skipped: its arguments do not fit in registers "
					"and stack slots\n", where);
			continue;
		}
		TraceData *td = arena_alloc(sizeof(*td));
		td->event = event;
		td->system = system;
		td->module = module;
		td->vars = vars;
		td->nargs = nargs;
		td->optional = pp->optional;
		td->dwarf = dwarf_given_data(vars, locs, nargs, where);
		vec_push(out, new_derived(&family_trace, probe, td, where));
		found++;
	}
	return found;
}

/* The kernel's tracepoints from BTF, then searched_modules'; -1 after an error. */
static int resolve_btf_modules(struct btf *kernel, const char *pattern, Loc loc, ProbePoint *pp,
			       Probe *probe, Vec *out, Vec *names)
{
	int found = resolve_btf(kernel, NULL, pattern, pp, probe, out, names), ndashd;
	Vec mods = searched_modules(pattern, &ndashd);
	Vec done = {0};
	for (int i = 0; i < mods.len; i++) {
		const char *why;
		struct btf *b = btf_module(cur_session->kernel_release, mods.items[i], &why);
		if (!b && i < ndashd) {
			error_at(loc, "semantic error", "kernel.trace: -d %s: %s",
				 (char *)mods.items[i], why);
			return -1;
		}
		bool seen = false;
		for (int j = 0; j < done.len; j++)
			seen |= done.items[j] == b;
		if (!b || seen)
			continue;
		vec_push(&done, b);
		found += resolve_btf(b, dw_module_name_of(mods.items[i]), pattern, pp, probe, out,
				     names);
	}
	return found;
}

static bool resolve_trace(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	Component *t = c->next;
	if (!t->has_arg || t->arg->kind != ND_STR || !t->arg->str[0] || t->next) {
		error_at(t->next ? t->next->loc : t->loc, "semantic error",
			 "say kernel.trace(\"SYSTEM:EVENT\") or kernel.trace(\"EVENT\"), with "
			 "wildcards if you like, and nothing after it");
		return false;
	}
	const char *pattern = t->arg->str;
	const char *why = NULL, *btf_why = NULL;
	DwModule *kernel = dwarf_open_module(NULL, &why);
	Vec names = {0};
	int found = 0;
	if (kernel) {
		Vec mods = {0};
		if (!trace_modules(kernel, pattern, t->loc, &mods))
			return false;
		for (int k = 0; k < mods.len; k++)
			found += resolve_in(mods.items[k], k > 0, pattern, pp, probe, out, &names);
	} else {
		struct btf *b = btf_kernel(cur_session->kernel_release, &btf_why);
		if (!b) {
			error_at(t->loc, "semantic error", "kernel.trace needs the kernel's debuginfo "
				 "or its BTF: %s; and %s", why ? why : "none found", btf_why);
			return false;
		}
		found = resolve_btf_modules(b, pattern, t->loc, pp, probe, out, &names);
		if (found < 0)
			return false;
	}
	if (!found) {
		if (pp->optional || cur_session->listing)
			return true;
		no_match(t, pattern, &names);
		return false;
	}
	return true;
}
static void resolve_trace_target(DerivedProbe *d, Node *n)
{
	TraceData *td = d->data;
	if (n->kind == ND_TARGET && strcmp(n->name, "$$name") == 0 && !n->chain) {
		/* the event's name, as SystemTap gives it: a string constant */
		Node *next = n->next;
		Loc loc = n->loc;
		memset(n, 0, sizeof(*n));
		n->kind = ND_STR;
		n->str = td->event;
		n->num = (int64_t)strlen(td->event);
		n->type = TY_STRING;
		n->loc = loc;
		n->next = next;
		return;
	}
	dwarf_lower_target(td->dwarf, d, n);
}

static const char *list_trace_vars(DerivedProbe *d)
{
	TraceData *td = d->data;
	Buf b = {0};
	buf_puts(&b, "");
	for (int i = 0; !td->iter && i < td->nargs; i++)
		buf_printf(&b, " $%s:%s", td->vars[i]->name, td->vars[i]->type->name);
	for (int i = 1; td->iter && i < td->iter->nparams; i++) {
		DwVar *v = &td->iter->params[i];
		buf_printf(&b, " $%s:%s", v->name, v->type && v->type->name ? v->type->name : "?");
	}
	return b.s;
}

/* ---- the module's handlers and table ---- */

/*
 * One handler per probe: the tracepoint calls it with its data pointer
 * and the arguments; it puts them where __traceiter_NAME's callers do
 * (rdi, rsi, rdx, rcx, r8, r9, then the stack above a return address),
 * for the target variables' C, which reads them with STP_REG.
 */
static void emit_handler(FILE *out, DerivedProbe *d, int k)
{
	TraceData *td = d->data;
	static const char *regs[] = { "si", "dx", "cx", "r8", "r9" };
	fprintf(out, "static void stp_trace_%d(void *data", k);
	for (int i = 0; i < td->nargs; i++)
		fprintf(out, ", u64 a%d", i);
	fprintf(out, ")\n{\n");
	fprintf(out, "\tunsigned long stack[%d] = { 0", td->nargs > 5 ? td->nargs - 5 + 1 : 1);
	for (int i = 5; i < td->nargs; i++)
		fprintf(out, ", a%d", i);
	fprintf(out, " };\n\tstruct pt_regs regs = {\n\t\t.di = (unsigned long)data,\n");
	for (int i = 0; i < td->nargs && i < 5; i++)
		fprintf(out, "\t\t.%s = a%d,\n", regs[i], i);
	fprintf(out, "\t\t.sp = (unsigned long)stack,\n\t\t.cs = __KERNEL_CS,\n\t};\n\n");
	fprintf(out, "\tstp_run_probe(&stp_probes[%d], &regs);\n}\n\n", d->id);
}

static void emit_trace(FILE *out, DerivedProbe **probes, int n)
{
	for (int i = 0; i < n; i++)
		emit_handler(out, probes[i], i);
	fprintf(out, "static struct stp_tracepoint stp_tracepoints[] = {\n");
	for (int i = 0; i < n; i++) {
		TraceData *td = probes[i]->data;
		fprintf(out, "\t{ .probe = &stp_probes[%d], .name = \"%s\", .handler = "
			"(void *)stp_trace_%d%s", probes[i]->id, td->event, i,
			td->optional ? ", .optional = true" : "");
		if (td->module)
			fprintf(out, ", .module = \"%s\"", td->module);
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n\n");
}

ProbeFamily family_trace = {
	.name = "trace",
	.first = "kernel",
	.seconds = trace_seconds,
	.resolve = resolve_trace,
	.emit = emit_trace,
	.suffixes = trace_suffixes,
	.shapes = trace_shapes,
	.table_name = "stp_tracepoints",
	.ops_name = "stp_tracepoint_ops",
	.resolve_target = resolve_trace_target,
	.list_vars = list_trace_vars,
};
