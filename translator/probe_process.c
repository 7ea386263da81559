/*
 * probe_process.c - process("PATH").begin and .end, process.begin and
 * process.end: a program starting (its exec) and ending (its last
 * thread's exit), in the process's own context (runtime/process.c).
 * .thread.begin and .thread.end (also of process(PID)): a thread other
 * than the process's first one starting and ending, in its own context.
 * process("PATH").syscall and .syscall.return (also process.syscall and
 * process(PID).syscall): each system call of those processes, with
 * $syscall, $arg1..$arg6 and $return.
 * Processes that were already running when the script started are not
 * reported.  .function and .statement of process("PATH") are uprobes,
 * in probe_dwarf.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "stap.h"
#include "emit.h"

typedef struct ProcessData {
	const char *path;	/* NULL: any program */
	int64_t pid;		/* process(PID).syscall; 0: any */
	bool is_end;
	bool is_syscall;
	bool is_return;		/* .syscall.return */
	bool is_thread;		/* .thread.begin, .thread.end */
} ProcessData;

static const char *process_seconds[] = { "begin", "end", "syscall", "thread", NULL };
static const char *process_suffixes[] = { "begin", "end", "syscall", "return", "thread",
					  "function", "statement", NULL };

static const char *const process_shapes[] = {
	"process.begin", "process.end", "process.syscall", "process.syscall.return",
	"process.thread.begin", "process.thread.end",
	"process(S).begin", "process(S).end", "process(S).syscall", "process(S).syscall.return",
	"process(S).thread.begin", "process(S).thread.end",
	"process(N).syscall", "process(N).syscall.return",
	"process(N).thread.begin", "process(N).thread.end", NULL,
};

/* process("PATH"): the program, absolute, copied into the VM with --vm */
static bool resolve_path(ProbePoint *pp, Component *c, ProcessData *pd, bool *skip)
{
	char *abs = program_path(c->arg->str);	/* "ls": found through $PATH */
	if (!abs) {
		if (pp->optional) {
			*skip = true;
			return true;
		}
		error_at(c->arg->loc, "semantic error", "process(\"%s\"): %s", c->arg->str,
			 strerror(errno));
		return false;
	}
	pd->path = arena_strdup(abs);
	free(abs);
	vec_push(&cur_session->vm_copies, (void *)pd->path);
	return true;
}

static bool resolve_process(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	Component *w = c->next;
	ProcessData *pd = arena_alloc(sizeof(*pd));
	if (strcmp(w->name, "thread") == 0 && !w->has_arg) {
		if (!w->next || (strcmp(w->next->name, "begin") && strcmp(w->next->name, "end"))) {
			error_at(w->next ? w->next->loc : w->loc, "semantic error",
				 "no match for probe point: say process.thread.begin or .thread.end");
			return false;
		}
		pd->is_thread = true;
		w = w->next;
	}
	pd->is_syscall = strcmp(w->name, "syscall") == 0;
	Component *ret = pd->is_syscall ? w->next : NULL;
	pd->is_return = ret && strcmp(ret->name, "return") == 0 && !ret->has_arg;
	if (c->has_arg && c->arg->kind == ND_NUM && (pd->is_syscall || pd->is_thread)) {
		if (c->arg->num <= 0 || c->arg->num > INT32_MAX) {
			error_at(c->arg->loc, "semantic error", "process(%lld): not a process id",
				 (long long)c->arg->num);
			return false;
		}
		pd->pid = c->arg->num;
	} else if (c->has_arg) {
		if (c->arg->kind != ND_STR || !c->arg->str[0]) {
			error_at(c->loc, "semantic error", pd->is_syscall || pd->is_thread ?
				 "process takes a path or a process id: process(\"PATH\"), process(PID)" :
				 "process takes a path: process(\"PATH\")");
			return false;
		}
		bool skip = false;
		if (!resolve_path(pp, c, pd, &skip))
			return false;
		if (skip)
			return true;
	}
	Component *extra = pd->is_return ? ret->next : w->next;
	if (w->has_arg || extra) {
		error_at(w->has_arg ? w->loc : extra->loc, "semantic error",
			 "no match for probe point: process.%s takes no argument and %s", w->name,
			 pd->is_syscall ? "no suffix but .return" : "no suffix");
		return false;
	}
	pd->is_end = strcmp(w->name, "end") == 0;
	const char *what = pd->is_return ? "syscall.return" :
			   pd->is_thread ? arena_printf("thread.%s", w->name) : w->name;
	const char *name = pd->path ? arena_printf("process(\"%s\").%s", pd->path, what) :
			   pd->pid ? arena_printf("process(%lld).%s", (long long)pd->pid, what) :
				     arena_printf("process.%s", what);
	vec_push(out, new_derived(&family_process, probe, pd, name));
	return true;
}

