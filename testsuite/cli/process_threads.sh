# process("PATH").thread.begin and .thread.end, and process.thread.*: the
# threads after a process's first, each in its own context (tid() is the
# thread's, pid() its process's); the process's own start and end are
# .begin and .end.  stap_threads starts two threads one after the other.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
gcc -O0 -static -no-pie -pthread -o "$WORK/threads" "$src/stap_threads.c" ||
	fail "cannot build the program"
P="$WORK/threads"
"$STAP" --vm -c "$P" -e '
global tids, n
probe process("'"$P"'").begin { printf("begin: %s, main thread: %d\n", execname(), tid() == pid()) }
probe process("'"$P"'").thread.begin {
	tids[tid()] = ++n
	printf("thread %d begins: other than main: %d\n", n, tid() != pid())
}
probe process("'"$P"'").thread.end { printf("thread %d ends\n", tids[tid()]) }
probe process.thread.begin { if (execname() == "threads") any_begin++ }
probe process.thread.end { if (execname() == "threads") any_end++ }
probe process("'"$P"'").end { printf("end: %d threads began, %d ended (any program)\n", any_begin, any_end) }
global any_begin, any_end
' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out 'begin: threads, main thread: 1
thread 1 begins: other than main: 1
thread 1 ends
thread 2 begins: other than main: 1
thread 2 ends
end: 2 threads began, 2 ended (any program)'
# process(PID).thread.* parses; a bad suffix is refused
"$STAP" -p2 -e 'probe process(1).thread.end { }' > /dev/null 2> err || fail "process(PID).thread.end: $(cat err)"
"$STAP" -p2 -e 'probe process.thread.start { }' > /dev/null 2> err && fail "process.thread.start was accepted"
grep -q "no match for probe point: say process.thread.begin or .thread.end" err || fail "bad message: $(cat err)"
exit 0
