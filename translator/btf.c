/*
 * btf.c - the kernel's BTF: found, extracted, cached, and read as DwType.
 *
 * Where it comes from, for release R:
 *   - /sys/kernel/btf/vmlinux when R is the running kernel;
 *   - else the .BTF section of the vmlinux inside R's bzImage
 *     ($STAP_VM_DIR/R/vmlinuz, which vm/install-kernel puts there, or
 *     /boot/vmlinuz-R).  The image's payload is decompressed in memory
 *     (lz4 and zstd: what Debian's 6.1 and 6.12 kernels use), the section
 *     is cut out and kept in the cache as btf-R-KEY.btf (KEY: the image's
 *     size and modification time), about 4 MB; the next run reads only
 *     that, through cache.c's ownership checks.
 *
 * A module's BTF is the .BTF section of its .ko (xz- or zstd-compressed
 * too), split on the kernel's: its types refer to the kernel's by id.
 *
 * Types: btf_dw_type gives the DwType of a BTF type, spelled as the DWARF
 * layer spells its own ("struct task_struct*", "char const*", "long
 * unsigned int"), with struct members loaded when first asked for
 * (DwType.load_members); BTF gives the members' bit offsets, so '->'
 * reads the same memory the DWARF route would.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <lz4.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zstd.h>
#include "btf.h"

#define RUNNING_BTF "/sys/kernel/btf/vmlinux"
#define LZ4_LEGACY_MAGIC 0x184c2102u

/* ---- the bzImage's payload, decompressed ---- */

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* lz4's legacy frame (what the kernel's lz4 compression writes): blocks of 8 MB. */
static bool unlz4(const unsigned char *in, size_t len, char *out, size_t cap, size_t *got)
{
	size_t pos = 4, done = 0;
	while (pos + 4 <= len) {
		uint32_t n = le32(in + pos);
		pos += 4;
		if (n == LZ4_LEGACY_MAGIC)
			continue;	/* another frame follows */
		if (n == 0 || n > len - pos)
			break;		/* the size appended after the data */
		int k = LZ4_decompress_safe((const char *)in + pos, out + done, (int)n,
					    (int)(cap - done));
		if (k < 0)
			return false;
		done += k;
		pos += n;
	}
	*got = done;
	return done > 0;
}

/*
 * The vmlinux ELF in a bzImage (in the arena): its setup header says
 * where the compressed payload is, and the payload's last 4 bytes say
 * how long it is uncompressed.
 */
static char *unpack_bzimage(const unsigned char *img, size_t len, size_t *out_len,
			    const char **why)
{
	if (len < 0x260 || memcmp(img + 0x202, "HdrS", 4) != 0) {
		*why = "not a bzImage";
		return NULL;
	}
	size_t setup = ((img[0x1f1] ? img[0x1f1] : 4) + 1) * 512;
	size_t off = setup + le32(img + 0x248), plen = le32(img + 0x24c);
	if (plen < 8 || off > len || plen > len - off) {
		*why = "its payload is outside the file";
		return NULL;
	}
	const unsigned char *p = img + off;
	size_t cap = le32(p + plen - 4);
	char *out = arena_alloc(cap);
	size_t got = 0;
	bool ok;
	if (le32(p) == LZ4_LEGACY_MAGIC) {
		ok = unlz4(p, plen, out, cap, &got);
	} else if (le32(p) == 0xfd2fb528u) {
		got = ZSTD_decompress(out, cap, p, plen - 4);
		ok = !ZSTD_isError(got);
	} else {
		*why = arena_printf("its payload is compressed in a way stap does not read "
				    "(magic %02x %02x %02x %02x; it reads lz4 and zstd)",
				    p[0], p[1], p[2], p[3]);
		return NULL;
	}
	if (!ok) {
		*why = "its payload does not decompress";
		return NULL;
	}
	*out_len = got;
	return out;
}

/* The .BTF section of an ELF image in memory (a kernel's or a module's): a pointer into it. */
static const void *btf_section(char *elf_image, size_t len, size_t *btf_len, const char **why)
{
	elf_version(EV_CURRENT);
	Elf *elf = elf_memory(elf_image, len);
	size_t shstrndx;
	const void *found = NULL;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0) {
		*why = "the decompressed kernel is not an ELF file";
		goto out;
	}
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn)) != NULL;) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, ".BTF") != 0)
			continue;
		if (sh.sh_type == SHT_NOBITS || sh.sh_offset + sh.sh_size > len)
			break;
		found = elf_image + sh.sh_offset;
		*btf_len = sh.sh_size;
		break;
	}
	if (!found)
		*why = "the kernel has no .BTF section (built without CONFIG_DEBUG_INFO_BTF)";
