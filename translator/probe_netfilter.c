/*
 * probe_netfilter.c - netfilter.hook("HOOK").pf("PF") and
 * netfilter.pf("PF").hook("HOOK"), each with .priority(P) if wanted: a
 * netfilter hook that runs the probe on every packet of that protocol
 * family at that point of the stack (runtime/netfilter.c), with the
 * target variables $hooknum, $skb, $in, $out, $indev, $outdev,
 * $indev_name, $outdev_name, $okfn and $verdict, which a guru-mode
 * script may set to decide the packet's fate.
 *
 * The names are the kernel's (uapi/linux/netfilter*.h), as SystemTap
 * takes them; a hook, family or priority may also be given as its number
 * in a string ("2"), and a priority as a number.  Every value is checked
 * here: the runtime registers only hooks the kernel has.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "stap.h"

typedef struct NfName {
	const char *name;
	int value;
} NfName;

typedef struct NfFamily {
	const char *name;	/* "NFPROTO_IPV4" */
	int pf;
	const NfName *hooks;
	int nhooks;		/* the hook numbers are 0 .. numhooks-1 */
	int numhooks;
	const NfName *prios;
	int nprios;
} NfFamily;

static const NfName ipv4_hooks[] = {
	{ "NF_INET_PRE_ROUTING", 0 }, { "NF_INET_LOCAL_IN", 1 }, { "NF_INET_FORWARD", 2 },
	{ "NF_INET_LOCAL_OUT", 3 }, { "NF_INET_POST_ROUTING", 4 },
	{ "NF_IP_PRE_ROUTING", 0 }, { "NF_IP_LOCAL_IN", 1 }, { "NF_IP_FORWARD", 2 },
	{ "NF_IP_LOCAL_OUT", 3 }, { "NF_IP_POST_ROUTING", 4 },
};

static const NfName ipv6_hooks[] = {
	{ "NF_IP6_PRE_ROUTING", 0 }, { "NF_IP6_LOCAL_IN", 1 }, { "NF_IP6_FORWARD", 2 },
	{ "NF_IP6_LOCAL_OUT", 3 }, { "NF_IP6_POST_ROUTING", 4 },
	{ "NF_INET_PRE_ROUTING", 0 }, { "NF_INET_LOCAL_IN", 1 }, { "NF_INET_FORWARD", 2 },
	{ "NF_INET_LOCAL_OUT", 3 }, { "NF_INET_POST_ROUTING", 4 },
};

static const NfName arp_hooks[] = {
	{ "NF_ARP_IN", 0 }, { "NF_ARP_OUT", 1 }, { "NF_ARP_FORWARD", 2 },
};

static const NfName bridge_hooks[] = {
	{ "NF_BR_PRE_ROUTING", 0 }, { "NF_BR_LOCAL_IN", 1 }, { "NF_BR_FORWARD", 2 },
	{ "NF_BR_LOCAL_OUT", 3 }, { "NF_BR_POST_ROUTING", 4 },
};

static const NfName ipv4_prios[] = {
	{ "NF_IP_PRI_FIRST", INT_MIN }, { "NF_IP_PRI_RAW_BEFORE_DEFRAG", -450 },
	{ "NF_IP_PRI_CONNTRACK_DEFRAG", -400 }, { "NF_IP_PRI_RAW", -300 },
	{ "NF_IP_PRI_SELINUX_FIRST", -225 }, { "NF_IP_PRI_CONNTRACK", -200 },
	{ "NF_IP_PRI_MANGLE", -150 }, { "NF_IP_PRI_NAT_DST", -100 },
	{ "NF_IP_PRI_FILTER", 0 }, { "NF_IP_PRI_SECURITY", 50 }, { "NF_IP_PRI_NAT_SRC", 100 },
	{ "NF_IP_PRI_SELINUX_LAST", 225 }, { "NF_IP_PRI_CONNTRACK_HELPER", 300 },
	{ "NF_IP_PRI_CONNTRACK_CONFIRM", INT_MAX }, { "NF_IP_PRI_LAST", INT_MAX },
};