/*
 * $syscall, $arg1..$arg6 and, in .syscall.return, $return: longs read from
 * the thread's saved user registers.  Other probes of the family have none.
 */
static void resolve_process_target(DerivedProbe *d, Node *n)
{
	ProcessData *pd = d->data;
	Node *t = n->kind == ND_DEFINED ? n->lhs : n;
	const char *c_expr = NULL;
	if (t->kind == ND_TARGET && !t->chain && pd->is_syscall) {
		const char *v = t->name;
		if (strcmp(v, "$syscall") == 0)
			c_expr = "stp_syscall_nr(c)";
		else if (strcmp(v, "$return") == 0 && pd->is_return)
			c_expr = "stp_syscall_return(c)";
		else if (strncmp(v, "$arg", 4) == 0 && v[4] >= '1' && v[4] <= '6' && !v[5])
			c_expr = arena_printf("stp_syscall_arg(c, %c)", v[4]);
	}
	if (n->kind == ND_DEFINED) {
		Node *nx = n->next;
		Loc loc = n->loc;
		memset(n, 0, sizeof(*n));
		n->kind = ND_NUM;
		n->num = c_expr != NULL;
		n->loc = loc;
		n->type = TY_LONG;
		n->next = nx;
		return;
	}
	if (!c_expr) {
		if (pd->is_syscall)
			error_at(n->loc, "semantic error", "%s has the target variables $syscall, "
				 "$arg1 to $arg6%s, not '%s'", d->pp,
				 pd->is_return ? " and $return" : "",
				 n->kind == ND_TARGET ? n->name : "@...");
		else
			error_at(n->loc, "semantic error", "%s has no target variables", d->pp);
		return;
	}
	TargetCode *tc = arena_alloc(sizeof(*tc));
	tc->c_expr = c_expr;
	tc->write_reg = -1;
	n->target = tc;
	n->type = TY_LONG;
}

static void emit_process(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_process_probe stp_process_probes[] = {\n");
	for (int i = 0; i < n; i++) {
		ProcessData *pd = probes[i]->data;
		fprintf(out, "\t{ .probe = &stp_probes[%d]", probes[i]->id);
		if (pd->path)
			fprintf(out, ", .path = %s", c_str(pd->path));
		if (pd->pid)
			fprintf(out, ", .pid = %lld", (long long)pd->pid);
		if (pd->is_end)
			fprintf(out, ", .is_end = true");
		if (pd->is_syscall)
			fprintf(out, ", .is_syscall = true");
		if (pd->is_return)
			fprintf(out, ", .is_return = true");
		if (pd->is_thread)
			fprintf(out, ", .is_thread = true");
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n\n");
}

/* stap -L: the system call points' target variables */
static const char *list_process_vars(DerivedProbe *d)
{
	ProcessData *pd = d->data;
	if (!pd->is_syscall)
		return "";
	return pd->is_return ? " $syscall:long $arg1:long $arg2:long $arg3:long $arg4:long"
			       " $arg5:long $arg6:long $return:long" :
			       " $syscall:long $arg1:long $arg2:long $arg3:long $arg4:long"
			       " $arg5:long $arg6:long";
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
	.resolve_target = resolve_process_target,
	.list_vars = list_process_vars,
};
