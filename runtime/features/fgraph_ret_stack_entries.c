// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_FGRAPH_RET_STACK_ENTRIES: the function graph tracer keeps a
 * task's hooked returns in an array of struct ftrace_ret_stack, the last
 * at curr_ret_stack (before 6.8).  kprobe_ret.c looks there for a return
 * address it must put back.
 */
#include <linux/ftrace.h>
#include <linux/sched.h>

#ifndef CONFIG_FUNCTION_GRAPH_TRACER
#error "no function graph tracer"
#endif

unsigned long *stp_feature(struct task_struct *t);
unsigned long *stp_feature(struct task_struct *t)
{
	struct ftrace_ret_stack *rs = &t->ret_stack[t->curr_ret_stack];

	BUILD_BUG_ON(FTRACE_RETFUNC_DEPTH < 1);
	return rs->retp ? &rs->ret : NULL;
}
