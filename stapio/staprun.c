// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * staprun - load a stap module, run stapio on it, unload it.
 *
 *	staprun [-o FILE [-S MB[,N]]] [-b MB] [-w] [-v] [-c CMD | -x PID] [-T SECONDS]
 *		MODULE.ko [name=value ...]
 *
 * -D runs everything in the background (output to -o FILE); -F leaves
 * the module running once started (stapio -F), for "staprun -A NAME" to
 * attach to later and "staprun -d NAME" to stop.
 * -S, -c, -x, -T and -w go to stapio, which switches output files, runs
 * the command, tells the module the target pid, keeps the time and drops
 * warnings.  -b MB sizes the module's buffers (its _stp_bufsize parameter).
 *
 * The module is read into memory once, checked there and loaded from
 * those bytes with init_module(2), its parameters joined into
 * one string; a module that uses the time zone tapset gets the local
 * time zone first (_stp_tz_gmtoff, _stp_tz_name).  staprun opens the
 * module's control file itself and hands it to stapio (-C FD), found
 * through $STAPIO, next to staprun, or in ../libexec/stap/ relative to
 * it, which relays the module's messages; when it exits, staprun removes
 * the module with delete_module(2), whatever happened to stapio.  -A and
 * -d name a loaded module: staprun touches it only if it is a stap module
 * whose control file it can open.  staprun exits with stapio's status (128 + the
 * signal number if stapio was killed), or 1 if staprun itself failed.
 *
 * A module that someone other than root may have written (its file, or
 * its directory without the sticky bit) is refused, and so is one that
 * is not a stap module; the name staprun unloads is the one in the
 * module's .modinfo, not its file's.
 *
 * Signals: SIGINT from the terminal reaches stapio directly (same
 * process group), so staprun ignores it.  SIGTERM and SIGHUP sent to
 * staprun are forwarded to stapio, which then stops the script in order.
 *
 * Linked statically so that it runs in the VM's initramfs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "stp_proto.h"
#include "privilege.h"

/* How long to retry delete_module() while the module is busy. */
#define UNLOAD_TRIES	100
#define UNLOAD_PAUSE_MS	50

static int verbose;
static const char *module_file;		/* as given: for messages */
static char module_name[64];
static volatile sig_atomic_t child_pid;
static int ctl_fd = -1;			/* the module's control file, for stapio -C */
static int setuid_mode;			/* installed setuid root, run by another user */
static enum stap_privilege privilege;
static char **user_environ;		/* the user's, for stapio (staprun's own is scrubbed) */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("staprun: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	fputs("staprun: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fputs("usage: staprun [-o FILE [-S MB[,N]]] [-b MB] [-w] [-v] [-c CMD | -x PID] [-T SECONDS]\n"
	      "               MODULE.ko [name=value ...]\n"
	      "Loads MODULE.ko, relays its output with stapio, then unloads it.\n"
	      "  -o FILE     write the script's output to FILE instead of stdout\n"
	      "              (a stap -b module: FILE_cpuN, default stpd_cpuN)\n"
	      "  -S MB[,N]   with -o: switch output files past MB megabytes, keep N\n"
	      "  -b MB       per-CPU output buffers of MB megabytes (1 to 4095)\n"
	      "  -w          do not show the script's warnings\n"
	      "  -D          run in the background (needs -o); prints the pid to kill\n"
	      "  -F          flight recorder: leave the script running once started\n"
	      "  -A          (MODULE_NAME) attach to a script left running with -F\n"
	      "  -d          (MODULE_NAME) stop a script left running with -F\n"
	      "  -c CMD      run CMD (with sh -c) once the probes are armed; stop when it exits\n"
	      "  -x PID      target() is PID\n"
	      "  -T SECONDS  stop the script after SECONDS\n"
	      "  -v          tell what is happening on stderr\n"
	      "  -V          print the version and exit\n"
	      "Environment: STAPIO=PATH of the stapio program to run;\n"
	      "SYSTEMTAP_VERBOSE=N starts at verbosity N, as N times -v.\n", f);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The kernel's name for a module file: its base name, '-' becomes '_'. */
static void set_module_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n, i;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 3 && !strcmp(base + n - 3, ".ko"))
		n -= 3;
	if (n == 0 || n >= sizeof(module_name))
		die("bad module file name %s", path);
	for (i = 0; i < n; i++)
		module_name[i] = base[i] == '-' ? '_' : base[i];
	module_name[n] = '\0';
}

