// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * context.c - running one probe hit: the per-CPU context, the global
 * locks a probe needs, and what happens to its errors.
 */
#include <linux/percpu.h>
#include <linux/vmalloc.h>
#include <linux/preempt.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/timex.h>
#include "stp.h"

#define STP_TRYLOCK_DELAY_US 10

struct stp_context __percpu *stp_contexts;
struct stp_probe_time __percpu *stp_probe_times;	/* stap -t: timing.c */

int stp_contexts_init(void)
{
	int cpu;

	stp_contexts = alloc_percpu(struct stp_context);
	if (!stp_contexts)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct stp_context *c = per_cpu_ptr(stp_contexts, cpu);

		c->frames = vzalloc(stp_script.frame_size);
		c->out.buf = vmalloc(stp_script.print_bufsize);
		if (!c->frames || !c->out.buf)
			goto nomem;
		/* the last byte is for vsnprintf's NUL (print.c) */
		c->out.cap = stp_script.print_bufsize - 1;
		c->out.is_output = true;
	}
	return 0;
nomem:
	stp_contexts_exit();
	return -ENOMEM;
}

void stp_contexts_exit(void)
{
	int cpu;

	if (!stp_contexts)
		return;
	for_each_possible_cpu(cpu) {
		struct stp_context *c = per_cpu_ptr(stp_contexts, cpu);

		vfree(c->frames);
		vfree(c->out.buf);
	}
	free_percpu(stp_contexts);
	stp_contexts = NULL;
}

void stp_send_text(enum stp_msg_type type, const char *text)
{
	unsigned long flags;

	/* process-context callers: keep to one CPU's buffer while writing */
	local_irq_save(flags);
	stp_transport_write(type, text, strlen(text));
	local_irq_restore(flags);
}

void stp_error(struct stp_context *c, const char *msg, const char *near)
{
	c->last_error = msg;
	c->error_near = near;
}

void stp_errorf(struct stp_context *c, const char *near, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->error_buf, sizeof(c->error_buf), fmt, ap);
	va_end(ap);
	c->last_error = c->error_buf;
	c->error_near = near;
}

/* "ERROR: division by 0 near operator '/' at <input>:1:23 in probe begin" */
static void stp_report_error(struct stp_context *c)
{
	char msg[384];

	atomic_inc(&stp_error_count);
	/*
	 * --suppress-handler-errors: as in SystemTap, the error is only
	 * counted; it is not reported and does not count against MAXERRORS.
	 */
	if (stp_script.suppress_handler_errors) {
		atomic_inc(&stp_suppressed_count);
		return;
	}
	if (c->error_near)
		snprintf(msg, sizeof(msg), "ERROR: %s near %s in probe %s\n",
			 c->last_error, c->error_near, c->probe->pp);
	else
		snprintf(msg, sizeof(msg), "ERROR: %s in probe %s\n",
			 c->last_error, c->probe->pp);
	stp_transport_write(STP_MSG_ERROR, msg, strlen(msg));
	stp_error_limit_check();
}

void stp_skip(void)
{
	atomic_inc(&stp_skipped_count);
	stp_skipped_limit_check();
}

/*
 * A busy global: retried STP_TRYLOCK_DELAY_US apart, MAXTRYLOCK times in
 * all (a vCPU holding the lock may not be running: the wait must be in
 * time, not in loop turns).  Gives up by skipping the hit.
 */
bool stp_lock_slow(stp_rwlock_t *l, bool write)
{
	int tries;

	for (tries = 1; tries < stp_script.maxtrylock; tries++) {
		udelay(STP_TRYLOCK_DELAY_US);
		if (write ? arch_write_trylock(l) : arch_read_trylock(l))
			return true;
	}
	stp_skip();
	return false;
}

/* After a handler that printed or failed. */
void stp_probe_finish(struct stp_context *c)
{
	if (c->out.len)
		stp_flush_output(c);
	if (c->last_error)
		stp_report_error(c);
}

/*
 * Handlers that eat the CPU stop the script: more than overload_threshold
 * cycles inside probes in any overload_interval cycles on one CPU.
 */
void stp_overload_check(struct stp_context *c, u64 now)
{
	if (c->cycles_in_probes > stp_script.overload_threshold &&
	    atomic_read(&stp_session_state) == STP_SESSION_RUNNING) {
		stp_send_text(STP_MSG_ERROR, "ERROR: probe overhead exceeded threshold\n");
		atomic_inc(&stp_error_count);
		stp_error_limit_check();
		stp_request_exit();
	}
	c->interval_start = now;
	c->cycles_in_probes = 0;
}

/* begin, end and error probes, one after the other, in process context */
void stp_run_session_probes(const struct stp_probe *const *probes, int n)
{
	int i;

	for (i = 0; i < n; i++)
		stp_run_probe(probes[i], NULL);
}

void *stp_frame_overflow(struct stp_context *c, const char *near)
{
	stp_error(c, "MAXNESTING exceeded", near);
	return NULL;
}
