# process("PATH").function(...) and .return on a program built with -g -O0
# (testsuite/uprog): integer, string, struct (with bitfields) and array
# parameters after the prologue, $return, $$parms, $var$, recursion, and
# target() from -c.  stap --vm copies the program into the guest.
. "$(dirname "$0")/lib.sh"
src=$(cd "$(dirname "$0")/../uprog" && pwd)
# (compiled from its directory, as a user would)
(cd "$src" && gcc -g -O0 -static -no-pie -o "$WORK/stap_testprog" stap_testprog.c) ||
	fail "cannot build testsuite/uprog/stap_testprog.c"
P="$WORK/stap_testprog"
"$STAP" --vm -c "$P 2 > /dev/null" -e '
global calls
probe process("'"$P"'").function("add_ints") { printf("add_ints a=%d b=%d %s\n", $a, $b, $$parms) }
probe process("'"$P"'").function("add_ints").return { printf("add_ints returns %d\n", $return) }
probe process("'"$P"'").function("str_len") { printf("str_len %s %s\n", user_string($s), $s$) }
probe process("'"$P"'").function("point_sum") {
	printf("point %d,%d %s %d %d %s\n", $p->x, $p->y, user_string($p->label), $p->flags, $p->mode, $p$)
}
probe process("'"$P"'").function("array_sum") { printf("array %d %d n=%d\n", $v[0], $v[3], $n) }
probe process("'"$P"'").function("fact") { calls++; if ($n == 1) printf("fact bottom, target: %d\n", pid() == target()) }
probe process("'"$P"'").function("fact").return { if ($return == 120) printf("fact -> %d after %d calls\n", $return, calls) }
' > out 2> err || fail "stap failed: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
round='add_ints a=2 b=40 a=0x2 b=0x28
add_ints returns 42
str_len hello, probes "hello, probes"
point 3,4 origin 5 17 {.x=3, .y=4, .label="origin", .flags=5, .mode=17}
array 10 40 n=4
fact bottom, target: 1'
expect_file out "$round
fact -> 120 after 5 calls
$round
fact -> 120 after 10 calls"
# a statement in a loop: once per iteration, with the loop's locals
"$STAP" --vm -c "$P > /dev/null" -e '
probe process("'"$P"'").statement("array_sum@stap_testprog.c:49") { printf("i=%d total=%d v[i]=%d\n", $i, $total, $v[$i]) }
' > out 2> err || fail "stap failed: $(cat err)"
expect_file out "i=0 total=0 v[i]=10
i=1 total=10 v[i]=20
i=2 total=30 v[i]=30
i=3 total=60 v[i]=40"
exit 0
