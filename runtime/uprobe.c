// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uprobe.c - process("PATH").function(...), .return and .statement(...):
 * uprobes on a program's file, at the offsets the translator found in
 * its debuginfo.  Every process running the file is probed, already
 * running or started later.  A handler runs in the probed task, which
 * may fault on user memory: target variables are read with
 * copy_from_user_nofault (loc.c).  A .return probe that reads the
 * function's parameters keeps each call's entry registers (below).  A
 * file whose build-id is not the one the translator read is not probed.
 * A probe in a library named by process("PATH").library("LIB") runs
 * only in the processes that run PATH, as in SystemTap, though the
 * uprobe is on every mapping of LIB.
 * The SDT markers of process("PATH").mark(...) are uprobes too, at the
 * marker's offset; a marker's semaphore is the uprobe's reference
 * counter (ref_ctr_offset), which the kernel raises by one in every
 * process that maps the file while the uprobe is in, and lowers when it
 * goes, so that the program's *_ENABLED() tests see it.
 */
#include <linux/uprobes.h>
#include <linux/namei.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/elf.h>
#include <linux/slab.h>
#include <linux/cred.h>
#include <linux/file.h>
#include "stp.h"

/* Whether the current process is one p runs in: any, or one running p->exe. */
static bool stp_uprobe_wanted(const struct stp_uprobe *p)
{
	struct file *exe;
	bool wanted;

	if (!p->exe_inode)
		return true;
	rcu_read_lock();
	exe = current->mm ? rcu_dereference(current->mm->exe_file) : NULL;
	wanted = exe && file_inode(exe) == p->exe_inode;
	rcu_read_unlock();
	return wanted;
}

static int stp_uprobe_hit(struct uprobe_consumer *uc, struct pt_regs *regs)
{
	struct stp_uprobe *p = container_of(uc, struct stp_uprobe, uc);

	if (stp_uprobe_wanted(p))
		stp_run_probe(p->probe, regs);
	return 0;
}

/*
 * ---- the entry registers of a .return probe's calls in progress ----
 * A uretprobe keeps no data per call, so a .return probe that reads
 * parameters (or @entry) also takes the function's entry (uc.handler),
 * where it saves the registers, and the @entry slots its entry probe
 * fills, in a fixed table of its own.  An entry is the call of one
 * thread (tid, and its start time against a reused tid) with one stack
 * pointer at entry (its frame: recursive calls differ), found again by
 * the return handler, whose stack pointer is just above it.  A frame
 * that never returns (longjmp, or the kernel that could not set up the
 * return) leaves an entry, reused by the next entry of its thread at
 * the same depth or deeper; a thread that died inside leaves one,
 * reclaimed when the table is full.  A return without its entry (the
 * table was full) is counted as a skipped probe.
 */
#define STP_UENTRY_MAX 256	/* calls in progress per .return probe, all threads */
#define STP_UENTRY_CLAIMED (-1)	/* tid while the owner fills the entry in */

struct stp_uentry {
	atomic_t tid;		/* 0: free */
	u64 start_time;
	unsigned long sp;	/* at entry */
	struct pt_regs regs;
	s64 slots[];
};

struct stp_uentry_table {
	size_t size;		/* of an entry, with its slots */
	char entries[];
};

static struct stp_uentry *stp_uentry(struct stp_uentry_table *t, int i)
{
	return (struct stp_uentry *)(t->entries + i * t->size);
}

/* An entry's thread has exited (its tid may be another thread's now). */
static bool stp_uentry_dead(struct stp_uentry *e, int tid)
{
	struct task_struct *t;
	bool dead;

	rcu_read_lock();
	t = pid_task(find_pid_ns(tid, &init_pid_ns), PIDTYPE_PID);
	dead = !t || t->start_time != e->start_time;
	rcu_read_unlock();
	return dead;
}

static struct stp_uentry *stp_uentry_claim(struct stp_uentry_table *t, unsigned long sp)
{
	struct stp_uentry *e;
	int i, tid, pass;

	/* this thread's entries of frames that are gone: one is reused */
	struct stp_uentry *reuse = NULL;