/*
 * Joins name=value words, and _stp_bufsize=MB for -b (mb > 0); a value
 * with blanks is quoted for the kernel.  Every piece is counted before
 * it is written: the string is sized for exactly what goes in.
 */
static char *module_params(int argc, char **argv, long mb)
{
	size_t cap = 64, len = 0;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		cap += strlen(argv[i]) + 3;
	s = malloc(cap);
	if (!s)
		die("out of memory");
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		if (strchr(argv[i], '"'))
			die("module parameter %s: double quotes are not allowed",
			    argv[i]);
		if (eq && strpbrk(eq, " \t\n"))
			len += snprintf(s + len, cap - len, "%s%.*s\"%s\"", i ? " " : "",
					(int)(eq + 1 - argv[i]), argv[i], eq + 1);
		else
			len += snprintf(s + len, cap - len, "%s%s", i ? " " : "", argv[i]);
	}
	if (mb)
		len += snprintf(s + len, cap - len, "%s_stp_bufsize=%ld", argc ? " " : "", mb);
	if (len >= cap)
		die("internal error: module parameters overflowed");
	return s;
}

/*
 * The kernel's own explanation of a failed load ("Unknown symbol foo"),
 * read from /dev/kmsg past the position kmsg_fd was opened at.
 */
static void kernel_reason(int kmsg_fd, char *out, size_t size)
{
	char rec[1024];
	size_t nlen = strlen(module_name);
	int i;

	out[0] = '\0';
	if (kmsg_fd < 0)
		return;
	for (i = 0; i < 1000; i++) {
		ssize_t n = read(kmsg_fd, rec, sizeof(rec) - 1);
		char *text, *nl;

		if (n < 0 && errno == EPIPE)
			continue;	/* records were overwritten */
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		nl = strchr(text, '\n');
		if (nl)
			*nl = '\0';
		if (!strncmp(text, module_name, nlen) && text[nlen] == ':' &&
		    !strstr(text, "taints kernel") &&
		    !strstr(text, "module verification failed"))
			snprintf(out, size, "%s", text);
	}
}

/*
 * A module runs with the kernel's privileges: refuse one that someone
 * other than root (or, for a member of stapdev, than the user) could
 * have written, through the file or by replacing it in its directory (a
 * world-writable directory without the sticky bit).  fd is the file to
 * be loaded, so that what is checked is what is loaded.
 */
