/*
 * dwarf.h - what the translator needs from debuginfo, through elfutils
 * (libdw/libdwfl): functions matching a probe pattern and their probe
 * addresses, the variables visible at an address with their locations
 * as C, and C types by name.  dwarf.c implements it; probe_dwarf.c and
 * the target-variable code in emit.c use it.
 *
 * Nothing here knows about the AST: a probe family asks, the answers are
 * plain structs allocated in the arena.
 */
#ifndef DWARF_H
#define DWARF_H

#include "stap.h"

/* ---- the debuginfo of one ELF object: the kernel or a module ---- */

typedef struct DwModule DwModule;

/*
 * The kernel's debuginfo for a release: /usr/lib/debug/boot/vmlinux-R,
 * /usr/lib/debug/lib/modules/R/vmlinux, /lib/modules/R/build/vmlinux, or
 * the path given by stap's --vmlinux.  NULL (and *why set to a sentence
 * for the user, naming the Debian package to install) when none exists.
 */
DwModule *dw_open_kernel(const char *release, const char *vmlinux_override, const char **why);
/* A kernel module's debuginfo, found by name for the release, or a .ko path. */
DwModule *dw_open_module(const char *release, const char *name_or_path, const char **why);
/* The installed file of module name for release (.ko, .ko.xz ...), or NULL. */
const char *dw_module_file(const char *release, const char *name);
/* A module's name from its file's: "/x/nfs-acl.ko.xz" -> "nfs_acl". */
const char *dw_module_name_of(const char *path);
/* A user-space binary (process("PATH")), with its own or separate debuginfo. */
DwModule *dw_open_user(const char *path, const char **why);
/*
 * The types of C headers, for @cast(p, "type", "<sys/un.h>"): the headers
 * ("<a.h><b.h>") compiled by gcc with all their types kept in the DWARF.
 */
DwModule *dw_open_headers(const char *headers, const char **why);
const char *dw_module_name(DwModule *m);	/* "kernel", "ext4", "/bin/ls", "<sys/un.h>" */
/*
 * Its GNU build-id: the number of bytes (0: it has none), the bytes, and
 * their link-time address in a loaded segment (0: not loaded).
 */
int dw_build_id(DwModule *m, const unsigned char **bits, uint64_t *vaddr);
/* The GNU build-id of the ELF file at path, debuginfo or not: as dw_build_id. */
int dw_file_build_id(const char *path, const unsigned char **bits);
/* probe_dwarf.c: "\x12\x34...", a build-id as a C string literal */
const char *build_id_literal(const unsigned char *bits, int n);

/* ---- types ---- */

typedef enum DwTypeKind {
	DT_VOID,
	DT_INT,		/* integers, chars, bool, enums: size and is_signed */
	DT_FLOAT,	/* not readable by scripts: reported as an error */
	DT_POINTER,	/* target: the pointed-to type (DT_VOID for void *) */
	DT_ARRAY,	/* target: the element type; nelems, -1 if unknown */
	DT_STRUCT,
	DT_UNION,
	DT_FUNC,	/* function (pointers to functions are DT_POINTER to it) */
} DwTypeKind;

typedef struct DwType DwType;

typedef struct DwMember {
	const char *name;	/* NULL for an anonymous struct/union member */
	DwType *type;
	int64_t offset;		/* bytes from the start of the aggregate */
	int bit_size;		/* bitfields: width in bits, else 0 */
	int bit_offset;		/* bitfields: bits from the start of the storage unit
				   at offset, counting from the least significant bit;
				   the unit is type->size bytes */
} DwMember;

struct DwType {
	DwTypeKind kind;
	const char *name;	/* the C spelling, e.g. "struct file*", "size_t", "char[16]" */
	int64_t size;		/* bytes; 0 for void and incomplete types */
	bool is_signed;		/* DT_INT */
	bool is_char;		/* DT_INT of size 1 named char/signed char/unsigned char */
	bool is_enum;		/* DT_INT that came from an enum (for $var$ printing) */
	DwType *target;		/* DT_POINTER, DT_ARRAY */
	int64_t nelems;		/* DT_ARRAY */
	DwMember *members;	/* DT_STRUCT, DT_UNION: loaded on first use */
	int nmembers;
	bool incomplete;	/* a declaration only: no members here */
	uint64_t die_offset;	/* private to dwarf.c (0: made by the caller) */
	/* a type from another source (btf.c): loads members, which the source
	   finds by its own id */
	void (*load_members)(DwType *t);
	void *source;
	uint32_t source_id;
};

