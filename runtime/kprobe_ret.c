// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kprobe_ret.c - .return probes on kernel functions' ftrace sites, hooked
 * by kprobe.c's ftrace_ops (with kprobe_ret_stubs.S, where they return to).
 *
 * A kretprobe costs 390 instructions per call before any handler runs
 * (kprobe_ftrace_handler, rethook's instance list, its trampoline saving
 * every register; doc/performance.md), and 6.1 offers modules nothing
 * cheaper: rethook, fprobe and the function-graph tracer are not
 * exported (6.12 exports fprobes, which cost more than this:
 * doc/kernels.md).  So our ftrace_ops does what they do, with a fixed
 * table: at entry it takes a free slot, keeps the return address there
 * and puts the address of the slot's stub (kprobe_ret_stubs.S) in its
 * place; the function returns to the stub, which calls stp_ret_hit.
 *
 * A function still running when the script stops would return into
 * freed module text, so stp_ret_stop puts each one's return address back
 * (all CPUs stopped), for every task, the CPUs' idle tasks included: on
 * its stack, or where a kretprobe, the function graph tracer or another
 * stap module that hooked the same return after us keeps it (the graph
 * tracer's layout changed in 6.8: the kernel's feature tests say which
 * one this kernel has).  Returns it cannot reach (a hook it does not
 * know) are waited for, 10 s, then by a thread that keeps the module
 * loaded until they have passed.  Then it waits until no task can still
 * be inside a stub (RCU tasks).  A task that exits inside a probed
 * function never returns: its slot is freed with the task.
 */
#include <linux/kprobes.h>
#include <linux/ftrace.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/stop_machine.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/rethook.h>
#include "stp.h"

#if STP_USE_FTRACE
#define STP_RET_SLOTS 256	/* the stubs in kprobe_ret_stubs.S */

enum {
	STP_RET_FREE,
	STP_RET_BUSY,
	STP_RET_ORPHAN,		/* stopping: the return goes back without the probe */
	STP_RET_PENDING,	/* stopping, and the return must still pass the stub */
};

struct stp_ret_slot {
	int state;
	struct stp_kprobe *kp;
	unsigned long ret_addr;		/* where the function really returns */
	unsigned long *frame;		/* the stack word that held it */
	struct task_struct *task;	/* compared only, unless idle */
	bool idle;			/* task is a CPU's idle task (pid 0): never freed */
	/* then pt_regs at entry and STP_RET_ENTRY_SLOTS @entry values */
};

extern char stp_ret_stubs[];
unsigned long stp_ret_hit(struct pt_regs *regs, unsigned long *retword);

static char *stp_ret_pool;		/* shared by the tables, while one has returns */
static size_t stp_ret_slot_size;
static int stp_ret_users;

/*
 * What another stap module reads to follow a return hooked by us, found
 * through stp_ret_v1_desc (kprobe_ret_stubs.S).  Changing this or the
 * first five fields of struct stp_ret_slot needs a new version name
 * there (fields appended after them change nothing another module reads).
 */
struct stp_ret_desc {
	unsigned long stubs;
	char **pool;
	size_t *slot_size;
};
const struct stp_ret_desc stp_ret_desc = {
	(unsigned long)stp_ret_stubs, &stp_ret_pool, &stp_ret_slot_size,
};
static struct tracepoint *stp_ret_free_tp;
static DEFINE_PER_CPU(unsigned int, stp_ret_next);	/* where this CPU looks first */

static inline struct stp_ret_slot *stp_ret_slot(unsigned int i)
{
	return (struct stp_ret_slot *)(stp_ret_pool + i * stp_ret_slot_size);
}

static inline unsigned long stp_ret_stub(unsigned int i)
{
	return (unsigned long)stp_ret_stubs + 1 + 5 * i;
}

static inline struct pt_regs *stp_ret_entry_regs(struct stp_ret_slot *s)
{
	return (struct pt_regs *)(s + 1);
}

