// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_RETHOOK_FRAME: kretprobes (and fprobes) keep a task's hooked
 * returns in rethook nodes on t->rethooks, each with its stack frame
 * and the return address it replaced.  kprobe_ret.c looks there for a
 * return address it must put back.
 */
#include <linux/rethook.h>
#include <linux/sched.h>

#ifndef CONFIG_RETHOOK
#error "no rethook"
#endif

unsigned long *stp_feature(struct task_struct *t, unsigned long frame);
unsigned long *stp_feature(struct task_struct *t, unsigned long frame)
{
	struct rethook_node *rh;

	llist_for_each_entry(rh, t->rethooks.first, llist)
		if (rh->frame == frame)
			return &rh->ret_addr;
	return NULL;
}