	for (i = 0; i < STP_UENTRY_MAX; i++) {
		e = stp_uentry(t, i);
		if (atomic_read(&e->tid) != current->pid ||
		    e->start_time != current->start_time || e->sp > sp)
			continue;
		if (reuse)
			atomic_set(&e->tid, 0);
		else
			reuse = e;
	}
	e = reuse;
	if (e)
		goto found;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < STP_UENTRY_MAX; i++) {
			e = stp_uentry(t, i);
			tid = atomic_read(&e->tid);
			if (pass && tid > 0 && stp_uentry_dead(e, tid))
				atomic_cmpxchg(&e->tid, tid, 0);
			if (atomic_cmpxchg(&e->tid, 0, STP_UENTRY_CLAIMED) == 0)
				goto claimed;
		}
	}
	return NULL;
claimed:
	e->start_time = current->start_time;
	atomic_set(&e->tid, current->pid);
found:
	e->sp = sp;
	return e;
}

/* The entry of the call returning with stack pointer sp; deeper ones are freed. */
static struct stp_uentry *stp_uentry_find(struct stp_uentry_table *t, unsigned long sp)
{
	struct stp_uentry *e, *found = NULL;
	int i;

	/* x86: the return popped the return address the entry's sp pointed to */
	sp -= sizeof(long);
	for (i = 0; i < STP_UENTRY_MAX; i++) {
		e = stp_uentry(t, i);
		if (atomic_read(&e->tid) != current->pid ||
		    e->start_time != current->start_time)
			continue;
		if (e->sp == sp)
			found = e;
		else if (e->sp < sp)
			atomic_set(&e->tid, 0);
	}
	return found;
}

/* The entry of this thread's latest call (the deepest frame). */
static struct stp_uentry *stp_uentry_latest(struct stp_uentry_table *t)
{
	struct stp_uentry *e, *found = NULL;
	int i;

	for (i = 0; i < STP_UENTRY_MAX; i++) {
		e = stp_uentry(t, i);
		if (atomic_read(&e->tid) == current->pid &&
		    e->start_time == current->start_time && (!found || e->sp < found->sp))
			found = e;
	}
	return found;
}

static int stp_uprobe_entry(struct uprobe_consumer *uc, struct pt_regs *regs)
{
	struct stp_uprobe *p = container_of(uc, struct stp_uprobe, uc);
	struct stp_uentry *e;

	if (!stp_uprobe_wanted(p))
		return 0;
	e = stp_uentry_claim(p->entries, user_stack_pointer(regs));
	if (!e)
		return 0;	/* its return is skipped */
	memcpy(&e->regs, regs, sizeof(*regs));
	if (!p->entry_probe)
		return 0;
	memset(e->slots, 0, p->nslots * sizeof(s64));
	stp_run_with_entry(p->entry_probe, regs, regs, e->slots);
	return 0;
}

static int stp_uretprobe_hit(struct uprobe_consumer *uc, unsigned long func,
			     struct pt_regs *regs)
{
	struct stp_uprobe *p = container_of(uc, struct stp_uprobe, uc);
	struct stp_uentry *e;

	if (!stp_uprobe_wanted(p))
		return 0;
	if (!p->save_entry) {
		stp_run_probe(p->probe, regs);
		return 0;
	}
	e = stp_uentry_find(p->entries, user_stack_pointer(regs));
	if (!e) {
		if (atomic_read(&stp_session_state) == STP_SESSION_RUNNING)
			stp_skip();
		return 0;
	}
	stp_run_with_entry(p->probe, regs, &e->regs, e->slots);
	atomic_set(&e->tid, 0);
	return 0;
}

/*
 * @entry's probe where the function's prologue ends, for code whose
 * parameters are in their frame slots only from there (-O0): it fills the
 * slots of the call its .return probe's entry handler has just saved.
 * Its variables are located, as in the .return probe, from the entry
 * registers (the frame base is the same), and read now.
 */
static int stp_uprobe_fill(struct uprobe_consumer *uc, struct pt_regs *regs)
{
	struct stp_uprobe *p = container_of(uc, struct stp_uprobe, uc);
	struct stp_uentry_table *t = p->fills->entries;
	struct stp_uentry *e;

	if (!t || !stp_uprobe_wanted(p))
		return 0;
	e = stp_uentry_latest(t);
	if (!e)
		return 0;
	/* its expressions were lowered for the .return probe: STP_ENTRY_REG */
	stp_run_with_entry(p->probe, regs, &e->regs, e->slots);
	return 0;
}

static int stp_uentry_alloc(struct stp_uprobe *p)
{
	size_t size = ALIGN(sizeof(struct stp_uentry) + p->nslots * sizeof(s64), 8);

	p->entries = kvzalloc(sizeof(*p->entries) + STP_UENTRY_MAX * size, GFP_KERNEL);
	if (!p->entries)
		return -ENOMEM;
	p->entries->size = size;
	return 0;
}