static inline s64 *stp_ret_entry_slots(struct stp_ret_slot *s)
{
	return (s64 *)(stp_ret_entry_regs(s) + 1);
}

/* a free slot, searched from where this CPU found the last one */
static struct stp_ret_slot *stp_ret_claim(unsigned int *index)
{
	unsigned int i = __this_cpu_read(stp_ret_next), k;

	for (k = 0; k < STP_RET_SLOTS; k++, i = (i + 1) % STP_RET_SLOTS) {
		struct stp_ret_slot *s = stp_ret_slot(i);

		if (READ_ONCE(s->state) == STP_RET_FREE &&
		    cmpxchg(&s->state, STP_RET_FREE, STP_RET_BUSY) == STP_RET_FREE) {
			__this_cpu_write(stp_ret_next, (i + 1) % STP_RET_SLOTS);
			*index = i;
			return s;
		}
	}
	return NULL;
}

static void stp_ret_release(struct stp_ret_slot *s)
{
	if (s->kp->maxactive)
		atomic_dec(&s->kp->inflight);
	WRITE_ONCE(s->task, NULL);
	smp_store_release(&s->state, STP_RET_FREE);
}

/* Out of line: a return probe without parameters or @entry pays nothing for it. */
static noinline void stp_ret_save_entry(struct stp_kprobe *p, struct pt_regs *regs,
					struct stp_ret_slot *s)
{
	memcpy(stp_ret_entry_regs(s), regs, sizeof(*regs));
	if (p->entry_probe) {
		memset(stp_ret_entry_slots(s), 0, p->nslots * sizeof(s64));
		stp_run_with_entry(p->entry_probe, regs, regs, stp_ret_entry_slots(s));
	}
}

void notrace stp_ret_enter(struct stp_kprobe *p, struct pt_regs *regs)
{
	unsigned long *frame = (unsigned long *)kernel_stack_pointer(regs);
	struct stp_ret_slot *s;
	unsigned int i;

	if (atomic_read(&stp_session_state) != STP_SESSION_RUNNING)
		return;
	preempt_disable_notrace();
	if (p->maxactive && atomic_inc_return(&p->inflight) > p->maxactive) {
		atomic_dec(&p->inflight);
		stp_skip();
		goto out;
	}
	s = stp_ret_claim(&i);
	if (unlikely(!s)) {
		if (p->maxactive)
			atomic_dec(&p->inflight);
		stp_skip();
		goto out;
	}
	s->kp = p;
	s->ret_addr = *frame;
	s->frame = frame;
	s->task = current;
	s->idle = current->pid == 0;
	if (p->save_entry)
		stp_ret_save_entry(p, regs, s);
	*frame = stp_ret_stub(i);
out:
	preempt_enable_notrace();
}

static noinline void stp_ret_run_with_entry(struct stp_kprobe *p, struct pt_regs *regs,
					    struct stp_ret_slot *s)
{
	stp_run_with_entry(p->probe, regs, stp_ret_entry_regs(s), stp_ret_entry_slots(s));
}

/*
 * Called by stp_ret_common with the registers at the return; retword is
 * the word the function returned from, now holding stub + 5.  Returns
 * where the function really returns to.
 */
unsigned long notrace stp_ret_hit(struct pt_regs *regs, unsigned long *retword)
{
	unsigned int i = (*retword - (unsigned long)stp_ret_stubs - 6) / 5;
	struct stp_ret_slot *s = stp_ret_slot(i);
	unsigned long ret = s->ret_addr;
	struct stp_kprobe *p = s->kp;

	/* a backtrace in the probe then walks on to the real caller */
	*retword = ret;
	regs->ip = ret;
	regs->sp = (unsigned long)(retword + 1);
	regs->cs = __KERNEL_CS;
	regs->ss = __KERNEL_DS;
	regs->flags = native_save_fl();
	regs->orig_ax = -1;
	preempt_disable_notrace();
	/* stopping: the probes are gone, and stp_ret_stop may wait for this */
	if (unlikely(s->state == STP_RET_PENDING))
		smp_store_release(&s->state, STP_RET_ORPHAN);
	if (likely(s->state == STP_RET_BUSY)) {
		if (p->save_entry)
			stp_ret_run_with_entry(p, regs, s);
		else
			stp_run_probe(p->probe, regs);
		stp_ret_release(s);
	}
	preempt_enable_notrace();
	return ret;
}

