/*
 * options.c - the stap command line, parsed as SystemTap 4.8 parses it.
 *
 * Options may come anywhere before "--": before the script, after it, or
 * between its arguments (getopt's permutation), and short ones bundle
 * (-vv, -gp4).  The first word that is not an option names the script
 * file, unless -e, -l or -L gave the script; the words after it are the
 * script's arguments ($1, @1, ...).  Every option of SystemTap 4.8's
 * stap --help and manual page is in the table below: what it does here,
 * or why stap refuses it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "stap.h"

typedef struct Option {
	const char *name;	/* the long name, or NULL */
	char letter;		/* the short name, or 0 */
	int arg;		/* no_argument, required_argument or optional_argument */
	void (*apply)(Session *s, const char *arg);
	const char *refused;	/* set: stap does not take the option, and this says why */
} Option;

/* ---- arguments ---- */

static long number_arg(const char *opt, const char *arg, long lo, long hi, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (!*arg || *end || errno || v < lo || v > hi)
		fatal("%s takes %s, not '%s'", opt, what, arg);
	return v;
}

/* The index of arg in words (NULL-terminated), or fatal naming them. */
static int word_arg(const char *opt, const char *arg, const char *const *words)
{
	Buf all = {0};
	for (int i = 0; words[i]; i++) {
		if (strcmp(arg, words[i]) == 0)
			return i;
		buf_printf(&all, "%s%s", i ? ", " : "", words[i]);
	}
	fatal("%s takes one of %s, not '%s'", opt, all.s, arg);
}

static void need_assignment(const char *opt, const char *arg)
{
	if (!strchr(arg, '=') || arg[0] == '=')
		fatal("%s takes NAME=VALUE, not '%s'", opt, arg);
}

/* ---- what each option does ---- */

static void opt_script(Session *s, const char *arg) { s->script_text = arg; }
static void opt_extra_script(Session *s, const char *arg) { vec_push(&s->extra_scripts, (void *)arg); }
static void opt_keep(Session *s, const char *arg) { s->keep_tmp = true; }
static void opt_guru(Session *s, const char *arg) { s->guru = true; }
static void opt_unoptimized(Session *s, const char *arg) { s->unoptimized = true; }
static void opt_no_warnings(Session *s, const char *arg) { warnings_off = true; }
static void opt_werror(Session *s, const char *arg) { warnings_are_errors = true; }
static void opt_bulk(Session *s, const char *arg) { s->bulk = true; }
static void opt_flight(Session *s, const char *arg) { s->flight_recorder = true; }
static void opt_output(Session *s, const char *arg) { s->output_file = arg; }
static void opt_limits(Session *s, const char *arg) { s->output_limits = arg; }
static void opt_command(Session *s, const char *arg) { s->target_cmd = arg; }
static void opt_release(Session *s, const char *arg) { s->kernel_release = arg; }
static void opt_define(Session *s, const char *arg) { vec_push(&s->defines, (void *)arg); }
static void opt_tapsets(Session *s, const char *arg) { vec_push(&s->include_dirs, (void *)arg); }
static void opt_runtime_dir(Session *s, const char *arg) { s->runtime_opt = arg; }
static void opt_timing(Session *s, const char *arg) { s->timing = true; }
static void opt_vm(Session *s, const char *arg) { s->use_vm = true; }
static void opt_vmlinux(Session *s, const char *arg) { s->vmlinux = arg; }
static void opt_skip_badvars(Session *s, const char *arg) { s->skip_badvars = true; }
static void opt_ldd(Session *s, const char *arg) { s->ldd = true; }
static void opt_tmpdir(Session *s, const char *arg) { s->tmpdir_opt = arg; }
static void opt_example(Session *s, const char *arg) { s->example = true; }
static void opt_no_global_display(Session *s, const char *arg) { s->no_global_display = true; }

static void opt_suppress_handler_errors(Session *s, const char *arg)
{
	s->suppress_handler_errors = true;
}

static void opt_pass(Session *s, const char *arg)
{
	s->last_pass = (int)number_arg("-p", arg, 1, 5, "a pass number from 1 to 5");
}

static void opt_verbose(Session *s, const char *arg)
{
	s->verbose++;
	for (int i = 0; i < 5; i++)
		s->pass_verbose[i]++;
}