static const NfName ipv6_prios[] = {
	{ "NF_IP6_PRI_FIRST", INT_MIN }, { "NF_IP6_PRI_RAW_BEFORE_DEFRAG", -450 },
	{ "NF_IP6_PRI_CONNTRACK_DEFRAG", -400 }, { "NF_IP6_PRI_RAW", -300 },
	{ "NF_IP6_PRI_SELINUX_FIRST", -225 }, { "NF_IP6_PRI_CONNTRACK", -200 },
	{ "NF_IP6_PRI_MANGLE", -150 }, { "NF_IP6_PRI_NAT_DST", -100 },
	{ "NF_IP6_PRI_FILTER", 0 }, { "NF_IP6_PRI_SECURITY", 50 }, { "NF_IP6_PRI_NAT_SRC", 100 },
	{ "NF_IP6_PRI_SELINUX_LAST", 225 }, { "NF_IP6_PRI_CONNTRACK_HELPER", 300 },
	{ "NF_IP6_PRI_LAST", INT_MAX },
};

static const NfName bridge_prios[] = {
	{ "NF_BR_PRI_FIRST", INT_MIN }, { "NF_BR_PRI_NAT_DST_BRIDGED", -300 },
	{ "NF_BR_PRI_FILTER_BRIDGED", -200 }, { "NF_BR_PRI_BRNF", 0 },
	{ "NF_BR_PRI_NAT_DST_OTHER", 100 }, { "NF_BR_PRI_FILTER_OTHER", 200 },
	{ "NF_BR_PRI_NAT_SRC", 300 }, { "NF_BR_PRI_LAST", INT_MAX },
};

static const NfFamily nf_families[] = {
	{ "NFPROTO_IPV4", 2, ipv4_hooks, ARRAY_SIZE(ipv4_hooks), 5, ipv4_prios,
	  ARRAY_SIZE(ipv4_prios) },
	{ "NFPROTO_IPV6", 10, ipv6_hooks, ARRAY_SIZE(ipv6_hooks), 5, ipv6_prios,
	  ARRAY_SIZE(ipv6_prios) },
	{ "NFPROTO_ARP", 3, arp_hooks, ARRAY_SIZE(arp_hooks), 3, NULL, 0 },
	{ "NFPROTO_BRIDGE", 7, bridge_hooks, ARRAY_SIZE(bridge_hooks), 5, bridge_prios,
	  ARRAY_SIZE(bridge_prios) },
};

static const char *const nf_shapes[] = {
	"netfilter.hook(S).pf(S)", "netfilter.pf(S).hook(S)",
	"netfilter.hook(S).pf(S).priority(S)", "netfilter.pf(S).hook(S).priority(S)",
	"netfilter.hook(S).pf(S).priority(N)", "netfilter.pf(S).hook(S).priority(N)",
	NULL,
};

static const char *nf_seconds[] = { "hook", "pf", NULL };
static const char *nf_suffixes[] = { "hook", "pf", "priority", NULL };

typedef struct NfData {
	int pf;
	int hooknum;
	int priority;
} NfData;

/* A number written as a string, "2" or "-100"; false if s is not one. */
static bool string_number(const char *s, long long *out)
{
	char *end;
	if (!*s)
		return false;
	*out = strtoll(s, &end, 0);
	return *end == '\0';
}

static const char *nf_names_list(const NfName *names, int n, const char *name)
{
	const char **cands = arena_alloc(sizeof(char *) * (n + 1));
	for (int i = 0; i < n; i++)
		cands[i] = names[i].name;
	return similar_names(name, cands, n, 3);
}

static void no_such(Loc loc, const char *what, const char *name, const char *pf,
		    const char *sim)
{
	error_at(loc, "semantic error", "unsupported netfilter %s \"%s\"%s%s%s%s%s", what, name,
		 pf ? " for protocol family \"" : "", pf ? pf : "", pf ? "\"" : "",
		 sim ? " (similar: " : "", sim ? arena_printf("%s)", sim) : "");
}

static const NfFamily *find_family(Component *c)
{
	const char *s = c->arg->str;
	long long num;
	bool numeric = string_number(s, &num);
	const char *cands[ARRAY_SIZE(nf_families)];
	for (size_t i = 0; i < ARRAY_SIZE(nf_families); i++) {
		if (numeric ? nf_families[i].pf == num : strcmp(nf_families[i].name, s) == 0)
			return &nf_families[i];
		cands[i] = nf_families[i].name;
	}
	no_such(c->arg->loc, "protocol family", s, NULL,
		numeric ? NULL : similar_names(s, cands, ARRAY_SIZE(nf_families), 3));
	return NULL;
}

