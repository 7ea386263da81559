// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * regex.c - =~ and !~: a Pike VM for the programs that translator/regex.c
 * compiles from POSIX extended regular expressions.
 *
 * All threads advance together over the subject, one character per
 * step, so a match costs at most length x program size steps: no
 * backtracking, no pattern can make a probe spin.  Threads keep their
 * priority order (leftmost, then the preferred branch), and each
 * remembers where its groups started and ended: matched(n) reads the
 * last successful match of this CPU's probe.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/percpu.h>
#include "stp.h"

#define STP_RX_SLOTS 20		/* groups 0..9, start and end */
#define STP_RX_UNSET 0xffff

struct stp_rx_thread {
	u16 pc;
	u16 caps[STP_RX_SLOTS];
};

struct stp_rx_list {
	int n;
	struct stp_rx_thread *t;
	u16 *sparse;		/* pc -> index in dense, for O(1) "already added" */
	u16 *dense;
	int ndense;
};

struct stp_rx_frame {
	u16 pc;			/* a pc to add, or STP_RX_UNSET: restore a slot */
	u8 slot;
	u16 value;
};

/* Per-CPU: the VM's scratch, sized for the largest program, and the last match. */
struct stp_rx_state {
	struct stp_rx_list lists[2];
	struct stp_rx_frame *stack;
	u16 caps[STP_RX_SLOTS];
	bool matched;
	u8 last_ngroups;	/* the matched regex's groups, group 0 included */
	u16 last[STP_RX_SLOTS];
	char *subject;		/* a copy: the script may change the string later */
};

static struct stp_rx_state __percpu *stp_rx_states;

static bool stp_rx_seen(struct stp_rx_list *l, u16 pc)
{
	u16 i = l->sparse[pc];

	return i < l->ndense && l->dense[i] == pc;
}

static void stp_rx_mark(struct stp_rx_list *l, u16 pc)
{
	l->sparse[pc] = l->ndense;
	l->dense[l->ndense++] = pc;
}

/* Adds the thread at pc and everything it reaches without reading a character. */
static void stp_rx_add(struct stp_rx_state *st, const struct stp_regex *rx,
		       struct stp_rx_list *l, u16 pc0, u16 pos, u16 len)
{
	struct stp_rx_frame *stack = st->stack;
	int sp = 0;

	stack[sp++] = (struct stp_rx_frame){ .pc = pc0 };
	while (sp > 0) {
		struct stp_rx_frame f = stack[--sp];
		const struct stp_rx_insn *in;

		if (f.pc == STP_RX_UNSET) {
			st->caps[f.slot] = f.value;
			continue;
		}
		if (stp_rx_seen(l, f.pc))
			continue;
		stp_rx_mark(l, f.pc);
		in = &rx->insns[f.pc];
		switch (in->op) {
		case RX_JMP:
			stack[sp++] = (struct stp_rx_frame){ .pc = in->x };
			break;
		case RX_SPLIT:
			/* x is preferred: pushed last, explored first */
			stack[sp++] = (struct stp_rx_frame){ .pc = in->y };
			stack[sp++] = (struct stp_rx_frame){ .pc = in->x };
			break;
		case RX_SAVE:
			stack[sp++] = (struct stp_rx_frame){ .pc = STP_RX_UNSET, .slot = in->arg,
							     .value = st->caps[in->arg] };
			st->caps[in->arg] = pos;
			stack[sp++] = (struct stp_rx_frame){ .pc = f.pc + 1 };
			break;
		case RX_BOL:
			if (pos == 0)
				stack[sp++] = (struct stp_rx_frame){ .pc = f.pc + 1 };
			break;
		case RX_EOL:
			if (pos == len)
				stack[sp++] = (struct stp_rx_frame){ .pc = f.pc + 1 };
			break;
		default:
			l->t[l->n].pc = f.pc;
			memcpy(l->t[l->n].caps, st->caps, sizeof(st->caps));
			l->n++;
			break;
		}
	}
}

static bool stp_rx_step(const struct stp_regex *rx, const struct stp_rx_insn *in, u8 ch)
{
	switch (in->op) {
	case RX_CHAR:
		return ch == in->arg;
	case RX_ANY:
		return ch != 0;
	case RX_CLASS:
		return rx->classes[in->x][ch >> 5] & (1u << (ch & 31));
	default:
		return false;
	}
}

