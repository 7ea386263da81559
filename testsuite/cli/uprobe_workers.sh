# process("PATH") probes in the threads of a dynamically linked PIE
# (testsuite/uprog/stap_workers.c, gcc -O2 -pthread): .function and
# .return fire in each thread (tid() is not pid()), with the parameter,
# the return value, and the global read where the PIE was loaded.  A
# function whose first instruction has a LOCK prefix (count(), an atomic
# increment) is an error that says why: the kernel's uprobes would refuse
# it silently when the program maps it, and the probe would never fire;
# as one point of a wildcard it is left out.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -g -O2 -pthread -o workers "$src/stap_workers.c" || fail "cannot build the program"
objdump -d workers | grep -A1 '<count>:' | grep -q 'lock' || fail "count() does not start with lock"
addr=$(nm workers | awk '$3 == "count" { sub(/^0+/, "", $1); print $1 }')

"$STAP" -r "$RELEASE" -p2 -e 'probe process("./workers").function("count") { }' > out 2> err &&
	fail "a probe on a LOCK-prefixed instruction was accepted"
grep -q "^<input>:1:7: error: semantic error: cannot probe process(\"$WORK/workers\").function(\"count@.*stap_workers.c:[0-9]*\"): the instruction at 0x$addr of $WORK/workers has a LOCK prefix, which the kernel's uprobes refuse to single-step\$" err ||
	fail "bad message: $(cat err)"
"$STAP" -r "$RELEASE" -p2 -e 'probe process("./workers").function("*o*") { }' > out 2> err ||
	fail "the wildcard failed: $(cat err)"
grep -c '^process(.*function("' out | grep -qx 1 && grep -q 'function("work@' out ||
	fail "the wildcard's points: $(cat out)"

"$STAP" --vm -c ./workers -e '
global in_thread, result, hits_seen
probe process("./workers").function("work") {
	in_thread[$id] = tid() != pid()
	hits_seen[$id] = @var("hits") >= 0 && @var("hits") < 3
}
probe process("./workers").function("work").return { result[$id] = $return }
probe process("./workers").end {
	foreach (id+ in result)
		printf("work(%d) = %d, in a thread: %d, hits read: %d\n", id, result[id],
		       in_thread[id], hits_seen[id])
}' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out "hits 3
work(0) = 0, in a thread: 1, hits read: 1
work(1) = 10, in a thread: 1, hits read: 1
work(2) = 20, in a thread: 1, hits read: 1"
exit 0
