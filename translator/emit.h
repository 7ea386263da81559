/*
 * emit.h - what the parts of pass 3 share: the state of the body being
 * emitted, and the helpers that write its C.  emit.c does expressions,
 * statements and the module; emit_data.c does arrays and statistics.
 */
#ifndef EMIT_H
#define EMIT_H

#include "stap.h"

/* State while emitting one probe or function body. */
typedef struct Gen {
	Buf code;
	int depth;
	int ntemps;		/* C temporaries tN */
	int nstrtemps;		/* string temporaries in the frame: l->tmpN */
	int ntry;
	int nloops;
	const char *continue_stmt;
	const char *err_label;
	Func *func;		/* NULL in a probe */
	bool uses_frame;	/* l-> appears in the code */
} Gen;

/* emit.c */
void line(Gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *c_string(const char *s, size_t len);
const char *c_str(const char *s);
const char *c_long(int64_t v);
const char *near(Node *n);		/* "operator '/' at file:1:2", as a C string */
const char *new_temp(Gen *g);		/* an s64 C temporary: "t3" */
const char *new_strtemp(Gen *g);	/* a string temporary in the frame: "l->tmp2" */
void check_error(Gen *g);		/* jump to the error label if a call failed */
bool needs_stmts(Node *n);		/* false: n is a pure C expression */
const char *spill(Gen *g, Node *n, const char *e);
const char *var_ref(Gen *g, Var *v);
const char *emit_expr(Gen *g, Node *n);
void emit_effect(Gen *g, Node *n);
void emit_stmt(Gen *g, Node *n);
void emit_actions(Gen *g, int n, Node *where);
void emit_loop_body(Gen *g, Node *n);
int loop_cost(Node *body);

/* emit_data.c */
const char *emit_index_read(Gen *g, Node *n);
const char *emit_index_assign(Gen *g, Node *n);
const char *emit_index_incdec(Gen *g, Node *n, bool want_value);
void emit_aggregate(Gen *g, Node *n);
const char *emit_statop(Gen *g, Node *n);
const char *emit_hist_index(Gen *g, Node *n);
void emit_hist_print(Gen *g, const char *sink, Node *n, Node *print);
const char *emit_in(Gen *g, Node *n);
void emit_delete(Gen *g, Node *n);
void emit_foreach(Gen *g, Node *n);
void emit_global_decl(FILE *out, Var *v);
void emit_global_init(FILE *out, Program *prog);

#endif /* EMIT_H */
