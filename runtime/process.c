// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * process.c - process("PATH").begin and .end (process.begin/.end: any
 * program), on the scheduler's tracepoints: sched_process_exec, in the
 * process that has just started running the program, and
 * sched_process_exit, in its last exiting thread.
 *
 * By the exit tracepoint a process's memory (and so its program) is
 * gone, so the processes that began running PATH are remembered by tgid
 * in a fixed table (STP_PROCESS_MAX, filled with cmpxchg: no lock, no
 * allocation); one that did not fit is not reported at its end.
 * Processes running before the script started are not reported.
 *
 * process("PATH").syscall and .syscall.return (process.syscall: any
 * program, process(PID).syscall: one process) are raw_syscalls'
 * sys_enter and sys_exit, filtered here by the calling process.
 *
 * .thread.begin and .thread.end are the threads after a process's first:
 * a thread begins where it first runs, at the return of schedule_tail()
 * (a kretprobe: in the new thread, before its first user instruction),
 * and ends at sched_process_exit, in the thread.  Threads of a
 * process("PATH") are known by their program (begin) or by their process
 * having begun running it (end, as for .end).
 */
#include <linux/tracepoint.h>
#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/binfmts.h>
#include <linux/namei.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/rcupdate.h>
#include <asm/syscall.h>
#include "stp.h"

#define STP_PROCESS_MAX 1024

static struct stp_process_probe *stp_procs;
static int stp_nprocs;
static atomic_t stp_tgids[STP_PROCESS_MAX];	/* processes running a PATH probed */

static void stp_remember(pid_t tgid)
{
	int i;

	for (i = 0; i < STP_PROCESS_MAX; i++)
		if (atomic_cmpxchg(&stp_tgids[i], 0, tgid) == 0)
			return;
}

/* Whether tgid was remembered (it stays remembered). */
static bool stp_known(pid_t tgid)
{
	int i;

	for (i = 0; i < STP_PROCESS_MAX; i++)
		if (atomic_read(&stp_tgids[i]) == tgid)
			return true;
	return false;
}

/* Whether tgid was remembered; it is forgotten. */
static bool stp_forget(pid_t tgid)
{
	int i;

	for (i = 0; i < STP_PROCESS_MAX; i++)
		if (atomic_cmpxchg(&stp_tgids[i], tgid, 0) == tgid)
			return true;
	return false;
}

static void stp_on_exec(void *data, struct task_struct *p, pid_t old_pid,
			struct linux_binprm *bprm)
{
	struct inode *inode = bprm->file ? file_inode(bprm->file) : NULL;
	bool remembered = false;
	int i;

	for (i = 0; i < stp_nprocs; i++) {
		struct stp_process_probe *pp = &stp_procs[i];

		if (pp->is_syscall || pp->pid || (pp->path && pp->inode != inode))
			continue;
		if (pp->path && !remembered) {
			stp_remember(p->tgid);
			remembered = true;
		}
		if (!pp->is_end && !pp->is_thread)
			stp_run_probe(pp->probe, task_pt_regs(p));
	}
}

static struct inode *stp_current_exe(void);

/* A thread other than its process's first: its .thread.end probes. */
static void stp_thread_ended(struct task_struct *p)
{
	bool known = false, looked = false;
	int i;

	for (i = 0; i < stp_nprocs; i++) {
		struct stp_process_probe *pp = &stp_procs[i];

		if (!pp->is_thread || !pp->is_end || (pp->pid && pp->pid != p->tgid))
			continue;
		if (pp->path && !looked) {
			known = stp_known(p->tgid);
			looked = true;
		}
		if (!pp->path || known)
			stp_run_probe(pp->probe, task_pt_regs(p));
	}
}

static void stp_on_exit(void *data, struct task_struct *p)
{
	bool known;
	int i;

	/* its memory is gone by now: a kernel thread is told by its flag */
	if (p->pid != p->tgid && !(p->flags & PF_KTHREAD))
		stp_thread_ended(p);
	if (atomic_read(&p->signal->live))
		return;		/* not the last thread */
	known = stp_forget(p->tgid);
	for (i = 0; i < stp_nprocs; i++) {
		struct stp_process_probe *pp = &stp_procs[i];

		if (pp->is_end && !pp->is_syscall && !pp->is_thread && (!pp->path || known))
			stp_run_probe(pp->probe, task_pt_regs(p));
	}
}

/* A new task runs for the first time: a new thread's .thread.begin probes. */
static int stp_on_task_start(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct inode *exe = NULL;
	bool have_exe = false;
	int i;

	if (current->pid == current->tgid || !current->mm)
		return 0;	/* a process's first thread, or a kernel thread */
	for (i = 0; i < stp_nprocs; i++) {
		struct stp_process_probe *pp = &stp_procs[i];

		if (!pp->is_thread || pp->is_end || (pp->pid && pp->pid != current->tgid))
			continue;
		if (pp->path && !have_exe) {
			exe = stp_current_exe();
			have_exe = true;
		}
		if (!pp->path || exe == pp->inode)
			stp_run_probe(pp->probe, task_pt_regs(current));
	}
	return 0;
}

static struct kretprobe stp_task_start_rp = {
	.kp.symbol_name = "schedule_tail",
	.handler = stp_on_task_start,
	.maxactive = 64,
};
static bool stp_task_start_registered;

/*
 * ---- process("PATH").syscall and .syscall.return ----
 * On raw_syscalls' sys_enter and sys_exit, in the calling thread: its
 * program is current->mm's exe_file (stable while current runs, its file
 * freed only after an RCU grace period).
 */
