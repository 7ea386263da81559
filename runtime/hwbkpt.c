// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hwbkpt.c - kernel.data(ADDRESS) and kernel.data("SYMBOL"), .write or
 * .rw: a hardware watchpoint on every CPU (register_wide_hw_breakpoint),
 * whose handler runs the probe after each access, in the debug
 * exception, with the registers of the instruction that made it.
 *
 * The address is the translator's (checked there: a kernel address,
 * aligned to the length), a symbol of the kernel image relocated as @var
 * is (stp_kaslr), or a module's symbol, looked up where the module is
 * loaded when the script starts.  The CPU has few debug registers (4 on
 * x86), shared with debuggers and perf: when none is free the kernel says
 * so (-ENOSPC) and the script does not start.
 */
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <linux/err.h>
#include "stp.h"

static void stp_hwbkpt_hit(struct perf_event *bp, struct perf_sample_data *data,
			   struct pt_regs *regs)
{
	struct stp_hwbkpt *w = bp->overflow_handler_context;

	stp_run_probe(w->probe, regs);
}

static const char *stp_hwbkpt_errno_text(long rc)
{
	switch (rc) {
	case -ENOSPC:
	case -EBUSY:
		return "no free debug register (x86 has 4, shared with debuggers and perf)";
	case -EINVAL:
		return "the CPU cannot watch that address and length";
	case -ENOENT:
		return "no such symbol in the loaded module";
	case -ENODEV:
		return "the module is not loaded";
	default:
		return "cannot set the watchpoint";
	}
}

/* Where w watches now: its address, relocated, or its module's symbol's. */
static long stp_hwbkpt_address(struct stp_hwbkpt *w, u64 *addr)
{
	if (w->module)
		return stp_kmod_lookup(w->module, w->symbol, addr);
	*addr = w->kaslr ? stp_kaslr(w->addr) : w->addr;
	return 0;
}

static long stp_hwbkpt_create(struct stp_hwbkpt *w)
{
	struct perf_event_attr attr;
	struct perf_event * __percpu *events;
	u64 addr;
	long rc = stp_hwbkpt_address(w, &addr);

	if (rc)
		return rc;
	hw_breakpoint_init(&attr);
	attr.bp_addr = addr;
	attr.bp_len = w->len;	/* HW_BREAKPOINT_LEN_N is N */
	attr.bp_type = w->rw ? HW_BREAKPOINT_RW : HW_BREAKPOINT_W;
	events = register_wide_hw_breakpoint(&attr, stp_hwbkpt_hit, w);
	if (IS_ERR((void __force *)events))
		return PTR_ERR((void __force *)events);
	w->events = events;
	return 0;
}

static void stp_hwbkpt_unregister(void *probes, int n);

static int stp_hwbkpt_register(void *probes, int n)
{
	struct stp_hwbkpt *ws = probes;
	int i;

	for (i = 0; i < n; i++) {
		long rc = stp_hwbkpt_create(&ws[i]);

		if (!rc || ws[i].optional)
			continue;
		stp_probe_failed(ws[i].probe, stp_hwbkpt_errno_text(rc), rc);
		stp_hwbkpt_unregister(probes, i);
		return rc;
	}
	return 0;
}

/* Unregistering waits out a handler running on another CPU (perf's IPI). */
static void stp_hwbkpt_unregister(void *probes, int n)
{
	struct stp_hwbkpt *ws = probes;
	int i;

	for (i = 0; i < n; i++) {
		if (ws[i].events)
			unregister_wide_hw_breakpoint(ws[i].events);
		ws[i].events = NULL;
	}
}

const struct stp_family_ops stp_hwbkpt_ops = {
	.name = "hwbkpt",
	.register_probes = stp_hwbkpt_register,
	.unregister_probes = stp_hwbkpt_unregister,
};
