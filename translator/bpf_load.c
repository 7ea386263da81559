/*
 * bpf_load.c - passes 4 and 5 of --runtime=bpf: the session on this
 * machine's kernel, without a module.
 *
 * Pass 4 creates the maps (the ring buffer, the mmapped scalars, a hash
 * map per array), patches their fds into the programs and loads each
 * with libbpf's bpf_prog_load, where the kernel's verifier checks it.
 * Pass 5 runs the begin probes, attaches each tracepoint program
 * (perf_event_open of the event's id, then PERF_EVENT_IOC_SET_BPF: the
 * program then runs on every CPU), starts the -c command, and loops:
 * the ring buffer's records printed as they come, the timers run when
 * due, until exit(), an error, -T, the command's end or a signal.  Then
 * the probes are detached, the last records printed, and the end probes
 * run (the error probes instead after an error), as the module's
 * session does.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpf.h"

static volatile sig_atomic_t got_signal;
static bool stopped_by_errors;	/* past MAXERRORS: error probes, not end probes */

static void on_stop_signal(int sig)
{
	got_signal = sig;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool session_ended(BpfProgram *bp)
{
	return bpf_exit_requested || *(volatile int64_t *)(bp->scalars + BPF_SLOT_EXIT);
}

static void end_session(BpfProgram *bp)
{
	bpf_exit_requested = true;
	__atomic_store_n((int64_t *)(bp->scalars + BPF_SLOT_EXIT), 1, __ATOMIC_RELAXED);
}

static int64_t errors_so_far(BpfProgram *bp)
{
	return __atomic_load_n((int64_t *)(bp->scalars + BPF_SLOT_ERRORS), __ATOMIC_RELAXED);
}

/* An error was said (a kernel probe counted its own): past MAXERRORS, the end */
static void after_error(BpfProgram *bp, bool count)
{
	if (count)
		__atomic_fetch_add((int64_t *)(bp->scalars + BPF_SLOT_ERRORS), 1, __ATOMIC_RELAXED);
	if (!bp->suppress_errors && errors_so_far(bp) > bp->maxerrors) {
		stopped_by_errors = true;
		end_session(bp);
	}
}

/* ---- pass 4: maps and programs ---- */

static int create_map(Session *s, enum bpf_map_type type, const char *name, int key, int value,
		      int entries, int flags)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = flags);
	int fd = bpf_map_create(type, name, key, value, entries, &opts);
	if (fd < 0)
		fatal("cannot create the BPF map %s: %s%s", name, strerror(errno),
		      errno == EPERM ? " (BPF needs root, or CAP_BPF and CAP_PERFMON)" : "");
	return fd;
}

static void init_scalar(BpfProgram *bp, BpfGlobal *g)
{
	Node *init = g->var->init;
	char *p = bp->scalars + g->offset;
	if (!init)
		return;
	if (init->kind == ND_STR)
		strncpy(p, init->str, BPF_STRLEN - 1);
	else if (init->kind == ND_NUM)
		memcpy(p, &init->num, 8);
	else if (init->kind == ND_NEG && init->lhs->kind == ND_NUM)
		*(int64_t *)p = -init->lhs->num;
}

static void create_maps(Session *s, BpfProgram *bp)
{
	int mb = s->bufsize_mb > 0 ? s->bufsize_mb : 1;
	bp->ringbuf_fd = create_map(s, BPF_MAP_TYPE_RINGBUF, "stap_output", 0, 0, mb << 20, 0);
	int size = (bp->scalars_size + 7) & ~7;
	bp->scalars_fd = create_map(s, BPF_MAP_TYPE_ARRAY, "stap_scalars", 4, size, 1,
				    BPF_F_MMAPABLE);
	long page = sysconf(_SC_PAGESIZE);
	bp->scalars = mmap(NULL, (size + page - 1) / page * page, PROT_READ | PROT_WRITE,
			   MAP_SHARED, bp->scalars_fd, 0);
	if (bp->scalars == MAP_FAILED)
		fatal("cannot map the BPF globals: %s", strerror(errno));
	if (bp->zeros_size)
		bp->zeros_fd = create_map(s, BPF_MAP_TYPE_ARRAY, "stap_zeros", 4,
					  (bp->zeros_size + 7) & ~7, 1, 0);
	for (int i = 0; i < bp->globals.len; i++) {
		BpfGlobal *g = bp->globals.items[i];
		if (!g->var->is_array && !g->stats) {
			init_scalar(bp, g);
			continue;
		}
		const char *name = arena_printf("%.15s", g->var->name);
		g->fd = create_map(s, g->stats ? BPF_MAP_TYPE_PERCPU_HASH : BPF_MAP_TYPE_HASH,
				   name, g->key_size,
				   g->value_size + BPF_SEQ_SIZE,
				   (int)g->max_entries, 0);
	}
}