s64 stp_regex_match(const struct stp_regex *rx, const char *subject)
{
	struct stp_rx_state *st = this_cpu_ptr(stp_rx_states);
	struct stp_rx_list *cl = &st->lists[0], *nl = &st->lists[1];
	u16 len = strnlen(subject, stp_script.maxstringlen - 1);
	bool found = false;
	u16 pos;
	int i;

	cl->n = 0;
	cl->ndense = 0;
	for (pos = 0;; pos++) {
		u8 ch = pos < len ? subject[pos] : 0;

		if (!found) {
			/* a new match may start here, after every earlier one */
			memset(st->caps, 0xff, sizeof(st->caps));
			stp_rx_add(st, rx, cl, 0, pos, len);
		}
		if (!cl->n)
			break;
		nl->n = 0;
		nl->ndense = 0;
		for (i = 0; i < cl->n; i++) {
			struct stp_rx_thread *t = &cl->t[i];
			const struct stp_rx_insn *in = &rx->insns[t->pc];

			if (in->op == RX_MATCH) {
				found = true;
				memcpy(st->last, t->caps, sizeof(st->last));
				break;	/* lower-priority threads cannot win now */
			}
			if (pos < len && stp_rx_step(rx, in, ch)) {
				memcpy(st->caps, t->caps, sizeof(st->caps));
				stp_rx_add(st, rx, nl, t->pc + 1, pos + 1, len);
			}
		}
		swap(cl, nl);
		if (pos >= len)
			break;
	}
	st->matched = found;
	if (found) {
		memcpy(st->subject, subject, len + 1);
		st->last_ngroups = rx->ngroups + 1;
	}
	return found;
}

/* This CPU's state, if its last =~ matched (none at all in a script without =~). */
static struct stp_rx_state *stp_rx_last_match(void)
{
	struct stp_rx_state *st;

	if (!stp_rx_states)
		return NULL;
	st = this_cpu_ptr(stp_rx_states);
	return st->matched ? st : NULL;
}

/*
 * matched(n): group n of this CPU's last match, into buf.  -ENOENT: the
 * last =~ did not match; -EINVAL: the regex has no group n.
 */
int stp_regex_matched(int n, char *buf, size_t size)
{
	struct stp_rx_state *st = stp_rx_last_match();
	u16 start, end;

	buf[0] = '\0';
	if (!st)
		return -ENOENT;
	if (n < 0 || n >= st->last_ngroups)
		return -EINVAL;
	start = st->last[2 * n];
	end = st->last[2 * n + 1];
	if (start == STP_RX_UNSET || end == STP_RX_UNSET || end < start)
		return 0;	/* a group that took no part in the match: "" */
	stp_strlcpy(buf, st->subject + start, min_t(size_t, size, end - start + 1));
	return 0;
}

/* ngroups(): the groups of the last match, group 0 included, or -ENOENT. */
int stp_regex_ngroups(void)
{
	struct stp_rx_state *st = stp_rx_last_match();

	return st ? st->last_ngroups : -ENOENT;
}

int stp_regex_init(void)
{
	int cpu, i;
	size_t n = stp_script.regex_max_insns;

	if (!n)
		return 0;
	stp_rx_states = alloc_percpu(struct stp_rx_state);
	if (!stp_rx_states)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct stp_rx_state *st = per_cpu_ptr(stp_rx_states, cpu);

		for (i = 0; i < 2; i++) {
			st->lists[i].t = vzalloc(n * sizeof(struct stp_rx_thread));
			st->lists[i].sparse = vzalloc(n * sizeof(u16));
			st->lists[i].dense = vzalloc(n * sizeof(u16));
			if (!st->lists[i].t || !st->lists[i].sparse || !st->lists[i].dense)
				goto nomem;
		}
		st->stack = vzalloc((2 * n + STP_RX_SLOTS + 4) * sizeof(struct stp_rx_frame));
		st->subject = vzalloc(stp_script.maxstringlen);
		if (!st->stack || !st->subject)
			goto nomem;
	}
	return 0;
nomem:
	stp_regex_exit();
	return -ENOMEM;
}

void stp_regex_exit(void)
{
	int cpu, i;

	if (!stp_rx_states)
		return;
	for_each_possible_cpu(cpu) {
		struct stp_rx_state *st = per_cpu_ptr(stp_rx_states, cpu);

		for (i = 0; i < 2; i++) {
			vfree(st->lists[i].t);
			vfree(st->lists[i].sparse);
			vfree(st->lists[i].dense);
		}
		vfree(st->stack);
		vfree(st->subject);
	}
	free_percpu(stp_rx_states);
	stp_rx_states = NULL;
}
