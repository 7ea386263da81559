/*
 * ldd.c - what a dynamically linked program needs to run: its loader
 * (PT_INTERP) and its shared libraries (DT_NEEDED, and theirs, and so
 * on), found where the loader looks for them.  stap --vm copies them into
 * the guest with the program (run.c), which has none of the host's.
 *
 * The search is glibc's (ld.so(8)) without what the guest would not have:
 * for each name without a '/', the DT_RPATH of the object and of the
 * program (unless the object has a DT_RUNPATH), the object's DT_RUNPATH,
 * the directories of /etc/ld.so.conf (what ldconfig puts in its cache)
 * and the system directories, each with $ORIGIN expanded; only a file
 * of the program's class and machine counts.  LD_LIBRARY_PATH is left
 * out: the program runs in the guest, without this shell's environment.
 * The paths are the ones the loader opens, links and all: stap-vm makes
 * the same links in the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "stap.h"

/* Where glibc looks last (ld.so --help: "system search path") */
static const char *const system_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib", NULL,
};

#define LD_SO_CONF "/etc/ld.so.conf"
#define MAX_CONF_DEPTH 8	/* include levels in ld.so.conf */

/* One object's dynamic section and program header, as far as loading goes. */
typedef struct ElfDeps {
	bool is_elf;
	int elf_class, machine;
	const char *interp;	/* PT_INTERP, or NULL */
	Vec needed;		/* DT_NEEDED names */
	const char *rpath;	/* DT_RPATH, DT_RUNPATH: colon-separated, or NULL */
	const char *runpath;
	bool nodeflib;		/* DF_1_NODEFLIB: not the default directories */
} ElfDeps;

static const char *interp_of(Elf *e)
{
	size_t n;
	if (elf_getphdrnum(e, &n) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		size_t size;
		const char *raw = elf_rawfile(e, &size);
		if (!raw || ph.p_offset >= size || ph.p_filesz > size - ph.p_offset)
			return NULL;
		return arena_strndup(raw + ph.p_offset, strnlen(raw + ph.p_offset, ph.p_filesz));
	}
	return NULL;
}

static void read_dynamic(Elf *e, Elf_Scn *scn, GElf_Shdr *sh, ElfDeps *d)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	for (size_t i = 0; data && sh->sh_entsize && i < sh->sh_size / sh->sh_entsize; i++) {
		GElf_Dyn dyn;
		if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
			break;
		const char *str = NULL;
		if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_RPATH || dyn.d_tag == DT_RUNPATH)
			str = elf_strptr(e, sh->sh_link, dyn.d_un.d_val);
		if (dyn.d_tag == DT_NEEDED && str)
			vec_push(&d->needed, arena_strdup(str));
		else if (dyn.d_tag == DT_RPATH && str)
			d->rpath = arena_strdup(str);
		else if (dyn.d_tag == DT_RUNPATH && str)
			d->runpath = arena_strdup(str);
		else if (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_NODEFLIB))
			d->nodeflib = true;
	}
}

static ElfDeps read_deps(const char *path)
{
	ElfDeps d = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return d;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	if (e && elf_kind(e) == ELF_K_ELF && gelf_getehdr(e, &eh)) {
		d.is_elf = true;
		d.elf_class = gelf_getclass(e);
		d.machine = eh.e_machine;
		d.interp = interp_of(e);
		for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
			GElf_Shdr sh;
			if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_DYNAMIC)
				read_dynamic(e, scn, &sh, &d);
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return d;
}

/* ---- the directories searched ---- */

static void add_dir(Vec *dirs, const char *dir)
{
	for (int i = 0; i < dirs->len; i++)
		if (strcmp(dirs->items[i], dir) == 0)
			return;
	vec_push(dirs, (void *)dir);
}

static void read_conf(Vec *dirs, const char *path, int depth);

/* "include PATTERN" of ld.so.conf: relative patterns are from its directory */
static void include_conf(Vec *dirs, const char *pattern, const char *conf, int depth)
{
	if (pattern[0] != '/') {
		const char *slash = strrchr(conf, '/');
		pattern = arena_printf("%.*s/%s", (int)(slash - conf), conf, pattern);
	}
	glob_t g;
	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		read_conf(dirs, g.gl_pathv[i], depth + 1);
	globfree(&g);
}

static void read_conf(Vec *dirs, const char *path, int depth)
{
	FILE *f = depth <= MAX_CONF_DEPTH ? fopen(path, "re") : NULL;
	if (!f)
		return;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "#\n")] = '\0';
		char *word = line + strspn(line, " \t");
		word[strcspn(word, " \t")] = '\0';
		if (strcmp(word, "include") == 0) {
			char *pattern = word + strlen(word) + 1;
			pattern += strspn(pattern, " \t");
			pattern[strcspn(pattern, " \t")] = '\0';
			include_conf(dirs, arena_strdup(pattern), path, depth);
		} else if (word[0] == '/') {
			add_dir(dirs, arena_strdup(word));
		}
	}
	fclose(f);
}

