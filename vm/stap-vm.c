// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap-vm - run stap modules in a throwaway VM.
 *
 * The host kernel cannot load modules, so stap-vm boots a kernel that
 * can (installed by vm/install-kernel) under qemu -accel tcg, with an
 * initramfs that it writes itself: busybox, staprun, stapio, the
 * modules, a plan (/plan.sh) and the /init script below.
 *
 * Serial ports (the host ends are unix sockets that qemu connects to):
 *	ttyS0	kernel console and /init's own messages
 *	ttyS1	live: the script's stdout, raw; with --stdin, the other
 *		way, stap-vm's stdin to staprun's (input.char, input.line)
 *		batch: framed results (see "the guest's messages")
 *	ttyS2	live: the script's stderr, raw
 *	ttyS3	live: guest -> host status lines
 *		both: host -> guest commands "INT i" and "KILL i"
 * The guest marks each module's start and end in the kernel log, so the
 * console can be split per module.
 *
 * Live:  stap-vm [options] MODULE.ko [name=value ...]
 * Batch: stap-vm [options] --batch OUTDIR LISTFILE
 * With --script, each MODULE.ko is a shell script that the guest runs
 * with sh instead of staprun (benchmarks use it to load modules and run
 * programs under them).
 * See usage() and doc/vm.md.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "cpio.h"
#include "../stapio/outfile.h"

#ifndef STAP_VM_DIR
#define STAP_VM_DIR "/var/lib/stap/vm"
#endif
#ifndef STAP_SRCDIR
#define STAP_SRCDIR "."
#endif

#define BOOT_ALLOWANCE	60.0	/* seconds from qemu's start to a ready guest */
#define INT_GRACE	5.0	/* after SIGINT, before SIGKILL */
#define KILL_GRACE	10.0	/* after SIGKILL, before the VM counts as hung */
#define JOB_ALLOWANCE	30.0	/* per module, on top of its timeout */
#define END_GRACE	2.0	/* after the last status, for the guest to finish */
#define TAIL_LINES	60	/* console lines kept for reports */
#define EXCERPT_LINES	60	/* console lines shown after trouble */
#define MARK		"stap-vm-mark: "

/*
 * The guest's /init.  /mode says live, batch or shell; /plan.sh calls
 * run() once per module, whose file is /m/INDEX/FILE.ko:
 *	run INDEX MODULE_NAME FILE.ko [name=value ...]
 * or, with --script, script() once per guest shell script:
 *	script INDEX NAME FILE [ARG ...]
 *
 * The guest's messages to the host are lines:
 *	R		booted and ready
 *	B i		module i starts
 *	F i out|err N	followed by N bytes of module i's stdout or stderr
 *	E i STATUS	module i ended; STATUS is staprun's exit status
 *	D		all done
 * In batch mode they all go over ttyS1, in live mode over ttyS3 (and
 * there are no F frames: ttyS1 and ttyS2 carry the output raw).
 *
 * Ordering: the last close of a tty waits until its output has gone
 * out of the UART, that is, until qemu has written it to the socket.
 * So F, E and D are each written by a command that opens the port and
 * closes it again while nobody else holds it open (staprun's own
 * ttyS1/ttyS2 close likewise): everything written before them is at
 * the host when they are sent, and nothing is lost to the poweroff.
 */
static const char guest_init[] =
#include "vm/guest-init.h"
	;

enum { PORT_CONSOLE, PORT_OUT, PORT_ERR, PORT_CTL, NPORTS };

enum job_state { JOB_WAITING, JOB_RUNNING, JOB_DONE };

struct job {
	int index;		/* 1-based: the guest's name for it */
	char *name;		/* batch: NAME, the result files' prefix */
	double timeout;		/* seconds; 0: none */
	char *module;		/* path on the host */
	char *modname;		/* the kernel's name for it */
	char **args;
	int nargs;

	enum job_state state;
	double started;
	int stop_phase;		/* 0; 1: INT sent; 2: KILL sent */
	bool timed_out;
	int status;		/* staprun's exit status, when DONE */
	FILE *out, *err;	/* batch: NAME.stdout, NAME.stderr */
	FILE *console;		/* batch: NAME.console */
	char *trouble;		/* the first worrying console line */
};

/* The guest's message stream (ttyS1 in batch mode, ttyS3 live). */
struct proto {
	char line[256];
	size_t len;
	unsigned long long data_left;	/* bytes of an F frame still to come */
	FILE *data_to;
};

static struct {
	/* options */
	const char *kernel, *release, *staprun, *stapio, *busybox;
	const char *console_file, *outfile, *batch_dir, *list_file;
	const char **extra;
	int nextra;
	const char **insmod;	/* --insmod: also in extra, loaded at boot */
	int ninsmod;
	const char **copy;		/* --copy: host files at the same path */
	int ncopy;
	const char **staprun_args;	/* --staprun-arg: before each FILE.ko */
	int nstaprun_args;
	int smp, memory_mb, verbose;
	int disk_mb;		/* --disk: an NVMe disk of this size; 0: none */
	bool icount, shell, script;
	double timeout;
	const char *stdin_mode;	/* --stdin line|char: forward stdin; NULL: not */

	struct job *jobs;
	int njobs;
	bool batch;

	/* the VM */
	char tmpdir[64];
	char self_dir[PATH_MAX];
	pid_t qemu;
	bool qemu_exited;
	int qemu_status;
	int fd[NPORTS];
	double t_start, t_ready, t_all_done;
	bool ready, finished;
	const char *stop_reason;	/* why stap-vm stopped the VM early, or NULL */
	int interrupts;
	bool pending_int;
	struct out_file out;	/* -o FILE [-S]: live output; .fd is stdout without -o */
	bool out_broken;
	int live_status;	/* -1 until the guest reports it */

	/* the console */
	FILE *console_log;
	char con_line[4096];
	size_t con_len;
	char *tail[TAIL_LINES];
	int tail_next;
	int console_job;	/* index into jobs of the lines' owner, or -1 */
	char *trouble;		/* live: the first worrying line */
	const char *prev_line;	/* the console line before this one */
	bool excerpt_done;	/* the first report's end is in the excerpt */
	char *excerpt[EXCERPT_LINES];
	int nexcerpt;

	struct proto proto;
	int sigpipe[2];

	/* --stdin: bytes read from stdin, on their way to ttyS1 */
	char in_buf[4096];
	size_t in_len, in_off;
	bool in_eof;
	struct termios saved_tty;	/* --stdin char: stdin's terminal before */
	bool tty_changed;
} S = { .smp = 2, .memory_mb = 512, .live_status = -1, .console_job = -1,
	.qemu = -1, .out = { .fd = STDOUT_FILENO },
	.fd = { -1, -1, -1, -1 }, .sigpipe = { -1, -1 } };

/* ---- small helpers ---- */

