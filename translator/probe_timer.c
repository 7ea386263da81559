/*
 * probe_timer.c - timer.s(N), .ms, .us, .ns, .hz(N), .jiffies(N), each
 * with an optional .randomize(M): one hrtimer per probe (runtime/timer.c).
 * A timer's handler never runs concurrently with itself.  Periods are
 * bounded as in SystemTap (pass-2 errors in its words).
 */
#include <string.h>
#include "stap.h"

typedef struct TimerUnit {
	const char *name;
	int64_t ns;		/* per unit; 0: hz (N a second), -1: jiffies */
} TimerUnit;

static const TimerUnit units[] = {
	{ "s", 1000000000 }, { "sec", 1000000000 },
	{ "ms", 1000000 }, { "msec", 1000000 },
	{ "us", 1000 }, { "usec", 1000 },
	{ "ns", 1 }, { "nsec", 1 },
	{ "jiffies", -1 },
	{ "hz", 0 },
};

/*
 * SystemTap's bounds: an hrtimer's period is 100 us to one day; a
 * jiffies timer's 1 to 1000000 jiffies (whatever HZ is).  They keep a
 * script from stealing a CPU with timer interrupts, and every product
 * below within 64 bits.
 */
#define MIN_PERIOD_NS 100000LL
#define MAX_PERIOD_NS (86400LL * 1000000000LL)
#define MAX_JIFFIES 1000000LL

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
	return true;
}

/*
 * A period out of bounds: an error at the number, unless the point is
 * optional (a form that a wildcard expanded to, as timer.*(5) to
 * timer.ns(5), or a point marked '?'): then that form just does not
 * match, as SystemTap tolerates an optional point's errors.
 */
static bool out_of_bounds(ProbePoint *pp, Component *c, const char *fmt, long long lo, long long hi)
{
	if (!pp->optional)
		error_at(c->arg->loc, "semantic error", fmt, lo, hi);
	return false;
}

/*
 * The period of timer.UNIT(n), randomized by +/- m, in ns (C text for
 * the table): false when it is out of SystemTap's bounds, with an error
 * in its words.
 */
static bool timer_period(ProbePoint *pp, const TimerUnit *unit, Component *u, int64_t n,
			 Component *r, int64_t m, TimerData *td)
{
	if (unit->ns < 0) {
		if (n <= 0 || n > MAX_JIFFIES)
			return out_of_bounds(pp, u, "invalid interval for jiffies timer", 0, 0);
		if (m < 0 || m > n)
			return out_of_bounds(pp, r, "invalid randomize for jiffies timer", 0, 0);
		td->period = arena_printf("%lldULL * (NSEC_PER_SEC / HZ)", (long long)n);
		td->randomize = arena_printf("%lldULL * (NSEC_PER_SEC / HZ)", (long long)m);
		return true;
	}
	int64_t scale = unit->ns ? unit->ns : 1;
	if (!unit->ns) {
		if (n <= 0)
			return out_of_bounds(pp, u, "frequency must be greater than 0", 0, 0);
		n = (1000000000LL + n - 1) / n;	/* the period in ns, as SystemTap rounds it */
	}
	if (n < (MIN_PERIOD_NS + scale - 1) / scale || n > MAX_PERIOD_NS / scale)
		return out_of_bounds(pp, u, "interval value out of range (%lld, %lld)",
				     scale < MIN_PERIOD_NS ? MIN_PERIOD_NS / scale : 1,
				     MAX_PERIOD_NS / scale);
	if (m < 0 || m > n)
		return out_of_bounds(pp, r, "randomization value out of range", 0, 0);
	td->period = arena_printf("%lldULL", (long long)(n * scale));
	td->randomize = arena_printf("%lldULL", (long long)(m * scale));
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
		if (!unit->ns) {
			error_at(r->loc, "semantic error", "timer.hz(N) cannot be randomized");
			return false;
		}
		if (!number_arg(r, &m))
			return false;
	}
	TimerData *td = arena_alloc(sizeof(*td));
	if (!timer_period(pp, unit, u, n, r, m, td))
		return false;
	DerivedProbe *d = new_derived(&family_timer, probe, td,
				      r ? arena_printf("timer.%s(%lld).randomize(%lld)", u->name,
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
