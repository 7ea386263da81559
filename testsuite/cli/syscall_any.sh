# syscall_any and syscall_any.return: every system call of the command, by
# number and name, on the raw_syscalls tracepoints.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'cat /proc/version > /dev/null' -e '
global n, opened
probe syscall_any { if (pid() == target() || ppid() == target()) n[name]++ }
probe syscall_any.return { if (name == "openat" && retval >= 0 && execname() == "cat") opened++ }
probe begin { printf("%s %s %s\n", syscall_name(0), syscall_name(257), syscall_name(99999)) }
probe end { printf("openat=%d execve=%d exit_group=%d opened=%d\n", n["openat"] > 0,
		   n["execve"] > 0, n["exit_group"] > 0, opened > 0) }' > out 2> err || fail "stap failed: $(cat err)"
expect_file out "read openat syscall_99999
openat=1 execve=1 exit_group=1 opened=1"
exit 0
