/*
 * probe_stdin.c - stdin.char and stdin.line: what comes on stap's standard
 * input while the script runs (tapsets/input.stp builds SystemTap's
 * input.char and input.line on them).  stapio reads its standard input
 * and hands the bytes to the module through the control file; the runtime
 * (runtime/stdin.c) runs stdin.char once per byte and stdin.line once per
 * line, with $value the byte or the line, newline included.  A script with
 * stdin.char puts a terminal on stap's stdin in non-canonical mode, so
 * that each key arrives at once.
 */
#include <string.h>
#include "stap.h"

typedef struct StdinData {
	bool line;
} StdinData;

static const char *stdin_suffixes[] = { "char", "line", NULL };
static const char *const stdin_shapes[] = { "stdin.char", "stdin.line", NULL };

static bool resolve_stdin(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	Component *x = c->next;
	if (c->has_arg || !x || x->has_arg || x->next ||
	    (strcmp(x->name, "char") != 0 && strcmp(x->name, "line") != 0)) {
		error_at(x ? x->loc : c->loc, "semantic error",
			 "no match for probe point: say stdin.char or stdin.line");
		return false;
	}
	StdinData *sd = arena_alloc(sizeof(*sd));
	sd->line = x->name[0] == 'l';
	vec_push(out, new_derived(&family_stdin, probe, sd, sd->line ? "stdin.line" : "stdin.char"));
	return true;
}

/* $value: the byte or the line, in the buffer the runtime hands the probe. */
static void resolve_stdin_target(DerivedProbe *d, Node *n)
{
	buffer_value_target(n, "stdin");
}

static const char *list_stdin_vars(DerivedProbe *d)
{
	return " $value:string";
}

static void emit_stdin(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_stdin stp_stdin_probes[] = {\n");
	for (int i = 0; i < n; i++) {
		StdinData *sd = probes[i]->data;
		fprintf(out, "\t{ .probe = &stp_probes[%d], .line = %s },\n", probes[i]->id,
			sd->line ? "true" : "false");
	}
	fprintf(out, "};\n\n");
}

/* What stap-vm forwards of stap's stdin: NULL, "line" or "char" (the terminal raw). */
const char *stdin_mode(Session *s)
{
	const char *mode = NULL;
	for (int i = 0; i < s->derived.len; i++) {
		DerivedProbe *d = s->derived.items[i];
		if (d->family != &family_stdin)
			continue;
		if (!((StdinData *)d->data)->line)
			return "char";
		mode = "line";
	}
	return mode;
}

ProbeFamily family_stdin = {
	.name = "stdin",
	.first = "stdin",
	.resolve = resolve_stdin,
	.emit = emit_stdin,
	.suffixes = stdin_suffixes,
	.shapes = stdin_shapes,
	.table_name = "stp_stdin_probes",
	.ops_name = "stp_stdin_ops",
	.resolve_target = resolve_stdin_target,
	.list_vars = list_stdin_vars,
};
