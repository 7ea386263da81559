/*
 * probe_procfs.c - procfs("NAME").read, procfs("NAME").write, with
 * .umask(M) after procfs(...) and .maxsize(N) after .read; procfs.read
 * and procfs.write name the file "command".  The file is
 * /proc/systemtap/MODULE/NAME (runtime/procfs.c); a read of it runs the
 * .read probes, which set $value (= or .=) to what the reader gets, and a
 * write runs the .write probes with $value holding what was written.
 */
#include <string.h>
#include "stap.h"

#define DEFAULT_MAXSIZE 4096

typedef struct ProcfsData {
	const char *name;
	bool is_write;
	int umask;		/* -1: none given */
	int64_t maxsize;
} ProcfsData;

static const char *procfs_suffixes[] = { "read", "write", "umask", "maxsize", NULL };

static const char *const procfs_shapes[] = {
	"procfs.read", "procfs.read.maxsize(N)", "procfs.write",
	"procfs.umask(N).read", "procfs.umask(N).read.maxsize(N)", "procfs.umask(N).write",
	"procfs(S).read", "procfs(S).read.maxsize(N)", "procfs(S).write",
	"procfs(S).umask(N).read", "procfs(S).umask(N).read.maxsize(N)", "procfs(S).umask(N).write",
	NULL,
};

static bool valid_name(const char *s)
{
	if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == '"' || *s == '\\' || *s < ' ')
			return false;
	return true;
}

static bool resolve_procfs(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	ProcfsData *pd = arena_alloc(sizeof(*pd));
	pd->name = "command";
	pd->umask = -1;
	pd->maxsize = DEFAULT_MAXSIZE;
	if (c->has_arg) {
		if (c->arg->kind != ND_STR || !valid_name(c->arg->str)) {
			error_at(c->loc, "semantic error",
				 "procfs takes a file name without '/': procfs(\"name\")");
			return false;
		}
		pd->name = c->arg->str;
	}
	Component *x = c->next;
	if (x && strcmp(x->name, "umask") == 0) {
		if (!x->has_arg || x->arg->kind != ND_NUM || x->arg->num < 0 || x->arg->num > 0777) {
			error_at(x->loc, "semantic error", "procfs...umask(M) takes a mode mask, 0 to 0777");
			return false;
		}
		pd->umask = (int)x->arg->num;
		x = x->next;
	}
	if (!x || x->has_arg || (strcmp(x->name, "read") != 0 && strcmp(x->name, "write") != 0)) {
		error_at(x ? x->loc : c->loc, "semantic error",
			 "no match for probe point: say procfs(\"name\").read or .write");
		return false;
	}
	pd->is_write = x->name[0] == 'w';
	Component *m = x->next;
	if (m && (pd->is_write || strcmp(m->name, "maxsize") != 0 || !m->has_arg ||
		  m->arg->kind != ND_NUM || m->arg->num < 1 || m->arg->num > 1 << 20 || m->next)) {
		error_at(m->loc, "semantic error", "no match for probe point: only .read takes "
			 ".maxsize(N), with N from 1 to 1048576");
		return false;
	}
	if (m)
		pd->maxsize = m->arg->num;
	Buf b = {0};
	/* the point as written: procfs.read names no file */
	buf_puts(&b, "procfs");
	if (c->has_arg)
		buf_printf(&b, "(\"%s\")", pd->name);
	if (pd->umask >= 0)
		buf_printf(&b, ".umask(0%o)", pd->umask);
	buf_printf(&b, ".%s", pd->is_write ? "write" : "read");
	if (m)
		buf_printf(&b, ".maxsize(%lld)", (long long)pd->maxsize);
	vec_push(out, new_derived(&family_procfs, probe, pd, b.s));
	return true;
}

/*
 * $value of a family whose probes get a string in a buffer that the
 * runtime hands them in c (procfs, stdin): n's target code, or NULL after
 * an error naming family when n is another target variable.
 */
TargetCode *buffer_value_target(Node *n, const char *family)
{
	if (n->kind != ND_TARGET || strcmp(n->name, "$value") != 0 || n->chain) {
		error_at(n->loc, "semantic error", "a %s probe has one target variable, "
			 "$value (a string), not '%s'", family,
			 n->kind == ND_TARGET ? n->name : "@...");
		return NULL;
	}
	TargetCode *tc = arena_alloc(sizeof(*tc));
	tc->write_reg = -1;
	TargetPiece *p = arena_alloc(sizeof(*p));
	p->kind = TP_BUFFER;
	p->c = "c->procfs_buf";
	vec_push(&tc->pieces, p);
	n->target = tc;
	n->type = TY_STRING;
	return tc;
}

/* $value: the file's buffer, which a write probe may also set. */
static void resolve_procfs_target(DerivedProbe *d, Node *n)
{
	TargetCode *tc = buffer_value_target(n, "procfs");
	if (!tc)
		return;
	tc->write_buffer = "c->procfs_buf";
	tc->write_buffer_size = "c->procfs_size";
}

static void emit_procfs(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_procfs stp_procfs_files[] = {\n");
	for (int i = 0; i < n; i++) {
		ProcfsData *pd = probes[i]->data;
		fprintf(out, "\t{ .probe = &stp_probes[%d], .name = \"%s\", .maxsize = %lld",
			probes[i]->id, pd->name, (long long)pd->maxsize);
		if (pd->is_write)
			fprintf(out, ", .is_write = true");
		if (pd->umask >= 0)
			fprintf(out, ", .umask = 0%o, .has_umask = true", pd->umask);
		fprintf(out, " },\n");
	}
	fprintf(out, "};\n\n");
}

ProbeFamily family_procfs = {
	.name = "procfs",
	.first = "procfs",
	.resolve = resolve_procfs,
	.emit = emit_procfs,
	.suffixes = procfs_suffixes,
	.shapes = procfs_shapes,
	.table_name = "stp_procfs_files",
	.ops_name = "stp_procfs_ops",
	.resolve_target = resolve_procfs_target,
	.targets_writable = true,
};
