/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stp.h - the runtime as a generated module sees it.
 *
 * The runtime's .c files are compiled once per kernel and linked into
 * every module; the translator writes one C file per script that
 * includes only this header.  Limits that a script may change with -D
 * (MAXACTION, MAXSTRINGLEN, ...) therefore reach the runtime as fields
 * of struct stp_script, never as macros.
 *
 * Probe context rules.  Every function that can run inside a probe
 * handler follows them, in the runtime and in generated code alike:
 *
 *  1. Never sleep: no mutexes, no GFP_KERNEL, no copy_from_user().
 *  2. Never allocate: everything is allocated at module init.
 *  3. Bound every loop and copy: by the statement budget (MAXACTION),
 *     a map's size, or a string's buffer size.
 *  4. Read memory that the module does not own only through the
 *     fault-safe helpers (copy_from_kernel_nofault and friends).
 *  5. Prefer per-CPU data to locks; take script globals with bounded
 *     trylocks and skip the probe when they cannot be had.
 *
 * A probe handler owns its CPU's struct stp_context from
 * stp_probe_enter() to stp_probe_exit(); a second probe that fires on
 * the same CPU meanwhile (an interrupt, a probed function called by
 * the handler) finds the context busy and is skipped.
 */
#ifndef STP_H
#define STP_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/kprobes.h>
#include <linux/uprobes.h>
#include <linux/moduleparam.h>
#include <linux/list.h>
#include <linux/hash.h>
#include <linux/version.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/timex.h>
#include <linux/prandom.h>
#include "stp_proto.h"
#include "stp_kernel.h"	/* STP_USE_FTRACE ...: the kernel's mechanisms we use */

struct pt_regs;
struct stp_context;

/* ---- the script: what the translator generates, what the runtime runs ---- */

struct stp_probe {
	const char *pp;		/* probe point as the user knows it: "timer.ms(100)" */
	const char *loc;	/* where the probe body starts: "<input>:1:1" */
	/* the body; it takes the globals it needs itself (stp_write_lock) */
	void (*handler)(struct stp_context *c);
	int kind;		/* enum stp_probe_kind: which session state it runs in */
	int index;		/* in stp_script.probes (stap -t counts by it) */
};

enum stp_probe_kind {
	STP_PROBE_NORMAL,	/* runs while the session is running */
	STP_PROBE_BEGIN,	/* runs while starting */
	STP_PROBE_END,		/* runs while stopping */
	STP_PROBE_ERROR,	/* runs while stopping after errors */
};

/*
 * A probe family registers its probes as one group.  The family's
 * runtime file defines the ops; the generated code defines the array of
 * family-specific probe records that "probes" points to.
 */
struct stp_family_ops {
	const char *name;
	/* 0, or -errno after sending an ERROR message that names the probe */
	int (*register_probes)(void *probes, int n);
	void (*unregister_probes)(void *probes, int n);	/* waits for handlers */
};

struct stp_probe_group {
	const struct stp_family_ops *ops;
	void *probes;
	int n;
};

struct stp_script {
	const char *name;		/* the script's file name or "<input>" */
	const struct stp_probe *const *begin;	/* in begin(N) order */
	int nbegin;
	const struct stp_probe *const *end;
	int nend;
	const struct stp_probe *const *error;
	int nerror;
	const struct stp_probe_group *groups;
	int ngroups;
	int (*init_globals)(void);	/* module init, may allocate */
	void (*free_globals)(void);	/* module exit */
	struct stp_ubinary *ubinaries;	/* for usymname() and user backtraces */
	int nubinaries;
	const struct stp_lines *klines;	/* the kernel's, for symfileline(); or NULL */

	/* limits, from -D NAME=VALUE */
	long maxaction;			/* statements per probe hit */
	long maxaction_interruptible;	/* ... in begin and end probes */
	int maxnesting;			/* function call depth */
	int maxerrors;			/* errors before the script stops */
	int maxskipped;			/* skipped probes before the script stops */
	int maxtrylock;			/* attempts on a busy global's lock */
	unsigned long kaslr_anchor;	/* &an exported kernel symbol, at run time ... */
	u64 kaslr_anchor_link;		/* ... and its address in the vmlinux */
	const char *kernel_build_id;	/* the vmlinux's at translation (NULL: not checked) ... */
	int kernel_build_id_len;
	u64 kernel_build_id_link;	/* ... and the address of its bytes in the vmlinux */
	u64 overload_interval;		/* cycles; 0: no overload detection */
	u64 overload_threshold;		/* cycles in probes per interval before stopping */
	size_t frame_size;		/* per-CPU bytes for locals and temporaries */
	size_t maxstringlen;		/* MAXSTRINGLEN: at most 65535 */
	size_t regex_max_insns;		/* the largest =~ program, 0 if none */
	size_t bufsize;			/* per-CPU transport buffer bytes */
	size_t print_bufsize;		/* per-probe output buffer bytes */
	bool suppress_handler_errors;
	bool bulk;			/* stap -b: per-CPU output files */
	/* stap -t: timing.c counts each probe's hits and cycles, reports them */
	const struct stp_timing_ops *timing;
	const struct stp_probe *probes;	/* every probe, by index */
	int nprobes;
	const char *const *probe_from;	/* -t's report: " from: vfs.read" */
};

extern const struct stp_script stp_script;	/* generated */

/*
 * ---- stap -t: probe timing (timing.c) ----
 * Each CPU counts the hits of each probe and the cycles they took; the
 * session prints the totals when the script stops ("probe hit report").
 */