out:
	if (elf)
		elf_end(elf);
	return found;
}

/* A whole file into the arena, or NULL. */
static unsigned char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return NULL;
	unsigned char *data = NULL;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		data = arena_alloc(st.st_size);
		size_t got = 0;
		ssize_t n = 1;
		while (got < (size_t)st.st_size && (n = read(fd, data + got, st.st_size - got)) > 0)
			got += n;
		*len = got;
		if (got != (size_t)st.st_size)
			data = NULL;
	}
	close(fd);
	return data;
}

/* ---- the cache ---- */

static void cache_save(const char *path, const void *data, size_t len)
{
	char *tmp = arena_printf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return;
	bool ok = fchmod(fd, 0644) == 0 && write(fd, data, len) == (ssize_t)len;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0)
		unlink(tmp);
}

/* The release's bzImage: the VM's copy, else /boot's. */
static const char *image_of(const char *release, struct stat *st)
{
	const char *dir = getenv("STAP_VM_DIR");
	const char *paths[] = {
		arena_printf("%s/%s/vmlinuz", dir && *dir ? dir : STAP_VM_DIR, release),
		arena_printf("/boot/vmlinuz-%s", release),
	};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (stat(paths[i], st) == 0 && S_ISREG(st->st_mode))
			return paths[i];
	return NULL;
}

static struct btf *from_image(const char *release, const char **why)
{
	struct stat st;
	const char *image = image_of(release, &st);
	if (!image) {
		const char *dir = getenv("STAP_VM_DIR");
		*why = arena_printf("no kernel image to read its BTF from (%s/%s/vmlinuz, "
				    "/boot/vmlinuz-%s)", dir && *dir ? dir : STAP_VM_DIR,
				    release, release);
		return NULL;
	}
	const char *root = stap_cache_root();
	const char *cached = root ? arena_printf("%s/btf-%s-%llx-%llx.btf", root, release,
						 (unsigned long long)st.st_size,
						 (unsigned long long)st.st_mtime) : NULL;
	size_t len = 0;
	const char *bad = NULL;
	void *data = cached && cache_readable() ? cache_read(cached, &len, &bad) : NULL;
	if (bad)
		fatal("the cached BTF %s cannot be trusted: %s", cached, bad);
	struct btf *b = data ? btf__new(data, len) : NULL;
	if (b)
		return b;	/* else torn or altered: extracted again */
	size_t img_len = 0, elf_len = 0, btf_len = 0;
	unsigned char *img = slurp(image, &img_len);
	char *elf = img ? unpack_bzimage(img, img_len, &elf_len, why) : NULL;
	if (!img)
		*why = arena_printf("cannot read %s", image);
	const void *btf = elf ? btf_section(elf, elf_len, &btf_len, why) : NULL;
	if (!btf) {
		*why = arena_printf("no BTF for kernel %s in %s: %s", release, image, *why);
		return NULL;
	}
	b = btf__new(btf, btf_len);
	if (b && cached)
		cache_save(cached, btf, btf_len);
	return b;
}

struct btf *btf_kernel(const char *release, const char **why)
{
	static struct btf *kernel;
	static const char *kernel_why;
	static bool tried;
	if (tried) {
		*why = kernel_why;
		return kernel;
	}
	tried = true;
	struct utsname u;
	if (uname(&u) == 0 && strcmp(u.release, release) == 0 && access(RUNNING_BTF, R_OK) == 0)
		kernel = btf__parse_raw(RUNNING_BTF);
	else
		kernel = from_image(release, &kernel_why);
	if (!kernel && !kernel_why)
		kernel_why = arena_printf("the BTF of kernel %s does not parse: %s", release,
					  strerror(errno));
	*why = kernel_why;
	return kernel;
}

/* ---- a module's BTF, split on the kernel's ---- */

/* An xz file's contents (Debian 6.12's modules are .ko.xz), in the arena. */
static char *unxz(const unsigned char *in, size_t len, size_t *out_len)
{
	lzma_stream z = LZMA_STREAM_INIT;
	if (lzma_stream_decoder(&z, UINT64_MAX, 0) != LZMA_OK)
		return NULL;
	size_t cap = len * 4 + 4096;
	char *out = malloc(cap);
	lzma_ret r = LZMA_OK;
	z.next_in = in;
	z.avail_in = len;
	while (out && r == LZMA_OK) {
		if (z.total_out == cap) {
			cap *= 2;
			out = realloc(out, cap);
			if (!out)
				break;
		}
		z.next_out = (uint8_t *)out + z.total_out;
		z.avail_out = cap - z.total_out;
		r = lzma_code(&z, LZMA_FINISH);
	}
	char *copy = NULL;
	if (out && r == LZMA_STREAM_END) {
		*out_len = z.total_out;
		copy = arena_alloc(z.total_out);
		memcpy(copy, out, z.total_out);
	}
	free(out);
	lzma_end(&z);
	return copy;
}

