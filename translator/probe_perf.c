/*
 * probe_perf.c - perf.sw.NAME, perf.hw.NAME and perf.type(T).config(C),
 * each with .sample(N) (an event every N counts; default 1000000) or
 * .hz(N) (about N events a second): one kernel perf counter per CPU,
 * whose overflow runs the probe (runtime/perf.c).
 */
#include <string.h>
#include "stap.h"

typedef struct PerfEvent {
	const char *name;
	const char *config;	/* the perf ABI's name for it */
} PerfEvent;

static const PerfEvent sw_events[] = {
	{ "cpu_clock", "PERF_COUNT_SW_CPU_CLOCK" },
	{ "task_clock", "PERF_COUNT_SW_TASK_CLOCK" },
	{ "page_faults", "PERF_COUNT_SW_PAGE_FAULTS" },
	{ "context_switches", "PERF_COUNT_SW_CONTEXT_SWITCHES" },
	{ "cpu_migrations", "PERF_COUNT_SW_CPU_MIGRATIONS" },
	{ "page_faults_min", "PERF_COUNT_SW_PAGE_FAULTS_MIN" },
	{ "page_faults_maj", "PERF_COUNT_SW_PAGE_FAULTS_MAJ" },
	{ "alignment_faults", "PERF_COUNT_SW_ALIGNMENT_FAULTS" },
	{ "emulation_faults", "PERF_COUNT_SW_EMULATION_FAULTS" },
};

static const PerfEvent hw_events[] = {
	{ "cpu_cycles", "PERF_COUNT_HW_CPU_CYCLES" },
	{ "cycles", "PERF_COUNT_HW_CPU_CYCLES" },
	{ "instructions", "PERF_COUNT_HW_INSTRUCTIONS" },
	{ "cache_references", "PERF_COUNT_HW_CACHE_REFERENCES" },
	{ "cache_misses", "PERF_COUNT_HW_CACHE_MISSES" },
	{ "branch_instructions", "PERF_COUNT_HW_BRANCH_INSTRUCTIONS" },
	{ "branches", "PERF_COUNT_HW_BRANCH_INSTRUCTIONS" },
	{ "branch_misses", "PERF_COUNT_HW_BRANCH_MISSES" },
	{ "bus_cycles", "PERF_COUNT_HW_BUS_CYCLES" },
	{ "stalled_cycles_frontend", "PERF_COUNT_HW_STALLED_CYCLES_FRONTEND" },
	{ "stalled_cycles_backend", "PERF_COUNT_HW_STALLED_CYCLES_BACKEND" },
	{ "ref_cpu_cycles", "PERF_COUNT_HW_REF_CPU_CYCLES" },
};

/* The forms of perf points, for wildcards: the events above, by name. */
#define PERF_EVENT_SHAPES(kind, event) \
	"perf." kind "." event, "perf." kind "." event ".sample(N)", "perf." kind "." event ".hz(N)"
static const char *const perf_shapes[] = {
	PERF_EVENT_SHAPES("sw", "cpu_clock"), PERF_EVENT_SHAPES("sw", "task_clock"),
	PERF_EVENT_SHAPES("sw", "page_faults"), PERF_EVENT_SHAPES("sw", "context_switches"),
	PERF_EVENT_SHAPES("sw", "cpu_migrations"), PERF_EVENT_SHAPES("sw", "page_faults_min"),
	PERF_EVENT_SHAPES("sw", "page_faults_maj"), PERF_EVENT_SHAPES("sw", "alignment_faults"),
	PERF_EVENT_SHAPES("sw", "emulation_faults"),
	PERF_EVENT_SHAPES("hw", "cpu_cycles"), PERF_EVENT_SHAPES("hw", "cycles"),
	PERF_EVENT_SHAPES("hw", "instructions"), PERF_EVENT_SHAPES("hw", "cache_references"),
	PERF_EVENT_SHAPES("hw", "cache_misses"), PERF_EVENT_SHAPES("hw", "branch_instructions"),
	PERF_EVENT_SHAPES("hw", "branches"), PERF_EVENT_SHAPES("hw", "branch_misses"),
	PERF_EVENT_SHAPES("hw", "bus_cycles"), PERF_EVENT_SHAPES("hw", "stalled_cycles_frontend"),
	PERF_EVENT_SHAPES("hw", "stalled_cycles_backend"), PERF_EVENT_SHAPES("hw", "ref_cpu_cycles"),
	"perf.type(N).config(N)", "perf.type(N).config(N).sample(N)", "perf.type(N).config(N).hz(N)",
	NULL,
};

static const char *perf_suffixes[] = { "sw", "hw", "type", "config", "sample", "hz", NULL };

#define DEFAULT_SAMPLE 1000000

