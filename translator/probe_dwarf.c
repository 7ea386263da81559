/*
 * probe_dwarf.c - probes placed with the kernel's debuginfo:
 *
 *   kernel.function("PATTERN")[.call|.return|.inline|.exported][.maxactive(N)]
 *   module("NAME").function("PATTERN")...     NAME may be a .ko path
 *   kernel.statement("func@file:line")[.nearest], module("NAME").statement(...)
 *
 * PATTERN is func[@file[:line | :N-M | +offset]] with wildcards; dwarf.h
 * finds what it matches.  Each address found becomes one DerivedProbe,
 * registered as a kprobe (a kretprobe for .return) on symbol+offset by
 * runtime/kprobe.c, so that KASLR and module load addresses are the
 * kernel's business.  An inlined instance is probed at its address
 * inside its caller.
 *
 * Target variables ($var->member[i], $$parms, $var$, @cast, @var, &,
 * @entry, @defined) are lowered here, per address, into C that reads
 * registers and memory through runtime/loc.c's fault-safe helpers (see
 * TargetCode in stap.h).  In a .return probe the parameters are read as
 * they were at entry: the kretprobe keeps the entry registers.  Each
 * value lowered here carries its C type on (ValueType), and an autocast,
 * '->' after a value that has one (autocast.c), is lowered here too.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stap.h"
#include "btf.h"
#include "dwarf.h"

typedef struct DwarfData {
	DwModule *mod;
	DwFunc *func;		/* the function, or the one the statement is in */
	uint64_t addr;		/* link-time address probed */
	const char *symbol;	/* kprobe symbol: "vfs_read", "stap_testmod:stm_add_ints" */
	uint64_t offset;
	bool is_return;
	bool is_statement;
	int maxactive;
	bool optional;
	bool save_entry;	/* .return reading parameters: keep the entry registers */
	bool hide_first_param;	/* kernel.trace: only the arguments after the data pointer */
	bool is_user;		/* process("PATH"): a uprobe; memory read as the user's */
	const char *path;	/* process: the binary */
	const char *exe;	/* .library: the program whose processes it fires in */
	/* .return with @entry(expr): a probe run at the function's entry
	   (the kretprobe's entry handler) saves each expr in a slot */
	DerivedProbe *entry_helper;
	int nslots;
	bool is_entry_helper;	/* that probe: not registered on its own */
	int entry_helper_index;	/* process: the .return probe's row in the table */
	/* no debuginfo, but variables known otherwise (kernel.trace from BTF):
	   their names, types and locations */
	DwVar **given;
	DwLoc *given_locs;
	int ngiven;
	bool kernel_btf;	/* the kernel has no debuginfo: its types are its BTF's */
	const char *where;	/* the point without suffixes, for messages */
} DwarfData;

static const char *dwarf_suffixes[] = { "function", "statement", "call", "return", "inline",
					"exported", "maxactive", "nearest", NULL };
static const char *dwarf_seconds[] = { "function", "statement", NULL };

/* The forms of point, for wildcard components and --dump-probe-types */
#define FUNCTION_SHAPES(P) P ".function(S)", P ".function(S).call", P ".function(S).return", \
	P ".function(S).return.maxactive(N)", P ".function(S).inline", \
	P ".statement(S)", P ".statement(S).nearest"
static const char *const dwarf_shapes[] = {
	FUNCTION_SHAPES("kernel"), "kernel.function(S).exported",
	FUNCTION_SHAPES("module(S)"), "module(S).function(S).exported", NULL,
};
static const char *const uprobe_shapes[] = { FUNCTION_SHAPES("process(S)"), NULL };

/* ---- debuginfo, opened once per object ---- */

typedef struct OpenMod {
	const char *key;
	DwModule *mod;
	const char *why;
} OpenMod;
static Vec open_mods;

static DwModule *open_mod_as(const char *module, bool user, const char **why)
{
	const char *key = user ? arena_printf("process:%s", module) : module ? module : "";
	for (int i = 0; i < open_mods.len; i++) {
		OpenMod *o = open_mods.items[i];
		if (strcmp(o->key, key) == 0) {
			*why = o->why;
			return o->mod;
		}
	}
	Session *s = cur_session;
	OpenMod *o = arena_alloc(sizeof(*o));
	o->key = arena_strdup(key);
	o->mod = user ? dw_open_user(module, &o->why) :
		 module && module[0] == '<' ? dw_open_headers(module, &o->why) :
		 module ? dw_open_module(s->kernel_release, module, &o->why) :
			  dw_open_kernel(s->kernel_release, s->vmlinux, &o->why);
	vec_push(&open_mods, o);
	*why = o->why;
	return o->mod;
}

static DwModule *open_mod(const char *module, const char **why)
{
	return open_mod_as(module, false, why);
}

DwModule *dwarf_open_module(const char *module, const char **why)
{
	return open_mod(module, why);
}

/* ---- probe points ---- */

typedef struct PointSpec {
	const char *module;	/* module("m"), or NULL for kernel */
	const char *process;	/* process("PATH"): the file probed, absolute */
	const char *exe;	/* process("PATH").library("LIB"): PATH, whose processes
				   alone run the probes in LIB (then process) */
	Component *what;	/* function(...) or statement(...) */
	const char *pattern;
	bool is_statement;
	bool call, ret, inl, exported, nearest;
	int maxactive;
	Buf suffix;		/* ".return" ... as written, for pp */
} PointSpec;

static bool string_arg(Component *c, const char **out)
{
	if (!c->has_arg || c->arg->kind != ND_STR || !c->arg->str[0]) {
		error_at(c->loc, "semantic error", "'%s' takes a string: %s(\"...\")", c->name,
			 c->name);
		return false;
	}
	*out = c->arg->str;
	return true;
}

/*
 * .library("LIB") of process("PATH"): a path, or a library that PATH needs
 * (by its file name, wildcards allowed), or one where the loader would
 * find a library of that name (dlopen).
 */
static bool parse_library(Component *c, PointSpec *ps)
{
	const char *name;
	if (!string_arg(c, &name))
		return false;
	const char *why = NULL;
	const char *lib = find_library_of(ps->process, name, &why);
	char *abs = lib ? realpath(lib, NULL) : NULL;
	if (!abs) {
		error_at(c->arg->loc, "semantic error", "library(\"%s\") of process(\"%s\"): %s",
			 name, ps->process, lib ? strerror(errno) : why);
		return false;
	}
	ps->exe = ps->process;
	ps->process = arena_strdup(abs);
	free(abs);
	return true;
}

/* process("ls"): its absolute path, found through $PATH */
static bool program_process(Component *c, PointSpec *ps, bool optional)
{
	char *abs = program_path(ps->process);
	if (!abs) {
		if (!optional)
			error_at(c->arg->loc, "semantic error", "process(\"%s\"): %s",
				 ps->process, strerror(errno));
		return false;
	}
	ps->process = arena_strdup(abs);
	free(abs);
	return true;
}

/* optional: a program that is not there is no error (process("PATH")?) */
static bool parse_spec(Component *c, PointSpec *ps, bool optional)
{
	memset(ps, 0, sizeof(*ps));
	buf_puts(&ps->suffix, "");
	if (strcmp(c->name, "process") == 0) {
		if (!string_arg(c, &ps->process))
			return false;
		if (!strpbrk(ps->process, "*?[") && !program_process(c, ps, optional))
			return false;	/* a pattern: resolve_dwarf globs it */
		if (c->next && strcmp(c->next->name, "library") == 0 && !parse_library(c->next, ps))
			return false;
	} else if (strcmp(c->name, "kernel") != 0) {	/* module("name") */
		if (!string_arg(c, &ps->module))
			return false;
	} else if (c->has_arg) {
		error_at(c->loc, "semantic error", "'kernel' takes no argument");
		return false;
	}
	ps->what = ps->exe ? c->next->next : c->next;
	if (!ps->what || (strcmp(ps->what->name, "function") && strcmp(ps->what->name, "statement"))) {
		error_at(c->next->loc, "semantic error", "no match for probe point: .library(\"%s\") "
			 "takes .function(\"...\"), .statement(\"...\") or .mark(\"...\")",
			 c->next->arg->str);
		return false;
	}
	ps->is_statement = strcmp(ps->what->name, "statement") == 0;
	if (!string_arg(ps->what, &ps->pattern))
		return false;
	for (Component *x = ps->what->next; x; x = x->next) {
		bool *flag = NULL;
		if (strcmp(x->name, "call") == 0 && !ps->is_statement)
			flag = &ps->call;
		else if (strcmp(x->name, "return") == 0 && !ps->is_statement)
			flag = &ps->ret;
		else if (strcmp(x->name, "inline") == 0 && !ps->is_statement)
			flag = &ps->inl;
		else if (strcmp(x->name, "exported") == 0 && !ps->is_statement)
			flag = &ps->exported;
		else if (strcmp(x->name, "nearest") == 0 && ps->is_statement)
			flag = &ps->nearest;
		if (flag && !x->has_arg) {
			*flag = true;
			buf_printf(&ps->suffix, ".%s", x->name);
			continue;
		}
		if (strcmp(x->name, "maxactive") == 0 && ps->ret && x->has_arg &&
		    x->arg->kind == ND_NUM && x->arg->num > 0 && x->arg->num < 65536) {
			ps->maxactive = (int)x->arg->num;
			buf_printf(&ps->suffix, ".maxactive(%d)", ps->maxactive);
			continue;
		}
		error_at(x->loc, "semantic error",
			 "no match for probe point: '.%s' does not apply to %s(\"%s\") (it takes %s)",
			 x->name, ps->what->name, ps->pattern,
			 ps->is_statement ? ".nearest"
					  : ".call, .return, .return.maxactive(N), .inline, .exported");
		return false;
	}
	if (ps->call + ps->ret + ps->inl > 1) {
		error_at(ps->what->loc, "semantic error",
			 "no match for probe point: .call, .return and .inline exclude each other");
		return false;
	}
	return true;
}

