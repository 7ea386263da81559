// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * privilege.c - SystemTap's privilege model, for a staprun that may be
 * installed setuid root.
 *
 *   root     may load any module
 *   stapdev  (a group) the same: a stap module is kernel code, so this is
 *            as good as root, as SystemTap says of it
 *   stapusr  (a group) may load only modules that root installed in
 *            /lib/modules/RELEASE/systemtap/, and attach to (-A) or stop
 *            (-d) only the scripts that it started itself
 * Anyone else is refused.  Groups are read from /etc/group (staprun is
 * static: no NSS), and a user is in a group through its real gid or its
 * supplementary groups.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "privilege.h"

const char *stap_module_dir(void)
{
	static char dir[sizeof(((struct utsname *)0)->release) + 32];
	struct utsname u;

	if (!dir[0] && uname(&u) == 0)
		snprintf(dir, sizeof(dir), "/lib/modules/%s/systemtap", u.release);
	return dir;
}

/* The gid of group name in /etc/group; -1 if there is none. */
static long group_gid(const char *name)
{
	size_t nlen = strlen(name);
	char line[4096];
	long gid = -1;
	FILE *f;

	f = fopen("/etc/group", "re");
	if (!f)
		return -1;
	while (gid < 0 && fgets(line, sizeof(line), f)) {
		char *gid_field;

		/* name:password:gid:members */
		if (strncmp(line, name, nlen) || line[nlen] != ':')
			continue;
		gid_field = strchr(line + nlen + 1, ':');
		if (gid_field)
			gid = strtol(gid_field + 1, NULL, 10);
	}
	fclose(f);
	return gid;
}

/* Is the real user in group gid (its real gid, or a supplementary group)? */
static int in_group(long gid)
{
	gid_t *groups;
	int n, i, found = 0;

	if (gid < 0)
		return 0;
	if (getgid() == (gid_t)gid)
		return 1;
	n = getgroups(0, NULL);
	if (n <= 0)
		return 0;
	groups = calloc(n, sizeof(*groups));
	if (!groups)
		return 0;
	n = getgroups(n, groups);
	for (i = 0; i < n && !found; i++)
		found = groups[i] == (gid_t)gid;
	free(groups);
	return found;
}

const char *find_privilege(enum stap_privilege *priv)
{
	if (getuid() == 0) {
		*priv = PRIV_ROOT;
		return NULL;
	}
	if (in_group(group_gid("stapdev"))) {
		*priv = PRIV_STAPDEV;
		return NULL;
	}
	if (in_group(group_gid("stapusr"))) {
		*priv = PRIV_STAPUSR;
		return NULL;
	}
	return "You are trying to run systemtap as a normal user.\n"
	       "You should either be root, or be part of the group \"stapusr\" and "
	       "possibly one of the groups \"stapsys\" or \"stapdev\".";
}

/*
 * Why directory fd lets someone other than root change it, or NULL; the
 * directory is the first len bytes of path ("/" or "." when len is 0).
 */
static const char *unsafe_dir(int fd, const char *path, int len)
{
	static char why[PATH_MAX + 64];
	const char *name = len ? path : *path == '/' ? "/" : ".";
	struct stat st;

	if (!len)
		len = 1;
	if (fstat(fd, &st) < 0)
		return strerror(errno);
	if (st.st_uid != 0) {
		snprintf(why, sizeof(why), "%.*s belongs to uid %u, not root", len, name,
			 (unsigned)st.st_uid);
		return why;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		snprintf(why, sizeof(why), "others than root may write %.*s", len, name);
		return why;
	}
	return NULL;
}

int open_no_follow(const char *path, int dirs_root_only, const char **why)
{
	char part[PATH_MAX];
	const char *p = path;
	int dir, fd;

	*why = NULL;
	if (strlen(path) >= sizeof(part)) {
		*why = "the path is too long";
		return -1;
	}
	dir = open(*p == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (;;) {
		const char *end_of_dir = p;
		size_t n;

		while (end_of_dir > path && end_of_dir[-1] == '/')
			end_of_dir--;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (dir < 0) {
			*why = errno == ELOOP || errno == ENOTDIR ?
			       "a directory on its path is a symbolic link, or not a directory" :
			       strerror(errno);
			return -1;
		}
		if (dirs_root_only && (*why = unsafe_dir(dir, path, end_of_dir - path))) {
			close(dir);
			return -1;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		fd = openat(dir, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dir);
		dir = fd;
		/* back to the end of its name, for unsafe_dir's message */
		while (p > path && p[-1] == '/')
			p--;
	}
	fd = openat(dir, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		*why = errno == ELOOP ? "it is a symbolic link" : strerror(errno);
	close(dir);
	return fd;
}

int path_is_in(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	const char *name = path + n + 1;

	return !strncmp(path, dir, n) && path[n] == '/' && *name && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

int drop_privileges(void)
{
	gid_t g = getgid();
	uid_t u = getuid();

	if (setresgid(g, g, g) < 0 || setresuid(u, u, u) < 0)
		return -1;
	/* for good: neither can come back */
	if (geteuid() != u || getegid() != g || (u != 0 && setuid(0) == 0))
		return -1;
	return 0;
}
