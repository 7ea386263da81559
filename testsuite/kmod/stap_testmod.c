// SPDX-License-Identifier: GPL-2.0
/*
 * stap_testmod.c - a module for stap's tests to probe: functions taking
 * ints, longs, pointers, strings, structs, arrays, a bitfield and an
 * enum, a static function, an inlined one, and return values.
 *
 * Each write to /proc/stap_testmod calls every function once, with the
 * arguments in README.md; noinline (but the inline one) keeps a symbol for
 * each kprobe, results feed stm_result.  stm_void fires stm_event too.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/proc_fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#define CREATE_TRACE_POINTS	/* this file defines stap_testmod_trace.h's events */
#include "stap_testmod_trace.h"

enum stm_color {
	STM_RED,
	STM_GREEN = 5,
	STM_BLUE,
};

struct stm_point {
	int x;
	int y;
};

/* bitfields of both signs, packed in one unsigned int */
struct stm_flags {
	unsigned int ready:1;
	unsigned int mode:3;
	int level:4;
};

struct stm_record {
	long id;
	char name[16];
	struct stm_point pos;		/* a nested struct */
	struct stm_flags flags;
	enum stm_color color;
	int values[4];
	struct stm_record *next;
	union {				/* an anonymous member */
		u32 word;
		u8 bytes[4];
	};
};

/* globals for @var: one exported-style, one file-local */
long stm_calls;
static struct stm_record stm_records[2];
static long stm_result;

noinline int stm_add_ints(int a, int b)
{
	return a + b;
}

noinline long stm_mul_long(long a, unsigned long b)
{
	return a * (long)b;
}

noinline size_t stm_string_len(const char *s)
{
	return strlen(s);
}

noinline int stm_sum_array(const int *vals, int n)
{
	int i, sum = 0;

	for (i = 0; i < n; i++)
		sum += vals[i];
	return sum;
}

noinline long stm_record_id(struct stm_record *r)
{
	return r->id + r->pos.x + r->pos.y;
}

noinline int stm_color_value(enum stm_color c)
{
	return (int)c * 10;
}

noinline unsigned int stm_set_flags(struct stm_flags *f, unsigned int mode)
{
	f->ready = 1;
	f->mode = mode;
	f->level = -2;
	return f->mode;
}

noinline void stm_void(void)
{
	trace_stm_event(++stm_calls, "void", &stm_records[0]);	/* always counts */
}

/* static: a symbol that only the module's own symbol table has */
static noinline int stm_static_helper(int x)
{
	return x * 3;
}

/* always inlined: only stm_call_inline's inlined instance exists */
static __always_inline int stm_inline_square(int x)
{
	return x * x;
}

noinline int stm_call_inline(int x)
{
	return stm_inline_square(x) + 1;
}

/* Fills the records the struct-taking functions receive. */
static void stm_fill(struct stm_record *r, struct stm_record *next, long id, const char *name)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->id = id;
	strscpy(r->name, name, sizeof(r->name));
	r->pos.x = 10;
	r->pos.y = 20;
	r->flags.ready = 1;
	r->flags.mode = 5;
	r->flags.level = -3;
	r->color = STM_GREEN;
	for (i = 0; i < 4; i++)
		r->values[i] = i + 1;
	r->next = next;
	r->word = 0x11223344;
}

/* Calls every probed function once with the arguments README.md lists. */
static void stm_run_all(void)
{
	static const int vals[4] = { 1, 2, 3, 4 };
	long r = 0;

	stm_fill(&stm_records[1], NULL, 2, "second");
	stm_fill(&stm_records[0], &stm_records[1], 1, "first");
	r += stm_add_ints(3, -4);
	r += stm_mul_long(-5, 7);
	r += stm_string_len("hello");
	r += stm_sum_array(vals, 4);
	r += stm_record_id(&stm_records[0]);
	r += stm_color_value(STM_BLUE);
	r += stm_set_flags(&stm_records[1].flags, 6);
	stm_void();
	r += stm_static_helper(14);
	r += stm_call_inline(9);
	stm_result = r;
}

static ssize_t stm_write(struct file *file, const char __user *buf, size_t count,
			 loff_t *pos)
{
	stm_run_all();
	return count;
}

/* Reading gives the number of runs and the sum of the last run's results. */
static ssize_t stm_read(struct file *file, char __user *buf, size_t count, loff_t *pos)
{
	char text[64];
	int n = scnprintf(text, sizeof(text), "%ld %ld\n", stm_calls, stm_result);

	return simple_read_from_buffer(buf, count, pos, text, n);
}

static const struct proc_ops stm_proc_ops = {
	.proc_read = stm_read,
	.proc_write = stm_write,
};

static struct proc_dir_entry *stm_entry;

static int __init stm_init(void)
{
	stm_entry = proc_create("stap_testmod", 0666, NULL, &stm_proc_ops);
	return stm_entry ? 0 : -ENOMEM;
}

static void __exit stm_exit(void)
{
	proc_remove(stm_entry);
}

module_init(stm_init);
module_exit(stm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("functions with known arguments for stap's tests");

/*
 * A variable for hardware watchpoints (kernel.data("stm_watched")): a
 * write of N to /sys/module/stap_testmod/parameters/stm_watch stores N
 * in it, one 8-byte store; a read of that file reads it once.  (Here at
 * the end, so that the lines above, which tests name, stay where they
 * are; the functions' names are not stm_*, which tests list.)
 */
long stm_watched;

static int watch_param_set(const char *val, const struct kernel_param *kp)
{
	long v;
	int rc = kstrtol(val, 0, &v);

	if (rc)
		return rc;
	WRITE_ONCE(stm_watched, v);
	return 0;
}

static int watch_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", READ_ONCE(stm_watched));
}

static const struct kernel_param_ops stm_watch_ops = {
	.set = watch_param_set,
	.get = watch_param_get,
};
module_param_cb(stm_watch, &stm_watch_ops, NULL, 0644);