/*
 * ---- build-ids ----
 * The file's GNU build-id note, read from its PT_NOTE segments (at most
 * STP_PHDRS_MAX program headers, STP_NOTES_MAX bytes of each segment):
 * the file must be the one the translator read, or the offsets are stale.
 */
#define STP_PHDRS_MAX	64
#define STP_NOTES_MAX	4096
#define STP_NT_GNU_BUILD_ID 3	/* elf.h's NT_GNU_BUILD_ID, which the kernel's headers lack */

/* The build-id in a buffer of notes; its length, or 0. */
static int stp_notes_build_id(const char *buf, size_t len, u8 *id, int size)
{
	size_t off = 0;

	while (off + sizeof(Elf64_Nhdr) <= len) {
		const Elf64_Nhdr *nh = (const void *)(buf + off);
		size_t name = ALIGN(nh->n_namesz, 4), desc = ALIGN(nh->n_descsz, 4);

		off += sizeof(*nh);
		if (name > len - off || desc > len - off - name)
			return 0;
		if (nh->n_type == STP_NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
		    !memcmp(buf + off, "GNU", 4) && nh->n_descsz <= size) {
			memcpy(id, buf + off + name, nh->n_descsz);
			return nh->n_descsz;
		}
		off += name + desc;
	}
	return 0;
}

static int stp_file_build_id(struct file *f, u8 *id, int size)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	loff_t pos = 0;
	char *notes;
	int i, n = 0;

	if (kernel_read(f, &eh, sizeof(eh), &pos) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(ph))
		return 0;
	notes = kmalloc(STP_NOTES_MAX, GFP_KERNEL);
	if (!notes)
		return 0;
	for (i = 0; i < eh.e_phnum && i < STP_PHDRS_MAX && !n; i++) {
		ssize_t got;

		pos = eh.e_phoff + i * sizeof(ph);
		if (kernel_read(f, &ph, sizeof(ph), &pos) != sizeof(ph))
			break;
		if (ph.p_type != PT_NOTE)
			continue;
		pos = ph.p_offset;
		got = kernel_read(f, notes, min_t(u64, ph.p_filesz, STP_NOTES_MAX), &pos);
		if (got > 0)
			n = stp_notes_build_id(notes, got, id, size);
	}
	kfree(notes);
	return n;
}

/* The file at path against the build-id the translator recorded. */
static int stp_uprobe_check_build_id(struct stp_uprobe *p, const struct path *path)
{
	u8 found[64];
	struct file *f;
	int n;

	if (!p->build_id_len)
		return 0;
	f = dentry_open(path, O_RDONLY, current_cred());
	if (IS_ERR(f))
		return PTR_ERR(f);
	n = stp_file_build_id(f, found, sizeof(found));
	fput(f);
	return stp_check_build_id(p->path, p->build_id, p->build_id_len, found, n);
}

/* The inode of the file at path, held; NULL if there is none. */
static struct inode *stp_path_inode(const char *path, int *rc)
{
	struct inode *inode;
	struct path p;

	*rc = kern_path(path, LOOKUP_FOLLOW, &p);
	if (*rc)
		return NULL;
	inode = igrab(d_inode(p.dentry));
	path_put(&p);
	if (!inode)
		*rc = -ENOENT;
	return inode;
}

/*
 * The inode of the probe's file, held, once its build-id is the one the
 * translator read; NULL with *rc (-ESTALE: the mismatch was reported).
 */
static struct inode *stp_uprobe_file_inode(struct stp_uprobe *p, int *rc)
{
	struct inode *inode;
	struct path path;

	*rc = kern_path(p->path, LOOKUP_FOLLOW, &path);
	if (*rc)
		return NULL;
	*rc = stp_uprobe_check_build_id(p, &path);
	if (*rc) {
		path_put(&path);
		return NULL;
	}
	inode = igrab(d_inode(path.dentry));
	path_put(&path);
	if (!inode)
		*rc = -ENOENT;
	return inode;
}

/*
 * Since 6.12 uprobe_register() returns the uprobe, and unregistering
 * it does not wait for its handlers: one uprobe_unregister_sync() after
 * a batch does.  Before, unregistering takes the inode and offset, and
 * waits.
 */
