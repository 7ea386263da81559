/*
 * probe_kprobe.c - kprobe.function("name"), kprobe.function("name").return,
 * .maxactive(N), and kprobe.module("m").function("name"): probes on kernel
 * symbols by name, without debuginfo (runtime/kprobe.c).  A .return probe
 * may keep values from the entry with @entry(expr).
 *
 * Names are checked against the target kernel's function symbols in pass
 * 2 when its debuginfo vmlinux (or the module's) is at hand, so that a
 * typo is an error with suggestions, and an optional point (?) the kernel
 * lacks is dropped; otherwise the kernel checks them at registration and
 * the error names the function.
 *
 * A .return probe may keep values from the entry with @entry(expr)
 * (entry.c): a helper probe, run by the kretprobe's (or the return
 * slot's) entry handler, fills the call's slots.
 */
#include <string.h>
#include "stap.h"
#include "dwarf.h"

typedef struct KprobeData {
	const char *symbol;	/* "vfs_read" or "module:function"; NULL: at addr */
	uint64_t addr;		/* kprobe.statement(ADDR).absolute */
	bool is_return;
	int maxactive;
	bool optional;
	/* .return with @entry(expr): the probe run at entry that fills
	   nslots slots; is_entry_helper: that probe, not registered itself */
	DerivedProbe *entry_helper;
	int nslots;
	bool is_entry_helper;
} KprobeData;

static const char *kprobe_suffixes[] = { "function", "module", "return", "maxactive",
					"statement", "absolute", NULL };

static const char *const kprobe_shapes[] = {
	"kprobe.function(S)", "kprobe.function(S).return", "kprobe.function(S).return.maxactive(N)",
	"kprobe.module(S).function(S)", "kprobe.module(S).function(S).return",
	"kprobe.module(S).function(S).return.maxactive(N)", "kprobe.statement(N).absolute", NULL,
};

static bool string_arg(Component *c, const char **out)
{
	if (!c->has_arg || c->arg->kind != ND_STR || !c->arg->str[0]) {
		error_at(c->loc, "semantic error", "kprobe.%s takes a name: kprobe.%s(\"name\")",
			 c->name, c->name);
		return false;
	}
	*out = c->arg->str;
	return true;
}

static bool valid_symbol(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
			return false;
	return true;
}

/*
 * kprobe.statement(ADDR).absolute: a kprobe at a run-time kernel address
 * (after KASLR: as /proc/kallsyms shows it).  Only with -g: nothing can
 * check that ADDR is an instruction boundary.
 */
static bool resolve_absolute(ProbePoint *pp, Component *f, Probe *probe, Vec *out)
{
	if (!f->has_arg || f->arg->kind != ND_NUM || !f->next ||
	    strcmp(f->next->name, "absolute") != 0 || f->next->has_arg || f->next->next) {
		error_at(f->loc, "semantic error",
			 "no match for probe point: say kprobe.statement(ADDRESS).absolute");
		return false;
	}
	if (!cur_session->guru) {
		error_at(f->loc, "semantic error",
			 "kprobe.statement(ADDRESS).absolute needs guru mode (-g): an address "
			 "that is not the start of an instruction crashes the kernel");
		return false;
	}
	KprobeData *kd = arena_alloc(sizeof(*kd));
	kd->addr = (uint64_t)f->arg->num;
	kd->optional = pp->optional;
	vec_push(out, new_derived(&family_kprobe, probe, kd,
				  arena_printf("kprobe.statement(0x%llx).absolute",
					       (unsigned long long)kd->addr)));
	return true;
}

/*
 * Is there a function name to probe in the target kernel (or module)?
 * True when there is, or when no symbol table says; false after the
 * error, or for an optional point, which then has no probe.
 */
static bool symbol_exists(ProbePoint *pp, Component *f, const char *module, const char *name)
{
	const char *why;
	DwModule *m = dwarf_open_module(module, &why);
	if (!m || dw_has_function_symbol(m, name))
		return true;
	if (pp->optional || cur_session->listing)
		return false;
	const char *sim = dw_similar_function_symbols(m, name, 5);
	error_at(f->arg->loc, "semantic error", "no match for probe point kprobe.%sfunction(\"%s\"): "
		 "%s has no function %s%s%s%s", module ? arena_printf("module(\"%s\").", module) : "",
		 name, module ? arena_printf("module %s", module) : "the kernel", name,
		 sim ? " (similar: " : "", sim ? sim : "", sim ? ")" : "");
	return false;
}

