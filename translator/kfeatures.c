/*
 * kfeatures.c - what the target kernel offers the runtime, found by
 * compiling small tests against its headers.
 *
 * Kernels change their internal interfaces, even inside a stable series
 * (Debian's 6.1.192 renamed task_work_cancel), so the runtime never
 * trusts a version number.  Each runtime/features/NAME.c (or NAME.S)
 * compiles only on a kernel that has what its header comment describes,
 * and becomes STP_HAVE_NAME in stp_features.h, which stp.h includes.
 * The tests run once per kernel, with the runtime's first build for it,
 * all in one make (a few seconds); the header is kept with the runtime's
 * objects in the cache entry, and build.c hashes the tests into the
 * entry's key.
 *
 * Some mechanisms the runtime cannot do without: kneeds[] names, for
 * each, the features of which the kernel must have one.  A kernel with
 * none of them, or on which the runtime still does not compile, is one
 * this stap does not know yet: stap says so in one message that names the
 * kernel and what is missing, not with the C compiler's output.
 */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "stap.h"

#define KNEED_ALTERNATIVES 3

/* A mechanism, and the features (runtime/features/NAME) that provide it. */
struct kneed {
	const char *what;
	const char *features[KNEED_ALTERNATIVES];
};

static const struct kneed kneeds[] = {
	{ "uprobe registration (uprobe_register)",
	  { "uprobe_register_uprobe", "uprobe_register_inode" } },
	{ "uprobe handlers (struct uprobe_consumer)", { "uprobe_consumer_handlers" } },
	{ "kretprobes with per-call data (get_kretprobe)", { "kretprobe_get" } },
	{ "tracepoint registration (tracepoint_probe_register)", { "tracepoint_probe_register" } },
	{ "/proc files (struct proc_ops)", { "proc_ops" } },
	{ "hrtimers (hrtimer_setup or hrtimer_init)", { "hrtimer_setup", "hrtimer_init" } },
};

static const char *features_dir(Session *s)
{
	return arena_printf("%s/features", s->runtime_dir);
}

static bool is_feature_test(const char *name)
{
	size_t n = strlen(name);
	return n > 2 && name[n - 2] == '.' && (name[n - 1] == 'c' || name[n - 1] == 'S');
}

/* The tests' file names (NAME.c, NAME.S), sorted. */
static Vec feature_files(Session *s)
{
	Vec names = {0};
	DIR *d = opendir(features_dir(s));
	if (!d)
		fatal("cannot read the kernel feature tests in %s: %s", features_dir(s),
		      strerror(errno));
	struct dirent *e;
	while ((e = readdir(d)))
		if (is_feature_test(e->d_name))
			vec_push(&names, arena_strdup(e->d_name));
	closedir(d);
	vec_sort_strings(&names);
	return names;
}

/* "uprobe_register_inode.c" -> "uprobe_register_inode" */
static const char *feature_name(const char *file)
{
	return arena_strndup(file, strlen(file) - 2);
}

/* "uprobe_register_inode" -> "STP_HAVE_UPROBE_REGISTER_INODE" */
static const char *feature_macro(const char *name)
{
	char *m = arena_printf("STP_HAVE_%s", name);
	for (char *p = m; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
	return m;
}

uint64_t kfeatures_hash(Session *s, uint64_t h)
{
	Vec files = feature_files(s);
	for (int i = 0; i < files.len; i++) {
		for (const char *p = files.items[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = hash_file(arena_printf("%s/%s", features_dir(s), (char *)files.items[i]), h);
	}
	return h;
}

/* Compiles every test in dir, in one make that goes on past failures. */
static void compile_tests(Session *s, const char *dir, Vec files, const char *log)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	Vec argv = {0};
	vec_push(&argv, "make");
	vec_push(&argv, "-s");
	vec_push(&argv, "-k");
	vec_push(&argv, arena_printf("-j%ld", cpus > 0 ? cpus : 1));
	vec_push(&argv, "-C");
	vec_push(&argv, (void *)s->build_dir);
	vec_push(&argv, arena_printf("M=%s", dir));
	for (int i = 0; i < files.len; i++)
		vec_push(&argv, arena_printf("%s.o", feature_name(files.items[i])));
	vec_push(&argv, NULL);
	run_logged((char *const *)argv.items, dir, log);	/* failures are answers */
}

static bool has_feature(Vec names, bool *have, const char *name)
{
	for (int i = 0; i < names.len; i++)
		if (strcmp(names.items[i], name) == 0)
			return have[i];
	fatal("internal error: kneeds[] names %s, which has no test in runtime/features", name);
}

/* The first mechanism the kernel has no form of, or NULL. */
static const struct kneed *missing_need(Vec names, bool *have)
{
	for (size_t i = 0; i < ARRAY_SIZE(kneeds); i++) {
		bool any = false;
		for (int k = 0; k < KNEED_ALTERNATIVES && kneeds[i].features[k]; k++)
			any |= has_feature(names, have, kneeds[i].features[k]);
		if (!any)
			return &kneeds[i];
	}
	return NULL;
}

static const char *alternatives_text(const struct kneed *n)
{
	Buf b = {0};
	for (int k = 0; k < KNEED_ALTERNATIVES && n->features[k]; k++)
		buf_printf(&b, "%sruntime/features/%s", k ? " or " : "", n->features[k]);
	return b.s;
}

static bool write_header(Session *s, const char *path, Vec names, bool *have)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "/* what kernel %s offers, by stap's feature tests (runtime/features) */\n",
		s->kernel_release);
	for (int i = 0; i < names.len; i++) {
		const char *m = feature_macro(names.items[i]);
		if (have[i])
			fprintf(f, "#define %s 1\n", m);
		else
			fprintf(f, "/* #undef %s */\n", m);
	}
	return fclose(f) == 0;
}