static bool find_hook(const NfFamily *f, Component *c, int *out)
{
	const char *s = c->arg->str;
	long long num;
	if (string_number(s, &num)) {
		if (num >= 0 && num < f->numhooks) {
			*out = (int)num;
			return true;
		}
	} else {
		for (int i = 0; i < f->nhooks; i++)
			if (strcmp(f->hooks[i].name, s) == 0) {
				*out = f->hooks[i].value;
				return true;
			}
	}
	if (string_number(s, &num))
		error_at(c->arg->loc, "semantic error", "unsupported netfilter hook \"%s\" for "
			 "protocol family \"%s\" (its hooks are 0 to %d)", s, f->name,
			 f->numhooks - 1);
	else
		no_such(c->arg->loc, "hook", s, f->name, nf_names_list(f->hooks, f->nhooks, s));
	return false;
}

static bool find_priority(const NfFamily *f, Component *c, int *out)
{
	long long num;
	if (c->arg->kind == ND_NUM) {
		num = c->arg->num;
	} else if (!string_number(c->arg->str, &num)) {
		for (int i = 0; i < f->nprios; i++)
			if (strcmp(f->prios[i].name, c->arg->str) == 0) {
				*out = f->prios[i].value;
				return true;
			}
		no_such(c->arg->loc, "priority", c->arg->str, f->name,
			f->prios ? nf_names_list(f->prios, f->nprios, c->arg->str) : NULL);
		return false;
	}
	if (num < INT_MIN || num > INT_MAX) {
		error_at(c->arg->loc, "semantic error",
			 "netfilter priority %lld is out of range (a 32-bit int)", num);
		return false;
	}
	*out = (int)num;
	return true;
}

static bool usage_error(Loc loc)
{
	error_at(loc, "semantic error", "no match for probe point: say "
		 "netfilter.hook(\"HOOK\").pf(\"PROTOCOL_F\"), or .pf(...).hook(...), then "
		 ".priority(N) if you like");
	return false;
}

/* The point as written: netfilter.hook("NF_INET_LOCAL_IN").pf("NFPROTO_IPV4") */
static const char *point_name(Component *c)
{
	Buf b = {0};
	buf_puts(&b, "netfilter");
	for (Component *x = c->next; x; x = x->next) {
		buf_printf(&b, ".%s(", x->name);
		dump_expr(&b, x->arg);
		buf_putc(&b, ')');
	}
	return b.s;
}

static bool resolve_netfilter(ProbePoint *pp, Component *c, Probe *probe, Vec *out)
{
	Component *hook = NULL, *pf = NULL, *prio = NULL;
	if (c->has_arg)
		return usage_error(c->loc);
	for (Component *x = c->next; x; x = x->next) {
		bool is_hook = strcmp(x->name, "hook") == 0, is_pf = strcmp(x->name, "pf") == 0;
		if ((is_hook && !hook) || (is_pf && !pf)) {
			if (!x->has_arg || x->arg->kind != ND_STR || prio)
				return usage_error(x->loc);
			*(is_hook ? &hook : &pf) = x;
		} else if (strcmp(x->name, "priority") == 0 && hook && pf && !x->next) {
			if (!x->has_arg)
				return usage_error(x->loc);
			prio = x;
		} else {
			return usage_error(x->loc);
		}
	}
	if (!hook || !pf)
		return usage_error(hook ? hook->loc : pf ? pf->loc : c->loc);
	const NfFamily *f = find_family(pf);
	NfData *nd = arena_alloc(sizeof(*nd));
	if (!f || !find_hook(f, hook, &nd->hooknum) ||
	    (prio && !find_priority(f, prio, &nd->priority)))
		return false;
	nd->pf = f->pf;
	vec_push(out, new_derived(&family_netfilter, probe, nd, point_name(c)));
	return true;
}

/* ---- target variables ---- */

typedef struct NfVar {
	const char *name;
	const char *c_expr;	/* a long, or NULL for a device name */
	bool out;		/* the device name: of the output device */
} NfVar;

static const NfVar nf_vars[] = {
	{ "$hooknum", "stp_nf_var(c, STP_NF_HOOKNUM)", false },
	{ "$skb", "stp_nf_var(c, STP_NF_SKB)", false },
	{ "$in", "stp_nf_var(c, STP_NF_IN)", false },
	{ "$out", "stp_nf_var(c, STP_NF_OUT)", false },
	{ "$indev", "stp_nf_var(c, STP_NF_IN)", false },
	{ "$outdev", "stp_nf_var(c, STP_NF_OUT)", false },
	{ "$indev_name", NULL, false },
	{ "$outdev_name", NULL, true },
	{ "$okfn", "stp_nf_var(c, STP_NF_OKFN)", false },
	{ "$verdict", "stp_nf_var(c, STP_NF_VERDICT)", false },
};

