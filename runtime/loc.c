// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loc.c - reading what a probe sees: registers by their DWARF numbers,
 * kernel and user memory through the fault-safe copy helpers, and
 * link-time kernel addresses moved by KASLR, and modules' static data
 * wherever the module was loaded.
 *
 * A read that faults sets the context's error and returns 0; the
 * generated code checks c->last_error after each target-variable access
 * and unwinds.  Nothing here can oops on a bad pointer.
 */
#include <linux/kernel.h>
#include <linux/uaccess.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include "stp.h"

/* x86-64's DWARF register numbers, in pt_regs */
u64 stp_dwarf_reg(struct stp_context *c, int n)
{
	struct pt_regs *r = c->regs;

	if (!r) {
		stp_error(c, "no registers in this probe", NULL);
		return 0;
	}
	switch (n) {
	case 0: return r->ax;
	case 1: return r->dx;
	case 2: return r->cx;
	case 3: return r->bx;
	case 4: return r->si;
	case 5: return r->di;
	case 6: return r->bp;
	case 7: return r->sp;
	case 8: return r->r8;
	case 9: return r->r9;
	case 10: return r->r10;
	case 11: return r->r11;
	case 12: return r->r12;
	case 13: return r->r13;
	case 14: return r->r14;
	case 15: return r->r15;
	case 16: return r->ip;
	}
	stp_errorf(c, NULL, "cannot read DWARF register %d", n);
	return 0;
}

/*
 * A fault is recorded only if none is: one C expression may chain reads
 * ($p->a->b), and after the first fault the later ones read from
 * garbage addresses; the user must see the first.
 */
static void stp_fault(struct stp_context *c, const char *what, u64 addr)
{
	if (!c->last_error)
		stp_errorf(c, NULL, "%s fault at 0x%016llx", what, addr);
}

/* size bytes (1, 2, 4 or 8) of kernel memory at addr, sign- or zero-extended */
s64 stp_kread(struct stp_context *c, u64 addr, int size, bool is_signed)
{
	union { u8 b; u16 w; u32 l; u64 q; } v = { .q = 0 };

	if (copy_from_kernel_nofault(&v, (const void *)(unsigned long)addr, size)) {
		stp_fault(c, "kernel read", addr);
		return 0;
	}
	switch (size) {
	case 1: return is_signed ? (s64)(s8)v.b : (s64)v.b;
	case 2: return is_signed ? (s64)(s16)v.w : (s64)v.w;
	case 4: return is_signed ? (s64)(s32)v.l : (s64)v.l;
	default: return (s64)v.q;
	}
}

u64 stp_kread_u64(struct stp_context *c, u64 addr)
{
	return stp_kread(c, addr, 8, false);
}

/*
 * A NUL-terminated string at addr into buf, cut to size.  The string
 * helpers that stop at the NUL are not exported to modules, so read up to
 * the end of each page at a time (a page either is readable or not) and
 * look for the NUL; at most size bytes are read.
 */
static bool stp_read_string(u64 addr, char *buf, size_t size, bool user)
{
	size_t done = 0;

	while (done < size - 1) {
		size_t page_left = PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1));
		size_t n = min(size - 1 - done, page_left);
		void *dst = buf + done;
		long rc;

		if (user)
			rc = copy_from_user_nofault(dst, (const void __user *)(unsigned long)(addr + done), n);
		else
			rc = copy_from_kernel_nofault(dst, (const void *)(unsigned long)(addr + done), n);
		if (rc)
			return false;
		if (memchr(dst, '\0', n))
			return true;
		done += n;
	}
	buf[size - 1] = '\0';
	return true;
}

/* A string, or the runtime error "kernel (user) string copy fault at 0x...". */
static bool stp_read_string_checked(struct stp_context *c, u64 addr, char *buf, size_t size,
				    bool user)
{
	if (!stp_read_string(addr, buf, size, user)) {
		buf[0] = '\0';
		stp_errorf(c, NULL, "%s string copy fault at 0x%016llx", user ? "user" : "kernel",
			   addr);
		return false;
	}
	return true;
}

