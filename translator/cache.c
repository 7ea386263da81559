/*
 * cache.c - where stap keeps what it builds once and reuses: the runtime
 * object per kernel (build.c), each script's module (modcache.c) and the
 * DWARF index per build-id (dwarf_index.c); what --disable-cache and
 * --poison-cache do to it (--clean-cache is build.c's clean_cache); and
 * how an entry is read (checked against its MANIFEST), written and removed.
 *
 * What stap reads back from the cache goes into modules that root loads,
 * so the cache must be the user's own: its directory (and every
 * directory above it) owned by the effective user or root, and writable
 * by no one else; every file read from it opened without following
 * symbolic links, and refused unless it is a regular file of the
 * effective user that no one else may write.  A cache that fails the
 * check is an error, not something to work around: a planted module.o
 * would otherwise end up in a root-built module.  There is no fallback
 * to a shared directory such as /tmp.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "stap.h"

int cache_mode = CACHE_USE;
const char *cache_private_dir;

/*
 * $STAP_CACHE, $SYSTEMTAP_DIR/cache (SystemTap's), $XDG_CACHE_HOME/stap,
 * or ~/.cache/stap with the home directory from $HOME or the password
 * database; NULL when there is none.
 */
static const char *cache_root_path(void)
{
	const char *env = getenv("STAP_CACHE");
	if (env && *env)
		return env;
	env = getenv("SYSTEMTAP_DIR");
	if (env && *env)
		return arena_printf("%s/cache", env);
	env = getenv("XDG_CACHE_HOME");
	if (env && *env)
		return arena_printf("%s/stap", env);
	env = getenv("HOME");
	if (!env || !*env) {
		struct passwd *pw = getpwuid(geteuid());
		env = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
	}
	return env ? arena_printf("%s/.cache/stap", env) : NULL;
}

/* Why the cache directory itself cannot be trusted, or NULL if it can. */
static const char *unsafe_root(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return strerror(errno);
	if (S_ISLNK(st.st_mode))
		return "it is a symbolic link";
	if (!S_ISDIR(st.st_mode))
		return "it is not a directory";
	if (st.st_uid != geteuid())
		return arena_printf("it belongs to uid %u, not to uid %u", (unsigned)st.st_uid,
				    (unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return arena_printf("others may write it (mode %03o)", (unsigned)(st.st_mode & 0777));
	return NULL;
}

/*
 * Why a directory above the cache lets someone else replace it, or NULL:
 * it must belong to us or root, and be writable by others only with the
 * sticky bit (as /tmp), which keeps them from renaming what is ours.
 */
static const char *unsafe_parent(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return strerror(errno);
	if (st.st_uid != geteuid() && st.st_uid != 0)
		return arena_printf("it belongs to uid %u", (unsigned)st.st_uid);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))
		return arena_printf("others may write it (mode %03o)", (unsigned)(st.st_mode & 0777));
	return NULL;
}

