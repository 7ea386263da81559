// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stapio - relay a loaded stap module's messages.
 *
 *	stapio [-o FILE [-S SIZE_MB[,N]]] [-w] [-v] [-c CMD | -x PID] [-T SECONDS]
 *	       [-C FD] [-B CPUS] MODULE_NAME
 *
 * Opens /proc/stap_MODULE_NAME (or uses FD, the control file that staprun
 * opened and checked), writes "target PID\n" with -c or -x
 * (target() in the script), then "start\n", then copies messages
 * (format: runtime/stp_proto.h) until end of file:
 *	STP_MSG_OUTPUT		to stdout, or FILE
 *	STP_MSG_WARNING/ERROR	to stderr as they are (-w: no warnings)
 *	STP_MSG_EXIT_REQUEST	answered with "stop\n"
 *	STP_MSG_STOPPED		the end probes ran; EOF follows
 *	STP_MSG_SYSTEM		a command to start with /bin/sh -c, not waited for
 *	STP_MSG_SWITCH_FILE	switch_file(): -o FILE's output goes on in the next
 *				file (outfile.h), as on SIGUSR2 (SystemTap's way)
 * -F (flight recorder): leave once the probes are armed, the module
 * running on with its output kept in its buffers (new output dropped when
 * they are full); -A attaches to such a module (no "start"), and -K stops
 * it at once (the end probes' output and what was kept are relayed).
 * -c CMD: "sh -c CMD" is forked before the start, waits for
 * STP_MSG_STARTED (the begin probes have run and their output is out),
 * then runs; when it exits, the script stops.  If the
 * script stops first, the command gets SIGTERM, and SIGKILL 5 s later.
 * -T SECONDS stops the script after that long.
 * The first SIGINT, SIGTERM or SIGHUP writes "stop\n" so that the end
 * probes run; the third one exits at once with status 1 (staprun then
 * unloads the module).  Exit status: 1 if the module reported errors or
 * sent an ERROR message, else 0.
 *
 * A module built with stap -b says so in its parameter _stp_bulk_cpus
 * (which staprun reads and passes as -B N):
 * then each CPU's output goes to a file of its own, FILE_cpuN (-o FILE)
 * or stpd_cpuN, in the format of stp_proto.h, for stap-merge.
 *
 * A script that reads stdin (input.char, input.line) says so in its
 * parameter _stp_stdin once the probes are armed (stapio opens it before,
 * so its own open is not traced, and reads it then): a thread then sends
 * what comes on stapio's stdin to the module in "input" commands, until
 * end of file; with 2 (each key), a terminal on stdin is made
 * non-canonical meanwhile, as SystemTap does.
 *
 * Linked statically so that it runs in the VM's initramfs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <stdint.h>
#include "stp_proto.h"
#include "outfile.h"

/* At least one largest message; more lets one read() bring many. */
#define READ_BUF_SIZE	(256 * 1024)

static int verbose;
static int no_warnings;		/* -w */
static char proc_path[128];
static int ctl_fd = -1;
static struct out_file out = { .fd = STDOUT_FILENO };
static int stop_sent;
static int error_seen;
static int stopped_seen;
static int output_broken;	/* stdout is gone: discard output */
static volatile sig_atomic_t signals_seen;
static volatile sig_atomic_t switch_requested;	/* SIGUSR2: next output file */
static volatile sig_atomic_t child_exited;	/* SIGCHLD: the -c command may be done */
static volatile sig_atomic_t timed_out;		/* SIGALRM: -T SECONDS are up */
static pid_t cmd_pid;		/* -c: the command, until it is reaped */
static long timeout_seconds;	/* -T: from the start of the probes */
static int flight_recorder;	/* -F: leave once the probes are armed */
static int detach_now;		/* -F: they are */
static int cmd_go_fd = -1;	/* -c: writing a byte here lets the command run */
static int *bulk_fds;		/* bulk mode: each CPU's output file */
static unsigned int bulk_cpus;	/* ... their number, 0 when not in bulk mode */
static int stdin_param_fd = -1;	/* the module's _stp_stdin, when it has one */
static char *bulk_base;		/* ... named bulk_base_cpuN */
static const char *module_name;
static struct termios saved_tty;	/* stdin's terminal, while non-canonical */
static int tty_changed;

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
	fputs("usage: stapio [-o FILE [-S MB[,N]]] [-w] [-v] [-c CMD | -x PID] [-T SECONDS] MODULE_NAME\n"
	      "Relays the messages of the loaded stap module MODULE_NAME\n"
	      "(normally run by staprun).\n"
	      "  -o FILE     write the script's output to FILE instead of stdout\n"
	      "              (strftime patterns like %Y%m%d-%H%M are expanded)\n"
	      "  -S MB[,N]   with -o: switch to FILE.1, FILE.2, ... past MB megabytes,\n"
	      "              keeping the newest N files\n"
	      "  -c CMD      run CMD (with sh -c) once the probes are armed; stop when it exits\n"
	      "  -x PID      target() is PID\n"
	      "  -T SECONDS  stop the script after SECONDS\n"
	      "  -F          flight recorder: leave once the probes are armed\n"
	      "  -A          attach to a module left running with -F\n"
	      "  -K          with -A: stop it at once\n"
	      "  -w          do not show the script's warnings\n"
	      "  -C FD       the module's control file is open as FD (staprun opens it)\n"
	      "  -B N        the module's _stp_bulk_cpus is N (staprun reads it)\n"
	      "  -v          report the session's progress on stderr\n", f);
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

static void on_usr2(int sig)
{
	switch_requested = 1;
}

static void on_child(int sig)
{
	child_exited = 1;
}

static void on_alarm(int sig)
{
	timed_out = 1;
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
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void write_command(const char *cmd)
{
	if (verbose)
		fprintf(stderr, "stapio: sending %s", cmd);
	if (out_write_all(ctl_fd, cmd, strlen(cmd)) < 0)
		die("cannot write \"%.*s\" to %s: %s", (int)strlen(cmd) - 1,
		    cmd, proc_path, strerror(errno));
}

static void *command_thread(void *arg)
{
	const char *cmd = arg;

	write_command(cmd);
	return NULL;
}

/*
 * The module runs a command's probes (begin, end) inside the write(),
 * in stapio's context as SystemTap does; a thread of its own writes it,
 * so that this one keeps reading their output meanwhile.  The thread
 * blocks the signals: they must interrupt this thread's read().
 */
static void send_command(const char *cmd)
{
	sigset_t all, old;
	pthread_t t;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&t, NULL, command_thread, (void *)cmd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		die("cannot start a thread: %s", strerror(rc));
	pthread_detach(t);
}

/*
 * -c CMD: forks "sh -c CMD", held on a pipe until the probes are armed
 * (release_command lets it go), so that they see it from its first
 * instruction.  Returns its pid.
 */
static pid_t fork_command(const char *cmd)
{
	int fds[2];
	pid_t pid;
	char go;

	if (pipe2(fds, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		close(fds[1]);
		if (read(fds[0], &go, 1) != 1)
			_exit(127);	/* the script did not start */
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		fprintf(stderr, "stapio: cannot run /bin/sh: %s\n", strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	cmd_go_fd = fds[1];
	return pid;
}

static void request_stop(void);

/* Seconds a -c command that outlived the script has to exit after SIGTERM. */
#define CMD_GRACE_SECONDS 5

/*
 * The script stopped first: the command was started for it.  SIGTERM,
 * then SIGKILL if it is still there after CMD_GRACE_SECONDS: stapio
 * never waits for ever on a command that ignores SIGTERM.
 */
static void end_command(void)
{
	int i;

	kill(cmd_pid, SIGTERM);
	for (i = 0; i < CMD_GRACE_SECONDS * 10; i++) {
		if (waitpid(cmd_pid, NULL, WNOHANG) != 0)
			return;		/* reaped, or not ours to wait for */
		usleep(100000);
	}
	if (verbose)
		fprintf(stderr, "stapio: the command ignored SIGTERM for %d s: SIGKILL\n",
			CMD_GRACE_SECONDS);
	kill(cmd_pid, SIGKILL);
	waitpid(cmd_pid, NULL, 0);
}

/* The probes are armed and begin's output is out: the -c command may run. */
static void release_command(void)
{
	if (cmd_go_fd < 0)
		return;
	if (write(cmd_go_fd, "g", 1) < 0)
		fprintf(stderr, "stapio: cannot start the command: %s\n", strerror(errno));
	close(cmd_go_fd);
	cmd_go_fd = -1;
}

/*
 * SIGCHLD: reaps every child that has exited: system() commands
 * silently; the -c command stops the script.
 */
static void reap_command(void)
{
	int status;
	pid_t pid;

	child_exited = 0;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != cmd_pid)
			continue;
		if (verbose)
			fprintf(stderr, "stapio: the command exited with status %d\n",
				WIFEXITED(status) ? WEXITSTATUS(status) :
						    128 + WTERMSIG(status));
		cmd_pid = 0;
		request_stop();
	}
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
	if ((out.pattern ? outfile_write(&out, data, len) : out_write_all(out.fd, data, len)) == 0)
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
 * Bulk mode: is the module one?  Its read-only parameter says how many
 * CPU ids there are, 0 if it is not.
 */
static unsigned int module_bulk_cpus(const char *name)
{
	char path[256], text[32], *end;
	unsigned long n;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/" STP_BULK_PARAM, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open %s: %s (is sysfs mounted?)", path, strerror(errno));
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (len <= 0)
		die("cannot read %s", path);
	text[len] = '\0';
	n = strtoul(text, &end, 10);
	if (end == text || (*end && *end != '\n') || n > 65536)
		die("%s holds '%s', not a number of CPUs", path, text);
	return (unsigned int)n;
}

/*
 * The module's read-only parameter PARAM, opened now, and read (again) by
 * param_value when it is needed: the file is opened before the probes
 * are armed, so that stapio's own open is not among what they see.  -1
 * when the module has no such parameter (a script that does not read
 * stdin has no _stp_stdin).
 */
static int module_param_open(const char *param)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module_name, param);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* The parameter's value now; 0 when it has none. */
static long param_value(int fd)
{
	char text[32];
	ssize_t len;

	if (fd < 0)
		return 0;
	len = pread(fd, text, sizeof(text) - 1, 0);
	if (len <= 0)
		return 0;
	text[len] = '\0';
	return strtol(text, NULL, 10);
}

static void restore_terminal(void)
{
	if (tty_changed)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_changed = 0;
}

/* Each key as it is typed (the terminal still echoes it). */
static void make_terminal_noncanonical(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) < 0)
		return;
	t = saved_tty;
	t.c_lflag &= ~ICANON;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
		tty_changed = 1;
		atexit(restore_terminal);
	}
}

