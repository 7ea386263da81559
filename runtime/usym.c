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

bool stp_usym_locate(unsigned long addr, const struct stp_ubinary **bin, unsigned long *vaddr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	bool found = false;
	int i;

	if (!stp_script.nubinaries || !mm || (current->flags & PF_KTHREAD) || in_nmi() ||
	    irqs_disabled())
		return false;
	if (!mmap_read_trylock(mm))
		return false;
	vma = vma_lookup(mm, addr);
	for (i = 0; vma && vma->vm_file && i < stp_script.nubinaries && !found; i++) {
		const struct stp_ubinary *b = &stp_script.ubinaries[i];
		unsigned long off;

		if (!b->inode || file_inode(vma->vm_file) != b->inode)
			continue;
		off = addr - vma->vm_start + (vma->vm_pgoff << PAGE_SHIFT);
		if (!stp_usym_vaddr(b, off, vaddr))
			break;
		*bin = b;
		found = true;
	}
	mmap_read_unlock(mm);
	return found;
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