bool kfeatures_detect(Session *s, const char *work, const char *log)
{
	Vec files = feature_files(s);
	const char *dir = arena_printf("%s/features", work);
	if (mkdir(dir, 0755) != 0)
		fatal("cannot create %s: %s", dir, strerror(errno));
	for (int i = 0; i < files.len; i++) {
		const char *from = arena_printf("%s/%s", features_dir(s), (char *)files.items[i]);
		if (!copy_file(from, arena_printf("%s/%s", dir, (char *)files.items[i])))
			fatal("cannot copy %s: %s", from, strerror(errno));
	}
	/* warnings are failures: a test must compile as the runtime would */
	FILE *kbuild = fopen(arena_printf("%s/Kbuild", dir), "w");
	if (!kbuild || fputs("ccflags-y := -Werror\n", kbuild) < 0 || fclose(kbuild) != 0)
		fatal("cannot write %s/Kbuild: %s", dir, strerror(errno));
	/* their own log: a test that fails is an answer, not an error to report */
	const char *tests_log = arena_printf("%s/tests.log", dir);
	compile_tests(s, dir, files, tests_log);

	Vec names = {0};
	bool *have = arena_alloc(sizeof(bool) * (files.len + 1));
	int found = 0;
	for (int i = 0; i < files.len; i++) {
		vec_push(&names, (void *)feature_name(files.items[i]));
		have[i] = access(arena_printf("%s/%s.o", dir, (char *)names.items[i]), R_OK) == 0;
		found += have[i];
	}
	if (s->pass_verbose[3])
		fprintf(stderr, "Kernel feature tests for %s: %d of %d present\n",
			s->kernel_release, found, files.len);
	/* the tests' objects and log stay only when something is missing */
	if (!found || missing_need(names, have))
		copy_file(tests_log, log);
	else
		remove_dir_tree(dir);
	if (!found) {
		fprintf(stderr, "stap: error: nothing compiles against the headers of kernel %s "
			"(%s): is its compiler installed?\n", s->kernel_release, s->build_dir);
		return false;
	}
	const struct kneed *n = missing_need(names, have);
	if (n) {
		fprintf(stderr, "stap: error: kernel %s is not supported yet: it has no form of %s "
			"that the runtime knows (the feature test %s fails)\n",
			s->kernel_release, n->what, alternatives_text(n));
		return false;
	}
	if (!write_header(s, arena_printf("%s/stp_features.h", work), names, have))
		fatal("cannot write %s/stp_features.h: %s", work, strerror(errno));
	return true;
}

/*
 * "/home/u/.cache/stap/build-x/uprobe.c:250:14: error: too few ..."
 * -> file "uprobe.c", message "too few ..."; false for other lines.
 */
static bool compiler_error(const char *line, const char **file, const char **msg)
{
	/* the compiler's, a missing header's, the assembler's */
	static const char *const markers[] = { ": error: ", ": fatal error: ", ": Error: " };
	const char *e = NULL, *marker = NULL;
	for (size_t i = 0; !e && i < ARRAY_SIZE(markers); i++) {
		marker = markers[i];
		e = strstr(line, marker);
	}
	if (!e)
		return false;
	const char *colon = memchr(line, ':', e - line);
	if (!colon)
		return false;
	const char *base = colon;
	while (base > line && base[-1] != '/')
		base--;
	*file = arena_strndup(base, colon - base);
	*msg = arena_strndup(e + strlen(marker), strcspn(e + strlen(marker), "\n"));
	return true;
}

void kfeatures_explain_failure(Session *s, const char *log)
{
	fprintf(stderr, "stap: error: the runtime does not compile for kernel %s: a kernel "
		"this stap does not support yet, or a bug in stap:\n", s->kernel_release);
	FILE *f = fopen(log, "r");
	char line[4096];
	Vec seen = {0};
	while (f && fgets(line, sizeof(line), f)) {
		const char *file, *msg;
		if (!compiler_error(line, &file, &msg))
			continue;
		bool dup = false;
		for (int i = 0; i < seen.len; i++)
			dup |= strcmp(seen.items[i], file) == 0;
		if (dup)
			continue;
		vec_push(&seen, (void *)file);
		fprintf(stderr, "  runtime/%s: %s\n", file, msg);
	}
	if (f)
		fclose(f);
	if (!seen.len)
		fprintf(stderr, "  (no compiler error in the log: kbuild or the archiver failed)\n");
}
