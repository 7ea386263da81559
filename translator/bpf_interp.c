/*
 * bpf_interp.c - the BPF runtime's user-space probes: begin, end, error
 * and timers run in the loader, as SystemTap's BPF runtime runs them,
 * on the same maps the kernel probes use.
 *
 * stap is translator and loader at once, so these probes need no code
 * of their own: they are run by walking the checked tree itself.  That
 * gives them the whole language but @variance and target variables
 * (foreach with sorting and limit, sprintf, string operators, script
 * functions, loops bounded by MAXACTION, try/catch, =~ by the C
 * library's POSIX matcher, statistics and histograms merged from every
 * CPU's records), where a kernel probe gets what bpf_emit.c can prove to
 * the verifier.  Scalars are read and written in the mmapped struct,
 * arrays through the bpf(2) map calls, with keys and values in the
 * layout bpf.h gives.  The print family is formatted here too, for these
 * probes and for the kernel probes' records.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf.h"
#include "parser.h"

bool bpf_exit_requested;
FILE *bpf_out;

typedef struct Val {
	int64_t n;
	char s[BPF_STRLEN];
} Val;

/* how a statement ended: CTL_ABORT ends the probe (abort()), not as an error */
enum { CTL_NONE, CTL_BREAK, CTL_CONTINUE, CTL_NEXT, CTL_RETURN, CTL_ERROR, CTL_ABORT };

typedef struct Frame {
	Func *func;		/* NULL: the probe */
	Val *slots;		/* parameters, then locals */
	int nparams;
	Val ret;
} Frame;

typedef struct Interp {
	BpfProgram *bp;
	DerivedProbe *d;
	Frame *f;
	int ctl;
	int depth;
	int64_t actions;	/* statements left: MAXACTION */
	const char *error;
	Node *error_node;
} Interp;


static Val eval(Interp *in, Node *n);
static void exec(Interp *in, Node *n);
static bool spend_turn(Interp *in, Node *loop);
static void exec_loop_body(Interp *in, Node *body);

static Val num(int64_t n)
{
	Val v = { .n = n };
	return v;
}

static int strmax = BPF_STRLEN;	/* MAXSTRINGLEN, at most BPF_STRLEN */

static Val str(const char *s)
{
	Val v = {0};
	strncpy(v.s, s, strmax - 1);
	return v;
}

static void fail(Interp *in, Node *n, const char *msg)
{
	if (in->ctl == CTL_ERROR)
		return;
	in->ctl = CTL_ERROR;
	in->error = msg;
	in->error_node = n;
}

/* ---- variables ---- */

static Val *slot_of(Interp *in, Var *v)
{
	if (v->kind == VAR_GLOBAL)
		return NULL;
	if (v->kind == VAR_PARAM) {
		for (int i = 0; i < in->f->func->params.len; i++)
			if (in->f->func->params.items[i] == v)
				return &in->f->slots[i];
		return NULL;
	}
	return &in->f->slots[in->f->nparams + v->index];
}

static Val read_var(Interp *in, Var *v)
{
	if (v->kind != VAR_GLOBAL)
		return *slot_of(in, v);
	BpfGlobal *g = bpf_global(in->bp, v);
	char *p = in->bp->scalars + g->offset;
	if (v->type == TY_STRING)
		return str(p);
	Val r = {0};
	memcpy(&r.n, p, 8);
	return r;
}

static void write_var(Interp *in, Var *v, Val x)
{
	if (v->kind != VAR_GLOBAL) {
		*slot_of(in, v) = x;
		return;
	}
	BpfGlobal *g = bpf_global(in->bp, v);
	char *p = in->bp->scalars + g->offset;
	if (v->type == TY_STRING)
		memcpy(p, x.s, BPF_STRLEN);
	else
		__atomic_store_n((int64_t *)p, x.n, __ATOMIC_RELAXED);
}

/* ---- arrays ---- */

static void put_key(char *key, Var *v, Val *vals)
{
	int pos = 0;
	for (int k = 0; k < v->nkeys; k++) {
		if (v->key_types[k] == TY_STRING) {
			memcpy(key + pos, vals[k].s, BPF_STRLEN);
			pos += BPF_STRLEN;
		} else {
			memcpy(key + pos, &vals[k].n, 8);
			pos += 8;
		}
	}
}

static void get_key(const char *key, Var *v, Val *vals)
{
	int pos = 0;
	for (int k = 0; k < v->nkeys; k++) {
		vals[k] = (Val){0};
		if (v->key_types[k] == TY_STRING) {
			memcpy(vals[k].s, key + pos, BPF_STRLEN);
			vals[k].s[BPF_STRLEN - 1] = 0;
			pos += BPF_STRLEN;
		} else {
			memcpy(&vals[k].n, key + pos, 8);
			pos += 8;
		}
	}
}

static Val value_of(Var *v, const char *buf)
{
	Val r = {0};
	if (v->type == TY_STRING) {
		memcpy(r.s, buf, BPF_STRLEN);
		r.s[BPF_STRLEN - 1] = 0;
	} else {
		memcpy(&r.n, buf, 8);
	}
	return r;
}

static bool eval_key(Interp *in, Node *args, Var *v, char *key)
{
	Val vals[MAX_KEYS];
	int k = 0;
	for (Node *a = args; a && k < MAX_KEYS; a = a->next)
		vals[k++] = eval(in, a);
	if (in->ctl == CTL_ERROR)
		return false;
	memset(key, 0, bpf_global(in->bp, v)->key_size);
	put_key(key, v, vals);
	return true;
}

static bool stat_read(BpfGlobal *g, const char *key, BpfStat *st, int64_t *seq);

static Val map_read(Interp *in, Node *n, bool *found)
{
	BpfGlobal *g = bpf_global(in->bp, n->var);
	if (g->stats) {
		char skey[MAX_KEYS * BPF_STRLEN];
		BpfStat st;
		int64_t seq;
		bool ok = eval_key(in, n->args, n->var, skey) && stat_read(g, skey, &st, &seq);
		if (found)
			*found = ok;
		return num(0);
	}
	char key[MAX_KEYS * BPF_STRLEN], val[BPF_STRLEN + BPF_SEQ_SIZE] = {0};
	if (!eval_key(in, n->args, n->var, key))
		return num(0);
	bool ok = bpf_map_lookup_elem(g->fd, key, val) == 0;
	if (found)
		*found = ok;
	return ok ? value_of(n->var, val) : num(0);
}

static const char *overflow_message(Var *v)
{
	return v->max_entries ? arena_printf("Array overflow, check size limit (%lld)",
					     (long long)v->max_entries) :
		"Array overflow, check MAXMAPENTRIES";
}

