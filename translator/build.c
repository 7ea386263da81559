/*
 * build.c - pass 4: the module's C becomes a .ko through kbuild.
 *
 * The runtime (the .c and .S files in runtime/) is the same for every
 * script, so it is compiled once per kernel and kept in a cache directory
 * (~/.cache/stap/runtime-RELEASE-HASH/): module.c's object, which every
 * module needs (module init and exit), and an archive of all the others,
 * stp-runtime.a.  Both are linked into each module as prebuilt objects; a
 * script's build then compiles only its own C file.  The linker takes from
 * the archive only the files that define what the module refers to, and
 * what those refer to in turn, so a hello world carries no uprobe, perf or
 * regex code.  The cache key hashes the runtime's sources and the kernel
 * build tree, so a changed runtime or kernel rebuilds it.
 *
 * With them the entry holds the headers the module's C includes:
 * stapconf.h (SystemTap's STAPCONF_* feature tests, for embedded C) and
 * stp_features.h (the kernel feature tests, kfeatures.c).  A MANIFEST
 * holds the SHA-256 digests of all four.  Each file is read once into
 * memory through cache.c's checks (no symbolic link, a regular file of
 * the user's that no one else may write), checked against the manifest,
 * and written from memory into the module's directory: what is checked is
 * what is compiled and linked.  Pruning old entries, --clean-cache and
 * removing failed builds never follow a symbolic link.
 *
 * A module built before with the same inputs comes from modcache.c's
 * cache instead of kbuild, and a module built here is kept there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "stap.h"

bool copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY);
	if (in < 0)
		return false;
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		close(in);
		return false;
	}
	char buf[65536];
	ssize_t n;
	bool ok = true;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			ok = false;
	if (n < 0)
		ok = false;
	close(in);
	if (close(out) != 0)
		ok = false;
	return ok;
}

static bool write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

/* FNV-1a over a file's bytes, from h (cache keys) */
uint64_t hash_file(const char *path, uint64_t h)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return h;
	int c;
	while ((c = getc(f)) != EOF)
		h = (h ^ (unsigned char)c) * 1099511628211ull;
	fclose(f);
	return h;
}

static uint64_t hash_str(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The runtime's source files, sorted: *.c compile, *.h are hashed too. */
static Vec runtime_files(Session *s)
{
	Vec names = {0};
	DIR *d = opendir(s->runtime_dir);
	if (!d)
		fatal("cannot read the runtime directory %s: %s", s->runtime_dir, strerror(errno));
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 2 && e->d_name[n - 2] == '.' &&
		    (e->d_name[n - 1] == 'c' || e->d_name[n - 1] == 'h' || e->d_name[n - 1] == 'S'))
			vec_push(&names, arena_strdup(e->d_name));
	}
	closedir(d);
	vec_sort_strings(&names);
	return names;
}

const char *kernel_build_dir(const char *release, bool *ok)
{
	const char *dir = arena_printf("/lib/modules/%s/build", release);
	*ok = access(arena_printf("%s/Makefile", dir), R_OK) == 0;
	return dir;
}

/* A runtime file that becomes an object: C or assembler, not a header. */
static bool compiled(const char *name)
{
	size_t n = strlen(name);
	return n > 2 && name[n - 2] == '.' && (name[n - 1] == 'c' || name[n - 1] == 'S');
}

