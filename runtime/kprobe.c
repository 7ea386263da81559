// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe.c - probes on kernel code: kprobe.function("name") and
 * kernel.function(...) entries, .return probes (kretprobes), and
 * statements.
 *
 * A probe on a function's first instruction, where ftrace has its call
 * site, is run by our own ftrace_ops instead of a kprobe (see
 * stp_ftrace_hit); a .return probe there replaces the return address
 * itself (see stp_ret_enter).  Everything else is a kprobe or a
 * kretprobe.  A return that finds no free slot or kretprobe instance is
 * "missed" and counted as a skipped probe.  An optional probe (?) that cannot be registered is
 * skipped; any other registration failure stops the script, naming the
 * function.
 */
#include <linux/kprobes.h>
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/percpu.h>
#include <linux/version.h>
#include "stp.h"

/*
 * The registers as SystemTap shows them to a probe: the instruction
 * pointer at the probed address (addr()), not past the breakpoint as
 * kprobes leave it; put back before kprobes goes on.
 */
static int stp_kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct stp_kprobe *p = container_of(kp, struct stp_kprobe, u.kp);
	unsigned long saved_ip = instruction_pointer(regs);

	instruction_pointer_set(regs, (unsigned long)kp->addr);
	stp_run_probe(p->probe, regs);
	instruction_pointer_set(regs, saved_ip);
	return 0;
}

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
	stp_run_with_entry(p->entry_probe, regs, regs, stp_slots_of(ri));
	return 0;
}

static int stp_kretprobe_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct stp_kprobe *p = container_of(get_kretprobe(ri), struct stp_kprobe, u.rp);

	if (!p->save_entry) {
		stp_run_probe(p->probe, regs);
		return 0;
	}
	stp_run_with_entry(p->probe, regs, (struct pt_regs *)ri->data, stp_slots_of(ri));
	return 0;
}

/*
 * ---- entry probes on ftrace sites ----
 * A kprobe on a function's ftrace site already runs from ftrace, but
 * through kprobe_ftrace_handler and get_kprobe: about 90 instructions per
 * hit before our handler starts, more than our whole handler for `n++`
 * (doc/performance.md).  So such probes get one ftrace_ops per table whose
 * callback finds its probes by address.  Each still registers a kprobe,
 * disabled: the kernel then resolves the symbol, refuses what must not
 * be probed (the kprobe blocklist, __init code, not a function start),
 * and says whether the address is an ftrace site.  Functions of modules
 * keep their kprobe: kprobes follow a module's unloading, an ftrace
 * filter does not.
 */
#if STP_USE_FTRACE

struct stp_ftrace_group {
	struct ftrace_ops ops;
	void *table;			/* the stp_kprobe array it serves ... */
	int table_n;			/* ... of this many */
	int n;
	unsigned long *ips;		/* sorted; a function probed twice appears twice */
	struct stp_kprobe **probes;	/* probes[i] is at ips[i] */
	bool has_returns;		/* uses the return slots (stp_ret_start) */
};

/* one per table of stp_kprobe (the kprobe and the dwarf families) */
static struct stp_ftrace_group *stp_ftrace_groups[4];

