// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timing.c - stap -t: each probe's hits and the cycles its handler took,
 * counted per CPU by stp_run_probe (stp_time_probe) and printed when the
 * script stops, after the end probes, as SystemTap prints them:
 *
 *   ----- probe hit report:
 *   begin, (<input>:1:1), hits: 1, cycles: 302min/302avg/302max, variance: 0, from: begin, index: 0
 *
 * A module built without -t has none of this: the translator points
 * stp_script.timing at stp_timing_ops only with -t.
 */
#include <linux/percpu.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include "stp.h"

static int stp_timing_init(void)
{
	stp_probe_times = __alloc_percpu(sizeof(struct stp_probe_time) * stp_script.nprobes,
					 __alignof__(struct stp_probe_time));
	return stp_probe_times ? 0 : -ENOMEM;
}

static void stp_timing_exit(void)
{
	free_percpu(stp_probe_times);
	stp_probe_times = NULL;
}

/* Probe i's counts, all CPUs together. */
static void stp_timing_sum(int i, struct stp_probe_time *all)
{
	int cpu;

	memset(all, 0, sizeof(*all));
	for_each_possible_cpu(cpu) {
		const struct stp_probe_time *t = per_cpu_ptr(stp_probe_times, cpu) + i;

		if (!t->hits)
			continue;
		if (!all->hits || t->min < all->min)
			all->min = t->min;
		if (t->max > all->max)
			all->max = t->max;
		all->hits += t->hits;
		all->sum += t->sum;
		all->sumsq += t->sumsq;
	}
}

/*
 * The sample variance of the cycles, in integers: (sumsq - n avg^2) / (n - 1),
 * with avg truncated as the report prints it.  sumsq wraps past 2^64 (a
 * million hits of four million cycles): -t is for short measurements.
 */
static u64 stp_timing_variance(const struct stp_probe_time *t, u64 avg)
{
	u64 mean_sq = avg * t->sum;

	if (t->hits < 2 || t->sumsq < mean_sq)
		return 0;
	return div64_u64(t->sumsq - mean_sq, t->hits - 1);
}

static void stp_timing_report(void)
{
	char line[512];
	int i;

	stp_send_text(STP_MSG_OUTPUT, "----- probe hit report: \n");
	for (i = 0; i < stp_script.nprobes; i++) {
		const struct stp_probe *p = &stp_script.probes[i];
		struct stp_probe_time all;
		u64 avg;

		stp_timing_sum(i, &all);
		if (!all.hits)
			continue;
		avg = div64_u64(all.sum, all.hits);
		snprintf(line, sizeof(line), "%s, (%s), hits: %llu, cycles: %llumin/%lluavg/%llumax, "
			 "variance: %llu,%s, index: %d\n", p->pp, p->loc, all.hits, all.min, avg,
			 all.max, stp_timing_variance(&all, avg), stp_script.probe_from[i], i);
		stp_send_text(STP_MSG_OUTPUT, line);
	}
}

const struct stp_timing_ops stp_timing_ops = {
	.init = stp_timing_init,
	.report = stp_timing_report,
	.exit = stp_timing_exit,
};