static int stp_uprobe_attach(struct stp_uprobe *p)
{
#ifdef STP_HAVE_UPROBE_REGISTER_UPROBE
	p->uprobe = uprobe_register(p->inode, p->offset, p->ref_ctr_offset, &p->uc);
	return PTR_ERR_OR_ZERO(p->uprobe);
#elif defined(STP_HAVE_UPROBE_REGISTER_REFCTR)
	return uprobe_register_refctr(p->inode, p->offset, p->ref_ctr_offset, &p->uc);
#else
	/* a marker's semaphore would stay 0: its *_ENABLED() sites never fire */
	if (p->ref_ctr_offset)
		return -EOPNOTSUPP;
	return uprobe_register(p->inode, p->offset, &p->uc);
#endif
}

static void stp_uprobe_detach(struct stp_uprobe *p)
{
#ifdef STP_HAVE_UPROBE_REGISTER_UPROBE
	uprobe_unregister_nosync(p->uprobe, &p->uc);
#else
	uprobe_unregister(p->inode, p->offset, &p->uc);
#endif
}

/* after stp_uprobe_detach: no handler of those uprobes runs any more */
static void stp_uprobe_sync(void)
{
#ifdef STP_HAVE_UPROBE_REGISTER_UPROBE
	uprobe_unregister_sync();
#endif
}

static int stp_uprobe_register_one(struct stp_uprobe *p)
{
	int rc;

	p->inode = stp_uprobe_file_inode(p, &rc);
	if (!p->inode)
		return rc;
	if (p->exe) {
		p->exe_inode = stp_path_inode(p->exe, &rc);
		if (!p->exe_inode)
			goto fail;
	}
	memset(&p->uc, 0, sizeof(p->uc));
	if (p->is_return)
		p->uc.ret_handler = stp_uretprobe_hit;
	else if (p->fills)
		p->uc.handler = stp_uprobe_fill;
	else
		p->uc.handler = stp_uprobe_hit;
	if (p->save_entry) {
		rc = stp_uentry_alloc(p);
		if (rc)
			goto fail;
		p->uc.handler = stp_uprobe_entry;
	}
	rc = stp_uprobe_attach(p);
	if (!rc)
		return 0;
	kvfree(p->entries);
	p->entries = NULL;
fail:
	if (p->exe_inode)
		iput(p->exe_inode);
	p->exe_inode = NULL;
	iput(p->inode);
	p->inode = NULL;
	return rc;
}

static void stp_uprobe_unregister(void *probes, int n);

/* Why uprobe_register() said no, in the user's terms. */
static const char *stp_uprobe_why(int rc)
{
	switch (rc) {
	case -ENOENT:
		return "no such file in this system";
	case -EINVAL:
		return "the kernel refused the uprobe (the offset is past the end of the file, "
		       "or not an instruction it can probe)";
	case -ENOTSUPP:
	case -EOPNOTSUPP:
		return "the kernel cannot probe the instruction there, or count a marker's semaphore";
	default:
		return "uprobe registration failed";
	}
}

static int stp_uprobe_register(void *probes, int n)
{
	struct stp_uprobe *ups = probes;
	int i, rc;

	for (i = 0; i < n; i++) {
		struct stp_uprobe *p = &ups[i];
		rc = stp_uprobe_register_one(p);
		if (!rc) {
			p->registered = true;
			continue;
		}
		if (p->optional)
			continue;
		/* a build-id mismatch was reported already */
		if (rc != -ESTALE)
			stp_probe_failed(p->probe, stp_uprobe_why(rc), rc);
		stp_uprobe_unregister(probes, i);
		return rc;
	}
	return 0;
}

static void stp_uprobe_unregister(void *probes, int n)
{
	struct stp_uprobe *ups = probes;
	int i;

	/* last first: an @entry probe of a .return probe (fills) is after it */
	for (i = n - 1; i >= 0; i--)
		if (ups[i].registered)
			stp_uprobe_detach(&ups[i]);
	stp_uprobe_sync();
	for (i = n - 1; i >= 0; i--) {
		struct stp_uprobe *p = &ups[i];

		if (!p->registered)
			continue;
		kvfree(p->entries);
		p->entries = NULL;
		if (p->exe_inode)
			iput(p->exe_inode);
		p->exe_inode = NULL;
		iput(p->inode);
		p->inode = NULL;
		p->registered = false;
	}
}

const struct stp_family_ops stp_uprobe_ops = {
	.name = "uprobe",
	.register_probes = stp_uprobe_register,
	.unregister_probes = stp_uprobe_unregister,
};
