# The syscall.NAME aliases added for the rest of the x86-64 table, and the
# structures SystemTap decodes (setrlimit's rlim_str, sysinfo's info_str,
# sigaltstack's uss_str ...), on the calls of testsuite/uprog/stap_syscalls.c:
# each call's arguments and result are known, so each argstr and retstr is.
# The program runs in /tmp/s, on the VM's root tmpfs, as root, with the
# VM's emulated CPU (no protection keys: pkey_alloc finds none free) and
# the cloud kernel's defaults (secret memory off, Landlock on).  Addresses
# become ADDR, the AIO context (a user address in decimal) CTX, the
# program's pid PID; -d copies the program into the VM.  -DSTP_NO_OVERLOAD:
# 150 handlers that print, on a TCG vCPU that a loaded host preempts, can
# add up to the guard's half second of cycles in one second; the guard is
# not what this tests.  set_mempolicy_home_node finds no mapping in its
# range with a policy of its own: ENOENT.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -O0 -static -no-pie -o "$WORK/sc" "$src/stap_syscalls.c" || fail "cannot build the program"
"$STAP" -DSTP_NO_OVERLOAD --vm -d "$WORK/sc" -c "mkdir /tmp/s; $WORK/sc /tmp/s" -e '
probe begin { printf("target %d\n", target()) }
probe syscall.io_setup, syscall.io_submit, syscall.io_getevents, syscall.io_pgetevents,
      syscall.io_cancel, syscall.io_destroy,
      syscall.fsopen, syscall.fsconfig, syscall.fsmount, syscall.move_mount, syscall.fspick,
      syscall.open_tree, syscall.mount_setattr,
      syscall.futimesat, syscall.utimes, syscall.utime, syscall.name_to_handle_at,
      syscall.open_by_handle_at, syscall.preadv2, syscall.pwritev2, syscall.quotactl, syscall.ustat,
      syscall.kcmp, syscall.sched_setattr, syscall.sched_rr_get_interval, syscall.ioprio_set,
      syscall.ioprio_get, syscall.get_robust_list, syscall.futex_waitv, syscall.modify_ldt,
      syscall.uselib,
      syscall.set_mempolicy, syscall.mbind, syscall.mlock2, syscall.pkey_alloc,
      syscall.pkey_mprotect, syscall.pkey_free, syscall.process_vm_readv, syscall.memfd_secret,
      syscall.setrlimit, syscall.setitimer, syscall.settimeofday, syscall.sigaltstack,
      syscall.sysinfo, syscall.times,
      syscall.rt_sigqueueinfo, syscall.rt_sigtimedwait, syscall.rt_tgsigqueueinfo,
      syscall.signalfd, syscall.restart_syscall,
      syscall.clock_adjtime, syscall.mq_open, syscall.mq_timedsend, syscall.mq_timedreceive,
      syscall.mq_notify, syscall.mq_getsetattr, syscall.mq_unlink, syscall.semtimedop,
      syscall.semctl, syscall.add_key, syscall.keyctl, syscall.request_key,
      syscall.setdomainname, syscall.ioperm, syscall.iopl, syscall.kexec_load,
      syscall.kexec_file_load, syscall.reboot, syscall.membarrier, syscall.bpf, syscall.sysctl,
      syscall.epoll_pwait2, syscall.fanotify_init, syscall.fanotify_mark,
      syscall.landlock_create_ruleset, syscall.landlock_add_rule, syscall.landlock_restrict_self,
      syscall.pidfd_getfd, syscall.process_madvise, syscall.process_mrelease, syscall.userfaultfd,
      syscall.sched_getattr, syscall.get_mempolicy, syscall.move_pages,
      syscall.set_mempolicy_home_node, syscall.lookup_dcookie, syscall.process_vm_writev {
	if (pid() == target())
		printf("%s(%s)\n", name, argstr)
}
probe syscall.io_setup.return, syscall.io_submit.return, syscall.io_getevents.return,
      syscall.io_pgetevents.return, syscall.io_cancel.return, syscall.io_destroy.return,
      syscall.fsopen.return, syscall.fsconfig.return, syscall.fsmount.return,
      syscall.move_mount.return, syscall.fspick.return, syscall.open_tree.return,
      syscall.mount_setattr.return,
      syscall.futimesat.return, syscall.utimes.return, syscall.utime.return,
      syscall.name_to_handle_at.return, syscall.open_by_handle_at.return,
      syscall.preadv2.return, syscall.pwritev2.return, syscall.quotactl.return,
      syscall.ustat.return,
      syscall.kcmp.return, syscall.sched_setattr.return, syscall.sched_rr_get_interval.return,
      syscall.ioprio_set.return, syscall.ioprio_get.return, syscall.get_robust_list.return,
      syscall.futex_waitv.return, syscall.modify_ldt.return, syscall.uselib.return,
      syscall.set_mempolicy.return, syscall.mbind.return, syscall.mlock2.return,
      syscall.pkey_alloc.return, syscall.pkey_mprotect.return, syscall.pkey_free.return,
      syscall.process_vm_readv.return, syscall.memfd_secret.return,
      syscall.setrlimit.return, syscall.setitimer.return, syscall.settimeofday.return,
      syscall.sigaltstack.return, syscall.sysinfo.return,
      syscall.rt_sigqueueinfo.return, syscall.rt_sigtimedwait.return,
      syscall.rt_tgsigqueueinfo.return, syscall.signalfd.return, syscall.restart_syscall.return,
      syscall.clock_adjtime.return, syscall.mq_open.return, syscall.mq_timedsend.return,
      syscall.mq_timedreceive.return, syscall.mq_notify.return, syscall.mq_getsetattr.return,
      syscall.mq_unlink.return, syscall.semtimedop.return, syscall.semctl.return,
      syscall.keyctl.return, syscall.request_key.return,
      syscall.setdomainname.return, syscall.ioperm.return, syscall.iopl.return,
      syscall.kexec_load.return, syscall.kexec_file_load.return, syscall.reboot.return,
      syscall.membarrier.return, syscall.bpf.return, syscall.sysctl.return,
      syscall.epoll_pwait2.return, syscall.fanotify_init.return, syscall.fanotify_mark.return,
      syscall.landlock_create_ruleset.return, syscall.landlock_add_rule.return,
      syscall.landlock_restrict_self.return, syscall.pidfd_getfd.return,
      syscall.process_madvise.return, syscall.process_mrelease.return,
      syscall.userfaultfd.return, syscall.sched_getattr.return, syscall.get_mempolicy.return,
      syscall.move_pages.return, syscall.set_mempolicy_home_node.return,
      syscall.lookup_dcookie.return, syscall.process_vm_writev.return {
	if (pid() == target())
		printf("%s = %s\n", name, retstr)
}
# a key serial is random; times returns clock ticks
probe syscall.add_key.return { if (pid() == target()) printf("%s: %s\n", name, retval > 0 ? "a serial" : retstr) }
probe syscall.times.return { if (pid() == target()) printf("%s: %s\n", name, retval > 0 ? "ticks" : retstr) }
probe syscall.setsockopt, syscall.getsockopt {
	if (pid() == target())
		printf("%s(%s) %s %s\n", name, argstr, level_str, optname_str)
}
' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
pid=$(sed -n 's/^target //p' out)
[ -n "$pid" ] || fail "no target pid: $(cat out)"
# the pid only where the calls take it: it may equal any other number
sed -i -E "s/0x[0-9a-f]{6,}/ADDR/g; s/[0-9]{12,}/CTX/g" out
sed -i -E "/^(kcmp|rt_sigqueueinfo|rt_tgsigqueueinfo|process_vm_readv|process_vm_writev)\\(/s/\\b$pid\\b/PID/g; /^target /s/$pid/PID/" out
expect_file out 'target PID
io_setup(8, ADDR)
io_setup = 0
io_submit(CTX, 1, ADDR)
io_submit = 1
io_getevents(CTX, 1, 1, ADDR, NULL)
io_getevents = 1
io_pgetevents(CTX, 0, 1, ADDR, [0.000000000], 0x0)
io_pgetevents = 0
io_cancel(CTX, ADDR, ADDR)
io_cancel = -22 (EINVAL)
io_destroy(CTX)
io_destroy = 0
fsopen("tmpfs", FSOPEN_CLOEXEC)
fsopen = 3
fsconfig(3, FSCONFIG_SET_STRING, "size", ADDR, 0)
fsconfig = 0
fsconfig(3, FSCONFIG_CMD_CREATE, NULL, 0x0, 0)
fsconfig = 0
fsmount(3, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID|MOUNT_ATTR_NODEV)
fsmount = 4
move_mount(4, "", AT_FDCWD, "mnt", MOVE_MOUNT_F_EMPTY_PATH)
move_mount = 0
fspick(AT_FDCWD, "mnt", FSPICK_CLOEXEC)
fspick = 5
open_tree(AT_FDCWD, "mnt", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC)
open_tree = 5
mount_setattr(AT_FDCWD, "mnt", 0, ADDR, 32)
mount_setattr = 0
futimesat(AT_FDCWD, "f", [1577836800.000005][1577836801.000000])
futimesat = 0
utimes("f", NULL)
utimes = 0
utime("f", [Wed Jan  1 00:00:00 2020, Thu Jan  2 00:00:00 2020])
utime = 0
name_to_handle_at(AT_FDCWD, "f", ADDR, ADDR, AT_SYMLINK_FOLLOW)
name_to_handle_at = 0
open_by_handle_at(AT_FDCWD, ADDR, O_RDONLY)
open_by_handle_at = -22 (EINVAL)
preadv2(3, ADDR, 1, 0x2, 0x0)
preadv2 = 4
pwritev2(3, ADDR, 1, 0x0, RWF_DSYNC)
pwritev2 = 4
quotactl(Q_GETQUOTA|USRQUOTA, "/dev/nodev", 0, {dqb_bhardlimit=0, dqb_bsoftlimit=0, dqb_curspace=0, dqb_ihardlimit=0, dqb_isoftlimit=0, ...})
quotactl = -2 (ENOENT)
ustat(0, ADDR)
ustat = -22 (EINVAL)
kcmp(PID, PID, KCMP_FILE, 1, 1)
kcmp = 0
sched_setattr(0, {size=56, sched_policy=0, sched_flags=0, sched_nice=0, sched_priority=0, sched_runtime=0, sched_deadline=0, sched_period=0}, 0)
sched_setattr = 0
sched_rr_get_interval(0, ADDR)
sched_rr_get_interval = 0
ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_BE|4)
ioprio_set = 0
ioprio_get(IOPRIO_WHO_PROCESS, 0)
ioprio_get = 16388
get_robust_list(0, ADDR, ADDR)
get_robust_list = 0
futex_waitv(ADDR, 1, 0x0, NULL, CLOCK_MONOTONIC)
futex_waitv = -11 (EAGAIN)
modify_ldt(0, ADDR, 16)
modify_ldt = 0
uselib("/nonexistent")
uselib = -38 (ENOSYS)
set_mempolicy(MPOL_DEFAULT, 0x0, 0)
set_mempolicy = 0
mbind(ADDR, 4096, MPOL_DEFAULT, 0x0, 0, 0x0)
mbind = 0
mlock2(ADDR, 4096, MLOCK_ONFAULT)
mlock2 = 0
pkey_alloc(0, PKEY_DISABLE_WRITE)
pkey_alloc = -28 (ENOSPC)
pkey_mprotect(ADDR, 4096, PROT_READ|PROT_WRITE, -1)
pkey_mprotect = 0
pkey_free(-1)
pkey_free = -22 (EINVAL)
process_vm_readv(PID, ADDR, 1, ADDR, 1, 0)
process_vm_readv = 8
memfd_secret(0)
memfd_secret = -38 (ENOSYS)
setrlimit(RLIMIT_NOFILE, [100,200])
setrlimit = 0
setitimer(ITIMER_REAL, [0.000000,0.000000], 0x0)
setitimer = 0
settimeofday(NULL, [0, 0])
settimeofday = 0
sigaltstack({ss_sp=0x0, ss_flags=SS_DISABLE, ss_size=0}, 0x0)
sigaltstack = 0
sysinfo({uptime=0, loads=[0, 0, 0], totalram=0, freeram=0, sharedram=0, bufferram=0, totalswap=0, freeswap=0, procs=0})
sysinfo = 0
times({tms_utime=0, tms_stime=0, tms_cutime=0, tms_cstime=0})
times: ticks
rt_sigqueueinfo(PID, SIGUSR1, {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=PID, si_uid=0})
rt_sigqueueinfo = 0
rt_sigtimedwait([SIGUSR1|SIGUSR2], {si_signo=0, si_code=SI_USER, si_pid=0, si_uid=0}, [1.000000000], 8)
rt_sigtimedwait = 10
rt_tgsigqueueinfo(PID, PID, SIGUSR2, {si_signo=SIGUSR2, si_code=SI_QUEUE, si_pid=PID, si_uid=0})
rt_tgsigqueueinfo = 0
rt_sigtimedwait([SIGUSR1|SIGUSR2], NULL, [1.000000000], 8)
rt_sigtimedwait = 12
signalfd(-1, ADDR, 8)
signalfd = 3
restart_syscall()
restart_syscall = -4 (EINTR)
clock_adjtime(CLOCK_REALTIME, {0x0, constant=0, esterror=0, freq=0, maxerror=0, offset=0, precision=0, status=0, tick=0, tolerance=0})
clock_adjtime = 5
mq_open("stapq", O_RDWR|O_CREAT, 0600, 0x0)
mq_open = 4
mq_timedsend(4, ADDR, 5, 3, 0x0)
mq_timedsend = 0
mq_timedreceive(4, ADDR, 8192, ADDR, 0x0)
mq_timedreceive = 5
mq_notify(4, 0x0)
mq_notify = 0
mq_getsetattr(4, 0x0, ADDR)
mq_getsetattr = 0
mq_unlink("stapq")
mq_unlink = 0
semtimedop(0, ADDR, 1, [1.000000000])
semtimedop = 0
semctl(0, 0, IPC_RMID, 0x0)
semctl = 0
add_key("user", "stapkey", "secret", 6, -2)
add_key: a serial
keyctl(KEYCTL_SETPERM, -2, KEY_POS_VIEW|KEY_POS_READ|KEY_POS_WRITE|KEY_POS_SEARCH|KEY_POS_LINK|KEY_POS_SETATTR|KEY_USR_VIEW)
keyctl = 0
keyctl(KEYCTL_REVOKE, -999)
keyctl = -22 (EINVAL)
keyctl(99, 1, 2, 3, 4)
keyctl = -95 (EOPNOTSUPP)
request_key("user", "nokey", 0x0, 0)
request_key = -126 (ENOKEY)
setdomainname("stap", 4)
setdomainname = 0
ioperm(0x80, 0x1, 0x0)
ioperm = 0
iopl(0)
iopl = 0
kexec_load(0x0, 0, 0x0, KEXEC_ARCH_DEFAULT)
kexec_load = 0
kexec_file_load(-1, -1, 0, "", KEXEC_FILE_UNLOAD)
kexec_file_load = 0
reboot(0x0, 0x0, LINUX_REBOOT_CMD_CAD_OFF, 0x0)
reboot = -22 (EINVAL)
membarrier(MEMBARRIER_CMD_QUERY, 0)
membarrier = 511
bpf(BPF_MAP_CREATE, 0x0, 0)
bpf = -22 (EINVAL)
setsockopt(4, 1, 2, ADDR, 4) SOL_SOCKET SO_REUSEADDR
getsockopt(4, 1, 3, ADDR, ADDR) SOL_SOCKET SO_TYPE
sysctl(0x0)
sysctl = -38 (ENOSYS)
epoll_pwait2(4, ADDR, 1, [0.000000000], 0x0, 8)
epoll_pwait2 = 0
fanotify_init(FAN_CLASS_NOTIF|FAN_CLOEXEC, O_RDONLY)
fanotify_init = 4
fanotify_mark(4, FAN_MARK_ADD, FAN_CLOSE_WRITE|FAN_OPEN, AT_FDCWD, ".")
fanotify_mark = 0
landlock_create_ruleset(0x0, 0, LANDLOCK_CREATE_RULESET_VERSION)
landlock_create_ruleset = 2
landlock_add_rule(-1, LANDLOCK_RULE_PATH_BENEATH, ADDR, 0x0)
landlock_add_rule = -9 (EBADF)
landlock_restrict_self(-1, 0x0)
landlock_restrict_self = -9 (EBADF)
pidfd_getfd(4, 0, 0x0)
pidfd_getfd = 5
process_madvise(4, ADDR, 1, MADV_COLD, 0x0)
process_madvise = 4096
process_mrelease(4, 0x0)
process_mrelease = -22 (EINVAL)
userfaultfd(O_CLOEXEC)
userfaultfd = 4
sched_getattr(0, {size=0, sched_policy=0, sched_flags=0, sched_nice=0, sched_priority=0, sched_runtime=0, sched_deadline=0, sched_period=0}, 56, 0)
sched_getattr = 0
get_mempolicy(ADDR, 0x0, 0, 0x0, 0x0)
get_mempolicy = 0
move_pages(0, 1, ADDR, 0x0, ADDR, 0x0)
move_pages = 0
set_mempolicy_home_node(ADDR, 4096, 0, 0x0)
set_mempolicy_home_node = -2 (ENOENT)
lookup_dcookie(0x0, ADDR, 0x0)
lookup_dcookie = -38 (ENOSYS)
process_vm_writev(PID, ADDR, 1, ADDR, 1, 0)
process_vm_writev = 8'
exit 0
