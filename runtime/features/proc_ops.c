// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_PROC_OPS: /proc files take a struct proc_ops (5.6 and later),
 * as transport.c's control file and procfs.c's files do.
 */
#include <linux/proc_fs.h>

static ssize_t stp_feature_read(struct file *f, char __user *buf, size_t n, loff_t *pos)
{
	return 0;
}

static const struct proc_ops stp_feature_ops = {
	.proc_read = stp_feature_read,
	.proc_lseek = noop_llseek,
};

struct proc_dir_entry *stp_feature(void);
struct proc_dir_entry *stp_feature(void)
{
	return proc_create_data("stp_feature", 0400, NULL, &stp_feature_ops, NULL);
}
