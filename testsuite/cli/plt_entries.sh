# PLT entries (process("PATH").plt) in the VM: testsuite/uprog's
# stap_plt built three ways, one PLT layout each: by default (a PIE,
# lazy stubs in .plt after the resolver's), without PIE and without CET
# (-no-pie -fcf-protection=none: .plt at a fixed address) and with IBT
# stubs (-fcf-protection -z ibtplt -z now: the stubs called are in
# .plt.sec).  Each run makes N=3 rounds of malloc, two writes and a
# getpid, one more getpid first, all through its PLT: the probes count
# exactly those calls by $$name, and .return sees getpid's $return be
# the process's pid.  process.plt("free") probes the -c command's
# program alone; .library("LIB").plt the PLT of our library
# libstap_plt.so (two getpid calls), by name and by a wildcard.  A
# probe on both getpid's calls and returns has $return at the returns
# alone.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
(cd "$src" && gcc -O2 -o "$WORK/plt_pie" stap_plt.c &&
	gcc -O2 -no-pie -fcf-protection=none -o "$WORK/plt_nopie" stap_plt.c &&
	gcc -O2 -fcf-protection -Wl,-z,ibtplt -Wl,-z,now -o "$WORK/plt_ibt" stap_plt.c &&
	gcc -O2 -fPIC -shared -o "$WORK/libstap_plt.so" stap_plt_lib.c &&
	gcc -O2 -DPLT_LIB -o "$WORK/plt_withlib" stap_plt.c -L"$WORK" -lstap_plt \
		-Wl,-rpath,'$ORIGIN') || fail "cannot build the programs"
# the layouts the test is about are there, and the calls go through the PLT
readelf -h plt_pie | grep -q 'DYN (' || fail "plt_pie is not a PIE"
readelf -h plt_nopie | grep -q 'EXEC (' || fail "plt_nopie is a PIE"
for p in plt_pie plt_nopie; do
	readelf -SW $p | grep -q '\.plt\.sec' && fail "$p has a .plt.sec"
done
readelf -SW plt_ibt | grep -q '\.plt\.sec' || fail "plt_ibt has no .plt.sec"
for p in plt_pie plt_nopie plt_ibt; do
	for f in malloc write getpid; do
		objdump -d $p | grep -q "call.*<$f@plt>" || fail "$p does not call $f through its PLT"
	done
done
objdump -d libstap_plt.so | grep -q 'call.*<getpid@plt>' || fail "the library calls getpid directly"

progs="plt_pie plt_nopie plt_ibt"
for p in $progs; do cat <<EOF
probe process("./$p").plt("[gmw]*") {
	calls[execname(), \$\$name]++
}
probe process("./$p").plt("getpid").return {
	returns[execname(), \$\$name, \$return == pid()]++
}
EOF
done > plt.stp
cat >> plt.stp <<'EOF'
global calls, returns, both
probe process("./plt_nopie").plt("getpid"), process("./plt_nopie").plt("getpid").return {
	both[execname(), @defined($return)]++	/* 0 at the calls, 1 at the returns */
}
probe process.plt("free") {	/* the -c command's program, plt_pie */
	calls[execname(), $$name]++
}
probe process("./plt_withlib").library("libstap_plt.so").plt("getpid") {
	calls[execname(), "lib " . $$name]++
}
probe process("./plt_withlib").library("libstap_plt*").plt("get*").return {
	returns[execname(), "lib " . $$name, $return == pid()]++
}
probe end {
	foreach ([e, n] in calls)
		printf("%s %s %d\n", e, n, calls[e, n])
	foreach ([e, n, ok] in returns)
		printf("%s %s returned its pid %d: %d\n", e, n, ok, returns[e, n, ok])
	foreach ([e, r] in both)
		printf("%s getpid in a probe on both, @defined($return) %d: %d\n", e, r, both[e, r])
}
EOF
"$STAP" --vm -c "./plt_pie 3; $WORK/plt_nopie 3; $WORK/plt_ibt 3; $WORK/plt_withlib 3" plt.stp \
	> out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
grep '^plt_' out | sort > probes
grep -v '^plt_' out > programs
{
	for p in $progs; do
		echo "$p getpid 4"
		echo "$p getpid returned its pid 1: 4"
		echo "$p malloc 3"
		echo "$p write 6"
	done
	echo "plt_pie free 3"
	echo "plt_nopie getpid in a probe on both, @defined(\$return) 0: 4"
	echo "plt_nopie getpid in a probe on both, @defined(\$return) 1: 4"
	echo "plt_withlib lib getpid 2"
	echo "plt_withlib lib getpid returned its pid 1: 2"
} | sort > expected_probes
expect_file probes "$(cat expected_probes)"
expect_file programs "rounds 3 sum 31
rounds 3 sum 31
rounds 3 sum 31
rounds 3 sum 33"
exit 0
