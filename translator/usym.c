/*
 * usym.c - user programs' symbol tables.
 *
 * usymname(), usymdata() and the user backtraces name addresses of the
 * programs (and libraries) that process("PATH") probes or -d PATH names.
 * The translator reads each one's function symbols (start, size, name:
 * .symtab, else .dynsym) and its PT_LOAD segments, and writes them into
 * the module as C tables, with how to unwind its stack (unwind.c);
 * runtime/usym.c finds an address's program
 * through the task's mappings, and its symbol in those tables.  The
 * same reader places process("PATH").function probes on programs
 * without debuginfo (probe_dwarf.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * The symbols PATH has: SHT_SYMTAB, SHT_DYNSYM when strip left only the
 * dynamic ones, 0 when it has none (or cannot be read).
 */
int elf_symbol_table(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Shdr sh;
	Elf_Scn *scn = e && elf_kind(e) == ELF_K_ELF ? symbol_section(e, &sh) : NULL;
	int type = scn ? (int)sh.sh_type : 0;
	if (e)
		elf_end(e);
	close(fd);
	return type;
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
		Vec missing = {0};
		Vec libs = needed_files(path, &missing);	/* ldd.c, as the loader finds them */
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
			sg->exec = ph.p_flags & PF_X;
			vec_push(&out, sg);
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return out;
}

/* path's unwind rows as stp_uframes_N; how many (0: none, no table). */
static int emit_unwind_rows(FILE *out, const char *path, int n)
{
	static const char *const kinds[] = { "STP_UW_NONE", "STP_UW_RSP", "STP_UW_RBP" };
	Vec rows = unwind_rows(path);
	for (int i = 0; i < rows.len; i++)
		if (((UnwindRow *)rows.items[i])->addr > UINT32_MAX)
			return 0;	/* the table keeps 32-bit addresses */
	if (!rows.len)
		return 0;
	fprintf(out, "/* %s's call frame information: from, CFA offset, rbp slot, CFA base */\n",
		path);
	fprintf(out, "static const struct stp_uframe stp_uframes_%d[] = {\n", n);
	for (int i = 0; i < rows.len; i++) {
		UnwindRow *r = rows.items[i];
		fprintf(out, "\t{ 0x%llx, %d, %d, %s },\n", (unsigned long long)r->addr,
			r->cfa_offset, r->rbp_slot, kinds[r->kind]);
	}
	fprintf(out, "};\n\n");
	return rows.len;
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
 * tables if ulines.  Files that are not programs (a shell script given to
 * process.begin) are left out; a program without function symbols stays,
 * for where it is loaded (stp_uload).  Returns how many there are.
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
		if (!segs.len)
			continue;
		if (!n)
			fprintf(out, "/* ---- user symbols: process(\"PATH\") and -d programs "
				"(runtime/usym.c) ---- */\n\n");
		const char *sym_table = "NULL";
		if (syms.len) {
			fprintf(out, "/* %s: start, size, name */\n", (char *)paths.items[i]);
			fprintf(out, "static const struct stp_usym stp_usyms_%d[] = {\n", n);
			for (int j = 0; j < syms.len; j++) {
				ElfFuncSym *fs = syms.items[j];
				fprintf(out, "\t{ 0x%llx, 0x%llx, %s },\n", (unsigned long long)fs->addr,
					(unsigned long long)fs->size, c_str(fs->name));
			}
			fprintf(out, "};\n\n");
			sym_table = arena_printf("stp_usyms_%d", n);
		}
		fprintf(out, "/* %s's PT_LOAD segments: file offset, address, size */\n",
			(char *)paths.items[i]);
		fprintf(out, "static const struct stp_useg stp_usegs_%d[] = {\n", n);
		for (int j = 0; j < segs.len; j++) {
			ElfSegment *sg = segs.items[j];
			fprintf(out, "\t{ 0x%llx, 0x%llx, 0x%llx },\n", (unsigned long long)sg->offset,
				(unsigned long long)sg->vaddr, (unsigned long long)sg->filesz);
		}
		fprintf(out, "};\n\n");
		int nframes = emit_unwind_rows(out, paths.items[i], n);
		const char *lines = ulines ? emit_user_lines(out, s, paths.items[i], n) : "NULL";
		buf_printf(&entries, "\t{ .path = %s, .syms = %s, .nsyms = %d, "
			   ".segs = stp_usegs_%d, .nsegs = %d, .lines = %s", c_str(paths.items[i]),
			   sym_table, syms.len, n, segs.len, lines);
		if (nframes)
			buf_printf(&entries, ", .frames = stp_uframes_%d, .nframes = %d", n,
				   nframes);
		buf_puts(&entries, " },\n");
		n++;
	}
	if (n)
		fprintf(out, "static struct stp_ubinary stp_ubinaries[] = {\n%s};\n\n", entries.s);
	return n;
}