/* --vp ABCDE: A more for pass 1, B for pass 2 ... */
static void opt_verbose_passes(Session *s, const char *arg)
{
	size_t n = strlen(arg);
	if (n < 1 || n > 5 || strspn(arg, "0123456789") != n)
		fatal("--vp takes 1 to 5 digits, a verbosity for each pass, not '%s'", arg);
	for (size_t i = 0; i < n; i++)
		s->pass_verbose[i] += arg[i] - '0';
}

static void opt_module_name(Session *s, const char *arg)
{
	bool ok = *arg && strlen(arg) <= 55;
	for (const char *m = arg; *m; m++)
		if (!((*m >= 'a' && *m <= 'z') || (*m >= 'A' && *m <= 'Z') ||
		      (*m >= '0' && *m <= '9') || *m == '_'))
			ok = false;
	if (!ok)
		fatal("module name '%s' must be 1 to 55 letters, digits or '_'", arg);
	s->module_name = arg;
}

static void opt_target_pid(Session *s, const char *arg)
{
	number_arg("-x", arg, 1, INT_MAX, "a process id");
	s->target_pid = arg;
}

static void opt_stop_after(Session *s, const char *arg)
{
	s->stop_after = (int)number_arg("-T", arg, 1, INT_MAX, "a number of seconds above 0");
}

static void opt_bufsize(Session *s, const char *arg)
{
	s->bufsize_mb = (int)number_arg("-s", arg, 1, 4095, "a buffer size in MB from 1 to 4095");
}

static void opt_vm_timeout(Session *s, const char *arg)
{
	s->vm_timeout = (int)number_arg("--vm-timeout", arg, 1, INT_MAX, "a number of seconds");
}

static void opt_global(Session *s, const char *arg)
{
	need_assignment("-G", arg);
	vec_push(&s->globals_set, (void *)arg);
}

static void opt_make_arg(Session *s, const char *arg)
{
	need_assignment("-B", arg);
	vec_push(&s->make_args, (void *)arg);
}

static void opt_modinfo(Session *s, const char *arg)
{
	need_assignment("--modinfo", arg);
	size_t n = strcspn(arg, "=");
	if (strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != n ||
	    (arg[0] >= '0' && arg[0] <= '9'))
		fatal("--modinfo %s: NAME must be letters, digits and '_'", arg);
	vec_push(&s->modinfo, (void *)arg);
}

static void opt_list(Session *s, const char *arg, bool vars)
{
	if (s->list_pattern || s->dump)
		fatal("only one of -l, -L and --dump-* may be given");
	s->list_pattern = arg;
	s->list_vars = vars;
}

static void opt_list_points(Session *s, const char *arg) { opt_list(s, arg, false); }
static void opt_list_vars(Session *s, const char *arg) { opt_list(s, arg, true); }

static void opt_dump(Session *s, int what)
{
	if (s->list_pattern || (s->dump && s->dump != what))
		fatal("only one of -l, -L and --dump-* may be given");
	s->dump = what;
}

static void opt_dump_types(Session *s, const char *arg) { opt_dump(s, DUMP_PROBE_TYPES); }
static void opt_dump_aliases(Session *s, const char *arg) { opt_dump(s, DUMP_PROBE_ALIASES); }
static void opt_dump_functions(Session *s, const char *arg) { opt_dump(s, DUMP_FUNCTIONS); }

/* -d NAME.ko names a kernel module file, for kernel.trace to search */
static bool is_kmod_file(const char *path)
{
	size_t n = strlen(path);
	return n > 3 && !strcmp(path + n - 3, ".ko");
}

/* -d NAME.ko: --vm copies it to the same path, for scripts' -c to insmod */
static void add_kmod_file(Session *s, const char *path)
{
	char *abs = realpath(path, NULL);
	if (!abs || access(abs, R_OK) != 0)
		fatal("-d %s: %s", path, strerror(errno));
	vec_push(&s->kmod_files, arena_strdup(abs));
	vec_push(&s->vm_copies, arena_strdup(abs));
	free(abs);
}

/*
 * -d OBJECT: a program or library (a path, or a file here), a kernel
 * module file (NAME.ko), or, as in SystemTap, "kernel" or the name of a
 * kernel module.  The kernel's and its modules' symbols and unwind data
 * need nothing in the module: kallsyms and the kernel's own unwinder
 * have them for every loaded module (tapsets/backtrace.stp).
 */
