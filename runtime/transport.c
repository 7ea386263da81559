// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * transport.c - the channel from a stap module to stapio.
 *
 * Every possible CPU owns a ring buffer of stp_script.bufsize bytes
 * (stap -s MB), or of _stp_bufsize MB (staprun -b MB), rounded up to
 * a power of two, at least STP_RING_MIN.  A message is
 * a struct stp_msg_header and its payload, zero-padded to 8 bytes,
 * stored at the ring's free-running byte offset "head" (a record may
 * wrap around the end of the buffer).
 *
 * Writers: only code running on a CPU writes that CPU's ring, with
 * local interrupts disabled, so there is a single writer per ring.  The
 * writer checks for space first, then takes the next sequence number
 * from stp_seq, copies the record and publishes it by moving head with
 * smp_store_release().  A sequence number is therefore taken only when
 * the message is certain to be published a few microseconds later.
 *
 * Reader: stapio's read() of /proc/stap_NAME, serialised by
 * stp_reader_mutex.  It looks at the oldest record of every ring and
 * copies out the one with the lowest seq, straight from the ring into
 * the user's buffer, then frees it by moving tail with
 * smp_store_release().  When the lowest seq visible is later than the
 * one expected next, the missing message is being published on another
 * CPU: the reader waits for it up to STP_GAP_WAIT, then moves on.
 *
 * Control messages (STARTED, EXIT_REQUEST, STOPPED) do not go through
 * the rings, where a full buffer or an NMI could drop one and leave
 * stapio waiting for ever: each is posted once into a slot of its own,
 * with the seq it takes when posted, and the reader hands it out among
 * the rings' messages in seq order.  Posting never fails.
 *
 * Bulk mode (stap -b) changes nothing here: every record says which CPU
 * wrote it, and stapio, told by _stp_bulk_cpus, sorts the output into
 * one file per CPU, each record with its seq so that stap-merge can
 * restore this order.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/irqflags.h>
#include <linux/rcupdate.h>
#include "stp.h"

/* Bytes at the end of a ring that only non-OUTPUT messages may use. */
#define STP_RESERVE		4096
/* The smallest ring: one largest message plus the reserve fits. */
#define STP_RING_MIN		(128 * 1024)
#define STP_RING_MAX		(4096UL * 1024 * 1024)	/* stap -s 4095, rounded up */
/* How long read() waits for a message whose seq was taken elsewhere. */
#define STP_GAP_WAIT		msecs_to_jiffies(20)
/* How often a blocked read() looks for new messages. */
#define STP_POLL_INTERVAL	msecs_to_jiffies(10)
/* Longest command written to the proc file, with its newline. */
#define STP_CMD_MAX		32

struct stp_ring {
	char *buf;
	unsigned long mask;	/* ring size - 1 */
	unsigned long head;	/* bytes ever published (the writer's) */
	unsigned long tail;	/* bytes ever consumed (the reader's) */
	int writing;		/* a writer is inside: an NMI must not enter */
};

static DEFINE_PER_CPU(struct stp_ring, stp_rings);
static unsigned long stp_ring_size;
static bool stp_ready;			/* rings allocated, writes accepted */
static atomic64_t stp_seq = ATOMIC64_INIT(0);
static atomic64_t stp_drops = ATOMIC64_INIT(0);
static const char stp_zeros[8];

/* A control message: empty, being posted, posted (seq taken), handed out. */
enum { STP_CTL_EMPTY, STP_CTL_POSTING, STP_CTL_POSTED, STP_CTL_DONE };

struct stp_ctl_msg {
	int state;
	struct stp_msg_header h;
	char data[STP_MSG_ALIGN(sizeof(struct stp_stopped))];
};

/* indexed by stp_ctl_index() */
static struct stp_ctl_msg stp_ctl_msgs[3];

/* The reader's state, under stp_reader_mutex. */
static DEFINE_MUTEX(stp_reader_mutex);
static u64 stp_next_seq;		/* the seq expected next */
static bool stp_gap_waiting;		/* waiting for stp_next_seq ... */
static unsigned long stp_gap_deadline;	/* ... until this time */
static bool stp_stopped_read;		/* STP_MSG_STOPPED went out: EOF */

static bool stp_closing;		/* module exit: readers return */
static atomic_t stp_open_count = ATOMIC_INIT(0);
static struct proc_dir_entry *stp_proc;

/* staprun -b MB: the buffer size, overriding stap -s; 0 keeps that. */
static unsigned int stp_bufsize_mb;
module_param_named(_stp_bufsize, stp_bufsize_mb, uint, 0444);
/*
 * For staprun -A and -d by a member of stapusr, who may touch only its
 * own scripts: the uid that sent "start" (-1 before).
 */
