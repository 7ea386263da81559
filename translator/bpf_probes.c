/*
 * bpf_probes.c - the probe families of --runtime=bpf, in pass 2.
 *
 * The BPF runtime runs on this machine's kernel without a module, so it
 * offers what BPF reaches: timer.profile as a program on each CPU's
 * cpu-clock perf event, kernel.trace("SYSTEM:EVENT") as a tracepoint
 * program on the event tracefs lists (its record's fields are the $vars,
 * from the event's format file: numbers, char arrays and __data_loc
 * strings), timer.s/ms/us/ns/hz/jiffies run by the
 * loader in user space (the period as probe_timer.c resolved it), and
 * begin, end and error, also run by the loader.  Every other family is
 * kept for -l and for suggestions but refuses its points with a message
 * that names the point and suggests --runtime=kernel.
 */
#include <errno.h>
#include <fnmatch.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bpf.h"

/* ---- tracefs ---- */

/* /sys/kernel/tracing, mounted if it is not (the kernel allows it to root) */
const char *bpf_tracefs(void)
{
	static const char *dir;
	if (dir)
		return dir;
	const char *t = "/sys/kernel/tracing";
	if (access(arena_printf("%s/events", t), R_OK) != 0 &&
	    mount("nodev", t, "tracefs", 0, NULL) != 0 && errno != EBUSY)
		fatal("cannot mount tracefs on %s: %s (mount -t tracefs nodev %s)", t,
		      strerror(errno), t);
	if (access(arena_printf("%s/events", t), R_OK) != 0)
		fatal("%s/events is missing: this kernel has no tracepoints for BPF", t);
	return dir = t;
}

static Vec sorted_dir(const char *path)
{
	Vec names = {0};
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			vec_push(&names, arena_strdup(e->d_name));
	if (d)
		closedir(d);
	vec_sort_strings(&names);
	return names;
}

/* "field:unsigned long args[6];	offset:16;	size:48;	signed:0;" */
static BpfField *parse_field(const char *line)
{
	const char *decl = strstr(line, "field:");
	const char *off = strstr(line, "offset:");
	const char *size = strstr(line, "size:");
	const char *sign = strstr(line, "signed:");
	if (!decl || !off || !size || !sign)
		return NULL;
	const char *end = strchr(decl, ';');
	if (!end)
		return NULL;
	/* the name is the last identifier, before an array's [N] */
	const char *stop = end[-1] == ']' ? memchr(decl, '[', end - decl) : NULL;
	while (stop && memchr(stop + 1, '[', end - stop - 1))
		stop = memchr(stop + 1, '[', end - stop - 1);
	const char *name_end = stop ? stop : end;
	const char *name = name_end;
	while (name > decl && (name[-1] == '_' || (name[-1] >= 'a' && name[-1] <= 'z') ||
			       (name[-1] >= 'A' && name[-1] <= 'Z') ||
			       (name[-1] >= '0' && name[-1] <= '9')))
		name--;
	BpfField *f = arena_alloc(sizeof(*f));
	f->name = arena_strndup(name, name_end - name);
	f->offset = atoi(off + 7);
	f->size = atoi(size + 5);
	f->is_signed = atoi(sign + 7) != 0;
	bool chars = strncmp(decl + 6, "char ", 5) == 0 || strncmp(decl + 6, "const char ", 11) == 0;
	if (strstr(decl, "__data_loc"))
		f->kind = strstr(decl, "char[]") ? FIELD_DATA_LOC : FIELD_OTHER;
	else if (stop)
		f->kind = chars ? FIELD_CHARS : FIELD_OTHER;
	else
		f->kind = f->size >= 1 && f->size <= 8 ? FIELD_NUMBER : FIELD_OTHER;
	return f;
}

static BpfTrace *read_trace(const char *system, const char *event)
{
	const char *dir = arena_printf("%s/events/%s/%s", bpf_tracefs(), system, event);
	FILE *f = fopen(arena_printf("%s/format", dir), "r");
	if (!f)
		return NULL;
	BpfTrace *t = arena_alloc(sizeof(*t));
	t->system = system;
	t->event = event;
	t->id = -1;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "ID: ", 4) == 0)
			t->id = atoi(line + 4);
		BpfField *fld = parse_field(line);
		if (fld && strncmp(fld->name, "common_", 7) != 0)
			vec_push(&t->fields, fld);
	}
	fclose(f);
	return t->id >= 0 ? t : NULL;
}

