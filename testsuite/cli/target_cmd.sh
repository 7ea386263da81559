# -c CMD: the command starts once the begin probes have run, target() is its
# pid, and the script stops when it exits (here: sleep's own nanosleep calls,
# seen by pid, and the command's output between begin's and end's).
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -c 'sleep 1' -e '
global slept
probe begin { printf("begin, target known: %d\n", target() > 0) }
probe kprobe.function("__x64_sys_clock_nanosleep"), kprobe.function("__x64_sys_nanosleep") {
	if (pid() == target()) slept++
}
probe end { printf("end, the command slept: %d\n", slept) }' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "begin, target known: 1
end, the command slept: 1"
[ -s err ] && fail "stderr: $(cat err)"
"$STAP" --vm -c 'echo from the command' -e 'probe begin { println("begin") } probe end { println("end") }' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "begin
from the command
end"
exit 0