/* Runs argv (NULL-terminated) in dir; its output goes to log, appended. */
bool run_logged(char *const argv[], const char *dir, const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		if (chdir(dir) != 0) {
			perror(dir);
			_exit(127);
		}
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fatal("waitpid: %s", strerror(errno));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * Runs make in the kernel tree for the module directory; the module's
 * build (not the cached runtime's) gets -B's NAME=VALUEs.
 */
static bool run_kbuild(Session *s, const char *dir, const char *target, const char *log,
		       bool with_user_args)
{
	const char *fixed[] = { "make", "-s", "-j2", "-C", s->build_dir,
				arena_printf("M=%s", dir) };
	Vec argv = {0};
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		vec_push(&argv, (void *)fixed[i]);
	for (int i = 0; with_user_args && i < s->make_args.len; i++)
		vec_push(&argv, s->make_args.items[i]);
	vec_push(&argv, (void *)target);
	vec_push(&argv, NULL);
	if (s->pass_verbose[3] > 1) {
		fprintf(stderr, "Running");
		for (int i = 0; i < argv.len - 1; i++)
			fprintf(stderr, " %s", (char *)argv.items[i]);
		fprintf(stderr, "\n");
	}
	return run_logged((char *const *)argv.items, dir, log);
}

/*
 * Archives the compiled runtime files other than module.c's into
 * stp-runtime.a, with the symbol index the linker pulls members by
 * (D: no dates or owners, so the same objects make the same archive).
 */
static bool archive_runtime(Vec files, const char *work, const char *log)
{
	Vec argv = {0};
	vec_push(&argv, "ar");
	vec_push(&argv, "crsD");
	vec_push(&argv, "stp-runtime.a");
	for (int i = 0; i < files.len; i++) {
		const char *name = files.items[i];
		size_t n = strlen(name);
		if (compiled(name) && strcmp(name, "module.c") != 0)
			vec_push(&argv, arena_printf("%.*s.o", (int)(n - 2), name));
	}
	vec_push(&argv, NULL);
	return run_logged((char *const *)argv.items, work, log);
}

/* Prints the compiler's complaints (errors and warnings) from a kbuild log. */
static int show_log_problems(const char *log, int max)
{
	FILE *f = fopen(log, "r");
	if (!f)
		return 0;
	char line[4096];
	int shown = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "error") && !strstr(line, "warning") && !strstr(line, "ERROR"))
			continue;
		if (strstr(line, "Skipping BTF generation"))
			continue;
		if (shown++ < max)
			fprintf(stderr, "  %s", line);
	}
	fclose(f);
	return shown;
}

static void remove_tree(const char *path)
{
	remove_tree_at(AT_FDCWD, path, 0);
}

/* what a cache entry holds: a stap that expects other files must not share it */
#define RUNTIME_CACHE_LAYOUT "module.o stp-runtime.a stapconf.h stp_features.h MANIFEST(sha256)"

#define CACHE_KEEP 4	/* runtime builds kept per kernel: a few stap versions side by side */

typedef struct CacheEntry {
	const char *name;
	time_t mtime;
} CacheEntry;

/* The directory at path, opened without following a link; NULL if it cannot be. */
static DIR *open_dir_nofollow(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d && fd >= 0)
		close(fd);
	return d;
}

/*
 * Removes all but the CACHE_KEEP most recently used runtime builds for
 * release: only directories of ours, looked at and removed without
 * following a symbolic link.  Returns how many it removed.
 */
int prune_runtime_cache(const char *root, const char *release)
{
	int removed = 0;
	const char *prefix = arena_printf("runtime-%s-", release);
	DIR *d = open_dir_nofollow(root);
	if (!d)
		return 0;
	int rootfd = dirfd(d);
	Vec entries = {0};
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
		    fstatat(rootfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		CacheEntry *c = arena_alloc(sizeof(*c));
		c->name = arena_strdup(e->d_name);
		c->mtime = st.st_mtime;
		vec_push(&entries, c);
	}
	while (entries.len > CACHE_KEEP) {
		int oldest = 0;
		for (int i = 1; i < entries.len; i++)
			if (((CacheEntry *)entries.items[i])->mtime <
			    ((CacheEntry *)entries.items[oldest])->mtime)
				oldest = i;
		remove_tree_at(rootfd, ((CacheEntry *)entries.items[oldest])->name, 0);
		entries.items[oldest] = entries.items[--entries.len];
		removed++;
	}
	closedir(d);
	return removed;
}

