// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lines.c - the file and line of an address: symfileline(),
 * usymfileline() and the other line functions.
 *
 * The translator embeds line tables in the form translator/lines.c
 * describes: blocks of up to STP_LINES_BLOCK rows, each block's first
 * row in an index, the others as deltas.  A lookup finds the block by
 * binary search and decodes at most one block: no allocation, no lock,
 * bounded work.  Every read is checked against the table's size.
 * Kernel addresses are moved back to link time by the KASLR offset,
 * measured on an exported symbol; a program's by usym.c's mapping.
 */
#include <linux/kernel.h>
#include <linux/string.h>
/* get_unaligned: <linux/unaligned.h> since 6.12, <asm/unaligned.h> before */
#if __has_include(<linux/unaligned.h>)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif
#include "stp.h"

#define STP_LINES_MAGIC 0x4c505453	/* "STPL" */
#define STP_LINES_BLOCK 64
#define STP_LINES_HEADER 32
#define STP_LINES_INDEX 24		/* bytes of a block's entry */

struct stp_lines_view {
	const unsigned char *data;
	unsigned long size;
	u32 nfiles, nrows, nblocks;
	unsigned long blocks, files, pool, stream, stream_end;	/* offsets */
	u64 anchor_link;
};

static bool stp_lines_open(const struct stp_lines *t, struct stp_lines_view *v)
{
	const unsigned char *d = t->data;
	u32 pool_size, stream_size;

	if (!t->data || t->size < STP_LINES_HEADER || get_unaligned_le32(d) != STP_LINES_MAGIC)
		return false;
	v->data = d;
	v->size = t->size;
	v->nfiles = get_unaligned_le32(d + 4);
	v->nrows = get_unaligned_le32(d + 8);
	v->nblocks = get_unaligned_le32(d + 12);
	pool_size = get_unaligned_le32(d + 16);
	stream_size = get_unaligned_le32(d + 20);
	v->anchor_link = get_unaligned_le64(d + 24);
	v->blocks = STP_LINES_HEADER;
	v->files = v->blocks + (unsigned long)v->nblocks * STP_LINES_INDEX;
	v->pool = ALIGN(v->files + (unsigned long)v->nfiles * 4, 8);
	v->stream = ALIGN(v->pool + pool_size, 8);
	v->stream_end = v->stream + stream_size;
	return v->nblocks && v->stream_end <= v->size;
}

/* A ULEB128 at *pos, which it moves past; false at the stream's end. */
static bool stp_lines_uleb(const struct stp_lines_view *v, unsigned long *pos, u64 *out)
{
	u64 val = 0;
	int shift;

	for (shift = 0; shift < 64 && *pos < v->stream_end; shift += 7) {
		unsigned char b = v->data[(*pos)++];

		val |= (u64)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = val;
			return true;
		}
	}
	return false;
}

static u64 stp_lines_block_addr(const struct stp_lines_view *v, u32 b)
{
	return get_unaligned_le64(v->data + v->blocks + (unsigned long)b * STP_LINES_INDEX);
}

/* The name of file id (1-based), or NULL. */
static const char *stp_lines_file(const struct stp_lines_view *v, u32 id)
{
	u32 off;

	if (!id || id > v->nfiles)
		return NULL;
	off = get_unaligned_le32(v->data + v->files + (unsigned long)(id - 1) * 4);
	if (v->pool + off >= v->stream)
		return NULL;
	return (const char *)v->data + v->pool + off;
}

/* The row holding link-time address addr in t. */
static bool stp_lines_find(const struct stp_lines *t, u64 addr, const char **file,
			   unsigned int *line)
{
	struct stp_lines_view v;
	const unsigned char *e;
	u32 lo, hi, b, k, n, f;
	unsigned long pos;
	u64 row_addr;
	s64 ln;

	if (!stp_lines_open(t, &v) || addr < stp_lines_block_addr(&v, 0))
		return false;
	lo = 0;
	hi = v.nblocks;		/* the block is in [lo, hi) */
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (stp_lines_block_addr(&v, mid) <= addr)
			lo = mid;
		else
			hi = mid;
	}
	b = lo;
	e = v.data + v.blocks + (unsigned long)b * STP_LINES_INDEX;
	row_addr = get_unaligned_le64(e);
	pos = v.stream + get_unaligned_le32(e + 8);
	f = get_unaligned_le32(e + 12);
	ln = get_unaligned_le32(e + 16);
	n = min_t(u32, STP_LINES_BLOCK, v.nrows - b * STP_LINES_BLOCK);
	for (k = 1; k < n; k++) {
		u64 delta, word, nf = f;

		if (!stp_lines_uleb(&v, &pos, &delta) || !stp_lines_uleb(&v, &pos, &word) ||
		    ((word & 1) && !stp_lines_uleb(&v, &pos, &nf)))
			return false;
		if (row_addr + delta > addr)
			break;
		row_addr += delta;
		word >>= 1;
		ln += (word & 1) ? -(s64)((word + 1) >> 1) : (s64)(word >> 1);
		f = nf;
	}
	*file = stp_lines_file(&v, f);
	*line = ln;
	return *file && ln > 0;
}

bool stp_kernel_line(unsigned long addr, const char **file, unsigned int *line)
{
	const struct stp_lines *t = stp_script.klines;
	struct stp_lines_view v;

	if (!t || !stp_lines_open(t, &v))
		return false;
	if (v.anchor_link && t->anchor)
		addr -= t->anchor - v.anchor_link;
	return stp_lines_find(t, addr, file, line);
}

bool stp_user_line(unsigned long addr, const char **file, unsigned int *line)
{
	const struct stp_ubinary *b;
	unsigned long vaddr;

	if (!stp_usym_locate(addr, &b, &vaddr) || !b->lines)
		return false;
	return stp_lines_find(b->lines, vaddr, file, line);
}
