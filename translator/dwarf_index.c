/*
 * dwarf_index.c - every function instance, global and named type of a
 * module, found by one walk over all of its DWARF and kept on disk.
 *
 * Debian's cloud vmlinux has over 2000 CUs and half a million function
 * instances; walking them takes seconds, so the walk's result is cached
 * as ~/.cache/stap/dwarf-BUILDID.idx ($STAP_CACHE, as build.c's cache)
 * and later runs mmap it.  The index holds what listing needs (names,
 * files, lines, entries, symbols, blocklisting), and the DIE offsets of
 * each entry, so that a query reads the DWARF of only what it returns.
 *
 * The file: an IxHeader, then the string blob, then the IxFunc, global
 * and type arrays, each 8-byte aligned.  It is written to a temporary
 * name and renamed, so that a reader never sees half of one.  A reader
 * opens it through cache.c's checks (the user's own file, no link),
 * checks its checksum and that every count and offset stays inside the
 * file (without overflow), and rebuilds the index otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gelf.h>
#include "dwarf_int.h"

#define IX_MAGIC "STAPDWIX"
#define IX_VERSION 5	/* 4: user ET_DYN files at their own addresses; C++ names; 5: a checksum */

typedef struct IxHeader {
	char magic[8];
	uint32_t version;
	uint32_t nfuncs, nglobals, ntypes;
	uint64_t strings_off, strings_len;
	uint64_t funcs_off, globals_off, types_off;
	uint64_t file_size;
	uint64_t checksum;	/* ix_checksum of everything after the header */
} IxHeader;

/* ---- the blocklist: code a kprobe must not or cannot sit on ---- */

typedef struct Range {
	uint64_t lo, hi;
	const char *why;
} Range;

struct Blocklist {
	Range ranges[8];
	int nranges;
	uint64_t *nokprobe;	/* NOKPROBE_SYMBOL functions' addresses, sorted */
	size_t nnokprobe;
};

/* Parts of the kernel's .text, bounded by linker-script symbols. */
static const char *const kernel_areas[][3] = {
	{"__noinstr_text_start", "__noinstr_text_end",
	 "it is noinstr code (.noinstr.text), which the kernel must not instrument"},
	{"__entry_text_start", "__entry_text_end",
	 "it is low-level entry code (.entry.text), on the kernel's kprobe blocklist"},
	{"__kprobes_text_start", "__kprobes_text_end",
	 "it is in .kprobes.text, on the kernel's kprobe blocklist"},
	{"_sinittext", "_einittext", "it is __init code, freed after boot"},
};

/* Sections of their own, in the vmlinux or in a module. */
static const char *const section_rules[][2] = {
	{".noinstr.text",
	 "it is noinstr code (.noinstr.text), which the kernel must not instrument"},
	{".entry.text",
	 "it is low-level entry code (.entry.text), on the kernel's kprobe blocklist"},
	{".kprobes.text", "it is in .kprobes.text, on the kernel's kprobe blocklist"},
	{".init.text", "it is __init code (.init.text), freed once initialization is done"},
};

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Reads n bytes of the loaded image at a link-time address. */
static const void *image_bytes(DwModule *m, uint64_t addr, size_t n)
{
	Dwarf_Addr bias, rel = addr;
	Elf_Scn *scn = dwfl_module_address_section(m->mod, &rel, &bias);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data || !data->d_buf || rel + n > data->d_size)
		return NULL;
	return (const char *)data->d_buf + rel;
}

/* The addresses NOKPROBE_SYMBOL() put in the kernel's _kprobe_blacklist table. */
static void load_nokprobe(DwModule *m, struct Blocklist *bl)
{
	DwSym *start = dw_symbol_named(m, "__start_kprobe_blacklist");
	DwSym *stop = dw_symbol_named(m, "__stop_kprobe_blacklist");
	if (!start || !stop || stop->addr <= start->addr)
		return;
	size_t n = (stop->addr - start->addr) / 8;
	const uint64_t *table = image_bytes(m, start->addr, n * 8);
	if (!table)
		return;
	bl->nokprobe = arena_alloc(n * sizeof(uint64_t));
	memcpy(bl->nokprobe, table, n * sizeof(uint64_t));
	bl->nnokprobe = n;
	qsort(bl->nokprobe, n, sizeof(uint64_t), compare_u64);
}

