/*
 * main.c - the stap command: options, then the five passes in order.
 *
 *   1 parse   2 elaborate   3 translate to C   4 build the module   5 run it
 *
 * -p N stops after pass N and prints what that pass made.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "stap.h"

static Session session;

/* ---- -v pass timing ---- */

static struct timespec pass_real;
static struct rusage pass_usage;

void pass_begin(void)
{
	clock_gettime(CLOCK_MONOTONIC, &pass_real);
	getrusage(RUSAGE_SELF, &pass_usage);
}

static long tv_ms(struct timeval a, struct timeval b)
{
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_usec - a.tv_usec) / 1000;
}

void pass_end(Session *s, int pass, const char *what)
{
	if (s->verbose < 1)
		return;
	struct timespec now;
	struct rusage usage, children;
	clock_gettime(CLOCK_MONOTONIC, &now);
	getrusage(RUSAGE_SELF, &usage);
	getrusage(RUSAGE_CHILDREN, &children);
	long real = (now.tv_sec - pass_real.tv_sec) * 1000 +
		    (now.tv_nsec - pass_real.tv_nsec) / 1000000;
	/* pass 4's time is mostly make and gcc: count children too */
	static struct rusage children_before;
	long usr = tv_ms(pass_usage.ru_utime, usage.ru_utime) +
		   tv_ms(children_before.ru_utime, children.ru_utime);
	long sys = tv_ms(pass_usage.ru_stime, usage.ru_stime) +
		   tv_ms(children_before.ru_stime, children.ru_stime);
	children_before = children;
	fprintf(stderr, "Pass %d: %s in %ldusr/%ldsys/%ldreal ms.\n", pass, what, usr, sys, real);
}

/* ---- where the runtime, tapsets and helper programs are ---- */

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * A stap run from the build tree uses the tree's runtime and tapsets;
 * an installed one finds them relative to its own binary, so that the
 * installation can be moved (PREFIX/bin/stap -> PREFIX/share/stap/...).
 */
static void find_dirs(Session *s)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		fatal("cannot find the stap binary: /proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	char *bindir = dirname(arena_strdup(exe));
	const char *build_exe = STAP_BUILDDIR "/translator/stap";
	char real_build[PATH_MAX];
	bool in_tree = realpath(build_exe, real_build) && strcmp(real_build, exe) == 0;

	if (in_tree) {
		s->runtime_dir = STAP_SRCDIR "/runtime";
		s->tapset_dir = STAP_SRCDIR "/tapsets";
		s->libexec_dir = STAP_BUILDDIR;
	} else {
		char *prefix = dirname(arena_strdup(bindir));
		s->runtime_dir = arena_printf("%s/share/stap/runtime", prefix);
		s->tapset_dir = arena_printf("%s/share/stap/tapsets", prefix);
		s->libexec_dir = arena_printf("%s/libexec/stap", prefix);
	}
	const char *env = getenv("STAP_RUNTIME");
	if (env)
		s->runtime_dir = env;
	env = getenv("STAP_TAPSETS");
	if (env)
		s->tapset_dir = env;
	if (!is_dir(s->runtime_dir))
		fatal("the runtime is missing: %s is not a directory (set STAP_RUNTIME?)",
		      s->runtime_dir);
}

/* A tool of ours: PROG in the build tree's DIR/, or the installed libexec. */
const char *tool_path(Session *s, const char *dir, const char *prog)
{
	const char *p = arena_printf("%s/%s/%s", s->libexec_dir, dir, prog);
	if (access(p, X_OK) == 0)
		return p;
	p = arena_printf("%s/%s", s->libexec_dir, prog);
	if (access(p, X_OK) == 0)
		return p;
	/* staprun is installed in bindir, next to stap */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		p = arena_printf("%s/%s", dirname(exe), prog);
		if (access(p, X_OK) == 0)
			return p;
	}
	fatal("cannot find the %s program (looked in %s)", prog, s->libexec_dir);
}

/* ---- temporary directory ---- */

static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		unlink(path);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *child = arena_printf("%s/%s", path, e->d_name);
		struct stat st;
		if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
			remove_tree(child);
		else
			unlink(child);
	}
	closedir(d);
	rmdir(path);
}