static int stp_owner_uid = -1;
module_param_named(_stp_owner, stp_owner_uid, int, 0444);
/* For stapio: nr_cpu_ids in a bulk-mode module, else 0. */
static unsigned int stp_bulk_cpus;
module_param_named(_stp_bulk_cpus, stp_bulk_cpus, uint, 0444);

/* ---- the writer's side ---- */

static void stp_ring_put(struct stp_ring *r, unsigned long pos,
			 const void *src, size_t len)
{
	unsigned long off = pos & r->mask;
	size_t first = min_t(size_t, len, r->mask + 1 - off);

	memcpy(r->buf + off, src, first);
	memcpy(r->buf, (const char *)src + first, len - first);
}

int stp_transport_write(enum stp_msg_type type, const void *data, size_t len)
{
	struct stp_msg_header h;
	struct stp_ring *r;
	unsigned long flags, head, tail, limit;
	size_t total;
	int rc = 0;

	if (len > STP_MSG_MAX)
		return -EINVAL;
	total = sizeof(h) + STP_MSG_ALIGN(len);

	local_irq_save(flags);
	if (!READ_ONCE(stp_ready)) {
		rc = -ENODEV;
		goto out;
	}
	r = this_cpu_ptr(&stp_rings);
	if (r->writing) {
		/* An NMI interrupted this CPU's writer. */
		rc = -EBUSY;
		goto drop;
	}
	r->writing = 1;
	barrier();

	head = r->head;
	tail = smp_load_acquire(&r->tail);
	limit = stp_ring_size - (type == STP_MSG_OUTPUT ? STP_RESERVE : 0);
	if (head - tail + total > limit) {
		rc = -ENOSPC;
		goto unlock_drop;
	}

	h.seq = atomic64_inc_return(&stp_seq) - 1;
	h.len = len;
	h.type = type;
	h.cpu = smp_processor_id();
	stp_ring_put(r, head, &h, sizeof(h));
	stp_ring_put(r, head + sizeof(h), data, len);
	stp_ring_put(r, head + sizeof(h) + len, stp_zeros,
		     STP_MSG_ALIGN(len) - len);
	smp_store_release(&r->head, head + total);

	barrier();
	r->writing = 0;
	goto out;

unlock_drop:
	barrier();
	r->writing = 0;
drop:
	atomic64_inc(&stp_drops);
out:
	local_irq_restore(flags);
	return rc;
}

u64 stp_transport_drops(void)
{
	return atomic64_read(&stp_drops);
}

static int stp_ctl_index(enum stp_msg_type type)
{
	switch (type) {
	case STP_MSG_STARTED:
		return 0;
	case STP_MSG_EXIT_REQUEST:
		return 1;
	case STP_MSG_STOPPED:
		return 2;
	default:
		return -1;
	}
}

int stp_transport_post(enum stp_msg_type type, const void *data, size_t len)
{
	int i = stp_ctl_index(type);
	struct stp_ctl_msg *m;

	if (i < 0 || len > sizeof(m->data))
		return -EINVAL;
	m = &stp_ctl_msgs[i];
	if (cmpxchg(&m->state, STP_CTL_EMPTY, STP_CTL_POSTING) != STP_CTL_EMPTY)
		return -EEXIST;		/* once each */
	memset(m->data, 0, sizeof(m->data));
	memcpy(m->data, data, len);
	m->h.len = len;
	m->h.type = type;
	m->h.cpu = raw_smp_processor_id();
	m->h.seq = atomic64_inc_return(&stp_seq) - 1;
	smp_store_release(&m->state, STP_CTL_POSTED);
	return 0;
}

/* ---- the reader's side ---- */

static void stp_ring_get(struct stp_ring *r, unsigned long pos,
			 void *dst, size_t len)
{
	unsigned long off = pos & r->mask;
	size_t first = min_t(size_t, len, r->mask + 1 - off);

	memcpy(dst, r->buf + off, first);
	memcpy((char *)dst + first, r->buf, len - first);
}

static int stp_ring_to_user(struct stp_ring *r, unsigned long pos,
			    char __user *dst, size_t len)
{
	unsigned long off = pos & r->mask;
	size_t first = min_t(size_t, len, r->mask + 1 - off);

	if (copy_to_user(dst, r->buf + off, first))
		return -EFAULT;
	if (copy_to_user(dst + first, r->buf, len - first))
		return -EFAULT;
	return 0;
}

/* The next message to hand out: from a ring, or a posted control message. */
struct stp_next {
	struct stp_msg_header h;
	struct stp_ring *ring;
	struct stp_ctl_msg *ctl;
};

