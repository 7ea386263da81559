/*
 * stap_plt_lib.c - libstap_plt.so, a library whose own PLT the tests
 * probe (process("P").library("libstap_plt.so").plt): plt_lib_pids
 * calls getpid k times through it.
 */
#include <unistd.h>

long plt_lib_pids(int k)
{
	long sum = 0;

	for (int i = 0; i < k; i++)
		sum += getpid() > 0;
	return sum;
}