/*
 * A stack walk met a stub: the real return address, where the walk goes
 * on (the kernel's unwinder stops at a stub).  Other addresses as given.
 */
unsigned long stp_ret_real_addr(unsigned long addr)
{
	unsigned long off = addr - (unsigned long)stp_ret_stubs - 1;
	struct stp_ret_slot *s;

	if (!stp_ret_pool || off >= 5 * STP_RET_SLOTS || off % 5)
		return addr;
	s = stp_ret_slot(off / 5);
	return READ_ONCE(s->state) == STP_RET_FREE ? addr : s->ret_addr;
}

/* a task is freed: the calls it never returned from give back their slots */
static void notrace stp_ret_task_freed(void *data, struct task_struct *t)
{
	unsigned int i;

	for (i = 0; i < STP_RET_SLOTS; i++) {
		struct stp_ret_slot *s = stp_ret_slot(i);

		if (READ_ONCE(s->state) == STP_RET_BUSY && READ_ONCE(s->task) == t)
			stp_ret_release(s);
	}
}

/* The slots, for a table with returns on ftrace sites. */
bool stp_ret_start(void)
{
	int cpu;

	BUILD_BUG_ON(sizeof(struct pt_regs) != 168);	/* PT_REGS_SIZE in kprobe_ret_stubs.S */
	if (stp_ret_users++)
		return true;
	stp_ret_free_tp = stp_find_tracepoint("sched_process_free");
	if (!stp_ret_free_tp)
		goto fail;
	stp_ret_slot_size = ALIGN(sizeof(struct stp_ret_slot) + sizeof(struct pt_regs) +
				  STP_RET_ENTRY_SLOTS * sizeof(s64), 64);
	stp_ret_pool = vzalloc(STP_RET_SLOTS * stp_ret_slot_size);
	if (!stp_ret_pool)
		goto fail;
	if (tracepoint_probe_register(stp_ret_free_tp, stp_ret_task_freed, NULL)) {
		vfree(stp_ret_pool);
		stp_ret_pool = NULL;
		goto fail;
	}
	for_each_possible_cpu(cpu)
		per_cpu(stp_ret_next, cpu) = cpu * STP_RET_SLOTS / nr_cpu_ids;
	return true;
fail:
	stp_ret_users--;
	return false;
}

/*
 * stp_ret_v1_desc of the module whose stub block ends at end: the first
 * function after it, at the next 16-byte boundary, or up to 48 bytes on
 * where the kernel pads each function (6.12's CONFIG_CALL_PADDING puts
 * 16 bytes, __pfx_stp_ret_v1_desc, before it).  NULL if it is not there.
 */
static void *stp_ret_find_desc(unsigned long end)
{
	char sym[KSYM_SYMBOL_LEN];
	unsigned long f = ALIGN(end, 16);
	int k;

	for (k = 0; k < 4; k++, f += 16) {
		sprint_symbol(sym, f);
		if (!strncmp(sym, "stp_ret_v1_desc+0x0/", 20))
			return (void *)f;
	}
	return NULL;
}

/*
 * The slot of a stap module, this one or another, whose stub is at addr
 * and which hooked this task's return at frame; NULL if there is none.
 */
