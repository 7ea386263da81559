// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * print.c - the print family's output: into a probe hit's output buffer
 * (flushed to stapio when the hit ends, or when it fills), or into a
 * script string (cut at its size).
 *
 * The translator has already parsed every format string; what arrives
 * here is one conversion at a time (struct stp_fmt) and its value.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/uaccess.h>
#include "stp.h"

void stp_flush_output(struct stp_context *c)
{
	stp_transport_write(STP_MSG_OUTPUT, c->out.buf, c->out.len);
	c->out.len = 0;
}

/* Room for n more bytes; an output buffer is flushed to make it. */
static u32 stp_sink_room(struct stp_sink *s, size_t n)
{
	u32 room = s->cap - s->len - (s->is_output ? 0 : 1);

	if (room >= n || !s->is_output || !s->len)
		return room;
	stp_flush_output(container_of(s, struct stp_context, out));
	return s->cap;
}

void stp_put_mem(struct stp_sink *s, const char *mem, size_t n)
{
	while (n) {
		u32 room = stp_sink_room(s, n);
		size_t k = min_t(size_t, n, room);

		if (!k)
			break;
		memcpy(s->buf + s->len, mem, k);
		s->len += k;
		mem += k;
		n -= k;
		if (!s->is_output)
			break;	/* a string is full: cut */
	}
	if (!s->is_output)
		s->buf[s->len] = '\0';
}

void stp_put_str(struct stp_sink *s, const char *str)
{
	stp_put_mem(s, str, strlen(str));
}

void stp_put_char(struct stp_sink *s, char ch)
{
	stp_put_mem(s, &ch, 1);
}

void stp_put_long(struct stp_sink *s, s64 v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%lld", v);

	stp_put_mem(s, buf, n);
}

/*
 * Formats with the kernel's vsnprintf into the sink's free space; a
 * result larger than the space is flushed (output) or cut (strings).
 * Every sink's buffer has a byte past cap for vsnprintf's NUL, so that
 * room + 1 is its size, and a result of exactly room bytes fits whole.
 * Numbers and characters are at most a clamped width (4096) and a few
 * digits; strings go through stp_put_mem, never cut in an output sink.
 */
static void stp_put_printf(struct stp_sink *s, const char *fmt, ...)
{
	va_list ap;
	u32 room;
	int n;

	room = stp_sink_room(s, 64);
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, room + 1, fmt, ap);
	va_end(ap);
	if (n <= (int)room) {
		s->len += n;
		return;
	}
	if (!s->is_output) {
		s->len += room;
		return;
	}
	/* did not fit: start a fresh buffer and cut at its size */
	stp_flush_output(container_of(s, struct stp_context, out));
	va_start(ap, fmt);
	n = vsnprintf(s->buf, s->cap + 1, fmt, ap);
	va_end(ap);
	s->len = min_t(u32, n, s->cap);
}

/*
 * "%-+ #0" flags and a '*' width, then ".*" when there is a precision
 * (with one, C ignores the '0' flag on numbers, so it must be left out).
 */
static char *stp_fmt_prefix(char *p, const struct stp_fmt *f)
{
	*p++ = '%';
	if (f->flags & STP_FMT_LEFT)
		*p++ = '-';
	if (f->flags & STP_FMT_PLUS)
		*p++ = '+';
	if (f->flags & STP_FMT_SPACE)
		*p++ = ' ';
	if (f->flags & STP_FMT_ALT)
		*p++ = '#';
	if (f->flags & STP_FMT_ZERO)
		*p++ = '0';
	*p++ = '*';
	if (f->prec >= 0) {
		*p++ = '.';
		*p++ = '*';
	}
	return p;
}

/* Formats one value with fmt, passing the precision only when fmt has it. */
#define stp_put_fmt(s, f, fmt, width, value)					\
	do {									\
		if ((f)->prec >= 0)						\
			stp_put_printf(s, fmt, width, (int)(f)->prec, value);	\
		else								\
			stp_put_printf(s, fmt, width, value);			\
	} while (0)

static void stp_fmt_binary(struct stp_sink *s, const struct stp_fmt *f, s64 v)
{
	int n = f->width > 0 ? f->width : 8;
	union { u8 b1; u16 b2; u32 b4; u64 b8; } u;

	switch (n) {
	case 1:
		u.b1 = v;
		break;
	case 2:
		u.b2 = v;
		break;
	case 4:
		u.b4 = v;
		break;
	default:
		n = 8;
		u.b8 = v;
		break;
	}
	stp_put_mem(s, (const char *)&u, n);
}

/* n bytes, padded with spaces to the conversion's width */
static void stp_put_padded_mem(struct stp_sink *s, const struct stp_fmt *f,
			       const char *mem, int n)
{
	int pad = f->width > n ? f->width - n : 0;

	if (!(f->flags & STP_FMT_LEFT))
		for (; pad > 0; pad--)
			stp_put_char(s, ' ');
	stp_put_mem(s, mem, n);
	for (; pad > 0; pad--)
		stp_put_char(s, ' ');
}

/*
 * %m and %M: precision bytes (1 by default) of kernel memory at address v,
 * or of user memory with '#', read safely; %M writes them in hex.
 */
