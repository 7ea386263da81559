// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * map.c - script arrays: hash maps of up to nine long or string keys to a
 * long, a string or a statistics value.
 *
 * Every node a map can hold is allocated when the module loads; probes
 * take nodes from a free list and give them back on delete, so a probe
 * never allocates.  A full map fails the insert ("Array overflow"), or,
 * for a wrapping array (global a%), reuses its oldest node.  Live nodes
 * are kept on a list in insertion order: foreach walks it, and sorting
 * rearranges it in place (a list merge sort: no scratch memory).
 *
 * Statistics arrays keep one map per CPU, so that "a[k] <<< v" touches
 * only the local CPU's map (under the array's read lock); reading one
 * merges them into an aggregate map (under its write lock).
 */
#include <linux/kernel.h>
#include <linux/vmalloc.h>
#include <linux/list.h>
#include <linux/list_sort.h>
#include <linux/hash.h>
#include <linux/string.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include "stp.h"

/*
 * A string key is stored cut to strlen - 1 bytes (and its NUL), so only
 * those bytes are hashed and compared: a longer key, such as a long
 * literal, is the same key as what foreach later hands back.
 */
static u64 stp_hash_keys(const struct stp_map *m, const union stp_key *keys)
{
	u64 h = STP_FNV_OFFSET;
	int i;

	for (i = 0; i < m->type->nkeys; i++) {
		if (m->type->key_kind[i] == STP_STRING) {
			const unsigned char *s = (const unsigned char *)keys[i].s;
			u32 n;

			for (n = 0; *s && n < m->type->strlen - 1; n++)
				h = (h ^ *s++) * STP_FNV_PRIME;
			h = (h ^ 0xff) * STP_FNV_PRIME;
		} else {
			h = stp_hash_long(h, keys[i].n);
		}
	}
	return h;
}

static char *stp_node_key(const struct stp_map *m, struct stp_map_node *n, int i)
{
	return n->data + m->key_offset[i];
}

s64 stp_node_key_long(const struct stp_map *m, struct stp_map_node *n, int i)
{
	return *(s64 *)stp_node_key(m, n, i);
}

const char *stp_node_key_str(const struct stp_map *m, struct stp_map_node *n, int i)
{
	return stp_node_key(m, n, i);
}

static bool stp_node_matches(const struct stp_map *m, struct stp_map_node *n,
			     const union stp_key *keys, u32 wild)
{
	int i;

	for (i = 0; i < m->type->nkeys; i++) {
		char *k = stp_node_key(m, n, i);

		if (wild & (1u << i))
			continue;
		if (m->type->key_kind[i] == STP_STRING) {
			if (strncmp(k, keys[i].s, m->type->strlen - 1))
				return false;
		} else if (*(s64 *)k != keys[i].n) {
			return false;
		}
	}
	return true;
}

static struct hlist_head *stp_bucket(struct stp_map *m, u64 h)
{
	return &m->buckets[hash_64(h, m->bucket_bits)];
}

struct stp_map_node *stp_map_find(struct stp_map *m, const union stp_key *keys)
{
	u64 h;
	struct stp_map_node *n;

	if (m->one_long_key)
		return stp_map_find_long(m, keys[0].n);
	h = stp_hash_keys(m, keys);
	hlist_for_each_entry(n, stp_bucket(m, h), hash)
		if (n->hashval == h && stp_node_matches(m, n, keys, 0))
			return n;
	return NULL;
}

static void stp_node_clear_value(struct stp_map *m, struct stp_map_node *n)
{
	memset(stp_node_value(m, n), 0, m->value_size);
	if (m->type->value_kind == STP_STATS)
		stp_stat_init(stp_node_value(m, n), m->type->stat);
}

static void stp_node_release(struct stp_map *m, struct stp_map_node *n)
{
	hlist_del(&n->hash);
	list_move(&n->order, &m->free);
	m->count--;
}

/* The node for keys, inserted (with a zero value) when missing; NULL when full. */
struct stp_map_node *stp_map_insert(struct stp_map *m, const union stp_key *keys)
{
	struct stp_map_node *n = stp_map_find(m, keys);
	u64 h;
	int i;

	if (n)
		return n;
	if (list_empty(&m->free)) {
		if (!m->type->wrap || list_empty(&m->order))
			return NULL;
		stp_node_release(m, list_first_entry(&m->order, struct stp_map_node, order));
	}
	n = list_first_entry(&m->free, struct stp_map_node, order);
	h = stp_hash_keys(m, keys);
	n->hashval = h;
	for (i = 0; i < m->type->nkeys; i++) {
		char *k = stp_node_key(m, n, i);

		if (m->type->key_kind[i] == STP_STRING)
			stp_strlcpy(k, keys[i].s, m->type->strlen);
		else
			*(s64 *)k = keys[i].n;
	}
	stp_node_clear_value(m, n);
	hlist_add_head(&n->hash, stp_bucket(m, h));
	list_move_tail(&n->order, &m->order);
	m->count++;
	return n;
}

