// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_account - a user program for the tests of process("PATH") probes
 * on programs built the way users build them: a dynamically linked PIE
 * (plain gcc -g on Debian), the same at -O2, a static PIE, clang's.
 * main makes a deposit into a struct and counts down with a one-line
 * function, then prints the result.
 *
 *	stap_account [N]	does it all N times (default 1)
 */
#include <stdio.h>
#include <stdlib.h>

/* kept as real calls at -O2 too (clang has no noipa) */
#ifdef __clang__
#define KEEP __attribute__((noinline))
#else
#define KEEP __attribute__((noipa))
#endif

struct account {
	const char *owner;
	long balance;
};

long total_calls;	/* a global: static data, wherever the PIE is loaded */

/* one line: the prologue and the body share the line */
KEEP int add(int a, int b) { return a + b; }

KEEP long deposit(struct account *acct, long amount)
{
	static int deposits;	/* a static local */

	if (++deposits > 1000)
		puts("busy account");
	acct->balance += amount;
	total_calls++;
	return acct->balance;
}

/* changes its parameter: a .return probe's $n is still its value at the call */
KEEP int countdown(int n)
{
	int steps = 0;

	while (n > 0) {
		n = add(n, -1);
		steps++;
	}
	return steps;
}

int main(int argc, char **argv)
{
	struct account acct = { "alice", 100 };
	int rounds = argc > 1 ? atoi(argv[1]) : 1;

	/* (a probe reads only pages the program has touched: not faulting
	   them in, it cannot sleep) */
	printf("%s opens with %ld\n", acct.owner, acct.balance);
	for (int r = 0; r < rounds; r++) {
		deposit(&acct, 25);
		countdown(2);
	}
	printf("%s has %ld after %ld calls\n", acct.owner, acct.balance, total_calls);
	return 0;
}
