// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netfilter.c - netfilter.hook("HOOK").pf("PF"): one netfilter hook per
 * probe, in every network namespace, whose verdict is the probe's
 * $verdict (NF_ACCEPT unless a guru-mode script set it).
 *
 * The hooks are registered per namespace (nf_register_net_hook) by a
 * pernet_operations: in every namespace that exists when the script
 * starts, and in each one created while it runs.  A namespace made later
 * whose hooks cannot be registered is left without them (failing its
 * creation would break the system for a tracing script); a failure when
 * the script starts is the script's error.
 *
 * A hook runs in softirq context (received packets) or in the sending
 * task with bottom halves enabled, so a hook may be interrupted by
 * another on the same CPU: the packet of the probe in progress is kept
 * in a per-CPU pointer that each hook sets and puts back (the target
 * variables read it through stp_nf_var and friends).
 */
#include <linux/netfilter.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "stp.h"

/* The packet a hook was given and the verdict it will return. */
struct stp_nf_hit {
	struct sk_buff *skb;
	const struct nf_hook_state *state;
	unsigned int verdict;
};

static DEFINE_PER_CPU(struct stp_nf_hit *, stp_nf_hits);

/* The registered table, for the namespaces' init and exit. */
static struct stp_netfilter *stp_nf_table;
static int stp_nf_count;
static bool stp_nf_starting;	/* register_pernet_subsys is running */
static unsigned int stp_nf_net_id;

/* What each namespace holds: all of the table's hooks, or none. */
struct stp_nf_net {
	bool registered;
};

static unsigned int stp_nf_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct stp_netfilter *nf = priv;
	struct stp_nf_hit hit = { .skb = skb, .state = state, .verdict = NF_ACCEPT };
	struct stp_nf_hit *outer;

	preempt_disable();
	outer = this_cpu_read(stp_nf_hits);
	this_cpu_write(stp_nf_hits, &hit);
	stp_run_probe(nf->probe, NULL);
	this_cpu_write(stp_nf_hits, outer);
	preempt_enable();
	return hit.verdict;
}

/* The hit in progress, or NULL (and an error) outside a netfilter probe. */
static struct stp_nf_hit *stp_nf_current(struct stp_context *c)
{
	struct stp_nf_hit *hit = this_cpu_read(stp_nf_hits);

	if (!hit)
		stp_error(c, "no netfilter packet in this probe", NULL);
	return hit;
}

s64 stp_nf_var(struct stp_context *c, int var)
{
	struct stp_nf_hit *hit = stp_nf_current(c);

	if (!hit)
		return 0;
	switch (var) {
	case STP_NF_HOOKNUM:
		return hit->state->hook;
	case STP_NF_SKB:
		return (unsigned long)hit->skb;
	case STP_NF_IN:
		return (unsigned long)hit->state->in;
	case STP_NF_OUT:
		return (unsigned long)hit->state->out;
	case STP_NF_OKFN:
		return (unsigned long)hit->state->okfn;
	case STP_NF_VERDICT:
		return hit->verdict;
	default:
		return 0;
	}
}

u64 stp_nf_verdict_addr(struct stp_context *c)
{
	struct stp_nf_hit *hit = stp_nf_current(c);

	return hit ? (unsigned long)&hit->verdict : 0;
}

/* The name of the input (or output) device, "" when there is none. */
const char *stp_nf_devname(struct stp_context *c, bool out)
{
	struct stp_nf_hit *hit = stp_nf_current(c);
	const struct net_device *dev;

	if (!hit)
		return "";
	dev = out ? hit->state->out : hit->state->in;
	return dev ? dev->name : "";
}

static void stp_nf_unregister_net(struct net *net, int n)
{
	while (--n >= 0)
		nf_unregister_net_hook(net, stp_nf_table[n].ops);
}

static int stp_nf_net_init(struct net *net)
{
	struct stp_nf_net *sn = net_generic(net, stp_nf_net_id);
	int i, rc;

	for (i = 0; i < stp_nf_count; i++) {
		rc = nf_register_net_hook(net, stp_nf_table[i].ops);
		if (rc)
			goto fail;
	}
	sn->registered = true;
	return 0;
fail:
	stp_nf_unregister_net(net, i);
	if (!stp_nf_starting)
		return 0;	/* a namespace made later: it goes without */
	stp_probe_failed(stp_nf_table[i].probe, "cannot register the netfilter hook", rc);
	return rc;
}

static void stp_nf_net_exit(struct net *net)
{
	struct stp_nf_net *sn = net_generic(net, stp_nf_net_id);

	if (sn->registered)
		stp_nf_unregister_net(net, stp_nf_count);
	sn->registered = false;
}

static struct pernet_operations stp_nf_net_ops = {
	.init = stp_nf_net_init,
	.exit = stp_nf_net_exit,
	.id = &stp_nf_net_id,
	.size = sizeof(struct stp_nf_net),
};

static void stp_nf_free_ops(struct stp_netfilter *nfs, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		kfree(nfs[i].ops);
		nfs[i].ops = NULL;
	}
}

static int stp_nf_register(void *probes, int n)
{
	struct stp_netfilter *nfs = probes;
	int i, rc;

	for (i = 0; i < n; i++) {
		struct nf_hook_ops *ops = kzalloc(sizeof(*ops), GFP_KERNEL);

		if (!ops) {
			stp_nf_free_ops(nfs, i);
			return -ENOMEM;
		}
		ops->hook = stp_nf_hook;
		ops->priv = &nfs[i];
		ops->pf = nfs[i].pf;
		ops->hooknum = nfs[i].hooknum;
		ops->priority = nfs[i].priority;
		nfs[i].ops = ops;
	}
	stp_nf_table = nfs;
	stp_nf_count = n;
	stp_nf_starting = true;
	rc = register_pernet_subsys(&stp_nf_net_ops);
	stp_nf_starting = false;
	if (rc) {
		stp_nf_free_ops(nfs, n);
		stp_nf_table = NULL;
		stp_nf_count = 0;
	}
	return rc;
}

static void stp_nf_unregister(void *probes, int n)
{
	if (!stp_nf_table)
		return;
	unregister_pernet_subsys(&stp_nf_net_ops);
	/* hooks run under rcu_read_lock: wait for the ones in progress */
	synchronize_net();
	stp_nf_free_ops(probes, n);
	stp_nf_table = NULL;
	stp_nf_count = 0;
}

const struct stp_family_ops stp_netfilter_ops = {
	.name = "netfilter",
	.register_probes = stp_nf_register,
	.unregister_probes = stp_nf_unregister,
};