static void cleanup(void)
{
	if (!session.tmp_dir)
		return;
	if (session.keep_tmp) {
		fprintf(stderr, "Keeping temporary directory \"%s\"\n", session.tmp_dir);
		return;
	}
	remove_tree(session.tmp_dir);
}

static void make_tmp_dir(Session *s)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = arena_printf("%s/stapXXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		fatal("cannot create a temporary directory %s: %s", tmpl, strerror(errno));
	s->tmp_dir = tmpl;
	atexit(cleanup);
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- reading scripts ---- */

static char *read_whole(FILE *f, size_t *len)
{
	Buf b = {0};
	char chunk[65536];
	size_t n;
	buf_puts(&b, "");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		for (size_t i = 0; i < n; i++)
			buf_putc(&b, chunk[i]);
	}
	*len = b.len;
	return b.s;
}

SrcFile *read_source(const char *path, bool is_tapset)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f)
		return NULL;
	SrcFile *sf = arena_alloc(sizeof(*sf));
	sf->name = strcmp(path, "-") == 0 ? "<stdin>" : arena_strdup(path);
	sf->text = read_whole(f, &sf->len);
	sf->is_tapset = is_tapset;
	if (f != stdin)
		fclose(f);
	return sf;
}

/* ---- the target kernel ---- */

static const char *read_first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[256];
	const char *r = NULL;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		r = arena_strdup(line);
	}
	fclose(f);
	return r;
}

/* The one kernel release in the VM directory, for --vm. */
static const char *vm_release(void)
{
	const char *dir = getenv("STAP_VM_DIR");
	if (!dir)
		dir = STAP_VM_DIR;
	DIR *d = opendir(dir);
	const char *found = NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *img = arena_printf("%s/%s/vmlinuz", dir, e->d_name);
		if (access(img, R_OK) == 0 && (!found || strcmp(e->d_name, found) > 0))
			found = arena_strdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (!found)
		fatal("no VM kernel in %s: install one with vm/install-kernel (from the source "
		      "tree) or %s/install-kernel", dir, session.libexec_dir);
	return found;
}

static void setup_kernel(Session *s)
{
	const char *r = s->kernel_release;
	if (s->use_vm && !r)
		r = vm_release();
	if (!r) {
		struct utsname u;
		uname(&u);
		r = arena_strdup(u.release);
	}
	if (strchr(r, '/')) {
		/* -r BUILD_DIR */
		s->build_dir = r;
		const char *rel = read_first_line(arena_printf("%s/include/config/kernel.release", r));
		if (!rel)
			fatal("%s is not a kernel build tree (no include/config/kernel.release)", r);
		s->kernel_release = rel;
	} else {
		s->kernel_release = r;
		s->build_dir = arena_printf("/lib/modules/%s/build", r);
	}
	preproc_env.kernel_vr = s->kernel_release;
	/* "6.1.0-56-cloud-amd64" -> "6.1.0"; the Makefile has the full version */
	char *v = arena_strdup(s->kernel_release);
	v[strspn(v, "0123456789.")] = '\0';
	preproc_env.kernel_v = v;
	preproc_env.kconfig_path = arena_printf("%s/.config", s->build_dir);
	preproc_env.arch = "x86_64";
	preproc_env.runtime = "kernel";
	preproc_env.systemtap_v = "4.8";
}

/* ---- options ---- */

/* -d NAME.ko names a kernel module, for kernel.trace to search */
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

