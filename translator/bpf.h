/*
 * bpf.h - what the BPF back end's files share (--runtime=bpf).
 *
 *   bpf_probes.c   pass 2: the probe families the host offers to BPF
 *                  (kernel.trace from tracefs, timers run by the loader),
 *                  the others refused
 *   bpf_emit.c     pass 2/3: each kernel probe's body as BPF instructions,
 *                  the layout of the globals in maps; refuses in script
 *                  terms what it cannot translate
 *   bpf_interp.c   pass 5: begin, end and timer probes, run in user space
 *                  on the same maps (the whole language but statistics)
 *   bpf_load.c     pass 4/5: creates the maps, loads and attaches the
 *                  programs with libbpf, relays the ring buffer, runs the
 *                  user-space probes, and ends the session
 *
 * The script's globals live in BPF maps that both sides use: scalars in
 * one mmapped array map (struct of slots), each array in a hash map of
 * MAXMAPENTRIES entries whose key is its keys' slots side by side.  A
 * long is 8 bytes; a string BPF_STRLEN bytes, zero-padded, so that two
 * strings are equal when their words are.
 */
#ifndef STAP_BPF_H
#define STAP_BPF_H

#include <linux/bpf.h>
#include "stap.h"

#define BPF_STRLEN 64		/* a string's bytes in maps and on the stack, NUL included */
#define BPF_STACK 512		/* the verifier's stack limit */

/*
 * The slots at the head of the scalars' struct that the loader and the
 * probes share: the session has ended; target(); the count of array
 * entries inserted, whose value each entry keeps after its own value
 * (BPF_SEQ_SIZE bytes), so that foreach without sorting goes in the
 * order of insertion, as SystemTap's does; the errors so far (past
 * MAXERRORS the session ends).
 */
enum { BPF_SLOT_EXIT = 0, BPF_SLOT_TARGET = 8, BPF_SLOT_SEQ = 16, BPF_SLOT_ERRORS = 24,
       BPF_SLOT_FIRST = 32 };
#define BPF_SEQ_SIZE 8

/* Ring buffer records: a u32 kind, a u32 index, then the arguments */
enum { REC_PRINT = 1, REC_ERROR = 2, REC_EXIT = 3 };

/* One global's place: a slot of the scalars, or a map of its own */
typedef struct BpfGlobal {
	Var *var;
	int offset;		/* scalars: in the struct */
	int key_size;		/* arrays */
	int value_size;		/* the value's; an array's entries have BPF_SEQ_SIZE more */
	bool stats;		/* statistics: a per-CPU hash map of BpfStat, merged when read */
	int nbuckets;		/* statistics with a histogram: its buckets, after the BpfStat */
	int64_t max_entries;
	int fd;			/* arrays: the map, once created */
} BpfGlobal;

/* A statistic's record on one CPU (a scalar statistic is the key 0 of its map) */
typedef struct BpfStat {
	int64_t count, sum, min, max;
} BpfStat;

/* A tracepoint from tracefs: its id and the fields of its record */
typedef enum BpfFieldKind {
	FIELD_NUMBER,		/* 1 to 8 bytes */
	FIELD_CHARS,		/* char name[N]: a string of at most N bytes */
	FIELD_DATA_LOC,		/* __data_loc char[]: u32 offset | length << 16 to a string */
	FIELD_OTHER,		/* arrays of numbers, ...: not read */
} BpfFieldKind;
typedef struct BpfField {
	const char *name;
	BpfFieldKind kind;
	int offset, size;
	bool is_signed;
} BpfField;
typedef struct BpfTrace {
	const char *system, *event;
	int id;
	Vec fields;		/* BpfField* */
} BpfTrace;

/* A user-space timer: period in ns */
typedef struct BpfTimer {
	int64_t period_ns;
} BpfTimer;

/* A kernel probe as BPF instructions; map fds are patched in at load */
typedef struct BpfProg {
	DerivedProbe *probe;
	struct bpf_insn *insns;
	int ninsns, cap;
	Vec map_refs;		/* (intptr_t) instruction index of each LD_IMM64 of a map */
} BpfProg;

