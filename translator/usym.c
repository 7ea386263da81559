/*
 * usym.c - user programs' symbol tables.
 *
 * usymname(), usymdata() and the user backtraces name addresses of the
 * programs (and libraries) that process("PATH") probes or -d PATH names.
 * The translator reads each one's function symbols (start, size, name:
 * .symtab, else .dynsym) and its PT_LOAD segments, and writes them into
 * the module as C tables; runtime/usym.c finds an address's program
 * through the task's mappings, and its symbol in those tables.  The
 * same reader places process("PATH").function probes on programs
 * without debuginfo (probe_dwarf.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "stap.h"
#include "emit.h"
#include "dwarf.h"

/* Global symbols first, then weak, then local: the name an address is shown by. */
static int binding_rank(int bind)
{
	return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
}

typedef struct RawSym {
	ElfFuncSym sym;
	int rank;
	size_t shndx;
} RawSym;

static int compare_raw(const void *a, const void *b)
{
	const RawSym *x = *(RawSym *const *)a, *y = *(RawSym *const *)b;
	if (x->sym.addr != y->sym.addr)
		return x->sym.addr < y->sym.addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return strcmp(x->sym.name, y->sym.name);
}

/* The section holding the symbols: .symtab, or .dynsym when the file is stripped. */
static Elf_Scn *symbol_section(Elf *e, GElf_Shdr *out)
{
	Elf_Scn *dyn = NULL;
	GElf_Shdr dyn_sh;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || !sh.sh_entsize)
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			*out = sh;
			return scn;
		}
		if (sh.sh_type == SHT_DYNSYM && !dyn) {
			dyn = scn;
			dyn_sh = sh;
		}
	}
	if (dyn)
		*out = dyn_sh;
	return dyn;
}

Vec elf_function_symbols(const char *path, bool aliases, const char **why)
{
	Vec raw = {0}, out = {0};
	*why = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*why = strerror(errno);
		return out;
	}
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Shdr sh;
	Elf_Scn *scn = e && elf_kind(e) == ELF_K_ELF ? symbol_section(e, &sh) : NULL;
	if (!e || elf_kind(e) != ELF_K_ELF)
		*why = "not an ELF file";
	else if (!scn)
		*why = "it has no symbol table";
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_shndx == SHN_UNDEF || !sym.st_value)
			continue;
		const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		RawSym *r = arena_alloc(sizeof(*r));
		r->sym.name = arena_strdup(name);
		r->sym.addr = sym.st_value;
		r->sym.size = sym.st_size;
		r->rank = binding_rank(GELF_ST_BIND(sym.st_info));
		r->shndx = sym.st_shndx;
		vec_push(&raw, r);
	}
	if (e)
		elf_end(e);
	close(fd);
	if (raw.len)
		qsort(raw.items, raw.len, sizeof(void *), compare_raw);
	/* one symbol per address: aliases (write, __write, __libc_write) share one */
	for (int i = 0; i < raw.len; i++) {
		RawSym *r = raw.items[i];
		if (!aliases && i > 0 && ((RawSym *)raw.items[i - 1])->sym.addr == r->sym.addr)
			continue;
		/* a symbol without a size (assembly) reaches the next one in its section */
		int j = i + 1;
		while (j < raw.len && ((RawSym *)raw.items[j])->sym.addr == r->sym.addr)
			j++;
		if (!r->sym.size && j < raw.len && ((RawSym *)raw.items[j])->shndx == r->shndx)
			r->sym.size = ((RawSym *)raw.items[j])->sym.addr - r->sym.addr;
		vec_push(&out, &r->sym);
	}
	if (!out.len && !*why)
		*why = "it has no function symbols";
	return out;
}

/* ---- -d PATH ---- */

static void add_unique(Vec *v, const char *path)
{
	for (int i = 0; i < v->len; i++)
		if (strcmp(v->items[i], path) == 0)
			return;
	vec_push(v, (void *)path);
}

void add_symbol_file(Session *s, const char *path)
{
	char *abs = realpath(path, NULL);
	if (!abs)
		fatal("-d %s: %s", path, strerror(errno));
	const char *why;
	elf_function_symbols(abs, false, &why);
	if (why)
		fatal("-d %s: no symbols to take: %s", path, why);
	add_unique(&s->symbol_files, arena_strdup(abs));
	add_unique(&s->vm_copies, arena_strdup(abs));	/* --vm: the guest runs it */
	free(abs);
}

/* ---- --ldd ---- */

/* The shared objects path needs, where the dynamic loader finds them (ldd's lines). */
static Vec needed_libraries(const char *path)
{
	Vec out = {0};
	int fds[2];
	if (pipe(fds) != 0)
		return out;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(fds[1], 1);
		dup2(null, 2);
		close(fds[0]);
		execlp("ldd", "ldd", path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = pid > 0 ? fdopen(fds[0], "r") : NULL;
	char line[4096];
	/* "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)", "/lib64/ld-linux-x86-64.so.2 (0x...)" */
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "=> ");
		p = p ? p + 3 : line + strspn(line, " \t");
		if (*p != '/')
			continue;	/* linux-vdso.so.1, or "not found" */
		p[strcspn(p, " \t\n(")] = '\0';
		vec_push(&out, arena_strdup(p));
	}
	if (f)
		fclose(f);
	else
		close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return out;
}

