/*
 * modcache.c - pass 4's module cache: the same script, options and
 * kernel give the module built before, without kbuild.
 *
 * The key is the SHA-256 of everything that goes into the module: the
 * C that pass 3 wrote (the script and tapsets after preprocessing, -D
 * and -G values, the addresses and build-ids it embeds), the runtime
 * cache entry's name (a hash of the runtime's sources, its feature
 * tests and the kernel tree), the kernel's release, .config and
 * Module.symvers, the compiler kbuild runs, -B's make arguments, the
 * module's name, and this stap binary.  An entry is a directory
 * module-KEY/ holding NAME.ko and a MANIFEST of its SHA-256: it is read
 * through cache.c's checks (no link followed, a file of the user's that
 * no one else may write), compared with its MANIFEST, and only those
 * checked bytes are used.  It is built in a private directory and
 * renamed into place, so two stap runs at once never see half of one.
 *
 * As SystemTap's, the cache is bounded: cache_mb_limit in the cache
 * directory holds the MiB the module entries may take (256 when the
 * file is missing, which is then written); past it the least recently
 * used entries go (a hit touches its entry).  -k, which wants a build
 * tree to look at, and --disable-cache neither read nor write it;
 * --poison-cache builds and replaces.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "stap.h"

#define MODCACHE_LAYOUT "stap module cache 1: NAME.ko MANIFEST(sha256)"
#define MODCACHE_DEFAULT_MB 256	/* SystemTap's default cache_mb_limit */

/* "path size mtime inode" of a file, or "path missing": a cheap identity */
static void put_identity(Buf *b, const char *path)
{
	struct stat st;
	if (!path || stat(path, &st) != 0) {
		buf_printf(b, "%s missing\n", path ? path : "(none)");
		return;
	}
	buf_printf(b, "%s %lld %lld.%09ld %llu\n", path, (long long)st.st_size,
		   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (unsigned long long)st.st_ino);
}

/* The digest of a file's bytes (a small one: .config), or "missing". */
static void put_file_digest(Buf *b, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char hex[65] = "missing";
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		char *data = arena_alloc((size_t)st.st_size + 1);
		ssize_t n = read(fd, data, (size_t)st.st_size);
		if (n == st.st_size)
			sha256_hex(data, (size_t)n, hex);
	}
	if (fd >= 0)
		close(fd);
	buf_printf(b, "%s %s\n", path, hex);
}

/* The key of the module s is about to build from s->c_file; NULL if the C is unreadable. */
static const char *module_key(Session *s, const char *runtime_entry)
{
	Buf b = {0};
	size_t len;
	const char *why;
	char *c = cache_read(s->c_file, &len, &why);
	if (!c)
		return NULL;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	buf_printf(&b, "%s\nstap %s\n", MODCACHE_LAYOUT, STAP_VERSION);
	put_identity(&b, exe);
	buf_printf(&b, "module %s\nrelease %s\nruntime %s\n", s->module_name,
		   s->kernel_release, runtime_entry);
	put_file_digest(&b, arena_printf("%s/.config", s->build_dir));
	put_identity(&b, arena_printf("%s/Module.symvers", s->build_dir));
	put_identity(&b, arena_printf("%s/include/generated/utsrelease.h", s->build_dir));
	char *cc = program_path("gcc");	/* kbuild's compiler (malloc'd) */
	put_identity(&b, cc);
	free(cc);
	for (int i = 0; i < s->defines.len; i++)
		buf_printf(&b, "-D %s\n", (char *)s->defines.items[i]);
	for (int i = 0; i < s->make_args.len; i++)
		buf_printf(&b, "-B %s\n", (char *)s->make_args.items[i]);
	char chex[65], key[65];
	sha256_hex(c, len, chex);
	buf_printf(&b, "c %s\n", chex);
	sha256_hex(b.s, b.len, key);
	return arena_printf("module-%.40s", key);
}

/* May this run use the module cache at all? */
static bool modcache_on(Session *s)
{
	return cache_mode != CACHE_DISABLED && !s->keep_tmp && stap_cache_root();
}

/*
 * The cached module for s, if there is one that passes its checks: its
 * bytes are written into the session's directory as s->ko_file and
 * s->ko_cached names the entry's copy.  An entry that fails a check is
 * removed (it will be built again) after a warning that says why.
 */
