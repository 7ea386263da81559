// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * module.c - the session: module init and exit, and the life of a script.
 *
 *   loaded --start--> starting (begin probes) --> running
 *   running --exit() or stop--> stopping (end probes) --> stopped
 *   any --too many errors--> error (error probes) --> stopped
 *
 * stapio's commands arrive from the transport in process context, in a
 * write() that stapio makes from a thread of its own, so that begin and
 * end probes run as stapio (execname() is "stapio") while its main
 * thread keeps reading their output.  A mutex keeps a start and a stop
 * from overlapping.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "stp.h"

atomic_t stp_session_state = ATOMIC_INIT(STP_SESSION_LOADED);
atomic_t stp_error_count = ATOMIC_INIT(0);
atomic_t stp_suppressed_count = ATOMIC_INIT(0);
atomic_t stp_skipped_count = ATOMIC_INIT(0);
int stp_target_pid;
int stp_stapio_pid;
u32 stp_stapio_uid;
static atomic_t stp_exit_sent = ATOMIC_INIT(0);
static bool stp_errored;	/* the error limit was passed: error probes, not end */


static DEFINE_MUTEX(stp_control_mutex);
static bool stp_groups_registered;

/* Asks stapio, once, to send "stop". */
static void stp_send_exit_request(void)
{
	if (atomic_xchg(&stp_exit_sent, 1) == 0)
		stp_transport_post(STP_MSG_EXIT_REQUEST, NULL, 0);
}

void stp_request_exit(void)
{
	atomic_cmpxchg(&stp_session_state, STP_SESSION_RUNNING, STP_SESSION_STOPPING);
	atomic_cmpxchg(&stp_session_state, STP_SESSION_STARTING, STP_SESSION_STOPPING);
	stp_send_exit_request();
}

/* Called after each error: past MAXERRORS the script stops. */
/* A probe its family could not register: the script does not start. */
void stp_probe_failed(const struct stp_probe *probe, const char *why, long rc)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "ERROR: cannot probe %s: %s (error %ld)\n", probe->pp, why, rc);
	stp_send_text(STP_MSG_ERROR, msg);
}

/*
 * A binary that is not the one the script was translated against (a
 * kernel or program rebuilt since) would be probed at stale offsets:
 * SystemTap's error, with the first byte that differs, want vs found.
 */
int stp_check_build_id(const char *name, const char *want, int want_len, const u8 *found,
		       int found_len)
{
	char msg[256];
	int i;

	for (i = 0; i < want_len && i < found_len; i++)
		if ((u8)want[i] != found[i])
			break;
	if (i == want_len && found_len == want_len)
		return 0;
	if (!found_len)
		snprintf(msg, sizeof(msg), "ERROR: Build-id mismatch [man error::buildid]: \"%s\" "
			 "has no build-id now\n", name);
	else
		snprintf(msg, sizeof(msg), "ERROR: Build-id mismatch [man error::buildid]: \"%s\" "
			 "byte %d (0x%02x vs 0x%02x)\n", name, i, i < want_len ? (u8)want[i] : 0,
			 i < found_len ? found[i] : 0);
	stp_send_text(STP_MSG_ERROR, msg);
	return -ESTALE;
}

/* The running kernel's build-id, read from its notes, against the vmlinux's. */
static int stp_check_kernel_build_id(void)
{
	unsigned long addr = stp_script.kernel_build_id_link;
	int len = stp_script.kernel_build_id_len;
	u8 found[64];

	if (!stp_script.kernel_build_id)
		return 0;
	if (stp_script.kaslr_anchor)
		addr += stp_script.kaslr_anchor - stp_script.kaslr_anchor_link;
	if (len > sizeof(found) || copy_from_kernel_nofault(found, (void *)addr, len))
		len = 0;
	return stp_check_build_id("kernel", stp_script.kernel_build_id,
				  stp_script.kernel_build_id_len, found, len);
}

void stp_error_limit_check(void)
{
	if (atomic_read(&stp_error_count) <= stp_script.maxerrors)
		return;
	stp_errored = true;
	stp_request_exit();
}

void stp_skipped_limit_check(void)
{
	/* --suppress-handler-errors lifts MAXSKIPPED too, as in SystemTap */
	if (stp_script.suppress_handler_errors)
		return;
	if (atomic_read(&stp_skipped_count) <= stp_script.maxskipped)
		return;
	if (atomic_read(&stp_session_state) != STP_SESSION_RUNNING)
		return;
	stp_send_text(STP_MSG_ERROR, "ERROR: Skipped too many probes, check MAXSKIPPED\n");
	atomic_inc(&stp_error_count);
	stp_errored = true;
	stp_request_exit();
}

static int stp_register_groups(void)
{
	int i, rc;

	for (i = 0; i < stp_script.ngroups; i++) {
		const struct stp_probe_group *g = &stp_script.groups[i];

		/* a family that fails says why, naming the probe point */
		rc = g->ops->register_probes(g->probes, g->n);
		if (rc) {
			while (--i >= 0) {
				g = &stp_script.groups[i];
				g->ops->unregister_probes(g->probes, g->n);
			}
			return rc;
		}
	}
	stp_groups_registered = true;
	return 0;
}

static void stp_unregister_groups(void)
{
	int i;

	if (!stp_groups_registered)
		return;
	for (i = stp_script.ngroups - 1; i >= 0; i--) {
		const struct stp_probe_group *g = &stp_script.groups[i];

		g->ops->unregister_probes(g->probes, g->n);
	}
	stp_groups_registered = false;
}