/* Copies stdin to the module until end of file (or the module stops). */
static void *stdin_thread(void *arg)
{
	char cmd[STP_INPUT_LEN + STP_INPUT_MAX];
	ssize_t n;

	memcpy(cmd, STP_INPUT_CMD, STP_INPUT_LEN);
	for (;;) {
		n = read(STDIN_FILENO, cmd + STP_INPUT_LEN, STP_INPUT_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out_write_all(ctl_fd, cmd, STP_INPUT_LEN + n) < 0)
			break;	/* the script is stopping */
	}
	if (verbose)
		fprintf(stderr, "stapio: stdin ends\n");
	return NULL;
}

/* The probes are armed: a script that reads stdin gets it from now on. */
static void start_stdin(void)
{
	long mode = param_value(stdin_param_fd);
	sigset_t all, old;
	pthread_t t;

	if (mode <= 0 || flight_recorder)
		return;
	if (mode >= 2)
		make_terminal_noncanonical();
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&t, NULL, stdin_thread, NULL) == 0)
		pthread_detach(t);
	else
		fprintf(stderr, "stapio: cannot start reading stdin\n");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Bulk mode: BASE_cpu0 ... BASE_cpuN-1, each starting with the magic. */
static void open_bulk_files(const char *outfile)
{
	unsigned int cpu;

	bulk_base = outfile ? outfile_expand(outfile) : strdup("stpd");
	bulk_fds = calloc(bulk_cpus, sizeof(int));
	if (!bulk_base || !bulk_fds)
		die("out of memory");
	for (cpu = 0; cpu < bulk_cpus; cpu++) {
		char name[PATH_MAX];

		snprintf(name, sizeof(name), "%s_cpu%u", bulk_base, cpu);
		bulk_fds[cpu] = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (bulk_fds[cpu] < 0)
			die("cannot open %s: %s", name, strerror(errno));
		if (out_write_all(bulk_fds[cpu], STP_BULK_MAGIC, 8) < 0)
			die("cannot write %s: %s", name, strerror(errno));
	}
	if (verbose)
		fprintf(stderr, "stapio: bulk mode: output in %s_cpu0 to %s_cpu%u\n",
			bulk_base, bulk_base, bulk_cpus - 1);
}

