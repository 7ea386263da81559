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
#include <linux/percpu.h>
#include "stp.h"

static int stp_kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct stp_kprobe *p = container_of(kp, struct stp_kprobe, u.kp);

	stp_run_probe(p->probe, regs);
	return 0;
}

/*
 * The entry registers of the kretprobe instance whose return handler runs
 * on this CPU: a .return probe reads its function's parameters in them.
 * Handlers run with preemption disabled, so a per-CPU pointer is enough.
 */
static DEFINE_PER_CPU(struct pt_regs *, stp_entry_regs);
/* and its @entry slots, after the registers in the instance's data */
static DEFINE_PER_CPU(s64 *, stp_entry_slots);

static s64 *stp_slots_of(struct kretprobe_instance *ri)
{
	return (s64 *)(ri->data + sizeof(struct pt_regs));
}

/*
 * Keeps the registers; with @entry, runs the entry probe, which fills the
 * slots (its STP_ENTRY_REG reads the live registers).
 */
static int stp_kretprobe_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct stp_kprobe *p = container_of(get_kretprobe(ri), struct stp_kprobe, u.rp);

	memcpy(ri->data, regs, sizeof(*regs));
	if (!p->entry_probe)
		return 0;
	memset(stp_slots_of(ri), 0, p->nslots * sizeof(s64));
	this_cpu_write(stp_entry_regs, regs);
	this_cpu_write(stp_entry_slots, stp_slots_of(ri));
	stp_run_probe(p->entry_probe, regs);
	this_cpu_write(stp_entry_regs, NULL);
	this_cpu_write(stp_entry_slots, NULL);
	return 0;
}

static int stp_kretprobe_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct stp_kprobe *p = container_of(get_kretprobe(ri), struct stp_kprobe, u.rp);

	if (p->save_entry) {
		this_cpu_write(stp_entry_regs, (struct pt_regs *)ri->data);
		this_cpu_write(stp_entry_slots, stp_slots_of(ri));
	}
	stp_run_probe(p->probe, regs);
	this_cpu_write(stp_entry_regs, NULL);
	this_cpu_write(stp_entry_slots, NULL);
	return 0;
}

u64 stp_entry_slot_addr(struct stp_context *c, int k)
{
	s64 *slots = this_cpu_read(stp_entry_slots);

	if (!slots) {
		stp_error(c, "no @entry values in this probe", NULL);
		return 0;
	}
	return (u64)(unsigned long)&slots[k];
}

s64 stp_entry_slot(struct stp_context *c, int k)
{
	s64 *slots = this_cpu_read(stp_entry_slots);

	if (!slots) {
		stp_error(c, "no @entry values in this probe", NULL);
		return 0;
	}
	return slots[k];
}

u64 stp_entry_reg(struct stp_context *c, int n)
{
	struct pt_regs *entry = this_cpu_read(stp_entry_regs);
	struct pt_regs *now = c->regs;
	u64 v;

	if (!entry) {
		stp_error(c, "no entry registers in this probe", NULL);
		return 0;
	}
	c->regs = entry;
	v = stp_dwarf_reg(c, n);
	c->regs = now;
	return v;
}

static int stp_kprobe_register_one(struct stp_kprobe *p)
{
	if (p->is_return) {
		memset(&p->u.rp, 0, sizeof(p->u.rp));
		p->u.rp.kp.symbol_name = p->symbol;
		p->u.rp.kp.offset = p->offset;
		p->u.rp.handler = stp_kretprobe_ret;
		p->u.rp.maxactive = p->maxactive;
		if (p->save_entry) {
			p->u.rp.entry_handler = stp_kretprobe_entry;
			p->u.rp.data_size = sizeof(struct pt_regs) + p->nslots * sizeof(s64);
		}
		return register_kretprobe(&p->u.rp);
	}
	memset(&p->u.kp, 0, sizeof(p->u.kp));
	if (p->symbol) {
		p->u.kp.symbol_name = p->symbol;
		p->u.kp.offset = p->offset;
	} else {
		p->u.kp.addr = (kprobe_opcode_t *)p->addr;
	}
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
		rc = stp_kprobe_register_one(p);
		if (!rc) {
			p->registered = true;
			continue;
		}
		if (p->optional)
			continue;
		stp_probe_failed(p->probe, !p->symbol && (rc == -ENOENT || rc == -EINVAL) ?
				 "not an instruction in the kernel's text" : stp_errno_text(rc), rc);
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