struct stp_timing_ops {
	int (*init)(void);	/* module init: allocates stp_probe_times */
	void (*report)(void);	/* after the end probes */
	void (*exit)(void);
};
extern const struct stp_timing_ops stp_timing_ops;

struct stp_probe_time {
	u64 hits, sum, sumsq, min, max;		/* cycles */
};
extern struct stp_probe_time __percpu *stp_probe_times;	/* NULL without -t */

/*
 * ---- user programs' symbols (usym.c) ----
 * The translator's copy of the function symbols and PT_LOAD segments of
 * each program that process("PATH") probes or -d names.
 */
struct stp_usym {
	unsigned long addr;	/* link-time start */
	unsigned long size;
	const char *name;
};

struct stp_useg {
	unsigned long offset;	/* in the file */
	unsigned long vaddr;	/* link-time address of that offset */
	unsigned long filesz;
};

/*
 * How to find the caller's frame from an address: a row holds from its
 * addr up to the next row's (translator/unwind.c).  The return address
 * is at CFA - 8.
 */
enum { STP_UW_NONE, STP_UW_RSP, STP_UW_RBP };	/* the CFA is rsp or rbp + offset */
struct stp_uframe {
	u32 addr;		/* link-time */
	s16 cfa_offset;
	s8 rbp_slot;		/* the caller's rbp at CFA + 8 * rbp_slot; 0: unchanged */
	u8 kind;		/* STP_UW_*; NONE: unknown, try the frame pointer */
};

struct inode;
struct stp_ubinary {
	const char *path;
	const struct stp_usym *syms;	/* by addr */
	int nsyms;
	const struct stp_useg *segs;
	int nsegs;
	const struct stp_uframe *frames;	/* by addr; NULL: no call frame information */
	int nframes;
	const struct stp_lines *lines;	/* for usymfileline(), or NULL */
	struct inode *inode;		/* of path in this system, from module init */
};

/* What an address of the current task is: symbol, offset in it, program. */
struct stp_usym_hit {
	const char *name;
	unsigned long offset;
	unsigned long size;
	const char *path;
};

bool stp_usym_lookup(unsigned long addr, struct stp_usym_hit *hit);
/* The program mapped at addr in the current task, and addr's link-time address in it. */
bool stp_usym_locate(unsigned long addr, const struct stp_ubinary **bin, unsigned long *vaddr);
/* addr is in an executable mapping of the current task (false: unknown). */
bool stp_uaddr_is_text(unsigned long addr);
/*
 * "name" or, with data, "name+0xoff/0xsize [path]"; the address in hex
 * when no symbol holds it.  A return address (ret) is looked up one
 * byte back, in case the call was its function's last instruction.
 */
void stp_usym_text(char *buf, size_t size, unsigned long addr, bool ret, bool data);
/*
 * One frame up the current task's user stack: r from a frame's registers
 * to its caller's (ip the return address).  first: r->ip is where the
 * task stopped, not a return address.  uret_stable: the task is stopped
 * in a uprobe or was interrupted in user mode, so that a return address
 * a .return probe replaced can be looked up.  False where the walk ends.
 */
struct stp_uregs {
	unsigned long ip, sp, bp;
};
bool stp_uunwind(struct stp_uregs *r, bool first, bool uret_stable);
/*
 * Where link-time address vaddr of the program or library at path (one of
 * stp_ubinaries) is in the current process, which may have loaded it
 * anywhere (a PIE, a library): for static data of user code.  A runtime
 * error, and 0, when the process does not map it.
 */
u64 stp_uload(struct stp_context *c, const char *path, u64 vaddr);

/*
 * ---- line tables (lines.c) ----
 * A module's or a program's rows of file and line by address, in the
 * form translator/lines.c describes, embedded by the translator when a
 * line function is used.
 */
struct stp_lines {
	const unsigned char *data;
	unsigned long size;
	unsigned long anchor;	/* the kernel's: a symbol's run-time address (KASLR) */
};

/* The file and line of code at a kernel address, or of the current task's. */
bool stp_kernel_line(unsigned long addr, const char **file, unsigned int *line);
bool stp_user_line(unsigned long addr, const char **file, unsigned int *line);

/* ---- the probe context (context.c) ---- */

struct stp_sink {
	char *buf;
	u32 len;
	u32 cap;
	bool is_output;		/* full: flush to the transport, else truncate */
};

struct stp_context {
	int busy;			/* this_cpu_inc_return: one instruction, irq-safe */
	const struct stp_probe *probe;
	const char *last_error;		/* set: the handler unwinds to its end */
	const char *error_near;		/* "operator '/' at <input>:1:23" */
	long actions;			/* statements left before MAXACTION */
	int nesting;			/* script function calls in progress */
	bool nexted;			/* a function said "next": try its next overload */
	struct pt_regs *regs;		/* interrupted registers, or NULL */
	char *frames;			/* locals of probe and functions */
	size_t frame_top;
	struct stp_sink out;		/* this probe hit's output */
	u64 interval_start;		/* overload detection: cycles when it began */
	u64 cycles_in_probes;		/* ... and spent in probes since */
	char error_buf[128];		/* last_error when it is formatted */
	char *procfs_buf;		/* procfs and stdin probes: $value */
	size_t procfs_size;
};

/* Runs one probe hit: stp_run_probe() below, which every family calls. */

/* Records a runtime error; the handler then unwinds (goto out). */
void stp_error(struct stp_context *c, const char *msg, const char *near);

