// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * string.c - bounded string helpers for script strings (MAXSTRINGLEN
 * buffers): every copy is cut to the destination's size.
 */
#include <linux/string.h>
#include <linux/kernel.h>
#include "stp.h"

char *stp_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memmove(dst, src, n);
	dst[n] = '\0';
	return dst;
}

char *stp_strlcat(char *dst, const char *src, size_t size)
{
	size_t len = strnlen(dst, size - 1);
	size_t n = strnlen(src, size - 1 - len);

	memmove(dst + len, src, n);
	dst[len + n] = '\0';
	return dst;
}

char *stp_ltoa(char *dst, s64 v, size_t size)
{
	snprintf(dst, size, "%lld", v);
	return dst;
}
