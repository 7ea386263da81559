// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_sdt_lib.c - libstap_sdt.so, a shared library with an SDT marker
 * without a semaphore, for the tests of
 * process("PATH").library("LIB").mark: stap_sdt built with -DSDT_LIB
 * calls it once a round.
 */
#include <sys/sdt.h>

__attribute__((noinline)) long sdtlib_scale(long x)
{
	long y = x * 3;

	STAP_PROBE2(sdtlib, scaled, x, y);
	return y;
}
