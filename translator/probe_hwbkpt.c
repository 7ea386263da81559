/*
 * probe_hwbkpt.c - kernel.data(ADDRESS) and kernel.data("SYMBOL"), then
 * .write or .rw, with .length(N) before them if wanted: a hardware
 * watchpoint (a debug register of every CPU) on N bytes of kernel memory,
 * which runs the probe after each instruction that writes (.write) or
 * reads or writes (.rw) them (runtime/hwbkpt.c).
 *
 * An ADDRESS must be a kernel address aligned to the length, which is
 * 1, 2, 4 or 8 (3 and 5 to 7 are rounded up, as in SystemTap; the
 * default is 1).  A SYMBOL is a symbol of the kernel image, read from its
 * debuginfo and relocated at load time as @var is (KASLR), or a variable
 * of a module that the script names elsewhere (module("NAME") points, -d
 * NAME.ko), looked up where that module is loaded when the script
 * starts.  x86 CPUs have 4 debug registers: a script may have 4
 * watchpoints, fewer when something else (a debugger, perf) holds some,
 * which the kernel says when the script starts.
 */
#include <string.h>
#include "stap.h"
#include "dwarf.h"

#define HWBKPT_SLOTS 4			/* x86's debug registers DR0 to DR3 */
#define KERNEL_START 0xffff800000000000ull	/* x86-64's upper half */

typedef struct HwbkptData {
	uint64_t addr;		/* absolute, or link-time (kaslr) */
	bool kaslr;		/* a symbol of the kernel image */
	const char *module;	/* a module's symbol: looked up at load time */
	const char *symbol;
	int len;		/* 1, 2, 4 or 8 */
	bool rw;		/* .rw, else .write */
	bool optional;
} HwbkptData;

static const char *hwbkpt_seconds[] = { "data", NULL };
static const char *hwbkpt_suffixes[] = { "data", "length", "write", "rw", NULL };
static const char *const hwbkpt_shapes[] = {
	"kernel.data(N).write", "kernel.data(N).rw",
	"kernel.data(N).length(N).write", "kernel.data(N).length(N).rw",
	"kernel.data(S).write", "kernel.data(S).rw",
	"kernel.data(S).length(N).write", "kernel.data(S).length(N).rw",
	NULL,
};

static bool usage_error(Loc loc)
{
	error_at(loc, "semantic error", "no match for probe point: say kernel.data(ADDRESS) or "
		 "kernel.data(\"SYMBOL\"), then .length(N) if you like, then .write or .rw");
	return false;
}

/* The length the debug registers watch for n bytes: 1, 2, 4 or 8. */
static int watch_length(Component *c, int64_t n)
{
	if (n < 1 || n > 8) {
		error_at(c->arg->loc, "semantic error", "a watchpoint's length is 1 to 8 bytes, "
			 "not %lld", (long long)n);
		return 0;
	}
	return n <= 2 ? (int)n : n <= 4 ? 4 : 8;
}

static bool check_address(Component *c, uint64_t addr, int len)
{
	if (addr < KERNEL_START) {
		error_at(c->arg->loc, "semantic error", "kernel.data(0x%llx): not a kernel address "
			 "(those are 0x%llx and above)", (unsigned long long)addr, KERNEL_START);
		return false;
	}
	if (addr % len) {
		error_at(c->arg->loc, "semantic error", "kernel.data(0x%llx): a watchpoint of %d "
			 "bytes must start at a multiple of %d", (unsigned long long)addr, len, len);
		return false;
	}
	return true;
}

/* The modules a symbol may be in: -d NAME.ko, and the script's module("NAME"). */
static void candidate_modules(Vec *names)
{
	Session *s = cur_session;
	for (int i = 0; i < s->kmod_files.len; i++)
		vec_push(names, s->kmod_files.items[i]);
	for (int i = 0; i < s->prog.probes.len; i++) {
		Probe *p = s->prog.probes.items[i];
		for (ProbePoint *pp = p->points; pp; pp = pp->next) {
			Component *c = pp->comps;
			if (strcmp(c->name, "module") == 0 && c->has_arg && c->arg->kind == ND_STR &&
			    !c->arg->str[strcspn(c->arg->str, "*?[")])
				vec_push(names, (void *)c->arg->str);
		}
	}
}

/* Where symbol is: the kernel image's (hd->addr, kaslr) or a module's. */
static bool find_symbol(Component *c, const char *symbol, HwbkptData *hd)
{
	const char *why = NULL;
	DwModule *kernel = dwarf_open_module(NULL, &why);
	if (!kernel) {
		error_at(c->arg->loc, "semantic error", "kernel.data(\"%s\") needs the kernel's "
			 "debuginfo: %s", symbol, why ? why : "none found");
		return false;
	}
	hd->addr = dw_symbol_address(kernel, symbol);
	if (hd->addr) {
		hd->kaslr = true;
		return true;
	}
	Vec mods = {0};
	candidate_modules(&mods);
	for (int i = 0; i < mods.len; i++) {
		DwModule *m = dwarf_open_module(mods.items[i], &why);
		DwLoc loc;
		if (m && dw_find_global(m, symbol, &loc)) {
			hd->module = dw_module_name(m);
			hd->symbol = symbol;
			return true;
		}
	}
	error_at(c->arg->loc, "semantic error", "kernel.data(\"%s\"): no such symbol in the "
		 "kernel%s", symbol, mods.len ? " or in the modules the script names" : "");
	return false;
}