/* A day old: no stap run still works on it. */
static bool is_stale(int rootfd, const char *name)
{
	struct stat st;
	return fstatat(rootfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       time(NULL) - st.st_mtime > 24 * 3600;
}

/* "runtime-6.1.0-57-cloud-amd64-0123456789abcdef" -> its release */
static const char *runtime_release(const char *name)
{
	size_t n = strlen(name);
	if (strncmp(name, "runtime-", 8) != 0 || n < 8 + 1 + 17 || name[n - 17] != '-')
		return NULL;
	return arena_strndup(name + 8, n - 8 - 17);
}

/*
 * What a crashed or killed stap left (build-XXXXXX directories, half
 * written DWARF indexes, a failed build's log), then the runtime builds
 * past the few kept per kernel, then the least recently used modules
 * past cache_mb_limit (modcache.c); all removed without following a link.
 */
int clean_cache(void)
{
	const char *root = stap_cache_root();
	if (!root)
		return 0;
	DIR *d = open_dir_nofollow(root);
	if (!d)
		return 0;
	int rootfd = dirfd(d);
	int removed = 0;
	Vec releases = {0};
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *name = e->d_name;
		bool leftover = !strncmp(name, "build-", 6) ||
				(!strncmp(name, "dwarf-", 6) && strstr(name, ".idx.")) ||
				(!strncmp(name, "btf-", 4) && strstr(name, ".btf.")) ||
				!strcmp(name, "runtime-failed.log");
		if (leftover && is_stale(rootfd, name)) {
			remove_tree_at(rootfd, name, 0);
			removed++;
		}
		const char *rel = runtime_release(name);
		bool seen = false;
		for (int i = 0; rel && i < releases.len; i++)
			seen |= strcmp(releases.items[i], rel) == 0;
		if (rel && !seen)
			vec_push(&releases, (void *)rel);
	}
	closedir(d);
	for (int i = 0; i < releases.len; i++)
		removed += prune_runtime_cache(root, releases.items[i]);
	return removed + modcache_prune(root);
}

/* runtime/stapconf/NAME.c: SystemTap's kernel feature tests, sorted */
static Vec stapconf_tests(Session *s)
{
	Vec names = {0};
	DIR *d = opendir(arena_printf("%s/stapconf", s->runtime_dir));
	if (!d)
		return names;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 2 && strcmp(e->d_name + n - 2, ".c") == 0)
			vec_push(&names, arena_strndup(e->d_name, n - 2));
	}
	closedir(d);
	vec_sort_strings(&names);
	return names;
}

/*
 * stapconf.h in work: STAPCONF_NAME for each stapconf test that compiles
 * against this kernel (runtime/stapconf/README).  All are compiled in one
 * kbuild run that goes on past the failures (make -k); a failure is an
 * answer, not an error.
 */
