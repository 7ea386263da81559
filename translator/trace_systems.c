/*
 * trace_systems.c - the system of each kernel tracepoint ("sched" for
 * sched_switch) when no debuginfo names the header that declares it
 * (kernel.trace from BTF, probe_trace.c).
 *
 * The running kernel's tracefs says (events/SYSTEM/EVENT); for another
 * release, the trace headers of its source tree (Debian's headers package
 * ships them) do: TRACE_EVENT(name, ...), DECLARE_TRACE(name, ...) and
 * DEFINE_EVENT(class, name, ...) name the events of the file's
 * TRACE_SYSTEM, and so do the header's own macros around those
 * (DEFINE_PAGE_FAULT_EVENT(name), #define DEFINE_EVENT_SCHEDSTAT
 * DEFINE_EVENT).  An event in neither (its header is not in the package:
 * drivers' own trace.h files) has no system.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "stap.h"

typedef struct EventSystem {
	const char *event;
	const char *system;
	int order;		/* of finding: the first one found wins */
} EventSystem;
static Vec event_systems;	/* EventSystem*, sorted by event once read */

static void add_event_system(const char *event, const char *system)
{
	EventSystem *e = arena_alloc(sizeof(*e));
	e->event = event;
	e->system = system;
	e->order = event_systems.len;
	vec_push(&event_systems, e);
}

/* tracefs's events/SYSTEM/EVENT directories; false if it is not there */
static bool read_tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events",
	};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		DIR *d = opendir(dirs[i]);
		if (!d)
			continue;
		struct dirent *sys;
		while ((sys = readdir(d)) != NULL) {
			if (sys->d_name[0] == '.' || sys->d_type != DT_DIR)
				continue;
			const char *system = arena_strdup(sys->d_name);
			DIR *sd = opendir(arena_printf("%s/%s", dirs[i], system));
			struct dirent *ev;
			while (sd && (ev = readdir(sd)) != NULL)
				if (ev->d_name[0] != '.' && ev->d_type == DT_DIR)
					add_event_system(arena_strdup(ev->d_name), system);
			if (sd)
				closedir(sd);
		}
		closedir(d);
		if (event_systems.len)
			return true;
	}
	return false;
}

/* The identifier at *p (moved past it and the blanks after), or NULL. */
static const char *ident_at(const char **p)
{
	const char *s = *p;
	while (isspace((unsigned char)*s))
		s++;
	const char *start = s;
	while (isalnum((unsigned char)*s) || *s == '_')
		s++;
	if (s == start)
		return NULL;
	const char *id = arena_strndup(start, s - start);
	while (isspace((unsigned char)*s))
		s++;
	*p = s;
	return id;
}

/* Macros that declare an event, and which of their arguments is its name; -1 if none. */
static int event_macro_name_arg(const char *macro)
{
	static const char *const by_name[] = {
		"TRACE_EVENT", "TRACE_EVENT_FN", "TRACE_EVENT_FN_COND", "TRACE_EVENT_CONDITION",
		"TRACE_EVENT_NOP", "DECLARE_TRACE", "DECLARE_TRACE_CONDITION",
	};
	static const char *const by_class[] = {	/* DEFINE_EVENT(class, name, ...) */
		"DEFINE_EVENT", "DEFINE_EVENT_FN", "DEFINE_EVENT_CONDITION", "DEFINE_EVENT_PRINT",
		"DEFINE_EVENT_NOP",
	};
	for (size_t i = 0; i < ARRAY_SIZE(by_name); i++)
		if (strcmp(macro, by_name[i]) == 0)
			return 0;
	for (size_t i = 0; i < ARRAY_SIZE(by_class); i++)
		if (strcmp(macro, by_class[i]) == 0)
			return 1;
	return -1;
}