static bool resolve_kprobe(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	Component *f = c->next;
	const char *module = NULL;
	if (f && strcmp(f->name, "module") == 0) {
		if (!string_arg(f, &module))
			return false;
		f = f->next;
	}
	if (f && !module && strcmp(f->name, "statement") == 0)
		return resolve_absolute(pp, f, probe, out);
	if (!f || strcmp(f->name, "function") != 0) {
		error_at(f ? f->loc : c->loc, "semantic error",
			 "no match for probe point: say kprobe.function(\"name\") or "
			 "kprobe.module(\"m\").function(\"name\")");
		return false;
	}
	const char *name;
	if (!string_arg(f, &name))
		return false;
	if (!valid_symbol(name)) {
		error_at(f->arg->loc, "semantic error",
			 "kprobe.function takes an exact symbol name, not a pattern: '%s' (use "
			 "kernel.function(\"%s\") for wildcards)", name, name);
		return false;
	}
	if (!symbol_exists(pp, f, module, name))
		return false;
	KprobeData *kd = arena_alloc(sizeof(*kd));
	kd->symbol = module ? arena_printf("%s:%s", module, name) : name;
	kd->optional = pp->optional;
	for (Component *x = f->next; x; x = x->next) {
		if (strcmp(x->name, "return") == 0 && !x->has_arg) {
			kd->is_return = true;
		} else if (strcmp(x->name, "maxactive") == 0 && kd->is_return && x->has_arg &&
			   x->arg->kind == ND_NUM && x->arg->num > 0 && x->arg->num < 65536) {
			kd->maxactive = (int)x->arg->num;
		} else {
			error_at(x->loc, "semantic error",
				 "no match for probe point: kprobe.function(\"%s\") takes only "
				 ".return and .return.maxactive(N), not '.%s'", name, x->name);
			return false;
		}
	}
	Buf b = {0};
	buf_puts(&b, "kprobe.");
	if (module)
		buf_printf(&b, "module(\"%s\").", module);
	buf_printf(&b, "function(\"%s\")", name);
	if (kd->is_return)
		buf_puts(&b, ".return");
	if (kd->maxactive)
		buf_printf(&b, ".maxactive(%d)", kd->maxactive);
	vec_push(out, new_derived(&family_kprobe, probe, kd, b.s));
	return true;
}

/* @entry(expr) in a .return probe: a slot that a probe at entry fills */
static void lower_kprobe_entry(DerivedProbe *d, Node *n)
{
	KprobeData *kd = d->data;
	if (!kd->is_return) {
		error_at(n->loc, "semantic error",
			 "@entry is available only in .return probes, not in %s", d->pp);
		return;
	}
	if (!kd->entry_helper) {
		KprobeData *hd = arena_alloc(sizeof(*hd));
		*hd = *kd;
		hd->is_return = false;
		hd->is_entry_helper = true;
		kd->entry_helper = entry_helper_new(d, hd);
	}
	entry_lower_to_slot(kd->entry_helper, n, kd->nslots++);
}

static void emit_kprobes(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_kprobe stp_kprobes[] = {\n");
	for (int i = 0; i < n; i++) {
		KprobeData *kd = probes[i]->data;
		if (kd->is_entry_helper)
			continue;	/* its .return probe's entry handler runs it */
		if (kd->symbol)
			fprintf(out, "\t{ .probe = &stp_probes[%d], .symbol = \"%s\"", probes[i]->id,
				kd->symbol);
		else
			fprintf(out, "\t{ .probe = &stp_probes[%d], .addr = 0x%llxUL", probes[i]->id,
				(unsigned long long)kd->addr);
		if (kd->is_return)
			fprintf(out, ", .is_return = true");
		if (kd->maxactive)
			fprintf(out, ", .maxactive = %d", kd->maxactive);
		if (kd->entry_helper)
			fprintf(out, ", .save_entry = true, .entry_probe = &stp_probes[%d], "
				".nslots = %d", kd->entry_helper->id, kd->nslots);
		if (kd->optional)
			fprintf(out, ", .optional = true");
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n\n");
}

ProbeFamily family_kprobe = {
	.name = "kprobe",
	.first = "kprobe",
	.resolve = resolve_kprobe,
	.emit = emit_kprobes,
	.lower_entry = lower_kprobe_entry,
	.suffixes = kprobe_suffixes,
	.shapes = kprobe_shapes,
	.table_name = "stp_kprobes",
	.ops_name = "stp_kprobe_ops",
};