/* a[key] = x: in its place in foreach's order if it is there, else last */
static void map_write(Interp *in, Node *n, const char *key, Val x)
{
	BpfGlobal *g = bpf_global(in->bp, n->var);
	char val[BPF_STRLEN + BPF_SEQ_SIZE] = {0};
	if (bpf_map_lookup_elem(g->fd, key, val) != 0) {
		int64_t seq = __atomic_fetch_add((int64_t *)(in->bp->scalars + BPF_SLOT_SEQ), 1,
						 __ATOMIC_RELAXED);
		memcpy(val + g->value_size, &seq, 8);
	}
	if (n->var->type == TY_STRING)
		memcpy(val, x.s, BPF_STRLEN);
	else
		memcpy(val, &x.n, 8);
	if (bpf_map_update_elem(g->fd, key, val, BPF_ANY) != 0)
		fail(in, n, overflow_message(n->var));
}

/* ---- statistics: per-CPU records, merged when read ---- */

/* A statistic merged from every CPU: the BpfStat, then its buckets */
typedef struct Merged {
	BpfStat st;
	int64_t seq;
	int64_t buckets[];
} Merged;

static int ncpus(void)
{
	static int n;
	if (!n)
		n = libbpf_num_possible_cpus();
	return n > 0 ? n : 1;
}

static int stride(BpfGlobal *g)	/* one CPU's record in a lookup's buffer */
{
	return (g->value_size + BPF_SEQ_SIZE + 7) & ~7;
}

/* The key of s (a scalar: 0) or of a[args] */
static bool stat_key(Interp *in, Node *lhs, char *key)
{
	if (lhs->kind == ND_VAR) {
		memset(key, 0, 8);
		return true;
	}
	return eval_key(in, lhs->args, lhs->var, key);
}

/* The records of every CPU merged (malloc'd); NULL when there is no entry */
static Merged *stat_merged(BpfGlobal *g, const char *key)
{
	char *buf = calloc(ncpus(), stride(g));
	Merged *m = calloc(1, sizeof(*m) + 8 * g->nbuckets);
	if (bpf_map_lookup_elem(g->fd, key, buf) != 0) {
		free(buf);
		free(m);
		return NULL;
	}
	for (int c = 0; c < ncpus(); c++) {
		const char *rec = buf + c * stride(g);
		BpfStat one;
		int64_t sq, b;
		memcpy(&one, rec, sizeof(one));
		memcpy(&sq, rec + g->value_size, 8);
		if (sq > m->seq)
			m->seq = sq;
		for (int k = 0; k < g->nbuckets; k++) {
			memcpy(&b, rec + sizeof(BpfStat) + 8 * k, 8);
			m->buckets[k] += b;
		}
		if (!one.count)
			continue;
		if (!m->st.count || one.min < m->st.min)
			m->st.min = one.min;
		if (!m->st.count || one.max > m->st.max)
			m->st.max = one.max;
		m->st.count += one.count;
		m->st.sum += one.sum;
	}
	free(buf);
	return m;
}

static bool stat_read(BpfGlobal *g, const char *key, BpfStat *st, int64_t *seq)
{
	Merged *m = stat_merged(g, key);
	*st = m ? m->st : (BpfStat){0};
	*seq = m ? m->seq : 0;
	free(m);
	return m != NULL;
}

static int log_bucket(int64_t v)
{
	if (v == 0)
		return BPF_HIST_LOG_BUCKET0;
	uint64_t u = v > 0 ? (uint64_t)v : 0 - (uint64_t)v;
	int fls = 64 - __builtin_clzll(u);
	return v > 0 ? BPF_HIST_LOG_BUCKET0 + fls : BPF_HIST_LOG_BUCKET0 - fls;
}

static int bucket_of(BpfGlobal *g, int64_t v)
{
	Var *var = g->var;
	if (var->hist == HIST_LOG)
		return log_bucket(v);
	int64_t off = v - var->hist_lo;
	if (off < 0)
		return 0;
	int64_t b = off / var->hist_step + 1;
	return b >= g->nbuckets - 1 ? g->nbuckets - 1 : (int)b;
}

/* s <<< v from user space: into the first CPU's record */
static void stat_add(Interp *in, Node *lhs, int64_t v)
{
	BpfGlobal *g = bpf_global(in->bp, lhs->var);
	char key[MAX_KEYS * BPF_STRLEN];
	if (!stat_key(in, lhs, key))
		return;
	char *buf = calloc(ncpus(), stride(g));
	if (bpf_map_lookup_elem(g->fd, key, buf) != 0) {
		int64_t seq = __atomic_fetch_add((int64_t *)(in->bp->scalars + BPF_SLOT_SEQ), 1,
						 __ATOMIC_RELAXED);
		memcpy(buf + g->value_size, &seq, 8);
	}
	BpfStat *st = (BpfStat *)buf;
	if (!st->count || v < st->min)
		st->min = v;
	if (!st->count || v > st->max)
		st->max = v;
	st->count++;
	st->sum += v;
	if (g->nbuckets)
		((int64_t *)(buf + sizeof(BpfStat)))[bucket_of(g, v)]++;
	if (bpf_map_update_elem(g->fd, key, buf, BPF_ANY) != 0)
		fail(in, lhs, overflow_message(lhs->var));
	free(buf);
}

/* ---- histograms, printed as the module's runtime prints them ---- */

#define HIST_WIDTH 50

static int digits(int64_t v)
{
	int n = v < 0 ? 2 : 1;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	while (u >= 10) {
		u /= 10;
		n++;
	}
	return n;
}

static void repeat(Buf *b, char c, int64_t n)
{
	for (; n > 0; n--)
		buf_putc(b, c);
}

static void put_padded_long(Buf *b, const char *prefix, int64_t v, int width)
{
	repeat(b, ' ', width - digits(v) - (int)strlen(prefix));
	buf_printf(b, "%s%lld", prefix, (long long)v);
}

static int64_t log_bucket_value(int k)
{
	if (k == BPF_HIST_LOG_BUCKET0)
		return 0;
	if (k < BPF_HIST_LOG_BUCKET0)
		return INT64_MIN >> k;
	return 1LL << (k - BPF_HIST_LOG_BUCKET0 - 1);
}

static bool empty_around(const int64_t *bk, int i, int lo, int hi)
{
	for (int k = i - 2 > lo ? i - 2 : lo; k <= (i + 2 < hi ? i + 2 : hi); k++)
		if (bk[k])
			return false;
	return true;
}

/* The rows of buckets [lo, hi] with data, two empty ones around it */
static void hist_range(Var *v, const int64_t *bk, int n, int *plo, int *phi)
{
	int lo = -1, hi = 0;
	for (int i = 0; i < n; i++)
		if (bk[i] > 0) {
			if (lo < 0)
				lo = i;
			hi = i;
		}
	if (lo < 0)
		lo = hi = v->hist == HIST_LOG ? BPF_HIST_LOG_BUCKET0 : 1;
	for (int i = 0; i < 2; i++) {
		if (lo > 0 && (v->hist != HIST_LOG || lo != BPF_HIST_LOG_BUCKET0))
			lo--;
		if (hi < n - 1)
			hi++;
	}
	*plo = lo;
	*phi = hi;
}

