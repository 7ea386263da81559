# An entry probe on a kernel function's ftrace site runs from stap's own
# ftrace_ops (runtime/kprobe.c): its kprobe stays registered but disabled
# (the kernel checked the address with it), and ftrace calls out from the
# function.  Two families' tables on one function are two ftrace_ops; a
# .return is run from its table's ftrace_ops too (it replaces the return
# address); and each probe sees every call.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
"$STAP" -r "$RELEASE" -p4 -m ft -e 'global a, b, c
probe kprobe.function("vfs_read") { if (execname() == "head") a++ }
probe kernel.function("vfs_read") { if (execname() == "head") b++ }
probe kernel.function("vfs_read").return { if (execname() == "head") c++ }
probe end { printf("kprobe.function %d, kernel.function %d, .return %d\n", a, b, c) }' \
	> /dev/null 2> err || fail "stap -p4: $(cat err)"
cat > guest.sh <<'END'
mount -t debugfs none /sys/kernel/debug 2> /dev/null
staprun /extra/ft.ko > /tmp/out 2>&1 &
pid=$!
t=0
until grep -q "vfs_read (2)" /sys/kernel/debug/tracing/enabled_functions; do
	t=$((t + 1)); [ $t -gt 600 ] && break
	usleep 100000
done
grep vfs_read /sys/kernel/debug/kprobes/list | sed 's/^[0-9a-f]* *//'
grep vfs_read /sys/kernel/debug/tracing/enabled_functions | sed 's/ *->.*//'
ln -s /bin/busybox /tmp/head
for i in 1 2 3 4 5; do /tmp/head -c 4 /proc/version; echo; done
kill -TERM $pid; wait
cat /tmp/out
END
"$vm" --script --extra ft.ko guest.sh > out 2> err || fail "stap-vm failed: $(cat err)"
expect_file out "k  vfs_read+0x0    [DISABLED][FTRACE]
k  vfs_read+0x0    [DISABLED][FTRACE]
k  vfs_read+0x0    [DISABLED][FTRACE]
vfs_read (2) R
Linu
Linu
Linu
Linu
Linu
kprobe.function 5, kernel.function 5, .return 5"
exit 0
