/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * outfile.h - the script's output file: -o FILE with strftime(3)
 * patterns, and -S SIZE_MB[,N] switching to FILE.1, FILE.2, ... when a
 * file would grow past SIZE_MB, keeping the newest N.  Used by stapio
 * (output relayed by staprun) and by stap-vm (output from the VM).
 */
#ifndef OUTFILE_H
#define OUTFILE_H

#include <stddef.h>

struct out_file {
	const char *pattern;	/* -o FILE as given */
	long long max_bytes;	/* -S: 0 for one file, unlimited */
	int max_files;		/* -S ...,N: 0 keeps them all */
	int index;		/* of the current file, with -S */
	long long bytes;	/* written to the current file */
	char **names;		/* with N: the last N files' names, a ring */
	char *name;		/* the current file */
	int fd;
	char *pending;		/* -S: the start of a line not yet ended */
	size_t npending;
};

/* Parses -S's "SIZE_MB[,N]" into o; returns -1 if it is malformed. */
int outfile_parse_limits(struct out_file *o, const char *arg);
/* The pattern through strftime(3), now (malloc'ed; NULL: no memory). */
char *outfile_expand(const char *pattern);
/* Opens the first file; -1 with errno set, o->name says which. */
int outfile_open(struct out_file *o);
/*
 * Goes on in the next file (switch_file(), SIGUSR2): FILE.N+1 with -S;
 * without it FILE.1, FILE.2 ... after FILE.
 */
int outfile_switch(struct out_file *o);
/* Writes all of buf, switching files at a line boundary where it can. */
int outfile_write(struct out_file *o, const char *buf, size_t len);
int outfile_close(struct out_file *o);
/* Writes all of len bytes to fd, through EINTR; -1 with errno set on failure. */
int out_write_all(int fd, const void *data, size_t len);

#endif
