// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stdin.c - stdin.char and stdin.line: the bytes of stapio's standard
 * input, which it writes to the control file as "input BYTES"
 * (stp_proto.h) once the probes are armed.  stdin.char runs once per
 * byte, $value that byte; stdin.line collects bytes up to a newline (at
 * most MAXSTRINGLEN - 1 of them: more are dropped) and then runs, $value
 * the line with its newline.  Both run inside stapio's write(), one
 * delivery at a time (a mutex), each hit as any other probe's.
 *
 * The read-only parameter _stp_stdin tells stapio to send its stdin: 2
 * when a stdin.char probe wants each key as it is typed, else 1.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "stp.h"

static int stp_stdin_mode;
module_param_named(_stp_stdin, stp_stdin_mode, int, 0444);

static DEFINE_MUTEX(stp_stdin_mutex);	/* deliveries, and registering */
static struct stp_stdin *stp_stdin_probes;	/* NULL while not registered */
static int stp_stdin_count;
static char *stp_stdin_line;		/* stdin.line's bytes so far */
static size_t stp_stdin_len;
static char stp_stdin_byte[2];		/* stdin.char's $value */

/* Runs the probes of one kind (line or not) with buf as their $value. */
static void stp_stdin_run(bool line, char *buf, size_t size)
{
	struct stp_context *c;
	int i;

	for (i = 0; i < stp_stdin_count; i++) {
		if (stp_stdin_probes[i].line != line)
			continue;
		preempt_disable();
		c = this_cpu_ptr(stp_contexts);
		c->procfs_buf = buf;
		c->procfs_size = size;
		stp_run_probe(stp_stdin_probes[i].probe, NULL);
		c->procfs_buf = NULL;
		preempt_enable();
	}
}

static void stp_stdin_take(char b)
{
	stp_stdin_byte[0] = b;
	stp_stdin_run(false, stp_stdin_byte, sizeof(stp_stdin_byte));
	if (!stp_stdin_line)
		return;
	if (stp_stdin_len < stp_script.maxstringlen - 1)
		stp_stdin_line[stp_stdin_len++] = b;
	if (b != '\n')
		return;
	stp_stdin_line[stp_stdin_len] = '\0';
	stp_stdin_run(true, stp_stdin_line, stp_script.maxstringlen);
	stp_stdin_len = 0;
}

int stp_stdin_deliver(const char __user *buf, size_t len)
{
	char chunk[64];
	size_t n, i;
	int rc = 0;

	mutex_lock(&stp_stdin_mutex);
	if (!stp_stdin_probes) {
		rc = -EINVAL;
		goto out;
	}
	while (len > 0) {
		n = min(len, sizeof(chunk));
		if (copy_from_user(chunk, buf, n)) {
			rc = -EFAULT;
			goto out;
		}
		for (i = 0; i < n; i++)
			stp_stdin_take(chunk[i]);
		buf += n;
		len -= n;
		cond_resched();
	}
out:
	mutex_unlock(&stp_stdin_mutex);
	return rc;
}

static int stp_stdin_register(void *probes, int n)
{
	struct stp_stdin *p = probes;
	int i, mode = 1;

	for (i = 0; i < n; i++)
		if (!p[i].line)
			mode = 2;
	mutex_lock(&stp_stdin_mutex);
	stp_stdin_line = kzalloc(stp_script.maxstringlen, GFP_KERNEL);
	if (!stp_stdin_line) {
		mutex_unlock(&stp_stdin_mutex);
		stp_send_text(STP_MSG_ERROR, "ERROR: cannot allocate the stdin line buffer\n");
		return -ENOMEM;
	}
	stp_stdin_len = 0;
	stp_stdin_probes = p;
	stp_stdin_count = n;
	stp_stdin_mode = mode;
	mutex_unlock(&stp_stdin_mutex);
	return 0;
}

/* Waits for a delivery in progress, whose probes are still running. */
static void stp_stdin_unregister(void *probes, int n)
{
	mutex_lock(&stp_stdin_mutex);
	stp_stdin_probes = NULL;
	stp_stdin_count = 0;
	stp_stdin_mode = 0;
	kfree(stp_stdin_line);
	stp_stdin_line = NULL;
	mutex_unlock(&stp_stdin_mutex);
}

const struct stp_family_ops stp_stdin_ops = {
	.name = "stdin",
	.register_probes = stp_stdin_register,
	.unregister_probes = stp_stdin_unregister,
};
