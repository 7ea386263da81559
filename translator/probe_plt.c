/*
 * probe_plt.c - calls a program or library makes through its procedure
 * linkage table (PLT), into shared libraries:
 *
 *   process("PATH").plt("NAME")		.plt alone: .plt("*")
 *   process("PATH").plt("NAME").return
 *   process("PATH").library("LIB").plt("NAME")	LIB's own PLT, in PATH's processes
 *   process.plt("NAME")			the program of stap -c CMD or -x PID
 *
 * NAME, LIB and PATH may hold wildcards.  Each PLT entry is a 16-byte stub
 * that jumps through its GOT slot; the slot's R_X86_64_JUMP_SLOT
 * relocation in .rela.plt names the symbol called.  The stubs are in
 * .plt (lazy binding: after the resolver's stub) or, when the linker
 * made stubs for indirect branch tracking (objects built with
 * -fcf-protection, Ubuntu's and Fedora's default, or -z ibtplt), in
 * .plt.sec; which slot a stub jumps through is read from its
 * "jmp *disp(%rip)", so neither layout's order is assumed.  Calls
 * through .plt.got (a function whose address the program also takes,
 * bound at load through a GLOB_DAT slot) are not PLT entries here, as
 * they are not in SystemTap.  A probe is a uprobe at the stub
 * (runtime/uprobe.c, in a table of its own: stp_plt_probes), .return a
 * uretprobe there, which fires when the library function returns to
 * the caller.
 *
 * Target variables: $$name (the symbol called), and in .return
 * $return (%rax).  Both are the same C at every entry ($$name is read
 * from a table by the probe's index), so a probe on many entries
 * (ltrace's process.plt on a program and its libraries: hundreds) has
 * one body, not one per entry (two when it names both .plt and
 * .plt.return points: return_body).
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
#include "dwarf.h"

#define PLT_STUB_SIZE 16

typedef struct PltEntry {
	const char *name;	/* the symbol called */
	uint64_t addr;		/* of its stub, link-time */
} PltEntry;

typedef struct PltData {
	const char *path;	/* the file whose PLT it is */
	const char *exe;	/* .library: the program whose processes it fires in */
	const char *name;
	uint64_t offset;	/* of the stub in the file */
	bool is_return;
	bool optional;
} PltData;

/* What the point says, PATH made absolute. */
typedef struct PltSpec {
	const char *path;
	const char *exe;	/* .library: PATH, and path is LIB */
	const char *lib;	/* .library's argument, as written */
	const char *name;
	bool is_return;
} PltSpec;

/* ---- the ELF file ---- */

static Elf_Scn *section_named(Elf *e, size_t shstrndx, const char *want, GElf_Shdr *sh)
{
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		const char *name = gelf_getshdr(scn, sh) ? elf_strptr(e, shstrndx, sh->sh_name) : NULL;
		if (name && strcmp(name, want) == 0)
			return scn;
	}
	return NULL;
}

/* .rela.plt's JUMP_SLOT relocations: GOT slot address -> symbol name */
typedef struct GotSlot {
	uint64_t got;
	const char *name;
} GotSlot;

static Vec jump_slots(Elf *e, size_t shstrndx)
{
	Vec out = {0};
	GElf_Shdr sh, symsh;
	Elf_Scn *scn = section_named(e, shstrndx, ".rela.plt", &sh);
	Elf_Scn *symscn = scn ? elf_getscn(e, sh.sh_link) : NULL;
	Elf_Data *rela = scn ? elf_getdata(scn, NULL) : NULL;
	Elf_Data *syms = symscn && gelf_getshdr(symscn, &symsh) ? elf_getdata(symscn, NULL) : NULL;
	if (!rela || !syms || sh.sh_type != SHT_RELA || !sh.sh_entsize)
		return out;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Rela r;
		GElf_Sym sym;
		if (!gelf_getrela(rela, (int)i, &r) ||
		    GELF_R_TYPE(r.r_info) != R_X86_64_JUMP_SLOT ||
		    !gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym))
			continue;
		const char *name = elf_strptr(e, symsh.sh_link, sym.st_name);
		if (!name || !name[0])
			continue;
		GotSlot *g = arena_alloc(sizeof(*g));
		g->got = r.r_offset;
		g->name = arena_strdup(name);
		vec_push(&out, g);
	}
	return out;
}

