// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_MM_RSS_STAT_PERCPU: an mm_struct counts its pages in an array
 * of per-CPU counters, rss_stat[MM_FILEPAGES...], each with a running
 * total in .count (6.2 and later), which proc_mem.stp reads.
 */
#include <linux/mm_types.h>
#include <linux/percpu_counter.h>
#include <linux/stddef.h>

size_t stp_feature(int i);
size_t stp_feature(int i)
{
	struct mm_struct *mm = NULL;
	struct percpu_counter *c = &mm->rss_stat[MM_ANONPAGES];

	return offsetof(struct mm_struct, rss_stat[i].count) + sizeof(c->count);
}
