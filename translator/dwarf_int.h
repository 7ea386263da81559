/*
 * dwarf_int.h - what the files behind dwarf.h share, and nothing else
 * sees: the open module, its ELF symbols, and the index of its functions,
 * globals and types.
 *
 *   dwarf.c        opening modules, symbols, function and statement queries, -L
 *   dwarf_index.c  the index: built once per build-id, cached on disk
 *   dwarf_type.c   DWARF types -> DwType
 *   dwarf_loc.c    DWARF location expressions -> C
 *
 * Addresses handed out are link-time addresses: the vmlinux's own, a
 * .ko's as libdwfl lays out its sections (only symbol + offset means
 * anything there), a user binary's as linked.  DWARF addresses are those
 * minus the module's bias.
 */
#ifndef DWARF_INT_H
#define DWARF_INT_H

#include <elfutils/libdwfl.h>
/*
 * The system's <dwarf.h> (DW_TAG_*, DW_OP_*), by a path that our own
 * dwarf.h, first on the translator's include path, cannot shadow.
 */
#include <elfutils/../dwarf.h>
#include "dwarf.h"

/* ---- a map from DIE offsets to pointers (types, loaded members) ---- */

typedef struct OffMap {
	uint64_t *keys;		/* 0: empty (no DIE has offset 0) */
	void **vals;
	size_t cap;
	size_t len;
} OffMap;
void *offmap_get(OffMap *map, uint64_t key);
void offmap_put(OffMap *map, uint64_t key, void *val);

/* ---- the index: fixed-size records, names as offsets into one string blob ---- */

enum {
	IXF_INLINE = 1,		/* an inlined instance */
	IXF_EXPORTED = 2,	/* EXPORT_SYMBOL'd (a __ksymtab_NAME symbol exists) */
	IXF_BLOCKED = 4,	/* not probeable: why says why */
	IXF_EXTERNAL = 8,	/* globals: DW_AT_external */
	IXF_DECL = 16,		/* globals: only declared (the symbol gives the address) */
};

/* One function instance: an out-of-line function or an inlined copy. */
typedef struct IxFunc {
	uint32_t name, file, symbol, why;	/* string offsets; why: 0 unless blocked */
	uint32_t qual, pad;	/* C++: "ns::Class::name" (string offset), else 0 */
	uint32_t line, flags;
	uint64_t entry;		/* link-time address */
	uint64_t symbol_offset;
	uint64_t die;		/* .debug_info offset: subprogram or inlined_subroutine */
	uint64_t scope;		/* the out-of-line subprogram it is in (itself if not inline) */
} IxFunc;

/* A global variable or a named type: where its DIE is. */
typedef struct IxName {
	uint32_t name, file;	/* types: "struct task_struct", "size_t", "int" */
	uint32_t flags, pad;
	uint64_t die;
} IxName;

typedef struct Index {
	const char *strings;	/* offset 0 is "" */
	size_t strings_len;
	IxFunc *funcs;		/* sorted by name, file, line, entry */
	uint32_t nfuncs;
	IxName *globals;	/* sorted by name, then file */
	uint32_t nglobals;
	IxName *types;		/* sorted by name; one complete definition each */
	uint32_t ntypes;
} Index;

static inline const char *ix_str(const Index *ix, uint32_t off)
{
	return ix->strings + off;
}

/* ---- ELF symbols ---- */

typedef struct DwSym {
	const char *name;
	uint64_t addr;		/* link-time */
	uint64_t size;
	uint32_t section;	/* ELF section index */
	bool is_func;
	bool unique;		/* no other symbol has this name: kallsyms finds this one */
} DwSym;

typedef enum ModKind { MOD_KERNEL, MOD_KMODULE, MOD_USER } ModKind;

struct DwModule {
	const char *name;	/* "kernel", "ext4", "/bin/ls" */
	const char *path;
	ModKind kind;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwarf *dw;
	Dwarf_Addr bias;	/* link-time address - DWARF address */
	Elf *elf;		/* the file whose symbols and sections we read */
	bool is_pie;		/* user ET_DYN: static data needs the load address */

	DwSym *syms;		/* sorted by address */
	int nsyms;
	int *sym_hash;		/* open addressing by name: index + 1, 0 empty */
	size_t sym_hash_cap;

	Index *ix;		/* dw_index() builds or loads it */
	struct Blocklist *blocklist;	/* dwarf_index.c's */
	Dwarf_CFI *cfi;
	Dwarf_Addr cfi_bias;
	bool cfi_tried;
	uint64_t percpu_lo, percpu_hi;	/* the kernel's .data..percpu addresses */
	OffMap types;		/* type DIE offset -> DwType* */
};

/* dwarf.c */
void dw_load_symbols(DwModule *m);
DwSym *dw_symbol_at(DwModule *m, uint64_t addr);	/* the symbol containing addr */
DwSym *dw_symbol_named(DwModule *m, const char *name);
/* A module's symbol to find addr from at run time, and addr's offset from it. */
const char *dw_data_anchor(DwModule *m, uint64_t addr, uint64_t *offset);
/*
 * A unique symbol at or before addr to register a kprobe on, and the
 * offset; of the symbols at one address, the one called name if any.
 */
const char *dw_anchor_symbol(DwModule *m, uint64_t addr, const char *name, uint64_t *offset);
Elf_Scn *dw_section_at(DwModule *m, uint64_t addr, const char **name);
const char *dw_normalize_file(DwModule *m, const char *path);
bool dw_die(DwModule *m, uint64_t off, Dwarf_Die *die);
uint64_t dw_die_entry(DwModule *m, Dwarf_Die *die);	/* link-time; 0 if no code */

/* dwarf_index.c */
Index *dw_index(DwModule *m);
/* Why a function at addr cannot be probed (a sentence), or NULL. */
const char *dw_blocklist_why(DwModule *m, uint64_t addr);

/* dwarf_type.c */
DwType *dw_type_of(DwModule *m, Dwarf_Die *die);	/* the DW_AT_type of a DIE */
DwType *dw_type_from_die(DwModule *m, Dwarf_Die *type);

/* dwarf_loc.c */
/* scope: the subprogram whose DW_AT_frame_base DW_OP_fbreg uses; pc: link-time */
DwLoc dw_location(DwModule *m, Dwarf_Die *var, Dwarf_Die *scope, uint64_t pc,
		  int64_t size);
/* The memory at a link-time address of static data (for an ELF symbol). */
DwLoc dw_static_location(DwModule *m, uint64_t addr);
/*
 * Whether var's location is one expression naming memory in the frame
 * its function builds below the return address (scope: the function):
 * unoptimized code's parameter slots, which the prologue fills.
 */
bool dw_in_new_frame(Dwarf_Die *var, Dwarf_Die *scope);

#endif /* DWARF_INT_H */
