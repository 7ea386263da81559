// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_HRTIMER_INIT: an hrtimer is set up with hrtimer_init() and its
 * function is then stored by hand (hrtimer_setup() since 6.13, and
 * hrtimer_init() is gone in 6.15).
 */
#include <linux/hrtimer.h>

static enum hrtimer_restart stp_feature_fire(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}

void stp_feature(struct hrtimer *t);
void stp_feature(struct hrtimer *t)
{
	hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	t->function = stp_feature_fire;
}
