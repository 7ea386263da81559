/*
 * stress_prog - the uprobed program of cli/stress_tier: calls work() in a
 * loop, and with a depth argument forks a child that execs itself one
 * level deeper, then exits; probes see processes come, fork, exec and go.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int __attribute__((noinline)) work(int x)
{
	return x * 3 + 1;
}

int main(int argc, char **argv)
{
	int depth = argc > 1 ? atoi(argv[1]) : 0, sum = 0, i;
	char arg[16];
	pid_t pid;

	for (i = 0; i < 200; i++)
		sum += work(i);
	if (depth > 0) {
		pid = fork();
		if (pid == 0) {
			arg[0] = '0' + (depth - 1 > 9 ? 9 : depth - 1);
			arg[1] = '\0';
			execl("/proc/self/exe", argv[0], arg, (char *)0);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, 0, 0);
	}
	return sum == 0;
}