/* The directories ldconfig caches, then the system's. */
static Vec default_dirs(void)
{
	static Vec dirs;
	static bool done;
	if (!done) {
		done = true;
		read_conf(&dirs, LD_SO_CONF, 0);
		for (int i = 0; system_dirs[i]; i++)
			add_dir(&dirs, system_dirs[i]);
	}
	return dirs;
}

/* A DT_RPATH/DT_RUNPATH list's directories, $ORIGIN being origin's directory. */
static void add_path_list(Vec *dirs, const char *list, const char *origin)
{
	if (!list)
		return;
	char *real = realpath(origin, NULL);
	const char *dir = real ? arena_strndup(real, strrchr(real, '/') - real) : ".";
	free(real);
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ":");
		Buf b = {0};
		buf_puts(&b, "");
		for (size_t i = 0; i < n;) {
			if (strncmp(p + i, "$ORIGIN", 7) == 0 || strncmp(p + i, "${ORIGIN}", 9) == 0) {
				buf_puts(&b, dir);
				i += p[i + 1] == '{' ? 9 : 7;
			} else {
				buf_putc(&b, p[i++]);
			}
		}
		/* $LIB, $PLATFORM: what they expand to is the guest loader's business */
		if (b.s[0] && !strchr(b.s, '$'))
			add_dir(dirs, b.s);
		p += n;
		p += *p == ':';
	}
}

/* A file that the loader of a program of this class and machine would take. */
static bool loadable(const char *path, const ElfDeps *prog)
{
	if (access(path, R_OK) != 0)
		return false;
	ElfDeps d = read_deps(path);
	return d.is_elf && d.elf_class == prog->elf_class && d.machine == prog->machine;
}

/* Where the loader finds name, needed by obj (program prog); NULL if nowhere. */
static const char *find_library(const char *name, const char *obj, const ElfDeps *od,
				const char *prog, const ElfDeps *pd)
{
	if (strchr(name, '/'))
		return loadable(name, pd) ? name : NULL;
	Vec dirs = {0};
	if (!od->runpath) {
		add_path_list(&dirs, od->rpath, obj);
		if (!pd->runpath)
			add_path_list(&dirs, pd->rpath, prog);
	}
	add_path_list(&dirs, od->runpath, obj);
	if (!od->nodeflib) {
		Vec def = default_dirs();
		for (int i = 0; i < def.len; i++)
			add_dir(&dirs, def.items[i]);
	}
	for (int i = 0; i < dirs.len; i++) {
		const char *path = arena_printf("%s/%s", (char *)dirs.items[i], name);
		if (loadable(path, pd))
			return path;
	}
	return NULL;
}

static bool listed(Vec *v, const char *path)
{
	for (int i = 0; i < v->len; i++)
		if (strcmp(v->items[i], path) == 0)
			return true;
	return false;
}

Vec needed_files(const char *prog, Vec *missing)
{
	Vec out = {0};
	ElfDeps pd = read_deps(prog);
	if (!pd.is_elf || (!pd.interp && !pd.needed.len))
		return out;
	/* breadth first, as the loader loads them (and ldd lists them) */
	Vec objs = {0};
	vec_push(&objs, (void *)prog);
	for (int i = 0; i < objs.len; i++) {
		const char *obj = objs.items[i];
		ElfDeps od = i ? read_deps(obj) : pd;
		for (int j = 0; j < od.needed.len; j++) {
			const char *name = od.needed.items[j];
			const char *path = find_library(name, obj, &od, prog, &pd);
			if (!path) {
				if (!listed(missing, name))
					vec_push(missing, (void *)name);
			} else if (!listed(&out, path)) {
				vec_push(&out, (void *)path);
				vec_push(&objs, (void *)path);
			}
		}
	}
	if (pd.interp && !listed(&out, pd.interp))	/* the loader last, as in ldd */
		vec_push(&out, (void *)pd.interp);
	return out;
}

const char *find_library_of(const char *prog, const char *name, const char **why)
{
	if (strchr(name, '/')) {
		if (access(name, R_OK) == 0)
			return name;
		*why = strerror(errno);
		return NULL;
	}
	Vec missing = {0};
	Vec libs = needed_files(prog, &missing);
	for (int i = 0; i < libs.len; i++) {
		const char *base = strrchr(libs.items[i], '/');
		if (fnmatch(name, base ? base + 1 : (char *)libs.items[i], 0) == 0)
			return libs.items[i];
	}
	ElfDeps pd = read_deps(prog);
	const char *path = pd.is_elf ? find_library(name, prog, &pd, prog, &pd) : NULL;
	if (!path)
		*why = arena_printf("the program needs no such library, and its loader finds "
				    "none by that name");
	return path;
}
