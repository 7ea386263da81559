// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stapio - relay a loaded stap module's messages.
 *
 *	stapio [-o FILE] [-v] MODULE_NAME
 *
 * Opens /proc/stap_MODULE_NAME, writes "start\n", then copies messages
 * (format: runtime/stp_proto.h) until end of file:
 *	STP_MSG_OUTPUT		to stdout, or FILE
 *	STP_MSG_WARNING/ERROR	to stderr as they are
 *	STP_MSG_EXIT_REQUEST	answered with "stop\n"
 *	STP_MSG_STOPPED		the end probes ran; EOF follows
 * The first SIGINT, SIGTERM or SIGHUP writes "stop\n" so that the end
 * probes run; the third one exits at once with status 1 (staprun then
 * unloads the module).  Exit status: 1 if the module reported errors or
 * sent an ERROR message, else 0.
 *
 * Linked statically so that it runs in the VM's initramfs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stp_proto.h"

/* At least one largest message; more lets one read() bring many. */
#define READ_BUF_SIZE	(256 * 1024)

static int verbose;
static char proc_path[128];
static int ctl_fd = -1;
static int out_fd = STDOUT_FILENO;
static int stop_sent;
static int error_seen;
static int stopped_seen;
static int output_broken;	/* stdout is gone: discard output */
static volatile sig_atomic_t signals_seen;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("stapio: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *f)
{
	fputs("usage: stapio [-o FILE] [-v] MODULE_NAME\n"
	      "Relays the messages of the loaded stap module MODULE_NAME\n"
	      "(normally run by staprun).\n"
	      "  -o FILE   write the script's output to FILE instead of stdout\n"
	      "  -v        report the session's progress on stderr\n", f);
}

static void on_signal(int sig)
{
	static const char msg[] = "stapio: third signal, exiting at once\n";

	if (++signals_seen >= 3) {
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
			_exit(1);
		_exit(1);
	}
}

static void set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;	/* no SA_RESTART: read() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Writes all of buf; returns -1 with errno set on failure. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static void *command_thread(void *arg)
{
	const char *cmd = arg;

	if (write_all(ctl_fd, cmd, strlen(cmd)) < 0)
		die("cannot write \"%.*s\" to %s: %s", (int)strlen(cmd) - 1,
		    cmd, proc_path, strerror(errno));
	return NULL;
}

/*
 * The module runs a command's probes (begin, end) inside the write(),
 * in stapio's context as SystemTap does; a thread of its own writes it,
 * so that this one keeps reading their output meanwhile.
 */
static void send_command(const char *cmd)
{
	pthread_t t;

	if (verbose)
		fprintf(stderr, "stapio: sending %s", cmd);
	if (pthread_create(&t, NULL, command_thread, (void *)cmd))
		die("cannot start a thread: %s", strerror(errno));
	pthread_detach(t);
}

static void request_stop(void)
{
	if (stop_sent)
		return;
	stop_sent = 1;
	send_command("stop\n");
}

static void put_output(const char *data, size_t len)
{
	if (output_broken)
		return;
	if (write_all(out_fd, data, len) == 0)
		return;
	/* "| head" has had enough: stop the script quietly, as stap does. */
	if (errno != EPIPE) {
		fprintf(stderr, "stapio: cannot write output: %s\n",
			strerror(errno));
		error_seen = 1;
	}
	output_broken = 1;
	request_stop();
}

/*
 * Like SystemTap's staprun, a warning already shown is not shown again
 * (unless -v); the first MAX_WARNINGS distinct ones are remembered.
 */
#define MAX_WARNINGS 1024

static int warning_is_new(const char *data, size_t len)
{
	static char *seen[MAX_WARNINGS];
	static int nseen;
	int i;

	if (verbose)
		return 1;
	for (i = 0; i < nseen; i++)
		if (strlen(seen[i]) == len && memcmp(seen[i], data, len) == 0)
			return 0;
	if (nseen < MAX_WARNINGS) {
		seen[nseen] = strndup(data, len);
		if (seen[nseen])
			nseen++;
	}
	return 1;
}

static void handle_message(const struct stp_msg_header *h, const char *data)
{
	struct stp_stopped st;

	switch (h->type) {
	case STP_MSG_OUTPUT:
		put_output(data, h->len);
		break;
	case STP_MSG_WARNING:
		if (!warning_is_new(data, h->len))
			break;
		if (write_all(STDERR_FILENO, data, h->len) < 0)
			error_seen = 1;
		break;
	case STP_MSG_ERROR:
		error_seen = 1;
		write_all(STDERR_FILENO, data, h->len);
		break;
	case STP_MSG_EXIT_REQUEST:
		request_stop();
		break;
	case STP_MSG_STOPPED:
		memset(&st, 0, sizeof(st));
		memcpy(&st, data, h->len < sizeof(st) ? h->len : sizeof(st));
		if (verbose)
			fprintf(stderr, "stapio: stopped: %u errors, %u skipped\n",
				st.errors, st.skipped);
		if (st.errors > 0)
			error_seen = 1;
		stopped_seen = 1;
		break;
	default:
		if (verbose)
			fprintf(stderr, "stapio: ignoring message type %u\n",
				h->type);
		break;
	}
}

/* Splits one read()'s bytes into messages. */
static void handle_buffer(const char *buf, size_t len)
{
	static __u64 next_seq;
	size_t off = 0;

	while (off + sizeof(struct stp_msg_header) <= len) {
		struct stp_msg_header h;
		size_t total;

		memcpy(&h, buf + off, sizeof(h));
		total = sizeof(h) + STP_MSG_ALIGN(h.len);
		if (h.len > STP_MSG_MAX || off + total > len)
			die("corrupt message from %s (type %u, length %u)",
			    proc_path, h.type, h.len);
		if (verbose && h.seq != next_seq)
			fprintf(stderr, "stapio: message %llu came when %llu was expected\n",
				(unsigned long long)h.seq,
				(unsigned long long)next_seq);
		next_seq = h.seq + 1;
		handle_message(&h, buf + off + sizeof(h));
		off += total;
	}
	if (off != len)
		die("corrupt read from %s: %zu stray bytes", proc_path, len - off);
}

int main(int argc, char **argv)
{
	const char *outfile = NULL;
	char *buf;
	int opt;

	while ((opt = getopt(argc, argv, "+o:vh")) != -1) {
		switch (opt) {
		case 'o':
			outfile = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 1;
	}
	snprintf(proc_path, sizeof(proc_path), "/proc/" STP_PROC_PREFIX "%s",
		 argv[optind]);

	set_signals();
	buf = malloc(READ_BUF_SIZE);
	if (!buf)
		die("out of memory");
	if (outfile) {
		out_fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			      0666);
		if (out_fd < 0)
			die("cannot open %s: %s", outfile, strerror(errno));
	}
	ctl_fd = open(proc_path, O_RDWR | O_CLOEXEC);
	if (ctl_fd < 0)
		die("cannot open %s: %s%s", proc_path, strerror(errno),
		    errno == ENOENT ? " (is the module loaded?)" : "");
	send_command("start\n");

	/* Ends at EOF, which the module sends after STP_MSG_STOPPED. */
	for (;;) {
		ssize_t n;

		if (signals_seen)
			request_stop();
		n = read(ctl_fd, buf, READ_BUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("cannot read %s: %s", proc_path, strerror(errno));
		}
		if (n == 0)
			break;
		handle_buffer(buf, n);
	}
	if (!stopped_seen) {
		fprintf(stderr, "stapio: %s ended before the script stopped\n",
			proc_path);
		error_seen = 1;
	}
	if (outfile && close(out_fd) < 0)
		die("cannot write %s: %s", outfile, strerror(errno));
	if (verbose)
		fprintf(stderr, "stapio: done, exit status %d\n", error_seen);
	return error_seen;
}
