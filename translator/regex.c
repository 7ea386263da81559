/*
 * regex.c - POSIX extended regular expressions (=~ and !~), compiled by
 * the translator into a small program for the runtime's Pike VM
 * (runtime/regex.c).
 *
 * The VM runs every thread of the program in lockstep over the subject,
 * one character at a time: time is bounded by length x program size and
 * nothing backtracks, so no pattern can make a probe spin.
 *
 *   regex  := branch ('|' branch)*
 *   branch := piece*
 *   piece  := atom ('*' | '+' | '?' | '{m}' | '{m,}' | '{m,n}')*
 *   atom   := char | '.' | '^' | '$' | '[' bracket ']' | '(' regex ')' | '\' char
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "stap.h"

#define RX_MAX_INSNS 2048	/* keeps the runtime's per-CPU scratch bounded */
#define RX_MAX_GROUPS 9		/* matched(0) .. matched(9) */
#define RX_MAX_REPEAT 255

/* The regex as a tree, before it becomes instructions. */
typedef enum RxKind { RXN_CHAR, RXN_ANY, RXN_CLASS, RXN_BOL, RXN_EOL, RXN_CAT, RXN_ALT,
		      RXN_REPEAT, RXN_GROUP, RXN_EMPTY } RxKind;

typedef struct RxNode RxNode;
struct RxNode {
	RxKind kind;
	int ch;			/* RXN_CHAR */
	int cls;		/* RXN_CLASS: index into the class table */
	int min, max;		/* RXN_REPEAT; max -1: unbounded */
	int group;		/* RXN_GROUP */
	RxNode *a, *b;
};

typedef struct RxParser {
	const char *p;
	const char *start;
	const char *err;
	int ngroups;
	Regex *rx;
} RxParser;

static RxNode *rx_node(RxKind kind, RxNode *a, RxNode *b)
{
	RxNode *n = arena_alloc(sizeof(*n));
	n->kind = kind;
	n->a = a;
	n->b = b;
	return n;
}

static void rx_error(RxParser *ps, const char *msg)
{
	if (!ps->err)
		ps->err = arena_printf("%s at offset %d", msg, (int)(ps->p - ps->start));
}

static int add_class(Regex *rx, const uint32_t bits[8])
{
	for (int i = 0; i < rx->nclasses; i++)
		if (memcmp(rx->classes[i], bits, 32) == 0)
			return i;
	if (rx->nclasses == rx->cap_classes) {
		int cap = rx->cap_classes ? rx->cap_classes * 2 : 8;
		uint32_t (*c)[8] = arena_alloc(sizeof(*c) * cap);
		if (rx->nclasses)
			memcpy(c, rx->classes, sizeof(*c) * rx->nclasses);
		rx->classes = c;
		rx->cap_classes = cap;
	}
	memcpy(rx->classes[rx->nclasses], bits, 32);
	return rx->nclasses++;
}

static void set_bit(uint32_t bits[8], int c)
{
	bits[(c & 0xff) >> 5] |= 1u << (c & 31);
}

static bool named_class(const char *name, int len, int c)
{
#define IS(n) (len == (int)strlen(n) && strncmp(name, n, len) == 0)
	if (IS("alpha")) return isalpha(c);
	if (IS("digit")) return isdigit(c);
	if (IS("alnum")) return isalnum(c);
	if (IS("upper")) return isupper(c);
	if (IS("lower")) return islower(c);
	if (IS("space")) return isspace(c);
	if (IS("blank")) return c == ' ' || c == '\t';
	if (IS("punct")) return ispunct(c);
	if (IS("print")) return isprint(c);
	if (IS("graph")) return isgraph(c);
	if (IS("cntrl")) return iscntrl(c);
	if (IS("xdigit")) return isxdigit(c);
#undef IS
	return false;
}

