// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_TRACEPOINT_PROBE_REGISTER: a module finds the kernel's
 * tracepoints by walking them (for_each_kernel_tracepoint) and attaches
 * a function with a data pointer (tracepoint_probe_register), as
 * tracepoint.c does.
 */
#include <linux/tracepoint.h>

static void stp_feature_find(struct tracepoint *tp, void *priv)
{
	*(struct tracepoint **)priv = tp;
}

static void stp_feature_hit(void *data)
{
}

int stp_feature(void);
int stp_feature(void)
{
	struct tracepoint *tp = NULL;

	for_each_kernel_tracepoint(stp_feature_find, &tp);
	if (!tp)
		return -ENOENT;
	tracepoint_synchronize_unregister();
	return tracepoint_probe_register(tp, stp_feature_hit, NULL);
}