/* A zstd frame that records its size, in the arena. */
static char *unzstd(const unsigned char *in, size_t len, size_t *out_len)
{
	unsigned long long n = ZSTD_getFrameContentSize(in, len);
	if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR || n > (1ull << 32))
		return NULL;
	char *out = arena_alloc(n ? n : 1);
	size_t got = ZSTD_decompress(out, n, in, len);
	if (ZSTD_isError(got))
		return NULL;
	*out_len = got;
	return out;
}

/* A module file's ELF image, decompressed if its name says so. */
static char *module_image(const char *path, size_t *len, const char **why)
{
	size_t n = 0;
	unsigned char *data = slurp(path, &n);
	if (!data) {
		*why = arena_printf("cannot read %s", path);
		return NULL;
	}
	const char *ko = strstr(path, ".ko");
	char *elf = (char *)data;
	*len = n;
	if (ko && strcmp(ko, ".ko.xz") == 0)
		elf = unxz(data, n, len);
	else if (ko && strcmp(ko, ".ko.zst") == 0)
		elf = unzstd(data, n, len);
	else if (ko && strcmp(ko, ".ko") != 0)
		elf = NULL;
	if (!elf)
		*why = arena_printf("cannot decompress %s", path);
	return elf;
}

/*
 * Split BTF from memory: Debian's libbpf 1.1 declares btf__new_split but
 * does not export it, so the bytes go through a memory file to
 * btf__parse_raw_split.
 */
