/*
 * lines.c - line tables in the module, for symfileline(), usymfileline()
 * and the other line functions.
 *
 * Only a script that uses them pays for them: a used tapset function
 * whose embedded C says "pragma:lines" brings the kernel's table,
 * "pragma:ulines" the table of each program that process("PATH") probes
 * or -d names.  A table is the rows of dwarf_lines.c in a compact form
 * (the kernel's 2 million rows take about 6 MB): the translator writes
 * it to a file next to the module's C, which includes it with .incbin,
 * and runtime/lines.c reads it in place.
 *
 * The form (all numbers little-endian), each part 8-byte aligned:
 *   header   magic "STPL", nfiles, nrows, nblocks, pool size, stream size
 *            (u32 each), the link-time address of the KASLR anchor (u64)
 *   blocks   per STP_LINES_BLOCK rows: the first row's address (u64), its
 *            offset in the stream, file and line (u32 each), and 4 bytes
 *   files    nfiles offsets (u32) into the pool of NUL-terminated names
 *   stream   for each row after a block's first: the address delta
 *            (ULEB128), then the line delta, zigzag, shifted left once
 *            with 1 in the low bit when a new file (ULEB128) follows
 * File 0 is "no line" (the end of a sequence); the others are 1-based.
 */
#include <errno.h>
#include <string.h>
#include "stap.h"
#include "emit.h"
#include "dwarf.h"

#define STP_LINES_MAGIC 0x4c505453	/* "STPL" */
#define STP_LINES_BLOCK 64		/* rows a lookup decodes at most */

static void put_u32(Buf *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		buf_putc(b, (char)(v >> (8 * i)));
}

static void put_u64(Buf *b, uint64_t v)
{
	put_u32(b, (uint32_t)v);
	put_u32(b, (uint32_t)(v >> 32));
}

static void put_uleb(Buf *b, uint64_t v)
{
	do {
		unsigned char byte = v & 0x7f;
		v >>= 7;
		buf_putc(b, (char)(byte | (v ? 0x80 : 0)));
	} while (v);
}

static void align8(Buf *b)
{
	while (b->len % 8)
		buf_putc(b, 0);
}

/* The files' numbers: 0 for none, then 1, 2 ... in order of first use. */
static uint32_t file_id(const char *file, Vec *files)
{
	if (!file)
		return 0;
	for (int i = files->len - 1; i >= 0 && i >= files->len - 8; i--)
		if (files->items[i] == file)	/* interned: recent ones first */
			return (uint32_t)i + 1;
	for (int i = 0; i < files->len; i++)
		if (files->items[i] == file)
			return (uint32_t)i + 1;
	vec_push(files, (void *)file);
	return (uint32_t)files->len;
}

/* The rows in the form above; anchor_link is 0 for a program. */
static Buf encode_rows(const DwLineRow *rows, size_t n, uint64_t anchor_link)
{
	Vec files = {0};
	Buf blocks = {0}, stream = {0}, offsets = {0}, pool = {0}, out = {0};
	uint32_t file = 0;
	int line = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t f = file_id(rows[i].file, &files);
		if (i % STP_LINES_BLOCK == 0) {
			put_u64(&blocks, rows[i].addr);
			put_u32(&blocks, (uint32_t)stream.len);
			put_u32(&blocks, f);
			put_u32(&blocks, (uint32_t)rows[i].line);
			put_u32(&blocks, 0);
		} else {
			int64_t d = (int64_t)rows[i].line - line;
			uint64_t zig = d < 0 ? ((uint64_t)(-d) << 1) - 1 : (uint64_t)d << 1;
			put_uleb(&stream, rows[i].addr - rows[i - 1].addr);
			put_uleb(&stream, zig << 1 | (f != file));
			if (f != file)
				put_uleb(&stream, f);
		}
		file = f;
		line = rows[i].line;
	}
	for (int i = 0; i < files.len; i++) {
		put_u32(&offsets, (uint32_t)pool.len);
		buf_puts(&pool, files.items[i]);
		buf_putc(&pool, 0);
	}
	put_u32(&out, STP_LINES_MAGIC);
	put_u32(&out, (uint32_t)files.len);
	put_u32(&out, (uint32_t)n);
	put_u32(&out, (uint32_t)((n + STP_LINES_BLOCK - 1) / STP_LINES_BLOCK));
	put_u32(&out, (uint32_t)pool.len);
	put_u32(&out, (uint32_t)stream.len);
	put_u64(&out, anchor_link);
	struct { Buf *part; } parts[] = { { &blocks }, { &offsets }, { &pool }, { &stream } };
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		for (size_t j = 0; j < parts[i].part->len; j++)
			buf_putc(&out, parts[i].part->s[j]);
		align8(&out);
	}
	return out;
}

bool program_needs_lines(Program *prog, const char *pragma)
{
	for (int i = 0; i < prog->funcs.len; i++) {
		Func *f = prog->funcs.items[i];
		if (f->is_embedded && strstr(f->body->str, pragma))
			return true;
	}
	return false;
}

/*
 * m's table in a file next to the module's C and "static const struct
 * stp_lines NAME", which includes it; anchor is the C of the KASLR
 * anchor's run-time address ("0" for a program).  False when m has no
 * line table.
 */
bool emit_line_table(FILE *out, Session *s, DwModule *m, const char *name,
		     const char *anchor, uint64_t anchor_link)
{
	size_t n;
	DwLineRow *rows = dw_line_rows(m, &n);
	if (!n)
		return false;
	Buf blob = encode_rows(rows, n, anchor_link);
	const char *path = arena_printf("%s/%s.bin", s->tmp_dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(blob.s, 1, blob.len, f) != blob.len || fclose(f) != 0)
		fatal("cannot write %s: %s", path, strerror(errno));
	fprintf(out, "/* the line table of %s: %zu rows (runtime/lines.c) */\n",
		dw_module_name(m), n);
	fprintf(out, "asm(\".pushsection .rodata.stp_lines, \\\"a\\\"\\n\"\n"
		"    \"\\t.balign 8\\n%s_data:\\n\"\n"
		"    \"\\t.incbin \\\"%s\\\"\\n\"\n"
		"    \"\\t.popsection\\n\");\n", name, path);
	fprintf(out, "extern const unsigned char %s_data[];\n", name);
	fprintf(out, "static const struct stp_lines %s = { %s_data, %zu, %s };\n\n", name, name,
		blob.len, anchor);
	return true;
}

/* The kernel's table, "stp_klines", if it has debuginfo; else false. */
bool emit_kernel_lines(FILE *out, Session *s)
{
	const char *why;
	DwModule *kernel = dwarf_open_module(NULL, &why);
	if (!kernel) {
		error_plain(NULL, "symfileline() and the other line functions need the "
			    "kernel's line table: %s", why);
		return false;
	}
	uint64_t link = dw_symbol_address(kernel, "jiffies_64");
	return emit_line_table(out, s, kernel, "stp_klines",
			       link ? "(unsigned long)&jiffies_64" : "0", link);
}
