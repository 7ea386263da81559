// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stat.c - statistics aggregates (x <<< v): count, sum, min, max,
 * average, variance, and linear or log2 histograms.
 *
 * A scalar aggregate keeps one record per CPU; <<< updates the local one
 * and reading merges them.  Histograms print as SystemTap prints them:
 *
 *   value |-------------------------------------------------- count
 *       8 |@@@@                                                4
 *      16 |@@@@@@@@@@                                         10
 *
 * with at most two empty rows around the data and "~" for longer runs.
 *
 * @variance gives SystemTap's integers, not the exact variance: see
 * stp_variance_add.
 */
#include <linux/kernel.h>
#include <linux/vmalloc.h>
#include <linux/percpu.h>
#include <linux/bitops.h>
#include <linux/string.h>
#include <linux/math64.h>
#include "stp.h"

#define STP_HIST_WIDTH 50
#define STP_HIST_LOG_BUCKET0 64

size_t stp_stat_size(const struct stp_stat_type *t)
{
	return sizeof(struct stp_stat) + (t ? t->nbuckets : 0) * sizeof(s64);
}

void stp_stat_init(struct stp_stat *s, const struct stp_stat_type *t)
{
	memset(s, 0, stp_stat_size(t));
}

static int stp_log_bucket(s64 v)
{
	if (v == 0)
		return STP_HIST_LOG_BUCKET0;
	if (v > 0)
		return STP_HIST_LOG_BUCKET0 + fls64(v);
	return STP_HIST_LOG_BUCKET0 - fls64(-(u64)v);
}

static s64 stp_log_bucket_value(int b)
{
	if (b == STP_HIST_LOG_BUCKET0)
		return 0;
	if (b < STP_HIST_LOG_BUCKET0)
		return S64_MIN >> b;
	return 1LL << (b - STP_HIST_LOG_BUCKET0 - 1);
}

/* Bucket 0 counts values below lo, the last one values past hi. */
static int stp_linear_bucket(const struct stp_stat_type *t, s64 v)
{
	s64 off = v - t->lo;
	s64 b;

	if (off < 0)
		return 0;
	b = div64_s64(off, t->step) + 1;
	return b >= t->nbuckets - 1 ? t->nbuckets - 1 : b;
}

static void stp_stat_add_hist(struct stp_stat *s, const struct stp_stat_type *t, s64 v)
{
	if (t->hist == STP_HIST_LOG)
		s->buckets[stp_log_bucket(v)]++;
	else if (t->hist == STP_HIST_LINEAR)
		s->buckets[stp_linear_bucket(t, v)]++;
}

/*
 * The running variance, as SystemTap 4.8 keeps it per CPU, so that
 * @variance prints the same integers (measured in the VM; the tests in
 * testsuite/run/stats_variance*.stp hold its outputs): Welford's update
 * on the values scaled up by `shift' bits, in 64-bit integers that wrap,
 * every division truncated, and the value's distance from the running
 * mean cut to 32 bits, which loses precision for values or shifts past
 * 2^31.  The division is why only statistics read by @variance do this.
 */
static void stp_variance_add(struct stp_stat *s, int shift, s64 v)
{
	s64 vs = (s64)((u64)v << shift);
	s64 d;

	if (s->count == 1) {
		s->avg_s = vs;
		s->m2 = 0;
		s->var_s = 0;
		return;
	}
	d = (s32)((u64)vs - (u64)s->avg_s);
	s->avg_s = (s64)((u64)s->avg_s + (u64)div64_s64(d, s->count));
	s->m2 = (s64)((u64)s->m2 + (u64)d * ((u64)vs - (u64)s->avg_s));
	s->var_s = div64_s64(s->m2, s->count - 1);
}

/* After stp_stat_add has counted v. */
void stp_stat_add_typed(struct stp_stat *s, const struct stp_stat_type *t, s64 v)
{
	stp_stat_add_hist(s, t, v);
	if (t->variance)
		stp_variance_add(s, t->shift, v);
}

/* One CPU's (or group's) share of the merged M2: n * (mean - all)^2 + M2 */
static u64 stp_variance_part(const struct stp_stat *s, s64 avg_s)
{
	u64 d = (u64)s->avg_s - (u64)avg_s;

	return (u64)s->count * (d * d) + (u64)(s->count - 1) * (u64)s->var_s;
}