static void stp_fmt_memory(struct stp_sink *s, const struct stp_fmt *f, s64 v)
{
	static const char hex[] = "0123456789abcdef";
	char bytes[64], text[2 * sizeof(bytes)];
	int n = f->prec > 0 ? min_t(int, f->prec, sizeof(bytes)) : 1;
	int i, fault;

	if (f->flags & STP_FMT_ALT)
		fault = copy_from_user_nofault(bytes, (const void __user *)(unsigned long)v, n);
	else
		fault = copy_from_kernel_nofault(bytes, (const void *)(unsigned long)v, n);
	if (fault) {
		stp_put_str(s, "<unreadable>");
		return;
	}
	if (f->conv == 'm') {
		stp_put_padded_mem(s, f, bytes, n);
		return;
	}
	for (i = 0; i < n; i++) {
		text[2 * i] = hex[(u8)bytes[i] >> 4];
		text[2 * i + 1] = hex[bytes[i] & 0xf];
	}
	stp_put_padded_mem(s, f, text, 2 * n);
}

/* %#c: a byte that does not print is escaped, as C would write it */
static void stp_fmt_char_escaped(struct stp_sink *s, const struct stp_fmt *f, u8 ch)
{
	static const char from[] = "\a\b\f\n\r\t\v'\\", to[] = "abfnrtv'\\";
	const char *e = ch ? strchr(from, ch) : NULL;
	char buf[4];
	int n = 0;

	if (isascii(ch) && isprint(ch) && ch != '\'' && ch != '\\') {
		buf[n++] = ch;
	} else if (e) {
		buf[n++] = '\\';
		buf[n++] = to[e - from];
	} else {
		buf[n++] = '\\';
		buf[n++] = '0' + (ch >> 6);
		buf[n++] = '0' + ((ch >> 3) & 7);
		buf[n++] = '0' + (ch & 7);
	}
	stp_put_padded_mem(s, f, buf, n);
}

void stp_fmt_long(struct stp_sink *s, const struct stp_fmt *f, s64 v)
{
	struct stp_fmt pf;
	char fmt[16];
	char *p;
	int width = f->width;

	/*
	 * SystemTap's %#o puts its "0" before the digits even when they are
	 * "0" (printing "00"), where C prints "0": one more digit of precision.
	 */
	if (f->conv == 'o' && (f->flags & STP_FMT_ALT) && v == 0) {
		pf = *f;
		pf.flags &= ~STP_FMT_ALT;
		pf.prec = max_t(s16, f->prec, 1) + 1;
		f = &pf;
	}
	p = stp_fmt_prefix(fmt, f);
	switch (f->conv) {
	case 'b':
		stp_fmt_binary(s, f, v);
		return;
	case 'm':
	case 'M':
		stp_fmt_memory(s, f, v);
		return;
	case 'c':
		if (f->flags & STP_FMT_ALT) {
			stp_fmt_char_escaped(s, f, (u8)v);
			return;
		}
		*p++ = 'c';
		*p = '\0';
		stp_put_fmt(s, f, fmt, width < 0 ? 0 : width, (int)(char)v);
		return;
	case 'p':
		/*
		 * SystemTap's %p is %#x (the kernel's %p would hash it): the
		 * width pads "0x" and the digits together.
		 */
		pf = *f;
		pf.flags |= STP_FMT_ALT;
		p = stp_fmt_prefix(fmt, &pf);
		*p++ = 'l';
		*p++ = 'l';
		*p++ = 'x';
		*p = '\0';
		stp_put_fmt(s, f, fmt, width < 0 ? 0 : width, (u64)v);
		return;
	case 'd':
	case 'i':
		*p++ = 'l';
		*p++ = 'l';
		*p++ = 'd';
		break;
	default:	/* u x X o */
		*p++ = 'l';
		*p++ = 'l';
		*p++ = f->conv;
		break;
	}
	*p = '\0';
	stp_put_fmt(s, f, fmt, width < 0 ? 0 : width, v);
}

/* A string with C escapes, as a script would write it ($var$, $$parms). */
void stp_put_escaped(struct stp_sink *s, const char *str)
{
	for (; *str; str++) {
		unsigned char ch = *str;
		char esc[5];

		switch (ch) {
		case '\n': stp_put_str(s, "\\n"); break;
		case '\t': stp_put_str(s, "\\t"); break;
		case '\r': stp_put_str(s, "\\r"); break;
		case '"': stp_put_str(s, "\\\""); break;
		case '\\': stp_put_str(s, "\\\\"); break;
		default:
			if (ch < 32 || ch >= 127) {
				snprintf(esc, sizeof(esc), "\\%03o", ch);
				stp_put_str(s, esc);
			} else {
				stp_put_char(s, ch);
			}
		}
	}
}

/*
 * %s: at most precision bytes of str, padded with spaces to the width
 * ('-': on the right), as the kernel's vsnprintf pads it; as in
 * SystemTap, '#' changes nothing.  Put with stp_put_mem, so that a
 * string longer than the output buffer is flushed in pieces, not cut.
 */
void stp_fmt_str(struct stp_sink *s, const struct stp_fmt *f, const char *str)
{
	size_t n = f->prec >= 0 ? strnlen(str, f->prec) : strlen(str);

	stp_put_padded_mem(s, f, str, n);
}

int stp_clamp_width(s64 v)
{
	if (v < 0)
		return -1;
	return v > 4096 ? 4096 : (int)v;
}
