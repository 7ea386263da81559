# Options after the script file reach the run (stap FILE -c CMD -T N -o OUT
# in the VM: the command starts, -T stops the script though the command
# would go on, the output is in OUT); relative paths in -c and process()
# and a bare name found through $PATH are made absolute on this machine
# and the program is copied into the VM at that path.  -x names a process
# of this machine, which the VM cannot see: refused with --vm.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
mkdir bin
gcc -O2 -static -no-pie -o bin/prog "$src/stap_testprog.c" || fail "cannot build the program"
cat > t.stp <<'END'
probe process("prog").begin { printf("begin %s, by -c: %d\n", execname(), ppid() == target()) }
probe process("./bin/prog").end { printf("end %s\n", execname()) }
probe end { println("script end") }
END
PATH=$WORK/bin:$PATH timeout 200 "$STAP" t.stp --vm -c './bin/prog > /dev/null; sleep 1000' -T 5 \
	-o "$WORK/result" > out 2> err || fail "stap failed: $(cat err)"
[ -s out ] && fail "stdout, not -o's file: $(cat out)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file result "begin prog, by -c: 1
end prog
script end"

"$STAP" --vm -x 1 -e 'probe begin { }' > out 2> err && fail "-x with --vm was accepted"
expect_file err "stap: error: -x 1 names a process of this machine, which the virtual machine cannot see: with --vm, start the target with -c CMD"
exit 0
