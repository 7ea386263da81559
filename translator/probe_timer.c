/*
 * probe_timer.c - timer.s(N), .ms, .us, .ns, .hz(N), .jiffies(N), each
 * with an optional .randomize(M): one hrtimer per probe (runtime/timer.c).
 * A timer's handler never runs concurrently with itself.
 */
#include <string.h>
#include "stap.h"

typedef struct TimerUnit {
	const char *name;
	const char *ns_per_unit;	/* a C expression: the kernel knows HZ */
} TimerUnit;

static const TimerUnit units[] = {
	{ "s", "1000000000ULL" }, { "sec", "1000000000ULL" },
	{ "ms", "1000000ULL" }, { "msec", "1000000ULL" },
	{ "us", "1000ULL" }, { "usec", "1000ULL" },
	{ "ns", "1ULL" }, { "nsec", "1ULL" },
	{ "jiffies", "(NSEC_PER_SEC / HZ)" },
	{ "hz", NULL },
};

static const char *timer_suffixes[] = {
	"s", "sec", "ms", "msec", "us", "usec", "ns", "nsec", "jiffies", "hz", "profile", NULL,
};

static const char *const timer_shapes[] = {
	"timer.s(N)", "timer.s(N).randomize(N)", "timer.sec(N)", "timer.sec(N).randomize(N)",
	"timer.ms(N)", "timer.ms(N).randomize(N)", "timer.msec(N)", "timer.msec(N).randomize(N)",
	"timer.us(N)", "timer.us(N).randomize(N)", "timer.usec(N)", "timer.usec(N).randomize(N)",
	"timer.ns(N)", "timer.ns(N).randomize(N)", "timer.nsec(N)", "timer.nsec(N).randomize(N)",
	"timer.jiffies(N)", "timer.jiffies(N).randomize(N)", "timer.hz(N)",
	"timer.profile", "timer.profile.tick", NULL,
};

typedef struct TimerData {
	const char *period;	/* C expression in ns */
	const char *randomize;
} TimerData;

static bool number_arg(Component *c, int64_t *out)
{
	if (!c->has_arg || c->arg->kind != ND_NUM) {
		error_at(c->loc, "semantic error", "timer.%s takes a number: timer.%s(N)", c->name,
			 c->name);
		return false;
	}
	*out = c->arg->num;
	if (*out <= 0) {
		error_at(c->arg->loc, "semantic error", "timer.%s(N) needs N > 0", c->name);
		return false;
	}
	return true;
}

/* timer.profile and timer.profile.tick: every CPU, at the tick rate */
static bool resolve_profile(Component *u, Probe *probe, Vec *out)
{
	Component *t = u->next;
	if (u->has_arg || (t && (strcmp(t->name, "tick") != 0 || t->has_arg || t->next))) {
		error_at(t ? t->loc : u->loc, "semantic error",
			 "no match for probe point: say timer.profile or timer.profile.tick");
		return false;
	}
	vec_push(out, new_derived(&family_profile, probe, NULL,
				  t ? "timer.profile.tick" : "timer.profile"));
	return true;
}

static bool resolve_timer(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	Component *u = c->next;
	if (u && strcmp(u->name, "profile") == 0)
		return resolve_profile(u, probe, out);
	if (!u) {
		error_at(c->loc, "semantic error",
			 "no match for probe point 'timer': say timer.ms(N), timer.s(N), "
			 "timer.us(N), timer.ns(N), timer.hz(N) or timer.jiffies(N)");
		return false;
	}
	const TimerUnit *unit = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(units[i].name, u->name) == 0)
			unit = &units[i];
	if (!unit) {
		const char *sim = similar_names(u->name, timer_suffixes, ARRAY_SIZE(timer_suffixes) - 1, 3);
		error_at(u->loc, "semantic error", "no match for probe point 'timer.%s'%s%s%s",
			 u->name, sim ? " (similar: " : "", sim ? sim : "", sim ? ")" : "");
		return false;
	}
	int64_t n, m = 0;
	if (!number_arg(u, &n))
		return false;
	Component *r = u->next;
	if (r) {
		if (strcmp(r->name, "randomize") != 0 || r->next) {
			error_at(r->loc, "semantic error",
				 "no match for probe point: timer.%s(N) can be followed only by "
				 ".randomize(M)", u->name);
			return false;
		}
		if (!unit->ns_per_unit) {
			error_at(r->loc, "semantic error", "timer.hz(N) cannot be randomized");
			return false;
		}
		if (!number_arg(r, &m))
			return false;
		if (m >= n) {
			error_at(r->arg->loc, "semantic error",
				 "timer.%s(%lld).randomize(M) needs M < %lld", u->name, (long long)n,
				 (long long)n);
			return false;
		}
	}
	TimerData *td = arena_alloc(sizeof(*td));
	if (unit->ns_per_unit) {
		td->period = arena_printf("%lldULL * %s", (long long)n, unit->ns_per_unit);
		td->randomize = m ? arena_printf("%lldULL * %s", (long long)m, unit->ns_per_unit) :
			"0";
	} else {
		td->period = arena_printf("NSEC_PER_SEC / %lldULL", (long long)n);
		td->randomize = "0";
	}
	DerivedProbe *d = new_derived(&family_timer, probe, td,
				      m ? arena_printf("timer.%s(%lld).randomize(%lld)", u->name,
						       (long long)n, (long long)m) :
					  arena_printf("timer.%s(%lld)", u->name, (long long)n));
	vec_push(out, d);
	return true;
}

static void emit_timers(FILE *out, DerivedProbe **probes, int n)
{
	if (!n)
		return;
	fprintf(out, "static struct stp_timer stp_timers[] = {\n");
	for (int i = 0; i < n; i++) {
		TimerData *td = probes[i]->data;
		fprintf(out, "\t{ .probe = &stp_probes[%d], .period_ns = %s, .randomize_ns = %s },\n",
			probes[i]->id, td->period, td->randomize);
	}
	fprintf(out, "};\n\n");
}

ProbeFamily family_timer = {
	.name = "timer",
	.first = "timer",
	.resolve = resolve_timer,
	.emit = emit_timers,
	.suffixes = timer_suffixes,
	.shapes = timer_shapes,
	.table_name = "stp_timers",
	.ops_name = "stp_timer_ops",
};

static void emit_profile(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_profile_timer stp_profile_timers[] = {\n");
	for (int i = 0; i < n; i++)
		fprintf(out, "\t{ .probe = &stp_probes[%d], .period_ns = NSEC_PER_SEC / HZ },\n",
			probes[i]->id);
	fprintf(out, "};\n\n");
}

/* Resolved through family_timer ("timer.profile"); listed for its table. */
ProbeFamily family_profile = {
	.name = "timer.profile",
	.first = "timer",
	.emit = emit_profile,
	.table_name = "stp_profile_timers",
	.ops_name = "stp_profile_ops",
};
