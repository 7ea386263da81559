/*
 * main.c - the stap command: options, then the five passes in order.
 *
 *   1 parse   2 elaborate   3 translate to C   4 build the module   5 run it
 *
 * -p N stops after pass N and prints what that pass made.
 */
#include <dirent.h>
#include <errno.h>
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
#include "bpf.h"

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

/* "using 106700virt/96300res/7272shr/88948data kb, ": stap's memory, as SystemTap says it */
static const char *memory_used(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size, res, shr, text, lib, data;
	bool ok = f && fscanf(f, "%lu %lu %lu %lu %lu %lu", &size, &res, &shr, &text, &lib,
			      &data) == 6;
	if (f)
		fclose(f);
	if (!ok)
		return "";
	unsigned long kb = (unsigned long)sysconf(_SC_PAGESIZE) / 1024;
	return arena_printf("using %luvirt/%lures/%lushr/%ludata kb, ", size * kb, res * kb,
			    shr * kb, data * kb);
}

void pass_end(Session *s, int pass, const char *what)
{
	struct timespec now;
	struct rusage usage, children;
	clock_gettime(CLOCK_MONOTONIC, &now);
	getrusage(RUSAGE_SELF, &usage);
	getrusage(RUSAGE_CHILDREN, &children);
	/* pass 4's time is mostly make and gcc: count children too */
	static struct rusage children_before;
	struct rusage before = children_before;
	children_before = children;
	if (s->pass_verbose[pass - 1] < 1)
		return;
	long real = (now.tv_sec - pass_real.tv_sec) * 1000 +
		    (now.tv_nsec - pass_real.tv_nsec) / 1000000;
	long usr = tv_ms(pass_usage.ru_utime, usage.ru_utime) +
		   tv_ms(before.ru_utime, children.ru_utime);
	long sys = tv_ms(pass_usage.ru_stime, usage.ru_stime) +
		   tv_ms(before.ru_stime, children.ru_stime);
	fprintf(stderr, "Pass %d: %s %sin %ldusr/%ldsys/%ldreal ms.\n", pass, what,
		memory_used(), usr, sys, real);
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
		/* the tapsets make generates, in a build apart from the sources */
		if (strcmp(STAP_SRCDIR, STAP_BUILDDIR) != 0)
			vec_push(&s->include_dirs, (void *)(STAP_BUILDDIR "/tapsets"));
	} else {
		char *prefix = dirname(arena_strdup(bindir));
		s->runtime_dir = arena_printf("%s/share/stap/runtime", prefix);
		s->tapset_dir = arena_printf("%s/share/stap/tapsets", prefix);
		s->libexec_dir = arena_printf("%s/libexec/stap", prefix);
	}
	s->examples_dir = in_tree ? STAP_SRCDIR "/examples" :
		arena_printf("%s/share/stap/examples", dirname(arena_strdup(bindir)));
	const char *env = getenv("STAP_RUNTIME");
	if (env)
		s->runtime_dir = env;
	if (s->runtime_opt)	/* -R DIR */
		s->runtime_dir = s->runtime_opt;
	env = getenv("STAP_TAPSETS");
	if (env)
		s->tapset_dir = env;
	if (!is_dir(s->runtime_dir))
		fatal("the runtime is missing: %s is not a directory (set STAP_RUNTIME?)",
		      s->runtime_dir);
}

/* --example NAME: the script NAME (or NAME.stp) of the examples */
static const char *example_path(Session *s, const char *name)
{
	const char *p = arena_printf("%s/%s", s->examples_dir, name);
	if (access(p, R_OK) != 0)
		p = arena_printf("%s/%s.stp", s->examples_dir, name);
	if (strchr(name, '/') || access(p, R_OK) != 0)
		fatal("--example: no example '%s' in %s", name, s->examples_dir);
	return p;
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

/* Removes what path holds, and path itself unless keep_dir. */
static void remove_contents(const char *path, bool keep_dir)
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
			remove_contents(child, false);
		else
			unlink(child);
	}
	closedir(d);
	if (!keep_dir)
		rmdir(path);
}

void remove_dir_tree(const char *path)
{
	remove_contents(path, false);
}

static void cleanup(void)
{
	if (!session.tmp_dir)
		return;
	if (session.keep_tmp) {
		fprintf(stderr, "Keeping temporary directory \"%s\"\n", session.tmp_dir);
		return;
	}
	/* --tmpdir=DIR: the user's directory stays, emptied */
	remove_contents(session.tmp_dir, session.tmpdir_opt != NULL);
	if (session.pass_verbose[4] > 1)
		fprintf(stderr, "Removed temporary directory \"%s\"\n", session.tmp_dir);
}

