// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_UPROBE_REGISTER_UPROBE: uprobe_register() returns the uprobe,
 * which unregistering takes; uprobe_unregister_nosync() does not wait
 * for the handlers, one uprobe_unregister_sync() after a batch does
 * (6.12 and later).
 */
#include <linux/uprobes.h>
#include <linux/err.h>

int stp_feature(struct inode *inode, struct uprobe_consumer *uc);
int stp_feature(struct inode *inode, struct uprobe_consumer *uc)
{
	struct uprobe *u = uprobe_register(inode, 0, 0, uc);

	if (IS_ERR(u))
		return PTR_ERR(u);
	uprobe_unregister_nosync(u, uc);
	uprobe_unregister_sync();
	return 0;
}
