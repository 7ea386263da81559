/*
 * arena.c - memory for everything that lives as long as the translator.
 *
 * Nodes, strings and tables are allocated here and never freed: a
 * translation is short, and no pass needs to track ownership.
 */
#include <stdlib.h>
#include <string.h>
#include "stap.h"

#define CHUNK_SIZE (1 << 20)

/*
 * Each chunk begins with a link to the chunk before it, and the newest is
 * rooted in a static, so that every chunk stays reachable: LeakSanitizer
 * then reports only memory that really is lost.
 */
typedef struct Chunk {
	struct Chunk *prev;
	char pad[8];		/* keeps what follows 16-byte aligned */
} Chunk;

static Chunk *chunks;
static char *chunk;
static size_t chunk_left;

void *arena_alloc(size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (size > chunk_left) {
		size_t n = size > CHUNK_SIZE ? size : CHUNK_SIZE;
		Chunk *c = calloc(1, sizeof(Chunk) + n);
		if (!c)
			fatal("out of memory");
		c->prev = chunks;
		chunks = c;
		chunk = (char *)(c + 1);
		chunk_left = n;
	}
	void *p = chunk;
	chunk += size;
	chunk_left -= size;
	return p;
}

char *arena_strndup(const char *s, size_t n)
{
	char *p = arena_alloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(const char *s)
{
	return arena_strndup(s, strlen(s));
}

char *arena_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = arena_alloc(n + 1);
	va_start(ap, fmt);
	vsnprintf(p, n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* Interned strings: an open-addressing hash table of pointers. */
static const char **intern_table;
static size_t intern_cap;
static size_t intern_count;

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static void intern_grow(void)
{
	size_t cap = intern_cap ? intern_cap * 2 : 4096;
	const char **t = calloc(cap, sizeof(*t));
	if (!t)
		fatal("out of memory");
	for (size_t i = 0; i < intern_cap; i++) {
		const char *s = intern_table[i];
		if (!s)
			continue;
		size_t j = hash_bytes(s, strlen(s)) & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = s;
	}
	free(intern_table);
	intern_table = t;
	intern_cap = cap;
}

const char *intern(const char *s, size_t n)
{
	if (intern_count * 2 >= intern_cap)
		intern_grow();
	size_t i = hash_bytes(s, n) & (intern_cap - 1);
	for (;;) {
		const char *e = intern_table[i];
		if (!e)
			break;
		if (strncmp(e, s, n) == 0 && e[n] == '\0')
			return e;
		i = (i + 1) & (intern_cap - 1);
	}
	const char *p = arena_strndup(s, n);
	intern_table[i] = p;
	intern_count++;
	return p;
}

const char *intern_str(const char *s)
{
	return intern(s, strlen(s));
}

void vec_push(Vec *v, void *item)
{
	if (v->len == v->cap) {
		int cap = v->cap ? v->cap * 2 : 8;
		void **items = arena_alloc(cap * sizeof(*items));
		if (v->len)
			memcpy(items, v->items, v->len * sizeof(*items));
		v->items = items;
		v->cap = cap;
	}
	v->items[v->len++] = item;
}

/* Sorts a Vec of strings by strcmp: a stable order where readdir has none. */
void vec_sort_strings(Vec *v)
{
	for (int i = 1; i < v->len; i++)
		for (int j = i; j > 0 && strcmp(v->items[j - 1], v->items[j]) > 0; j--) {
			void *t = v->items[j];
			v->items[j] = v->items[j - 1];
			v->items[j - 1] = t;
		}
}

static void buf_reserve(Buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap * 2 : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *s = arena_alloc(cap);
	if (b->len)
		memcpy(s, b->s, b->len);
	b->s = s;
	b->cap = cap;
}

void buf_putc(Buf *b, char c)
{
	buf_reserve(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

void buf_puts(Buf *b, const char *s)
{
	size_t n = strlen(s);
	buf_reserve(b, n);
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

void buf_printf(Buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_reserve(b, n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}