static void stp_start(void)
{
	if (atomic_cmpxchg(&stp_session_state, STP_SESSION_LOADED,
			   STP_SESSION_STARTING) != STP_SESSION_LOADED)
		return;
	stp_run_session_probes(stp_script.begin, stp_script.nbegin);
	if (atomic_read(&stp_session_state) != STP_SESSION_STARTING)
		return;		/* exit() or an error in a begin probe */
	if (stp_check_kernel_build_id() || stp_register_groups()) {
		atomic_inc(&stp_error_count);
		stp_errored = true;
		stp_request_exit();
		return;
	}
	/* like SystemTap, a script runs until exit(), an error or ^C */
	if (atomic_cmpxchg(&stp_session_state, STP_SESSION_STARTING,
			   STP_SESSION_RUNNING) == STP_SESSION_STARTING)
		stp_transport_post(STP_MSG_STARTED, NULL, 0);
}

/* Disarms everything and runs the end (or error) probes; idempotent. */
static void stp_stop_session(void)
{
	struct stp_stopped stopped;
	int state = atomic_read(&stp_session_state);
	int i;

	if (state == STP_SESSION_STOPPED)
		return;
	atomic_set(&stp_session_state, STP_SESSION_STOPPING);
	stp_unregister_groups();
	if (state != STP_SESSION_LOADED) {
		/* as in SystemTap, an end probe's error skips the end probes after it */
		for (i = 0; i < stp_script.nend && !stp_errored; i++)
			stp_run_session_probes(&stp_script.end[i], 1);
		if (stp_errored)
			stp_run_session_probes(stp_script.error, stp_script.nerror);
	}
	atomic_set(&stp_session_state, STP_SESSION_STOPPED);
	/* stap -t: the probe hit report comes before the totals, as in SystemTap */
	if (stp_script.timing && state != STP_SESSION_LOADED)
		stp_script.timing->report();
	/*
	 * The totals travel in STP_MSG_STOPPED, which is never dropped, and
	 * stapio reports them: a warning in a buffer that a flood filled
	 * could be.  Suppressed errors are in the total, but do not make
	 * stap fail.
	 */
	stopped.errors_all = atomic_read(&stp_error_count);
	stopped.errors = stopped.errors_all - atomic_read(&stp_suppressed_count);
	stopped.skipped = atomic_read(&stp_skipped_count);
	stopped.drops = stp_transport_drops();
	stp_transport_post(STP_MSG_STOPPED, &stopped, sizeof(stopped));
}

void stp_control_start(void)
{
	mutex_lock(&stp_control_mutex);
	stp_start();
	mutex_unlock(&stp_control_mutex);
}

void stp_control_stop(void)
{
	mutex_lock(&stp_control_mutex);
	stp_stop_session();
	mutex_unlock(&stp_control_mutex);
}

/* -G var=value and staprun's name=value: 64-bit script globals. */
static int stp_param_set_s64(const char *val, const struct kernel_param *kp)
{
	return kstrtoll(val, 0, (s64 *)kp->arg);
}

static int stp_param_get_s64(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", *(s64 *)kp->arg);
}

const struct kernel_param_ops stp_param_ops_s64 = {
	.set = stp_param_set_s64,
	.get = stp_param_get_s64,
};

/*
 * A module links only the runtime files its code reaches (see
 * translator/build.c), so regex.c, tapset.c and usym.c, whose state is
 * made here at init, and stdin.c, which the transport calls, may be
 * missing.  These do-nothing stand-ins take their place then; when a
 * file is linked, its own definitions win.
 */
int __weak stp_regex_init(void)
{
	return 0;
}

void __weak stp_regex_exit(void)
{
}

int __weak stp_tapset_init(void)
{
	return 0;
}

void __weak stp_tapset_exit(void)
{
}

void __weak stp_usym_init(void)
{
}

void __weak stp_usym_exit(void)
{
}

/* No stdin probes: stapio has no business sending input. */
int __weak stp_stdin_deliver(const char __user *buf, size_t len)
{
	return -EINVAL;
}

static int __init stp_init(void)
{
	int rc;

	rc = stp_contexts_init();
	if (rc)
		return rc;
	if (stp_script.timing) {
		rc = stp_script.timing->init();
		if (rc)
			goto err_contexts;
	}
	rc = stp_regex_init();
	if (rc)
		goto err_contexts;
	rc = stp_tapset_init();
	if (rc)
		goto err_contexts;
	if (stp_script.init_globals) {
		rc = stp_script.init_globals();
		if (rc)
			goto err_contexts;
	}
	rc = stp_transport_init();
	if (rc)
		goto err_globals;
	stp_usym_init();
	return 0;

err_globals:
	if (stp_script.free_globals)
		stp_script.free_globals();
err_contexts:
	stp_tapset_exit();
	stp_regex_exit();
	if (stp_script.timing)
		stp_script.timing->exit();
	stp_contexts_exit();
	return rc;
}

static void __exit stp_exit(void)
{
	/* stapio may be gone: stop here if it did not */
	stp_control_stop();
	stp_transport_exit();
	stp_usym_exit();
	if (stp_script.free_globals)
		stp_script.free_globals();
	stp_tapset_exit();
	stp_regex_exit();
	if (stp_script.timing)
		stp_script.timing->exit();
	stp_contexts_exit();
}

module_init(stp_init);
module_exit(stp_exit);
