# SDT markers (process("PATH").mark) in the VM: testsuite/uprog's
# stap_sdt built at -O0 (operands in frame slots), at -O2 (registers and
# their low parts, memory through a pointer, a global relative to %rip)
# and at -O2 without PIE, and its library libstap_sdt.so through
# .library("LIB").mark.  Each $argN is the value the program passed,
# signed where the operand says so (a negative size); the probed
# marker "guarded" has its semaphore raised, so that the program's
# *_ENABLED() test lets it fire, while the unprobed "plain" keeps 0, and
# the same markers in another program (sdt_withlib) are not touched.
# .provider("P").mark with a wildcard, $$provider, $$parms, and
# @defined($arg2) of a marker with one argument; in the program built
# with -g, @cast of a pointer argument to the program's struct (by
# default and by the program's path) and @var of its global;
# process.mark, on the -c command's program (sdt_o0) alone.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
(cd "$src" && gcc -g -o "$WORK/sdt_o0" stap_sdt.c &&
	gcc -O2 -o "$WORK/sdt_o2" stap_sdt.c &&
	gcc -O2 -no-pie -o "$WORK/sdt_nopie" stap_sdt.c &&
	gcc -O2 -fPIC -shared -o "$WORK/libstap_sdt.so" stap_sdt_lib.c &&
	gcc -O2 -DSDT_LIB -o "$WORK/sdt_withlib" stap_sdt.c -L"$WORK" -lstap_sdt \
		-Wl,-rpath,'$ORIGIN') || fail "cannot build the programs"
# the operand forms the test is about are there
args=$(for p in sdt_o0 sdt_o2 sdt_nopie; do readelf -n "$WORK/$p"; done | grep Arguments)
for form in '@8(%rsi,%rdx,8)' '@%ah' '@-[0-9]*(%rbp)' '@%e[a-z]*' '@%[a-d]l' '@%[a-d]x' '@(%r[a-z]*)' '@total(%rip)' '@\$-9'; do
	echo "$args" | grep -q -- "$form" || fail "no operand $form in the markers: $args"
done
readelf -h "$WORK/sdt_nopie" | grep -q 'EXEC (Executable' || fail "sdt_nopie is a PIE"
# not traced, the guarded marker does not fire and the semaphores are 0
"$WORK/sdt_o2" 1 > out || fail "sdt_o2 failed"
expect_file out "semaphores: guarded 0, plain 0"

progs="sdt_o0 sdt_o2 sdt_nopie"
for p in $progs; do cat <<EOF
probe process("./$p").mark("step") {
	printf("%s %s %d %d %d %d %d\n", execname(), \$\$name, \$arg1, \$arg2, \$arg3, \$arg4, \$arg5)
}
probe process("./$p").provider("sdt*").mark("con*") {
	printf("%s %s %s\n", execname(), \$\$provider, \$\$parms)
}
probe process("./$p").mark("global") {
	printf("%s global %d\n", execname(), \$arg1)
}
probe process("./$p").mark("indexed") {
	printf("%s indexed %d %d\n", execname(), \$arg1, \$arg2)
}
probe process("./$p").mark("guarded") {
	printf("%s guarded %d %d\n", execname(), \$arg1, @defined(\$arg2))
}
EOF
done > sdt.stp
cat >> sdt.stp <<'EOF'
probe process("./sdt_o0").mark("pair") {
	printf("%s pair %d %d %d\n", execname(), @cast($arg1, "struct pair")->a,
	       @cast($arg1, "struct pair", "./sdt_o0")->b, @var("total"))
}
probe process.mark("plain") {	/* the -c command's program, sdt_o0 */
	printf("%s plain\n", execname())
}
probe process("./sdt_withlib").library("libstap_sdt.so").mark("scaled") {
	printf("%s scaled %d %d\n", execname(), $arg1, $arg2)
}
EOF
"$STAP" --vm -c "./sdt_o0 2; $WORK/sdt_o2 2; $WORK/sdt_nopie 2; $WORK/sdt_withlib 2" sdt.stp \
	> out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
grep '^sdt_' out > probes
grep -v '^sdt_' out > programs
{
	for p in $progs; do
		for i in 1 2; do
			echo "$p step $i $((-i - 1)) $((-i)) $((100 * i)) $((-1000 * i))"
			echo "$p sdtdemo \$arg1=0x7 \$arg2=0xfffffffffffffff7"
			echo "$p global $((1000 + i * (i + 1) / 2))"
			[ $p = sdt_o0 ] && echo "$p pair $((100 * i)) $((-7 * i)) $((1000 + i * (i + 1) / 2))"
			echo "$p guarded $((10 * i)) 0"
			[ $p = sdt_o0 ] && echo "$p plain"
			echo "$p indexed $((-40 * i)) -2"
		done
	done
	echo "sdt_withlib scaled 1 3"
	echo "sdt_withlib scaled 2 6"
} > expected_probes
expect_file probes "$(cat expected_probes)"
# sdt_o0's "plain" is probed too (process.mark)
expect_file programs "guarded on
guarded on
semaphores: guarded 1, plain 1
guarded on
guarded on
semaphores: guarded 1, plain 0
guarded on
guarded on
semaphores: guarded 1, plain 0
semaphores: guarded 0, plain 0"
exit 0
