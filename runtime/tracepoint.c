// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tracepoint.c - kernel.trace("system:event"): the translator's handler
 * for each probe (it knows the event's arguments) on a tracepoint found
 * by name.  Tracepoints call their probes with preemption disabled.
 *
 * A tracepoint of the core kernel is found at registration.  One that a
 * module defines (the translator names the module) is registered when
 * the tracepoints' module notifier says the module is there: at once
 * for a module already loaded (registering the notifier replays them),
 * or when it is loaded later; it is unregistered when the module goes,
 * before the kernel checks that nothing is left on its tracepoints.
 */
#include <linux/tracepoint.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/mutex.h>
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

/* ---- tracepoints of modules ---- */

/* the table the notifier works on, while it is registered */
static struct stp_tracepoint *stp_tp_table;
static int stp_tp_count;
static bool stp_tp_notifier_on;

/* mod's tracepoint of that name, or NULL; mod is COMING or LIVE */
static struct tracepoint *stp_module_tracepoint(struct module *mod, const char *name)
{
	unsigned int i;

	for (i = 0; i < mod->num_tracepoints; i++) {
		struct tracepoint *tp = tracepoint_ptr_deref(&mod->tracepoints_ptrs[i]);

		if (!strcmp(tp->name, name))
			return tp;
	}
	return NULL;
}

static void stp_tp_module_coming(struct module *mod)
{
	char msg[256];
	int i, rc;

	for (i = 0; i < stp_tp_count; i++) {
		struct stp_tracepoint *p = &stp_tp_table[i];

		if (!p->module || p->registered || strcmp(p->module, mod->name))
			continue;
		p->tp = stp_module_tracepoint(mod, p->name);
		rc = p->tp ? tracepoint_probe_register(p->tp, p->handler, p) : -ENOENT;
		if (!rc) {
			p->mod = mod;
			p->registered = true;
			continue;
		}
		if (p->optional)
			continue;
		/* the script runs on: its other probes are in place */
		snprintf(msg, sizeof(msg), "WARNING: cannot probe %s: %s (error %d)\n",
			 p->probe->pp, rc == -ENOENT ? "the module has no such tracepoint" :
			 "registration failed", rc);
		stp_send_text(STP_MSG_WARNING, msg);
	}
}

static void stp_tp_module_going(struct module *mod)
{
	bool any = false;
	int i;

	for (i = 0; i < stp_tp_count; i++) {
		struct stp_tracepoint *p = &stp_tp_table[i];

		if (!p->registered || p->mod != mod)
			continue;
		tracepoint_probe_unregister(p->tp, p->handler, p);
		p->registered = false;
		p->mod = NULL;
		any = true;
	}
	/* no handler may still be reading the going module's arguments */
	if (any)
		tracepoint_synchronize_unregister();
}

/* Called with the kernel's tracepoint module list locked: never concurrently. */
static int stp_tp_module_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct tp_module *tp_mod = data;

	if (state == MODULE_STATE_COMING)
		stp_tp_module_coming(tp_mod->mod);
	else if (state == MODULE_STATE_GOING)
		stp_tp_module_going(tp_mod->mod);
	return NOTIFY_OK;
}

static struct notifier_block stp_tp_module_nb = {
	.notifier_call = stp_tp_module_notify,
};

/* ---- registration ---- */

static void stp_tracepoint_unregister(void *probes, int n);

static int stp_tracepoint_register(void *probes, int n)
{
	struct stp_tracepoint *tps = probes;
	bool modules = false;
	int i, rc;

	for (i = 0; i < n; i++) {
		struct stp_tracepoint *p = &tps[i];

		if (p->module) {
			modules = true;
			continue;
		}
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
	if (!modules)
		return 0;
	stp_tp_table = tps;
	stp_tp_count = n;
	rc = register_tracepoint_module_notifier(&stp_tp_module_nb);
	if (rc) {
		stp_probe_failed(tps[0].probe, "cannot watch the modules' tracepoints", rc);
		stp_tracepoint_unregister(probes, n);
		return rc;
	}
	stp_tp_notifier_on = true;
	return 0;
}

static void stp_tracepoint_unregister(void *probes, int n)
{
	struct stp_tracepoint *tps = probes;
	bool any = false;
	int i;

	/* replays MODULE_STATE_GOING for every module: unregisters theirs */
	if (stp_tp_notifier_on) {
		unregister_tracepoint_module_notifier(&stp_tp_module_nb);
		stp_tp_notifier_on = false;
	}
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
