/*
 * dwtest - prints what the DWARF layer (translator/dwarf.h) answers, for
 * the tests in this directory and for trying queries by hand.
 *
 *   dwtest [-r RELEASE] [--addr] [--time] TARGET COMMAND ARG [COMMAND ARG]...
 *
 * TARGET: --kernel (the vmlinux of RELEASE), --vmlinux PATH, --module
 * NAME-OR-PATH, --user PATH.  Each COMMAND prints "== COMMAND ARG", then
 * one line per answer:
 *   functions PAT    the functions dw_find_functions gives (no inlines)
 *   all PAT          the same with inlined instances
 *   inlines PAT      inlined instances only
 *   list PAT         -L lines (dw_function_point with variables)
 *   vars PAT         each function's variables at its entry, with locations
 *   statements PAT   dw_find_statements; "nearest PAT" with nearest
 *   type NAME        a type by name and its members
 *   member T.M[.M]   a member chain's offset and type
 *   global NAME      dw_find_global and its location
 *   symbol NAME      dw_symbol_address
 *   count PAT        how many functions, inlines included, and their -l lines
 * --addr adds link-time addresses, --time each command's time on stderr.
 * Exit status: 0, 2 on a bad command, 77 if the debuginfo is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dwarf.h"

/*
 * dwarf.c compiles C headers for @cast(p, "T", "<header.h>") through
 * build.c's run_logged, which this program does not link: it never asks
 * for headers, so a stand-in that fails is enough.
 */
bool run_logged(char *const argv[], const char *dir, const char *log);
bool run_logged(char *const argv[], const char *dir, const char *log)
{
	(void)argv, (void)dir, (void)log;
	return false;
}

static DwModule *mod;
static bool show_addr;		/* --addr: link-time addresses too (each build moves them) */
static const char *prefix;	/* "kernel.function", module("m").function ... */

static void print_func(DwFunc *f)
{
	printf("%s@%s:%d at %s+0x%llx", f->name, f->decl_file, f->decl_line,
	       f->symbol ? f->symbol : "?", (unsigned long long)f->symbol_offset);
	if (show_addr)
		printf(" (0x%llx)", (unsigned long long)f->entry);
	if (f->is_inline_instance)
		printf(" inline");
	if (f->is_exported)
		printf(" exported");
	if (f->blocklisted)
		printf(" blocklisted: %s", f->blocklist_why);
	putchar('\n');
}

static void print_loc(DwLoc loc)
{
	switch (loc.kind) {
	case DL_REGISTER: printf("register %d", loc.reg); break;
	case DL_MEMORY: printf("memory at %s", loc.c_expr); break;
	case DL_VALUE: printf("value %s", loc.c_expr); break;
	case DL_UNAVAILABLE: printf("unavailable: %s", loc.why); break;
	}
	putchar('\n');
}

static void print_vars(DwFunc *f)
{
	dw_func_params(mod, f);
	printf("%s -> %s\n", dw_function_point(mod, f, prefix, false), f->ret->name);
	DwVarList vars = dw_vars_at(mod, f, f->entry, true, true);
	for (int i = 0; i < vars.len; i++) {
		DwVar *v = vars.items[i];
		printf("  %s $%s:%s line %d: ", v->is_param ? "param" : "local", v->name,
		       v->type->name, v->decl_line);
		print_loc(dw_var_location(mod, v, f->entry));
	}
}

static const char *kind_name(DwTypeKind k)
{
	static const char *const names[] = {"void", "int", "float", "pointer", "array",
					    "struct", "union", "function"};
	return names[k];
}

static void print_type_line(DwType *t)
{
	printf("%s: %s size %lld", t->name, kind_name(t->kind), (long long)t->size);
	if (t->kind == DT_INT)
		printf(" %s%s%s", t->is_signed ? "signed" : "unsigned", t->is_char ? " char" : "",
		       t->is_enum ? " enum" : "");
	if (t->kind == DT_ARRAY)
		printf(" of %lld %s", (long long)t->nelems, t->target->name);
	if (t->kind == DT_POINTER)
		printf(" to %s", t->target->name);
}

static void print_type(const char *name)
{
	DwType *t = dw_find_type(mod, name);
	if (!t) {
		printf("no type %s\n", name);
		return;
	}
	print_type_line(t);
	int n = dw_type_members(mod, t);
	printf(n < 0 && (t->kind == DT_STRUCT || t->kind == DT_UNION) ? " incomplete\n" : "\n");
	for (int i = 0; i < n; i++) {
		DwMember *m = &t->members[i];
		printf("  +%lld %s: ", (long long)m->offset, m->name ? m->name : "(anonymous)");
		print_type_line(m->type);
		if (m->bit_size)
			printf(" bits %d..%d", m->bit_offset, m->bit_offset + m->bit_size - 1);
		putchar('\n');
	}
}

/* "struct stm_record.pos.x": offsets add up along the chain */
static void print_member(const char *chain)
{
	const char *dot = strchr(chain, '.');
	DwType *t = dot ? dw_find_type(mod, arena_strndup(chain, dot - chain)) : NULL;
	if (!t)
		printf("no type for %s\n", chain);
	int64_t total = 0;
	while (t && dot) {
		const char *name = dot + 1;
		dot = strchr(name, '.');
		name = dot ? arena_strndup(name, dot - name) : name;
		int64_t off;
		const char *similar = NULL;
		DwMember *m = dw_find_member(mod, t, name, &off, &similar);
		if (!m) {
			printf("no member %s in %s (similar: %s)\n", name, t->name,
			       similar ? similar : "none");
			return;
		}
		total += off;
		t = m->type;
		if (!dot) {
			printf("%s at +%lld: ", chain, (long long)total);
			print_type_line(t);
			if (m->bit_size)
				printf(" bits %d..%d", m->bit_offset,
				       m->bit_offset + m->bit_size - 1);
			putchar('\n');
		}
	}
}