static void make_tmp_dir(Session *s)
{
	if (s->tmp_dir)
		return;
	if (s->tmpdir_opt) {
		if (mkdir(s->tmpdir_opt, 0700) != 0 && errno != EEXIST)
			fatal("--tmpdir=%s: %s", s->tmpdir_opt, strerror(errno));
		if (!is_dir(s->tmpdir_opt))
			fatal("--tmpdir=%s: not a directory", s->tmpdir_opt);
		s->tmp_dir = s->tmpdir_opt;
	} else {
		const char *base = getenv("TMPDIR");
		char *tmpl = arena_printf("%s/stapXXXXXX", base && *base ? base : "/tmp");
		if (!mkdtemp(tmpl))
			fatal("cannot create a temporary directory %s: %s", tmpl, strerror(errno));
		s->tmp_dir = tmpl;
	}
	if (s->pass_verbose[2] > 1)
		fprintf(stderr, "Created temporary directory \"%s\"\n", s->tmp_dir);
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

static const char *vm_dir(void)
{
	const char *dir = getenv("STAP_VM_DIR");
	return dir ? dir : STAP_VM_DIR;
}

/*
 * The VM's kernel when no -r names one: the release in VM_DIR/default
 * (install-kernel writes it), else the newest installed, or NULL.
 */
static const char *find_vm_release(void)
{
	const char *def = read_first_line(arena_printf("%s/default", vm_dir()));
	if (def && *def && !strchr(def, '/') &&
	    access(arena_printf("%s/%s/vmlinuz", vm_dir(), def), R_OK) == 0)
		return def;
	DIR *d = opendir(vm_dir());
	const char *found = NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *img = arena_printf("%s/%s/vmlinuz", vm_dir(), e->d_name);
		if (access(img, R_OK) == 0 && (!found || strcmp(e->d_name, found) > 0))
			found = arena_strdup(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* The kernel release in the VM directory, for --vm. */
static const char *vm_release(void)
{
	const char *r = find_vm_release();
	if (!r)
		fatal("no VM kernel in %s: install one with vm/install-kernel (from the source "
		      "tree) or %s/install-kernel", vm_dir(), session.libexec_dir);
	return r;
}

static bool host_loads_modules(void)
{
	return access("/proc/modules", F_OK) == 0;
}

/*
 * This machine's kernel cannot load modules, so a module or a listing
 * for it would be of no use: the VM's kernel is the target when one is
 * installed (said once, past -p1, which only parses), else this one,
 * with a hint if nothing matches.
 */
static const char *kernel_instead_of_host(Session *s)
{
	struct utsname u;
	uname(&u);
	const char *r = find_vm_release();
	if (r && s->last_pass > 1)
		fprintf(stderr, "stap: note: this machine's kernel (%s) cannot load modules: "
			"targeting the VM's kernel %s (-r RELEASE chooses another)\n",
			u.release, r);
	else if (!r)
		s->host_kernel_note = arena_printf(
			"stap: note: the target was this machine's kernel (%s), which cannot load "
			"modules: use --vm, or -r RELEASE for another kernel", u.release);
	return r;
}

static void setup_kernel(Session *s)
{
	const char *r = s->kernel_release;
	if (!r && getenv("SYSTEMTAP_RELEASE") && *getenv("SYSTEMTAP_RELEASE"))
		r = getenv("SYSTEMTAP_RELEASE");
	if (s->use_vm && !r)
		r = vm_release();
	if (!r && !host_loads_modules() && !s->bpf)	/* BPF: this machine's kernel */
		r = kernel_instead_of_host(s);
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
	preproc_env.runtime = s->bpf ? "bpf" : "kernel";
	if (!preproc_env.systemtap_v)	/* --compatible=VERSION */
		preproc_env.systemtap_v = "4.8";
	if (s->pass_verbose[0] > 1)
		fprintf(stderr, "Session arch: %s release: %s\nBuild tree: \"%s\"\n",
			preproc_env.arch, s->kernel_release, s->build_dir);
}

static uint64_t hash_text(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void name_module(Session *s, Vec *scripts)
{
	if (s->module_name)
		return;
	uint64_t h = 1469598103934665603ull;
	for (int i = 0; i < scripts->len; i++)
		h = hash_text(((SrcFile *)scripts->items[i])->text, h);
	h = hash_text(s->kernel_release, h);
	for (int i = 0; i < s->defines.len; i++)
		h = hash_text(s->defines.items[i], h);
	s->module_name = arena_printf("stap_%016llx", (unsigned long long)h);
}

/* ---- pass 1 ---- */

static int failed(Session *s, const char *what);

static int load_tapset_dir(Session *s, Program *prog, const char *dir, bool macros_only,
			   Vec *seen);

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
		count += load_tapset_dir(s, prog, dirs.items[k], macros_only, &seen);
	return count;
}

static int load_tapset_dir(Session *s, Program *prog, const char *dir, bool macros_only,
			   Vec *seen)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int count = 0, found = 0;
	Vec names = {0};
	struct dirent *e;
	while ((e = readdir(d)))
		vec_push(&names, arena_strdup(e->d_name));
	closedir(d);
	/* a stable order: messages and -p1 output must not depend on readdir */
	vec_sort_strings(&names);
	for (int i = 0; i < names.len; i++) {
		const char *name = names.items[i];
		size_t len = strlen(name);
		bool is_stpm = len > 5 && strcmp(name + len - 5, ".stpm") == 0;
		bool is_stp = len > 4 && strcmp(name + len - 4, ".stp") == 0;
		if (macros_only ? !is_stpm : !is_stp)
			continue;
		found++;
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
	if (s->pass_verbose[0] > 1)	/* SystemTap's words */
		fprintf(stderr, "Searched%s: \"%s\", found: %d, processed: %d\n",
			macros_only ? " for library macro files" : "", dir, found, count);
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

/* The script, then each -E SCRIPT, named <input1>, <input2> ... as in SystemTap */
static Vec user_scripts(Session *s)
{
	Vec files = {0};
	SrcFile *user;
	if (s->script_text) {
		user = arena_alloc(sizeof(*user));
		user->name = "<input>";
		user->text = s->script_text;
		user->len = strlen(s->script_text);
	} else {
		user = read_source(s->script_file, false);
		if (!user)
			fatal("cannot read script '%s': %s", s->script_file, strerror(errno));
	}
	vec_push(&files, user);
	for (int i = 0; i < s->extra_scripts.len; i++) {
		SrcFile *f = arena_alloc(sizeof(*f));
		f->name = arena_printf("<input%d>", i + 1);
		f->text = s->extra_scripts.items[i];
		f->len = strlen(f->text);
		vec_push(&files, f);
	}
	return files;
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

/*
 * The program holds the library's macro files, the user's scripts, then
 * the library's scripts.  No script sees another's @define macros, so the
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
	/* argv.stp reads every argument: only the user's scripts count as using one */
	memset(preproc_env.arg_used, 0, sizeof(bool) * (s->script_args.len + 1));
	fuzz_fork_point();

	Vec users = user_scripts(s);
	name_module(s, &users);
	for (int i = 0; i < users.len; i++) {
		SrcFile *user = users.items[i];
		vec_push(&s->prog.files, user);
		ParseResult r = {0};
		parse_file(user, &r);
		add_parse_result(&s->prog, &r);
	}
	preproc_check_args();
	append_program(&s->prog, &lib);
	for (int i = 0; i < s->prog.files.len; i++)
		((SrcFile *)s->prog.files.items[i])->index = i;

	if (error_count)
		exit(failed(s, "Pass 1: parse failed."));
	pass_end(s, 1, arena_printf("parsed user script and %d library scripts", nlib));
	if (s->last_pass == 1) {
		dump_program(stdout, &s->prog, true);
		exit(0);
	}
}

/* ---- main ---- */

/*
 * --runtime=bpf: the BPF back end translates the checked program (its
 * refusals are pass-2 errors), then loads and runs it here (bpf_load.c).
 */
static int bpf_passes(Session *s)
{
	BpfProgram *bp = bpf_compile(s);
	if (!bp)
		return failed(s, "Pass 2: analysis failed.");
	if (s->last_pass == 2) {
		dump_elaborated(stdout, s);
		return 0;
	}
	if (s->last_pass == 3) {
		bpf_dump(stdout, bp);
		return 0;
	}
	struct utsname u;
	uname(&u);
	if (s->use_vm)
		fatal("--runtime=bpf runs on this machine's kernel (%s); it does not run in the "
		      "VM yet: drop --vm, or --bpf", u.release);
	if (strcmp(u.release, s->kernel_release) != 0)
		fatal("--runtime=bpf runs on this machine's kernel (%s), not %s: drop -r",
		      u.release, s->kernel_release);
	return bpf_run(s, bp);
}

/* A pass failed: say so, and which kernel was the target if stap chose it. */
static int failed(Session *s, const char *what)
{
	fprintf(stderr, "%s\n", what);
	if (s->host_kernel_note)
		fprintf(stderr, "%s\n", s->host_kernel_note);
	return 1;
}

/* -vv: each probe point as resolved, and what it was written as */
static void show_derived(Session *s)
{
	for (int i = 0; i < s->derived.len; i++) {
		DerivedProbe *d = s->derived.items[i];
		Buf b = {0};
		buf_puts(&b, "");
		if (d->point)
			dump_probe_point(&b, d->point);
		fprintf(stderr, "derived probe %s from %s at %s:%d:%d\n", d->pp, b.s,
			d->probe->loc.file ? d->probe->loc.file->name : "?", d->probe->loc.line,
			d->probe->loc.col);
	}
}

static int pass2(Session *s)
{
	pass_begin();
	if (s->bpf)
		bpf_use_families();
	if (!resolve_program(&s->prog, s) || !infer_types(&s->prog, s) ||
	    (!s->no_global_display && !add_global_display(&s->prog, s)) || error_count)
		return failed(s, "Pass 2: analysis failed.");
	elide_dead_stores(&s->prog, s);
	if (s->ldd)
		add_ldd_libraries(s);
	if (s->pass_verbose[1] > 1)
		show_derived(s);
	Program *p = &s->prog;
	pass_end(s, 2, arena_printf("analyzed script: %d probe%s, %d function%s, %d embed%s, "
				    "%d global%s", s->derived.len, s->derived.len == 1 ? "" : "s",
				    p->funcs.len, p->funcs.len == 1 ? "" : "s", p->embedded.len,
				    p->embedded.len == 1 ? "" : "s", p->globals.len,
				    p->globals.len == 1 ? "" : "s"));
	return 0;
}

/* --dump-probe-aliases, --dump-functions */
static int dump_library(Session *s)
{
	pass1(s);
	if (s->dump == DUMP_PROBE_ALIASES) {
		dump_probe_aliases(stdout, &s->prog);
		return 0;
	}
	s->unoptimized = true;	/* resolve.c takes every tapset file */
	if (!resolve_program(&s->prog, s) || !infer_types(&s->prog, s) || error_count)
		return failed(s, "Pass 2: analysis failed.");
	dump_functions(stdout, &s->prog);
	return 0;
}

int main(int argc, char **argv)
{
	Session *s = &session;
	parse_args(s, argc, argv);
	find_dirs(s);
	if (s->example)
		s->script_file = example_path(s, s->script_file);
	if (s->last_pass == 5 && !s->use_vm && !s->bpf && !host_loads_modules()) {
		/* say it before any work, not after a build that cannot be used here */
		struct utsname u;
		uname(&u);
		fatal("this kernel (%s) cannot load modules (it has no CONFIG_MODULES): run the "
		      "script in a virtual machine with --vm, or here as BPF programs with --bpf",
		      u.release);
	}
	if (s->dump == DUMP_PROBE_TYPES) {	/* no kernel, no script */
		dump_probe_types(stdout);
		return 0;
	}
	setup_kernel(s);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	if (cache_mode == CACHE_DISABLED) {
		make_tmp_dir(s);
		cache_private_dir = arena_printf("%s/cache", s->tmp_dir);
	}
	if (s->dump)
		return dump_library(s);

	pass1(s);
	if (s->list_pattern) {
		int rc = list_probes(&s->prog, s, s->list_vars);
		if (rc && s->host_kernel_note)
			fprintf(stderr, "%s\n", s->host_kernel_note);
		return rc;
	}

	if (pass2(s))
		return 1;
	if (s->bpf)
		return bpf_passes(s);
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
	if (!ok || error_count)
		return failed(s, "Pass 3: translation failed.");
	pass_end(s, 3, "translated to C");
	if (s->last_pass == 3)
		return 0;

	pass_begin();
	if (!build_module(s))
		return failed(s, "Pass 4: compilation failed.");
	if (s->ko_cached && s->pass_verbose[3])	/* SystemTap's words */
		fprintf(stderr, "Pass 4: using cached %s\n", s->ko_cached);
	else
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
