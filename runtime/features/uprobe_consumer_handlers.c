// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_UPROBE_CONSUMER_HANDLERS: a uprobe consumer's handler and
 * ret_handler take the registers, and ret_handler the function's address,
 * as uprobe.c's do (6.13 added a per-call data argument).
 */
#include <linux/uprobes.h>

static int stp_feature_hit(struct uprobe_consumer *uc, struct pt_regs *regs)
{
	return 0;
}

static int stp_feature_ret(struct uprobe_consumer *uc, unsigned long func,
			   struct pt_regs *regs)
{
	return 0;
}

struct uprobe_consumer stp_feature = {
	.handler = stp_feature_hit,
	.ret_handler = stp_feature_ret,
};
