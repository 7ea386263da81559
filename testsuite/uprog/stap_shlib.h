/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stap_shlib.h - the shared library of the library tests (stap_shlib.c) */
#ifndef STAP_SHLIB_H
#define STAP_SHLIB_H

int shlib_square(int x);
long shlib_apply(long (*fn)(long), long v);
int shlib_cube(int x);
double shlib_half(double v, int n);

#endif