bool stp_kread_string(struct stp_context *c, u64 addr, char *buf, size_t size)
{
	return stp_read_string_checked(c, addr, buf, size, false);
}

/* The same from user space: fails where a page would have to be faulted in. */
bool stp_uread_string(struct stp_context *c, u64 addr, char *buf, size_t size)
{
	return stp_read_string_checked(c, addr, buf, size, true);
}

s64 stp_uread(struct stp_context *c, u64 addr, int size, bool is_signed)
{
	union { u8 b; u16 w; u32 l; u64 q; } v = { .q = 0 };

	if (copy_from_user_nofault(&v, (const void __user *)(unsigned long)addr, size)) {
		stp_fault(c, "user read", addr);
		return 0;
	}
	switch (size) {
	case 1: return is_signed ? (s64)(s8)v.b : (s64)v.b;
	case 2: return is_signed ? (s64)(s16)v.w : (s64)v.w;
	case 4: return is_signed ? (s64)(s32)v.l : (s64)v.l;
	default: return (s64)v.q;
	}
}

/*
 * Guru mode: size bytes of v into kernel memory at addr.  The kernel's
 * copy_to_kernel_nofault is not exported; __put_kernel_nofault is the
 * same exception-table store, inline.
 */
void stp_kwrite(struct stp_context *c, u64 addr, int size, s64 v)
{
	void *dst = (void *)(unsigned long)addr;
	u8 b = v;
	u16 w = v;
	u32 l = v;
	u64 q = v;

	pagefault_disable();
	switch (size) {
	case 1: __put_kernel_nofault(dst, &b, u8, fault); break;
	case 2: __put_kernel_nofault(dst, &w, u16, fault); break;
	case 4: __put_kernel_nofault(dst, &l, u32, fault); break;
	default: __put_kernel_nofault(dst, &q, u64, fault); break;
	}
	pagefault_enable();
	return;
fault:
	pagefault_enable();
	stp_fault(c, "kernel write", addr);
}

/* Guru mode: a register of the probe's pt_regs, by DWARF number. */
void stp_dwarf_reg_set(struct stp_context *c, int n, s64 v)
{
	struct pt_regs *r = c->regs;
	unsigned long *slot[16];

	if (!r || n < 0 || n >= ARRAY_SIZE(slot)) {
		stp_errorf(c, NULL, "cannot write DWARF register %d", n);
		return;
	}
	slot[0] = &r->ax; slot[1] = &r->dx; slot[2] = &r->cx; slot[3] = &r->bx;
	slot[4] = &r->si; slot[5] = &r->di; slot[6] = &r->bp; slot[7] = &r->sp;
	slot[8] = &r->r8; slot[9] = &r->r9; slot[10] = &r->r10; slot[11] = &r->r11;
	slot[12] = &r->r12; slot[13] = &r->r13; slot[14] = &r->r14; slot[15] = &r->r15;
	*slot[n] = v;
}

/* Bits [shift, shift + width) of a storage unit, as a bitfield reads. */
s64 stp_bitfield(s64 unit, int shift, int width, bool is_signed)
{
	u64 v = (u64)unit >> shift;

	if (width < 64)
		v &= (1ULL << width) - 1;
	if (is_signed && width < 64 && (v & (1ULL << (width - 1))))
		v |= ~0ULL << width;
	return (s64)v;
}

/*
 * KASLR: the kernel's run-time addresses differ from its link-time ones
 * by one offset, measured on an exported symbol whose link-time address
 * the translator read from the vmlinux.
 */
u64 stp_kaslr(u64 link_addr)
{
	if (!stp_script.kaslr_anchor)
		return link_addr;
	return link_addr + (stp_script.kaslr_anchor - stp_script.kaslr_anchor_link);
}

/* bounds on the walks below, far above what a system has */
#define STP_MAX_MODULES 65536

