/*
 * probe_process.c - process("PATH").begin and .end, process.begin and
 * process.end: a program starting (its exec) and ending (its last
 * thread's exit), in the process's own context (runtime/process.c).
 * Processes that were already running when the script started are not
 * reported.  .function and .statement of process("PATH") are uprobes,
 * in probe_dwarf.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "stap.h"
#include "emit.h"

typedef struct ProcessData {
	const char *path;	/* NULL: any program */
	bool is_end;
} ProcessData;

static const char *process_seconds[] = { "begin", "end", NULL };
static const char *process_suffixes[] = { "begin", "end", "function", "statement", NULL };

static const char *const process_shapes[] = {
	"process.begin", "process.end", "process(S).begin", "process(S).end", NULL,
};

static bool resolve_process(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	Component *w = c->next;
	ProcessData *pd = arena_alloc(sizeof(*pd));
	if (c->has_arg) {
		if (c->arg->kind != ND_STR || !c->arg->str[0]) {
			error_at(c->loc, "semantic error", "process takes a path: process(\"PATH\")");
			return false;
		}
		char *abs = realpath(c->arg->str, NULL);
		if (!abs) {
			if (pp->optional)
				return true;
			error_at(c->arg->loc, "semantic error", "process(\"%s\"): %s", c->arg->str,
				 strerror(errno));
			return false;
		}
		pd->path = arena_strdup(abs);
		free(abs);
		vec_push(&cur_session->vm_copies, (void *)pd->path);	/* --vm: into the guest */
	}
	if (w->has_arg || w->next) {
		error_at(w->has_arg ? w->loc : w->next->loc, "semantic error",
			 "no match for probe point: process.%s takes no argument and no suffix",
			 w->name);
		return false;
	}
	pd->is_end = strcmp(w->name, "end") == 0;
	vec_push(out, new_derived(&family_process, probe, pd,
				  pd->path ? arena_printf("process(\"%s\").%s", pd->path, w->name) :
					     arena_printf("process.%s", w->name)));
	return true;
}

static void emit_process(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_process_probe stp_process_probes[] = {\n");
	for (int i = 0; i < n; i++) {
		ProcessData *pd = probes[i]->data;
		fprintf(out, "\t{ .probe = &stp_probes[%d]", probes[i]->id);
		if (pd->path)
			fprintf(out, ", .path = %s", c_str(pd->path));
		if (pd->is_end)
			fprintf(out, ", .is_end = true");
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n\n");
}

ProbeFamily family_process = {
	.name = "process",
	.first = "process",
	.seconds = process_seconds,
	.resolve = resolve_process,
	.emit = emit_process,
	.suffixes = process_suffixes,
	.shapes = process_shapes,
	.table_name = "stp_process_probes",
	.ops_name = "stp_process_ops",
};