/* The members of a struct or union (loads them on first use); -1 if incomplete. */
int dw_type_members(DwModule *m, DwType *t);
/*
 * A member by name, looking through anonymous struct/union members;
 * *offset gets its offset from the start of t.  NULL if there is none;
 * *similar then gets the closest member names, for the error message.
 */
DwMember *dw_find_member(DwModule *m, DwType *t, const char *name, int64_t *offset,
			 const char **similar);
/* A type by C name for @cast: "struct task_struct", "task_struct", "int". */
DwType *dw_find_type(DwModule *m, const char *name);
/* A pointer to target (made here: the debuginfo need not have one). */
DwType *dw_pointer_to(DwType *target);

/* ---- where a value is: a location, translated to C ---- */

typedef enum DwLocKind {
	DL_REGISTER,	/* the value is in register reg (a DWARF register number);
			   c_expr reads it: STP_REG(c, reg) */
	DL_MEMORY,	/* the value is in memory at the address c_expr computes */
	DL_VALUE,	/* the value itself is what c_expr computes (DW_OP_stack_value,
			   DW_OP_implicit_value up to 8 bytes, constants) */
	DL_UNAVAILABLE,	/* optimized out at this address */
} DwLocKind;

typedef struct DwLoc {
	DwLocKind kind;
	int reg;		/* DL_REGISTER */
	/*
	 * DL_MEMORY: the address; DL_VALUE: the value; a C expression of
	 * type u64 written with these runtime helpers only:
	 *   STP_REG(c, N)            DWARF register N of the probe's pt_regs
	 *   stp_kread_u64(c, addr)   fault-safe 8-byte read (unwinds on a fault)
	 *   stp_kread(c, addr, n, 0) the same for n = 1, 2 or 4 bytes (DW_OP_deref_size)
	 *   stp_uread(c, addr, n, 0) the same in user space (dw_open_user's modules)
	 *   stp_kaslr(addr)          a link-time kernel address, relocated
	 *   stp_kmod_addr(c, "mod", "sym")  where a module's symbol is now
	 *   stp_uload(c, "path", addr)  a link-time address of a user PIE or
	 *                            library, where the current process has it
	 * and C operators; c is the probe context.
	 */
	const char *c_expr;
	const char *why;	/* DL_UNAVAILABLE, or a location stap cannot translate */
} DwLoc;

/* ---- functions and probe addresses ---- */

typedef struct DwVar {
	const char *name;
	DwType *type;
	bool is_param;
	int decl_line;
	/* locations are looked up per address: dw_var_location */
	uint64_t die_offset;	/* private to dwarf.c */
	uint64_t scope_offset;	/* private: the subprogram giving the frame base */
} DwVar;

typedef struct DwFunc {
	const char *name;
	const char *decl_file;	/* as compiled: "fs/read_write.c" */
	int decl_line;
	uint64_t entry;		/* link-time address of the first instruction */
	const char *symbol;	/* the ELF symbol to register a kprobe on ... */
	uint64_t symbol_offset;	/* ... and the offset from it */
	bool is_inline_instance;	/* an inlined copy: entry is in its caller */
	bool is_exported;	/* in the kernel's EXPORT_SYMBOL tables */
	bool blocklisted;	/* on the kprobe blocklist, notrace/noinstr, or __init */
	const char *blocklist_why;
	/* ret and params: NULL until dw_func_params (listing thousands of
	   functions must not read the DWARF of each) */
	DwType *ret;		/* DT_VOID for void functions */
	DwVar *params;		/* in declaration order */
	int nparams;
	uint64_t die_offset;	/* private to dwarf.c */
	uint64_t scope_offset;	/* private: the real function an inline is in */
	uint64_t body;		/* private: dw_func_body_addr, once body_known */
	bool body_known;
} DwFunc;

/*
 * Functions matching a SystemTap function pattern: "name", "name@file",
 * "name@file:line", "name@file:N-M", "name@file+offset", with * and ? and
 * [] wildcards in name and file (file matches as a path suffix).  Sorted
 * by name, then file and line; duplicates (the same entry) removed.
 * inline_only: .inline (only inlined instances); with_inlines: also
 * include inlined instances (kernel.function("x") does, .call does not).
 */
