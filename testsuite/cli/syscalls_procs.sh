# syscall.NAME and .return for processes, signals, time, memory, pipes and
# sockets, named one by one, with their variables as well as argstr/retstr.
# The command's shell forks (clone) a child for each command and waits
# (wait4) for it; children are told apart from the shell by ppid().  What
# the shell and a child do at the same time comes in either order, so the
# shell's clone returns and its first wait4 calls are not printed, and the
# pipeline runs in a subshell, whose own children are not shown.
# nd_syscall.setsockopt checks the nd_syscall.NAME aliases of syscall.NAME.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'sleep 1; kill -USR1 99999 2>/dev/null; cat /nonexistent 2>/dev/null
(echo hi | cat >/dev/null); ip link set lo up; nc 127.0.0.1 1 </dev/null 2>/dev/null
dd if=/dev/zero of=/dev/null bs=1M count=1 2>/dev/null; true' -e '
function kid() { return ppid() == target() }
probe syscall.clone { if (pid() == target()) printf("clone: %s\n", __fork_flags(clone_flags)) }
probe syscall.wait4 { if (pid() == target() && options) printf("wait4: %d %s\n", pid, options_str) }
probe syscall.wait4.return { if (pid() == target()) printf("wait4 = %s %s\n", retval > 0 ? "CHILD" : retstr, status_str) }
probe syscall.execve { if (kid()) printf("%s(%s)\n", name, argstr) }
probe syscall.execve.return { if (kid()) printf("%s = %s\n", name, retstr) }
probe syscall.exit_group { if (kid()) printf("%s(%s) status=%d\n", name, argstr, status) }
probe syscall.rt_sigaction { if (kid() && sig_str == "SIGQUIT") printf("%s: %s %s\n", name, sig_str, act_str) }
probe syscall.clock_nanosleep { if (kid()) printf("%s: %s %s %s\n", name, clk_id_str, flags_str, req_str) }
probe syscall.clock_nanosleep.return { if (kid()) printf("%s = %s\n", name, retstr) }
probe syscall.kill { if (pid() == target()) printf("%s(%s) pid=%d sig=%d\n", name, argstr, pid, sig) }
probe syscall.kill.return { if (pid() == target()) printf("%s = %s %d\n", name, retstr, retval) }
probe syscall.pipe2 { if (kid()) printf("%s: %s\n", name, flag_str) }
probe syscall.pipe2.return { if (kid()) printf("%s = %s [%d, %d]\n", name, retstr, pipe0, pipe1) }
probe syscall.socket, syscall.connect, nd_syscall.setsockopt, syscall.mmap2 {
	if (kid()) printf("%s(%s)\n", name, argstr)
}
probe syscall.socket.return, syscall.connect.return, nd_syscall.setsockopt.return {
	if (kid()) printf("%s = %s\n", name, retstr)
}
probe syscall.mmap2.return { if (kid()) printf("%s = %s\n", name, retval > 0 ? "ADDR" : retstr) }
' > out 2> err || fail "stap failed: $(cat err)"
sed -i 's/0x[0-9a-f]*/ADDR/g' out
expect_file out 'clone: CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD
rt_sigaction: SIGQUIT {SIG_DFL}
execve("/proc/self/exe", ["sleep", "1"], /* 6 vars */)
execve = 0
clock_nanosleep: CLOCK_REALTIME 0 [1.000000000]
clock_nanosleep = 0
exit_group(0) status=0
wait4 = CHILD WEXITSTATUS=0
wait4: -1 WNOHANG
wait4 = -10 (ECHILD) N/A
kill(99999, SIGUSR1) pid=99999 sig=10
kill = -3 (ESRCH) -3
clone: CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD
rt_sigaction: SIGQUIT {SIG_DFL}
execve("/proc/self/exe", ["cat", "/nonexistent"], /* 6 vars */)
execve = 0
exit_group(1) status=1
wait4 = CHILD WEXITSTATUS=1
wait4: -1 WNOHANG
wait4 = -10 (ECHILD) N/A
clone: CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD
rt_sigaction: SIGQUIT {SIG_DFL}
pipe2: 0
pipe2 = 0 [3, 4]
exit_group(0) status=0
wait4 = CHILD WEXITSTATUS=0
wait4: -1 WNOHANG
wait4 = -10 (ECHILD) N/A
clone: CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD
rt_sigaction: SIGQUIT {SIG_DFL}
socket(AF_INET, SOCK_DGRAM, IPPROTO_IP)
socket = 3
exit_group(0) status=0
wait4 = CHILD WEXITSTATUS=0
wait4: -1 WNOHANG
wait4 = -10 (ECHILD) N/A
clone: CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD
rt_sigaction: SIGQUIT {SIG_DFL}
execve("/proc/self/exe", ["nc", "127.0.0.1", "1"], /* 6 vars */)
execve = 0
socket(AF_INET, SOCK_STREAM, IPPROTO_IP)
socket = 3
setsockopt(3, 1, 2, ADDR, 4)
setsockopt = 0
connect(3, {AF_INET, 127.0.0.1, 1}, 16)
connect = -111 (ECONNREFUSED)
exit_group(1) status=1
wait4 = CHILD WEXITSTATUS=1
wait4: -1 WNOHANG
wait4 = -10 (ECHILD) N/A
clone: CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD
rt_sigaction: SIGQUIT {SIG_DFL}
mmap2(ADDR, 1048576, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
mmap2 = ADDR
exit_group(0) status=0
wait4 = CHILD WEXITSTATUS=0
wait4: -1 WNOHANG
wait4 = -10 (ECHILD) N/A'
[ -s err ] && fail "stderr: $(cat err)"
exit 0