/* "kernel.function", module("ext4").statement: a .ko path becomes its name */
static const char *point_prefix(PointSpec *ps, DwModule *m)
{
	const char *what = ps->is_statement ? "statement" : "function";
	if (ps->exe)
		return arena_printf("process(\"%s\").library(\"%s\").%s", ps->exe, ps->process,
				    what);
	if (ps->process)
		return arena_printf("process(\"%s\").%s", ps->process, what);
	if (ps->module)
		return arena_printf("module(\"%s\").%s", m ? dw_module_name(m) : ps->module, what);
	return arena_printf("kernel.%s", what);
}

static bool has_wildcard(const char *pattern)
{
	size_t n = strcspn(pattern, "@");
	for (size_t i = 0; i < n; i++)
		if (strchr("*?[", pattern[i]))
			return true;
	return false;
}

typedef struct FuncSym {
	const char *name;
	uint64_t addr;
} FuncSym;

static int compare_syms(const void *a, const void *b)
{
	const FuncSym *x = *(FuncSym *const *)a, *y = *(FuncSym *const *)b;
	return strcmp(x->name, y->name);
}

/*
 * Where a link-time address of a program is in its file, which is what a
 * uprobe is placed by: through the PT_LOAD segment that maps it.  False
 * when no segment of code does (the kernel would refuse the uprobe).
 */
static bool file_offset(const char *path, uint64_t addr, uint64_t *off)
{
	Vec segs = elf_load_segments(path);
	for (int i = 0; i < segs.len; i++) {
		ElfSegment *sg = segs.items[i];
		if (sg->exec && addr >= sg->vaddr && addr < sg->vaddr + sg->filesz) {
			*off = addr - sg->vaddr + sg->offset;
			return true;
		}
	}
	return false;
}

/*
 * Why the kernel's uprobes would refuse the instruction at file offset OFF
 * of PATH, or NULL.  x86's uprobes single-step a copy of the instruction
 * and reject one with a LOCK or an ES/CS/SS/DS segment prefix; they do it
 * when a process maps the file, where nothing reports it, so that the
 * probe would just never fire.  (An -O2 function that begins by
 * incrementing a shared counter starts with "lock add".)
 */
static const char *refused_instruction(const char *path, uint64_t off)
{
	unsigned char code[15];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = pread(fd, code, sizeof(code), (off_t)off);
	close(fd);
	for (ssize_t i = 0; i < n; i++) {
		switch (code[i]) {
		case 0xf0:
			return "a LOCK prefix";
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			return "a segment override prefix";
		case 0x64: case 0x65: case 0x66: case 0x67: case 0xf2: case 0xf3:
			continue;	/* prefixes uprobes take */
		default:
			return NULL;	/* the opcode (or its REX prefix) */
		}
	}
	return NULL;
}

/* --vm copies the programs and libraries probed; their symbols go in the module */
static void add_vm_copy(const char *path)
{
	for (int i = 0; i < cur_session->vm_copies.len; i++)
		if (strcmp(cur_session->vm_copies.items[i], path) == 0)
			return;
	vec_push(&cur_session->vm_copies, (void *)path);
}

static DerivedProbe *new_probe(PointSpec *ps, ProbePoint *pp, Probe *probe, DwModule *m,
			       DwFunc *f, uint64_t addr, const char *symbol, uint64_t offset,
			       const char *where)
{
	DwarfData *dd = arena_alloc(sizeof(*dd));
	dd->mod = m;
	dd->func = f;
	dd->addr = addr;
	dd->symbol = ps->module ? arena_printf("%s:%s", dw_module_name(m), symbol) : symbol;
	dd->offset = offset;
	if (ps->process) {
		add_vm_copy(ps->process);
		if (ps->exe)
			add_vm_copy(ps->exe);
		dd->is_user = true;
		dd->path = ps->process;
		dd->exe = ps->exe;
		const char *refused = NULL;
		if (!file_offset(ps->process, addr, &dd->offset))
			error_at(pp->loc, "semantic error", "cannot probe %s: its address 0x%llx is "
				 "in no code segment of %s", where, (unsigned long long)addr,
				 ps->process);
		else if (!cur_session->listing)
			refused = refused_instruction(ps->process, dd->offset);
		/* one point of a wildcard is left out, as those without a symbol are */
		if (refused && strpbrk(ps->pattern, "*?[")) {
			if (cur_session->pass_verbose[1])
				fprintf(stderr, "skipping %s: the instruction at 0x%llx has %s, "
					"which the kernel's uprobes refuse\n", where,
					(unsigned long long)addr, refused);
			return NULL;
		}
		if (refused)
			error_at(pp->loc, "semantic error", "cannot probe %s: the instruction at "
				 "0x%llx of %s has %s, which the kernel's uprobes refuse to "
				 "single-step",
				 where, (unsigned long long)addr, ps->process, refused);
	}
	dd->is_return = ps->ret;
	dd->is_statement = ps->is_statement;
	dd->maxactive = ps->maxactive;
	dd->optional = pp->optional;
	dd->where = where;
	return new_derived(ps->process ? &family_uprobe : &family_dwarf, probe, dd,
			   arena_printf("%s%s", where, ps->suffix.s));
}

/* A probe new_probe made: none for a wildcard's point that cannot be probed. */
static void push_probe(Vec *out, DerivedProbe *dp)
{
	if (dp)
		vec_push(out, dp);
}

/* Function names of m close to the pattern's, for "no match". */
static const char *similar_functions(DwModule *m, const char *pattern)
{
	DwFuncList all = dw_find_functions(m, "*", false, false);
	const char **names = arena_alloc(sizeof(char *) * (all.len + 1));
	for (int i = 0; i < all.len; i++)
		names[i] = all.items[i]->name;
	const char *name = arena_strndup(pattern, strcspn(pattern, "@"));
	return similar_names(name, names, all.len, 5);
}

static void no_match(PointSpec *ps, ProbePoint *pp, DwModule *m, int skipped)
{
	if (pp->optional || cur_session->listing)
		return;
	const char *point = arena_printf("%s(\"%s\")", point_prefix(ps, m), ps->pattern);
	if (skipped) {
		error_at(pp->loc, "semantic error",
			 "no match for probe point %s: %s it matches cannot be probed "
			 "(stap -v says why)", point,
			 skipped == 1 ? "the function" : arena_printf("the %d functions", skipped));
		return;
	}
	const char *sim = ps->is_statement ? NULL : similar_functions(m, ps->pattern);
	if (sim)
		error_at(pp->loc, "semantic error", "no match for probe point %s (similar: %s)",
			 point, sim);
	else
		error_at(pp->loc, "semantic error", "no match for probe point %s", point);
}

/*
 * Where a process("PATH").function probe goes: the entry, where every
 * parameter is where its location says (registers; optimized code's
 * location lists follow them), or else after the prologue, where code
 * built without optimization has stored them in their frame slots.  At
 * the entry after all when the line table does not say where the
 * prologue ends: such parameters then read as unavailable.
 */
static uint64_t user_probe_addr(DwModule *m, DwFunc *f)
{
	if (f->is_inline_instance)
		return f->entry;
	int n = dw_func_params(m, f);
	for (int i = 0; i < n; i++) {
		if (!dw_var_set_at(m, f, &f->params[i], f->entry)) {
			uint64_t body = dw_func_body_addr(m, f);
			return body ? body : f->entry;
		}
	}
	return f->entry;
}

static Vec function_symbols(const char *path, const char *pattern);

/*
 * A user program's functions by names only its symbol table has, for
 * functions its debuginfo knows by another (glibc's malloc is
 * __libc_malloc there): the DWARF function at each symbol's address,
 * under the name asked for, with its variables.  How many were found.
 */
static int resolve_aliases(PointSpec *ps, ProbePoint *pp, Probe *probe, DwModule *m, Vec *out)
{
	Vec syms = function_symbols(ps->process, ps->pattern);
	DwFuncList all = syms.len ? dw_find_functions(m, "*", false, false) : (DwFuncList){0};
	int found = 0;
	for (int i = 0; i < syms.len; i++) {
		FuncSym *fs = syms.items[i];
		for (int j = 0; j < all.len; j++) {
			DwFunc *f = all.items[j];
			if (f->entry != fs->addr || f->blocklisted || !f->symbol)
				continue;
			DwFunc *alias = arena_alloc(sizeof(*alias));
			*alias = *f;
			alias->name = fs->name;
			const char *where = dw_function_point(m, alias, point_prefix(ps, m), false);
			uint64_t addr = ps->ret ? f->entry : user_probe_addr(m, f);
			push_probe(out, new_probe(ps, pp, probe, m, alias, addr, f->symbol,
						f->symbol_offset + (addr - f->entry), where));
			found++;
			break;
		}
	}
	return found;
}

