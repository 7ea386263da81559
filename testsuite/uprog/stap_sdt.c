// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_sdt.c - SDT markers (<sys/sdt.h>) for the tests of
 * process("PATH").mark: a program that runs N rounds (its argument,
 * default 2) of markers whose operands the compiler places in registers
 * (sub-registers too), frame slots, memory through a pointer, a global
 * (%rip-relative at -O2), constants and a pointer to a struct, with
 * signed negative values of several sizes, and two operands written by
 * hand (an indexed address, %ah).  Every marker has a semaphore (_SDT_HAS_SEMAPHORES, the
 * header's way, as dtrace -G makes them); "guarded" fires only when its
 * semaphore says a tracer is there, and the program prints the
 * semaphores of "guarded" and "plain" at its end.  With -DSDT_LIB it
 * also calls stap_sdt_lib.c's library, whose marker has no semaphore.
 */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <stdio.h>
#include <stdlib.h>

#define SEMAPHORE(name) \
	__extension__ unsigned short sdtdemo_##name##_semaphore \
	__attribute__((unused, section(".probes")))
SEMAPHORE(step);
SEMAPHORE(consts);
SEMAPHORE(global);
SEMAPHORE(guarded);
SEMAPHORE(plain);
SEMAPHORE(pair);
SEMAPHORE(indexed);
#define SDTDEMO_GUARDED_ENABLED() __builtin_expect(sdtdemo_guarded_semaphore, 0)

#ifdef SDT_LIB
long sdtlib_scale(long x);
#endif

struct pair {
	long a;
	int b;
};

long total = 1000;

__attribute__((noinline)) static void step(int i, struct pair *p)
{
	int neg = -i - 1;
	signed char small = (signed char)-i;
	short wide = (short)(-1000 * i);

	STAP_PROBE5(sdtdemo, step, i, neg, small, p->a, wide);
	STAP_PROBE2(sdtdemo, consts, 7, -9);
	STAP_PROBE1(sdtdemo, global, total);
	STAP_PROBE1(sdtdemo, pair, p);
	if (SDTDEMO_GUARDED_ENABLED()) {
		printf("guarded on\n");
		STAP_PROBE1(sdtdemo, guarded, i * 10);
	}
	DTRACE_PROBE(sdtdemo, plain);
}

/*
 * Operands the compiler does not choose at these levels, written by hand
 * (STAP_PROBE_ASM): memory at an indexed address (v[2 + 1]) and the
 * byte above %al (0xfe: -2 as signed).
 */
__attribute__((noinline)) static void indexed(const long *v)
{
	__asm__ __volatile__("movq %0, %%rsi\n\t"
			     "movl $2, %%edx\n\t"
			     "movl $0xfe00, %%eax\n"
			     STAP_PROBE_ASM(sdtdemo, indexed, -8@8(%%rsi,%%rdx,8) -1@%%ah)
			     : : "r"(v) : "rax", "rdx", "rsi", "memory");
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2;
	struct pair p = { 0, 0 };

	for (int i = 1; i <= n; i++) {
		p.a = 100 * i;
		p.b = -7 * i;
		total += i;
		step(i, &p);
		long v[4] = { 10, 20, -30, -40 * i };
		indexed(v);
#ifdef SDT_LIB
		sdtlib_scale(i);
#endif
	}
	printf("semaphores: guarded %d, plain %d\n", sdtdemo_guarded_semaphore,
	       sdtdemo_plain_semaphore);
	return 0;
}
