# -x PID: target() is PID (init, in the VM: the module is run there by
# stap-vm, since stap --vm refuses a -x that names a process of this
# machine); -c and -x together are refused; -x checks its argument.
. "$(dirname "$0")/lib.sh"
vm=$(dirname "$STAP")/../vm/stap-vm
"$STAP" -r "$RELEASE" -p4 -m target_pid -e 'probe begin { printf("target=%d\n", target()); exit() }' \
	> /dev/null 2> err || fail "stap -p4 failed: $(cat err)"
"$vm" --staprun-arg -x --staprun-arg 1 target_pid.ko > out 2> err || fail "staprun -x 1 failed: $(cat err)"
expect_file out "target=1"
"$STAP" -p2 -x 1 -c ls -e 'probe begin { }' > out 2> err && fail "-x with -c was accepted"
grep -q "cannot be used together" err || fail "no clear error for -x with -c: $(cat err)"
"$STAP" -p2 -x abc -e 'probe begin { }' > out 2> err && fail "-x abc was accepted"
grep -q "takes a process id" err || fail "no clear error for -x abc: $(cat err)"
exit 0