/*
 * Charges n statements to MAXACTION: every loop in embedded C whose
 * bound comes from kernel or user memory calls it each turn, so that a
 * corrupt or hostile bound ends in "MAXACTION exceeded", as a script's
 * own loop does.  false (the error set) once the budget is spent.
 */
static inline bool stp_charge_actions(struct stp_context *c, long n)
{
	c->actions -= n;
	if (likely(c->actions >= 0))
		return true;
	stp_error(c, "MAXACTION exceeded", NULL);
	return false;
}
void stp_errorf(struct stp_context *c, const char *near, const char *fmt, ...)
	__printf(3, 4);
/* A whole message for stderr, "WARNING: ...\n" or "ERROR: ...\n". */
void stp_send_text(enum stp_msg_type type, const char *text);
/* exit(): stop the script after this probe. */
void stp_request_exit(void);

/*
 * Space for a function call's frame; NULL when MAXNESTING is reached.
 * Inline: a script function call should cost a few instructions.
 */
void *stp_frame_overflow(struct stp_context *c, const char *near);

static __always_inline void *stp_frame_push(struct stp_context *c, size_t size,
					    const char *near)
{
	void *frame;

	size = ALIGN(size, 8);
	if (unlikely(c->nesting >= stp_script.maxnesting ||
		     c->frame_top + size > stp_script.frame_size))
		return stp_frame_overflow(c, near);
	frame = c->frames + c->frame_top;
	c->frame_top += size;
	c->nesting++;
	return frame;
}

static __always_inline void stp_frame_pop(struct stp_context *c, size_t size)
{
	c->frame_top -= ALIGN(size, 8);
	c->nesting--;
}

/*
 * ---- script globals' locks ----
 * Each global has a reader-writer lock; a probe handler takes the ones
 * it needs in one fixed order, unrolled by the translator.  They are the
 * architecture's locks, not rwlock_t: handlers already run with
 * preemption off, and rwlock_t's preemption count (and, on debug
 * kernels, lockdep) cost instructions on every hit for nothing.  A busy
 * lock is retried out of line, MAXTRYLOCK times STP_TRYLOCK_DELAY_US
 * apart; then the hit is skipped and counted.
 */
typedef arch_rwlock_t stp_rwlock_t;
#define STP_RWLOCK_INIT __ARCH_RW_LOCK_UNLOCKED

bool stp_lock_slow(stp_rwlock_t *l, bool write);

static __always_inline bool stp_write_lock(stp_rwlock_t *l)
{
	return likely(arch_write_trylock(l)) || stp_lock_slow(l, true);
}

static __always_inline bool stp_read_lock(stp_rwlock_t *l)
{
	return likely(arch_read_trylock(l)) || stp_lock_slow(l, false);
}

static __always_inline void stp_write_unlock(stp_rwlock_t *l)
{
	arch_write_unlock(l);
}

static __always_inline void stp_read_unlock(stp_rwlock_t *l)
{
	arch_read_unlock(l);
}

/* ---- printing (print.c) ---- */

/* A printf conversion, compiled by the translator from a format string. */
struct stp_fmt {
	char conv;		/* d i u x X o c s p b m M */
	u8 flags;		/* STP_FMT_* */
	s16 width;		/* -1: none */
	s16 prec;		/* -1: none */
};
#define STP_FMT_LEFT	0x01	/* - */
#define STP_FMT_PLUS	0x02	/* + */
#define STP_FMT_SPACE	0x04	/* ' ' */
#define STP_FMT_ALT	0x08	/* # */
#define STP_FMT_ZERO	0x10	/* 0 */

void stp_put_str(struct stp_sink *s, const char *str);
/* str with C escapes (\n, \", \\, \ooo), for printing target variables */
void stp_put_escaped(struct stp_sink *s, const char *str);
void stp_put_mem(struct stp_sink *s, const char *mem, size_t n);
void stp_put_char(struct stp_sink *s, char ch);
void stp_put_long(struct stp_sink *s, s64 v);
void stp_fmt_long(struct stp_sink *s, const struct stp_fmt *f, s64 v);
void stp_fmt_str(struct stp_sink *s, const struct stp_fmt *f, const char *str);
/* Sends the context's output buffer to user space now. */
void stp_flush_output(struct stp_context *c);
/* A '*' width or precision from the script, bounded. */
int stp_clamp_width(s64 v);

static inline void stp_sink_init_str(struct stp_sink *s, char *buf, size_t cap)
{
	s->buf = buf;
	s->len = 0;
	s->cap = cap;
	s->is_output = false;
	buf[0] = '\0';
}

/* ---- strings and arithmetic (string.c) ---- */

/* Copies at most size-1 bytes and always terminates; returns dst. */
char *stp_strlcpy(char *dst, const char *src, size_t size);
char *stp_strlcat(char *dst, const char *src, size_t size);
/* Long to decimal string, returns dst. */
char *stp_ltoa(char *dst, s64 v, size_t size);

/* SystemTap's semantics: x / 0 and x % 0 are errors, LLONG_MIN / -1 is safe. */
static inline s64 stp_div(s64 a, s64 b)
{
	if (unlikely(b == -1))
		return (s64)(0 - (u64)a);
	return a / b;
}

static inline s64 stp_mod(s64 a, s64 b)
{
	if (unlikely(b == -1))
		return 0;
	return a % b;
}

/* ---- statistics (stat.c) ---- */

enum { STP_HIST_NONE, STP_HIST_LINEAR, STP_HIST_LOG };
enum { STP_STAT_COUNT, STP_STAT_SUM, STP_STAT_MIN, STP_STAT_MAX, STP_STAT_AVG,
       STP_STAT_VARIANCE };

