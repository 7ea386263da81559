# A kernel the runtime does not know yet: stap names the kernel and what is
# missing in one message, never with the C compiler's output.  A copy of
# the runtime plays the part of one older than the kernel: first a
# mechanism none of whose feature tests (runtime/features) compiles, then
# a runtime file that does not compile although every test passes.
. "$(dirname "$0")/lib.sh"
export STAP_CACHE=$WORK/cache
fresh_runtime() {
	rm -rf runtime
	cp -r "$(dirname "$0")/../../runtime" runtime
}
clean_err() {
	sed "s|$STAP_CACHE|CACHE|g" err > err.clean
}

fresh_runtime
printf '#error "no struct proc_ops here"\n' > runtime/features/proc_ops.c
"$STAP" -R runtime -r "$RELEASE" -p4 -e 'probe begin { exit() }' > out 2> err &&
	fail "stap -p4 succeeded without /proc files"
clean_err
expect_file err.clean "stap: error: kernel $RELEASE is not supported yet: it has no form of /proc files (struct proc_ops) that the runtime knows (the feature test runtime/features/proc_ops fails)
stap: the full log is CACHE/runtime-failed.log
Pass 4: compilation failed."
grep -q 'no struct proc_ops here' cache/runtime-failed.log ||
	fail "the kept log does not hold the feature test's error"

fresh_runtime
printf '#error "an interface this kernel moved"\n' >> runtime/context.c
"$STAP" -R runtime -r "$RELEASE" -p4 -e 'probe begin { exit() }' > out 2> err &&
	fail "stap -p4 succeeded with a runtime that does not compile"
clean_err
expect_file err.clean "stap: error: the runtime does not compile for kernel $RELEASE: a kernel this stap does not support yet, or a bug in stap:
  runtime/context.c: #error \"an interface this kernel moved\"
stap: the full log is CACHE/runtime-failed.log
Pass 4: compilation failed."
exit 0
