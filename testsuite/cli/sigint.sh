# ^C stops a running script in order: the end probe runs and stap exits 0.
. "$(dirname "$0")/lib.sh"
setsid "$STAP" --vm -e 'global n
probe timer.ms(100) { if (++n == 2) println("running") }
probe end { printf("end ran after %s ticks\n", n >= 2 ? "some" : "no") }' > out 2> err &
pid=$!
# never leave a VM running behind a failed test
trap 'kill -KILL -- -$pid 2>/dev/null' EXIT
for i in $(seq 1 120); do grep -q running out 2>/dev/null && break; sleep 0.5; done
grep -q running out || fail "the script never started: $(cat err)"
kill -INT -- -$pid		# as the terminal does: the whole process group
wait $pid
rc=$?
[ $rc = 0 ] || fail "stap exited $rc after ^C: $(cat err)"
expect_file out "running
end ran after some ticks"