const char *stp_map_get_str(struct stp_map *m, const union stp_key *keys)
{
	struct stp_map_node *n = stp_map_find(m, keys);

	return n ? (const char *)stp_node_value(m, n) : "";
}

char *stp_map_ref_str(struct stp_map *m, const union stp_key *keys)
{
	struct stp_map_node *n = stp_map_insert(m, keys);

	return n ? stp_node_value(m, n) : NULL;
}

bool stp_map_exists(struct stp_map *m, const union stp_key *keys, u32 wild)
{
	struct stp_map_node *n;

	if (!wild)
		return stp_map_find(m, keys) != NULL;
	list_for_each_entry(n, &m->order, order)
		if (stp_node_matches(m, n, keys, wild))
			return true;
	return false;
}

void stp_map_delete(struct stp_map *m, const union stp_key *keys, u32 wild)
{
	struct stp_map_node *n, *tmp;

	if (!wild) {
		n = stp_map_find(m, keys);
		if (n)
			stp_node_release(m, n);
		return;
	}
	list_for_each_entry_safe(n, tmp, &m->order, order)
		if (stp_node_matches(m, n, keys, wild))
			stp_node_release(m, n);
}

void stp_map_clear(struct stp_map *m)
{
	struct stp_map_node *n, *tmp;

	list_for_each_entry_safe(n, tmp, &m->order, order)
		stp_node_release(m, n);
}

/* ---- iteration ---- */

struct stp_map_node *stp_map_first(struct stp_map *m)
{
	return list_first_entry_or_null(&m->order, struct stp_map_node, order);
}

struct stp_map_node *stp_map_next(struct stp_map *m, struct stp_map_node *n)
{
	if (list_is_last(&n->order, &m->order))
		return NULL;
	return list_next_entry(n, order);
}

bool stp_node_in_slice(struct stp_map *m, struct stp_map_node *n,
		       const union stp_key *keys, u32 wild)
{
	return stp_node_matches(m, n, keys, wild);
}

struct stp_sort_spec {
	struct stp_map *map;
	int key;		/* 0: the value, N: key N */
	int dir;		/* 1 ascending, -1 descending */
	int stat_op;		/* statistics values: what to sort by */
};

static s64 stp_sort_long(const struct stp_sort_spec *sp, struct stp_map_node *n)
{
	struct stp_map *m = sp->map;

	if (sp->key)
		return stp_node_key_long(m, n, sp->key - 1);
	if (m->type->value_kind == STP_STATS)
		return stp_stat_extract(stp_node_value(m, n), m->type->stat, sp->stat_op);
	return *(s64 *)stp_node_value(m, n);
}

static const char *stp_sort_str(const struct stp_sort_spec *sp, struct stp_map_node *n)
{
	if (sp->key)
		return stp_node_key_str(sp->map, n, sp->key - 1);
	return stp_node_value(sp->map, n);
}

static int stp_sort_cmp(void *priv, const struct list_head *a, const struct list_head *b)
{
	const struct stp_sort_spec *sp = priv;
	const struct stp_map_type *t = sp->map->type;
	struct stp_map_node *x = list_entry(a, struct stp_map_node, order);
	struct stp_map_node *y = list_entry(b, struct stp_map_node, order);
	bool is_str = sp->key ? t->key_kind[sp->key - 1] == STP_STRING :
				t->value_kind == STP_STRING;
	int c;

	if (is_str) {
		c = strcmp(stp_sort_str(sp, x), stp_sort_str(sp, y));
	} else {
		s64 u = stp_sort_long(sp, x), v = stp_sort_long(sp, y);

		c = u < v ? -1 : u > v;
	}
	return c * sp->dir;
}

/* Reorders the map by a key or the value: a stable merge sort, no allocation. */
void stp_map_sort(struct stp_map *m, int key, int dir, int stat_op)
{
	struct stp_sort_spec sp = { m, key, dir, stat_op };

	list_sort(&sp, &m->order, stp_sort_cmp);
}

/* ---- creation ---- */

struct stp_map *stp_map_new(const struct stp_map_type *type)
{
	struct stp_map *m;
	u32 off = 0, i, node_size;