/* The GOT slot the stub at addr (its bytes at p) jumps through, or 0:
   "jmp *disp32(%rip)" (ff 25), maybe after endbr64 and a bnd prefix. */
static uint64_t stub_target(const unsigned char *p, uint64_t addr)
{
	for (int k = 0; k + 6 <= PLT_STUB_SIZE; k++) {
		if (p[k] != 0xff || p[k + 1] != 0x25)
			continue;
		int32_t disp;
		memcpy(&disp, p + k + 2, sizeof(disp));
		return addr + (uint64_t)k + 6 + (uint64_t)(int64_t)disp;
	}
	return 0;
}

/* The stubs of one section that jump through a slot of slots. */
static void section_stubs(Elf *e, size_t shstrndx, const char *sname, Vec *slots, Vec *out)
{
	GElf_Shdr sh;
	Elf_Scn *scn = section_named(e, shstrndx, sname, &sh);
	Elf_Data *data = scn && sh.sh_type == SHT_PROGBITS ? elf_getdata(scn, NULL) : NULL;
	for (size_t off = 0; data && off + PLT_STUB_SIZE <= data->d_size; off += PLT_STUB_SIZE) {
		uint64_t got = stub_target((const unsigned char *)data->d_buf + off,
					   sh.sh_addr + off);
		for (int i = 0; got && i < slots->len; i++) {
			GotSlot *g = slots->items[i];
			if (g->got != got)
				continue;
			PltEntry *pe = arena_alloc(sizeof(*pe));
			pe->name = g->name;
			pe->addr = sh.sh_addr + off;
			vec_push(out, pe);
			break;
		}
	}
}

/* path's PLT entries (PltEntry *), in stub order; *why when it cannot be read. */
static Vec plt_entries(const char *path, const char **why)
{
	Vec out = {0};
	*why = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*why = strerror(errno);
		return out;
	}
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	GElf_Ehdr eh;
	if (!e || elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64 ||
	    !gelf_getehdr(e, &eh) || eh.e_machine != EM_X86_64 ||
	    elf_getshdrstrndx(e, &shstrndx) != 0) {
		*why = "not a 64-bit x86-64 ELF file";
	} else {
		Vec slots = jump_slots(e, shstrndx);
		section_stubs(e, shstrndx, ".plt.sec", &slots, &out);
		if (!out.len)	/* lazy stubs: .plt.sec's take their place when there */
			section_stubs(e, shstrndx, ".plt", &slots, &out);
	}
	if (e)
		elf_end(e);
	close(fd);
	return out;
}

/* ---- probe points ---- */

/* Is c (process) followed by [.library(..)].plt? */
bool plt_is_plt_point(Component *c)
{
	c = c->next;
	if (component_is(c, "library"))
		c = c->next;
	return component_is(c, "plt");
}

/* The components after process("PATH"); false when an error was reported. */
static bool parse_plt(Component *c, PltSpec *ps)
{
	if (component_is(c, "library")) {
		if (!component_string(c, &ps->lib))
			return false;
		c = c->next;
	}
	ps->name = "*";
	if (c->has_arg && !component_string(c, &ps->name))
		return false;
	if (component_is(c->next, "return")) {
		ps->is_return = true;
		c = c->next;
		if (c->has_arg) {
			error_at(c->loc, "semantic error", "'return' takes no argument");
			return false;
		}
	}
	if (c->next) {
		error_at(c->next->loc, "semantic error", "no match for probe point: "
			 ".plt(\"%s\")%s takes no suffix '%s'", ps->name,
			 ps->is_return ? ".return" : "", c->next->name);
		return false;
	}
	return true;
}

/* process("P")[.library("L")].plt("NAME")[.return], name being one entry's or ps's */
static const char *plt_point(PltSpec *ps, const char *name)
{
	Buf b = {0};
	if (ps->exe)
		buf_printf(&b, "process(\"%s\").library(\"%s\")", ps->exe, ps->path);
	else
		buf_printf(&b, "process(\"%s\")", ps->path);
	buf_printf(&b, ".plt(\"%s\")%s", name, ps->is_return ? ".return" : "");
	return b.s;
}

