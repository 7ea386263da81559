// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_FTRACE_OPS_REGS: an ftrace_ops callback gets the full pt_regs
 * of the traced call (FTRACE_OPS_FL_SAVE_REGS, ftrace_get_regs), a filter
 * takes many addresses at once (ftrace_set_filter_ips), and kprobes say
 * which of them sit on ftrace sites (KPROBE_FLAG_FTRACE): kprobe.c runs
 * probes on functions' entries from its own ftrace_ops.
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>

#if !defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS) || !defined(CONFIG_KPROBES_ON_FTRACE) || \
	!defined(CONFIG_X86_64)
#error "no ftrace_ops with registers, or no kprobes on ftrace"
#endif

static void stp_feature_hit(unsigned long ip, unsigned long parent_ip,
			    struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);

	instruction_pointer_set(regs, ip);
}

static struct ftrace_ops stp_feature_ops = {
	.func = stp_feature_hit,
	.flags = FTRACE_OPS_FL_SAVE_REGS,
};

int stp_feature(void);
int stp_feature(void)
{
	unsigned long ip = 0;

	return ftrace_set_filter_ips(&stp_feature_ops, &ip, 1, 0, 1) + KPROBE_FLAG_FTRACE;
}