/* ---- kernel.trace("SYSTEM:EVENT") ---- */

static ProbeFamily bpf_trace_family;

static bool resolve_bpf_trace(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	Component *tc = c->next;
	if (!tc || !tc->has_arg || tc->arg->kind != ND_STR || tc->next) {
		error_at(c->loc, "semantic error", "kernel.trace takes one string: "
			 "kernel.trace(\"SYSTEM:EVENT\")");
		return false;
	}
	const char *pat = tc->arg->str;
	const char *colon = strchr(pat, ':');
	const char *sys_pat = colon ? arena_strndup(pat, colon - pat) : "*";
	const char *ev_pat = colon ? colon + 1 : pat;
	const char *events = arena_printf("%s/events", bpf_tracefs());
	Vec systems = sorted_dir(events);
	int found = 0;
	for (int i = 0; i < systems.len; i++) {
		const char *sys = systems.items[i];
		if (fnmatch(sys_pat, sys, 0) != 0)
			continue;
		Vec evs = sorted_dir(arena_printf("%s/%s", events, sys));
		for (int j = 0; j < evs.len; j++) {
			BpfTrace *t;
			if (fnmatch(ev_pat, evs.items[j], 0) != 0 || !(t = read_trace(sys, evs.items[j])))
				continue;
			vec_push(out, new_derived(&bpf_trace_family, probe, t,
						  arena_printf("kernel.trace(\"%s:%s\")", sys, t->event)));
			found++;
		}
	}
	if (!found && !pp->optional) {
		error_at(tc->arg->loc, "semantic error",
			 "no match for probe point: no tracepoint '%s' in %s", pat, events);
		return false;
	}
	return true;
}

static BpfField *find_field(BpfTrace *t, const char *name)
{
	for (int i = 0; i < t->fields.len; i++) {
		BpfField *f = t->fields.items[i];
		if (strcmp(f->name, name) == 0)
			return f;
	}
	return NULL;
}

static const char *field_names(BpfTrace *t)
{
	Buf b = {0};
	buf_puts(&b, "");
	for (int i = 0; i < t->fields.len; i++)
		buf_printf(&b, "%s$%s", i ? " " : "", ((BpfField *)t->fields.items[i])->name);
	return b.s;
}

/* $field: a number of the event's record, read by bpf_emit.c at its offset */
static void bpf_trace_target(DerivedProbe *d, Node *n)
{
	BpfTrace *t = d->data;
	const char *name = n->name && n->name[0] == '$' ? n->name + 1 : n->name;
	if (n->kind == ND_DEFINED && n->lhs && n->lhs->kind == ND_TARGET && !n->lhs->chain) {
		const char *inner = n->lhs->name[0] == '$' ? n->lhs->name + 1 : n->lhs->name;
		BpfField *f = find_field(t, inner);
		Node *next = n->next;
		Loc loc = n->loc;
		memset(n, 0, sizeof(*n));
		*n = (Node){ .kind = ND_NUM, .type = TY_LONG, .loc = loc, .next = next,
			     .num = f && f->kind != FIELD_OTHER };
		return;
	}
	if (n->kind != ND_TARGET || n->chain) {
		error_at(n->loc, "semantic error", "the BPF runtime reads a tracepoint's fields "
			 "($name), not this expression: use --runtime=kernel");
		return;
	}
	BpfField *f = find_field(t, name);
	if (!f) {
		error_at(n->loc, "semantic error", "unable to find tracepoint variable '%s' "
			 "(alternatives: %s)", n->name, field_names(t));
		return;
	}
	if (f->kind == FIELD_OTHER) {
		error_at(n->loc, "semantic error", "the BPF runtime reads a tracepoint's numbers "
			 "and strings, not '%s' (an array): use --runtime=kernel", n->name);
		return;
	}
	n->target = arena_alloc(sizeof(*n->target));
	n->target->c_expr = f->name;
	n->type = f->kind == FIELD_NUMBER ? TY_LONG : TY_STRING;
}

