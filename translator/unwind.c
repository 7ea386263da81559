/*
 * unwind.c - how to walk a user program's stack: the call frame
 * information of its .eh_frame, reduced to what an x86-64 unwinder needs
 * at each address: where the CFA is (the stack pointer or the frame
 * pointer plus an offset; the return address is just below it) and
 * where the caller's frame pointer was saved.  usym.c puts the rows in
 * the module with the program's symbols, and runtime/usym.c walks the
 * stack by them, so that code built without frame pointers (gcc's
 * default from -O1 on, and Debian's libraries) has a backtrace.
 *
 * libdw gives the rules at any address (dwarf_cfi_addrframe, with the
 * range they hold for); the addresses to ask at are the starts of the
 * FDEs, which .eh_frame_hdr lists in order, and of the functions.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include <elfutils/libdw.h>
#include <elfutils/../dwarf.h>
#include "stap.h"

#define DWARF_REG_RBP 6
#define DWARF_REG_RSP 7
#define DWARF_REG_RA 16

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static Elf_Scn *section_named(Elf *e, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return NULL;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		const char *n = gelf_getshdr(scn, sh) ? elf_strptr(e, shstrndx, sh->sh_name) : NULL;
		if (n && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

static int32_t le32(const unsigned char *p)
{
	return (int32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
}

/*
 * The FDE start addresses in .eh_frame_hdr's search table, in the
 * encoding every linker writes (a udata4 count; datarel sdata4 pairs).
 */
static void hdr_starts(Elf *e, Vec *starts)
{
	GElf_Shdr sh;
	Elf_Scn *scn = section_named(e, ".eh_frame_hdr", &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d || d->d_size < 12)
		return;
	const unsigned char *p = d->d_buf;
	/* version 1; eh_frame_ptr's encoding: 4 bytes of it follow for sdata4/udata4 */
	if (p[0] != 1 || p[2] != (DW_EH_PE_udata4) || p[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4) ||
	    (p[1] & 0x0f) != DW_EH_PE_sdata4)
		return;
	uint32_t count = (uint32_t)le32(p + 8);
	if (count > (d->d_size - 12) / 8)
		return;
	for (uint32_t i = 0; i < count; i++) {
		uint64_t *start = arena_alloc(sizeof(*start));
		*start = sh.sh_addr + (int64_t)le32(p + 12 + 8 * i);
		vec_push(starts, start);
	}
}

/* The row's CFA rule: rsp or rbp plus an offset; false for anything else. */
static bool cfa_rule(Dwarf_Frame *frame, UnwindRow *r)
{
	Dwarf_Op *ops;
	size_t n;
	if (dwarf_frame_cfa(frame, &ops, &n) != 0 || n != 1)
		return false;
	/* libdw says "register + offset" as DW_OP_bregx */
	uint64_t reg = ops[0].atom == DW_OP_bregx ? ops[0].number : ops[0].atom - DW_OP_breg0;
	int64_t off = (int64_t)(ops[0].atom == DW_OP_bregx ? ops[0].number2 : ops[0].number);
	if ((ops[0].atom != DW_OP_bregx && (ops[0].atom < DW_OP_breg0 || ops[0].atom > DW_OP_breg31)) ||
	    (reg != DWARF_REG_RSP && reg != DWARF_REG_RBP) || off < INT16_MIN || off > INT16_MAX)
		return false;
	r->kind = reg == DWARF_REG_RSP ? UW_RSP : UW_RBP;
	r->cfa_offset = (int)off;
	return true;
}

/* Where register regno of the caller is: CFA + *off (true), or unchanged (*off 0). */
static bool saved_at(Dwarf_Frame *frame, int regno, int64_t *off)
{
	Dwarf_Op mem[3], *ops;
	size_t n;
	*off = 0;
	if (dwarf_frame_register(frame, regno, mem, &ops, &n) != 0)
		return false;
	if (n == 0)
		return ops == NULL;	/* same value: unchanged; undefined: unknown */
	if (ops[0].atom != DW_OP_call_frame_cfa || n > 2)
		return false;
	if (n == 2 && ops[1].atom != DW_OP_plus_uconst)
		return false;
	*off = n == 2 ? (int64_t)ops[1].number : 0;
	return *off != 0;
}

