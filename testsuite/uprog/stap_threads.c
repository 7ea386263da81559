// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_threads - a process of three threads, for the tests of
 * process.thread.begin and .thread.end (cli/process_threads.sh): main
 * starts two threads, one after the other (each ends before the next
 * starts), and exits once both have.  Static, for the VM's initramfs.
 *
 * pthread_join() returns when the thread has let go of its memory, before
 * the kernel is done with its exit (the sched_process_exit tracepoint
 * comes after): main waits a while after each join, so that a thread's
 * end is always reported before the next thread, or the process's end.
 */
#include <pthread.h>
#include <unistd.h>

static void *work(void *arg)
{
	usleep(10000);
	return arg;
}

int main(void)
{
	pthread_t t;
	int i;

	for (i = 0; i < 2; i++) {
		if (pthread_create(&t, NULL, work, NULL) != 0)
			return 1;
		pthread_join(t, NULL);
		usleep(200000);
	}
	return 0;
}
