// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_testprog - a user program for process("PATH") probe tests: each
 * function takes a kind of argument (ints, a string, a struct pointer,
 * an array) and main calls them with known values, then exits.  Built
 * with -g -O0, static (it runs in the VM's busybox initramfs) and not
 * position-independent (link-time addresses are run-time addresses).
 *
 *	stap_testprog [N]	calls everything N times (default 1)
 */
#include <stdio.h>
#include <stdlib.h>

struct point {
	int x;
	int y;
	const char *label;
	unsigned flags : 3;
	unsigned mode : 5;
};

static volatile long sink;	/* keeps the calls from being optimized away */
long stp_counter = 40;		/* a global for @var */

__attribute__((noinline)) long add_ints(int a, long b)
{
	return a + b;
}

__attribute__((noinline)) int str_len(const char *s)
{
	int n = 0;

	while (s[n])
		n++;
	return n;
}

__attribute__((noinline)) int point_sum(struct point *p)
{
	return p->x + p->y;
}

__attribute__((noinline)) long array_sum(const int *v, int n)
{
	long total = 0;

	for (int i = 0; i < n; i++)
		total += v[i];
	return total;
}

__attribute__((noinline)) int fact(int n)
{
	return n <= 1 ? 1 : n * fact(n - 1);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 1;
	struct point p = { .x = 3, .y = 4, .label = "origin", .flags = 5, .mode = 17 };
	int v[4] = { 10, 20, 30, 40 };

	for (int r = 0; r < rounds; r++) {
		sink += add_ints(2, 40);
		sink += str_len("hello, probes");
		sink += point_sum(&p);
		sink += array_sum(v, 4);
		sink += fact(5);
		stp_counter++;
	}
	printf("stap_testprog: %ld\n", (long)sink);
	return 0;
}
