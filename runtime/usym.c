// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * usym.c - addresses of the current process as symbols: usymname(),
 * usymdata() and the user backtraces.
 *
 * The translator embeds the function symbols and PT_LOAD segments of
 * each program that process("PATH") probes or -d names (stp_ubinaries);
 * module init resolves each path to its inode.  An address is looked up
 * in the task's mappings: a VMA whose file is one of those inodes gives
 * the offset in the file, the segment holding that offset the link-time
 * address (which undoes the load bias of a PIE program or a library),
 * and a binary search the symbol.
 *
 * The VMA tree is read under mmap_lock, which a probe may only try:
 * mmap_read_trylock() never sleeps, and when the lock is held for
 * writing (a thread of the task in mmap() or munmap()) the address
 * stays unknown and is shown in hex.  Never from NMI context, nor with
 * interrupts off: releasing the lock may wake a waiter, and a probe
 * that runs with interrupts off may be holding a runqueue lock, which
 * the wakeup takes.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/namei.h>
#include <linux/sched.h>
#include <linux/hardirq.h>
#include <linux/uprobes.h>
#include <linux/uaccess.h>
#include "stp.h"

/* A program missing from this system keeps a NULL inode: never matched. */
void stp_usym_init(void)
{
	struct path path;
	int i;

	for (i = 0; i < stp_script.nubinaries; i++) {
		struct stp_ubinary *b = &stp_script.ubinaries[i];

		if (kern_path(b->path, LOOKUP_FOLLOW, &path))
			continue;
		b->inode = igrab(d_inode(path.dentry));
		path_put(&path);
	}
}

void stp_usym_exit(void)
{
	int i;

	for (i = 0; i < stp_script.nubinaries; i++) {
		struct stp_ubinary *b = &stp_script.ubinaries[i];

		if (b->inode)
			iput(b->inode);
		b->inode = NULL;
	}
}

/* The symbol of b holding link-time address vaddr, or NULL. */
static const struct stp_usym *stp_usym_search(const struct stp_ubinary *b,
					      unsigned long vaddr)
{
	int lo = 0, hi = b->nsyms;	/* the answer is below hi */
	const struct stp_usym *s;

	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;

		if (b->syms[mid].addr <= vaddr)
			lo = mid;
		else
			hi = mid;
	}
	if (!b->nsyms)
		return NULL;
	s = &b->syms[lo];
	if (vaddr < s->addr || vaddr - s->addr >= max(s->size, 1UL))
		return NULL;
	return s;
}

/* The link-time address of file offset off in b, through its segments. */
static bool stp_usym_vaddr(const struct stp_ubinary *b, unsigned long off,
			   unsigned long *vaddr)
{
	int i;

	for (i = 0; i < b->nsegs; i++) {
		const struct stp_useg *sg = &b->segs[i];

		if (off >= sg->offset && off - sg->offset < sg->filesz) {
			*vaddr = off - sg->offset + sg->vaddr;
			return true;
		}
	}
	return false;
}

/* Whether this context may take the current task's mmap_lock (trylock only). */
static bool stp_umaps_readable(void)
{
	return stp_script.nubinaries && current->mm && !(current->flags & PF_KTHREAD) &&
	       !in_nmi() && !irqs_disabled();
}

/*
 * The binary of stp_ubinaries that the current task maps at addr, with
 * addr's link-time address in it; NULL if none.  Under mmap_lock.
 */
static const struct stp_ubinary *stp_ubinary_at(unsigned long addr, unsigned long *vaddr)
{
	struct vm_area_struct *vma = vma_lookup(current->mm, addr);
	int i;

	for (i = 0; vma && vma->vm_file && i < stp_script.nubinaries; i++) {
		const struct stp_ubinary *b = &stp_script.ubinaries[i];
		unsigned long off;

		if (!b->inode || file_inode(vma->vm_file) != b->inode)
			continue;
		off = addr - vma->vm_start + (vma->vm_pgoff << PAGE_SHIFT);
		return stp_usym_vaddr(b, off, vaddr) ? b : NULL;
	}
	return NULL;
}

