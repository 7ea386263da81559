/*
 * dwarf.c - the debuginfo of the kernel, a kernel module or a user binary,
 * through elfutils: finding it, its ELF symbols, the functions and
 * statements that match a SystemTap pattern, the variables at an address,
 * and the -l/-L listing.
 *
 * The index (dwarf_index.c) says which functions exist, where, and whether
 * they can be probed, without reading their DWARF; this file reads the
 * DIEs of only the functions a query returns.  Types are in dwarf_type.c,
 * locations in dwarf_loc.c.
 */
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <elfutils/libdwelf.h>
#include "dwarf_int.h"

/* ---- OffMap: DIE offset -> pointer ---- */

static size_t hash_u64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (size_t)k;
}

void *offmap_get(OffMap *map, uint64_t key)
{
	if (!map->cap)
		return NULL;
	for (size_t i = hash_u64(key) & (map->cap - 1);; i = (i + 1) & (map->cap - 1)) {
		if (map->keys[i] == key)
			return map->vals[i];
		if (!map->keys[i])
			return NULL;
	}
}

static void offmap_grow(OffMap *map)
{
	OffMap old = *map;
	map->cap = old.cap ? old.cap * 2 : 256;
	map->keys = arena_alloc(map->cap * sizeof(*map->keys));
	map->vals = arena_alloc(map->cap * sizeof(*map->vals));
	map->len = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.keys[i])
			offmap_put(map, old.keys[i], old.vals[i]);
}

void offmap_put(OffMap *map, uint64_t key, void *val)
{
	if ((map->len + 1) * 2 > map->cap)
		offmap_grow(map);
	size_t i = hash_u64(key) & (map->cap - 1);
	while (map->keys[i] && map->keys[i] != key)
		i = (i + 1) & (map->cap - 1);
	if (!map->keys[i])
		map->len++;
	map->keys[i] = key;
	map->vals[i] = val;
}

/* ---- opening debuginfo ---- */

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/*
 * libdwfl rather than plain libdw: a .ko is a relocatable object whose
 * DWARF must be relocated, which libdwfl does as it lays out the sections.
 * A user binary is reported at its own link-time addresses: offline,
 * libdwfl would move a PIE or a shared library (ET_DYN) to 0x10000, and
 * a uprobe's file offset is computed from the ELF's own addresses.
 */
static DwModule *open_file(const char *path, const char *name, ModKind kind, const char **why)
{
	Dwfl *dwfl = dwfl_begin(&offline_callbacks);
	Dwfl_Module *mod = !dwfl ? NULL :
			   kind == MOD_USER ? dwfl_report_elf(dwfl, name, path, -1, 0, true) :
			   dwfl_report_offline(dwfl, name, path, -1);
	if (!mod) {
		*why = arena_printf("cannot read %s: %s", path, dwfl_errmsg(-1));
		dwfl_end(dwfl);
		return NULL;
	}
	dwfl_report_end(dwfl, NULL, NULL);
	Dwarf_Addr bias;
	Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
	if (!dw) {
		*why = arena_printf("%s has no DWARF debuginfo (%s)", path, dwfl_errmsg(-1));
		dwfl_end(dwfl);
		return NULL;
	}
	DwModule *m = arena_alloc(sizeof(*m));
	m->name = intern_str(name);
	m->path = arena_strdup(path);
	m->kind = kind;
	m->dwfl = dwfl;
	m->mod = mod;
	m->dw = dw;
	m->bias = bias;
	GElf_Addr elf_bias;
	m->elf = dwfl_module_getelf(mod, &elf_bias);
	GElf_Ehdr ehdr;
	m->is_pie = kind == MOD_USER && m->elf && gelf_getehdr(m->elf, &ehdr) &&
		    ehdr.e_type == ET_DYN;
	return m;
}

/*
 * Where the kernel's debuginfo may be: under /usr/lib/debug and in the
 * build tree, or, as in SystemTap, under the directories of
 * $SYSTEMTAP_DEBUGINFO_PATH (colon-separated; "build" is the build tree,
 * elfutils' "+" and ".debug" do not name a vmlinux).
 */
static Vec kernel_debuginfo_places(const char *release)
{
	Vec v = {0};
	const char *env = getenv("SYSTEMTAP_DEBUGINFO_PATH");
	char *dirs = arena_strdup(env ? env : "/usr/lib/debug:build");
	for (char *save, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (strcmp(d, "build") == 0) {
			vec_push(&v, arena_printf("/lib/modules/%s/build/vmlinux", release));
		} else if (d[0] == '/') {
			vec_push(&v, arena_printf("%s/boot/vmlinux-%s", d, release));
			vec_push(&v, arena_printf("%s/lib/modules/%s/vmlinux", d, release));
		}
	}
	return v;
}

DwModule *dw_open_kernel(const char *release, const char *vmlinux_override, const char **why)
{
	if (vmlinux_override) {
		if (access(vmlinux_override, R_OK) != 0) {
			*why = arena_printf("cannot read the vmlinux %s", vmlinux_override);
			return NULL;
		}
		return open_file(vmlinux_override, "kernel", MOD_KERNEL, why);
	}
	Vec places = kernel_debuginfo_places(release);
	for (int i = 0; i < places.len; i++) {
		const char *path = places.items[i];
		if (access(path, R_OK) == 0)
			return open_file(path, "kernel", MOD_KERNEL, why);
	}
	*why = arena_printf("no debuginfo for kernel %s (no /usr/lib/debug/boot/vmlinux-%s): "
			    "install Debian's linux-image-%s-dbg, or run stap's install-debuginfo, "
			    "which takes only the vmlinux from it",
			    release, release, release);
	return NULL;
}

/* "ext4" from ".../ext4.ko.xz"; the kernel treats - and _ in module names alike */
static const char *module_name_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strstr(base, ".ko");
	char *name = arena_strndup(base, dot ? (size_t)(dot - base) : strlen(base));
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