static void check_module_safe(int fd)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (fstat(fd, &st) < 0)
		die("cannot load module %s: %s", module_file, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die("cannot load module %s: not a regular file", module_file);
	/* a member of stapdev is as good as root: its own modules will do */
	if (st.st_uid != 0 && !(privilege == PRIV_STAPDEV && st.st_uid == getuid()))
		die("refusing to load %s: it is not owned by root (uid %u)", module_file,
		    (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		die("refusing to load %s: others than its owner may write it (mode %03o)",
		    module_file, (unsigned)(st.st_mode & 0777));
	snprintf(dir, sizeof(dir), "%s", module_file);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (stat(dir, &st) == 0 && (st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		die("refusing to load %s: anyone may replace it in %s (world-writable, "
		    "no sticky bit)", module_file, dir);
}

/*
 * The module's .modinfo section (NUL-separated "key=value" strings):
 * sets *size and returns its start in the mapped file, or NULL if the
 * file is not the ELF a module is.  Every offset is checked against
 * the file's size.
 */
static const char *find_modinfo(const char *elf, size_t len, size_t *size)
{
	const Elf64_Ehdr *eh = (const void *)elf;
	const Elf64_Shdr *sh, *names;
	int i;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(*sh) ||
	    eh->e_shoff > len || eh->e_shnum > (len - eh->e_shoff) / sizeof(*sh) ||
	    eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	sh = (const void *)(elf + eh->e_shoff);
	names = &sh[eh->e_shstrndx];
	if (names->sh_offset > len || names->sh_size > len - names->sh_offset)
		return NULL;
	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_name >= names->sh_size ||
		    names->sh_size - sh[i].sh_name <= strlen(".modinfo") ||
		    strncmp(elf + names->sh_offset + sh[i].sh_name, ".modinfo",
			    names->sh_size - sh[i].sh_name) != 0)
			continue;
		if (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset)
			return NULL;
		*size = sh[i].sh_size;
		return elf + sh[i].sh_offset;
	}
	return NULL;
}

/* The value of key in .modinfo ("name" for "name=VALUE"), or NULL. */
static const char *modinfo_get(const char *info, size_t size, const char *key, size_t *vlen)
{
	const char *p = info, *end = info + size;
	size_t klen = strlen(key);

	while (p < end) {
		size_t n = strnlen(p, end - p);

		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			*vlen = n - klen - 1;
			return p + klen + 1;
		}
		p += n + 1;
	}
	return NULL;
}

/* Does .modinfo declare the parameter name (nlen bytes)? */
static int has_param(const char *info, size_t size, const char *name, size_t nlen)
{
	const char *p = info, *end = info + size;

	while (p < end) {
		size_t n = strnlen(p, end - p);

		if (n > 9 + nlen && !strncmp(p, "parmtype=", 9) &&
		    !strncmp(p + 9, name, nlen) && p[9 + nlen] == ':')
			return 1;
		p += n + 1;
	}
	return 0;
}

/*
 * What the module's own .modinfo says: it must be a stap module (the
 * runtime's _stp_bulk_cpus parameter, its marker), and its name there
 * is the name the kernel gives it, whatever the file is called: that
 * name, not the file's, is the one staprun unloads.  The kernel ignores
 * a parameter that a module does not have, with a line in its log: a
 * misspelt global would go unnoticed, so each one is checked here
 * ("parmtype=NAME:TYPE").  Returns whether the module takes the time
 * zone (_stp_tz_gmtoff).
 */
static int check_modinfo(const char *elf, size_t len, int argc, char **argv)
{
	const char *info, *name;
	size_t size, nlen;
	int i, tz;

	info = find_modinfo(elf, len, &size);
	if (!info || !has_param(info, size, STP_BULK_PARAM, strlen(STP_BULK_PARAM)))
		die("refusing to load %s: it is not a stap module (no stap runtime in its "
		    ".modinfo)", module_file);
	name = modinfo_get(info, size, "name", &nlen);
	if (!name || nlen == 0 || nlen >= sizeof(module_name) || memchr(name, '/', nlen))
		die("refusing to load %s: its .modinfo has no usable module name", module_file);
	memcpy(module_name, name, nlen);
	module_name[nlen] = '\0';
	tz = has_param(info, size, "_stp_tz_gmtoff", strlen("_stp_tz_gmtoff"));
	for (i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t plen = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);

		if (!eq)
			die("module parameter %s: expected NAME=VALUE", argv[i]);
		if (!has_param(info, size, argv[i], plen))
			die("module %s has no parameter %.*s (a script global that is a "
			    "number or a string)", module_file, (int)plen, argv[i]);
	}
	return tz;
}

/*
 * The local time zone now, for tz_ctime(), tz_gmtoff() and tz_name()
 * (tapsets/tzinfo.stp): its offset in seconds west of UTC and its name,
 * as parameters before params (which may set them too: the last wins).
 */