/* What a record's index names: a print node, or an error's message */
typedef struct BpfRecordSite {
	Node *node;		/* ND_PRINT; or where the error was */
	const char *message;	/* REC_ERROR: "division by 0" */
	DerivedProbe *probe;
} BpfRecordSite;

typedef struct BpfProgram {
	Vec globals;		/* BpfGlobal*, one per global Var, by Var->index */
	int scalars_size;	/* bytes of the scalars' struct */
	Vec progs;		/* BpfProg* */
	Vec sites;		/* BpfRecordSite*, by record index */
	Vec begins, ends, errors, timers; /* DerivedProbe*, run by the loader */
	int64_t maxaction, maxaction_interruptible, maxnesting, maxmapentries; /* -D */
	int64_t maxerrors, maxstringlen;
	bool suppress_errors;	/* --suppress-handler-errors: errors only counted */
	int ringbuf_fd, scalars_fd;
	int zeros_size, zeros_fd;	/* an entry of zeros to insert records too big for the stack */
	char *scalars;		/* the mmapped struct */
} BpfProgram;

/* map fd placeholders in LD_IMM64 imm, until the loader patches them */
enum { BPF_MAP_RINGBUF = -1, BPF_MAP_SCALARS = -2, BPF_MAP_ZEROS = -3 }; /* >= 0: a global */
#define BPF_HIST_LOG_BUCKETS 128	/* as the module's: bucket 64 holds 0 */
#define BPF_HIST_LOG_BUCKET0 64

/* bpf_probes.c */
void bpf_use_families(void);	/* replaces the families the BPF runtime cannot run */
BpfTrace *bpf_trace_of(DerivedProbe *d);	/* NULL: not a kernel.trace probe */
BpfTimer *bpf_timer_of(DerivedProbe *d);
bool bpf_is_profile(DerivedProbe *d);	/* timer.profile: a perf event on each CPU */
#define BPF_PROFILE_PERIOD_NS 4000000	/* a tick of Debian's kernels (HZ=250) */
const char *bpf_tracefs(void);	/* mounted by the first caller if missing */

/* bpf_emit.c: the program for s, or NULL after errors (said at the script) */
BpfProgram *bpf_compile(Session *s);
void bpf_dump(FILE *out, BpfProgram *bp);	/* -p3: the instructions */
BpfGlobal *bpf_global(BpfProgram *bp, Var *v);
int bpf_site(BpfProgram *bp, Node *n, const char *message, DerivedProbe *d);
const char *bpf_near(Node *n);	/* "identifier 'n' at <input>:1:2" */
/* the tapset functions the BPF runtime knows by name: a BpfBuiltin, or -1 */
enum { BB_EXECNAME, BB_PID, BB_TID, BB_CPU, BB_TARGET, BB_EXIT, BB_UID, BB_GID,
       BB_GETTIMEOFDAY_NS, BB_GETTIMEOFDAY_US, BB_GETTIMEOFDAY_MS, BB_GETTIMEOFDAY_S,
       BB_LOCAL_CLOCK_NS, BB_ERROR, BB_KTIME_GET_NS, BB_STRLEN, BB_SUBSTR, BB_STRPOS, BB_WARN,
       BB_ABORT, BB_PP, BB_MATCHED, BB_NGROUPS, BB_STRINGAT, BB_RANDINT };
int bpf_builtin(Node *call);

/* bpf_interp.c: a user-space probe; false when it ended in an error */
bool bpf_interp_check(BpfProgram *bp, DerivedProbe *d);	/* pass 2 */
bool bpf_interp_run(BpfProgram *bp, DerivedProbe *d);
void bpf_print_record(BpfProgram *bp, Node *print, const char *args, FILE *out);
extern bool bpf_exit_requested;
extern FILE *bpf_out;

/* bpf_load.c: passes 4 and 5 */
int bpf_run(Session *s, BpfProgram *bp);

#endif /* STAP_BPF_H */