static const NfVar *find_var(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(nf_vars); i++)
		if (strcmp(nf_vars[i].name, name) == 0)
			return &nf_vars[i];
	return NULL;
}

static void unknown_var(DerivedProbe *d, Node *n)
{
	const char *names[ARRAY_SIZE(nf_vars)];
	for (size_t i = 0; i < ARRAY_SIZE(nf_vars); i++)
		names[i] = nf_vars[i].name;
	const char *sim = similar_names(n->name, names, ARRAY_SIZE(nf_vars), 3);
	error_at(n->loc, "semantic error", "unable to find netfilter variable '%s' in %s%s%s%s",
		 n->name, d->pp, sim ? " (alternatives: " : "", sim ? sim : "", sim ? ")" : "");
}

/* @cast(...), &@cast(...) or @defined(@cast(...)): kernel memory, as anywhere */
static bool is_cast(Node *n)
{
	return n->kind == ND_CAST ||
	       ((n->kind == ND_ADDR || n->kind == ND_DEFINED) && n->lhs->kind == ND_CAST);
}

static void resolve_netfilter_target(DerivedProbe *d, Node *n)
{
	if (is_cast(n)) {
		dwarf_lower_cast(n);
		return;
	}
	if (n->kind == ND_DEFINED) {
		Node *t = n->lhs;
		node_become_number(n, t->kind == ND_TARGET && !t->chain && find_var(t->name));
		return;
	}
	if (n->kind == ND_ADDR) {
		error_at(n->loc, "semantic error",
			 "cannot take address of netfilter hook context variable");
		return;
	}
	if (n->kind != ND_TARGET) {
		error_at(n->loc, "semantic error", "%s is not available in netfilter probes "
			 "(only DWARF-based probes have it)", n->kind == ND_ENTRY ? "@entry" : "@var");
		return;
	}
	const NfVar *v = find_var(n->name);
	if (!v) {
		unknown_var(d, n);
		return;
	}
	if (n->chain) {
		error_at(n->chain->loc, "semantic error", "%s is a number, not a pointer to "
			 "follow: @cast(%s, \"TYPE\") has members", v->name, v->name);
		return;
	}
	TargetCode *tc = arena_alloc(sizeof(*tc));
	tc->write_reg = -1;
	if (v->c_expr) {
		tc->c_expr = v->c_expr;
		n->type = TY_LONG;
	} else {
		TargetPiece *p = arena_alloc(sizeof(*p));
		p->kind = TP_BUFFER;
		p->c = v->out ? "stp_nf_devname(c, true)" : "stp_nf_devname(c, false)";
		vec_push(&tc->pieces, p);
		n->type = TY_STRING;
	}
	if (strcmp(v->name, "$verdict") == 0) {
		tc->write_addr = "stp_nf_verdict_addr(c)";
		tc->write_size = 4;
	}
	n->target = tc;
}

static const char *list_netfilter_vars(DerivedProbe *d)
{
	return " $hooknum:long $skb:long $in:long $out:long $indev:long $outdev:long"
	       " $indev_name:string $outdev_name:string $okfn:long $verdict:long";
}

/* ---- the module's table ---- */

static void emit_netfilter(FILE *out, DerivedProbe **probes, int n)
{
	fprintf(out, "static struct stp_netfilter stp_netfilters[] = {\n");
	for (int i = 0; i < n; i++) {
		NfData *nd = probes[i]->data;
		fprintf(out, "\t{ .probe = &stp_probes[%d], .pf = %d, .hooknum = %d, "
			".priority = %d },\n", probes[i]->id, nd->pf, nd->hooknum, nd->priority);
	}
	fprintf(out, "};\n\n");
}

ProbeFamily family_netfilter = {
	.name = "netfilter",
	.first = "netfilter",
	.seconds = nf_seconds,	/* netfilter.ipv4.* and the like are the tapset's */
	.resolve = resolve_netfilter,
	.emit = emit_netfilter,
	.suffixes = nf_suffixes,
	.shapes = nf_shapes,
	.table_name = "stp_netfilters",
	.ops_name = "stp_netfilter_ops",
	.resolve_target = resolve_netfilter_target,
	.list_vars = list_netfilter_vars,
};
