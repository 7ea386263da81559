// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * outfile.c - -o FILE (with strftime patterns) and -S SIZE_MB[,N].
 *
 * With -S the files are FILE.0, FILE.1, ...; the name is expanded again
 * for each, so "-o trace_%H%M" names each file by the time it was
 * opened.  Without -S, switch_file() goes from FILE to FILE.1, FILE.2 ...  A switch happens between lines when a line fits; a line
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

char *outfile_expand(const char *pattern)
{
	char expanded[PATH_MAX];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	if (!strchr(pattern, '%') ||
	    strftime(expanded, sizeof(expanded), pattern, &tm) == 0)
		snprintf(expanded, sizeof(expanded), "%s", pattern);
	return strdup(expanded);
}

/*
 * The name of the next file: the pattern through strftime, then ".N"
 * (with -S, or after a switch_file()).
 */
static char *next_name(struct out_file *o)
{
	char *expanded = outfile_expand(o->pattern), *name;

	if (!expanded || (!o->max_bytes && !o->index))
		return expanded;
	if (asprintf(&name, "%s.%d", expanded, o->index) < 0)
		name = NULL;
	free(expanded);
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

int out_write_all(int fd, const void *data, size_t len)
{
	const char *buf = data;

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

static int flush_pending(struct out_file *o);

static int switch_file(struct out_file *o)
{
	if (close(o->fd) < 0)
		return -1;
	o->index++;
	return outfile_open(o);
}

/* Writes buf, which starts at the start of a line, switching files between lines. */
static int write_lines(struct out_file *o, const char *buf, size_t len)
{
	while (o->bytes + (long long)len > o->max_bytes) {
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
			if (out_write_all(o->fd, buf, part) < 0)
				return -1;
			buf += part;
			len -= part;
		}
		if (switch_file(o) < 0)
			return -1;
	}
	if (out_write_all(o->fd, buf, len) < 0)
		return -1;
	o->bytes += len;
	return 0;
}

int outfile_switch(struct out_file *o)
{
	if (flush_pending(o) < 0)
		return -1;
	return switch_file(o);
}

/*
 * With -S, output that ends inside a line (stap-vm gets a byte stream)
 * waits in o->pending for the rest of its line, so that a file switch
 * never splits one; a line longer than PENDING_MAX goes out in pieces.
 */
#define PENDING_MAX (1 << 20)

static int flush_pending(struct out_file *o)
{
	int rc = o->npending ? write_lines(o, o->pending, o->npending) : 0;

	o->npending = 0;
	return rc;
}

int outfile_write(struct out_file *o, const char *buf, size_t len)
{
	const char *nl;
	size_t whole;

	if (!o->max_bytes)
		return out_write_all(o->fd, buf, len) < 0 ? -1 : (o->bytes += len, 0);
	nl = memrchr(buf, '\n', len);
	whole = nl ? (size_t)(nl - buf) + 1 : 0;
	if (o->npending + whole > PENDING_MAX || (whole && o->npending)) {
		/* the pending start of a line, then the lines that end it */
		if (o->npending + whole <= PENDING_MAX) {
			memcpy(o->pending + o->npending, buf, whole);
			o->npending += whole;
			buf += whole;
			len -= whole;
			whole = 0;
		}
		if (flush_pending(o) < 0)
			return -1;
	}
	if (whole) {
		if (write_lines(o, buf, whole) < 0)
			return -1;
		buf += whole;
		len -= whole;
	}
	while (len) {
		size_t n = len < PENDING_MAX - o->npending ? len : PENDING_MAX - o->npending;

		if (!o->pending && !(o->pending = malloc(PENDING_MAX)))
			return -1;
		memcpy(o->pending + o->npending, buf, n);
		o->npending += n;
		buf += n;
		len -= n;
		if (o->npending == PENDING_MAX && flush_pending(o) < 0)
			return -1;
	}
	return 0;
}

int outfile_close(struct out_file *o)
{
	int rc = flush_pending(o);

	if (close(o->fd) < 0)
		rc = -1;

	o->fd = -1;
	return rc;
}
