# SIGTERM sent to stap alone (as timeout(1) does) is passed on: end probes run.
. "$(dirname "$0")/lib.sh"
setsid "$STAP" --vm -e 'global started
probe timer.ms(100) { if (!started++) println("running") }
probe end { println("end ran") }' > out 2> err &
pid=$!
# never leave a VM running behind a failed test
trap 'kill -KILL -- -$pid 2>/dev/null' EXIT
for i in $(seq 1 120); do grep -q running out 2>/dev/null && break; sleep 0.5; done
grep -q running out || fail "the script never started: $(cat err)"
kill -TERM $pid		# stap alone, as timeout(1) would
wait $pid
rc=$?
[ $rc = 0 ] || fail "stap exited $rc after SIGTERM: $(cat err)"
expect_file out "running
end ran"