static char *with_tz_params(const char *params)
{
	time_t now = time(NULL);
	struct tm tm;
	char *s;

	if (!localtime_r(&now, &tm))
		memset(&tm, 0, sizeof(tm));
	if (asprintf(&s, "_stp_tz_gmtoff=%ld _stp_tz_name=%s%s%s", -(long)tm.tm_gmtoff,
		     tm.tm_zone && *tm.tm_zone && !strpbrk(tm.tm_zone, " \t\"") ?
		     tm.tm_zone : "UTC", *params ? " " : "", params) < 0)
		die("out of memory");
	return s;
}

/*
 * Opens the module file.  For a user of the stapusr group it must be a
 * file directly in /lib/modules/RELEASE/systemtap (a bare NAME, or
 * NAME.ko, is looked for there).  Setuid, the path is made canonical
 * (no link left in it, wherever the links were), then opened without
 * following any link, and for stapusr every directory on the way must
 * be root's and writable by no one else: only root chose this file.
 */
static int open_module_file(void)
{
	const char *dir = stap_module_dir(), *why = NULL;
	static char path[PATH_MAX], canon[PATH_MAX], canon_dir[PATH_MAX];
	int fd;

	if (privilege == PRIV_STAPUSR && !strchr(module_file, '/')) {
		size_t n = strlen(module_file);

		snprintf(path, sizeof(path), "%s/%s%s", dir, module_file,
			 n > 3 && !strcmp(module_file + n - 3, ".ko") ? "" : ".ko");
		module_file = path;
	}
	if (!setuid_mode && privilege != PRIV_STAPUSR) {
		fd = open(module_file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("cannot load module %s: %s", module_file, strerror(errno));
		return fd;
	}
	if (!realpath(module_file, canon))
		die("cannot load module %s: %s", module_file, strerror(errno));
	if (privilege == PRIV_STAPUSR &&
	    (!realpath(dir, canon_dir) || !path_is_in(canon, canon_dir)))
		die("Members of the \"stapusr\" group can only use modules within\n"
		    "  the \"%s\" directory.\n  Module \"%s\" is not in that directory.",
		    dir, module_file);
	fd = open_no_follow(canon, privilege == PRIV_STAPUSR, &why);
	if (fd < 0)
		die("cannot load module %s: %s", module_file, why ? why : strerror(errno));
	return fd;
}

/* The whole module file, read once: what is checked is what is loaded. */
static char *read_module(int fd, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;

	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (256 << 20))
		die("cannot load module %s: %s", module_file,
		    st.st_size <= 0 ? "it is empty" : "it is larger than 256 MB");
	buf = malloc(st.st_size);
	if (!buf)
		die("out of memory");
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n <= 0)
			die("cannot read module %s: %s", module_file,
			    n < 0 ? strerror(errno) : "it shrank");
		got += n;
	}
	*len = got;
	return buf;
}

static void load_module(const char *params, int argc, char **argv)
{
	char reason[512], *image, *tz_params = NULL;
	int fd, kmsg_fd, err;
	size_t len;

	fd = open_module_file();
	check_module_safe(fd);
	image = read_module(fd, &len);
	close(fd);
	if (check_modinfo(image, len, argc, argv))
		params = tz_params = with_tz_params(params);
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);

	note("loading %s as %s, parameters \"%s\"", module_file, module_name,
	     params);
	/* init_module: the kernel takes the very bytes checked above */
	if (syscall(SYS_init_module, image, len, params) == 0) {
		free(image);
		free(tz_params);
		if (kmsg_fd >= 0)
			close(kmsg_fd);
		return;
	}
	err = errno;
	free(image);
	if (err == ENOSYS)
		die("cannot load module %s: this kernel cannot load modules",
		    module_file);
	if (err == EEXIST)
		die("cannot load module %s: a module named %s is already loaded",
		    module_file, module_name);
	if (err == EPERM && geteuid() != 0)
		die("cannot load module %s: %s (loading modules needs root)",
		    module_file, strerror(err));
	kernel_reason(kmsg_fd, reason, sizeof(reason));
	if (reason[0])
		die("cannot load module %s: %s (kernel: %s)", module_file,
		    strerror(err), reason);
	die("cannot load module %s: %s", module_file, strerror(err));
}