/*
 * The body .return points of probe run: one copy of it, made at the first,
 * when it reads target variables (its .plt points, if it has both kinds,
 * keep the original: $return is lowered for the one kind or the other).
 */
static Probe *return_body(Probe *probe)
{
	static Vec originals, copies;	/* Probe *, by index */
	if (!body_has_targets(probe->body))
		return probe;
	for (int i = 0; i < originals.len; i++)
		if (originals.items[i] == probe)
			return copies.items[i];
	vec_push(&originals, probe);
	vec_push(&copies, probe_copy(probe));
	return copies.items[copies.len - 1];
}

static DerivedProbe *new_plt(PltSpec *ps, ProbePoint *pp, Probe *probe, const PltEntry *pe)
{
	PltData *pd = arena_alloc(sizeof(*pd));
	pd->path = ps->path;
	pd->exe = ps->exe;
	pd->name = pe->name;
	pd->is_return = ps->is_return;
	pd->optional = pp->optional;
	const char *point = plt_point(ps, pe->name);
	if (!file_offset_of(ps->path, pe->addr, true, &pd->offset)) {
		error_at(pp->loc, "semantic error", "cannot probe %s: its stub 0x%llx is in no "
			 "code segment of %s", point, (unsigned long long)pe->addr, ps->path);
		return NULL;
	}
	add_copy(ps->path);
	if (ps->exe)
		add_copy(ps->exe);
	return new_derived(&family_plt, ps->is_return ? return_body(probe) : probe, pd, point);
}

/* "no match" for ps in a file with these entries (why: it could not be read) */
static void no_plt_match(PltSpec *ps, ProbePoint *pp, Vec *entries, const char *why)
{
	const char **names = arena_alloc(sizeof(char *) * (entries->len + 1));
	for (int i = 0; i < entries->len; i++)
		names[i] = ((PltEntry *)entries->items[i])->name;
	const char *sim = entries->len ? similar_names(ps->name, names, entries->len, 5) : NULL;
	const char *point = plt_point(ps, ps->name);
	if (why)
		error_at(pp->loc, "semantic error", "no match for probe point %s: cannot read %s: %s",
			 point, ps->path, why);
	else if (!entries->len)
		error_at(pp->loc, "semantic error", "no match for probe point %s: %s has no PLT "
			 "entries", point, ps->path);
	else if (sim)
		error_at(pp->loc, "semantic error", "no match for probe point %s: no PLT entry "
			 "\"%s\" in %s (similar: %s)", point, ps->name, ps->path, sim);
	else
		error_at(pp->loc, "semantic error", "no match for probe point %s: no PLT entry "
			 "\"%s\" in %s", point, ps->name, ps->path);
}

/* The entries of one file that ps names; false after an error. */
static bool resolve_file(PltSpec *ps, ProbePoint *pp, Probe *probe, Vec *out, bool quiet)
{
	const char *why;
	Vec entries = plt_entries(ps->path, &why);
	int found = 0;
	for (int i = 0; i < entries.len; i++) {
		PltEntry *pe = entries.items[i];
		if (fnmatch(ps->name, pe->name, 0) != 0)
			continue;
		DerivedProbe *d = new_plt(ps, pp, probe, pe);
		if (!d)
			return false;
		vec_push(out, d);
		found++;
	}
	if (found || quiet || pp->optional || cur_session->listing)
		return true;
	no_plt_match(ps, pp, &entries, why);
	return false;
}

/* .library("LIB") of ps->path: each library it names (a wildcard: each the
   program needs that matches), the program becoming ps->exe */