	m = vzalloc(sizeof(*m));
	if (!m)
		return NULL;
	m->type = type;
	for (i = 0; i < type->nkeys; i++) {
		m->key_offset[i] = off;
		off += type->key_kind[i] == STP_STRING ? ALIGN(type->strlen, 8) : 8;
	}
	m->value_offset = off;
	m->one_long_key = type->nkeys == 1 && type->key_kind[0] == STP_LONG;
	switch (type->value_kind) {
	case STP_STRING:
		m->value_size = ALIGN(type->strlen, 8);
		break;
	case STP_STATS:
		m->value_size = ALIGN(stp_stat_size(type->stat), 8);
		break;
	default:
		m->value_size = 8;
		break;
	}
	node_size = ALIGN(sizeof(struct stp_map_node) + off + m->value_size, 8);
	m->bucket_bits = ilog2(roundup_pow_of_two(max_t(u32, type->max_entries, 2)));
	m->buckets = vzalloc(sizeof(struct hlist_head) << m->bucket_bits);
	m->pool = vzalloc((size_t)node_size * type->max_entries);
	if (!m->buckets || !m->pool) {
		stp_map_free(m);
		return NULL;
	}
	INIT_LIST_HEAD(&m->order);
	INIT_LIST_HEAD(&m->free);
	for (i = 0; i < type->max_entries; i++) {
		struct stp_map_node *n = m->pool + (size_t)i * node_size;

		list_add_tail(&n->order, &m->free);
	}
	return m;
}

void stp_map_free(struct stp_map *m)
{
	if (!m)
		return;
	vfree(m->pool);
	vfree(m->buckets);
	vfree(m);
}

/* ---- statistics arrays: one map per CPU ---- */

struct stp_pmap *stp_pmap_new(const struct stp_map_type *type)
{
	struct stp_pmap *p;
	int cpu;

	p = vzalloc(sizeof(*p) + nr_cpu_ids * sizeof(p->cpu[0]));
	if (!p)
		return NULL;
	p->agg = stp_map_new(type);
	p->one = vzalloc(stp_stat_size(type->stat));
	if (!p->agg || !p->one)
		goto nomem;
	for_each_possible_cpu(cpu) {
		p->cpu[cpu] = stp_map_new(type);
		if (!p->cpu[cpu])
			goto nomem;
	}
	return p;
nomem:
	stp_pmap_free(p);
	return NULL;
}

void stp_pmap_free(struct stp_pmap *p)
{
	int cpu;

	if (!p)
		return;
	for_each_possible_cpu(cpu)
		stp_map_free(p->cpu[cpu]);
	stp_map_free(p->agg);
	vfree(p->one);
	vfree(p);
}

/* a[k] <<< v: the local CPU's map only */
int stp_pmap_add(struct stp_pmap *p, const union stp_key *keys, s64 v)
{
	struct stp_map *m = p->cpu[smp_processor_id()];
	struct stp_map_node *n = stp_map_insert(m, keys);

	if (!n)
		return -ENOSPC;
	stp_stat_add(stp_node_value(m, n), m->type->stat, v);
	return 0;
}

/* Merges every CPU's map into the aggregate map, and returns it. */
struct stp_map *stp_pmap_agg(struct stp_pmap *p)
{
	union stp_key keys[STP_MAX_KEYS];
	struct stp_map *agg = p->agg;
	int cpu, i;

	stp_map_clear(agg);
	for_each_possible_cpu(cpu) {
		struct stp_map *m = p->cpu[cpu];
		struct stp_map_node *n;

		list_for_each_entry(n, &m->order, order) {
			struct stp_map_node *a;

			for (i = 0; i < m->type->nkeys; i++) {
				if (m->type->key_kind[i] == STP_STRING)
					keys[i].s = stp_node_key_str(m, n, i);
				else
					keys[i].n = stp_node_key_long(m, n, i);
			}
			a = stp_map_insert(agg, keys);
			if (a)
				stp_stat_merge(stp_node_value(agg, a), stp_node_value(m, n),
					       m->type->stat);
		}
	}
	return agg;
}

/* One element's statistics merged over the CPUs (count 0 when absent). */
const struct stp_stat *stp_pmap_get(struct stp_pmap *p, const union stp_key *keys)
{
	const struct stp_stat_type *t = p->agg->type->stat;
	int cpu;

	stp_stat_init(p->one, t);
	for_each_possible_cpu(cpu) {
		struct stp_map *m = p->cpu[cpu];
		struct stp_map_node *n = stp_map_find(m, keys);

		if (n)
			stp_stat_merge(p->one, stp_node_value(m, n), t);
	}
	return p->one;
}

bool stp_pmap_exists(struct stp_pmap *p, const union stp_key *keys, u32 wild)
{
	int cpu;

	for_each_possible_cpu(cpu)
		if (stp_map_exists(p->cpu[cpu], keys, wild))
			return true;
	return false;
}

void stp_pmap_delete(struct stp_pmap *p, const union stp_key *keys, u32 wild)
{
	int cpu;

	for_each_possible_cpu(cpu)
		stp_map_delete(p->cpu[cpu], keys, wild);
}

void stp_pmap_clear(struct stp_pmap *p)
{
	int cpu;

	for_each_possible_cpu(cpu)
		stp_map_clear(p->cpu[cpu]);
	stp_map_clear(p->agg);
}
