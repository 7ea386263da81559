/*
 * dwarf_loc.c - DWARF location expressions as C.
 *
 * A location expression is a small stack-machine program.  We run it
 * symbolically, with C expressions on the stack instead of numbers, and
 * hand back what is left: an address (DL_MEMORY), a value (DL_VALUE) or
 * a register (DL_REGISTER).  The C reads registers with STP_REG(c, N) in
 * DWARF numbering, memory with the fault-safe stp_kread_u64/stp_kread
 * (stp_uread in user space), and relocates link-time kernel addresses
 * with stp_kaslr.  What cannot be expressed that way is DL_UNAVAILABLE
 * with a sentence saying why.
 */
#include <stdlib.h>
#include <string.h>
#include <gelf.h>
#include "dwarf_int.h"

#define STACK_MAX 32
#define MAX_REG 16	/* DWARF x86-64: 0-15 general registers, 16 the return address (ip) */

typedef struct Eval {
	DwModule *m;
	Dwarf_Attribute *attr;	/* for DW_OP_implicit_value */
	Dwarf_Die *scope;	/* the subprogram whose frame base DW_OP_fbreg uses */
	uint64_t pc;		/* link-time */
	int64_t size;		/* the value's size: when one DW_OP_piece holds it all */
	const char *stack[STACK_MAX];
	int sp;
	int reg;		/* DW_OP_regN: the value is in register N */
	bool is_value;		/* DW_OP_stack_value or implicit_value */
	const char *why;	/* cannot translate */
	int depth;		/* frame base and CFA are expressions too */
} Eval;

static DwLoc unavailable(const char *why)
{
	DwLoc loc = {.kind = DL_UNAVAILABLE, .reg = -1, .why = why};
	return loc;
}

static void fail(Eval *e, const char *why)
{
	if (!e->why)
		e->why = why;
}

static const char *hex(uint64_t v)
{
	return arena_printf("0x%llxULL", (unsigned long long)v);
}

static void push(Eval *e, const char *x)
{
	if (e->sp == STACK_MAX)
		fail(e, "its location expression is too deep");
	else
		e->stack[e->sp++] = x;
}

static const char *pop(Eval *e)
{
	if (!e->sp) {
		fail(e, "its location expression is malformed (stack underflow)");
		return "0";
	}
	return e->stack[--e->sp];
}

static const char *reg_expr(Eval *e, uint64_t reg)
{
	if (reg > MAX_REG) {
		fail(e, arena_printf("it is in DWARF register %llu, which stap cannot read "
				     "(not a general-purpose register)", (unsigned long long)reg));
		return "0";
	}
	return arena_printf("STP_REG(c, %d)", (int)reg);
}

static const char *plus_offset(const char *base, int64_t off)
{
	if (off == 0)
		return base;
	if (off < 0)
		return arena_printf("(%s - %s)", base, hex(-(uint64_t)off));
	return arena_printf("(%s + %s)", base, hex(off));
}

static const char *read_memory(Eval *e, const char *addr, int size)
{
	if (e->m->kind == MOD_USER)
		return arena_printf("(u64)stp_uread(c, %s, %d, 0)", addr, size);
	if (size == 8)
		return arena_printf("stp_kread_u64(c, %s)", addr);
	return arena_printf("(u64)stp_kread(c, %s, %d, 0)", addr, size);
}

/* The addresses of the ELF section called name: [*lo, *hi). */
static void section_range(Elf *elf, const char *name, uint64_t *lo, uint64_t *hi)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *s;
		if (gelf_getshdr(scn, &sh) && (s = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strcmp(s, name)) {
			*lo = sh.sh_addr;
			*hi = sh.sh_addr + sh.sh_size;
		}
	}
}

/* .data..percpu is linked at 0: its "addresses" are offsets into each CPU's copy. */
static bool is_percpu(DwModule *m, uint64_t addr)
{
	if (m->kind != MOD_KERNEL || !m->elf)
		return false;
	if (!m->percpu_hi) {
		m->percpu_hi = 1;	/* looked: none */
		section_range(m->elf, ".data..percpu", &m->percpu_lo, &m->percpu_hi);
	}
	return addr >= m->percpu_lo && addr < m->percpu_hi;
}

/* A path as a C string literal (octal escapes for all but plain characters). */
static const char *c_path(const char *path)
{
	Buf b = {0};
	buf_putc(&b, '"');
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p >= 32 && *p < 127 && *p != '"' && *p != '\\' && *p != '?')
			buf_putc(&b, *p);
		else
			buf_printf(&b, "\\%03o", *p);
	}
	buf_putc(&b, '"');
	return b.s;
}

