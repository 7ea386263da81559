/*
 * run.c - pass 5: load the module and relay its output until it ends.
 *
 * On this machine's kernel: staprun.  With --vm: stap-vm boots a small
 * VM on the target kernel, runs staprun there and streams the output back.
 * Either way stap waits, and passes ^C on by letting the child have it.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "stap.h"

static pid_t child;

/*
 * A signal that a process sent to stap alone (kill, timeout) goes on to
 * the child; one the terminal sent to the whole group (^C) the child
 * has had already.
 */
static void forward_signal(int sig, siginfo_t *info, void *ctx)
{
	if (child > 0 && info->si_code == SI_USER)
		kill(child, sig);
}

static int run_child(char **argv, bool verbose)
{
	if (verbose) {
		fprintf(stderr, "Running");
		for (char **a = argv; *a; a++)
			fprintf(stderr, " %s", *a);
		fprintf(stderr, "\n");
	}
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		/* if stap dies, the script still stops in order, and no VM lives on */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execv(argv[0], argv);
		fprintf(stderr, "stap: error: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* the child stops the script in order: end probes run, the module unloads */
	child = pid;
	struct sigaction sa = { .sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			fatal("waitpid: %s", strerror(errno));
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static bool kernel_can_load_modules(void)
{
	return access("/proc/modules", F_OK) == 0;
}

int run_module(Session *s)
{
	Vec args = {0};
	if (s->use_vm) {
		vec_push(&args, (void *)tool_path(s, "vm", "stap-vm"));
		vec_push(&args, "--staprun");
		vec_push(&args, (void *)tool_path(s, "stapio", "staprun"));
		vec_push(&args, "--stapio");
		vec_push(&args, (void *)tool_path(s, "stapio", "stapio"));
		vec_push(&args, "--release");
		vec_push(&args, (void *)s->kernel_release);
		for (int i = 0; i < s->vm_copies.len; i++) {
			vec_push(&args, "--copy");
			vec_push(&args, s->vm_copies.items[i]);
		}
		if (s->vm_timeout > 0) {
			vec_push(&args, "--timeout");
			vec_push(&args, arena_printf("%d", s->vm_timeout));
		}
	} else {
		struct utsname u;
		uname(&u);
		if (!kernel_can_load_modules()) {
			error_plain(NULL, "this kernel (%s) cannot load modules (it has no "
				    "CONFIG_MODULES): run the script in a virtual machine with --vm",
				    u.release);
			return 1;
		}
		if (strcmp(u.release, s->kernel_release) != 0) {
			error_plain(NULL, "the module is built for kernel %s, but this machine runs "
				    "%s: copy it there and run it with staprun, or use --vm",
				    s->kernel_release, u.release);
			return 1;
		}
		vec_push(&args, (void *)tool_path(s, "stapio", "staprun"));
	}
	if (s->output_file) {
		vec_push(&args, "-o");
		vec_push(&args, (void *)s->output_file);
	}
	if (s->output_limits) {	/* where the file is written: stap-vm or stapio */
		vec_push(&args, "-S");
		vec_push(&args, (void *)s->output_limits);
	}
	/* staprun's own options; stap-vm puts them on the guest's staprun */
	const char *opts[10];
	int nopts = 0;
	if (s->target_cmd) {
		opts[nopts++] = "-c";
		opts[nopts++] = s->target_cmd;
	}
	if (s->target_pid) {
		opts[nopts++] = "-x";
		opts[nopts++] = s->target_pid;
	}
	if (s->flight_recorder)
		opts[nopts++] = "-F";
	if (warnings_off)	/* -w: the script's run-time warnings too, as in SystemTap */
		opts[nopts++] = "-w";
	if (s->pass_verbose[4] >= 3)	/* -vvv: staprun and stapio tell what they do */
		opts[nopts++] = "-v";
	if (s->stop_after) {
		opts[nopts++] = "-T";
		opts[nopts++] = arena_printf("%d", s->stop_after);
	}
	for (int i = 0; i < nopts; i++) {
		if (s->use_vm)
			vec_push(&args, "--staprun-arg");
		vec_push(&args, (void *)opts[i]);
	}
	vec_push(&args, (void *)s->ko_file);
	for (int i = 0; i < s->globals_set.len; i++)
		vec_push(&args, s->globals_set.items[i]);
	vec_push(&args, NULL);
	return run_child((char **)args.items, s->pass_verbose[4] > 1);
}