/* Returns 0, or 1 after saying why the module is still loaded. */
static int unload_module(void)
{
	int i;

	for (i = 0; i < UNLOAD_TRIES; i++) {
		if (syscall(SYS_delete_module, module_name, O_NONBLOCK) == 0) {
			note("removed %s", module_name);
			return 0;
		}
		if (errno != EAGAIN && errno != EBUSY && errno != EINTR)
			break;
		sleep_ms(UNLOAD_PAUSE_MS);
	}
	fprintf(stderr, "staprun: cannot remove module %s: %s\n",
		module_name, strerror(errno));
	return 1;
}

/* Opens the module's control file; -1 with errno. */
static int open_control(void)
{
	char path[sizeof(STP_PROC_PREFIX) + sizeof(module_name) + 8];

	snprintf(path, sizeof(path), "/proc/" STP_PROC_PREFIX "%s", module_name);
	return open(path, O_RDWR);
}

/*
 * A stapusr user may attach to or stop only a script it started: the
 * module says who sent "start" in its _stp_owner parameter.
 */
static void check_owner(void)
{
	char path[sizeof(module_name) + 64], text[32];
	long owner = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/_stp_owner", module_name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		text[n] = '\0';
		owner = strtol(text, NULL, 10);
	}
	if (owner != (long)getuid())
		die("%s was not started by you (uid %ld): only its user, root or a member of "
		    "\"stapdev\" may attach to it or stop it", module_name, owner);
}

/*
 * -A and -d name a module that is already loaded: it must be a stap
 * module (its runtime's own parameter, from its .modinfo, is in sysfs)
 * whose control file we can open, or staprun would unload any module
 * ("staprun -d ext4").  The control file stays open for stapio: while
 * it is, no other stapio can attach.
 */
static void open_loaded_module(void)
{
	char path[sizeof(module_name) + sizeof(STP_BULK_PARAM) + 32];

	snprintf(path, sizeof(path), "/sys/module/%s", module_name);
	if (access(path, F_OK) != 0)
		die("no module %s is loaded", module_name);
	snprintf(path, sizeof(path), "/sys/module/%s/parameters/" STP_BULK_PARAM, module_name);
	if (access(path, F_OK) != 0)
		die("%s is not a stap module (it has no %s parameter): not touching it",
		    module_name, STP_BULK_PARAM);
	if (privilege == PRIV_STAPUSR)
		check_owner();
	ctl_fd = open_control();
	if (ctl_fd < 0)
		die("cannot open the control file of %s: %s%s", module_name, strerror(errno),
		    errno == EBUSY ? " (another stapio is attached to it)" : "");
}

/*
 * The module's _stp_bulk_cpus (0 unless built with stap -b), for stapio
 * -B; -1 if it cannot be read (stapio then reads it, and says why not).
 */
static long bulk_cpus(void)
{
	char path[sizeof(module_name) + sizeof(STP_BULK_PARAM) + 32], text[32], *end;
	long n = -1;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/" STP_BULK_PARAM, module_name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	len = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (len > 0) {
		text[len] = '\0';
		n = strtol(text, &end, 10);
		if (end == text || (*end && *end != '\n') || n < 0 || n > 65536)
			n = -1;
	}
	return n;
}

