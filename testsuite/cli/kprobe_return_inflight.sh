# A .return probe on a kernel function's ftrace site replaces the return
# address itself (runtime/kprobe.c).  Calls still running when a script
# stops must return to their callers once the module is gone: restored
# on the stack, under a kretprobe (a kprobe event's) and the function
# graph tracer that hooked the return after us, or under another stap
# module's hook.  A process that exits
# inside a probed function gives its slot back: 300 exits inside
# do_group_exit (more than the 256 slots) leave later returns reported.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
build() {
	"$STAP" -r "$RELEASE" -p4 -m "$1" -e "$2" > /dev/null 2> err || fail "stap -p4 $1: $(cat err)"
}
build ra 'global n, k
probe kernel.function("vfs_read").return { if (execname() == "head") n++ }
probe kprobe.function("vfs_read").return.maxactive(4) { if (execname() == "head") k++ }
probe end { printf("ra: .return %d, .maxactive(4) %d\n", n, k) }'
for m in rb1 rb2; do
	build $m "global n
probe kernel.function(\"vfs_read\").return { if (execname() == \"head\") n++ }
probe end { printf(\"$m: .return %d\\n\", n) }"
done
build rd 'global n, e
probe kernel.function("do_group_exit").return { e++ }
probe kernel.function("vfs_read").return { if (execname() == "head") n++ }
probe end { printf("rd: .return %d, exits returned %d\n", n, e) }'
cat > guest.sh <<'END'
mount -t debugfs none /sys/kernel/debug 2> /dev/null
ln -s /bin/busybox /tmp/head
cd /sys/kernel/debug/tracing
# how many ftrace users vfs_read has
hooks() {
	sed -n 's/^vfs_read (\([0-9]*\)).*/\1/p' enabled_functions
}
# start MODULE OUT: starts it, returns once its probes are on vfs_read
start() {
	before=$(hooks)
	staprun /extra/$1.ko > $2 2>&1 &
	t=0
	until [ "$(hooks)" -gt "${before:-0}" ]; do
		t=$((t + 1)); [ $t -gt 600 ] && echo "$1 did not start" && break
		usleep 100000
	done
}
# calls SECONDS OUT: one read that blocks in vfs_read until SECONDS have
# passed, then gets "late" into OUT (its pid in ph), and one that returns
calls() {
	(sleep $1; echo late) | /tmp/head -c 5 > $2 & ph=$!
	/tmp/head -c 4 /proc/version; echo
	sleep 1
}
echo "-- under a kretprobe and the graph tracer"
# the newest ftrace_ops runs first: these hook the return after us
echo 'r:stapret vfs_read' > kprobe_events
echo 1 > events/kprobes/stapret/enable
echo vfs_read > set_ftrace_filter
echo function_graph > current_tracer
start ra /tmp/ra; pa=$!
calls 4 /tmp/h1
kill -TERM $pa; wait $pa
cat /tmp/ra
wait $ph; cat /tmp/h1
echo 0 > tracing_on
echo 0 > events/kprobes/stapret/enable
grep -q "stapret: (" trace && echo "kretprobe returned"
grep -q "} /\* vfs_read \*/" trace && echo "graph tracer returned"
echo nop > current_tracer
echo > kprobe_events
echo > set_ftrace_filter
echo > trace
echo 1 > tracing_on
echo "-- under another module"
start rb1 /tmp/rb1; p1=$!
start rb2 /tmp/rb2; p2=$!
calls 5 /tmp/h2
# ftrace calls the newest ftrace_ops first: rb1 hooks the return after
# rb2, so rb2 finds its stub in rb1's slot
kill -TERM $p2; wait $p2
cat /tmp/rb2
kill -TERM $p1; wait $p1
cat /tmp/rb1
wait $ph; cat /tmp/h2
# a return it could not put back is waited for, with this message after 1 s
dmesg | grep "stap: waiting"
echo "-- exits inside"
start rd /tmp/rd; pd=$!
i=0
while [ $i -lt 300 ]; do sh -c 'exit 0'; i=$((i + 1)); done
/tmp/head -c 4 /proc/version; echo
kill -TERM $pd; wait $pd
cat /tmp/rd
lsmod | grep -c "^r[abd]"
dmesg | grep -E "BUG|Oops|WARNING|general protection" | head -5
END
"$vm" --script --extra ra.ko --extra rb1.ko --extra rb2.ko --extra rd.ko guest.sh > out 2> err ||
	fail "stap-vm failed: $(cat err)"
expect_file out "-- under a kretprobe and the graph tracer
Linu
ra: .return 1, .maxactive(4) 1
late
kretprobe returned
graph tracer returned
-- under another module
Linu
rb2: .return 1
rb1: .return 1
late
-- exits inside
Linu
rd: .return 1, exits returned 0
0"
exit 0