static bool is_module_file(const char *file)
{
	const char *ko = strstr(file, ".ko");
	return ko && (!ko[3] || !strcmp(ko, ".ko.xz") || !strcmp(ko, ".ko.zst") ||
		      !strcmp(ko, ".ko.gz"));
}

/* Looks for NAME.ko under dir, depth-first; the first found wins. */
static const char *find_module_file(const char *dir, const char *name, int depth)
{
	DIR *d = opendir(dir);
	if (!d || depth > 8) {
		if (d)
			closedir(d);
		return NULL;
	}
	const char *found = NULL;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		const char *path = arena_printf("%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			found = find_module_file(path, name, depth + 1);
		else if (is_module_file(e->d_name) && !strcmp(module_name_of(e->d_name), name))
			found = path;
	}
	closedir(d);
	return found;
}

const char *dw_module_file(const char *release, const char *name)
{
	return find_module_file(arena_printf("/lib/modules/%s", release), module_name_of(name), 0);
}

const char *dw_module_name_of(const char *path)
{
	return module_name_of(path);
}

DwModule *dw_open_module(const char *release, const char *name_or_path, const char **why)
{
	if (strchr(name_or_path, '/') || is_module_file(name_or_path)) {
		if (access(name_or_path, R_OK) != 0) {
			*why = arena_printf("cannot read the module %s", name_or_path);
			return NULL;
		}
		return open_file(name_or_path, module_name_of(name_or_path), MOD_KMODULE, why);
	}
	const char *name = module_name_of(name_or_path);
	/* the separate debuginfo first: an installed .ko may be stripped */
	const char *dirs[] = {
		arena_printf("/usr/lib/debug/lib/modules/%s", release),
		arena_printf("/lib/modules/%s", release),
	};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		const char *path = find_module_file(dirs[i], name, 0);
		if (path)
			return open_file(path, name, MOD_KMODULE, why);
	}
	*why = arena_printf("no module %s for kernel %s in %s or %s", name, release, dirs[1],
			    dirs[0]);
	return NULL;
}

DwModule *dw_open_user(const char *path, const char **why)
{
	if (access(path, R_OK) != 0) {
		*why = arena_printf("cannot read %s", path);
		return NULL;
	}
	return open_file(path, path, MOD_USER, why);
}

/* The "#include <x>" lines of "<x><y>", or NULL if it is not only headers. */
static const char *include_lines(const char *headers)
{
	Buf b = {0};
	for (const char *p = headers; *p;) {
		const char *end = strchr(p, '>');
		if (*p != '<' || !end || end == p + 1)
			return NULL;
		buf_printf(&b, "#include %.*s\n", (int)(end - p + 1), p);
		p = end + 1;
	}
	return b.s;
}

/* The first line gcc said, without the file's name, for the error message. */
static const char *first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512] = "";
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	const char *msg = strstr(line, ": ");	/* after "DIR/types.c:1:10" */
	return arena_strdup(msg ? msg + 2 : line);
}

/*
 * As SystemTap does: an object compiled from the headers alone, with
 * -fno-eliminate-unused-debug-types so that every type they declare is in
 * its DWARF.  It is built in a directory of its own and opened (libdwfl
 * relocates the object's DWARF); the files go once it is open.
 */
DwModule *dw_open_headers(const char *headers, const char **why)
{
	const char *src = include_lines(headers);
	if (!src) {
		*why = arena_printf("\"%s\" is not a list of headers, \"<a.h><b.h>\"", headers);
		return NULL;
	}
	const char *tmp = getenv("TMPDIR");
	char *dir = arena_printf("%s/stap-types-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		*why = arena_printf("cannot create %s", dir);
		return NULL;
	}
	const char *c = arena_printf("%s/types.c", dir), *o = arena_printf("%s/types.o", dir);
	const char *log = arena_printf("%s/gcc.log", dir);
	FILE *f = fopen(c, "w");
	bool ok = f && fputs(src, f) >= 0;
	if (f && fclose(f) != 0)
		ok = false;
	char *argv[] = { "gcc", "-g", "-fno-eliminate-unused-debug-types", "-c", "-o",
			 (char *)o, (char *)c, NULL };
	DwModule *m = NULL;
	if (!ok)
		*why = arena_printf("cannot write %s", c);
	else if (!run_logged(argv, dir, log))
		*why = arena_printf("gcc cannot compile %s: %s", headers, first_line(log));
	else
		m = open_file(o, headers, MOD_USER, why);
	unlink(c);
	unlink(o);
	unlink(log);
	rmdir(dir);
	return m;
}

const char *dw_module_name(DwModule *m)
{
	return m->name;
}

int dw_build_id(DwModule *m, const unsigned char **bits, uint64_t *vaddr)
{
	GElf_Addr addr = 0;
	int n = dwfl_module_build_id(m->mod, bits, &addr);
	*vaddr = addr;
	return n > 0 ? n : 0;
}

int dw_file_build_id(const char *path, const unsigned char **bits)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	const void *id;
	ssize_t n = e ? dwelf_elf_gnu_build_id(e, &id) : -1;
	if (n > 0) {
		unsigned char *copy = arena_alloc(n);
		memcpy(copy, id, n);
		*bits = copy;
	}
	if (e)
		elf_end(e);
	close(fd);
	return n > 0 ? (int)n : 0;
}

bool dw_die(DwModule *m, uint64_t off, Dwarf_Die *die)
{
	return dwarf_offdie(m->dw, off, die) != NULL;
}

/* ---- ELF symbols ---- */

static int compare_syms(const void *a, const void *b)
{
	const DwSym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)y->is_func - (int)x->is_func;	/* functions first */
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/* A name -> symbol hash; a second symbol of a name marks both not unique. */
static void hash_symbols(DwModule *m)
{
	size_t cap = 16;
	while (cap < (size_t)m->nsyms * 2)
		cap *= 2;
	m->sym_hash = arena_alloc(cap * sizeof(int));
	m->sym_hash_cap = cap;
	for (int i = 0; i < m->nsyms; i++) {
		DwSym *s = &m->syms[i];
		size_t j = hash_str(s->name) & (cap - 1);
		for (; m->sym_hash[j]; j = (j + 1) & (cap - 1)) {
			DwSym *o = &m->syms[m->sym_hash[j] - 1];
			if (!strcmp(o->name, s->name)) {
				o->unique = s->unique = false;
				break;
			}
		}
		if (!m->sym_hash[j])
			m->sym_hash[j] = i + 1;
	}
}