static void cleanup_tmpdir(void);

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("stap-vm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (S.qemu > 0 && !S.qemu_exited)
		kill(S.qemu, SIGKILL);
	cleanup_tmpdir();
	exit(1);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("stap-vm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define verbose(...) do { if (S.verbose) say(__VA_ARGS__); } while (0)

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The kernel's name for a module file: base name without .ko, '-' -> '_'. */
static char *module_name(const char *path)
{
	char *name = xstrdup(base_name(path));
	size_t n = strlen(name);
	char *p;

	if (n > 3 && !strcmp(name + n - 3, ".ko"))
		name[n - 3] = '\0';
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

/* Writes s as one shell word in single quotes. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* 1: a static ELF executable; 0: dynamic (has PT_INTERP); -1: not ELF. */
static int elf_is_static(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd, i, rc = 1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		close(fd);
		return -1;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		off_t off = eh.e_phoff + (off_t)i * eh.e_phentsize;

		if (pread(fd, &ph, sizeof(ph), off) != sizeof(ph)) {
			rc = -1;
			break;
		}
		if (ph.p_type == PT_INTERP) {
			rc = 0;
			break;
		}
	}
	close(fd);
	return rc;
}

/* ---- usage and options ---- */

static void usage(FILE *f)
{
	fputs(
"usage: stap-vm [options] MODULE.ko [name=value ...]\n"
"       stap-vm [options] --batch OUTDIR LISTFILE\n"
"       stap-vm [options] --script FILE.sh [ARG ...]\n"
"Boots a VM (qemu -accel tcg) and runs stap modules in it with staprun.\n"
"\n"
"Live mode runs one module; its output and errors appear here as they\n"
"happen, ^C stops the script in order (end probes run; a third ^C kills\n"
"the VM), and stap-vm exits with staprun's status.\n"
"\n"
"Batch mode runs many modules in one boot.  LISTFILE has lines\n"
"  NAME TIMEOUT_SECONDS MODULE.ko [name=value ...]\n"
"('#' starts a comment) and each module leaves OUTDIR/NAME.stdout,\n"
"NAME.stderr, NAME.console (its part of the guest's console) and\n"
"NAME.status: staprun's exit status, 'timeout' or 'vm-died'.\n"
"\n"
"Options:\n"
"  --kernel FILE     the guest kernel (vmlinuz)\n"
"  --release R       the kernel in $STAP_VM_DIR/R/vmlinuz (default:\n"
"                    $STAP_VM_RELEASE, else the one $STAP_VM_DIR/default\n"
"                    names, else the only one there;\n"
"                    STAP_VM_DIR defaults to " STAP_VM_DIR ")\n"
"  --staprun-arg ARG an option for the guest's staprun, before the module\n"
"                    (repeatable: --staprun-arg -c --staprun-arg 'ls /')\n"
"  --staprun PATH    static staprun for the guest (default: next to\n"
"  --stapio PATH     stap-vm, then in ../stapio/)\n"
"  --smp N           virtual CPUs (default 2, or $STAP_VM_SMP)\n"
"  --memory MB       guest memory (default 512)\n"
"  --disk MB         give the guest an empty NVMe disk of MB megabytes,\n"
"                    /dev/nvme0n1 (a sparse file in the temporary\n"
"                    directory, gone with it; default none, or\n"
"                    $STAP_VM_DISK)\n"
"  --icount          count instructions for time (-icount shift=0,\n"
"                    forces --smp 1): for benchmarks\n"
"  --timeout SECS    live mode: stop the script after SECS\n"
"  --stdin MODE      live mode: send stdin to the guest's staprun once the\n"
"                    module runs (the script reads it: input.char,\n"
"                    input.line); MODE 'char' also makes a terminal on\n"
"                    stdin non-canonical, each key sent as it is typed,\n"
"                    'line' leaves it be\n"
"  --console FILE    keep the whole guest console in FILE\n"
"  -o FILE           live mode: write the script's output to FILE\n"
"                    (strftime patterns like %Y%m%d are expanded)\n"
"  -S MB[,N]         with -o: switch to FILE.1, FILE.2, ... past MB megabytes,\n"
"                    keeping the newest N files\n"
"  --extra FILE      copy FILE into the guest's /extra/ (repeatable);\n"
"                    /extra/NAME.trigger is sourced every 0.2 s while\n"
"                    module NAME runs (to make probed code run)\n"
"  --insmod FILE.ko  copy it into /extra/ and load it before the first job\n"
"  --copy PATH       copy the host file PATH to the same path in the guest\n"
"                    (a program for process(\"PATH\") probes; repeatable)\n"
"  --script          each MODULE.ko (live) or list entry (batch) is a\n"
"                    shell script that the guest runs with sh instead of\n"
"                    staprun, in the same way (benchmarks)\n"
"  --shell           boot to a busybox shell on this terminal (debugging)\n"
"  -v                show the qemu command and timings (-vv: the console)\n"
"  -h, --help        this text\n"
"Environment: STAP_VM_DIR, STAP_VM_RELEASE, STAP_VM_QEMU (qemu binary), STAP_VM_SMP,\n"
"STAP_VM_DISK, STAP_VM_BUSYBOX\n"
"(a static busybox; default /bin/busybox).\n", f);
}

static double parse_seconds(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0)
		die("%s: not a number of seconds: %s", what, s);
	return v;
}

static int parse_int(const char *s, const char *what, int min, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die("%s: expected a number from %d to %d, not %s", what, min,
		    max, s);
	return v;
}

static void add_job(const char *name, double timeout, const char *module,
		    char **args, int nargs)
{
	struct job *j;
	int i;

	S.jobs = realloc(S.jobs, (S.njobs + 1) * sizeof(*S.jobs));
	if (!S.jobs)
		die("out of memory");
	j = &S.jobs[S.njobs];
	memset(j, 0, sizeof(*j));
	j->index = ++S.njobs;
	j->name = xstrdup(name);
	j->timeout = timeout;
	j->module = xstrdup(module);
	j->modname = module_name(module);
	j->args = xmalloc(nargs * sizeof(char *));
	for (i = 0; i < nargs; i++)
		j->args[i] = xstrdup(args[i]);
	j->nargs = nargs;
	j->status = -1;
}

static bool valid_name(const char *s)
{
	if (!*s || *s == '.')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-+", *s))
			return false;
	return true;
}

/* LISTFILE: NAME TIMEOUT MODULE.ko [name=value ...] per line. */
static void read_list(const char *path)
{
	char line[8192];
	int lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		die("cannot open %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *words[256], *save, *w, *hash;
		int n = 0, i;

		lineno++;
		if (!strchr(line, '\n') && !feof(f))
			die("%s:%d: line too long", path, lineno);
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		for (w = strtok_r(line, " \t\r\n", &save); w;
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			if (n == 256)
				die("%s:%d: too many words", path, lineno);
			words[n++] = w;
		}
		if (n == 0)
			continue;
		if (n < 3)
			die("%s:%d: expected NAME TIMEOUT_SECONDS MODULE.ko [name=value ...]",
			    path, lineno);
		if (!valid_name(words[0]))
			die("%s:%d: bad NAME %s (letters, digits and ._-+ only)",
			    path, lineno, words[0]);
		for (i = 0; i < S.njobs; i++)
			if (!strcmp(S.jobs[i].name, words[0]))
				die("%s:%d: NAME %s is used twice", path, lineno,
				    words[0]);
		add_job(words[0], parse_seconds(words[1], words[0]), words[2],
			words + 3, n - 3);
	}
	fclose(f);
	if (S.njobs == 0)
		die("%s lists no modules", path);
}

static void parse_options(int argc, char **argv)
{
	enum { O_KERNEL = 256, O_RELEASE, O_STAPRUN, O_STAPIO, O_SMP,
	       O_MEMORY, O_ICOUNT, O_TIMEOUT, O_CONSOLE, O_EXTRA, O_SHELL,
	       O_BATCH, O_SCRIPT, O_INSMOD, O_STAPRUN_ARG, O_COPY, O_DISK, O_STDIN };
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, O_KERNEL },
		{ "release", required_argument, NULL, O_RELEASE },
		{ "staprun", required_argument, NULL, O_STAPRUN },
		{ "stapio", required_argument, NULL, O_STAPIO },
		{ "smp", required_argument, NULL, O_SMP },
		{ "memory", required_argument, NULL, O_MEMORY },
		{ "disk", required_argument, NULL, O_DISK },
		{ "icount", no_argument, NULL, O_ICOUNT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "console", required_argument, NULL, O_CONSOLE },
		{ "extra", required_argument, NULL, O_EXTRA },
		{ "insmod", required_argument, NULL, O_INSMOD },
		{ "shell", no_argument, NULL, O_SHELL },
		{ "script", no_argument, NULL, O_SCRIPT },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "staprun-arg", required_argument, NULL, O_STAPRUN_ARG },
		{ "copy", required_argument, NULL, O_COPY },
		{ "stdin", required_argument, NULL, O_STDIN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *name;
	int opt;

	/* the testsuite runs one CPU unless a test asks for more: a second
	   vCPU thread starved by a busy host stalls the guest's IPIs */
	if (getenv("STAP_VM_SMP"))
		S.smp = parse_int(getenv("STAP_VM_SMP"), "STAP_VM_SMP", 1, 64);
	/* a disk for stap --vm, which has no option of its own for it */
	if (getenv("STAP_VM_DISK"))
		S.disk_mb = parse_int(getenv("STAP_VM_DISK"), "STAP_VM_DISK", 0,
				      1048576);
	while ((opt = getopt_long(argc, argv, "+o:S:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case O_KERNEL: S.kernel = optarg; break;
		case O_RELEASE: S.release = optarg; break;
		case O_STAPRUN: S.staprun = optarg; break;
		case O_STAPIO: S.stapio = optarg; break;
		case O_SMP: S.smp = parse_int(optarg, "--smp", 1, 64); break;
		case O_MEMORY:
			S.memory_mb = parse_int(optarg, "--memory", 64, 65536);
			break;
		case O_DISK:
			S.disk_mb = parse_int(optarg, "--disk", 1, 1048576);
			break;
		case O_ICOUNT: S.icount = true; break;
		case O_TIMEOUT:
			S.timeout = parse_seconds(optarg, "--timeout");
			break;
		case O_CONSOLE: S.console_file = optarg; break;
		case O_EXTRA:
			S.extra = realloc(S.extra, (S.nextra + 1) * sizeof(char *));
			if (!S.extra)
				die("out of memory");
			S.extra[S.nextra++] = optarg;
			break;
		case O_INSMOD:
			S.extra = realloc(S.extra, (S.nextra + 1) * sizeof(char *));
			S.insmod = realloc(S.insmod, (S.ninsmod + 1) * sizeof(char *));
			if (!S.extra || !S.insmod)
				die("out of memory");
			S.extra[S.nextra++] = optarg;
			S.insmod[S.ninsmod++] = optarg;
			break;
		case O_SHELL: S.shell = true; break;
		case O_SCRIPT: S.script = true; break;
		case O_BATCH: S.batch_dir = optarg; S.batch = true; break;
		case O_COPY:
			if (optarg[0] != '/')
				die("--copy takes an absolute path, not '%s'", optarg);
			S.copy = realloc(S.copy, (S.ncopy + 1) * sizeof(char *));
			if (!S.copy)
				die("out of memory");
			S.copy[S.ncopy++] = optarg;
			break;
		case O_STAPRUN_ARG:
			S.staprun_args = realloc(S.staprun_args,
						 (S.nstaprun_args + 1) * sizeof(char *));
			if (!S.staprun_args)
				die("out of memory");
			S.staprun_args[S.nstaprun_args++] = optarg;
			break;
		case O_STDIN:
			if (strcmp(optarg, "line") != 0 && strcmp(optarg, "char") != 0)
				die("--stdin takes line or char, not '%s'", optarg);
			S.stdin_mode = optarg;
			break;
		case 'o': S.outfile = optarg; break;
		case 'S':
			if (outfile_parse_limits(&S.out, optarg) < 0)
				die("-S takes SIZE_MB[,N_FILES], not '%s'", optarg);
			break;
		case 'v': S.verbose++; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(1);
		}
	}
	if (S.icount)
		S.smp = 1;

	if (S.batch) {
		if (optind + 1 != argc)
			die("--batch takes OUTDIR LISTFILE (see --help)");
		if (S.outfile || S.timeout || S.stdin_mode)
			die("-o, --timeout and --stdin are for live mode; batch mode has per-module timeouts");
		S.list_file = argv[optind];
		read_list(S.list_file);
		return;
	}
	if (optind >= argc) {
		if (S.shell)
			return;
		usage(stderr);
		exit(1);
	}
	name = module_name(argv[optind]);
	add_job(name, S.timeout, argv[optind], argv + optind + 1,
		argc - optind - 1);
	free(name);
}

/* ---- finding the kernel and the guest's programs ---- */

static void find_self_dir(void)
{
	ssize_t n = readlink("/proc/self/exe", S.self_dir, sizeof(S.self_dir) - 1);
	char *slash;

	if (n <= 0)
		die("cannot find my own program: /proc/self/exe: %s",
		    strerror(errno));
	S.self_dir[n] = '\0';
	slash = strrchr(S.self_dir, '/');
	*slash = '\0';
}

static void kernel_missing(const char *dir, const char *what) __attribute__((noreturn));

static void kernel_missing(const char *dir, const char *what)
{
	char *installed = xasprintf("%s/install-kernel", S.self_dir);
	char *env = getenv("STAP_VM_DIR") ? xasprintf("STAP_VM_DIR=%s ", dir)
					  : xstrdup("");

	say("%s", what);
	say("install the VM kernel as root with:");
	if (is_file(installed))
		fprintf(stderr, "    %s%s\n", env, installed);
	else
		fprintf(stderr,
			"    %s%s/vm/install-kernel           (from the source tree)\n"
			"    %s$(pkglibexecdir)/install-kernel   (when installed)\n",
			env, STAP_SRCDIR, env);
	fprintf(stderr, "or name a kernel image with --kernel FILE\n");
	cleanup_tmpdir();
	exit(1);
}

/*
 * The release named in DIR/default (install-kernel writes it when it
 * installs the default kernel), or NULL when there is none.
 */
static char *default_release(const char *dir)
{
	char *path = xasprintf("%s/default", dir), line[256];
	FILE *f = fopen(path, "r");

	free(path);
	if (!f)
		return NULL;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line[0] && !strchr(line, '/') ? xstrdup(line) : NULL;
}

static const char *find_kernel(void)
{
	const char *dir = getenv("STAP_VM_DIR");
	char *path, *found = NULL, **names = NULL;
	int nfound = 0, i;
	struct dirent *de;
	DIR *d;

	if (S.kernel) {
		if (!is_file(S.kernel))
			die("no kernel image at %s", S.kernel);
		return S.kernel;
	}
	if (!dir || !*dir)
		dir = STAP_VM_DIR;
	if (!S.release && getenv("STAP_VM_RELEASE") && *getenv("STAP_VM_RELEASE"))
		S.release = getenv("STAP_VM_RELEASE");
	if (!S.release)
		S.release = default_release(dir);
	if (S.release) {
		path = xasprintf("%s/%s/vmlinuz", dir, S.release);
		if (!is_file(path))
			kernel_missing(dir, xasprintf("no VM kernel for release %s: %s is missing",
						     S.release, path));
		return path;
	}
	d = opendir(dir);
	if (!d)
		kernel_missing(dir, xasprintf("no VM kernel: cannot open %s: %s",
					     dir, strerror(errno)));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s/vmlinuz", dir, de->d_name);
		if (!is_file(path)) {
			free(path);
			continue;
		}
		names = realloc(names, (nfound + 1) * sizeof(char *));
		if (!names)
			die("out of memory");
		names[nfound++] = xstrdup(de->d_name);
		found = path;
	}
	closedir(d);
	if (nfound == 0)
		kernel_missing(dir, xasprintf("no VM kernel in %s", dir));
	if (nfound > 1) {
		say("several VM kernels in %s; choose one with:", dir);
		for (i = 0; i < nfound; i++)
			fprintf(stderr, "    --release %s\n", names[i]);
		exit(1);
	}
	free(names[0]);
	free(names);
	return found;
}