static struct btf *parse_split(const void *data, size_t len, struct btf *base)
{
	int fd = memfd_create("stap-btf", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct btf *b = NULL;
	if (write(fd, data, len) == (ssize_t)len)
		b = btf__parse_raw_split(arena_printf("/proc/self/fd/%d", fd), base);
	close(fd);
	return b;
}

typedef struct ModuleBtf {
	const char *name;
	struct btf *btf;
	const char *why;
} ModuleBtf;
static Vec module_btfs;

static struct btf *read_module_btf(const char *release, const char *name_or_path,
				   const char **why)
{
	struct btf *kernel = btf_kernel(release, why);
	if (!kernel)
		return NULL;
	const char *path = strchr(name_or_path, '/') || strstr(name_or_path, ".ko") ?
			   name_or_path : dw_module_file(release, name_or_path);
	if (!path) {
		*why = arena_printf("no module %s for kernel %s in /lib/modules/%s", name_or_path,
				    release, release);
		return NULL;
	}
	size_t len = 0, btf_len = 0;
	char *elf = module_image(path, &len, why);
	const void *btf = elf ? btf_section(elf, len, &btf_len, why) : NULL;
	if (!btf) {
		*why = arena_printf("no BTF in %s: %s", path, *why);
		return NULL;
	}
	struct btf *b = parse_split(btf, btf_len, kernel);
	if (!b)
		*why = arena_printf("the BTF of %s does not parse on the kernel's", path);
	return b;
}

struct btf *btf_module(const char *release, const char *name_or_path, const char **why)
{
	for (int i = 0; i < module_btfs.len; i++) {
		ModuleBtf *m = module_btfs.items[i];
		if (strcmp(m->name, name_or_path) == 0) {
			*why = m->why;
			return m->btf;
		}
	}
	ModuleBtf *m = arena_alloc(sizeof(*m));
	m->name = name_or_path;
	m->btf = read_module_btf(release, name_or_path, &m->why);
	vec_push(&module_btfs, m);
	*why = m->why;
	return m->btf;
}

/* ---- types ---- */

static DwType void_type = {.kind = DT_VOID, .name = "void"};
static DwMember no_members[1];

/* The DwTypes made of one BTF's types, by id: the kernel's, or a module's own. */
typedef struct TypeCache {
	struct btf *btf;
	DwType **types;
} TypeCache;
static Vec caches;

static DwType **types_of(struct btf *b)
{
	for (int i = 0; i < caches.len; i++)
		if (((TypeCache *)caches.items[i])->btf == b)
			return ((TypeCache *)caches.items[i])->types;
	TypeCache *c = arena_alloc(sizeof(*c));
	c->btf = b;
	c->types = arena_alloc(sizeof(*c->types) * btf__type_cnt(b));
	vec_push(&caches, c);
	return c->types;
}

static void fill_type(struct btf *b, uint32_t id, const struct btf_type *bt, DwType *t);

/* A module's BTF refers to the kernel's types by their ids: those are the kernel's DwTypes. */
DwType *btf_dw_type(struct btf *b, uint32_t id)
{
	const struct btf *base = btf__base_btf(b);
	if (base && id < btf__type_cnt(base))
		return btf_dw_type((struct btf *)base, id);
	if (id == 0 || id >= btf__type_cnt(b))
		return &void_type;
	DwType **types = types_of(b);
	if (!types[id]) {
		/* cached before it is filled: a struct reaches itself through pointers */
		types[id] = arena_alloc(sizeof(DwType));
		fill_type(b, id, btf__type_by_id(b, id), types[id]);
	}
	return types[id];
}

static const char *name_of(struct btf *b, const struct btf_type *t)
{
	const char *n = btf__name_by_offset(b, t->name_off);
	return n && *n ? n : NULL;
}

/* "int (long, char*)", or with stars "int (*)(long, char*)" for a pointer to it */
static const char *function_name(struct btf *b, const struct btf_type *t, const char *stars)
{
	Buf s = {0};
	buf_printf(&s, "%s (", btf_dw_type(b, t->type)->name);
	if (*stars)
		buf_printf(&s, "%s)(", stars);
	const struct btf_param *p = btf_params(t);
	int n = btf_vlen(t);
	for (int i = 0; i < n; i++)
		buf_printf(&s, "%s%s", i ? ", " : "",
			   p[i].type ? btf_dw_type(b, p[i].type)->name : "...");
	if (!n)
		buf_puts(&s, "void");
	buf_putc(&s, ')');
	return s.s;
}

/*
 * Members: bit offsets from BTF; a bitfield as the DWARF layer has it,
 * a storage unit of its type's size and the bits from its low end.
 */
static void load_members(DwType *t)
{
	struct btf *b = t->source;
	const struct btf_type *bt = btf__type_by_id(b, t->source_id);
	int n = btf_vlen(bt);
	if (!n) {
		t->members = no_members;
		return;
	}
	DwMember *m = arena_alloc(sizeof(*m) * n);
	const struct btf_member *bm = btf_members(bt);
	for (int i = 0; i < n; i++) {
		uint32_t bits = btf_member_bit_offset(bt, i);
		int width = btf_member_bitfield_size(bt, i);
		m[i].name = btf__name_by_offset(b, bm[i].name_off);
		if (m[i].name && !*m[i].name)
			m[i].name = NULL;
		m[i].type = btf_dw_type(b, bm[i].type);
		int64_t unit = m[i].type->size > 0 ? m[i].type->size : 1;
		if (width || bits % 8) {
			m[i].offset = bits / (unit * 8) * unit;
			m[i].bit_offset = (int)(bits - m[i].offset * 8);
			m[i].bit_size = width;
		} else {
			m[i].offset = bits / 8;
		}
	}
	t->members = m;
	t->nmembers = n;
}

static void fill_aggregate(struct btf *b, uint32_t id, const struct btf_type *bt, DwType *t)
{
	bool is_union = btf_is_union(bt) || (btf_is_fwd(bt) && btf_kflag(bt));
	const char *word = is_union ? "union" : "struct";
	const char *name = name_of(b, bt);
	t->kind = is_union ? DT_UNION : DT_STRUCT;
	t->name = name ? arena_printf("%s %s", word, name) : arena_printf("%s {...}", word);
	if (btf_is_fwd(bt)) {
		/* a declaration: the definition, if the kernel has one */
		int def = name ? btf__find_by_name_kind(b, name, is_union ? BTF_KIND_UNION :
							 BTF_KIND_STRUCT) : -1;
		if (def > 0) {
			*t = *btf_dw_type(b, def);
			return;
		}
		t->incomplete = true;
		t->members = no_members;
		return;
	}
	t->size = bt->size;
	t->load_members = load_members;
	t->source = b;
	t->source_id = id;
}

/*
 * int a[2][3] is an array of 2 arrays of 3 ints, named "int[2][3]" and
 * "int[3]"; a flexible array member (BTF: 0 elements) is "int[]", as in DWARF.
 */
static void fill_array(struct btf *b, const struct btf_type *bt, DwType *t)
{
	const struct btf_array *a = btf_array(bt);
	DwType *elem = btf_dw_type(b, a->type);
	DwType *base = elem;
	while (base->kind == DT_ARRAY && base->target)
		base = base->target;
	const char *dims = elem->kind == DT_ARRAY ? elem->name + strlen(base->name) : "";
	t->kind = DT_ARRAY;
	t->target = elem;
	t->nelems = a->nelems ? (int64_t)a->nelems : -1;	/* 0: a flexible array, unknown */
	t->size = (int64_t)a->nelems * elem->size;
	t->name = a->nelems ? arena_printf("%s[%u]%s", base->name, a->nelems, dims) :
		  arena_printf("%s[]%s", base->name, dims);
}

/* A typedef or qualifier: the named type under another spelling. */
static void fill_alias(struct btf *b, const struct btf_type *bt, DwType *t, const char *name)
{
	*t = *btf_dw_type(b, bt->type);
	t->name = name;
}

static void fill_type(struct btf *b, uint32_t id, const struct btf_type *bt, DwType *t)
{
	const char *name = name_of(b, bt);
	switch (btf_kind(bt)) {
	case BTF_KIND_INT: {
		uint8_t enc = btf_int_encoding(bt);
		t->kind = DT_INT;
		t->name = name ? name : "int";
		t->size = bt->size;
		t->is_signed = enc & BTF_INT_SIGNED;
		t->is_char = bt->size == 1 && strstr(t->name, "char") != NULL;
		break;
	}
	case BTF_KIND_FLOAT:
		t->kind = DT_FLOAT;
		t->name = name ? name : "float";
		t->size = bt->size;
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		t->kind = DT_INT;
		t->is_enum = true;
		t->size = bt->size;
		t->is_signed = btf_kflag(bt);
		t->name = name ? arena_printf("enum %s", name) : "enum {...}";
		break;
	case BTF_KIND_PTR: {
		const struct btf_type *target = btf__type_by_id(b, bt->type);
		t->kind = DT_POINTER;
		t->size = 8;
		t->target = btf_dw_type(b, bt->type);
		t->name = bt->type && btf_is_func_proto(target) ? function_name(b, target, "*") :
			  arena_printf("%s*", t->target->name);
		break;
	}
	case BTF_KIND_ARRAY:
		fill_array(b, bt, t);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_FWD:
		fill_aggregate(b, id, bt, t);
		break;
	case BTF_KIND_FUNC_PROTO:
		t->kind = DT_FUNC;
		t->name = function_name(b, bt, "");
		break;
	case BTF_KIND_TYPEDEF:
		fill_alias(b, bt, t, name ? name : "?");
		break;
	case BTF_KIND_CONST:
		fill_alias(b, bt, t, arena_printf("%s const", btf_dw_type(b, bt->type)->name));
		break;
	case BTF_KIND_VOLATILE:
		fill_alias(b, bt, t, arena_printf("%s volatile", btf_dw_type(b, bt->type)->name));
		break;
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		fill_alias(b, bt, t, btf_dw_type(b, bt->type)->name);
		break;
	default:		/* FUNC, VAR, DATASEC, DECL_TAG: not value types */
		*t = void_type;
		break;
	}
}

/* ---- types by name, for @cast ---- */

/* A named type of kind (BTF_KIND_*) without qualifiers, or 0. */
static int find_kind(struct btf *b, const char *name, int kind)
{
	int id = btf__find_by_name_kind(b, name, kind);
	return id > 0 ? id : 0;
}

/*
 * "struct task_struct", "task_struct" (a struct, union, typedef, enum or
 * base type of that name, in that order), "union u", "enum e",
 * "struct file *": NULL if the kernel has none.
 */
DwType *btf_find_type(struct btf *b, const char *name)
{
	char *s = arena_strdup(name);
	int stars = 0;
	for (char *e = s + strlen(s); e > s && (e[-1] == '*' || e[-1] == ' '); *--e = 0)
		stars += e[-1] == '*';
	while (*s == ' ')
		s++;
	static const struct { const char *word; int kind; } words[] = {
		{ "struct ", BTF_KIND_STRUCT }, { "union ", BTF_KIND_UNION }, { "enum ", BTF_KIND_ENUM },
	};
	int id = 0;
	for (size_t i = 0; i < ARRAY_SIZE(words) && !id; i++)
		if (strncmp(s, words[i].word, strlen(words[i].word)) == 0)
			id = find_kind(b, s + strlen(words[i].word), words[i].kind) ?: -1;
	static const int kinds[] = {
		BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_TYPEDEF, BTF_KIND_ENUM, BTF_KIND_INT,
	};
	for (size_t i = 0; i < ARRAY_SIZE(kinds) && !id; i++)
		id = find_kind(b, s, kinds[i]);
	if (id <= 0)
		return NULL;
	DwType *t = btf_dw_type(b, id);
	while (stars--)
		t = dw_pointer_to(t);
	return t;
}