static void opt_symbols(Session *s, const char *arg)
{
	if (is_kmod_file(arg))
		add_kmod_file(s, arg);
	else if (strchr(arg, '/') || access(arg, F_OK) == 0)
		add_symbol_file(s, arg);
}

static void opt_all_modules(Session *s, const char *arg)
{
	/* as -d kernel and -d for each module: there already (opt_symbols) */
}

static void opt_arch(Session *s, const char *arg)
{
	if (strcmp(arg, "x86_64") != 0)
		fatal("-a %s: stap builds modules for x86_64 only", arg);
}

static void opt_runtime(Session *s, const char *arg)
{
	s->bpf = strcmp(arg, "bpf") == 0;
	if (strcmp(arg, "kernel") == 0 || s->bpf)
		return;
	if (strcmp(arg, "dyninst") == 0)
		fatal("--runtime=dyninst: stap has two runtimes, kernel (a kernel module) and bpf; "
		      "dyninst is not available");
	fatal("--runtime=%s: no such runtime; the runtimes are: kernel, bpf", arg);
}

static void opt_bpf(Session *s, const char *arg) { opt_runtime(s, "bpf"); }
static void opt_dyninst(Session *s, const char *arg) { opt_runtime(s, "dyninst"); }

static void opt_prologue(Session *s, const char *arg)
{
	static const char *const whens[] = { "auto", "never", "always", NULL };
	s->prologue = arg ? word_arg("--prologue-searching", arg, whens) : PROLOGUE_ALWAYS;
}

static void opt_prologue_always(Session *s, const char *arg) { opt_prologue(s, "always"); }

static void opt_privilege(Session *s, const char *arg)
{
	static const char *const levels[] = { "stapdev", "stapsys", "stapusr", NULL };
	if (!arg || word_arg("--privilege", arg, levels) != 0)
		fatal("--privilege=%s: stap builds modules for root (stapdev) only: modules "
		      "for unprivileged users need a compile server to sign them, which stap "
		      "does not have", arg ? arg : "stapusr");
}

static void opt_unprivileged(Session *s, const char *arg) { opt_privilege(s, "stapusr"); }

/* --compatible=VERSION: what %( systemtap_v ... %) compares against */
static void opt_compatible(Session *s, const char *arg)
{
	size_t n = strspn(arg, "0123456789.");
	if (!n || arg[n] || arg[0] == '.' || !strchr(arg, '.'))
		fatal("--compatible takes a version such as 4.8, not '%s'", arg);
	preproc_env.systemtap_v = arg;
}

static void opt_color(Session *s, const char *arg)
{
	static const char *const whens[] = { "never", "always", "auto", NULL };
	int when = arg ? word_arg("--color", arg, whens) : 1;
	diag_color = when == 1 || (when == 2 && isatty(STDERR_FILENO));
}

/* The cache (cache.c) holds modules, the runtime per kernel and DWARF indexes. */
static void opt_disable_cache(Session *s, const char *arg)
{
	cache_mode = CACHE_DISABLED;
}

static void opt_poison_cache(Session *s, const char *arg)
{
	cache_mode = CACHE_POISONED;
}

static void opt_clean_cache(Session *s, const char *arg)
{
	int n = clean_cache();
	fprintf(stderr, "stap: the cache %s: %d entr%s removed\n", stap_cache_root(), n,
		n == 1 ? "y" : "ies");
	exit(0);
}

static void opt_suppress_time_limits(Session *s, const char *arg)
{
	static const char *const unlimited[] = {
		"STP_NO_OVERLOAD", "MAXACTION=LONG_MAX", "MAXACTION_INTERRUPTIBLE=LONG_MAX",
		"MAXTRYLOCK=INT_MAX",
	};
	for (size_t i = 0; i < ARRAY_SIZE(unlimited); i++)
		vec_push(&s->defines, (void *)unlimited[i]);
	s->suppress_time_limits = true;
}

static void opt_save_uprobes(Session *s, const char *arg)
{
	warn_plain("--save-uprobes: nothing to save: every kernel stap builds for has uprobes "
		   "built in, not as a uprobes.ko");
}