static void print_global(const char *name)
{
	DwLoc loc;
	DwVar *v = dw_find_global(mod, name, &loc);
	if (!v) {
		printf("no global %s\n", name);
		return;
	}
	printf("%s:%s line %d: ", v->name, v->type->name, v->decl_line);
	print_loc(loc);
}

static void print_statements(const char *pat, bool nearest)
{
	DwStatementList sl = dw_find_statements(mod, pat, nearest);
	if (!sl.len)
		printf("no statements for %s\n", pat);
	for (int i = 0; i < sl.len; i++) {
		DwStatement *s = sl.items[i];
		printf("%s@%s:%d at %s+0x%llx", s->func->name, s->file, s->line, s->symbol,
		       (unsigned long long)s->symbol_offset);
		if (show_addr)
			printf(" (0x%llx)", (unsigned long long)s->addr);
		putchar('\n');
	}
}

/* Every function, inlines too, as -l prints them: the listing speed test. */
static void count(const char *pat)
{
	DwFuncList fl = dw_find_functions(mod, pat, true, false);
	size_t bytes = 0;
	int inl = 0;
	for (int i = 0; i < fl.len; i++) {
		bytes += strlen(dw_function_point(mod, fl.items[i], prefix, false));
		inl += fl.items[i]->is_inline_instance;
	}
	printf("%d functions (%d inlined instances), %zu bytes of -l output\n", fl.len, inl, bytes);
}

/* The commands that list functions, and what they ask dw_find_functions for. */
static const struct {
	const char *name;
	bool with_inlines, inline_only;
} func_cmds[] = {
	{"functions", false, false},
	{"all", true, false},
	{"inlines", false, true},
	{"list", true, false},
	{"vars", true, false},
};

static bool run_func_cmd(const char *cmd, const char *arg)
{
	for (size_t c = 0; c < sizeof(func_cmds) / sizeof(func_cmds[0]); c++) {
		if (strcmp(cmd, func_cmds[c].name))
			continue;
		DwFuncList fl = dw_find_functions(mod, arg, func_cmds[c].with_inlines,
						  func_cmds[c].inline_only);
		for (int i = 0; i < fl.len; i++) {
			if (!strcmp(cmd, "list"))
				printf("%s\n", dw_function_point(mod, fl.items[i], prefix, true));
			else if (!strcmp(cmd, "vars"))
				print_vars(fl.items[i]);
			else
				print_func(fl.items[i]);
		}
		if (!fl.len)
			printf("no match for %s\n", arg);
		return true;
	}
	return false;
}

static int run(const char *cmd, const char *arg)
{
	if (run_func_cmd(cmd, arg))
		return 0;
	if (!strcmp(cmd, "statements") || !strcmp(cmd, "nearest"))
		print_statements(arg, !strcmp(cmd, "nearest"));
	else if (!strcmp(cmd, "type"))
		print_type(arg);
	else if (!strcmp(cmd, "member"))
		print_member(arg);
	else if (!strcmp(cmd, "global"))
		print_global(arg);
	else if (!strcmp(cmd, "symbol"))
		printf("%s = 0x%llx\n", arg, (unsigned long long)dw_symbol_address(mod, arg));
	else if (!strcmp(cmd, "count"))
		count(arg);
	else {
		fprintf(stderr, "dwtest: unknown command %s\n", cmd);
		return 2;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static DwModule *open_target(const char *kind, const char *arg, const char *release,
			     const char **why)
{
	if (!strcmp(kind, "--kernel") || !strcmp(kind, "--vmlinux")) {
		prefix = "kernel.function";
		return dw_open_kernel(release, arg, why);
	}
	if (!strcmp(kind, "--module")) {
		DwModule *m = dw_open_module(release, arg, why);
		if (m)
			prefix = arena_printf("module(\"%s\").function", dw_module_name(m));
		return m;
	}
	if (!strcmp(kind, "--user")) {
		prefix = arena_printf("process(\"%s\").function", arg);
		return dw_open_user(arg, why);
	}
	*why = "no target: --kernel, --vmlinux PATH, --module NAME|PATH or --user PATH";
	return NULL;
}

int main(int argc, char **argv)
{
	const char *release = getenv("STAP_RELEASE");
	int i = 1;
	bool timing = false;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-r") && i + 1 < argc)
			release = argv[++i];
		else if (!strcmp(argv[i], "--time"))
			timing = true;
		else if (!strcmp(argv[i], "--addr"))
			show_addr = true;
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: dwtest [-r RELEASE] [--addr] [--time] "
			"TARGET COMMAND ARG...\n");
		return 2;
	}
	const char *kind = argv[i++];
	const char *arg = strcmp(kind, "--kernel") && i < argc ? argv[i++] : NULL;
	const char *why = NULL;
	double t0 = now();
	mod = open_target(kind, arg, release ? release : "", &why);
	if (!mod) {
		fprintf(stderr, "dwtest: %s\n", why);
		return 77;
	}
	int rc = 0;
	for (; i + 1 < argc; i += 2) {
		double t = now();
		printf("== %s %s\n", argv[i], argv[i + 1]);
		rc |= run(argv[i], argv[i + 1]);
		if (timing)
			fprintf(stderr, "%s %s: %.3f s\n", argv[i], argv[i + 1], now() - t);
	}
	if (timing)
		fprintf(stderr, "total: %.3f s\n", now() - t0);
	return rc;
}
