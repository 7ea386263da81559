// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_workers.c - a user program for the tests of process("PATH") probes
 * in threads: three threads each call work() once with their number;
 * main prints how many calls there were.  count() is one atomic
 * increment: built -O2 its first instruction has a LOCK prefix, which the
 * kernel's uprobes refuse.
 */
#include <pthread.h>
#include <stdio.h>

long hits;	/* a global: static data of the PIE, read from every thread */

__attribute__((noipa)) void count(void)
{
	__atomic_add_fetch(&hits, 1, __ATOMIC_RELAXED);
}

__attribute__((noipa)) long work(long id)
{
	count();
	return id * 10;
}

static void *run(void *arg)
{
	work((long)arg);
	return NULL;
}

int main(void)
{
	pthread_t t[3];

	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, run, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	printf("hits %ld\n", hits);
	return 0;
}