/*
 * A header's own macro around event macros:
 *   #define DEFINE_PAGE_FAULT_EVENT(name) DEFINE_EVENT(x86_exceptions, name, ...)
 *   #define DEFINE_IRQ_VECTOR_EVENT(name) ... TRACE_EVENT_FN(name##_entry, ...
 * Each use, DEFINE_PAGE_FAULT_EVENT(page_fault_user), declares the events
 * named by its templates with the parameters replaced.  Or another name
 * for one (#define DEFINE_EVENT_SCHEDSTAT DEFINE_EVENT): name_arg >= 0.
 */
typedef struct EventMacro {
	const char *name;
	Vec params;		/* char* */
	Vec templates;		/* char*: "name##_entry" */
	int name_arg;		/* an alias: which argument names the event; else -1 */
} EventMacro;

/* The comma-separated arguments from just after '(' to the matching ')'; *p after it. */
static Vec macro_args(const char **p)
{
	Vec args = {0};
	const char *s = *p, *start = s;
	int depth = 0;
	for (; *s; s++) {
		if (*s == '(') {
			depth++;
		} else if ((*s == ',' && depth == 0) || (*s == ')' && depth-- == 0)) {
			const char *a = start, *e = s;
			while (a < e && isspace((unsigned char)*a))
				a++;
			while (e > a && isspace((unsigned char)e[-1]))
				e--;
			vec_push(&args, arena_strndup(a, e - a));
			start = s + 1;
			if (*s == ')') {
				s++;
				break;
			}
		}
	}
	*p = s;
	return args;
}

/* A template with a macro's parameters replaced: "name##_entry" -> "local_timer_entry". */
static const char *expand(const char *tmpl, EventMacro *m, Vec *args)
{
	Buf b = {0};
	buf_puts(&b, "");
	char *copy = arena_strdup(tmpl);
	for (char *piece = copy, *next; piece; piece = next) {
		next = strstr(piece, "##");
		if (next) {
			*next = 0;
			next += 2;
		}
		const char *q = piece;
		const char *id = ident_at(&q);
		if (!id)
			continue;
		const char *with = id;
		for (int i = 0; i < m->params.len && i < args->len; i++)
			if (strcmp(m->params.items[i], id) == 0)
				with = args->items[i];
		buf_puts(&b, with);
	}
	return b.s;
}

/* The event macros used in a #define's body (from p to the end of the directive). */
static void read_event_macro(const char *p, const char *end, Vec *macros)
{
	const char *name = ident_at(&p);
	if (!name)
		return;
	EventMacro *m = arena_alloc(sizeof(*m));
	m->name = name;
	m->name_arg = -1;
	if (*p != '(') {
		const char *target = ident_at(&p);
		m->name_arg = target ? event_macro_name_arg(target) : -1;
		if (m->name_arg >= 0)
			vec_push(macros, m);
		return;
	}
	p++;
	m->params = macro_args(&p);
	while (p < end) {
		const char *q = p;
		const char *id = ident_at(&q);
		if (!id) {
			p++;
			continue;
		}
		p = q;
		int k = event_macro_name_arg(id);
		if (k < 0 || *q != '(')
			continue;
		q++;
		Vec args = macro_args(&q);
		if (k < args.len)
			vec_push(&m->templates, args.items[k]);
	}
	if (m->templates.len)
		vec_push(macros, m);
}