static bool write_stapconf(Session *s, const char *work)
{
	Vec tests = stapconf_tests(s);
	const char *dir = arena_printf("%s/stapconf", work);
	Buf kbuild = {0}, h = {0};
	if (mkdir(dir, 0755) != 0)
		return false;
	buf_puts(&kbuild, "# SystemTap's kernel feature tests: which compile?\nobj-m :=");
	for (int i = 0; i < tests.len; i++) {
		const char *name = tests.items[i];
		const char *from = arena_printf("%s/stapconf/%s.c", s->runtime_dir, name);
		if (!copy_file(from, arena_printf("%s/%s.c", dir, name))) {
			remove_tree(dir);
			return false;
		}
		buf_printf(&kbuild, " %s.o", name);
	}
	buf_puts(&kbuild, "\nccflags-y := -Werror=implicit-function-declaration "
		 "-Werror=incompatible-pointer-types\n");
	const char *argv[] = { "make", "-s", "-k", "-j2", "-C", s->build_dir,
			       arena_printf("M=%s", dir), "modules", NULL };
	if (tests.len && write_text(arena_printf("%s/Kbuild", dir), kbuild.s))
		run_logged((char *const *)argv, dir, arena_printf("%s/build.log", dir));
	buf_puts(&h, "/* SystemTap's kernel feature tests (runtime/stapconf) that compile */\n");
	for (int i = 0; i < tests.len; i++) {
		const char *name = tests.items[i];
		if (access(arena_printf("%s/%s.o", dir, name), R_OK) != 0)
			continue;
		buf_puts(&h, "#define STAPCONF_");
		for (const char *c = name; *c; c++)
			buf_printf(&h, "%c", *c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
		buf_puts(&h, " 1\n");
	}
	remove_tree(dir);
	return write_text(arena_printf("%s/stapconf.h", work), h.s);
}

/*
 * What a runtime build leaves for modules: the objects they link, and the
 * headers their C includes (embedded C's stapconf.h, the kernel features'
 * stp_features.h).  Every one is in the MANIFEST, read through cache.c's
 * checks and used only as the checked bytes.
 */
enum { RT_MODULE_O, RT_ARCHIVE, RT_STAPCONF, RT_FEATURES, RT_NPARTS };
static const char *const runtime_parts[RT_NPARTS] = {
	"module.o", "stp-runtime.a", "stapconf.h", "stp_features.h"
};

/* The parts every module uses, as read (and checked) from the cache. */
typedef struct RuntimeObjs {
	char *data[RT_NPARTS];
	size_t len[RT_NPARTS];
} RuntimeObjs;

static bool is_runtime_part(const char *name)
{
	for (int i = 0; i < RT_NPARTS; i++)
		if (!strcmp(name, runtime_parts[i]))
			return true;
	return false;
}

/*
 * Reads the parts of a runtime build in dir and checks them against its
 * MANIFEST (when check_manifest).  false with *why NULL: there is no
 * such entry; with *why set: there is one, and it cannot be used.
 */
static bool read_runtime(const char *dir, bool check_manifest, RuntimeObjs *o, const char **why)
{
	return cache_read_entry(dir, runtime_parts, RT_NPARTS, check_manifest, o->data, o->len, why);
}

/* Leaves only the parts in a finished runtime build, and writes their MANIFEST. */
static bool seal_runtime(const char *work)
{
	RuntimeObjs o;
	const char *why;
	if (!read_runtime(work, false, &o, &why))
		return false;
	DIR *d = opendir(work);
	if (!d)
		return false;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !is_runtime_part(e->d_name))
			remove_tree_at(dirfd(d), e->d_name, 0);
	closedir(d);
	Buf manifest = {0};
	for (int i = 0; i < RT_NPARTS; i++)
		buf_puts(&manifest, cache_manifest_line(runtime_parts[i], o.data[i], o.len[i]));
	return cache_write(arena_printf("%s/MANIFEST", work), manifest.s, manifest.len);
}

