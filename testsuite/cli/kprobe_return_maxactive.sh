# .return.maxactive(N) on a function hooked by stap's own ftrace_ops
# (runtime/kprobe_ret.c): with four calls of pipe_read blocked at once
# and N = 2, two returns are reported and two are skipped probes.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
"$STAP" -r "$RELEASE" -p4 -m rm -e 'global n
probe kernel.function("pipe_read").return.maxactive(2) { if (execname() == "head") n++ }
probe end { printf("rm: .return %d\n", n) }' > /dev/null 2> err || fail "stap -p4: $(cat err)"
cat > guest.sh <<'END'
mount -t debugfs none /sys/kernel/debug 2> /dev/null
ln -s /bin/busybox /tmp/head
staprun /extra/rm.ko > /tmp/rm 2>&1 &
pm=$!
t=0
until grep -q "^pipe_read " /sys/kernel/debug/tracing/enabled_functions; do
	t=$((t + 1)); [ $t -gt 600 ] && echo "rm did not start" && break
	usleep 100000
done
readers=
for i in 1 2 3 4; do
	(sleep 2; echo x) | /tmp/head -c 1 > /dev/null &
	readers="$readers $!"
done
wait $readers
kill -TERM $pm; wait $pm
cat /tmp/rm
END
"$vm" --script --extra rm.ko guest.sh > out 2> err || fail "stap-vm failed: $(cat err)"
expect_file out "rm: .return 2
WARNING: Number of errors: 0, skipped probes: 2"
exit 0
