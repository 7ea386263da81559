// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_shlib.c - a shared library for the tests of probes in libraries:
 * libstap_shlib.so, which stap_shlib_main needs.  shlib_apply calls back
 * into the program, so that a probe there has the library on its stack;
 * shlib_cube is a name only the symbol table has (an alias, as glibc's
 * malloc is of __libc_malloc); shlib_half takes a double.
 */
#include "stap_shlib.h"

static int calls;	/* the library's static data, wherever it is loaded */

__attribute__((noipa)) int shlib_square(int x)
{
	return x * x;
}

__attribute__((noipa)) long shlib_apply(long (*fn)(long), long v)
{
	calls++;
	return fn(v) + calls;
}

__attribute__((noipa)) int shlib_cube_impl(int x)
{
	return x * x * x;
}
int shlib_cube(int x) __attribute__((alias("shlib_cube_impl")));

__attribute__((noipa)) double shlib_half(double v, int n)
{
	return v / (2 * n);
}
