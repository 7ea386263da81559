/*
 * format.c - printf format strings: %[flags][width][.precision]conversion.
 *
 * Parsed once at translation time; emit.c turns each piece into a call
 * to the runtime's formatting functions, so the module never parses a
 * format string.
 */
#include <stdlib.h>
#include <string.h>
#include "stap.h"

static const char *conversions = "diuxXocspbmM";

int parse_format(const char *fmt, FmtSpec *specs, int max, const char **err)
{
	int n = 0;
	const char *p = fmt;
	Buf lit = {0};
	while (*p) {
		if (*p != '%' || p[1] == '%') {
			buf_putc(&lit, *p);
			p += *p == '%' ? 2 : 1;
			continue;
		}
		if (lit.len) {
			if (n == max)
				goto too_many;
			specs[n++] = (FmtSpec){ .conv = 0, .literal = lit.s, .width = -1, .prec = -1 };
			lit = (Buf){0};
		}
		const char *start = p++;
		FmtSpec s = { .width = -1, .prec = -1 };
		int nflags = 0;
		while (*p && strchr("-+ #0", *p)) {
			if (nflags < (int)sizeof(s.flags) - 1 && !strchr(s.flags, *p))
				s.flags[nflags++] = *p;
			p++;
		}
		if (*p == '*') {
			s.width = -2;
			p++;
		} else if (*p >= '0' && *p <= '9') {
			s.width = (int)strtol(p, (char **)&p, 10);
			if (s.width > 4096) {
				*err = arena_printf("width in '%.*s' is too large (at most 4096)",
						    (int)(p - start), start);
				return -1;
			}
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				s.prec = -2;
				p++;
			} else {
				s.prec = (int)strtol(p, (char **)&p, 10);
				if (s.prec > 4096) {
					*err = arena_printf("precision in '%.*s' is too large (at most 4096)",
							    (int)(p - start), start);
					return -1;
				}
			}
		}
		while (*p == 'l' || *p == 'h' || *p == 'L' || *p == 'z' || *p == 'j')
			p++;	/* every number is 64-bit: length modifiers change nothing */
		if (!*p || !strchr(conversions, *p)) {
			if (*p)
				*err = arena_printf("unknown conversion '%%%c' in format (known: %%d %%i "
						    "%%u %%x %%X %%o %%c %%s %%p %%b %%m %%M %%%%)", *p);
			else
				*err = "format ends in the middle of a conversion";
			return -1;
		}
		s.conv = *p++;
		s.arg_type = s.conv == 's' ? TY_STRING : TY_LONG;	/* %m reads an address */
		if (n == max)
			goto too_many;
		specs[n++] = s;
	}
	if (lit.len) {
		if (n == max)
			goto too_many;
		specs[n++] = (FmtSpec){ .conv = 0, .literal = lit.s, .width = -1, .prec = -1 };
	}
	return n;
too_many:
	*err = arena_printf("format has more than %d pieces", max);
	return -1;
}
