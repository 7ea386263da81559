/*
 * probe_begin.c - the session's own probe points: begin, end, error, never.
 *
 * begin(N) and end(N) take an optional sequence number: lower runs first.
 * The runtime runs these itself (runtime/module.c); there is nothing to
 * register, only ordered lists of probes to emit.
 */
#include <string.h>
#include "stap.h"

static bool resolve_session_probe(ProbePoint *pp, Component *c, Probe *probe, Vec *out,
				  int kind)
{
	if (c->next) {
		error_at(c->next->loc, "semantic error",
			 "no match for probe point: '%s' takes no '.%s'", c->name, c->next->name);
		return false;
	}
	int64_t seq = 0;
	if (c->has_arg) {
		if (c->arg->kind != ND_NUM) {
			error_at(c->arg->loc, "semantic error",
				 "%s(N) takes a number: the order in which it runs", c->name);
			return false;
		}
		seq = c->arg->num;
	}
	DerivedProbe *d = arena_alloc(sizeof(*d));
	d->family = NULL;
	d->probe = probe;
	d->kind = kind;
	d->seq = seq;
	d->pp = c->has_arg ? arena_printf("%s(%lld)", c->name, (long long)seq) : c->name;
	vec_push(out, d);
	return true;
}

static bool resolve_begin(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	bool ok = resolve_session_probe(pp, c, probe, out, PROBE_BEGIN);
	if (ok)
		((DerivedProbe *)out->items[out->len - 1])->family = &family_begin;
	return ok;
}

static bool resolve_end(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	bool ok = resolve_session_probe(pp, c, probe, out, PROBE_END);
	if (ok)
		((DerivedProbe *)out->items[out->len - 1])->family = &family_end;
	return ok;
}

static bool resolve_error(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	bool ok = resolve_session_probe(pp, c, probe, out, PROBE_ERROR);
	if (ok)
		((DerivedProbe *)out->items[out->len - 1])->family = &family_error;
	return ok;
}

/* "never": the body is checked, but nothing ever runs it; only -l lists it. */
static bool resolve_never(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	if (c->next || c->has_arg) {
		error_at(c->loc, "semantic error", "'never' takes no arguments or components");
		return false;
	}
	if (cur_session->listing)
		vec_push(out, new_derived(&family_never, probe, NULL, "never"));
	return true;
}

/* The probes of one kind, stably sorted by sequence number. */
static void emit_ordered(FILE *out, const char *name, DerivedProbe **probes, int n)
{
	if (!n)
		return;
	DerivedProbe **sorted = arena_alloc(sizeof(*sorted) * n);
	memcpy(sorted, probes, sizeof(*sorted) * n);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && sorted[j - 1]->seq > sorted[j]->seq; j--) {
			DerivedProbe *t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	fprintf(out, "static const struct stp_probe *const %s[] = {\n", name);
	for (int i = 0; i < n; i++)
		fprintf(out, "\t&stp_probes[%d],\t/* %s */\n", sorted[i]->id, sorted[i]->pp);
	fprintf(out, "};\n\n");
}

static void emit_begin(FILE *out, DerivedProbe **probes, int n)
{
	emit_ordered(out, "stp_begin_probes", probes, n);
}

static void emit_end(FILE *out, DerivedProbe **probes, int n)
{
	emit_ordered(out, "stp_end_probes", probes, n);
}

static void emit_error(FILE *out, DerivedProbe **probes, int n)
{
	emit_ordered(out, "stp_error_probes", probes, n);
}

static const char *const begin_shapes[] = { "begin", "begin(N)", NULL };
static const char *const end_shapes[] = { "end", "end(N)", NULL };
static const char *const error_shapes[] = { "error", "error(N)", NULL };
static const char *const never_shapes[] = { "never", NULL };

ProbeFamily family_begin = {
	.name = "begin", .first = "begin", .resolve = resolve_begin, .emit = emit_begin,
	.table_name = "stp_begin_probes", .session_field = "begin", .shapes = begin_shapes,
};
ProbeFamily family_end = {
	.name = "end", .first = "end", .resolve = resolve_end, .emit = emit_end,
	.table_name = "stp_end_probes", .session_field = "end", .shapes = end_shapes,
};
ProbeFamily family_error = {
	.name = "error", .first = "error", .resolve = resolve_error, .emit = emit_error,
	.table_name = "stp_error_probes", .session_field = "error", .shapes = error_shapes,
};
ProbeFamily family_never = {
	.name = "never", .first = "never", .resolve = resolve_never, .shapes = never_shapes,
};
