/*
 * bpf_emit.c - the BPF back end's code generator: each kernel probe's
 * checked body (the same tree emit.c takes) as BPF instructions, with
 * no compiler at run time.
 *
 * A probe's program keeps the context in r6 and a pointer to the
 * scalars' struct (bpf.h) in r7; it returns at once when the session has
 * ended (its exit slot is set).  A long expression leaves its value in
 * r0, an operand waiting for the other one waits on the stack; a string
 * expression fills a BPF_STRLEN-byte stack slot, zero-padded.  Locals
 * live on the stack too, zeroed at entry as SystemTap's are.  Arrays are
 * hash maps: n[k]++ looks the entry up, inserts a zero if it is missing
 * (a full map is SystemTap's "Array overflow") and adds atomically, so
 * that probes on several CPUs count right.  printf, print and exit()
 * write records to the ring buffer that the loader formats and prints.
 * A runtime error writes its record, sets the exit slot and returns.
 *
 * A script function a probe calls is inlined, its parameters and locals
 * in stack slots of their own.  What it cannot translate (loops,
 * recursion, statistics, strings built in the kernel ...) is a semantic
 * error at the construct, said in pass 2, with --runtime=kernel as the
 * way out.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "bpf.h"
#include "parser.h"

/* ---- instructions ---- */

typedef struct Gen {
	BpfProgram *bp;
	BpfProg *prog;
	DerivedProbe *d;
	int sp;			/* bytes of stack in use below the frame pointer */
	Vec exits;		/* (intptr_t) jumps to the epilogue */
	int *local_off;		/* each probe local's slot */
	struct Inline *fn;	/* the script function being inlined, innermost */
	int fn_ret;		/* where the last inlined call left its value */
	int budget;		/* MAXACTION: loop turns left, on the stack */
	Vec *breaks, *continues;	/* the innermost loop's jumps to patch */
	bool refused;
} Gen;

/*
 * A script function called from a kernel probe is inlined: its
 * parameters and locals get stack slots of their own for the call, its
 * returns store the value and jump to the call's end.
 */
typedef struct Inline {
	Func *func;
	int *param_off, *local_off;
	int ret_off;
	Vec returns;		/* (intptr_t) jumps to the end of the call */
	struct Inline *up;
	int depth;
} Inline;

enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };

static int ins(Gen *g, uint8_t code, int dst, int src, int16_t off, int32_t imm)
{
	BpfProg *p = g->prog;
	if (p->ninsns == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		struct bpf_insn *n = arena_alloc(sizeof(*n) * p->cap);
		if (p->ninsns)
			memcpy(n, p->insns, sizeof(*n) * p->ninsns);
		p->insns = n;
	}
	p->insns[p->ninsns] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src,
						 .off = off, .imm = imm };
	return p->ninsns++;
}

#define ALU(op, dst, src) ins(g, BPF_ALU64 | (op) | BPF_X, dst, src, 0, 0)
#define ALUI(op, dst, imm) ins(g, BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define MOV(dst, src) ALU(BPF_MOV, dst, src)
#define MOVI(dst, imm) ALUI(BPF_MOV, dst, imm)
#define LDX(dst, src, off) ins(g, BPF_LDX | BPF_MEM | BPF_DW, dst, src, off, 0)
#define STX(dst, off, src) ins(g, BPF_STX | BPF_MEM | BPF_DW, dst, src, off, 0)
#define STW(dst, off, imm) ins(g, BPF_ST | BPF_MEM | BPF_W, dst, 0, off, imm)
#define STD(dst, off, imm) ins(g, BPF_ST | BPF_MEM | BPF_DW, dst, 0, off, imm)
#define CALL(fn) ins(g, BPF_JMP | BPF_CALL, 0, 0, 0, fn)
/* a jump whose offset patch() sets */
#define JI(op, dst, imm) ins(g, BPF_JMP | (op) | BPF_K, dst, 0, 0, imm)
#define JR(op, dst, src) ins(g, BPF_JMP | (op) | BPF_X, dst, src, 0, 0)
#define JA() ins(g, BPF_JMP | BPF_JA, 0, 0, 0, 0)

static void patch(Gen *g, int jump)	/* to the next instruction */
{
	g->prog->insns[jump].off = g->prog->ninsns - jump - 1;
}

static void ld_imm64(Gen *g, int dst, int src, int64_t v)
{
	ins(g, BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, (int32_t)v);
	ins(g, 0, 0, 0, 0, (int32_t)((uint64_t)v >> 32));
}

static void ld_map(Gen *g, int dst, int map)
{
	vec_push(&g->prog->map_refs, (void *)(intptr_t)g->prog->ninsns);
	ld_imm64(g, dst, BPF_PSEUDO_MAP_FD, (uint32_t)map);	/* the fd, patched in: high word 0 */
}

static void movi64(Gen *g, int dst, int64_t v)
{
	if (v == (int32_t)v)
		MOVI(dst, (int32_t)v);
	else
		ld_imm64(g, dst, 0, v);
}

/* ---- refusals ---- */

const char *bpf_near(Node *n)
{
	return arena_printf("%s at %s", node_what(n), loc_text(n->loc));
}

static void refuse(Gen *g, Node *n, const char *what)
{
	error_at(n->loc, "semantic error", "the BPF runtime cannot run %s in a kernel probe "
		 "yet (probe %s): use --runtime=kernel", what, g->d->pp);
	g->refused = true;
}

/* ---- stack ---- */

static int alloc(Gen *g, int size)
{
	g->sp += (size + 7) & ~7;
	if (g->sp > BPF_STACK && !g->refused) {
		error_at(g->d->probe->loc, "semantic error", "probe %s needs more than BPF's "
			 "%d bytes of stack (its locals and strings): use --runtime=kernel",
			 g->d->pp, BPF_STACK);
		g->refused = true;
	}
	return -g->sp;
}

static void zero(Gen *g, int base, int off, int size)
{
	for (int i = 0; i < size; i += 8)
		STD(base, off + i, 0);
}

static void copy_words(Gen *g, int dst, int doff, int src, int soff, int size)
{
	for (int i = 0; i < size; i += 8) {
		LDX(R1, src, soff + i);
		STX(dst, doff + i, R1);
	}
}

/* ---- the session's records ---- */

int bpf_site(BpfProgram *bp, Node *n, const char *message, DerivedProbe *d)
{
	BpfRecordSite *s = arena_alloc(sizeof(*s));
	s->node = n;
	s->message = message;
	s->probe = d;
	vec_push(&bp->sites, s);
	return bp->sites.len - 1;
}

static void exit_probe(Gen *g)
{
	vec_push(&g->exits, (void *)(intptr_t)JA());
}

/* ringbuf_output(ringbuf, fp + off, size, 0) */
static void output(Gen *g, int off, int size)
{
	ld_map(g, R1, BPF_MAP_RINGBUF);
	MOV(R2, R10);
	ALUI(BPF_ADD, R2, off);
	MOVI(R3, size);
	MOVI(R4, 0);
	CALL(BPF_FUNC_ringbuf_output);
}