void dw_load_symbols(DwModule *m)
{
	if (m->syms)
		return;
	int n = dwfl_module_getsymtab(m->mod);
	m->syms = arena_alloc((n > 0 ? n : 1) * sizeof(DwSym));
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		const char *name = dwfl_module_getsym_info(m->mod, i, &sym, &addr, &shndx, NULL,
							   NULL);
		int type = GELF_ST_TYPE(sym.st_info);
		if (!name || !*name || shndx == SHN_UNDEF || type == STT_SECTION ||
		    type == STT_FILE)
			continue;
		DwSym *s = &m->syms[m->nsyms++];
		s->name = name;
		s->addr = addr;
		s->size = sym.st_size;
		s->section = shndx;
		s->is_func = type == STT_FUNC;
		s->unique = true;
	}
	qsort(m->syms, m->nsyms, sizeof(DwSym), compare_syms);
	hash_symbols(m);
}

DwSym *dw_symbol_named(DwModule *m, const char *name)
{
	dw_load_symbols(m);
	size_t cap = m->sym_hash_cap;
	for (size_t j = hash_str(name) & (cap - 1); m->sym_hash[j]; j = (j + 1) & (cap - 1)) {
		DwSym *s = &m->syms[m->sym_hash[j] - 1];
		if (!strcmp(s->name, name))
			return s;
	}
	return NULL;
}

uint64_t dw_symbol_address(DwModule *m, const char *symbol)
{
	DwSym *s = dw_symbol_named(m, symbol);
	return s ? s->addr : 0;
}

bool dw_has_function_symbol(DwModule *m, const char *name)
{
	DwSym *s = dw_symbol_named(m, name);
	if (s && !s->unique) {	/* the hash keeps one of several: look at them all */
		for (int i = 0; i < m->nsyms; i++)
			if (m->syms[i].is_func && !strcmp(m->syms[i].name, name))
				return true;
		return false;
	}
	return s && s->is_func;
}

const char *dw_similar_function_symbols(DwModule *m, const char *name, int max)
{
	dw_load_symbols(m);
	/* only names of about the same length can be close: a cheap first sieve */
	int len = strlen(name), slack = len / 3 + 1;
	Vec cands = {0};
	for (int i = 0; i < m->nsyms; i++) {
		int n = strlen(m->syms[i].name);
		if (m->syms[i].is_func && n >= len - slack && n <= len + slack)
			vec_push(&cands, (void *)m->syms[i].name);
	}
	return similar_names(name, (const char **)cands.items, cands.len, max);
}