void add_ldd_libraries(Session *s)
{
	Vec programs = {0};
	for (int i = 0; i < s->vm_copies.len; i++)
		add_unique(&programs, s->vm_copies.items[i]);
	for (int i = 0; i < s->symbol_files.len; i++)
		add_unique(&programs, s->symbol_files.items[i]);
	for (int i = 0; i < programs.len; i++) {
		const char *path = programs.items[i];
		size_t n = strlen(path);
		if (n > 3 && strcmp(path + n - 3, ".ko") == 0)
			continue;	/* a kernel module (-d NAME.ko) */
		Vec libs = needed_libraries(path);
		for (int j = 0; j < libs.len; j++) {
			char *abs = realpath(libs.items[j], NULL);
			if (!abs)
				continue;
			add_unique(&s->symbol_files, arena_strdup(abs));
			add_unique(&s->vm_copies, arena_strdup(abs));
			free(abs);
		}
	}
}

/* ---- the module's tables ---- */

Vec elf_load_segments(const char *path)
{
	Vec out = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return out;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t n = 0;
	if (e && elf_getphdrnum(e, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			GElf_Phdr ph;
			if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_filesz)
				continue;
			ElfSegment *sg = arena_alloc(sizeof(*sg));
			sg->offset = ph.p_offset;
			sg->vaddr = ph.p_vaddr;
			sg->filesz = ph.p_filesz;
			vec_push(&out, sg);
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return out;
}

/* "&stp_ulines_N" for path's line table (lines.c), or "NULL" without DWARF. */
static const char *emit_user_lines(FILE *out, Session *s, const char *path, int n)
{
	const char *why;
	DwModule *m = dw_open_user(path, &why);
	const char *name = arena_printf("stp_ulines_%d", n);
	if (!m || !emit_line_table(out, s, m, name, "0", 0))
		return "NULL";
	return arena_printf("&%s", name);
}

/*
 * The tables of every program probed with process("PATH") or named with
 * -d: "static struct stp_ubinary stp_ubinaries[]", with their line
 * tables if ulines.  Files without function symbols (a shell script
 * given to process.begin) are left out.  Returns how many there are.
 */
int emit_usym_tables(FILE *out, Session *s, bool ulines)
{
	Vec paths = {0};
	for (int i = 0; i < s->vm_copies.len; i++)
		add_unique(&paths, s->vm_copies.items[i]);
	for (int i = 0; i < s->symbol_files.len; i++)
		add_unique(&paths, s->symbol_files.items[i]);
	Buf entries = {0};
	int n = 0;
	for (int i = 0; i < paths.len; i++) {
		const char *why;
		Vec syms = elf_function_symbols(paths.items[i], false, &why);
		Vec segs = elf_load_segments(paths.items[i]);
		if (!syms.len || !segs.len)
			continue;
		if (!n)
			fprintf(out, "/* ---- user symbols: process(\"PATH\") and -d programs "
				"(runtime/usym.c) ---- */\n\n");
		fprintf(out, "/* %s: start, size, name */\n", (char *)paths.items[i]);
		fprintf(out, "static const struct stp_usym stp_usyms_%d[] = {\n", n);
		for (int j = 0; j < syms.len; j++) {
			ElfFuncSym *fs = syms.items[j];
			fprintf(out, "\t{ 0x%llx, 0x%llx, %s },\n", (unsigned long long)fs->addr,
				(unsigned long long)fs->size, c_str(fs->name));
		}
		fprintf(out, "};\n\n/* its PT_LOAD segments: file offset, address, size */\n");
		fprintf(out, "static const struct stp_useg stp_usegs_%d[] = {\n", n);
		for (int j = 0; j < segs.len; j++) {
			ElfSegment *sg = segs.items[j];
			fprintf(out, "\t{ 0x%llx, 0x%llx, 0x%llx },\n", (unsigned long long)sg->offset,
				(unsigned long long)sg->vaddr, (unsigned long long)sg->filesz);
		}
		fprintf(out, "};\n\n");
		const char *lines = ulines ? emit_user_lines(out, s, paths.items[i], n) : "NULL";
		buf_printf(&entries, "\t{ .path = %s, .syms = stp_usyms_%d, .nsyms = %d, "
			   ".segs = stp_usegs_%d, .nsegs = %d, .lines = %s },\n",
			   c_str(paths.items[i]), n, syms.len, n, segs.len, lines);
		n++;
	}
	if (n)
		fprintf(out, "static struct stp_ubinary stp_ubinaries[] = {\n%s};\n\n", entries.s);
	return n;
}
