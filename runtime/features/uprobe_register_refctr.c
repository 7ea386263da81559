// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_UPROBE_REGISTER_REFCTR: uprobe_register_refctr() registers a
 * uprobe with a reference counter (an SDT marker's semaphore), which the
 * kernel raises in each process while the uprobe is in (4.20 to 6.11;
 * 6.12's uprobe_register() takes the counter's offset itself).
 */
#include <linux/uprobes.h>

int stp_feature(struct inode *inode, loff_t ref_ctr, struct uprobe_consumer *uc);
int stp_feature(struct inode *inode, loff_t ref_ctr, struct uprobe_consumer *uc)
{
	int rc = uprobe_register_refctr(inode, 0, ref_ctr, uc);

	if (!rc)
		uprobe_unregister(inode, 0, uc);
	return rc;
}
