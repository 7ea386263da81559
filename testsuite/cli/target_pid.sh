# -x PID: target() is PID (init, in the VM); -c and -x together are refused;
# -x checks its argument.
. "$(dirname "$0")/lib.sh"
"$STAP" --vm -x 1 -e 'probe begin { printf("target=%d\n", target()); exit() }' > out 2> err ||
	fail "stap failed: $(cat err)"
expect_file out "target=1"
"$STAP" -p2 -x 1 -c ls -e 'probe begin { }' > out 2> err && fail "-x with -c was accepted"
grep -q "cannot be used together" err || fail "no clear error for -x with -c: $(cat err)"
"$STAP" -p2 -x abc -e 'probe begin { }' > out 2> err && fail "-x abc was accepted"
grep -q "takes a process id" err || fail "no clear error for -x abc: $(cat err)"
exit 0