static bool resolve_libraries(PltSpec *ps, Component *lib, ProbePoint *pp, Probe *probe,
			      Vec *out)
{
	Vec libs = {0};
	const char *why = NULL;
	if (strpbrk(ps->lib, "*?[") && !strchr(ps->lib, '/')) {
		Vec missing = {0}, needed = needed_files(ps->path, &missing);
		for (int i = 0; i < needed.len; i++) {
			const char *base = strrchr(needed.items[i], '/');
			if (fnmatch(ps->lib, base ? base + 1 : (char *)needed.items[i], 0) == 0)
				vec_push(&libs, needed.items[i]);
		}
		why = "the program needs no library by that name";
	} else {
		const char *one = find_library_of(ps->path, ps->lib, &why);
		if (one)
			vec_push(&libs, (void *)one);
	}
	if (!libs.len) {
		error_at(lib->arg->loc, "semantic error", "library(\"%s\") of process(\"%s\"): %s",
			 ps->lib, ps->path, why);
		return false;
	}
	bool wild = libs.len > 1 || strpbrk(ps->lib, "*?[");
	int before = out->len;
	for (int i = 0; i < libs.len; i++) {
		char *abs = realpath(libs.items[i], NULL);
		if (!abs)
			continue;
		PltSpec one = *ps;
		one.exe = ps->path;
		one.path = arena_strdup(abs);
		free(abs);
		if (!resolve_file(&one, pp, probe, out, wild))
			return false;
	}
	if (out->len > before || pp->optional || cur_session->listing)
		return true;
	error_at(pp->loc, "semantic error", "no match for probe point %s: no library of %s "
		 "matching \"%s\" has a PLT entry \"%s\"", plt_point(ps, ps->name), ps->path,
		 ps->lib, ps->name);
	return false;
}

/* One program's point, PATH absolute. */
static bool resolve_one_program(PltSpec *ps, Component *rest, ProbePoint *pp, Probe *probe,
			    Vec *out, bool quiet)
{
	if (!parse_plt(rest, ps))
		return false;
	if (ps->lib)
		return resolve_libraries(ps, rest, pp, probe, out);
	return resolve_file(ps, pp, probe, out, quiet);
}

/* NAME of rest's .plt("NAME"), for messages */
static const char *plt_name_of(Component *rest)
{
	while (rest && !component_is(rest, "plt"))
		rest = rest->next;
	return rest && rest->has_arg && rest->arg->kind == ND_STR ? rest->arg->str : "*";
}

/* process("/usr/bin/X*").plt: each file the pattern names, once; those
   without a matching entry are passed over, as long as one has one */
static bool resolve_glob(const char *pattern, Component *rest, ProbePoint *pp, Probe *probe,
			 Vec *out)
{
	glob_t g;
	Vec seen = {0};
	bool ok = true;
	int before = out->len;
	if (glob(pattern, 0, NULL, &g) != 0)
		g.gl_pathc = 0;
	for (size_t i = 0; i < g.gl_pathc && ok; i++) {
		char *abs = realpath(g.gl_pathv[i], NULL);
		bool dup = !abs;
		for (int j = 0; abs && j < seen.len; j++)
			dup |= strcmp(seen.items[j], abs) == 0;
		if (!dup) {
			PltSpec one = { .path = arena_strdup(abs) };
			vec_push(&seen, (void *)one.path);
			ok = resolve_one_program(&one, rest, pp, probe, out, true);
		}
		free(abs);
	}
	if (g.gl_pathc)
		globfree(&g);
	if (!ok || out->len > before || pp->optional || cur_session->listing)
		return ok;
	if (!seen.len)
		error_at(pp->loc, "semantic error", "process(\"%s\"): no file matches", pattern);
	else
		error_at(pp->loc, "semantic error", "no match for probe point: no file matching "
			 "process(\"%s\") has a PLT entry \"%s\"", pattern, plt_name_of(rest));
	return false;
}

bool plt_resolve(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	PltSpec ps = {0};
	/* process.* expands to an optional process.plt: without -c or -x, none */
	if (!c->has_arg && pp->optional && !cur_session->target_cmd && !cur_session->target_pid)
		return true;
	if (!c->has_arg ? !target_program(c, &ps.path) : !component_string(c, &ps.path))
		return false;
	if (strpbrk(ps.path, "*?["))
		return resolve_glob(ps.path, c->next, pp, probe, out);
	char *abs = program_path(ps.path);
	if (!abs) {
		if (!pp->optional && !cur_session->listing)
			error_at(c->has_arg ? c->arg->loc : c->loc, "semantic error",
				 "process(\"%s\"): %s", ps.path, strerror(errno));
		return pp->optional || cur_session->listing;
	}
	ps.path = arena_strdup(abs);
	free(abs);
	return resolve_one_program(&ps, c->next, pp, probe, out, false);
}

/* ---- target variables ---- */