BpfTrace *bpf_trace_of(DerivedProbe *d)
{
	return d->family == &bpf_trace_family ? d->data : NULL;
}

static const char *trace_seconds[] = { "trace", NULL };
static const char *const trace_shapes[] = { "kernel.trace(S)", NULL };

static ProbeFamily bpf_trace_family = {
	.name = "kernel.trace", .first = "kernel", .seconds = trace_seconds,
	.resolve = resolve_bpf_trace, .resolve_target = bpf_trace_target,
	.targets_writable = false, .shapes = trace_shapes,
};

/* ---- timers, run by the loader ---- */

static ProbeFamily bpf_timer_family;
/* timer.profile: a BPF program on a cpu-clock perf event of each CPU, every tick */
static ProbeFamily bpf_profile_family = { .name = "timer.profile", .first = "timer" };

bool bpf_is_profile(DerivedProbe *d)
{
	return d->family == &bpf_profile_family;
}

/* "timer.ms(100)" or "timer.s(1).randomize(2)": the period in ns */
static bool timer_period(const char *pp, int64_t *ns)
{
	static const struct { const char *unit; int64_t ns; } units[] = {
		{ "s", 1000000000 }, { "sec", 1000000000 }, { "ms", 1000000 }, { "msec", 1000000 },
		{ "us", 1000 }, { "usec", 1000 }, { "ns", 1 }, { "nsec", 1 },
		{ "jiffies", 4000000 },	/* Debian's kernels: HZ=250 */
		{ "hz", 0 },
	};
	char unit[16];
	long long n;
	if (sscanf(pp, "timer.%15[a-z](%lld)", unit, &n) != 2 || n <= 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(unit, units[i].unit) == 0) {
			*ns = units[i].ns ? n * units[i].ns : 1000000000LL / n;
			return true;
		}
	return false;
}

static bool resolve_bpf_timer(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	int first = out->len;
	if (!family_timer.resolve(pp, c, probe, out))
		return false;
	for (int i = first; i < out->len; i++) {
		DerivedProbe *d = out->items[i];
		if (strcmp(d->pp, "timer.profile") == 0 || strcmp(d->pp, "timer.profile.tick") == 0) {
			d->family = &bpf_profile_family;
			continue;
		}
		BpfTimer *t = arena_alloc(sizeof(*t));
		if (strstr(d->pp, ".randomize") || !timer_period(d->pp, &t->period_ns)) {
			error_at(c->loc, "semantic error", "probe point '%s' is not available with "
				 "--runtime=bpf yet: use --runtime=kernel", d->pp);
			return false;
		}
		d->family = &bpf_timer_family;
		d->data = t;
	}
	return true;
}

BpfTimer *bpf_timer_of(DerivedProbe *d)
{
	return d->family == &bpf_timer_family ? d->data : NULL;
}

/* ---- what the BPF runtime refuses ---- */

static bool refuse_point(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	if (cur_session->listing)
		return true;
	Buf b = {0};
	buf_puts(&b, "");
	dump_probe_point(&b, pp);
	error_at(pp->loc, "semantic error", "probe point '%s' is not available with "
		 "--runtime=bpf (it offers begin, end, error, timer.s/ms/us/ns/hz/jiffies, "
		 "timer.profile and kernel.trace): use --runtime=kernel", b.s);
	return false;
}

/*
 * probe_families[] with the BPF runtime's own families in place of
 * kernel.trace and the timers, and every family it cannot run refusing.
 */
void bpf_use_families(void)
{
	bpf_timer_family = family_timer;
	bpf_timer_family.resolve = resolve_bpf_timer;
	for (int i = 0; i < probe_family_count; i++) {
		ProbeFamily *f = probe_families[i];
		if (f == &family_begin || f == &family_end || f == &family_error ||
		    f == &family_never)
			continue;
		if (f == &family_trace) {
			probe_families[i] = &bpf_trace_family;
			continue;
		}
		if (f == &family_timer) {
			probe_families[i] = &bpf_timer_family;
			continue;
		}
		ProbeFamily *r = arena_alloc(sizeof(*r));
		*r = *f;
		r->resolve = refuse_point;
		r->resolve_target = NULL;
		probe_families[i] = r;
	}
}
