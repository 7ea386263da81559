// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_HRTIMER_SETUP: an hrtimer is set up with its function by
 * hrtimer_setup() (6.13 and later).
 */
#include <linux/hrtimer.h>

static enum hrtimer_restart stp_feature_fire(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}

void stp_feature(struct hrtimer *t);
void stp_feature(struct hrtimer *t)
{
	hrtimer_setup(t, stp_feature_fire, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
}