static void set_exit(Gen *g)
{
	MOVI(R1, 1);
	STX(R7, BPF_SLOT_EXIT, R1);
}

/*
 * A runtime error: counted; its record for the loader to print (unless
 * --suppress-handler-errors); past MAXERRORS the session's end; and
 * this probe's.
 */
static void raise_error(Gen *g, Node *n, const char *message)
{
	MOVI(R1, 1);
	ins(g, BPF_STX | BPF_ATOMIC | BPF_DW, R7, R1, BPF_SLOT_ERRORS, BPF_ADD | BPF_FETCH);
	if (g->bp->suppress_errors) {
		exit_probe(g);
		return;
	}
	int more = JI(BPF_JLT, R1, (int32_t)g->bp->maxerrors);
	set_exit(g);
	patch(g, more);
	int save = g->sp;
	int rec = alloc(g, 8);
	STW(R10, rec, REC_ERROR);
	STW(R10, rec + 4, bpf_site(g->bp, n, message, g->d));
	output(g, rec, 8);
	exit_probe(g);
	g->sp = save;
}

/* ---- globals ---- */

BpfGlobal *bpf_global(BpfProgram *bp, Var *v)
{
	for (int i = 0; i < bp->globals.len; i++) {
		BpfGlobal *g = bp->globals.items[i];
		if (g->var == v)
			return g;
	}
	return NULL;
}

static int type_size(Type t)
{
	return t == TY_STRING ? BPF_STRLEN : 8;
}

/* SystemTap's limits, and the -D NAME=VALUE that change them */
static int64_t limit(Session *s, const char *name, int64_t def)
{
	size_t n = strlen(name);
	for (int i = 0; i < s->defines.len; i++) {
		const char *d = s->defines.items[i];
		if (strncmp(d, name, n) == 0 && d[n] == '=')
			def = strtoll(d + n + 1, NULL, 0);
	}
	return def;
}

static void read_limits(BpfProgram *bp, Session *s)
{
	bp->maxaction = limit(s, "MAXACTION", 1000);
	bp->maxaction_interruptible = limit(s, "MAXACTION_INTERRUPTIBLE", bp->maxaction * 10);
	bp->maxnesting = limit(s, "MAXNESTING", 10);
	bp->maxmapentries = limit(s, "MAXMAPENTRIES", 2048);
	bp->maxerrors = limit(s, "MAXERRORS", 0);
	bp->maxstringlen = limit(s, "MAXSTRINGLEN", BPF_STRLEN);
	if (bp->maxstringlen > BPF_STRLEN || bp->maxstringlen < 2)
		bp->maxstringlen = BPF_STRLEN;	/* the BPF runtime's strings are shorter */
	bp->suppress_errors = s->suppress_handler_errors;
}

static bool layout_globals(BpfProgram *bp, Program *prog)
{
	bp->scalars_size = BPF_SLOT_FIRST;
	bool ok = true;
	for (int i = 0; i < prog->globals.len; i++) {
		Var *v = prog->globals.items[i];
		BpfGlobal *g = arena_alloc(sizeof(*g));
		g->var = v;
		g->fd = -1;
		vec_push(&bp->globals, g);
		if (v->type == TY_STATS) {
			g->stats = true;
			g->nbuckets = v->hist == HIST_LOG ? BPF_HIST_LOG_BUCKETS : v->hist == HIST_LINEAR ?
				      (int)((v->hist_hi - v->hist_lo) / v->hist_step + 3) : 0;
			g->value_size = sizeof(BpfStat) + 8 * g->nbuckets;
			if (g->value_size + BPF_SEQ_SIZE > bp->zeros_size)
				bp->zeros_size = g->value_size + BPF_SEQ_SIZE;
			g->key_size = v->is_array ? 0 : 8;
			for (int k = 0; v->is_array && k < v->nkeys; k++)
				g->key_size += type_size(v->key_types[k]);
			g->max_entries = !v->is_array ? 1 : v->max_entries ? v->max_entries :
					 bp->maxmapentries;
			continue;
		}
		g->value_size = type_size(v->type);
		if (!v->is_array) {
			g->offset = bp->scalars_size;
			bp->scalars_size += g->value_size;
			continue;
		}
		for (int k = 0; k < v->nkeys; k++)
			g->key_size += type_size(v->key_types[k]);
		g->max_entries = v->max_entries ? v->max_entries : bp->maxmapentries;
		if (v->wrap) {
			error_at(v->loc, "semantic error", "the BPF runtime has no wrapping arrays "
				 "yet (global '%s%%'): use --runtime=kernel", v->name);
			ok = false;
		}
	}
	return ok;
}

/* ---- expressions ---- */

static void gen_long(Gen *g, Node *n);
static void gen_str(Gen *g, Node *n, int off);
static void gen_stmt(Gen *g, Node *n);

static bool is_str(Node *n)
{
	return n->type == TY_STRING;
}

/* Any expression, for its effect; a string's value goes to a temporary */
static void gen_effect(Gen *g, Node *n)
{
	if (!is_str(n)) {
		gen_long(g, n);
		return;
	}
	int save = g->sp;
	gen_str(g, n, alloc(g, BPF_STRLEN));
	g->sp = save;
}

/* The key of a[args] at fp + off: each key's slot side by side */
static int gen_key(Gen *g, Node *args)
{
	int size = 0;
	for (Node *a = args; a; a = a->next)
		size += type_size(a->type);
	int off = alloc(g, size), pos = off;
	for (Node *a = args; a; a = a->next) {
		if (is_str(a)) {
			gen_str(g, a, pos);
		} else {
			gen_long(g, a);
			STX(R10, pos, R0);
		}
		pos += type_size(a->type);
	}
	return off;
}

/* r0 = lookup(a, fp + key): a pointer to the value, or 0 */
static void lookup(Gen *g, BpfGlobal *gl, int key)
{
	ld_map(g, R1, gl->var->index);
	MOV(R2, R10);
	ALUI(BPF_ADD, R2, key);
	CALL(BPF_FUNC_map_lookup_elem);
}

/* r0 = update(a, key, value, flags) */
static void update(Gen *g, BpfGlobal *gl, int key, int value, int flags)
{
	ld_map(g, R1, gl->var->index);
	MOV(R2, R10);
	ALUI(BPF_ADD, R2, key);
	MOV(R3, R10);
	ALUI(BPF_ADD, R3, value);
	MOVI(R4, flags);
	CALL(BPF_FUNC_map_update_elem);
}

static const char *overflow_message(BpfGlobal *gl)
{
	return gl->var->max_entries ?
		arena_printf("Array overflow, check size limit (%lld)",
			     (long long)gl->var->max_entries) :
		"Array overflow, check MAXMAPENTRIES";
}

