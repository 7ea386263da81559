# The target set of stap -c: the command's shell T (whose parent in the
# set is stapio), the process it forks for usleep U (T begat U; busybox
# runs the applet without an exec), reported while U sleeps; both gone
# from it once they exited; never pid 1; empty without -c.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c "sh -c 'usleep 1; true'" -e '
probe begin { printf("target %d stapio %d\n", target(), stp_pid()) }
probe kprobe.function("__x64_sys_clock_nanosleep"), kprobe.function("__x64_sys_nanosleep") {
	if (pid() != target() && target_set_pid(pid())) {
		printf("usleep %d parent %d\n", pid(), ppid())
		target_set_report()
	}
}
probe end {
	target_set_report()
	println(target_set_pid(target()), target_set_pid(1))
}' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
read -r _ T _ S < out
U=$(awk '$1 == "usleep" { print $2 }' out)
[ -n "$T" ] && [ -n "$S" ] && [ -n "$U" ] || fail "unexpected output: $(cat out)"
expect_file out "target $T stapio $S
usleep $U parent $T
target set:
$S begat $T
$T begat $U
target set:
00"

"$STAP" --vm -e 'probe begin { target_set_report(); println(target_set_pid(stp_pid())); exit() }' \
	> out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out "target set:
0"
exit 0
