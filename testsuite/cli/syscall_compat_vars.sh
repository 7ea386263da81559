# Variables of syscall.* and nd_syscall.* that SystemTap 4.8 offers, for
# real calls of busybox commands: openat's filename_unquoted next to the
# quoted filename and flags_str, mkdir's pathname_unquoted through
# nd_syscall.mkdir, and connect's uaddr_* over the loopback, IPv4 and
# IPv6 (nothing listens: the connect is refused, its arguments are what
# matters).
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'ip link set lo up; mkdir "/tmp/sc \"d\""; echo x > "/tmp/sc \"d\"/f"
cat "/tmp/sc \"d\"/f" > /dev/null; nc 127.0.0.1 5000 < /dev/null 2> /dev/null
nc ::1 5001 < /dev/null 2> /dev/null; true' -e '
probe syscall.openat {
	if ((pid() == target() || ppid() == target()) && filename_unquoted =~ "^/tmp/sc ")
		printf("openat %s|%s|%s\n", filename_unquoted, filename, flags_str)
}
probe nd_syscall.mkdir {
	if (pid() == target() || ppid() == target())
		printf("mkdir %s|%s\n", pathname_unquoted, pathname)
}
probe syscall.connect {
	if (pid() == target() || ppid() == target())
		printf("connect %s|%s|%s|%s|%s\n", uaddr_af, uaddr_ip, uaddr_ip_port,
		       uaddr_ipv6_flowinfo, uaddr_ipv6_scope_id)
}' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out 'mkdir /tmp/sc "d"|"/tmp/sc \"d\""
openat /tmp/sc "d"/f|"/tmp/sc \"d\"/f"|O_WRONLY|O_CREAT|O_TRUNC
openat /tmp/sc "d"/f|"/tmp/sc \"d\"/f"|O_RDONLY
connect AF_INET|127.0.0.1|5000||
connect AF_INET6|0000:0000:0000:0000:0000:0000:0000:0001|5001|0|0'
exit 0