static void usage(FILE *out)
{
	fprintf(out,
"Usage: stap [OPTIONS] FILE [ARGS...]     run a script file\n"
"       stap [OPTIONS] -e SCRIPT [ARGS...] run a script given on the command line\n"
"\n"
"  -e SCRIPT     the script text\n"
"  -p NUM        stop after pass NUM: 1 parse, 2 elaborate, 3 translate to C,\n"
"                4 build the module (its path is printed), 5 run (the default)\n"
"  -v            more verbose: pass timings\n"
"  -k            keep the temporary directory (its path is printed)\n"
"  -g            guru mode: embedded C and writes to target variables\n"
"  -u            do not remove unused code\n"
"  -w            no warnings          -W  warnings are errors\n"
"  -m NAME       name the module NAME\n"
"  -o FILE       send the script's output to FILE\n"
"  -S MB[,N]     with -o: switch to FILE.1, FILE.2, ... past MB megabytes, keep N files\n"
"  -c CMD        run CMD once the probes are armed, stop when it exits; target() is its pid\n"
"  -x PID        target() is PID\n"
"  -T SECONDS    stop the script after SECONDS\n"
"  -F            flight recorder: leave the script running (staprun -A/-d NAME)\n"
"  -r RELEASE    build for that kernel release, or -r BUILD_DIR\n"
"  -l PATTERN    list the probe points PATTERN matches (-L: with their variables)\n"
"  --vmlinux PATH        the kernel's debuginfo (default: found for the release)\n"
"  --skip-badvars        a target variable that cannot be read is 0, not an error\n"
"  -D NAME=VAL   set a runtime limit (MAXACTION, MAXSTRINGLEN, MAXMAPENTRIES, ...)\n"
"  -I DIR        also look for tapsets in DIR\n"
"  -d PATH       add PATH's symbols (a program or library) for usymname, ubacktrace\n"
"  -d MODULE.ko  also look for kernel.trace's tracepoints in that kernel module\n"
"  -G VAR=VAL    set global VAR when the module loads\n"
"  -s MB         per-CPU output buffer size (1 to 4095, default 1)\n"
"  -b            bulk mode: each CPU's output in a file of its own (stap-merge)\n"
"  --vm          run in a virtual machine (this kernel cannot load modules)\n"
"  --vm-timeout SECONDS   stop a --vm script after SECONDS\n"
"  -V, --version          print the version\n"
"  -h, --help             this help\n");
}

enum {
	OPT_VM = 256,
	OPT_VM_TIMEOUT,
	OPT_SUPPRESS_HANDLER_ERRORS,
	OPT_VMLINUX,
	OPT_SKIP_BADVARS,
};

static const char *list_pattern;	/* -l / -L */
static bool list_vars;			/* -L */