static void opt_use_server_on_error(Session *s, const char *arg)
{
	if (arg && strcmp(arg, "no") == 0)
		return;
	fatal("--use-server-on-error: stap has no compile servers: it builds every module "
	      "on this machine");
}

/* --rlimit-NAME=NUM: a limit on stap itself, as SystemTap sets it */
static void set_limit(const char *opt, int resource, const char *arg)
{
	struct rlimit rl;
	rl.rlim_cur = rl.rlim_max = (rlim_t)number_arg(opt, arg, 0, LONG_MAX, "a number");
	if (setrlimit(resource, &rl) != 0)
		fatal("%s=%s: %s", opt, arg, strerror(errno));
}

static void opt_rlimit_as(Session *s, const char *a) { set_limit("--rlimit-as", RLIMIT_AS, a); }
static void opt_rlimit_cpu(Session *s, const char *a) { set_limit("--rlimit-cpu", RLIMIT_CPU, a); }
static void opt_rlimit_nproc(Session *s, const char *a) { set_limit("--rlimit-nproc", RLIMIT_NPROC, a); }
static void opt_rlimit_stack(Session *s, const char *a) { set_limit("--rlimit-stack", RLIMIT_STACK, a); }
static void opt_rlimit_fsize(Session *s, const char *a) { set_limit("--rlimit-fsize", RLIMIT_FSIZE, a); }

static void usage(FILE *out);

static void opt_help(Session *s, const char *arg)
{
	usage(stdout);
	exit(0);
}

static void opt_version(Session *s, const char *arg)
{
	printf("stap %s, a SystemTap-compatible tracing translator\n", STAP_VERSION);
	exit(0);
}

/* ---- the options ---- */

#define NO no_argument
#define ARG required_argument
#define OPT optional_argument

static const char NO_SERVERS[] =
	"stap has no compile servers: it builds every module on this machine";
static const char NO_REMOTE[] =
	"pass 5 runs on this machine, or in a virtual machine with --vm; to run a "
	"script elsewhere, build it with -p4 and load the module there with staprun";
static const char NO_SDT_BENCH[] =
	"stap has no SDT benchmark (it is SystemTap's own test of its markers)";

