/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stp_proto.h - the wire format between a stap module and stapio.
 *
 * Shared by the kernel side (runtime/transport.c) and user space
 * (stapio/stapio.c); keep it free of kernel-only and libc-only types.
 *
 * A loaded module named NAME creates one file, /proc/stap_NAME (mode 0600).
 *
 * stapio -> module: write() one command per call, a line of text:
 *	"target PID\n"	what target() returns (stap -x PID, -c CMD); before "start"
 *	"start\n"	run the begin probes, then arm every other probe and send
 *			STP_MSG_STARTED
 *	"stop\n"	disarm probes, run the end probes, then send STP_MSG_STOPPED
 * The module carries a command out inside the write(), so stapio writes
 * from a second thread and goes on reading the probes' output meanwhile.
 *
 * module -> stapio: read() returns whole messages only, each a
 * struct stp_msg_header followed by len bytes of payload, padded with
 * zero bytes to a multiple of 8.  Messages come in the order they were
 * written, across all CPUs (seq increases by one per message).  read()
 * blocks until at least one message is ready; it returns 0 (end of
 * file) once STP_MSG_STOPPED has been read.  A read buffer smaller than
 * the next message fails with EINVAL; STP_MSG_MAX bounds every message.
 */
#ifndef STP_PROTO_H
#define STP_PROTO_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdint.h>
typedef uint64_t __u64;
typedef uint32_t __u32;
typedef uint16_t __u16;
#endif

#define STP_PROC_PREFIX "stap_"

enum stp_msg_type {
	STP_MSG_OUTPUT = 1,	/* script output: copy to stdout or -o FILE */
	STP_MSG_WARNING,	/* text for stderr, already "WARNING: ...\n" */
	STP_MSG_ERROR,		/* text for stderr, already "ERROR: ...\n" */
	STP_MSG_EXIT_REQUEST,	/* exit() or a fatal error: answer "stop" */
	STP_MSG_STOPPED,	/* end probes done; payload: struct stp_stopped */
	STP_MSG_STARTED,	/* begin probes done, probes armed (after their output) */
	STP_MSG_SYSTEM,		/* system(): a command for /bin/sh -c, no NUL */
};

struct stp_msg_header {
	__u64 seq;
	__u32 len;		/* payload bytes, not counting padding */
	__u16 type;		/* enum stp_msg_type */
	__u16 flags;		/* 0 */
};

/* Payload of STP_MSG_STOPPED. */
struct stp_stopped {
	__u32 errors;		/* runtime errors (non-zero: stap exits 1) */
	__u32 skipped;		/* skipped probe hits */
};

#define STP_MSG_MAX (64 * 1024)	/* payload bound for any message */
#define STP_MSG_ALIGN(n) (((n) + 7) & ~(__u32)7)

#endif /* STP_PROTO_H */