static struct Blocklist *blocklist(DwModule *m)
{
	if (m->blocklist)
		return m->blocklist;
	struct Blocklist *bl = arena_alloc(sizeof(*bl));
	m->blocklist = bl;
	if (m->kind != MOD_KERNEL)
		return bl;
	for (size_t i = 0; i < ARRAY_SIZE(kernel_areas); i++) {
		DwSym *lo = dw_symbol_named(m, kernel_areas[i][0]);
		DwSym *hi = dw_symbol_named(m, kernel_areas[i][1]);
		if (lo && hi && lo->addr < hi->addr)
			bl->ranges[bl->nranges++] = (Range){lo->addr, hi->addr, kernel_areas[i][2]};
	}
	load_nokprobe(m, bl);
	return bl;
}

static const char *section_of(DwModule *m, uint64_t addr)
{
	Dwarf_Addr bias, rel = addr;
	Elf_Scn *scn = dwfl_module_address_section(m->mod, &rel, &bias);
	Elf *elf = dwfl_module_getelf(m->mod, &bias);
	GElf_Shdr sh;
	size_t shstrndx;
	if (!scn || !elf || !gelf_getshdr(scn, &sh) || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	return elf_strptr(elf, shstrndx, sh.sh_name);
}

const char *dw_blocklist_why(DwModule *m, uint64_t addr)
{
	if (m->kind == MOD_USER)
		return NULL;
	struct Blocklist *bl = blocklist(m);
	for (int i = 0; i < bl->nranges; i++)
		if (addr >= bl->ranges[i].lo && addr < bl->ranges[i].hi)
			return bl->ranges[i].why;
	const char *section = section_of(m, addr);
	for (size_t i = 0; section && i < ARRAY_SIZE(section_rules); i++)
		if (!strcmp(section, section_rules[i][0]))
			return section_rules[i][1];
	if (section && m->kind == MOD_KERNEL && !strcmp(section, ".exit.text"))
		return "it is __exit code of built-in code, freed after boot";
	DwSym *s = dw_symbol_at(m, addr);
	if (!s)
		return "it has no symbol that a kprobe could be registered on";
	if (bl->nnokprobe && bsearch(&s->addr, bl->nokprobe, bl->nnokprobe, sizeof(uint64_t),
				     compare_u64))
		return "it is marked NOKPROBE_SYMBOL: the kernel refuses kprobes on it";
	return NULL;
}

/* ---- building ---- */

typedef struct Builder {
	DwModule *m;
	Buf strings;
	uint32_t *shash;	/* string offsets by content; 0: empty ("" is never hashed) */
	size_t shash_cap, shash_len;
	IxFunc *funcs;
	size_t nfuncs, cap_funcs;
	IxName *globals;
	size_t nglobals, cap_globals;
	IxName *types;
	size_t ntypes, cap_types;
	OffMap seen_types;	/* type names already indexed (string offset -> 1) */
	OffMap seen_decls;	/* declared globals already indexed */
	OffMap by_address;	/* string address -> blob offset + 1 (see str_at) */
	OffMap seen_type_names;	/* type name address * 4 + kind -> 1 */
	const char *cu_file;	/* for functions without a declaration file (assembly) */
	/* a C++ CU: the qualified names of the functions in its namespaces and classes */
	bool cxx;
	OffMap qualified;	/* subprogram DIE offset -> "ns::Class::name" */
	size_t cu_first_func;	/* the CU's first entry in funcs */
	uint64_t *decl_of;	/* funcs[cu_first_func + i]: its declaration's DIE offset */
	size_t cap_decl_of;
} Builder;

static uint64_t hash_text(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static void strings_grow(Builder *b)
{
	size_t cap = b->shash_cap ? b->shash_cap * 2 : 1 << 16;
	uint32_t *t = calloc(cap, sizeof(*t));
	if (!t)
		fatal("out of memory");
	for (size_t i = 0; i < b->shash_cap; i++) {
		if (!b->shash[i])
			continue;
		size_t j = hash_text(b->strings.s + b->shash[i]) & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = b->shash[i];
	}
	free(b->shash);
	b->shash = t;
	b->shash_cap = cap;
}

/* The blob offset of s, added once. */
static uint32_t str(Builder *b, const char *s)
{
	if (!s || !*s)
		return 0;
	if ((b->shash_len + 1) * 2 > b->shash_cap)
		strings_grow(b);
	size_t j = hash_text(s) & (b->shash_cap - 1);
	for (; b->shash[j]; j = (j + 1) & (b->shash_cap - 1))
		if (!strcmp(b->strings.s + b->shash[j], s))
			return b->shash[j];
	uint32_t off = (uint32_t)b->strings.len;
	buf_puts(&b->strings, s);
	buf_putc(&b->strings, '\0');
	b->shash[j] = off;
	b->shash_len++;
	return off;
}

/*
 * The same, looked up by the string's address first: names point into
 * .debug_str, whose equal strings the linker merged, and file names into
 * a CU's file table, so most lookups need neither hashing nor strcmp.
 */
static uint32_t str_at(Builder *b, const char *s)
{
	if (!s)
		return 0;
	void *known = offmap_get(&b->by_address, (uint64_t)(uintptr_t)s);
	if (known)
		return (uint32_t)((uintptr_t)known - 1);
	uint32_t off = str(b, s);
	offmap_put(&b->by_address, (uint64_t)(uintptr_t)s, (void *)(uintptr_t)(off + 1));
	return off;
}

/* Grows one of the builder's arrays: they are the in-memory index afterwards. */
static void *grow(void *items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return items;
	*cap = *cap ? *cap * 2 : 4096;
	items = realloc(items, *cap * size);
	if (!items)
		fatal("out of memory");
	return items;
}

static const char *attr_string(Dwarf_Die *die, unsigned int name)
{
	Dwarf_Attribute a;
	return dwarf_attr_integrate(die, name, &a) ? dwarf_formstring(&a) : NULL;
}

static bool is_exported(DwModule *m, const char *name)
{
	char sym[512];
	int n = snprintf(sym, sizeof(sym), "__ksymtab_%s", name);
	if (m->kind == MOD_USER || n >= (int)sizeof(sym))
		return false;
	return dw_symbol_named(m, sym) != NULL;
}

/*
 * The DIE that declares a function: through DW_AT_abstract_origin (an
 * inlined or out-of-line copy of an inline function) and
 * DW_AT_specification (a definition of a function declared in a class
 * or a namespace), as the index's C++ names know it.
 */
static uint64_t declaration_of(Dwarf_Die *die)
{
	Dwarf_Die d = *die, next;
	Dwarf_Attribute a;
	for (int i = 0; i < 4; i++) {
		if ((!dwarf_attr(&d, DW_AT_abstract_origin, &a) &&
		     !dwarf_attr(&d, DW_AT_specification, &a)) || !dwarf_formref_die(&a, &next))
			break;
		d = next;
	}
	return dwarf_dieoffset(&d);
}

static void add_func(Builder *b, Dwarf_Die *die, uint64_t entry, uint64_t scope, bool is_inline)
{
	const char *name = attr_string(die, DW_AT_name);
	if (!name)
		return;
	b->funcs = grow(b->funcs, &b->cap_funcs, b->nfuncs, sizeof(IxFunc));
	IxFunc *r = &b->funcs[b->nfuncs++];
	memset(r, 0, sizeof(*r));
	const char *file = dwarf_decl_file(die);
	int line = 0;
	dwarf_decl_line(die, &line);
	r->name = str_at(b, name);
	if (b->cxx) {
		size_t k = b->nfuncs - 1 - b->cu_first_func;
		b->decl_of = grow(b->decl_of, &b->cap_decl_of, k, sizeof(uint64_t));
		b->decl_of[k] = declaration_of(die);
	}
	r->file = file ? str_at(b, dw_normalize_file(b->m, file)) : str(b, b->cu_file);
	r->line = line;
	r->entry = entry;
	r->die = dwarf_dieoffset(die);
	r->scope = scope;
	/* an inlined copy is not what EXPORT_SYMBOL exports */
	r->flags = is_inline ? IXF_INLINE : is_exported(b->m, name) ? IXF_EXPORTED : 0;
	r->symbol = str_at(b, dw_anchor_symbol(b->m, entry, name, &r->symbol_offset));
	const char *why = dw_blocklist_why(b->m, entry);
	if (why) {
		r->flags |= IXF_BLOCKED;
		r->why = str(b, why);
	}
}

/* Inlined copies anywhere inside a function, nested ones included. */
static void index_inlines(Builder *b, Dwarf_Die *parent, uint64_t scope)
{
	Dwarf_Die c;
	if (!dwarf_haschildren(parent) || dwarf_child(parent, &c) != 0)
		return;
	do {
		int tag = dwarf_tag(&c);
		if (tag == DW_TAG_inlined_subroutine) {
			uint64_t entry = dw_die_entry(b->m, &c);
			if (entry)
				add_func(b, &c, entry, scope, true);
			index_inlines(b, &c, scope);
		} else if (tag == DW_TAG_lexical_block) {
			index_inlines(b, &c, scope);
		}
	} while (dwarf_siblingof(&c, &c) == 0);
}

/* An out-of-line function (abstract ones, with no code, have no entry). */
static void index_subprogram(Builder *b, Dwarf_Die *die)
{
	Dwarf_Attribute a;
	if (dwarf_attr(die, DW_AT_declaration, &a))
		return;
	uint64_t entry = dw_die_entry(b->m, die);
	if (!entry)
		return;
	add_func(b, die, entry, dwarf_dieoffset(die), false);
	index_inlines(b, die, dwarf_dieoffset(die));
}

/* Definitions, and one declaration of each external name (in case none is defined). */
static void index_global(Builder *b, Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *name = attr_string(die, DW_AT_name);
	if (!name)
		return;
	bool defined = dwarf_attr(die, DW_AT_location, &a) ||
		       dwarf_attr(die, DW_AT_const_value, &a);
	if (!defined) {
		uint32_t off = str(b, name);
		if (!dwarf_attr(die, DW_AT_declaration, &a) || offmap_get(&b->seen_decls, off))
			return;
		offmap_put(&b->seen_decls, off, (void *)1);
	}
	b->globals = grow(b->globals, &b->cap_globals, b->nglobals, sizeof(IxName));
	IxName *g = &b->globals[b->nglobals++];
	memset(g, 0, sizeof(*g));
	g->name = str(b, name);
	g->file = str(b, dw_normalize_file(b->m, dwarf_decl_file(die)));
	g->flags = (dwarf_attr_integrate(die, DW_AT_external, &a) ? IXF_EXTERNAL : 0) |
		   (defined ? 0 : IXF_DECL);
	g->die = dwarf_dieoffset(die);
}

/*
 * The first complete definition of each type name: "struct file",
 * "size_t".  Every CU defines the types it uses again; most repeats are
 * recognized by the address of their name in .debug_str alone.
 */
static void index_type(Builder *b, Dwarf_Die *die, int kind)
{
	static const char *const words[] = {"", "struct ", "union ", "enum "};
	Dwarf_Attribute a;
	const char *name = dwarf_diename(die);
	if (!name || dwarf_attr(die, DW_AT_declaration, &a))
		return;
	uint64_t seen_key = (uint64_t)(uintptr_t)name * 4 + kind;
	if (offmap_get(&b->seen_type_names, seen_key))
		return;
	offmap_put(&b->seen_type_names, seen_key, (void *)1);
	char key[512];
	if (snprintf(key, sizeof(key), "%s%s", words[kind], name) >= (int)sizeof(key))
		return;
	uint32_t off = str(b, key);
	if (offmap_get(&b->seen_types, off))
		return;
	offmap_put(&b->seen_types, off, (void *)1);
	b->types = grow(b->types, &b->cap_types, b->ntypes, sizeof(IxName));
	IxName *t = &b->types[b->ntypes++];
	memset(t, 0, sizeof(*t));
	t->name = off;
	t->die = dwarf_dieoffset(die);
}

/* ---- C++: the names of functions in namespaces and classes ---- */

static bool is_cxx(Dwarf_Die *cu)
{
	Dwarf_Attribute a;
	Dwarf_Word lang;
	if (!dwarf_attr(cu, DW_AT_language, &a) || dwarf_formudata(&a, &lang) != 0)
		return false;
	return lang == DW_LANG_C_plus_plus || lang == DW_LANG_C_plus_plus_03 ||
	       lang == DW_LANG_C_plus_plus_11 || lang == DW_LANG_C_plus_plus_14;
}

/* Records "prefix::name" for the subprograms of a namespace or class, nested ones too. */
static void qualify_scope(Builder *b, Dwarf_Die *scope, const char *prefix, int depth)
{
	Dwarf_Die c;
	if (depth > 16 || !dwarf_haschildren(scope) || dwarf_child(scope, &c) != 0)
		return;
	do {
		int tag = dwarf_tag(&c);
		const char *name = dwarf_diename(&c);
		if (!name)
			continue;
		const char *qual = arena_printf("%s::%s", prefix, name);
		if (tag == DW_TAG_subprogram)
			offmap_put(&b->qualified, dwarf_dieoffset(&c), (void *)qual);
		else if (tag == DW_TAG_namespace || tag == DW_TAG_class_type ||
			 tag == DW_TAG_structure_type || tag == DW_TAG_union_type)
			qualify_scope(b, &c, qual, depth + 1);
	} while (dwarf_siblingof(&c, &c) == 0);
}

/* The CU's functions, by the qualified name of what declares each. */
static void qualify_cu_funcs(Builder *b)
{
	for (size_t i = b->cu_first_func; i < b->nfuncs; i++) {
		const char *qual = offmap_get(&b->qualified, b->decl_of[i - b->cu_first_func]);
		b->funcs[i].qual = qual ? str(b, qual) : 0;
	}
}

/* ---- a CU ---- */

static void index_children(Builder *b, Dwarf_Die *parent, int depth);

static void index_die(Builder *b, Dwarf_Die *d, int depth)
{
	switch (dwarf_tag(d)) {
	case DW_TAG_subprogram: index_subprogram(b, d); break;
	case DW_TAG_variable: index_global(b, d); break;
	case DW_TAG_structure_type: index_type(b, d, 1); break;
	case DW_TAG_union_type: index_type(b, d, 2); break;
	case DW_TAG_enumeration_type: index_type(b, d, 3); break;
	case DW_TAG_typedef:
	case DW_TAG_base_type: index_type(b, d, 0); break;
	case DW_TAG_namespace:	/* C++: the functions defined in it */
		if (b->cxx && depth < 16)
			index_children(b, d, depth + 1);
		break;
	}
}

static void index_children(Builder *b, Dwarf_Die *parent, int depth)
{
	Dwarf_Die d;
	if (dwarf_child(parent, &d) != 0)
		return;
	do
		index_die(b, &d, depth);
	while (dwarf_siblingof(&d, &d) == 0);
}

static void index_cu(Builder *b, Dwarf_Die *cu)
{
	b->cu_file = dw_normalize_file(b->m, dwarf_diename(cu));
	b->cxx = is_cxx(cu);
	b->cu_first_func = b->nfuncs;
	index_children(b, cu, 0);
	if (!b->cxx)
		return;
	b->qualified = (OffMap){0};
	Dwarf_Die d;
	if (dwarf_child(cu, &d) == 0) {
		do {
			int tag = dwarf_tag(&d);
			const char *name = dwarf_diename(&d);
			if (name && (tag == DW_TAG_namespace || tag == DW_TAG_class_type ||
				     tag == DW_TAG_structure_type || tag == DW_TAG_union_type))
				qualify_scope(b, &d, name, 1);
		} while (dwarf_siblingof(&d, &d) == 0);
	}
	qualify_cu_funcs(b);
}

/* ---- sorting: functions by name, file, line, entry; names by name, file ---- */

static int compare_ix_funcs(const void *a, const void *b, void *strings)
{
	const IxFunc *x = a, *y = b;
	const char *s = strings;
	int c = strcmp(s + x->name, s + y->name);
	if (!c)
		c = strcmp(s + x->file, s + y->file);
	if (!c && x->line != y->line)
		c = x->line < y->line ? -1 : 1;
	if (!c && x->entry != y->entry)
		c = x->entry < y->entry ? -1 : 1;
	return c;
}

static int compare_ix_names(const void *a, const void *b, void *strings)
{
	const IxName *x = a, *y = b;
	const char *s = strings;
	int c = strcmp(s + x->name, s + y->name);
	if (!c)
		c = strcmp(s + x->file, s + y->file);
	if (!c && x->die != y->die)
		c = x->die < y->die ? -1 : 1;
	return c;
}

static Index *build_index(DwModule *m)
{
	Builder b = {.m = m};
	buf_putc(&b.strings, '\0');	/* offset 0: "" */
	dw_load_symbols(m);
	Dwarf_Addr bias;
	for (Dwarf_Die *cu = NULL; (cu = dwfl_module_nextcu(m->mod, cu, &bias));)
		index_cu(&b, cu);
	free(b.shash);
	free(b.decl_of);
	if (b.nfuncs)
		qsort_r(b.funcs, b.nfuncs, sizeof(IxFunc), compare_ix_funcs, b.strings.s);
	if (b.nglobals)
		qsort_r(b.globals, b.nglobals, sizeof(IxName), compare_ix_names, b.strings.s);
	if (b.ntypes)
		qsort_r(b.types, b.ntypes, sizeof(IxName), compare_ix_names, b.strings.s);
	Index *ix = arena_alloc(sizeof(*ix));
	ix->strings = b.strings.s;
	ix->strings_len = b.strings.len;
	ix->funcs = b.funcs;
	ix->nfuncs = b.nfuncs;
	ix->globals = b.globals;
	ix->nglobals = b.nglobals;
	ix->types = b.types;
	ix->ntypes = b.ntypes;
	return ix;
}

/* ---- the cache file ---- */

/* ~/.cache/stap/dwarf-BUILDID.idx; NULL for a file without a build-id, or without a cache. */
static const char *cache_path(DwModule *m)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int n = dwfl_module_build_id(m->mod, &bits, &vaddr);
	const char *root = n > 0 ? stap_cache_root() : NULL;
	if (!root)
		return NULL;
	Buf b = {0};
	buf_printf(&b, "%s/dwarf-", root);
	for (int i = 0; i < n; i++)
		buf_printf(&b, "%02x", bits[i]);
	buf_puts(&b, ".idx");
	return b.s;
}

/*
 * A checksum of the index after its header: one multiply per 8 bytes
 * (the vmlinux's index, 24 MB, takes a few ms), so that a torn or
 * altered file is rebuilt, not trusted.
 */
static uint64_t ix_checksum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;
	size_t i;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* An array of n items of size each at off lies inside size bytes, aligned. */
static bool array_fits(uint64_t off, uint64_t n, size_t each, uint64_t size)
{
	return off >= sizeof(IxHeader) && off <= size && off % 8 == 0 &&
	       n <= (size - off) / each;
}

static bool strings_ok(const Index *ix, const uint32_t *offs, size_t n, size_t stride)
{
	for (size_t i = 0; i < n; i++, offs = (const uint32_t *)((const char *)offs + stride))
		if (offs[0] >= ix->strings_len || offs[1] >= ix->strings_len)
			return false;
	return true;
}

/* Checks the header's every count and offset against the file's size, without overflow. */
static bool header_valid(const IxHeader *h, size_t size)
{
	return size >= sizeof(*h) && !memcmp(h->magic, IX_MAGIC, 8) &&
	       h->version == IX_VERSION && h->file_size == size &&
	       h->strings_off >= sizeof(*h) && h->strings_off <= size && h->strings_len &&
	       h->strings_len <= size - h->strings_off && h->strings_len <= UINT32_MAX &&
	       array_fits(h->funcs_off, h->nfuncs, sizeof(IxFunc), size) &&
	       array_fits(h->globals_off, h->nglobals, sizeof(IxName), size) &&
	       array_fits(h->types_off, h->ntypes, sizeof(IxName), size) &&
	       h->checksum == ix_checksum(h + 1, size - sizeof(*h));
}

/* Every string offset in the arrays points into the blob, which ends with a NUL. */
static bool index_valid(const Index *ix)
{
	if (ix->strings[ix->strings_len - 1] != '\0')
		return false;
	for (uint32_t i = 0; i < ix->nfuncs; i++)
		if (ix->funcs[i].symbol >= ix->strings_len || ix->funcs[i].why >= ix->strings_len ||
		    ix->funcs[i].qual >= ix->strings_len)
			return false;
	return strings_ok(ix, &ix->funcs[0].name, ix->nfuncs, sizeof(IxFunc)) &&
	       strings_ok(ix, &ix->globals[0].name, ix->nglobals, sizeof(IxName)) &&
	       strings_ok(ix, &ix->types[0].name, ix->ntypes, sizeof(IxName));
}

static Index *load_index(const char *path)
{
	const char *why;
	int fd = cache_open(path, &why);
	struct stat st;
	if (fd < 0) {
		if (why)
			warn_plain("not using the DWARF index %s: %s", path, why);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(IxHeader)) {
		close(fd);
		return NULL;
	}
	void *map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return NULL;
	const IxHeader *h = map;
	const char *base = map;
	if (!header_valid(h, st.st_size)) {
		munmap(map, st.st_size);
		return NULL;
	}
	Index *ix = arena_alloc(sizeof(*ix));
	ix->strings = base + h->strings_off;
	ix->strings_len = h->strings_len;
	ix->funcs = (IxFunc *)(base + h->funcs_off);
	ix->nfuncs = h->nfuncs;
	ix->globals = (IxName *)(base + h->globals_off);
	ix->nglobals = h->nglobals;
	ix->types = (IxName *)(base + h->types_off);
	ix->ntypes = h->ntypes;
	if (!index_valid(ix)) {
		munmap(map, st.st_size);
		return NULL;
	}
	return ix;	/* mapped for the rest of the run: its strings are handed out */
}

static bool write_part(int fd, const void *p, size_t n, uint64_t *off)
{
	static const char pad[8];
	size_t fill = (8 - *off % 8) % 8;
	if ((fill && write(fd, pad, fill) != (ssize_t)fill) || (n && write(fd, p, n) != (ssize_t)n))
		return false;
	*off += fill + n;
	return true;
}

static uint64_t aligned(uint64_t off)
{
	return (off + 7) & ~(uint64_t)7;
}

static bool write_index(int fd, const Index *ix)
{
	IxHeader h = {.version = IX_VERSION, .nfuncs = ix->nfuncs, .nglobals = ix->nglobals,
		      .ntypes = ix->ntypes, .strings_len = ix->strings_len};
	memcpy(h.magic, IX_MAGIC, 8);
	h.strings_off = sizeof(h);
	h.funcs_off = aligned(h.strings_off + h.strings_len);
	h.globals_off = aligned(h.funcs_off + (uint64_t)ix->nfuncs * sizeof(IxFunc));
	h.types_off = aligned(h.globals_off + (uint64_t)ix->nglobals * sizeof(IxName));
	h.file_size = h.types_off + (uint64_t)ix->ntypes * sizeof(IxName);
	uint64_t off = 0;
	return write_part(fd, &h, sizeof(h), &off) &&
	       write_part(fd, ix->strings, ix->strings_len, &off) &&
	       write_part(fd, ix->funcs, ix->nfuncs * sizeof(IxFunc), &off) &&
	       write_part(fd, ix->globals, ix->nglobals * sizeof(IxName), &off) &&
	       write_part(fd, ix->types, ix->ntypes * sizeof(IxName), &off);
}

/* Puts the checksum of what write_index wrote into its header. */
static bool seal_index(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(IxHeader))
		return false;
	IxHeader *h = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		return false;
	h->checksum = ix_checksum(h + 1, st.st_size - sizeof(*h));
	return munmap(h, st.st_size) == 0;
}

/* A cache that cannot be written only costs the next run the walk again. */
static void save_index(const char *path, const Index *ix)
{
	char *tmp = arena_printf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return;
	bool ok = write_index(fd, ix) && seal_index(fd);
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0)
		unlink(tmp);
}

Index *dw_index(DwModule *m)
{
	if (m->ix)
		return m->ix;
	const char *path = cache_path(m);
	m->ix = path && cache_readable() ? load_index(path) : NULL;
	if (m->ix)
		return m->ix;
	m->ix = build_index(m);
	if (path)
		save_index(path, m->ix);
	return m->ix;
}
