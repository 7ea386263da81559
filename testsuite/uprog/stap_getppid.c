// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_getppid - calls getppid(2) a known number of times, for the BPF
 * tier's counts (testsuite/bpf/): a test run with -c counts the calls of
 * its target() and expects exactly N.  It calls the kernel through
 * syscall(2), so that the C library neither caches the result nor adds
 * calls of its own.
 *
 *	stap_getppid [N]	N calls (default 100)
 *	stap_getppid N loop	N calls a second, until killed (cli/bpf_oneliner)
 */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100;

	if (argc > 2 && strcmp(argv[2], "loop") == 0) {
		for (;;) {
			for (long i = 0; i < n; i++)
				syscall(SYS_getppid);
			usleep(1000);
		}
	}
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}