static const Option options[] = {
	/* the script and the passes */
	{ NULL, 'e', ARG, opt_script, NULL },
	{ NULL, 'E', ARG, opt_extra_script, NULL },
	{ NULL, 'p', ARG, opt_pass, NULL },
	{ NULL, 'v', NO, opt_verbose, NULL },
	{ "vp", 0, ARG, opt_verbose_passes, NULL },
	{ NULL, 'k', NO, opt_keep, NULL },
	{ NULL, 'g', NO, opt_guru, NULL },
	{ NULL, 'u', NO, opt_unoptimized, NULL },
	{ NULL, 'w', NO, opt_no_warnings, NULL },
	{ NULL, 'W', NO, opt_werror, NULL },
	{ NULL, 'P', NO, opt_prologue_always, NULL },
	{ "prologue-searching", 0, OPT, opt_prologue, NULL },
	{ NULL, 't', NO, opt_timing, NULL },
	{ NULL, 'l', ARG, opt_list_points, NULL },
	{ NULL, 'L', ARG, opt_list_vars, NULL },
	{ "dump-probe-types", 0, NO, opt_dump_types, NULL },
	{ "dump-probe-aliases", 0, NO, opt_dump_aliases, NULL },
	{ "dump-functions", 0, NO, opt_dump_functions, NULL },
	{ "example", 0, NO, opt_example, NULL },
	{ "skip-badvars", 0, NO, opt_skip_badvars, NULL },
	{ "suppress-handler-errors", 0, NO, opt_suppress_handler_errors, NULL },
	{ "suppress-time-limits", 0, NO, opt_suppress_time_limits, NULL },
	{ "compatible", 0, ARG, opt_compatible, NULL },
	{ "color", 0, OPT, opt_color, NULL },
	{ "colour", 0, OPT, opt_color, NULL },
	{ "no-global-var-display", 0, NO, opt_no_global_display, NULL },
	/* where things are, and the kernel */
	{ NULL, 'I', ARG, opt_tapsets, NULL },
	{ NULL, 'R', ARG, opt_runtime_dir, NULL },
	{ NULL, 'r', ARG, opt_release, NULL },
	{ NULL, 'a', ARG, opt_arch, NULL },
	{ "vmlinux", 0, ARG, opt_vmlinux, NULL },
	{ "tmpdir", 0, ARG, opt_tmpdir, NULL },
	{ "runtime", 0, ARG, opt_runtime, NULL },
	{ "bpf", 0, NO, opt_bpf, NULL },
	{ "dyninst", 0, NO, opt_dyninst, NULL },
	{ "disable-cache", 0, NO, opt_disable_cache, NULL },
	{ "poison-cache", 0, NO, opt_poison_cache, NULL },
	{ "clean-cache", 0, NO, opt_clean_cache, NULL },
	{ "rlimit-as", 0, ARG, opt_rlimit_as, NULL },
	{ "rlimit-cpu", 0, ARG, opt_rlimit_cpu, NULL },
	{ "rlimit-nproc", 0, ARG, opt_rlimit_nproc, NULL },
	{ "rlimit-stack", 0, ARG, opt_rlimit_stack, NULL },
	{ "rlimit-fsize", 0, ARG, opt_rlimit_fsize, NULL },
	/* the module */
	{ NULL, 'm', ARG, opt_module_name, NULL },
	{ NULL, 'D', ARG, opt_define, NULL },
	{ NULL, 'B', ARG, opt_make_arg, NULL },
	{ "modinfo", 0, ARG, opt_modinfo, NULL },
	{ NULL, 'G', ARG, opt_global, NULL },
	{ NULL, 's', ARG, opt_bufsize, NULL },
	{ NULL, 'd', ARG, opt_symbols, NULL },
	{ "ldd", 0, NO, opt_ldd, NULL },
	{ "all-modules", 0, NO, opt_all_modules, NULL },
	{ "privilege", 0, OPT, opt_privilege, NULL },
	{ "unprivileged", 0, NO, opt_unprivileged, NULL },
	/* the run */
	{ NULL, 'o', ARG, opt_output, NULL },
	{ NULL, 'S', ARG, opt_limits, NULL },
	{ NULL, 'b', NO, opt_bulk, NULL },
	{ NULL, 'c', ARG, opt_command, NULL },
	{ NULL, 'x', ARG, opt_target_pid, NULL },
	{ NULL, 'T', ARG, opt_stop_after, NULL },
	{ NULL, 'F', NO, opt_flight, NULL },
	{ "vm", 0, NO, opt_vm, NULL },
	{ "vm-timeout", 0, ARG, opt_vm_timeout, NULL },
	{ "save-uprobes", 0, NO, opt_save_uprobes, NULL },
	{ "help", 'h', NO, opt_help, NULL },
	{ "version", 'V', NO, opt_version, NULL },
	/* SystemTap's, refused */
	{ "interactive", 'i', NO, NULL,
	  "stap has no interactive mode: write the script in a file, or give it with -e" },
	{ NULL, 'q', NO, NULL,
	  "stap keeps no tapset coverage database (SystemTap's -q writes one with sqlite)" },
	{ "check-version", 0, NO, NULL,
	  "stap does not record in which SystemTap version each construct changed" },
	{ "use-server", 0, OPT, NULL, NO_SERVERS },
	{ "use-http-server", 0, ARG, NULL, NO_SERVERS },
	{ "list-servers", 0, OPT, NULL, NO_SERVERS },
	{ "trust-servers", 0, OPT, NULL, NO_SERVERS },
	{ "use-server-on-error", 0, OPT, opt_use_server_on_error, NULL },
	{ "remote", 0, ARG, NULL, NO_REMOTE },
	{ "remote-prefix", 0, NO, NULL, NO_REMOTE },
	{ "download-debuginfo", 0, OPT, NULL,
	  "stap downloads nothing: install the kernel's debuginfo (vm/install-debuginfo, "
	  "or the linux-image-RELEASE-dbg package)" },
	{ "sysroot", 0, ARG, NULL,
	  "stap probes the files of this machine (and copies them into --vm's machine)" },
	{ "sysenv", 0, ARG, NULL,
	  "stap probes the files of this machine (and copies them into --vm's machine)" },
	{ "target-namespaces", 0, ARG, NULL,
	  "stap's tapsets have no namespace-aware functions to point at a target" },
	{ "sign-module", 0, OPT, NULL,
	  "stap does not sign modules: sign one with the kernel's scripts/sign-file" },
	{ "monitor", 0, OPT, NULL,
	  "stap has no monitor window: print what you want to watch from a timer probe" },
	{ "benchmark-sdt", 0, NO, NULL, NO_SDT_BENCH },
	{ "benchmark-sdt-loops", 0, ARG, NULL, NO_SDT_BENCH },
	{ "benchmark-sdt-threads", 0, ARG, NULL, NO_SDT_BENCH },
};

