/*
 * dwarf_lines.c - a module's line table as one list of rows by address,
 * for symfileline() and the other line functions (lines.c embeds it).
 *
 * Each CU's rows (libdw's dwarf_getsrclines) go into one list sorted by
 * address.  Several rows at one address keep the last that has a line;
 * a row ending a sequence (or of line 0) says "no line from here".  A
 * row that repeats the file and line of the one before it adds nothing
 * and goes.
 */
#include <stdlib.h>
#include <string.h>
#include "stap.h"
#include "dwarf.h"
#include "dwarf_int.h"

typedef struct RawRow {
	DwLineRow row;
	size_t order;		/* in the CU's table: keeps equal addresses in order */
} RawRow;

static int compare_rows(const void *a, const void *b)
{
	const RawRow *x = a, *y = b;
	if (x->row.addr != y->row.addr)
		return x->row.addr < y->row.addr ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Appends one CU's rows to *raw (of *n, room for *cap). */
static void cu_rows(DwModule *m, Dwarf_Die *cu, RawRow **raw, size_t *n, size_t *cap)
{
	Dwarf_Lines *lines;
	size_t count;
	if (dwarf_getsrclines(cu, &lines, &count) != 0)
		return;
	for (size_t i = 0; i < count; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i);
		Dwarf_Addr addr;
		int line = 0;
		bool end = false;
		if (!l || dwarf_lineaddr(l, &addr) != 0)
			continue;
		dwarf_lineno(l, &line);
		dwarf_lineendsequence(l, &end);
		const char *file = end || line <= 0 ? NULL : dwarf_linesrc(l, NULL, NULL);
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 4096;
			*raw = realloc(*raw, *cap * sizeof(**raw));
			if (!*raw)
				fatal("out of memory reading the line table of %s", m->path);
		}
		RawRow *r = &(*raw)[(*n)++];
		r->row.addr = addr;	/* the file's own addresses: link-time */
		r->row.file = file ? intern_str(file) : NULL;
		r->row.line = file ? line : 0;
		r->order = *n;
	}
}

/* The row that stands for those at one address: the last with a line. */
static const DwLineRow *pick_row(const RawRow *raw, size_t from, size_t to)
{
	const DwLineRow *pick = &raw[to - 1].row;
	for (size_t i = from; i < to; i++)
		if (raw[i].row.file)
			pick = &raw[i].row;
	return pick;
}

DwLineRow *dw_line_rows(DwModule *m, size_t *nrows)
{
	RawRow *raw = NULL;
	size_t n = 0, cap = 0;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(m->dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(m->dw, off + hsize, &cu))
			cu_rows(m, &cu, &raw, &n, &cap);
		off = next;
	}
	qsort(raw, n, sizeof(*raw), compare_rows);
	DwLineRow *out = arena_alloc((n ? n : 1) * sizeof(*out));
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && raw[j].row.addr == raw[i].row.addr)
			j++;
		const DwLineRow *r = pick_row(raw, i, j);
		bool same = k > 0 && out[k - 1].file == r->file && out[k - 1].line == r->line;
		if (!same && (k > 0 || r->file))
			out[k++] = *r;
		i = j;
	}
	free(raw);
	*nrows = k;
	return out;
}