/*
 * The module of that name, or NULL; under rcu_read_lock_sched.  The
 * kernel's list of modules is reached from this module's entry in it
 * (its head is not exported); the head is the one entry that is not a
 * struct module, and it alone lies outside the modules' area.
 */
static struct module *stp_module_named(const char *name)
{
	struct list_head *pos = &THIS_MODULE->list;
	int n;

	for (n = 0; n < STP_MAX_MODULES; n++) {
		struct module *mod;

		pos = rcu_dereference_sched(list_next_rcu(pos));
		if (pos == &THIS_MODULE->list)
			break;
		if ((unsigned long)pos < MODULES_VADDR || (unsigned long)pos >= MODULES_END)
			continue;
		mod = list_entry(pos, struct module, list);
		if (mod->state != MODULE_STATE_UNFORMED && !strcmp(mod->name, name))
			return mod;
	}
	return NULL;
}

/*
 * Where the module's symbol is now: 0, -ENODEV (the module is not
 * loaded) or -ENOENT (it has no such symbol).  The module's symbol table
 * holds its data symbols (CONFIG_KALLSYMS_ALL).  The walk is over the
 * loaded modules and that module's symbols.
 */
long stp_kmod_lookup(const char *module, const char *symbol, u64 *addr)
{
	struct mod_kallsyms *ks;
	struct module *mod;
	unsigned int i;

	*addr = 0;
	rcu_read_lock_sched();
	mod = stp_module_named(module);
	ks = mod ? rcu_dereference_sched(mod->kallsyms) : NULL;
	for (i = 1; ks && i < ks->num_symtab && !*addr; i++)
		if (!strcmp(ks->strtab + ks->symtab[i].st_name, symbol))
			*addr = ks->symtab[i].st_value;
	rcu_read_unlock_sched();
	return !mod ? -ENODEV : !*addr ? -ENOENT : 0;
}

/*
 * For @var of a module's static data (the translator gives the
 * variable's offset from a symbol of its section that the module has
 * only once): looked up at each read, since the module may come and go
 * while the script runs.
 */
u64 stp_kmod_addr(struct stp_context *c, const char *module, const char *symbol)
{
	u64 addr;
	long rc;

	if (c->last_error)
		return 0;
	rc = stp_kmod_lookup(module, symbol, &addr);
	if (rc == -ENODEV)
		stp_errorf(c, NULL, "module %s is not loaded", module);
	else if (rc)
		stp_errorf(c, NULL, "module %s has no symbol %s", module, symbol);
	return addr;
}

/*
 * The entry registers and @entry slots of the .return probe running on
 * this CPU (set by stp_run_with_entry, for kprobe.c, kprobe_ret.c and
 * uprobe.c): its parameters are read in those registers.  Handlers run with preemption disabled, so a
 * per-CPU pointer is enough; each setter restores what it found, so that
 * a handler interrupting another leaves it its state.
 */
DEFINE_PER_CPU(struct stp_entry_state, stp_entry_state);

u64 stp_entry_slot_addr(struct stp_context *c, int k)
{
	s64 *slots = this_cpu_read(stp_entry_state.slots);

	if (!slots) {
		stp_error(c, "no @entry values in this probe", NULL);
		return 0;
	}
	return (u64)(unsigned long)&slots[k];
}

s64 stp_entry_slot(struct stp_context *c, int k)
{
	s64 *slots = this_cpu_read(stp_entry_state.slots);

	if (!slots) {
		stp_error(c, "no @entry values in this probe", NULL);
		return 0;
	}
	return slots[k];
}

u64 stp_entry_reg(struct stp_context *c, int n)
{
	struct pt_regs *entry = this_cpu_read(stp_entry_state.regs);
	struct pt_regs *now = c->regs;
	u64 v;

	if (!entry) {
		stp_error(c, "no entry registers in this probe", NULL);
		return 0;
	}
	c->regs = entry;
	v = stp_dwarf_reg(c, n);
	c->regs = now;
	return v;
}