/* Creates path and the directories above it that are missing, private. */
static void make_dirs(const char *path)
{
	char *p = arena_strdup(path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
	mkdir(p, 0700);
}

/* Checks path and each directory above it; fatal with the reason if one fails. */
static void check_root(const char *path)
{
	const char *why = unsafe_root(path);
	if (why)
		fatal("refusing to use the cache directory %s: %s (set STAP_CACHE to a "
		      "directory of your own)", path, why);
	char *p = arena_strdup(path);
	for (char *slash = strrchr(p, '/'); slash; slash = strrchr(p, '/')) {
		*slash = '\0';
		const char *dir = slash == p ? "/" : p;
		why = unsafe_parent(dir);
		if (why)
			fatal("refusing to use the cache directory %s: %s above it: %s (set "
			      "STAP_CACHE to a directory of your own)", path, dir, why);
		if (slash == p)
			break;
	}
}

/* path made absolute, created if missing, and checked (fatal if unsafe) */
static const char *checked_root(const char *path)
{
	if (path[0] != '/') {
		char cwd[4096];
		if (!getcwd(cwd, sizeof(cwd)))
			fatal("cannot find the current directory: %s", strerror(errno));
		path = arena_printf("%s/%s", cwd, path);
	}
	make_dirs(path);
	check_root(path);
	return path;
}

/*
 * The cache directory, created if missing and checked once; NULL when
 * the user has no home directory (then nothing is cached).  With
 * --disable-cache it is a directory of this run's (main.c), checked the
 * same way.
 */
const char *stap_cache_root(void)
{
	static const char *root, *private_root;
	static bool checked;
	if (cache_mode == CACHE_DISABLED && cache_private_dir) {
		if (!private_root)
			private_root = checked_root(cache_private_dir);
		return private_root;
	}
	if (checked)
		return root;
	checked = true;
	root = cache_root_path();
	if (root)
		root = checked_root(root);
	return root;
}

/* May a cache entry that exists be used? Not with --poison-cache. */
bool cache_readable(void)
{
	return cache_mode != CACHE_POISONED;
}

/*
 * Opens a file of the cache for reading: never through a symbolic link,
 * and only a regular file of ours that no one else may write.  Returns
 * the descriptor, or -1 with *why set (NULL when the file is just
 * missing).
 */
int cache_open(const char *path, const char **why)
{
	struct stat st;
	*why = NULL;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			*why = errno == ELOOP ? "it is a symbolic link" : strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) != 0)
		*why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		*why = "it is not a regular file";
	else if (st.st_uid != geteuid())
		*why = arena_printf("it belongs to uid %u", (unsigned)st.st_uid);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		*why = arena_printf("others may write it (mode %03o)", (unsigned)(st.st_mode & 0777));
	if (*why) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Reads a whole cache file (cache_open's checks) into memory: what is
 * checked and what is used are then the same bytes.  NULL with *why set
 * as cache_open does.
 */
char *cache_read(const char *path, size_t *len, const char **why)
{
	struct stat st;
	int fd = cache_open(path, why);
	if (fd < 0)
		return NULL;
	char *data = NULL;
	size_t got = 0;
	if (fstat(fd, &st) != 0) {
		*why = strerror(errno);
		goto out;
	}
	data = arena_alloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
		if (n <= 0) {
			*why = n < 0 ? strerror(errno) : "it shrank while being read";
			goto out;
		}
		got += n;
	}
	*len = got;
out:
	close(fd);
	return *why ? NULL : data;
}

/* "SHA256  NAME\n", as sha256sum(1) writes it: a line of an entry's MANIFEST */
const char *cache_manifest_line(const char *name, const char *data, size_t len)
{
	char hex[65];
	sha256_hex(data, len, hex);
	return arena_printf("%s  %s\n", hex, name);
}

/*
 * Reads the files names[0..n) of the cache entry dir into data[] and
 * len[] (cache_read's checks), and compares them with the entry's
 * MANIFEST when check_manifest.  false with *why NULL: there is no such
 * entry; with *why set: there is one, and it cannot be used.
 */
bool cache_read_entry(const char *dir, const char *const *names, int n, bool check_manifest,
		      char **data, size_t *len, const char **why)
{
	struct stat st;
	*why = NULL;
	if (lstat(dir, &st) != 0)
		return false;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		*why = "it is not a directory of yours that only you may write";
		return false;
	}
	Buf expected = {0};
	for (int i = 0; i < n; i++) {
		data[i] = cache_read(arena_printf("%s/%s", dir, names[i]), &len[i], why);
		if (!data[i]) {
			*why = arena_printf("%s: %s", names[i], *why ? *why : "missing");
			return false;
		}
		buf_puts(&expected, cache_manifest_line(names[i], data[i], len[i]));
	}
	if (!check_manifest)
		return true;
	size_t mlen;
	char *manifest = cache_read(arena_printf("%s/MANIFEST", dir), &mlen, why);
	if (!manifest) {
		*why = arena_printf("MANIFEST: %s", *why ? *why : "missing");
		return false;
	}
	if (mlen != expected.len || memcmp(manifest, expected.s, mlen) != 0) {
		*why = "its files do not match their MANIFEST";
		return false;
	}
	return true;
}

/* Writes len bytes to a new file path (0644), never through a symbolic link. */
bool cache_write(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	const char *p = data;
	bool ok = true;
	while (len && ok) {
		ssize_t n = write(fd, p, len);
		ok = n > 0;
		if (ok) {
			p += n;
			len -= n;
		}
	}
	return close(fd) == 0 && ok;
}

/*
 * Removes name in dirfd and, if it is a directory, all it holds: never
 * through a symbolic link (a link is removed, not what it names), and
 * no deeper than kbuild ever nests.
 */
void remove_tree_at(int dirfd, const char *name, int depth)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlinkat(dirfd, name, 0);
		return;
	}
	int fd = depth < 8 ? openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			remove_tree_at(fd, e->d_name, depth + 1);
	closedir(d);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Removes the entry name of the cache root, never through a symbolic link. */
void cache_remove(const char *root, const char *name)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	remove_tree_at(fd, name, 0);
	close(fd);
}
