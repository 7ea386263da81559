// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tracepoint.c - kernel.trace("system:event"): the translator's handler
 * for each probe (it knows the event's arguments) on the core kernel's
 * tracepoints, found by name.  Tracepoints call their probes with
 * preemption disabled.  Tracepoints of modules are not searched.
 */
#include <linux/tracepoint.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include "stp.h"

struct stp_tp_search {
	const char *name;
	struct tracepoint *found;
};

static void stp_tp_match(struct tracepoint *tp, void *priv)
{
	struct stp_tp_search *s = priv;

	if (!s->found && !strcmp(tp->name, s->name))
		s->found = tp;
}

/* The core kernel's tracepoint of that name, or NULL (process.c uses it too). */
struct tracepoint *stp_find_tracepoint(const char *name)
{
	struct stp_tp_search s = { .name = name };

	for_each_kernel_tracepoint(stp_tp_match, &s);
	return s.found;
}

static void stp_tracepoint_unregister(void *probes, int n);

static int stp_tracepoint_register(void *probes, int n)
{
	struct stp_tracepoint *tps = probes;
	int i, rc;

	for (i = 0; i < n; i++) {
		struct stp_tracepoint *p = &tps[i];
		p->tp = stp_find_tracepoint(p->name);
		rc = p->tp ? tracepoint_probe_register(p->tp, p->handler, p) : -ENOENT;
		if (!rc) {
			p->registered = true;
			continue;
		}
		if (p->optional)
			continue;
		stp_probe_failed(p->probe, rc == -ENOENT ? "no such tracepoint in this kernel" :
				 "registration failed", rc);
		stp_tracepoint_unregister(probes, i);
		return rc;
	}
	return 0;
}

static void stp_tracepoint_unregister(void *probes, int n)
{
	struct stp_tracepoint *tps = probes;
	bool any = false;
	int i;

	for (i = 0; i < n; i++) {
		struct stp_tracepoint *p = &tps[i];

		if (!p->registered)
			continue;
		tracepoint_probe_unregister(p->tp, p->handler, p);
		p->registered = false;
		any = true;
	}
	/* no handler may still be running when the module goes */
	if (any)
		tracepoint_synchronize_unregister();
}

const struct stp_family_ops stp_tracepoint_ops = {
	.name = "tracepoint",
	.register_probes = stp_tracepoint_register,
	.unregister_probes = stp_tracepoint_unregister,
};