/* The rules at pc, in *r; *end gets where they stop holding.  False if none. */
static bool row_at(Dwarf_CFI *cfi, uint64_t pc, UnwindRow *r, uint64_t *end)
{
	Dwarf_Frame *frame;
	if (dwarf_cfi_addrframe(cfi, pc, &frame) != 0)
		return false;
	Dwarf_Addr start, stop;
	bool signal;
	int64_t ra, rbp;
	*r = (UnwindRow){ .addr = pc, .kind = UW_NONE };
	*end = pc + 1;
	if (dwarf_frame_info(frame, &start, &stop, &signal) >= 0 && stop > pc) {
		*end = stop;
		/* the return address just below the CFA; the caller's rbp kept or saved */
		if (!signal && cfa_rule(frame, r) && saved_at(frame, DWARF_REG_RA, &ra) &&
		    ra == -8 && saved_at(frame, DWARF_REG_RBP, &rbp) && rbp % 8 == 0 &&
		    rbp / 8 >= INT8_MIN && rbp / 8 <= INT8_MAX)
			r->rbp_slot = (int)(rbp / 8);
		else
			*r = (UnwindRow){ .addr = pc, .kind = UW_NONE };
	}
	free(frame);
	return true;
}

static bool same_rules(const UnwindRow *a, const UnwindRow *b)
{
	return a->kind == b->kind && a->cfa_offset == b->cfa_offset && a->rbp_slot == b->rbp_slot;
}

/*
 * Appends r, which holds up to end, to rows: a step function, each row
 * holding up to the next, whose last row is always a UW_NONE one where
 * what is known stops.  A row that starts there takes its place, or is
 * merged with the row before it when their rules agree.
 */
static void add_row(Vec *rows, const UnwindRow *r, uint64_t end)
{
	UnwindRow *last = rows->len ? rows->items[rows->len - 1] : NULL;
	if (last && last->addr == r->addr) {
		rows->len--;
		last = rows->len ? rows->items[rows->len - 1] : NULL;
	}
	if (!last || !same_rules(last, r)) {
		UnwindRow *copy = arena_alloc(sizeof(*copy));
		*copy = *r;
		vec_push(rows, copy);
	}
	UnwindRow *stop = arena_alloc(sizeof(*stop));
	*stop = (UnwindRow){ .addr = end, .kind = UW_NONE };
	vec_push(rows, stop);
}

/* The rows from start on, as long as the CFI covers the addresses; returns where it stops. */
static uint64_t rows_from(Dwarf_CFI *cfi, uint64_t start, Vec *rows)
{
	uint64_t pc = start, end;
	UnwindRow r;
	while (row_at(cfi, pc, &r, &end)) {
		add_row(rows, &r, end);
		pc = end;
	}
	return pc;
}

Vec unwind_rows(const char *path)
{
	Vec rows = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rows;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	Dwarf_CFI *cfi = e && elf_kind(e) == ELF_K_ELF ? dwarf_getcfi_elf(e) : NULL;
	if (cfi) {
		Vec starts = {0};
		hdr_starts(e, &starts);
		const char *why;
		Vec syms = elf_function_symbols(path, false, &why);
		for (int i = 0; i < syms.len; i++)
			vec_push(&starts, &((ElfFuncSym *)syms.items[i])->addr);
		uint64_t *sorted = arena_alloc((starts.len + 1) * sizeof(uint64_t));
		for (int i = 0; i < starts.len; i++)
			sorted[i] = *(uint64_t *)starts.items[i];
		qsort(sorted, starts.len, sizeof(uint64_t), compare_u64);
		uint64_t done = 0;	/* the rows are known below this address */
		for (int i = 0; i < starts.len; i++)
			if (sorted[i] >= done)
				done = rows_from(cfi, sorted[i], &rows);
		dwarf_cfi_end(cfi);
	}
	if (e)
		elf_end(e);
	close(fd);
	return rows;
}