bool stp_usym_locate(unsigned long addr, const struct stp_ubinary **bin, unsigned long *vaddr)
{
	if (!stp_umaps_readable() || !mmap_read_trylock(current->mm))
		return false;
	*bin = stp_ubinary_at(addr, vaddr);
	mmap_read_unlock(current->mm);
	return *bin;
}

bool stp_usym_lookup(unsigned long addr, struct stp_usym_hit *hit)
{
	const struct stp_ubinary *b;
	const struct stp_usym *s;
	unsigned long vaddr;

	if (!stp_usym_locate(addr, &b, &vaddr))
		return false;
	s = stp_usym_search(b, vaddr);
	if (!s)
		return false;
	hit->name = s->name;
	hit->offset = vaddr - s->addr;
	hit->size = s->size;
	hit->path = b->path;
	return true;
}

/*
 * The address where the current process maps the first page of b, in
 * *base; false if it maps none.  The walk over the VMAs is bounded by
 * the kernel's own limit on their number (vm.max_map_count).
 */
static bool stp_ubinary_base(const struct stp_ubinary *b, unsigned long *base)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	bool found = false;
	VMA_ITERATOR(vmi, mm, 0);

	for_each_vma(vmi, vma) {
		if (vma->vm_file && !vma->vm_pgoff && file_inode(vma->vm_file) == b->inode) {
			*base = vma->vm_start;
			found = true;
			break;
		}
	}
	return found;
}

u64 stp_uload(struct stp_context *c, const char *path, u64 vaddr)
{
	const struct stp_ubinary *b = NULL;
	struct mm_struct *mm = current->mm;
	unsigned long base;
	bool found;
	int i;

	if (c->last_error)
		return 0;
	for (i = 0; i < stp_script.nubinaries && !b; i++)
		if (!strcmp(stp_script.ubinaries[i].path, path))
			b = &stp_script.ubinaries[i];
	if (!b || !b->inode || !b->nsegs) {
		stp_errorf(c, NULL, "cannot find %s in this system", path);
		return 0;
	}
	if (!mm || (current->flags & PF_KTHREAD) || in_nmi() || irqs_disabled() ||
	    !mmap_read_trylock(mm)) {
		stp_errorf(c, NULL, "cannot read where %s is loaded: the process's mappings are "
			   "busy or out of reach here", path);
		return 0;
	}
	found = stp_ubinary_base(b, &base);
	mmap_read_unlock(mm);
	if (!found) {
		stp_errorf(c, NULL, "%s is not loaded in process %d", path, current->pid);
		return 0;
	}
	/* the first page holds file offset 0, whose link-time address this is */
	return base + vaddr - (b->segs[0].vaddr - b->segs[0].offset);
}

/* ---- walking the user stack ---- */

/* The row of b's call frame information that holds at vaddr, or NULL. */
static const struct stp_uframe *stp_uframe_search(const struct stp_ubinary *b,
						  unsigned long vaddr)
{
	int lo = 0, hi = b->nframes;	/* the answer is below hi */

	if (!b->nframes || vaddr < b->frames[0].addr || vaddr > U32_MAX)
		return NULL;
	while (hi - lo > 1) {
		int mid = lo + (hi - lo) / 2;

		if (b->frames[mid].addr <= vaddr)
			lo = mid;
		else
			hi = mid;
	}
	return b->frames[lo].kind == STP_UW_NONE ? NULL : &b->frames[lo];
}

/* The rules for the frame at ip (a return address: looked up at ip - 1). */
static bool stp_uframe_at(unsigned long ip, bool ret, struct stp_uframe *row)
{
	const struct stp_ubinary *b;
	const struct stp_uframe *f;
	unsigned long vaddr;

	if (!stp_usym_locate(ret ? ip - 1 : ip, &b, &vaddr))
		return false;
	f = stp_uframe_search(b, vaddr);
	if (f)
		*row = *f;
	return f;
}

static bool stp_uword(unsigned long addr, unsigned long *val)
{
	return !copy_from_user_nofault(val, (const void __user *)addr, sizeof(*val));
}