static void notrace stp_ftrace_hit(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct stp_ftrace_group *g = container_of(ops, struct stp_ftrace_group, ops);
	struct pt_regs *regs = ftrace_get_regs(fregs);
	unsigned long saved_ip;
	int lo = 0, hi = g->n;

	if (unlikely(!regs))
		return;
	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (g->ips[mid] < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* as stp_kprobe_pre shows a kprobe's: the instruction pointer at ip */
	saved_ip = instruction_pointer(regs);
	instruction_pointer_set(regs, ip);
	for (; lo < g->n && g->ips[lo] == ip; lo++) {
		struct stp_kprobe *p = g->probes[lo];

		if (p->is_return)
			stp_ret_enter(p, regs);
		else
			stp_run_probe(p->probe, regs);
	}
	instruction_pointer_set(regs, saved_ip);
}

/* A disabled kprobe's address that our ftrace_ops can take instead. */
static bool stp_ftrace_candidate(struct stp_kprobe *p)
{
	char sym[KSYM_SYMBOL_LEN];

	if (p->uses_rp || !p->symbol || !(p->u.kp.flags & KPROBE_FLAG_FTRACE))
		return false;
	sprint_symbol(sym, (unsigned long)p->u.kp.addr);
	return !strchr(sym, '[');	/* "name+0x0/0x90 [module]" */
}

static int stp_cmp_probe_addr(const void *a, const void *b)
{
	unsigned long x = (unsigned long)(*(struct stp_kprobe * const *)a)->u.kp.addr;
	unsigned long y = (unsigned long)(*(struct stp_kprobe * const *)b)->u.kp.addr;

	return x < y ? -1 : x > y;
}

static void stp_ftrace_free(struct stp_ftrace_group *g)
{
	kfree(g->ips);
	kfree(g->probes);
	kfree(g);
}

/*
 * Moves the table's candidates from their disabled kprobes to one
 * ftrace_ops.  Returns false when it cannot: the caller then enables
 * their kprobes.
 */
static bool stp_ftrace_start(struct stp_kprobe *kps, int n)
{
	struct stp_ftrace_group *g = NULL;
	bool returns = false;
	int i, m = 0, slot;

	for (slot = 0; slot < ARRAY_SIZE(stp_ftrace_groups) && stp_ftrace_groups[slot]; slot++)
		;
	if (slot == ARRAY_SIZE(stp_ftrace_groups))
		return false;
	for (i = 0; i < n; i++) {
		/* the caller makes those left out kretprobes */
		if (kps[i].is_return && kps[i].save_entry && kps[i].nslots > STP_RET_ENTRY_SLOTS)
			kps[i].on_ftrace = false;
		returns |= kps[i].on_ftrace && kps[i].is_return;
	}
	if (returns && !stp_ret_start()) {
		returns = false;
		for (i = 0; i < n; i++)
			if (kps[i].is_return)
				kps[i].on_ftrace = false;
	}
	for (i = 0; i < n; i++)
		m += kps[i].on_ftrace;
	if (!m)
		return false;
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		goto fail;
	g->has_returns = returns;
	g->ips = kcalloc(m, sizeof(*g->ips), GFP_KERNEL);
	g->probes = kcalloc(m, sizeof(*g->probes), GFP_KERNEL);
	if (!g->ips || !g->probes)
		goto fail;
	for (i = 0; i < n; i++)
		if (kps[i].on_ftrace)
			g->probes[g->n++] = &kps[i];
	sort(g->probes, m, sizeof(*g->probes), stp_cmp_probe_addr, NULL);
	for (i = 0; i < m; i++)
		g->ips[i] = (unsigned long)g->probes[i]->u.kp.addr;
	g->table = kps;
	g->table_n = n;
	g->ops.func = stp_ftrace_hit;
	g->ops.flags = FTRACE_OPS_FL_SAVE_REGS;
	if (ftrace_set_filter_ips(&g->ops, g->ips, m, 0, 1))
		goto fail;
	if (register_ftrace_function(&g->ops)) {
		ftrace_free_filter(&g->ops);
		goto fail;
	}
	stp_ftrace_groups[slot] = g;
	return true;
fail:
	if (returns)
		stp_ret_stop(kps, n);
	if (g)
		stp_ftrace_free(g);
	for (i = 0; i < n; i++)
		kps[i].on_ftrace = false;
	return false;
}

static void stp_ftrace_stop(void *table)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(stp_ftrace_groups); i++) {
		struct stp_ftrace_group *g = stp_ftrace_groups[i];

		if (!g || g->table != table)
			continue;
		/* waits until no CPU runs stp_ftrace_hit for it */
		unregister_ftrace_function(&g->ops);
		ftrace_free_filter(&g->ops);
		if (g->has_returns)
			stp_ret_stop(g->table, g->table_n);
		stp_ftrace_free(g);
		stp_ftrace_groups[i] = NULL;
	}
}
#else

static bool stp_ftrace_candidate(struct stp_kprobe *p)
{
	return false;
}

static bool stp_ftrace_start(struct stp_kprobe *kps, int n)
{
	return false;
}

static void stp_ftrace_stop(void *table)
{
}
#endif

/*
 * A .return probe starts as a disabled kprobe, like an entry probe, and
 * becomes a kretprobe unless our ftrace_ops takes it.
 */
static bool stp_kprobe_wants_rp(struct stp_kprobe *p)
{
	return p->is_return && (!STP_USE_FTRACE || !p->symbol || p->offset);
}

static int stp_kprobe_register_one(struct stp_kprobe *p)
{
	if (p->uses_rp) {
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
	/* disabled until we know whether ftrace can run it (stp_ftrace_start) */
	p->u.kp.flags = KPROBE_FLAG_DISABLED;
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

/* Makes a registered, disabled kprobe fire: enabled, or a kretprobe for a .return. */
static int stp_kprobe_arm(struct stp_kprobe *p)
{
	int rc;

	if (!p->is_return)
		return enable_kprobe(&p->u.kp);
	unregister_kprobe(&p->u.kp);
	p->uses_rp = true;
	rc = stp_kprobe_register_one(p);
	p->registered = !rc;
	return rc;
}

static int stp_kprobe_register(void *probes, int n)
{
	struct stp_kprobe *kps = probes;
	int i, rc;

	for (i = 0; i < n; i++) {
		struct stp_kprobe *p = &kps[i];

		p->uses_rp = stp_kprobe_wants_rp(p);
		atomic_set(&p->inflight, 0);
		rc = stp_kprobe_register_one(p);
		if (!rc) {
			p->registered = true;
			p->on_ftrace = stp_ftrace_candidate(p);
			if (!p->uses_rp && !p->on_ftrace)
				rc = stp_kprobe_arm(p);
			if (!rc)
				continue;
		}
		if (p->optional)
			continue;
		stp_probe_failed(p->probe, !p->symbol && (rc == -ENOENT || rc == -EINVAL) ?
				 "not an instruction in the kernel's text" : stp_errno_text(rc), rc);
		stp_kprobe_unregister(probes, i + 1);
		return rc;
	}
	stp_ftrace_start(kps, n);
	for (i = 0; i < n; i++) {
		/* an optional probe that did not register (its module is not loaded) stays out */
		if (!kps[i].registered || kps[i].on_ftrace || kps[i].uses_rp)
			continue;
		rc = stp_kprobe_arm(&kps[i]);
		if (rc) {
			stp_probe_failed(kps[i].probe, stp_errno_text(rc), rc);
			stp_kprobe_unregister(probes, n);
			return rc;
		}
	}
	return 0;
}

static void stp_kprobe_unregister(void *probes, int n)
{
	struct stp_kprobe *kps = probes;
	int i;

	stp_ftrace_stop(probes);
	for (i = 0; i < n; i++) {
		struct stp_kprobe *p = &kps[i];

		p->on_ftrace = false;
		if (!p->registered)
			continue;
		if (p->uses_rp) {
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
