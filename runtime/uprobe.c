// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uprobe.c - process("PATH").function(...), .return and .statement(...):
 * uprobes on a program's file, at the offsets the translator found in
 * its debuginfo.  Every process running the file is probed, already
 * running or started later.  A handler runs in the probed task, which
 * may fault on user memory: target variables are read with
 * copy_from_user_nofault (loc.c).
 */
#include <linux/uprobes.h>
#include <linux/namei.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include "stp.h"

static int stp_uprobe_hit(struct uprobe_consumer *uc, struct pt_regs *regs)
{
	struct stp_uprobe *p = container_of(uc, struct stp_uprobe, uc);

	stp_run_probe(p->probe, regs);
	return 0;
}

static int stp_uretprobe_hit(struct uprobe_consumer *uc, unsigned long func,
			     struct pt_regs *regs)
{
	struct stp_uprobe *p = container_of(uc, struct stp_uprobe, uc);

	stp_run_probe(p->probe, regs);
	return 0;
}

static int stp_uprobe_register_one(struct stp_uprobe *p)
{
	struct path path;
	int rc;

	rc = kern_path(p->path, LOOKUP_FOLLOW, &path);
	if (rc)
		return rc;
	p->inode = igrab(d_inode(path.dentry));
	path_put(&path);
	if (!p->inode)
		return -ENOENT;
	memset(&p->uc, 0, sizeof(p->uc));
	if (p->is_return)
		p->uc.ret_handler = stp_uretprobe_hit;
	else
		p->uc.handler = stp_uprobe_hit;
	rc = uprobe_register(p->inode, p->offset, &p->uc);
	if (rc) {
		iput(p->inode);
		p->inode = NULL;
	}
	return rc;
}

static void stp_uprobe_unregister(void *probes, int n);

static int stp_uprobe_register(void *probes, int n)
{
	struct stp_uprobe *ups = probes;
	int i, rc;

	for (i = 0; i < n; i++) {
		struct stp_uprobe *p = &ups[i];
		rc = stp_uprobe_register_one(p);
		if (!rc) {
			p->registered = true;
			continue;
		}
		if (p->optional)
			continue;
		stp_probe_failed(p->probe, rc == -ENOENT ? "no such file in this system" :
				 "uprobe registration failed", rc);
		stp_uprobe_unregister(probes, i);
		return rc;
	}
	return 0;
}

static void stp_uprobe_unregister(void *probes, int n)
{
	struct stp_uprobe *ups = probes;
	int i;

	for (i = 0; i < n; i++) {
		struct stp_uprobe *p = &ups[i];

		if (!p->registered)
			continue;
		uprobe_unregister(p->inode, p->offset, &p->uc);
		iput(p->inode);
		p->inode = NULL;
		p->registered = false;
	}
}

const struct stp_family_ops stp_uprobe_ops = {
	.name = "uprobe",
	.register_probes = stp_uprobe_register,
	.unregister_probes = stp_uprobe_unregister,
};
