# process("PATH").function("f").return reading f's parameters: registers as
# they were at the entry (saved per call by an entry handler, so that
# recursive calls each see their own), memory as it is at the return;
# @entry(expr) evaluated where the prologue ends in -O0 code.  Built -O0
# (parameters in the frame) and -O2 (parameters in registers).
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
(cd "$src" && gcc -g -O0 -static -no-pie -o "$WORK/stap_testprog" stap_testprog.c &&
	gcc -g -O2 -static -no-pie -o "$WORK/stap_testprog_o2" stap_testprog.c) ||
	fail "cannot build testsuite/uprog/stap_testprog.c"
P="$WORK/stap_testprog"
"$STAP" --vm -c "$P 2 > /dev/null" -e '
probe process("'"$P"'").function("add_ints").return { printf("add_ints(%d, %d) = %d %s\n", $a, $b, $return, $$parms) }
probe process("'"$P"'").function("str_len").return { printf("str_len(\"%s\") = %d\n", user_string($s), $return) }
probe process("'"$P"'").function("point_sum").return { printf("point_sum(%d,%d) = %d\n", $p->x, $p->y, $return) }
probe process("'"$P"'").function("fact").return { printf("fact(%d) = %d, 2n at entry %d\n", $n, $return, @entry($n * 2)) }
' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
round='add_ints(2, 40) = 42 a=0x2 b=0x28
str_len("hello, probes") = 13
point_sum(3,4) = 7
fact(1) = 1, 2n at entry 2
fact(2) = 2, 2n at entry 4
fact(3) = 6, 2n at entry 6
fact(4) = 24, 2n at entry 8
fact(5) = 120, 2n at entry 10'
expect_file out "$round
$round"
P="$WORK/stap_testprog_o2"
"$STAP" --vm -c "$P > /dev/null" -e '
probe process("'"$P"'").function("add_ints").return { printf("add_ints(%d, %d) = %d, a at entry %d\n", $a, $b, $return, @entry($a)) }
' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
expect_file out "add_ints(2, 40) = 42, a at entry 2"
exit 0
