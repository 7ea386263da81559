// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tapset.c - per-CPU state that library functions keep between calls:
 * tokenize()'s remaining input, randint()'s generator and a scratch
 * string.  A probe owns its CPU's context from entry to exit, so state
 * per CPU is state per probe context; it is made at module init, since
 * nothing may be allocated in a probe.
 */
#include <linux/kernel.h>
#include <linux/random.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include "stp.h"

/* abort()'s mark in c->last_error: see translator/emit.c */
const char stp_abort_error[] = "abort() called";

static char *stp_tapset_area;
static size_t stp_tapset_stride;

int stp_tapset_init(void)
{
	size_t strings = 2 * stp_script.maxstringlen;
	int cpu;

	stp_tapset_stride = ALIGN(sizeof(struct stp_tapset_cpu) + strings, SMP_CACHE_BYTES);
	stp_tapset_area = vzalloc(array_size(nr_cpu_ids, stp_tapset_stride));
	if (!stp_tapset_area)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct stp_tapset_cpu *t = (void *)(stp_tapset_area + cpu * stp_tapset_stride);

		t->tok = (char *)(t + 1);
		t->scratch = t->tok + stp_script.maxstringlen;
		prandom_seed_state(&t->rnd, get_random_u64());
	}
	return 0;
}

void stp_tapset_exit(void)
{
	vfree(stp_tapset_area);
	stp_tapset_area = NULL;
}

/* This CPU's state; the caller runs in a probe, with preemption disabled. */
struct stp_tapset_cpu *stp_tapset_cpu(void)
{
	return (void *)(stp_tapset_area + smp_processor_id() * stp_tapset_stride);
}
