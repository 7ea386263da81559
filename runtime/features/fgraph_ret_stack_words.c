// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_FGRAPH_RET_STACK_WORDS: the function graph tracer keeps a
 * task's hooked returns on a stack of words, curr_ret_stack of them in
 * use, where each call's struct ftrace_ret_stack sits among the data of
 * the tracers that share the stack (6.8 and later).  kprobe_ret.c looks
 * there for a return address it must put back.
 */
#include <linux/ftrace.h>
#include <linux/sched.h>

#ifndef CONFIG_FUNCTION_GRAPH_TRACER
#error "no function graph tracer"
#endif

unsigned long *stp_feature(struct task_struct *t);
unsigned long *stp_feature(struct task_struct *t)
{
	unsigned long *words = t->ret_stack;
	struct ftrace_ret_stack *rs = (struct ftrace_ret_stack *)&words[t->curr_ret_stack];

	return rs->retp ? &rs->ret : NULL;
}