typedef struct DwFuncList {
	DwFunc **items;
	int len;
} DwFuncList;
DwFuncList dw_find_functions(DwModule *m, const char *pattern, bool with_inlines,
			     bool inline_only);
/*
 * Where f's prologue ends (see dwarf.c): unoptimized code has stored its
 * parameters in their frame slots there.  0 if the line table does not
 * say; an inlined instance's entry.
 */
uint64_t dw_func_body_addr(DwModule *m, DwFunc *f);
/*
 * Whether v, a variable of f, holds its value at addr as far as its
 * location can tell: false for a parameter of a user program that lives
 * in a slot of f's own frame (one location for the whole function, as
 * unoptimized code has) at an address before the end of the prologue
 * that fills the slot, where reading it would give whatever the stack
 * held before.
 */
bool dw_var_set_at(DwModule *m, DwFunc *f, DwVar *v, uint64_t addr);
/* Reads f->ret and f->params (once); returns nparams. */
int dw_func_params(DwModule *m, DwFunc *f);

/* Statement probes: the addresses of line(s) "func@file:line" or "file:line". */
typedef struct DwStatement {
	DwFunc *func;		/* the function the address is in */
	const char *file;
	int line;
	uint64_t addr;
	const char *symbol;
	uint64_t symbol_offset;
} DwStatement;
typedef struct DwStatementList {
	DwStatement **items;
	int len;
} DwStatementList;
DwStatementList dw_find_statements(DwModule *m, const char *pattern, bool nearest);

/* The parameters and locals of f whose scope contains addr (params first). */
typedef struct DwVarList {
	DwVar **items;
	int len;
} DwVarList;
DwVarList dw_vars_at(DwModule *m, DwFunc *f, uint64_t addr, bool params, bool locals);
/* A variable's location at addr (where a probe sits). */
DwLoc dw_var_location(DwModule *m, DwVar *v, uint64_t addr);
/* A global variable by "name" or "name@file", for @var. */
DwVar *dw_find_global(DwModule *m, const char *name, DwLoc *loc);
/* The link-time address of an ELF symbol (for KASLR: stp_kaslr). 0 if none. */
uint64_t dw_symbol_address(DwModule *m, const char *symbol);
/* Is name a function in m's ELF symbol table (what kprobe.function names)? */
bool dw_has_function_symbol(DwModule *m, const char *name);
/* Up to max function symbols of m close to name, "a, b, c"; NULL if none. */
const char *dw_similar_function_symbols(DwModule *m, const char *name, int max);

/*
 * ---- line tables (dwarf_lines.c) ----
 * Rows by address: from addr up to the next row's, the code is of file
 * and line; a row with a NULL file starts code with no line.
 */
typedef struct DwLineRow {
	uint64_t addr;		/* link-time */
	const char *file;	/* as the line table names it (interned), or NULL */
	int line;
} DwLineRow;

DwLineRow *dw_line_rows(DwModule *m, size_t *nrows);

/* ---- listing: stap -l / stap -L ---- */

/*
 * kernel.function("vfs_read@fs/read_write.c:468") $file:struct file*
 * $buf:char* $count:size_t $pos:loff_t*  -- the -L form, with what has a
 * value at the entry (as in SystemTap: parameters and outermost locals);
 * -l stops before the first $.
 */
const char *dw_function_point(DwModule *m, DwFunc *f, const char *prefix, bool with_vars);

/* ---- shared by the probe families that read target variables ---- */

/* The kernel's (module NULL) or a module's debuginfo, opened once for all families. */
DwModule *dwarf_open_module(const char *module, const char **why);
/* The DWARF family's lowering of a target expression, for other families. */
void dwarf_lower_target(void *dwarf_data, DerivedProbe *d, Node *n);
/* Data for dwarf_lower_target: registers as at the entry into f, its first
   parameter hidden from $$parms (kernel.trace's data pointer). */
void *dwarf_entry_data(DwModule *m, DwFunc *f, const char *where);
/* Data for dwarf_lower_target without debuginfo: the n parameters vars,
   each at locs[i] (kernel.trace from BTF). */
void *dwarf_given_data(DwVar **vars, DwLoc *locs, int n, const char *where);

#endif /* DWARF_H */
