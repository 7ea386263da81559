# kernel.trace on a module's tracepoint while the module comes and goes:
# stap_testmod is not loaded when the script starts, then loaded, unloaded
# and loaded again.  Its probe is registered each time the module arrives
# and unregistered when it leaves (else rmmod would find it still on the
# tracepoint); each load starts stm_calls, the event's $code, at 0 again,
# and @var reads the module's stm_calls where it is loaded this time.
# -d names the .ko for kernel.trace and copies it into the VM.
. "$(dirname "$0")/lib.sh"
[ -e "/usr/lib/debug/boot/vmlinux-$RELEASE" ] || { echo "skipped: no vmlinux debuginfo (vm/install-debuginfo)"; exit 0; }
kb=/lib/modules/$RELEASE/build
[ -d "$kb" ] || { echo "skipped: no kernel headers in $kb"; exit 0; }
src=$(cd "$(dirname "$0")/../kmod" && pwd)
mkdir kmod && cp "$src/stap_testmod.c" "$src/stap_testmod_trace.h" "$src/Kbuild" kmod/
make -C "$kb" M="$WORK/kmod" > build.log 2>&1 || fail "stap_testmod did not build: $(tail build.log)"
ko=$WORK/kmod/stap_testmod.ko
w='echo > /proc/stap_testmod'
"$STAP" --vm -d "$ko" -c "insmod $ko && $w && rmmod stap_testmod && insmod $ko && $w && $w &&
	rmmod stap_testmod && echo unloaded" -e '
probe kernel.trace("stap_testmod:stm_event") {
	printf("stm_event %d %s stm_calls=%d\n", $code, kernel_string($label),
	       @var("stm_calls@stap_testmod.c", "'"$ko"'"))
}' > out 2> err || fail "stap failed: $(cat err)"
expect_file out "stm_event 1 void stm_calls=1
stm_event 1 void stm_calls=1
stm_event 2 void stm_calls=2
unloaded"
[ -s err ] && fail "stderr: $(cat err)"
exit 0
