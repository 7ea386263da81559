/*
 * stap_plt.c - calls into libc through the program's PLT a known number
 * of times, for cli/plt_entries.sh: N (argv[1], default 3) rounds of
 * malloc and free, 2N writes of one line to /dev/null, and getpid N + 1
 * times.  Then it prints what it did.  Built with -DPLT_LIB, it also has
 * libstap_plt.so (stap_plt_lib.c) call getpid twice through that
 * library's own PLT.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long plt_lib_pids(int k);

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	int fd = open("/dev/null", O_WRONLY);
	long sum = getpid() > 0;

	for (int i = 0; i < n; i++) {
		char *p = malloc(64 + i);

		if (!p)
			return 1;
		memset(p, 'x', 8);
		sum += write(fd, p, 8) + write(fd, "\n", 1) + (getpid() > 0);
		free(p);
	}
	close(fd);
#ifdef PLT_LIB
	sum += plt_lib_pids(2);
#endif
	printf("rounds %d sum %ld\n", n, sum);
	return 0;
}