/*
 * The return address kept in the stack word at slot: a .return probe's
 * uretprobe replaced the real one with its trampoline's, and the task's
 * uprobe state keeps the real one with the stack address (at most
 * MAX_URETPROBE_DEPTH of them).  Read only where the task cannot be
 * changing that list: stopped in a uprobe, or interrupted in user mode.
 */
static unsigned long stp_uret_real(unsigned long slot, unsigned long ra, bool uret_stable)
{
#ifdef CONFIG_UPROBES
	struct return_instance *ri;
	int n = 0;

	if (!uret_stable || !current->utask)
		return ra;
	for (ri = current->utask->return_instances; ri && n < 64; ri = ri->next, n++)
		if (ri->stack == slot)
			return ri->orig_ret_vaddr;
#endif
	return ra;
}

/* By the call frame information: the CFA, the return address below it. */
static bool stp_uunwind_cfi(struct stp_uregs *r, const struct stp_uframe *f, bool uret_stable)
{
	unsigned long cfa, ra, bp = r->bp;

	cfa = (f->kind == STP_UW_RSP ? r->sp : r->bp) + f->cfa_offset;
	if (cfa <= r->sp || !stp_uword(cfa - 8, &ra))
		return false;
	if (f->rbp_slot && !stp_uword(cfa + 8 * (long)f->rbp_slot, &bp))
		return false;
	r->ip = stp_uret_real(cfa - 8, ra, uret_stable);
	r->sp = cfa;
	r->bp = bp;
	return true;
}

/*
 * By the frame pointer: the caller's rbp saved where rbp points, the
 * return address above it; at a function's first instruction (a uprobe
 * on it) the frame is not made yet, and the return address is on top
 * of the stack, if that word points at code (at a program's entry it
 * is argc).
 */
static bool stp_uunwind_fp(struct stp_uregs *r, bool first, bool uret_stable)
{
	struct stp_usym_hit hit;
	unsigned long frame[2];

	if (first && stp_usym_lookup(r->ip, &hit) && hit.offset == 0) {
		if (!stp_uword(r->sp, &frame[1]) || !stp_uaddr_is_text(frame[1]))
			return false;
		r->ip = stp_uret_real(r->sp, frame[1], uret_stable);
		r->sp += 8;
		return true;
	}
	if (r->bp < r->sp || (r->bp & 7) ||
	    copy_from_user_nofault(frame, (const void __user *)r->bp, sizeof(frame)))
		return false;
	r->ip = stp_uret_real(r->bp + 8, frame[1], uret_stable);
	r->sp = r->bp + 16;
	r->bp = frame[0];	/* not above this frame: the next step stops */
	return true;
}

bool stp_uunwind(struct stp_uregs *r, bool first, bool uret_stable)
{
	struct stp_uframe f;
	bool ok;

	if (stp_uframe_at(r->ip, !first, &f))
		ok = stp_uunwind_cfi(r, &f, uret_stable);
	else
		ok = stp_uunwind_fp(r, first, uret_stable);
	return ok && r->ip;
}

bool stp_uaddr_is_text(unsigned long addr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	bool text;

	if (!mm || (current->flags & PF_KTHREAD) || in_nmi() || irqs_disabled() ||
	    !mmap_read_trylock(mm))
		return false;
	vma = vma_lookup(mm, addr);
	text = vma && (vma->vm_flags & VM_EXEC);
	mmap_read_unlock(mm);
	return text;
}

void stp_usym_text(char *buf, size_t size, unsigned long addr, bool ret, bool data)
{
	struct stp_usym_hit hit;

	if (!stp_usym_lookup(ret && addr ? addr - 1 : addr, &hit)) {
		snprintf(buf, size, "0x%lx", addr);
		return;
	}
	if (!data)
		snprintf(buf, size, "%s", hit.name);
	else
		snprintf(buf, size, "%s+0x%lx/0x%lx [%s]", hit.name, hit.offset + (ret ? 1 : 0),
			 hit.size, hit.path);
}