/*
 * A statistics variable's shape, fixed by the translator: its @hist use, and
 * whether @variance reads it (with @variance(x, N)'s bit shift).  Variables
 * with neither have none (NULL).
 */
struct stp_stat_type {
	u8 hist;		/* STP_HIST_* */
	u8 variance;		/* keep the running variance */
	u8 shift;		/* its values are scaled up by this many bits */
	s64 lo, hi, step;	/* @hist_linear(v, lo, hi, step) */
	u32 nbuckets;		/* linear: (hi - lo) / step + 3; log: 128 */
};

struct stp_stat {
	s64 count, sum, min, max;
	s64 avg_s, m2, var_s;	/* running mean, M2, variance, scaled (stat.c) */
	s64 buckets[];
};

size_t stp_stat_size(const struct stp_stat_type *t);
void stp_stat_init(struct stp_stat *s, const struct stp_stat_type *t);
void stp_stat_add_typed(struct stp_stat *s, const struct stp_stat_type *t, s64 v);

/* x <<< v: inline; histograms and @variance go out of line */
static __always_inline void stp_stat_add(struct stp_stat *s, const struct stp_stat_type *t,
					 s64 v)
{
	if (s->count == 0 || v < s->min)
		s->min = v;
	if (s->count == 0 || v > s->max)
		s->max = v;
	s->count++;
	s->sum += v;
	if (t)
		stp_stat_add_typed(s, t, v);
}

/* A scalar aggregate: one record per CPU, merged into agg on read. */
struct stp_stats {
	const struct stp_stat_type *type;
	struct stp_stat *agg;
	struct stp_stat *cpu[];
};

void stp_stat_merge(struct stp_stat *dst, const struct stp_stat *src,
		    const struct stp_stat_type *t);
s64 stp_stat_extract(const struct stp_stat *s, const struct stp_stat_type *t, int op);
s64 stp_hist_bucket(const struct stp_stat *s, const struct stp_stat_type *t, s64 i);
void stp_hist_print(struct stp_sink *sink, const struct stp_stat *s,
		    const struct stp_stat_type *t);
struct stp_stats *stp_stats_new(const struct stp_stat_type *t);
void stp_stats_free(struct stp_stats *st);

/* Only the local CPU's copy: the caller holds the array's read lock. */
static __always_inline void stp_stats_add(struct stp_stats *st, s64 v)
{
	stp_stat_add(st->cpu[raw_smp_processor_id()], st->type, v);
}
const struct stp_stat *stp_stats_read(struct stp_stats *st);
void stp_stats_clear(struct stp_stats *st);

/* ---- arrays (map.c) ---- */

#define STP_MAX_KEYS 9
enum { STP_LONG, STP_STRING, STP_STATS };

union stp_key {
	s64 n;
	const char *s;
};

struct stp_map_type {
	u8 nkeys;
	u8 key_kind[STP_MAX_KEYS];	/* STP_LONG or STP_STRING */
	u8 value_kind;			/* STP_LONG, STP_STRING or STP_STATS */
	bool wrap;			/* global a%: a full map drops its oldest */
	u32 max_entries;
	u32 strlen;			/* bytes of a string key or value */
	const struct stp_stat_type *stat;
};

/* A node: its links, then the keys and the value (map.c lays them out). */
struct stp_map_node {
	struct hlist_node hash;
	struct list_head order;
	u64 hashval;
	char data[] __aligned(8);	/* keys, then the value */
};

struct stp_map {
	const struct stp_map_type *type;
	u32 count;
	u32 bucket_bits;
	u32 key_offset[STP_MAX_KEYS];
	u32 value_offset;
	u32 value_size;
	bool one_long_key;		/* one key, a number: the fast lookup */
	struct hlist_head *buckets;
	struct list_head order;		/* live nodes, oldest first */
	struct list_head free;
	void *pool;
};

/* A statistics array: one map per CPU, merged into agg on read. */
struct stp_pmap {
	struct stp_map *agg;
	struct stp_stat *one;		/* one element, merged: stp_pmap_get */
	struct stp_map *cpu[];
};

struct stp_map *stp_map_new(const struct stp_map_type *type);
void stp_map_free(struct stp_map *m);
struct stp_map_node *stp_map_find(struct stp_map *m, const union stp_key *keys);
struct stp_map_node *stp_map_insert(struct stp_map *m, const union stp_key *keys);
const char *stp_map_get_str(struct stp_map *m, const union stp_key *keys);
char *stp_map_ref_str(struct stp_map *m, const union stp_key *keys);
/* wild: bit i set means key i is '*' and matches anything */
bool stp_map_exists(struct stp_map *m, const union stp_key *keys, u32 wild);
void stp_map_delete(struct stp_map *m, const union stp_key *keys, u32 wild);
void stp_map_clear(struct stp_map *m);
struct stp_map_node *stp_map_first(struct stp_map *m);
struct stp_map_node *stp_map_next(struct stp_map *m, struct stp_map_node *n);
void stp_map_sort(struct stp_map *m, int key, int dir, int stat_op);
s64 stp_node_key_long(const struct stp_map *m, struct stp_map_node *n, int i);
const char *stp_node_key_str(const struct stp_map *m, struct stp_map_node *n, int i);
bool stp_node_in_slice(struct stp_map *m, struct stp_map_node *n,
		       const union stp_key *keys, u32 wild);
static __always_inline void *stp_node_value(const struct stp_map *m, struct stp_map_node *n)
{
	return n->data + m->value_offset;
}

