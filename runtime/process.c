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
 */
#include <linux/tracepoint.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/binfmts.h>
#include <linux/namei.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include "stp.h"

#define STP_PROCESS_MAX 1024

static struct tracepoint *stp_exec_tp, *stp_exit_tp;
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

		if (pp->path && pp->inode != inode)
			continue;
		if (pp->path && !remembered) {
			stp_remember(p->tgid);
			remembered = true;
		}
		if (!pp->is_end)
			stp_run_probe(pp->probe, task_pt_regs(p));
	}
}

static void stp_on_exit(void *data, struct task_struct *p)
{
	bool known;
	int i;

	if (atomic_read(&p->signal->live))
		return;		/* not the last thread */
	known = stp_forget(p->tgid);
	for (i = 0; i < stp_nprocs; i++) {
		struct stp_process_probe *pp = &stp_procs[i];

		if (pp->is_end && (!pp->path || known))
			stp_run_probe(pp->probe, task_pt_regs(p));
	}
}

static void stp_process_unregister(void *probes, int n);

static int stp_process_register(void *probes, int n)
{
	struct stp_process_probe *ps = probes;
	struct path path;
	int i, rc = 0;

	stp_procs = ps;
	stp_nprocs = n;
	for (i = 0; i < n; i++) {
		if (!ps[i].path)
			continue;
		rc = kern_path(ps[i].path, LOOKUP_FOLLOW, &path);
		if (rc)
			goto fail;
		ps[i].inode = igrab(d_inode(path.dentry));
		path_put(&path);
	}
	stp_exec_tp = stp_find_tracepoint("sched_process_exec");
	stp_exit_tp = stp_find_tracepoint("sched_process_exit");
	rc = -ENOENT;
	if (!stp_exec_tp || !stp_exit_tp)
		goto fail;
	rc = tracepoint_probe_register(stp_exec_tp, stp_on_exec, NULL);
	if (rc)
		goto fail;
	rc = tracepoint_probe_register(stp_exit_tp, stp_on_exit, NULL);
	if (rc) {
		tracepoint_probe_unregister(stp_exec_tp, stp_on_exec, NULL);
		goto fail;
	}
	return 0;
fail:
	stp_probe_failed(ps[i < n ? i : 0].probe,
			 i < n ? "no such file in this system" : "no process tracepoints", rc);
	stp_exec_tp = stp_exit_tp = NULL;
	stp_process_unregister(probes, n);
	return rc;
}

static void stp_process_unregister(void *probes, int n)
{
	struct stp_process_probe *ps = probes;
	int i;

	if (stp_exec_tp) {
		tracepoint_probe_unregister(stp_exec_tp, stp_on_exec, NULL);
		tracepoint_probe_unregister(stp_exit_tp, stp_on_exit, NULL);
		tracepoint_synchronize_unregister();
		stp_exec_tp = stp_exit_tp = NULL;
	}
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
