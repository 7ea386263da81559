// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_KRETPROBE_GET: a kretprobe's handlers find their probe with
 * get_kretprobe() and keep data_size bytes per call in ri->data (5.11
 * and later), as kprobe.c's do.
 */
#include <linux/kprobes.h>

static int stp_feature_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return get_kretprobe(ri) ? ri->data[0] : 0;
}

static struct kretprobe stp_feature_rp = {
	.handler = stp_feature_ret,
	.entry_handler = stp_feature_ret,
	.data_size = 8,
};

int stp_feature(void);
int stp_feature(void)
{
	stp_feature_rp.kp.symbol_name = "vfs_read";
	return register_kretprobe(&stp_feature_rp);
}