/* Keeps a failed build's log in the cache for the user, as a new file of ours. */
static void keep_failed_log(const char *log, const char *kept)
{
	size_t len;
	const char *why;
	char *text = cache_read(log, &len, &why);
	unlink(kept);
	int fd = text ? open(kept, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
	if (fd < 0)
		return;
	if (write(fd, text, len) != (ssize_t)len)
		fprintf(stderr, "stap: cannot write %s\n", kept);
	close(fd);
}

/*
 * Compiles the runtime for this kernel in the new directory work: first
 * the kernel feature tests (stp_features.h), then the .c and .S files of
 * runtime/ become module.o and stp-runtime.a, then the stapconf tests
 * (stapconf.h).  false after saying why.
 */
static bool compile_runtime(Session *s, Vec files, const char *work, const char *failed_log)
{
	Buf kbuild = {0};
	/*
	 * kbuild compiles the files as parts of one module, as they will be
	 * (-DMODULE); linking that module also checks that no two files
	 * define the same symbol.  Modules link the parts, from the archive.
	 */
	buf_puts(&kbuild, "# the stap runtime, compiled once for this kernel\n");
	buf_puts(&kbuild, "obj-m := stp_runtime.o\nstp_runtime-y :=");
	for (int i = 0; i < files.len; i++) {
		const char *name = files.items[i];
		const char *from = arena_printf("%s/%s", s->runtime_dir, name);
		if (!copy_file(from, arena_printf("%s/%s", work, name)))
			fatal("cannot copy %s: %s", from, strerror(errno));
		size_t n = strlen(name);
		if (compiled(name))
			buf_printf(&kbuild, " %.*s.o", (int)(n - 2), name);
	}
	buf_printf(&kbuild, "\nccflags-y := -I%s -Werror\n", work);
	if (!write_text(arena_printf("%s/Kbuild", work), kbuild.s))
		fatal("cannot write %s/Kbuild: %s", work, strerror(errno));
	const char *log = arena_printf("%s/build.log", work);
	/* stp_features.h first: the runtime's #ifs follow the kernel's features */
	bool ok = kfeatures_detect(s, work, log);
	if (ok && (!run_kbuild(s, work, "stp_runtime.o", log, false) ||
		   !archive_runtime(files, work, log) || !write_stapconf(s, work))) {
		kfeatures_explain_failure(s, log);
		ok = false;
	}
	if (ok)
		return true;
	if (failed_log) {
		keep_failed_log(log, failed_log);
		log = failed_log;
	}
	fprintf(stderr, "stap: the full log is %s\n", log);
	return false;
}

/*
 * The cache entry's name: a hash of the runtime's sources, the stapconf
 * and kernel feature tests, and the kernel tree.
 */
static const char *runtime_key(Session *s, Vec files)
{
	char real_build[PATH_MAX];
	if (!realpath(s->build_dir, real_build))
		snprintf(real_build, sizeof(real_build), "%s", s->build_dir);
	uint64_t h = hash_str(real_build, 1469598103934665603ull);
	h = hash_str(s->kernel_release, h);
	h = hash_str(RUNTIME_CACHE_LAYOUT, h);
	for (int i = 0; i < files.len; i++) {
		h = hash_str(files.items[i], h);
		h = hash_file(arena_printf("%s/%s", s->runtime_dir, (char *)files.items[i]), h);
	}
	Vec tests = stapconf_tests(s);
	for (int i = 0; i < tests.len; i++) {
		h = hash_str(tests.items[i], h);
		h = hash_file(arena_printf("%s/stapconf/%s.c", s->runtime_dir,
					   (char *)tests.items[i]), h);
	}
	h = kfeatures_hash(s, h);
	return arena_printf("runtime-%s-%016llx", s->kernel_release, (unsigned long long)h);
}

/* Without a cache (no home directory): the runtime is built in the session's directory. */
static bool uncached_runtime(Session *s, Vec files, RuntimeObjs *o)
{
	const char *work = arena_printf("%s/runtime", s->tmp_dir);
	const char *why;
	if (mkdir(work, 0700) != 0)
		fatal("cannot create %s: %s", work, strerror(errno));
	if (!compile_runtime(s, files, work, NULL))
		return false;
	if (!read_runtime(work, false, o, &why))
		fatal("cannot read the runtime built in %s: %s", work, why ? why : "missing");
	return true;
}

/*
 * The runtime for this kernel, from the cache entry for it, built on
 * first use (module.o and stp-runtime.a are what modules link, stapconf.h
 * and stp_features.h what their C includes).  It is built in a private
 * directory and renamed into place, so that concurrent stap runs never
 * see a half-written cache entry; an entry that fails its checks is built
 * again, and so is one --poison-cache says not to read.
 */
static bool runtime_objects(Session *s, Vec files, const char *name, RuntimeObjs *o)
{
	const char *root = stap_cache_root();
	if (!root)
		return uncached_runtime(s, files, o);
	const char *dir = arena_printf("%s/%s", root, name);
	const char *why = NULL;
	if (cache_readable() && read_runtime(dir, true, o, &why)) {
		/* recently used: pruning keeps it */
		utimensat(AT_FDCWD, dir, NULL, AT_SYMLINK_NOFOLLOW);
		return true;
	}
	if (why) {
		warn_plain("the cached runtime %s cannot be used (%s): building it again", dir, why);
		remove_tree(dir);
	}

	if (s->pass_verbose[3])
		fprintf(stderr, "Building the runtime for %s once, into %s\n", s->kernel_release, dir);
	char *work = arena_printf("%s/build-XXXXXX", root);
	if (!mkdtemp(work))
		fatal("cannot create %s: %s", work, strerror(errno));
	if (!compile_runtime(s, files, work, arena_printf("%s/runtime-failed.log", root))) {
		remove_tree(work);
		return false;
	}
	if (!seal_runtime(work))
		fatal("cannot finish the runtime build in %s: %s", work, strerror(errno));
	if (!cache_readable())
		remove_tree(dir);	/* --poison-cache: this build replaces it */
	/* publish: rename the finished directory into its final name */
	if (rename(work, dir) != 0)
		remove_tree(work);	/* another stap got there first */
	if (!read_runtime(dir, true, o, &why))
		fatal("cannot use the runtime built in %s: %s", dir, why ? why : strerror(errno));
	prune_runtime_cache(root, s->kernel_release);
	return true;
}

/*
 * Writes a runtime object into the module's directory as kbuild's
 * prebuilt NAME_shipped, with the .cmd file modpost reads for every
 * object of a module.
 */
static void ship(const char *data, size_t len, const char *dir, const char *name)
{
	const char *to = arena_printf("%s/%s_shipped", dir, name);
	if (!cache_write(to, data, len))
		fatal("cannot write the runtime object %s: %s", to, strerror(errno));
	if (!write_text(arena_printf("%s/.%s.cmd", dir, name),
			arena_printf("cmd_%s/%s := prebuilt stap runtime\n", dir, name)))
		fatal("cannot write %s/.%s.cmd: %s", dir, name, strerror(errno));
}

bool build_module(Session *s)
{
	if (access(arena_printf("%s/Makefile", s->build_dir), R_OK) != 0) {
		if (strchr(s->kernel_release, '/') || access(s->build_dir, F_OK) == 0)
			error_plain(NULL, "%s is not a kernel build tree (no Makefile)", s->build_dir);
		else
			error_plain(NULL, "no kernel build tree for %s at %s: install it with "
				    "'apt-get install linux-headers-%s'", s->kernel_release,
				    s->build_dir, s->kernel_release);
		return false;
	}
	Vec files = runtime_files(s);
	const char *runtime_entry = runtime_key(s, files);
	if (modcache_fetch(s, runtime_entry))
		return true;
	RuntimeObjs rt;
	if (!runtime_objects(s, files, runtime_entry, &rt))
		return false;
	const char *dir = s->tmp_dir;
	const char *name = s->module_name;
	/* '-' is in no module name: these never clash with NAME.o */
	ship(rt.data[RT_MODULE_O], rt.len[RT_MODULE_O], dir, "stp-module.o");
	ship(rt.data[RT_ARCHIVE], rt.len[RT_ARCHIVE], dir, "stp-runtime.a");
	/* the headers too: the module's C includes the checked bytes, not the entry */
	for (int i = RT_STAPCONF; i <= RT_FEATURES; i++) {
		const char *to = arena_printf("%s/%s", dir, runtime_parts[i]);
		if (!cache_write(to, rt.data[i], rt.len[i]))
			fatal("cannot write %s: %s", to, strerror(errno));
	}
	Buf kbuild = {0};
	buf_printf(&kbuild, "obj-m := %s.o\n", name);
	/* the archive last: ld takes from it what the objects before it need */
	buf_printf(&kbuild, "%s-y := %s_main.o stp-module.o stp-runtime.a\n", name, name);
	/* generated C must compile without a single warning */
	buf_printf(&kbuild, "ccflags-y := -I%s -I%s -Werror\n", s->runtime_dir, dir);
	if (!write_text(arena_printf("%s/Kbuild", dir), kbuild.s))
		fatal("cannot write %s/Kbuild: %s", dir, strerror(errno));
	const char *log = arena_printf("%s/build.log", dir);
	bool ok = run_kbuild(s, dir, "modules", log, true);
	s->ko_file = arena_printf("%s/%s.ko", dir, name);
	if (!ok || access(s->ko_file, R_OK) != 0) {
		fprintf(stderr, "stap: error: the module's C failed to compile.\n");
		if (s->guru)
			fprintf(stderr, "stap: with -g, check the embedded C: the compiler says:\n");
		else
			fprintf(stderr, "stap: this is a bug in stap; the compiler says:\n");
		show_log_problems(log, 20);
		fprintf(stderr, "stap: the full log is %s (kept: -k)\n", log);
		s->keep_tmp = true;
		return false;
	}
	if (s->pass_verbose[3] > 1)
		show_log_problems(log, 50);
	modcache_store(s, runtime_entry);
	return true;
}