static s64 stp_scaled_mean(s64 sum, s64 count, int shift)
{
	return div64_s64((s64)((u64)sum << shift), count);
}

/*
 * An array element's records are merged two at a time, CPU after CPU, the
 * first one copied; each merge takes the mean from the sum, so that with
 * three CPUs or more the result differs (slightly) from a scalar's.
 */
static void stp_variance_merge(struct stp_stat *dst, const struct stp_stat *src, int shift)
{
	s64 count = dst->count + src->count;
	s64 avg_s;

	if (dst->count == 0) {
		dst->avg_s = src->avg_s;
		dst->m2 = src->m2;
		dst->var_s = src->var_s;
		return;
	}
	avg_s = stp_scaled_mean(dst->sum + src->sum, count, shift);
	dst->var_s = div64_s64((s64)(stp_variance_part(dst, avg_s) +
				     stp_variance_part(src, avg_s)), count - 1);
	dst->avg_s = avg_s;
}

void stp_stat_merge(struct stp_stat *dst, const struct stp_stat *src,
		    const struct stp_stat_type *t)
{
	u32 i;

	if (!src->count)
		return;
	if (t && t->variance)
		stp_variance_merge(dst, src, t->shift);
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
	for (i = 0; t && i < t->nbuckets; i++)
		dst->buckets[i] += src->buckets[i];
}

/*
 * A scalar's records are merged all at once: every CPU's part is taken
 * about the mean of all values.
 */
static void stp_variance_merge_all(struct stp_stats *st)
{
	struct stp_stat *agg = st->agg;
	u64 m2 = 0;
	s64 avg_s;
	int cpu;

	if (agg->count < 2) {
		agg->var_s = 0;
		return;
	}
	avg_s = stp_scaled_mean(agg->sum, agg->count, st->type->shift);
	for_each_possible_cpu(cpu)
		if (st->cpu[cpu]->count)
			m2 += stp_variance_part(st->cpu[cpu], avg_s);
	agg->var_s = div64_s64((s64)m2, agg->count - 1);
	agg->avg_s = avg_s;
}

/* The variance scaled back down: >> 2N, the shift count taken mod 64 as x86 does */
static s64 stp_stat_variance(const struct stp_stat *s, const struct stp_stat_type *t)
{
	int shift = t ? t->shift : 0;

	if (s->count < 2)
		return 0;
	return s->var_s >> ((2 * shift) & 63);
}

s64 stp_stat_extract(const struct stp_stat *s, const struct stp_stat_type *t, int op)
{
	switch (op) {
	case STP_STAT_COUNT:
		return s->count;
	case STP_STAT_SUM:
		return s->sum;
	case STP_STAT_MIN:
		return s->min;
	case STP_STAT_MAX:
		return s->max;
	case STP_STAT_AVG:
		return s->count ? div64_s64(s->sum, s->count) : 0;
	case STP_STAT_VARIANCE:
		return stp_stat_variance(s, t);
	}
	return 0;
}

s64 stp_hist_bucket(const struct stp_stat *s, const struct stp_stat_type *t, s64 i)
{
	if (!t || i < 0 || i >= t->nbuckets)
		return 0;
	return s->buckets[i];
}

/* ---- scalar aggregates: one record per CPU ---- */

struct stp_stats *stp_stats_new(const struct stp_stat_type *t)
{
	struct stp_stats *st;
	size_t size = ALIGN(stp_stat_size(t), 8);
	int cpu;

	st = vzalloc(sizeof(*st) + nr_cpu_ids * sizeof(st->cpu[0]));
	if (!st)
		return NULL;
	st->type = t;
	st->agg = vzalloc(size);
	if (!st->agg)
		goto nomem;
	for_each_possible_cpu(cpu) {
		st->cpu[cpu] = vzalloc(size);
		if (!st->cpu[cpu])
			goto nomem;
	}
	return st;
nomem:
	stp_stats_free(st);
	return NULL;
}

void stp_stats_free(struct stp_stats *st)
{
	int cpu;

	if (!st)
		return;
	for_each_possible_cpu(cpu)
		vfree(st->cpu[cpu]);
	vfree(st->agg);
	vfree(st);
}


const struct stp_stat *stp_stats_read(struct stp_stats *st)
{
	int cpu;

	stp_stat_init(st->agg, st->type);
	for_each_possible_cpu(cpu)
		stp_stat_merge(st->agg, st->cpu[cpu], st->type);
	if (st->type && st->type->variance)
		stp_variance_merge_all(st);
	return st->agg;
}