/*
 * The message with the lowest seq among the oldest of every ring and the
 * posted control messages; false if there is none.
 */
static bool stp_oldest(struct stp_next *n)
{
	struct stp_msg_header h;
	bool found = false;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		struct stp_ring *r = per_cpu_ptr(&stp_rings, cpu);
		unsigned long head = smp_load_acquire(&r->head);

		if (head == r->tail)
			continue;
		stp_ring_get(r, r->tail, &h, sizeof(h));
		if (!found || h.seq < n->h.seq) {
			found = true;
			n->h = h;
			n->ring = r;
			n->ctl = NULL;
		}
	}
	for (i = 0; i < ARRAY_SIZE(stp_ctl_msgs); i++) {
		struct stp_ctl_msg *m = &stp_ctl_msgs[i];

		if (smp_load_acquire(&m->state) != STP_CTL_POSTED)
			continue;
		if (!found || m->h.seq < n->h.seq) {
			found = true;
			n->h = m->h;
			n->ring = NULL;
			n->ctl = m;
		}
	}
	return found;
}

/* Copies the message n names to the user and frees its place. */
static int stp_hand_out(struct stp_next *n, char __user *dst, size_t total)
{
	if (n->ctl) {
		if (copy_to_user(dst, &n->ctl->h, sizeof(n->h)) ||
		    copy_to_user(dst + sizeof(n->h), n->ctl->data, total - sizeof(n->h)))
			return -EFAULT;
		n->ctl->state = STP_CTL_DONE;
		return 0;
	}
	if (stp_ring_to_user(n->ring, n->ring->tail, dst, total))
		return -EFAULT;
	smp_store_release(&n->ring->tail, n->ring->tail + total);
	return 0;
}

/*
 * The expected message is missing: true once we have waited long
 * enough for it.
 */
static bool stp_gap_expired(void)
{
	if (!stp_gap_waiting) {
		stp_gap_waiting = true;
		stp_gap_deadline = jiffies + STP_GAP_WAIT;
		return false;
	}
	return time_after_eq(jiffies, stp_gap_deadline);
}

/*
 * Copies out as many whole messages, in seq order, as fit in count
 * bytes.  Returns the bytes copied, 0 when none is ready, -EINVAL when
 * the first one does not fit.  Each pass consumes one message, so the
 * loop ends after at most count / sizeof(header) passes.
 */
static ssize_t stp_gather(char __user *ubuf, size_t count)
{
	size_t done = 0;

	while (done + sizeof(struct stp_msg_header) <= count) {
		struct stp_next n;
		size_t total;

		if (!stp_oldest(&n))
			break;
		if (n.h.seq > stp_next_seq) {
			/* Hand out what we have; wait only when empty-handed. */
			if (done || !stp_gap_expired())
				break;
		}
		stp_gap_waiting = false;

		total = sizeof(n.h) + STP_MSG_ALIGN(n.h.len);
		if (total > count - done)
			break;
		if (stp_hand_out(&n, ubuf + done, total))
			return done ? done : -EFAULT;
		done += total;
		if (n.h.seq >= stp_next_seq)
			stp_next_seq = n.h.seq + 1;
		if (n.h.type == STP_MSG_STOPPED) {
			stp_stopped_read = true;
			break;
		}
	}
	if (!done && count < sizeof(struct stp_msg_header) + STP_MSG_MAX) {
		struct stp_next n;

		/* Is there a message, too big for this buffer? */
		if (stp_oldest(&n) && sizeof(n.h) + STP_MSG_ALIGN(n.h.len) > count)
			return -EINVAL;
	}
	return done;
}

static ssize_t stp_proc_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	ssize_t rc;

	if (mutex_lock_interruptible(&stp_reader_mutex))
		return -ERESTARTSYS;
	/* Ends on data, EOF, a signal, O_NONBLOCK or module exit. */
	for (;;) {
		if (stp_stopped_read || READ_ONCE(stp_closing)) {
			rc = 0;
			break;
		}
		rc = stp_gather(ubuf, count);
		if (rc)
			break;
		if (file->f_flags & O_NONBLOCK) {
			rc = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			rc = -ERESTARTSYS;
			break;
		}
		schedule_timeout_interruptible(stp_gap_waiting ?
					       1 : STP_POLL_INTERVAL);
	}
	mutex_unlock(&stp_reader_mutex);
	return rc;
}