static void hist_print(Buf *b, BpfGlobal *g, Merged *m)
{
	Var *v = g->var;
	const int64_t *bk = m->buckets;
	int n = g->nbuckets, lo, hi, width;
	int64_t most = 0;
	for (int i = 0; i < n; i++)
		most = bk[i] > most ? bk[i] : most;
	hist_range(v, bk, n, &lo, &hi);
	if (v->hist == HIST_LINEAR) {
		if (lo == 0 && !bk[0])
			lo++;
		if (hi == n - 1 && !bk[hi])
			hi--;
		bool under = lo == 0, over = hi == n - 1;
		int a = digits(v->hist_lo) + under, c = digits(v->hist_lo + v->hist_step * hi) + over;
		width = a > c ? a : c;
	} else {
		int a = digits(log_bucket_value(hi)), c = digits(log_bucket_value(lo));
		width = a > c ? a : c;
	}
	width = width > 5 ? width : 5;
	int64_t scale = most <= HIST_WIDTH ? 1 : (most + HIST_WIDTH - 1) / HIST_WIDTH;
	int cwidth = digits(most);
	repeat(b, ' ', width - 5);
	buf_puts(b, "value |");
	repeat(b, '-', HIST_WIDTH);
	buf_puts(b, " count\n");
	bool eliding = false;
	for (int i = lo; i <= hi; i++) {
		if (empty_around(bk, i, lo, hi)) {
			eliding = true;
			continue;
		}
		if (eliding) {
			repeat(b, ' ', width);
			buf_puts(b, " ~\n");
			eliding = false;
		}
		const char *prefix = "";
		int64_t value;
		if (v->hist == HIST_LINEAR) {
			if (i == 0) {
				value = v->hist_lo;
				prefix = "<";
			} else if (i == n - 1) {
				value = v->hist_lo + (int64_t)(i - 2) * v->hist_step;
				prefix = ">";
			} else {
				value = v->hist_lo + (int64_t)(i - 1) * v->hist_step;
			}
		} else {
			value = log_bucket_value(i);
		}
		put_padded_long(b, prefix, value, width);
		buf_puts(b, " |");
		int64_t bar = bk[i] / scale;
		repeat(b, '@', bar);
		put_padded_long(b, "", bk[i], (int)(HIST_WIDTH - bar + 1 + cwidth));
		buf_putc(b, '\n');
	}
	buf_putc(b, '\n');
}

/* The merged statistic of @hist_*(x)'s x, or NULL after "empty aggregate" at where */
static Merged *hist_of(Interp *in, Node *hist, Node *where)
{
	char key[MAX_KEYS * BPF_STRLEN];
	if (!stat_key(in, hist->lhs, key))
		return NULL;
	Merged *m = stat_merged(bpf_global(in->bp, hist->lhs->var), key);
	if (!m || !m->st.count) {
		free(m);
		fail(in, where, "empty aggregate");
		return NULL;
	}
	return m;
}

static Val eval_hist_index(Interp *in, Node *n)
{
	Merged *m = hist_of(in, n->lhs, n->lhs);
	int64_t k = eval(in, n->rhs).n;
	if (!m)
		return num(0);
	BpfGlobal *g = bpf_global(in->bp, n->lhs->lhs->var);
	int64_t r = 0;
	if (k < 0 || k >= g->nbuckets)
		fail(in, n->lhs, "histogram index out of range");
	else
		r = m->buckets[k];
	free(m);
	return num(r);
}

/* @count(s) and the others; of nothing, only @count and @sum are defined */
static int64_t stat_extract(Interp *in, Node *n, const char *op, BpfStat *st)
{
	if (!strcmp(op, "@count"))
		return st->count;
	if (!strcmp(op, "@sum"))
		return st->sum;
	if (!st->count) {
		fail(in, n, "empty aggregate");
		return 0;
	}
	if (!strcmp(op, "@min"))
		return st->min;
	if (!strcmp(op, "@max"))
		return st->max;
	return st->sum / st->count;	/* @avg */
}

static Val eval_statop(Interp *in, Node *n)
{
	char key[MAX_KEYS * BPF_STRLEN];
	if (!stat_key(in, n->lhs, key))
		return num(0);
	BpfStat st;
	int64_t seq;
	stat_read(bpf_global(in->bp, n->lhs->var), key, &st, &seq);
	return num(stat_extract(in, n, n->name, &st));
}

/* ---- regular expressions: POSIX EREs, by the C library's matcher ---- */

#define RX_GROUPS 10

static struct {
	char subject[BPF_STRLEN];
	regmatch_t m[RX_GROUPS];
	int ngroups;		/* of the last =~, which matched; -1: it did not */
} last_match = { .ngroups = -1 };

static regex_t *compiled(const char *pattern)
{
	static Vec patterns, regexes;
	for (int i = 0; i < patterns.len; i++)
		if (strcmp(patterns.items[i], pattern) == 0)
			return regexes.items[i];
	regex_t *rx = arena_alloc(sizeof(*rx));
	if (regcomp(rx, pattern, REG_EXTENDED) != 0)
		return NULL;	/* pass 2 checked it with regex.c */
	vec_push(&patterns, arena_strdup(pattern));
	vec_push(&regexes, rx);
	return rx;
}

static Val eval_regex(Interp *in, Node *n)
{
	Val subject = eval(in, n->lhs), pattern = eval(in, n->rhs);
	regex_t *rx = compiled(pattern.s);
	regmatch_t m[RX_GROUPS];
	bool hit = rx && regexec(rx, subject.s, RX_GROUPS, m, 0) == 0;
	if (hit) {
		memcpy(last_match.subject, subject.s, BPF_STRLEN);
		memcpy(last_match.m, m, sizeof(m));
		last_match.ngroups = rx->re_nsub + 1 < RX_GROUPS ? (int)rx->re_nsub + 1 : RX_GROUPS;
	} else {
		last_match.ngroups = -1;
	}
	return num(n->op == TK_REGEQ ? hit : !hit);
}

/* matched(n): group n of the last match; "" for a group that took no part */
static Val eval_matched(Interp *in, Node *n, int64_t k)
{
	if (last_match.ngroups < 0) {
		fail(in, n, arena_printf("Attempted to get subexpression %lld from failed match",
					 (long long)k));
		return num(0);
	}
	if (k < 0 || k >= last_match.ngroups) {
		fail(in, n, arena_printf("Attempted to get nonexistent subexpression %lld",
					 (long long)k));
		return num(0);
	}
	regmatch_t *g = &last_match.m[k];
	Val r = {0};
	if (g->rm_so >= 0 && g->rm_eo >= g->rm_so)
		memcpy(r.s, last_match.subject + g->rm_so, g->rm_eo - g->rm_so);
	return r;
}

