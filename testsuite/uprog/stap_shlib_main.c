// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_shlib_main - a program for the tests of probes in shared
 * libraries: it needs libstap_shlib.so (found next to it through its
 * RUNPATH, $ORIGIN) and loads libstap_plugin.so with dlopen, calls into
 * both, and prints the sum.
 */
#include <dlfcn.h>
#include <stdio.h>
#include "stap_shlib.h"

/* called back by the library */
static __attribute__((noipa)) long twice(long v)
{
	return 2 * v;
}

int main(void)
{
	long sum = 0;

	for (int i = 1; i <= 2; i++)
		sum += shlib_square(i) + shlib_apply(twice, i);
	sum += shlib_cube(2);
	sum += (long)shlib_half(5.0, 1);
	void *plugin = dlopen("libstap_plugin.so", RTLD_NOW);
	int (*triple)(int) = plugin ? (int (*)(int))dlsym(plugin, "plugin_triple") : NULL;
	if (!triple) {
		printf("no plugin: %s\n", dlerror());
		return 1;
	}
	sum += triple(5);
	printf("sum %ld\n", sum);
	return 0;
}