/* Bulk mode: one message of output, with its seq, into its CPU's file. */
static void put_bulk_output(const struct stp_msg_header *h, const char *data)
{
	struct stp_bulk_record rec = { .seq = h->seq, .len = h->len, .cpu = h->cpu };

	if (h->cpu >= bulk_cpus)
		die("output from CPU %u, but the module has %u CPUs", h->cpu, bulk_cpus);
	if (out_write_all(bulk_fds[h->cpu], &rec, sizeof(rec)) < 0 ||
	    out_write_all(bulk_fds[h->cpu], data, h->len) < 0)
		die("cannot write %s_cpu%u: %s", bulk_base, h->cpu, strerror(errno));
}

static int close_bulk_files(void)
{
	unsigned int cpu;
	int rc = 0;

	for (cpu = 0; cpu < bulk_cpus; cpu++)
		if (close(bulk_fds[cpu]) < 0)
			rc = -1;
	return rc;
}

/*
 * system(): starts "/bin/sh -c CMD" in the background, with stapio's
 * standard streams, and goes on relaying output (SIGCHLD reaps it).
 * The script's own output printed before the call has already been
 * written.
 */
static void run_command(const char *data, size_t len)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	char *cmd;
	pid_t pid;

	cmd = strndup(data, len);
	if (!cmd)
		die("out of memory");
	sigemptyset(&none);
	pid = fork();
	if (pid == 0) {
		/* only async-signal-safe calls between fork and exec; exec
		 * resets caught signals, but the ignored SIGPIPE would stay */
		sigaction(SIGPIPE, &dfl, NULL);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		fprintf(stderr, "ERROR: system(): cannot start '%s': %s\n", cmd,
			strerror(errno));
		error_seen = 1;
	}
	free(cmd);
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