static void usage(FILE *out)
{
	fprintf(out,
"Usage: stap [OPTIONS] FILE [ARGS...]      run a script file (- for standard input)\n"
"       stap [OPTIONS] -e SCRIPT [ARGS...]  run a script given on the command line\n"
"       stap [OPTIONS] -l PROBE | -L PROBE  list the probe points PROBE matches\n"
"       stap [OPTIONS] --dump-probe-types | --dump-probe-aliases | --dump-functions\n"
"Options may come before or after the script; -- ends them.\n"
"\n"
"  -e SCRIPT     the script text            -E SCRIPT  another script, run with it\n"
"  -p NUM        stop after pass NUM: 1 parse, 2 elaborate, 3 translate to C,\n"
"                4 build the module (its path is printed), 5 run (the default)\n"
"  -v            more verbose (-vv, -vvv: more still)   --vp ABCDE  per pass\n"
"  -k            keep the temporary directory (its path is printed)\n"
"  -g            guru mode: embedded C and writes to target variables\n"
"  -u            do not remove unused code\n"
"  -w            no warnings          -W  warnings are errors\n"
"  -t            probe timing: a report of each probe's hits and cycles at the end\n"
"  -l PROBE      list the probe points PROBE matches (-L: with their variables)\n"
"  -m NAME       name the module NAME\n"
"  -o FILE       send the script's output to FILE\n"
"  -S MB[,N]     with -o: switch to FILE.1, FILE.2, ... past MB megabytes, keep N files\n"
"  -c CMD        run CMD once the probes are armed, stop when it exits; target() is its pid\n"
"  -x PID        target() is PID\n"
"  -T SECONDS    stop the script after SECONDS\n"
"  -F            flight recorder: leave the script running (staprun -A/-d NAME)\n"
"  -r RELEASE    build for that kernel release, or -r BUILD_DIR\n"
"  -D NAME=VAL   set a runtime limit (MAXACTION, MAXSTRINGLEN, MAXMAPENTRIES, ...)\n"
"  -B NAME=VAL   pass NAME=VAL to kbuild's make\n"
"  -I DIR        also look for tapsets in DIR       -R DIR  the runtime's sources\n"
"  -d PATH       add PATH's symbols (a program or library) for usymname, ubacktrace\n"
"  -d MODULE.ko  also look for kernel.trace's tracepoints in that kernel module\n"
"  --ldd         -d each shared library the probed programs and -d PATHs use\n"
"  -G VAR=VAL    set global VAR when the module loads\n"
"  -s MB         per-CPU output buffer size (1 to 4095, default 1)\n"
"  -b            bulk mode: each CPU's output in a file of its own (stap-merge)\n"
"  --vm                   run in a virtual machine (this kernel cannot load modules)\n"
"  --bpf, --runtime=bpf   run as BPF programs on this machine's kernel (doc/bpf.md)\n"
"  --vm-timeout SECONDS   stop a --vm script after SECONDS\n"
"  --vmlinux PATH         the kernel's debuginfo (default: found for the release)\n"
"  --skip-badvars         a target variable that cannot be read is 0, not an error\n"
"  --suppress-handler-errors   count run-time errors, do not report them\n"
"  --suppress-time-limits      no MAXACTION, MAXTRYLOCK or overload limit (with -g)\n"
"  --modinfo NAME=VAL     MODULE_INFO(NAME, \"VAL\") in the module\n"
"  --compatible=VERSION   %%( systemtap_v %%) compares against VERSION (default 4.8)\n"
"  --color[=WHEN]         color messages: never, always, auto (a terminal)\n"
"  --tmpdir=DIR           the temporary directory (kept)\n"
"  --disable-cache        build the module, runtime and DWARF indexes afresh, keep nothing\n"
"  --poison-cache         rebuild what is cached, and cache it again\n"
"  --clean-cache          remove stale entries and modules past cache_mb_limit, exit\n"
"  --no-global-var-display   do not print the globals a script never read\n"
"  --example      FILE is one of the examples\n"
"  --rlimit-{as,cpu,nproc,stack,fsize}=NUM   limit stap itself\n"
"  --runtime=kernel, -a x86_64, --privilege=stapdev, -d kernel, --all-modules:\n"
"                 accepted: what stap always does\n"
"  -P, --prologue-searching[=WHEN]: accepted; probes are placed as with =auto\n"
"  -V, --version          print the version\n"
"  -h, --help             this help\n"
"SystemTap's other options (--use-server, --remote, -i, -q, ...) are\n"
"refused with the reason; see stap(1).\n");
}