static bool resolve_functions(PointSpec *ps, ProbePoint *pp, Probe *probe, DwModule *m,
			      Vec *out)
{
	bool with_inlines = !ps->call && !ps->ret && !ps->exported;
	DwFuncList fl = dw_find_functions(m, ps->pattern, with_inlines, ps->inl);
	const char *prefix = point_prefix(ps, m);
	bool wild = has_wildcard(ps->pattern);
	int found = 0, skipped = 0;
	for (int i = 0; i < fl.len; i++) {
		DwFunc *f = fl.items[i];
		if (ps->exported && !f->is_exported)
			continue;
		const char *where = dw_function_point(m, f, prefix, false);
		if (f->blocklisted) {
			skipped++;
			if (!wild && !cur_session->listing && !pp->optional) {
				error_at(pp->loc, "semantic error", "cannot probe %s: %s", where,
					 f->blocklist_why);
				return false;
			}
			if (cur_session->pass_verbose[1] && !cur_session->listing)
				fprintf(stderr, "skipping %s: %s\n", where, f->blocklist_why);
			continue;
		}
		if (!f->symbol) {
			skipped++;
			if (cur_session->pass_verbose[1] && !cur_session->listing)
				fprintf(stderr, "skipping %s: no symbol to place a kprobe on\n", where);
			continue;
		}
		uint64_t addr = ps->process && !ps->ret ? user_probe_addr(m, f) : f->entry;
		push_probe(out, new_probe(ps, pp, probe, m, f, addr, f->symbol,
					f->symbol_offset + (addr - f->entry), where));
		found++;
	}
	if (!found && !skipped && ps->process && !strchr(ps->pattern, '@'))
		found = resolve_aliases(ps, pp, probe, m, out);
	if (!found)
		no_match(ps, pp, m, skipped);
	return true;
}

static bool resolve_statements(PointSpec *ps, ProbePoint *pp, Probe *probe, DwModule *m,
			       Vec *out)
{
	DwStatementList sl = dw_find_statements(m, ps->pattern, ps->nearest);
	const char *prefix = point_prefix(ps, m);
	int found = 0, skipped = 0;
	for (int i = 0; i < sl.len; i++) {
		DwStatement *st = sl.items[i];
		if (!st->symbol || (st->func && st->func->blocklisted)) {
			skipped++;
			continue;
		}
		const char *where = arena_printf("%s(\"%s@%s:%d\")", prefix,
						 st->func ? st->func->name : "*", st->file, st->line);
		push_probe(out, new_probe(ps, pp, probe, m, st->func, st->addr, st->symbol,
					st->symbol_offset, where));
		found++;
	}
	if (!found)
		no_match(ps, pp, m, skipped);
	return true;
}

/* A program's function symbols matching pattern, sorted by name, one per address. */
static Vec function_symbols(const char *path, const char *pattern)
{
	const char *why;
	Vec all = elf_function_symbols(path, true, &why), out = {0};
	for (int i = 0; i < all.len; i++) {
		ElfFuncSym *es = all.items[i];
		if (fnmatch(pattern, es->name, 0) != 0)
			continue;
		/* one name per address: aliases come together, by address */
		if (out.len && ((FuncSym *)out.items[out.len - 1])->addr == es->addr)
			continue;
		FuncSym *fs = arena_alloc(sizeof(*fs));
		fs->name = es->name;
		fs->addr = es->addr;
		vec_push(&out, fs);
	}
	if (out.len)
		qsort(out.items, out.len, sizeof(void *), compare_syms);
	return out;
}

/* Why a program without debuginfo has no function by a name, by its symbols. */
static const char *no_symbol_why(const char *path)
{
	switch (elf_symbol_table(path)) {
	case SHT_SYMTAB:
		return "its symbol table has no such function either";
	case SHT_DYNSYM:
		return "it is stripped: its dynamic symbols, all it has left, name no such function";
	default:
		return "it is stripped of its symbols too";
	}
}

/*
 * process("PATH").function("name") on a program without debuginfo: its
 * symbol table places the probes; there are no target variables.
 */
static bool resolve_symbols(PointSpec *ps, ProbePoint *pp, Probe *probe, Vec *out,
			    const char *why)
{
	Vec syms = function_symbols(ps->process, ps->pattern);
	for (int i = 0; i < syms.len; i++) {
		FuncSym *fs = syms.items[i];
		const char *where = arena_printf("%s(\"%s\")", point_prefix(ps, NULL), fs->name);
		push_probe(out, new_probe(ps, pp, probe, NULL, NULL, fs->addr, fs->name, 0, where));
	}
	if (!syms.len && !pp->optional && !cur_session->listing)
		error_at(pp->loc, "semantic error", "no match for probe point %s(\"%s\") (%s; %s)",
			 point_prefix(ps, NULL), ps->pattern, why, no_symbol_why(ps->process));
	return syms.len > 0 || pp->optional || cur_session->listing;
}

static bool resolve_spec(PointSpec ps, ProbePoint *pp, Probe *probe, Vec *out);

/*
 * process("/usr/lib/ * /libssl.so.*") (without the spaces): each file the
 * pattern names, as if it were written alone (a symlink and its target are one file).
 */
static bool resolve_process_glob(PointSpec *ps, ProbePoint *pp, Probe *probe, Vec *out)
{
	glob_t g;
	Vec seen = {0};
	bool any = false;
	if (glob(ps->process, 0, NULL, &g) != 0)
		g.gl_pathc = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char *abs = realpath(g.gl_pathv[i], NULL);
		bool dup = !abs;
		for (int j = 0; abs && j < seen.len; j++)
			dup |= strcmp(seen.items[j], abs) == 0;
		if (!dup) {
			PointSpec one = *ps;
			one.process = arena_strdup(abs);
			vec_push(&seen, (void *)one.process);
			any |= resolve_spec(one, pp, probe, out);
		}
		free(abs);
	}
	if (g.gl_pathc)
		globfree(&g);
	if (!seen.len && !pp->optional && !cur_session->listing)
		error_at(pp->loc, "semantic error", "process(\"%s\"): no file matches",
			 ps->process);
	return any || pp->optional || cur_session->listing;
}

static bool resolve_dwarf(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	/* process("PATH").library("LIB").mark("NAME"): the library's marker */
	if (strcmp(c->name, "process") == 0 && sdt_is_mark_point(c))
		return sdt_resolve(pp, c, probe, out);
	/* process("PATH").library("LIB").plt("NAME"): the library's PLT entry */
	if (strcmp(c->name, "process") == 0 && plt_is_plt_point(c))
		return plt_resolve(pp, c, probe, out);
	/* stap -l 'kernel.*': nothing to list without a function pattern */
	if (cur_session->listing && (!c->next->has_arg || strchr(c->next->name, '*')))
		return false;
	PointSpec ps;
	if (!parse_spec(c, &ps, pp->optional || cur_session->listing))
		return false;
	if (ps.process && strpbrk(ps.process, "*?["))
		return resolve_process_glob(&ps, pp, probe, out);
	return resolve_spec(ps, pp, probe, out);
}

/* One parsed point, its program or module named exactly. */
static bool resolve_spec(PointSpec ps, ProbePoint *pp, Probe *probe, Vec *out)
{
	const char *why;
	DwModule *m = ps.process ? open_mod_as(ps.process, true, &why) : open_mod(ps.module, &why);
	if (!m && ps.process && !ps.is_statement && !strchr(ps.pattern, '@'))
		return resolve_symbols(&ps, pp, probe, out, why);
	if (!m) {
		if (!pp->optional && !cur_session->listing)
			error_at(pp->loc, "semantic error", "cannot probe %s(\"%s\"): %s",
				 point_prefix(&ps, NULL), ps.pattern, why);
		return false;
	}
	if (ps.is_statement)
		return resolve_statements(&ps, pp, probe, m, out);
	return resolve_functions(&ps, pp, probe, m, out);
}

/* ---- target variables ---- */

/* Where a value being lowered is: in memory at addr, or the value itself. */
typedef struct Val {
	DwModule *mod;		/* whose debuginfo type is */
	DwType *type;
	const char *addr;	/* C: its address, or NULL */
	const char *value;	/* C: the value (registers, constants) */
	int reg;		/* in this DWARF register (for writes), else -1 */
	int bit_size, bit_offset;
} Val;

typedef struct Lower {
	DerivedProbe *d;
	DwarfData *dd;
	Node *n;
	bool quiet;		/* @defined: a failure is no error */
	bool failed;
	Vec indexes;		/* Node*: STP_IDX(k) */
} Lower;

