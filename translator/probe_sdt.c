/*
 * probe_sdt.c - the static markers of user programs and libraries (SDT,
 * <sys/sdt.h>'s STAP_PROBE and DTRACE_PROBE macros):
 *
 *   process("PATH").mark("NAME")
 *   process("PATH").provider("PROVIDER").mark("NAME")
 *   process("PATH").library("LIB").mark("NAME")   (and .provider between)
 *   process.mark("NAME")	the program of stap -c CMD or -x PID
 *
 * NAME and PROVIDER may hold wildcards, PATH too (each file it names).
 * Each marker is a note (type 3, owner "stapsdt") in the file's
 * .note.stapsdt section: the marker's address, the address .stapsdt.base
 * had at link time (a prelinked file has moved since: the addresses move
 * with it), its semaphore's address (0: none), the provider, the name and
 * the arguments as the assembler operands the compiler chose ("-4@%esi
 * 8@-24(%rbp) 4@$5").  A marker is a uprobe at its address, run by
 * runtime/uprobe.c like a process("PATH").statement probe; its semaphore
 * (a 2-byte counter in the file's data, which *_ENABLED() tests) is the
 * uprobe's reference counter, which the kernel raises in every process
 * while the uprobe is in and lowers after.
 *
 * Target variables: $arg1..$argN, read from the operand strings (size
 * and sign from the "N@" prefix, a negative N being signed), $$name,
 * $$provider and $$parms ("$arg1=0x... $arg2=0x..."); @cast and @var
 * with the file's debuginfo, reading the process's memory (probe_dwarf.c).
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

#define NT_STAPSDT 3

typedef struct SdtNote {
	const char *provider, *name, *args;
	uint64_t pc;		/* link-time, after the .stapsdt.base adjustment */
	uint64_t semaphore;	/* link-time, 0: none */
} SdtNote;

typedef struct SdtData {
	const char *path;	/* the file the marker is in */
	const char *exe;	/* .library: the program whose processes it fires in */
	const SdtNote *note;
	uint64_t offset;	/* of the marker's address in the file */
	uint64_t sem_offset;	/* of its semaphore in the file, 0: none */
	bool optional;
} SdtData;

/* What the point says, PATH made absolute. */
typedef struct MarkSpec {
	const char *path;
	const char *exe;	/* .library: PATH, and path is LIB */
	const char *provider;	/* NULL: any */
	const char *name;
} MarkSpec;

/* ---- the notes ---- */

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* The address .stapsdt.base has in the file now, 0 if it has none. */
static uint64_t stapsdt_base(Elf *e)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return 0;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;
		if (name && strcmp(name, ".stapsdt.base") == 0)
			return sh.sh_addr;
	}
	return 0;
}

/* One note's descriptor: three addresses, then three strings. */
static SdtNote *parse_note(const unsigned char *desc, size_t len, uint64_t base_now)
{
	if (len < 3 * 8 + 3 || desc[len - 1] != '\0')
		return NULL;
	SdtNote *n = arena_alloc(sizeof(*n));
	n->pc = get_u64(desc);
	uint64_t base = get_u64(desc + 8);
	n->semaphore = get_u64(desc + 16);
	const char *s = (const char *)desc + 24, *end = (const char *)desc + len;
	n->provider = arena_strdup(s);
	s += strlen(s) + 1;
	if (s >= end)
		return NULL;
	n->name = arena_strdup(s);
	s += strlen(s) + 1;
	n->args = s < end ? arena_strdup(s) : "";
	if (base_now && base) {	/* prelinked: the file moved as a whole */
		n->pc += base_now - base;
		if (n->semaphore)
			n->semaphore += base_now - base;
	}
	return n;
}

/* path's markers (SdtNote *), in file order; *why when it cannot be read. */
static Vec sdt_notes(const char *path, const char **why)
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
	if (!e || elf_kind(e) != ELF_K_ELF || gelf_getclass(e) != ELFCLASS64 ||
	    elf_getshdrstrndx(e, &shstrndx) != 0) {
		*why = "not a 64-bit ELF file";
		goto done;
	}
	uint64_t base_now = stapsdt_base(e);
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		const char *sname = elf_strptr(e, shstrndx, sh.sh_name);
		Elf_Data *data = sname && strcmp(sname, ".note.stapsdt") == 0 ?
				 elf_getdata(scn, NULL) : NULL;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;
		while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			const char *owner = (const char *)data->d_buf + name_off;
			if (nh.n_type != NT_STAPSDT || nh.n_namesz != sizeof("stapsdt") ||
			    memcmp(owner, "stapsdt", sizeof("stapsdt")) != 0)
				continue;
			SdtNote *n = parse_note((const unsigned char *)data->d_buf + desc_off,
						nh.n_descsz, base_now);
			if (n)
				vec_push(&out, n);
		}
	}