/* ---- parsing ---- */

static const Option *option_for(int val)
{
	if (val >= 256)
		return &options[val - 256];
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (options[i].letter == val)
			return &options[i];
	return NULL;
}

/* getopt's short option string and long option table, from options[] */
static void getopt_tables(char *shorts, struct option *longs)
{
	*shorts++ = ':';	/* ':' for a missing argument, '?' for an unknown option */
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const Option *o = &options[i];
		if (o->letter) {
			*shorts++ = o->letter;
			if (o->arg != no_argument)
				*shorts++ = ':';
			if (o->arg == optional_argument)
				*shorts++ = ':';
		}
		if (o->name)
			*longs++ = (struct option){ o->name, o->arg, NULL,
						    o->letter ? o->letter : 256 + (int)i };
	}
	*shorts = '\0';
	*longs = (struct option){ 0 };
}

/* "--vm" from "--vm=3" */
static const char *long_name(const char *word)
{
	return arena_strndup(word, strcspn(word, "="));
}

/* What getopt refused in word (a long option), in one line. */
static _Noreturn void bad_long_option(const char *word, bool missing_arg)
{
	const char *name = long_name(word);
	if (missing_arg)
		fatal("option '%s' requires an argument (see stap --help)", name);
	Buf matches = {0};
	int n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const char *o = options[i].name;
		if (!o)
			continue;
		if (strcmp(o, name + 2) == 0)
			fatal("option '%s' takes no argument (see stap --help)", name);
		if (strncmp(o, name + 2, strlen(name + 2)) == 0)
			buf_printf(&matches, "%s--%s", n++ ? ", " : "", o);
	}
	if (n > 1)
		fatal("option '%s' is ambiguous: %s (see stap --help)", name, matches.s);
	fatal("unrecognized option '%s' (see stap --help)", name);
}

/*
 * Was the option getopt refused (optopt: its value, 0 for an unknown long
 * one) the long option word?  A short one in a bundle ("-gZ") leaves
 * optind on the word before it.
 */
static bool refused_long(const char *word)
{
	if (strncmp(word, "--", 2) != 0)
		return false;
	if (!optopt)
		return true;
	const Option *o = option_for(optopt);
	const char *name = long_name(word) + 2;
	return o && o->name && strncmp(o->name, name, strlen(name)) == 0;
}

static _Noreturn void bad_option(char **argv, int c)
{
	const char *word = argv[optind - 1];
	if (refused_long(word))
		bad_long_option(word, c == ':');
	if (c == ':')
		fatal("option '-%c' requires an argument (see stap --help)", optopt);
	fatal("unrecognized option '-%c' (see stap --help)", optopt);
}

/* as_long: it was written --name, not -letter */
static void apply_option(Session *s, const Option *o, const char *arg, bool as_long)
{
	if (!o->refused) {
		o->apply(s, arg);
		return;
	}
	if (as_long)
		fatal("--%s is not supported: %s", o->name, o->refused);
	fatal("-%c is not supported: %s", o->letter, o->refused);
}

char *program_path(const char *name)
{
	if (strchr(name, '/'))
		return realpath(name, NULL);
	const char *path = getenv("PATH");
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		const char *dir = n ? arena_strndup(p, n) : ".";
		const char *cand = arena_printf("%s/%s", dir, name);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return realpath(cand, NULL);
		p += n + (p[n] == ':');
	}
	errno = ENOENT;
	return NULL;
}