/* ---- operators ---- */

static int64_t arith(Interp *in, Node *n, int op, int64_t a, int64_t b)
{
	uint64_t ua = a, ub = b;
	switch (op) {
	case '+': return (int64_t)(ua + ub);
	case '-': return (int64_t)(ua - ub);
	case '*': return (int64_t)(ua * ub);
	case '&': return a & b;
	case '|': return a | b;
	case '^': return a ^ b;
	case TK_SHL: return (int64_t)(ua << (b & 63));	/* the count masked, as on x86 */
	case TK_SHR: return a >> (b & 63);
	case TK_USHR: return (int64_t)(ua >> (b & 63));
	case '/':
	case '%':
		if (b == 0) {
			fail(in, n, "division by 0");
			return 0;
		}
		if (b == -1)
			return op == '/' ? (int64_t)(0 - ua) : 0;
		return op == '/' ? a / b : a % b;
	}
	fail(in, n, "unknown operator");
	return 0;
}

static Val concat(Val a, Val b)
{
	Val r = a;
	size_t n = strlen(r.s);
	if ((int)n < strmax - 1)
		strncat(r.s, b.s, strmax - 1 - n);
	return r;
}

static bool compare(int op, int c)
{
	switch (op) {
	case '<': return c < 0;
	case '>': return c > 0;
	case TK_LE: return c <= 0;
	case TK_GE: return c >= 0;
	case TK_EQ: return c == 0;
	default: return c != 0;
	}
}

static Val eval_cmp(Interp *in, Node *n)
{
	Val a = eval(in, n->lhs), b = eval(in, n->rhs);
	int c = n->lhs->type == TY_STRING ? strcmp(a.s, b.s) : (a.n > b.n) - (a.n < b.n);
	return num(compare(n->op, c));
}

/* ---- assignments ---- */

static Val combine(Interp *in, Node *n, int op, Val old, Val x, Type t)
{
	if (!op)
		return x;
	if (op == '.')
		return concat(old, x);
	return num(arith(in, n, op, old.n, x.n));
}

static Val assign(Interp *in, Node *n, Node *lhs, int op, Val x, Val *old_out)
{
	if (lhs->kind == ND_VAR) {
		Val old = op ? read_var(in, lhs->var) : (Val){0};
		Val nv = combine(in, n, op, old, x, lhs->type);
		if (in->ctl != CTL_ERROR)
			write_var(in, lhs->var, nv);
		if (old_out)
			*old_out = old;
		return nv;
	}
	char key[MAX_KEYS * BPF_STRLEN];
	if (!eval_key(in, lhs->args, lhs->var, key))
		return num(0);
	BpfGlobal *g = bpf_global(in->bp, lhs->var);
	char val[BPF_STRLEN + BPF_SEQ_SIZE] = {0};
	Val old = {0};
	if (op && bpf_map_lookup_elem(g->fd, key, val) == 0)
		old = value_of(lhs->var, val);
	Val nv = combine(in, n, op, old, x, lhs->type);
	if (in->ctl != CTL_ERROR)
		map_write(in, lhs, key, nv);
	if (old_out)
		*old_out = old;
	return nv;
}

/* ---- the print family ---- */

static void put_padded(Buf *b, const char *flags, int width, const char *mem, int n)
{
	int pad = width > n ? width - n : 0;
	bool left = strchr(flags, '-') != NULL;
	for (; !left && pad > 0; pad--)
		buf_putc(b, ' ');
	for (int i = 0; i < n; i++)
		buf_putc(b, mem[i]);
	for (; pad > 0; pad--)
		buf_putc(b, ' ');
}

/* %#c: a byte that does not print, escaped as C writes it */
static void put_char_escaped(Buf *b, const char *flags, int width, unsigned char ch)
{
	static const char from[] = "\a\b\f\n\r\t\v'\\", to[] = "abfnrtv'\\";
	const char *e = ch ? strchr(from, ch) : NULL;
	char buf[4];
	int n = 0;
	if (ch < 128 && ch >= 32 && ch < 127 && ch != '\'' && ch != '\\') {
		buf[n++] = ch;
	} else if (e) {
		buf[n++] = '\\';
		buf[n++] = to[e - from];
	} else {
		buf[n++] = '\\';
		buf[n++] = '0' + (ch >> 6);
		buf[n++] = '0' + ((ch >> 3) & 7);
		buf[n++] = '0' + (ch & 7);
	}
	put_padded(b, flags, width, buf, n);
}

/* %b: the value's width bytes (1, 2, 4, else 8) as they are in memory */
static void put_binary(Buf *b, int width, int64_t v)
{
	int n = width == 1 || width == 2 || width == 4 ? width : 8;
	for (int i = 0; i < n; i++)
		buf_putc(b, (char)((uint64_t)v >> (8 * i)));
}

/*
 * An integer conversion as the kernel's vsnprintf writes it (the module
 * formats with it): '0' pads even with a precision, "%#x" of 0 is "0x0",
 * "%#o" always has its leading 0.
 */
static void put_number(Buf *b, const char *flags, int width, int prec, char conv, int64_t v)
{
	bool left = strchr(flags, '-'), zero = strchr(flags, '0') && !left;
	bool is_signed = conv == 'd' || conv == 'i';
	int base = conv == 'o' ? 8 : conv == 'x' || conv == 'X' || conv == 'p' ? 16 : 10;
	bool pfx = (strchr(flags, '#') || conv == 'p') && base != 10;
	const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	uint64_t u = v;
	char sign = 0, tmp[24];
	if (is_signed && v < 0) {
		sign = '-';
		u = 0 - u;
	} else if (is_signed && strchr(flags, '+')) {
		sign = '+';
	} else if (is_signed && strchr(flags, ' ')) {
		sign = ' ';
	}
	int size = width - (sign != 0) - (pfx ? (base == 16 ? 2 : 1) : 0), i = 0;
	do {
		tmp[i++] = digits[u % base];
		u /= base;
	} while (u);
	if (prec < i)
		prec = i;
	size -= prec;
	if (!left && !zero)
		for (; size > 0; size--)
			buf_putc(b, ' ');
	if (sign)
		buf_putc(b, sign);
	if (pfx) {
		buf_putc(b, '0');
		if (base == 16)
			buf_putc(b, conv == 'X' ? 'X' : 'x');
	}
	if (!left)
		for (; size > 0; size--)
			buf_putc(b, zero ? '0' : ' ');
	for (; i < prec; prec--)
		buf_putc(b, '0');
	while (i > 0)
		buf_putc(b, tmp[--i]);
	for (; size > 0; size--)
		buf_putc(b, ' ');
}

