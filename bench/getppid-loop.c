// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * getppid-loop - the user-space side of bench/probe-cost.sh.
 *
 *	getppid-loop N [REPEATS]
 *
 * Calls getppid() N times in a tight loop, REPEATS times (default 1),
 * and prints one line per repeat:
 *
 *	loop N NANOSECONDS
 *
 * timed with clock_gettime(CLOCK_MONOTONIC).  In a VM booted with
 * stap-vm --icount (qemu -icount shift=0) guest time counts guest
 * instructions, so NANOSECONDS / N is the number of instructions one
 * system call takes, probes included.
 *
 * Built statically (gcc -static -O2) so that it runs in the VM's
 * initramfs; bench/probe-cost.sh does that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n, i, repeats = 1, r;
	volatile pid_t sink;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: getppid-loop N [REPEATS]\n");
		return 2;
	}
	n = atol(argv[1]);
	if (argc == 3)
		repeats = atol(argv[2]);
	for (r = 0; r < repeats; r++) {
		long long t0 = ns_now();

		for (i = 0; i < n; i++)
			sink = getppid();
		printf("loop %ld %lld\n", n, ns_now() - t0);
		fflush(stdout);
	}
	(void)sink;
	return 0;
}