/* stapio's path: $STAPIO, next to staprun, or the installed libexec dir. */
static const char *find_stapio(void)
{
	static char path[PATH_MAX + 32];
	static const char *const rel[] = { "stapio", "../libexec/stap/stapio" };
	char self[PATH_MAX];
	const char *env = setuid_mode ? NULL : getenv("STAPIO");
	ssize_t n;
	char *slash;
	size_t i;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return "stapio";	/* no /proc: let execvp search PATH */
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		slash[1] = '\0';
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", self, rel[i]);
		if (access(path, X_OK) == 0)
			return path;
	}
	snprintf(path, sizeof(path), "%sstapio", self);
	return path;
}

/* SIGTERM or SIGHUP that came before stapio ran: forwarded once it does. */
static volatile sig_atomic_t pending_signal;

static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
	else
		pending_signal = sig;
}

/* SIGINT is ignored; SIGTERM and SIGHUP go to stapio. */
static void set_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = forward_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * -D: the parent says which process to kill to stop the script and
 * leaves; the child goes on without the terminal.
 */
static void go_to_background(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid > 0) {
		printf("%d\n", (int)pid);
		fflush(stdout);
		_exit(0);
	}
	setsid();
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
	}
}

/*
 * Runs stapio and waits for it.  Returns its exit status as staprun
 * reports it, or -1 (after a message) if it could not be started.
 */
