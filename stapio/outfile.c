// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * outfile.c - -o FILE (with strftime patterns) and -S SIZE_MB[,N].
 *
 * With -S the files are FILE.0, FILE.1, ...; the name is expanded again
 * for each, so "-o trace_%H%M" names each file by the time it was
 * opened.  A switch happens between lines when a line fits; a line
 * longer than a whole file is split.
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
#include <time.h>
#include <unistd.h>
#include "outfile.h"

int outfile_parse_limits(struct out_file *o, const char *arg)
{
	char *end;
	long long mb = strtoll(arg, &end, 10);
	long n = 0;

	if (end == arg || mb <= 0 || mb > 1000000)
		return -1;
	if (*end == ',') {
		const char *s = end + 1;

		n = strtol(s, &end, 10);
		if (end == s || n <= 0 || n > 100000)
			return -1;
	}
	if (*end)
		return -1;
	o->max_bytes = mb * 1024 * 1024;
	o->max_files = (int)n;
	return 0;
}

/* The name of the next file: the pattern through strftime, then ".N". */
static char *next_name(struct out_file *o)
{
	char expanded[PATH_MAX], *name;
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	if (!strchr(o->pattern, '%') ||
	    strftime(expanded, sizeof(expanded), o->pattern, &tm) == 0)
		snprintf(expanded, sizeof(expanded), "%s", o->pattern);
	if (!o->max_bytes)
		return strdup(expanded);
	if (asprintf(&name, "%s.%d", expanded, o->index) < 0)
		return NULL;
	return name;
}

int outfile_open(struct out_file *o)
{
	free(o->name);
	o->name = next_name(o);
	if (!o->name) {
		errno = ENOMEM;
		return -1;
	}
	o->fd = open(o->name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (o->fd < 0)
		return -1;
	o->bytes = 0;
	if (o->max_files) {
		int slot = o->index % o->max_files;

		if (!o->names && !(o->names = calloc(o->max_files, sizeof(char *))))
			return -1;
		if (o->names[slot])
			unlink(o->names[slot]);	/* the oldest of N + 1 */
		free(o->names[slot]);
		o->names[slot] = strdup(o->name);
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

static int switch_file(struct out_file *o)
{
	if (close(o->fd) < 0)
		return -1;
	o->index++;
	return outfile_open(o);
}

int outfile_write(struct out_file *o, const char *buf, size_t len)
{
	while (o->max_bytes && o->bytes + (long long)len > o->max_bytes) {
		size_t room = o->bytes < o->max_bytes ? o->max_bytes - o->bytes : 0;
		size_t part = 0;

		/* up to the last newline that still fits */
		for (size_t i = room; i > 0; i--) {
			if (buf[i - 1] == '\n') {
				part = i;
				break;
			}
		}
		if (!part && o->bytes == 0)
			part = room;	/* a line longer than a file */
		if (part) {
			if (write_all(o->fd, buf, part) < 0)
				return -1;
			buf += part;
			len -= part;
		}
		if (switch_file(o) < 0)
			return -1;
	}
	if (write_all(o->fd, buf, len) < 0)
		return -1;
	o->bytes += len;
	return 0;
}

int outfile_close(struct out_file *o)
{
	int rc = close(o->fd);

	o->fd = -1;
	return rc;
}