/* One conversion, as the module's runtime (print.c) formats it */
static void format_one(Buf *b, FmtSpec *sp, int width, int prec, Val v)
{
	const char *flags = sp->flags;
	if (width < 0)
		width = 0;
	switch (sp->conv) {
	case 's': {
		int n = prec >= 0 ? (int)strnlen(v.s, prec) : (int)strlen(v.s);
		put_padded(b, flags, width, v.s, n);
		return;
	}
	case 'b':
		put_binary(b, sp->width == -2 ? width : sp->width, v.n);
		return;
	case 'c': {
		if (strchr(flags, '#')) {
			put_char_escaped(b, flags, width, (unsigned char)v.n);
			return;
		}
		char ch = (char)v.n;
		put_padded(b, flags, width, &ch, 1);
		return;
	}
	default:
		put_number(b, flags, width, prec, sp->conv, v.n);
	}
}

static int clamp_width(int64_t v)
{
	return v < 0 ? -1 : v > 4096 ? 4096 : (int)v;
}

static void format_printf(Buf *b, const char *fmt, Val *args, int nargs)
{
	FmtSpec specs[256];
	const char *err;
	int n = parse_format(fmt, specs, 256, &err);
	int k = 0;
	for (int i = 0; i < n; i++) {
		FmtSpec *sp = &specs[i];
		if (!sp->conv) {
			buf_puts(b, sp->literal);
			continue;
		}
		if (sp->conv == '%') {
			buf_putc(b, '%');
			continue;
		}
		int width = sp->width, prec = sp->prec;
		if (width == -2)
			width = k < nargs ? clamp_width(args[k++].n) : -1;
		if (prec == -2)
			prec = k < nargs ? clamp_width(args[k++].n) : -1;
		if (k < nargs)
			format_one(b, sp, width, prec, args[k++]);
	}
}

static void format_value(Buf *b, Node *a, Val v)
{
	if (a->type == TY_STRING)
		buf_puts(b, v.s);
	else
		buf_printf(b, "%lld", (long long)v.n);
}

/* The text of n (a print family call) with its arguments' values */
static const char *format_print(Node *n, Val *vals, int nvals)
{
	const char *base = n->name[0] == 's' ? n->name + 1 : n->name;
	Buf b = {0};
	buf_puts(&b, "");
	if (strcmp(base, "printf") == 0) {
		format_printf(&b, n->args->str, vals + 1, nvals - 1);
		return b.s;
	}
	bool delim = strncmp(base, "printd", 6) == 0;
	int i = 0;
	for (Node *a = n->args; a; a = a->next, i++) {
		if (delim && i == 0)
			continue;
		if (delim && i > 1)
			buf_puts(&b, vals[0].s);
		format_value(&b, a, vals[i]);
	}
	if (base[strlen(base) - 1] == 'n')
		buf_putc(&b, '\n');
	return b.s;
}

static Val eval_print(Interp *in, Node *n)
{
	Val vals[64];
	int k = 0;
	Buf hists = {0};	/* print(@hist_*(x)): the histograms, in order */
	buf_puts(&hists, "");
	for (Node *a = n->args; a && k < 64; a = a->next) {
		if (a->kind != ND_HIST) {
			vals[k++] = eval(in, a);
			continue;
		}
		Merged *m = hist_of(in, a, n);
		if (m)
			hist_print(&hists, bpf_global(in->bp, a->lhs->var), m);
		free(m);
		vals[k++] = num(0);
	}
	if (hists.len) {
		if (in->ctl != CTL_ERROR)
			fputs(hists.s, bpf_out);
		return num(0);
	}
	if (in->ctl == CTL_ERROR)
		return num(0);
	const char *text = format_print(n, vals, k);
	if (n->name[0] == 's')
		return str(text);
	fputs(text, bpf_out);
	return num(0);
}

/* A kernel probe's print record: its arguments' slots, as bpf_emit.c laid them */
void bpf_print_record(BpfProgram *bp, Node *n, const char *args, FILE *out)
{
	Val vals[64];
	int k = 0, pos = 0;
	for (Node *a = n->args; a && k < 64; a = a->next, k++) {
		if (a == n->args && !strcmp(n->name, "printf")) {
			vals[k] = str("");
			continue;
		}
		vals[k] = (Val){0};
		if (a->type == TY_STRING) {
			memcpy(vals[k].s, args + pos, BPF_STRLEN);
			vals[k].s[BPF_STRLEN - 1] = 0;
			pos += BPF_STRLEN;
		} else {
			memcpy(&vals[k].n, args + pos, 8);
			pos += 8;
		}
	}
	fputs(format_print(n, vals, k), out);
}

/* ---- calls ---- */

static int64_t now_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Is this warning new?  As stapio, each is said once (the first 100 kept) */
static bool first_time(const char *msg)
{
	static Vec seen;
	for (int i = 0; i < seen.len; i++)
		if (strcmp(seen.items[i], msg) == 0)
			return false;
	if (seen.len < 100)
		vec_push(&seen, arena_strdup(msg));
	return true;
}

/* The string functions, with their arguments' values */
static Val call_string_builtin(Interp *in, Node *n, int which)
{
	Val a[3] = {0};
	int k = 0;
	for (Node *x = n->args; x && k < 3; x = x->next)
		a[k++] = eval(in, x);
	int64_t len = (int64_t)strlen(a[0].s);
	switch (which) {
	case BB_STRLEN:
		return num(len);
	case BB_STRPOS: {
		const char *at = strstr(a[0].s, a[1].s);
		return num(at ? at - a[0].s : -1);
	}
	case BB_STRINGAT:
		if (a[1].n < 0 || a[1].n >= len) {
			fail(in, n, "Position out of bounds");
			return num(0);
		}
		return num((signed char)a[0].s[a[1].n]);
	case BB_RANDINT:
		if (a[0].n < 1) {
			fail(in, n, arena_printf("randint: bound %lld is not positive",
						 (long long)a[0].n));
			return num(0);
		}
		if (a[0].n > 0xffffffffLL) {
			fail(in, n, "randint upperbound too large");
			return num(0);
		}
		return num((int64_t)(((uint64_t)(uint32_t)random() << 1 ^ (uint64_t)random()) %
				     (uint64_t)a[0].n));
	case BB_SUBSTR: {
		int64_t start = a[1].n, cnt = a[2].n;
		if (start < 0 || start >= len || cnt < 1)
			cnt = 0;
		else if (cnt > len - start)
			cnt = len - start;
		Val r = {0};
		memcpy(r.s, a[0].s + (cnt ? start : 0), cnt);
		return r;
	}
	}
	return num(0);
}