/* fp + off = the next insertion's number (foreach's order) */
static void next_seq(Gen *g, int off)
{
	MOVI(R1, 1);
	ins(g, BPF_STX | BPF_ATOMIC | BPF_DW, R7, R1, BPF_SLOT_SEQ, BPF_ADD | BPF_FETCH);
	STX(R10, off, R1);
}

/*
 * A record too big for the stack: inserted from the zeros map's entry,
 * then numbered in place; r8 = a pointer to it.
 */
static void lookup_or_insert_big(Gen *g, Node *n, BpfGlobal *gl, int key)
{
	lookup(g, gl, key);
	int found = JI(BPF_JNE, R0, 0);
	int save = g->sp;
	int zkey = alloc(g, 8), rc = alloc(g, 8);
	STD(R10, zkey, 0);
	ld_map(g, R1, BPF_MAP_ZEROS);
	MOV(R2, R10);
	ALUI(BPF_ADD, R2, zkey);
	CALL(BPF_FUNC_map_lookup_elem);
	int have = JI(BPF_JNE, R0, 0);
	exit_probe(g);
	patch(g, have);
	MOV(R3, R0);
	ld_map(g, R1, gl->var->index);
	MOV(R2, R10);
	ALUI(BPF_ADD, R2, key);
	MOVI(R4, BPF_NOEXIST);
	CALL(BPF_FUNC_map_update_elem);
	STX(R10, rc, R0);
	int ok = JI(BPF_JSGE, R0, 0);
	int exists = JI(BPF_JEQ, R0, -17);
	raise_error(g, n, overflow_message(gl));
	patch(g, ok);
	patch(g, exists);
	lookup(g, gl, key);
	int again = JI(BPF_JNE, R0, 0);
	raise_error(g, n, overflow_message(gl));
	patch(g, again);
	MOV(R8, R0);
	LDX(R1, R10, rc);
	int old = JI(BPF_JNE, R1, 0);
	MOVI(R1, 1);
	ins(g, BPF_STX | BPF_ATOMIC | BPF_DW, R7, R1, BPF_SLOT_SEQ, BPF_ADD | BPF_FETCH);
	STX(R8, gl->value_size, R1);
	patch(g, old);
	g->sp = save;
	int done = JA();
	patch(g, found);
	MOV(R8, R0);
	patch(g, done);
}

/* r8 = a pointer to a[key]'s value, inserted as zero when missing */
static void lookup_or_insert(Gen *g, Node *n, BpfGlobal *gl, int key)
{
	if (gl->value_size + BPF_SEQ_SIZE > 256) {
		lookup_or_insert_big(g, n, gl, key);
		return;
	}
	lookup(g, gl, key);
	int found = JI(BPF_JNE, R0, 0);
	int save = g->sp;
	int zv = alloc(g, gl->value_size + BPF_SEQ_SIZE);
	zero(g, R10, zv, gl->value_size);
	next_seq(g, zv + gl->value_size);
	update(g, gl, key, zv, BPF_NOEXIST);
	int ok = JI(BPF_JSGE, R0, 0);
	int exists = JI(BPF_JEQ, R0, -17);	/* -EEXIST: another CPU inserted it */
	raise_error(g, n, overflow_message(gl));
	patch(g, ok);
	patch(g, exists);
	g->sp = save;
	lookup(g, gl, key);
	int again = JI(BPF_JNE, R0, 0);
	raise_error(g, n, overflow_message(gl));
	patch(g, again);
	patch(g, found);
	MOV(R8, R0);
}

static void gen_index_read(Gen *g, Node *n)
{
	BpfGlobal *gl = bpf_global(g->bp, n->var);
	int save = g->sp;
	int key = gen_key(g, n->args);
	lookup(g, gl, key);
	int found = JI(BPF_JNE, R0, 0);
	int done = JA();
	patch(g, found);
	LDX(R0, R0, 0);
	patch(g, done);
	g->sp = save;
}

/* r1 = r1 op r0 */
static void apply_op(Gen *g, Node *n, int op)
{
	static const struct { int op; int bpf; } simple[] = {
		{ '+', BPF_ADD }, { '-', BPF_SUB }, { '*', BPF_MUL }, { '&', BPF_AND },
		{ '|', BPF_OR }, { '^', BPF_XOR }, { TK_SHL, BPF_LSH }, { TK_SHR, BPF_ARSH },
		{ TK_USHR, BPF_RSH },
	};
	for (size_t i = 0; i < ARRAY_SIZE(simple); i++)
		if (simple[i].op == op) {
			if (op == TK_SHL || op == TK_SHR || op == TK_USHR)
				ALUI(BPF_AND, R0, 63);	/* the count, as x86 masks it */
			ALU(simple[i].bpf, R1, R0);
			return;
		}
	if (op != '/' && op != '%') {
		refuse(g, n, arena_printf("operator '%s'", op_text(op)));
		return;
	}
	/* signed, as C: unsigned division of the magnitudes, then the sign */
	int nonzero = JI(BPF_JNE, R0, 0);
	raise_error(g, n, "division by 0");
	patch(g, nonzero);
	MOVI(R2, 0);
	int pos1 = JI(BPF_JSGE, R1, 0);
	ALUI(BPF_NEG, R1, 0);
	ALUI(BPF_XOR, R2, 1);
	patch(g, pos1);
	int pos0 = JI(BPF_JSGE, R0, 0);
	ALUI(BPF_NEG, R0, 0);
	if (op == '/')
		ALUI(BPF_XOR, R2, 1);
	patch(g, pos0);
	ALU(op == '/' ? BPF_DIV : BPF_MOD, R1, R0);
	int keep = JI(BPF_JEQ, R2, 0);
	ALUI(BPF_NEG, R1, 0);
	patch(g, keep);
}

static void gen_binop(Gen *g, Node *n)
{
	int save = g->sp;
	int t = alloc(g, 8);
	gen_long(g, n->lhs);
	STX(R10, t, R0);
	gen_long(g, n->rhs);
	LDX(R1, R10, t);
	apply_op(g, n, n->op);
	MOV(R0, R1);
	g->sp = save;
}

static int jump_of_cmp(int op)
{
	switch (op) {
	case '<': return BPF_JSLT;
	case '>': return BPF_JSGT;
	case TK_LE: return BPF_JSLE;
	case TK_GE: return BPF_JSGE;
	case TK_EQ: return BPF_JEQ;
	default: return BPF_JNE;
	}
}

/* r0 = 1 when the strings at fp + a and fp + b are equal (their words are) */
static void str_equal(Gen *g, int a, int b)
{
	Vec differ = {0};
	for (int i = 0; i < BPF_STRLEN; i += 8) {
		LDX(R1, R10, a + i);
		LDX(R2, R10, b + i);
		vec_push(&differ, (void *)(intptr_t)JR(BPF_JNE, R1, R2));
	}
	MOVI(R0, 1);
	int done = JA();
	for (int i = 0; i < differ.len; i++)
		patch(g, (int)(intptr_t)differ.items[i]);
	MOVI(R0, 0);
	patch(g, done);
}