/* A static program for the guest: given, or next to stap-vm, or in ../dir/. */
static const char *find_tool(const char *given, const char *name,
			     const char *const *rel_dirs)
{
	const char *path = given;
	int i, rc;

	for (i = 0; !path && rel_dirs[i]; i++) {
		char *p = xasprintf("%s/%s%s", S.self_dir, rel_dirs[i], name);

		if (access(p, X_OK) == 0)
			path = p;
		else
			free(p);
	}
	if (!path)
		die("cannot find %s next to %s or in ../stapio/; give --%s PATH",
		    name, S.self_dir, name);
	rc = elf_is_static(path);
	if (rc < 0)
		die("%s is not an x86-64 ELF program", path);
	if (rc == 0)
		die("%s is linked dynamically; the guest needs it static", path);
	return path;
}

static void find_tools(void)
{
	static const char *const staprun_dirs[] = {
		"", "../stapio/", "../../bin/", NULL
	};
	static const char *const stapio_dirs[] = { "", "../stapio/", NULL };
	const char *bb = getenv("STAP_VM_BUSYBOX");
	int rc;

	S.staprun = find_tool(S.staprun, "staprun", staprun_dirs);
	S.stapio = find_tool(S.stapio, "stapio", stapio_dirs);
	if (!bb || !*bb)
		bb = is_file("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox";
	rc = elf_is_static(bb);
	if (rc < 0)
		die("no static busybox at %s: apt-get install busybox-static", bb);
	if (rc == 0)
		die("%s is linked dynamically: apt-get install busybox-static", bb);
	S.busybox = bb;
}

/* ---- the temporary directory and the initramfs ---- */

static void cleanup_tmpdir(void)
{
	struct dirent *de;
	DIR *d;

	if (!S.tmpdir[0])
		return;
	d = opendir(S.tmpdir);
	if (d) {
		while ((de = readdir(d))) {
			char *p;

			if (de->d_name[0] == '.')
				continue;
			p = xasprintf("%s/%s", S.tmpdir, de->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(S.tmpdir);
	S.tmpdir[0] = '\0';
}

static void make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	/* Socket paths must stay short (sun_path has 108 bytes). */
	if (!base || !*base || strlen(base) > 40)
		base = "/tmp";
	snprintf(S.tmpdir, sizeof(S.tmpdir), "%s/stap-vm.XXXXXX", base);
	if (!mkdtemp(S.tmpdir)) {
		S.tmpdir[0] = '\0';
		die("cannot make a temporary directory in %s: %s", base,
		    strerror(errno));
	}
}

static void write_plan(FILE *f)
{
	int i, k;

	fputs("# Written by stap-vm: run INDEX MODULE_NAME FILE.ko [name=value ...]\n"
	      "# or, with --script: script INDEX NAME FILE [ARG ...]\n", f);
	if (S.disk_mb)	/* the NVMe driver finds namespaces asynchronously */
		fputs("n=0\n"
		      "while [ ! -b /dev/nvme0n1 ] && [ $n -lt 100 ]; do\n"
		      "	usleep 100000\n"
		      "	n=$((n + 1))\n"
		      "done\n"
		      "[ -b /dev/nvme0n1 ] ||\n"
		      "	echo 'stap-vm: no /dev/nvme0n1' > /dev/console\n", f);
	for (i = 0; i < S.ninsmod; i++) {	/* --insmod: before every job */
		fputs("insmod /extra/", f);
		put_quoted(f, base_name(S.insmod[i]));
		fputs(" || echo 'stap-vm: insmod failed' > /dev/console\n", f);
	}
	for (i = 0; i < S.njobs; i++) {
		struct job *j = &S.jobs[i];

		fprintf(f, "%s %d ", S.script ? "script" : "run", j->index);
		put_quoted(f, j->modname);
		for (k = 0; k < S.nstaprun_args; k++) {
			fputc(' ', f);
			put_quoted(f, S.staprun_args[k]);
		}
		fputc(' ', f);
		put_quoted(f, base_name(j->module));
		for (k = 0; k < j->nargs; k++) {
			fputc(' ', f);
			put_quoted(f, j->args[k]);
		}
		fputc('\n', f);
	}
}

static void cpio_check(int rc, const char *what)
{
	if (rc < 0)
		die("cannot put %s into the initramfs: %s", what, strerror(errno));
}

/*
 * --copy PATH: the host file at the same absolute path in the guest, its
 * directories made as needed (process("PATH") probes name it there).
 * Symbolic links on the way are links in the guest too, to the same
 * targets, which are copied as well: the loader's
 * /lib64/ld-linux-x86-64.so.2 and /usr/lib/x86_64-linux-gnu/... are one
 * file in the guest as on the host, so that a uprobe placed by one name
 * fires for a program that maps it by the other.  The guest's own top
 * directories stay as they are: a file under a host /bin that links to
 * usr/bin becomes a link to the file at its real path.
 */
#define MAX_LINK_DEPTH 16	/* links followed for one path, as ELOOP would */

static struct {
	char **names;		/* archive names added: each once */
	int n;
} added;

static bool add_once(const char *name)
{
	int i;

	for (i = 0; i < added.n; i++)
		if (!strcmp(added.names[i], name))
			return false;
	added.names = realloc(added.names, (added.n + 1) * sizeof(char *));
	if (!added.names)
		die("out of memory");
	added.names[added.n++] = xstrdup(name);
	return true;
}

/* A directory the initramfs makes itself (build_initramfs's dirs). */
static bool is_guest_dir(const char *name)
{
	static const char *const own[] = { "bin", "dev", "proc", "sys", "tmp", "m", "extra",
					   NULL };
	int i;

	for (i = 0; own[i]; i++)
		if (!strcmp(name, own[i]))
			return true;
	return false;
}

static void add_host_path(struct cpio *c, const char *path, int depth);

/*
 * The link name (archive name, no leading /) whose host link says target;
 * rest: what follows it in the path being added ("" or "/...").
 */
static void add_link(struct cpio *c, const char *name, const char *target, const char *rest,
		     int depth)
{
	char *dir = xstrdup(name), *slash = strrchr(dir, '/');
	char *next;

	if (slash)
		*slash = '\0';
	if (add_once(name))
		cpio_check(cpio_add_symlink(c, name, target), name);
	next = target[0] == '/' ? xasprintf("%s%s", target, rest) :
	       xasprintf("/%s%s%s%s", slash ? dir : "", slash ? "/" : "", target, rest);
	add_host_path(c, next, depth + 1);
	free(next);
	free(dir);
}

static void add_host_path(struct cpio *c, const char *path, int depth)
{
	char *name = xstrdup(path + strspn(path, "/"));
	char *end = name, target[PATH_MAX];
	struct stat st;

	if (depth > MAX_LINK_DEPTH)
		die("--copy %s: too many levels of symbolic links", path);
	for (;;) {
		char *slash = strchr(end, '/'), saved = slash ? '/' : '\0';
		char *host;
		ssize_t len;
		bool guest_dir;

		if (slash)
			*slash = '\0';
		host = xasprintf("/%s", name);
		if (lstat(host, &st) < 0)
			die("--copy %s: %s: %s", path, host, strerror(errno));
		if (S_ISLNK(st.st_mode)) {
			len = readlink(host, target, sizeof(target) - 1);
			if (len < 0)
				die("--copy %s: %s: %s", path, host, strerror(errno));
			target[len] = '\0';
			guest_dir = !strchr(name, '/') && is_guest_dir(name);
			if (slash)
				*slash = saved;
			if (guest_dir) {
				/* /bin -> usr/bin: the guest keeps its /bin */
				char *real = realpath(path, NULL);

				if (!real)
					die("--copy %s: %s", path, strerror(errno));
				if (add_once(name))
					cpio_check(cpio_add_symlink(c, name, real), name);
				add_host_path(c, real, depth + 1);
				free(real);
			} else {
				char *link = xstrdup(name), *rest = slash ? name + (slash - name) : "";

				link[slash ? slash - name : strlen(name)] = '\0';
				add_link(c, link, target, rest, depth);
				free(link);
			}
			free(host);
			break;
		}
		if (!slash) {
			if (!S_ISREG(st.st_mode))
				die("--copy %s: not a regular file", path);
			if (add_once(name))
				cpio_check(cpio_add_file(c, name, 0, host), host);
			free(host);
			break;
		}
		if (!S_ISDIR(st.st_mode))
			die("--copy %s: %s is not a directory", path, host);
		if (!(!strchr(name, '/') && is_guest_dir(name)) && add_once(name))
			cpio_check(cpio_add_dir(c, name, 0755), name);
		free(host);
		*slash = '/';
		end = slash + 1;
	}
	free(name);
}

static char *build_initramfs(void)
{
	static const char *const dirs[] = { "bin", "dev", "proc", "sys", "tmp",
					    "m", "extra", NULL };
	const char *mode = S.shell ? "shell\n" : S.batch ? "batch\n" : "live\n";
	char *path = xasprintf("%s/initrd.cpio", S.tmpdir);
	char *plan = NULL;
	size_t plan_len = 0;
	struct cpio *c;
	FILE *pf;
	int i;

	c = cpio_create(path);
	if (!c)
		die("cannot create %s: %s", path, strerror(errno));
	for (i = 0; dirs[i]; i++)
		cpio_check(cpio_add_dir(c, dirs[i], 0755), dirs[i]);
	/* The kernel opens /dev/console for /init before devtmpfs is there. */
	cpio_check(cpio_add_node(c, "dev/console", S_IFCHR, 0600, 5, 1),
		   "/dev/console");
	cpio_check(cpio_add_data(c, "init", 0755, guest_init,
				 sizeof(guest_init) - 1), "/init");
	cpio_check(cpio_add_file(c, "bin/busybox", 0755, S.busybox), S.busybox);
	cpio_check(cpio_add_symlink(c, "bin/sh", "busybox"), "/bin/sh");
	cpio_check(cpio_add_file(c, "bin/staprun", 0755, S.staprun), S.staprun);
	cpio_check(cpio_add_file(c, "bin/stapio", 0755, S.stapio), S.stapio);
	cpio_check(cpio_add_data(c, "mode", 0644, mode, strlen(mode)), "/mode");
	if (S.stdin_mode)	/* live: staprun's stdin is ttyS1 */
		cpio_check(cpio_add_data(c, "stdin", 0644, S.stdin_mode,
					 strlen(S.stdin_mode)), "/stdin");

	pf = open_memstream(&plan, &plan_len);
	if (!pf)
		die("out of memory");
	write_plan(pf);
	fclose(pf);
	cpio_check(cpio_add_data(c, "plan.sh", 0644, plan, plan_len), "/plan.sh");
	free(plan);

	for (i = 0; i < S.njobs; i++) {
		struct job *j = &S.jobs[i];
		char *dir = xasprintf("m/%d", j->index);
		char *file = xasprintf("%s/%s", dir, base_name(j->module));

		if (!is_file(j->module))
			die("cannot read module %s: %s", j->module,
			    access(j->module, F_OK) ? strerror(errno) : "not a file");
		cpio_check(cpio_add_dir(c, dir, 0755), dir);
		cpio_check(cpio_add_file(c, file, 0644, j->module), j->module);
		free(dir);
		free(file);
	}
	for (i = 0; i < S.nextra; i++) {
		char *file = xasprintf("extra/%s", base_name(S.extra[i]));

		cpio_check(cpio_add_file(c, file, 0, S.extra[i]), S.extra[i]);
		free(file);
	}
	for (i = 0; i < S.ncopy; i++)
		add_host_path(c, S.copy[i], 0);
	if (cpio_close(c) < 0)
		die("cannot write %s: %s", path, strerror(errno));
	return path;
}

/* ---- starting qemu ---- */

static int listen_port(int port)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s%d", S.tmpdir, port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
		die("cannot listen on %s: %s", sa.sun_path, strerror(errno));
	return fd;
}

/*
 * --disk MB: an empty sparse image, raw (qemu reads nothing it need not).
 * NVMe because the VM kernel has its driver built in (virtio-blk is a
 * module there).
 */
static char *make_disk(void)
{
	char *path = xasprintf("%s/disk.img", S.tmpdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || ftruncate(fd, (off_t)S.disk_mb << 20) < 0)
		die("cannot make the disk image %s: %s", path, strerror(errno));
	close(fd);
	return path;
}

/* A file name inside a qemu option value: a comma is written twice. */
static char *qemu_escape(const char *s)
{
	char *r = xmalloc(2 * strlen(s) + 1), *p = r;

	for (; *s; s++) {
		if (*s == ',')
			*p++ = ',';
		*p++ = *s;
	}
	*p = '\0';
	return r;
}

static char **qemu_command(const char *kernel, const char *initrd)
{
	static char *argv[64];
	const char *qemu = getenv("STAP_VM_QEMU");
	int n = 0, i;

	argv[n++] = (char *)(qemu && *qemu ? qemu : "qemu-system-x86_64");
	/*
	 * One host thread runs every vCPU.  With a thread per vCPU (MTTCG,
	 * qemu 7.2's default) a guest that patches code one CPU is running
	 * (ftrace and kprobes arming a function, text_poke_bp) crashes now
	 * and then: the kernel's own function tracer switched on and off on
	 * vfs_read while two CPUs read locks both up at vfs_read+0, with no
	 * module of ours loaded (doc/vm.md).  The vCPUs still interleave.
	 */
	argv[n++] = "-accel";
	argv[n++] = "tcg,thread=single";
	argv[n++] = "-no-user-config";
	argv[n++] = "-nodefaults";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-no-reboot";
	argv[n++] = "-m";
	argv[n++] = xasprintf("%d", S.memory_mb);
	argv[n++] = "-smp";
	argv[n++] = xasprintf("%d", S.smp);
	if (S.icount) {
		argv[n++] = "-icount";
		argv[n++] = "shift=0";
	}
	if (S.disk_mb) {
		argv[n++] = "-drive";
		argv[n++] = xasprintf("file=%s,if=none,id=disk0,format=raw",
				      qemu_escape(make_disk()));
		argv[n++] = "-device";
		argv[n++] = "nvme,serial=stap,drive=disk0";
	}
	argv[n++] = "-kernel";
	argv[n++] = (char *)kernel;
	argv[n++] = "-initrd";
	argv[n++] = (char *)initrd;
	argv[n++] = "-append";
	/* devkmsg=on: the per-module marks must not be rate limited. */
	argv[n++] = "console=ttyS0 quiet panic=-1 printk.devkmsg=on";
	for (i = 0; i < NPORTS; i++) {
		argv[n++] = "-chardev";
		if (S.shell && i == PORT_CONSOLE)
			argv[n++] = xasprintf("stdio,id=p%d,signal=off", i);
		else if (S.shell)
			argv[n++] = xasprintf("null,id=p%d", i);
		else
			argv[n++] = xasprintf("socket,id=p%d,path=%s/s%d", i,
					      S.tmpdir, i);
		argv[n++] = "-serial";
		argv[n++] = xasprintf("chardev:p%d", i);
	}
	argv[n] = NULL;
	return argv;
}

static void print_command(char **argv)
{
	int i;

	fputs("stap-vm:", stderr);
	for (i = 0; argv[i]; i++) {
		fputc(' ', stderr);
		if (strpbrk(argv[i], " '\"$"))
			put_quoted(stderr, argv[i]);
		else
			fputs(argv[i], stderr);
	}
	fputc('\n', stderr);
}

/* qemu's own messages, for when it fails. */
static void show_qemu_log(void)
{
	char *path = xasprintf("%s/qemu.log", S.tmpdir);
	char buf[4096];
	FILE *f = fopen(path, "r");

	if (f) {
		while (fgets(buf, sizeof(buf), f))
			fputs(buf, stderr);
		fclose(f);
	}
	free(path);
}

static void start_qemu(char **argv, bool own_session)
{
	char *log = xasprintf("%s/qemu.log", S.tmpdir);
	int logfd;

	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0)
		die("cannot create %s: %s", log, strerror(errno));
	S.t_start = now();
	S.qemu = fork();
	if (S.qemu < 0)
		die("fork: %s", strerror(errno));
	if (S.qemu == 0) {
		int null = open("/dev/null", O_RDWR);

		if (own_session) {
			/* The terminal's ^C is ours to forward, not qemu's. */
			setsid();
			dup2(null, STDIN_FILENO);
			dup2(logfd, STDOUT_FILENO);
		}
		dup2(logfd, STDERR_FILENO);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		dprintf(logfd, "cannot run %s: %s%s\n", argv[0], strerror(errno),
			errno == ENOENT ? " (apt-get install qemu-system-x86)" : "");
		_exit(127);
	}
	close(logfd);
	free(log);
}

static bool reap_qemu(bool block)
{
	int status;
	pid_t p;

	if (S.qemu <= 0 || S.qemu_exited)
		return true;
	do
		p = waitpid(S.qemu, &status, block ? 0 : WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p == S.qemu || (p < 0 && errno == ECHILD)) {
		S.qemu_exited = true;
		S.qemu_status = p == S.qemu ? status : 0;
		return true;
	}
	return false;
}

static void accept_ports(int *lfd)
{
	double deadline = now() + 30;
	int i;

	for (i = 0; i < NPORTS; i++) {
		while (S.fd[i] < 0) {
			struct pollfd p = { .fd = lfd[i], .events = POLLIN };

			if (reap_qemu(false)) {
				show_qemu_log();
				die("qemu exited before the VM started");
			}
			if (now() > deadline)
				die("qemu did not connect its serial ports");
			if (poll(&p, 1, 100) > 0)
				S.fd[i] = accept4(lfd[i], NULL, NULL,
						  SOCK_CLOEXEC | SOCK_NONBLOCK);
		}
		close(lfd[i]);
	}
}

/* ---- signals ---- */

static void on_signal(int sig)
{
	unsigned char c = sig;
	int e = errno;

	if (write(S.sigpipe[1], &c, 1) < 0)
		(void)0;
	errno = e;
}

static void set_signals(void)
{
	struct sigaction sa;

	if (pipe2(S.sigpipe, O_CLOEXEC | O_NONBLOCK) < 0)
		die("pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* ---- talking to the guest ---- */

static void send_command(const char *cmd, struct job *j)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%s %d\n", cmd, j->index);

	verbose("%s: sending %s to the guest", j->name, cmd);
	if (S.fd[PORT_CTL] >= 0 && write(S.fd[PORT_CTL], buf, n) != n)
		say("cannot send %s to the guest: %s", cmd, strerror(errno));
}

static void finish(const char *stop_reason)
{
	if (stop_reason && !S.stop_reason)
		S.stop_reason = stop_reason;
	S.finished = true;
}

static struct job *job_by_index(const char *s)
{
	int i = atoi(s);

	if (i < 1 || i > S.njobs)
		return NULL;
	return &S.jobs[i - 1];
}

static FILE *result_file(struct job *j, const char *suffix)
{
	char *path = xasprintf("%s/%s.%s", S.batch_dir, j->name, suffix);
	FILE *f = fopen(path, "wb");

	if (!f)
		die("cannot create %s: %s", path, strerror(errno));
	free(path);
	return f;
}

static void write_status(struct job *j, const char *status)
{
	FILE *f = result_file(j, "status");

	fprintf(f, "%s\n", status);
	if (fclose(f) != 0)
		die("cannot write %s/%s.status: %s", S.batch_dir, j->name,
		    strerror(errno));
}

static void close_result(FILE **fp, const char *what, struct job *j)
{
	if (*fp && fclose(*fp) != 0)
		die("cannot write %s/%s.%s: %s", S.batch_dir, j->name, what,
		    strerror(errno));
	*fp = NULL;
}

/* ---- --stdin: stap-vm's stdin to the guest's staprun, over ttyS1 ---- */

static void restore_terminal(void)
{
	if (S.tty_changed)
		tcsetattr(STDIN_FILENO, TCSANOW, &S.saved_tty);
	S.tty_changed = false;
}

/* --stdin char: each key goes as it is typed (the terminal still echoes) */
static void make_terminal_noncanonical(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &S.saved_tty) < 0)
		return;
	t = S.saved_tty;
	t.c_lflag &= ~ICANON;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
		S.tty_changed = true;
		atexit(restore_terminal);
	}
}

