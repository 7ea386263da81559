// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STP_HAVE_MM_RSS_STAT_ATOMIC: an mm_struct counts its pages in
 * rss_stat.count[MM_FILEPAGES...], atomic longs, and each task keeps the
 * changes it has yet to add when SPLIT_RSS_COUNTING is defined (before
 * 6.2), which proc_mem.stp reads.
 */
#include <linux/mm_types.h>
#include <linux/sched.h>
#include <linux/stddef.h>

size_t stp_feature(int i);
size_t stp_feature(int i)
{
	struct mm_struct *mm = NULL;
	atomic_long_t *c = &mm->rss_stat.count[MM_ANONPAGES];

	return offsetof(struct mm_struct, rss_stat.count[i]) + sizeof(*c);
}