static void gen_cmp(Gen *g, Node *n)
{
	int save = g->sp;
	if (is_str(n->lhs)) {
		if (n->op != TK_EQ && n->op != TK_NE) {
			refuse(g, n, arena_printf("string comparison '%s'", op_text(n->op)));
			return;
		}
		int a = alloc(g, BPF_STRLEN), b = alloc(g, BPF_STRLEN);
		gen_str(g, n->lhs, a);
		gen_str(g, n->rhs, b);
		str_equal(g, a, b);
		if (n->op == TK_NE)
			ALUI(BPF_XOR, R0, 1);
		g->sp = save;
		return;
	}
	int t = alloc(g, 8);
	gen_long(g, n->lhs);
	STX(R10, t, R0);
	gen_long(g, n->rhs);
	LDX(R1, R10, t);
	MOV(R2, R0);
	MOVI(R0, 1);
	int yes = JR(jump_of_cmp(n->op), R1, R2);
	MOVI(R0, 0);
	patch(g, yes);
	g->sp = save;
}

/* && and ||: the right side only when it decides */
static void gen_logic(Gen *g, Node *n)
{
	gen_long(g, n->lhs);
	int decided = JI(n->kind == ND_LOGAND ? BPF_JEQ : BPF_JNE, R0, 0);
	gen_long(g, n->rhs);
	int t = JI(BPF_JNE, R0, 0);
	MOVI(R0, 0);
	int done = JA();
	patch(g, t);
	MOVI(R0, 1);
	int done2 = JA();
	patch(g, decided);
	MOVI(R0, n->kind == ND_LOGAND ? 0 : 1);
	patch(g, done);
	patch(g, done2);
}

static BpfField *target_field(Gen *g, Node *n)
{
	BpfTrace *t = bpf_trace_of(g->d);
	for (int i = 0; t && n->target && i < t->fields.len; i++)
		if (strcmp(((BpfField *)t->fields.items[i])->name, n->target->c_expr) == 0)
			return t->fields.items[i];
	refuse(g, n, "this target variable");
	return NULL;
}

/*
 * A string field into fp + off: char name[N] in the record, or a
 * __data_loc string, whose u32 says where in the record it is (the low
 * 16 bits); read by the fault-safe helper, which ends it with a NUL.
 */
static void gen_target_str(Gen *g, Node *n, int off)
{
	BpfField *f = target_field(g, n);
	if (!f)
		return;
	zero(g, R10, off, BPF_STRLEN);
	if (f->kind == FIELD_DATA_LOC) {
		ins(g, BPF_LDX | BPF_MEM | BPF_W, R3, R6, f->offset, 0);
		ALUI(BPF_AND, R3, 0xffff);
		ALU(BPF_ADD, R3, R6);
	} else {
		MOV(R3, R6);
		ALUI(BPF_ADD, R3, f->offset);
	}
	MOV(R1, R10);
	ALUI(BPF_ADD, R1, off);
	int max = f->kind == FIELD_CHARS && f->size + 1 < (int)g->bp->maxstringlen ?
		  f->size + 1 : (int)g->bp->maxstringlen;
	MOVI(R2, max);
	CALL(BPF_FUNC_probe_read_kernel_str);
}

/* A tracepoint's number at its offset in the record, sign-extended if signed */
static void gen_target(Gen *g, Node *n)
{
	BpfField *f = target_field(g, n);
	if (!f)
		return;
	static const int sizes[] = { [1] = BPF_B, [2] = BPF_H, [4] = BPF_W, [8] = BPF_DW };
	if (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) {
		refuse(g, n, "a field of this size");
		return;
	}
	ins(g, BPF_LDX | BPF_MEM | sizes[f->size], R0, R6, f->offset, 0);
	if (f->is_signed && f->size < 8) {
		ALUI(BPF_LSH, R0, 64 - 8 * f->size);
		ALUI(BPF_ARSH, R0, 64 - 8 * f->size);
	}
}

/* ---- the tapset functions the BPF runtime knows ---- */

