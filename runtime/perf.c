// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perf.c - perf.sw.*, perf.hw.* and perf.type(T).config(C): one kernel
 * perf counter per online CPU, counting for the whole CPU, whose overflow
 * handler runs the probe every .sample(N) counts.
 *
 * Software events overflow in the context that counted them (a page
 * fault, the scheduler, the cpu_clock hrtimer); hardware events overflow
 * in NMI context, which the runtime handles (the transport refuses to
 * nest inside an interrupted writer).  CPUs brought online after the
 * script started are not counted.
 */
#include <linux/perf_event.h>
#include <linux/slab.h>
#include <linux/cpu.h>
#include <linux/err.h>
#include "stp.h"

static void stp_perf_overflow(struct perf_event *event, struct perf_sample_data *data,
			      struct pt_regs *regs)
{
	struct stp_perf *p = event->overflow_handler_context;

	stp_run_probe(p->probe, regs);
}

static const char *stp_perf_errno_text(long rc)
{
	switch (rc) {
	case -ENOENT:
	case -EOPNOTSUPP:
	case -EINVAL:
		return "this kernel or CPU has no such event";
	case -EACCES:
	case -EPERM:
		return "not permitted";
	case -EBUSY:
		return "the counter is in use";
	default:
		return "cannot create the counter";
	}
}

static void stp_perf_release(struct stp_perf *p)
{
	int cpu;

	if (!p->events)
		return;
	for_each_possible_cpu(cpu)
		if (p->events[cpu])
			perf_event_release_kernel(p->events[cpu]);
	kfree(p->events);
	p->events = NULL;
}

static long stp_perf_create(struct stp_perf *p)
{
	struct perf_event_attr attr = {
		.type = p->type,
		.size = sizeof(attr),
		.config = p->config,
		.sample_period = p->period,
		.freq = p->freq,
		.pinned = 1,
	};
	int cpu;

	p->events = kcalloc(nr_cpu_ids, sizeof(*p->events), GFP_KERNEL);
	if (!p->events)
		return -ENOMEM;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct perf_event *e;

		e = perf_event_create_kernel_counter(&attr, cpu, NULL, stp_perf_overflow, p);
		if (IS_ERR(e)) {
			cpus_read_unlock();
			stp_perf_release(p);
			return PTR_ERR(e);
		}
		p->events[cpu] = e;
	}
	cpus_read_unlock();
	return 0;
}

static void stp_perf_unregister(void *probes, int n);

static int stp_perf_register(void *probes, int n)
{
	struct stp_perf *ps = probes;
	int i;

	for (i = 0; i < n; i++) {
		struct stp_perf *p = &ps[i];
		long rc = stp_perf_create(p);

		if (!rc || p->optional)
			continue;
		stp_probe_failed(p->probe, stp_perf_errno_text(rc), rc);
		stp_perf_unregister(probes, i);
		return rc;
	}
	return 0;
}

static void stp_perf_unregister(void *probes, int n)
{
	struct stp_perf *ps = probes;
	int i;

	for (i = 0; i < n; i++)
		stp_perf_release(&ps[i]);
}

const struct stp_family_ops stp_perf_ops = {
	.name = "perf",
	.register_probes = stp_perf_register,
	.unregister_probes = stp_perf_unregister,
};