static ssize_t stp_proc_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	char cmd[STP_CMD_MAX];
	int rc;

	/* "input BYTES": stdin's bytes, for stdin.c; any bytes, any length */
	if (count > STP_INPUT_LEN && !copy_from_user(cmd, ubuf, STP_INPUT_LEN) &&
	    !memcmp(cmd, STP_INPUT_CMD, STP_INPUT_LEN)) {
		rc = stp_stdin_deliver(ubuf + STP_INPUT_LEN, count - STP_INPUT_LEN);
		return rc < 0 ? rc : count;
	}
	if (count == 0 || count >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, count))
		return -EFAULT;
	cmd[count] = '\0';
	/*
	 * stp_pid() and is_myproc() name the stapio that sends the commands:
	 * staprun opens the file, and hands it to stapio (-C FD).
	 */
	stp_stapio_pid = task_tgid_nr(current);
	stp_stapio_uid = from_kuid(&init_user_ns, current_uid());

	if (!strncmp(cmd, "target ", 7)) {
		/* stap -x PID or -c CMD: what target() returns; before "start" */
		if (kstrtoint(cmd + 7, 10, &stp_target_pid) || stp_target_pid < 0)
			return -EINVAL;
	} else if (!strcmp(cmd, "start\n")) {
		stp_owner_uid = from_kuid(&init_user_ns, current_uid());
		stp_control_start();
	} else if (!strcmp(cmd, "stop\n")) {
		stp_control_stop();
	} else {
		return -EINVAL;
	}
	return count;
}

/* One stapio at a time: a second reader would steal messages. */
static int stp_proc_open(struct inode *inode, struct file *file)
{
	if (atomic_cmpxchg(&stp_open_count, 0, 1) != 0)
		return -EBUSY;
	/* a stream: read() and write() from two threads must not serialize on f_pos */
	return stream_open(inode, file);
}

static int stp_proc_release(struct inode *inode, struct file *file)
{
	atomic_set(&stp_open_count, 0);
	return 0;
}

static const struct proc_ops stp_proc_ops = {
	.proc_open = stp_proc_open,
	.proc_read = stp_proc_read,
	.proc_write = stp_proc_write,
	.proc_release = stp_proc_release,
};

/* ---- module init and exit ---- */

static void stp_free_rings(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct stp_ring *r = per_cpu_ptr(&stp_rings, cpu);

		vfree(r->buf);
		r->buf = NULL;
	}
}

static int stp_alloc_rings(void)
{
	unsigned long size = stp_script.bufsize;
	int cpu;

	if (stp_bufsize_mb)
		size = (unsigned long)stp_bufsize_mb << 20;
	if (size > STP_RING_MAX) {
		pr_err("%s: _stp_bufsize=%u: the buffer size is 1 to 4095 MB\n",
		       THIS_MODULE->name, stp_bufsize_mb);
		return -EINVAL;
	}
	stp_ring_size = roundup_pow_of_two(max_t(unsigned long, size,
						 STP_RING_MIN));
	for_each_possible_cpu(cpu) {
		struct stp_ring *r = per_cpu_ptr(&stp_rings, cpu);

		r->buf = vmalloc(stp_ring_size);
		if (!r->buf) {
			pr_err("%s: no memory for a %lu MB output buffer per CPU\n",
			       THIS_MODULE->name, stp_ring_size >> 20);
			stp_free_rings();
			return -ENOMEM;
		}
		r->mask = stp_ring_size - 1;
		r->head = 0;
		r->tail = 0;
		r->writing = 0;
	}
	return 0;
}

int stp_transport_init(void)
{
	char name[sizeof(STP_PROC_PREFIX) + MODULE_NAME_LEN];
	int rc;

	BUILD_BUG_ON(STP_RING_MIN < sizeof(struct stp_msg_header) +
		     STP_MSG_MAX + STP_RESERVE);
	rc = stp_alloc_rings();
	if (rc)
		return rc;
	stp_bulk_cpus = stp_script.bulk ? nr_cpu_ids : 0;

	snprintf(name, sizeof(name), STP_PROC_PREFIX "%s", THIS_MODULE->name);
	stp_proc = proc_create(name, 0600, NULL, &stp_proc_ops);
	if (!stp_proc) {
		pr_err("%s: cannot create /proc/%s\n", THIS_MODULE->name, name);
		stp_free_rings();
		return -ENOMEM;
	}
	WRITE_ONCE(stp_ready, true);
	return 0;
}

void stp_transport_exit(void)
{
	WRITE_ONCE(stp_ready, false);
	WRITE_ONCE(stp_closing, true);
	/* Waits for read() and write() calls in progress to return. */
	proc_remove(stp_proc);
	stp_proc = NULL;
	/* Writers run with interrupts off: this waits for any still inside. */
	synchronize_rcu();
	stp_free_rings();
}