/* DW_OP_addr: a link-time address of static data. */
static const char *static_address(Eval *e, uint64_t dwarf_addr)
{
	uint64_t addr = dwarf_addr + e->m->bias;
	switch (e->m->kind) {
	case MOD_KERNEL:
		if (is_percpu(e->m, addr)) {
			fail(e, "it is a per-CPU variable, which stap cannot read yet");
			return "0";
		}
		return arena_printf("stp_kaslr(%s)", hex(addr));
	case MOD_KMODULE: {
		uint64_t off;
		const char *anchor = dw_data_anchor(e->m, addr, &off);
		if (!anchor) {
			fail(e, "it is static data of a module with no symbol to find it by");
			return "0";
		}
		return arena_printf("(stp_kmod_addr(c, \"%s\", \"%s\") + %s)", e->m->name,
				    anchor, hex(off));
	}
	case MOD_USER:
		/* a PIE or a library: where the process has loaded it (runtime/usym.c) */
		if (e->m->is_pie)
			return arena_printf("stp_uload(c, %s, %s)", c_path(e->m->path), hex(addr));
		return hex(addr);
	}
	return "0";
}

static DwLoc evaluate(Eval *e, const Dwarf_Op *ops, size_t n);

/* Runs a nested expression (frame base, CFA) and gives its value as C. */
static const char *nested_value(Eval *e, const Dwarf_Op *ops, size_t n)
{
	Eval sub = {.m = e->m, .scope = e->scope, .pc = e->pc, .size = 8, .reg = -1,
		    .depth = e->depth + 1};
	if (sub.depth > 4) {
		fail(e, "its frame base refers to itself");
		return "0";
	}
	DwLoc loc = evaluate(&sub, ops, n);
	if (loc.kind == DL_UNAVAILABLE) {
		fail(e, loc.why);
		return "0";
	}
	return loc.kind == DL_REGISTER ? reg_expr(e, loc.reg) : loc.c_expr;
}

/* .debug_frame, or .eh_frame in user space */
static Dwarf_CFI *module_cfi(DwModule *m)
{
	if (!m->cfi_tried) {
		m->cfi_tried = true;
		m->cfi = dwfl_module_dwarf_cfi(m->mod, &m->cfi_bias);
		if (!m->cfi)
			m->cfi = dwfl_module_eh_cfi(m->mod, &m->cfi_bias);
	}
	return m->cfi;
}

/* DW_OP_call_frame_cfa: the canonical frame address at pc, from the CFI. */
static const char *frame_cfa(Eval *e)
{
	Dwarf_CFI *cfi = module_cfi(e->m);
	Dwarf_Frame *frame;
	Dwarf_Op *ops;
	size_t n;
	if (!cfi || dwarf_cfi_addrframe(cfi, e->pc - e->m->cfi_bias, &frame) != 0) {
		fail(e, "there is no call frame information at this address");
		return "0";
	}
	const char *cfa = "0";
	if (dwarf_frame_cfa(frame, &ops, &n) == 0)
		cfa = nested_value(e, ops, n);
	else
		fail(e, "the call frame information at this address has no CFA");
	free(frame);	/* libdw's allocation; the ops pointed into it */
	return cfa;
}

/* DW_OP_fbreg: the frame base of the enclosing subprogram. */
static const char *frame_base(Eval *e)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t n;
	if (!e->scope || !dwarf_attr(e->scope, DW_AT_frame_base, &a)) {
		fail(e, "its frame base is unknown");
		return "0";
	}
	if (dwarf_getlocation_addr(&a, e->pc - e->m->bias, &ops, &n, 1) < 1) {
		fail(e, "its frame base is unknown at this address");
		return "0";
	}
	return nested_value(e, ops, n);
}

static const char *binary(Eval *e, const char *fmt)
{
	const char *b = pop(e), *a = pop(e);
	return arena_printf(fmt, a, b);
}

