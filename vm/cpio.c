// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cpio.c - the "newc" cpio format, as the kernel's initramfs reads it.
 *
 * An entry is a 110-byte ASCII header ("070701" and thirteen 8-digit
 * hex fields), the NUL-terminated name, zero padding to a multiple of
 * 4, the file data, and zero padding to a multiple of 4 again.  The
 * archive ends with an entry named "TRAILER!!!".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cpio.h"

struct cpio {
	FILE *f;
	unsigned long ino;	/* next inode number */
	int err;		/* first errno, 0 if none */
};

struct cpio *cpio_create(const char *path)
{
	struct cpio *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->f = fopen(path, "wb");
	if (!c->f) {
		free(c);
		return NULL;
	}
	c->ino = 1;
	return c;
}

static void pad4(struct cpio *c)
{
	static const char zeros[4];
	long pos = ftell(c->f);

	if (pos < 0) {
		c->err = c->err ? c->err : errno;
		return;
	}
	if (pos % 4)
		fwrite(zeros, 1, 4 - pos % 4, c->f);
}

static int put_header(struct cpio *c, const char *name, mode_t mode,
		      size_t size, unsigned int rmajor, unsigned int rminor)
{
	size_t namesize = strlen(name) + 1;

	if (c->err)
		goto fail;
	/* ino mode uid gid nlink mtime size major minor rmajor rminor namesize check */
	fprintf(c->f, "070701%08lX%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		c->ino++, (unsigned int)mode, 0, 0,
		S_ISDIR(mode) ? 2 : 1, 0, size, 0, 0, rmajor, rminor,
		namesize, 0);
	fwrite(name, 1, namesize, c->f);
	pad4(c);
	if (ferror(c->f)) {
		c->err = c->err ? c->err : EIO;
		goto fail;
	}
	return 0;
fail:
	errno = c->err;
	return -1;
}

static int put_data(struct cpio *c, const void *data, size_t len)
{
	if (len && fwrite(data, 1, len, c->f) != len)
		c->err = c->err ? c->err : EIO;
	pad4(c);
	if (c->err) {
		errno = c->err;
		return -1;
	}
	return 0;
}

int cpio_add_dir(struct cpio *c, const char *name, mode_t perm)
{
	return put_header(c, name, S_IFDIR | perm, 0, 0, 0);
}

int cpio_add_data(struct cpio *c, const char *name, mode_t perm,
		  const void *data, size_t len)
{
	if (put_header(c, name, S_IFREG | perm, len, 0, 0))
		return -1;
	return put_data(c, data, len);
}

int cpio_add_file(struct cpio *c, const char *name, mode_t perm,
		  const char *src)
{
	char buf[65536];
	struct stat st;
	size_t left;
	int fd;

	if (c->err) {
		errno = c->err;
		return -1;
	}
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	if (perm == 0)
		perm = st.st_mode & 07777;
	if (put_header(c, name, S_IFREG | perm, st.st_size, 0, 0))
		goto fail;
	/* Exactly st_size bytes, so that the header stays true. */
	for (left = st.st_size; left > 0;) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->err = n < 0 ? errno : EIO;	/* the file shrank */
			goto fail;
		}
		if (fwrite(buf, 1, n, c->f) != (size_t)n) {
			c->err = EIO;
			goto fail;
		}
		left -= n;
	}
	close(fd);
	return put_data(c, NULL, 0);
fail:
	close(fd);
	errno = c->err ? c->err : errno;
	return -1;
}

int cpio_add_symlink(struct cpio *c, const char *name, const char *target)
{
	size_t len = strlen(target);

	if (put_header(c, name, S_IFLNK | 0777, len, 0, 0))
		return -1;
	return put_data(c, target, len);
}

int cpio_add_node(struct cpio *c, const char *name, mode_t type, mode_t perm,
		  unsigned int major, unsigned int minor)
{
	if (type != S_IFCHR && type != S_IFBLK) {
		errno = EINVAL;
		return -1;
	}
	return put_header(c, name, type | perm, 0, major, minor);
}

int cpio_close(struct cpio *c)
{
	int err;

	put_header(c, "TRAILER!!!", 0, 0, 0, 0);
	if (fflush(c->f) != 0 && !c->err)
		c->err = errno;
	if (fclose(c->f) != 0 && !c->err)
		c->err = errno;
	err = c->err;
	free(c);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