static void patch_maps(BpfProgram *bp, BpfProg *p)
{
	for (int i = 0; i < p->map_refs.len; i++) {
		struct bpf_insn *x = &p->insns[(intptr_t)p->map_refs.items[i]];
		int which = x->imm;
		x->imm = which == BPF_MAP_RINGBUF ? bp->ringbuf_fd :
			 which == BPF_MAP_SCALARS ? bp->scalars_fd :
			 which == BPF_MAP_ZEROS ? bp->zeros_fd :
			 ((BpfGlobal *)bp->globals.items[which])->fd;
	}
}

/* The verifier's last words: the line that says why */
static const char *verifier_reason(const char *log)
{
	const char *end = log + strlen(log);
	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *line = end;
	while (line > log && line[-1] != '\n')
		line--;
	/* "processed N insns ..." is the summary: the reason is the line before */
	if (strncmp(line, "processed ", 10) == 0 && line > log) {
		end = line - 1;
		line = end;
		while (line > log && line[-1] != '\n')
			line--;
	}
	return arena_strndup(line, end - line);
}

static int load_prog(Session *s, BpfProg *p)
{
	static char log[1 << 20];
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	enum bpf_prog_type type = bpf_is_profile(p->probe) ? BPF_PROG_TYPE_PERF_EVENT :
				  BPF_PROG_TYPE_TRACEPOINT;
	int fd = bpf_prog_load(type, "stap_probe", "GPL", p->insns, p->ninsns, &opts);
	if (fd >= 0)
		return fd;
	int err = errno;
	opts.log_buf = log;
	opts.log_size = sizeof(log);
	opts.log_level = 1;
	log[0] = 0;
	fd = bpf_prog_load(type, "stap_probe", "GPL", p->insns, p->ninsns, &opts);
	if (fd >= 0)
		return fd;
	Loc loc = p->probe->probe->loc;
	const char *why = *log ? verifier_reason(log) : strerror(err);
	/* the verifier walks each turn of a loop: MAXACTION turns may be too many */
	bool complex = strstr(why, "too complex") || strstr(why, "too large");
	fprintf(stderr, "%s:%d:%d: error: the kernel refused the BPF program of probe %s: %s%s%s\n",
		loc.file ? loc.file->name : "?", loc.line, loc.col, p->probe->pp, why,
		complex ? " (its loops may take fewer turns with a smaller -D MAXACTION)" : "",
		s->verbose ? "" : " (-v shows the verifier's log)");
	if (s->verbose)
		fputs(log, stderr);
	return -1;
}

/* ---- pass 5: attaching, the -c command ---- */

static int attach_trace(BpfTrace *t, int prog_fd)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr), .config = t->id,
		.sample_period = 1, .wakeup_events = 1,
	};
	/* one event on CPU 0: a tracepoint's BPF program runs on every CPU */
	int fd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) != 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Runs CMD: words split on blanks and executed as they are when it has
 * nothing for a shell, else by /bin/sh (which does system calls of its
 * own before its exec: a test counting them must not see those).
 */
static void exec_command(const char *cmd)
{
	if (strspn(cmd, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		   "/._-+,:= ") == strlen(cmd)) {
		char *words[64], *save, *copy = arena_strdup(cmd);
		int n = 0;
		for (char *w = strtok_r(copy, " ", &save); w && n < 63; w = strtok_r(NULL, " ", &save))
			words[n++] = w;
		words[n] = NULL;
		if (n)
			execvp(words[0], words);
		return;
	}
	execl("/bin/sh", "sh", "-c", arena_printf("exec %s", cmd), (char *)NULL);
}

/* timer.profile: the program on a cpu-clock event of each CPU; false if none opened */
static bool attach_profile(int prog_fd, Vec *events)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE, .size = sizeof(attr), .config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = BPF_PROFILE_PERIOD_NS,
	};
	int n = libbpf_num_possible_cpus();
	for (int cpu = 0; cpu < n; cpu++) {
		int fd = syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0)
			continue;	/* an offline CPU */
		if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) != 0 ||
		    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0) {
			close(fd);
			return false;
		}
		vec_push(events, (void *)(intptr_t)fd);
	}
	return events->len > 0;
}