static struct stp_ret_slot *stp_ret_any_slot(unsigned long addr, struct task_struct *t,
					     unsigned long *frame)
{
	const struct stp_ret_desc *(*describe)(void);
	const struct stp_ret_desc *d = &stp_ret_desc;
	char sym[KSYM_SYMBOL_LEN];
	unsigned long off, size;
	struct stp_ret_slot *s;

	off = addr - (unsigned long)stp_ret_stubs - 1;
	if (off >= 5 * STP_RET_SLOTS) {
		/* "stp_ret_stubs+0x6/0x510 [module]" */
		sprint_symbol(sym, addr);
		if (sscanf(sym, "stp_ret_stubs+0x%lx/0x%lx [", &off, &size) != 2)
			return NULL;
		describe = stp_ret_find_desc(addr - off + size);
		if (!describe)
			return NULL;
		d = describe();
		off = addr - d->stubs - 1;
		if (!*d->pool || off >= 5 * STP_RET_SLOTS)
			return NULL;
	}
	if (off % 5)
		return NULL;
	s = (struct stp_ret_slot *)(*d->pool + off / 5 * *d->slot_size);
	if (s->state == STP_RET_FREE || s->task != t || s->frame != frame)
		return NULL;
	return s;
}

/*
 * Where the return address of t's call at frame is kept when more than
 * one hook is on it: the stack word holds the last one's address (a stub,
 * or the kretprobe or graph tracer trampoline, whose records say where
 * they return), each hook keeps the one before it.  Puts ret where our
 * stub is kept; false if it is nowhere to be found.
 */
static bool stp_ret_follow(unsigned long *holder, struct task_struct *t, unsigned long *frame,
			   unsigned long stub, unsigned long ret)
{
	int depth;

	for (depth = 0; depth < 8; depth++) {
		struct stp_ret_slot *s;

		if (cmpxchg(holder, stub, ret) == stub)
			return true;
		s = stp_ret_any_slot(*holder, t, frame);
		if (!s)
			return false;
		holder = &s->ret_addr;
	}
	return false;
}

/*
 * Where the graph tracer keeps t's return from frame, if it hooked that
 * return after us: its return stack is an array of records before 6.8;
 * since, a stack of words where each call's record sits among other
 * tracers' data, at offsets only fgraph.c knows, so every word is tried
 * as the start of a record (stp_ret_follow checks what the record holds).
 */
#if defined(STP_HAVE_FGRAPH_RET_STACK_ENTRIES)
static bool stp_ret_fgraph_unhook(struct task_struct *t, unsigned long *frame,
				  unsigned long stub, unsigned long ret)
{
	int i, top = min(t->curr_ret_stack, FTRACE_RETFUNC_DEPTH - 1);

	for (i = 0; t->ret_stack && i <= top; i++)
		if (t->ret_stack[i].retp == frame &&
		    stp_ret_follow(&t->ret_stack[i].ret, t, frame, stub, ret))
			return true;
	return false;
}
#elif defined(STP_HAVE_FGRAPH_RET_STACK_WORDS)
static bool stp_ret_fgraph_unhook(struct task_struct *t, unsigned long *frame,
				  unsigned long stub, unsigned long ret)
{
	const int words = sizeof(struct ftrace_ret_stack) / sizeof(long);
	unsigned long *stack = t->ret_stack;
	int i, top = min_t(int, t->curr_ret_stack, PAGE_SIZE / sizeof(long)) - words;

	for (i = 0; stack && i <= top; i++) {
		struct ftrace_ret_stack *rs = (struct ftrace_ret_stack *)&stack[i];

		if (rs->retp == frame && stp_ret_follow(&rs->ret, t, frame, stub, ret))
			return true;
	}
	return false;
}
#else
static bool stp_ret_fgraph_unhook(struct task_struct *t, unsigned long *frame,
				  unsigned long stub, unsigned long ret)
{
	return false;	/* not found: the return is waited for */
}
#endif

