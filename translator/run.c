/*
 * run.c - pass 5: load the module and relay its output until it ends.
 *
 * On this machine's kernel: staprun.  With --vm: stap-vm boots a small
 * VM on the target kernel, with the programs the script traces and what
 * they need to run, runs staprun there and streams the output back.
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

/*
 * The word of a -c command that names the program the shell starts: the
 * first after any NAME=value assignments, its quotes (if it has a pair)
 * taken off.  *at and *len say where it is in CMD.
 */
static const char *command_word(const char *cmd, size_t *at, size_t *len)
{
	for (const char *p = cmd;;) {
		p += strspn(p, " \t");
		size_t n = strcspn(p, " \t;|&<>()");
		const char *word = arena_strndup(p, n);
		*at = (size_t)(p - cmd);
		*len = n;
		if (n >= 2 && (word[0] == '\'' || word[0] == '"') && word[n - 1] == word[0])
			word = arena_strndup(word + 1, n - 2);
		size_t name = strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				     "0123456789_");
		if (name && word[name] == '=') {
			p += n;
			continue;
		}
		return word;
	}
}

/*
 * The program a -c command starts, when a path names it.  NULL for a
 * command found through PATH (in the VM, one of busybox's).
 */
static const char *command_program(const char *cmd)
{
	size_t at, len;
	const char *word = command_word(cmd, &at, &len);
	return strchr(word, '/') ? word : NULL;
}

/*
 * --vm -c 'NAME ...': the guest's PATH finds its own NAME (busybox's),
 * not the program a probe names as process("NAME") (this machine's PATH
 * finds that one), so the probes would never fire.  When this machine's
 * PATH finds NAME at a program --vm copies, the command starts that
 * program by its path, as it would on this machine.
 */
static void run_copied_program(Session *s)
{
	size_t at, len;
	const char *word = command_word(s->target_cmd, &at, &len);
	if (!*word || strchr(word, '/') || strlen(word) != len)
		return;
	char *abs = program_path(word);
	if (!abs)
		return;
	for (int i = 0; i < s->vm_copies.len; i++) {
		if (strcmp(s->vm_copies.items[i], abs) == 0) {
			s->target_cmd = arena_printf("%.*s%s%s", (int)at, s->target_cmd, abs,
						     s->target_cmd + at + len);
			break;
		}
	}
	free(abs);
}

static void add_file(Vec *files, const char *path)
{
	for (int i = 0; i < files->len; i++)
		if (strcmp(files->items[i], path) == 0)
			return;
	vec_push(files, (void *)path);
}

/*
 * What --vm copies into the guest, each at its host path: the programs
 * that process("PATH") probes and -d name, the program of -c, and the
 * loader and shared libraries each of them needs (ldd.c), since the
 * guest has none of its own.
 */
static Vec vm_files(Session *s)
{
	Vec files = {0};
	for (int i = 0; i < s->vm_copies.len; i++)
		add_file(&files, s->vm_copies.items[i]);
	const char *prog = s->target_cmd ? command_program(s->target_cmd) : NULL;
	if (prog && prog[0] == '/' && access(prog, X_OK) == 0)
		add_file(&files, prog);
	int given = files.len;
	for (int i = 0; i < given; i++) {
		Vec missing = {0};
		Vec need = needed_files(files.items[i], &missing);
		for (int j = 0; j < need.len; j++)
			add_file(&files, need.items[j]);
		for (int j = 0; j < missing.len; j++)
			warn_plain("%s needs %s, which is in none of the directories its loader "
				   "searches: it cannot start in the VM", (char *)files.items[i],
				   (char *)missing.items[j]);
	}
	return files;
}

static bool kernel_can_load_modules(void)
{
	return access("/proc/modules", F_OK) == 0;
}

int run_module(Session *s)
{
	Vec args = {0};
	if (s->use_vm && s->target_cmd)
		run_copied_program(s);
	if (s->use_vm) {
		vec_push(&args, (void *)tool_path(s, "vm", "stap-vm"));
		vec_push(&args, "--staprun");
		vec_push(&args, (void *)tool_path(s, "stapio", "staprun"));
		vec_push(&args, "--stapio");
		vec_push(&args, (void *)tool_path(s, "stapio", "stapio"));
		vec_push(&args, "--release");
		vec_push(&args, (void *)s->kernel_release);
		Vec files = vm_files(s);
		for (int i = 0; i < files.len; i++) {
			vec_push(&args, "--copy");
			vec_push(&args, files.items[i]);
		}
		if (s->vm_timeout > 0) {
			vec_push(&args, "--timeout");
			vec_push(&args, arena_printf("%d", s->vm_timeout));
		}
		/* input.char, input.line: our stdin goes to the guest's stapio */
		if (stdin_mode(s)) {
			vec_push(&args, "--stdin");
			vec_push(&args, (void *)stdin_mode(s));
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