/* The events text (a trace header) declares, as events of system. */
static void scan_events(const char *text, const char *system)
{
	Vec macros = {0};
	for (const char *p = text; *p;) {
		if (*p == '#') {	/* a directive, with its continuation lines */
			const char *end = p;
			while (*end && (*end != '\n' || end[-1] == '\\'))
				end++;
			const char *q = p + 1;
			const char *word = ident_at(&q);
			if (word && strcmp(word, "define") == 0)
				read_event_macro(q, end, &macros);
			p = end;
			continue;
		}
		if (!isalpha((unsigned char)*p) && *p != '_') {
			p++;
			continue;
		}
		const char *q = p;
		const char *id = ident_at(&q);
		p = q;
		if (*q != '(')
			continue;
		q++;
		int k = event_macro_name_arg(id);
		EventMacro *m = NULL;
		for (int i = 0; k < 0 && i < macros.len && !m; i++)
			if (strcmp(((EventMacro *)macros.items[i])->name, id) == 0)
				m = macros.items[i];
		if (k < 0 && !m)
			continue;
		Vec args = macro_args(&q);
		p = q;
		if (m && m->name_arg >= 0) {
			if (m->name_arg < args.len)
				add_event_system(args.items[m->name_arg], system);
		} else if (m) {
			for (int i = 0; i < m->templates.len; i++)
				add_event_system(expand(m->templates.items[i], m, &args), system);
		} else if (k < args.len) {
			add_event_system(args.items[k], system);
		}
	}
}

/* A trace header's last "#define TRACE_SYSTEM x", or NULL. */
static const char *defined_system(const char *text)
{
	const char *system = NULL;
	for (const char *p = text; (p = strstr(p, "TRACE_SYSTEM")) != NULL; p += 12) {
		const char *d = p;
		while (d > text && (d[-1] == ' ' || d[-1] == '\t'))
			d--;
		if (d - text < 6 || strncmp(d - 6, "define", 6) != 0 || !isspace((unsigned char)p[12]))
			continue;
		const char *q = p + 12;
		const char *name = ident_at(&q);
		if (name)
			system = name;
	}
	return system;
}

/* A header's events, if it defines a TRACE_SYSTEM (read into one reused buffer). */
static void scan_header(const char *path)
{
	static char *text;
	static size_t cap;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	size_t len = 0, n;
	do {
		if (cap - len < 8192) {
			cap = cap ? cap * 2 : 1 << 20;
			text = realloc(text, cap);
			if (!text)
				fatal("out of memory");
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	fclose(f);
	text[len] = 0;
	const char *system = strstr(text, "TRACE_SYSTEM") ? defined_system(text) : NULL;
	if (system)
		scan_events(text, system);
}

/* The headers under dir, recursively. */
static void scan_headers(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d || depth > 8) {
		if (d)
			closedir(d);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		const char *name = e->d_name;
		size_t len = strlen(name);
		if (name[0] == '.')
			continue;
		const char *path = arena_printf("%s/%s", dir, name);
		if (e->d_type == DT_DIR)
			scan_headers(path, depth + 1);
		else if (len > 2 && strcmp(name + len - 2, ".h") == 0)
			scan_header(path);
	}
	closedir(d);
}

static int cmp_event_system(const void *a, const void *b)
{
	const EventSystem *x = *(EventSystem *const *)a, *y = *(EventSystem *const *)b;
	int c = strcmp(x->event, y->event);
	return c ? c : x->order - y->order;
}

/* Where the kernel's trace headers are (6.1 has no others): a few ms to read. */
static const char *const header_dirs[] = { "include/trace", "include/ras", "arch/x86" };

const char *trace_system_of(const char *release, const char *event)
{
	static bool read;
	if (!read) {
		read = true;
		struct utsname u;
		if (uname(&u) != 0 || strcmp(u.release, release) != 0 || !read_tracefs())
			for (size_t i = 0; i < ARRAY_SIZE(header_dirs); i++)
				scan_headers(arena_printf("/lib/modules/%s/source/%s", release,
							  header_dirs[i]), 0);
		qsort(event_systems.items, event_systems.len, sizeof(void *), cmp_event_system);
	}
	int lo = 0, hi = event_systems.len;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		EventSystem *e = event_systems.items[mid];
		int c = strcmp(e->event, event);
		if (c == 0) {
			while (mid > 0 && strcmp(((EventSystem *)event_systems.items[mid - 1])->event,
						 event) == 0)
				mid--;
			return ((EventSystem *)event_systems.items[mid])->system;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