/*
 * -c ./prog args: the program, if the command names one by a relative
 * path, made absolute here (the VM and the run's own directory may
 * differ); with --vm, a program of this machine is copied into it.
 */
static void resolve_target_cmd(Session *s)
{
	const char *cmd = s->target_cmd;
	size_t skip = strspn(cmd, " \t");
	size_t n = strcspn(cmd + skip, " \t;&|<>()$`'\"\\");
	const char *word = arena_strndup(cmd + skip, n);
	if (!strchr(word, '/'))
		return;
	char *abs = realpath(word, NULL);
	if (!abs)
		return;	/* the shell will say what is wrong with it */
	struct stat st;
	if (stat(abs, &st) == 0 && S_ISREG(st.st_mode)) {
		if (word[0] != '/')
			s->target_cmd = arena_printf("%.*s%s%s", (int)skip, cmd, abs,
						     cmd + skip + n);
		bool copied = false;
		for (int i = 0; i < s->vm_copies.len; i++)
			copied |= strcmp(s->vm_copies.items[i], abs) == 0;
		if (s->use_vm && !copied)
			vec_push(&s->vm_copies, arena_strdup(abs));
	}
	free(abs);
}

/* What no single option can check: how they go together. */
static void check_combinations(Session *s)
{
	if (s->output_limits && !s->output_file)
		fatal("-S needs -o FILE: it limits the size of the output files");
	if (s->flight_recorder && s->use_vm)
		fatal("-F leaves the script running after stap exits: not in a --vm, which "
		      "powers off then");
	if (s->bulk && s->use_vm && s->last_pass == 5)
		fatal("-b writes per-CPU files where the module runs: not with --vm (build the "
		      "module with -p4 and run it with staprun in the machine)");
	if (s->bulk && s->output_limits)
		fatal("-S cannot be used with -b: the per-CPU files are not switched");
	if (s->target_cmd && s->target_pid)
		fatal("-c and -x cannot be used together: -c CMD makes its own target");
	if (s->target_pid && s->use_vm)
		fatal("-x %s names a process of this machine, which the virtual machine cannot "
		      "see: with --vm, start the target with -c CMD", s->target_pid);
	if (s->suppress_time_limits && !s->guru)
		fatal("--suppress-time-limits needs guru mode (-g): a probe without limits can "
		      "hang the kernel");
	if (s->prologue != PROLOGUE_AUTO)
		warn_plain("--prologue-searching=%s is ignored: stap places function probes as "
			   "=auto does (at the entry, or past the prologue of code whose "
			   "parameters are not in registers there)",
			   s->prologue == PROLOGUE_ALWAYS ? "always" : "never");
}

void parse_args(Session *s, int argc, char **argv)
{
	char shorts[3 * ARRAY_SIZE(options) + 2];
	struct option longs[ARRAY_SIZE(options) + 1];
	getopt_tables(shorts, longs);
	s->last_pass = 5;
	diag_color = isatty(STDERR_FILENO);	/* --color=auto, SystemTap's default */
	opterr = 0;
	int c, long_index = -1;
	while ((c = getopt_long(argc, argv, shorts, longs, &long_index)) != -1) {
		if (c == '?' || c == ':')
			bad_option(argv, c);
		apply_option(s, option_for(c), optarg, long_index >= 0);
		long_index = -1;
	}
	if (s->dump || s->list_pattern) {
		if (s->script_text)
			fatal("-e cannot be given with -l, -L or --dump-*: they list, they run no "
			      "script");
		s->last_pass = 2;
		s->listing = s->list_pattern != NULL;
	} else if (!s->script_text) {
		if (optind >= argc)
			fatal("no script given: give a script FILE, or -e SCRIPT (see stap --help)");
		s->script_file = argv[optind++];
	}
	for (; optind < argc; optind++)
		vec_push(&s->script_args, argv[optind]);
	check_combinations(s);
	if (s->target_cmd)
		resolve_target_cmd(s);
	if (s->list_pattern)	/* the pattern is the point of a script's one probe */
		s->script_text = arena_printf("probe %s {}", s->list_pattern);
	if (s->dump)
		s->script_text = "probe begin {}";
}
