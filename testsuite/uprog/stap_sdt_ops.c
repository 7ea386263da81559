// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_sdt_ops.c - SDT markers whose operands are written by hand
 * (STAP_PROBE_ASM), for cli/sdt_listing: "good" has the forms a
 * compiler may choose that stap_sdt.c's builds do not (an index without
 * a base, a global by its bare name and with an offset from %rip, the
 * low parts of %r9 to %r11, a hex displacement and constant); each of
 * the others has one operand stap must refuse.  Not meant to run.
 */
#include <sys/sdt.h>

long total = 5;

int main(void)
{
	__asm__ __volatile__(
		STAP_PROBE_ASM(ops, good, 8@(,%%rdx,8) 8@total 8@total+8(%%rip) 4@%%r9d -2@%%r10w
			       1@%%r11b 8@-0x10(%%rbp) 8@$0x7f)
		STAP_PROBE_ASM(ops, riponly, 8@8(%%rip))
		STAP_PROBE_ASM(ops, nosym, 8@nosuch(%%rip))
		STAP_PROBE_ASM(ops, size16, 16@%%rax)
		STAP_PROBE_ASM(ops, xmm, 8@%%xmm0)
		::: "memory");
	return 0;
}
