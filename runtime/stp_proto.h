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
 *	"input BYTES"	BYTES (any, not a line) came on stapio's stdin: the
 *			module runs its stdin probes on them (input.char,
 *			input.line); only while running, only if _stp_stdin
 * The module carries a command out inside the write(), so stapio writes
 * from a second thread and goes on reading the probes' output meanwhile.
 *
 * module -> stapio: read() returns whole messages only, each a
 * struct stp_msg_header followed by len bytes of payload, padded with
 * zero bytes to a multiple of 8.  Messages come in the order they were
 * written, across all CPUs (seq increases by one per message).  read()
 * blocks until at least one message is ready; it returns 0 (end of
 * file) once STP_MSG_STOPPED has been read.  STP_MSG_STARTED,
 * STP_MSG_EXIT_REQUEST and STP_MSG_STOPPED are never dropped.  A read
 * buffer smaller than the next message fails with EINVAL; STP_MSG_MAX
 * bounds every message.
 *
 * Module parameters that are not script globals (/sys/module/NAME/parameters/):
 *	_stp_bufsize=MB		staprun -b: the per-CPU buffer size, instead
 *				of the one stap -s built in (1 to 4095)
 *	_stp_bulk_cpus		read-only: the number of CPU ids (nr_cpu_ids) if
 *				the module was built with stap -b, else 0; stapio
 *				then writes each CPU's output to a file of its own
 *	_stp_owner		read-only: the uid that sent "start" (-1 before);
 *				staprun lets a member of stapusr attach to (-A)
 *				or stop (-d) only its own scripts
 *	_stp_stdin		read-only, present when the script reads stdin:
 *				once the probes are armed, 1 (lines) or 2 (each
 *				key: a terminal on stdin goes non-canonical);
 *				stapio then sends its stdin in "input" commands
 */
#ifndef STP_PROTO_H
#define STP_PROTO_H

#include <linux/types.h>	/* __u64 and friends, in the kernel and in user space */

#define STP_PROC_PREFIX "stap_"
#define STP_BULK_PARAM "_stp_bulk_cpus"
#define STP_STDIN_PARAM "_stp_stdin"
#define STP_INPUT_CMD "input "		/* then the bytes */
#define STP_INPUT_LEN 6
#define STP_INPUT_MAX 256		/* stapio's bytes per "input" */

enum stp_msg_type {
	STP_MSG_OUTPUT = 1,	/* script output: copy to stdout or -o FILE */
	STP_MSG_WARNING,	/* text for stderr, already "WARNING: ...\n" */
	STP_MSG_ERROR,		/* text for stderr, already "ERROR: ...\n" */
	STP_MSG_EXIT_REQUEST,	/* exit() or a fatal error: answer "stop" */
	STP_MSG_STOPPED,	/* end probes done; payload: struct stp_stopped */
	STP_MSG_STARTED,	/* begin probes done, probes armed (after their output) */
	STP_MSG_SYSTEM,		/* system(): a command for /bin/sh -c, no NUL */
	STP_MSG_SWITCH_FILE,	/* switch_file(): go on in -o FILE's next file */
};

struct stp_msg_header {
	__u64 seq;
	__u32 len;		/* payload bytes, not counting padding */
	__u16 type;		/* enum stp_msg_type */
	__u16 cpu;		/* the CPU that wrote it (stap -b: its output file) */
};

/*
 * Payload of STP_MSG_STOPPED: the session's totals, which stapio reports
 * ("WARNING: Number of errors: N, skipped probes: M" when either is not
 * 0, and the number of messages dropped because a buffer was full).
 */
struct stp_stopped {
	__u32 errors;		/* runtime errors that count (non-zero: stap exits 1) */
	__u32 skipped;		/* skipped probe hits */
	__u64 drops;		/* messages dropped: a buffer was full */
	__u32 errors_all;	/* errors, --suppress-handler-errors' included */
	__u32 pad;
};

/*
 * The per-CPU files of stap -b (stapio writes them, stap-merge reads
 * them): STP_BULK_MAGIC, then one record per STP_MSG_OUTPUT message the
 * CPU wrote, in the order it wrote them: a struct stp_bulk_record and
 * len bytes of output, unpadded.  Numbers in the byte order of the
 * machine that wrote the file.
 */
#define STP_BULK_MAGIC "stpbulk1"	/* 8 bytes, no NUL */
struct stp_bulk_record {
	__u64 seq;		/* the message's stp_msg_header.seq */
	__u32 len;		/* output bytes that follow */
	__u32 cpu;		/* the CPU that wrote it */
};

#define STP_MSG_MAX (64 * 1024)	/* payload bound for any message */
#define STP_MSG_ALIGN(n) (((n) + 7) & ~(__u32)7)

#endif /* STP_PROTO_H */