bool modcache_fetch(Session *s, const char *runtime_entry)
{
	if (!modcache_on(s) || !cache_readable())
		return false;
	const char *key = module_key(s, runtime_entry);
	if (!key)
		return false;
	const char *root = stap_cache_root();
	const char *dir = arena_printf("%s/%s", root, key);
	const char *ko = arena_printf("%s.ko", s->module_name);
	char *data;
	size_t len;
	const char *why;
	if (!cache_read_entry(dir, &ko, 1, true, &data, &len, &why)) {
		if (why) {
			warn_plain("the cached module %s cannot be used (%s): building it again",
				   dir, why);
			cache_remove(root, key);
		}
		return false;
	}
	s->ko_file = arena_printf("%s/%s", s->tmp_dir, ko);
	if (!cache_write(s->ko_file, data, len))
		fatal("cannot write %s: %s", s->ko_file, strerror(errno));
	utimensat(AT_FDCWD, dir, NULL, AT_SYMLINK_NOFOLLOW);	/* recently used */
	s->ko_cached = arena_printf("%s/%s", dir, ko);
	return true;
}

/*
 * Keeps the module just built (s->ko_file) under its key: written into
 * a private directory with its MANIFEST, then renamed into place.  A
 * failure to cache is a warning, never a failed build.
 */
void modcache_store(Session *s, const char *runtime_entry)
{
	if (!modcache_on(s))
		return;
	const char *key = module_key(s, runtime_entry);
	const char *root = stap_cache_root();
	size_t len;
	const char *why;
	char *data = cache_read(s->ko_file, &len, &why);
	char *work = arena_printf("%s/build-XXXXXX", root);
	if (!key || !data || !mkdtemp(work)) {
		warn_plain("cannot keep the module in the cache %s", root);
		return;
	}
	const char *ko = arena_printf("%s.ko", s->module_name);
	const char *manifest = cache_manifest_line(ko, data, len);
	if (!cache_write(arena_printf("%s/%s", work, ko), data, len) ||
	    !cache_write(arena_printf("%s/MANIFEST", work), manifest, strlen(manifest))) {
		warn_plain("cannot keep the module in the cache %s: %s", root, strerror(errno));
		cache_remove(root, strrchr(work, '/') + 1);
		return;
	}
	const char *dir = arena_printf("%s/%s", root, key);
	if (!cache_readable())
		cache_remove(root, key);	/* --poison-cache: this build replaces it */
	if (rename(work, dir) != 0)
		cache_remove(root, strrchr(work, '/') + 1);	/* another stap got there first */
	modcache_prune(root);
}

/* cache_mb_limit's MiB, the file written with SystemTap's default if missing */
static long long cache_limit_bytes(const char *root)
{
	const char *path = arena_printf("%s/cache_mb_limit", root);
	size_t len;
	const char *why;
	char *text = cache_read(path, &len, &why);
	if (!text && !why) {
		const char *dflt = arena_printf("%d\n", MODCACHE_DEFAULT_MB);
		cache_write(path, dflt, strlen(dflt));
		return MODCACHE_DEFAULT_MB * 1048576ll;
	}
	char *end;
	long long mb = text ? strtoll(text, &end, 10) : -1;
	if (!text || end == text || mb < 0 || mb > LLONG_MAX / 1048576) {
		warn_plain("%s does not hold a number of MiB: the cache's limit is %d MiB", path,
			   MODCACHE_DEFAULT_MB);
		return MODCACHE_DEFAULT_MB * 1048576ll;
	}
	return mb * 1048576;
}

typedef struct ModEntry {
	const char *name;
	struct timespec used;
	long long bytes;
} ModEntry;

/* The bytes of the regular files directly in dirfd's entry name (entries hold no more). */
static long long entry_bytes(int rootfd, const char *name)
{
	int fd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	long long total = 0;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	struct dirent *e;
	struct stat st;
	while ((e = readdir(d)))
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			total += st.st_size;
	closedir(d);
	return total;
}

static bool used_before(const ModEntry *a, const ModEntry *b)
{
	return a->used.tv_sec < b->used.tv_sec ||
	       (a->used.tv_sec == b->used.tv_sec && a->used.tv_nsec < b->used.tv_nsec);
}

/*
 * Removes the least recently used module entries until those left fit
 * in cache_mb_limit; only directories of ours, never through a link.
 * Returns how many it removed.
 */
int modcache_prune(const char *root)
{
	long long limit = cache_limit_bytes(root), total = 0;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	Vec entries = {0};
	struct dirent *e;
	while ((e = readdir(d))) {
		struct stat st;
		if (strncmp(e->d_name, "module-", 7) != 0 ||
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		ModEntry *m = arena_alloc(sizeof(*m));
		m->name = arena_strdup(e->d_name);
		m->used = st.st_mtim;
		m->bytes = entry_bytes(fd, e->d_name);
		total += m->bytes;
		vec_push(&entries, m);
	}
	int removed = 0;
	while (total > limit && entries.len) {
		int oldest = 0;
		for (int i = 1; i < entries.len; i++)
			if (used_before(entries.items[i], entries.items[oldest]))
				oldest = i;
		ModEntry *m = entries.items[oldest];
		cache_remove(root, m->name);
		total -= m->bytes;
		entries.items[oldest] = entries.items[--entries.len];
		removed++;
	}
	closedir(d);
	return removed;
}