typedef struct PerfData {
	const char *type;	/* C: PERF_TYPE_SOFTWARE, or a number */
	const char *config;	/* C: PERF_COUNT_..., or a number */
	int64_t period;		/* .sample(N), or .hz(N) with freq */
	bool freq;
	bool optional;
} PerfData;

static bool number_arg(Component *c, int64_t *out, bool positive)
{
	if (!c->has_arg || c->arg->kind != ND_NUM || c->arg->num < (positive ? 1 : 0)) {
		error_at(c->loc, "semantic error", "perf probe point: .%s(N) needs a number N%s",
			 c->name, positive ? " above 0" : "");
		return false;
	}
	*out = c->arg->num;
	return true;
}

/* The event named by c in table (n entries); an error with the near names otherwise. */
static const PerfEvent *find_event(Component *c, const char *kind, const PerfEvent *table,
				   int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(table[i].name, c->name) == 0 && !c->has_arg)
			return &table[i];
	const char **names = arena_alloc(sizeof(char *) * n);
	for (int i = 0; i < n; i++)
		names[i] = table[i].name;
	const char *sim = similar_names(c->name, names, n, 3);
	error_at(c->loc, "semantic error", "no match for probe point 'perf.%s.%s'%s%s%s", kind,
		 c->name, sim ? " (similar: " : "", sim ? sim : "", sim ? ")" : "");
	return NULL;
}

static bool resolve_perf(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	Component *k = c->next;
	PerfData *pd = arena_alloc(sizeof(*pd));
	Buf name = {0};
	Component *rest;
	if (k && (strcmp(k->name, "sw") == 0 || strcmp(k->name, "hw") == 0) && !k->has_arg &&
	    k->next) {
		bool sw = k->name[0] == 's';
		const PerfEvent *e = sw ? find_event(k->next, "sw", sw_events, ARRAY_SIZE(sw_events)) :
			find_event(k->next, "hw", hw_events, ARRAY_SIZE(hw_events));
		if (!e)
			return false;
		pd->type = sw ? "PERF_TYPE_SOFTWARE" : "PERF_TYPE_HARDWARE";
		pd->config = e->config;
		buf_printf(&name, "perf.%s.%s", k->name, e->name);
		rest = k->next->next;
	} else if (k && strcmp(k->name, "type") == 0 && k->next &&
		   strcmp(k->next->name, "config") == 0) {
		int64_t t, cfg;
		if (!number_arg(k, &t, false) || !number_arg(k->next, &cfg, false))
			return false;
		pd->type = arena_printf("%lldU", (long long)t);
		pd->config = arena_printf("%lluULL", (unsigned long long)cfg);
		buf_printf(&name, "perf.type(%lld).config(%lld)", (long long)t, (long long)cfg);
		rest = k->next->next;
	} else {
		error_at(k ? k->loc : c->loc, "semantic error",
			 "no match for probe point: say perf.sw.NAME, perf.hw.NAME or "
			 "perf.type(T).config(C), then .sample(N) or .hz(N)");
		return false;
	}
	pd->period = DEFAULT_SAMPLE;
	if (rest && (strcmp(rest->name, "sample") == 0 || strcmp(rest->name, "hz") == 0) &&
	    !rest->next) {
		if (!number_arg(rest, &pd->period, true))
			return false;
		pd->freq = rest->name[0] == 'h';
		buf_printf(&name, ".%s(%lld)", rest->name, (long long)pd->period);
	} else if (rest) {
		error_at(rest->loc, "semantic error",
			 "no match for probe point: %s can be followed only by .sample(N) or .hz(N)",
			 name.s);
		return false;
	}
	pd->optional = pp->optional;
	vec_push(out, new_derived(&family_perf, probe, pd, name.s));
	return true;
}

static void emit_perf(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "#include <uapi/linux/perf_event.h>\n\n");
	fprintf(out, "static struct stp_perf stp_perfs[] = {\n");
	for (int i = 0; i < n; i++) {
		PerfData *pd = probes[i]->data;
		fprintf(out, "\t{ .probe = &stp_probes[%d], .type = %s, .config = %s, "
			".period = %lldULL%s%s },\n", probes[i]->id, pd->type, pd->config,
			(long long)pd->period, pd->freq ? ", .freq = true" : "",
			pd->optional ? ", .optional = true" : "");
	}
	fprintf(out, "};\n\n");
}

ProbeFamily family_perf = {
	.name = "perf",
	.first = "perf",
	.resolve = resolve_perf,
	.emit = emit_perf,
	.suffixes = perf_suffixes,
	.shapes = perf_shapes,
	.table_name = "stp_perfs",
	.ops_name = "stp_perf_ops",
};