static bool stp_ret_unhook(struct task_struct *t, unsigned long *frame,
			   unsigned long stub, unsigned long ret)
{
	unsigned long lo = (unsigned long)task_stack_page(t), f = (unsigned long)frame;

	if (f >= lo && f <= lo + THREAD_SIZE - sizeof(long) && stp_ret_follow(frame, t, frame, stub, ret))
		return true;
#ifdef STP_HAVE_RETHOOK_FRAME
	{
		struct rethook_node *rh;

		llist_for_each_entry(rh, t->rethooks.first, llist)
			if (rh->frame == f && stp_ret_follow(&rh->ret_addr, t, frame, stub, ret))
				return true;
	}
#endif
	return stp_ret_fgraph_unhook(t, frame, stub, ret);
}

/*
 * Under stop_machine: no CPU runs a probe, a stub's C half or a task's
 * exit, so stacks and the kernel's return records hold still.
 */
struct stp_ret_stopping {
	struct stp_kprobe *table;	/* the slots of these probes */
	int n;
	int pending;
};

static bool stp_ret_of(struct stp_ret_slot *s, struct stp_ret_stopping *st)
{
	return s->kp >= st->table && s->kp < st->table + st->n;
}

/* Puts back the return address of t's call in slot i, or marks it pending. */
static void stp_ret_orphan(struct stp_ret_stopping *st, unsigned int i, struct task_struct *t)
{
	struct stp_ret_slot *s = stp_ret_slot(i);

	s->state = STP_RET_ORPHAN;
	/* exited (stack gone): it never returns */
	if (!task_stack_page(t))
		return;
	if (stp_ret_unhook(t, s->frame, stp_ret_stub(i), s->ret_addr))
		return;
	/* inside the stub already, or under a hook we do not know */
	s->state = STP_RET_PENDING;
	st->pending++;
}

/*
 * Every task's calls still in flight, the idle tasks' too: they are on
 * no task list (for_each_process_thread skips them), and each one not
 * running is switched out inside schedule_idle(), so a .return on
 * schedule_idle or do_idle has a call in flight on every CPU.
 */
static int stp_ret_orphan_all(void *arg)
{
	struct stp_ret_stopping *st = arg;
	struct task_struct *proc, *t;
	unsigned int i;

	rcu_read_lock();
	for_each_process_thread(proc, t) {
		for (i = 0; i < STP_RET_SLOTS; i++) {
			struct stp_ret_slot *s = stp_ret_slot(i);

			if (s->state == STP_RET_BUSY && s->task == t && stp_ret_of(s, st))
				stp_ret_orphan(st, i, t);
		}
	}
	rcu_read_unlock();
	for (i = 0; i < STP_RET_SLOTS; i++) {
		struct stp_ret_slot *s = stp_ret_slot(i);

		if (s->state == STP_RET_BUSY && s->idle && stp_ret_of(s, st))
			stp_ret_orphan(st, i, s->task);
	}
	return 0;
}

/* the table's slots in state (PENDING, ORPHAN), and with FREE, set them free */
static int stp_ret_count(struct stp_ret_stopping *st, int state, bool free)
{
	int i, n = 0;

	for (i = 0; i < STP_RET_SLOTS; i++) {
		struct stp_ret_slot *s = stp_ret_slot(i);

		if (smp_load_acquire(&s->state) != state || !stp_ret_of(s, st))
			continue;
		n++;
		if (free) {
			WRITE_ONCE(s->task, NULL);
			smp_store_release(&s->state, STP_RET_FREE);
		}
	}
	return n;
}

/* How long a stop waits for returns still to pass a stub before it hands them on. */
#define STP_RET_WAIT_MS	10000

/* Waits up to ms for the table's pending returns; how many are left. */
static int stp_ret_wait(struct stp_ret_stopping *st, unsigned int ms)
{
	int pending = st->pending;
	unsigned int waited;

	for (waited = 0; pending && waited < ms; waited += 10) {
		msleep(10);
		pending = stp_ret_count(st, STP_RET_PENDING, false);
	}
	return pending;
}