/* Operators on the two top entries; NULL if op is not one of them. */
static const char *binary_op(Eval *e, uint8_t op)
{
	switch (op) {
	case DW_OP_plus: return binary(e, "(%s + %s)");
	case DW_OP_minus: return binary(e, "(%s - %s)");
	case DW_OP_mul: return binary(e, "(%s * %s)");
	case DW_OP_and: return binary(e, "(%s & %s)");
	case DW_OP_or: return binary(e, "(%s | %s)");
	case DW_OP_xor: return binary(e, "(%s ^ %s)");
	case DW_OP_shl: return binary(e, "(%s << %s)");
	case DW_OP_shr: return binary(e, "(%s >> %s)");
	case DW_OP_shra: return binary(e, "(u64)((s64)%s >> %s)");
	case DW_OP_div: return binary(e, "(u64)((s64)%s / (s64)%s)");
	case DW_OP_mod: return binary(e, "(%s %% %s)");
	case DW_OP_eq: return binary(e, "(u64)(%s == %s)");
	case DW_OP_ne: return binary(e, "(u64)(%s != %s)");
	case DW_OP_lt: return binary(e, "(u64)((s64)%s < (s64)%s)");
	case DW_OP_le: return binary(e, "(u64)((s64)%s <= (s64)%s)");
	case DW_OP_gt: return binary(e, "(u64)((s64)%s > (s64)%s)");
	case DW_OP_ge: return binary(e, "(u64)((s64)%s >= (s64)%s)");
	}
	return NULL;
}

static void stack_op(Eval *e, const Dwarf_Op *op)
{
	const char *a, *b, *c;
	switch (op->atom) {
	case DW_OP_dup:
		a = pop(e), push(e, a), push(e, a);
		break;
	case DW_OP_drop:
		pop(e);
		break;
	case DW_OP_over:
		b = pop(e), a = pop(e), push(e, a), push(e, b), push(e, a);
		break;
	case DW_OP_pick:
		if (op->number >= (uint64_t)e->sp)
			fail(e, "its location expression is malformed (DW_OP_pick)");
		else
			push(e, e->stack[e->sp - 1 - op->number]);
		break;
	case DW_OP_swap:
		b = pop(e), a = pop(e), push(e, b), push(e, a);
		break;
	case DW_OP_rot:
		c = pop(e), b = pop(e), a = pop(e), push(e, c), push(e, a), push(e, b);
		break;
	}
}

static void implicit_value(Eval *e, const Dwarf_Op *op)
{
	Dwarf_Block block;
	if (!e->attr || dwarf_getlocation_implicit_value(e->attr, op, &block) != 0 ||
	    block.length > 8) {
		fail(e, "its value is a constant stap cannot use (DW_OP_implicit_value)");
		return;
	}
	uint64_t v = 0;
	for (size_t i = block.length; i > 0; i--)	/* little-endian */
		v = v << 8 | block.data[i - 1];
	push(e, hex(v));
	e->is_value = true;
}

/*
 * DWARF 5's DW_OP_addrx (clang's default): an address from .debug_addr,
 * by index; DW_OP_constx: a constant from there.
 */
static const char *indexed_address(Eval *e, const Dwarf_Op *op)
{
	Dwarf_Attribute in_addr;
	Dwarf_Addr addr;
	if (!e->attr || dwarf_getlocation_attr(e->attr, op, &in_addr) != 0 ||
	    dwarf_formaddr(&in_addr, &addr) != 0) {
		fail(e, "its address in .debug_addr cannot be read");
		return "0";
	}
	bool is_addr = op->atom == DW_OP_addrx || op->atom == DW_OP_GNU_addr_index;
	return is_addr ? static_address(e, addr) : hex(addr);
}

