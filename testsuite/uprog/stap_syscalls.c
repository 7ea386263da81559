// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_syscalls - calls system calls with known arguments, for the tests
 * of the syscall.* aliases (cli/syscalls_new.sh): each call's arguments
 * and result are fixed by what the program does, so that a test can
 * expect each argstr and retstr exactly.  Static (it runs in the VM's
 * busybox initramfs), and it calls the kernel directly through syscall(2)
 * so that the C library adds no calls of its own.
 *
 *	stap_syscalls DIR	works in DIR (an empty directory of a tmpfs)
 *	stap_syscalls DIR vfs	only the file I/O of cli/vfs_more.sh
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/sysinfo.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <linux/aio_abi.h>
#include <linux/futex.h>
#include <linux/mount.h>
#include <linux/sched/types.h>
#include <linux/mqueue.h>
#include <linux/keyctl.h>
#include <sys/quota.h>
#include <sys/timex.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/fanotify.h>
#include <linux/landlock.h>

static char page[4096] __attribute__((aligned(4096)));
static char zeros[256];
static char cold[4096] __attribute__((aligned(4096)));	/* never locked */

/* asynchronous I/O: a context, one read of 4 bytes of FILE, its event */
static void aio(const char *file)
{
	aio_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	int fd = open(file, O_RDONLY);

	syscall(SYS_io_setup, 8, &ctx);
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = fd;
	cb.aio_lio_opcode = IOCB_CMD_PREAD;
	cb.aio_buf = (uintptr_t)page;
	cb.aio_nbytes = 4;
	syscall(SYS_io_submit, ctx, 1, cbs);
	syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL);
	syscall(SYS_io_pgetevents, ctx, 0, 1, &ev, &zero, NULL);
	syscall(SYS_io_cancel, ctx, &cb, &ev);
	syscall(SYS_io_destroy, ctx);
	close(fd);
}

/* a tmpfs made with the new mount API, mounted on DIR/mnt, then changed */
static void mount_api(void)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	int fs = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	int mnt, fd;

	syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "1M", 0);
	syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	mkdir("mnt", 0755);
	syscall(SYS_move_mount, mnt, "", AT_FDCWD, "mnt", MOVE_MOUNT_F_EMPTY_PATH);
	fd = syscall(SYS_fspick, AT_FDCWD, "mnt", FSPICK_CLOEXEC);
	close(fd);
	fd = syscall(SYS_open_tree, AT_FDCWD, "mnt", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	close(fd);
	syscall(SYS_mount_setattr, AT_FDCWD, "mnt", 0, &attr, sizeof(attr));
	syscall(SYS_umount2, "mnt", 0);
	close(mnt);
	close(fs);
}

/* file times in seconds and microseconds, handles, vectored I/O with flags */
static void files(void)
{
	struct timeval tv[2] = { { 1577836800, 5 }, { 1577836801, 0 } };
	struct utimbuf ub = { 1577836800, 1577923200 };
	struct { unsigned int bytes; int type; unsigned char h[128]; } fh = { 128, 0, { 0 } };
	struct iovec iov = { page, 4 };
	int mnt_id, fd;

	fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "abcdefgh", 8);
	syscall(SYS_futimesat, AT_FDCWD, "f", tv);
	syscall(SYS_utimes, "f", NULL);
	syscall(SYS_utime, "f", &ub);
	syscall(SYS_name_to_handle_at, AT_FDCWD, "f", &fh, &mnt_id, AT_SYMLINK_FOLLOW);
	fh.bytes = 0;
	syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY);
	syscall(SYS_preadv2, fd, &iov, 1, 2, 0, 0);
	syscall(SYS_pwritev2, fd, &iov, 1, 0, 0, RWF_DSYNC);
	syscall(SYS_quotactl, QCMD(Q_GETQUOTA, USRQUOTA), "/dev/nodev", 0, zeros);
	syscall(SYS_ustat, 0, page);
	close(fd);
}