/* Index of the last symbol at or below addr, or -1. */
static int symbol_floor(DwModule *m, uint64_t addr)
{
	int lo = 0, hi = m->nsyms;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (m->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/* The function symbol whose extent holds addr (a few symbols may share an address). */
DwSym *dw_symbol_at(DwModule *m, uint64_t addr)
{
	dw_load_symbols(m);
	for (int i = symbol_floor(m, addr), n = 0; i >= 0 && n < 64; i--, n++) {
		DwSym *s = &m->syms[i];
		if (s->is_func && addr < s->addr + (s->size ? s->size : 1))
			return s;
	}
	return NULL;
}

/* Of the function symbols at s's address, the one called name (or name.constprop.0...). */
static DwSym *symbol_called(DwModule *m, DwSym *s, const char *name)
{
	size_t n = strlen(name);
	for (DwSym *o = s; o < m->syms + m->nsyms && o->addr == s->addr; o++)
		if (o->is_func && !strncmp(o->name, name, n) && (!o->name[n] || o->name[n] == '.'))
			return o;
	return s;
}

static bool good_anchor(const DwSym *a, const DwSym *s)
{
	return a->unique && a->is_func && a->section == s->section;
}

/*
 * A probe registers by symbol name and offset, so that it needs no
 * address: the kernel finds the first symbol of a name, and static
 * functions often share one (a dozen "show" functions).  Such a symbol
 * is replaced by the nearest unique function symbol before it in its
 * section (a module's sections move apart when it is loaded); the kernel
 * turns any symbol + offset back into the function that holds it.
 */
const char *dw_anchor_symbol(DwModule *m, uint64_t addr, const char *name, uint64_t *offset)
{
	DwSym *s = dw_symbol_at(m, addr);
	if (!s)
		return NULL;
	while (s > m->syms && s[-1].addr == s->addr)	/* the first at its address */
		s--;
	s = name ? symbol_called(m, s, name) : s;
	DwSym *a = s;
	while (!good_anchor(a, s) && a > m->syms && a[-1].section == s->section)
		a--;
	if (!good_anchor(a, s))
		a = s;
	*offset = addr - a->addr;
	return a->name;
}

/*
 * A module's static data moves with its section when the module is
 * loaded: addr is reached from a symbol the runtime can look up by name
 * in the module's symbol table, unique there and in the same section,
 * preferably the one holding addr.  NULL if the section has none.
 */
const char *dw_data_anchor(DwModule *m, uint64_t addr, uint64_t *offset)
{
	Dwarf_Addr in_section = addr, bias;
	Elf_Scn *scn = dwfl_module_address_section(m->mod, &in_section, &bias);
	if (!scn)
		return NULL;
	uint32_t section = elf_ndxscn(scn);
	dw_load_symbols(m);
	DwSym *best = NULL;
	for (int i = 0; i < m->nsyms; i++) {
		DwSym *s = &m->syms[i];
		if (s->section != section || !s->unique)
			continue;
		bool holds = addr >= s->addr && addr < s->addr + (s->size ? s->size : 1);
		if (holds) {
			best = s;
			break;
		}
		if (!best)
			best = s;
	}
	if (!best)
		return NULL;
	*offset = addr - best->addr;
	return best->name;
}

/* ---- DIE helpers ---- */

/*
 * The DIE with a function's parameters, named, in order: the abstract
 * instance that an inlined or optimized copy comes from.  Not the
 * declaration a definition's DW_AT_specification names (a C++ class's
 * member, whose parameters have no names): the definition has its own.
 */
static Dwarf_Die *origin_of(Dwarf_Die *die, Dwarf_Die *out)
{
	*out = *die;
	for (int i = 0; i < 8; i++) {
		Dwarf_Attribute a;
		if (!dwarf_attr(out, DW_AT_abstract_origin, &a))
			break;
		if (!dwarf_formref_die(&a, out))
			break;
	}
	return out;
}

static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	return dwarf_attr_integrate(die, DW_AT_name, &a) ? dwarf_formstring(&a) : NULL;
}

static int die_decl_line(Dwarf_Die *die)
{
	int line = 0;
	dwarf_decl_line(die, &line);
	return line;
}

/*
 * The kernel's assembly sources are named by absolute build paths,
 * "/build/reproducible-path/linux-6.1.192/arch/x86/lib/memcpy_64.S":
 * like its C sources they are named from the top of the tree.
 */
static const char *kernel_relative(const char *path)
{
	const char *top = NULL;
	for (const char *s = strstr(path, "/linux-"); s; s = strstr(s + 1, "/linux-"))
		top = s;
	const char *slash = top ? strchr(top + 1, '/') : NULL;
	return slash && slash[1] ? slash + 1 : path;
}

/* "fs/read_write.c" from "./fs/read_write.c" and the like */
const char *dw_normalize_file(DwModule *m, const char *path)
{
	if (!path)
		return "";
	if (m->kind == MOD_KERNEL && path[0] == '/')
		path = kernel_relative(path);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (!strstr(path, "/./") && !strstr(path, "//"))
		return path;
	Buf b = {0};
	for (const char *p = path; *p; p++) {
		if (*p == '/' && p[1] == '.' && p[2] == '/')
			p++;
		else if (!(*p == '/' && p[1] == '/'))
			buf_putc(&b, *p);
	}
	return b.s;
}

/* A function's entry: DW_AT_entry_pc, low_pc, or the range that starts at a symbol. */
uint64_t dw_die_entry(DwModule *m, Dwarf_Die *die)
{
	Dwarf_Attribute a;
	Dwarf_Addr pc, low;
	if (dwarf_attr(die, DW_AT_entry_pc, &a)) {
		Dwarf_Word off;
		if (dwarf_formaddr(&a, &pc) == 0)
			return pc + m->bias;
		/* DWARF 5 allows an offset from low_pc */
		if (dwarf_formudata(&a, &off) == 0 && dwarf_lowpc(die, &low) == 0)
			return low + off + m->bias;
	}
	if (dwarf_lowpc(die, &low) == 0)
		return low ? low + m->bias : 0;
	Dwarf_Addr base, start, end, first = 0;
	for (ptrdiff_t off = 0; (off = dwarf_ranges(die, off, &base, &start, &end)) > 0;) {
		if (!first)
			first = start;
		DwSym *s = dw_symbol_at(m, start + m->bias);
		if (s && s->addr == start + m->bias && !strstr(s->name, ".cold"))
			return start + m->bias;
	}
	return first ? first + m->bias : 0;
}

/* ---- patterns: name[@file[:lines|+offset]] ---- */

typedef struct LineRange {
	int lo, hi;
} LineRange;

typedef enum LineKind { LINES_NONE, LINES_LIST, LINES_ALL, LINES_RELATIVE } LineKind;

typedef struct Pattern {
	const char *name;	/* fnmatch pattern */
	const char *file;	/* NULL: any file */
	LineKind lines;
	LineRange *ranges;	/* LINES_LIST */
	int nranges;
	int offset;		/* LINES_RELATIVE: lines after the declaration */
} Pattern;

static bool parse_int(const char **s, int *out)
{
	char *end;
	long v = strtol(*s, &end, 10);
	if (end == *s || v < 0 || v > 10000000)
		return false;
	*out = (int)v;
	*s = end;
	return true;
}

/* "N", "N-M", "N,M-K" or "*" */
static bool parse_lines(const char *s, Pattern *p)
{
	if (!strcmp(s, "*")) {
		p->lines = LINES_ALL;
		return true;
	}
	p->lines = LINES_LIST;
	p->ranges = arena_alloc((strlen(s) / 2 + 1) * sizeof(LineRange));
	for (;;) {
		LineRange *r = &p->ranges[p->nranges++];
		if (!parse_int(&s, &r->lo))
			return false;
		r->hi = r->lo;
		if (*s == '-') {
			s++;
			if (!parse_int(&s, &r->hi) || r->hi < r->lo)
				return false;
		}
		if (!*s)
			return true;
		if (*s++ != ',')
			return false;
	}
}

static bool parse_pattern(const char *text, Pattern *p)
{
	memset(p, 0, sizeof(*p));
	const char *at = strchr(text, '@');
	if (!at) {
		p->name = text;
		return *text != '\0';
	}
	p->name = arena_strndup(text, at - text);
	const char *file = at + 1;
	const char *colon = strchr(file, ':');
	const char *plus = strchr(file, '+');
	if (colon) {
		p->file = arena_strndup(file, colon - file);
		if (!parse_lines(colon + 1, p))
			return false;
	} else if (plus) {
		p->file = arena_strndup(file, plus - file);
		const char *s = plus + 1;
		p->lines = LINES_RELATIVE;
		if (!parse_int(&s, &p->offset) || *s)
			return false;
	} else {
		p->file = file;
	}
	return *p->name && *p->file;
}

/* A file pattern matches a path, or any suffix of it after a '/'. */
static bool file_matches(const char *pat, const char *file)
{
	if (!pat[strcspn(pat, "*?[\\")]) {	/* no wildcard: compare the tail */
		size_t np = strlen(pat), nf = strlen(file);
		return nf >= np && !strcmp(file + nf - np, pat) &&
		       (nf == np || file[nf - np - 1] == '/');
	}
	if (fnmatch(pat, file, 0) == 0)
		return true;
	for (const char *s = strchr(file, '/'); s; s = strchr(s + 1, '/'))
		if (fnmatch(pat, s + 1, 0) == 0)
			return true;
	return false;
}

static bool line_wanted(const Pattern *p, int line)
{
	if (p->lines == LINES_ALL)
		return true;
	for (int i = 0; i < p->nranges; i++)
		if (line >= p->ranges[i].lo && line <= p->ranges[i].hi)
			return true;
	return false;
}

/* ---- line records of one function ---- */

typedef struct LineRec {
	uint64_t addr;		/* link-time */
	int line;
	const char *file;
	bool prologue_end;	/* DW_LNS_set_prologue_end (clang sets it, gcc does not) */
} LineRec;

typedef struct LineList {
	LineRec *items;
	int len;
} LineList;

static size_t first_line_at(Dwarf_Lines *lines, size_t n, Dwarf_Addr addr)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		Dwarf_Addr a;
		dwarf_lineaddr(dwarf_onesrcline(lines, mid), &a);
		if (a < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The is_stmt line records inside the ranges of a function's DIE. */
static LineList function_lines(DwModule *m, Dwarf_Die *die)
{
	LineList out = {0};
	Dwarf_Die cu;
	Dwarf_Lines *lines;
	size_t n;
	if (!dwarf_diecu(die, &cu, NULL, NULL) || dwarf_getsrclines(&cu, &lines, &n) != 0)
		return out;
	Vec recs = {0};
	Dwarf_Addr base, start, end;
	for (ptrdiff_t off = 0; (off = dwarf_ranges(die, off, &base, &start, &end)) > 0;) {
		for (size_t i = first_line_at(lines, n, start); i < n; i++) {
			Dwarf_Line *l = dwarf_onesrcline(lines, i);
			Dwarf_Addr a;
			bool stmt = false, end_seq = false;
			dwarf_lineaddr(l, &a);
			if (a >= end)
				break;
			dwarf_linebeginstatement(l, &stmt);
			dwarf_lineendsequence(l, &end_seq);
			if (!stmt || end_seq)
				continue;
			LineRec *r = arena_alloc(sizeof(*r));
			r->addr = a + m->bias;
			dwarf_lineno(l, &r->line);
			dwarf_lineprologueend(l, &r->prologue_end);
			r->file = dw_normalize_file(m, dwarf_linesrc(l, NULL, NULL));
			vec_push(&recs, r);
		}
	}
	out.items = arena_alloc((recs.len + 1) * sizeof(LineRec));
	for (int i = 0; i < recs.len; i++)
		out.items[i] = *(LineRec *)recs.items[i];
	out.len = recs.len;
	return out;
}

/* The lowest address of a line of a file in the function, or 0. */
static uint64_t line_address(const LineList *ll, const char *file, int line)
{
	uint64_t best = 0;
	for (int i = 0; i < ll->len; i++) {
		const LineRec *r = &ll->items[i];
		if (r->line == line && !strcmp(r->file, file) && (!best || r->addr < best))
			best = r->addr;
	}
	return best;
}

/* The last line of the function's own file: a function spans decl_line to it. */
static int last_line(const LineList *ll, const char *file)
{
	int last = 0;
	for (int i = 0; i < ll->len; i++)
		if (ll->items[i].line > last && !strcmp(ll->items[i].file, file))
			last = ll->items[i].line;
	return last;
}

/* ---- functions ---- */

static DwFunc *func_from_record(DwModule *m, const Index *ix, const IxFunc *r)
{
	DwFunc *f = arena_alloc(sizeof(*f));
	f->name = ix_str(ix, r->name);
	f->decl_file = ix_str(ix, r->file);
	f->decl_line = r->line;
	f->entry = r->entry;
	f->symbol = r->symbol ? ix_str(ix, r->symbol) : NULL;
	f->symbol_offset = r->symbol_offset;
	f->is_inline_instance = r->flags & IXF_INLINE;
	f->is_exported = r->flags & IXF_EXPORTED;
	f->blocklisted = r->flags & IXF_BLOCKED;
	f->blocklist_why = r->why ? ix_str(ix, r->why) : NULL;
	f->die_offset = r->die;
	f->scope_offset = r->scope;
	return f;
}

/* Where functions whose names start with prefix begin in the sorted index. */
static uint32_t first_func_with_prefix(const Index *ix, const char *prefix, size_t n)
{
	uint32_t lo = 0, hi = ix->nfuncs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (strncmp(ix_str(ix, ix->funcs[mid].name), prefix, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Applies a pattern's line part to a function that matched by name and
 * file: :N and :N-M keep it if a wanted line lies within it (from its
 * declaration to its last line); +N moves its entry to line decl+N.
 */
static bool apply_lines(DwModule *m, const Pattern *p, DwFunc *f)
{
	if (p->lines == LINES_NONE || p->lines == LINES_ALL)
		return true;
	Dwarf_Die die;
	if (!dw_die(m, f->die_offset, &die))
		return false;
	LineList ll = function_lines(m, &die);
	if (p->lines == LINES_RELATIVE) {
		uint64_t addr = line_address(&ll, f->decl_file, f->decl_line + p->offset);
		if (!addr)
			return false;
		f->entry = addr;
		f->symbol = dw_anchor_symbol(m, addr, f->name, &f->symbol_offset);
		return true;
	}
	int first = f->decl_line, last = last_line(&ll, f->decl_file);
	if (last < first)
		last = first;
	for (int i = 0; i < p->nranges; i++)
		if (p->ranges[i].lo <= last && p->ranges[i].hi >= first)
			return true;
	return false;
}

static bool record_matches(const Index *ix, const IxFunc *r, const Pattern *p,
			   bool with_inlines, bool inline_only)
{
	bool is_inline = r->flags & IXF_INLINE;
	if ((is_inline && !with_inlines && !inline_only) || (!is_inline && inline_only))
		return false;
	/* "Class::name", "ns::*": C++ functions by their qualified names */
	const char *name = ix_str(ix, strstr(p->name, "::") ? r->qual : r->name);
	if (!*name || fnmatch(p->name, name, 0) != 0)
		return false;
	return !p->file || file_matches(p->file, ix_str(ix, r->file));
}

static int compare_funcs(const void *a, const void *b)
{
	const DwFunc *x = *(DwFunc *const *)a, *y = *(DwFunc *const *)b;
	int c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->decl_file, y->decl_file);
	if (!c && x->decl_line != y->decl_line)
		c = x->decl_line < y->decl_line ? -1 : 1;
	if (!c && x->entry != y->entry)
		c = x->entry < y->entry ? -1 : 1;
	return c;
}

static DwFuncList sorted_unique(Vec *v)
{
	DwFuncList out = {(DwFunc **)v->items, 0};
	if (!v->len)
		return out;
	qsort(v->items, v->len, sizeof(void *), compare_funcs);
	for (int i = 0; i < v->len; i++) {
		DwFunc *f = v->items[i];
		if (out.len && out.items[out.len - 1]->entry == f->entry &&
		    !strcmp(out.items[out.len - 1]->name, f->name))
			continue;
		out.items[out.len++] = f;
	}
	return out;
}

static size_t literal_prefix(const char *pat)
{
	return strcspn(pat, "*?[\\");
}

DwFuncList dw_find_functions(DwModule *m, const char *pattern, bool with_inlines,
			     bool inline_only)
{
	DwFuncList none = {0};
	Pattern p;
	Index *ix = dw_index(m);
	if (!ix || !parse_pattern(pattern, &p))
		return none;
	/* the index is by unqualified name: a qualified one is looked for everywhere */
	bool qualified = strstr(p.name, "::");
	size_t n = qualified ? 0 : literal_prefix(p.name);
	Vec found = {0};
	for (uint32_t i = first_func_with_prefix(ix, p.name, n); i < ix->nfuncs; i++) {
		const IxFunc *r = &ix->funcs[i];
		if (strncmp(ix_str(ix, r->name), p.name, n) != 0)
			break;
		if (!record_matches(ix, r, &p, with_inlines, inline_only))
			continue;
		DwFunc *f = func_from_record(m, ix, r);
		if (apply_lines(m, &p, f))
			vec_push(&found, f);
	}
	return sorted_unique(&found);
}

/* ---- parameters and variables ---- */

static DwVar *var_from_die(DwModule *m, Dwarf_Die *die, uint64_t scope, bool is_param)
{
	DwVar *v = arena_alloc(sizeof(*v));
	v->name = die_name(die);
	v->type = dw_type_of(m, die);
	v->is_param = is_param;
	v->decl_line = die_decl_line(die);
	v->die_offset = dwarf_dieoffset(die);
	v->scope_offset = scope;
	return v;
}

/* The concrete parameter of an inlined or cloned copy whose origin is abstract_param. */
static bool concrete_param(Dwarf_Die *copy, Dwarf_Off abstract_param, Dwarf_Die *out)
{
	if (dwarf_child(copy, out) != 0)
		return false;
	do {
		Dwarf_Attribute a;
		Dwarf_Die origin;
		if (dwarf_tag(out) == DW_TAG_formal_parameter &&
		    dwarf_attr(out, DW_AT_abstract_origin, &a) && dwarf_formref_die(&a, &origin) &&
		    dwarf_dieoffset(&origin) == abstract_param)
			return true;
	} while (dwarf_siblingof(out, out) == 0);
	return false;
}

/*
 * Parameters in declaration order come from the abstract DIE, which has
 * them all; their locations from the copy's own DIEs where it has them
 * (an optimized copy may have dropped some: those read as unavailable).
 */
int dw_func_params(DwModule *m, DwFunc *f)
{
	if (f->ret)
		return f->nparams;
	Dwarf_Die die, origin, p;
	if (!dw_die(m, f->die_offset, &die)) {
		f->ret = dw_type_from_die(m, NULL);
		return 0;
	}
	origin_of(&die, &origin);
	f->ret = dw_type_of(m, &origin);
	Vec params = {0};
	if (dwarf_child(&origin, &p) == 0) {
		do {
			if (dwarf_tag(&p) != DW_TAG_formal_parameter)
				continue;
			Dwarf_Die concrete = p, found;
			if (dwarf_dieoffset(&origin) != dwarf_dieoffset(&die) &&
			    concrete_param(&die, dwarf_dieoffset(&p), &found))
				concrete = found;
			DwVar *v = var_from_die(m, &concrete, f->scope_offset, true);
			if (v->name)
				vec_push(&params, v);
		} while (dwarf_siblingof(&p, &p) == 0);
	}
	f->params = arena_alloc((params.len + 1) * sizeof(DwVar));
	for (int i = 0; i < params.len; i++)
		f->params[i] = *(DwVar *)params.items[i];
	f->nparams = params.len;
	return f->nparams;
}

/* Adds v to vars; an inner scope's variable hides an outer one of the same name. */
static void add_var(Vec *vars, DwVar *v)
{
	for (int i = 0; i < vars->len; i++)
		if (!strcmp(((DwVar *)vars->items[i])->name, v->name)) {
			vars->items[i] = v;
			return;
		}
	vec_push(vars, v);
}

/* The locals of a scope, and of its nested lexical blocks that contain pc. */
static void collect_locals(DwModule *m, Dwarf_Die *scope, uint64_t frame, Dwarf_Addr pc,
			   Vec *vars)
{
	Dwarf_Die d;
	if (dwarf_child(scope, &d) != 0)
		return;
	Vec blocks = {0};
	do {
		int tag = dwarf_tag(&d);
		if (tag == DW_TAG_variable) {
			DwVar *v = var_from_die(m, &d, frame, false);
			if (v->name)
				add_var(vars, v);
		} else if (tag == DW_TAG_lexical_block && dwarf_haspc(&d, pc) == 1) {
			Dwarf_Die *b = arena_alloc(sizeof(*b));
			*b = d;
			vec_push(&blocks, b);
		}
	} while (dwarf_siblingof(&d, &d) == 0);
	/* blocks after this scope's own variables, so that theirs win */
	for (int i = 0; i < blocks.len; i++)
		collect_locals(m, blocks.items[i], frame, pc, vars);
}

DwVarList dw_vars_at(DwModule *m, DwFunc *f, uint64_t addr, bool params, bool locals)
{
	Vec vars = {0};
	if (params) {
		dw_func_params(m, f);
		for (int i = 0; i < f->nparams; i++)
			vec_push(&vars, &f->params[i]);
	}
	Dwarf_Die die;
	if (locals && dw_die(m, f->die_offset, &die))
		collect_locals(m, &die, f->scope_offset, addr - m->bias, &vars);
	DwVarList out = {(DwVar **)vars.items, vars.len};
	return out;
}

DwLoc dw_var_location(DwModule *m, DwVar *v, uint64_t addr)
{
	Dwarf_Die die, scope;
	if (!dw_die(m, v->die_offset, &die)) {
		DwLoc none = {.kind = DL_UNAVAILABLE, .why = "its debuginfo cannot be read"};
		return none;
	}
	bool has_scope = v->scope_offset && dw_die(m, v->scope_offset, &scope);
	return dw_location(m, &die, has_scope ? &scope : NULL, addr, v->type ? v->type->size : 8);
}

/* ---- globals ---- */

static uint32_t first_name(const Index *ix, const IxName *names, uint32_t n, const char *name)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix_str(ix, names[mid].name), name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int global_rank(const IxName *g)
{
	return (g->flags & IXF_DECL ? 0 : 2) + (g->flags & IXF_EXTERNAL ? 1 : 0);
}

/*
 * "name" or "name@file".  A definition wins over a declaration, an
 * external one over file-local ones; a variable only declared in the
 * DWARF (jiffies, defined by the linker script) is where its symbol is.
 */
DwVar *dw_find_global(DwModule *m, const char *name, DwLoc *loc)
{
	Index *ix = dw_index(m);
	if (!ix)
		return NULL;
	const char *at = strchr(name, '@');
	const char *file = at ? at + 1 : NULL;
	if (at)
		name = arena_strndup(name, at - name);
	const IxName *best = NULL;
	for (uint32_t i = first_name(ix, ix->globals, ix->nglobals, name); i < ix->nglobals; i++) {
		const IxName *g = &ix->globals[i];
		if (strcmp(ix_str(ix, g->name), name) != 0)
			break;
		if (file && !file_matches(file, ix_str(ix, g->file)))
			continue;
		if (!best || global_rank(g) > global_rank(best))
			best = g;
	}
	Dwarf_Die die;
	if (!best || !dw_die(m, best->die, &die))
		return NULL;
	DwVar *v = var_from_die(m, &die, 0, false);
	if (!loc)
		return v;
	if (best->flags & IXF_DECL) {
		DwSym *s = dw_symbol_named(m, v->name);
		*loc = dw_static_location(m, s ? s->addr : 0);
	} else {
		*loc = dw_location(m, &die, NULL, 0, v->type->size);
	}
	return v;
}

/* ---- statements ---- */

typedef struct StmtQuery {
	DwModule *m;
	Pattern p;
	bool nearest;
	Vec out;		/* DwStatement* */
} StmtQuery;

static void add_statement(StmtQuery *q, DwFunc *f, const LineRec *r)
{
	for (int i = 0; i < q->out.len; i++) {	/* two lines may share an address */
		DwStatement *o = q->out.items[i];
		if (o->addr == r->addr && o->line == r->line)
			return;
	}
	DwStatement *s = arena_alloc(sizeof(*s));
	s->func = f;
	s->file = r->file;
	s->line = r->line;
	s->addr = r->addr;
	s->symbol = dw_anchor_symbol(q->m, r->addr, f->name, &s->symbol_offset);
	vec_push(&q->out, s);
}

/* The record of the lowest address for line in the function's file(s), or NULL. */
static const LineRec *line_record(const LineList *ll, const char *file_pat, int line)
{
	const LineRec *best = NULL;
	for (int i = 0; i < ll->len; i++) {
		const LineRec *r = &ll->items[i];
		if (r->line == line && (!best || r->addr < best->addr) &&
		    file_matches(file_pat, r->file))
			best = r;
	}
	return best;
}

/* .nearest: the line with records closest to line (later ones win ties). */
static const LineRec *nearest_record(const LineList *ll, const char *file_pat, int line)
{
	const LineRec *best = NULL;
	for (int i = 0; i < ll->len; i++) {
		const LineRec *r = &ll->items[i];
		if (!file_matches(file_pat, r->file))
			continue;
		int d = abs(r->line - line), bd = best ? abs(best->line - line) : 0;
		if (!best || d < bd || (d == bd && r->line > best->line) ||
		    (r->line == best->line && r->addr < best->addr))
			best = r;
	}
	return best;
}

static void statements_of(StmtQuery *q, DwFunc *f)
{
	Dwarf_Die die;
	if (!dw_die(q->m, f->die_offset, &die))
		return;
	LineList ll = function_lines(q->m, &die);
	const Pattern *p = &q->p;
	if (p->lines == LINES_RELATIVE) {
		const LineRec *r = line_record(&ll, f->decl_file, f->decl_line + p->offset);
		if (r)
			add_statement(q, f, r);
		return;
	}
	/* one statement per wanted line: its lowest address */
	int before = q->out.len;
	for (int i = 0; i < ll.len; i++) {
		const LineRec *r = &ll.items[i];
		if (!line_wanted(p, r->line) || !file_matches(p->file, r->file))
			continue;
		/* as in SystemTap, f's lines start at its declaration: what
		 * was inlined from earlier in its file is another function's */
		if (p->lines == LINES_ALL && r->line < f->decl_line &&
		    strcmp(r->file, f->decl_file) == 0)
			continue;
		add_statement(q, f, line_record(&ll, p->file, r->line));
	}
	if (q->nearest && p->lines == LINES_LIST && q->out.len == before)
		for (int i = 0; i < p->nranges; i++) {
			const LineRec *r = nearest_record(&ll, p->file, p->ranges[i].lo);
			if (r)
				add_statement(q, f, r);
		}
}

static int compare_statements(const void *a, const void *b)
{
	const DwStatement *x = *(DwStatement *const *)a, *y = *(DwStatement *const *)b;
	int c = strcmp(x->file, y->file);
	if (!c && x->line != y->line)
		c = x->line < y->line ? -1 : 1;
	if (!c && x->addr != y->addr)
		c = x->addr < y->addr ? -1 : 1;
	return c;
}

/* "func@file:lines", "func@file+N", or "file:lines" (any function in the file) */
DwStatementList dw_find_statements(DwModule *m, const char *pattern, bool nearest)
{
	DwStatementList none = {0};
	StmtQuery q = {.m = m, .nearest = nearest};
	if (!strchr(pattern, '@'))
		pattern = arena_printf("*@%s", pattern);
	if (!parse_pattern(pattern, &q.p) || q.p.lines == LINES_NONE)
		return none;
	/* the functions named, declared in the file (their lines may come from headers) */
	DwFuncList fl = dw_find_functions(m, arena_printf("%s@%s", q.p.name, q.p.file), true,
					  false);
	for (int i = 0; i < fl.len; i++)
		statements_of(&q, fl.items[i]);
	if (q.out.len)
		qsort(q.out.items, q.out.len, sizeof(void *), compare_statements);
	DwStatementList out = {(DwStatement **)q.out.items, q.out.len};
	return out;
}

/*
 * Where f's prologue ends: the row the compiler marks as the end of the
 * prologue (clang), else the first line-table row after the entry (gcc
 * starts a row there even inside a one-line function: the statement has
 * a column of its own).  Unoptimized code stores its parameters into
 * their frame slots before it.  0 when the table has no such row.
 */
static uint64_t prologue_end(DwModule *m, DwFunc *f)
{
	Dwarf_Die die;
	if (!dw_die(m, f->die_offset, &die))
		return 0;
	LineList ll = function_lines(m, &die);
	uint64_t marked = 0, next = 0;
	for (int i = 0; i < ll.len; i++) {
		const LineRec *r = &ll.items[i];
		if (r->prologue_end && r->addr >= f->entry && (!marked || r->addr < marked))
			marked = r->addr;
		if (r->addr > f->entry && (!next || r->addr < next))
			next = r->addr;
	}
	return marked ? marked : next;
}

uint64_t dw_func_body_addr(DwModule *m, DwFunc *f)
{
	if (!f->body_known) {
		f->body_known = true;
		f->body = f->is_inline_instance ? f->entry : prologue_end(m, f);
	}
	return f->body;
}

bool dw_var_set_at(DwModule *m, DwFunc *f, DwVar *v, uint64_t addr)
{
	if (m->kind != MOD_USER || !v->is_param || f->is_inline_instance || addr < f->entry)
		return true;
	uint64_t body = dw_func_body_addr(m, f);
	if (body && addr >= body)
		return true;
	Dwarf_Die die, scope;
	if (!dw_die(m, v->die_offset, &die) || !dw_die(m, v->scope_offset, &scope))
		return true;
	return !dw_in_new_frame(&die, &scope);
}

/* ---- listing ---- */

/* Has the variable of die a value at pc: a constant, or a location there? */
static bool has_value_at(Dwarf_Die *die, Dwarf_Addr pc)
{
	Dwarf_Attribute attr;
	Dwarf_Op *expr;
	size_t len;
	if (dwarf_attr_integrate(die, DW_AT_const_value, &attr))
		return true;
	return dwarf_attr_integrate(die, DW_AT_location, &attr) &&
	       dwarf_getlocation_addr(&attr, pc, &expr, &len, 1) == 1 && len > 0;
}

/*
 * What -L lists at a function's entry, as SystemTap does: the parameters
 * and outermost locals (not those of inner blocks) of the function's own
 * DIE, in its order (an inlined copy's may differ from the origin's), each
 * only if it has a value there: an optimized-out parameter, or a local that
 * lives in a register only later ($ret), is left out.
 */
static DwVarList entry_vars(DwModule *m, DwFunc *f)
{
	Vec vars = {0};
	Dwarf_Die die, d;
	if (!dw_die(m, f->die_offset, &die) || dwarf_child(&die, &d) != 0)
		return (DwVarList){NULL, 0};
	do {
		int tag = dwarf_tag(&d);
		if (tag != DW_TAG_formal_parameter && tag != DW_TAG_variable)
			continue;
		if (!has_value_at(&d, f->entry - m->bias))
			continue;
		DwVar *v = var_from_die(m, &d, f->scope_offset, tag == DW_TAG_formal_parameter);
		if (v->name && v->type)
			vec_push(&vars, v);
	} while (dwarf_siblingof(&d, &d) == 0);
	return (DwVarList){(DwVar **)vars.items, vars.len};
}

/* A type's name as -L shows it: SystemTap leaves out array bounds (char[]). */
static const char *listed_type_name(const char *name)
{
	Buf b = {0};
	buf_puts(&b, "");
	for (const char *p = name; *p; p++) {
		buf_putc(&b, *p);
		if (*p == '[')
			while (p[1] >= '0' && p[1] <= '9')
				p++;
	}
	return b.s;
}

const char *dw_function_point(DwModule *m, DwFunc *f, const char *prefix, bool with_vars)
{
	Buf b = {0};
	buf_printf(&b, "%s(\"%s@%s:%d\")", prefix, f->name, f->decl_file, f->decl_line);
	if (!with_vars)
		return b.s;
	DwVarList vars = entry_vars(m, f);
	for (int i = 0; i < vars.len; i++)
		buf_printf(&b, " $%s:%s", vars.items[i]->name,
			   listed_type_name(vars.items[i]->type->name));
	return b.s;
}