#define STP_FNV_OFFSET 1469598103934665603ULL
#define STP_FNV_PRIME 1099511628211ULL

static __always_inline u64 stp_hash_long(u64 h, s64 key)
{
	h = (h ^ (u64)key) * STP_FNV_PRIME;
	return h ^ (h >> 29);
}

/*
 * Arrays indexed by one number (m[pid()]) are the common case: their
 * lookup is inline, a hash and a compare without the loops over key
 * kinds.  The hash is the generic one's (map.c), so both find the same
 * nodes; an insert, and every other array, goes out of line.
 */
static __always_inline struct stp_map_node *stp_map_find_long(struct stp_map *m, s64 key)
{
	u64 h = stp_hash_long(STP_FNV_OFFSET, key);
	struct stp_map_node *n;

	hlist_for_each_entry(n, &m->buckets[hash_64(h, m->bucket_bits)], hash)
		if (n->hashval == h && *(s64 *)n->data == key)
			return n;
	return NULL;
}

static __always_inline s64 stp_map_get_long(struct stp_map *m, const union stp_key *keys)
{
	struct stp_map_node *n = m->one_long_key ? stp_map_find_long(m, keys[0].n) :
						   stp_map_find(m, keys);

	return n ? *(s64 *)stp_node_value(m, n) : 0;
}

/* The value's storage, inserted when missing; NULL when the map is full. */
static __always_inline s64 *stp_map_ref_long(struct stp_map *m, const union stp_key *keys)
{
	struct stp_map_node *n = m->one_long_key ? stp_map_find_long(m, keys[0].n) : NULL;

	if (unlikely(!n))
		n = stp_map_insert(m, keys);
	return n ? stp_node_value(m, n) : NULL;
}

struct stp_pmap *stp_pmap_new(const struct stp_map_type *type);
void stp_pmap_free(struct stp_pmap *p);
int stp_pmap_add(struct stp_pmap *p, const union stp_key *keys, s64 v);
struct stp_map *stp_pmap_agg(struct stp_pmap *p);
const struct stp_stat *stp_pmap_get(struct stp_pmap *p, const union stp_key *keys);
bool stp_pmap_exists(struct stp_pmap *p, const union stp_key *keys, u32 wild);
void stp_pmap_delete(struct stp_pmap *p, const union stp_key *keys, u32 wild);
void stp_pmap_clear(struct stp_pmap *p);

/* ---- target variables: registers and memory, read safely (loc.c) ---- */

u64 stp_dwarf_reg(struct stp_context *c, int n);
#define STP_REG(c, n) stp_dwarf_reg(c, n)
s64 stp_kread(struct stp_context *c, u64 addr, int size, bool is_signed);
u64 stp_kread_u64(struct stp_context *c, u64 addr);
bool stp_kread_string(struct stp_context *c, u64 addr, char *buf, size_t size);
s64 stp_uread(struct stp_context *c, u64 addr, int size, bool is_signed);
bool stp_uread_string(struct stp_context *c, u64 addr, char *buf, size_t size);
s64 stp_bitfield(s64 unit, int shift, int width, bool is_signed);
u64 stp_kaslr(u64 link_addr);
/* A module's symbol, where the module is loaded now (errors if it is not). */
u64 stp_kmod_addr(struct stp_context *c, const char *module, const char *symbol);
/* The same for module init: 0, -ENODEV (not loaded) or -ENOENT (no such symbol). */
long stp_kmod_lookup(const char *module, const char *symbol, u64 *addr);
/* Guru mode (-g) writes: size bytes of kernel memory, or a register. */
void stp_kwrite(struct stp_context *c, u64 addr, int size, s64 v);
void stp_dwarf_reg_set(struct stp_context *c, int n, s64 v);
/* A register as it was at the entry of the function a .return probe is on
   (kept for .return probes with save_entry: kprobe.c, uprobe.c). */
u64 stp_entry_reg(struct stp_context *c, int n);
#define STP_ENTRY_REG(c, n) stp_entry_reg(c, n)
/* Where the above are, for the .return probe running on this CPU:
   set by stp_run_with_entry. */
struct stp_entry_state {
	struct pt_regs *regs;
	s64 *slots;
};
DECLARE_PER_CPU(struct stp_entry_state, stp_entry_state);

/* @entry(expr): slot k of the kretprobe instance, filled at entry */
s64 stp_entry_slot(struct stp_context *c, int k);
u64 stp_entry_slot_addr(struct stp_context *c, int k);

/* ---- state the tapset library keeps per CPU (tapset.c) ---- */

struct stp_tapset_cpu {
	struct rnd_state rnd;	/* randint() */
	char *tok;		/* tokenize(): a copy of its input ... */
	size_t tok_next;	/* ... and where the next token starts */
	char *scratch;		/* MAXSTRINGLEN bytes for one function's use */
};

struct stp_tapset_cpu *stp_tapset_cpu(void);
/*
 * c->last_error after abort(): the handler unwinds as from an error,
 * but try/catch passes it on and the handler clears it at its end.
 */
extern const char stp_abort_error[];

/* ---- regular expressions (regex.c) ---- */

enum stp_rx_op { RX_CHAR, RX_ANY, RX_CLASS, RX_SPLIT, RX_JMP, RX_SAVE, RX_BOL, RX_EOL,
		 RX_MATCH };

struct stp_rx_insn {
	u8 op;			/* enum stp_rx_op */
	u8 arg;			/* RX_CHAR: the byte; RX_SAVE: the slot */
	u16 x, y;		/* RX_SPLIT/RX_JMP targets; RX_CLASS: x is the class */
};

