/*
 * stap.h - every type and function that the translator's passes share.
 *
 * The pipeline (doc/HACKING.md walks it):
 *   pass 1, parse: lexer.l, preprocess.c, parser.y -> AST (dump.c prints it);
 *     ast.c: a node's children, the one list every walker uses
 *   pass 2, elaboration ("Pass 2: analysis failed." is SystemTap's word
 *     for its failure): resolve.c binds names, pulls in tapsets and hands
 *     each probe point to its family (probe_*.c); autocast.c, types.c,
 *     elide.c; the debuginfo readers dwarf*.c, btf.c, trace_systems.c,
 *     usym.c, unwind.c, ldd.c, lines.c
 *   pass 3, translation: emit.c, emit_data.c, entry.c, format.c, regex.c
 *   pass 4, compilation: build.c (kbuild), modcache.c, cache.c, kfeatures.c, sha256.c
 *   pass 5, run: run.c (staprun here, or vm/stap-vm for --vm)
 * Everything that lives for the whole compilation is allocated from one
 * arena (arena.c) and never freed.
 *
 * Copyright (C) 2026 the stap authors.  GPL-2.0-or-later.
 */
#ifndef STAP_H
#define STAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- arena.c: memory and strings that live for the whole run ---- */

void *arena_alloc(size_t size);	/* zeroed */
char *arena_strdup(const char *s);
char *arena_strndup(const char *s, size_t n);
char *arena_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
const char *intern(const char *s, size_t n);	/* equal text -> equal pointer */
const char *intern_str(const char *s);

/* A growable array of pointers: symbol tables, probe lists, ... */
typedef struct Vec {
	void **items;
	int len;
	int cap;
} Vec;
void vec_push(Vec *v, void *item);
void vec_sort_strings(Vec *v);

/* A growable string. */
typedef struct Buf {
	char *s;
	size_t len;
	size_t cap;
} Buf;
void buf_putc(Buf *b, char c);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- diag.c: every message the user sees about their script ---- */

typedef struct SrcFile {
	const char *name;	/* "<input>", a path, or a tapset path */
	const char *text;	/* whole file, NUL-terminated */
	size_t len;
	bool is_tapset;		/* library file: embedded C allowed */
	int index;		/* order in which files were read */
	bool used;		/* pass 2: part of the program */
} SrcFile;

typedef struct Loc {
	SrcFile *file;
	int line;		/* 1-based */
	int col;		/* 1-based, in bytes */
} Loc;

extern int error_count;
extern int warning_count;
extern bool warnings_are_errors;	/* -W */
extern bool warnings_off;		/* -w */
extern int max_errors;			/* stop reporting after this many */
extern bool diag_color;			/* --color: SGR colors, $SYSTEMTAP_COLORS */