/*
 * From the job's start (the guest has ttyS1 open as staprun's stdin) to
 * end of file; what qemu does not take at once waits in in_buf, and stdin
 * is not read again until it has gone.
 */
static bool stdin_wanted(void)
{
	return S.stdin_mode && !S.in_eof && S.in_len == 0 && S.njobs &&
	       S.jobs[0].state == JOB_RUNNING;
}

static void send_stdin(void)
{
	while (S.in_off < S.in_len) {
		ssize_t n = send(S.fd[PORT_OUT], S.in_buf + S.in_off, S.in_len - S.in_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {	/* qemu is going: nothing will read it */
			S.in_eof = true;
			break;
		}
		S.in_off += n;
	}
	S.in_len = S.in_off = 0;
}

static void read_stdin(void)
{
	ssize_t n = read(STDIN_FILENO, S.in_buf, sizeof(S.in_buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		S.in_eof = true;
		return;
	}
	S.in_len = n;
	S.in_off = 0;
	send_stdin();
}

static void job_begins(struct job *j)
{
	j->state = JOB_RUNNING;
	if (S.stdin_mode && !strcmp(S.stdin_mode, "char"))
		make_terminal_noncanonical();
	j->started = now();
	verbose("%s: started after %.2f s", j->name, j->started - S.t_start);
	if (!S.batch && S.pending_int) {
		S.pending_int = false;
		send_command("INT", j);
	}
}

static void job_ends(struct job *j, int status)
{
	char buf[32];

	j->state = JOB_DONE;
	j->status = status;
	verbose("%s: staprun exited with status %d after %.2f s%s", j->name,
		status, now() - j->started, j->timed_out ? " (timed out)" : "");
	if (!S.batch) {
		S.live_status = status;
		return;
	}
	if (!j->out)
		j->out = result_file(j, "stdout");
	if (!j->err)
		j->err = result_file(j, "stderr");
	close_result(&j->out, "stdout", j);
	close_result(&j->err, "stderr", j);
	snprintf(buf, sizeof(buf), "%d", status);
	write_status(j, j->timed_out ? "timeout" : buf);
}

static void frame_begins(const char *idx, const char *stream,
			 const char *len)
{
	struct job *j = job_by_index(idx);
	FILE **fp;

	if (!j || (strcmp(stream, "out") && strcmp(stream, "err"))) {
		say("bad frame from the guest: F %s %s %s", idx, stream, len);
		finish("the guest's messages are garbled");
		return;
	}
	fp = !strcmp(stream, "out") ? &j->out : &j->err;
	if (!*fp)
		*fp = result_file(j, !strcmp(stream, "out") ? "stdout" : "stderr");
	S.proto.data_to = *fp;
	S.proto.data_left = strtoull(len, NULL, 10);
}

static void guest_message(char *line)
{
	char *w[4] = { NULL }, *save;
	int n = 0;
	struct job *j;

	for (char *p = strtok_r(line, " ", &save); p && n < 4;
	     p = strtok_r(NULL, " ", &save))
		w[n++] = p;
	if (n == 1 && !strcmp(w[0], "R")) {
		S.ready = true;
		S.t_ready = now();
		verbose("guest ready after %.2f s", S.t_ready - S.t_start);
	} else if (n == 2 && !strcmp(w[0], "B") && (j = job_by_index(w[1]))) {
		job_begins(j);
	} else if (n == 4 && !strcmp(w[0], "F") && S.batch) {
		frame_begins(w[1], w[2], w[3]);
	} else if (n == 3 && !strcmp(w[0], "E") && (j = job_by_index(w[1]))) {
		job_ends(j, atoi(w[2]));
	} else if (n == 1 && !strcmp(w[0], "D")) {
		finish(NULL);
	} else {
		say("unexpected message from the guest: %s", n ? w[0] : "(empty)");
	}
}

static void proto_feed(const char *buf, size_t len)
{
	struct proto *p = &S.proto;

	while (len > 0) {
		if (p->data_left) {
			size_t n = len < p->data_left ? len : p->data_left;

			if (fwrite(buf, 1, n, p->data_to) != n)
				die("cannot write results: %s", strerror(errno));
			buf += n;
			len -= n;
			p->data_left -= n;
			continue;
		}
		if (*buf == '\n') {
			p->line[p->len] = '\0';
			p->len = 0;
			guest_message(p->line);
		} else if (p->len < sizeof(p->line) - 1) {
			p->line[p->len++] = *buf;
		}
		buf++;
		len--;
	}
}

/* ---- the console ---- */

static bool is_trouble(const char *line)
{
	static const char *const pats[] = {
		"BUG:", "Oops", "general protection", "Kernel panic",
		"WARNING: CPU:", "Call Trace", "kernel BUG at",
		"invalid opcode", "Unable to handle kernel", "soft lockup",
		"hard LOCKUP", "detected stalls", "blocked for more than", NULL
	};
	int i;

	for (i = 0; pats[i]; i++)
		if (strstr(line, pats[i]))
			return true;
	return false;
}

static void close_job_console(struct job *j)
{
	if (!j->console)
		return;
	if (j->trouble)
		fprintf(j->console, "stap-vm: guest kernel trouble during %s: %s\n",
			j->name, j->trouble);
	close_result(&j->console, "console", j);
}

static void console_mark(const char *mark)
{
	struct job *j;

	if (strncmp(mark, "begin ", 6) || !(j = job_by_index(mark + 6)))
		return;
	if (S.console_job >= 0 && S.batch)
		close_job_console(&S.jobs[S.console_job]);
	S.console_job = j->index - 1;
	if (S.batch && !j->console)
		j->console = result_file(j, "console");
}

static void console_line(char *line)
{
	struct job *j;
	char *mark;

	if (S.console_log)
		fprintf(S.console_log, "%s\n", line);
	if (S.verbose >= 2)
		fprintf(stderr, "console: %s\n", line);
	free(S.tail[S.tail_next]);
	S.tail[S.tail_next] = xstrdup(line);
	S.tail_next = (S.tail_next + 1) % TAIL_LINES;

	mark = strstr(line, MARK);
	if (mark)
		console_mark(mark + strlen(MARK));
	/* Lines after a module's end still belong to it, until the next. */
	j = S.console_job >= 0 ? &S.jobs[S.console_job] : NULL;
	if (j && j->console)
		fprintf(j->console, "%s\n", line);

	if (!mark && is_trouble(line)) {
		if (S.batch && (j ? !j->trouble : !S.trouble))
			say("%s: guest kernel trouble: %s",
			    j ? j->name : "before the first module", line);
		if (j && !j->trouble)
			j->trouble = xstrdup(line);
		if (!S.trouble) {
			S.trouble = xstrdup(line);
			if (S.prev_line && strstr(S.prev_line, "cut here"))
				S.excerpt[S.nexcerpt++] = xstrdup(S.prev_line);
		}
	}
	if (S.trouble && !S.excerpt_done && S.nexcerpt < EXCERPT_LINES) {
		S.excerpt[S.nexcerpt++] = xstrdup(line);
		S.excerpt_done = strstr(line, "---[ end ") != NULL;
	}
	S.prev_line = S.tail[(S.tail_next + TAIL_LINES - 1) % TAIL_LINES];
}

static void console_feed(const char *buf, size_t len)
{
	for (; len > 0; buf++, len--) {
		if (*buf == '\r')
			continue;
		if (*buf == '\n' || S.con_len == sizeof(S.con_line) - 1) {
			S.con_line[S.con_len] = '\0';
			S.con_len = 0;
			console_line(S.con_line);
			if (*buf == '\n')
				continue;
		}
		S.con_line[S.con_len++] = *buf;
	}
}

static void print_tail(FILE *f, int max)
{
	int i, n = 0;

	for (i = 0; i < TAIL_LINES; i++)
		if (S.tail[(S.tail_next + i) % TAIL_LINES])
			n++;
	for (i = 0; i < TAIL_LINES; i++) {
		const char *l = S.tail[(S.tail_next + i) % TAIL_LINES];

		if (l && n-- <= max)
			fprintf(f, "%s\n", l);
	}
}

/* ---- the event loop ---- */

/* Live mode: the script's output; stdout going away stops the script. */
static void live_output(int port, const char *buf, size_t len)
{
	if (port == PORT_ERR) {
		if (out_write_all(STDERR_FILENO, buf, len) < 0)
			(void)0;
		return;
	}
	if (S.out_broken)
		return;
	if ((S.outfile ? outfile_write(&S.out, buf, len) : out_write_all(S.out.fd, buf, len)) == 0)
		return;
	/* "| head" has had enough: stop the script quietly. */
	if (errno != EPIPE)
		say("cannot write the output: %s; stopping the script",
		    strerror(errno));
	S.out_broken = true;
	if (S.njobs && S.jobs[0].state == JOB_RUNNING)
		send_command("INT", &S.jobs[0]);
}

/* Reads what one port has; false at end of file. */
static bool read_port(int port)
{
	char buf[65536];
	ssize_t n = read(S.fd[port], buf, sizeof(buf));

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	if (port == PORT_CONSOLE)
		console_feed(buf, n);
	else if (S.batch && port == PORT_OUT)
		proto_feed(buf, n);
	else if (!S.batch && port == PORT_CTL)
		proto_feed(buf, n);
	else if (!S.batch)
		live_output(port, buf, n);
	return true;
}

static void on_interrupt(void)
{
	struct job *j = S.njobs ? &S.jobs[0] : NULL;

	S.interrupts++;
	if (S.batch) {
		say("interrupted: stopping the VM");
		finish("interrupted");
		return;
	}
	if (S.interrupts >= 3) {
		say("third interrupt: killing the VM");
		finish("interrupted");
		return;
	}
	if (j && j->state == JOB_RUNNING)
		send_command("INT", j);
	else if (j && j->state == JOB_WAITING)
		S.pending_int = true;
}

static void handle_signals(void)
{
	unsigned char sig;

	while (read(S.sigpipe[0], &sig, 1) == 1) {
		if (sig == SIGCHLD) {
			if (reap_qemu(false))
				finish(NULL);
		} else {
			on_interrupt();
		}
	}
}

/* Acts on the deadlines that have passed; returns seconds to the next. */
static double check_deadlines(void)
{
	double t = now(), next = 3600, overall = BOOT_ALLOWANCE;
	int i;

	if (!S.ready && t - S.t_start > BOOT_ALLOWANCE) {
		finish("the VM did not boot");
		return 0;
	}
	if (!S.ready)
		next = S.t_start + BOOT_ALLOWANCE - t;
	for (i = 0; i < S.njobs; i++) {
		struct job *j = &S.jobs[i];
		double due;

		overall += j->timeout + JOB_ALLOWANCE;
		if (j->state != JOB_RUNNING || j->timeout <= 0)
			continue;
		due = j->started + j->timeout +
		      (j->stop_phase >= 1 ? INT_GRACE : 0) +
		      (j->stop_phase >= 2 ? KILL_GRACE : 0);
		if (t < due) {
			if (due - t < next)
				next = due - t;
			continue;
		}
		if (j->stop_phase == 0) {
			j->timed_out = true;
			send_command("INT", j);
		} else if (j->stop_phase == 1) {
			send_command("KILL", j);
		} else {
			finish("the VM hung stopping a module");
			return 0;
		}
		j->stop_phase++;
		next = 0.01;
	}
	/* All statuses are in: give the guest a moment to say it is done. */
	if (S.njobs && S.jobs[S.njobs - 1].state == JOB_DONE) {
		if (!S.t_all_done)
			S.t_all_done = t;
		if (t - S.t_all_done > END_GRACE) {
			finish(NULL);
			return 0;
		}
		if (S.t_all_done + END_GRACE - t < next)
			next = S.t_all_done + END_GRACE - t;
	}
	if (S.batch && t - S.t_start > overall) {
		finish("the VM did not finish in time");
		return 0;
	}
	return next;
}

static void event_loop(void)
{
	struct pollfd p[NPORTS + 2];
	int i;

	while (!S.finished) {
		double wait = check_deadlines();

		if (S.finished)
			break;
		for (i = 0; i < NPORTS; i++) {
			p[i].fd = S.fd[i];
			p[i].events = POLLIN;
		}
		if (S.in_len)	/* --stdin: bytes wait for qemu */
			p[PORT_OUT].events |= POLLOUT;
		p[NPORTS].fd = S.sigpipe[0];
		p[NPORTS].events = POLLIN;
		p[NPORTS + 1].fd = stdin_wanted() ? STDIN_FILENO : -1;
		p[NPORTS + 1].events = POLLIN;
		if (poll(p, NPORTS + 2, wait > 0.25 ? 250 : (int)(wait * 1000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (p[NPORTS].revents)
			handle_signals();
		if (p[NPORTS + 1].revents)
			read_stdin();
		if (p[PORT_OUT].revents & POLLOUT)
			send_stdin();
		for (i = 0; i < NPORTS; i++) {
			if ((p[i].revents & ~POLLOUT) && !read_port(i)) {
				/* qemu closed its end: it is exiting. */
				close(S.fd[i]);
				S.fd[i] = -1;
				finish(NULL);
			}
		}
	}
}

/* qemu is gone or must go; take in everything it wrote. */
static void stop_vm(void)
{
	int i;

	if (!reap_qemu(false)) {
		kill(S.qemu, SIGKILL);
		reap_qemu(true);
	}
	for (i = 0; i < NPORTS; i++) {
		if (S.fd[i] < 0)
			continue;
		fcntl(S.fd[i], F_SETFL, 0);	/* blocking: qemu is dead */
		while (read_port(i))
			;
		close(S.fd[i]);
		S.fd[i] = -1;
	}
	if (S.con_len) {
		S.con_line[S.con_len] = '\0';
		S.con_len = 0;
		console_line(S.con_line);
	}
}

/* ---- results ---- */

static int finish_batch(void)
{
	int i, died = 0;

	for (i = 0; i < S.njobs; i++) {
		struct job *j = &S.jobs[i];

		if (j->state == JOB_DONE) {
			close_job_console(j);
			continue;
		}
		died++;
		close_result(&j->out, "stdout", j);
		close_result(&j->err, "stderr", j);
		if (!j->out)
			j->out = result_file(j, "stdout");
		if (!j->err)
			j->err = result_file(j, "stderr");
		close_result(&j->out, "stdout", j);
		close_result(&j->err, "stderr", j);
		if (!j->console) {
			j->console = result_file(j, "console");
			fprintf(j->console, "stap-vm: the VM died before %s ran (%s); its last console lines:\n",
				j->name, S.stop_reason ? S.stop_reason : "it stopped");
			print_tail(j->console, TAIL_LINES);
		} else {
			fprintf(j->console, "stap-vm: the VM died while %s ran (%s)\n",
				j->name, S.stop_reason ? S.stop_reason : "it stopped");
		}
		close_job_console(j);
		write_status(j, "vm-died");
	}
	if (died)
		say("the VM died (%s): %d of %d modules did not finish",
		    S.stop_reason ? S.stop_reason : "it stopped", died, S.njobs);
	return died ? 1 : 0;
}

static int finish_live(void)
{
	int i, rc = S.live_status;

	if (S.outfile && outfile_close(&S.out) < 0) {
		say("cannot write %s: %s", S.out.name, strerror(errno));
		rc = 1;
	}
	if (S.trouble) {
		say("the guest kernel reported trouble: %s", S.trouble);
		for (i = 0; i < S.nexcerpt; i++)
			fprintf(stderr, "  %s\n", S.excerpt[i]);
		if (rc <= 0)
			rc = 1;
	}
	if (S.live_status < 0) {
		if (S.interrupts >= 3)
			return 1;
		if (!S.ready && S.qemu_exited && WIFEXITED(S.qemu_status) &&
		    WEXITSTATUS(S.qemu_status) != 0) {
			say("qemu failed (exit status %d):",
			    WEXITSTATUS(S.qemu_status));
			show_qemu_log();
			return 1;
		}
		say("the VM stopped before the script ended (%s)",
		    S.stop_reason ? S.stop_reason : "qemu exited");
		if (!S.trouble) {
			fprintf(stderr, "last console lines:\n");
			print_tail(stderr, 25);
		}
		if (S.qemu_exited && WIFEXITED(S.qemu_status) &&
		    WEXITSTATUS(S.qemu_status) != 0)
			show_qemu_log();
		return 1;
	}
	return rc;
}

static int run_shell(const char *kernel)
{
	char *initrd = build_initramfs();
	char **argv = qemu_command(kernel, initrd);
	int status = 0;

	if (S.verbose)
		print_command(argv);
	start_qemu(argv, false);
	/* qemu has the terminal; ^C goes to the guest. */
	signal(SIGINT, SIG_IGN);
	while (waitpid(S.qemu, &status, 0) < 0 && errno == EINTR)
		;
	S.qemu_exited = true;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		show_qemu_log();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	const char *kernel;
	char *initrd;
	char **qargv;
	int lfd[NPORTS], i, rc;
	double t0 = now();

	parse_options(argc, argv);
	find_self_dir();
	kernel = find_kernel();
	find_tools();
	if (S.batch && mkdir(S.batch_dir, 0777) < 0 && errno != EEXIST)
		die("cannot create %s: %s", S.batch_dir, strerror(errno));
	if (S.outfile) {
		S.out.pattern = S.outfile;
		if (outfile_open(&S.out) < 0)
			die("cannot open %s: %s", S.out.name, strerror(errno));
	} else if (S.out.max_bytes) {
		die("-S needs -o FILE");
	}
	if (S.console_file) {
		S.console_log = fopen(S.console_file, "w");
		if (!S.console_log)
			die("cannot open %s: %s", S.console_file, strerror(errno));
	}
	make_tmpdir();
	if (S.shell) {
		rc = run_shell(kernel);
		cleanup_tmpdir();
		return rc;
	}

	set_signals();
	initrd = build_initramfs();
	for (i = 0; i < NPORTS; i++)
		lfd[i] = listen_port(i);
	qargv = qemu_command(kernel, initrd);
	if (S.verbose) {
		struct stat st;

		stat(initrd, &st);
		verbose("initramfs of %.1f MB written in %.2f s",
			st.st_size / 1e6, now() - t0);
		print_command(qargv);
	}
	start_qemu(qargv, true);
	accept_ports(lfd);
	event_loop();
	stop_vm();
	verbose("VM ran for %.2f s", now() - S.t_start);
	if (S.console_log && fclose(S.console_log) != 0)
		say("cannot write %s: %s", S.console_file, strerror(errno));
	rc = S.batch ? finish_batch() : finish_live();
	cleanup_tmpdir();
	return rc;
}