static Val call_builtin(Interp *in, Node *n, int which)
{
	switch (which) {
	case BB_EXECNAME: {
		char comm[17] = {0};
		FILE *f = fopen("/proc/self/comm", "r");
		if (f && fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		if (f)
			fclose(f);
		return str(comm);
	}
	case BB_PID: return num(getpid());
	case BB_TID: return num(gettid());
	case BB_CPU: return num(sched_getcpu());
	case BB_UID: return num(getuid());
	case BB_GID: return num(getgid());
	case BB_TARGET: return num(*(int64_t *)(in->bp->scalars + BPF_SLOT_TARGET));
	case BB_EXIT:
		bpf_exit_requested = true;
		return num(0);
	case BB_GETTIMEOFDAY_NS: return num(now_ns(CLOCK_REALTIME));
	case BB_GETTIMEOFDAY_US: return num(now_ns(CLOCK_REALTIME) / 1000);
	case BB_GETTIMEOFDAY_MS: return num(now_ns(CLOCK_REALTIME) / 1000000);
	case BB_GETTIMEOFDAY_S: return num(now_ns(CLOCK_REALTIME) / 1000000000);
	case BB_LOCAL_CLOCK_NS: return num(now_ns(CLOCK_MONOTONIC));
	case BB_ERROR: {
		Val m = eval(in, n->args);
		fail(in, n, arena_strdup(m.s));
		return num(0);
	}
	case BB_KTIME_GET_NS: return num(now_ns(CLOCK_MONOTONIC));
	case BB_MATCHED: return eval_matched(in, n, eval(in, n->args).n);
	case BB_NGROUPS:
		if (last_match.ngroups < 0)
			fail(in, n, "Attempted to get subexpression count from failed match");
		return num(last_match.ngroups);
	case BB_PP: return str(in->d->pp);
	case BB_WARN: {
		Val m = eval(in, n->args);
		fflush(bpf_out);
		if (!warnings_off && first_time(m.s))
			fprintf(stderr, "WARNING: %s\n", m.s);
		return num(0);
	}
	case BB_ABORT:
		/* exit(), and this probe ends now: not an error */
		bpf_exit_requested = true;
		in->ctl = CTL_ABORT;
		return num(0);
	default:
		return call_string_builtin(in, n, which);
	}
}

static Node *arena_memdup_node(const Node *n)
{
	Node *c = arena_alloc(sizeof(*c));
	*c = *n;
	return c;
}

/* One script function's body, with its arguments; ctl says how it ended */
static Val call_one(Interp *in, Func *fn, Val *args, int nargs)
{
	Frame fr = { .func = fn, .nparams = fn->params.len };
	fr.slots = calloc(fn->params.len + fn->locals.len + 1, sizeof(Val));
	memcpy(fr.slots, args, sizeof(Val) * (nargs < fn->params.len ? nargs : fn->params.len));
	Frame *caller = in->f;
	in->f = &fr;
	in->depth++;
	exec(in, fn->body);
	in->depth--;
	in->f = caller;
	Val r = fr.ret;
	free(fr.slots);
	return r;
}

/* A call: the overloads in turn while each says 'next' */
static Val call_script(Interp *in, Node *n)
{
	Func *fn = n->func;
	if (in->depth >= in->bp->maxnesting) {
		/* said, as SystemTap does, at the called function's name */
		Node at = { .kind = ND_CALL, .name = fn->name, .loc = fn->loc };
		fail(in, arena_memdup_node(&at), "MAXNESTING exceeded");
		return num(0);
	}
	Val args[MAX_KEYS * 4] = {0};
	int k = 0;
	for (Node *a = n->args; a && k < (int)ARRAY_SIZE(args); a = a->next)
		args[k++] = eval(in, a);
	for (Func *f = fn; f && in->ctl == CTL_NONE; f = f->next_overload) {
		Val r = call_one(in, f, args, k);
		if (in->ctl == CTL_RETURN || in->ctl == CTL_NONE) {
			in->ctl = CTL_NONE;
			return r;
		}
		if (in->ctl != CTL_NEXT)
			break;
		in->ctl = CTL_NONE;
		if (!f->next_overload)
			fail(in, n, arena_printf("next: no more overloads of function '%s'",
						 fn->name));
	}
	return num(0);
}

static Val eval_call(Interp *in, Node *n)
{
	int b = bpf_builtin(n);
	return b >= 0 ? call_builtin(in, n, b) : call_script(in, n);
}

/* ---- expressions ---- */

static Val eval_incdec(Interp *in, Node *n)
{
	Val old;
	Val nv = assign(in, n, n->lhs, n->op, num(1), &old);
	return n->kind == ND_POSTINC ? old : nv;
}

static Val eval(Interp *in, Node *n)
{
	if (in->ctl == CTL_ERROR)
		return num(0);
	switch (n->kind) {
	case ND_NUM: return num(n->num);
	case ND_STR: return str(n->str);
	case ND_VAR: return read_var(in, n->var);
	case ND_INDEX: return map_read(in, n, NULL);
	case ND_IN: {
		Node idx = *n->lhs;
		idx.kind = ND_INDEX;
		idx.args = n->args;
		bool found = false;
		map_read(in, &idx, &found);
		return num(found);
	}
	case ND_BINOP: {
		Val a = eval(in, n->lhs), b = eval(in, n->rhs);
		return num(arith(in, n, n->op, a.n, b.n));
	}
	case ND_CMP: return eval_cmp(in, n);
	case ND_LOGAND: return num(eval(in, n->lhs).n && eval(in, n->rhs).n);
	case ND_LOGOR: return num(eval(in, n->lhs).n || eval(in, n->rhs).n);
	case ND_CONCAT: {
		Val a = eval(in, n->lhs);
		return concat(a, eval(in, n->rhs));
	}
	case ND_NEG: return num((int64_t)(0 - (uint64_t)eval(in, n->lhs).n));
	case ND_PLUS: return eval(in, n->lhs);
	case ND_NOT: return num(!eval(in, n->lhs).n);
	case ND_BITNOT: return num(~eval(in, n->lhs).n);
	case ND_COND: return eval(in, n->cond).n ? eval(in, n->then) : eval(in, n->els);
	case ND_ASSIGN: return assign(in, n, n->lhs, n->op, eval(in, n->rhs), NULL);
	case ND_PREINC:
	case ND_POSTINC: return eval_incdec(in, n);
	case ND_CALL: return eval_call(in, n);
	case ND_PRINT: return eval_print(in, n);
	case ND_AGG: {
		Val v = eval(in, n->rhs);
		stat_add(in, n->lhs, v.n);
		return num(0);
	}
	case ND_STATOP: return eval_statop(in, n);
	case ND_HIST_INDEX: return eval_hist_index(in, n);
	case ND_REGEX: return eval_regex(in, n);
	default:
		fail(in, n, "unsupported expression");
		return num(0);
	}
}

/* ---- foreach: every entry read, sorted, limited, then run ---- */

typedef struct Entry {
	Val keys[MAX_KEYS];
	Val value;
	int64_t seq;		/* when it was inserted */
} Entry;

static int sort_key, sort_dir;
static Type sort_types[MAX_KEYS + 1];

static int cmp_val(const Val *a, const Val *b, Type t)
{
	return t == TY_STRING ? strcmp(a->s, b->s) : (a->n > b->n) - (a->n < b->n);
}

static int cmp_seq(const void *pa, const void *pb)
{
	const Entry *a = pa, *b = pb;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

static int cmp_entry(const void *pa, const void *pb)
{
	const Entry *a = pa, *b = pb;
	int c = sort_key < 0 ? cmp_val(&a->value, &b->value, sort_types[0]) :
		cmp_val(&a->keys[sort_key - 1], &b->keys[sort_key - 1], sort_types[sort_key]);
	/* ties in the order of insertion: SystemTap's sort is stable over it */
	return c ? c * sort_dir : cmp_seq(pa, pb);
}

static Entry *read_entries(Interp *in, Var *v, const char *stat_op, int *count)
{
	BpfGlobal *g = bpf_global(in->bp, v);
	int cap = 64, n = 0;
	Entry *es = malloc(sizeof(*es) * cap);
	char key[MAX_KEYS * BPF_STRLEN], next[MAX_KEYS * BPF_STRLEN];
	char val[BPF_STRLEN + BPF_SEQ_SIZE];
	bool first = true;
	while (bpf_map_get_next_key(g->fd, first ? NULL : key, next) == 0) {
		first = false;
		memcpy(key, next, g->key_size);
		if (n == cap)
			es = realloc(es, sizeof(*es) * (cap *= 2));
		if (g->stats) {
			BpfStat st;
			if (!stat_read(g, key, &st, &es[n].seq))
				continue;
			/* a statistics array sorts by the statistic foreach names */
			es[n].value = num(!stat_op || !strcmp(stat_op, "@count") ? st.count :
					  !strcmp(stat_op, "@sum") ? st.sum :
					  !strcmp(stat_op, "@min") ? st.min :
					  !strcmp(stat_op, "@max") ? st.max :
					  st.count ? st.sum / st.count : 0);
		} else {
			if (bpf_map_lookup_elem(g->fd, key, val) != 0)
				continue;
			es[n].value = value_of(v, val);
			memcpy(&es[n].seq, val + g->value_size, 8);
		}
		get_key(key, v, es[n].keys);
		n++;
	}
	*count = n;
	return es;
}

/* foreach (b in @hist_log(x)): every bucket, empty ones too, as in SystemTap */
static void exec_foreach_hist(Interp *in, Node *n)
{
	Foreach *fe = n->foreach;
	Node *hist = fe->array;
	BpfGlobal *g = bpf_global(in->bp, hist->lhs->var);
	char key[MAX_KEYS * BPF_STRLEN];
	if (!stat_key(in, hist->lhs, key))
		return;
	Merged *m = stat_merged(g, key);
	int64_t limit = fe->limit ? eval(in, fe->limit).n : g->nbuckets;
	for (int b = 0; b < g->nbuckets && b < limit && in->ctl == CTL_NONE && spend_turn(in, n);
	     b++) {
		write_var(in, ((Node *)fe->keys.items[0])->var, num(b));
		if (fe->value)
			write_var(in, fe->value->var, num(m ? m->buckets[b] : 0));
		exec_loop_body(in, n->then);
		if (in->ctl == CTL_BREAK) {
			in->ctl = CTL_NONE;
			break;
		}
		if (in->ctl == CTL_CONTINUE)
			in->ctl = CTL_NONE;
	}
	free(m);
}

static void exec_foreach(Interp *in, Node *n)
{
	Foreach *fe = n->foreach;
	if (fe->array->kind == ND_HIST) {
		exec_foreach_hist(in, n);
		return;
	}
	if (fe->array->kind != ND_VAR) {
		fail(in, n, "foreach over this array");
		return;
	}
	Var *v = fe->array->var;
	int count;
	Entry *es = read_entries(in, v, fe->sort_stat, &count);
	if (fe->sort_key) {
		sort_key = fe->sort_key;
		sort_dir = fe->sort_dir;
		sort_types[0] = v->type;
		for (int k = 0; k < v->nkeys; k++)
			sort_types[k + 1] = v->key_types[k];
		qsort(es, count, sizeof(*es), cmp_entry);
	} else {
		qsort(es, count, sizeof(*es), cmp_seq);
	}
	int64_t limit = fe->limit ? eval(in, fe->limit).n : count;
	for (int i = 0; i < count && i < limit && in->ctl == CTL_NONE && spend_turn(in, n); i++) {
		for (int k = 0; k < fe->keys.len; k++)
			write_var(in, ((Node *)fe->keys.items[k])->var, es[i].keys[k]);
		if (fe->value)
			write_var(in, fe->value->var, es[i].value);
		exec_loop_body(in, n->then);
		if (in->ctl == CTL_BREAK) {
			in->ctl = CTL_NONE;
			break;
		}
		if (in->ctl == CTL_CONTINUE)
			in->ctl = CTL_NONE;
		if (in->ctl != CTL_NONE)
			break;
	}
	free(es);
}

/* ---- statements ---- */

/*
 * MAXACTION, counted as the module counts it: a block's statements when
 * it is entered, a loop's body statements and one more at each turn.
 */
static bool spend_actions(Interp *in, int64_t n, Node *where)
{
	if ((in->actions -= n) >= 0)
		return true;
	fail(in, where, "MAXACTION exceeded");
	return false;
}

static int count_stmts(Node *block)
{
	int n = 0;
	for (Node *s = block->body; s; s = s->next)
		if (s->kind != ND_NULL_STMT && s->kind != ND_BLOCK)
			n++;
	return n;
}

static bool spend_turn(Interp *in, Node *loop)
{
	Node *body = loop->then;
	return spend_actions(in, 1 + (body->kind == ND_BLOCK ? count_stmts(body) : 1), loop);
}

/* A loop's body: its statements were paid for by the turn */
static void exec_loop_body(Interp *in, Node *body)
{
	if (body->kind != ND_BLOCK) {
		exec(in, body);
		return;
	}
	for (Node *s = body->body; s && in->ctl == CTL_NONE; s = s->next)
		exec(in, s);
}

static void exec_loop(Interp *in, Node *n)
{
	if (n->init)
		exec(in, n->init);
	while (in->ctl == CTL_NONE && spend_turn(in, n)) {
		if (n->cond && !eval(in, n->cond).n)
			break;
		exec_loop_body(in, n->then);
		if (in->ctl == CTL_BREAK) {
			in->ctl = CTL_NONE;
			break;
		}
		if (in->ctl == CTL_CONTINUE)
			in->ctl = CTL_NONE;
		if (in->ctl == CTL_NONE && n->inc)
			eval(in, n->inc);
	}
}

static void exec_delete(Interp *in, Node *n)
{
	Node *t = n->lhs;
	if (t->kind == ND_VAR && !t->var->is_array && t->var->type != TY_STATS) {
		write_var(in, t->var, (Val){0});
		return;
	}
	Var *v = t->var;
	BpfGlobal *g = bpf_global(in->bp, v);
	if (t->kind == ND_INDEX) {
		char key[MAX_KEYS * BPF_STRLEN];
		if (eval_key(in, t->args, v, key))
			bpf_map_delete_elem(g->fd, key);
		return;
	}
	char key[MAX_KEYS * BPF_STRLEN];
	while (bpf_map_get_next_key(g->fd, NULL, key) == 0)
		if (bpf_map_delete_elem(g->fd, key) != 0)
			break;
}

static void exec(Interp *in, Node *n)
{
	if (!n || in->ctl != CTL_NONE)
		return;
	switch (n->kind) {
	case ND_BLOCK:
		if (!spend_actions(in, count_stmts(n), n->body ? n->body : n))
			return;
		for (Node *s = n->body; s && in->ctl == CTL_NONE; s = s->next)
			exec(in, s);
		return;
	case ND_EXPR_STMT:
		eval(in, n->lhs);
		return;
	case ND_NULL_STMT:
		return;
	case ND_IF:
		if (eval(in, n->cond).n)
			exec(in, n->then);
		else if (in->ctl == CTL_NONE)
			exec(in, n->els);
		return;
	case ND_WHILE:
	case ND_FOR:
		exec_loop(in, n);
		return;
	case ND_FOREACH:
		exec_foreach(in, n);
		return;
	case ND_BREAK: in->ctl = CTL_BREAK; return;
	case ND_CONTINUE: in->ctl = CTL_CONTINUE; return;
	case ND_NEXT: in->ctl = CTL_NEXT; return;
	case ND_RETURN:
		if (n->lhs)
			in->f->ret = eval(in, n->lhs);
		if (in->ctl == CTL_NONE)
			in->ctl = CTL_RETURN;
		return;
	case ND_DELETE:
		exec_delete(in, n);
		return;
	case ND_TRY:
		/* an error in the body runs the catch block, with its message */
		exec(in, n->then);
		if (in->ctl != CTL_ERROR)
			return;
		in->ctl = CTL_NONE;
		if (n->lhs && n->lhs->var)
			write_var(in, n->lhs->var, str(in->error));
		exec(in, n->els);
		return;
	default:
		eval(in, n);	/* a for loop's init and increment are expressions */
	}
}

/* ---- pass 2: what these probes cannot do here ---- */

typedef struct Checker {
	DerivedProbe *d;
	Vec seen;		/* Func* checked already */
	bool ok;
} Checker;

static void check_node(Checker *c, Node *n);

static void check_refuse(Checker *c, Node *n, const char *what)
{
	error_at(n->loc, "semantic error", "the BPF runtime cannot run %s yet (probe %s): "
		 "use --runtime=kernel", what, c->d->pp);
	c->ok = false;
}

static void check_func(Checker *c, Node *call)
{
	Func *f = call->func;
	if (!f || bpf_builtin(call) >= 0)
		return;
	if (f->is_embedded) {
		check_refuse(c, call, arena_printf("the function '%s' (its body is embedded C)",
						   f->name));
		return;
	}
	for (int i = 0; i < c->seen.len; i++)
		if (c->seen.items[i] == f)
			return;
	vec_push(&c->seen, f);
	check_node(c, f->body);
}

static void check_list(Checker *c, Node *n)
{
	for (; n; n = n->next)
		check_node(c, n);
}

static void check_node(Checker *c, Node *n)
{
	if (!n)
		return;
	switch (n->kind) {
	case ND_HIST:
		check_node(c, n->lhs);
		return;
	case ND_STATOP:
		if (!strcmp(n->name, "@variance")) {
			check_refuse(c, n, "@variance");
			return;
		}
		check_node(c, n->lhs);
		return;
	case ND_TARGET: case ND_CAST: case ND_ENTRY: case ND_VARREF: case ND_ADDR:
	case ND_AUTOCAST: case ND_EMBEDDED_EXPR: case ND_EMBEDDED_STMT: case ND_PROBEWRITE:
	case ND_CONST:
		check_refuse(c, n, "this expression");
		return;
	case ND_FOREACH:
		if (n->foreach->array->kind != ND_VAR && n->foreach->array->kind != ND_HIST) {
			check_refuse(c, n, "'foreach' over a slice");
			return;
		}
		check_node(c, n->foreach->array);
		check_node(c, n->foreach->limit);
		check_node(c, n->then);
		return;
	case ND_CALL:
		check_list(c, n->args);
		check_func(c, n);
		return;
	case ND_INDEX:
		for (Node *a = n->args; a; a = a->next)
			if (a->kind == ND_STAR) {
				check_refuse(c, n, "an array slice");
				return;
			}
		check_list(c, n->args);
		return;
	case ND_PRINT:
		check_list(c, n->args);
		return;
	case ND_BLOCK:
		check_list(c, n->body);
		return;
	default:
		check_node(c, n->lhs);
		check_node(c, n->rhs);
		check_node(c, n->cond);
		check_node(c, n->then);
		check_node(c, n->els);
		check_node(c, n->init);
		check_node(c, n->inc);
		if (n->kind == ND_IN)
			check_list(c, n->args);
	}
}

bool bpf_interp_check(BpfProgram *bp, DerivedProbe *d)
{
	Checker c = { .d = d, .ok = true };
	check_node(&c, d->probe->body);
	return c.ok;
}

/* ---- pass 5 ---- */

bool bpf_interp_run(BpfProgram *bp, DerivedProbe *d)
{
	Interp in = { .bp = bp, .d = d };
	strmax = (int)bp->maxstringlen;
	bool interruptible = d->kind == PROBE_BEGIN || d->kind == PROBE_END ||
			     d->kind == PROBE_ERROR;
	in.actions = interruptible ? bp->maxaction_interruptible : bp->maxaction;
	Frame fr = { .nparams = 0 };
	fr.slots = calloc(d->probe->locals.len + 1, sizeof(Val));
	in.f = &fr;
	exec(&in, d->probe->body);
	free(fr.slots);
	if (in.ctl != CTL_ERROR)
		return true;
	fflush(bpf_out);
	if (bp->suppress_errors)
		return false;
	if (in.error_node)
		fprintf(stderr, "ERROR: %s near %s in probe %s\n", in.error, bpf_near(in.error_node),
			d->pp);
	else
		fprintf(stderr, "ERROR: %s in probe %s\n", in.error, d->pp);
	return false;
}
