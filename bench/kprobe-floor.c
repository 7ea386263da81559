// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe-floor - the least a kprobe can cost: a module with an empty
 * handler, the floor that bench/probe-cost.sh compares stap's modules
 * with.
 *
 *	insmod kprobe-floor.ko [symbol=NAME] [ret=1] [tp=1] [ftrace=1] [fprobe=1]
 *
 * Puts a kprobe with an empty pre-handler on NAME (default
 * __x64_sys_getppid), or with ret=1 a kretprobe with an empty return
 * handler, or with tp=1 an empty probe on the raw_syscalls:sys_enter
 * tracepoint (which every system call then passes), or with ftrace=1 an
 * empty ftrace_ops callback (with all registers saved, as stap's entry
 * probes on ftrace sites use) on NAME, or with fprobe=1 an fprobe with
 * an empty entry handler (with ret=1 an empty exit handler instead) on
 * NAME, where the kernel exports fprobes (6.12's Debian kernels do, with
 * the handlers' 6.12 arguments; 6.1's do not).  rmmod removes it.
 * bench/probe-cost.sh builds it with kbuild against the VM kernel's
 * headers.
 */
#include <linux/module.h>
#include <linux/ftrace.h>
#include <linux/moduleparam.h>
#include <linux/kprobes.h>
#include <linux/tracepoint.h>
#include <linux/string.h>
#ifdef CONFIG_FPROBE
#include <linux/fprobe.h>
#endif

static char *symbol = "__x64_sys_getppid";
module_param(symbol, charp, 0444);
MODULE_PARM_DESC(symbol, "the function to probe");

static bool ret;
module_param(ret, bool, 0444);
MODULE_PARM_DESC(ret, "probe the function's return (a kretprobe)");

static bool tp;
module_param(tp, bool, 0444);
MODULE_PARM_DESC(tp, "probe the raw_syscalls:sys_enter tracepoint instead");

static bool ftrace;
module_param(ftrace, bool, 0444);
MODULE_PARM_DESC(ftrace, "an ftrace_ops callback on the function instead of a kprobe");

static bool fprobe;
module_param(fprobe, bool, 0444);
MODULE_PARM_DESC(fprobe, "an fprobe on the function instead (with ret=1: on its return)");

static struct tracepoint *floor_tp;

#ifdef CONFIG_FPROBE
static int floor_fprobe_entry(struct fprobe *fp, unsigned long entry_ip, unsigned long ret_ip,
			      struct pt_regs *regs, void *entry_data)
{
	return 0;
}

static void floor_fprobe_exit(struct fprobe *fp, unsigned long entry_ip, unsigned long ret_ip,
			      struct pt_regs *regs, void *entry_data)
{
}

static struct fprobe floor_fp;

/* an fprobe on symbol: its entry handler, or with ret its exit handler only */
static int floor_fprobe_register(void)
{
	const char *syms[] = { symbol };

	if (ret)
		floor_fp.exit_handler = floor_fprobe_exit;
	else
		floor_fp.entry_handler = floor_fprobe_entry;
	return register_fprobe_syms(&floor_fp, syms, 1);
}

static void floor_fprobe_unregister(void)
{
	unregister_fprobe(&floor_fp);
}
#else
static int floor_fprobe_register(void)
{
	return -EOPNOTSUPP;	/* the kernel has no fprobes for modules */
}

static void floor_fprobe_unregister(void)
{
}
#endif

static void notrace floor_ftrace_hit(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
}

static struct ftrace_ops floor_ops = {
	.func = floor_ftrace_hit,
	.flags = FTRACE_OPS_FL_SAVE_REGS,
};

static void floor_tp_probe(void *data, struct pt_regs *regs, long id)
{
}

static void floor_find_tp(struct tracepoint *t, void *priv)
{
	if (!strcmp(t->name, "sys_enter"))
		floor_tp = t;
}

static int floor_pre(struct kprobe *kp, struct pt_regs *regs)
{
	return 0;
}

static int floor_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static struct kprobe floor_kp = { .pre_handler = floor_pre };
static struct kretprobe floor_rp = { .handler = floor_ret };

static int __init floor_init(void)
{
	if (tp) {
		for_each_kernel_tracepoint(floor_find_tp, NULL);
		if (!floor_tp)
			return -ENOENT;
		return tracepoint_probe_register(floor_tp, floor_tp_probe, NULL);
	}
	if (fprobe)
		return floor_fprobe_register();
	if (ftrace) {
		/*
		 * The function's address, from a kprobe that is never armed:
		 * ftrace's filter by name knows only one name per address
		 * (__do_sys_getppid), which may not be the one asked for.
		 */
		struct kprobe kp = { .symbol_name = symbol, .flags = KPROBE_FLAG_DISABLED };
		int rc = register_kprobe(&kp);

		if (rc)
			return rc;
		unregister_kprobe(&kp);
		rc = ftrace_set_filter_ip(&floor_ops, (unsigned long)kp.addr, 0, 1);
		if (rc)
			return rc;
		rc = register_ftrace_function(&floor_ops);
		if (rc)
			ftrace_free_filter(&floor_ops);
		return rc;
	}
	if (ret) {
		floor_rp.kp.symbol_name = symbol;
		return register_kretprobe(&floor_rp);
	}
	floor_kp.symbol_name = symbol;
	return register_kprobe(&floor_kp);
}

static void __exit floor_exit(void)
{
	if (tp) {
		tracepoint_probe_unregister(floor_tp, floor_tp_probe, NULL);
		tracepoint_synchronize_unregister();
	} else if (fprobe) {
		floor_fprobe_unregister();
	} else if (ftrace) {
		unregister_ftrace_function(&floor_ops);
		ftrace_free_filter(&floor_ops);
	} else if (ret)
		unregister_kretprobe(&floor_rp);
	else
		unregister_kprobe(&floor_kp);
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("an empty kprobe, kretprobe, ftrace callback, fprobe or tracepoint probe: the floor of probe cost");