static bool known_class(const char *name, int len)
{
	static const char *names[] = { "alpha", "digit", "alnum", "upper", "lower", "space",
				       "blank", "punct", "print", "graph", "cntrl", "xdigit" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (len == (int)strlen(names[i]) && strncmp(name, names[i], len) == 0)
			return true;
	return false;
}

/* [abc], [^a-z], [[:digit:]_] */
static RxNode *parse_bracket(RxParser *ps)
{
	uint32_t bits[8] = {0};
	bool negate = false;
	ps->p++;
	if (*ps->p == '^') {
		negate = true;
		ps->p++;
	}
	bool first = true;
	while (*ps->p && (*ps->p != ']' || first)) {
		first = false;
		if (ps->p[0] == '[' && ps->p[1] == ':') {
			const char *name = ps->p + 2;
			const char *end = strstr(name, ":]");
			if (!end || !known_class(name, end - name)) {
				rx_error(ps, "unknown character class in '[: :]'");
				return NULL;
			}
			for (int c = 1; c < 256; c++)
				if (named_class(name, end - name, c))
					set_bit(bits, c);
			ps->p = end + 2;
			continue;
		}
		int lo = (unsigned char)*ps->p++;
		if (lo == '\\' && *ps->p)
			lo = (unsigned char)*ps->p++;
		int hi = lo;
		if (ps->p[0] == '-' && ps->p[1] && ps->p[1] != ']') {
			ps->p++;
			hi = (unsigned char)*ps->p++;
			if (hi == '\\' && *ps->p)
				hi = (unsigned char)*ps->p++;
			if (hi < lo) {
				rx_error(ps, "invalid range in '[ ]': the end is before the start");
				return NULL;
			}
		}
		for (int c = lo; c <= hi; c++)
			set_bit(bits, c);
	}
	if (*ps->p != ']') {
		rx_error(ps, "'[' without a closing ']'");
		return NULL;
	}
	ps->p++;
	if (negate)
		for (int i = 0; i < 8; i++)
			bits[i] = ~bits[i];
	bits[0] &= ~1u;	/* never the terminating NUL */
	RxNode *n = rx_node(RXN_CLASS, NULL, NULL);
	n->cls = add_class(ps->rx, bits);
	return n;
}

static RxNode *parse_alt(RxParser *ps);

static RxNode *parse_atom(RxParser *ps)
{
	char c = *ps->p;
	RxNode *n;
	switch (c) {
	case '(': {
		ps->p++;
		int group = ++ps->ngroups;
		RxNode *inner = parse_alt(ps);
		if (*ps->p != ')') {
			rx_error(ps, "'(' without a closing ')'");
			return NULL;
		}
		ps->p++;
		n = rx_node(RXN_GROUP, inner, NULL);
		n->group = group;
		return n;
	}
	case '[':
		return parse_bracket(ps);
	case '.':
		ps->p++;
		return rx_node(RXN_ANY, NULL, NULL);
	case '^':
		ps->p++;
		return rx_node(RXN_BOL, NULL, NULL);
	case '$':
		ps->p++;
		return rx_node(RXN_EOL, NULL, NULL);
	case '\\':
		ps->p++;
		if (!*ps->p) {
			rx_error(ps, "'\\' at the end of the pattern");
			return NULL;
		}
		n = rx_node(RXN_CHAR, NULL, NULL);
		n->ch = (unsigned char)*ps->p++;
		if (n->ch == 'n')
			n->ch = '\n';
		else if (n->ch == 't')
			n->ch = '\t';
		return n;
	case '*':
	case '+':
	case '?':
	case '{':
		rx_error(ps, "a repetition operator with nothing to repeat");
		return NULL;
	default:
		ps->p++;
		n = rx_node(RXN_CHAR, NULL, NULL);
		n->ch = (unsigned char)c;
		return n;
	}
}

static bool parse_count(RxParser *ps, int *out)
{
	if (!isdigit((unsigned char)*ps->p))
		return false;
	long v = strtol(ps->p, (char **)&ps->p, 10);
	if (v > RX_MAX_REPEAT) {
		rx_error(ps, "repetition count larger than 255");
		v = RX_MAX_REPEAT;
	}
	*out = (int)v;
	return true;
}

static RxNode *parse_piece(RxParser *ps)
{
	RxNode *atom = parse_atom(ps);
	while (atom && !ps->err) {
		int min, max;
		char c = *ps->p;
		if (c == '*') {
			min = 0;
			max = -1;
		} else if (c == '+') {
			min = 1;
			max = -1;
		} else if (c == '?') {
			min = 0;
			max = 1;
		} else if (c == '{' && isdigit((unsigned char)ps->p[1])) {
			ps->p++;
			parse_count(ps, &min);
			max = min;
			if (*ps->p == ',') {
				ps->p++;
				if (!parse_count(ps, &max))
					max = -1;
			}
			if (*ps->p != '}') {
				rx_error(ps, "'{' without a closing '}'");
				return NULL;
			}
			if (max >= 0 && max < min) {
				rx_error(ps, "'{m,n}' with n < m");
				return NULL;
			}
		} else {
			break;
		}
		ps->p++;
		RxNode *r = rx_node(RXN_REPEAT, atom, NULL);
		r->min = min;
		r->max = max;
		atom = r;
	}
	return atom;
}

static RxNode *parse_branch(RxParser *ps)
{
	RxNode *n = NULL;
	while (*ps->p && *ps->p != '|' && *ps->p != ')' && !ps->err) {
		RxNode *piece = parse_piece(ps);
		if (!piece)
			return NULL;
		n = n ? rx_node(RXN_CAT, n, piece) : piece;
	}
	return n ? n : rx_node(RXN_EMPTY, NULL, NULL);
}

static RxNode *parse_alt(RxParser *ps)
{
	RxNode *n = parse_branch(ps);
	while (n && *ps->p == '|' && !ps->err) {
		ps->p++;
		RxNode *b = parse_branch(ps);
		if (!b)
			return NULL;
		n = rx_node(RXN_ALT, n, b);
	}
	return n;
}

/* ---- instructions ---- */

static int emit_insn(Regex *rx, RxOp op, int arg, int x, int y)
{
	if (rx->ninsns == RX_MAX_INSNS)
		return -1;
	if (rx->ninsns == rx->cap_insns) {
		int cap = rx->cap_insns ? rx->cap_insns * 2 : 64;
		RxInsn *in = arena_alloc(sizeof(*in) * cap);
		if (rx->ninsns)
			memcpy(in, rx->insns, sizeof(*in) * rx->ninsns);
		rx->insns = in;
		rx->cap_insns = cap;
	}
	rx->insns[rx->ninsns] = (RxInsn){ op, arg, x, y };
	return rx->ninsns++;
}

static bool compile_node(Regex *rx, RxNode *n);

/* x{min,max}: min copies, then (max - min) optional ones, or a loop */
static bool compile_repeat(Regex *rx, RxNode *n)
{
	for (int i = 0; i < n->min; i++)
		if (!compile_node(rx, n->a))
			return false;
	if (n->max < 0) {
		int split = emit_insn(rx, RX_SPLIT, 0, 0, 0);
		if (split < 0 || !compile_node(rx, n->a))
			return false;
		if (emit_insn(rx, RX_JMP, 0, split, 0) < 0)
			return false;
		rx->insns[split].x = split + 1;
		rx->insns[split].y = rx->ninsns;
		return true;
	}
	for (int i = n->min; i < n->max; i++) {
		int split = emit_insn(rx, RX_SPLIT, 0, 0, 0);
		if (split < 0 || !compile_node(rx, n->a))
			return false;
		rx->insns[split].x = split + 1;
		rx->insns[split].y = rx->ninsns;
	}
	return true;
}

static bool compile_node(Regex *rx, RxNode *n)
{
	switch (n->kind) {
	case RXN_CHAR:
		return emit_insn(rx, RX_CHAR, n->ch, 0, 0) >= 0;
	case RXN_ANY:
		return emit_insn(rx, RX_ANY, 0, 0, 0) >= 0;
	case RXN_CLASS:
		return emit_insn(rx, RX_CLASS, 0, n->cls, 0) >= 0;
	case RXN_BOL:
		return emit_insn(rx, RX_BOL, 0, 0, 0) >= 0;
	case RXN_EOL:
		return emit_insn(rx, RX_EOL, 0, 0, 0) >= 0;
	case RXN_EMPTY:
		return true;
	case RXN_CAT:
		return compile_node(rx, n->a) && compile_node(rx, n->b);
	case RXN_ALT: {
		int split = emit_insn(rx, RX_SPLIT, 0, 0, 0);
		if (split < 0 || !compile_node(rx, n->a))
			return false;
		int jmp = emit_insn(rx, RX_JMP, 0, 0, 0);
		if (jmp < 0)
			return false;
		rx->insns[split].x = split + 1;
		rx->insns[split].y = rx->ninsns;
		if (!compile_node(rx, n->b))
			return false;
		rx->insns[jmp].x = rx->ninsns;
		return true;
	}
	case RXN_GROUP:
		if (n->group <= RX_MAX_GROUPS && emit_insn(rx, RX_SAVE, 2 * n->group, 0, 0) < 0)
			return false;
		if (!compile_node(rx, n->a))
			return false;
		if (n->group <= RX_MAX_GROUPS && emit_insn(rx, RX_SAVE, 2 * n->group + 1, 0, 0) < 0)
			return false;
		return true;
	case RXN_REPEAT:
		return compile_repeat(rx, n);
	}
	return false;
}

/* Compiles pattern; on error returns NULL and sets *err. */
Regex *regex_compile(const char *pattern, const char **err)
{
	Regex *rx = arena_alloc(sizeof(*rx));
	RxParser ps = { .p = pattern, .start = pattern, .rx = rx };
	RxNode *tree = parse_alt(&ps);
	if (!ps.err && *ps.p == ')')
		rx_error(&ps, "')' without a matching '('");
	if (ps.err || !tree) {
		*err = ps.err ? ps.err : "invalid regular expression";
		return NULL;
	}
	rx->ngroups = ps.ngroups > RX_MAX_GROUPS ? RX_MAX_GROUPS : ps.ngroups;
	/* group 0 is the whole match */
	if (emit_insn(rx, RX_SAVE, 0, 0, 0) < 0 || !compile_node(rx, tree) ||
	    emit_insn(rx, RX_SAVE, 1, 0, 0) < 0 || emit_insn(rx, RX_MATCH, 0, 0, 0) < 0) {
		*err = arena_printf("the regular expression is too large (more than %d "
				    "instructions; simplify it or lower its repetition counts)",
				    RX_MAX_INSNS);
		return NULL;
	}
	return rx;
}

static const char *op_name(RxOp op)
{
	static const char *names[] = { "RX_CHAR", "RX_ANY", "RX_CLASS", "RX_SPLIT", "RX_JMP",
				       "RX_SAVE", "RX_BOL", "RX_EOL", "RX_MATCH" };
	return names[op];
}

/* The compiled program as C tables named NAME_insns and NAME_classes, and NAME. */
void regex_emit(FILE *out, Regex *rx, const char *name, const char *pattern)
{
	Buf comment = {0};
	for (const char *p = pattern; *p; p++)
		buf_putc(&comment, *p == '*' && p[1] == '/' ? '.' : (*p < 32 ? '?' : *p));
	fprintf(out, "/* regex %s */\n", comment.s);
	fprintf(out, "static const struct stp_rx_insn %s_insns[] = {\n", name);
	for (int i = 0; i < rx->ninsns; i++) {
		RxInsn *in = &rx->insns[i];
		fprintf(out, "\t{ %s, %d, %d, %d },\n", op_name(in->op), in->arg, in->x, in->y);
	}
	fprintf(out, "};\n");
	if (rx->nclasses) {
		fprintf(out, "static const u32 %s_classes[][8] = {\n", name);
		for (int i = 0; i < rx->nclasses; i++) {
			fprintf(out, "\t{");
			for (int j = 0; j < 8; j++)
				fprintf(out, "%s0x%08x", j ? ", " : " ", rx->classes[i][j]);
			fprintf(out, " },\n");
		}
		fprintf(out, "};\n");
	}
	fprintf(out, "static const struct stp_regex %s = {\n\t.insns = %s_insns,\n"
		"\t.ninsns = %d,\n\t.classes = %s,\n\t.ngroups = %d,\n};\n\n", name, name,
		rx->ninsns, rx->nclasses ? arena_printf("%s_classes", name) : "NULL", rx->ngroups);
}
