// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timer.c - timer.s/ms/us/ns/hz/jiffies(N)[.randomize(M)]: one hrtimer
 * per probe.  The callback runs in hard interrupt context; an hrtimer
 * never runs concurrently with itself.
 */
#include <linux/hrtimer.h>
#include <linux/random.h>
#include <linux/ktime.h>
#include <asm/irq_regs.h>
#include "stp.h"

static u64 stp_timer_next(struct stp_timer *t)
{
	u64 ns = t->period_ns;

	if (t->randomize_ns) {
		u64 span = 2 * t->randomize_ns + 1;

		ns = ns - t->randomize_ns + get_random_u32() % span;
	}
	return ns;
}

static enum hrtimer_restart stp_timer_fire(struct hrtimer *timer)
{
	struct stp_timer *t = container_of(timer, struct stp_timer, timer);

	stp_run_probe(t->probe, get_irq_regs());
	if (atomic_read(&stp_session_state) != STP_SESSION_RUNNING)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(stp_timer_next(t)));
	return HRTIMER_RESTART;
}

static int stp_timer_register(void *probes, int n)
{
	struct stp_timer *timers = probes;
	int i;

	for (i = 0; i < n; i++) {
		struct stp_timer *t = &timers[i];

		hrtimer_init(&t->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
		t->timer.function = stp_timer_fire;
		hrtimer_start(&t->timer, ns_to_ktime(stp_timer_next(t)), HRTIMER_MODE_REL);
	}
	return 0;
}

static void stp_timer_unregister(void *probes, int n)
{
	struct stp_timer *timers = probes;
	int i;

	for (i = 0; i < n; i++)
		hrtimer_cancel(&timers[i].timer);
}

const struct stp_family_ops stp_timer_ops = {
	.name = "timer",
	.register_probes = stp_timer_register,
	.unregister_probes = stp_timer_unregister,
};