int bpf_builtin(Node *call)
{
	static const char *const names[] = {
		[BB_EXECNAME] = "execname", [BB_PID] = "pid", [BB_TID] = "tid", [BB_CPU] = "cpu",
		[BB_TARGET] = "target", [BB_EXIT] = "exit", [BB_UID] = "uid", [BB_GID] = "gid",
		[BB_GETTIMEOFDAY_NS] = "gettimeofday_ns", [BB_GETTIMEOFDAY_US] = "gettimeofday_us",
		[BB_GETTIMEOFDAY_MS] = "gettimeofday_ms", [BB_GETTIMEOFDAY_S] = "gettimeofday_s",
		[BB_LOCAL_CLOCK_NS] = "local_clock_ns", [BB_ERROR] = "error",
		[BB_KTIME_GET_NS] = "ktime_get_ns", [BB_STRLEN] = "strlen", [BB_SUBSTR] = "substr",
		[BB_STRPOS] = "strpos", [BB_WARN] = "warn", [BB_ABORT] = "abort", [BB_PP] = "pp",
		[BB_MATCHED] = "matched", [BB_NGROUPS] = "ngroups", [BB_STRINGAT] = "stringat",
		[BB_RANDINT] = "randint",
	};
	Func *f = call->func;
	if (!f || !f->file || !f->file->is_tapset)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(f->name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* A call of a script function, its body in place; its value at fp + g->fn_ret */
static void gen_inline(Gen *g, Node *n)
{
	Func *f = n->func;
	int depth = g->fn ? g->fn->depth + 1 : 1;
	for (Inline *up = g->fn; up; up = up->up)
		if (up->func == f) {
			refuse(g, n, arena_printf("the recursive function '%s'", f->name));
			return;
		}
	if (!f || f->is_embedded || f->next_overload || f->overloaded || f->uses_next ||
	    depth > g->bp->maxnesting) {
		refuse(g, n, arena_printf("a call of the function '%s'", n->name));
		return;
	}
	Inline in = { .func = f, .up = g->fn, .depth = depth };
	in.ret_off = alloc(g, type_size(f->ret));
	zero(g, R10, in.ret_off, type_size(f->ret));
	in.param_off = arena_alloc(sizeof(int) * (f->params.len + 1));
	in.local_off = arena_alloc(sizeof(int) * (f->locals.len + 1));
	Node *a = n->args;
	for (int i = 0; i < f->params.len && a; i++, a = a->next) {
		Var *p = f->params.items[i];
		in.param_off[i] = alloc(g, type_size(p->type));
		if (p->type == TY_STRING) {
			gen_str(g, a, in.param_off[i]);
		} else {
			gen_long(g, a);
			STX(R10, in.param_off[i], R0);
		}
	}
	for (int i = 0; i < f->locals.len; i++) {
		Var *v = f->locals.items[i];
		in.local_off[v->index] = alloc(g, type_size(v->type));
		zero(g, R10, in.local_off[v->index], type_size(v->type));
	}
	g->fn = &in;
	gen_stmt(g, f->body);
	g->fn = in.up;
	for (int i = 0; i < in.returns.len; i++)
		patch(g, (int)(intptr_t)in.returns.items[i]);
	g->fn_ret = in.ret_off;
}

/* return [value]: into the inlined call's slot, then to its end */
static void gen_return(Gen *g, Node *n)
{
	if (!g->fn) {
		refuse(g, n, "'return' outside a function");
		return;
	}
	if (n->lhs && is_str(n->lhs)) {
		gen_str(g, n->lhs, g->fn->ret_off);
	} else if (n->lhs) {
		gen_long(g, n->lhs);
		STX(R10, g->fn->ret_off, R0);
	}
	vec_push(&g->fn->returns, (void *)(intptr_t)JA());
}

static void gen_call(Gen *g, Node *n)
{
	switch (bpf_builtin(n)) {
	case BB_PID:
		CALL(BPF_FUNC_get_current_pid_tgid);
		ALUI(BPF_RSH, R0, 32);
		return;
	case BB_TID:
		CALL(BPF_FUNC_get_current_pid_tgid);
		ins(g, BPF_ALU | BPF_MOV | BPF_X, R0, R0, 0, 0);	/* the low 32 bits */
		return;
	case BB_UID:
		CALL(BPF_FUNC_get_current_uid_gid);
		ins(g, BPF_ALU | BPF_MOV | BPF_X, R0, R0, 0, 0);
		return;
	case BB_GID:
		CALL(BPF_FUNC_get_current_uid_gid);
		ALUI(BPF_RSH, R0, 32);
		return;
	case BB_CPU:
		CALL(BPF_FUNC_get_smp_processor_id);
		return;
	case BB_TARGET:
		LDX(R0, R7, BPF_SLOT_TARGET);
		return;
	case BB_LOCAL_CLOCK_NS:
	case BB_KTIME_GET_NS:
		CALL(BPF_FUNC_ktime_get_ns);
		return;
	case BB_EXIT: {
		/* the loader ends the session; later hits return at their start */
		set_exit(g);
		int save = g->sp, rec = alloc(g, 8);
		STW(R10, rec, REC_EXIT);
		STW(R10, rec + 4, 0);
		output(g, rec, 8);
		g->sp = save;
		MOVI(R0, 0);
		return;
	}
	case BB_ERROR:
		if (n->args && n->args->kind == ND_STR) {
			raise_error(g, n, n->args->str);
			MOVI(R0, 0);
			return;
		}
		refuse(g, n, "error() of a string that is not a literal");
		return;
	default:
		gen_inline(g, n);
		if (!g->refused)
			LDX(R0, R10, g->fn_ret);
	}
}

/* ---- assignments ---- */

/* Where a variable lives: a base register and an offset */
static bool var_place(Gen *g, Var *v, int *base, int *off)
{
	if (v->kind == VAR_GLOBAL) {
		*base = R7;
		*off = bpf_global(g->bp, v)->offset;
		return true;
	}
	*base = R10;
	if (g->fn && v->kind == VAR_PARAM) {
		for (int i = 0; i < g->fn->func->params.len; i++)
			if (g->fn->func->params.items[i] == v) {
				*off = g->fn->param_off[i];
				return true;
			}
		return false;
	}
	if (v->kind == VAR_LOCAL) {
		*off = g->fn ? g->fn->local_off[v->index] : g->local_off[v->index];
		return true;
	}
	return false;
}

/* lhs op= r0 (op 0: =) for a scalar place; the new value in r0 */
static void assign_long_at(Gen *g, Node *n, int base, int off, int op, bool atomic)
{
	if (!op) {
		STX(base, off, R0);
		return;
	}
	if ((op == '+' || op == '-') && atomic) {
		if (op == '-')
			ALUI(BPF_NEG, R0, 0);
		MOV(R1, R0);
		ins(g, BPF_STX | BPF_ATOMIC | BPF_DW, base, R1, off, BPF_ADD | BPF_FETCH);
		ALU(BPF_ADD, R0, R1);
		return;
	}
	/* not atomic: as racy as SystemTap's BPF runtime; r7 and r8 survive apply_op */
	LDX(R1, base, off);
	apply_op(g, n, op);
	STX(base, off, R1);
	MOV(R0, R1);
}

static void gen_assign_var(Gen *g, Node *n, Node *lhs, int op, Node *rhs)
{
	int base, off;
	if (!var_place(g, lhs->var, &base, &off)) {
		refuse(g, n, "an assignment to a function parameter");
		return;
	}
	if (is_str(lhs)) {
		if (op) {
			refuse(g, n, "the string operator '.='");
			return;
		}
		int save = g->sp, t = alloc(g, BPF_STRLEN);
		gen_str(g, rhs, t);
		copy_words(g, base, off, R10, t, BPF_STRLEN);
		g->sp = save;
		return;
	}
	if (rhs)
		gen_long(g, rhs);
	else
		MOVI(R0, 1);
	assign_long_at(g, n, base, off, op, base == R7);
}

static void gen_assign_index(Gen *g, Node *n, Node *lhs, int op, Node *rhs)
{
	BpfGlobal *gl = bpf_global(g->bp, lhs->var);
	int save = g->sp;
	int key = gen_key(g, lhs->args);
	if (!op) {
		/* stored in place if a[key] is there (it keeps its place in foreach's
		   order), else inserted with the next number */
		int val = alloc(g, gl->value_size + BPF_SEQ_SIZE);
		if (is_str(lhs)) {
			gen_str(g, rhs, val);
		} else {
			gen_long(g, rhs);
			STX(R10, val, R0);
		}
		lookup(g, gl, key);
		int missing = JI(BPF_JEQ, R0, 0);
		copy_words(g, R0, 0, R10, val, gl->value_size);
		int done = JA();
		patch(g, missing);
		next_seq(g, val + gl->value_size);
		update(g, gl, key, val, BPF_ANY);
		int ok = JI(BPF_JSGE, R0, 0);
		raise_error(g, lhs, overflow_message(gl));
		patch(g, ok);
		patch(g, done);
		if (!is_str(lhs))
			LDX(R0, R10, val);
		g->sp = save;
		return;
	}
	if (is_str(lhs)) {
		refuse(g, n, "the string operator '.='");
		return;
	}
	int val = alloc(g, 8);
	if (rhs)
		gen_long(g, rhs);
	else
		MOVI(R0, 1);
	STX(R10, val, R0);
	lookup_or_insert(g, lhs, gl, key);
	LDX(R0, R10, val);
	assign_long_at(g, n, R8, 0, op, true);
	g->sp = save;
}

static void gen_assign(Gen *g, Node *n, Node *lhs, int op, Node *rhs)
{
	if (lhs->kind == ND_VAR)
		gen_assign_var(g, n, lhs, op, rhs);
	else if (lhs->kind == ND_INDEX)
		gen_assign_index(g, n, lhs, op, rhs);
	else
		refuse(g, n, "an assignment to this expression");
}

/* ++x, x++, --x, x--: the new value, or the old one after the fact */
static void gen_incdec(Gen *g, Node *n)
{
	gen_assign(g, n, n->lhs, n->op, NULL);
	if (n->kind == ND_POSTINC)
		ALUI(n->op == '+' ? BPF_SUB : BPF_ADD, R0, 1);
}

/* ---- statistics ---- */

/* r4 = fls64(r3) of r3 != 0 (the highest bit set, 1 to 64), by halving */
static void gen_fls(Gen *g)
{
	MOVI(R4, 1);
	for (int shift = 32; shift >= 1; shift /= 2) {
		MOV(R5, R3);
		ALUI(BPF_RSH, R5, shift);
		int zero_ = JI(BPF_JEQ, R5, 0);
		MOV(R3, R5);
		ALUI(BPF_ADD, R4, shift);
		patch(g, zero_);
	}
}

/*
 * The histogram's bucket of r2 (the value) counted in r8's record, as the
 * module's runtime buckets it: log2 buckets around 64 (0), or linear
 * ones with the values below lo in bucket 0 and past hi in the last.
 */
static void gen_bucket(Gen *g, BpfGlobal *gl)
{
	Var *v = gl->var;
	if (v->hist == HIST_LOG) {
		MOVI(R0, BPF_HIST_LOG_BUCKET0);
		int zero_ = JI(BPF_JEQ, R2, 0);
		MOV(R3, R2);
		int pos = JI(BPF_JSGT, R2, 0);
		ALUI(BPF_NEG, R3, 0);
		patch(g, pos);
		gen_fls(g);
		int neg = JI(BPF_JSLT, R2, 0);
		ALU(BPF_ADD, R0, R4);
		int done = JA();
		patch(g, neg);
		ALU(BPF_SUB, R0, R4);
		patch(g, done);
		patch(g, zero_);
		ALUI(BPF_AND, R0, BPF_HIST_LOG_BUCKETS - 1);
	} else {
		MOV(R0, R2);
		movi64(g, R3, v->hist_lo);
		ALU(BPF_SUB, R0, R3);
		int in_range = JI(BPF_JSGE, R0, 0);
		MOVI(R0, 0);
		int done = JA();
		patch(g, in_range);
		movi64(g, R3, v->hist_step);
		ALU(BPF_DIV, R0, R3);
		ALUI(BPF_ADD, R0, 1);
		int below = JI(BPF_JLT, R0, gl->nbuckets - 1);
		MOVI(R0, gl->nbuckets - 1);
		patch(g, below);
		patch(g, done);
	}
	ALUI(BPF_LSH, R0, 3);
	ALU(BPF_ADD, R0, R8);
	LDX(R1, R0, sizeof(BpfStat));
	ALUI(BPF_ADD, R1, 1);
	STX(R0, sizeof(BpfStat), R1);
}

/* s <<< v, a[k] <<< v: this CPU's record of the entry, inserted when new */
static void gen_aggregate(Gen *g, Node *n)
{
	Node *lhs = n->lhs;
	BpfGlobal *gl = bpf_global(g->bp, lhs->var);
	int save = g->sp;
	int val = alloc(g, 8);
	gen_long(g, n->rhs);
	STX(R10, val, R0);
	int key;
	if (lhs->kind == ND_INDEX) {
		key = gen_key(g, lhs->args);
	} else {
		key = alloc(g, 8);
		STD(R10, key, 0);
	}
	lookup_or_insert(g, lhs, gl, key);
	LDX(R1, R8, offsetof(BpfStat, count));
	LDX(R2, R10, val);
	int first = JI(BPF_JEQ, R1, 0);
	LDX(R3, R8, offsetof(BpfStat, min));
	int not_min = JR(BPF_JSGE, R2, R3);
	STX(R8, offsetof(BpfStat, min), R2);
	patch(g, not_min);
	LDX(R3, R8, offsetof(BpfStat, max));
	int not_max = JR(BPF_JSLE, R2, R3);
	STX(R8, offsetof(BpfStat, max), R2);
	patch(g, not_max);
	int counted = JA();
	patch(g, first);
	STX(R8, offsetof(BpfStat, min), R2);
	STX(R8, offsetof(BpfStat, max), R2);
	patch(g, counted);
	ALUI(BPF_ADD, R1, 1);
	STX(R8, offsetof(BpfStat, count), R1);
	LDX(R3, R8, offsetof(BpfStat, sum));
	ALU(BPF_ADD, R3, R2);
	STX(R8, offsetof(BpfStat, sum), R3);
	if (gl->nbuckets)
		gen_bucket(g, gl);
	MOVI(R0, 0);
	g->sp = save;
}

/* ---- printing: records the loader formats ---- */

static void gen_print(Gen *g, Node *n)
{
	if (n->name[0] == 's') {
		refuse(g, n, arena_printf("%s (strings are built in user space)", n->name));
		return;
	}
	int size = 8;
	for (Node *a = n->args; a; a = a->next)
		size += a->kind == ND_STR && a == n->args && !strcmp(n->name, "printf") ? 0 :
			type_size(a->type);
	for (Node *a = n->args; a; a = a->next)
		if (a->kind == ND_HIST || a->type == TY_STATS) {
			refuse(g, n, "printing a histogram (@hist_*)");
			return;
		}
	int save = g->sp;
	int rec = alloc(g, size), pos = rec + 8;
	STW(R10, rec, REC_PRINT);
	STW(R10, rec + 4, bpf_site(g->bp, n, NULL, g->d));
	for (Node *a = n->args; a; a = a->next) {
		if (a == n->args && !strcmp(n->name, "printf"))
			continue;	/* the format is the loader's */
		if (is_str(a)) {
			gen_str(g, a, pos);
		} else {
			gen_long(g, a);
			STX(R10, pos, R0);
		}
		pos += type_size(a->type);
	}
	output(g, rec, size);
	g->sp = save;
	MOVI(R0, 0);
}

static void gen_cond_expr(Gen *g, Node *n, int str_off)
{
	gen_long(g, n->cond);
	int els = JI(BPF_JEQ, R0, 0);
	if (str_off)
		gen_str(g, n->then, str_off);
	else
		gen_long(g, n->then);
	int done = JA();
	patch(g, els);
	if (str_off)
		gen_str(g, n->els, str_off);
	else
		gen_long(g, n->els);
	patch(g, done);
}

static void gen_long(Gen *g, Node *n)
{
	switch (n->kind) {
	case ND_NUM:
		movi64(g, R0, n->num);
		return;
	case ND_VAR: {
		int base, off;
		if (n->var->is_array || !var_place(g, n->var, &base, &off)) {
			refuse(g, n, "this variable");
			return;
		}
		LDX(R0, base, off);
		return;
	}
	case ND_INDEX:
		gen_index_read(g, n);
		return;
	case ND_IN: {
		Node *arr = n->lhs;
		if (arr->kind != ND_VAR || !arr->var->is_array) {
			refuse(g, n, "'in' of this expression");
			return;
		}
		int save = g->sp;
		int key = gen_key(g, n->args);
		lookup(g, bpf_global(g->bp, arr->var), key);
		int no = JI(BPF_JEQ, R0, 0);
		MOVI(R0, 1);
		patch(g, no);
		g->sp = save;
		return;
	}
	case ND_TARGET:
		gen_target(g, n);
		return;
	case ND_BINOP:
		gen_binop(g, n);
		return;
	case ND_CMP:
		gen_cmp(g, n);
		return;
	case ND_LOGAND:
	case ND_LOGOR:
		gen_logic(g, n);
		return;
	case ND_NOT: {
		gen_long(g, n->lhs);
		int zero_ = JI(BPF_JEQ, R0, 0);
		MOVI(R0, 0);
		int done = JA();
		patch(g, zero_);
		MOVI(R0, 1);
		patch(g, done);
		return;
	}
	case ND_NEG:
		gen_long(g, n->lhs);
		ALUI(BPF_NEG, R0, 0);
		return;
	case ND_BITNOT:
		gen_long(g, n->lhs);
		ALUI(BPF_XOR, R0, -1);
		return;
	case ND_PLUS:
		gen_long(g, n->lhs);
		return;
	case ND_COND:
		gen_cond_expr(g, n, 0);
		return;
	case ND_ASSIGN:
		gen_assign(g, n, n->lhs, n->op, n->rhs);
		return;
	case ND_PREINC:
	case ND_POSTINC:
		gen_incdec(g, n);
		return;
	case ND_CALL:
		gen_call(g, n);
		return;
	case ND_PRINT:
		gen_print(g, n);
		return;
	case ND_AGG:
		if (n->lhs->kind != ND_VAR && n->lhs->kind != ND_INDEX) {
			refuse(g, n, "'<<<' to this expression");
			return;
		}
		gen_aggregate(g, n);
		return;
	case ND_STATOP: case ND_HIST: case ND_HIST_INDEX:
		refuse(g, n, "reading statistics (@count, @hist_* ...: in user-space probes)");
		return;
	case ND_REGEX:
		refuse(g, n, "a regular expression match");
		return;
	default:
		refuse(g, n, "this expression");
	}
}

/* The string value of n, zero-padded, into fp + off */
static void gen_str(Gen *g, Node *n, int off)
{
	switch (n->kind) {
	case ND_STR: {
		char buf[BPF_STRLEN] = {0};
		strncpy(buf, n->str, g->bp->maxstringlen - 1);
		for (int i = 0; i < BPF_STRLEN; i += 8) {
			int64_t w;
			memcpy(&w, buf + i, 8);
			movi64(g, R1, w);
			STX(R10, off + i, R1);
		}
		return;
	}
	case ND_VAR: {
		int base, soff;
		if (n->var->is_array || !var_place(g, n->var, &base, &soff)) {
			refuse(g, n, "this variable");
			return;
		}
		copy_words(g, R10, off, base, soff, BPF_STRLEN);
		return;
	}
	case ND_INDEX: {
		BpfGlobal *gl = bpf_global(g->bp, n->var);
		int save = g->sp;
		int key = gen_key(g, n->args);
		lookup(g, gl, key);
		g->sp = save;
		int found = JI(BPF_JNE, R0, 0);
		zero(g, R10, off, BPF_STRLEN);
		int done = JA();
		patch(g, found);
		copy_words(g, R10, off, R0, 0, BPF_STRLEN);
		patch(g, done);
		return;
	}
	case ND_CALL:
		if (bpf_builtin(n) == BB_EXECNAME) {
			zero(g, R10, off, BPF_STRLEN);
			MOV(R1, R10);
			ALUI(BPF_ADD, R1, off);
			MOVI(R2, 16);	/* TASK_COMM_LEN */
			CALL(BPF_FUNC_get_current_comm);
			return;
		}
		if (bpf_builtin(n) >= 0) {
			refuse(g, n, arena_printf("a call of the function '%s'", n->name));
			return;
		}
		gen_inline(g, n);
		if (!g->refused)
			copy_words(g, R10, off, R10, g->fn_ret, BPF_STRLEN);
		return;
	case ND_COND:
		gen_cond_expr(g, n, off);
		return;
	case ND_TARGET:
		gen_target_str(g, n, off);
		return;
	case ND_ASSIGN:
		gen_assign(g, n, n->lhs, n->op, n->rhs);
		gen_str(g, n->lhs, off);
		return;
	case ND_CONCAT:
		refuse(g, n, "string concatenation '.'");
		return;
	default:
		refuse(g, n, "this string expression");
	}
}

/* ---- statements ---- */

static void gen_if(Gen *g, Node *n)
{
	gen_long(g, n->cond);
	int els = JI(BPF_JEQ, R0, 0);
	gen_stmt(g, n->then);
	if (!n->els) {
		patch(g, els);
		return;
	}
	int done = JA();
	patch(g, els);
	gen_stmt(g, n->els);
	patch(g, done);
}

/* An unconditional jump back to instruction to */
static void jump_back(Gen *g, int to)
{
	int j = JA();
	g->prog->insns[j].off = to - j - 1;
}

/*
 * while and for: each turn spends one of the probe's MAXACTION turns,
 * which bounds the loop for the verifier, and past them is SystemTap's
 * "MAXACTION exceeded" at the loop.
 */
static void gen_loop(Gen *g, Node *n)
{
	if (n->init)
		gen_stmt(g, n->init);
	Vec breaks = {0}, continues = {0};
	Vec *outer_b = g->breaks, *outer_c = g->continues;
	int top = g->prog->ninsns;
	int done = -1;
	if (n->cond) {
		gen_long(g, n->cond);
		done = JI(BPF_JEQ, R0, 0);
	}
	LDX(R1, R10, g->budget);
	ALUI(BPF_SUB, R1, 1);
	STX(R10, g->budget, R1);
	int ok = JI(BPF_JSGE, R1, 0);
	raise_error(g, n, "MAXACTION exceeded");
	patch(g, ok);
	g->breaks = &breaks;
	g->continues = &continues;
	gen_stmt(g, n->then);
	g->breaks = outer_b;
	g->continues = outer_c;
	for (int i = 0; i < continues.len; i++)
		patch(g, (int)(intptr_t)continues.items[i]);
	if (n->inc)
		gen_effect(g, n->inc);
	jump_back(g, top);
	if (done >= 0)
		patch(g, done);
	for (int i = 0; i < breaks.len; i++)
		patch(g, (int)(intptr_t)breaks.items[i]);
}

static void gen_break(Gen *g, Node *n, Vec *jumps)
{
	if (!jumps) {
		refuse(g, n, "'break' or 'continue' outside a loop");
		return;
	}
	vec_push(jumps, (void *)(intptr_t)JA());
}

static void gen_delete(Gen *g, Node *n)
{
	Node *t = n->lhs;
	if (t->kind != ND_INDEX) {
		refuse(g, n, "'delete' of a whole array (in user space it works)");
		return;
	}
	for (Node *a = t->args; a; a = a->next)
		if (a->kind == ND_STAR) {
			refuse(g, n, "'delete' of a slice");
			return;
		}
	int save = g->sp;
	int key = gen_key(g, t->args);
	ld_map(g, R1, t->var->index);
	MOV(R2, R10);
	ALUI(BPF_ADD, R2, key);
	CALL(BPF_FUNC_map_delete_elem);
	g->sp = save;
}

static void gen_stmt(Gen *g, Node *n)
{
	if (!n || g->refused)
		return;
	switch (n->kind) {
	case ND_BLOCK:
		for (Node *s = n->body; s && !g->refused; s = s->next)
			gen_stmt(g, s);
		return;
	case ND_EXPR_STMT:
		gen_effect(g, n->lhs);
		return;
	case ND_NULL_STMT:
		return;
	case ND_IF:
		gen_if(g, n);
		return;
	case ND_NEXT:
		exit_probe(g);
		return;
	case ND_RETURN:
		gen_return(g, n);
		return;
	case ND_DELETE:
		gen_delete(g, n);
		return;
	case ND_WHILE:
	case ND_FOR:
		gen_loop(g, n);
		return;
	case ND_BREAK:
		gen_break(g, n, g->breaks);
		return;
	case ND_CONTINUE:
		gen_break(g, n, g->continues);
		return;
	case ND_FOREACH:
		refuse(g, n, "'foreach' (it runs in begin, end and timer probes)");
		return;
	case ND_TRY:
		refuse(g, n, "'try'");
		return;
	default:
		if (n->kind < ND_BLOCK) {	/* a for loop's init: an expression */
			gen_effect(g, n);
			return;
		}
		refuse(g, n, "this statement");
	}
}

/* ---- a probe's program ---- */

static void gen_prologue(Gen *g)
{
	MOV(R6, R1);
	int key = alloc(g, 8);
	STD(R10, key, 0);
	ld_map(g, R1, BPF_MAP_SCALARS);
	MOV(R2, R10);
	ALUI(BPF_ADD, R2, key);
	CALL(BPF_FUNC_map_lookup_elem);
	vec_push(&g->exits, (void *)(intptr_t)JI(BPF_JEQ, R0, 0));
	MOV(R7, R0);
	LDX(R1, R7, BPF_SLOT_EXIT);
	vec_push(&g->exits, (void *)(intptr_t)JI(BPF_JNE, R1, 0));
	g->sp = 0;
	g->budget = alloc(g, 8);
	movi64(g, R1, g->bp->maxaction);
	STX(R10, g->budget, R1);
	Vec *locals = &g->d->probe->locals;
	g->local_off = arena_alloc(sizeof(int) * (locals->len + 1));
	for (int i = 0; i < locals->len; i++) {
		Var *v = locals->items[i];
		int size = type_size(v->type);
		g->local_off[v->index] = alloc(g, size);
		zero(g, R10, g->local_off[v->index], size);
	}
}

static BpfProg *gen_probe(BpfProgram *bp, DerivedProbe *d)
{
	Gen gen = { .bp = bp, .d = d };
	Gen *g = &gen;
	g->prog = arena_alloc(sizeof(*g->prog));
	g->prog->probe = d;
	gen_prologue(g);
	gen_stmt(g, d->probe->body);
	for (int i = 0; i < g->exits.len; i++)
		patch(g, (int)(intptr_t)g->exits.items[i]);
	MOVI(R0, 0);
	ins(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return g->refused ? NULL : g->prog;
}

BpfProgram *bpf_compile(Session *s)
{
	BpfProgram *bp = arena_alloc(sizeof(*bp));
	bp->ringbuf_fd = bp->scalars_fd = bp->zeros_fd = -1;
	read_limits(bp, s);
	bool ok = layout_globals(bp, &s->prog);
	for (int i = 0; i < s->derived.len; i++) {
		DerivedProbe *d = s->derived.items[i];
		Vec *list = d->kind == PROBE_BEGIN ? &bp->begins : d->kind == PROBE_END ? &bp->ends :
			    d->kind == PROBE_ERROR ? &bp->errors : bpf_timer_of(d) ? &bp->timers : NULL;
		if (list) {
			vec_push(list, d);
			ok &= bpf_interp_check(bp, d);
			continue;
		}
		if (!bpf_trace_of(d) && !bpf_is_profile(d)) {
			error_at(d->probe->loc, "semantic error", "probe point '%s' is not available "
				 "with --runtime=bpf: use --runtime=kernel", d->pp);
			ok = false;
			continue;
		}
		BpfProg *p = gen_probe(bp, d);
		if (p)
			vec_push(&bp->progs, p);
		ok &= p != NULL;
	}
	return ok && !error_count ? bp : NULL;
}

/* -p3: each program's instructions, as bpftool prints their bytes */
void bpf_dump(FILE *out, BpfProgram *bp)
{
	for (int i = 0; i < bp->globals.len; i++) {
		BpfGlobal *g = bp->globals.items[i];
		if (g->var->is_array || g->stats)
			fprintf(out, "map %s: %shash, key %d bytes, value %d bytes, %lld entries\n",
				g->var->name, g->stats ? "per-CPU " : "", g->key_size, g->value_size,
				(long long)g->max_entries);
		else
			fprintf(out, "global %s: scalars + %d, %d bytes\n", g->var->name, g->offset,
				g->value_size);
	}
	for (int i = 0; i < bp->progs.len; i++) {
		BpfProg *p = bp->progs.items[i];
		fprintf(out, "program for %s: %d instructions\n", p->probe->pp, p->ninsns);
		for (int k = 0; k < p->ninsns; k++) {
			struct bpf_insn *x = &p->insns[k];
			fprintf(out, "%5d: %02x %x %x %+d %d\n", k, x->code, x->dst_reg, x->src_reg,
				x->off, x->imm);
		}
	}
	const char *kinds[] = { "begin", "end", "error", "timer" };
	Vec *lists[] = { &bp->begins, &bp->ends, &bp->errors, &bp->timers };
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < lists[k]->len; i++)
			fprintf(out, "user-space probe %s (%s)\n",
				((DerivedProbe *)lists[k]->items[i])->pp, kinds[k]);
}