/* Operators that need no more than a push or a rewrite of the top. */
static bool simple_op(Eval *e, const Dwarf_Op *op)
{
	uint8_t a = op->atom;
	if (a >= DW_OP_lit0 && a <= DW_OP_lit31) {
		push(e, hex(a - DW_OP_lit0));
	} else if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
		push(e, plus_offset(reg_expr(e, a - DW_OP_breg0), (int64_t)op->number));
	} else if (a == DW_OP_bregx) {
		push(e, plus_offset(reg_expr(e, op->number), (int64_t)op->number2));
	} else if (a == DW_OP_const1u || a == DW_OP_const2u || a == DW_OP_const4u ||
		   a == DW_OP_const8u || a == DW_OP_constu || a == DW_OP_const1s ||
		   a == DW_OP_const2s || a == DW_OP_const4s || a == DW_OP_const8s ||
		   a == DW_OP_consts) {
		push(e, hex(op->number));
	} else if (a == DW_OP_addr) {
		push(e, static_address(e, op->number));
	} else if (a == DW_OP_addrx || a == DW_OP_GNU_addr_index || a == DW_OP_constx ||
		   a == DW_OP_GNU_const_index) {
		push(e, indexed_address(e, op));
	} else if (a == DW_OP_fbreg) {
		push(e, plus_offset(frame_base(e), (int64_t)op->number));
	} else if (a == DW_OP_call_frame_cfa) {
		push(e, frame_cfa(e));
	} else if (a == DW_OP_plus_uconst) {
		push(e, plus_offset(pop(e), (int64_t)op->number));
	} else if (a == DW_OP_deref) {
		push(e, read_memory(e, pop(e), 8));
	} else if (a == DW_OP_deref_size && op->number >= 1 && op->number <= 8 &&
		   !(op->number & (op->number - 1))) {
		push(e, read_memory(e, pop(e), (int)op->number));
	} else if (a == DW_OP_neg) {
		push(e, arena_printf("(u64)-(s64)%s", pop(e)));
	} else if (a == DW_OP_not) {
		push(e, arena_printf("~%s", pop(e)));
	} else if (a == DW_OP_abs) {
		const char *x = pop(e);
		push(e, arena_printf("(u64)((s64)%s < 0 ? -(s64)%s : (s64)%s)", x, x, x));
	} else if (a == DW_OP_nop) {
	} else {
		return false;
	}
	return true;
}

/* Why an operator we do not translate makes the value unavailable. */
static const char *unsupported(uint8_t atom)
{
	switch (atom) {
	case DW_OP_entry_value:
	case DW_OP_GNU_entry_value:
		return "only its value at the function's entry is known (DW_OP_entry_value)";
	case DW_OP_implicit_pointer:
	case DW_OP_GNU_implicit_pointer:
		return "the pointer itself was optimized out (DW_OP_implicit_pointer)";
	case DW_OP_GNU_parameter_ref:
		return "it was optimized out in this copy of the function "
		       "(DW_OP_GNU_parameter_ref)";
	case DW_OP_skip:
	case DW_OP_bra:
		return "its location expression branches, which stap does not translate";
	case DW_OP_form_tls_address:
	case DW_OP_GNU_push_tls_address:
		return "it is thread-local storage, which stap cannot read";
	}
	return arena_printf("its location uses DWARF operator 0x%x, which stap does not translate",
			    atom);
}

/* DW_OP_piece: fine when the first piece holds the whole value. */
static bool first_piece_covers(Eval *e, const Dwarf_Op *op, size_t i)
{
	if (i == 0) {
		fail(e, "its first piece was optimized out");
		return false;
	}
	uint64_t bits = op->atom == DW_OP_piece ? op->number * 8 : op->number;
	if (op->atom == DW_OP_bit_piece && op->number2 != 0)
		bits = 0;
	if (e->size <= 0 || bits < (uint64_t)e->size * 8) {
		fail(e, "its value is split into pieces in different places");
		return false;
	}
	return true;
}

static DwLoc result(Eval *e)
{
	if (e->why)
		return unavailable(e->why);
	DwLoc loc = {.reg = -1};
	if (e->reg >= 0) {
		loc.kind = DL_REGISTER;
		loc.reg = e->reg;
		loc.c_expr = arena_printf("STP_REG(c, %d)", e->reg);
		return loc;
	}
	if (e->sp != 1)
		return unavailable(e->sp ? "its location expression is malformed (values left over)"
				   : "it was optimized out (empty location)");
	loc.kind = e->is_value ? DL_VALUE : DL_MEMORY;
	loc.c_expr = e->stack[0];
	return loc;
}

static DwLoc evaluate(Eval *e, const Dwarf_Op *ops, size_t n)
{
	for (size_t i = 0; i < n && !e->why; i++) {
		const Dwarf_Op *op = &ops[i];
		uint8_t a = op->atom;
		const char *x;
		if (e->reg >= 0 || e->is_value) {	/* only a piece may follow these */
			if (a != DW_OP_piece && a != DW_OP_bit_piece)
				fail(e, "its location expression is malformed "
					"(operators after a register)");
			else if (first_piece_covers(e, op, i))
				break;
		} else if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
			e->reg = a - DW_OP_reg0;
			reg_expr(e, e->reg);
		} else if (a == DW_OP_regx) {
			e->reg = (int)op->number;
			reg_expr(e, op->number);
		} else if (a == DW_OP_stack_value) {
			e->is_value = true;
		} else if (a == DW_OP_implicit_value) {
			implicit_value(e, op);
		} else if (a == DW_OP_piece || a == DW_OP_bit_piece) {
			if (first_piece_covers(e, op, i))
				break;
		} else if ((x = binary_op(e, a))) {
			push(e, x);
		} else if (a == DW_OP_dup || a == DW_OP_drop || a == DW_OP_over ||
			   a == DW_OP_pick || a == DW_OP_swap || a == DW_OP_rot) {
			stack_op(e, op);
		} else if (!simple_op(e, op)) {
			fail(e, unsupported(a));
		}
	}
	return result(e);
}