/* ids, scheduling, I/O priorities, robust futexes, LDT */
static void processes(void)
{
	struct sched_attr sa;
	struct timespec ts;
	struct futex_waitv w = { .val = 1, .uaddr = (uintptr_t)page, .flags = FUTEX_32 };
	void *head;
	size_t len;
	int pid = getpid();

	syscall(SYS_kcmp, pid, pid, 0 /* KCMP_FILE */, 1, 1);
	memset(&sa, 0, sizeof(sa));
	sa.size = sizeof(sa);
	syscall(SYS_sched_setattr, 0, &sa, 0);
	syscall(SYS_sched_rr_get_interval, 0, &ts);
	syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (2 << 13) | 4);
	syscall(SYS_ioprio_get, 1, 0);
	syscall(SYS_get_robust_list, 0, &head, &len);
	syscall(SYS_futex_waitv, &w, 1, 0, NULL, CLOCK_MONOTONIC);
	syscall(SYS_modify_ldt, 0, page, 16);
	syscall(134 /* uselib */, "/nonexistent");
}

/* NUMA policies, locking, protection keys, another process's memory */
static void memory(void)
{
	struct iovec local = { page + 64, 8 }, remote = { page, 8 };
	int pid = getpid();

	syscall(SYS_set_mempolicy, 0 /* MPOL_DEFAULT */, NULL, 0);
	syscall(SYS_mbind, page, 4096, 0, NULL, 0, 0);
	syscall(SYS_mlock2, page, 4096, 1 /* MLOCK_ONFAULT */);
	syscall(SYS_pkey_alloc, 0, 2 /* PKEY_DISABLE_WRITE */);
	syscall(SYS_pkey_mprotect, page, 4096, PROT_READ | PROT_WRITE, -1);
	syscall(SYS_pkey_free, -1);
	syscall(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0);
	syscall(SYS_memfd_secret, 0);
}

/* the structures of the calls SystemTap decodes */
static void structures(void)
{
	struct rlimit rl = { 100, 200 };
	struct itimerval itv = { { 0, 0 }, { 0, 0 } };
	struct timezone tz = { 0, 0 };
	stack_t ss = { .ss_sp = NULL, .ss_flags = SS_DISABLE, .ss_size = 0 };
	struct sysinfo si;
	struct tms tm;

	memset(&si, 0, sizeof(si));
	memset(&tm, 0, sizeof(tm));
	syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl);
	syscall(SYS_setitimer, ITIMER_REAL, &itv, NULL);
	syscall(SYS_settimeofday, NULL, &tz);
	syscall(SYS_sigaltstack, &ss, NULL);
	syscall(SYS_sysinfo, &si);
	syscall(SYS_times, &tm);
}

/* signals queued to ourselves, and taken with a wait */
static void signals(void)
{
	siginfo_t si;
	sigset_t set;
	struct timespec second = { 1, 0 };
	int pid = getpid();

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_pid = pid;
	syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si);
	memset(&si, 0, sizeof(si));
	syscall(SYS_rt_sigtimedwait, &set, &si, &second, 8);
	si.si_signo = SIGUSR2;
	syscall(SYS_rt_tgsigqueueinfo, pid, pid, SIGUSR2, &si);
	syscall(SYS_rt_sigtimedwait, &set, NULL, &second, 8);
	syscall(SYS_signalfd, -1, &set, 8);
	syscall(SYS_restart_syscall);
}

/* a clock, POSIX message queues, a System V semaphore, keys */
static void ipc_time(void)
{
	struct timex tx;
	struct mq_attr attr;
	struct sembuf up = { 0, 1, 0 };
	struct timespec second = { 1, 0 };
	unsigned int prio;
	int q, sem;

	memset(&tx, 0, sizeof(tx));
	syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
	q = syscall(SYS_mq_open, "stapq", O_CREAT | O_RDWR, 0600, NULL);
	syscall(SYS_mq_timedsend, q, "hello", 5, 3, NULL);
	syscall(SYS_mq_timedreceive, q, page, 8192, &prio, NULL);
	syscall(SYS_mq_notify, q, NULL);
	syscall(SYS_mq_getsetattr, q, NULL, &attr);
	syscall(SYS_mq_unlink, "stapq");
	close(q);
	sem = syscall(SYS_semget, IPC_PRIVATE, 1, 0600);
	syscall(SYS_semtimedop, sem, &up, 1, &second);
	syscall(SYS_semctl, sem, 0, IPC_RMID, 0);
	syscall(SYS_add_key, "user", "stapkey", "secret", 6, KEY_SPEC_PROCESS_KEYRING);
	syscall(SYS_keyctl, KEYCTL_SETPERM, KEY_SPEC_PROCESS_KEYRING, 0x3f010000);
	syscall(SYS_keyctl, KEYCTL_REVOKE, -999);
	syscall(SYS_keyctl, 99, 1, 2, 3, 4);
	syscall(SYS_request_key, "user", "nokey", NULL, 0);
}

