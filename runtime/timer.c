// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timer.c - timer.s/ms/us/ns/hz/jiffies(N)[.randomize(M)]: one hrtimer
 * per probe.  The callback runs in hard interrupt context (_HARD: a
 * PREEMPT_RT kernel would otherwise run it in its ktimers thread, and
 * timer.profile would sample that thread); an hrtimer never runs
 * concurrently with itself.
 */
#include <linux/hrtimer.h>
#include <linux/random.h>
#include <linux/ktime.h>
#include <asm/irq_regs.h>
#include "stp.h"

/* A CLOCK_MONOTONIC hrtimer that calls fn: hrtimer_setup() since 6.13. */
static void stp_hrtimer_setup(struct hrtimer *timer,
			      enum hrtimer_restart (*fn)(struct hrtimer *),
			      enum hrtimer_mode mode)
{
#ifdef STP_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, CLOCK_MONOTONIC, mode);
#else
	hrtimer_init(timer, CLOCK_MONOTONIC, mode);
	timer->function = fn;
#endif
}

static u64 stp_timer_next(struct stp_timer *t)
{
	u64 ns = t->period_ns;

	if (t->randomize_ns) {
		u64 span = 2 * t->randomize_ns + 1;

		ns = ns - t->randomize_ns + get_random_u64() % span;
	}
	return ns;
}

/*
 * Timers are armed while the session is still starting (the families after
 * them may take long to register: kprobes do): a tick then runs no probe,
 * but must not stop the timer for good.
 */
static bool stp_timer_rearm(void)
{
	int state = atomic_read(&stp_session_state);

	return state == STP_SESSION_STARTING || state == STP_SESSION_RUNNING;
}

static enum hrtimer_restart stp_timer_fire(struct hrtimer *timer)
{
	struct stp_timer *t = container_of(timer, struct stp_timer, timer);

	stp_run_probe(t->probe, get_irq_regs());
	if (!stp_timer_rearm())
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

		stp_hrtimer_setup(&t->timer, stp_timer_fire, HRTIMER_MODE_REL_HARD);
		hrtimer_start(&t->timer, ns_to_ktime(stp_timer_next(t)), HRTIMER_MODE_REL_HARD);
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

/*
 * timer.profile: one hrtimer per online CPU, pinned there, ticking at HZ;
 * each fires with the interrupted registers of its CPU, for sampling.
 * The per-CPU timers are allocated when the probes are registered.
 */
static enum hrtimer_restart stp_profile_fire(struct hrtimer *timer)
{
	struct stp_profile_cpu *pc = container_of(timer, struct stp_profile_cpu, timer);

	stp_run_probe(pc->owner->probe, get_irq_regs());
	if (!stp_timer_rearm())
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(pc->owner->period_ns));
	return HRTIMER_RESTART;
}

static void stp_profile_start_here(void *arg)
{
	struct stp_profile_timer *t = arg;
	struct stp_profile_cpu *pc = this_cpu_ptr(t->cpus);

	pc->owner = t;
	stp_hrtimer_setup(&pc->timer, stp_profile_fire, HRTIMER_MODE_REL_PINNED_HARD);
	pc->started = true;
	hrtimer_start(&pc->timer, ns_to_ktime(t->period_ns), HRTIMER_MODE_REL_PINNED_HARD);
}

static void stp_profile_unregister(void *probes, int n)
{
	struct stp_profile_timer *timers = probes;
	int i, cpu;

	for (i = 0; i < n; i++) {
		if (!timers[i].cpus)
			continue;
		for_each_possible_cpu(cpu) {
			struct stp_profile_cpu *pc = per_cpu_ptr(timers[i].cpus, cpu);

			if (pc->started)
				hrtimer_cancel(&pc->timer);
		}
		free_percpu(timers[i].cpus);
		timers[i].cpus = NULL;
	}
}

static int stp_profile_register(void *probes, int n)
{
	struct stp_profile_timer *timers = probes;
	int i;

	for (i = 0; i < n; i++) {
		timers[i].cpus = alloc_percpu(struct stp_profile_cpu);
		if (!timers[i].cpus) {
			stp_send_text(STP_MSG_ERROR, "ERROR: cannot register timer.profile: out of memory\n");
			stp_profile_unregister(probes, i);
			return -ENOMEM;
		}
		on_each_cpu(stp_profile_start_here, &timers[i], 1);
	}
	return 0;
}

const struct stp_family_ops stp_profile_ops = {
	.name = "timer.profile",
	.register_probes = stp_profile_register,
	.unregister_probes = stp_profile_unregister,
};