struct stp_regex {
	const struct stp_rx_insn *insns;
	u16 ninsns;
	const u32 (*classes)[8];	/* 256-bit sets for [ ] */
	u8 ngroups;
};

s64 stp_regex_match(const struct stp_regex *rx, const char *subject);
int stp_regex_matched(int n, char *buf, size_t size);
int stp_regex_ngroups(void);

/* ---- the transport (transport.c) ---- */

/* Module init: buffers of stp_script.bufsize per CPU, /proc/stap_NAME. */
int stp_transport_init(void);
void stp_transport_exit(void);
/*
 * Queues one message for stapio.  Never blocks or sleeps; returns
 * -ENOSPC (and counts a drop) when this CPU's buffer is full, -EBUSY (a
 * drop too) when an NMI interrupted this CPU's writer, -ENODEV before
 * init or after exit.  A buffer holds at least 128 KiB (bufsize is
 * rounded up to a power of two) so that the largest message fits.  Callers
 * either own this CPU's stp_context or run with preemption disabled in
 * process context; the transport itself disables interrupts around the
 * copy so that one CPU's buffer never sees two writers at once.
 * Messages other than STP_MSG_OUTPUT may use a small reserve at the end
 * of the buffer, so that errors get through even when output has filled
 * it.
 */
int stp_transport_write(enum stp_msg_type type, const void *data, size_t len);
/*
 * Posts STP_MSG_STARTED, STP_MSG_EXIT_REQUEST or STP_MSG_STOPPED (len at
 * most sizeof(struct stp_stopped)), each at most once: never dropped,
 * never blocks, safe in any context.  -EEXIST if it was posted already.
 */
int stp_transport_post(enum stp_msg_type type, const void *data, size_t len);
/* Messages dropped so far because a buffer was full. */
u64 stp_transport_drops(void);

/*
 * Called by the transport from write(), in process context, for stapio's
 * commands: they run the begin or end probes before they return.
 */
void stp_control_start(void);
void stp_control_stop(void);

/* ---- the session (module.c) ---- */

enum stp_session_state {
	STP_SESSION_LOADED,
	STP_SESSION_STARTING,
	STP_SESSION_RUNNING,
	STP_SESSION_STOPPING,
	STP_SESSION_STOPPED,
};
extern atomic_t stp_session_state;
extern atomic_t stp_error_count;
extern atomic_t stp_suppressed_count;	/* of those, --suppress-handler-errors' */
extern atomic_t stp_skipped_count;
/* target(): the pid of stap -x PID or of the -c command, else 0 */
extern int stp_target_pid;
/* stp_pid() and is_myproc(): the process id and real uid of the stapio
   that opened /proc/stap_NAME last (set on open, before "start"). */
extern int stp_stapio_pid;
extern u32 stp_stapio_uid;
/* Module parameters for 64-bit script globals (-G var=value). */
extern const struct kernel_param_ops stp_param_ops_s64;

/*
 * The module parameter "NAME" of global g_NAME.  module_param_cb() and
 * module_param_string() would macro-expand a script's name such as
 * "current" or "HZ", so NAME is only ever stringified or pasted here.
 */
#define STP_PARAM_(pname, param, str, pops, member, argp)			\
	static const char pname[] = str;					\
	static struct kernel_param __moduleparam_const param			\
	__used __section("__param") __aligned(__alignof__(struct kernel_param)) = { \
		.name = pname, .mod = THIS_MODULE, .ops = pops, .level = -1,	\
		.member = argp }