/* the system: names, I/O ports, kexec unloads, a refused reboot */
static void system_calls(void)
{
	int one = 1, type, s;
	socklen_t len = sizeof(type);

	syscall(SYS_setdomainname, "stap", 4);
	syscall(SYS_ioperm, 0x80, 1, 0);
	syscall(SYS_iopl, 0);
	syscall(SYS_kexec_load, 0, 0, NULL, 0);
	syscall(SYS_kexec_file_load, -1, -1, 0, "", 1 /* KEXEC_FILE_UNLOAD */);
	syscall(SYS_reboot, 0, 0, 0, NULL);
	syscall(SYS_membarrier, 0 /* MEMBARRIER_CMD_QUERY */, 0, 0);
	syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, NULL, 0);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	syscall(SYS_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, &type, &len);
	close(s);
	syscall(156 /* _sysctl */, NULL);
}

/* DIR/v: 5 bytes from two buffers, 3 more, then read back in two ways */
static void vfs(void)
{
	char a[4], b[4], c[16];
	struct iovec out[2] = { { "ab", 2 }, { "cde", 3 } };
	struct iovec in[2] = { { a, 4 }, { b, 4 } };
	int fd = open("v", O_CREAT | O_RDWR | O_TRUNC, 0644);

	writev(fd, out, 2);
	write(fd, "xyz", 3);
	lseek(fd, 0, SEEK_SET);
	readv(fd, in, 2);
	read(fd, c, sizeof(c));
	close(fd);
}

/* epoll, fanotify, Landlock, pidfds, NUMA and scheduling queries */
static void more_calls(void)
{
	struct epoll_event ev;
	struct timespec zero = { 0, 0 };
	struct landlock_path_beneath_attr rule = { 0, -1 };
	struct iovec iov = { cold, 4096 }, local = { page + 64, 8 }, remote = { page, 8 };
	struct sched_attr sa;
	void *pages[1] = { page };
	int status[1], mode, fd, pidfd, pid = getpid();

	fd = epoll_create1(0);
	syscall(SYS_epoll_pwait2, fd, &ev, 1, &zero, NULL, 8);
	close(fd);
	fd = syscall(SYS_fanotify_init, FAN_CLASS_NOTIF | FAN_CLOEXEC, O_RDONLY);
	syscall(SYS_fanotify_mark, fd, FAN_MARK_ADD, FAN_OPEN | FAN_CLOSE_WRITE, AT_FDCWD, ".");
	close(fd);
	syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	syscall(SYS_landlock_add_rule, -1, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
	syscall(SYS_landlock_restrict_self, -1, 0);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	fd = syscall(SYS_pidfd_getfd, pidfd, 0, 0);
	close(fd);
	syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_COLD, 0);
	syscall(SYS_process_mrelease, pidfd, 0);
	close(pidfd);
	fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	close(fd);
	memset(&sa, 0, sizeof(sa));
	syscall(SYS_sched_getattr, 0, &sa, sizeof(sa), 0);
	syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0);
	syscall(SYS_move_pages, 0, 1, pages, NULL, status, 0);
	syscall(SYS_set_mempolicy_home_node, page, 4096, 0, 0);
	syscall(SYS_lookup_dcookie, 0, zeros, 0);
	syscall(SYS_process_vm_writev, pid, &local, 1, &remote, 1, 0);
}

int main(int argc, char **argv)
{
	if (argc < 2 || chdir(argv[1]) < 0)
		return 2;
	/* fault its page in: the aliases read user memory without faulting */
	memset(zeros, 0, sizeof(zeros));
	if (argc > 2 && strcmp(argv[2], "vfs") == 0) {
		vfs();
		return 0;
	}
	aio("/proc/version");
	mount_api();
	files();
	processes();
	memory();
	structures();
	signals();
	ipc_time();
	system_calls();
	more_calls();
	return 0;
}
