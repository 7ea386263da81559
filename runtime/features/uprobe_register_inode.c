// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_UPROBE_REGISTER_INODE: uprobes are registered and
 * unregistered by inode and offset, and unregistering waits for the
 * handlers (before 6.12).
 */
#include <linux/uprobes.h>

int stp_feature(struct inode *inode, struct uprobe_consumer *uc);
int stp_feature(struct inode *inode, struct uprobe_consumer *uc)
{
	int rc = uprobe_register(inode, 0, uc);

	if (!rc)
		uprobe_unregister(inode, 0, uc);
	return rc;
}