/* How many watchpoints the script has so far, this one included. */
static int watchpoints_in(Vec *out)
{
	int n = 0;
	for (int i = 0; i < out->len; i++)
		n += ((DerivedProbe *)out->items[i])->family == &family_hwbkpt;
	return n;
}

static bool resolve_hwbkpt(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	Component *data = c->next, *x = data->next, *len = NULL;
	if (c->has_arg || !data->has_arg)
		return usage_error(data->loc);
	if (x && strcmp(x->name, "length") == 0) {
		if (!x->has_arg || x->arg->kind != ND_NUM)
			return usage_error(x->loc);
		len = x;
		x = x->next;
	}
	if (!x || x->has_arg || x->next || (strcmp(x->name, "write") && strcmp(x->name, "rw")))
		return usage_error(x ? x->loc : data->loc);
	HwbkptData *hd = arena_alloc(sizeof(*hd));
	hd->rw = x->name[0] == 'r';
	hd->optional = pp->optional;
	hd->len = len ? watch_length(len, len->arg->num) : 1;
	if (!hd->len)
		return false;
	Buf b = {0};
	if (data->arg->kind == ND_NUM) {
		hd->addr = (uint64_t)data->arg->num;
		if (!check_address(data, hd->addr, hd->len))
			return false;
		buf_printf(&b, "kernel.data(0x%llx)", (unsigned long long)hd->addr);
	} else {
		if (!find_symbol(data, data->arg->str, hd))
			return false;
		if (hd->kaslr && hd->addr % hd->len) {
			error_at(data->arg->loc, "semantic error", "kernel.data(\"%s\"): it is at "
				 "0x%llx, not at a multiple of the length %d", data->arg->str,
				 (unsigned long long)hd->addr, hd->len);
			return false;
		}
		buf_printf(&b, "kernel.data(\"%s\")", data->arg->str);
	}
	if (len)
		buf_printf(&b, ".length(%lld)", (long long)len->arg->num);
	buf_printf(&b, ".%s", x->name);
	vec_push(out, new_derived(&family_hwbkpt, probe, hd, b.s));
	if (watchpoints_in(out) > HWBKPT_SLOTS && !cur_session->listing) {
		error_at(pp->loc, "semantic error", "too many hardware watchpoints: this is the "
			 "%dth, and x86 CPUs have %d debug registers", watchpoints_in(out),
			 HWBKPT_SLOTS);
		return false;
	}
	return true;
}

/* ---- the module's table ---- */

static void emit_hwbkpt(FILE *out, DerivedProbe **probes, int n)
{
	bool kaslr = false;
	fprintf(out, "static struct stp_hwbkpt stp_hwbkpts[] = {\n");
	for (int i = 0; i < n; i++) {
		HwbkptData *hd = probes[i]->data;
		fprintf(out, "\t{ .probe = &stp_probes[%d], .len = %d", probes[i]->id, hd->len);
		if (hd->module)
			fprintf(out, ", .module = \"%s\", .symbol = \"%s\"", hd->module, hd->symbol);
		else
			fprintf(out, ", .addr = 0x%llxULL", (unsigned long long)hd->addr);
		if (hd->kaslr)
			fprintf(out, ", .kaslr = true");
		if (hd->rw)
			fprintf(out, ", .rw = true");
		if (hd->optional)
			fprintf(out, ", .optional = true");
		fprintf(out, " },\n");
		kaslr |= hd->kaslr;
	}
	fprintf(out, "};\n\n");
	/* symbols of the kernel image move with KASLR: measure on an exported symbol,
	   as the DWARF family does for @var (the same definition) */
	const char *why;
	DwModule *kernel = kaslr ? dwarf_open_module(NULL, &why) : NULL;
	uint64_t link = kernel ? dw_symbol_address(kernel, "jiffies_64") : 0;
	if (link)
		fprintf(out, "#ifndef STP_KASLR_ANCHOR\n"
			"#define STP_KASLR_ANCHOR ((unsigned long)&jiffies_64)\n"
			"#define STP_KASLR_ANCHOR_LINK 0x%llxULL\n"
			"#endif\n\n", (unsigned long long)link);
}

ProbeFamily family_hwbkpt = {
	.name = "hwbkpt",
	.first = "kernel",
	.seconds = hwbkpt_seconds,
	.resolve = resolve_hwbkpt,
	.emit = emit_hwbkpt,
	.suffixes = hwbkpt_suffixes,
	.shapes = hwbkpt_shapes,
	.table_name = "stp_hwbkpts",
	.ops_name = "stp_hwbkpt_ops",
};