/* -c CMD: forked now, held on a pipe until the probes are armed */
static pid_t start_command(Session *s, int *release)
{
	int p[2];
	if (pipe(p) != 0)
		fatal("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		char c;
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		exec_command(s->target_cmd);
		fprintf(stderr, "stap: cannot run %s: %s\n", s->target_cmd, strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*release = p[1];
	return pid;
}

/* ---- records ---- */

static int on_record(void *ctx, void *data, size_t size)
{
	BpfProgram *bp = ctx;
	uint32_t *h = data;
	if (size < 8 || h[1] >= (uint32_t)bp->sites.len) {
		if (size >= 8 && h[0] == REC_EXIT)
			bpf_exit_requested = true;
		return 0;
	}
	BpfRecordSite *site = bp->sites.items[h[1]];
	switch (h[0]) {
	case REC_PRINT:
		bpf_print_record(bp, site->node, (const char *)data + 8, bpf_out);
		break;
	case REC_EXIT:
		bpf_exit_requested = true;
		break;
	case REC_ERROR:
		fflush(bpf_out);
		fprintf(stderr, "ERROR: %s near %s in probe %s\n", site->message,
			bpf_near(site->node), site->probe->pp);
		after_error(bp, false);
		break;
	}
	return 0;
}

/* ---- the session ---- */

static void sort_by_seq(Vec *v)
{
	for (int i = 1; i < v->len; i++)
		for (int j = i; j > 0 && ((DerivedProbe *)v->items[j - 1])->seq >
					 ((DerivedProbe *)v->items[j])->seq; j--) {
			void *t = v->items[j];
			v->items[j] = v->items[j - 1];
			v->items[j - 1] = t;
		}
}

/*
 * Runs each probe of list in order; false after an error (the rest
 * skipped).  Begin probes stop at exit() too; end probes run after it.
 */
static bool run_list(BpfProgram *bp, Vec *list, bool stop_at_exit)
{
	for (int i = 0; i < list->len && !(stop_at_exit && session_ended(bp)); i++)
		if (!bpf_interp_run(bp, list->items[i])) {
			after_error(bp, true);
			if (stopped_by_errors)
				return false;
		}
	return true;
}

typedef struct Loop {
	struct ring_buffer *rb;
	int64_t *due;		/* each timer's next time */
	int64_t stop_at;	/* -T */
	pid_t child;
} Loop;

static int poll_timeout_ms(BpfProgram *bp, Loop *l, int64_t now)
{
	int64_t next = now + 200000000LL;	/* the command's end is seen this often */
	for (int i = 0; i < bp->timers.len; i++)
		if (l->due[i] < next)
			next = l->due[i];
	if (l->stop_at && l->stop_at < next)
		next = l->stop_at;
	int64_t ms = (next - now + 999999) / 1000000;
	return ms < 0 ? 0 : (int)ms;
}

static bool run_due_timers(BpfProgram *bp, Loop *l)
{
	int64_t now = now_ns();
	for (int i = 0; i < bp->timers.len && !session_ended(bp); i++) {
		if (l->due[i] > now)
			continue;
		BpfTimer *t = bpf_timer_of(bp->timers.items[i]);
		l->due[i] += t->period_ns;
		if (l->due[i] < now)
			l->due[i] = now + t->period_ns;
		if (!bpf_interp_run(bp, bp->timers.items[i])) {
			after_error(bp, true);
			if (stopped_by_errors)
				return false;
		}
		fflush(bpf_out);
	}
	return true;
}

static void main_loop(BpfProgram *bp, Loop *l)
{
	while (!session_ended(bp) && !got_signal) {
		int64_t now = now_ns();
		if (l->stop_at && now >= l->stop_at)
			break;
		int r = ring_buffer__poll(l->rb, poll_timeout_ms(bp, l, now));
		fflush(bpf_out);
		if (r < 0 && r != -EINTR)
			break;
		if (!run_due_timers(bp, l))
			break;
		int status;
		if (l->child > 0 && waitpid(l->child, &status, WNOHANG) == l->child) {
			l->child = 0;
			break;
		}
	}
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static bool load_all(Session *s, BpfProgram *bp, int *fds)
{
	create_maps(s, bp);
	bool ok = true;
	for (int i = 0; i < bp->progs.len; i++) {
		BpfProg *p = bp->progs.items[i];
		patch_maps(bp, p);
		fds[i] = load_prog(s, p);
		ok &= fds[i] >= 0;
	}
	return ok;
}

/* Each program on its events, whose fds go to events */
static bool attach_all(BpfProgram *bp, int *fds, Vec *events)
{
	for (int i = 0; i < bp->progs.len; i++) {
		BpfProg *p = bp->progs.items[i];
		bool ok;
		if (bpf_is_profile(p->probe)) {
			ok = attach_profile(fds[i], events);
		} else {
			int fd = attach_trace(bpf_trace_of(p->probe), fds[i]);
			if ((ok = fd >= 0))
				vec_push(events, (void *)(intptr_t)fd);
		}
		if (!ok) {
			fprintf(stderr, "ERROR: cannot attach probe %s: %s\n", p->probe->pp,
				strerror(errno));
			return false;
		}
	}
	return true;
}

int bpf_run(Session *s, BpfProgram *bp)
{
	libbpf_set_print(libbpf_quiet);
	bpf_out = stdout;
	if (s->output_file && !(bpf_out = fopen(s->output_file, "w")))
		fatal("cannot write %s: %s", s->output_file, strerror(errno));
	pass_begin();
	int *fds = arena_alloc(sizeof(int) * (bp->progs.len + 1));
	Vec events = {0};
	if (!load_all(s, bp, fds)) {
		fprintf(stderr, "Pass 4: compilation failed.\n");
		return 1;
	}
	pass_end(s, 4, arena_printf("loaded %d BPF program%s", bp->progs.len,
				    bp->progs.len == 1 ? "" : "s"));
	if (s->last_pass == 4)
		return 0;

	pass_begin();
	catch_signals();
	Loop l = { .due = arena_alloc(sizeof(int64_t) * (bp->timers.len + 1)) };
	l.rb = ring_buffer__new(bp->ringbuf_fd, on_record, bp, NULL);
	if (!l.rb)
		fatal("cannot read the BPF ring buffer: %s", strerror(errno));
	int release = -1;
	if (s->target_cmd)
		l.child = start_command(s, &release);
	int64_t target = l.child ? l.child : s->target_pid ? atoll(s->target_pid) : 0;
	memcpy(bp->scalars + BPF_SLOT_TARGET, &target, 8);
	sort_by_seq(&bp->begins);
	sort_by_seq(&bp->ends);
	sort_by_seq(&bp->errors);
	bool ok = run_list(bp, &bp->begins, true);
	fflush(bpf_out);
	if (ok && !session_ended(bp) && attach_all(bp, fds, &events)) {
		int64_t now = now_ns();
		for (int i = 0; i < bp->timers.len; i++)
			l.due[i] = now + bpf_timer_of(bp->timers.items[i])->period_ns;
		if (s->stop_after)
			l.stop_at = now + s->stop_after * 1000000000LL;
		if (release >= 0 && write(release, "g", 1) != 1)
			fatal("cannot start the command: %s", strerror(errno));
		main_loop(bp, &l);
	}
	if (release >= 0)
		close(release);
	/* the probes return at once now: their output first, then the detaching,
	   which waits for the kernel (tens of ms), then what came meanwhile */
	end_session(bp);
	ring_buffer__consume(l.rb);
	fflush(bpf_out);
	for (int i = 0; i < events.len; i++)
		close((int)(intptr_t)events.items[i]);
	ring_buffer__consume(l.rb);
	if (!stopped_by_errors)
		run_list(bp, &bp->ends, false);
	if (stopped_by_errors) {
		for (int i = 0; i < bp->errors.len; i++)
			bpf_interp_run(bp, bp->errors.items[i]);
	}
	fflush(bpf_out);
	if (l.child > 0) {
		kill(l.child, SIGTERM);
		waitpid(l.child, NULL, 0);
	}
	ring_buffer__free(l.rb);
	int64_t errors = errors_so_far(bp);
	if (errors && !warnings_off)
		fprintf(stderr, "WARNING: Number of errors: %lld, skipped probes: 0\n",
			(long long)errors);
	bool failed = errors && !bp->suppress_errors;
	pass_end(s, 5, failed ? "run failed" : "run completed");
	return failed ? 1 : 0;
}