void stp_stats_clear(struct stp_stats *st)
{
	int cpu;

	for_each_possible_cpu(cpu)
		stp_stat_init(st->cpu[cpu], st->type);
	stp_stat_init(st->agg, st->type);
}

/* ---- printing histograms ---- */

static int stp_digits(s64 v)
{
	int n = v < 0 ? 2 : 1;
	u64 u = v < 0 ? -(u64)v : (u64)v;

	while (u >= 10) {
		u /= 10;
		n++;
	}
	return n;
}

static void stp_put_repeat(struct stp_sink *sink, char c, int n)
{
	while (n-- > 0)
		stp_put_char(sink, c);
}

static void stp_put_padded(struct stp_sink *sink, const char *prefix, s64 v, int width)
{
	int n = stp_digits(v) + strlen(prefix);

	stp_put_repeat(sink, ' ', width - n);
	stp_put_str(sink, prefix);
	stp_put_long(sink, v);
}

static bool stp_hist_empty_around(const struct stp_stat *s, int i, int lo, int hi)
{
	int k;

	for (k = max(lo, i - 2); k <= min(hi, i + 2); k++)
		if (s->buckets[k])
			return false;
	return true;
}

void stp_hist_print(struct stp_sink *sink, const struct stp_stat *s,
		    const struct stp_stat_type *t)
{
	int n = t->nbuckets, lo = -1, hi = 0, i, width, cwidth;
	bool under = false, over = false, eliding = false;
	s64 most = 0, scale;

	for (i = 0; i < n; i++) {
		if (s->buckets[i] > 0) {
			if (lo < 0)
				lo = i;
			hi = i;
		}
		most = max(most, s->buckets[i]);
	}
	if (lo < 0)
		lo = hi = t->hist == STP_HIST_LOG ? STP_HIST_LOG_BUCKET0 : 1;
	/* up to two empty rows around the data; log ones stay >= 0 if no data is below */
	for (i = 0; i < 2; i++) {
		if (lo > 0 && (t->hist != STP_HIST_LOG || lo != STP_HIST_LOG_BUCKET0))
			lo--;
		if (hi < n - 1)
			hi++;
	}
	if (t->hist == STP_HIST_LINEAR) {
		if (lo == 0 && !s->buckets[0])
			lo++;
		if (hi == n - 1 && !s->buckets[hi])
			hi--;
		under = lo == 0;
		over = hi == n - 1;
		width = max(stp_digits(t->lo) + under, stp_digits(t->lo + t->step * hi) + over);
	} else {
		width = max(stp_digits(stp_log_bucket_value(hi)),
			    stp_digits(stp_log_bucket_value(lo)));
	}
	width = max(width, 5);
	scale = most <= STP_HIST_WIDTH ? 1 : div64_s64(most + STP_HIST_WIDTH - 1, STP_HIST_WIDTH);
	cwidth = stp_digits(most);

	stp_put_repeat(sink, ' ', width - 5);
	stp_put_str(sink, "value |");
	stp_put_repeat(sink, '-', STP_HIST_WIDTH);
	stp_put_str(sink, " count\n");
	for (i = lo; i <= hi; i++) {
		const char *prefix = "";
		s64 value, bar;

		if (stp_hist_empty_around(s, i, lo, hi)) {
			eliding = true;
			continue;
		}
		if (eliding) {
			stp_put_repeat(sink, ' ', width);
			stp_put_str(sink, " ~\n");
			eliding = false;
		}
		if (t->hist == STP_HIST_LINEAR) {
			if (i == 0) {
				value = t->lo;
				prefix = "<";
			} else if (i == n - 1) {
				value = t->lo + (s64)(i - 2) * t->step;
				prefix = ">";
			} else {
				value = t->lo + (s64)(i - 1) * t->step;
			}
		} else {
			value = stp_log_bucket_value(i);
		}
		stp_put_padded(sink, prefix, value, width);
		stp_put_str(sink, " |");
		bar = div64_s64(s->buckets[i], scale);
		stp_put_repeat(sink, '@', bar);
		stp_put_padded(sink, "", s->buckets[i], STP_HIST_WIDTH - bar + 1 + cwidth);
		stp_put_char(sink, '\n');
	}
	stp_put_char(sink, '\n');
}
