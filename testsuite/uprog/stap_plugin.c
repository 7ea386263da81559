// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_plugin.c - libstap_plugin.so, which stap_shlib_main loads with
 * dlopen: no DT_NEEDED names it, so stap --vm copies it only when -d does.
 */
__attribute__((noipa)) int plugin_triple(int n)
{
	return 3 * n;
}