static void resolve_plt_target(DerivedProbe *d, Node *n)
{
	PltData *pd = d->data;
	Node *t = n->kind == ND_DEFINED ? n->lhs : n;
	TargetCode *tc = NULL;
	const char *why = arena_printf("%s has the target variables $$name%s, not this one",
				       d->pp, pd->is_return ? " and $return" : "");
	Type type = TY_LONG;
	if (t->kind == ND_TARGET && !t->chain && strcmp(t->name, "$$name") == 0) {
		tc = arena_alloc(sizeof(*tc));
		tc->write_reg = -1;
		TargetPiece *p = arena_alloc(sizeof(*p));
		p->kind = TP_BUFFER;	/* emit_plt's table, declared here: it comes after */
		p->c = "({ extern const char *const stp_plt_names[]; "
		       "stp_plt_names[c->probe->index]; })";
		vec_push(&tc->pieces, p);
		type = TY_STRING;
	} else if (t->kind == ND_TARGET && !t->chain && pd->is_return &&
		   strcmp(t->name, "$return") == 0) {
		tc = arena_alloc(sizeof(*tc));
		tc->write_reg = -1;
		tc->c_expr = "(s64)STP_REG(c, 0)";	/* %rax at the return */
	} else if (t->kind == ND_ENTRY) {
		why = arena_printf("@entry is not available in %s", d->pp);
	} else if (t->kind == ND_TARGET) {
		why = arena_printf("%s has the target variables $$name%s, not '%s'", d->pp,
				   pd->is_return ? " and $return" : "", t->name);
	}
	if (n->kind == ND_DEFINED) {
		node_become_number(n, tc != NULL);
		return;
	}
	if (!tc) {
		error_at(n->loc, "semantic error", "%s", why);
		return;
	}
	n->target = tc;
	n->type = type;
}

/* stap -L */
static const char *list_plt_vars(DerivedProbe *d)
{
	return ((PltData *)d->data)->is_return ? " $$name:string $return:long" : " $$name:string";
}

/* ---- the module's table: uprobes (runtime/uprobe.c) ---- */

static void emit_plt(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_uprobe stp_plt_probes[] = {\n");
	for (int i = 0; i < n; i++) {
		PltData *pd = probes[i]->data;
		const unsigned char *bits;
		int len = dw_file_build_id(pd->path, &bits);
		fprintf(out, "\t{ .probe = &stp_probes[%d], .path = \"%s\", .offset = 0x%llx",
			probes[i]->id, pd->path, (unsigned long long)pd->offset);
		/* checked against the file's when the probe is registered (uprobe.c) */
		if (len)
			fprintf(out, ", .build_id = %s, .build_id_len = %d",
				build_id_literal(bits, len), len);
		if (pd->is_return)
			fprintf(out, ", .is_return = true");
		if (pd->exe)
			fprintf(out, ", .exe = \"%s\"", pd->exe);
		if (pd->optional)
			fprintf(out, ", .optional = true");
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n\n");
	/* $$name of each, by its index in stp_probes (one body serves them all) */
	fprintf(out, "const char *const stp_plt_names[] = {\n");
	for (int i = 0; i < n; i++)
		fprintf(out, "\t[%d] = \"%s\",\n", probes[i]->id,
			((PltData *)probes[i]->data)->name);
	fprintf(out, "};\n\n");
}

static const char *plt_seconds[] = { "plt", NULL };
static const char *plt_suffixes[] = { "plt", "library", "return", NULL };
static const char *const plt_shapes[] = {
	"process.plt", "process.plt(S)", "process.plt.return", "process.plt(S).return",
	"process(S).plt", "process(S).plt(S)", "process(S).plt.return", "process(S).plt(S).return",
	"process.library(S).plt", "process.library(S).plt(S)", "process.library(S).plt.return",
	"process.library(S).plt(S).return", "process(S).library(S).plt",
	"process(S).library(S).plt(S)", "process(S).library(S).plt.return",
	"process(S).library(S).plt(S).return", NULL,
};

ProbeFamily family_plt = {
	.name = "process",
	.first = "process",
	.seconds = plt_seconds,
	.resolve = plt_resolve,
	.emit = emit_plt,
	.suffixes = plt_suffixes,
	.shapes = plt_shapes,
	.table_name = "stp_plt_probes",
	.ops_name = "stp_uprobe_ops",
	.resolve_target = resolve_plt_target,
	.targets_shared = true,
	.list_vars = list_plt_vars,
};