/*
 * The session's totals, from STP_MSG_STOPPED (never dropped, unlike a
 * warning in a full buffer), as warnings unless -w.
 */
static void report_totals(const struct stp_stopped *st)
{
	if (no_warnings)
		return;
	if (st->errors_all || st->skipped)
		fprintf(stderr, "WARNING: Number of errors: %u, skipped probes: %u\n",
			st->errors_all, st->skipped);
	if (st->drops)
		fprintf(stderr, "WARNING: %llu output messages were dropped: the buffer was "
			"full (try stap -s MB)\n", (unsigned long long)st->drops);
}

/* switch_file(), SIGUSR2: -o FILE's next file; nothing for stdout or stap -b. */
static void switch_output(void)
{
	switch_requested = 0;
	if (!out.pattern || output_broken)
		return;
	if (outfile_switch(&out) < 0)
		die("cannot open %s: %s", out.name, strerror(errno));
}

static void handle_message(const struct stp_msg_header *h, const char *data)
{
	struct stp_stopped st;

	switch (h->type) {
	case STP_MSG_OUTPUT:
		if (bulk_cpus)
			put_bulk_output(h, data);
		else
			put_output(data, h->len);
		break;
	case STP_MSG_WARNING:
		if (no_warnings || !warning_is_new(data, h->len))
			break;
		if (out_write_all(STDERR_FILENO, data, h->len) < 0)
			error_seen = 1;
		break;
	case STP_MSG_ERROR:
		error_seen = 1;
		out_write_all(STDERR_FILENO, data, h->len);
		break;
	case STP_MSG_EXIT_REQUEST:
		request_stop();
		break;
	case STP_MSG_STARTED:
		/* -T counts from here: the probes are armed */
		if (timeout_seconds)
			alarm(timeout_seconds);
		release_command();
		start_stdin();
		detach_now = flight_recorder;
		break;
	case STP_MSG_STOPPED:
		memset(&st, 0, sizeof(st));
		memcpy(&st, data, h->len < sizeof(st) ? h->len : sizeof(st));
		if (verbose)
			fprintf(stderr, "stapio: stopped: %u errors, %u skipped\n",
				st.errors, st.skipped);
		report_totals(&st);
		if (st.errors > 0)
			error_seen = 1;
		stopped_seen = 1;
		break;
	case STP_MSG_SYSTEM:
		run_command(data, h->len);
		break;
	case STP_MSG_SWITCH_FILE:
		switch_output();
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
	const char *outfile = NULL, *command = NULL;
	char *end, target_cmd[32];
	static char *buf;	/* static: reachable until exit, whichever way stapio ends */
	long target = 0, seconds = 0;
	int opt, attach = 0, stop_at_once = 0;
	long bulk_given = -1;	/* -B N: staprun read _stp_bulk_cpus */

	while ((opt = getopt(argc, argv, "+o:S:c:x:T:C:B:FAKwvh")) != -1) {
		switch (opt) {
		case 'B':
			bulk_given = strtol(optarg, &end, 10);
			if (*end || bulk_given < 0 || bulk_given > 65536)
				die("-B takes a number of CPUs, not '%s'", optarg);
			break;
		case 'C':
			ctl_fd = (int)strtol(optarg, &end, 10);
			if (*end || ctl_fd < 0 || fcntl(ctl_fd, F_SETFD, FD_CLOEXEC) < 0)
				die("-C takes an open file descriptor, not '%s'", optarg);
			break;
		case 'F':
			flight_recorder = 1;
			break;
		case 'A':
			attach = 1;
			break;
		case 'K':
			stop_at_once = 1;
			break;
		case 'o':
			outfile = optarg;
			break;
		case 'S':
			if (outfile_parse_limits(&out, optarg) < 0)
				die("-S takes SIZE_MB[,N_FILES], not '%s'", optarg);
			break;
		case 'c':
			command = optarg;
			break;
		case 'x':
			target = strtol(optarg, &end, 10);
			if (*end || target <= 0 || target > INT32_MAX)
				die("-x takes a process id, not '%s'", optarg);
			break;
		case 'T':
			seconds = strtol(optarg, &end, 10);
			if (*end || seconds <= 0 || seconds > 100000000)
				die("-T takes a number of seconds, not '%s'", optarg);
			break;
		case 'w':
			no_warnings = 1;
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
	if (optind + 1 != argc || (command && target) ||
	    (attach && (command || target || flight_recorder))) {
		usage(stderr);
		return 1;
	}
	module_name = argv[optind];
	snprintf(proc_path, sizeof(proc_path), "/proc/" STP_PROC_PREFIX "%s",
		 module_name);

	set_signals();
	buf = malloc(READ_BUF_SIZE);
	if (!buf)
		die("out of memory");
	if (out.max_bytes && !outfile)
		die("-S needs -o FILE");
	if (ctl_fd < 0)
		ctl_fd = open(proc_path, O_RDWR | O_CLOEXEC);
	if (ctl_fd < 0)
		die("cannot open %s: %s%s", proc_path, strerror(errno),
		    errno == ENOENT ? " (is the module loaded?)" : "");
	bulk_cpus = bulk_given >= 0 ? bulk_given : module_bulk_cpus(argv[optind]);
	stdin_param_fd = module_param_open(STP_STDIN_PARAM);
	if (bulk_cpus && out.max_bytes)
		die("-S cannot be used with a bulk-mode (stap -b) module");
	if (bulk_cpus) {
		open_bulk_files(outfile);
	} else if (outfile) {
		out.pattern = outfile;
		if (outfile_open(&out) < 0)
			die("cannot open %s: %s", out.name, strerror(errno));
	}
	if (command)
		target = cmd_pid = fork_command(command);
	if (target) {
		snprintf(target_cmd, sizeof(target_cmd), "target %ld\n", target);
		write_command(target_cmd);
	}
	timeout_seconds = seconds;
	if (!attach)
		send_command("start\n");
	else if (seconds)
		alarm(seconds);
	if (stop_at_once)
		request_stop();

	/* Ends at EOF, which the module sends after STP_MSG_STOPPED. */
	for (;;) {
		ssize_t n;

		if (signals_seen || timed_out)
			request_stop();
		if (child_exited)
			reap_command();
		if (switch_requested)
			switch_output();
		n = read(ctl_fd, buf, READ_BUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("cannot read %s: %s", proc_path, strerror(errno));
		}
		if (n == 0)
			break;
		handle_buffer(buf, n);
		if (detach_now) {
			/* the module runs on; its output waits for staprun -A */
			if (verbose)
				fprintf(stderr, "stapio: detached from %s\n", proc_path);
			return 0;
		}
	}
	if (cmd_pid > 0)
		end_command();
	if (!stopped_seen) {
		fprintf(stderr, "stapio: %s ended before the script stopped\n",
			proc_path);
		error_seen = 1;
	}
	if (bulk_cpus && close_bulk_files() < 0)
		die("cannot write %s_cpu*: %s", bulk_base, strerror(errno));
	if (!bulk_cpus && outfile && outfile_close(&out) < 0)
		die("cannot write %s: %s", out.name, strerror(errno));
	restore_terminal();
	if (verbose)
		fprintf(stderr, "stapio: done, exit status %d\n", error_seen);
	return error_seen;
}