static void parse_args(Session *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "vm", no_argument, NULL, OPT_VM },
		{ "vm-timeout", required_argument, NULL, OPT_VM_TIMEOUT },
		{ "suppress-handler-errors", no_argument, NULL, OPT_SUPPRESS_HANDLER_ERRORS },
		{ "vmlinux", required_argument, NULL, OPT_VMLINUX },
		{ "skip-badvars", no_argument, NULL, OPT_SKIP_BADVARS },
		{ 0 }
	};
	int c;
	s->last_pass = 5;
	while ((c = getopt_long(argc, argv, "+e:p:vkguwWm:o:S:c:x:T:Fr:D:I:G:s:bl:L:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			s->script_text = optarg;
			break;
		case 'p':
			s->last_pass = atoi(optarg);
			if (s->last_pass < 1 || s->last_pass > 5)
				fatal("-p takes a pass number from 1 to 5, not '%s'", optarg);
			break;
		case 'v':
			s->verbose++;
			break;
		case 'k':
			s->keep_tmp = true;
			break;
		case 'g':
			s->guru = true;
			break;
		case 'u':
			s->unoptimized = true;
			break;
		case 'w':
			warnings_off = true;
			break;
		case 'W':
			warnings_are_errors = true;
			break;
		case 'm':
			s->module_name = optarg;
			break;
		case 'o':
			s->output_file = optarg;
			break;
		case 'S':
			s->output_limits = optarg;
			break;
		case 'c':
			s->target_cmd = optarg;
			break;
		case 'F':
			s->flight_recorder = true;
			break;
		case 'x': {
			char *end;
			long pid = strtol(optarg, &end, 10);
			if (*end || pid <= 0 || pid > 0x7fffffff)
				fatal("-x takes a process id, not '%s'", optarg);
			s->target_pid = optarg;
			break;
		}
		case 'T':
			s->stop_after = atoi(optarg);
			if (s->stop_after <= 0)
				fatal("-T takes a number of seconds above 0, not '%s'", optarg);
			break;
		case 'r':
			s->kernel_release = optarg;
			break;
		case 'D':
			vec_push(&s->defines, optarg);
			break;
		case 'I':
			vec_push(&s->include_dirs, optarg);
			break;
		case 'd':
			if (is_kmod_file(optarg))
				add_kmod_file(s, optarg);
			else
				add_symbol_file(s, optarg);
			break;
		case 'G':
			if (!strchr(optarg, '='))
				fatal("-G takes VAR=VALUE, not '%s'", optarg);
			vec_push(&s->globals_set, optarg);
			break;
		case 'b':
			s->bulk = true;
			break;
		case 's': {
			char *end;
			long mb = strtol(optarg, &end, 10);
			s->bufsize_mb = *end || end == optarg || mb < 1 || mb > 4095 ? 0 : (int)mb;
			if (!s->bufsize_mb)
				fatal("-s takes a buffer size in MB from 1 to 4095, not '%s'", optarg);
			break;
		}
		case OPT_VM:
			s->use_vm = true;
			break;
		case OPT_VM_TIMEOUT:
			s->vm_timeout = atoi(optarg);
			break;
		case OPT_SUPPRESS_HANDLER_ERRORS:
			s->suppress_handler_errors = true;
			break;
		case OPT_VMLINUX:
			s->vmlinux = optarg;
			break;
		case OPT_SKIP_BADVARS:
			s->skip_badvars = true;
			break;
		case 'l':
		case 'L':
			list_pattern = optarg;
			list_vars = c == 'L';
			s->listing = true;
			s->last_pass = 2;
			/* the pattern is the point of a script's one probe */
			s->script_text = arena_printf("probe %s {}", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("stap %s, a SystemTap-compatible tracing translator\n", STAP_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(1);
		}
	}
	if (!s->script_text && !list_pattern) {
		if (optind >= argc) {
			fprintf(stderr, "stap: error: no script given: use -e SCRIPT or a file name\n");
			usage(stderr);
			exit(1);
		}
		s->script_file = argv[optind++];
	}
	for (; optind < argc; optind++)
		vec_push(&s->script_args, argv[optind]);
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
	if (s->module_name) {
		const char *m = s->module_name;
		bool ok = *m && strlen(m) <= 55;
		for (; *m; m++)
			if (!((*m >= 'a' && *m <= 'z') || (*m >= 'A' && *m <= 'Z') ||
			      (*m >= '0' && *m <= '9') || *m == '_'))
				ok = false;
		if (!ok)
			fatal("module name '%s' must be 1 to 55 letters, digits or '_'",
			      s->module_name);
	}
}

static uint64_t hash_text(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void name_module(Session *s, SrcFile *script)
{
	if (s->module_name)
		return;
	uint64_t h = hash_text(script->text, 1469598103934665603ull);
	h = hash_text(s->kernel_release, h);
	for (int i = 0; i < s->defines.len; i++)
		h = hash_text(s->defines.items[i], h);
	s->module_name = arena_printf("stap_%016llx", (unsigned long long)h);
}

/* ---- pass 1 ---- */

static int load_tapset_dir(Program *prog, const char *dir, bool macros_only, Vec *seen);

/*
 * A tapset directory's subdirectories for the target, most specific first:
 * DIR/6.1.0-57-cloud-amd64, DIR/6.1.0, DIR/6.1, DIR/6, DIR/x86_64, then DIR
 * itself.  A file in a more specific one replaces the file of the same
 * name in the others (a tapset for one kernel or architecture).
 */
static Vec tapset_subdirs(Session *s, const char *dir)
{
	Vec dirs = {0};
	const char *rel = s->kernel_release ? s->kernel_release : "";
	if (*rel)
		vec_push(&dirs, (void *)arena_printf("%s/%s", dir, rel));
	/* the version's numbers: 6.1.0, 6.1, 6 */
	size_t n = strspn(rel, "0123456789.");
	while (n > 0) {
		vec_push(&dirs, (void *)arena_printf("%s/%.*s", dir, (int)n, rel));
		while (n > 0 && rel[n - 1] != '.')
			n--;
		if (n > 0)
			n--;
	}
	vec_push(&dirs, (void *)arena_printf("%s/%s", dir, preproc_env.arch));
	vec_push(&dirs, (void *)dir);
	return dirs;
}

/* Loads the tapsets of directory TOP into PROG: its macro files or its scripts. */
static int load_tapsets(Session *s, Program *prog, const char *top, bool macros_only)
{
	Vec dirs = tapset_subdirs(s, top);
	Vec seen = {0};
	int count = 0;
	for (int k = 0; k < dirs.len; k++)
		count += load_tapset_dir(prog, dirs.items[k], macros_only, &seen);
	return count;
}

static int load_tapset_dir(Program *prog, const char *dir, bool macros_only, Vec *seen)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int count = 0;
	Vec names = {0};
	struct dirent *e;
	while ((e = readdir(d)))
		vec_push(&names, arena_strdup(e->d_name));
	closedir(d);
	/* a stable order: messages and -p1 output must not depend on readdir */
	for (int i = 1; i < names.len; i++)
		for (int j = i; j > 0 && strcmp(names.items[j - 1], names.items[j]) > 0; j--) {
			void *t = names.items[j];
			names.items[j] = names.items[j - 1];
			names.items[j - 1] = t;
		}
	for (int i = 0; i < names.len; i++) {
		const char *name = names.items[i];
		size_t len = strlen(name);
		bool is_stpm = len > 5 && strcmp(name + len - 5, ".stpm") == 0;
		bool is_stp = len > 4 && strcmp(name + len - 4, ".stp") == 0;
		if (macros_only ? !is_stpm : !is_stp)
			continue;
		bool replaced = false;
		for (int j = 0; j < seen->len && !replaced; j++)
			replaced = strcmp(seen->items[j], name) == 0;
		if (replaced)
			continue;
		vec_push(seen, (void *)name);
		const char *path = arena_printf("%s/%s", dir, name);
		SrcFile *f = read_source(path, true);
		if (!f)
			continue;
		vec_push(&prog->files, f);
		if (is_stpm) {
			preproc_load_macros(f);
		} else {
			ParseResult r = {0};
			parse_file(f, &r);
			add_parse_result(prog, &r);
		}
		count++;
	}
	return count;
}

void add_parse_result(Program *prog, ParseResult *r)
{
	for (int i = 0; i < r->globals.len; i++)
		vec_push(&prog->globals, r->globals.items[i]);
	for (int i = 0; i < r->funcs.len; i++)
		vec_push(&prog->funcs, r->funcs.items[i]);
	for (int i = 0; i < r->probes.len; i++)
		vec_push(&prog->probes, r->probes.items[i]);
	for (int i = 0; i < r->aliases.len; i++)
		vec_push(&prog->aliases, r->aliases.items[i]);
	for (int i = 0; i < r->embedded.len; i++)
		vec_push(&prog->embedded, r->embedded.items[i]);
}

/* Appends the files and definitions of FROM to PROG, after its own. */
static void append_program(Program *prog, Program *from)
{
	Vec *dst[] = { &prog->files, &prog->globals, &prog->funcs, &prog->probes,
		       &prog->aliases, &prog->embedded };
	Vec *src[] = { &from->files, &from->globals, &from->funcs, &from->probes,
		       &from->aliases, &from->embedded };
	for (size_t k = 0; k < ARRAY_SIZE(dst); k++)
		for (int i = 0; i < src[k]->len; i++)
			vec_push(dst[k], src[k]->items[i]);
}

/*
 * The fuzzer (testsuite/fuzz) forks each run here, once the library is
 * parsed: that takes most of a run and does not depend on the input.
 */
static void fuzz_fork_point(void)
{
#ifdef __AFL_HAVE_MANUAL_CONTROL
	__AFL_INIT();
#endif
}

static SrcFile *read_user_script(Session *s)
{
	if (!s->script_text) {
		SrcFile *user = read_source(s->script_file, false);
		if (!user)
			fatal("cannot read script '%s': %s", s->script_file, strerror(errno));
		return user;
	}
	SrcFile *user = arena_alloc(sizeof(*user));
	user->name = "<input>";
	user->text = s->script_text;
	user->len = strlen(s->script_text);
	return user;
}

/*
 * The program holds the library's macro files, the user's script, then the
 * library's scripts.  No script sees another's @define macros, so the
 * library's scripts are parsed first, into a program of their own.
 */
static void pass1(Session *s)
{
	pass_begin();
	preproc_env.guru_mode = s->guru;
	preproc_env.argc = s->script_args.len;
	preproc_env.argv = (char **)s->script_args.items;
	preproc_env.arg_used = arena_alloc(sizeof(bool) * (s->script_args.len + 1));

	/* library macros first: every script may use them */
	for (int i = 0; i < s->include_dirs.len; i++)
		load_tapsets(s, &s->prog, s->include_dirs.items[i], true);
	load_tapsets(s, &s->prog, s->tapset_dir, true);
	Program lib = {0};
	int nlib = 0;
	for (int i = 0; i < s->include_dirs.len; i++)
		nlib += load_tapsets(s, &lib, s->include_dirs.items[i], false);
	nlib += load_tapsets(s, &lib, s->tapset_dir, false);
	fuzz_fork_point();

	SrcFile *user = read_user_script(s);
	name_module(s, user);
	vec_push(&s->prog.files, user);
	ParseResult r = {0};
	parse_file(user, &r);
	add_parse_result(&s->prog, &r);
	preproc_check_args();
	append_program(&s->prog, &lib);
	for (int i = 0; i < s->prog.files.len; i++)
		((SrcFile *)s->prog.files.items[i])->index = i;

	if (error_count) {
		fprintf(stderr, "Pass 1: parse failed.\n");
		exit(1);
	}
	pass_end(s, 1, arena_printf("parsed user script and %d library scripts", nlib));
	if (s->last_pass == 1) {
		dump_program(stdout, &s->prog, true);
		exit(0);
	}
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	Session *s = &session;
	parse_args(s, argc, argv);
	find_dirs(s);
	if (s->last_pass == 5 && !s->use_vm && !list_pattern && access("/proc/modules", F_OK) != 0) {
		/* say it before any work, not after a build that cannot be used here */
		struct utsname u;
		uname(&u);
		fatal("this kernel (%s) cannot load modules (it has no CONFIG_MODULES): run the "
		      "script in a virtual machine with --vm", u.release);
	}
	setup_kernel(s);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	pass1(s);
	if (list_pattern)
		return list_probes(&s->prog, s, list_vars);

	pass_begin();
	if (!resolve_program(&s->prog, s) || !infer_types(&s->prog, s) ||
	    !add_global_display(&s->prog, s) || error_count) {
		fprintf(stderr, "Pass 2: analysis failed.\n");
		return 1;
	}
	elide_dead_stores(&s->prog, s);
	pass_end(s, 2, "analyzed script");
	if (s->last_pass == 2) {
		dump_elaborated(stdout, s);
		return 0;
	}

	pass_begin();
	make_tmp_dir(s);
	s->c_file = arena_printf("%s/%s_main.c", s->tmp_dir, s->module_name);
	FILE *out = s->last_pass == 3 ? stdout : fopen(s->c_file, "w");
	if (!out)
		fatal("cannot write %s: %s", s->c_file, strerror(errno));
	bool ok = emit_module(&s->prog, s, out);
	if (out != stdout && fclose(out) != 0)
		ok = false;
	if (!ok || error_count) {
		fprintf(stderr, "Pass 3: translation failed.\n");
		return 1;
	}
	pass_end(s, 3, "translated to C");
	if (s->last_pass == 3)
		return 0;

	pass_begin();
	if (!build_module(s)) {
		fprintf(stderr, "Pass 4: compilation failed.\n");
		return 1;
	}
	pass_end(s, 4, arena_printf("compiled C into \"%s.ko\"", s->module_name));
	if (s->last_pass == 4) {
		char *dest = arena_printf("%s.ko", s->module_name);
		if (!copy_file(s->ko_file, dest))
			fatal("cannot copy the module to %s: %s", dest, strerror(errno));
		printf("%s\n", dest);
		return 0;
	}

	pass_begin();
	int rc = run_module(s);
	pass_end(s, 5, rc == 0 ? "run completed" : "run failed");
	return rc;
}
