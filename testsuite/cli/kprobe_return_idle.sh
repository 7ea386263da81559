# .return probes on schedule_idle and do_idle, which the CPUs' idle tasks
# (pid 0, on no task list) are inside whenever another task runs: at the
# script's stop their return addresses must be put back too, or each idle
# task returns into the unloaded module's stubs when its CPU next idles.
# Four cycles on 4 CPUs: the script starts with the CPUs idle (each idle
# task's calls get hooked), busy loops then take all four CPUs (each idle
# task is switched out inside schedule_idle, hooked) until the script has
# stopped and its module is gone, then end: every CPU goes idle again.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
[ -e "/usr/lib/debug/boot/vmlinux-$RELEASE" ] || { echo "skipped: no vmlinux debuginfo (vm/install-debuginfo)"; exit 0; }
"$STAP" -r "$RELEASE" -p4 -m idle_ret -e '
global n, ticks
probe kernel.function("schedule_idle").return, kernel.function("do_idle").return { n++ }
probe timer.ms(100) { if (++ticks == 20) { printf("returns seen: %d\n", n > 0); exit() } }
' > /dev/null 2> err || fail "stap -p4: $(cat err)"
cat > guest.sh <<'END'
for i in 1 2 3 4; do
	staprun /extra/idle_ret.ko & sp=$!
	sleep 1
	pids=
	for j in 1 2 3 4; do (while :; do :; done) & pids="$pids $!"; done
	wait $sp; echo "run $i: $?"
	kill $pids; wait
	sleep 1
	echo "alive $i"
done
END
"$vm" --smp 4 --script --extra idle_ret.ko guest.sh > out 2> err || fail "stap-vm failed: $(cat err)"
expect_file out "returns seen: 1
run 1: 0
alive 1
returns seen: 1
run 2: 0
alive 2
returns seen: 1
run 3: 0
alive 3
returns seen: 1
run 4: 0
alive 4"
[ -s err ] && fail "stderr: $(cat err)"
exit 0