static struct inode *stp_current_exe(void)
{
	struct inode *inode = NULL;
	struct file *exe;

	if (!current->mm)
		return NULL;
	rcu_read_lock();
	exe = rcu_dereference(current->mm->exe_file);
	if (exe)
		inode = file_inode(exe);
	rcu_read_unlock();
	return inode;
}

static void stp_run_syscall(struct pt_regs *regs, bool is_return)
{
	struct inode *exe = NULL;
	bool have_exe = false;
	int i;

	for (i = 0; i < stp_nprocs; i++) {
		struct stp_process_probe *pp = &stp_procs[i];

		if (!pp->is_syscall || pp->is_return != is_return)
			continue;
		if (pp->pid && current->tgid != pp->pid)
			continue;
		if (pp->path && !have_exe) {
			exe = stp_current_exe();
			have_exe = true;
		}
		if (pp->path && exe != pp->inode)
			continue;
		stp_run_probe(pp->probe, regs);
	}
}

static void stp_on_sys_enter(void *data, struct pt_regs *regs, long id)
{
	stp_run_syscall(regs, false);
}

static void stp_on_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	stp_run_syscall(regs, true);
}

/* $syscall, $arg1..$arg6 and $return, from the thread's saved registers */
s64 stp_syscall_nr(struct stp_context *c)
{
	return syscall_get_nr(current, c->regs);
}

s64 stp_syscall_arg(struct stp_context *c, int n)
{
	unsigned long args[6];

	syscall_get_arguments(current, c->regs, args);
	return (long)args[n - 1];
}

s64 stp_syscall_return(struct stp_context *c)
{
	return syscall_get_return_value(current, c->regs);
}

/* ---- registration ---- */

struct stp_process_tp {
	const char *name;
	void *handler;
	struct tracepoint *tp;
};

enum { STP_TP_EXEC, STP_TP_EXIT, STP_TP_SYS_ENTER, STP_TP_SYS_EXIT, STP_NTPS };

static struct stp_process_tp stp_tps[STP_NTPS] = {
	[STP_TP_EXEC] = { "sched_process_exec", stp_on_exec },
	[STP_TP_EXIT] = { "sched_process_exit", stp_on_exit },
	[STP_TP_SYS_ENTER] = { "sys_enter", stp_on_sys_enter },
	[STP_TP_SYS_EXIT] = { "sys_exit", stp_on_sys_exit },
};

static void stp_process_unregister(void *probes, int n);

static int stp_process_register(void *probes, int n)
{
	struct stp_process_probe *ps = probes;
	bool wanted[STP_NTPS] = { false };
	bool thread_begin = false;
	struct path path;
	int i, t, rc = 0;

	stp_procs = ps;
	stp_nprocs = n;
	for (i = 0; i < n; i++) {
		if (ps[i].is_syscall) {
			wanted[ps[i].is_return ? STP_TP_SYS_EXIT : STP_TP_SYS_ENTER] = true;
		} else if (ps[i].is_thread && !ps[i].is_end) {
			thread_begin = true;
		} else {
			wanted[STP_TP_EXEC] = true;	/* .end knows the process from its begin */
			wanted[STP_TP_EXIT] |= ps[i].is_end;
		}
		if (!ps[i].path)
			continue;
		rc = kern_path(ps[i].path, LOOKUP_FOLLOW, &path);
		if (rc) {
			stp_probe_failed(ps[i].probe, "no such file in this system", rc);
			goto fail;
		}
		ps[i].inode = igrab(d_inode(path.dentry));
		path_put(&path);
	}
	for (t = 0; t < STP_NTPS; t++) {
		struct stp_process_tp *tp = &stp_tps[t];

		if (!wanted[t])
			continue;
		tp->tp = stp_find_tracepoint(tp->name);
		rc = tp->tp ? tracepoint_probe_register(tp->tp, tp->handler, NULL) : -ENOENT;
		if (rc) {
			tp->tp = NULL;
			stp_probe_failed(ps[0].probe, "no process tracepoints", rc);
			goto fail;
		}
	}
	if (thread_begin) {
		rc = register_kretprobe(&stp_task_start_rp);
		if (rc) {
			stp_probe_failed(ps[0].probe, "cannot probe schedule_tail", rc);
			goto fail;
		}
		stp_task_start_registered = true;
	}
	return 0;
fail:
	stp_process_unregister(probes, n);
	return rc;
}

static void stp_process_unregister(void *probes, int n)
{
	struct stp_process_probe *ps = probes;
	bool any = false;
	int i, t;

	if (stp_task_start_registered) {	/* waits for its handlers */
		unregister_kretprobe(&stp_task_start_rp);
		stp_task_start_registered = false;
	}
	for (t = 0; t < STP_NTPS; t++) {
		if (!stp_tps[t].tp)
			continue;
		tracepoint_probe_unregister(stp_tps[t].tp, stp_tps[t].handler, NULL);
		stp_tps[t].tp = NULL;
		any = true;
	}
	if (any)
		tracepoint_synchronize_unregister();
	for (i = 0; i < n; i++) {
		if (ps[i].inode)
			iput(ps[i].inode);
		ps[i].inode = NULL;
	}
}

const struct stp_family_ops stp_process_ops = {
	.name = "process",
	.register_probes = stp_process_register,
	.unregister_probes = stp_process_unregister,
};