/* DW_AT_const_value: the variable was folded into a constant. */
static DwLoc constant(Dwarf_Attribute *a)
{
	DwLoc loc = {.kind = DL_VALUE, .reg = -1};
	Dwarf_Block block;
	Dwarf_Word u;
	Dwarf_Sword s;
	unsigned int form = dwarf_whatform(a);
	if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
		if (dwarf_formsdata(a, &s) == 0)
			return loc.c_expr = hex((uint64_t)s), loc;
	} else if (dwarf_formudata(a, &u) == 0) {
		return loc.c_expr = hex(u), loc;
	} else if (dwarf_formblock(a, &block) == 0 && block.length <= 8) {
		uint64_t v = 0;
		for (size_t i = block.length; i > 0; i--)
			v = v << 8 | block.data[i - 1];
		return loc.c_expr = hex(v), loc;
	}
	return unavailable("it is a constant stap cannot use");
}

DwLoc dw_static_location(DwModule *m, uint64_t addr)
{
	Eval e = {.m = m, .size = 8, .reg = -1};
	if (!addr)
		return unavailable("it has no address in the symbol table");
	push(&e, static_address(&e, addr - m->bias));
	return result(&e);
}

DwLoc dw_location(DwModule *m, Dwarf_Die *var, Dwarf_Die *scope, uint64_t pc, int64_t size)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t n;
	if (!dwarf_attr(var, DW_AT_location, &a)) {
		if (dwarf_attr_integrate(var, DW_AT_const_value, &a))
			return constant(&a);
		return unavailable("it was optimized out (no location)");
	}
	int nlocs = dwarf_getlocation_addr(&a, pc - m->bias, &ops, &n, 1);
	if (nlocs < 0)
		return unavailable(arena_printf("its location cannot be read (%s)",
						dwarf_errmsg(-1)));
	if (nlocs == 0)
		return unavailable("it was optimized out at this address");
	Eval e = {.m = m, .attr = &a, .scope = scope, .pc = pc, .size = size, .reg = -1};
	return evaluate(&e, ops, n);
}

/* ---- parameters before the prologue ---- */

/* A location that is one expression for the whole scope, not a list by address. */
static bool is_single_expression(Dwarf_Attribute *a)
{
	unsigned int form = dwarf_whatform(a);
	return form == DW_FORM_exprloc || form == DW_FORM_block1 || form == DW_FORM_block2 ||
	       form == DW_FORM_block4 || form == DW_FORM_block;
}

/* Whether DW_OP_fbreg's base in scope is the CFA, which is the same all through the function. */
static bool frame_base_is_cfa(Dwarf_Die *scope)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t n;
	return scope && dwarf_attr(scope, DW_AT_frame_base, &a) && is_single_expression(&a) &&
	       dwarf_getlocation(&a, &ops, &n) == 0 && n == 1 &&
	       ops[0].atom == DW_OP_call_frame_cfa;
}

/*
 * Only a slot at a fixed distance from the CFA says where it is relative
 * to the entry's stack: at or above the CFA are the caller's outgoing
 * arguments, there at the entry; below it (under the return address at
 * CFA - 8) is the new frame.  A slot relative to the frame pointer or to
 * the stack pointer as the prologue leaves them counts as the new frame.
 */
bool dw_in_new_frame(Dwarf_Die *var, Dwarf_Die *scope)
{
	Dwarf_Attribute a;
	Dwarf_Op *ops;
	size_t n;
	if (!dwarf_attr(var, DW_AT_location, &a) || !is_single_expression(&a) ||
	    dwarf_getlocation(&a, &ops, &n) != 0 || n == 0)
		return false;
	return ops[0].atom == DW_OP_fbreg ? !frame_base_is_cfa(scope) || (int64_t)ops[0].number < 0 :
	       ops[0].atom == DW_OP_breg6 || ops[0].atom == DW_OP_breg7;	/* rbp, rsp */
}