/* serializes stp_ret_finish: a table's may run in stp_ret_waiter's thread */
static DEFINE_MUTEX(stp_ret_finish_mutex);

/* No return of the table is pending: its slots are freed, and the pool with the last table. */
static void stp_ret_finish(struct stp_ret_stopping *st)
{
	mutex_lock(&stp_ret_finish_mutex);
	if (--stp_ret_users) {
		/* a task preempted inside a stub, or in stp_ret_hit, is out of it after this */
		synchronize_rcu_tasks();
		stp_ret_count(st, STP_RET_ORPHAN, true);
		mutex_unlock(&stp_ret_finish_mutex);
		return;
	}
	tracepoint_probe_unregister(stp_ret_free_tp, stp_ret_task_freed, NULL);
	tracepoint_synchronize_unregister();
	synchronize_rcu_tasks();
	vfree(stp_ret_pool);
	stp_ret_pool = NULL;
	mutex_unlock(&stp_ret_finish_mutex);
}

/*
 * A thread of its own that waits for returns a stop left pending, with
 * the module pinned (its stubs must stay), then finishes the table and
 * lets the module go.
 */
static int stp_ret_waiter(void *arg)
{
	struct stp_ret_stopping *st = arg;

	while (stp_ret_wait(st, 60000))
		pr_warn("%s: still waiting for probed kernel functions to return\n",
			THIS_MODULE->name);
	stp_ret_finish(st);
	kfree(st);
	pr_info("%s: the probed kernel functions have returned: the module may be removed\n",
		THIS_MODULE->name);
	module_put_and_kthread_exit(0);
}

/*
 * Hands returns still pending after STP_RET_WAIT_MS to stp_ret_waiter,
 * so that the stop goes on (end probes, STP_MSG_STOPPED) and the module
 * stays loaded until they have passed.  false when it cannot: the module
 * is being removed (its text goes when its exit returns), or no thread.
 */
static bool stp_ret_hand_on(struct stp_ret_stopping *st, int pending)
{
	struct stp_ret_stopping *copy;
	struct task_struct *t;
	char msg[192];

	if (!try_module_get(THIS_MODULE))
		return false;
	copy = kmemdup(st, sizeof(*st), GFP_KERNEL);
	t = copy ? kthread_run(stp_ret_waiter, copy, "stap_ret_wait") : ERR_PTR(-ENOMEM);
	if (IS_ERR(t)) {
		kfree(copy);
		module_put(THIS_MODULE);
		return false;
	}
	snprintf(msg, sizeof(msg), "WARNING: %d probed kernel functions have not returned after "
		 "%d s: module %s stays loaded until they have\n", pending, STP_RET_WAIT_MS / 1000,
		 THIS_MODULE->name);
	stp_send_text(STP_MSG_WARNING, msg);
	return true;
}

/*
 * After the table's ftrace_ops is unregistered: none of its probes takes
 * a slot any more.  The returns that could not be put back (a task
 * inside a stub, or a hook we do not know on top of ours) are waited for
 * STP_RET_WAIT_MS, then by a thread of their own with the module pinned;
 * only in the module's exit, where nothing can keep its text, does the
 * wait go on here (with a warning every 5 s).
 */
void stp_ret_stop(struct stp_kprobe *table, int n)
{
	struct stp_ret_stopping st = { table, n, 0 };
	int pending;

	stop_machine(stp_ret_orphan_all, &st, NULL);
	pending = stp_ret_wait(&st, STP_RET_WAIT_MS);
	if (pending && stp_ret_hand_on(&st, pending))
		return;
	while ((pending = stp_ret_wait(&st, 5000)))
		pr_warn("%s: waiting for %d probed kernel functions to return\n",
			THIS_MODULE->name, pending);
	stp_ret_finish(&st);
}

#else
unsigned long stp_ret_real_addr(unsigned long addr)
{
	return addr;
}
#endif