static int run_stapio(const char *outfile, char **opts, int nopts)
{
	const char *stapio = find_stapio();
	char *argv[24], fd_arg[16], bulk_arg[16];
	int argc = 0, status, err = 0, pipefd[2];
	sigset_t all, old;
	pid_t pid;
	ssize_t n;

	argv[argc++] = (char *)"stapio";
	if (outfile) {
		argv[argc++] = (char *)"-o";
		argv[argc++] = (char *)outfile;
	}
	if (verbose)
		argv[argc++] = (char *)"-v";
	snprintf(fd_arg, sizeof(fd_arg), "%d", ctl_fd);
	argv[argc++] = (char *)"-C";
	argv[argc++] = fd_arg;
	if (bulk_cpus() >= 0) {
		snprintf(bulk_arg, sizeof(bulk_arg), "%ld", bulk_cpus());
		argv[argc++] = (char *)"-B";
		argv[argc++] = bulk_arg;
	}
	while (nopts-- > 0)
		argv[argc++] = *opts++;
	argv[argc++] = module_name;
	argv[argc] = NULL;

	/* exec's errno comes back through a close-on-exec pipe. */
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		fprintf(stderr, "staprun: pipe: %s\n", strerror(errno));
		return -1;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(pipefd[0]);
		/* stapio, -c CMD and system() run as the user who ran staprun */
		if (setuid_mode) {
			if (drop_privileges() < 0)
				_exit(127);
			environ = user_environ;
		}
		execvp(stapio, argv);
		err = errno;
		if (write(pipefd[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	err = errno;
	if (pid > 0) {
		child_pid = pid;
		if (pending_signal)
			kill(pid, pending_signal);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(pipefd[1]);
	close(ctl_fd);		/* stapio has it */
	ctl_fd = -1;
	if (pid < 0) {
		close(pipefd[0]);
		fprintf(stderr, "staprun: cannot run %s: %s\n", stapio,
			strerror(err));
		return -1;
	}
	note("running %s (pid %d)", stapio, (int)pid);

	do
		n = read(pipefd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "staprun: waitpid: %s\n", strerror(errno));
			return -1;
		}
	}
	child_pid = 0;
	if (n == sizeof(err)) {
		fprintf(stderr, "staprun: cannot run %s: %s\n", stapio,
			strerror(err));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		note("stapio was killed by signal %d", WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	note("stapio exited with status %d", WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

/*
 * Setuid root, run by another user: staprun's own environment is
 * scrubbed ($STAPIO and SYSTEMTAP_VERBOSE are not read), the user's is
 * kept for stapio, which runs as the user.  Then the user's privilege.
 */
static void start_privileged(void)
{
	const char *why;

	setuid_mode = getuid() != geteuid() || getgid() != getegid();
	if (setuid_mode) {
		user_environ = environ;
		environ = NULL;
		setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
	}
	why = find_privilege(&privilege);
	if (why)
		die("%s", why);
}

int main(int argc, char **argv)
{
	const char *outfile = NULL, *env;
	char *params, *stapio_opts[16], *end;
	int opt, status, nopts = 0, daemon_mode = 0, no_warnings = 0;
	long mb = 0;
	char mode = 0;		/* 0 run, 'F' flight recorder, 'A' attach, 'd' delete */

	start_privileged();
	env = setuid_mode ? NULL : getenv("SYSTEMTAP_VERBOSE");
	if (env && *env) {
		verbose = (int)strtol(env, &end, 10);
		if (*end || verbose < 0 || verbose > 100)
			die("SYSTEMTAP_VERBOSE takes a number from 0 to 100, not '%s'", env);
	}
	while ((opt = getopt(argc, argv, "+o:S:c:x:T:b:DFAdwvVh")) != -1) {
		switch (opt) {
		case 'b':
			/* the number is what goes to the module, not what was typed */
			mb = strtol(optarg, &end, 10);
			if (end == optarg || *end || mb < 1 || mb > 4095)
				die("-b takes a buffer size in MB from 1 to 4095, not '%s'", optarg);
			break;
		case 'w':
			no_warnings = 1;
			break;
		case 'V':
			printf("staprun %s, the runtime of stap\n", STAP_VERSION);
			return 0;
		case 'o':
			outfile = optarg;
			break;
		case 'D':
			daemon_mode = 1;
			break;
		case 'F':
		case 'A':
		case 'd':
			if (mode && mode != opt)
				die("-F, -A and -d exclude each other");
			mode = (char)opt;
			break;
		case 'c':
		case 'x':
		case 'T':
		case 'S':
			if (nopts + 2 > 8)
				die("-c, -x, -T and -S may each be given once");
			stapio_opts[nopts++] = opt == 'c' ? "-c" : opt == 'x' ? "-x" :
					       opt == 'T' ? "-T" : "-S";
			stapio_opts[nopts++] = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	if (daemon_mode && !outfile)
		die("-D needs -o FILE: a script in the background has no terminal");
	module_file = argv[optind];
	set_module_name(module_file);
	if (no_warnings)
		stapio_opts[nopts++] = "-w";
	if (mode == 'A' || mode == 'd') {
		/* a module left running with -F: by name, already loaded */
		if (mb || optind + 1 < argc)
			die("-b and module parameters are for loading a module, not with -%c", mode);
		open_loaded_module();
		stapio_opts[nopts++] = "-A";
		if (mode == 'd')
			stapio_opts[nopts++] = "-K";
		set_signals();
		status = run_stapio(outfile, stapio_opts, nopts);
		if (unload_module())
			return 1;
		return status < 0 ? 1 : status;
	}
	params = module_params(argc - optind - 1, argv + optind + 1, mb);
	if (daemon_mode)
		go_to_background();

	/* From here on a signal must not leave the module loaded. */
	set_signals();
	load_module(params, argc - optind - 1, argv + optind + 1);
	free(params);
	ctl_fd = open_control();
	if (ctl_fd < 0) {
		fprintf(stderr, "staprun: cannot open the control file of %s: %s\n", module_name,
			strerror(errno));
		unload_module();
		return 1;
	}

	if (mode == 'F')
		stapio_opts[nopts++] = "-F";
	status = run_stapio(outfile, stapio_opts, nopts);
	if (mode == 'F' && status == 0) {
		fprintf(stderr, "staprun: %s runs on in flight recorder mode: \"staprun -A %s\" "
			"shows its output, \"staprun -d %s\" stops it\n", module_name, module_name,
			module_name);
		return 0;
	}
	if (unload_module())
		return 1;
	return status < 0 ? 1 : status;
}