#define STP_PARAM_LONG(name)							\
	STP_PARAM_(stp_param_name_##name, stp_param_##name, #name,		\
		   &stp_param_ops_s64, arg, &g_##name);				\
	__MODULE_INFO(parmtype, name##type, #name ":long")
#define STP_PARAM_STRING(name)							\
	static const struct kparam_string stp_param_str_##name = {		\
		MAXSTRINGLEN, g_##name };					\
	STP_PARAM_(stp_param_name_##name, stp_param_##name, #name,		\
		   &param_ops_string, str, &stp_param_str_##name);		\
	__MODULE_INFO(parmtype, name##type, #name ":string")

/* ---- between runtime files; generated code does not call these ---- */

int stp_contexts_init(void);
void stp_contexts_exit(void);
int stp_regex_init(void);
void stp_usym_init(void);
void stp_usym_exit(void);
int stp_tapset_init(void);
void stp_tapset_exit(void);
void stp_regex_exit(void);
void stp_run_session_probes(const struct stp_probe *const *probes, int n);
void stp_error_limit_check(void);
void stp_skipped_limit_check(void);
struct tracepoint *stp_find_tracepoint(const char *name);
/* "ERROR: cannot probe PP: WHY (error RC)", for a failed registration */
void stp_probe_failed(const struct stp_probe *probe, const char *why, long rc);

/*
 * ---- one probe hit ----
 * Inline in every family's handler: this is the path each hit takes,
 * and a call, a register save and a generic state switch here cost more
 * than the rest of a small probe.  The rare work (output, errors, a
 * skipped hit, the overload check) is out of line in context.c.
 */
extern struct stp_context __percpu *stp_contexts;
void stp_skip(void);
void stp_probe_finish(struct stp_context *c);
void stp_overload_check(struct stp_context *c, u64 now);

static __always_inline int stp_state_for(int kind)
{
	switch (kind) {
	case STP_PROBE_BEGIN:
		return STP_SESSION_STARTING;
	case STP_PROBE_END:
	case STP_PROBE_ERROR:
		return STP_SESSION_STOPPING;
	default:
		return STP_SESSION_RUNNING;
	}
}

/* stap -t: one hit of p that took cycles, on this CPU (preemption is off) */
static __always_inline void stp_time_probe(const struct stp_probe *p, u64 cycles)
{
	struct stp_probe_time *t;

	if (p->index < 0 || p->index >= stp_script.nprobes)
		return;
	t = this_cpu_ptr(stp_probe_times) + p->index;
	if (!t->hits || cycles < t->min)
		t->min = cycles;
	if (cycles > t->max)
		t->max = cycles;
	t->hits++;
	t->sum += cycles;
	t->sumsq += cycles * cycles;
}

static __always_inline void stp_run_probe(const struct stp_probe *p, struct pt_regs *regs)
{
	struct stp_context *c;
	int state = atomic_read(&stp_session_state);
	u64 start = 0;

	if (likely(p->kind == STP_PROBE_NORMAL) ? state != STP_SESSION_RUNNING :
						    state != stp_state_for(p->kind))
		return;
	preempt_disable();
	if (unlikely(this_cpu_inc_return(stp_contexts->busy) != 1)) {
		/* a probe hit inside another on this CPU */
		stp_skip();
		goto out;
	}
	c = this_cpu_ptr(stp_contexts);
	if ((stp_script.overload_interval && p->kind == STP_PROBE_NORMAL) ||
	    unlikely(stp_probe_times))
		start = get_cycles();
	c->probe = p;
	c->last_error = NULL;
	c->error_near = NULL;
	c->actions = p->kind == STP_PROBE_NORMAL ? stp_script.maxaction :
						    stp_script.maxaction_interruptible;
	c->nesting = 0;
	c->frame_top = 0;
	c->regs = regs;
	p->handler(c);
	if (unlikely(c->out.len || c->last_error))
		stp_probe_finish(c);
	if (start) {
		u64 now = get_cycles();

		if (unlikely(stp_probe_times))
			stp_time_probe(p, now - start);
		if (stp_script.overload_interval && p->kind == STP_PROBE_NORMAL) {
			c->cycles_in_probes += now - start;
			if (unlikely(now - c->interval_start >= stp_script.overload_interval))
				stp_overload_check(c, now);
		}
	}
out:
	this_cpu_dec(stp_contexts->busy);
	preempt_enable();
}

/*
 * Runs a probe with entry_regs and slots as the entry state that its
 * STP_ENTRY_REG and @entry reads see (a .return probe, or the helper
 * probe that fills the slots at entry), then puts back what was there:
 * a kprobe's handler may interrupt a uprobe's on the same CPU.
 */
static __always_inline void stp_run_with_entry(const struct stp_probe *p, struct pt_regs *regs,
					       struct pt_regs *entry_regs, s64 *slots)
{
	struct stp_entry_state old;

	preempt_disable();
	old = *this_cpu_ptr(&stp_entry_state);
	this_cpu_write(stp_entry_state.regs, entry_regs);
	this_cpu_write(stp_entry_state.slots, slots);
	stp_run_probe(p, regs);
	this_cpu_write(stp_entry_state.regs, old.regs);
	this_cpu_write(stp_entry_state.slots, old.slots);
	preempt_enable();
}

/* ---- probe families ---- */

struct stp_timer {
	const struct stp_probe *probe;
	u64 period_ns;
	u64 randomize_ns;	/* 0: fixed period */
	struct hrtimer timer;
};
extern const struct stp_family_ops stp_timer_ops;

struct stp_profile_timer;
struct stp_profile_cpu {
	struct hrtimer timer;
	struct stp_profile_timer *owner;
	bool started;
};
struct stp_profile_timer {
	const struct stp_probe *probe;
	u64 period_ns;
	struct stp_profile_cpu __percpu *cpus;
};
extern const struct stp_family_ops stp_profile_ops;

struct stp_kprobe {
	const struct stp_probe *probe;
	const char *symbol;	/* NULL: at addr */
	unsigned int offset;
	unsigned long addr;	/* kprobe.statement(ADDR).absolute (-g) */
	bool is_return;
	bool optional;		/* probe point?: skipped when it cannot be registered */
	int maxactive;		/* .return: concurrent instances, 0 for the default */
	atomic_t inflight;	/* .return with maxactive, run by kprobe.c's ftrace_ops */
	bool save_entry;	/* .return: keep the entry registers (stp_entry_reg) */
	const struct stp_probe *entry_probe;	/* .return: run at entry, fills ... */
	int nslots;		/* ... this many @entry slots (stp_entry_slot) */
	bool registered;
	bool on_ftrace;		/* run by kprobe.c's ftrace_ops; its kprobe stays disabled */
	bool uses_rp;		/* u is a kretprobe (else a kprobe) */
	union {
		struct kprobe kp;
		struct kretprobe rp;
	} u;
};
extern const struct stp_family_ops stp_kprobe_ops;

/* .return probes there (kprobe_ret.c) */
#define STP_RET_ENTRY_SLOTS 16	/* @entry values a call keeps; more: a kretprobe */
bool stp_ret_start(void);
void stp_ret_enter(struct stp_kprobe *p, struct pt_regs *regs);
void stp_ret_stop(struct stp_kprobe *table, int n);
/* a .return probe's stub met on a stack: the real return address */
unsigned long stp_ret_real_addr(unsigned long addr);

struct tracepoint;
struct stp_tracepoint {
	const struct stp_probe *probe;
	const char *name;	/* "sched_switch" */
	const char *module;	/* the module defining it, or NULL: the core kernel */
	void *handler;		/* generated: takes the tracepoint's arguments */
	bool optional;
	struct tracepoint *tp;
	struct module *mod;	/* module: the one it is registered in */
	bool registered;
};
extern const struct stp_family_ops stp_tracepoint_ops;

struct inode;
struct stp_uprobe {
	const struct stp_probe *probe;
	const char *path;	/* the program or library */
	const char *exe;	/* .library: fires only in this program's processes */
	loff_t offset;		/* in the file */
	loff_t ref_ctr_offset;	/* an SDT marker's semaphore, in the file; 0: none */
	const char *build_id;	/* the file's at translation, checked first ... */
	int build_id_len;	/* ... if not 0 */
	bool is_return;
	bool optional;
	bool save_entry;	/* .return: keep the entry registers (stp_entry_reg) */
	const struct stp_probe *entry_probe;	/* .return: run at entry, fills ... */
	int nslots;		/* ... this many @entry slots (stp_entry_slot) */
	struct inode *inode;
	struct inode *exe_inode;
	struct uprobe_consumer uc;
#ifdef STP_HAVE_UPROBE_REGISTER_UPROBE
	struct uprobe *uprobe;	/* what uprobe_register() returned */
#endif
	struct stp_uentry_table *entries;	/* save_entry: the calls in progress */
	struct stp_uprobe *fills;	/* @entry's probe after the prologue: of this .return */
	bool registered;
};
extern const struct stp_family_ops stp_uprobe_ops;
/*
 * 0 if found (found_len bytes) is want; otherwise sends SystemTap's
 * "Build-id mismatch" error naming name and returns -ESTALE (module.c).
 */
int stp_check_build_id(const char *name, const char *want, int want_len, const u8 *found,
		       int found_len);

struct stp_process_probe {
	const struct stp_probe *probe;
	const char *path;	/* NULL: any program */
	pid_t pid;		/* process(PID).syscall: that process only */
	bool is_end;
	bool is_syscall;	/* .syscall, or with is_return .syscall.return */
	bool is_return;
	bool is_thread;		/* .thread.begin, .thread.end (with is_end) */
	struct inode *inode;	/* of path, while registered */
};
/* process(...).syscall's $syscall, $argN (1 to 6) and $return */
s64 stp_syscall_nr(struct stp_context *c);
s64 stp_syscall_arg(struct stp_context *c, int n);
s64 stp_syscall_return(struct stp_context *c);
extern const struct stp_family_ops stp_process_ops;

struct proc_dir_entry;
struct stp_procfs {
	const struct stp_probe *probe;
	const char *name;	/* /proc/systemtap/MODULE/name */
	bool is_write;
	size_t maxsize;		/* .read.maxsize(N) */
	int umask;
	bool has_umask;
	struct stp_procfs *next;	/* the next entry of this name: all run, in order */
	/* the file, in the first entry of its name (owner) */
	struct stp_procfs *owner;
	bool readable, writable;
	char *buf;
	size_t bufsize;
	struct mutex lock;
	struct proc_dir_entry *entry;
};
extern const struct stp_family_ops stp_procfs_ops;

/* stdin.char, stdin.line (stdin.c): what stapio reads from its stdin */
struct stp_stdin {
	const struct stp_probe *probe;
	bool line;		/* stdin.line: a whole line; else one byte */
};
extern const struct stp_family_ops stp_stdin_ops;
/* "input BYTES" from stapio: runs the stdin probes; -EINVAL if there are none */
int stp_stdin_deliver(const char __user *buf, size_t len);
struct perf_event;
struct stp_perf {
	const struct stp_probe *probe;
	u32 type;		/* PERF_TYPE_* */
	u64 config;		/* PERF_COUNT_* */
	u64 period;		/* counts between samples, or samples a second with freq */
	bool freq;
	bool optional;		/* probe point?: skipped when the event does not exist */
	struct perf_event **events;	/* one per CPU (nr_cpu_ids), NULL where none */
};
extern const struct stp_family_ops stp_perf_ops;

struct nf_hook_ops;
struct stp_netfilter {
	const struct stp_probe *probe;
	u8 pf;			/* NFPROTO_* */
	u8 hooknum;		/* NF_INET_*, NF_ARP_*, NF_BR_* */
	int priority;
	struct nf_hook_ops *ops;	/* while registered */
};
/* The target variables of the netfilter probe running on this CPU. */
enum stp_nf_var { STP_NF_HOOKNUM, STP_NF_SKB, STP_NF_IN, STP_NF_OUT, STP_NF_OKFN,
		  STP_NF_VERDICT };
s64 stp_nf_var(struct stp_context *c, int var);
u64 stp_nf_verdict_addr(struct stp_context *c);	/* $verdict = v (-g) */
const char *stp_nf_devname(struct stp_context *c, bool out);
extern const struct stp_family_ops stp_netfilter_ops;

struct stp_hwbkpt {
	const struct stp_probe *probe;
	u64 addr;		/* absolute, or link-time with kaslr */
	bool kaslr;		/* a symbol of the kernel image: relocate addr */
	const char *module;	/* or a module's symbol, looked up at registration */
	const char *symbol;
	u8 len;			/* 1, 2, 4 or 8 bytes */
	bool rw;		/* reads too, not only writes */
	bool optional;
	struct perf_event * __percpu *events;	/* one per CPU, while registered */
};
extern const struct stp_family_ops stp_hwbkpt_ops;

#endif /* STP_H */
