// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe.c - kprobe.function("name") and .return: kprobes and kretprobes
 * on kernel symbols, with no debuginfo.
 *
 * Handlers run with preemption disabled (kprobes guarantee it); a
 * kretprobe that finds no free instance is "missed" and counted as a
 * skipped probe.  An optional probe (?) that cannot be registered is
 * skipped; any other registration failure stops the script, naming the
 * function.
 */
#include <linux/kprobes.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include "stp.h"

static int stp_kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct stp_kprobe *p = container_of(kp, struct stp_kprobe, u.kp);

	stp_run_probe(p->probe, regs);
	return 0;
}

static int stp_kretprobe_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct stp_kprobe *p = container_of(get_kretprobe(ri), struct stp_kprobe, u.rp);

	stp_run_probe(p->probe, regs);
	return 0;
}

static int stp_kprobe_register_one(struct stp_kprobe *p)
{
	if (p->is_return) {
		memset(&p->u.rp, 0, sizeof(p->u.rp));
		p->u.rp.kp.symbol_name = p->symbol;
		p->u.rp.kp.offset = p->offset;
		p->u.rp.handler = stp_kretprobe_ret;
		p->u.rp.maxactive = p->maxactive;
		return register_kretprobe(&p->u.rp);
	}
	memset(&p->u.kp, 0, sizeof(p->u.kp));
	p->u.kp.symbol_name = p->symbol;
	p->u.kp.offset = p->offset;
	p->u.kp.pre_handler = stp_kprobe_pre;
	return register_kprobe(&p->u.kp);
}

static const char *stp_errno_text(int rc)
{
	switch (rc) {
	case -ENOENT:
		return "no such function in the kernel";
	case -EINVAL:
		return "the function cannot be probed (on the kprobe blocklist, __init, or not a function start)";
	case -EEXIST:
		return "already probed";
	case -EBUSY:
		return "busy";
	case -ENOMEM:
		return "out of memory";
	default:
		return "registration failed";
	}
}

static void stp_kprobe_unregister(void *probes, int n);

static int stp_kprobe_register(void *probes, int n)
{
	struct stp_kprobe *kps = probes;
	int i, rc;

	for (i = 0; i < n; i++) {
		struct stp_kprobe *p = &kps[i];
		char msg[256];

		rc = stp_kprobe_register_one(p);
		if (!rc) {
			p->registered = true;
			continue;
		}
		if (p->optional)
			continue;
		snprintf(msg, sizeof(msg),
			 "ERROR: cannot probe %s: %s (error %d)\n", p->probe->pp,
			 stp_errno_text(rc), rc);
		stp_send_text(STP_MSG_ERROR, msg);
		stp_kprobe_unregister(probes, i);
		return rc;
	}
	return 0;
}

static void stp_kprobe_unregister(void *probes, int n)
{
	struct stp_kprobe *kps = probes;
	int i;

	for (i = 0; i < n; i++) {
		struct stp_kprobe *p = &kps[i];

		if (!p->registered)
			continue;
		if (p->is_return) {
			unregister_kretprobe(&p->u.rp);
			atomic_add(p->u.rp.nmissed, &stp_skipped_count);
		} else {
			unregister_kprobe(&p->u.kp);
		}
		p->registered = false;
	}
}

const struct stp_family_ops stp_kprobe_ops = {
	.name = "kprobe",
	.register_probes = stp_kprobe_register,
	.unregister_probes = stp_kprobe_unregister,
};