static void fail(Lower *lw, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(Lower *lw, Loc loc, const char *fmt, ...)
{
	if (lw->failed)
		return;
	lw->failed = true;
	if (lw->quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	error_at(loc, "semantic error", "%s", buf);
}

static const char *type_name_of(DwType *t)
{
	return t && t->name ? t->name : "?";
}

/* The C expression of a value of an integer type held in a register or constant. */
static const char *int_cast(DwType *t, const char *v)
{
	if (t->size >= 8 || t->size <= 0)
		return arena_printf("(s64)(%s)", v);
	return arena_printf("(s64)(%s%d)(%s)", t->is_signed ? "s" : "u", (int)t->size * 8, v);
}

/* The fault-safe reader of the probed code's memory: the kernel's or the user's. */
static const char *reader(Lower *lw)
{
	return lw->dd->is_user ? "stp_uread" : "stp_kread";
}

/* The value of v as a long (C), reading memory where it lives. */
static const char *value_of(Lower *lw, Val *v, Loc loc)
{
	DwType *t = v->type;
	switch (t->kind) {
	case DT_INT:
		if (v->value)
			return int_cast(t, v->value);
		if (v->bit_size)
			return arena_printf("stp_bitfield(%s(c, %s, %d, false), %d, %d, %s)",
					    reader(lw), v->addr, (int)t->size, v->bit_offset,
					    v->bit_size, t->is_signed ? "true" : "false");
		return arena_printf("%s(c, %s, %d, %s)", reader(lw), v->addr, (int)t->size,
				    t->is_signed ? "true" : "false");
	case DT_POINTER:
		if (v->value)
			return arena_printf("(s64)(%s)", v->value);
		if (lw->dd->is_user)
			return arena_printf("stp_uread(c, %s, 8, false)", v->addr);
		return arena_printf("(s64)stp_kread_u64(c, %s)", v->addr);
	case DT_ARRAY:
	case DT_FUNC:
		if (v->addr)
			return arena_printf("(s64)(%s)", v->addr);
		break;
	case DT_STRUCT:
	case DT_UNION: {
		Buf b = {0};
		dump_expr(&b, lw->n);
		fail(lw, loc, "'%s' is a %s, not a value: use one of its members (->name), or "
		     "print it with '%s$'", b.s, type_name_of(t), b.s);
		return "0";
	}
	default:
		break;
	}
	fail(lw, loc, "cannot use a value of type %s", type_name_of(t));
	return "0";
}

static bool is_aggregate(DwType *t)
{
	return t->kind == DT_STRUCT || t->kind == DT_UNION;
}

/* ->name: into the struct v points to or is. */
static bool member(Lower *lw, Val *v, Chain *ch)
{
	const char *base = v->addr;
	DwType *t = v->type;
	if (t->kind == DT_POINTER && t->target && is_aggregate(t->target)) {
		base = value_of(lw, v, ch->loc);
		t = t->target;
	}
	if (!is_aggregate(t)) {
		fail(lw, ch->loc, "'->%s' needs a struct or union, or a pointer to one, not %s",
		     ch->name, type_name_of(t));
		return false;
	}
	if (!base) {
		fail(lw, ch->loc, "'->%s': the %s is held in registers, not in memory",
		     ch->name, type_name_of(t));
		return false;
	}
	if (dw_type_members(v->mod, t) < 0) {
		fail(lw, ch->loc, "%s is incomplete here (declared, not defined): no member '%s'",
		     type_name_of(t), ch->name);
		return false;
	}
	int64_t off;
	const char *similar = NULL;
	DwMember *mb = dw_find_member(v->mod, t, ch->name, &off, &similar);
	if (!mb) {
		if (similar)
			fail(lw, ch->loc, "%s has no member '%s' (similar: %s)", type_name_of(t),
			     ch->name, similar);
		else
			fail(lw, ch->loc, "%s has no member '%s'", type_name_of(t), ch->name);
		return false;
	}
	v->addr = off ? arena_printf("(%s + 0x%llxULL)", base, (unsigned long long)off) : base;
	v->value = NULL;
	v->reg = -1;
	v->type = mb->type;
	v->bit_size = mb->bit_size;
	v->bit_offset = mb->bit_offset;
	return true;
}

/* [i] from base, over elements of type elem (of the array or pointer t). */
static bool element_at(Lower *lw, Val *v, Chain *ch, const char *base, DwType *elem,
		       DwType *t)
{
	if (!elem || elem->size <= 0) {
		fail(lw, ch->loc, "'[]' on %s: its elements have no size", type_name_of(t));
		return false;
	}
	int k = lw->indexes.len;
	vec_push(&lw->indexes, ch->index);
	v->addr = arena_printf("((u64)(%s) + (u64)STP_IDX(%d) * %lld)", base, k,
			       (long long)elem->size);
	v->value = NULL;
	v->reg = -1;
	v->type = elem;
	v->bit_size = 0;
	return true;
}

/* [i]: an element of the array v is, or v points to. */
static bool element(Lower *lw, Val *v, Chain *ch)
{
	DwType *t = v->type;
	if (t->kind == DT_POINTER)
		return element_at(lw, v, ch, value_of(lw, v, ch->loc), t->target, t);
	if (t->kind == DT_ARRAY && v->addr)
		return element_at(lw, v, ch, v->addr, t->target, t);
	fail(lw, ch->loc, "'[]' needs an array or a pointer, not %s", type_name_of(t));
	return false;
}

/*
 * @cast(p, "T")[i]: p is a T *, so this is C's ((T *)p)[i], whatever T is;
 * &@cast(0, "T")[1] is the size of T (the @cast_sizeof macro).
 */
static bool cast_element(Lower *lw, Val *v, Chain *ch)
{
	return element_at(lw, v, ch, v->addr, v->type, v->type);
}

static void read_at_prologue_end(Lower *lw, Val *v);

/*
 * The variables at the probe's address: the debuginfo's, or those given.
 * A tracepoint's are its arguments: not __traceiter_NAME's data pointer
 * or its locals.
 */
static DwVarList vars_here(DwarfData *dd, bool params, bool locals)
{
	if (dd->given)
		return (DwVarList){ .items = params ? dd->given : NULL,
				    .len = params ? dd->ngiven : 0 };
	uint64_t addr = dd->is_return ? dd->func->entry : dd->addr;
	if (!dd->hide_first_param)
		return dw_vars_at(dd->mod, dd->func, addr, params, locals);
	DwVarList vars = dw_vars_at(dd->mod, dd->func, addr, params, false);
	if (vars.len && vars.items[0]->is_param) {
		vars.items++;
		vars.len--;
	}
	return vars;
}

/* A variable of the probed function at the probe's address. */
static bool variable_base(Lower *lw, const char *name, Val *v)
{
	DwarfData *dd = lw->dd;
	Loc loc = lw->n->loc;
	if (!dd->func && dd->is_user && !dd->given) {
		fail(lw, loc, "cannot read '$%s': %s has no debuginfo (int_arg(N), long_arg(N) "
		     "and pointer_arg(N) read the arguments)", name, dd->where);
		return false;
	}
	if (!dd->func && !dd->given) {
		fail(lw, loc, "no variables at %s: the address is in no known function", dd->where);
		return false;
	}
	uint64_t addr = dd->is_return ? dd->func->entry : dd->addr;
	DwVarList vars = vars_here(dd, true, true);
	DwVar *var = NULL;
	int at = -1;
	for (int i = 0; i < vars.len && !var; i++)
		if (strcmp(vars.items[i]->name, name) == 0)
			var = vars.items[at = i];
	if (!var) {
		const char **names = arena_alloc(sizeof(char *) * (vars.len + 1));
		Buf all = {0};
		buf_puts(&all, "");
		for (int i = 0; i < vars.len; i++) {
			names[i] = arena_printf("$%s", vars.items[i]->name);
			buf_printf(&all, "%s%s", i ? " " : "", names[i]);
		}
		const char *sim = similar_names(arena_printf("$%s", name), names, vars.len, 5);
		if (sim)
			fail(lw, loc, "unable to find target variable '$%s' in %s (similar: %s)",
			     name, dd->where, sim);
		else if (vars.len)
			fail(lw, loc, "unable to find target variable '$%s' in %s (alternatives: %s)",
			     name, dd->where, all.s);
		else
			fail(lw, loc, "unable to find target variable '$%s' in %s (it has none)",
			     name, dd->where);
		return false;
	}
	if (dd->is_return && var->is_param)
		dd->save_entry = true;
	DwLoc l = dd->given ? dd->given_locs[at] : dw_var_location(dd->mod, var, addr);
	bool at_fill = false;	/* a .return probe's parameter, read after the prologue */
	if (!dd->given && l.kind != DL_UNAVAILABLE &&
	    !dw_var_set_at(dd->mod, dd->func, var, addr)) {
		uint64_t body = dw_func_body_addr(dd->mod, dd->func);
		at_fill = dd->is_return && lw->d && body &&
			  (var->type->kind == DT_INT || var->type->kind == DT_POINTER);
		/* there, with the live registers (the frame pointer is set) */
		if (at_fill)
			l = dw_var_location(dd->mod, var, body);
		else
			l = (DwLoc){ .kind = DL_UNAVAILABLE, .why = "the function's prologue "
				     "stores it in its frame slot after this address" };
	}
	v->mod = dd->mod;
	v->type = var->type;
	v->reg = -1;
	switch (l.kind) {
	case DL_REGISTER:
		v->value = arena_printf("STP_REG(c, %d)", l.reg);
		v->reg = l.reg;
		break;
	case DL_MEMORY:
		v->addr = l.c_expr;
		break;
	case DL_VALUE:
		v->value = l.c_expr;
		break;
	case DL_UNAVAILABLE:
		if (cur_session->skip_badvars) {
			v->value = "0";
			break;
		}
		fail(lw, loc, "cannot read '$%s' at %s: %s (--skip-badvars reads it as 0)", name,
		     dd->where, l.why ? l.why : "no location");
		return false;
	}
	/* a .return probe reads the parameters with the registers of the entry */
	if (dd->is_return && !at_fill) {
		const char *e = v->value ? v->value : v->addr;
		Buf b = {0};
		buf_puts(&b, "");
		for (const char *p = e; *p;) {
			if (strncmp(p, "STP_REG(", 8) == 0) {
				buf_puts(&b, "STP_ENTRY_REG(");
				p += 8;
			} else {
				buf_putc(&b, *p++);
			}
		}
		if (v->value)
			v->value = b.s;
		else
			v->addr = b.s;
		v->reg = -1;	/* the entry registers are not the live ones */
	}
	if (at_fill)
		read_at_prologue_end(lw, v);
	return true;
}

static bool return_base(Lower *lw, Val *v)
{
	DwarfData *dd = lw->dd;
	if (!dd->is_return) {
		fail(lw, lw->n->loc, "$return is available only in .return probes, not in %s",
		     lw->d->pp);
		return false;
	}
	if (!dd->func) {
		fail(lw, lw->n->loc, "$return: %s has no debuginfo (returnval() reads the "
		     "return register)", dd->where);
		return false;
	}
	dw_func_params(dd->mod, dd->func);
	if (!dd->func->ret || dd->func->ret->kind == DT_VOID) {
		fail(lw, lw->n->loc, "$return: %s returns void", dd->where);
		return false;
	}
	v->mod = dd->mod;
	v->type = dd->func->ret;
	v->value = "STP_REG(c, 0)";
	v->reg = 0;
	return true;
}

/* ---- pretty printing: $var$, $var$$, $$parms ---- */

static void piece(Vec *out, TargetPieceKind kind, const char *c, int64_t len)
{
	TargetPiece *p = arena_alloc(sizeof(*p));
	p->kind = kind;
	p->c = c;
	p->len = len;
	vec_push(out, p);
}

static void text(Vec *out, const char *s)
{
	piece(out, TP_TEXT, s, 0);
}

/* A long as its type's unsigned bits, for 0x... */
static const char *hex_of(DwType *t, const char *v)
{
	if (t->kind == DT_INT && t->size > 0 && t->size < 8)
		return arena_printf("(s64)(u%d)(%s)", (int)t->size * 8, v);
	return v;
}

static void pretty(Lower *lw, Vec *out, Val *v, int depth, bool deep);

static void pretty_members(Lower *lw, Vec *out, Val *v, int depth, bool deep, bool *first)
{
	DwType *t = v->type;
	if (dw_type_members(v->mod, t) < 0) {
		text(out, "...");
		return;
	}
	for (int i = 0; i < t->nmembers; i++) {
		DwMember *mb = &t->members[i];
		Val m = { .mod = v->mod, .type = mb->type, .reg = -1, .bit_size = mb->bit_size,
			  .bit_offset = mb->bit_offset };
		m.addr = arena_printf("(%s + 0x%llxULL)", v->addr, (unsigned long long)mb->offset);
		if (!mb->name && is_aggregate(mb->type)) {	/* anonymous: its members here */
			pretty_members(lw, out, &m, depth, deep, first);
			continue;
		}
		if (!*first)
			text(out, ", ");
		*first = false;
		text(out, arena_printf(".%s=", mb->name ? mb->name : "?"));
		pretty(lw, out, &m, depth + 1, deep);
	}
}

static void pretty(Lower *lw, Vec *out, Val *v, int depth, bool deep)
{
	DwType *t = v->type;
	switch (t->kind) {
	case DT_INT:
		piece(out, TP_DEC, value_of(lw, v, lw->n->loc), 0);
		return;
	case DT_POINTER:
		if (t->target && t->target->kind == DT_INT && t->target->is_char) {
			piece(out, TP_STRING, value_of(lw, v, lw->n->loc), 0);
			((TargetPiece *)out->items[out->len - 1])->user = lw->dd->is_user;
		} else if (depth == 0 && t->target && is_aggregate(t->target)) {
			/* $ptr$ shows what it points to */
			Val s = { .mod = v->mod, .type = t->target, .reg = -1 };
			s.addr = value_of(lw, v, lw->n->loc);
			pretty(lw, out, &s, 0, deep);
		} else
			piece(out, TP_HEX, value_of(lw, v, lw->n->loc), 0);
		return;
	case DT_ARRAY:
		if (!v->addr || t->nelems < 0 || !t->target) {
			text(out, "[...]");
			return;
		}
		if (t->target->kind == DT_INT && t->target->is_char) {
			piece(out, TP_CHARS, v->addr, t->nelems);
			((TargetPiece *)out->items[out->len - 1])->user = lw->dd->is_user;
			return;
		}
		text(out, "[");
		for (int64_t i = 0; i < t->nelems && i < 16; i++) {
			Val e = { .mod = v->mod, .type = t->target, .reg = -1 };
			e.addr = arena_printf("(%s + 0x%llxULL)", v->addr,
					      (unsigned long long)(i * t->target->size));
			if (i)
				text(out, ", ");
			if (is_aggregate(t->target) && !deep)
				text(out, "{...}");
			else
				pretty(lw, out, &e, depth + 1, deep);
		}
		text(out, t->nelems > 16 ? ", ...]" : "]");
		return;
	case DT_STRUCT:
	case DT_UNION:
		if (!v->addr || (depth > 0 && !deep) || depth > 4) {
			text(out, "{...}");
			return;
		}
		text(out, "{");
		bool first = true;
		pretty_members(lw, out, v, depth, deep, &first);
		text(out, "}");
		return;
	default:
		text(out, "?");
		return;
	}
}

/* $$parms, $$locals, $$vars, $$return, with $ or $$ after them. */
static bool lower_all_vars(Lower *lw, const char *which, int pretty_level, TargetCode *tc)
{
	DwarfData *dd = lw->dd;
	Vec *out = &tc->pieces;
	bool first = true;
	if (strcmp(which, "$$return") == 0) {
		if (!dd->is_return || !dd->func) {
			fail(lw, lw->n->loc, "$$return is available only in .return probes");
			return false;
		}
		dw_func_params(dd->mod, dd->func);
		if (dd->func->ret && dd->func->ret->kind != DT_VOID) {
			Val v = { .mod = dd->mod, .type = dd->func->ret, .value = "STP_REG(c, 0)",
				  .reg = 0 };
			Lower one = *lw;
			one.quiet = true;
			text(out, "return=");
			if (pretty_level)
				pretty(lw, out, &v, 0, pretty_level == 2);
			else if (is_aggregate(v.type))
				text(out, "{...}");	/* returned in registers: no address */
			else if (value_of(&one, &v, lw->n->loc), one.failed)
				text(out, "?");
			else
				piece(out, TP_HEX, hex_of(v.type, value_of(lw, &v, lw->n->loc)), 0);
		}
		return !lw->failed;
	}
	bool params = strcmp(which, "$$parms") == 0 || strcmp(which, "$$vars") == 0;
	bool locals = strcmp(which, "$$locals") == 0 || strcmp(which, "$$vars") == 0;
	if (!params && !locals) {
		fail(lw, lw->n->loc, "unknown %s: say $$parms, $$locals, $$vars or $$return", which);
		return false;
	}
	if (!dd->func && !dd->given)
		return true;
	DwVarList vars = vars_here(dd, params, locals);
	for (int i = 0; i < vars.len; i++) {
		DwVar *var = vars.items[i];
		if (dd->is_return && !var->is_param)
			continue;
		if (!first)
			text(out, " ");
		first = false;
		text(out, arena_printf("%s=", var->name));
		Lower one = *lw;
		one.quiet = true;
		one.failed = false;
		Val v = {0};
		if (!variable_base(&one, var->name, &v) || (v.value && strcmp(v.value, "0") == 0 &&
							    cur_session->skip_badvars)) {
			text(out, "?");
			continue;
		}
		if (pretty_level) {
			pretty(&one, out, &v, 0, pretty_level == 2);
		} else if (is_aggregate(v.type)) {
			text(out, "{...}");
		} else if (v.type->kind == DT_ARRAY) {
			text(out, "[...]");
		} else {
			const char *c = value_of(&one, &v, lw->n->loc);
			if (one.failed)
				text(out, "?");	/* a float: no value to show */
			else
				piece(out, TP_HEX, hex_of(v.type, c), 0);
		}
		lw->indexes = one.indexes;
	}
	return !lw->failed;
}

/*
 * @cast's module, or NULL.  SystemTap's "kernel<linux/sched.h>" names a
 * header to build the type from when the module has no debuginfo; here
 * the kernel's and its modules' always have, so only the module counts.
 * Headers alone, "<sys/un.h>", are user-space C: dw_open_headers compiles
 * them for their types, as SystemTap does.
 */
static const char *cast_module(Node *n)
{
	if (n->nargs < 3 || n->args->next->next->kind != ND_STR)
		return NULL;
	const char *module = n->args->next->next->str;
	const char *lt = strchr(module, '<');
	if (lt && lt != module)
		module = arena_strndup(module, lt - module);
	return module;
}

/* ---- the types values carry: autocast ---- */

/* The type v's value carries on, into variables and '->' after them. */
static ValueType *vtype_of(Lower *lw, DwModule *mod, DwType *type)
{
	ValueType *vt = arena_alloc(sizeof(*vt));
	vt->mod = mod;
	vt->type = type;
	vt->user = lw->dd->is_user;
	return vt;
}

/*
 * A type of a kernel without debuginfo, by name, from its BTF; NULL with
 * *why (which holds why there is no debuginfo) made a sentence.
 */
static DwType *btf_kernel_type(const char *name, const char **why)
{
	const char *btf_why;
	struct btf *b = btf_kernel(cur_session->kernel_release, &btf_why);
	DwType *t = b ? btf_find_type(b, name) : NULL;
	if (!b)
		*why = arena_printf("%s; and %s", *why, btf_why);
	else if (!t)
		*why = arena_printf("no type '%s' in kernel (its BTF)", name);
	return t;
}

/* The type a bare @cast's value points to, looked up when a '->' first needs it. */
static bool look_up_vtype(Lower *lw, ValueType *vt, Loc loc)
{
	if (vt->type)
		return true;
	if (vt->failed) {	/* and said why */
		fail(lw, loc, "unknown type in dereference");
		return false;
	}
	DwModule *m = vt->probe_mod;
	const char *why = "the probed program has no debuginfo: name a module with the type";
	bool of_kernel = !vt->user && (!vt->module || strcmp(vt->module, "kernel") == 0);
	if (!m && (vt->module || !vt->user))
		m = open_mod(of_kernel ? NULL : vt->module, &why);
	DwType *t = m ? dw_find_type(m, vt->type_name) : NULL;
	if (!m && of_kernel) {
		t = btf_kernel_type(vt->type_name, &why);
		t = t ? dw_pointer_to(t) : NULL;
	}
	if (!t) {
		if (!lw->quiet) {
			if (m)
				fail(lw, vt->loc, "@cast: no type '%s' in %s", vt->type_name,
				     dw_module_name(m));
			else
				fail(lw, vt->loc, "@cast: %s", why);
			vt->failed = true;
		}
		lw->failed = true;
		return false;
	}
	vt->mod = m;
	vt->type = m ? dw_pointer_to(t) : t;	/* the value points to one */
	return true;
}

/* The same C type: the same DWARF entry, or the same name, size and kind. */
static bool same_type(DwType *a, DwType *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind)
		return false;
	if (a->kind == DT_POINTER)
		return same_type(a->target, b->target);
	if (a->die_offset && a->die_offset == b->die_offset)
		return true;
	return a->name && b->name && a->size == b->size && strcmp(a->name, b->name) == 0;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

bool dwarf_same_vtype(ValueType *a, ValueType *b)
{
	if (a == b)
		return true;
	if (a == &no_vtype || b == &no_vtype || a->user != b->user)
		return false;
	if (a->type_name && b->type_name && same_str(a->type_name, b->type_name) &&
	    same_str(a->module, b->module) && a->probe_mod == b->probe_mod)
		return true;	/* the same look-up, done or not */
	Lower lw = { .quiet = true };
	if (!look_up_vtype(&lw, a, a->loc) || !look_up_vtype(&lw, b, b->loc))
		return false;
	return a->mod == b->mod && same_type(a->type, b->type);
}

/* The base of an autocast: its operand's value, read as the type it carries. */
static bool autocast_base(Lower *lw, Node *n, Val *v)
{
	ValueType *vt = n->lhs->vtype;
	if (!look_up_vtype(lw, vt, n->loc))
		return false;
	int k = lw->indexes.len;
	vec_push(&lw->indexes, n->lhs);
	v->mod = vt->mod;
	v->type = vt->type;
	if (vt->type->kind == DT_ARRAY)		/* an array's value is its address */
		v->addr = arena_printf("(u64)STP_IDX(%d)", k);
	else
		v->value = arena_printf("STP_IDX(%d)", k);
	return true;
}

/* The base of a target expression: $name, $return, @cast(...), @var(...), autocast. */
static bool lower_base(Lower *lw, Node *n, Val *v)
{
	v->reg = -1;
	if (n->kind == ND_AUTOCAST)
		return autocast_base(lw, n, v);
	if (n->kind == ND_CAST) {
		const char *module = cast_module(n);
		DwModule *m = lw->dd->mod;
		if (module && strcmp(module, "kernel") != 0) {
			const char *why;
			/* a user probe's @cast(p, "type", "/path/prog") */
			m = lw->dd->is_user && strchr(module, '/') ? open_mod_as(module, true, &why) :
								      open_mod(module, &why);
			if (!m) {
				fail(lw, n->loc, "@cast: cannot read module \"%s\": %s", module, why);
				return false;
			}
		}
		const char *why = NULL;
		if ((module && strcmp(module, "kernel") == 0) || (!module && lw->dd->kernel_btf))
			m = open_mod(NULL, &why);
		/* a kernel without debuginfo: its types from its BTF */
		bool from_btf = !m && (why || (!module && lw->dd->kernel_btf));
		if (!m && !from_btf) {
			fail(lw, n->loc, "@cast: %s has no debuginfo: name a module with the type, "
			     "@cast(p, \"type\", \"module\")", lw->dd->where);
			return false;
		}
		Node *tn = n->args->next;
		if (tn->kind != ND_STR) {
			fail(lw, tn->loc, "@cast's type must be a string literal");
			return false;
		}
		DwType *t = m ? dw_find_type(m, tn->str) : btf_kernel_type(tn->str, &why);
		if (!t && !m) {	/* no BTF: the point; no such type: the type */
			fail(lw, strncmp(why, "no type", 7) ? n->loc : tn->loc, "@cast: %s", why);
			return false;
		}
		if (!t) {
			fail(lw, tn->loc, "@cast: no type '%s' in %s", tn->str, dw_module_name(m));
			return false;
		}
		int k = lw->indexes.len;
		vec_push(&lw->indexes, n->args);
		v->mod = m;
		v->type = t;
		v->addr = arena_printf("(u64)STP_IDX(%d)", k);
		return true;
	}
	if (n->kind == ND_VARREF) {
		Node *a = n->args;
		if (a->kind != ND_STR || (a->next && a->next->kind != ND_STR)) {
			fail(lw, n->loc, "@var takes string literals: @var(\"name@file\"[, \"module\"])");
			return false;
		}
		DwModule *m = lw->dd->mod;
		if (a->next) {
			const char *why;
			m = open_mod(strcmp(a->next->str, "kernel") == 0 ? NULL : a->next->str, &why);
			if (!m) {
				fail(lw, n->loc, "@var: %s", why);
				return false;
			}
		}
		if (!m) {
			fail(lw, n->loc, "@var: %s has no debuginfo", lw->dd->where);
			return false;
		}
		DwLoc l;
		DwVar *var = dw_find_global(m, a->str, &l);
		if (!var) {
			fail(lw, a->loc, "@var: no global variable '%s' in %s", a->str,
			     dw_module_name(m));
			return false;
		}
		if (l.kind != DL_MEMORY) {
			fail(lw, a->loc, "@var(\"%s\"): %s", a->str, l.why ? l.why : "not in memory");
			return false;
		}
		v->mod = m;
		v->type = var->type;
		v->addr = l.c_expr;
		return true;
	}
	if (strcmp(n->name, "$return") == 0)
		return return_base(lw, v);
	return variable_base(lw, n->name + 1, v);
}

/* n's base and chain, up to a pretty-printing suffix (returned in *pretty_level). */
static bool lower_chain(Lower *lw, Node *n, Val *v, int *pretty_level)
{
	*pretty_level = 0;
	if (!lower_base(lw, n, v))
		return false;
	for (Chain *ch = n->chain; ch; ch = ch->next) {
		bool ok = true;
		switch (ch->kind) {
		case CH_MEMBER:
			ok = member(lw, v, ch);
			break;
		case CH_INDEX:
			ok = ch == n->chain && n->kind == ND_CAST ? cast_element(lw, v, ch) :
				element(lw, v, ch);
			break;
		case CH_PRETTY:
		case CH_PRETTY_DEEP:
			*pretty_level = ch->kind == CH_PRETTY ? 1 : 2;
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

/* An autocast's name in messages: its operand, before the chain. */
static const char *autocast_name(Node *n)
{
	Buf b = {0};
	Node op = { .kind = ND_AUTOCAST, .lhs = n->lhs };
	dump_expr(&b, &op);
	return b.s;
}

static void finish(Lower *lw, Node *n, TargetCode *tc, Type type)
{
	tc->indexes = (Node **)lw->indexes.items;
	tc->nindexes = lw->indexes.len;
	n->target = tc;
	n->type = type;
	if (n->kind != ND_TARGET) {
		n->name = n->kind == ND_CAST ? "@cast" : n->kind == ND_VARREF ? "@var" :
			  n->kind == ND_AUTOCAST ? autocast_name(n) : "&";
		n->kind = ND_TARGET;
	}
}

/*
 * @cast(p, "type"[, "module"]) with nothing after it: the value is p, and
 * it carries the type "type *" on, for a '->' later (@task(p) returned by
 * a function).  The type is looked up only then, or now for @defined.
 */
static void lower_bare_cast(Lower *lw, Node *n)
{
	Node *tn = n->args->next;
	if (tn->kind != ND_STR) {
		fail(lw, tn->loc, "@cast's type must be a string literal");
		return;
	}
	ValueType *vt = arena_alloc(sizeof(*vt));
	vt->module = cast_module(n);
	vt->probe_mod = vt->module ? NULL : lw->dd->mod;
	vt->type_name = tn->str;
	vt->loc = tn->loc;
	vt->user = lw->dd->is_user;
	if (lw->quiet && !look_up_vtype(lw, vt, n->loc))
		return;
	TargetCode *tc = arena_alloc(sizeof(*tc));
	tc->write_reg = -1;
	tc->c_expr = arena_printf("(s64)STP_IDX(%d)", lw->indexes.len);
	vec_push(&lw->indexes, n->args);
	finish(lw, n, tc, TY_LONG);
	n->vtype = vt;
}

static void lower_value(Lower *lw, Node *n)
{
	TargetCode *tc = arena_alloc(sizeof(*tc));
	tc->write_reg = -1;
	if (n->kind == ND_TARGET && strncmp(n->name, "$$", 2) == 0) {
		int level = 0;
		for (Chain *ch = n->chain; ch; ch = ch->next)
			level = ch->kind == CH_PRETTY ? 1 : ch->kind == CH_PRETTY_DEEP ? 2 : level;
		if (lower_all_vars(lw, n->name, level, tc))
			finish(lw, n, tc, TY_STRING);
		return;
	}
	if (n->kind == ND_CAST && !n->chain) {
		lower_bare_cast(lw, n);
		return;
	}
	Val v = {0};
	int level;
	if (!lower_chain(lw, n, &v, &level))
		return;
	if (level) {
		pretty(lw, &tc->pieces, &v, 0, level == 2);
		if (!lw->failed)
			finish(lw, n, tc, TY_STRING);
		return;
	}
	tc->c_expr = value_of(lw, &v, n->loc);
	if (lw->failed)
		return;
	if (v.addr && !v.bit_size && (v.type->kind == DT_INT || v.type->kind == DT_POINTER)) {
		tc->write_addr = v.addr;
		tc->write_size = (int)v.type->size;
	} else if (v.reg >= 0 && !v.addr) {
		tc->write_reg = v.reg;
	}
	finish(lw, n, tc, TY_LONG);
	n->vtype = vtype_of(lw, v.mod, v.type);
}

/* &$var->member: the address, which must be in memory. */
static void lower_address(Lower *lw, Node *n)
{
	Node *t = n->lhs;
	Val v = {0};
	int level;
	if (!lower_chain(lw, t, &v, &level))
		return;
	if (!v.addr || v.bit_size || level) {
		fail(lw, n->loc, "'&' needs something in memory (not a register, a bitfield "
		     "or a printed value)");
		return;
	}
	TargetCode *tc = arena_alloc(sizeof(*tc));
	tc->write_reg = -1;
	tc->c_expr = arena_printf("(s64)(%s)", v.addr);
	finish(lw, n, tc, TY_LONG);
	if (t->kind == ND_AUTOCAST)
		n->name = autocast_name(t);
	else if (t->name)	/* $var, not @cast or @var */
		n->name = t->name;
	n->vtype = vtype_of(lw, v.mod, dw_pointer_to(v.type));
}

/* The probe that runs at the entry of d's function and fills its slots. */
static DerivedProbe *entry_helper(DerivedProbe *d)
{
	DwarfData *dd = d->data;
	if (dd->entry_helper)
		return dd->entry_helper;
	DwarfData *hd = arena_alloc(sizeof(*hd));
	*hd = *dd;
	hd->is_return = false;
	hd->is_entry_helper = true;
	hd->save_entry = false;
	if (dd->is_user && dd->func) {
		/* -O0 code has its parameters in the frame after the prologue */
		hd->addr = user_probe_addr(dd->mod, dd->func);
		if (!file_offset(dd->path, hd->addr, &hd->offset))
			hd->addr = dd->func->entry;	/* run with the entry handler, then */
	}
	dd->entry_helper = entry_helper_new(d, hd);
	return dd->entry_helper;
}

/*
 * A slot of .return probe d that its entry helper fills with expr's value
 * (entry.c), kept with the call; the C of its value is returned.
 * Registers in expr are read live there (STP_ENTRY_REG reads the live
 * registers during the entry handler).
 */
static TargetCode *entry_slot(DerivedProbe *d, Node *expr, Loc loc)
{
	DwarfData *dd = d->data;
	DerivedProbe *h = entry_helper(d);
	dd->save_entry = true;
	return entry_slot_store(h, expr, loc, dd->nslots++);
}

/* @entry(expr) in a .return probe: its place reads the slot expr fills. */
static void lower_entry(DerivedProbe *d, Node *n)
{
	DwarfData *dd = d->data;
	DerivedProbe *h = entry_helper(d);
	dd->save_entry = true;
	entry_lower_to_slot(h, n, dd->nslots++);
}

/*
 * A parameter of a .return probe that unoptimized code keeps in its frame
 * slot, which holds it only once the prologue has run, and which the
 * function may change: as SystemTap's $param in a .return probe, it is
 * the value at the call, read where the prologue ends (the entry
 * helper's uprobe there, with the registers there: v was located there)
 * into a slot, as @entry($param) would be.
 */
static void read_at_prologue_end(Lower *lw, Val *v)
{
	Node *read = new_node(ND_TARGET, lw->n->loc);
	read->name = lw->n->name;
	read->target = arena_alloc(sizeof(TargetCode));
	read->target->c_expr = value_of(lw, v, lw->n->loc);
	read->target->write_reg = -1;
	read->type = TY_LONG;
	v->value = entry_slot(lw->d, read, lw->n->loc)->c_expr;
	v->value = v->type->kind == DT_INT ? int_cast(v->type, v->value) : v->value;
	v->addr = NULL;
	v->reg = -1;
}

void dwarf_lower_target(void *dwarf_data, DerivedProbe *d, Node *n)
{
	Lower lw = { .d = d, .dd = dwarf_data, .n = n };
	switch (n->kind) {
	case ND_ENTRY:
		if (!lw.dd->is_return) {
			error_at(n->loc, "semantic error",
				 "@entry is available only in .return probes, not in %s", d->pp);
			return;
		}
		lower_entry(d, n);
		return;
	case ND_DEFINED: {
		Node *t = n->lhs;
		bool ok = true;
		if (t->kind == ND_TARGET || t->kind == ND_CAST || t->kind == ND_VARREF) {
			lw.quiet = true;
			lw.n = t;
			Node copy = *t;
			lower_value(&lw, &copy);
			ok = !lw.failed;
		}
		Node *nx = n->next;
		Loc loc = n->loc;
		memset(n, 0, sizeof(*n));
		n->kind = ND_NUM;
		n->num = ok;
		n->loc = loc;
		n->type = TY_LONG;
		n->next = nx;
		return;
	}
	case ND_ADDR:
		lower_address(&lw, n);
		return;
	default:
		lower_value(&lw, n);
		return;
	}
}

/*
 * @cast where no DWARF probe gives the module (functions; begin, timer and
 * other probes): the type is the named module's, the kernel's by default,
 * and the memory read is the kernel's.
 */
void dwarf_lower_cast(Node *n)
{
	Node *cast = n->kind == ND_CAST ? n : n->lhs;
	DwarfData *dd = arena_alloc(sizeof(*dd));
	dd->where = "this probe";
	bool bare = n->kind == ND_CAST && !n->chain;	/* looked up when needed */
	if (!cast_module(cast) && !bare) {
		const char *why;
		dd->mod = open_mod(NULL, &why);
		dd->kernel_btf = !dd->mod;	/* the kernel's BTF may have the type */
	}
	dwarf_lower_target(dd, NULL, n);
}

void dwarf_lower_user_cast(Node *n, const char *path)
{
	DwarfData *dd = arena_alloc(sizeof(*dd));
	const char *why;
	dd->where = "this probe";
	dd->is_user = true;
	dd->path = path;
	dd->mod = open_mod_as(path, true, &why);	/* NULL: name a module */
	dwarf_lower_target(dd, NULL, n);
}

/*
 * An autocast, or & of one, whose operand carries a type: lowered as
 * @cast is, reading memory as the operand's type says (the kernel's or the
 * process's).  quiet (@defined): no error.  False if it cannot be.
 */
bool dwarf_lower_autocast(Node *n, bool quiet)
{
	Node *a = n->kind == ND_ADDR ? n->lhs : n;
	DwarfData *dd = arena_alloc(sizeof(*dd));
	dd->is_user = a->lhs->vtype->user;
	dd->where = "this value";
	Lower lw = { .dd = dd, .n = a, .quiet = quiet };
	if (n->kind == ND_ADDR)
		lower_address(&lw, n);
	else
		lower_value(&lw, n);
	return !lw.failed;
}

static void resolve_dwarf_target(DerivedProbe *d, Node *n)
{
	dwarf_lower_target(d->data, d, n);
}

/*
 * For kernel.trace (probe_trace.c): the variables of a probe whose
 * handler lays out the registers of an entry into f.
 */
void *dwarf_entry_data(DwModule *m, DwFunc *f, const char *where)
{
	DwarfData *dd = arena_alloc(sizeof(*dd));
	dd->mod = m;
	dd->func = f;
	dd->addr = f->entry;
	dd->where = where;
	dd->hide_first_param = true;
	return dd;
}

/*
 * For kernel.trace from BTF (probe_trace.c): no debuginfo, only the
 * n parameters vars, each at locs[i].
 */
void *dwarf_given_data(DwVar **vars, DwLoc *locs, int n, const char *where)
{
	DwarfData *dd = arena_alloc(sizeof(*dd));
	dd->given = vars;
	dd->given_locs = locs;
	dd->ngiven = n;
	dd->kernel_btf = true;
	dd->where = where;
	return dd;
}

/* ---- -L ---- */

static const char *list_dwarf_vars(DerivedProbe *d)
{
	DwarfData *dd = d->data;
	Buf b = {0};
	buf_puts(&b, "");
	if (!dd->func)
		return b.s;
	if (dd->is_statement) {
		DwVarList vars = dw_vars_at(dd->mod, dd->func, dd->addr, true, true);
		for (int i = 0; i < vars.len; i++)
			buf_printf(&b, " $%s:%s", vars.items[i]->name, type_name_of(vars.items[i]->type));
		return b.s;
	}
	const char *text = dw_function_point(dd->mod, dd->func, "", true);
	const char *vars = strchr(text, ' ');
	if (dd->is_return) {
		dw_func_params(dd->mod, dd->func);
		if (dd->func->ret && dd->func->ret->kind != DT_VOID)
			buf_printf(&b, " $return:%s", type_name_of(dd->func->ret));
	}
	if (vars)
		buf_puts(&b, vars);
	return b.s;
}

/* ---- the module's table ---- */

/* "\x12\x34...": a build-id as a C string literal */
const char *build_id_literal(const unsigned char *bits, int n)
{
	Buf b = {0};
	buf_putc(&b, '"');
	for (int i = 0; i < n; i++)
		buf_printf(&b, "\\x%02x", bits[i]);
	buf_putc(&b, '"');
	return b.s;
}

/*
 * The vmlinux's build-id and where its bytes are in the kernel's notes:
 * the module compares them with the running kernel's before it puts a
 * probe in (module.c), since probes at a changed kernel's offsets would
 * hit the middle of instructions.
 */
static void emit_kernel_build_id(FILE *out, DwModule *kernel)
{
	const unsigned char *bits;
	uint64_t vaddr;
	int n = kernel ? dw_build_id(kernel, &bits, &vaddr) : 0;
	if (n && vaddr)
		fprintf(out, "#define STP_KERNEL_BUILD_ID %s\n#define STP_KERNEL_BUILD_ID_LINK "
			"0x%llxULL\n\n", build_id_literal(bits, n), (unsigned long long)vaddr);
}

static void emit_dwarf(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_kprobe stp_dwarf_probes[] = {\n");
	for (int i = 0; i < n; i++) {
		DwarfData *dd = probes[i]->data;
		if (dd->is_entry_helper)
			continue;	/* its .return probe's entry handler runs it */
		fprintf(out, "\t{ .probe = &stp_probes[%d], .symbol = \"%s\", .offset = 0x%llx",
			probes[i]->id, dd->symbol, (unsigned long long)dd->offset);
		if (dd->is_return)
			fprintf(out, ", .is_return = true");
		if (dd->maxactive)
			fprintf(out, ", .maxactive = %d", dd->maxactive);
		if (dd->save_entry)
			fprintf(out, ", .save_entry = true");
		if (dd->entry_helper)
			fprintf(out, ", .entry_probe = &stp_probes[%d], .nslots = %d",
				dd->entry_helper->id, dd->nslots);
		if (dd->optional)
			fprintf(out, ", .optional = true");
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n\n");
	/* @var of a kernel global reads stp_kaslr(link address): measure the
	   KASLR offset on an exported symbol */
	const char *why;
	DwModule *kernel = NULL;
	for (int i = 0; i < open_mods.len; i++)
		if (!((OpenMod *)open_mods.items[i])->key[0])
			kernel = open_mod(NULL, &why);
	uint64_t link = kernel ? dw_symbol_address(kernel, "jiffies_64") : 0;
	if (link)
		fprintf(out, "#define STP_KASLR_ANCHOR ((unsigned long)&jiffies_64)\n"
			"#define STP_KASLR_ANCHOR_LINK 0x%llxULL\n\n", (unsigned long long)link);
	emit_kernel_build_id(out, link ? kernel : NULL);
}

ProbeFamily family_dwarf = {
	.name = "dwarf",
	.first = "kernel",
	.first_alt = "module",
	.seconds = dwarf_seconds,
	.resolve = resolve_dwarf,
	.emit = emit_dwarf,
	.suffixes = dwarf_suffixes,
	.shapes = dwarf_shapes,
	.table_name = "stp_dwarf_probes",
	.ops_name = "stp_kprobe_ops",
	.resolve_target = resolve_dwarf_target,
	.list_vars = list_dwarf_vars,
};

/* ---- process("PATH"): the same points and variables, as uprobes ---- */

static void emit_uprobe(FILE *out, DerivedProbe *d)
{
	DwarfData *dd = d->data;
	const unsigned char *bits;
	uint64_t vaddr;
	/* a probe placed by the symbol table alone has no DWARF module */
	int n = dd->mod ? dw_build_id(dd->mod, &bits, &vaddr) : dw_file_build_id(dd->path, &bits);
	fprintf(out, "\t{ .probe = &stp_probes[%d], .path = \"%s\", .offset = 0x%llx", d->id,
		dd->path, (unsigned long long)dd->offset);
	/* checked against the file's when the probe is registered (uprobe.c) */
	if (n)
		fprintf(out, ", .build_id = %s, .build_id_len = %d", build_id_literal(bits, n), n);
	if (dd->exe)
		fprintf(out, ", .exe = \"%s\"", dd->exe);
	if (dd->is_return)
		fprintf(out, ", .is_return = true");
	if (dd->save_entry)
		fprintf(out, ", .save_entry = true");
	if (dd->optional)
		fprintf(out, ", .optional = true");
}

/* @entry's probe runs from the .return probe's entry handler ... */
static bool helper_at_entry(DerivedProbe *h)
{
	DwarfData *hd = h->data;
	return !hd->func || hd->addr == hd->func->entry;
}

/*
 * ... or, after a prologue, as a uprobe of its own there, after the
 * .return probes in the table (it points to its .return probe's entry,
 * and it is unregistered first).
 */
static void emit_uprobes(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_uprobe stp_uprobes[] = {\n");
	int k = 0;
	for (int i = 0; i < n; i++) {
		DwarfData *dd = probes[i]->data;
		if (dd->is_entry_helper)
			continue;
		emit_uprobe(out, probes[i]);
		if (dd->entry_helper && helper_at_entry(dd->entry_helper))
			fprintf(out, ", .entry_probe = &stp_probes[%d], .nslots = %d",
				dd->entry_helper->id, dd->nslots);
		else if (dd->entry_helper)
			fprintf(out, ", .nslots = %d", dd->nslots);
		fprintf(out, " },\n");
		dd->entry_helper_index = k++;
	}
	for (int i = 0; i < n; i++) {
		DwarfData *dd = probes[i]->data;
		if (!dd->entry_helper || helper_at_entry(dd->entry_helper))
			continue;
		emit_uprobe(out, dd->entry_helper);
		fprintf(out, ", .fills = &stp_uprobes[%d] },\n", dd->entry_helper_index);
	}
	fprintf(out, "};\n\n");
}

static const char *uprobe_seconds[] = { "function", "statement", "library", NULL };

ProbeFamily family_uprobe = {
	.name = "process",
	.first = "process",
	.seconds = uprobe_seconds,
	.resolve = resolve_dwarf,
	.emit = emit_uprobes,
	.suffixes = dwarf_suffixes,
	.shapes = uprobe_shapes,
	.table_name = "stp_uprobes",
	.ops_name = "stp_uprobe_ops",
	.resolve_target = resolve_dwarf_target,
	.list_vars = list_dwarf_vars,
};