done:
	if (e)
		elf_end(e);
	close(fd);
	return out;
}

/* Where link-time address addr is in path: through the PT_LOAD segment
   that maps it (one of code when exec).  probe_plt.c's too. */
bool file_offset_of(const char *path, uint64_t addr, bool exec, uint64_t *off)
{
	Vec segs = elf_load_segments(path);
	for (int i = 0; i < segs.len; i++) {
		ElfSegment *sg = segs.items[i];
		if ((!exec || sg->exec) && addr >= sg->vaddr && addr < sg->vaddr + sg->filesz) {
			*off = addr - sg->vaddr + sg->offset;
			return true;
		}
	}
	return false;
}

/* The link-time address of symbol name in path (.symtab, else .dynsym). */
static bool symbol_address(const char *path, const char *name, uint64_t *addr)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	bool found = false;
	for (Elf_Scn *scn = NULL; e && !found && (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *s = gelf_getsym(data, (int)i, &sym) && sym.st_shndx != SHN_UNDEF ?
					elf_strptr(e, sh.sh_link, sym.st_name) : NULL;
			if (s && strcmp(s, name) == 0) {
				*addr = sym.st_value;
				found = true;
				break;
			}
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return found;
}

/* ---- probe points ---- */

/* c("STRING"): its string in *out, or an error in script terms */
bool component_string(Component *c, const char **out)
{
	if (!c->has_arg || c->arg->kind != ND_STR || !c->arg->str[0]) {
		error_at(c->loc, "semantic error", "'%s' takes a string: %s(\"...\")", c->name,
			 c->name);
		return false;
	}
	*out = c->arg->str;
	return true;
}

bool component_is(Component *c, const char *name)
{
	return c && strcmp(c->name, name) == 0;
}

/* Is c (process) followed by [.library(..)][.provider(..)].mark(..)? */
bool sdt_is_mark_point(Component *c)
{
	c = c->next;
	if (component_is(c, "library"))
		c = c->next;
	if (component_is(c, "provider"))
		c = c->next;
	return component_is(c, "mark");
}

/* .library("LIB") of PATH: the library's absolute path, into ms. */
static bool library_of(Component *c, MarkSpec *ms)
{
	const char *name, *why = NULL;
	if (!component_string(c, &name))
		return false;
	const char *lib = find_library_of(ms->path, name, &why);
	char *abs = lib ? realpath(lib, NULL) : NULL;
	if (!abs) {
		error_at(c->arg->loc, "semantic error", "library(\"%s\") of process(\"%s\"): %s",
			 name, ms->path, lib ? strerror(errno) : why);
		return false;
	}
	ms->exe = ms->path;
	ms->path = arena_strdup(abs);
	free(abs);
	return true;
}

/* The components after process("PATH"); false when an error was reported. */
static bool parse_mark(Component *c, MarkSpec *ms)
{
	if (component_is(c, "library")) {
		if (!library_of(c, ms))
			return false;
		c = c->next;
	}
	if (component_is(c, "provider")) {
		if (!component_string(c, &ms->provider))
			return false;
		if (!component_is(c->next, "mark")) {
			error_at(c->next ? c->next->loc : c->loc, "semantic error", "no match for "
				 "probe point: .provider(\"%s\") takes .mark(\"NAME\")", ms->provider);
			return false;
		}
		c = c->next;
	}
	if (!component_string(c, &ms->name))
		return false;
	if (c->next) {
		error_at(c->next->loc, "semantic error", "no match for probe point: "
			 ".mark(\"%s\") takes no suffix", ms->name);
		return false;
	}
	return true;
}

/* "process("P").provider("x").mark("y")": the point of one marker */
static const char *mark_point(MarkSpec *ms, const SdtNote *n)
{
	Buf b = {0};
	if (ms->exe)
		buf_printf(&b, "process(\"%s\").library(\"%s\")", ms->exe, ms->path);
	else
		buf_printf(&b, "process(\"%s\")", ms->path);
	if (ms->provider)
		buf_printf(&b, ".provider(\"%s\")", n->provider);
	buf_printf(&b, ".mark(\"%s\")", n->name);
	return b.s;
}

/* --vm copies the files probed; their symbols and loads go in the module */
void add_copy(const char *path)
{
	for (int i = 0; i < cur_session->vm_copies.len; i++)
		if (strcmp(cur_session->vm_copies.items[i], path) == 0)
			return;
	vec_push(&cur_session->vm_copies, (void *)path);
}

static DerivedProbe *new_mark(MarkSpec *ms, ProbePoint *pp, Probe *probe, const SdtNote *n)
{
	SdtData *sd = arena_alloc(sizeof(*sd));
	sd->path = ms->path;
	sd->exe = ms->exe;
	sd->note = n;
	sd->optional = pp->optional;
	const char *point = mark_point(ms, n);
	if (!file_offset_of(ms->path, n->pc, true, &sd->offset)) {
		error_at(pp->loc, "semantic error", "cannot probe %s: its address 0x%llx is in no "
			 "code segment of %s", point, (unsigned long long)n->pc, ms->path);
		return NULL;
	}
	if (n->semaphore && !file_offset_of(ms->path, n->semaphore, false, &sd->sem_offset)) {
		error_at(pp->loc, "semantic error", "cannot probe %s: its semaphore 0x%llx is in "
			 "no segment of %s", point, (unsigned long long)n->semaphore, ms->path);
		return NULL;
	}
	add_copy(ms->path);
	if (ms->exe)
		add_copy(ms->exe);
	return new_derived(&family_sdt, probe, sd, point);
}

/* "no match" for ms in a file with these notes (why: it could not be read) */
static void no_mark_match(MarkSpec *ms, ProbePoint *pp, Vec *notes, const char *why)
{
	const char **names = arena_alloc(sizeof(char *) * (notes->len + 1));
	for (int i = 0; i < notes->len; i++)
		names[i] = ((SdtNote *)notes->items[i])->name;
	const char *sim = notes->len ? similar_names(ms->name, names, notes->len, 5) : NULL;
	Buf point = {0};
	if (ms->exe)
		buf_printf(&point, "process(\"%s\").library(\"%s\")", ms->exe, ms->path);
	else
		buf_printf(&point, "process(\"%s\")", ms->path);
	if (ms->provider)
		buf_printf(&point, ".provider(\"%s\")", ms->provider);
	buf_printf(&point, ".mark(\"%s\")", ms->name);
	if (why)
		error_at(pp->loc, "semantic error", "no match for probe point %s: cannot read %s: %s",
			 point.s, ms->path, why);
	else if (!notes->len)
		error_at(pp->loc, "semantic error", "no match for probe point %s: %s has no SDT "
			 "markers (no .note.stapsdt)", point.s, ms->path);
	else if (sim)
		error_at(pp->loc, "semantic error", "no match for probe point %s (similar: %s)",
			 point.s, sim);
	else
		error_at(pp->loc, "semantic error", "no match for probe point %s", point.s);
}

/* The markers of one file that ms names; false after an error. */
static bool resolve_file(MarkSpec *ms, ProbePoint *pp, Probe *probe, Vec *out)
{
	const char *why;
	Vec notes = sdt_notes(ms->path, &why);
	int found = 0;
	for (int i = 0; i < notes.len; i++) {
		SdtNote *n = notes.items[i];
		if (fnmatch(ms->name, n->name, 0) != 0 ||
		    (ms->provider && fnmatch(ms->provider, n->provider, 0) != 0))
			continue;
		DerivedProbe *d = new_mark(ms, pp, probe, n);
		if (!d)
			return false;
		vec_push(out, d);
		found++;
	}
	if (found || pp->optional || cur_session->listing)
		return true;
	no_mark_match(ms, pp, &notes, why);
	return false;
}

/* process("/usr/lib* /libc.so.6") (without the space): each file, once */
static bool resolve_glob(MarkSpec *ms, Component *rest, ProbePoint *pp, Probe *probe, Vec *out)
{
	glob_t g;
	Vec seen = {0};
	bool ok = true;
	if (glob(ms->path, 0, NULL, &g) != 0)
		g.gl_pathc = 0;
	for (size_t i = 0; i < g.gl_pathc && ok; i++) {
		char *abs = realpath(g.gl_pathv[i], NULL);
		bool dup = !abs;
		for (int j = 0; abs && j < seen.len; j++)
			dup |= strcmp(seen.items[j], abs) == 0;
		if (!dup) {
			MarkSpec one = { .path = arena_strdup(abs) };
			vec_push(&seen, (void *)one.path);
			ok = parse_mark(rest, &one) && resolve_file(&one, pp, probe, out);
		}
		free(abs);
	}
	if (g.gl_pathc)
		globfree(&g);
	if (!seen.len && !pp->optional && !cur_session->listing) {
		error_at(pp->loc, "semantic error", "process(\"%s\"): no file matches", ms->path);
		return false;
	}
	return ok;
}

/*
 * process.mark("NAME") (c is process): the program stap -c CMD starts
 * (its first word, found as process("NAME") finds it), or the one
 * process -x PID runs.  process.plt's too.
 */
bool target_program(Component *c, const char **path)
{
	Session *s = cur_session;
	if (s->target_cmd) {
		const char *cmd = s->target_cmd + strspn(s->target_cmd, " \t");
		*path = arena_strndup(cmd, strcspn(cmd, " \t;&|<>"));
		return true;
	}
	if (s->target_pid) {
		char exe[4096];
		ssize_t n = readlink(arena_printf("/proc/%s/exe", s->target_pid), exe,
				     sizeof(exe) - 1);
		if (n > 0) {
			*path = arena_strndup(exe, (size_t)n);
			return true;
		}
		error_at(c->loc, "semantic error", "process.%s: cannot read the program of "
			 "process %s: %s", c->next->name, s->target_pid, strerror(errno));
		return false;
	}
	error_at(c->loc, "semantic error", "process.%s names no program: write "
		 "process(\"PATH\").%s, or name the program with stap -c CMD or -x PID",
		 c->next->name, c->next->name);
	return false;
}

bool sdt_resolve(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	MarkSpec ms = {0};
	if (!c->has_arg ? !target_program(c, &ms.path) : !component_string(c, &ms.path))
		return false;
	if (strpbrk(ms.path, "*?["))
		return resolve_glob(&ms, c->next, pp, probe, out);
	char *abs = program_path(ms.path);
	if (!abs) {
		if (!pp->optional && !cur_session->listing)
			error_at(c->arg->loc, "semantic error", "process(\"%s\"): %s", ms.path,
				 strerror(errno));
		return pp->optional || cur_session->listing;
	}
	ms.path = arena_strdup(abs);
	free(abs);
	return parse_mark(c->next, &ms) && resolve_file(&ms, pp, probe, out);
}

/* ---- target variables: the operands ---- */

/* x86-64's registers by the names operands use: DWARF number, bytes, shift */
typedef struct RegName {
	const char *name;
	int dwarf, size, shift;
} RegName;

static const RegName reg_names[] = {
	{ "rax", 0, 8, 0 }, { "eax", 0, 4, 0 }, { "ax", 0, 2, 0 }, { "al", 0, 1, 0 }, { "ah", 0, 1, 8 },
	{ "rdx", 1, 8, 0 }, { "edx", 1, 4, 0 }, { "dx", 1, 2, 0 }, { "dl", 1, 1, 0 }, { "dh", 1, 1, 8 },
	{ "rcx", 2, 8, 0 }, { "ecx", 2, 4, 0 }, { "cx", 2, 2, 0 }, { "cl", 2, 1, 0 }, { "ch", 2, 1, 8 },
	{ "rbx", 3, 8, 0 }, { "ebx", 3, 4, 0 }, { "bx", 3, 2, 0 }, { "bl", 3, 1, 0 }, { "bh", 3, 1, 8 },
	{ "rsi", 4, 8, 0 }, { "esi", 4, 4, 0 }, { "si", 4, 2, 0 }, { "sil", 4, 1, 0 },
	{ "rdi", 5, 8, 0 }, { "edi", 5, 4, 0 }, { "di", 5, 2, 0 }, { "dil", 5, 1, 0 },
	{ "rbp", 6, 8, 0 }, { "ebp", 6, 4, 0 }, { "bp", 6, 2, 0 }, { "bpl", 6, 1, 0 },
	{ "rsp", 7, 8, 0 }, { "esp", 7, 4, 0 }, { "sp", 7, 2, 0 }, { "spl", 7, 1, 0 },
	{ "rip", 16, 8, 0 },
};

/* "%r9d", "%r12b": r8 to r15 and their low parts */
static bool numbered_reg(const char *s, size_t len, RegName *out)
{
	if (len < 2 || s[0] != 'r' || s[1] < '0' || s[1] > '9')
		return false;
	char *end;
	long n = strtol(s + 1, &end, 10);
	size_t digits = (size_t)(end - (s + 1));
	if (n < 8 || n > 15)
		return false;
	const char *suffix = s + 1 + digits;
	size_t rest = len - 1 - digits;
	int size = rest == 0 ? 8 : rest == 1 && *suffix == 'd' ? 4 : rest == 1 && *suffix == 'w' ? 2 :
		   rest == 1 && (*suffix == 'b' || *suffix == 'l') ? 1 : 0;
	if (!size)
		return false;
	*out = (RegName){ NULL, (int)n, size, 0 };
	return true;
}

/* The register "%name" at *s (advanced past it), or false. */
static bool parse_reg(const char **s, RegName *out)
{
	if (**s != '%')
		return false;
	const char *p = *s + 1;
	size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
	for (size_t i = 0; i < ARRAY_SIZE(reg_names); i++) {
		if (strlen(reg_names[i].name) == len && strncmp(reg_names[i].name, p, len) == 0) {
			*out = reg_names[i];
			*s = p + len;
			return true;
		}
	}
	if (!numbered_reg(p, len, out))
		return false;
	*s = p + len;
	return true;
}

/* A register's value (C, as a u64), its part the name says. */
static const char *reg_value(const RegName *r)
{
	const char *v = arena_printf("STP_REG(c, %d)", r->dwarf);
	if (r->shift)
		v = arena_printf("(%s >> %d)", v, r->shift);
	if (r->size < 8)
		v = arena_printf("(u64)(u%d)%s", r->size * 8, v);
	return v;
}

/* A value (C) of size bytes, sign-extended if is_signed, as an s64. */
static const char *sized(const char *v, int size, bool is_signed)
{
	if (size >= 8)
		return arena_printf("(s64)(%s)", v);
	return arena_printf("(s64)(%s%d)(%s)", is_signed ? "s" : "u", size * 8, v);
}

static bool read_number(const char **s, int64_t *v)
{
	char *end;
	errno = 0;
	long long n = strtoll(*s, &end, 0);
	if (end == *s || errno)
		return false;
	*v = n;
	*s = end;
	return true;
}

/* The symbol at *s (advanced past it): C of where the process loaded it. */
static const char *symbol_at(const char *path, const char **s, const char **why)
{
	size_t len = strspn(*s, "_.$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	const char *sym = arena_strndup(*s, len);
	uint64_t at;
	if (!symbol_address(path, sym, &at)) {
		*why = arena_printf("a symbol, '%s', that %s's symbol table lacks", sym, path);
		return NULL;
	}
	*s += len;
	return arena_printf("stp_uload(c, \"%s\", 0x%llxULL)", path, (unsigned long long)at);
}

static void add_term(Buf *b, const char *term)
{
	buf_printf(b, "%s%s", b->s && b->s[0] ? " + " : "", term);
}

/*
 * "(%base,%index,scale)" at *s, any part but one left out, added to addr
 * (%rip only after a symbol, which already says where it is).
 */
static bool registers_at(const char **s, bool has_symbol, Buf *addr, const char **why)
{
	const char *p = *s + 1;
	RegName base, index;
	int64_t scale = 1;
	if (parse_reg(&p, &base) && base.dwarf != 16)
		add_term(addr, reg_value(&base));
	else if (p != *s + 1 && !has_symbol) {
		*why = "an address relative to %rip without a symbol";
		return false;
	}
	if (*p == ',') {
		p++;
		if (!parse_reg(&p, &index) || (*p == ',' && (p++, !read_number(&p, &scale))) ||
		    (scale != 1 && scale != 2 && scale != 4 && scale != 8)) {
			*why = "an index that is not %reg,scale";
			return false;
		}
		add_term(addr, arena_printf("%s * %lld", reg_value(&index), (long long)scale));
	}
	if (*p != ')') {
		*why = "an unknown addressing form";
		return false;
	}
	*s = p + 1;
	return true;
}

/*
 * A memory operand's address (C): "disp(%base,%index,scale)", or
 * "sym+disp(%rip)" / "sym": the symbol where the process loaded path.
 */
static const char *mem_address(const char *path, const char *s, const char **why)
{
	Buf addr = {0};
	int64_t disp = 0;
	bool has_symbol = *s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z');
	if (has_symbol) {
		const char *sym = symbol_at(path, &s, why);
		if (!sym)
			return NULL;
		add_term(&addr, sym);
	}
	if ((*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')) && !read_number(&s, &disp)) {
		*why = "a displacement that is not a number";
		return NULL;
	}
	if (*s == '(' && !registers_at(&s, has_symbol, &addr, why))
		return NULL;
	if (*s || (!addr.s && !has_symbol)) {
		*why = *s ? "text after the operand" : "an unknown operand form";
		return NULL;
	}
	if (!addr.s || !addr.s[0])
		return arena_printf("0x%llxULL", (unsigned long long)disp);
	return disp ? arena_printf("(u64)(%s + %lldLL)", addr.s, (long long)disp) :
		      arena_printf("(u64)(%s)", addr.s);
}

/* The C (s64) of one operand "N@OP" of path's marker; NULL and *why if unknown. */
static const char *operand_value(const char *path, const char *op, const char **why)
{
	int64_t size = 8;
	bool is_signed = false;
	const char *at = strchr(op, '@');
	if (at) {
		const char *s = op;
		if (!read_number(&s, &size) || s != at) {
			*why = "a size that is not a number";
			return NULL;
		}
		is_signed = size < 0;
		size = size < 0 ? -size : size;
		op = at + 1;
	}
	if (size != 1 && size != 2 && size != 4 && size != 8) {
		*why = "a size that is not 1, 2, 4 or 8 bytes";
		return NULL;
	}
	if (*op == '$') {
		int64_t v;
		const char *s = op + 1;
		if (!read_number(&s, &v) || *s) {
			*why = "a constant that is not a number";
			return NULL;
		}
		return sized(arena_printf("%lldLL", (long long)v), (int)size, is_signed);
	}
	RegName r;
	const char *s = op;
	if (*op == '%' && (!parse_reg(&s, &r) || *s)) {
		*why = "a register stap cannot read (not a general-purpose one)";
		return NULL;
	}
	if (*op == '%')
		return sized(reg_value(&r), (int)size, is_signed);
	const char *addr = mem_address(path, op, why);
	if (!addr)
		return NULL;
	return arena_printf("stp_uread(c, %s, %d, %s)", addr, (int)size,
			    is_signed ? "true" : "false");
}

/* The marker's operand strings, split at spaces. */
static Vec operands(const SdtNote *n)
{
	Vec v = {0};
	for (const char *s = n->args; *s;) {
		size_t len = strcspn(s, " ");
		if (len)
			vec_push(&v, (void *)arena_strndup(s, len));
		s += len;
		s += *s == ' ';
	}
	return v;
}

/* k in "$argk", or 0 */
static int arg_number(const char *name)
{
	if (strncmp(name, "$arg", 4) != 0 || name[4] < '1' || name[4] > '9')
		return 0;
	char *end;
	long k = strtol(name + 4, &end, 10);
	return *end || k > 1000 ? 0 : (int)k;
}

static TargetCode *new_code(void)
{
	TargetCode *tc = arena_alloc(sizeof(*tc));
	tc->write_reg = -1;
	return tc;
}

static void text_piece(TargetCode *tc, const char *text)
{
	TargetPiece *p = arena_alloc(sizeof(*p));
	p->kind = TP_TEXT;
	p->c = text;
	vec_push(&tc->pieces, p);
}

/*
 * The code of target variable name in d, or NULL with *why; *type is its
 * type.
 */
static TargetCode *lower_name(DerivedProbe *d, const char *name, Type *type, const char **why)
{
	SdtData *sd = d->data;
	Vec ops = operands(sd->note);
	TargetCode *tc = new_code();
	*type = TY_STRING;
	if (strcmp(name, "$$name") == 0 || strcmp(name, "$$provider") == 0) {
		text_piece(tc, name[2] == 'n' ? sd->note->name : sd->note->provider);
		return tc;
	}
	if (strcmp(name, "$$parms") == 0 || strcmp(name, "$$vars") == 0) {
		text_piece(tc, "");
		for (int i = 0; i < ops.len; i++) {
			const char *v = operand_value(sd->path, ops.items[i], why);
			if (!v)
				return NULL;
			text_piece(tc, arena_printf("%s$arg%d=", i ? " " : "", i + 1));
			TargetPiece *p = arena_alloc(sizeof(*p));
			p->kind = TP_HEX;
			p->c = v;
			vec_push(&tc->pieces, p);
		}
		return tc;
	}
	int k = arg_number(name);
	*type = TY_LONG;
	if (!ops.len && (!k || k > ops.len)) {
		*why = arena_printf("%s has no arguments: its target variables are $$name, "
				    "$$provider and $$parms, not '%s'", d->pp, name);
		return NULL;
	}
	if (!k) {
		*why = arena_printf("%s has the target variables $arg1 to $arg%d, $$name, "
				    "$$provider and $$parms, not '%s'", d->pp, ops.len, name);
		return NULL;
	}
	if (k > ops.len) {
		*why = arena_printf("%s has %d argument%s: no '%s'", d->pp, ops.len,
				    ops.len == 1 ? "" : "s", name);
		return NULL;
	}
	const char *op = ops.items[k - 1];
	const char *bad = NULL;
	tc->c_expr = operand_value(sd->path, op, &bad);
	if (!tc->c_expr) {
		*why = arena_printf("cannot read %s of %s: its operand '%s' has %s", name, d->pp, op,
				    bad);
		return NULL;
	}
	return tc;
}

static void resolve_sdt_target(DerivedProbe *d, Node *n)
{
	Node *t = n->kind == ND_DEFINED ? n->lhs : n;
	if (t->kind == ND_CAST || t->kind == ND_VARREF) {	/* the file's types, by default */
		dwarf_lower_user_cast(n, ((SdtData *)d->data)->path);
		return;
	}
	const char *why = "a marker's arguments have no type: use @cast";
	Type type = TY_LONG;
	TargetCode *tc = NULL;
	if (t->kind == ND_TARGET && !t->chain)
		tc = lower_name(d, t->name, &type, &why);
	else if (t->kind == ND_ENTRY)
		why = arena_printf("@entry is available only in .return probes, not in %s", d->pp);
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

/* stap -L: $arg1:long ... */
static const char *list_sdt_vars(DerivedProbe *d)
{
	SdtData *sd = d->data;
	Vec ops = operands(sd->note);
	Buf b = {0};
	buf_puts(&b, "");
	for (int i = 0; i < ops.len; i++)
		buf_printf(&b, " $arg%d:long", i + 1);
	return b.s;
}

/* ---- the module's table: uprobes (runtime/uprobe.c) ---- */

static void emit_sdt(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_uprobe stp_sdt_probes[] = {\n");
	for (int i = 0; i < n; i++) {
		SdtData *sd = probes[i]->data;
		const unsigned char *bits;
		int len = dw_file_build_id(sd->path, &bits);
		fprintf(out, "\t{ .probe = &stp_probes[%d], .path = \"%s\", .offset = 0x%llx",
			probes[i]->id, sd->path, (unsigned long long)sd->offset);
		/* checked against the file's when the probe is registered (uprobe.c) */
		if (len)
			fprintf(out, ", .build_id = %s, .build_id_len = %d",
				build_id_literal(bits, len), len);
		if (sd->sem_offset)
			fprintf(out, ", .ref_ctr_offset = 0x%llx", (unsigned long long)sd->sem_offset);
		if (sd->exe)
			fprintf(out, ", .exe = \"%s\"", sd->exe);
		if (sd->optional)
			fprintf(out, ", .optional = true");
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n\n");
}

static const char *sdt_seconds[] = { "mark", "provider", NULL };
static const char *sdt_suffixes[] = { "mark", "provider", "library", NULL };
static const char *const sdt_shapes[] = {
	"process.mark(S)", "process.provider(S).mark(S)", "process(S).mark(S)", "process(S).provider(S).mark(S)",
	"process(S).library(S).mark(S)", "process(S).library(S).provider(S).mark(S)", NULL,
};

ProbeFamily family_sdt = {
	.name = "process",
	.first = "process",
	.seconds = sdt_seconds,
	.resolve = sdt_resolve,
	.emit = emit_sdt,
	.suffixes = sdt_suffixes,
	.shapes = sdt_shapes,
	.table_name = "stp_sdt_probes",
	.ops_name = "stp_uprobe_ops",
	.resolve_target = resolve_sdt_target,
	.list_vars = list_sdt_vars,
};