/* kind is "parse error", "semantic error", "type mismatch", ... */
void error_at(Loc loc, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void warn_at(Loc loc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void note_at(Loc loc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void error_plain(const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warn_plain(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* The closest candidate to name (edit distance), or NULL if none is close. */
const char *closest_name(const char *name, const char **cands, int n);
/* Up to max close candidates, joined "a, b, c"; NULL if none. */
const char *similar_names(const char *name, const char **cands, int n, int max);

/* ---- types ---- */

typedef enum Type {
	TY_UNKNOWN,
	TY_LONG,
	TY_STRING,
	TY_STATS,	/* aggregate: x <<< v */
} Type;
const char *type_name(Type t);

/* ---- pass 1: tokens (lexer.l, preprocess.c) ---- */

typedef struct Token Token;
struct Token {
	int kind;		/* a bison token code from parser.h */
	const char *text;	/* interned spelling (strings: decoded value) */
	int64_t num;		/* NUMBER */
	Loc loc;
	bool space_before;	/* whitespace precedes it: probe points glue otherwise */
	Token *next;		/* in macro bodies and pushed-back lists */
};

/* lexer.l: the raw tokens of one file, ending with a kind-0 token */
Token *lex_file(SrcFile *file);
bool parse_number(const char *text, int64_t *out);	/* C-style, 64-bit wrap */

/* preprocess.c: %( %) conditionals, macros, $N/@N, probe-point gluing */
typedef struct PreprocEnv {
	const char *kernel_v;	/* "6.1.192" */
	const char *kernel_vr;	/* "6.1.0-56-cloud-amd64" */
	const char *arch;	/* "x86_64" */
	const char *runtime;	/* "kernel" */
	const char *systemtap_v; /* compatibility level, "4.8" */
	bool guru_mode;
	const char *kconfig_path; /* the target kernel's .config, or NULL */
	int argc;		/* command-line $1..$N */
	char **argv;
	bool *arg_used;
} PreprocEnv;
extern PreprocEnv preproc_env;
Token *preprocess(Token *toks);
void preproc_load_macros(SrcFile *file);	/* a *.stpm library file */
void preproc_check_args(void);	/* warns about unused $N/@N */
/* A token's name for messages: "'}'", "identifier 'foo'", "end of file" */
const char *token_desc(const Token *t);

/* ---- pass 1: the AST (parser.y; its children: ast.c) ---- */

typedef enum NodeKind {
	/* expressions */
	ND_NUM,		/* num */
	ND_STR,		/* str */
	ND_VAR,		/* name: local, global or parameter (resolved: var) */
	ND_INDEX,	/* array[args] (wildcards: ND_STAR keys) */
	ND_STAR,	/* '*' key in delete/in/foreach slices */
	ND_CALL,	/* name(args) */
	ND_BINOP,	/* lhs op rhs, op: '+', TK_SHL... */
	ND_LOGAND,	/* lhs && rhs */
	ND_LOGOR,	/* lhs || rhs */
	ND_CMP,		/* lhs op rhs: '<' '>' TK_LE TK_GE TK_EQ TK_NE */
	ND_CONCAT,	/* lhs . rhs */
	ND_REGEX,	/* lhs =~ rhs (op TK_REGEQ) or !~ (TK_REGNE) */
	ND_NEG,		/* -x */
	ND_PLUS,	/* +x */
	ND_NOT,		/* !x */
	ND_BITNOT,	/* ~x */
	ND_PREINC,	/* ++x / --x: op '+' or '-' */
	ND_POSTINC,	/* x++ / x-- */
	ND_ASSIGN,	/* lhs op= rhs; op 0 for plain '=' */
	ND_AGG,		/* lhs <<< rhs */
	ND_COND,	/* cond ? then : els */
	ND_IN,		/* [args] in array (array: lhs) */
	ND_STATOP,	/* @count(x) etc: name, lhs */
	ND_HIST,	/* @hist_linear(x, lo, hi, step) / @hist_log(x): name, args */
	ND_HIST_INDEX,	/* @hist_log(x)[n]: lhs is ND_HIST, rhs the bucket */
	ND_PRINT,	/* print family: name, args (fmt first for *printf) */
	ND_TARGET,	/* $name with member chain */
	ND_CAST,	/* @cast(expr, "type"[, "module"]) with member chain */
	ND_DEFINED,	/* @defined(expr) */
	ND_ENTRY,	/* @entry(expr) */
	ND_VARREF,	/* @var("name@file"[, "module"]) */
	ND_CONST,	/* @const("NAME") */
	ND_PROBEWRITE,	/* @probewrite(var) */
	ND_EMBEDDED_EXPR, /* %{ code %} as an expression */
	ND_ADDR,	/* &$var->member */
	ND_AUTOCAST,	/* expr->member, expr[i]: lhs with chain, read as the debuginfo
			   type lhs carries (ValueType); lowered into ND_TARGET */

	/* statements */
	ND_BLOCK,	/* { body } */
	ND_EXPR_STMT,	/* lhs; */
	ND_NULL_STMT,	/* ; */
	ND_IF,		/* if (cond) then else els */
	ND_WHILE,	/* while (cond) then */
	ND_FOR,		/* for (init; cond; inc) then */
	ND_FOREACH,	/* see Foreach */
	ND_BREAK,
	ND_CONTINUE,
	ND_NEXT,
	ND_RETURN,	/* return lhs */
	ND_DELETE,	/* delete lhs (ND_VAR or ND_INDEX) */
	ND_TRY,		/* try then catch (name) els */
	ND_EMBEDDED_STMT, /* %{ code %} in a guru-mode function body */
} NodeKind;

/* One element of a target-variable chain: ->name, [index] or $/$$ */
typedef enum ChainKind { CH_MEMBER, CH_INDEX, CH_PRETTY, CH_PRETTY_DEEP } ChainKind;
typedef struct Chain Chain;
struct Chain {
	ChainKind kind;
	const char *name;	/* CH_MEMBER */
	struct Node *index;	/* CH_INDEX */
	Loc loc;
	Chain *next;
};

typedef struct Var Var;
typedef struct Func Func;
typedef struct Foreach Foreach;
typedef struct Node Node;

struct Node {
	NodeKind kind;
	Loc loc;
	Type type;		/* filled in by types.c */
	int op;			/* operator token, see NodeKind */

	Node *lhs;
	Node *rhs;
	Node *cond;		/* ND_IF, ND_WHILE, ND_FOR, ND_COND */
	Node *then;
	Node *els;
	Node *init;		/* ND_FOR */
	Node *inc;		/* ND_FOR */

	Node *args;		/* ND_CALL, ND_INDEX, ND_IN, ND_PRINT: linked by next */
	int nargs;
	Node *body;		/* ND_BLOCK: statements linked by next */
	Node *next;

	const char *name;	/* identifiers, call and macro names */
	const char *str;	/* ND_STR value, ND_EMBEDDED code */
	int64_t num;

	Var *var;		/* ND_VAR, ND_INDEX, ND_DELETE target */
	Func *func;		/* ND_CALL, after resolution */
	Foreach *foreach;	/* ND_FOREACH */
	Chain *chain;		/* ND_TARGET, ND_CAST, ND_VARREF, ND_AUTOCAST */
	struct TargetCode *target; /* ND_TARGET after its family lowered it */
	struct ValueType *vtype; /* the debuginfo type of its value, or NULL */
	bool deferred;		/* ND_COND, ND_IF: branches wait for their @defined */
	int tmp;		/* emit.c: temporary slot, or -1 */
};

/*
 * The debuginfo type a long value carries, so that '->' and '[ ]' can
 * follow any expression that has one (autocast): the value of a $var,
 * @cast, @var or & expression, passed on by '=', ?:, variables and
 * function returns (autocast.c).  A bare @cast(p, "type", "module") only
 * names its type: it is looked up when a '->' first needs it.
 */
typedef struct ValueType {
	struct DwModule *mod;	/* where type is; NULL until type is looked up */
	struct DwType *type;
	const char *type_name;	/* a bare @cast's type, which the value points to, in ... */
	const char *module;	/* ... its module ("kernel", "ext4"), or ... */
	struct DwModule *probe_mod; /* ... the probe's, when it names none */
	Loc loc;		/* the @cast's type, for an error of the look-up */
	bool failed;		/* the look-up failed, and said so */
	bool user;		/* it points into a process's memory */
} ValueType;

/*
 * A target expression ($var->m, @cast, @var, &...) as its probe family
 * lowered it for one probe address: a C expression (long value) or
 * pieces to print (the string of $var$, $$parms).  The C is written with
 * the runtime's fault-safe helpers only (runtime/loc.c); a fault leaves
 * c->last_error set, which emit.c checks after each target expression.
 * STP_IDX(k) in the C stands for the value of script expression
 * indexes[k] ($arr[i]), which emit.c evaluates first.
 */
typedef enum TargetPieceKind {
	TP_TEXT,	/* literal text */
	TP_DEC,		/* a long in decimal */
	TP_HEX,		/* a long as 0x... */
	TP_STRING,	/* "quoted" string at the address c; 0x... if unreadable */
	TP_CHARS,	/* "quoted" char array of len bytes at the address c */
	TP_BUFFER,	/* the module's own string at c, as it is (procfs $value) */
} TargetPieceKind;

typedef struct TargetPiece {
	TargetPieceKind kind;
	const char *c;		/* TP_TEXT: the text; else a C expression */
	int64_t len;		/* TP_CHARS */
	bool user;		/* TP_STRING, TP_CHARS: in user space (uprobes) */
} TargetPiece;

typedef struct TargetCode {
	const char *c_expr;	/* the value (s64), when not printed */
	Vec pieces;		/* TargetPiece*, when the value is a string */
	Node **indexes;		/* script expressions the C uses as STP_IDX(k) */
	int nindexes;
	/* an assignment (-g): memory at write_addr of write_size bytes, or a
	   register (write_reg >= 0) */
	const char *write_addr;
	int write_size;
	const char *write_buffer;	/* a string: into the module's buffer c of */
	const char *write_buffer_size;	/* ... this many bytes (procfs $value) */
	int write_reg;
} TargetCode;

/* How foreach sorts: by value (key 0) or key N, ascending (+) or not */
struct Foreach {
	Vec keys;		/* Node* ND_VAR: the loop variables */
	Node *value;		/* v in foreach (v = [k] in a), or NULL */
	Node *array;		/* ND_VAR, ND_HIST, or ND_INDEX with slice keys */
	int sort_key;		/* 0: none, -1: by value, N: key N (1-based) */
	int sort_dir;		/* +1 ascending, -1 descending */
	const char *sort_stat;	/* "@count"... when sorting a stats array by value */
	Node *limit;
};

/*
 * ast.c: the one list of a node's children.  node_for_each_child calls
 * fn with the address of each child that is there, in this order: lhs,
 * rhs, cond, then, els, init, inc, each node of the args list, each of
 * the body list, the foreach keys, value, array and limit, and the index
 * of each chain element.  fn may store a new node in *slot (a copy: the
 * list goes on from its next).  A walker over the whole tree calls it at
 * each node and keeps only what is its own.
 *
 * Fields that point to nodes without being children of their own:
 *   - ND_HIST's lhs is its args list (lhs, the statistics operand, is
 *     args' first node): visited once, in args, and set to args after,
 *     so that a walker that replaces children keeps the two the same.
 *   - A lowered ND_TARGET's target->indexes are nodes under its lhs,
 *     args and chain (@cast's pointer, an autocast's operand, [i]s),
 *     evaluated before its C: they are visited there.
 *   - next links the nodes of a list (args, body); a child elsewhere is
 *     one node, its next NULL (ND_STATOP's, ND_DEFINED's ... lhs is the
 *     argument list the parser checked to hold one).
 * Probe points' components and conditions are not nodes' children.
 */
typedef void NodeChildFn(Node **slot, void *arg);
void node_for_each_child(Node *n, NodeChildFn *fn, void *arg);

/* ---- declarations ---- */

typedef enum VarKind { VAR_LOCAL, VAR_PARAM, VAR_GLOBAL } VarKind;

#define MAX_KEYS 9

struct Var {
	const char *name;
	VarKind kind;
	Loc loc;
	Type type;
	bool is_array;		/* declared with [] or used with keys */
	int nkeys;		/* -1 until known */
	Type key_types[MAX_KEYS];
	Loc type_loc;		/* where the type was first inferred */
	Loc keys_loc;		/* where the key count was first seen */
	int64_t max_entries;	/* global a[N]; 0: MAXMAPENTRIES */
	bool wrap;		/* global a% : evict the oldest */
	bool is_private;
	Node *init;		/* literal initialiser of a global */
	SrcFile *file;		/* private globals are file-local */
	int index;		/* order among globals, or among a function's locals */
	bool read;		/* pass 2 usage, for elision and warnings */
	bool written;
	bool used;
	bool needs_lock;	/* touched by a probe that can race */
	int hist;		/* statistics: HIST_LOG or HIST_LINEAR, from @hist use */
	int64_t hist_lo, hist_hi, hist_step;
	bool variance;		/* statistics: @variance is read, keep the running one */
	int variance_shift;	/* N + 1 from @variance(x, N); 0: no N given, shift 0 */
	ValueType *vtype;	/* scalars: the debuginfo type stored in it (autocast.c) */
};

enum { HIST_NONE, HIST_LINEAR, HIST_LOG };	/* as the runtime's STP_HIST_* */

struct Func {
	const char *name;
	Loc loc;
	Type ret;
	Loc ret_loc;
	Type decl_ret;		/* from "function f:long" */
	Vec params;		/* Var* */
	Vec locals;		/* Var* */
	Node *body;		/* ND_BLOCK, or ND_EMBEDDED_STMT */
	bool is_embedded;
	bool is_private;
	bool pure;		/* "pure" in its embedded C: no effect but its value
				   (or an error), so elide.c may drop a dead call */
	bool unprivileged;
	bool guru;
	int priority;		/* overloads of the same arity: lower runs first */
	SrcFile *file;
	bool used;
	int id;			/* emit order */
	Func *next_overload;	/* same name and arity, by priority */
	bool overloaded;	/* not the head of its overload chain */
	bool uses_next;		/* "next" in its body: the caller checks c->nexted */
	ValueType *ret_vtype;	/* the debuginfo type it returns (autocast.c) */
};

/* A probe point as written: kernel.function("vfs_read").return? */
typedef struct Component Component;
struct Component {
	const char *name;	/* may hold * and ** wildcards, {a,b} */
	Node *arg;		/* ND_NUM or ND_STR, or NULL */
	bool has_arg;
	Loc loc;
	Component *next;
};

typedef struct ProbePoint ProbePoint;
struct ProbePoint {
	Component *comps;
	bool optional;		/* ? */
	bool sufficient;	/* ! */
	Node *cond;		/* if (expr) */
	Loc loc;
	ProbePoint *next;
};

typedef struct Probe Probe;
struct Probe {
	ProbePoint *points;	/* several, comma-separated */
	Node *body;		/* ND_BLOCK */
	Loc loc;
	SrcFile *file;
	bool is_alias;		/* probe a = b { } or probe a += b { } */
	bool is_epilogue;	/* += */
	ProbePoint *alias_targets; /* what an alias expands to */
	Vec locals;		/* Var* */
	bool is_private;
	bool resolved;		/* pass 2 has bound its names */
	int id;
};

/* The whole program: every file parsed, user script first. */
typedef struct Embedded {
	const char *code;
	Loc loc;
	bool used;
} Embedded;

typedef struct Program {
	Vec files;		/* SrcFile* */
	Vec globals;		/* Var* */
	Vec funcs;		/* Func* */
	Vec probes;		/* Probe* (not aliases) */
	Vec aliases;		/* Probe* with is_alias */
	Vec embedded;		/* Embedded*: top-level %{ %} */
} Program;

/* parser.y */
typedef struct ParseResult {
	Vec globals, funcs, probes, aliases, embedded;
} ParseResult;
bool parse_file(SrcFile *file, ParseResult *out);	/* false on errors */
/* Node constructors used by the parser and by alias expansion */
Node *new_node(NodeKind kind, Loc loc);
Node *new_num(int64_t num, Loc loc);
Node *new_str(const char *s, Loc loc);
Node *new_binary(NodeKind kind, int op, Node *lhs, Node *rhs, Loc loc);

/* dump.c: -p1, the script printed back in canonical form */
void dump_program(FILE *out, Program *prog, bool user_only);
void dump_expr(Buf *b, Node *n);
const char *op_text(int op);	/* "<<" for TK_SHL, "+" for '+' */
void dump_probe_point(Buf *b, ProbePoint *pp);
/* --dump-probe-types, --dump-probe-aliases, --dump-functions (after pass 2) */
void dump_probe_types(FILE *out);
void dump_probe_aliases(FILE *out, Program *prog);
void dump_functions(FILE *out, Program *prog);

/* ---- pass 2 ---- */

/* A concrete probe: one probe point of one probe body, resolved by a family. */
typedef struct ProbeFamily ProbeFamily;
typedef struct DerivedProbe {
	ProbeFamily *family;
	Probe *probe;		/* body, locals */
	ProbePoint *point;	/* as written by the user */
	const char *pp;		/* canonical point, e.g. "timer.ms(100)" */
	const char *alias_pp;	/* the alias it was reached through, as -l lists it */
	Node *cond;		/* probe-point condition, or NULL */
	void *data;		/* the family's own */
	int kind;		/* STP_PROBE_NORMAL/BEGIN/END/ERROR, as in the runtime */
	int64_t seq;		/* begin(N), end(N): run order */
	int id;			/* index in the module's probe table */
	bool helper;		/* run for another probe (@entry's): not listed by -L */
} DerivedProbe;

enum { PROBE_NORMAL, PROBE_BEGIN, PROBE_END, PROBE_ERROR };

/*
 * A probe family: begin/end, timer, kprobe, ...  Adding one takes its
 * translator file, its runtime file and the places doc/HACKING.md lists
 * under "Adding a probe family".
 */
struct ProbeFamily {
	const char *name;
	const char *first;	/* first component it claims: "begin", "timer" */
	/* Resolves the point (components from comp on); adds DerivedProbes to out. */
	bool (*resolve)(ProbePoint *pp, Component *comp, Probe *probe, Vec *out);
	/* Module C: the family's table of its probes, named table_name */
	void (*emit)(FILE *out, DerivedProbe **probes, int n);
	const char *table_name;	/* "stp_timers" */
	const char *ops_name;	/* runtime ops: "stp_timer_ops"; NULL: run by the session */
	/* run by the session: its table is this field of stp_script ("begin") */
	const char *session_field;
	/* Names of the components it accepts after "first", for suggestions. */
	const char **suffixes;
	/* Optional: another first component it claims ("module" for the DWARF
	   family), and the second components it claims (NULL: any), so that
	   kernel.function and kernel.trace can be two families. */
	const char *first_alt;
	const char **seconds;
	/*
	 * Optional, for families whose probes have target variables: lowers
	 * n (ND_TARGET, ND_CAST, ND_VARREF, ND_ADDR, ND_ENTRY, ND_DEFINED) in
	 * the body of d, whose own copy of the probe it is; the children are
	 * resolved already.  Reports errors itself.
	 */
	void (*resolve_target)(DerivedProbe *d, Node *n);
	bool targets_writable;	/* its target variables are its own: no -g to write */
	/* its target variables lower to the same C at every point (read at
	   run time through c->probe): its points share one copy of a body */
	bool targets_shared;
	/*
	 * Optional, for families without target variables whose .return
	 * probes can run code at entry: lowers n (ND_ENTRY, its operand
	 * resolved) in d's own copy of the body, with entry.c.
	 */
	void (*lower_entry)(DerivedProbe *d, Node *n);
	/* Optional: d's target variables for -L, each " $name:type". */
	const char *(*list_vars)(DerivedProbe *d);
	/*
	 * Optional: every form of point the family takes, NULL-terminated,
	 * an argument written (N) for a number and (S) for a string:
	 * "timer.ms(N).randomize(N)".  A point whose component names hold
	 * wildcards ("timer.*", "perf.sw.*") is expanded over these.
	 */
	const char *const *shapes;
};

extern ProbeFamily family_begin;
extern ProbeFamily family_end;
extern ProbeFamily family_error;
extern ProbeFamily family_never;
extern ProbeFamily family_timer;
extern ProbeFamily family_profile;
extern ProbeFamily family_kprobe;
extern ProbeFamily family_dwarf;
extern ProbeFamily family_trace;
/* trace_systems.c: a kernel tracepoint's system from tracefs or the
   release's trace headers (no debuginfo), or NULL */
const char *trace_system_of(const char *release, const char *event);
extern ProbeFamily family_uprobe;
extern ProbeFamily family_sdt;
/* probe_sdt.c: process("PATH")[.library("LIB")][.provider("P")].mark("NAME"),
   from c (process); family_uprobe hands it the .library(...).mark points */
bool sdt_is_mark_point(Component *c);
/* probe_sdt.c, for the process families: is c named name; c's string argument */
bool component_is(Component *c, const char *name);
bool component_string(Component *c, const char **out);
bool sdt_resolve(ProbePoint *pp, Component *c, Probe *probe, Vec *out);
/* ... and for probe_plt.c: the file offset of link-time address addr
   (in a code segment if exec), a file for --vm to copy, and the program
   of bare process (c) from -c CMD or -x PID */
bool file_offset_of(const char *path, uint64_t addr, bool exec, uint64_t *off);
void add_copy(const char *path);
bool target_program(Component *c, const char **path);
extern ProbeFamily family_plt;
/* probe_plt.c: process("PATH")[.library("LIB")].plt["("NAME")"][.return],
   from c (process); family_uprobe hands it the .library(...).plt points */
bool plt_is_plt_point(Component *c);
bool plt_resolve(ProbePoint *pp, Component *c, Probe *probe, Vec *out);
extern ProbeFamily family_process;
extern ProbeFamily family_procfs;
extern ProbeFamily family_perf;
extern ProbeFamily family_stdin;
/* probe_procfs.c: $value in a buffer the runtime hands the probe (procfs, stdin) */
TargetCode *buffer_value_target(Node *n, const char *family);
extern ProbeFamily family_netfilter;
extern ProbeFamily family_hwbkpt;
extern ProbeFamily *probe_families[];
extern int probe_family_count;

typedef struct Session Session;

/* resolve.c */
bool resolve_program(Program *prog, Session *s);
/* After types: end probes that print globals the script writes but never reads. */
bool add_global_display(Program *prog, Session *s);
Var *new_var(const char *name, VarKind kind, Loc loc);
/* A copy of p with its own body, for a family that lowers target
   variables differently at each address. */
Probe *probe_copy(Probe *p);
bool body_has_targets(Node *n);
/* entry.c: @entry(expr) as a slot that a helper probe fills at entry */
DerivedProbe *entry_helper_new(DerivedProbe *d, void *hdata);
TargetCode *entry_slot_store(DerivedProbe *helper, Node *expr, Loc loc, int k);
void entry_lower_to_slot(DerivedProbe *helper, Node *n, int k);
void drop_unused_funcs(Program *prog, Session *s);
/* elide.c: stores to probe locals nothing reads, when their values are pure */
void elide_dead_stores(Program *prog, Session *s);
/* probe_dwarf.c: @cast, &@cast(...) or @defined(@cast(...)) outside DWARF probes */
void dwarf_lower_cast(Node *n);
/* ... and in a probe on user program path without DWARF probes of its own
   (an SDT marker): the types are path's by default, the memory the process's */
void dwarf_lower_user_cast(Node *n, const char *path);
/* An autocast, or & of one, whose operand has a type; quiet: no error.  False if not. */
bool dwarf_lower_autocast(Node *n, bool quiet);
/* Do a and b name the same C type (the same name, or the same DWARF entry)? */
bool dwarf_same_vtype(ValueType *a, ValueType *b);
/* autocast.c: the types that values carry on, and the autocasts they allow */
extern ValueType no_vtype;	/* of what was given two different types */
void autocast_flow(Session *s);	/* through '=', variables, ?: and returns */
int autocast_lower(Session *s);	/* lowers those whose operand has a type: how many */
int autocast_defined(Node *defined);	/* @defined(autocast): 1, 0, or -1 (not yet known) */
void autocast_report(Session *s);	/* errors for the autocasts left */
/* A resolved probe point of family fam (PROBE_NORMAL); pp may be set later. */
DerivedProbe *new_derived(ProbeFamily *fam, Probe *probe, void *data, const char *pp);
extern Session *cur_session;	/* the run being compiled, for families */
/* -l / -L: resolves the points of "probe PATTERN {}" and prints them. */
int list_probes(Program *prog, Session *s, bool with_vars);

/* types.c */
bool infer_types(Program *prog, Session *s);
bool infer_types_of_new_probes(Program *prog, Session *s, int first);

/* builtins: the functions the translator knows by name (print family, exit) */
typedef struct Builtin {
	const char *name;
	int min_args;
	int max_args;		/* -1: any */
	Type ret;
	Type arg_type;		/* all args; TY_UNKNOWN: any */
} Builtin;
const Builtin *find_builtin(const char *name);

/* printf format strings, checked at compile time and used by emit.c */
typedef struct FmtSpec {
	char conv;		/* d i u x X o c s p b m M %, or 0 for literal text */
	const char *literal;	/* conv == 0: the text */
	char flags[8];
	int width;		/* -1 none, -2 '*' */
	int prec;		/* -1 none, -2 '*' */
	Type arg_type;		/* what argument it consumes */
} FmtSpec;
/* Parses fmt into specs; on error sets *err and returns -1. */
int parse_format(const char *fmt, FmtSpec *specs, int max, const char **err);

/* regex.c: POSIX EREs compiled for the runtime's Pike VM */
typedef enum RxOp { RX_CHAR, RX_ANY, RX_CLASS, RX_SPLIT, RX_JMP, RX_SAVE, RX_BOL, RX_EOL,
		    RX_MATCH } RxOp;
typedef struct RxInsn {
	RxOp op;
	int arg;
	int x, y;
} RxInsn;
typedef struct Regex {
	RxInsn *insns;
	int ninsns, cap_insns;
	uint32_t (*classes)[8];
	int nclasses, cap_classes;
	int ngroups;
} Regex;
Regex *regex_compile(const char *pattern, const char **err);
void regex_emit(FILE *out, Regex *rx, const char *name, const char *pattern);

/* ---- the session: options and state shared by the passes ---- */

enum { DUMP_NONE, DUMP_PROBE_TYPES, DUMP_PROBE_ALIASES, DUMP_FUNCTIONS };
enum { PROLOGUE_AUTO, PROLOGUE_NEVER, PROLOGUE_ALWAYS };

struct Session {
	/* command line */
	const char *script_file;	/* NULL for -e */
	const char *script_text;	/* -e */
	int last_pass;			/* -p N, 5 by default */
	int verbose;
	bool keep_tmp;			/* -k */
	bool guru;			/* -g */
	bool unoptimized;		/* -u */
	bool use_vm;			/* --vm */
	bool bpf;			/* --runtime=bpf: BPF on this machine's kernel */
	const char *module_name;	/* -m */
	const char *output_file;	/* -o */
	const char *output_limits;	/* -S SIZE_MB[,N] */
	const char *target_cmd;	/* -c CMD */
	const char *target_pid;	/* -x PID, checked */
	int stop_after;		/* -T SECONDS, 0: none */
	bool flight_recorder;		/* -F */
	const char *kernel_release;	/* -r */
	const char *build_dir;		/* from -r or the release */
	Vec defines;			/* -D NAME=VALUE, char* */
	Vec include_dirs;		/* -I DIR */
	Vec script_args;		/* $1 ... */
	Vec globals_set;		/* -G var=value */
	int vm_timeout;			/* --vm-timeout seconds */
	int bufsize_mb;			/* -s */
	bool bulk;			/* -b: per-CPU output files */
	bool suppress_handler_errors;
	const char *vmlinux;			/* --vmlinux PATH */
	Vec vm_copies;				/* programs process() probes: --vm copies them */
	Vec symbol_files;			/* -d PATH: programs whose symbols the module has */
	Vec kmod_files;				/* -d MODULE.ko: kernel.trace searches them */
	bool skip_badvars;			/* --skip-badvars */
	bool suppress_time_limits;		/* --suppress-time-limits */
	bool listing;				/* -l / -L: no errors for unmatched points */
	const char *list_pattern;		/* -l / -L PATTERN */
	bool list_vars;				/* -L */
	int dump;				/* --dump-probe-types ...: DUMP_* */
	int pass_verbose[5];			/* -v and --vp ABCDE: each pass's verbosity */
	Vec extra_scripts;			/* -E SCRIPT, char* */
	Vec make_args;				/* -B NAME=VALUE: kbuild's make */
	Vec modinfo;				/* --modinfo NAME=VALUE */
	const char *runtime_opt;		/* -R DIR */
	const char *tmpdir_opt;			/* --tmpdir=DIR */
	bool example;				/* --example: the script is in examples/ */
	bool timing;				/* -t: probe hit report */
	bool ldd;				/* --ldd: -d each shared library too */
	bool no_global_display;			/* --no-global-var-display */
	int prologue;				/* --prologue-searching, -P: PROLOGUE_* */
	const char *host_kernel_note;		/* the kernel was chosen: a hint on failure */

	/* where things are */
	const char *runtime_dir;
	const char *tapset_dir;
	const char *libexec_dir;	/* staprun/stapio/stap-vm */
	const char *examples_dir;	/* --example */
	const char *tmp_dir;

	/* results */
	Program prog;
	Vec derived;			/* DerivedProbe* in emit order */
	const char *c_file;		/* pass 3 */
	const char *ko_file;		/* pass 4 */
	const char *ko_cached;		/* pass 4: the cache's copy it came from */
};

/* emit.c */
bool emit_module(Program *prog, Session *s, FILE *out);

/* build.c */
bool build_module(Session *s);
const char *kernel_build_dir(const char *release, bool *ok);
/*
 * cache.c: $STAP_CACHE, $SYSTEMTAP_DIR/cache, $XDG_CACHE_HOME/stap or ~/.cache/stap, checked
 * (fatal if someone else could write it); NULL without a home directory.
 */
const char *stap_cache_root(void);
/* A cache file, opened without following links: -1 with *why (NULL: missing). */
int cache_open(const char *path, const char **why);
/* ... read whole into memory (arena); NULL with *why as cache_open. */
char *cache_read(const char *path, size_t *len, const char **why);
/* An entry's files names[0..n), checked against its MANIFEST: false with
   *why NULL when there is no entry, with *why when it cannot be used. */
bool cache_read_entry(const char *dir, const char *const *names, int n, bool check_manifest,
		      char **data, size_t *len, const char **why);
const char *cache_manifest_line(const char *name, const char *data, size_t len);
bool cache_write(const char *path, const void *data, size_t len);	/* no link followed */
void cache_remove(const char *root, const char *name);	/* no link followed */
/* cache.c: removes name (a tree) in dirfd without following a link */
void remove_tree_at(int dirfd, const char *name, int depth);
/*
 * modcache.c: pass 4's module cache, keyed by the SHA-256 of the module's C,
 * the runtime entry, the kernel, the compiler and the options.  fetch sets
 * s->ko_file and s->ko_cached on a hit; prune keeps cache_mb_limit.
 */
bool modcache_fetch(Session *s, const char *runtime_entry);
void modcache_store(Session *s, const char *runtime_entry);
int modcache_prune(const char *root);

/* sha256.c: the digest of data as 64 hex digits */
void sha256_hex(const void *data, size_t len, char hex[65]);
/* --disable-cache: the cache is a directory of this run's, removed with it;
   --poison-cache: entries are rebuilt, not read, and written again. */
enum { CACHE_USE, CACHE_POISONED, CACHE_DISABLED };
extern int cache_mode;
extern const char *cache_private_dir;	/* CACHE_DISABLED: the cache root */
bool cache_readable(void);
/* --clean-cache: removes stale entries and modules past the limit; returns how many. */
int clean_cache(void);

/* resolve.c: n becomes the number v where it stands (its next stays) */
void node_become_number(Node *n, int64_t v);

/* emit.c: a node as error messages name it, for every back end */
const char *loc_text(Loc loc);		/* "file:1:2" */
const char *node_what(Node *n);		/* "operator '/'", "keyword 'for'" */

/* run.c: pass 5, staprun or vm/stap-vm */
int run_module(Session *s);
const char *stdin_mode(Session *s);	/* probe_stdin.c: NULL, "line" or "char" */

/* options.c: the command line, as SystemTap parses it (fatal if wrong) */
void parse_args(Session *s, int argc, char **argv);
/* PATH, or the program NAME found through $PATH, made absolute on this
   machine (symbolic links resolved); NULL and errno when there is none. */
char *program_path(const char *name);

/* main.c */
void pass_begin(void);			/* -v pass timing */
void pass_end(Session *s, int pass, const char *what);
SrcFile *read_source(const char *path, bool is_tapset);
void add_parse_result(Program *prog, ParseResult *r);
const char *tool_path(Session *s, const char *dir, const char *prog);
void remove_dir_tree(const char *path);	/* rm -rf */

/* resolve.c: -p2 output */
void dump_elaborated(FILE *out, Session *s);

/* build.c */
bool copy_file(const char *from, const char *to);
/* Runs argv (NULL-terminated) in dir; its output goes to log, appended. */
bool run_logged(char *const argv[], const char *dir, const char *log);

/* kfeatures.c: the kernel's features, by the tests in runtime/features */
uint64_t kfeatures_hash(Session *s, uint64_t h);	/* the tests, for the cache key */
/* build.c: FNV-1a over the file at path, continuing from h */
uint64_t hash_file(const char *path, uint64_t h);
/* Compiles the tests against s's kernel into work/stp_features.h; false,
   said in one message, when the kernel lacks what the runtime needs. */
bool kfeatures_detect(Session *s, const char *work, const char *log);
/* The runtime did not compile: which files, with their first error. */
void kfeatures_explain_failure(Session *s, const char *log);
/* Keeps the few most recently used runtime builds for release; returns how
   many it removed. */
int prune_runtime_cache(const char *root, const char *release);

/* usym.c: user programs' function symbols, for the module and for probes */
typedef struct ElfFuncSym {
	const char *name;
	uint64_t addr;		/* link-time */
	uint64_t size;
} ElfFuncSym;
/* path's function symbols (.symtab, else .dynsym), by address: one per
   address unless aliases; an empty Vec and *why when there are none. */
Vec elf_function_symbols(const char *path, bool aliases, const char **why);
/* SHT_SYMTAB, SHT_DYNSYM (stripped) or 0 (no symbols): what path has */
int elf_symbol_table(const char *path);
/* path's PT_LOAD segments with file contents (ElfSegment *), in file order */
typedef struct ElfSegment {
	uint64_t offset, vaddr, filesz;
	bool exec;		/* PF_X: code */
} ElfSegment;
Vec elf_load_segments(const char *path);
void add_symbol_file(Session *s, const char *path);	/* -d PATH; fatal if unusable */
/* unwind.c: a user program's call frame information, as rows by address */
typedef enum UnwindKind {
	UW_NONE,	/* unknown here: runtime/usym.c tries the frame pointer */
	UW_RSP,		/* CFA = rsp + cfa_offset */
	UW_RBP,		/* CFA = rbp + cfa_offset */
} UnwindKind;
typedef struct UnwindRow {
	uint64_t addr;		/* link-time; the row holds up to the next row's */
	UnwindKind kind;
	int cfa_offset;
	int rbp_slot;		/* the caller's rbp is at CFA + 8 * rbp_slot; 0: unchanged */
} UnwindRow;
/* path's rows (UnwindRow *), by address; the return address is at CFA - 8 */
Vec unwind_rows(const char *path);
/* --ldd: -d each shared library of the programs probed or named with -d */
void add_ldd_libraries(Session *s);
/* the module's stp_ubinaries table, with line tables if ulines; returns its length */
int emit_usym_tables(FILE *out, Session *s, bool ulines);

/* ---- lines.c: line tables for symfileline() and the like ---- */
/* Does a function of prog have pragma ("pragma:lines", "pragma:ulines") in its C? */
bool program_needs_lines(Program *prog, const char *pragma);
typedef struct DwModule DwModule;
/* m's table as "static const struct stp_lines NAME"; false if m has none */
bool emit_line_table(FILE *out, Session *s, DwModule *m, const char *name,
		     const char *anchor, uint64_t anchor_link);
/* the kernel's, "stp_klines"; false (with an error) without debuginfo */
bool emit_kernel_lines(FILE *out, Session *s);

/*
 * ldd.c: the loader and shared libraries that program prog needs, as the
 * paths its loader opens (char *); names it cannot find go to missing.
 */
Vec needed_files(const char *prog, Vec *missing);
/*
 * process("prog").library("name"): name if it is a path; else the library
 * prog needs whose file name matches name (wildcards too); else where
 * prog's loader would find name (for a library it dlopens).  NULL and
 * *why if there is none.
 */
const char *find_library_of(const char *prog, const char *name, const char **why);

#endif /* STAP_H */
