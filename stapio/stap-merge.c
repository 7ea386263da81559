// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap-merge - merge the per-CPU output files of a stap -b script.
 *
 *	stap-merge [-o OUTFILE] [-v] [FILE ...]
 *
 * In bulk mode stapio writes each CPU's output to a file of its own
 * (format: runtime/stp_proto.h), every record with the sequence number
 * the module gave the message.  Within a file the numbers increase, so
 * merging is repeatedly taking the record with the lowest number among
 * the files' next records, which gives back the output in the order the
 * script printed it.  Without FILE arguments: stpd_cpu0, stpd_cpu1, ...
 * as long as they exist in the current directory.
 *
 * Linked statically, like staprun, so that it runs where they run.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stp_proto.h"

struct input {
	const char *name;
	FILE *f;
	struct stp_bulk_record next;	/* valid while f is open */
	int records;			/* read so far */
};

static struct input *inputs;
static int ninputs;
static int verbose;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("stap-merge: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *f)
{
	fputs("usage: stap-merge [-o OUTFILE] [-v] [FILE ...]\n"
	      "Merges the per-CPU output files of a stap -b script into one stream,\n"
	      "in the order the script printed it.\n"
	      "  -o OUTFILE  write to OUTFILE instead of stdout\n"
	      "  -v          tell each record's CPU, sequence number and length on stderr\n"
	      "Without FILEs: stpd_cpu0, stpd_cpu1, ... while they exist.\n", f);
}

static void add_input(const char *name)
{
	char magic[8];
	struct input *in;

	inputs = realloc(inputs, (ninputs + 1) * sizeof(*inputs));
	if (!inputs)
		die("out of memory");
	in = &inputs[ninputs++];
	in->name = name;
	in->records = 0;
	in->f = fopen(name, "rb");
	if (!in->f)
		die("cannot open %s: %s", name, strerror(errno));
	if (fread(magic, 1, sizeof(magic), in->f) != sizeof(magic) ||
	    memcmp(magic, STP_BULK_MAGIC, sizeof(magic)) != 0)
		die("%s is not a per-CPU output file of stap -b", name);
}

/* Reads in's next record header; closes in->f at the end of the file. */
static void read_header(struct input *in)
{
	struct stp_bulk_record prev = in->next;
	size_t n = fread(&in->next, 1, sizeof(in->next), in->f);

	if (n == 0 && feof(in->f)) {
		fclose(in->f);
		in->f = NULL;
		return;
	}
	if (n != sizeof(in->next))
		die("%s: cut off in a record header", in->name);
	if (in->next.len > STP_MSG_MAX)
		die("%s: a record of %u bytes (at most %d)", in->name, in->next.len,
		    STP_MSG_MAX);
	if (in->records++ && in->next.seq <= prev.seq)
		die("%s: sequence number %llu after %llu", in->name,
		    (unsigned long long)in->next.seq, (unsigned long long)prev.seq);
}

/* The input whose next record has the lowest sequence number, or NULL. */
static struct input *lowest(void)
{
	struct input *best = NULL;
	int i;

	for (i = 0; i < ninputs; i++) {
		struct input *in = &inputs[i];

		if (!in->f)
			continue;
		if (best && in->next.seq == best->next.seq)
			die("%s and %s both hold sequence number %llu", best->name,
			    in->name, (unsigned long long)in->next.seq);
		if (!best || in->next.seq < best->next.seq)
			best = in;
	}
	return best;
}

static void copy_record(struct input *in, FILE *out)
{
	static char buf[STP_MSG_MAX];

	if (fread(buf, 1, in->next.len, in->f) != in->next.len)
		die("%s: cut off in a record of %u bytes", in->name, in->next.len);
	if (verbose)
		fprintf(stderr, "cpu %u seq %llu len %u\n", in->next.cpu,
			(unsigned long long)in->next.seq, in->next.len);
	if (fwrite(buf, 1, in->next.len, out) != in->next.len)
		die("cannot write the output: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *outname = NULL;
	struct input *in;
	FILE *out = stdout;
	int opt, i;

	while ((opt = getopt(argc, argv, "o:vh")) != -1) {
		switch (opt) {
		case 'o':
			outname = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	for (i = optind; i < argc; i++)
		add_input(argv[i]);
	for (i = 0; optind == argc; i++) {
		char *name;

		if (asprintf(&name, "stpd_cpu%d", i) < 0)
			die("out of memory");
		if (access(name, F_OK) != 0) {
			free(name);
			break;
		}
		add_input(name);
	}
	if (ninputs == 0)
		die("no input files: stpd_cpu0 is not here, and none were named");
	if (outname && !(out = fopen(outname, "wb")))
		die("cannot open %s: %s", outname, strerror(errno));
	for (i = 0; i < ninputs; i++)
		read_header(&inputs[i]);
	/* each turn consumes one record, so this ends with the files */
	while ((in = lowest()) != NULL) {
		copy_record(in, out);
		read_header(in);
	}
	if (fclose(out) != 0)
		die("cannot write the output: %s", strerror(errno));
	return 0;
}
