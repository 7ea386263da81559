// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procfs.c - procfs("NAME").read and .write: the file
 * /proc/systemtap/MODULE/NAME.  A read() from its start runs the .read
 * probes, which fill the file's buffer through $value; the reader then
 * gets the buffer.  A write() puts what was written (up to the buffer's
 * size) in the buffer and runs the .write probes.  A file's probes of a
 * kind run in the script's order (two "probe prometheus" bodies append
 * to one $value).  Both happen in the
 * reading or writing process, under the file's mutex; the probe itself
 * runs as any other (preemption off, no sleeping).
 */
#include <linux/proc_fs.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include "stp.h"

#define STP_PROCFS_ROOT "systemtap"

static struct proc_dir_entry *stp_procfs_dir;
static char stp_procfs_dir_name[80];	/* "systemtap/MODULE" */

/* Runs the file f's probes of one kind with its buffer as their $value. */
static void stp_procfs_run(struct stp_procfs *f, bool writes)
{
	struct stp_procfs *p;
	struct stp_context *c;

	for (p = f; p; p = p->next) {
		if (p->is_write != writes)
			continue;
		preempt_disable();
		c = this_cpu_ptr(stp_contexts);
		c->procfs_buf = f->buf;
		c->procfs_size = f->bufsize;
		stp_run_probe(p->probe, NULL);
		c->procfs_buf = NULL;
		preempt_enable();
	}
}

static ssize_t stp_procfs_read(struct file *file, char __user *ubuf, size_t count,
			       loff_t *ppos)
{
	struct stp_procfs *f = pde_data(file_inode(file));
	ssize_t rc;

	if (!f->readable)
		return -EINVAL;
	mutex_lock(&f->lock);
	if (*ppos == 0) {
		f->buf[0] = '\0';
		stp_procfs_run(f, false);
	}
	rc = simple_read_from_buffer(ubuf, count, ppos, f->buf, strnlen(f->buf, f->bufsize));
	mutex_unlock(&f->lock);
	return rc;
}

static ssize_t stp_procfs_write(struct file *file, const char __user *ubuf, size_t count,
				loff_t *ppos)
{
	struct stp_procfs *f = pde_data(file_inode(file));
	size_t n = min(count, f->bufsize - 1);

	if (!f->writable)
		return -EINVAL;
	mutex_lock(&f->lock);
	if (copy_from_user(f->buf, ubuf, n)) {
		mutex_unlock(&f->lock);
		return -EFAULT;
	}
	f->buf[n] = '\0';
	stp_procfs_run(f, true);
	mutex_unlock(&f->lock);
	return count;
}

static const struct proc_ops stp_procfs_fops = {
	.proc_read = stp_procfs_read,
	.proc_write = stp_procfs_write,
	.proc_lseek = default_llseek,
};

/* /proc/systemtap, which another script may have made already */
static int stp_procfs_make_dir(void)
{
	struct path path;

	if (kern_path("/proc/" STP_PROCFS_ROOT, 0, &path) == 0)
		path_put(&path);
	else if (!proc_mkdir(STP_PROCFS_ROOT, NULL))
		return -ENOMEM;
	snprintf(stp_procfs_dir_name, sizeof(stp_procfs_dir_name), STP_PROCFS_ROOT "/%s",
		 THIS_MODULE->name);
	stp_procfs_dir = proc_mkdir(stp_procfs_dir_name, NULL);
	return stp_procfs_dir ? 0 : -ENOMEM;
}

static void stp_procfs_unregister(void *probes, int n);

static int stp_procfs_register(void *probes, int n)
{
	struct stp_procfs *fs = probes, *last;
	int i, j, rc;

	rc = stp_procfs_make_dir();
	if (rc)
		goto fail;
	for (i = 0; i < n; i++) {
		struct stp_procfs *f = &fs[i];
		umode_t mode;

		/* the probes of one name share its file */
		for (j = 0; j < i && strcmp(fs[j].name, f->name); j++)
			;
		if (j < i) {
			f->owner = &fs[j];
			continue;
		}
		f->owner = f;
		mutex_init(&f->lock);
		last = f;
		for (j = i; j < n; j++) {
			if (strcmp(fs[j].name, f->name))
				continue;
			if (j > i)
				last = last->next = &fs[j];
			if (fs[j].is_write)
				f->writable = true;
			else
				f->readable = true;
			f->bufsize = max_t(size_t, f->bufsize, fs[j].maxsize + 1);
			if (fs[j].has_umask)
				f->umask = fs[j].umask, f->has_umask = true;
		}
		f->bufsize = max_t(size_t, f->bufsize, stp_script.maxstringlen);
		f->buf = kzalloc(f->bufsize, GFP_KERNEL);
		rc = -ENOMEM;
		if (!f->buf)
			goto fail;
		mode = f->has_umask ? ((f->readable ? 0444 : 0) | (f->writable ? 0222 : 0)) &
			~f->umask : (f->readable ? 0400 : 0) | (f->writable ? 0200 : 0);
		f->entry = proc_create_data(f->name, mode, stp_procfs_dir, &stp_procfs_fops, f);
		if (!f->entry)
			goto fail;
	}
	return 0;
fail:
	{
		char msg[256];

		snprintf(msg, sizeof(msg), "ERROR: cannot make /proc/%s/%s (error %d)\n",
			 stp_procfs_dir_name, i < n ? fs[i].name : "", rc);
		stp_send_text(STP_MSG_ERROR, msg);
	}
	stp_procfs_unregister(probes, n);
	return rc;
}

static void stp_procfs_unregister(void *probes, int n)
{
	struct stp_procfs *fs = probes;
	int i;

	/* removing the entries waits for the readers and writers in them */
	if (stp_procfs_dir)
		remove_proc_subtree(stp_procfs_dir_name, NULL);
	stp_procfs_dir = NULL;
	for (i = 0; i < n; i++) {
		if (fs[i].owner == &fs[i])
			kfree(fs[i].buf);
		fs[i].buf = NULL;
		fs[i].entry = NULL;
	}
}

const struct stp_family_ops stp_procfs_ops = {
	.name = "procfs",
	.register_probes = stp_procfs_register,
	.unregister_probes = stp_procfs_unregister,
};
